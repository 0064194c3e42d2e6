//! Reading typed values out of one row: the helpers every kind's row parser uses. Each failure is
//! a [`Bad`] naming the column (as the file spells it) and the reason.

use crate::columns::Header;
use crate::table::{Cell, CellKind, Row};
use griddesk_domain::ParseError;
use griddesk_domain::values::{CustomerNo, parse_decimal};
use jiff::civil::{Date, DateTime, Time};
use rust_decimal::Decimal;

/// Why a row is rejected: the column (header text) and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bad {
    pub column: String,
    pub reason: String,
}

/// One row seen through the file's header.
pub(crate) struct Rec<'a> {
    pub header: &'a Header,
    pub row: &'a Row,
}

impl<'a> Rec<'a> {
    pub fn cell(&self, col: &str) -> Option<&'a Cell> {
        self.header.index(col).and_then(|i| self.row.cells.get(i))
    }

    /// Trimmed cell text; "" when the column or the cell is absent.
    pub fn text(&self, col: &str) -> &'a str {
        self.cell(col).map_or("", |c| c.text.trim())
    }

    pub fn is_number(&self, col: &str) -> bool {
        self.cell(col).is_some_and(|c| c.kind == CellKind::Number)
    }

    pub fn bad(&self, col: &'static str, reason: impl Into<String>) -> Bad {
        Bad {
            column: self.header.label(col),
            reason: reason.into(),
        }
    }

    /// A bad row from a domain validation error, pointed at the column it names.
    pub fn bad_parse(&self, col: &'static str, e: ParseError) -> Bad {
        self.bad(col, e.reason)
    }

    /// Non-empty text.
    pub fn required(&self, col: &'static str) -> Result<&'a str, Bad> {
        match self.text(col) {
            "" => Err(self.bad(col, "a value is required")),
            t => Ok(t),
        }
    }

    /// Text, or None when blank.
    pub fn optional(&self, col: &'static str) -> Option<&'a str> {
        Some(self.text(col)).filter(|t| !t.is_empty())
    }

    /// A required value through a domain parser.
    pub fn parse<T>(
        &self,
        col: &'static str,
        f: impl FnOnce(&str) -> Result<T, ParseError>,
    ) -> Result<T, Bad> {
        let t = self.required(col)?;
        f(t).map_err(|e| self.bad_parse(col, e))
    }

    /// An optional value through a domain parser.
    pub fn parse_opt<T>(
        &self,
        col: &'static str,
        f: impl FnOnce(&str) -> Result<T, ParseError>,
    ) -> Result<Option<T>, Bad> {
        self.optional(col)
            .map(|t| f(t).map_err(|e| self.bad_parse(col, e)))
            .transpose()
    }

    /// Free text of at most `max` characters, without control characters.
    pub fn name(&self, col: &'static str, max: usize) -> Result<String, Bad> {
        let t = self.required(col)?;
        check_text(t, max).map_err(|r| self.bad(col, r))?;
        Ok(t.to_owned())
    }

    /// Optional free text (empty when blank).
    pub fn free_text(&self, col: &'static str, max: usize) -> Result<String, Bad> {
        let t = self.text(col);
        check_text(t, max).map_err(|r| self.bad(col, r))?;
        Ok(t.to_owned())
    }

    /// A customer number. A number cell lost the leading zeros in the spreadsheet; as customer
    /// numbers are always 10 digits they are put back.
    pub fn customer_no(&self, col: &'static str) -> Result<CustomerNo, Bad> {
        let t = self.required(col)?;
        let padded;
        let t = if self.is_number(col) && t.len() < 10 && t.bytes().all(|b| b.is_ascii_digit()) {
            padded = format!("{t:0>10}");
            padded.as_str()
        } else {
            t
        };
        CustomerNo::parse(t).map_err(|e| self.bad_parse(col, e))
    }

    pub fn date(&self, col: &'static str) -> Result<Date, Bad> {
        let t = self.required(col)?;
        parse_date(t).map_err(|r| self.bad(col, r))
    }

    pub fn timestamp(&self, col: &'static str) -> Result<jiff::Timestamp, Bad> {
        let t = self.required(col)?;
        // A date-time cell at exactly midnight is read as a bare date.
        let is_date_cell = self.cell(col).is_some_and(|c| c.kind == CellKind::Date);
        let midnight;
        let t = if is_date_cell && !t.contains(':') {
            midnight = format!("{t} 00:00:00");
            midnight.as_str()
        } else {
            t
        };
        parse_timestamp(t).map_err(|r| self.bad(col, r))
    }

    /// A yes/no value; blank is `default`.
    pub fn flag(&self, col: &'static str, default: Option<bool>) -> Result<bool, Bad> {
        match (self.optional(col), default) {
            (None, Some(d)) => Ok(d),
            (None, None) => Err(self.bad(col, "a value is required (yes/no)")),
            (Some(t), _) => parse_bool(t).ok_or_else(|| {
                self.bad(
                    col,
                    format!("{t:?} is not yes/no: use true/false, yes/no, 1/0 or 是/否"),
                )
            }),
        }
    }

    /// A decimal that must not be negative.
    pub fn non_negative(&self, col: &'static str) -> Result<Decimal, Bad> {
        let d = self.parse(col, |s| parse_decimal(col, s))?;
        if d.is_sign_negative() && !d.is_zero() {
            return Err(self.bad(col, format!("{d} is negative")));
        }
        Ok(d)
    }
}

fn check_text(t: &str, max: usize) -> Result<(), String> {
    if t.chars().count() > max {
        return Err(format!("longer than {max} characters"));
    }
    if t.chars().any(char::is_control) {
        return Err("contains control characters".into());
    }
    Ok(())
}

/// Splits a list cell on ';' (or the full-width '；'), dropping blanks.
pub(crate) fn split_list(t: &str) -> Vec<&str> {
    t.split([';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

pub(crate) fn parse_bool(t: &str) -> Option<bool> {
    match t.trim().to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "是" | "有" => Some(true),
        "false" | "no" | "n" | "0" | "否" | "无" => Some(false),
        _ => None,
    }
}

/// YYYY-MM-DD or YYYY/M/D, optionally followed by a midnight time (as date cells exported by
/// spreadsheets sometimes are).
pub(crate) fn parse_date(t: &str) -> Result<Date, String> {
    let bad = || format!("{t:?} is not a date: expected YYYY-MM-DD");
    let t = t.trim();
    let (day, time) = match t.split_once([' ', 'T']) {
        Some((d, rest)) => (d, Some(rest.trim())),
        None => (t, None),
    };
    if let Some(time) = time {
        let midnight = time.parse::<Time>().is_ok_and(|tm| tm == Time::midnight());
        if !midnight {
            return Err(bad());
        }
    }
    let parts: Vec<&str> = day.split(['-', '/']).collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let ok_len = y.len() == 4 && (1..=2).contains(&m.len()) && (1..=2).contains(&d.len());
    if !ok_len {
        return Err(bad());
    }
    let y: i16 = y.parse().map_err(|_| bad())?;
    let m: i8 = m.parse().map_err(|_| bad())?;
    let d: i8 = d.parse().map_err(|_| bad())?;
    Date::new(y, m, d).map_err(|_| format!("{t:?} is not a valid calendar date"))
}

/// China Standard Time. Asia/Shanghai has been UTC+8 without daylight saving since 1991, so a
/// fixed offset is exact for every date an import holds and needs no time-zone database.
const SHANGHAI: jiff::tz::TimeZone = jiff::tz::TimeZone::fixed(jiff::tz::offset(8));

/// RFC 3339 (with offset or Z), or "YYYY-MM-DD HH:MM[:SS]" as Asia/Shanghai local time.
pub(crate) fn parse_timestamp(t: &str) -> Result<jiff::Timestamp, String> {
    let t = t.trim();
    if let Ok(ts) = t.parse::<jiff::Timestamp>() {
        return Ok(ts);
    }
    let bad = || {
        format!(
            "{t:?} is not a time: expected RFC 3339 (2026-03-05T09:30:00+08:00) \
             or YYYY-MM-DD HH:MM:SS (Beijing time)"
        )
    };
    let (day, time) = t.split_once([' ', 'T']).ok_or_else(bad)?;
    let date = parse_date(day).map_err(|_| bad())?;
    let time: Time = time.trim().parse().map_err(|_| bad())?;
    SHANGHAI
        .to_timestamp(DateTime::from_parts(date, time))
        .map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("2026-03-05").unwrap().to_string(), "2026-03-05");
        assert_eq!(parse_date("2026/3/5").unwrap().to_string(), "2026-03-05");
        assert_eq!(
            parse_date("2026-03-05 00:00:00").unwrap().to_string(),
            "2026-03-05"
        );
        assert_eq!(
            parse_date("2026-03-05T00:00:00").unwrap().to_string(),
            "2026-03-05"
        );
        for bad in [
            "2026-02-30",
            "26-3-5",
            "20260305",
            "2026-03-05 10:00:00",
            "x",
            "",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timestamps_local_time_is_beijing() {
        let ts = parse_timestamp("2026-03-05 09:30:00").unwrap();
        assert_eq!(ts.to_string(), "2026-03-05T01:30:00Z");
        let ts = parse_timestamp("2026/3/5 09:30").unwrap();
        assert_eq!(ts.to_string(), "2026-03-05T01:30:00Z");
        let ts = parse_timestamp("2026-03-05T09:30:00+08:00").unwrap();
        assert_eq!(ts.to_string(), "2026-03-05T01:30:00Z");
        let ts = parse_timestamp("2026-03-05T01:30:00Z").unwrap();
        assert_eq!(ts.to_string(), "2026-03-05T01:30:00Z");
        assert!(parse_timestamp("2026-03-05").is_err());
        assert!(parse_timestamp("yesterday").is_err());
    }

    #[test]
    fn booleans_and_lists() {
        assert_eq!(parse_bool("是"), Some(true));
        assert_eq!(parse_bool("FALSE"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
        assert_eq!(split_list(" a; b；;c "), ["a", "b", "c"]);
    }
}
