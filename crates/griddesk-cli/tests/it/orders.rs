//! Work orders through the API: intake with deadlines from the service commitments, idempotent
//! creation, versioned steps (If-Match, 409, 428), the state machine's refusals (422), pausing
//! the SLA clock, the queue, scope, masking and the overdue sweeper.

use crate::app::{SendJson, TestApp, spawn_app};
use griddesk_domain::org::Role;
use serde_json::{Value, json};

async fn create(app: &TestApp, body: Value, key: Option<&str>) -> reqwest::Response {
    let mut req = app.client.post(app.url("/api/v1/work-orders")).json(&body);
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    req.send().await.expect("create")
}

async fn act(app: &TestApp, id: i64, version: Option<i64>, body: Value) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url(&format!("/api/v1/work-orders/{id}/actions")))
        .json(&body);
    if let Some(v) = version {
        req = req.header("if-match", format!("\"{v}\""));
    }
    req.send().await.expect("action")
}

fn ts(s: &str) -> jiff::Timestamp {
    s.parse::<jiff::Zoned>()
        .map(|z| z.timestamp())
        .or_else(|_| s.parse())
        .expect("timestamp")
}

#[tokio::test]
async fn intake_computes_deadlines_and_is_idempotent() {
    let app = spawn_app().await;
    let c = app.resident().clone();
    let body = json!({
        "order_type": "fault_repair", "channel": "phone", "customer_no": c.customer_no.as_str(),
        "contact_name": "王女士", "contact_phone": "13912345678", "subject": "家中停电",
        "description": "整栋楼没电"
    });
    let r = create(&app, body.clone(), Some("call-0001")).await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["etag"], "\"1\"");
    let o: Value = r.json().await.unwrap();
    assert_eq!(o["status"]["code"], "accepted");
    assert_eq!(o["contact_phone"], "139****5678", "masked");
    assert!(
        o["owner"].as_str().unwrap().starts_with("token:"),
        "the accepting caller owns it"
    );
    let d = &o["deadlines"][0];
    assert_eq!(d["kind"]["code"], "arrival");
    let minutes = match c.area_type {
        griddesk_domain::topology::AreaType::Urban => 45,
        griddesk_domain::topology::AreaType::Rural => 90,
        griddesk_domain::topology::AreaType::Remote => 120,
    };
    let span =
        ts(d["due"].as_str().unwrap()).duration_since(ts(o["accepted_at"].as_str().unwrap()));
    assert!(
        (span.as_secs() - minutes * 60).abs() <= 1,
        "{span:?} vs {minutes} min"
    );
    assert_eq!(o["sla"]["code"], "green");

    // The same key again: the same order, nothing new.
    let again = create(&app, body.clone(), Some("call-0001")).await;
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], o["id"]);
    let list: Value = app
        .client
        .get(app.url("/api/v1/work-orders"))
        .json_body()
        .await;
    assert_eq!(list["count"], 1);
    // Another client's same key is its own.
    let other = app.client_as(Role::Agent, "C01").await;
    let r = other
        .post(app.url("/api/v1/work-orders"))
        .header("idempotency-key", "call-0001")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    // Complaints get a contact and a reply deadline; important customers the green channel.
    let vip =
        app.customer(|c| c.important_grade != griddesk_domain::customer::ImportantGrade::None);
    let o: Value = create(
        &app,
        json!({"order_type": "complaint", "channel": "web", "customer_no": vip.customer_no.as_str(),
               "contact_name": "李经理", "subject": "抢修太慢"}),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let kinds: Vec<&str> = o["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["contact", "reply"]);
    assert_eq!(o["tier"], 1);
    let list: Value = app
        .client
        .get(app.url("/api/v1/work-orders"))
        .json_body()
        .await;
    assert_eq!(list["items"][0]["id"], o["id"], "green channel first");

    // Bad input names the field.
    for (body, field) in [
        (
            json!({"order_type": "complaint", "channel": "web", "contact_name": "", "subject": "x"}),
            "contact_name",
        ),
        (
            json!({"order_type": "gossip", "channel": "web", "contact_name": "a", "subject": "x"}),
            "order_type",
        ),
        (
            json!({"order_type": "complaint", "channel": "web", "contact_name": "a", "subject": "x", "customer_no": "0999999999"}),
            "customer_no",
        ),
    ] {
        let p: Value = create(&app, body, None).await.json().await.unwrap();
        assert_eq!(p["field"], field, "{p}");
    }
}

#[tokio::test]
async fn steps_are_versioned_and_follow_the_state_machine() {
    let app = spawn_app().await;
    let c = app.resident().clone();
    let o: Value = create(
        &app,
        json!({"order_type": "fault_repair", "channel": "app", "customer_no": c.customer_no.as_str(),
               "contact_name": "赵先生", "subject": "表箱冒烟"}),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let id = o["id"].as_i64().unwrap();
    // No If-Match: 428; stale: 409 and nothing changes.
    assert_eq!(
        act(
            &app,
            id,
            None,
            json!({"action": "dispatch", "org_unit": "S01"})
        )
        .await
        .status(),
        428
    );
    let r = act(
        &app,
        id,
        Some(7),
        json!({"action": "dispatch", "org_unit": "S01"}),
    )
    .await;
    assert_eq!(r.status(), 409);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["field"], "if-match");
    // Missing data and illegal steps.
    let p: Value = act(&app, id, Some(1), json!({"action": "dispatch"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["field"], "org_unit");
    let r = act(&app, id, Some(1), json!({"action": "reply"})).await;
    assert_eq!(r.status(), 422);
    let got: Value = app
        .client
        .get(app.url(&format!("/api/v1/work-orders/{id}")))
        .json_body()
        .await;
    assert_eq!(
        (got["version"].as_i64(), got["status"]["code"].as_str()),
        (Some(1), Some("accepted"))
    );

    let mut v = 1;
    for step in [
        json!({"action": "dispatch", "org_unit": "S01"}),
        json!({"action": "acknowledge"}),
        json!({"action": "handle"}),
    ] {
        let r = act(&app, id, Some(v), step.clone()).await;
        if step["action"] == "handle" {
            // A repair is handled only after the crew is on site.
            assert_eq!(r.status(), 422);
            let p: Value = r.json().await.unwrap();
            assert!(p["detail"].as_str().unwrap().contains("on site"));
            continue;
        }
        assert_eq!(r.status(), 200, "{step}");
        v += 1;
        assert_eq!(r.headers()["etag"], format!("\"{v}\"").as_str());
    }
    for step in [
        json!({"action": "arrive"}),
        json!({"action": "handle", "note": "更换表箱"}),
        json!({"action": "reply"}),
    ] {
        assert_eq!(act(&app, id, Some(v), step).await.status(), 200);
        v += 1;
    }
    let p: Value = act(
        &app,
        id,
        Some(v),
        json!({"action": "callback", "satisfaction": 9}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(p["field"], "satisfaction");
    let r = act(
        &app,
        id,
        Some(v),
        json!({"action": "callback", "satisfaction": 5}),
    )
    .await;
    v += 1;
    let r: Value = r.json().await.unwrap();
    assert_eq!(r["status"]["code"], "called_back");
    let r: Value = act(&app, id, Some(v), json!({"action": "archive"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["status"]["code"], "archived");
    let actions: Vec<&str> = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "accept",
            "dispatch",
            "acknowledge",
            "arrive",
            "handle",
            "reply",
            "callback",
            "archive"
        ]
    );
    let arrival = &r["deadlines"][0];
    assert!(arrival["met_at"].is_string(), "arrival recorded as met");
    // The owner stays the accepting agent throughout.
    assert_eq!(r["owner"], o["owner"]);
}

#[tokio::test]
async fn pausing_shifts_the_deadline_by_exactly_the_paused_time() {
    let app = spawn_app().await;
    let o: Value = create(
        &app,
        json!({"order_type": "complaint", "channel": "phone", "contact_name": "钱女士", "subject": "资料"}),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let id = o["id"].as_i64().unwrap();
    let p: Value = act(&app, id, Some(1), json!({"action": "pause_sla"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["field"], "pause_reason");
    let r: Value = act(
        &app,
        id,
        Some(1),
        json!({"action": "pause_sla", "pause_reason": "documents"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(r["paused"], true);
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let r = act(&app, id, Some(2), json!({"action": "resume_sla"})).await;
    assert_eq!(r.status(), 200);
    let stored = app.store.work_order(id).await.unwrap().unwrap();
    let events = app.store.work_order_events(id).await.unwrap();
    let paused_at = events.iter().find(|e| e.action == "pause_sla").unwrap().at;
    let resumed_at = events.iter().find(|e| e.action == "resume_sla").unwrap().at;
    assert_eq!(stored.paused, resumed_at.duration_since(paused_at));
    assert!(stored.paused >= jiff::SignedDuration::from_millis(1200));
    assert!(stored.paused_since.is_none());
    // Stored deadlines do not move; the effective one is later by the pause.
    let due = stored.deadlines[0].due;
    let view: Value = app
        .client
        .get(app.url(&format!("/api/v1/work-orders/{id}")))
        .json_body()
        .await;
    let shown = ts(view["deadlines"][0]["due"].as_str().unwrap());
    let shift = shown.duration_since(due);
    assert!(
        (shift - stored.paused).abs() < jiff::SignedDuration::from_secs(1),
        "{shift:?}"
    );
    assert_eq!(
        events.iter().filter(|e| e.action == "resume_sla").count(),
        1
    );
    assert!(
        events
            .iter()
            .find(|e| e.action == "pause_sla")
            .unwrap()
            .data
            .as_deref()
            .unwrap()
            .contains("documents")
    );
}

#[tokio::test]
async fn overdue_orders_are_escalated_once() {
    let app = spawn_app().await;
    let o: Value = create(
        &app,
        json!({"order_type": "fault_repair", "channel": "phone", "contact_name": "孙先生", "subject": "停电"}),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let id = o["id"].as_i64().unwrap();
    let now = jiff::Timestamp::now();
    assert_eq!(
        griddesk_server::api_orders::sweep_overdue(&app.state, now)
            .await
            .unwrap(),
        0
    );
    let later = now
        .checked_add(jiff::SignedDuration::from_hours(3))
        .unwrap();
    assert_eq!(
        griddesk_server::api_orders::sweep_overdue(&app.state, later)
            .await
            .unwrap(),
        1
    );
    // A second sweep (another instance) finds nothing left to escalate.
    assert_eq!(
        griddesk_server::api_orders::sweep_overdue(&app.state, later)
            .await
            .unwrap(),
        0
    );
    let events = app.store.work_order_events(id).await.unwrap();
    let esc: Vec<_> = events.iter().filter(|e| e.action == "escalate").collect();
    assert_eq!(esc.len(), 1);
    assert!(esc[0].data.as_deref().unwrap().contains("supervisor"));
    assert_eq!(esc[0].actor, "system:sla-sweeper");
}

#[tokio::test]
async fn orders_follow_the_readers_scope() {
    let app = spawn_app().await;
    let o: Value = create(
        &app,
        json!({"order_type": "service_request", "channel": "counter", "contact_name": "周女士",
               "subject": "更名", "org_unit": "S01"}),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let id = o["id"].as_i64().unwrap();
    assert_eq!(o["status"]["code"], "dispatched");
    let s01 = app.client_as(Role::Crew, "S01").await;
    let s02 = app.client_as(Role::Crew, "S02").await;
    let path = app.url(&format!("/api/v1/work-orders/{id}"));
    assert_eq!(s01.get(&path).send().await.unwrap().status(), 200);
    assert_eq!(s02.get(&path).send().await.unwrap().status(), 403);
    let q: Value = s02.get(app.url("/api/v1/work-orders")).json_body().await;
    assert_eq!(q["count"], 0);
    let q: Value = s01.get(app.url("/api/v1/work-orders")).json_body().await;
    assert_eq!(q["count"], 1);
    // The console queue and order page, for the unit's crew only.
    let page = s01
        .get(app.url("/console/orders"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("orders-table") && page.contains(&format!("/console/orders/{id}")));
    assert!(page.contains("data-sla=\"green\""));
    let page = s01
        .get(app.url(&format!("/console/orders/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("更名") && page.contains("history"));
    assert_eq!(
        s02.get(app.url(&format!("/console/orders/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    // Analysts read but do not work orders.
    let analyst = app.client_as(Role::Analyst, "C01").await;
    assert_eq!(analyst.get(&path).send().await.unwrap().status(), 200);
    let r = analyst
        .post(app.url(&format!("/api/v1/work-orders/{id}/actions")))
        .header("if-match", "\"1\"")
        .json(&json!({"action": "acknowledge"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn contacts_form_the_customer_timeline() {
    let app = spawn_app().await;
    let c = app.resident().clone();
    let no = c.customer_no.to_string();
    let o: Value = create(
        &app,
        json!({"order_type": "consultation", "channel": "phone", "customer_no": no,
               "contact_name": "吴先生", "subject": "阶梯电价"}),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let r = app
        .client
        .post(app.url(&format!("/api/v1/customers/{no}/contacts")))
        .json(&json!({"kind": "sms", "inbound": false, "summary": "发送电价说明短信", "order_id": o["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let t: Value = app
        .client
        .get(app.url(&format!("/api/v1/customers/{no}/contacts")))
        .json_body()
        .await;
    let t = t.as_array().unwrap();
    assert_eq!(t.len(), 2, "the intake logged the call itself");
    assert_eq!(t[0]["kind"]["code"], "sms");
    assert_eq!(t[1]["kind"]["code"], "call");
    assert_eq!(t[1]["order_id"], o["id"]);
    let p: Value = app
        .client
        .post(app.url(&format!("/api/v1/customers/{no}/contacts")))
        .json(&json!({"kind": "call", "summary": "  "}))
        .json_body()
        .await;
    assert_eq!(p["field"], "summary");
}

#[tokio::test]
async fn appointments_fill_the_schedule_and_hold_the_deadline() {
    let app = spawn_app().await;
    let o = create(
        &app,
        json!({"order_type": "fault_repair", "channel": "phone", "contact_name": "冯先生",
               "subject": "电表异响", "org_unit": "S01"}),
        None,
    )
    .await
    .json::<Value>()
    .await
    .unwrap();
    let id = o["id"].as_i64().unwrap();
    // Tomorrow 09:00 in Shanghai, well after the 45-minute arrival deadline.
    let day = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(8)))
        .date()
        .tomorrow()
        .unwrap();
    let nine = format!("{day}T09:00:00+08:00");
    let book = |start: String| {
        app.client
            .post(app.url(&format!("/api/v1/work-orders/{id}/appointments")))
            .json(&json!({"org_unit": "S01", "kind": "site_visit", "starts_at": start, "minutes": 60}))
            .json_body()
    };
    let a = book(nine.clone()).await;
    assert_eq!(a["kind"]["code"], "site_visit");
    let view = app
        .client
        .get(app.url(&format!("/api/v1/work-orders/{id}")))
        .json_body()
        .await;
    let due = ts(view["deadlines"][0]["due"].as_str().unwrap());
    assert_eq!(
        due,
        ts(&format!("{day}T10:00:00+08:00")),
        "arrival waits for the booked slot"
    );
    assert_eq!(view["sla"]["code"], "green");
    assert!(
        view["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "appointment")
    );
    // Capacity: two overlapping bookings, not three.
    book(nine.clone()).await;
    let full = book(nine).await;
    assert_eq!(full["status"], 422);
    assert_eq!(full["field"], "starts_at");
    let past = book("2020-01-01T09:00:00+08:00".to_owned()).await;
    assert_eq!(past["field"], "starts_at");
    // The crew's schedule of that day.
    let s01 = app.client_as(Role::Crew, "S01").await;
    let sched = s01
        .get(app.url(&format!("/api/v1/org-units/S01/schedule?date={day}")))
        .json_body()
        .await;
    assert_eq!(sched.as_array().unwrap().len(), 2);
    let s02 = app.client_as(Role::Crew, "S02").await;
    let r = s02
        .get(app.url(&format!("/api/v1/org-units/S01/schedule?date={day}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
