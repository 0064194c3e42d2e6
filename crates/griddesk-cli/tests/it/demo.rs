//! End to end: `run` into a real SQLite store and a lake in a temporary directory.

use griddesk_demo::{DemoConfig, Generator, run};
use griddesk_domain::billing::Period;
use griddesk_lake::Lake;
use griddesk_sqlite::SqliteStore;
use griddesk_store::{OrderlyStore, Store};
use std::sync::Mutex;

fn lake_files(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for table in griddesk_lake::schema::TABLES {
        let Ok(months) = std::fs::read_dir(root.join(table)) else {
            continue;
        };
        for m in months.flatten() {
            for f in std::fs::read_dir(m.path()).unwrap().flatten() {
                out.push(format!("{table}/{}", f.file_name().to_string_lossy()));
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn run_fills_the_store_and_the_lake_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("griddesk.db"))
        .await
        .unwrap();
    let lake_root = dir.path().join("lake");
    let cfg = DemoConfig::new(1_200, 4, Period::parse("2026-09").unwrap());
    let seen = Mutex::new(Vec::new());
    let progress = |n: u64| seen.lock().unwrap().push(n);

    let s = run(&store, &lake_root, &cfg, &progress).await.unwrap();
    assert_eq!(s.customers, 1_200);
    assert_eq!(s.theft_cases, 3);
    assert!(s.bills > 1_200 * 30 && s.payments > 1_200 * 30);
    assert_eq!(s.readings % 31, 0);
    assert_eq!(*seen.lock().unwrap().last().unwrap(), 1_200);

    let stats = store.stats().await.unwrap();
    assert_eq!(stats.customers, 1_200);
    assert_eq!(stats.org_units, s.org_units);
    assert_eq!(stats.staff, s.staff);
    assert_eq!(stats.substations, s.substations);
    assert_eq!(stats.feeders, s.feeders);
    assert_eq!(stats.areas, s.areas);

    // The store holds exactly what the generator makes, theft cases included.
    let g = Generator::new(cfg.clone());
    let mut thefts = 0;
    for c in g.customers(0..1_200) {
        if g.is_theft_case(Generator::index_of(&c.customer_no).unwrap()) {
            let d = store.customer(&c.customer_no).await.unwrap().unwrap();
            assert_eq!(d.customer, c);
            assert_eq!(d.theft_cases, vec![g.theft_case(&c).unwrap()]);
            thefts += 1;
        }
    }
    assert_eq!(thefts, 3);
    let sample = g.customers(777..778).remove(0);
    assert_eq!(
        store
            .customer(&sample.customer_no)
            .await
            .unwrap()
            .unwrap()
            .customer,
        sample
    );

    // The lake has one demo-4 file per (table, month) and the customer's history.
    let files = lake_files(&lake_root);
    assert_eq!(files.len() as u64, s.lake_files);
    assert!(files.iter().all(|f| f.ends_with("/demo-4.parquet")));
    let lake = Lake::open(&lake_root).unwrap();
    let h = lake
        .customer_history(&sample.customer_no, 36, cfg.as_of)
        .await
        .unwrap();
    assert_eq!(h.bills, g.history(&sample).bills);

    // The load-limiting sequence is the generator's, for its high-voltage industrial customers.
    let all = g.customers(0..1_200);
    let entries: Vec<_> = all.iter().filter_map(|c| g.orderly_entry(c)).collect();
    assert!(!entries.is_empty());
    assert_eq!(s.orderly_sequence, entries.len() as u64);
    let mut stored: Vec<_> = store
        .orderly_sequence()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.entry)
        .collect();
    stored.sort_by(|a, b| a.customer_no.cmp(&b.customer_no));
    assert_eq!(stored, entries);

    // Typical curves from the lake are the generator's curves averaged: each sequence
    // customer's over the last 14 days, and the company's as the daily sum of every curve.
    let last_day = cfg.last_month.next().first_day().yesterday().unwrap();
    let nos: Vec<_> = entries.iter().map(|e| e.customer_no.clone()).collect();
    let t = lake
        .typical_curves(&nos, last_day.tomorrow().unwrap(), 14)
        .await
        .unwrap();
    let first_day = last_day.checked_sub(jiff::Span::new().days(13)).unwrap();
    assert_eq!(t.days, Some((first_day, last_day)));
    let in_window = |c: &griddesk_domain::customer::Customer| {
        g.history(c)
            .load_curves
            .into_iter()
            .filter(|l| l.curve_date >= first_day && l.curve_date <= last_day)
            .collect::<Vec<_>>()
    };
    let mut system = vec![0.0f64; 96];
    let mut with_curves = 0;
    for c in all.iter().filter(|c| c.is_high_voltage()) {
        let curves = in_window(c);
        for l in &curves {
            for (s, v) in system.iter_mut().zip(&l.points_kw) {
                *s += f64::from(*v) / 14.0;
            }
        }
        let Some(e) = entries.iter().find(|e| e.customer_no == c.customer_no) else {
            continue;
        };
        assert_eq!(curves.len(), 14, "{}", e.customer_no);
        let mean: Vec<f64> = (0..96)
            .map(|i| {
                curves
                    .iter()
                    .map(|l| f64::from(l.points_kw[i]))
                    .sum::<f64>()
                    / 14.0
            })
            .collect();
        let got = &t.customers[&e.customer_no];
        assert!(
            mean.iter()
                .zip(got)
                .all(|(a, b)| (a - b).abs() < 1e-6 * a.abs().max(1.0))
        );
        with_curves += 1;
    }
    assert_eq!(with_curves, entries.len());
    let got = t.system.as_ref().unwrap();
    assert!(
        system
            .iter()
            .zip(got)
            .all(|(a, b)| (a - b).abs() < 1e-6 * a.abs().max(1.0))
    );

    // Running again rewrites the same records: nothing doubles.
    let again = run(&store, &lake_root, &cfg, &|_| {}).await.unwrap();
    assert_eq!(again.customers, s.customers);
    assert_eq!(store.stats().await.unwrap(), stats);
    assert_eq!(store.orderly_sequence().await.unwrap().len(), entries.len());
    assert_eq!(lake_files(&lake_root), files);
    let h2 = lake
        .customer_history(&sample.customer_no, 36, cfg.as_of)
        .await
        .unwrap();
    assert_eq!(h2, h);
}

#[tokio::test]
async fn an_invalid_configuration_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("griddesk.db"))
        .await
        .unwrap();
    let mut cfg = DemoConfig::new(10, 1, Period::parse("2026-09").unwrap());
    cfg.months = 0;
    let err = run(&store, &dir.path().join("lake"), &cfg, &|_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, griddesk_demo::DemoError::Config(_)), "{err}");
    assert_eq!(store.stats().await.unwrap().customers, 0);
    assert!(!dir.path().join("lake").exists());
}
