//! End to end: `run` into a real SQLite store and a lake in a temporary directory.

use griddesk_demo::{DemoConfig, Generator, run};
use griddesk_domain::billing::Period;
use griddesk_lake::Lake;
use griddesk_sqlite::SqliteStore;
use griddesk_store::Store;
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

    // Running again rewrites the same records: nothing doubles.
    let again = run(&store, &lake_root, &cfg, &|_| {}).await.unwrap();
    assert_eq!(again.customers, s.customers);
    assert_eq!(store.stats().await.unwrap(), stats);
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
