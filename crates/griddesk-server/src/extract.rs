//! Query and path extractors whose rejections are problem documents naming the offending field,
//! instead of axum's plain-text rejections.

use crate::error::{ApiError, field_from_serde_text};
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::Uri;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// Query-string extractor. Parameters given with an empty value (`tariff=` from a form's "any"
/// option) are treated as absent.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or_default()).map(ApiQuery)
    }
}

/// Deserializes a raw query string (without the leading `?`) the way [`ApiQuery`] does.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let kept: Vec<&str> = query
        .split('&')
        .filter(|kv| {
            kv.split_once('=')
                .is_some_and(|(k, v)| !k.is_empty() && !v.is_empty())
        })
        .collect();
    let uri: Uri = format!("/?{}", kept.join("&"))
        .parse()
        .map_err(|_| ApiError::invalid("query", "the query string is not valid"))?;
    match Query::<T>::try_from_uri(&uri) {
        Ok(Query(v)) => Ok(v),
        Err(rejection) => {
            let text = rejection.body_text();
            let inner = text
                .strip_prefix("Failed to deserialize query string: ")
                .unwrap_or(&text);
            let field = field_from_serde_text(inner).unwrap_or_else(|| "query".to_owned());
            // The serde text repeats the field name as a prefix; drop it from the detail.
            let detail = inner
                .strip_prefix(&format!("{field}: "))
                .unwrap_or(inner)
                .to_owned();
            Err(ApiError::Invalid { field, detail })
        }
    }
}

/// JSON body extractor whose rejections are problem documents naming the offending field.
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::invalid(
                "content-type",
                "send the body as application/json",
            )),
            Err(JsonRejection::JsonDataError(e)) => {
                let text = e.body_text();
                let inner = text.split_once(": ").map_or(text.as_str(), |(_, r)| r);
                let field = field_from_serde_text(inner).unwrap_or_else(|| "body".to_owned());
                Err(ApiError::Invalid {
                    field,
                    detail: inner.to_owned(),
                })
            }
            Err(JsonRejection::BytesRejection(_)) => Err(ApiError::PayloadTooLarge),
            Err(other) => Err(ApiError::invalid("body", other.body_text())),
        }
    }
}

/// Path-parameter extractor.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                use axum::extract::path::ErrorKind;
                let detail = e.body_text();
                let field = match e.into_kind() {
                    ErrorKind::ParseErrorAtKey { key, .. }
                    | ErrorKind::InvalidUtf8InPathParam { key }
                    | ErrorKind::DeserializeError { key, .. } => key,
                    _ => "path".to_owned(),
                };
                Err(ApiError::Invalid { field, detail })
            }
            Err(other) => Err(ApiError::Internal(other.body_text())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct P {
        q: Option<String>,
        limit: Option<u32>,
        tariff: Option<griddesk_domain::customer::TariffCategory>,
    }

    #[test]
    fn empty_values_are_absent() {
        let p: P = parse_query("q=&limit=5&tariff=").unwrap();
        assert_eq!(p.q, None);
        assert_eq!(p.limit, Some(5));
        assert_eq!(p.tariff, None);
    }

    #[test]
    fn errors_name_the_field() {
        let field = |q: &str| match parse_query::<P>(q) {
            Err(ApiError::Invalid { field, .. }) => field,
            other => panic!("expected invalid, got {other:?}"),
        };
        assert_eq!(field("limit=abc"), "limit");
        assert_eq!(field("limit=-1"), "limit");
        assert_eq!(field("tariff=nuclear"), "tariff");
        assert_eq!(field("limit=1&limit=2"), "limit");
    }
}
