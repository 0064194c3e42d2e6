//! Presentation models shared by the JSON API and the console: what a client may see of a
//! customer. Every personal field (phone, ID number, exact address, e-mail) is masked here (D12),
//! so neither the API nor a page can show the raw value by accident.

use griddesk_domain::access::Reveal;
use griddesk_domain::billing::{Bill, LoadCurve, PayChannel, Period};
use griddesk_domain::customer::{
    ContactChannel, Customer, ImportantGrade, Industry, Institution, LoadImportance,
    SupplyRelation, TariffCategory, UsageNature,
};
use griddesk_domain::mask;
use griddesk_domain::org::{OrgKind, OrgUnit};
use griddesk_domain::revenue::TheftCase;
use griddesk_domain::topology::{AreaType, MeteringPoint, TopologyPath};
use griddesk_domain::values::{Lang, Money};
use griddesk_lake::CustomerHistory;
use griddesk_store::{CustomerDetail, CustomerSummary};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// A classification value with its stable code and both labels.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Label {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

/// The classification enums of the domain (made by `code_enum!`), seen uniformly.
pub trait Coded: Copy {
    fn code_str(self) -> &'static str;
    fn label_in(self, lang: Lang) -> &'static str;
}

macro_rules! coded {
    ($($t:ty),* $(,)?) => {$(
        impl Coded for $t {
            fn code_str(self) -> &'static str { self.code() }
            fn label_in(self, lang: Lang) -> &'static str { self.label(lang) }
        }
    )*};
}
coded!(
    SupplyRelation,
    TariffCategory,
    UsageNature,
    LoadImportance,
    ImportantGrade,
    Industry,
    Institution,
    ContactChannel,
    AreaType,
    PayChannel,
    OrgKind,
    griddesk_domain::access::AuditAction,
    griddesk_domain::workorder::OrderType,
    griddesk_domain::workorder::Channel,
    griddesk_domain::workorder::Status,
    griddesk_domain::workorder::ContactKind,
    griddesk_domain::workorder::AppointmentKind,
    griddesk_domain::sla::DeadlineKind,
    griddesk_domain::sla::SlaState,
    griddesk_domain::complaint::Cause,
    griddesk_domain::complaint::Step,
    griddesk_domain::complaint::Responsibility,
    griddesk_domain::queue::AgentStatus,
    griddesk_domain::knowledge::ArticleKind,
    griddesk_domain::outage::OutageKind,
    griddesk_domain::outage::OutageStatus,
    griddesk_domain::outage::OutageAction,
    griddesk_domain::outage::LateNotice,
    griddesk_domain::notice::NoticePurpose,
    griddesk_domain::notice::NoticeChannel,
    griddesk_domain::notice::DeliveryStatus,
    griddesk_domain::notice::TaskKind,
    griddesk_domain::notice::ContactMethod,
    griddesk_domain::orderly::Measure,
    griddesk_domain::outage_plan::PlanKind,
    griddesk_domain::outage_plan::PlanStatus,
);

impl Label {
    pub fn of<C: Coded>(c: C) -> Self {
        Self {
            code: c.code_str(),
            zh: c.label_in(Lang::Zh),
            en: c.label_in(Lang::En),
        }
    }
}

/// Masks an e-mail address: first character of the local part, then `***`.
pub fn mask_email(e: &str) -> String {
    match e.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

/// One search hit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CustomerHit {
    #[schema(example = "0100000001")]
    pub customer_no: String,
    pub name: String,
    /// Supply address, masked (D12).
    pub address: String,
    pub tariff: Label,
    pub important_grade: Label,
    pub org_unit_name: String,
    /// Transformer area name, or the feeder name for customers supplied from a feeder.
    pub supply_point: String,
}

impl From<&CustomerSummary> for CustomerHit {
    fn from(s: &CustomerSummary) -> Self {
        Self {
            customer_no: s.customer_no.to_string(),
            name: s.name.clone(),
            address: mask::address(&s.address),
            tariff: Label::of(s.tariff),
            important_grade: Label::of(s.important_grade),
            org_unit_name: s.org_unit_name.clone(),
            supply_point: s.supply_point.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResult {
    /// Number of hits returned (at most `limit`).
    pub count: usize,
    pub limit: u32,
    pub items: Vec<CustomerHit>,
}

/// Every classification dimension of D1.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Classification {
    pub supply_relation: Label,
    pub tariff: Label,
    #[schema(example = "10")]
    pub voltage_kv: String,
    #[schema(example = "630")]
    pub capacity_kva: String,
    /// 10 kV and above.
    pub high_voltage: bool,
    /// Two feeders (双电源).
    pub dual_supply: bool,
    pub self_provided_source: bool,
    pub dedicated_line: bool,
    pub usage_nature: Label,
    pub load_importance: Label,
    pub important_grade: Label,
    pub area_type: Label,
    pub industry: Label,
    pub institution: Label,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactView {
    pub name: String,
    pub role: String,
    /// Masked phone numbers (138****1234).
    pub phones: Vec<String>,
    /// Masked e-mail address.
    pub email: Option<String>,
    pub preferred_channel: Label,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
}

/// The customer 360 record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CustomerView {
    #[schema(example = "0100000001")]
    pub customer_no: String,
    pub name: String,
    /// How the personal fields below are shown: `masked` (the default, D12), `assigned_manager`
    /// (the reader is the customer's manager) or `unmasked` (explicit, with a reason). Reads in
    /// clear are audited.
    #[schema(example = "masked")]
    pub personal_data: &'static str,
    /// Supply address, masked unless `personal_data` says otherwise.
    pub address: String,
    /// Identity number, masked unless `personal_data` says otherwise.
    pub id_number: Option<String>,
    #[schema(format = Date)]
    pub opened_on: String,
    pub classification: Classification,
    pub topology: TopologyPath,
    pub org_unit: UnitRef,
    /// Assigned customer manager (login and name).
    pub customer_manager: Option<UnitRef>,
    pub contacts: Vec<ContactView>,
    pub meters: Vec<MeteringPoint>,
    pub theft_cases: Vec<TheftCase>,
}

impl CustomerView {
    /// The record as `reveal` allows: masked by default.
    pub fn from_detail(d: &CustomerDetail, reveal: Reveal) -> Self {
        let c: &Customer = &d.customer;
        let clear = reveal.is_clear();
        Self {
            customer_no: c.customer_no.to_string(),
            name: c.name.clone(),
            personal_data: match reveal {
                Reveal::Masked => "masked",
                Reveal::AssignedManager => "assigned_manager",
                Reveal::Explicit => "unmasked",
            },
            address: if clear {
                c.address.clone()
            } else {
                mask::address(&c.address)
            },
            id_number: c.id_number.as_ref().map(|id| {
                if clear {
                    id.to_string()
                } else {
                    mask::id_number(id)
                }
            }),
            opened_on: c.opened_on.to_string(),
            classification: Classification {
                supply_relation: Label::of(c.supply_relation),
                tariff: Label::of(c.tariff),
                voltage_kv: c.voltage_kv.to_string(),
                capacity_kva: c.capacity_kva.to_string(),
                high_voltage: c.is_high_voltage(),
                dual_supply: c.is_dual_supply(),
                self_provided_source: c.supply.self_provided_source,
                dedicated_line: c.supply.dedicated_line,
                usage_nature: Label::of(c.usage_nature),
                load_importance: Label::of(c.load_importance),
                important_grade: Label::of(c.important_grade),
                area_type: Label::of(c.area_type),
                industry: Label::of(c.industry),
                institution: Label::of(c.institution),
            },
            topology: d.path.clone(),
            org_unit: UnitRef {
                code: c.org_unit.to_string(),
                name: d.org_unit_name.clone(),
            },
            customer_manager: c.customer_manager.as_ref().map(|login| UnitRef {
                code: login.to_string(),
                name: d
                    .customer_manager_name
                    .clone()
                    .unwrap_or_else(|| login.to_string()),
            }),
            contacts: c
                .contacts
                .iter()
                .map(|k| ContactView {
                    name: k.name.clone(),
                    role: k.role.clone(),
                    phones: k
                        .phones
                        .iter()
                        .map(|p| if clear { p.to_string() } else { mask::phone(p) })
                        .collect(),
                    email: k.email.as_ref().map(|e| {
                        if clear {
                            e.to_string()
                        } else {
                            mask_email(e.as_str())
                        }
                    }),
                    preferred_channel: Label::of(k.preferred_channel),
                })
                .collect(),
            meters: c.meters.clone(),
            theft_cases: d.theft_cases.clone(),
        }
    }
}

/// One month of the consumption and bill chart.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthPoint {
    #[schema(example = "2026-03")]
    pub period: String,
    /// Billed consumption in kWh (0 when no bill).
    #[schema(value_type = String)]
    pub consumption_kwh: Decimal,
    /// Bill amount in yuan (0 when no bill).
    pub amount: Money,
    pub billed: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentView {
    pub payment_no: String,
    pub bill_no: String,
    /// Billing month of the settled bill, when the bill is in the history window.
    pub bill_period: Option<String>,
    /// Time of payment, RFC 3339 in Asia/Shanghai.
    pub paid_at: String,
    pub amount: Money,
    pub channel: Label,
    /// Bounced cheque or failed debit (退票).
    pub bounced: bool,
    /// Paid after the bill's due date.
    pub late: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReadingView {
    pub meter_no: String,
    #[schema(format = Date)]
    pub reading_date: String,
    #[schema(value_type = String)]
    pub register_kwh: Decimal,
    /// Consumption since the previous reading of the same meter (multiplier not applied).
    #[schema(value_type = Option<String>)]
    pub delta_kwh: Option<Decimal>,
}

/// Billing and metering history of one customer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryView {
    pub customer_no: String,
    pub months: u32,
    /// "Today" in Asia/Shanghai, the reference date of the window and of the arrears.
    #[schema(format = Date)]
    pub today: String,
    /// One point per month of the window, oldest first, the last being the previous month.
    pub monthly: Vec<MonthPoint>,
    pub bills: Vec<Bill>,
    pub payments: Vec<PaymentView>,
    pub readings: Vec<ReadingView>,
    pub load_curves: Vec<LoadCurve>,
    pub arrears: griddesk_domain::billing::ArrearsSummary,
}

impl HistoryView {
    pub fn build(
        customer_no: &str,
        months: u32,
        today: jiff::civil::Date,
        h: &CustomerHistory,
    ) -> Self {
        let last = Period::of(today).add_months(-1);
        let first = last.add_months(1 - i32::try_from(months).unwrap_or(1));
        let by_period: HashMap<Period, Vec<&Bill>> =
            h.bills.iter().fold(HashMap::new(), |mut m, b| {
                m.entry(b.period).or_default().push(b);
                m
            });
        let monthly = (0..first.months_until(last) + 1)
            .map(|i| {
                let p = first.add_months(i);
                let bills = by_period.get(&p).map(Vec::as_slice).unwrap_or_default();
                MonthPoint {
                    period: p.to_string(),
                    consumption_kwh: bills.iter().map(|b| b.consumption_kwh).sum(),
                    amount: bills.iter().map(|b| b.amount).sum(),
                    billed: !bills.is_empty(),
                }
            })
            .collect();
        let bill_index: HashMap<&str, &Bill> =
            h.bills.iter().map(|b| (b.bill_no.as_str(), b)).collect();
        let payments = h
            .payments
            .iter()
            .map(|p| {
                let bill = bill_index.get(p.bill_no.as_str());
                PaymentView {
                    payment_no: p.payment_no.clone(),
                    bill_no: p.bill_no.clone(),
                    bill_period: bill.map(|b| b.period.to_string()),
                    paid_at: crate::time::local_rfc3339(p.paid_at),
                    amount: p.amount,
                    channel: Label::of(p.channel),
                    bounced: p.bounced,
                    late: bill.is_some_and(|b| crate::time::local_date(p.paid_at) > b.due_on),
                }
            })
            .collect();
        let mut prev: HashMap<&str, Decimal> = HashMap::new();
        let readings = h
            .readings
            .iter()
            .map(|r| {
                let delta = prev
                    .insert(r.meter_no.as_str(), r.register_kwh)
                    .map(|before| r.register_kwh - before);
                ReadingView {
                    meter_no: r.meter_no.to_string(),
                    reading_date: r.reading_date.to_string(),
                    register_kwh: r.register_kwh,
                    delta_kwh: delta,
                }
            })
            .collect();
        Self {
            customer_no: customer_no.to_owned(),
            months,
            today: today.to_string(),
            monthly,
            bills: h.bills.clone(),
            payments,
            readings,
            load_curves: h.load_curves.clone(),
            arrears: h.arrears.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgUnitView {
    pub code: String,
    pub name: String,
    pub kind: Label,
    pub parent: Option<String>,
}

impl From<&OrgUnit> for OrgUnitView {
    fn from(u: &OrgUnit) -> Self {
        Self {
            code: u.code.to_string(),
            name: u.name.clone(),
            kind: Label::of(u.kind),
            parent: u.parent.as_ref().map(ToString::to_string),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Health {
    /// "ok" when the archive database answers.
    #[schema(example = "ok")]
    pub status: &'static str,
    /// "sqlite" or "postgres".
    pub backend: &'static str,
    pub version: &'static str,
}

/// Formats an amount as "1,234.50".
pub fn money_text(m: Money) -> String {
    group_thousands(&m.to_string())
}

/// Formats a decimal with thousands separators, at most `dp` decimals.
pub fn decimal_text(d: Decimal, dp: u32) -> String {
    group_thousands(&d.round_dp(dp).normalize().to_string())
}

fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formatting() {
        assert_eq!(money_text(Money::from_fen(123_456_789)), "1,234,567.89");
        assert_eq!(money_text(Money::from_fen(-5)), "-0.05");
        assert_eq!(decimal_text(Decimal::new(1234567, 1), 1), "123,456.7");
        assert_eq!(decimal_text(Decimal::from(100), 2), "100");
    }

    #[test]
    fn email_masking() {
        assert_eq!(mask_email("zhang.wei@example.cn"), "z***@example.cn");
    }
}
