//! Per-kind column layouts and row parsers. Each parser turns one row into a domain record with
//! its natural keys and references, using the domain's validating constructors. The layouts here
//! are the ones docs/import.md documents (a test keeps the two in step).

pub(crate) mod billing;
pub(crate) mod customer;
pub(crate) mod orderly;
pub(crate) mod org;
pub(crate) mod outage_plan;
pub(crate) mod topology;

use crate::ImportKind;
use crate::columns::Spec;

/// The column layout of `kind`. The first column is the natural key.
pub(crate) fn spec(kind: ImportKind) -> Spec {
    match kind {
        ImportKind::OrgUnits => org::ORG_UNITS,
        ImportKind::Staff => org::STAFF,
        ImportKind::Substations => topology::SUBSTATIONS,
        ImportKind::Feeders => topology::FEEDERS,
        ImportKind::Areas => topology::AREAS,
        ImportKind::Customers => customer::CUSTOMERS,
        ImportKind::TheftCases => billing::THEFT_CASES,
        ImportKind::Bills => billing::BILLS,
        ImportKind::Payments => billing::PAYMENTS,
        ImportKind::Readings => billing::READINGS,
        ImportKind::OutagePlans => outage_plan::OUTAGE_PLANS,
        ImportKind::OrderlySequence => orderly::ORDERLY_SEQUENCE,
    }
}

/// Longest accepted name of a unit, person, line or area.
pub(crate) const NAME_MAX: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn docs(rel: &str) -> String {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs")
            .join(rel);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    /// docs/import.md names every column and alias, and each example file uses documented
    /// column names only, with every required column present.
    #[test]
    fn docs_and_examples_match_the_layouts() {
        let doc = docs("import.md");
        for kind in ImportKind::ALL {
            let s = spec(kind);
            assert!(doc.contains(&format!("`--kind {}`", kind.name())), "{kind}");
            let example = format!("import-examples/{}.csv", kind.name());
            assert!(doc.contains(&example), "{kind}");
            for c in s.columns {
                assert!(doc.contains(&format!("`{}`", c.name)), "{kind}: {}", c.name);
                for a in c.aliases {
                    assert!(doc.contains(&format!("`{a}`")), "{kind}: {a}");
                }
            }
            let text = docs(&example);
            let header: Vec<&str> = text.lines().next().unwrap_or_default().split(',').collect();
            for h in &header {
                assert!(s.columns.iter().any(|c| c.name == *h), "{kind}: {h}");
            }
            for c in s.columns.iter().filter(|c| c.required) {
                assert!(header.contains(&c.name), "{kind}: {}", c.name);
            }
        }
    }

    /// Within one layout no two columns accept the same header.
    #[test]
    fn headers_are_unambiguous() {
        for kind in ImportKind::ALL {
            let mut seen = std::collections::HashSet::new();
            for c in spec(kind).columns {
                for h in std::iter::once(&c.name).chain(c.aliases) {
                    assert!(
                        seen.insert(crate::columns::normalize(h)),
                        "{kind}: {h} used twice"
                    );
                }
            }
        }
    }
}
