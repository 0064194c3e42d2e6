//! Storage of value segmentation (D4): one run per period (its configuration, summary, when and
//! by whom) and one result row per customer and period (raw indicators, scores, values,
//! quadrant, ABC class, three-dimension grade, tier and entitlements). A period is replaced
//! whole, in one transaction: readers see the previous run or the new one, never a mix. The
//! explanation of a customer is recomputed from its row and the run's summary
//! ([`griddesk_domain::segment::explanation`]); movement between two periods is counted by the
//! database for any [`Grading`].

use crate::Result;
use crate::backend::corrupt;
use griddesk_domain::billing::Period;
use griddesk_domain::segment::{
    AbcClass, CustomerResult, Entitlement, Grading, Indicator, PerIndicator, Quadrant,
    ThreeDimGrade, ThreeDimResult, TierRule, ValuePoint,
};
use griddesk_domain::values::{CustomerNo, Money};
use jiff::Timestamp;
use std::collections::HashMap;

/// One segmentation run of a period.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentRun {
    pub period: Period,
    /// The configuration it ran with (TOML or JSON text, as given).
    pub config: String,
    /// The population summary ([`Summary`]) as JSON.
    pub summary_json: String,
    pub created_at: Timestamp,
    pub created_by: String,
}

/// How many customers went from one grade to another between two periods, by the grade's code
/// ([`Grading::codes`]); `None` is "not segmented in that period" (for the three-dimension
/// grade also "segmented before grades were computed").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct GradeMove {
    pub from: Option<String>,
    pub to: Option<String>,
    pub count: i64,
}

/// Which results of a period to list; `None` fields do not filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemberFilter {
    pub quadrant: Option<Quadrant>,
    pub abc: Option<AbcClass>,
    pub grade: Option<ThreeDimGrade>,
    pub tier: Option<u8>,
}

/// The result column holding a grading's code (static, so it may be spliced into SQL).
pub fn grading_column(g: Grading) -> &'static str {
    match g {
        Grading::Quadrant => "quadrant",
        Grading::Abc => "abc",
        Grading::Grade => "grade",
        Grading::Tier => "tier",
    }
}

/// Rows per INSERT statement: 28 parameters each stays under SQLite's 32,766.
pub const SEGMENT_CHUNK: usize = 1_000;

#[async_trait::async_trait]
pub trait SegmentStore: Send + Sync {
    /// Replaces the run and every result of `run.period`, atomically: on any error (a customer
    /// not in the archive, say) the previous run of the period stays as it was.
    async fn replace_segmentation(
        &self,
        run: &SegmentRun,
        results: &[CustomerResult],
    ) -> Result<()>;
    async fn segmentation_run(&self, period: Period) -> Result<Option<SegmentRun>>;
    /// Segmented periods, latest first.
    async fn segmentation_periods(&self) -> Result<Vec<Period>>;
    /// A customer's result of `period`, or of the latest period it was segmented in.
    async fn customer_segment(
        &self,
        customer: &CustomerNo,
        period: Option<Period>,
    ) -> Result<Option<(Period, CustomerResult)>>;
    /// The tier of the customer's latest segmented period, if any.
    async fn current_tier(&self, customer: &CustomerNo) -> Result<Option<u8>>;
    /// Results of a period matching `filter`, highest current value first (then customer
    /// number), at most `limit`.
    async fn segment_members(
        &self,
        period: Period,
        filter: &MemberFilter,
        limit: u32,
    ) -> Result<Vec<CustomerResult>>;
    /// Each customer's three-dimension grade in the latest segmented period before `period`,
    /// with the period that evaluated it (results without a grade left out): what
    /// [`griddesk_domain::segment::carry_grades`] keeps through the review cycle.
    async fn grades_before(
        &self,
        period: Period,
    ) -> Result<HashMap<String, (Period, ThreeDimResult)>>;
    /// Movements of a grading between two periods, ordered by (from, to): every customer of
    /// either period counted once. `from == to` counts one period's grades.
    async fn grade_movement(
        &self,
        grading: Grading,
        from: Period,
        to: Period,
    ) -> Result<Vec<GradeMove>>;
}

pub const SEGMENT_COLUMNS: &str = "customer_no, b11, b12, b21, b22, b31, b32, b41, b42, \
    s11, s12, s21, s22, s31, s32, s41, s42, current_value, potential_value, quadrant, \
    purchase_fen, abc, tier, entitlements, grade, grade_score, graded_period";

/// The index after [`SEGMENT_COLUMNS`], for a column selected after them.
pub const AFTER_SEGMENT_COLUMNS: usize = 27;

/// A result's row values, in [`SEGMENT_COLUMNS`] order after the customer number.
pub struct SegmentValues {
    pub indicators: [f64; 8],
    pub scores: [i32; 8],
    pub current: f64,
    pub potential: f64,
    pub quadrant: &'static str,
    pub purchase_fen: i64,
    pub abc: &'static str,
    pub tier: i32,
    pub entitlements: String,
    pub grade: Option<&'static str>,
    pub grade_score: Option<f64>,
    pub graded_period: Option<String>,
}

pub fn segment_values(r: &CustomerResult) -> Result<SegmentValues> {
    let all = Indicator::ALL;
    let mut indicators = [0.0; 8];
    let mut scores = [0; 8];
    for (k, &i) in all.iter().enumerate() {
        indicators[k] = *r.indicators.get(i);
        scores[k] = i32::from(*r.scores.get(i));
    }
    // Money always displays two decimals: its fen are the digits without the point.
    let purchase_fen: i64 = r
        .purchase_amount
        .to_string()
        .replace('.', "")
        .parse()
        .map_err(|e| corrupt("purchase_amount", e))?;
    Ok(SegmentValues {
        indicators,
        scores,
        current: r.value.current,
        potential: r.value.potential,
        quadrant: r.quadrant.code(),
        purchase_fen,
        abc: r.abc.code(),
        tier: i32::from(r.service.tier),
        entitlements: r
            .service
            .entitlements
            .iter()
            .map(|e| e.code())
            .collect::<Vec<_>>()
            .join(","),
        grade: r.three_dim.map(|g| g.grade.code()),
        grade_score: r.three_dim.map(|g| g.score),
        graded_period: r.graded_in.map(|p| p.to_string()),
    })
}

/// Decodes a row read as [`SEGMENT_COLUMNS`].
#[allow(clippy::too_many_arguments)]
pub fn segment_from_values(
    customer: String,
    indicators: [f64; 8],
    scores: [i32; 8],
    current: f64,
    potential: f64,
    quadrant: &str,
    purchase_fen: i64,
    abc: &str,
    tier: i32,
    entitlements: &str,
    grade: Option<(&str, f64)>,
    graded_period: Option<&str>,
) -> Result<CustomerResult> {
    let all = Indicator::ALL;
    let mut ind = PerIndicator::<f64>::default();
    let mut sc = PerIndicator::<u8>::default();
    for (k, &i) in all.iter().enumerate() {
        *ind.get_mut(i) = indicators[k];
        *sc.get_mut(i) = u8::try_from(scores[k]).map_err(|e| corrupt("score", e))?;
    }
    Ok(CustomerResult {
        customer,
        indicators: ind,
        scores: sc,
        value: ValuePoint { current, potential },
        quadrant: Quadrant::parse(quadrant).map_err(|e| corrupt("quadrant", e))?,
        purchase_amount: Money::from_fen(purchase_fen),
        abc: AbcClass::parse(abc).map_err(|e| corrupt("abc", e))?,
        three_dim: grade
            .map(|(g, score)| -> Result<ThreeDimResult> {
                Ok(ThreeDimResult {
                    score,
                    grade: ThreeDimGrade::parse(g).map_err(|e| corrupt("grade", e))?,
                })
            })
            .transpose()?,
        graded_in: graded_period.map(period_of).transpose()?,
        service: TierRule {
            tier: u8::try_from(tier).map_err(|e| corrupt("tier", e))?,
            entitlements: entitlements
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| Entitlement::parse(s).map_err(|e| corrupt("entitlements", e)))
                .collect::<Result<_>>()?,
        },
    })
}

pub fn period_of(s: &str) -> Result<Period> {
    Period::parse(s).map_err(|e| corrupt("period", e))
}

/// Implements [`SegmentStore`] for a backend whose struct has a `pool` field and a
/// `begin_write` method; see [`crate::access_store_impl`] for the arguments.
#[macro_export]
macro_rules! segment_store_impl {
    ($store:ty, $conn:ty, $db:path) => {
        const _: () = {
            use ::griddesk_domain::billing::Period;
            use ::griddesk_domain::segment::{CustomerResult, Grading, ThreeDimResult};
            use ::griddesk_domain::values::CustomerNo;
            use ::sqlx::Row as _;
            use $crate::Result;
            use $crate::access::{ts_us, us_ts};
            use $crate::segment::*;

            type Db = <$conn as ::sqlx::Connection>::Database;
            type DbRow = <Db as ::sqlx::Database>::Row;

            fn decode(row: &DbRow) -> Result<CustomerResult> {
                let g = |i: usize| -> Result<f64> { row.try_get::<f64, _>(i).map_err($db) };
                let gi = |i: usize| -> Result<i32> { row.try_get::<i32, _>(i).map_err($db) };
                let mut ind = [0.0; 8];
                let mut sc = [0; 8];
                for k in 0..8 {
                    ind[k] = g(1 + k)?;
                    sc[k] = gi(9 + k)?;
                }
                let customer: String = row.try_get(0).map_err($db)?;
                let quadrant: String = row.try_get(19).map_err($db)?;
                let fen: i64 = row.try_get(20).map_err($db)?;
                let abc: String = row.try_get(21).map_err($db)?;
                let ent: String = row.try_get(23).map_err($db)?;
                let grade: Option<String> = row.try_get(24).map_err($db)?;
                let grade_score: Option<f64> = row.try_get(25).map_err($db)?;
                let graded: Option<String> = row.try_get(26).map_err($db)?;
                segment_from_values(
                    customer,
                    ind,
                    sc,
                    g(17)?,
                    g(18)?,
                    &quadrant,
                    fen,
                    &abc,
                    gi(22)?,
                    &ent,
                    grade.as_deref().zip(grade_score),
                    graded.as_deref(),
                )
            }

            #[::async_trait::async_trait]
            impl SegmentStore for $store {
                async fn replace_segmentation(
                    &self,
                    run: &SegmentRun,
                    results: &[CustomerResult],
                ) -> Result<()> {
                    let period = run.period.to_string();
                    let mut tx = self.begin_write().await.map_err($db)?;
                    ::sqlx::query("DELETE FROM segment_result WHERE period = $1")
                        .bind(&period)
                        .execute(&mut *tx)
                        .await
                        .map_err($db)?;
                    ::sqlx::query("DELETE FROM segment_run WHERE period = $1")
                        .bind(&period)
                        .execute(&mut *tx)
                        .await
                        .map_err($db)?;
                    ::sqlx::query(
                        "INSERT INTO segment_run (period, config, summary, created_us, created_by) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&period)
                    .bind(&run.config)
                    .bind(&run.summary_json)
                    .bind(ts_us(run.created_at))
                    .bind(&run.created_by)
                    .execute(&mut *tx)
                    .await
                    .map_err($db)?;
                    // Row values chunk by chunk, not all first: at 10M customers they would be
                    // gigabytes beside the results (an error still rolls the whole run back).
                    fn chunk<'a>(
                        period: &'a str,
                        rs: &'a [CustomerResult],
                    ) -> Result<::sqlx::QueryBuilder<'a, Db>> {
                        let vs = rs.iter().map(segment_values).collect::<Result<Vec<_>>>()?;
                        let mut qb = ::sqlx::QueryBuilder::<Db>::new(format!(
                            "INSERT INTO segment_result (period, {SEGMENT_COLUMNS}) "
                        ));
                        qb.push_values(rs.iter().zip(vs), |mut b, (r, v)| {
                            b.push_bind(period).push_bind(r.customer.as_str());
                            for x in v.indicators {
                                b.push_bind(x);
                            }
                            for x in v.scores {
                                b.push_bind(x);
                            }
                            b.push_bind(v.current)
                                .push_bind(v.potential)
                                .push_bind(v.quadrant)
                                .push_bind(v.purchase_fen)
                                .push_bind(v.abc)
                                .push_bind(v.tier)
                                .push_bind(v.entitlements)
                                .push_bind(v.grade)
                                .push_bind(v.grade_score)
                                .push_bind(v.graded_period);
                        });
                        Ok(qb)
                    }
                    // The next chunk's statement is built while the database runs this one.
                    let mut chunks = results.chunks(SEGMENT_CHUNK);
                    let mut current = chunks.next().map(|rs| chunk(&period, rs)).transpose()?;
                    while let Some(mut qb) = current {
                        let next = chunks.next();
                        let (done, built) = $crate::__futures::future::join(
                            qb.build().execute(&mut *tx),
                            async { next.map(|rs| chunk(&period, rs)).transpose() },
                        )
                        .await;
                        done.map_err($db)?;
                        current = built?;
                    }
                    tx.commit().await.map_err($db)?;
                    Ok(())
                }

                async fn segmentation_run(&self, period: Period) -> Result<Option<SegmentRun>> {
                    let row: Option<(String, String, i64, String)> = ::sqlx::query_as(
                        "SELECT config, summary, created_us, created_by FROM segment_run \
                         WHERE period = $1",
                    )
                    .bind(period.to_string())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($db)?;
                    row.map(|(config, summary_json, at, created_by)| {
                        Ok(SegmentRun {
                            period,
                            config,
                            summary_json,
                            created_at: us_ts(at)?,
                            created_by,
                        })
                    })
                    .transpose()
                }

                async fn segmentation_periods(&self) -> Result<Vec<Period>> {
                    let rows: Vec<String> =
                        ::sqlx::query_scalar("SELECT period FROM segment_run ORDER BY period DESC")
                            .fetch_all(&self.pool)
                            .await
                            .map_err($db)?;
                    rows.iter().map(|p| period_of(p)).collect()
                }

                async fn customer_segment(
                    &self,
                    customer: &CustomerNo,
                    period: Option<Period>,
                ) -> Result<Option<(Period, CustomerResult)>> {
                    let row = ::sqlx::query(&format!(
                        "SELECT {SEGMENT_COLUMNS}, period FROM segment_result \
                         WHERE customer_no = $1 AND ($2 IS NULL OR period = $2) \
                         ORDER BY period DESC LIMIT 1"
                    ))
                    .bind(customer.as_str())
                    .bind(period.map(|p| p.to_string()))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($db)?;
                    row.map(|row| {
                        let p: String = row.try_get(AFTER_SEGMENT_COLUMNS).map_err($db)?;
                        Ok((period_of(&p)?, decode(&row)?))
                    })
                    .transpose()
                }

                async fn current_tier(&self, customer: &CustomerNo) -> Result<Option<u8>> {
                    let t: Option<i32> = ::sqlx::query_scalar(
                        "SELECT tier FROM segment_result WHERE customer_no = $1 \
                         ORDER BY period DESC LIMIT 1",
                    )
                    .bind(customer.as_str())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($db)?;
                    t.map(|t| u8::try_from(t).map_err(|e| $crate::backend::corrupt("tier", e)))
                        .transpose()
                }

                async fn segment_members(
                    &self,
                    period: Period,
                    filter: &MemberFilter,
                    limit: u32,
                ) -> Result<Vec<CustomerResult>> {
                    let rows = ::sqlx::query(&format!(
                        "SELECT {SEGMENT_COLUMNS} FROM segment_result WHERE period = $1 \
                         AND ($2 IS NULL OR quadrant = $2) AND ($3 IS NULL OR abc = $3) \
                         AND ($4 IS NULL OR grade = $4) AND ($5 IS NULL OR tier = $5) \
                         ORDER BY current_value DESC, customer_no LIMIT $6"
                    ))
                    .bind(period.to_string())
                    .bind(filter.quadrant.map(|q| q.code()))
                    .bind(filter.abc.map(|a| a.code()))
                    .bind(filter.grade.map(|g| g.code()))
                    .bind(filter.tier.map(i32::from))
                    .bind(i64::from(limit.clamp(1, 1_000_000)))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.iter().map(decode).collect()
                }

                async fn grades_before(
                    &self,
                    period: Period,
                ) -> Result<::std::collections::HashMap<String, (Period, ThreeDimResult)>> {
                    let rows: Vec<(String, String, String, f64)> = ::sqlx::query_as(
                        "SELECT customer_no, graded_period, grade, grade_score \
                         FROM segment_result WHERE period = \
                           (SELECT max(period) FROM segment_result WHERE period < $1) \
                         AND grade IS NOT NULL AND graded_period IS NOT NULL \
                         AND grade_score IS NOT NULL",
                    )
                    .bind(period.to_string())
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter()
                        .map(|(c, p, g, score)| {
                            let grade = ::griddesk_domain::segment::ThreeDimGrade::parse(&g)
                                .map_err(|e| $crate::backend::corrupt("grade", e))?;
                            Ok((c, (period_of(&p)?, ThreeDimResult { score, grade })))
                        })
                        .collect()
                }

                async fn grade_movement(
                    &self,
                    grading: Grading,
                    from: Period,
                    to: Period,
                ) -> Result<Vec<GradeMove>> {
                    let col = grading_column(grading);
                    // One period's counts need no join.
                    let sql = if from == to {
                        format!(
                            "SELECT CAST({col} AS TEXT), CAST({col} AS TEXT), COUNT(*) \
                             FROM segment_result WHERE period = $1 AND period = $2 \
                             GROUP BY {col}"
                        )
                    } else {
                        format!(
                            "SELECT CAST(a.{col} AS TEXT), CAST(b.{col} AS TEXT), COUNT(*) FROM \
                             (SELECT customer_no FROM segment_result WHERE period IN ($1, $2) \
                              GROUP BY customer_no) k \
                             LEFT JOIN segment_result a ON a.customer_no = k.customer_no \
                               AND a.period = $1 \
                             LEFT JOIN segment_result b ON b.customer_no = k.customer_no \
                               AND b.period = $2 \
                             GROUP BY a.{col}, b.{col}"
                        )
                    };
                    let rows: Vec<(Option<String>, Option<String>, i64)> =
                        ::sqlx::query_as(&sql)
                        .bind(from.to_string())
                        .bind(to.to_string())
                        .fetch_all(&self.pool)
                        .await
                        .map_err($db)?;
                    let mut out: Vec<GradeMove> = rows
                        .into_iter()
                        .map(|(from, to, count)| GradeMove { from, to, count })
                        .collect();
                    out.sort();
                    Ok(out)
                }
            }
        };
    };
}
