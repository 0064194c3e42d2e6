//! The company's service rules as data: the SLA policy (a TOML file, defaults of D2) and the
//! working-day calendar (the holiday files under `data/calendar/`, embedded at build time so a
//! fresh install has them).

use griddesk_domain::calendar::{CalendarFile, WorkCalendar};
use griddesk_domain::sla::SlaPolicy;

/// Holiday files shipped with GridDesk, one per year.
const CALENDAR_FILES: &[(&str, &str)] = &[
    (
        "cn-2025.toml",
        include_str!("../../../data/calendar/cn-2025.toml"),
    ),
    (
        "cn-2026.toml",
        include_str!("../../../data/calendar/cn-2026.toml"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("{file}: {reason}")]
    Invalid { file: String, reason: String },
}

fn invalid(file: &str, reason: impl std::fmt::Display) -> RulesError {
    RulesError::Invalid {
        file: file.to_owned(),
        reason: reason.to_string(),
    }
}

/// The service rules in force.
#[derive(Debug, Clone)]
pub struct ServiceRules {
    pub policy: SlaPolicy,
    pub calendar: WorkCalendar,
}

impl ServiceRules {
    /// D2's defaults with the shipped holiday calendar.
    pub fn standard() -> Result<Self, RulesError> {
        Ok(Self {
            policy: SlaPolicy::default(),
            calendar: shipped_calendar()?,
        })
    }
}

/// Parses holiday files: (name, TOML text).
pub fn calendar_from(files: &[(&str, &str)]) -> Result<WorkCalendar, RulesError> {
    let parsed = files
        .iter()
        .map(|(name, text)| toml::from_str::<CalendarFile>(text).map_err(|e| invalid(name, e)))
        .collect::<Result<Vec<_>, _>>()?;
    WorkCalendar::from_files(&parsed).map_err(|e| invalid("calendar", e))
}

pub fn shipped_calendar() -> Result<WorkCalendar, RulesError> {
    calendar_from(CALENDAR_FILES)
}

/// Parses and checks an SLA policy file (keys left out keep their defaults).
pub fn policy_from(name: &str, text: &str) -> Result<SlaPolicy, RulesError> {
    let p: SlaPolicy = toml::from_str(text).map_err(|e| invalid(name, e))?;
    p.validate().map_err(|e| invalid(name, e))?;
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn shipped_calendar_knows_the_holidays() {
        let c = shipped_calendar().unwrap();
        assert!(!c.is_working_day(date(2026, 2, 17))); // Spring Festival
        assert!(c.is_working_day(date(2026, 2, 28))); // make-up Saturday
        assert!(!c.is_working_day(date(2025, 10, 8)));
        assert!(c.is_working_day(date(2026, 11, 23)));
    }

    #[test]
    fn the_shipped_policy_file_is_the_default() {
        let p = policy_from("sla.toml", include_str!("../../../data/sla.toml")).unwrap();
        assert_eq!(p, SlaPolicy::default());
        let partial = policy_from("x", "opinion_working_days = 7").unwrap();
        assert_eq!(partial.opinion_working_days, 7);
        assert_eq!(partial.complaint_reply_working_days, 4);
        let e = policy_from("x", "opinion_working_days = 0")
            .unwrap_err()
            .to_string();
        assert!(e.contains("opinion_working_days"), "{e}");
        let e = policy_from("x", "bogus = 1").unwrap_err().to_string();
        assert!(e.contains("bogus"), "{e}");
    }
}
