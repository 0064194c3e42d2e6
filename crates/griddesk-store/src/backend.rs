//! Plumbing shared by the SQL backends (SQLite and PostgreSQL) so both read and check data the
//! same way: the integer key of a customer, decoding stored text back into domain values
//! (anything that does not parse is [`StoreError::Corrupt`]), de-duplication of a batch and the
//! set-based reference check that runs before a batch is written.
//!
//! Nothing here does IO: each backend runs its own SQL and hands plain values in.

use crate::{RefKind, Result, StoreError};
use griddesk_domain::ParseError;
use griddesk_domain::customer::{
    Connection, Contact, ContactChannel, Customer, ImportantGrade, Industry, Institution,
    LoadImportance, SupplyRelation, SupplySource, TariffCategory, UsageNature,
};
use griddesk_domain::org::{OrgKind, OrgUnit, Role, Staff};
use griddesk_domain::revenue::TheftCase;
use griddesk_domain::topology::{
    AreaType, Feeder, MeteringPoint, Substation, TopologyPath, TransformerArea,
};
use griddesk_domain::values::{
    CapacityKva, Code, CustomerNo, Email, IdNumber, Money, PhoneNumber, VoltageKv, parse_decimal,
};
use std::collections::HashSet;
use std::hash::Hash;

/// The integer primary key of a customer: its customer number read as a number. Customer numbers
/// are exactly 10 digits, so ordering by this key is ordering by customer number, and a batch
/// knows the keys of its rows before writing them (no id round trip for contacts and meters).
pub fn customer_id(no: &CustomerNo) -> i64 {
    no.as_str()
        .parse()
        .expect("a CustomerNo is exactly 10 ASCII digits, which always fits in i64")
}

/// A stored value that does not decode: names the table column and the reason.
pub fn corrupt(column: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{column}: {e}"))
}

fn c<T>(column: &str, r: Result<T, ParseError>) -> Result<T> {
    r.map_err(|e| corrupt(column, e))
}

/// Parses a stored code of the given column.
pub fn code(column: &str, s: &str) -> Result<Code> {
    c(column, Code::parse(s))
}

/// Parses a stored optional code.
pub fn opt_code(column: &str, s: Option<&str>) -> Result<Option<Code>> {
    s.map(|s| code(column, s)).transpose()
}

/// Parses a stored decimal voltage level.
pub fn voltage(column: &str, s: &str) -> Result<VoltageKv> {
    c(column, VoltageKv::parse(s))
}

/// Parses a stored decimal capacity.
pub fn capacity(column: &str, s: &str) -> Result<CapacityKva> {
    c(column, CapacityKva::parse(s))
}

/// Parses a stored ISO date (YYYY-MM-DD).
pub fn date(column: &str, s: &str) -> Result<jiff::civil::Date> {
    s.parse::<jiff::civil::Date>()
        .map_err(|e| corrupt(column, e))
}

/// A customer row as stored: every classification as its stable code, decimals and the date as
/// their text. The backends select into this shape.
#[derive(Debug, Clone)]
pub struct CustomerRow {
    pub customer_no: String,
    pub name: String,
    pub address: String,
    pub id_number: Option<String>,
    pub org_unit: String,
    pub area_code: Option<String>,
    pub feeder_code: Option<String>,
    pub backup_feeder_code: Option<String>,
    pub supply_relation: String,
    pub tariff: String,
    pub voltage_kv: String,
    pub capacity_kva: String,
    pub self_provided_source: bool,
    pub dedicated_line: bool,
    pub usage_nature: String,
    pub load_importance: String,
    pub important_grade: String,
    pub area_type: String,
    pub industry: String,
    pub institution: String,
    pub customer_manager: Option<String>,
    pub opened_on: String,
}

/// One row of a backend's one-statement read of what hangs off customers (contacts, their
/// phones, meters, theft cases), in stored order; [`assemble_children`] puts them together.
#[derive(Debug, Clone)]
pub enum ChildPart {
    Phone {
        customer_id: i64,
        contact_seq: i64,
        phone: String,
    },
    /// A contact: its phones come from the `Phone` parts before it (same customer and seq).
    Contact {
        customer_id: i64,
        seq: i64,
        contact: ContactRow,
    },
    Meter {
        customer_id: i64,
        meter: MeterRow,
    },
    Theft(TheftCaseRow),
}

/// The rows of a backend's one-statement read of what hangs off customers as [`ChildPart`]s.
/// Columns: `part` (0 phone, 1 contact, 2 meter, 3 theft case), `customer_id`, `k1` (contact
/// seq), text columns `a` to `e` and the integer `n` (a meter's multiplier); `$theft` is the
/// customer whose theft cases were read (`Option<&CustomerNo>`), `$get` the backend's typed
/// column getter (`fn get<T>(&Row, &str) -> Result<T>`).
#[macro_export]
macro_rules! child_parts {
    ($rows:expr, $theft:expr, $get:ident) => {
        $rows
            .iter()
            .map(|row| {
                use $crate::backend::{ChildPart, ContactRow, MeterRow, TheftCaseRow};
                let customer_id = $get(row, "customer_id")?;
                let part: i64 = $get(row, "part")?;
                Ok(match part {
                    0 => ChildPart::Phone {
                        customer_id,
                        contact_seq: $get(row, "k1")?,
                        phone: $get(row, "a")?,
                    },
                    1 => ChildPart::Contact {
                        customer_id,
                        seq: $get(row, "k1")?,
                        contact: ContactRow {
                            name: $get(row, "a")?,
                            role: $get(row, "b")?,
                            email: $get(row, "c")?,
                            preferred_channel: $get(row, "d")?,
                            phones: Vec::new(),
                        },
                    },
                    2 => ChildPart::Meter {
                        customer_id,
                        meter: MeterRow {
                            code: $get(row, "a")?,
                            meter_no: $get(row, "b")?,
                            multiplier: $get(row, "n")?,
                        },
                    },
                    _ => ChildPart::Theft(TheftCaseRow {
                        case_no: $get(row, "a")?,
                        customer_no: $theft.map(|n| n.as_str().to_owned()).unwrap_or_default(),
                        found_on: $get(row, "b")?,
                        stolen_kwh: $get(row, "c")?,
                        charged: $get(row, "d")?,
                        description: $get(row, "e")?,
                    }),
                })
            })
            .collect::<$crate::Result<Vec<_>>>()
    };
}

/// Contacts and meters per customer id, in stored order.
pub type Children = std::collections::HashMap<i64, (Vec<ContactRow>, Vec<MeterRow>)>;

/// Puts the parts (phones first, then contacts, meters and theft cases) together: contacts
/// with their phones and meters per customer, and the theft cases.
pub fn assemble_children(parts: Vec<ChildPart>) -> (Children, Vec<TheftCaseRow>) {
    let mut out = Children::new();
    let mut phones: std::collections::HashMap<(i64, i64), Vec<String>> = Default::default();
    let mut cases = Vec::new();
    for part in parts {
        match part {
            ChildPart::Phone {
                customer_id,
                contact_seq,
                phone,
            } => phones
                .entry((customer_id, contact_seq))
                .or_default()
                .push(phone),
            ChildPart::Contact {
                customer_id,
                seq,
                mut contact,
            } => {
                contact.phones = phones.remove(&(customer_id, seq)).unwrap_or_default();
                out.entry(customer_id).or_default().0.push(contact);
            }
            ChildPart::Meter { customer_id, meter } => {
                out.entry(customer_id).or_default().1.push(meter)
            }
            ChildPart::Theft(t) => cases.push(t),
        }
    }
    (out, cases)
}

/// A stored contact with its phones in order.
#[derive(Debug, Clone)]
pub struct ContactRow {
    pub name: String,
    pub role: String,
    pub email: Option<String>,
    pub preferred_channel: String,
    pub phones: Vec<String>,
}

/// A stored metering point.
#[derive(Debug, Clone)]
pub struct MeterRow {
    pub code: String,
    pub meter_no: String,
    pub multiplier: i64,
}

impl ContactRow {
    pub fn decode(self) -> Result<Contact> {
        Ok(Contact {
            name: self.name,
            role: self.role,
            phones: self
                .phones
                .iter()
                .map(|p| c("contact_phone.phone", PhoneNumber::parse(p)))
                .collect::<Result<_>>()?,
            email: self
                .email
                .as_deref()
                .map(|e| c("contact.email", Email::parse(e)))
                .transpose()?,
            preferred_channel: c(
                "contact.preferred_channel",
                ContactChannel::parse(&self.preferred_channel),
            )?,
        })
    }
}

impl MeterRow {
    pub fn decode(self) -> Result<MeteringPoint> {
        Ok(MeteringPoint {
            code: code("meter.code", &self.code)?,
            meter_no: code("meter.meter_no", &self.meter_no)?,
            multiplier: u32::try_from(self.multiplier)
                .map_err(|e| corrupt("meter.multiplier", e))?,
        })
    }
}

impl CustomerRow {
    /// The domain customer of this row with its contacts and meters (already in stored order).
    pub fn decode(self, contacts: Vec<ContactRow>, meters: Vec<MeterRow>) -> Result<Customer> {
        let connection = match (&self.area_code, &self.feeder_code) {
            (Some(area), None) => Connection::Area {
                area: code("customer.area_code", area)?,
            },
            (None, Some(feeder)) => Connection::Feeder {
                feeder: code("customer.feeder_code", feeder)?,
                backup: opt_code(
                    "customer.backup_feeder_code",
                    self.backup_feeder_code.as_deref(),
                )?,
            },
            _ => {
                return Err(corrupt(
                    "customer.area_code",
                    "exactly one of area_code and feeder_code must be set",
                ));
            }
        };
        Ok(Customer {
            customer_no: c("customer.customer_no", CustomerNo::parse(&self.customer_no))?,
            name: self.name,
            address: self.address,
            id_number: self
                .id_number
                .as_deref()
                .map(|s| c("customer.id_number", IdNumber::parse(s)))
                .transpose()?,
            org_unit: code("customer.org_unit", &self.org_unit)?,
            connection,
            supply_relation: c(
                "customer.supply_relation",
                SupplyRelation::parse(&self.supply_relation),
            )?,
            tariff: c("customer.tariff", TariffCategory::parse(&self.tariff))?,
            voltage_kv: voltage("customer.voltage_kv", &self.voltage_kv)?,
            capacity_kva: capacity("customer.capacity_kva", &self.capacity_kva)?,
            supply: SupplySource {
                self_provided_source: self.self_provided_source,
                dedicated_line: self.dedicated_line,
            },
            usage_nature: c(
                "customer.usage_nature",
                UsageNature::parse(&self.usage_nature),
            )?,
            load_importance: c(
                "customer.load_importance",
                LoadImportance::parse(&self.load_importance),
            )?,
            important_grade: c(
                "customer.important_grade",
                ImportantGrade::parse(&self.important_grade),
            )?,
            area_type: c("customer.area_type", AreaType::parse(&self.area_type))?,
            industry: c("customer.industry", Industry::parse(&self.industry))?,
            institution: c(
                "customer.institution",
                Institution::parse(&self.institution),
            )?,
            customer_manager: opt_code(
                "customer.customer_manager",
                self.customer_manager.as_deref(),
            )?,
            opened_on: date("customer.opened_on", &self.opened_on)?,
            contacts: contacts
                .into_iter()
                .map(ContactRow::decode)
                .collect::<Result<_>>()?,
            meters: meters
                .into_iter()
                .map(MeterRow::decode)
                .collect::<Result<_>>()?,
        })
    }
}

pub fn decode_org_unit(
    code_: &str,
    name: String,
    kind: &str,
    parent: Option<&str>,
) -> Result<OrgUnit> {
    Ok(OrgUnit {
        code: code("org_unit.code", code_)?,
        name,
        kind: c("org_unit.kind", OrgKind::parse(kind))?,
        parent: opt_code("org_unit.parent", parent)?,
    })
}

pub fn decode_staff(login: &str, name: String, role: &str, org_unit: &str) -> Result<Staff> {
    Ok(Staff {
        login: code("staff.login", login)?,
        name,
        role: c("staff.role", Role::parse(role))?,
        org_unit: code("staff.org_unit", org_unit)?,
    })
}

/// Decodes a transformer area row.
pub fn decode_area(
    code_: &str,
    name: String,
    feeder: &str,
    transformer_kva: &str,
    area_type: &str,
    org_unit: &str,
) -> Result<TransformerArea> {
    Ok(TransformerArea {
        code: code("transformer_area.code", code_)?,
        name,
        feeder: code("transformer_area.feeder", feeder)?,
        transformer_kva: capacity("transformer_area.transformer_kva", transformer_kva)?,
        area_type: c("transformer_area.area_type", AreaType::parse(area_type))?,
        org_unit: code("transformer_area.org_unit", org_unit)?,
    })
}

/// A stored theft case; decimals and the date as text.
#[derive(Debug, Clone)]
pub struct TheftCaseRow {
    pub case_no: String,
    pub customer_no: String,
    pub found_on: String,
    pub stolen_kwh: String,
    pub charged: String,
    pub description: String,
}

impl TheftCaseRow {
    pub fn decode(self) -> Result<TheftCase> {
        Ok(TheftCase {
            case_no: self.case_no,
            customer_no: c("theft_case.customer", CustomerNo::parse(&self.customer_no))?,
            found_on: date("theft_case.found_on", &self.found_on)?,
            stolen_kwh: c(
                "theft_case.stolen_kwh",
                parse_decimal("stolen_kwh", &self.stolen_kwh),
            )?,
            charged: c("theft_case.charged", Money::parse("charged", &self.charged))?,
            description: self.description,
        })
    }
}

/// The resolved topology of one customer as selected by a backend (joined names).
#[derive(Debug, Clone, Default)]
pub struct PathRow {
    pub substation_code: Option<String>,
    pub substation_name: Option<String>,
    pub feeder_code: Option<String>,
    pub feeder_name: Option<String>,
    pub area_code: Option<String>,
    pub area_name: Option<String>,
    pub backup_feeder_code: Option<String>,
    pub backup_feeder_name: Option<String>,
}

impl PathRow {
    pub fn decode(self) -> Result<TopologyPath> {
        let need = |col: &str, v: Option<String>| {
            v.ok_or_else(|| corrupt(col, "the customer's supply path is broken"))
        };
        Ok(TopologyPath {
            substation_code: code(
                "substation.code",
                &need("substation.code", self.substation_code)?,
            )?,
            substation_name: need("substation.name", self.substation_name)?,
            feeder_code: code("feeder.code", &need("feeder.code", self.feeder_code)?)?,
            feeder_name: need("feeder.name", self.feeder_name)?,
            area_code: opt_code("transformer_area.code", self.area_code.as_deref())?,
            area_name: self.area_name,
            backup_feeder_code: opt_code(
                "customer.backup_feeder_code",
                self.backup_feeder_code.as_deref(),
            )?,
            backup_feeder_name: self.backup_feeder_name,
        })
    }
}

/// Decodes the stored substation columns.
pub fn decode_substation(
    code_: &str,
    name: String,
    voltage_kv: &str,
    org_unit: &str,
) -> Result<Substation> {
    Ok(Substation {
        code: code("substation.code", code_)?,
        name,
        voltage_kv: voltage("substation.voltage_kv", voltage_kv)?,
        org_unit: code("substation.org_unit", org_unit)?,
    })
}

/// Decodes the stored feeder columns.
pub fn decode_feeder(
    code_: &str,
    name: String,
    substation: &str,
    voltage_kv: &str,
) -> Result<Feeder> {
    Ok(Feeder {
        code: code("feeder.code", code_)?,
        name,
        substation: code("feeder.substation", substation)?,
        voltage_kv: voltage("feeder.voltage_kv", voltage_kv)?,
    })
}

/// The records of a batch with one per key, the last occurrence winning (a later row of an
/// import updates an earlier one), in the order of those last occurrences. Writing a key twice in
/// one statement is an error on PostgreSQL (`ON CONFLICT` cannot touch a row twice).
pub fn last_per_key<T, K: Eq + Hash>(items: &[T], key: impl Fn(&T) -> K) -> Vec<&T> {
    let mut seen = HashSet::with_capacity(items.len());
    let mut out: Vec<&T> = items.iter().rev().filter(|t| seen.insert(key(t))).collect();
    out.reverse();
    out
}

/// Orders organisation units so that a parent in the same batch comes before its children, so
/// the rows can be inserted in any number of statements without violating the parent key.
/// Units on a cycle keep their relative order at the end.
pub fn parents_first<'a>(units: &[&'a OrgUnit]) -> Vec<&'a OrgUnit> {
    let in_batch: HashSet<&str> = units.iter().map(|u| u.code.as_str()).collect();
    let mut placed: HashSet<&str> = HashSet::with_capacity(units.len());
    let mut out = Vec::with_capacity(units.len());
    let mut rest: Vec<&OrgUnit> = units.to_vec();
    while !rest.is_empty() {
        let before = rest.len();
        rest.retain(|u| {
            let ready = match &u.parent {
                Some(p) => !in_batch.contains(p.as_str()) || placed.contains(p.as_str()),
                None => true,
            };
            if ready {
                placed.insert(u.code.as_str());
                out.push(*u);
            }
            !ready
        });
        if rest.len() == before {
            out.append(&mut rest);
        }
    }
    out
}

/// One reference a record makes: the field that holds it, the kind of record it names, the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference<'a> {
    pub field: &'static str,
    pub kind: RefKind,
    pub code: &'a str,
}

fn r<'a>(field: &'static str, kind: RefKind, code: &'a str) -> Reference<'a> {
    Reference { field, kind, code }
}

/// References of a batch of organisation units; a parent in the batch itself is not a reference.
pub fn org_unit_refs<'a>(units: &[&'a OrgUnit]) -> Vec<Reference<'a>> {
    let in_batch: HashSet<&str> = units.iter().map(|u| u.code.as_str()).collect();
    units
        .iter()
        .filter_map(|u| u.parent.as_ref())
        .filter(|p| !in_batch.contains(p.as_str()))
        .map(|p| r("parent", RefKind::OrgUnit, p.as_str()))
        .collect()
}

pub fn staff_refs<'a>(staff: &[&'a Staff]) -> Vec<Reference<'a>> {
    staff
        .iter()
        .map(|s| r("org_unit", RefKind::OrgUnit, s.org_unit.as_str()))
        .collect()
}

pub fn substation_refs<'a>(items: &[&'a Substation]) -> Vec<Reference<'a>> {
    items
        .iter()
        .map(|s| r("org_unit", RefKind::OrgUnit, s.org_unit.as_str()))
        .collect()
}

pub fn feeder_refs<'a>(items: &[&'a Feeder]) -> Vec<Reference<'a>> {
    items
        .iter()
        .map(|f| r("substation", RefKind::Substation, f.substation.as_str()))
        .collect()
}

pub fn area_refs<'a>(items: &[&'a TransformerArea]) -> Vec<Reference<'a>> {
    items
        .iter()
        .flat_map(|a| {
            [
                r("feeder", RefKind::Feeder, a.feeder.as_str()),
                r("org_unit", RefKind::OrgUnit, a.org_unit.as_str()),
            ]
        })
        .collect()
}

/// References of a batch of customers, per customer in field order: org_unit, area_code,
/// feeder_code, backup_feeder_code, customer_manager.
pub fn customer_refs<'a>(customers: &[&'a Customer]) -> Vec<Reference<'a>> {
    let mut out = Vec::with_capacity(customers.len() * 3);
    for cu in customers {
        out.push(r("org_unit", RefKind::OrgUnit, cu.org_unit.as_str()));
        match &cu.connection {
            Connection::Area { area } => out.push(r("area_code", RefKind::Area, area.as_str())),
            Connection::Feeder { feeder, backup } => {
                out.push(r("feeder_code", RefKind::Feeder, feeder.as_str()));
                if let Some(b) = backup {
                    out.push(r("backup_feeder_code", RefKind::Feeder, b.as_str()));
                }
            }
        }
        if let Some(m) = &cu.customer_manager {
            out.push(r("customer_manager", RefKind::Staff, m.as_str()));
        }
    }
    out
}

pub fn theft_case_refs<'a>(cases: &[&'a TheftCase]) -> Vec<Reference<'a>> {
    cases
        .iter()
        .map(|t| r("customer_no", RefKind::Customer, t.customer_no.as_str()))
        .collect()
}

/// The distinct codes referenced per kind, each list sorted: one existence query per kind.
pub fn codes_by_kind(refs: &[Reference<'_>]) -> Vec<(RefKind, Vec<String>)> {
    let mut by: Vec<(RefKind, Vec<String>)> = Vec::new();
    let mut seen: HashSet<(u8, &str)> = HashSet::with_capacity(refs.len());
    for re in refs {
        if !seen.insert((kind_tag(re.kind), re.code)) {
            continue;
        }
        match by.iter_mut().find(|(k, _)| *k == re.kind) {
            Some((_, v)) => v.push(re.code.to_owned()),
            None => by.push((re.kind, vec![re.code.to_owned()])),
        }
    }
    for (_, v) in &mut by {
        v.sort_unstable();
    }
    by
}

fn kind_tag(k: RefKind) -> u8 {
    match k {
        RefKind::OrgUnit => 0,
        RefKind::Staff => 1,
        RefKind::Substation => 2,
        RefKind::Feeder => 3,
        RefKind::Area => 4,
        RefKind::Customer => 5,
    }
}

/// The first reference (in batch order) whose code the backend found missing, as the error the
/// whole batch is rejected with.
pub fn first_missing(refs: &[Reference<'_>], missing: &[(RefKind, Vec<String>)]) -> Result<()> {
    if missing.iter().all(|(_, v)| v.is_empty()) {
        return Ok(());
    }
    let set: HashSet<(u8, &str)> = missing
        .iter()
        .flat_map(|(k, v)| v.iter().map(move |c| (kind_tag(*k), c.as_str())))
        .collect();
    match refs
        .iter()
        .find(|re| set.contains(&(kind_tag(re.kind), re.code)))
    {
        Some(re) => Err(StoreError::MissingReference {
            field: re.field,
            value: re.code.to_owned(),
        }),
        // The backend reported a code no record of the batch refers to: a bug, not bad input.
        None => Err(StoreError::Backend(
            "reference check reported a code the batch does not use".into(),
        )),
    }
}

/// `codes` without duplicates, in first-seen order (the answer order of `missing_references`).
pub fn distinct_in_order(codes: &[String]) -> Vec<&str> {
    let mut seen = HashSet::with_capacity(codes.len());
    codes
        .iter()
        .map(String::as_str)
        .filter(|c| seen.insert(*c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code_: &str, parent: Option<&str>) -> OrgUnit {
        OrgUnit {
            code: Code::parse(code_).unwrap(),
            name: code_.into(),
            kind: OrgKind::Branch,
            parent: parent.map(|p| Code::parse(p).unwrap()),
        }
    }

    #[test]
    fn customer_id_orders_like_the_number() {
        let a = CustomerNo::parse("0099999999").unwrap();
        let b = CustomerNo::parse("0100000000").unwrap();
        assert_eq!(customer_id(&a), 99_999_999);
        assert!(customer_id(&a) < customer_id(&b));
    }

    #[test]
    fn last_occurrence_wins() {
        let items = [("a", 1), ("b", 2), ("a", 3)];
        let out = last_per_key(&items, |t| t.0);
        assert_eq!(out, [&("b", 2), &("a", 3)]);
    }

    #[test]
    fn parents_before_children() {
        let units = [
            unit("C", Some("B")),
            unit("B", Some("A")),
            unit("A", None),
            unit("X", Some("Z")),
        ];
        let refs: Vec<&OrgUnit> = units.iter().collect();
        let order: Vec<&str> = parents_first(&refs)
            .iter()
            .map(|u| u.code.as_str())
            .collect();
        assert_eq!(order, ["A", "X", "B", "C"]);
        let r = org_unit_refs(&refs);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].code, "Z");
        assert_eq!(r[0].field, "parent");
    }

    #[test]
    fn first_missing_names_the_field_in_batch_order() {
        let refs = [
            r("org_unit", RefKind::OrgUnit, "OK"),
            r("area_code", RefKind::Area, "TA-9"),
            r("customer_manager", RefKind::Staff, "nobody"),
        ];
        let by = codes_by_kind(&refs);
        assert_eq!(by.len(), 3);
        assert!(first_missing(&refs, &[(RefKind::OrgUnit, vec![])]).is_ok());
        let err = first_missing(
            &refs,
            &[
                (RefKind::Staff, vec!["nobody".into()]),
                (RefKind::Area, vec!["TA-9".into()]),
            ],
        )
        .unwrap_err();
        match err {
            StoreError::MissingReference { field, value } => {
                assert_eq!(field, "area_code");
                assert_eq!(value, "TA-9");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn corrupt_rows_are_reported() {
        let row = TheftCaseRow {
            case_no: "X".into(),
            customer_no: "12".into(),
            found_on: "2024-01-01".into(),
            stolen_kwh: "1".into(),
            charged: "1".into(),
            description: String::new(),
        };
        assert!(matches!(row.decode(), Err(StoreError::Corrupt(_))));
    }
}
