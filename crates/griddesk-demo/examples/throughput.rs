//! Generation and Parquet-writing throughput on one thread, without a store:
//! `cargo run --release -p griddesk-demo --example throughput -- <customers> [lake-dir]`.
//! BENCHMARKS.md's end-to-end figure (with a store) comes from `griddesk demo-data`.

use griddesk_demo::{DemoConfig, Generator, HistoryCounts};
use griddesk_domain::billing::Period;
use griddesk_lake::LakeWriter;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().map_or(Ok(100_000), |s| s.parse())?;
    let dir = match args.next() {
        Some(d) => std::path::PathBuf::from(d),
        None => std::env::temp_dir().join(format!("griddesk-throughput-{}", std::process::id())),
    };
    let g = Generator::new(DemoConfig::new(n, 1, Period::parse("2026-09")?));
    let quick = std::env::var_os("THROUGHPUT_LAKE_ONLY").is_some();
    let sample = if quick { 0 } else { n.min(50_000) };
    let t0 = Instant::now();
    let mut customers_only = 0u64;
    for start in (0..sample).step_by(5_000) {
        customers_only += g.customers(start..(start + 5_000).min(n)).len() as u64;
    }
    let cust_rate = customers_only as f64 / t0.elapsed().as_secs_f64();

    let th = Instant::now();
    let mut records = 0usize;
    for start in (0..sample).step_by(5_000) {
        for c in g.customers(start..(start + 5_000).min(n)) {
            let h = g.history(&c);
            records += h.bills.len() + h.payments.len() + h.readings.len() + h.load_curves.len();
        }
    }
    let hist_rate = sample as f64 / th.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let mut w = LakeWriter::create(&dir, "throughput")?;
    let mut counts = HistoryCounts::default();
    for start in (0..n).step_by(5_000) {
        for c in g.customers(start..(start + 5_000).min(n)) {
            counts += g.write_history(&c, &mut w)?;
        }
    }
    let s = w.finish()?;
    let secs = t1.elapsed().as_secs_f64();
    println!("customers only: {cust_rate:.0} customers/s");
    println!("customers + owned history: {hist_rate:.0} customers/s ({records} records)");
    println!(
        "customers + history + parquet: {n} in {secs:.2} s = {:.0} customers/s ({} bills, {} payments, {} readings, {} curves, {} files)",
        n as f64 / secs,
        counts.bills,
        counts.payments,
        counts.readings,
        counts.load_curves,
        s.files
    );
    if std::env::args().nth(2).is_none() {
        std::fs::remove_dir_all(&dir)?;
    }
    Ok(())
}
