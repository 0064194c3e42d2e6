//! Billing and metering records (owned in real life by the billing and meter-data systems; GridDesk
//! keeps a copy in its Parquet lake) and the pure rules on them: late fees and arrears.

use crate::ParseError;
use crate::customer::TariffCategory;
use crate::values::{Code, CustomerNo, Money};
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// A billing month, "YYYY-MM".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    year: i16,
    month: i8,
}

impl Period {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let t = s.trim();
        let bad = || ParseError::new("period", format!("{t:?} is not a month: expected YYYY-MM"));
        let (y, m) = t.split_once('-').ok_or_else(bad)?;
        let year: i16 = y.parse().map_err(|_| bad())?;
        let month: i8 = m.parse().map_err(|_| bad())?;
        if y.len() != 4 || !(1..=12).contains(&month) || !(1900..=2200).contains(&year) {
            return Err(bad());
        }
        Ok(Self { year, month })
    }
    pub fn of(date: Date) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }
    pub fn first_day(self) -> Date {
        Date::new(self.year, self.month, 1).expect("valid by construction")
    }
    pub fn year(self) -> i16 {
        self.year
    }
    pub fn month(self) -> i8 {
        self.month
    }
    pub fn next(self) -> Self {
        self.add_months(1)
    }
    pub fn add_months(self, n: i32) -> Self {
        let idx = i32::from(self.year) * 12 + i32::from(self.month) - 1 + n;
        Self {
            year: (idx.div_euclid(12)) as i16,
            month: (idx.rem_euclid(12) + 1) as i8,
        }
    }
    /// Months from `self` to `later` (0 when equal).
    pub fn months_until(self, later: Period) -> i32 {
        (i32::from(later.year) - i32::from(self.year)) * 12 + i32::from(later.month)
            - i32::from(self.month)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Period::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A monthly electricity bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Bill {
    /// Identifier in the billing system.
    pub bill_no: String,
    pub customer_no: CustomerNo,
    #[schema(value_type = String, example = "2026-10")]
    pub period: Period,
    #[schema(value_type = String)]
    pub consumption_kwh: Decimal,
    pub amount: Money,
    /// Late fee (违约金) charged on this bill so far.
    pub late_fee: Money,
    #[schema(value_type = String, format = Date)]
    pub issued_on: Date,
    #[schema(value_type = String, format = Date)]
    pub due_on: Date,
}

impl Bill {
    pub fn total_due(&self) -> Money {
        self.amount + self.late_fee
    }
}

code_enum! {
    PayChannel, "channel" {
        Counter = "counter", "营业厅柜台", "Counter";
        BankWithholding = "bank_withholding", "银行代扣", "Bank direct debit";
        Wechat = "wechat", "微信", "WeChat Pay";
        Alipay = "alipay", "支付宝", "Alipay";
        App = "app", "网上国网", "App";
        TransferCheque = "transfer_cheque", "转账支票", "Transfer cheque";
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Payment {
    pub payment_no: String,
    pub customer_no: CustomerNo,
    /// The bill this payment settles.
    pub bill_no: String,
    #[schema(value_type = String, format = DateTime)]
    pub paid_at: jiff::Timestamp,
    pub amount: Money,
    pub channel: PayChannel,
    /// A bounced transfer cheque or failed debit (退票): recorded, settles nothing.
    pub bounced: bool,
}

/// A daily register reading of a meter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reading {
    pub customer_no: CustomerNo,
    pub meter_no: Code,
    #[schema(value_type = String, format = Date)]
    pub reading_date: Date,
    #[schema(value_type = String)]
    pub register_kwh: Decimal,
}

/// A 96-point (15-minute) daily load curve in kW, for large customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LoadCurve {
    pub customer_no: CustomerNo,
    #[schema(value_type = String, format = Date)]
    pub curve_date: Date,
    pub points_kw: Vec<f32>,
}

/// Daily late-fee rate (违约金) of the Power Supply Business Rules, art. 98: residential 1 per mille
/// per day; others 2 per mille within the bill's year and 3 per mille for days in a later year.
pub fn late_fee(tariff: TariffCategory, amount: Money, due_on: Date, paid_on: Date) -> Money {
    if paid_on <= due_on || !amount.is_positive() {
        return Money::ZERO;
    }
    let days = |from: Date, to: Date| -> i64 { i64::from((to - from).get_days()) };
    let rate = |permille: i64| Decimal::new(permille, 3);
    let fee = if tariff == TariffCategory::Residential {
        amount.yuan() * rate(1) * Decimal::from(days(due_on, paid_on))
    } else {
        let year_end = Date::new(due_on.year(), 12, 31).expect("valid");
        let in_year = days(due_on, paid_on.min(year_end));
        let later = if paid_on > year_end {
            days(year_end, paid_on)
        } else {
            0
        };
        amount.yuan() * (rate(2) * Decimal::from(in_year) + rate(3) * Decimal::from(later))
    };
    // Round half-up to the fen, as the billing system does.
    Money::from_fen(
        (fee * Decimal::from(100))
            .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .try_into()
            .unwrap_or(i64::MAX),
    )
}

/// What a customer owes, derived from bills and payments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ArrearsSummary {
    pub total_billed: Money,
    pub total_paid: Money,
    /// Sum over bills of what is still unpaid.
    pub arrears: Money,
    /// Bills not fully paid whose due date has passed.
    pub overdue_bills: u32,
    #[schema(value_type = Option<String>)]
    pub oldest_unpaid: Option<Period>,
    pub bounced_payments: u32,
    /// Bills paid after their due date.
    pub late_payments: u32,
}

impl ArrearsSummary {
    pub fn compute(bills: &[Bill], payments: &[Payment], today: Date) -> Self {
        let mut paid_per_bill: HashMap<&str, Money> = HashMap::new();
        let mut last_paid_on: HashMap<&str, Date> = HashMap::new();
        let mut bounced = 0;
        for p in payments {
            if p.bounced {
                bounced += 1;
                continue;
            }
            *paid_per_bill.entry(&p.bill_no).or_default() = paid_per_bill
                .get(p.bill_no.as_str())
                .copied()
                .unwrap_or_default()
                + p.amount;
            let day = p.paid_at.to_zoned(jiff::tz::TimeZone::UTC).date();
            let e = last_paid_on.entry(&p.bill_no).or_insert(day);
            *e = (*e).max(day);
        }
        let mut s = ArrearsSummary {
            total_billed: Money::ZERO,
            total_paid: paid_per_bill.values().copied().sum(),
            arrears: Money::ZERO,
            overdue_bills: 0,
            oldest_unpaid: None,
            bounced_payments: bounced,
            late_payments: 0,
        };
        for b in bills {
            s.total_billed = s.total_billed + b.total_due();
            let paid = paid_per_bill
                .get(b.bill_no.as_str())
                .copied()
                .unwrap_or_default();
            let open = b.total_due() - paid;
            if open.is_positive() {
                s.arrears = s.arrears + open;
                if b.due_on < today {
                    s.overdue_bills += 1;
                }
                s.oldest_unpaid = Some(s.oldest_unpaid.map_or(b.period, |o| o.min(b.period)));
            } else if last_paid_on
                .get(b.bill_no.as_str())
                .is_some_and(|d| *d > b.due_on)
            {
                s.late_payments += 1;
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn period_arithmetic() {
        let p = Period::parse("2026-11").unwrap();
        assert_eq!(p.add_months(2).to_string(), "2027-01");
        assert_eq!(p.add_months(-11).to_string(), "2025-12");
        assert_eq!(Period::parse("2025-12").unwrap().months_until(p), 11);
        assert!(Period::parse("2026-13").is_err());
        assert!(Period::parse("26-01").is_err());
    }

    #[test]
    fn late_fee_rates() {
        let amt = Money::from_fen(10_000);
        let due = date(2026, 3, 20);
        assert_eq!(
            late_fee(TariffCategory::Residential, amt, due, due),
            Money::ZERO
        );
        // 10 days at 1 per mille of 100 yuan = 1.00
        assert_eq!(
            late_fee(TariffCategory::Residential, amt, due, date(2026, 3, 30)).to_string(),
            "1.00"
        );
        // Commercial, 10 days at 2 per mille = 2.00
        assert_eq!(
            late_fee(TariffCategory::Commercial, amt, due, date(2026, 3, 30)).to_string(),
            "2.00"
        );
        // Across the year end: 11 days in year at 2, 5 days next year at 3 = 2.2 + 1.5
        let due = date(2026, 12, 20);
        assert_eq!(
            late_fee(TariffCategory::Commercial, amt, due, date(2027, 1, 5)).to_string(),
            "3.70"
        );
    }

    #[test]
    fn arrears_from_bills_and_payments() {
        let c = CustomerNo::parse("0100000001").unwrap();
        let bill = |no: &str, p: &str, fen: i64| Bill {
            bill_no: no.into(),
            customer_no: c.clone(),
            period: Period::parse(p).unwrap(),
            consumption_kwh: Decimal::from(100),
            amount: Money::from_fen(fen),
            late_fee: Money::ZERO,
            issued_on: Period::parse(p).unwrap().next().first_day(),
            due_on: Period::parse(p).unwrap().next().first_day() + jiff::ToSpan::days(19),
        };
        let pay = |no: &str, bill: &str, fen: i64, at: &str, bounced: bool| Payment {
            payment_no: no.into(),
            customer_no: c.clone(),
            bill_no: bill.into(),
            paid_at: at.parse().unwrap(),
            amount: Money::from_fen(fen),
            channel: PayChannel::Wechat,
            bounced,
        };
        let bills = [
            bill("B1", "2026-07", 5000),
            bill("B2", "2026-08", 6000),
            bill("B3", "2026-09", 7000),
        ];
        let pays = [
            pay("P1", "B1", 5000, "2026-08-05T02:00:00Z", false),
            pay("P2", "B2", 6000, "2026-09-10T02:00:00Z", true),
            pay("P3", "B2", 6000, "2026-09-25T02:00:00Z", false),
        ];
        let s = ArrearsSummary::compute(&bills, &pays, date(2026, 11, 1));
        assert_eq!(s.arrears, Money::from_fen(7000));
        assert_eq!(s.overdue_bills, 1);
        assert_eq!(s.oldest_unpaid.unwrap().to_string(), "2026-09");
        assert_eq!(s.bounced_payments, 1);
        assert_eq!(s.late_payments, 1);
        assert_eq!(s.total_paid, Money::from_fen(11000));
    }
}
