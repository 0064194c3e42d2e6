//! Conformance cases of [`crate::OutageStore`]: the customers an outage reaches, computed in
//! SQL, are exactly those the domain rule names on the fixture topology (dual supply included),
//! for every substation, feeder, pair of feeders and area; steps are versioned and recorded; a
//! customer sees the open outages that reach them.

use crate::Store;
use crate::StoreError;
use crate::conformance::fixtures::{self, code, no};
use crate::outage::{NewOutage, OutageEvent, OutageStep, OutageUpdate};
use griddesk_domain::outage::{Grid, OutSet, OutageAction, OutageKind, OutageScope, OutageStatus};
use griddesk_domain::values::{Code, CustomerNo};
use jiff::Timestamp;

fn t(min: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + min * 60).expect("fixture time")
}

struct FixtureGrid;

impl Grid for FixtureGrid {
    fn feeders_of(&self, s: &Code) -> Vec<Code> {
        fixtures::feeders()
            .into_iter()
            .filter(|f| &f.substation == s)
            .map(|f| f.code)
            .collect()
    }
    fn feeder_of_area(&self, a: &Code) -> Option<Code> {
        fixtures::areas()
            .into_iter()
            .find(|x| &x.code == a)
            .map(|x| x.feeder)
    }
}

fn outage(kind: OutageKind, scope: OutageScope, start: i64) -> NewOutage {
    NewOutage {
        kind,
        title: "10kV线路检修".into(),
        cause: "线路检修".into(),
        scope,
        start: t(start),
        eta: Some(t(start + 240)),
        created_by: "staff:dispatcher01".into(),
        created_at: t(0),
    }
}

fn expected(scope: &OutageScope) -> Vec<CustomerNo> {
    let set = OutSet::resolve(scope, &FixtureGrid);
    let mut v: Vec<CustomerNo> = fixtures::customers()
        .into_iter()
        .filter(|c| set.affects(&c.customer_no, &c.connection, &FixtureGrid))
        .map(|c| c.customer_no)
        .collect();
    v.sort();
    v
}

pub async fn outage_impact_agrees_with_the_topology_rule(store: &dyn Store) {
    fixtures::load(store).await;
    let mut scopes: Vec<OutageScope> = Vec::new();
    for s in fixtures::substations() {
        scopes.push(OutageScope::Substation(s.code));
    }
    let feeders = fixtures::feeders();
    for f in &feeders {
        scopes.push(OutageScope::Feeders(vec![f.code.clone()]));
        for g in &feeders {
            if f.code < g.code {
                scopes.push(OutageScope::Feeders(vec![f.code.clone(), g.code.clone()]));
            }
        }
    }
    for a in fixtures::areas() {
        scopes.push(OutageScope::Areas(vec![a.code]));
    }
    let some = fixtures::customers()[0].customer_no.clone();
    scopes.push(OutageScope::Customers(vec![some]));
    let mut dual_seen = false;
    for scope in scopes {
        let o = store
            .create_outage(&outage(OutageKind::Planned, scope.clone(), 10_000))
            .await
            .expect("create");
        let got = store
            .outage_customers(o.id, 100_000)
            .await
            .expect("customers");
        let want = expected(&scope);
        assert_eq!(got, want, "impact of {scope:?}");
        assert_eq!(o.affected, want.len() as i64);
        assert_eq!(o.status, OutageStatus::Planned);
        assert_eq!(o.scope, scope);
        // One feeder of a dual-supply customer is not enough; both are.
        if let OutageScope::Feeders(v) = &scope {
            for c in fixtures::customers() {
                if let griddesk_domain::customer::Connection::Feeder {
                    feeder,
                    backup: Some(b),
                } = &c.connection
                {
                    let both = v.contains(feeder) && v.contains(b);
                    assert_eq!(got.contains(&c.customer_no), both, "{scope:?}");
                    dual_seen |= both;
                }
            }
        }
    }
    assert!(dual_seen, "the fixtures have a dual-supply customer");

    // Unknown devices are refused and record nothing.
    let before = store.outages(true, 1000).await.unwrap().len();
    for bad in [
        OutageScope::Substation(code("SUB-NONE")),
        OutageScope::Feeders(vec![code("F-NONE")]),
        OutageScope::Areas(vec![code("TA-NONE")]),
        OutageScope::Customers(vec![no("9999999999")]),
    ] {
        let e = store
            .create_outage(&outage(OutageKind::Planned, bad, 10_000))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::MissingReference { .. }), "{e}");
    }
    assert_eq!(store.outages(true, 1000).await.unwrap().len(), before);
}

pub async fn outage_steps_are_versioned_and_customers_see_open_outages(store: &dyn Store) {
    fixtures::load(store).await;
    let area = fixtures::areas()[0].code.clone();
    let inside = expected(&OutageScope::Areas(vec![area.clone()]));
    let someone = inside[0].clone();
    let fault = store
        .create_outage(&outage(
            OutageKind::Fault,
            OutageScope::Areas(vec![area]),
            5,
        ))
        .await
        .unwrap();
    assert_eq!(fault.status, OutageStatus::Suspected);
    let planned = store
        .create_outage(&outage(
            OutageKind::Planned,
            OutageScope::Customers(vec![someone.clone()]),
            3000,
        ))
        .await
        .unwrap();
    let mine = store.outages_of_customer(&someone).await.unwrap();
    assert_eq!(
        mine.iter().map(|o| o.id).collect::<Vec<_>>(),
        [fault.id, planned.id],
        "out now first, then the planned one"
    );
    let outside = fixtures::customers()
        .into_iter()
        .map(|c| c.customer_no)
        .find(|n| !inside.contains(n))
        .unwrap();
    assert!(
        store
            .outages_of_customer(&outside)
            .await
            .unwrap()
            .is_empty()
    );

    let step = |v: i64, status: OutageStatus, action: OutageAction, at: i64| OutageStep {
        expected_version: v,
        status,
        eta: Some(t(at + 60)),
        restored_at: (status == OutageStatus::Restored).then(|| t(at)),
        event: OutageEvent {
            at: t(at),
            actor: "staff:dispatcher01".into(),
            actor_name: "调度员".into(),
            action,
            status,
            note: None,
        },
        notify: None,
    };
    let s = step(1, OutageStatus::Confirmed, OutageAction::Confirm, 10);
    let OutageUpdate::Updated(o) = store.step_outage(fault.id, &s).await.unwrap() else {
        panic!("not updated");
    };
    assert_eq!(
        (o.version, o.status, o.eta),
        (2, OutageStatus::Confirmed, Some(t(70)))
    );
    // A stale version changes nothing.
    let stale = step(1, OutageStatus::Restored, OutageAction::Restore, 20);
    assert_eq!(
        store.step_outage(fault.id, &stale).await.unwrap(),
        OutageUpdate::Conflict(o.clone())
    );
    let done = step(2, OutageStatus::Restored, OutageAction::Restore, 30);
    let OutageUpdate::Updated(r) = store.step_outage(fault.id, &done).await.unwrap() else {
        panic!("not restored");
    };
    assert_eq!(r.restored_at, Some(t(30)));
    assert_eq!(
        store.step_outage(fault.id + 1000, &done).await.unwrap(),
        OutageUpdate::NotFound
    );
    let history = store.outage_events(fault.id).await.unwrap();
    assert_eq!(
        history.iter().map(|e| e.status).collect::<Vec<_>>(),
        [
            OutageStatus::Suspected,
            OutageStatus::Confirmed,
            OutageStatus::Restored
        ]
    );
    // Restored outages feed the reliability indices of the period they started in.
    let ended = store.restored_outages(t(0), t(100)).await.unwrap();
    assert_eq!(ended.iter().map(|o| o.id).collect::<Vec<_>>(), [fault.id]);
    assert!(
        store
            .restored_outages(t(6), t(100))
            .await
            .unwrap()
            .is_empty(),
        "started before"
    );
    // By unit and area type: the fault's customers, and the archive's, grouped as the fixture.
    let group = |cs: Vec<griddesk_domain::customer::Customer>| {
        let mut m: std::collections::BTreeMap<(String, String), i64> = Default::default();
        for c in cs {
            *m.entry((c.org_unit.to_string(), c.area_type.code().to_owned()))
                .or_default() += 1;
        }
        m
    };
    let as_map = |v: Vec<crate::outage::GroupCount>| {
        v.into_iter()
            .map(|g| ((g.org_unit, g.area_type), g.customers))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let reached = store.outage_customers(fault.id, 1000).await.unwrap();
    let groups = store.restored_outage_groups(t(0), t(100)).await.unwrap();
    assert!(groups.iter().all(|g| g.outage_id == fault.id));
    assert_eq!(
        as_map(groups),
        group(
            fixtures::customers()
                .into_iter()
                .filter(|c| reached.contains(&c.customer_no))
                .collect()
        )
    );
    assert_eq!(
        as_map(store.customers_by_group().await.unwrap()),
        group(fixtures::customers())
    );
    // Restored outages leave the customer's list and the open board.
    let mine = store.outages_of_customer(&someone).await.unwrap();
    assert_eq!(mine.iter().map(|o| o.id).collect::<Vec<_>>(), [planned.id]);
    let open = store.outages(false, 100).await.unwrap();
    assert_eq!(open.iter().map(|o| o.id).collect::<Vec<_>>(), [planned.id]);
    assert_eq!(store.outages(true, 100).await.unwrap().len(), 2);
}

/// An order taken by an agent at fixture minute `min` from customer `no`, with its first event.
fn repair_call(
    no: &CustomerNo,
    kind: griddesk_domain::workorder::OrderType,
    min: i64,
    key: String,
) -> (crate::workorder::NewWorkOrder, crate::workorder::OrderEvent) {
    use griddesk_domain::workorder::{Channel, Status};
    let o = crate::workorder::NewWorkOrder {
        order_type: kind,
        channel: Channel::Phone95598,
        customer_no: Some(no.clone()),
        contact_name: "报修人".into(),
        contact_phone: None,
        subject: "停电".into(),
        description: String::new(),
        owner: "staff:zhangli".into(),
        owner_name: "张丽".into(),
        org_unit: None,
        tier: 3,
        accepted_at: t(min),
        idempotency_key: Some(key),
        deadlines: vec![],
    };
    let e = crate::workorder::OrderEvent {
        at: t(min),
        actor: "staff:zhangli".into(),
        actor_name: "张丽".into(),
        action: "accept".into(),
        from: None,
        to: Status::Accepted,
        note: None,
        data: None,
    };
    (o, e)
}

pub async fn repair_calls_near_an_order_are_its_feeders_calls(store: &dyn Store) {
    use griddesk_domain::customer::Connection;
    use griddesk_domain::workorder::OrderType;
    fixtures::load(store).await;
    // Customers at distinct places (area or feeder-direct), so calls fall on several feeders.
    let place = |c: &griddesk_domain::customer::Customer| match &c.connection {
        Connection::Area { area } => (
            FixtureGrid.feeder_of_area(area).unwrap(),
            Some(area.clone()),
        ),
        Connection::Feeder { feeder, .. } => (feeder.clone(), None),
    };
    let mut seen = std::collections::BTreeSet::new();
    let callers: Vec<_> = fixtures::customers()
        .into_iter()
        .filter(|c| seen.insert(place(c)))
        .take(8)
        .collect();
    let mut calls = Vec::new();
    let order = |i: usize, c: &griddesk_domain::customer::Customer, kind, min| {
        repair_call(&c.customer_no, kind, min, format!("call-{i}"))
    };
    for (i, c) in callers.iter().enumerate() {
        let (o, e) = order(i, c, OrderType::FaultRepair, 1 + i as i64);
        let id = store.create_work_order(&o, &e).await.unwrap().0.id;
        calls.push((id, place(c), c.customer_no.clone()));
    }
    // Neither a complaint nor a call before `since` is a repair call near anything.
    for (i, kind, min) in [
        (100, OrderType::Complaint, 3),
        (101, OrderType::FaultRepair, -30),
    ] {
        let (o, e) = order(i, &callers[0], kind, min);
        store.create_work_order(&o, &e).await.unwrap();
    }
    let mut excluded = 0;
    for (id, (feeder, _), _) in &calls {
        let near = store.repair_calls_near(*id, t(0)).await.unwrap();
        // Exactly the calls on this order's feeder, oldest first, each with its place resolved.
        let want: Vec<_> = calls.iter().filter(|c| &c.1.0 == feeder).collect();
        excluded += calls.len() - want.len();
        assert_eq!(
            near.iter().map(|c| c.order_id).collect::<Vec<_>>(),
            want.iter().map(|c| c.0).collect::<Vec<_>>()
        );
        for (got, w) in near.iter().zip(&want) {
            assert_eq!((&got.feeder, &got.area), (&w.1.0, &w.1.1));
            assert_eq!(got.customer, w.2);
        }
    }
    assert!(excluded > 0, "the fixture calls span more than one feeder");

    // A call stays where its customer hung when calling: moved to an area of another feeder,
    // the customer's earlier call still counts on the old feeder, a new one on the new feeder.
    let (moved_id, (old_feeder, _), _) = calls[0].clone();
    let (new_feeder, new_area) = calls
        .iter()
        .find_map(|(_, (f, a), _)| {
            a.clone()
                .filter(|_| *f != old_feeder)
                .map(|a| (f.clone(), a))
        })
        .expect("a caller in an area of another feeder");
    let mut moved = callers[0].clone();
    moved.connection = Connection::Area {
        area: new_area.clone(),
    };
    store.upsert_customers(&[moved.clone()]).await.unwrap();
    let near = store.repair_calls_near(moved_id, t(0)).await.unwrap();
    let mine = near.iter().find(|c| c.order_id == moved_id).unwrap();
    assert_eq!(mine.feeder, old_feeder);
    let (o, e) = order(200, &moved, OrderType::FaultRepair, 20);
    let again = store.create_work_order(&o, &e).await.unwrap().0.id;
    let near = store.repair_calls_near(again, t(0)).await.unwrap();
    assert!(near.iter().all(|c| c.feeder == new_feeder));
    let mine = near.iter().find(|c| c.order_id == again).unwrap();
    assert_eq!(mine.area.as_ref(), Some(&new_area));
    assert!(near.iter().all(|c| c.order_id != moved_id));
}

pub async fn open_faults_on_a_feeder_are_found_by_their_devices(store: &dyn Store) {
    use griddesk_domain::outage::OpenFault;
    fixtures::load(store).await;
    let f = |s: &str| code(s);
    let fault = |scope, start| outage(OutageKind::Fault, scope, start);
    let mut ids = std::collections::BTreeMap::new();
    for (name, o) in [
        ("area", fault(OutageScope::Areas(vec![f("TA-QS-01")]), 1)),
        (
            "feeder",
            fault(OutageScope::Feeders(vec![f("F-QS-201")]), 2),
        ),
        // Two areas on two feeders: found from either, with both areas.
        (
            "two-areas",
            fault(OutageScope::Areas(vec![f("TA-QS-02"), f("TA-BS-01")]), 3),
        ),
        (
            "elsewhere",
            fault(OutageScope::Feeders(vec![f("F-JD-101")]), 4),
        ),
        (
            "planned",
            outage(
                OutageKind::Planned,
                OutageScope::Feeders(vec![f("F-QS-201")]),
                5,
            ),
        ),
        ("substation", fault(OutageScope::Substation(f("SUB-QS")), 6)),
        (
            "cancelled",
            fault(OutageScope::Areas(vec![f("TA-QS-02")]), 7),
        ),
        (
            "confirmed",
            fault(OutageScope::Areas(vec![f("TA-QS-02")]), 8),
        ),
    ] {
        ids.insert(name, store.create_outage(&o).await.unwrap().id);
    }
    let step = |status, action| OutageStep {
        expected_version: 1,
        status,
        eta: None,
        restored_at: None,
        event: OutageEvent {
            at: t(9),
            actor: "staff:dispatcher01".into(),
            actor_name: "调度员".into(),
            action,
            status,
            note: None,
        },
        notify: None,
    };
    for (name, status, action) in [
        ("cancelled", OutageStatus::Cancelled, OutageAction::Cancel),
        ("confirmed", OutageStatus::Confirmed, OutageAction::Confirm),
    ] {
        let s = step(status, action);
        assert!(matches!(
            store.step_outage(ids[name], &s).await.unwrap(),
            OutageUpdate::Updated(_)
        ));
    }
    let open = |name: &str, suspected, feeders: &[&str], areas: &[(&str, &str)]| OpenFault {
        id: ids[name],
        suspected,
        feeders: feeders.iter().map(|c| f(c)).collect(),
        areas: areas.iter().map(|(a, b)| (f(a), f(b))).collect(),
    };
    // Newest start first; the planned, substation-wide, cancelled and other-feeder ones are not
    // faults this feeder's calls could join.
    assert_eq!(
        store.open_faults_on(&f("F-QS-201")).await.unwrap(),
        [
            open("confirmed", false, &[], &[("TA-QS-02", "F-QS-201")]),
            open(
                "two-areas",
                true,
                &[],
                &[("TA-BS-01", "F-QS-202"), ("TA-QS-02", "F-QS-201")]
            ),
            open("feeder", true, &["F-QS-201"], &[]),
            open("area", true, &[], &[("TA-QS-01", "F-QS-201")]),
        ]
    );
    assert_eq!(
        store.open_faults_on(&f("F-QS-202")).await.unwrap(),
        [open(
            "two-areas",
            true,
            &[],
            &[("TA-BS-01", "F-QS-202"), ("TA-QS-02", "F-QS-201")]
        )]
    );
    assert!(store.open_faults_on(&f("F-NONE")).await.unwrap().is_empty());
}

/// Where a fixture customer hangs: (substation, feeder, area), on its main feeder.
fn place_of(no: &CustomerNo) -> (Code, Code, Option<Code>) {
    use griddesk_domain::customer::Connection;
    let c = fixtures::customers()
        .into_iter()
        .find(|c| &c.customer_no == no)
        .expect("a fixture customer");
    let (feeder, area) = match c.connection {
        Connection::Area { area } => (
            FixtureGrid.feeder_of_area(&area).expect("area's feeder"),
            Some(area),
        ),
        Connection::Feeder { feeder, .. } => (feeder, None),
    };
    let sub = fixtures::feeders()
        .into_iter()
        .find(|f| f.code == feeder)
        .expect("feeder")
        .substation;
    (sub, feeder, area)
}

pub async fn the_topology_tree_counts_customers_of_open_outages_per_node(store: &dyn Store) {
    use crate::outage::{GridNode, NodeImpact};
    use std::collections::{BTreeMap, BTreeSet};
    /// Per child node: its name and (customers, out now, outage ids).
    type Want = BTreeMap<Option<Code>, (String, (i64, i64, BTreeSet<i64>))>;
    fixtures::load(store).await;
    let areas = fixtures::areas();
    let feeders = fixtures::feeders();
    // An announced area outage, a fault on a feeder (out now), a named customer of the same
    // area as the first (counted once), a whole substation that was restored (not counted).
    let announced = store
        .create_outage(&outage(
            OutageKind::Planned,
            OutageScope::Areas(vec![areas[0].code.clone()]),
            600,
        ))
        .await
        .unwrap();
    let fault = store
        .create_outage(&outage(
            OutageKind::Fault,
            OutageScope::Feeders(vec![feeders[1].code.clone()]),
            0,
        ))
        .await
        .unwrap();
    let named = expected(&OutageScope::Areas(vec![areas[0].code.clone()]))[0].clone();
    let hv = fixtures::customers()
        .into_iter()
        .find(|c| {
            matches!(
                c.connection,
                griddesk_domain::customer::Connection::Feeder { .. }
            )
        })
        .expect("a customer straight on a feeder")
        .customer_no;
    let personal = store
        .create_outage(&outage(
            OutageKind::Arrears,
            OutageScope::Customers(vec![named, hv]),
            60,
        ))
        .await
        .unwrap();
    let sub = fixtures::substations()[0].code.clone();
    let gone = store
        .create_outage(&outage(
            OutageKind::Planned,
            OutageScope::Substation(sub),
            0,
        ))
        .await
        .unwrap();
    let restored = OutageStep {
        expected_version: gone.version,
        status: OutageStatus::Restored,
        eta: None,
        restored_at: Some(t(60)),
        event: OutageEvent {
            at: t(60),
            actor: "staff:dispatcher01".into(),
            actor_name: "调度员".into(),
            action: OutageAction::Restore,
            status: OutageStatus::Restored,
            note: None,
        },
        notify: None,
    };
    assert!(matches!(
        store.step_outage(gone.id, &restored).await.unwrap(),
        OutageUpdate::Updated(_)
    ));
    assert!(fault.status.is_out() && !announced.status.is_out());

    // Expected by plain Rust from the stored impact and the fixture topology.
    let open = [&announced, &fault, &personal];
    let mut hits: Vec<(i64, bool, CustomerNo)> = Vec::new();
    for o in open {
        for c in store.outage_customers(o.id, 100_000).await.unwrap() {
            hits.push((o.id, o.status.is_out(), c));
        }
    }
    assert!(!hits.is_empty());
    let count = |under: &dyn Fn(&CustomerNo) -> bool| {
        let mut customers = BTreeSet::new();
        let mut out = BTreeSet::new();
        let mut outages = BTreeSet::new();
        for (id, is_out, c) in &hits {
            if under(c) {
                customers.insert(c.clone());
                if *is_out {
                    out.insert(c.clone());
                }
                outages.insert(*id);
            }
        }
        (customers.len() as i64, out.len() as i64, outages)
    };
    let check = |got: Vec<NodeImpact>, want: Want| {
        let got: BTreeMap<Option<Code>, (String, i64, i64, i64)> = got
            .into_iter()
            .map(|n| (n.code, (n.name, n.customers, n.out_now, n.outages)))
            .collect();
        let want: BTreeMap<Option<Code>, (String, i64, i64, i64)> = want
            .into_iter()
            .filter(|(_, (_, (n, _, _)))| *n > 0)
            .map(|(k, (name, (n, o, ids)))| (k, (name, n, o, ids.len() as i64)))
            .collect();
        assert_eq!(got, want);
    };
    let root = store.outage_impact(None).await.unwrap();
    // Most customers first.
    assert!(root.windows(2).all(|w| w[0].customers >= w[1].customers));
    check(
        root,
        fixtures::substations()
            .into_iter()
            .map(|s| {
                let counts = count(&|c| place_of(c).0 == s.code);
                (Some(s.code), (s.name, counts))
            })
            .collect(),
    );
    for s in fixtures::substations() {
        let got = store
            .outage_impact(Some(&GridNode::Substation(s.code.clone())))
            .await
            .unwrap();
        check(
            got,
            feeders
                .iter()
                .filter(|f| f.substation == s.code)
                .map(|f| {
                    (
                        Some(f.code.clone()),
                        (f.name.clone(), count(&|c| place_of(c).1 == f.code)),
                    )
                })
                .collect(),
        );
    }
    let mut direct_seen = false;
    for f in &feeders {
        let got = store
            .outage_impact(Some(&GridNode::Feeder(f.code.clone())))
            .await
            .unwrap();
        direct_seen |= got.iter().any(|n| n.code.is_none() && n.customers > 0);
        if let Some((_, rest)) = got.split_last() {
            assert!(
                rest.iter().all(|n| n.code.is_some()),
                "direct customers last"
            );
        }
        let mut want: Want = areas
            .iter()
            .filter(|a| a.feeder == f.code)
            .map(|a| {
                (
                    Some(a.code.clone()),
                    (
                        a.name.clone(),
                        count(&|c| place_of(c).2.as_ref() == Some(&a.code)),
                    ),
                )
            })
            .collect();
        want.insert(
            None,
            (
                String::new(),
                count(&|c| {
                    let p = place_of(c);
                    p.1 == f.code && p.2.is_none()
                }),
            ),
        );
        check(got, want);
    }
    assert!(
        direct_seen,
        "the named high-voltage customer counts under its feeder directly"
    );
    assert!(
        store
            .outage_impact(Some(&GridNode::Area(areas[0].code.clone())))
            .await
            .unwrap()
            .is_empty()
    );

    // The open outages under a node: those reaching one of its customers, newest first.
    let nodes = fixtures::substations()
        .into_iter()
        .map(|s| GridNode::Substation(s.code))
        .chain(feeders.iter().map(|f| GridNode::Feeder(f.code.clone())))
        .chain(areas.iter().map(|a| GridNode::Area(a.code.clone())));
    for node in nodes {
        let under = |c: &CustomerNo| {
            let (s, f, a) = place_of(c);
            match &node {
                GridNode::Substation(x) => &s == x,
                GridNode::Feeder(x) => &f == x,
                GridNode::Area(x) => a.as_ref() == Some(x),
            }
        };
        let mut want: Vec<&crate::outage::Outage> = open
            .iter()
            .copied()
            .filter(|o| hits.iter().any(|(id, _, c)| *id == o.id && under(c)))
            .collect();
        want.sort_by_key(|o| std::cmp::Reverse((o.start, o.id)));
        let got: Vec<i64> = store
            .open_outages_at(&node, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.id)
            .collect();
        assert_eq!(
            got,
            want.iter().map(|o| o.id).collect::<Vec<_>>(),
            "{node:?}"
        );
    }
}

/// A fault raised from repair calls is written with its follow-up in one transaction: the
/// outage, its audit record, the outage it takes in cancelled and the calls merged, each note
/// naming the new id; a call that moved on since it was read is reported and left alone; and a
/// follow-up that cannot be written leaves nothing at all, not an outage without its merges.
pub async fn a_raised_fault_is_written_with_its_follow_up_or_not_at_all(store: &dyn Store) {
    use crate::access::AuditQuery;
    use crate::outage::{FaultFollowUp, OrderChange};
    use crate::workorder::{OrderEvent, OrderUpdate, UpdateOutcome};
    use griddesk_domain::access::{Actor, AuditAction, AuditEntry};
    use griddesk_domain::customer::Connection;
    use griddesk_domain::workorder::{OrderType, Status};
    fixtures::load(store).await;
    let (area, callers) = fixtures::customers()
        .into_iter()
        .filter_map(|c| match &c.connection {
            Connection::Area { area } => Some((area.clone(), c.customer_no.clone())),
            Connection::Feeder { .. } => None,
        })
        .fold(
            std::collections::BTreeMap::<Code, Vec<CustomerNo>>::new(),
            |mut m, (a, n)| {
                m.entry(a).or_default().push(n);
                m
            },
        )
        .into_iter()
        .max_by_key(|(_, v)| v.len())
        .expect("an area with customers");
    assert!(callers.len() >= 2, "an area with two customers or more");
    let event = |at: Timestamp, action: &str, to: Status, note: Option<String>| OrderEvent {
        at,
        actor: "system:fault-inference".into(),
        actor_name: "fault-inference".into(),
        action: action.into(),
        from: None,
        to,
        note,
        data: None,
    };
    let mut orders = Vec::new();
    for (i, c) in callers.iter().take(3).enumerate() {
        let (o, e) = repair_call(c, OrderType::FaultRepair, i as i64, format!("raise-{i}"));
        orders.push(store.create_work_order(&o, &e).await.unwrap().0);
    }
    let earlier = store
        .create_outage(&outage(
            OutageKind::Fault,
            OutageScope::Areas(vec![area.clone()]),
            0,
        ))
        .await
        .unwrap();
    let sweeper = Actor::System {
        name: "fault-inference".into(),
    };
    let merge = |o: &crate::workorder::WorkOrder, id: i64, org_unit: Option<Code>| OrderChange {
        id: o.id,
        expected_version: o.version,
        update: OrderUpdate {
            status: Status::Merged,
            arrived: false,
            paused_since: None,
            paused: jiff::SignedDuration::ZERO,
            org_unit,
            outage: Some(id.to_string()),
            met: vec![],
        },
        event: event(
            t(5),
            "merge",
            Status::Merged,
            Some(format!("疑似故障停电 #{id}")),
        ),
        audit: AuditEntry::new(
            &sweeper,
            AuditAction::OrderAction,
            "work_order",
            o.id.to_string(),
            "test",
            t(5),
        ),
    };
    let raise = || NewOutage {
        title: "疑似台区停电".into(),
        ..outage(OutageKind::Fault, OutageScope::Areas(vec![area.clone()]), 1)
    };
    let open_before = store.outages(false, 100).await.unwrap().len();

    // A follow-up that cannot be written (a merge into a unit that does not exist) leaves
    // nothing: no outage, the calls as they were.
    let bad = |out: &crate::outage::Outage| FaultFollowUp {
        orders: vec![merge(&orders[1], out.id, Some(code("NO-SUCH-UNIT")))],
        ..FaultFollowUp::default()
    };
    assert!(store.raise_fault(&raise(), &bad).await.is_err());
    assert_eq!(store.outages(false, 100).await.unwrap().len(), open_before);
    let kept = store.work_order(orders[1].id).await.unwrap().unwrap();
    assert_eq!(
        (kept.status, kept.version),
        (orders[1].status, orders[1].version)
    );

    // The third call moves on before the raise writes: it is reported, not merged.
    let moved = match store
        .update_work_order(
            orders[2].id,
            orders[2].version,
            &OrderUpdate {
                status: Status::Accepted,
                arrived: false,
                paused_since: None,
                paused: jiff::SignedDuration::ZERO,
                org_unit: None,
                outage: None,
                met: vec![],
            },
            &event(t(4), "note", Status::Accepted, None),
        )
        .await
        .unwrap()
    {
        UpdateOutcome::Updated(w) => w,
        other => panic!("{other:?}"),
    };
    let follow = |out: &crate::outage::Outage| FaultFollowUp {
        audit: vec![AuditEntry::new(
            &sweeper,
            AuditAction::OutageRecorded,
            "outage",
            out.id.to_string(),
            "test",
            t(5),
        )],
        steps: vec![(
            earlier.id,
            OutageStep {
                expected_version: earlier.version,
                status: OutageStatus::Cancelled,
                eta: earlier.eta,
                restored_at: None,
                event: OutageEvent {
                    at: t(5),
                    actor: sweeper.audit_id(),
                    actor_name: sweeper.display_name(),
                    action: OutageAction::Cancel,
                    status: OutageStatus::Cancelled,
                    note: Some(format!("并入 #{}", out.id)),
                },
                notify: None,
            },
        )],
        orders: orders[1..].iter().map(|o| merge(o, out.id, None)).collect(),
    };
    let raised = store.raise_fault(&raise(), &follow).await.unwrap();
    let out = &raised.outage;
    assert_eq!(out.status, OutageStatus::Suspected);
    assert_eq!(
        store.outage_customers(out.id, 1000).await.unwrap(),
        expected(&OutageScope::Areas(vec![area.clone()]))
    );
    let cancelled = |e: &crate::outage::Outage| e.status == OutageStatus::Cancelled;
    assert!(matches!(&raised.steps[..], [OutageUpdate::Updated(e)] if cancelled(e)));
    let notes: Vec<_> = store
        .outage_events(earlier.id)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| e.note)
        .collect();
    assert!(notes.contains(&format!("并入 #{}", out.id)), "{notes:?}");
    match &raised.orders[..] {
        [UpdateOutcome::Updated(a), UpdateOutcome::Conflict(b)] => {
            assert_eq!((a.id, a.status), (orders[1].id, Status::Merged));
            assert_eq!(a.outage, Some(out.id.to_string()));
            assert_eq!(b, &moved);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        store.work_order(orders[2].id).await.unwrap().unwrap(),
        moved
    );
    let audited = |kind: &str, target: String| AuditQuery {
        target_kind: Some(kind.into()),
        target: Some(target),
        limit: 10,
        ..AuditQuery::default()
    };
    let n = |q| async move { store.search_audit(&q).await.unwrap().len() };
    assert_eq!(n(audited("outage", out.id.to_string())).await, 1);
    assert_eq!(n(audited("work_order", orders[1].id.to_string())).await, 1);
    assert_eq!(n(audited("work_order", orders[2].id.to_string())).await, 0);
    // The trail reads in the order of events: the outage recorded, then the calls merged into it.
    let id_of = |q| async move { store.search_audit(&q).await.unwrap()[0].id };
    assert!(
        id_of(audited("outage", out.id.to_string())).await
            < id_of(audited("work_order", orders[1].id.to_string())).await
    );
}
