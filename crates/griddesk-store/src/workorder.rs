//! Storage of work orders (D2): the order with its stored deadlines (so a restart loses none), and
//! its append-only event history. Creation is idempotent on a client's key; updates carry the
//! version the client saw, and a stale version changes nothing.
//!
//! Like [`crate::access`], the SQL is portable between SQLite and PostgreSQL and both backends get
//! their implementation from one macro, [`workorder_store_impl!`].

use crate::{Result, StoreError};
use griddesk_domain::sla::{Deadline, DeadlineKind};
use griddesk_domain::values::{Code, CustomerNo, PhoneNumber};
use griddesk_domain::workorder::{AppointmentKind, Channel, ContactKind, OrderType, Status};
use jiff::{SignedDuration, Timestamp};

/// What an order is created with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWorkOrder {
    pub order_type: OrderType,
    pub channel: Channel,
    pub customer_no: Option<CustomerNo>,
    pub contact_name: String,
    pub contact_phone: Option<PhoneNumber>,
    pub subject: String,
    pub description: String,
    /// First-contact owner (audit id of the accepting agent); kept through transfers.
    pub owner: String,
    pub owner_name: String,
    /// Handling unit, once dispatched.
    pub org_unit: Option<Code>,
    /// Queue priority: 1 is served first (green channel).
    pub tier: u8,
    pub accepted_at: Timestamp,
    pub idempotency_key: Option<String>,
    pub deadlines: Vec<Deadline>,
}

/// A stored deadline and whether it was met or escalated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderDeadline {
    pub kind: DeadlineKind,
    pub due: Timestamp,
    pub met_at: Option<Timestamp>,
    pub escalated_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkOrder {
    pub id: i64,
    pub order_type: OrderType,
    pub channel: Channel,
    pub status: Status,
    pub customer_no: Option<CustomerNo>,
    pub contact_name: String,
    pub contact_phone: Option<PhoneNumber>,
    pub subject: String,
    pub description: String,
    pub owner: String,
    pub owner_name: String,
    pub org_unit: Option<Code>,
    pub tier: u8,
    pub accepted_at: Timestamp,
    pub arrived: bool,
    pub paused_since: Option<Timestamp>,
    pub paused: SignedDuration,
    pub outage: Option<String>,
    /// Increases with every change (ETag).
    pub version: i64,
    pub deadlines: Vec<OrderDeadline>,
}

/// One step of an order's history, kept forever.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderEvent {
    pub at: Timestamp,
    pub actor: String,
    pub actor_name: String,
    /// `griddesk_domain::workorder::Action::code`, or "accept".
    pub action: String,
    pub from: Option<Status>,
    pub to: Status,
    pub note: Option<String>,
    /// Details (JSON text): units, scores, pause reasons.
    pub data: Option<String>,
}

/// The new state of an order after an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderUpdate {
    pub status: Status,
    pub arrived: bool,
    pub paused_since: Option<Timestamp>,
    pub paused: SignedDuration,
    pub org_unit: Option<Code>,
    pub outage: Option<String>,
    /// Deadlines met by this step.
    pub met: Vec<(DeadlineKind, Timestamp)>,
}

/// Result of a versioned update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateOutcome {
    Updated(WorkOrder),
    /// The order changed since the client read it; nothing was written. The current state.
    Conflict(WorkOrder),
    NotFound,
}

/// Which open orders to list, in queue order (tier, then earliest unmet deadline).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderQuery {
    /// Only orders of these handling units (or not yet dispatched, when `include_undispatched`).
    pub org_units: Option<Vec<Code>>,
    pub include_undispatched: bool,
    pub customer_no: Option<CustomerNo>,
    /// Closed orders too.
    pub include_closed: bool,
    /// Only orders in this status (e.g. `replied`: the callback tasks); overrides
    /// `include_closed`.
    pub status: Option<Status>,
    /// Only orders this first-contact owner (audit id) owns: an agent's own queue.
    pub owner: Option<String>,
    pub limit: u32,
}

/// One interaction with a customer on its timeline (append-only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRecord {
    pub customer_no: CustomerNo,
    pub at: Timestamp,
    pub kind: ContactKind,
    /// The customer reached out (true) or the company did.
    pub inbound: bool,
    pub actor: String,
    pub actor_name: String,
    pub summary: String,
    pub order_id: Option<i64>,
}

/// A booked time slot of a crew or business hall (服务预约).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    pub id: i64,
    pub order_id: i64,
    pub org_unit: Code,
    pub kind: AppointmentKind,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub booked_by: String,
    pub cancelled: bool,
}

/// Outcome of a booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Booking {
    Booked(Appointment),
    /// The unit already has `capacity` appointments overlapping the slot.
    Full,
}

#[async_trait::async_trait]
pub trait WorkOrderStore: Send + Sync {
    /// Books a slot for an order at a unit if fewer than `capacity` live appointments of the unit
    /// overlap it; the order's open deadlines that fall before the slot's end move to it (the
    /// customer chose the time), recorded as an event. `MissingReference` for an unknown order or
    /// unit.
    async fn book_appointment(
        &self,
        a: &Appointment,
        capacity: u32,
        e: &OrderEvent,
    ) -> Result<Booking>;
    /// A unit's live appointments overlapping [from, to), by start.
    async fn schedule(
        &self,
        unit: &Code,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Appointment>>;
    /// Logs a contact; `MissingReference` for an unknown customer or order.
    async fn add_contact(&self, c: &ContactRecord) -> Result<i64>;
    /// A customer's contacts, newest first.
    async fn contacts(&self, no: &CustomerNo, limit: u32) -> Result<Vec<ContactRecord>>;
    /// Creates an order with its deadlines and first event. With an idempotency key already
    /// used, returns the existing order and `false`, and writes nothing.
    async fn create_work_order(
        &self,
        o: &NewWorkOrder,
        first: &OrderEvent,
    ) -> Result<(WorkOrder, bool)>;
    /// Accepts a request: creates the order as [`WorkOrderStore::create_work_order`] does and,
    /// in the same transaction, logs `contact` (its `order_id` set to the new order) and appends
    /// `audit` (its target set to the new order's id). One write per request taken, which is
    /// what the intake's rate under a storm of calls depends on. With the idempotency key already
    /// used, the existing order and `false`, nothing written.
    async fn accept_work_order(
        &self,
        o: &NewWorkOrder,
        first: &OrderEvent,
        contact: Option<&ContactRecord>,
        audit: &griddesk_domain::access::AuditEntry,
    ) -> Result<(WorkOrder, bool)>;
    async fn work_order(&self, id: i64) -> Result<Option<WorkOrder>>;
    /// The order's history, oldest first.
    async fn work_order_events(&self, id: i64) -> Result<Vec<OrderEvent>>;
    /// Applies an update if the order still has `expected_version`.
    async fn update_work_order(
        &self,
        id: i64,
        expected_version: i64,
        u: &OrderUpdate,
        e: &OrderEvent,
    ) -> Result<UpdateOutcome>;
    async fn list_work_orders(&self, q: &OrderQuery) -> Result<Vec<WorkOrder>>;
    /// Unmet, not yet escalated deadlines due before `now` whose order is not paused:
    /// (order id, kind), oldest first.
    async fn overdue_deadlines(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<(i64, DeadlineKind)>>;
    /// Marks a deadline escalated and records the event; false when another sweeper was first.
    async fn mark_escalated(&self, id: i64, kind: DeadlineKind, e: &OrderEvent) -> Result<bool>;
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// Raw columns of a `work_order` row.
pub type OrderColumns = (
    (
        i64,
        String,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
    ),
    (String, String, String, String, Option<String>, i64, i64),
    (bool, Option<i64>, i64, Option<String>, i64),
);

pub const ORDER_COLUMNS: &str = "id, order_type, channel, status, customer_no, contact_name, \
    contact_phone, subject, description, owner, owner_name, org_unit, tier, accepted_us, \
    arrived, paused_since_us, paused_us, outage, version";

pub fn order_from_columns(c: OrderColumns, deadlines: Vec<OrderDeadline>) -> Result<WorkOrder> {
    use crate::access::{opt_us_ts, us_ts};
    let (
        (id, t, ch, st, cust, name, phone),
        (subject, desc, owner, owner_name, unit, tier, acc),
        (arrived, ps, p, outage, version),
    ) = c;
    Ok(WorkOrder {
        id,
        order_type: OrderType::parse(&t).map_err(corrupt)?,
        channel: Channel::parse(&ch).map_err(corrupt)?,
        status: Status::parse(&st).map_err(corrupt)?,
        customer_no: cust
            .map(|c| CustomerNo::parse(&c))
            .transpose()
            .map_err(corrupt)?,
        contact_name: name,
        contact_phone: phone
            .map(|p| PhoneNumber::parse(&p))
            .transpose()
            .map_err(corrupt)?,
        subject,
        description: desc,
        owner,
        owner_name,
        org_unit: unit.map(|u| Code::parse(&u)).transpose().map_err(corrupt)?,
        tier: u8::try_from(tier).map_err(corrupt)?,
        accepted_at: us_ts(acc)?,
        arrived,
        paused_since: opt_us_ts(ps)?,
        paused: SignedDuration::from_micros(p),
        outage,
        version,
        deadlines,
    })
}

/// The order `o` is once stored with `id` and first status `status`: what reading it back gives
/// (times to the microsecond, deadlines in the stored order), without the read.
pub fn order_as_stored(id: i64, o: &NewWorkOrder, status: Status) -> Result<WorkOrder> {
    use crate::access::{ts_us, us_ts};
    let mut deadlines = o
        .deadlines
        .iter()
        .map(|d| {
            Ok(OrderDeadline {
                kind: d.kind,
                due: us_ts(ts_us(d.due))?,
                met_at: None,
                escalated_at: None,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    deadlines.sort_by_key(|d| (d.due, d.kind.code()));
    Ok(WorkOrder {
        id,
        order_type: o.order_type,
        channel: o.channel,
        status,
        customer_no: o.customer_no.clone(),
        contact_name: o.contact_name.clone(),
        contact_phone: o.contact_phone.clone(),
        subject: o.subject.clone(),
        description: o.description.clone(),
        owner: o.owner.clone(),
        owner_name: o.owner_name.clone(),
        org_unit: o.org_unit.clone(),
        tier: o.tier,
        accepted_at: us_ts(ts_us(o.accepted_at))?,
        arrived: false,
        paused_since: None,
        paused: SignedDuration::ZERO,
        outage: None,
        version: 1,
        deadlines,
    })
}

/// Raw columns of a `work_order_deadline` row: (kind, due, met, escalated).
pub type DeadlineColumns = (String, i64, Option<i64>, Option<i64>);

pub fn deadline_from_columns(c: DeadlineColumns) -> Result<OrderDeadline> {
    use crate::access::{opt_us_ts, us_ts};
    Ok(OrderDeadline {
        kind: DeadlineKind::parse(&c.0).map_err(corrupt)?,
        due: us_ts(c.1)?,
        met_at: opt_us_ts(c.2)?,
        escalated_at: opt_us_ts(c.3)?,
    })
}

/// Raw columns of a `work_order_event` row.
pub type EventColumns = (
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

pub fn event_from_columns(c: EventColumns) -> Result<OrderEvent> {
    Ok(OrderEvent {
        at: crate::access::us_ts(c.0)?,
        actor: c.1,
        actor_name: c.2,
        action: c.3,
        from: c
            .4
            .map(|s| Status::parse(&s))
            .transpose()
            .map_err(corrupt)?,
        to: Status::parse(&c.5).map_err(corrupt)?,
        note: c.6,
        data: c.7,
    })
}

/// Raw columns of an `appointment` row.
pub type AppointmentColumns = (i64, i64, String, String, i64, i64, String, bool);

pub fn appointment_from_columns(c: AppointmentColumns) -> Result<Appointment> {
    Ok(Appointment {
        id: c.0,
        order_id: c.1,
        org_unit: Code::parse(&c.2).map_err(corrupt)?,
        kind: AppointmentKind::parse(&c.3).map_err(corrupt)?,
        starts_at: crate::access::us_ts(c.4)?,
        ends_at: crate::access::us_ts(c.5)?,
        booked_by: c.6,
        cancelled: c.7,
    })
}

/// Raw columns of a `contact_record` row.
pub type ContactColumns = (
    String,
    i64,
    String,
    bool,
    String,
    String,
    String,
    Option<i64>,
);

pub fn contact_from_columns(c: ContactColumns) -> Result<ContactRecord> {
    Ok(ContactRecord {
        customer_no: CustomerNo::parse(&c.0).map_err(corrupt)?,
        at: crate::access::us_ts(c.1)?,
        kind: ContactKind::parse(&c.2).map_err(corrupt)?,
        inbound: c.3,
        actor: c.4,
        actor_name: c.5,
        summary: c.6,
        order_id: c.7,
    })
}

/// Existence checks of referenced records, for `require` of [`order_event_helpers!`].
pub mod ref_sql {
    pub const CUSTOMER: &str = "SELECT CAST(1 AS BIGINT) FROM customer WHERE customer_no = $1";
    pub const ORG_UNIT: &str = "SELECT CAST(1 AS BIGINT) FROM org_unit WHERE code = $1";
    pub const STAFF: &str = "SELECT CAST(1 AS BIGINT) FROM staff WHERE login = $1";
    pub const SUBSTATION: &str = "SELECT CAST(1 AS BIGINT) FROM substation WHERE code = $1";
    pub const FEEDER: &str = "SELECT CAST(1 AS BIGINT) FROM feeder WHERE code = $1";
    pub const AREA: &str = "SELECT CAST(1 AS BIGINT) FROM transformer_area WHERE code = $1";
}

/// Generates `load` (an order with its deadlines, on a connection or inside a transaction) and
/// `update_in` (a versioned order update with its event, inside the caller's transaction; the
/// caller commits on `Updated`) for the `*_store_impl!` macros that change orders.
#[macro_export]
macro_rules! order_row_helpers {
    ($conn:ty, $db:path) => {
        #[allow(dead_code)]
        async fn load(
            conn: &mut $conn,
            id: i64,
        ) -> $crate::Result<Option<$crate::workorder::WorkOrder>> {
            use ::sqlx::Row as _;
            let found = ::sqlx::query(&format!(
                "SELECT {} FROM work_order WHERE id = $1",
                $crate::workorder::ORDER_COLUMNS
            ))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .map_err($db)?;
            let Some(r) = found else { return Ok(None) };
            let row: $crate::workorder::OrderColumns = (
                (
                    r.try_get(0).map_err($db)?,
                    r.try_get(1).map_err($db)?,
                    r.try_get(2).map_err($db)?,
                    r.try_get(3).map_err($db)?,
                    r.try_get(4).map_err($db)?,
                    r.try_get(5).map_err($db)?,
                    r.try_get(6).map_err($db)?,
                ),
                (
                    r.try_get(7).map_err($db)?,
                    r.try_get(8).map_err($db)?,
                    r.try_get(9).map_err($db)?,
                    r.try_get(10).map_err($db)?,
                    r.try_get(11).map_err($db)?,
                    r.try_get(12).map_err($db)?,
                    r.try_get(13).map_err($db)?,
                ),
                (
                    r.try_get(14).map_err($db)?,
                    r.try_get(15).map_err($db)?,
                    r.try_get(16).map_err($db)?,
                    r.try_get(17).map_err($db)?,
                    r.try_get(18).map_err($db)?,
                ),
            );
            let ds: Vec<$crate::workorder::DeadlineColumns> = ::sqlx::query_as(
                "SELECT kind, due_us, met_us, escalated_us FROM work_order_deadline \
                 WHERE order_id = $1 ORDER BY due_us, kind",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await
            .map_err($db)?;
            let ds = ds
                .into_iter()
                .map($crate::workorder::deadline_from_columns)
                .collect::<$crate::Result<_>>()?;
            $crate::workorder::order_from_columns(row, ds).map(Some)
        }

        #[allow(dead_code)]
        async fn update_in(
            conn: &mut $conn,
            id: i64,
            expected_version: i64,
            u: &$crate::workorder::OrderUpdate,
            e: &$crate::workorder::OrderEvent,
        ) -> $crate::Result<$crate::workorder::UpdateOutcome> {
            use $crate::workorder::UpdateOutcome;
            let changed = ::sqlx::query(
                "UPDATE work_order SET status = $3, arrived = $4, paused_since_us = $5, \
                 paused_us = $6, org_unit = $7, outage = $8, version = version + 1 \
                 WHERE id = $1 AND version = $2",
            )
            .bind(id)
            .bind(expected_version)
            .bind(u.status.code())
            .bind(u.arrived)
            .bind(u.paused_since.map($crate::access::ts_us))
            .bind(u.paused.as_micros() as i64)
            .bind(u.org_unit.as_ref().map(|c| c.as_str()))
            .bind(&u.outage)
            .execute(&mut *conn)
            .await
            .map_err($db)?
            .rows_affected();
            if changed == 0 {
                return Ok(match load(&mut *conn, id).await? {
                    Some(current) => UpdateOutcome::Conflict(current),
                    None => UpdateOutcome::NotFound,
                });
            }
            for (kind, at) in &u.met {
                ::sqlx::query(
                    "UPDATE work_order_deadline SET met_us = COALESCE(met_us, $3) \
                     WHERE order_id = $1 AND kind = $2",
                )
                .bind(id)
                .bind(kind.code())
                .bind($crate::access::ts_us(*at))
                .execute(&mut *conn)
                .await
                .map_err($db)?;
            }
            insert_event(&mut *conn, id, e).await?;
            let order = load(&mut *conn, id)
                .await?
                .ok_or_else(|| $crate::StoreError::Backend("order vanished".into()))?;
            Ok(UpdateOutcome::Updated(order))
        }
    };
}

/// Generates the helpers every part of the store that writes order events uses:
/// `insert_event` (appends the next event of an order) and `bump_version` (the order changed:
/// its ETag moves on). For use inside the `*_store_impl!` macros.
#[macro_export]
macro_rules! order_event_helpers {
    ($conn:ty, $db:path) => {
        /// Fails with `MissingReference { field, value }` unless `sql` (one row by `$1`, as in
        /// [`ref_sql`]) finds the referenced record.
        #[allow(dead_code)]
        async fn require(
            conn: &mut $conn,
            sql: &'static str,
            field: &'static str,
            value: &str,
        ) -> $crate::Result<()> {
            let found: Option<i64> = ::sqlx::query_scalar(sql)
                .bind(value)
                .fetch_optional(&mut *conn)
                .await
                .map_err($db)?;
            match found {
                Some(_) => Ok(()),
                None => Err($crate::StoreError::MissingReference {
                    field,
                    value: value.to_owned(),
                }),
            }
        }

        #[allow(dead_code)]
        async fn bump_version(conn: &mut $conn, id: i64) -> $crate::Result<()> {
            ::sqlx::query("UPDATE work_order SET version = version + 1 WHERE id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err($db)?;
            Ok(())
        }

        async fn insert_event(
            conn: &mut $conn,
            id: i64,
            e: &$crate::workorder::OrderEvent,
        ) -> $crate::Result<()> {
            ::sqlx::query(
                "INSERT INTO work_order_event (order_id, seq, at_us, actor, actor_name, \
                     action, from_status, to_status, note, data_json) \
                     VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM work_order_event \
                     WHERE order_id = $1), $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind($crate::access::ts_us(e.at))
            .bind(&e.actor)
            .bind(&e.actor_name)
            .bind(&e.action)
            .bind(e.from.map(|s| s.code()))
            .bind(e.to.code())
            .bind(&e.note)
            .bind(&e.data)
            .execute(&mut *conn)
            .await
            .map_err($db)?;
            Ok(())
        }
    };
}

/// Implements [`WorkOrderStore`] for a backend whose struct has a `pool` field; see
/// [`crate::access_store_impl`] for the arguments.
#[macro_export]
macro_rules! workorder_store_impl {
    ($store:ty, $conn:ty, $db:path) => {
        const _: () = {
            use $crate::Result;
            use $crate::access::ts_us;
            use $crate::workorder::*;
            use ::griddesk_domain::sla::DeadlineKind;
            use ::jiff::Timestamp;

            $crate::order_row_helpers!($conn, $db);
            $crate::order_event_helpers!($conn, $db);
            $crate::audit_helpers!($conn, $db);

            async fn insert_contact(conn: &mut $conn, c: &ContactRecord) -> Result<i64> {
                ::sqlx::query_scalar(
                    "INSERT INTO contact_record (customer_no, at_us, kind, inbound, actor, \
                     actor_name, summary, order_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     RETURNING id",
                )
                .bind(c.customer_no.as_str())
                .bind(ts_us(c.at))
                .bind(c.kind.code())
                .bind(c.inbound)
                .bind(&c.actor)
                .bind(&c.actor_name)
                .bind(&c.summary)
                .bind(c.order_id)
                .fetch_one(&mut *conn)
                .await
                .map_err($db)
            }

            async fn by_key(conn: &mut $conn, key: &str) -> Result<Option<i64>> {
                ::sqlx::query_scalar("SELECT id FROM work_order WHERE idempotency_key = $1")
                    .bind(key)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err($db)
            }

            /// Writes a new order (or finds the one of its idempotency key) on `tx`.
            async fn create(
                tx: &mut $conn,
                o: &NewWorkOrder,
                first: &OrderEvent,
            ) -> Result<(WorkOrder, bool)> {
                if let Some(key) = &o.idempotency_key
                    && let Some(id) = by_key(&mut *tx, key).await?
                {
                    let existing = load(&mut *tx, id).await?.ok_or_else(|| {
                        $crate::StoreError::Backend("order vanished".into())
                    })?;
                    return Ok((existing, false));
                }
                // One statement writes the order, checks its customer (no row without one) and
                // records the feeder and area the customer is connected to now; the order is then
                // built, not re-read: every writer waits for this transaction, so it is kept to
                // few round trips.
                let id: Option<i64> = ::sqlx::query_scalar(
                    "INSERT INTO work_order (order_type, channel, status, customer_no, \
                     contact_name, contact_phone, subject, description, owner, owner_name, \
                     org_unit, tier, accepted_us, arrived, paused_since_us, paused_us, \
                     outage, version, idempotency_key, intake_feeder, intake_area) \
                     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
                     NULL, 0, NULL, 1, $15, COALESCE(ta.feeder, c.feeder_code), c.area_code \
                     FROM (SELECT 1 AS one) v \
                     LEFT JOIN customer c ON c.customer_no = $4 \
                     LEFT JOIN transformer_area ta ON ta.code = c.area_code \
                     WHERE $4 IS NULL OR c.customer_no IS NOT NULL \
                     RETURNING id",
                )
                .bind(o.order_type.code())
                .bind(o.channel.code())
                .bind(first.to.code())
                .bind(o.customer_no.as_ref().map(|c| c.as_str()))
                .bind(&o.contact_name)
                .bind(o.contact_phone.as_ref().map(|p| p.as_str()))
                .bind(&o.subject)
                .bind(&o.description)
                .bind(&o.owner)
                .bind(&o.owner_name)
                .bind(o.org_unit.as_ref().map(|u| u.as_str()))
                .bind(i64::from(o.tier))
                .bind(ts_us(o.accepted_at))
                .bind(false)
                .bind(&o.idempotency_key)
                .fetch_optional(&mut *tx)
                .await
                .map_err($db)?;
                let Some(id) = id else {
                    return Err($crate::StoreError::MissingReference {
                        field: "customer_no",
                        value: o.customer_no.as_ref().map_or_else(String::new, |c| c.to_string()),
                    });
                };
                if !o.deadlines.is_empty() {
                    let mut qb = ::sqlx::QueryBuilder::<<$conn as ::sqlx::Connection>::Database>::new(
                        "INSERT INTO work_order_deadline (order_id, kind, due_us) ",
                    );
                    qb.push_values(&o.deadlines, |mut row, d| {
                        row.push_bind(id).push_bind(d.kind.code()).push_bind(ts_us(d.due));
                    });
                    qb.build().execute(&mut *tx).await.map_err($db)?;
                }
                insert_event(&mut *tx, id, first).await?;
                Ok((order_as_stored(id, o, first.to)?, true))
            }

            #[::async_trait::async_trait]
            impl WorkOrderStore for $store {
                async fn book_appointment(
                    &self,
                    a: &Appointment,
                    capacity: u32,
                    e: &OrderEvent,
                ) -> Result<Booking> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    if load(&mut tx, a.order_id).await?.is_none() {
                        return Err($crate::StoreError::MissingReference {
                            field: "order_id",
                            value: a.order_id.to_string(),
                        });
                    }
                    require(&mut tx, $crate::workorder::ref_sql::ORG_UNIT, "org_unit", a.org_unit.as_str()).await?;
                    // Lock the unit's schedule: the row of the unit serialises bookings on
                    // PostgreSQL; SQLite's single writer does already.
                    ::sqlx::query("UPDATE org_unit SET code = code WHERE code = $1")
                        .bind(a.org_unit.as_str())
                        .execute(&mut *tx)
                        .await
                        .map_err($db)?;
                    let taken: i64 = ::sqlx::query_scalar(
                        "SELECT COUNT(*) FROM appointment WHERE org_unit = $1 AND NOT cancelled \
                         AND starts_us < $3 AND ends_us > $2",
                    )
                    .bind(a.org_unit.as_str())
                    .bind(ts_us(a.starts_at))
                    .bind(ts_us(a.ends_at))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($db)?;
                    if taken >= i64::from(capacity) {
                        return Ok(Booking::Full);
                    }
                    let id: i64 = ::sqlx::query_scalar(
                        "INSERT INTO appointment (order_id, org_unit, kind, starts_us, ends_us, \
                         booked_by, cancelled) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(a.order_id)
                    .bind(a.org_unit.as_str())
                    .bind(a.kind.code())
                    .bind(ts_us(a.starts_at))
                    .bind(ts_us(a.ends_at))
                    .bind(&a.booked_by)
                    .bind(false)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($db)?;
                    ::sqlx::query(
                        "UPDATE work_order_deadline SET due_us = $2 \
                         WHERE order_id = $1 AND met_us IS NULL AND due_us < $2",
                    )
                    .bind(a.order_id)
                    .bind(ts_us(a.ends_at))
                    .execute(&mut *tx)
                    .await
                    .map_err($db)?;
                    bump_version(&mut tx, a.order_id).await?;
                    insert_event(&mut tx, a.order_id, e).await?;
                    tx.commit().await.map_err($db)?;
                    Ok(Booking::Booked(Appointment { id, ..a.clone() }))
                }

                async fn schedule(
                    &self,
                    unit: &::griddesk_domain::values::Code,
                    from: Timestamp,
                    to: Timestamp,
                ) -> Result<Vec<Appointment>> {
                    let rows: Vec<AppointmentColumns> = ::sqlx::query_as(
                        "SELECT id, order_id, org_unit, kind, starts_us, ends_us, booked_by, \
                         cancelled FROM appointment WHERE org_unit = $1 AND NOT cancelled \
                         AND starts_us < $3 AND ends_us > $2 ORDER BY starts_us, id",
                    )
                    .bind(unit.as_str())
                    .bind(ts_us(from))
                    .bind(ts_us(to))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter().map(appointment_from_columns).collect()
                }

                async fn add_contact(&self, c: &ContactRecord) -> Result<i64> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    require(&mut tx, $crate::workorder::ref_sql::CUSTOMER, "customer_no", c.customer_no.as_str()).await?;
                    if let Some(id) = c.order_id
                        && load(&mut tx, id).await?.is_none()
                    {
                        return Err($crate::StoreError::MissingReference {
                            field: "order_id",
                            value: id.to_string(),
                        });
                    }
                    let id = insert_contact(&mut tx, c).await?;
                    tx.commit().await.map_err($db)?;
                    Ok(id)
                }

                async fn contacts(
                    &self,
                    no: &::griddesk_domain::values::CustomerNo,
                    limit: u32,
                ) -> Result<Vec<ContactRecord>> {
                    let rows: Vec<ContactColumns> = ::sqlx::query_as(
                        "SELECT customer_no, at_us, kind, inbound, actor, actor_name, summary,                          order_id FROM contact_record WHERE customer_no = $1                          ORDER BY at_us DESC, id DESC LIMIT $2",
                    )
                    .bind(no.as_str())
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter().map(contact_from_columns).collect()
                }

                async fn create_work_order(
                    &self,
                    o: &NewWorkOrder,
                    first: &OrderEvent,
                ) -> Result<(WorkOrder, bool)> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let made = create(&mut tx, o, first).await?;
                    tx.commit().await.map_err($db)?;
                    Ok(made)
                }

                async fn accept_work_order(
                    &self,
                    o: &NewWorkOrder,
                    first: &OrderEvent,
                    contact: Option<&ContactRecord>,
                    audit: &::griddesk_domain::access::AuditEntry,
                ) -> Result<(WorkOrder, bool)> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let (order, created) = create(&mut tx, o, first).await?;
                    if !created {
                        return Ok((order, false));
                    }
                    if let Some(c) = contact {
                        let c = ContactRecord {
                            order_id: Some(order.id),
                            ..c.clone()
                        };
                        insert_contact(&mut tx, &c).await?;
                    }
                    let mut audit = audit.clone();
                    audit.target = order.id.to_string();
                    insert_audit(&mut tx, &audit).await?;
                    tx.commit().await.map_err($db)?;
                    Ok((order, true))
                }

                async fn work_order(&self, id: i64) -> Result<Option<WorkOrder>> {
                    let mut conn = self.pool.acquire().await.map_err($db)?;
                    load(&mut conn, id).await
                }

                async fn work_order_events(&self, id: i64) -> Result<Vec<OrderEvent>> {
                    let rows: Vec<EventColumns> = ::sqlx::query_as(
                        "SELECT at_us, actor, actor_name, action, from_status, to_status, note, \
                         data_json FROM work_order_event WHERE order_id = $1 ORDER BY seq",
                    )
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter().map(event_from_columns).collect()
                }

                async fn update_work_order(
                    &self,
                    id: i64,
                    expected_version: i64,
                    u: &OrderUpdate,
                    e: &OrderEvent,
                ) -> Result<UpdateOutcome> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let outcome = update_in(&mut tx, id, expected_version, u, e).await?;
                    if matches!(outcome, UpdateOutcome::Updated(_)) {
                        tx.commit().await.map_err($db)?;
                    }
                    Ok(outcome)
                }

                async fn list_work_orders(&self, q: &OrderQuery) -> Result<Vec<WorkOrder>> {
                    let mut qb = ::sqlx::QueryBuilder::<<$conn as ::sqlx::Connection>::Database>::new(
                        "SELECT w.id FROM work_order w WHERE 1 = 1",
                    );
                    if let Some(st) = q.status {
                        qb.push(" AND w.status = ").push_bind(st.code());
                    } else if !q.include_closed {
                        qb.push(
                            " AND w.status NOT IN ('handled', 'replied', 'called_back', \
                             'archived', 'merged', 'cancelled')",
                        );
                    }
                    if let Some(no) = &q.customer_no {
                        qb.push(" AND w.customer_no = ").push_bind(no.as_str().to_owned());
                    }
                    if let Some(owner) = &q.owner {
                        qb.push(" AND w.owner = ").push_bind(owner.clone());
                    }
                    if let Some(units) = &q.org_units {
                        qb.push(" AND (w.org_unit IN (''");
                        for u in units {
                            qb.push(", ").push_bind(u.as_str().to_owned());
                        }
                        qb.push(")");
                        if q.include_undispatched {
                            qb.push(" OR w.org_unit IS NULL");
                        }
                        qb.push(")");
                    }
                    qb.push(
                        " ORDER BY w.tier, (SELECT MIN(d.due_us) FROM work_order_deadline d \
                         WHERE d.order_id = w.id AND d.met_us IS NULL), w.id LIMIT ",
                    )
                    .push_bind(i64::from(q.limit));
                    let ids: Vec<i64> = qb
                        .build_query_scalar::<i64>()
                        .fetch_all(&self.pool)
                        .await
                        .map_err($db)?;
                    let mut conn = self.pool.acquire().await.map_err($db)?;
                    let mut out = Vec::with_capacity(ids.len());
                    for id in ids {
                        if let Some(o) = load(&mut conn, id).await? {
                            out.push(o);
                        }
                    }
                    Ok(out)
                }

                async fn overdue_deadlines(
                    &self,
                    now: Timestamp,
                    limit: u32,
                ) -> Result<Vec<(i64, DeadlineKind)>> {
                    let rows: Vec<(i64, String)> = ::sqlx::query_as(
                        "SELECT d.order_id, d.kind FROM work_order_deadline d \
                         JOIN work_order w ON w.id = d.order_id \
                         WHERE d.met_us IS NULL AND d.escalated_us IS NULL \
                         AND w.paused_since_us IS NULL \
                         AND d.due_us + w.paused_us < $1 \
                         AND w.status NOT IN ('archived', 'merged', 'cancelled') \
                         ORDER BY d.due_us LIMIT $2",
                    )
                    .bind(ts_us(now))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter()
                        .map(|(id, k)| {
                            DeadlineKind::parse(&k)
                                .map(|k| (id, k))
                                .map_err(|e| $crate::StoreError::Corrupt(e.to_string()))
                        })
                        .collect()
                }

                async fn mark_escalated(
                    &self,
                    id: i64,
                    kind: DeadlineKind,
                    e: &OrderEvent,
                ) -> Result<bool> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let n = ::sqlx::query(
                        "UPDATE work_order_deadline SET escalated_us = $3 \
                         WHERE order_id = $1 AND kind = $2 AND escalated_us IS NULL",
                    )
                    .bind(id)
                    .bind(kind.code())
                    .bind(ts_us(e.at))
                    .execute(&mut *tx)
                    .await
                    .map_err($db)?
                    .rows_affected();
                    if n == 0 {
                        return Ok(false);
                    }
                    insert_event(&mut tx, id, e).await?;
                    bump_version(&mut tx, id).await?;
                    tx.commit().await.map_err($db)?;
                    Ok(true)
                }
            }
        };
    };
}
