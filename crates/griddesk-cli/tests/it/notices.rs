//! Outage notices end to end (D3): announcing and restoring an outage queue one message per
//! affected customer with an address and tasks for key customers; the outbox dispatcher
//! delivers through the log file, a webhook SMS gateway and SMTP, retries with backoff, gives
//! up on refusals, and after a crash resends under the same key so nothing reaches a customer
//! twice and nothing is lost.

use crate::app::{SendJson, TestApp, spawn_app};
use griddesk_domain::customer::{ImportantGrade, Institution};
use griddesk_domain::notice::{DeliveryStatus, NoticeChannel, NoticePurpose};
use griddesk_domain::org::Role;
use griddesk_server::AppState;
use griddesk_server::notify::{LogFileNotifier, Notifier, SmtpNotifier, WebhookNotifier};
use griddesk_server::outbox::dispatch_round;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Records a planned outage over every fixture customer and announces it; returns its id.
async fn announced_outage(app: &TestApp) -> i64 {
    let dispatcher = app.client_as(Role::Dispatcher, "C01").await;
    let start = Timestamp::now() + SignedDuration::from_hours(24 * 8);
    let all: Vec<String> = app
        .customers
        .iter()
        .map(|c| c.customer_no.to_string())
        .collect();
    let o: Value = dispatcher
        .post(app.url("/api/v1/outages"))
        .json(&json!({
            "kind": "planned", "title": "10kV线路检修", "cause": "设备检修",
            "scope": {"customers": all},
            "start": start.to_string(),
            "eta": (start + SignedDuration::from_hours(4)).to_string(),
        }))
        .json_body()
        .await;
    let id = o["id"].as_i64().unwrap();
    let r = dispatcher
        .post(app.url(&format!("/api/v1/outages/{id}/actions")))
        .header("if-match", "\"1\"")
        .json(&json!({"action": "notify"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    id
}

fn with_phone(app: &TestApp) -> usize {
    app.customers
        .iter()
        .filter(|c| c.primary_phone().is_some())
        .count()
}

fn with_email(app: &TestApp) -> usize {
    app.customers
        .iter()
        .filter(|c| c.contacts.first().and_then(|k| k.email.as_ref()).is_some())
        .count()
}

fn key_customers(app: &TestApp) -> usize {
    app.customers
        .iter()
        .filter(|c| {
            c.important_grade != ImportantGrade::None
                || c.is_high_voltage()
                || c.institution != Institution::None
        })
        .count()
}

/// A second server instance on the same database, delivering through `sms` (and `mail`).
fn instance(app: &TestApp, sms: Arc<dyn Notifier>, mail: Option<Arc<dyn Notifier>>) -> AppState {
    let mut s = AppState::new(
        app.store.clone(),
        app.state.lake.clone(),
        (*app.state.config).clone(),
        sms.clone(),
    );
    if let Some(m) = mail {
        s = s.with_mailer(m);
    }
    s
}

fn lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test]
async fn announcing_queues_notices_and_tasks_and_restoring_tells_again() {
    let app = spawn_app().await;
    let id = announced_outage(&app).await;
    let (phones, emails, key) = (with_phone(&app), with_email(&app), key_customers(&app));
    assert!(phones > 0 && emails > 0 && key > 0);

    let v: Value = app
        .client
        .get(app.url(&format!("/api/v1/outages/{id}/notices")))
        .json_body()
        .await;
    let count = |purpose: &str, channel: &str| -> i64 {
        v["counts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["purpose"]["code"] == purpose && c["channel"]["code"] == channel)
            .map(|c| c["count"].as_i64().unwrap())
            .sum()
    };
    assert_eq!(count("announced", "sms"), phones as i64);
    assert_eq!(count("announced", "email"), emails as i64);
    let recipients = v["recipients"].as_array().unwrap();
    assert!(recipients.iter().all(|r| r["status"]["code"] == "pending"));
    assert!(
        recipients
            .iter()
            .all(|r| r["recipient"].as_str().unwrap().contains("***")),
        "recipients are masked: {recipients:?}"
    );
    let tasks = v["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), key);
    assert!(tasks.iter().all(|t| t["kind"]["code"] == "personal_notice"));
    // Due 24 h before the start, i.e. about 7 days from now.
    let due: Timestamp = tasks[0]["due"].as_str().unwrap().parse().unwrap();
    let ahead = due.duration_since(Timestamp::now()).as_hours();
    assert!((166..=168).contains(&ahead), "{ahead} h");

    // The customer manager records the personal notice once.
    let manager = app.client_as(Role::CustomerManager, "C01").await;
    let task = tasks[0]["id"].as_i64().unwrap();
    let done = |body: Value| {
        manager
            .post(app.url(&format!("/api/v1/outage-tasks/{task}/done")))
            .json(&body)
            .send()
    };
    let r = done(json!({"method": "fax"})).await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "method");
    let r = done(json!({"method": "phone", "acknowledged_by": "王主任", "note": "已备自备电源"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let t: Value = r.json().await.unwrap();
    assert_eq!(t["method"]["code"], "phone");
    assert_eq!(t["acknowledged_by"], "王主任");
    assert!(t["done_at"].is_string());
    assert_eq!(
        done(json!({"method": "visit"})).await.unwrap().status(),
        422
    );
    let open: Value = manager
        .get(app.url("/api/v1/outage-tasks"))
        .json_body()
        .await;
    assert_eq!(open.as_array().unwrap().len(), key - 1);
    let other = tasks[1]["id"].as_i64().unwrap();
    assert_eq!(
        app.client
            .post(app.url(&format!("/api/v1/outage-tasks/{other}/done")))
            .json(&json!({"method": "phone"}))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "agents work on orders and contacts too"
    );

    // Start, restore: restoration notices and daytime callbacks.
    let dispatcher = app.client_as(Role::Dispatcher, "C01").await;
    for (v, action) in [(2, "start"), (3, "restore")] {
        let r = dispatcher
            .post(app.url(&format!("/api/v1/outages/{id}/actions")))
            .header("if-match", format!("\"{v}\""))
            .json(&json!({"action": action}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{action}");
    }
    let v: Value = app
        .client
        .get(app.url(&format!("/api/v1/outages/{id}/notices")))
        .json_body()
        .await;
    let restored = v["counts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["purpose"]["code"] == "restored")
        .map(|c| c["count"].as_i64().unwrap())
        .sum::<i64>();
    assert_eq!(restored, (phones + emails) as i64);
    let callbacks: Vec<&Value> = v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"]["code"] == "callback")
        .collect();
    assert_eq!(callbacks.len(), key);
    for c in callbacks {
        let due: Timestamp = c["due"].as_str().unwrap().parse().unwrap();
        let hour = due
            .to_zoned(griddesk_server::time::shanghai().clone())
            .hour();
        assert!((8..21).contains(&hour), "callback at {hour}:00 is at night");
    }
    assert_eq!(
        app.client
            .get(app.url("/api/v1/outages/999999/notices"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn customers_told_hear_of_each_new_restoration_time_and_of_a_cancellation() {
    let app = spawn_app().await;
    let id = announced_outage(&app).await;
    let (phones, emails) = (with_phone(&app) as i64, with_email(&app) as i64);
    let dispatcher = app.client_as(Role::Dispatcher, "C01").await;
    let step = |id: i64, version: i64, body: Value| {
        dispatcher
            .post(app.url(&format!("/api/v1/outages/{id}/actions")))
            .header("if-match", format!("\"{version}\""))
            .json(&body)
            .send()
    };
    let counted = |id: i64, purpose: &'static str| {
        let store = app.store.clone();
        async move {
            store
                .notice_counts(id)
                .await
                .unwrap()
                .iter()
                .filter(|c| c.purpose.code() == purpose)
                .map(|c| c.count)
                .sum::<i64>()
        }
    };
    let later = Timestamp::now() + SignedDuration::from_hours(24 * 8 + 6);
    let r = step(id, 2, json!({"action": "reschedule"})).await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "eta");
    let r = step(
        id,
        2,
        json!({"action": "reschedule", "eta": later.to_string()}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let o: Value = r.json().await.unwrap();
    assert_eq!(
        (o["status"]["code"].as_str(), o["version"].as_i64()),
        (Some("notified"), Some(3))
    );
    assert_eq!(counted(id, "eta_changed").await, phones + emails);
    // The same step again is stale; the same time again is no news.
    let r = step(
        id,
        2,
        json!({"action": "reschedule", "eta": later.to_string()}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 409);
    let r = step(
        id,
        3,
        json!({"action": "reschedule", "eta": later.to_string()}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(counted(id, "eta_changed").await, phones + emails);
    // A second new time is a second message to each.
    let later_still = later + SignedDuration::from_hours(2);
    let r = step(
        id,
        4,
        json!({"action": "reschedule", "eta": later_still.to_string()}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(counted(id, "eta_changed").await, 2 * (phones + emails));
    let now = Timestamp::now();
    let claimed = app
        .store
        .claim_notices("test", now, now + SignedDuration::from_mins(5), 10_000)
        .await
        .unwrap();
    let local = |t: Timestamp| {
        t.to_zoned(griddesk_server::time::shanghai().clone())
            .strftime("%m月%d日%H:%M")
            .to_string()
    };
    for t in [later, later_still] {
        let told = claimed
            .iter()
            .filter(|n| n.body.contains(&format!("调整为{}", local(t))))
            .count() as i64;
        assert_eq!(told, phones + emails, "{}", local(t));
    }

    // Called off: everyone told hears so; an outage nobody was told of tells nobody.
    let r = step(id, 5, json!({"action": "cancel"})).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(counted(id, "cancelled").await, phones + emails);
    let start = Timestamp::now() + SignedDuration::from_hours(24 * 9);
    let quiet: Value = dispatcher
        .post(app.url("/api/v1/outages"))
        .json(&json!({
            "kind": "planned", "title": "10kV线路检修", "cause": "设备检修",
            "scope": {"customers": [app.customers[0].customer_no.to_string()]},
            "start": start.to_string(),
        }))
        .json_body()
        .await;
    let quiet = quiet["id"].as_i64().unwrap();
    let r = step(
        quiet,
        1,
        json!({"action": "reschedule", "eta": later.to_string()}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let r = step(quiet, 2, json!({"action": "cancel"})).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(app.store.notice_counts(quiet).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_crash_between_send_and_record_neither_duplicates_nor_loses_a_notice() {
    let app = spawn_app().await;
    let id = announced_outage(&app).await;
    let expected = with_phone(&app) + with_email(&app);
    let log = tempfile::tempdir().unwrap();
    let path = log.path().join("notifications.log");

    // A dispatcher claims everything, delivers three messages, and dies before recording them.
    let now = Timestamp::now();
    let lease = app.state.config.retry.lease_until(now);
    let claimed = app
        .store
        .claim_notices("dead", now, lease, 1000)
        .await
        .unwrap();
    assert_eq!(claimed.len(), expected);
    let before_crash = LogFileNotifier::new(path.clone());
    for n in &claimed[..3] {
        let note = griddesk_server::outbox::notification(n, now);
        before_crash.send(&note).await.unwrap();
    }
    drop(before_crash);

    // A restarted instance finds nothing due while the dead one's lease runs...
    let restarted = instance(&app, Arc::new(LogFileNotifier::new(path.clone())), None);
    let r = dispatch_round(&restarted, now + SignedDuration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(r.attempted(), 0);
    // ...and delivers everything once it has run out.
    let after = lease + SignedDuration::from_secs(1);
    let r = dispatch_round(&restarted, after).await.unwrap();
    assert_eq!((r.sent, r.retried, r.failed), (expected, 0, 0));
    assert_eq!(
        dispatch_round(&restarted, after).await.unwrap().attempted(),
        0
    );

    let written = lines(&path);
    assert_eq!(written.len(), expected, "one line per message");
    let mut keys: Vec<&str> = written.iter().map(|l| l["key"].as_str().unwrap()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), expected, "no key twice");
    let counts = app.store.notice_counts(id).await.unwrap();
    assert!(counts.iter().all(|c| c.status == DeliveryStatus::Sent));
    assert_eq!(
        counts.iter().map(|c| c.count).sum::<i64>() as usize,
        expected
    );
    let rows = app.store.notices(id, 1000).await.unwrap();
    for n in &claimed[..3] {
        let row = rows.iter().find(|r| r.id == n.id).unwrap();
        assert_eq!(row.attempts, 2, "resent once, after the crash");
    }
}

/// An SMS gateway stand-in: answers the queued statuses in turn (then 200), remembering the
/// idempotency key of every request.
async fn gateway(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<(String, Value)>>>) {
    use axum::http::StatusCode;
    let seen: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let queue = Arc::new(Mutex::new(statuses.into_iter()));
    let (s, q) = (seen.clone(), queue.clone());
    let app = axum::Router::new().route(
        "/sms",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, axum::Json(body): axum::Json<Value>| {
                let (s, q) = (s.clone(), q.clone());
                async move {
                    let key = headers
                        .get("idempotency-key")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    s.lock().unwrap().push((key, body));
                    let code = q.lock().unwrap().next().unwrap_or(200);
                    StatusCode::from_u16(code).unwrap()
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

/// The smallest SMTP server lettre can talk to: accepts every message and keeps its data.
async fn smtp_sink() -> (String, Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let g = got.clone();
    tokio::spawn(async move {
        loop {
            let (sock, _) = listener.accept().await.unwrap();
            let g = g.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut r = BufReader::new(r);
                w.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut line = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let cmd = line.trim_end().to_ascii_uppercase();
                    let answer: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if cmd == "DATA" {
                        w.write_all(b"354 go on\r\n").await.unwrap();
                        let mut data = String::new();
                        loop {
                            line.clear();
                            r.read_line(&mut line).await.unwrap();
                            if line == ".\r\n" {
                                break;
                            }
                            data.push_str(&line);
                        }
                        g.lock().unwrap().push(data);
                        b"250 queued\r\n"
                    } else if cmd == "QUIT" {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    w.write_all(answer).await.unwrap();
                }
            });
        }
    });
    (url, got)
}

#[tokio::test]
async fn webhook_and_smtp_channels_retry_with_backoff_and_give_up_on_refusals() {
    let app = spawn_app().await;
    let id = announced_outage(&app).await;
    let phones = with_phone(&app);
    let emails = with_email(&app);
    // The gateway is down for the first message, refuses the second for good, takes the rest.
    let (url, seen) = gateway(vec![503, 400]).await;
    let (smtp, mails) = smtp_sink().await;
    let state = instance(
        &app,
        Arc::new(WebhookNotifier::new(url).unwrap()),
        Some(Arc::new(
            SmtpNotifier::new(&smtp, "95598@griddesk.example.cn").unwrap(),
        )),
    );
    let now = Timestamp::now();
    let r = dispatch_round(&state, now).await.unwrap();
    assert_eq!(
        (r.sent, r.retried, r.failed),
        (phones + emails - 2, 1, 1),
        "{r:?}"
    );
    // Not again before the backoff has passed; then the same key once more.
    let first_wait = SignedDuration::from_secs(state.config.retry.first_backoff_secs);
    let r = dispatch_round(&state, now + first_wait - SignedDuration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(r.attempted(), 0);
    let r = dispatch_round(&state, now + first_wait + SignedDuration::from_secs(1))
        .await
        .unwrap();
    assert_eq!((r.sent, r.retried, r.failed), (1, 0, 0));

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), phones + 1);
    assert_eq!(
        seen[0].0,
        seen[seen.len() - 1].0,
        "the retry carries the same key"
    );
    assert!(
        seen.iter()
            .all(|(k, b)| b["key"] == *k && b["channel"] == "sms")
    );
    assert!(seen[0].1["text"].as_str().unwrap().contains("设备检修"));
    let mut per_key: BTreeMap<&str, usize> = BTreeMap::new();
    for (k, _) in &seen {
        *per_key.entry(k).or_default() += 1;
    }
    assert_eq!(per_key.len(), phones);

    let mails = mails.lock().unwrap().clone();
    assert_eq!(mails.len(), emails);
    assert!(
        mails
            .iter()
            .all(|m| m.contains("Message-ID: <griddesk-notice-")
                && m.contains("From: 95598@griddesk.example.cn")),
        "{mails:?}"
    );

    let rows = app.store.notices(id, 1000).await.unwrap();
    let failed: Vec<_> = rows
        .iter()
        .filter(|r| r.status == DeliveryStatus::Failed)
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].error.as_deref().unwrap().contains("400"));
    assert_eq!(failed[0].channel, NoticeChannel::Sms);
    assert!(
        rows.iter()
            .all(|r| r.purpose == NoticePurpose::Announced && r.status != DeliveryStatus::Pending)
    );
    // The outage page of the API shows the failure first.
    let v: Value = app
        .client
        .get(app.url(&format!("/api/v1/outages/{id}/notices")))
        .json_body()
        .await;
    assert_eq!(v["recipients"][0]["status"]["code"], "failed");
}

#[tokio::test]
async fn the_outage_page_shows_notification_status_and_records_personal_notices() {
    let app = spawn_app().await;
    let id = announced_outage(&app).await;
    let sup = app.login("supervisor01").await;
    let loc = format!("/console/outages/{id}");
    let page = app.get_in(&sup, &loc).await.text().await.unwrap();
    assert!(page.contains("id=\"outage-notices\"") && page.contains("data-status=\"pending\""));
    assert!(page.contains("通知发送情况") && page.contains("停电预告"));
    let tasks = app.store.outage_tasks(id).await.unwrap();
    let t = &tasks[0];
    assert!(page.contains(&format!("action=\"/console/outage-tasks/{}/done\"", t.id)));
    let r = app
        .post_in(
            &sup,
            &format!("/console/outage-tasks/{}/done", t.id),
            &[
                ("method", "visit"),
                ("acknowledged_by", "李科长"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], loc.as_str());
    let done = app.store.outage_tasks(id).await.unwrap();
    let d = done
        .iter()
        .find(|x| x.id == t.id)
        .unwrap()
        .done
        .clone()
        .unwrap();
    assert_eq!(d.by, "staff:supervisor01");
    assert_eq!(d.acknowledged_by.as_deref(), Some("李科长"));
    assert_eq!(d.note, None, "a blank note is no note");
    let page = app.get_in(&sup, &loc).await.text().await.unwrap();
    assert!(page.contains("李科长") && page.contains("上门"));
    // Failures show with their reason after a round through a refusing gateway.
    let (url, _) = gateway(vec![400]).await;
    let state = instance(&app, Arc::new(WebhookNotifier::new(url).unwrap()), None);
    dispatch_round(&state, Timestamp::now()).await.unwrap();
    let page = app.get_in(&sup, &loc).await.text().await.unwrap();
    assert!(page.contains("发送失败") && page.contains("webhook answered 400"));
}

#[tokio::test]
async fn an_orderly_use_plan_sheds_in_order_keeps_security_load_and_is_issued_as_an_outage() {
    let app = spawn_app().await;
    let dispatcher = app.client_as(Role::Dispatcher, "C01").await;
    let hospital = app
        .customer(|c| c.important_grade != ImportantGrade::None)
        .customer_no
        .to_string();
    let factory = app
        .customer(|c| c.is_high_voltage() && c.important_grade == ImportantGrade::None)
        .customer_no
        .to_string();
    let home = app.resident().customer_no.to_string();
    let start = Timestamp::now() + SignedDuration::from_hours(48);
    let body = |issue: bool| {
        json!({
            "target_mw": "1", "start": start.to_string(),
            "end": (start + SignedDuration::from_hours(3)).to_string(),
            "issue": issue,
            "candidates": [
                {"customer_no": hospital, "sequence": 1, "expected_load_kw": "1200",
                 "security_load_kw": "400", "shift_peak_kw": "100", "limit_kw": "700",
                 "can_disconnect": true},
                {"customer_no": factory, "sequence": 2, "expected_load_kw": "800",
                 "shift_peak_kw": "300", "avoid_peak_kw": "200", "limit_kw": "250",
                 "can_disconnect": true},
                {"customer_no": home, "sequence": 1, "expected_load_kw": "10",
                 "shift_peak_kw": "2", "limit_kw": "5", "can_disconnect": true},
            ]
        })
    };
    let url = app.url("/api/v1/orderly-plans");
    let p: Value = dispatcher.post(&url).json(&body(false)).json_body().await;
    // By hand: shift peak 2 + 300 + 100 (the hospital last) = 402; avoid peak 200 = 602;
    // limits 5 + 250 = 857, then the hospital's limit cut to the 143 still needed = 1000.
    let steps: Vec<(String, String, String)> = p["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["customer_no"].as_str().unwrap().to_owned(),
                s["measure"]["code"].as_str().unwrap().to_owned(),
                s["reduction_kw"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let step = |c: &str, m: &str, kw: &str| (c.to_owned(), m.to_owned(), kw.to_owned());
    assert_eq!(
        steps,
        [
            step(&home, "shift_peak", "2"),
            step(&factory, "shift_peak", "300"),
            step(&hospital, "shift_peak", "100"),
            step(&factory, "avoid_peak", "200"),
            step(&home, "limit_load", "5"),
            step(&factory, "limit_load", "250"),
            step(&hospital, "limit_load", "143"),
        ]
    );
    assert_eq!(p["total_kw"], "1000");
    assert!(p["shortfall_kw"].is_null() && p["outage"].is_null());
    let last = &p["steps"][6];
    assert_eq!(
        (last["remaining_kw"].as_str(), last["partial"].as_bool()),
        (Some("957"), Some(true))
    );

    // Bad input names the field; nothing is recorded.
    let mut neg = body(true);
    neg["candidates"][1]["expected_load_kw"] = json!("-5");
    let mut ghost = body(true);
    ghost["candidates"][2]["customer_no"] = json!("9999999999");
    let mut zero = body(true);
    zero["target_mw"] = json!("0");
    for (b, field) in [
        (neg, "candidates.expected_load_kw"),
        (ghost, "candidates.customer_no"),
        (zero, "target_mw"),
    ] {
        let r = dispatcher.post(&url).json(&b).send().await.unwrap();
        assert_eq!(r.status(), 400, "{field}");
        assert_eq!(r.json::<Value>().await.unwrap()["field"], field);
    }
    assert!(app.store.outages(true, 10).await.unwrap().is_empty());

    // Issued: an orderly-use outage over the three, announced and notified like any other.
    let p: Value = dispatcher.post(&url).json(&body(true)).json_body().await;
    let o = &p["outage"];
    assert_eq!(o["kind"]["code"], "orderly");
    assert_eq!(o["affected"], 3);
    let id = o["id"].as_i64().unwrap();
    let r = dispatcher
        .post(app.url(&format!("/api/v1/outages/{id}/actions")))
        .header("if-match", "\"1\"")
        .json(&json!({"action": "notify"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let tasks = app.store.outage_tasks(id).await.unwrap();
    assert!(tasks.iter().any(|t| t.customer_no.as_str() == hospital));
    assert!(tasks.iter().all(|t| t.customer_no.as_str() != home));
}

/// An SQLite archive of the release before notices could repeat (schema version 34), with
/// messages queued, keeps them whole through the upgrade that rebuilds the outbox tables: the
/// same ids, texts and states; foreign keys still hold; and a batch now repeats per revision.
#[tokio::test]
async fn an_archive_of_the_previous_release_keeps_its_queued_notices_through_the_upgrade() {
    use griddesk_domain::outage::{OutageKind, OutageScope};
    use griddesk_store::Store;
    use griddesk_store::notice::NoticeStore;
    use griddesk_store::outage::{NewOutage, OutageStore};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("griddesk.db");
    let old = griddesk_sqlite::SqliteStore::open_at_version(&path, 34)
        .await
        .unwrap();
    griddesk_store::conformance::fixtures::load(&old).await;
    let someone = griddesk_store::conformance::fixtures::customers()[0]
        .customer_no
        .clone();
    let now = Timestamp::now();
    let o = old
        .create_outage(&NewOutage {
            kind: OutageKind::Planned,
            title: "10kV线路检修".into(),
            cause: "设备检修".into(),
            scope: OutageScope::Customers(vec![someone.clone()]),
            start: now + SignedDuration::from_hours(24 * 8),
            eta: None,
            created_by: "staff:dispatcher01".into(),
            created_at: now,
        })
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO notice_batch (id, outage_id, purpose, channel, body, created_us) \
         VALUES (7, ?1, 'announced', 'sms', '【示范】停电预告', 1)",
    )
    .bind(o.id)
    .execute(old.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO notice (id, batch_id, customer_no, recipient, status, attempts, next_us, \
         error) VALUES (41, 7, ?1, '13800000000', 'pending', 2, 99, 'gateway 503')",
    )
    .bind(someone.as_str())
    .execute(old.pool())
    .await
    .unwrap();
    old.close().await;

    let store = griddesk_sqlite::SqliteStore::open(&path).await.unwrap();
    let rows = store.notices(o.id, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].id, rows[0].attempts, rows[0].error.as_deref()),
        (41, 2, Some("gateway 503"))
    );
    assert_eq!(rows[0].purpose, NoticePurpose::Announced);
    assert_eq!(rows[0].status, DeliveryStatus::Pending);
    // Enqueueing the same once-only notice again adds nothing; a new revision may.
    let again = store
        .enqueue_notices(o.id, NoticePurpose::Announced, NoticeChannel::Sms, "x", now)
        .await
        .unwrap();
    assert_eq!(again, 0);
    sqlx::query(
        "INSERT INTO notice_batch (outage_id, purpose, channel, revision, body, created_us) \
         VALUES (?1, 'eta_changed', 'sms', 3, 'y', 2), (?1, 'eta_changed', 'sms', 4, 'z', 3)",
    )
    .bind(o.id)
    .execute(store.pool())
    .await
    .unwrap();
    let orphan = sqlx::query(
        "INSERT INTO notice (batch_id, customer_no, recipient, status, attempts, next_us) \
         VALUES (999, ?1, '13800000000', 'pending', 0, 0)",
    )
    .bind(someone.as_str())
    .execute(store.pool())
    .await;
    assert!(orphan.is_err(), "the message's batch must exist");
    assert!(store.ping().await.is_ok());
}

/// A channel configured for TLS talks TLS or sends nothing: against a relay and a gateway that
/// speak only plain text, `smtps://`, `smtp://…?tls=required` and `https://` fail (to be
/// retried) and neither peer receives a message in clear.
#[tokio::test]
async fn channels_asked_for_tls_send_nothing_in_clear() {
    let n = griddesk_server::notify::Notification {
        key: "tls-1".into(),
        at: "2026-12-08T00:00:00Z".into(),
        channel: "email",
        to: "customer@example.cn".into(),
        customer_no: "3100000001".into(),
        text: "计划停电通知".into(),
    };
    let (smtp, mails) = smtp_sink().await;
    for url in [
        smtp.replace("smtp://", "smtps://"),
        format!("{smtp}?tls=required"),
    ] {
        let mailer = SmtpNotifier::new(&url, "95598@griddesk.example.cn").unwrap();
        assert!(mailer.send(&n).await.is_err(), "{url}");
    }
    // The same relay in plain text takes it: the refusals above were TLS's.
    SmtpNotifier::new(&smtp, "95598@griddesk.example.cn")
        .unwrap()
        .send(&n)
        .await
        .unwrap();
    assert_eq!(mails.lock().unwrap().len(), 1);

    let (url, seen) = gateway(vec![]).await;
    let e = WebhookNotifier::new(url.replace("http://", "https://"))
        .unwrap()
        .send(&n)
        .await
        .unwrap_err();
    assert!(!e.permanent, "{}", e.message);
    assert!(seen.lock().unwrap().is_empty());
}
