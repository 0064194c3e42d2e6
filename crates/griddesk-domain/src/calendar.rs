//! Working-day calendar (D2): weekends are rest days, public holidays are rest days, and make-up
//! working days (调休上班, a Saturday or Sunday worked in exchange for a longer holiday) are
//! working days. The holidays are data, loaded from a file per year (`data/calendar/`), never
//! code.

use jiff::civil::{Date, Weekday};
use serde::Deserialize;
use std::collections::BTreeSet;

/// One year (or several) of holidays and make-up working days, as published by the State Council.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CalendarFile {
    /// Public holidays (rest days), including those that fall on weekends.
    #[serde(default)]
    pub holidays: Vec<Date>,
    /// Weekend days that are working days.
    #[serde(default)]
    pub makeup_workdays: Vec<Date>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    holidays: BTreeSet<Date>,
    makeup: BTreeSet<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("{0} is listed both as a holiday and as a make-up working day")]
    Both(Date),
    #[error("make-up working day {0} is not a Saturday or Sunday")]
    MakeupOnWeekday(Date),
}

impl WorkCalendar {
    /// A calendar with weekends only (no holiday data).
    pub fn weekends_only() -> Self {
        Self::default()
    }

    /// Merges calendar files (e.g. one per year), checking they are consistent.
    pub fn from_files<'a>(
        files: impl IntoIterator<Item = &'a CalendarFile>,
    ) -> Result<Self, CalendarError> {
        let mut c = WorkCalendar::default();
        for f in files {
            c.holidays.extend(f.holidays.iter().copied());
            c.makeup.extend(f.makeup_workdays.iter().copied());
        }
        if let Some(d) = c.holidays.intersection(&c.makeup).next() {
            return Err(CalendarError::Both(*d));
        }
        if let Some(d) = c.makeup.iter().find(|d| !is_weekend(**d)) {
            return Err(CalendarError::MakeupOnWeekday(*d));
        }
        Ok(c)
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        if self.makeup.contains(&d) {
            return true;
        }
        !self.holidays.contains(&d) && !is_weekend(d)
    }

    /// The date `n` working days after `d` (n = 0: `d` itself if it is a working day, else the
    /// next working day).
    pub fn add_working_days(&self, d: Date, n: u32) -> Date {
        let mut day = d;
        let mut left = n;
        if left == 0 {
            while !self.is_working_day(day) {
                day = next(day);
            }
            return day;
        }
        while left > 0 {
            day = next(day);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days in (from, to]: how many working days a span covers.
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = next(d);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn next(d: Date) -> Date {
    d.tomorrow().unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// National Day 2026 as published: 1-7 October off, Sunday 20 September and Saturday
    /// 10 October worked.
    fn golden_week() -> WorkCalendar {
        let f = CalendarFile {
            holidays: (1..=7).map(|d| date(2026, 10, d)).collect(),
            makeup_workdays: vec![date(2026, 9, 20), date(2026, 10, 10)],
        };
        WorkCalendar::from_files([&f]).unwrap()
    }

    #[test]
    fn weekends_holidays_and_makeup_days() {
        let c = golden_week();
        assert!(c.is_working_day(date(2026, 9, 30))); // Wednesday
        assert!(!c.is_working_day(date(2026, 10, 1))); // holiday
        assert!(!c.is_working_day(date(2026, 10, 3))); // holiday on a Saturday
        assert!(c.is_working_day(date(2026, 10, 10))); // make-up Saturday
        assert!(!c.is_working_day(date(2026, 10, 11))); // ordinary Sunday
        assert!(c.is_working_day(date(2026, 9, 20))); // make-up Sunday
    }

    #[test]
    fn adding_working_days_skips_the_holiday() {
        let c = golden_week();
        // Accepted Wednesday 30 Sept: 4 working days are Thu 8, Fri 9, Sat 10 (make-up), Mon 12.
        assert_eq!(c.add_working_days(date(2026, 9, 30), 4), date(2026, 10, 12));
        assert_eq!(c.add_working_days(date(2026, 10, 2), 0), date(2026, 10, 8));
        assert_eq!(c.add_working_days(date(2026, 9, 30), 0), date(2026, 9, 30));
        assert_eq!(
            c.working_days_between(date(2026, 9, 30), date(2026, 10, 12)),
            4
        );
        // Without holiday data only weekends rest.
        let w = WorkCalendar::weekends_only();
        assert_eq!(w.add_working_days(date(2026, 9, 30), 4), date(2026, 10, 6));
    }

    #[test]
    fn inconsistent_files_are_rejected() {
        let both = CalendarFile {
            holidays: vec![date(2026, 10, 10)],
            makeup_workdays: vec![date(2026, 10, 10)],
        };
        assert_eq!(
            WorkCalendar::from_files([&both]),
            Err(CalendarError::Both(date(2026, 10, 10)))
        );
        let weekday = CalendarFile {
            holidays: vec![],
            makeup_workdays: vec![date(2026, 10, 9)],
        };
        assert!(matches!(
            WorkCalendar::from_files([&weekday]),
            Err(CalendarError::MakeupOnWeekday(_))
        ));
    }
}
