//! Integrated outage management (综合停电管理, D3): the four kinds of outage and their
//! lifecycles, which customers an outage reaches on the topology (a dual-supply customer only
//! when both feeders are out), the notice lead times, when post-restoration callbacks may be
//! made, fault inference from repair calls, and the reliability indices (SAIFI, SAIDI, CAIDI,
//! ASAI / 供电可靠率).
//!
//! The store computes impact over millions of customers in SQL; [`OutSet::affects`] is the rule
//! it implements, and the conformance suite checks the two agree.

use crate::customer::Connection;
use crate::values::{Code, CustomerNo};
use jiff::civil::{DateTime, Time};
use jiff::{SignedDuration, Timestamp};
use std::collections::{BTreeMap, BTreeSet};

code_enum! {
    /// The four kinds of outage (D3).
    OutageKind, "kind" {
        Planned = "planned", "计划停电", "Planned maintenance";
        Orderly = "orderly", "有序用电", "Orderly power use";
        Fault = "fault", "故障停电", "Fault";
        Arrears = "arrears", "欠费停电", "Arrears disconnection";
    }
}

code_enum! {
    /// Where an outage is in its life. Announced outages go planned → notified → started →
    /// restored (or cancelled); faults go suspected → confirmed → crew dispatched → restored.
    OutageStatus, "status" {
        Planned = "planned", "已计划", "Planned";
        Notified = "notified", "已通知", "Notified";
        Started = "started", "停电中", "Started";
        Suspected = "suspected", "疑似故障", "Suspected";
        Confirmed = "confirmed", "已确认", "Confirmed";
        CrewDispatched = "crew_dispatched", "已派抢修", "Crew dispatched";
        Restored = "restored", "已恢复", "Restored";
        Cancelled = "cancelled", "已取消", "Cancelled";
    }
}

code_enum! {
    /// A step in an outage's life.
    OutageAction, "action" {
        Notify = "notify", "发布通知", "Notify";
        Start = "start", "开始停电", "Start";
        Confirm = "confirm", "确认故障", "Confirm";
        Dispatch = "dispatch", "派抢修", "Dispatch a crew";
        Restore = "restore", "恢复送电", "Restore";
        Cancel = "cancel", "取消", "Cancel";
        /// A new estimated restoration time (a repair takes longer, maintenance is extended);
        /// the state stays.
        Reschedule = "reschedule", "更新恢复时间", "Update restoration time";
    }
}

/// A step the outage's kind and state do not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{action} is not allowed for a {kind} outage that is {status}")]
pub struct IllegalStep {
    pub kind: OutageKind,
    pub status: OutageStatus,
    pub action: OutageAction,
}

impl OutageKind {
    /// The state an outage of this kind starts in.
    pub fn initial(self) -> OutageStatus {
        match self {
            OutageKind::Fault => OutageStatus::Suspected,
            _ => OutageStatus::Planned,
        }
    }
}

impl OutageStatus {
    /// Whether customers are without power in this state (as far as the company knows).
    pub fn is_out(self) -> bool {
        use OutageStatus::*;
        matches!(self, Started | Suspected | Confirmed | CrewDispatched)
    }

    pub fn is_closed(self) -> bool {
        matches!(self, OutageStatus::Restored | OutageStatus::Cancelled)
    }
}

/// The lifecycle: the state after `action`, or why not.
pub fn step(
    kind: OutageKind,
    status: OutageStatus,
    action: OutageAction,
) -> Result<OutageStatus, IllegalStep> {
    use OutageAction as A;
    use OutageStatus as S;
    let fault = kind == OutageKind::Fault;
    let next = match (fault, status, action) {
        (false, S::Planned, A::Notify) => S::Notified,
        // An arrears or orderly-use outage may start on its own notice; a planned one needs its
        // public notice first (the warning for a late notice is separate, see `lead_time`).
        (false, S::Planned | S::Notified, A::Start) => S::Started,
        (false, S::Started, A::Restore) => S::Restored,
        (false, S::Planned | S::Notified, A::Cancel) => S::Cancelled,
        (true, S::Suspected, A::Confirm) => S::Confirmed,
        (true, S::Suspected | S::Confirmed, A::Dispatch) => S::CrewDispatched,
        (true, S::Suspected | S::Confirmed | S::CrewDispatched, A::Restore) => S::Restored,
        // A suspicion that calls raised may turn out to be single faults: withdrawn.
        (true, S::Suspected, A::Cancel) => S::Cancelled,
        (_, s, A::Reschedule) if !s.is_closed() => s,
        _ => {
            return Err(IllegalStep {
                kind,
                status,
                action,
            });
        }
    };
    Ok(next)
}

/// What an outage switches off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutageScope {
    Substation(Code),
    Feeders(Vec<Code>),
    Areas(Vec<Code>),
    Customers(Vec<CustomerNo>),
}

/// The topology an outage is resolved on: which feeders a substation has, which feeder an area
/// hangs on. Built from the live archive each time, never kept with the outage.
pub trait Grid {
    fn feeders_of(&self, substation: &Code) -> Vec<Code>;
    fn feeder_of_area(&self, area: &Code) -> Option<Code>;
}

/// The devices an outage switches off, resolved from its scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutSet {
    pub feeders: BTreeSet<Code>,
    pub areas: BTreeSet<Code>,
    pub customers: BTreeSet<CustomerNo>,
}

impl OutSet {
    pub fn resolve(scope: &OutageScope, grid: &dyn Grid) -> Self {
        let mut s = OutSet::default();
        match scope {
            OutageScope::Substation(code) => s.feeders.extend(grid.feeders_of(code)),
            OutageScope::Feeders(f) => s.feeders.extend(f.iter().cloned()),
            OutageScope::Areas(a) => s.areas.extend(a.iter().cloned()),
            OutageScope::Customers(c) => s.customers.extend(c.iter().cloned()),
        }
        s
    }

    /// The same devices as several outages together (overlapping events on one device or its
    /// upstream count each customer once).
    pub fn union(&mut self, other: &OutSet) {
        self.feeders.extend(other.feeders.iter().cloned());
        self.areas.extend(other.areas.iter().cloned());
        self.customers.extend(other.customers.iter().cloned());
    }

    /// Whether a customer connected so is without power: on an area that is out or whose feeder
    /// is out; on a feeder that is out, unless its second supply still runs.
    pub fn affects(&self, no: &CustomerNo, conn: &Connection, grid: &dyn Grid) -> bool {
        if self.customers.contains(no) {
            return true;
        }
        match conn {
            Connection::Area { area } => {
                self.areas.contains(area)
                    || grid
                        .feeder_of_area(area)
                        .is_some_and(|f| self.feeders.contains(&f))
            }
            Connection::Feeder { feeder, backup } => {
                self.feeders.contains(feeder)
                    && backup.as_ref().is_none_or(|b| self.feeders.contains(b))
            }
        }
    }
}

/// Notice lead times of D3 (configurable per company).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoticePolicy {
    /// Public notice of planned maintenance, days ahead.
    pub public_notice_days: i64,
    /// Personal notice to key and important customers, hours ahead.
    pub personal_notice_hours: i64,
    /// SMS to every affected customer, hours ahead.
    pub sms_notice_hours: i64,
    /// No callbacks before this local hour...
    pub callback_from_hour: i8,
    /// ...or from this local hour on.
    pub callback_until_hour: i8,
}

impl Default for NoticePolicy {
    fn default() -> Self {
        Self {
            public_notice_days: 7,
            personal_notice_hours: 24,
            sms_notice_hours: 24,
            callback_from_hour: 8,
            callback_until_hour: 21,
        }
    }
}

code_enum! {
    /// A notice that can no longer be given in time for an announced outage.
    LateNotice, "late_notice" {
        Public = "public", "公告不足7天", "Public notice less than 7 days ahead";
        Personal = "personal", "重要客户告知不足24小时", "Personal notice less than 24 h ahead";
        Sms = "sms", "短信告知不足24小时", "SMS less than 24 h ahead";
    }
}

impl NoticePolicy {
    /// Which notices of an outage starting at `start` are late when it is created at `now`.
    /// Exactly the lead time is in time. Only planned maintenance needs the public notice;
    /// faults are told at once and need no lead time.
    pub fn late_notices(
        &self,
        kind: OutageKind,
        now: Timestamp,
        start: Timestamp,
    ) -> Vec<LateNotice> {
        if kind == OutageKind::Fault {
            return Vec::new();
        }
        let ahead = start.duration_since(now);
        let mut late = Vec::new();
        if kind == OutageKind::Planned
            && ahead < SignedDuration::from_hours(24 * self.public_notice_days)
        {
            late.push(LateNotice::Public);
        }
        if ahead < SignedDuration::from_hours(self.personal_notice_hours) {
            late.push(LateNotice::Personal);
        }
        if ahead < SignedDuration::from_hours(self.sms_notice_hours) {
            late.push(LateNotice::Sms);
        }
        late
    }

    /// The earliest local time at or after `at` when a callback may be made: never at night.
    pub fn callback_time(&self, at: DateTime) -> DateTime {
        let from = Time::constant(self.callback_from_hour, 0, 0, 0);
        let h = at.hour();
        if h >= self.callback_until_hour {
            let next = at.date().tomorrow().unwrap_or(at.date());
            next.to_datetime(from)
        } else if h < self.callback_from_hour {
            at.date().to_datetime(from)
        } else {
            at
        }
    }
}

/// A repair call as inference sees it: when, and where on the topology the caller hangs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairCall {
    pub order_id: i64,
    pub at: Timestamp,
    /// Who called: inference counts customers, not calls (one customer calling thrice is one).
    pub customer: CustomerNo,
    pub feeder: Code,
    /// None for customers supplied straight from the feeder.
    pub area: Option<Code>,
}

/// Thresholds of fault inference (D3 defaults: 3 calls in 15 minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InferencePolicy {
    pub min_calls: usize,
    pub window_minutes: i64,
}

impl Default for InferencePolicy {
    fn default() -> Self {
        Self {
            min_calls: 3,
            window_minutes: 15,
        }
    }
}

/// An outage the calls point to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suspicion {
    /// Calls from one transformer area.
    Area {
        area: Code,
        feeder: Code,
        orders: Vec<i64>,
    },
    /// Calls spread over several areas (or feeder-direct customers) of one feeder.
    Feeder { feeder: Code, orders: Vec<i64> },
}

impl InferencePolicy {
    /// The outages the calls of the window ending at `now` point to. A feeder with calls from
    /// enough customers in two or more places is one feeder suspicion, which takes in its areas'
    /// calls, so no customer is counted twice; otherwise an area with calls from enough
    /// customers is an area suspicion.
    pub fn infer(&self, calls: &[RepairCall], now: Timestamp) -> Vec<Suspicion> {
        let since = now - SignedDuration::from_mins(self.window_minutes);
        let mut by_feeder: BTreeMap<&Code, Vec<&RepairCall>> = BTreeMap::new();
        for c in calls.iter().filter(|c| c.at > since && c.at <= now) {
            by_feeder.entry(&c.feeder).or_default().push(c);
        }
        let mut out = Vec::new();
        for (feeder, calls) in by_feeder {
            let places: BTreeSet<Option<&Code>> = calls.iter().map(|c| c.area.as_ref()).collect();
            let ids = |cs: &[&RepairCall]| {
                let mut v: Vec<i64> = cs.iter().map(|c| c.order_id).collect();
                v.sort_unstable();
                v
            };
            let callers = |cs: &[&RepairCall]| {
                cs.iter()
                    .map(|c| &c.customer)
                    .collect::<BTreeSet<_>>()
                    .len()
            };
            if places.len() >= 2 && callers(&calls) >= self.min_calls {
                out.push(Suspicion::Feeder {
                    feeder: feeder.clone(),
                    orders: ids(&calls),
                });
                continue;
            }
            let mut by_area: BTreeMap<&Code, Vec<&RepairCall>> = BTreeMap::new();
            for c in &calls {
                if let Some(a) = &c.area {
                    by_area.entry(a).or_default().push(c);
                }
            }
            for (area, cs) in by_area {
                if callers(&cs) >= self.min_calls {
                    out.push(Suspicion::Area {
                        area: area.clone(),
                        feeder: feeder.clone(),
                        orders: ids(&cs),
                    });
                }
            }
        }
        out
    }
}

/// An open fault outage as overlap sees it: what it switches off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenFault {
    pub id: i64,
    /// Still only suspected (no dispatcher has confirmed it).
    pub suspected: bool,
    pub feeders: Vec<Code>,
    /// Areas out, each with the feeder it hangs on.
    pub areas: Vec<(Code, Code)>,
}

/// How a new suspicion relates to the fault outages already open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlap {
    /// An open outage already switches this device off, on it or upstream: the calls join it.
    Covered(i64),
    /// A feeder suspicion that takes in these suspected area outages on that feeder: they are
    /// one event, so they end merged into the feeder outage and no interruption counts twice.
    Supersedes(Vec<i64>),
    New,
}

impl Suspicion {
    /// Relates this suspicion to the open fault outages (D3: overlapping suspected outages on
    /// one device or its upstream are one event). Confirmed area outages are left alone: a
    /// dispatcher has judged them separate.
    pub fn overlap(&self, open: &[OpenFault]) -> Overlap {
        match self {
            Suspicion::Area { area, feeder, .. } => open
                .iter()
                .find(|o| o.feeders.contains(feeder) || o.areas.iter().any(|(a, _)| a == area))
                .map_or(Overlap::New, |o| Overlap::Covered(o.id)),
            Suspicion::Feeder { feeder, .. } => {
                if let Some(o) = open.iter().find(|o| o.feeders.contains(feeder)) {
                    return Overlap::Covered(o.id);
                }
                let taken: Vec<i64> = open
                    .iter()
                    .filter(|o| {
                        o.suspected
                            && o.feeders.is_empty()
                            && !o.areas.is_empty()
                            && o.areas.iter().all(|(_, f)| f == feeder)
                    })
                    .map(|o| o.id)
                    .collect();
                if taken.is_empty() {
                    Overlap::New
                } else {
                    Overlap::Supersedes(taken)
                }
            }
        }
    }
}

/// One customer interruption record: how many customers were out, for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interruption {
    pub customers: u64,
    pub duration: SignedDuration,
    pub planned: bool,
}

/// Reliability indices of a period (IEEE 1366 / 供电可靠性 RS-1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reliability {
    /// Interruptions per customer served.
    pub saifi: f64,
    /// Interruption hours per customer served.
    pub saidi_hours: f64,
    /// Hours per interruption (SAIDI / SAIFI); 0 without interruptions.
    pub caidi_hours: f64,
    /// Share of customer-hours with supply (ASAI, 供电可靠率 RS-1), 0..=1.
    pub asai: f64,
}

/// The indices over `served` customers and a period of `period_hours`, from its interruptions.
pub fn reliability(served: u64, period_hours: f64, interruptions: &[Interruption]) -> Reliability {
    if served == 0 || period_hours <= 0.0 {
        return Reliability {
            saifi: 0.0,
            saidi_hours: 0.0,
            caidi_hours: 0.0,
            asai: 1.0,
        };
    }
    let n = served as f64;
    let customers: f64 = interruptions.iter().map(|i| i.customers as f64).sum();
    let customer_hours: f64 = interruptions
        .iter()
        .map(|i| i.customers as f64 * i.duration.as_secs_f64() / 3600.0)
        .sum();
    let saifi = customers / n;
    let saidi_hours = customer_hours / n;
    Reliability {
        saifi,
        saidi_hours,
        caidi_hours: if saifi > 0.0 {
            saidi_hours / saifi
        } else {
            0.0
        },
        asai: 1.0 - saidi_hours / period_hours,
    }
}

/// The public commitment for urban areas: 供电可靠率 at least 99.9 %.
pub const URBAN_RELIABILITY_COMMITMENT: f64 = 0.999;

#[cfg(test)]
mod tests {
    #[test]
    fn overlapping_suspicions_are_one_event() {
        let c = |s: &str| Code::parse(s).unwrap();
        let area_out = |id, suspected, area: &str, feeder: &str| OpenFault {
            id,
            suspected,
            feeders: Vec::new(),
            areas: vec![(c(area), c(feeder))],
        };
        let feeder_out = OpenFault {
            id: 9,
            suspected: true,
            feeders: vec![c("F1")],
            areas: Vec::new(),
        };
        let on_area = Suspicion::Area {
            area: c("A1"),
            feeder: c("F1"),
            orders: vec![1],
        };
        let on_feeder = Suspicion::Feeder {
            feeder: c("F1"),
            orders: vec![1, 2],
        };
        assert_eq!(on_area.overlap(&[]), Overlap::New);
        assert_eq!(
            on_area.overlap(&[area_out(3, true, "A1", "F1")]),
            Overlap::Covered(3)
        );
        assert_eq!(
            on_area.overlap(std::slice::from_ref(&feeder_out)),
            Overlap::Covered(9),
            "upstream"
        );
        assert_eq!(
            on_area.overlap(&[area_out(3, true, "A2", "F1")]),
            Overlap::New
        );
        assert_eq!(on_feeder.overlap(&[feeder_out]), Overlap::Covered(9));
        let open = [
            area_out(3, true, "A1", "F1"),
            area_out(4, true, "A2", "F1"),
            area_out(5, true, "A7", "F2"),
            area_out(6, false, "A3", "F1"),
        ];
        assert_eq!(on_feeder.overlap(&open), Overlap::Supersedes(vec![3, 4]));
        assert_eq!(on_feeder.overlap(&open[2..]), Overlap::New);
    }

    use super::*;
    use jiff::civil::date;

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }
    fn no(s: &str) -> CustomerNo {
        CustomerNo::parse(s).unwrap()
    }

    /// Substation S1 with feeders F1, F2; areas A1, A2 on F1 and A3 on F2.
    struct Toy;
    impl Grid for Toy {
        fn feeders_of(&self, s: &Code) -> Vec<Code> {
            if s.as_str() == "S1" {
                vec![code("F1"), code("F2")]
            } else {
                vec![]
            }
        }
        fn feeder_of_area(&self, a: &Code) -> Option<Code> {
            match a.as_str() {
                "A1" | "A2" => Some(code("F1")),
                "A3" => Some(code("F2")),
                _ => None,
            }
        }
    }

    #[test]
    fn impact_follows_the_topology_and_dual_supply_survives_one_feeder() {
        let area = |a: &str| Connection::Area { area: code(a) };
        let hv = |f: &str, b: Option<&str>| Connection::Feeder {
            feeder: code(f),
            backup: b.map(code),
        };
        let customers = [
            (no("0000000001"), area("A1")),
            (no("0000000002"), area("A2")),
            (no("0000000003"), area("A3")),
            (no("0000000004"), hv("F1", None)),
            (no("0000000005"), hv("F1", Some("F2"))),
            (no("0000000006"), hv("F3", Some("F1"))),
        ];
        let hit = |scope: OutageScope| -> Vec<&str> {
            let s = OutSet::resolve(&scope, &Toy);
            customers
                .iter()
                .filter(|(n, c)| s.affects(n, c, &Toy))
                .map(|(n, _)| &n.as_str()[9..])
                .collect()
        };
        assert_eq!(hit(OutageScope::Feeders(vec![code("F1")])), ["1", "2", "4"]);
        assert_eq!(
            hit(OutageScope::Feeders(vec![code("F1"), code("F2")])),
            ["1", "2", "3", "4", "5"]
        );
        assert_eq!(
            hit(OutageScope::Substation(code("S1"))),
            ["1", "2", "3", "4", "5"]
        );
        assert_eq!(hit(OutageScope::Areas(vec![code("A2")])), ["2"]);
        assert_eq!(hit(OutageScope::Customers(vec![no("0000000006")])), ["6"]);
        // Two overlapping events count a customer once.
        let mut u = OutSet::resolve(&OutageScope::Areas(vec![code("A1")]), &Toy);
        u.union(&OutSet::resolve(
            &OutageScope::Feeders(vec![code("F1")]),
            &Toy,
        ));
        let n = customers
            .iter()
            .filter(|(n, c)| u.affects(n, c, &Toy))
            .count();
        assert_eq!(n, 3);
    }

    #[test]
    fn lifecycles_allow_only_their_own_steps() {
        use OutageAction as A;
        use OutageStatus as S;
        let p = OutageKind::Planned;
        assert_eq!(p.initial(), S::Planned);
        assert_eq!(step(p, S::Planned, A::Notify), Ok(S::Notified));
        assert_eq!(step(p, S::Notified, A::Start), Ok(S::Started));
        assert_eq!(step(p, S::Started, A::Restore), Ok(S::Restored));
        assert!(
            step(p, S::Started, A::Cancel).is_err(),
            "too late to cancel"
        );
        assert!(step(p, S::Planned, A::Confirm).is_err());
        assert!(step(p, S::Restored, A::Start).is_err());
        let f = OutageKind::Fault;
        assert_eq!(f.initial(), S::Suspected);
        assert_eq!(step(f, S::Suspected, A::Confirm), Ok(S::Confirmed));
        assert_eq!(step(f, S::Confirmed, A::Dispatch), Ok(S::CrewDispatched));
        assert_eq!(step(f, S::CrewDispatched, A::Restore), Ok(S::Restored));
        assert!(step(f, S::Suspected, A::Notify).is_err());
        assert!(step(f, S::Confirmed, A::Cancel).is_err());
        assert!(S::CrewDispatched.is_out() && !S::Notified.is_out() && S::Cancelled.is_closed());
        // Every state reachable by any sequence of steps is one of the kind's states.
        for kind in OutageKind::ALL {
            let mut seen = BTreeSet::from([kind.initial()]);
            let mut frontier = vec![kind.initial()];
            while let Some(s) = frontier.pop() {
                for a in OutageAction::ALL {
                    if let Ok(n) = step(*kind, s, *a)
                        && seen.insert(n)
                    {
                        frontier.push(n);
                    }
                }
            }
            let fault_states = [S::Suspected, S::Confirmed, S::CrewDispatched];
            assert!(
                seen.iter()
                    .all(|s| (*kind == f) == fault_states.contains(s) || s.is_closed())
            );
        }
    }

    #[test]
    fn lead_times_hold_at_their_boundaries() {
        let p = NoticePolicy::default();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let at = |h: i64| now + SignedDuration::from_hours(h);
        assert!(
            p.late_notices(OutageKind::Planned, now, at(7 * 24))
                .is_empty(),
            "exactly 7 days is in time"
        );
        let just = at(7 * 24) - SignedDuration::from_secs(1);
        assert_eq!(
            p.late_notices(OutageKind::Planned, now, just),
            [LateNotice::Public]
        );
        assert_eq!(
            p.late_notices(OutageKind::Planned, now, at(24)),
            [LateNotice::Public]
        );
        assert_eq!(
            p.late_notices(
                OutageKind::Planned,
                now,
                at(24) - SignedDuration::from_secs(1)
            ),
            [LateNotice::Public, LateNotice::Personal, LateNotice::Sms]
        );
        // Orderly use and arrears need the 24 h notices, not the public one; faults none.
        assert!(p.late_notices(OutageKind::Orderly, now, at(24)).is_empty());
        assert_eq!(p.late_notices(OutageKind::Arrears, now, at(2)).len(), 2);
        assert!(p.late_notices(OutageKind::Fault, now, now).is_empty());
    }

    #[test]
    fn callbacks_are_never_at_night() {
        let p = NoticePolicy::default();
        let d = date(2026, 12, 1);
        assert_eq!(
            p.callback_time(d.at(23, 30, 0, 0)),
            date(2026, 12, 2).at(8, 0, 0, 0)
        );
        assert_eq!(p.callback_time(d.at(2, 0, 0, 0)), d.at(8, 0, 0, 0));
        assert_eq!(p.callback_time(d.at(8, 0, 0, 0)), d.at(8, 0, 0, 0));
        assert_eq!(p.callback_time(d.at(20, 59, 0, 0)), d.at(20, 59, 0, 0));
        assert_eq!(
            p.callback_time(d.at(21, 0, 0, 0)),
            date(2026, 12, 2).at(8, 0, 0, 0)
        );
    }

    #[test]
    fn calls_point_to_area_and_feeder_outages() {
        let p = InferencePolicy::default();
        let t0 = Timestamp::from_second(1_800_000_000).unwrap();
        let call = |id: i64, min: i64, feeder: &str, area: Option<&str>| RepairCall {
            order_id: id,
            at: t0 + SignedDuration::from_mins(min),
            customer: no(&format!("{id:010}")),
            feeder: code(feeder),
            area: area.map(code),
        };
        // Interleaved: A1 (F1) three times, A3 (F2) twice, within 15 minutes.
        let calls = vec![
            call(1, 0, "F1", Some("A1")),
            call(2, 1, "F2", Some("A3")),
            call(3, 4, "F1", Some("A1")),
            call(4, 6, "F2", Some("A3")),
            call(5, 9, "F1", Some("A1")),
        ];
        let now = t0 + SignedDuration::from_mins(10);
        assert_eq!(
            p.infer(&calls, now),
            [Suspicion::Area {
                area: code("A1"),
                feeder: code("F1"),
                orders: vec![1, 3, 5]
            }]
        );
        // The window slides: at minute 16 the first call is out of it.
        assert!(
            p.infer(&calls, t0 + SignedDuration::from_mins(16))
                .is_empty()
        );
        // Calls from A1, A2 and a feeder-direct customer of F1: one feeder suspicion, which
        // takes in A1's calls rather than raising a second event for them.
        let mut spread = calls.clone();
        spread.push(call(6, 9, "F1", Some("A2")));
        spread.push(call(7, 9, "F1", None));
        assert_eq!(
            p.infer(&spread, now),
            [Suspicion::Feeder {
                feeder: code("F1"),
                orders: vec![1, 3, 5, 6, 7]
            }]
        );
        // Two calls are not enough, wherever they come from; nor one customer calling thrice.
        assert!(p.infer(&calls[..2], now).is_empty());
        let mut again = calls.clone();
        for c in &mut again {
            c.customer = no("0000000001");
        }
        assert!(p.infer(&again, now).is_empty());
    }

    #[test]
    fn reliability_indices_on_a_worked_example() {
        // 1,000 customers over a 30-day month (720 h). A feeder fault takes 200 customers out
        // for 1.5 h; planned work takes 50 out for 4 h.
        // SAIFI = (200 + 50) / 1000 = 0.25; SAIDI = (300 + 200) / 1000 = 0.5 h;
        // CAIDI = 0.5 / 0.25 = 2 h; ASAI = 1 - 0.5 / 720 = 0.999305...
        let r = reliability(
            1000,
            720.0,
            &[
                Interruption {
                    customers: 200,
                    duration: SignedDuration::from_mins(90),
                    planned: false,
                },
                Interruption {
                    customers: 50,
                    duration: SignedDuration::from_hours(4),
                    planned: true,
                },
            ],
        );
        assert!((r.saifi - 0.25).abs() < 1e-12);
        assert!((r.saidi_hours - 0.5).abs() < 1e-12);
        assert!((r.caidi_hours - 2.0).abs() < 1e-12);
        assert!((r.asai - (1.0 - 0.5 / 720.0)).abs() < 1e-12);
        assert!(r.asai >= URBAN_RELIABILITY_COMMITMENT);
        let none = reliability(1000, 720.0, &[]);
        assert_eq!((none.saifi, none.caidi_hours, none.asai), (0.0, 0.0, 1.0));
    }
}
