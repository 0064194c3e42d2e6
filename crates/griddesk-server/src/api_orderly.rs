//! Orderly power use in the JSON API (D3.2, D9): the company's load-limiting sequence (限电序位表,
//! listed and replaced whole), and plans that take a reduction target off the load along it —
//! from the candidates a request names, or else from the stored sequence — with each
//! candidate's peak-shifting ability correlated from the lake's load curves. An issued plan is
//! recorded as an orderly-use outage over the customers it reduces.
//!
//! The console's orderly-use page calls [`make_plan`], the same function as the API.

use crate::api_outages::{NewOutageRequest, OutageView, ScopeRequest, TAG_OUTAGES, outage_view};
use crate::auth::{Auth, ClientAddr};
use crate::error::{ApiError, Problem};
use crate::extract::ApiJson;
use crate::model::Label;
use crate::{AppState, time};
use axum::Json;
use axum::extract::State;
use griddesk_domain::access::{Actor, AuditAction, AuditEntry};
use griddesk_domain::customer::ImportantGrade;
use griddesk_domain::orderly::{
    Candidate, OrderlyPolicy, SequenceEntry, Window, check_sequence, peak_shift_ability, plan,
};
use griddesk_domain::outage::OutageKind;
use griddesk_domain::values::CustomerNo;
use griddesk_store::orderly::SequenceRow;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

/// Most candidates a request may name, and most rows a sequence may have.
pub const MAX_CANDIDATES: usize = 10_000;
pub const MAX_SEQUENCE: usize = 100_000;

/// One customer the orderly-use plan may reduce (a request's candidate), or one row of the
/// load-limiting sequence being stored. The customer's importance is the archive's.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct OrderlyCandidateRequest {
    pub customer_no: String,
    /// Position in the load-limiting sequence; lower is shed earlier. A candidate without one
    /// comes after every placed one; a stored row needs one.
    pub sequence: Option<u32>,
    /// Decimal kW strings, e.g. "850".
    pub expected_load_kw: String,
    /// Load that must be kept (保安负荷); required for important customers.
    #[serde(default)]
    pub security_load_kw: Option<String>,
    #[serde(default)]
    pub shift_peak_kw: Option<String>,
    #[serde(default)]
    pub avoid_peak_kw: Option<String>,
    #[serde(default)]
    pub limit_kw: Option<String>,
    #[serde(default)]
    pub can_disconnect: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OrderlyPlanRequest {
    /// Reduction target in MW (decimal string).
    pub target_mw: String,
    /// Window of the measure (RFC 3339, or local Asia/Shanghai time `2026-07-20T10:00`).
    pub start: String,
    pub end: String,
    /// The customers to plan with. Omitted or empty: the stored load-limiting sequence.
    #[serde(default)]
    pub candidates: Option<Vec<OrderlyCandidateRequest>>,
    /// Issue the plan: record an orderly-use outage over the customers it reduces, to be
    /// announced (and so notified) like any announced outage. Default: only compute it.
    #[serde(default)]
    pub issue: bool,
    /// Title and cause of the issued outage.
    pub title: Option<String>,
    pub cause: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderlyStepView {
    pub customer_no: String,
    pub name: String,
    pub important_grade: Label,
    pub sequence: Option<u32>,
    /// shift_peak, avoid_peak, limit_load, disconnect.
    pub measure: Label,
    pub reduction_kw: String,
    pub remaining_kw: String,
    /// Cut short to meet the target exactly (load limits only).
    pub partial: bool,
    /// Peak-shifting ability from the load curves (-1..1); none without curves.
    pub peak_correlation: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureTotal {
    pub measure: Label,
    pub kw: String,
}

/// The days whose load curves gave the peak-shifting abilities.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurveDays {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderlyPlanView {
    /// "request" (the candidates given) or "sequence" (the stored load-limiting sequence).
    pub source: String,
    /// How many customers the plan could choose from.
    pub candidates: usize,
    pub target_kw: String,
    /// Expected reduction of the plan.
    pub total_kw: String,
    /// What the offers cannot cover, when they fall short.
    pub shortfall_kw: Option<String>,
    /// Reduction per measure, in the order they are used.
    pub subtotals_kw: Vec<MeasureTotal>,
    pub steps: Vec<OrderlyStepView>,
    /// None when the lake holds no recent load curves.
    pub curve_days: Option<CurveDays>,
    /// The orderly-use outage recorded when the plan was issued.
    pub outage: Option<OutageView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SequenceEntryView {
    pub customer_no: String,
    pub name: String,
    pub important_grade: Label,
    pub sequence: u32,
    pub expected_load_kw: String,
    pub security_load_kw: String,
    pub shift_peak_kw: String,
    pub avoid_peak_kw: String,
    pub limit_kw: String,
    pub can_disconnect: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SequenceView {
    /// By position, then customer number.
    pub entries: Vec<SequenceEntryView>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SequenceRequest {
    /// The whole new sequence, each customer once (every row needs its `sequence`).
    pub entries: Vec<OrderlyCandidateRequest>,
}

fn kw_text(d: Decimal) -> String {
    d.normalize().to_string()
}

fn kw(field: &str, raw: Option<&str>) -> Result<Decimal, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Decimal::ZERO),
        Some(s) => s
            .parse()
            .map_err(|_| ApiError::invalid(field, "give a decimal number, e.g. \"850.5\"")),
    }
}

/// A request row as a sequence entry (position 0 when it has none) and its position, fields
/// named under `prefix` ("candidates", "entries").
fn parse_row(
    prefix: &str,
    c: &OrderlyCandidateRequest,
) -> Result<(SequenceEntry, Option<u32>), ApiError> {
    let f = |name: &str| format!("{prefix}.{name}");
    let customer_no = CustomerNo::parse(&c.customer_no)
        .map_err(|e| ApiError::invalid(f("customer_no"), e.reason))?;
    let entry = SequenceEntry {
        customer_no,
        sequence: c.sequence.unwrap_or(0),
        expected_load_kw: kw(&f("expected_load_kw"), Some(&c.expected_load_kw))?,
        security_load_kw: kw(&f("security_load_kw"), c.security_load_kw.as_deref())?,
        shift_peak_kw: kw(&f("shift_peak_kw"), c.shift_peak_kw.as_deref())?,
        avoid_peak_kw: kw(&f("avoid_peak_kw"), c.avoid_peak_kw.as_deref())?,
        limit_kw: kw(&f("limit_kw"), c.limit_kw.as_deref())?,
        can_disconnect: c.can_disconnect,
    };
    Ok((entry, c.sequence))
}

/// A customer the plan may reduce, with what the page shows of it.
struct Known {
    candidate: Candidate,
    name: String,
}

/// The candidates a request names, each checked against the archive.
async fn requested(
    state: &AppState,
    list: &[OrderlyCandidateRequest],
) -> Result<Vec<Known>, ApiError> {
    if list.len() > MAX_CANDIDATES {
        return Err(ApiError::invalid("candidates", "at most 10,000"));
    }
    let mut out = Vec::with_capacity(list.len());
    for c in list {
        let (entry, sequence) = parse_row("candidates", c)?;
        let detail = state
            .store
            .customer(&entry.customer_no)
            .await?
            .ok_or_else(|| {
                ApiError::invalid(
                    "candidates.customer_no",
                    format!("no customer {}", entry.customer_no),
                )
            })?;
        let mut candidate = entry.candidate(detail.customer.important_grade, None);
        candidate.sequence = sequence;
        out.push(Known {
            candidate,
            name: detail.customer.name,
        });
    }
    Ok(out)
}

fn stored(rows: Vec<SequenceRow>) -> Vec<Known> {
    rows.into_iter()
        .map(|r| Known {
            candidate: r.entry.candidate(r.important_grade, None),
            name: r.name,
        })
        .collect()
}

/// Sets each candidate's peak-shifting ability from the typical curves of the days before the
/// window. The lake failing costs the abilities (they only order offers within a position),
/// not the plan: it is logged and the plan says it had no curves.
async fn correlate(state: &AppState, known: &mut [Known], window: &Window) -> Option<CurveDays> {
    let nos: Vec<CustomerNo> = known
        .iter()
        .map(|k| k.candidate.customer_no.clone())
        .collect();
    let until = time::local_date(window.start);
    let curves = match state
        .lake
        .typical_curves(&nos, until, griddesk_lake::curves::TYPICAL_DAYS)
        .await
    {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "load curves unavailable for the orderly-use plan");
            return None;
        }
    };
    let system = curves.system.as_ref()?;
    for k in known.iter_mut() {
        k.candidate.peak_correlation = curves
            .customers
            .get(&k.candidate.customer_no)
            .and_then(|c| peak_shift_ability(c, system));
    }
    curves.days.map(|(from, to)| CurveDays {
        from: from.to_string(),
        to: to.to_string(),
    })
}

/// Builds (and with `issue`, records) an orderly-use plan: the API's and the console's one way.
pub async fn make_plan(
    state: &AppState,
    actor: &Actor,
    addr: &str,
    r: &OrderlyPlanRequest,
) -> Result<OrderlyPlanView, ApiError> {
    let target = kw("target_mw", Some(&r.target_mw))?;
    let window = Window {
        start: crate::api_outages::instant("start", &r.start)?,
        end: crate::api_outages::instant("end", &r.end)?,
    };
    let (source, mut known) = match r.candidates.as_deref() {
        Some(list) if !list.is_empty() => ("request", requested(state, list).await?),
        _ => ("sequence", stored(state.store.orderly_sequence().await?)),
    };
    if known.is_empty() {
        return Err(ApiError::invalid(
            "candidates",
            "none given and the load-limiting sequence is empty: import it (griddesk import --kind orderly-sequence) or name candidates",
        ));
    }
    let curve_days = correlate(state, &mut known, &window).await;
    let candidates: Vec<Candidate> = known.iter().map(|k| k.candidate.clone()).collect();
    let p = plan(target, window, &candidates, &OrderlyPolicy::default()).map_err(|e| {
        let field = match e.field() {
            "target_mw" => "target_mw".to_owned(),
            "window.end" => "end".to_owned(),
            f => format!("candidates.{f}"),
        };
        ApiError::invalid(field, e.to_string())
    })?;
    let outage = if r.issue && !p.steps.is_empty() {
        let req = NewOutageRequest {
            kind: OutageKind::Orderly.code().to_owned(),
            title: r
                .title
                .clone()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| "有序用电".to_owned()),
            cause: r
                .cause
                .clone()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| "电力供应紧张，按有序用电方案错避峰、限电".to_owned()),
            scope: ScopeRequest {
                substation: None,
                feeders: Vec::new(),
                areas: Vec::new(),
                customers: p.customers().iter().map(ToString::to_string).collect(),
            },
            start: Some(window.start.to_string()),
            eta: Some(window.end.to_string()),
        };
        let o = crate::api_outages::record_outage(state, actor, addr, &req).await?;
        Some(outage_view(&o, &[], &state.config.notice))
    } else {
        None
    };
    let by_no: HashMap<&CustomerNo, &Known> = known
        .iter()
        .map(|k| (&k.candidate.customer_no, k))
        .collect();
    Ok(OrderlyPlanView {
        source: source.to_owned(),
        candidates: known.len(),
        target_kw: kw_text(p.target_kw),
        total_kw: kw_text(p.total_kw),
        shortfall_kw: p.shortfall_kw.map(kw_text),
        subtotals_kw: p
            .subtotals_kw
            .iter()
            .map(|(m, v)| MeasureTotal {
                measure: Label::of(*m),
                kw: kw_text(*v),
            })
            .collect(),
        steps: p
            .steps
            .iter()
            .map(|x| {
                let k = by_no.get(&x.customer_no);
                OrderlyStepView {
                    customer_no: x.customer_no.to_string(),
                    name: k.map(|k| k.name.clone()).unwrap_or_default(),
                    important_grade: Label::of(
                        k.map_or(ImportantGrade::None, |k| k.candidate.important_grade),
                    ),
                    sequence: k.and_then(|k| k.candidate.sequence),
                    measure: Label::of(x.measure),
                    reduction_kw: kw_text(x.reduction_kw),
                    remaining_kw: kw_text(x.remaining_kw),
                    partial: x.partial,
                    peak_correlation: k.and_then(|k| k.candidate.peak_correlation),
                }
            })
            .collect(),
        curve_days,
        outage,
    })
}

/// Builds an orderly power use plan (D3.2, D9): shift peak, then avoid peak, then limit load,
/// then disconnect, along the load-limiting sequence (the candidates given, or else the stored
/// sequence), important customers last and never below their security load, shift and avoid
/// offers of one position by peak-shifting ability from the load curves; with `issue`, records
/// it as an orderly-use outage over the customers it reduces.
#[utoipa::path(
    post, path = "/api/v1/orderly-plans", tag = TAG_OUTAGES,
    request_body = OrderlyPlanRequest,
    responses(
        (status = 200, description = "The plan (and the outage, when issued)", body = OrderlyPlanView),
        (status = 400, description = "Invalid field, an unknown customer, or no candidates at all", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn orderly_plan(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiJson(r): ApiJson<OrderlyPlanRequest>,
) -> Result<Json<OrderlyPlanView>, ApiError> {
    Ok(Json(make_plan(&state, &auth.actor, &addr, &r).await?))
}

pub fn sequence_view(rows: &[SequenceRow]) -> SequenceView {
    SequenceView {
        entries: rows
            .iter()
            .map(|r| SequenceEntryView {
                customer_no: r.entry.customer_no.to_string(),
                name: r.name.clone(),
                important_grade: Label::of(r.important_grade),
                sequence: r.entry.sequence,
                expected_load_kw: kw_text(r.entry.expected_load_kw),
                security_load_kw: kw_text(r.entry.security_load_kw),
                shift_peak_kw: kw_text(r.entry.shift_peak_kw),
                avoid_peak_kw: kw_text(r.entry.avoid_peak_kw),
                limit_kw: kw_text(r.entry.limit_kw),
                can_disconnect: r.entry.can_disconnect,
            })
            .collect(),
    }
}

/// The company's load-limiting sequence (限电序位表), by position.
#[utoipa::path(
    get, path = "/api/v1/orderly-sequence", tag = TAG_OUTAGES,
    responses((status = 200, description = "The stored sequence", body = SequenceView))
)]
pub async fn get_sequence(State(state): State<AppState>) -> Result<Json<SequenceView>, ApiError> {
    Ok(Json(sequence_view(&state.store.orderly_sequence().await?)))
}

/// Replaces the whole load-limiting sequence (as `griddesk import --kind orderly-sequence`
/// does): every row is checked first, and nothing changes when one is bad.
#[utoipa::path(
    put, path = "/api/v1/orderly-sequence", tag = TAG_OUTAGES,
    request_body = SequenceRequest,
    responses(
        (status = 200, description = "The sequence as stored", body = SequenceView),
        (status = 400, description = "Invalid field (the detail names the row), or an unknown customer", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put_sequence(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiJson(r): ApiJson<SequenceRequest>,
) -> Result<Json<SequenceView>, ApiError> {
    if r.entries.len() > MAX_SEQUENCE {
        return Err(ApiError::invalid("entries", "at most 100,000"));
    }
    let row = |i: usize, e: ApiError| match e {
        ApiError::Invalid { field, detail } => ApiError::Invalid {
            field,
            detail: format!("row {}: {detail}", i + 1),
        },
        other => other,
    };
    let mut entries = Vec::with_capacity(r.entries.len());
    for (i, c) in r.entries.iter().enumerate() {
        let (entry, sequence) = parse_row("entries", c).map_err(|e| row(i, e))?;
        if sequence.is_none() {
            return Err(row(
                i,
                ApiError::invalid("entries.sequence", "a stored row needs its position"),
            ));
        }
        entries.push(entry);
    }
    check_sequence(&entries).map_err(|(i, e)| {
        row(
            i,
            ApiError::invalid(format!("entries.{}", e.field()), e.to_string()),
        )
    })?;
    state
        .store
        .replace_orderly_sequence(&entries)
        .await
        .map_err(|e| match e {
            griddesk_store::StoreError::MissingReference { value, .. } => {
                ApiError::invalid("entries.customer_no", format!("no customer {value}"))
            }
            other => other.into(),
        })?;
    let now = time::now();
    let audit = AuditEntry::new(
        &auth.actor,
        AuditAction::Import,
        "orderly_sequence",
        "orderly_sequence",
        &addr,
        now,
    )
    .change(
        None,
        Some(serde_json::json!({"entries": entries.len()}).to_string()),
    );
    state.store.append_audit(&audit).await?;
    Ok(Json(sequence_view(&state.store.orderly_sequence().await?)))
}
