//! The other gradings of D4.5: the ABC pyramid by purchase amount, the three-dimension grade
//! (价值导向分级: contribution, compliance, cooperation), the textbook customer value, and how
//! customers move between grades from one period to the next.
//!
//! Ranked shares ("top 1 %", "next 4 %", ...) are applied by the share of the population ranked
//! strictly above a customer: it falls in the first class whose cumulative share exceeds that.
//! Hence equal amounts always share a class (a tie may make a class larger than its share), and
//! the top customer is always in the top class however small the population (ten customers give
//! one A, no B, one C, eight D). A class with share 0 is empty.

use super::PerIndicator;
use crate::ParseError;
use crate::values::Money;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;

code_enum! {
    /// The ABC pyramid by purchase amount.
    AbcClass, "abc_class" {
        A = "A", "A类(VIP)", "A (VIP)";
        B = "B", "B类", "B";
        C = "C", "C类", "C";
        D = "D", "D类", "D";
    }
}

code_enum! {
    /// The three-dimension grade (价值导向分级).
    ThreeDimGrade, "grade" {
        Special = "special", "特级", "Special";
        Grade1 = "grade1", "一级", "Grade 1";
        Grade2 = "grade2", "二级", "Grade 2";
        Grade3 = "grade3", "三级", "Grade 3";
    }
}

/// Slack for cumulative shares that are not exact in binary (0.01 + 0.04).
const SHARE_TOLERANCE: f64 = 1e-9;

/// Checks that shares are proportions whose total leaves room for the last class.
fn check_shares(shares: &[(&'static str, f64)]) -> Result<(), ParseError> {
    for &(field, s) in shares {
        if !(0.0..=1.0).contains(&s) {
            return Err(ParseError::new(
                field,
                format!("{s} is not a share in 0..=1"),
            ));
        }
    }
    let total: f64 = shares.iter().map(|s| s.1).sum();
    if total > 1.0 + SHARE_TOLERANCE {
        return Err(ParseError::new(
            shares[0].0,
            format!("the shares add up to {total}, more than 1"),
        ));
    }
    Ok(())
}

/// Band 0..=shares.len() of each value by rank, highest first (see the module doc).
fn bands_by_rank<T>(values: &[T], cmp: impl Fn(&T, &T) -> Ordering, shares: &[f64]) -> Vec<usize> {
    let n = values.len() as f64;
    let cumulative: Vec<f64> = shares
        .iter()
        .scan(0.0, |sum, s| {
            *sum += s;
            Some(*sum * n - SHARE_TOLERANCE)
        })
        .collect();
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| cmp(&values[j], &values[i]));
    let mut bands = vec![0; values.len()];
    let mut above = 0;
    for run in order.chunk_by(|&i, &j| cmp(&values[i], &values[j]) == Ordering::Equal) {
        let band = cumulative
            .iter()
            .position(|&c| (above as f64) < c)
            .unwrap_or(shares.len());
        for &i in run {
            bands[i] = band;
        }
        above += run.len();
    }
    bands
}

/// Shares of the ABC pyramid; D takes the rest.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AbcShares {
    pub a: f64,
    pub b: f64,
    pub c: f64,
}

impl Default for AbcShares {
    /// A top 1 %, B next 4 %, C next 15 %, D the remaining 80 %.
    fn default() -> Self {
        Self {
            a: 0.01,
            b: 0.04,
            c: 0.15,
        }
    }
}

impl AbcShares {
    pub fn validate(&self) -> Result<(), ParseError> {
        check_shares(&[("abc.a", self.a), ("abc.b", self.b), ("abc.c", self.c)])
    }
}

/// The ABC class of each purchase amount, in the same order.
pub fn abc_classes(amounts: &[Money], shares: &AbcShares) -> Vec<AbcClass> {
    bands_by_rank(amounts, Money::cmp, &[shares.a, shares.b, shares.c])
        .into_iter()
        .map(|b| AbcClass::ALL[b])
        .collect()
}

/// Sub-scores of the three dimensions on one common scale (for example 0-100), or their weights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreeDim {
    /// 用电贡献: consumption, revenue, growth.
    pub contribution: f64,
    /// 用电规范性: power-factor attainment, payment record, faults affecting others, plan
    /// attainment, violations, electricity's share of the customer's energy.
    pub compliance: f64,
    /// 合作: policy implementation, cooperation, suggestions.
    pub cooperation: f64,
}

impl ThreeDim {
    /// The weighted sum of the sub-scores.
    pub fn combined(&self, weights: &ThreeDim) -> f64 {
        self.contribution * weights.contribution
            + self.compliance * weights.compliance
            + self.cooperation * weights.cooperation
    }
}

/// Shares of the three-dimension tiers by rank; grade 3 takes the rest.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GradeShares {
    pub special: f64,
    pub grade1: f64,
    pub grade2: f64,
}

/// How the three-dimension grade is computed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThreeDimConfig {
    pub weights: ThreeDim,
    pub shares: GradeShares,
    /// Re-evaluated every this many years (the seed's practice is 3): a run keeps the grade a
    /// customer was given fewer years before ([`super::population::carry_grades`]).
    pub review_years: u8,
    /// The cooperation sub-score (0-100) every customer gets: no system GridDesk reads records
    /// policy implementation, cooperation or suggestions, so the company sets one neutral value
    /// and the grade ranks by the two measured dimensions.
    pub cooperation: f64,
}

impl Default for ThreeDimConfig {
    /// Tiers special 10 %, grade 1 30 %, grade 2 50 %, grade 3 10 %; re-evaluated yearly.
    /// The seed gives no weights but calls contribution the most important dimension, hence
    /// 0.5 / 0.3 / 0.2.
    fn default() -> Self {
        Self {
            weights: ThreeDim {
                contribution: 0.5,
                compliance: 0.3,
                cooperation: 0.2,
            },
            shares: GradeShares {
                special: 0.10,
                grade1: 0.30,
                grade2: 0.50,
            },
            review_years: 1,
            cooperation: SUBSCORE_MAX / 2.0,
        }
    }
}

impl Default for GradeShares {
    fn default() -> Self {
        ThreeDimConfig::default().shares
    }
}

impl ThreeDimConfig {
    pub fn validate(&self) -> Result<(), ParseError> {
        let w = self.weights;
        for (field, v) in [
            ("three_dimension.weights.contribution", w.contribution),
            ("three_dimension.weights.compliance", w.compliance),
            ("three_dimension.weights.cooperation", w.cooperation),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(ParseError::new(field, format!("{v} must not be negative")));
            }
        }
        if !(0.0..=SUBSCORE_MAX).contains(&self.cooperation) {
            return Err(ParseError::new(
                "three_dimension.cooperation",
                format!(
                    "{} is not a sub-score in 0..={SUBSCORE_MAX}",
                    self.cooperation
                ),
            ));
        }
        if self.review_years == 0 {
            return Err(ParseError::new(
                "three_dimension.review_years",
                "must be at least 1",
            ));
        }
        let s = self.shares;
        check_shares(&[
            ("three_dimension.shares.special", s.special),
            ("three_dimension.shares.grade1", s.grade1),
            ("three_dimension.shares.grade2", s.grade2),
        ])
    }
}

/// The top of the sub-score scale.
pub const SUBSCORE_MAX: f64 = 100.0;

/// A customer's sub-scores from its quintile scores (D4.3), each score 1-5 mapped onto 0-100:
/// contribution is the mean of consumption (B11), revenue (B12) and growth (the mean of B41 and
/// B42); compliance the mean of power-factor attainment (B22) and payment record (the mean of
/// B31 and B32). The other compliance items of D4.5 (faults affecting others, plan attainment,
/// violations, electricity's share of energy) have no source in the lake and are left out
/// rather than guessed.
pub fn subscores_of(scores: &PerIndicator<u8>, cooperation: f64) -> ThreeDim {
    let u = |s: u8| f64::from(s.saturating_sub(1)) * SUBSCORE_MAX / 4.0;
    ThreeDim {
        contribution: (u(scores.b11) + u(scores.b12) + (u(scores.b41) + u(scores.b42)) / 2.0) / 3.0,
        compliance: (u(scores.b22) + (u(scores.b31) + u(scores.b32)) / 2.0) / 2.0,
        cooperation,
    }
}

/// One customer's three-dimension result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ThreeDimResult {
    pub score: f64,
    pub grade: ThreeDimGrade,
}

/// The combined score and grade of each customer, in the same order. Fails on a sub-score that
/// is not a number, naming its row (1-based).
pub fn three_dimension_grades(
    subscores: &[ThreeDim],
    config: &ThreeDimConfig,
) -> Result<Vec<ThreeDimResult>, ParseError> {
    let scores = subscores
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let v = s.combined(&config.weights);
            if v.is_finite() {
                Ok(v)
            } else {
                Err(ParseError::new(
                    "three_dimension",
                    format!("row {}: the sub-scores are not all numbers", i + 1),
                ))
            }
        })
        .collect::<Result<Vec<f64>, _>>()?;
    let s = config.shares;
    let bands = bands_by_rank(&scores, f64::total_cmp, &[s.special, s.grade1, s.grade2]);
    Ok(scores
        .into_iter()
        .zip(bands)
        .map(|(score, b)| ThreeDimResult {
            score,
            grade: ThreeDimGrade::ALL[b],
        })
        .collect())
}

/// The lowest combined score in each grade that has customers: the population thresholds of
/// the grade.
pub fn grade_starts(results: &[ThreeDimResult]) -> BTreeMap<ThreeDimGrade, f64> {
    let mut m: BTreeMap<ThreeDimGrade, f64> = BTreeMap::new();
    for r in results {
        m.entry(r.grade)
            .and_modify(|s| *s = s.min(r.score))
            .or_insert(r.score);
    }
    m
}

/// The smallest rise of the combined score that reaches a better grade.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GradeStep {
    pub to: ThreeDimGrade,
    pub by: f64,
}

/// What would lift a customer to the next better grade that has customers: reaching its
/// lowest score ties with a member of it, and ties share the better grade. `None` at the top.
pub fn grade_up(r: ThreeDimResult, starts: &BTreeMap<ThreeDimGrade, f64>) -> Option<GradeStep> {
    let at = ThreeDimGrade::ALL.iter().position(|&g| g == r.grade)?;
    ThreeDimGrade::ALL[..at].iter().rev().find_map(|g| {
        starts.get(g).map(|&s| GradeStep {
            to: *g,
            by: s - r.score,
        })
    })
}

/// The textbook's customer value (客户价值 = (企业收益 - 客户服务成本) / 客户数): the average
/// net revenue per customer of a group, unrounded; negative for a loss-making group. `None` for
/// no customers.
pub fn textbook_value(revenue: Money, cost_to_serve: Money, customers: u64) -> Option<Decimal> {
    if customers == 0 {
        return None;
    }
    (revenue.yuan() - cost_to_serve.yuan()).checked_div(Decimal::from(customers))
}

code_enum! {
    /// A grading whose movement between periods can be followed.
    Grading, "grading" {
        Quadrant = "quadrant", "价值矩阵象限", "Value-matrix quadrant";
        Abc = "abc", "ABC分类", "ABC class";
        Grade = "grade", "三维分级", "Three-dimension grade";
        Tier = "tier", "服务等级", "Service tier";
    }
}

impl Grading {
    /// The grading's stored codes, best grade first.
    pub fn codes(self) -> Vec<&'static str> {
        use super::matrix::Quadrant;
        match self {
            Grading::Quadrant => Quadrant::ALL.iter().map(|q| q.code()).collect(),
            Grading::Abc => AbcClass::ALL.iter().map(|a| a.code()).collect(),
            Grading::Grade => ThreeDimGrade::ALL.iter().map(|g| g.code()).collect(),
            Grading::Tier => vec!["1", "2", "3"],
        }
    }

    /// The label of one of its codes (the code itself if it is not one).
    pub fn label_of(self, code: &str, lang: crate::values::Lang) -> String {
        use super::matrix::Quadrant;
        let label = match self {
            Grading::Quadrant => Quadrant::parse(code).ok().map(|q| q.label(lang)),
            Grading::Abc => AbcClass::parse(code).ok().map(|a| a.label(lang)),
            Grading::Grade => ThreeDimGrade::parse(code).ok().map(|g| g.label(lang)),
            Grading::Tier => None,
        };
        match (label, self, lang) {
            (Some(l), _, _) => l.to_owned(),
            (None, Grading::Tier, crate::values::Lang::Zh) => format!("{code}级"),
            (None, Grading::Tier, crate::values::Lang::En) => format!("Tier {code}"),
            (None, _, _) => code.to_owned(),
        }
    }
}

/// How many customers went from one grade to another between two periods. `None` on the from
/// side is a customer new in the later period, on the to side one gone from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition<G> {
    pub from: Option<G>,
    pub to: Option<G>,
    pub count: usize,
}

/// The transition matrix between two periods' grades (any grading: quadrant, ABC class, tier),
/// as its non-zero cells ordered by (from, to). Staying in a grade is a cell too.
pub fn transitions<K: Ord, G: Ord + Copy>(
    before: &BTreeMap<K, G>,
    after: &BTreeMap<K, G>,
) -> Vec<Transition<G>> {
    let mut counts: BTreeMap<(Option<G>, Option<G>), usize> = BTreeMap::new();
    for (k, &g) in before {
        *counts.entry((Some(g), after.get(k).copied())).or_default() += 1;
    }
    for (k, &g) in after {
        if !before.contains_key(k) {
            *counts.entry((None, Some(g))).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(|((from, to), count)| Transition { from, to, count })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amounts(yuan: &[i64]) -> Vec<Money> {
        yuan.iter().map(|&y| Money::from_fen(y * 100)).collect()
    }

    fn count<T: PartialEq>(v: &[T], x: T) -> usize {
        v.iter().filter(|&y| *y == x).count()
    }

    #[test]
    fn a_hundred_customers_make_the_pyramid() {
        let a: Vec<i64> = (1..=100).collect();
        let c = abc_classes(&amounts(&a), &AbcShares::default());
        let n: Vec<usize> = AbcClass::ALL.iter().map(|&k| count(&c, k)).collect();
        assert_eq!(n, [1, 4, 15, 80]);
        assert_eq!(c[99], AbcClass::A);
        assert_eq!((c[95], c[94]), (AbcClass::B, AbcClass::C));
        assert_eq!((c[80], c[79]), (AbcClass::C, AbcClass::D));
    }

    #[test]
    fn small_populations_and_ties() {
        let s = AbcShares::default();
        assert_eq!(abc_classes(&amounts(&[5]), &s), [AbcClass::A]);
        assert!(abc_classes(&[], &s).is_empty());
        // Ten customers: 1 above is 10 %, past A (1 %) and B (5 %) but within C (20 %).
        let c = abc_classes(&amounts(&[10, 9, 8, 7, 6, 5, 4, 3, 2, 1]), &s);
        assert_eq!(&c[..3], [AbcClass::A, AbcClass::C, AbcClass::D]);
        assert_eq!(count(&c, AbcClass::D), 8);
        // Equal amounts share a class, even beyond its share.
        let c = abc_classes(&amounts(&[9, 9, 3, 3, 3, 1]), &s);
        assert_eq!(
            c,
            [
                AbcClass::A,
                AbcClass::A,
                AbcClass::D,
                AbcClass::D,
                AbcClass::D,
                AbcClass::D
            ]
        );
        let c = abc_classes(&amounts(&[4; 50]), &s);
        assert_eq!(count(&c, AbcClass::A), 50);
        // A share of 0 empties its class.
        let none = AbcShares { a: 0.0, ..s };
        assert_eq!(abc_classes(&amounts(&[5, 4]), &none)[0], AbcClass::B);
    }

    #[test]
    fn shares_are_validated() {
        assert!(AbcShares::default().validate().is_ok());
        let e = AbcShares {
            c: 0.96,
            ..AbcShares::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.field, "abc.a");
        assert!(e.reason.contains("more than 1"));
        let e = AbcShares {
            b: -0.1,
            ..AbcShares::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.field, "abc.b");
        assert!(ThreeDimConfig::default().validate().is_ok());
    }

    #[test]
    fn three_dimension_tiers_by_rank() {
        let cfg = ThreeDimConfig::default();
        let subs: Vec<ThreeDim> = (1..=10)
            .map(|i| ThreeDim {
                contribution: f64::from(i * 10),
                compliance: 50.0,
                cooperation: 50.0,
            })
            .collect();
        let r = three_dimension_grades(&subs, &cfg).unwrap();
        assert!((r[9].score - (0.5 * 100.0 + 0.3 * 50.0 + 0.2 * 50.0)).abs() < 1e-12);
        let g: Vec<ThreeDimGrade> = r.iter().map(|x| x.grade).collect();
        use ThreeDimGrade::*;
        assert_eq!(
            g,
            [
                Grade3, Grade2, Grade2, Grade2, Grade2, Grade2, Grade1, Grade1, Grade1, Special
            ]
        );
        let mut bad = subs.clone();
        bad[3].cooperation = f64::NAN;
        let e = three_dimension_grades(&bad, &cfg).unwrap_err();
        assert!(e.reason.starts_with("row 4"), "{e}");
    }

    #[test]
    fn subscores_come_from_the_quintile_scores() {
        let mut s = PerIndicator::from_fn(|_| 3u8);
        let mid = subscores_of(&s, 50.0);
        assert_eq!(
            (mid.contribution, mid.compliance, mid.cooperation),
            (50.0, 50.0, 50.0)
        );
        s.b11 = 5;
        s.b12 = 5;
        s.b41 = 5;
        s.b42 = 1;
        s.b22 = 1;
        s.b31 = 5;
        s.b32 = 1;
        // Load factor (B21) is no dimension's item: changing it changes nothing.
        s.b21 = 1;
        let x = subscores_of(&s, 20.0);
        assert_eq!(x.contribution, (100.0 + 100.0 + 50.0) / 3.0);
        assert_eq!(x.compliance, (0.0 + 50.0) / 2.0);
        assert_eq!(x.cooperation, 20.0);
        let top = subscores_of(&PerIndicator::from_fn(|_| 5), 100.0);
        assert_eq!((top.contribution, top.compliance), (100.0, 100.0));
        let bad = ThreeDimConfig {
            cooperation: 101.0,
            ..ThreeDimConfig::default()
        };
        assert_eq!(
            bad.validate().unwrap_err().field,
            "three_dimension.cooperation"
        );
    }

    #[test]
    fn grade_thresholds_and_the_step_up() {
        use ThreeDimGrade::*;
        let r = |score, grade| ThreeDimResult { score, grade };
        let rs = [
            r(90.0, Special),
            r(70.0, Grade1),
            r(65.0, Grade1),
            r(40.0, Grade3),
        ];
        let starts = grade_starts(&rs);
        assert_eq!(
            starts,
            BTreeMap::from([(Special, 90.0), (Grade1, 65.0), (Grade3, 40.0)])
        );
        assert_eq!(
            grade_up(rs[2], &starts),
            Some(GradeStep {
                to: Special,
                by: 25.0
            })
        );
        // Grade 2 is empty: the next grade with customers is grade 1.
        assert_eq!(
            grade_up(rs[3], &starts),
            Some(GradeStep {
                to: Grade1,
                by: 25.0
            })
        );
        assert_eq!(grade_up(rs[0], &starts), None);
    }

    #[test]
    fn gradings_list_their_codes_best_first() {
        use crate::values::Lang;
        assert_eq!(Grading::Abc.codes(), ["A", "B", "C", "D"]);
        assert_eq!(Grading::Grade.codes()[0], "special");
        assert_eq!(Grading::Quadrant.codes().len(), 4);
        assert_eq!(Grading::Tier.label_of("2", Lang::En), "Tier 2");
        assert_eq!(Grading::Grade.label_of("grade1", Lang::Zh), "一级");
        assert_eq!(Grading::parse("tier").unwrap(), Grading::Tier);
    }

    #[test]
    fn textbook_value_is_net_revenue_per_customer() {
        let v = textbook_value(Money::from_fen(100_000_000), Money::from_fen(40_000_000), 3);
        assert_eq!(v, Some(Decimal::from(200_000)));
        let loss = textbook_value(Money::from_fen(100), Money::from_fen(400), 2);
        assert_eq!(loss, Some(Decimal::new(-150, 2)));
        assert_eq!(textbook_value(Money::ZERO, Money::ZERO, 0), None);
    }

    #[test]
    fn transitions_count_moves_between_periods() {
        use AbcClass::*;
        let before = BTreeMap::from([("c1", A), ("c2", B), ("c3", B), ("c4", D)]);
        let after = BTreeMap::from([("c1", A), ("c2", A), ("c3", C), ("c5", D)]);
        let t = transitions(&before, &after);
        let cell = |from, to| Transition { from, to, count: 1 };
        assert_eq!(
            t,
            [
                cell(None, Some(D)),
                cell(Some(A), Some(A)),
                cell(Some(B), Some(A)),
                cell(Some(B), Some(C)),
                cell(Some(D), None),
            ]
        );
        let same = transitions(&before, &before);
        assert_eq!(same.iter().map(|t| t.count).sum::<usize>(), 4);
        assert!(same.iter().all(|t| t.from == t.to));
    }
}
