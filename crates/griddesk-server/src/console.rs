//! The customer-360 web console: server-rendered HTML (maud), htmx for the live search, ECharts
//! (driven by app.js from the JSON API) for charts. Simplified Chinese by default; `?lang=en`
//! switches to English and remembers the choice in a `lang` cookie. Pages carry no inline script
//! or style, so the strict Content-Security-Policy holds.

use crate::error::ApiError;
use crate::i18n::{self, T};
use crate::model::{CustomerView, HistoryView, money_text};
use crate::{AppState, api, assets};
use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use griddesk_domain::customer::{ImportantGrade, TariffCategory};
use griddesk_domain::topology::AreaType;
use griddesk_domain::values::{Code, CustomerNo, Lang};
use griddesk_store::CustomerFilter;
use maud::{DOCTYPE, Markup, PreEscaped, html};

#[path = "console_access.rs"]
mod access;
#[path = "console_knowledge.rs"]
mod knowledge;
#[path = "console_orderly.rs"]
mod orderly;
#[path = "console_orders.rs"]
mod orders;
#[path = "console_outage_plans.rs"]
mod outage_plans;
#[path = "console_outages.rs"]
mod outages;
#[path = "console_segment.rs"]
mod segment;

/// Rows a console search shows.
const CONSOLE_LIMIT: u32 = 50;
const RECENT_PAYMENTS: usize = 12;
const RECENT_READINGS: usize = 10;

/// The console's routes, registered through [`Registry`] so the route table lists them.
fn register<R: Registry>(r: R) -> R {
    r.get("/", || async { Redirect::to("/console") })
        .get("/console", home)
        .get("/console/search", search)
        .get("/console/customers/{customer_no}", customer)
        .post("/console/customers/{customer_no}/unmask", access::unmask)
        .get("/console/areas/{area_code}/plates", area_plates)
        .get("/login", access::login_page)
        .post("/login", access::login)
        .post("/logout", access::logout)
        .get("/console/audit", access::audit_page)
        .get("/console/tokens", access::tokens_page)
        .post("/console/tokens", access::create_token)
        .post("/console/tokens/{id}/revoke", access::revoke_token)
        .get("/portal", access::portal)
        .post("/portal/code", access::portal_code)
        .post("/portal/login", access::portal_login)
        .get("/portal/account", access::portal_account)
        .get("/console/orders", orders::queue)
        .get("/console/orders/{id}", orders::order)
        .post("/console/orders", orders::post_order)
        .post("/console/orders/{id}/actions", orders::post_action)
        .post("/console/orders/{id}/complaint", orders::post_complaint)
        .post("/console/orders/{id}/finding", orders::post_finding)
        .get("/console/workbench", orders::workbench)
        .get("/console/workbench/lookup", orders::lookup)
        .post("/console/presence", orders::post_presence)
        .post("/console/callbacks/{id}/done", orders::post_callback_done)
        .get("/console/dispatch", orders::dispatch_board)
        .get("/console/crew", orders::crew)
        .get("/console/complaints", orders::complaints)
        .get("/console/segmentation", segment::page_handler)
        .post("/console/segmentation/runs", segment::post_run)
        .get("/notices/outages", outages::public_notices)
        .get("/console/orderly", orderly::page_handler)
        .post("/console/orderly", orderly::issue)
        .get("/console/outages", outages::board)
        .get("/console/outages/tree", outages::tree)
        .post("/console/outages", outages::create)
        .get("/console/outages/{id}", outages::outage)
        .post("/console/outages/{id}/actions", outages::post_action)
        .post("/console/outage-tasks/{id}/done", outages::post_task_done)
        .get("/console/outage-plans", outage_plans::plans)
        .post("/console/outage-plans/issue", outage_plans::post_issue)
        .post(
            "/console/customer-maintenance",
            outage_plans::post_maintenance,
        )
        .get("/console/outage-plans/{job_id}", outage_plans::plan)
        .post(
            "/console/outage-plans/{job_id}/edit",
            outage_plans::post_edit,
        )
        .post(
            "/console/outage-plans/{job_id}/cancel",
            outage_plans::post_cancel,
        )
        .get("/console/knowledge", knowledge::list)
        .get("/console/knowledge/suggest", knowledge::suggest)
        .get("/console/knowledge/new", knowledge::new_page)
        .post("/console/knowledge", knowledge::create)
        .get("/console/knowledge/{id}", knowledge::article)
        .post("/console/knowledge/{id}", knowledge::update)
        .post("/portal/requests", access::portal_request)
}

pub fn routes() -> Router<AppState> {
    register(RouterRegistry(Router::new()))
        .0
        .route_layer(middleware::from_fn(lang_cookie))
}

/// (method, path) of every console route.
pub fn route_list() -> Vec<(&'static str, &'static str)> {
    register(ListRegistry(Vec::new())).0
}

/// Something console routes are registered with: the router, or the list of routes.
trait Registry: Sized {
    fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self;
    fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self;
}

struct RouterRegistry(Router<AppState>);
struct ListRegistry(Vec<(&'static str, &'static str)>);

impl Registry for RouterRegistry {
    fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        RouterRegistry(self.0.route(path, get(h)))
    }
    fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        RouterRegistry(self.0.route(path, axum::routing::post(h)))
    }
}

impl Registry for ListRegistry {
    fn get<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, _: H) -> Self {
        self.0.push(("GET", path));
        self
    }
    fn post<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, _: H) -> Self {
        self.0.push(("POST", path));
        self
    }
}

/// Per-request page context: language, where we are (for the language switch link) and who is
/// reading (for the menu and the CSRF token of forms).
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    path: String,
    query: String,
    company: String,
    auth: Option<crate::auth::Auth>,
}

impl Ctx {
    fn from_request_parts_raw(uri: &Uri, headers: &HeaderMap, company: &str) -> Self {
        let query = uri.query().unwrap_or_default().to_owned();
        Self {
            lang: query_lang(&query)
                .or_else(|| cookie_lang(headers))
                .unwrap_or_default(),
            path: uri.path().to_owned(),
            query,
            company: company.to_owned(),
            auth: None,
        }
    }

    fn may(&self, p: griddesk_domain::access::Permission) -> bool {
        self.auth.as_ref().is_some_and(|a| a.actor.may(p))
    }

    /// The session's CSRF token for forms (empty without a session).
    fn csrf(&self) -> &str {
        self.auth
            .as_ref()
            .and_then(|a| a.csrf())
            .unwrap_or_default()
    }

    fn t(&self, k: T) -> &'static str {
        k.get(self.lang)
    }

    /// The current URL with `lang` set to the other language.
    fn switch_href(&self) -> String {
        let other = match self.lang {
            Lang::Zh => "en",
            Lang::En => "zh",
        };
        let mut pairs: Vec<&str> = self
            .query
            .split('&')
            .filter(|kv| !kv.is_empty() && kv.split('=').next() != Some("lang"))
            .collect();
        let lang_pair = format!("lang={other}");
        pairs.push(&lang_pair);
        format!("{}?{}", self.path, pairs.join("&"))
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let mut ctx =
            Ctx::from_request_parts_raw(&parts.uri, &parts.headers, &state.config.company_name);
        ctx.auth = parts.extensions.get::<crate::auth::Auth>().cloned();
        Ok(ctx)
    }
}

fn query_lang(query: &str) -> Option<Lang> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "lang")
        .map(|(_, v)| Lang::parse(v))
}

fn cookie_lang(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix("lang="))
        .map(Lang::parse)
        .next()
}

/// `?lang=` on any console page remembers the language in a cookie.
async fn lang_cookie(req: Request, next: Next) -> Response {
    let chosen = query_lang(req.uri().query().unwrap_or_default());
    let mut resp = next.run(req).await;
    if let Some(lang) = chosen {
        let cookie = format!(
            "lang={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
            match lang {
                Lang::Zh => "zh",
                Lang::En => "en",
            }
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// A console failure, rendered as an HTML page in the reader's language.
pub struct ConsoleError {
    // Boxed: the page context is large and errors travel through many `Result`s.
    ctx: Box<Ctx>,
    status: StatusCode,
    title: T,
    detail: String,
}

impl ConsoleError {
    fn from_api(ctx: &Ctx, e: ApiError, not_found: T) -> Self {
        use ApiError as E;
        let (status, title, detail) = match &e {
            E::Invalid { field, detail } => (
                StatusCode::BAD_REQUEST,
                T::BadInput,
                format!("{field}: {detail}"),
            ),
            E::NotFound { value, .. } => (StatusCode::NOT_FOUND, not_found, value.clone()),
            E::Forbidden(why) => (StatusCode::FORBIDDEN, T::Forbidden, (*why).to_owned()),
            E::Csrf => (
                StatusCode::FORBIDDEN,
                T::Forbidden,
                ctx.t(T::CsrfDetail).to_owned(),
            ),
            E::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                T::Forbidden,
                ctx.t(T::LoginRequired).to_owned(),
            ),
            E::Conflict { .. } => (
                StatusCode::CONFLICT,
                T::Conflict,
                ctx.t(T::ConflictDetail).to_owned(),
            ),
            E::Unprocessable { detail, .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                T::NotAllowedNow,
                detail.clone(),
            ),
            E::TooManyRequests { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                T::Forbidden,
                i18n::retry_after(ctx.lang, *retry_after),
            ),
            _ => {
                tracing::error!(error = %e, "console request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    T::ServerError,
                    ctx.t(T::ServerErrorDetail).to_owned(),
                )
            }
        };
        Self {
            ctx: Box::new(ctx.clone()),
            status,
            title,
            detail,
        }
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let body = html! {
            section.card.error-card {
                h1 { (self.ctx.t(self.title)) }
                p { (self.detail) }
                p { a.btn href="/console" { (self.ctx.t(T::BackToSearch)) } }
            }
        };
        (
            self.status,
            page(&self.ctx, self.ctx.t(self.title), false, body),
        )
            .into_response()
    }
}

/// The HTML page of a refused console request (403 and friends).
pub fn error_page(req: &Request, e: ApiError) -> Response {
    let mut ctx = Ctx::from_request_parts_raw(req.uri(), req.headers(), "GridDesk");
    ctx.auth = req.extensions().get::<crate::auth::Auth>().cloned();
    ConsoleError::from_api(&ctx, e, T::NotFoundTitle).into_response()
}

/// The HTML 404 page for unknown non-API paths.
pub fn not_found(req: &Request) -> impl IntoResponse + use<> {
    let ctx = Ctx::from_request_parts_raw(req.uri(), req.headers(), "GridDesk");
    ConsoleError {
        detail: ctx.t(T::NotFoundDetail).to_owned(),
        ctx: Box::new(ctx),
        status: StatusCode::NOT_FOUND,
        title: T::NotFoundTitle,
    }
}

fn page(ctx: &Ctx, title: &str, charts: bool, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(ctx.lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="htmx-config" content=r#"{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}"#;
                title { (title) " · GridDesk" }
                link rel="icon" type="image/svg+xml" href=(assets::url("favicon.svg"));
                link rel="stylesheet" href=(assets::url("app.css"));
                script src=(assets::url("vendor/htmx.min.js")) defer {}
                @if charts {
                    script src=(assets::url("vendor/echarts.min.js")) defer {}
                }
                script src=(assets::url("app.js")) defer {}
            }
            body {
                header.topbar {
                    div.wrap.topbar-inner {
                        a.brand href="/console" {
                            img.brand-mark src=(assets::url("favicon.svg")) alt="" width="28" height="28";
                            span.brand-name { "GridDesk" }
                            span.brand-sub { (ctx.t(T::AppName)) }
                        }
                        nav.topnav {
                            @if ctx.may(griddesk_domain::access::Permission::ArchiveRead) {
                                a href="/console" { (ctx.t(T::NavSearch)) }
                            }
                            @if ctx.may(griddesk_domain::access::Permission::OrderWrite) {
                                a href="/console/workbench" { (ctx.t(T::NavWorkbench)) }
                            }
                            @if ctx.may(griddesk_domain::access::Permission::OrderRead) {
                                a href="/console/orders" { (ctx.t(T::NavOrders)) }
                                a href="/console/dispatch" { (ctx.t(T::NavDispatch)) }
                                a href="/console/outages" { (ctx.t(T::NavOutages)) }
                                a href="/console/knowledge" { (ctx.t(T::NavKnowledge)) }
                            }
                            @if ctx.may(griddesk_domain::access::Permission::OutageWrite) {
                                a href="/console/orderly" { (ctx.t(T::OrderlyTitle)) }
                            }
                            @if ctx.auth.as_ref().and_then(|a| a.actor.role()) == Some(griddesk_domain::org::Role::Crew) {
                                a href="/console/crew" { (ctx.t(T::NavCrew)) }
                            }
                            @if ctx.may(griddesk_domain::access::Permission::ComplaintLedger) {
                                a href="/console/complaints" { (ctx.t(T::NavComplaints)) }
                                a href="/console/segmentation" { (ctx.t(T::ValueSegment)) }
                            }
                            @if ctx.may(griddesk_domain::access::Permission::AuditRead) {
                                a href="/console/audit" { (ctx.t(T::NavAudit)) }
                            }
                            @if ctx.may(griddesk_domain::access::Permission::TokenAdmin) {
                                a href="/console/tokens" { (ctx.t(T::NavTokens)) }
                            }
                            a href="/api/docs" { (ctx.t(T::NavApi)) }
                            @if let Some(a) = &ctx.auth {
                                span.whoami title=(a.actor.audit_id()) {
                                    (a.actor.display_name())
                                    @if let Some(r) = a.actor.role() { " · " (r.label(ctx.lang)) }
                                }
                                @if a.session.is_some() {
                                    form.inline method="post" action=(if matches!(a.actor, griddesk_domain::access::Actor::Customer { .. }) { "/logout?to=portal" } else { "/logout" }) {
                                        input type="hidden" name="csrf" value=(ctx.csrf());
                                        button.linklike type="submit" { (ctx.t(T::Logout)) }
                                    }
                                }
                            }
                            a.lang-switch href=(ctx.switch_href()) title=(ctx.t(T::LangSwitchTitle)) {
                                (ctx.t(T::LangSwitch))
                            }
                        }
                    }
                }
                main.wrap.main { (body) }
                footer.footer {
                    div.wrap.footer-inner {
                        span { (ctx.company) " · " (ctx.t(T::Footer)) }
                        span.muted { (ctx.t(T::TimesNote)) }
                    }
                }
            }
        }
    }
}

/// What the search form shows (prefilled from the URL).
#[derive(Default)]
struct SearchForm {
    q: String,
    filter: CustomerFilter,
}

fn search_form(ctx: &Ctx, f: &SearchForm) -> Markup {
    let l = ctx.lang;
    let bool_select = |name: &str, label: T, yes: T, no: T, v: Option<bool>| {
        html! {
            label.field {
                span.field-label { (ctx.t(label)) }
                select name=(name) {
                    option value="" { (ctx.t(T::AnyOption)) }
                    option value="true" selected[v == Some(true)] { (ctx.t(yes)) }
                    option value="false" selected[v == Some(false)] { (ctx.t(no)) }
                }
            }
        }
    };
    html! {
        form.search-form action="/console/search" method="get"
            hx-get="/console/search" hx-target="#results" hx-push-url="true"
            hx-trigger="submit, change" {
            div.search-row {
                input.search-input type="search" name="q" value=(f.q) autocomplete="off" autofocus
                    placeholder=(ctx.t(T::SearchPlaceholder)) aria-label=(ctx.t(T::SearchPlaceholder))
                    hx-get="/console/search" hx-include="closest form" hx-target="#results"
                    hx-push-url="true" hx-trigger="keyup changed delay:300ms, search";
                button.btn type="submit" { (ctx.t(T::SearchButton)) }
            }
            div.filters {
                label.field {
                    span.field-label { (ctx.t(T::Tariff)) }
                    select name="tariff" {
                        option value="" { (ctx.t(T::AnyOption)) }
                        @for t in TariffCategory::ALL {
                            option value=(t.code()) selected[f.filter.tariff == Some(*t)] { (t.label(l)) }
                        }
                    }
                }
                label.field {
                    span.field-label { (ctx.t(T::ImportantGrade)) }
                    select name="important_grade" {
                        option value="" { (ctx.t(T::AnyOption)) }
                        @for g in ImportantGrade::ALL {
                            option value=(g.code()) selected[f.filter.important_grade == Some(*g)] { (g.label(l)) }
                        }
                    }
                }
                label.field {
                    span.field-label { (ctx.t(T::AreaType)) }
                    select name="area_type" {
                        option value="" { (ctx.t(T::AnyOption)) }
                        @for a in AreaType::ALL {
                            option value=(a.code()) selected[f.filter.area_type == Some(*a)] { (a.label(l)) }
                        }
                    }
                }
                (bool_select("high_voltage", T::Voltage, T::HighVoltage, T::LowVoltage, f.filter.high_voltage))
                (bool_select("dual_supply", T::DualSupply, T::Yes, T::No, f.filter.dual_supply))
            }
        }
    }
}

async fn home(State(state): State<AppState>, ctx: Ctx) -> Result<Markup, ConsoleError> {
    let stats = state
        .store
        .stats()
        .await
        .map_err(|e| ConsoleError::from_api(&ctx, e.into(), T::NotFoundTitle))?;
    let stat = |label: T, n: u64| {
        html! { div.stat { div.stat-value { (crate::model::decimal_text(n.into(), 0)) } div.stat-label { (ctx.t(label)) } } }
    };
    let body = html! {
        section.card.search-card {
            h1 { (ctx.t(T::SearchTitle)) }
            p.lead { (ctx.t(T::SearchLead)) }
            (search_form(&ctx, &SearchForm::default()))
        }
        section #results.results { p.hint { (ctx.t(T::SearchHint)) } }
        section.card {
            h2 { (ctx.t(T::ArchiveStats)) }
            div.stats {
                (stat(T::StatCustomers, stats.customers))
                (stat(T::StatHv, stats.high_voltage_customers))
                (stat(T::StatDual, stats.dual_supply_customers))
                (stat(T::StatImportant, stats.important_customers))
                (stat(T::StatSubstations, stats.substations))
                (stat(T::StatFeeders, stats.feeders))
                (stat(T::StatAreas, stats.areas))
                (stat(T::StatOrgUnits, stats.org_units))
                (stat(T::StatStaff, stats.staff))
            }
        }
    };
    Ok(page(&ctx, ctx.t(T::SearchTitle), false, body))
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request")
}

/// GET /console/search: the results fragment for htmx, the whole page otherwise (so a copied
/// URL is a working search).
async fn search(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap, uri: Uri) -> Response {
    let raw = uri.query().unwrap_or_default();
    let mut form = SearchForm::default();
    let params: Result<api::SearchParams, _> = crate::extract::parse_query(raw);
    let filter: Result<CustomerFilter, _> = crate::extract::parse_query(raw);
    let outcome = match (params, filter) {
        (Ok(p), Ok(f)) => {
            form.q = p.q.clone().unwrap_or_default();
            form.filter = f.clone();
            match api::validate_search(p.q.as_deref(), f, Some(CONSOLE_LIMIT)) {
                Ok(mut input) => match &ctx.auth {
                    Some(a) => match crate::scope::scope_of(&state, &a.actor).await {
                        Ok(scope) => {
                            input.filter.within_units = scope.unit_filter();
                            state
                                .store
                                .search_customers(input.query.as_ref(), &input.filter, input.limit)
                                .await
                                .map_err(ApiError::from)
                        }
                        Err(e) => Err(e),
                    },
                    None => Err(ApiError::Unauthenticated),
                },
                Err(e) => Err(e),
            }
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let (status, fragment) = match outcome {
        Ok(rows) => (StatusCode::OK, results_table(&ctx, &rows)),
        // An incomplete query while typing is a hint, not an error.
        Err(ApiError::Invalid { field, detail }) if field == "q" => {
            let hint = if form.q.trim().is_empty() {
                ctx.t(T::SearchHint).to_owned()
            } else {
                detail
            };
            (StatusCode::OK, html! { p.hint { (hint) } })
        }
        Err(ApiError::Invalid { field, detail }) => (
            StatusCode::BAD_REQUEST,
            html! { div.alert { strong { (ctx.t(T::BadInput)) } " " code { (field) } ": " (detail) } },
        ),
        Err(e) => {
            tracing::error!(error = %e, "console search failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                html! { div.alert { (ctx.t(T::ServerErrorDetail)) } },
            )
        }
    };
    let vary = crate::vary_hx();
    if is_htmx(&headers) {
        // htmx swaps only 2xx responses; the fragment itself tells what went wrong.
        return ([vary], fragment).into_response();
    }
    let body = html! {
        section.card.search-card {
            h1 { (ctx.t(T::SearchTitle)) }
            (search_form(&ctx, &form))
        }
        section #results.results { (fragment) }
    };
    (
        status,
        [vary],
        page(&ctx, ctx.t(T::SearchTitle), false, body),
    )
        .into_response()
}

fn results_table(ctx: &Ctx, rows: &[griddesk_store::CustomerSummary]) -> Markup {
    let l = ctx.lang;
    html! {
        @if rows.is_empty() {
            p.hint { (ctx.t(T::NoResults)) }
        } @else {
            div.results-meta {
                span { (i18n::results_count(l, rows.len())) }
                @if rows.len() >= CONSOLE_LIMIT as usize { span.muted { (ctx.t(T::Truncated)) } }
            }
            div.table-wrap {
                table.table.results-table {
                    thead { tr {
                        th { (ctx.t(T::CustomerNo)) }
                        th { (ctx.t(T::Name)) }
                        th { (ctx.t(T::Address)) }
                        th { (ctx.t(T::Tariff)) }
                        th { (ctx.t(T::ImportantGrade)) }
                        th { (ctx.t(T::SupplyUnit)) }
                        th { (ctx.t(T::SupplyPoint)) }
                    } }
                    tbody {
                        @for r in rows {
                            @let href = format!("/console/customers/{}", r.customer_no);
                            tr {
                                td.mono { a.customer-link href=(href) { (r.customer_no) } }
                                td { a href=(href) { (r.name) } }
                                td { (griddesk_domain::mask::address(&r.address)) }
                                td { span.badge.badge-tariff { (r.tariff.label(l)) } }
                                td {
                                    @if r.important_grade != ImportantGrade::None {
                                        span.badge.badge-important { (r.important_grade.label(l)) }
                                    } @else { span.muted { "—" } }
                                }
                                td { (r.org_unit_name) }
                                td { (r.supply_point) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn yes_no(ctx: &Ctx, b: bool) -> &'static str {
    ctx.t(if b { T::Yes } else { T::No })
}

/// A customer's outages as the customer asks about them: is power off (or when it will be),
/// since when the company knows, when it is back, and why.
fn outage_list(ctx: &Ctx, id: &str, list: &[crate::api_outages::CustomerOutageView]) -> Markup {
    html! {
        @if list.is_empty() {
            p.muted id=(id) data-count="0" { (ctx.t(T::NoKnownOutage)) }
        } @else {
            ul.outage-list id=(id) data-count=(list.len()) {
                @for o in list {
                    li data-outage=(o.id) {
                        @if o.out_now { span.badge.badge-danger { (ctx.t(T::OutageOutNow)) } }
                        @else { span.badge.badge-warn { (ctx.t(T::OutageAnnounced)) } " " span.mono { (o.start.get(..16).unwrap_or_default().replace('T', " ")) } }
                        " " strong { (label(ctx, &o.kind)) " · " (o.title) }
                        div.hint {
                            (ctx.t(T::OutageKnownSince)) " " span.mono { (o.known_since.get(..16).unwrap_or_default().replace('T', " ")) }
                            " · " (ctx.t(T::OutageBackBy)) " "
                            @if let Some(b) = &o.back_by { span.mono { (b.get(..16).unwrap_or_default().replace('T', " ")) } } @else { (ctx.t(T::OutageBackUnknown)) }
                            " · " (ctx.t(T::OutageCause)) " " (o.cause)
                        }
                    }
                }
            }
        }
    }
}

fn label(ctx: &Ctx, l: &crate::model::Label) -> &'static str {
    match ctx.lang {
        Lang::Zh => l.zh,
        Lang::En => l.en,
    }
}

async fn customer(
    State(state): State<AppState>,
    ctx: Ctx,
    addr: crate::auth::ClientAddr,
    path: Result<Path<String>, PathRejection>,
) -> Result<Markup, ConsoleError> {
    customer_page(&state, &ctx, &addr.0, path, None).await
}

/// The customer 360 page; `unmask_reason` set when the reader asked to see personal data.
async fn customer_page(
    state: &AppState,
    ctx: &Ctx,
    addr: &str,
    path: Result<Path<String>, PathRejection>,
    unmask_reason: Option<&str>,
) -> Result<Markup, ConsoleError> {
    let nf = T::CustomerNotFound;
    let fail = |e: ApiError| ConsoleError::from_api(ctx, e, nf);
    let raw = path
        .map_err(|e| fail(ApiError::invalid("customer_no", e.body_text())))?
        .0;
    let auth = ctx
        .auth
        .as_ref()
        .ok_or_else(|| fail(ApiError::Unauthenticated))?;
    let no = CustomerNo::parse(&raw).map_err(|e| fail(e.into()))?;
    let detail = crate::scope::customer_for(state, &auth.actor, &no)
        .await
        .map_err(fail)?;
    let reveal = match unmask_reason {
        Some(raw_reason) => {
            let reason =
                griddesk_domain::access::parse_reason(raw_reason).map_err(|e| fail(e.into()))?;
            crate::scope::audit_unmask(state, &auth.actor, &no, &reason, addr)
                .await
                .map_err(fail)?;
            griddesk_domain::access::Reveal::Explicit
        }
        None => crate::scope::default_reveal(state, auth, &detail, addr)
            .await
            .map_err(fail)?,
    };
    let months = state.config.history_months;
    let today = crate::time::today();
    let history = match state.lake.customer_history(&no, months, today).await {
        Ok(h) => Some(HistoryView::build(no.as_str(), months, today, &h)),
        Err(e) => {
            tracing::error!(error = %e, customer_no = %no, "customer history unavailable");
            None
        }
    };
    let v = CustomerView::from_detail(&detail, reveal);
    let title = format!("{} {}", v.customer_no, v.name);
    let orders = if ctx.may(griddesk_domain::access::Permission::OrderRead) {
        let q = griddesk_store::workorder::OrderQuery {
            customer_no: Some(no.clone()),
            include_closed: true,
            limit: 20,
            ..Default::default()
        };
        let now = crate::time::now();
        state
            .store
            .list_work_orders(&q)
            .await
            .map_err(|e| fail(e.into()))?
            .iter()
            .map(|o| crate::api_orders::order_view(state, o, &[], now))
            .collect()
    } else {
        Vec::new()
    };
    let contacts = state
        .store
        .contacts(&no, 20)
        .await
        .map_err(|e| fail(e.into()))?;
    let service = orders::customer_service_panels(ctx, &v.customer_no, &orders, &contacts);
    let segment = state
        .store
        .customer_segment(&no, None)
        .await
        .map_err(|e| fail(e.into()))?;
    let tier = crate::api_segment::service_tier(state.store.as_ref(), Some(&detail.customer))
        .await
        .map_err(&fail)?;
    let service = html! {
        section.card #segment {
            h2 { (ctx.t(T::ValueSegment)) }
            dl.facts {
                dt { (ctx.t(T::ServiceTier)) } dd #segment-tier { (tier) }
                @if let Some((period, r)) = &segment {
                    dt { (ctx.t(T::SegmentPeriod)) } dd { (period.to_string()) }
                    dt { (ctx.t(T::ValueQuadrant)) } dd #segment-quadrant { (r.quadrant.label(ctx.lang)) }
                    dt { (ctx.t(T::AbcClassTitle)) } dd { (r.abc.label(ctx.lang)) }
                    @if let Some(g) = r.three_dim {
                        dt { (ctx.t(T::GradeTitle)) } dd #segment-grade { (g.grade.label(ctx.lang)) " · " (format!("{:.1}", g.score)) }
                        @if let Some(at) = r.graded_in { dt { (ctx.t(T::GradedIn)) } dd { (at.to_string()) } }
                    }
                    dt { (ctx.t(T::Entitlements)) } dd #segment-entitlements {
                        (r.service.entitlements.iter().map(|e| e.label(ctx.lang)).collect::<Vec<_>>().join("、"))
                    }
                    dt { (ctx.t(T::CurrentPotential)) } dd { (format!("{:.3} / {:.3}", r.value.current, r.value.potential)) }
                }
            }
            @if segment.is_none() { p.muted { (ctx.t(T::NotSegmented)) } }
        }
        (service)
    };
    let outages = crate::api_outages::customer_outages(state, &no)
        .await
        .map_err(&fail)?;
    let body = customer_body(ctx, &v, history.as_ref(), months, service, &outages);
    Ok(page(ctx, &title, true, body))
}

fn customer_body(
    ctx: &Ctx,
    v: &CustomerView,
    h: Option<&HistoryView>,
    months: u32,
    service: Markup,
    outages: &[crate::api_outages::CustomerOutageView],
) -> Markup {
    let c = &v.classification;
    let p = &v.topology;
    let history_url = format!(
        "/api/v1/customers/{}/history?months={months}",
        v.customer_no
    );
    html! {
        nav.breadcrumb {
            a href="/console" { (ctx.t(T::NavSearch)) }
            span.sep { "/" }
            span { (ctx.t(T::Customer360)) }
        }
        section.card.customer-head {
            div.head-main {
                div.head-no {
                    span.head-no-label { (ctx.t(T::CustomerNo)) }
                    span.head-no-value.mono { (v.customer_no) }
                }
                h1.head-name { (v.name) }
                div.badges {
                    span.badge.badge-tariff { (label(ctx, &c.tariff)) }
                    @if c.important_grade.code != "none" {
                        span.badge.badge-important { (ctx.t(T::ImportantGrade)) ": " (label(ctx, &c.important_grade)) }
                    }
                    span.badge.badge-voltage { (c.voltage_kv) " kV · " (ctx.t(if c.high_voltage { T::HighVoltage } else { T::LowVoltage })) }
                    @if c.dual_supply { span.badge.badge-dual { (ctx.t(T::DualSupply)) } }
                    span.badge.badge-area { (label(ctx, &c.area_type)) }
                }
                p.head-meta { (v.address) " · " (v.org_unit.name) }
            }
            div.head-actions {
                a.btn href=(format!("/api/v1/customers/{}/plate.svg", v.customer_no)) target="_blank" rel="noopener" { (ctx.t(T::Plate)) " SVG" }
                @if let Some(area) = &p.area_code {
                    a.btn.btn-secondary href=(format!("/console/areas/{area}/plates")) { (ctx.t(T::PrintAreaPlates)) }
                }
            }
        }
        @if v.personal_data == "masked" {
            @if ctx.may(griddesk_domain::access::Permission::PiiUnmask) {
                details.card.unmask #unmask {
                    summary { (ctx.t(T::UnmaskTitle)) }
                    form method="post" action=(format!("/console/customers/{}/unmask", v.customer_no)) {
                        input type="hidden" name="csrf" value=(ctx.csrf());
                        label.field {
                            span.field-label { (ctx.t(T::UnmaskReason)) }
                            input type="text" name="reason" required minlength="2" maxlength="200" placeholder=(ctx.t(T::UnmaskReasonHint));
                        }
                        button.btn type="submit" { (ctx.t(T::UnmaskButton)) }
                        p.muted { (ctx.t(T::UnmaskNote)) }
                    }
                }
            }
        } @else {
            div.alert.alert-info #unmasked { (ctx.t(if v.personal_data == "assigned_manager" { T::ShownAsManager } else { T::ShownUnmasked })) }
        }
        div.grid-2 {
            section.card #classification {
                h2 { (ctx.t(T::Classification)) }
                table.kv {
                    tr { th { (ctx.t(T::SupplyRelation)) } td { (label(ctx, &c.supply_relation)) } }
                    tr { th { (ctx.t(T::Tariff)) } td { (label(ctx, &c.tariff)) } }
                    tr { th { (ctx.t(T::VoltageLevel)) } td { (c.voltage_kv) " kV" } }
                    tr { th { (ctx.t(T::Capacity)) } td { (c.capacity_kva) " kVA" } }
                    tr { th { (ctx.t(T::SupplySource)) } td {
                        (ctx.t(if c.high_voltage { T::HighVoltage } else { T::LowVoltage }))
                        @if c.dual_supply { " · " (ctx.t(T::DualSupply)) }
                    } }
                    tr { th { (ctx.t(T::DualSupply)) } td { (yes_no(ctx, c.dual_supply)) } }
                    tr { th { (ctx.t(T::SelfSource)) } td { (yes_no(ctx, c.self_provided_source)) } }
                    tr { th { (ctx.t(T::DedicatedLine)) } td { (yes_no(ctx, c.dedicated_line)) } }
                    tr { th { (ctx.t(T::UsageNature)) } td { (label(ctx, &c.usage_nature)) } }
                    tr { th { (ctx.t(T::LoadImportance)) } td { (label(ctx, &c.load_importance)) } }
                    tr { th { (ctx.t(T::ImportantGrade)) } td { (label(ctx, &c.important_grade)) } }
                    tr { th { (ctx.t(T::AreaType)) } td { (label(ctx, &c.area_type)) } }
                    tr { th { (ctx.t(T::Industry)) } td { (label(ctx, &c.industry)) } }
                    tr { th { (ctx.t(T::Institution)) } td { (label(ctx, &c.institution)) } }
                    tr { th { (ctx.t(T::OpenedOn)) } td { (v.opened_on) } }
                    tr { th { (ctx.t(T::SupplyUnit)) } td { (v.org_unit.name) " " span.code { (v.org_unit.code) } } }
                    tr { th { (ctx.t(T::Address)) } td.masked { (v.address) } }
                    @if let Some(id) = &v.id_number {
                        tr { th { (ctx.t(T::IdNumber)) } td.masked.mono { (id) } }
                    }
                }
            }
            div.stack {
                section.card #topology {
                    h2 { (ctx.t(T::Topology)) }
                    ol.path {
                        li { span.path-kind { (ctx.t(T::Substation)) } span.path-name { (p.substation_name) } span.code { (p.substation_code) } }
                        li { span.path-kind { (ctx.t(T::Feeder)) } span.path-name { (p.feeder_name) } span.code { (p.feeder_code) } }
                        @if let (Some(code), Some(name)) = (&p.area_code, &p.area_name) {
                            li { span.path-kind { (ctx.t(T::Area)) } span.path-name { (name) } span.code { (code) } }
                        } @else {
                            li { span.path-kind { (ctx.t(T::Area)) } span.path-name { (ctx.t(T::DirectFromFeeder)) } }
                        }
                        @for m in &v.meters {
                            li { span.path-kind { (ctx.t(T::Meter)) } span.path-name.mono { (m.meter_no) } span.code { (m.code) " · " (ctx.t(T::Multiplier)) " ×" (m.multiplier) } }
                        }
                    }
                    @if let (Some(code), Some(name)) = (&p.backup_feeder_code, &p.backup_feeder_name) {
                        p.backup { span.badge.badge-dual { (ctx.t(T::BackupFeeder)) } " " (name) " " span.code { (code) } }
                    }
                }
                section.card #manager {
                    h2 { (ctx.t(T::CustomerManager)) }
                    @if let Some(m) = &v.customer_manager {
                        p.manager { strong { (m.name) } " " span.code { (m.code) } }
                    } @else {
                        p.muted { (ctx.t(T::NoManager)) }
                    }
                }
                section.card #contacts {
                    h2 { (ctx.t(T::Contacts)) }
                    @if v.contacts.is_empty() {
                        p.muted { (ctx.t(T::NoContacts)) }
                    } @else {
                        div.table-wrap { table.table {
                            thead { tr {
                                th { (ctx.t(T::ContactName)) } th { (ctx.t(T::ContactRole)) }
                                th { (ctx.t(T::Phones)) } th { (ctx.t(T::Email)) } th { (ctx.t(T::PreferredChannel)) }
                            } }
                            tbody { @for k in &v.contacts { tr {
                                td { (k.name) }
                                td { (k.role) }
                                td.mono.masked { (k.phones.join(", ")) }
                                td.masked { (k.email.as_deref().unwrap_or("—")) }
                                td { (label(ctx, &k.preferred_channel)) }
                            } } }
                        } }
                    }
                    p.note { (ctx.t(T::MaskNote)) }
                }
            }
        }
        section.card #history {
            h2 { (ctx.t(T::ChartTitle)) " " span.muted { (i18n::last_months(ctx.lang, months)) } }
            div #history-chart.chart data-chart="history" data-src=(history_url)
                data-label-kwh=(ctx.t(T::SeriesKwh)) data-label-amount=(ctx.t(T::SeriesAmount))
                data-empty=(ctx.t(T::NoData)) {
                p.chart-loading { (ctx.t(T::ChartLoading)) }
            }
        }
        @match h {
            Some(h) => (history_panels(ctx, v, h, &history_url)),
            None => section.card { p.alert { (ctx.t(T::HistoryUnavailable)) } },
        }
        section.card #theft {
            h2 { (ctx.t(T::TheftCases)) }
            @if v.theft_cases.is_empty() {
                p.muted { (ctx.t(T::NoTheft)) }
            } @else {
                div.table-wrap { table.table {
                    thead { tr {
                        th { (ctx.t(T::CaseNo)) } th { (ctx.t(T::FoundOn)) } th.num { (ctx.t(T::StolenKwh)) }
                        th.num { (ctx.t(T::Charged)) } th { (ctx.t(T::Description)) }
                    } }
                    tbody { @for t in &v.theft_cases { tr {
                        td.mono { (t.case_no) }
                        td { (t.found_on) }
                        td.num { (crate::model::decimal_text(t.stolen_kwh, 2)) }
                        td.num { (money_text(t.charged)) }
                        td { (t.description) }
                    } } }
                } }
            }
        }
        (service)
        div.grid-2 {
            section.card #outages {
                h2 { (ctx.t(T::Outages)) }
                (outage_list(ctx, "customer-outages", outages))
            }
        }
    }
}

fn history_panels(ctx: &Ctx, v: &CustomerView, h: &HistoryView, history_url: &str) -> Markup {
    let a = &h.arrears;
    let in_arrears = a.arrears.is_positive();
    html! {
        div.grid-2 {
            section.card #arrears {
                h2 { (ctx.t(T::Arrears)) " "
                    @if in_arrears { span.badge.badge-danger { (ctx.t(T::HasArrears)) } }
                    @else { span.badge.badge-ok { (ctx.t(T::NoArrears)) } }
                }
                div.arrears-box.(if in_arrears { "arrears-due" } else { "arrears-clear" }) {
                    div.arrears-amount {
                        span.arrears-label { (ctx.t(T::ArrearsAmount)) }
                        span.arrears-value { "¥" (money_text(a.arrears)) }
                    }
                    dl.arrears-facts {
                        dt { (ctx.t(T::TotalBilled)) } dd { (money_text(a.total_billed)) }
                        dt { (ctx.t(T::TotalPaid)) } dd { (money_text(a.total_paid)) }
                        dt { (ctx.t(T::OverdueBills)) } dd { (a.overdue_bills) }
                        dt { (ctx.t(T::OldestUnpaid)) } dd { (a.oldest_unpaid.map_or_else(|| "—".to_owned(), |p| p.to_string())) }
                        dt { (ctx.t(T::LatePayments)) } dd { (a.late_payments) }
                        dt { (ctx.t(T::BouncedPayments)) } dd { (a.bounced_payments) }
                    }
                }
            }
            section.card #payments {
                h2 { (ctx.t(T::Payments)) " " span.muted { (ctx.t(T::RecentPaymentsNote)) } }
                @if h.payments.is_empty() {
                    p.muted { (ctx.t(T::NoData)) }
                } @else {
                    div.table-wrap { table.table.compact {
                        thead { tr {
                            th { (ctx.t(T::PaidAt)) } th { (ctx.t(T::BillPeriod)) } th.num { (ctx.t(T::Amount)) }
                            th { (ctx.t(T::Channel)) } th { (ctx.t(T::Status)) }
                        } }
                        tbody { @for p in h.payments.iter().rev().take(RECENT_PAYMENTS) {
                            tr.(if p.bounced { "row-bounced" } else if p.late { "row-late" } else { "" }) {
                                td { (p.paid_at.get(..16).unwrap_or(&p.paid_at).replace('T', " ")) }
                                td { (p.bill_period.as_deref().unwrap_or("—")) }
                                td.num { (money_text(p.amount)) }
                                td { (label(ctx, &p.channel)) }
                                td {
                                    @if p.bounced { span.badge.badge-danger { (ctx.t(T::Bounced)) } }
                                    @else if p.late { span.badge.badge-warn { (ctx.t(T::Late)) } }
                                    @else { span.badge.badge-ok { (ctx.t(T::OnTime)) } }
                                }
                            }
                        } }
                    } }
                }
            }
        }
        div.grid-2 {
            section.card #readings {
                h2 { (ctx.t(T::Readings)) }
                @if h.readings.is_empty() {
                    p.muted { (ctx.t(T::NoData)) }
                } @else {
                    div.table-wrap { table.table.compact {
                        thead { tr {
                            th { (ctx.t(T::ReadingDate)) } th { (ctx.t(T::Meter)) }
                            th.num { (ctx.t(T::Register)) } th.num { (ctx.t(T::DailyKwh)) }
                        } }
                        tbody { @for r in h.readings.iter().rev().take(RECENT_READINGS) { tr {
                            td { (r.reading_date) }
                            td.mono { (r.meter_no) }
                            td.num { (crate::model::decimal_text(r.register_kwh, 2)) }
                            // Register advance times the CT/VT multiplier of the meter.
                            @let factor = v.meters.iter().find(|m| m.meter_no.as_str() == r.meter_no).map_or(1, |m| m.multiplier);
                            td.num { (r.delta_kwh.map_or_else(|| "—".to_owned(), |d| crate::model::decimal_text(d * rust_decimal::Decimal::from(factor), 2))) }
                        } } }
                    } }
                }
            }
            @if v.classification.high_voltage || !h.load_curves.is_empty() {
                section.card #load-curves {
                    h2 { (ctx.t(T::LoadCurve)) }
                    @if h.load_curves.is_empty() {
                        p.muted { (ctx.t(T::NoData)) }
                    } @else {
                        div #load-chart.chart data-chart="load" data-src=(history_url)
                            data-label-load=(ctx.t(T::LoadSeries)) data-empty=(ctx.t(T::NoData)) {
                            p.chart-loading { (ctx.t(T::ChartLoading)) }
                        }
                    }
                }
            }
        }
    }
}

async fn area_plates(
    State(state): State<AppState>,
    ctx: Ctx,
    path: Result<Path<String>, PathRejection>,
) -> Result<Markup, ConsoleError> {
    let nf = T::AreaNotFound;
    let raw = path
        .map_err(|e| {
            ConsoleError::from_api(&ctx, ApiError::invalid("area_code", e.body_text()), nf)
        })?
        .0;
    let code = Code::parse_field("area_code", &raw)
        .map_err(|e| ConsoleError::from_api(&ctx, e.into(), nf))?;
    let actor = ctx
        .auth
        .as_ref()
        .map(|a| a.actor.clone())
        .ok_or_else(|| ConsoleError::from_api(&ctx, ApiError::Unauthenticated, nf))?;
    let area = crate::scope::area_for(&state, &actor, &code)
        .await
        .map_err(|e| ConsoleError::from_api(&ctx, e, nf))?;
    let plates = api::area_plates_of(&state, &area);
    let title = api::area_title(&area);
    let chunks: Vec<&[griddesk_domain::plate::Plate]> =
        plates.chunks(crate::plate::PLATES_PER_PAGE).collect();
    let pages = chunks.len();
    let mut sheets = Vec::with_capacity(pages);
    for (i, chunk) in chunks.iter().enumerate() {
        let svg = crate::plate::page_svg(chunk, i, pages, &title)
            .map_err(|e| ConsoleError::from_api(&ctx, ApiError::Internal(e.to_string()), nf))?;
        sheets.push(svg);
    }
    let body = html! {
        section.card.no-print {
            nav.breadcrumb {
                a href="/console" { (ctx.t(T::NavSearch)) }
                span.sep { "/" }
                span { (ctx.t(T::PlatesTitle)) }
            }
            h1 { (ctx.t(T::PlatesTitle)) ": " (area.area.name) }
            p.lead { (area.feeder_name) " · " span.code { (area.area.code) } " · " (i18n::plates_count(ctx.lang, plates.len(), pages)) }
            p.muted { (ctx.t(T::PlatesLead)) }
            p.actions {
                button.btn type="button" data-print="" { (ctx.t(T::Print)) }
                " "
                a.btn.btn-secondary href=(format!("/api/v1/areas/{code}/plates.svg")) download=(format!("plates-{code}.svg")) { (ctx.t(T::DownloadSvg)) }
            }
        }
        @if plates.is_empty() {
            p.hint { (ctx.t(T::NoData)) }
        }
        div.sheets {
            @for s in &sheets {
                div.sheet { (PreEscaped(s)) }
            }
        }
    };
    Ok(page(&ctx, ctx.t(T::PlatesTitle), false, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_from_query_then_cookie() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=b; lang=en"));
        let uri: Uri = "/console/search?q=x".parse().unwrap();
        let ctx = Ctx::from_request_parts_raw(&uri, &h, "C");
        assert_eq!(ctx.lang, Lang::En);
        assert_eq!(ctx.switch_href(), "/console/search?q=x&lang=zh");
        let uri: Uri = "/console?lang=zh".parse().unwrap();
        let ctx = Ctx::from_request_parts_raw(&uri, &h, "C");
        assert_eq!(ctx.lang, Lang::Zh);
        assert_eq!(ctx.switch_href(), "/console?lang=en");
        let ctx = Ctx::from_request_parts_raw(&uri, &HeaderMap::new(), "C");
        assert_eq!(ctx.lang, Lang::Zh);
    }
}
