//! Organisation units and staff (D0).

use super::NAME_MAX;
use crate::columns::{Spec, opt, req};
use crate::parse::{Bad, Rec};
use crate::validate::{Key, Parsed, Ref};
use griddesk_domain::org::{OrgKind, OrgUnit, Role, Staff};
use griddesk_domain::values::Code;
use griddesk_store::RefKind;

pub(crate) const ORG_UNITS: Spec = Spec {
    columns: &[
        req("code", &["单位编码", "单位编号"]),
        req("name", &["单位名称"]),
        req("kind", &["单位类型"]),
        opt("parent", &["上级单位", "上级单位编码", "parent_code"]),
    ],
    one_of: &[],
};

pub(crate) fn org_unit(r: &Rec<'_>) -> Result<Parsed<OrgUnit>, Bad> {
    let code = r.parse("code", |s| Code::parse_field("code", s))?;
    let name = r.name("name", NAME_MAX)?;
    let kind = r.parse("kind", OrgKind::parse)?;
    let parent = r.parse_opt("parent", |s| Code::parse_field("parent", s))?;
    match &parent {
        Some(p) if *p == code => return Err(r.bad("parent", "a unit cannot be its own parent")),
        None if kind != OrgKind::Company => {
            return Err(r.bad(
                "parent",
                "a value is required: only the company at the root has no parent",
            ));
        }
        _ => {}
    }
    let refs = parent
        .iter()
        .map(|p| Ref {
            kind: RefKind::OrgUnit,
            col: "parent",
            code: p.to_string(),
            in_file: true,
        })
        .collect();
    Ok(Parsed {
        keys: vec![Key::new("code", code.to_string())],
        refs,
        item: OrgUnit {
            code,
            name,
            kind,
            parent,
        },
    })
}

pub(crate) const STAFF: Spec = Spec {
    columns: &[
        req("login", &["登录名", "工号"]),
        req("name", &["姓名"]),
        req("role", &["角色"]),
        req("org_unit", &["所属单位", "单位编码"]),
    ],
    one_of: &[],
};

pub(crate) fn staff(r: &Rec<'_>) -> Result<Parsed<Staff>, Bad> {
    let login = r.parse("login", |s| Code::parse_field("login", s))?;
    let name = r.name("name", NAME_MAX)?;
    let role = r.parse("role", Role::parse)?;
    let org_unit = r.parse("org_unit", |s| Code::parse_field("org_unit", s))?;
    Ok(Parsed {
        keys: vec![Key::new("login", login.to_string())],
        refs: vec![Ref {
            kind: RefKind::OrgUnit,
            col: "org_unit",
            code: org_unit.to_string(),
            in_file: false,
        }],
        item: Staff {
            login,
            name,
            role,
            org_unit,
        },
    })
}
