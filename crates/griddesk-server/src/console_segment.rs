//! The value-segmentation page of the console: a period's counts per quadrant, ABC class,
//! three-dimension grade and tier (each count opens the list of its customers), the value
//! matrix as an ECharts scatter (a per-quadrant sample from the API) with the origin lines, and
//! the movement of any grading between two periods as a transition matrix and a sankey.

use super::orders::fail;
use super::{ConsoleError, Ctx, page};
use crate::AppState;
use crate::api_segment::{MembersParams, MovementParams, MovementView};
use crate::i18n::T;
use axum::extract::State;
use axum::http::Uri;
use griddesk_domain::billing::Period;
use griddesk_domain::segment::{AbcClass, Grading, Quadrant, Summary, ThreeDimGrade};
use griddesk_domain::values::Lang;
use maud::{Markup, html};
use serde::Deserialize;

/// Most customers a drill-down lists.
const LIST_LIMIT: u32 = 200;

#[derive(Debug, Deserialize)]
struct Params {
    period: Option<String>,
    quadrant: Option<String>,
    abc: Option<String>,
    grade: Option<String>,
    tier: Option<String>,
    from: Option<String>,
    to: Option<String>,
    grading: Option<String>,
}

/// The link opening the customers of one count.
fn drill(p: Period, key: &str, code: &str) -> String {
    format!("/console/segmentation?period={p}&{key}={code}#segment-list")
}

/// The sankey's nodes and links: each period's grades are separate nodes (named with the
/// period, so the graph has no cycles); customers new or gone are left out of the flows.
fn sankey_json(m: &MovementView, lang: Lang) -> String {
    let label = |code: &str| {
        m.grades
            .iter()
            .find(|g| g.code == code)
            .map(|g| {
                if lang == Lang::Zh {
                    g.zh.clone()
                } else {
                    g.en.clone()
                }
            })
            .unwrap_or_else(|| code.to_owned())
    };
    let node = |period: &str, code: &str| format!("{period} {}", label(code));
    let mut nodes = Vec::new();
    for period in [&m.from, &m.to] {
        for g in &m.grades {
            nodes.push(serde_json::json!({ "name": node(period, &g.code) }));
        }
    }
    let links: Vec<serde_json::Value> = m
        .cells
        .iter()
        .filter_map(|c| {
            Some(serde_json::json!({
                "source": node(&m.from, c.from.as_deref()?),
                "target": node(&m.to, c.to.as_deref()?),
                "value": c.count,
            }))
        })
        .collect();
    serde_json::json!({ "nodes": nodes, "links": links }).to_string()
}

fn movement_card(ctx: &Ctx, periods: &[Period], grading: Grading, m: &MovementView) -> Markup {
    let lang = ctx.lang;
    let count = |from: Option<&str>, to: Option<&str>| -> i64 {
        m.cells
            .iter()
            .filter(|c| c.from.as_deref() == from && c.to.as_deref() == to)
            .map(|c| c.count)
            .sum()
    };
    let codes: Vec<&str> = m.grades.iter().map(|g| g.code.as_str()).collect();
    let label = |c: &str| grading.label_of(c, lang);
    let rows: Vec<Option<&str>> = codes.iter().map(|c| Some(*c)).chain([None]).collect();
    html! {
        section.card #segment-movement {
            h2 { (ctx.t(T::Movement)) }
            form.filters method="get" action="/console/segmentation#segment-movement" {
                input type="hidden" name="period" value=(m.to);
                label.field { span.field-label { (ctx.t(T::MovementFrom)) }
                    select name="from" {
                        @for p in periods { option value=(p.to_string()) selected[p.to_string() == m.from] { (p.to_string()) } }
                    }
                }
                label.field { span.field-label { (ctx.t(T::MovementTo)) }
                    select name="to" {
                        @for p in periods { option value=(p.to_string()) selected[p.to_string() == m.to] { (p.to_string()) } }
                    }
                }
                label.field { span.field-label { (ctx.t(T::GradingKind)) }
                    select name="grading" {
                        @for g in Grading::ALL { option value=(g.code()) selected[*g == grading] { (g.label(lang)) } }
                    }
                }
                button.btn type="submit" { (ctx.t(T::MovementShow)) }
            }
            p.muted #movement-summary {
                (ctx.t(T::MovementStayed)) " " span data-k="stayed" { (m.stayed) } " · "
                (ctx.t(T::MovementRose)) " " span data-k="rose" { (m.rose) } " · "
                (ctx.t(T::MovementFell)) " " span data-k="fell" { (m.fell) } " · "
                (ctx.t(T::MovementNew)) " " span data-k="new" { (m.new) } " · "
                (ctx.t(T::MovementGone)) " " span data-k="gone" { (m.gone) }
            }
            div.table-wrap { table.table #movement-matrix {
                thead { tr {
                    th { (m.from) " → " (m.to) }
                    @for c in &codes { th { (label(c)) } }
                    th { (ctx.t(T::MovementGone)) }
                } }
                tbody {
                    @for r in &rows {
                        tr {
                            th { @match r { Some(c) => (label(c)), None => (ctx.t(T::MovementNew)) } }
                            @for c in &codes {
                                td data-from=(r.unwrap_or("new")) data-to=(c) { (count(*r, Some(c))) }
                            }
                            td data-from=(r.unwrap_or("new")) data-to="gone" {
                                @if r.is_some() { (count(*r, None)) }
                            }
                        }
                    }
                }
            } }
            @if m.from == m.to {
                p.muted { (ctx.t(T::MovementSamePeriod)) }
            } @else {
                div #movement-sankey.chart data-chart="grade-sankey"
                    data-json=(sankey_json(m, lang)) data-empty=(ctx.t(T::NoData)) {
                    p.chart-loading { (ctx.t(T::ChartLoading)) }
                }
            }
        }
    }
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
    let lang = ctx.lang;
    let mut tiers: Vec<(String, i64)> = Vec::new();
    let mut grades = std::collections::BTreeMap::new();
    let mut movement = None;
    let mut list = None;
    if let (Some(period), Some(_)) = (period, &run) {
        if let Some(sum) = &summary {
            let store = state.store.as_ref();
            tiers = crate::api_segment::grade_counts(store, sum, Grading::Tier, period)
                .await
                .map_err(&f)?
                .into_iter()
                .collect();
            grades = crate::api_segment::grade_counts(store, sum, Grading::Grade, period)
                .await
                .map_err(&f)?;
        }
        // Movement into the shown period, by default from the segmented period before it.
        let earlier = periods
            .iter()
            .copied()
            .find(|q| *q < period)
            .unwrap_or(period);
        let mq = MovementParams {
            from: p.from.clone().unwrap_or_else(|| earlier.to_string()),
            to: p.to.clone().unwrap_or_else(|| period.to_string()),
            grading: p.grading.clone(),
        };
        let (grading, from, to) = crate::api_segment::movement_params(&mq).map_err(&f)?;
        let store = state.store.as_ref();
        let created = |p: Period| crate::api_segment::run_created(store, p);
        let times = (
            created(from).await.map_err(&f)?,
            created(to).await.map_err(&f)?,
        );
        let view = crate::api_segment::movement_cached(&state, grading, (from, to), times)
            .await
            .map_err(&f)?;
        movement = Some((grading, view));
        let filter = crate::api_segment::member_filter(&MembersParams {
            quadrant: p.quadrant.clone(),
            abc: p.abc.clone(),
            grade: p.grade.clone(),
            tier: p.tier.clone(),
            limit: None,
        })
        .map_err(&f)?;
        if filter != Default::default() {
            let rows = state
                .store
                .segment_members(period, &filter, LIST_LIMIT)
                .await
                .map_err(|e| f(e.into()))?;
            list = Some(rows);
        }
    }
    let grade_count = |g: ThreeDimGrade| grades.get(g.code()).copied().unwrap_or(0);
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
                    thead { tr { @for q in Quadrant::ALL { th { (q.label(lang)) } } } }
                    tbody { tr { @for q in Quadrant::ALL { td.quadrant-count data-quadrant=(q.code()) {
                        a href=(drill(p, "quadrant", q.code())) { (s.quadrants.get(q).copied().unwrap_or(0)) }
                    } } } }
                } }
                p.muted { (ctx.t(T::CurrentPotential)) ": " (format!("{:.3} / {:.3}", s.origin.current, s.origin.potential)) }
                h2 { (ctx.t(T::AbcClassTitle)) }
                div.table-wrap { table.table {
                    thead { tr { @for a in AbcClass::ALL { th { (a.label(lang)) } } } }
                    tbody { tr { @for a in AbcClass::ALL { td { a href=(drill(p, "abc", a.code())) { (s.abc.get(a).copied().unwrap_or(0)) } } } } }
                } }
                h2 { (ctx.t(T::GradeTitle)) }
                div.table-wrap { table.table {
                    thead { tr { @for g in ThreeDimGrade::ALL { th { (g.label(lang)) } } } }
                    tbody { tr { @for g in ThreeDimGrade::ALL { td.grade-count data-grade=(g.code()) {
                        a href=(drill(p, "grade", g.code())) { (grade_count(*g)) }
                    } } } }
                } }
                h2 { (ctx.t(T::ServiceTier)) }
                div.table-wrap { table.table {
                    thead { tr { @for (code, _) in &tiers { th { (code) } } } }
                    tbody { tr { @for (code, n) in &tiers { td {
                        a href=(drill(p, "tier", code)) { (n) }
                    } } } }
                } }
            }
            @if let Some(rows) = &list {
                section.card #segment-list {
                    h2 { (ctx.t(T::SegmentMembers)) }
                    p.muted { (ctx.t(T::SegmentMembersNote)) }
                    div.table-wrap { table.table {
                        thead { tr {
                            th { (ctx.t(T::CustomerNo)) }
                            th { (ctx.t(T::CurrentValue)) }
                            th { (ctx.t(T::PotentialValue)) }
                            th { (ctx.t(T::ValueQuadrant)) }
                            th { (ctx.t(T::AbcClassTitle)) }
                            th { (ctx.t(T::GradeTitle)) }
                            th { (ctx.t(T::GradeScore)) }
                            th { (ctx.t(T::ServiceTier)) }
                        } }
                        tbody {
                            @for r in rows {
                                tr.segment-member {
                                    td { a href=(format!("/console/customers/{}", r.customer)) { (r.customer) } }
                                    td { (format!("{:.3}", r.value.current)) }
                                    td { (format!("{:.3}", r.value.potential)) }
                                    td { (r.quadrant.label(lang)) }
                                    td { (r.abc.label(lang)) }
                                    td { (r.three_dim.map(|g| g.grade.label(lang)).unwrap_or("-")) }
                                    td { (r.three_dim.map(|g| format!("{:.1}", g.score)).unwrap_or_default()) }
                                    td { (r.service.tier) }
                                }
                            }
                        }
                    } }
                }
            }
            section.card {
                h2 { (ctx.t(T::ValueQuadrant)) }
                div #value-matrix.chart data-chart="value-matrix"
                    data-src=(format!("/api/v1/segmentation/{p}/members?limit=2000"))
                    data-label-current=(ctx.t(T::CurrentValue)) data-label-potential=(ctx.t(T::PotentialValue))
                    data-labels=(Quadrant::ALL.iter().map(|q| format!("{}={}", q.code(), q.label(lang))).collect::<Vec<_>>().join("|"))
                    data-empty=(ctx.t(T::NoData)) {
                    p.chart-loading { (ctx.t(T::ChartLoading)) }
                }
            }
            @if let Some((grading, m)) = &movement {
                (movement_card(&ctx, &periods, *grading, m))
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
