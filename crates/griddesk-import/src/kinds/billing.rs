//! Records that refer to a customer: theft cases (kept in the store) and bills, payments and
//! meter readings (kept in the Parquet lake).

use crate::columns::{Spec, opt, req};
use crate::parse::{Bad, Rec, parse_date};
use crate::table::CellKind;
use crate::validate::{Key, Parsed, Ref};
use griddesk_domain::ParseError;
use griddesk_domain::billing::{Bill, PayChannel, Payment, Period, Reading};
use griddesk_domain::revenue::TheftCase;
use griddesk_domain::values::{Code, CustomerNo, Money};
use griddesk_store::RefKind;

/// Longest accepted bill, payment or case number.
const ID_MAX: usize = 64;

fn customer_ref(no: &CustomerNo) -> Vec<Ref> {
    vec![Ref {
        kind: RefKind::Customer,
        col: "customer_no",
        code: no.to_string(),
        in_file: false,
    }]
}

/// An identifier from another system (bill, payment or case number): 1-64 characters, no
/// spaces or control characters.
fn identifier(r: &Rec<'_>, col: &'static str) -> Result<String, Bad> {
    let t = r.name(col, ID_MAX)?;
    if t.chars().any(char::is_whitespace) {
        return Err(r.bad(col, format!("{t:?} contains spaces")));
    }
    Ok(t)
}

fn money(r: &Rec<'_>, col: &'static str) -> Result<Money, Bad> {
    r.parse(col, |s| Money::parse(col, s))
}

fn non_negative_money(r: &Rec<'_>, col: &'static str) -> Result<Money, Bad> {
    let m = money(r, col)?;
    if m < Money::ZERO {
        return Err(r.bad(col, format!("{m} is negative")));
    }
    Ok(m)
}

pub(crate) const THEFT_CASES: Spec = Spec {
    columns: &[
        req("case_no", &["案件编号"]),
        req("customer_no", &["户号"]),
        req("found_on", &["查处日期"]),
        req("stolen_kwh", &["窃电量"]),
        req("charged", &["追补金额", "追补及违约电费"]),
        opt("description", &["案情描述"]),
    ],
    one_of: &[],
};

pub(crate) fn theft_case(r: &Rec<'_>) -> Result<Parsed<TheftCase>, Bad> {
    let case_no = identifier(r, "case_no")?;
    let customer_no = r.customer_no("customer_no")?;
    let found_on = r.date("found_on")?;
    let stolen_kwh = r.non_negative("stolen_kwh")?;
    let charged = non_negative_money(r, "charged")?;
    let description = r.free_text("description", 1000)?;
    Ok(Parsed {
        keys: vec![Key::new("case_no", &case_no)],
        refs: customer_ref(&customer_no),
        item: TheftCase {
            case_no,
            customer_no,
            found_on,
            stolen_kwh,
            charged,
            description,
        },
    })
}

pub(crate) const BILLS: Spec = Spec {
    columns: &[
        req("bill_no", &["账单编号"]),
        req("customer_no", &["户号"]),
        req("period", &["电费年月", "账期"]),
        req("consumption_kwh", &["电量", "结算电量"]),
        req("amount", &["电费", "应收电费"]),
        opt("late_fee", &["违约金"]),
        req("issued_on", &["出账日期", "发行日期"]),
        req("due_on", &["缴费截止日期", "到期日期"]),
    ],
    one_of: &[],
};

/// A billing month: YYYY-MM or YYYYMM; a spreadsheet date cell holding the first of a month
/// (what Excel makes of a typed "2026-03") counts as that month.
fn period(r: &Rec<'_>) -> Result<Period, Bad> {
    let t = r.required("period")?;
    let is_date_cell = r.cell("period").is_some_and(|c| c.kind == CellKind::Date);
    if is_date_cell && let Ok(d) = parse_date(t) {
        if d.day() == 1 {
            return Ok(Period::of(d));
        }
        return Err(r.bad(
            "period",
            format!("{t:?} is a day, not a month: expected YYYY-MM"),
        ));
    }
    let compact = t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit());
    let spelled = if compact {
        format!("{}-{}", &t[..4], &t[4..])
    } else {
        t.to_owned()
    };
    Period::parse(&spelled).map_err(|e: ParseError| r.bad_parse("period", e))
}

pub(crate) fn bill(r: &Rec<'_>) -> Result<Parsed<Bill>, Bad> {
    let bill_no = identifier(r, "bill_no")?;
    let customer_no = r.customer_no("customer_no")?;
    let period = period(r)?;
    let consumption_kwh = r.non_negative("consumption_kwh")?;
    let amount = money(r, "amount")?;
    let late_fee = match r.optional("late_fee") {
        None => Money::ZERO,
        Some(_) => non_negative_money(r, "late_fee")?,
    };
    let issued_on = r.date("issued_on")?;
    let due_on = r.date("due_on")?;
    if due_on < issued_on {
        return Err(r.bad(
            "due_on",
            format!("due date {due_on} is before the issue date {issued_on}"),
        ));
    }
    Ok(Parsed {
        keys: vec![Key::new("bill_no", &bill_no)],
        refs: customer_ref(&customer_no),
        item: Bill {
            bill_no,
            customer_no,
            period,
            consumption_kwh,
            amount,
            late_fee,
            issued_on,
            due_on,
        },
    })
}

pub(crate) const PAYMENTS: Spec = Spec {
    columns: &[
        req("payment_no", &["缴费流水号", "收费流水号"]),
        req("customer_no", &["户号"]),
        req("bill_no", &["账单编号"]),
        req("paid_at", &["缴费时间"]),
        req("amount", &["缴费金额", "实收金额"]),
        req("channel", &["缴费渠道"]),
        opt("bounced", &["退票"]),
    ],
    one_of: &[],
};

pub(crate) fn payment(r: &Rec<'_>) -> Result<Parsed<Payment>, Bad> {
    let payment_no = identifier(r, "payment_no")?;
    let customer_no = r.customer_no("customer_no")?;
    let bill_no = identifier(r, "bill_no")?;
    let paid_at = r.timestamp("paid_at")?;
    let amount = money(r, "amount")?;
    if !amount.is_positive() {
        return Err(r.bad(
            "amount",
            format!("{amount}: a payment is a positive amount"),
        ));
    }
    let channel = r.parse("channel", PayChannel::parse)?;
    let bounced = r.flag("bounced", Some(false))?;
    Ok(Parsed {
        keys: vec![Key::new("payment_no", &payment_no)],
        refs: customer_ref(&customer_no),
        item: Payment {
            payment_no,
            customer_no,
            bill_no,
            paid_at,
            amount,
            channel,
            bounced,
        },
    })
}

pub(crate) const READINGS: Spec = Spec {
    columns: &[
        req("customer_no", &["户号"]),
        req("meter_no", &["电能表编号", "表号"]),
        req("reading_date", &["抄表日期"]),
        req("register_kwh", &["示数", "表码"]),
    ],
    one_of: &[],
};

pub(crate) fn reading(r: &Rec<'_>) -> Result<Parsed<Reading>, Bad> {
    let customer_no = r.customer_no("customer_no")?;
    let meter_no = r.parse("meter_no", |s| Code::parse_field("meter_no", s))?;
    let reading_date = r.date("reading_date")?;
    let register_kwh = r.non_negative("register_kwh")?;
    let key = Key {
        col: "reading_date",
        what: "reading of customer/meter/date",
        value: format!("{customer_no}/{meter_no}/{reading_date}"),
    };
    Ok(Parsed {
        keys: vec![key],
        refs: customer_ref(&customer_no),
        item: Reading {
            customer_no,
            meter_no,
            reading_date,
            register_kwh,
        },
    })
}
