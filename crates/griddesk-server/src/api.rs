//! The JSON API under /api/v1, plus /healthz, /metrics and the API's own documentation. Every
//! handler carries `#[utoipa::path]`: the OpenAPI document is derived from these annotations, and
//! a test fails when a route is registered without them.

use crate::auth::{Auth, ClientAddr};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiPath, ApiQuery};
use crate::model::{CustomerHit, CustomerView, Health, HistoryView, OrgUnitView, SearchResult};
use crate::{AppState, scope};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use griddesk_domain::plate::Plate;
use griddesk_domain::search::SearchQuery;
use griddesk_domain::values::{Code, CustomerNo};
use griddesk_store::{ArchiveStats, CustomerDetail, CustomerFilter};
use serde::Deserialize;
use utoipa::IntoParams;

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;
pub const MAX_MONTHS: u32 = 120;

/// Tag names of the OpenAPI document.
pub const TAG_CUSTOMERS: &str = "customers";
pub const TAG_ARCHIVE: &str = "archive";
pub const TAG_OPS: &str = "operations";

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Customer number (10 digits), phone number, or a fragment of the name or address (at least
    /// two characters). Optional when at least one filter is given.
    pub q: Option<String>,
    /// Maximum number of hits, 1-100 (default 20).
    pub limit: Option<u32>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Months of bills and payments counted back from the previous month, 1-120 (default 36).
    pub months: Option<u32>,
}

/// Validated search input: the parsed text query (if any), the filter and the limit.
pub struct SearchInput {
    pub query: Option<SearchQuery>,
    pub filter: CustomerFilter,
    pub limit: u32,
}

/// True when no dimension of the filter is set.
pub fn filter_is_empty(f: &CustomerFilter) -> bool {
    *f == CustomerFilter::default()
}

/// Checks the search parameters shared by the API and the console.
pub fn validate_search(
    q: Option<&str>,
    filter: CustomerFilter,
    limit: Option<u32>,
) -> Result<SearchInput, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("{limit} is out of range: 1 to {MAX_LIMIT}"),
        ));
    }
    for (field, value) in [
        ("org_unit", &filter.org_unit),
        ("area", &filter.area),
        ("feeder", &filter.feeder),
        ("customer_manager", &filter.customer_manager),
    ] {
        if let Some(v) = value {
            Code::parse_field(field, v)?;
        }
    }
    let query = match q.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => Some(SearchQuery::parse(text)?),
        None if filter_is_empty(&filter) => {
            return Err(ApiError::invalid(
                "q",
                "give a customer number, name, phone or address fragment, or at least one filter",
            ));
        }
        None => None,
    };
    Ok(SearchInput {
        query,
        filter,
        limit,
    })
}

/// The history window asked for, 1-120 months (default from the configuration).
pub fn history_months(state: &AppState, params: &HistoryParams) -> Result<u32, ApiError> {
    let months = params.months.unwrap_or(state.config.history_months);
    if !(1..=MAX_MONTHS).contains(&months) {
        return Err(ApiError::invalid(
            "months",
            format!("{months} is out of range: 1 to {MAX_MONTHS}"),
        ));
    }
    Ok(months)
}

pub fn parse_customer_no(raw: &str) -> Result<CustomerNo, ApiError> {
    Ok(CustomerNo::parse(raw)?)
}

/// Loads a customer or answers 404 naming `customer_no`.
pub async fn load_customer(state: &AppState, no: &CustomerNo) -> Result<CustomerDetail, ApiError> {
    state
        .store
        .customer(no)
        .await?
        .ok_or_else(|| ApiError::NotFound {
            field: "customer_no",
            value: no.to_string(),
        })
}

/// The plate of a customer: HV customers supplied straight from a feeder have no transformer
/// area; their plate says 专变用户 (dedicated-transformer customer).
pub fn plate_of(state: &AppState, d: &CustomerDetail) -> Plate {
    let area = d.path.area_name.as_deref().unwrap_or("专变用户");
    Plate::new(
        &d.customer,
        &state.config.company_name,
        area,
        &d.path.feeder_name,
    )
}

fn svg_response(svg: String, filename: &str) -> Response {
    let disposition = HeaderValue::from_str(&format!("inline; filename=\"{filename}\""))
        .unwrap_or(HeaderValue::from_static("inline"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        svg,
    )
        .into_response()
}

/// Liveness and readiness: the archive database answers a round trip.
#[utoipa::path(
    get, path = "/healthz", tag = TAG_OPS,
    responses(
        (status = 200, description = "The server and its database are up", body = Health),
        (status = 503, description = "The database is not reachable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state
        .store
        .ping()
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok(Json(Health {
        status: "ok",
        backend: state.store.backend(),
        version: env!("CARGO_PKG_VERSION"),
    }))
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(
    get, path = "/metrics", tag = TAG_OPS,
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain"))
)]
pub async fn metrics() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        crate::metrics::render(),
    )
        .into_response()
}

/// This OpenAPI document.
#[utoipa::path(
    get, path = "/api/openapi.json", tag = TAG_OPS,
    responses((status = 200, description = "OpenAPI 3.1 document", body = Object, content_type = "application/json"))
)]
pub async fn openapi_json() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        crate::openapi_json().to_owned(),
    )
        .into_response()
}

/// Interactive API documentation (Swagger UI).
#[utoipa::path(
    get, path = "/api/docs", tag = TAG_OPS,
    responses((status = 200, description = "HTML page", body = String, content_type = "text/html"))
)]
pub async fn docs() -> Html<String> {
    let page = maud::html! {
        (maud::DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "GridDesk API" }
                link rel="icon" href=(crate::assets::url("favicon.svg")) type="image/svg+xml";
                link rel="stylesheet" href=(crate::assets::url("vendor/swagger-ui.css"));
            }
            body {
                div id="swagger-ui" data-spec-url="/api/openapi.json" {}
                script src=(crate::assets::url("vendor/swagger-ui-bundle.js")) {}
                script src=(crate::assets::url("docs.js")) {}
            }
        }
    };
    Html(page.into_string())
}

/// Searches the customer archive by customer number, name, phone or address fragment, and by
/// the classification dimensions of D1. Personal fields are masked.
#[utoipa::path(
    get, path = "/api/v1/customers", tag = TAG_CUSTOMERS,
    params(SearchParams, CustomerFilter),
    responses(
        (status = 200, description = "Matching customers ordered by customer number", body = SearchResult),
        (status = 400, description = "Invalid parameter (see `field`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn search_customers(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(params): ApiQuery<SearchParams>,
    ApiQuery(filter): ApiQuery<CustomerFilter>,
) -> Result<Json<SearchResult>, ApiError> {
    let mut input = validate_search(params.q.as_deref(), filter, params.limit)?;
    input.filter.within_units = scope::scope_of(&state, &auth.actor).await?.unit_filter();
    let rows = state
        .store
        .search_customers(input.query.as_ref(), &input.filter, input.limit)
        .await?;
    let items: Vec<CustomerHit> = rows.iter().map(CustomerHit::from).collect();
    Ok(Json(SearchResult {
        count: items.len(),
        limit: input.limit,
        items,
    }))
}

/// The customer 360 record: classification, topology path, organisation unit, customer manager,
/// contacts (masked), meters and theft cases.
#[utoipa::path(
    get, path = "/api/v1/customers/{customer_no}", tag = TAG_CUSTOMERS,
    params(("customer_no" = String, Path, description = "Customer number (10 digits)", example = "0100000001")),
    responses(
        (status = 200, description = "The customer", body = CustomerView),
        (status = 400, description = "Malformed customer number", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_customer(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<CustomerView>, ApiError> {
    let no = parse_customer_no(&raw)?;
    let d = scope::customer_for(&state, &auth.actor, &no).await?;
    let reveal = scope::default_reveal(&state, &auth, &d, &addr).await?;
    Ok(Json(CustomerView::from_detail(&d, reveal)))
}

/// Bills, payments (late and bounced marked), daily readings, load curves and arrears of one
/// customer, from the Parquet lake. "Today" is the current date in Asia/Shanghai.
#[utoipa::path(
    get, path = "/api/v1/customers/{customer_no}/history", tag = TAG_CUSTOMERS,
    params(("customer_no" = String, Path, description = "Customer number (10 digits)"), HistoryParams),
    responses(
        (status = 200, description = "History of the customer", body = HistoryView),
        (status = 400, description = "Malformed customer number or months", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn customer_history(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(raw): ApiPath<String>,
    ApiQuery(params): ApiQuery<HistoryParams>,
) -> Result<Json<HistoryView>, ApiError> {
    let no = parse_customer_no(&raw)?;
    let months = history_months(&state, &params)?;
    scope::customer_for(&state, &auth.actor, &no).await?;
    let today = crate::time::today();
    let h = state.lake.customer_history(&no, months, today).await?;
    Ok(Json(HistoryView::build(no.as_str(), months, today, &h)))
}

/// The customer number plate (户号牌) as SVG. The QR code encodes number, name and address; name
/// and address are not printed in clear.
#[utoipa::path(
    get, path = "/api/v1/customers/{customer_no}/plate.svg", tag = TAG_CUSTOMERS,
    params(("customer_no" = String, Path, description = "Customer number (10 digits)")),
    responses(
        (status = 200, description = "SVG plate, 90 mm x 56 mm", body = String, content_type = "image/svg+xml"),
        (status = 400, description = "Malformed customer number", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn customer_plate(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(raw): ApiPath<String>,
) -> Result<Response, ApiError> {
    let no = parse_customer_no(&raw)?;
    let d = scope::customer_for(&state, &auth.actor, &no).await?;
    let svg = crate::plate::plate_svg(&plate_of(&state, &d))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(svg_response(svg, &format!("plate-{no}.svg")))
}

/// Printable plates of every customer of a transformer area: one SVG of A4 pages, eight plates
/// per page.
#[utoipa::path(
    get, path = "/api/v1/areas/{area_code}/plates.svg", tag = TAG_ARCHIVE,
    params(("area_code" = String, Path, description = "Transformer area code")),
    responses(
        (status = 200, description = "Multi-page SVG (A4 pages stacked vertically)", body = String, content_type = "image/svg+xml"),
        (status = 400, description = "Malformed area code", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such transformer area", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn area_plates(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(raw): ApiPath<String>,
) -> Result<Response, ApiError> {
    let code = Code::parse_field("area_code", &raw)?;
    let area = scope::area_for(&state, &auth.actor, &code).await?;
    let plates = area_plates_of(&state, &area);
    let svg = crate::plate::batch_svg(&plates, &area_title(&area))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(svg_response(svg, &format!("plates-{code}.svg")))
}

pub async fn load_area(
    state: &AppState,
    code: &Code,
) -> Result<griddesk_store::AreaCustomers, ApiError> {
    state
        .store
        .area_customers(code)
        .await?
        .ok_or_else(|| ApiError::NotFound {
            field: "area_code",
            value: code.to_string(),
        })
}

pub fn area_plates_of(state: &AppState, a: &griddesk_store::AreaCustomers) -> Vec<Plate> {
    a.customers
        .iter()
        .map(|c| Plate::new(c, &state.config.company_name, &a.area.name, &a.feeder_name))
        .collect()
}

pub fn area_title(a: &griddesk_store::AreaCustomers) -> String {
    format!("{} · {} · {}", a.area.name, a.area.code, a.feeder_name)
}

/// Counts of the archive: units, staff, topology and customers.
#[utoipa::path(
    get, path = "/api/v1/stats", tag = TAG_ARCHIVE,
    responses((status = 200, description = "Archive statistics", body = ArchiveStats))
)]
pub async fn stats(State(state): State<AppState>) -> Result<Json<ArchiveStats>, ApiError> {
    Ok(Json(state.store.stats().await?))
}

/// Organisation units (company, branches, supply stations, business halls).
#[utoipa::path(
    get, path = "/api/v1/org-units", tag = TAG_ARCHIVE,
    responses((status = 200, description = "Every organisation unit", body = Vec<OrgUnitView>))
)]
pub async fn org_units(State(state): State<AppState>) -> Result<Json<Vec<OrgUnitView>>, ApiError> {
    let units = state.store.list_org_units().await?;
    Ok(Json(units.iter().map(OrgUnitView::from).collect()))
}
