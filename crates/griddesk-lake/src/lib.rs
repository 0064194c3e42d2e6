//! The Parquet lake: billing and metering history (owned in real life by the billing and
//! meter-data systems) kept as Parquet files partitioned by month, and read with Apache
//! DataFusion. Layout and schemas: docs/lake.md.
//!
//! Layout: `<root>/<table>/month=YYYY-MM/<stem>.parquet` for tables `bills`, `payments`,
//! `readings` and `load_curves`. Writers never modify a file another writer made; re-writing the
//! same stem replaces that file whole (this is what makes re-imports idempotent).

use griddesk_domain::billing::{ArrearsSummary, Bill, LoadCurve, Payment, Reading};
use griddesk_domain::values::CustomerNo;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LakeError {
    #[error("lake io error at {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("parquet error: {0}")]
    Parquet(String),
    #[error("query error: {0}")]
    Query(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

pub type Result<T, E = LakeError> = std::result::Result<T, E>;

/// What one writer wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteSummary {
    pub bills: u64,
    pub payments: u64,
    pub readings: u64,
    pub load_curves: u64,
    pub files: u64,
}

/// Streams records into month partitions. Records may arrive in any month order; each
/// (table, month) gets one open file, flushed in row groups so memory stays bounded.
pub struct LakeWriter {/* implementation-defined */}

impl LakeWriter {
    /// Files are named `<stem>.parquet` inside each partition this writer touches.
    pub fn create(root: &Path, stem: &str) -> Result<Self> {
        todo!("{root:?} {stem}")
    }
    pub fn write_bills(&mut self, bills: &[Bill]) -> Result<()> {
        todo!("{}", bills.len())
    }
    pub fn write_payments(&mut self, payments: &[Payment]) -> Result<()> {
        todo!("{}", payments.len())
    }
    pub fn write_readings(&mut self, readings: &[Reading]) -> Result<()> {
        todo!("{}", readings.len())
    }
    pub fn write_load_curves(&mut self, curves: &[LoadCurve]) -> Result<()> {
        todo!("{}", curves.len())
    }
    /// Closes every file (an unfinished writer leaves no visible partial file).
    pub fn finish(self) -> Result<WriteSummary> {
        todo!()
    }
}

/// History of one customer as the customer 360 page shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CustomerHistory {
    /// Bills ordered by period, oldest first.
    pub bills: Vec<Bill>,
    /// Payments ordered by time, oldest first.
    pub payments: Vec<Payment>,
    /// Daily readings ordered by date, oldest first.
    pub readings: Vec<Reading>,
    /// Load curves of the most recent days (large customers only), oldest first.
    pub load_curves: Vec<LoadCurve>,
    pub arrears: ArrearsSummary,
}

/// Read side of the lake (DataFusion).
pub struct Lake {/* implementation-defined */}

impl Lake {
    /// Opens the lake at `root` (an empty or missing directory is an empty lake).
    pub fn open(root: &Path) -> Result<Self> {
        todo!("{root:?}")
    }
    pub fn root(&self) -> &Path {
        todo!()
    }
    /// Bills and payments of the last `months` months (counted back from `today`'s month),
    /// readings and load curves of the last 31 days, and the arrears summary as of `today`.
    pub async fn customer_history(
        &self,
        customer: &CustomerNo,
        months: u32,
        today: jiff::civil::Date,
    ) -> Result<CustomerHistory> {
        todo!("{customer} {months} {today}")
    }
}
