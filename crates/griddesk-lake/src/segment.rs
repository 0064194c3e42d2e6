//! The raw figures of value segmentation (D4.1) for one period, computed from the lake with two
//! aggregate DataFusion queries (bills with payments, and load curves), never row by row.
//!
//! Windows, for a period P (a month): "this period" is P; "last 3 years" the 36 months ending at
//! P; "last year" the 12 months ending at P, "the year before" the 12 months before those; "same
//! period last year" P − 12 months. The population is every customer with a bill for P.
//!
//! The lake holds bills, payments, readings and load curves; where D4.1 asks for figures it does
//! not hold, these stand in (documented decisions):
//! - transmission fees (输电费用): the bill's `amount` (energy plus capacity charge) of P — the
//!   lake has no separate transmission component, and the share of the company's charges is
//!   what B12 measures;
//! - the company's totals (supply, fees): the sums over every customer billed for P;
//! - average and maximum load: from P's load curves, the mean of each day's mean and the
//!   largest 15-minute point. A customer without curves (the small ones) has no measured load:
//!   both are 0, so B21 is 0 for all of them alike;
//! - power factor: the lake has no power-factor column; every customer gets the value the
//!   caller passes ([`DEFAULT_POWER_FACTOR`] by default), so B22 is equal for everyone and
//!   neutral in the scores until a metered source exists;
//! - paid, due, late fees and receivables over 3 years: the bills that fell due in the 36 months
//!   ending with P (by `due_on`; P's own bill falls due after P and is left out), with due =
//!   amount + late fee, the receivable = amount, late fees as charged, and the non-bounced
//!   payments, made by the end of P, that settle those bills;
//! - the purchase amount of the ABC pyramid: the billed amount of the last 12 months.
//!
//! Records present in several files count once (bills by `bill_no`, payments by `payment_no`;
//! duplicated curves do not change a day's mean or maximum). Only files of different writers
//! (stems) can share a record — a writer never writes a key twice (docs/lake.md) — so where
//! every file of a table in the window comes from one writer, the de-duplicating aggregation,
//! most of the query's cost, is skipped.

use crate::{Lake, LakeError, Result, reader, schema};
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Float64Type};
use datafusion::prelude::SessionContext;
use griddesk_domain::billing::Period;
use griddesk_domain::segment::{IndicatorInputs, Member};
use griddesk_domain::values::Money;
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use std::collections::HashMap;

/// The power factor every customer gets while the lake has none: between p1 = 0.80 and
/// p2 = 0.95 of the default configuration, the usual 0.90 standard of the tariff adjustment.
pub const DEFAULT_POWER_FACTOR: f64 = 0.90;

/// Customers whose figures one query computes (bounding the memory of the aggregations).
const CUSTOMERS_PER_QUERY: usize = 20_000;

/// Whether every Parquet file of `table` in the months `from..=to` was written by one writer
/// (has one stem), so that no record can be in two of them. An unreadable directory counts as
/// several writers: the reader then de-duplicates, which is always correct.
fn one_writer(root: &std::path::Path, table: &str, from: Period, to: Period) -> bool {
    let mut stems = std::collections::BTreeSet::new();
    let Ok(months) = std::fs::read_dir(root.join(table)) else {
        return true;
    };
    for m in months {
        let Ok(m) = m else { return false };
        let name = m.file_name();
        let Some(month) = name
            .to_str()
            .and_then(|n| n.strip_prefix("month="))
            .and_then(|n| Period::parse(n).ok())
        else {
            continue;
        };
        if month < from || month > to {
            continue;
        }
        let Ok(files) = std::fs::read_dir(m.path()) else {
            return false;
        };
        for f in files {
            let Ok(f) = f else { return false };
            if let Some(stem) = f
                .file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".parquet"))
            {
                stems.insert(stem.to_owned());
            }
        }
        if stems.len() > 1 {
            return false;
        }
    }
    true
}

fn query_err(e: impl std::fmt::Display) -> LakeError {
    LakeError::Query(e.to_string())
}

async fn run(lake: &Lake, sql: &str) -> Result<Vec<RecordBatch>> {
    run_in(lake.session(), sql).await
}

async fn run_in(ctx: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>> {
    let df = ctx.sql(sql).await.map_err(query_err)?;
    df.collect().await.map_err(query_err)
}

fn decimals(b: &RecordBatch, name: &str) -> Result<Vec<Decimal>> {
    let a = b
        .column_by_name(name)
        .ok_or_else(|| LakeError::Corrupt(format!("column {name} is missing")))?;
    let a = cast(a, &DataType::Decimal128(38, 2))
        .map_err(|e| LakeError::Corrupt(format!("{name}: {e}")))?;
    let a = a.as_primitive::<Decimal128Type>();
    (0..a.len())
        .map(|i| {
            let v = if a.is_null(i) { 0 } else { a.value(i) };
            schema::from_centi("segmentation", v)
        })
        .collect()
}

fn floats(b: &RecordBatch, name: &str) -> Result<Vec<f64>> {
    let a = b
        .column_by_name(name)
        .ok_or_else(|| LakeError::Corrupt(format!("column {name} is missing")))?;
    let a = cast(a, &DataType::Float64).map_err(|e| LakeError::Corrupt(format!("{name}: {e}")))?;
    let a = a.as_primitive::<Float64Type>();
    Ok((0..a.len())
        .map(|i| if a.is_null(i) { 0.0 } else { a.value(i) })
        .collect())
}

fn money(d: Decimal) -> Result<Money> {
    Money::new("segmentation", d).map_err(|e| LakeError::Corrupt(e.to_string()))
}

/// Load in kW as a decimal, to the watt; rounding is monotone, so average <= maximum holds.
fn kw(x: f64) -> Decimal {
    Decimal::from_f64(x.max(0.0))
        .unwrap_or_default()
        .round_dp(3)
}

impl Lake {
    /// Every customer billed for `period` with its D4.1 raw figures and ABC purchase amount, in
    /// ascending customer number (see the module documentation for the windows and
    /// substitutes). An empty lake or period gives an empty population.
    pub async fn segmentation_inputs(
        &self,
        period: Period,
        power_factor: f64,
    ) -> Result<Vec<Member>> {
        let root = self.root();
        if !root.join(schema::BILLS).is_dir() {
            return Ok(Vec::new());
        }
        let p = period;
        let from36 = p.add_months(-35);
        // Bills that fell due in the 36 months ending with P: P's own bill is issued after P and
        // is not yet due, so counting it would lower every recovery rate by the size of its last
        // bill (a growing customer most) rather than by what it left unpaid.
        let from37 = p.add_months(-36);
        let fell_due = format!(
            "due_on >= CAST('{}' AS DATE) AND due_on < CAST('{}' AS DATE)",
            from36.first_day(),
            p.next().first_day()
        );
        let from24 = p.add_months(-23);
        let from12 = p.add_months(-11);
        let same = p.add_months(-12);
        let has_payments = root.join(schema::PAYMENTS).is_dir();
        let payments_unique = one_writer(root, schema::PAYMENTS, from37, p);
        let bills_unique = one_writer(root, schema::BILLS, from37, p);
        let paid_cte = |range: &str| {
            if has_payments {
                let window = format!(
                    "FROM payments WHERE month >= '{from37}' AND month <= '{p}' AND NOT bounced \
                     {range}"
                );
                let p_cte = if payments_unique {
                    format!("SELECT payment_no, bill_no, amount {window}")
                } else {
                    format!(
                        "SELECT payment_no, max(bill_no) AS bill_no, max(amount) AS amount \
                         {window} GROUP BY payment_no"
                    )
                };
                format!(
                    "p AS ({p_cte}), \
                 paid AS (SELECT b.customer_no, sum(p.amount) AS paid \
                   FROM p JOIN b ON p.bill_no = b.bill_no WHERE b.{fell_due} \
                   GROUP BY b.customer_no)"
                )
            } else {
                "paid AS (SELECT customer_no, sum(amount) AS paid FROM b WHERE false \
                 GROUP BY customer_no)"
                    .to_owned()
            }
        };
        let sql = |range: &str| {
            let window = format!("FROM bills WHERE month >= '{from37}' AND month <= '{p}' {range}");
            let b_cte = if bills_unique {
                format!(
                    "SELECT bill_no, customer_no, month, consumption_kwh AS kwh, amount, \
                     late_fee, due_on {window}"
                )
            } else {
                format!(
                    "SELECT bill_no, max(customer_no) AS customer_no, max(month) AS month, \
                     max(consumption_kwh) AS kwh, max(amount) AS amount, \
                     max(late_fee) AS late_fee, max(due_on) AS due_on {window} GROUP BY bill_no"
                )
            };
            format!(
                "WITH b AS ({b_cte}), \
             {paid}, \
             per AS (SELECT customer_no, \
                 sum(CASE WHEN month = '{p}' THEN kwh ELSE 0 END) AS kwh, \
                 sum(CASE WHEN month = '{p}' THEN amount ELSE 0 END) AS fees, \
                 sum(CASE WHEN {fell_due} THEN amount + late_fee ELSE 0 END) AS due, \
                 sum(CASE WHEN {fell_due} THEN late_fee ELSE 0 END) AS late_fees, \
                 sum(CASE WHEN {fell_due} THEN amount ELSE 0 END) AS receivables, \
                 sum(CASE WHEN month >= '{from12}' THEN kwh ELSE 0 END) AS last_year, \
                 sum(CASE WHEN month >= '{from24}' AND month < '{from12}' THEN kwh ELSE 0 END) \
                   AS year_before, \
                 sum(CASE WHEN month = '{same}' THEN kwh ELSE 0 END) AS same_last, \
                 sum(CASE WHEN month >= '{from12}' THEN amount ELSE 0 END) AS purchase, \
                 max(CASE WHEN month = '{p}' THEN 1 ELSE 0 END) AS active \
               FROM b GROUP BY customer_no) \
             SELECT per.customer_no, kwh, fees, due, late_fees, receivables, last_year, \
                 year_before, same_last, purchase, paid.paid AS paid \
             FROM per LEFT JOIN paid ON per.customer_no = paid.customer_no \
             WHERE active = 1 ORDER BY per.customer_no",
                paid = paid_cte(range)
            )
        };
        let loads_sql = format!(
            "WITH d AS (SELECT customer_no, curve_date, avg(pt) AS a, max(pt) AS m \
               FROM (SELECT customer_no, curve_date, unnest(points_kw) AS pt \
                     FROM load_curves WHERE month = '{p}') \
               GROUP BY customer_no, curve_date) \
             SELECT customer_no, avg(a) AS avg_kw, max(m) AS max_kw FROM d GROUP BY customer_no"
        );
        // The population, then its figures in ranges of customer numbers: the de-duplicating
        // aggregations hold one range's 36 months of bills, not the whole company's.
        let mut keys = Vec::new();
        for b in run(
            self,
            &format!("SELECT DISTINCT customer_no FROM bills WHERE month = '{p}'"),
        )
        .await?
        {
            let who = reader::strings(&b, "customer_no")?;
            keys.extend((0..b.num_rows()).map(|i| who.value(i).to_owned()));
        }
        keys.sort_unstable();
        if let Some(bad) = keys.iter().find(|k| !k.bytes().all(|c| c.is_ascii_digit())) {
            return Err(LakeError::Corrupt(format!(
                "customer_no {bad:?} is not digits"
            )));
        }
        // A range of customers is most of every row group it touches, so the late
        // materialisation that makes point lookups fast (pushdown_filters) only decodes the
        // customer numbers twice here: the bulk reads run without it (about 10 % faster at 1M).
        let mut state = self.session().state();
        state
            .config_mut()
            .options_mut()
            .execution
            .parquet
            .pushdown_filters = false;
        let bulk = SessionContext::new_with_state(state);
        let mut batches = Vec::new();
        for chunk in keys.chunks(CUSTOMERS_PER_QUERY) {
            let (lo, hi) = (&chunk[0], &chunk[chunk.len() - 1]);
            let range = format!("AND customer_no >= '{lo}' AND customer_no <= '{hi}'");
            batches.extend(run_in(&bulk, &sql(&range)).await?);
        }
        let mut loads: HashMap<String, (Decimal, Decimal)> = HashMap::new();
        if root.join(schema::LOAD_CURVES).is_dir() {
            for b in run(self, &loads_sql).await? {
                let who = reader::strings(&b, "customer_no")?;
                let avg = floats(&b, "avg_kw")?;
                let max = floats(&b, "max_kw")?;
                for i in 0..b.num_rows() {
                    loads.insert(who.value(i).to_owned(), (kw(avg[i]), kw(max[i])));
                }
            }
        }

        struct Row {
            customer: String,
            kwh: Decimal,
            fees: Decimal,
            due: Decimal,
            late_fees: Decimal,
            receivables: Decimal,
            last_year: Decimal,
            year_before: Decimal,
            same_last: Decimal,
            purchase: Decimal,
            paid: Decimal,
        }
        let mut rows = Vec::new();
        for b in &batches {
            let who = reader::strings(b, "customer_no")?;
            let cols: Vec<Vec<Decimal>> = [
                "kwh",
                "fees",
                "due",
                "late_fees",
                "receivables",
                "last_year",
                "year_before",
                "same_last",
                "purchase",
                "paid",
            ]
            .iter()
            .map(|c| decimals(b, c))
            .collect::<Result<_>>()?;
            #[allow(clippy::needless_range_loop)]
            for i in 0..b.num_rows() {
                rows.push(Row {
                    customer: who.value(i).to_owned(),
                    kwh: cols[0][i],
                    fees: cols[1][i],
                    due: cols[2][i],
                    late_fees: cols[3][i],
                    receivables: cols[4][i],
                    last_year: cols[5][i],
                    year_before: cols[6][i],
                    same_last: cols[7][i],
                    purchase: cols[8][i],
                    paid: cols[9][i],
                });
            }
        }
        let supply: Decimal = rows.iter().map(|r| r.kwh).sum();
        let fees = money(rows.iter().map(|r| r.fees).sum())?;
        rows.into_iter()
            .map(|r| {
                let (average_load_kw, max_load_kw) =
                    loads.get(&r.customer).copied().unwrap_or_default();
                Ok(Member {
                    inputs: IndicatorInputs {
                        consumption_kwh: r.kwh,
                        company_supply_kwh: supply,
                        transmission_fees: money(r.fees)?,
                        company_transmission_fees: fees,
                        average_load_kw,
                        max_load_kw,
                        power_factor,
                        paid_3y: money(r.paid)?,
                        due_3y: money(r.due)?,
                        late_fees_3y: money(r.late_fees)?,
                        receivables_3y: money(r.receivables)?,
                        last_year_kwh: r.last_year,
                        year_before_kwh: r.year_before,
                        same_period_last_year_kwh: r.same_last,
                    },
                    purchase_amount: money(r.purchase)?,
                    customer: r.customer,
                })
            })
            .collect()
    }
}

/// Writes a period's results as one Parquet file (customer_no, period, B11..B42, their scores,
/// current and potential value, quadrant, purchase amount, ABC class, three-dimension score, grade
/// and the period that evaluated it (null for results computed without one), tier), written to
/// `<path>.tmp` and renamed, like the lake's own files.
pub fn write_segmentation_parquet(
    path: &std::path::Path,
    period: Period,
    results: &[griddesk_domain::segment::CustomerResult],
) -> Result<()> {
    use datafusion::arrow::array::{
        ArrayRef, Decimal128Array, Float64Array, StringArray, UInt8Array,
    };
    use datafusion::arrow::datatypes::{Field, Schema};
    use griddesk_domain::segment::Indicator;
    use std::sync::Arc;
    let io = |source| LakeError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut fields = vec![
        Field::new("customer_no", DataType::Utf8, false),
        Field::new("period", DataType::Utf8, false),
    ];
    let mut cols: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            results.iter().map(|r| r.customer.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            results.iter().map(|_| period.to_string()),
        )),
    ];
    for &i in Indicator::ALL {
        fields.push(Field::new(i.code(), DataType::Float64, false));
        cols.push(Arc::new(Float64Array::from_iter_values(
            results.iter().map(|r| *r.indicators.get(i)),
        )));
    }
    for &i in Indicator::ALL {
        fields.push(Field::new(
            format!("score_{}", i.code()),
            DataType::UInt8,
            false,
        ));
        cols.push(Arc::new(UInt8Array::from_iter_values(
            results.iter().map(|r| *r.scores.get(i)),
        )));
    }
    fields.push(Field::new("current_value", DataType::Float64, false));
    cols.push(Arc::new(Float64Array::from_iter_values(
        results.iter().map(|r| r.value.current),
    )));
    fields.push(Field::new("potential_value", DataType::Float64, false));
    cols.push(Arc::new(Float64Array::from_iter_values(
        results.iter().map(|r| r.value.potential),
    )));
    fields.push(Field::new("quadrant", DataType::Utf8, false));
    cols.push(Arc::new(StringArray::from_iter_values(
        results.iter().map(|r| r.quadrant.code()),
    )));
    fields.push(Field::new(
        "purchase_amount",
        DataType::Decimal128(schema::DECIMAL_PRECISION, schema::DECIMAL_SCALE),
        false,
    ));
    let centi = results
        .iter()
        .map(|r| schema::to_centi("purchase_amount", r.purchase_amount.yuan()))
        .collect::<Result<Vec<_>>>()?;
    cols.push(Arc::new(
        Decimal128Array::from_iter_values(centi)
            .with_precision_and_scale(schema::DECIMAL_PRECISION, schema::DECIMAL_SCALE)
            .map_err(|e| LakeError::Parquet(e.to_string()))?,
    ));
    fields.push(Field::new("abc", DataType::Utf8, false));
    cols.push(Arc::new(StringArray::from_iter_values(
        results.iter().map(|r| r.abc.code()),
    )));
    fields.push(Field::new("grade_score", DataType::Float64, true));
    cols.push(Arc::new(Float64Array::from_iter(
        results.iter().map(|r| r.three_dim.map(|g| g.score)),
    )));
    fields.push(Field::new("grade", DataType::Utf8, true));
    cols.push(Arc::new(StringArray::from_iter(
        results.iter().map(|r| r.three_dim.map(|g| g.grade.code())),
    )));
    fields.push(Field::new("graded_period", DataType::Utf8, true));
    cols.push(Arc::new(StringArray::from_iter(
        results.iter().map(|r| r.graded_in.map(|p| p.to_string())),
    )));
    fields.push(Field::new("tier", DataType::UInt8, false));
    cols.push(Arc::new(UInt8Array::from_iter_values(
        results.iter().map(|r| r.service.tier),
    )));
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), cols)
        .map_err(|e| LakeError::Parquet(e.to_string()))?;
    let tmp = path.with_extension("parquet.tmp");
    let file = std::fs::File::create(&tmp).map_err(io)?;
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .build();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), Some(props))
        .map_err(|e| LakeError::Parquet(e.to_string()))?;
    w.write(&batch)
        .map_err(|e| LakeError::Parquet(e.to_string()))?;
    w.close().map_err(|e| LakeError::Parquet(e.to_string()))?;
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use crate::{Lake, LakeWriter};
    use griddesk_domain::billing::{Bill, LoadCurve, PayChannel, Payment, Period};
    use griddesk_domain::values::{CustomerNo, Money};
    use jiff::civil::date;
    use rust_decimal::Decimal;

    fn cno(n: u64) -> CustomerNo {
        CustomerNo::parse(&format!("{n:010}")).unwrap()
    }

    fn bill(c: &CustomerNo, p: &str, kwh: i64, yuan: i64, late: i64) -> Bill {
        let per = Period::parse(p).unwrap();
        Bill {
            bill_no: format!("B{c}{}", p.replace('-', "")),
            customer_no: c.clone(),
            period: per,
            consumption_kwh: Decimal::from(kwh),
            amount: Money::from_fen(yuan * 100),
            late_fee: Money::from_fen(late * 100),
            issued_on: per.next().first_day(),
            due_on: date(per.next().year(), per.next().month(), 20),
        }
    }

    fn pay(no: &str, b: &Bill, at: &str, yuan: i64, bounced: bool) -> Payment {
        Payment {
            payment_no: no.to_owned(),
            customer_no: b.customer_no.clone(),
            bill_no: b.bill_no.clone(),
            paid_at: at.parse().unwrap(),
            amount: Money::from_fen(yuan * 100),
            channel: PayChannel::Wechat,
            bounced,
        }
    }

    fn curve(c: &CustomerNo, d: jiff::civil::Date, points: Vec<f32>) -> LoadCurve {
        LoadCurve {
            customer_no: c.clone(),
            curve_date: d,
            points_kw: points,
        }
    }

    fn yuan(n: i64) -> Money {
        Money::from_fen(n * 100)
    }

    #[tokio::test]
    async fn inputs_of_a_period_by_hand() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (cno(1_000_000_001), cno(1_000_000_002), cno(1_000_000_003));
        let a_now = bill(&a, "2026-09", 1_000, 600, 0);
        let a_prev = bill(&a, "2026-08", 900, 550, 0);
        let a_same = bill(&a, "2025-09", 800, 500, 10);
        let a_before = bill(&a, "2025-03", 300, 200, 0);
        let a_old = bill(&a, "2023-10", 100, 50, 5);
        let a_out = bill(&a, "2023-08", 999, 999, 0);
        let bills = vec![
            a_now.clone(),
            a_prev.clone(),
            a_same.clone(),
            a_before,
            a_old.clone(),
            a_out.clone(),
            bill(&b, "2026-09", 3_000, 1_400, 0),
            bill(&c, "2026-08", 50, 30, 0),
        ];
        let payments = vec![
            pay("P1", &a_same, "2025-10-15T02:00:00Z", 510, false),
            pay("P2", &a_prev, "2026-09-10T02:00:00Z", 550, false),
            pay("P3", &a_now, "2026-09-28T02:00:00Z", 600, true),
            pay("P4", &a_now, "2026-10-05T02:00:00Z", 600, false),
            pay("P5", &a_out, "2023-09-10T02:00:00Z", 999, false),
            pay("P6", &a_old, "2023-11-10T02:00:00Z", 55, false),
        ];
        let mut day1 = vec![10.0f32; 96];
        day1[40] = 40.0;
        let curves = vec![
            curve(&a, date(2026, 9, 1), day1),
            curve(&a, date(2026, 9, 2), vec![20.0; 96]),
            curve(&a, date(2026, 8, 31), vec![100.0; 96]),
        ];
        let mut w = LakeWriter::create(dir.path(), "demo-1").unwrap();
        w.write_bills(&bills).unwrap();
        w.write_payments(&payments).unwrap();
        w.write_load_curves(&curves).unwrap();
        w.finish().unwrap();
        let p = Period::parse("2026-09").unwrap();
        let one_writer = Lake::open(dir.path())
            .unwrap()
            .segmentation_inputs(p, 0.9)
            .await
            .unwrap();
        // The same records again under another stem count once.
        let mut w = LakeWriter::create(dir.path(), "import-x").unwrap();
        w.write_bills(std::slice::from_ref(&a_prev)).unwrap();
        w.write_payments(&payments[1..2]).unwrap();
        w.write_load_curves(&curves[1..2]).unwrap();
        w.finish().unwrap();

        let lake = Lake::open(dir.path()).unwrap();
        let m = lake.segmentation_inputs(p, 0.9).await.unwrap();
        // One writer's files are read without de-duplication, two writers' with it: the
        // figures are the same.
        assert_eq!(m, one_writer);
        assert_eq!(
            m.iter().map(|m| m.customer.as_str()).collect::<Vec<_>>(),
            [a.as_str(), b.as_str()],
            "only customers billed for the period, in customer order"
        );
        let (ia, ib) = (&m[0].inputs, &m[1].inputs);
        assert_eq!(ia.consumption_kwh, Decimal::from(1_000));
        assert_eq!(ia.company_supply_kwh, Decimal::from(4_000));
        assert_eq!(ia.transmission_fees, yuan(600));
        assert_eq!(ia.company_transmission_fees, yuan(2_000));
        // Day means 990/96 = 10.3125 and 20: mean 15.15625; the largest point 40.
        assert_eq!(ia.average_load_kw, Decimal::new(15_156, 3));
        assert_eq!(ia.max_load_kw, Decimal::from(40));
        assert_eq!(ia.power_factor, 0.9);
        // Due 2023-10-01 .. 2026-09-30: the bills of 2023-09 .. 2026-08 (due on the 20th of the
        // next month), 550 + 500 + 200 + 50, plus late fees 10 + 5. The 2026-09 bill falls due
        // after the period, the 2023-08 one before the window.
        assert_eq!(ia.receivables_3y, yuan(1_300));
        assert_eq!(ia.late_fees_3y, yuan(15));
        assert_eq!(ia.due_3y, yuan(1_315));
        // P1 + P2 + P6; P3 bounced and P4 after the period (both for the bill not yet due), P5
        // settles a bill outside the window.
        assert_eq!(ia.paid_3y, yuan(1_115));
        assert_eq!(ia.last_year_kwh, Decimal::from(1_900));
        assert_eq!(ia.year_before_kwh, Decimal::from(1_100));
        assert_eq!(ia.same_period_last_year_kwh, Decimal::from(800));
        assert_eq!(m[0].purchase_amount, yuan(1_150));

        assert_eq!(ib.consumption_kwh, Decimal::from(3_000));
        assert_eq!(
            (ib.average_load_kw, ib.max_load_kw),
            (Decimal::ZERO, Decimal::ZERO)
        );
        // b's only bill is P's own: nothing has fallen due yet.
        assert_eq!((ib.paid_3y, ib.due_3y), (yuan(0), yuan(0)));
        assert_eq!(ib.last_year_kwh, Decimal::from(3_000));
        assert_eq!(ib.year_before_kwh, Decimal::ZERO);
        assert_eq!(m[1].purchase_amount, yuan(1_400));

        // The figures go through the pure segmentation.
        let s = griddesk_domain::segment::segment(&m, &Default::default()).unwrap();
        assert_eq!(s.summary.customers, 2);

        let empty = lake
            .segmentation_inputs(Period::parse("2030-01").unwrap(), 0.9)
            .await
            .unwrap();
        assert!(empty.is_empty());
        let none = Lake::open(&dir.path().join("nothing")).unwrap();
        assert!(none.segmentation_inputs(p, 0.9).await.unwrap().is_empty());
    }
}
