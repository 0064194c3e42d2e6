//! The service centre around work orders through the API and the console: the complaint record
//! and its rules (five steps before the reply, a finding before archiving), the complaint ledger
//! with its analysis and Excel export, photos attached to orders, incoming calls routed by tier
//! with 24 h callbacks, the console's workbench, dispatcher board, crew view and order forms,
//! self-service requests, and the sweeper: exactly one of two instances on PostgreSQL sweeps,
//! and deadlines and escalations survive a restart on both backends.

use crate::app::{SendJson, TestApp, populate, spawn_app, test_server_config};
use griddesk_domain::access::Actor;
use griddesk_domain::customer::{Customer, ImportantGrade, Institution};
use griddesk_domain::org::Role;
use griddesk_domain::values::Code;
use griddesk_server::AppState;
use griddesk_server::api_orders::{self, NewOrderRequest, Sweep};
use griddesk_store::Store;
use serde_json::{Value, json};
use std::sync::Arc;

async fn new_order(app: &TestApp, body: Value) -> Value {
    let r = app
        .client
        .post(app.url("/api/v1/work-orders"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "create order");
    r.json().await.unwrap()
}

async fn step(app: &TestApp, client: &reqwest::Client, id: i64, body: Value) -> reqwest::Response {
    let v = app.store.work_order(id).await.unwrap().unwrap().version;
    client
        .post(app.url(&format!("/api/v1/work-orders/{id}/actions")))
        .header("if-match", format!("\"{v}\""))
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn phone_of(c: &Customer) -> String {
    c.contacts
        .iter()
        .flat_map(|k| k.phones.iter())
        .next()
        .expect("a phone")
        .to_string()
}

#[tokio::test]
async fn a_complaint_is_answered_after_five_steps_and_archived_after_its_finding() {
    let app = spawn_app().await;
    let c = app.resident().clone();
    let o = new_order(
        &app,
        json!({"order_type": "complaint", "channel": "phone", "customer_no": c.customer_no.as_str(),
               "contact_name": "赵先生", "contact_phone": "13912345678", "subject": "抢修人员态度生硬",
               "org_unit": "S01"}),
    )
    .await;
    let id = o["id"].as_i64().unwrap();
    let agent = &app.client;
    for a in ["acknowledge", "handle"] {
        assert_eq!(
            step(&app, agent, id, json!({"action": a})).await.status(),
            200
        );
    }
    // The reply waits for the cause and all five steps.
    let r = step(&app, agent, id, json!({"action": "reply"})).await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert!(p["detail"].as_str().unwrap().contains("cause"), "{p}");

    let url = |s: &str| app.url(&format!("/api/v1/work-orders/{id}/complaint{s}"));
    let v: Value = agent
        .put(url("/cause"))
        .json(&json!({"cause": "service_attitude"}))
        .json_body()
        .await;
    assert_eq!(v["cause"]["code"], "service_attitude");
    assert_eq!(v["missing_steps"].as_array().unwrap().len(), 5);
    for (s, note) in [
        ("listen", "耐心听取客户反映"),
        ("ask", "询问当时情况"),
        ("apologise", "代表公司致歉"),
    ] {
        let r = agent
            .post(url("/steps"))
            .json(&json!({"step": s, "note": note}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let r = step(&app, agent, id, json!({"action": "reply"})).await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert!(
        p["detail"].as_str().unwrap().contains("solve, thank"),
        "{p}"
    );
    for s in ["solve", "thank"] {
        agent
            .post(url("/steps"))
            .json(&json!({"step": s, "note": "已完成"}))
            .send()
            .await
            .unwrap();
    }
    let v: Value = agent.get(url("")).json_body().await;
    let steps: Vec<&str> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["listen", "ask", "apologise", "solve", "thank"]);
    assert_eq!(v["ready_to_reply"], true);
    assert_eq!(v["ready_to_archive"], false);
    // Bad input names the field; an empty note is refused.
    let r = agent
        .post(url("/steps"))
        .json(&json!({"step": "listen", "note": "  "}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "note");
    let r = agent
        .put(url("/cause"))
        .json(&json!({"cause": "weather"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    assert_eq!(
        step(&app, agent, id, json!({"action": "reply"}))
            .await
            .status(),
        200
    );
    assert_eq!(
        step(
            &app,
            agent,
            id,
            json!({"action": "callback", "satisfaction": 4})
        )
        .await
        .status(),
        200
    );
    // Archiving waits for the responsibility finding, which only supervisors make.
    let r = step(&app, agent, id, json!({"action": "archive"})).await;
    assert_eq!(r.status(), 422);
    let r = agent
        .put(url("/finding"))
        .json(&json!({"responsibility": "responsible", "unit": "S01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "agents do not find responsibility");
    let sup = app.client_as(Role::Supervisor, "C01").await;
    let r = sup
        .put(url("/finding"))
        .json(&json!({"responsibility": "responsible"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "a responsible finding names the unit");
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "unit");
    let r = sup
        .put(url("/finding"))
        .json(&json!({"responsibility": "responsible", "unit": "NOPE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let v: Value = sup
        .put(url("/finding"))
        .json(&json!({"responsibility": "responsible", "unit": "S01", "note": "未使用规范用语"}))
        .json_body()
        .await;
    assert_eq!(v["finding"]["responsibility"]["code"], "responsible");
    assert_eq!(v["ready_to_archive"], true);
    assert_eq!(
        step(&app, agent, id, json!({"action": "archive"}))
            .await
            .status(),
        200
    );

    // Every change is in the order's history and the audit trail.
    let events = app.store.work_order_events(id).await.unwrap();
    let n = |a: &str| events.iter().filter(|e| e.action == a).count();
    assert_eq!(
        (
            n("complaint_cause"),
            n("complaint_step"),
            n("complaint_finding")
        ),
        (1, 5, 1)
    );

    // Not a complaint: 422.
    let repair = new_order(
        &app,
        json!({"order_type": "fault_repair", "channel": "phone", "contact_name": "钱女士", "subject": "停电"}),
    )
    .await;
    let r = agent
        .get(app.url(&format!("/api/v1/work-orders/{}/complaint", repair["id"])))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn the_complaint_ledger_analyses_causes_units_months_and_repeat_complainants() {
    let app = spawn_app().await;
    let c1 = app.resident().clone();
    let c2 = app
        .customer(|c| c.customer_no != c1.customer_no && !c.is_high_voltage())
        .clone();
    let mut ids = Vec::new();
    for (c, unit, cause) in [
        (&c1, "S01", "efficiency"),
        (&c1, "S01", "efficiency"),
        (&c2, "S02", "billing"),
        (&c1, "S02", "efficiency"),
    ] {
        let o = new_order(
            &app,
            json!({"order_type": "complaint", "channel": "web", "customer_no": c.customer_no.as_str(),
                   "contact_name": "客户", "subject": "投诉", "org_unit": unit}),
        )
        .await;
        let id = o["id"].as_i64().unwrap();
        app.client
            .put(app.url(&format!("/api/v1/work-orders/{id}/complaint/cause")))
            .json(&json!({"cause": cause}))
            .send()
            .await
            .unwrap();
        ids.push(id);
    }
    // A complaint without a recorded cause, and a non-complaint that must not count.
    new_order(
        &app,
        json!({"order_type": "complaint", "channel": "phone", "contact_name": "匿名", "contact_phone": "13700001111", "subject": "路灯"}),
    )
    .await;
    new_order(
        &app,
        json!({"order_type": "opinion", "channel": "web", "contact_name": "x", "subject": "建议"}),
    )
    .await;

    let analyst = app.client_as(Role::Analyst, "C01").await;
    let a: Value = analyst
        .get(app.url("/api/v1/complaints/analysis"))
        .json_body()
        .await;
    assert_eq!(a["total"], 5);
    let pareto: Vec<(Value, u64, bool)> = a["pareto"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["cause"]["code"].clone(),
                b["count"].as_u64().unwrap(),
                b["vital"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pareto,
        vec![
            (json!("efficiency"), 3, true),
            (json!("billing"), 1, true),
            (Value::Null, 1, false)
        ],
        "60 %, then 80 %: the bar crossing 80 % is still vital"
    );
    let units: Vec<(String, u64)> = a["by_unit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["key"].as_str().unwrap().to_owned(),
                u["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        units,
        vec![("S01".into(), 2), ("S02".into(), 2), (String::new(), 1)]
    );
    let month = jiff::Timestamp::now()
        .to_zoned(griddesk_server::time::shanghai().clone())
        .strftime("%Y-%m")
        .to_string();
    assert_eq!(a["by_month"], json!([{"key": month, "count": 5}]));
    assert_eq!(a["repeat_complainants"].as_array().unwrap().len(), 1);
    assert_eq!(
        a["repeat_complainants"][0]["customer_no"],
        c1.customer_no.as_str()
    );
    assert_eq!(a["repeat_complainants"][0]["count"], 3);

    // Filters: one unit, one cause; the ledger lists complaints only and masks phones.
    let l: Value = analyst
        .get(app.url("/api/v1/complaints?unit=S02"))
        .json_body()
        .await;
    assert_eq!(l["count"], 2);
    let l: Value = analyst
        .get(app.url("/api/v1/complaints?cause=efficiency"))
        .json_body()
        .await;
    assert_eq!(l["count"], 3);
    let all: Value = analyst.get(app.url("/api/v1/complaints")).json_body().await;
    assert_eq!(all["count"], 5);
    assert!(all.to_string().contains("137****1111"));
    assert!(!all.to_string().contains("13700001111"));
    // A period before today's has none; a bad date names its field.
    let l: Value = analyst
        .get(app.url("/api/v1/complaints?from=2020-01-01&to=2020-12-31"))
        .json_body()
        .await;
    assert_eq!(l["count"], 0);
    let r = analyst
        .get(app.url("/api/v1/complaints?from=2026-13-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "from");
    let r = analyst
        .get(app.url("/api/v1/complaints?from=2026-05-01&to=2026-04-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Agents work on complaints but do not read the ledger.
    assert_eq!(
        app.client
            .get(app.url("/api/v1/complaints"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    // The Excel export holds the same rows and the analysis.
    let r = analyst
        .get(app.url("/api/v1/complaints.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    use calamine::Reader;
    let ledger = wb.worksheet_range("投诉台账").expect("ledger sheet");
    assert_eq!(ledger.height(), 6, "header and five complaints");
    let ids_in_sheet: Vec<i64> = ledger
        .rows()
        .skip(1)
        .map(|r| r[0].to_string().parse::<f64>().unwrap() as i64)
        .collect();
    for id in &ids {
        assert!(ids_in_sheet.contains(id));
    }
    let sheet = wb.worksheet_range("分析").expect("analysis sheet");
    let text: String = sheet
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect::<Vec<_>>()
        .join("|");
    assert!(text.contains("服务效率|3"), "{text}");
    assert!(!text.contains("13700001111"), "phones stay masked");
}

const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01photo-bytes";

#[tokio::test]
async fn crews_attach_photos_that_are_checked_and_kept() {
    let app = spawn_app().await;
    let o = new_order(
        &app,
        json!({"order_type": "fault_repair", "channel": "phone", "contact_name": "孙先生", "subject": "停电", "org_unit": "S01"}),
    )
    .await;
    let id = o["id"].as_i64().unwrap();
    let crew = app.client_as(Role::Crew, "S01").await;
    let url = app.url(&format!(
        "/api/v1/work-orders/{id}/attachments?file_name=现场.jpg&note=熔断器"
    ));
    let r = crew
        .post(&url)
        .header("content-type", "image/jpeg")
        .body(JPEG)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["size"], JPEG.len());
    assert_eq!(a["note"], "熔断器");
    let got = crew
        .get(app.url(a["href"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(got.headers()["content-type"], "image/jpeg");
    assert_eq!(got.bytes().await.unwrap().as_ref(), JPEG);
    // Not what it claims to be, not an allowed type, empty, too large: refused, nothing stored.
    for (ct, body, field) in [
        ("image/png", JPEG.to_vec(), "body"),
        ("text/html", b"<script>".to_vec(), "content-type"),
        ("image/jpeg", Vec::new(), "body"),
    ] {
        let r = crew
            .post(&url)
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{ct}");
        assert_eq!(r.json::<Value>().await.unwrap()["field"], field);
    }
    let mut big = JPEG.to_vec();
    big.resize(griddesk_server::BODY_LIMIT + 1, 0);
    let r = crew
        .post(&url)
        .header("content-type", "image/jpeg")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let list: Value = crew
        .get(app.url(&format!("/api/v1/work-orders/{id}/attachments")))
        .json_body()
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    // Another unit's crew sees neither the order nor its photos.
    let other = app.client_as(Role::Crew, "S02").await;
    let r = other
        .get(app.url(a["href"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Orders without the photo: 404 for a wrong pair.
    let r = crew
        .get(app.url(&format!("/api/v1/work-orders/{id}/attachments/999")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn calls_are_routed_by_tier_and_middle_tiers_get_a_callback_within_24_hours() {
    let app = spawn_app().await;
    let gateway = app.client_as(Role::Agent, "C01").await;
    let middle = app
        .customer(|c| {
            c.important_grade == ImportantGrade::None
                && (c.is_high_voltage() || c.institution != Institution::None)
                && !c.contacts.is_empty()
        })
        .clone();
    // Recognised by phone alone: a customer whose phone is theirs only.
    let shares = |p: &str| {
        app.customers
            .iter()
            .filter(|o| {
                o.contacts
                    .iter()
                    .any(|k| k.phones.iter().any(|q| q.to_string() == p))
            })
            .count()
    };
    let own_phone = app
        .customer(|c| !c.contacts.is_empty() && shares(&phone_of(c)) == 1)
        .clone();
    let vip = app
        .customer(|c| c.important_grade != ImportantGrade::None)
        .clone();
    let basic = app.resident().clone();
    let call = |phone: String, no: Option<String>| {
        let gateway = gateway.clone();
        let url = app.url("/api/v1/calls");
        async move {
            let r = gateway
                .post(url)
                .json(&json!({"caller_phone": phone, "customer_no": no}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    // One agent available: the first call goes through and takes them.
    let set = gateway
        .put(app.url("/api/v1/agents/agent01/presence"))
        .json(&json!({"status": "available"}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let d = call(phone_of(&own_phone), None).await;
    assert_eq!(d["decision"], "connect");
    assert_eq!(d["agent"], "agent01");
    assert_eq!(d["customer_no"], own_phone.customer_no.as_str());
    assert_eq!(
        d["tier"],
        griddesk_domain::queue::default_tier(Some(&own_phone))
    );
    // The agent finishes that call and takes the next: a middle-tier customer (IVR input).
    let set = gateway
        .put(app.url("/api/v1/agents/agent01/presence"))
        .json(&json!({"status": "available"}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let no = || Some(middle.customer_no.to_string());
    let d = call(phone_of(&middle), no()).await;
    assert_eq!(d["decision"], "connect");
    assert_eq!(d["customer_no"], middle.customer_no.as_str());
    assert_eq!(d["tier"], 2);
    let agents: Value = app.client.get(app.url("/api/v1/agents")).json_body().await;
    assert_eq!(agents[0]["status"]["code"], "busy");

    // Nobody free now: the middle tier is promised a callback within 24 h...
    let before = jiff::Timestamp::now();
    let d = call(phone_of(&middle), no()).await;
    assert_eq!(d["decision"], "callback");
    let due: jiff::Timestamp = d["callback_due"].as_str().unwrap().parse().unwrap();
    let hours = due.duration_since(before).as_secs_f64() / 3600.0;
    assert!((23.99..=24.01).contains(&hours), "{hours}");
    // ...once: calling again does not schedule a second callback.
    let again = call(phone_of(&middle), no()).await;
    assert_eq!(again["callback_id"], d["callback_id"]);
    // The green channel and basic service wait, the green channel first.
    let d = call(phone_of(&vip), Some(vip.customer_no.to_string())).await;
    assert_eq!(
        (d["decision"].as_str(), d["priority"].as_u64()),
        (Some("wait"), Some(1))
    );
    let d = call(phone_of(&basic), Some(basic.customer_no.to_string())).await;
    assert_eq!(
        (d["decision"].as_str(), d["priority"].as_u64()),
        (Some("wait"), Some(3))
    );

    let open: Value = app
        .client
        .get(app.url("/api/v1/callbacks"))
        .json_body()
        .await;
    assert_eq!(open.as_array().unwrap().len(), 1);
    assert_eq!(open[0]["sla"]["code"], "green");
    assert!(open[0]["phone"].as_str().unwrap().contains("****"));
    let id = open[0]["id"].as_i64().unwrap();
    let r = app
        .client
        .post(app.url(&format!("/api/v1/callbacks/{id}/done")))
        .json(&json!({"note": "已解答客户电费疑问"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let open: Value = app
        .client
        .get(app.url("/api/v1/callbacks"))
        .json_body()
        .await;
    assert!(open.as_array().unwrap().is_empty());
    // The callback is on the customer's timeline.
    let contacts: Value = app
        .client
        .get(app.url(&format!(
            "/api/v1/customers/{}/contacts",
            middle.customer_no
        )))
        .json_body()
        .await;
    assert!(contacts[0]["summary"].as_str().unwrap().contains("已解答"));
    assert_eq!(contacts[0]["inbound"], false);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/callbacks/{id}/done")))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "done once");

    // Bad input names the field; an agent sets only their own presence.
    let r = gateway
        .post(app.url("/api/v1/calls"))
        .json(&json!({"caller_phone": "12"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "caller_phone");
    let s = app.login("agent01").await;
    let r = app
        .anon
        .put(app.url("/api/v1/agents/crew_s01/presence"))
        .header("cookie", &s.cookie)
        .header("x-csrf-token", &s.csrf)
        .json(&json!({"status": "available"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = app
        .anon
        .put(app.url("/api/v1/agents/agent01/presence"))
        .header("cookie", &s.cookie)
        .header("x-csrf-token", &s.csrf)
        .json(&json!({"status": "away"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// The agent's console path through a call: look the caller up, take the order with the form
/// (a resubmitted form is one order), step it, record a complaint, see the boards.
#[tokio::test]
async fn the_console_takes_a_call_from_lookup_to_dispatch() {
    let app = spawn_app().await;
    let s = app.login("agent01").await;
    let c = app.resident().clone();
    let phone = phone_of(&c);
    let (status, html) = {
        let r = app
            .get_in(&s, &format!("/console/workbench/lookup?q={phone}"))
            .await;
        (r.status().as_u16(), r.text().await.unwrap())
    };
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("data-customer=\"{}\"", c.customer_no)),
        "the caller is recognised"
    );
    assert!(
        !html.contains(&phone) || html.contains("name=\"contact_phone\""),
        "phones appear only in the form field"
    );
    let form = [
        ("csrf", s.csrf.as_str()),
        ("idempotency_key", "abc123"),
        ("customer_no", c.customer_no.as_str()),
        ("order_type", "complaint"),
        ("channel", "phone"),
        ("contact_name", "王女士"),
        ("contact_phone", phone.as_str()),
        ("subject", "多次停电未通知"),
        ("description", "本周第三次停电"),
        ("org_unit", ""),
    ];
    let post = |path: &str, f: Vec<(&str, String)>| {
        app.anon
            .post(app.url(path))
            .header("cookie", &s.cookie)
            .form(&f)
            .send()
    };
    fn owned<'a>(f: &[(&'a str, &'a str)]) -> Vec<(&'a str, String)> {
        f.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    }
    let r = post("/console/orders", owned(&form)).await.unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = loc.rsplit('/').next().unwrap().parse().unwrap();
    let r = post("/console/orders", owned(&form)).await.unwrap();
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        loc,
        "the same form twice is one order"
    );
    let o = app.store.work_order(id).await.unwrap().unwrap();
    assert_eq!(o.owner, "staff:agent01", "first-contact ownership");
    assert_eq!(o.status.code(), "accepted");

    // The order page offers the steps the state machine allows now.
    let page = app.get_in(&s, &loc).await.text().await.unwrap();
    assert!(page.contains("data-action=\"dispatch\""));
    assert!(!page.contains("data-action=\"archive\""));
    assert!(page.contains("id=\"complaint\""));
    // A stale version is a conflict page, and nothing changes.
    let r = post(
        &format!("/console/orders/{id}/actions"),
        vec![
            ("csrf", s.csrf.clone()),
            ("version", "99".into()),
            ("action", "dispatch".into()),
            ("org_unit", "S01".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 409);
    assert_eq!(
        app.store
            .work_order(id)
            .await
            .unwrap()
            .unwrap()
            .status
            .code(),
        "accepted"
    );
    let r = post(
        &format!("/console/orders/{id}/actions"),
        vec![
            ("csrf", s.csrf.clone()),
            ("version", o.version.to_string()),
            ("action", "dispatch".into()),
            ("org_unit", "S01".into()),
            ("back", "https://evil.example/".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/console/orders/{id}").as_str(),
        "no open redirect"
    );
    assert_eq!(
        app.store
            .work_order(id)
            .await
            .unwrap()
            .unwrap()
            .status
            .code(),
        "dispatched"
    );
    // Without the CSRF token nothing happens.
    let r = post(
        &format!("/console/orders/{id}/complaint"),
        vec![("cause", "efficiency".into())],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 403);
    let r = post(
        &format!("/console/orders/{id}/complaint"),
        vec![("csrf", s.csrf.clone()), ("cause", "efficiency".into())],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 303);
    let r = post(
        &format!("/console/orders/{id}/complaint"),
        vec![
            ("csrf", s.csrf.clone()),
            ("step", "listen".into()),
            ("note", "耐心倾听".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 303);
    let c2 = app.store.complaint(id).await.unwrap();
    assert_eq!(c2.cause.map(|c| c.code()), Some("efficiency"));
    assert_eq!(c2.steps.len(), 1);

    // The boards: the dispatcher sees it in S01's column; the crew of S01 on its phone view.
    let board = app
        .get_in(&s, "/console/dispatch")
        .await
        .text()
        .await
        .unwrap();
    assert!(board.contains("data-unit=\"S01\""));
    let crew = app.login("crew_s01").await;
    let view = app
        .get_in(&crew, "/console/crew")
        .await
        .text()
        .await
        .unwrap();
    assert!(view.contains(&format!("data-order=\"{id}\"")));
    assert!(view.contains("data-action=\"acknowledge\""));
    // The agent's own queue and the customer's 360 page list it.
    let mine = app
        .get_in(&s, "/console/orders?view=mine")
        .await
        .text()
        .await
        .unwrap();
    assert!(mine.contains(&format!("data-order=\"{id}\"")));
    let c360 = app
        .get_in(&s, &format!("/console/customers/{}", c.customer_no))
        .await
        .text()
        .await
        .unwrap();
    assert!(c360.contains(&format!("/console/orders/{id}")));
    // The ledger page is for supervisors and analysts.
    assert_eq!(app.get_in(&s, "/console/complaints").await.status(), 403);
    let sup = app.login("supervisor01").await;
    let ledger = app.get_in(&sup, "/console/complaints").await;
    assert_eq!(ledger.status(), 200);
    let text = ledger.text().await.unwrap();
    assert!(text.contains("id=\"pareto-chart\""));
    assert!(text.contains(&format!("/console/orders/{id}")));
}

#[tokio::test]
async fn customers_report_faults_in_self_service_and_follow_them() {
    let app = spawn_app().await;
    let c = app.resident().clone();
    let s = app.portal_login(&c.customer_no).await;
    let r = app
        .anon
        .post(app.url("/portal/requests"))
        .header("cookie", &s.cookie)
        .form(&[
            ("csrf", s.csrf.as_str()),
            ("order_type", "fault_repair"),
            ("subject", "家里没电了"),
            ("idempotency_key", "k1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let orders = app
        .store
        .list_work_orders(&griddesk_store::workorder::OrderQuery {
            customer_no: Some(c.customer_no.clone()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].channel.code(), "web");
    assert!(
        !orders[0].deadlines.is_empty(),
        "deadlines from the commitments"
    );
    let page = app
        .get_in(&s, "/portal/account")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("家里没电了"));
    // Business applications are not offered in self-service.
    let r = app
        .anon
        .post(app.url("/portal/requests"))
        .header("cookie", &s.cookie)
        .form(&[
            ("csrf", s.csrf.as_str()),
            ("order_type", "business_application"),
            ("subject", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

/// A server instance on `store` (own id, own lease holder).
fn instance(store: Arc<dyn Store>, lake: &std::path::Path) -> AppState {
    AppState::new(
        store,
        Arc::new(griddesk_lake::Lake::open(lake).expect("lake")),
        test_server_config(),
        Arc::new(griddesk_server::notify::MemoryNotifier::default()),
    )
}

fn agent() -> Actor {
    Actor::Staff {
        login: Code::parse("agent01").unwrap(),
        name: "坐席".into(),
        role: Role::Agent,
        org_unit: Code::parse("C01").unwrap(),
    }
}

async fn repair_order(state: &AppState, subject: &str) -> i64 {
    let r = NewOrderRequest {
        order_type: griddesk_domain::workorder::OrderType::FaultRepair,
        channel: griddesk_domain::workorder::Channel::Phone95598,
        customer_no: None,
        contact_name: "来电客户".into(),
        contact_phone: None,
        subject: subject.into(),
        description: String::new(),
        org_unit: None,
    };
    api_orders::intake(state, &agent(), "test", &r, None)
        .await
        .expect("intake")
        .0
        .id
}

fn hours(h: i64) -> jiff::Timestamp {
    jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(h))
        .unwrap()
}

#[tokio::test]
async fn exactly_one_of_two_instances_sweeps_on_postgres() {
    let Some(db) = crate::support::fresh_postgres_db().await else {
        eprintln!("note: PostgreSQL skipped on purpose (GRIDDESK_TEST_SKIP_POSTGRES=1)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let a: Arc<dyn Store> = Arc::new(
        griddesk_postgres::PostgresStore::connect(&db.url)
            .await
            .unwrap(),
    );
    populate(a.as_ref(), &lake).await;
    let b: Arc<dyn Store> = Arc::new(
        griddesk_postgres::PostgresStore::connect(&db.url)
            .await
            .unwrap(),
    );
    let (ia, ib) = (instance(a, &lake), instance(b, &lake));
    assert_ne!(ia.instance, ib.instance);
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(repair_order(&ia, &format!("停电 {i}")).await);
    }
    let lease = jiff::SignedDuration::from_mins(2);
    // Both tick at the same moments, many times: one of them sweeps every time, the same one
    // while its lease holds, and each deadline is escalated exactly once.
    let mut leaders = std::collections::BTreeSet::new();
    let mut escalated = 0;
    for round in 0..8 {
        let now = hours(3)
            .checked_add(jiff::SignedDuration::from_secs(round * 30))
            .unwrap();
        let (ra, rb) = tokio::join!(
            api_orders::sweep_tick(&ia, now, lease),
            api_orders::sweep_tick(&ib, now, lease)
        );
        match (ra.unwrap(), rb.unwrap()) {
            (Sweep::Swept(n), Sweep::NotLeader) => {
                leaders.insert("a");
                escalated += n;
            }
            (Sweep::NotLeader, Sweep::Swept(n)) => {
                leaders.insert("b");
                escalated += n;
            }
            other => panic!("round {round}: not exactly one sweeper: {other:?}"),
        }
    }
    assert_eq!(leaders.len(), 1, "the lease keeps one leader");
    assert_eq!(escalated, 3);
    for id in &ids {
        let events = ia.store.work_order_events(*id).await.unwrap();
        assert_eq!(events.iter().filter(|e| e.action == "escalate").count(), 1);
    }
    // The leader dies (stops ticking): once its lease has run out the other takes over.
    let follower = if leaders.contains("a") { &ib } else { &ia };
    assert_eq!(
        api_orders::sweep_tick(follower, hours(3), lease)
            .await
            .unwrap(),
        Sweep::NotLeader
    );
    let late = repair_order(follower, "新的停电").await;
    assert_eq!(
        api_orders::sweep_tick(follower, hours(6), lease)
            .await
            .unwrap(),
        Sweep::Swept(1)
    );
    assert_eq!(
        follower
            .store
            .work_order_events(late)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.action == "escalate")
            .count(),
        1
    );
}

async fn restart_keeps_deadlines_and_escalations(
    open: impl AsyncFn() -> Arc<dyn Store>,
    lake: &std::path::Path,
) {
    let first = instance(open().await, lake);
    let id = repair_order(&first, "变压器冒烟").await;
    let before = first.store.work_order(id).await.unwrap().unwrap();
    assert_eq!(
        api_orders::sweep_tick(&first, hours(3), jiff::SignedDuration::from_mins(2))
            .await
            .unwrap(),
        Sweep::Swept(1)
    );
    let escalated = first.store.work_order(id).await.unwrap().unwrap();
    drop(first);
    // A new process on the same database.
    let second = instance(open().await, lake);
    let after = second.store.work_order(id).await.unwrap().unwrap();
    assert_eq!(
        after.deadlines, escalated.deadlines,
        "deadlines and escalations are stored"
    );
    assert_eq!(
        after.deadlines.iter().map(|d| d.due).collect::<Vec<_>>(),
        before.deadlines.iter().map(|d| d.due).collect::<Vec<_>>()
    );
    assert!(after.deadlines[0].escalated_at.is_some());
    // Its sweeper (after the old lease has run out) escalates nothing again.
    assert_eq!(
        api_orders::sweep_tick(&second, hours(4), jiff::SignedDuration::from_mins(2))
            .await
            .unwrap(),
        Sweep::Swept(0)
    );
}

#[tokio::test]
async fn deadlines_and_escalations_survive_a_restart_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("griddesk.db");
    let lake = dir.path().join("lake");
    {
        let s = griddesk_sqlite::SqliteStore::open(&path).await.unwrap();
        populate(&s, &lake).await;
    }
    let open = async || {
        Arc::new(griddesk_sqlite::SqliteStore::open(&path).await.unwrap()) as Arc<dyn Store>
    };
    restart_keeps_deadlines_and_escalations(open, &lake).await;
}

#[tokio::test]
async fn deadlines_and_escalations_survive_a_restart_on_postgres() {
    let Some(db) = crate::support::fresh_postgres_db().await else {
        eprintln!("note: PostgreSQL skipped on purpose (GRIDDESK_TEST_SKIP_POSTGRES=1)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    {
        let s = griddesk_postgres::PostgresStore::connect(&db.url)
            .await
            .unwrap();
        populate(&s, &lake).await;
    }
    let url = db.url.clone();
    let open = async || {
        Arc::new(
            griddesk_postgres::PostgresStore::connect(&url)
                .await
                .unwrap(),
        ) as Arc<dyn Store>
    };
    restart_keeps_deadlines_and_escalations(open, &lake).await;
}
