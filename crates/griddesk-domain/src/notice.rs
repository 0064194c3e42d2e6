//! Notices about outages (D3): what is said to whom, and the rules of the notification outbox.
//!
//! Every message to a customer goes through an outbox in the database: one row per recipient,
//! with its delivery status. The dispatcher claims due rows, hands each to a channel with the
//! row's stable idempotency key, and records the outcome; a failed delivery is retried with
//! exponential backoff until [`RetryPolicy::max_attempts`]. A row claimed by a dispatcher that
//! died is taken up again when its lease runs out, under the same key, so a channel that
//! remembers keys (the log file, an SMS gateway honouring `Idempotency-Key`, an MTA keyed on
//! `Message-ID`) never delivers it twice.
//!
//! Key and important customers also get a personal notice before an announced outage and a
//! callback after restoration (D3, D5): those are tasks for people, recorded with who did them,
//! how, when, and whether the customer acknowledged.

use crate::outage::OutageKind;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

code_enum! {
    /// Why a customer is told.
    NoticePurpose, "purpose" {
        /// An announced outage (planned maintenance, orderly power use): ahead of it.
        Announced = "announced", "停电预告", "Outage announcement";
        /// A fault outage: as soon as it is known, with the estimated restoration time.
        Fault = "fault", "故障停电通知", "Fault outage notice";
        Restored = "restored", "恢复送电通知", "Restoration notice";
        /// Customers already told learn the new estimated restoration time.
        EtaChanged = "eta_changed", "恢复时间调整通知", "Restoration time update";
        /// Customers told of an announced outage learn that it will not happen.
        Cancelled = "cancelled", "停电取消通知", "Cancellation notice";
    }
}

impl NoticePurpose {
    /// Whether one outage may send this more than once: every change of the restoration time
    /// is news, every other purpose happens once in an outage's life.
    pub fn repeats(self) -> bool {
        self == NoticePurpose::EtaChanged
    }
}

code_enum! {
    /// How a message travels.
    NoticeChannel, "channel" {
        Sms = "sms", "短信", "SMS";
        Email = "email", "电子邮件", "E-mail";
    }
}

code_enum! {
    /// Where one recipient's message is.
    DeliveryStatus, "status" {
        Pending = "pending", "待发送", "Pending";
        /// Handed to a channel; the outcome is not recorded yet.
        Sending = "sending", "发送中", "Sending";
        Sent = "sent", "已发送", "Sent";
        /// Given up after the last attempt, or refused for good by the channel.
        Failed = "failed", "发送失败", "Failed";
    }
}

code_enum! {
    /// Work for a person around an outage of a key or important customer.
    TaskKind, "kind" {
        /// Told in person ≥ 24 h before an announced outage.
        PersonalNotice = "personal_notice", "专人告知", "Personal notice";
        /// Called back after restoration, never at night.
        Callback = "callback", "送电后回访", "Post-restoration callback";
    }
}

code_enum! {
    /// How a customer was reached for a personal notice or callback.
    ContactMethod, "method" {
        Phone = "phone", "电话", "Phone";
        Sms = "sms", "短信", "SMS";
        Written = "written", "书面通知", "Written notice";
        Visit = "visit", "上门", "Visit";
    }
}

/// Which notice a step from `from` to `to` sends (`eta_changed`: the step gives a new estimated
/// restoration time). Announced outages tell their customers when they are announced (the
/// notify step); faults when they are confirmed or a crew is sent (an inferred fault is only
/// suspected until then, and a false alarm must not reach thousands of phones); every outage
/// tells them when power is back. Customers already told also hear of a new restoration time
/// and of an announced outage called off.
pub fn purpose_of_step(
    kind: OutageKind,
    from: crate::outage::OutageStatus,
    to: crate::outage::OutageStatus,
    eta_changed: bool,
) -> Option<NoticePurpose> {
    use crate::outage::OutageStatus as S;
    // Whether the outage's customers were told of it before this step.
    let told = match kind {
        OutageKind::Planned | OutageKind::Orderly => matches!(from, S::Notified | S::Started),
        OutageKind::Fault => matches!(from, S::Confirmed | S::CrewDispatched),
        // Arrears disconnections have their own notices (D6), sent by the collection work.
        OutageKind::Arrears => return None,
    };
    match (kind, to) {
        (OutageKind::Planned | OutageKind::Orderly, S::Notified) if !told => {
            Some(NoticePurpose::Announced)
        }
        // A dispatcher may send a crew straight away without confirming first: either step
        // is the company standing behind the fault, so customers hear of it then.
        (OutageKind::Fault, S::Confirmed | S::CrewDispatched) if !told => {
            Some(NoticePurpose::Fault)
        }
        (_, S::Restored) => Some(NoticePurpose::Restored),
        (_, S::Cancelled) if told => Some(NoticePurpose::Cancelled),
        _ if told && eta_changed => Some(NoticePurpose::EtaChanged),
        _ => None,
    }
}

/// Retries, backoff and the dispatcher's lease on a claimed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryPolicy {
    /// Attempts before a message is given up as failed.
    pub max_attempts: u32,
    /// Wait after the first failure, in seconds; doubled after each further failure.
    pub first_backoff_secs: i64,
    /// The longest wait between attempts, in seconds.
    pub max_backoff_secs: i64,
    /// How long a claimed message stays with its dispatcher before another may take it up.
    pub lease_secs: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            first_backoff_secs: 30,
            max_backoff_secs: 3600,
            lease_secs: 120,
        }
    }
}

impl RetryPolicy {
    /// When to try again after the `attempts`-th attempt failed at `now`, or `None` when that
    /// was the last attempt.
    pub fn retry_at(&self, attempts: u32, now: Timestamp) -> Option<Timestamp> {
        if attempts >= self.max_attempts {
            return None;
        }
        let doubling = attempts.saturating_sub(1).min(30);
        let wait = self
            .first_backoff_secs
            .max(1)
            .saturating_mul(1_i64 << doubling)
            .min(self.max_backoff_secs.max(1));
        Some(
            now.saturating_add(SignedDuration::from_secs(wait))
                .unwrap_or(now),
        )
    }

    /// The end of a lease taken at `now`.
    pub fn lease_until(&self, now: Timestamp) -> Timestamp {
        now.saturating_add(SignedDuration::from_secs(self.lease_secs.max(1)))
            .unwrap_or(now)
    }
}

/// What a notice says about its outage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutageFacts<'a> {
    pub company: &'a str,
    pub kind: OutageKind,
    pub title: &'a str,
    pub cause: &'a str,
    pub start: Timestamp,
    /// Planned end, or the estimated restoration time.
    pub eta: Option<Timestamp>,
    pub restored_at: Option<Timestamp>,
}

/// The text of a notice (Simplified Chinese, times in `tz`), the same for every recipient of
/// one outage, so it is stored once per outage and purpose. It answers the three questions in
/// customers' order: does the company know, when is power back, what caused it.
pub fn compose(purpose: NoticePurpose, f: &OutageFacts<'_>, tz: &TimeZone) -> String {
    let local = |t: Timestamp| t.to_zoned(tz.clone()).strftime("%m月%d日%H:%M").to_string();
    let back = f.eta.map_or_else(
        || "恢复时间另行通知".to_owned(),
        |t| format!("预计{}恢复供电", local(t)),
    );
    match purpose {
        NoticePurpose::Announced => format!(
            "【{}】尊敬的客户：因{}（{}），您所在区域将于{}停电，{}。给您带来不便，敬请谅解。",
            f.company,
            f.cause,
            f.title,
            local(f.start),
            back
        ),
        NoticePurpose::Fault => format!(
            "【{}】尊敬的客户：您所在区域于{}发生停电，我们已知晓并安排抢修，{}。原因：{}。",
            f.company,
            local(f.start),
            back,
            f.cause
        ),
        NoticePurpose::EtaChanged => format!(
            "【{}】尊敬的客户：您所在区域的停电（{}）{}。给您带来不便，敬请谅解。",
            f.company,
            f.title,
            f.eta.map_or_else(
                || "恢复时间另行通知".to_owned(),
                |t| format!("预计恢复供电时间调整为{}", local(t))
            )
        ),
        NoticePurpose::Cancelled => format!(
            "【{}】尊敬的客户：原定于{}的停电（{}）已取消，届时正常供电。",
            f.company,
            local(f.start),
            f.title
        ),
        NoticePurpose::Restored => format!(
            "【{}】尊敬的客户：您所在区域已于{}恢复供电（{}）。感谢您的理解与支持。",
            f.company,
            local(f.restored_at.unwrap_or(f.start)),
            f.title
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outage::OutageStatus;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_stops_after_the_last_attempt() {
        let p = RetryPolicy {
            max_attempts: 5,
            first_backoff_secs: 30,
            max_backoff_secs: 100,
            lease_secs: 60,
        };
        let now = ts("2026-12-01T00:00:00Z");
        let wait = |n| p.retry_at(n, now).map(|t| t.duration_since(now).as_secs());
        assert_eq!(wait(1), Some(30));
        assert_eq!(wait(2), Some(60));
        assert_eq!(wait(3), Some(100), "capped");
        assert_eq!(wait(4), Some(100));
        assert_eq!(wait(5), None, "the fifth attempt was the last");
        assert_eq!(p.lease_until(now).duration_since(now).as_secs(), 60);
    }

    #[test]
    fn huge_attempt_counts_do_not_overflow() {
        let p = RetryPolicy {
            max_attempts: u32::MAX,
            ..RetryPolicy::default()
        };
        let now = ts("2026-12-01T00:00:00Z");
        assert_eq!(
            p.retry_at(1000, now)
                .map(|t| t.duration_since(now).as_secs()),
            Some(3600)
        );
    }

    #[test]
    fn steps_that_tell_customers() {
        use NoticePurpose as P;
        use OutageKind as K;
        use OutageStatus as S;
        let p = |k, from, to| purpose_of_step(k, from, to, false);
        let moved = |k, from, to| purpose_of_step(k, from, to, true);
        assert_eq!(p(K::Planned, S::Planned, S::Notified), Some(P::Announced));
        assert_eq!(p(K::Orderly, S::Planned, S::Notified), Some(P::Announced));
        // A fault is news once the company stands behind it: confirmed or a crew sent.
        assert_eq!(moved(K::Fault, S::Suspected, S::Suspected), None);
        assert_eq!(p(K::Fault, S::Suspected, S::Confirmed), Some(P::Fault));
        assert_eq!(p(K::Fault, S::Suspected, S::CrewDispatched), Some(P::Fault));
        assert_eq!(p(K::Fault, S::Confirmed, S::CrewDispatched), None);
        assert_eq!(
            moved(K::Fault, S::Confirmed, S::CrewDispatched),
            Some(P::EtaChanged)
        );
        assert_eq!(
            moved(K::Fault, S::CrewDispatched, S::CrewDispatched),
            Some(P::EtaChanged)
        );
        assert_eq!(p(K::Planned, S::Notified, S::Started), None);
        assert_eq!(
            moved(K::Planned, S::Started, S::Started),
            Some(P::EtaChanged)
        );
        assert_eq!(
            moved(K::Planned, S::Notified, S::Notified),
            Some(P::EtaChanged)
        );
        // Nobody was told yet: a new time is nobody's news.
        assert_eq!(moved(K::Planned, S::Planned, S::Planned), None);
        assert_eq!(
            p(K::Fault, S::CrewDispatched, S::Restored),
            Some(P::Restored)
        );
        assert_eq!(
            moved(K::Planned, S::Started, S::Restored),
            Some(P::Restored)
        );
        assert_eq!(p(K::Planned, S::Notified, S::Cancelled), Some(P::Cancelled));
        assert_eq!(p(K::Planned, S::Planned, S::Cancelled), None);
        assert_eq!(p(K::Fault, S::Suspected, S::Cancelled), None);
        for (from, to) in [(S::Started, S::Restored), (S::Notified, S::Cancelled)] {
            assert_eq!(moved(K::Arrears, from, to), None);
        }
        assert!(P::EtaChanged.repeats() && !P::Fault.repeats() && !P::Cancelled.repeats());
    }

    #[test]
    fn texts_answer_know_when_why_in_local_time() {
        let tz = TimeZone::fixed(jiff::tz::offset(8));
        let f = OutageFacts {
            company: "示范供电",
            kind: OutageKind::Fault,
            title: "10kV城东线故障",
            cause: "线路遭雷击",
            start: ts("2026-07-01T06:30:00Z"),
            eta: Some(ts("2026-07-01T09:00:00Z")),
            restored_at: None,
        };
        let t = compose(NoticePurpose::Fault, &f, &tz);
        let know = t.find("已知晓").unwrap();
        let when = t.find("预计07月01日17:00恢复供电").unwrap();
        let why = t.find("线路遭雷击").unwrap();
        assert!(know < when && when < why, "{t}");
        assert!(t.contains("07月01日14:30"), "{t}");
        let unknown = compose(
            NoticePurpose::Fault,
            &OutageFacts {
                eta: None,
                ..f.clone()
            },
            &tz,
        );
        assert!(unknown.contains("恢复时间另行通知"), "{unknown}");
        let later = compose(
            NoticePurpose::EtaChanged,
            &OutageFacts {
                eta: Some(ts("2026-07-01T11:30:00Z")),
                ..f.clone()
            },
            &tz,
        );
        assert!(later.contains("调整为07月01日19:30"), "{later}");
        let off = compose(NoticePurpose::Cancelled, &f, &tz);
        assert!(
            off.contains("原定于07月01日14:30") && off.contains("已取消"),
            "{off}"
        );
        let back = compose(
            NoticePurpose::Restored,
            &OutageFacts {
                restored_at: Some(ts("2026-07-01T08:05:00Z")),
                ..f
            },
            &tz,
        );
        assert!(back.contains("已于07月01日16:05恢复供电"), "{back}");
    }
}
