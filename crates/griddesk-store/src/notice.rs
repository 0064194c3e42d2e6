//! Storage of the notification outbox and of the personal-contact tasks around outages (D3):
//! batches of one text per outage, purpose and channel; one row per recipient with its delivery
//! status, attempts and lease; and the personal notices and callbacks to key and important
//! customers. The delivery rules are [`griddesk_domain::notice`]'s.

use crate::Result;
use crate::backend::corrupt;
use griddesk_domain::notice::{
    ContactMethod, DeliveryStatus, NoticeChannel, NoticePurpose, TaskKind,
};
use griddesk_domain::values::CustomerNo;
use jiff::Timestamp;

/// A message handed to a channel.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingNotice {
    pub id: i64,
    pub customer_no: CustomerNo,
    pub channel: NoticeChannel,
    /// Phone number or e-mail address in clear.
    pub recipient: String,
    pub body: String,
    /// This is the `attempts`-th attempt.
    pub attempts: u32,
}

// Recipients are personal data: keep them out of Debug output and logs.
impl std::fmt::Debug for OutgoingNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutgoingNotice")
            .field("id", &self.id)
            .field("customer_no", &self.customer_no)
            .field("channel", &self.channel)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl OutgoingNotice {
    /// The idempotency key the channel sees on every attempt of this message.
    pub fn key(&self) -> String {
        format!("griddesk-notice-{}", self.id)
    }
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent {
        at: Timestamp,
    },
    /// Failed; try again at `next`.
    Retry {
        at: Timestamp,
        next: Timestamp,
        error: String,
    },
    /// Failed for good.
    Failed {
        at: Timestamp,
        error: String,
    },
}

/// One recipient's message as the outage page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeRow {
    pub id: i64,
    pub customer_no: CustomerNo,
    pub purpose: NoticePurpose,
    pub channel: NoticeChannel,
    /// In clear: the presentation layer masks it.
    pub recipient: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub sent_at: Option<Timestamp>,
    pub error: Option<String>,
}

/// How many messages of an outage are in each state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeCount {
    pub purpose: NoticePurpose,
    pub channel: NoticeChannel,
    pub status: DeliveryStatus,
    pub count: i64,
}

/// A personal notice or callback to a key or important customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutageTask {
    pub id: i64,
    pub outage_id: i64,
    pub kind: TaskKind,
    pub customer_no: CustomerNo,
    pub customer_name: String,
    /// The customer's manager, when it has one.
    pub assignee: Option<String>,
    pub due: Timestamp,
    pub done: Option<TaskDone>,
}

/// Who reached the customer, how and when, and who at the customer acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDone {
    pub at: Timestamp,
    pub by: String,
    pub method: ContactMethod,
    pub acknowledged_by: Option<String>,
    pub note: Option<String>,
}

/// Outcome of recording a task as done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskUpdate {
    Done(OutageTask),
    /// It was done before; nothing changed.
    AlreadyDone(OutageTask),
    NotFound,
}

#[async_trait::async_trait]
pub trait NoticeStore: Send + Sync {
    /// Queues `body` for every customer the outage reaches that has an address on `channel`
    /// (the first phone, or the e-mail, of its first contact), due at `now`. Idempotent: a
    /// second call for the same outage, purpose and channel adds nothing. Returns how many
    /// messages were added.
    async fn enqueue_notices(
        &self,
        outage_id: i64,
        purpose: NoticePurpose,
        channel: NoticeChannel,
        body: &str,
        now: Timestamp,
    ) -> Result<u64>;
    /// Claims up to `limit` messages due at `now` for `holder` until `lease_until`: pending ones
    /// whose time has come, and ones another dispatcher claimed and did not finish before its
    /// lease ran out. Counts the attempt.
    async fn claim_notices(
        &self,
        holder: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<OutgoingNotice>>;
    /// Records the outcome of an attempt. `false` when the message is no longer this holder's
    /// (its lease ran out and another dispatcher took it): nothing is changed then.
    async fn finish_notice(&self, id: i64, holder: &str, d: &Delivery) -> Result<bool>;
    async fn notice_counts(&self, outage_id: i64) -> Result<Vec<NoticeCount>>;
    /// An outage's messages, failed ones first, then by id.
    async fn notices(&self, outage_id: i64, limit: u32) -> Result<Vec<NoticeRow>>;
    /// Adds a task of `kind` due at `due` for every key or important customer the outage
    /// reaches (see [`KEY_CUSTOMER_SQL`]), assigned to its manager. Idempotent. Returns how many
    /// were added.
    async fn create_outage_tasks(
        &self,
        outage_id: i64,
        kind: TaskKind,
        due: Timestamp,
    ) -> Result<u64>;
    async fn outage_tasks(&self, outage_id: i64) -> Result<Vec<OutageTask>>;
    /// Open tasks, earliest due first: all, or one assignee's.
    async fn open_outage_tasks(
        &self,
        assignee: Option<&str>,
        limit: u32,
    ) -> Result<Vec<OutageTask>>;
    async fn complete_outage_task(&self, id: i64, done: &TaskDone) -> Result<TaskUpdate>;
}

/// Key and important customers as the archive knows them (D5): an important grade, supply at
/// 10 kV and above, or an important institution. The same rule as
/// [`griddesk_domain::queue::default_tier`]'s first two tiers.
pub const KEY_CUSTOMER_SQL: &str =
    "(c.important_grade <> 'none' OR c.high_voltage OR c.institution <> 'none')";

pub type NoticeColumns = (
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
);

pub const NOTICE_COLUMNS: &str = "n.id, n.customer_no, b.purpose, b.channel, n.recipient, \
    n.status, n.attempts, n.sent_us, n.error";

pub fn notice_from_columns(c: NoticeColumns) -> Result<NoticeRow> {
    let (id, no, purpose, channel, recipient, status, attempts, sent, error) = c;
    Ok(NoticeRow {
        id,
        customer_no: CustomerNo::parse(&no).map_err(|e| corrupt("customer_no", e))?,
        purpose: NoticePurpose::parse(&purpose).map_err(|e| corrupt("purpose", e))?,
        channel: NoticeChannel::parse(&channel).map_err(|e| corrupt("channel", e))?,
        recipient,
        status: DeliveryStatus::parse(&status).map_err(|e| corrupt("status", e))?,
        attempts: u32::try_from(attempts).map_err(|e| corrupt("attempts", e))?,
        sent_at: crate::access::opt_us_ts(sent)?,
        error,
    })
}

pub type TaskColumns = (
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub const TASK_COLUMNS: &str = "t.id, t.outage_id, t.kind, t.customer_no, c.name, t.assignee, \
    t.due_us, t.done_us, t.done_by, t.method, t.acknowledged_by, t.note";

pub fn task_from_columns(c: TaskColumns) -> Result<OutageTask> {
    let (id, outage_id, kind, no, name, assignee, due, done, by, method, ack, note) = c;
    let done = match (done, by, method) {
        (Some(at), Some(by), Some(method)) => Some(TaskDone {
            at: crate::access::us_ts(at)?,
            by,
            method: ContactMethod::parse(&method).map_err(|e| corrupt("method", e))?,
            acknowledged_by: ack,
            note,
        }),
        (None, _, _) => None,
        _ => return Err(corrupt("outage_task", "done without who or how")),
    };
    Ok(OutageTask {
        id,
        outage_id,
        kind: TaskKind::parse(&kind).map_err(|e| corrupt("kind", e))?,
        customer_no: CustomerNo::parse(&no).map_err(|e| corrupt("customer_no", e))?,
        customer_name: name,
        assignee,
        due: crate::access::us_ts(due)?,
        done,
    })
}

/// Queueing statements shared by [`NoticeStore`] and the outage steps that notify in the same
/// transaction: `enqueue_in` and `tasks_in` on a connection of type `$conn`.
#[doc(hidden)]
#[macro_export]
macro_rules! notice_helpers {
    ($conn:ty, $db:path) => {
        async fn enqueue_in(
            conn: &mut $conn,
            outage_id: i64,
            purpose: ::griddesk_domain::notice::NoticePurpose,
            channel: ::griddesk_domain::notice::NoticeChannel,
            revision: i64,
            body: &str,
            now: ::jiff::Timestamp,
        ) -> $crate::Result<u64> {
            use $crate::access::ts_us;
            ::sqlx::query(
                "INSERT INTO notice_batch (outage_id, purpose, channel, revision, body, \
                 created_us) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind(outage_id)
            .bind(purpose.code())
            .bind(channel.code())
            .bind(revision)
            .bind(body)
            .bind(ts_us(now))
            .execute(&mut *conn)
            .await
            .map_err($db)?;
            let batch: i64 = ::sqlx::query_scalar(
                "SELECT id FROM notice_batch WHERE outage_id = $1 AND purpose = $2 \
                 AND channel = $3 AND revision = $4",
            )
            .bind(outage_id)
            .bind(purpose.code())
            .bind(channel.code())
            .bind(revision)
            .fetch_one(&mut *conn)
            .await
            .map_err($db)?;
            // The first contact's first phone, or its e-mail: one statement over the outage's
            // stored customers, so a substation's worth is queued at once.
            let address = match channel {
                ::griddesk_domain::notice::NoticeChannel::Sms => {
                    "JOIN contact_phone a ON a.customer_id = c.id AND a.contact_seq = 0 \
                     AND a.seq = 0"
                }
                ::griddesk_domain::notice::NoticeChannel::Email => {
                    "JOIN (SELECT customer_id, email AS phone FROM contact \
                     WHERE seq = 0 AND email IS NOT NULL) a ON a.customer_id = c.id"
                }
            };
            Ok(::sqlx::query(&format!(
                "INSERT INTO notice (batch_id, customer_no, recipient, status, attempts, \
                 next_us) SELECT $1, c.customer_no, a.phone, 'pending', 0, $2 \
                 FROM outage_customer oc JOIN customer c ON c.customer_no = oc.customer_no \
                 {address} WHERE oc.outage_id = $3 ON CONFLICT DO NOTHING"
            ))
            .bind(batch)
            .bind(ts_us(now))
            .bind(outage_id)
            .execute(&mut *conn)
            .await
            .map_err($db)?
            .rows_affected())
        }

        async fn tasks_in(
            conn: &mut $conn,
            outage_id: i64,
            kind: ::griddesk_domain::notice::TaskKind,
            due: ::jiff::Timestamp,
        ) -> $crate::Result<u64> {
            Ok(::sqlx::query(&format!(
                "INSERT INTO outage_task (outage_id, kind, customer_no, assignee, due_us) \
                 SELECT $1, $2, c.customer_no, c.customer_manager, $3 \
                 FROM outage_customer oc JOIN customer c ON c.customer_no = oc.customer_no \
                 WHERE oc.outage_id = $1 AND {} ON CONFLICT DO NOTHING",
                $crate::notice::KEY_CUSTOMER_SQL
            ))
            .bind(outage_id)
            .bind(kind.code())
            .bind($crate::access::ts_us(due))
            .execute(&mut *conn)
            .await
            .map_err($db)?
            .rows_affected())
        }
    };
}

/// Implements [`NoticeStore`] for a backend whose struct has a `pool` field and a
/// `begin_write` method; see [`crate::access_store_impl`] for the arguments.
#[macro_export]
macro_rules! notice_store_impl {
    ($store:ty, $conn:ty, $db:path) => {
        const _: () = {
            use $crate::Result;
            use $crate::access::ts_us;
            use $crate::notice::*;
            use ::griddesk_domain::notice::{NoticeChannel, NoticePurpose, TaskKind};

            $crate::notice_helpers!($conn, $db);

            async fn task_by_id(conn: &mut $conn, id: i64) -> Result<Option<OutageTask>> {
                let row: Option<TaskColumns> = ::sqlx::query_as(&format!(
                    "SELECT {TASK_COLUMNS} FROM outage_task t \
                     JOIN customer c ON c.customer_no = t.customer_no WHERE t.id = $1"
                ))
                .bind(id)
                .fetch_optional(&mut *conn)
                .await
                .map_err($db)?;
                row.map(task_from_columns).transpose()
            }

            #[::async_trait::async_trait]
            impl NoticeStore for $store {
                async fn enqueue_notices(
                    &self,
                    outage_id: i64,
                    purpose: NoticePurpose,
                    channel: NoticeChannel,
                    body: &str,
                    now: ::jiff::Timestamp,
                ) -> Result<u64> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let n = enqueue_in(&mut tx, outage_id, purpose, channel, 0, body, now).await?;
                    tx.commit().await.map_err($db)?;
                    Ok(n)
                }

                async fn claim_notices(
                    &self,
                    holder: &str,
                    now: ::jiff::Timestamp,
                    lease_until: ::jiff::Timestamp,
                    limit: u32,
                ) -> Result<Vec<OutgoingNotice>> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let due = "((status = 'pending' AND next_us <= $3) \
                               OR (status = 'sending' AND lease_us <= $3))";
                    ::sqlx::query(&format!(
                        "UPDATE notice SET status = 'sending', holder = $1, lease_us = $2, \
                         attempts = attempts + 1 WHERE {due} AND id IN ( \
                         SELECT id FROM notice WHERE {due} ORDER BY id LIMIT $4)"
                    ))
                    .bind(holder)
                    .bind(ts_us(lease_until))
                    .bind(ts_us(now))
                    .bind(i64::from(limit.clamp(1, 10_000)))
                    .execute(&mut *tx)
                    .await
                    .map_err($db)?;
                    let rows: Vec<(i64, String, String, String, String, i64)> = ::sqlx::query_as(
                        "SELECT n.id, n.customer_no, b.channel, n.recipient, b.body, n.attempts \
                         FROM notice n JOIN notice_batch b ON b.id = n.batch_id \
                         WHERE n.status = 'sending' AND n.holder = $1 AND n.lease_us = $2 \
                         ORDER BY n.id",
                    )
                    .bind(holder)
                    .bind(ts_us(lease_until))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err($db)?;
                    tx.commit().await.map_err($db)?;
                    let bad = |f: &'static str| move |e| $crate::backend::corrupt(f, e);
                    rows.into_iter()
                        .map(|(id, no, channel, recipient, body, attempts)| {
                            Ok(OutgoingNotice {
                                id,
                                customer_no: ::griddesk_domain::values::CustomerNo::parse(&no)
                                    .map_err(bad("customer_no"))?,
                                channel: NoticeChannel::parse(&channel).map_err(bad("channel"))?,
                                recipient,
                                body,
                                attempts: u32::try_from(attempts)
                                    .map_err(|e| $crate::backend::corrupt("attempts", e))?,
                            })
                        })
                        .collect()
                }

                async fn finish_notice(&self, id: i64, holder: &str, d: &Delivery) -> Result<bool> {
                    let (status, next, sent, error) = match d {
                        Delivery::Sent { at } => ("sent", None, Some(ts_us(*at)), None),
                        Delivery::Retry { next, error, .. } => {
                            ("pending", Some(ts_us(*next)), None, Some(error.as_str()))
                        }
                        Delivery::Failed { error, .. } => ("failed", None, None, Some(error.as_str())),
                    };
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let n = ::sqlx::query(
                        "UPDATE notice SET status = $3, next_us = COALESCE($4, next_us), \
                         sent_us = $5, error = $6, holder = NULL, lease_us = NULL \
                         WHERE id = $1 AND holder = $2 AND status = 'sending'",
                    )
                    .bind(id)
                    .bind(holder)
                    .bind(status)
                    .bind(next)
                    .bind(sent)
                    .bind(error)
                    .execute(&mut *tx)
                    .await
                    .map_err($db)?
                    .rows_affected();
                    tx.commit().await.map_err($db)?;
                    Ok(n == 1)
                }

                async fn notice_counts(&self, outage_id: i64) -> Result<Vec<NoticeCount>> {
                    let rows: Vec<(String, String, String, i64)> = ::sqlx::query_as(
                        "SELECT b.purpose, b.channel, n.status, COUNT(*) FROM notice_batch b \
                         JOIN notice n ON n.batch_id = b.id WHERE b.outage_id = $1 \
                         GROUP BY b.purpose, b.channel, n.status \
                         ORDER BY b.purpose, b.channel, n.status",
                    )
                    .bind(outage_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    let bad = |f: &'static str| move |e| $crate::backend::corrupt(f, e);
                    rows.into_iter()
                        .map(|(p, c, s, count)| {
                            Ok(NoticeCount {
                                purpose: NoticePurpose::parse(&p).map_err(bad("purpose"))?,
                                channel: NoticeChannel::parse(&c).map_err(bad("channel"))?,
                                status: ::griddesk_domain::notice::DeliveryStatus::parse(&s)
                                    .map_err(bad("status"))?,
                                count,
                            })
                        })
                        .collect()
                }

                async fn notices(&self, outage_id: i64, limit: u32) -> Result<Vec<NoticeRow>> {
                    let rows: Vec<NoticeColumns> = ::sqlx::query_as(&format!(
                        "SELECT {NOTICE_COLUMNS} FROM notice_batch b JOIN notice n \
                         ON n.batch_id = b.id WHERE b.outage_id = $1 \
                         ORDER BY CASE n.status WHEN 'failed' THEN 0 ELSE 1 END, n.id LIMIT $2"
                    ))
                    .bind(outage_id)
                    .bind(i64::from(limit.clamp(1, 1000)))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter().map(notice_from_columns).collect()
                }

                async fn create_outage_tasks(
                    &self,
                    outage_id: i64,
                    kind: TaskKind,
                    due: ::jiff::Timestamp,
                ) -> Result<u64> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let n = tasks_in(&mut tx, outage_id, kind, due).await?;
                    tx.commit().await.map_err($db)?;
                    Ok(n)
                }

                async fn outage_tasks(&self, outage_id: i64) -> Result<Vec<OutageTask>> {
                    let rows: Vec<TaskColumns> = ::sqlx::query_as(&format!(
                        "SELECT {TASK_COLUMNS} FROM outage_task t \
                         JOIN customer c ON c.customer_no = t.customer_no \
                         WHERE t.outage_id = $1 ORDER BY t.kind DESC, t.due_us, t.customer_no"
                    ))
                    .bind(outage_id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter().map(task_from_columns).collect()
                }

                async fn open_outage_tasks(
                    &self,
                    assignee: Option<&str>,
                    limit: u32,
                ) -> Result<Vec<OutageTask>> {
                    let rows: Vec<TaskColumns> = ::sqlx::query_as(&format!(
                        "SELECT {TASK_COLUMNS} FROM outage_task t \
                         JOIN customer c ON c.customer_no = t.customer_no \
                         WHERE t.done_us IS NULL AND ($1 IS NULL OR t.assignee = $1) \
                         ORDER BY t.due_us, t.id LIMIT $2"
                    ))
                    .bind(assignee)
                    .bind(i64::from(limit.clamp(1, 1000)))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter().map(task_from_columns).collect()
                }

                async fn complete_outage_task(&self, id: i64, d: &TaskDone) -> Result<TaskUpdate> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let n = ::sqlx::query(
                        "UPDATE outage_task SET done_us = $2, done_by = $3, method = $4, \
                         acknowledged_by = $5, note = $6 WHERE id = $1 AND done_us IS NULL",
                    )
                    .bind(id)
                    .bind(ts_us(d.at))
                    .bind(&d.by)
                    .bind(d.method.code())
                    .bind(&d.acknowledged_by)
                    .bind(&d.note)
                    .execute(&mut *tx)
                    .await
                    .map_err($db)?
                    .rows_affected();
                    let task = task_by_id(&mut tx, id).await?;
                    tx.commit().await.map_err($db)?;
                    Ok(match (task, n) {
                        (None, _) => TaskUpdate::NotFound,
                        (Some(t), 1) => TaskUpdate::Done(t),
                        (Some(t), _) => TaskUpdate::AlreadyDone(t),
                    })
                }
            }
        };
    };
}
