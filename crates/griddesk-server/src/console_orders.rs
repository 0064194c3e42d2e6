//! Console pages of work orders: the queue (green channel first, then the earliest deadline, each
//! deadline green / yellow / red) and one order with its deadlines and history. A child module of
//! the console.

use super::{ConsoleError, Ctx, label, page};
use crate::api_orders::{OrderView, order_view};
use crate::error::ApiError;
use crate::i18n::T;
use crate::{AppState, scope, time};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use griddesk_domain::access::Scope;
use griddesk_store::workorder::OrderQuery;
use maud::{Markup, html};

fn sla_badge(ctx: &Ctx, l: &crate::model::Label) -> Markup {
    let class = match l.code {
        "red" => "badge badge-danger",
        "yellow" => "badge badge-warn",
        _ => "badge badge-ok",
    };
    html! { span class=(class) data-sla=(l.code) { (label(ctx, l)) } }
}

/// GET /console/orders
pub async fn queue(State(state): State<AppState>, ctx: Ctx) -> Result<Markup, ConsoleError> {
    let fail = |e: ApiError| ConsoleError::from_api(&ctx, e, T::NotFoundTitle);
    let auth = ctx
        .auth
        .clone()
        .ok_or_else(|| fail(ApiError::Unauthenticated))?;
    let org_units = match scope::scope_of(&state, &auth.actor).await.map_err(fail)? {
        Scope::Company => None,
        Scope::Units(u) => Some(u.into_iter().collect()),
        Scope::Own(_) | Scope::Nothing => Some(Vec::new()),
    };
    let q = OrderQuery {
        org_units,
        limit: 200,
        ..Default::default()
    };
    let now = time::now();
    let orders: Vec<OrderView> = state
        .store
        .list_work_orders(&q)
        .await
        .map_err(|e| fail(e.into()))?
        .iter()
        .map(|o| order_view(&state, o, &[], now))
        .collect();
    let body = html! {
        section.card {
            h1 { (ctx.t(T::OrdersTitle)) }
            p.lead { (ctx.t(T::OrdersLead)) }
            @if orders.is_empty() { p.hint { (ctx.t(T::NoData)) } } @else {
                div.table-wrap { table.table #orders-table {
                    thead { tr {
                        th { (ctx.t(T::OrderNo)) } th { (ctx.t(T::OrderSla)) } th { (ctx.t(T::OrderTier)) }
                        th { (ctx.t(T::OrderType)) } th { (ctx.t(T::OrderSubject)) } th { (ctx.t(T::CustomerNo)) }
                        th { (ctx.t(T::OrderStatus)) } th { (ctx.t(T::OrderDue)) } th { (ctx.t(T::OrderUnit)) }
                    } }
                    tbody { @for o in &orders { tr {
                        td.mono { a href=(format!("/console/orders/{}", o.id)) { (o.id) } }
                        td { (sla_badge(&ctx, &o.sla)) }
                        td { @if o.tier == crate::api_orders::GREEN_CHANNEL_TIER { span.badge.badge-important { (ctx.t(T::GreenChannel)) } } @else { (o.tier) } }
                        td { (label(&ctx, &o.order_type)) }
                        td { (o.subject) }
                        td.mono { @if let Some(no) = &o.customer_no { a href=(format!("/console/customers/{no}")) { (no) } } }
                        td { (label(&ctx, &o.status)) @if o.paused { " · " (ctx.t(T::OrderPaused)) } }
                        td.mono { (o.deadlines.iter().find(|d| d.met_at.is_none()).map(|d| d.due.replace('T', " ")).unwrap_or_default()) }
                        td.mono { (o.org_unit.clone().unwrap_or_default()) }
                    } } }
                } }
            }
        }
    };
    Ok(page(&ctx, ctx.t(T::OrdersTitle), false, body))
}

/// GET /console/orders/{id}
pub async fn order(
    State(state): State<AppState>,
    ctx: Ctx,
    path: Result<Path<i64>, PathRejection>,
) -> Result<Markup, ConsoleError> {
    let fail = |e: ApiError| ConsoleError::from_api(&ctx, e, T::NotFoundTitle);
    let id = path
        .map_err(|e| fail(ApiError::invalid("id", e.body_text())))?
        .0;
    let auth = ctx
        .auth
        .clone()
        .ok_or_else(|| fail(ApiError::Unauthenticated))?;
    let o = crate::api_orders::load_order(&state, &auth.actor, id)
        .await
        .map_err(fail)?;
    let events = state
        .store
        .work_order_events(id)
        .await
        .map_err(|e| fail(e.into()))?;
    let v = order_view(&state, &o, &events, time::now());
    let body = html! {
        nav.breadcrumb { a href="/console/orders" { (ctx.t(T::OrdersTitle)) } span.sep { "/" } span { (v.id) } }
        section.card {
            h1 { (label(&ctx, &v.order_type)) " · " (v.subject) }
            div.badges { (sla_badge(&ctx, &v.sla)) span.badge { (label(&ctx, &v.status)) } }
            table.kv {
                tr { th { (ctx.t(T::OrderNo)) } td.mono { (v.id) } }
                tr { th { (ctx.t(T::CustomerNo)) } td.mono { (v.customer_no.clone().unwrap_or_default()) } }
                tr { th { (ctx.t(T::OrderContact)) } td { (v.contact_name) " " (v.contact_phone.clone().unwrap_or_default()) } }
                tr { th { (ctx.t(T::OrderOwner)) } td { (v.owner_name) } }
                tr { th { (ctx.t(T::OrderUnit)) } td.mono { (v.org_unit.clone().unwrap_or_default()) } }
                tr { th { (ctx.t(T::OrderAccepted)) } td.mono { (v.accepted_at.replace('T', " ")) } }
            }
            @if !v.description.is_empty() { p { (v.description) } }
        }
        div.grid-2 {
            section.card {
                h2 { (ctx.t(T::OrderDeadlines)) }
                table.table #deadlines { tbody { @for d in &v.deadlines { tr {
                    td { (label(&ctx, &d.kind)) } td.mono { (d.due.replace('T', " ")) } td { (sla_badge(&ctx, &d.state)) }
                } } } }
            }
            section.card {
                h2 { (ctx.t(T::OrderHistory)) }
                table.table #history { tbody { @for e in &v.events { tr {
                    td.mono { (e.at.replace('T', " ")) } td { (e.actor_name) } td.mono { (e.action) }
                    td { (label(&ctx, &e.to)) } td { (e.note.clone().unwrap_or_default()) }
                } } } }
            }
        }
    };
    Ok(page(&ctx, ctx.t(T::OrdersTitle), false, body))
}
