//! Conformance cases of [`crate::NoticeStore`]: enqueueing reaches every affected customer with
//! an address once; claimed messages stay with their dispatcher until the lease runs out and
//! are then taken up again under the same id (crash recovery); outcomes are recorded only by
//! the holder; retries wait for their time; tasks go to key and important customers once.

use crate::Store;
use crate::conformance::fixtures;
use crate::notice::{Delivery, TaskDone, TaskUpdate};
use crate::outage::NewOutage;
use griddesk_domain::customer::{ImportantGrade, Institution};
use griddesk_domain::notice::{
    ContactMethod, DeliveryStatus, NoticeChannel, NoticePurpose, TaskKind,
};
use griddesk_domain::outage::{OutageKind, OutageScope};
use jiff::Timestamp;
use std::collections::BTreeSet;

fn t(min: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + min * 60).expect("fixture time")
}

async fn outage_over_every_fixture_customer(store: &dyn Store) -> i64 {
    fixtures::load(store).await;
    let all = fixtures::customers()
        .into_iter()
        .map(|c| c.customer_no)
        .collect();
    store
        .create_outage(&NewOutage {
            kind: OutageKind::Planned,
            title: "计划检修".into(),
            cause: "设备检修".into(),
            scope: OutageScope::Customers(all),
            start: t(60 * 24 * 8),
            eta: Some(t(60 * 24 * 8 + 240)),
            created_by: "staff:dispatcher01".into(),
            created_at: t(0),
        })
        .await
        .expect("outage")
        .id
}

pub async fn notices_are_queued_once_claimed_under_lease_and_finished_by_their_holder(
    store: &dyn Store,
) {
    let id = outage_over_every_fixture_customer(store).await;
    let customers = fixtures::customers();
    let phones: BTreeSet<(String, String)> = customers
        .iter()
        .filter_map(|c| Some((c.customer_no.to_string(), c.primary_phone()?.to_string())))
        .collect();
    let emails = customers
        .iter()
        .filter(|c| c.contacts.first().and_then(|k| k.email.as_ref()).is_some())
        .count();
    assert!(
        phones.len() >= 3 && emails >= 1,
        "fixture has phones and e-mails"
    );
    let sms = |now| {
        store.enqueue_notices(
            id,
            NoticePurpose::Announced,
            NoticeChannel::Sms,
            "停电预告",
            now,
        )
    };
    assert_eq!(sms(t(0)).await.unwrap(), phones.len() as u64);
    assert_eq!(sms(t(1)).await.unwrap(), 0, "queued once");
    let mail = store
        .enqueue_notices(
            id,
            NoticePurpose::Announced,
            NoticeChannel::Email,
            "邮件",
            t(0),
        )
        .await
        .unwrap();
    assert_eq!(mail, emails as u64);

    // Dispatcher a takes two; b, a minute later, takes the rest and none of a's.
    let a = store.claim_notices("a", t(0), t(2), 2).await.unwrap();
    assert_eq!(a.len(), 2);
    assert!(a.iter().all(|n| n.attempts == 1));
    let b = store.claim_notices("b", t(1), t(3), 1000).await.unwrap();
    assert_eq!(a.len() + b.len(), phones.len() + emails);
    assert!(a.iter().all(|x| b.iter().all(|y| y.id != x.id)));
    let got: BTreeSet<(String, String)> = a
        .iter()
        .chain(&b)
        .filter(|n| n.channel == NoticeChannel::Sms)
        .map(|n| (n.customer_no.to_string(), n.recipient.clone()))
        .collect();
    assert_eq!(got, phones, "each customer's first phone, in clear");
    assert!(a.iter().chain(&b).all(|n| match n.channel {
        NoticeChannel::Sms => n.body == "停电预告",
        NoticeChannel::Email => n.body == "邮件" && n.recipient.contains('@'),
    }));
    assert!(
        store
            .claim_notices("c", t(1), t(3), 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Only the holder records an outcome.
    let sent = Delivery::Sent { at: t(1) };
    assert!(!store.finish_notice(a[0].id, "b", &sent).await.unwrap());
    assert!(store.finish_notice(a[0].id, "a", &sent).await.unwrap());
    assert!(
        !store.finish_notice(a[0].id, "a", &sent).await.unwrap(),
        "once"
    );

    // a "crashes" with a[1] in hand: after its lease, the message is taken up again, same id.
    assert!(
        store
            .claim_notices("c", t(2) - jiff::SignedDuration::from_secs(1), t(5), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let again = store.claim_notices("c", t(2), t(5), 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].id, again[0].attempts), (a[1].id, 2));
    assert!(
        !store.finish_notice(a[1].id, "a", &sent).await.unwrap(),
        "a lost it"
    );

    // A retry waits for its time; a failure is final.
    let retry = Delivery::Retry {
        at: t(3),
        next: t(10),
        error: "gateway 503".into(),
    };
    assert!(store.finish_notice(a[1].id, "c", &retry).await.unwrap());
    let failed = Delivery::Failed {
        at: t(3),
        error: "unknown number".into(),
    };
    assert!(store.finish_notice(b[0].id, "b", &failed).await.unwrap());
    for n in &b[1..] {
        assert!(
            store
                .finish_notice(n.id, "b", &Delivery::Sent { at: t(2) })
                .await
                .unwrap()
        );
    }
    assert!(
        store
            .claim_notices("c", t(9), t(20), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let due = store.claim_notices("c", t(10), t(20), 10).await.unwrap();
    assert_eq!((due.len(), due[0].id, due[0].attempts), (1, a[1].id, 3));

    let counts = store.notice_counts(id).await.unwrap();
    let of = |s: DeliveryStatus| -> i64 {
        counts
            .iter()
            .filter(|c| c.status == s)
            .map(|c| c.count)
            .sum()
    };
    assert_eq!(of(DeliveryStatus::Failed), 1);
    assert_eq!(of(DeliveryStatus::Sending), 1);
    assert_eq!(of(DeliveryStatus::Pending), 0);
    assert_eq!(of(DeliveryStatus::Sent) as usize, phones.len() + emails - 2);
    let rows = store.notices(id, 100).await.unwrap();
    assert_eq!(rows.len(), phones.len() + emails);
    assert_eq!(rows[0].status, DeliveryStatus::Failed, "failures first");
    assert_eq!(rows[0].error.as_deref(), Some("unknown number"));
    let first = rows.iter().find(|r| r.id == a[0].id).unwrap();
    assert_eq!(first.sent_at, Some(t(1)));
}

pub async fn outage_tasks_reach_key_customers_once_and_record_who_how_and_ack(store: &dyn Store) {
    let id = outage_over_every_fixture_customer(store).await;
    let key: BTreeSet<String> = fixtures::customers()
        .iter()
        .filter(|c| {
            c.important_grade != ImportantGrade::None
                || c.is_high_voltage()
                || c.institution != Institution::None
        })
        .map(|c| c.customer_no.to_string())
        .collect();
    assert!(!key.is_empty() && key.len() < fixtures::customers().len());
    let added = store
        .create_outage_tasks(id, TaskKind::PersonalNotice, t(100))
        .await
        .unwrap();
    assert_eq!(added, key.len() as u64);
    assert_eq!(
        store
            .create_outage_tasks(id, TaskKind::PersonalNotice, t(100))
            .await
            .unwrap(),
        0
    );
    store
        .create_outage_tasks(id, TaskKind::Callback, t(200))
        .await
        .unwrap();
    let tasks = store.outage_tasks(id).await.unwrap();
    assert_eq!(tasks.len(), 2 * key.len());
    let got: BTreeSet<String> = tasks.iter().map(|t| t.customer_no.to_string()).collect();
    assert_eq!(got, key);
    let managed = fixtures::customers()
        .into_iter()
        .filter(|c| {
            key.contains(c.customer_no.as_str())
                && c.customer_manager.as_ref().map(|m| m.as_str()) == Some("chenjing")
        })
        .count();
    let mine = store
        .open_outage_tasks(Some("chenjing"), 100)
        .await
        .unwrap();
    assert_eq!(mine.len(), 2 * managed);
    assert!(
        mine.windows(2).all(|w| w[0].due <= w[1].due),
        "earliest first"
    );

    let task = &tasks[0];
    assert!(task.done.is_none() && !task.customer_name.is_empty());
    let done = TaskDone {
        at: t(50),
        by: "staff:chenjing".into(),
        method: ContactMethod::Phone,
        acknowledged_by: Some("王经理".into()),
        note: Some("已安排自备电源".into()),
    };
    let TaskUpdate::Done(d) = store.complete_outage_task(task.id, &done).await.unwrap() else {
        panic!("first completion records")
    };
    assert_eq!(d.done.as_ref(), Some(&done));
    let later = TaskDone {
        by: "staff:other".into(),
        ..done.clone()
    };
    let TaskUpdate::AlreadyDone(d) = store.complete_outage_task(task.id, &later).await.unwrap()
    else {
        panic!("second completion is refused")
    };
    assert_eq!(
        d.done.map(|x| x.by),
        Some("staff:chenjing".into()),
        "first record kept"
    );
    assert_eq!(
        store.complete_outage_task(i64::MAX, &done).await.unwrap(),
        TaskUpdate::NotFound
    );
    let open = store.open_outage_tasks(None, 1000).await.unwrap();
    assert_eq!(open.len(), 2 * key.len() - 1);
    assert!(open.iter().all(|o| o.id != task.id));
}
