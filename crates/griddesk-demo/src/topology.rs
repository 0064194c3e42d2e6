//! The synthetic company's organisation and grid: branches (city districts and counties), supply
//! stations and business halls, staff for every role, substations, feeders and transformer areas.
//!
//! Customers are laid out by index: each branch owns a contiguous range of customer indices and
//! each transformer area a contiguous slice of its branch's range (real utilities number customers
//! by area, too). A customer's area is found by binary search in the per-area table, so the
//! topology costs memory per area, never per customer.

use crate::names::{
    self, CITY, COMPANY_NAME, COUNTIES, DISTRICTS, FEEDER_WORDS, ROADS, TOWNS, VILLAGES,
};
use crate::rng::{RngExt, Stream, rng};
use griddesk_domain::org::{OrgKind, OrgUnit, Role, Staff};
use griddesk_domain::topology::{AreaType, Feeder, Substation, TransformerArea};
use griddesk_domain::values::{CapacityKva, Code, VoltageKv};
use rand::Rng;
use rust_decimal::Decimal;

/// Everything `company()` returns, in the order it must be stored (references point backwards).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    /// Company first, then the customer service centre, branches, supply stations and halls:
    /// every parent precedes its children.
    pub org_units: Vec<OrgUnit>,
    pub staff: Vec<Staff>,
    pub substations: Vec<Substation>,
    pub feeders: Vec<Feeder>,
    pub areas: Vec<TransformerArea>,
}

pub(crate) const COMPANY_CODE: &str = "GD";
pub(crate) const SERVICE_CENTRE_CODE: &str = "GD-KF";

/// Expected share of key accounts among customers (HV, important, institutions); sizes the
/// customer-manager team (about 400 accounts each).
const KEY_ACCOUNT_SHARE: f64 = 0.016;
const ACCOUNTS_PER_MANAGER: f64 = 400.0;

const TRANSFORMER_KVA: [u32; 11] = [100, 160, 200, 250, 315, 400, 500, 630, 800, 1000, 1250];

#[derive(Debug, Clone)]
pub(crate) struct Branch {
    pub(crate) code: String,
    pub(crate) name: String,
    /// Place name (district or county) without suffix.
    pub(crate) place: &'static str,
    pub(crate) urban: bool,
    pub(crate) halls: u32,
    pub(crate) substations: std::ops::Range<u32>,
    /// Customer-manager numbers (login `managerNN`) of this branch.
    pub(crate) managers: std::ops::Range<u32>,
}

#[derive(Debug, Clone)]
pub(crate) struct Station {
    pub(crate) code: String,
    pub(crate) branch: u32,
    /// Town the station is named after (rural) or road (urban).
    pub(crate) word: &'static str,
}

#[derive(Debug, Clone)]
pub(crate) struct Sub {
    pub(crate) branch: u32,
    pub(crate) word: &'static str,
    pub(crate) kv: u32,
    pub(crate) feeders: std::ops::Range<u32>,
}

/// One transformer area: where its customers start and what it hangs on. Place words are
/// indices into the name lists so the table stays small.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Area {
    pub(crate) feeder: u32,
    pub(crate) station: u32,
    pub(crate) branch: u32,
    pub(crate) kind: AreaType,
    pub(crate) slots: u32,
    /// Road (urban) or town (rural, remote).
    pub(crate) word1: u8,
    /// Community word and suffix (urban) or village (rural, remote).
    pub(crate) word2: u8,
    pub(crate) word3: u8,
    /// Number of the transformer among areas sharing the same place words.
    pub(crate) number: u16,
}

pub(crate) struct Topology {
    pub(crate) branches: Vec<Branch>,
    pub(crate) stations: Vec<Station>,
    pub(crate) subs: Vec<Sub>,
    /// Substation of each feeder.
    pub(crate) feeder_sub: Vec<u32>,
    pub(crate) area_start: Vec<u64>,
    pub(crate) areas: Vec<Area>,
    pub(crate) agents: u32,
    pub(crate) supervisors: u32,
    pub(crate) dispatchers: u32,
    pub(crate) analysts: u32,
}

fn clamp_u(x: u64, lo: u64, hi: u64) -> u64 {
    x.clamp(lo, hi)
}

/// Splits `total` into `weights.len()` contiguous parts proportional to the weights.
fn split(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    let mut acc = 0.0;
    let mut prev = 0u64;
    weights
        .iter()
        .map(|w| {
            acc += w;
            let end = ((acc / sum) * total as f64).round() as u64;
            let end = end.min(total);
            let n = end - prev;
            prev = end;
            n
        })
        .collect()
}

impl Topology {
    pub(crate) fn build(seed: u64, customers: u64) -> Self {
        let mut r = rng(seed, Stream::Topology, 0);
        let n_districts = clamp_u(2 + customers / 2_000_000, 2, DISTRICTS.len() as u64) as usize;
        let n_counties = clamp_u(2 + customers / 1_000_000, 2, COUNTIES.len() as u64) as usize;
        // 55 % of customers in the city districts, 45 % in the counties.
        let mut weights = Vec::new();
        for _ in 0..n_districts {
            weights.push(0.55 / n_districts as f64 * r.between(0.7, 1.3));
        }
        for _ in 0..n_counties {
            weights.push(0.45 / n_counties as f64 * r.between(0.7, 1.3));
        }
        let sizes = split(customers, &weights);

        let mut t = Topology {
            branches: Vec::new(),
            stations: Vec::new(),
            subs: Vec::new(),
            feeder_sub: Vec::new(),
            area_start: Vec::new(),
            areas: Vec::new(),
            agents: clamp_u(customers / 100_000, 10, 80) as u32,
            supervisors: 0,
            dispatchers: clamp_u(customers / 1_000_000, 3, 12) as u32,
            analysts: 3,
        };
        t.supervisors = (t.agents / 10).max(2);
        let mut next_customer = 0u64;
        let mut managers = 0u32;
        for (b, slots) in sizes.into_iter().enumerate() {
            let urban = b < n_districts;
            let place = if urban {
                DISTRICTS[b]
            } else {
                COUNTIES[b - n_districts]
            };
            let bi = b as u32;
            let n_st = ((slots as f64 / 40_000.0).round() as u32).max(1);
            let n_sub = ((slots as f64 / 30_000.0).round() as u32).max(1);
            let n_mgr =
                ((slots as f64 * KEY_ACCOUNT_SHARE / ACCOUNTS_PER_MANAGER).ceil() as u32).max(1);
            let st0 = t.stations.len() as u32;
            let word_off = r.random_range(0..64usize);
            for s in 0..n_st {
                let word = if urban {
                    ROADS[(word_off + s as usize) % ROADS.len()]
                } else {
                    TOWNS[(word_off + s as usize) % TOWNS.len()]
                };
                t.stations.push(Station {
                    code: format!("{COMPANY_CODE}-B{:02}-S{:02}", b + 1, s + 1),
                    branch: bi,
                    word,
                });
            }
            let sub0 = t.subs.len() as u32;
            let sub_off = r.random_range(0..64usize);
            for s in 0..n_sub {
                let word = if urban {
                    ROADS[(sub_off + s as usize) % ROADS.len()]
                } else {
                    TOWNS[(sub_off + s as usize) % TOWNS.len()]
                };
                let kv = if urban || s == 0 { 110 } else { 35 };
                let f0 = t.feeder_sub.len() as u32;
                let nf = r.random_range(8..=12u32);
                for _ in 0..nf {
                    t.feeder_sub.push(t.subs.len() as u32);
                }
                t.subs.push(Sub {
                    branch: bi,
                    word,
                    kv,
                    feeders: f0..f0 + nf,
                });
            }
            let feeders =
                t.subs[sub0 as usize].feeders.start..t.subs.last().map_or(0, |s| s.feeders.end);

            // Area slices: districts are all urban; a county has its county seat (urban), its
            // villages (rural) and a remote mountain part.
            let segments: Vec<(AreaType, u64)> = if urban {
                vec![(AreaType::Urban, slots)]
            } else {
                let remote = r.between(0.05, 0.2);
                let parts = split(slots, &[0.2, 0.8 - remote, remote]);
                vec![
                    (AreaType::Urban, parts[0]),
                    (AreaType::Rural, parts[1]),
                    (AreaType::Remote, parts[2]),
                ]
            };
            let a0 = t.areas.len();
            let mut start = next_customer;
            for (kind, n) in segments {
                let mut left = n;
                while left > 0 {
                    let (lo, hi) = match kind {
                        AreaType::Urban => (150, 400),
                        AreaType::Rural => (40, 150),
                        AreaType::Remote => (10, 60),
                    };
                    let size = r.random_range(lo..=hi).min(left);
                    t.area_start.push(start);
                    t.areas.push(Area {
                        feeder: 0,
                        station: 0,
                        branch: bi,
                        kind,
                        slots: size as u32,
                        word1: r.random_range(0..64),
                        word2: r.random_range(0..64),
                        word3: r.random_range(0..64),
                        number: r.random_range(1..=9),
                    });
                    start += size;
                    left -= size;
                }
            }
            // Spread the branch's areas evenly over its feeders and supply stations.
            let n_areas = (t.areas.len() - a0).max(1) as u64;
            let n_feeders = u64::from(feeders.end - feeders.start);
            for (k, a) in t.areas[a0..].iter_mut().enumerate() {
                let k = k as u64;
                a.feeder = feeders.start + (k * n_feeders / n_areas) as u32;
                a.station = st0 + (k * u64::from(n_st) / n_areas) as u32;
            }
            t.branches.push(Branch {
                code: format!("{COMPANY_CODE}-B{:02}", b + 1),
                name: if urban {
                    format!("{CITY}{place}区供电分公司")
                } else {
                    format!("{CITY}{place}县供电公司")
                },
                place,
                urban,
                halls: ((slots as f64 / 250_000.0).round() as u32).max(1),
                substations: sub0..sub0 + n_sub,
                managers: managers + 1..managers + 1 + n_mgr,
            });
            managers += n_mgr;
            next_customer += slots;
        }
        t
    }

    /// Index of the area whose slice holds customer `i` (None past the last customer).
    pub(crate) fn area_of(&self, i: u64) -> Option<usize> {
        let k = self.area_start.partition_point(|s| *s <= i);
        let a = k.checked_sub(1)?;
        (i < self.area_start[a] + u64::from(self.areas[a].slots)).then_some(a)
    }

    /// A feeder of another substation, for the backup supply of a dual-supply customer:
    /// another substation of the same branch when it has one, else one of the next branch.
    pub(crate) fn backup_feeder(&self, feeder: u32, pick: u64) -> Option<u32> {
        let sub = self.feeder_sub[feeder as usize];
        let b = &self.branches[self.subs[sub as usize].branch as usize];
        let n_b = b.substations.end - b.substations.start;
        let other = if n_b >= 2 {
            let k = (sub - b.substations.start + 1 + (pick % u64::from(n_b - 1)) as u32) % n_b;
            b.substations.start + k
        } else if self.subs.len() >= 2 {
            (sub + 1) % self.subs.len() as u32
        } else {
            return None;
        };
        let f = &self.subs[other as usize].feeders;
        Some(f.start + ((pick >> 8) % u64::from(f.end - f.start)) as u32)
    }

    pub(crate) fn feeder_code(f: u32) -> Code {
        code(format!("FDR-{:06}", f + 1))
    }

    pub(crate) fn area_code(a: usize) -> Code {
        code(format!("TA-{:07}", a + 1))
    }

    pub(crate) fn manager_login(n: u32) -> Code {
        code(format!("manager{n:02}"))
    }

    pub(crate) fn area_road(&self, a: &Area) -> &'static str {
        ROADS[a.word1 as usize % ROADS.len()]
    }

    pub(crate) fn area_town(&self, a: &Area) -> &'static str {
        // Rural areas of a station lie in the station's town.
        self.stations[a.station as usize].word
    }

    pub(crate) fn area_village(&self, a: &Area) -> &'static str {
        VILLAGES[a.word2 as usize % VILLAGES.len()]
    }

    pub(crate) fn area_community(&self, a: &Area) -> (&'static str, &'static str) {
        names::community_parts(a.word2, a.word3)
    }

    fn area_name(&self, a: &Area) -> String {
        match a.kind {
            AreaType::Urban => {
                let (w, s) = self.area_community(a);
                format!("{w}{s}{}号台区", a.number)
            }
            _ => format!("{}村{}号台区", self.area_village(a), a.number),
        }
    }

    pub(crate) fn company(&self, seed: u64) -> Company {
        let mut org_units = vec![
            OrgUnit {
                code: code(COMPANY_CODE.to_owned()),
                name: COMPANY_NAME.to_owned(),
                kind: OrgKind::Company,
                parent: None,
            },
            OrgUnit {
                code: code(SERVICE_CENTRE_CODE.to_owned()),
                name: format!("{COMPANY_NAME}客户服务中心"),
                kind: OrgKind::ServiceCentre,
                parent: Some(code(COMPANY_CODE.to_owned())),
            },
        ];
        for b in &self.branches {
            org_units.push(OrgUnit {
                code: code(b.code.clone()),
                name: b.name.clone(),
                kind: OrgKind::Branch,
                parent: Some(code(COMPANY_CODE.to_owned())),
            });
        }
        for s in &self.stations {
            let b = &self.branches[s.branch as usize];
            let name = if b.urban {
                format!("{}{}路供电所", b.place, s.word)
            } else {
                format!("{}县{}供电所", b.place, s.word)
            };
            org_units.push(OrgUnit {
                code: code(s.code.clone()),
                name,
                kind: OrgKind::SupplyStation,
                parent: Some(code(b.code.clone())),
            });
        }
        for (bi, b) in self.branches.iter().enumerate() {
            for h in 0..b.halls {
                let road = ROADS[(bi * 7 + h as usize * 3) % ROADS.len()];
                org_units.push(OrgUnit {
                    code: code(format!("{}-H{:02}", b.code, h + 1)),
                    name: format!("{}{}路营业厅", b.place, road),
                    kind: OrgKind::BusinessHall,
                    parent: Some(code(b.code.clone())),
                });
            }
        }

        let staff = self.staff(seed);

        let substations = self
            .subs
            .iter()
            .enumerate()
            .map(|(i, s)| Substation {
                code: code(format!("SUB-{:04}", i + 1)),
                name: format!("{}kV{}变电站", s.kv, s.word),
                voltage_kv: voltage(&s.kv.to_string()),
                org_unit: code(self.branches[s.branch as usize].code.clone()),
            })
            .collect();
        let mut feeders = Vec::with_capacity(self.feeder_sub.len());
        for (i, s) in self.subs.iter().enumerate() {
            for (k, f) in s.feeders.clone().enumerate() {
                feeders.push(Feeder {
                    code: Self::feeder_code(f),
                    name: format!(
                        "10kV{}{}线",
                        s.word,
                        FEEDER_WORDS[(i + k) % FEEDER_WORDS.len()]
                    ),
                    substation: code(format!("SUB-{:04}", i + 1)),
                    voltage_kv: voltage("10"),
                });
            }
        }
        let areas = self
            .areas
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let per_customer = match a.kind {
                    AreaType::Urban => 3.0,
                    AreaType::Rural => 2.0,
                    AreaType::Remote => 1.5,
                };
                let need = f64::from(a.slots) * per_customer;
                let kva = TRANSFORMER_KVA
                    .iter()
                    .copied()
                    .find(|k| f64::from(*k) >= need)
                    .unwrap_or(1250);
                TransformerArea {
                    code: Self::area_code(i),
                    name: self.area_name(a),
                    feeder: Self::feeder_code(a.feeder),
                    transformer_kva: CapacityKva::new(Decimal::from(kva))
                        .expect("standard transformer sizes are valid capacities"),
                    area_type: a.kind,
                    org_unit: code(self.stations[a.station as usize].code.clone()),
                }
            })
            .collect();
        Company {
            org_units,
            staff,
            substations,
            feeders,
            areas,
        }
    }

    fn staff(&self, seed: u64) -> Vec<Staff> {
        let mut r = rng(seed, Stream::Staff, 0);
        let mut out = Vec::new();
        let mut add = |r: &mut rand_pcg::Pcg64Mcg, role: Role, prefix: &str, n: u32, unit: &str| {
            out.push(Staff {
                login: code(format!("{prefix}{n:02}")),
                name: names::person_name(r),
                role,
                org_unit: code(unit.to_owned()),
            });
        };
        add(&mut r, Role::Admin, "admin", 1, COMPANY_CODE);
        for n in 1..=self.analysts {
            add(&mut r, Role::Analyst, "analyst", n, COMPANY_CODE);
        }
        for n in 1..=self.supervisors {
            add(
                &mut r,
                Role::Supervisor,
                "supervisor",
                n,
                SERVICE_CENTRE_CODE,
            );
        }
        for n in 1..=self.agents {
            add(&mut r, Role::Agent, "agent", n, SERVICE_CENTRE_CODE);
        }
        for n in 1..=self.dispatchers {
            add(
                &mut r,
                Role::Dispatcher,
                "dispatcher",
                n,
                SERVICE_CENTRE_CODE,
            );
        }
        for (i, s) in self.stations.iter().enumerate() {
            add(&mut r, Role::Crew, "crew", i as u32 + 1, &s.code);
        }
        for (i, b) in self.branches.iter().enumerate() {
            add(&mut r, Role::Inspector, "inspector", i as u32 + 1, &b.code);
            for m in b.managers.clone() {
                add(&mut r, Role::CustomerManager, "manager", m, &b.code);
            }
        }
        out
    }
}

/// A code built from generator constants (always valid).
pub(crate) fn code(s: String) -> Code {
    Code::parse(&s).expect("generated codes are ASCII letters, digits and '-'")
}

pub(crate) fn voltage(s: &str) -> VoltageKv {
    VoltageKv::parse(s).expect("generator uses standard voltage levels")
}
