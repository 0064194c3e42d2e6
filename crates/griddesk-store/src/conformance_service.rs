//! Conformance cases of [`crate::ServiceStore`]: the complaint record and ledger, attachments,
//! agents' presence with atomic claims, scheduled callbacks, and leases.

use crate::Store;
use crate::StoreError;
use crate::conformance::fixtures::{self, code, no};
use crate::service::{Attachment, ScheduledCallback};
use crate::workorder::{NewWorkOrder, OrderEvent};
use griddesk_domain::complaint::{Cause, Finding, Responsibility, Step, StepRecord};
use griddesk_domain::queue::AgentStatus;
use griddesk_domain::workorder::{Channel, OrderType, Status};
use jiff::Timestamp;

fn t(min: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + min * 60).expect("fixture time")
}

fn event(action: &str, at: Timestamp) -> OrderEvent {
    OrderEvent {
        at,
        actor: "staff:zhangli".into(),
        actor_name: "张丽".into(),
        action: action.into(),
        from: Some(Status::Accepted),
        to: Status::Accepted,
        note: None,
        data: None,
    }
}

async fn order(store: &dyn Store, t_: OrderType, customer: Option<&str>, at: Timestamp) -> i64 {
    let o = NewWorkOrder {
        order_type: t_,
        channel: Channel::Phone95598,
        customer_no: customer.map(no),
        contact_name: "王女士".into(),
        contact_phone: Some(fixtures::phone("13800138001")),
        subject: "抢修人员态度差".into(),
        description: String::new(),
        owner: "staff:zhangli".into(),
        owner_name: "张丽".into(),
        org_unit: Some(code("JZ-CQ")),
        tier: 3,
        accepted_at: at,
        idempotency_key: None,
        deadlines: Vec::new(),
    };
    let first = OrderEvent {
        from: None,
        ..event("accept", at)
    };
    store
        .create_work_order(&o, &first)
        .await
        .expect("order")
        .0
        .id
}

pub async fn complaint_records_five_steps_finding_and_ledger(store: &dyn Store) {
    fixtures::load(store).await;
    let a = order(store, OrderType::Complaint, Some("0100000001"), t(0)).await;
    let b = order(store, OrderType::Complaint, None, t(10)).await;
    let repair = order(store, OrderType::FaultRepair, Some("0100000001"), t(20)).await;
    assert!(
        store.complaint(a).await.unwrap().cause.is_none(),
        "empty at first"
    );
    let v0 = store.work_order(a).await.unwrap().unwrap().version;

    store
        .set_complaint_cause(a, Cause::ServiceAttitude, &event("complaint_cause", t(1)))
        .await
        .unwrap();
    // Steps recorded out of order come back in the order of the five steps; a step recorded
    // again replaces the first record.
    for (i, s) in [Step::Apologise, Step::Listen, Step::Apologise]
        .iter()
        .enumerate()
    {
        let rec = StepRecord {
            step: *s,
            note: format!("第{i}次记录"),
            actor: "staff:zhangli".into(),
            actor_name: "张丽".into(),
            at: t(2 + i as i64),
        };
        store
            .record_complaint_step(a, &rec, &event("complaint_step", t(2 + i as i64)))
            .await
            .unwrap();
    }
    let c = store.complaint(a).await.unwrap();
    assert_eq!(c.cause, Some(Cause::ServiceAttitude));
    let steps: Vec<(Step, &str)> = c.steps.iter().map(|s| (s.step, s.note.as_str())).collect();
    assert_eq!(
        steps,
        vec![(Step::Listen, "第1次记录"), (Step::Apologise, "第2次记录")]
    );
    assert_eq!(c.missing_steps(), vec![Step::Ask, Step::Solve, Step::Thank]);
    assert!(c.finding.is_none());

    let f = Finding {
        responsibility: Responsibility::Responsible,
        unit: Some(code("JZ-CQ")),
        note: "抢修人员未按规范用语".into(),
        actor: "staff:supervisor".into(),
        actor_name: "王班长".into(),
        at: t(30),
    };
    store
        .record_finding(a, &f, &event("complaint_finding", t(30)))
        .await
        .unwrap();
    assert_eq!(store.complaint(a).await.unwrap().finding, Some(f.clone()));
    // Each change is a step of the order: events appended, version moved on.
    let o = store.work_order(a).await.unwrap().unwrap();
    assert_eq!(o.version, v0 + 5);
    let actions: Vec<String> = store
        .work_order_events(a)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "accept",
            "complaint_cause",
            "complaint_step",
            "complaint_step",
            "complaint_step",
            "complaint_finding"
        ]
    );

    // Unknown order or unit: a reference error, nothing written.
    let bad_unit = Finding {
        unit: Some(code("JZ-NOWHERE")),
        ..f.clone()
    };
    assert!(matches!(
        store
            .record_finding(b, &bad_unit, &event("complaint_finding", t(31)))
            .await,
        Err(StoreError::MissingReference { field: "unit", .. })
    ));
    assert!(store.complaint(b).await.unwrap().finding.is_none());
    assert!(matches!(
        store
            .set_complaint_cause(9999, Cause::Other, &event("x", t(1)))
            .await,
        Err(StoreError::MissingReference {
            field: "order_id",
            ..
        })
    ));

    // The ledger holds complaints only, of the period, oldest first.
    let ledger = store.complaint_ledger(t(0), t(60), 100).await.unwrap();
    let ids: Vec<i64> = ledger.iter().map(|l| l.order_id).collect();
    assert_eq!(ids, vec![a, b], "the repair {repair} is not a complaint");
    assert_eq!(ledger[0].cause, Some(Cause::ServiceAttitude));
    assert_eq!(ledger[0].responsibility, Some(Responsibility::Responsible));
    assert_eq!(ledger[0].responsible_unit, Some(code("JZ-CQ")));
    assert_eq!(ledger[0].customer_no, Some(no("0100000001")));
    assert_eq!(ledger[1].cause, None);
    assert_eq!(
        ledger[1].contact_phone,
        Some(fixtures::phone("13800138001"))
    );
    assert_eq!(
        store
            .complaint_ledger(t(5), t(60), 100)
            .await
            .unwrap()
            .len(),
        1,
        "from is inclusive, earlier complaints are outside"
    );
    assert!(
        store
            .complaint_ledger(t(0), t(0), 100)
            .await
            .unwrap()
            .is_empty(),
        "to is exclusive"
    );
}

pub async fn attachments_keep_their_bytes(store: &dyn Store) {
    fixtures::load(store).await;
    let id = order(store, OrderType::FaultRepair, Some("0100000001"), t(0)).await;
    let v0 = store.work_order(id).await.unwrap().unwrap().version;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let a = Attachment {
        id: 0,
        order_id: id,
        content_type: "image/jpeg".into(),
        file_name: "现场照片.jpg".into(),
        size: 0,
        note: Some("变压器跌落保险熔断".into()),
        actor: "staff:crew01".into(),
        actor_name: "抢修一班".into(),
        at: t(5),
    };
    let aid = store
        .add_attachment(&a, &bytes, &event("attachment", t(5)))
        .await
        .unwrap();
    let list = store.attachments(id).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, aid);
    assert_eq!(list[0].size, 70_000);
    assert_eq!(list[0].file_name, "现场照片.jpg");
    let (meta, got) = store.attachment_bytes(id, aid).await.unwrap().unwrap();
    assert_eq!(got, bytes);
    assert_eq!(meta.note.as_deref(), Some("变压器跌落保险熔断"));
    assert!(
        store.attachment_bytes(id + 1, aid).await.unwrap().is_none(),
        "an attachment is read through its own order only"
    );
    assert_eq!(store.work_order(id).await.unwrap().unwrap().version, v0 + 1);
    assert!(matches!(
        store
            .add_attachment(
                &Attachment {
                    order_id: 9999,
                    ..a.clone()
                },
                &bytes,
                &event("attachment", t(6))
            )
            .await,
        Err(StoreError::MissingReference { .. })
    ));
}

pub async fn agents_are_claimed_once_longest_idle_first(store: &dyn Store) {
    fixtures::load(store).await;
    let logins: Vec<String> = fixtures::staff()
        .into_iter()
        .take(3)
        .map(|s| s.login.to_string())
        .collect();
    assert_eq!(store.claim_free_agent(t(0)).await.unwrap(), None);
    // Available since minute 3, 1, 2: claimed in the order 1, 2, 3 (longest idle first).
    for (login, since) in logins.iter().zip([3, 1, 2]) {
        store
            .set_presence(login, AgentStatus::Available, t(since))
            .await
            .unwrap();
    }
    store
        .set_presence(&logins[0], AgentStatus::Away, t(4))
        .await
        .unwrap();
    assert_eq!(
        store.claim_free_agent(t(5)).await.unwrap().as_deref(),
        Some(logins[1].as_str())
    );
    assert_eq!(
        store.claim_free_agent(t(5)).await.unwrap().as_deref(),
        Some(logins[2].as_str())
    );
    assert_eq!(
        store.claim_free_agent(t(5)).await.unwrap(),
        None,
        "the third is away"
    );
    let p = store.presence().await.unwrap();
    let busy = p.iter().filter(|p| p.status == AgentStatus::Busy).count();
    assert_eq!(busy, 2);
    assert!(matches!(
        store
            .set_presence("nobody", AgentStatus::Available, t(0))
            .await,
        Err(StoreError::MissingReference { field: "login", .. })
    ));

    // Concurrent claims never share an agent.
    for l in &logins {
        store
            .set_presence(l, AgentStatus::Available, t(10))
            .await
            .unwrap();
    }
    let claims = futures::future::join_all((0..6).map(|_| store.claim_free_agent(t(11)))).await;
    let mut got: Vec<String> = claims.into_iter().filter_map(|c| c.unwrap()).collect();
    got.sort();
    let mut want = logins.clone();
    want.sort();
    assert_eq!(got, want, "each free agent exactly once");
}

pub async fn callbacks_are_scheduled_once_per_phone(store: &dyn Store) {
    fixtures::load(store).await;
    let c = ScheduledCallback {
        id: 0,
        customer_no: Some(no("0100000001")),
        phone: fixtures::phone("13800138001"),
        tier: 2,
        requested_at: t(0),
        due: t(24 * 60),
        done_at: None,
        done_by: None,
        note: Some("来电排队无空闲坐席".into()),
    };
    let (id, created) = store.schedule_callback(&c).await.unwrap();
    assert!(created);
    let (again, created) = store
        .schedule_callback(&ScheduledCallback {
            requested_at: t(5),
            due: t(5 + 24 * 60),
            ..c.clone()
        })
        .await
        .unwrap();
    assert_eq!((again, created), (id, false), "one open callback per phone");
    let other = ScheduledCallback {
        customer_no: None,
        phone: fixtures::phone("13900139002"),
        due: t(60),
        ..c.clone()
    };
    let (id2, _) = store.schedule_callback(&other).await.unwrap();
    let open: Vec<i64> = store
        .open_callbacks(10)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(open, vec![id2, id], "earliest due first");
    assert!(
        store
            .complete_callback(id2, "staff:zhangli", t(30), Some("已回拨"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .complete_callback(id2, "staff:zhangli", t(31), None)
            .await
            .unwrap(),
        "done once"
    );
    let open = store.open_callbacks(10).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].customer_no, Some(no("0100000001")));
    assert_eq!(open[0].tier, 2);
    assert!(matches!(
        store
            .schedule_callback(&ScheduledCallback {
                customer_no: Some(no("0999999999")),
                phone: fixtures::phone("13700137003"),
                ..c
            })
            .await,
        Err(StoreError::MissingReference { .. })
    ));
}

pub async fn leases_have_one_holder_until_they_expire(store: &dyn Store) {
    assert!(store.try_lease("sweeper", "a", t(0), t(1)).await.unwrap());
    assert!(
        !store.try_lease("sweeper", "b", t(0), t(1)).await.unwrap(),
        "held by a"
    );
    assert!(
        store.try_lease("sweeper", "a", t(0), t(2)).await.unwrap(),
        "the holder renews"
    );
    assert!(!store.try_lease("sweeper", "b", t(1), t(3)).await.unwrap());
    assert!(
        store.try_lease("other-job", "b", t(1), t(3)).await.unwrap(),
        "leases are per name"
    );
    assert!(
        store.try_lease("sweeper", "b", t(2), t(4)).await.unwrap(),
        "expired: b takes over"
    );
    assert!(!store.try_lease("sweeper", "a", t(3), t(5)).await.unwrap());
    // Concurrent takers of a free lease: exactly one wins.
    let wins = futures::future::join_all(
        ["p", "q", "r", "s"]
            .iter()
            .map(|h| store.try_lease("race", h, t(0), t(1))),
    )
    .await
    .into_iter()
    .filter(|r| *r.as_ref().unwrap())
    .count();
    assert_eq!(wins, 1);
}
