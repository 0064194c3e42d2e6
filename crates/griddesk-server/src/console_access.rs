//! Console pages of access control: staff login and logout, the unmask form, the audit trail
//! (search and CSV export), API tokens (administrators), and the customers' self-service portal
//! (one-time code login, own account). A child module of the console, sharing its page frame.

use super::{ConsoleError, Ctx, customer_page, page};
use crate::api_access::{self, AuditParams, NewTokenRequest};
use crate::auth::{self, Auth, ClientAddr, FORM_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::ApiError;
use crate::i18n::T;
use crate::model::{HistoryView, money_text};
use crate::{AppState, scope, time};
use axum::Form;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use griddesk_domain::access::{Actor, AuditAction, AuditEntry, Reveal};
use griddesk_domain::org::Role;
use griddesk_domain::values::Code;
use griddesk_store::access::SessionKind;
use maud::{Markup, html};
use serde::Deserialize;

/// The token of the pre-session forms: the `gd_csrf` cookie's value, or a new one with the
/// header that sets it.
fn form_token(headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match auth::cookie(headers, FORM_CSRF_COOKIE) {
        Some(t) if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) => {
            (t.to_owned(), None)
        }
        _ => {
            let t = auth::random_secret();
            let v = HeaderValue::from_str(&format!(
                "{FORM_CSRF_COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict"
            ))
            .ok();
            (t, v)
        }
    }
}

fn with_cookie(status: StatusCode, cookie: Option<HeaderValue>, body: Markup) -> Response {
    let mut resp = (status, body).into_response();
    if let Some(c) = cookie {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

/// Where to go after login: a local path only (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/console".to_owned(),
    }
}

#[derive(Debug, Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

fn login_form(ctx: &Ctx, csrf: &str, login: &str, next: &str, error: Option<&str>) -> Markup {
    let body = html! {
        section.card.login-card {
            h1 { (ctx.t(T::LoginTitle)) }
            p.lead { (ctx.t(T::LoginLead)) }
            @if let Some(e) = error { div.alert #login-error { (e) } }
            form method="post" action="/login" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="next" value=(next);
                label.field {
                    span.field-label { (ctx.t(T::LoginName)) }
                    input type="text" name="login" value=(login) required autocomplete="username" autofocus;
                }
                label.field {
                    span.field-label { (ctx.t(T::Password)) }
                    input type="password" name="password" required autocomplete="current-password";
                }
                button.btn type="submit" { (ctx.t(T::LoginButton)) }
            }
            p.muted { a href="/portal" { (ctx.t(T::PortalLink)) } }
        }
    };
    page(ctx, ctx.t(T::LoginTitle), false, body)
}

/// GET /login
pub async fn login_page(ctx: Ctx, headers: HeaderMap, Query(q): Query<NextParam>) -> Response {
    let next = safe_next(q.next.as_deref());
    if matches!(
        ctx.auth.as_ref().map(|a| &a.actor),
        Some(Actor::Staff { .. })
    ) {
        return Redirect::to(&next).into_response();
    }
    let (csrf, cookie) = form_token(&headers);
    with_cookie(
        StatusCode::OK,
        cookie,
        login_form(&ctx, &csrf, "", &next, None),
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    next: Option<String>,
}

// The password must never reach a log line.
impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginForm")
            .field("login", &self.login)
            .finish_non_exhaustive()
    }
}

/// A failed login in the audit trail (the actor is not known to be anyone).
fn failed_login_entry(login: &str, addr: &str, action: AuditAction) -> AuditEntry {
    let shown: String = login.chars().take(64).collect();
    AuditEntry {
        at: time::now(),
        actor: "anonymous".to_owned(),
        actor_name: shown.clone(),
        role: None,
        action,
        target_kind: "staff".to_owned(),
        target: shown,
        reason: None,
        source: addr.to_owned(),
        before: None,
        after: None,
    }
}

/// POST /login: password check with per-account lockout and per-address throttling; on success
/// a new session (never the one the browser brought along).
pub async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, ConsoleError> {
    let next = safe_next(form.next.as_deref());
    let (csrf, _) = form_token(&headers);
    let fail = |e: ApiError| ConsoleError::from_api(&ctx, e, T::NotFoundTitle);
    let refuse = |status: StatusCode, msg: &str| {
        with_cookie(
            status,
            None,
            login_form(&ctx, &csrf, &form.login, &next, Some(msg)),
        )
    };
    let cfg = state.config.auth.clone();
    let window = std::time::Duration::from_secs(cfg.ip_window_minutes as u64 * 60);
    if let Err(retry) = state.throttle.check(&addr, cfg.ip_max_failures, window) {
        let msg = crate::i18n::retry_after(ctx.lang, retry);
        return Ok(refuse(StatusCode::TOO_MANY_REQUESTS, &msg));
    }
    let login = Code::parse(form.login.trim()).ok();
    let cred = match &login {
        Some(l) => state
            .store
            .credential(l)
            .await
            .map_err(|e| fail(e.into()))?,
        None => None,
    };
    let now = time::now();
    if let Some(c) = &cred
        && griddesk_domain::access::LockoutPolicy::is_locked(c.locked_until, now)
    {
        state.throttle.failed(&addr);
        let e = failed_login_entry(&form.login, &addr, AuditAction::LoginFailed)
            .reason("account locked");
        state
            .store
            .append_audit(&e)
            .await
            .map_err(|e| fail(e.into()))?;
        return Ok(refuse(StatusCode::UNAUTHORIZED, ctx.t(T::AccountLocked)));
    }
    let hash = cred.as_ref().map(|c| c.password_hash.clone());
    let password = form.password.clone();
    let verify_cfg = cfg.clone();
    let ok = tokio::task::spawn_blocking(move || {
        auth::verify_password(&verify_cfg, &password, hash.as_deref())
    })
    .await
    .unwrap_or(false);
    let (login, cred) = match (login, cred, ok) {
        (Some(l), Some(c), true) => (l, c),
        (l, c, _) => {
            state.throttle.failed(&addr);
            let mut locked = false;
            if let (Some(l), Some(c)) = (&l, &c) {
                let (n, until) = cfg
                    .lockout
                    .after_failure(c.failed_attempts, c.locked_until, now);
                state
                    .store
                    .save_login_state(l, n, until)
                    .await
                    .map_err(|e| fail(e.into()))?;
                locked = until.is_some();
            }
            let e = failed_login_entry(&form.login, &addr, AuditAction::LoginFailed);
            state
                .store
                .append_audit(&e)
                .await
                .map_err(|e| fail(e.into()))?;
            if locked {
                let e = failed_login_entry(&form.login, &addr, AuditAction::Lockout)
                    .reason(format!("{} failed logins", cfg.lockout.max_failures));
                state
                    .store
                    .append_audit(&e)
                    .await
                    .map_err(|e| fail(e.into()))?;
                return Ok(refuse(StatusCode::UNAUTHORIZED, ctx.t(T::AccountLocked)));
            }
            return Ok(refuse(StatusCode::UNAUTHORIZED, ctx.t(T::LoginFailed)));
        }
    };
    let staff = state
        .store
        .staff_member(&login)
        .await
        .map_err(|e| fail(e.into()))?
        .ok_or_else(|| fail(ApiError::Unauthenticated))?;
    if cred.failed_attempts > 0 || cred.locked_until.is_some() {
        state
            .store
            .save_login_state(&login, 0, None)
            .await
            .map_err(|e| fail(e.into()))?;
    }
    state.throttle.succeeded(&addr);
    let cookie = auth::start_session(
        &state,
        SessionKind::Staff,
        login.as_str(),
        auth::cookie(&headers, SESSION_COOKIE),
    )
    .await
    .map_err(fail)?;
    let actor = Actor::Staff {
        login: staff.login.clone(),
        name: staff.name,
        role: staff.role,
        org_unit: staff.org_unit,
    };
    let e = AuditEntry::new(
        &actor,
        AuditAction::Login,
        "staff",
        login.as_str(),
        &addr,
        now,
    );
    state
        .store
        .append_audit(&e)
        .await
        .map_err(|e| fail(e.into()))?;
    let mut resp = Redirect::to(&next).into_response();
    resp.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(resp)
}

#[derive(Debug, Deserialize)]
pub struct LogoutParams {
    to: Option<String>,
}

/// POST /logout: ends the session (staff or customer).
pub async fn logout(
    State(state): State<AppState>,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    Query(q): Query<LogoutParams>,
) -> Result<Response, ApiError> {
    if let Some(s) = &auth.session {
        state.store.delete_session(&s.id_hash).await?;
        let (kind, target) = match &auth.actor {
            Actor::Customer { customer_no } => ("customer", customer_no.to_string()),
            other => (
                "staff",
                other
                    .staff_login()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            ),
        };
        let e = AuditEntry::new(
            &auth.actor,
            AuditAction::Logout,
            kind,
            target,
            &addr,
            time::now(),
        );
        state.store.append_audit(&e).await?;
    }
    let to = if q.to.as_deref() == Some("portal") {
        "/portal"
    } else {
        "/login"
    };
    let mut resp = Redirect::to(to).into_response();
    resp.headers_mut()
        .append(header::SET_COOKIE, auth::clear_cookie(SESSION_COOKIE));
    Ok(resp)
}

#[derive(Debug, Deserialize)]
pub struct UnmaskForm {
    reason: String,
}

/// POST /console/customers/{no}/unmask: the 360 page with personal data in clear, audited.
pub async fn unmask(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    path: Result<Path<String>, PathRejection>,
    Form(form): Form<UnmaskForm>,
) -> Result<maud::Markup, ConsoleError> {
    customer_page(&state, &ctx, &addr, path, Some(&form.reason)).await
}

/// GET /console/audit
pub async fn audit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: axum::http::Uri,
) -> Result<Markup, ConsoleError> {
    let raw = uri.query().unwrap_or_default();
    let fail = |e: ApiError| ConsoleError::from_api(&ctx, e, T::NotFoundTitle);
    let p: AuditParams = crate::extract::parse_query(raw).map_err(fail)?;
    let q = api_access::audit_query(&p, 200).map_err(fail)?;
    let rows = state
        .store
        .search_audit(&q)
        .await
        .map_err(|e| fail(e.into()))?;
    let export_query: String = raw
        .split('&')
        .filter(|kv| !kv.starts_with("before_id=") && !kv.starts_with("lang="))
        .collect::<Vec<_>>()
        .join("&");
    let older = (rows.len() == q.limit as usize)
        .then(|| rows.last().map(|r| r.id))
        .flatten()
        .map(|id| {
            if export_query.is_empty() {
                format!("/console/audit?before_id={id}")
            } else {
                format!("/console/audit?{export_query}&before_id={id}")
            }
        });
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let body = html! {
        section.card {
            h1 { (ctx.t(T::AuditTitle)) }
            p.lead { (ctx.t(T::AuditLead)) }
            form.filters method="get" action="/console/audit" {
                label.field { span.field-label { (ctx.t(T::AuditActor)) } input type="text" name="actor" value=(v(&p.actor)) placeholder="staff:zhangli"; }
                label.field { span.field-label { (ctx.t(T::AuditAction)) }
                    select name="action" {
                        option value="" { (ctx.t(T::AnyOption)) }
                        @for a in AuditAction::ALL {
                            option value=(a.code()) selected[p.action == Some(*a)] { (a.label(ctx.lang)) }
                        }
                    }
                }
                label.field { span.field-label { (ctx.t(T::AuditTargetKind)) } input type="text" name="target_kind" value=(v(&p.target_kind)) placeholder="customer"; }
                label.field { span.field-label { (ctx.t(T::AuditTarget)) } input type="text" name="target" value=(v(&p.target)); }
                label.field { span.field-label { (ctx.t(T::AuditFrom)) } input type="date" name="from" value=(v(&p.from)); }
                label.field { span.field-label { (ctx.t(T::AuditTo)) } input type="date" name="to" value=(v(&p.to)); }
                button.btn type="submit" { (ctx.t(T::Filter)) }
                a.btn.btn-secondary #audit-export href=(format!("/api/v1/audit.csv?{export_query}")) { (ctx.t(T::AuditExport)) }
            }
        }
        section.card {
            @if rows.is_empty() {
                p.hint { (ctx.t(T::NoData)) }
            } @else {
                table.table #audit-table {
                    thead { tr {
                        th { (ctx.t(T::AuditTime)) } th { (ctx.t(T::AuditActor)) } th { (ctx.t(T::AuditAction)) }
                        th { (ctx.t(T::AuditTarget)) } th { (ctx.t(T::AuditReason)) } th { (ctx.t(T::AuditSource)) }
                        th { (ctx.t(T::AuditChange)) }
                    } }
                    tbody { @for r in &rows { tr {
                        td.mono { (time::local_minute(r.entry.at)) }
                        td { (r.entry.actor_name) br; span.muted.mono { (r.entry.actor) } }
                        td { (r.entry.action.label(ctx.lang)) }
                        td { span.muted { (r.entry.target_kind) } " " span.mono { (r.entry.target) } }
                        td { (r.entry.reason.clone().unwrap_or_default()) }
                        td.mono { (r.entry.source) }
                        td.mono.small {
                            @if let Some(b) = &r.entry.before { div { "− " (b) } }
                            @if let Some(a) = &r.entry.after { div { "+ " (a) } }
                        }
                    } } }
                }
                @if let Some(href) = older { p { a.btn.btn-secondary href=(href) { (ctx.t(T::AuditOlder)) } } }
            }
        }
    };
    Ok(page(&ctx, ctx.t(T::AuditTitle), false, body))
}

async fn tokens_body(
    state: &AppState,
    ctx: &Ctx,
    created: Option<&str>,
    error: Option<String>,
) -> Result<Markup, ConsoleError> {
    let fail = |e: ApiError| ConsoleError::from_api(ctx, e, T::NotFoundTitle);
    let tokens = state
        .store
        .list_api_tokens()
        .await
        .map_err(|e| fail(e.into()))?;
    let units = state
        .store
        .list_org_units()
        .await
        .map_err(|e| fail(e.into()))?;
    let now = time::now();
    let body = html! {
        section.card {
            h1 { (ctx.t(T::TokensTitle)) }
            p.lead { (ctx.t(T::TokensLead)) }
            @if let Some(secret) = created {
                div.alert.alert-info { (ctx.t(T::TokenCreated)) " " code #new-token { (secret) } }
            }
            @if let Some(e) = &error { div.alert { (e) } }
            form.filters method="post" action="/console/tokens" {
                input type="hidden" name="csrf" value=(ctx.csrf());
                label.field { span.field-label { (ctx.t(T::TokenName)) } input type="text" name="name" required maxlength="60"; }
                label.field { span.field-label { (ctx.t(T::TokenRole)) }
                    select name="role" { @for r in Role::staff_roles() { option value=(r.code()) { (r.label(ctx.lang)) } } }
                }
                label.field { span.field-label { (ctx.t(T::TokenUnit)) }
                    select name="org_unit" { @for u in &units { option value=(u.code.as_str()) { (u.name) " (" (u.code.as_str()) ")" } } }
                }
                label.field { span.field-label { (ctx.t(T::TokenExpiresDays)) } input type="number" name="expires_in_days" value="365" min="1" max="730"; }
                button.btn type="submit" { (ctx.t(T::TokenCreate)) }
            }
        }
        section.card {
            @if tokens.is_empty() { p.hint { (ctx.t(T::NoData)) } } @else {
                table.table #tokens-table {
                    thead { tr {
                        th { "ID" } th { (ctx.t(T::TokenName)) } th { (ctx.t(T::TokenRole)) } th { (ctx.t(T::TokenUnit)) }
                        th { (ctx.t(T::TokenCreatedAt)) } th { (ctx.t(T::TokenExpiresAt)) } th { (ctx.t(T::TokenStatus)) } th {}
                    } }
                    tbody { @for t in &tokens { tr {
                        td.mono { (t.id) }
                        td { (t.name) }
                        td { (t.role.label(ctx.lang)) }
                        td.mono { (t.org_unit.as_str()) }
                        td.mono { (time::local_minute(t.created_at)) }
                        td.mono { (t.expires_at.map(time::local_minute).unwrap_or_default()) }
                        td { (ctx.t(if t.revoked_at.is_some() { T::TokenRevoked } else if t.is_live(now) { T::TokenLive } else { T::TokenExpired })) }
                        td { @if t.revoked_at.is_none() {
                            form.inline method="post" action=(format!("/console/tokens/{}/revoke", t.id)) {
                                input type="hidden" name="csrf" value=(ctx.csrf());
                                button.btn.btn-secondary type="submit" { (ctx.t(T::TokenRevoke)) }
                            }
                        } }
                    } } }
                }
            }
        }
    };
    Ok(page(ctx, ctx.t(T::TokensTitle), false, body))
}

/// GET /console/tokens
pub async fn tokens_page(State(state): State<AppState>, ctx: Ctx) -> Result<Markup, ConsoleError> {
    tokens_body(&state, &ctx, None, None).await
}

/// POST /console/tokens: the page again, showing the new secret once (never in a URL).
pub async fn create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<NewTokenRequest>,
) -> Result<Response, ConsoleError> {
    match api_access::create_token(&state, &auth, &addr, &form).await {
        Ok((secret, _)) => Ok(tokens_body(&state, &ctx, Some(&secret), None)
            .await?
            .into_response()),
        Err(ApiError::Invalid { field, detail }) => {
            let page = tokens_body(&state, &ctx, None, Some(format!("{field}: {detail}"))).await?;
            Ok((StatusCode::BAD_REQUEST, page).into_response())
        }
        Err(e) => Err(ConsoleError::from_api(&ctx, e, T::NotFoundTitle)),
    }
}

/// POST /console/tokens/{id}/revoke
pub async fn revoke_token(
    State(state): State<AppState>,
    ctx: Ctx,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    path: Result<Path<i64>, PathRejection>,
) -> Result<Response, ConsoleError> {
    let fail = |e: ApiError| ConsoleError::from_api(&ctx, e, T::NotFoundTitle);
    let id = path
        .map_err(|e| fail(ApiError::invalid("id", e.body_text())))?
        .0;
    api_access::revoke_token(&state, &auth, &addr, id)
        .await
        .map_err(fail)?;
    Ok(Redirect::to("/console/tokens").into_response())
}

// ---------------------------------------------------------------------------------------------
// Customer portal.

fn portal_body(
    ctx: &Ctx,
    csrf: &str,
    customer_no: &str,
    notice: Option<&str>,
    error: Option<&str>,
) -> Markup {
    let body = html! {
        section.card.login-card {
            h1 { (ctx.t(T::PortalTitle)) }
            p.lead { (ctx.t(T::PortalLead)) }
            p { a href="/notices/outages" #public-notice-link { (ctx.t(T::PublicNoticeTitle)) } }
            @if let Some(n) = notice { div.alert.alert-info #portal-notice { (n) } }
            @if let Some(e) = error { div.alert #portal-error { (e) } }
            form method="post" action="/portal/code" {
                input type="hidden" name="csrf" value=(csrf);
                label.field {
                    span.field-label { (ctx.t(T::CustomerNo)) }
                    input type="text" name="customer_no" value=(customer_no) required inputmode="numeric" maxlength="10";
                }
                button.btn.btn-secondary type="submit" { (ctx.t(T::PortalSendCode)) }
            }
            form method="post" action="/portal/login" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="customer_no" value=(customer_no);
                label.field {
                    span.field-label { (ctx.t(T::PortalCode)) }
                    input type="text" name="code" required inputmode="numeric" maxlength="6" autocomplete="one-time-code";
                }
                button.btn type="submit" { (ctx.t(T::LoginButton)) }
            }
        }
    };
    page(ctx, ctx.t(T::PortalTitle), false, body)
}

/// GET /portal
pub async fn portal(ctx: Ctx, headers: HeaderMap) -> Response {
    if matches!(
        ctx.auth.as_ref().map(|a| &a.actor),
        Some(Actor::Customer { .. })
    ) {
        return Redirect::to("/portal/account").into_response();
    }
    let (csrf, cookie) = form_token(&headers);
    with_cookie(
        StatusCode::OK,
        cookie,
        portal_body(&ctx, &csrf, "", None, None),
    )
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    customer_no: String,
}

fn portal_error(ctx: &Ctx, csrf: &str, no: &str, e: ApiError) -> Response {
    let (status, msg) = match &e {
        ApiError::TooManyRequests { retry_after } => (
            StatusCode::TOO_MANY_REQUESTS,
            crate::i18n::retry_after(ctx.lang, *retry_after),
        ),
        ApiError::Invalid { field, detail } => {
            (StatusCode::BAD_REQUEST, format!("{field}: {detail}"))
        }
        _ => {
            tracing::error!(error = %e, "portal request failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                ctx.t(T::ServerErrorDetail).to_owned(),
            )
        }
    };
    (status, portal_body(ctx, csrf, no, None, Some(&msg))).into_response()
}

/// POST /portal/code
pub async fn portal_code(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let (csrf, _) = form_token(&headers);
    let no = form.customer_no.trim();
    match api_access::issue_code(&state, no, &addr).await {
        Ok(()) => {
            portal_body(&ctx, &csrf, no, Some(ctx.t(T::PortalCodeSent)), None).into_response()
        }
        Err(e) => portal_error(&ctx, &csrf, no, e),
    }
}

/// POST /portal/login
pub async fn portal_login(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<api_access::SelfLoginRequest>,
) -> Response {
    let (csrf, _) = form_token(&headers);
    let no = form.customer_no.trim();
    match api_access::check_code(&state, no, &form.code, &addr, &headers).await {
        Ok((_, cookie)) => {
            let mut resp = Redirect::to("/portal/account").into_response();
            resp.headers_mut().append(header::SET_COOKIE, cookie);
            resp
        }
        Err(e) => portal_error(&ctx, &csrf, no, e),
    }
}

/// GET /portal/account: the customer's own account (masked), arrears and recent bills.
pub async fn portal_account(
    State(state): State<AppState>,
    ctx: Ctx,
    auth: Auth,
) -> Result<Markup, ConsoleError> {
    let fail = |e: ApiError| ConsoleError::from_api(&ctx, e, T::CustomerNotFound);
    let Actor::Customer { customer_no } = &auth.actor else {
        return Err(fail(ApiError::Forbidden("self-service is for customers")));
    };
    let d = scope::customer_for(&state, &auth.actor, customer_no)
        .await
        .map_err(fail)?;
    let v = crate::model::CustomerView::from_detail(&d, Reveal::Masked);
    let today = time::today();
    let h = state
        .lake
        .customer_history(customer_no, 12, today)
        .await
        .map_err(|e| fail(e.into()))?;
    let h = HistoryView::build(customer_no.as_str(), 12, today, &h);
    let requests = state
        .store
        .list_work_orders(&griddesk_store::workorder::OrderQuery {
            customer_no: Some(customer_no.clone()),
            include_closed: true,
            limit: 20,
            ..Default::default()
        })
        .await
        .map_err(|e| fail(e.into()))?;
    let outages = crate::api_outages::customer_outages(&state, customer_no)
        .await
        .map_err(fail)?;
    let body = html! {
        // First what the customer most likely came for when the power is off.
        section.card #own-outages-card {
            h2 { (ctx.t(T::Outages)) }
            (super::outage_list(&ctx, "own-outages", &outages))
        }
        section.card {
            h1 { (ctx.t(T::PortalAccount)) }
            table.kv {
                tr { th { (ctx.t(T::CustomerNo)) } td.mono #own-no { (v.customer_no) } }
                tr { th { (ctx.t(T::TokenName)) } td { (v.name) } }
                tr { th { (ctx.t(T::Address)) } td { (v.address) } }
                tr { th { (ctx.t(T::Tariff)) } td { (super::label(&ctx, &v.classification.tariff)) } }
                tr { th { (ctx.t(T::Arrears)) } td #own-arrears { (money_text(h.arrears.arrears)) } }
            }
        }
        section.card {
            h2 { (ctx.t(T::PortalRecentBills)) }
            table.table {
                thead { tr { th { (ctx.t(T::BillPeriod)) } th { (ctx.t(T::Amount)) } } }
                tbody { @for b in h.bills.iter().rev().take(12) { tr {
                    td.mono { (b.period.to_string()) } td.num { (money_text(b.amount)) }
                } } }
            }
        }
        section.card #requests {
            h2 { (ctx.t(T::PortalRequests)) }
            @if requests.is_empty() { p.muted { (ctx.t(T::NoData)) } } @else {
                table.table #own-requests {
                    thead { tr { th { (ctx.t(T::OrderNo)) } th { (ctx.t(T::OrderAccepted)) } th { (ctx.t(T::OrderType)) } th { (ctx.t(T::OrderSubject)) } th { (ctx.t(T::OrderStatus)) } } }
                    tbody { @for o in &requests { tr {
                        td.mono { (o.id) } td.mono { (time::local_minute(o.accepted_at)) }
                        td { (o.order_type.label(ctx.lang)) } td { (o.subject) } td { (o.status.label(ctx.lang)) }
                    } } }
                }
            }
            h3 { (ctx.t(T::PortalNewRequest)) }
            form.order-form #portal-request method="post" action="/portal/requests" {
                input type="hidden" name="csrf" value=(ctx.csrf());
                input type="hidden" name="idempotency_key" value=(crate::auth::random_secret().get(..24).unwrap_or_default());
                label.field { span.field-label { (ctx.t(T::OrderType)) }
                    select name="order_type" required {
                        @for t in PORTAL_TYPES { option value=(t.code()) { (t.label(ctx.lang)) } }
                    }
                }
                label.field { span.field-label { (ctx.t(T::ContactPhone)) } input type="tel" name="contact_phone" maxlength="20"; }
                label.field { span.field-label { (ctx.t(T::OrderSubject)) } input type="text" name="subject" required maxlength="200"; }
                label.field { span.field-label { (ctx.t(T::Request)) } textarea name="description" rows="3" maxlength="4000" {} }
                button.btn type="submit" { (ctx.t(T::Submit)) }
            }
        }
    };
    Ok(page(&ctx, ctx.t(T::PortalAccount), false, body))
}

/// What customers may ask for in self-service (D11): fault reports, complaints, suggestions,
/// questions, service requests and praise.
const PORTAL_TYPES: &[griddesk_domain::workorder::OrderType] = {
    use griddesk_domain::workorder::OrderType::*;
    &[
        FaultRepair,
        Complaint,
        Opinion,
        Consultation,
        ServiceRequest,
        Praise,
    ]
};

#[derive(Debug, Deserialize)]
pub struct PortalRequestForm {
    order_type: String,
    contact_phone: Option<String>,
    subject: String,
    description: Option<String>,
    idempotency_key: Option<String>,
}

/// POST /portal/requests: a customer's own request (fault, complaint, suggestion...), taken as a
/// work order from the web channel with the deadlines of the service commitments.
pub async fn portal_request(
    State(state): State<AppState>,
    ctx: Ctx,
    auth: Auth,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<PortalRequestForm>,
) -> Result<Response, ConsoleError> {
    let fail = |e: ApiError| ConsoleError::from_api(&ctx, e, T::CustomerNotFound);
    let Actor::Customer { customer_no } = &auth.actor else {
        return Err(fail(ApiError::Forbidden("self-service is for customers")));
    };
    let order_type = griddesk_domain::workorder::OrderType::parse(&form.order_type)
        .map_err(|e| fail(e.into()))?;
    if !PORTAL_TYPES.contains(&order_type) {
        return Err(fail(ApiError::invalid(
            "order_type",
            "not offered in self-service",
        )));
    }
    let d = scope::customer_for(&state, &auth.actor, customer_no)
        .await
        .map_err(fail)?;
    let r = crate::api_orders::NewOrderRequest {
        order_type,
        channel: griddesk_domain::workorder::Channel::Web,
        customer_no: Some(customer_no.to_string()),
        contact_name: d.customer.name.chars().take(60).collect(),
        contact_phone: form.contact_phone.filter(|p| !p.trim().is_empty()),
        subject: form.subject,
        description: form.description.unwrap_or_default(),
        org_unit: None,
    };
    let key = form
        .idempotency_key
        .filter(|k| !k.is_empty() && k.len() <= 100 && k.bytes().all(|b| b.is_ascii_alphanumeric()))
        .map(|k| format!("{}|portal-{k}", auth.actor.audit_id()));
    crate::api_orders::intake(&state, &auth.actor, &addr, &r, key)
        .await
        .map_err(fail)?;
    Ok(Redirect::to("/portal/account#requests").into_response())
}
