//! Console pages of the weekly and monthly outage plans, a child module of the console: the
//! plan page (upload a plan file, the rows by week or month with their status and the repeat
//! warnings highlighted, tick drafts and issue them as one outage) and each job's page with its
//! edit form. Forms call the same functions as the API (`api_outage_plans::edit_plan`,
//! `cancel_plan`, `issue_plans`); the upload goes to the import API from app.js.

use super::orders::{auth_of, fail};
use super::{ConsoleError, Ctx, label, page};
use crate::AppState;
use crate::api_maintenance;
use crate::api_outage_plans::{
    self, AdviceView, IssueRequest, PlanPatch, PlanRowView, list_view, plan_advice, plan_view,
};
use crate::api_outages::ScopeRequest;
use crate::auth::ClientAddr;
use crate::error::ApiError;
use crate::i18n::T;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use griddesk_domain::access::Permission;
use griddesk_domain::outage_plan::PlanKind;
use maud::{Markup, html};
use serde::Deserialize;

type PageResult = Result<Markup, ConsoleError>;

fn minute(rfc: &str) -> String {
    rfc.get(..16).unwrap_or_default().replace('T', " ")
}

/// One warning, worded from its parts so it reads in either language.
fn advice_item(ctx: &Ctx, a: &AdviceView) -> Markup {
    if a.kind == "customer_maintenance" {
        return html! {
            li data-advice=(a.kind) {
                span.badge.badge-warn { (ctx.t(T::AdviceCustomer)) } " "
                @for n in &a.shared_customers { a.mono href=(format!("/console/customers/{n}")) { (n) } " " }
                @if let Some(d) = &a.other_date { span.mono { (d) } }
                " — " (ctx.t(T::AdviceCustomerDo))
            }
        };
    }
    let repeat = a.kind == "repeat";
    let shared: Vec<&str> = a
        .shared_areas
        .iter()
        .chain(&a.shared_customers)
        .map(String::as_str)
        .collect();
    html! {
        li data-advice=(a.kind) {
            span.badge.badge-warn { (ctx.t(if repeat { T::AdviceRepeat } else { T::AdviceOverlap })) } " "
            span.mono { (shared.join(", ")) } " · "
            @if let Some(j) = &a.other_job {
                (ctx.t(T::AdviceJob)) " " a href=(format!("/console/outage-plans/{j}")) { (j) }
            }
            @if let Some(id) = a.other_outage {
                (ctx.t(T::Outage)) " " a href=(format!("/console/outages/{id}")) { "#" (id) }
            }
            @if let (Some(d), Some(n)) = (&a.other_date, a.days_apart) {
                " " span.mono { (d) } " · " (ctx.t(T::AdviceApart)) " " (n) " " (ctx.t(T::PlanDays))
                " (" (ctx.t(T::AdviceWithin)) " " (a.window_days) " " (ctx.t(T::PlanDays)) ")"
            }
            " — " (ctx.t(if repeat { T::AdviceRepeatDo } else { T::AdviceOverlapDo }))
        }
    }
}

fn advice_list(ctx: &Ctx, list: &[AdviceView]) -> Markup {
    html! { @if !list.is_empty() { ul.advice { @for a in list { (advice_item(ctx, a)) } } } }
}

fn status_cell(ctx: &Ctx, r: &PlanRowView) -> Markup {
    html! {
        span.badge data-status=(r.status.code) { (label(ctx, &r.status)) }
        @if let Some(id) = r.outage_id {
            " " a href=(format!("/console/outages/{id}")) data-issued=(id) { (ctx.t(T::PlanIssuedAs)) " #" (id) }
        }
    }
}

fn rows_table(ctx: &Ctx, rows: &[&PlanRowView], pick: bool) -> Markup {
    html! {
        div.table-wrap { table.table {
            thead { tr {
                @if pick { th {} }
                th { (ctx.t(T::PlanJob)) } th { (ctx.t(T::PlanTitleCol)) } th { (ctx.t(T::OrderStatus)) }
                th { (ctx.t(T::OutageScope)) } th { (ctx.t(T::PlanStart)) } th { (ctx.t(T::PlanEnd)) }
                th { (ctx.t(T::PlanUnit)) }
            } }
            tbody { @for r in rows {
                tr class=[(!r.advice.is_empty()).then_some("plan-warn")] data-job=(r.job_id) {
                    @if pick { td { @if r.status.code == "draft" {
                        input type="checkbox" name="job_ids" value=(r.job_id) aria-label=(r.job_id);
                    } } }
                    td.mono { a href=(format!("/console/outage-plans/{}", r.job_id)) { (r.job_id) } }
                    td { (r.title) (advice_list(ctx, &r.advice)) }
                    td { (status_cell(ctx, r)) }
                    td.mono { (r.scope_kind) ": " (r.scope.join(", ")) }
                    td.mono { (minute(&r.planned_start)) } td.mono { (minute(&r.planned_end)) }
                    td.mono { (r.responsible_unit) }
                }
            } }
        } }
    }
}

/// GET /console/outage-plans
pub async fn plans(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let f = fail(&ctx);
    let view = list_view(&state, None).await.map_err(&f)?;
    let write = ctx.may(Permission::OutageWrite);
    // Weekly plans by ISO week, monthly plans by month, in the order of their first start.
    let mut groups: Vec<(String, Vec<&PlanRowView>)> = Vec::new();
    for r in &view.rows {
        let key = if r.kind.code == PlanKind::Weekly.code() {
            format!("{} · {}", ctx.t(T::PlanWeekly), r.week)
        } else {
            format!("{} · {}", ctx.t(T::PlanMonthly), r.month)
        };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(r),
            None => groups.push((key, vec![r])),
        }
    }
    let now = crate::time::now();
    let maintenance = state
        .store
        .maintenance_between(now, now + jiff::SignedDuration::from_hours(24 * 90), 200)
        .await
        .map_err(|e| fail(&ctx)(e.into()))?;
    let body = html! {
        nav.breadcrumb { a href="/console/outages" { (ctx.t(T::OutageBoard)) } span.sep { "/" } span { (ctx.t(T::NavOutagePlans)) } }
        section.card {
            h1 { (ctx.t(T::PlanTitle)) }
            p.lead { (ctx.t(T::PlanLead)) " " (ctx.t(T::PlanWindow)) ": " span #window-days { (view.window_days) } " " (ctx.t(T::PlanDays)) }
            @if write {
                div.plan-upload #plan-upload data-plan-upload="/api/v1/outage-plans/import" data-csrf=(ctx.csrf()) {
                    label.btn { (ctx.t(T::PlanUpload))
                        input.visually-hidden type="file" accept=".csv,.xlsx" data-plan-file;
                    }
                    span.muted { (ctx.t(T::PlanUploadHint)) }
                    div data-plan-status {}
                }
            }
        }
        section.card #plan-rows {
            @if view.rows.is_empty() { p.hint { (ctx.t(T::NoData)) } } @else {
                form #issue-form method="post" action="/console/outage-plans/issue" {
                    input type="hidden" name="csrf" value=(ctx.csrf());
                    @for (key, rows) in &groups {
                        h2 { (key) }
                        (rows_table(&ctx, rows, write))
                    }
                    @if write {
                        div.actions {
                            label.field.grow { span.field-label { (ctx.t(T::PlanIssueTitle)) } input type="text" name="title" maxlength="200"; }
                            button.btn type="submit" { (ctx.t(T::PlanIssue)) }
                        }
                    }
                }
            }
        }
        (maintenance_card(&ctx, &maintenance))
    };
    Ok(page(&ctx, ctx.t(T::PlanTitle), false, body))
}

/// Customers' own maintenance of the next 90 days, with the form customer managers record it by.
fn maintenance_card(ctx: &Ctx, list: &[griddesk_store::outage_plan::StoredMaintenance]) -> Markup {
    html! {
        section.card #customer-maintenance {
            h2 { (ctx.t(T::MaintenanceTitle)) }
            p.hint { (ctx.t(T::MaintenanceHint)) }
            @if list.is_empty() { p.hint { (ctx.t(T::NoData)) } } @else {
                div.table-wrap { table.table { tbody { @for m in list {
                    @let v = api_maintenance::view(m);
                    tr data-maintenance=(v.id) {
                        td.mono { a href=(format!("/console/customers/{}", v.customer_no)) { (v.customer_no) } }
                        td.mono { (v.area.clone().unwrap_or_default()) }
                        td.mono { (minute(&v.start)) " – " (minute(&v.end)) }
                        td { (v.note) }
                    }
                } } } }
            }
            @if ctx.may(Permission::OrderWrite) {
                form.order-form #maintenance-form method="post" action="/console/customer-maintenance" {
                    input type="hidden" name="csrf" value=(ctx.csrf());
                    div.form-grid {
                        label.field { span.field-label { (ctx.t(T::CustomerNo)) } input type="text" name="customer_no" required maxlength="10" inputmode="numeric"; }
                        label.field { span.field-label { (ctx.t(T::PlanStart)) } input type="datetime-local" name="start" required; }
                        label.field { span.field-label { (ctx.t(T::PlanEnd)) } input type="datetime-local" name="end" required; }
                        label.field.grow { span.field-label { (ctx.t(T::Note)) } input type="text" name="note" maxlength="200"; }
                    }
                    button.btn type="submit" { (ctx.t(T::MaintenanceRecord)) }
                }
            }
        }
    }
}

/// POST /console/customer-maintenance
pub async fn post_maintenance(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<api_maintenance::MaintenanceRequest>,
) -> Result<Response, ConsoleError> {
    let f = fail(&ctx);
    let auth = auth_of(&ctx)?;
    api_maintenance::record(&state, &auth.actor, &addr, &form)
        .await
        .map_err(&f)?;
    Ok(Redirect::to("/console/outage-plans#customer-maintenance").into_response())
}

fn job_of(ctx: &Ctx, path: Result<Path<String>, PathRejection>) -> Result<String, ConsoleError> {
    path.map(|p| p.0)
        .map_err(|e| fail(ctx)(ApiError::invalid("job_id", e.body_text())))
}

/// The local `YYYY-MM-DDTHH:MM` a datetime-local input shows.
fn local_input(rfc: &str) -> String {
    rfc.get(..16).unwrap_or_default().to_owned()
}

fn edit_form(ctx: &Ctx, r: &PlanRowView) -> Markup {
    let kinds = [
        ("areas", T::ScopeAreas),
        ("feeders", T::ScopeFeeders),
        ("substation", T::ScopeSubstation),
        ("customers", T::ScopeCustomers),
    ];
    html! {
        form.order-form #plan-edit method="post" action=(format!("/console/outage-plans/{}/edit", r.job_id)) {
            input type="hidden" name="csrf" value=(ctx.csrf());
            div.form-grid {
                label.field { span.field-label { (ctx.t(T::PlanKindCol)) }
                    select name="kind" { @for k in PlanKind::ALL {
                        option value=(k.code()) selected[k.code() == r.kind.code] { (k.label(ctx.lang)) }
                    } } }
                label.field { span.field-label { (ctx.t(T::PlanTitleCol)) } input type="text" name="title" required maxlength="100" value=(r.title); }
                label.field { span.field-label { (ctx.t(T::OutageScope)) }
                    select name="scope_kind" { @for (k, t) in kinds {
                        option value=(k) selected[k == r.scope_kind] { (ctx.t(t)) }
                    } } }
                label.field { span.field-label { (ctx.t(T::OutageCodes)) } input type="text" name="codes" required maxlength="2000" value=(r.scope.join(", ")); }
                label.field { span.field-label { (ctx.t(T::PlanStart)) } input type="datetime-local" name="planned_start" required value=(local_input(&r.planned_start)); }
                label.field { span.field-label { (ctx.t(T::PlanEnd)) } input type="datetime-local" name="planned_end" required value=(local_input(&r.planned_end)); }
                label.field { span.field-label { (ctx.t(T::PlanWork)) } input type="text" name="work_content" required maxlength="500" value=(r.work_content); }
                label.field { span.field-label { (ctx.t(T::PlanUnit)) } input type="text" name="responsible_unit" required maxlength="32" value=(r.responsible_unit); }
                label.field { span.field-label { (ctx.t(T::PlanReason)) } input type="text" name="reason" required maxlength="200" value=(r.reason); }
            }
            button.btn type="submit" { (ctx.t(T::PlanSave)) }
        }
        form.action-form #plan-cancel method="post" action=(format!("/console/outage-plans/{}/cancel", r.job_id)) {
            input type="hidden" name="csrf" value=(ctx.csrf());
            button.btn.btn-secondary type="submit" { (ctx.t(T::PlanCancel)) }
        }
    }
}

/// GET /console/outage-plans/{job_id}
pub async fn plan(
    State(state): State<AppState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> PageResult {
    let f = fail(&ctx);
    let job = job_of(&ctx, path)?;
    let code =
        griddesk_domain::values::Code::parse_field("job_id", &job).map_err(|e| f(e.into()))?;
    let stored = state
        .store
        .outage_plans_of(std::slice::from_ref(&code))
        .await
        .map_err(|e| f(e.into()))?
        .pop()
        .ok_or_else(|| {
            f(ApiError::NotFound {
                field: "job_id",
                value: job.clone(),
            })
        })?;
    // The job against the whole current plan, as on the plan page.
    let all = list_view(&state, None).await.map_err(&f)?;
    let r = match all.rows.into_iter().find(|r| r.job_id == job) {
        Some(r) => r,
        None => {
            let mut advice = plan_advice(&state, std::slice::from_ref(&stored))
                .await
                .map_err(&f)?;
            plan_view(&stored, advice.remove(job.as_str()).unwrap_or_default())
        }
    };
    let body = html! {
        nav.breadcrumb {
            a href="/console/outages" { (ctx.t(T::OutageBoard)) } span.sep { "/" }
            a href="/console/outage-plans" { (ctx.t(T::NavOutagePlans)) } span.sep { "/" } span { (r.job_id) }
        }
        section.card #plan data-version=(r.version) {
            h1 { (label(&ctx, &r.kind)) " · " (r.title) }
            div.badges { (status_cell(&ctx, &r)) }
            (advice_list(&ctx, &r.advice))
            table.kv {
                tr { th { (ctx.t(T::PlanJob)) } td.mono { (r.job_id) } }
                tr { th { (ctx.t(T::OutageScope)) } td.mono { (r.scope_kind) ": " (r.scope.join(", ")) } }
                tr { th { (ctx.t(T::PlanStart)) } td.mono { (minute(&r.planned_start)) } }
                tr { th { (ctx.t(T::PlanEnd)) } td.mono { (minute(&r.planned_end)) } }
                tr { th { (ctx.t(T::PlanWork)) } td { (r.work_content) } }
                tr { th { (ctx.t(T::PlanUnit)) } td.mono { (r.responsible_unit) } }
                tr { th { (ctx.t(T::PlanReason)) } td { (r.reason) } }
            }
        }
        @if ctx.may(Permission::OutageWrite) && r.status.code == "draft" {
            section.card { h2 { (ctx.t(T::PlanEdit)) } (edit_form(&ctx, &r)) }
        }
    };
    Ok(page(&ctx, &r.title, false, body))
}

#[derive(Debug, Deserialize)]
pub struct PlanForm {
    kind: String,
    title: String,
    scope_kind: String,
    codes: String,
    planned_start: String,
    planned_end: String,
    work_content: String,
    responsible_unit: String,
    reason: String,
}

/// The scope of a form's kind and comma-separated codes.
pub(super) fn form_scope(kind: &str, codes: &str) -> Result<ScopeRequest, ApiError> {
    let codes: Vec<String> = codes
        .split([',', '，', ';', '；', ' ', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    let mut scope = ScopeRequest {
        substation: None,
        feeders: Vec::new(),
        areas: Vec::new(),
        customers: Vec::new(),
    };
    match kind {
        "substation" => scope.substation = codes.first().cloned(),
        "feeders" => scope.feeders = codes,
        "areas" => scope.areas = codes,
        "customers" => scope.customers = codes,
        _ => {
            return Err(ApiError::invalid(
                "scope_kind",
                "substation, feeders, areas or customers",
            ));
        }
    }
    Ok(scope)
}

/// POST /console/outage-plans/{job_id}/edit
pub async fn post_edit(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    path: Result<Path<String>, PathRejection>,
    Form(form): Form<PlanForm>,
) -> Result<Response, ConsoleError> {
    let f = fail(&ctx);
    let job = job_of(&ctx, path)?;
    let auth = auth_of(&ctx)?;
    let patch = PlanPatch {
        kind: Some(form.kind),
        title: Some(form.title),
        scope: Some(form_scope(&form.scope_kind, &form.codes).map_err(&f)?),
        planned_start: Some(form.planned_start),
        planned_end: Some(form.planned_end),
        work_content: Some(form.work_content),
        responsible_unit: Some(form.responsible_unit),
        reason: Some(form.reason),
    };
    api_outage_plans::edit_plan(&state, &auth.actor, &addr, &job, &patch)
        .await
        .map_err(&f)?;
    Ok(Redirect::to(&format!("/console/outage-plans/{job}")).into_response())
}

/// POST /console/outage-plans/{job_id}/cancel
pub async fn post_cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ConsoleError> {
    let f = fail(&ctx);
    let job = job_of(&ctx, path)?;
    let auth = auth_of(&ctx)?;
    api_outage_plans::cancel_plan(&state, &auth.actor, &addr, &job)
        .await
        .map_err(&f)?;
    Ok(Redirect::to("/console/outage-plans").into_response())
}

/// POST /console/outage-plans/issue: the ticked rows (`job_ids`, repeated) as one outage. The
/// form is read as pairs because a urlencoded list repeats its key.
pub async fn post_issue(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    body: Bytes,
) -> Result<Response, ConsoleError> {
    let f = fail(&ctx);
    let auth = auth_of(&ctx)?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| f(ApiError::invalid("form", e.to_string())))?;
    let field = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let r = IssueRequest {
        job_ids: field("job_ids"),
        title: field("title").into_iter().find(|t| !t.trim().is_empty()),
        cause: None,
    };
    let (o, _) = api_outage_plans::issue_plans(&state, &auth.actor, &addr, &r)
        .await
        .map_err(&f)?;
    Ok(Redirect::to(&format!("/console/outages/{}", o.id)).into_response())
}
