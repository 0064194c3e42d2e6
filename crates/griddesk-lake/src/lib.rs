//! The Parquet lake: billing and metering history (owned in real life by the billing and
//! meter-data systems) kept as Parquet files partitioned by month, and read with Apache
//! DataFusion. Layout and schemas: docs/lake.md.
//!
//! Layout: `<root>/<table>/month=YYYY-MM/<stem>.parquet` for tables `bills`, `payments`,
//! `readings` and `load_curves`. Writers never modify a file another writer made; re-writing the
//! same stem replaces that file whole (this is what makes re-imports idempotent).

pub mod curves;
mod reader;
pub mod schema;
pub mod segment;
#[cfg(test)]
mod tests;
mod writer;

pub use writer::{BillRow, CurveRow, PaymentRow, ReadingRow};

use griddesk_domain::billing::{ArrearsSummary, Bill, LoadCurve, Payment, Period, Reading};
use griddesk_domain::values::CustomerNo;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use writer::{BillColumns, CurveColumns, PaymentColumns, ReadingColumns, TableWriter};

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
pub struct LakeWriter {
    root: PathBuf,
    stem: String,
    bills: TableWriter<BillColumns>,
    payments: TableWriter<PaymentColumns>,
    readings: TableWriter<ReadingColumns>,
    curves: TableWriter<CurveColumns>,
    finished: bool,
}

/// A stem names a file inside a partition directory: ASCII letters, digits, '-', '_' and '.',
/// not starting with '.', so it can never escape the directory or look like a temporary file.
fn check_stem(stem: &str) -> Result<()> {
    let ok = !stem.is_empty()
        && stem.len() <= 200
        && !stem.starts_with('.')
        && !stem.ends_with(".tmp")
        && stem
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(LakeError::Io {
            path: PathBuf::from(stem),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "a file stem is 1-200 ASCII letters, digits, '-', '_' or '.', not starting with '.'",
            ),
        })
    }
}

impl LakeWriter {
    /// Files are named `<stem>.parquet` inside each partition this writer touches.
    pub fn create(root: &Path, stem: &str) -> Result<Self> {
        check_stem(stem)?;
        std::fs::create_dir_all(root).map_err(|source| LakeError::Io {
            path: root.to_path_buf(),
            source,
        })?;
        Ok(Self {
            root: root.to_path_buf(),
            stem: stem.to_owned(),
            bills: TableWriter::default(),
            payments: TableWriter::default(),
            readings: TableWriter::default(),
            curves: TableWriter::default(),
            finished: false,
        })
    }

    pub fn write_bills(&mut self, bills: &[Bill]) -> Result<()> {
        bills
            .iter()
            .try_for_each(|b| self.push_bill(&BillRow::from(b)))
    }

    pub fn write_payments(&mut self, payments: &[Payment]) -> Result<()> {
        payments
            .iter()
            .try_for_each(|p| self.push_payment(&PaymentRow::from(p)))
    }

    pub fn write_readings(&mut self, readings: &[Reading]) -> Result<()> {
        readings
            .iter()
            .try_for_each(|r| self.push_reading(&ReadingRow::from(r)))
    }

    pub fn write_load_curves(&mut self, curves: &[LoadCurve]) -> Result<()> {
        curves
            .iter()
            .try_for_each(|c| self.push_load_curve(&CurveRow::from(c)))
    }

    /// Appends one bill to the partition of its period, without building an owned [`Bill`].
    pub fn push_bill(&mut self, row: &BillRow<'_>) -> Result<()> {
        let part = self.bills.part(&self.root, &self.stem, row.period)?;
        part.cols.push(row)?;
        part.pushed()
    }

    /// Appends one payment to the partition of the (UTC) month it was made in.
    pub fn push_payment(&mut self, row: &PaymentRow<'_>) -> Result<()> {
        let month = Period::of(schema::days_to_date(
            i32::try_from(row.paid_at.as_second().div_euclid(86_400))
                .map_err(|_| LakeError::Corrupt(format!("paid_at {} out of range", row.paid_at)))?,
        )?);
        let part = self.payments.part(&self.root, &self.stem, month)?;
        part.cols.push(row)?;
        part.pushed()
    }

    /// Appends one register reading to the partition of its reading date.
    pub fn push_reading(&mut self, row: &ReadingRow<'_>) -> Result<()> {
        let part = self
            .readings
            .part(&self.root, &self.stem, Period::of(row.reading_date))?;
        part.cols.push(row)?;
        part.pushed()
    }

    /// Appends one daily load curve (exactly 96 points) to the partition of its date.
    pub fn push_load_curve(&mut self, row: &CurveRow<'_>) -> Result<()> {
        let part = self
            .curves
            .part(&self.root, &self.stem, Period::of(row.curve_date))?;
        part.cols.push(row)?;
        part.pushed()
    }

    fn tmp_paths(&self) -> Vec<PathBuf> {
        self.bills
            .tmp_paths()
            .chain(self.payments.tmp_paths())
            .chain(self.readings.tmp_paths())
            .chain(self.curves.tmp_paths())
            .map(Path::to_path_buf)
            .collect()
    }

    /// Closes every file (an unfinished writer leaves no visible partial file).
    pub fn finish(mut self) -> Result<WriteSummary> {
        let summary = WriteSummary {
            bills: self.bills.rows(),
            payments: self.payments.rows(),
            readings: self.readings.rows(),
            load_curves: self.curves.rows(),
            files: 0,
        };
        let tmps = self.tmp_paths();
        // From here on Drop has nothing left to clean: failures clean up below.
        self.finished = true;
        let closed = (|| -> Result<Vec<(PathBuf, PathBuf)>> {
            let mut all = self.bills.close()?;
            all.extend(self.payments.close()?);
            all.extend(self.readings.close()?);
            all.extend(self.curves.close()?);
            Ok(all)
        })();
        let closed = match closed {
            Ok(c) => c,
            Err(e) => {
                remove_all(&tmps);
                return Err(e);
            }
        };
        // Renaming over an existing `<stem>.parquet` replaces it atomically: readers see the old
        // file or the new one, never a mix.
        for (i, (tmp, dest)) in closed.iter().enumerate() {
            if let Err(source) = std::fs::rename(tmp, dest) {
                remove_all(closed[i..].iter().map(|(t, _)| t));
                return Err(LakeError::Io {
                    path: dest.clone(),
                    source,
                });
            }
        }
        Ok(WriteSummary {
            files: closed.len() as u64,
            ..summary
        })
    }
}

fn remove_all<'a>(paths: impl IntoIterator<Item = &'a PathBuf>) {
    for p in paths {
        // Best effort: the file may not have been created, or already be gone.
        let _ = std::fs::remove_file(p);
    }
}

impl Drop for LakeWriter {
    fn drop(&mut self) {
        if !self.finished {
            remove_all(&self.tmp_paths());
        }
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
pub struct Lake {
    root: PathBuf,
    ctx: datafusion::prelude::SessionContext,
}

/// Days of readings and load curves in a customer history.
pub const RECENT_DAYS: i32 = 31;

impl Lake {
    /// Opens the lake at `root` (an empty or missing directory is an empty lake).
    pub fn open(root: &Path) -> Result<Self> {
        let root = std::path::absolute(root).map_err(|source| LakeError::Io {
            path: root.to_path_buf(),
            source,
        })?;
        let ctx = reader::session(&root)?;
        Ok(Self { root, ctx })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The DataFusion session with the tables `bills`, `payments`, `readings` and
    /// `load_curves` registered (partition column `month`), for analytics queries.
    pub fn session(&self) -> &datafusion::prelude::SessionContext {
        &self.ctx
    }

    /// Bills and payments of the last `months` months (counted back from `today`'s month),
    /// readings and load curves of the last 31 days, and the arrears summary as of `today`.
    ///
    /// Windows, precisely: bills whose period is `today`'s month minus `months` or later (so
    /// `months` complete months plus the running one); payments made (UTC date) in those months;
    /// readings and curves dated from `today - 31 days` to `today`, both included. The arrears
    /// summary covers every bill and payment of the customer in the lake. A bill, payment,
    /// reading or curve present in several files (re-imported under another name) counts once.
    pub async fn customer_history(
        &self,
        customer: &CustomerNo,
        months: u32,
        today: jiff::civil::Date,
    ) -> Result<CustomerHistory> {
        let this_month = Period::of(today);
        // Two centuries is more history than any lake holds; the cap keeps the arithmetic sane.
        let from_month = this_month.add_months(-(months.min(2_400) as i32));
        let today_days = schema::date_to_days(today);
        let recent_from = today_days - RECENT_DAYS;
        let recent_month = Period::of(schema::days_to_date(recent_from)?);
        let who = || reader::customer_is(customer);
        let root = self.root.as_path();
        let (bills, payments, readings, curves) = futures::try_join!(
            // All months: the arrears summary needs every bill and payment.
            reader::scan(&self.ctx, root, schema::BILLS, who()),
            reader::scan(&self.ctx, root, schema::PAYMENTS, who()),
            reader::scan(
                &self.ctx,
                root,
                schema::READINGS,
                who()
                    .and(reader::month_from(recent_month))
                    .and(reader::date_between(
                        "reading_date",
                        recent_from,
                        today_days
                    )),
            ),
            reader::scan(
                &self.ctx,
                root,
                schema::LOAD_CURVES,
                who()
                    .and(reader::month_from(recent_month))
                    .and(reader::date_between("curve_date", recent_from, today_days)),
            ),
        )?;

        let mut bills = reader::decode_bills(&bills)?;
        bills.sort_by(|a, b| (a.period, &a.bill_no).cmp(&(b.period, &b.bill_no)));
        let mut seen = HashSet::new();
        bills.retain(|b| seen.insert(b.bill_no.clone()));

        let mut payments = reader::decode_payments(&payments)?;
        payments.sort_by(|a, b| (a.paid_at, &a.payment_no).cmp(&(b.paid_at, &b.payment_no)));
        let mut seen = HashSet::new();
        payments.retain(|p| seen.insert(p.payment_no.clone()));

        let mut readings = reader::decode_readings(&readings)?;
        readings.sort_by(|a, b| (a.reading_date, &a.meter_no).cmp(&(b.reading_date, &b.meter_no)));
        readings.dedup_by(|a, b| a.reading_date == b.reading_date && a.meter_no == b.meter_no);

        let mut load_curves = reader::decode_curves(&curves)?;
        load_curves.sort_by_key(|c| c.curve_date);
        load_curves.dedup_by_key(|c| c.curve_date);

        let arrears = ArrearsSummary::compute(&bills, &payments, today);
        bills.retain(|b| b.period >= from_month);
        payments.retain(|p| {
            Period::of(p.paid_at.to_zoned(jiff::tz::TimeZone::UTC).date()) >= from_month
        });
        Ok(CustomerHistory {
            bills,
            payments,
            readings,
            load_curves,
            arrears,
        })
    }
}
