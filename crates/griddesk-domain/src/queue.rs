//! Who is served first (D2 "priority and queues", D4.5): service tiers order the agent queue
//! (tier 1, the green channel 绿色通道, at its head), and an incoming call of a middle-tier
//! customer that finds no agent free becomes a callback within 24 hours instead of a wait.
//!
//! The tier normally comes from the customer segmentation; [`default_tier`] is the rule for
//! customers that have none yet.

use crate::customer::{Customer, ImportantGrade, Institution};

code_enum! {
    /// An agent's presence, reported by the agent or the telephony (CTI) gateway.
    AgentStatus, "status" {
        Available = "available", "空闲", "Available";
        Busy = "busy", "通话中", "On a call";
        Away = "away", "暂离", "Away";
        Offline = "offline", "离线", "Offline";
    }
}

/// Served first: the green channel.
pub const GREEN_CHANNEL_TIER: u8 = 1;
/// Middle tier: SMS notices and a callback within 24 h when no agent is free.
pub const MIDDLE_TIER: u8 = 2;
/// Basic service.
pub const BASIC_TIER: u8 = 3;

/// The tier of a customer without a segmentation result: important customers (D5) get the
/// green channel; key accounts by definition (10 kV and above, or an important institution,
/// D5) the middle tier; everyone else basic service. Callers without a customer number are
/// basic too.
pub fn default_tier(c: Option<&Customer>) -> u8 {
    match c {
        Some(c) if c.important_grade != ImportantGrade::None => GREEN_CHANNEL_TIER,
        Some(c) if c.is_high_voltage() || c.institution != Institution::None => MIDDLE_TIER,
        _ => BASIC_TIER,
    }
}

/// How the call centre treats callers of each tier.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueuePolicy {
    /// Tiers that get a callback instead of waiting when no agent is free.
    pub callback_tiers: Vec<u8>,
    /// The callback is due within this many hours.
    pub callback_within_hours: i64,
}

impl Default for QueuePolicy {
    fn default() -> Self {
        Self {
            callback_tiers: vec![MIDDLE_TIER],
            callback_within_hours: 24,
        }
    }
}

/// What to do with an incoming call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallDecision {
    /// Put it through to the free agent.
    Connect,
    /// Keep the caller in the queue with this priority (lower is served sooner).
    Wait { priority: u8 },
    /// No agent is free: tell the caller the company calls back by `due`.
    Callback { due: jiff::Timestamp },
}

impl QueuePolicy {
    pub fn decide(&self, tier: u8, agent_free: bool, now: jiff::Timestamp) -> CallDecision {
        if agent_free {
            CallDecision::Connect
        } else if self.callback_tiers.contains(&tier) {
            CallDecision::Callback {
                due: crate::sla::plus(
                    now,
                    jiff::SignedDuration::from_hours(self.callback_within_hours),
                ),
            }
        } else {
            CallDecision::Wait { priority: tier }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_free_agent_takes_every_call_and_middle_tiers_are_called_back() {
        let p = QueuePolicy::default();
        let now: jiff::Timestamp = "2026-11-30T02:00:00Z".parse().unwrap();
        for tier in 1..=4 {
            assert_eq!(p.decide(tier, true, now), CallDecision::Connect);
        }
        assert_eq!(
            p.decide(GREEN_CHANNEL_TIER, false, now),
            CallDecision::Wait { priority: 1 },
            "the green channel waits at the head of the queue"
        );
        assert_eq!(
            p.decide(MIDDLE_TIER, false, now),
            CallDecision::Callback {
                due: "2026-12-01T02:00:00Z".parse().unwrap()
            }
        );
        assert_eq!(
            p.decide(BASIC_TIER, false, now),
            CallDecision::Wait { priority: 3 }
        );
    }
}
