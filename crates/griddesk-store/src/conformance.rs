//! The conformance suite: behaviour every [`Store`] implementation must show, written once and
//! run against each backend. [`fixtures`] builds a small but realistic supply company; each
//! `pub async fn` below loads it into a fresh, empty store and checks one behaviour, panicking
//! with a message on failure. Expected answers are computed from the fixtures by plain Rust
//! (substring search, filter predicates), so the suite checks results exactly, not just counts.
//!
//! A backend's test crate runs the whole suite with one line:
//!
//! ```text
//! griddesk_store::conformance_tests!(crate::support::fresh_sqlite());
//! ```
//!
//! The expression is awaited once per test and must give a [`SuiteStore`]: an `Arc<dyn Store>`,
//! a `Box<dyn Store>`, a `(guard, store)` pair whose guard (e.g. a temporary directory) lives as
//! long as the test, or an `Option` of these where `None` means the backend was deliberately
//! skipped (the test prints a note and returns).

pub use crate::conformance_access::*;
pub use crate::conformance_knowledge::*;
pub use crate::conformance_notice::*;
pub use crate::conformance_orderly::*;
pub use crate::conformance_outage::*;
pub use crate::conformance_outage_plan::*;
pub use crate::conformance_segment::*;
pub use crate::conformance_service::*;
pub use crate::conformance_workorder::*;
use crate::{CustomerFilter, RefKind, Store, StoreError};
use griddesk_domain::customer::{
    Connection, ContactChannel, Customer, ImportantGrade, Industry, Institution, LoadImportance,
    SupplyRelation, TariffCategory, UsageNature,
};
use griddesk_domain::search::SearchQuery;
use griddesk_domain::topology::AreaType;
use griddesk_domain::values::{Code, PhoneNumber};
use std::sync::Arc;

/// What a conformance test's store factory returns; see the module docs.
pub trait SuiteStore {
    /// The store to test, or `None` when the backend is skipped on purpose.
    fn suite_store(&self) -> Option<&dyn Store>;
}

impl SuiteStore for Arc<dyn Store> {
    fn suite_store(&self) -> Option<&dyn Store> {
        Some(&**self)
    }
}

impl SuiteStore for Box<dyn Store> {
    fn suite_store(&self) -> Option<&dyn Store> {
        Some(&**self)
    }
}

impl<T: SuiteStore> SuiteStore for Option<T> {
    fn suite_store(&self) -> Option<&dyn Store> {
        self.as_ref().and_then(T::suite_store)
    }
}

/// A store with something that must outlive it (a temporary directory, a database guard).
impl<G, S: Store> SuiteStore for (G, S) {
    fn suite_store(&self) -> Option<&dyn Store> {
        Some(&self.1)
    }
}

/// Expands to one `#[tokio::test]` per suite function. `$make` is an expression evaluated (and
/// awaited) once per test, giving a fresh [`SuiteStore`]. The calling crate needs `tokio`.
#[macro_export]
macro_rules! conformance_tests {
    ($make:expr) => {
        $crate::__conformance_cases!(
            $make;
            upsert_is_idempotent,
            lists_org_units_and_staff,
            search_by_customer_number,
            search_by_phone,
            search_by_name_fragment,
            search_by_address_fragment,
            search_and_of_two_phrases,
            search_results_resolve_names,
            filter_by_tariff,
            filter_by_important_grade,
            filter_by_area_type,
            filter_by_high_voltage,
            filter_by_dual_supply,
            filter_by_org_unit,
            filter_by_area,
            filter_by_feeder,
            filter_by_customer_manager,
            filter_by_other_classifications,
            filter_combined_with_text_query,
            limit_is_respected,
            detail_of_area_customer,
            detail_of_dual_supply_customer,
            unknown_customer_is_none,
            update_replaces_contacts_and_reindexes,
            duplicate_in_one_batch_last_wins,
            missing_customer_reference_rejects_whole_batch,
            missing_topology_reference_rejects_whole_batch,
            area_customers_lists_the_area,
            missing_references_reports_unknown_codes,
            stats_count_the_archive,
            theft_cases_in_detail,
            bulk_batch_crosses_statement_limits,
            ping_and_backend_name,
            credentials_and_lockout_state,
            sessions_expire_and_delete,
            api_tokens_create_list_revoke,
            one_time_codes,
            audit_trail_is_append_only_and_searchable,
            search_within_units,
            work_orders_store_deadlines_and_are_idempotent,
            accepting_an_order_logs_its_contact_and_audit_in_one_write,
            an_accepted_order_is_what_reading_it_back_gives,
            work_order_updates_are_versioned_and_recorded,
            work_order_queue_and_overdue_sweep,
            contact_records_form_the_customer_timeline,
            appointments_respect_capacity_and_move_deadlines,
            complaint_records_five_steps_finding_and_ledger,
            attachments_keep_their_bytes,
            agents_are_claimed_once_longest_idle_first,
            callbacks_are_scheduled_once_per_phone,
            leases_have_one_holder_until_they_expire,
            knowledge_search_cuts_chinese_into_words,
            knowledge_articles_are_versioned_with_unique_titles,
            outage_impact_agrees_with_the_topology_rule,
            outage_steps_are_versioned_and_customers_see_open_outages,
            repair_calls_near_an_order_are_its_feeders_calls,
            a_raised_fault_is_written_with_its_follow_up_or_not_at_all,
            open_faults_on_a_feeder_are_found_by_their_devices,
            outage_plans_are_keyed_by_job_and_only_drafts_change,
            plan_rows_are_issued_into_one_outage_all_or_none,
            scope_reach_agrees_with_the_topology_rule,
            customer_maintenance_is_found_by_start_with_the_customers_area,
            the_topology_tree_counts_customers_of_open_outages_per_node,
            notices_are_queued_once_claimed_under_lease_and_finished_by_their_holder,
            outage_tasks_reach_key_customers_once_and_record_who_how_and_ack,
            segmentation_replaces_a_period_atomically_and_reads_back_exactly,
            orderly_sequence_is_replaced_whole_and_reads_back_in_order,
        );
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_cases {
    ($make:expr; $($name:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                let made = $make.await;
                let Some(store) = $crate::conformance::SuiteStore::suite_store(&made) else {
                    eprintln!(
                        "note: backend skipped on purpose; conformance test {} did not run",
                        stringify!($name)
                    );
                    return;
                };
                $crate::conformance::$name(store).await;
            }
        )+
    };
}

/// A realistic small company (江州供电公司) with Chinese names: org tree, staff of every role,
/// two substations, four 10 kV feeders, six urban/rural/remote transformer areas, thirty
/// customers covering every variant of every classification dimension, and two theft cases.
pub mod fixtures {
    use crate::Store;
    use griddesk_domain::customer::{
        Connection, Contact, ContactChannel, Customer, ImportantGrade, Industry, Institution,
        LoadImportance, SupplyRelation, SupplySource, TariffCategory, UsageNature,
    };
    use griddesk_domain::org::{OrgKind, OrgUnit, Role, Staff};
    use griddesk_domain::revenue::TheftCase;
    use griddesk_domain::topology::{AreaType, Feeder, MeteringPoint, Substation, TransformerArea};
    use griddesk_domain::values::{
        CapacityKva, Code, CustomerNo, Email, IdNumber, Money, PhoneNumber, VoltageKv,
        parse_decimal,
    };

    pub fn code(s: &str) -> Code {
        Code::parse(s).expect("fixture codes are valid")
    }

    pub fn no(s: &str) -> CustomerNo {
        CustomerNo::parse(s).expect("fixture customer numbers are valid")
    }

    pub fn phone(s: &str) -> PhoneNumber {
        PhoneNumber::parse(s).expect("fixture phones are valid")
    }

    fn kv(s: &str) -> VoltageKv {
        VoltageKv::parse(s).expect("fixture voltages are standard levels")
    }

    fn kva(s: &str) -> CapacityKva {
        CapacityKva::parse(s).expect("fixture capacities are valid")
    }

    fn day(y: i16, m: i8, d: i8) -> jiff::civil::Date {
        jiff::civil::Date::new(y, m, d).expect("fixture dates are valid")
    }

    fn unit(c: &str, name: &str, kind: OrgKind, parent: Option<&str>) -> OrgUnit {
        OrgUnit {
            code: code(c),
            name: name.into(),
            kind,
            parent: parent.map(code),
        }
    }

    pub fn org_units() -> Vec<OrgUnit> {
        vec![
            unit("JZ", "江州供电公司", OrgKind::Company, None),
            unit("JZ-CQ", "城区供电分公司", OrgKind::Branch, Some("JZ")),
            unit("JZ-QS", "青山县供电公司", OrgKind::Branch, Some("JZ")),
            unit(
                "JZ-CQ-DC",
                "东城供电所",
                OrgKind::SupplyStation,
                Some("JZ-CQ"),
            ),
            unit(
                "JZ-CQ-XC",
                "西城供电所",
                OrgKind::SupplyStation,
                Some("JZ-CQ"),
            ),
            unit(
                "JZ-QS-QS",
                "青山镇供电所",
                OrgKind::SupplyStation,
                Some("JZ-QS"),
            ),
            unit(
                "JZ-CQ-YYT1",
                "人民路营业厅",
                OrgKind::BusinessHall,
                Some("JZ-CQ"),
            ),
            unit(
                "JZ-KFZX",
                "客户服务中心",
                OrgKind::ServiceCentre,
                Some("JZ"),
            ),
        ]
    }

    fn person(login: &str, name: &str, role: Role, org: &str) -> Staff {
        Staff {
            login: code(login),
            name: name.into(),
            role,
            org_unit: code(org),
        }
    }

    pub fn staff() -> Vec<Staff> {
        vec![
            person("zhangli", "张丽", Role::Agent, "JZ-KFZX"),
            person("hexiaoyan", "何晓燕", Role::Agent, "JZ-CQ-YYT1"),
            person("wangqiang", "王强", Role::Dispatcher, "JZ-KFZX"),
            person("zhaolei", "赵磊", Role::Crew, "JZ-CQ-DC"),
            person("chenjing", "陈静", Role::CustomerManager, "JZ-CQ"),
            person("liuyang", "刘洋", Role::CustomerManager, "JZ-QS"),
            person("huangmin", "黄敏", Role::Analyst, "JZ"),
            person("sunhao", "孙浩", Role::Inspector, "JZ-QS-QS"),
            person("zhoupeng", "周鹏", Role::Supervisor, "JZ-KFZX"),
            person("admin", "系统管理员", Role::Admin, "JZ"),
        ]
    }

    pub fn substations() -> Vec<Substation> {
        vec![
            Substation {
                code: code("SUB-JD"),
                name: "江东110kV变电站".into(),
                voltage_kv: kv("110"),
                org_unit: code("JZ-CQ"),
            },
            Substation {
                code: code("SUB-QS"),
                name: "青山35kV变电站".into(),
                voltage_kv: kv("35"),
                org_unit: code("JZ-QS"),
            },
        ]
    }

    fn feeder(c: &str, name: &str, sub: &str) -> Feeder {
        Feeder {
            code: code(c),
            name: name.into(),
            substation: code(sub),
            voltage_kv: kv("10"),
        }
    }

    pub fn feeders() -> Vec<Feeder> {
        vec![
            feeder("F-JD-101", "10kV东风线", "SUB-JD"),
            feeder("F-JD-102", "10kV建设线", "SUB-JD"),
            feeder("F-QS-201", "10kV青山线", "SUB-QS"),
            feeder("F-QS-202", "10kV白石线", "SUB-QS"),
        ]
    }

    fn area(
        c: &str,
        name: &str,
        f: &str,
        t_kva: &str,
        area_type: AreaType,
        org: &str,
    ) -> TransformerArea {
        TransformerArea {
            code: code(c),
            name: name.into(),
            feeder: code(f),
            transformer_kva: kva(t_kva),
            area_type,
            org_unit: code(org),
        }
    }

    pub fn areas() -> Vec<TransformerArea> {
        vec![
            area(
                "TA-DF-01",
                "幸福小区1号台区",
                "F-JD-101",
                "630",
                AreaType::Urban,
                "JZ-CQ-DC",
            ),
            area(
                "TA-JS-01",
                "人民路2号台区",
                "F-JD-102",
                "400",
                AreaType::Urban,
                "JZ-CQ-XC",
            ),
            area(
                "TA-QS-01",
                "柳树村台区",
                "F-QS-201",
                "200",
                AreaType::Rural,
                "JZ-QS-QS",
            ),
            area(
                "TA-BS-01",
                "河湾村台区",
                "F-QS-202",
                "100",
                AreaType::Rural,
                "JZ-QS-QS",
            ),
            area(
                "TA-QS-02",
                "云雾山台区",
                "F-QS-201",
                "50",
                AreaType::Remote,
                "JZ-QS-QS",
            ),
            area(
                "TA-BS-02",
                "石门坎台区",
                "F-QS-202",
                "50",
                AreaType::Remote,
                "JZ-QS-QS",
            ),
        ]
    }

    pub fn contact(name: &str, role: &str, phones: &[&str], channel: ContactChannel) -> Contact {
        Contact {
            name: name.into(),
            role: role.into(),
            phones: phones.iter().map(|p| phone(p)).collect(),
            email: None,
            preferred_channel: channel,
        }
    }

    fn with_email(mut c: Contact, email: &str) -> Contact {
        c.email = Some(Email::parse(email).expect("fixture e-mails are valid"));
        c
    }

    fn meter(n: &str, k: usize, multiplier: u32) -> MeteringPoint {
        MeteringPoint {
            code: code(&format!("MP{n}-{k}")),
            meter_no: code(&format!("33{n}{k}")),
            multiplier,
        }
    }

    /// A low-voltage residential customer behind `area_code` (org unit and area type are the
    /// area's); callers override what differs.
    fn on_area(n: &str, name: &str, address: &str, area_code: &str) -> Customer {
        let a = areas()
            .into_iter()
            .find(|a| a.code.as_str() == area_code)
            .expect("fixture customers use fixture areas");
        Customer {
            customer_no: no(n),
            name: name.into(),
            address: address.into(),
            id_number: None,
            org_unit: a.org_unit,
            connection: Connection::Area { area: a.code },
            supply_relation: SupplyRelation::Direct,
            tariff: TariffCategory::Residential,
            voltage_kv: kv("0.22"),
            capacity_kva: kva("8"),
            supply: SupplySource {
                self_provided_source: false,
                dedicated_line: false,
            },
            usage_nature: UsageNature::Normal,
            load_importance: LoadImportance::Class3,
            important_grade: ImportantGrade::None,
            area_type: a.area_type,
            industry: Industry::Household,
            institution: Institution::None,
            customer_manager: None,
            opened_on: day(2012, 5, 20),
            contacts: Vec::new(),
            meters: vec![meter(n, 1, 1)],
        }
    }

    /// A 10 kV customer supplied straight from `main` (and `backup`, if dual supply).
    fn on_feeder(
        n: &str,
        name: &str,
        address: &str,
        org: &str,
        main: &str,
        backup: Option<&str>,
        capacity: &str,
        area_type: AreaType,
    ) -> Customer {
        let mut meters = vec![meter(n, 1, 6000)];
        if backup.is_some() {
            meters.push(meter(n, 2, 6000));
        }
        Customer {
            customer_no: no(n),
            name: name.into(),
            address: address.into(),
            id_number: None,
            org_unit: code(org),
            connection: Connection::Feeder {
                feeder: code(main),
                backup: backup.map(code),
            },
            supply_relation: SupplyRelation::Direct,
            tariff: TariffCategory::GeneralIndustrial,
            voltage_kv: kv("10"),
            capacity_kva: kva(capacity),
            supply: SupplySource {
                self_provided_source: false,
                dedicated_line: false,
            },
            usage_nature: UsageNature::Normal,
            load_importance: LoadImportance::Class2,
            important_grade: ImportantGrade::None,
            area_type,
            industry: Industry::Manufacturing,
            institution: Institution::None,
            customer_manager: None,
            opened_on: day(2008, 9, 1),
            contacts: Vec::new(),
            meters,
        }
    }

    fn id(s: &str) -> Option<IdNumber> {
        Some(IdNumber::parse(s).expect("fixture ID numbers carry their check digit"))
    }

    fn both() -> SupplySource {
        SupplySource {
            self_provided_source: true,
            dedicated_line: true,
        }
    }

    /// Thirty customers: fourteen low-voltage ones in the six areas, sixteen 10 kV ones on the
    /// feeders (seven of them dual-supply).
    pub fn customers() -> Vec<Customer> {
        use AreaType::{Remote, Rural, Urban};
        use ContactChannel as Ch;
        vec![
            Customer {
                id_number: id("420106198001011237"),
                opened_on: day(2009, 3, 15),
                contacts: vec![contact("张伟明", "户主", &["13800138001"], Ch::Sms)],
                ..on_area(
                    "0100000001",
                    "张伟明",
                    "江州市东城区幸福小区3栋2单元501",
                    "TA-DF-01",
                )
            },
            Customer {
                id_number: id("420106198512122043"),
                contacts: vec![
                    contact("王芳", "户主", &["13912345678", "027-87654321"], Ch::Wechat),
                    contact("李建国", "家属", &["13700001111"], Ch::Phone),
                ],
                ..on_area(
                    "0100000002",
                    "王芳",
                    "江州市东城区幸福小区5栋101",
                    "TA-DF-01",
                )
            },
            Customer {
                tariff: TariffCategory::NonResidentialLighting,
                industry: Industry::PropertyManagement,
                voltage_kv: kv("0.38"),
                capacity_kva: kva("50"),
                // The chairman of the owners' committee is the same 张伟明: one phone, two customers.
                contacts: vec![with_email(
                    contact("张伟明", "负责人", &["13800138001"], Ch::Email),
                    "wuye@xingfu-jz.cn",
                )],
                ..on_area(
                    "0100000003",
                    "幸福小区物业服务中心",
                    "江州市东城区幸福小区东门",
                    "TA-DF-01",
                )
            },
            Customer {
                tariff: TariffCategory::Commercial,
                industry: Industry::Retail,
                voltage_kv: kv("0.38"),
                capacity_kva: kva("100"),
                contacts: vec![with_email(
                    contact("赵小红", "店长", &["13511112222"], Ch::Email),
                    "zhaoxh@hualian.com.cn",
                )],
                ..on_area(
                    "0100000004",
                    "人民路华联超市",
                    "江州市西城区人民路88号",
                    "TA-JS-01",
                )
            },
            Customer {
                tariff: TariffCategory::Commercial,
                industry: Industry::Culture,
                voltage_kv: kv("0.38"),
                capacity_kva: kva("80"),
                contacts: vec![contact("钱文", "经理", &["027-88886666"], Ch::Letter)],
                ..on_area(
                    "0100000005",
                    "新华书店人民路店",
                    "江州市西城区人民路102号",
                    "TA-JS-01",
                )
            },
            Customer {
                contacts: vec![contact("陈晓东", "户主", &["13622223333"], Ch::Phone)],
                ..on_area(
                    "0100000006",
                    "陈晓东",
                    "江州市西城区人民路88号5楼",
                    "TA-JS-01",
                )
            },
            Customer {
                tariff: TariffCategory::Agricultural,
                industry: Industry::Agriculture,
                usage_nature: UsageNature::Seasonal,
                voltage_kv: kv("0.38"),
                capacity_kva: kva("160"),
                contacts: vec![contact("周大勇", "理事长", &["15912340001"], Ch::Sms)],
                ..on_area(
                    "0100000007",
                    "柳树村种植专业合作社",
                    "青山县柳树村三组",
                    "TA-QS-01",
                )
            },
            Customer {
                id_number: id("421122197005053115"),
                contacts: vec![contact("周建国", "户主", &["15912340002"], Ch::Phone)],
                ..on_area("0100000008", "周建国", "青山县柳树村二组12号", "TA-QS-01")
            },
            Customer {
                tariff: TariffCategory::NonResidentialLighting,
                industry: Industry::PublicAdministration,
                capacity_kva: kva("15"),
                contacts: vec![contact(
                    "孙秀英",
                    "村主任",
                    &["15912340003", "0731-88885555"],
                    Ch::Phone,
                )],
                ..on_area(
                    "0100000009",
                    "河湾村村民委员会",
                    "青山县河湾村村委会大院",
                    "TA-BS-01",
                )
            },
            Customer {
                id_number: id("421122196508084023"),
                contacts: vec![contact("孙秀英", "户主", &["15912340004"], Ch::Letter)],
                ..on_area("0100000010", "孙秀英", "青山县河湾村一组", "TA-BS-01")
            },
            Customer {
                contacts: vec![contact("吴大山", "户主", &["18800001111"], Ch::Phone)],
                ..on_area("0100000011", "吴大山", "青山县云雾山村茶园组", "TA-QS-02")
            },
            Customer {
                tariff: TariffCategory::GeneralIndustrial,
                industry: Industry::Manufacturing,
                usage_nature: UsageNature::Seasonal,
                voltage_kv: kv("0.38"),
                capacity_kva: kva("200"),
                contacts: vec![contact("吴小山", "厂长", &["18800002222"], Ch::Phone)],
                ..on_area(
                    "0100000012",
                    "云雾山茶厂",
                    "青山县云雾山村茶厂路1号",
                    "TA-QS-02",
                )
            },
            Customer {
                tariff: TariffCategory::NonIndustrial,
                industry: Industry::Information,
                voltage_kv: kv("0.38"),
                capacity_kva: kva("30"),
                contacts: vec![contact("郑磊", "基站维护", &["13900001234"], Ch::Sms)],
                ..on_area(
                    "0100000013",
                    "石门坎移动通信基站",
                    "青山县石门坎村后山",
                    "TA-BS-02",
                )
            },
            Customer {
                usage_nature: UsageNature::Temporary,
                opened_on: day(2024, 4, 2),
                contacts: vec![contact("马兰花", "户主", &["17700001111"], Ch::Sms)],
                ..on_area("0100000014", "马兰花", "青山县石门坎村一组", "TA-BS-02")
            },
            Customer {
                tariff: TariffCategory::NonIndustrial,
                industry: Industry::Health,
                institution: Institution::Hospital,
                important_grade: ImportantGrade::Grade1,
                load_importance: LoadImportance::Class1,
                usage_nature: UsageNature::Important,
                supply: both(),
                customer_manager: Some(code("chenjing")),
                contacts: vec![
                    contact(
                        "林国栋",
                        "电气负责人",
                        &["13307150001", "027-85550001"],
                        Ch::Phone,
                    ),
                    contact("医院财务科", "财务", &["027-85550002"], Ch::Letter),
                ],
                ..on_feeder(
                    "0100000101",
                    "江州市人民医院",
                    "江州市东城区解放大道100号",
                    "JZ-CQ",
                    "F-JD-101",
                    Some("F-JD-102"),
                    "4000",
                    Urban,
                )
            },
            Customer {
                tariff: TariffCategory::NonIndustrial,
                industry: Industry::PublicAdministration,
                institution: Institution::Government,
                important_grade: ImportantGrade::Special,
                load_importance: LoadImportance::Class1,
                usage_nature: UsageNature::Important,
                supply: SupplySource {
                    self_provided_source: true,
                    dedicated_line: false,
                },
                customer_manager: Some(code("chenjing")),
                contacts: vec![contact(
                    "市政府机关事务局",
                    "后勤",
                    &["027-85551000"],
                    Ch::Letter,
                )],
                ..on_feeder(
                    "0100000102",
                    "江州市人民政府",
                    "江州市东城区市府路1号",
                    "JZ-CQ",
                    "F-JD-101",
                    Some("F-JD-102"),
                    "2000",
                    Urban,
                )
            },
            Customer {
                tariff: TariffCategory::LargeIndustrial,
                industry: Industry::Metallurgy,
                important_grade: ImportantGrade::Grade2,
                load_importance: LoadImportance::Class1,
                supply: SupplySource {
                    self_provided_source: false,
                    dedicated_line: true,
                },
                customer_manager: Some(code("chenjing")),
                contacts: vec![
                    contact("高建军", "动力部部长", &["13986001234"], Ch::Phone),
                    with_email(
                        contact("刘会计", "财务", &["027-86001000"], Ch::Email),
                        "finance@jzsteel.com.cn",
                    ),
                ],
                ..on_feeder(
                    "0100000103",
                    "江州钢铁有限公司",
                    "江州市江东工业园钢城大道8号",
                    "JZ-CQ",
                    "F-JD-102",
                    Some("F-JD-101"),
                    "12500",
                    Urban,
                )
            },
            Customer {
                tariff: TariffCategory::Commercial,
                industry: Industry::Culture,
                institution: Institution::Media,
                important_grade: ImportantGrade::Grade2,
                contacts: vec![contact("播控中心", "值班室", &["027-86662000"], Ch::Phone)],
                ..on_feeder(
                    "0100000104",
                    "江州广播电视台",
                    "江州市西城区广电路6号",
                    "JZ-CQ",
                    "F-JD-102",
                    None,
                    "1600",
                    Urban,
                )
            },
            Customer {
                tariff: TariffCategory::NonResidentialLighting,
                industry: Industry::Education,
                institution: Institution::School,
                important_grade: ImportantGrade::Temporary,
                contacts: vec![contact("总务处", "后勤", &["13871112233"], Ch::Sms)],
                ..on_feeder(
                    "0100000105",
                    "江州市第一中学",
                    "江州市西城区学府路15号",
                    "JZ-CQ",
                    "F-JD-102",
                    None,
                    "800",
                    Urban,
                )
            },
            Customer {
                tariff: TariffCategory::Commercial,
                industry: Industry::Finance,
                institution: Institution::Bank,
                important_grade: ImportantGrade::Grade2,
                contacts: vec![contact("行政部", "行政", &["027-85556789"], Ch::Phone)],
                ..on_feeder(
                    "0100000106",
                    "中国工商银行江州分行",
                    "江州市东城区解放大道168号",
                    "JZ-CQ",
                    "F-JD-101",
                    None,
                    "1250",
                    Urban,
                )
            },
            Customer {
                tariff: TariffCategory::Commercial,
                industry: Industry::Transport,
                institution: Institution::Transport,
                important_grade: ImportantGrade::Grade1,
                load_importance: LoadImportance::Class1,
                customer_manager: Some(code("chenjing")),
                contacts: vec![contact("站务段", "电力工长", &["13407150099"], Ch::Phone)],
                ..on_feeder(
                    "0100000107",
                    "江州火车站",
                    "江州市东城区站前路1号",
                    "JZ-CQ",
                    "F-JD-101",
                    Some("F-JD-102"),
                    "3150",
                    Urban,
                )
            },
            Customer {
                tariff: TariffCategory::NonIndustrial,
                industry: Industry::PublicAdministration,
                institution: Institution::Military,
                important_grade: ImportantGrade::Special,
                load_importance: LoadImportance::Class1,
                supply: both(),
                customer_manager: Some(code("liuyang")),
                contacts: vec![contact(
                    "营区管理科",
                    "保障",
                    &["0731-86660001"],
                    Ch::Letter,
                )],
                ..on_feeder(
                    "0100000108",
                    "江州军分区青山营区",
                    "青山县营盘路1号",
                    "JZ-QS",
                    "F-QS-201",
                    Some("F-QS-202"),
                    "1000",
                    Rural,
                )
            },
            Customer {
                tariff: TariffCategory::Commercial,
                industry: Industry::Hospitality,
                institution: Institution::Hotel,
                contacts: vec![with_email(
                    contact("工程部", "值班经理", &["13607151234"], Ch::Email),
                    "eng@jz-hotel.com",
                )],
                ..on_feeder(
                    "0100000109",
                    "江州国际大酒店",
                    "江州市西城区人民路1号",
                    "JZ-CQ",
                    "F-JD-102",
                    None,
                    "2500",
                    Urban,
                )
            },
            Customer {
                industry: Industry::Construction,
                institution: Institution::StateKeyProject,
                usage_nature: UsageNature::Temporary,
                load_importance: LoadImportance::Class3,
                opened_on: day(2023, 11, 1),
                contacts: vec![contact("项目部", "电工", &["15007310001"], Ch::Wechat)],
                ..on_feeder(
                    "0100000110",
                    "江州绕城高速青山段项目部",
                    "青山县白石镇高速施工营地",
                    "JZ-QS",
                    "F-QS-202",
                    None,
                    "1000",
                    Rural,
                )
            },
            Customer {
                supply_relation: SupplyRelation::Wholesale,
                tariff: TariffCategory::Wholesale,
                industry: Industry::Utilities,
                contacts: vec![contact("调度室", "调度员", &["0731-86661234"], Ch::Phone)],
                ..on_feeder(
                    "0100000111",
                    "青山县地方电力公司",
                    "青山县城关镇电力路3号",
                    "JZ-QS",
                    "F-QS-201",
                    None,
                    "8000",
                    Rural,
                )
            },
            Customer {
                supply_relation: SupplyRelation::Transfer,
                load_importance: LoadImportance::Class3,
                contacts: vec![contact("园区物业", "电工班", &["13971230001"], Ch::Wechat)],
                ..on_feeder(
                    "0100000112",
                    "江州经开区标准厂房",
                    "江州市江东工业园创业路2号",
                    "JZ-CQ",
                    "F-JD-102",
                    None,
                    "1250",
                    Urban,
                )
            },
            Customer {
                tariff: TariffCategory::LargeIndustrial,
                industry: Industry::Chemical,
                important_grade: ImportantGrade::Grade1,
                load_importance: LoadImportance::Class1,
                supply: both(),
                customer_manager: Some(code("liuyang")),
                contacts: vec![contact("安环部", "电气主管", &["13517310088"], Ch::Phone)],
                ..on_feeder(
                    "0100000113",
                    "江州化工有限公司",
                    "青山县化工园区1号",
                    "JZ-QS",
                    "F-QS-201",
                    Some("F-QS-202"),
                    "10000",
                    Rural,
                )
            },
            Customer {
                industry: Industry::Mining,
                load_importance: LoadImportance::Class3,
                contacts: vec![contact("老板", "负责人", &["18973100001"], Ch::Phone)],
                ..on_feeder(
                    "0100000114",
                    "青山石料厂",
                    "青山县石门坎村采石场",
                    "JZ-QS",
                    "F-QS-202",
                    None,
                    "630",
                    Remote,
                )
            },
            Customer {
                tariff: TariffCategory::LargeIndustrial,
                industry: Industry::Information,
                important_grade: ImportantGrade::Grade2,
                load_importance: LoadImportance::Class1,
                supply: SupplySource {
                    self_provided_source: true,
                    dedicated_line: false,
                },
                customer_manager: Some(code("chenjing")),
                contacts: vec![contact("运维中心", "值班长", &["13307159999"], Ch::Sms)],
                ..on_feeder(
                    "0100000115",
                    "江州云谷数据中心",
                    "江州市江东工业园云谷路9号",
                    "JZ-CQ",
                    "F-JD-101",
                    Some("F-JD-102"),
                    "10000",
                    Urban,
                )
            },
            Customer {
                industry: Industry::Utilities,
                important_grade: ImportantGrade::Grade2,
                load_importance: LoadImportance::Class1,
                contacts: vec![contact("第二水厂", "值班室", &["0731-86665678"], Ch::Phone)],
                ..on_feeder(
                    "0100000116",
                    "江州自来水公司第二水厂",
                    "青山县城关镇水厂路",
                    "JZ-QS",
                    "F-QS-201",
                    None,
                    "2000",
                    Rural,
                )
            },
        ]
    }

    pub fn theft_cases() -> Vec<TheftCase> {
        vec![
            TheftCase {
                case_no: "QS-2023-015".into(),
                customer_no: no("0100000008"),
                found_on: day(2023, 8, 9),
                stolen_kwh: parse_decimal("stolen_kwh", "860").expect("valid decimal"),
                charged: Money::parse("charged", "1720.00").expect("valid money"),
                description: "私拉乱接，绕过电能表接线".into(),
            },
            TheftCase {
                case_no: "QS-2024-007".into(),
                customer_no: no("0100000012"),
                found_on: day(2024, 6, 18),
                stolen_kwh: parse_decimal("stolen_kwh", "12850.5").expect("valid decimal"),
                charged: Money::parse("charged", "48236.70").expect("valid money"),
                description: "改动计量装置接线窃电，已追补电费并收取违约使用电费".into(),
            },
        ]
    }

    /// The fixture customer with this number.
    pub fn customer(n: &str) -> Customer {
        customers()
            .into_iter()
            .find(|c| c.customer_no.as_str() == n)
            .expect("the number is a fixture customer")
    }

    /// Writes the whole company, parents before children.
    pub async fn load(store: &dyn Store) {
        store
            .upsert_org_units(&org_units())
            .await
            .expect("org units load");
        store.upsert_staff(&staff()).await.expect("staff loads");
        store
            .upsert_substations(&substations())
            .await
            .expect("substations load");
        store
            .upsert_feeders(&feeders())
            .await
            .expect("feeders load");
        store.upsert_areas(&areas()).await.expect("areas load");
        store
            .upsert_customers(&customers())
            .await
            .expect("customers load");
        store
            .upsert_theft_cases(&theft_cases())
            .await
            .expect("theft cases load");
    }
}

// ---------------------------------------------------------------------------------------------
// Reference answers computed from the fixtures.

fn sorted_nos<'a>(cs: impl IntoIterator<Item = &'a Customer>) -> Vec<String> {
    let mut v: Vec<String> = cs.into_iter().map(|c| c.customer_no.to_string()).collect();
    v.sort();
    v
}

fn feeder_of_area(area: &Code) -> Code {
    fixtures::areas()
        .into_iter()
        .find(|a| &a.code == area)
        .map(|a| a.feeder)
        .expect("fixture customers use fixture areas")
}

/// The filter semantics of [`CustomerFilter`], in plain Rust.
fn filter_matches(f: &CustomerFilter, c: &Customer) -> bool {
    let (area, main, backup) = match &c.connection {
        Connection::Area { area } => (Some(area.clone()), feeder_of_area(area), None),
        Connection::Feeder { feeder, backup } => (None, feeder.clone(), backup.clone()),
    };
    f.tariff.is_none_or(|v| v == c.tariff)
        && f.supply_relation.is_none_or(|v| v == c.supply_relation)
        && f.usage_nature.is_none_or(|v| v == c.usage_nature)
        && f.load_importance.is_none_or(|v| v == c.load_importance)
        && f.important_grade.is_none_or(|v| v == c.important_grade)
        && f.area_type.is_none_or(|v| v == c.area_type)
        && f.industry.is_none_or(|v| v == c.industry)
        && f.institution.is_none_or(|v| v == c.institution)
        && f.high_voltage.is_none_or(|v| v == c.is_high_voltage())
        && f.dual_supply.is_none_or(|v| v == c.is_dual_supply())
        && f.org_unit
            .as_deref()
            .is_none_or(|v| v == c.org_unit.as_str())
        && f.area
            .as_deref()
            .is_none_or(|v| area.as_ref().is_some_and(|a| a.as_str() == v))
        && f.feeder
            .as_deref()
            .is_none_or(|v| main.as_str() == v || backup.as_ref().is_some_and(|b| b.as_str() == v))
        && f.customer_manager
            .as_deref()
            .is_none_or(|v| c.customer_manager.as_ref().is_some_and(|m| m.as_str() == v))
}

/// Text search semantics for queries of CJK runs and words: every whitespace-separated piece
/// occurs in the name or the address.
fn text_matches(q: &str, c: &Customer) -> bool {
    q.split_whitespace()
        .all(|p| c.name.contains(p) || c.address.contains(p))
}

fn expected(q: Option<&str>, f: &CustomerFilter) -> Vec<String> {
    let all = fixtures::customers();
    sorted_nos(
        all.iter()
            .filter(|c| q.is_none_or(|q| text_matches(q, c)) && filter_matches(f, c)),
    )
}

fn query(q: &str) -> SearchQuery {
    SearchQuery::parse(q).expect("suite queries are valid")
}

async fn found(store: &dyn Store, q: Option<&str>, f: &CustomerFilter, limit: u32) -> Vec<String> {
    let parsed = q.map(query);
    store
        .search_customers(parsed.as_ref(), f, limit)
        .await
        .unwrap_or_else(|e| panic!("search {q:?} {f:?} failed: {e}"))
        .into_iter()
        .map(|s| s.customer_no.to_string())
        .collect()
}

/// Checks one filter without and with a text query against the reference answer.
async fn check_filter(store: &dyn Store, f: &CustomerFilter) {
    let want = expected(None, f);
    assert_eq!(found(store, None, f, 1000).await, want, "filter {f:?}");
    for q in ["江州", "青山县", "人民"] {
        let want = expected(Some(q), f);
        assert_eq!(
            found(store, Some(q), f, 1000).await,
            want,
            "query {q:?} with filter {f:?}"
        );
    }
}

async fn fresh(store: &dyn Store) {
    fixtures::load(store).await;
}

// ---------------------------------------------------------------------------------------------
// The suite.

/// Loading the same company twice leaves exactly what loading it once left.
pub async fn upsert_is_idempotent(store: &dyn Store) {
    fresh(store).await;
    let stats = store.stats().await.expect("stats");
    let detail = store
        .customer(&fixtures::no("0100000101"))
        .await
        .expect("detail");
    let all = found(store, None, &CustomerFilter::default(), 1000).await;
    fixtures::load(store).await;
    assert_eq!(store.stats().await.expect("stats"), stats);
    assert_eq!(
        store
            .customer(&fixtures::no("0100000101"))
            .await
            .expect("detail"),
        detail
    );
    assert_eq!(
        found(store, None, &CustomerFilter::default(), 1000).await,
        all
    );
    assert_eq!(
        found(store, Some("13800138001"), &CustomerFilter::default(), 10)
            .await
            .len(),
        2
    );
}

pub async fn lists_org_units_and_staff(store: &dyn Store) {
    fresh(store).await;
    let mut units = fixtures::org_units();
    units.sort_by(|a, b| a.code.cmp(&b.code));
    assert_eq!(store.list_org_units().await.expect("org units"), units);
    let mut staff = fixtures::staff();
    staff.sort_by(|a, b| a.login.cmp(&b.login));
    assert_eq!(store.list_staff().await.expect("staff"), staff);
}

pub async fn search_by_customer_number(store: &dyn Store) {
    fresh(store).await;
    let any = CustomerFilter::default();
    assert_eq!(
        found(store, Some("0100000101"), &any, 10).await,
        ["0100000101"]
    );
    assert_eq!(
        found(store, Some(" 0100000012 "), &any, 10).await,
        ["0100000012"]
    );
    assert!(found(store, Some("0199999999"), &any, 10).await.is_empty());
    // The number with a filter it does not pass finds nothing.
    let lv = CustomerFilter {
        high_voltage: Some(false),
        ..Default::default()
    };
    assert!(found(store, Some("0100000101"), &lv, 10).await.is_empty());
}

pub async fn search_by_phone(store: &dyn Store) {
    fresh(store).await;
    let any = CustomerFilter::default();
    // One phone on two customers (a resident who also chairs the property committee).
    assert_eq!(
        found(store, Some("13800138001"), &any, 10).await,
        ["0100000001", "0100000003"]
    );
    // A second phone of a first contact, and a phone of a second contact.
    assert_eq!(
        found(store, Some("027-87654321"), &any, 10).await,
        ["0100000002"]
    );
    assert_eq!(
        found(store, Some("137 0000 1111"), &any, 10).await,
        ["0100000002"]
    );
    assert_eq!(
        found(store, Some("027-85550002"), &any, 10).await,
        ["0100000101"]
    );
    assert!(found(store, Some("13800138000"), &any, 10).await.is_empty());
    let area_only = CustomerFilter {
        tariff: Some(TariffCategory::Residential),
        ..Default::default()
    };
    assert_eq!(
        found(store, Some("13800138001"), &area_only, 10).await,
        ["0100000001"]
    );
}

pub async fn search_by_name_fragment(store: &dyn Store) {
    fresh(store).await;
    let any = CustomerFilter::default();
    assert_eq!(found(store, Some("伟明"), &any, 10).await, ["0100000001"]);
    assert_eq!(found(store, Some("张伟明"), &any, 10).await, ["0100000001"]);
    assert_eq!(found(store, Some("茶厂"), &any, 10).await, ["0100000012"]);
    for q in ["人民医院", "钢铁", "数据中心", "石料", "华联"] {
        let want = expected(Some(q), &any);
        assert_eq!(want.len(), 1, "fixture expectation for {q}");
        assert_eq!(found(store, Some(q), &any, 10).await, want, "{q}");
    }
    assert!(found(store, Some("伟东"), &any, 10).await.is_empty());
    assert!(found(store, Some("明张"), &any, 10).await.is_empty());
}

pub async fn search_by_address_fragment(store: &dyn Store) {
    fresh(store).await;
    let any = CustomerFilter::default();
    assert_eq!(
        found(store, Some("幸福小区"), &any, 10).await,
        ["0100000001", "0100000002", "0100000003"]
    );
    assert_eq!(
        found(store, Some("人民路88号"), &any, 10).await,
        ["0100000004", "0100000006"]
    );
    assert_eq!(
        found(store, Some("3栋2单元"), &any, 10).await,
        ["0100000001"]
    );
    for q in ["柳树村", "解放大道", "江东工业园", "石门坎村", "青山县"] {
        let want = expected(Some(q), &any);
        assert!(!want.is_empty(), "fixture expectation for {q}");
        assert_eq!(found(store, Some(q), &any, 100).await, want, "{q}");
    }
    assert!(found(store, Some("幸福大道"), &any, 10).await.is_empty());
}

pub async fn search_and_of_two_phrases(store: &dyn Store) {
    fresh(store).await;
    let any = CustomerFilter::default();
    assert_eq!(
        found(store, Some("幸福小区 王芳"), &any, 10).await,
        ["0100000002"]
    );
    assert_eq!(
        found(store, Some("人民路 超市"), &any, 10).await,
        ["0100000004"]
    );
    assert_eq!(
        found(store, Some("江州 医院"), &any, 10).await,
        expected(Some("江州 医院"), &any)
    );
    assert!(
        found(store, Some("幸福小区 超市"), &any, 10)
            .await
            .is_empty()
    );
}

pub async fn search_results_resolve_names(store: &dyn Store) {
    fresh(store).await;
    let any = CustomerFilter::default();
    let rows = store
        .search_customers(Some(&query("幸福小区 王芳")), &any, 10)
        .await
        .expect("search");
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r.name, "王芳");
    assert_eq!(r.address, "江州市东城区幸福小区5栋101");
    assert_eq!(r.tariff, TariffCategory::Residential);
    assert_eq!(r.important_grade, ImportantGrade::None);
    assert_eq!(r.org_unit_name, "东城供电所");
    assert_eq!(r.supply_point, "幸福小区1号台区");
    let rows = store
        .search_customers(Some(&query("0100000103")), &any, 10)
        .await
        .expect("search");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].name, "江州钢铁有限公司");
    assert_eq!(rows[0].tariff, TariffCategory::LargeIndustrial);
    assert_eq!(rows[0].important_grade, ImportantGrade::Grade2);
    assert_eq!(rows[0].org_unit_name, "城区供电分公司");
    assert_eq!(rows[0].supply_point, "10kV建设线");
}

pub async fn filter_by_tariff(store: &dyn Store) {
    fresh(store).await;
    for &t in TariffCategory::ALL {
        let f = CustomerFilter {
            tariff: Some(t),
            ..Default::default()
        };
        assert!(!expected(None, &f).is_empty(), "fixtures cover tariff {t}");
        check_filter(store, &f).await;
    }
}

pub async fn filter_by_important_grade(store: &dyn Store) {
    fresh(store).await;
    for &g in ImportantGrade::ALL {
        let f = CustomerFilter {
            important_grade: Some(g),
            ..Default::default()
        };
        assert!(!expected(None, &f).is_empty(), "fixtures cover grade {g}");
        check_filter(store, &f).await;
    }
}

pub async fn filter_by_area_type(store: &dyn Store) {
    fresh(store).await;
    for &a in AreaType::ALL {
        let f = CustomerFilter {
            area_type: Some(a),
            ..Default::default()
        };
        assert!(
            !expected(None, &f).is_empty(),
            "fixtures cover area type {a}"
        );
        check_filter(store, &f).await;
    }
}

pub async fn filter_by_high_voltage(store: &dyn Store) {
    fresh(store).await;
    for hv in [true, false] {
        let f = CustomerFilter {
            high_voltage: Some(hv),
            ..Default::default()
        };
        assert!(!expected(None, &f).is_empty());
        check_filter(store, &f).await;
    }
    let hv = CustomerFilter {
        high_voltage: Some(true),
        ..Default::default()
    };
    assert_eq!(found(store, None, &hv, 1000).await.len(), 16);
}

pub async fn filter_by_dual_supply(store: &dyn Store) {
    fresh(store).await;
    for dual in [true, false] {
        let f = CustomerFilter {
            dual_supply: Some(dual),
            ..Default::default()
        };
        check_filter(store, &f).await;
    }
    let dual = CustomerFilter {
        dual_supply: Some(true),
        ..Default::default()
    };
    assert_eq!(
        found(store, None, &dual, 1000).await,
        [
            "0100000101",
            "0100000102",
            "0100000103",
            "0100000107",
            "0100000108",
            "0100000113",
            "0100000115"
        ]
    );
}

pub async fn filter_by_org_unit(store: &dyn Store) {
    fresh(store).await;
    for u in fixtures::org_units() {
        let f = CustomerFilter {
            org_unit: Some(u.code.to_string()),
            ..Default::default()
        };
        check_filter(store, &f).await;
    }
    let f = CustomerFilter {
        org_unit: Some("JZ-QS-QS".into()),
        ..Default::default()
    };
    assert_eq!(found(store, None, &f, 1000).await.len(), 8);
}

pub async fn filter_by_area(store: &dyn Store) {
    fresh(store).await;
    for a in fixtures::areas() {
        let f = CustomerFilter {
            area: Some(a.code.to_string()),
            ..Default::default()
        };
        assert!(
            !expected(None, &f).is_empty(),
            "fixtures put customers in {}",
            a.code
        );
        check_filter(store, &f).await;
    }
    let nowhere = CustomerFilter {
        area: Some("TA-NONE".into()),
        ..Default::default()
    };
    assert!(found(store, None, &nowhere, 1000).await.is_empty());
}

pub async fn filter_by_feeder(store: &dyn Store) {
    fresh(store).await;
    for fd in fixtures::feeders() {
        let f = CustomerFilter {
            feeder: Some(fd.code.to_string()),
            ..Default::default()
        };
        check_filter(store, &f).await;
    }
    // F-JD-102 feeds its area's customers, its own HV customers and is the backup of others.
    let f = CustomerFilter {
        feeder: Some("F-JD-102".into()),
        ..Default::default()
    };
    let got = found(store, None, &f, 1000).await;
    for n in ["0100000004", "0100000103", "0100000101"] {
        assert!(got.iter().any(|g| g == n), "{n} is on F-JD-102: {got:?}");
    }
    assert!(!got.iter().any(|g| g == "0100000001"));
}

pub async fn filter_by_customer_manager(store: &dyn Store) {
    fresh(store).await;
    for login in ["chenjing", "liuyang", "zhangli"] {
        let f = CustomerFilter {
            customer_manager: Some(login.into()),
            ..Default::default()
        };
        check_filter(store, &f).await;
    }
    let f = CustomerFilter {
        customer_manager: Some("liuyang".into()),
        ..Default::default()
    };
    assert_eq!(
        found(store, None, &f, 1000).await,
        ["0100000108", "0100000113"]
    );
}

pub async fn filter_by_other_classifications(store: &dyn Store) {
    fresh(store).await;
    let mut filters = Vec::new();
    for &v in SupplyRelation::ALL {
        filters.push(CustomerFilter {
            supply_relation: Some(v),
            ..Default::default()
        });
    }
    for &v in UsageNature::ALL {
        filters.push(CustomerFilter {
            usage_nature: Some(v),
            ..Default::default()
        });
    }
    for &v in LoadImportance::ALL {
        filters.push(CustomerFilter {
            load_importance: Some(v),
            ..Default::default()
        });
    }
    for &v in Industry::ALL {
        filters.push(CustomerFilter {
            industry: Some(v),
            ..Default::default()
        });
    }
    for &v in Institution::ALL {
        filters.push(CustomerFilter {
            institution: Some(v),
            ..Default::default()
        });
    }
    for f in &filters {
        assert!(!expected(None, f).is_empty(), "fixtures cover {f:?}");
        let want = expected(None, f);
        assert_eq!(found(store, None, f, 1000).await, want, "filter {f:?}");
    }
    // Several dimensions at once combine with AND.
    let f = CustomerFilter {
        high_voltage: Some(true),
        dual_supply: Some(true),
        important_grade: Some(ImportantGrade::Grade1),
        org_unit: Some("JZ-CQ".into()),
        ..Default::default()
    };
    assert_eq!(
        found(store, None, &f, 1000).await,
        ["0100000101", "0100000107"]
    );
    check_filter(store, &f).await;
}

pub async fn filter_combined_with_text_query(store: &dyn Store) {
    fresh(store).await;
    let f = CustomerFilter {
        area_type: Some(AreaType::Remote),
        ..Default::default()
    };
    assert_eq!(
        found(store, Some("石门坎村"), &f, 100).await,
        ["0100000013", "0100000014", "0100000114"]
    );
    let f = CustomerFilter {
        tariff: Some(TariffCategory::Residential),
        ..Default::default()
    };
    assert_eq!(
        found(store, Some("人民路88号"), &f, 100).await,
        ["0100000006"]
    );
    let f = CustomerFilter {
        feeder: Some("F-JD-101".into()),
        high_voltage: Some(false),
        ..Default::default()
    };
    assert_eq!(
        found(store, Some("幸福小区"), &f, 100).await,
        expected(Some("幸福小区"), &f)
    );
    assert_eq!(
        found(store, Some("13800138001"), &f, 100).await,
        ["0100000001", "0100000003"]
    );
}

pub async fn limit_is_respected(store: &dyn Store) {
    fresh(store).await;
    let any = CustomerFilter::default();
    let all = expected(None, &any);
    assert_eq!(all.len(), 30);
    assert_eq!(found(store, None, &any, 1000).await, all);
    assert_eq!(found(store, None, &any, 5).await, all[..5]);
    assert_eq!(found(store, None, &any, 1).await, all[..1]);
    assert!(found(store, None, &any, 0).await.is_empty());
    let want = expected(Some("人民"), &any);
    assert!(want.len() > 3);
    assert_eq!(found(store, Some("人民"), &any, 3).await, want[..3]);
    let hv = CustomerFilter {
        high_voltage: Some(true),
        ..Default::default()
    };
    assert_eq!(found(store, None, &hv, 4).await, expected(None, &hv)[..4]);
    assert_eq!(
        found(store, Some("13800138001"), &any, 1).await,
        ["0100000001"]
    );
}

pub async fn detail_of_area_customer(store: &dyn Store) {
    fresh(store).await;
    let d = store
        .customer(&fixtures::no("0100000002"))
        .await
        .expect("detail")
        .expect("customer exists");
    assert_eq!(d.customer, fixtures::customer("0100000002"));
    assert_eq!(d.org_unit_name, "东城供电所");
    assert_eq!(d.customer_manager_name, None);
    assert!(d.theft_cases.is_empty());
    let p = &d.path;
    assert_eq!(p.area_code.as_ref().map(Code::as_str), Some("TA-DF-01"));
    assert_eq!(p.area_name.as_deref(), Some("幸福小区1号台区"));
    assert_eq!(p.feeder_code.as_str(), "F-JD-101");
    assert_eq!(p.feeder_name, "10kV东风线");
    assert_eq!(p.substation_code.as_str(), "SUB-JD");
    assert_eq!(p.substation_name, "江东110kV变电站");
    assert_eq!(p.backup_feeder_code, None);
    assert_eq!(p.backup_feeder_name, None);
    // Contacts keep their order, their phones theirs.
    let phones: Vec<&str> = d.customer.contacts[0]
        .phones
        .iter()
        .map(PhoneNumber::as_str)
        .collect();
    assert_eq!(phones, ["13912345678", "02787654321"]);
    // Every fixture customer round-trips exactly.
    for c in fixtures::customers() {
        let d = store
            .customer(&c.customer_no)
            .await
            .expect("detail")
            .expect("exists");
        assert_eq!(d.customer, c);
    }
}

pub async fn detail_of_dual_supply_customer(store: &dyn Store) {
    fresh(store).await;
    let d = store
        .customer(&fixtures::no("0100000101"))
        .await
        .expect("detail")
        .expect("customer exists");
    assert_eq!(d.customer, fixtures::customer("0100000101"));
    assert!(d.customer.is_dual_supply() && d.customer.is_high_voltage());
    assert_eq!(d.org_unit_name, "城区供电分公司");
    assert_eq!(d.customer_manager_name.as_deref(), Some("陈静"));
    let p = &d.path;
    assert_eq!(p.area_code, None);
    assert_eq!(p.area_name, None);
    assert_eq!(p.feeder_code.as_str(), "F-JD-101");
    assert_eq!(p.feeder_name, "10kV东风线");
    assert_eq!(
        p.backup_feeder_code.as_ref().map(Code::as_str),
        Some("F-JD-102")
    );
    assert_eq!(p.backup_feeder_name.as_deref(), Some("10kV建设线"));
    assert_eq!(p.substation_name, "江东110kV变电站");
    assert_eq!(d.customer.meters.len(), 2);
    assert_eq!(d.customer.contacts.len(), 2);
    // A rural dual-supply customer hangs on the other substation.
    let d = store
        .customer(&fixtures::no("0100000113"))
        .await
        .expect("detail")
        .expect("customer exists");
    assert_eq!(d.path.substation_code.as_str(), "SUB-QS");
    assert_eq!(d.path.backup_feeder_name.as_deref(), Some("10kV白石线"));
    assert_eq!(d.customer_manager_name.as_deref(), Some("刘洋"));
}

pub async fn unknown_customer_is_none(store: &dyn Store) {
    fresh(store).await;
    let d = store
        .customer(&fixtures::no("0199999999"))
        .await
        .expect("lookup");
    assert!(d.is_none());
}

pub async fn update_replaces_contacts_and_reindexes(store: &dyn Store) {
    fresh(store).await;
    let mut c = fixtures::customer("0100000001");
    c.name = "张卫民".into();
    c.address = "江州市东城区幸福小区3栋2单元502".into();
    c.contacts = vec![fixtures::contact(
        "张卫民",
        "户主",
        &["13800138009"],
        ContactChannel::Phone,
    )];
    c.meters[0].meter_no = fixtures::code("33NEWMETER");
    c.tariff = TariffCategory::NonResidentialLighting;
    store
        .upsert_customers(std::slice::from_ref(&c))
        .await
        .expect("update");

    let d = store
        .customer(&c.customer_no)
        .await
        .expect("detail")
        .expect("exists");
    assert_eq!(d.customer, c);
    let any = CustomerFilter::default();
    assert!(
        found(store, Some("伟明"), &any, 10).await.is_empty(),
        "old name still indexed"
    );
    assert!(
        found(store, Some("501"), &any, 10).await.is_empty(),
        "old address still indexed"
    );
    assert_eq!(found(store, Some("卫民"), &any, 10).await, ["0100000001"]);
    assert_eq!(found(store, Some("502"), &any, 10).await, ["0100000001"]);
    assert_eq!(
        found(store, Some("13800138001"), &any, 10).await,
        ["0100000003"]
    );
    assert_eq!(
        found(store, Some("13800138009"), &any, 10).await,
        ["0100000001"]
    );
    let res = CustomerFilter {
        tariff: Some(TariffCategory::Residential),
        ..Default::default()
    };
    assert!(
        !found(store, None, &res, 100)
            .await
            .iter()
            .any(|n| n == "0100000001")
    );
    assert_eq!(store.stats().await.expect("stats").customers, 30);

    // Fewer contacts and meters than before: the extra ones are gone too.
    let mut h = fixtures::customer("0100000101");
    h.contacts.truncate(1);
    h.meters.truncate(1);
    store
        .upsert_customers(std::slice::from_ref(&h))
        .await
        .expect("update");
    let d = store
        .customer(&h.customer_no)
        .await
        .expect("detail")
        .expect("exists");
    assert_eq!(d.customer, h);
    assert!(
        found(store, Some("027-85550002"), &any, 10)
            .await
            .is_empty()
    );
}

pub async fn duplicate_in_one_batch_last_wins(store: &dyn Store) {
    fresh(store).await;
    let first = fixtures::customer("0100000006");
    let mut second = first.clone();
    second.name = "陈晓冬".into();
    second.contacts = vec![fixtures::contact(
        "陈晓冬",
        "户主",
        &["13622224444"],
        ContactChannel::Sms,
    )];
    store
        .upsert_customers(&[first.clone(), second.clone()])
        .await
        .expect("a batch may carry the same customer twice");
    let d = store
        .customer(&first.customer_no)
        .await
        .expect("detail")
        .expect("exists");
    assert_eq!(d.customer, second);
    let any = CustomerFilter::default();
    assert!(found(store, Some("13622223333"), &any, 10).await.is_empty());
    assert_eq!(found(store, Some("晓冬"), &any, 10).await, ["0100000006"]);
    assert_eq!(store.stats().await.expect("stats").customers, 30);
}

fn expect_missing(r: crate::Result<()>, field: &str, value: &str) {
    match r {
        Err(StoreError::MissingReference { field: f, value: v }) => {
            assert_eq!((f, v.as_str()), (field, value));
        }
        other => panic!("expected MissingReference {{ {field}, {value} }}, got {other:?}"),
    }
}

pub async fn missing_customer_reference_rejects_whole_batch(store: &dyn Store) {
    fresh(store).await;
    let before = store.stats().await.expect("stats");
    let original = fixtures::customer("0100000002");
    let mut renamed = original.clone();
    renamed.name = "王芳芳".into();
    let mut valid_new = fixtures::customer("0100000001");
    valid_new.customer_no = fixtures::no("0100009001");
    valid_new.name = "新用户甲".into();

    let bad = |f: &dyn Fn(&mut Customer)| {
        let mut c = fixtures::customer("0100000001");
        c.customer_no = fixtures::no("0100009002");
        c.name = "新用户乙".into();
        f(&mut c);
        c
    };
    let cases: Vec<(&str, &str, Customer)> = vec![
        (
            "org_unit",
            "JZ-NOWHERE",
            bad(&|c| c.org_unit = fixtures::code("JZ-NOWHERE")),
        ),
        (
            "area_code",
            "TA-404",
            bad(&|c| {
                c.connection = Connection::Area {
                    area: fixtures::code("TA-404"),
                }
            }),
        ),
        (
            "feeder_code",
            "F-404",
            bad(&|c| {
                *c = fixtures::customer("0100000104");
                c.customer_no = fixtures::no("0100009002");
                c.connection = Connection::Feeder {
                    feeder: fixtures::code("F-404"),
                    backup: None,
                };
            }),
        ),
        (
            "backup_feeder_code",
            "F-405",
            bad(&|c| {
                *c = fixtures::customer("0100000104");
                c.customer_no = fixtures::no("0100009002");
                c.connection = Connection::Feeder {
                    feeder: fixtures::code("F-JD-101"),
                    backup: Some(fixtures::code("F-405")),
                };
            }),
        ),
        (
            "customer_manager",
            "nobody",
            bad(&|c| c.customer_manager = Some(fixtures::code("nobody"))),
        ),
    ];
    for (field, value, bad) in cases {
        // Valid rows before the bad one, an update among them: none of it may be written.
        let batch = vec![renamed.clone(), valid_new.clone(), bad];
        expect_missing(store.upsert_customers(&batch).await, field, value);
        assert!(
            store
                .customer(&valid_new.customer_no)
                .await
                .expect("lookup")
                .is_none(),
            "a valid row of a rejected batch ({field}) was written"
        );
        let d = store
            .customer(&original.customer_no)
            .await
            .expect("lookup")
            .expect("exists");
        assert_eq!(
            d.customer, original,
            "an update in a rejected batch ({field}) was applied"
        );
        assert_eq!(store.stats().await.expect("stats"), before);
        let any = CustomerFilter::default();
        assert!(found(store, Some("新用户"), &any, 10).await.is_empty());
        assert!(found(store, Some("芳芳"), &any, 10).await.is_empty());
    }
    // The valid rows alone go in.
    store
        .upsert_customers(&[renamed, valid_new])
        .await
        .expect("valid batch");
    assert_eq!(
        store.stats().await.expect("stats").customers,
        before.customers + 1
    );
}

pub async fn missing_topology_reference_rejects_whole_batch(store: &dyn Store) {
    use griddesk_domain::org::{OrgKind, OrgUnit, Role, Staff};
    fresh(store).await;
    let before = store.stats().await.expect("stats");

    let good_unit = OrgUnit {
        code: fixtures::code("JZ-QS-BS"),
        name: "白石供电所".into(),
        kind: OrgKind::SupplyStation,
        parent: Some(fixtures::code("JZ-QS")),
    };
    let orphan = OrgUnit {
        code: fixtures::code("JZ-X-1"),
        name: "无上级单位".into(),
        kind: OrgKind::SupplyStation,
        parent: Some(fixtures::code("JZ-X")),
    };
    expect_missing(
        store.upsert_org_units(&[good_unit.clone(), orphan]).await,
        "parent",
        "JZ-X",
    );
    // A parent in the same batch is fine, in any order.
    let child = OrgUnit {
        code: fixtures::code("JZ-QS-BS-YYT"),
        name: "白石营业厅".into(),
        kind: OrgKind::BusinessHall,
        parent: Some(fixtures::code("JZ-QS-BS")),
    };
    assert_eq!(store.stats().await.expect("stats"), before);

    let good_staff = Staff {
        login: fixtures::code("newagent"),
        name: "新坐席".into(),
        role: Role::Agent,
        org_unit: fixtures::code("JZ-KFZX"),
    };
    let lost_staff = Staff {
        login: fixtures::code("lost"),
        name: "无单位".into(),
        role: Role::Crew,
        org_unit: fixtures::code("JZ-NONE"),
    };
    expect_missing(
        store.upsert_staff(&[good_staff.clone(), lost_staff]).await,
        "org_unit",
        "JZ-NONE",
    );

    let mut sub = fixtures::substations()[0].clone();
    sub.code = fixtures::code("SUB-NEW");
    sub.org_unit = fixtures::code("JZ-NONE");
    expect_missing(
        store.upsert_substations(&[sub]).await,
        "org_unit",
        "JZ-NONE",
    );

    let mut good_feeder = fixtures::feeders()[0].clone();
    good_feeder.code = fixtures::code("F-JD-103");
    let mut bad_feeder = good_feeder.clone();
    bad_feeder.code = fixtures::code("F-JD-104");
    bad_feeder.substation = fixtures::code("SUB-NONE");
    expect_missing(
        store
            .upsert_feeders(&[good_feeder.clone(), bad_feeder])
            .await,
        "substation",
        "SUB-NONE",
    );

    let mut good_area = fixtures::areas()[0].clone();
    good_area.code = fixtures::code("TA-DF-02");
    let mut bad_area = good_area.clone();
    bad_area.code = fixtures::code("TA-DF-03");
    bad_area.feeder = fixtures::code("F-NONE");
    expect_missing(
        store
            .upsert_areas(&[good_area.clone(), bad_area.clone()])
            .await,
        "feeder",
        "F-NONE",
    );
    bad_area.feeder = good_area.feeder.clone();
    bad_area.org_unit = fixtures::code("JZ-NONE");
    expect_missing(
        store.upsert_areas(&[good_area.clone(), bad_area]).await,
        "org_unit",
        "JZ-NONE",
    );

    let mut good_case = fixtures::theft_cases()[0].clone();
    good_case.case_no = "QS-2024-100".into();
    let mut bad_case = good_case.clone();
    bad_case.case_no = "QS-2024-101".into();
    bad_case.customer_no = fixtures::no("0199999999");
    expect_missing(
        store
            .upsert_theft_cases(&[good_case.clone(), bad_case])
            .await,
        "customer_no",
        "0199999999",
    );

    assert_eq!(
        store.stats().await.expect("stats"),
        before,
        "a rejected batch wrote something"
    );
    assert_eq!(
        store.list_staff().await.expect("staff").len(),
        fixtures::staff().len()
    );
    let d = store
        .customer(&fixtures::no("0100000008"))
        .await
        .expect("detail")
        .expect("exists");
    assert_eq!(
        d.theft_cases.len(),
        1,
        "a theft case of a rejected batch was written"
    );

    // The good records alone go in; children may come before their parent in one batch.
    store
        .upsert_org_units(&[child, good_unit])
        .await
        .expect("valid units");
    store
        .upsert_staff(&[good_staff])
        .await
        .expect("valid staff");
    store
        .upsert_feeders(&[good_feeder])
        .await
        .expect("valid feeder");
    store.upsert_areas(&[good_area]).await.expect("valid area");
    store
        .upsert_theft_cases(&[good_case])
        .await
        .expect("valid case");
    let after = store.stats().await.expect("stats");
    assert_eq!(after.org_units, before.org_units + 2);
    assert_eq!(after.staff, before.staff + 1);
    assert_eq!(after.feeders, before.feeders + 1);
    assert_eq!(after.areas, before.areas + 1);
}

pub async fn area_customers_lists_the_area(store: &dyn Store) {
    fresh(store).await;
    let feeders = fixtures::feeders();
    for a in fixtures::areas() {
        let got = store
            .area_customers(&a.code)
            .await
            .expect("area customers")
            .expect("area exists");
        let feeder = feeders
            .iter()
            .find(|f| f.code == a.feeder)
            .expect("fixture feeder");
        assert_eq!(got.feeder_name, feeder.name);
        let mut want: Vec<Customer> = fixtures::customers()
            .into_iter()
            .filter(|c| matches!(&c.connection, Connection::Area { area } if *area == a.code))
            .collect();
        want.sort_by(|x, y| x.customer_no.cmp(&y.customer_no));
        assert!(!want.is_empty());
        assert_eq!(got.area, a);
        assert_eq!(got.customers, want, "customers of {}", a.code);
    }
    let none = store
        .area_customers(&fixtures::code("TA-NONE"))
        .await
        .expect("lookup");
    assert!(none.is_none());
}

pub async fn missing_references_reports_unknown_codes(store: &dyn Store) {
    fresh(store).await;
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let cases: [(RefKind, Vec<String>, Vec<String>); 6] = [
        (
            RefKind::OrgUnit,
            s(&["JZ", "JZ-NONE", "JZ-CQ-DC", "JZ-NONE"]),
            s(&["JZ-NONE"]),
        ),
        (
            RefKind::Staff,
            s(&["chenjing", "nobody", "admin"]),
            s(&["nobody"]),
        ),
        (
            RefKind::Substation,
            s(&["SUB-X", "SUB-JD", "SUB-QS"]),
            s(&["SUB-X"]),
        ),
        (
            RefKind::Feeder,
            s(&["F-JD-101", "F-X", "F-Y"]),
            s(&["F-X", "F-Y"]),
        ),
        (RefKind::Area, s(&["TA-DF-01", "TA-BS-02"]), s(&[])),
        (
            RefKind::Customer,
            s(&["0100000001", "0199999999", "0100000116"]),
            s(&["0199999999"]),
        ),
    ];
    for (kind, codes, want) in cases {
        let got = store.missing_references(kind, &codes).await.expect("check");
        assert_eq!(got, want, "{kind:?}");
    }
    assert!(
        store
            .missing_references(RefKind::Feeder, &[])
            .await
            .expect("check")
            .is_empty()
    );
    // A code that is not even well-formed is simply missing.
    let odd = s(&["a b'; --"]);
    assert_eq!(
        store
            .missing_references(RefKind::Area, &odd)
            .await
            .expect("check"),
        odd
    );
}

pub async fn stats_count_the_archive(store: &dyn Store) {
    let empty = store.stats().await.expect("stats");
    assert_eq!(empty, crate::ArchiveStats::default());
    fresh(store).await;
    let cs = fixtures::customers();
    let want = crate::ArchiveStats {
        org_units: fixtures::org_units().len() as u64,
        staff: fixtures::staff().len() as u64,
        substations: 2,
        feeders: 4,
        areas: 6,
        customers: 30,
        high_voltage_customers: cs.iter().filter(|c| c.is_high_voltage()).count() as u64,
        dual_supply_customers: cs.iter().filter(|c| c.is_dual_supply()).count() as u64,
        important_customers: cs
            .iter()
            .filter(|c| c.important_grade != ImportantGrade::None)
            .count() as u64,
    };
    assert_eq!(
        (want.high_voltage_customers, want.dual_supply_customers),
        (16, 7)
    );
    assert_eq!(store.stats().await.expect("stats"), want);
}

pub async fn theft_cases_in_detail(store: &dyn Store) {
    fresh(store).await;
    let cases = fixtures::theft_cases();
    let d = store
        .customer(&fixtures::no("0100000012"))
        .await
        .expect("detail")
        .expect("exists");
    assert_eq!(d.theft_cases, [cases[1].clone()]);
    // Re-filing a case updates it instead of adding a second one.
    let mut updated = cases[1].clone();
    updated.charged = griddesk_domain::values::Money::parse("charged", "50000.00").expect("money");
    store
        .upsert_theft_cases(std::slice::from_ref(&updated))
        .await
        .expect("update case");
    let d = store
        .customer(&fixtures::no("0100000012"))
        .await
        .expect("detail")
        .expect("exists");
    assert_eq!(d.theft_cases, [updated]);
    let d = store
        .customer(&fixtures::no("0100000001"))
        .await
        .expect("detail")
        .expect("exists");
    assert!(d.theft_cases.is_empty());
    // Updating the customer keeps its cases.
    store
        .upsert_customers(&[fixtures::customer("0100000008")])
        .await
        .expect("update customer");
    let d = store
        .customer(&fixtures::no("0100000008"))
        .await
        .expect("detail")
        .expect("exists");
    assert_eq!(d.theft_cases, [cases[0].clone()]);
    // A customer's cases come in the order they were found, whatever order they were filed in.
    let mut later = cases[0].clone();
    later.case_no = "QS-2022-031".into();
    later.found_on = jiff::civil::date(2025, 3, 2);
    let mut earlier = cases[0].clone();
    earlier.case_no = "QS-2022-030".into();
    earlier.found_on = jiff::civil::date(2021, 11, 20);
    store
        .upsert_theft_cases(&[later.clone(), earlier.clone()])
        .await
        .expect("two more cases");
    let d = store
        .customer(&fixtures::no("0100000008"))
        .await
        .expect("detail")
        .expect("exists");
    assert_eq!(d.theft_cases, [earlier, cases[0].clone(), later]);
}

/// Customers with two contacts of two phones each, numbered from `first`, in area TA-DF-01.
fn bulk(first: u64, n: u64) -> Vec<Customer> {
    let base = fixtures::customer("0100000001");
    (first..first + n)
        .map(|i| {
            let mut c = base.clone();
            c.customer_no = fixtures::no(&format!("{i:010}"));
            c.name = format!("批量用户{i}");
            c.address = format!("江州市东城区幸福小区{}栋{}号", i % 40, i);
            c.contacts = vec![
                fixtures::contact(
                    "户主",
                    "户主",
                    &[
                        &format!("139{:08}", i % 100_000_000),
                        &format!("027{:08}", i % 100_000_000),
                    ],
                    ContactChannel::Sms,
                ),
                fixtures::contact(
                    "家属",
                    "家属",
                    &[&format!("137{:08}", i % 100_000_000)],
                    ContactChannel::Phone,
                ),
            ];
            c.meters[0].code = fixtures::code(&format!("MPB{i}"));
            c
        })
        .collect()
}

/// A batch far beyond one statement's bind parameters goes in whole, twice (insert, update).
pub async fn bulk_batch_crosses_statement_limits(store: &dyn Store) {
    fresh(store).await;
    let batch = bulk(200_000_000, 4_000);
    store.upsert_customers(&batch).await.expect("bulk insert");
    assert_eq!(store.stats().await.expect("stats").customers, 30 + 4_000);
    store.upsert_customers(&batch).await.expect("bulk update");
    assert_eq!(store.stats().await.expect("stats").customers, 30 + 4_000);
    let any = CustomerFilter::default();
    assert_eq!(
        found(store, Some("13900003999"), &any, 10).await,
        ["0200003999"]
    );
    assert_eq!(
        found(store, Some("02700001234"), &any, 10).await,
        ["0200001234"]
    );
    assert_eq!(
        found(store, Some("批量用户200002500"), &any, 10).await,
        ["0200002500"]
    );
    let d = store
        .customer(&fixtures::no("0200003210"))
        .await
        .expect("detail")
        .expect("exists");
    assert_eq!(d.customer, batch[3210]);
    let area = store
        .area_customers(&fixtures::code("TA-DF-01"))
        .await
        .expect("area")
        .expect("exists");
    assert_eq!(area.customers.len(), 3 + 4_000);
    let f = CustomerFilter {
        area: Some("TA-DF-01".into()),
        ..Default::default()
    };
    let first = found(store, None, &f, 5).await;
    assert_eq!(
        first,
        [
            "0100000001",
            "0100000002",
            "0100000003",
            "0200000000",
            "0200000001"
        ]
    );
    // One reference missing at the very end rejects all 4,001 rows.
    let mut more = bulk(300_000_000, 4_000);
    more[3_999].org_unit = fixtures::code("JZ-NONE");
    expect_missing(store.upsert_customers(&more).await, "org_unit", "JZ-NONE");
    assert_eq!(store.stats().await.expect("stats").customers, 30 + 4_000);
}

pub async fn ping_and_backend_name(store: &dyn Store) {
    store.ping().await.expect("ping");
    assert!(["sqlite", "postgres"].contains(&store.backend()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn fixtures_are_valid_and_cover_every_classification() {
        let cs = fixtures::customers();
        assert_eq!(cs.len(), 30);
        let nos: HashSet<_> = cs.iter().map(|c| c.customer_no.clone()).collect();
        assert_eq!(nos.len(), cs.len(), "customer numbers are unique");
        for c in &cs {
            c.validate()
                .unwrap_or_else(|e| panic!("{}: {e}", c.customer_no));
        }
        macro_rules! covers {
            ($t:ty, $f:ident) => {
                for v in <$t>::ALL {
                    assert!(
                        cs.iter().any(|c| c.$f == *v),
                        "{} {v} not covered",
                        stringify!($f)
                    );
                }
            };
        }
        covers!(SupplyRelation, supply_relation);
        covers!(TariffCategory, tariff);
        covers!(UsageNature, usage_nature);
        covers!(LoadImportance, load_importance);
        covers!(ImportantGrade, important_grade);
        covers!(AreaType, area_type);
        covers!(Industry, industry);
        covers!(Institution, institution);
        for ch in ContactChannel::ALL {
            assert!(
                cs.iter()
                    .flat_map(|c| &c.contacts)
                    .any(|k| k.preferred_channel == *ch)
            );
        }
        for role in griddesk_domain::org::Role::ALL {
            if *role != griddesk_domain::org::Role::Customer {
                assert!(fixtures::staff().iter().any(|s| s.role == *role), "{role}");
            }
        }
        // Area customers carry their area's type.
        for c in &cs {
            if let Connection::Area { area } = &c.connection {
                let a = fixtures::areas()
                    .into_iter()
                    .find(|a| &a.code == area)
                    .expect("area");
                assert_eq!(a.area_type, c.area_type, "{}", c.customer_no);
                assert!(!c.is_high_voltage());
            }
        }
    }

    #[test]
    fn reference_filter_follows_areas_to_feeders() {
        let f = CustomerFilter {
            feeder: Some("F-QS-202".into()),
            ..Default::default()
        };
        let got = expected(None, &f);
        assert!(
            got.contains(&"0100000010".to_string()),
            "area customer on the feeder"
        );
        assert!(
            got.contains(&"0100000108".to_string()),
            "backup supply from the feeder"
        );
        assert!(!got.contains(&"0100000001".to_string()));
    }
}
