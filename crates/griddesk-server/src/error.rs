//! The one HTTP error type of the API: every failure becomes an RFC 9457 problem document
//! (`application/problem+json`) with `type`, `title`, `status`, `detail` and, for bad input, the
//! `field` that caused it. Internal errors are logged with their cause and answered with a generic
//! detail, so SQL, file paths or stack traces never reach a client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use griddesk_domain::ParseError;
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct Problem {
    /// URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Input field (query parameter, path parameter) that was rejected, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A request parameter failed validation.
    #[error("{field}: {detail}")]
    Invalid { field: String, detail: String },
    /// The addressed record (customer, transformer area) does not exist.
    #[error("{field} {value} not found")]
    NotFound { field: &'static str, value: String },
    /// No route for this path.
    #[error("no such resource")]
    NoRoute,
    /// No valid session or token.
    #[error("authentication required")]
    Unauthenticated,
    /// Authenticated, but the role or scope does not allow this.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// A state-changing request without the session's CSRF token.
    #[error("CSRF token missing or wrong")]
    Csrf,
    /// The record changed since the client read it (stale If-Match).
    #[error("version conflict")]
    Conflict { current: i64 },
    /// The request is well-formed but not allowed in the record's state.
    #[error("{detail}")]
    Unprocessable { field: &'static str, detail: String },
    /// An update without If-Match.
    #[error("If-Match required")]
    PreconditionRequired,
    /// Too many attempts (login, one-time codes); retry after the given seconds.
    #[error("too many attempts")]
    TooManyRequests { retry_after: u64 },
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("request body too large")]
    PayloadTooLarge,
    /// A dependency (the database) is down.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Anything else; the message is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            detail: detail.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Invalid { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound { .. } | ApiError::NoRoute => StatusCode::NOT_FOUND,
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::Csrf => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status();
        let (kind, title, detail, field) = match self {
            ApiError::Invalid { field, detail } => (
                "invalid-input",
                "Invalid input",
                detail.clone(),
                Some(field.clone()),
            ),
            ApiError::NotFound { field, value } => (
                "not-found",
                "Not found",
                format!("no record with {field} {value:?}"),
                Some((*field).to_owned()),
            ),
            ApiError::NoRoute => (
                "not-found",
                "Not found",
                "no such resource; see /api/openapi.json".to_owned(),
                None,
            ),
            ApiError::Unauthenticated => (
                "unauthenticated",
                "Authentication required",
                "log in, or send a valid API token as `Authorization: Bearer <token>`".to_owned(),
                None,
            ),
            ApiError::Forbidden(why) => ("forbidden", "Forbidden", (*why).to_owned(), None),
            ApiError::Csrf => (
                "csrf",
                "Forbidden",
                "state-changing requests of a browser session need the session's CSRF token \
                 (form field `csrf` or header X-CSRF-Token)"
                    .to_owned(),
                Some("csrf".to_owned()),
            ),
            ApiError::TooManyRequests { retry_after } => (
                "too-many-requests",
                "Too many attempts",
                format!("too many attempts; try again in {retry_after} seconds"),
                None,
            ),
            ApiError::Conflict { current } => (
                "conflict",
                "Version conflict",
                format!("the record has changed (now version {current}); read it again and retry"),
                Some("if-match".to_owned()),
            ),
            ApiError::Unprocessable { field, detail } => (
                "unprocessable",
                "Not allowed now",
                detail.clone(),
                Some((*field).to_owned()),
            ),
            ApiError::PreconditionRequired => (
                "precondition-required",
                "Precondition required",
                "send the version you read as If-Match (the ETag of the record)".to_owned(),
                Some("if-match".to_owned()),
            ),
            ApiError::MethodNotAllowed => (
                "method-not-allowed",
                "Method not allowed",
                "this resource does not support the request method".to_owned(),
                None,
            ),
            ApiError::PayloadTooLarge => (
                "payload-too-large",
                "Payload too large",
                "request bodies are limited to 1 MiB".to_owned(),
                None,
            ),
            ApiError::Unavailable(_) => (
                "unavailable",
                "Service unavailable",
                "the database is busy or not reachable; retry shortly".to_owned(),
                None,
            ),
            ApiError::Internal(_) => (
                "internal",
                "Internal server error",
                "the server could not complete the request; the error has been logged".to_owned(),
                None,
            ),
        };
        Problem {
            kind: format!("urn:griddesk:problem:{kind}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            field,
        }
    }
}

impl From<ParseError> for ApiError {
    fn from(e: ParseError) -> Self {
        ApiError::Invalid {
            field: e.field.to_owned(),
            detail: e.reason,
        }
    }
}

impl From<griddesk_store::StoreError> for ApiError {
    fn from(e: griddesk_store::StoreError) -> Self {
        match e {
            // A reference named in the request (an org unit, a login) that does not exist.
            griddesk_store::StoreError::MissingReference { field, value } => ApiError::Invalid {
                field: field.to_owned(),
                detail: format!("{value:?} does not exist"),
            },
            griddesk_store::StoreError::Busy(cause) => ApiError::Unavailable(cause),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<griddesk_lake::LakeError> for ApiError {
    fn from(e: griddesk_lake::LakeError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// Builds a problem+json response for any problem.
pub fn problem_response(status: StatusCode, problem: &Problem) -> Response {
    let body = serde_json::to_vec(problem).unwrap_or_else(|_| b"{}".to_vec());
    let mut resp = (status, body).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(cause) => tracing::error!(error = %cause, "internal error"),
            ApiError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "dependency unavailable")
            }
            _ => {}
        }
        let mut resp = problem_response(self.status(), &self.problem());
        match &self {
            ApiError::Unauthenticated => {
                resp.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"griddesk\""),
                );
            }
            ApiError::TooManyRequests { retry_after } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                    resp.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            // A busy or unreachable database is usually back within seconds.
            ApiError::Unavailable(_) => {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
            }
            _ => {}
        }
        resp
    }
}

/// Response for a panic caught by the panic layer: a generic 500 problem. The panic message is
/// logged, never sent.
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let msg = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("(non-string panic payload)");
    tracing::error!(panic = msg, "handler panicked");
    let e = ApiError::Internal(String::new());
    problem_response(e.status(), &e.problem())
}

/// Extracts the offending field from a serde error text: "limit: invalid digit found in string"
/// (serde_path_to_error prefix), "missing field `q`", "duplicate field `limit`".
pub fn field_from_serde_text(text: &str) -> Option<String> {
    let ident = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.bytes().all(|b| {
                b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'[' || b == b']'
            })
    };
    if let Some((head, _)) = text.split_once(": ")
        && ident(head)
        && head != "."
    {
        return Some(head.to_owned());
    }
    for marker in ["missing field `", "duplicate field `", "unknown field `"] {
        if let Some(rest) = text.split_once(marker).map(|(_, r)| r)
            && let Some((name, _)) = rest.split_once('`')
            && ident(name)
        {
            return Some(name.to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_from_serde_messages() {
        assert_eq!(
            field_from_serde_text("limit: invalid digit found in string").as_deref(),
            Some("limit")
        );
        assert_eq!(
            field_from_serde_text("tariff: unknown variant `x`, expected one of `a`").as_deref(),
            Some("tariff")
        );
        assert_eq!(
            field_from_serde_text("missing field `q`").as_deref(),
            Some("q")
        );
        assert_eq!(
            field_from_serde_text("duplicate field `limit`").as_deref(),
            Some("limit")
        );
        assert_eq!(field_from_serde_text("something odd"), None);
    }

    #[test]
    fn a_busy_database_is_503_to_retry_never_500() {
        let e = ApiError::from(griddesk_store::StoreError::Busy(
            "pool timed out while waiting for an open connection".into(),
        ));
        let p = e.problem();
        assert_eq!(
            (p.status, p.kind.as_str()),
            (503, "urn:griddesk:problem:unavailable")
        );
        assert!(!p.detail.contains("pool"));
        let resp = e.into_response();
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(resp.headers()[header::RETRY_AFTER], "2");
        let e = ApiError::from(griddesk_store::StoreError::Backend("syntax error".into()));
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn internal_detail_is_generic() {
        let p = ApiError::Internal("SELECT * FROM secret failed".into()).problem();
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("SELECT"));
        let p = ApiError::invalid("limit", "at most 100").problem();
        assert_eq!(p.field.as_deref(), Some("limit"));
        assert_eq!(p.status, 400);
    }
}
