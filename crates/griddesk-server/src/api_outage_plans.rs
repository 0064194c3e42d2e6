//! Weekly and monthly planned-outage plans in the JSON API (D3 kind 1, seeds 003/004): upload a
//! plan file (the `outage-plans` import layout), list its rows with the advice against cutting
//! the same area twice within the repeat window (other draft jobs and the planned outages
//! already recorded), edit and cancel a draft, and issue one or several drafts as ONE planned
//! outage ("尽量停一次电完成相关多项工作"), recorded through `api_outages::record_outage` like any
//! planned outage, so its notices and late-notice warnings are the same.
//!
//! What a job cuts comes from the live topology (`OutagePlanStore::scope_reach`); the advice is
//! the domain's (`RepeatPolicy::advise`); the repeat window is `ServerConfig::repeat`.

use crate::api_orders::text;
use crate::api_outages::{self, NewOutageRequest, OutageView, ScopeRequest, instant, outage_view};
use crate::auth::{Auth, ClientAddr};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::model::Label;
use crate::{AppState, time};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use griddesk_domain::access::{Actor, AuditAction, AuditEntry};
use griddesk_domain::outage::{OutageKind, OutageScope};
use griddesk_domain::outage_plan::{Advice, PlanKind, PlanRow, PlanStatus, PlannedCut};
use griddesk_domain::values::{Code, CustomerNo};
use griddesk_store::RefKind;
use griddesk_store::outage::Outage;
use griddesk_store::outage_plan::{PlanUpdate, ScopeReach, StoredPlan};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use utoipa::{IntoParams, ToSchema};

use api_outages::TAG_OUTAGES;

/// One piece of advice on a plan row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdviceView {
    /// `overlap` (both jobs cut it at the same time: make them one outage), `repeat` (cut
    /// again within the window: consider combining) or `customer_maintenance` (a customer the
    /// job cuts maintains its own plant near that time: fit the job into it).
    pub kind: String,
    /// The other job of the plan...
    pub other_job: Option<String>,
    /// ...or the planned outage already recorded...
    pub other_outage: Option<i64>,
    /// ...or the customer's maintenance (the customer is in `shared_customers`).
    pub maintenance: Option<i64>,
    /// Transformer areas both cut.
    pub shared_areas: Vec<String>,
    /// Customers both cut outside those areas (feeder-direct or named).
    pub shared_customers: Vec<String>,
    /// The other's planned start date (Asia/Shanghai), for a repeat; the maintenance's start
    /// date for a customer's maintenance.
    pub other_date: Option<String>,
    /// Whole days between the starts, for a repeat.
    pub days_apart: Option<i64>,
    pub window_days: i64,
    /// The advice as a sentence (English; the console words it in the reader's language).
    pub message: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanRowView {
    pub job_id: String,
    pub kind: Label,
    pub status: Label,
    pub title: String,
    /// substation, feeders, areas or customers.
    pub scope_kind: String,
    pub scope: Vec<String>,
    pub planned_start: String,
    pub planned_end: String,
    pub work_content: String,
    pub responsible_unit: String,
    pub reason: String,
    /// The outage the row was issued into.
    pub outage_id: Option<i64>,
    pub version: i64,
    pub updated_at: String,
    pub updated_by: String,
    /// ISO week of the planned start in Asia/Shanghai, e.g. `2026-W50`.
    pub week: String,
    /// Month of the planned start in Asia/Shanghai, e.g. `2026-12`.
    pub month: String,
    /// Other draft jobs and planned outages cutting the same areas or customers (drafts only).
    pub advice: Vec<AdviceView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanListView {
    /// The repeat window the advice uses.
    pub window_days: i64,
    pub rows: Vec<PlanRowView>,
}

pub fn plan_view(p: &StoredPlan, advice: Vec<AdviceView>) -> PlanRowView {
    let (scope_kind, codes) = griddesk_store::outage::scope_columns(&p.row.scope);
    let start = p.row.planned_start.to_zoned(time::shanghai().clone());
    let week = start.date().iso_week_date();
    PlanRowView {
        job_id: p.row.job_id.to_string(),
        kind: Label::of(p.row.kind),
        status: Label::of(p.status),
        title: p.row.title.clone(),
        scope_kind: scope_kind.to_owned(),
        scope: codes.split(',').map(str::to_owned).collect(),
        planned_start: time::local_rfc3339(p.row.planned_start),
        planned_end: time::local_rfc3339(p.row.planned_end),
        work_content: p.row.work_content.clone(),
        responsible_unit: p.row.responsible_unit.to_string(),
        reason: p.row.reason.clone(),
        outage_id: p.outage_id,
        version: p.version,
        updated_at: time::local_rfc3339(p.updated_at),
        updated_by: p.updated_by.clone(),
        week: format!("{}-W{:02}", week.year(), week.week()),
        month: start.strftime("%Y-%m").to_string(),
        advice,
    }
}

/// Whom a plan row's advice points at.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Other {
    Job(Code),
    Outage(i64),
    /// A customer's own maintenance (the advice names the customer).
    Maintenance(i64),
}

/// What each scope cuts, looked up once per distinct scope.
#[derive(Default)]
struct Reaches(HashMap<(&'static str, String), ScopeReach>);

impl Reaches {
    async fn of(&mut self, state: &AppState, scope: &OutageScope) -> Result<ScopeReach, ApiError> {
        let key = griddesk_store::outage::scope_columns(scope);
        if let Some(r) = self.0.get(&key) {
            return Ok(r.clone());
        }
        let r = state.store.scope_reach(scope).await?;
        self.0.insert(key, r.clone());
        Ok(r)
    }
}

fn cut(job_id: Code, reach: ScopeReach, start: Timestamp, end: Timestamp) -> PlannedCut {
    PlannedCut {
        job_id,
        areas: reach.areas,
        customers: reach.customers,
        start,
        end,
    }
}

fn advice_view(a: &Advice, other: &Other) -> AdviceView {
    let (other_job, other_outage, maintenance) = match other {
        Other::Job(j) => (Some(j.to_string()), None, None),
        Other::Outage(id) => (None, Some(*id), None),
        Other::Maintenance(id) => (None, None, Some(*id)),
    };
    let codes = |v: &[Code]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    let nos = |v: &[CustomerNo]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    let (kind, shared, date, days, window) = match a {
        Advice::Overlap { shared, .. } => ("overlap", shared, None, None, 0),
        Advice::Repeat {
            shared,
            other_date,
            days_apart,
            window_days,
            ..
        } => (
            "repeat",
            shared,
            Some(other_date.to_string()),
            Some(*days_apart),
            *window_days,
        ),
        Advice::CustomerMaintenance { customer, date, .. } => {
            return AdviceView {
                kind: "customer_maintenance".to_owned(),
                other_job,
                other_outage,
                maintenance,
                shared_areas: Vec::new(),
                shared_customers: vec![customer.to_string()],
                other_date: Some(date.to_string()),
                days_apart: None,
                window_days: 0,
                message: a.to_string(),
            };
        }
    };
    AdviceView {
        kind: kind.to_owned(),
        other_job,
        other_outage,
        maintenance,
        shared_areas: codes(&shared.areas),
        shared_customers: nos(&shared.customers),
        other_date: date,
        days_apart: days,
        window_days: window,
        message: a.to_string(),
    }
}

/// The same advice told from the other job's side.
fn mirrored(a: &Advice, job_date: jiff::civil::Date) -> Advice {
    match a.clone() {
        Advice::Overlap { job, other, shared } => Advice::Overlap {
            job: other,
            other: job,
            shared,
        },
        Advice::Repeat {
            job,
            other,
            shared,
            days_apart,
            window_days,
            ..
        } => Advice::Repeat {
            job: other,
            other: job,
            shared,
            other_date: job_date,
            days_apart,
            window_days,
        },
        other => other,
    }
}

/// The advice on every draft of `plans`: each pair of drafts once (told on both rows), and each
/// draft against the planned outages recorded within the window of the drafts.
pub async fn plan_advice(
    state: &AppState,
    plans: &[StoredPlan],
) -> Result<HashMap<String, Vec<AdviceView>>, ApiError> {
    let policy = state.config.repeat;
    let tz = time::shanghai();
    let drafts: Vec<&StoredPlan> = plans
        .iter()
        .filter(|p| p.status == PlanStatus::Draft)
        .collect();
    let mut out: HashMap<String, Vec<AdviceView>> = HashMap::new();
    let (Some(first), Some(last)) = (
        drafts.iter().map(|p| p.row.planned_start).min(),
        drafts.iter().map(|p| p.row.planned_start).max(),
    ) else {
        return Ok(out);
    };
    let window = SignedDuration::from_hours(24 * policy.window_days);
    let outages = state
        .store
        .planned_outages(first - window, last + window)
        .await?;
    let maintenance = state
        .store
        .maintenance_between(first - window, last + window, 5000)
        .await?;
    let mut reaches = Reaches::default();
    let mut cuts: Vec<(Other, PlannedCut)> = Vec::new();
    for o in &outages {
        let id = Code::parse(&format!("outage-{}", o.id))?;
        let end = o.restored_at.or(o.eta).unwrap_or(o.start);
        let r = reaches.of(state, &o.scope).await?;
        cuts.push((Other::Outage(o.id), cut(id, r, o.start, end)));
    }
    for p in &drafts {
        let r = reaches.of(state, &p.row.scope).await?;
        let me = cut(
            p.row.job_id.clone(),
            r,
            p.row.planned_start,
            p.row.planned_end,
        );
        let my_date = time::local_date(me.start);
        for (other, theirs) in &cuts {
            for a in policy.advise(&me, std::slice::from_ref(theirs), tz) {
                out.entry(me.job_id.to_string())
                    .or_default()
                    .push(advice_view(&a, other));
                if let Other::Job(j) = other {
                    out.entry(j.to_string()).or_default().push(advice_view(
                        &mirrored(&a, my_date),
                        &Other::Job(me.job_id.clone()),
                    ));
                }
            }
        }
        for m in &maintenance {
            let one = std::slice::from_ref(&m.maintenance);
            for a in policy.align_with_customers(&me, one, tz) {
                out.entry(me.job_id.to_string())
                    .or_default()
                    .push(advice_view(&a, &Other::Maintenance(m.id)));
            }
        }
        cuts.push((Other::Job(me.job_id.clone()), me));
    }
    Ok(out)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PlanListParams {
    /// Rows that end on or after this date (Asia/Shanghai, YYYY-MM-DD); default: the repeat
    /// window before today.
    pub since: Option<String>,
}

/// The plan rows with their advice, for the API and the console.
pub async fn list_view(state: &AppState, since: Option<&str>) -> Result<PlanListView, ApiError> {
    let since = match since.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => {
            let d: jiff::civil::Date = s
                .parse()
                .map_err(|_| ApiError::invalid("since", "give a date, e.g. 2026-12-01"))?;
            d.to_zoned(time::shanghai().clone())
                .map_err(|_| ApiError::invalid("since", "out of range"))?
                .timestamp()
        }
        None => time::now() - SignedDuration::from_hours(24 * state.config.repeat.window_days),
    };
    let plans = state.store.outage_plans(since, 2000).await?;
    let mut advice = plan_advice(state, &plans).await?;
    Ok(PlanListView {
        window_days: state.config.repeat.window_days,
        rows: plans
            .iter()
            .map(|p| plan_view(p, advice.remove(p.row.job_id.as_str()).unwrap_or_default()))
            .collect(),
    })
}

/// The plan rows (by planned start) with the advice on each draft: which other job or planned
/// outage cuts the same area or customer at the same time or within the repeat window.
#[utoipa::path(
    get, path = "/api/v1/outage-plans", tag = TAG_OUTAGES,
    params(PlanListParams),
    responses(
        (status = 200, description = "Plan rows with their advice", body = PlanListView),
        (status = 400, description = "Invalid date", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_plans(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<PlanListParams>,
) -> Result<Json<PlanListView>, ApiError> {
    Ok(Json(list_view(&state, p.since.as_deref()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PlanImportParams {
    /// The file's name; `.csv` (UTF-8) or `.xlsx` decides how it is read.
    pub file_name: String,
    /// Import the good rows and report the bad ones (default: all or nothing).
    pub skip_bad: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RowErrorView {
    /// Row number as a spreadsheet shows it (the header is row 1).
    pub row: usize,
    /// The column's header as written in the file.
    pub column: String,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanImportView {
    pub file: String,
    /// Data rows in the file.
    pub rows: usize,
    /// Rows accepted (unchanged ones included).
    pub imported: usize,
    /// Rows left out (with `skip_bad`).
    pub rejected: Vec<RowErrorView>,
}

/// Imports a plan file for `actor` (the API's and the console's), audited. Bad rows in
/// all-or-nothing mode are one 400 naming `file`, every bad row on its own line.
pub async fn import_plan(
    state: &AppState,
    actor: &Actor,
    addr: &str,
    p: &PlanImportParams,
    body: &[u8],
) -> Result<PlanImportView, ApiError> {
    use griddesk_import::{ImportError, ImportKind, ImportOptions, import_bytes};
    let file = text("file_name", &p.file_name, 120, true)?;
    if file.contains(['/', '\\']) {
        return Err(ApiError::invalid("file_name", "a file name, not a path"));
    }
    if body.is_empty() {
        return Err(ApiError::invalid("file", "the file is empty"));
    }
    let opts = ImportOptions {
        skip_bad: p.skip_bad.unwrap_or(false),
        notice: state.config.notice.clone(),
        actor: Some(actor.audit_id()),
        ..ImportOptions::default()
    };
    // Outage plans go to the store only; the lake root is not used.
    let lake = std::path::Path::new(".");
    let report = match import_bytes(
        state.store.as_ref(),
        lake,
        ImportKind::OutagePlans,
        &file,
        body,
        &opts,
    )
    .await
    {
        Ok(r) => r,
        Err(ImportError::Rejected(rows)) => {
            let lines: Vec<String> = rows.iter().take(100).map(ToString::to_string).collect();
            return Err(ApiError::invalid(
                "file",
                format!(
                    "{} bad row(s), nothing imported:\n{}",
                    rows.len(),
                    lines.join("\n")
                ),
            ));
        }
        Err(ImportError::Format { reason, .. }) => return Err(ApiError::invalid("file", reason)),
        Err(ImportError::Store(e)) => return Err(e.into()),
        Err(e) => return Err(ApiError::Internal(e.to_string())),
    };
    let summary = serde_json::json!({
        "kind": "outage-plans", "rows": report.rows, "imported": report.imported,
        "rejected": report.rejected.len(),
    });
    let audit = AuditEntry::new(actor, AuditAction::Import, "file", &file, addr, time::now())
        .change(None, Some(summary.to_string()));
    state.store.append_audit(&audit).await?;
    Ok(PlanImportView {
        file,
        rows: report.rows,
        imported: report.imported,
        rejected: report
            .rejected
            .into_iter()
            .map(|e| RowErrorView {
                row: e.row,
                column: e.column,
                reason: e.reason,
            })
            .collect(),
    })
}

/// Uploads a weekly or monthly plan (the `outage-plans` layout of docs/import.md) as the
/// request body; new jobs become drafts, changed drafts are replaced.
#[utoipa::path(
    post, path = "/api/v1/outage-plans/import", tag = TAG_OUTAGES,
    params(PlanImportParams),
    request_body(content = Vec<u8>, content_type = "text/csv", description = "The file's bytes (text/csv, or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet for .xlsx)"),
    responses(
        (status = 201, description = "Imported", body = PlanImportView),
        (status = 400, description = "Unreadable file, or bad rows (each named with row and column)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 1 MiB", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn upload_plan(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiQuery(p): ApiQuery<PlanImportParams>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let v = import_plan(&state, &auth.actor, &addr, &p, &body).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// A change to a draft row; fields left out keep their value. The row is checked again as at
/// import (the notice lead time included).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanPatch {
    /// weekly or monthly.
    pub kind: Option<String>,
    pub title: Option<String>,
    pub scope: Option<ScopeRequest>,
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` in Asia/Shanghai.
    pub planned_start: Option<String>,
    pub planned_end: Option<String>,
    pub work_content: Option<String>,
    /// Code of the organisation unit doing the work.
    pub responsible_unit: Option<String>,
    pub reason: Option<String>,
}

async fn load_plan(state: &AppState, raw: &str) -> Result<StoredPlan, ApiError> {
    let job = griddesk_domain::outage_plan::parse_job_id("job_id", raw)?;
    state
        .store
        .outage_plans_of(std::slice::from_ref(&job))
        .await?
        .pop()
        .ok_or(ApiError::NotFound {
            field: "job_id",
            value: job.to_string(),
        })
}

fn not_draft(p: &StoredPlan, field: &'static str) -> ApiError {
    let detail = match p.outage_id {
        Some(id) => format!("job {} was issued as outage #{id}", p.row.job_id),
        None => format!("job {} is {}", p.row.job_id, p.status),
    };
    ApiError::Unprocessable { field, detail }
}

/// Fails naming the scope field or `responsible_unit` when a code is not in the archive.
async fn check_references(state: &AppState, row: &PlanRow) -> Result<(), ApiError> {
    let (field, kind, codes): (&'static str, RefKind, Vec<String>) = match &row.scope {
        OutageScope::Substation(s) => {
            ("scope.substation", RefKind::Substation, vec![s.to_string()])
        }
        OutageScope::Feeders(v) => (
            "scope.feeders",
            RefKind::Feeder,
            v.iter().map(ToString::to_string).collect(),
        ),
        OutageScope::Areas(v) => (
            "scope.areas",
            RefKind::Area,
            v.iter().map(ToString::to_string).collect(),
        ),
        OutageScope::Customers(v) => (
            "scope.customers",
            RefKind::Customer,
            v.iter().map(ToString::to_string).collect(),
        ),
    };
    let refs = [
        (field, kind, codes),
        (
            "responsible_unit",
            RefKind::OrgUnit,
            vec![row.responsible_unit.to_string()],
        ),
    ];
    for (field, kind, codes) in refs {
        if let Some(m) = state.store.missing_references(kind, &codes).await?.first() {
            return Err(ApiError::invalid(field, format!("{m:?} does not exist")));
        }
    }
    Ok(())
}

fn audit_plan(actor: &Actor, addr: &str, job: &str, reason: String) -> AuditEntry {
    AuditEntry::new(
        actor,
        AuditAction::OutagePlanChanged,
        "outage_plan",
        job,
        addr,
        time::now(),
    )
    .reason(reason)
}

/// Applies `patch` to draft `job` for `actor` (the API's and the console's), audited. Nothing
/// changes unless every field is valid.
pub async fn edit_plan(
    state: &AppState,
    actor: &Actor,
    addr: &str,
    job: &str,
    patch: &PlanPatch,
) -> Result<StoredPlan, ApiError> {
    let p = load_plan(state, job).await?;
    if p.status != PlanStatus::Draft {
        return Err(not_draft(&p, "status"));
    }
    let mut row = p.row.clone();
    if let Some(k) = &patch.kind {
        row.kind = PlanKind::parse(k).map_err(|e| ApiError::invalid("kind", e.reason))?;
    }
    if let Some(t) = &patch.title {
        row.title = text("title", t, 100, true)?;
    }
    if let Some(s) = &patch.scope {
        row.scope = s.scope()?;
    }
    if let Some(t) = &patch.planned_start {
        row.planned_start = instant("planned_start", t)?;
    }
    if let Some(t) = &patch.planned_end {
        row.planned_end = instant("planned_end", t)?;
    }
    if let Some(t) = &patch.work_content {
        row.work_content = text("work_content", t, 500, true)?;
    }
    if let Some(u) = &patch.responsible_unit {
        row.responsible_unit = Code::parse_field("responsible_unit", u)?;
    }
    if let Some(t) = &patch.reason {
        row.reason = text("reason", t, 200, true)?;
    }
    if let Err(errors) = row.validate(time::now(), &state.config.notice) {
        let e = &errors[0];
        return Err(ApiError::invalid(e.field, e.reason.clone()));
    }
    check_references(state, &row).await?;
    let by = actor.audit_id();
    let u = state
        .store
        .update_outage_plan(&row, &by, time::now())
        .await?;
    let n = changed(u, job)?;
    let audit = audit_plan(actor, addr, row.job_id.as_str(), "edited".into()).change(
        Some(format!("v{}", p.version)),
        Some(format!("v{}", n.version)),
    );
    state.store.append_audit(&audit).await?;
    Ok(n)
}

/// The row a conditional change left, or why it did not change.
fn changed(u: PlanUpdate, job: &str) -> Result<StoredPlan, ApiError> {
    match u {
        PlanUpdate::Updated(n) => Ok(n),
        PlanUpdate::NotDraft(n) => Err(not_draft(&n, "status")),
        PlanUpdate::NotFound => Err(ApiError::NotFound {
            field: "job_id",
            value: job.to_owned(),
        }),
    }
}

async fn one_view(state: &AppState, p: &StoredPlan) -> Result<PlanRowView, ApiError> {
    let mut advice = plan_advice(state, std::slice::from_ref(p)).await?;
    Ok(plan_view(
        p,
        advice.remove(p.row.job_id.as_str()).unwrap_or_default(),
    ))
}

/// Changes a draft row; the fields given are checked as at import.
#[utoipa::path(
    patch, path = "/api/v1/outage-plans/{job_id}", tag = TAG_OUTAGES,
    params(("job_id" = String, Path, description = "The job's id in the plan")),
    request_body = PlanPatch,
    responses(
        (status = 200, description = "The row as changed, with its advice against planned outages", body = PlanRowView),
        (status = 400, description = "Invalid field (named); nothing changed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Issued or cancelled already", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn patch_plan(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiPath(job): ApiPath<String>,
    ApiJson(patch): ApiJson<PlanPatch>,
) -> Result<Json<PlanRowView>, ApiError> {
    let p = edit_plan(&state, &auth.actor, &addr, &job, &patch).await?;
    Ok(Json(one_view(&state, &p).await?))
}

/// Cancels draft `job` for `actor`, audited.
pub async fn cancel_plan(
    state: &AppState,
    actor: &Actor,
    addr: &str,
    job: &str,
) -> Result<StoredPlan, ApiError> {
    let p = load_plan(state, job).await?;
    let u = state
        .store
        .cancel_outage_plan(&p.row.job_id, &actor.audit_id(), time::now())
        .await?;
    let n = changed(u, job)?;
    let audit = audit_plan(actor, addr, p.row.job_id.as_str(), "cancelled".into());
    state.store.append_audit(&audit).await?;
    Ok(n)
}

/// Cancels a draft row (the job is dropped from the plan).
#[utoipa::path(
    post, path = "/api/v1/outage-plans/{job_id}/cancel", tag = TAG_OUTAGES,
    params(("job_id" = String, Path, description = "The job's id in the plan")),
    responses(
        (status = 200, description = "The row, cancelled", body = PlanRowView),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Issued or cancelled already", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post_cancel(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiPath(job): ApiPath<String>,
) -> Result<Json<PlanRowView>, ApiError> {
    let p = cancel_plan(&state, &auth.actor, &addr, &job).await?;
    Ok(Json(plan_view(&p, Vec::new())))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct IssueRequest {
    /// The draft jobs to issue together as one outage.
    pub job_ids: Vec<String>,
    /// The outage's title; default: the jobs' titles.
    pub title: Option<String>,
    /// What customers are told caused it; default: the jobs' reasons.
    pub cause: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IssueView {
    pub outage: OutageView,
    pub rows: Vec<PlanRowView>,
}

/// Texts joined with `；` (each once), or the first followed by "等 N 项" when too long.
fn joined(parts: &[&str], max: usize) -> String {
    let mut seen = Vec::new();
    for p in parts {
        if !seen.contains(p) {
            seen.push(*p);
        }
    }
    let all = seen.join("；");
    if all.chars().count() <= max {
        return all;
    }
    let first: String = seen[0].chars().take(max.saturating_sub(12)).collect();
    format!("{first}等{}项", seen.len())
}

fn scope_request(s: &OutageScope) -> ScopeRequest {
    let strings = |v: &[Code]| v.iter().map(ToString::to_string).collect();
    let mut r = ScopeRequest {
        substation: None,
        feeders: Vec::new(),
        areas: Vec::new(),
        customers: Vec::new(),
    };
    match s {
        OutageScope::Substation(c) => r.substation = Some(c.to_string()),
        OutageScope::Feeders(v) => r.feeders = strings(v),
        OutageScope::Areas(v) => r.areas = strings(v),
        OutageScope::Customers(v) => r.customers = v.iter().map(ToString::to_string).collect(),
    }
    r
}

/// Every customer `s` cuts: those of the areas it reaches and the others it reaches.
async fn cut_customers(
    state: &AppState,
    reaches: &mut Reaches,
    s: &OutageScope,
) -> Result<BTreeSet<CustomerNo>, ApiError> {
    let r = reaches.of(state, s).await?;
    let areas: Vec<Code> = r.areas.into_iter().collect();
    let mut all: BTreeSet<CustomerNo> = state
        .store
        .customers_of_areas(&areas)
        .await?
        .into_iter()
        .collect();
    all.extend(r.customers);
    Ok(all)
}

/// One scope cutting exactly what the jobs' scopes cut together. Scopes of one kind are united
/// (one substation stays a substation; several become their feeders). Mixed kinds become the
/// coarsest kind among them when it already cuts every customer the finer ones cut (an area
/// job on a feeder that a feeder job takes off), else the list of the customers they cut.
async fn combined_scope(
    state: &AppState,
    scopes: &[&OutageScope],
) -> Result<OutageScope, ApiError> {
    let mut reaches = Reaches::default();
    let mut feeders = BTreeSet::new();
    let mut areas = BTreeSet::new();
    let mut customers = BTreeSet::new();
    let mut substations = BTreeSet::new();
    for s in scopes {
        match s {
            OutageScope::Substation(c) => {
                substations.insert(c.clone());
                feeders.extend(reaches.of(state, s).await?.feeders);
            }
            OutageScope::Feeders(v) => feeders.extend(v.iter().cloned()),
            OutageScope::Areas(v) => areas.extend(v.iter().cloned()),
            OutageScope::Customers(v) => customers.extend(v.iter().cloned()),
        }
    }
    let only_substations = scopes
        .iter()
        .all(|s| matches!(s, OutageScope::Substation(_)));
    if only_substations && substations.len() == 1 {
        return Ok(scopes[0].clone());
    }
    let kinds = [
        !feeders.is_empty(),
        !areas.is_empty(),
        !customers.is_empty(),
    ];
    let candidate = if !feeders.is_empty() {
        OutageScope::Feeders(feeders.into_iter().collect())
    } else if !areas.is_empty() {
        OutageScope::Areas(areas.iter().cloned().collect())
    } else {
        OutageScope::Customers(customers.iter().cloned().collect())
    };
    if kinds.iter().filter(|k| **k).count() <= 1 {
        return Ok(candidate);
    }
    let mut wanted = BTreeSet::new();
    for s in scopes {
        wanted.extend(cut_customers(state, &mut reaches, s).await?);
    }
    if cut_customers(state, &mut reaches, &candidate).await? == wanted {
        return Ok(candidate);
    }
    if wanted.len() > 10_000 {
        return Err(ApiError::Unprocessable {
            field: "job_ids",
            detail: "these jobs cut more than 10,000 customers across scopes of different kinds; \
                     issue them separately"
                .into(),
        });
    }
    Ok(OutageScope::Customers(wanted.into_iter().collect()))
}

/// Issues draft jobs together as one planned outage for `actor` (the API's and the console's):
/// the scopes combined, from the earliest start to the latest end, recorded through
/// `record_outage`; then every row is marked issued into it, all or none. Should another
/// request have issued or cancelled one of the rows meanwhile, the new outage is cancelled
/// again and nothing is issued.
pub async fn issue_plans(
    state: &AppState,
    actor: &Actor,
    addr: &str,
    r: &IssueRequest,
) -> Result<(Outage, Vec<StoredPlan>), ApiError> {
    if r.job_ids.is_empty() || r.job_ids.len() > 200 {
        return Err(ApiError::invalid("job_ids", "give 1 to 200 job ids"));
    }
    let jobs: Vec<Code> = r
        .job_ids
        .iter()
        .map(|j| Code::parse_field("job_ids", j))
        .collect::<Result<_, _>>()?;
    let plans = state.store.outage_plans_of(&jobs).await?;
    if let Some(missing) = jobs
        .iter()
        .find(|j| !plans.iter().any(|p| &p.row.job_id == *j))
    {
        return Err(ApiError::NotFound {
            field: "job_ids",
            value: missing.to_string(),
        });
    }
    if let Some(p) = plans.iter().find(|p| p.status != PlanStatus::Draft) {
        return Err(not_draft(p, "job_ids"));
    }
    let scopes: Vec<&OutageScope> = plans.iter().map(|p| &p.row.scope).collect();
    let scope = combined_scope(state, &scopes).await?;
    let titles: Vec<&str> = plans.iter().map(|p| p.row.title.as_str()).collect();
    let reasons: Vec<&str> = plans.iter().map(|p| p.row.reason.as_str()).collect();
    let start = plans.iter().map(|p| p.row.planned_start).min();
    let end = plans.iter().map(|p| p.row.planned_end).max();
    let ids: Vec<&str> = plans.iter().map(|p| p.row.job_id.as_str()).collect();
    let req = NewOutageRequest {
        kind: OutageKind::Planned.code().to_owned(),
        title: r.title.clone().unwrap_or_else(|| joined(&titles, 200)),
        cause: r.cause.clone().unwrap_or_else(|| joined(&reasons, 500)),
        scope: scope_request(&scope),
        start: start.map(|t| t.to_string()),
        eta: end.map(|t| t.to_string()),
    };
    let o = api_outages::record_outage(state, actor, addr, &req).await?;
    let now = time::now();
    let issued = state
        .store
        .issue_outage_plans(&jobs, o.id, &actor.audit_id(), now)
        .await?;
    if !issued {
        let cancel = api_outages::OutageActionRequest {
            action: griddesk_domain::outage::OutageAction::Cancel
                .code()
                .to_owned(),
            eta: None,
            note: Some("计划已被他人发布或取消".to_owned()),
        };
        api_outages::take_outage_step(state, actor, addr, o.id, o.version, &cancel).await?;
        return Err(ApiError::Unprocessable {
            field: "job_ids",
            detail: "a job was issued or cancelled meanwhile; nothing was issued".into(),
        });
    }
    let audit = audit_plan(
        actor,
        addr,
        &ids.join(","),
        format!("issued as outage #{}", o.id),
    );
    state.store.append_audit(&audit).await?;
    let rows = state.store.outage_plans_of(&jobs).await?;
    Ok((o, rows))
}

/// Issues one or several draft jobs as ONE planned outage (one outage for several jobs): the
/// scopes combined, from the earliest start to the latest end. The outage is a planned outage
/// like any other: its notices follow its steps, and `late_notices` warns when the public
/// notice can no longer be given in time.
#[utoipa::path(
    post, path = "/api/v1/outage-plans/issue", tag = TAG_OUTAGES,
    request_body = IssueRequest,
    responses(
        (status = 201, description = "The outage and the rows issued into it", body = IssueView),
        (status = 400, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A job is issued or cancelled already", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post_issue(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiJson(r): ApiJson<IssueRequest>,
) -> Result<Response, ApiError> {
    let (o, rows) = issue_plans(&state, &auth.actor, &addr, &r).await?;
    let events = state.store.outage_events(o.id).await?;
    let v = IssueView {
        outage: outage_view(&o, &events, &state.config.notice),
        rows: rows.iter().map(|p| plan_view(p, Vec::new())).collect(),
    };
    Ok((StatusCode::CREATED, Json(v)).into_response())
}
