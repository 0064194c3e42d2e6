//! The load-limiting sequence (限电序位表 / the customer list of the orderly-power-use scheme,
//! D3.2 and D9): one row per customer with its position and offers in kW. The file is the whole
//! list: importing it replaces the stored sequence.

use crate::columns::{Spec, opt, req};
use crate::parse::{Bad, Rec};
use crate::validate::{Key, Parsed, Ref};
use griddesk_domain::orderly::SequenceEntry;
use griddesk_store::RefKind;
use rust_decimal::Decimal;

pub(crate) const ORDERLY_SEQUENCE: Spec = Spec {
    columns: &[
        req("customer_no", &["户号"]),
        req("sequence", &["序位", "限电序位", "批次"]),
        req("expected_load_kw", &["预计负荷", "预计最大负荷"]),
        opt("security_load_kw", &["保安负荷"]),
        opt("shift_peak_kw", &["错峰负荷", "可错峰负荷"]),
        opt("avoid_peak_kw", &["避峰负荷", "可避峰负荷"]),
        opt("limit_kw", &["限电负荷", "可限负荷"]),
        opt("can_disconnect", &["可拉路", "拉路"]),
    ],
    one_of: &[],
};

/// A kW amount; a blank optional one is 0.
fn kw(r: &Rec<'_>, col: &'static str) -> Result<Decimal, Bad> {
    match r.optional(col) {
        None if col != "expected_load_kw" => Ok(Decimal::ZERO),
        _ => r.non_negative(col),
    }
}

pub(crate) fn sequence_entry(r: &Rec<'_>) -> Result<Parsed<SequenceEntry>, Bad> {
    let customer_no = r.customer_no("customer_no")?;
    let t = r.required("sequence")?;
    let sequence = t.parse::<u32>().map_err(|_| {
        r.bad(
            "sequence",
            format!("{t:?} is not a position: expected a whole number of at least 0"),
        )
    })?;
    let entry = SequenceEntry {
        customer_no,
        sequence,
        expected_load_kw: kw(r, "expected_load_kw")?,
        security_load_kw: kw(r, "security_load_kw")?,
        shift_peak_kw: kw(r, "shift_peak_kw")?,
        avoid_peak_kw: kw(r, "avoid_peak_kw")?,
        limit_kw: kw(r, "limit_kw")?,
        can_disconnect: r.flag("can_disconnect", Some(false))?,
    };
    // Negative amounts were refused above; what is left is an offer above the load.
    entry
        .validate()
        .map_err(|e| r.bad(column_of(e.field()), e.to_string()))?;
    Ok(Parsed {
        keys: vec![Key::new("customer_no", &entry.customer_no)],
        refs: vec![Ref {
            kind: RefKind::Customer,
            col: "customer_no",
            code: entry.customer_no.to_string(),
            in_file: false,
        }],
        item: entry,
    })
}

/// The documented column of a field [`SequenceEntry::validate`] names.
fn column_of(field: &str) -> &'static str {
    ORDERLY_SEQUENCE
        .columns
        .iter()
        .map(|c| c.name)
        .find(|n| *n == field)
        .unwrap_or("expected_load_kw")
}
