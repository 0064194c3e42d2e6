//! Customer value segmentation (D4) at the edges: one run of a period (raw figures from the
//! lake, the pure [`griddesk_domain::segment::segment`], the results stored atomically), its
//! Excel export, the service tier a customer is served in (the stored one, else
//! [`default_tier`]), and the JSON API: a period's summary, its customers by grade, the
//! movement of any grading between two periods, a customer's explanation, and a run started by
//! an analyst.
//!
//! Access: the summary and runs are analysis, for the roles holding `complaint_ledger`
//! (analysts and supervisors, the analysis permission of the table); a customer's segment is
//! part of its record (`archive_read`), as the agent needs the tier on the phone.

use crate::auth::Auth;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath};
use crate::{AppState, time};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use griddesk_domain::billing::Period;
use griddesk_domain::customer::Customer;
use griddesk_domain::queue::{BASIC_TIER, GREEN_CHANNEL_TIER, default_tier};
use griddesk_domain::segment::{
    AbcClass, Grading, Indicator, Quadrant, SegmentError, Segmentation, SegmentationConfig,
    Summary, ThreeDimGrade, carry_grades, explanation, segment,
};
use griddesk_domain::values::{CustomerNo, Lang};
use griddesk_store::Store;
use griddesk_store::segment::{MemberFilter, SegmentRun};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use utoipa::ToSchema;

pub const TAG_SEGMENTATION: &str = "segmentation";

/// The shipped configuration (`data/segmentation.toml`, the seed defaults).
pub const DEFAULT_CONFIG: &str = include_str!("../../../data/segmentation.toml");

/// Parses a segmentation configuration (TOML) and checks it.
pub fn parse_config(name: &str, text: &str) -> Result<SegmentationConfig, String> {
    let c: SegmentationConfig = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
    c.validate().map_err(|e| format!("{name}: {e}"))?;
    Ok(c)
}

/// The tier a customer is served in: the tier of its latest segmentation, else the default rule.
pub async fn service_tier(store: &dyn Store, customer: Option<&Customer>) -> Result<u8, ApiError> {
    if let Some(c) = customer
        && let Some(t) = store.current_tier(&c.customer_no).await?
    {
        return Ok(t);
    }
    Ok(default_tier(customer))
}

/// Steps of a run, reported to `progress` as they finish.
pub const RUN_STEPS: [&str; 3] = ["read the lake", "segment", "store"];

/// Work on a run's computed results done while they are stored (an export), on a blocking
/// thread of its own: storing is mostly the database's one writer, so this takes the other
/// core instead of waiting its turn. It sees the results whether or not storing them succeeds.
pub type Alongside = Box<dyn FnOnce(&Segmentation) -> Result<(), String> + Send>;

/// Segments every customer billed for `period` and replaces the period's stored results, with
/// `alongside` run on the results while they are stored; its outcome comes back beside them (a
/// failed export leaves the stored results stored).
#[allow(clippy::too_many_arguments)]
pub async fn run_segmentation(
    store: &dyn Store,
    lake: &griddesk_lake::Lake,
    period: Period,
    config: &SegmentationConfig,
    config_text: &str,
    created_by: &str,
    progress: &(dyn Fn(usize) + Send + Sync),
    alongside: Option<Alongside>,
) -> Result<(Segmentation, Result<(), String>), ApiError> {
    let members = lake
        .segmentation_inputs(period, griddesk_lake::segment::DEFAULT_POWER_FACTOR)
        .await?;
    progress(1);
    let mut s = segment(&members, config).map_err(|e| match e {
        SegmentError::EmptyPopulation => {
            ApiError::invalid("period", format!("no customer is billed for {period}"))
        }
        e @ (SegmentError::Config(_) | SegmentError::Weights(_)) => {
            ApiError::invalid("config", e.to_string())
        }
        e => ApiError::Internal(e.to_string()),
    })?;
    // The review cycle: grades evaluated less than `review_years` ago are kept.
    let previous = store.grades_before(period).await?;
    carry_grades(&mut s, period, &previous, config);
    progress(2);
    let run = SegmentRun {
        period,
        config: config_text.to_owned(),
        summary_json: serde_json::to_string(&s.summary)
            .map_err(|e| ApiError::Internal(e.to_string()))?,
        created_at: time::now(),
        created_by: created_by.to_owned(),
    };
    let s = std::sync::Arc::new(s);
    let side = alongside.map(|f| {
        let s = s.clone();
        tokio::task::spawn_blocking(move || f(&s))
    });
    let stored = store.replace_segmentation(&run, &s.customers).await;
    let side = match side {
        Some(h) => h.await.map_err(|e| ApiError::Internal(e.to_string()))?,
        None => Ok(()),
    };
    stored?;
    progress(3);
    // The blocking task has ended and dropped its handle on the results.
    let s = std::sync::Arc::try_unwrap(s)
        .map_err(|_| ApiError::Internal("results still shared".into()))?;
    Ok((s, side))
}

/// Customers per service tier.
pub fn tier_counts(s: &Segmentation) -> BTreeMap<u8, usize> {
    let mut m = BTreeMap::new();
    for c in &s.customers {
        *m.entry(c.service.tier).or_default() += 1;
    }
    m
}

/// The results as an Excel workbook: one row per customer (indicators, scores, values,
/// quadrant, ABC class, tier), then a summary sheet.
pub fn segmentation_workbook(
    period: Period,
    s: &Segmentation,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name(format!("segments {period}"))?;
    let mut header = vec!["customer_no".to_owned()];
    header.extend(Indicator::ALL.iter().map(|i| i.code().to_owned()));
    header.extend(Indicator::ALL.iter().map(|i| format!("score_{}", i.code())));
    header.extend(
        [
            "current_value",
            "potential_value",
            "quadrant",
            "purchase_amount",
            "abc",
            "grade_score",
            "grade",
            "tier",
        ]
        .map(str::to_owned),
    );
    for (c, h) in header.iter().enumerate() {
        ws.write_with_format(0, c as u16, h.as_str(), &bold)?;
    }
    for (r, x) in s.customers.iter().enumerate() {
        let row = r as u32 + 1;
        ws.write(row, 0, x.customer.as_str())?;
        let mut col = 1u16;
        for &i in Indicator::ALL {
            ws.write(row, col, *x.indicators.get(i))?;
            col += 1;
        }
        for &i in Indicator::ALL {
            ws.write(row, col, f64::from(*x.scores.get(i)))?;
            col += 1;
        }
        ws.write(row, col, x.value.current)?;
        ws.write(row, col + 1, x.value.potential)?;
        ws.write(row, col + 2, x.quadrant.code())?;
        ws.write(row, col + 3, x.purchase_amount.to_string())?;
        ws.write(row, col + 4, x.abc.code())?;
        if let Some(g) = x.three_dim {
            ws.write(row, col + 5, g.score)?;
            ws.write(row, col + 6, g.grade.code())?;
        }
        ws.write(row, col + 7, f64::from(x.service.tier))?;
    }
    let sum = wb.add_worksheet();
    sum.set_name("summary")?;
    sum.write_with_format(0, 0, "period", &bold)?;
    sum.write(0, 1, period.to_string())?;
    sum.write_with_format(1, 0, "customers", &bold)?;
    sum.write(1, 1, s.summary.customers as f64)?;
    sum.write_with_format(2, 0, "origin current", &bold)?;
    sum.write(2, 1, s.summary.origin.current)?;
    sum.write_with_format(3, 0, "origin potential", &bold)?;
    sum.write(3, 1, s.summary.origin.potential)?;
    let mut row = 5;
    for (q, n) in &s.summary.quadrants {
        sum.write(row, 0, q.code())?;
        sum.write(row, 1, *n as f64)?;
        row += 1;
    }
    for (a, n) in &s.summary.abc {
        sum.write(row, 0, format!("abc {}", a.code()))?;
        sum.write(row, 1, *n as f64)?;
        row += 1;
    }
    for (g, n) in &s.summary.grades {
        sum.write(row, 0, format!("grade {}", g.code()))?;
        sum.write(row, 1, *n as f64)?;
        row += 1;
    }
    for (t, n) in &s.summary.tiers {
        sum.write(row, 0, format!("tier {t}"))?;
        sum.write(row, 1, *n as f64)?;
        row += 1;
    }
    wb.save_to_buffer()
}

fn period_param(raw: &str) -> Result<Period, ApiError> {
    Period::parse(raw.trim()).map_err(|_| ApiError::invalid("period", "give a month, YYYY-MM"))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentationView {
    pub period: String,
    pub created_at: String,
    pub created_by: String,
    pub customers: usize,
    /// Customers per quadrant (vip, growth, maintain, abandon).
    pub quadrants: BTreeMap<String, i64>,
    /// Customers per ABC class.
    pub abc: BTreeMap<String, i64>,
    /// Customers per three-dimension grade (special, grade1, grade2, grade3).
    pub grades: BTreeMap<String, i64>,
    /// Customers per service tier.
    pub tiers: BTreeMap<String, i64>,
    /// The population summary: weights, origin, quintile thresholds, counts.
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
}

async fn segmentation_view(state: &AppState, period: Period) -> Result<SegmentationView, ApiError> {
    let run = state
        .store
        .segmentation_run(period)
        .await?
        .ok_or_else(|| ApiError::NotFound {
            field: "period",
            value: period.to_string(),
        })?;
    let summary: Summary = serde_json::from_str(&run.summary_json)
        .map_err(|e| ApiError::Internal(format!("stored summary: {e}")))?;
    let tiers = grade_counts(state.store.as_ref(), &summary, Grading::Tier, period).await?;
    let grades = grade_counts(state.store.as_ref(), &summary, Grading::Grade, period).await?;
    Ok(SegmentationView {
        period: period.to_string(),
        created_at: time::local_rfc3339(run.created_at),
        created_by: run.created_by,
        customers: summary.customers,
        quadrants: grade_counts(state.store.as_ref(), &summary, Grading::Quadrant, period).await?,
        abc: grade_counts(state.store.as_ref(), &summary, Grading::Abc, period).await?,
        grades,
        tiers,
        summary: serde_json::to_value(&summary).map_err(|e| ApiError::Internal(e.to_string()))?,
    })
}

/// A period's segmentation: counts per quadrant, ABC class and tier, and the summary (weights,
/// origin, thresholds) the scores were computed against.
#[utoipa::path(
    get, path = "/api/v1/segmentation/{period}", tag = TAG_SEGMENTATION,
    params(("period" = String, Path, description = "YYYY-MM")),
    responses(
        (status = 200, description = "The period's segmentation", body = SegmentationView),
        (status = 400, description = "Invalid period", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not segmented", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_segmentation(
    State(state): State<AppState>,
    ApiPath(period): ApiPath<String>,
) -> Result<Json<SegmentationView>, ApiError> {
    let period = period_param(&period)?;
    Ok(Json(segmentation_view(&state, period).await?))
}

/// A period's customers per grade of a grading, by code: from the summary, or counted from the
/// rows for a summary stored before it kept the count (tiers and three-dimension grades).
pub async fn grade_counts(
    store: &dyn Store,
    summary: &Summary,
    grading: Grading,
    period: Period,
) -> Result<BTreeMap<String, i64>, ApiError> {
    let kept: BTreeMap<String, i64> = match grading {
        Grading::Tier => summary
            .tiers
            .iter()
            .map(|(t, n)| (t.to_string(), *n as i64))
            .collect(),
        Grading::Grade => summary
            .grades
            .iter()
            .map(|(g, n)| (g.code().to_owned(), *n as i64))
            .collect(),
        Grading::Quadrant => summary
            .quadrants
            .iter()
            .map(|(q, n)| (q.code().to_owned(), *n as i64))
            .collect(),
        Grading::Abc => summary
            .abc
            .iter()
            .map(|(a, n)| (a.code().to_owned(), *n as i64))
            .collect(),
    };
    if !kept.is_empty() {
        return Ok(kept);
    }
    Ok(store
        .grade_movement(grading, period, period)
        .await?
        .into_iter()
        .filter_map(|m| Some((m.to?, m.count)))
        .collect())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RunRequest {
    /// YYYY-MM
    pub period: String,
}

/// Segments a period now with the shipped configuration, replacing its previous run.
#[utoipa::path(
    post, path = "/api/v1/segmentation/runs", tag = TAG_SEGMENTATION,
    request_body = RunRequest,
    responses(
        (status = 201, description = "The new segmentation", body = SegmentationView),
        (status = 400, description = "Invalid period, or nobody billed in it", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post_run(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(r): ApiJson<RunRequest>,
) -> Result<Response, ApiError> {
    let period = run_now(&state, &auth.actor, &r.period).await?;
    let v = segmentation_view(&state, period).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// Segments the period `raw` (YYYY-MM) now for `actor` with the shipped configuration (the
/// API's and the console's run); returns the period.
pub async fn run_now(
    state: &AppState,
    actor: &griddesk_domain::access::Actor,
    raw: &str,
) -> Result<Period, ApiError> {
    let period = period_param(raw)?;
    let config = parse_config("segmentation.toml", DEFAULT_CONFIG).map_err(ApiError::Internal)?;
    // Nothing runs alongside, so nothing comes back beside the stored results.
    let _ = run_segmentation(
        state.store.as_ref(),
        &state.lake,
        period,
        &config,
        DEFAULT_CONFIG,
        &actor.audit_id(),
        &|_| {},
        None,
    )
    .await?;
    Ok(period)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerSegmentView {
    pub customer_no: String,
    pub period: String,
    pub tier: u8,
    /// Raw indicators, scores, thresholds, weights, values, origin, quadrant, the moves that
    /// would change the quadrant, ABC class, three-dimension sub-scores, score, grade, the
    /// grades' thresholds and the rise to the next grade, and entitlements.
    #[schema(value_type = Object)]
    pub explanation: serde_json::Value,
}

/// Why a customer landed where it did in its latest segmentation.
#[utoipa::path(
    get, path = "/api/v1/customers/{customer_no}/segment", tag = TAG_SEGMENTATION,
    params(("customer_no" = String, Path, description = "10-digit customer number")),
    responses(
        (status = 200, description = "The explanation", body = CustomerSegmentView),
        (status = 400, description = "Invalid customer number", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not segmented", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn customer_segment(
    State(state): State<AppState>,
    ApiPath(no): ApiPath<String>,
) -> Result<Json<CustomerSegmentView>, ApiError> {
    let no = CustomerNo::parse(no.trim())?;
    let not_found = || ApiError::NotFound {
        field: "customer_no",
        value: no.to_string(),
    };
    let (period, r) = state
        .store
        .customer_segment(&no, None)
        .await?
        .ok_or_else(not_found)?;
    let run = state
        .store
        .segmentation_run(period)
        .await?
        .ok_or_else(not_found)?;
    let summary: Summary = serde_json::from_str(&run.summary_json)
        .map_err(|e| ApiError::Internal(format!("stored summary: {e}")))?;
    let e = explanation(&r, &summary);
    Ok(Json(CustomerSegmentView {
        customer_no: no.to_string(),
        period: period.to_string(),
        tier: r.service.tier,
        explanation: serde_json::to_value(&e).map_err(|e| ApiError::Internal(e.to_string()))?,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct MembersParams {
    /// vip, growth, maintain or abandon.
    pub quadrant: Option<String>,
    /// A, B, C or D.
    pub abc: Option<String>,
    /// special, grade1, grade2 or grade3.
    pub grade: Option<String>,
    /// 1, 2 or 3.
    pub tier: Option<String>,
    /// At most this many (default 2,000, at most 10,000).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub customer_no: String,
    pub current: f64,
    pub potential: f64,
    pub quadrant: String,
    pub abc: String,
    /// Three-dimension grade; absent for results stored before grades were computed.
    pub grade: Option<String>,
    pub tier: u8,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MembersView {
    pub period: String,
    pub origin_current: f64,
    pub origin_potential: f64,
    /// Whether `items` is a sample of the period (more customers match than the limit).
    pub sampled: bool,
    pub items: Vec<MemberView>,
}

/// Customers of a period on the value matrix. Without a quadrant filter the limit is shared by
/// the four quadrants (each gets a quarter, highest current value first), so a sample of a
/// large population still shows every quadrant.
#[utoipa::path(
    get, path = "/api/v1/segmentation/{period}/members", tag = TAG_SEGMENTATION,
    params(("period" = String, Path, description = "YYYY-MM"), MembersParams),
    responses(
        (status = 200, description = "Customers on the value matrix", body = MembersView),
        (status = 400, description = "Invalid period or filter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not segmented", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn members(
    State(state): State<AppState>,
    ApiPath(period): ApiPath<String>,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<MembersParams>,
) -> Result<Json<MembersView>, ApiError> {
    let period = period_param(&period)?;
    let filter = member_filter(&q)?;
    let limit = q.limit.unwrap_or(2_000).clamp(1, 10_000);
    let run = state
        .store
        .segmentation_run(period)
        .await?
        .ok_or_else(|| ApiError::NotFound {
            field: "period",
            value: period.to_string(),
        })?;
    let summary: Summary = serde_json::from_str(&run.summary_json)
        .map_err(|e| ApiError::Internal(format!("stored summary: {e}")))?;
    let quadrants: Vec<Quadrant> = match filter.quadrant {
        Some(q) => vec![q],
        None => Quadrant::ALL.to_vec(),
    };
    let each = (limit / quadrants.len() as u32).max(1);
    let mut items = Vec::new();
    let mut sampled = false;
    for q in quadrants {
        let f = MemberFilter {
            quadrant: Some(q),
            ..filter
        };
        let rs = state.store.segment_members(period, &f, each + 1).await?;
        sampled |= rs.len() > each as usize;
        items.extend(rs.into_iter().take(each as usize).map(|r| MemberView {
            customer_no: r.customer,
            current: r.value.current,
            potential: r.value.potential,
            quadrant: r.quadrant.code().to_owned(),
            abc: r.abc.code().to_owned(),
            grade: r.three_dim.map(|g| g.grade.code().to_owned()),
            tier: r.service.tier,
        }));
    }
    Ok(Json(MembersView {
        period: period.to_string(),
        origin_current: summary.origin.current,
        origin_potential: summary.origin.potential,
        sampled,
        items,
    }))
}

/// The filter of a members request, each value checked.
pub fn member_filter(q: &MembersParams) -> Result<MemberFilter, ApiError> {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Ok(MemberFilter {
        quadrant: given(&q.quadrant)
            .map(|s| {
                Quadrant::parse(&s)
                    .map_err(|_| ApiError::invalid("quadrant", "vip, growth, maintain or abandon"))
            })
            .transpose()?,
        abc: given(&q.abc)
            .map(|s| AbcClass::parse(&s).map_err(|_| ApiError::invalid("abc", "A, B, C or D")))
            .transpose()?,
        grade: given(&q.grade)
            .map(|s| {
                ThreeDimGrade::parse(&s)
                    .map_err(|_| ApiError::invalid("grade", "special, grade1, grade2 or grade3"))
            })
            .transpose()?,
        tier: given(&q.tier)
            .map(|s| {
                s.parse::<u8>()
                    .ok()
                    .filter(|t| (GREEN_CHANNEL_TIER..=BASIC_TIER).contains(t))
                    .ok_or_else(|| ApiError::invalid("tier", "1, 2 or 3"))
            })
            .transpose()?,
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct MovementParams {
    /// The earlier period, YYYY-MM.
    pub from: String,
    /// The later period, YYYY-MM.
    pub to: String,
    /// quadrant, abc, grade or tier (default tier).
    pub grading: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MovementCell {
    /// The grade in `from`; absent: not segmented then (new).
    pub from: Option<String>,
    /// The grade in `to`; absent: not segmented then (gone).
    pub to: Option<String>,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MovementView {
    pub grading: String,
    pub from: String,
    pub to: String,
    /// The grading's codes, best first, with their Chinese and English labels.
    pub grades: Vec<GradeLabel>,
    /// The transition matrix's non-empty cells, ordered by (from, to).
    pub cells: Vec<MovementCell>,
    /// Customers in both periods whose grade stayed, rose (to a better grade) or fell.
    pub stayed: i64,
    pub rose: i64,
    pub fell: i64,
    /// Customers of only the later, or only the earlier, period.
    pub new: i64,
    pub gone: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GradeLabel {
    pub code: String,
    pub zh: String,
    pub en: String,
}

/// Movements already computed, by grading and periods, with the creation times of the two runs
/// they came from: counting a million customers' moves takes seconds, and a period changes only
/// by a new run, whose new time makes the entry stale (also when another server instance ran it).
#[derive(Default)]
pub struct MovementCache(std::sync::Mutex<HashMap<MovementKey, Arc<MovementView>>>);

type MovementKey = (Grading, Period, Period, Option<i64>, Option<i64>);

/// Entries kept; past it the cache starts again (analysts look at a few pairs of periods).
const MOVEMENT_CACHE_ENTRIES: usize = 64;

/// When the run of a period was made (µs), `None` if it is not segmented: the cache's version.
pub async fn run_created(store: &dyn Store, p: Period) -> Result<Option<i64>, ApiError> {
    Ok(store
        .segmentation_run(p)
        .await?
        .map(|r| r.created_at.as_microsecond()))
}

/// The movement of a grading between two periods whose runs were made at `created`
/// ([`run_created`]), from the cache when neither run has changed.
pub async fn movement_cached(
    state: &AppState,
    grading: Grading,
    (from, to): (Period, Period),
    created: (Option<i64>, Option<i64>),
) -> Result<Arc<MovementView>, ApiError> {
    let key = (grading, from, to, created.0, created.1);
    let cache = &state.movements.0;
    if let Some(v) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Ok(v);
    }
    let v = Arc::new(movement_view(state.store.as_ref(), grading, from, to).await?);
    if let Ok(mut c) = cache.lock() {
        if c.len() >= MOVEMENT_CACHE_ENTRIES {
            c.clear();
        }
        c.insert(key, v.clone());
    }
    Ok(v)
}

/// Movement of a grading between two periods, computed from the stored results.
pub async fn movement_view(
    store: &dyn Store,
    grading: Grading,
    from: Period,
    to: Period,
) -> Result<MovementView, ApiError> {
    let cells = store.grade_movement(grading, from, to).await?;
    let codes = grading.codes();
    let rank = |c: &str| codes.iter().position(|k| *k == c);
    let (mut stayed, mut rose, mut fell, mut new, mut gone) = (0, 0, 0, 0, 0);
    for m in &cells {
        match (
            m.from.as_deref().and_then(rank),
            m.to.as_deref().and_then(rank),
        ) {
            (Some(a), Some(b)) if a == b => stayed += m.count,
            (Some(a), Some(b)) if b < a => rose += m.count,
            (Some(_), Some(_)) => fell += m.count,
            (None, Some(_)) => new += m.count,
            (Some(_), None) => gone += m.count,
            (None, None) => {}
        }
    }
    Ok(MovementView {
        grading: grading.code().to_owned(),
        from: from.to_string(),
        to: to.to_string(),
        grades: codes
            .iter()
            .map(|c| GradeLabel {
                code: (*c).to_owned(),
                zh: grading.label_of(c, Lang::Zh),
                en: grading.label_of(c, Lang::En),
            })
            .collect(),
        cells: cells
            .into_iter()
            .map(|m| MovementCell {
                from: m.from,
                to: m.to,
                count: m.count,
            })
            .collect(),
        stayed,
        rose,
        fell,
        new,
        gone,
    })
}

/// Parses the periods and grading of a movement request.
pub fn movement_params(q: &MovementParams) -> Result<(Grading, Period, Period), ApiError> {
    let from = Period::parse(q.from.trim())
        .map_err(|_| ApiError::invalid("from", "give a month, YYYY-MM"))?;
    let to =
        Period::parse(q.to.trim()).map_err(|_| ApiError::invalid("to", "give a month, YYYY-MM"))?;
    let grading = match q
        .grading
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(g) => Grading::parse(g)
            .map_err(|_| ApiError::invalid("grading", "quadrant, abc, grade or tier"))?,
        None => Grading::Tier,
    };
    Ok((grading, from, to))
}

/// How customers moved between the grades of one grading from one period to another: the
/// transition matrix (for a sankey or a table) and how many stayed, rose, fell, came and went.
#[utoipa::path(
    get, path = "/api/v1/segmentation/movement", tag = TAG_SEGMENTATION,
    params(MovementParams),
    responses(
        (status = 200, description = "The transition matrix", body = MovementView),
        (status = 400, description = "Invalid period or grading", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "A period is not segmented", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn movement(
    State(state): State<AppState>,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<MovementParams>,
) -> Result<Json<MovementView>, ApiError> {
    let (grading, from, to) = movement_params(&q)?;
    let mut created = [None; 2];
    for (slot, (field, p)) in created.iter_mut().zip([("from", from), ("to", to)]) {
        *slot = run_created(state.store.as_ref(), p).await?;
        if slot.is_none() {
            return Err(ApiError::NotFound {
                field,
                value: p.to_string(),
            });
        }
    }
    let v = movement_cached(&state, grading, (from, to), (created[0], created[1])).await?;
    Ok(Json(MovementView::clone(&v)))
}
