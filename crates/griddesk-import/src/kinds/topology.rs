//! Grid topology (D1): substations, feeders and transformer areas.

use super::NAME_MAX;
use crate::columns::{Spec, req};
use crate::parse::{Bad, Rec};
use crate::validate::{Key, Parsed, Ref};
use griddesk_domain::topology::{AreaType, Feeder, Substation, TransformerArea};
use griddesk_domain::values::{CapacityKva, Code, VoltageKv};
use griddesk_store::RefKind;

fn code_key(col: &'static str, code: &Code) -> Vec<Key> {
    vec![Key::new(col, code)]
}

fn store_ref(kind: RefKind, col: &'static str, code: &Code) -> Ref {
    Ref {
        kind,
        col,
        code: code.to_string(),
        in_file: false,
    }
}

pub(crate) const SUBSTATIONS: Spec = Spec {
    columns: &[
        req("code", &["变电站编号", "变电站编码"]),
        req("name", &["变电站名称"]),
        req("voltage_kv", &["电压等级"]),
        req("org_unit", &["运维单位", "单位编码"]),
    ],
    one_of: &[],
};

pub(crate) fn substation(r: &Rec<'_>) -> Result<Parsed<Substation>, Bad> {
    let code = r.parse("code", |s| Code::parse_field("code", s))?;
    let name = r.name("name", NAME_MAX)?;
    let voltage_kv = r.parse("voltage_kv", VoltageKv::parse)?;
    let org_unit = r.parse("org_unit", |s| Code::parse_field("org_unit", s))?;
    Ok(Parsed {
        keys: code_key("code", &code),
        refs: vec![store_ref(RefKind::OrgUnit, "org_unit", &org_unit)],
        item: Substation {
            code,
            name,
            voltage_kv,
            org_unit,
        },
    })
}

pub(crate) const FEEDERS: Spec = Spec {
    columns: &[
        req("code", &["线路编号", "线路编码"]),
        req("name", &["线路名称"]),
        req("substation_code", &["变电站编号", "substation"]),
        req("voltage_kv", &["电压等级"]),
    ],
    one_of: &[],
};

pub(crate) fn feeder(r: &Rec<'_>) -> Result<Parsed<Feeder>, Bad> {
    let code = r.parse("code", |s| Code::parse_field("code", s))?;
    let name = r.name("name", NAME_MAX)?;
    let substation = r.parse("substation_code", |s| {
        Code::parse_field("substation_code", s)
    })?;
    let voltage_kv = r.parse("voltage_kv", VoltageKv::parse)?;
    if !voltage_kv.is_high_voltage() {
        return Err(r.bad(
            "voltage_kv",
            format!("{voltage_kv} kV: a feeder runs at 10 kV or above"),
        ));
    }
    Ok(Parsed {
        keys: code_key("code", &code),
        refs: vec![store_ref(
            RefKind::Substation,
            "substation_code",
            &substation,
        )],
        item: Feeder {
            code,
            name,
            substation,
            voltage_kv,
        },
    })
}

pub(crate) const AREAS: Spec = Spec {
    columns: &[
        req("code", &["台区编号", "台区编码"]),
        req("name", &["台区名称"]),
        req("feeder_code", &["线路编号", "feeder"]),
        req("transformer_kva", &["变压器容量", "配变容量"]),
        req("area_type", &["地区类型", "区域类型"]),
        req("org_unit", &["供电所", "单位编码"]),
    ],
    one_of: &[],
};

pub(crate) fn area(r: &Rec<'_>) -> Result<Parsed<TransformerArea>, Bad> {
    let code = r.parse("code", |s| Code::parse_field("code", s))?;
    let name = r.name("name", NAME_MAX)?;
    let feeder = r.parse("feeder_code", |s| Code::parse_field("feeder_code", s))?;
    let transformer_kva = r.parse("transformer_kva", CapacityKva::parse)?;
    let area_type = r.parse("area_type", AreaType::parse)?;
    let org_unit = r.parse("org_unit", |s| Code::parse_field("org_unit", s))?;
    Ok(Parsed {
        keys: code_key("code", &code),
        refs: vec![
            store_ref(RefKind::Feeder, "feeder_code", &feeder),
            store_ref(RefKind::OrgUnit, "org_unit", &org_unit),
        ],
        item: TransformerArea {
            code,
            name,
            feeder,
            transformer_kva,
            area_type,
            org_unit,
        },
    })
}
