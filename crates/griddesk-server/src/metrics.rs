//! Prometheus metrics: one process-wide recorder (tests start many apps in one process, and a
//! global recorder can be installed only once) and a middleware counting requests and timing
//! them by matched route, method and status.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

pub const REQUESTS: &str = "griddesk_http_requests_total";
pub const LATENCY: &str = "griddesk_http_request_duration_seconds";

/// The handle of the process-wide recorder, installing it on first use. If another recorder was
/// already installed by the embedding program, a private one is kept so /metrics still answers.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = || {
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(LATENCY.to_owned()),
                    &[0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0],
                )
                .unwrap_or_else(|_| PrometheusBuilder::new())
        };
        builder().install_recorder().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "a metrics recorder is already installed; keeping a private one");
            builder().build_recorder().handle()
        })
    })
}

/// Records one request: counter and latency histogram labelled by the route template (not the
/// raw path, which would explode the label set), method and status.
pub async fn track(req: Request, next: Next) -> Response {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    let labels = [("path", path), ("method", method), ("status", status)];
    metrics::counter!(REQUESTS, &labels).increment(1);
    metrics::histogram!(LATENCY, &labels).record(start.elapsed().as_secs_f64());
    resp
}

/// The exposition text.
pub fn render() -> String {
    let h = handle();
    h.run_upkeep();
    h.render()
}
