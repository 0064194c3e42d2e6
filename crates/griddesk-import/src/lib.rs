//! Import of the customer archive (organisation, staff, topology, customers, theft cases), of
//! billing and metering history (bills, payments, readings), of weekly and monthly
//! planned-outage plans and of the load-limiting sequence of orderly power use from CSV and
//! Excel (.xlsx) files. Column layouts: docs/import.md.
//!
//! One call imports one file of one kind. The file is read whole, every row is parsed with the
//! domain's validating constructors, checked for duplicate natural keys and for references (one
//! batched `Store::missing_references` call per referenced kind), and only then written:
//! archive records through the `Store` upserts, history into the Parquet lake. By default a file
//! with any bad row is rejected whole and nothing is written; with `skip_bad` the bad rows go to a
//! reject file and the rest is imported. Both sinks are idempotent on the file, so importing the
//! same file twice leaves the same contents.

mod columns;
mod kinds;
mod parse;
mod reject;
mod table;
mod validate;

use griddesk_lake::{LakeError, LakeWriter};
use griddesk_store::{Store, StoreError};
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Records per store upsert call or lake write call.
const BATCH: usize = 5_000;

/// What a file holds. Parsed from the CLI's `--kind` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportKind {
    OrgUnits,
    Staff,
    Substations,
    Feeders,
    Areas,
    Customers,
    TheftCases,
    Bills,
    Payments,
    Readings,
    OutagePlans,
    /// The load-limiting sequence (限电序位表): replaced whole by each import.
    OrderlySequence,
}

/// A `--kind` value that names no import kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown import kind {0:?}; expected one of: {list}", list = ImportKind::names().join(", "))]
pub struct UnknownImportKind(pub String);

impl ImportKind {
    /// Every kind, in the order a new company is best imported (references point backwards).
    pub const ALL: [ImportKind; 12] = [
        ImportKind::OrgUnits,
        ImportKind::Staff,
        ImportKind::Substations,
        ImportKind::Feeders,
        ImportKind::Areas,
        ImportKind::Customers,
        ImportKind::TheftCases,
        ImportKind::Bills,
        ImportKind::Payments,
        ImportKind::Readings,
        ImportKind::OutagePlans,
        ImportKind::OrderlySequence,
    ];

    /// The CLI name: "org-units", "staff", "substations", "feeders", "areas", "customers",
    /// "theft-cases", "bills", "payments", "readings", "outage-plans" or "orderly-sequence".
    pub fn name(self) -> &'static str {
        match self {
            ImportKind::OrgUnits => "org-units",
            ImportKind::Staff => "staff",
            ImportKind::Substations => "substations",
            ImportKind::Feeders => "feeders",
            ImportKind::Areas => "areas",
            ImportKind::Customers => "customers",
            ImportKind::TheftCases => "theft-cases",
            ImportKind::Bills => "bills",
            ImportKind::Payments => "payments",
            ImportKind::Readings => "readings",
            ImportKind::OutagePlans => "outage-plans",
            ImportKind::OrderlySequence => "orderly-sequence",
        }
    }

    /// Parses a CLI name (case-insensitive; '_' is accepted for '-').
    pub fn parse(s: &str) -> Result<ImportKind, UnknownImportKind> {
        let t = s.trim().to_ascii_lowercase().replace('_', "-");
        Self::ALL
            .into_iter()
            .find(|k| k.name() == t)
            .ok_or_else(|| UnknownImportKind(s.trim().to_owned()))
    }

    /// True for the kinds written to the Parquet lake rather than the store.
    pub fn goes_to_lake(self) -> bool {
        matches!(
            self,
            ImportKind::Bills | ImportKind::Payments | ImportKind::Readings
        )
    }

    fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|k| k.name()).collect()
    }
}

impl fmt::Display for ImportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ImportKind {
    type Err = UnknownImportKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// How to treat bad rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Import the good rows and write the bad ones to the reject file, instead of rejecting the
    /// whole file.
    pub skip_bad: bool,
    /// Where rejected rows go. Default with `skip_bad`: `<file>.rejects.csv` next to the input.
    /// Given without `skip_bad`, the reject file is written too (nothing else is).
    pub reject_file: Option<PathBuf>,
    /// The time outage-plan rows are checked at (a start far enough ahead for the public
    /// notice); default: the clock.
    pub now: Option<jiff::Timestamp>,
    /// The notice lead times outage-plan rows are checked against.
    pub notice: griddesk_domain::outage::NoticePolicy,
    /// Who outage-plan rows are recorded as written by (an audit id); default
    /// `system:import`.
    pub actor: Option<String>,
}

/// One rejected row: where it is and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The input file as given.
    pub file: String,
    /// Row number as a spreadsheet shows it: the header is row 1 (in an .xlsx sheet, the
    /// header's own sheet row).
    pub row: usize,
    /// Header of the offending column as written in the file (or the documented name when the
    /// column is absent).
    pub column: String,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.row, self.column, self.reason
        )
    }
}

/// What one import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub file: String,
    pub kind: ImportKind,
    /// Data rows in the file (blank rows not counted).
    pub rows: usize,
    /// Rows written to the store or the lake.
    pub imported: usize,
    /// Rows left out (only non-empty with `skip_bad`).
    pub rejected: Vec<RowError>,
    /// The reject file written, if any.
    pub reject_file: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file as a whole cannot be imported: unreadable, unknown extension, empty, or a
    /// required column missing (named in `reason`).
    #[error("{file}: {reason}")]
    Format { file: String, reason: String },
    /// All-or-nothing mode found bad rows; nothing was written.
    #[error("{} bad row(s), nothing imported; first: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
    Rejected(Vec<RowError>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Lake(#[from] LakeError),
}

/// Imports one file. See the module documentation and docs/import.md.
///
/// File reading, parsing and lake writing are blocking work done on the calling task; this is
/// meant for the CLI (or a `spawn_blocking`-tolerant caller), not for a request handler's hot path.
pub async fn import_file(
    store: &dyn Store,
    lake_root: &Path,
    kind: ImportKind,
    path: &Path,
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
        path: path.to_owned(),
        source,
    })?;
    let rejects =
        (opts.reject_file.clone()).or_else(|| opts.skip_bad.then(|| default_reject_path(path)));
    import_source(store, lake_root, kind, &file, &bytes, opts, rejects).await
}

/// Imports an uploaded file: `file_name` (its extension decides CSV or .xlsx) and its bytes.
/// Like [`import_file`], except that no reject file is written unless `opts.reject_file` names
/// one: the rejected rows are in the report.
pub async fn import_bytes(
    store: &dyn Store,
    lake_root: &Path,
    kind: ImportKind,
    file_name: &str,
    bytes: &[u8],
    opts: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    import_source(
        store,
        lake_root,
        kind,
        file_name,
        bytes,
        opts,
        opts.reject_file.clone(),
    )
    .await
}

async fn import_source(
    store: &dyn Store,
    lake_root: &Path,
    kind: ImportKind,
    file: &str,
    bytes: &[u8],
    opts: &ImportOptions,
    rejects: Option<PathBuf>,
) -> Result<ImportReport, ImportError> {
    let path = Path::new(file);
    let table = table::read(file, path, bytes)?;
    let spec = kinds::spec(kind);
    let header = columns::resolve(file, &table.headers, spec)?;
    let ctx = validate::Ctx {
        store,
        file,
        table: &table,
        header: &header,
        key_col: spec.columns[0].name,
    };
    let rejects = rejects.as_deref();

    let outcome = match kind {
        ImportKind::OrgUnits => {
            let out = validate::check(&ctx, kinds::org::org_unit).await?;
            let g = gate(&ctx, rejects, opts, &out)?;
            for c in out.accepted.chunks(BATCH) {
                store.upsert_org_units(c).await?;
            }
            g
        }
        ImportKind::Staff => {
            let out = validate::check(&ctx, kinds::org::staff).await?;
            let g = gate(&ctx, rejects, opts, &out)?;
            for c in out.accepted.chunks(BATCH) {
                store.upsert_staff(c).await?;
            }
            g
        }
        ImportKind::Substations => {
            let out = validate::check(&ctx, kinds::topology::substation).await?;
            let g = gate(&ctx, rejects, opts, &out)?;
            for c in out.accepted.chunks(BATCH) {
                store.upsert_substations(c).await?;
            }
            g
        }
        ImportKind::Feeders => {
            let out = validate::check(&ctx, kinds::topology::feeder).await?;
            let g = gate(&ctx, rejects, opts, &out)?;
            for c in out.accepted.chunks(BATCH) {
                store.upsert_feeders(c).await?;
            }
            g
        }
        ImportKind::Areas => {
            let out = validate::check(&ctx, kinds::topology::area).await?;
            let g = gate(&ctx, rejects, opts, &out)?;
            for c in out.accepted.chunks(BATCH) {
                store.upsert_areas(c).await?;
            }
            g
        }
        ImportKind::Customers => {
            let out = validate::check(&ctx, kinds::customer::customer).await?;
            let g = gate(&ctx, rejects, opts, &out)?;
            for c in out.accepted.chunks(BATCH) {
                store.upsert_customers(c).await?;
            }
            g
        }
        ImportKind::TheftCases => {
            let out = validate::check(&ctx, kinds::billing::theft_case).await?;
            let g = gate(&ctx, rejects, opts, &out)?;
            for c in out.accepted.chunks(BATCH) {
                store.upsert_theft_cases(c).await?;
            }
            g
        }
        ImportKind::Bills => {
            let out = validate::check(&ctx, kinds::billing::bill).await?;
            let g = gate(&ctx, rejects, opts, &out)?;
            write_lake(lake_root, bytes, &out.accepted, LakeWriter::write_bills)?;
            g
        }
        ImportKind::Payments => {
            let out = validate::check(&ctx, kinds::billing::payment).await?;
            let g = gate(&ctx, rejects, opts, &out)?;
            write_lake(lake_root, bytes, &out.accepted, LakeWriter::write_payments)?;
            g
        }
        ImportKind::Readings => {
            let out = validate::check(&ctx, kinds::billing::reading).await?;
            let g = gate(&ctx, rejects, opts, &out)?;
            write_lake(lake_root, bytes, &out.accepted, LakeWriter::write_readings)?;
            g
        }
        ImportKind::OutagePlans => {
            let now = opts.now.unwrap_or_else(jiff::Timestamp::now);
            let mut out = validate::check(&ctx, kinds::outage_plan::plan_row).await?;
            kinds::outage_plan::settle(&ctx, &mut out, now, &opts.notice).await?;
            let g = gate(&ctx, rejects, opts, &out)?;
            let by = opts.actor.as_deref().unwrap_or("system:import");
            // One call: a plan is small, and its rows are written all or none.
            store.upsert_outage_plans(&out.accepted, by, now).await?;
            g
        }
        ImportKind::OrderlySequence => {
            let out = validate::check(&ctx, kinds::orderly::sequence_entry).await?;
            let g = gate(&ctx, rejects, opts, &out)?;
            // The file is the whole list, written in one transaction: no batches.
            store.replace_orderly_sequence(&out.accepted).await?;
            g
        }
    };

    Ok(ImportReport {
        file: file.to_owned(),
        kind,
        rows: outcome.rows,
        imported: outcome.imported,
        rejected: outcome.rejected,
        reject_file: outcome.reject_file,
    })
}

/// The part of the report decided before writing.
struct Gate {
    rows: usize,
    imported: usize,
    rejected: Vec<RowError>,
    reject_file: Option<PathBuf>,
}

/// Applies the bad-row policy: writes the reject file when asked for, then either lets the
/// accepted rows through (`skip_bad`, or no bad rows) or stops the import before anything is
/// written.
fn gate<T>(
    ctx: &validate::Ctx<'_>,
    reject_path: Option<&Path>,
    opts: &ImportOptions,
    out: &validate::Outcome<T>,
) -> Result<Gate, ImportError> {
    // With skip_bad the reject file is always rewritten (possibly header-only), so it never
    // describes an earlier run.
    if let Some(p) = reject_path {
        reject::write(p, ctx.table, &out.rejected)?;
    }
    let rejected: Vec<RowError> = out.rejected.iter().map(|(_, e)| e.clone()).collect();
    if !opts.skip_bad && !rejected.is_empty() {
        return Err(ImportError::Rejected(rejected));
    }
    Ok(Gate {
        rows: out.rows,
        imported: out.accepted.len(),
        rejected,
        reject_file: reject_path.map(Path::to_owned),
    })
}

/// `<file>.rejects.csv` next to the input.
fn default_reject_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(ToOwned::to_owned).unwrap_or_default();
    name.push(".rejects.csv");
    path.with_file_name(name)
}

/// The lake file stem of an input file: the same bytes always give the same stem, so a
/// re-import replaces the files of the earlier one instead of adding to them.
pub fn lake_stem(file_bytes: &[u8]) -> String {
    let digest = Sha256::digest(file_bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("import-{}", &hex[..16])
}

fn write_lake<T>(
    lake_root: &Path,
    bytes: &[u8],
    items: &[T],
    write: fn(&mut LakeWriter, &[T]) -> Result<(), LakeError>,
) -> Result<(), ImportError> {
    // No accepted rows: nothing to write. Rows accepted by an earlier import of the same file are
    // accepted again (references only ever get added to the archive), so no stale file remains.
    if items.is_empty() {
        return Ok(());
    }
    let mut w = LakeWriter::create(lake_root, &lake_stem(bytes))?;
    for c in items.chunks(BATCH) {
        write(&mut w, c)?;
    }
    w.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_cli_names() {
        for k in ImportKind::ALL {
            assert_eq!(ImportKind::parse(k.name()), Ok(k));
            assert_eq!(k.to_string().parse::<ImportKind>(), Ok(k));
        }
        assert_eq!(ImportKind::parse("Theft_Cases"), Ok(ImportKind::TheftCases));
        let e = ImportKind::parse("meters").unwrap_err();
        assert!(e.to_string().contains("org-units"), "{e}");
    }

    #[test]
    fn row_error_display() {
        let e = RowError {
            file: "a.csv".into(),
            row: 3,
            column: "户号".into(),
            reason: "bad".into(),
        };
        assert_eq!(e.to_string(), "a.csv:3:户号: bad");
    }

    #[test]
    fn stem_is_sha256_prefix() {
        // sha256("") = e3b0c44298fc1c149afbf4c8996fb924...
        assert_eq!(lake_stem(b""), "import-e3b0c44298fc1c14");
    }

    #[test]
    fn default_reject_path_is_next_to_input() {
        assert_eq!(
            default_reject_path(Path::new("/x/customers.xlsx")),
            PathBuf::from("/x/customers.xlsx.rejects.csv")
        );
    }
}
