//! A handful of electricity theft cases (窃电, D8): about one per 20,000 customers, at least three
//! in any company of 100 customers or more. Customers are split into equal strata and one
//! customer per stratum is chosen by hash, so "is customer i a thief" is O(1) and needs no list.

use crate::Generator;
use crate::history::{NullSink, Scratch, TheftPlan, theft_price};
use crate::rng::{Stream, hash};
use griddesk_domain::billing::Period;
use griddesk_domain::customer::Customer;
use griddesk_domain::revenue::TheftCase;
use griddesk_domain::values::Money;
use rust_decimal::Decimal;

pub(crate) fn theft_count(customers: u64) -> u64 {
    if customers < 100 {
        0
    } else {
        (customers.div_ceil(20_000)).max(3)
    }
}

impl Generator {
    fn stratum_start(&self, k: u64) -> u64 {
        (u128::from(k) * u128::from(self.cfg.customers) / u128::from(self.theft_count)) as u64
    }

    /// The thief of stratum `k`.
    fn thief(&self, k: u64) -> u64 {
        let (a, b) = (self.stratum_start(k), self.stratum_start(k + 1));
        a + hash(self.cfg.seed, Stream::Theft, k) % (b - a).max(1)
    }

    pub(crate) fn is_thief(&self, index: u64) -> bool {
        if self.theft_count == 0 || index >= self.cfg.customers {
            return false;
        }
        let k = (u128::from(index) * u128::from(self.theft_count) / u128::from(self.cfg.customers))
            as u64;
        // Integer rounding can put `index` in the neighbouring stratum.
        [k.saturating_sub(1), k, k + 1]
            .into_iter()
            .filter(|s| *s < self.theft_count)
            .any(|s| self.thief(s) == index)
    }

    pub(crate) fn theft_plan(&self, index: u64) -> Option<TheftPlan> {
        if !self.is_thief(index) {
            return None;
        }
        let h = hash(self.cfg.seed, Stream::Theft, index ^ 0xFFFF_0000);
        let months = self.cfg.months;
        // The drop starts 6 to 17 months before the end (or half-way in a short history).
        let back = 6 + (h % 12) as u32;
        let from = if months > back + 2 {
            months - back
        } else {
            months / 2
        };
        Some(TheftPlan {
            from,
            factor: 0.15 + ((h >> 16) % 20) as f64 / 100.0,
        })
    }

    /// The confirmed theft case of `c`, if it is one of the generated thieves.
    pub fn theft_case(&self, c: &Customer) -> Option<TheftCase> {
        let index = Self::index_of(&c.customer_no)?;
        let plan = self.theft_plan(index)?;
        let outcome = self
            .emit(c, index, &mut Scratch::default(), &mut NullSink)
            .ok()?;
        let stolen = outcome.stolen_kwh.round().max(1.0) as i64;
        // Back charge plus a penalty of three times the back charge (违约使用电费).
        let micro = i128::from(stolen) * i128::from(theft_price(c)) * 4 * 100;
        let charged = Money::from_fen(i64::try_from((micro + 5_000) / 10_000).unwrap_or(i64::MAX));
        let h = hash(self.cfg.seed, Stream::Theft, index ^ 0x00FF_FF00);
        let last = self.cfg.last_month;
        let found_on = last
            .first_day()
            .checked_add(jiff::Span::new().days((h % 25) as i64))
            .unwrap_or(last.first_day());
        let drop_month: Period = self.cfg.first_month().add_months(plan.from as i32);
        let pct = ((1.0 - plan.factor) * 100.0).round();
        Some(TheftCase {
            case_no: format!("QD{}{:04}{:02}", c.customer_no, last.year(), last.month()),
            customer_no: c.customer_no.clone(),
            found_on,
            stolen_kwh: Decimal::from(stolen),
            charged,
            description: format!(
                "用电检查发现计量回路被短接：自{drop_month}起月用电量下降约{pct}%，现场查实窃电，\
                 已追补电费并收取三倍违约使用电费。"
            ),
        })
    }
}
