//! Typical daily load curves for demand-side management (D9): the company's total curve and the
//! curves of a few customers over the recent days, each the point-by-point mean of its days, from
//! which orderly-use plans take the customers' peak-shifting ability.
//!
//! The read is bounded: only the partitions and dates of the recent days are scanned
//! ([`Lake::typical_curves`]), streamed batch by batch; what stays in memory is one running sum
//! per day and per asked-for customer, and the keys of the rows seen (to count a curve present
//! in two files once, as docs/lake.md prescribes), never the curves themselves.
//!
//! The company's total curve is the sum of every customer's curve in the lake — the metered
//! large customers: the lake has no system-level measurement. It stands in for dispatch's
//! system load curve; the correlation does not depend on its scale.

use crate::{Lake, LakeError, Result, reader, schema};
use datafusion::arrow::array::{Array, Date32Array, FixedSizeListArray, Float32Array};
use datafusion::functions_aggregate::expr_fn::max;
use datafusion::prelude::col;
use futures::StreamExt;
use griddesk_domain::billing::Period;
use griddesk_domain::orderly::CURVE_POINTS;
use griddesk_domain::values::CustomerNo;
use jiff::civil::Date;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Days averaged into a typical curve: two weeks, so weekdays and weekends both count.
pub const TYPICAL_DAYS: u32 = 14;

/// How far before `until` the newest curve may lie (curves arrive from the meter-data system
/// with a delay; the demo's end with the last billed month).
pub const LOOKBACK_DAYS: i32 = 62;

/// Typical curves of the company and of some customers over the same days.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypicalCurves {
    /// First and last day averaged; `None` when the lake holds no curve in the lookback.
    pub days: Option<(Date, Date)>,
    /// The company's total: per day the sum of every customer's curve, then the mean over days.
    pub system: Option<Vec<f64>>,
    /// Each asked-for customer with curves on those days: the mean over its days.
    pub customers: HashMap<CustomerNo, Vec<f64>>,
}

fn query_err(e: impl std::fmt::Display) -> LakeError {
    LakeError::Query(e.to_string())
}

/// A ten-digit customer number as an integer key (no allocation per row).
fn key(s: &str) -> Result<u64> {
    s.parse()
        .map_err(|_| LakeError::Corrupt(format!("customer_no {s:?} is not digits")))
}

/// Running point sums and the number of days added.
struct Sum {
    points: Vec<f64>,
    days: u32,
}

impl Sum {
    fn new() -> Self {
        Sum {
            points: vec![0.0; CURVE_POINTS],
            days: 0,
        }
    }
    fn add(&mut self, p: impl IntoIterator<Item = f64>) {
        for (s, v) in self.points.iter_mut().zip(p) {
            *s += v;
        }
        self.days += 1;
    }
    fn mean(self) -> Vec<f64> {
        let n = f64::from(self.days.max(1));
        self.points.into_iter().map(|s| s / n).collect()
    }
}

impl Lake {
    /// The typical curves of the company and of `customers` over the `days` days (at most
    /// [`TYPICAL_DAYS`] is sensible; at least 1) ending with the newest curve dated on or before
    /// `until`, at most [`LOOKBACK_DAYS`] before it. Customers without curves on those days
    /// are absent from [`TypicalCurves::customers`].
    pub async fn typical_curves(
        &self,
        customers: &[CustomerNo],
        until: Date,
        days: u32,
    ) -> Result<TypicalCurves> {
        if !self.root().join(schema::LOAD_CURVES).is_dir() {
            return Ok(TypicalCurves::default());
        }
        let until_days = schema::date_to_days(until);
        let from_days = until_days - LOOKBACK_DAYS;
        let months = |from: i32, to: i32| -> Result<_> {
            let lo = Period::of(schema::days_to_date(from)?);
            let hi = Period::of(schema::days_to_date(to)?);
            Ok(reader::month_from(lo)
                .and(col(schema::MONTH).lt_eq(datafusion::prelude::lit(hi.to_string()))))
        };

        // 1. The newest day with curves in the lookback.
        let newest = self
            .session()
            .table(schema::LOAD_CURVES)
            .await
            .map_err(query_err)?
            .filter(months(from_days, until_days)?.and(reader::date_between(
                "curve_date",
                from_days,
                until_days,
            )))
            .map_err(query_err)?
            .aggregate(vec![], vec![max(col("curve_date")).alias("newest")])
            .map_err(query_err)?
            .collect()
            .await
            .map_err(query_err)?;
        let newest = newest.iter().find_map(|b| {
            let a = b
                .column_by_name("newest")?
                .as_any()
                .downcast_ref::<Date32Array>()?;
            (!a.is_empty() && a.is_valid(0)).then(|| a.value(0))
        });
        let Some(last) = newest else {
            return Ok(TypicalCurves::default());
        };
        let first = last - i32::try_from(days.clamp(1, 366)).unwrap_or(1) + 1;

        // 2. One streamed pass over those days.
        let wanted: HashMap<u64, &CustomerNo> = customers
            .iter()
            .map(|c| Ok((key(c.as_str())?, c)))
            .collect::<Result<_>>()?;
        let mut seen: HashSet<(u64, i32)> = HashSet::new();
        let mut per_day: BTreeMap<i32, Vec<f64>> = BTreeMap::new();
        let mut per_customer: HashMap<u64, Sum> = HashMap::new();
        let mut stream = self
            .session()
            .table(schema::LOAD_CURVES)
            .await
            .map_err(query_err)?
            .filter(months(first, last)?.and(reader::date_between("curve_date", first, last)))
            .map_err(query_err)?
            .select_columns(&["customer_no", "curve_date", "points_kw"])
            .map_err(query_err)?
            .execute_stream()
            .await
            .map_err(query_err)?;
        while let Some(batch) = stream.next().await {
            let b = batch.map_err(query_err)?;
            let who = reader::strings(&b, "customer_no")?;
            let date = b
                .column_by_name("curve_date")
                .and_then(|a| a.as_any().downcast_ref::<Date32Array>())
                .ok_or_else(|| LakeError::Corrupt("curve_date is not a date".into()))?;
            let points = b
                .column_by_name("points_kw")
                .and_then(|a| a.as_any().downcast_ref::<FixedSizeListArray>())
                .ok_or_else(|| LakeError::Corrupt("points_kw is not a list".into()))?;
            for i in 0..b.num_rows() {
                if who.is_null(i) || date.is_null(i) || points.is_null(i) {
                    return Err(LakeError::Corrupt("load curve with nulls".into()));
                }
                let k = key(who.value(i))?;
                let d = date.value(i);
                if !seen.insert((k, d)) {
                    continue;
                }
                let row = points.value(i);
                let row = row
                    .as_any()
                    .downcast_ref::<Float32Array>()
                    .ok_or_else(|| LakeError::Corrupt("points_kw items are not Float32".into()))?;
                if row.len() != CURVE_POINTS || row.null_count() > 0 {
                    return Err(LakeError::Corrupt(format!(
                        "a load curve of {} has {} points",
                        who.value(i),
                        row.len()
                    )));
                }
                let values = row.values();
                let day = per_day.entry(d).or_insert_with(|| vec![0.0; CURVE_POINTS]);
                for (s, v) in day.iter_mut().zip(values.iter()) {
                    *s += f64::from(*v);
                }
                if wanted.contains_key(&k) {
                    per_customer
                        .entry(k)
                        .or_insert_with(Sum::new)
                        .add(values.iter().map(|v| f64::from(*v)));
                }
            }
        }

        let mut system = Sum::new();
        for day in per_day.into_values() {
            system.add(day);
        }
        Ok(TypicalCurves {
            days: Some((schema::days_to_date(first)?, schema::days_to_date(last)?)),
            system: (system.days > 0).then(|| system.mean()),
            customers: per_customer
                .into_iter()
                .map(|(k, s)| (wanted[&k].clone(), s.mean()))
                .collect(),
        })
    }
}
