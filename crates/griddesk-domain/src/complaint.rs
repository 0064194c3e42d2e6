//! Complaints (投诉, D2): the cause category (D2.1), the five-step record every complaint handler
//! keeps (倾听, 询问, 道歉, 解决, 答谢), the responsibility finding, and the periodic analysis of
//! the complaint ledger (投诉台账): Pareto of causes, by unit, by month, repeat complainants.
//!
//! The rules of the workflow are here too: a complainant is answered only after all five steps
//! are recorded, and a complaint is archived only after its responsibility has been found.

use crate::values::{Code, CustomerNo, PhoneNumber};
use std::collections::BTreeMap;

code_enum! {
    /// Cause category of a complaint (D2.1).
    Cause, "cause" {
        PowerQuality = "power_quality", "电能质量", "Power quality";
        ServiceAttitude = "service_attitude", "服务态度", "Service attitude";
        Efficiency = "efficiency", "服务效率", "Efficiency / timeliness";
        WorkQuality = "work_quality", "工作质量", "Work quality";
        Communication = "communication", "语言沟通", "Wording / communication";
        Convenience = "convenience", "服务便利性", "Convenience";
        Billing = "billing", "电费电价", "Billing / tariff";
        UnkeptCommitment = "unkept_commitment", "承诺未兑现", "Unkept commitment";
        Other = "other", "其他", "Other";
    }
}

code_enum! {
    /// The five steps of handling a complainant, in the order they are taken.
    Step, "step" {
        Listen = "listen", "倾听", "Listen";
        Ask = "ask", "询问", "Ask";
        Apologise = "apologise", "道歉", "Apologise";
        Solve = "solve", "解决", "Solve";
        Thank = "thank", "答谢", "Thank";
    }
}

code_enum! {
    /// Whether the company was at fault (责任认定).
    Responsibility, "responsibility" {
        Responsible = "responsible", "供电企业有责", "Company responsible";
        PartlyResponsible = "partly_responsible", "部分有责", "Partly responsible";
        NotResponsible = "not_responsible", "供电企业无责", "Not responsible";
    }
}

/// One recorded step of the five.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord {
    pub step: Step,
    pub note: String,
    pub actor: String,
    pub actor_name: String,
    pub at: jiff::Timestamp,
}

/// The responsibility finding of a complaint, made by a supervisor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub responsibility: Responsibility,
    /// The unit found responsible (when the company is at least partly responsible).
    pub unit: Option<Code>,
    pub note: String,
    pub actor: String,
    pub actor_name: String,
    pub at: jiff::Timestamp,
}

/// What the complaint record of one complaint order holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Complaint {
    pub cause: Option<Cause>,
    /// Recorded steps, at most one of each (a later record of a step replaces the earlier one).
    pub steps: Vec<StepRecord>,
    pub finding: Option<Finding>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComplaintError {
    #[error("record the cause category of the complaint first")]
    NoCause,
    #[error("the five-step record is incomplete: {} missing", .0.iter().map(|s| s.code()).collect::<Vec<_>>().join(", "))]
    StepsMissing(Vec<Step>),
    #[error("the responsibility of the complaint has not been found yet")]
    NoFinding,
    #[error("name the responsible unit when the company is responsible")]
    UnitRequired,
}

impl Complaint {
    /// The steps not yet recorded, in order.
    pub fn missing_steps(&self) -> Vec<Step> {
        Step::ALL
            .iter()
            .copied()
            .filter(|s| !self.steps.iter().any(|r| r.step == *s))
            .collect()
    }

    /// The complainant may be given the reply: the cause is known and all five steps are kept.
    pub fn ready_to_reply(&self) -> Result<(), ComplaintError> {
        if self.cause.is_none() {
            return Err(ComplaintError::NoCause);
        }
        let missing = self.missing_steps();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(ComplaintError::StepsMissing(missing))
        }
    }

    /// The complaint may be archived: its responsibility has been found.
    pub fn ready_to_archive(&self) -> Result<(), ComplaintError> {
        self.ready_to_reply()?;
        self.finding
            .as_ref()
            .map(|_| ())
            .ok_or(ComplaintError::NoFinding)
    }
}

impl Finding {
    /// Checks the finding is complete: a responsible finding names the unit.
    pub fn validate(&self) -> Result<(), ComplaintError> {
        match (self.responsibility, &self.unit) {
            (Responsibility::NotResponsible, _) | (_, Some(_)) => Ok(()),
            _ => Err(ComplaintError::UnitRequired),
        }
    }
}

/// One row of the complaint ledger: a complaint order and its record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    pub order_id: i64,
    pub accepted_at: jiff::Timestamp,
    /// `YYYY-MM` in the company's time zone (the caller converts).
    pub month: String,
    /// The handling unit, or the unit found responsible when there is one.
    pub unit: Option<Code>,
    pub customer_no: Option<CustomerNo>,
    pub contact_phone: Option<PhoneNumber>,
    pub cause: Option<Cause>,
    pub responsibility: Option<Responsibility>,
    pub status: crate::workorder::Status,
}

impl LedgerRow {
    /// Who complained, for spotting repeat complainants: the customer, else the phone.
    pub fn complainant(&self) -> Option<String> {
        self.customer_no
            .as_ref()
            .map(|c| format!("customer:{c}"))
            .or_else(|| self.contact_phone.as_ref().map(|p| format!("phone:{p}")))
    }
}

/// One bar of the Pareto chart of causes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ParetoBar {
    /// `None`: complaints whose cause is not recorded yet.
    pub cause: Option<Cause>,
    pub count: u64,
    /// Share of all complaints, 0-1.
    pub share: f64,
    /// Cumulative share up to and including this bar, 0-1.
    pub cumulative: f64,
    /// Among the vital few: the bars that together make up the first 80 % (the bar crossing
    /// 80 % included).
    pub vital: bool,
}

/// A complainant who complained more than once in the period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Repeat {
    /// `customer:NNNNNNNNNN` or `phone:...` (raw; the presentation layer masks phones).
    pub complainant: String,
    pub customer_no: Option<CustomerNo>,
    pub contact_phone: Option<PhoneNumber>,
    pub count: u64,
    /// Their complaint orders, oldest first.
    pub orders: Vec<i64>,
}

/// The periodic analysis of the complaint ledger.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Analysis {
    pub total: u64,
    /// Complaints with the company found at least partly responsible.
    pub responsible: u64,
    pub pareto: Vec<ParetoBar>,
    /// (unit code or "" for not yet dispatched, count), most first.
    pub by_unit: Vec<(String, u64)>,
    /// (YYYY-MM, count), by month.
    pub by_month: Vec<(String, u64)>,
    /// Complainants with two or more complaints, most first.
    pub repeats: Vec<Repeat>,
}

/// Share below which a bar is still among the vital few of a Pareto chart.
pub const PARETO_VITAL: f64 = 0.8;

/// Analyses ledger rows of one period.
pub fn analyse(rows: &[LedgerRow]) -> Analysis {
    let total = rows.len() as u64;
    let mut causes: BTreeMap<Option<Cause>, u64> = BTreeMap::new();
    let mut units: BTreeMap<String, u64> = BTreeMap::new();
    let mut months: BTreeMap<String, u64> = BTreeMap::new();
    let mut who: BTreeMap<String, Repeat> = BTreeMap::new();
    let mut responsible = 0;
    for r in rows {
        *causes.entry(r.cause).or_default() += 1;
        *units
            .entry(r.unit.as_ref().map(ToString::to_string).unwrap_or_default())
            .or_default() += 1;
        *months.entry(r.month.clone()).or_default() += 1;
        if matches!(
            r.responsibility,
            Some(Responsibility::Responsible | Responsibility::PartlyResponsible)
        ) {
            responsible += 1;
        }
        if let Some(key) = r.complainant() {
            let e = who.entry(key.clone()).or_insert_with(|| Repeat {
                complainant: key,
                customer_no: r.customer_no.clone(),
                contact_phone: r.contact_phone.clone(),
                count: 0,
                orders: Vec::new(),
            });
            e.count += 1;
            e.orders.push(r.order_id);
        }
    }
    // Most first; ties in the order of the cause list, the unrecorded last.
    let mut bars: Vec<(Option<Cause>, u64)> = causes.into_iter().collect();
    bars.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| a.0.is_none().cmp(&b.0.is_none()))
            .then_with(|| a.0.cmp(&b.0))
    });
    let mut cumulative = 0u64;
    let mut crossed = false;
    let pareto = bars
        .into_iter()
        .map(|(cause, count)| {
            let before = cumulative as f64 / total as f64;
            cumulative += count;
            let vital = !crossed && before < PARETO_VITAL;
            let cum = cumulative as f64 / total as f64;
            if cum >= PARETO_VITAL {
                crossed = true;
            }
            ParetoBar {
                cause,
                count,
                share: count as f64 / total as f64,
                cumulative: cum,
                vital,
            }
        })
        .collect();
    let mut by_unit: Vec<(String, u64)> = units.into_iter().collect();
    by_unit.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut repeats: Vec<Repeat> = who
        .into_values()
        .filter(|r| r.count >= 2)
        .map(|mut r| {
            r.orders.sort_unstable();
            r
        })
        .collect();
    repeats.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.complainant.cmp(&b.complainant))
    });
    Analysis {
        total,
        responsible,
        pareto,
        by_unit,
        by_month: months.into_iter().collect(),
        repeats,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workorder::Status;

    fn step(s: Step) -> StepRecord {
        StepRecord {
            step: s,
            note: "已做".into(),
            actor: "staff:a".into(),
            actor_name: "A".into(),
            at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn replies_wait_for_the_cause_and_all_five_steps() {
        let mut c = Complaint::default();
        assert_eq!(c.ready_to_reply(), Err(ComplaintError::NoCause));
        c.cause = Some(Cause::Efficiency);
        c.steps = vec![step(Step::Listen), step(Step::Apologise)];
        assert_eq!(
            c.ready_to_reply(),
            Err(ComplaintError::StepsMissing(vec![
                Step::Ask,
                Step::Solve,
                Step::Thank
            ]))
        );
        assert!(
            c.ready_to_reply()
                .unwrap_err()
                .to_string()
                .contains("ask, solve, thank")
        );
        c.steps
            .extend([step(Step::Ask), step(Step::Solve), step(Step::Thank)]);
        assert_eq!(c.ready_to_reply(), Ok(()));
        assert_eq!(c.ready_to_archive(), Err(ComplaintError::NoFinding));
        c.finding = Some(Finding {
            responsibility: Responsibility::NotResponsible,
            unit: None,
            note: String::new(),
            actor: "staff:s".into(),
            actor_name: "S".into(),
            at: jiff::Timestamp::UNIX_EPOCH,
        });
        assert_eq!(c.ready_to_archive(), Ok(()));
    }

    #[test]
    fn a_responsible_finding_names_the_unit() {
        let mut f = Finding {
            responsibility: Responsibility::Responsible,
            unit: None,
            note: String::new(),
            actor: String::new(),
            actor_name: String::new(),
            at: jiff::Timestamp::UNIX_EPOCH,
        };
        assert_eq!(f.validate(), Err(ComplaintError::UnitRequired));
        f.responsibility = Responsibility::PartlyResponsible;
        assert_eq!(f.validate(), Err(ComplaintError::UnitRequired));
        f.unit = Some(Code::parse("B01").unwrap());
        assert_eq!(f.validate(), Ok(()));
        f.responsibility = Responsibility::NotResponsible;
        f.unit = None;
        assert_eq!(f.validate(), Ok(()));
    }

    fn row(id: i64, month: &str, unit: &str, cause: Option<Cause>, who: &str) -> LedgerRow {
        LedgerRow {
            order_id: id,
            accepted_at: jiff::Timestamp::UNIX_EPOCH,
            month: month.into(),
            unit: (!unit.is_empty()).then(|| Code::parse(unit).unwrap()),
            customer_no: (!who.is_empty()).then(|| CustomerNo::parse(who).unwrap()),
            contact_phone: who
                .is_empty()
                .then(|| PhoneNumber::parse("13800001111").unwrap()),
            cause,
            responsibility: (id % 2 == 0).then_some(Responsibility::Responsible),
            status: Status::Replied,
        }
    }

    #[test]
    fn the_ledger_analysis_counts_by_cause_unit_month_and_complainant() {
        use Cause::*;
        // 10 complaints: efficiency 5, billing 3, attitude 1, unrecorded 1.
        let rows = vec![
            row(1, "2026-10", "B01", Some(Efficiency), "0000000001"),
            row(2, "2026-10", "B01", Some(Efficiency), "0000000001"),
            row(3, "2026-10", "B02", Some(Efficiency), "0000000002"),
            row(4, "2026-11", "B02", Some(Efficiency), "0000000003"),
            row(5, "2026-11", "B01", Some(Efficiency), "0000000001"),
            row(6, "2026-11", "B03", Some(Billing), "0000000004"),
            row(7, "2026-11", "B03", Some(Billing), ""),
            row(8, "2026-11", "", Some(Billing), ""),
            row(9, "2026-11", "B01", Some(ServiceAttitude), "0000000005"),
            row(10, "2026-11", "B01", None, "0000000006"),
        ];
        let a = analyse(&rows);
        assert_eq!(a.total, 10);
        assert_eq!(a.responsible, 5, "the even ids");
        let bars: Vec<(Option<Cause>, u64, bool)> = a
            .pareto
            .iter()
            .map(|b| (b.cause, b.count, b.vital))
            .collect();
        // 50 % + 30 % = 80 %: efficiency and billing are the vital few; the bar crossing 80 %
        // is included, the ones after it are not.
        assert_eq!(
            bars,
            vec![
                (Some(Efficiency), 5, true),
                (Some(Billing), 3, true),
                (Some(ServiceAttitude), 1, false),
                (None, 1, false),
            ]
        );
        assert!((a.pareto[1].cumulative - 0.8).abs() < 1e-9);
        assert!((a.pareto[3].cumulative - 1.0).abs() < 1e-9);
        assert!((a.pareto[0].share - 0.5).abs() < 1e-9);
        assert_eq!(
            a.by_unit,
            vec![
                ("B01".to_owned(), 5),
                ("B02".to_owned(), 2),
                ("B03".to_owned(), 2),
                (String::new(), 1)
            ]
        );
        assert_eq!(
            a.by_month,
            vec![("2026-10".to_owned(), 3), ("2026-11".to_owned(), 7)]
        );
        // Customer 1 three times; the anonymous phone twice.
        assert_eq!(a.repeats.len(), 2);
        assert_eq!(a.repeats[0].complainant, "customer:0000000001");
        assert_eq!(a.repeats[0].orders, vec![1, 2, 5]);
        assert_eq!(a.repeats[1].complainant, "phone:13800001111");
        assert_eq!(a.repeats[1].count, 2);
    }

    #[test]
    fn an_empty_ledger_analyses_to_nothing() {
        let a = analyse(&[]);
        assert_eq!(a.total, 0);
        assert!(a.pareto.is_empty() && a.repeats.is_empty() && a.by_month.is_empty());
    }

    #[test]
    fn one_dominant_cause_is_the_only_vital_one() {
        let rows: Vec<LedgerRow> = (1..=10)
            .map(|i| {
                let c = if i <= 9 { Cause::Billing } else { Cause::Other };
                row(i, "2026-11", "B01", Some(c), "")
            })
            .collect();
        let a = analyse(&rows);
        assert!(a.pareto[0].vital);
        assert!(!a.pareto[1].vital, "90 % already crossed 80 %");
    }
}
