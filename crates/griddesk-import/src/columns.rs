//! Column specifications and header matching. A header matches a column when, after trimming,
//! lower-casing, turning spaces and '-' into '_' and dropping a trailing unit in parentheses
//! ("合同容量(kVA)"), it equals the column's documented name or one of its aliases (Chinese names
//! included). Unknown columns are ignored.

use crate::ImportError;
use crate::table::format_err;
use std::collections::HashMap;

/// One documented column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Col {
    /// Documented English name; also the key parsers use.
    pub name: &'static str,
    /// Other accepted headers (Chinese first).
    pub aliases: &'static [&'static str],
    /// The column must be present in the header (its cells may still be optional).
    pub required: bool,
}

pub(crate) const fn req(name: &'static str, aliases: &'static [&'static str]) -> Col {
    Col {
        name,
        aliases,
        required: true,
    }
}

pub(crate) const fn opt(name: &'static str, aliases: &'static [&'static str]) -> Col {
    Col {
        name,
        aliases,
        required: false,
    }
}

/// The column layout of one kind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spec {
    pub columns: &'static [Col],
    /// Groups of optional columns of which at least one must be present.
    pub one_of: &'static [&'static [&'static str]],
}

/// Where each documented column is in the file.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    /// Column name -> (index in the row, header text as written).
    found: HashMap<&'static str, (usize, String)>,
}

impl Header {
    pub fn index(&self, name: &str) -> Option<usize> {
        self.found.get(name).map(|(i, _)| *i)
    }

    /// The header as the user wrote it, or the documented name if the column is absent.
    pub fn label(&self, name: &'static str) -> String {
        self.found
            .get(name)
            .map_or_else(|| name.to_owned(), |(_, h)| h.clone())
    }

    /// Every mapped column index.
    pub fn indices(&self) -> impl Iterator<Item = (&'static str, usize)> + '_ {
        self.found.iter().map(|(n, (i, _))| (*n, *i))
    }
}

pub(crate) fn normalize(h: &str) -> String {
    let mut t = h
        .trim()
        .trim_start_matches('\u{feff}')
        .trim()
        .to_lowercase();
    // Drop a trailing unit such as "(kVA)" or "（千伏安）".
    for (open, close) in [('(', ')'), ('（', '）')] {
        if t.ends_with(close)
            && let Some(i) = t.rfind(open)
            && i > 0
        {
            t.truncate(i);
            t = t.trim_end().to_owned();
        }
    }
    t.chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

/// Maps the file's headers onto `spec`, failing on a missing required column or on two headers
/// naming the same column.
pub(crate) fn resolve(file: &str, headers: &[String], spec: Spec) -> Result<Header, ImportError> {
    let mut found: HashMap<&'static str, (usize, String)> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let n = normalize(h);
        if n.is_empty() {
            continue;
        }
        let Some(col) = spec
            .columns
            .iter()
            .find(|c| normalize(c.name) == n || c.aliases.iter().any(|a| normalize(a) == n))
        else {
            continue;
        };
        if let Some((_, first)) = found.get(col.name) {
            return Err(format_err(
                file,
                format!(
                    "columns {:?} and {:?} both mean {}; keep one",
                    first,
                    h.trim(),
                    col.name
                ),
            ));
        }
        found.insert(col.name, (i, h.trim().to_owned()));
    }
    let missing: Vec<String> = spec
        .columns
        .iter()
        .filter(|c| c.required && !found.contains_key(c.name))
        .map(describe)
        .collect();
    if !missing.is_empty() {
        return Err(format_err(
            file,
            format!("missing required column(s): {}", missing.join(", ")),
        ));
    }
    for group in spec.one_of {
        if !group.iter().any(|n| found.contains_key(n)) {
            return Err(format_err(
                file,
                format!("missing column: one of {} is required", group.join(" or ")),
            ));
        }
    }
    Ok(Header { found })
}

fn describe(c: &Col) -> String {
    match c.aliases.first() {
        Some(a) => format!("{} ({a})", c.name),
        None => c.name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: Spec = Spec {
        columns: &[
            req("customer_no", &["户号"]),
            req("capacity_kva", &["合同容量"]),
            opt("email", &["电子邮箱"]),
        ],
        one_of: &[],
    };

    fn hs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn matches_names_aliases_and_units() {
        let h = resolve("f", &hs(&["x", " Customer No ", "合同容量（kVA）"]), SPEC).unwrap();
        assert_eq!(h.index("customer_no"), Some(1));
        assert_eq!(h.index("capacity_kva"), Some(2));
        assert_eq!(h.index("email"), None);
        assert_eq!(h.label("customer_no"), "Customer No");
        assert_eq!(h.label("email"), "email");
        let h = resolve("f", &hs(&["户号", "CAPACITY_KVA"]), SPEC).unwrap();
        assert_eq!(h.index("customer_no"), Some(0));
    }

    #[test]
    fn names_missing_and_doubled_columns() {
        let e = resolve("f", &hs(&["户号"]), SPEC).unwrap_err().to_string();
        assert!(e.contains("capacity_kva (合同容量)"), "{e}");
        let e = resolve("f", &hs(&["户号", "customer_no", "capacity_kva"]), SPEC)
            .unwrap_err()
            .to_string();
        assert!(e.contains("both mean customer_no"), "{e}");
    }
}
