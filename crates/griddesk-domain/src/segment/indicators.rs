//! The eight value indicators of one customer for one period (D4.1, seed 001 §2.1), computed
//! from the customer's raw figures: purchase level B11/B12, usage characteristics B21/B22,
//! credit B31/B32 and consumption potential B41/B42.
//!
//! The seed leaves zero denominators open; here they never give NaN:
//! - B11, B12: the company supplied (or charged) nothing → 0. A customer's figure above the
//!   company's total is inconsistent data and rejected.
//! - B21: no maximum load → 0 (the customer drew nothing). Average above maximum is rejected.
//! - B31: nothing due → 1 (nothing is outstanding). Paid beyond due (prepayment, old arrears
//!   settled) also counts as 1, full recovery.
//! - B32: no receivables → 1 without late fees, 0 with them (fees on nothing count as the worst).
//! - B41: nothing bought the year before → 1 if something was bought last year (growth from
//!   nothing is full growth), else 0.
//!
//! Scores are taken by quintile afterwards ([`super::scoring`]), and every formula here is
//! monotone, so p1, p2, a, r and M matter only where they saturate (ties at 0 or 1).

use super::PerIndicator;
use crate::ParseError;
use crate::values::Money;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

/// A customer's raw figures for the period being segmented. Energy and money are exact decimals
/// as in the billing records; loads and the power factor are measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorInputs {
    /// Consumption (purchase) in the period (本期用电量/购电量): B11, and B42 against the same
    /// period last year.
    pub consumption_kwh: Decimal,
    /// The company's total supply in the period (供电商本期电力供应总量).
    pub company_supply_kwh: Decimal,
    /// The customer's transmission fees in the period (本期输电费用).
    pub transmission_fees: Money,
    /// The company's total transmission fees in the period.
    pub company_transmission_fees: Money,
    pub average_load_kw: Decimal,
    pub max_load_kw: Decimal,
    /// Average power factor in the period, 0..=1.
    pub power_factor: f64,
    /// Paid (实缴电费) over the last 3 years.
    pub paid_3y: Money,
    /// Due (应缴电费) over the last 3 years.
    pub due_3y: Money,
    /// Late fees (滞纳金) over the last 3 years.
    pub late_fees_3y: Money,
    /// Receivables (应收电费) over the same 3 years.
    pub receivables_3y: Money,
    /// Purchase in the last year.
    pub last_year_kwh: Decimal,
    /// Purchase in the year before.
    pub year_before_kwh: Decimal,
    /// Purchase in the same period of the last year.
    pub same_period_last_year_kwh: Decimal,
}

/// The company-set constants of the formulas (seed symbols in brackets).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IndicatorParams {
    /// [p1] B22 is 0 at or below this power factor.
    pub power_factor_low: f64,
    /// [p2] B22 is 1 at or above this power factor.
    pub power_factor_high: f64,
    /// [a] B32 is 0 once late fees reach this share of the receivables.
    pub late_fee_ratio_cap: f64,
    /// [r] B41 is 1 once yearly growth reaches this rate.
    pub growth_rate_cap: f64,
    /// [M] B42 is 1 once growth against the same period last year reaches this many kWh.
    pub growth_amount_cap_kwh: f64,
}

impl Default for IndicatorParams {
    /// a = 0.5 and r = 0.3 are the seed's. It gives no p1, p2 or M: 0.80 is the lowest standard
    /// of the power-factor tariff adjustment (功率因数调整电费) and from 0.95 its reduction is
    /// the largest, so p1 = 0.80, p2 = 0.95; M = 1 GWh per period suits the seed's
    /// large-industrial customers and is meant to be set per company and period length.
    fn default() -> Self {
        Self {
            power_factor_low: 0.80,
            power_factor_high: 0.95,
            late_fee_ratio_cap: 0.5,
            growth_rate_cap: 0.3,
            growth_amount_cap_kwh: 1_000_000.0,
        }
    }
}

impl IndicatorParams {
    pub fn validate(&self) -> Result<(), ParseError> {
        let (p1, p2) = (self.power_factor_low, self.power_factor_high);
        if !(0.0..=1.0).contains(&p1) || !(0.0..=1.0).contains(&p2) || p1 >= p2 {
            return Err(ParseError::new(
                "indicators.power_factor_low",
                format!("need 0 <= power_factor_low < power_factor_high <= 1, got {p1} and {p2}"),
            ));
        }
        for (field, v) in [
            ("indicators.late_fee_ratio_cap", self.late_fee_ratio_cap),
            ("indicators.growth_rate_cap", self.growth_rate_cap),
            (
                "indicators.growth_amount_cap_kwh",
                self.growth_amount_cap_kwh,
            ),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(ParseError::new(field, format!("{v} must be positive")));
            }
        }
        Ok(())
    }
}

/// B22 (power factor): 0 if x <= p1; (x - p1)/(p2 - p1) if p1 < x < p2; 1 if x >= p2.
pub fn power_factor_score(x: f64, p1: f64, p2: f64) -> f64 {
    if x <= p1 {
        0.0
    } else if x >= p2 {
        1.0
    } else {
        (x - p1) / (p2 - p1)
    }
}

/// B32 (punctuality), x = late fees / receivables >= 0: (a - x)/a if x < a; 0 if x >= a.
pub fn punctuality_score(x: f64, a: f64) -> f64 {
    if x < a { (a - x) / a } else { 0.0 }
}

/// B41 (cap r) and B42 (cap M): 0 if x <= 0; x/cap if 0 < x < cap; 1 if x >= cap.
pub fn growth_score(x: f64, cap: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if x >= cap {
        1.0
    } else {
        x / cap
    }
}

fn float(d: Decimal) -> f64 {
    // Always `Some`: every Decimal is within f64 range.
    d.to_f64().unwrap_or(0.0)
}

/// `part / whole`, 0 when the whole is zero (the caller has checked part <= whole).
fn share(part: Decimal, whole: Decimal) -> f64 {
    if whole.is_zero() {
        0.0
    } else {
        float(part) / float(whole)
    }
}

impl IndicatorInputs {
    /// Rejects figures no meter or ledger can produce, naming the field.
    pub fn validate(&self) -> Result<(), ParseError> {
        let decimals = [
            ("consumption_kwh", self.consumption_kwh),
            ("company_supply_kwh", self.company_supply_kwh),
            ("transmission_fees", self.transmission_fees.yuan()),
            (
                "company_transmission_fees",
                self.company_transmission_fees.yuan(),
            ),
            ("average_load_kw", self.average_load_kw),
            ("max_load_kw", self.max_load_kw),
            ("paid_3y", self.paid_3y.yuan()),
            ("due_3y", self.due_3y.yuan()),
            ("late_fees_3y", self.late_fees_3y.yuan()),
            ("receivables_3y", self.receivables_3y.yuan()),
            ("last_year_kwh", self.last_year_kwh),
            ("year_before_kwh", self.year_before_kwh),
            ("same_period_last_year_kwh", self.same_period_last_year_kwh),
        ];
        for (field, v) in decimals {
            if v.is_sign_negative() && !v.is_zero() {
                return Err(ParseError::new(field, format!("{v} must not be negative")));
            }
        }
        if !(0.0..=1.0).contains(&self.power_factor) {
            return Err(ParseError::new(
                "power_factor",
                format!("{} is outside 0..=1", self.power_factor),
            ));
        }
        for (field, part, whole) in [
            (
                "consumption_kwh",
                self.consumption_kwh,
                self.company_supply_kwh,
            ),
            (
                "transmission_fees",
                self.transmission_fees.yuan(),
                self.company_transmission_fees.yuan(),
            ),
            ("average_load_kw", self.average_load_kw, self.max_load_kw),
        ] {
            if part > whole {
                return Err(ParseError::new(
                    field,
                    format!("{part} exceeds its total or maximum {whole}"),
                ));
            }
        }
        Ok(())
    }

    /// B11..B42 of this customer, each in 0..=1. Fails only on invalid figures.
    pub fn indicators(&self, p: &IndicatorParams) -> Result<PerIndicator<f64>, ParseError> {
        self.validate()?;
        let (paid, due) = (self.paid_3y.yuan(), self.due_3y.yuan());
        let (late, receivable) = (self.late_fees_3y.yuan(), self.receivables_3y.yuan());
        let b31 = if due.is_zero() {
            1.0
        } else {
            (float(paid) / float(due)).min(1.0)
        };
        let b32 = if !receivable.is_zero() {
            punctuality_score(float(late) / float(receivable), p.late_fee_ratio_cap)
        } else if late.is_zero() {
            1.0
        } else {
            0.0
        };
        let (last, before) = (self.last_year_kwh, self.year_before_kwh);
        let b41 = if !before.is_zero() {
            growth_score(float(last - before) / float(before), p.growth_rate_cap)
        } else if last.is_zero() {
            0.0
        } else {
            1.0
        };
        Ok(PerIndicator {
            b11: share(self.consumption_kwh, self.company_supply_kwh),
            b12: share(
                self.transmission_fees.yuan(),
                self.company_transmission_fees.yuan(),
            ),
            b21: share(self.average_load_kw, self.max_load_kw),
            b22: power_factor_score(self.power_factor, p.power_factor_low, p.power_factor_high),
            b31,
            b32,
            b41,
            b42: growth_score(
                float(self.consumption_kwh - self.same_period_last_year_kwh),
                p.growth_amount_cap_kwh,
            ),
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const EPS: f64 = 1e-9;

    pub(crate) fn yuan(y: i64) -> Money {
        Money::from_fen(y * 100)
    }

    /// A well-behaved customer: 10 % of supply and fees, load factor 0.6, power factor 0.9,
    /// everything paid on time, 10 % yearly growth and 20,000 kWh more than a year ago.
    pub(crate) fn inputs() -> IndicatorInputs {
        IndicatorInputs {
            consumption_kwh: Decimal::from(100_000),
            company_supply_kwh: Decimal::from(1_000_000),
            transmission_fees: yuan(5_000),
            company_transmission_fees: yuan(50_000),
            average_load_kw: Decimal::from(600),
            max_load_kw: Decimal::from(1_000),
            power_factor: 0.9,
            paid_3y: yuan(1_000),
            due_3y: yuan(1_000),
            late_fees_3y: yuan(0),
            receivables_3y: yuan(1_000),
            last_year_kwh: Decimal::from(1_100_000),
            year_before_kwh: Decimal::from(1_000_000),
            same_period_last_year_kwh: Decimal::from(80_000),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn power_factor_score_at_and_around_its_breakpoints() {
        let (p1, p2) = (0.80, 0.95);
        assert_eq!(power_factor_score(0.0, p1, p2), 0.0);
        assert_eq!(power_factor_score(p1 - EPS, p1, p2), 0.0);
        assert_eq!(power_factor_score(p1, p1, p2), 0.0);
        assert!(close(power_factor_score(p1 + EPS, p1, p2), EPS / 0.15));
        assert!(close(power_factor_score(0.875, p1, p2), 0.5));
        assert!(close(
            power_factor_score(p2 - EPS, p1, p2),
            1.0 - EPS / 0.15
        ));
        assert_eq!(power_factor_score(p2, p1, p2), 1.0);
        assert_eq!(power_factor_score(p2 + EPS, p1, p2), 1.0);
        assert_eq!(power_factor_score(1.0, p1, p2), 1.0);
    }

    #[test]
    fn punctuality_score_at_and_around_its_breakpoints() {
        let a = 0.5;
        assert_eq!(punctuality_score(0.0, a), 1.0);
        assert!(close(punctuality_score(EPS, a), 1.0 - 2.0 * EPS));
        assert!(close(punctuality_score(0.25, a), 0.5));
        assert!(close(punctuality_score(a - EPS, a), 2.0 * EPS));
        assert_eq!(punctuality_score(a, a), 0.0);
        assert_eq!(punctuality_score(a + EPS, a), 0.0);
        assert_eq!(punctuality_score(3.0, a), 0.0);
    }

    #[test]
    fn growth_score_at_and_around_its_breakpoints() {
        for cap in [0.3, 1_000_000.0] {
            let e = EPS * cap;
            assert_eq!(growth_score(-cap, cap), 0.0);
            assert_eq!(growth_score(-e, cap), 0.0);
            assert_eq!(growth_score(0.0, cap), 0.0);
            assert!(close(growth_score(e, cap), EPS));
            assert!(close(growth_score(cap / 2.0, cap), 0.5));
            assert!(close(growth_score(cap - e, cap), 1.0 - EPS));
            assert_eq!(growth_score(cap, cap), 1.0);
            assert_eq!(growth_score(cap + e, cap), 1.0);
        }
    }

    #[test]
    fn the_eight_indicators_of_an_ordinary_customer() {
        let b = inputs().indicators(&IndicatorParams::default()).unwrap();
        assert!(close(b.b11, 0.1));
        assert!(close(b.b12, 0.1));
        assert!(close(b.b21, 0.6));
        assert!(close(b.b22, 0.1 / 0.15));
        assert_eq!(b.b31, 1.0);
        assert_eq!(b.b32, 1.0);
        assert!(close(b.b41, 0.1 / 0.3));
        assert!(close(b.b42, 0.02));
    }

    #[test]
    fn zero_denominators_give_the_documented_values() {
        let p = IndicatorParams::default();
        let mut c = inputs();
        c.consumption_kwh = Decimal::ZERO;
        c.company_supply_kwh = Decimal::ZERO;
        c.transmission_fees = yuan(0);
        c.company_transmission_fees = yuan(0);
        c.average_load_kw = Decimal::ZERO;
        c.max_load_kw = Decimal::ZERO;
        c.paid_3y = yuan(0);
        c.due_3y = yuan(0);
        c.receivables_3y = yuan(0);
        c.year_before_kwh = Decimal::ZERO;
        let b = c.indicators(&p).unwrap();
        assert_eq!((b.b11, b.b12, b.b21), (0.0, 0.0, 0.0));
        assert_eq!(
            (b.b31, b.b32),
            (1.0, 1.0),
            "nothing due: recovered and punctual"
        );
        assert_eq!(b.b41, 1.0, "growth from nothing is full growth");
        assert_eq!(b.b42, 0.0, "nothing bought this period");

        c.late_fees_3y = yuan(10);
        c.last_year_kwh = Decimal::ZERO;
        let b = c.indicators(&p).unwrap();
        assert_eq!(
            b.b32, 0.0,
            "late fees without receivables count as the worst"
        );
        assert_eq!(b.b41, 0.0, "nothing bought in either year");
        for &i in super::super::Indicator::ALL {
            assert!(b.get(i).is_finite(), "{i}");
        }
    }

    #[test]
    fn overpayment_counts_as_full_recovery_and_decline_as_no_growth() {
        let mut c = inputs();
        c.paid_3y = yuan(1_200);
        c.last_year_kwh = Decimal::from(900_000);
        c.same_period_last_year_kwh = Decimal::from(120_000);
        let b = c.indicators(&IndicatorParams::default()).unwrap();
        assert_eq!(b.b31, 1.0);
        assert_eq!((b.b41, b.b42), (0.0, 0.0));
    }

    #[test]
    fn impossible_figures_are_rejected_naming_the_field() {
        let p = IndicatorParams::default();
        let mut c = inputs();
        c.power_factor = 1.2;
        assert_eq!(c.indicators(&p).unwrap_err().field, "power_factor");
        c.power_factor = f64::NAN;
        assert_eq!(c.indicators(&p).unwrap_err().field, "power_factor");
        let mut c = inputs();
        c.due_3y = yuan(-1);
        assert_eq!(c.indicators(&p).unwrap_err().field, "due_3y");
        let mut c = inputs();
        c.average_load_kw = Decimal::from(1_001);
        assert_eq!(c.indicators(&p).unwrap_err().field, "average_load_kw");
        let mut c = inputs();
        c.company_supply_kwh = Decimal::ZERO;
        assert_eq!(c.indicators(&p).unwrap_err().field, "consumption_kwh");
    }

    #[test]
    fn parameters_are_validated() {
        assert!(IndicatorParams::default().validate().is_ok());
        let bad = |f: fn(&mut IndicatorParams)| {
            let mut p = IndicatorParams::default();
            f(&mut p);
            p.validate().unwrap_err().field
        };
        assert_eq!(
            bad(|p| p.power_factor_low = 0.95),
            "indicators.power_factor_low"
        );
        assert_eq!(
            bad(|p| p.power_factor_high = 1.1),
            "indicators.power_factor_low"
        );
        assert_eq!(
            bad(|p| p.late_fee_ratio_cap = 0.0),
            "indicators.late_fee_ratio_cap"
        );
        assert_eq!(
            bad(|p| p.growth_rate_cap = f64::NAN),
            "indicators.growth_rate_cap"
        );
        assert_eq!(
            bad(|p| p.growth_amount_cap_kwh = -1.0),
            "indicators.growth_amount_cap_kwh"
        );
    }
}
