//! Outages in the JSON API (D3): record an outage of any of the four kinds on a substation,
//! feeders, areas or a customer list (the affected customers are computed and stored at once,
//! with warnings for notices that can no longer be given in time), the board of open outages,
//! each outage with its history, its lifecycle steps with If-Match, and the question agents and
//! customers ask of a customer: is there an outage, when is power back, what caused it.
//!
//! Repair calls from customers inside an outage that is out now are merged into it at intake
//! (`api_orders::intake`), so no second crew is sent.

use crate::api_orders::{if_match, text, versioned};
use crate::auth::{Auth, ClientAddr};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::model::Label;
use crate::{AppState, scope, time};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use griddesk_domain::access::{AuditAction, AuditEntry};
use griddesk_domain::outage::{
    NoticePolicy, OutageAction, OutageKind, OutageScope, OutageStatus, Overlap, step,
};
use griddesk_domain::values::{Code, CustomerNo};
use griddesk_store::outage::{
    NewOutage, Outage, OutageEvent, OutageStep, OutageUpdate, StepNotices,
};
use griddesk_store::workorder::UpdateOutcome;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub const TAG_OUTAGES: &str = "outages";

#[derive(Debug, Serialize, ToSchema)]
pub struct OutageEventView {
    pub at: String,
    pub actor_name: String,
    pub action: Label,
    pub status: Label,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutageView {
    pub id: i64,
    pub version: i64,
    pub kind: Label,
    pub status: Label,
    /// Whether customers are without power now.
    pub out_now: bool,
    pub title: String,
    pub cause: String,
    /// substation, feeders, areas or customers.
    pub scope_kind: String,
    pub scope: Vec<String>,
    pub start: String,
    /// Planned end, or the estimated restoration of a fault.
    pub eta: Option<String>,
    pub restored_at: Option<String>,
    /// When the company knew.
    pub known_since: String,
    pub affected: i64,
    /// Notices that can no longer be given in time (planned, orderly and arrears outages).
    pub late_notices: Vec<Label>,
    pub events: Vec<OutageEventView>,
}

fn rfc(t: Timestamp) -> String {
    time::local_rfc3339(t)
}

pub fn outage_view(o: &Outage, events: &[OutageEvent], policy: &NoticePolicy) -> OutageView {
    let (scope_kind, codes) = griddesk_store::outage::scope_columns(&o.scope);
    OutageView {
        id: o.id,
        version: o.version,
        kind: Label::of(o.kind),
        status: Label::of(o.status),
        out_now: o.status.is_out(),
        title: o.title.clone(),
        cause: o.cause.clone(),
        scope_kind: scope_kind.to_owned(),
        scope: codes.split(',').map(str::to_owned).collect(),
        start: rfc(o.start),
        eta: o.eta.map(rfc),
        restored_at: o.restored_at.map(rfc),
        known_since: rfc(o.created_at),
        affected: o.affected,
        late_notices: if o.status == OutageStatus::Planned {
            policy
                .late_notices(o.kind, o.created_at, o.start)
                .into_iter()
                .map(Label::of)
                .collect()
        } else {
            Vec::new()
        },
        events: events
            .iter()
            .map(|e| OutageEventView {
                at: rfc(e.at),
                actor_name: e.actor_name.clone(),
                action: Label::of(e.action),
                status: Label::of(e.status),
                note: e.note.clone(),
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ScopeRequest {
    pub substation: Option<String>,
    #[serde(default)]
    pub feeders: Vec<String>,
    #[serde(default)]
    pub areas: Vec<String>,
    #[serde(default)]
    pub customers: Vec<String>,
}

impl ScopeRequest {
    /// Exactly one of the four is given.
    pub(crate) fn scope(&self) -> Result<OutageScope, ApiError> {
        let codes = |field: &'static str, v: &[String]| {
            v.iter()
                .map(|c| Code::parse_field(field, c))
                .collect::<Result<Vec<_>, _>>()
        };
        let given = [
            self.substation.is_some(),
            !self.feeders.is_empty(),
            !self.areas.is_empty(),
            !self.customers.is_empty(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(ApiError::invalid(
                "scope",
                "give exactly one of substation, feeders, areas, customers",
            ));
        }
        if self.feeders.len() + self.areas.len() + self.customers.len() > 10_000 {
            return Err(ApiError::invalid(
                "scope",
                "at most 10,000 devices or customers",
            ));
        }
        Ok(if let Some(s) = &self.substation {
            OutageScope::Substation(Code::parse_field("scope.substation", s)?)
        } else if !self.feeders.is_empty() {
            OutageScope::Feeders(codes("scope.feeders", &self.feeders)?)
        } else if !self.areas.is_empty() {
            OutageScope::Areas(codes("scope.areas", &self.areas)?)
        } else {
            OutageScope::Customers(
                self.customers
                    .iter()
                    .map(|c| CustomerNo::parse(c))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| ApiError::invalid("scope.customers", e.reason))?,
            )
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewOutageRequest {
    /// planned, orderly, fault or arrears.
    pub kind: String,
    pub title: String,
    /// What caused it (shown to customers).
    pub cause: String,
    pub scope: ScopeRequest,
    /// When power goes off (RFC 3339); for a fault, when it was noticed (default now).
    pub start: Option<String>,
    /// Planned end or estimated restoration (RFC 3339).
    pub eta: Option<String>,
}

/// An instant from the API (RFC 3339) or a console form (`2026-12-08T09:00`, Asia/Shanghai).
pub(crate) fn instant(field: &'static str, raw: &str) -> Result<Timestamp, ApiError> {
    let t = raw.trim();
    t.parse::<Timestamp>()
        .ok()
        .or_else(|| {
            t.parse::<jiff::civil::DateTime>()
                .ok()
                .and_then(|d| d.to_zoned(time::shanghai().clone()).ok())
                .map(|z| z.timestamp())
        })
        .ok_or_else(|| {
            ApiError::invalid(
                field,
                "give an RFC 3339 time, e.g. 2026-12-08T09:00:00+08:00",
            )
        })
}

/// An optional instant: absent or blank is None.
fn opt_instant(field: &'static str, raw: Option<&str>) -> Result<Option<Timestamp>, ApiError> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| instant(field, s))
        .transpose()
}

/// Validates and records an outage for `actor` (the API's and the console's), audited.
pub async fn record_outage(
    state: &AppState,
    actor: &griddesk_domain::access::Actor,
    addr: &str,
    r: &NewOutageRequest,
) -> Result<Outage, ApiError> {
    let kind = OutageKind::parse(&r.kind)?;
    let scope = r.scope.scope()?;
    let now = time::now();
    let start = match opt_instant("start", r.start.as_deref())? {
        Some(t) => t,
        None if kind == OutageKind::Fault => now,
        None => {
            return Err(ApiError::invalid(
                "start",
                "required for an announced outage",
            ));
        }
    };
    let eta = opt_instant("eta", r.eta.as_deref())?;
    if eta.is_some_and(|e| e <= start) {
        return Err(ApiError::invalid("eta", "must be after the start"));
    }
    let new = NewOutage {
        kind,
        title: text("title", &r.title, 200, true)?,
        cause: text("cause", &r.cause, 500, true)?,
        scope,
        start,
        eta,
        created_by: actor.audit_id(),
        created_at: now,
    };
    let o = state.store.create_outage(&new).await?;
    let audit = AuditEntry::new(
        actor,
        AuditAction::OutageRecorded,
        "outage",
        o.id.to_string(),
        addr,
        now,
    )
    .change(
        None,
        Some(serde_json::json!({"kind": o.kind, "affected": o.affected}).to_string()),
    );
    state.store.append_audit(&audit).await?;
    Ok(o)
}

/// Records an outage and the customers it reaches.
#[utoipa::path(
    post, path = "/api/v1/outages", tag = TAG_OUTAGES,
    request_body = NewOutageRequest,
    responses(
        (status = 201, description = "Recorded; `late_notices` lists notices already too late", body = OutageView),
        (status = 400, description = "Invalid field, or a device that does not exist", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_outage(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiJson(r): ApiJson<NewOutageRequest>,
) -> Result<Response, ApiError> {
    let o = record_outage(&state, &auth.actor, &addr, &r).await?;
    let events = state.store.outage_events(o.id).await?;
    let v = outage_view(&o, &events, &state.config.notice);
    Ok(versioned(
        StatusCode::CREATED,
        o.version,
        format!("/api/v1/outages/{}", o.id),
        v,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct OutageListParams {
    /// Restored and cancelled ones too.
    pub all: Option<bool>,
}

/// The outage board: open outages (or all), latest start first.
#[utoipa::path(
    get, path = "/api/v1/outages", tag = TAG_OUTAGES,
    params(OutageListParams),
    responses((status = 200, description = "Outages", body = Vec<OutageView>))
)]
pub async fn list_outages(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<OutageListParams>,
) -> Result<Json<Vec<OutageView>>, ApiError> {
    let list = state.store.outages(p.all.unwrap_or(false), 500).await?;
    Ok(Json(
        list.iter()
            .map(|o| outage_view(o, &[], &state.config.notice))
            .collect(),
    ))
}

pub async fn load(state: &AppState, id: i64) -> Result<Outage, ApiError> {
    state.store.outage(id).await?.ok_or(ApiError::NotFound {
        field: "id",
        value: id.to_string(),
    })
}

/// One outage with its history; the ETag is its version.
#[utoipa::path(
    get, path = "/api/v1/outages/{id}", tag = TAG_OUTAGES,
    params(("id" = i64, Path, description = "Outage id")),
    responses(
        (status = 200, description = "The outage", body = OutageView),
        (status = 404, description = "No such outage", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_outage(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let o = load(&state, id).await?;
    let events = state.store.outage_events(id).await?;
    let v = outage_view(&o, &events, &state.config.notice);
    Ok(versioned(
        StatusCode::OK,
        o.version,
        format!("/api/v1/outages/{id}"),
        v,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OutageActionRequest {
    /// notify, start, confirm, dispatch, restore, cancel, reschedule.
    pub action: String,
    /// A new estimated restoration time (RFC 3339); required by `reschedule`. Customers
    /// already told of the outage get the new time.
    pub eta: Option<String>,
    pub note: Option<String>,
}

/// Takes one lifecycle step. Requires If-Match; stale 409, a step the kind and state do not
/// allow 422.
#[utoipa::path(
    post, path = "/api/v1/outages/{id}/actions", tag = TAG_OUTAGES,
    params(
        ("id" = i64, Path, description = "Outage id"),
        ("If-Match" = String, Header, description = "The outage's ETag"),
    ),
    request_body = OutageActionRequest,
    responses(
        (status = 200, description = "The outage after the step", body = OutageView),
        (status = 409, description = "Changed since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not allowed now", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn outage_action(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<OutageActionRequest>,
) -> Result<Response, ApiError> {
    let expected = if_match(&headers)?;
    let n = take_outage_step(&state, &auth.actor, &addr, id, expected, &r).await?;
    let events = state.store.outage_events(id).await?;
    let v = outage_view(&n, &events, &state.config.notice);
    Ok(versioned(
        StatusCode::OK,
        n.version,
        format!("/api/v1/outages/{id}"),
        v,
    ))
}

/// Takes one step of outage `id` for `actor` (the API's and the console's), if it is still at
/// `expected`; audited.
pub async fn take_outage_step(
    state: &AppState,
    actor: &griddesk_domain::access::Actor,
    addr: &str,
    id: i64,
    expected: i64,
    r: &OutageActionRequest,
) -> Result<Outage, ApiError> {
    let action = OutageAction::parse(&r.action)?;
    let note = r
        .note
        .as_deref()
        .map(|n| text("note", n, 1000, false))
        .transpose()?
        .filter(|n| !n.is_empty());
    let eta = opt_instant("eta", r.eta.as_deref())?;
    if action == OutageAction::Reschedule && eta.is_none() {
        return Err(ApiError::invalid(
            "eta",
            "a new restoration time is required",
        ));
    }
    let o = load(state, id).await?;
    if o.version != expected {
        return Err(ApiError::Conflict { current: o.version });
    }
    let status = step(o.kind, o.status, action).map_err(|e| ApiError::Unprocessable {
        field: "action",
        detail: e.to_string(),
    })?;
    let now = time::now();
    let restored_at = (status == OutageStatus::Restored).then_some(now);
    let s = OutageStep {
        notify: step_notices(state, &o, status, eta.or(o.eta), restored_at, now),
        expected_version: expected,
        status,
        eta: eta.or(o.eta),
        restored_at,
        event: OutageEvent {
            at: now,
            actor: actor.audit_id(),
            actor_name: actor.display_name(),
            action,
            status,
            note,
        },
    };
    let n = match state.store.step_outage(id, &s).await? {
        OutageUpdate::Updated(n) => n,
        OutageUpdate::Conflict(c) => return Err(ApiError::Conflict { current: c.version }),
        OutageUpdate::NotFound => {
            return Err(ApiError::NotFound {
                field: "id",
                value: id.to_string(),
            });
        }
    };
    let audit = AuditEntry::new(
        actor,
        AuditAction::OutageRecorded,
        "outage",
        id.to_string(),
        addr,
        now,
    )
    .reason(action.code())
    .change(
        Some(o.status.code().to_owned()),
        Some(n.status.code().to_owned()),
    );
    state.store.append_audit(&audit).await?;
    Ok(n)
}

/// What a step tells customers (D3): the text for SMS and e-mail to every affected customer,
/// and for key and important customers a personal notice (due the personal lead time before
/// an announced outage, at once for a fault) or, after restoration, a callback at the first
/// daytime hour.
fn step_notices(
    state: &AppState,
    o: &Outage,
    to: OutageStatus,
    eta: Option<Timestamp>,
    restored_at: Option<Timestamp>,
    now: Timestamp,
) -> Option<StepNotices> {
    use griddesk_domain::notice::{NoticeChannel, NoticePurpose, OutageFacts, TaskKind, compose};
    // To the minute the texts show: a change customers could not read is no news.
    let minute = |t: Option<Timestamp>| t.map(|t| t.as_second().div_euclid(60));
    let eta_changed = minute(eta) != minute(o.eta);
    let purpose = griddesk_domain::notice::purpose_of_step(o.kind, o.status, to, eta_changed)?;
    let policy = &state.config.notice;
    let facts = OutageFacts {
        company: &state.config.company_name,
        kind: o.kind,
        title: &o.title,
        cause: &o.cause,
        start: o.start,
        eta,
        restored_at,
    };
    let task = match purpose {
        NoticePurpose::Announced => {
            let due = o.start - jiff::SignedDuration::from_hours(policy.personal_notice_hours);
            Some((TaskKind::PersonalNotice, due.max(now)))
        }
        NoticePurpose::Fault => Some((TaskKind::PersonalNotice, now)),
        // The text reaches key customers too; their manager's personal notice stands.
        NoticePurpose::EtaChanged | NoticePurpose::Cancelled => None,
        NoticePurpose::Restored => {
            let tz = time::shanghai();
            let local = now.to_zoned(tz.clone()).datetime();
            let due = policy
                .callback_time(local)
                .to_zoned(tz.clone())
                .map_or(now, |z| z.timestamp());
            Some((TaskKind::Callback, due))
        }
    };
    Some(StepNotices {
        purpose,
        body: compose(purpose, &facts, time::shanghai()),
        channels: vec![NoticeChannel::Sms, NoticeChannel::Email],
        task,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeCountView {
    pub purpose: Label,
    pub channel: Label,
    pub status: Label,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeView {
    pub customer_no: String,
    pub purpose: Label,
    pub channel: Label,
    /// Masked (D12).
    pub recipient: String,
    pub status: Label,
    pub attempts: u32,
    pub sent_at: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutageTaskView {
    pub id: i64,
    pub outage_id: i64,
    pub kind: Label,
    pub customer_no: String,
    pub customer_name: String,
    /// The customer manager's login.
    pub assignee: Option<String>,
    pub due: String,
    pub done_at: Option<String>,
    pub done_by: Option<String>,
    pub method: Option<Label>,
    /// Who at the customer acknowledged.
    pub acknowledged_by: Option<String>,
    pub note: Option<String>,
}

pub fn task_view(t: &griddesk_store::notice::OutageTask) -> OutageTaskView {
    OutageTaskView {
        id: t.id,
        outage_id: t.outage_id,
        kind: Label::of(t.kind),
        customer_no: t.customer_no.to_string(),
        customer_name: t.customer_name.clone(),
        assignee: t.assignee.clone(),
        due: rfc(t.due),
        done_at: t.done.as_ref().map(|d| rfc(d.at)),
        done_by: t.done.as_ref().map(|d| d.by.clone()),
        method: t.done.as_ref().map(|d| Label::of(d.method)),
        acknowledged_by: t.done.as_ref().and_then(|d| d.acknowledged_by.clone()),
        note: t.done.as_ref().and_then(|d| d.note.clone()),
    }
}

/// An outage's notices: counts per purpose, channel and state, the recipients (failures
/// first), and the personal notices and callbacks.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutageNoticesView {
    pub counts: Vec<NoticeCountView>,
    pub recipients: Vec<NoticeView>,
    pub tasks: Vec<OutageTaskView>,
}

pub async fn notices_view(state: &AppState, id: i64) -> Result<OutageNoticesView, ApiError> {
    load(state, id).await?;
    let counts = state.store.notice_counts(id).await?;
    let rows = state.store.notices(id, 200).await?;
    let tasks = state.store.outage_tasks(id).await?;
    Ok(OutageNoticesView {
        counts: counts
            .iter()
            .map(|c| NoticeCountView {
                purpose: Label::of(c.purpose),
                channel: Label::of(c.channel),
                status: Label::of(c.status),
                count: c.count,
            })
            .collect(),
        recipients: rows
            .iter()
            .map(|r| NoticeView {
                customer_no: r.customer_no.to_string(),
                purpose: Label::of(r.purpose),
                channel: Label::of(r.channel),
                recipient: griddesk_domain::mask::recipient(&r.recipient),
                status: Label::of(r.status),
                attempts: r.attempts,
                sent_at: r.sent_at.map(rfc),
                error: r.error.clone(),
            })
            .collect(),
        tasks: tasks.iter().map(task_view).collect(),
    })
}

/// Notification status of an outage: how many messages are pending, sent or failed, to whom
/// (masked), and the personal notices and callbacks to key customers.
#[utoipa::path(
    get, path = "/api/v1/outages/{id}/notices", tag = TAG_OUTAGES,
    params(("id" = i64, Path, description = "Outage id")),
    responses(
        (status = 200, description = "Notices of the outage", body = OutageNoticesView),
        (status = 404, description = "No such outage", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn outage_notices(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<OutageNoticesView>, ApiError> {
    Ok(Json(notices_view(&state, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TaskListParams {
    /// Only the caller's own (as customer manager).
    pub mine: Option<bool>,
}

/// Open personal notices and callbacks, earliest due first.
#[utoipa::path(
    get, path = "/api/v1/outage-tasks", tag = TAG_OUTAGES,
    params(TaskListParams),
    responses((status = 200, description = "Open tasks", body = Vec<OutageTaskView>))
)]
pub async fn list_outage_tasks(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<TaskListParams>,
) -> Result<Json<Vec<OutageTaskView>>, ApiError> {
    let login = auth.actor.staff_login().map(|l| l.as_str().to_owned());
    let mine = if p.mine.unwrap_or(false) { login } else { None };
    let list = state.store.open_outage_tasks(mine.as_deref(), 500).await?;
    Ok(Json(list.iter().map(task_view).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskDoneRequest {
    /// phone, sms, written or visit.
    pub method: String,
    /// Who at the customer acknowledged, if someone did.
    pub acknowledged_by: Option<String>,
    pub note: Option<String>,
}

/// Records a personal notice or callback as made: who (the caller), how, when (now), and who
/// at the customer acknowledged. A task is done once; a second record is 409.
pub async fn complete_task(
    state: &AppState,
    actor: &griddesk_domain::access::Actor,
    id: i64,
    r: &TaskDoneRequest,
) -> Result<griddesk_store::notice::OutageTask, ApiError> {
    use griddesk_store::notice::{TaskDone, TaskUpdate};
    let opt = |field, v: Option<&str>, max| {
        v.map(|n| text(field, n, max, false))
            .transpose()
            .map(|t| t.filter(|t| !t.is_empty()))
    };
    let done = TaskDone {
        at: time::now(),
        by: actor.audit_id(),
        method: griddesk_domain::notice::ContactMethod::parse(&r.method)
            .map_err(|e| ApiError::invalid("method", e.reason))?,
        acknowledged_by: opt("acknowledged_by", r.acknowledged_by.as_deref(), 100)?,
        note: opt("note", r.note.as_deref(), 1000)?,
    };
    match state.store.complete_outage_task(id, &done).await? {
        TaskUpdate::Done(t) => Ok(t),
        TaskUpdate::AlreadyDone(_) => Err(ApiError::Unprocessable {
            field: "id",
            detail: "this task was already recorded as done".into(),
        }),
        TaskUpdate::NotFound => Err(ApiError::NotFound {
            field: "id",
            value: id.to_string(),
        }),
    }
}

/// Records a personal notice or callback as made.
#[utoipa::path(
    post, path = "/api/v1/outage-tasks/{id}/done", tag = TAG_OUTAGES,
    params(("id" = i64, Path, description = "Task id")),
    request_body = TaskDoneRequest,
    responses(
        (status = 200, description = "The task, done", body = OutageTaskView),
        (status = 404, description = "No such task", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Already done", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn outage_task_done(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<TaskDoneRequest>,
) -> Result<Json<OutageTaskView>, ApiError> {
    Ok(Json(task_view(
        &complete_task(&state, &auth.actor, id, &r).await?,
    )))
}

/// Fault inference at intake (D3): when this repair call makes enough calls from one area (or
/// from several places on one feeder) within the window, a suspected fault outage is recorded
/// on that device and the calls are merged into it, except the first, which stays the one
/// repair order to dispatch. The merges are the system's, whoever took the calls. Returns the
/// order as it is now.
pub async fn infer_from_calls(
    state: &AppState,
    addr: &str,
    o: griddesk_store::workorder::WorkOrder,
) -> Result<griddesk_store::workorder::WorkOrder, ApiError> {
    use griddesk_domain::outage::Suspicion;
    let policy = state.config.inference;
    let now = time::now();
    let since = now - jiff::SignedDuration::from_mins(policy.window_minutes);
    let suspicion = |calls: &[griddesk_domain::outage::RepairCall], id: i64| {
        policy.infer(calls, now).into_iter().find(|s| match s {
            Suspicion::Area { orders, .. } | Suspicion::Feeder { orders, .. } => {
                orders.contains(&id)
            }
        })
    };
    let calls = state.store.repair_calls_near(o.id, since).await?;
    let Some(hit) = suspicion(&calls, o.id) else {
        return Ok(o);
    };
    let feeder = match &hit {
        Suspicion::Area { feeder, .. } | Suspicion::Feeder { feeder, .. } => feeder.clone(),
    };
    // Calls on one feeder arriving together would each see the suspicion and record it twice:
    // they take turns, and the one that waited looks again (the outage may exist by now, or
    // its own order may have been merged into it).
    let _turn = feeder_turn(&feeder).lock().await;
    let Some(o) = state.store.work_order(o.id).await? else {
        return Ok(o);
    };
    if o.status == griddesk_domain::workorder::Status::Merged {
        return Ok(o);
    }
    let calls = state.store.repair_calls_near(o.id, since).await?;
    let Some(hit) = suspicion(&calls, o.id) else {
        return Ok(o);
    };
    let sweeper = griddesk_domain::access::Actor::System {
        name: "fault-inference".to_owned(),
    };
    let open = state.store.open_faults_on(&feeder).await?;
    let superseded = match hit.overlap(&open) {
        // An open outage already takes this device off: only this call joins it (the earlier
        // ones were merged at intake, or are that outage's own repair order).
        Overlap::Covered(id) => {
            let out = load(state, id).await?;
            let note = format!("故障停电 #{}：{}", out.id, out.title);
            return crate::api_orders::merge_order(state, &sweeper, addr, &o, out.id, &note).await;
        }
        Overlap::Supersedes(ids) => ids,
        Overlap::New => Vec::new(),
    };
    let (scope, title, orders) = match hit {
        Suspicion::Area { area, orders, .. } => {
            let t = format!("疑似台区停电 {area}");
            (OutageScope::Areas(vec![area]), t, orders)
        }
        Suspicion::Feeder { feeder, orders } => {
            let t = format!("疑似线路停电 {feeder}");
            (OutageScope::Feeders(vec![feeder]), t, orders)
        }
    };
    let mut start = now;
    let mut taken = Vec::new();
    for id in &superseded {
        let a = load(state, *id).await?;
        start = start.min(a.start);
        taken.push(a);
    }
    // The earliest call stays the outage's repair order; the others join the outage. Each is
    // read now and merged in the raise's one write, unless it moved on in between.
    let mut joining = Vec::new();
    for id in orders.iter().skip(1) {
        let w = if *id == o.id {
            o.clone()
        } else {
            match state.store.work_order(*id).await? {
                Some(w) => w,
                None => continue,
            }
        };
        if matches!(
            w.status,
            griddesk_domain::workorder::Status::Merged
                | griddesk_domain::workorder::Status::Cancelled
        ) {
            continue;
        }
        // A placeholder outage id: the merge's state check does not depend on it.
        match crate::api_orders::merge_change(state, &sweeper, addr, &w, 0, "", now) {
            Ok(_) => joining.push(w),
            // Someone acted on that call in the meantime (a dispatcher, a customer's cancel):
            // it stays as they left it, the outage stands.
            Err(e @ ApiError::Unprocessable { .. }) if w.id != o.id => {
                tracing::info!(order = w.id, error = %e, "call not merged");
            }
            Err(e) => return Err(e),
        }
    }
    let reason = format!("inferred from repair orders {orders:?}; takes in outages {superseded:?}");
    let follow = |out: &Outage| {
        let mut f = griddesk_store::outage::FaultFollowUp::default();
        f.audit.push(
            AuditEntry::new(
                &sweeper,
                AuditAction::OutageRecorded,
                "outage",
                out.id.to_string(),
                addr,
                now,
            )
            .reason(reason.clone()),
        );
        // The area outages the feeder outage takes in end as cancelled, pointing to it, so no
        // customer's interruption is counted twice.
        for a in &taken {
            let step = OutageStep {
                expected_version: a.version,
                status: OutageStatus::Cancelled,
                eta: a.eta,
                restored_at: None,
                event: OutageEvent {
                    at: now,
                    actor: sweeper.audit_id(),
                    actor_name: sweeper.display_name(),
                    action: OutageAction::Cancel,
                    status: OutageStatus::Cancelled,
                    note: Some(format!("并入线路停电 #{}", out.id)),
                },
                notify: None,
            };
            f.steps.push((a.id, step));
        }
        let note = format!("疑似故障停电 #{}：{}", out.id, out.title);
        f.orders = joining
            .iter()
            .filter_map(|w| {
                crate::api_orders::merge_change(state, &sweeper, addr, w, out.id, &note, now).ok()
            })
            .collect();
        f
    };
    let raised = state
        .store
        .raise_fault(
            &NewOutage {
                kind: OutageKind::Fault,
                title,
                cause: format!("{} 户报修，原因待查", orders.len()),
                scope,
                // One event since its first symptom, so its duration is counted once and whole.
                start,
                eta: None,
                created_by: sweeper.audit_id(),
                created_at: now,
            },
            &follow,
        )
        .await?;
    let mut current = o;
    for done in raised.orders {
        match done {
            UpdateOutcome::Updated(w) if w.id == current.id => current = w,
            UpdateOutcome::Updated(_) => {}
            UpdateOutcome::Conflict(w) => {
                tracing::info!(
                    order = w.id,
                    outage = raised.outage.id,
                    "call not merged: it moved on"
                );
                if w.id == current.id {
                    current = w;
                }
            }
            UpdateOutcome::NotFound => {}
        }
    }
    Ok(current)
}

/// One of a fixed set of locks, by feeder: inference on one feeder takes turns, inference on
/// different feeders (almost always) runs side by side. Striped rather than one lock per
/// feeder so that memory stays fixed whatever the topology's size.
fn feeder_turn(feeder: &Code) -> &'static tokio::sync::Mutex<()> {
    use std::hash::{Hash, Hasher};
    static TURNS: [tokio::sync::Mutex<()>; 64] = [const { tokio::sync::Mutex::const_new(()) }; 64];
    let mut h = std::collections::hash_map::DefaultHasher::new();
    feeder.hash(&mut h);
    &TURNS[(h.finish() % 64) as usize]
}

/// What a customer wants to know of an outage, in the order they ask.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerOutageView {
    pub id: i64,
    /// Does the company know: since when.
    pub known_since: String,
    /// Is power off now (else it is announced for `start`).
    pub out_now: bool,
    pub start: String,
    /// When power will be back, if the company can say.
    pub back_by: Option<String>,
    /// What caused it.
    pub cause: String,
    pub kind: Label,
    pub status: Label,
    pub title: String,
}

/// The open outages that reach a customer, out now first.
pub async fn customer_outages(
    state: &AppState,
    no: &CustomerNo,
) -> Result<Vec<CustomerOutageView>, ApiError> {
    let mut list: Vec<CustomerOutageView> = state
        .store
        .outages_of_customer(no)
        .await?
        .iter()
        .map(|o| CustomerOutageView {
            id: o.id,
            known_since: rfc(o.created_at),
            out_now: o.status.is_out(),
            start: rfc(o.start),
            back_by: o.eta.map(rfc),
            cause: o.cause.clone(),
            kind: Label::of(o.kind),
            status: Label::of(o.status),
            title: o.title.clone(),
        })
        .collect();
    list.sort_by_key(|o| !o.out_now);
    Ok(list)
}

/// Is there an outage at this customer, now or announced: does the company know, when will
/// power be back, what caused it.
#[utoipa::path(
    get, path = "/api/v1/customers/{customer_no}/outages", tag = TAG_OUTAGES,
    params(("customer_no" = String, Path, description = "Customer number (10 digits)")),
    responses(
        (status = 200, description = "Open outages reaching the customer, out now first", body = Vec<CustomerOutageView>),
        (status = 404, description = "No such customer", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn outages_at_customer(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<Vec<CustomerOutageView>>, ApiError> {
    let no = CustomerNo::parse(&raw)?;
    scope::customer_for(&state, &auth.actor, &no).await?;
    Ok(Json(customer_outages(&state, &no).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ReliabilityParams {
    /// First day, YYYY-MM-DD (Asia/Shanghai).
    pub from: String,
    /// Last day, inclusive.
    pub to: String,
}

/// Reliability indices of one group of interruptions.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicesView {
    pub interruptions: usize,
    pub customer_interruptions: u64,
    pub saifi: f64,
    pub saidi_hours: f64,
    pub caidi_hours: f64,
    /// ASAI / 供电可靠率, 0..=1.
    pub asai: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReliabilityView {
    pub from: String,
    pub to: String,
    pub customers_served: u64,
    pub period_hours: f64,
    pub all: IndicesView,
    pub planned: IndicesView,
    pub unplanned: IndicesView,
    /// The urban public commitment (0.999) and whether the period kept it.
    pub commitment: f64,
    pub commitment_kept: bool,
    /// Urban, rural and remote areas apart; the commitment is the urban areas'.
    pub by_area_type: Vec<GroupIndicesView>,
    /// Per organisation unit of the customers.
    pub by_unit: Vec<GroupIndicesView>,
}

/// The indices of one group of customers (an area type, a unit).
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupIndicesView {
    pub code: String,
    pub name: String,
    pub customers_served: u64,
    pub indices: IndicesView,
}

/// Reliability indices (SAIFI, SAIDI, CAIDI, ASAI / 供电可靠率) of a period from the restored
/// outages that started in it, all together and planned vs unplanned, against the 99.9 % urban
/// commitment. Each outage counts its stored affected customers for its whole duration.
#[utoipa::path(
    get, path = "/api/v1/reliability", tag = TAG_OUTAGES,
    params(ReliabilityParams),
    responses(
        (status = 200, description = "Indices of the period", body = ReliabilityView),
        (status = 400, description = "Invalid dates", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn reliability(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<ReliabilityParams>,
) -> Result<Json<ReliabilityView>, ApiError> {
    use griddesk_domain::outage::{Interruption, URBAN_RELIABILITY_COMMITMENT, reliability};
    let day = |field: &'static str, raw: &str| {
        raw.trim()
            .parse::<jiff::civil::Date>()
            .map_err(|_| ApiError::invalid(field, "give a date, YYYY-MM-DD"))
    };
    let (from, to) = (day("from", &p.from)?, day("to", &p.to)?);
    if to < from || (to - from).get_days() > 3660 {
        return Err(ApiError::invalid(
            "to",
            "give a period of 1 day to 10 years",
        ));
    }
    let tz = time::shanghai();
    let start = from
        .to_zoned(tz.clone())
        .map_err(|_| ApiError::invalid("from", "out of range"))?
        .timestamp();
    let end = to
        .tomorrow()
        .and_then(|d| d.to_zoned(tz.clone()))
        .map_err(|_| ApiError::invalid("to", "out of range"))?
        .timestamp();
    let served = state.store.stats().await?.customers;
    let period_hours = end.duration_since(start).as_secs_f64() / 3600.0;
    let outages = state.store.restored_outages(start, end).await?;
    let all: Vec<Interruption> = outages
        .iter()
        .filter_map(|o| {
            o.restored_at.map(|r| Interruption {
                customers: o.affected.max(0) as u64,
                duration: r.duration_since(o.start).max(jiff::SignedDuration::ZERO),
                planned: o.kind == OutageKind::Planned,
            })
        })
        .collect();
    let indices = |list: Vec<Interruption>| {
        let r = reliability(served, period_hours, &list);
        IndicesView {
            interruptions: list.len(),
            customer_interruptions: list.iter().map(|i| i.customers).sum(),
            saifi: r.saifi,
            saidi_hours: r.saidi_hours,
            caidi_hours: r.caidi_hours,
            asai: r.asai,
        }
    };
    let planned: Vec<Interruption> = all.iter().copied().filter(|i| i.planned).collect();
    let unplanned: Vec<Interruption> = all.iter().copied().filter(|i| !i.planned).collect();
    let all = indices(all);
    // Per group: each outage's customers in the group, for the outage's whole duration.
    let groups = state.store.restored_outage_groups(start, end).await?;
    let served_by = state.store.customers_by_group().await?;
    let by_id: std::collections::HashMap<i64, &Outage> =
        outages.iter().map(|o| (o.id, o)).collect();
    let grouped = |key: &dyn Fn(&griddesk_store::outage::GroupCount) -> String| {
        let mut served: std::collections::BTreeMap<String, u64> = Default::default();
        for g in &served_by {
            *served.entry(key(g)).or_default() += g.customers.max(0) as u64;
        }
        let mut hit: std::collections::BTreeMap<String, Vec<Interruption>> = Default::default();
        for g in &groups {
            let Some(o) = by_id.get(&g.outage_id) else {
                continue;
            };
            let Some(r) = o.restored_at else { continue };
            hit.entry(key(g)).or_default().push(Interruption {
                customers: g.customers.max(0) as u64,
                duration: r.duration_since(o.start).max(jiff::SignedDuration::ZERO),
                planned: o.kind == OutageKind::Planned,
            });
        }
        served
            .into_iter()
            .map(|(code, n)| {
                let list = hit.remove(&code).unwrap_or_default();
                let r = reliability(n, period_hours, &list);
                (
                    code,
                    n,
                    IndicesView {
                        interruptions: list.len(),
                        customer_interruptions: list.iter().map(|i| i.customers).sum(),
                        saifi: r.saifi,
                        saidi_hours: r.saidi_hours,
                        caidi_hours: r.caidi_hours,
                        asai: r.asai,
                    },
                )
            })
            .collect::<Vec<_>>()
    };
    let lang = griddesk_domain::values::Lang::default();
    let by_area_type = grouped(&|g| g.area_type.clone())
        .into_iter()
        .map(|(code, n, indices)| GroupIndicesView {
            name: griddesk_domain::topology::AreaType::parse(&code)
                .map(|a| a.label(lang).to_owned())
                .unwrap_or_else(|_| code.clone()),
            code,
            customers_served: n,
            indices,
        })
        .collect();
    let units: std::collections::HashMap<String, String> = state
        .store
        .list_org_units()
        .await?
        .into_iter()
        .map(|u| (u.code.to_string(), u.name))
        .collect();
    let by_unit = grouped(&|g| g.org_unit.clone())
        .into_iter()
        .map(|(code, n, indices)| GroupIndicesView {
            name: units.get(&code).cloned().unwrap_or_else(|| code.clone()),
            code,
            customers_served: n,
            indices,
        })
        .collect();
    Ok(Json(ReliabilityView {
        by_area_type,
        by_unit,
        from: from.to_string(),
        to: to.to_string(),
        customers_served: served,
        period_hours,
        commitment: URBAN_RELIABILITY_COMMITMENT,
        commitment_kept: all.asai >= URBAN_RELIABILITY_COMMITMENT,
        all,
        planned: indices(planned),
        unplanned: indices(unplanned),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DisconnectRequest {
    pub customer_no: String,
    /// When the written disconnection notice reached the customer (RFC 3339); disconnection is
    /// allowed only when the notice period (D6: 7 days) has passed.
    pub notice_served_at: String,
    /// Arrears and notice reference, shown on the outage.
    pub reason: String,
}

/// The minimum notice before an arrears disconnection (D6).
pub const ARREARS_NOTICE_DAYS: i64 = 7;

/// Disconnects a customer for arrears (欠费停电, kind 4), called by the collection work: refused
/// until the written notice has run its 7 days; records an arrears outage on the customer, out
/// from now.
#[utoipa::path(
    post, path = "/api/v1/arrears-disconnections", tag = TAG_OUTAGES,
    request_body = DisconnectRequest,
    responses(
        (status = 201, description = "Disconnected: the arrears outage", body = OutageView),
        (status = 400, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Notice period not over, or already disconnected", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn disconnect(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiJson(r): ApiJson<DisconnectRequest>,
) -> Result<Response, ApiError> {
    let no = CustomerNo::parse(&r.customer_no)?;
    let served = instant("notice_served_at", &r.notice_served_at)?;
    let now = time::now();
    if served > now {
        return Err(ApiError::invalid("notice_served_at", "lies in the future"));
    }
    if now.duration_since(served) < jiff::SignedDuration::from_hours(24 * ARREARS_NOTICE_DAYS) {
        return Err(ApiError::Unprocessable {
            field: "notice_served_at",
            detail: format!(
                "the notice must have been served at least {ARREARS_NOTICE_DAYS} days ago"
            ),
        });
    }
    if open_arrears(&state, &no).await?.is_some() {
        return Err(ApiError::Unprocessable {
            field: "customer_no",
            detail: "already disconnected for arrears".into(),
        });
    }
    let req = NewOutageRequest {
        kind: OutageKind::Arrears.code().to_owned(),
        title: format!("欠费停电 {no}"),
        cause: text("reason", &r.reason, 500, true)?,
        scope: ScopeRequest {
            substation: None,
            feeders: Vec::new(),
            areas: Vec::new(),
            customers: vec![no.to_string()],
        },
        start: Some(now.to_string()),
        eta: None,
    };
    let o = record_outage(&state, &auth.actor, &addr, &req).await?;
    let start = OutageActionRequest {
        action: OutageAction::Start.code().to_owned(),
        eta: None,
        note: Some(format!("停电通知已于 {} 送达", time::local_minute(served))),
    };
    let o = take_outage_step(&state, &auth.actor, &addr, o.id, o.version, &start).await?;
    let events = state.store.outage_events(o.id).await?;
    let v = outage_view(&o, &events, &state.config.notice);
    Ok(versioned(
        StatusCode::CREATED,
        o.version,
        format!("/api/v1/outages/{}", o.id),
        v,
    ))
}

/// The customer's arrears outage that is out now, if any.
async fn open_arrears(state: &AppState, no: &CustomerNo) -> Result<Option<Outage>, ApiError> {
    Ok(state
        .store
        .outages_of_customer(no)
        .await?
        .into_iter()
        .find(|o| o.kind == OutageKind::Arrears && o.status.is_out()))
}

/// Restores a customer disconnected for arrears, at once, when the bill is paid (D6).
#[utoipa::path(
    post, path = "/api/v1/arrears-disconnections/{customer_no}/restore", tag = TAG_OUTAGES,
    params(("customer_no" = String, Path, description = "Customer number (10 digits)")),
    responses(
        (status = 200, description = "Restored: the arrears outage", body = OutageView),
        (status = 404, description = "Not disconnected for arrears", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn restore_on_payment(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiPath(raw): ApiPath<String>,
) -> Result<Response, ApiError> {
    let no = CustomerNo::parse(&raw)?;
    let o = open_arrears(&state, &no).await?.ok_or(ApiError::NotFound {
        field: "customer_no",
        value: no.to_string(),
    })?;
    let r = OutageActionRequest {
        action: OutageAction::Restore.code().to_owned(),
        eta: None,
        note: Some("欠费已结清，恢复供电".to_owned()),
    };
    let o = take_outage_step(&state, &auth.actor, &addr, o.id, o.version, &r).await?;
    let events = state.store.outage_events(o.id).await?;
    let v = outage_view(&o, &events, &state.config.notice);
    Ok(versioned(
        StatusCode::OK,
        o.version,
        format!("/api/v1/outages/{}", o.id),
        v,
    ))
}
