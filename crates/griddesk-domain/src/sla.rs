//! The SLA engine's rules (D2): deadlines from the company's public service commitments, computed
//! once at acceptance from a policy table, and the green / yellow / red state of a clock that may
//! pause while the order waits on the customer. The deadline shifts by exactly the paused time,
//! up to a bounded total.

use crate::calendar::WorkCalendar;
use crate::customer::TariffCategory;
use crate::topology::AreaType;
use crate::workorder::OrderType;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

code_enum! {
    /// Which commitment a deadline keeps.
    DeadlineKind, "deadline" {
        Arrival = "arrival", "抢修到达现场", "Repair crew on site";
        Contact = "contact", "联系客户", "Contact the customer";
        Reply = "reply", "处理并答复", "Handle and reply";
        SupplyPlan = "supply_plan", "供电方案答复", "Supply plan reply";
        Connection = "connection", "装表接电", "Connection";
    }
}

code_enum! {
    /// How a clock stands.
    SlaState, "sla_state" {
        Green = "green", "正常", "On time";
        Yellow = "yellow", "预警", "At risk";
        Red = "red", "超期", "Overdue";
    }
}

/// Repair arrival commitments by area type, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ByAreaType {
    pub urban: i64,
    pub rural: i64,
    pub remote: i64,
}

/// Supply-plan reply commitments by customer kind, in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupplyPlanDays {
    pub residential: u32,
    pub low_voltage_non_residential: u32,
    pub high_voltage_single: u32,
    pub high_voltage_dual: u32,
}

/// Connection commitments after the customer's installation is accepted, in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionDays {
    pub residential: u32,
    pub non_residential: u32,
}

/// The service-commitment table (十项承诺), configurable per company (TOML). Defaults are D2's.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlaPolicy {
    pub repair_arrival_minutes: ByAreaType,
    pub complaint_contact_hours: i64,
    pub complaint_reply_working_days: u32,
    pub opinion_working_days: u32,
    pub consultation_working_days: u32,
    /// Reports of violations or theft, service requests: handled like opinions by default.
    pub report_working_days: u32,
    pub service_request_working_days: u32,
    pub supply_plan_working_days: SupplyPlanDays,
    pub connection_working_days: ConnectionDays,
    /// Share of the allowed time after which a clock turns yellow.
    pub yellow_at_percent: u8,
    /// Most time one order's clock may be paused in all, in hours.
    pub max_pause_hours: i64,
    /// Who gets a callback instead of a wait when no agent is free.
    pub queue: crate::queue::QueuePolicy,
}

impl Default for SlaPolicy {
    fn default() -> Self {
        Self {
            repair_arrival_minutes: ByAreaType {
                urban: 45,
                rural: 90,
                remote: 120,
            },
            complaint_contact_hours: 24,
            complaint_reply_working_days: 4,
            opinion_working_days: 10,
            consultation_working_days: 1,
            report_working_days: 10,
            service_request_working_days: 5,
            supply_plan_working_days: SupplyPlanDays {
                residential: 3,
                low_voltage_non_residential: 7,
                high_voltage_single: 15,
                high_voltage_dual: 30,
            },
            connection_working_days: ConnectionDays {
                residential: 3,
                non_residential: 5,
            },
            yellow_at_percent: 80,
            max_pause_hours: 7 * 24,
            queue: crate::queue::QueuePolicy::default(),
        }
    }
}

/// What the deadlines of an order depend on besides its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerContext {
    pub area_type: AreaType,
    pub tariff: TariffCategory,
    pub high_voltage: bool,
    pub dual_supply: bool,
}

impl CustomerContext {
    fn residential(&self) -> bool {
        self.tariff == TariffCategory::Residential
    }
}

/// One deadline of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub kind: DeadlineKind,
    pub due: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("{field} must be positive, not {value}")]
    NotPositive { field: &'static str, value: i64 },
    #[error("yellow_at_percent must be 1 to 99, not {0}")]
    Percent(u8),
}

impl SlaPolicy {
    /// Checks that every commitment is a positive amount of time.
    pub fn validate(&self) -> Result<(), PolicyError> {
        let a = self.repair_arrival_minutes;
        let s = self.supply_plan_working_days;
        let c = self.connection_working_days;
        let checks: [(&'static str, i64); 17] = [
            ("repair_arrival_minutes.urban", a.urban),
            ("repair_arrival_minutes.rural", a.rural),
            ("repair_arrival_minutes.remote", a.remote),
            ("complaint_contact_hours", self.complaint_contact_hours),
            (
                "complaint_reply_working_days",
                self.complaint_reply_working_days.into(),
            ),
            ("opinion_working_days", self.opinion_working_days.into()),
            (
                "consultation_working_days",
                self.consultation_working_days.into(),
            ),
            ("report_working_days", self.report_working_days.into()),
            (
                "service_request_working_days",
                self.service_request_working_days.into(),
            ),
            ("supply_plan_working_days.residential", s.residential.into()),
            (
                "supply_plan_working_days.low_voltage_non_residential",
                s.low_voltage_non_residential.into(),
            ),
            (
                "supply_plan_working_days.high_voltage_single",
                s.high_voltage_single.into(),
            ),
            (
                "supply_plan_working_days.high_voltage_dual",
                s.high_voltage_dual.into(),
            ),
            ("connection_working_days.residential", c.residential.into()),
            (
                "connection_working_days.non_residential",
                c.non_residential.into(),
            ),
            ("max_pause_hours", self.max_pause_hours),
            (
                "queue.callback_within_hours",
                self.queue.callback_within_hours,
            ),
        ];
        if let Some((field, value)) = checks.into_iter().find(|(_, v)| *v <= 0) {
            return Err(PolicyError::NotPositive { field, value });
        }
        if !(1..=99).contains(&self.yellow_at_percent) {
            return Err(PolicyError::Percent(self.yellow_at_percent));
        }
        Ok(())
    }

    /// The deadlines of an order accepted at `accepted`. Working days count in the company's
    /// time zone on `cal`, ending at the same time of day as the acceptance.
    pub fn deadlines(
        &self,
        t: OrderType,
        ctx: &CustomerContext,
        accepted: Timestamp,
        tz: &TimeZone,
        cal: &WorkCalendar,
    ) -> Vec<Deadline> {
        let minutes = |m: i64| plus(accepted, SignedDuration::from_mins(m));
        let days = |n: u32| add_working_days(accepted, n, tz, cal);
        let d = |kind, due| Deadline { kind, due };
        match t {
            OrderType::FaultRepair => {
                let a = self.repair_arrival_minutes;
                let m = match ctx.area_type {
                    AreaType::Urban => a.urban,
                    AreaType::Rural => a.rural,
                    AreaType::Remote => a.remote,
                };
                vec![d(DeadlineKind::Arrival, minutes(m))]
            }
            OrderType::Complaint => vec![
                d(
                    DeadlineKind::Contact,
                    minutes(self.complaint_contact_hours * 60),
                ),
                d(DeadlineKind::Reply, days(self.complaint_reply_working_days)),
            ],
            OrderType::Opinion => vec![d(DeadlineKind::Reply, days(self.opinion_working_days))],
            OrderType::Consultation | OrderType::Query => {
                vec![d(DeadlineKind::Reply, days(self.consultation_working_days))]
            }
            OrderType::Report => vec![d(DeadlineKind::Reply, days(self.report_working_days))],
            OrderType::ServiceRequest => {
                vec![d(
                    DeadlineKind::Reply,
                    days(self.service_request_working_days),
                )]
            }
            OrderType::BusinessApplication => {
                let s = self.supply_plan_working_days;
                let n = if ctx.high_voltage {
                    if ctx.dual_supply {
                        s.high_voltage_dual
                    } else {
                        s.high_voltage_single
                    }
                } else if ctx.residential() {
                    s.residential
                } else {
                    s.low_voltage_non_residential
                };
                vec![d(DeadlineKind::SupplyPlan, days(n))]
            }
            // Praise needs a thank-you, not a deadline.
            OrderType::Praise => Vec::new(),
        }
    }

    /// The connection deadline, counted from the acceptance of the customer's installation.
    pub fn connection_due(
        &self,
        ctx: &CustomerContext,
        installation_accepted: Timestamp,
        tz: &TimeZone,
        cal: &WorkCalendar,
    ) -> Deadline {
        let c = self.connection_working_days;
        let n = if ctx.residential() {
            c.residential
        } else {
            c.non_residential
        };
        Deadline {
            kind: DeadlineKind::Connection,
            due: add_working_days(installation_accepted, n, tz, cal),
        }
    }
}

/// `t + d`, pinned to jiff's range instead of failing.
pub fn plus(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.checked_add(d).unwrap_or(if d.is_negative() {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// `n` working days after `t`, at the same local time of day.
pub fn add_working_days(t: Timestamp, n: u32, tz: &TimeZone, cal: &WorkCalendar) -> Timestamp {
    let z = t.to_zoned(tz.clone());
    let day = cal.add_working_days(z.date(), n);
    day.to_datetime(z.time())
        .to_zoned(tz.clone())
        .map(|z| z.timestamp())
        .unwrap_or(t)
}

/// A running SLA clock: started at acceptance with a stored deadline, possibly paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub started: Timestamp,
    pub due: Timestamp,
    /// Paused time already over (counted up to the bound).
    pub paused: SignedDuration,
    /// Set while the clock is paused.
    pub paused_since: Option<Timestamp>,
}

impl Clock {
    pub fn new(started: Timestamp, due: Timestamp) -> Self {
        Self {
            started,
            due,
            paused: SignedDuration::ZERO,
            paused_since: None,
        }
    }

    /// Paused time that counts at `now`: finished pauses plus the running one, at most `max`.
    pub fn paused_at(&self, now: Timestamp, max: SignedDuration) -> SignedDuration {
        let running = self
            .paused_since
            .map(|s| now.duration_since(s).max(SignedDuration::ZERO))
            .unwrap_or(SignedDuration::ZERO);
        (self.paused + running).min(max)
    }

    /// The deadline shifted by the paused time.
    pub fn effective_due(&self, now: Timestamp, max: SignedDuration) -> Timestamp {
        plus(self.due, self.paused_at(now, max))
    }

    pub fn pause(&mut self, at: Timestamp) {
        if self.paused_since.is_none() {
            self.paused_since = Some(at);
        }
    }

    /// Ends a pause; returns how long it lasted.
    pub fn resume(&mut self, at: Timestamp) -> SignedDuration {
        match self.paused_since.take() {
            Some(s) => {
                let d = at.duration_since(s).max(SignedDuration::ZERO);
                self.paused += d;
                d
            }
            None => SignedDuration::ZERO,
        }
    }

    /// Green, yellow (≥ `yellow_at_percent` of the allowed time used) or red (past the
    /// deadline). `stopped` is when the commitment was met, if it was: the state then freezes.
    pub fn state(
        &self,
        now: Timestamp,
        stopped: Option<Timestamp>,
        policy: &SlaPolicy,
    ) -> SlaState {
        let max = SignedDuration::from_hours(policy.max_pause_hours);
        let end = stopped.unwrap_or(now);
        let due = self.effective_due(end, max);
        if end > due {
            return SlaState::Red;
        }
        let allowed = self.due.duration_since(self.started).as_secs_f64();
        let used = (end.duration_since(self.started) - self.paused_at(end, max)).as_secs_f64();
        if allowed <= 0.0 || used * 100.0 >= allowed * f64::from(policy.yellow_at_percent) {
            SlaState::Yellow
        } else {
            SlaState::Green
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CalendarFile;
    use jiff::civil::date;

    fn tz() -> TimeZone {
        TimeZone::fixed(jiff::tz::Offset::constant(8))
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn ctx(area: AreaType) -> CustomerContext {
        CustomerContext {
            area_type: area,
            tariff: TariffCategory::Residential,
            high_voltage: false,
            dual_supply: false,
        }
    }

    fn golden_week() -> WorkCalendar {
        WorkCalendar::from_files([&CalendarFile {
            holidays: (1..=7).map(|d| date(2026, 10, d)).collect(),
            makeup_workdays: vec![date(2026, 9, 20), date(2026, 10, 10)],
        }])
        .unwrap()
    }

    #[test]
    fn repair_arrival_by_area_type() {
        let p = SlaPolicy::default();
        let t = at("2026-03-03T02:00:00Z");
        let cal = WorkCalendar::weekends_only();
        for (area, mins) in [
            (AreaType::Urban, 45),
            (AreaType::Rural, 90),
            (AreaType::Remote, 120),
        ] {
            let d = p.deadlines(OrderType::FaultRepair, &ctx(area), t, &tz(), &cal);
            assert_eq!(d.len(), 1);
            assert_eq!(d[0].kind, DeadlineKind::Arrival);
            assert_eq!(d[0].due, plus(t, SignedDuration::from_mins(mins)));
        }
    }

    #[test]
    fn complaint_reply_in_working_days_across_a_holiday() {
        let p = SlaPolicy::default();
        // Wednesday 30 Sept 2026, 10:00 in Shanghai.
        let t = at("2026-09-30T02:00:00Z");
        let d = p.deadlines(
            OrderType::Complaint,
            &ctx(AreaType::Urban),
            t,
            &tz(),
            &golden_week(),
        );
        assert_eq!(d[0].kind, DeadlineKind::Contact);
        assert_eq!(d[0].due, at("2026-10-01T02:00:00Z"));
        assert_eq!(d[1].kind, DeadlineKind::Reply);
        // Four working days: 8, 9, 10 (make-up Saturday), 12 October, at 10:00.
        assert_eq!(d[1].due, at("2026-10-12T02:00:00Z"));
    }

    #[test]
    fn supply_plan_by_customer_kind() {
        let p = SlaPolicy::default();
        let t = at("2026-03-02T02:00:00Z"); // Monday
        let cal = WorkCalendar::weekends_only();
        let due = |c: CustomerContext| {
            p.deadlines(OrderType::BusinessApplication, &c, t, &tz(), &cal)[0].due
        };
        let base = ctx(AreaType::Urban);
        assert_eq!(due(base), at("2026-03-05T02:00:00Z")); // 3 working days
        let lv = CustomerContext {
            tariff: TariffCategory::Commercial,
            ..base
        };
        assert_eq!(due(lv), at("2026-03-11T02:00:00Z")); // 7
        let hv = CustomerContext {
            high_voltage: true,
            ..lv
        };
        assert_eq!(due(hv), at("2026-03-23T02:00:00Z")); // 15
        let dual = CustomerContext {
            dual_supply: true,
            ..hv
        };
        assert_eq!(due(dual), at("2026-04-13T02:00:00Z")); // 30
        assert_eq!(
            p.connection_due(&lv, t, &tz(), &cal).due,
            at("2026-03-09T02:00:00Z")
        );
    }

    #[test]
    fn clock_turns_yellow_at_80_percent_and_red_after_the_deadline() {
        let p = SlaPolicy::default();
        let start = at("2026-03-03T02:00:00Z");
        let c = Clock::new(start, plus(start, SignedDuration::from_mins(100)));
        let after = |m: i64| plus(start, SignedDuration::from_mins(m));
        assert_eq!(c.state(after(79), None, &p), SlaState::Green);
        assert_eq!(c.state(after(80), None, &p), SlaState::Yellow);
        assert_eq!(c.state(after(100), None, &p), SlaState::Yellow);
        assert_eq!(c.state(after(101), None, &p), SlaState::Red);
        // Met in time: frozen green however late we look.
        assert_eq!(c.state(after(500), Some(after(30)), &p), SlaState::Green);
    }

    #[test]
    fn pauses_shift_the_deadline_by_exactly_the_paused_time_up_to_the_bound() {
        let p = SlaPolicy::default();
        let start = at("2026-03-03T02:00:00Z");
        let after = |m: i64| plus(start, SignedDuration::from_mins(m));
        let max = SignedDuration::from_hours(p.max_pause_hours);
        let mut c = Clock::new(start, after(100));
        c.pause(after(50));
        // While paused the deadline moves with the clock, and the state does not worsen.
        assert_eq!(c.effective_due(after(90), max), after(140));
        assert_eq!(c.state(after(120), None, &p), SlaState::Green);
        assert_eq!(c.resume(after(80)), SignedDuration::from_mins(30));
        assert_eq!(c.effective_due(after(200), max), after(130));
        assert_eq!(c.state(after(120), None, &p), SlaState::Yellow);
        assert_eq!(c.state(after(131), None, &p), SlaState::Red);
        // A pause longer than the bound counts only up to it.
        let mut long = Clock::new(start, after(100));
        long.pause(after(10));
        let week_later = after(10 + 60 * 24 * 30);
        assert_eq!(long.effective_due(week_later, max), plus(after(100), max));
    }

    #[test]
    fn policies_are_validated() {
        assert_eq!(SlaPolicy::default().validate(), Ok(()));
        let p = SlaPolicy {
            opinion_working_days: 0,
            ..Default::default()
        };
        assert_eq!(
            p.validate(),
            Err(PolicyError::NotPositive {
                field: "opinion_working_days",
                value: 0
            })
        );
        let p = SlaPolicy {
            yellow_at_percent: 100,
            ..Default::default()
        };
        assert_eq!(p.validate(), Err(PolicyError::Percent(100)));
    }
}
