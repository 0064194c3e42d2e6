//! Billing and metering history of one customer, a pure function of (seed, index, customer):
//! monthly consumption with seasons and growth, tariffs (tiered residential, capacity charge for
//! large industry), payments with late payers, late fees, bounced cheques and arrears, daily
//! register readings consistent with the last bill, and 96-point load curves for HV customers.
//!
//! Records go to a [`Sink`]: owned domain values for [`crate::Generator::history`], or straight
//! into the Parquet writer's column buffers for `run`, without building owned records.

use crate::Generator;
use crate::rng::{RngExt, Stream, rng};
use griddesk_domain::billing::{Bill, LoadCurve, PayChannel, Payment, Period, Reading, late_fee};
use griddesk_domain::customer::{Customer, Institution, TariffCategory, UsageNature};
use griddesk_domain::values::{CustomerNo, Money};
use griddesk_lake::schema::{date_to_days, days_to_date};
use griddesk_lake::{BillRow, CurveRow, LakeError, LakeWriter, PaymentRow, ReadingRow};
use jiff::civil::Date;
use rand::Rng;
use rand_pcg::Pcg64Mcg;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Receives the records of a history as they are generated.
pub(crate) trait Sink {
    fn bill(&mut self, b: &BillRow<'_>) -> Result<(), LakeError>;
    fn payment(&mut self, p: &PaymentRow<'_>) -> Result<(), LakeError>;
    fn reading(&mut self, r: &ReadingRow<'_>) -> Result<(), LakeError>;
    fn curve(&mut self, c: &CurveRow<'_>) -> Result<(), LakeError>;
}

impl Sink for LakeWriter {
    fn bill(&mut self, b: &BillRow<'_>) -> Result<(), LakeError> {
        self.push_bill(b)
    }
    fn payment(&mut self, p: &PaymentRow<'_>) -> Result<(), LakeError> {
        self.push_payment(p)
    }
    fn reading(&mut self, r: &ReadingRow<'_>) -> Result<(), LakeError> {
        self.push_reading(r)
    }
    fn curve(&mut self, c: &CurveRow<'_>) -> Result<(), LakeError> {
        self.push_load_curve(c)
    }
}

/// The whole generated history of one customer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// One bill per billed month, oldest first.
    pub bills: Vec<Bill>,
    /// Payment attempts (bounced ones included) in time order.
    pub payments: Vec<Payment>,
    /// Daily register readings, by date then meter.
    pub readings: Vec<Reading>,
    /// Daily 96-point load curves (high-voltage customers only), oldest first.
    pub load_curves: Vec<LoadCurve>,
}

impl Sink for History {
    fn bill(&mut self, b: &BillRow<'_>) -> Result<(), LakeError> {
        self.bills.push(Bill {
            bill_no: b.bill_no.to_owned(),
            customer_no: b.customer_no.clone(),
            period: b.period,
            consumption_kwh: b.consumption_kwh,
            amount: b.amount,
            late_fee: b.late_fee,
            issued_on: b.issued_on,
            due_on: b.due_on,
        });
        Ok(())
    }
    fn payment(&mut self, p: &PaymentRow<'_>) -> Result<(), LakeError> {
        self.payments.push(Payment {
            payment_no: p.payment_no.to_owned(),
            customer_no: p.customer_no.clone(),
            bill_no: p.bill_no.to_owned(),
            paid_at: p.paid_at,
            amount: p.amount,
            channel: p.channel,
            bounced: p.bounced,
        });
        Ok(())
    }
    fn reading(&mut self, r: &ReadingRow<'_>) -> Result<(), LakeError> {
        self.readings.push(Reading {
            customer_no: r.customer_no.clone(),
            meter_no: r.meter_no.clone(),
            reading_date: r.reading_date,
            register_kwh: r.register_kwh,
        });
        Ok(())
    }
    fn curve(&mut self, c: &CurveRow<'_>) -> Result<(), LakeError> {
        self.load_curves.push(LoadCurve {
            customer_no: c.customer_no.clone(),
            curve_date: c.curve_date,
            points_kw: c.points_kw.to_vec(),
        });
        Ok(())
    }
}

/// Discards records (used to compute a theft case without keeping the history).
pub(crate) struct NullSink;

impl Sink for NullSink {
    fn bill(&mut self, _: &BillRow<'_>) -> Result<(), LakeError> {
        Ok(())
    }
    fn payment(&mut self, _: &PaymentRow<'_>) -> Result<(), LakeError> {
        Ok(())
    }
    fn reading(&mut self, _: &ReadingRow<'_>) -> Result<(), LakeError> {
        Ok(())
    }
    fn curve(&mut self, _: &CurveRow<'_>) -> Result<(), LakeError> {
        Ok(())
    }
}

/// How many records one history produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryCounts {
    pub bills: u64,
    pub payments: u64,
    pub readings: u64,
    pub load_curves: u64,
}

impl std::ops::AddAssign for HistoryCounts {
    fn add_assign(&mut self, o: Self) {
        self.bills += o.bills;
        self.payments += o.payments;
        self.readings += o.readings;
        self.load_curves += o.load_curves;
    }
}

pub(crate) struct Outcome {
    pub(crate) counts: HistoryCounts,
    /// Energy not billed because of theft, kWh.
    pub(crate) stolen_kwh: f64,
}

/// Reusable buffers: the hot path allocates nothing per record.
#[derive(Default)]
pub(crate) struct Scratch {
    /// Register advance per (month, meter), hundredths of a register unit.
    deltas: Vec<i64>,
    /// Register at the end of the previous month per meter, while walking the window.
    reg: Vec<i64>,
    /// Cumulative advance of the current day / previous day per meter.
    cum: Vec<i64>,
    prev: Vec<i64>,
    weights: Vec<i64>,
    bill_no: String,
    payment_no: String,
    curve: Vec<f32>,
}

/// A planned theft: consumption from history month `from` on is only `factor` of the real one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TheftPlan {
    pub(crate) from: u32,
    pub(crate) factor: f64,
}

const RESIDENTIAL_SEASON: [f64; 12] = [
    1.25, 1.15, 0.95, 0.85, 0.85, 1.05, 1.45, 1.55, 1.10, 0.85, 0.90, 1.10,
];
const BUSINESS_SEASON: [f64; 12] = [
    1.05, 0.85, 0.95, 0.95, 1.00, 1.15, 1.35, 1.40, 1.15, 0.95, 0.95, 1.05,
];
const INDUSTRY_SEASON: [f64; 12] = [
    0.95, 0.70, 1.00, 1.02, 1.03, 1.03, 1.05, 1.05, 1.04, 1.02, 1.03, 1.05,
];
const IRRIGATION_SEASON: [f64; 12] = [
    0.05, 0.05, 0.3, 0.8, 1.5, 1.9, 2.0, 1.8, 1.0, 0.3, 0.05, 0.05,
];
const FARM_SEASON: [f64; 12] = [1.1, 1.0, 0.9, 0.9, 1.0, 1.1, 1.2, 1.2, 1.0, 0.9, 0.9, 1.0];
const TOURISM_SEASON: [f64; 12] = [0.4, 0.6, 0.6, 0.9, 1.3, 1.4, 2.0, 2.0, 1.2, 1.2, 0.5, 0.4];

fn season(c: &Customer) -> &'static [f64; 12] {
    use TariffCategory as T;
    match (c.tariff, c.usage_nature) {
        (T::Agricultural, UsageNature::Seasonal) => &IRRIGATION_SEASON,
        (T::Agricultural, _) => &FARM_SEASON,
        (_, UsageNature::Seasonal) => &TOURISM_SEASON,
        (T::Residential | T::Wholesale, _) => &RESIDENTIAL_SEASON,
        (T::GeneralIndustrial | T::LargeIndustrial, _) => &INDUSTRY_SEASON,
        _ => &BUSINESS_SEASON,
    }
}

/// Voltage class for prices: 0 low voltage, 1 10 kV, 2 35 kV, 3 110 kV and above.
fn voltage_class(c: &Customer) -> usize {
    let kv = c.voltage_kv.kv();
    if kv >= Decimal::from(110) {
        3
    } else if kv >= Decimal::from(35) {
        2
    } else if kv >= Decimal::TEN {
        1
    } else {
        0
    }
}

/// Energy price in 1/10,000 yuan per kWh (flat tariffs; residential is tiered, see `charge`).
fn energy_price(t: TariffCategory, vc: usize) -> i64 {
    use TariffCategory as T;
    match t {
        T::Residential => [5383, 5283, 5233, 5183][vc],
        T::LargeIndustrial => [6250, 6100, 5950, 5800][vc],
        T::Agricultural => [4856, 4756, 4656, 4606][vc],
        T::Wholesale => [4500, 4400, 4300, 4200][vc],
        _ => [6664, 6414, 6164, 6014][vc],
    }
}

/// Capacity charge of large industry, fen per kVA and month.
const CAPACITY_FEN_PER_KVA: i128 = 25_00;

/// The residential tiers (kWh per month) and their surcharges over the first-tier price.
const TIER1_KWH: i64 = 230;
const TIER2_KWH: i64 = 400;
const TIER2_EXTRA: i64 = 500;
const TIER3_EXTRA: i64 = 3000;

/// `delta * part / total` rounded down, in i64 unless the product would overflow.
fn cumulative(delta: i64, part: i64, total: i64) -> i64 {
    match delta.checked_mul(part) {
        Some(p) => p / total,
        None => (i128::from(delta) * i128::from(part) / i128::from(total)) as i64,
    }
}

/// Rounds a count of 1e-6 yuan half-up to the fen.
fn micro_to_fen(micro: i128) -> i64 {
    let fen = (micro + 5_000) / 10_000;
    i64::try_from(fen).unwrap_or(i64::MAX)
}

/// Bill amount in fen for `centi_kwh` hundredths of a kWh.
fn charge(c: &Customer, vc: usize, capacity_centi_kva: i128, centi_kwh: i64) -> i64 {
    let base = energy_price(c.tariff, vc);
    let e = i128::from(centi_kwh);
    let mut micro = e * i128::from(base);
    if c.tariff == TariffCategory::Residential {
        // 0-230 kWh at the base price, 231-400 at +0.05, above 400 at +0.30 yuan/kWh.
        let t2 =
            (e - i128::from(TIER1_KWH * 100)).clamp(0, i128::from((TIER2_KWH - TIER1_KWH) * 100));
        let t3 = (e - i128::from(TIER2_KWH * 100)).max(0);
        micro += t2 * i128::from(TIER2_EXTRA) + t3 * i128::from(TIER3_EXTRA);
    }
    let mut fen = micro_to_fen(micro);
    if c.tariff == TariffCategory::LargeIndustrial {
        fen += i64::try_from(capacity_centi_kva * CAPACITY_FEN_PER_KVA / 100).unwrap_or(0);
    }
    fen
}

/// The flat price used to value stolen energy (residential at the second tier).
pub(crate) fn theft_price(c: &Customer) -> i64 {
    let vc = voltage_class(c);
    let p = energy_price(c.tariff, vc);
    if c.tariff == TariffCategory::Residential {
        p + TIER2_EXTRA
    } else {
        p
    }
}

fn base_kwh(c: &Customer, r: &mut Pcg64Mcg) -> f64 {
    use TariffCategory as T;
    let kva = c.capacity_kva.kva().to_f64().unwrap_or(10.0);
    let hv = c.is_high_voltage();
    let load_factor = match c.tariff {
        T::Residential if !hv => {
            return (170.0 * (0.5 * r.normalish()).exp()).clamp(15.0, 3000.0);
        }
        T::Residential => r.between(0.15, 0.3),
        T::NonResidentialLighting => r.between(0.08, 0.2),
        T::Commercial => r.between(0.12, 0.3),
        T::NonIndustrial => r.between(0.12, 0.3),
        T::GeneralIndustrial => r.between(0.15, 0.4),
        T::LargeIndustrial => r.between(0.3, 0.65),
        T::Agricultural => r.between(0.08, 0.25),
        T::Wholesale => r.between(0.45, 0.6),
    };
    kva * 720.0 * 0.85 * load_factor
}

/// Weekday weight of daily consumption (Monday = 0).
fn weekday_weight(c: &Customer, weekday: i32) -> i64 {
    use TariffCategory as T;
    let weekend = weekday >= 5;
    if !weekend {
        return 100;
    }
    match c.tariff {
        T::Residential => 112,
        T::NonResidentialLighting if c.institution != Institution::Hospital => 55,
        T::GeneralIndustrial | T::LargeIndustrial => 80,
        T::Commercial => 110,
        _ => 95,
    }
}

/// 96-point daily load shapes (relative power), built once per generator.
pub(crate) struct Shapes {
    office: [f32; 96],
    commercial: [f32; 96],
    three_shift: [f32; 96],
    two_shift: [f32; 96],
    hospital: [f32; 96],
    pumping: [f32; 96],
    residential: [f32; 96],
}

fn ramp(h: f64, on: f64, off: f64) -> f64 {
    // 1 between `on` and `off` with one-hour linear ramps.
    ((h - on + 0.5).clamp(0.0, 1.0)).min((off - h + 0.5).clamp(0.0, 1.0))
}

fn bump(h: f64, centre: f64, width: f64) -> f64 {
    let d = (h - centre) / width;
    (-d * d).exp()
}

impl Shapes {
    pub(crate) fn new() -> Self {
        let make = |f: &dyn Fn(f64) -> f64| -> [f32; 96] {
            let mut a = [0f32; 96];
            for (i, v) in a.iter_mut().enumerate() {
                *v = f(i as f64 / 4.0 + 0.125) as f32;
            }
            a
        };
        Self {
            office: make(&|h| 0.3 + 0.7 * ramp(h, 8.0, 18.0)),
            commercial: make(&|h| 0.25 + 0.75 * ramp(h, 9.0, 22.0)),
            three_shift: make(&|h| {
                0.92 - 0.15
                    * (bump(h, 8.0, 0.4)
                        + bump(h, 16.0, 0.4)
                        + bump(h, 0.0, 0.4)
                        + bump(h, 24.0, 0.4))
            }),
            two_shift: make(&|h| 0.3 + 0.7 * ramp(h, 8.0, 23.5)),
            hospital: make(&|h| 0.6 + 0.4 * ramp(h, 7.0, 20.0)),
            pumping: make(&|h| 0.3 + 0.7 * (1.0 - ramp(h, 6.0, 22.0))),
            residential: make(&|h| {
                0.45 + 0.3 * bump(h, 11.5, 1.5) + 0.55 * bump(h, 20.0, 2.0)
                    - 0.15 * bump(h, 4.0, 2.0)
            }),
        }
    }

    fn of(&self, c: &Customer, pick: u32) -> &[f32; 96] {
        use TariffCategory as T;
        match c.tariff {
            T::LargeIndustrial if !pick.is_multiple_of(3) => &self.three_shift,
            T::LargeIndustrial | T::GeneralIndustrial => &self.two_shift,
            T::Commercial => &self.commercial,
            T::NonResidentialLighting | T::NonIndustrial
                if c.institution == Institution::Hospital =>
            {
                &self.hospital
            }
            T::NonResidentialLighting | T::NonIndustrial => &self.office,
            T::Agricultural => &self.pumping,
            T::Residential | T::Wholesale => &self.residential,
        }
    }
}

fn push_digits(s: &mut String, v: u32, width: usize) {
    let mut buf = [b'0'; 10];
    let mut x = v;
    for i in (0..width).rev() {
        buf[i] = b'0' + (x % 10) as u8;
        x /= 10;
    }
    for b in &buf[..width] {
        s.push(char::from(*b));
    }
}

/// Starts an identifier "<prefix><customer_no>"; `set_period` then replaces only the suffix.
fn start_no(s: &mut String, prefix: char, cno: &CustomerNo) {
    s.clear();
    s.push(prefix);
    s.push_str(cno.as_str());
}

/// Sets the suffix "YYYYMM" (and a sequence digit) after the `head` bytes of `start_no`.
fn set_period(s: &mut String, head: usize, p: Period, seq: Option<u32>) {
    s.truncate(head);
    push_digits(s, p.year() as u32, 4);
    push_digits(s, p.month() as u32, 2);
    if let Some(n) = seq {
        push_digits(s, n, 1);
    }
}

fn timestamp(days: i32, secs: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_second(i64::from(days) * 86_400 + secs)
        .expect("generated instants lie between 1988 and 2200")
}

fn date(days: i32) -> Date {
    days_to_date(days).expect("generated dates lie between 1988 and 2200")
}

const RESIDENTIAL_CHANNELS: [PayChannel; 5] = [
    PayChannel::Wechat,
    PayChannel::Alipay,
    PayChannel::App,
    PayChannel::BankWithholding,
    PayChannel::Counter,
];
const RESIDENTIAL_CHANNEL_W: [f64; 5] = [0.35, 0.25, 0.15, 0.15, 0.10];
const BUSINESS_CHANNELS: [PayChannel; 5] = [
    PayChannel::TransferCheque,
    PayChannel::BankWithholding,
    PayChannel::Counter,
    PayChannel::App,
    PayChannel::Wechat,
];
const BUSINESS_CHANNEL_W: [f64; 5] = [0.30, 0.30, 0.10, 0.20, 0.10];

/// Share of customers who habitually pay late, and of customers in arrears now.
const LATE_PAYERS: f64 = 0.05;
const IN_ARREARS: f64 = 0.015;
/// Chance that a non-residential cheque or debit bounces.
const BOUNCE: f64 = 0.003;

impl Generator {
    /// Generates the history of `c` (customer `index`) into `sink`.
    pub(crate) fn emit<S: Sink>(
        &self,
        c: &Customer,
        index: u64,
        s: &mut Scratch,
        sink: &mut S,
    ) -> Result<Outcome, LakeError> {
        let cfg = &self.cfg;
        let mut r = rng(cfg.seed, Stream::History, index);
        let mut counts = HistoryCounts::default();
        let months = cfg.months as usize;
        let first = cfg.first_month();
        let cno = &c.customer_no;
        let vc = voltage_class(c);
        let residential = c.tariff == TariffCategory::Residential;
        let capacity_centi =
            griddesk_lake::schema::to_centi("capacity_kva", c.capacity_kva.kva()).unwrap_or(0);
        let theft = self.theft_plan(index);

        // Meters: multipliers and how consumption splits between them. A dual-supply customer's
        // backup metering point stays idle; a second low-voltage meter takes 30 %.
        let n_m = c.meters.len().max(1);
        let mult = |k: usize| -> i64 {
            c.meters
                .get(k)
                .map_or(1, |m| i64::from(m.multiplier.max(1)))
        };
        let share = |k: usize| -> f64 {
            match (n_m, k) {
                (1, _) => 1.0,
                (_, 0) if c.is_dual_supply() => 1.0,
                (_, _) if c.is_dual_supply() => 0.0,
                (_, 0) => 0.7,
                (_, 1) => 0.3,
                _ => 0.0,
            }
        };

        // Consumption model.
        let base = base_kwh(c, &mut r);
        let growth = (1.0 + 0.03 + 0.05 * r.normalish()).max(0.5).ln() / 12.0;
        let season = season(c);
        let opened = Period::of(c.opened_on);
        let start_m = first.months_until(opened.next()).clamp(0, months as i32) as usize;

        // Payment behaviour.
        let behaviour: f64 = r.random();
        let late_payer = behaviour < LATE_PAYERS;
        let arrears_bills = if (LATE_PAYERS..LATE_PAYERS + IN_ARREARS).contains(&behaviour) {
            if r.chance(0.8) {
                r.random_range(1..=3)
            } else {
                r.random_range(4..=8)
            }
        } else {
            0usize
        };
        let (channels, weights) = if residential {
            (&RESIDENTIAL_CHANNELS, &RESIDENTIAL_CHANNEL_W)
        } else {
            (&BUSINESS_CHANNELS, &BUSINESS_CHANNEL_W)
        };
        let main_channel = channels[r.weighted(weights)];
        let as_of = self.as_of_days;

        s.deltas.clear();
        s.deltas.resize(months * n_m, 0);
        start_no(&mut s.bill_no, 'B', cno);
        start_no(&mut s.payment_no, 'P', cno);
        let head = s.bill_no.len();
        let mut stolen = 0.0;
        let last_billed = months.saturating_sub(1);
        for m in 0..months {
            let period = first.add_months(m as i32);
            if m < start_m {
                continue;
            }
            let month_factor = season[(period.month() - 1) as usize];
            let noise = (1.0 + 0.07 * r.normalish()).clamp(0.6, 1.4);
            let mut kwh = base * month_factor * (growth * m as f64).exp() * noise;
            if let Some(t) = theft.filter(|t| m as u32 >= t.from) {
                stolen += kwh * (1.0 - t.factor);
                kwh *= t.factor;
            }
            let mut centi_kwh = 0i64;
            for k in 0..n_m {
                let mk = mult(k);
                let part = kwh * share(k);
                let delta = if mk == 1 {
                    part.round() as i64 * 100
                } else {
                    (part * 100.0 / mk as f64).round() as i64
                };
                s.deltas[m * n_m + k] = delta;
                centi_kwh += delta * mk;
            }

            let issued_on = period.next().first_day();
            let issued = date_to_days(issued_on);
            if issued > as_of {
                // Not issued yet on the snapshot date.
                continue;
            }
            let due = issued + 19;
            let due_on = Date::new(issued_on.year(), issued_on.month(), 20)
                .expect("the 20th exists in every month");
            let amount = Money::from_fen(charge(c, vc, capacity_centi, centi_kwh));
            set_period(&mut s.bill_no, head, period, None);

            // Payment plan for this bill.
            let unpaid = arrears_bills > 0 && m + arrears_bills > last_billed;
            let mut channel = if r.chance(0.8) {
                main_channel
            } else {
                channels[r.weighted(weights)]
            };
            let mut day = if channel == PayChannel::BankWithholding {
                issued + r.random_range(2..=5)
            } else {
                issued + r.random_range(0..=18)
            };
            if (late_payer && r.chance(0.5)) || r.chance(0.01) {
                day = due + r.random_range(1..=40);
                if day > as_of && as_of > due && !unpaid {
                    // Late payers do pay: only the customers in arrears still owe on the
                    // snapshot date.
                    day = r.random_range(due + 1..=as_of);
                }
            }
            let bounced = !residential
                && matches!(
                    channel,
                    PayChannel::TransferCheque | PayChannel::BankWithholding
                )
                && r.chance(BOUNCE);
            let bounce_day = day;
            if bounced {
                day += r.random_range(3..=10);
            }
            let secs = if channel == PayChannel::BankWithholding {
                r.random_range(600..7200)
            } else {
                r.random_range(0..14 * 3600)
            };
            let paid = !unpaid && day <= as_of;
            let fee = if paid && day > due {
                late_fee(c.tariff, amount, due_on, date(day))
            } else if !paid && due < as_of {
                late_fee(c.tariff, amount, due_on, date(as_of))
            } else {
                Money::ZERO
            };
            sink.bill(&BillRow {
                bill_no: &s.bill_no,
                customer_no: cno,
                period,
                consumption_kwh: Decimal::new(centi_kwh, 2),
                amount,
                late_fee: fee,
                issued_on,
                due_on,
            })?;
            counts.bills += 1;
            let mut seq = 1;
            if bounced && !unpaid && bounce_day <= as_of {
                set_period(&mut s.payment_no, head, period, Some(seq));
                sink.payment(&PaymentRow {
                    payment_no: &s.payment_no,
                    customer_no: cno,
                    bill_no: &s.bill_no,
                    paid_at: timestamp(bounce_day, secs),
                    amount,
                    channel,
                    bounced: true,
                })?;
                counts.payments += 1;
                seq += 1;
                // After a bounce the customer pays at the counter or by app.
                channel = if r.chance(0.5) {
                    PayChannel::Counter
                } else {
                    PayChannel::App
                };
            }
            if paid {
                set_period(&mut s.payment_no, head, period, Some(seq));
                sink.payment(&PaymentRow {
                    payment_no: &s.payment_no,
                    customer_no: cno,
                    bill_no: &s.bill_no,
                    paid_at: timestamp(day, secs),
                    amount: amount + fee,
                    channel,
                    bounced: false,
                })?;
                counts.payments += 1;
            }
        }

        self.emit_daily(c, &mut r, s, sink, n_m, &mult, &mut counts)?;
        Ok(Outcome {
            counts,
            stolen_kwh: stolen,
        })
    }

    /// Daily readings (every meter) and load curves (HV customers) for the configured windows
    /// ending on the last day of the last billed month. Each month's register advance is spread
    /// over its days with weekday weights, so the readings add up to the bills exactly.
    #[allow(clippy::too_many_arguments)]
    fn emit_daily<S: Sink>(
        &self,
        c: &Customer,
        r: &mut Pcg64Mcg,
        s: &mut Scratch,
        sink: &mut S,
        n_m: usize,
        mult: &dyn Fn(usize) -> i64,
        counts: &mut HistoryCounts,
    ) -> Result<(), LakeError> {
        let cfg = &self.cfg;
        let end = date_to_days(cfg.last_month.next().first_day()) - 1;
        let reading_from = end - cfg.reading_days as i32 + 1;
        let curves = c.is_high_voltage() && cfg.curve_days > 0;
        let curve_from = end - cfg.curve_days as i32 + 1;
        let from = if curves {
            reading_from.min(curve_from)
        } else {
            reading_from
        };
        if from > end || c.meters.is_empty() {
            return Ok(());
        }
        let months = cfg.months as i32;
        let first = cfg.first_month();
        // Register at the start of the history: an old meter has run for a while.
        s.reg.clear();
        for k in 0..n_m {
            let start = if mult(k) == 1 {
                r.random_range(1_000..60_000i64) * 100
            } else {
                r.random_range(10_000..500_000i64)
            };
            s.reg.push(start);
        }
        let shape = self.shapes.of(c, r.random::<u32>());
        let shape_sum: f32 = shape.iter().sum();
        let mut p = Period::of(date(from));
        // Register advance of months before the window.
        let m0 = first.months_until(p);
        for m in 0..m0.clamp(0, months) {
            for k in 0..n_m {
                s.reg[k] += s.deltas[m as usize * n_m + k];
            }
        }
        while p <= cfg.last_month {
            let m = first.months_until(p);
            let in_history = (0..months).contains(&m);
            let p_first = date_to_days(p.first_day());
            let days = date_to_days(p.next().first_day()) - p_first;
            s.weights.clear();
            let mut total = 0i64;
            for d in 0..days {
                let weekday = (p_first + d + 3).rem_euclid(7);
                let w = weekday_weight(c, weekday) * r.random_range(85..=115);
                total += w;
                s.weights.push(total);
            }
            s.prev.clear();
            s.prev.resize(n_m, 0);
            s.cum.clear();
            s.cum.resize(n_m, 0);
            for d in 0..days {
                let day = p_first + d;
                for k in 0..n_m {
                    let delta = if in_history {
                        s.deltas[m as usize * n_m + k]
                    } else {
                        0
                    };
                    s.prev[k] = s.cum[k];
                    s.cum[k] = cumulative(delta, s.weights[d as usize], total);
                }
                if day < from || day > end {
                    continue;
                }
                let on = date(day);
                if day >= reading_from {
                    for (k, meter) in c.meters.iter().enumerate() {
                        sink.reading(&ReadingRow {
                            customer_no: &c.customer_no,
                            meter_no: &meter.meter_no,
                            reading_date: on,
                            register_kwh: Decimal::new(s.reg[k] + s.cum[k], 2),
                        })?;
                        counts.readings += 1;
                    }
                }
                if curves && day >= curve_from {
                    let centi: i64 = (0..n_m).map(|k| (s.cum[k] - s.prev[k]) * mult(k)).sum();
                    // Average power over the day in kW, shaped, with measurement noise.
                    let scale = (centi as f32 / 100.0) / (0.25 * shape_sum);
                    s.curve.clear();
                    for v in shape {
                        let noise = 0.96 + 0.08 * r.random::<f32>();
                        s.curve.push(v * scale * noise);
                    }
                    sink.curve(&CurveRow {
                        customer_no: &c.customer_no,
                        curve_date: on,
                        points_kw: &s.curve,
                    })?;
                    counts.load_curves += 1;
                }
            }
            for k in 0..n_m {
                s.reg[k] += s.cum[k];
            }
            p = p.next();
        }
        Ok(())
    }
}
