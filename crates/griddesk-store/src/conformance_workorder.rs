//! Conformance cases of [`crate::WorkOrderStore`]: creation with stored deadlines, idempotency
//! keys, versioned updates with the event history, the queue order, and the overdue sweep.

use crate::Store;
use crate::conformance::fixtures::{self, code, no};
use crate::workorder::{NewWorkOrder, OrderEvent, OrderQuery, OrderUpdate, UpdateOutcome};
use griddesk_domain::sla::{Deadline, DeadlineKind};
use griddesk_domain::workorder::{Channel, OrderType, Status};
use jiff::{SignedDuration, Timestamp};

fn t(min: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + min * 60).expect("fixture time")
}

fn new_order(key: Option<&str>, tier: u8, due_min: i64) -> NewWorkOrder {
    NewWorkOrder {
        order_type: OrderType::Complaint,
        channel: Channel::Phone95598,
        customer_no: Some(no("0100000001")),
        contact_name: "张先生".into(),
        contact_phone: Some(fixtures::phone("13800138001")),
        subject: "抄表数据有误".into(),
        description: "客户反映本月电量明显偏高".into(),
        owner: "staff:zhangli".into(),
        owner_name: "张丽".into(),
        org_unit: None,
        tier,
        accepted_at: t(0),
        idempotency_key: key.map(str::to_owned),
        deadlines: vec![
            Deadline {
                kind: DeadlineKind::Contact,
                due: t(due_min),
            },
            Deadline {
                kind: DeadlineKind::Reply,
                due: t(due_min * 4),
            },
        ],
    }
}

fn event(action: &str, from: Option<Status>, to: Status, at: Timestamp) -> OrderEvent {
    OrderEvent {
        at,
        actor: "staff:zhangli".into(),
        actor_name: "张丽".into(),
        action: action.into(),
        from,
        to,
        note: None,
        data: None,
    }
}

pub async fn work_orders_store_deadlines_and_are_idempotent(store: &dyn Store) {
    fixtures::load(store).await;
    let first = event("accept", None, Status::Accepted, t(0));
    let (o, created) = store
        .create_work_order(&new_order(Some("k-1"), 3, 60), &first)
        .await
        .expect("create");
    assert!(created);
    assert_eq!(o.status, Status::Accepted);
    assert_eq!(o.version, 1);
    assert_eq!(o.deadlines.len(), 2);
    assert_eq!(o.deadlines[0].kind, DeadlineKind::Contact);
    assert_eq!(o.deadlines[0].due, t(60));
    assert_eq!(
        o.contact_phone.as_ref().map(|p| p.as_str()),
        Some("13800138001")
    );
    // Same key again: the same order, nothing new.
    let (again, created) = store
        .create_work_order(&new_order(Some("k-1"), 1, 5), &first)
        .await
        .expect("create");
    assert!(!created);
    assert_eq!(again, o);
    assert_eq!(
        store.work_order_events(o.id).await.expect("events").len(),
        1
    );
    // Without a key every call creates.
    let (other, created) = store
        .create_work_order(&new_order(None, 3, 60), &first)
        .await
        .expect("create");
    assert!(created && other.id != o.id);
    assert_eq!(store.work_order(o.id).await.expect("read"), Some(o));
    assert!(store.work_order(999_999).await.expect("read").is_none());
    // An unknown customer is a clear error.
    let mut bad = new_order(None, 3, 60);
    bad.customer_no = Some(no("0999999999"));
    match store.create_work_order(&bad, &first).await {
        Err(crate::StoreError::MissingReference { field, .. }) => assert_eq!(field, "customer_no"),
        other => panic!("expected a missing reference, got {other:?}"),
    }
}

pub async fn work_order_updates_are_versioned_and_recorded(store: &dyn Store) {
    fixtures::load(store).await;
    let (o, _) = store
        .create_work_order(
            &new_order(None, 3, 60),
            &event("accept", None, Status::Accepted, t(0)),
        )
        .await
        .expect("create");
    let u = OrderUpdate {
        status: Status::Dispatched,
        arrived: false,
        paused_since: None,
        paused: SignedDuration::ZERO,
        org_unit: Some(code("JZ-CQ-DC")),
        outage: None,
        met: vec![(DeadlineKind::Contact, t(10))],
    };
    let e = event(
        "dispatch",
        Some(Status::Accepted),
        Status::Dispatched,
        t(10),
    );
    let UpdateOutcome::Updated(d) = store
        .update_work_order(o.id, 1, &u, &e)
        .await
        .expect("update")
    else {
        panic!("update applies");
    };
    assert_eq!((d.status, d.version), (Status::Dispatched, 2));
    assert_eq!(d.org_unit, Some(code("JZ-CQ-DC")));
    assert_eq!(d.deadlines[0].met_at, Some(t(10)));
    assert_eq!(d.deadlines[1].met_at, None);
    // A stale version changes nothing and reports the current state.
    let stale = OrderUpdate {
        status: Status::Cancelled,
        ..u.clone()
    };
    match store
        .update_work_order(o.id, 1, &stale, &e)
        .await
        .expect("update")
    {
        UpdateOutcome::Conflict(current) => assert_eq!(current, d),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        store
            .update_work_order(424_242, 1, &u, &e)
            .await
            .expect("update"),
        UpdateOutcome::NotFound
    );
    let history = store.work_order_events(o.id).await.expect("events");
    assert_eq!(
        history
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["accept", "dispatch"]
    );
    assert_eq!(history[1], e);
}

pub async fn work_order_queue_and_overdue_sweep(store: &dyn Store) {
    fixtures::load(store).await;
    let first = event("accept", None, Status::Accepted, t(0));
    let (late, _) = store
        .create_work_order(&new_order(None, 3, 30), &first)
        .await
        .expect("create");
    let (soon, _) = store
        .create_work_order(&new_order(None, 3, 10), &first)
        .await
        .expect("create");
    let (vip, _) = store
        .create_work_order(&new_order(None, 1, 90), &first)
        .await
        .expect("create");
    let q = OrderQuery {
        limit: 10,
        ..Default::default()
    };
    let ids: Vec<i64> = store
        .list_work_orders(&q)
        .await
        .expect("queue")
        .iter()
        .map(|o| o.id)
        .collect();
    // Green channel first, then the earliest deadline.
    assert_eq!(ids, [vip.id, soon.id, late.id]);
    // Scoped to a unit: undispatched orders only when asked for.
    let scoped = OrderQuery {
        org_units: Some(vec![code("JZ-QS")]),
        ..q.clone()
    };
    assert!(
        store
            .list_work_orders(&scoped)
            .await
            .expect("queue")
            .is_empty()
    );
    let with_new = OrderQuery {
        include_undispatched: true,
        ..scoped
    };
    assert_eq!(
        store
            .list_work_orders(&with_new)
            .await
            .expect("queue")
            .len(),
        3
    );
    // An agent's own queue: the orders they own as first contact.
    let mine = OrderQuery {
        owner: Some("staff:zhangli".into()),
        ..q.clone()
    };
    assert_eq!(store.list_work_orders(&mine).await.expect("queue").len(), 3);
    let others = OrderQuery {
        owner: Some("staff:somebody".into()),
        ..q.clone()
    };
    assert!(
        store
            .list_work_orders(&others)
            .await
            .expect("queue")
            .is_empty()
    );

    // At t(20) only `soon`'s contact deadline is overdue; a paused order is not swept.
    let overdue = store.overdue_deadlines(t(20), 10).await.expect("sweep");
    assert_eq!(overdue, [(soon.id, DeadlineKind::Contact)]);
    let pause = OrderUpdate {
        status: Status::Accepted,
        arrived: false,
        paused_since: Some(t(5)),
        paused: SignedDuration::ZERO,
        org_unit: None,
        outage: None,
        met: vec![],
    };
    store
        .update_work_order(
            late.id,
            1,
            &pause,
            &event("pause_sla", Some(Status::Accepted), Status::Accepted, t(5)),
        )
        .await
        .expect("pause");
    let overdue = store.overdue_deadlines(t(35), 10).await.expect("sweep");
    assert!(
        !overdue.iter().any(|(id, _)| *id == late.id),
        "paused orders wait"
    );
    // Escalation happens once, whoever sweeps.
    let esc = event("escalate", Some(Status::Accepted), Status::Accepted, t(21));
    assert!(
        store
            .mark_escalated(soon.id, DeadlineKind::Contact, &esc)
            .await
            .expect("mark")
    );
    assert!(
        !store
            .mark_escalated(soon.id, DeadlineKind::Contact, &esc)
            .await
            .expect("mark")
    );
    let overdue = store.overdue_deadlines(t(21), 10).await.expect("sweep");
    assert!(!overdue.contains(&(soon.id, DeadlineKind::Contact)));
    let o = store
        .work_order(soon.id)
        .await
        .expect("read")
        .expect("order");
    assert_eq!(o.deadlines[0].escalated_at, Some(t(21)));
    assert_eq!(o.version, 2);
    assert_eq!(
        store
            .work_order_events(soon.id)
            .await
            .expect("events")
            .len(),
        2
    );
}

pub async fn contact_records_form_the_customer_timeline(store: &dyn Store) {
    use crate::workorder::ContactRecord;
    use griddesk_domain::workorder::ContactKind;
    fixtures::load(store).await;
    let (o, _) = store
        .create_work_order(
            &new_order(None, 3, 60),
            &event("accept", None, Status::Accepted, t(0)),
        )
        .await
        .expect("create");
    let c = |min: i64, kind, order_id| ContactRecord {
        customer_no: no("0100000001"),
        at: t(min),
        kind,
        inbound: min == 0,
        actor: "staff:zhangli".into(),
        actor_name: "张丽".into(),
        summary: format!("第{min}分钟"),
        order_id,
    };
    store
        .add_contact(&c(0, ContactKind::Call, Some(o.id)))
        .await
        .expect("add");
    store
        .add_contact(&c(30, ContactKind::Sms, None))
        .await
        .expect("add");
    let got = store.contacts(&no("0100000001"), 10).await.expect("read");
    assert_eq!(
        got,
        vec![
            c(30, ContactKind::Sms, None),
            c(0, ContactKind::Call, Some(o.id))
        ]
    );
    assert_eq!(
        store
            .contacts(&no("0100000001"), 1)
            .await
            .expect("read")
            .len(),
        1
    );
    assert!(
        store
            .contacts(&no("0100000002"), 10)
            .await
            .expect("read")
            .is_empty()
    );
    let mut bad = c(5, ContactKind::Visit, None);
    bad.customer_no = no("0999999999");
    assert!(matches!(
        store.add_contact(&bad).await,
        Err(crate::StoreError::MissingReference {
            field: "customer_no",
            ..
        })
    ));
    assert!(matches!(
        store
            .add_contact(&c(5, ContactKind::Visit, Some(777_777)))
            .await,
        Err(crate::StoreError::MissingReference {
            field: "order_id",
            ..
        })
    ));
}

pub async fn appointments_respect_capacity_and_move_deadlines(store: &dyn Store) {
    use crate::workorder::{Appointment, Booking};
    use griddesk_domain::workorder::AppointmentKind;
    fixtures::load(store).await;
    let (o, _) = store
        .create_work_order(
            &new_order(None, 3, 60),
            &event("accept", None, Status::Accepted, t(0)),
        )
        .await
        .expect("create");
    let slot = |start: i64, end: i64| Appointment {
        id: 0,
        order_id: o.id,
        org_unit: code("JZ-CQ-DC"),
        kind: AppointmentKind::SiteVisit,
        starts_at: t(start),
        ends_at: t(end),
        booked_by: "staff:zhangli".into(),
        cancelled: false,
    };
    let e = event(
        "appointment",
        Some(Status::Accepted),
        Status::Accepted,
        t(1),
    );
    // The customer books 09:00-11:00 the next day, after the contact deadline (t(60)).
    let Booking::Booked(a) = store
        .book_appointment(&slot(1440, 1560), 2, &e)
        .await
        .expect("book")
    else {
        panic!("a free slot is booked");
    };
    assert!(a.id > 0);
    let after = store.work_order(o.id).await.expect("read").expect("order");
    assert_eq!(
        after.deadlines[0].due,
        t(1560),
        "the deadline waits for the booked time"
    );
    assert_eq!(after.deadlines[1].due, t(1560), "t(240) moves too");
    assert_eq!(after.version, 2);
    // Capacity 2: one more overlapping booking fits, a third does not.
    assert!(matches!(
        store
            .book_appointment(&slot(1500, 1620), 2, &e)
            .await
            .expect("book"),
        Booking::Booked(_)
    ));
    assert_eq!(
        store
            .book_appointment(&slot(1530, 1550), 2, &e)
            .await
            .expect("book"),
        Booking::Full
    );
    // Adjacent slots do not overlap.
    assert!(matches!(
        store
            .book_appointment(&slot(1620, 1680), 2, &e)
            .await
            .expect("book"),
        Booking::Booked(_)
    ));
    let day = store
        .schedule(&code("JZ-CQ-DC"), t(1440), t(1440 + 24 * 60))
        .await
        .expect("schedule");
    assert_eq!(
        day.iter().map(|a| a.starts_at).collect::<Vec<_>>(),
        [t(1440), t(1500), t(1620)]
    );
    assert!(
        store
            .schedule(&code("JZ-QS"), t(0), t(10_000))
            .await
            .expect("schedule")
            .is_empty()
    );
    assert!(matches!(
        store
            .book_appointment(
                &Appointment {
                    org_unit: code("NOPE"),
                    ..slot(1, 2)
                },
                2,
                &e
            )
            .await,
        Err(crate::StoreError::MissingReference {
            field: "org_unit",
            ..
        })
    ));
}

/// Accepting a request writes the order, its first contact and its audit entry together, all
/// pointing at the new order; the same idempotency key again writes none of them.
pub async fn accepting_an_order_logs_its_contact_and_audit_in_one_write(store: &dyn Store) {
    use crate::access::AuditQuery;
    use crate::workorder::ContactRecord;
    use griddesk_domain::access::{Actor, AuditAction, AuditEntry};
    use griddesk_domain::workorder::ContactKind;
    fixtures::load(store).await;
    let first = event("accept", None, Status::Accepted, t(0));
    let contact = ContactRecord {
        customer_no: no("0100000001"),
        at: t(0),
        kind: ContactKind::Call,
        inbound: true,
        actor: "staff:zhangli".into(),
        actor_name: "张丽".into(),
        summary: "投诉: 抄表数据有误".into(),
        order_id: None,
    };
    let actor = Actor::System {
        name: "intake".into(),
    };
    let audit = AuditEntry::new(
        &actor,
        AuditAction::OrderCreated,
        "work_order",
        "",
        "127.0.0.1",
        t(0),
    );
    let audits = || async {
        store
            .search_audit(&AuditQuery {
                target_kind: Some("work_order".into()),
                limit: 100,
                ..Default::default()
            })
            .await
            .expect("audit")
    };
    let (o, created) = store
        .accept_work_order(
            &new_order(Some("a-1"), 3, 60),
            &first,
            Some(&contact),
            &audit,
        )
        .await
        .expect("accept");
    assert!(created);
    assert_eq!(o.deadlines.len(), 2);
    let contacts = store
        .contacts(&no("0100000001"), 10)
        .await
        .expect("contacts");
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].order_id, Some(o.id));
    assert_eq!(contacts[0].summary, contact.summary);
    let logged = audits().await;
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].entry.target, o.id.to_string());
    assert_eq!(logged[0].entry.action, AuditAction::OrderCreated);

    let (again, created) = store
        .accept_work_order(
            &new_order(Some("a-1"), 1, 5),
            &first,
            Some(&contact),
            &audit,
        )
        .await
        .expect("accept again");
    assert!(!created);
    assert_eq!(again, o);
    assert_eq!(
        store.contacts(&no("0100000001"), 10).await.unwrap().len(),
        1
    );
    assert_eq!(audits().await.len(), 1);

    // An unknown customer: a clear error and nothing of the three written.
    let mut stranger = new_order(Some("a-2"), 3, 60);
    stranger.customer_no = Some(no("0999999999"));
    let lost = ContactRecord {
        customer_no: no("0999999999"),
        ..contact.clone()
    };
    match store
        .accept_work_order(&stranger, &first, Some(&lost), &audit)
        .await
    {
        Err(crate::StoreError::MissingReference { field, .. }) => assert_eq!(field, "customer_no"),
        other => panic!("expected a missing reference, got {other:?}"),
    }
    assert_eq!(audits().await.len(), 1);
    assert_eq!(
        store.contacts(&no("0100000001"), 10).await.unwrap().len(),
        1
    );

    // A write that fails after the order's row (its contact names a customer that does not
    // exist) leaves no order behind either.
    let orders = || async {
        store
            .list_work_orders(&OrderQuery {
                customer_no: Some(no("0100000001")),
                include_closed: true,
                limit: 100,
                ..Default::default()
            })
            .await
            .expect("orders")
            .len()
    };
    let before = orders().await;
    let known = new_order(Some("a-3"), 3, 60);
    assert!(
        store
            .accept_work_order(&known, &first, Some(&lost), &audit)
            .await
            .is_err()
    );
    assert_eq!(orders().await, before);
    assert_eq!(audits().await.len(), 1);
    // The key is free: the same request again, with its right contact, is a new order.
    let (o3, created) = store
        .accept_work_order(&known, &first, Some(&contact), &audit)
        .await
        .expect("accept after the failure");
    assert!(created);
    assert_eq!(orders().await, before + 1);
    assert_eq!(store.work_order(o3.id).await.unwrap(), Some(o3));
}

/// The order a write returns is built, not read back: it equals the stored one to the field,
/// whatever the precision of its times, the order its deadlines came in, or the optional parts
/// left out.
pub async fn an_accepted_order_is_what_reading_it_back_gives(store: &dyn Store) {
    use griddesk_domain::access::{Actor, AuditAction, AuditEntry};
    fixtures::load(store).await;
    let audit = AuditEntry::new(
        &Actor::System {
            name: "intake".into(),
        },
        AuditAction::OrderCreated,
        "work_order",
        "",
        "127.0.0.1",
        t(0),
    );
    // Nanoseconds the store keeps to the microsecond; deadlines out of order, two due together.
    let odd = t(0) + jiff::SignedDuration::from_nanos(123_456_789);
    let mut full = new_order(None, 2, 30);
    full.accepted_at = odd;
    full.org_unit = Some(code("JZ-CQ-DC"));
    full.deadlines = vec![
        Deadline {
            kind: DeadlineKind::Reply,
            due: odd + jiff::SignedDuration::from_mins(90),
        },
        Deadline {
            kind: DeadlineKind::Arrival,
            due: odd + jiff::SignedDuration::from_mins(30),
        },
        Deadline {
            kind: DeadlineKind::Contact,
            due: odd + jiff::SignedDuration::from_mins(30),
        },
    ];
    let mut bare = new_order(None, 5, 10);
    bare.customer_no = None;
    bare.contact_phone = None;
    bare.deadlines.clear();
    for (o, status) in [(full, Status::Dispatched), (bare, Status::Accepted)] {
        let first = event("accept", None, status, o.accepted_at);
        let (made, created) = store
            .accept_work_order(&o, &first, None, &audit)
            .await
            .expect("accept");
        assert!(created);
        assert_eq!(made.status, status);
        let stored = store
            .work_order(made.id)
            .await
            .expect("read")
            .expect("stored");
        assert_eq!(made, stored);
        assert_eq!(made.accepted_at.subsec_nanosecond() % 1_000, 0);
    }
}
