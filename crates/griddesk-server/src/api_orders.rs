//! Work orders in the JSON API (D2): intake from every channel, with an Idempotency-Key so a
//! retried request creates nothing new; the order with its deadlines (green / yellow / red) and
//! history; lifecycle steps with If-Match, so a stale client gets 409 and changes nothing; the
//! queue; and the sweeper that escalates overdue orders to the supervisor.

use crate::auth::{Auth, ClientAddr};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::model::Label;
use crate::{AppState, scope, time};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use griddesk_domain::access::{Actor, AuditAction, AuditEntry, Scope};
use griddesk_domain::customer::TariffCategory;
use griddesk_domain::mask;
use griddesk_domain::sla::{Clock, CustomerContext, DeadlineKind, SlaState};
use griddesk_domain::topology::AreaType;
use griddesk_domain::values::{Code, CustomerNo, PhoneNumber};
use griddesk_domain::workorder::{
    Action, AppointmentKind, Channel, ContactKind, OrderState, OrderType, PauseReason, Status,
    TransitionError,
};
use griddesk_store::workorder::{
    Appointment, Booking, ContactRecord, NewWorkOrder, OrderEvent, OrderQuery, OrderUpdate,
    UpdateOutcome, WorkOrder,
};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub const TAG_ORDERS: &str = "work-orders";
pub use griddesk_domain::queue::GREEN_CHANNEL_TIER;

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewOrderRequest {
    pub order_type: OrderType,
    pub channel: Channel,
    /// The customer, when known (10 digits).
    pub customer_no: Option<String>,
    /// Who called or wrote (1-60 characters).
    pub contact_name: String,
    pub contact_phone: Option<String>,
    /// One line (1-200 characters).
    pub subject: String,
    /// The request in the customer's words (up to 4000 characters).
    #[serde(default)]
    pub description: String,
    /// Handling unit, when the order is dispatched at once.
    pub org_unit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineView {
    pub kind: Label,
    /// The deadline shifted by paused time; RFC 3339, Asia/Shanghai.
    pub due: String,
    pub met_at: Option<String>,
    pub escalated_at: Option<String>,
    pub state: Label,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub at: String,
    pub actor: String,
    pub actor_name: String,
    pub action: String,
    pub from: Option<Label>,
    pub to: Label,
    pub note: Option<String>,
    pub data: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderView {
    pub id: i64,
    pub order_type: Label,
    pub channel: Label,
    pub status: Label,
    pub customer_no: Option<String>,
    pub contact_name: String,
    /// Masked (D12).
    pub contact_phone: Option<String>,
    pub subject: String,
    pub description: String,
    /// First-contact owner (首问负责), kept through transfers.
    pub owner: String,
    pub owner_name: String,
    pub org_unit: Option<String>,
    /// Queue tier: 1 is served first.
    pub tier: u8,
    pub accepted_at: String,
    /// The SLA clock is paused (waiting on the customer).
    pub paused: bool,
    /// Paused time so far, in minutes.
    pub paused_minutes: i64,
    pub outage: Option<String>,
    /// The version to send back as If-Match.
    pub version: i64,
    /// The worst state of the open deadlines.
    pub sla: Label,
    pub deadlines: Vec<DeadlineView>,
    /// The history, oldest first (single-order reads only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<EventView>,
}

fn rfc(t: Timestamp) -> String {
    time::local_rfc3339(t)
}

/// The clock of one deadline of an order.
fn clock(o: &WorkOrder, due: Timestamp) -> Clock {
    Clock {
        started: o.accepted_at,
        due,
        paused: o.paused,
        paused_since: o.paused_since,
    }
}

pub fn order_view(
    state: &AppState,
    o: &WorkOrder,
    events: &[OrderEvent],
    now: Timestamp,
) -> OrderView {
    let policy = &state.config.rules.policy;
    let max = SignedDuration::from_hours(policy.max_pause_hours);
    let mut worst = SlaState::Green;
    let deadlines = o
        .deadlines
        .iter()
        .map(|d| {
            let c = clock(o, d.due);
            let s = c.state(now, d.met_at, policy);
            if d.met_at.is_none() && s > worst {
                worst = s;
            }
            DeadlineView {
                kind: Label::of(d.kind),
                due: rfc(c.effective_due(d.met_at.unwrap_or(now), max)),
                met_at: d.met_at.map(rfc),
                escalated_at: d.escalated_at.map(rfc),
                state: Label::of(s),
            }
        })
        .collect();
    let paused_now = clock(o, o.accepted_at).paused_at(now, max);
    OrderView {
        id: o.id,
        order_type: Label::of(o.order_type),
        channel: Label::of(o.channel),
        status: Label::of(o.status),
        customer_no: o.customer_no.as_ref().map(ToString::to_string),
        contact_name: o.contact_name.clone(),
        contact_phone: o.contact_phone.as_ref().map(mask::phone),
        subject: o.subject.clone(),
        description: o.description.clone(),
        owner: o.owner.clone(),
        owner_name: o.owner_name.clone(),
        org_unit: o.org_unit.as_ref().map(ToString::to_string),
        tier: o.tier,
        accepted_at: rfc(o.accepted_at),
        paused: o.paused_since.is_some(),
        paused_minutes: paused_now.as_secs() / 60,
        outage: o.outage.clone(),
        version: o.version,
        sla: Label::of(worst),
        deadlines,
        events: events
            .iter()
            .map(|e| EventView {
                at: rfc(e.at),
                actor: e.actor.clone(),
                actor_name: e.actor_name.clone(),
                action: e.action.clone(),
                from: e.from.map(Label::of),
                to: Label::of(e.to),
                note: e.note.clone(),
                data: e.data.clone(),
            })
            .collect(),
    }
}

fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// A versioned record's response: its ETag (the version, for If-Match) and its Location.
pub(crate) fn versioned<T: Serialize>(
    status: StatusCode,
    version: i64,
    location: String,
    body: T,
) -> Response {
    let loc = HeaderValue::from_str(&location).unwrap_or(HeaderValue::from_static("/api/v1"));
    (
        status,
        [(header::ETAG, etag(version)), (header::LOCATION, loc)],
        Json(body),
    )
        .into_response()
}

fn with_etag(status: StatusCode, v: OrderView) -> Response {
    versioned(
        status,
        v.version,
        format!("/api/v1/work-orders/{}", v.id),
        v,
    )
}

pub(crate) fn text(
    field: &'static str,
    raw: &str,
    max: usize,
    required: bool,
) -> Result<String, ApiError> {
    let t = raw.trim();
    let n = t.chars().count();
    if (required && n == 0) || n > max {
        let detail = if required {
            format!("give 1 to {max} characters")
        } else {
            format!("at most {max} characters")
        };
        return Err(ApiError::invalid(field, detail));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(ApiError::invalid(
            field,
            "control characters are not allowed",
        ));
    }
    Ok(t.to_owned())
}

/// Orders a caller may see: company-wide roles all; unit roles those of their units.
fn order_in_scope(scope: &Scope, o: &WorkOrder, actor: &Actor) -> bool {
    match scope {
        Scope::Company => true,
        Scope::Units(u) => {
            o.org_unit.as_ref().is_some_and(|c| u.contains(c)) || o.owner == actor.audit_id()
        }
        Scope::Own(no) => o.customer_no.as_ref() == Some(no),
        Scope::Nothing => false,
    }
}

pub async fn load_order(state: &AppState, actor: &Actor, id: i64) -> Result<WorkOrder, ApiError> {
    let o = state
        .store
        .work_order(id)
        .await?
        .ok_or(ApiError::NotFound {
            field: "id",
            value: id.to_string(),
        })?;
    if order_in_scope(&scope::scope_of(state, actor).await?, &o, actor) {
        Ok(o)
    } else {
        Err(ApiError::Forbidden(
            "this work order is handled by an organisation unit outside yours",
        ))
    }
}

fn idempotency_key(headers: &HeaderMap, actor: &Actor) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let k = v.to_str().unwrap_or_default().trim();
    if k.is_empty() || k.len() > 100 || !k.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid(
            "idempotency-key",
            "1 to 100 visible ASCII characters",
        ));
    }
    // Keys are the client's: one client's key never replays another's order.
    Ok(Some(format!("{}|{k}", actor.audit_id())))
}

/// Accepts a request as a work order (95598 phone, web, app/WeChat, SMS, e-mail, counter or
/// field). Deadlines are computed now from the service commitments and stored. With an
/// `Idempotency-Key`, a retried request returns the first order (200) and creates nothing.
#[utoipa::path(
    post, path = "/api/v1/work-orders", tag = TAG_ORDERS,
    request_body = NewOrderRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Client key making retries safe")),
    responses(
        (status = 201, description = "Accepted; ETag carries the version", body = OrderView),
        (status = 200, description = "Replay of an earlier request with the same Idempotency-Key", body = OrderView),
        (status = 400, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_order(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    ApiJson(r): ApiJson<NewOrderRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers, &auth.actor)?;
    let (o, created) = intake(&state, &auth.actor, &addr, &r, key).await?;
    let v = order_view(&state, &o, &[], time::now());
    Ok(with_etag(
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        v,
    ))
}

/// Accepts a request as a work order for `actor` (the API's and the console's intake): validates
/// it, computes the deadlines from the service commitments, stores the order, starts the
/// customer's contact record and audits. With a key already used, the first order and `false`.
pub async fn intake(
    state: &AppState,
    actor: &Actor,
    addr: &str,
    r: &NewOrderRequest,
    key: Option<String>,
) -> Result<(WorkOrder, bool), ApiError> {
    let contact_name = text("contact_name", &r.contact_name, 60, true)?;
    let subject = text("subject", &r.subject, 200, true)?;
    let description = text("description", &r.description, 4000, false)?;
    let contact_phone = r
        .contact_phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(PhoneNumber::parse)
        .transpose()?;
    let org_unit = r
        .org_unit
        .as_deref()
        .map(|u| Code::parse_field("org_unit", u))
        .transpose()?;
    let customer = match r
        .customer_no
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(raw) => {
            let no = CustomerNo::parse(raw)?;
            Some(scope::customer_for(state, actor, &no).await?)
        }
        None => None,
    };
    let ctx = customer.as_ref().map_or(
        CustomerContext {
            area_type: AreaType::Urban,
            tariff: TariffCategory::Residential,
            high_voltage: false,
            dual_supply: false,
        },
        |d| CustomerContext {
            area_type: d.customer.area_type,
            tariff: d.customer.tariff,
            high_voltage: d.customer.is_high_voltage(),
            dual_supply: d.customer.is_dual_supply(),
        },
    );
    let tier = crate::api_segment::service_tier(
        state.store.as_ref(),
        customer.as_ref().map(|d| &d.customer),
    )
    .await?;
    let now = time::now();
    let rules = &state.config.rules;
    let deadlines =
        rules
            .policy
            .deadlines(r.order_type, &ctx, now, time::shanghai(), &rules.calendar);
    let dispatched = org_unit.is_some();
    let first = OrderEvent {
        at: now,
        actor: actor.audit_id(),
        actor_name: actor.display_name(),
        action: if dispatched {
            "accept+dispatch"
        } else {
            "accept"
        }
        .to_owned(),
        from: None,
        to: if dispatched {
            Status::Dispatched
        } else {
            Status::Accepted
        },
        note: None,
        data: org_unit
            .as_ref()
            .map(|u| serde_json::json!({ "org_unit": u }).to_string()),
    };
    let new = NewWorkOrder {
        order_type: r.order_type,
        channel: r.channel,
        customer_no: customer.as_ref().map(|d| d.customer.customer_no.clone()),
        contact_name,
        contact_phone,
        subject,
        description,
        owner: actor.audit_id(),
        owner_name: actor.display_name(),
        org_unit,
        tier,
        accepted_at: now,
        idempotency_key: key,
        deadlines,
    };
    // The first person to take the request starts the contact record (D2); the order, that
    // contact and the audit entry are one write.
    let contact = new.customer_no.as_ref().map(|no| ContactRecord {
        customer_no: no.clone(),
        at: now,
        kind: new.channel.contact_kind(),
        inbound: true,
        actor: actor.audit_id(),
        actor_name: actor.display_name(),
        summary: format!(
            "{}: {}",
            new.order_type.label(Default::default()),
            new.subject
        ),
        order_id: None,
    });
    let audit = AuditEntry::new(
        actor,
        AuditAction::OrderCreated,
        "work_order",
        String::new(),
        addr,
        now,
    )
    .change(
        None,
        Some(
            serde_json::json!({
                "order_type": new.order_type, "channel": new.channel,
                "customer_no": new.customer_no, "status": first.to,
            })
            .to_string(),
        ),
    );
    let (o, created) = state
        .store
        .accept_work_order(&new, &first, contact.as_ref(), &audit)
        .await?;
    let o = if created && o.order_type == OrderType::FaultRepair {
        // The call is taken and stored whatever happens next: a failure to relate it to an
        // outage (the database busy under a storm of calls) leaves it an ordinary repair order
        // for the dispatcher, never an error to the agent who took it.
        let stored = o.clone();
        let related = match merge_into_known_outage(state, actor, addr, o).await {
            Ok(o) if o.status == Status::Merged => Ok(o),
            Ok(o) => crate::api_outages::infer_from_calls(state, addr, o).await,
            Err(e) => Err(e),
        };
        match related {
            Ok(o) => o,
            Err(e) => {
                tracing::warn!(order = stored.id, error = %e, "repair call not related to an outage");
                // As it is now: part of the relating may have been done.
                match state.store.work_order(stored.id).await {
                    Ok(Some(now)) => now,
                    _ => stored,
                }
            }
        }
    } else {
        o
    };
    Ok((o, created))
}

/// A repair call from a customer inside an outage that is out now joins that outage instead of
/// sending another crew (D3): the order is merged at once, with the outage in its history.
async fn merge_into_known_outage(
    state: &AppState,
    actor: &Actor,
    addr: &str,
    o: WorkOrder,
) -> Result<WorkOrder, ApiError> {
    let Some(no) = &o.customer_no else {
        return Ok(o);
    };
    let Some(out) = state
        .store
        .outages_of_customer(no)
        .await?
        .into_iter()
        .find(|x| x.status.is_out())
    else {
        return Ok(o);
    };
    merge_order(
        state,
        actor,
        addr,
        &o,
        out.id,
        &format!("已知停电 #{}：{}", out.id, out.title),
    )
    .await
}

/// Merges a repair order into an outage (the merge step, with a note).
pub async fn merge_order(
    state: &AppState,
    actor: &Actor,
    addr: &str,
    o: &WorkOrder,
    outage: i64,
    note: &str,
) -> Result<WorkOrder, ApiError> {
    let r = ActionRequest {
        action: "merge".to_owned(),
        note: Some(note.to_owned()),
        org_unit: None,
        satisfaction: None,
        reason: None,
        outage: Some(outage.to_string()),
        pause_reason: None,
        articles: Vec::new(),
    };
    let (merged, _) = take_step(state, actor, addr, o.id, o.version, &r).await?;
    Ok(merged)
}

/// One work order with its deadlines and history. The ETag is the version for If-Match.
#[utoipa::path(
    get, path = "/api/v1/work-orders/{id}", tag = TAG_ORDERS,
    params(("id" = i64, Path, description = "Work order id")),
    responses(
        (status = 200, description = "The order", body = OrderView),
        (status = 404, description = "No such order", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_order(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let o = load_order(&state, &auth.actor, id).await?;
    let events = state.store.work_order_events(id).await?;
    Ok(with_etag(
        StatusCode::OK,
        order_view(&state, &o, &events, time::now()),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// Only this customer's orders.
    pub customer_no: Option<String>,
    /// Include handled and closed orders.
    pub closed: Option<bool>,
    /// Only this status; `replied` lists the callback tasks (every handled order is called back).
    pub status: Option<Status>,
    /// Only the orders the caller owns as first contact (an agent's own queue).
    pub mine: Option<bool>,
    /// 1-200 (default 50).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderList {
    pub count: usize,
    pub items: Vec<OrderView>,
}

/// The queue: open orders the caller may see, green channel first, then by the earliest
/// deadline.
#[utoipa::path(
    get, path = "/api/v1/work-orders", tag = TAG_ORDERS,
    params(QueueParams),
    responses(
        (status = 200, description = "Orders in queue order", body = OrderList),
        (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_orders(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<QueueParams>,
) -> Result<Json<OrderList>, ApiError> {
    let limit = p.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("{limit} is out of range: 1 to 200"),
        ));
    }
    let customer_no = p
        .customer_no
        .as_deref()
        .map(CustomerNo::parse)
        .transpose()?;
    let org_units = match scope::scope_of(&state, &auth.actor).await? {
        Scope::Company => None,
        Scope::Units(u) => Some(u.into_iter().collect()),
        Scope::Own(_) | Scope::Nothing => Some(Vec::new()),
    };
    let q = OrderQuery {
        org_units,
        include_undispatched: false,
        customer_no,
        include_closed: p.closed.unwrap_or(false),
        status: p.status,
        owner: p.mine.unwrap_or(false).then(|| auth.actor.audit_id()),
        limit,
    };
    let now = time::now();
    let items: Vec<OrderView> = state
        .store
        .list_work_orders(&q)
        .await?
        .iter()
        .map(|o| order_view(&state, o, &[], now))
        .collect();
    Ok(Json(OrderList {
        count: items.len(),
        items,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionRequest {
    /// dispatch, acknowledge, arrive, handle, reply, callback, archive, transfer, escalate,
    /// merge, return, cancel, reopen, pause_sla, resume_sla.
    pub action: String,
    pub note: Option<String>,
    /// dispatch, transfer: the handling unit.
    pub org_unit: Option<String>,
    /// callback: satisfaction 1-5.
    pub satisfaction: Option<u8>,
    /// cancel, return, reopen: why.
    pub reason: Option<String>,
    /// merge: the outage the repair call belongs to.
    pub outage: Option<String>,
    /// pause_sla: what the order waits for.
    pub pause_reason: Option<PauseReason>,
    /// reply: knowledge-base articles attached to the answer (at most 5). The customer gets the
    /// one-time complete notice: the note followed by every article in full, by SMS to the
    /// order's contact phone, and the order keeps it.
    #[serde(default)]
    pub articles: Vec<i64>,
}

fn need<T>(v: Option<T>, field: &'static str, what: &str) -> Result<T, ApiError> {
    v.ok_or_else(|| ApiError::invalid(field, format!("required for {what}")))
}

pub(crate) fn if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    let raw = headers
        .get(header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?
        .to_str()
        .unwrap_or_default()
        .trim();
    raw.trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map_err(|_| ApiError::invalid("if-match", "send the ETag of the order, e.g. \"3\""))
}

/// Takes one lifecycle step. Requires If-Match with the version read; a stale version gets 409
/// and changes nothing; a step the order's state does not allow gets 422.
#[utoipa::path(
    post, path = "/api/v1/work-orders/{id}/actions", tag = TAG_ORDERS,
    params(
        ("id" = i64, Path, description = "Work order id"),
        ("If-Match" = String, Header, description = "The order's ETag"),
    ),
    request_body = ActionRequest,
    responses(
        (status = 200, description = "The order after the step", body = OrderView),
        (status = 400, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The order changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not allowed in the order's state", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn order_action(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<ActionRequest>,
) -> Result<Response, ApiError> {
    let expected = if_match(&headers)?;
    let (n, events) = take_step(&state, &auth.actor, &addr, id, expected, &r).await?;
    Ok(with_etag(
        StatusCode::OK,
        order_view(&state, &n, &events, time::now()),
    ))
}

/// Takes one lifecycle step of order `id` for `actor` (the API's and the console's): checks the
/// version read, the state machine and the service rules (a complaint is answered only after
/// the five steps, archived only after its responsibility is found), stores the step, audits
/// it. Returns the order after the step and its history.
pub async fn take_step(
    state: &AppState,
    actor: &Actor,
    addr: &str,
    id: i64,
    expected: i64,
    r: &ActionRequest,
) -> Result<(WorkOrder, Vec<OrderEvent>), ApiError> {
    let o = load_order(state, actor, id).await?;
    if o.version != expected {
        return Err(ApiError::Conflict { current: o.version });
    }
    let note = r
        .note
        .as_deref()
        .map(|n| text("note", n, 2000, false))
        .transpose()?
        .filter(|n| !n.is_empty());
    let unit = r
        .org_unit
        .as_deref()
        .map(|u| Code::parse_field("org_unit", u))
        .transpose()?;
    let action = match r.action.as_str() {
        "dispatch" => Action::Dispatch,
        "acknowledge" => Action::Acknowledge,
        "arrive" => Action::Arrive,
        "handle" => Action::Handle,
        "reply" => Action::Reply,
        "callback" => Action::Callback {
            satisfaction: need(r.satisfaction, "satisfaction", "a callback")?,
        },
        "archive" => Action::Archive,
        "transfer" => Action::Transfer,
        "escalate" => Action::Escalate,
        "merge" => Action::Merge,
        "return" => Action::Return,
        "cancel" => Action::Cancel,
        "reopen" => Action::Reopen,
        "pause_sla" => Action::PauseSla,
        "resume_sla" => Action::ResumeSla,
        other => {
            return Err(ApiError::invalid(
                "action",
                format!("unknown action {other:?}"),
            ));
        }
    };
    let mut data = serde_json::Map::new();
    match &action {
        Action::Dispatch | Action::Transfer => {
            let u = need(unit.clone(), "org_unit", r.action.as_str())?;
            data.insert("org_unit".into(), u.as_str().into());
        }
        Action::Callback { satisfaction } => {
            data.insert("satisfaction".into(), (*satisfaction).into());
        }
        Action::Cancel | Action::Return | Action::Reopen => {
            let reason = need(r.reason.as_deref(), "reason", r.action.as_str())?;
            data.insert("reason".into(), text("reason", reason, 500, true)?.into());
        }
        Action::Merge => {
            let outage = need(r.outage.as_deref(), "outage", "a merge")?;
            data.insert("outage".into(), text("outage", outage, 64, true)?.into());
        }
        Action::PauseSla => {
            let why = need(r.pause_reason, "pause_reason", "a pause")?;
            data.insert("pause_reason".into(), why.code().into());
        }
        _ => {}
    }
    let notice = if r.articles.is_empty() {
        None
    } else if action != Action::Reply {
        return Err(ApiError::invalid(
            "articles",
            "articles are attached to a reply",
        ));
    } else {
        let n = one_time_notice(state, note.as_deref(), &r.articles).await?;
        data.insert("articles".into(), n.articles.clone());
        data.insert("notice".into(), n.text.clone().into());
        Some(n.text)
    };
    if o.order_type == OrderType::Complaint && matches!(action, Action::Reply | Action::Archive) {
        let c = state.store.complaint(id).await?;
        let ready = if action == Action::Reply {
            c.ready_to_reply()
        } else {
            c.ready_to_archive()
        };
        ready.map_err(|e| ApiError::Unprocessable {
            field: "complaint",
            detail: e.to_string(),
        })?;
    }
    let now = time::now();
    let outage = match action {
        Action::Merge => r.outage.clone(),
        _ => o.outage.clone(),
    };
    let (update, event) = plan_step(
        &o,
        actor,
        &action,
        StepInput {
            unit,
            outage,
            note,
            data,
        },
        &state.config.rules.policy,
        now,
    )?;
    match state
        .store
        .update_work_order(id, expected, &update, &event)
        .await?
    {
        UpdateOutcome::Updated(n) => {
            state
                .store
                .append_audit(&step_audit(actor, addr, &o, &action, n.status, now))
                .await?;
            if let Some(text) = notice {
                send_notice(state, actor, &n, text, now).await?;
            }
            let events = state.store.work_order_events(id).await?;
            Ok((n, events))
        }
        UpdateOutcome::Conflict(current) => Err(ApiError::Conflict {
            current: current.version,
        }),
        UpdateOutcome::NotFound => Err(ApiError::NotFound {
            field: "id",
            value: id.to_string(),
        }),
    }
}

/// What a step changes besides its action, as the request gave it.
struct StepInput {
    /// The handling unit a dispatch or transfer sends the order to.
    unit: Option<Code>,
    /// The outage the order belongs to after the step.
    outage: Option<String>,
    note: Option<String>,
    /// The event's data (what the step was given).
    data: serde_json::Map<String, serde_json::Value>,
}

/// A step on an order as read: its update and event, or why the order's state does not allow
/// it. Pure, so a step can be planned for a write that carries several (fault inference).
fn plan_step(
    o: &WorkOrder,
    actor: &Actor,
    action: &Action,
    input: StepInput,
    policy: &griddesk_domain::sla::SlaPolicy,
    now: Timestamp,
) -> Result<(OrderUpdate, OrderEvent), ApiError> {
    let StepInput {
        unit,
        outage,
        note,
        mut data,
    } = input;
    let before = OrderState {
        order_type: o.order_type,
        status: o.status,
        arrived: o.arrived,
        paused: o.paused_since.is_some(),
    };
    let after = before.apply(action).map_err(|e| ApiError::Unprocessable {
        field: match e {
            TransitionError::Score(_) => "satisfaction",
            _ => "action",
        },
        detail: e.to_string(),
    })?;
    let mut paused = o.paused;
    let mut paused_since = o.paused_since;
    if !before.paused && after.paused {
        paused_since = Some(now);
    } else if before.paused && !after.paused {
        // Resumed, or the step closed the order: the pause ends now.
        let mut c = clock(o, o.accepted_at);
        let lasted = c.resume(now);
        paused = c
            .paused
            .min(SignedDuration::from_hours(policy.max_pause_hours));
        paused_since = None;
        if lasted > SignedDuration::ZERO {
            data.insert("paused_minutes".into(), (lasted.as_secs() / 60).into());
        }
    }
    // Which commitments this step keeps.
    let met: Vec<DeadlineKind> = match action {
        Action::Arrive => vec![DeadlineKind::Arrival],
        // The handling unit's acknowledgement is its first contact with a complainant.
        Action::Acknowledge => vec![DeadlineKind::Contact],
        Action::Handle if o.order_type != OrderType::FaultRepair => vec![DeadlineKind::Contact],
        Action::Reply => vec![
            DeadlineKind::Contact,
            DeadlineKind::Reply,
            DeadlineKind::SupplyPlan,
        ],
        _ => Vec::new(),
    };
    let update = OrderUpdate {
        status: after.status,
        arrived: after.arrived,
        paused_since,
        paused,
        org_unit: match action {
            Action::Dispatch | Action::Transfer => unit,
            _ => o.org_unit.clone(),
        },
        outage,
        met: met.into_iter().map(|k| (k, now)).collect(),
    };
    let event = OrderEvent {
        at: now,
        actor: actor.audit_id(),
        actor_name: actor.display_name(),
        action: action.code().to_owned(),
        from: Some(o.status),
        to: after.status,
        note,
        data: (!data.is_empty()).then(|| serde_json::Value::Object(data).to_string()),
    };
    Ok((update, event))
}

/// The audit entry of a step that took an order (as read) to `to`.
fn step_audit(
    actor: &Actor,
    addr: &str,
    o: &WorkOrder,
    action: &Action,
    to: Status,
    now: Timestamp,
) -> AuditEntry {
    AuditEntry::new(
        actor,
        AuditAction::OrderAction,
        "work_order",
        o.id.to_string(),
        addr,
        now,
    )
    .reason(action.code())
    .change(
        Some(serde_json::json!({"status": o.status, "version": o.version}).to_string()),
        Some(serde_json::json!({"status": to, "version": o.version + 1}).to_string()),
    )
}

/// Merging `o` (as read) into an outage, as one change of a write that carries several: the
/// order's update and event, and its audit entry. Fails as `take_step` would when the order's
/// state does not allow a merge.
pub fn merge_change(
    state: &AppState,
    actor: &Actor,
    addr: &str,
    o: &WorkOrder,
    outage: i64,
    note: &str,
    now: Timestamp,
) -> Result<griddesk_store::outage::OrderChange, ApiError> {
    let mut data = serde_json::Map::new();
    data.insert("outage".into(), outage.to_string().into());
    let (update, event) = plan_step(
        o,
        actor,
        &Action::Merge,
        StepInput {
            unit: None,
            outage: Some(outage.to_string()),
            note: Some(text("note", note, 2000, false)?),
            data,
        },
        &state.config.rules.policy,
        now,
    )?;
    let audit = step_audit(actor, addr, o, &Action::Merge, update.status, now);
    Ok(griddesk_store::outage::OrderChange {
        id: o.id,
        expected_version: o.version,
        update,
        event,
        audit,
    })
}

/// The one-time complete notice of a reply and the articles it was made of.
struct Notice {
    text: String,
    /// [{id, version, title}] as the order's event records them.
    articles: serde_json::Value,
}

async fn one_time_notice(
    state: &AppState,
    answer: Option<&str>,
    ids: &[i64],
) -> Result<Notice, ApiError> {
    if ids.len() > griddesk_domain::knowledge::MAX_ATTACHED {
        return Err(ApiError::invalid(
            "articles",
            format!(
                "at most {} articles",
                griddesk_domain::knowledge::MAX_ATTACHED
            ),
        ));
    }
    let mut found = Vec::new();
    for id in ids {
        if found
            .iter()
            .any(|a: &griddesk_store::knowledge::Article| a.id == *id)
        {
            continue;
        }
        let a =
            state.store.article(*id).await?.ok_or_else(|| {
                ApiError::invalid("articles", format!("article {id} does not exist"))
            })?;
        found.push(a);
    }
    let parts: Vec<(&str, &str)> = found
        .iter()
        .map(|a| (a.draft.title.as_str(), a.draft.body.as_str()))
        .collect();
    Ok(Notice {
        text: griddesk_domain::knowledge::compose_notice(answer, &parts),
        articles: found
            .iter()
            .map(|a| serde_json::json!({"id": a.id, "version": a.version, "title": a.draft.title}))
            .collect(),
    })
}

/// Sends a reply's notice to the order's contact phone and logs it on the customer's timeline.
/// A failed delivery is logged, not an error: the reply is stored and the agent sees the
/// notice on the order, to read out or resend.
async fn send_notice(
    state: &AppState,
    actor: &Actor,
    o: &WorkOrder,
    text: String,
    now: Timestamp,
) -> Result<(), ApiError> {
    let Some(phone) = &o.contact_phone else {
        return Ok(());
    };
    let n = crate::notify::Notification {
        key: format!("order-{}-{}", o.id, now.as_microsecond()),
        at: now.to_string(),
        channel: "sms",
        to: phone.to_string(),
        customer_no: o
            .customer_no
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        text: format!("【{}】{text}", state.config.company_name),
    };
    if let Err(e) = state.notifier.send(&n).await {
        tracing::error!(error = %e, order = o.id, "one-time notice not delivered");
        return Ok(());
    }
    if let Some(no) = &o.customer_no {
        state
            .store
            .add_contact(&ContactRecord {
                customer_no: no.clone(),
                at: now,
                kind: griddesk_domain::workorder::ContactKind::Sms,
                inbound: false,
                actor: actor.audit_id(),
                actor_name: actor.display_name(),
                summary: format!("一次性告知: {}", o.subject),
                order_id: Some(o.id),
            })
            .await?;
    }
    Ok(())
}

/// Escalates every overdue deadline once: an `escalate` event on the order, addressed to the
/// supervisor, and an audit record. Safe with several server instances: a deadline is marked
/// escalated by one conditional update, so only one instance records it. Returns how many.
pub async fn sweep_overdue(state: &AppState, now: Timestamp) -> Result<usize, ApiError> {
    let sweeper = Actor::System {
        name: "sla-sweeper".to_owned(),
    };
    let mut n = 0;
    for (id, kind) in state.store.overdue_deadlines(now, 500).await? {
        let Some(o) = state.store.work_order(id).await? else {
            continue;
        };
        let e = OrderEvent {
            at: now,
            actor: sweeper.audit_id(),
            actor_name: "SLA".to_owned(),
            action: "escalate".to_owned(),
            from: Some(o.status),
            to: o.status,
            note: None,
            data: Some(serde_json::json!({"deadline": kind, "to": "supervisor"}).to_string()),
        };
        if state.store.mark_escalated(id, kind, &e).await? {
            n += 1;
            let a = AuditEntry::new(
                &sweeper,
                AuditAction::OrderAction,
                "work_order",
                id.to_string(),
                "server",
                now,
            )
            .reason(format!(
                "{} overdue: escalated to the supervisor",
                kind.code()
            ));
            state.store.append_audit(&a).await?;
        }
    }
    Ok(n)
}

/// The lease that makes one instance the sweeper.
pub const SWEEPER_LEASE: &str = "sla-sweeper";

/// What one tick of the sweeper did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sweep {
    /// This instance holds the sweeper lease and escalated this many deadlines.
    Swept(usize),
    /// Another instance holds the lease; nothing done.
    NotLeader,
}

/// One tick of the sweeper: with several instances on one database, only the holder of the
/// sweeper lease sweeps. The lease lasts `lease` and is renewed by every tick of its holder, so
/// when that instance dies another takes over once the lease has run out.
pub async fn sweep_tick(
    state: &AppState,
    now: Timestamp,
    lease: SignedDuration,
) -> Result<Sweep, ApiError> {
    let until = griddesk_domain::sla::plus(now, lease);
    if !state
        .store
        .try_lease(SWEEPER_LEASE, &state.instance, now, until)
        .await?
    {
        return Ok(Sweep::NotLeader);
    }
    Ok(Sweep::Swept(sweep_overdue(state, now).await?))
}

/// Runs the sweeper every `every` until the process ends.
pub fn spawn_sweeper(state: AppState, every: std::time::Duration) {
    // Three missed ticks lose the lease.
    let lease = SignedDuration::try_from(every * 3).unwrap_or(SignedDuration::from_mins(2));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match sweep_tick(&state, time::now(), lease).await {
                Ok(Sweep::Swept(0) | Sweep::NotLeader) => {}
                Ok(Sweep::Swept(n)) => {
                    tracing::info!(escalated = n, "overdue work orders escalated")
                }
                Err(e) => tracing::error!(error = %e, "SLA sweep failed"),
            }
        }
    });
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewContactRequest {
    pub kind: ContactKind,
    /// The customer reached out (default) or the company did.
    #[serde(default = "yes")]
    pub inbound: bool,
    /// What was said or done (1-1000 characters).
    pub summary: String,
    /// The work order it concerns, if any.
    pub order_id: Option<i64>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactView {
    pub at: String,
    pub kind: Label,
    pub inbound: bool,
    pub actor: String,
    pub actor_name: String,
    pub summary: String,
    pub order_id: Option<i64>,
}

impl From<&ContactRecord> for ContactView {
    fn from(c: &ContactRecord) -> Self {
        ContactView {
            at: rfc(c.at),
            kind: Label::of(c.kind),
            inbound: c.inbound,
            actor: c.actor.clone(),
            actor_name: c.actor_name.clone(),
            summary: c.summary.clone(),
            order_id: c.order_id,
        }
    }
}

/// Logs an interaction (call, visit, SMS, e-mail, counter) on the customer's timeline.
#[utoipa::path(
    post, path = "/api/v1/customers/{customer_no}/contacts", tag = TAG_ORDERS,
    params(("customer_no" = String, Path, description = "Customer number (10 digits)")),
    request_body = NewContactRequest,
    responses(
        (status = 201, description = "Logged", body = ContactView),
        (status = 400, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn add_contact(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(raw): ApiPath<String>,
    ApiJson(r): ApiJson<NewContactRequest>,
) -> Result<Response, ApiError> {
    let no = CustomerNo::parse(&raw)?;
    scope::customer_for(&state, &auth.actor, &no).await?;
    let c = ContactRecord {
        customer_no: no,
        at: time::now(),
        kind: r.kind,
        inbound: r.inbound,
        actor: auth.actor.audit_id(),
        actor_name: auth.actor.display_name(),
        summary: text("summary", &r.summary, 1000, true)?,
        order_id: r.order_id,
    };
    state.store.add_contact(&c).await?;
    Ok((StatusCode::CREATED, Json(ContactView::from(&c))).into_response())
}

/// The customer's contact timeline, newest first (up to 200).
#[utoipa::path(
    get, path = "/api/v1/customers/{customer_no}/contacts", tag = TAG_ORDERS,
    params(("customer_no" = String, Path, description = "Customer number (10 digits)")),
    responses((status = 200, description = "Contacts, newest first", body = Vec<ContactView>))
)]
pub async fn contacts(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<Vec<ContactView>>, ApiError> {
    let no = CustomerNo::parse(&raw)?;
    scope::customer_for(&state, &auth.actor, &no).await?;
    let rows = state.store.contacts(&no, 200).await?;
    Ok(Json(rows.iter().map(ContactView::from).collect()))
}

/// Appointments a crew or hall takes in one slot at a time (overlapping bookings).
pub const APPOINTMENT_CAPACITY: u32 = 2;

#[derive(Debug, Deserialize, ToSchema)]
pub struct BookRequest {
    /// The crew's or hall's unit.
    pub org_unit: String,
    pub kind: AppointmentKind,
    /// Start, RFC 3339 (e.g. 2026-11-24T09:00:00+08:00).
    pub starts_at: String,
    /// Length in minutes, 15-480 (default 120).
    pub minutes: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentView {
    pub id: i64,
    pub order_id: i64,
    pub org_unit: String,
    pub kind: Label,
    pub starts_at: String,
    pub ends_at: String,
    pub booked_by: String,
}

impl From<&Appointment> for AppointmentView {
    fn from(a: &Appointment) -> Self {
        AppointmentView {
            id: a.id,
            order_id: a.order_id,
            org_unit: a.org_unit.to_string(),
            kind: Label::of(a.kind),
            starts_at: rfc(a.starts_at),
            ends_at: rfc(a.ends_at),
            booked_by: a.booked_by.clone(),
        }
    }
}

/// Books a time slot for the order with a crew or business hall (服务预约). Deadlines that
/// would fall before the booked time move to its end: the customer chose it. 409 when the
/// unit's slot is full.
#[utoipa::path(
    post, path = "/api/v1/work-orders/{id}/appointments", tag = TAG_ORDERS,
    params(("id" = i64, Path, description = "Work order id")),
    request_body = BookRequest,
    responses(
        (status = 201, description = "Booked", body = AppointmentView),
        (status = 400, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slot is full", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn book(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<BookRequest>,
) -> Result<Response, ApiError> {
    let o = load_order(&state, &auth.actor, id).await?;
    if !o.status.is_open() {
        return Err(ApiError::Unprocessable {
            field: "id",
            detail: format!("the order is {}", o.status),
        });
    }
    let unit = Code::parse_field("org_unit", &r.org_unit)?;
    let starts: Timestamp = r
        .starts_at
        .trim()
        .parse::<jiff::Zoned>()
        .map(|z| z.timestamp())
        .or_else(|_| r.starts_at.trim().parse::<Timestamp>())
        .map_err(|_| {
            ApiError::invalid("starts_at", "use RFC 3339, e.g. 2026-11-24T09:00:00+08:00")
        })?;
    let now = time::now();
    if starts < now {
        return Err(ApiError::invalid("starts_at", "the slot is in the past"));
    }
    let minutes = r.minutes.unwrap_or(120);
    if !(15..=480).contains(&minutes) {
        return Err(ApiError::invalid(
            "minutes",
            format!("{minutes} is out of range: 15 to 480"),
        ));
    }
    let a = Appointment {
        id: 0,
        order_id: id,
        org_unit: unit.clone(),
        kind: r.kind,
        starts_at: starts,
        ends_at: griddesk_domain::sla::plus(starts, SignedDuration::from_mins(minutes)),
        booked_by: auth.actor.audit_id(),
        cancelled: false,
    };
    let e = OrderEvent {
        at: now,
        actor: auth.actor.audit_id(),
        actor_name: auth.actor.display_name(),
        action: "appointment".to_owned(),
        from: Some(o.status),
        to: o.status,
        note: None,
        data: Some(
            serde_json::json!({"org_unit": unit, "kind": r.kind, "starts_at": rfc(a.starts_at), "ends_at": rfc(a.ends_at)})
                .to_string(),
        ),
    };
    match state
        .store
        .book_appointment(&a, APPOINTMENT_CAPACITY, &e)
        .await?
    {
        Booking::Booked(b) => {
            Ok((StatusCode::CREATED, Json(AppointmentView::from(&b))).into_response())
        }
        Booking::Full => Err(ApiError::Unprocessable {
            field: "starts_at",
            detail: "this unit is fully booked at that time; choose another slot".to_owned(),
        }),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScheduleParams {
    /// The day, YYYY-MM-DD in Asia/Shanghai (default today).
    pub date: Option<String>,
}

/// A crew's or hall's appointments of one day.
#[utoipa::path(
    get, path = "/api/v1/org-units/{code}/schedule", tag = TAG_ORDERS,
    params(("code" = String, Path, description = "Organisation unit code"), ScheduleParams),
    responses(
        (status = 200, description = "Appointments by start", body = Vec<AppointmentView>),
        (status = 400, description = "Invalid date", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn schedule(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(raw): ApiPath<String>,
    ApiQuery(p): ApiQuery<ScheduleParams>,
) -> Result<Json<Vec<AppointmentView>>, ApiError> {
    let unit = Code::parse_field("code", &raw)?;
    match scope::scope_of(&state, &auth.actor).await? {
        Scope::Company => {}
        Scope::Units(u) if u.contains(&unit) => {}
        _ => return Err(ApiError::Forbidden("this unit is outside yours")),
    }
    let day: jiff::civil::Date = match p.date.as_deref() {
        Some(d) => d
            .trim()
            .parse()
            .map_err(|_| ApiError::invalid("date", "use YYYY-MM-DD"))?,
        None => time::today(),
    };
    let start = day
        .to_zoned(time::shanghai().clone())
        .map_err(|_| ApiError::invalid("date", "out of range"))?;
    let end = start
        .tomorrow()
        .map_err(|_| ApiError::invalid("date", "out of range"))?;
    let rows = state
        .store
        .schedule(&unit, start.timestamp(), end.timestamp())
        .await?;
    Ok(Json(rows.iter().map(AppointmentView::from).collect()))
}
