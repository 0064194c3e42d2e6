//! `run`: writes the synthetic company to a store and its history to the lake, streaming.
//!
//! Generation and Parquet writing happen on one blocking thread, which hands each chunk of
//! customers to the async side through a bounded channel (capacity 2); the async side stores
//! them. Memory holds at most a few chunks of customers plus the lake writer's per-month buffers.

use crate::history::{HistoryCounts, Scratch};
use crate::{DemoConfig, Generator};
use griddesk_domain::customer::Customer;
use griddesk_domain::revenue::TheftCase;
use griddesk_lake::{LakeError, LakeWriter, WriteSummary};
use griddesk_store::{Store, StoreError};
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Customers per chunk handed from the generator thread to the store.
const CHUNK: u64 = 5_000;
/// Areas per store call (each call is one transaction).
const AREA_BATCH: usize = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("invalid demo configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Lake(#[from] LakeError),
    /// A generated customer failed validation: a generator bug, reported rather than stored.
    #[error("generated customer {customer_no} is invalid: {reason}")]
    Invalid { customer_no: String, reason: String },
    #[error("the generator thread failed: {0}")]
    Worker(String),
}

/// What `run` wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub org_units: u64,
    pub staff: u64,
    pub substations: u64,
    pub feeders: u64,
    pub areas: u64,
    pub customers: u64,
    pub bills: u64,
    pub payments: u64,
    pub readings: u64,
    pub load_curves: u64,
    pub theft_cases: u64,
    /// Customers in the load-limiting sequence.
    pub orderly_sequence: u64,
    /// Parquet files written to the lake.
    pub lake_files: u64,
    pub elapsed: Duration,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.elapsed.as_secs_f64();
        writeln!(
            f,
            "{} customers in {:.1} s ({:.0} customers/s)",
            self.customers,
            secs,
            if secs > 0.0 {
                self.customers as f64 / secs
            } else {
                0.0
            }
        )?;
        writeln!(
            f,
            "organisation: {} units, {} staff; grid: {} substations, {} feeders, {} transformer areas",
            self.org_units, self.staff, self.substations, self.feeders, self.areas
        )?;
        write!(
            f,
            "lake: {} bills, {} payments, {} readings, {} load curves in {} files; {} theft cases; \
             {} customers in the load-limiting sequence",
            self.bills,
            self.payments,
            self.readings,
            self.load_curves,
            self.lake_files,
            self.theft_cases,
            self.orderly_sequence
        )
    }
}

struct Chunk {
    customers: Vec<Customer>,
    thefts: Vec<TheftCase>,
}

/// Generates the company described by `cfg` into `store` and the lake at `lake_root` (files
/// named `demo-<seed>`). Calls `progress` with the number of customers stored after each chunk.
/// Re-running with the same configuration rewrites the same records (store upserts, lake files
/// replaced).
pub async fn run(
    store: &dyn Store,
    lake_root: &Path,
    cfg: &DemoConfig,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> Result<DemoSummary, DemoError> {
    cfg.check()?;
    let started = Instant::now();
    let generator = Arc::new(Generator::new(cfg.clone()));
    let company = generator.company();
    store.upsert_org_units(&company.org_units).await?;
    store.upsert_staff(&company.staff).await?;
    store.upsert_substations(&company.substations).await?;
    store.upsert_feeders(&company.feeders).await?;
    for areas in company.areas.chunks(AREA_BATCH) {
        store.upsert_areas(areas).await?;
    }
    let mut summary = DemoSummary {
        org_units: company.org_units.len() as u64,
        staff: company.staff.len() as u64,
        substations: company.substations.len() as u64,
        feeders: company.feeders.len() as u64,
        areas: company.areas.len() as u64,
        ..DemoSummary::default()
    };
    drop(company);

    let (tx, mut rx) = tokio::sync::mpsc::channel::<Chunk>(2);
    let root = lake_root.to_path_buf();
    let worker = {
        let generator = Arc::clone(&generator);
        tokio::task::spawn_blocking(move || produce(&generator, &root, &tx))
    };
    let mut failure = None;
    // The sequence is one list, replaced whole once every customer is stored. Only the
    // high-voltage industrial customers are in it (about 0.3 % of all): small at any size.
    let mut sequence = Vec::new();
    while let Some(chunk) = rx.recv().await {
        sequence.extend(
            chunk
                .customers
                .iter()
                .filter_map(|c| generator.orderly_entry(c)),
        );
        if let Err(e) = store.upsert_customers(&chunk.customers).await {
            failure = Some(e);
            break;
        }
        if !chunk.thefts.is_empty() {
            if let Err(e) = store.upsert_theft_cases(&chunk.thefts).await {
                failure = Some(e);
                break;
            }
            summary.theft_cases += chunk.thefts.len() as u64;
        }
        summary.customers += chunk.customers.len() as u64;
        progress(summary.customers);
    }
    // Closing the channel stops the producer, whose unfinished lake writer removes its files.
    drop(rx);
    let produced = worker.await.map_err(|e| DemoError::Worker(e.to_string()))?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    let (written, counts) = produced?;
    store.replace_orderly_sequence(&sequence).await?;
    summary.orderly_sequence = sequence.len() as u64;
    summary.bills = counts.bills;
    summary.payments = counts.payments;
    summary.readings = counts.readings;
    summary.load_curves = counts.load_curves;
    summary.lake_files = written.files;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// The blocking side: generates chunk after chunk, writes histories to the lake and sends the
/// customers on. Returns early (dropping the writer, which removes its temporary files) when the
/// receiver is gone.
fn produce(
    generator: &Generator,
    root: &Path,
    tx: &tokio::sync::mpsc::Sender<Chunk>,
) -> Result<(WriteSummary, HistoryCounts), DemoError> {
    let cfg = generator.config();
    let mut writer = LakeWriter::create(root, &cfg.lake_stem())?;
    let mut scratch = Scratch::default();
    let mut counts = HistoryCounts::default();
    let mut start = 0;
    while start < cfg.customers {
        let end = (start + CHUNK).min(cfg.customers);
        let customers = generator.customers(start..end);
        let mut thefts = Vec::new();
        for (index, c) in (start..end).zip(&customers) {
            c.validate().map_err(|e| DemoError::Invalid {
                customer_no: c.customer_no.to_string(),
                reason: e.to_string(),
            })?;
            counts += generator.emit(c, index, &mut scratch, &mut writer)?.counts;
            if generator.is_thief(index) {
                thefts.extend(generator.theft_case(c));
            }
        }
        if tx.blocking_send(Chunk { customers, thefts }).is_err() {
            return Err(DemoError::Worker("the store side stopped".into()));
        }
        start = end;
    }
    Ok((writer.finish()?, counts))
}
