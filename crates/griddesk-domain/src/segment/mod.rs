//! Customer value segmentation (客户价值细分, D4): which customers are worth most to the company
//! now and later, and how each is served.
//!
//! The pipeline for one company and period, after seed 001 (电力客户价值评估指标体系):
//! 1. [`indicators`]: eight indicators B11..B42 per customer from its raw figures (D4.1);
//! 2. [`weights`]: their weights from judgment matrices, fuzzy complementary or classic AHP (D4.2);
//! 3. [`scoring`]: each indicator scored 1-5 by quintile of the population, then the current and
//!    potential value (D4.3);
//! 4. [`matrix`]: the value-matrix quadrant against an origin (D4.4);
//! 5. [`grading`]: the other gradings — ABC pyramid, three-dimension grade, textbook customer
//!    value, movements between periods (D4.5);
//! 6. [`service`]: the service tier and entitlements of a grade (D4.5, D2 queues).
//!
//! [`segment`] runs them over a population; its result keeps what [`Explanation`] needs to tell
//! an analyst why a customer landed where it did. Everything is configurable through
//! [`SegmentationConfig`] (`data/segmentation.toml` holds the seed defaults).
//!
//! Decisions where the seed is silent, each documented where it is implemented:
//! - zero denominators never give NaN: a share of nothing is 0, nothing due is fully recovered
//!   and punctual, growth from nothing is full growth ([`indicators`]);
//! - equal raw values always get the same score: scores come from the mid-rank percentile, and a
//!   population of one, or of equal values, scores 3 ([`scoring`]);
//! - the potential value weights B41/B42 within their group (sum 1), the current value uses the
//!   total weights, as the seed's example values require ([`scoring::value_of`]);
//! - a point on an origin line counts as high ([`matrix`]); in the ABC pyramid and the
//!   three-dimension tiers equal amounts share a class and the top customer is always in the top
//!   class ([`grading`]); ABC class B is served in tier 1 like A ([`service`]).

pub mod grading;
pub mod indicators;
pub mod matrix;
pub mod population;
pub mod scoring;
pub mod service;
pub mod weights;

pub use grading::{
    AbcClass, AbcShares, Grading, ThreeDim, ThreeDimConfig, ThreeDimGrade, ThreeDimResult,
};
pub use indicators::{IndicatorInputs, IndicatorParams};
pub use matrix::{Move, OriginRule, Quadrant, ValuePoint};
pub use population::{
    CustomerResult, Explanation, Member, Segmentation, Summary, carry_grades, explanation, segment,
};
pub use scoring::Quintiles;
pub use service::{Entitlement, TierRule, TierTable};
pub use weights::{MatrixError, Method, Weights, WeightsConfig, WeightsError};

use crate::ParseError;
use serde::{Deserialize, Serialize};

code_enum! {
    /// The eight leaf indicators of the seed's index system.
    Indicator, "indicator" {
        B11 = "b11", "电力电量比率", "Power-energy ratio";
        B12 = "b12", "输电成本", "Transmission cost";
        B21 = "b21", "用电负荷率", "Load factor";
        B22 = "b22", "功率因数", "Power factor";
        B31 = "b31", "累计电费回收率", "Cumulative recovery rate";
        B32 = "b32", "电费回收准时度", "Payment punctuality";
        B41 = "b41", "购电量增长率", "Purchase growth rate";
        B42 = "b42", "购电量增长量", "Purchase growth amount";
    }
}

code_enum! {
    /// The four indicator groups; B1-B3 make the current value, B4 the potential value.
    Group, "group" {
        B1 = "b1", "购电水平", "Purchase level";
        B2 = "b2", "用电特性", "Usage characteristics";
        B3 = "b3", "信誉状况", "Credit";
        B4 = "b4", "用电潜力", "Consumption potential";
    }
}

impl Indicator {
    pub fn group(self) -> Group {
        use Indicator::*;
        match self {
            B11 | B12 => Group::B1,
            B21 | B22 => Group::B2,
            B31 | B32 => Group::B3,
            B41 | B42 => Group::B4,
        }
    }
}

impl Group {
    /// The group's two indicators, in the order of its judgment matrix.
    pub fn indicators(self) -> [Indicator; 2] {
        use Indicator::*;
        match self {
            Group::B1 => [B11, B12],
            Group::B2 => [B21, B22],
            Group::B3 => [B31, B32],
            Group::B4 => [B41, B42],
        }
    }

    /// Whether the group counts towards the current value (B1-B3) rather than the potential.
    pub fn is_current(self) -> bool {
        self != Group::B4
    }
}

/// One `T` per indicator (values, scores, weights, thresholds), serialized by indicator code.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct PerIndicator<T> {
    pub b11: T,
    pub b12: T,
    pub b21: T,
    pub b22: T,
    pub b31: T,
    pub b32: T,
    pub b41: T,
    pub b42: T,
}

impl<T> PerIndicator<T> {
    pub fn from_fn(mut f: impl FnMut(Indicator) -> T) -> Self {
        use Indicator::*;
        Self {
            b11: f(B11),
            b12: f(B12),
            b21: f(B21),
            b22: f(B22),
            b31: f(B31),
            b32: f(B32),
            b41: f(B41),
            b42: f(B42),
        }
    }

    pub fn get(&self, i: Indicator) -> &T {
        use Indicator::*;
        match i {
            B11 => &self.b11,
            B12 => &self.b12,
            B21 => &self.b21,
            B22 => &self.b22,
            B31 => &self.b31,
            B32 => &self.b32,
            B41 => &self.b41,
            B42 => &self.b42,
        }
    }

    pub fn get_mut(&mut self, i: Indicator) -> &mut T {
        use Indicator::*;
        match i {
            B11 => &mut self.b11,
            B12 => &mut self.b12,
            B21 => &mut self.b21,
            B22 => &mut self.b22,
            B31 => &mut self.b31,
            B32 => &mut self.b32,
            B41 => &mut self.b41,
            B42 => &mut self.b42,
        }
    }

    pub fn map<U>(&self, mut f: impl FnMut(Indicator, &T) -> U) -> PerIndicator<U> {
        PerIndicator::from_fn(|i| f(i, self.get(i)))
    }
}

/// One `T` per indicator group.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct PerGroup<T> {
    pub b1: T,
    pub b2: T,
    pub b3: T,
    pub b4: T,
}

impl<T> PerGroup<T> {
    pub fn from_fn(mut f: impl FnMut(Group) -> T) -> Self {
        Self {
            b1: f(Group::B1),
            b2: f(Group::B2),
            b3: f(Group::B3),
            b4: f(Group::B4),
        }
    }

    pub fn get(&self, g: Group) -> &T {
        match g {
            Group::B1 => &self.b1,
            Group::B2 => &self.b2,
            Group::B3 => &self.b3,
            Group::B4 => &self.b4,
        }
    }
}

/// Everything a company sets about segmentation (TOML, `data/segmentation.toml`). Every key is
/// optional; missing keys keep the seed defaults.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentationConfig {
    /// p1, p2, a, r, M of the indicator formulas (D4.1).
    pub indicators: IndicatorParams,
    /// Method and judgment matrices (D4.2).
    pub weights: WeightsConfig,
    /// Origin of the value matrix (D4.4): the population mean, or fixed by the company.
    pub origin: OriginRule,
    /// ABC pyramid shares (D4.5).
    pub abc: AbcShares,
    /// Three-dimension grade (D4.5).
    pub three_dimension: ThreeDimConfig,
    /// Service tier and entitlements per grade (D4.5).
    pub tiers: TierTable,
}

impl SegmentationConfig {
    /// Checks every part and computes the weights once: an inconsistent or malformed judgment
    /// matrix is a configuration error, reported before any customer is looked at.
    pub fn validate(&self) -> Result<Weights, SegmentError> {
        self.indicators.validate().map_err(SegmentError::Config)?;
        self.origin.validate().map_err(SegmentError::Config)?;
        self.abc.validate().map_err(SegmentError::Config)?;
        self.three_dimension
            .validate()
            .map_err(SegmentError::Config)?;
        self.tiers.validate().map_err(SegmentError::Config)?;
        self.weights.weights().map_err(SegmentError::Weights)
    }
}

/// Why a segmentation could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SegmentError {
    #[error("segmentation config: {0}")]
    Config(ParseError),
    #[error("segmentation config: {0}")]
    Weights(WeightsError),
    #[error("customer {customer}: {error}")]
    Input { customer: String, error: ParseError },
    #[error("customer {0} appears more than once in the population")]
    DuplicateCustomer(String),
    #[error("the population is empty: there is nothing to segment")]
    EmptyPopulation,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_indicator_belongs_to_the_group_that_lists_it() {
        for &g in Group::ALL {
            for i in g.indicators() {
                assert_eq!(i.group(), g);
            }
        }
        assert_eq!(Indicator::ALL.len(), 8);
        let p = PerIndicator::from_fn(|i| i.code());
        assert_eq!(p.map(|i, c| (i, *c)).b32, (Indicator::B32, "b32"));
    }

    #[test]
    fn the_default_config_is_valid_and_gives_the_seed_weights() {
        let w = SegmentationConfig::default().validate().unwrap();
        assert_eq!(w.method, Method::Fuzzy);
        assert!((w.total.b11 - 0.257).abs() < 5e-4);
    }

    #[test]
    fn the_default_config_round_trips_through_serde() {
        let c = SegmentationConfig::default();
        let json = serde_json::to_string(&c).unwrap();
        let back: SegmentationConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
        let empty: SegmentationConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, c, "every key is optional");
    }

    #[test]
    fn the_shipped_config_file_is_the_default() {
        let file = include_str!("../../../../data/segmentation.toml");
        let parsed: SegmentationConfig = toml::from_str(file).unwrap();
        assert_eq!(parsed, SegmentationConfig::default());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_config_errors() {
        assert!(serde_json::from_str::<SegmentationConfig>(r#"{"weight": {}}"#).is_err());
        let c: SegmentationConfig =
            serde_json::from_str(r#"{"indicators": {"power_factor_low": 0.97}}"#).unwrap();
        let e = c.validate().unwrap_err();
        assert!(matches!(e, SegmentError::Config(_)), "{e}");
        assert!(e.to_string().contains("power_factor_low"), "{e}");
        let c: SegmentationConfig =
            serde_json::from_str(r#"{"weights": {"b2": [[0.5, 0.4], [0.7, 0.5]]}}"#).unwrap();
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("weights.b2") && e.contains("(1, 2)"), "{e}");
    }
}
