//! Access control end to end: staff login (sessions, fixation, CSRF, lockout), API tokens
//! (created, listed, revoked, expired), scopes (cross-unit and cross-customer attempts), masking of
//! every response with personal data, unmasking with its audit record, the audit trail's search,
//! export and append-only guarantee, customer self-service login, and hardening headers.

use crate::app::{STAFF_PASSWORD, SendJson, Session, TestApp, set_cookie_value, spawn_app};
use griddesk_domain::access::{Actor, AuditAction, AuditEntry};
use griddesk_domain::org::Role;
use griddesk_store::AccessStore as _;
use griddesk_store::access::AuditQuery;
use reqwest::header::{COOKIE, LOCATION};

async fn audit(app: &TestApp, action: AuditAction) -> Vec<griddesk_store::access::AuditRecord> {
    app.store
        .search_audit(&AuditQuery {
            action: Some(action),
            limit: 500,
            ..Default::default()
        })
        .await
        .expect("audit")
}

async fn post_form(
    app: &TestApp,
    s: &Session,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.anon
        .post(app.url(path))
        .header(COOKIE, &s.cookie)
        .form(fields)
        .send()
        .await
        .expect("post")
}

#[tokio::test]
async fn anonymous_callers_get_401_problems_and_the_console_sends_them_to_login() {
    let app = spawn_app().await;
    let resp = app
        .anon
        .get(app.url("/api/v1/customers?q=0100000001"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let p: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(p["type"], "urn:griddesk:problem:unauthenticated");

    let resp = app
        .anon
        .get(app.url("/console/search?q=abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(
        resp.headers()[LOCATION],
        "/login?next=/console/search%3Fq%3Dabc"
    );
    // Public routes stay public.
    assert_eq!(
        app.anon
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        app.anon
            .get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // A wrong bearer token is refused even on a public route: it is a client bug worth knowing.
    let resp = TestApp::bearer_client("nope")
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn staff_log_in_and_out_with_a_fresh_session_each_time() {
    let app = spawn_app().await;
    app.set_password("agent01").await;
    // Session fixation: a session id planted before login is never adopted.
    let planted = "gd_session=0000000000000000000000000000000000000000000000000000000000000000";
    let resp = app
        .post_login("agent01", STAFF_PASSWORD, Some(planted))
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()[LOCATION], "/console");
    let set = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("gd_session="))
        .expect("session cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    let id = set_cookie_value(&resp, "gd_session").unwrap();
    assert_ne!(format!("gd_session={id}"), planted);
    let s = app.session_from_cookie(&id).await;
    let page = app.get_in(&s, "/console").await;
    assert_eq!(page.status(), 200);
    assert!(
        page.text().await.unwrap().contains("周坐席"),
        "the menu names the user"
    );

    // A second login gives a new id and ends the session the browser presented.
    let again = app
        .post_login("agent01", STAFF_PASSWORD, Some(&s.cookie))
        .await;
    let id2 = set_cookie_value(&again, "gd_session").unwrap();
    assert_ne!(id, id2);
    assert_eq!(
        app.get_in(&s, "/console").await.status(),
        303,
        "old session is gone"
    );
    let s2 = app.session_from_cookie(&id2).await;

    // Logout needs the CSRF token, then ends the session.
    let no_csrf = post_form(&app, &s2, "/logout", &[]).await;
    assert_eq!(no_csrf.status(), 403);
    let wrong = post_form(&app, &s2, "/logout", &[("csrf", "forged")]).await;
    assert_eq!(wrong.status(), 403);
    let out = post_form(&app, &s2, "/logout", &[("csrf", &s2.csrf)]).await;
    assert_eq!(out.status(), 303);
    assert_eq!(app.get_in(&s2, "/console").await.status(), 303);
    let logins = audit(&app, AuditAction::Login).await;
    assert_eq!(logins.len(), 2);
    assert_eq!(logins[0].entry.actor, "staff:agent01");
    assert_eq!(logins[0].entry.source, "127.0.0.1");
    assert_eq!(audit(&app, AuditAction::Logout).await.len(), 1);
}

#[tokio::test]
async fn login_form_needs_its_csrf_token() {
    let app = spawn_app().await;
    app.set_password("agent01").await;
    let csrf = app.form_csrf(None).await;
    // Token in the form but no cookie (a cross-site post cannot set it): refused.
    let resp = app
        .anon
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("login", "agent01"),
            ("password", STAFF_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert!(set_cookie_value(&resp, "gd_session").is_none());
}

#[tokio::test]
async fn repeated_failures_lock_the_account() {
    let app = spawn_app().await;
    app.set_password("agent01").await;
    for _ in 0..4 {
        let r = app.post_login("agent01", "wrong-password-1", None).await;
        assert_eq!(r.status(), 401);
        assert!(r.text().await.unwrap().contains("工号或密码错误"));
    }
    let fifth = app.post_login("agent01", "wrong-password-1", None).await;
    assert_eq!(fifth.status(), 401);
    assert!(fifth.text().await.unwrap().contains("锁定"));
    // Locked: even the right password is refused, and no session is created.
    let right = app.post_login("agent01", STAFF_PASSWORD, None).await;
    assert_eq!(right.status(), 401);
    assert!(set_cookie_value(&right, "gd_session").is_none());
    assert_eq!(audit(&app, AuditAction::Lockout).await.len(), 1);
    assert_eq!(audit(&app, AuditAction::LoginFailed).await.len(), 6);
    // An administrator's new password lifts the lock.
    app.set_password("agent01").await;
    let ok = app.post_login("agent01", STAFF_PASSWORD, None).await;
    assert_eq!(ok.status(), 303);
    // Unknown logins fail the same way.
    let r = app.post_login("nobody", STAFF_PASSWORD, None).await;
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn api_tokens_are_created_listed_revoked_and_expire() {
    let app = spawn_app().await;
    let admin = app.client_as(Role::Admin, "C01").await;
    let resp = admin
        .post(app.url("/api/v1/tokens"))
        .json(&serde_json::json!({"name": "短信网关", "role": "dispatcher", "org_unit": "C01", "expires_in_days": 30}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let created: serde_json::Value = resp.json().await.unwrap();
    let secret = created["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("gdt_"));
    let id = created["id"].as_i64().unwrap();
    let integration = TestApp::bearer_client(&secret);
    let me: serde_json::Value = integration.get(app.url("/api/v1/me")).json_body().await;
    assert_eq!(me["id"], format!("token:{id}"));
    assert_eq!(me["role"], "dispatcher");
    assert!(me["csrf"].is_null(), "bearer callers need no CSRF token");
    assert_eq!(
        integration
            .get(app.url("/api/v1/customers?q=0100000001"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Listed without the secret.
    let list = admin
        .get(app.url("/api/v1/tokens"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("短信网关") && !list.contains(&secret));
    // The database holds only the hash.
    let stored = app.store.list_api_tokens().await.unwrap();
    assert!(stored.iter().all(|t| t.token_hash != secret));
    // Non-admins cannot manage tokens.
    let resp = integration
        .get(app.url("/api/v1/tokens"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    // Bad input names the field.
    let bad: serde_json::Value = admin
        .post(app.url("/api/v1/tokens"))
        .json(&serde_json::json!({"name": "x", "role": "customer", "org_unit": "C01"}))
        .json_body()
        .await;
    assert_eq!(bad["field"], "role");
    let bad: serde_json::Value = admin
        .post(app.url("/api/v1/tokens"))
        .json(&serde_json::json!({"name": "x", "role": "agent", "org_unit": "NOPE"}))
        .json_body()
        .await;
    assert_eq!(bad["field"], "org_unit");

    // Revoked: refused at once.
    let r = admin
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let resp = integration.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(
        admin
            .delete(app.url("/api/v1/tokens/999999"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // Writes are audited with their content, never the secret.
    let created = audit(&app, AuditAction::TokenCreated).await;
    let mine = created
        .iter()
        .find(|r| r.entry.target == id.to_string())
        .unwrap();
    assert!(mine.entry.after.as_deref().unwrap().contains("短信网关"));
    assert!(!mine.entry.after.as_deref().unwrap().contains(&secret));
    assert_eq!(mine.entry.actor_name, "test admin");
    let revoked = audit(&app, AuditAction::TokenRevoked).await;
    assert_eq!(revoked.len(), 1);
    assert_eq!(
        revoked[0].entry.before.as_deref(),
        Some(r#"{"revoked_at":null}"#)
    );
    assert!(
        revoked[0]
            .entry
            .after
            .as_deref()
            .unwrap()
            .contains("revoked_at")
    );

    // Expired tokens are refused.
    let secret = griddesk_server::auth::random_secret();
    let past = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(1))
        .unwrap();
    let actor = Actor::System {
        name: "test".into(),
    };
    app.store
        .create_api_token(
            &griddesk_store::access::NewApiToken {
                name: "old".into(),
                token_hash: griddesk_server::auth::secret_hash(&secret),
                role: Role::Admin,
                org_unit: griddesk_domain::values::Code::parse("C01").unwrap(),
                created_by: "system:test".into(),
                created_at: past,
                expires_at: Some(past),
            },
            &AuditEntry::new(
                &actor,
                AuditAction::TokenCreated,
                "api_token",
                "",
                "test",
                past,
            ),
        )
        .await
        .unwrap();
    let resp = TestApp::bearer_client(&secret)
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn expired_sessions_are_refused() {
    let app = spawn_app().await;
    let s = app.login("agent01").await;
    assert_eq!(app.get_in(&s, "/api/v1/me").await.status(), 200);
    let id = s.cookie.trim_start_matches("gd_session=");
    let hash = griddesk_server::auth::secret_hash(id);
    let mut rec = app.store.session(&hash).await.unwrap().unwrap();
    app.store.delete_session(&hash).await.unwrap();
    rec.expires_at = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_secs(1))
        .unwrap();
    app.store.create_session(&rec).await.unwrap();
    assert_eq!(app.get_in(&s, "/api/v1/me").await.status(), 401);
    assert!(
        app.store.session(&hash).await.unwrap().is_none(),
        "removed when seen expired"
    );
}

#[tokio::test]
async fn staff_see_only_their_units_customers() {
    let app = spawn_app().await;
    // The crew of supply station S01 (a unit-scoped role).
    let crew = app.client_as(Role::Crew, "S01").await;
    let in_s01 = app.customer(|c| c.org_unit.as_str() == "S01");
    let in_s02 = app.customer(|c| c.org_unit.as_str() == "S02");
    let ok = crew
        .get(app.url(&format!("/api/v1/customers/{}", in_s01.customer_no)))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    for path in [
        format!("/api/v1/customers/{}", in_s02.customer_no),
        format!("/api/v1/customers/{}/history", in_s02.customer_no),
        format!("/api/v1/customers/{}/plate.svg", in_s02.customer_no),
        "/api/v1/areas/TA-001/plates.svg".to_owned(),
    ] {
        let r = crew.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
    // Search leaves out what the unit does not serve.
    let hits: serde_json::Value = crew
        .get(app.url("/api/v1/customers?high_voltage=false&limit=100"))
        .json_body()
        .await;
    let nos: Vec<&str> = hits["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["customer_no"].as_str().unwrap())
        .collect();
    assert!(nos.contains(&in_s01.customer_no.as_str()));
    assert!(!nos.contains(&in_s02.customer_no.as_str()));
    // The console page too.
    let s = app.login("crew_s01").await;
    assert_eq!(
        app.get_in(&s, &format!("/console/customers/{}", in_s02.customer_no))
            .await
            .status(),
        403
    );
    // A company-wide role sees both.
    let r = app
        .client
        .get(app.url(&format!("/api/v1/customers/{}", in_s02.customer_no)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn personal_data_is_masked_in_every_response() {
    let app = spawn_app().await;
    let c = app.resident();
    let phone = c.contacts[0].phones[0].to_string();
    let id = c.id_number.as_ref().unwrap().to_string();
    let raw = [phone.as_str(), id.as_str(), c.address.as_str()];
    let no = c.customer_no.to_string();
    let s = app.login("agent01").await;
    for (label, body) in [
        (
            "search",
            app.get_text(&format!("/api/v1/customers?q={no}")).await.1,
        ),
        (
            "record",
            app.get_text(&format!("/api/v1/customers/{no}")).await.1,
        ),
        (
            "history",
            app.get_text(&format!("/api/v1/customers/{no}/history"))
                .await
                .1,
        ),
        (
            "console page",
            app.get_in(&s, &format!("/console/customers/{no}"))
                .await
                .text()
                .await
                .unwrap(),
        ),
        (
            "console search",
            app.get_in(&s, &format!("/console/search?q={no}"))
                .await
                .text()
                .await
                .unwrap(),
        ),
    ] {
        for r in raw {
            assert!(!body.contains(r), "{label} shows {r} in clear");
        }
    }
    let v: serde_json::Value = app.get_json(&format!("/api/v1/customers/{no}")).await.1;
    assert_eq!(v["personal_data"], "masked");
    assert_eq!(
        v["contacts"][0]["phones"][0],
        griddesk_domain::mask::phone(&c.contacts[0].phones[0])
    );
    assert!(
        audit(&app, AuditAction::Unmask).await.is_empty(),
        "masked reads are not unmasking"
    );
}

#[tokio::test]
async fn unmasking_needs_a_reason_and_a_role_and_is_audited() {
    let app = spawn_app().await;
    let c = app.resident();
    let no = c.customer_no.to_string();
    let phone = c.contacts[0].phones[0].to_string();
    let path = format!("/api/v1/customers/{no}/unmask");
    // No reason: 400 naming the field, nothing revealed, nothing recorded.
    for body in [serde_json::json!({}), serde_json::json!({"reason": " "})] {
        let p: serde_json::Value = app
            .client
            .post(app.url(&path))
            .json(&body)
            .json_body()
            .await;
        assert_eq!(p["status"], 400);
        assert_eq!(p["field"], "reason");
    }
    assert!(audit(&app, AuditAction::Unmask).await.is_empty());
    let v: serde_json::Value = app
        .client
        .post(app.url(&path))
        .json(&serde_json::json!({"reason": "客户来电核对联系电话"}))
        .json_body()
        .await;
    assert_eq!(v["personal_data"], "unmasked");
    assert_eq!(v["contacts"][0]["phones"][0], phone);
    assert_eq!(v["address"], c.address);
    let records = audit(&app, AuditAction::Unmask).await;
    assert_eq!(records.len(), 1);
    let e = &records[0].entry;
    assert_eq!(
        (e.target_kind.as_str(), e.target.as_str()),
        ("customer", no.as_str())
    );
    assert_eq!(e.reason.as_deref(), Some("客户来电核对联系电话"));
    assert_eq!(e.role, Some(Role::Agent));
    assert_eq!(e.source, "127.0.0.1");
    assert!(
        !e.after.as_deref().unwrap_or_default().contains(&phone),
        "the trail holds no PII"
    );
    // Analysts and administrators may not unmask.
    for role in [Role::Analyst, Role::Admin] {
        let r = app
            .client_as(role, "C01")
            .await
            .post(app.url(&path))
            .json(&serde_json::json!({"reason": "想看看"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{role}");
    }
    assert_eq!(audit(&app, AuditAction::Unmask).await.len(), 1);

    // In the console: a form with a reason; the page then shows the data and says it was audited.
    let s = app.login("agent01").await;
    let page = app
        .get_in(&s, &format!("/console/customers/{no}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("/unmask") && !page.contains(&phone));
    let r = post_form(
        &app,
        &s,
        &format!("/console/customers/{no}/unmask"),
        &[("reason", "上门核实")],
    )
    .await;
    assert_eq!(r.status(), 403, "no CSRF token");
    let r = post_form(
        &app,
        &s,
        &format!("/console/customers/{no}/unmask"),
        &[("csrf", &s.csrf), ("reason", "上门核实")],
    )
    .await;
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains(&phone) && page.contains("审计"));
    assert_eq!(audit(&app, AuditAction::Unmask).await.len(), 2);
}

#[tokio::test]
async fn customer_managers_see_their_accounts_in_clear_and_that_is_audited() {
    let app = spawn_app().await;
    let mine = app.customer(|c| {
        c.customer_manager
            .as_ref()
            .is_some_and(|m| m.as_str() == "li_jingli")
    });
    let no = mine.customer_no.to_string();
    let s = app.login("li_jingli").await;
    let v: serde_json::Value = app
        .get_in(&s, &format!("/api/v1/customers/{no}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["personal_data"], "assigned_manager");
    assert_eq!(v["address"], mine.address);
    let records = audit(&app, AuditAction::Unmask).await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].entry.actor, "staff:li_jingli");
    // Customers of the manager's branch not assigned to them stay masked.
    let other = app.resident();
    assert!(other.customer_manager.is_none());
    let v: serde_json::Value = app
        .get_in(&s, &format!("/api/v1/customers/{}", other.customer_no))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["personal_data"], "masked");
    assert_eq!(audit(&app, AuditAction::Unmask).await.len(), 1);
}

#[tokio::test]
async fn customers_log_in_with_a_one_time_code_and_see_only_their_own_account() {
    let app = spawn_app().await;
    let me = app.resident();
    let other = app.customer(|c| c.customer_no != me.customer_no && !c.is_high_voltage());
    let no = me.customer_no.to_string();
    let r = app
        .anon
        .post(app.url("/api/v1/self/otp"))
        .json(&serde_json::json!({"customer_no": no}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let sent = app.notifier.take();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, me.contacts[0].phones[0].to_string());
    let code: String = sent[0]
        .text
        .chars()
        .filter(char::is_ascii_digit)
        .take(6)
        .collect();
    assert_eq!(code.len(), 6);
    // Unknown numbers get the same answer (no enumeration) and no message.
    let r = app
        .anon
        .post(app.url("/api/v1/self/otp"))
        .json(&serde_json::json!({"customer_no": "0999999999"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    assert!(app.notifier.take().is_empty());
    // Asking again at once is throttled.
    let r = app
        .anon
        .post(app.url("/api/v1/self/otp"))
        .json(&serde_json::json!({"customer_no": no}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    // A wrong code fails; the right one logs in.
    let login = |code: String| {
        app.anon
            .post(app.url("/api/v1/self/login"))
            .json(&serde_json::json!({"customer_no": no, "code": code}))
            .send()
    };
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = login(wrong.to_owned()).await.unwrap();
    assert_eq!(r.status(), 400);
    let r = login(code.clone()).await.unwrap();
    assert_eq!(r.status(), 200);
    let cookie = set_cookie_value(&r, "gd_session").unwrap();
    // The code works once.
    assert_eq!(login(code).await.unwrap().status(), 400);
    let s = app.session_from_cookie(&cookie).await;
    let own: serde_json::Value = app.get_in(&s, "/api/v1/self").await.json().await.unwrap();
    assert_eq!(own["customer_no"], no);
    assert_eq!(own["personal_data"], "masked");
    assert_eq!(app.get_in(&s, "/api/v1/self/history").await.status(), 200);
    // Cross-customer attempts fail.
    for path in [
        format!("/api/v1/customers/{}", other.customer_no),
        format!("/api/v1/customers/{}/history", other.customer_no),
        format!("/api/v1/customers/{no}"),
        "/api/v1/customers?q=0100000001".to_owned(),
        format!("/console/customers/{}", other.customer_no),
    ] {
        assert_eq!(app.get_in(&s, &path).await.status(), 403, "{path}");
    }
    let page = app
        .get_in(&s, "/portal/account")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&no) && !page.contains(other.customer_no.as_str()));
    let issued = audit(&app, AuditAction::OtpIssued).await;
    assert_eq!(issued.len(), 1);
    assert!(
        !issued[0]
            .entry
            .after
            .as_deref()
            .unwrap()
            .contains(&me.contacts[0].phones[0].to_string())
    );
}

#[tokio::test]
async fn the_audit_trail_is_searchable_exportable_and_append_only() {
    let app = spawn_app().await;
    let no = app.resident().customer_no.to_string();
    app.client
        .post(app.url(&format!("/api/v1/customers/{no}/unmask")))
        .json(&serde_json::json!({"reason": "核对身份证号"}))
        .send()
        .await
        .unwrap();
    let sup = app.client_as(Role::Supervisor, "C01").await;
    let page: serde_json::Value = sup
        .get(app.url(&format!("/api/v1/audit?action=unmask&target={no}")))
        .json_body()
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["reason"], "核对身份证号");
    let bad: serde_json::Value = sup
        .get(app.url("/api/v1/audit?from=yesterday"))
        .json_body()
        .await;
    assert_eq!(bad["field"], "from");
    let csv = sup
        .get(app.url("/api/v1/audit.csv?action=unmask"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let mut rows = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 1);
    assert_eq!(&records[0][7], no.as_str());
    assert_eq!(
        audit(&app, AuditAction::AuditExport).await.len(),
        1,
        "exports are recorded"
    );
    // Agents may not read the trail; nobody can change it through the API.
    assert_eq!(
        app.client
            .get(app.url("/api/v1/audit"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    for m in ["PUT", "PATCH", "DELETE", "POST"] {
        let r = sup
            .request(m.parse().unwrap(), app.url("/api/v1/audit"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{m}");
    }
    // The console page.
    let s = app.login("supervisor01").await;
    let html = app
        .get_in(&s, "/console/audit?action=unmask")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("核对身份证号") && html.contains("audit-table"));
}

/// The database itself refuses to change or delete audit records, on both backends.
#[tokio::test]
async fn audit_log_rejects_update_and_delete_in_the_database() {
    let (_dir, sqlite) = crate::support::fresh_sqlite().await;
    let e = AuditEntry::new(
        &Actor::System { name: "t".into() },
        AuditAction::Login,
        "staff",
        "x",
        "test",
        jiff::Timestamp::now(),
    );
    sqlite.append_audit(&e).await.unwrap();
    for sql in [
        "UPDATE audit_log SET actor = 'evil'",
        "DELETE FROM audit_log",
    ] {
        let err = sqlx::query(sql).execute(sqlite.pool()).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let Some(db) = crate::support::fresh_postgres_db().await else {
        return;
    };
    let pg = griddesk_postgres::PostgresStore::connect(&db.url)
        .await
        .unwrap();
    pg.append_audit(&e).await.unwrap();
    for sql in [
        "UPDATE audit_log SET actor = 'evil'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let err = sqlx::query(sql).execute(pg.pool()).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(
        pg.search_audit(&AuditQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap()
        .len(),
        1
    );
}

#[tokio::test]
async fn responses_carry_security_headers_and_hide_internals() {
    let app = spawn_app().await;
    let r = app.anon.get(app.url("/login")).send().await.unwrap();
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["cache-control"], "no-store");
    // Forbidden answers say why, never how the server works inside.
    let crew = app.client_as(Role::Crew, "S01").await;
    let p: serde_json::Value = crew.get(app.url("/api/v1/audit")).json_body().await;
    assert_eq!(p["status"], 403);
    let text = p.to_string();
    assert!(!text.contains("sqlx") && !text.contains("panicked") && !text.contains("src/"));
    // Secrets never show in Debug output.
    let form = format!(
        "{:?}",
        app.store
            .credential(&griddesk_domain::values::Code::parse("agent01").unwrap())
            .await
            .unwrap()
    );
    assert!(!form.contains("argon2"));
}
