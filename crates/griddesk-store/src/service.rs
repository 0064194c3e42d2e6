//! Storage of the service centre around work orders (D2): the complaint record (cause, the
//! five steps, the responsibility finding) and the complaint ledger, files attached to orders
//! (crews' photos), agents' presence and the callbacks scheduled for callers no agent was free
//! for, and leases, so exactly one of several server instances runs a background job.
//!
//! Like [`crate::workorder`], the SQL is portable between SQLite and PostgreSQL and both
//! backends get their implementation from one macro, [`service_store_impl!`]. Changes to a
//! complaint are steps of its order: each appends an order event and bumps the order's version.

use crate::Result;
use crate::workorder::OrderEvent;
use griddesk_domain::complaint::{Cause, Complaint, Finding, Responsibility, StepRecord};
use griddesk_domain::queue::AgentStatus;
use griddesk_domain::values::{Code, CustomerNo, PhoneNumber};
use griddesk_domain::workorder::Status;
use jiff::Timestamp;

/// One complaint of the ledger (投诉台账), raw: the presentation layer masks and localises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub order_id: i64,
    pub accepted_at: Timestamp,
    pub status: Status,
    pub subject: String,
    /// The handling unit.
    pub org_unit: Option<Code>,
    pub customer_no: Option<CustomerNo>,
    pub contact_phone: Option<PhoneNumber>,
    pub cause: Option<Cause>,
    pub responsibility: Option<Responsibility>,
    pub responsible_unit: Option<Code>,
}

/// A file attached to an order (without its bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: i64,
    pub order_id: i64,
    pub content_type: String,
    pub file_name: String,
    pub size: i64,
    pub note: Option<String>,
    pub actor: String,
    pub actor_name: String,
    pub at: Timestamp,
}

/// An agent's presence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub login: String,
    pub status: AgentStatus,
    pub since: Timestamp,
}

/// A callback promised to a caller no agent was free for (D2: middle tiers within 24 h).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledCallback {
    pub id: i64,
    pub customer_no: Option<CustomerNo>,
    pub phone: PhoneNumber,
    pub tier: u8,
    pub requested_at: Timestamp,
    pub due: Timestamp,
    pub done_at: Option<Timestamp>,
    pub done_by: Option<String>,
    pub note: Option<String>,
}

#[async_trait::async_trait]
pub trait ServiceStore: Send + Sync {
    /// The complaint record of an order (empty when nothing is recorded yet).
    async fn complaint(&self, order_id: i64) -> Result<Complaint>;
    /// Sets the cause category; `MissingReference` for an unknown order.
    async fn set_complaint_cause(&self, order_id: i64, cause: Cause, e: &OrderEvent) -> Result<()>;
    /// Records one of the five steps (replacing an earlier record of the same step).
    async fn record_complaint_step(
        &self,
        order_id: i64,
        s: &StepRecord,
        e: &OrderEvent,
    ) -> Result<()>;
    /// Records the responsibility finding (replacing an earlier one); `MissingReference` for
    /// an unknown order or unit.
    async fn record_finding(&self, order_id: i64, f: &Finding, e: &OrderEvent) -> Result<()>;
    /// Complaint orders accepted in [from, to), oldest first, at most `limit`.
    async fn complaint_ledger(
        &self,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> Result<Vec<LedgerEntry>>;

    /// Stores a file for an order and records the event; `MissingReference` for an unknown
    /// order. Returns the attachment's id.
    async fn add_attachment(&self, a: &Attachment, bytes: &[u8], e: &OrderEvent) -> Result<i64>;
    /// An order's attachments, oldest first.
    async fn attachments(&self, order_id: i64) -> Result<Vec<Attachment>>;
    async fn attachment_bytes(
        &self,
        order_id: i64,
        id: i64,
    ) -> Result<Option<(Attachment, Vec<u8>)>>;

    /// Sets an agent's presence; `MissingReference` for an unknown login.
    async fn set_presence(&self, login: &str, status: AgentStatus, at: Timestamp) -> Result<()>;
    async fn presence(&self) -> Result<Vec<Presence>>;
    /// Takes the agent that has been available longest and marks them busy, atomically: two
    /// concurrent calls never get the same agent. `None` when nobody is free.
    async fn claim_free_agent(&self, at: Timestamp) -> Result<Option<String>>;

    /// Schedules a callback, unless one is already open for the phone: then that one's id and
    /// `false`.
    async fn schedule_callback(&self, c: &ScheduledCallback) -> Result<(i64, bool)>;
    /// Open callbacks, earliest due first.
    async fn open_callbacks(&self, limit: u32) -> Result<Vec<ScheduledCallback>>;
    /// Marks a callback done; false when it is unknown or already done.
    async fn complete_callback(
        &self,
        id: i64,
        by: &str,
        at: Timestamp,
        note: Option<&str>,
    ) -> Result<bool>;

    /// Takes or renews the lease `name` for `holder` until `until`, if it is free, expired at
    /// `now`, or already the holder's. False when another holder has it.
    async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<bool>;
}

fn corrupt(e: impl std::fmt::Display) -> crate::StoreError {
    crate::StoreError::Corrupt(e.to_string())
}

pub fn opt_code(s: Option<String>) -> Result<Option<Code>> {
    s.map(|s| Code::parse(&s)).transpose().map_err(corrupt)
}

pub fn opt_customer(s: Option<String>) -> Result<Option<CustomerNo>> {
    s.map(|s| CustomerNo::parse(&s))
        .transpose()
        .map_err(corrupt)
}

pub fn opt_phone(s: Option<String>) -> Result<Option<PhoneNumber>> {
    s.map(|s| PhoneNumber::parse(&s))
        .transpose()
        .map_err(corrupt)
}

/// Raw columns of the ledger query.
pub type LedgerColumns = (
    (i64, i64, String, String, Option<String>),
    (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ),
    Option<String>,
);

pub fn ledger_from_columns(c: LedgerColumns) -> Result<LedgerEntry> {
    let ((id, acc, st, subject, unit), (cust, phone, cause, resp), runit) = c;
    Ok(LedgerEntry {
        order_id: id,
        accepted_at: crate::access::us_ts(acc)?,
        status: Status::parse(&st).map_err(corrupt)?,
        subject,
        org_unit: opt_code(unit)?,
        customer_no: opt_customer(cust)?,
        contact_phone: opt_phone(phone)?,
        cause: cause
            .map(|c| Cause::parse(&c))
            .transpose()
            .map_err(corrupt)?,
        responsibility: resp
            .map(|r| Responsibility::parse(&r))
            .transpose()
            .map_err(corrupt)?,
        responsible_unit: opt_code(runit)?,
    })
}

/// Raw columns of a complaint row: cause, responsibility, unit, note, actor, name, at.
pub type ComplaintColumns = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

pub fn complaint_from_columns(
    c: Option<ComplaintColumns>,
    steps: Vec<(String, String, String, String, i64)>,
) -> Result<Complaint> {
    let mut out = Complaint::default();
    if let Some((cause, resp, unit, note, actor, name, at)) = c {
        out.cause = cause
            .map(|c| Cause::parse(&c))
            .transpose()
            .map_err(corrupt)?;
        if let (Some(r), Some(at)) = (resp, at) {
            out.finding = Some(Finding {
                responsibility: Responsibility::parse(&r).map_err(corrupt)?,
                unit: opt_code(unit)?,
                note: note.unwrap_or_default(),
                actor: actor.unwrap_or_default(),
                actor_name: name.unwrap_or_default(),
                at: crate::access::us_ts(at)?,
            });
        }
    }
    out.steps = steps
        .into_iter()
        .map(|(step, note, actor, actor_name, at)| {
            Ok(StepRecord {
                step: griddesk_domain::complaint::Step::parse(&step).map_err(corrupt)?,
                note,
                actor,
                actor_name,
                at: crate::access::us_ts(at)?,
            })
        })
        .collect::<Result<_>>()?;
    // The five steps in their order, whatever order they were recorded in.
    out.steps.sort_by_key(|s| s.step);
    Ok(out)
}

/// Raw columns of an attachment row (without bytes).
pub type AttachmentColumns = (
    i64,
    i64,
    String,
    String,
    i64,
    Option<String>,
    String,
    String,
    i64,
);

pub const ATTACHMENT_COLUMNS: &str = "id, order_id, content_type, file_name, \
    CAST(LENGTH(bytes) AS BIGINT), note, actor, actor_name, at_us";

pub fn attachment_from_columns(c: AttachmentColumns) -> Result<Attachment> {
    Ok(Attachment {
        id: c.0,
        order_id: c.1,
        content_type: c.2,
        file_name: c.3,
        size: c.4,
        note: c.5,
        actor: c.6,
        actor_name: c.7,
        at: crate::access::us_ts(c.8)?,
    })
}

/// Raw columns of a scheduled callback.
pub type CallbackColumns = (
    (i64, Option<String>, String, i64, i64, i64),
    (Option<i64>, Option<String>, Option<String>),
);

pub const CALLBACK_COLUMNS: &str =
    "id, customer_no, phone, tier, requested_us, due_us, done_us, done_by, note";

pub fn callback_from_columns(c: CallbackColumns) -> Result<ScheduledCallback> {
    let ((id, cust, phone, tier, req, due), (done, by, note)) = c;
    Ok(ScheduledCallback {
        id,
        customer_no: opt_customer(cust)?,
        phone: PhoneNumber::parse(&phone).map_err(corrupt)?,
        tier: u8::try_from(tier).map_err(corrupt)?,
        requested_at: crate::access::us_ts(req)?,
        due: crate::access::us_ts(due)?,
        done_at: crate::access::opt_us_ts(done)?,
        done_by: by,
        note,
    })
}

/// Implements [`ServiceStore`] for a backend whose struct has a `pool` field; see
/// [`crate::access_store_impl`] for the arguments.
#[macro_export]
macro_rules! service_store_impl {
    ($store:ty, $conn:ty, $db:path) => {
        const _: () = {
            use $crate::Result;
            use $crate::access::ts_us;
            use $crate::service::*;
            use $crate::workorder::OrderEvent;
            use ::griddesk_domain::complaint::{Cause, Complaint, Finding, StepRecord};
            use ::griddesk_domain::queue::AgentStatus;
            use ::jiff::Timestamp;

            $crate::order_event_helpers!($conn, $db);

            /// Fails with `MissingReference` unless the order exists.
            async fn order_exists(conn: &mut $conn, id: i64) -> Result<()> {
                let found: Option<i64> =
                    ::sqlx::query_scalar("SELECT id FROM work_order WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *conn)
                        .await
                        .map_err($db)?;
                match found {
                    Some(_) => Ok(()),
                    None => Err($crate::StoreError::MissingReference {
                        field: "order_id",
                        value: id.to_string(),
                    }),
                }
            }

            async fn ensure_complaint(conn: &mut $conn, id: i64) -> Result<()> {
                order_exists(conn, id).await?;
                ::sqlx::query(
                    "INSERT INTO complaint (order_id) VALUES ($1) ON CONFLICT (order_id) DO NOTHING",
                )
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err($db)?;
                Ok(())
            }

            #[::async_trait::async_trait]
            impl ServiceStore for $store {
                async fn complaint(&self, order_id: i64) -> Result<Complaint> {
                    let row: Option<ComplaintColumns> = ::sqlx::query_as(
                        "SELECT cause, responsibility, responsible_unit, finding_note, \
                         finding_actor, finding_actor_name, finding_us FROM complaint \
                         WHERE order_id = $1",
                    )
                    .bind(order_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($db)?;
                    let steps: Vec<(String, String, String, String, i64)> = ::sqlx::query_as(
                        "SELECT step, note, actor, actor_name, at_us FROM complaint_step \
                         WHERE order_id = $1",
                    )
                    .bind(order_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    complaint_from_columns(row, steps)
                }

                async fn set_complaint_cause(
                    &self,
                    order_id: i64,
                    cause: Cause,
                    e: &OrderEvent,
                ) -> Result<()> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    ensure_complaint(&mut tx, order_id).await?;
                    ::sqlx::query("UPDATE complaint SET cause = $2 WHERE order_id = $1")
                        .bind(order_id)
                        .bind(cause.code())
                        .execute(&mut *tx)
                        .await
                        .map_err($db)?;
                    bump_version(&mut tx, order_id).await?;
                    insert_event(&mut tx, order_id, e).await?;
                    tx.commit().await.map_err($db)
                }

                async fn record_complaint_step(
                    &self,
                    order_id: i64,
                    s: &StepRecord,
                    e: &OrderEvent,
                ) -> Result<()> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    ensure_complaint(&mut tx, order_id).await?;
                    ::sqlx::query(
                        "INSERT INTO complaint_step (order_id, step, note, actor, actor_name, \
                         at_us) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (order_id, step) \
                         DO UPDATE SET note = excluded.note, actor = excluded.actor, \
                         actor_name = excluded.actor_name, at_us = excluded.at_us",
                    )
                    .bind(order_id)
                    .bind(s.step.code())
                    .bind(&s.note)
                    .bind(&s.actor)
                    .bind(&s.actor_name)
                    .bind(ts_us(s.at))
                    .execute(&mut *tx)
                    .await
                    .map_err($db)?;
                    bump_version(&mut tx, order_id).await?;
                    insert_event(&mut tx, order_id, e).await?;
                    tx.commit().await.map_err($db)
                }

                async fn record_finding(
                    &self,
                    order_id: i64,
                    f: &Finding,
                    e: &OrderEvent,
                ) -> Result<()> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    ensure_complaint(&mut tx, order_id).await?;
                    if let Some(u) = &f.unit {
                        require(&mut tx, $crate::workorder::ref_sql::ORG_UNIT, "unit", u.as_str()).await?;
                    }
                    ::sqlx::query(
                        "UPDATE complaint SET responsibility = $2, responsible_unit = $3, \
                         finding_note = $4, finding_actor = $5, finding_actor_name = $6, \
                         finding_us = $7 WHERE order_id = $1",
                    )
                    .bind(order_id)
                    .bind(f.responsibility.code())
                    .bind(f.unit.as_ref().map(|u| u.as_str()))
                    .bind(&f.note)
                    .bind(&f.actor)
                    .bind(&f.actor_name)
                    .bind(ts_us(f.at))
                    .execute(&mut *tx)
                    .await
                    .map_err($db)?;
                    bump_version(&mut tx, order_id).await?;
                    insert_event(&mut tx, order_id, e).await?;
                    tx.commit().await.map_err($db)
                }

                async fn complaint_ledger(
                    &self,
                    from: Timestamp,
                    to: Timestamp,
                    limit: u32,
                ) -> Result<Vec<LedgerEntry>> {
                    let rows: Vec<(
                        i64,
                        i64,
                        String,
                        String,
                        Option<String>,
                        Option<String>,
                        Option<String>,
                        Option<String>,
                        Option<String>,
                        Option<String>,
                    )> = ::sqlx::query_as(
                        "SELECT w.id, w.accepted_us, w.status, w.subject, w.org_unit, \
                         w.customer_no, w.contact_phone, c.cause, c.responsibility, \
                         c.responsible_unit FROM work_order w \
                         LEFT JOIN complaint c ON c.order_id = w.id \
                         WHERE w.order_type = 'complaint' AND w.accepted_us >= $1 \
                         AND w.accepted_us < $2 ORDER BY w.accepted_us, w.id LIMIT $3",
                    )
                    .bind(ts_us(from))
                    .bind(ts_us(to))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter()
                        .map(|r| {
                            ledger_from_columns(((r.0, r.1, r.2, r.3, r.4), (r.5, r.6, r.7, r.8), r.9))
                        })
                        .collect()
                }

                async fn add_attachment(
                    &self,
                    a: &Attachment,
                    bytes: &[u8],
                    e: &OrderEvent,
                ) -> Result<i64> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    order_exists(&mut tx, a.order_id).await?;
                    let id: i64 = ::sqlx::query_scalar(
                        "INSERT INTO work_order_attachment (order_id, content_type, file_name, \
                         bytes, note, actor, actor_name, at_us) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    )
                    .bind(a.order_id)
                    .bind(&a.content_type)
                    .bind(&a.file_name)
                    .bind(bytes)
                    .bind(&a.note)
                    .bind(&a.actor)
                    .bind(&a.actor_name)
                    .bind(ts_us(a.at))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($db)?;
                    bump_version(&mut tx, a.order_id).await?;
                    insert_event(&mut tx, a.order_id, e).await?;
                    tx.commit().await.map_err($db)?;
                    Ok(id)
                }

                async fn attachments(&self, order_id: i64) -> Result<Vec<Attachment>> {
                    let rows: Vec<AttachmentColumns> = ::sqlx::query_as(&format!(
                        "SELECT {ATTACHMENT_COLUMNS} FROM work_order_attachment \
                         WHERE order_id = $1 ORDER BY id"
                    ))
                    .bind(order_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter().map(attachment_from_columns).collect()
                }

                async fn attachment_bytes(
                    &self,
                    order_id: i64,
                    id: i64,
                ) -> Result<Option<(Attachment, Vec<u8>)>> {
                    use ::sqlx::Row as _;
                    let row = ::sqlx::query(&format!(
                        "SELECT {ATTACHMENT_COLUMNS}, bytes FROM work_order_attachment \
                         WHERE order_id = $1 AND id = $2"
                    ))
                    .bind(order_id)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($db)?;
                    let Some(r) = row else { return Ok(None) };
                    let a = attachment_from_columns((
                        r.try_get(0).map_err($db)?,
                        r.try_get(1).map_err($db)?,
                        r.try_get(2).map_err($db)?,
                        r.try_get(3).map_err($db)?,
                        r.try_get(4).map_err($db)?,
                        r.try_get(5).map_err($db)?,
                        r.try_get(6).map_err($db)?,
                        r.try_get(7).map_err($db)?,
                        r.try_get(8).map_err($db)?,
                    ))?;
                    let bytes: Vec<u8> = r.try_get(9).map_err($db)?;
                    Ok(Some((a, bytes)))
                }

                async fn set_presence(
                    &self,
                    login: &str,
                    status: AgentStatus,
                    at: Timestamp,
                ) -> Result<()> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    require(&mut tx, $crate::workorder::ref_sql::STAFF, "login", login).await?;
                    ::sqlx::query(
                        "INSERT INTO agent_presence (login, status, since_us) VALUES ($1, $2, $3) \
                         ON CONFLICT (login) DO UPDATE SET status = excluded.status, \
                         since_us = excluded.since_us",
                    )
                    .bind(login)
                    .bind(status.code())
                    .bind(ts_us(at))
                    .execute(&mut *tx)
                    .await
                    .map_err($db)?;
                    tx.commit().await.map_err($db)
                }

                async fn presence(&self) -> Result<Vec<Presence>> {
                    let rows: Vec<(String, String, i64)> = ::sqlx::query_as(
                        "SELECT login, status, since_us FROM agent_presence ORDER BY login",
                    )
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter()
                        .map(|(login, st, since)| {
                            Ok(Presence {
                                login,
                                status: AgentStatus::parse(&st)
                                    .map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?,
                                since: $crate::access::us_ts(since)?,
                            })
                        })
                        .collect()
                }

                async fn claim_free_agent(&self, at: Timestamp) -> Result<Option<String>> {
                    // The conditional update loses a race to a concurrent claim of the same
                    // agent (it re-checks the status); then try the next one.
                    for _ in 0..5 {
                        let next: Option<String> = ::sqlx::query_scalar(
                            "SELECT login FROM agent_presence WHERE status = 'available' \
                             ORDER BY since_us, login LIMIT 1",
                        )
                        .fetch_optional(&self.pool)
                        .await
                        .map_err($db)?;
                        let Some(login) = next else { return Ok(None) };
                        let n = ::sqlx::query(
                            "UPDATE agent_presence SET status = 'busy', since_us = $2 \
                             WHERE login = $1 AND status = 'available'",
                        )
                        .bind(&login)
                        .bind(ts_us(at))
                        .execute(&mut *self.write_conn().await.map_err($db)?)
                        .await
                        .map_err($db)?
                        .rows_affected();
                        if n == 1 {
                            return Ok(Some(login));
                        }
                    }
                    Ok(None)
                }

                async fn schedule_callback(&self, c: &ScheduledCallback) -> Result<(i64, bool)> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let open: Option<i64> = ::sqlx::query_scalar(
                        "SELECT id FROM scheduled_callback WHERE phone = $1 AND done_us IS NULL \
                         ORDER BY id LIMIT 1",
                    )
                    .bind(c.phone.as_str())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err($db)?;
                    if let Some(id) = open {
                        return Ok((id, false));
                    }
                    if let Some(no) = &c.customer_no {
                        require(&mut tx, $crate::workorder::ref_sql::CUSTOMER, "customer_no", no.as_str()).await?;
                    }
                    let id: i64 = ::sqlx::query_scalar(
                        "INSERT INTO scheduled_callback (customer_no, phone, tier, requested_us, \
                         due_us, note) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(c.customer_no.as_ref().map(|n| n.as_str()))
                    .bind(c.phone.as_str())
                    .bind(i64::from(c.tier))
                    .bind(ts_us(c.requested_at))
                    .bind(ts_us(c.due))
                    .bind(&c.note)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($db)?;
                    tx.commit().await.map_err($db)?;
                    Ok((id, true))
                }

                async fn open_callbacks(&self, limit: u32) -> Result<Vec<ScheduledCallback>> {
                    let rows: Vec<(i64, Option<String>, String, i64, i64, i64, Option<i64>, Option<String>, Option<String>)> =
                        ::sqlx::query_as(&format!(
                            "SELECT {CALLBACK_COLUMNS} FROM scheduled_callback \
                             WHERE done_us IS NULL ORDER BY due_us, id LIMIT $1"
                        ))
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await
                        .map_err($db)?;
                    rows.into_iter()
                        .map(|r| callback_from_columns(((r.0, r.1, r.2, r.3, r.4, r.5), (r.6, r.7, r.8))))
                        .collect()
                }

                async fn complete_callback(
                    &self,
                    id: i64,
                    by: &str,
                    at: Timestamp,
                    note: Option<&str>,
                ) -> Result<bool> {
                    let n = ::sqlx::query(
                        "UPDATE scheduled_callback SET done_us = $2, done_by = $3, \
                         note = COALESCE($4, note) WHERE id = $1 AND done_us IS NULL",
                    )
                    .bind(id)
                    .bind(ts_us(at))
                    .bind(by)
                    .bind(note)
                    .execute(&mut *self.write_conn().await.map_err($db)?)
                    .await
                    .map_err($db)?
                    .rows_affected();
                    Ok(n == 1)
                }

                async fn try_lease(
                    &self,
                    name: &str,
                    holder: &str,
                    now: Timestamp,
                    until: Timestamp,
                ) -> Result<bool> {
                    let n = ::sqlx::query(
                        "INSERT INTO lease (name, holder, expires_us) VALUES ($1, $2, $3) \
                         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
                         expires_us = excluded.expires_us \
                         WHERE lease.holder = excluded.holder OR lease.expires_us <= $4",
                    )
                    .bind(name)
                    .bind(holder)
                    .bind(ts_us(until))
                    .bind(ts_us(now))
                    .execute(&mut *self.write_conn().await.map_err($db)?)
                    .await
                    .map_err($db)?
                    .rows_affected();
                    Ok(n == 1)
                }
            }
        };
    };
}
