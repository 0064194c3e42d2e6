//! Conformance cases of [`crate::SegmentStore`]: a stored segmentation reads back exactly as the
//! pure [`griddesk_domain::segment::segment`] computed it; a re-run replaces its period whole
//! (no stale rows); a failing run (a customer not in the archive) leaves the previous run
//! intact; the current tier comes from the latest period; movements of every grading count
//! every customer; stored results explain as computed.

use crate::Store;
use crate::conformance::fixtures;
use crate::segment::{GradeMove, MemberFilter, SegmentRun};
use griddesk_domain::billing::Period;
use griddesk_domain::segment::{
    AbcClass, CustomerResult, Grading, IndicatorInputs, Member, Quadrant, SegmentationConfig,
    ThreeDimGrade, carry_grades, explanation, segment,
};
use griddesk_domain::values::{CustomerNo, Money};
use jiff::Timestamp;

fn period(s: &str) -> Period {
    Period::parse(s).expect("period")
}

fn inputs(k: i64) -> IndicatorInputs {
    let d = |n: i64| n.into();
    IndicatorInputs {
        consumption_kwh: d(1_000 * (k + 1)),
        company_supply_kwh: d(1_000_000),
        transmission_fees: Money::from_fen(10_000 * (k % 3 + 1)),
        company_transmission_fees: Money::from_fen(100_000_000),
        average_load_kw: d(10 + k),
        max_load_kw: d(40),
        power_factor: 0.80 + 0.02 * (k % 8) as f64,
        paid_3y: Money::from_fen(90_000 + 1_000 * k),
        due_3y: Money::from_fen(100_000),
        late_fees_3y: Money::from_fen(500 * (k % 4)),
        receivables_3y: Money::from_fen(100_000),
        last_year_kwh: d(12_000 + 500 * k),
        year_before_kwh: d(12_000),
        same_period_last_year_kwh: d(800 * (k + 1)),
    }
}

/// A run of `p` on the customers, graded in `p` (no earlier grades kept).
fn run_of(p: &str, customers: &[CustomerNo], shift: i64) -> Vec<CustomerResult> {
    let population: Vec<Member> = customers
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let k = (k as i64 + shift) % customers.len() as i64;
            Member {
                customer: c.to_string(),
                inputs: inputs(k),
                purchase_amount: Money::from_fen(1_000_000 * (k + 1) + 37),
            }
        })
        .collect();
    let config = SegmentationConfig::default();
    let mut seg = segment(&population, &config).expect("segment");
    carry_grades(&mut seg, period(p), &Default::default(), &config);
    seg.customers
}

fn meta(p: &str, summary: &str) -> SegmentRun {
    SegmentRun {
        period: period(p),
        config: "origin = \"mean\"\n".into(),
        summary_json: summary.into(),
        created_at: Timestamp::from_second(1_800_000_000).expect("time"),
        created_by: "staff:analyst01".into(),
    }
}

pub async fn segmentation_replaces_a_period_atomically_and_reads_back_exactly(store: &dyn Store) {
    fixtures::load(store).await;
    let customers: Vec<CustomerNo> = fixtures::customers()
        .into_iter()
        .map(|c| c.customer_no)
        .collect();
    assert!(customers.len() >= 4, "fixture has customers");
    let p1 = period("2026-08");
    assert_eq!(store.segmentation_run(p1).await.unwrap(), None);
    assert_eq!(store.current_tier(&customers[0]).await.unwrap(), None);

    let first = run_of("2026-08", &customers, 0);
    store
        .replace_segmentation(&meta("2026-08", "{\"n\":1}"), &first)
        .await
        .expect("store the first run");
    let run = store.segmentation_run(p1).await.unwrap().expect("run");
    assert_eq!(run, meta("2026-08", "{\"n\":1}"));
    for r in &first {
        let no = CustomerNo::parse(&r.customer).unwrap();
        let (p, got) = store
            .customer_segment(&no, Some(p1))
            .await
            .unwrap()
            .expect("stored");
        assert_eq!(p, p1);
        assert_eq!(&got, r, "reads back exactly as computed");
        assert_eq!(store.current_tier(&no).await.unwrap(), Some(r.service.tier));
    }
    let any = MemberFilter::default();
    let all = store.segment_members(p1, &any, 10_000).await.unwrap();
    assert_eq!(all.len(), first.len());
    assert!(all.iter().all(|r| r.three_dim.is_some()), "grades stored");
    let mut expected = first.clone();
    expected.sort_by(|a, b| {
        b.value
            .current
            .total_cmp(&a.value.current)
            .then(a.customer.cmp(&b.customer))
    });
    assert_eq!(all, expected, "highest current value first");
    for q in Quadrant::ALL {
        let f = MemberFilter {
            quadrant: Some(*q),
            ..any
        };
        let got = store.segment_members(p1, &f, 10_000).await.unwrap();
        assert_eq!(got.len(), first.iter().filter(|r| r.quadrant == *q).count());
    }
    for g in ThreeDimGrade::ALL {
        let f = MemberFilter {
            grade: Some(*g),
            ..any
        };
        let got = store.segment_members(p1, &f, 10_000).await.unwrap();
        let want = first
            .iter()
            .filter(|r| r.three_dim.map(|x| x.grade) == Some(*g))
            .count();
        assert_eq!(got.len(), want, "{g}");
    }
    let f = MemberFilter {
        abc: Some(AbcClass::D),
        tier: Some(3),
        ..any
    };
    let d = store.segment_members(p1, &f, 2).await.unwrap();
    assert!(!d.is_empty() && d.len() <= 2);
    assert!(
        d.iter()
            .all(|r| r.abc == AbcClass::D && r.service.tier == 3)
    );

    // A re-run of the period on fewer customers replaces it whole.
    let second = run_of("2026-08", &customers[1..], 1);
    store
        .replace_segmentation(&meta("2026-08", "{\"n\":2}"), &second)
        .await
        .expect("re-run");
    let all = store.segment_members(p1, &any, 10_000).await.unwrap();
    assert_eq!(all.len(), second.len(), "no stale rows");
    assert_eq!(
        store
            .customer_segment(&customers[0], Some(p1))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .segmentation_run(p1)
            .await
            .unwrap()
            .unwrap()
            .summary_json,
        "{\"n\":2}"
    );

    // A run naming a customer the archive does not know fails and changes nothing.
    let mut bad = run_of("2026-08", &customers, 2);
    bad.last_mut().unwrap().customer = "9999999999".into();
    assert!(
        store
            .replace_segmentation(&meta("2026-08", "{\"n\":3}"), &bad)
            .await
            .is_err()
    );
    let after = store.segment_members(p1, &any, 10_000).await.unwrap();
    assert_eq!(after, all, "the previous run is intact");
    assert_eq!(
        store
            .segmentation_run(p1)
            .await
            .unwrap()
            .unwrap()
            .summary_json,
        "{\"n\":2}"
    );

    // A later period becomes the current one; movements count every customer of either.
    let third = run_of("2026-09", &customers, 3);
    store
        .replace_segmentation(&meta("2026-09", "{}"), &third)
        .await
        .expect("later period");
    assert_eq!(
        store.segmentation_periods().await.unwrap(),
        vec![period("2026-09"), p1]
    );
    for r in &third {
        let no = CustomerNo::parse(&r.customer).unwrap();
        assert_eq!(store.current_tier(&no).await.unwrap(), Some(r.service.tier));
        let (p, latest) = store.customer_segment(&no, None).await.unwrap().unwrap();
        assert_eq!((p, &latest), (period("2026-09"), r));
    }
    // The grades a run keeps through the review cycle come from the latest earlier period.
    let grades = |rs: &[CustomerResult]| -> std::collections::HashMap<_, _> {
        rs.iter()
            .map(|r| {
                (
                    r.customer.clone(),
                    (r.graded_in.unwrap(), r.three_dim.unwrap()),
                )
            })
            .collect()
    };
    assert!(store.grades_before(p1).await.unwrap().is_empty());
    assert_eq!(
        store.grades_before(period("2026-09")).await.unwrap(),
        grades(&second)
    );
    assert_eq!(
        store.grades_before(period("2027-03")).await.unwrap(),
        grades(&third)
    );
    let code = |g: Grading, r: &CustomerResult| -> Option<String> {
        match g {
            Grading::Quadrant => Some(r.quadrant.code().to_owned()),
            Grading::Abc => Some(r.abc.code().to_owned()),
            Grading::Grade => r.three_dim.map(|x| x.grade.code().to_owned()),
            Grading::Tier => Some(r.service.tier.to_string()),
        }
    };
    for &g in Grading::ALL {
        let moves = store
            .grade_movement(g, p1, period("2026-09"))
            .await
            .unwrap();
        let mut expected: std::collections::BTreeMap<(Option<String>, Option<String>), i64> =
            Default::default();
        for c in &customers {
            let of = |rs: &[CustomerResult]| {
                rs.iter()
                    .find(|r| r.customer == c.as_str())
                    .and_then(|r| code(g, r))
            };
            *expected.entry((of(&second), of(&third))).or_default() += 1;
        }
        let expected: Vec<GradeMove> = expected
            .into_iter()
            .map(|((from, to), count)| GradeMove { from, to, count })
            .collect();
        assert_eq!(moves, expected, "{g}");
        assert_eq!(
            moves.iter().map(|m| m.count).sum::<i64>(),
            customers.len() as i64
        );
        assert!(
            moves
                .iter()
                .flat_map(|m| [&m.from, &m.to])
                .flatten()
                .all(|c| g.codes().contains(&c.as_str())),
            "{g} codes"
        );
        // One period against itself: its counts, nobody moving.
        let one = store.grade_movement(g, p1, p1).await.unwrap();
        assert!(one.iter().all(|m| m.from == m.to));
        assert_eq!(
            one.iter().map(|m| m.count).sum::<i64>(),
            second.len() as i64
        );
    }

    // The explanation is recomputed from a stored row and the run's summary.
    let seg = {
        let population: Vec<Member> = customers
            .iter()
            .enumerate()
            .map(|(k, c)| Member {
                customer: c.to_string(),
                inputs: inputs(((k as i64) + 3) % customers.len() as i64),
                purchase_amount: Money::from_fen(
                    1_000_000 * (((k as i64) + 3) % customers.len() as i64 + 1) + 37,
                ),
            })
            .collect();
        let config = SegmentationConfig::default();
        let mut seg = segment(&population, &config).unwrap();
        carry_grades(&mut seg, period("2026-09"), &Default::default(), &config);
        seg
    };
    let (_, stored) = store
        .customer_segment(&customers[0], None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        Some(explanation(&stored, &seg.summary)),
        seg.explain(customers[0].as_str())
    );
}
