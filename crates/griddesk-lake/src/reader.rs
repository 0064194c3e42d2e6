//! The read side: one DataFusion session with a listing table per lake table (hive partition
//! column `month`), point lookups by customer with the filters pushed into the Parquet scan, and
//! decoding of record batches back into domain values.

use crate::schema::{self, days_to_date, from_centi};
use crate::{LakeError, Result};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Date32Array, Decimal128Array, FixedSizeListArray,
    Float32Array, StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::execution::cache::cache_manager::CacheManagerConfig;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{Expr, SessionConfig, SessionContext, col, lit};
use datafusion::scalar::ScalarValue;
use griddesk_domain::billing::{Bill, LoadCurve, PayChannel, Payment, Period, Reading};
use griddesk_domain::values::{Code, CustomerNo, Money};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn query_err(e: impl std::fmt::Display) -> LakeError {
    LakeError::Query(e.to_string())
}

/// Builds the session and registers the four tables. Nothing is listed yet: a missing table
/// directory only matters at query time.
pub(crate) fn session(root: &Path) -> Result<SessionContext> {
    let mut config = SessionConfig::new()
        .with_target_partitions(std::thread::available_parallelism().map_or(2, |n| n.get().min(4)))
        .with_information_schema(false);
    let parquet = &mut config.options_mut().execution.parquet;
    parquet.pruning = true;
    parquet.enable_page_index = true;
    // Late materialisation: evaluate `customer_no = ...` first, decode other columns only for the
    // matching rows.
    parquet.pushdown_filters = true;
    parquet.reorder_filters = true;
    // Imports add files while the server runs: never cache directory listings (the footer and
    // statistics caches are keyed by file size and modification time, so they stay correct).
    let caches = CacheManagerConfig::default()
        .with_list_files_cache_limit(0)
        .with_metadata_cache_limit(128 * 1024 * 1024);
    let runtime = RuntimeEnvBuilder::new()
        .with_cache_manager(caches)
        .build_arc()
        .map_err(query_err)?;
    let ctx = SessionContext::new_with_config_rt(config, runtime);
    for table in schema::TABLES {
        let options = ListingOptions::new(Arc::new(ParquetFormat::default()))
            .with_file_extension(".parquet")
            .with_table_partition_cols(vec![(schema::MONTH.to_owned(), DataType::Utf8)]);
        // The trailing slash makes the URL a directory even before the directory exists.
        let url = ListingTableUrl::parse(format!("{}/", root.join(table).display()))
            .map_err(query_err)?;
        let file_schema =
            schema::of(table).ok_or_else(|| query_err(format!("no table {table}")))?;
        let config = ListingTableConfig::new(url)
            .with_listing_options(options)
            .with_schema(file_schema);
        let provider = ListingTable::try_new(config)
            .map_err(query_err)?
            .with_cache(ctx.runtime_env().cache_manager.get_file_statistic_cache());
        ctx.register_table(table, Arc::new(provider))
            .map_err(query_err)?;
    }
    Ok(ctx)
}

/// Rows of `table` matching `filter`, or nothing when the table has no directory yet.
pub(crate) async fn scan(
    ctx: &SessionContext,
    root: &Path,
    table: &str,
    filter: Expr,
) -> Result<Vec<RecordBatch>> {
    let dir: PathBuf = root.join(table);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let df = ctx.table(table).await.map_err(query_err)?;
    let df = df.filter(filter).map_err(query_err)?;
    df.collect().await.map_err(query_err)
}

pub(crate) fn customer_is(customer: &CustomerNo) -> Expr {
    col("customer_no").eq(lit(customer.as_str()))
}

pub(crate) fn month_from(p: Period) -> Expr {
    col(schema::MONTH).gt_eq(lit(p.to_string()))
}

pub(crate) fn date_between(column: &str, from: i32, to: i32) -> Expr {
    col(column)
        .gt_eq(lit(ScalarValue::Date32(Some(from))))
        .and(col(column).lt_eq(lit(ScalarValue::Date32(Some(to)))))
}

fn column<'a>(b: &'a RecordBatch, name: &str) -> Result<&'a ArrayRef> {
    b.column_by_name(name)
        .ok_or_else(|| LakeError::Corrupt(format!("column {name} is missing")))
}

fn typed<'a, T: 'static>(b: &'a RecordBatch, name: &str) -> Result<&'a T> {
    column(b, name)?
        .as_any()
        .downcast_ref::<T>()
        .ok_or_else(|| LakeError::Corrupt(format!("column {name} has an unexpected type")))
}

/// A string column as `Utf8` whatever string layout the scan produced.
pub(crate) fn strings(b: &RecordBatch, name: &str) -> Result<StringArray> {
    let a = column(b, name)?;
    let a = cast(a, &DataType::Utf8).map_err(|e| LakeError::Corrupt(format!("{name}: {e}")))?;
    Ok(a.as_string::<i32>().clone())
}

fn no_nulls(a: &dyn Array, name: &str) -> Result<()> {
    if a.null_count() > 0 {
        return Err(LakeError::Corrupt(format!("column {name} has nulls")));
    }
    Ok(())
}

fn money(field: &'static str, v: i128) -> Result<Money> {
    Money::new(field, from_centi(field, v)?).map_err(|e| LakeError::Corrupt(e.to_string()))
}

fn customer_no(s: &str) -> Result<CustomerNo> {
    CustomerNo::parse(s).map_err(|e| LakeError::Corrupt(e.to_string()))
}

pub(crate) fn decode_bills(batches: &[RecordBatch]) -> Result<Vec<Bill>> {
    let mut out = Vec::new();
    for b in batches {
        let bill_no = strings(b, "bill_no")?;
        let cust = strings(b, "customer_no")?;
        // The billing period is the partition month.
        let period = strings(b, schema::MONTH)?;
        let kwh = typed::<Decimal128Array>(b, "consumption_kwh")?;
        let amount = typed::<Decimal128Array>(b, "amount")?;
        let fee = typed::<Decimal128Array>(b, "late_fee")?;
        let issued = typed::<Date32Array>(b, "issued_on")?;
        let due = typed::<Date32Array>(b, "due_on")?;
        for (a, n) in [
            (&bill_no as &dyn Array, "bill_no"),
            (&cust, "customer_no"),
            (&period, schema::MONTH),
            (kwh, "consumption_kwh"),
            (amount, "amount"),
            (fee, "late_fee"),
            (issued, "issued_on"),
            (due, "due_on"),
        ] {
            no_nulls(a, n)?;
        }
        for i in 0..b.num_rows() {
            out.push(Bill {
                bill_no: bill_no.value(i).to_owned(),
                customer_no: customer_no(cust.value(i))?,
                period: Period::parse(period.value(i))
                    .map_err(|e| LakeError::Corrupt(e.to_string()))?,
                consumption_kwh: from_centi("consumption_kwh", kwh.value(i))?,
                amount: money("amount", amount.value(i))?,
                late_fee: money("late_fee", fee.value(i))?,
                issued_on: days_to_date(issued.value(i))?,
                due_on: days_to_date(due.value(i))?,
            });
        }
    }
    Ok(out)
}

pub(crate) fn decode_payments(batches: &[RecordBatch]) -> Result<Vec<Payment>> {
    let mut out = Vec::new();
    for b in batches {
        let payment_no = strings(b, "payment_no")?;
        let cust = strings(b, "customer_no")?;
        let bill_no = strings(b, "bill_no")?;
        let paid_at = typed::<TimestampMicrosecondArray>(b, "paid_at")?;
        let amount = typed::<Decimal128Array>(b, "amount")?;
        let channel = strings(b, "channel")?;
        let bounced = typed::<BooleanArray>(b, "bounced")?;
        for (a, n) in [
            (&payment_no as &dyn Array, "payment_no"),
            (&cust, "customer_no"),
            (&bill_no, "bill_no"),
            (paid_at, "paid_at"),
            (amount, "amount"),
            (&channel, "channel"),
            (bounced, "bounced"),
        ] {
            no_nulls(a, n)?;
        }
        for i in 0..b.num_rows() {
            out.push(Payment {
                payment_no: payment_no.value(i).to_owned(),
                customer_no: customer_no(cust.value(i))?,
                bill_no: bill_no.value(i).to_owned(),
                paid_at: jiff::Timestamp::from_microsecond(paid_at.value(i))
                    .map_err(|e| LakeError::Corrupt(format!("paid_at: {e}")))?,
                amount: money("amount", amount.value(i))?,
                channel: PayChannel::parse(channel.value(i))
                    .map_err(|e| LakeError::Corrupt(e.to_string()))?,
                bounced: bounced.value(i),
            });
        }
    }
    Ok(out)
}

pub(crate) fn decode_readings(batches: &[RecordBatch]) -> Result<Vec<Reading>> {
    let mut out = Vec::new();
    for b in batches {
        let cust = strings(b, "customer_no")?;
        let meter = strings(b, "meter_no")?;
        let date = typed::<Date32Array>(b, "reading_date")?;
        let register = typed::<Decimal128Array>(b, "register_kwh")?;
        for (a, n) in [
            (&cust as &dyn Array, "customer_no"),
            (&meter, "meter_no"),
            (date, "reading_date"),
            (register, "register_kwh"),
        ] {
            no_nulls(a, n)?;
        }
        for i in 0..b.num_rows() {
            out.push(Reading {
                customer_no: customer_no(cust.value(i))?,
                meter_no: Code::parse(meter.value(i))
                    .map_err(|e| LakeError::Corrupt(e.to_string()))?,
                reading_date: days_to_date(date.value(i))?,
                register_kwh: from_centi("register_kwh", register.value(i))?,
            });
        }
    }
    Ok(out)
}

pub(crate) fn decode_curves(batches: &[RecordBatch]) -> Result<Vec<LoadCurve>> {
    let mut out = Vec::new();
    for b in batches {
        let cust = strings(b, "customer_no")?;
        let date = typed::<Date32Array>(b, "curve_date")?;
        let points = typed::<FixedSizeListArray>(b, "points_kw")?;
        for (a, n) in [
            (&cust as &dyn Array, "customer_no"),
            (date, "curve_date"),
            (points, "points_kw"),
        ] {
            no_nulls(a, n)?;
        }
        for i in 0..b.num_rows() {
            let row = points.value(i);
            let values = row
                .as_any()
                .downcast_ref::<Float32Array>()
                .ok_or_else(|| LakeError::Corrupt("points_kw items are not Float32".into()))?;
            no_nulls(values, "points_kw")?;
            out.push(LoadCurve {
                customer_no: customer_no(cust.value(i))?,
                curve_date: days_to_date(date.value(i))?,
                points_kw: values.values().to_vec(),
            });
        }
    }
    Ok(out)
}
