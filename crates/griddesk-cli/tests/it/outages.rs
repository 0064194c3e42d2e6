//! Outages through the API and the console: dispatchers record them (late notices warned),
//! the affected customers are the ones on the devices switched off, customers and agents see
//! them, repair calls from inside an outage that is out now are merged into it, and restored
//! outages leave the customer's list.

use crate::app::{SendJson, spawn_app};
use griddesk_domain::customer::Connection;
use griddesk_domain::org::Role;
use serde_json::{Value, json};

#[tokio::test]
async fn an_outage_reaches_its_customers_and_merges_their_repair_calls() {
    let app = spawn_app().await;
    let dispatcher = app.client_as(Role::Dispatcher, "C01").await;
    let c = app.resident().clone();
    let Connection::Area { area } = &c.connection else {
        panic!("residents hang on an area");
    };
    let on_area: Vec<String> = app
        .customers
        .iter()
        .filter(|x| matches!(&x.connection, Connection::Area { area: a } if a == area))
        .map(|x| x.customer_no.to_string())
        .collect();
    let outside = app
        .customers
        .iter()
        .find(|x| !on_area.contains(&x.customer_no.to_string()))
        .unwrap()
        .customer_no
        .to_string();
    let url = app.url("/api/v1/outages");
    let start = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(48);
    let body = json!({
        "kind": "planned", "title": "台区变压器检修", "cause": "变压器例行检修",
        "scope": {"areas": [area.as_str()]},
        "start": start.to_string(), "eta": (start + jiff::SignedDuration::from_hours(4)).to_string(),
    });
    // Agents see outages; dispatchers record them.
    assert_eq!(
        app.client
            .post(&url)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let r = dispatcher.post(&url).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let o: Value = r.json().await.unwrap();
    let id = o["id"].as_i64().unwrap();
    assert_eq!(o["affected"], on_area.len() as i64);
    assert_eq!(o["status"]["code"], "planned");
    // Two days ahead: too late for the 7-day public notice, in time for the 24 h ones.
    let late: Vec<&str> = o["late_notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["code"].as_str().unwrap())
        .collect();
    assert_eq!(late, ["public"]);

    // Bad input names the field and records nothing.
    let mut two = body.clone();
    two["scope"] = json!({"areas": [area.as_str()], "feeders": ["F1"]});
    let mut ghost = body.clone();
    ghost["scope"] = json!({"feeders": ["NO-SUCH-FEEDER"]});
    let mut backwards = body.clone();
    backwards["eta"] = json!((start - jiff::SignedDuration::from_hours(1)).to_string());
    for (b, field) in [(two, "scope"), (ghost, "feeder"), (backwards, "eta")] {
        let r = dispatcher.post(&url).json(&b).send().await.unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(r.json::<Value>().await.unwrap()["field"], field);
    }
    let board: Value = app.client.get(&url).json_body().await;
    assert_eq!(board.as_array().unwrap().len(), 1);

    // The customer's three answers: known, back by, why.
    let mine: Value = app
        .client
        .get(app.url(&format!("/api/v1/customers/{}/outages", c.customer_no)))
        .json_body()
        .await;
    assert_eq!(mine[0]["id"], id);
    assert_eq!(mine[0]["out_now"], false);
    assert_eq!(mine[0]["cause"], "变压器例行检修");
    assert!(mine[0]["back_by"].is_string());
    let theirs: Value = app
        .client
        .get(app.url(&format!("/api/v1/customers/{outside}/outages")))
        .json_body()
        .await;
    assert_eq!(theirs, json!([]));

    // Steps with If-Match: notify, start; stale 409; not allowed 422.
    let act = |v: i64, action: &str| {
        dispatcher
            .post(app.url(&format!("/api/v1/outages/{id}/actions")))
            .header("if-match", format!("\"{v}\""))
            .json(&json!({"action": action}))
            .send()
    };
    assert_eq!(act(1, "notify").await.unwrap().status(), 200);
    assert_eq!(act(1, "start").await.unwrap().status(), 409);
    assert_eq!(act(2, "confirm").await.unwrap().status(), 422);
    assert_eq!(act(2, "start").await.unwrap().status(), 200);

    // A repair call from inside the outage joins it instead of sending a crew.
    let call: Value = app
        .client
        .post(app.url("/api/v1/work-orders"))
        .json(&json!({
            "order_type": "fault_repair", "channel": "phone", "customer_no": c.customer_no.as_str(),
            "contact_name": "赵先生", "subject": "家里停电了",
        }))
        .json_body()
        .await;
    assert_eq!(call["status"]["code"], "merged");
    assert_eq!(call["outage"], id.to_string());
    // One from outside is an ordinary repair order.
    let other: Value = app
        .client
        .post(app.url("/api/v1/work-orders"))
        .json(&json!({
            "order_type": "fault_repair", "channel": "phone", "customer_no": outside,
            "contact_name": "钱女士", "subject": "家里停电了",
        }))
        .json_body()
        .await;
    assert_eq!(other["status"]["code"], "accepted");

    // The console shows it to the agent taking the call and on the customer's page.
    let s = app.login("agent01").await;
    let panel = app
        .get_in(
            &s,
            &format!("/console/workbench/lookup?q={}", c.customer_no),
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        panel.contains("id=\"caller-outages\" data-count=\"1\""),
        "{panel}"
    );
    assert!(panel.contains("台区变压器检修") && panel.contains("正在停电"));
    let page = app
        .get_in(&s, &format!("/console/customers/{}", c.customer_no))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"customer-outages\" data-count=\"1\""));

    // The customer sees it in self-service, before calling.
    let me = app.portal_login(&c.customer_no).await;
    let own: Value = app
        .get_in(&me, "/api/v1/self/outages")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own[0]["id"], id);
    assert_eq!(own[0]["out_now"], true);
    let portal = app
        .get_in(&me, "/portal/account")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        portal.contains("id=\"own-outages\" data-count=\"1\""),
        "{portal}"
    );

    // Restored: it leaves the customer's list and the open board, not the history.
    assert_eq!(act(3, "restore").await.unwrap().status(), 200);
    let mine: Value = app
        .client
        .get(app.url(&format!("/api/v1/customers/{}/outages", c.customer_no)))
        .json_body()
        .await;
    assert_eq!(mine, json!([]));
    let board: Value = app.client.get(&url).json_body().await;
    assert_eq!(board, json!([]));
    let one: Value = app
        .client
        .get(app.url(&format!("/api/v1/outages/{id}")))
        .json_body()
        .await;
    let steps: Vec<&str> = one["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["planned", "notified", "started", "restored"]);
    assert!(one["restored_at"].is_string());
}

#[tokio::test]
async fn three_repair_calls_from_one_area_raise_a_suspected_outage() {
    let app = spawn_app().await;
    // The area with the most customers, and a customer somewhere else.
    let mut by_area: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for c in &app.customers {
        if let Connection::Area { area } = &c.connection {
            by_area
                .entry(area.to_string())
                .or_default()
                .push(c.customer_no.to_string());
        }
    }
    let (area, callers) = by_area
        .iter()
        .max_by_key(|(_, v)| v.len())
        .map(|(a, v)| (a.clone(), v.clone()))
        .unwrap();
    assert!(
        callers.len() >= 3,
        "the fixture has an area with three customers"
    );
    let elsewhere = by_area
        .iter()
        .find(|(a, _)| **a != area)
        .map(|(_, v)| v[0].clone())
        .unwrap();
    let call = |no: String| repair_call(&app, no);
    let first = call(callers[0].clone()).await;
    // A call from a neighbouring area in between does not count for this one.
    let neighbour = call(elsewhere).await;
    let second = call(callers[1].clone()).await;
    assert_eq!(
        second["status"]["code"], "accepted",
        "two calls are not an outage yet"
    );
    let third = call(callers[2].clone()).await;
    assert_eq!(third["status"]["code"], "merged");
    let outage_id: i64 = third["outage"].as_str().unwrap().parse().unwrap();
    let o: Value = app
        .client
        .get(app.url(&format!("/api/v1/outages/{outage_id}")))
        .json_body()
        .await;
    assert_eq!(o["kind"]["code"], "fault");
    assert_eq!(o["status"]["code"], "suspected");
    assert_eq!(o["scope_kind"], "areas");
    assert_eq!(o["scope"], json!([area]));
    assert_eq!(o["affected"], callers.len() as i64);
    // The first call stays the one repair order to dispatch; the second joined the outage.
    let status = |id: &Value| {
        let app = &app;
        let id = id.as_i64().unwrap();
        async move {
            app.store
                .work_order(id)
                .await
                .unwrap()
                .unwrap()
                .status
                .code()
        }
    };
    assert_eq!(status(&first["id"]).await, "accepted");
    assert_eq!(status(&second["id"]).await, "merged");
    assert_eq!(status(&neighbour["id"]).await, "accepted");
    // Later calls from the area join the known outage at once.
    let again = call(callers[0].clone()).await;
    assert_eq!(again["status"]["code"], "merged");
    assert_eq!(again["outage"], outage_id.to_string());
    // The agent sees it when one of them calls.
    let mine: Value = app
        .client
        .get(app.url(&format!("/api/v1/customers/{}/outages", callers[1])))
        .json_body()
        .await;
    assert_eq!(mine[0]["out_now"], true);
}

#[tokio::test]
async fn supervisors_record_and_step_outages_on_the_console_board() {
    let app = spawn_app().await;
    let c = app.resident().clone();
    let Connection::Area { area } = &c.connection else {
        panic!("residents hang on an area");
    };
    let sup = app.login("supervisor01").await;
    let r = app
        .post_in(
            &sup,
            "/console/outages",
            &[
                ("kind", "planned"),
                ("title", "配变增容改造"),
                ("cause", "台区配变增容"),
                ("scope_kind", "areas"),
                ("codes", area.as_str()),
                ("start", "2099-01-05T09:00"),
                ("eta", "2099-01-05T17:00"),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = loc.rsplit('/').next().unwrap().parse().unwrap();
    let o = app.store.outage(id).await.unwrap().unwrap();
    // The form's local time is Asia/Shanghai.
    assert_eq!(o.start.to_string(), "2099-01-05T01:00:00Z");
    let page = app.get_in(&sup, &loc).await.text().await.unwrap();
    assert!(page.contains("data-action=\"notify\"") && !page.contains("data-action=\"confirm\""));
    assert!(
        page.contains(&c.customer_no.to_string()),
        "the customers reached are listed"
    );
    let r = app
        .post_in(
            &sup,
            &format!("{loc}/actions"),
            &[("version", "1"), ("action", "notify")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let stale = app
        .post_in(
            &sup,
            &format!("{loc}/actions"),
            &[("version", "1"), ("action", "start")],
        )
        .await;
    assert_eq!(stale.status(), 409);
    assert_eq!(
        app.store.outage(id).await.unwrap().unwrap().status.code(),
        "notified"
    );
    let board = app
        .get_in(&sup, "/console/outages")
        .await
        .text()
        .await
        .unwrap();
    assert!(board.contains(&format!("data-outage=\"{id}\"")) && board.contains("配变增容改造"));
    // Agents see the board but not the form.
    let s = app.login("agent01").await;
    let board = app
        .get_in(&s, "/console/outages")
        .await
        .text()
        .await
        .unwrap();
    assert!(board.contains("配变增容改造") && !board.contains("id=\"new-outage\""));
    let bad = app
        .post_in(
            &sup,
            "/console/outages",
            &[
                ("kind", "planned"),
                ("title", "x"),
                ("cause", "y"),
                ("scope_kind", "areas"),
                ("codes", "NO-SUCH"),
                ("start", "2099-01-05T09:00"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn the_public_notice_shows_grid_outages_and_never_a_customers_disconnection() {
    let app = spawn_app().await;
    let (_, empty) = {
        let r = app
            .anon
            .get(app.url("/notices/outages"))
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    };
    assert!(empty.contains("id=\"no-notices\""));
    let c = app.resident().clone();
    let Connection::Area { area } = &c.connection else {
        panic!("residents hang on an area");
    };
    let dispatcher = app.client_as(Role::Dispatcher, "C01").await;
    let start = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(200)).to_string();
    for (kind, title, scope) in [
        (
            "planned",
            "东风线台区检修",
            json!({"areas": [area.as_str()]}),
        ),
        (
            "arrears",
            "欠费停电执行",
            json!({"customers": [c.customer_no.as_str()]}),
        ),
    ] {
        let r = dispatcher
            .post(app.url("/api/v1/outages"))
            .json(&json!({"kind": kind, "title": title, "cause": "检修", "scope": scope, "start": start}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let r = app
        .anon
        .get(app.url("/notices/outages"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "no login needed");
    let page = r.text().await.unwrap();
    assert!(page.contains("东风线台区检修"));
    assert!(!page.contains("欠费停电执行") && !page.contains(c.customer_no.as_str()));
}

#[tokio::test]
async fn reliability_indices_come_from_restored_outages_of_the_period() {
    use griddesk_domain::outage::{OutageAction, OutageKind, OutageScope, OutageStatus};
    use griddesk_store::outage::{NewOutage, OutageEvent, OutageStep};
    let app = spawn_app().await;
    let c = app.resident().clone();
    let Connection::Area { area } = &c.connection else {
        panic!("residents hang on an area");
    };
    // A fault on 2026-11-10 from 10:00 to 11:30 Shanghai time.
    let start: jiff::Timestamp = "2026-11-10T02:00:00Z".parse().unwrap();
    let o = app
        .store
        .create_outage(&NewOutage {
            kind: OutageKind::Fault,
            title: "台区故障".into(),
            cause: "低压线路断线".into(),
            scope: OutageScope::Areas(vec![area.clone()]),
            start,
            eta: None,
            created_by: "system:test".into(),
            created_at: start,
        })
        .await
        .unwrap();
    let restored = start + jiff::SignedDuration::from_mins(90);
    app.store
        .step_outage(
            o.id,
            &OutageStep {
                expected_version: 1,
                status: OutageStatus::Restored,
                eta: None,
                restored_at: Some(restored),
                event: OutageEvent {
                    at: restored,
                    actor: "system:test".into(),
                    actor_name: "test".into(),
                    action: OutageAction::Restore,
                    status: OutageStatus::Restored,
                    note: None,
                },
                notify: None,
            },
        )
        .await
        .unwrap();
    let served = app.store.stats().await.unwrap().customers as f64;
    let r: Value = app
        .client
        .get(app.url("/api/v1/reliability?from=2026-11-10&to=2026-11-10"))
        .json_body()
        .await;
    let affected = o.affected as f64;
    assert!(affected > 0.0);
    let saidi = affected * 1.5 / served;
    let close = |v: &Value, want: f64| (v.as_f64().unwrap() - want).abs() < 1e-9;
    assert_eq!(r["period_hours"], 24.0);
    assert!(close(&r["all"]["saifi"], affected / served));
    assert!(close(&r["all"]["saidi_hours"], saidi));
    assert!(close(&r["all"]["caidi_hours"], 1.5));
    assert!(close(&r["all"]["asai"], 1.0 - saidi / 24.0));
    assert_eq!(r["unplanned"]["interruptions"], 1);
    assert_eq!(r["planned"]["interruptions"], 0);
    assert_eq!(
        r["commitment_kept"],
        r["all"]["asai"].as_f64().unwrap() >= 0.999
    );
    // By area type: the area's customers are all of its type; the other types had none out.
    let kind = app
        .customers
        .iter()
        .find(|x| x.customer_no == c.customer_no)
        .unwrap()
        .area_type
        .code();
    let of_kind = app
        .customers
        .iter()
        .filter(|x| x.area_type.code() == kind)
        .count() as f64;
    let types = r["by_area_type"].as_array().unwrap();
    let served_sum: u64 = types
        .iter()
        .map(|g| g["customers_served"].as_u64().unwrap())
        .sum();
    assert_eq!(served_sum as f64, served);
    for g in types {
        if g["code"] == kind {
            assert_eq!(g["customers_served"].as_f64().unwrap(), of_kind);
            assert!(close(&g["indices"]["saifi"], affected / of_kind));
            assert!(close(&g["indices"]["caidi_hours"], 1.5));
        } else {
            assert_eq!(g["indices"]["asai"], 1.0, "{g}");
        }
    }
    let units = r["by_unit"].as_array().unwrap();
    let hit: u64 = units
        .iter()
        .map(|g| g["indices"]["customer_interruptions"].as_u64().unwrap())
        .sum();
    assert_eq!(
        hit as f64, affected,
        "every interruption counted once, in its unit"
    );
    assert!(
        units
            .iter()
            .all(|g| !g["name"].as_str().unwrap().is_empty())
    );
    // The next day had no interruption.
    let next: Value = app
        .client
        .get(app.url("/api/v1/reliability?from=2026-11-11&to=2026-11-11"))
        .json_body()
        .await;
    assert_eq!(next["all"]["asai"], 1.0);
    let bad = app
        .client
        .get(app.url("/api/v1/reliability?from=2026-11-11&to=2026-11-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn arrears_disconnections_wait_for_the_notice_and_end_on_payment() {
    let app = spawn_app().await;
    let dispatcher = app.client_as(Role::Dispatcher, "C01").await;
    let c = app.resident().clone();
    let now = jiff::Timestamp::now();
    let days_ago = |d: i64| (now - jiff::SignedDuration::from_hours(24 * d)).to_string();
    let url = app.url("/api/v1/arrears-disconnections");
    let body = |served: String| json!({"customer_no": c.customer_no.as_str(), "notice_served_at": served, "reason": "欠费三个月"});
    // Six days after the notice is too early; agents cannot disconnect at all.
    let r = dispatcher
        .post(&url)
        .json(&body(days_ago(6)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json::<Value>().await.unwrap()["field"],
        "notice_served_at"
    );
    assert_eq!(
        app.client
            .post(&url)
            .json(&body(days_ago(8)))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let r = dispatcher
        .post(&url)
        .json(&body(days_ago(8)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let o: Value = r.json().await.unwrap();
    assert_eq!(
        (o["kind"]["code"].as_str(), o["status"]["code"].as_str()),
        (Some("arrears"), Some("started"))
    );
    assert_eq!(o["affected"], 1);
    // Once is enough.
    assert_eq!(
        dispatcher
            .post(&url)
            .json(&body(days_ago(8)))
            .send()
            .await
            .unwrap()
            .status(),
        422
    );
    // The agent sees it; the board shows it apart from grid outages.
    let mine: Value = app
        .client
        .get(app.url(&format!("/api/v1/customers/{}/outages", c.customer_no)))
        .json_body()
        .await;
    assert_eq!(mine[0]["kind"]["code"], "arrears");
    let sup = app.login("supervisor01").await;
    let board = app
        .get_in(&sup, "/console/outages")
        .await
        .text()
        .await
        .unwrap();
    let arrears = &board[board.find("id=\"arrears-outages\"").expect("arrears table")..];
    assert!(arrears.contains(&format!("data-outage=\"{}\"", o["id"])));
    // Paid: restored at once; a second restore finds nothing to restore.
    let restore = app.url(&format!(
        "/api/v1/arrears-disconnections/{}/restore",
        c.customer_no
    ));
    let r = dispatcher.post(&restore).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap()["status"]["code"],
        "restored"
    );
    assert_eq!(
        dispatcher.post(&restore).send().await.unwrap().status(),
        404
    );
}

#[tokio::test]
async fn a_feeder_suspicion_takes_in_the_suspected_area_outage_on_that_feeder() {
    use griddesk_domain::outage::OutageStatus;
    let app = spawn_app().await;
    // A feeder-direct customer and an area on the same feeder.
    let mut pick = None;
    for h in &app.customers {
        let Connection::Feeder { feeder, .. } = &h.connection else {
            continue;
        };
        for c in &app.customers {
            if let Connection::Area { area } = &c.connection {
                let ac = app.store.area_customers(area).await.unwrap().unwrap();
                if &ac.area.feeder == feeder && ac.customers.len() >= 2 {
                    pick = Some((h.customer_no.to_string(), ac, feeder.clone()));
                    break;
                }
            }
        }
        if pick.is_some() {
            break;
        }
    }
    let (direct, ac, feeder) = pick.expect("the fixture has an area and a customer on one feeder");
    let call = |no: String| {
        let app = &app;
        async move { repair_call(app, no).await["id"].as_i64().unwrap() }
    };
    // Inference on two calls, so that the fixture's places are enough.
    let mut config = (*app.state.config).clone();
    config.inference.min_calls = 2;
    let eager = griddesk_server::AppState::new(
        app.store.clone(),
        app.state.lake.clone(),
        config,
        app.notifier.clone(),
    );
    let infer = |id: i64| {
        let eager = &eager;
        async move {
            let o = eager.store.work_order(id).await.unwrap().unwrap();
            griddesk_server::api_outages::infer_from_calls(eager, "127.0.0.1", o)
                .await
                .unwrap()
        }
    };
    let first = call(ac.customers[0].customer_no.to_string()).await;
    let second = call(ac.customers[1].customer_no.to_string()).await;
    let merged = infer(second).await;
    let area_outage: i64 = merged
        .outage
        .expect("merged into the area outage")
        .parse()
        .unwrap();
    assert_eq!(
        app.store.outage(area_outage).await.unwrap().unwrap().scope,
        griddesk_domain::outage::OutageScope::Areas(vec![ac.area.code.clone()])
    );
    // A call from elsewhere on the feeder: one event on the feeder, not a second outage.
    let third = call(direct).await;
    let merged = infer(third).await;
    let feeder_outage: i64 = merged
        .outage
        .expect("merged into the feeder outage")
        .parse()
        .unwrap();
    assert_ne!(feeder_outage, area_outage);
    let f = app.store.outage(feeder_outage).await.unwrap().unwrap();
    let a = app.store.outage(area_outage).await.unwrap().unwrap();
    assert_eq!(
        f.scope,
        griddesk_domain::outage::OutageScope::Feeders(vec![feeder])
    );
    assert_eq!(f.start, a.start, "the event counts from its first symptom");
    assert_eq!(a.status, OutageStatus::Cancelled);
    let events = app.store.outage_events(area_outage).await.unwrap();
    assert_eq!(
        events.last().unwrap().note.as_deref(),
        Some(format!("并入线路停电 #{feeder_outage}").as_str())
    );
    let open: Vec<i64> = app
        .store
        .outages(false, 10)
        .await
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    assert_eq!(open, [feeder_outage], "one open outage for the one event");
    // The first call stays the one repair order to dispatch.
    let w = app.store.work_order(first).await.unwrap().unwrap();
    assert_eq!(w.status.code(), "accepted");
}

/// A repair call taken by the agent for customer `no`; the order as the API answers.
async fn repair_call(app: &crate::app::TestApp, no: String) -> Value {
    app.client
        .post(app.url("/api/v1/work-orders"))
        .json(&json!({
            "order_type": "fault_repair", "channel": "phone", "customer_no": no,
            "contact_name": "报修人", "subject": "停电了",
        }))
        .json_body()
        .await
}

/// The counts a tree node's `li` shows: (customers reached, out now).
fn node_counts(html: &str, node: &str) -> (i64, i64) {
    let at = html
        .find(&format!(r#"data-node="{node}""#))
        .unwrap_or_else(|| panic!("no node {node} in {html}"));
    let li = &html[at..at + html[at..].find("</li>").expect("end of the node")];
    let badge = |class: &str| {
        li.find(class).map_or(0, |i| {
            let rest = &li[i..];
            let from = rest.find('>').unwrap() + 1;
            rest[from..from + rest[from..].find('<').unwrap()]
                .parse()
                .unwrap()
        })
    };
    (badge("tree-customers"), badge("tree-out"))
}

#[tokio::test]
async fn the_topology_tree_drills_down_with_counts_and_filters_the_board() {
    let app = spawn_app().await;
    let dispatcher = app.client_as(Role::Dispatcher, "C01").await;
    let record = |kind: &str, scope: Value| {
        let start = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(200);
        dispatcher
            .post(app.url("/api/v1/outages"))
            .json(
                &json!({"kind": kind, "title": format!("{kind}停电"), "cause": "测试",
                          "scope": scope, "start": start.to_string()}),
            )
            .json_body()
    };
    // Announced on the rural area TA-001 (12 customers); a fault on its feeder F-A1, out now
    // (the same 12 and the factory straight on the feeder; the hospital keeps its backup
    // F-A2); one shop of TA-002 on F-A2 about to be disconnected for arrears.
    let planned = record("planned", json!({"areas": ["TA-001"]})).await;
    let fault = record("fault", json!({"feeders": ["F-A1"]})).await;
    let arrears = record("arrears", json!({"customers": ["0100000013"]})).await;
    assert_eq!(
        (planned["affected"].as_i64(), fault["affected"].as_i64()),
        (Some(12), Some(13))
    );

    let s = app.login("agent01").await;
    let board = app
        .get_in(&s, "/console/outages")
        .await
        .text()
        .await
        .unwrap();
    assert!(board.contains(r#"id="outage-tree""#));
    // 14 customers under the substation (the 12 counted once), 13 of them out now.
    assert_eq!(node_counts(&board, "substation=SUB-A"), (14, 13));
    assert!(board.contains(r#"hx-get="/console/outages/tree?substation=SUB-A""#));
    // Only the root level is rendered; the rest loads on demand.
    assert!(!board.contains(r#"data-node="feeder=F-A1""#));

    let tree = |q: &str| {
        let url = format!("/console/outages/tree?{q}");
        let s = s.clone();
        let app = &app;
        async move {
            let r = app.get_in(&s, &url).await;
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, feeders) = tree("substation=SUB-A").await;
    assert_eq!(status, 200);
    assert!(!feeders.contains("<html"), "a fragment, not a page");
    assert_eq!(node_counts(&feeders, "feeder=F-A1"), (13, 13));
    assert_eq!(node_counts(&feeders, "feeder=F-A2"), (1, 0));
    assert!(feeders.find("feeder=F-A1").unwrap() < feeders.find("feeder=F-A2").unwrap());
    let (_, areas) = tree("feeder=F-A1").await;
    assert_eq!(node_counts(&areas, "area=TA-001"), (12, 12));
    // The factory, straight on the feeder, comes last and filters by the feeder.
    let direct = areas.rfind("data-node=").unwrap();
    assert!(
        areas[direct..].starts_with(r#"data-node="feeder=F-A1""#),
        "{areas}"
    );
    assert!(areas.contains("线路直供客户") && !areas.contains("hx-get"));
    for (q, field) in [
        ("feeder=F%20A", "feeder"),
        ("feeder=F-A1&area=TA-001", "feeder"),
    ] {
        let (status, body) = tree(q).await;
        assert_eq!(status, 400, "{q}");
        assert!(body.contains(field), "{body}");
    }

    // A node's link filters the board to the outages reaching a customer under it.
    let ids = |html: &str, table: &str| -> Vec<i64> {
        let Some(at) = html.find(&format!(r#"id="{table}""#)) else {
            return Vec::new();
        };
        let t = &html[at..at + html[at..].find("</table>").unwrap()];
        t.split(r#"data-outage=""#)
            .skip(1)
            .map(|x| x[..x.find('"').unwrap()].parse().unwrap())
            .collect()
    };
    let id = |v: &Value| v["id"].as_i64().unwrap();
    let on = |q: &str| {
        let s = s.clone();
        let app = &app;
        let url = format!("/console/outages?{q}");
        async move { app.get_in(&s, &url).await.text().await.unwrap() }
    };
    let page = on("area=TA-001").await;
    assert!(page.contains(r#"id="board-filter""#));
    let mut got = ids(&page, "open-outages");
    got.sort_unstable();
    assert_eq!(got, [id(&planned), id(&fault)]);
    assert!(ids(&page, "arrears-outages").is_empty());
    let page = on("feeder=F-A2").await;
    assert!(ids(&page, "open-outages").is_empty());
    assert_eq!(ids(&page, "arrears-outages"), [id(&arrears)]);
    let mut all = ids(&on("substation=SUB-A").await, "open-outages");
    all.extend(ids(&on("substation=SUB-A").await, "arrears-outages"));
    assert_eq!(all.len(), 3);

    // Restored, the fault no longer counts.
    let r = dispatcher
        .post(app.url(&format!("/api/v1/outages/{}/actions", id(&fault))))
        .header("if-match", "\"1\"")
        .json(&json!({"action": "restore"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let board = app
        .get_in(&s, "/console/outages")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(node_counts(&board, "substation=SUB-A"), (13, 0));
}

/// An SQLite archive of the release before calls kept their place (schema version 39) with a
/// repair call open: the upgrade fills in where its customer hangs, so the call still counts
/// towards a suspicion on its feeder.
#[tokio::test]
async fn a_repair_call_taken_before_the_upgrade_keeps_counting_on_its_feeder() {
    use griddesk_store::outage::OutageStore;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("griddesk.db");
    let old = griddesk_sqlite::SqliteStore::open_at_version(&path, 39)
        .await
        .unwrap();
    griddesk_store::conformance::fixtures::load(&old).await;
    let c = griddesk_store::conformance::fixtures::customers()
        .into_iter()
        .find(|c| matches!(c.connection, Connection::Area { .. }))
        .unwrap();
    let Connection::Area { area } = &c.connection else {
        unreachable!()
    };
    let now = jiff::Timestamp::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO work_order (order_type, channel, status, customer_no, contact_name, \
         subject, description, owner, owner_name, tier, accepted_us) \
         VALUES ('fault_repair', 'phone', 'accepted', ?1, '报修人', '停电', '', \
         'staff:zhangli', '张丽', 3, ?2) RETURNING id",
    )
    .bind(c.customer_no.as_str())
    .bind(now.as_microsecond())
    .fetch_one(old.pool())
    .await
    .unwrap();
    let feeder: String = sqlx::query_scalar("SELECT feeder FROM transformer_area WHERE code = ?1")
        .bind(area.as_str())
        .fetch_one(old.pool())
        .await
        .unwrap();
    old.close().await;

    let store = griddesk_sqlite::SqliteStore::open(&path).await.unwrap();
    let since = now - jiff::SignedDuration::from_mins(15);
    let near = store.repair_calls_near(id, since).await.unwrap();
    assert_eq!(near.len(), 1);
    assert_eq!(near[0].order_id, id);
    assert_eq!(near[0].feeder.as_str(), feeder);
    assert_eq!(near[0].area.as_ref(), Some(area));
}
