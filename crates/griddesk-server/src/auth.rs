//! Authentication: who is calling. A bearer API token (integrations), or a session cookie (staff
//! in the console, customers in self-service). Secrets are random 256-bit values; the database
//! keeps only their SHA-256, and passwords only as argon2id hashes.
//!
//! [`authenticate`] runs on every request and leaves an [`Auth`] in the request's extensions when
//! the caller is known; what the caller may do is decided afterwards by [`crate::policy`].

use crate::error::ApiError;
use crate::{AppState, time};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use griddesk_domain::access::{Actor, LockoutPolicy};
use griddesk_domain::values::{Code, CustomerNo};
use griddesk_store::access::{SessionKind, SessionRecord};
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::OnceLock;

pub const SESSION_COOKIE: &str = "gd_session";
/// Double-submit cookie protecting the forms used before a session exists (login, portal).
pub const FORM_CSRF_COOKIE: &str = "gd_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "csrf";

/// Settings of authentication.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Lifetime of a staff session (one shift).
    pub staff_session_minutes: i64,
    /// Lifetime of a customer's self-service session.
    pub customer_session_minutes: i64,
    /// Validity of a one-time code.
    pub otp_minutes: i64,
    /// Wrong codes allowed before the code is void.
    pub otp_max_attempts: u32,
    /// Minimum seconds between two codes for one customer.
    pub otp_resend_seconds: i64,
    pub lockout: LockoutPolicy,
    /// Failed logins allowed from one address per `ip_window_minutes`.
    pub ip_max_failures: u32,
    pub ip_window_minutes: i64,
    /// argon2id cost (memory KiB, iterations, lanes).
    pub argon2_m_kib: u32,
    pub argon2_t: u32,
    pub argon2_p: u32,
    /// Mark cookies `Secure` (behind TLS).
    pub secure_cookies: bool,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            staff_session_minutes: 8 * 60,
            customer_session_minutes: 30,
            otp_minutes: 5,
            otp_max_attempts: 5,
            otp_resend_seconds: 60,
            lockout: LockoutPolicy::default(),
            ip_max_failures: 20,
            ip_window_minutes: 15,
            // OWASP's argon2id minimum: 19 MiB, 2 iterations, 1 lane.
            argon2_m_kib: 19 * 1024,
            argon2_t: 2,
            argon2_p: 1,
            secure_cookies: false,
        }
    }
}

impl AuthConfig {
    fn argon2(&self) -> argon2::Argon2<'static> {
        let params = argon2::Params::new(self.argon2_m_kib, self.argon2_t, self.argon2_p, None)
            .unwrap_or_default();
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
    }
}

/// A fresh random secret: 32 bytes from the OS, hex-encoded.
pub fn random_secret() -> String {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    hex(&buf)
}

/// A random decimal code of `digits` digits (one-time codes).
pub fn random_digits(digits: u32) -> String {
    let mut buf = [0u8; 8];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    let n = u64::from_le_bytes(buf) % 10u64.pow(digits);
    format!("{n:0width$}", width = digits as usize)
}

/// Lower-case hex; five lines do not warrant a crate.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// SHA-256 of a secret, as stored in the database.
pub fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Constant-time equality of two secrets.
pub fn secrets_equal(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Checks a new password: 10 to 128 characters, not all of one kind of character.
pub fn check_new_password(pw: &str) -> Result<(), ApiError> {
    let n = pw.chars().count();
    if !(10..=128).contains(&n) {
        return Err(ApiError::invalid(
            "password",
            "a password has 10 to 128 characters",
        ));
    }
    let kinds = [
        pw.chars().any(|c| c.is_ascii_lowercase()),
        pw.chars().any(|c| c.is_ascii_uppercase()),
        pw.chars().any(|c| c.is_ascii_digit()),
        pw.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if kinds.iter().filter(|k| **k).count() < 2 {
        return Err(ApiError::invalid(
            "password",
            "mix at least two of: lower case, upper case, digits, other characters",
        ));
    }
    Ok(())
}

/// argon2id hash (PHC string) of a password. CPU-heavy: call from a blocking task.
pub fn hash_password(cfg: &AuthConfig, pw: &str) -> Result<String, ApiError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| ApiError::Internal(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| ApiError::Internal(e.to_string()))?;
    cfg.argon2()
        .hash_password(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Verifies a password against a stored hash; `None` hash checks against a dummy so that an
/// unknown login takes as long as a known one (no user enumeration by timing).
pub fn verify_password(cfg: &AuthConfig, pw: &str, phc: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    match phc {
        Some(p) => verify_against(cfg, pw, p),
        None => {
            let dummy =
                DUMMY.get_or_init(|| hash_password(cfg, "not the password").unwrap_or_default());
            let _ = verify_against(cfg, pw, dummy);
            false
        }
    }
}

fn verify_against(cfg: &AuthConfig, pw: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| cfg.argon2().verify_password(pw.as_bytes(), &h).is_ok())
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Auth {
    pub actor: Actor,
    /// Set when the caller came with a session cookie (then state changes need CSRF).
    pub session: Option<SessionInfo>,
}

#[derive(Clone)]
pub struct SessionInfo {
    pub id_hash: String,
    pub csrf: String,
}

impl std::fmt::Debug for SessionInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionInfo { .. }")
    }
}

impl Auth {
    pub fn csrf(&self) -> Option<&str> {
        self.session.as_ref().map(|s| s.csrf.as_str())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Auth>()
            .cloned()
            .ok_or(ApiError::Unauthenticated)
    }
}

/// The caller's address, for the audit trail ("from where").
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(client_addr(parts))
    }
}

pub fn client_addr(parts: &Parts) -> ClientAddr {
    ClientAddr(
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".to_owned()),
    )
}

/// The value of cookie `name` in the request.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// `Set-Cookie` for a secret cookie: HttpOnly, SameSite=Lax (the console's links from e-mail
/// still carry the session; cross-site posts do not), whole site.
pub fn set_cookie(cfg: &AuthConfig, name: &str, value: &str, max_age_s: i64) -> HeaderValue {
    let secure = if cfg.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age_s}; HttpOnly; SameSite=Lax{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("invalid=1; Max-Age=0"))
}

pub fn clear_cookie(name: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("invalid=1; Max-Age=0"))
}

/// Starts a new session for `subject` with a fresh id: an id the client brought along is never
/// reused (no session fixation). Returns the cookie to set.
pub async fn start_session(
    state: &AppState,
    kind: SessionKind,
    subject: &str,
    previous: Option<&str>,
) -> Result<HeaderValue, ApiError> {
    if let Some(old) = previous {
        state.store.delete_session(&secret_hash(old)).await?;
    }
    let cfg = &state.config.auth;
    let minutes = match kind {
        SessionKind::Staff => cfg.staff_session_minutes,
        SessionKind::Customer => cfg.customer_session_minutes,
    };
    let id = random_secret();
    let now = time::now();
    state
        .store
        .create_session(&SessionRecord {
            id_hash: secret_hash(&id),
            kind,
            subject: subject.to_owned(),
            csrf: random_secret(),
            created_at: now,
            expires_at: time::add_minutes(now, minutes),
        })
        .await?;
    Ok(set_cookie(cfg, SESSION_COOKIE, &id, minutes * 60))
}

/// Resolves the caller of every request. A request with an `Authorization` header that is not a
/// live bearer token is refused at once (401); a stale session cookie just counts as anonymous.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    match resolve(&state, req.headers()).await {
        Ok(Some(auth)) => {
            req.extensions_mut().insert(auth);
        }
        Ok(None) => {}
        Err(e) => return e.into_response(),
    }
    next.run(req).await
}

async fn resolve(state: &AppState, headers: &HeaderMap) -> Result<Option<Auth>, ApiError> {
    let now = time::now();
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(ApiError::Unauthenticated)?;
        let t = state
            .store
            .api_token_by_hash(&secret_hash(token))
            .await?
            .filter(|t| t.is_live(now))
            .ok_or(ApiError::Unauthenticated)?;
        return Ok(Some(Auth {
            actor: Actor::Token {
                id: t.id,
                name: t.name,
                role: t.role,
                org_unit: t.org_unit,
            },
            session: None,
        }));
    }
    let Some(id) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let id_hash = secret_hash(id);
    let Some(s) = state.store.session(&id_hash).await? else {
        return Ok(None);
    };
    if s.expires_at <= now {
        state.store.delete_session(&id_hash).await?;
        return Ok(None);
    }
    let actor = match s.kind {
        SessionKind::Staff => {
            let Ok(login) = Code::parse(&s.subject) else {
                return Ok(None);
            };
            // Role and unit are read afresh, so a change applies to open sessions at once.
            match state.store.staff_member(&login).await? {
                Some(st) => Actor::Staff {
                    login: st.login,
                    name: st.name,
                    role: st.role,
                    org_unit: st.org_unit,
                },
                None => return Ok(None),
            }
        }
        SessionKind::Customer => match CustomerNo::parse(&s.subject) {
            Ok(customer_no) => Actor::Customer { customer_no },
            Err(_) => return Ok(None),
        },
    };
    Ok(Some(Auth {
        actor,
        session: Some(SessionInfo {
            id_hash,
            csrf: s.csrf,
        }),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> AuthConfig {
        AuthConfig {
            argon2_m_kib: 64,
            argon2_t: 1,
            ..Default::default()
        }
    }

    #[test]
    fn passwords_hash_and_verify() {
        let cfg = cheap();
        let h = hash_password(&cfg, "Correct-Horse-9").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&cfg, "Correct-Horse-9", Some(&h)));
        assert!(!verify_password(&cfg, "correct-horse-9", Some(&h)));
        assert!(!verify_password(&cfg, "Correct-Horse-9", None));
        assert!(!verify_password(&cfg, "x", Some("not a hash")));
        // Salted: the same password hashes differently.
        assert_ne!(h, hash_password(&cfg, "Correct-Horse-9").unwrap());
    }

    #[test]
    fn new_password_rules() {
        assert!(check_new_password("short1A").is_err());
        assert!(check_new_password("alllowercaseletters").is_err());
        assert!(check_new_password("lower-and-dash").is_ok());
        assert!(check_new_password(&"aB".repeat(65)).is_err());
    }

    #[test]
    fn secrets() {
        let a = random_secret();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_secret());
        assert_eq!(secret_hash("abc").len(), 64);
        assert!(secrets_equal("abc", "abc") && !secrets_equal("abc", "abd"));
        assert!(!secrets_equal("abc", "abcd"));
        let d = random_digits(6);
        assert_eq!(d.len(), 6);
        assert!(d.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn cookies_parse() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("lang=en; gd_session=abc123; x=y"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc123"));
        assert_eq!(cookie(&h, "nope"), None);
        let c = set_cookie(&AuthConfig::default(), SESSION_COOKIE, "v", 60);
        let s = c.to_str().unwrap();
        assert!(s.contains("HttpOnly") && s.contains("SameSite=Lax") && !s.contains("Secure"));
    }
}
