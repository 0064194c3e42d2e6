//! The customer value matrix (客户价值矩阵, D4.4): current value on x, potential value on y,
//! four quadrants around an origin the company sets (by default the population mean), each with
//! its marketing strategy.
//!
//! A point on an origin line counts as high: reaching the company's line is meeting it. So the
//! increase that lifts a customer is exactly its distance to the line, while a decrease must be
//! strictly larger than the distance to drop it ([`Move`]).

use crate::ParseError;
use crate::values::Lang;
use serde::{Deserialize, Serialize};

code_enum! {
    /// The four customer types of the value matrix.
    Quadrant, "quadrant" {
        /// High current, high potential (贵宾型).
        Vip = "vip", "贵宾型", "VIP";
        /// Low current, high potential (改进型, the most growth).
        Growth = "growth", "改进型", "Growth";
        /// High current, low potential (维持型).
        Maintain = "maintain", "维持型", "Maintain";
        /// Low current, low potential (放弃型).
        Abandon = "abandon", "放弃型", "Abandon";
    }
}

code_enum! {
    /// The two axes of the value matrix.
    Axis, "axis" {
        Current = "current", "当前价值", "Current value";
        Potential = "potential", "潜在价值", "Potential value";
    }
}

code_enum! {
    /// Which way a value must change to cross a line.
    Direction, "direction" {
        /// Raise by at least `by`: reaching the line is enough.
        Up = "up", "提高", "Raise";
        /// Lower by more than `by`: the line itself still counts as high.
        Down = "down", "降低", "Lower";
    }
}

/// A customer's (current, potential) value, or the origin of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValuePoint {
    pub current: f64,
    pub potential: f64,
}

impl Quadrant {
    fn from_sides(high_current: bool, high_potential: bool) -> Self {
        match (high_current, high_potential) {
            (true, true) => Quadrant::Vip,
            (false, true) => Quadrant::Growth,
            (true, false) => Quadrant::Maintain,
            (false, false) => Quadrant::Abandon,
        }
    }

    /// The quadrant of a point; on a line counts as high.
    pub fn of(point: ValuePoint, origin: ValuePoint) -> Self {
        Self::from_sides(
            point.current >= origin.current,
            point.potential >= origin.potential,
        )
    }

    pub fn high_current(self) -> bool {
        matches!(self, Quadrant::Vip | Quadrant::Maintain)
    }

    pub fn high_potential(self) -> bool {
        matches!(self, Quadrant::Vip | Quadrant::Growth)
    }

    /// The marketing strategy for the quadrant (seed 001 §3).
    pub fn strategy(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Quadrant::Vip, Lang::Zh) => {
                "建立长期合作伙伴关系:提供综合能源解决方案,突出节能减排的需求侧管理,降低客户用电成本"
            }
            (Quadrant::Vip, Lang::En) => {
                "Long-term partnership: integrated energy solutions and demand-side management \
                 that lower the customer's energy cost"
            }
            (Quadrant::Growth, Lang::Zh) => {
                "提供完备的技术支持服务,增进对客户需求的了解,促进当前用电量,开发用电潜力"
            }
            (Quadrant::Growth, Lang::En) => {
                "Full technical support; learn the customer's needs to develop its consumption"
            }
            (Quadrant::Maintain, Lang::Zh) => "维持老客户,以较少投入提供更专业、更便捷的服务",
            (Quadrant::Maintain, Lang::En) => {
                "Keep the customer: professional, convenient service at low cost"
            }
            (Quadrant::Abandon, Lang::Zh) => "提供基本服务,控制服务成本",
            (Quadrant::Abandon, Lang::En) => "Minimal service at the lowest cost",
        }
    }
}

/// Where the origin of the matrix comes from. TOML: `origin = "mean"`, or
/// `[origin.fixed]` with `current` and `potential`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OriginRule {
    /// The mean of the population being segmented.
    #[default]
    Mean,
    /// Set by the company (the seed uses (2.2, 1.1)).
    Fixed(ValuePoint),
}

impl OriginRule {
    pub fn validate(&self) -> Result<(), ParseError> {
        match self {
            OriginRule::Fixed(p) if !(p.current.is_finite() && p.potential.is_finite()) => {
                Err(ParseError::new(
                    "origin.fixed",
                    format!("({}, {}) is not a point", p.current, p.potential),
                ))
            }
            _ => Ok(()),
        }
    }

    /// The origin for these points; `None` for the mean of no points.
    pub fn resolve(&self, points: &[ValuePoint]) -> Option<ValuePoint> {
        match *self {
            OriginRule::Fixed(p) => Some(p),
            OriginRule::Mean if points.is_empty() => None,
            OriginRule::Mean => {
                let n = points.len() as f64;
                Some(ValuePoint {
                    current: points.iter().map(|p| p.current).sum::<f64>() / n,
                    potential: points.iter().map(|p| p.potential).sum::<f64>() / n,
                })
            }
        }
    }
}

/// The smallest change of one value that crosses its origin line, and where it leads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Move {
    pub axis: Axis,
    pub direction: Direction,
    /// Distance to the line: `Up` needs at least this much, `Down` more than this.
    pub by: f64,
    /// The quadrant after crossing.
    pub to: Quadrant,
}

/// The two moves of a point: across the current-value line, and across the potential-value line.
pub fn moves(point: ValuePoint, origin: ValuePoint) -> [Move; 2] {
    let here = Quadrant::of(point, origin);
    let cross = |axis, value: f64, line: f64, high: bool| Move {
        axis,
        direction: if high { Direction::Down } else { Direction::Up },
        by: (value - line).abs(),
        to: match axis {
            Axis::Current => Quadrant::from_sides(!high, here.high_potential()),
            Axis::Potential => Quadrant::from_sides(here.high_current(), !high),
        },
    };
    [
        cross(
            Axis::Current,
            point.current,
            origin.current,
            here.high_current(),
        ),
        cross(
            Axis::Potential,
            point.potential,
            origin.potential,
            here.high_potential(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(current: f64, potential: f64) -> ValuePoint {
        ValuePoint { current, potential }
    }

    #[test]
    fn the_seed_example() {
        let origin = p(2.2, 1.1);
        assert_eq!(Quadrant::of(p(2.638, 1.059), origin), Quadrant::Maintain);
        assert_eq!(Quadrant::of(p(2.261, 1.292), origin), Quadrant::Vip);
        assert_eq!(Quadrant::of(p(2.131, 1.309), origin), Quadrant::Growth);
        assert_eq!(Quadrant::of(p(2.0, 1.0), origin), Quadrant::Abandon);
    }

    #[test]
    fn the_origin_lines_count_as_high() {
        let o = p(2.2, 1.1);
        assert_eq!(Quadrant::of(o, o), Quadrant::Vip);
        assert_eq!(Quadrant::of(p(2.2, 1.0), o), Quadrant::Maintain);
        assert_eq!(Quadrant::of(p(2.1, 1.1), o), Quadrant::Growth);
    }

    #[test]
    fn moves_cross_each_line() {
        let origin = p(2.2, 1.1);
        let [c, q] = moves(p(2.638, 1.059), origin);
        assert_eq!(
            (c.axis, c.direction, c.to),
            (Axis::Current, Direction::Down, Quadrant::Abandon)
        );
        assert!((c.by - 0.438).abs() < 1e-9);
        assert_eq!(
            (q.axis, q.direction, q.to),
            (Axis::Potential, Direction::Up, Quadrant::Vip)
        );
        assert!((q.by - 0.041).abs() < 1e-9);
        let [c, q] = moves(p(2.131, 1.309), origin);
        assert_eq!((c.direction, c.to), (Direction::Up, Quadrant::Vip));
        assert_eq!((q.direction, q.to), (Direction::Down, Quadrant::Abandon));
        // On the line: any decrease at all drops it.
        let [c, _] = moves(origin, origin);
        assert_eq!(
            (c.direction, c.by, c.to),
            (Direction::Down, 0.0, Quadrant::Growth)
        );
    }

    #[test]
    fn the_origin_is_the_mean_or_fixed() {
        let pts = [p(1.0, 2.0), p(3.0, 4.0)];
        assert_eq!(OriginRule::Mean.resolve(&pts), Some(p(2.0, 3.0)));
        assert_eq!(OriginRule::Mean.resolve(&[]), None);
        let fixed = OriginRule::Fixed(p(2.2, 1.1));
        assert_eq!(fixed.resolve(&pts), Some(p(2.2, 1.1)));
        assert!(fixed.validate().is_ok());
        assert!(OriginRule::Fixed(p(f64::NAN, 1.0)).validate().is_err());
        let json = r#"{"fixed": {"current": 2.2, "potential": 1.1}}"#;
        assert_eq!(serde_json::from_str::<OriginRule>(json).unwrap(), fixed);
        assert_eq!(
            serde_json::from_str::<OriginRule>(r#""mean""#).unwrap(),
            OriginRule::Mean
        );
    }

    #[test]
    fn every_quadrant_has_a_strategy_in_both_languages() {
        for &q in Quadrant::ALL {
            assert!(!q.strategy(Lang::Zh).is_empty() && !q.strategy(Lang::En).is_empty());
        }
        assert_eq!(Quadrant::Growth.label(Lang::Zh), "改进型");
    }
}
