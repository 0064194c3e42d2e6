//! GridDesk's HTTP layer (axum): the JSON API under /api/v1 with its OpenAPI document derived
//! from the handlers, the customer-360 web console (server-rendered, zh-CN by default), customer
//! number plates, /healthz and Prometheus /metrics.
//!
//! Invariants: every personal field leaving the server is masked (D12, see [`model`]); every API
//! failure is an `application/problem+json` document (see [`error`]); bad input never yields a
//! 500 or a panic; every response carries the security headers.

pub mod api;
mod assets;
mod console;
pub mod error;
pub mod extract;
mod i18n;
pub mod metrics;
pub mod model;
pub mod plate;
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
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            company_name: "GridDesk示范供电公司".to_owned(),
            history_months: 36,
        }
    }
}

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn griddesk_store::Store>,
    pub lake: Arc<griddesk_lake::Lake>,
    pub config: Arc<ServerConfig>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "GridDesk API",
        description = "Customer archive of a power supply company (供电客户服务平台): search, customer 360, billing history and number plates. Personal information is masked (D12). Errors are application/problem+json documents naming the offending field.",
        license(name = "Apache-2.0")
    ),
    tags(
        (name = "customers", description = "Customer archive: search, 360 record, history, plates"),
        (name = "archive", description = "Organisation, topology and statistics"),
        (name = "operations", description = "Health, metrics and this document"),
    )
)]
struct ApiDoc;

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
}

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
        .route("/assets/{*path}", get(assets::serve))
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
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
            .layer(middleware::from_fn(metrics::track))
            .layer(middleware::from_fn(api_problems))
            .layer(CatchPanicLayer::custom(error::panic_response))
            .layer(RequestBodyLimitLayer::new(BODY_LIMIT)),
    )
}

fn is_api_path(path: &str) -> bool {
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
    axum::serve(listener, router(state))
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
        ] {
            assert!(doc.paths.paths.contains_key(p), "{p} is undocumented");
        }
    }
}
