//! Reading an input file into a table of text cells: CSV (UTF-8, optional BOM) or the first
//! worksheet of an .xlsx workbook. Spreadsheet cells are converted to the text a user would type:
//! integral numbers without ".0", dates as YYYY-MM-DD, date-times as YYYY-MM-DD HH:MM:SS.

use crate::ImportError;
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;
use std::path::Path;

/// What a cell held in the file, for the few columns that treat numbers specially (customer
/// numbers are zero-padded; phone numbers get a hint about text cells).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CellKind {
    Text,
    Number,
    Date,
    Bool,
    /// An Excel error value (#N/A, #DIV/0!, ...); `text` holds it.
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cell {
    pub text: String,
    pub kind: CellKind,
}

impl Cell {
    fn text(s: impl Into<String>) -> Self {
        Cell {
            text: s.into(),
            kind: CellKind::Text,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// Spreadsheet row number (header row = 1 for CSV).
    pub line: usize,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub headers: Vec<String>,
    /// Data rows, blank rows left out.
    pub rows: Vec<Row>,
}

/// Reads `bytes` (the content of `path`) as CSV or XLSX, chosen by the extension.
pub(crate) fn read(file: &str, path: &Path, bytes: &[u8]) -> Result<Table, ImportError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let table = match ext.as_deref() {
        Some("csv") => read_csv(file, bytes)?,
        Some("xlsx") => read_xlsx(file, bytes)?,
        _ => {
            return Err(format_err(
                file,
                "unknown file type: expected a .csv (UTF-8) or .xlsx file",
            ));
        }
    };
    if table.headers.iter().all(|h| h.trim().is_empty()) {
        return Err(format_err(file, "the file is empty: expected a header row"));
    }
    Ok(table)
}

pub(crate) fn format_err(file: &str, reason: impl Into<String>) -> ImportError {
    ImportError::Format {
        file: file.to_owned(),
        reason: reason.into(),
    }
}

fn read_csv(file: &str, bytes: &[u8]) -> Result<Table, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut headers = Vec::new();
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut index = 0usize;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(format_err(file, format!("not a readable CSV file: {e}"))),
        }
        index += 1;
        let mut cells = Vec::with_capacity(record.len());
        for field in record.iter() {
            let s = std::str::from_utf8(field).map_err(|_| {
                format_err(
                    file,
                    format!(
                        "row {index} is not UTF-8 text: save the file as \"CSV UTF-8\" \
                         (GBK and other encodings are not supported)"
                    ),
                )
            })?;
            cells.push(Cell::text(s));
        }
        if index == 1 {
            headers = cells.into_iter().map(|c| c.text).collect();
        } else if !is_blank(&cells) {
            rows.push(Row { line: index, cells });
        }
    }
    Ok(Table { headers, rows })
}

fn read_xlsx(file: &str, bytes: &[u8]) -> Result<Table, ImportError> {
    let mut book = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| format_err(file, format!("not a readable .xlsx workbook: {e}")))?;
    let range = match book.worksheet_range_at(0) {
        None => return Err(format_err(file, "the workbook has no worksheet")),
        Some(Err(e)) => {
            return Err(format_err(
                file,
                format!("the first worksheet cannot be read: {e}"),
            ));
        }
        Some(Ok(r)) => r,
    };
    // The range starts at the first used cell; keep the sheet's own row numbers for reports.
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for (i, raw) in range.rows().enumerate() {
        let cells: Vec<Cell> = raw.iter().map(convert).collect();
        if is_blank(&cells) {
            continue;
        }
        let line = first_row + i + 1;
        if headers.is_none() {
            headers = Some(cells.into_iter().map(|c| c.text).collect());
        } else {
            rows.push(Row { line, cells });
        }
    }
    Ok(Table {
        headers: headers.unwrap_or_default(),
        rows,
    })
}

fn is_blank(cells: &[Cell]) -> bool {
    cells.iter().all(|c| c.text.trim().is_empty())
}

/// Largest integral value a double holds exactly; beyond it digits were already lost in Excel.
const EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

fn convert(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::text(""),
        Data::String(s) => Cell::text(s.clone()),
        Data::Int(i) => Cell {
            text: i.to_string(),
            kind: CellKind::Number,
        },
        Data::Float(f) => Cell {
            text: float_text(*f),
            kind: CellKind::Number,
        },
        Data::Bool(b) => Cell {
            text: b.to_string(),
            kind: CellKind::Bool,
        },
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            let text = if (h, mi, s, ms) == (0, 0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            };
            Cell {
                text,
                kind: CellKind::Date,
            }
        }
        // A duration has no meaning in any import column; its number fails the column's parse.
        Data::DateTime(dt) => Cell {
            text: float_text(dt.as_f64()),
            kind: CellKind::Number,
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell {
            text: s.clone(),
            kind: CellKind::Date,
        },
        Data::Error(e) => Cell {
            text: e.to_string(),
            kind: CellKind::Error,
        },
    }
}

/// Integral floats print as integers (a customer number typed into a number cell must not become
/// "1234567890.0" or "1.23E9"); others print in plain decimal notation.
fn float_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() <= EXACT_INTEGER {
        // In range by the check above, so the cast is exact.
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(s: &str) -> Table {
        read("t.csv", Path::new("t.csv"), s.as_bytes()).unwrap()
    }

    #[test]
    fn csv_with_bom_and_blank_lines() {
        let t = csv("\u{feff}a,b\n1,2\n\n,\n3\n");
        assert_eq!(t.headers, ["a", "b"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].line, 2);
        assert_eq!(t.rows[0].cells[1].text, "2");
        // Short rows are allowed; missing cells are read as empty.
        assert_eq!(t.rows[1].cells.len(), 1);
    }

    #[test]
    fn csv_rejects_non_utf8_and_empty() {
        let gbk = b"a\n\xbb\xa7\xba\xc5\n";
        let e = read("t.csv", Path::new("t.csv"), gbk).unwrap_err();
        assert!(e.to_string().contains("UTF-8"), "{e}");
        let e = read("t.csv", Path::new("t.csv"), b"").unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
        let e = read("t.txt", Path::new("t.txt"), b"a\n1\n").unwrap_err();
        assert!(e.to_string().contains("unknown file type"), "{e}");
    }

    #[test]
    fn floats_print_as_typed() {
        assert_eq!(float_text(1234567890.0), "1234567890");
        assert_eq!(float_text(12.5), "12.5");
        assert_eq!(float_text(0.38), "0.38");
        assert_eq!(float_text(-3.0), "-3");
        assert_eq!(float_text(1e20), "100000000000000000000");
    }

    #[test]
    fn not_an_xlsx() {
        let e = read("t.xlsx", Path::new("t.xlsx"), b"a,b\n").unwrap_err();
        assert!(matches!(e, ImportError::Format { .. }), "{e}");
    }
}
