//! Local time of the company: Asia/Shanghai. Everything is stored in UTC; pages and "today" use
//! this zone.

use jiff::Timestamp;
use jiff::tz::{Offset, TimeZone};
use std::sync::OnceLock;

/// Asia/Shanghai from the system's tz database, or UTC+8 (China has had no DST since 1991) when
/// the database is missing.
pub fn shanghai() -> &'static TimeZone {
    static TZ: OnceLock<TimeZone> = OnceLock::new();
    TZ.get_or_init(|| {
        TimeZone::get("Asia/Shanghai").unwrap_or_else(|_| TimeZone::fixed(Offset::constant(8)))
    })
}

/// The current instant (UTC).
pub fn now() -> Timestamp {
    Timestamp::now()
}

/// `ts` plus `minutes` (saturating at the end of jiff's range).
pub fn add_minutes(ts: Timestamp, minutes: i64) -> Timestamp {
    ts.checked_add(jiff::SignedDuration::from_mins(minutes))
        .unwrap_or(Timestamp::MAX)
}

/// Today's date in Asia/Shanghai.
pub fn today() -> jiff::civil::Date {
    Timestamp::now().to_zoned(shanghai().clone()).date()
}

/// "2026-03-05 10:23" in Asia/Shanghai.
pub fn local_minute(ts: Timestamp) -> String {
    ts.to_zoned(shanghai().clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// RFC 3339 with the +08:00 offset, for the API.
pub fn local_rfc3339(ts: Timestamp) -> String {
    ts.to_zoned(shanghai().clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Local date of an instant.
pub fn local_date(ts: Timestamp) -> jiff::civil::Date {
    ts.to_zoned(shanghai().clone()).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_shanghai() {
        let ts: Timestamp = "2026-03-04T18:30:00Z".parse().unwrap();
        assert_eq!(local_minute(ts), "2026-03-05 02:30");
        assert_eq!(local_rfc3339(ts), "2026-03-05T02:30:00+08:00");
    }
}
