//! Orderly power use (有序用电, D3 kind 2, D9): when supply is short, a plan that takes a reduction
//! target off the load in a time window, measure by measure — shift peak (错峰), then avoid peak
//! (避峰), then limit load (限电), and only last disconnect lines (拉路) — following the
//! government-approved load-limiting sequence (限电序位) and never touching an important customer's
//! security load (保安负荷). Also D9's peak-shifting ability: how closely a customer's daily load
//! curve follows the system's.
//!
//! Loads are kW in `Decimal`, so the plan adds and compares them exactly; the target comes in MW,
//! as dispatch states it.

use crate::customer::ImportantGrade;
use crate::values::CustomerNo;
use jiff::{SignedDuration, Timestamp};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

code_enum! {
    /// The measures of orderly power use, in the order they are used: seed 000 "首先错峰、后避峰、
    /// 再限电,最后拉路". Declaration order is that order (`Ord` follows it).
    Measure, "measure" {
        ShiftPeak = "shift_peak", "错峰", "Shift peak";
        AvoidPeak = "avoid_peak", "避峰", "Avoid peak";
        LimitLoad = "limit_load", "限电", "Limit load";
        Disconnect = "disconnect", "拉路", "Disconnect lines";
    }
}

impl Measure {
    /// Whether a step of this measure may take less than the customer's whole offer. Only a load
    /// limit can be set to any value (the load-control set point). A shift (错峰轮休, a rotated rest
    /// day) and an avoidance (stopping agreed equipment at the peak) are arrangements the customer
    /// keeps whole, and a line is either open or closed.
    pub fn allows_partial(self) -> bool {
        self == Measure::LimitLoad
    }

    /// Whether candidates of one sequence position are ordered by their peak-shifting ability:
    /// seed 000 assesses "避峰及错峰用电能力" — the closer a customer's curve to the system's,
    /// the more moving its load lowers the system peak. Limiting and disconnecting take kW, so the
    /// curve's shape does not matter for them.
    pub fn ranks_by_correlation(self) -> bool {
        matches!(self, Measure::ShiftPeak | Measure::AvoidPeak)
    }
}

/// The time window the reduction is needed in (the peak hours of the shortage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Window {
    pub fn duration(&self) -> SignedDuration {
        self.end.duration_since(self.start)
    }
}

/// One customer the plan may reduce, with what it can give in the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub customer_no: CustomerNo,
    pub important_grade: ImportantGrade,
    /// Position in the government-approved load-limiting sequence (限电序位): lower is reduced
    /// earlier. A position is usually a batch shared by many customers. `None`: not placed in the
    /// sequence (see [`OrderlyPolicy::shed_unsequenced`]).
    pub sequence: Option<u32>,
    /// Load expected in the window without any measure, kW.
    pub expected_load_kw: Decimal,
    /// Security load (保安负荷), kW: what must keep running for safety. An important customer is
    /// never reduced below it.
    pub security_load_kw: Decimal,
    /// kW the customer has agreed to shift out of the window (错峰); 0 if none.
    pub shift_peak_kw: Decimal,
    /// kW the customer has agreed to stop at the peak (避峰); 0 if none.
    pub avoid_peak_kw: Decimal,
    /// kW its load may be limited by (限电); 0 if none.
    pub limit_kw: Decimal,
    /// Whether its line is in the disconnect sequence (拉路). Disconnecting takes all of its
    /// remaining load, an important customer's down to its security load (kept by its protected
    /// circuit or own emergency source).
    pub can_disconnect: bool,
    /// Peak-shifting ability, see [`peak_shift_ability`]; `None` when unknown.
    pub peak_correlation: Option<f64>,
}

impl Candidate {
    fn is_important(&self) -> bool {
        self.important_grade != ImportantGrade::None
    }

    /// The load no measure goes below. A non-important customer's security load is its own
    /// business: disconnecting its line takes it to zero.
    fn floor_kw(&self) -> Decimal {
        if self.is_important() {
            self.security_load_kw
        } else {
            Decimal::ZERO
        }
    }

    /// What a measure can take at most from a customer with `remaining` kW still on.
    fn offer(&self, m: Measure, remaining: Decimal) -> Decimal {
        let room = (remaining - self.floor_kw()).max(Decimal::ZERO);
        let cap = match m {
            Measure::ShiftPeak => self.shift_peak_kw,
            Measure::AvoidPeak => self.avoid_peak_kw,
            Measure::LimitLoad => self.limit_kw,
            Measure::Disconnect if self.can_disconnect => room,
            Measure::Disconnect => Decimal::ZERO,
        };
        cap.min(room)
    }
}

/// Choices the seeds leave open (configurable per company).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrderlyPolicy {
    /// Whether customers without a sequence position may be reduced, after everyone with one.
    /// The seeds only say the sequence is followed (seed 000, 十承诺 6: "供电不足,不能保证连续
    /// 供电~限电序位"); reducing an unplaced customer before a placed one would break it, leaving
    /// them out altogether would waste offers they made. Default true.
    pub shed_unsequenced: bool,
}

impl Default for OrderlyPolicy {
    fn default() -> Self {
        Self {
            shed_unsequenced: true,
        }
    }
}

/// Input the plan cannot be made from. [`OrderlyError::field`] names the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OrderlyError {
    #[error("target_mw must be positive, not {0}")]
    Target(Decimal),
    #[error("window.end ({end}) must be after window.start ({start})")]
    Window { start: Timestamp, end: Timestamp },
    #[error("customer {customer}: {field} must not be negative, not {value}")]
    Negative {
        customer: CustomerNo,
        field: &'static str,
        value: Decimal,
    },
    #[error("customer {customer}: {field} ({value}) exceeds expected_load_kw ({load})")]
    AboveLoad {
        customer: CustomerNo,
        field: &'static str,
        value: Decimal,
        load: Decimal,
    },
    #[error("customer {customer}: peak_correlation must be from -1 to 1, not {value}")]
    Correlation { customer: CustomerNo, value: f64 },
    #[error("customer {0} is listed more than once")]
    Duplicate(CustomerNo),
}

impl OrderlyError {
    /// The input field at fault, for the HTTP layer and importers.
    pub fn field(&self) -> &'static str {
        match self {
            OrderlyError::Target(_) => "target_mw",
            OrderlyError::Window { .. } => "window.end",
            OrderlyError::Negative { field, .. } | OrderlyError::AboveLoad { field, .. } => field,
            OrderlyError::Correlation { .. } => "peak_correlation",
            OrderlyError::Duplicate(_) => "customer_no",
        }
    }
}

/// One reduction of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanStep {
    pub customer_no: CustomerNo,
    pub measure: Measure,
    pub reduction_kw: Decimal,
    /// The customer's load left after this step (and its earlier ones), kW.
    pub remaining_kw: Decimal,
    /// Less than the customer's whole offer: the last step, cut to what the target still needed.
    pub partial: bool,
}

/// An orderly-power-use plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub target_kw: Decimal,
    pub window: Window,
    /// In the order they were chosen: by measure, then by sequence.
    pub steps: Vec<PlanStep>,
    /// Expected reduction of all steps, kW. May exceed the target by the last whole step.
    pub total_kw: Decimal,
    /// What is still missing when every offer is used and the target is not met.
    pub shortfall_kw: Option<Decimal>,
    /// Reduction per measure, every measure present (0 when unused).
    pub subtotals_kw: BTreeMap<Measure, Decimal>,
}

impl Plan {
    pub fn meets_target(&self) -> bool {
        self.shortfall_kw.is_none()
    }

    /// The customers to notify (D9), each once, in the order of their first step.
    pub fn customers(&self) -> Vec<&CustomerNo> {
        let mut seen = BTreeSet::new();
        self.steps
            .iter()
            .map(|s| &s.customer_no)
            .filter(|c| seen.insert(*c))
            .collect()
    }
}

fn check(
    target_mw: Decimal,
    window: &Window,
    candidates: &[Candidate],
) -> Result<(), OrderlyError> {
    if target_mw <= Decimal::ZERO {
        return Err(OrderlyError::Target(target_mw));
    }
    if window.end <= window.start {
        return Err(OrderlyError::Window {
            start: window.start,
            end: window.end,
        });
    }
    let mut seen = BTreeSet::new();
    for c in candidates {
        if !seen.insert(&c.customer_no) {
            return Err(OrderlyError::Duplicate(c.customer_no.clone()));
        }
        check_amounts(
            &c.customer_no,
            c.expected_load_kw,
            offers(
                c.security_load_kw,
                c.shift_peak_kw,
                c.avoid_peak_kw,
                c.limit_kw,
            ),
        )?;
        if let Some(r) = c.peak_correlation
            && !(-1.0..=1.0).contains(&r)
        {
            return Err(OrderlyError::Correlation {
                customer: c.customer_no.clone(),
                value: r,
            });
        }
    }
    Ok(())
}

/// The amounts [`check_amounts`] holds against the load, named as the input fields.
fn offers(
    security: Decimal,
    shift: Decimal,
    avoid: Decimal,
    limit: Decimal,
) -> [(&'static str, Decimal); 4] {
    [
        ("security_load_kw", security),
        ("shift_peak_kw", shift),
        ("avoid_peak_kw", avoid),
        ("limit_kw", limit),
    ]
}

/// A customer's load and offers: none negative, and no offer above the load itself. An
/// important customer's offer that reaches into its security load is no error: the plan just
/// stops at the security load.
fn check_amounts(
    customer: &CustomerNo,
    load: Decimal,
    offers: [(&'static str, Decimal); 4],
) -> Result<(), OrderlyError> {
    let negative = std::iter::once(("expected_load_kw", load))
        .chain(offers)
        .find(|(_, v)| *v < Decimal::ZERO);
    if let Some((field, value)) = negative {
        return Err(OrderlyError::Negative {
            customer: customer.clone(),
            field,
            value,
        });
    }
    if let Some((field, value)) = offers.into_iter().find(|(_, v)| *v > load) {
        return Err(OrderlyError::AboveLoad {
            customer: customer.clone(),
            field,
            value,
            load,
        });
    }
    Ok(())
}

/// One row of the company's load-limiting sequence (限电序位表: the customer list of its
/// orderly-power-use scheme, 有序用电方案, approved by the government each year): where the
/// customer stands in the sequence and what it has agreed to give. The stored form of a
/// [`Candidate`]; the customer's importance comes from the archive and its peak-shifting
/// ability from its load curves when a plan is made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceEntry {
    pub customer_no: CustomerNo,
    /// Position (批次) in the sequence: lower is reduced earlier.
    pub sequence: u32,
    pub expected_load_kw: Decimal,
    pub security_load_kw: Decimal,
    pub shift_peak_kw: Decimal,
    pub avoid_peak_kw: Decimal,
    pub limit_kw: Decimal,
    pub can_disconnect: bool,
}

impl SequenceEntry {
    /// The same checks a plan makes of a candidate's amounts.
    pub fn validate(&self) -> Result<(), OrderlyError> {
        check_amounts(
            &self.customer_no,
            self.expected_load_kw,
            offers(
                self.security_load_kw,
                self.shift_peak_kw,
                self.avoid_peak_kw,
                self.limit_kw,
            ),
        )
    }

    pub fn candidate(
        &self,
        important_grade: ImportantGrade,
        peak_correlation: Option<f64>,
    ) -> Candidate {
        Candidate {
            customer_no: self.customer_no.clone(),
            important_grade,
            sequence: Some(self.sequence),
            expected_load_kw: self.expected_load_kw,
            security_load_kw: self.security_load_kw,
            shift_peak_kw: self.shift_peak_kw,
            avoid_peak_kw: self.avoid_peak_kw,
            limit_kw: self.limit_kw,
            can_disconnect: self.can_disconnect,
            peak_correlation,
        }
    }
}

/// A whole sequence as it is replaced: every row valid, each customer once. The error of the
/// first bad row, with its index.
pub fn check_sequence(entries: &[SequenceEntry]) -> Result<(), (usize, OrderlyError)> {
    let mut seen = BTreeSet::new();
    for (i, e) in entries.iter().enumerate() {
        if !seen.insert(&e.customer_no) {
            return Err((i, OrderlyError::Duplicate(e.customer_no.clone())));
        }
        e.validate().map_err(|err| (i, err))?;
    }
    Ok(())
}

/// The order candidates are taken in within measure `m` (see [`plan`]); ties on everything
/// else fall to the customer number so the plan is reproducible.
fn ranking(candidates: &[Candidate], m: Measure, policy: &OrderlyPolicy) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..candidates.len())
        .filter(|&i| policy.shed_unsequenced || candidates[i].sequence.is_some())
        .collect();
    idx.sort_by(|&a, &b| {
        let (x, y) = (&candidates[a], &candidates[b]);
        x.is_important()
            .cmp(&y.is_important())
            .then_with(|| match (x.sequence, y.sequence) {
                (Some(p), Some(q)) => p.cmp(&q),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            })
            .then_with(|| {
                if !m.ranks_by_correlation() {
                    return Ordering::Equal;
                }
                match (x.peak_correlation, y.peak_correlation) {
                    (Some(p), Some(q)) => q.total_cmp(&p),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => Ordering::Equal,
                }
            })
            .then_with(|| x.customer_no.cmp(&y.customer_no))
    });
    idx
}

/// The plan that takes `target_mw` off the load in `window`.
///
/// Every offer of a measure is used before the next measure is touched. Within a measure the
/// non-important customers go first (important ones are shed last, D3.2), then by sequence
/// position (the unplaced after the placed), then — for shift and avoid peak — by peak-shifting
/// ability, then by customer number. The plan stops as soon as the target is met; the step that
/// meets it is cut to what was still needed only for a load limit ([`Measure::allows_partial`]),
/// so a whole shift, avoidance or disconnection may take the total past the target. A customer
/// is never reduced below zero, nor an important one below its security load. When all offers
/// together fall short, the plan holds them all and reports the shortfall.
pub fn plan(
    target_mw: Decimal,
    window: Window,
    candidates: &[Candidate],
    policy: &OrderlyPolicy,
) -> Result<Plan, OrderlyError> {
    check(target_mw, &window, candidates)?;
    let target_kw = (target_mw * Decimal::ONE_THOUSAND).normalize();
    let mut remaining: Vec<Decimal> = candidates.iter().map(|c| c.expected_load_kw).collect();
    let mut subtotals_kw: BTreeMap<Measure, Decimal> =
        Measure::ALL.iter().map(|m| (*m, Decimal::ZERO)).collect();
    let mut total_kw = Decimal::ZERO;
    let mut steps = Vec::new();
    'measures: for &m in Measure::ALL {
        for i in ranking(candidates, m, policy) {
            if total_kw >= target_kw {
                break 'measures;
            }
            let c = &candidates[i];
            let whole = c.offer(m, remaining[i]);
            if whole <= Decimal::ZERO {
                continue;
            }
            let needed = target_kw - total_kw;
            let partial = m.allows_partial() && whole > needed;
            let take = if partial { needed } else { whole };
            remaining[i] -= take;
            total_kw += take;
            *subtotals_kw.entry(m).or_default() += take;
            steps.push(PlanStep {
                customer_no: c.customer_no.clone(),
                measure: m,
                reduction_kw: take,
                remaining_kw: remaining[i],
                partial,
            });
        }
    }
    let shortfall_kw = (total_kw < target_kw).then(|| target_kw - total_kw);
    Ok(Plan {
        target_kw,
        window,
        steps,
        total_kw,
        shortfall_kw,
        subtotals_kw,
    })
}

/// Points of a daily load curve: one every 15 minutes.
pub const CURVE_POINTS: usize = 96;

/// A customer's peak-shifting ability (D9, seed 000 "如果电力用户的一般负荷曲线越类似全网用电
/// 负荷曲线…引导该用户避峰、错峰用电,可降低整个电网的用电高峰"): the Pearson correlation of its
/// typical 96-point daily curve with the system's, from -1 to 1. `None` when a curve does not
/// have 96 points, holds a non-finite value, or is flat (no peak to move).
///
/// [`plan`] uses it to order shift- and avoid-peak offers within one sequence position: the
/// government's sequence comes first, the ability decides among the customers it puts together.
pub fn peak_shift_ability(customer: &[f64], system: &[f64]) -> Option<f64> {
    if customer.len() != CURVE_POINTS || system.len() != CURVE_POINTS {
        return None;
    }
    pearson(customer, system)
}

/// Pearson's correlation coefficient of two equally long series; `None` for fewer than two
/// points, different lengths, non-finite values or a constant series.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 || !x.iter().chain(y).all(|v| v.is_finite()) {
        return None;
    }
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    // Rounding can push a perfect correlation a hair past 1.
    Some((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kw(v: i64) -> Decimal {
        Decimal::from(v)
    }
    fn mw(thousandths: i64) -> Decimal {
        Decimal::new(thousandths, 3)
    }
    fn no(n: u32) -> CustomerNo {
        CustomerNo::parse(&format!("{n:010}")).unwrap()
    }
    fn window() -> Window {
        let start = Timestamp::from_second(1_800_000_000).unwrap();
        Window {
            start,
            end: start + SignedDuration::from_hours(3),
        }
    }
    fn cand(n: u32, sequence: Option<u32>, load: i64) -> Candidate {
        Candidate {
            customer_no: no(n),
            important_grade: ImportantGrade::None,
            sequence,
            expected_load_kw: kw(load),
            security_load_kw: Decimal::ZERO,
            shift_peak_kw: Decimal::ZERO,
            avoid_peak_kw: Decimal::ZERO,
            limit_kw: Decimal::ZERO,
            can_disconnect: false,
            peak_correlation: None,
        }
    }
    /// C1 (sequence 1, 500 kW): shift 200, limit 300.
    /// C2 (sequence 2, 800 kW): shift 300, avoid 100, disconnectable.
    /// C3 (no sequence, 400 kW): limit 200, disconnectable.
    /// H  (grade 1 important, sequence 1, 600 kW, security 200): shift 100, limit 500,
    ///    disconnectable.
    fn four() -> Vec<Candidate> {
        let mut c1 = cand(1, Some(1), 500);
        c1.shift_peak_kw = kw(200);
        c1.limit_kw = kw(300);
        let mut c2 = cand(2, Some(2), 800);
        c2.shift_peak_kw = kw(300);
        c2.avoid_peak_kw = kw(100);
        c2.can_disconnect = true;
        let mut c3 = cand(3, None, 400);
        c3.limit_kw = kw(200);
        c3.can_disconnect = true;
        let mut h = cand(9, Some(1), 600);
        h.important_grade = ImportantGrade::Grade1;
        h.security_load_kw = kw(200);
        h.shift_peak_kw = kw(100);
        h.limit_kw = kw(500);
        h.can_disconnect = true;
        // Listed out of order on purpose: the plan ranks them.
        vec![h, c3, c2, c1]
    }
    fn steps(p: &Plan) -> Vec<(u32, Measure, i64, i64, bool)> {
        use rust_decimal::prelude::ToPrimitive;
        p.steps
            .iter()
            .map(|s| {
                (
                    s.customer_no.as_str().parse().unwrap(),
                    s.measure,
                    s.reduction_kw.to_i64().unwrap(),
                    s.remaining_kw.to_i64().unwrap(),
                    s.partial,
                )
            })
            .collect()
    }
    fn run(target: Decimal, cs: &[Candidate]) -> Plan {
        plan(target, window(), cs, &OrderlyPolicy::default()).unwrap()
    }

    #[test]
    fn a_hand_checked_plan_ends_on_a_partial_limit() {
        use Measure::*;
        // 950 kW: shift C1 200, C2 300, then the important H 100 (600); avoid C2 100 (700);
        // limit C1 takes the missing 250 of its 300.
        let p = run(mw(950), &four());
        assert_eq!(
            steps(&p),
            [
                (1, ShiftPeak, 200, 300, false),
                (2, ShiftPeak, 300, 500, false),
                (9, ShiftPeak, 100, 500, false),
                (2, AvoidPeak, 100, 400, false),
                (1, LimitLoad, 250, 50, true),
            ]
        );
        assert_eq!(
            (p.target_kw, p.total_kw, p.shortfall_kw),
            (kw(950), kw(950), None)
        );
        assert_eq!(p.subtotals_kw[&ShiftPeak], kw(600));
        assert_eq!(p.subtotals_kw[&AvoidPeak], kw(100));
        assert_eq!(p.subtotals_kw[&LimitLoad], kw(250));
        assert_eq!(p.subtotals_kw[&Disconnect], kw(0));
        assert_eq!(p.customers(), [&no(1), &no(2), &no(9)]);
    }

    #[test]
    fn a_disconnection_is_whole_and_keeps_the_security_load() {
        use Measure::*;
        // 1.6 MW: the limits give C1 300, C3 (unplaced, after the placed) 200 and H only 300 of
        // its 500, down to its 200 kW security load: 1,500. Then disconnect: C1 has nothing
        // left, C2 goes out whole (400), overshooting to 1,900.
        let p = run(mw(1600), &four());
        assert_eq!(
            steps(&p)[4..],
            [
                (1, LimitLoad, 300, 0, false),
                (3, LimitLoad, 200, 200, false),
                (9, LimitLoad, 300, 200, false),
                (2, Disconnect, 400, 0, false),
            ]
        );
        assert_eq!((p.total_kw, p.shortfall_kw), (kw(1900), None));
        assert!(p.meets_target());
    }

    #[test]
    fn an_exact_target_stops_without_a_partial_step() {
        // 1.5 MW is exactly shift 600 + avoid 100 + limit 800.
        let p = run(mw(1500), &four());
        assert_eq!(p.total_kw, kw(1500));
        assert!(p.steps.iter().all(|s| !s.partial));
        assert_eq!(p.steps.last().unwrap().measure, Measure::LimitLoad);
        // Exactly the first step's worth: one step.
        assert_eq!(run(mw(200), &four()).steps.len(), 1);
    }

    #[test]
    fn an_unreachable_target_uses_everything_and_reports_the_shortfall() {
        // Disconnecting C2 (400) and C3 (200) after all limits: 2,100 of 5,000 kW; H stays at
        // its security load.
        let p = run(mw(5000), &four());
        assert_eq!(p.total_kw, kw(2100));
        assert_eq!(p.shortfall_kw, Some(kw(2900)));
        assert!(!p.meets_target());
        let last: Vec<_> = steps(&p).into_iter().filter(|s| s.0 == 9).collect();
        assert_eq!(last.last().unwrap().3, 200);
        assert_eq!(p.subtotals_kw[&Measure::Disconnect], kw(600));
        // Nobody to ask.
        let none = run(mw(1), &[]);
        assert!(none.steps.is_empty());
        assert_eq!((none.total_kw, none.shortfall_kw), (kw(0), Some(kw(1))));
    }

    #[test]
    fn unsequenced_customers_may_be_left_out() {
        let policy = OrderlyPolicy {
            shed_unsequenced: false,
        };
        let p = plan(mw(5000), window(), &four(), &policy).unwrap();
        assert!(p.steps.iter().all(|s| s.customer_no != no(3)));
        assert_eq!(p.total_kw, kw(1700));
        let parsed: OrderlyPolicy = serde_json::from_str("{}").unwrap();
        assert_eq!(parsed, OrderlyPolicy::default());
        assert!(serde_json::from_str::<OrderlyPolicy>(r#"{"shed_last": true}"#).is_err());
    }

    #[test]
    fn shift_offers_of_one_position_go_by_peak_shifting_ability() {
        let mut a = cand(1, Some(1), 100);
        let mut b = cand(2, Some(1), 100);
        let mut c = cand(3, Some(1), 100);
        let mut d = cand(4, Some(0), 100);
        for (x, r) in [
            (&mut a, Some(0.2)),
            (&mut b, Some(0.9)),
            (&mut c, None),
            (&mut d, Some(-0.5)),
        ] {
            x.shift_peak_kw = kw(50);
            x.limit_kw = kw(50);
            x.peak_correlation = r;
        }
        let order = |m: Measure, p: &Plan| -> Vec<u32> {
            p.steps
                .iter()
                .filter(|s| s.measure == m)
                .map(|s| s.customer_no.as_str().parse().unwrap())
                .collect()
        };
        let p = run(mw(1000), &[a, b, c, d]);
        // The sequence first (d at position 0), then ability within position 1, unknown last.
        assert_eq!(order(Measure::ShiftPeak, &p), [4, 2, 1, 3]);
        // Limiting ignores the curve.
        assert_eq!(order(Measure::LimitLoad, &p), [4, 1, 2, 3]);
    }

    #[test]
    fn bad_input_is_rejected_naming_the_field() {
        let w = window();
        let ok = four();
        let err = |target: Decimal, w: Window, cs: &[Candidate]| {
            plan(target, w, cs, &OrderlyPolicy::default()).unwrap_err()
        };
        assert_eq!(err(mw(0), w, &ok).field(), "target_mw");
        assert_eq!(err(mw(-5), w, &ok).field(), "target_mw");
        let empty = Window {
            start: w.start,
            end: w.start,
        };
        let e = err(mw(1), empty, &ok);
        assert_eq!(e.field(), "window.end");
        assert!(e.to_string().contains("must be after window.start"), "{e}");
        let backwards = Window {
            start: w.end,
            end: w.start,
        };
        assert_eq!(err(mw(1), backwards, &ok).field(), "window.end");

        let mut bad = ok.clone();
        bad[1].expected_load_kw = kw(-1);
        let e = err(mw(1), w, &bad);
        assert_eq!(e.field(), "expected_load_kw");
        assert_eq!(
            e.to_string(),
            "customer 0000000003: expected_load_kw must not be negative, not -1"
        );
        let mut bad = ok.clone();
        bad[0].limit_kw = kw(-3);
        assert_eq!(err(mw(1), w, &bad).field(), "limit_kw");
        let mut bad = ok.clone();
        bad[0].security_load_kw = kw(601);
        let e = err(mw(1), w, &bad);
        assert_eq!(e.field(), "security_load_kw");
        assert_eq!(
            e.to_string(),
            "customer 0000000009: security_load_kw (601) exceeds expected_load_kw (600)"
        );
        let mut bad = ok.clone();
        bad[2].shift_peak_kw = kw(801);
        assert_eq!(err(mw(1), w, &bad).field(), "shift_peak_kw");
        let mut bad = ok.clone();
        bad[2].peak_correlation = Some(f64::NAN);
        assert_eq!(err(mw(1), w, &bad).field(), "peak_correlation");
        let mut bad = ok.clone();
        bad.push(ok[0].clone());
        assert_eq!(err(mw(1), w, &bad), OrderlyError::Duplicate(no(9)));
    }

    #[test]
    fn a_sequence_entry_is_checked_like_a_candidate_and_becomes_one() {
        let e = SequenceEntry {
            customer_no: no(5),
            sequence: 3,
            expected_load_kw: kw(900),
            security_load_kw: kw(200),
            shift_peak_kw: kw(100),
            avoid_peak_kw: kw(50),
            limit_kw: kw(300),
            can_disconnect: true,
        };
        assert_eq!(e.validate(), Ok(()));
        let c = e.candidate(ImportantGrade::Grade2, Some(0.5));
        assert_eq!(
            (
                c.sequence,
                c.important_grade,
                c.peak_correlation,
                c.limit_kw
            ),
            (Some(3), ImportantGrade::Grade2, Some(0.5), kw(300))
        );
        let mut bad = e.clone();
        bad.avoid_peak_kw = kw(901);
        assert_eq!(bad.validate().unwrap_err().field(), "avoid_peak_kw");
        let mut bad = e.clone();
        bad.customer_no = no(6);
        bad.expected_load_kw = kw(-1);
        assert_eq!(bad.validate().unwrap_err().field(), "expected_load_kw");
        assert_eq!(check_sequence(std::slice::from_ref(&e)), Ok(()));
        let (i, err) = check_sequence(&[e.clone(), bad]).unwrap_err();
        assert_eq!((i, err.field()), (1, "expected_load_kw"));
        let (i, err) = check_sequence(&[e.clone(), e]).unwrap_err();
        assert_eq!((i, err), (1, OrderlyError::Duplicate(no(5))));
    }

    #[test]
    fn pearson_on_worked_examples() {
        // x = 1,2,3; y = 1,3,2: cov 1, variances 2 and 2: r = 0.5.
        assert!((pearson(&[1.0, 2.0, 3.0], &[1.0, 3.0, 2.0]).unwrap() - 0.5).abs() < 1e-12);
        let system: Vec<f64> = (0..CURVE_POINTS)
            .map(|i| 500.0 + 300.0 * (i as f64 * std::f64::consts::PI / 48.0).sin())
            .collect();
        let same_shape: Vec<f64> = system.iter().map(|v| 0.01 * v + 7.0).collect();
        let mirrored: Vec<f64> = system.iter().map(|v| 1000.0 - v).collect();
        assert!((peak_shift_ability(&same_shape, &system).unwrap() - 1.0).abs() < 1e-12);
        assert!((peak_shift_ability(&mirrored, &system).unwrap() + 1.0).abs() < 1e-12);
        assert_eq!(
            peak_shift_ability(&[1.0; CURVE_POINTS], &system),
            None,
            "flat"
        );
        assert_eq!(
            peak_shift_ability(&system[..95], &system[..95]),
            None,
            "95 points"
        );
        let mut gap = system.clone();
        gap[10] = f64::NAN;
        assert_eq!(peak_shift_ability(&gap, &system), None);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn any_candidate(n: u32) -> impl Strategy<Value = Candidate> {
            (
                proptest::sample::select(ImportantGrade::ALL.to_vec()),
                proptest::option::of(0u32..4),
                0i64..10_000,
                (0u32..=100, 0u32..=100, 0u32..=100, 0u32..=100),
                any::<bool>(),
                proptest::option::of(-1.0f64..=1.0),
            )
                .prop_map(
                    move |(grade, sequence, tenths, (sec, sh, av, li), can_disconnect, r)| {
                        let load = Decimal::new(tenths, 1);
                        let share =
                            |pct: u32| (load * Decimal::from(pct) / Decimal::from(100)).round_dp(1);
                        Candidate {
                            customer_no: no(n),
                            important_grade: grade,
                            sequence,
                            expected_load_kw: load,
                            security_load_kw: share(sec),
                            shift_peak_kw: share(sh),
                            avoid_peak_kw: share(av),
                            limit_kw: share(li),
                            can_disconnect,
                            peak_correlation: r,
                        }
                    },
                )
        }

        fn any_candidates() -> impl Strategy<Value = Vec<Candidate>> {
            (0usize..10).prop_flat_map(|n| (0..n as u32).map(any_candidate).collect::<Vec<_>>())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn the_plan_keeps_security_load_order_and_the_books(
                cs in any_candidates(),
                target in 1i64..6_000_000,
            ) {
                let target_mw = Decimal::new(target, 6);
                let p = plan(target_mw, window(), &cs, &OrderlyPolicy::default()).unwrap();
                let by_no: BTreeMap<&CustomerNo, &Candidate> =
                    cs.iter().map(|c| (&c.customer_no, c)).collect();
                let mut taken: BTreeMap<(&CustomerNo, Measure), Decimal> = BTreeMap::new();
                let mut left: BTreeMap<&CustomerNo, Decimal> =
                    cs.iter().map(|c| (&c.customer_no, c.expected_load_kw)).collect();

                // Every step: positive, remaining consistent, never below the floor.
                for s in &p.steps {
                    let c = by_no[&s.customer_no];
                    prop_assert!(s.reduction_kw > Decimal::ZERO, "{s:?}");
                    let l = left.get_mut(&s.customer_no).unwrap();
                    *l -= s.reduction_kw;
                    prop_assert_eq!(*l, s.remaining_kw);
                    prop_assert!(s.remaining_kw >= Decimal::ZERO);
                    if c.important_grade != ImportantGrade::None {
                        prop_assert!(
                            s.remaining_kw >= c.security_load_kw,
                            "important {} below its security load: {s:?}", c.customer_no
                        );
                    }
                    *taken.entry((&s.customer_no, s.measure)).or_default() += s.reduction_kw;
                }

                // The books: total, subtotals, shortfall.
                let sum: Decimal = p.steps.iter().map(|s| s.reduction_kw).sum();
                prop_assert_eq!(sum, p.total_kw);
                prop_assert_eq!(p.subtotals_kw.values().copied().sum::<Decimal>(), p.total_kw);
                prop_assert_eq!(p.subtotals_kw.len(), Measure::ALL.len());
                match p.shortfall_kw {
                    None => prop_assert!(p.total_kw >= p.target_kw),
                    Some(d) => {
                        prop_assert!(p.total_kw < p.target_kw);
                        prop_assert_eq!(d, p.target_kw - p.total_kw);
                    }
                }

                // Measures in order; within one, the non-important first.
                for w in p.steps.windows(2) {
                    prop_assert!(w[0].measure <= w[1].measure, "{:?} after {:?}", w[1], w[0]);
                    if w[0].measure == w[1].measure {
                        let imp = |s: &PlanStep| by_no[&s.customer_no].important_grade != ImportantGrade::None;
                        prop_assert!(!imp(&w[0]) || imp(&w[1]), "{:?} after important {:?}", w[1], w[0]);
                    }
                }

                // A partial step is a limit, the last step, and meets the target exactly.
                for (i, s) in p.steps.iter().enumerate() {
                    if s.partial {
                        prop_assert_eq!(s.measure, Measure::LimitLoad);
                        prop_assert_eq!(i, p.steps.len() - 1);
                        prop_assert_eq!(p.total_kw, p.target_kw);
                    }
                }
                // It stops as soon as the target is met.
                if let Some(last) = p.steps.last() {
                    prop_assert!(p.total_kw - last.reduction_kw < p.target_kw);
                }

                // No measure before the previous one is exhausted: every measure before the
                // last one used (all of them when short) took each customer's whole offer.
                let exhausted: Vec<Measure> = match (p.shortfall_kw, p.steps.last()) {
                    (Some(_), _) => Measure::ALL.to_vec(),
                    (None, Some(last)) => Measure::ALL.iter().copied().filter(|m| *m < last.measure).collect(),
                    (None, None) => Vec::new(),
                };
                for c in &cs {
                    let mut rem = c.expected_load_kw;
                    for &m in Measure::ALL {
                        let got = taken.get(&(&c.customer_no, m)).copied().unwrap_or_default();
                        if exhausted.contains(&m) {
                            let floor = if c.important_grade == ImportantGrade::None {
                                Decimal::ZERO
                            } else {
                                c.security_load_kw
                            };
                            let room = (rem - floor).max(Decimal::ZERO);
                            let offer = match m {
                                Measure::ShiftPeak => c.shift_peak_kw.min(room),
                                Measure::AvoidPeak => c.avoid_peak_kw.min(room),
                                Measure::LimitLoad => c.limit_kw.min(room),
                                Measure::Disconnect if c.can_disconnect => room,
                                Measure::Disconnect => Decimal::ZERO,
                            };
                            prop_assert_eq!(got, offer, "{} {} not exhausted", c.customer_no, m);
                        }
                        rem -= got;
                    }
                }
            }
        }
    }
}
