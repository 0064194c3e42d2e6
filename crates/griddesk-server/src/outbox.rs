//! The notification outbox dispatcher (D3 notices): takes due messages from the store, hands
//! each to its channel (SMS: [`AppState::notifier`]; e-mail: [`AppState::mailer`]) under its
//! idempotency key, and records the outcome, retrying with backoff
//! ([`griddesk_domain::notice::RetryPolicy`]).
//!
//! With several instances on one database, only the holder of the outbox lease dispatches. A
//! message's outcome is recorded right after its attempt, so a crash loses at most the
//! attempts in flight; those messages are taken up again when their lease runs out and sent
//! under the same key, which the channels use to drop the duplicate.

use crate::AppState;
use crate::error::ApiError;
use crate::notify::Notification;
use griddesk_domain::notice::NoticeChannel;
use griddesk_store::notice::{Delivery, OutgoingNotice};
use jiff::Timestamp;

/// Name of the job lease among server instances.
pub const OUTBOX_LEASE: &str = "outbox";

/// Messages claimed per round.
pub const BATCH: u32 = 200;

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    /// Another instance holds the outbox lease.
    pub not_leader: bool,
}

impl Round {
    pub fn attempted(&self) -> usize {
        self.sent + self.retried + self.failed
    }
}

/// The message a channel is handed for an outbox row.
pub fn notification(n: &OutgoingNotice, now: Timestamp) -> Notification {
    Notification {
        key: n.key(),
        at: now.to_string(),
        channel: n.channel.code(),
        to: n.recipient.clone(),
        customer_no: n.customer_no.to_string(),
        text: n.body.clone(),
    }
}

/// One round at `now`: claims up to [`BATCH`] due messages and attempts each once.
pub async fn dispatch_round(state: &AppState, now: Timestamp) -> Result<Round, ApiError> {
    let policy = state.config.retry;
    let lease = policy.lease_until(now);
    if !state
        .store
        .try_lease(OUTBOX_LEASE, &state.instance, now, lease)
        .await?
    {
        return Ok(Round {
            not_leader: true,
            ..Round::default()
        });
    }
    let claimed = state
        .store
        .claim_notices(&state.instance, now, lease, BATCH)
        .await?;
    let mut round = Round::default();
    for n in &claimed {
        let channel = match n.channel {
            NoticeChannel::Sms => &state.notifier,
            NoticeChannel::Email => &state.mailer,
        };
        let at = crate::time::now().max(now);
        let outcome = match channel.send(&notification(n, at)).await {
            Ok(()) => {
                round.sent += 1;
                Delivery::Sent { at }
            }
            Err(e) => match (e.permanent, policy.retry_at(n.attempts, at)) {
                (false, Some(next)) => {
                    round.retried += 1;
                    Delivery::Retry {
                        at,
                        next,
                        error: e.message,
                    }
                }
                _ => {
                    round.failed += 1;
                    tracing::warn!(notice = n.id, error = %e, "notice given up");
                    Delivery::Failed {
                        at,
                        error: e.message,
                    }
                }
            },
        };
        if !state
            .store
            .finish_notice(n.id, &state.instance, &outcome)
            .await?
        {
            tracing::warn!(
                notice = n.id,
                "notice lease lost before its outcome was recorded"
            );
        }
    }
    Ok(round)
}

/// Dispatches every `every` until the process ends, without waiting while rounds are full.
pub fn spawn_dispatcher(state: AppState, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            loop {
                match dispatch_round(&state, crate::time::now()).await {
                    Ok(r) if r.attempted() as u32 >= BATCH => continue,
                    Ok(r) => {
                        if r.attempted() > 0 {
                            tracing::info!(
                                sent = r.sent,
                                retried = r.retried,
                                failed = r.failed,
                                "outbox round"
                            );
                        }
                        break;
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "outbox round failed");
                        break;
                    }
                }
            }
        }
    });
}
