//! GridDesk's HTTP layer (axum): the JSON API under /api/v1 with its OpenAPI document derived
//! from the handlers, the customer-360 web console (server-rendered, zh-CN by default), customer
//! number plates, /healthz and Prometheus /metrics.
//!
//! Invariants: every route has an access rule in [`policy::RULES`] and is refused without one;
//! every personal field leaving the server is masked (D12, see [`model`]) unless the reader
//! unmasked it, and such reads are audited ([`scope`]); every API failure is an
//! `application/problem+json` document (see [`error`]); bad input never yields a 500 or a panic;
//! every response carries the security headers.

pub mod api;
pub mod api_access;
pub mod api_knowledge;
pub mod api_maintenance;
pub mod api_orderly;
pub mod api_orders;
pub mod api_outage_plans;
pub mod api_outages;
pub mod api_segment;
pub mod api_service;
mod assets;
pub mod auth;
mod console;
pub mod error;
pub mod extract;
mod i18n;
pub mod metrics;
pub mod model;
pub mod notify;
pub mod outbox;
pub mod plate;
pub mod policy;
pub mod rules;
pub mod scope;
pub mod time;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use error::{ApiError, PROBLEM_JSON};
use std::future::Future;
use std::sync::{Arc, OnceLock};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Request bodies above this size are refused with 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Settings of the server that are not storage.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Printed on plates and shown in the console header.
    pub company_name: String,
    /// Default window of the customer history, in months.
    pub history_months: u32,
    pub auth: auth::AuthConfig,
    /// SLA policy and working-day calendar.
    pub rules: rules::ServiceRules,
    /// Outage notice lead times and callback hours (D3).
    pub notice: griddesk_domain::outage::NoticePolicy,
    /// How many repair calls in how long point to an outage (D3).
    pub inference: griddesk_domain::outage::InferencePolicy,
    /// Within how many days a second planned outage of the same area is flagged in the outage
    /// plans (seed 003: avoid repeated outages).
    pub repeat: griddesk_domain::outage_plan::RepeatPolicy,
    /// Retries and backoff of the notification outbox.
    pub retry: griddesk_domain::notice::RetryPolicy,
    /// How often the outbox dispatcher runs; `None` leaves dispatching to the caller (tests).
    pub dispatch_every: Option<std::time::Duration>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            company_name: "GridDesk示范供电公司".to_owned(),
            history_months: 36,
            auth: auth::AuthConfig::default(),
            // The shipped rules are checked by a unit test; they cannot fail here.
            rules: rules::ServiceRules::standard().expect("the shipped SLA rules are valid"),
            notice: griddesk_domain::outage::NoticePolicy::default(),
            inference: griddesk_domain::outage::InferencePolicy::default(),
            repeat: griddesk_domain::outage_plan::RepeatPolicy::default(),
            retry: griddesk_domain::notice::RetryPolicy::default(),
            dispatch_every: Some(std::time::Duration::from_secs(5)),
        }
    }
}

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn griddesk_store::Store>,
    pub lake: Arc<griddesk_lake::Lake>,
    pub config: Arc<ServerConfig>,
    /// Delivers SMS to customers (one-time codes, outage notices).
    pub notifier: Arc<dyn notify::Notifier>,
    /// Delivers e-mail (outage notices to contacts with an address); by default the SMS channel.
    pub mailer: Arc<dyn notify::Notifier>,
    pub orgs: Arc<scope::OrgCache>,
    pub throttle: Arc<scope::AddrThrottle>,
    /// This server instance among several on one database (holder of background-job leases).
    pub instance: Arc<str>,
    /// Segmentation movements already counted ([`api_segment::movement_cached`]).
    pub movements: Arc<api_segment::MovementCache>,
}

impl AppState {
    pub fn new(
        store: Arc<dyn griddesk_store::Store>,
        lake: Arc<griddesk_lake::Lake>,
        config: ServerConfig,
        notifier: Arc<dyn notify::Notifier>,
    ) -> Self {
        Self {
            store,
            lake,
            config: Arc::new(config),
            mailer: notifier.clone(),
            notifier,
            orgs: Arc::default(),
            throttle: Arc::default(),
            instance: Arc::from(auth::random_secret().get(..16).unwrap_or("instance")),
            movements: Arc::default(),
        }
    }

    /// Sends e-mail through `mailer` instead of the SMS channel.
    pub fn with_mailer(mut self, mailer: Arc<dyn notify::Notifier>) -> Self {
        self.mailer = mailer;
        self
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "GridDesk API",
        description = "Customer archive of a power supply company (供电客户服务平台): search, customer 360, billing history and number plates. Personal information is masked (D12). Errors are application/problem+json documents naming the offending field.",
        license(name = "Apache-2.0")
    ),
    tags(
        (name = "customers", description = "Customer archive: search, 360 record, history, plates, unmasking"),
        (name = "archive", description = "Organisation, topology and statistics"),
        (name = "access", description = "The caller, API tokens of integrations, the audit trail"),
        (name = "work-orders", description = "Customer requests from every channel as work orders with service-commitment deadlines"),
        (name = "complaints", description = "The complaint record (cause, five steps, responsibility) and the complaint ledger with its analysis"),
        (name = "call-centre", description = "Agents' presence, incoming calls routed by service tier, scheduled callbacks"),
        (name = "knowledge", description = "Knowledge base for the one-time complete notice: guides, checklists, tariffs, standard answers; Chinese searched by word"),
        (name = "outages", description = "Outages of the four kinds, the customers they reach, their lifecycle, and a customer's outages now or announced"),
        (name = "segmentation", description = "Customer value segmentation (D4): a period's value matrix, ABC pyramid, three-dimension grades and tiers, movement between periods, a customer's explanation, runs"),
        (name = "self-service", description = "Customers' own account, after a one-time code login"),
        (name = "operations", description = "Health, metrics and this document"),
    ),
    modifiers(&AccessDocs)
)]
struct ApiDoc;

/// Documents authentication from the access rules: the two schemes, and on every protected
/// operation its security requirement, the permission it needs, and the 401/403 answers.
struct AccessDocs;

impl utoipa::Modify for AccessDocs {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        };
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "API token of an integration, created by an administrator",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                auth::SESSION_COOKIE,
                "Console or self-service session; state-changing requests also need the X-CSRF-Token header",
            ))),
        );
        for (path, item) in doc.paths.paths.iter_mut() {
            let ops = [
                ("GET", item.get.as_mut()),
                ("POST", item.post.as_mut()),
                ("PUT", item.put.as_mut()),
                ("PATCH", item.patch.as_mut()),
                ("DELETE", item.delete.as_mut()),
            ];
            for (method, op) in ops {
                let Some(op) = op else { continue };
                let m = axum::http::Method::from_bytes(method.as_bytes()).unwrap_or_default();
                let needs = match policy::rule(&m, path) {
                    Some(policy::Rule::Perm(p)) => format!("permission `{}`", p.code()),
                    Some(policy::Rule::LoggedIn) => "any logged-in caller".to_owned(),
                    _ => continue,
                };
                op.security = Some(vec![
                    SecurityRequirement::new("bearer", Vec::<String>::new()),
                    SecurityRequirement::new("session", Vec::<String>::new()),
                ]);
                let note = format!("\n\nRequires {needs}.");
                op.description = Some(op.description.take().unwrap_or_default() + &note);
                for (code, text) in [
                    (
                        "401",
                        "Not logged in, or the token is unknown, revoked or expired",
                    ),
                    ("403", "The role or organisation unit does not allow this"),
                ] {
                    op.responses
                        .responses
                        .entry(code.to_owned())
                        .or_insert_with(|| {
                            utoipa::openapi::ResponseBuilder::new()
                                .description(text)
                                .content(
                                    error::PROBLEM_JSON,
                                    utoipa::openapi::ContentBuilder::new()
                                        .schema(Some(utoipa::openapi::Ref::from_schema_name(
                                            "Problem",
                                        )))
                                        .build(),
                                )
                                .build()
                                .into()
                        });
                }
            }
        }
    }
}

/// Every documented route. Each handler gets its own `routes!` call: utoipa-axum would otherwise
/// register all paths of one call on one method router.
fn api_router() -> OpenApiRouter<AppState> {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    OpenApiRouter::with_openapi(doc)
        .routes(routes!(api::healthz))
        .routes(routes!(api::metrics))
        .routes(routes!(api::openapi_json))
        .routes(routes!(api::docs))
        .routes(routes!(api::search_customers))
        .routes(routes!(api::get_customer))
        .routes(routes!(api::customer_history))
        .routes(routes!(api::customer_plate))
        .routes(routes!(api::area_plates))
        .routes(routes!(api::stats))
        .routes(routes!(api::org_units))
        .routes(routes!(api_access::unmask))
        .routes(routes!(api_access::me))
        .routes(routes!(api_access::list_tokens, api_access::post_token))
        .routes(routes!(api_access::delete_token))
        .routes(routes!(api_access::audit))
        .routes(routes!(api_access::audit_csv))
        .routes(routes!(api_access::self_otp))
        .routes(routes!(api_access::self_login))
        .routes(routes!(api_access::self_record))
        .routes(routes!(api_access::self_history))
        .routes(routes!(api_access::self_outages))
        .routes(routes!(api_orders::list_orders, api_orders::create_order))
        .routes(routes!(api_orders::get_order))
        .routes(routes!(api_orders::order_action))
        .routes(routes!(api_orders::contacts, api_orders::add_contact))
        .routes(routes!(api_orders::book))
        .routes(routes!(api_orders::schedule))
        .routes(routes!(api_service::get_complaint))
        .routes(routes!(api_service::put_cause))
        .routes(routes!(api_service::post_step))
        .routes(routes!(api_service::put_finding))
        .routes(routes!(api_service::list_complaints))
        .routes(routes!(api_service::complaint_analysis))
        .routes(routes!(api_service::complaints_xlsx))
        .routes(routes!(
            api_service::list_attachments,
            api_service::upload_attachment
        ))
        .routes(routes!(api_service::get_attachment))
        .routes(routes!(api_service::list_presence))
        .routes(routes!(api_service::put_presence))
        .routes(routes!(api_service::incoming_call))
        .routes(routes!(api_service::list_callbacks))
        .routes(routes!(api_service::callback_done))
        .routes(routes!(
            api_knowledge::search_knowledge,
            api_knowledge::create_article
        ))
        .routes(routes!(
            api_knowledge::get_article,
            api_knowledge::update_article
        ))
        .routes(routes!(
            api_outages::list_outages,
            api_outages::create_outage
        ))
        .routes(routes!(api_outages::get_outage))
        .routes(routes!(api_outages::outage_action))
        .routes(routes!(api_outages::outage_notices))
        .routes(routes!(api_outages::list_outage_tasks))
        .routes(routes!(api_outages::outage_task_done))
        .routes(routes!(api_orderly::orderly_plan))
        .routes(routes!(
            api_orderly::get_sequence,
            api_orderly::put_sequence
        ))
        .routes(routes!(api_outages::outages_at_customer))
        .routes(routes!(api_outages::reliability))
        .routes(routes!(api_outages::disconnect))
        .routes(routes!(api_outages::restore_on_payment))
        .routes(routes!(api_outage_plans::list_plans))
        .routes(routes!(api_outage_plans::upload_plan))
        .routes(routes!(api_outage_plans::patch_plan))
        .routes(routes!(api_outage_plans::post_cancel))
        .routes(routes!(api_outage_plans::post_issue))
        .routes(routes!(
            api_maintenance::list_maintenance,
            api_maintenance::record_maintenance
        ))
        .routes(routes!(api_segment::get_segmentation))
        .routes(routes!(api_segment::members))
        .routes(routes!(api_segment::movement))
        .routes(routes!(api_segment::post_run))
        .routes(routes!(api_segment::customer_segment))
}

/// Every route of the application as (method, path pattern): the API's from its OpenAPI
/// document (which the API router is built from), the console's from its own registry. The
/// route × role test walks this table.
pub fn route_table() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, item) in openapi().paths.paths {
        for (method, present) in [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
        ] {
            if present {
                out.push((method.to_owned(), path.clone()));
            }
        }
    }
    for (method, path) in console::route_list() {
        out.push((method.to_owned(), path.to_owned()));
    }
    out.push(("GET".to_owned(), ASSETS_PATH.to_owned()));
    out
}

const ASSETS_PATH: &str = "/assets/{*path}";

/// The OpenAPI document of every API route, derived from the handlers.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().split_for_parts().1
}

/// The OpenAPI document as JSON, built once.
fn openapi_json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| openapi().to_json().unwrap_or_else(|_| "{}".to_owned()))
}

/// The whole application: API, console, assets and the cross-cutting layers.
pub fn router(state: AppState) -> Router {
    // Install the metrics recorder before the first request is counted.
    let _ = metrics::handle();
    let (api, _) = api_router().split_for_parts();
    let app = Router::new()
        .merge(api)
        .merge(console::routes())
        .route(ASSETS_PATH, get(assets::serve))
        // After routing, so the matched path names the rule; only routes, not the fallback.
        .route_layer(middleware::from_fn(policy::authorize))
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .with_state(state);
    with_layers(app)
}

/// Tracing, security headers, metrics, problem documents for API errors, panic catching and the
/// body limit, outermost first.
fn with_layers(app: Router) -> Router {
    app.layer(
        ServiceBuilder::new()
            .layer(TraceLayer::new_for_http())
            .layer(SetResponseHeaderLayer::overriding(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONTENT_SECURITY_POLICY),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::X_FRAME_OPTIONS,
                HeaderValue::from_static("DENY"),
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            ))
            .layer(middleware::from_fn(metrics::track))
            .layer(middleware::from_fn(api_problems))
            .layer(CatchPanicLayer::custom(error::panic_response))
            .layer(RequestBodyLimitLayer::new(BODY_LIMIT)),
    )
}

pub(crate) fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/") || path == "/api" || path == "/healthz" || path == "/metrics"
}

/// Turns any error response of an API path that is not already a problem document (axum's 405,
/// tower-http's 413) into one, so API clients see one error format.
async fn api_problems(req: Request, next: Next) -> Response {
    let api = is_api_path(req.uri().path());
    let resp = next.run(req).await;
    let status = resp.status();
    let is_problem = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !api || !(status.is_client_error() || status.is_server_error()) || is_problem {
        return resp;
    }
    let err = match status {
        StatusCode::NOT_FOUND => ApiError::NoRoute,
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        s if s.is_client_error() => {
            ApiError::invalid("request", s.canonical_reason().unwrap_or("bad request"))
        }
        _ => ApiError::Internal(format!("unexpected {status} response")),
    };
    let mut out = error::problem_response(status, &err.problem());
    if let Some(allow) = resp.headers().get(header::ALLOW) {
        out.headers_mut().insert(header::ALLOW, allow.clone());
    }
    out
}

async fn fallback(req: Request) -> Response {
    if is_api_path(req.uri().path()) {
        ApiError::NoRoute.into_response()
    } else {
        console::not_found(&req).into_response()
    }
}

async fn method_not_allowed() -> Response {
    ApiError::MethodNotAllowed.into_response()
}

/// Serves the application on `listener` until `shutdown` completes, then drains in-flight
/// requests (graceful shutdown).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    api_orders::spawn_sweeper(state.clone(), std::time::Duration::from_secs(30));
    if let Some(every) = state.config.dispatch_every {
        outbox::spawn_dispatcher(state.clone(), every);
    }
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received; draining requests");
}

/// `Vary: HX-Request`, for responses that differ between htmx and plain requests.
pub(crate) fn vary_hx() -> (HeaderName, HeaderValue) {
    (header::VARY, HeaderValue::from_static("HX-Request, Cookie"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use tower::ServiceExt;

    async fn boom() -> &'static str {
        panic!("kaboom: secret detail")
    }

    #[tokio::test]
    async fn panics_become_problem_documents() {
        let app = with_layers(Router::new().route("/api/v1/boom", get(boom)));
        let resp = app
            .oneshot(
                Request::builder()
                    .uri("/api/v1/boom")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            resp.headers().get(header::CONTENT_TYPE).unwrap(),
            PROBLEM_JSON
        );
        assert_eq!(
            resp.headers().get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
            "nosniff"
        );
        let body = axum::body::to_bytes(resp.into_body(), 1 << 16)
            .await
            .unwrap();
        let p: error::Problem = serde_json::from_slice(&body).unwrap();
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("kaboom"));
    }

    #[tokio::test]
    async fn oversized_bodies_are_refused_as_problems() {
        async fn echo(body: String) -> String {
            body
        }
        let app = with_layers(Router::new().route("/api/v1/echo", axum::routing::post(echo)));
        let big = vec![b'x'; BODY_LIMIT + 10];
        let resp = app
            .oneshot(
                Request::builder()
                    .method("POST")
                    .uri("/api/v1/echo")
                    .header(header::CONTENT_LENGTH, big.len())
                    .body(Body::from(big))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(
            resp.headers().get(header::CONTENT_TYPE).unwrap(),
            PROBLEM_JSON
        );
    }

    #[test]
    fn openapi_documents_every_api_route() {
        let doc = openapi();
        for p in [
            "/healthz",
            "/metrics",
            "/api/openapi.json",
            "/api/docs",
            "/api/v1/customers",
            "/api/v1/customers/{customer_no}",
            "/api/v1/customers/{customer_no}/history",
            "/api/v1/customers/{customer_no}/plate.svg",
            "/api/v1/areas/{area_code}/plates.svg",
            "/api/v1/stats",
            "/api/v1/org-units",
            "/api/v1/me",
            "/api/v1/tokens",
            "/api/v1/audit",
            "/api/v1/self",
        ] {
            assert!(doc.paths.paths.contains_key(p), "{p} is undocumented");
        }
    }
}
