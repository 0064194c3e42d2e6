//! Round trips through real Parquet files in a temporary directory.

use super::*;
use griddesk_domain::billing::PayChannel;
use griddesk_domain::values::{Code, Money};
use jiff::civil::{Date, date};
use rust_decimal::Decimal;

fn cno(n: u64) -> CustomerNo {
    CustomerNo::parse(&format!("{n:010}")).unwrap()
}

fn period(s: &str) -> Period {
    Period::parse(s).unwrap()
}

fn bill(c: &CustomerNo, p: &str, fen: i64) -> Bill {
    let per = period(p);
    Bill {
        bill_no: format!("B{c}{}", p.replace('-', "")),
        customer_no: c.clone(),
        period: per,
        consumption_kwh: Decimal::new(fen * 2 + 7, 2),
        amount: Money::from_fen(fen),
        late_fee: Money::ZERO,
        issued_on: per.next().first_day(),
        due_on: date(per.next().year(), per.next().month(), 20),
    }
}

fn pay(b: &Bill, at: &str, bounced: bool) -> Payment {
    Payment {
        payment_no: format!("P{}{}", &b.bill_no[1..], u8::from(bounced)),
        customer_no: b.customer_no.clone(),
        bill_no: b.bill_no.clone(),
        paid_at: at.parse().unwrap(),
        amount: b.total_due(),
        channel: if bounced {
            PayChannel::TransferCheque
        } else {
            PayChannel::Wechat
        },
        bounced,
    }
}

fn reading(c: &CustomerNo, d: Date, centi: i64) -> Reading {
    Reading {
        customer_no: c.clone(),
        meter_no: Code::parse(&format!("E{c}01")).unwrap(),
        reading_date: d,
        register_kwh: Decimal::new(centi, 2),
    }
}

fn curve(c: &CustomerNo, d: Date) -> LoadCurve {
    LoadCurve {
        customer_no: c.clone(),
        curve_date: d,
        points_kw: (0..96).map(|i| i as f32 * 1.5 + 0.25).collect(),
    }
}

fn days(from: Date, n: i64) -> impl Iterator<Item = Date> {
    (0..n).map(move |i| from.checked_add(jiff::Span::new().days(i)).unwrap())
}

fn parquet_files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for t in schema::TABLES {
        let Ok(months) = std::fs::read_dir(root.join(t)) else {
            continue;
        };
        for m in months {
            let m = m.unwrap();
            for f in std::fs::read_dir(m.path()).unwrap() {
                let f = f.unwrap();
                out.push(format!(
                    "{t}/{}/{}",
                    m.file_name().to_string_lossy(),
                    f.file_name().to_string_lossy()
                ));
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn round_trip_every_table() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (cno(1_000_000_001), cno(1_000_000_002));
    let bills: Vec<Bill> = ["2026-01", "2026-02", "2026-03"]
        .iter()
        .flat_map(|p| [bill(&a, p, 12_345), bill(&b, p, 99)])
        .collect();
    let payments = vec![
        pay(&bills[0], "2026-02-10T03:00:00Z", false),
        pay(&bills[2], "2026-03-05T03:00:00Z", true),
        pay(&bills[2], "2026-03-12T03:00:00Z", false),
        pay(&bills[1], "2026-02-11T03:00:00Z", false),
    ];
    let readings: Vec<Reading> = days(date(2026, 3, 10), 25)
        .enumerate()
        .flat_map(|(i, d)| [reading(&a, d, 100_000 + i as i64 * 731), reading(&b, d, 5)])
        .collect();
    let curves: Vec<LoadCurve> = days(date(2026, 3, 30), 3).map(|d| curve(&a, d)).collect();

    let mut w = LakeWriter::create(dir.path(), "demo-1").unwrap();
    w.write_bills(&bills).unwrap();
    w.write_payments(&payments).unwrap();
    w.write_readings(&readings).unwrap();
    w.write_load_curves(&curves).unwrap();
    let s = w.finish().unwrap();
    assert_eq!(
        s,
        WriteSummary {
            bills: 6,
            payments: 4,
            readings: 50,
            load_curves: 3,
            // bills 3 months, payments 2, readings 2, curves 2
            files: 9,
        }
    );

    let lake = Lake::open(dir.path()).unwrap();
    let h = lake
        .customer_history(&a, 36, date(2026, 4, 3))
        .await
        .unwrap();
    let want_bills: Vec<Bill> = bills
        .iter()
        .filter(|x| x.customer_no == a)
        .cloned()
        .collect();
    assert_eq!(h.bills, want_bills);
    let mut want_pay: Vec<Payment> = payments
        .iter()
        .filter(|x| x.customer_no == a)
        .cloned()
        .collect();
    want_pay.sort_by_key(|p| p.paid_at);
    assert_eq!(h.payments, want_pay);
    let want_readings: Vec<Reading> = readings
        .iter()
        .filter(|r| r.customer_no == a && r.reading_date >= date(2026, 3, 3))
        .cloned()
        .collect();
    assert_eq!(h.readings.len(), 25);
    assert_eq!(h.readings, want_readings);
    assert_eq!(h.load_curves, curves);
    assert_eq!(h.arrears.total_billed, Money::from_fen(3 * 12_345));
    assert_eq!(h.arrears.total_paid, Money::from_fen(2 * 12_345));
    assert_eq!(h.arrears.arrears, Money::from_fen(12_345));
    assert_eq!(h.arrears.bounced_payments, 1);
    assert_eq!(h.arrears.oldest_unpaid, Some(period("2026-03")));

    let hb = lake
        .customer_history(&b, 36, date(2026, 4, 3))
        .await
        .unwrap();
    assert_eq!(hb.bills.len(), 3);
    assert!(hb.bills.iter().all(|x| x.customer_no == b));
    assert_eq!(hb.payments, vec![payments[3].clone()]);
    assert!(hb.load_curves.is_empty());
    assert!(hb.readings.iter().all(|r| r.customer_no == b));
    assert_eq!(hb.arrears.arrears, Money::from_fen(2 * 99));
}

#[tokio::test]
async fn partitions_by_month_and_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let a = cno(42);
    let mut w = LakeWriter::create(dir.path(), "import-abc").unwrap();
    let b1 = bill(&a, "2025-12", 100);
    let b2 = bill(&a, "2026-01", 200);
    w.write_bills(&[b2.clone(), b1.clone()]).unwrap();
    // Paid at 2026-01-31 20:00 UTC: the payment partition is the UTC month.
    w.write_payments(&[pay(&b1, "2026-01-31T20:00:00Z", false)])
        .unwrap();
    w.write_readings(&[reading(&a, date(2026, 2, 1), 1)])
        .unwrap();
    w.write_load_curves(&[curve(&a, date(2026, 1, 31))])
        .unwrap();
    // Before finish only temporary files exist, which readers ignore.
    assert!(
        parquet_files(dir.path())
            .iter()
            .all(|f| f.ends_with(".parquet.tmp"))
    );
    let lake = Lake::open(dir.path()).unwrap();
    let h = lake
        .customer_history(&a, 36, date(2026, 2, 2))
        .await
        .unwrap();
    assert!(h.bills.is_empty() && h.payments.is_empty() && h.readings.is_empty());

    w.finish().unwrap();
    assert_eq!(
        parquet_files(dir.path()),
        vec![
            "bills/month=2025-12/import-abc.parquet",
            "bills/month=2026-01/import-abc.parquet",
            "load_curves/month=2026-01/import-abc.parquet",
            "payments/month=2026-01/import-abc.parquet",
            "readings/month=2026-02/import-abc.parquet",
        ]
    );
    // The same lake object sees files written after it was opened.
    let h = lake
        .customer_history(&a, 36, date(2026, 2, 2))
        .await
        .unwrap();
    assert_eq!(h.bills, vec![b1, b2]);
    assert_eq!(h.payments.len(), 1);
    assert_eq!(h.readings.len(), 1);
    assert_eq!(h.load_curves.len(), 1);
}

#[tokio::test]
async fn rewriting_a_stem_replaces_its_files_and_duplicates_count_once() {
    let dir = tempfile::tempdir().unwrap();
    let a = cno(7);
    let first = bill(&a, "2026-03", 1_000);
    let mut w = LakeWriter::create(dir.path(), "import-x").unwrap();
    w.write_bills(std::slice::from_ref(&first)).unwrap();
    w.finish().unwrap();
    let lake = Lake::open(dir.path()).unwrap();
    assert_eq!(
        lake.customer_history(&a, 12, date(2026, 4, 2))
            .await
            .unwrap()
            .bills,
        vec![first.clone()]
    );

    // Same stem again, corrected amount: the file is replaced, not appended to.
    let corrected = Bill {
        amount: Money::from_fen(1_001),
        ..first.clone()
    };
    let mut w = LakeWriter::create(dir.path(), "import-x").unwrap();
    w.write_bills(std::slice::from_ref(&corrected)).unwrap();
    w.finish().unwrap();
    assert_eq!(
        parquet_files(dir.path()),
        vec!["bills/month=2026-03/import-x.parquet"]
    );
    let h = lake
        .customer_history(&a, 12, date(2026, 4, 2))
        .await
        .unwrap();
    assert_eq!(h.bills, vec![corrected.clone()]);

    // The same records imported under another name count once.
    let mut w = LakeWriter::create(dir.path(), "import-y").unwrap();
    w.write_bills(std::slice::from_ref(&corrected)).unwrap();
    let p = pay(&corrected, "2026-04-01T01:00:00Z", false);
    w.write_payments(std::slice::from_ref(&p)).unwrap();
    w.write_readings(&[reading(&a, date(2026, 4, 1), 10)])
        .unwrap();
    w.finish().unwrap();
    let mut w = LakeWriter::create(dir.path(), "import-z").unwrap();
    w.write_payments(std::slice::from_ref(&p)).unwrap();
    w.write_readings(&[reading(&a, date(2026, 4, 1), 10)])
        .unwrap();
    w.finish().unwrap();
    let h = lake
        .customer_history(&a, 12, date(2026, 4, 2))
        .await
        .unwrap();
    assert_eq!(h.bills, vec![corrected]);
    assert_eq!(h.payments, vec![p]);
    assert_eq!(h.readings.len(), 1);
    assert_eq!(h.arrears.arrears, Money::ZERO);
    assert_eq!(h.arrears.total_billed, Money::from_fen(1_001));
}

#[tokio::test]
async fn empty_and_missing_lakes_are_empty() {
    let dir = tempfile::tempdir().unwrap();
    let today = date(2026, 5, 1);
    for root in [dir.path().to_path_buf(), dir.path().join("not-there")] {
        let lake = Lake::open(&root).unwrap();
        let h = lake.customer_history(&cno(1), 36, today).await.unwrap();
        assert!(h.bills.is_empty());
        assert!(h.payments.is_empty());
        assert!(h.readings.is_empty());
        assert!(h.load_curves.is_empty());
        assert_eq!(h.arrears, ArrearsSummary::compute(&[], &[], today));
    }
    // A table directory without any month partition is empty too.
    std::fs::create_dir_all(dir.path().join("bills")).unwrap();
    let lake = Lake::open(dir.path()).unwrap();
    assert!(
        lake.customer_history(&cno(1), 36, today)
            .await
            .unwrap()
            .bills
            .is_empty()
    );
}

#[tokio::test]
async fn history_windows_have_exact_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let a = cno(5);
    let today = date(2026, 5, 15);
    // months = 3 from 2026-05: periods 2026-02 .. 2026-05 are in, 2026-01 is out.
    let bills: Vec<Bill> = ["2026-01", "2026-02", "2026-03", "2026-04"]
        .iter()
        .map(|p| bill(&a, p, 500))
        .collect();
    let payments = vec![
        pay(&bills[0], "2026-01-31T23:59:59Z", false),
        pay(&bills[1], "2026-02-01T00:00:00Z", false),
    ];
    // today - 31 days = 2026-04-14 is the first day in; 04-13 is out; today is in, tomorrow out.
    let readings: Vec<Reading> = days(date(2026, 4, 12), 35)
        .enumerate()
        .map(|(i, d)| reading(&a, d, i as i64))
        .collect();
    let curves: Vec<LoadCurve> = [
        date(2026, 4, 13),
        date(2026, 4, 14),
        today,
        date(2026, 5, 16),
    ]
    .iter()
    .map(|d| curve(&a, *d))
    .collect();
    let mut w = LakeWriter::create(dir.path(), "w").unwrap();
    w.write_bills(&bills).unwrap();
    w.write_payments(&payments).unwrap();
    w.write_readings(&readings).unwrap();
    w.write_load_curves(&curves).unwrap();
    w.finish().unwrap();

    let lake = Lake::open(dir.path()).unwrap();
    let h = lake.customer_history(&a, 3, today).await.unwrap();
    let periods: Vec<String> = h.bills.iter().map(|b| b.period.to_string()).collect();
    assert_eq!(periods, ["2026-02", "2026-03", "2026-04"]);
    assert_eq!(h.payments, vec![payments[1].clone()]);
    assert_eq!(h.readings.first().unwrap().reading_date, date(2026, 4, 14));
    assert_eq!(h.readings.last().unwrap().reading_date, today);
    assert_eq!(h.readings.len(), 32);
    let curve_days: Vec<Date> = h.load_curves.iter().map(|c| c.curve_date).collect();
    assert_eq!(curve_days, [date(2026, 4, 14), today]);
    // The arrears summary still covers the bill outside the window (paid) and the open ones.
    assert_eq!(h.arrears.total_billed, Money::from_fen(2_000));
    assert_eq!(h.arrears.total_paid, Money::from_fen(1_000));
    assert_eq!(h.arrears.oldest_unpaid, Some(period("2026-03")));
    assert_eq!(h.arrears.overdue_bills, 1);
}

#[tokio::test]
async fn decimals_round_trip_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let a = cno(9);
    let mut b = bill(&a, "2026-06", 1);
    b.amount = Money::parse("amount", "9999999999.99").unwrap();
    b.late_fee = Money::parse("late_fee", "0.01").unwrap();
    b.consumption_kwh = "1234567.8".parse().unwrap();
    let r = Reading {
        register_kwh: "0.070".parse().unwrap(),
        ..reading(&a, date(2026, 6, 30), 0)
    };
    let mut w = LakeWriter::create(dir.path(), "d").unwrap();
    w.write_bills(std::slice::from_ref(&b)).unwrap();
    w.write_readings(std::slice::from_ref(&r)).unwrap();
    // Three significant decimals cannot be stored exactly: refused, nothing buffered.
    let bad = Reading {
        register_kwh: "1.005".parse().unwrap(),
        ..r.clone()
    };
    assert!(matches!(
        w.write_readings(&[bad]),
        Err(LakeError::Corrupt(m)) if m.contains("register_kwh")
    ));
    w.finish().unwrap();

    let lake = Lake::open(dir.path()).unwrap();
    let h = lake
        .customer_history(&a, 1, date(2026, 7, 1))
        .await
        .unwrap();
    assert_eq!(h.bills, vec![b]);
    assert_eq!(h.bills[0].amount.to_string(), "9999999999.99");
    assert_eq!(h.bills[0].consumption_kwh.to_string(), "1234567.80");
    assert_eq!(h.readings.len(), 1);
    assert_eq!(h.readings[0].register_kwh, r.register_kwh);
    assert_eq!(h.arrears.arrears.to_string(), "10000000000.00");
}

#[tokio::test]
async fn point_lookup_across_many_row_groups() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = LakeWriter::create(dir.path(), "big").unwrap();
    // 150,000 customers in one month: several row groups and many pages.
    for i in 0..150_000u64 {
        w.write_bills(&[bill(&cno(1_000_000_000 + i), "2026-01", i as i64 + 1)])
            .unwrap();
    }
    assert_eq!(w.finish().unwrap().bills, 150_000);
    let lake = Lake::open(dir.path()).unwrap();
    for i in [0u64, 65_535, 65_536, 99_999, 149_999] {
        let c = cno(1_000_000_000 + i);
        let h = lake
            .customer_history(&c, 36, date(2026, 2, 1))
            .await
            .unwrap();
        assert_eq!(h.bills.len(), 1, "customer {c}");
        assert_eq!(h.bills[0].amount, Money::from_fen(i as i64 + 1));
    }
    let none = lake
        .customer_history(&cno(2_000_000_000), 36, date(2026, 2, 1))
        .await
        .unwrap();
    assert!(none.bills.is_empty());
}

#[test]
fn dropped_writer_leaves_nothing_and_bad_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = cno(3);
    {
        let mut w = LakeWriter::create(dir.path(), "gone").unwrap();
        w.write_bills(&[bill(&a, "2026-01", 1)]).unwrap();
    }
    assert!(parquet_files(dir.path()).is_empty());

    for stem in ["", "../x", "a/b", ".hidden", "x.tmp", "名字"] {
        assert!(LakeWriter::create(dir.path(), stem).is_err(), "{stem:?}");
    }
    let mut w = LakeWriter::create(dir.path(), "c").unwrap();
    let short = LoadCurve {
        points_kw: vec![1.0; 95],
        ..curve(&a, date(2026, 1, 1))
    };
    assert!(w.write_load_curves(&[short]).is_err());
}

fn flat_curve(c: &CustomerNo, d: Date, kw: f32) -> LoadCurve {
    LoadCurve {
        customer_no: c.clone(),
        curve_date: d,
        points_kw: (0..96).map(|i| kw + (i % 4) as f32).collect(),
    }
}

#[tokio::test]
async fn typical_curves_average_the_recent_days_and_count_a_duplicate_once() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, other) = (cno(1), cno(2), cno(3));
    let mut w = LakeWriter::create(dir.path(), "import-x").unwrap();
    // a: 10 kW on Mar 29-31 and Apr 1 (across a month boundary), and 1,000 kW on Mar 28, the
    // day before the 4-day window; b: 100 kW on Apr 1 only; `other` 50 kW on Apr 3, after
    // `until`.
    let curves: Vec<LoadCurve> = days(date(2026, 3, 29), 4)
        .map(|d| flat_curve(&a, d, 10.0))
        .chain([
            flat_curve(&a, date(2026, 3, 28), 1_000.0),
            flat_curve(&b, date(2026, 4, 1), 100.0),
            flat_curve(&other, date(2026, 4, 3), 50.0),
        ])
        .collect();
    w.write_load_curves(&curves).unwrap();
    w.finish().unwrap();
    // The same curve of b imported again under another name.
    let mut w = LakeWriter::create(dir.path(), "import-y").unwrap();
    w.write_load_curves(&[flat_curve(&b, date(2026, 4, 1), 100.0)])
        .unwrap();
    w.finish().unwrap();

    let lake = Lake::open(dir.path()).unwrap();
    let t = lake
        .typical_curves(&[a.clone(), b.clone(), cno(9)], date(2026, 4, 2), 4)
        .await
        .unwrap();
    assert_eq!(t.days, Some((date(2026, 3, 29), date(2026, 4, 1))));
    let point = |v: &[f64], i: usize| v[i];
    // a: 10 kW every day (+ i % 4).
    assert_eq!(point(&t.customers[&a], 1), 11.0);
    // b: one day; counted once although stored twice.
    assert_eq!(point(&t.customers[&b], 0), 100.0);
    assert!(!t.customers.contains_key(&cno(9)) && !t.customers.contains_key(&other));
    // The company: point 0 is 10 on Mar 29-31 and 10 + 100 on Apr 1, mean 35; point 3 adds 3
    // to each curve: (3 × 13 + 116) / 4.
    let sys = t.system.as_ref().unwrap();
    assert_eq!((point(sys, 0), point(sys, 3)), (35.0, 38.75));

    // Nothing in the lookback, or no curves table at all: nothing.
    let far = lake
        .typical_curves(std::slice::from_ref(&a), date(2026, 9, 1), 4)
        .await
        .unwrap();
    assert_eq!(far, curves::TypicalCurves::default());
    let empty = tempfile::tempdir().unwrap();
    let none = Lake::open(empty.path())
        .unwrap()
        .typical_curves(&[a], date(2026, 4, 2), 4)
        .await
        .unwrap();
    assert_eq!(none.system, None);
}
