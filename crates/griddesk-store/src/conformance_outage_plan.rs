//! Conformance cases of [`crate::OutagePlanStore`]: plan rows keyed by job id (an unchanged
//! re-import writes nothing, only drafts change), issuing several rows into one outage all or
//! none, what a scope cuts agreeing with the domain's impact rule on the fixture topology, and
//! the planned outages of a period.

use crate::Store;
use crate::conformance::fixtures::{self, code};
use crate::outage::NewOutage;
use crate::outage_plan::PlanUpdate;
use griddesk_domain::customer::Connection;
use griddesk_domain::outage::{OutageKind, OutageScope};
use griddesk_domain::outage_plan::{PlanKind, PlanRow, PlanStatus};
use jiff::Timestamp;

fn t(hours: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + hours * 3600).expect("fixture time")
}

fn row(job: &str, scope: OutageScope, start: i64) -> PlanRow {
    PlanRow {
        kind: PlanKind::Weekly,
        job_id: code(job),
        title: format!("{job} 线路检修"),
        scope,
        planned_start: t(start),
        planned_end: t(start + 8),
        work_content: "更换绝缘子".into(),
        responsible_unit: code("JZ-CQ-DC"),
        reason: "设备检修".into(),
    }
}

fn areas(v: &[&str]) -> OutageScope {
    OutageScope::Areas(v.iter().map(|a| code(a)).collect())
}

pub async fn outage_plans_are_keyed_by_job_and_only_drafts_change(store: &dyn Store) {
    fixtures::load(store).await;
    let a = row("W01", areas(&["TA-DF-01"]), 200);
    let b = row("W02", OutageScope::Feeders(vec![code("F-QS-201")]), 100);
    assert_eq!(
        store
            .upsert_outage_plans(&[a.clone(), b.clone()], "staff:wangqiang", t(0))
            .await
            .unwrap(),
        2
    );
    // The same file again writes nothing.
    assert_eq!(
        store
            .upsert_outage_plans(&[a.clone(), b.clone()], "staff:x", t(1))
            .await
            .unwrap(),
        0
    );
    let list = store.outage_plans(t(0), 100).await.unwrap();
    assert_eq!(
        list.iter()
            .map(|p| p.row.job_id.as_str())
            .collect::<Vec<_>>(),
        ["W02", "W01"],
        "by planned start"
    );
    assert_eq!(list[1].row, a);
    assert_eq!(
        (list[1].status, list[1].version, list[1].outage_id),
        (PlanStatus::Draft, 1, None)
    );
    assert_eq!(list[1].updated_by, "staff:wangqiang");
    // A changed row replaces the draft.
    let mut a2 = a.clone();
    a2.title = "改期".into();
    a2.scope = areas(&["TA-DF-01", "TA-JS-01"]);
    assert_eq!(
        store
            .upsert_outage_plans(std::slice::from_ref(&a2), "staff:x", t(2))
            .await
            .unwrap(),
        1
    );
    let got = store
        .outage_plans_of(&[code("W01"), code("W404")])
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].row.clone(), got[0].version), (a2.clone(), 2));
    assert_eq!(got[0].updated_at, t(2));

    // Cancelled rows are no longer replaced, edited or cancelled again.
    let PlanUpdate::Updated(c) = store
        .cancel_outage_plan(&code("W02"), "staff:x", t(3))
        .await
        .unwrap()
    else {
        panic!("not cancelled")
    };
    assert_eq!(c.status, PlanStatus::Cancelled);
    let mut b2 = b.clone();
    b2.reason = "别的原因".into();
    assert_eq!(
        store
            .upsert_outage_plans(std::slice::from_ref(&b2), "staff:x", t(4))
            .await
            .unwrap(),
        0
    );
    assert!(matches!(
        store.update_outage_plan(&b2, "staff:x", t(4)).await.unwrap(),
        PlanUpdate::NotDraft(p) if p.row == b
    ));
    assert!(matches!(
        store
            .cancel_outage_plan(&code("W02"), "staff:x", t(4))
            .await
            .unwrap(),
        PlanUpdate::NotDraft(_)
    ));
    assert_eq!(
        store
            .cancel_outage_plan(&code("W404"), "staff:x", t(4))
            .await
            .unwrap(),
        PlanUpdate::NotFound
    );
    // A draft is edited in place.
    let mut a3 = a2.clone();
    a3.planned_end = t(230);
    let PlanUpdate::Updated(e) = store
        .update_outage_plan(&a3, "staff:y", t(5))
        .await
        .unwrap()
    else {
        panic!("not updated")
    };
    assert_eq!(
        (e.row, e.version, e.updated_by.as_str()),
        (a3, 3, "staff:y")
    );
    // Rows that ended before `since` are left out of the list.
    let later = store.outage_plans(t(150), 100).await.unwrap();
    assert_eq!(
        later
            .iter()
            .map(|p| p.row.job_id.as_str())
            .collect::<Vec<_>>(),
        ["W01"]
    );
}

pub async fn plan_rows_are_issued_into_one_outage_all_or_none(store: &dyn Store) {
    fixtures::load(store).await;
    let rows = [
        row("M01", areas(&["TA-DF-01"]), 100),
        row("M02", areas(&["TA-JS-01"]), 110),
        row("M03", areas(&["TA-QS-01"]), 120),
    ];
    store
        .upsert_outage_plans(&rows, "staff:wangqiang", t(0))
        .await
        .unwrap();
    let o = store
        .create_outage(&NewOutage {
            kind: OutageKind::Planned,
            title: "合并检修".into(),
            cause: "设备检修".into(),
            scope: areas(&["TA-DF-01", "TA-JS-01"]),
            start: t(100),
            eta: Some(t(118)),
            created_by: "staff:wangqiang".into(),
            created_at: t(0),
        })
        .await
        .unwrap();
    store
        .cancel_outage_plan(&code("M03"), "staff:x", t(1))
        .await
        .unwrap();
    // One row not a draft (or unknown): nothing is marked.
    for jobs in [
        vec![code("M01"), code("M03")],
        vec![code("M01"), code("M404")],
        vec![],
    ] {
        assert!(
            !store
                .issue_outage_plans(&jobs, o.id, "staff:x", t(2))
                .await
                .unwrap(),
            "{jobs:?}"
        );
    }
    let m01 = store.outage_plans_of(&[code("M01")]).await.unwrap();
    assert_eq!(
        (m01[0].status, m01[0].outage_id, m01[0].version),
        (PlanStatus::Draft, None, 1)
    );
    assert!(
        store
            .issue_outage_plans(&[code("M02"), code("M01")], o.id, "staff:x", t(3))
            .await
            .unwrap()
    );
    for p in store
        .outage_plans_of(&[code("M01"), code("M02")])
        .await
        .unwrap()
    {
        assert_eq!((p.status, p.outage_id), (PlanStatus::Issued, Some(o.id)));
    }
    // Issued once only; issued rows are not re-drafted by a re-import.
    assert!(
        !store
            .issue_outage_plans(&[code("M01")], o.id, "staff:x", t(4))
            .await
            .unwrap()
    );
    let mut moved = rows[0].clone();
    moved.planned_start = t(140);
    assert_eq!(
        store
            .upsert_outage_plans(&[moved], "staff:x", t(5))
            .await
            .unwrap(),
        0
    );
    // The planned outages of a period: not cancelled, planned kind, by start.
    assert_eq!(
        store
            .planned_outages(t(100), t(101))
            .await
            .unwrap()
            .iter()
            .map(|x| x.id)
            .collect::<Vec<_>>(),
        [o.id]
    );
    assert!(
        store
            .planned_outages(t(101), t(500))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn scope_reach_agrees_with_the_topology_rule(store: &dyn Store) {
    use griddesk_domain::outage::OutSet;
    use std::collections::BTreeSet;
    fixtures::load(store).await;
    let all_areas = fixtures::areas();
    let customers = fixtures::customers();
    let mut scopes: Vec<OutageScope> = fixtures::substations()
        .into_iter()
        .map(|s| OutageScope::Substation(s.code))
        .collect();
    let feeders = fixtures::feeders();
    for f in &feeders {
        for g in &feeders {
            if f.code <= g.code {
                let mut v = vec![f.code.clone()];
                if f.code != g.code {
                    v.push(g.code.clone());
                }
                scopes.push(OutageScope::Feeders(v));
            }
        }
    }
    let mut dual_seen = false;
    for scope in scopes {
        let reach = store.scope_reach(&scope).await.unwrap();
        let out: BTreeSet<_> = match &scope {
            OutageScope::Substation(s) => feeders
                .iter()
                .filter(|f| &f.substation == s)
                .map(|f| f.code.clone())
                .collect(),
            OutageScope::Feeders(v) => v.iter().cloned().collect(),
            _ => unreachable!(),
        };
        assert_eq!(reach.feeders, out, "{scope:?}");
        let want_areas: BTreeSet<_> = all_areas
            .iter()
            .filter(|a| out.contains(&a.feeder))
            .map(|a| a.code.clone())
            .collect();
        assert_eq!(reach.areas, want_areas, "{scope:?}");
        // The feeder-direct customers the outage rule cuts, and only those.
        let set = OutSet {
            feeders: out.clone(),
            ..OutSet::default()
        };
        struct NoGrid;
        impl griddesk_domain::outage::Grid for NoGrid {
            fn feeders_of(
                &self,
                _: &griddesk_domain::values::Code,
            ) -> Vec<griddesk_domain::values::Code> {
                Vec::new()
            }
            fn feeder_of_area(
                &self,
                _: &griddesk_domain::values::Code,
            ) -> Option<griddesk_domain::values::Code> {
                None
            }
        }
        let want: BTreeSet<_> = customers
            .iter()
            .filter(|c| matches!(c.connection, Connection::Feeder { .. }))
            .filter(|c| set.affects(&c.customer_no, &c.connection, &NoGrid))
            .map(|c| c.customer_no.clone())
            .collect();
        assert_eq!(reach.customers, want, "{scope:?}");
        dual_seen |= customers.iter().any(|c| {
            matches!(&c.connection, Connection::Feeder { backup: Some(b), feeder }
                if out.contains(feeder) != out.contains(b))
        });
    }
    assert!(
        dual_seen,
        "a dual-supply customer with one feeder out is checked"
    );
    // Areas and customer lists cut themselves; unknown devices cut nothing.
    let reach = store
        .scope_reach(&areas(&["TA-DF-01", "TA-NONE"]))
        .await
        .unwrap();
    assert_eq!(
        (
            reach.feeders.len(),
            reach.areas.iter().map(|a| a.as_str()).collect::<Vec<_>>()
        ),
        (0, vec!["TA-DF-01"])
    );
    assert!(reach.customers.is_empty());
    let one = customers[0].customer_no.clone();
    let reach = store
        .scope_reach(&OutageScope::Customers(vec![one.clone()]))
        .await
        .unwrap();
    assert_eq!(reach.customers.into_iter().collect::<Vec<_>>(), [one]);
    assert_eq!(
        store
            .scope_reach(&OutageScope::Substation(code("SUB-NONE")))
            .await
            .unwrap(),
        Default::default()
    );
    // The customers of areas.
    let want: Vec<_> = {
        let mut v: Vec<_> = customers
            .iter()
            .filter(|c| {
                matches!(&c.connection, Connection::Area { area }
                    if area.as_str() == "TA-DF-01" || area.as_str() == "TA-QS-01")
            })
            .map(|c| c.customer_no.clone())
            .collect();
        v.sort();
        v
    };
    assert!(!want.is_empty());
    assert_eq!(
        store
            .customers_of_areas(&[code("TA-QS-01"), code("TA-DF-01")])
            .await
            .unwrap(),
        want
    );
}

pub async fn customer_maintenance_is_found_by_start_with_the_customers_area(store: &dyn Store) {
    use crate::StoreError;
    use crate::outage_plan::NewMaintenance;
    use griddesk_domain::values::CustomerNo;
    fixtures::load(store).await;
    let customers = fixtures::customers();
    let in_area = customers
        .iter()
        .find_map(|c| match &c.connection {
            Connection::Area { area } => Some((c.customer_no.clone(), area.clone())),
            Connection::Feeder { .. } => None,
        })
        .expect("an area customer");
    let direct = customers
        .iter()
        .find(|c| matches!(c.connection, Connection::Feeder { .. }))
        .expect("a feeder-direct customer")
        .customer_no
        .clone();
    let m = |customer: &CustomerNo, start: i64, note: &str| NewMaintenance {
        customer: customer.clone(),
        start: t(start),
        end: t(start + 8),
        note: note.into(),
        recorded_by: "staff:manager01".into(),
        recorded_at: t(0),
    };
    let late = store
        .record_maintenance(&m(&in_area.0, 48, "配电室预试"))
        .await
        .unwrap();
    let early = store.record_maintenance(&m(&direct, 24, "")).await.unwrap();
    let edge = store
        .record_maintenance(&m(&in_area.0, 72, ""))
        .await
        .unwrap();
    assert!(late != early && early != edge);
    let ghost = CustomerNo::parse("9999999999").unwrap();
    match store.record_maintenance(&m(&ghost, 30, "")).await {
        Err(StoreError::MissingReference { field, value }) => {
            assert_eq!((field, value.as_str()), ("customer_no", "9999999999"));
        }
        other => panic!("expected a missing customer, got {other:?}"),
    }
    // [from, to): by start, the area from the live topology, the edge excluded.
    let got = store.maintenance_between(t(24), t(72), 100).await.unwrap();
    assert_eq!(got.iter().map(|s| s.id).collect::<Vec<_>>(), [early, late]);
    assert_eq!(got[0].maintenance.customer, direct);
    assert_eq!(got[0].maintenance.area, None);
    assert_eq!(got[1].maintenance.area, Some(in_area.1.clone()));
    assert_eq!(
        (got[1].maintenance.start, got[1].maintenance.end),
        (t(48), t(56))
    );
    assert_eq!(
        (
            got[1].note.as_str(),
            got[1].recorded_by.as_str(),
            got[1].recorded_at
        ),
        ("配电室预试", "staff:manager01", t(0))
    );
    assert_eq!(
        store
            .maintenance_between(t(24), t(100), 1)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .maintenance_between(t(0), t(24), 100)
            .await
            .unwrap()
            .is_empty()
    );
}
