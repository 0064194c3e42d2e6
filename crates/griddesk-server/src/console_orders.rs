//! Console pages of the 95598 centre (D2), a child module of the console:
//!
//! - the agent workbench: the incoming-call screen (look a caller up by phone or customer
//!   number: customer summary, open orders, recent contacts, known outages), the new-order form,
//!   the agent's own queue with live countdowns, the agent's presence and the callbacks due;
//! - the queue and the order page with its deadlines, history, the steps the state machine
//!   allows now, the complaint record (cause, five steps, responsibility finding) and photos;
//! - the dispatcher board by handling unit, the crew view for phones, the complaint ledger.
//!
//! Every form posts to a console route that calls the same functions as the JSON API
//! (`api_orders::intake`, `api_orders::take_step`, `api_service::*`), then redirects (303) back.

use super::{ConsoleError, Ctx, label, page};
use crate::api_orders::{self, ActionRequest, NewOrderRequest, OrderView, order_view};
use crate::api_service;
use crate::auth::ClientAddr;
use crate::error::ApiError;
use crate::i18n::T;
use crate::{AppState, scope, time};
use axum::extract::rejection::PathRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use griddesk_domain::access::{Permission, Scope};
use griddesk_domain::complaint::{Cause, Responsibility, Step};
use griddesk_domain::mask;
use griddesk_domain::queue::AgentStatus;
use griddesk_domain::search::SearchQuery;
use griddesk_domain::workorder::{Action, Channel, OrderState, OrderType, PauseReason, Status};
use griddesk_store::CustomerFilter;
use griddesk_store::workorder::{OrderQuery, WorkOrder};
use maud::{Markup, html};
use serde::Deserialize;

type PageResult = Result<Markup, ConsoleError>;

pub(super) fn fail(ctx: &Ctx) -> impl Fn(ApiError) -> ConsoleError + '_ {
    move |e| ConsoleError::from_api(ctx, e, T::NotFoundTitle)
}

/// The numeric id of a console path (`/console/orders/{id}` and the like).
pub(super) fn path_id(
    ctx: &Ctx,
    path: Result<Path<i64>, PathRejection>,
) -> Result<i64, ConsoleError> {
    path.map(|p| p.0)
        .map_err(|e| fail(ctx)(ApiError::invalid("id", e.body_text())))
}

pub(super) fn auth_of(ctx: &Ctx) -> Result<crate::auth::Auth, ConsoleError> {
    ctx.auth
        .clone()
        .ok_or_else(|| fail(ctx)(ApiError::Unauthenticated))
}

fn sla_badge(ctx: &Ctx, l: &crate::model::Label) -> Markup {
    let class = match l.code {
        "red" => "badge badge-danger",
        "yellow" => "badge badge-warn",
        _ => "badge badge-ok",
    };
    html! { span class=(class) data-sla=(l.code) { (label(ctx, l)) } }
}

/// A countdown to `due` (RFC 3339) that app.js keeps ticking; the server renders its first value.
fn countdown(ctx: &Ctx, due: &str) -> Markup {
    let left = due
        .parse::<jiff::Zoned>()
        .map(|z| z.timestamp().duration_since(time::now()).as_secs())
        .unwrap_or(0);
    let text = crate::i18n::countdown(ctx.lang, left);
    html! {
        span.countdown.mono data-due=(due) data-overdue=(ctx.t(T::Overdue)) data-left=(ctx.t(T::TimeLeft)) { (text) }
    }
}

/// The first open deadline of an order, for queues.
fn next_due(o: &OrderView) -> Option<&api_orders::DeadlineView> {
    o.deadlines.iter().find(|d| d.met_at.is_none())
}

fn tier_badge(ctx: &Ctx, tier: u8) -> Markup {
    html! {
        @if tier == api_orders::GREEN_CHANNEL_TIER {
            span.badge.badge-important { (ctx.t(T::GreenChannel)) }
        } @else { span.badge { (tier) } }
    }
}

/// Only paths of the console are followed after a form (never an open redirect).
fn back_to(back: Option<&str>, default: String) -> String {
    match back {
        Some(b) if b.starts_with("/console/") && !b.contains("//") && !b.contains('\\') => {
            b.to_owned()
        }
        _ => default,
    }
}

fn orders_table(ctx: &Ctx, orders: &[OrderView], id: &str) -> Markup {
    html! {
        @if orders.is_empty() { p.hint { (ctx.t(T::NoData)) } } @else {
            div.table-wrap { table.table id=(id) {
                thead { tr {
                    th { (ctx.t(T::OrderNo)) } th { (ctx.t(T::OrderSla)) } th { (ctx.t(T::OrderTier)) }
                    th { (ctx.t(T::OrderType)) } th { (ctx.t(T::OrderSubject)) } th { (ctx.t(T::CustomerNo)) }
                    th { (ctx.t(T::OrderStatus)) } th { (ctx.t(T::OrderDue)) } th { (ctx.t(T::OrderUnit)) }
                } }
                tbody { @for o in orders { tr data-order=(o.id) {
                    td.mono { a href=(format!("/console/orders/{}", o.id)) { (o.id) } }
                    td { (sla_badge(ctx, &o.sla)) }
                    td { (tier_badge(ctx, o.tier)) }
                    td { (label(ctx, &o.order_type)) }
                    td { (o.subject) }
                    td.mono { @if let Some(no) = &o.customer_no { a href=(format!("/console/customers/{no}")) { (no) } } }
                    td { (label(ctx, &o.status)) @if o.paused { " · " (ctx.t(T::OrderPaused)) } }
                    td { @if let Some(d) = next_due(o) { span.mono { (d.due.replace('T', " ").get(..16).unwrap_or_default()) } br; (countdown(ctx, &d.due)) } }
                    td.mono { (o.org_unit.clone().unwrap_or_default()) }
                } } }
            } }
        }
    }
}

async fn scoped_units(
    state: &AppState,
    ctx: &Ctx,
) -> Result<Option<Vec<griddesk_domain::values::Code>>, ConsoleError> {
    let auth = auth_of(ctx)?;
    Ok(
        match scope::scope_of(state, &auth.actor)
            .await
            .map_err(fail(ctx))?
        {
            Scope::Company => None,
            Scope::Units(u) => Some(u.into_iter().collect()),
            Scope::Own(_) | Scope::Nothing => Some(Vec::new()),
        },
    )
}

async fn views(
    state: &AppState,
    ctx: &Ctx,
    q: &OrderQuery,
) -> Result<Vec<OrderView>, ConsoleError> {
    let now = time::now();
    Ok(state
        .store
        .list_work_orders(q)
        .await
        .map_err(|e| fail(ctx)(e.into()))?
        .iter()
        .map(|o| order_view(state, o, &[], now))
        .collect())
}

#[derive(Debug, Default, Deserialize)]
pub struct QueueParams {
    /// `mine` (own queue), `callbacks` (replied orders to call back), or all open orders.
    view: Option<String>,
}

/// GET /console/orders
pub async fn queue(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let p: QueueParams =
        crate::extract::parse_query(uri.query().unwrap_or_default()).map_err(fail(&ctx))?;
    let auth = auth_of(&ctx)?;
    let view = p.view.as_deref().unwrap_or("all");
    let mut q = OrderQuery {
        org_units: scoped_units(&state, &ctx).await?,
        limit: 200,
        ..Default::default()
    };
    match view {
        "mine" => q.owner = Some(auth.actor.audit_id()),
        "callbacks" => q.status = Some(Status::Replied),
        _ => {}
    }
    let orders = views(&state, &ctx, &q).await?;
    let tab = |key: &str, t: T| {
        html! { a.tab.active[view == key] href=(format!("/console/orders?view={key}")) { (ctx.t(t)) } }
    };
    let body = html! {
        section.card {
            h1 { (ctx.t(T::OrdersTitle)) }
            p.lead { (ctx.t(T::OrdersLead)) }
            nav.tabs { (tab("all", T::QueueAll)) (tab("mine", T::QueueMine)) (tab("callbacks", T::QueueCallbacks)) }
            (orders_table(&ctx, &orders, "orders-table"))
        }
    };
    Ok(page(&ctx, ctx.t(T::OrdersTitle), false, body))
}

/// The steps the state machine allows an order now (the forms the order page offers).
fn allowed(o: &WorkOrder) -> Vec<Action> {
    let s = OrderState {
        order_type: o.order_type,
        status: o.status,
        arrived: o.arrived,
        paused: o.paused_since.is_some(),
    };
    [
        Action::Dispatch,
        Action::Acknowledge,
        Action::Arrive,
        Action::Handle,
        Action::Reply,
        Action::Callback { satisfaction: 5 },
        Action::Archive,
        Action::Transfer,
        Action::Escalate,
        Action::Merge,
        Action::Return,
        Action::Cancel,
        Action::Reopen,
        Action::PauseSla,
        Action::ResumeSla,
    ]
    .into_iter()
    .filter(|a| s.apply(a).is_ok())
    .collect()
}

fn action_label(ctx: &Ctx, a: &Action) -> &'static str {
    ctx.t(match a {
        Action::Dispatch => T::ActDispatch,
        Action::Acknowledge => T::ActAcknowledge,
        Action::Arrive => T::ActArrive,
        Action::Handle => T::ActHandle,
        Action::Reply => T::ActReply,
        Action::Callback { .. } => T::ActCallback,
        Action::Archive => T::ActArchive,
        Action::Transfer => T::ActTransfer,
        Action::Escalate => T::ActEscalate,
        Action::Merge => T::ActMerge,
        Action::Return => T::ActReturn,
        Action::Cancel => T::ActCancel,
        Action::Reopen => T::ActReopen,
        Action::PauseSla => T::ActPause,
        Action::ResumeSla => T::ActResume,
    })
}

fn unit_select(
    ctx: &Ctx,
    units: &[griddesk_domain::org::OrgUnit],
    name: &str,
    required: bool,
) -> Markup {
    html! {
        select name=(name) required[required] {
            @if !required { option value="" { (ctx.t(T::NotYet)) } }
            @for u in units { option value=(u.code) { (u.name) " (" (u.code) ")" } }
        }
    }
}

/// One form per step the order allows now.
fn action_forms(
    ctx: &Ctx,
    o: &WorkOrder,
    units: &[griddesk_domain::org::OrgUnit],
    back: Option<&str>,
    reply_picker: Option<&Markup>,
) -> Markup {
    let actions = allowed(o);
    html! {
        div.actions #order-actions {
            @for a in &actions {
                form.action-form method="post" action=(format!("/console/orders/{}/actions", o.id)) data-action=(a.code()) id=(format!("action-{}", a.code())) {
                    input type="hidden" name="csrf" value=(ctx.csrf());
                    input type="hidden" name="version" value=(o.version);
                    input type="hidden" name="action" value=(a.code());
                    @if let Some(b) = back { input type="hidden" name="back" value=(b); }
                    @match a {
                        Action::Dispatch | Action::Transfer => {
                            label.field { span.field-label { (ctx.t(T::OrderUnit)) } (unit_select(ctx, units, "org_unit", true)) }
                        }
                        Action::Callback { .. } => {
                            label.field { span.field-label { (ctx.t(T::Satisfaction)) }
                                select name="satisfaction" required {
                                    @for n in (1..=5).rev() { option value=(n) { (n) } }
                                }
                            }
                        }
                        Action::Cancel | Action::Return | Action::Reopen => {
                            label.field { span.field-label { (ctx.t(T::Reason)) } input type="text" name="reason" required maxlength="500"; }
                        }
                        Action::PauseSla => {
                            label.field { span.field-label { (ctx.t(T::PauseReason)) }
                                select name="pause_reason" required {
                                    @for r in PauseReason::ALL { option value=(r.code()) { (r.label(ctx.lang)) } }
                                }
                            }
                        }
                        Action::Merge => {
                            label.field { span.field-label { (ctx.t(T::Outage)) } input type="text" name="outage" required maxlength="64"; }
                        }
                        Action::Reply => {
                            @if let Some(p) = reply_picker { (p) }
                        }
                        _ => {}
                    }
                    label.field.grow { span.field-label { (ctx.t(T::Note)) } input type="text" name="note" maxlength="2000"; }
                    button.btn type="submit" { (action_label(ctx, a)) }
                }
            }
        }
    }
}

fn complaint_panel(ctx: &Ctx, o: &WorkOrder, c: &api_service::ComplaintView) -> Markup {
    let csrf = ctx.csrf();
    let may_find = ctx.may(Permission::ComplaintFinding);
    let may_write = ctx.may(Permission::OrderWrite);
    html! {
        section.card #complaint {
            h2 { (ctx.t(T::ComplaintRecord)) }
            @if !c.ready_to_reply { p.hint #complaint-blocking { (ctx.t(T::ComplaintReplyRule)) } }
            table.kv {
                tr { th { (ctx.t(T::ComplaintCause)) } td #complaint-cause { @if let Some(l) = &c.cause { (label(ctx, l)) } @else { span.muted { (ctx.t(T::NotYet)) } } } }
            }
            @if may_write {
                form.inline-form method="post" action=(format!("/console/orders/{}/complaint", o.id)) {
                    input type="hidden" name="csrf" value=(csrf);
                    select name="cause" required {
                        @for cause in Cause::ALL { option value=(cause.code()) selected[c.cause.as_ref().is_some_and(|l| l.code == cause.code())] { (cause.label(ctx.lang)) } }
                    }
                    button.btn.btn-secondary type="submit" { (ctx.t(T::Save)) }
                }
            }
            h3 { (ctx.t(T::FiveSteps)) }
            ol.steps {
                @for step in Step::ALL {
                    @let rec = c.steps.iter().find(|s| s.step.code == step.code());
                    li.step.done[rec.is_some()] data-step=(step.code()) {
                        strong { (step.label(ctx.lang)) }
                        @if let Some(r) = rec { " · " span { (r.note) } " " span.muted { (r.actor_name) " " (r.at.replace('T', " ").get(..16).unwrap_or_default()) } }
                        @if may_write {
                            form.inline-form method="post" action=(format!("/console/orders/{}/complaint", o.id)) {
                                input type="hidden" name="csrf" value=(csrf);
                                input type="hidden" name="step" value=(step.code());
                                input type="text" name="note" required maxlength="1000" placeholder=(ctx.t(T::StepNoteHint));
                                button.btn.btn-secondary type="submit" { (ctx.t(T::Record)) }
                            }
                        }
                    }
                }
            }
            h3 { (ctx.t(T::Responsibility)) }
            @if let Some(f) = &c.finding {
                p #complaint-finding { (label(ctx, &f.responsibility)) @if let Some(u) = &f.unit { " · " (u) } " · " (f.note) " " span.muted { (f.actor_name) } }
            } @else { p.muted { (ctx.t(T::NotYet)) } }
            @if may_find {
                form.inline-form method="post" action=(format!("/console/orders/{}/finding", o.id)) {
                    input type="hidden" name="csrf" value=(csrf);
                    select name="responsibility" required {
                        @for r in Responsibility::ALL { option value=(r.code()) { (r.label(ctx.lang)) } }
                    }
                    input type="text" name="unit" maxlength="40" placeholder=(ctx.t(T::ResponsibleUnit)) value=(o.org_unit.as_ref().map(|u| u.to_string()).unwrap_or_default());
                    input type="text" name="note" maxlength="2000" placeholder=(ctx.t(T::Note));
                    button.btn.btn-secondary type="submit" { (ctx.t(T::Record)) }
                }
            }
        }
    }
}

fn attachments_panel(ctx: &Ctx, o: &WorkOrder, list: &[api_service::AttachmentView]) -> Markup {
    html! {
        section.card #attachments {
            h2 { (ctx.t(T::Photos)) }
            @if list.is_empty() { p.muted { (ctx.t(T::NoData)) } }
            div.photos {
                @for a in list {
                    figure.photo {
                        @if a.content_type.starts_with("image/") {
                            a href=(a.href) { img src=(a.href) alt=(a.file_name) loading="lazy"; }
                        } @else { a href=(a.href) { (a.file_name) } }
                        figcaption { (a.note.clone().unwrap_or_default()) " " span.muted { (a.actor_name) " " (a.at.replace('T', " ").get(..16).unwrap_or_default()) } }
                    }
                }
            }
            @if ctx.may(Permission::OrderWrite) { (photo_input(ctx, o.id)) }
        }
    }
}

/// A photo picker that app.js shrinks and uploads to the order's attachments.
fn photo_input(ctx: &Ctx, id: i64) -> Markup {
    html! {
        div.photo-upload data-upload=(format!("/api/v1/work-orders/{id}/attachments")) data-csrf=(ctx.csrf()) {
            label.btn.btn-secondary {
                (ctx.t(T::AddPhoto))
                input.visually-hidden type="file" accept="image/*" capture="environment" data-photo;
            }
            input type="text" data-photo-note maxlength="500" placeholder=(ctx.t(T::PhotoNoteHint));
            span.muted data-photo-status {}
        }
    }
}

/// GET /console/orders/{id}
pub async fn order(
    State(state): State<AppState>,
    ctx: Ctx,
    path: Result<Path<i64>, PathRejection>,
) -> PageResult {
    let f = fail(&ctx);
    let id = path_id(&ctx, path)?;
    let auth = auth_of(&ctx)?;
    let o = api_orders::load_order(&state, &auth.actor, id)
        .await
        .map_err(&f)?;
    let events = state
        .store
        .work_order_events(id)
        .await
        .map_err(|e| f(e.into()))?;
    let v = order_view(&state, &o, &events, time::now());
    let units = state
        .store
        .list_org_units()
        .await
        .map_err(|e| f(e.into()))?;
    let complaint = if o.order_type == OrderType::Complaint {
        let c = state.store.complaint(id).await.map_err(|e| f(e.into()))?;
        Some(api_service::complaint_view(id, o.version, &c))
    } else {
        None
    };
    let attachments: Vec<api_service::AttachmentView> = state
        .store
        .attachments(id)
        .await
        .map_err(|e| f(e.into()))?
        .iter()
        .map(api_service::AttachmentView::from)
        .collect();
    let picker = if allowed(&o).contains(&Action::Reply) {
        let text = format!("{} {}", o.subject, o.description);
        Some(
            super::knowledge::reply_picker(&state, &ctx, "action-reply", o.order_type, &text)
                .await?,
        )
    } else {
        None
    };
    let body = html! {
        nav.breadcrumb { a href="/console/orders" { (ctx.t(T::OrdersTitle)) } span.sep { "/" } span { (v.id) } }
        section.card {
            h1 { (label(&ctx, &v.order_type)) " · " (v.subject) }
            div.badges { (sla_badge(&ctx, &v.sla)) span.badge #order-status data-status=(v.status.code) { (label(&ctx, &v.status)) } (tier_badge(&ctx, v.tier)) @if v.paused { span.badge.badge-warn { (ctx.t(T::OrderPaused)) } } }
            table.kv {
                tr { th { (ctx.t(T::OrderNo)) } td.mono { (v.id) } }
                tr { th { (ctx.t(T::CustomerNo)) } td.mono { @if let Some(no) = &v.customer_no { a href=(format!("/console/customers/{no}")) { (no) } } } }
                tr { th { (ctx.t(T::OrderContact)) } td { (v.contact_name) " " (v.contact_phone.clone().unwrap_or_default()) } }
                tr { th { (ctx.t(T::OrderChannel)) } td { (label(&ctx, &v.channel)) } }
                tr { th { (ctx.t(T::OrderOwner)) } td { (v.owner_name) } }
                tr { th { (ctx.t(T::OrderUnit)) } td.mono { (v.org_unit.clone().unwrap_or_default()) } }
                tr { th { (ctx.t(T::OrderAccepted)) } td.mono { (v.accepted_at.replace('T', " ")) } }
            }
            @if !v.description.is_empty() { p { (v.description) } }
        }
        @if ctx.may(Permission::OrderWrite) && !allowed(&o).is_empty() {
            section.card {
                h2 { (ctx.t(T::NextSteps)) }
                (action_forms(&ctx, &o, &units, None, picker.as_ref()))
            }
        }
        @if let Some(c) = &complaint { (complaint_panel(&ctx, &o, c)) }
        div.grid-2 {
            section.card {
                h2 { (ctx.t(T::OrderDeadlines)) }
                table.table #deadlines { tbody { @for d in &v.deadlines { tr {
                    td { (label(&ctx, &d.kind)) } td.mono { (d.due.replace('T', " ")) }
                    td { (sla_badge(&ctx, &d.state)) }
                    td { @if d.met_at.is_none() { (countdown(&ctx, &d.due)) } @else { span.muted { (ctx.t(T::Met)) } } }
                } } } }
            }
            (attachments_panel(&ctx, &o, &attachments))
        }
        section.card {
            h2 { (ctx.t(T::OrderHistory)) }
            div.table-wrap { table.table #history { tbody { @for e in &v.events { tr {
                td.mono { (e.at.replace('T', " ")) } td { (e.actor_name) } td.mono { (e.action) }
                td { (label(&ctx, &e.to)) }
                td {
                    (e.note.clone().unwrap_or_default())
                    @if let Some(n) = notice_of(e) { details.notice open { summary { (ctx.t(T::KbNotice)) } pre.kb-text { (n) } } }
                }
            } } } } }
        }
    };
    Ok(page(&ctx, ctx.t(T::OrdersTitle), false, body))
}

/// The one-time complete notice a reply carried, from its event data.
fn notice_of(e: &api_orders::EventView) -> Option<String> {
    let d: serde_json::Value = serde_json::from_str(e.data.as_deref()?).ok()?;
    d.get("notice")?.as_str().map(str::to_owned)
}

fn opt(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    version: i64,
    action: String,
    note: Option<String>,
    org_unit: Option<String>,
    satisfaction: Option<String>,
    reason: Option<String>,
    outage: Option<String>,
    pause_reason: Option<String>,
    back: Option<String>,
}

/// POST /console/orders/{id}/actions
pub async fn post_action(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    path: Result<Path<i64>, PathRejection>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, ConsoleError> {
    let f = fail(&ctx);
    let id = path_id(&ctx, path)?;
    let auth = auth_of(&ctx)?;
    // Checkboxes repeat `articles`; the other fields are single.
    let articles = fields
        .iter()
        .filter(|(k, _)| k == "articles")
        .map(|(_, v)| {
            v.parse::<i64>()
                .map_err(|_| ApiError::invalid("articles", "article ids are numbers"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(&f)?;
    let single: Vec<&(String, String)> = fields.iter().filter(|(k, _)| k != "articles").collect();
    let form: ActionForm = serde_urlencoded::to_string(&single)
        .ok()
        .and_then(|q| serde_urlencoded::from_str(&q).ok())
        .ok_or_else(|| {
            f(ApiError::invalid(
                "action",
                "version and action are required",
            ))
        })?;
    let satisfaction = opt(&form.satisfaction)
        .map(|s| {
            s.parse::<u8>()
                .map_err(|_| ApiError::invalid("satisfaction", "1 to 5"))
        })
        .transpose()
        .map_err(&f)?;
    let pause_reason = opt(&form.pause_reason)
        .map(|s| PauseReason::parse(&s).map_err(ApiError::from))
        .transpose()
        .map_err(&f)?;
    let r = ActionRequest {
        action: form.action.clone(),
        note: opt(&form.note),
        org_unit: opt(&form.org_unit),
        satisfaction,
        reason: opt(&form.reason),
        outage: opt(&form.outage),
        pause_reason,
        articles,
    };
    api_orders::take_step(&state, &auth.actor, &addr, id, form.version, &r)
        .await
        .map_err(&f)?;
    Ok(Redirect::to(&back_to(
        form.back.as_deref(),
        format!("/console/orders/{id}"),
    ))
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct ComplaintForm {
    cause: Option<String>,
    step: Option<String>,
    note: Option<String>,
}

/// POST /console/orders/{id}/complaint: the cause, or one of the five steps.
pub async fn post_complaint(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    path: Result<Path<i64>, PathRejection>,
    Form(form): Form<ComplaintForm>,
) -> Result<Response, ConsoleError> {
    let f = fail(&ctx);
    let id = path_id(&ctx, path)?;
    let auth = auth_of(&ctx)?;
    if let Some(step) = opt(&form.step) {
        let step = Step::parse(&step).map_err(|e| f(e.into()))?;
        api_service::record_step(
            &state,
            &auth.actor,
            &addr,
            id,
            step,
            &form.note.unwrap_or_default(),
        )
        .await
        .map_err(&f)?;
    } else {
        let cause = Cause::parse(&opt(&form.cause).unwrap_or_default()).map_err(|e| f(e.into()))?;
        api_service::set_cause(&state, &auth.actor, &addr, id, cause)
            .await
            .map_err(&f)?;
    }
    Ok(Redirect::to(&format!("/console/orders/{id}#complaint")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct FindingForm {
    responsibility: String,
    unit: Option<String>,
    note: Option<String>,
}

/// POST /console/orders/{id}/finding
pub async fn post_finding(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    path: Result<Path<i64>, PathRejection>,
    Form(form): Form<FindingForm>,
) -> Result<Response, ConsoleError> {
    let f = fail(&ctx);
    let id = path_id(&ctx, path)?;
    let auth = auth_of(&ctx)?;
    let r = api_service::FindingRequest {
        responsibility: Responsibility::parse(&form.responsibility).map_err(|e| f(e.into()))?,
        unit: opt(&form.unit),
        note: form.note.unwrap_or_default(),
    };
    let unit_given = r.unit.is_some();
    let r = if r.responsibility == Responsibility::NotResponsible && unit_given {
        // The form prefills the handling unit; a "not responsible" finding names none.
        api_service::FindingRequest { unit: None, ..r }
    } else {
        r
    };
    api_service::record_finding(&state, &auth.actor, &addr, id, &r)
        .await
        .map_err(&f)?;
    Ok(Redirect::to(&format!("/console/orders/{id}#complaint")).into_response())
}

/// The customer 360 page's work orders (newest first, closed ones too) and contact timeline.
pub fn customer_service_panels(
    ctx: &Ctx,
    customer_no: &str,
    orders: &[OrderView],
    contacts: &[griddesk_store::workorder::ContactRecord],
) -> Markup {
    html! {
        div.grid-2 {
            section.card #work-orders {
                h2 { (ctx.t(T::WorkOrders)) }
                @if ctx.may(Permission::OrderWrite) {
                    p { a.btn.btn-secondary href=(format!("/console/workbench?q={customer_no}")) { (ctx.t(T::NewOrder)) } }
                }
                @if orders.is_empty() { p.muted { (ctx.t(T::NoData)) } } @else {
                    table.table { tbody { @for o in orders { tr {
                        td.mono { a href=(format!("/console/orders/{}", o.id)) { (o.id) } }
                        td.mono { (o.accepted_at.replace('T', " ").get(..16).unwrap_or_default()) }
                        td { (label(ctx, &o.order_type)) } td { (o.subject) }
                        td { (label(ctx, &o.status)) } td { (sla_badge(ctx, &o.sla)) }
                    } } } }
                }
            }
            section.card #contacts {
                h2 { (ctx.t(T::RecentContacts)) }
                @if contacts.is_empty() { p.muted { (ctx.t(T::NoData)) } } @else {
                    table.table { tbody { @for k in contacts { tr {
                        td.mono { (time::local_minute(k.at)) }
                        td { (k.kind.label(ctx.lang)) @if !k.inbound { " ↗" } }
                        td { (k.actor_name) } td { (k.summary) }
                    } } } }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The agent workbench

#[derive(Debug, Default, Deserialize)]
pub struct LookupParams {
    q: Option<String>,
}

/// GET /console/workbench
pub async fn workbench(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    uri: Uri,
) -> PageResult {
    let p: LookupParams =
        crate::extract::parse_query(uri.query().unwrap_or_default()).map_err(fail(&ctx))?;
    let auth = auth_of(&ctx)?;
    let q = opt(&p.q);
    let panel = lookup_panel(&state, &ctx, &addr, q.as_deref()).await?;
    let mine = views(
        &state,
        &ctx,
        &OrderQuery {
            owner: Some(auth.actor.audit_id()),
            limit: 50,
            ..Default::default()
        },
    )
    .await?;
    let now = time::now();
    let callbacks: Vec<api_service::CallbackView> = state
        .store
        .open_callbacks(50)
        .await
        .map_err(|e| fail(&ctx)(e.into()))?
        .iter()
        .map(|c| api_service::callback_view(c, now))
        .collect();
    let me = auth.actor.staff_login().map(ToString::to_string);
    let presence = match &me {
        Some(login) => state
            .store
            .presence()
            .await
            .map_err(|e| fail(&ctx)(e.into()))?
            .into_iter()
            .find(|p| &p.login == login)
            .map(|p| p.status),
        None => None,
    };
    let body = html! {
        section.card.workbench-head {
            h1 { (ctx.t(T::WorkbenchTitle)) }
            p.lead { (ctx.t(T::WorkbenchLead)) }
            @if me.is_some() {
                form.inline-form #presence method="post" action="/console/presence" {
                    input type="hidden" name="csrf" value=(ctx.csrf());
                    span.field-label { (ctx.t(T::Presence)) ": " }
                    strong #presence-status { (presence.unwrap_or(AgentStatus::Offline).label(ctx.lang)) }
                    @for s in [AgentStatus::Available, AgentStatus::Away, AgentStatus::Offline] {
                        button.btn.btn-secondary type="submit" name="status" value=(s.code()) { (s.label(ctx.lang)) }
                    }
                }
            }
            form.search-form #call-lookup method="get" action="/console/workbench"
                hx-get="/console/workbench/lookup" hx-target="#call-panel" hx-push-url="false" {
                input.search-input type="search" name="q" value=(q.clone().unwrap_or_default()) autofocus
                    placeholder=(ctx.t(T::CallLookupHint)) aria-label=(ctx.t(T::CallLookupHint));
                button.btn type="submit" { (ctx.t(T::SearchButton)) }
            }
        }
        div #call-panel { (panel) }
        div.grid-2 {
            section.card {
                h2 { (ctx.t(T::QueueMine)) }
                (orders_table(&ctx, &mine, "my-orders"))
            }
            section.card {
                h2 { (ctx.t(T::CallbacksDue)) }
                @if callbacks.is_empty() { p.hint { (ctx.t(T::NoData)) } } @else {
                    table.table #callbacks { tbody { @for c in &callbacks { tr {
                        td { (sla_badge(&ctx, &c.sla)) } td.mono { (c.phone) }
                        td.mono { @if let Some(no) = &c.customer_no { a href=(format!("/console/workbench?q={no}")) { (no) } } }
                        td { (countdown(&ctx, &c.due)) }
                        td { form.inline-form method="post" action=(format!("/console/callbacks/{}/done", c.id)) {
                            input type="hidden" name="csrf" value=(ctx.csrf());
                            input type="text" name="note" maxlength="1000" placeholder=(ctx.t(T::Note));
                            button.btn.btn-secondary type="submit" { (ctx.t(T::CallbackDone)) }
                        } }
                    } } } }
                }
            }
        }
    };
    Ok(page(&ctx, ctx.t(T::WorkbenchTitle), false, body))
}

/// GET /console/workbench/lookup (htmx fragment of the workbench)
pub async fn lookup(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    uri: Uri,
) -> PageResult {
    let p: LookupParams =
        crate::extract::parse_query(uri.query().unwrap_or_default()).map_err(fail(&ctx))?;
    lookup_panel(&state, &ctx, &addr, opt(&p.q).as_deref()).await
}

/// The incoming-call panel for what the agent typed: a phone number or a customer number (or
/// nothing yet). Shows the customer, their open orders and contacts, and the new-order form.
async fn lookup_panel(state: &AppState, ctx: &Ctx, addr: &str, q: Option<&str>) -> PageResult {
    let f = fail(ctx);
    let auth = auth_of(ctx)?;
    let units = state
        .store
        .list_org_units()
        .await
        .map_err(|e| f(e.into()))?;
    let Some(q) = q else {
        return Ok(new_order_form(ctx, None, None, &units));
    };
    let query = SearchQuery::parse(q).map_err(|e| f(e.into()))?;
    let (caller_phone, hits) = match &query {
        SearchQuery::CustomerNo(_) | SearchQuery::Phone(_) => {
            let phone = match &query {
                SearchQuery::Phone(p) => Some(p.clone()),
                _ => None,
            };
            let filter = CustomerFilter {
                within_units: match scope::scope_of(state, &auth.actor).await.map_err(&f)? {
                    Scope::Company => None,
                    Scope::Units(u) => Some(u.into_iter().collect()),
                    _ => Some(Vec::new()),
                },
                ..Default::default()
            };
            let hits = state
                .store
                .search_customers(Some(&query), &filter, 20)
                .await
                .map_err(|e| f(e.into()))?;
            (phone, hits)
        }
        SearchQuery::Text(_) => {
            return Err(f(ApiError::invalid(
                "q",
                "give the caller's phone number or a 10-digit customer number",
            )));
        }
    };
    let phone_text = caller_phone.as_ref().map(|p| p.to_string());
    if hits.len() != 1 {
        return Ok(html! {
            section.card #caller {
                @if hits.is_empty() { p #caller-unknown { (ctx.t(T::CallerUnknown)) } } @else {
                    p { (ctx.t(T::CallerSeveral)) }
                    ul #caller-choices { @for h in &hits { li { a href=(format!("/console/workbench?q={}", h.customer_no)) { span.mono { (h.customer_no) } " " (h.name) " · " (mask::address(&h.address)) } } } }
                }
            }
            (new_order_form(ctx, None, phone_text.as_deref(), &units))
        });
    }
    let no = hits[0].customer_no.clone();
    let detail = scope::customer_for(state, &auth.actor, &no)
        .await
        .map_err(&f)?;
    let reveal = scope::default_reveal(state, &auth, &detail, addr)
        .await
        .map_err(&f)?;
    let v = crate::model::CustomerView::from_detail(&detail, reveal);
    let tier = crate::api_segment::service_tier(state.store.as_ref(), Some(&detail.customer))
        .await
        .map_err(&f)?;
    let open = views(
        state,
        ctx,
        &OrderQuery {
            customer_no: Some(no.clone()),
            limit: 20,
            ..Default::default()
        },
    )
    .await?;
    let contacts = state
        .store
        .contacts(&no, 5)
        .await
        .map_err(|e| f(e.into()))?;
    let outages = crate::api_outages::customer_outages(state, &no)
        .await
        .map_err(&f)?;
    let c = &v.classification;
    Ok(html! {
        section.card #caller data-customer=(v.customer_no) {
            div.caller-head {
                h2 { a href=(format!("/console/customers/{}", v.customer_no)) { span.mono { (v.customer_no) } " " (v.name) } }
                div.badges {
                    (tier_badge(ctx, tier))
                    span.badge { (label(ctx, &c.tariff)) }
                    @if c.important_grade.code != "none" { span.badge.badge-important { (ctx.t(T::ImportantGrade)) ": " (label(ctx, &c.important_grade)) } }
                }
            }
            div.grid-3 {
                div {
                    h3 { (ctx.t(T::Address)) }
                    p { (v.address) }
                    p.muted #caller-topology {
                        (v.org_unit.name) " · " (v.topology.substation_name) " → " (v.topology.feeder_name)
                        @if let Some(a) = &v.topology.area_name { " → " (a) }
                    }
                }
                div {
                    h3 { (ctx.t(T::OpenOrders)) }
                    @if open.is_empty() { p.muted { (ctx.t(T::NoData)) } }
                    ul #caller-orders { @for o in &open { li { a href=(format!("/console/orders/{}", o.id)) { (o.id) } " " (label(ctx, &o.order_type)) " · " (o.subject) " " (sla_badge(ctx, &o.sla)) } } }
                }
                div {
                    h3 { (ctx.t(T::KnownOutages)) }
                    (super::outage_list(ctx, "caller-outages", &outages))
                    h3 { (ctx.t(T::RecentContacts)) }
                    ul { @for k in &contacts { li { span.mono { (time::local_minute(k.at)) } " " (k.kind.label(ctx.lang)) " · " (k.summary) } } }
                }
            }
        }
        (new_order_form(ctx, Some(&v.customer_no), phone_text.as_deref(), &units))
    })
}

fn new_order_form(
    ctx: &Ctx,
    customer_no: Option<&str>,
    phone: Option<&str>,
    units: &[griddesk_domain::org::OrgUnit],
) -> Markup {
    // The key makes a double submission of this form one order, not two.
    let key = crate::auth::random_secret();
    html! {
        section.card #new-order {
            h2 { (ctx.t(T::NewOrder)) }
            form.order-form #new-order-form method="post" action="/console/orders" {
                input type="hidden" name="csrf" value=(ctx.csrf());
                input type="hidden" name="idempotency_key" value=(key.get(..24).unwrap_or_default());
                div.form-grid {
                    label.field { span.field-label { (ctx.t(T::CustomerNo)) }
                        input type="text" name="customer_no" value=(customer_no.unwrap_or_default()) maxlength="10" inputmode="numeric"; }
                    label.field { span.field-label { (ctx.t(T::OrderType)) }
                        select name="order_type" required data-kb="1" {
                            @for t in OrderType::ALL { option value=(t.code()) { (t.label(ctx.lang)) } }
                        }
                    }
                    label.field { span.field-label { (ctx.t(T::OrderChannel)) }
                        select name="channel" required {
                            @for c in Channel::ALL { option value=(c.code()) { (c.label(ctx.lang)) } }
                        }
                    }
                    label.field { span.field-label { (ctx.t(T::OrderContact)) }
                        input type="text" name="contact_name" required maxlength="60"; }
                    label.field { span.field-label { (ctx.t(T::ContactPhone)) }
                        input type="tel" name="contact_phone" value=(phone.unwrap_or_default()) maxlength="20"; }
                    label.field { span.field-label { (ctx.t(T::DispatchTo)) } (unit_select(ctx, units, "org_unit", false)) }
                }
                label.field { span.field-label { (ctx.t(T::OrderSubject)) }
                    input type="text" name="subject" required maxlength="200" data-kb="1"; }
                label.field { span.field-label { (ctx.t(T::Request)) }
                    textarea name="description" rows="3" maxlength="4000" data-kb="1" {} }
                button.btn type="submit" #submit-order { (ctx.t(T::AcceptOrder)) }
            }
            (super::knowledge::suggest_box(ctx, "new-order-form-kb", false, None))
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct NewOrderForm {
    order_type: String,
    channel: String,
    customer_no: Option<String>,
    contact_name: String,
    contact_phone: Option<String>,
    subject: String,
    description: Option<String>,
    org_unit: Option<String>,
    idempotency_key: Option<String>,
}

/// POST /console/orders: the new-order form.
pub async fn post_order(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<NewOrderForm>,
) -> Result<Response, ConsoleError> {
    let f = fail(&ctx);
    let auth = auth_of(&ctx)?;
    let r = NewOrderRequest {
        order_type: OrderType::parse(&form.order_type).map_err(|e| f(e.into()))?,
        channel: Channel::parse(&form.channel).map_err(|e| f(e.into()))?,
        customer_no: opt(&form.customer_no),
        contact_name: form.contact_name,
        contact_phone: opt(&form.contact_phone),
        subject: form.subject,
        description: form.description.unwrap_or_default(),
        org_unit: opt(&form.org_unit),
    };
    let key = opt(&form.idempotency_key)
        .filter(|k| k.len() <= 100 && k.bytes().all(|b| b.is_ascii_alphanumeric()))
        .map(|k| format!("{}|console-{k}", auth.actor.audit_id()));
    let (o, _) = api_orders::intake(&state, &auth.actor, &addr, &r, key)
        .await
        .map_err(&f)?;
    Ok(Redirect::to(&format!("/console/orders/{}", o.id)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct PresenceForm {
    status: String,
    /// Whose presence (default: the caller's own; others need gateway or supervisor rights).
    login: Option<String>,
}

/// POST /console/presence: the agent's own presence.
pub async fn post_presence(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<PresenceForm>,
) -> Result<Response, ConsoleError> {
    let f = fail(&ctx);
    let auth = auth_of(&ctx)?;
    let login = match opt(&form.login) {
        Some(l) => {
            griddesk_domain::values::Code::parse_field("login", &l).map_err(|e| f(e.into()))?
        }
        None => auth
            .actor
            .staff_login()
            .cloned()
            .ok_or_else(|| f(ApiError::invalid("login", "whose presence?")))?,
    };
    let status = AgentStatus::parse(&form.status).map_err(|e| f(e.into()))?;
    api_service::set_presence(&state, &auth.actor, &login, status)
        .await
        .map_err(&f)?;
    Ok(Redirect::to("/console/workbench").into_response())
}

#[derive(Debug, Deserialize)]
pub struct CallbackForm {
    note: Option<String>,
}

/// POST /console/callbacks/{id}/done
pub async fn post_callback_done(
    State(state): State<AppState>,
    ctx: Ctx,
    path: Result<Path<i64>, PathRejection>,
    Form(form): Form<CallbackForm>,
) -> Result<Response, ConsoleError> {
    let f = fail(&ctx);
    let id = path_id(&ctx, path)?;
    let auth = auth_of(&ctx)?;
    api_service::complete_callback(&state, &auth.actor, id, &form.note.unwrap_or_default())
        .await
        .map_err(&f)?;
    Ok(Redirect::to("/console/workbench").into_response())
}

// ---------------------------------------------------------------------------------------------
// Dispatcher board and crew view

/// GET /console/dispatch: undispatched orders with a dispatch form, then every handling unit's
/// open orders.
pub async fn dispatch_board(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let f = fail(&ctx);
    let units = state
        .store
        .list_org_units()
        .await
        .map_err(|e| f(e.into()))?;
    let orders = views(
        &state,
        &ctx,
        &OrderQuery {
            org_units: scoped_units(&state, &ctx).await?,
            include_undispatched: true,
            limit: 500,
            ..Default::default()
        },
    )
    .await?;
    let raw: Vec<WorkOrder> = {
        let mut v = Vec::new();
        for o in orders.iter().filter(|o| o.org_unit.is_none()) {
            if let Some(w) = state
                .store
                .work_order(o.id)
                .await
                .map_err(|e| f(e.into()))?
            {
                v.push(w);
            }
        }
        v
    };
    let mut by_unit: std::collections::BTreeMap<String, Vec<&OrderView>> = Default::default();
    for o in orders.iter().filter(|o| o.org_unit.is_some()) {
        by_unit
            .entry(o.org_unit.clone().unwrap_or_default())
            .or_default()
            .push(o);
    }
    let unit_name = |code: &str| {
        units
            .iter()
            .find(|u| u.code.as_str() == code)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| code.to_owned())
    };
    let may_write = ctx.may(Permission::OrderWrite);
    let body = html! {
        section.card {
            h1 { (ctx.t(T::DispatchTitle)) }
            p.lead { (ctx.t(T::DispatchLead)) }
        }
        section.card #undispatched {
            h2 { (ctx.t(T::Undispatched)) " (" (raw.len()) ")" }
            @if raw.is_empty() { p.hint { (ctx.t(T::NoData)) } }
            @for o in &raw {
                @let v = orders.iter().find(|v| v.id == o.id);
                div.board-card data-order=(o.id) {
                    div {
                        a.mono href=(format!("/console/orders/{}", o.id)) { (o.id) } " "
                        @if let Some(v) = v { (label(&ctx, &v.order_type)) " · " (v.subject) " " (sla_badge(&ctx, &v.sla)) " " (tier_badge(&ctx, v.tier))
                            @if let Some(d) = next_due(v) { " " (countdown(&ctx, &d.due)) } }
                    }
                    @if may_write && o.status == Status::Accepted { (action_dispatch_only(&ctx, o, &units)) }
                }
            }
        }
        div.board {
            @for (code, list) in &by_unit {
                section.card.board-column data-unit=(code) {
                    h2 { (unit_name(code)) " (" (list.len()) ")" }
                    @for o in list {
                        div.board-card {
                            a.mono href=(format!("/console/orders/{}", o.id)) { (o.id) } " " (label(&ctx, &o.order_type)) " · " (o.subject)
                            div { (sla_badge(&ctx, &o.sla)) " " span.badge { (label(&ctx, &o.status)) } @if let Some(d) = next_due(o) { " " (countdown(&ctx, &d.due)) } }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&ctx, ctx.t(T::DispatchTitle), false, body))
}

fn action_dispatch_only(
    ctx: &Ctx,
    o: &WorkOrder,
    units: &[griddesk_domain::org::OrgUnit],
) -> Markup {
    html! {
        form.inline-form method="post" action=(format!("/console/orders/{}/actions", o.id)) {
            input type="hidden" name="csrf" value=(ctx.csrf());
            input type="hidden" name="version" value=(o.version);
            input type="hidden" name="action" value="dispatch";
            input type="hidden" name="back" value="/console/dispatch";
            (unit_select(ctx, units, "org_unit", true))
            button.btn type="submit" { (ctx.t(T::ActDispatch)) }
        }
    }
}

/// GET /console/crew: the crew's open orders as cards with big buttons, for a phone.
pub async fn crew(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let f = fail(&ctx);
    let units = scoped_units(&state, &ctx).await?;
    let list = state
        .store
        .list_work_orders(&OrderQuery {
            org_units: units,
            limit: 100,
            ..Default::default()
        })
        .await
        .map_err(|e| f(e.into()))?;
    let now = time::now();
    let crew_steps = [Action::Acknowledge, Action::Arrive, Action::Handle];
    // Today's booked visits of the crew's own unit (服务预约).
    let auth = auth_of(&ctx)?;
    let unit = match &auth.actor {
        griddesk_domain::access::Actor::Staff { org_unit, .. }
        | griddesk_domain::access::Actor::Token { org_unit, .. } => Some(org_unit.clone()),
        _ => None,
    };
    let mut visits = Vec::new();
    if let Some(u) = &unit {
        let start = time::today()
            .to_zoned(time::shanghai().clone())
            .map_err(|_| f(ApiError::Internal("today out of range".into())))?;
        let end = start
            .tomorrow()
            .map_err(|_| f(ApiError::Internal("today out of range".into())))?;
        visits = state
            .store
            .schedule(u, start.timestamp(), end.timestamp())
            .await
            .map_err(|e| f(e.into()))?;
    }
    let body = html! {
        section.card {
            h1 { (ctx.t(T::CrewTitle)) }
            p.lead { (ctx.t(T::CrewLead)) }
            @if !visits.is_empty() {
                h2 { (ctx.t(T::TodaysVisits)) }
                ul #visits { @for a in &visits { li {
                    span.mono { (time::local_minute(a.starts_at)) "–" (time::local_minute(a.ends_at).get(11..).unwrap_or_default()) }
                    " " (a.kind.label(ctx.lang)) " · "
                    a.mono href=(format!("/console/orders/{}", a.order_id)) { (a.order_id) }
                } } }
            }
        }
        @if list.is_empty() { section.card { p.hint { (ctx.t(T::NoData)) } } }
        @for o in &list {
            @let v = order_view(&state, o, &[], now);
            section.card.crew-card data-order=(o.id) {
                div.crew-head {
                    a.mono href=(format!("/console/orders/{}", o.id)) { (o.id) }
                    " " (label(&ctx, &v.order_type)) " " (sla_badge(&ctx, &v.sla))
                    span.badge { (label(&ctx, &v.status)) }
                }
                p.crew-subject { (v.subject) }
                p.muted { (v.contact_name) " " (v.contact_phone.clone().unwrap_or_default()) }
                @if let Some(d) = next_due(&v) { p { (label(&ctx, &d.kind)) ": " (countdown(&ctx, &d.due)) } }
                @for a in allowed(o).iter().filter(|a| crew_steps.contains(a)) {
                    form.crew-form method="post" action=(format!("/console/orders/{}/actions", o.id)) {
                        input type="hidden" name="csrf" value=(ctx.csrf());
                        input type="hidden" name="version" value=(o.version);
                        input type="hidden" name="action" value=(a.code());
                        input type="hidden" name="back" value="/console/crew";
                        input type="text" name="note" maxlength="2000" placeholder=(ctx.t(T::Note));
                        button.btn.btn-big type="submit" data-action=(a.code()) { (action_label(&ctx, a)) }
                    }
                }
                (photo_input(&ctx, o.id))
            }
        }
    };
    Ok(page(&ctx, ctx.t(T::CrewTitle), false, body))
}

// ---------------------------------------------------------------------------------------------
// The complaint ledger

/// GET /console/complaints
pub async fn complaints(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
    headers: HeaderMap,
) -> PageResult {
    let _ = headers;
    let f = fail(&ctx);
    let raw = uri.query().unwrap_or_default();
    let p: api_service::LedgerParams = crate::extract::parse_query(raw).map_err(&f)?;
    let q = api_service::LedgerQuery::parse(&p).map_err(&f)?;
    let auth = auth_of(&ctx)?;
    let l = api_service::ledger(&state, &auth.actor, &q)
        .await
        .map_err(&f)?;
    let a = &l.analysis;
    let qs = {
        let mut parts = vec![format!("from={}", q.from), format!("to={}", q.to)];
        if let Some(u) = &q.unit {
            parts.push(format!("unit={u}"));
        }
        if let Some(c) = q.cause {
            parts.push(format!("cause={}", c.code()));
        }
        parts.join("&")
    };
    let body = html! {
        section.card {
            h1 { (ctx.t(T::ComplaintsTitle)) }
            p.lead { (ctx.t(T::ComplaintsLead)) }
            form.filters method="get" action="/console/complaints" {
                label.field { span.field-label { (ctx.t(T::AuditFrom)) } input type="date" name="from" value=(q.from.to_string()); }
                label.field { span.field-label { (ctx.t(T::AuditTo)) } input type="date" name="to" value=(q.to.to_string()); }
                label.field { span.field-label { (ctx.t(T::OrderUnit)) } input type="text" name="unit" value=(q.unit.as_ref().map(|u| u.to_string()).unwrap_or_default()); }
                label.field { span.field-label { (ctx.t(T::ComplaintCause)) }
                    select name="cause" {
                        option value="" { (ctx.t(T::AnyOption)) }
                        @for c in Cause::ALL { option value=(c.code()) selected[q.cause == Some(*c)] { (c.label(ctx.lang)) } }
                    }
                }
                button.btn type="submit" { (ctx.t(T::Filter)) }
                a.btn.btn-secondary #complaints-export href=(format!("/api/v1/complaints.xlsx?{qs}")) { (ctx.t(T::ExportExcel)) }
            }
            div.stats {
                div.stat { span.stat-value #complaints-total { (a.total) } span.stat-label { (ctx.t(T::ComplaintsTotal)) } }
                div.stat { span.stat-value { (a.responsible) } span.stat-label { (ctx.t(T::ComplaintsResponsible)) } }
                div.stat { span.stat-value { (a.repeats.len()) } span.stat-label { (ctx.t(T::RepeatComplainants)) } }
            }
        }
        div.grid-2 {
            section.card {
                h2 { (ctx.t(T::ParetoTitle)) }
                div #pareto-chart.chart data-chart="pareto" data-src=(format!("/api/v1/complaints/analysis?{qs}"))
                    data-label-count=(ctx.t(T::Count)) data-label-cumulative=(ctx.t(T::Cumulative)) data-lang=(ctx.lang.tag())
                    data-empty=(ctx.t(T::NoData)) { p.chart-loading { (ctx.t(T::ChartLoading)) } }
            }
            section.card {
                h2 { (ctx.t(T::ByMonth)) }
                div #month-chart.chart data-chart="complaint-months" data-src=(format!("/api/v1/complaints/analysis?{qs}"))
                    data-label-count=(ctx.t(T::Count)) data-empty=(ctx.t(T::NoData)) { p.chart-loading { (ctx.t(T::ChartLoading)) } }
            }
        }
        div.grid-2 {
            section.card {
                h2 { (ctx.t(T::ByUnit)) }
                div #unit-chart.chart data-chart="complaint-units" data-src=(format!("/api/v1/complaints/analysis?{qs}"))
                    data-label-count=(ctx.t(T::Count)) data-label-none=(ctx.t(T::Undispatched)) data-empty=(ctx.t(T::NoData)) { p.chart-loading { (ctx.t(T::ChartLoading)) } }
            }
            section.card {
                h2 { (ctx.t(T::RepeatComplainants)) }
                @if a.repeats.is_empty() { p.hint { (ctx.t(T::NoData)) } } @else {
                    table.table #repeats { tbody { @for r in &a.repeats { tr {
                        td.mono { @if let Some(no) = &r.customer_no { a href=(format!("/console/customers/{no}")) { (no) } } @else { (r.contact_phone.as_ref().map(mask::phone).unwrap_or_default()) } }
                        td.num { (r.count) }
                        td.mono { @for id in &r.orders { a href=(format!("/console/orders/{id}")) { (id) } " " } }
                    } } } }
                }
            }
        }
        section.card {
            h2 { (ctx.t(T::ComplaintLedger)) }
            @if l.entries.is_empty() { p.hint { (ctx.t(T::NoData)) } } @else {
                div.table-wrap { table.table #ledger {
                    thead { tr { th { (ctx.t(T::OrderNo)) } th { (ctx.t(T::OrderAccepted)) } th { (ctx.t(T::OrderSubject)) } th { (ctx.t(T::ComplaintCause)) } th { (ctx.t(T::Responsibility)) } th { (ctx.t(T::OrderUnit)) } th { (ctx.t(T::OrderStatus)) } } }
                    tbody { @for e in l.entries.iter().rev().take(200) { tr {
                        td.mono { a href=(format!("/console/orders/{}", e.order_id)) { (e.order_id) } }
                        td.mono { (time::local_minute(e.accepted_at)) }
                        td { (e.subject) }
                        td { (e.cause.map(|c| c.label(ctx.lang)).unwrap_or("-")) }
                        td { (e.responsibility.map(|c| c.label(ctx.lang)).unwrap_or("-")) }
                        td.mono { (e.responsible_unit.as_ref().or(e.org_unit.as_ref()).map(|u| u.to_string()).unwrap_or_default()) }
                        td { (e.status.label(ctx.lang)) }
                    } } }
                } }
            }
        }
    };
    Ok(page(&ctx, ctx.t(T::ComplaintsTitle), true, body))
}
