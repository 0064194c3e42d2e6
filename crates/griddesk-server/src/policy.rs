//! Authorization: the access rule of every route, in one table, and the middleware that applies
//! it after routing. A route without a rule is refused (fail closed), and a test walks the
//! router's own route table to make sure none is missing.
//!
//! Cookie sessions also need their CSRF token on every state-changing request; bearer tokens do
//! not (browsers never attach them on their own).

use crate::auth::{self, Auth, CSRF_FIELD, CSRF_HEADER, FORM_CSRF_COOKIE};
use crate::error::ApiError;
use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use griddesk_domain::access::Permission;

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, logged in or not (health, documentation, assets, login pages).
    Public,
    /// Anyone, but a form post: the double-submit CSRF cookie must match the form's token.
    PublicForm,
    /// Any authenticated caller (logout, the console's front page).
    LoggedIn,
    /// Callers whose role holds this permission.
    Perm(Permission),
}

use Permission::*;
use Rule::*;

/// The access rule of every route: (method, path pattern as registered, rule).
pub const RULES: &[(&str, &str, Rule)] = &[
    // Operations and documentation.
    ("GET", "/healthz", Public),
    ("GET", "/metrics", Perm(OpsRead)),
    ("GET", "/api/openapi.json", Public),
    ("GET", "/api/docs", Public),
    ("GET", "/assets/{*path}", Public),
    // Customer archive.
    ("GET", "/api/v1/customers", Perm(ArchiveRead)),
    ("GET", "/api/v1/customers/{customer_no}", Perm(ArchiveRead)),
    (
        "GET",
        "/api/v1/customers/{customer_no}/history",
        Perm(ArchiveRead),
    ),
    (
        "GET",
        "/api/v1/customers/{customer_no}/plate.svg",
        Perm(ArchiveRead),
    ),
    (
        "POST",
        "/api/v1/customers/{customer_no}/unmask",
        Perm(PiiUnmask),
    ),
    (
        "GET",
        "/api/v1/areas/{area_code}/plates.svg",
        Perm(ArchiveRead),
    ),
    ("GET", "/api/v1/stats", Perm(ArchiveRead)),
    ("GET", "/api/v1/org-units", Perm(ArchiveRead)),
    // Who am I.
    ("GET", "/api/v1/me", LoggedIn),
    // Integrations' tokens.
    ("GET", "/api/v1/tokens", Perm(TokenAdmin)),
    ("POST", "/api/v1/tokens", Perm(TokenAdmin)),
    ("DELETE", "/api/v1/tokens/{id}", Perm(TokenAdmin)),
    // Audit trail.
    ("GET", "/api/v1/audit", Perm(AuditRead)),
    ("GET", "/api/v1/audit.csv", Perm(AuditRead)),
    // Work orders.
    ("GET", "/api/v1/work-orders", Perm(OrderRead)),
    ("POST", "/api/v1/work-orders", Perm(OrderWrite)),
    ("GET", "/api/v1/work-orders/{id}", Perm(OrderRead)),
    ("POST", "/api/v1/work-orders/{id}/actions", Perm(OrderWrite)),
    (
        "POST",
        "/api/v1/work-orders/{id}/appointments",
        Perm(OrderWrite),
    ),
    ("GET", "/api/v1/org-units/{code}/schedule", Perm(OrderRead)),
    (
        "GET",
        "/api/v1/customers/{customer_no}/contacts",
        Perm(ArchiveRead),
    ),
    (
        "POST",
        "/api/v1/customers/{customer_no}/contacts",
        Perm(OrderWrite),
    ),
    // The complaint record and ledger.
    ("GET", "/api/v1/work-orders/{id}/complaint", Perm(OrderRead)),
    (
        "PUT",
        "/api/v1/work-orders/{id}/complaint/cause",
        Perm(OrderWrite),
    ),
    (
        "POST",
        "/api/v1/work-orders/{id}/complaint/steps",
        Perm(OrderWrite),
    ),
    (
        "PUT",
        "/api/v1/work-orders/{id}/complaint/finding",
        Perm(ComplaintFinding),
    ),
    ("GET", "/api/v1/complaints", Perm(ComplaintLedger)),
    ("GET", "/api/v1/complaints/analysis", Perm(ComplaintLedger)),
    ("GET", "/api/v1/complaints.xlsx", Perm(ComplaintLedger)),
    // Attachments (crews' photos).
    (
        "GET",
        "/api/v1/work-orders/{id}/attachments",
        Perm(OrderRead),
    ),
    (
        "POST",
        "/api/v1/work-orders/{id}/attachments",
        Perm(OrderWrite),
    ),
    (
        "GET",
        "/api/v1/work-orders/{id}/attachments/{attachment}",
        Perm(OrderRead),
    ),
    // The call centre: agents' presence, incoming calls, callbacks.
    ("GET", "/api/v1/agents", Perm(OrderRead)),
    ("PUT", "/api/v1/agents/{login}/presence", Perm(OrderWrite)),
    ("POST", "/api/v1/calls", Perm(OrderWrite)),
    ("GET", "/api/v1/callbacks", Perm(OrderRead)),
    ("POST", "/api/v1/callbacks/{id}/done", Perm(OrderWrite)),
    // The knowledge base: everyone who works on orders reads it; editors write it.
    ("GET", "/api/v1/knowledge", Perm(OrderRead)),
    ("POST", "/api/v1/knowledge", Perm(KnowledgeWrite)),
    ("GET", "/api/v1/knowledge/{id}", Perm(OrderRead)),
    ("PUT", "/api/v1/knowledge/{id}", Perm(KnowledgeWrite)),
    // Outages: everyone who works on orders sees them; dispatchers and supervisors record them.
    ("GET", "/api/v1/outages", Perm(OrderRead)),
    ("POST", "/api/v1/outages", Perm(OutageWrite)),
    ("GET", "/api/v1/outages/{id}", Perm(OrderRead)),
    ("POST", "/api/v1/outages/{id}/actions", Perm(OutageWrite)),
    ("GET", "/api/v1/outages/{id}/notices", Perm(OrderRead)),
    ("GET", "/api/v1/outage-tasks", Perm(OrderRead)),
    ("POST", "/api/v1/orderly-plans", Perm(OutageWrite)),
    ("GET", "/api/v1/outage-plans", Perm(OrderRead)),
    ("POST", "/api/v1/outage-plans/import", Perm(OutageWrite)),
    ("PATCH", "/api/v1/outage-plans/{job_id}", Perm(OutageWrite)),
    (
        "POST",
        "/api/v1/outage-plans/{job_id}/cancel",
        Perm(OutageWrite),
    ),
    ("POST", "/api/v1/outage-plans/issue", Perm(OutageWrite)),
    // Customer managers learn their customers' maintenance; dispatchers plan around it.
    ("GET", "/api/v1/customer-maintenance", Perm(OrderRead)),
    ("POST", "/api/v1/customer-maintenance", Perm(OrderWrite)),
    // The load-limiting sequence holds customers' agreed loads: for those who plan with it.
    ("GET", "/api/v1/orderly-sequence", Perm(OutageWrite)),
    ("PUT", "/api/v1/orderly-sequence", Perm(OutageWrite)),
    ("POST", "/api/v1/outage-tasks/{id}/done", Perm(OrderWrite)),
    ("GET", "/api/v1/reliability", Perm(OrderRead)),
    ("POST", "/api/v1/arrears-disconnections", Perm(OutageWrite)),
    (
        "POST",
        "/api/v1/arrears-disconnections/{customer_no}/restore",
        Perm(OutageWrite),
    ),
    (
        "GET",
        "/api/v1/customers/{customer_no}/outages",
        Perm(ArchiveRead),
    ),
    // Value segmentation: analysis for analysts and supervisors; the tier is part of the record.
    (
        "GET",
        "/api/v1/segmentation/{period}",
        Perm(ComplaintLedger),
    ),
    (
        "GET",
        "/api/v1/segmentation/{period}/members",
        Perm(ComplaintLedger),
    ),
    (
        "GET",
        "/api/v1/segmentation/movement",
        Perm(ComplaintLedger),
    ),
    ("POST", "/api/v1/segmentation/runs", Perm(ComplaintLedger)),
    (
        "GET",
        "/api/v1/customers/{customer_no}/segment",
        Perm(ArchiveRead),
    ),
    // Customer self-service.
    ("POST", "/api/v1/self/otp", Public),
    ("POST", "/api/v1/self/login", Public),
    ("GET", "/api/v1/self", Perm(SelfService)),
    ("GET", "/api/v1/self/history", Perm(SelfService)),
    ("GET", "/api/v1/self/outages", Perm(SelfService)),
    // Console.
    ("GET", "/", Public),
    ("GET", "/login", Public),
    ("POST", "/login", PublicForm),
    ("POST", "/logout", LoggedIn),
    ("GET", "/console", Perm(ArchiveRead)),
    ("GET", "/console/search", Perm(ArchiveRead)),
    ("GET", "/console/customers/{customer_no}", Perm(ArchiveRead)),
    (
        "POST",
        "/console/customers/{customer_no}/unmask",
        Perm(PiiUnmask),
    ),
    (
        "GET",
        "/console/areas/{area_code}/plates",
        Perm(ArchiveRead),
    ),
    ("GET", "/console/audit", Perm(AuditRead)),
    ("GET", "/console/orders", Perm(OrderRead)),
    ("GET", "/console/orders/{id}", Perm(OrderRead)),
    ("POST", "/console/orders", Perm(OrderWrite)),
    ("POST", "/console/orders/{id}/actions", Perm(OrderWrite)),
    ("POST", "/console/orders/{id}/complaint", Perm(OrderWrite)),
    (
        "POST",
        "/console/orders/{id}/finding",
        Perm(ComplaintFinding),
    ),
    ("GET", "/console/workbench", Perm(OrderWrite)),
    ("GET", "/console/workbench/lookup", Perm(OrderWrite)),
    ("POST", "/console/presence", Perm(OrderWrite)),
    ("POST", "/console/callbacks/{id}/done", Perm(OrderWrite)),
    ("GET", "/console/dispatch", Perm(OrderRead)),
    ("GET", "/console/crew", Perm(OrderWrite)),
    ("GET", "/console/complaints", Perm(ComplaintLedger)),
    ("GET", "/console/segmentation", Perm(ComplaintLedger)),
    ("POST", "/console/segmentation/runs", Perm(ComplaintLedger)),
    ("GET", "/notices/outages", Public),
    ("GET", "/console/orderly", Perm(OutageWrite)),
    ("POST", "/console/orderly", Perm(OutageWrite)),
    ("GET", "/console/outages", Perm(OrderRead)),
    ("GET", "/console/outages/tree", Perm(OrderRead)),
    ("POST", "/console/outages", Perm(OutageWrite)),
    ("GET", "/console/outages/{id}", Perm(OrderRead)),
    ("POST", "/console/outages/{id}/actions", Perm(OutageWrite)),
    ("POST", "/console/outage-tasks/{id}/done", Perm(OrderWrite)),
    ("GET", "/console/outage-plans", Perm(OrderRead)),
    ("GET", "/console/outage-plans/{job_id}", Perm(OrderRead)),
    (
        "POST",
        "/console/outage-plans/{job_id}/edit",
        Perm(OutageWrite),
    ),
    (
        "POST",
        "/console/outage-plans/{job_id}/cancel",
        Perm(OutageWrite),
    ),
    ("POST", "/console/outage-plans/issue", Perm(OutageWrite)),
    ("POST", "/console/customer-maintenance", Perm(OrderWrite)),
    ("GET", "/console/knowledge", Perm(OrderRead)),
    ("GET", "/console/knowledge/suggest", Perm(OrderRead)),
    ("GET", "/console/knowledge/new", Perm(KnowledgeWrite)),
    ("POST", "/console/knowledge", Perm(KnowledgeWrite)),
    ("GET", "/console/knowledge/{id}", Perm(OrderRead)),
    ("POST", "/console/knowledge/{id}", Perm(KnowledgeWrite)),
    ("GET", "/console/tokens", Perm(TokenAdmin)),
    ("POST", "/console/tokens", Perm(TokenAdmin)),
    ("POST", "/console/tokens/{id}/revoke", Perm(TokenAdmin)),
    // Customer portal.
    ("GET", "/portal", Public),
    ("POST", "/portal/code", PublicForm),
    ("POST", "/portal/login", PublicForm),
    ("GET", "/portal/account", Perm(SelfService)),
    ("POST", "/portal/requests", Perm(SelfService)),
];

/// The rule of a route, by method and registered path pattern. HEAD follows GET.
pub fn rule(method: &Method, path: &str) -> Option<Rule> {
    let m = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    RULES
        .iter()
        .find(|(rm, rp, _)| *rm == m && *rp == path)
        .map(|(_, _, r)| *r)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Applies [`RULES`] to a routed request (a `route_layer`, so the matched path is known).
pub async fn authorize(req: Request, next: Next) -> Response {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let api = crate::is_api_path(&path);
    let Some(rule) = rule(req.method(), &path) else {
        tracing::error!(method = %req.method(), path, "route has no access rule; refused");
        return deny(
            api,
            &req,
            ApiError::Forbidden("this route has no access rule"),
        );
    };
    let auth = req.extensions().get::<Auth>().cloned();
    match rule {
        Public => next.run(req).await,
        PublicForm => match form_csrf(req).await {
            Ok(req) => next.run(req).await,
            Err(resp) => resp,
        },
        LoggedIn | Perm(_) => {
            let Some(auth) = auth else {
                return deny(api, &req, ApiError::Unauthenticated);
            };
            if let Perm(p) = rule
                && !auth.actor.may(p)
            {
                return deny(
                    api,
                    &req,
                    ApiError::Forbidden("your role does not allow this action"),
                );
            }
            match (&auth.session, is_safe(req.method())) {
                (Some(s), false) => match session_csrf(req, &s.csrf).await {
                    Ok(req) => next.run(req).await,
                    Err(resp) => resp,
                },
                _ => next.run(req).await,
            }
        }
    }
}

/// Refusal in the caller's language: problem+json for the API; for the console, the login page
/// when not logged in, an HTML error page otherwise.
fn deny(api: bool, req: &Request, e: ApiError) -> Response {
    if api {
        return e.into_response();
    }
    match e {
        ApiError::Unauthenticated if is_safe(req.method()) => {
            let target = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/console");
            let next = if req.uri().path().starts_with("/portal") {
                "/portal".to_owned()
            } else {
                format!("/login?next={}", urlencode(target))
            };
            Redirect::to(&next).into_response()
        }
        other => crate::console::error_page(req, other),
    }
}

/// Percent-encodes a path for a query parameter.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Reads the CSRF token a state-changing request carries: the X-CSRF-Token header, or the `csrf`
/// field of a url-encoded form (the body is read and put back).
async fn carried_token(req: Request) -> Result<(Request, Option<String>), Response> {
    if let Some(h) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        let t = h.to_owned();
        return Ok((req, Some(t)));
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((req, None));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, crate::BODY_LIMIT)
        .await
        .map_err(|_| ApiError::PayloadTooLarge.into_response())?;
    let token = form_field(&bytes, CSRF_FIELD);
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}

/// The value of `name` in a url-encoded body.
pub fn form_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

async fn session_csrf(req: Request, expected: &str) -> Result<Request, Response> {
    let api = crate::is_api_path(req.uri().path());
    let (req, token) = carried_token(req).await?;
    match token {
        Some(t) if auth::secrets_equal(&t, expected) => Ok(req),
        _ => Err(deny(api, &req, ApiError::Csrf)),
    }
}

/// Double-submit check of the pre-session forms: the form's token equals the `gd_csrf` cookie.
async fn form_csrf(req: Request) -> Result<Request, Response> {
    let expected = auth::cookie(req.headers(), FORM_CSRF_COOKIE).map(str::to_owned);
    let (req, token) = carried_token(req).await?;
    match (expected, token) {
        (Some(e), Some(t)) if e.len() >= 32 && auth::secrets_equal(&t, &e) => Ok(req),
        _ => Err(deny(false, &req, ApiError::Csrf)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_unique_and_head_follows_get() {
        let mut seen = std::collections::HashSet::new();
        for (m, p, _) in RULES {
            assert!(seen.insert((m, p)), "{m} {p} has two rules");
        }
        assert_eq!(rule(&Method::HEAD, "/healthz"), Some(Public));
        assert_eq!(rule(&Method::POST, "/healthz"), None);
    }

    #[test]
    fn form_fields() {
        assert_eq!(
            form_field(b"a=1&csrf=abc%2B&b=2", "csrf").as_deref(),
            Some("abc+")
        );
        assert_eq!(form_field(b"a=1", "csrf"), None);
        assert_eq!(
            urlencode("/console/search?q=王"),
            "/console/search%3Fq%3D%E7%8E%8B"
        );
    }
}
