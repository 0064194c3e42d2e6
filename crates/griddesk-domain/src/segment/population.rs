//! Segmentation of a whole population, end to end: indicators, quintile scores, values, origin,
//! quadrant, ABC class, three-dimension grade and service tier of every customer, the population summary an analyst
//! reviews (origin, thresholds, counts), and per-customer explanations.
//!
//! The population is what the scores are relative to: segment the customers that should be
//! compared (for example one company's large-industrial customers for one period), in one call.

use super::grading::{
    AbcClass, GradeStep, ThreeDim, ThreeDimConfig, ThreeDimGrade, ThreeDimResult, abc_classes,
    grade_starts, grade_up, subscores_of, three_dimension_grades,
};
use super::indicators::IndicatorInputs;
use super::matrix::{Move, Quadrant, ValuePoint, moves};
use super::scoring::{Quintiles, value_of};
use super::service::TierRule;
use super::weights::Weights;
use super::{Indicator, PerIndicator, SegmentError, SegmentationConfig};
use crate::billing::Period;
use crate::values::Money;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One customer to segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// The customer's identifier (normally the customer number); unique in the population.
    pub customer: String,
    pub inputs: IndicatorInputs,
    /// Purchase amount of the period, for the ABC pyramid.
    pub purchase_amount: Money,
}

/// Where one customer landed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerResult {
    pub customer: String,
    /// B11..B42, each in 0..=1.
    pub indicators: PerIndicator<f64>,
    /// Quintile scores 1-5.
    pub scores: PerIndicator<u8>,
    pub value: ValuePoint,
    pub quadrant: Quadrant,
    pub purchase_amount: Money,
    pub abc: AbcClass,
    /// Three-dimension score and grade; `None` only for results stored before it was computed.
    pub three_dim: Option<ThreeDimResult>,
    /// The period whose run evaluated that grade ([`carry_grades`]): this one, or an earlier
    /// one within the review cycle. `None` where no run period was given (or before grades).
    #[serde(default)]
    pub graded_in: Option<Period>,
    /// Service tier and entitlements.
    pub service: TierRule,
}

/// What the population's results were computed against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub customers: usize,
    pub weights: Weights,
    pub origin: ValuePoint,
    /// Per indicator, the raw values at which each score starts.
    pub thresholds: PerIndicator<Quintiles>,
    /// Customers per quadrant, every quadrant listed.
    pub quadrants: BTreeMap<Quadrant, usize>,
    /// Customers per ABC class, every class listed.
    pub abc: BTreeMap<AbcClass, usize>,
    /// Customers per three-dimension grade, every grade listed (empty in summaries stored
    /// before the grade was computed, as are the two fields after it).
    #[serde(default)]
    pub grades: BTreeMap<ThreeDimGrade, usize>,
    /// The lowest combined score in each grade that has customers.
    #[serde(default)]
    pub grade_starts: BTreeMap<ThreeDimGrade, f64>,
    /// The weights and cooperation sub-score the grade was computed with.
    #[serde(default)]
    pub three_dimension: ThreeDimConfig,
    /// Customers per service tier (empty in summaries stored before it was counted).
    #[serde(default)]
    pub tiers: BTreeMap<u8, usize>,
}

/// A segmented population, customers in input order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segmentation {
    pub customers: Vec<CustomerResult>,
    pub summary: Summary,
}

/// Why one customer landed where it did, and what would move it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub customer: String,
    /// Raw indicators B11..B42.
    pub indicators: PerIndicator<f64>,
    pub scores: PerIndicator<u8>,
    /// The population thresholds the scores came from.
    pub thresholds: PerIndicator<Quintiles>,
    pub weights: Weights,
    pub value: ValuePoint,
    pub origin: ValuePoint,
    pub quadrant: Quadrant,
    /// The smallest change of the current, then of the potential value that crosses its
    /// origin line.
    pub moves: [Move; 2],
    pub purchase_amount: Money,
    pub abc: AbcClass,
    /// The three sub-scores (0-100) from the scores, and the weights combining them.
    pub subscores: ThreeDim,
    pub three_dim_weights: ThreeDim,
    pub three_dim: Option<ThreeDimResult>,
    pub graded_in: Option<Period>,
    /// The lowest score of each grade in the population, and the rise that reaches the next
    /// better grade.
    pub grade_starts: BTreeMap<ThreeDimGrade, f64>,
    pub grade_up: Option<GradeStep>,
    pub service: TierRule,
}

/// The explanation of one result against its population's summary.
pub fn explanation(r: &CustomerResult, s: &Summary) -> Explanation {
    Explanation {
        customer: r.customer.clone(),
        indicators: r.indicators,
        scores: r.scores,
        thresholds: s.thresholds,
        weights: s.weights.clone(),
        value: r.value,
        origin: s.origin,
        quadrant: r.quadrant,
        moves: moves(r.value, s.origin),
        purchase_amount: r.purchase_amount,
        abc: r.abc,
        subscores: subscores_of(&r.scores, s.three_dimension.cooperation),
        three_dim_weights: s.three_dimension.weights,
        three_dim: r.three_dim,
        graded_in: r.graded_in,
        grade_starts: s.grade_starts.clone(),
        grade_up: r.three_dim.and_then(|g| grade_up(g, &s.grade_starts)),
        service: r.service.clone(),
    }
}

impl Segmentation {
    /// The explanation of one customer, or `None` if it is not in the population.
    pub fn explain(&self, customer: &str) -> Option<Explanation> {
        let r = self.customers.iter().find(|r| r.customer == customer)?;
        Some(explanation(r, &self.summary))
    }
}

fn counts<K: Ord + Copy>(all: &[K], of: impl Iterator<Item = K>) -> BTreeMap<K, usize> {
    let mut m: BTreeMap<K, usize> = all.iter().map(|&k| (k, 0)).collect();
    for k in of {
        *m.entry(k).or_default() += 1;
    }
    m
}

/// Segments a population with a configuration. Fails on an invalid configuration, an empty
/// population, a repeated customer, or a customer's impossible figures (naming the customer).
pub fn segment(
    population: &[Member],
    config: &SegmentationConfig,
) -> Result<Segmentation, SegmentError> {
    let weights = config.validate()?;
    let mut seen = BTreeSet::new();
    for m in population {
        if !seen.insert(m.customer.as_str()) {
            return Err(SegmentError::DuplicateCustomer(m.customer.clone()));
        }
    }
    let indicators = population
        .iter()
        .map(|m| {
            m.inputs
                .indicators(&config.indicators)
                .map_err(|error| SegmentError::Input {
                    customer: m.customer.clone(),
                    error,
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let thresholds = PerIndicator::from_fn(|i: Indicator| {
        let values: Vec<f64> = indicators.iter().map(|b| *b.get(i)).collect();
        Quintiles::of(&values)
    });
    let scores: Vec<PerIndicator<u8>> = indicators
        .iter()
        .map(|b| b.map(|i, &x| thresholds.get(i).score(x)))
        .collect();
    let values: Vec<ValuePoint> = scores.iter().map(|s| value_of(s, &weights)).collect();
    let origin = config
        .origin
        .resolve(&values)
        .ok_or(SegmentError::EmptyPopulation)?;
    let amounts: Vec<Money> = population.iter().map(|m| m.purchase_amount).collect();
    let classes = abc_classes(&amounts, &config.abc);
    let dims = &config.three_dimension;
    let subscores: Vec<ThreeDim> = scores
        .iter()
        .map(|s| subscores_of(s, dims.cooperation))
        .collect();
    let grades = three_dimension_grades(&subscores, dims).map_err(SegmentError::Config)?;
    let customers: Vec<CustomerResult> = population
        .iter()
        .zip(indicators)
        .zip(scores)
        .zip(values)
        .zip(classes)
        .zip(&grades)
        .map(|(((((m, indicators), scores), value), abc), &grade)| {
            let quadrant = Quadrant::of(value, origin);
            CustomerResult {
                customer: m.customer.clone(),
                indicators,
                scores,
                value,
                quadrant,
                purchase_amount: m.purchase_amount,
                abc,
                three_dim: Some(grade),
                graded_in: None,
                service: config.tiers.tier_of(quadrant, abc, grade.grade),
            }
        })
        .collect();
    if customers.is_empty() {
        // A fixed origin resolves without customers; there is still nothing to segment.
        return Err(SegmentError::EmptyPopulation);
    }
    let summary = Summary {
        customers: customers.len(),
        weights,
        origin,
        thresholds,
        quadrants: counts(Quadrant::ALL, customers.iter().map(|r| r.quadrant)),
        abc: counts(AbcClass::ALL, customers.iter().map(|r| r.abc)),
        grades: counts(ThreeDimGrade::ALL, grades.iter().map(|g| g.grade)),
        grade_starts: grade_starts(&grades),
        three_dimension: *dims,
        tiers: tier_counts(&customers),
    };
    Ok(Segmentation { customers, summary })
}

/// Applies the review cycle of the three-dimension grade (D4.5) to the run of `period`: a
/// customer whose grade was evaluated fewer than `review_years` years before keeps that grade
/// and score (`previous`: customer -> the period it was graded in and its result), everyone
/// else — new customers, grades due for review — takes this run's evaluation, graded in
/// `period`. Tiers follow a kept grade where the tier table is by grade, and the summary's grade
/// counts and thresholds are those of the grades the customers now hold.
pub fn carry_grades(
    seg: &mut Segmentation,
    period: Period,
    previous: &HashMap<String, (Period, ThreeDimResult)>,
    config: &SegmentationConfig,
) {
    let cycle = 12 * i32::from(config.three_dimension.review_years);
    for r in &mut seg.customers {
        r.graded_in = Some(period);
        if let Some(&(graded, g)) = previous.get(&r.customer)
            && graded < period
            && graded.months_until(period) < cycle
        {
            r.three_dim = Some(g);
            r.graded_in = Some(graded);
            r.service = config.tiers.tier_of(r.quadrant, r.abc, g.grade);
        }
    }
    let held: Vec<ThreeDimResult> = seg.customers.iter().filter_map(|r| r.three_dim).collect();
    seg.summary.grades = counts(ThreeDimGrade::ALL, held.iter().map(|g| g.grade));
    seg.summary.grade_starts = grade_starts(&held);
    seg.summary.tiers = tier_counts(&seg.customers);
}

fn tier_counts(customers: &[CustomerResult]) -> BTreeMap<u8, usize> {
    let mut m = BTreeMap::new();
    for r in customers {
        *m.entry(r.service.tier).or_default() += 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::indicators::tests::{inputs, yuan};
    use crate::segment::matrix::{Axis, Direction, OriginRule};
    use rust_decimal::Decimal;

    /// Raw figures; the company supplied 1,000,000 kWh and charged 100,000 yuan of
    /// transmission fees; every customer owed its receivables 1,000 yuan unless shown.
    #[rustfmt::skip]
    const ROWS: [(&str, [i64; 11], f64, i64); 6] = [
        //      kWh      same-per  fee     avg  max  paid  due   late recv  last-year  year-before  pf    purchase
        ("C1", [200_000, 150_000, 18_000, 600, 1000, 1000, 1000,   0, 1000, 1_050_000, 1_000_000], 0.96,  150_000),
        ("C2", [150_000, 160_000, 20_000, 800, 1000,  950, 1000,  50, 1000, 1_000_000, 1_000_000], 0.95,  120_000),
        ("C3", [100_000,  40_000,  8_000, 500, 1000,    0,    0,   0,    0, 1_300_000, 1_000_000], 0.92,  120_000),
        ("C4", [ 50_000,  30_000,  6_000, 900, 1000,  900, 1000, 100, 1000, 1_150_000, 1_000_000], 0.875,  80_000),
        ("C5", [ 20_000,  20_000,  3_000, 700, 1000,  800, 1000, 600, 1000, 1_060_000, 1_000_000], 0.80,   20_000),
        ("C6", [ 10_000,   5_000,  1_000,   0,    0, 1000, 1000, 250, 1000, 1_200_000, 1_000_000], 0.85,   10_000),
    ];

    fn population() -> Vec<Member> {
        ROWS.iter()
            .map(|&(id, f, pf, purchase)| {
                let d = Decimal::from;
                Member {
                    customer: id.to_string(),
                    inputs: IndicatorInputs {
                        consumption_kwh: d(f[0]),
                        same_period_last_year_kwh: d(f[1]),
                        transmission_fees: yuan(f[2]),
                        average_load_kw: d(f[3]),
                        max_load_kw: d(f[4]),
                        paid_3y: yuan(f[5]),
                        due_3y: yuan(f[6]),
                        late_fees_3y: yuan(f[7]),
                        receivables_3y: yuan(f[8]),
                        last_year_kwh: d(f[9]),
                        year_before_kwh: d(f[10]),
                        power_factor: pf,
                        company_supply_kwh: d(1_000_000),
                        company_transmission_fees: yuan(100_000),
                    },
                    purchase_amount: yuan(purchase),
                }
            })
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    fn score_row(s: &PerIndicator<u8>) -> [u8; 8] {
        [s.b11, s.b12, s.b21, s.b22, s.b31, s.b32, s.b41, s.b42]
    }

    /// By hand. Indicators (p1 0.80, p2 0.95, a 0.5, r 0.3, M 1,000,000 kWh):
    ///
    /// ```text
    ///      B11  B12  B21  B22   B31   B32  B41    B42
    /// C1   .20  .18  .6   1     1     1    .167   .05
    /// C2   .15  .20  .8   1     .95   .9   0      0      (growth -10,000 kWh)
    /// C3   .10  .08  .5   .8    1*    1*   1      .06    (* nothing due, no receivables)
    /// C4   .05  .06  .9   .5    .9    .8   .5     .02
    /// C5   .02  .03  .7   0     .8    0    .2     0      (pf at p1; late fees above a)
    /// C6   .01  .01  0*   .333  1     .5   .667   .005   (* no load at all)
    /// ```
    ///
    /// Scores, N = 6: distinct ranks 0..5 give ⌈5(2L+1)/12⌉ = 1 2 3 3 4 5; ties: two at the top
    /// (L 4, E 2) 5; three at the top (L 3, E 3) ⌈45/12⌉ = 4; two at the bottom (E 2) 1, and
    /// the next (L 2) 3.
    ///
    /// ```text
    ///      B11 B12 B21 B22 B31 B32 B41 B42   current ×300                      potential
    /// C1    5   4   3   5   4   5   2   4    77·5+33·4+36·3+54·5+9·4+21·5 = 1036  .6·2+.4·4 = 2.8
    /// C2    4   5   4   5   3   3   1   1    977                                  1.0
    /// C3    3   3   2   3   4   5   5   5    705                                  5.0
    /// C4    3   3   5   3   2   3   3   3    753                                  3.0
    /// C5    2   2   3   1   1   1   3   1    412                                  2.2
    /// C6    1   1   1   2   4   2   4   3    332                                  3.6
    /// ```
    ///
    /// (total weights ×300: 77 33 36 54 9 21.) Origin = mean = (4215/1800, 17.6/6) =
    /// (2.3417, 2.9333): C1 (3.453, 2.8) and C2 (3.257, 1.0) maintain, C3 (2.35, 5.0) and
    /// C4 (2.51, 3.0) VIP, C5 (1.373, 2.2) abandon, C6 (1.107, 3.6) growth.
    /// ABC: C1 has nobody above → A; C2 and C3 tie with 1 above, 1/6 < 20 % → C; C4-C6 D.
    /// Tiers by ABC: C1 1, C2 and C3 2, C4-C6 3.
    ///
    /// Three dimensions (scores 1-5 as 0 25 50 75 100; cooperation 50 for all):
    ///
    /// ```text
    ///      contribution (B11+B12+(B41+B42)/2)/3   compliance (B22+(B31+B32)/2)/2   .5/.3/.2
    /// C1   (100+75+50)/3   = 75                  (100+87.5)/2 = 93.75            75.625
    /// C2   (75+100+0)/3    = 58.333              (100+50)/2   = 75               61.667
    /// C3   (50+50+100)/3   = 66.667              (50+87.5)/2  = 68.75            63.958
    /// C4   (50+50+50)/3    = 50                  (50+37.5)/2  = 43.75            48.125
    /// C5   (25+25+25)/3    = 25                  (0+0)/2      = 0                22.5
    /// C6   (0+0+62.5)/3    = 20.833              (25+50)/2    = 37.5             31.667
    /// ```
    ///
    /// By rank with cumulative shares × 6 = 0.6, 2.4, 5.4: C1 special (0 above), C3 and C2
    /// grade 1 (1 and 2 above), C4, C6 and C5 grade 2 (3, 4, 5 above); grade 3 is empty.
    #[test]
    fn six_customers_end_to_end() {
        let s = segment(&population(), &SegmentationConfig::default()).unwrap();
        // id, scores, current value × 300, potential value, quadrant, ABC class, tier
        type Row = (&'static str, [u8; 8], f64, f64, Quadrant, AbcClass, u8);
        let expect: [Row; 6] = [
            (
                "C1",
                [5, 4, 3, 5, 4, 5, 2, 4],
                1036.0,
                2.8,
                Quadrant::Maintain,
                AbcClass::A,
                1,
            ),
            (
                "C2",
                [4, 5, 4, 5, 3, 3, 1, 1],
                977.0,
                1.0,
                Quadrant::Maintain,
                AbcClass::C,
                2,
            ),
            (
                "C3",
                [3, 3, 2, 3, 4, 5, 5, 5],
                705.0,
                5.0,
                Quadrant::Vip,
                AbcClass::C,
                2,
            ),
            (
                "C4",
                [3, 3, 5, 3, 2, 3, 3, 3],
                753.0,
                3.0,
                Quadrant::Vip,
                AbcClass::D,
                3,
            ),
            (
                "C5",
                [2, 2, 3, 1, 1, 1, 3, 1],
                412.0,
                2.2,
                Quadrant::Abandon,
                AbcClass::D,
                3,
            ),
            (
                "C6",
                [1, 1, 1, 2, 4, 2, 4, 3],
                332.0,
                3.6,
                Quadrant::Growth,
                AbcClass::D,
                3,
            ),
        ];
        for (r, (id, scores, cur300, pot, q, abc, tier)) in s.customers.iter().zip(expect) {
            assert_eq!(r.customer, id);
            assert_eq!(score_row(&r.scores), scores, "{id}");
            assert!(close(r.value.current, cur300 / 300.0), "{id} {:?}", r.value);
            assert!(close(r.value.potential, pot), "{id} {:?}", r.value);
            assert_eq!((r.quadrant, r.abc, r.service.tier), (q, abc, tier), "{id}");
        }
        use ThreeDimGrade::*;
        let grades = [
            (75.625, Special),
            (61.666_667, Grade1),
            (63.958_333, Grade1),
            (48.125, Grade2),
            (22.5, Grade2),
            (31.666_667, Grade2),
        ];
        for (r, (score, grade)) in s.customers.iter().zip(grades) {
            let g = r.three_dim.unwrap();
            assert!((g.score - score).abs() < 1e-6, "{} {g:?}", r.customer);
            assert_eq!(g.grade, grade, "{}", r.customer);
        }
        let c6 = &s.customers[5].indicators;
        assert_eq!((c6.b21, c6.b31), (0.0, 1.0));
        assert!(close(c6.b22, 1.0 / 3.0) && close(c6.b41, 2.0 / 3.0));

        let sum = &s.summary;
        assert_eq!(sum.customers, 6);
        assert!(close(sum.origin.current, 4215.0 / 1800.0));
        assert!(close(sum.origin.potential, 17.6 / 6.0));
        let b11 = sum.thresholds.b11.starts;
        assert_eq!(b11, [Some(0.02), Some(0.05), Some(0.15), Some(0.2)]);
        assert_eq!(
            sum.thresholds.b31.starts,
            [Some(0.9), Some(0.95), Some(1.0), None],
            "nobody scores 5 on B31: the three at 1 tie at 4"
        );
        let q: Vec<usize> = sum.quadrants.values().copied().collect();
        assert_eq!(q, [2, 1, 2, 1], "vip, growth, maintain, abandon");
        let abc: Vec<usize> = sum.abc.values().copied().collect();
        assert_eq!(abc, [1, 0, 2, 3]);
        let g: Vec<usize> = sum.grades.values().copied().collect();
        assert_eq!(g, [1, 2, 3, 0]);
        assert_eq!(sum.tiers, BTreeMap::from([(1, 1), (2, 2), (3, 3)]));
        assert!((sum.grade_starts[&Grade2] - 22.5).abs() < 1e-9);
        assert!(!sum.grade_starts.contains_key(&Grade3));

        // serde_json parses floats to within an ulp, so compare the exact parts.
        let json = serde_json::to_string(&s).unwrap();
        let back: Segmentation = serde_json::from_str(&json).unwrap();
        assert_eq!(back.summary.quadrants, sum.quadrants);
        for (a, b) in back.customers.iter().zip(&s.customers) {
            assert_eq!(
                (&a.customer, a.scores, a.quadrant),
                (&b.customer, b.scores, b.quadrant)
            );
            assert_eq!(
                (a.purchase_amount, a.abc, &a.service),
                (b.purchase_amount, b.abc, &b.service)
            );
        }
    }

    #[test]
    fn grades_are_kept_within_the_review_cycle() {
        use crate::segment::service::TierBasis;
        let mut config = SegmentationConfig::default();
        config.tiers.basis = TierBasis::Grade;
        config.three_dimension.review_years = 1;
        let p = Period::parse("2026-10").unwrap();
        let fresh = segment(&population(), &config).unwrap();
        let kept = ThreeDimResult {
            score: 99.0,
            grade: ThreeDimGrade::Special,
        };
        let previous = HashMap::from([
            // Graded 11 months ago: still within the year, kept.
            ("C5".to_owned(), (p.add_months(-11), kept)),
            // Graded 12 months ago: due for review, re-evaluated.
            ("C6".to_owned(), (p.add_months(-12), kept)),
            // A grade of a later period (a re-run of an old month) is not carried back.
            ("C4".to_owned(), (p.add_months(1), kept)),
        ]);
        let mut s = fresh.clone();
        carry_grades(&mut s, p, &previous, &config);
        let by = |id: &str| s.customers.iter().find(|r| r.customer == id).unwrap();
        assert_eq!(by("C5").three_dim, Some(kept));
        assert_eq!(by("C5").graded_in, Some(p.add_months(-11)));
        assert_eq!(by("C5").service.tier, 1, "the tier follows the kept grade");
        for id in ["C1", "C4", "C6"] {
            let f = fresh.customers.iter().find(|r| r.customer == id).unwrap();
            assert_eq!(by(id).three_dim, f.three_dim, "{id}");
            assert_eq!(by(id).graded_in, Some(p), "{id}");
        }
        // Counts: C1 and now C5 special; C2, C3 grade 1; C4, C6 grade 2.
        let g: Vec<usize> = s.summary.grades.values().copied().collect();
        assert_eq!(g, [2, 2, 2, 0]);
        // By grade: special tier 1, grades 1 and 2 tier 2.
        assert_eq!(s.summary.tiers, BTreeMap::from([(1, 2), (2, 4)]));
        assert_eq!(s.summary.grade_starts[&ThreeDimGrade::Special], 75.625);
        // Three-year cycle: a grade of 35 months ago is kept too.
        config.three_dimension.review_years = 3;
        let mut s = fresh.clone();
        let old = HashMap::from([("C6".to_owned(), (p.add_months(-35), kept))]);
        carry_grades(&mut s, p, &old, &config);
        assert_eq!(s.customers[5].three_dim, Some(kept));
    }

    #[test]
    fn explanations_say_what_would_move_a_customer() {
        let s = segment(&population(), &SegmentationConfig::default()).unwrap();
        let e = s.explain("C3").unwrap();
        assert_eq!((e.quadrant, e.abc), (Quadrant::Vip, AbcClass::C));
        assert_eq!(e.scores.b41, 5);
        assert_eq!(e.thresholds, s.summary.thresholds);
        assert!(close(e.weights.total.b11, 7.7 / 30.0));
        // C3 is barely above the mean current value: 705/300 - 4215/1800 = 15/1800.
        let [c, p] = e.moves;
        assert_eq!(
            (c.axis, c.direction, c.to),
            (Axis::Current, Direction::Down, Quadrant::Growth)
        );
        assert!(close(c.by, 15.0 / 1800.0), "{}", c.by);
        assert_eq!((p.direction, p.to), (Direction::Down, Quadrant::Maintain));
        assert!(close(p.by, 5.0 - 17.6 / 6.0));
        // Its grade: 63.958 in grade 1; 11.667 more reaches C1's 75.625, the lowest special.
        assert_eq!(e.three_dim.unwrap().grade, ThreeDimGrade::Grade1);
        assert!(close(e.subscores.contribution, 200.0 / 3.0));
        assert!(close(e.subscores.compliance, 68.75));
        let up = e.grade_up.unwrap();
        assert_eq!(up.to, ThreeDimGrade::Special);
        assert!(
            (up.by - (75.625 - (100.0 / 3.0 + 20.625 + 10.0))).abs() < 1e-9,
            "{up:?}"
        );
        assert!(s.explain("C1").unwrap().grade_up.is_none());
        assert!(s.explain("nobody").is_none());
    }

    #[test]
    fn a_fixed_origin_applies() {
        let config = SegmentationConfig {
            origin: OriginRule::Fixed(ValuePoint {
                current: 2.2,
                potential: 1.1,
            }),
            ..SegmentationConfig::default()
        };
        let s = segment(&population(), &config).unwrap();
        let q: Vec<Quadrant> = s.customers.iter().map(|r| r.quadrant).collect();
        use Quadrant::*;
        assert_eq!(q, [Vip, Maintain, Vip, Vip, Growth, Growth]);
    }

    #[test]
    fn bad_populations_are_errors() {
        let c = SegmentationConfig::default();
        assert_eq!(segment(&[], &c).unwrap_err(), SegmentError::EmptyPopulation);
        let fixed = SegmentationConfig {
            origin: OriginRule::Fixed(ValuePoint {
                current: 1.0,
                potential: 1.0,
            }),
            ..c.clone()
        };
        assert_eq!(
            segment(&[], &fixed).unwrap_err(),
            SegmentError::EmptyPopulation
        );
        let mut p = population();
        p[4].customer = "C2".into();
        assert_eq!(
            segment(&p, &c).unwrap_err(),
            SegmentError::DuplicateCustomer("C2".into())
        );
        let mut p = population();
        p[3].inputs.power_factor = 1.5;
        let e = segment(&p, &c).unwrap_err();
        assert!(
            e.to_string().starts_with("customer C4: power_factor"),
            "{e}"
        );
        let one = [Member {
            customer: "solo".into(),
            inputs: inputs(),
            purchase_amount: yuan(1),
        }];
        let s = segment(&one, &c).unwrap();
        assert_eq!(
            score_row(&s.customers[0].scores),
            [3; 8],
            "alone is average"
        );
        assert_eq!(
            s.customers[0].quadrant,
            Quadrant::Vip,
            "it sits on the origin"
        );
        assert_eq!(s.customers[0].abc, AbcClass::A);
    }
}
