//! The write side: per-(table, month) column buffers feeding one `ArrowWriter` each.
//!
//! Rows are appended to plain column vectors (no per-row allocation), turned into a record batch
//! every [`BATCH_ROWS`] rows without copying, handed to the Parquet writer (which cuts row groups
//! by row count and bytes), and the vectors are taken back for the next batch. Memory is therefore bounded by the number of open partitions, not by the number of
//! rows. Files are written as `<stem>.parquet.tmp` and renamed when the writer finishes.

use crate::schema::{self, date_to_days, to_centi};
use crate::{LakeError, Result};
use datafusion::arrow::array::{
    ArrayRef, ArrowPrimitiveType, BooleanArray, Date32Array, Decimal128Array, FixedSizeListArray,
    Float32Array, PrimitiveArray, StringArray, TimestampMicrosecondArray,
};
use datafusion::arrow::buffer::{Buffer, OffsetBuffer, ScalarBuffer};
use datafusion::arrow::datatypes::{
    Date32Type, Decimal128Type, Float32Type, SchemaRef, TimestampMicrosecondType,
};
use datafusion::arrow::record_batch::RecordBatch;
use griddesk_domain::billing::{Bill, LoadCurve, PayChannel, Payment, Period, Reading};
use griddesk_domain::values::{Code, CustomerNo, Money};
use jiff::civil::Date;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use rust_decimal::Decimal;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rows buffered per partition before they are encoded.
pub(crate) const BATCH_ROWS: usize = 8192;

/// A bill borrowed from the caller: what [`crate::LakeWriter::push_bill`] stores without copying
/// into owned domain values first.
#[derive(Debug, Clone, Copy)]
pub struct BillRow<'a> {
    pub bill_no: &'a str,
    pub customer_no: &'a CustomerNo,
    pub period: Period,
    pub consumption_kwh: Decimal,
    pub amount: Money,
    pub late_fee: Money,
    pub issued_on: Date,
    pub due_on: Date,
}

/// A payment attempt borrowed from the caller.
#[derive(Debug, Clone, Copy)]
pub struct PaymentRow<'a> {
    pub payment_no: &'a str,
    pub customer_no: &'a CustomerNo,
    pub bill_no: &'a str,
    pub paid_at: jiff::Timestamp,
    pub amount: Money,
    pub channel: PayChannel,
    pub bounced: bool,
}

/// A daily register reading borrowed from the caller.
#[derive(Debug, Clone, Copy)]
pub struct ReadingRow<'a> {
    pub customer_no: &'a CustomerNo,
    pub meter_no: &'a Code,
    pub reading_date: Date,
    pub register_kwh: Decimal,
}

/// A 96-point daily load curve borrowed from the caller.
#[derive(Debug, Clone, Copy)]
pub struct CurveRow<'a> {
    pub customer_no: &'a CustomerNo,
    pub curve_date: Date,
    pub points_kw: &'a [f32],
}

impl<'a> From<&'a Bill> for BillRow<'a> {
    fn from(b: &'a Bill) -> Self {
        Self {
            bill_no: &b.bill_no,
            customer_no: &b.customer_no,
            period: b.period,
            consumption_kwh: b.consumption_kwh,
            amount: b.amount,
            late_fee: b.late_fee,
            issued_on: b.issued_on,
            due_on: b.due_on,
        }
    }
}

impl<'a> From<&'a Payment> for PaymentRow<'a> {
    fn from(p: &'a Payment) -> Self {
        Self {
            payment_no: &p.payment_no,
            customer_no: &p.customer_no,
            bill_no: &p.bill_no,
            paid_at: p.paid_at,
            amount: p.amount,
            channel: p.channel,
            bounced: p.bounced,
        }
    }
}

impl<'a> From<&'a Reading> for ReadingRow<'a> {
    fn from(r: &'a Reading) -> Self {
        Self {
            customer_no: &r.customer_no,
            meter_no: &r.meter_no,
            reading_date: r.reading_date,
            register_kwh: r.register_kwh,
        }
    }
}

impl<'a> From<&'a LoadCurve> for CurveRow<'a> {
    fn from(c: &'a LoadCurve) -> Self {
        Self {
            customer_no: &c.customer_no,
            curve_date: c.curve_date,
            points_kw: &c.points_kw,
        }
    }
}

/// Column buffers of one table.
pub(crate) trait Columns: Default {
    const TABLE: &'static str;
    /// Rows per row group: wide rows (load curves) get smaller groups so the bytes stay similar.
    const ROW_GROUP_ROWS: usize;
    /// Columns written without a dictionary, with the given encoding. Dictionaries hash every
    /// value, which dominated writing time; instead identifiers use DELTA_BYTE_ARRAY (rows come
    /// grouped by customer, so consecutive values share long prefixes, often the whole value),
    /// dates and registers DELTA_BINARY_PACKED (constant or slowly growing), and amounts PLAIN.
    /// Unlisted columns (the payment channel) keep a dictionary.
    const ENCODINGS: &'static [(&'static str, Encoding)];
    /// Columns nobody filters on: no min/max statistics (they cost a comparison per value).
    const NO_STATISTICS: &'static [&'static str];
    fn schema() -> SchemaRef;
    fn len(&self) -> usize;
    /// Moves the buffered rows into a record batch, leaving the buffers empty.
    fn take_batch(&mut self) -> Result<RecordBatch>;
    /// Takes the buffers of a written batch back, so the next batch allocates nothing.
    fn recycle(&mut self, batch: RecordBatch);
}

/// Growable buffers are reused from batch to batch: allocating fresh ones for every batch of
/// every open partition churned the allocator (and fragmented the heap on long runs).
fn reuse<T>(slot: &mut Vec<T>, back: Option<Vec<T>>) {
    if let Some(mut v) = back {
        v.clear();
        *slot = v;
    }
}

/// Recovers the value vector of a primitive array the writer no longer references.
fn primitive_back<T: ArrowPrimitiveType>(a: Option<ArrayRef>) -> Option<Vec<T::Native>> {
    let a = a?;
    let typed = a.as_any().downcast_ref::<PrimitiveArray<T>>()?.clone();
    drop(a);
    let (_, values, _) = typed.into_parts();
    values.into_inner().into_vec().ok()
}

/// A UTF-8 column as offsets and bytes, turned into a `StringArray` without copying.
#[derive(Default)]
pub(crate) struct Utf8Column {
    offsets: Vec<i32>,
    values: Vec<u8>,
}

impl Utf8Column {
    fn push(&mut self, s: &str) -> Result<()> {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        self.values.extend_from_slice(s.as_bytes());
        let end = i32::try_from(self.values.len())
            .map_err(|_| LakeError::Corrupt("text column exceeds 2 GiB in one batch".into()))?;
        self.offsets.push(end);
        Ok(())
    }

    fn array(&mut self) -> Result<ArrayRef> {
        let mut offsets = std::mem::take(&mut self.offsets);
        if offsets.is_empty() {
            offsets.push(0);
        }
        let values = std::mem::take(&mut self.values);
        let a = StringArray::try_new(
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            Buffer::from_vec(values),
            None,
        )
        .map_err(|e| LakeError::Parquet(e.to_string()))?;
        Ok(Arc::new(a))
    }

    fn recycle(&mut self, a: Option<ArrayRef>) {
        let Some(a) = a else { return };
        let Some(typed) = a.as_any().downcast_ref::<StringArray>().cloned() else {
            return;
        };
        drop(a);
        let (offsets, values, _) = typed.into_parts();
        reuse(
            &mut self.offsets,
            offsets.into_inner().into_inner().into_vec().ok(),
        );
        reuse(&mut self.values, values.into_vec().ok());
    }
}

fn decimals(v: &mut Vec<i128>) -> Result<ArrayRef> {
    let a = Decimal128Array::from(std::mem::take(v))
        .with_precision_and_scale(schema::DECIMAL_PRECISION, schema::DECIMAL_SCALE)
        .map_err(|e| LakeError::Parquet(e.to_string()))?;
    Ok(Arc::new(a))
}

fn dates(v: &mut Vec<i32>) -> ArrayRef {
    Arc::new(Date32Array::from(std::mem::take(v)))
}

fn batch(schema: SchemaRef, columns: Vec<ArrayRef>) -> Result<RecordBatch> {
    RecordBatch::try_new(schema, columns).map_err(|e| LakeError::Parquet(e.to_string()))
}

#[derive(Default)]
pub(crate) struct BillColumns {
    bill_no: Utf8Column,
    customer_no: Utf8Column,
    consumption: Vec<i128>,
    amount: Vec<i128>,
    late_fee: Vec<i128>,
    issued_on: Vec<i32>,
    due_on: Vec<i32>,
}

impl BillColumns {
    pub(crate) fn push(&mut self, r: &BillRow<'_>) -> Result<()> {
        // Convert first so a bad value leaves every column untouched.
        let kwh = to_centi("consumption_kwh", r.consumption_kwh)?;
        let amount = to_centi("amount", r.amount.yuan())?;
        let fee = to_centi("late_fee", r.late_fee.yuan())?;
        self.bill_no.push(r.bill_no)?;
        self.customer_no.push(r.customer_no.as_str())?;
        self.consumption.push(kwh);
        self.amount.push(amount);
        self.late_fee.push(fee);
        self.issued_on.push(date_to_days(r.issued_on));
        self.due_on.push(date_to_days(r.due_on));
        Ok(())
    }
}

impl Columns for BillColumns {
    const TABLE: &'static str = schema::BILLS;
    const ROW_GROUP_ROWS: usize = 65_536;
    const ENCODINGS: &'static [(&'static str, Encoding)] = &[
        ("bill_no", Encoding::DELTA_BYTE_ARRAY),
        ("customer_no", Encoding::DELTA_BYTE_ARRAY),
        ("consumption_kwh", Encoding::PLAIN),
        ("amount", Encoding::PLAIN),
        ("late_fee", Encoding::PLAIN),
        ("issued_on", Encoding::DELTA_BINARY_PACKED),
        ("due_on", Encoding::DELTA_BINARY_PACKED),
    ];
    const NO_STATISTICS: &'static [&'static str] = &["bill_no"];
    fn schema() -> SchemaRef {
        schema::bills()
    }
    fn len(&self) -> usize {
        self.amount.len()
    }
    fn take_batch(&mut self) -> Result<RecordBatch> {
        let cols: Vec<ArrayRef> = vec![
            self.bill_no.array()?,
            self.customer_no.array()?,
            decimals(&mut self.consumption)?,
            decimals(&mut self.amount)?,
            decimals(&mut self.late_fee)?,
            dates(&mut self.issued_on),
            dates(&mut self.due_on),
        ];
        batch(Self::schema(), cols)
    }
    fn recycle(&mut self, batch: RecordBatch) {
        let mut c = batch.into_parts().1.into_iter();
        self.bill_no.recycle(c.next());
        self.customer_no.recycle(c.next());
        reuse(
            &mut self.consumption,
            primitive_back::<Decimal128Type>(c.next()),
        );
        reuse(&mut self.amount, primitive_back::<Decimal128Type>(c.next()));
        reuse(
            &mut self.late_fee,
            primitive_back::<Decimal128Type>(c.next()),
        );
        reuse(&mut self.issued_on, primitive_back::<Date32Type>(c.next()));
        reuse(&mut self.due_on, primitive_back::<Date32Type>(c.next()));
    }
}

#[derive(Default)]
pub(crate) struct PaymentColumns {
    payment_no: Utf8Column,
    customer_no: Utf8Column,
    bill_no: Utf8Column,
    paid_at: Vec<i64>,
    amount: Vec<i128>,
    channel: Utf8Column,
    bounced: Vec<bool>,
}

impl PaymentColumns {
    pub(crate) fn push(&mut self, r: &PaymentRow<'_>) -> Result<()> {
        let amount = to_centi("amount", r.amount.yuan())?;
        self.payment_no.push(r.payment_no)?;
        self.customer_no.push(r.customer_no.as_str())?;
        self.bill_no.push(r.bill_no)?;
        self.paid_at.push(r.paid_at.as_microsecond());
        self.amount.push(amount);
        self.channel.push(r.channel.code())?;
        self.bounced.push(r.bounced);
        Ok(())
    }
}

impl Columns for PaymentColumns {
    const TABLE: &'static str = schema::PAYMENTS;
    const ROW_GROUP_ROWS: usize = 65_536;
    const ENCODINGS: &'static [(&'static str, Encoding)] = &[
        ("payment_no", Encoding::DELTA_BYTE_ARRAY),
        ("customer_no", Encoding::DELTA_BYTE_ARRAY),
        ("bill_no", Encoding::DELTA_BYTE_ARRAY),
        ("paid_at", Encoding::PLAIN),
        ("amount", Encoding::PLAIN),
        ("bounced", Encoding::PLAIN),
    ];
    const NO_STATISTICS: &'static [&'static str] = &["payment_no", "bill_no", "channel"];
    fn schema() -> SchemaRef {
        schema::payments()
    }
    fn len(&self) -> usize {
        self.amount.len()
    }
    fn take_batch(&mut self) -> Result<RecordBatch> {
        let paid_at = TimestampMicrosecondArray::from(std::mem::take(&mut self.paid_at))
            .with_timezone(schema::UTC);
        let bounced = BooleanArray::from(std::mem::take(&mut self.bounced));
        let cols: Vec<ArrayRef> = vec![
            self.payment_no.array()?,
            self.customer_no.array()?,
            self.bill_no.array()?,
            Arc::new(paid_at),
            decimals(&mut self.amount)?,
            self.channel.array()?,
            Arc::new(bounced),
        ];
        batch(Self::schema(), cols)
    }
    fn recycle(&mut self, batch: RecordBatch) {
        let mut c = batch.into_parts().1.into_iter();
        self.payment_no.recycle(c.next());
        self.customer_no.recycle(c.next());
        self.bill_no.recycle(c.next());
        reuse(
            &mut self.paid_at,
            primitive_back::<TimestampMicrosecondType>(c.next()),
        );
        reuse(&mut self.amount, primitive_back::<Decimal128Type>(c.next()));
        self.channel.recycle(c.next());
        // Booleans are bit-packed by Arrow: that small buffer is not reused.
    }
}

#[derive(Default)]
pub(crate) struct ReadingColumns {
    customer_no: Utf8Column,
    meter_no: Utf8Column,
    reading_date: Vec<i32>,
    register: Vec<i128>,
}

impl ReadingColumns {
    pub(crate) fn push(&mut self, r: &ReadingRow<'_>) -> Result<()> {
        let register = to_centi("register_kwh", r.register_kwh)?;
        self.customer_no.push(r.customer_no.as_str())?;
        self.meter_no.push(r.meter_no.as_str())?;
        self.reading_date.push(date_to_days(r.reading_date));
        self.register.push(register);
        Ok(())
    }
}

impl Columns for ReadingColumns {
    const TABLE: &'static str = schema::READINGS;
    const ROW_GROUP_ROWS: usize = 131_072;
    const ENCODINGS: &'static [(&'static str, Encoding)] = &[
        ("customer_no", Encoding::DELTA_BYTE_ARRAY),
        ("meter_no", Encoding::DELTA_BYTE_ARRAY),
        ("reading_date", Encoding::DELTA_BINARY_PACKED),
        ("register_kwh", Encoding::DELTA_BINARY_PACKED),
    ];
    const NO_STATISTICS: &'static [&'static str] = &["meter_no"];
    fn schema() -> SchemaRef {
        schema::readings()
    }
    fn len(&self) -> usize {
        self.register.len()
    }
    fn take_batch(&mut self) -> Result<RecordBatch> {
        let cols: Vec<ArrayRef> = vec![
            self.customer_no.array()?,
            self.meter_no.array()?,
            dates(&mut self.reading_date),
            decimals(&mut self.register)?,
        ];
        batch(Self::schema(), cols)
    }
    fn recycle(&mut self, batch: RecordBatch) {
        let mut c = batch.into_parts().1.into_iter();
        self.customer_no.recycle(c.next());
        self.meter_no.recycle(c.next());
        reuse(
            &mut self.reading_date,
            primitive_back::<Date32Type>(c.next()),
        );
        reuse(
            &mut self.register,
            primitive_back::<Decimal128Type>(c.next()),
        );
    }
}

#[derive(Default)]
pub(crate) struct CurveColumns {
    customer_no: Utf8Column,
    curve_date: Vec<i32>,
    points: Vec<f32>,
}

impl CurveColumns {
    pub(crate) fn push(&mut self, r: &CurveRow<'_>) -> Result<()> {
        if r.points_kw.len() != schema::CURVE_POINTS as usize {
            return Err(LakeError::Corrupt(format!(
                "load curve of {} on {} has {} points; expected {}",
                r.customer_no,
                r.curve_date,
                r.points_kw.len(),
                schema::CURVE_POINTS
            )));
        }
        self.customer_no.push(r.customer_no.as_str())?;
        self.curve_date.push(date_to_days(r.curve_date));
        self.points.extend_from_slice(r.points_kw);
        Ok(())
    }
}

impl Columns for CurveColumns {
    const TABLE: &'static str = schema::LOAD_CURVES;
    const ROW_GROUP_ROWS: usize = 16_384;
    const ENCODINGS: &'static [(&'static str, Encoding)] = &[
        ("customer_no", Encoding::DELTA_BYTE_ARRAY),
        ("curve_date", Encoding::DELTA_BINARY_PACKED),
        ("points_kw.list.item", Encoding::PLAIN),
    ];
    const NO_STATISTICS: &'static [&'static str] = &["points_kw.list.item"];
    fn schema() -> SchemaRef {
        schema::load_curves()
    }
    fn len(&self) -> usize {
        self.curve_date.len()
    }
    fn take_batch(&mut self) -> Result<RecordBatch> {
        let values = Float32Array::from(std::mem::take(&mut self.points));
        let list = FixedSizeListArray::try_new(
            schema::curve_item_field(),
            schema::CURVE_POINTS,
            Arc::new(values),
            None,
        )
        .map_err(|e| LakeError::Parquet(e.to_string()))?;
        let cols: Vec<ArrayRef> = vec![
            self.customer_no.array()?,
            dates(&mut self.curve_date),
            Arc::new(list),
        ];
        batch(Self::schema(), cols)
    }
    fn recycle(&mut self, batch: RecordBatch) {
        let mut c = batch.into_parts().1.into_iter();
        self.customer_no.recycle(c.next());
        reuse(&mut self.curve_date, primitive_back::<Date32Type>(c.next()));
        let points = c.next().and_then(|a| {
            let list = a.as_any().downcast_ref::<FixedSizeListArray>()?.clone();
            drop(a);
            Some(list.into_parts().2)
        });
        reuse(&mut self.points, primitive_back::<Float32Type>(points));
    }
}

fn properties<C: Columns>() -> WriterProperties {
    let mut b = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(C::ROW_GROUP_ROWS))
        // Bounds memory per open partition whatever the row width.
        .set_max_row_group_bytes(Some(8 * 1024 * 1024))
        .set_statistics_enabled(EnabledStatistics::Chunk)
        // Page-level statistics (column index) on the lookup key: a point lookup reads one page.
        .set_column_statistics_enabled(ColumnPath::from("customer_no"), EnabledStatistics::Page)
        .set_data_page_row_count_limit(8192)
        .set_created_by(format!("griddesk-lake {}", env!("CARGO_PKG_VERSION")));
    let path = |col: &str| ColumnPath::new(col.split('.').map(str::to_owned).collect());
    for (col, encoding) in C::ENCODINGS {
        b = b
            .set_column_dictionary_enabled(path(col), false)
            .set_column_encoding(path(col), *encoding);
    }
    for col in C::NO_STATISTICS {
        b = b.set_column_statistics_enabled(path(col), EnabledStatistics::None);
    }
    b.build()
}

/// One open `<table>/month=YYYY-MM/<stem>.parquet.tmp` and its buffered rows.
pub(crate) struct Partition<C: Columns> {
    pub(crate) month: Period,
    pub(crate) tmp: PathBuf,
    dest: PathBuf,
    writer: ArrowWriter<BufWriter<File>>,
    pub(crate) cols: C,
    pub(crate) rows: u64,
}

impl<C: Columns> Partition<C> {
    fn open(root: &Path, stem: &str, month: Period) -> Result<Self> {
        let dir = root
            .join(C::TABLE)
            .join(format!("{}={month}", schema::MONTH));
        std::fs::create_dir_all(&dir).map_err(|source| LakeError::Io {
            path: dir.clone(),
            source,
        })?;
        let dest = dir.join(format!("{stem}.parquet"));
        let tmp = dir.join(format!("{stem}.parquet.tmp"));
        let file = File::create(&tmp).map_err(|source| LakeError::Io {
            path: tmp.clone(),
            source,
        })?;
        let writer = ArrowWriter::try_new(
            BufWriter::with_capacity(256 * 1024, file),
            C::schema(),
            Some(properties::<C>()),
        )
        .map_err(|e| LakeError::Parquet(e.to_string()))?;
        Ok(Self {
            month,
            tmp,
            dest,
            writer,
            cols: C::default(),
            rows: 0,
        })
    }

    /// Call after each pushed row: counts it and encodes a full batch.
    pub(crate) fn pushed(&mut self) -> Result<()> {
        self.rows += 1;
        if self.cols.len() >= BATCH_ROWS {
            self.encode()?;
        }
        Ok(())
    }

    fn encode(&mut self) -> Result<()> {
        if self.cols.len() == 0 {
            return Ok(());
        }
        let b = self.cols.take_batch()?;
        self.writer
            .write(&b)
            .map_err(|e| LakeError::Parquet(format!("{}: {e}", self.tmp.display())))?;
        self.cols.recycle(b);
        Ok(())
    }

    /// Writes the footer and makes the file durable under its temporary name.
    fn close(mut self) -> Result<(PathBuf, PathBuf)> {
        self.encode()?;
        let tmp = self.tmp;
        let buf = self
            .writer
            .into_inner()
            .map_err(|e| LakeError::Parquet(format!("{}: {e}", tmp.display())))?;
        let file = buf.into_inner().map_err(|e| LakeError::Io {
            path: tmp.clone(),
            source: e.into_error(),
        })?;
        file.sync_all().map_err(|source| LakeError::Io {
            path: tmp.clone(),
            source,
        })?;
        Ok((tmp, self.dest))
    }
}

/// The open partitions of one table. Producers usually write month after month for one customer,
/// so the partition of the previous row is checked first.
pub(crate) struct TableWriter<C: Columns> {
    pub(crate) parts: Vec<Partition<C>>,
    last: usize,
}

impl<C: Columns> Default for TableWriter<C> {
    fn default() -> Self {
        Self {
            parts: Vec::new(),
            last: 0,
        }
    }
}

impl<C: Columns> TableWriter<C> {
    pub(crate) fn part(
        &mut self,
        root: &Path,
        stem: &str,
        month: Period,
    ) -> Result<&mut Partition<C>> {
        let idx = match self.parts.get(self.last) {
            Some(p) if p.month == month => self.last,
            _ => match self.parts.iter().position(|p| p.month == month) {
                Some(i) => i,
                None => {
                    self.parts.push(Partition::open(root, stem, month)?);
                    self.parts.len() - 1
                }
            },
        };
        self.last = idx;
        Ok(&mut self.parts[idx])
    }

    pub(crate) fn rows(&self) -> u64 {
        self.parts.iter().map(|p| p.rows).sum()
    }

    /// Closes every file; returns (temporary, final) paths to rename.
    pub(crate) fn close(&mut self) -> Result<Vec<(PathBuf, PathBuf)>> {
        let mut out = Vec::with_capacity(self.parts.len());
        for p in std::mem::take(&mut self.parts) {
            out.push(p.close()?);
        }
        Ok(out)
    }

    pub(crate) fn tmp_paths(&self) -> impl Iterator<Item = &Path> {
        self.parts.iter().map(|p| p.tmp.as_path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_batches_give_their_buffers_back() {
        let c = CustomerNo::parse("3000000001").unwrap();
        let mut cols = BillColumns::default();
        for i in 0..100 {
            cols.push(&BillRow {
                bill_no: &format!("B{i}"),
                customer_no: &c,
                period: Period::parse("2026-01").unwrap(),
                consumption_kwh: Decimal::from(i),
                amount: Money::from_fen(i),
                late_fee: Money::ZERO,
                issued_on: jiff::civil::date(2026, 2, 1),
                due_on: jiff::civil::date(2026, 2, 20),
            })
            .unwrap();
        }
        let batch = cols.take_batch().unwrap();
        assert_eq!(batch.num_rows(), 100);
        assert_eq!(cols.len(), 0);
        assert_eq!(cols.amount.capacity(), 0);
        cols.recycle(batch);
        assert!(cols.amount.capacity() >= 100 && cols.amount.is_empty());
        assert!(cols.due_on.capacity() >= 100);
        assert!(cols.bill_no.values.capacity() >= 190 && cols.bill_no.offsets.is_empty());

        let mut curves = CurveColumns::default();
        let points = [1.5f32; 96];
        curves
            .push(&CurveRow {
                customer_no: &c,
                curve_date: jiff::civil::date(2026, 1, 1),
                points_kw: &points,
            })
            .unwrap();
        let batch = curves.take_batch().unwrap();
        curves.recycle(batch);
        assert!(curves.points.capacity() >= 96 && curves.points.is_empty());
    }
}
