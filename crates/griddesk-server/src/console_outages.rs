//! Console pages of outage management, a child module of the console: the outage board (open
//! outages with the customers they reach and late-notice warnings, recently closed ones, the
//! form dispatchers record an outage with, and the topology tree — substation, feeder,
//! transformer area — with the customers open outages reach under each node, expanded one
//! level at a time with htmx; a node's name filters the board to the outages under it), and
//! each outage's page with its history, the customers it reaches and the steps its kind and
//! state allow. Forms call the same functions as the API (`api_outages::record_outage`,
//! `api_outages::take_outage_step`).

use super::orders::{auth_of, fail, path_id};
use super::{ConsoleError, Ctx, label, page};
use crate::AppState;
use crate::api_outages::{self, NewOutageRequest, OutageActionRequest, OutageView, outage_view};
use crate::auth::ClientAddr;
use crate::error::ApiError;
use crate::i18n::T;
use axum::extract::rejection::PathRejection;
use axum::extract::{Form, Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use griddesk_domain::access::Permission;
use griddesk_domain::outage::{OutageAction, OutageKind, step};
use griddesk_domain::values::Code;
use griddesk_store::outage::{GridNode, NodeImpact};
use maud::{Markup, html};
use serde::Deserialize;

type PageResult = Result<Markup, ConsoleError>;

fn minute(rfc: &str) -> String {
    rfc.get(..16).unwrap_or_default().replace('T', " ")
}

fn status_badge(ctx: &Ctx, v: &OutageView) -> Markup {
    let class = if v.out_now {
        "badge badge-danger"
    } else {
        "badge badge-warn"
    };
    html! { span class=(class) data-status=(v.status.code) { (label(ctx, &v.status)) } }
}

fn table(ctx: &Ctx, id: &str, list: &[OutageView]) -> Markup {
    html! {
        @if list.is_empty() { p.hint { (ctx.t(T::NoData)) } } @else {
            div.table-wrap { table.table id=(id) {
                thead { tr {
                    th { (ctx.t(T::OutageKind)) } th { (ctx.t(T::OrderStatus)) } th { (ctx.t(T::OrderSubject)) }
                    th { (ctx.t(T::OutageScope)) } th.num { (ctx.t(T::OutageAffected)) }
                    th { (ctx.t(T::OutageStart)) } th { (ctx.t(T::OutageBackBy)) }
                } }
                tbody { @for o in list { tr data-outage=(o.id) {
                    td { (label(ctx, &o.kind)) } td { (status_badge(ctx, o)) }
                    td {
                        a href=(format!("/console/outages/{}", o.id)) { (o.title) }
                        @for l in &o.late_notices { " " span.badge.badge-danger.late-notice { (label(ctx, l)) } }
                    }
                    td.mono { (o.scope.join(", ")) } td.num { (o.affected) }
                    td.mono { (minute(&o.start)) } td.mono { (o.eta.as_deref().map(minute).unwrap_or_default()) }
                } } }
            } }
        }
    }
}

fn new_form(ctx: &Ctx) -> Markup {
    html! {
        form.order-form #new-outage method="post" action="/console/outages" {
            input type="hidden" name="csrf" value=(ctx.csrf());
            div.form-grid {
                label.field { span.field-label { (ctx.t(T::OutageKind)) }
                    select name="kind" required { @for k in OutageKind::ALL { option value=(k.code()) { (k.label(ctx.lang)) } } } }
                label.field { span.field-label { (ctx.t(T::OrderSubject)) } input type="text" name="title" required maxlength="200"; }
                label.field { span.field-label { (ctx.t(T::OutageCause)) } input type="text" name="cause" required maxlength="500"; }
                label.field { span.field-label { (ctx.t(T::OutageScope)) }
                    select name="scope_kind" required {
                        option value="areas" { (ctx.t(T::ScopeAreas)) }
                        option value="feeders" { (ctx.t(T::ScopeFeeders)) }
                        option value="substation" { (ctx.t(T::ScopeSubstation)) }
                        option value="customers" { (ctx.t(T::ScopeCustomers)) }
                    } }
                label.field { span.field-label { (ctx.t(T::OutageCodes)) } input type="text" name="codes" required maxlength="2000"; }
                label.field { span.field-label { (ctx.t(T::OutageStart)) } input type="datetime-local" name="start"; }
                label.field { span.field-label { (ctx.t(T::OutageBackBy)) } input type="datetime-local" name="eta"; }
            }
            button.btn type="submit" { (ctx.t(T::OutageRecord)) }
        }
    }
}

/// A node of the topology tree, from the query of the board (`?feeder=F10-101`) or of the
/// tree's fragments: at most one of the three.
#[derive(Debug, Default, Deserialize)]
pub struct NodeQuery {
    substation: Option<String>,
    feeder: Option<String>,
    area: Option<String>,
}

impl NodeQuery {
    fn node(&self) -> Result<Option<GridNode>, ApiError> {
        let given: Vec<(&'static str, &str)> = [
            ("substation", &self.substation),
            ("feeder", &self.feeder),
            ("area", &self.area),
        ]
        .into_iter()
        .filter_map(|(k, v)| Some((k, v.as_deref()?.trim())).filter(|(_, v)| !v.is_empty()))
        .collect();
        let Some(&(field, raw)) = given.first() else {
            return Ok(None);
        };
        if given.len() > 1 {
            return Err(ApiError::invalid(
                field,
                "give one of substation, feeder, area",
            ));
        }
        let code = Code::parse_field(field, raw)?;
        Ok(Some(match field {
            "substation" => GridNode::Substation(code),
            "feeder" => GridNode::Feeder(code),
            _ => GridNode::Area(code),
        }))
    }
}

/// `substation=…`, `feeder=…` or `area=…`: a node in a URL.
fn node_query(node: &GridNode) -> String {
    let (k, c) = match node {
        GridNode::Substation(c) => ("substation", c),
        GridNode::Feeder(c) => ("feeder", c),
        GridNode::Area(c) => ("area", c),
    };
    format!("{k}={c}")
}

/// The `li` of each child of `parent` in the tree: its name filtering the board, its counts,
/// and for substations and feeders the button that loads its children into its own list.
fn tree_items(ctx: &Ctx, parent: Option<&GridNode>, nodes: &[NodeImpact]) -> Markup {
    html! {
        @for n in nodes {
            @let node = match (parent, &n.code) {
                (None, Some(c)) => Some(GridNode::Substation(c.clone())),
                (Some(GridNode::Substation(_)), Some(c)) => Some(GridNode::Feeder(c.clone())),
                (Some(GridNode::Feeder(_)), Some(c)) => Some(GridNode::Area(c.clone())),
                _ => None,
            };
            // The customers straight on a feeder filter by the feeder.
            @let filter = node.as_ref().or(parent).map(node_query).unwrap_or_default();
            @let expands = matches!(node, Some(GridNode::Substation(_) | GridNode::Feeder(_)));
            li.tree-node data-node=(filter) {
                @if expands {
                    button.tree-toggle type="button" title=(ctx.t(T::TreeExpand))
                        hx-get=(format!("/console/outages/tree?{filter}")) hx-target="next .tree-children"
                        hx-swap="innerHTML" hx-trigger="click once" { "▸" }
                } @else { span.tree-leaf { "·" } }
                " "
                a href=(format!("/console/outages?{filter}")) {
                    @match &n.code { Some(c) => { (n.name) " " span.mono.muted { (c) } }, None => { (ctx.t(T::TreeDirect)) } }
                }
                " " span.badge.badge-warn.tree-customers title=(ctx.t(T::OutageAffected)) { (n.customers) }
                @if n.out_now > 0 { " " span.badge.badge-danger.tree-out title=(ctx.t(T::OutageOutNow)) { (n.out_now) } }
                " " span.muted { (n.outages) " " (ctx.t(T::TreeOutages)) }
                @if expands { ul.tree.tree-children {} }
            }
        }
    }
}

/// GET /console/outages/tree: the children of one node (the substations without one) as `li`
/// items for the tree's htmx requests.
pub async fn tree(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let f = fail(&ctx);
    let q: NodeQuery = crate::extract::parse_query(uri.query().unwrap_or_default()).map_err(&f)?;
    let parent = q.node().map_err(&f)?;
    let nodes = state
        .store
        .outage_impact(parent.as_ref())
        .await
        .map_err(|e| f(e.into()))?;
    Ok(html! {
        @if nodes.is_empty() { li.muted { (ctx.t(T::NoData)) } } @else { (tree_items(&ctx, parent.as_ref(), &nodes)) }
    })
}

fn tree_card(ctx: &Ctx, roots: &[NodeImpact]) -> Markup {
    html! {
        section.card #outage-tree {
            h2 { (ctx.t(T::OutageTree)) }
            p.lead { (ctx.t(T::OutageTreeLead)) }
            @if roots.is_empty() { p.hint { (ctx.t(T::OutageTreeNone)) } } @else {
                ul.tree #tree-root { (tree_items(ctx, None, roots)) }
            }
        }
    }
}

/// GET /console/outages: the board; `?substation=`, `?feeder=` or `?area=` keeps the open
/// outages that reach a customer under that node.
pub async fn board(State(state): State<AppState>, ctx: Ctx, uri: Uri) -> PageResult {
    let f = fail(&ctx);
    let q: NodeQuery = crate::extract::parse_query(uri.query().unwrap_or_default()).map_err(&f)?;
    let node = q.node().map_err(&f)?;
    let all = state
        .store
        .outages(true, 200)
        .await
        .map_err(|e| f(e.into()))?;
    let policy = &state.config.notice;
    let (open, closed): (Vec<OutageView>, Vec<OutageView>) = all
        .iter()
        .map(|o| outage_view(o, &[], policy))
        .partition(|v| v.status.code != "restored" && v.status.code != "cancelled");
    let open = match &node {
        None => open,
        Some(n) => state
            .store
            .open_outages_at(n, 200)
            .await
            .map_err(|e| f(e.into()))?
            .iter()
            .map(|o| outage_view(o, &[], policy))
            .collect(),
    };
    let roots = state
        .store
        .outage_impact(None)
        .await
        .map_err(|e| f(e.into()))?;
    // Arrears disconnections are the collection's business: a table of their own.
    let (arrears, open): (Vec<OutageView>, Vec<OutageView>) = open
        .into_iter()
        .partition(|v| v.kind.code == OutageKind::Arrears.code());
    let body = html! {
        section.card {
            h1 { (ctx.t(T::OutageBoard)) }
            p.lead { (ctx.t(T::OutageLead)) " " a #plans-link href="/console/outage-plans" { (ctx.t(T::NavOutagePlans)) } }
            @if ctx.may(Permission::OutageWrite) {
                p { a.btn #orderly-link href="/console/orderly" { (ctx.t(T::OrderlyTitle)) } }
            }
            @if let Some(n) = &node {
                p.alert.alert-info #board-filter data-node=(node_query(n)) {
                    (ctx.t(T::BoardFilteredBy)) " " span.mono { (n.code()) } " · "
                    a href="/console/outages" { (ctx.t(T::BoardFilterClear)) }
                }
            }
            (table(&ctx, "open-outages", &open))
        }
        (tree_card(&ctx, &roots))
        section.card {
            h2 { (OutageKind::Arrears.label(ctx.lang)) }
            (table(&ctx, "arrears-outages", &arrears))
        }
        @if ctx.may(Permission::OutageWrite) {
            section.card { h2 { (ctx.t(T::OutageRecord)) } (new_form(&ctx)) }
        }
        section.card {
            h2 { (ctx.t(T::OutageClosed)) }
            (table(&ctx, "closed-outages", &closed))
        }
        (reliability_card(&ctx))
    };
    Ok(page(&ctx, ctx.t(T::OutageBoard), true, body))
}

/// SAIDI and ASAI of the last 12 months per area type and per unit, drawn from
/// `GET /api/v1/reliability`.
fn reliability_card(ctx: &Ctx) -> Markup {
    let today = crate::time::today();
    let from = today
        .checked_sub(jiff::Span::new().years(1))
        .unwrap_or(today);
    let src = format!("/api/v1/reliability?from={from}&to={today}");
    let chart = |id: &str, group: &str| {
        html! {
            div.chart id=(id) data-chart="reliability" data-group=(group) data-src=(src)
                data-label-saidi=(ctx.t(T::ReliabilitySaidi)) data-label-asai=(ctx.t(T::ReliabilityAsai))
                data-empty=(ctx.t(T::NoData)) { p.chart-loading { (ctx.t(T::ChartLoading)) } }
        }
    };
    html! {
        section.card #reliability {
            h2 { (ctx.t(T::ReliabilityTitle)) }
            div.grid-2 {
                div { h3 { (ctx.t(T::ReliabilityByAreaType)) } (chart("reliability-types", "by_area_type")) }
                div { h3 { (ctx.t(T::ReliabilityByUnit)) } (chart("reliability-units", "by_unit")) }
            }
        }
    }
}

/// GET /console/outages/{id}
pub async fn outage(
    State(state): State<AppState>,
    ctx: Ctx,
    path: Result<Path<i64>, PathRejection>,
) -> PageResult {
    let f = fail(&ctx);
    let id = path_id(&ctx, path)?;
    let o = api_outages::load(&state, id).await.map_err(&f)?;
    let events = state
        .store
        .outage_events(id)
        .await
        .map_err(|e| f(e.into()))?;
    let customers = state
        .store
        .outage_customers(id, 100)
        .await
        .map_err(|e| f(e.into()))?;
    let v = outage_view(&o, &events, &state.config.notice);
    let notices = api_outages::notices_view(&state, id).await.map_err(&f)?;
    let actions: Vec<OutageAction> = OutageAction::ALL
        .iter()
        .copied()
        .filter(|a| step(o.kind, o.status, *a).is_ok())
        .collect();
    let body = html! {
        nav.breadcrumb { a href="/console/outages" { (ctx.t(T::OutageBoard)) } span.sep { "/" } span { (v.id) } }
        section.card #outage data-version=(v.version) {
            h1 { (label(&ctx, &v.kind)) " · " (v.title) }
            div.badges { (status_badge(&ctx, &v)) @for l in &v.late_notices { span.badge.badge-danger { (label(&ctx, l)) } } }
            table.kv {
                tr { th { (ctx.t(T::OutageCause)) } td { (v.cause) } }
                tr { th { (ctx.t(T::OutageScope)) } td.mono { (v.scope_kind) ": " (v.scope.join(", ")) } }
                tr { th { (ctx.t(T::OutageAffected)) } td #affected { (v.affected) } }
                tr { th { (ctx.t(T::OutageStart)) } td.mono { (minute(&v.start)) } }
                tr { th { (ctx.t(T::OutageBackBy)) } td.mono { (v.eta.as_deref().map(minute).unwrap_or_default()) } }
                tr { th { (ctx.t(T::OutageKnownSince)) } td.mono { (minute(&v.known_since)) } }
            }
        }
        @if ctx.may(Permission::OutageWrite) && !actions.is_empty() {
            section.card { h2 { (ctx.t(T::NextSteps)) }
                div.actions #outage-actions { @for a in &actions {
                    form.action-form method="post" action=(format!("/console/outages/{id}/actions")) data-action=(a.code()) {
                        input type="hidden" name="csrf" value=(ctx.csrf());
                        input type="hidden" name="version" value=(v.version);
                        input type="hidden" name="action" value=(a.code());
                        label.field { span.field-label { (ctx.t(T::OutageBackBy)) } input type="datetime-local" name="eta"; }
                        label.field.grow { span.field-label { (ctx.t(T::Note)) } input type="text" name="note" maxlength="1000"; }
                        button.btn type="submit" { (a.label(ctx.lang)) }
                    }
                } }
            }
        }
        div.grid-2 {
            section.card { h2 { (ctx.t(T::OrderHistory)) }
                table.table #outage-history { tbody { @for e in &v.events { tr {
                    td.mono { (minute(&e.at)) } td { (e.actor_name) } td { (label(&ctx, &e.action)) }
                    td { (label(&ctx, &e.status)) } td { (e.note.clone().unwrap_or_default()) }
                } } } }
            }
            section.card { h2 { (ctx.t(T::OutageAffected)) " (" (v.affected) ")" }
                ul.mono #outage-customers { @for n in &customers { li { a href=(format!("/console/customers/{n}")) { (n) } } } }
            }
        }
        (notices_card(&ctx, &notices))
        (tasks_card(&ctx, &notices))
    };
    Ok(page(&ctx, &v.title, false, body))
}

fn notices_card(ctx: &Ctx, n: &api_outages::OutageNoticesView) -> Markup {
    let failed: Vec<_> = n
        .recipients
        .iter()
        .filter(|r| r.status.code == "failed")
        .collect();
    html! {
        section.card #outage-notices { h2 { (ctx.t(T::OutageNotices)) }
            @if n.counts.is_empty() { p.muted { (ctx.t(T::OutageNoNotices)) } } @else {
                table.table { tbody { @for c in &n.counts { tr data-status=(c.status.code) {
                    td { (label(ctx, &c.purpose)) } td { (label(ctx, &c.channel)) }
                    td { (label(ctx, &c.status)) } td.num { (c.count) }
                } } } }
            }
            @if !failed.is_empty() {
                h3 { (ctx.t(T::OutageFailedNotices)) }
                table.table { tbody { @for r in &failed { tr {
                    td.mono { a href=(format!("/console/customers/{}", r.customer_no)) { (r.customer_no) } }
                    td.mono { (r.recipient) } td { (r.attempts) } td { (r.error.clone().unwrap_or_default()) }
                } } } }
            }
        }
    }
}

fn tasks_card(ctx: &Ctx, n: &api_outages::OutageNoticesView) -> Markup {
    use griddesk_domain::notice::ContactMethod;
    if n.tasks.is_empty() {
        return html! {};
    }
    html! {
        section.card #outage-tasks { h2 { (ctx.t(T::OutageTasks)) }
            table.table { tbody { @for t in &n.tasks { tr data-task=(t.id) {
                td { (label(ctx, &t.kind)) }
                td { a href=(format!("/console/customers/{}", t.customer_no)) { (t.customer_name) } }
                td.mono { (ctx.t(T::TaskDue)) " " (minute(&t.due)) }
                @if let Some(at) = &t.done_at {
                    td.mono { (ctx.t(T::TaskDoneAt)) " " (minute(at)) }
                    td { (t.method.as_ref().map(|m| label(ctx, m)).unwrap_or_default()) }
                    td { (t.acknowledged_by.clone().unwrap_or_default()) }
                } @else if ctx.may(Permission::OrderWrite) {
                    td colspan="3" {
                        form.action-form method="post" action=(format!("/console/outage-tasks/{}/done", t.id)) {
                            input type="hidden" name="csrf" value=(ctx.csrf());
                            select name="method" { @for m in ContactMethod::ALL { option value=(m.code()) { (m.label(ctx.lang)) } } }
                            input type="text" name="acknowledged_by" maxlength="100" placeholder=(ctx.t(T::TaskAcknowledged));
                            input type="text" name="note" maxlength="1000" placeholder=(ctx.t(T::Note));
                            button.btn type="submit" { (ctx.t(T::TaskRecord)) }
                        }
                    }
                }
            } } } }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct TaskDoneForm {
    method: String,
    acknowledged_by: Option<String>,
    note: Option<String>,
}

/// POST /console/outage-tasks/{id}/done
pub async fn post_task_done(
    State(state): State<AppState>,
    ctx: Ctx,
    path: Result<Path<i64>, PathRejection>,
    Form(form): Form<TaskDoneForm>,
) -> Result<Response, ConsoleError> {
    let f = fail(&ctx);
    let id = path_id(&ctx, path)?;
    let auth = auth_of(&ctx)?;
    let r = api_outages::TaskDoneRequest {
        method: form.method,
        acknowledged_by: form.acknowledged_by,
        note: form.note,
    };
    let t = api_outages::complete_task(&state, &auth.actor, id, &r)
        .await
        .map_err(&f)?;
    Ok(Redirect::to(&format!("/console/outages/{}", t.outage_id)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct NewOutageForm {
    kind: String,
    title: String,
    cause: String,
    scope_kind: String,
    codes: String,
    start: Option<String>,
    eta: Option<String>,
}

/// POST /console/outages
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<NewOutageForm>,
) -> Result<Response, ConsoleError> {
    let f = fail(&ctx);
    let auth = auth_of(&ctx)?;
    let scope = super::outage_plans::form_scope(&form.scope_kind, &form.codes).map_err(&f)?;
    let r = NewOutageRequest {
        kind: form.kind,
        title: form.title,
        cause: form.cause,
        scope,
        start: form.start,
        eta: form.eta,
    };
    let o = api_outages::record_outage(&state, &auth.actor, &addr, &r)
        .await
        .map_err(&f)?;
    Ok(Redirect::to(&format!("/console/outages/{}", o.id)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct OutageActionForm {
    version: i64,
    action: String,
    eta: Option<String>,
    note: Option<String>,
}

/// POST /console/outages/{id}/actions
pub async fn post_action(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    path: Result<Path<i64>, PathRejection>,
    Form(form): Form<OutageActionForm>,
) -> Result<Response, ConsoleError> {
    let f = fail(&ctx);
    let id = path_id(&ctx, path)?;
    let auth = auth_of(&ctx)?;
    let r = OutageActionRequest {
        action: form.action,
        eta: form.eta,
        note: form.note,
    };
    api_outages::take_outage_step(&state, &auth.actor, &addr, id, form.version, &r)
        .await
        .map_err(&f)?;
    Ok(Redirect::to(&format!("/console/outages/{id}")).into_response())
}

/// GET /notices/outages: the public outage notice (停电公告), no login: current and announced
/// outages of the grid (planned, orderly use, faults) with where, when and why. Outages of named
/// customers (arrears disconnections above all) are nobody else's business and never shown.
pub async fn public_notices(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let f = fail(&ctx);
    let open = state
        .store
        .outages(false, 200)
        .await
        .map_err(|e| f(e.into()))?;
    let mut shown: Vec<OutageView> = open
        .iter()
        .filter(|o| o.kind != OutageKind::Arrears)
        .filter(|o| !matches!(o.scope, griddesk_domain::outage::OutageScope::Customers(_)))
        .map(|o| outage_view(o, &[], &state.config.notice))
        .collect();
    shown.sort_by(|a, b| {
        b.out_now
            .cmp(&a.out_now)
            .then_with(|| a.start.cmp(&b.start))
    });
    let body = html! {
        section.card {
            h1 { (ctx.t(T::PublicNoticeTitle)) }
            p.lead { (ctx.t(T::PublicNoticeLead)) }
            @if shown.is_empty() { p.hint #no-notices { (ctx.t(T::NoKnownOutageAnywhere)) } } @else {
                ul.outage-list #public-notices { @for o in &shown {
                    li data-outage=(o.id) {
                        (status_badge(&ctx, o)) " " strong { (label(&ctx, &o.kind)) " · " (o.title) }
                        div.hint {
                            (ctx.t(T::OutageStart)) " " span.mono { (minute(&o.start)) }
                            " · " (ctx.t(T::OutageBackBy)) " " span.mono { (o.eta.as_deref().map(minute).unwrap_or_default()) }
                            " · " (ctx.t(T::OutageScope)) " " span.mono { (o.scope.join(", ")) }
                            " · " (ctx.t(T::OutageCause)) " " (o.cause)
                        }
                    }
                } }
            }
        }
    };
    Ok(page(&ctx, ctx.t(T::PublicNoticeTitle), false, body))
}
