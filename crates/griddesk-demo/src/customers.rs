//! One customer as a pure function of (seed, index): classification mix, names, addresses,
//! contacts, meters and where it hangs on the grid.

use crate::names::{self, AREA_CODE, CITY, MOBILE_PREFIXES};
use crate::rng::{RngExt, Stream, hash, rng};
use crate::topology::{Area, Topology, code, voltage};
use griddesk_domain::customer::{
    Connection, Contact, ContactChannel, Customer, ImportantGrade, Industry, Institution,
    LoadImportance, SupplyRelation, SupplySource, TariffCategory, UsageNature,
};
use griddesk_domain::topology::{AreaType, MeteringPoint};
use griddesk_domain::values::{CapacityKva, CustomerNo, Email, IdNumber, PhoneNumber};
use jiff::civil::Date;
use rand::Rng;
use rand_pcg::Pcg64Mcg;
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// Customer numbers are `BASE + index`, ten digits, so number order is index order.
pub(crate) const BASE: u64 = 3_000_000_000;
/// Largest index a ten-digit number can hold.
pub(crate) const MAX_INDEX: u64 = 9_999_999_999 - BASE;

pub(crate) fn customer_no(index: u64) -> CustomerNo {
    let mut s = String::with_capacity(10);
    // Ten digits by construction for index <= MAX_INDEX; callers clamp.
    let _ = write!(s, "{:010}", BASE + index.min(MAX_INDEX));
    CustomerNo::parse(&s).expect("ten digits by construction")
}

/// Everything the classification step decides, before names and contacts.
struct Class {
    tariff: TariffCategory,
    relation: SupplyRelation,
    kv: &'static str,
    capacity: u32,
    industry: Industry,
    institution: Institution,
    important: ImportantGrade,
    usage: UsageNature,
    load: LoadImportance,
    dual: bool,
    self_source: bool,
    dedicated: bool,
}

impl Class {
    fn lv(tariff: TariffCategory, industry: Industry, kv: &'static str, capacity: u32) -> Self {
        Self {
            tariff,
            relation: SupplyRelation::Direct,
            kv,
            capacity,
            industry,
            institution: Institution::None,
            important: ImportantGrade::None,
            usage: UsageNature::Normal,
            load: LoadImportance::Class3,
            dual: false,
            self_source: false,
            dedicated: false,
        }
    }
}

const HV_SHARE: f64 = 0.005;
const IMPORTANT_SHARE_OF_HV: f64 = 0.15;

fn pick_u32(r: &mut Pcg64Mcg, items: &[u32]) -> u32 {
    r.pick(items)
}

fn hv_capacity(r: &mut Pcg64Mcg, kv: &str, tariff: TariffCategory) -> u32 {
    match (kv, tariff) {
        ("110", TariffCategory::Wholesale) => r.random_range(40..=150) * 1000,
        ("110", _) => r.random_range(20..=100) * 1000,
        ("35", TariffCategory::Wholesale) => r.random_range(10..=50) * 1000,
        ("35", _) => pick_u32(
            r,
            &[5000, 6300, 8000, 10_000, 12_500, 16_000, 20_000, 31_500],
        ),
        (_, TariffCategory::LargeIndustrial) => pick_u32(
            r,
            &[
                315, 400, 500, 630, 800, 1000, 1250, 1600, 2000, 2500, 3150, 4000, 5000, 6300, 8000,
            ],
        ),
        _ => pick_u32(
            r,
            &[200, 250, 315, 400, 500, 630, 800, 1000, 1250, 1600, 2000],
        ),
    }
}

fn classify_hv(r: &mut Pcg64Mcg) -> Class {
    use Industry as I;
    use Institution as N;
    use TariffCategory as T;
    let mut c = Class::lv(T::LargeIndustrial, I::Manufacturing, "10", 0);
    if r.chance(IMPORTANT_SHARE_OF_HV) {
        c.important = [
            ImportantGrade::Special,
            ImportantGrade::Grade1,
            ImportantGrade::Grade2,
            ImportantGrade::Temporary,
        ][r.weighted(&[0.03, 0.27, 0.60, 0.10])];
        let (t, i, n) = [
            (T::NonResidentialLighting, I::Health, N::Hospital),
            (
                T::NonResidentialLighting,
                I::PublicAdministration,
                N::Government,
            ),
            (T::NonIndustrial, I::Transport, N::Transport),
            (T::NonResidentialLighting, I::Culture, N::Media),
            (
                T::NonResidentialLighting,
                I::PublicAdministration,
                N::Military,
            ),
            (T::GeneralIndustrial, I::Construction, N::StateKeyProject),
            (T::LargeIndustrial, I::Chemical, N::None),
            (T::LargeIndustrial, I::Metallurgy, N::None),
            (T::NonIndustrial, I::Utilities, N::None),
        ][r.weighted(&[0.22, 0.15, 0.10, 0.05, 0.05, 0.05, 0.20, 0.10, 0.08])];
        (c.tariff, c.industry, c.institution) = (t, i, n);
        let permanent = c.important != ImportantGrade::Temporary;
        c.usage = if permanent {
            UsageNature::Important
        } else {
            UsageNature::Temporary
        };
        c.load = match c.important {
            ImportantGrade::Special | ImportantGrade::Grade1 => LoadImportance::Class1,
            _ => LoadImportance::Class2,
        };
        // D5: grade 1 and 2 need a self-provided emergency source, grade 2 dual-circuit supply.
        c.dual = permanent || r.chance(0.5);
        c.self_source = permanent;
    } else {
        let k = r.weighted(&[0.55, 0.10, 0.10, 0.06, 0.06, 0.03, 0.03, 0.04, 0.03]);
        (c.tariff, c.industry) = match k {
            0 => (
                T::LargeIndustrial,
                [I::Manufacturing, I::Chemical, I::Metallurgy, I::Mining]
                    [r.weighted(&[0.5, 0.2, 0.2, 0.1])],
            ),
            1 => (
                T::GeneralIndustrial,
                r.pick(&[I::Manufacturing, I::Construction, I::Manufacturing]),
            ),
            2 => (
                T::Commercial,
                r.pick(&[
                    I::Retail,
                    I::Hospitality,
                    I::PropertyManagement,
                    I::Information,
                ]),
            ),
            3 => (T::NonResidentialLighting, I::Education),
            4 => (
                T::NonIndustrial,
                r.pick(&[I::Utilities, I::Transport, I::Information]),
            ),
            5 => (T::Agricultural, I::Agriculture),
            6 => (T::Wholesale, I::Utilities),
            7 => (T::Commercial, I::PropertyManagement),
            _ => (T::Residential, I::PropertyManagement),
        };
        match k {
            3 => {
                let (i, n) = [
                    (I::PublicAdministration, N::Government),
                    (I::Education, N::School),
                    (I::Health, N::Hospital),
                    (I::Culture, N::Media),
                ][r.weighted(&[0.3, 0.4, 0.2, 0.1])];
                (c.industry, c.institution) = (i, n);
            }
            2 if c.industry == I::Hospitality && r.chance(0.4) => c.institution = N::Hotel,
            6 => c.relation = SupplyRelation::Wholesale,
            7 => c.relation = SupplyRelation::Transfer,
            _ => {}
        }
        if c.tariff == T::LargeIndustrial && matches!(c.industry, I::Chemical | I::Metallurgy) {
            c.load = LoadImportance::Class2;
        }
        c.dual = r.chance(0.02);
        c.self_source = r.chance(0.05);
    }
    c.kv = if c.tariff == T::Wholesale {
        if r.chance(0.6) { "35" } else { "110" }
    } else {
        ["10", "35", "110"][r.weighted(&[0.88, 0.09, 0.03])]
    };
    c.capacity = hv_capacity(r, c.kv, c.tariff);
    c.dedicated = c.kv != "10"
        || c.capacity >= 5000
        || (c.important != ImportantGrade::None && r.chance(0.5));
    c
}

fn classify_lv(r: &mut Pcg64Mcg, kind: AreaType) -> Class {
    use Industry as I;
    use Institution as N;
    use TariffCategory as T;
    // Shares among low-voltage customers: towns have more shops, villages more irrigation.
    let w = if kind == AreaType::Urban {
        [0.0, 0.026, 0.055, 0.020, 0.002, 0.005]
    } else {
        [0.0, 0.020, 0.027, 0.018, 0.038, 0.0035]
    };
    let others: f64 = w.iter().sum();
    let mut weights = w;
    weights[0] = 1.0 - others;
    match r.weighted(&weights) {
        0 => {
            let kv = if r.chance(0.85) { "0.22" } else { "0.38" };
            let cap = pick_u32(r, &[4, 6, 8, 8, 10, 10, 12, 16]);
            Class::lv(T::Residential, I::Household, kv, cap)
        }
        1 => {
            let kv = if r.chance(0.3) { "0.22" } else { "0.38" };
            let mut c = Class::lv(
                T::NonResidentialLighting,
                I::Information,
                kv,
                r.random_range(1..=20) * 5,
            );
            let (i, n) = [
                (I::PublicAdministration, N::Government),
                (I::Education, N::School),
                (I::Health, N::Hospital),
                (I::Finance, N::Bank),
                (I::Culture, N::Media),
                (I::Information, N::None),
                (I::PropertyManagement, N::None),
            ][r.weighted(&[0.10, 0.15, 0.05, 0.08, 0.02, 0.35, 0.25])];
            (c.industry, c.institution) = (i, n);
            if n == N::Hospital {
                c.load = LoadImportance::Class2;
            }
            c
        }
        2 => {
            let industry = [
                I::Retail,
                I::Hospitality,
                I::PropertyManagement,
                I::Finance,
                I::Information,
            ][r.weighted(&[0.45, 0.30, 0.10, 0.05, 0.10])];
            let mut c = Class::lv(T::Commercial, industry, "0.38", r.random_range(2..=40) * 5);
            if industry == I::Hospitality && r.chance(0.15) {
                c.institution = N::Hotel;
            }
            if industry == I::Finance {
                c.institution = N::Bank;
            }
            if industry == I::PropertyManagement && r.chance(0.2) {
                c.relation = SupplyRelation::Transfer;
            }
            if r.chance(0.03) {
                c.usage = UsageNature::Seasonal;
            }
            c
        }
        3 => {
            let industry = [
                I::Manufacturing,
                I::Construction,
                I::Chemical,
                I::Mining,
                I::Metallurgy,
            ][r.weighted(&[0.75, 0.10, 0.05, 0.05, 0.05])];
            let mut c = Class::lv(
                T::GeneralIndustrial,
                industry,
                "0.38",
                r.random_range(6..=50) * 5,
            );
            if industry == I::Construction || r.chance(0.01) {
                c.industry = I::Construction;
                c.usage = UsageNature::Temporary;
            }
            c
        }
        4 => {
            let mut c = Class::lv(
                T::Agricultural,
                I::Agriculture,
                "0.38",
                r.random_range(1..=20) * 5,
            );
            if r.chance(0.6) {
                c.usage = UsageNature::Seasonal;
            }
            c
        }
        _ => {
            let mut c = Class::lv(
                T::NonIndustrial,
                I::Utilities,
                "0.38",
                r.random_range(2..=30) * 5,
            );
            if r.chance(0.3) {
                c.industry = I::Transport;
                if r.chance(0.3) {
                    c.institution = N::Transport;
                }
            }
            c
        }
    }
}

fn mobile(r: &mut Pcg64Mcg) -> PhoneNumber {
    let mut s = String::with_capacity(11);
    s.push_str(r.pick(&MOBILE_PREFIXES));
    r.digits(&mut s, 8);
    PhoneNumber::parse(&s).expect("1[3-9] prefix and 8 digits make a mobile number")
}

fn landline(r: &mut Pcg64Mcg) -> PhoneNumber {
    let mut s = String::with_capacity(12);
    s.push_str(AREA_CODE);
    s.push(char::from(b'2' + r.random_range(0..8u8)));
    r.digits(&mut s, 7);
    PhoneNumber::parse(&s).expect("area code and 8 digits make a landline")
}

fn make_id_number(r: &mut Pcg64Mcg, district: u32) -> IdNumber {
    let mut s = String::with_capacity(18);
    let _ = write!(
        s,
        "4307{:02}{:04}{:02}{:02}",
        district % 30 + 2,
        r.random_range(1940..=2004),
        r.random_range(1..=12),
        r.random_range(1..=28)
    );
    r.digits(&mut s, 3);
    let check = IdNumber::check_digit(s.as_bytes());
    s.push(char::from(check));
    IdNumber::parse(&s).expect("check digit computed by IdNumber::check_digit")
}

const SYLLABLES: [&str; 24] = [
    "hua", "xin", "tian", "long", "feng", "da", "sheng", "kai", "yuan", "tai", "heng", "jia",
    "rui", "ming", "cheng", "hong", "jin", "an", "kang", "bo", "xing", "tong", "fu", "de",
];

fn company_email(r: &mut Pcg64Mcg, local: &str) -> Email {
    let domain = format!(
        "{}{}{}",
        r.pick(&SYLLABLES),
        r.pick(&SYLLABLES),
        r.pick(&[".com", ".com.cn", ".cn"])
    );
    Email::parse(&format!("{local}@{domain}")).expect("ASCII local part and domain")
}

fn personal_email(r: &mut Pcg64Mcg) -> Email {
    let mut s = String::with_capacity(20);
    s.push(char::from(b'1' + r.random_range(0..9u8)));
    let n = r.random_range(6..=9);
    r.digits(&mut s, n);
    s.push_str(r.pick(&["@qq.com", "@163.com", "@126.com"]));
    Email::parse(&s).expect("digits at a mail domain")
}

/// Name of a non-residential customer from its classification.
fn organisation_name(
    r: &mut Pcg64Mcg,
    c: &Class,
    branch_place: &str,
    urban_branch: bool,
    town: &str,
) -> String {
    use Institution as N;
    let area_name = if urban_branch {
        format!("{branch_place}区")
    } else {
        format!("{branch_place}县")
    };
    match c.institution {
        N::Hospital => match r.random_range(0..4) {
            0 => format!("{CITY}市第{}人民医院", r.random_range(1..=9)),
            1 => format!("{area_name}人民医院"),
            2 if !urban_branch => format!("{branch_place}县{town}镇卫生院"),
            2 => format!("{area_name}妇幼保健院"),
            _ => format!("{CITY}{}中医医院", names::place(r)),
        },
        N::Government => match r.random_range(0..4) {
            0 => format!("{area_name}人民政府"),
            1 if urban_branch => format!("{branch_place}区{town}街道办事处"),
            1 => format!("{branch_place}县{town}镇人民政府"),
            2 => format!(
                "{area_name}{}",
                r.pick(&["税务局", "公安局", "人力资源和社会保障局", "自然资源局"])
            ),
            _ => format!(
                "{CITY}市{}",
                r.pick(&[
                    "市场监督管理局",
                    "生态环境局",
                    "住房和城乡建设局",
                    "交通运输局"
                ])
            ),
        },
        N::School => match r.random_range(0..4) {
            0 => format!("{CITY}市第{}中学", r.random_range(1..=30)),
            1 => format!("{}{}", town, r.pick(&["小学", "中学", "中心幼儿园"])),
            2 => format!("{area_name}第{}中学", r.random_range(1..=6)),
            _ => format!(
                "{CITY}{}",
                r.pick(&["职业技术学院", "师范学院", "理工大学", "医学高等专科学校"])
            ),
        },
        N::Bank => format!("{}{CITY}{}支行", names::bank(r), town),
        N::Media => match r.random_range(0..3) {
            0 => format!("{CITY}广播电视台"),
            1 => format!("{area_name}融媒体中心"),
            _ => format!("{CITY}日报社"),
        },
        N::Military => format!("中国人民解放军{}部队", r.random_range(31_000..=96_999)),
        N::Transport => match r.random_range(0..4) {
            0 => format!("{CITY}火车站"),
            1 => format!("{CITY}长途汽车客运站"),
            2 => format!("{CITY}{}机场", names::place(r)),
            _ => format!("{CITY}地铁{}号线{}主变电所", r.random_range(1..=5), town),
        },
        N::Hotel => format!(
            "{}{}",
            names::place(r),
            r.pick(&["国际大酒店", "宾馆", "大酒店", "温泉度假酒店"])
        ),
        N::StateKeyProject => format!(
            "{}{}",
            names::place(r),
            r.pick(&[
                "高速公路建设指挥部",
                "水利枢纽工程项目部",
                "铁路建设项目部",
                "新区综合管廊工程"
            ])
        ),
        N::None => {
            if c.usage == UsageNature::Temporary {
                return format!(
                    "{}{}项目部（临时用电）",
                    names::place(r),
                    r.pick(&["商住楼建设", "道路改造", "厂房扩建", "安置小区建设"])
                );
            }
            if c.relation == SupplyRelation::Wholesale {
                return format!("{area_name}地方电力有限公司");
            }
            if c.tariff == TariffCategory::Residential {
                // A residential compound fed at 10 kV through its own substation.
                return format!(
                    "{}{}业主委员会",
                    town,
                    names::community_parts(r.random(), r.random()).0
                );
            }
            if c.tariff == TariffCategory::Agricultural && r.chance(0.5) {
                return format!(
                    "{}{}",
                    town,
                    r.pick(&["排灌站", "村民委员会（灌溉）", "农机服务站"])
                );
            }
            let trade = r.pick(names::trade_words(c.industry));
            let place = names::place(r);
            match r.random_range(0..10) {
                0 => format!("{CITY}市{place}{trade}厂"),
                1 => format!("{place}{trade}股份有限公司"),
                _ => format!("{place}{trade}有限公司"),
            }
        }
    }
}

impl crate::Generator {
    /// Customer `index` (0-based); a pure function of (seed, index).
    pub(crate) fn make_customer(&self, index: u64) -> Customer {
        let t = &self.topo;
        let seed = self.cfg.seed;
        let mut r = rng(seed, Stream::Customer, index);
        let area_idx = t
            .area_of(index)
            .or_else(|| t.areas.len().checked_sub(1))
            .expect("the topology has at least one area when customers exist");
        let area: &Area = &t.areas[area_idx];
        let branch = &t.branches[area.branch as usize];
        let hv = r.chance(HV_SHARE);
        let class = if hv {
            classify_hv(&mut r)
        } else {
            classify_lv(&mut r, area.kind)
        };
        let no = customer_no(index);
        let town = t.area_town(area);
        let road = t.area_road(area);

        // Name.
        let residential_person = class.tariff == TariffCategory::Residential && !hv;
        let name = if residential_person {
            names::person_name(&mut r)
        } else {
            organisation_name(
                &mut r,
                &class,
                branch.place,
                branch.urban,
                if branch.urban { road } else { town },
            )
        };

        // Address.
        let mut address = String::with_capacity(64);
        address.push_str(CITY);
        address.push('市');
        address.push_str(branch.place);
        address.push(if branch.urban { '区' } else { '县' });
        match area.kind {
            AreaType::Urban => {
                if !branch.urban {
                    address.push_str(town);
                    address.push('镇');
                }
                let _ = write!(address, "{road}路{}号", r.random_range(1..=399));
                if residential_person {
                    let (w, s) = t.area_community(area);
                    let _ = write!(
                        address,
                        "{w}{s}{}栋{}单元{}{:02}室",
                        r.random_range(1..=30),
                        r.random_range(1..=4),
                        r.random_range(1..=33),
                        r.random_range(1..=4)
                    );
                } else if r.chance(0.4) {
                    let _ = write!(
                        address,
                        "{}大厦{}楼",
                        names::place(&mut r),
                        r.random_range(1..=28)
                    );
                }
            }
            AreaType::Rural | AreaType::Remote => {
                address.push_str(town);
                address.push(if area.kind == AreaType::Remote {
                    '乡'
                } else {
                    '镇'
                });
                if hv && !residential_person {
                    let _ = write!(
                        address,
                        "{}工业园{}号",
                        names::place(&mut r),
                        r.random_range(1..=99)
                    );
                } else {
                    let _ = write!(
                        address,
                        "{}村{}组{}号",
                        t.area_village(area),
                        r.random_range(1..=12),
                        r.random_range(1..=80)
                    );
                }
            }
        }

        // Contacts.
        let mut contacts = Vec::with_capacity(2);
        let id_number = if residential_person {
            let mut phones = vec![mobile(&mut r)];
            if r.chance(0.1) {
                phones.push(mobile(&mut r));
            }
            if r.chance(0.05) {
                phones.push(landline(&mut r));
            }
            let preferred = [
                ContactChannel::Phone,
                ContactChannel::Sms,
                ContactChannel::Wechat,
            ][r.weighted(&[0.4, 0.2, 0.4])];
            contacts.push(Contact {
                name: name.clone(),
                role: "户主".to_owned(),
                phones,
                email: r.chance(0.1).then(|| personal_email(&mut r)),
                preferred_channel: preferred,
            });
            if r.chance(0.15) {
                contacts.push(Contact {
                    name: names::person_name(&mut r),
                    role: "家属".to_owned(),
                    phones: vec![mobile(&mut r)],
                    email: None,
                    preferred_channel: ContactChannel::Phone,
                });
            }
            r.chance(0.3).then(|| make_id_number(&mut r, area.branch))
        } else {
            let mut phones = vec![mobile(&mut r)];
            if r.chance(0.5) {
                phones.push(landline(&mut r));
            }
            contacts.push(Contact {
                name: names::person_name(&mut r),
                role: "电气负责人".to_owned(),
                phones,
                email: r.chance(0.5).then(|| company_email(&mut r, "dianqi")),
                preferred_channel: ContactChannel::Phone,
            });
            if hv || r.chance(0.4) {
                contacts.push(Contact {
                    name: names::person_name(&mut r),
                    role: "财务联系人".to_owned(),
                    phones: vec![mobile(&mut r)],
                    email: Some(company_email(&mut r, "caiwu")),
                    preferred_channel: ContactChannel::Email,
                });
            }
            if class.important != ImportantGrade::None {
                contacts.push(Contact {
                    name: "值班室".to_owned(),
                    role: "24小时值班".to_owned(),
                    phones: vec![landline(&mut r)],
                    email: None,
                    preferred_channel: ContactChannel::Phone,
                });
            }
            None
        };

        // Meters: HV metering points carry the PT ratio times the CT ratio.
        let kva = class.capacity;
        let mut meters = Vec::with_capacity(2);
        let mult = if hv {
            let kv: f64 = match class.kv {
                "35" => 35.0,
                "110" => 110.0,
                _ => 10.0,
            };
            let pt = (kv * 10.0) as u32;
            ct_ratio(f64::from(kva) / (3f64.sqrt() * kv)) * pt
        } else if kva > 100 {
            ct_ratio(f64::from(kva) / (3f64.sqrt() * 0.38))
        } else {
            1
        };
        let n_meters = if class.dual || (!hv && !residential_person && r.chance(0.1)) {
            2
        } else {
            1
        };
        for k in 1..=n_meters {
            meters.push(MeteringPoint {
                code: code(format!("MP{no}{k}")),
                meter_no: code(format!("E{no}{k:02}")),
                multiplier: if k == 1 || hv { mult } else { 1 },
            });
        }

        // Connection.
        let connection = if hv {
            let backup = if class.dual {
                t.backup_feeder(area.feeder, hash(seed, Stream::Customer, index))
                    .map(Topology::feeder_code)
            } else {
                None
            };
            Connection::Feeder {
                feeder: Topology::feeder_code(area.feeder),
                backup,
            }
        } else {
            Connection::Area {
                area: Topology::area_code(area_idx),
            }
        };
        let dual = matches!(
            connection,
            Connection::Feeder {
                backup: Some(_),
                ..
            }
        );

        let key_account =
            hv || class.important != ImportantGrade::None || class.institution != Institution::None;
        let customer_manager = key_account.then(|| {
            let m = &branch.managers;
            let n = u64::from(m.end - m.start).max(1);
            Topology::manager_login(m.start + (hash(seed, Stream::Staff, index) % n) as u32)
        });
        let org_unit = if hv {
            code(branch.code.clone())
        } else {
            code(t.stations[area.station as usize].code.clone())
        };

        Customer {
            customer_no: no,
            name,
            address,
            id_number,
            org_unit,
            connection,
            supply_relation: class.relation,
            tariff: class.tariff,
            voltage_kv: voltage(class.kv),
            capacity_kva: CapacityKva::new(Decimal::from(kva))
                .expect("generated capacities are positive"),
            supply: SupplySource {
                self_provided_source: class.self_source,
                dedicated_line: class.dedicated || dual,
            },
            usage_nature: class.usage,
            load_importance: class.load,
            important_grade: class.important,
            area_type: area.kind,
            industry: class.industry,
            institution: class.institution,
            customer_manager,
            opened_on: self.opened_on(&mut r, class.usage, index),
            contacts,
            meters,
        }
    }

    fn opened_on(&self, r: &mut Pcg64Mcg, usage: UsageNature, index: u64) -> Date {
        let first = griddesk_lake::schema::date_to_days(self.cfg.first_month().first_day());
        let last = griddesk_lake::schema::date_to_days(self.cfg.last_month.first_day());
        // A theft case needs a history long enough to show the drop.
        let long_history = self.is_thief(index);
        let day = if usage == UsageNature::Temporary && !long_history {
            // Temporary supply is recent: within the last year.
            r.random_range((last - 365).max(first)..=last)
        } else if r.chance(0.02) && !long_history {
            r.random_range(first..=last)
        } else {
            let oldest = griddesk_lake::schema::days_from_civil(1988, 1, 1);
            // Skewed towards recent years: the customer base grows.
            let u: f64 = r.random::<f64>().sqrt();
            oldest + ((f64::from(first - 1 - oldest)) * u) as i32
        };
        griddesk_lake::schema::days_to_date(day)
            .expect("dates between 1988 and the configured months")
    }
}

/// CT ratio (primary / 5 A) of the smallest standard CT above 1.2 times the rated current.
fn ct_ratio(amps: f64) -> u32 {
    const PRIMARY: [u32; 18] = [
        10, 15, 20, 30, 40, 50, 75, 100, 150, 200, 300, 400, 600, 800, 1000, 1500, 2000, 3000,
    ];
    let need = amps * 1.2;
    PRIMARY
        .iter()
        .copied()
        .find(|p| f64::from(*p) >= need)
        .unwrap_or(3000)
        / 5
}
