//! Weekly and monthly planned-outage plans (计划停电, D3 kind 1): the plan rows, their checks (the
//! work starts after the 7-day public notice), and the advice that keeps customers from being cut
//! again and again — seed 003: "尽量停一次电完成相关多项工作, 避免重复停电" (one outage for
//! several jobs) and "收集客户检修计划尽量协调系统停电与客户检修时间协调一致" (fit the outage
//! into the customers' own maintenance).
//!
//! Comparing outages needs what they cut, and that needs the topology: callers pass each job
//! already resolved to the transformer areas and feeder-direct customers it cuts
//! ([`PlannedCut`]). A feeder or substation job resolved so shares areas with every job on its
//! areas, which is how a job on a parent scope is found.

use crate::ParseError;
use crate::outage::{LateNotice, NoticePolicy, OutageKind, OutageScope};
use crate::values::{Code, CustomerNo};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeSet;
use std::fmt;

/// Parses a job's id in the plan. The words that name the plan API's own actions (`import`,
/// `issue`) cannot be ids: `/outage-plans/{job_id}` could not address such a job.
pub fn parse_job_id(field: &'static str, s: &str) -> Result<Code, ParseError> {
    let id = Code::parse_field(field, s)?;
    if ["import", "issue"]
        .iter()
        .any(|w| id.as_str().eq_ignore_ascii_case(w))
    {
        return Err(ParseError::new(
            field,
            format!("{:?} is a reserved word, not a job id", id.as_str()),
        ));
    }
    Ok(id)
}

code_enum! {
    /// Which plan a planned outage is in (seed 004: "通过周计划停电和月计划停电两种方案来实施管理").
    PlanKind, "plan_kind" {
        Weekly = "weekly", "周计划", "Weekly plan";
        Monthly = "monthly", "月计划", "Monthly plan";
    }
}

code_enum! {
    /// Where a plan row is: a draft the planner may still edit, issued as (part of) a planned
    /// outage, or dropped.
    PlanStatus, "plan_status" {
        Draft = "draft", "草稿", "Draft";
        Issued = "issued", "已发布", "Issued";
        Cancelled = "cancelled", "已取消", "Cancelled";
    }
}

/// One row of a weekly or monthly outage plan: a job that needs the supply off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub kind: PlanKind,
    pub job_id: Code,
    pub title: String,
    pub scope: OutageScope,
    pub planned_start: Timestamp,
    pub planned_end: Timestamp,
    /// Work content (工作内容).
    pub work_content: String,
    /// Organisation unit doing the work and answering for it (作业单位).
    pub responsible_unit: Code,
    /// Why the supply must be off (停电原因), as the public notice states it.
    pub reason: String,
}

fn text(errors: &mut Vec<ParseError>, field: &'static str, value: &str, max: usize) {
    if value.trim().is_empty() || value.chars().count() > max {
        errors.push(ParseError::new(
            field,
            format!("must be 1-{max} characters"),
        ));
    }
}

impl PlanRow {
    /// Every problem of the row, each naming its field: texts present, a scope that cuts
    /// something, an end after the start, a start after `now` and at least the public-notice lead
    /// time ahead (D3: >= 7 days; exactly the lead time is in time). The seeds set no limit on
    /// an outage's duration, so none is checked.
    pub fn validate(&self, now: Timestamp, notice: &NoticePolicy) -> Result<(), Vec<ParseError>> {
        let mut errors = Vec::new();
        text(&mut errors, "title", &self.title, 100);
        text(&mut errors, "work_content", &self.work_content, 500);
        text(&mut errors, "reason", &self.reason, 200);
        let empty = match &self.scope {
            OutageScope::Substation(_) => false,
            OutageScope::Feeders(f) => f.is_empty(),
            OutageScope::Areas(a) => a.is_empty(),
            OutageScope::Customers(c) => c.is_empty(),
        };
        if empty {
            errors.push(ParseError::new(
                "scope",
                "names no device or customer to cut",
            ));
        }
        if self.planned_end <= self.planned_start {
            errors.push(ParseError::new(
                "planned_end",
                format!(
                    "{} must be after planned_start {}",
                    self.planned_end, self.planned_start
                ),
            ));
        }
        if self.planned_start <= now {
            errors.push(ParseError::new(
                "planned_start",
                format!("{} is not in the future (now {now})", self.planned_start),
            ));
        } else if notice
            .late_notices(OutageKind::Planned, now, self.planned_start)
            .contains(&LateNotice::Public)
        {
            let earliest = now + SignedDuration::from_hours(24 * notice.public_notice_days);
            errors.push(ParseError::new(
                "planned_start",
                format!(
                    "the public notice needs {} days: start at {earliest} or later, not {}",
                    notice.public_notice_days, self.planned_start
                ),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// What a planned job cuts, resolved on the topology by the caller, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedCut {
    pub job_id: Code,
    /// Transformer areas the job cuts: a feeder or substation job lists all areas under it.
    pub areas: BTreeSet<Code>,
    /// Customers cut whose area is not cut: feeder-direct customers of a cut feeder (without a
    /// second supply still running), or the customers of a customer-scoped job.
    pub customers: BTreeSet<CustomerNo>,
    pub start: Timestamp,
    pub end: Timestamp,
}

impl PlannedCut {
    fn shared(&self, other: &PlannedCut) -> Shared {
        Shared {
            areas: self.areas.intersection(&other.areas).cloned().collect(),
            customers: self
                .customers
                .intersection(&other.customers)
                .cloned()
                .collect(),
        }
    }

    fn overlaps(&self, start: Timestamp, end: Timestamp) -> bool {
        self.start < end && start < self.end
    }
}

/// The areas and customers two jobs both cut.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Shared {
    pub areas: Vec<Code>,
    pub customers: Vec<CustomerNo>,
}

impl Shared {
    pub fn is_empty(&self) -> bool {
        self.areas.is_empty() && self.customers.is_empty()
    }
}

impl fmt::Display for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |v: Vec<&str>| v.join(", ");
        let areas = join(self.areas.iter().map(|a| a.as_str()).collect());
        let customers = join(self.customers.iter().map(|c| c.as_str()).collect());
        match (areas.is_empty(), customers.is_empty()) {
            (false, true) => write!(f, "area {areas}"),
            (true, false) => write!(f, "customer {customers}"),
            _ => write!(f, "area {areas}; customer {customers}"),
        }
    }
}

/// A customer's own maintenance outage (客户检修计划), which a job cutting the customer could share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerMaintenance {
    pub customer: CustomerNo,
    /// The area the customer hangs on; `None` for a customer supplied straight from a feeder.
    pub area: Option<Code>,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// What the planner should consider about a job. Advice, not errors: the plan may still go ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Advice {
    /// Both jobs cut `shared` at the same time, on the same scope or one on a parent scope:
    /// they should be one outage.
    Overlap {
        job: Code,
        other: Code,
        shared: Shared,
    },
    /// `other` cuts `shared` too, `days_apart` whole days from this job (starts compared),
    /// within the repeat window: the customers there would be cut twice.
    Repeat {
        job: Code,
        other: Code,
        shared: Shared,
        /// `other`'s start date in the company's time zone.
        other_date: Date,
        days_apart: i64,
        window_days: i64,
    },
    /// A customer the job cuts has its own maintenance within the repeat window, and the job is
    /// not inside it.
    CustomerMaintenance {
        job: Code,
        customer: CustomerNo,
        start: Timestamp,
        end: Timestamp,
        date: Date,
    },
}

impl fmt::Display for Advice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Advice::Overlap { job, other, shared } => write!(
                f,
                "{job} and {other} both cut {shared} at the same time — they should be one outage"
            ),
            Advice::Repeat {
                job,
                other,
                shared,
                other_date,
                days_apart,
                window_days,
            } => write!(
                f,
                "{shared} already planned out on {other_date} by {other}, {days_apart} days from \
                 {job}, within {window_days} days — consider combining the jobs into one outage"
            ),
            Advice::CustomerMaintenance {
                job,
                customer,
                start,
                end,
                date,
            } => write!(
                f,
                "customer {customer} has its own maintenance on {date} ({start} to {end}) — \
                 consider doing {job} in that window, one outage for both"
            ),
        }
    }
}

/// The repeated-outage window. The seeds ask to avoid repeated outages (seed 003) without a
/// number; the default of 30 days is one monthly plan (seed 004's longest plan), so jobs on the
/// same areas in one monthly plan are offered for combining.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RepeatPolicy {
    pub window_days: i64,
}

impl Default for RepeatPolicy {
    fn default() -> Self {
        Self { window_days: 30 }
    }
}

impl RepeatPolicy {
    pub fn validate(&self) -> Result<(), ParseError> {
        if self.window_days <= 0 {
            return Err(ParseError::new(
                "window_days",
                format!("must be positive, not {}", self.window_days),
            ));
        }
        Ok(())
    }

    fn within(&self, a: Timestamp, b: Timestamp) -> Option<i64> {
        let apart = b.duration_since(a).abs();
        // Exactly the window apart is outside it, like the fault-inference window.
        (apart < SignedDuration::from_hours(24 * self.window_days))
            .then(|| apart.as_secs() / 86_400)
    }

    /// The advice for a new (or edited) `job` against the jobs already planned. A job with the
    /// same id in `existing` is the job itself and is skipped; so are jobs that share nothing.
    /// Jobs overlapping in time get [`Advice::Overlap`] only, others starting within the window
    /// [`Advice::Repeat`]. `tz` dates the other job for the message.
    pub fn advise(&self, job: &PlannedCut, existing: &[PlannedCut], tz: &TimeZone) -> Vec<Advice> {
        let mut out = Vec::new();
        for other in existing.iter().filter(|o| o.job_id != job.job_id) {
            let shared = job.shared(other);
            if shared.is_empty() {
                continue;
            }
            if job.overlaps(other.start, other.end) {
                out.push(Advice::Overlap {
                    job: job.job_id.clone(),
                    other: other.job_id.clone(),
                    shared,
                });
            } else if let Some(days_apart) = self.within(job.start, other.start) {
                out.push(Advice::Repeat {
                    job: job.job_id.clone(),
                    other: other.job_id.clone(),
                    shared,
                    other_date: other.start.to_zoned(tz.clone()).date(),
                    days_apart,
                    window_days: self.window_days,
                });
            }
        }
        out
    }

    /// The advice over a whole plan, each pair of jobs once (the later-listed job as `job`).
    pub fn advise_plan(&self, jobs: &[PlannedCut], tz: &TimeZone) -> Vec<Advice> {
        (1..jobs.len())
            .flat_map(|i| self.advise(&jobs[i], &jobs[..i], tz))
            .collect()
    }

    /// The customers' own maintenance the job could share: a customer it cuts (by area or as a
    /// feeder-direct customer) maintaining within the window of the job's start, when the job
    /// does not already lie inside that maintenance.
    pub fn align_with_customers(
        &self,
        job: &PlannedCut,
        maintenance: &[CustomerMaintenance],
        tz: &TimeZone,
    ) -> Vec<Advice> {
        maintenance
            .iter()
            .filter(|m| {
                job.customers.contains(&m.customer)
                    || m.area.as_ref().is_some_and(|a| job.areas.contains(a))
            })
            .filter(|m| !(m.start <= job.start && job.end <= m.end))
            .filter(|m| self.within(job.start, m.start).is_some())
            .map(|m| Advice::CustomerMaintenance {
                job: job.job_id.clone(),
                customer: m.customer.clone(),
                start: m.start,
                end: m.end,
                date: m.start.to_zoned(tz.clone()).date(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }
    fn no(n: u32) -> CustomerNo {
        CustomerNo::parse(&format!("{n:010}")).unwrap()
    }
    fn tz() -> TimeZone {
        TimeZone::fixed(jiff::tz::Offset::constant(8))
    }
    /// 2026-12-01 09:00 in the company's time zone (UTC+8).
    fn t0() -> Timestamp {
        date(2026, 12, 1)
            .at(9, 0, 0, 0)
            .to_zoned(tz())
            .unwrap()
            .timestamp()
    }
    fn days(n: i64) -> SignedDuration {
        SignedDuration::from_hours(24 * n)
    }
    fn secs(n: i64) -> SignedDuration {
        SignedDuration::from_secs(n)
    }
    fn cut(id: &str, areas: &[&str], start: Timestamp, hours: i64) -> PlannedCut {
        PlannedCut {
            job_id: code(id),
            areas: areas.iter().map(|a| code(a)).collect(),
            customers: BTreeSet::new(),
            start,
            end: start + SignedDuration::from_hours(hours),
        }
    }

    #[test]
    fn repeats_are_found_up_to_the_window_boundary() {
        let p = RepeatPolicy::default();
        assert_eq!(p.window_days, 30);
        let old = cut("J1", &["A1", "A2"], t0(), 8);
        let at = |d: SignedDuration| cut("J2", &["A2", "A3"], t0() + d, 8);
        // Exactly 30 days apart: outside; one second less: inside; one second more: outside.
        assert!(
            p.advise(&at(days(30)), std::slice::from_ref(&old), &tz())
                .is_empty()
        );
        assert!(
            p.advise(&at(days(30) + secs(1)), std::slice::from_ref(&old), &tz())
                .is_empty()
        );
        let inside = p.advise(&at(days(30) - secs(1)), std::slice::from_ref(&old), &tz());
        assert_eq!(
            inside,
            [Advice::Repeat {
                job: code("J2"),
                other: code("J1"),
                shared: Shared {
                    areas: vec![code("A2")],
                    customers: vec![]
                },
                other_date: date(2026, 12, 1),
                days_apart: 29,
                window_days: 30,
            }]
        );
        assert_eq!(
            inside[0].to_string(),
            "area A2 already planned out on 2026-12-01 by J1, 29 days from J2, within 30 days \
             — consider combining the jobs into one outage"
        );
        // The same before the planned job.
        let before = |d: SignedDuration| cut("J2", &["A1"], t0() - d, 8);
        assert_eq!(
            p.advise(
                &before(days(30) - secs(1)),
                std::slice::from_ref(&old),
                &tz()
            )
            .len(),
            1
        );
        assert!(
            p.advise(&before(days(30)), std::slice::from_ref(&old), &tz())
                .is_empty()
        );
        // A shorter configured window.
        let week = RepeatPolicy { window_days: 7 };
        assert!(
            week.advise(&at(days(7)), std::slice::from_ref(&old), &tz())
                .is_empty()
        );
        assert_eq!(
            week.advise(&at(days(7) - secs(1)), std::slice::from_ref(&old), &tz())
                .len(),
            1
        );
    }

    #[test]
    fn overlapping_jobs_on_a_shared_or_parent_scope_should_be_one_outage() {
        let p = RepeatPolicy::default();
        // J1 is a feeder job, resolved to the feeder's areas A1-A3; J2 works in A2 during it.
        let feeder = cut("J1", &["A1", "A2", "A3"], t0(), 8);
        let area = cut("J2", &["A2"], t0() + SignedDuration::from_hours(7), 4);
        let advice = p.advise(&area, std::slice::from_ref(&feeder), &tz());
        assert_eq!(
            advice,
            [Advice::Overlap {
                job: code("J2"),
                other: code("J1"),
                shared: Shared {
                    areas: vec![code("A2")],
                    customers: vec![]
                },
            }]
        );
        assert_eq!(
            advice[0].to_string(),
            "J2 and J1 both cut area A2 at the same time — they should be one outage"
        );
        // Back to back is not overlapping, but a repeat the same day.
        let next = cut("J3", &["A1"], feeder.end, 2);
        assert!(matches!(
            p.advise(&next, std::slice::from_ref(&feeder), &tz())[..],
            [Advice::Repeat { days_apart: 0, .. }]
        ));
        // Feeder-direct customers count like areas.
        let mut a = cut("J4", &[], t0(), 8);
        let mut b = cut("J5", &["A9"], t0() + SignedDuration::from_hours(1), 1);
        a.customers.insert(no(7));
        b.customers.insert(no(7));
        let advice = p.advise(&b, &[a], &tz());
        assert_eq!(advice.len(), 1);
        assert!(
            advice[0]
                .to_string()
                .starts_with("J5 and J4 both cut customer 0000000007")
        );
    }

    #[test]
    fn different_areas_and_the_job_itself_give_no_advice() {
        let p = RepeatPolicy::default();
        let old = cut("J1", &["A1", "A2"], t0(), 8);
        assert!(
            p.advise(
                &cut("J2", &["A3"], t0(), 8),
                std::slice::from_ref(&old),
                &tz()
            )
            .is_empty()
        );
        assert!(
            p.advise(&cut("J2", &[], t0(), 8), std::slice::from_ref(&old), &tz())
                .is_empty()
        );
        // Editing J1 compares it with the others, not with its stored self.
        let edited = cut("J1", &["A1"], t0() + days(2), 8);
        assert!(
            p.advise(&edited, std::slice::from_ref(&old), &tz())
                .is_empty()
        );
    }

    #[test]
    fn a_whole_plan_is_checked_pair_by_pair() {
        let p = RepeatPolicy::default();
        let plan = [
            cut("J1", &["A1"], t0(), 8),
            cut("J2", &["A1"], t0() + days(3), 8),
            cut("J3", &["A2"], t0() + days(3), 8),
            cut(
                "J4",
                &["A1", "A2"],
                t0() + days(3) + SignedDuration::from_hours(2),
                2,
            ),
        ];
        let pairs: Vec<(String, String, bool)> = p
            .advise_plan(&plan, &tz())
            .iter()
            .map(|a| match a {
                Advice::Overlap { job, other, .. } => (job.to_string(), other.to_string(), true),
                Advice::Repeat { job, other, .. } => (job.to_string(), other.to_string(), false),
                Advice::CustomerMaintenance { .. } => unreachable!(),
            })
            .collect();
        let s = |a: &str, b: &str, o: bool| (a.to_owned(), b.to_owned(), o);
        assert_eq!(
            pairs,
            [
                s("J2", "J1", false),
                s("J4", "J1", false),
                s("J4", "J2", true),
                s("J4", "J3", true),
            ]
        );
    }

    #[test]
    fn jobs_are_fitted_into_the_customers_own_maintenance() {
        let p = RepeatPolicy::default();
        let mut job = cut("J1", &["A1"], t0() + days(10), 8);
        job.customers.insert(no(2));
        let m = |n: u32, area: Option<&str>, start: Timestamp, hours: i64| CustomerMaintenance {
            customer: no(n),
            area: area.map(code),
            start,
            end: start + SignedDuration::from_hours(hours),
        };
        let windows = [
            // On A1, five days before the job: suggest.
            m(1, Some("A1"), t0() + days(5), 10),
            // Feeder-direct customer of the job, the job already inside its window: fine.
            m(2, None, job.start - SignedDuration::from_hours(1), 12),
            // Not cut by the job.
            m(3, Some("A2"), t0() + days(10), 8),
            // Cut, but 30 days from the job: outside the window.
            m(4, Some("A1"), job.start + days(30), 8),
        ];
        let advice = p.align_with_customers(&job, &windows, &tz());
        assert_eq!(advice.len(), 1, "{advice:?}");
        let Advice::CustomerMaintenance {
            customer, date: d, ..
        } = &advice[0]
        else {
            panic!("{advice:?}")
        };
        assert_eq!((customer, *d), (&no(1), date(2026, 12, 6)));
        assert!(
            advice[0]
                .to_string()
                .contains("consider doing J1 in that window")
        );
    }

    fn row(start: Timestamp, hours: i64) -> PlanRow {
        PlanRow {
            kind: PlanKind::Weekly,
            job_id: code("W2026-49-03"),
            title: "10 kV 东门线 #12 杆更换".into(),
            scope: OutageScope::Feeders(vec![code("F1")]),
            planned_start: start,
            planned_end: start + SignedDuration::from_hours(hours),
            work_content: "更换 #12 杆及横担".into(),
            responsible_unit: code("SS-EAST"),
            reason: "线路检修".into(),
        }
    }
    fn fields(r: Result<(), Vec<ParseError>>) -> Vec<&'static str> {
        r.err()
            .unwrap_or_default()
            .iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn plan_rows_need_a_future_start_after_the_public_notice() {
        let n = NoticePolicy::default();
        let now = t0();
        assert_eq!(
            row(now + days(7), 8).validate(now, &n),
            Ok(()),
            "exactly 7 days"
        );
        let late = row(now + days(7) - secs(1), 8).validate(now, &n);
        assert_eq!(fields(late.clone()), ["planned_start"]);
        assert!(
            late.unwrap_err()[0]
                .reason
                .contains("public notice needs 7 days")
        );
        assert_eq!(fields(row(now, 8).validate(now, &n)), ["planned_start"]);
        let past = row(now - days(1), 8).validate(now, &n);
        assert!(past.unwrap_err()[0].reason.contains("not in the future"));
        assert_eq!(
            fields(row(now + days(8), 0).validate(now, &n)),
            ["planned_end"]
        );
        assert_eq!(
            fields(row(now + days(8), -1).validate(now, &n)),
            ["planned_end"]
        );
        // A company with a 3-day notice.
        let short = NoticePolicy {
            public_notice_days: 3,
            ..n.clone()
        };
        assert_eq!(row(now + days(3), 8).validate(now, &short), Ok(()));
    }

    #[test]
    fn plan_rows_report_every_bad_field() {
        let now = t0();
        let mut r = row(now + days(1), -2);
        r.title = " ".into();
        r.work_content = "x".repeat(501);
        r.reason = String::new();
        r.scope = OutageScope::Areas(vec![]);
        assert_eq!(
            fields(r.validate(now, &NoticePolicy::default())),
            [
                "title",
                "work_content",
                "reason",
                "scope",
                "planned_end",
                "planned_start"
            ]
        );
        assert_eq!(PlanKind::parse("月计划"), Ok(PlanKind::Monthly));
        assert_eq!(PlanKind::Weekly.code(), "weekly");
    }

    #[test]
    fn the_repeat_policy_is_configurable() {
        let p: RepeatPolicy = serde_json::from_str("{}").unwrap();
        assert_eq!(p, RepeatPolicy::default());
        let p: RepeatPolicy = serde_json::from_str(r#"{"window_days": 60}"#).unwrap();
        assert_eq!(p.window_days, 60);
        assert!(serde_json::from_str::<RepeatPolicy>(r#"{"days": 60}"#).is_err());
        assert_eq!(
            RepeatPolicy { window_days: 0 }
                .validate()
                .unwrap_err()
                .field,
            "window_days"
        );
        assert!(p.validate().is_ok());
    }

    #[test]
    fn job_ids_are_codes_but_never_the_plan_apis_own_words() {
        assert_eq!(
            parse_job_id("job_id", " W2026-49-03 ").unwrap().as_str(),
            "W2026-49-03"
        );
        for bad in ["import", "ISSUE", "Issue", "", "工作1"] {
            let e = parse_job_id("job_id", bad).unwrap_err();
            assert_eq!(e.field, "job_id", "{bad}");
        }
        assert!(parse_job_id("job_id", "issue-2").is_ok());
    }
}
