//! The demo company's load-limiting sequence (限电序位表, D3.2/D9): its high-voltage industrial
//! customers, placed as such schemes usually place them — energy-intensive metallurgy and
//! chemicals first, then mining and the large factories, then the other industrial customers,
//! important customers last — each with an expected peak load from its contracted capacity and
//! offers in the usual shares of it. A pure function of (seed, customer), one small draw each.

use crate::Generator;
use crate::rng::{RngExt, Stream, rng};
use griddesk_domain::customer::{Customer, ImportantGrade, Industry, TariffCategory};
use griddesk_domain::orderly::SequenceEntry;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// Whole kW of `share` of `load`.
fn share(load: i64, share: f64) -> Decimal {
    Decimal::from((load as f64 * share).round() as i64)
}

impl Generator {
    /// The customer's row of the sequence, or `None` when it is not in the scheme (every
    /// customer but the high-voltage industrial ones).
    pub fn orderly_entry(&self, c: &Customer) -> Option<SequenceEntry> {
        let industrial = matches!(
            c.tariff,
            TariffCategory::LargeIndustrial | TariffCategory::GeneralIndustrial
        );
        if !industrial || !c.is_high_voltage() {
            return None;
        }
        let index = Self::index_of(&c.customer_no)?;
        let mut r = rng(self.cfg.seed, Stream::Orderly, index);
        let important = c.important_grade != ImportantGrade::None;
        let kva = c.capacity_kva.kva().to_f64().unwrap_or(0.0);
        let sequence = match c.industry {
            _ if important => 4,
            Industry::Metallurgy | Industry::Chemical => 1,
            Industry::Mining => 2,
            _ if kva >= 2000.0 => 2,
            _ => 3,
        };
        // Peak load: capacity at a power factor of 0.85 and a peak utilisation of 45-75 %, to
        // the 10 kW.
        let load = ((kva * 0.85 * r.between(0.45, 0.75) / 10.0).round() as i64 * 10).max(10);
        let security = if important {
            r.between(0.25, 0.45)
        } else {
            r.between(0.03, 0.08)
        };
        let avoid = if r.chance(0.6) {
            r.between(0.05, 0.15)
        } else {
            0.0
        };
        Some(SequenceEntry {
            customer_no: c.customer_no.clone(),
            sequence,
            expected_load_kw: Decimal::from(load),
            security_load_kw: share(load, security),
            shift_peak_kw: share(load, r.between(0.10, 0.25)),
            avoid_peak_kw: share(load, avoid),
            limit_kw: share(load, r.between(0.20, 0.40)),
            can_disconnect: r.chance(if important { 0.3 } else { 0.8 }),
        })
    }
}
