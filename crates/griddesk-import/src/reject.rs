//! The reject file: the rejected rows as CSV with the file's own columns plus `error_column` and
//! `error_reason`, so a user can fix them in a spreadsheet and import the reject file itself
//! (the extra columns are ignored on import). Written as UTF-8 with a BOM, which Excel needs to
//! show Chinese text correctly.

use crate::table::Table;
use crate::{ImportError, RowError};
use std::io::Write;
use std::path::Path;

pub(crate) fn write(
    path: &Path,
    table: &Table,
    rejected: &[(usize, RowError)],
) -> Result<(), ImportError> {
    let io = |source: std::io::Error| ImportError::Io {
        path: path.to_owned(),
        source,
    };
    let csv_err = |e: csv::Error| io(std::io::Error::other(e));
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    file.write_all(b"\xEF\xBB\xBF").map_err(io)?;
    let mut w = csv::WriterBuilder::new().flexible(false).from_writer(file);
    let width = table.headers.len();
    let mut header: Vec<&str> = table.headers.iter().map(String::as_str).collect();
    header.extend(["error_column", "error_reason"]);
    w.write_record(&header).map_err(csv_err)?;
    for (i, e) in rejected {
        let cells = table
            .rows
            .get(*i)
            .map(|r| r.cells.as_slice())
            .unwrap_or_default();
        let mut record: Vec<&str> = (0..width)
            .map(|c| cells.get(c).map_or("", |cell| cell.text.as_str()))
            .collect();
        record.extend([e.column.as_str(), e.reason.as_str()]);
        w.write_record(&record).map_err(csv_err)?;
    }
    let file = w.into_inner().map_err(|e| io(e.into_error()))?;
    file.into_inner()
        .map_err(|e| io(e.into_error()))?
        .sync_all()
        .map_err(io)?;
    Ok(())
}
