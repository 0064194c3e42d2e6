//! The customer archive (D1): one row per customer with its classification, supply point, one
//! contact and its meters.

use super::NAME_MAX;
use crate::columns::{Spec, opt, req};
use crate::parse::{Bad, Rec, split_list};
use crate::validate::{Key, Parsed, Ref};
use griddesk_domain::customer::{
    Connection, Contact, ContactChannel, Customer, ImportantGrade, Industry, Institution,
    LoadImportance, SupplyRelation, SupplySource, TariffCategory, UsageNature,
};
use griddesk_domain::topology::{AreaType, MeteringPoint};
use griddesk_domain::values::{CapacityKva, Code, Email, IdNumber, PhoneNumber, VoltageKv};
use griddesk_store::RefKind;

pub(crate) const CUSTOMERS: Spec = Spec {
    columns: &[
        req("customer_no", &["户号", "客户编号"]),
        req("name", &["户名", "客户名称"]),
        req("address", &["用电地址", "地址"]),
        opt("id_number", &["身份证号", "证件号码"]),
        req("org_unit", &["供电单位", "管理单位"]),
        opt("area_code", &["台区编号"]),
        opt("feeder_code", &["线路编号"]),
        opt("backup_feeder_code", &["备用线路编号"]),
        req("supply_relation", &["供用电关系"]),
        req("tariff", &["电价类别"]),
        req("voltage_kv", &["电压等级", "供电电压"]),
        req("capacity_kva", &["合同容量", "容量"]),
        req("self_provided_source", &["自备电源"]),
        req("dedicated_line", &["专线"]),
        req("usage_nature", &["用电性质"]),
        req("load_importance", &["负荷重要性", "负荷等级"]),
        req("important_grade", &["重要客户等级", "重要等级"]),
        req("area_type", &["地区类型", "区域类型"]),
        req("industry", &["行业", "行业分类"]),
        req("institution", &["机构类型"]),
        opt("customer_manager", &["客户经理"]),
        req("opened_on", &["立户日期"]),
        req("contact_name", &["联系人"]),
        req("contact_role", &["联系人角色", "联系人类型"]),
        req("phones", &["联系电话", "电话"]),
        opt("email", &["电子邮箱", "邮箱"]),
        req("preferred_channel", &["首选联系方式", "联系方式偏好"]),
        req("meter_no", &["电能表编号", "表号"]),
        opt("metering_point_code", &["计量点编号"]),
        req("multiplier", &["倍率", "综合倍率"]),
    ],
    one_of: &[&["area_code", "feeder_code"]],
};

/// Added to errors of number cells whose digits cannot be trusted.
const TEXT_CELL_HINT: &str =
    " (the cell is a number: format this column as text so leading zeros and digits are kept)";

pub(crate) fn customer(r: &Rec<'_>) -> Result<Parsed<Customer>, Bad> {
    let customer_no = r.customer_no("customer_no")?;
    let name = r.name("name", NAME_MAX)?;
    let address = r.name("address", 200)?;
    let id_number = r
        .parse_opt("id_number", IdNumber::parse)
        .map_err(|b| hint_if_number(r, "id_number", b))?;
    let org_unit = r.parse("org_unit", |s| Code::parse_field("org_unit", s))?;
    let connection = connection(r)?;
    let supply_relation = r.parse("supply_relation", SupplyRelation::parse)?;
    let tariff = r.parse("tariff", TariffCategory::parse)?;
    let voltage_kv = r.parse("voltage_kv", VoltageKv::parse)?;
    let capacity_kva = r.parse("capacity_kva", CapacityKva::parse)?;
    let supply = SupplySource {
        self_provided_source: r.flag("self_provided_source", Some(false))?,
        dedicated_line: r.flag("dedicated_line", Some(false))?,
    };
    let usage_nature = r.parse("usage_nature", UsageNature::parse)?;
    let load_importance = r.parse("load_importance", LoadImportance::parse)?;
    let important_grade = r.parse("important_grade", ImportantGrade::parse)?;
    let area_type = r.parse("area_type", AreaType::parse)?;
    let industry = r.parse("industry", Industry::parse)?;
    let institution = r.parse("institution", Institution::parse)?;
    let customer_manager = r.parse_opt("customer_manager", |s| {
        Code::parse_field("customer_manager", s)
    })?;
    let opened_on = r.date("opened_on")?;
    let contact = contact(r)?;
    let meters = meters(r, customer_no.as_str())?;

    let customer = Customer {
        customer_no,
        name,
        address,
        id_number,
        org_unit,
        connection,
        supply_relation,
        tariff,
        voltage_kv,
        capacity_kva,
        supply,
        usage_nature,
        load_importance,
        important_grade,
        area_type,
        industry,
        institution,
        customer_manager,
        opened_on,
        contacts: vec![contact],
        meters,
    };
    customer.validate().map_err(|e| r.bad(e.field, e.reason))?;

    let mut keys = vec![Key::new("customer_no", customer.customer_no.to_string())];
    for m in &customer.meters {
        keys.push(Key::new("meter_no", m.meter_no.to_string()));
        keys.push(Key::new("metering_point_code", m.code.to_string()));
    }
    let mut refs = vec![code_ref(RefKind::OrgUnit, "org_unit", &customer.org_unit)];
    match &customer.connection {
        Connection::Area { area } => refs.push(code_ref(RefKind::Area, "area_code", area)),
        Connection::Feeder { feeder, backup } => {
            refs.push(code_ref(RefKind::Feeder, "feeder_code", feeder));
            if let Some(b) = backup {
                refs.push(code_ref(RefKind::Feeder, "backup_feeder_code", b));
            }
        }
    }
    if let Some(m) = &customer.customer_manager {
        refs.push(code_ref(RefKind::Staff, "customer_manager", m));
    }
    Ok(Parsed {
        item: customer,
        keys,
        refs,
    })
}

fn code_ref(kind: RefKind, col: &'static str, code: &Code) -> Ref {
    Ref {
        kind,
        col,
        code: code.to_string(),
        in_file: false,
    }
}

fn hint_if_number(r: &Rec<'_>, col: &str, mut b: Bad) -> Bad {
    if r.is_number(col) {
        b.reason.push_str(TEXT_CELL_HINT);
    }
    b
}

/// Low-voltage customers name their transformer area; high-voltage ones their feeder and, for
/// dual supply, a backup feeder.
fn connection(r: &Rec<'_>) -> Result<Connection, Bad> {
    let area = r.parse_opt("area_code", |s| Code::parse_field("area_code", s))?;
    let feeder = r.parse_opt("feeder_code", |s| Code::parse_field("feeder_code", s))?;
    let backup = r.parse_opt("backup_feeder_code", |s| {
        Code::parse_field("backup_feeder_code", s)
    })?;
    match (area, feeder) {
        (Some(_), Some(_)) => Err(r.bad(
            "area_code",
            "give area_code (low voltage) or feeder_code (high voltage), not both",
        )),
        (Some(_), None) if backup.is_some() => Err(r.bad(
            "backup_feeder_code",
            "a backup feeder needs a main feeder_code; customers behind a transformer area have none",
        )),
        (Some(area), None) => Ok(Connection::Area { area }),
        (None, Some(feeder)) => Ok(Connection::Feeder { feeder, backup }),
        (None, None) => {
            let col = if r.header.index("area_code").is_some() {
                "area_code"
            } else {
                "feeder_code"
            };
            Err(r.bad(
                col,
                "a value is required: area_code for low-voltage customers, feeder_code for high-voltage ones",
            ))
        }
    }
}

fn contact(r: &Rec<'_>) -> Result<Contact, Bad> {
    let name = r.name("contact_name", NAME_MAX)?;
    let role = r.name("contact_role", 50)?;
    let phones = split_list(r.required("phones")?)
        .into_iter()
        .map(|p| {
            PhoneNumber::parse(p).map_err(|e| hint_if_number(r, "phones", r.bad_parse("phones", e)))
        })
        .collect::<Result<Vec<_>, Bad>>()?;
    if phones.is_empty() {
        return Err(r.bad("phones", "a value is required"));
    }
    let email = r.parse_opt("email", Email::parse)?;
    let preferred_channel = r.parse("preferred_channel", ContactChannel::parse)?;
    if preferred_channel == ContactChannel::Email && email.is_none() {
        return Err(r.bad(
            "preferred_channel",
            "the preferred channel is e-mail but the email column is blank",
        ));
    }
    Ok(Contact {
        name,
        role,
        phones,
        email,
        preferred_channel,
    })
}

/// Meters from ';'-separated lists: meter numbers, optional metering-point codes (default
/// `<customer_no>-<n>`) and one multiplier for all meters or one per meter.
fn meters(r: &Rec<'_>, customer_no: &str) -> Result<Vec<MeteringPoint>, Bad> {
    let meter_nos = split_list(r.required("meter_no")?)
        .into_iter()
        .map(|m| Code::parse_field("meter_no", m).map_err(|e| r.bad_parse("meter_no", e)))
        .collect::<Result<Vec<_>, Bad>>()?;
    let n = meter_nos.len();
    for (i, m) in meter_nos.iter().enumerate() {
        if meter_nos[..i].contains(m) {
            return Err(r.bad("meter_no", format!("meter {m} is listed twice")));
        }
    }
    let codes = match r.optional("metering_point_code") {
        None => (1..=n)
            .map(|i| Code::parse_field("metering_point_code", &format!("{customer_no}-{i}")))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| r.bad_parse("metering_point_code", e))?,
        Some(t) => {
            let codes = split_list(t)
                .into_iter()
                .map(|c| {
                    Code::parse_field("metering_point_code", c)
                        .map_err(|e| r.bad_parse("metering_point_code", e))
                })
                .collect::<Result<Vec<_>, Bad>>()?;
            if codes.len() != n {
                return Err(r.bad(
                    "metering_point_code",
                    format!("{} codes for {n} meters: give one per meter", codes.len()),
                ));
            }
            for (i, c) in codes.iter().enumerate() {
                if codes[..i].contains(c) {
                    return Err(r.bad("metering_point_code", format!("{c} is listed twice")));
                }
            }
            codes
        }
    };
    let multipliers = split_list(r.required("multiplier")?)
        .into_iter()
        .map(|m| match m.parse::<u32>() {
            Ok(v) if v >= 1 => Ok(v),
            _ => Err(r.bad(
                "multiplier",
                format!("{m:?} is not a multiplier: expected a whole number of at least 1"),
            )),
        })
        .collect::<Result<Vec<_>, Bad>>()?;
    let multipliers = match multipliers.as_slice() {
        [one] => vec![*one; n],
        many if many.len() == n => many.to_vec(),
        many => {
            return Err(r.bad(
                "multiplier",
                format!(
                    "{} multipliers for {n} meters: give one for all or one per meter",
                    many.len()
                ),
            ));
        }
    };
    Ok(meter_nos
        .into_iter()
        .zip(codes)
        .zip(multipliers)
        .map(|((meter_no, code), multiplier)| MeteringPoint {
            code,
            meter_no,
            multiplier,
        })
        .collect())
}
