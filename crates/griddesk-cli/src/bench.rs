//! `griddesk bench …`: reproducible measurements behind BENCHMARKS.md. Timings are reported as
//! medians and tail percentiles next to a peer (a plain indexed SQL lookup run the same way on the
//! same database), because this machine is noisy and only ratios travel.

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use griddesk_demo::{DemoConfig, Generator};
use griddesk_domain::billing::Period;
use griddesk_domain::search::SearchQuery;
use griddesk_store::CustomerFilter;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

mod outages;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Customer search latency (number, phone, name and address fragments) against a peer
    /// primary-key lookup, on a database made by `demo-data --customers N --seed S`.
    Search {
        /// Database URL or SQLite path, as for `serve`.
        #[arg(long)]
        database: String,
        /// Size and seed the database was generated with (queries are drawn from them).
        #[arg(long)]
        customers: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Queries per kind.
        #[arg(long, default_value_t = 500)]
        samples: usize,
    },
    /// Outage impact and fault inference through the HTTP API of an in-process server, on a
    /// database made by `demo-data --customers N --seed S`: recording a feeder and a whole
    /// substation outage (affected customers computed and stored), announcing it (notices
    /// enqueued for every affected customer), and the latency of the repair call that raises a
    /// suspected area outage while other calls arrive at `--calls-per-second`. Writes outages
    /// and work orders into the database: use a copy made for benchmarking.
    Outages {
        #[command(flatten)]
        storage: super::Storage,
        #[arg(long)]
        customers: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Outages per kind and suspected outages to raise.
        #[arg(long, default_value_t = 20)]
        samples: usize,
        /// Background repair calls per second during the inference measurement.
        #[arg(long, default_value_t = 1000)]
        calls_per_second: u32,
    },
}

pub async fn run(cmd: BenchCommand) -> Result<()> {
    match cmd {
        BenchCommand::Search {
            database,
            customers,
            seed,
            samples,
        } => search(&database, customers, seed, samples).await,
        BenchCommand::Outages {
            storage,
            customers,
            seed,
            samples,
            calls_per_second,
        } => outages::run(&storage, customers, seed, samples, calls_per_second).await,
    }
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

pub(crate) fn report(
    label: &str,
    mut times: Vec<Duration>,
    peer_p50: Option<Duration>,
) -> Duration {
    times.sort();
    let (p50, p90, p99) = (
        percentile(&times, 0.5),
        percentile(&times, 0.9),
        percentile(&times, 0.99),
    );
    let ratio = peer_p50
        .map(|p| format!("{:.1}x", p50.as_secs_f64() / p.as_secs_f64()))
        .unwrap_or_else(|| "peer".into());
    println!(
        "{label:<28} n={:<6} p50={:>9.3} ms  p90={:>9.3} ms  p99={:>9.3} ms  p50/peer={ratio}",
        times.len(),
        p50.as_secs_f64() * 1e3,
        p90.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    p50
}

async fn search(database: &str, customers: u64, seed: u64, samples: usize) -> Result<()> {
    if customers == 0 || samples == 0 {
        bail!("--customers and --samples must be positive");
    }
    let store = super::open_store(database).await?;
    let gen_cfg = DemoConfig::new(customers, seed, Period::parse("2026-10")?);
    let generator = Generator::new(gen_cfg);
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(0xBE7C);
    let picks: Vec<_> = (0..samples)
        .map(|_| {
            let i = rng.random_range(0..customers);
            generator.customers(i..i + 1).remove(0)
        })
        .collect();
    let filter = CustomerFilter::default();

    // Peer: the plain indexed SQL query a developer would write for an exact customer number.
    let mut peer = Vec::with_capacity(samples);
    for c in &picks {
        let t = Instant::now();
        let n = peer_lookup(database, c.customer_no.as_str()).await?;
        peer.push(t.elapsed());
        if n != 1 {
            bail!(
                "peer lookup found {n} rows for {}: wrong --customers/--seed?",
                c.customer_no
            );
        }
    }
    println!(
        "backend: {}  customers: {customers}  samples per kind: {samples}",
        store.backend()
    );
    let peer_p50 = report("peer: SELECT by customer_no", peer, None);

    type MakeQuery = fn(&griddesk_domain::customer::Customer) -> String;
    let kinds: [(&str, MakeQuery); 4] = [
        ("search: customer number", |c| c.customer_no.to_string()),
        ("search: phone", |c| {
            c.primary_phone().map(|p| p.to_string()).unwrap_or_default()
        }),
        ("search: name fragment", |c| {
            c.name.chars().take(3).collect()
        }),
        ("search: address fragment", |c| {
            c.address.chars().skip(3).take(5).collect()
        }),
    ];
    for (label, make) in kinds {
        let mut times = Vec::with_capacity(samples);
        let mut hits = 0usize;
        for c in &picks {
            let Ok(q) = SearchQuery::parse(&make(c)) else {
                continue;
            };
            let t = Instant::now();
            let rows = store.search_customers(Some(&q), &filter, 20).await?;
            times.push(t.elapsed());
            hits += usize::from(!rows.is_empty());
        }
        if times.is_empty() {
            continue;
        }
        let n = times.len();
        report(label, times, Some(peer_p50));
        println!("{:<28} {hits}/{n} queries returned rows", "");
    }
    Ok(())
}

/// One exact lookup through a fresh query on the backend's own pool.
async fn peer_lookup(database: &str, customer_no: &str) -> Result<i64> {
    static SQLITE: tokio::sync::OnceCell<sqlx::SqlitePool> = tokio::sync::OnceCell::const_new();
    static PG: tokio::sync::OnceCell<sqlx::PgPool> = tokio::sync::OnceCell::const_new();
    let sql = "SELECT count(*) FROM (SELECT customer_no, name, address FROM customer WHERE customer_no = $1) t";
    if database.starts_with("postgres") {
        let pool = PG
            .get_or_try_init(|| sqlx::PgPool::connect(database))
            .await
            .context("peer connection")?;
        Ok(sqlx::query_scalar(sql)
            .bind(customer_no)
            .fetch_one(pool)
            .await?)
    } else {
        let url = if database.starts_with("sqlite:") {
            database.to_owned()
        } else {
            format!("sqlite://{database}")
        };
        let pool = SQLITE
            .get_or_try_init(|| sqlx::SqlitePool::connect(&url))
            .await
            .context("peer connection")?;
        Ok(sqlx::query_scalar(sql)
            .bind(customer_no)
            .fetch_one(pool)
            .await?)
    }
}
