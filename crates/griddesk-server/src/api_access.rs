//! The access-control part of the JSON API: who am I, explicit unmasking with a reason, API tokens
//! of integrations, the audit trail (search and CSV export) and customer self-service (one-time
//! code login, one's own record and history). The flows shared with the console (code issue and
//! check, audit CSV) live here too.

use crate::api::{HistoryParams, TAG_CUSTOMERS};
use crate::auth::{self, Auth, ClientAddr};
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::model::{CustomerView, HistoryView, Label};
use crate::notify::Notification;
use crate::{AppState, scope, time};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use griddesk_domain::access::{Actor, AuditAction, AuditEntry, Permission, Reveal, parse_reason};
use griddesk_domain::org::Role;
use griddesk_domain::values::{Code, CustomerNo};
use griddesk_store::access::{
    ApiToken, AuditQuery, AuditRecord, NewApiToken, OtpRecord, SessionKind,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub const TAG_ACCESS: &str = "access";
pub const TAG_SELF: &str = "self-service";

/// The caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// Audit identity: `staff:<login>`, `token:<id>` or `customer:<no>`.
    pub id: String,
    pub name: String,
    pub role: Option<Role>,
    pub org_unit: Option<String>,
    /// Permission codes held.
    pub permissions: Vec<&'static str>,
    /// The session's CSRF token for state-changing requests (X-CSRF-Token); none for tokens.
    pub csrf: Option<String>,
}

impl Me {
    fn of(auth: &Auth) -> Self {
        let a = &auth.actor;
        Me {
            id: a.audit_id(),
            name: a.display_name(),
            role: a.role(),
            org_unit: match a {
                Actor::Staff { org_unit, .. } | Actor::Token { org_unit, .. } => {
                    Some(org_unit.to_string())
                }
                _ => None,
            },
            permissions: Permission::ALL
                .iter()
                .filter(|p| a.may(**p))
                .map(|p| p.code())
                .collect(),
            csrf: auth.csrf().map(str::to_owned),
        }
    }
}

/// The authenticated caller: identity, role, unit and permissions.
#[utoipa::path(
    get, path = "/api/v1/me", tag = TAG_ACCESS,
    responses((status = 200, description = "The caller", body = Me))
)]
pub async fn me(auth: Auth) -> Json<Me> {
    Json(Me::of(&auth))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UnmaskRequest {
    /// Why the personal data is needed (2-200 characters), kept in the audit trail.
    #[schema(example = "客户来电要求核对联系电话")]
    pub reason: String,
}

/// Shows a customer's personal information (phones, ID number, exact address, e-mail) in clear.
/// Allowed to front-line roles; every call is recorded in the audit trail with its reason.
#[utoipa::path(
    post, path = "/api/v1/customers/{customer_no}/unmask", tag = TAG_CUSTOMERS,
    params(("customer_no" = String, Path, description = "Customer number (10 digits)")),
    request_body = UnmaskRequest,
    responses(
        (status = 200, description = "The customer record in clear", body = CustomerView),
        (status = 400, description = "Missing or bad reason", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn unmask(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiPath(raw): ApiPath<String>,
    ApiJson(body): ApiJson<UnmaskRequest>,
) -> Result<Json<CustomerView>, ApiError> {
    let no = CustomerNo::parse(&raw)?;
    let reason = parse_reason(&body.reason)?;
    let d = scope::customer_for(&state, &auth.actor, &no).await?;
    scope::audit_unmask(&state, &auth.actor, &no, &reason, &addr).await?;
    Ok(Json(CustomerView::from_detail(&d, Reveal::Explicit)))
}

/// An API token as listed (never the secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub org_unit: String,
    pub created_by: String,
    /// RFC 3339, Asia/Shanghai.
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    /// Neither revoked nor expired.
    pub live: bool,
}

impl From<&ApiToken> for TokenView {
    fn from(t: &ApiToken) -> Self {
        TokenView {
            id: t.id,
            name: t.name.clone(),
            role: t.role,
            org_unit: t.org_unit.to_string(),
            created_by: t.created_by.clone(),
            created_at: time::local_rfc3339(t.created_at),
            expires_at: t.expires_at.map(time::local_rfc3339),
            revoked_at: t.revoked_at.map(time::local_rfc3339),
            live: t.is_live(time::now()),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewTokenRequest {
    /// What uses the token, e.g. "短信网关" (1-60 characters).
    pub name: String,
    /// The role the integration acts with (any staff role).
    pub role: Role,
    /// The organisation unit it acts for (its scope).
    pub org_unit: String,
    /// Days until it expires, 1-730 (default 365).
    pub expires_in_days: Option<u32>,
}

/// A new token: the secret is shown this once and never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    #[serde(flatten)]
    pub info: TokenView,
}

/// Every API token (without secrets).
#[utoipa::path(
    get, path = "/api/v1/tokens", tag = TAG_ACCESS,
    responses((status = 200, description = "Tokens, oldest first", body = Vec<TokenView>))
)]
pub async fn list_tokens(State(state): State<AppState>) -> Result<Json<Vec<TokenView>>, ApiError> {
    let tokens = state.store.list_api_tokens().await?;
    Ok(Json(tokens.iter().map(TokenView::from).collect()))
}

/// Validated input of a new token (shared with the console's form).
pub fn check_new_token(r: &NewTokenRequest) -> Result<(String, Code, u32), ApiError> {
    let name = r.name.trim();
    if name.is_empty() || name.chars().count() > 60 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "name",
            "give a name of 1 to 60 characters",
        ));
    }
    if r.role == Role::Customer {
        return Err(ApiError::invalid(
            "role",
            "tokens act with a staff role, not the customer's",
        ));
    }
    let days = r.expires_in_days.unwrap_or(365);
    if !(1..=730).contains(&days) {
        return Err(ApiError::invalid(
            "expires_in_days",
            format!("{days} is out of range: 1 to 730"),
        ));
    }
    Ok((
        name.to_owned(),
        Code::parse_field("org_unit", &r.org_unit)?,
        days,
    ))
}

/// Creates a token; shared by the API and the console. Returns the secret and the stored token.
pub async fn create_token(
    state: &AppState,
    auth: &Auth,
    addr: &str,
    r: &NewTokenRequest,
) -> Result<(String, ApiToken), ApiError> {
    let (name, org_unit, days) = check_new_token(r)?;
    let secret = format!("gdt_{}", auth::random_secret());
    let now = time::now();
    let new = NewApiToken {
        name,
        token_hash: auth::secret_hash(&secret),
        role: r.role,
        org_unit,
        created_by: auth.actor.audit_id(),
        created_at: now,
        expires_at: Some(time::add_minutes(now, i64::from(days) * 24 * 60)),
    };
    let after = serde_json::json!({
        "name": new.name, "role": new.role, "org_unit": new.org_unit,
        "expires_at": new.expires_at.map(|t| t.to_string()),
    });
    let audit = AuditEntry::new(
        &auth.actor,
        AuditAction::TokenCreated,
        "api_token",
        "",
        addr,
        now,
    )
    .change(None, Some(after.to_string()));
    let token = state.store.create_api_token(&new, &audit).await?;
    Ok((secret, token))
}

/// Creates a token for an integration. The secret is in this response only.
#[utoipa::path(
    post, path = "/api/v1/tokens", tag = TAG_ACCESS,
    request_body = NewTokenRequest,
    responses(
        (status = 201, description = "Created; keep the token, it is not shown again", body = CreatedToken),
        (status = 400, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post_token(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiJson(body): ApiJson<NewTokenRequest>,
) -> Result<Response, ApiError> {
    let (secret, token) = create_token(&state, &auth, &addr, &body).await?;
    let created = CreatedToken {
        token: secret,
        info: TokenView::from(&token),
    };
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(created),
    )
        .into_response())
}

/// Revokes a token; shared by the API and the console.
pub async fn revoke_token(
    state: &AppState,
    auth: &Auth,
    addr: &str,
    id: i64,
) -> Result<ApiToken, ApiError> {
    let now = time::now();
    let audit = AuditEntry::new(
        &auth.actor,
        AuditAction::TokenRevoked,
        "api_token",
        id.to_string(),
        addr,
        now,
    )
    .change(
        Some(r#"{"revoked_at":null}"#.to_owned()),
        Some(serde_json::json!({ "revoked_at": now.to_string() }).to_string()),
    );
    state
        .store
        .revoke_api_token(id, now, &audit)
        .await?
        .ok_or(ApiError::NotFound {
            field: "id",
            value: id.to_string(),
        })
}

/// Revokes a token at once (idempotent).
#[utoipa::path(
    delete, path = "/api/v1/tokens/{id}", tag = TAG_ACCESS,
    params(("id" = i64, Path, description = "Token id")),
    responses(
        (status = 200, description = "The revoked token", body = TokenView),
        (status = 404, description = "No such token", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_token(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TokenView>, ApiError> {
    let t = revoke_token(&state, &auth, &addr, id).await?;
    Ok(Json(TokenView::from(&t)))
}

/// Audit search parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Actor, e.g. `staff:zhangli`, `token:3`, `customer:0100000001`.
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
    /// Kind of record: customer, staff, api_token, audit_log.
    pub target_kind: Option<String>,
    /// Record id, e.g. a customer number.
    pub target: Option<String>,
    /// From this date (Asia/Shanghai, inclusive), YYYY-MM-DD.
    pub from: Option<String>,
    /// To this date (Asia/Shanghai, inclusive), YYYY-MM-DD.
    pub to: Option<String>,
    /// Records older than this id (paging back).
    pub before_id: Option<i64>,
    /// 1-500 (default 100).
    pub limit: Option<u32>,
}

pub const AUDIT_MAX_LIMIT: u32 = 500;
/// Rows an export may hold.
pub const AUDIT_EXPORT_LIMIT: u32 = 100_000;

fn local_day_start(
    field: &'static str,
    raw: &str,
    plus_days: i64,
) -> Result<jiff::Timestamp, ApiError> {
    let d: jiff::civil::Date = raw
        .trim()
        .parse()
        .map_err(|_| ApiError::invalid(field, "use the form YYYY-MM-DD"))?;
    let d = d
        .checked_add(jiff::Span::new().days(plus_days))
        .map_err(|_| ApiError::invalid(field, "date out of range"))?;
    d.to_zoned(time::shanghai().clone())
        .map(|z| z.timestamp())
        .map_err(|_| ApiError::invalid(field, "date out of range"))
}

/// Builds the store query of an audit search.
pub fn audit_query(p: &AuditParams, max: u32) -> Result<AuditQuery, ApiError> {
    let limit = p.limit.unwrap_or(100.min(max));
    if !(1..=max).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("{limit} is out of range: 1 to {max}"),
        ));
    }
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Ok(AuditQuery {
        actor: text(&p.actor),
        action: p.action,
        target_kind: text(&p.target_kind),
        target: text(&p.target),
        from: p
            .from
            .as_deref()
            .map(|f| local_day_start("from", f, 0))
            .transpose()?,
        to: p
            .to
            .as_deref()
            .map(|t| local_day_start("to", t, 1))
            .transpose()?,
        before_id: p.before_id,
        limit,
    })
}

/// One audit record as shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    pub id: i64,
    /// RFC 3339, Asia/Shanghai.
    pub at: String,
    pub actor: String,
    pub actor_name: String,
    pub role: Option<Role>,
    pub action: Label,
    pub target_kind: String,
    pub target: String,
    pub reason: Option<String>,
    /// Client address.
    pub source: String,
    /// State before a change (JSON text).
    pub before: Option<String>,
    /// State after a change, or what was read (JSON text).
    pub after: Option<String>,
}

impl From<&AuditRecord> for AuditView {
    fn from(r: &AuditRecord) -> Self {
        let e = &r.entry;
        AuditView {
            id: r.id,
            at: time::local_rfc3339(e.at),
            actor: e.actor.clone(),
            actor_name: e.actor_name.clone(),
            role: e.role,
            action: Label::of(e.action),
            target_kind: e.target_kind.clone(),
            target: e.target.clone(),
            reason: e.reason.clone(),
            source: e.source.clone(),
            before: e.before.clone(),
            after: e.after.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditView>,
    /// Pass as `before_id` for the next (older) page; absent on the last page.
    pub next_before_id: Option<i64>,
}

/// Searches the audit trail, newest first. The trail itself cannot be changed through any API.
#[utoipa::path(
    get, path = "/api/v1/audit", tag = TAG_ACCESS,
    params(AuditParams),
    responses(
        (status = 200, description = "Matching records, newest first", body = AuditPage),
        (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn audit(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> Result<Json<AuditPage>, ApiError> {
    let q = audit_query(&p, AUDIT_MAX_LIMIT)?;
    let rows = state.store.search_audit(&q).await?;
    let next_before_id = (rows.len() == q.limit as usize)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    Ok(Json(AuditPage {
        items: rows.iter().map(AuditView::from).collect(),
        next_before_id,
    }))
}

/// Exports matching audit records as CSV (UTF-8 with BOM for spreadsheet programs); the export
/// itself is recorded. Shared with the console.
pub async fn audit_csv_response(
    state: &AppState,
    auth: &Auth,
    addr: &str,
    p: &AuditParams,
) -> Result<Response, ApiError> {
    let q = audit_query(p, AUDIT_EXPORT_LIMIT)?;
    let q = AuditQuery {
        limit: p.limit.unwrap_or(AUDIT_EXPORT_LIMIT),
        ..q
    };
    let rows = state.store.search_audit(&q).await?;
    let filter = serde_json::json!({
        "actor": q.actor, "action": q.action.map(|a| a.code()), "target_kind": q.target_kind,
        "target": q.target, "from": p.from, "to": p.to, "rows": rows.len(),
    });
    let e = AuditEntry::new(
        &auth.actor,
        AuditAction::AuditExport,
        "audit_log",
        "csv",
        addr,
        time::now(),
    )
    .change(None, Some(filter.to_string()));
    state.store.append_audit(&e).await?;
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let err = |e: csv::Error| ApiError::Internal(e.to_string());
    w.write_record([
        "id",
        "at",
        "actor",
        "actor_name",
        "role",
        "action",
        "target_kind",
        "target",
        "reason",
        "source",
        "before",
        "after",
    ])
    .map_err(err)?;
    for r in &rows {
        let e = &r.entry;
        w.write_record([
            r.id.to_string(),
            time::local_rfc3339(e.at),
            e.actor.clone(),
            e.actor_name.clone(),
            e.role.map(|r| r.code().to_owned()).unwrap_or_default(),
            e.action.code().to_owned(),
            e.target_kind.clone(),
            e.target.clone(),
            e.reason.clone().unwrap_or_default(),
            e.source.clone(),
            e.before.clone().unwrap_or_default(),
            e.after.clone().unwrap_or_default(),
        ])
        .map_err(err)?;
    }
    let body = w
        .into_inner()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let name = format!("audit-{}.csv", time::today());
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response())
}

/// Exports the audit trail (same filters as the search; up to 100,000 rows) as CSV.
#[utoipa::path(
    get, path = "/api/v1/audit.csv", tag = TAG_ACCESS,
    params(AuditParams),
    responses(
        (status = 200, description = "CSV, UTF-8 with BOM", body = String, content_type = "text/csv"),
        (status = 400, description = "Invalid parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn audit_csv(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> Result<Response, ApiError> {
    audit_csv_response(&state, &auth, &addr, &p).await
}

// ---------------------------------------------------------------------------------------------
// Customer self-service.

#[derive(Debug, Deserialize, ToSchema)]
pub struct OtpRequest {
    #[schema(example = "0100000001")]
    pub customer_no: String,
}

#[derive(Deserialize, ToSchema)]
pub struct SelfLoginRequest {
    pub customer_no: String,
    /// The six-digit code received by SMS.
    pub code: String,
}

impl std::fmt::Debug for SelfLoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelfLoginRequest")
            .field("customer_no", &self.customer_no)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub message: &'static str,
}

const CODE_SENT: &str =
    "if the customer number is registered with a mobile phone, a code has been sent to it";
const CODE_WRONG: &str = "the code is wrong or has expired; request a new one";

fn code_hash(no: &CustomerNo, code: &str) -> String {
    auth::secret_hash(&format!("{no}:{code}"))
}

/// Sends a one-time login code to the customer's first mobile phone. The answer does not tell
/// whether the customer exists (no enumeration of customer numbers).
pub async fn issue_code(state: &AppState, raw_no: &str, addr: &str) -> Result<(), ApiError> {
    let no = CustomerNo::parse(raw_no)?;
    let cfg = &state.config.auth;
    if let Err(retry) = state.throttle.check(
        addr,
        cfg.ip_max_failures,
        std::time::Duration::from_secs(cfg.ip_window_minutes as u64 * 60),
    ) {
        return Err(ApiError::TooManyRequests { retry_after: retry });
    }
    let Some(d) = state.store.customer(&no).await? else {
        // Unknown numbers count against the address, like failed logins.
        state.throttle.failed(addr);
        return Ok(());
    };
    let now = time::now();
    if let Some(prev) = state.store.otp(&no).await?
        && prev
            .created_at
            .checked_add(jiff::SignedDuration::from_secs(cfg.otp_resend_seconds))
            .is_ok_and(|t| t > now)
    {
        return Err(ApiError::TooManyRequests {
            retry_after: cfg.otp_resend_seconds as u64,
        });
    }
    let Some(mobile) = d
        .customer
        .contacts
        .iter()
        .flat_map(|c| &c.phones)
        .find(|p| p.as_str().starts_with('1') && p.as_str().len() == 11)
    else {
        return Ok(());
    };
    let code = auth::random_digits(6);
    state
        .store
        .put_otp(&OtpRecord {
            customer_no: no.clone(),
            code_hash: code_hash(&no, &code),
            created_at: now,
            expires_at: time::add_minutes(now, cfg.otp_minutes),
            attempts: 0,
        })
        .await?;
    let n = Notification {
        key: format!("otp-{}", crate::auth::random_secret()),
        at: now.to_string(),
        channel: "sms",
        to: mobile.to_string(),
        customer_no: no.to_string(),
        text: format!(
            "【{}】您的登录验证码为{code}，{}分钟内有效。如非本人操作，请忽略本短信。",
            state.config.company_name, cfg.otp_minutes
        ),
    };
    if let Err(e) = state.notifier.send(&n).await {
        tracing::error!(error = %e, customer_no = %no, "one-time code not delivered");
        return Err(ApiError::Unavailable("notification channel".into()));
    }
    let actor = Actor::Customer {
        customer_no: no.clone(),
    };
    let e = AuditEntry::new(
        &actor,
        AuditAction::OtpIssued,
        "customer",
        no.as_str(),
        addr,
        now,
    )
    .change(
        None,
        Some(format!(
            r#"{{"to":"{}"}}"#,
            griddesk_domain::mask::phone(mobile)
        )),
    );
    state.store.append_audit(&e).await?;
    Ok(())
}

/// Checks a one-time code and starts the customer's session; returns the cookie to set.
pub async fn check_code(
    state: &AppState,
    raw_no: &str,
    code: &str,
    addr: &str,
    headers: &HeaderMap,
) -> Result<(CustomerNo, HeaderValue), ApiError> {
    let no = CustomerNo::parse(raw_no)?;
    let cfg = &state.config.auth;
    let window = std::time::Duration::from_secs(cfg.ip_window_minutes as u64 * 60);
    if let Err(retry) = state.throttle.check(addr, cfg.ip_max_failures, window) {
        return Err(ApiError::TooManyRequests { retry_after: retry });
    }
    let now = time::now();
    let wrong = || ApiError::invalid("code", CODE_WRONG);
    let Some(otp) = state.store.otp(&no).await? else {
        state.throttle.failed(addr);
        return Err(wrong());
    };
    if otp.expires_at <= now || otp.attempts >= cfg.otp_max_attempts {
        state.store.delete_otp(&no).await?;
        state.throttle.failed(addr);
        return Err(wrong());
    }
    if !auth::secrets_equal(&code_hash(&no, code.trim()), &otp.code_hash) {
        state.store.otp_failed(&no).await?;
        state.throttle.failed(addr);
        return Err(wrong());
    }
    state.store.delete_otp(&no).await?;
    state.throttle.succeeded(addr);
    let cookie = auth::start_session(
        state,
        SessionKind::Customer,
        no.as_str(),
        auth::cookie(headers, auth::SESSION_COOKIE),
    )
    .await?;
    let actor = Actor::Customer {
        customer_no: no.clone(),
    };
    let e = AuditEntry::new(
        &actor,
        AuditAction::Login,
        "customer",
        no.as_str(),
        addr,
        now,
    );
    state.store.append_audit(&e).await?;
    Ok((no, cookie))
}

/// Sends a one-time login code by SMS (self-service). Always 202, whether or not the number
/// exists; 429 when asked again within a minute or after too many failures from one address.
#[utoipa::path(
    post, path = "/api/v1/self/otp", tag = TAG_SELF,
    request_body = OtpRequest,
    responses(
        (status = 202, description = "A code was sent if the customer is registered", body = Accepted),
        (status = 400, description = "Malformed customer number", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn self_otp(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(body): ApiJson<OtpRequest>,
) -> Result<Response, ApiError> {
    issue_code(&state, &body.customer_no, &addr).await?;
    Ok((StatusCode::ACCEPTED, Json(Accepted { message: CODE_SENT })).into_response())
}

/// Logs a customer in with the one-time code; sets the session cookie.
#[utoipa::path(
    post, path = "/api/v1/self/login", tag = TAG_SELF,
    request_body = SelfLoginRequest,
    responses(
        (status = 200, description = "Logged in; the session cookie is set", body = Me),
        (status = 400, description = "Wrong or expired code", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn self_login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SelfLoginRequest>,
) -> Result<Response, ApiError> {
    let (no, cookie) = check_code(&state, &body.customer_no, &body.code, &addr, &headers).await?;
    let me = Me {
        id: format!("customer:{no}"),
        name: no.to_string(),
        role: Some(Role::Customer),
        org_unit: None,
        permissions: vec![Permission::SelfService.code()],
        csrf: None,
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(me)).into_response())
}

/// The logged-in customer's own number.
fn own_number(auth: &Auth) -> Result<&CustomerNo, ApiError> {
    match &auth.actor {
        Actor::Customer { customer_no } => Ok(customer_no),
        _ => Err(ApiError::Forbidden("self-service is for customers")),
    }
}

/// The customer's own record (personal fields masked, as everywhere).
#[utoipa::path(
    get, path = "/api/v1/self", tag = TAG_SELF,
    responses((status = 200, description = "Own record", body = CustomerView))
)]
pub async fn self_record(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<CustomerView>, ApiError> {
    let no = own_number(&auth)?;
    let d = scope::customer_for(&state, &auth.actor, no).await?;
    Ok(Json(CustomerView::from_detail(&d, Reveal::Masked)))
}

/// Outages reaching the customer now or announced: does the company know, when is power back,
/// what caused it.
#[utoipa::path(
    get, path = "/api/v1/self/outages", tag = TAG_SELF,
    responses((status = 200, description = "Own outages, out now first", body = Vec<crate::api_outages::CustomerOutageView>))
)]
pub async fn self_outages(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<Vec<crate::api_outages::CustomerOutageView>>, ApiError> {
    let no = own_number(&auth)?;
    Ok(Json(
        crate::api_outages::customer_outages(&state, no).await?,
    ))
}

/// The customer's own bills, payments, readings and arrears.
#[utoipa::path(
    get, path = "/api/v1/self/history", tag = TAG_SELF,
    params(HistoryParams),
    responses(
        (status = 200, description = "Own history", body = HistoryView),
        (status = 400, description = "Invalid months", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn self_history(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(params): ApiQuery<HistoryParams>,
) -> Result<Json<HistoryView>, ApiError> {
    let no = own_number(&auth)?.clone();
    let months = crate::api::history_months(&state, &params)?;
    let today = time::today();
    let h = state.lake.customer_history(&no, months, today).await?;
    Ok(Json(HistoryView::build(no.as_str(), months, today, &h)))
}
