//! Properties of the synthetic company: determinism, validity, realistic proportions and
//! internally consistent histories.

use super::*;
use griddesk_domain::billing::{ArrearsSummary, late_fee};
use griddesk_domain::customer::{
    Connection, ImportantGrade, Institution, SupplyRelation, TariffCategory, UsageNature,
};
use griddesk_domain::org::{OrgKind, Role};
use griddesk_domain::topology::AreaType;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

fn cfg(customers: u64, seed: u64) -> DemoConfig {
    DemoConfig::new(customers, seed, Period::parse("2026-09").unwrap())
}

fn count(cs: &[Customer], f: impl Fn(&Customer) -> bool) -> f64 {
    cs.iter().filter(|c| f(c)).count() as f64 / cs.len() as f64
}

#[test]
fn same_seed_same_company_any_chunking() {
    let a = Generator::new(cfg(2_000, 7));
    let b = Generator::new(cfg(2_000, 7));
    assert_eq!(a.company(), b.company());
    let whole = a.customers(0..2_000);
    let mut chunked = Vec::new();
    for r in [0..1, 1..137, 137..1_500, 1_500..2_000, 2_000..2_100] {
        chunked.extend(b.customers(r));
    }
    assert_eq!(whole.len(), 2_000);
    assert_eq!(whole, chunked);
    for c in whole.iter().step_by(97) {
        assert_eq!(a.history(c), b.history(c));
    }
    // A different seed is a different company.
    let other = Generator::new(cfg(2_000, 8)).customers(0..50);
    let differing = whole[..50]
        .iter()
        .zip(&other)
        .filter(|(x, y)| x.name != y.name)
        .count();
    assert!(differing > 40, "only {differing} of 50 names differ");
}

#[test]
fn a_sample_of_customers_is_valid_and_consistent_with_the_topology() {
    let g = Generator::new(cfg(5_000, 1));
    let company = g.company();
    let areas: HashMap<_, _> = company.areas.iter().map(|a| (a.code.clone(), a)).collect();
    let feeders: HashMap<_, _> = company
        .feeders
        .iter()
        .map(|f| (f.code.clone(), f))
        .collect();
    let units: HashSet<_> = company.org_units.iter().map(|u| u.code.clone()).collect();
    let managers: HashSet<_> = company
        .staff
        .iter()
        .filter(|s| s.role == Role::CustomerManager)
        .map(|s| s.login.clone())
        .collect();
    let customers = g.customers(0..5_000);
    let mut numbers = HashSet::new();
    let mut meters = HashSet::new();
    for c in &customers {
        c.validate()
            .unwrap_or_else(|e| panic!("{} invalid: {e}", c.customer_no));
        assert!(
            numbers.insert(c.customer_no.clone()),
            "duplicate {}",
            c.customer_no
        );
        assert!(
            units.contains(&c.org_unit),
            "{}: unit {}",
            c.customer_no,
            c.org_unit
        );
        if let Some(m) = &c.customer_manager {
            assert!(managers.contains(m), "{}: manager {m}", c.customer_no);
        }
        for m in &c.meters {
            assert!(
                meters.insert(m.meter_no.clone()),
                "duplicate meter {}",
                m.meter_no
            );
            assert!(m.multiplier >= 1);
        }
        assert!(!c.contacts.is_empty() && c.primary_phone().is_some());
        match &c.connection {
            Connection::Area { area } => {
                let a = areas.get(area).expect("area exists");
                assert_eq!(a.area_type, c.area_type);
                assert_eq!(
                    a.org_unit, c.org_unit,
                    "served by the area's supply station"
                );
            }
            Connection::Feeder { feeder, backup } => {
                let f = feeders.get(feeder).expect("feeder exists");
                if let Some(b) = backup {
                    let b = feeders.get(b).expect("backup feeder exists");
                    assert_ne!(f.substation, b.substation, "backup from another substation");
                }
                assert!(
                    c.customer_manager.is_some(),
                    "HV customers are key accounts"
                );
            }
        }
        if c.important_grade == ImportantGrade::Grade2 {
            assert!(c.is_dual_supply() && c.supply.self_provided_source);
        }
        if c.tariff == TariffCategory::LargeIndustrial {
            assert!(c.capacity_kva.kva() >= Decimal::from(315));
        }
    }
    // Numbers are ten digits in index order.
    assert_eq!(customers[0].customer_no.as_str(), "3000000000");
    assert_eq!(
        Generator::index_of(&customers[4_999].customer_no),
        Some(4_999)
    );
    assert!(
        customers
            .windows(2)
            .all(|w| w[0].customer_no < w[1].customer_no)
    );
    // Some residents carry an identity card number (its check digit was verified by parsing).
    assert!(customers.iter().filter(|c| c.id_number.is_some()).count() > 1_000);
}

#[test]
fn the_mix_is_realistic() {
    let g = Generator::new(cfg(40_000, 3));
    let cs = g.customers(0..40_000);
    let share = |t: TariffCategory| count(&cs, |c| c.tariff == t);
    let within = |name: &str, v: f64, lo: f64, hi: f64| {
        assert!(
            (lo..=hi).contains(&v),
            "{name}: {:.4} not in [{lo}, {hi}]",
            v
        );
    };
    within(
        "residential",
        share(TariffCategory::Residential),
        0.86,
        0.91,
    );
    within(
        "lighting + commercial",
        share(TariffCategory::NonResidentialLighting) + share(TariffCategory::Commercial),
        0.055,
        0.085,
    );
    within(
        "general industrial",
        share(TariffCategory::GeneralIndustrial),
        0.014,
        0.026,
    );
    within(
        "large industrial",
        share(TariffCategory::LargeIndustrial),
        0.0015,
        0.0045,
    );
    within(
        "agricultural",
        share(TariffCategory::Agricultural),
        0.01,
        0.02,
    );
    within(
        "non-industrial",
        share(TariffCategory::NonIndustrial),
        0.003,
        0.008,
    );
    within(
        "high voltage",
        count(&cs, Customer::is_high_voltage),
        0.0035,
        0.0065,
    );
    within(
        "important",
        count(&cs, |c| c.important_grade != ImportantGrade::None),
        0.0003,
        0.0013,
    );
    let hv: Vec<Customer> = cs.iter().filter(|c| c.is_high_voltage()).cloned().collect();
    within(
        "dual supply among HV",
        count(&hv, Customer::is_dual_supply),
        0.08,
        0.28,
    );
    assert!(
        cs.iter()
            .any(|c| c.supply_relation == SupplyRelation::Wholesale)
    );
    assert!(
        cs.iter()
            .any(|c| c.supply_relation == SupplyRelation::Transfer)
    );
    for n in [
        UsageNature::Temporary,
        UsageNature::Seasonal,
        UsageNature::Important,
    ] {
        assert!(cs.iter().any(|c| c.usage_nature == n), "{n}");
    }
    for i in [
        Institution::Hospital,
        Institution::School,
        Institution::Government,
    ] {
        assert!(cs.iter().any(|c| c.institution == i), "{i}");
    }
    let urban = count(&cs, |c| c.area_type == AreaType::Urban);
    let rural = count(&cs, |c| c.area_type == AreaType::Rural);
    let remote = count(&cs, |c| c.area_type == AreaType::Remote);
    within("urban", urban, 0.55, 0.75);
    within("rural", rural, 0.2, 0.4);
    within("remote", remote, 0.01, 0.1);
    assert!(cs.iter().any(|c| c.voltage_kv.to_string() == "35"));
    assert!(
        cs.iter()
            .any(|c| c.meters.iter().any(|m| m.multiplier >= 1_000))
    );
}

#[test]
fn topology_is_sized_like_a_real_company_and_references_resolve() {
    for n in [50u64, 200_000] {
        let g = Generator::new(cfg(n, 11));
        let c = g.company();
        // Org units: parents first, one company, every kind present.
        let mut seen = HashSet::new();
        for u in &c.org_units {
            if let Some(p) = &u.parent {
                assert!(seen.contains(p), "{} before its parent {p}", u.code);
            }
            seen.insert(u.code.clone());
        }
        for k in OrgKind::ALL {
            assert!(c.org_units.iter().any(|u| u.kind == *k), "{k}");
        }
        assert_eq!(c.org_units.iter().filter(|u| u.parent.is_none()).count(), 1);
        assert_eq!(c.org_units[0].name, "GridDesk示范供电公司");
        // Staff: every role but the customer's, unique logins in their units.
        for r in Role::ALL.iter().filter(|r| **r != Role::Customer) {
            assert!(c.staff.iter().any(|s| s.role == *r), "{r}");
        }
        for login in [
            "agent01",
            "dispatcher01",
            "crew01",
            "manager01",
            "analyst01",
            "inspector01",
            "supervisor01",
            "admin01",
        ] {
            assert!(c.staff.iter().any(|s| s.login.as_str() == login), "{login}");
        }
        let logins: HashSet<_> = c.staff.iter().map(|s| &s.login).collect();
        assert_eq!(logins.len(), c.staff.len());
        assert!(c.staff.iter().all(|s| seen.contains(&s.org_unit)));
        // Grid.
        assert!(c.substations.len() >= 2);
        let subs: HashSet<_> = c.substations.iter().map(|s| s.code.clone()).collect();
        assert!(c.substations.iter().all(|s| seen.contains(&s.org_unit)));
        let mut per_sub: HashMap<_, u32> = HashMap::new();
        for f in &c.feeders {
            assert!(subs.contains(&f.substation));
            *per_sub.entry(f.substation.clone()).or_default() += 1;
        }
        assert!(per_sub.values().all(|n| (8..=12).contains(n)));
        let feeders: HashSet<_> = c.feeders.iter().map(|f| f.code.clone()).collect();
        let stations: HashSet<_> = c
            .org_units
            .iter()
            .filter(|u| u.kind == OrgKind::SupplyStation)
            .map(|u| u.code.clone())
            .collect();
        for a in &c.areas {
            assert!(feeders.contains(&a.feeder));
            assert!(stations.contains(&a.org_unit));
            let kva = a.transformer_kva.kva();
            assert!(kva >= Decimal::from(100) && kva <= Decimal::from(1250));
        }
        assert_eq!(g.area_count(), c.areas.len() as u64);
        if n == 200_000 {
            // One substation per 20-40k customers; areas of 10-400 customers.
            let per_sub = n as f64 / c.substations.len() as f64;
            assert!(
                (20_000.0..=40_000.0).contains(&per_sub),
                "{per_sub} customers per substation"
            );
            let per_area = n as f64 / c.areas.len() as f64;
            assert!(
                (80.0..=250.0).contains(&per_area),
                "{per_area} customers per area"
            );
            for t in AreaType::ALL {
                assert!(c.areas.iter().any(|a| a.area_type == *t), "{t}");
            }
        }
    }
}

#[test]
fn histories_have_bills_payments_late_fees_bounces_and_arrears() {
    let g = Generator::new(cfg(20_000, 5));
    let as_of = g.config().as_of;
    let mut in_arrears = 0;
    let mut late_customers = 0;
    let mut bounced = 0;
    let mut late_fee_bills = 0;
    for c in g.customers(0..20_000) {
        let h = g.history(&c);
        let opened_in_window = Period::of(c.opened_on) >= g.config().first_month();
        if !opened_in_window {
            assert_eq!(h.bills.len(), 36, "{}", c.customer_no);
            assert_eq!(h.bills[0].period.to_string(), "2023-10");
        }
        assert_eq!(
            h.bills.last().map(|b| b.period.to_string()),
            Some("2026-09".to_owned())
        );
        let bills: HashMap<_, _> = h.bills.iter().map(|b| (b.bill_no.as_str(), b)).collect();
        for b in &h.bills {
            assert!(
                b.amount.is_positive() || b.consumption_kwh.is_zero(),
                "{}",
                b.bill_no
            );
            assert_eq!(b.issued_on, b.period.next().first_day());
            assert_eq!(b.due_on.day(), 20);
            if b.late_fee.is_positive() {
                late_fee_bills += 1;
            }
        }
        for p in &h.payments {
            let b = bills
                .get(p.bill_no.as_str())
                .expect("payment settles a known bill");
            let day = p.paid_at.to_zoned(jiff::tz::TimeZone::UTC).date();
            assert!(
                day >= b.issued_on && day <= as_of,
                "{} paid {day}",
                p.payment_no
            );
            if !p.bounced {
                // The late fee on the bill is the one due on the payment day, and is paid with it.
                assert_eq!(
                    b.late_fee,
                    late_fee(c.tariff, b.amount, b.due_on, day),
                    "{}",
                    b.bill_no
                );
                assert_eq!(p.amount, b.amount + b.late_fee);
            }
        }
        let s = ArrearsSummary::compute(&h.bills, &h.payments, as_of);
        if s.overdue_bills > 0 {
            in_arrears += 1;
        }
        if s.late_payments > 0 {
            late_customers += 1;
        }
        bounced += s.bounced_payments;
    }
    assert!(
        (200..=500).contains(&in_arrears),
        "{in_arrears} customers in arrears"
    );
    assert!(
        late_customers >= 1_000,
        "{late_customers} customers paid late"
    );
    assert!(
        late_fee_bills >= 2_000,
        "{late_fee_bills} bills with a late fee"
    );
    assert!((30..=400).contains(&bounced), "{bounced} bounced payments");
}

#[test]
fn tiered_residential_tariff_and_capacity_charge() {
    let g = Generator::new(cfg(3_000, 9));
    let cs = g.customers(0..3_000);
    let resident = cs
        .iter()
        .find(|c| c.tariff == TariffCategory::Residential && !c.is_high_voltage())
        .unwrap();
    for b in g.history(resident).bills {
        let kwh = b.consumption_kwh;
        let tier =
            |lo: i64, hi: i64| (kwh.min(Decimal::from(hi)) - Decimal::from(lo)).max(Decimal::ZERO);
        let want = tier(0, i64::MAX) * Decimal::new(5383, 4)
            + tier(230, 400) * Decimal::new(500, 4)
            + tier(400, i64::MAX) * Decimal::new(3000, 4);
        assert_eq!(
            b.amount.yuan(),
            want.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
            "{}",
            b.bill_no
        );
    }
    let big = Generator::new(cfg(20_000, 9))
        .customers(0..20_000)
        .into_iter()
        .find(|c| c.tariff == TariffCategory::LargeIndustrial)
        .unwrap();
    let capacity = big.capacity_kva.kva() * Decimal::from(25);
    for b in g.history(&big).bills {
        assert!(
            b.amount.yuan() > capacity,
            "{} includes the capacity charge",
            b.bill_no
        );
    }
}

#[test]
fn readings_add_up_to_the_last_bill_and_curves_to_the_day() {
    let mut c = cfg(20_000, 13);
    c.reading_days = 40;
    let g = Generator::new(c);
    let mut checked_curves = 0;
    let all = g.customers(0..20_000);
    for cust in all
        .iter()
        .step_by(7)
        .chain(all.iter().filter(|c| c.is_high_voltage()).take(20))
    {
        let h = g.history(cust);
        let last = h.bills.last().unwrap();
        // Registers at the end of August and of September, per meter, times the multiplier.
        let end_aug = jiff::civil::date(2026, 8, 31);
        let end_sep = jiff::civil::date(2026, 9, 30);
        let mut centi = Decimal::ZERO;
        for m in &cust.meters {
            let at = |d| {
                h.readings
                    .iter()
                    .find(|r| r.meter_no == m.meter_no && r.reading_date == d)
                    .map(|r| r.register_kwh)
                    .unwrap()
            };
            centi += (at(end_sep) - at(end_aug)) * Decimal::from(m.multiplier);
        }
        assert_eq!(centi, last.consumption_kwh, "{}", cust.customer_no);
        assert_eq!(h.readings.len(), 40 * cust.meters.len());
        // Registers never run backwards.
        for m in &cust.meters {
            let regs: Vec<_> = h
                .readings
                .iter()
                .filter(|r| r.meter_no == m.meter_no)
                .collect();
            assert!(
                regs.windows(2)
                    .all(|w| w[0].register_kwh <= w[1].register_kwh
                        && w[0].reading_date < w[1].reading_date)
            );
        }
        if cust.is_high_voltage() {
            assert_eq!(h.load_curves.len(), 31);
            assert_eq!(h.load_curves[0].curve_date, jiff::civil::date(2026, 8, 31));
            let month_kwh: f64 = h
                .load_curves
                .iter()
                .skip(1)
                .map(|c| {
                    c.points_kw
                        .iter()
                        .map(|p| f64::from(*p) * 0.25)
                        .sum::<f64>()
                })
                .sum();
            let billed: f64 = last.consumption_kwh.try_into().unwrap();
            assert!(h.load_curves.iter().all(|c| c.points_kw.len() == 96));
            assert!(
                (month_kwh - billed).abs() <= billed * 0.03 + 1.0,
                "{month_kwh} vs {billed}"
            );
            checked_curves += 1;
        } else {
            assert!(h.load_curves.is_empty());
        }
    }
    assert!(checked_curves >= 20);
}

#[test]
fn a_handful_of_theft_cases_with_a_sharp_drop() {
    let g = Generator::new(cfg(20_000, 21));
    assert_eq!(g.theft_count(), 3);
    let cs = g.customers(0..20_000);
    let cases: Vec<_> = cs.iter().filter_map(|c| g.theft_case(c)).collect();
    assert_eq!(cases.len(), 3);
    assert_eq!((0..20_000).filter(|i| g.is_theft_case(*i)).count(), 3);
    for case in &cases {
        let c = cs
            .iter()
            .find(|c| c.customer_no == case.customer_no)
            .unwrap();
        assert!(case.stolen_kwh > Decimal::ZERO && case.charged.is_positive());
        assert_eq!(Period::of(case.found_on).to_string(), "2026-09");
        let h = g.history(c);
        let kwh: Vec<f64> = h
            .bills
            .iter()
            .map(|b| b.consumption_kwh.try_into().unwrap())
            .collect();
        // Find the drop: six months after it against the same months a year before.
        let n = kwh.len();
        let best = (13..n - 5)
            .map(|m| {
                let after: f64 = kwh[m..m + 6].iter().sum();
                let before: f64 = kwh[m - 12..m - 6].iter().sum();
                after / before
            })
            .fold(f64::MAX, f64::min);
        assert!(best < 0.5, "{}: consumption ratio {best}", c.customer_no);
    }
    // Fewer than 100 customers: none; 100 or more: at least three.
    assert_eq!(Generator::new(cfg(99, 1)).theft_count(), 0);
    assert_eq!(Generator::new(cfg(100, 1)).theft_count(), 3);
    assert_eq!(Generator::new(cfg(1_000_000, 1)).theft_count(), 50);
    let small = Generator::new(cfg(100, 1));
    let thieves = small
        .customers(0..100)
        .iter()
        .filter_map(|c| small.theft_case(c))
        .count();
    assert_eq!(thieves, 3);
}

#[tokio::test]
async fn the_lake_gets_exactly_the_generated_history() {
    let dir = tempfile::tempdir().unwrap();
    let g = Generator::new(cfg(300, 2));
    let cs = g.customers(0..300);
    let mut w = griddesk_lake::LakeWriter::create(dir.path(), &g.config().lake_stem()).unwrap();
    let mut total = HistoryCounts::default();
    for c in &cs {
        total += g.write_history(c, &mut w).unwrap();
    }
    let s = w.finish().unwrap();
    assert_eq!(
        (s.bills, s.payments, s.readings),
        (total.bills, total.payments, total.readings)
    );
    let lake = griddesk_lake::Lake::open(dir.path()).unwrap();
    let today = jiff::civil::date(2026, 10, 28);
    for c in cs
        .iter()
        .step_by(37)
        .chain(cs.iter().filter(|c| c.is_high_voltage()))
    {
        let want = g.history(c);
        let got = lake
            .customer_history(&c.customer_no, 36, today)
            .await
            .unwrap();
        assert_eq!(got.bills, want.bills);
        let mut pays = want.payments.clone();
        pays.sort_by(|a, b| (a.paid_at, &a.payment_no).cmp(&(b.paid_at, &b.payment_no)));
        assert_eq!(got.payments, pays);
        let recent: Vec<_> = want
            .readings
            .iter()
            .filter(|r| r.reading_date >= jiff::civil::date(2026, 9, 27))
            .cloned()
            .collect();
        let mut got_readings = got.readings.clone();
        got_readings
            .sort_by(|a, b| (a.reading_date, &a.meter_no).cmp(&(b.reading_date, &b.meter_no)));
        assert_eq!(got_readings, recent);
        assert_eq!(
            got.arrears,
            ArrearsSummary::compute(&want.bills, &want.payments, today)
        );
    }
}

#[test]
fn the_load_limiting_sequence_places_the_industrial_customers_important_ones_last() {
    let g = Generator::new(cfg(20_000, 3));
    let cs = g.customers(0..20_000);
    let entries: Vec<_> = cs.iter().filter_map(|c| g.orderly_entry(c)).collect();
    // About 0.5 % of customers are high-voltage, most of them industrial.
    assert!((30..=120).contains(&entries.len()), "{}", entries.len());
    let by_no: HashMap<_, _> = cs.iter().map(|c| (&c.customer_no, c)).collect();
    let mut positions = HashSet::new();
    for e in &entries {
        let c = by_no[&e.customer_no];
        assert!(c.is_high_voltage(), "{}", c.customer_no);
        assert!(matches!(
            c.tariff,
            TariffCategory::LargeIndustrial | TariffCategory::GeneralIndustrial
        ));
        e.validate()
            .unwrap_or_else(|err| panic!("{}: {err}", e.customer_no));
        assert!(e.expected_load_kw > Decimal::ZERO && e.limit_kw > Decimal::ZERO);
        let important = c.important_grade != ImportantGrade::None;
        assert_eq!(e.sequence == 4, important, "{}", e.customer_no);
        if important {
            assert!(e.security_load_kw * Decimal::from(4) >= e.expected_load_kw);
        }
        positions.insert(e.sequence);
    }
    assert!(positions.len() >= 3, "{positions:?}");
    // Deterministic, and nobody else is in it.
    let again = Generator::new(cfg(20_000, 3));
    let twice: Vec<_> = cs.iter().filter_map(|c| again.orderly_entry(c)).collect();
    assert_eq!(entries, twice);
    assert!(
        cs.iter()
            .filter(|c| !c.is_high_voltage())
            .all(|c| g.orderly_entry(c).is_none())
    );
}

#[test]
fn configuration_is_checked() {
    let mut c = cfg(10, 1);
    assert!(c.check().is_ok());
    c.months = 0;
    assert!(matches!(c.check(), Err(DemoError::Config(_))));
    let mut c = cfg(8_000_000_000, 1);
    assert!(c.check().is_err());
    c.customers = 10;
    c.as_of = jiff::civil::date(2026, 8, 1);
    assert!(c.check().is_err());
    assert_eq!(cfg(1, 1).as_of, jiff::civil::date(2026, 10, 28));
    assert_eq!(cfg(1, 1).first_month().to_string(), "2023-10");
    assert_eq!(cfg(1, 42).lake_stem(), "demo-42");
}
