//! The checks that span rows: duplicate natural keys inside the file and references to other
//! records, in the store (one batched look-up per referenced kind) or earlier in the same file.

use crate::ImportError;
use crate::RowError;
use crate::columns::Header;
use crate::parse::{Bad, Rec};
use crate::table::{CellKind, Table};
use griddesk_store::{RefKind, Store};
use std::collections::{HashMap, HashSet};

pub(crate) struct Ctx<'a> {
    pub store: &'a dyn Store,
    pub file: &'a str,
    pub table: &'a Table,
    pub header: &'a Header,
    /// The column holding the natural key (what in-file references point at).
    pub key_col: &'static str,
}

/// A natural key of a row. Keys with the same `col` must be unique in the file.
pub(crate) struct Key {
    /// Column a duplicate is reported on.
    pub col: &'static str,
    /// What the key is called in the message ("customer_no", "reading", ...).
    pub what: &'static str,
    pub value: String,
}

impl Key {
    /// A single-column key.
    pub fn new(col: &'static str, value: impl ToString) -> Self {
        Key {
            col,
            what: col,
            value: value.to_string(),
        }
    }
}

/// A code the row refers to.
pub(crate) struct Ref {
    pub kind: RefKind,
    pub col: &'static str,
    pub code: String,
    /// May be satisfied by an earlier row of the same file (the row's first key).
    pub in_file: bool,
}

/// A parsed row: the record, its keys (the first is the natural key) and its references.
pub(crate) struct Parsed<T> {
    pub item: T,
    pub keys: Vec<Key>,
    pub refs: Vec<Ref>,
}

pub(crate) struct Outcome<T> {
    /// Data rows seen.
    pub rows: usize,
    /// Good records in file order.
    pub accepted: Vec<T>,
    /// For each accepted record, its index into `Table::rows`.
    pub accepted_rows: Vec<usize>,
    /// Bad rows: index into `Table::rows` and the error, in file order.
    pub rejected: Vec<(usize, RowError)>,
}

pub(crate) fn ref_label(kind: RefKind) -> &'static str {
    match kind {
        RefKind::OrgUnit => "organisation unit",
        RefKind::Staff => "staff login",
        RefKind::Substation => "substation",
        RefKind::Feeder => "feeder",
        RefKind::Area => "transformer area",
        RefKind::Customer => "customer",
    }
}

/// Parses and checks every row of the table.
pub(crate) async fn check<T>(
    ctx: &Ctx<'_>,
    parse: impl Fn(&Rec<'_>) -> Result<Parsed<T>, Bad>,
) -> Result<Outcome<T>, ImportError> {
    let rows = &ctx.table.rows;

    // 1. Each row on its own.
    let mut parsed: Vec<Result<Parsed<T>, Bad>> = rows
        .iter()
        .map(|row| {
            let rec = Rec {
                header: ctx.header,
                row,
            };
            cell_errors(&rec)?;
            parse(&rec)
        })
        .collect();

    // Natural key as written -> the row it first appears in, for in-file reference messages.
    let mut natural_row: HashMap<&str, usize> = HashMap::new();
    for row in rows {
        let rec = Rec {
            header: ctx.header,
            row,
        };
        natural_row.entry(rec.text(ctx.key_col)).or_insert(row.line);
    }

    // 2. Duplicate keys: the first occurrence wins.
    let mut seen: HashMap<(&'static str, String), usize> = HashMap::new();
    for (i, p) in parsed.iter_mut().enumerate() {
        let Ok(ok) = p else { continue };
        let line = rows[i].line;
        let dup = ok
            .keys
            .iter()
            .find_map(|k| seen.get(&(k.col, k.value.clone())).map(|first| (k, *first)));
        if let Some((k, first)) = dup {
            *p = Err(Bad {
                column: ctx.header.label(k.col),
                reason: format!("duplicate {} {}: already in row {first}", k.what, k.value),
            });
            continue;
        }
        for k in &ok.keys {
            seen.insert((k.col, k.value.clone()), line);
        }
    }

    // 3. One batched store look-up per referenced kind (RefKind has no Hash: at most six kinds,
    // so a list does).
    let mut wanted: Vec<(RefKind, HashSet<&str>)> = Vec::new();
    for r in parsed.iter().flatten().flat_map(|p| &p.refs) {
        match wanted.iter_mut().find(|(k, _)| *k == r.kind) {
            Some((_, set)) => {
                set.insert(r.code.as_str());
            }
            None => wanted.push((r.kind, HashSet::from([r.code.as_str()]))),
        }
    }
    let mut missing: Vec<(RefKind, HashSet<String>)> = Vec::new();
    for (kind, codes) in wanted {
        let mut codes: Vec<String> = codes.into_iter().map(str::to_owned).collect();
        codes.sort_unstable();
        let set = ctx.store.missing_references(kind, &codes).await?;
        missing.push((kind, set.into_iter().collect()));
    }

    // 4. Resolve references in file order, so a row may refer to an accepted earlier row.
    let mut accepted_keys: HashSet<String> = HashSet::new();
    let mut rejected_keys: HashMap<&str, usize> = HashMap::new();
    let mut out = Outcome {
        rows: rows.len(),
        accepted: Vec::with_capacity(rows.len()),
        accepted_rows: Vec::with_capacity(rows.len()),
        rejected: Vec::new(),
    };
    for (i, p) in parsed.into_iter().enumerate() {
        let line = rows[i].line;
        let result = p.and_then(|ok| {
            for r in &ok.refs {
                let in_store = !missing
                    .iter()
                    .any(|(k, m)| *k == r.kind && m.contains(&r.code));
                if in_store || (r.in_file && accepted_keys.contains(&r.code)) {
                    continue;
                }
                let what = ref_label(r.kind);
                let reason = match (
                    r.in_file,
                    rejected_keys.get(r.code.as_str()),
                    natural_row.get(r.code.as_str()),
                ) {
                    (true, Some(row), _) => {
                        format!("{what} {:?} is in row {row}, which was rejected", r.code)
                    }
                    (true, None, Some(row)) if *row > line => format!(
                        "{what} {:?} comes later in the file (row {row}): list it before the rows that refer to it",
                        r.code
                    ),
                    _ => format!("{what} {:?} does not exist", r.code),
                };
                return Err(Bad {
                    column: ctx.header.label(r.col),
                    reason,
                });
            }
            Ok(ok)
        });
        match result {
            Ok(ok) => {
                if let Some(k) = ok.keys.first() {
                    accepted_keys.insert(k.value.clone());
                }
                out.accepted.push(ok.item);
                out.accepted_rows.push(i);
            }
            Err(bad) => {
                let key = Rec {
                    header: ctx.header,
                    row: &rows[i],
                }
                .text(ctx.key_col);
                if !accepted_keys.contains(key) {
                    rejected_keys.entry(key).or_insert(line);
                }
                out.rejected.push((
                    i,
                    RowError {
                        file: ctx.file.to_owned(),
                        row: line,
                        column: bad.column,
                        reason: bad.reason,
                    },
                ));
            }
        }
    }
    Ok(out)
}

/// An Excel error value (#N/A, #REF!, ...) in any documented column rejects the row.
fn cell_errors(rec: &Rec<'_>) -> Result<(), Bad> {
    let mut cols: Vec<(&'static str, usize)> = rec.header.indices().collect();
    cols.sort_by_key(|(_, i)| *i);
    for (name, i) in cols {
        if let Some(c) = rec.row.cells.get(i)
            && c.kind == CellKind::Error
        {
            return Err(rec.bad(name, format!("the cell holds the error value {}", c.text)));
        }
    }
    Ok(())
}
