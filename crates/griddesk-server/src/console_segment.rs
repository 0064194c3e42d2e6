//! The value-segmentation page of the console: a period's counts per quadrant, ABC class and
//! tier, and the value matrix as an ECharts scatter (a per-quadrant sample from the API) with
//! the origin lines.

use super::orders::fail;
use super::{ConsoleError, Ctx, page};
use crate::AppState;
use crate::i18n::T;
use axum::extract::State;
use axum::http::Uri;
use griddesk_domain::billing::Period;
use griddesk_domain::segment::{AbcClass, Quadrant, Summary};
use maud::{Markup, html};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Params {
    period: Option<String>,
}

pub async fn page_handler(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: Uri,
) -> Result<Markup, ConsoleError> {
    let f = fail(&ctx);
    let p: Params = crate::extract::parse_query(uri.query().unwrap_or_default()).map_err(&f)?;
    let periods = state
        .store
        .segmentation_periods()
        .await
        .map_err(|e| f(e.into()))?;
    let period = match p.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => Some(Period::parse(raw).map_err(|e| f(e.into()))?),
        None => periods.first().copied(),
    };
    let run = match period {
        Some(p) => state
            .store
            .segmentation_run(p)
            .await
            .map_err(|e| f(e.into()))?,
        None => None,
    };
    let summary: Option<Summary> = match &run {
        Some(r) => Some(
            serde_json::from_str(&r.summary_json)
                .map_err(|e| f(crate::error::ApiError::Internal(e.to_string())))?,
        ),
        None => None,
    };
    let tiers = match (period, &run) {
        (Some(p), Some(_)) => state
            .store
            .tier_movement(p, p)
            .await
            .map_err(|e| f(e.into()))?,
        _ => Vec::new(),
    };
    let body = html! {
        section.card {
            h1 { (ctx.t(T::ValueSegment)) }
            form.filters method="get" action="/console/segmentation" {
                label.field { span.field-label { (ctx.t(T::SegmentPeriod)) }
                    select name="period" {
                        @for p in &periods { option value=(p.to_string()) selected[Some(*p) == period] { (p.to_string()) } }
                    }
                }
                button.btn type="submit" { (ctx.t(T::Filter)) }
            }
            // Analysts start a run of a billed month; it replaces that month's previous run.
            form.filters #segment-run method="post" action="/console/segmentation/runs" {
                input type="hidden" name="csrf" value=(ctx.csrf());
                label.field { span.field-label { (ctx.t(T::SegmentPeriod)) }
                    input type="month" name="period" required
                        value=(Period::of(crate::time::today()).add_months(-1).to_string());
                }
                button.btn type="submit" { (ctx.t(T::SegmentRun)) }
            }
        }
        @if let (Some(p), Some(s)) = (period, &summary) {
            section.card #segment-counts {
                h2 { (ctx.t(T::ValueQuadrant)) " " span.muted { (p.to_string()) " · " (s.customers) } }
                div.table-wrap { table.table {
                    thead { tr { @for q in Quadrant::ALL { th { (q.label(ctx.lang)) } } } }
                    tbody { tr { @for q in Quadrant::ALL { td.quadrant-count data-quadrant=(q.code()) { (s.quadrants.get(q).copied().unwrap_or(0)) } } } }
                } }
                p.muted { (ctx.t(T::CurrentPotential)) ": " (format!("{:.3} / {:.3}", s.origin.current, s.origin.potential)) }
                h2 { (ctx.t(T::AbcClassTitle)) }
                div.table-wrap { table.table {
                    thead { tr { @for a in AbcClass::ALL { th { (a.label(ctx.lang)) } } } }
                    tbody { tr { @for a in AbcClass::ALL { td { (s.abc.get(a).copied().unwrap_or(0)) } } } }
                } }
                h2 { (ctx.t(T::ServiceTier)) }
                div.table-wrap { table.table {
                    thead { tr { @for t in &tiers { th { (t.to.map(|t| t.to_string()).unwrap_or_default()) } } } }
                    tbody { tr { @for t in &tiers { td { (t.count) } } } }
                } }
            }
            section.card {
                h2 { (ctx.t(T::ValueQuadrant)) }
                div #value-matrix.chart data-chart="value-matrix"
                    data-src=(format!("/api/v1/segmentation/{p}/members?limit=2000"))
                    data-label-current=(ctx.t(T::CurrentValue)) data-label-potential=(ctx.t(T::PotentialValue))
                    data-labels=(Quadrant::ALL.iter().map(|q| format!("{}={}", q.code(), q.label(ctx.lang))).collect::<Vec<_>>().join("|"))
                    data-empty=(ctx.t(T::NoData)) {
                    p.chart-loading { (ctx.t(T::ChartLoading)) }
                }
            }
        } @else {
            section.card { p.muted #not-segmented { (ctx.t(T::NotSegmented)) } }
        }
    };
    Ok(page(&ctx, ctx.t(T::ValueSegment), true, body))
}

#[derive(Debug, Deserialize)]
pub struct RunForm {
    period: String,
}

/// POST /console/segmentation/runs: segments the period now and shows it.
pub async fn post_run(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Form(form): axum::extract::Form<RunForm>,
) -> Result<axum::response::Response, ConsoleError> {
    use axum::response::IntoResponse;
    let f = fail(&ctx);
    let auth = super::orders::auth_of(&ctx)?;
    let period = crate::api_segment::run_now(&state, &auth.actor, &form.period)
        .await
        .map_err(&f)?;
    Ok(
        axum::response::Redirect::to(&format!("/console/segmentation?period={period}"))
            .into_response(),
    )
}
