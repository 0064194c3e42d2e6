//! Point-lookup latency of `Lake::customer_history` on a lake written by `demo-data` or by the
//! `throughput` example: `cargo run --release -p griddesk-demo --example lake_lookup --
//! <lake-dir> <customers> [samples]`.

use griddesk_demo::Generator;
use griddesk_lake::Lake;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(
        args.next()
            .ok_or("usage: lake_lookup <lake-dir> <customers> [samples]")?,
    );
    let customers: u64 = args.next().ok_or("customers missing")?.parse()?;
    let samples: u64 = args.next().map_or(Ok(200), |s| s.parse())?;
    let lake = Lake::open(&dir)?;
    // Experiments: LAKE_SET="datafusion.execution.parquet.pushdown_filters=false;..."
    if let Ok(sets) = std::env::var("LAKE_SET") {
        for kv in sets.split(';').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').ok_or("LAKE_SET entries are key=value")?;
            lake.session()
                .sql(&format!("SET {k} = {v}"))
                .await?
                .collect()
                .await?;
        }
    }
    let today = jiff::civil::date(2026, 10, 28);
    let mut times: Vec<Duration> = Vec::new();
    let mut bills = 0;
    for k in 0..samples {
        // Spread over the whole range, deterministic.
        let i = (k * 7_919_993) % customers;
        let no = Generator::customer_no(i);
        let t = Instant::now();
        if let Ok(sql) = std::env::var("LAKE_SQL") {
            // Experiments: time one query instead, `{no}` replaced by the customer number.
            let batches = lake
                .session()
                .sql(&sql.replace("{no}", no.as_str()))
                .await?
                .collect()
                .await?;
            bills += batches.iter().map(|b| b.num_rows()).sum::<usize>();
        } else {
            bills += lake.customer_history(&no, 36, today).await?.bills.len();
        }
        times.push(t.elapsed());
    }
    let first = times[0];
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{samples} lookups: first {:.1} ms, p50 {:.1} ms, p99 {:.1} ms ({bills} bills)",
        first.as_secs_f64() * 1e3,
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3
    );
    Ok(())
}
