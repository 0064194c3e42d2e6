//! The route × role matrix, generated from the router's own route table
//! (`griddesk_server::route_table()`): every route must have an access rule, and for every role
//! (every staff role through an API token, the customer through a self-service session, and an
//! anonymous caller) a denied combination answers 401/403 (or the console's redirect to its login
//! page) while an allowed one succeeds (2xx or 3xx).

use crate::app::{STAFF_PASSWORD, TestApp, spawn_app};
use griddesk_domain::access::{Actor, AuditAction, AuditEntry, Permission};
use griddesk_domain::org::Role;
use griddesk_server::auth::{random_secret, secret_hash};
use griddesk_server::policy::{self, Rule};
use griddesk_store::access::{OtpRecord, SessionKind, SessionRecord};
use reqwest::Method;

/// Who calls.
#[derive(Debug, Clone)]
enum Caller {
    Anonymous,
    /// A staff role, through an API token of the company's root unit (whole-company scope).
    Staff(Role, String),
    /// A customer with a self-service session.
    Customer,
}

impl Caller {
    fn allowed(&self, rule: Rule) -> bool {
        match (rule, self) {
            (Rule::Public | Rule::PublicForm, _) => true,
            (_, Caller::Anonymous) => false,
            (Rule::LoggedIn, _) => true,
            (Rule::Perm(p), Caller::Staff(role, _)) => role.has(p),
            (Rule::Perm(p), Caller::Customer) => p == Permission::SelfService,
        }
    }
}

struct Fixture {
    customer_no: String,
    area: String,
    token_to_revoke: i64,
    order: i64,
    attachment: i64,
    article: i64,
}

/// The title of the fixture article (updates keep it, so they never clash).
const ARTICLE_TITLE: &str = "矩阵测试文章";

/// A tiny JPEG's first bytes: enough for the upload's type check.
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00matrix";

/// A fresh customer session (its cookie and CSRF token), written straight to the store so that
/// each request starts with a live one (some requests end it).
async fn customer_session(app: &TestApp, no: &str) -> (String, String) {
    let id = random_secret();
    let csrf = random_secret();
    let now = jiff::Timestamp::now();
    app.store
        .create_session(&SessionRecord {
            id_hash: secret_hash(&id),
            kind: SessionKind::Customer,
            subject: no.to_owned(),
            csrf: csrf.clone(),
            created_at: now,
            expires_at: now
                .checked_add(jiff::SignedDuration::from_mins(30))
                .expect("time"),
        })
        .await
        .expect("session");
    (format!("gd_session={id}"), csrf)
}

/// Fills a path pattern with records that exist (and searches with a query).
fn concrete(path: &str, f: &Fixture) -> String {
    let id = if path.starts_with("/api/v1/work-orders/") || path.starts_with("/console/orders/") {
        f.order
    } else if path.starts_with("/api/v1/knowledge/") || path.starts_with("/console/knowledge/") {
        f.article
    } else {
        f.token_to_revoke
    };
    let p = path
        .replace("{customer_no}", &f.customer_no)
        .replace("{area_code}", &f.area)
        .replace("{id}", &id.to_string())
        .replace("{*path}", "app.css")
        .replace("{code}", "S01")
        .replace("{attachment}", &f.attachment.to_string())
        .replace("{login}", "agent01");
    match path {
        "/api/v1/customers" | "/console/search" => format!("{p}?q={}", f.customer_no),
        "/api/v1/reliability" => format!("{p}?from=2026-11-01&to=2026-11-30"),
        "/api/v1/outage-plans/import" => format!("{p}?file_name=plan.csv"),
        "/api/v1/segmentation/movement" => {
            let m = segmentation_period();
            format!("{p}?from={m}&to={m}&grading=grade")
        }
        _ => p.replace("{period}", &segmentation_period().to_string()),
    }
}

/// The month the fixture's history ends with (Asia/Shanghai), which the matrix segments.
fn segmentation_period() -> griddesk_domain::billing::Period {
    griddesk_domain::billing::Period::of(griddesk_server::time::today()).add_months(-1)
}

/// Puts the customer in (`disconnected`) or out of an arrears disconnection, by the store.
async fn set_arrears(app: &TestApp, customer_no: &str, disconnected: bool) {
    use griddesk_domain::outage::{OutageAction, OutageKind, OutageStatus};
    use griddesk_store::outage::{OutageEvent, OutageStep};
    let no = griddesk_domain::values::CustomerNo::parse(customer_no).expect("no");
    let now = jiff::Timestamp::now();
    let step = |o: &griddesk_store::outage::Outage, status: OutageStatus, action: OutageAction| {
        OutageStep {
            expected_version: o.version,
            status,
            eta: None,
            restored_at: (status == OutageStatus::Restored).then_some(now),
            event: OutageEvent {
                at: now,
                actor: "system:matrix".into(),
                actor_name: "matrix".into(),
                action,
                status,
                note: None,
            },
            notify: None,
        }
    };
    let open: Vec<_> = app
        .store
        .outages_of_customer(&no)
        .await
        .expect("outages")
        .into_iter()
        .filter(|o| o.kind == OutageKind::Arrears && o.status.is_out())
        .collect();
    if disconnected && open.is_empty() {
        let o = app
            .store
            .create_outage(&griddesk_store::outage::NewOutage {
                kind: OutageKind::Arrears,
                title: "矩阵欠费停电".into(),
                cause: "欠费".into(),
                scope: griddesk_domain::outage::OutageScope::Customers(vec![no.clone()]),
                start: now,
                eta: None,
                created_by: "system:matrix".into(),
                created_at: now,
            })
            .await
            .expect("outage");
        app.store
            .step_outage(o.id, &step(&o, OutageStatus::Started, OutageAction::Start))
            .await
            .expect("start");
    } else if !disconnected {
        for o in &open {
            app.store
                .step_outage(
                    o.id,
                    &step(o, OutageStatus::Restored, OutageAction::Restore),
                )
                .await
                .expect("restore");
        }
    }
}

/// A planned outage at version 1, for the routes that read or step one.
async fn fresh_outage(app: &TestApp, customer_no: &str) -> i64 {
    let now = jiff::Timestamp::now();
    app.store
        .create_outage(&griddesk_store::outage::NewOutage {
            kind: griddesk_domain::outage::OutageKind::Planned,
            title: "矩阵计划停电".into(),
            cause: "检修".into(),
            scope: griddesk_domain::outage::OutageScope::Customers(vec![
                griddesk_domain::values::CustomerNo::parse(customer_no).expect("no"),
            ]),
            start: now + jiff::SignedDuration::from_hours(200),
            eta: None,
            created_by: "system:matrix".into(),
            created_at: now,
        })
        .await
        .expect("outage")
        .id
}

/// Ten days from now in Asia/Shanghai, as a plan file writes it.
fn plan_start() -> String {
    griddesk_server::time::local_minute(
        jiff::Timestamp::now() + jiff::SignedDuration::from_hours(240),
    )
}

/// A draft outage-plan row of its own, for the routes that edit, cancel or issue one.
async fn fresh_plan(app: &TestApp) -> String {
    let job = format!("MX-{}", rand_slot());
    let start = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(240);
    let code = |s: &str| griddesk_domain::values::Code::parse(s).expect("code");
    app.store
        .upsert_outage_plans(
            &[griddesk_domain::outage_plan::PlanRow {
                kind: griddesk_domain::outage_plan::PlanKind::Weekly,
                job_id: code(&job),
                title: "矩阵检修".into(),
                scope: griddesk_domain::outage::OutageScope::Areas(vec![code("TA-001")]),
                planned_start: start,
                planned_end: start + jiff::SignedDuration::from_hours(4),
                work_content: "更换电缆".into(),
                responsible_unit: code("S01"),
                reason: "检修".into(),
            }],
            "system:matrix",
            jiff::Timestamp::now(),
        )
        .await
        .expect("plan row");
    job
}

/// A personal-notice task nobody has done yet, on a key customer's outage.
async fn fresh_task(app: &TestApp) -> i64 {
    let key = app
        .customer(|c| c.is_high_voltage())
        .customer_no
        .to_string();
    let id = fresh_outage(app, &key).await;
    app.store
        .create_outage_tasks(
            id,
            griddesk_domain::notice::TaskKind::PersonalNotice,
            jiff::Timestamp::now(),
        )
        .await
        .expect("task");
    app.store.outage_tasks(id).await.expect("tasks")[0].id
}

/// A callback nobody has made yet, for the routes that mark one done.
async fn fresh_callback(app: &TestApp) -> i64 {
    let n = rand_slot();
    let now = jiff::Timestamp::now();
    app.store
        .schedule_callback(&griddesk_store::service::ScheduledCallback {
            id: 0,
            customer_no: None,
            phone: griddesk_domain::values::PhoneNumber::parse(&format!("139{:08}", n))
                .expect("phone"),
            tier: 2,
            requested_at: now,
            due: now,
            done_at: None,
            done_by: None,
            note: None,
        })
        .await
        .expect("callback")
        .0
}

/// Prepares what a route needs to succeed, and gives its body.
async fn prepare(app: &TestApp, method: &str, path: &str, f: &Fixture) -> Option<Body> {
    let no = f.customer_no.as_str();
    // One-time codes: resending is throttled per customer, so start clean; logging in needs a code.
    if path == "/api/v1/self/otp" || path == "/portal/code" {
        app.store
            .delete_otp(&griddesk_domain::values::CustomerNo::parse(no).expect("no"))
            .await
            .expect("delete otp");
    }
    if path == "/api/v1/self/login" || path == "/portal/login" {
        let now = jiff::Timestamp::now();
        app.store
            .put_otp(&OtpRecord {
                customer_no: griddesk_domain::values::CustomerNo::parse(no).expect("no"),
                code_hash: secret_hash(&format!("{no}:246810")),
                created_at: now,
                expires_at: now
                    .checked_add(jiff::SignedDuration::from_mins(5))
                    .expect("time"),
                attempts: 0,
            })
            .await
            .expect("otp");
    }
    let json = |v: serde_json::Value| Some(Body::Json(v));
    let form = |v: Vec<(&str, &str)>| {
        Some(Body::Form(
            v.into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        ))
    };
    match (method, path) {
        ("POST", "/api/v1/customers/{customer_no}/unmask") => {
            json(serde_json::json!({"reason": "矩阵测试核对"}))
        }
        ("POST", "/api/v1/tokens") => {
            json(serde_json::json!({"name": "matrix", "role": "agent", "org_unit": "C01"}))
        }
        ("POST", "/api/v1/self/otp") => json(serde_json::json!({"customer_no": no})),
        ("POST", "/api/v1/work-orders") => json(serde_json::json!({
            "order_type": "consultation", "channel": "phone", "customer_no": no,
            "contact_name": "矩阵", "subject": "电价咨询"
        })),
        ("POST", "/api/v1/customers/{customer_no}/contacts") => {
            json(serde_json::json!({"kind": "call", "summary": "回访核实"}))
        }
        ("POST", "/api/v1/work-orders/{id}/appointments") => {
            // Far enough apart that capacity never runs out during the matrix.
            let start = jiff::Timestamp::now()
                .checked_add(jiff::SignedDuration::from_hours(
                    24 + i64::from(rand_slot()) * 3,
                ))
                .expect("time");
            json(
                serde_json::json!({"org_unit": "S01", "kind": "site_visit", "starts_at": start.to_string()}),
            )
        }
        // Escalation leaves the order open, so every allowed caller can take the step.
        ("POST", "/api/v1/work-orders/{id}/actions") => {
            json(serde_json::json!({"action": "escalate"}))
        }
        ("POST", "/api/v1/self/login") => {
            json(serde_json::json!({"customer_no": no, "code": "246810"}))
        }
        ("PUT", "/api/v1/work-orders/{id}/complaint/cause") => {
            json(serde_json::json!({"cause": "efficiency"}))
        }
        ("POST", "/api/v1/work-orders/{id}/complaint/steps") => {
            json(serde_json::json!({"step": "listen", "note": "耐心倾听"}))
        }
        ("PUT", "/api/v1/work-orders/{id}/complaint/finding") => {
            json(serde_json::json!({"responsibility": "not_responsible"}))
        }
        ("POST", "/api/v1/work-orders/{id}/attachments") => Some(Body::Bytes("image/jpeg", JPEG.to_vec())),
        ("PUT", "/api/v1/agents/{login}/presence") => {
            json(serde_json::json!({"status": "available"}))
        }
        ("POST", "/api/v1/calls") => json(serde_json::json!({"caller_phone": "13800000000"})),
        ("POST", "/api/v1/callbacks/{id}/done") => json(serde_json::json!({"note": "已回拨"})),
        ("POST", "/console/orders") => form(vec![
            ("order_type", "consultation"),
            ("channel", "phone"),
            ("customer_no", no),
            ("contact_name", "矩阵"),
            ("subject", "电价咨询"),
        ]),
        ("POST", "/console/orders/{id}/actions") => {
            let v = app
                .store
                .work_order(f.order)
                .await
                .expect("order")
                .expect("exists")
                .version
                .to_string();
            Some(Body::Form(vec![
                ("version".to_owned(), v),
                ("action".to_owned(), "escalate".to_owned()),
            ]))
        }
        ("POST", "/api/v1/knowledge") => json(serde_json::json!({
            "kind": "answer", "title": format!("矩阵新文章{}", rand_slot()), "body": "正文"
        })),
        ("PUT", "/api/v1/knowledge/{id}") => json(serde_json::json!({
            "kind": "answer", "title": ARTICLE_TITLE, "body": "修改后的正文"
        })),
        ("POST", "/console/knowledge") => Some(Body::Form(vec![
            ("kind".to_owned(), "guide".to_owned()),
            ("title".to_owned(), format!("矩阵表单文章{}", rand_slot())),
            ("body".to_owned(), "正文".to_owned()),
        ])),
        ("POST", "/console/knowledge/{id}") => {
            let v = app
                .store
                .article(f.article)
                .await
                .expect("article")
                .expect("exists")
                .version;
            Some(Body::Form(vec![
                ("version".to_owned(), v.to_string()),
                ("kind".to_owned(), "guide".to_owned()),
                ("title".to_owned(), ARTICLE_TITLE.to_owned()),
                ("body".to_owned(), "表单修改".to_owned()),
            ]))
        }
        ("POST", "/api/v1/outages") => json(serde_json::json!({
            "kind": "fault", "title": "矩阵故障", "cause": "待查", "scope": {"customers": [no]}
        })),
        ("POST", "/api/v1/outages/{id}/actions") => json(serde_json::json!({"action": "notify"})),
        ("POST", "/api/v1/segmentation/runs") => json(serde_json::json!({
            "period": segmentation_period().to_string()
        })),
        ("POST", "/console/segmentation/runs") => {
            form(vec![("period", &segmentation_period().to_string())])
        }
        ("POST", "/api/v1/arrears-disconnections") => json(serde_json::json!({
            "customer_no": no, "notice_served_at": "2026-01-01T09:00:00+08:00", "reason": "欠费三个月"
        })),
        ("POST", "/console/outages") => form(vec![
            ("kind", "fault"),
            ("title", "矩阵故障"),
            ("cause", "待查"),
            ("scope_kind", "customers"),
            ("codes", no),
        ]),
        ("POST", "/api/v1/orderly-plans") => json(serde_json::json!({
            "target_mw": "0.001", "start": "2099-01-01T09:00:00+08:00",
            "end": "2099-01-01T12:00:00+08:00",
            "candidates": [{"customer_no": no, "expected_load_kw": "5", "limit_kw": "5"}]
        })),
        ("PUT", "/api/v1/orderly-sequence") => json(serde_json::json!({
            "entries": [{"customer_no": no, "sequence": 1, "expected_load_kw": "5", "limit_kw": "5"}]
        })),
        // The console plans along the stored sequence: make sure it has a row.
        ("POST", "/console/orderly") => {
            let kw = |s: &str| griddesk_domain::values::parse_decimal("kw", s).expect("kw");
            app.store
                .replace_orderly_sequence(&[griddesk_domain::orderly::SequenceEntry {
                    customer_no: griddesk_domain::values::CustomerNo::parse(no).expect("no"),
                    sequence: 1,
                    expected_load_kw: kw("5"),
                    security_load_kw: kw("0"),
                    shift_peak_kw: kw("0"),
                    avoid_peak_kw: kw("0"),
                    limit_kw: kw("5"),
                    can_disconnect: false,
                }])
                .await
                .expect("sequence");
            form(vec![
                ("target_mw", "0.001"),
                ("start", "2099-01-01T09:00"),
                ("end", "2099-01-01T12:00"),
            ])
        }
        ("POST", "/api/v1/outage-tasks/{id}/done") => json(serde_json::json!({"method": "phone"})),
        ("POST", "/api/v1/customer-maintenance") => json(serde_json::json!({
            "customer_no": no, "start": "2099-01-01T09:00:00+08:00",
            "end": "2099-01-01T12:00:00+08:00", "note": "矩阵检修"
        })),
        ("POST", "/api/v1/outage-plans/import") => Some(Body::Bytes(
            "text/csv",
            format!(
                "job_id,kind,title,areas,planned_start,planned_end,work_content,responsible_unit,reason\n\
                 MX-IMPORT,weekly,矩阵导入,TA-002,{},2099-01-01 00:00,换表,S01,检修\n",
                plan_start()
            )
            .into_bytes(),
        )),
        ("PATCH", "/api/v1/outage-plans/{job_id}") => json(serde_json::json!({"title": "矩阵修改"})),
        ("POST", "/console/outage-plans/{job_id}/edit") => {
            let start = plan_start().replace(' ', "T");
            Some(Body::Form(
                [
                    ("kind", "weekly"),
                    ("title", "矩阵表单修改"),
                    ("scope_kind", "areas"),
                    ("codes", "TA-001"),
                    ("planned_start", start.as_str()),
                    ("planned_end", "2099-01-01T00:00"),
                    ("work_content", "更换电缆"),
                    ("responsible_unit", "S01"),
                    ("reason", "检修"),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            ))
        }
        ("POST", "/console/outage-tasks/{id}/done") => form(vec![("method", "phone")]),
        ("POST", "/console/customer-maintenance") => form(vec![
            ("customer_no", no),
            ("start", "2099-01-01T09:00"),
            ("end", "2099-01-01T12:00"),
        ]),
        ("POST", "/console/outages/{id}/actions") => {
            form(vec![("version", "1"), ("action", "notify")])
        }
        ("POST", "/console/orders/{id}/complaint") => form(vec![("cause", "billing")]),
        ("POST", "/console/orders/{id}/finding") => {
            form(vec![("responsibility", "not_responsible")])
        }
        ("POST", "/console/presence") => form(vec![("status", "available"), ("login", "agent01")]),
        ("POST", "/portal/requests") => form(vec![
            ("order_type", "consultation"),
            ("subject", "电费查询"),
        ]),
        ("POST", "/login") => form(vec![
            ("login", "agent01"),
            ("password", STAFF_PASSWORD),
            ("next", "/console"),
        ]),
        ("POST", "/console/customers/{customer_no}/unmask") => {
            form(vec![("reason", "矩阵测试核对")])
        }
        ("POST", "/console/tokens") => form(vec![
            ("name", "matrix"),
            ("role", "agent"),
            ("org_unit", "C01"),
            ("expires_in_days", "30"),
        ]),
        ("POST", "/portal/code") => form(vec![("customer_no", no)]),
        ("POST", "/portal/login") => form(vec![("customer_no", no), ("code", "246810")]),
        ("POST", _) | ("DELETE", _) => form(vec![]),
        _ => None,
    }
}

/// A fresh slot number per booking request.
fn rand_slot() -> u32 {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

enum Body {
    Json(serde_json::Value),
    Form(Vec<(String, String)>),
    Bytes(&'static str, Vec<u8>),
}

#[tokio::test]
async fn every_route_has_a_rule_and_every_role_gets_exactly_its_rights() {
    let app = spawn_app().await;
    app.set_password("agent01").await;
    let table = griddesk_server::route_table();
    assert!(table.len() >= 30, "the route table lists every route");

    // Every route has a rule, and every rule names a route.
    let missing: Vec<String> = table
        .iter()
        .filter(|(m, p)| policy::rule(&m.parse::<Method>().expect("method"), p).is_none())
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without an access rule: {missing:?}"
    );
    let stale: Vec<String> = policy::RULES
        .iter()
        .filter(|(m, p, _)| !table.iter().any(|(tm, tp)| tm == m && tp == p))
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    assert!(
        stale.is_empty(),
        "rules for routes that do not exist: {stale:?}"
    );

    // A segmentation of last month, so a customer's segment exists.
    let last_month = segmentation_period();
    let config = griddesk_server::api_segment::parse_config(
        "segmentation.toml",
        griddesk_server::api_segment::DEFAULT_CONFIG,
    )
    .expect("config");
    let _ = griddesk_server::api_segment::run_segmentation(
        app.store.as_ref(),
        &app.state.lake,
        last_month,
        &config,
        griddesk_server::api_segment::DEFAULT_CONFIG,
        "system:matrix",
        &|_| {},
        None,
    )
    .await
    .expect("segmentation");

    let resident = app.resident();
    let area = match &resident.connection {
        griddesk_domain::customer::Connection::Area { area } => area.to_string(),
        _ => unreachable!("residents hang on an area"),
    };
    let actor = Actor::System {
        name: "test".into(),
    };
    let now = jiff::Timestamp::now();
    let revocable = app
        .store
        .create_api_token(
            &griddesk_store::access::NewApiToken {
                name: "to revoke".into(),
                token_hash: secret_hash(&random_secret()),
                role: Role::Agent,
                org_unit: griddesk_domain::values::Code::parse("C01").expect("code"),
                created_by: "system:test".into(),
                created_at: now,
                expires_at: None,
            },
            &AuditEntry::new(
                &actor,
                AuditAction::TokenCreated,
                "api_token",
                "",
                "test",
                now,
            ),
        )
        .await
        .expect("token");
    let order: serde_json::Value = app
        .client
        .post(app.url("/api/v1/work-orders"))
        .json(&serde_json::json!({
            "order_type": "complaint", "channel": "phone",
            "customer_no": resident.customer_no.as_str(),
            "contact_name": "矩阵", "subject": "服务态度", "org_unit": "S01"
        }))
        .send()
        .await
        .expect("create order")
        .json()
        .await
        .expect("order");
    let order_id = order["id"].as_i64().expect("order id");
    let attachment: serde_json::Value = app
        .client
        .post(app.url(&format!("/api/v1/work-orders/{order_id}/attachments")))
        .header(reqwest::header::CONTENT_TYPE, "image/jpeg")
        .body(JPEG)
        .send()
        .await
        .expect("attach")
        .json()
        .await
        .expect("attachment");
    let f = Fixture {
        customer_no: resident.customer_no.to_string(),
        area,
        token_to_revoke: revocable.id,
        order: order_id,
        attachment: attachment["id"].as_i64().expect("attachment id"),
        article: match app
            .store
            .create_article(
                &griddesk_domain::knowledge::ArticleDraft::parse(
                    griddesk_domain::knowledge::ArticleKind::Answer,
                    ARTICLE_TITLE,
                    "正文",
                    vec![],
                    &[],
                )
                .expect("draft"),
                "system:matrix",
                jiff::Timestamp::now(),
            )
            .await
            .expect("article")
        {
            griddesk_store::knowledge::ArticleWrite::Saved(a) => a.id,
            other => panic!("{other:?}"),
        },
    };

    let mut callers = vec![Caller::Anonymous, Caller::Customer];
    for role in Role::staff_roles() {
        callers.push(Caller::Staff(role, app.token(role, "C01").await));
    }

    let mut failures = Vec::new();
    let mut checked = 0;
    for (method, pattern) in &table {
        let rule = policy::rule(&method.parse().expect("method"), pattern).expect("rule");
        for caller in &callers {
            let mut path = concrete(pattern, &f);
            let mut outage_version: Option<i64> = None;
            if pattern.starts_with("/api/v1/callbacks/{id}")
                || pattern.starts_with("/console/callbacks/{id}")
            {
                let id = fresh_callback(&app).await;
                path = pattern.replace("{id}", &id.to_string());
            }
            if pattern.starts_with("/api/v1/outage-tasks/{id}")
                || pattern.starts_with("/console/outage-tasks/{id}")
            {
                let id = fresh_task(&app).await;
                path = pattern.replace("{id}", &id.to_string());
            }
            // Each caller steps an outage of its own, so every allowed step is legal.
            if pattern.starts_with("/api/v1/outages/{id}")
                || pattern.starts_with("/console/outages/{id}")
            {
                let id = fresh_outage(&app, &f.customer_no).await;
                path = pattern.replace("{id}", &id.to_string());
                if method == "POST" && pattern.starts_with("/api/") {
                    outage_version = Some(1);
                }
            }
            // Disconnecting needs a connected customer, restoring a disconnected one.
            if pattern.starts_with("/api/v1/arrears-disconnections") {
                set_arrears(&app, &f.customer_no, pattern.ends_with("/restore")).await;
            }
            // Each caller edits, cancels or issues a draft plan row of its own.
            let mut plan_job = None;
            if pattern.contains("/outage-plans/") && !pattern.ends_with("/import") {
                let job = fresh_plan(&app).await;
                path = pattern.replace("{job_id}", &job);
                plan_job = Some(job);
            }
            let mut body = prepare(&app, method, pattern, &f).await;
            if let Some(job) = plan_job.filter(|_| pattern.ends_with("/issue")) {
                body = Some(if pattern.starts_with("/api/") {
                    Body::Json(serde_json::json!({"job_ids": [job]}))
                } else {
                    Body::Form(vec![("job_ids".to_owned(), job)])
                });
            }
            let form_csrf = random_secret();
            let mut req = app
                .anon
                .request(method.parse::<Method>().expect("method"), app.url(&path));
            let mut cookies = vec![format!("gd_csrf={form_csrf}")];
            let mut csrf_field = form_csrf.clone();
            match caller {
                Caller::Anonymous => {}
                Caller::Staff(_, token) => {
                    req = req.bearer_auth(token);
                }
                Caller::Customer => {
                    let (cookie, csrf) = customer_session(&app, &f.customer_no).await;
                    cookies.push(cookie);
                    // Pre-session forms carry the form token; session requests the session's.
                    if rule != Rule::PublicForm {
                        req = req.header("x-csrf-token", &csrf);
                        csrf_field = csrf;
                    }
                }
            }
            req = req.header(reqwest::header::COOKIE, cookies.join("; "));
            if pattern == "/api/v1/work-orders/{id}/actions" {
                let v = app
                    .store
                    .work_order(f.order)
                    .await
                    .expect("order")
                    .expect("exists")
                    .version;
                req = req.header(reqwest::header::IF_MATCH, format!("\"{v}\""));
            }
            if let Some(v) = outage_version {
                req = req.header(reqwest::header::IF_MATCH, format!("\"{v}\""));
            }
            if pattern == "/api/v1/knowledge/{id}" && method == "PUT" {
                let v = app
                    .store
                    .article(f.article)
                    .await
                    .expect("article")
                    .expect("exists")
                    .version;
                req = req.header(reqwest::header::IF_MATCH, format!("\"{v}\""));
            }
            req = match body {
                Some(Body::Json(v)) => req.json(&v),
                Some(Body::Form(mut v)) => {
                    v.push(("csrf".to_owned(), csrf_field));
                    req.form(&v)
                }
                Some(Body::Bytes(ct, bytes)) => {
                    req.header(reqwest::header::CONTENT_TYPE, ct).body(bytes)
                }
                None => req,
            };
            let resp = req.send().await.expect("request");
            let status = resp.status().as_u16();
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let api = path.starts_with("/api/") || path == "/metrics" || path == "/healthz";
            let to_login = location.starts_with("/login") || location == "/portal";
            let ok = if caller.allowed(rule) {
                (200..400).contains(&status) && !(method == "GET" && to_login)
            } else {
                match caller {
                    Caller::Anonymous if api => status == 401,
                    // The console sends anonymous readers to its login pages.
                    Caller::Anonymous if method == "GET" => status == 303 && to_login,
                    _ => status == 403 || (status == 401 && matches!(caller, Caller::Anonymous)),
                }
            };
            checked += 1;
            if !ok {
                let text = resp.text().await.unwrap_or_default();
                failures.push(format!(
                    "{method} {path} as {caller:?} (rule {rule:?}): {status} {location} {}",
                    text.chars().take(160).collect::<String>()
                ));
            }
        }
    }
    assert!(checked >= table.len() * 10);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
