//! The orderly-power-use page of the console (D3.2, D9): the stored load-limiting sequence per
//! position, a form for the reduction target and window (Asia/Shanghai time), the plan it gives —
//! steps per customer, expected total against the target, the shortfall, the reduction per
//! measure as an ECharts bar — and the button that issues it as an orderly-use outage. The page
//! calls `api_orderly::make_plan`, the same function as the API.

use super::orders::{auth_of, fail};
use super::{ConsoleError, Ctx, label, page};
use crate::AppState;
use crate::api_orderly::{self, OrderlyPlanRequest, OrderlyPlanView};
use crate::auth::ClientAddr;
use crate::i18n::T;
use axum::extract::{Form, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use griddesk_store::orderly::SequenceRow;
use maud::{Markup, html};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The plan form's fields, from the query (compute) or the posted form (issue).
#[derive(Debug, Default, Deserialize)]
pub struct PlanForm {
    target_mw: Option<String>,
    start: Option<String>,
    end: Option<String>,
    title: Option<String>,
    cause: Option<String>,
}

impl PlanForm {
    fn request(&self, issue: bool) -> OrderlyPlanRequest {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        OrderlyPlanRequest {
            target_mw: s(&self.target_mw),
            start: s(&self.start),
            end: s(&self.end),
            candidates: None,
            issue,
            title: self.title.clone(),
            cause: self.cause.clone(),
        }
    }
}

/// `2026-07-20T10:00`, as a datetime-local input shows it.
fn local_input(t: jiff::Timestamp) -> String {
    t.to_zoned(crate::time::shanghai().clone())
        .strftime("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The default window: tomorrow's morning peak, 10:00 to 12:00 local time.
fn default_window() -> (String, String) {
    let tomorrow = crate::time::today()
        .tomorrow()
        .unwrap_or(crate::time::today());
    let at = |h: i8| {
        tomorrow
            .at(h, 0, 0, 0)
            .to_zoned(crate::time::shanghai().clone())
            .map(|z| local_input(z.timestamp()))
            .unwrap_or_default()
    };
    (at(10), at(12))
}

/// Per position: customers, expected load and what they offer, kW.
struct PositionTotals {
    customers: usize,
    load: Decimal,
    security: Decimal,
    shift: Decimal,
    avoid: Decimal,
    limit: Decimal,
    disconnectable: usize,
}

fn positions(rows: &[SequenceRow]) -> BTreeMap<u32, PositionTotals> {
    let mut out: BTreeMap<u32, PositionTotals> = BTreeMap::new();
    for r in rows {
        let e = &r.entry;
        let t = out.entry(e.sequence).or_insert(PositionTotals {
            customers: 0,
            load: Decimal::ZERO,
            security: Decimal::ZERO,
            shift: Decimal::ZERO,
            avoid: Decimal::ZERO,
            limit: Decimal::ZERO,
            disconnectable: 0,
        });
        t.customers += 1;
        t.load += e.expected_load_kw;
        t.security += e.security_load_kw;
        t.shift += e.shift_peak_kw;
        t.avoid += e.avoid_peak_kw;
        t.limit += e.limit_kw;
        t.disconnectable += usize::from(e.can_disconnect);
    }
    out
}

fn kw(d: Decimal) -> String {
    d.round_dp(1).normalize().to_string()
}

fn sequence_card(ctx: &Ctx, rows: &[SequenceRow]) -> Markup {
    html! {
        section.card #orderly-sequence {
            h2 { (ctx.t(T::OrderlySequence)) " " span.muted { "(" (rows.len()) ")" } }
            @if rows.is_empty() { p.hint #sequence-empty { (ctx.t(T::OrderlySequenceEmpty)) } } @else {
                div.table-wrap { table.table {
                    thead { tr {
                        th.num { (ctx.t(T::OrderlyPosition)) } th.num { (ctx.t(T::OrderlyCustomers)) }
                        th.num { (ctx.t(T::OrderlyExpectedLoad)) } th.num { (ctx.t(T::OrderlySecurityLoad)) }
                        th.num { (ctx.t(T::OrderlyOfferShift)) } th.num { (ctx.t(T::OrderlyOfferAvoid)) }
                        th.num { (ctx.t(T::OrderlyOfferLimit)) } th.num { (ctx.t(T::OrderlyDisconnectable)) }
                    } }
                    tbody { @for (p, t) in positions(rows) { tr data-position=(p) {
                        td.num { (p) } td.num { (t.customers) } td.num { (kw(t.load)) } td.num { (kw(t.security)) }
                        td.num { (kw(t.shift)) } td.num { (kw(t.avoid)) } td.num { (kw(t.limit)) } td.num { (t.disconnectable) }
                    } } }
                } }
            }
        }
    }
}

fn plan_form(ctx: &Ctx, f: &PlanForm) -> Markup {
    let (start, end) = default_window();
    let v = |x: &Option<String>, d: &str| {
        x.clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| d.to_owned())
    };
    html! {
        form.filters #orderly-form method="get" action="/console/orderly" {
            label.field { span.field-label { (ctx.t(T::OrderlyTarget)) }
                input type="text" inputmode="decimal" name="target_mw" required value=(v(&f.target_mw, "")); }
            label.field { span.field-label { (ctx.t(T::OrderlyFrom)) }
                input type="datetime-local" name="start" required value=(v(&f.start, &start)); }
            label.field { span.field-label { (ctx.t(T::OrderlyTo)) }
                input type="datetime-local" name="end" required value=(v(&f.end, &end)); }
            button.btn type="submit" { (ctx.t(T::OrderlyCompute)) }
        }
    }
}

fn correlation(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.3}"))
        .unwrap_or_else(|| "-".to_owned())
}

fn plan_card(ctx: &Ctx, f: &PlanForm, p: &OrderlyPlanView) -> Markup {
    // The chart's data: the subtotals as the API gives them, read by app.js.
    let totals = serde_json::json!({
        "subtotals_kw": p.subtotals_kw.iter().map(|m| serde_json::json!({
            "measure": label(ctx, &m.measure), "kw": m.kw
        })).collect::<Vec<_>>()
    })
    .to_string();
    let hidden = |name: &str, v: &Option<String>| {
        html! { input type="hidden" name=(name) value=(v.clone().unwrap_or_default()); }
    };
    html! {
        section.card #orderly-plan data-source=(p.source) {
            h2 { (ctx.t(T::OrderlyPlan)) }
            table.kv {
                tr { th { (ctx.t(T::OrderlyTarget)) } td #plan-target { (kw_mw(&p.target_kw)) " MW" } }
                tr { th { (ctx.t(T::OrderlyTotal)) } td #plan-total { (p.total_kw) " kW" } }
                tr { th { (ctx.t(T::OrderlyShortfall)) }
                    td #plan-shortfall {
                        @match &p.shortfall_kw {
                            Some(s) => span.badge.badge-danger { (s) " kW" },
                            None => span.badge.badge-ok { (ctx.t(T::OrderlyMet)) },
                        }
                    } }
                tr { th { (ctx.t(T::OrderlyCustomers)) } td { (customers_reduced(p)) " / " (p.candidates) } }
                tr { th { (ctx.t(T::OrderlyCurveDays)) }
                    td.mono { @match &p.curve_days { Some(d) => { (d.from) " – " (d.to) }, None => { (ctx.t(T::OrderlyNoCurves)) } } } }
            }
            h3 { (ctx.t(T::OrderlySubtotals)) }
            div.chart #orderly-measures data-chart="orderly-measures" data-json=(totals)
                data-label-kw=(ctx.t(T::OrderlyReduction)) data-empty=(ctx.t(T::NoData)) {
                p.chart-loading { (ctx.t(T::ChartLoading)) }
            }
            div.table-wrap { table.table #plan-subtotals { tbody {
                @for m in &p.subtotals_kw { tr data-measure=(m.measure.code) { td { (label(ctx, &m.measure)) } td.num { (m.kw) } } }
            } } }
            h3 { (ctx.t(T::OrderlySteps)) }
            @if p.steps.is_empty() { p.hint { (ctx.t(T::NoData)) } } @else {
                div.table-wrap { table.table #plan-steps {
                    thead { tr {
                        th.num { "#" } th { (ctx.t(T::OrderlyMeasure)) } th { (ctx.t(T::CustomerNo)) } th { (ctx.t(T::Name)) }
                        th { (ctx.t(T::ImportantGrade)) } th.num { (ctx.t(T::OrderlyPosition)) }
                        th.num { (ctx.t(T::OrderlyReduction)) } th.num { (ctx.t(T::OrderlyRemaining)) }
                        th.num { (ctx.t(T::OrderlyCorrelation)) }
                    } }
                    tbody { @for (i, s) in p.steps.iter().enumerate() {
                        tr data-customer=(s.customer_no) data-measure=(s.measure.code) {
                            td.num { (i + 1) } td { (label(ctx, &s.measure)) }
                            td.mono { a href=(format!("/console/customers/{}", s.customer_no)) { (s.customer_no) } }
                            td { (s.name) }
                            td { @if s.important_grade.code != "none" { span.badge.badge-warn { (label(ctx, &s.important_grade)) } } }
                            td.num { (s.sequence.map(|q| q.to_string()).unwrap_or_default()) }
                            td.num { (s.reduction_kw) @if s.partial { " " span.muted { "(" (ctx.t(T::OrderlyPartial)) ")" } } }
                            td.num { (s.remaining_kw) }
                            td.num { (correlation(s.peak_correlation)) }
                        }
                    } }
                } }
                form.order-form #orderly-issue method="post" action="/console/orderly" {
                    input type="hidden" name="csrf" value=(ctx.csrf());
                    (hidden("target_mw", &f.target_mw)) (hidden("start", &f.start)) (hidden("end", &f.end))
                    div.form-grid {
                        label.field { span.field-label { (ctx.t(T::OrderSubject)) }
                            input type="text" name="title" maxlength="200" placeholder="有序用电"; }
                        label.field { span.field-label { (ctx.t(T::OutageCause)) }
                            input type="text" name="cause" maxlength="500"; }
                    }
                    button.btn type="submit" { (ctx.t(T::OrderlyIssue)) }
                }
            }
        }
    }
}

/// "1.5" MW from the plan's kW target.
fn kw_mw(kw: &str) -> String {
    kw.parse::<Decimal>()
        .map(|d| (d / Decimal::ONE_THOUSAND).normalize().to_string())
        .unwrap_or_default()
}

/// Customers the plan reduces.
fn customers_reduced(p: &OrderlyPlanView) -> usize {
    let mut seen = std::collections::HashSet::new();
    p.steps
        .iter()
        .filter(|s| seen.insert(&s.customer_no))
        .count()
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    form: &PlanForm,
    plan: Option<&OrderlyPlanView>,
    note: Option<T>,
) -> Result<Markup, ConsoleError> {
    let f = fail(ctx);
    let rows = state
        .store
        .orderly_sequence()
        .await
        .map_err(|e| f(e.into()))?;
    let body = html! {
        nav.breadcrumb { a href="/console/outages" { (ctx.t(T::OutageBoard)) } span.sep { "/" } span { (ctx.t(T::OrderlyTitle)) } }
        section.card {
            h1 { (ctx.t(T::OrderlyTitle)) }
            p.lead { (ctx.t(T::OrderlyLead)) }
            (plan_form(ctx, form))
            @if let Some(n) = note { p.alert #orderly-note { (ctx.t(n)) } }
        }
        @if let Some(p) = plan { (plan_card(ctx, form, p)) }
        (sequence_card(ctx, &rows))
    };
    Ok(page(ctx, ctx.t(T::OrderlyTitle), plan.is_some(), body))
}

/// GET /console/orderly: the form, and with a target the plan it gives.
pub async fn page_handler(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    uri: Uri,
) -> Result<Markup, ConsoleError> {
    let f = fail(&ctx);
    let form: PlanForm =
        crate::extract::parse_query(uri.query().unwrap_or_default()).map_err(&f)?;
    if form
        .target_mw
        .as_deref()
        .is_none_or(|t| t.trim().is_empty())
    {
        return render(&state, &ctx, &form, None, None).await;
    }
    let auth = auth_of(&ctx)?;
    let p = api_orderly::make_plan(&state, &auth.actor, &addr, &form.request(false))
        .await
        .map_err(&f)?;
    render(&state, &ctx, &form, Some(&p), None).await
}

/// POST /console/orderly: issues the plan of the form as an orderly-use outage and shows it.
pub async fn issue(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<PlanForm>,
) -> Result<Response, ConsoleError> {
    let f = fail(&ctx);
    let auth = auth_of(&ctx)?;
    let p = api_orderly::make_plan(&state, &auth.actor, &addr, &form.request(true))
        .await
        .map_err(&f)?;
    match &p.outage {
        Some(o) => Ok(Redirect::to(&format!("/console/outages/{}", o.id)).into_response()),
        None => Ok(
            render(&state, &ctx, &form, Some(&p), Some(T::OrderlyNothing))
                .await?
                .into_response(),
        ),
    }
}
