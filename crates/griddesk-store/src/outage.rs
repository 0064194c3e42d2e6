//! Storage of outages (D3): each outage with the devices it switches off and the customers it
//! reaches, computed in SQL from the live topology when it is recorded (the rule is
//! [`griddesk_domain::outage::OutSet::affects`]; the conformance suite checks the SQL agrees),
//! its steps as an append-only history, the question agents and customers ask: is there an
//! outage at this customer now, or one planned? — and the board's topology tree: per
//! substation, feeder and area, how many customers open outages reach (one aggregate query,
//! never the customers themselves), and the open outages under a node.

use crate::Result;
use crate::backend::corrupt;
use griddesk_domain::outage::{OutageAction, OutageKind, OutageScope, OutageStatus};
use griddesk_domain::values::{Code, CustomerNo};
use jiff::Timestamp;

/// An outage to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutage {
    pub kind: OutageKind,
    pub title: String,
    pub cause: String,
    pub scope: OutageScope,
    pub start: Timestamp,
    /// Planned end, or the estimated restoration time of a fault.
    pub eta: Option<Timestamp>,
    pub created_by: String,
    pub created_at: Timestamp,
}

/// A stored outage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outage {
    pub id: i64,
    pub version: i64,
    pub kind: OutageKind,
    pub status: OutageStatus,
    pub title: String,
    pub cause: String,
    pub scope: OutageScope,
    pub start: Timestamp,
    pub eta: Option<Timestamp>,
    pub restored_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub created_by: String,
    /// How many customers it reaches.
    pub affected: i64,
}

/// Customers of one outage (or of the archive) in one organisation unit and area type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupCount {
    pub outage_id: i64,
    pub org_unit: String,
    pub area_type: String,
    pub customers: i64,
}

/// A node of the supply topology: where the board's tree counts customers and filters outages.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GridNode {
    Substation(Code),
    Feeder(Code),
    Area(Code),
}

/// The customers open outages reach under one node of the topology tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeImpact {
    /// The substation, feeder or area; `None` under a feeder for the customers it supplies
    /// straight (high-voltage customers, no transformer area).
    pub code: Option<Code>,
    pub name: String,
    /// Customers any open outage (announced or out now) reaches, each once.
    pub customers: i64,
    /// Of those, the ones without power now.
    pub out_now: i64,
    /// Open outages that reach a customer under the node.
    pub outages: i64,
}

/// One step in an outage's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutageEvent {
    pub at: Timestamp,
    pub actor: String,
    pub actor_name: String,
    pub action: OutageAction,
    pub status: OutageStatus,
    pub note: Option<String>,
}

/// A step to store: the new state and times, if the outage is still at `expected_version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutageStep {
    pub expected_version: i64,
    pub status: OutageStatus,
    pub eta: Option<Timestamp>,
    pub restored_at: Option<Timestamp>,
    pub event: OutageEvent,
    /// What the step tells customers, queued in the same transaction so a step is never
    /// stored without its notices.
    pub notify: Option<StepNotices>,
}

/// The notices and tasks an outage step queues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepNotices {
    pub purpose: griddesk_domain::notice::NoticePurpose,
    /// The text, the same for every recipient.
    pub body: String,
    pub channels: Vec<griddesk_domain::notice::NoticeChannel>,
    /// A task for each key or important customer, due then.
    pub task: Option<(griddesk_domain::notice::TaskKind, Timestamp)>,
}

/// Outcome of a versioned outage step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutageUpdate {
    Updated(Outage),
    Conflict(Outage),
    NotFound,
}

/// What follows from a fault outage inferred from repair calls, made once its id is known and
/// written with it by [`OutageStore::raise_fault`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultFollowUp {
    /// Appended first, as they are (the outage's own record among them).
    pub audit: Vec<griddesk_domain::access::AuditEntry>,
    /// Outages it takes in, each stepped (cancelled into it) by id.
    pub steps: Vec<(i64, OutageStep)>,
    /// Repair orders it takes in, each updated (merged into it).
    pub orders: Vec<OrderChange>,
}

/// A versioned order update with its event, and the audit entry written when it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderChange {
    pub id: i64,
    pub expected_version: i64,
    pub update: crate::workorder::OrderUpdate,
    pub event: crate::workorder::OrderEvent,
    pub audit: griddesk_domain::access::AuditEntry,
}

/// What [`OutageStore::raise_fault`] wrote: the outage, and the outcome of each step and order
/// update of its follow-up, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaisedFault {
    pub outage: Outage,
    pub steps: Vec<OutageUpdate>,
    pub orders: Vec<crate::workorder::UpdateOutcome>,
}

/// Builds the follow-up of a raised outage from the outage as stored.
pub type FollowUp<'a> = &'a (dyn Fn(&Outage) -> FaultFollowUp + Send + Sync);

#[async_trait::async_trait]
pub trait OutageStore: Send + Sync {
    /// Records an outage: resolves its scope to devices, stores the customers it reaches and a
    /// first history event. `MissingReference` names a code of the scope that does not exist.
    async fn create_outage(&self, o: &NewOutage) -> Result<Outage>;
    async fn outage(&self, id: i64) -> Result<Option<Outage>>;
    /// Open outages (or all, newest first, up to `limit`), by start.
    async fn outages(&self, include_closed: bool, limit: u32) -> Result<Vec<Outage>>;
    async fn outage_events(&self, id: i64) -> Result<Vec<OutageEvent>>;
    async fn step_outage(&self, id: i64, s: &OutageStep) -> Result<OutageUpdate>;
    /// Records a fault outage inferred from repair calls and what `then` makes follow from it,
    /// in one transaction: under a storm of calls each write waits its turn for the writer, and
    /// a raise is one wait, not one per write. A step or order update whose expected version
    /// has moved on (someone acted meanwhile) is not written and is reported as such; the rest
    /// stands.
    async fn raise_fault(&self, o: &NewOutage, then: FollowUp<'_>) -> Result<RaisedFault>;
    /// The customers an outage reaches, by customer number.
    async fn outage_customers(&self, id: i64, limit: u32) -> Result<Vec<CustomerNo>>;
    /// The open outages that reach this customer (out now, or announced), earliest first.
    async fn outages_of_customer(&self, no: &CustomerNo) -> Result<Vec<Outage>>;
    /// Restored outages that started in `[from, to)`, oldest first (reliability indices).
    async fn restored_outages(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Outage>>;
    /// The affected customers of each restored outage that started in `[from, to)`, counted
    /// by the customers' organisation unit and area type (reliability per unit and area type).
    async fn restored_outage_groups(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<GroupCount>>;
    /// Customers served, by organisation unit and area type (`outage_id` is 0).
    async fn customers_by_group(&self) -> Result<Vec<GroupCount>>;
    /// The children of `parent` in the topology tree that open outages reach, with their
    /// counts, most customers first (then by code; a feeder's directly supplied customers
    /// last): the substations when `parent` is None, a substation's feeders, a feeder's areas
    /// and directly supplied customers; an area has none. One aggregate query over the stored
    /// impact: customers hang where the live topology puts them, a dual-supply customer on its
    /// main feeder.
    async fn outage_impact(&self, parent: Option<&GridNode>) -> Result<Vec<NodeImpact>>;
    /// Open outages that reach a customer under `node`, newest start first, at most `limit`.
    async fn open_outages_at(&self, node: &GridNode, limit: u32) -> Result<Vec<Outage>>;
    /// Repair calls accepted after `since` that are neither merged nor cancelled, placed from the
    /// same feeder as work order `order_id`, with where each customer hung when calling (fault
    /// inference; the place is taken from the live topology when an order is accepted). Only
    /// that feeder's calls can make a suspicion that holds this order; the cost is those calls,
    /// however many arrive company-wide and however large the feeder.
    async fn repair_calls_near(
        &self,
        order_id: i64,
        since: Timestamp,
    ) -> Result<Vec<griddesk_domain::outage::RepairCall>>;
    /// The open fault outages recorded on this feeder or on areas that hang on it (live
    /// topology), with every device each takes off, newest start first: what a new suspicion on
    /// the feeder may overlap. Looked up from the devices (indexed), so however many outages
    /// are open elsewhere none is missed and none is read. Substation and customer-list faults
    /// are recorded by people, who merge by hand: they are left out.
    async fn open_faults_on(
        &self,
        feeder: &Code,
    ) -> Result<Vec<griddesk_domain::outage::OpenFault>>;
}

/// The stored form of a scope: (kind, comma-joined codes).
pub fn scope_columns(s: &OutageScope) -> (&'static str, String) {
    let join = |v: Vec<&str>| v.join(",");
    match s {
        OutageScope::Substation(c) => ("substation", c.as_str().to_owned()),
        OutageScope::Feeders(v) => ("feeders", join(v.iter().map(Code::as_str).collect())),
        OutageScope::Areas(v) => ("areas", join(v.iter().map(Code::as_str).collect())),
        OutageScope::Customers(v) => (
            "customers",
            join(v.iter().map(CustomerNo::as_str).collect()),
        ),
    }
}

pub fn scope_from(kind: &str, codes: &str) -> Result<OutageScope> {
    let parts = || codes.split(',').filter(|s| !s.is_empty());
    let codes_of = || {
        parts()
            .map(Code::parse)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| corrupt("scope_codes", e))
    };
    Ok(match kind {
        "substation" => {
            OutageScope::Substation(Code::parse(codes).map_err(|e| corrupt("scope_codes", e))?)
        }
        "feeders" => OutageScope::Feeders(codes_of()?),
        "areas" => OutageScope::Areas(codes_of()?),
        "customers" => OutageScope::Customers(
            parts()
                .map(CustomerNo::parse)
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| corrupt("scope_codes", e))?,
        ),
        other => return Err(corrupt("scope_kind", other)),
    })
}

/// Raw columns of an outage row.
pub type OutageColumns = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    String,
    i64,
);

pub const OUTAGE_COLUMNS: &str = "o.id, o.version, o.kind, o.status, o.title, o.cause, \
    o.scope_kind, o.scope_codes, o.start_us, o.eta_us, o.restored_us, o.created_us, \
    o.created_by, o.affected";

pub fn outage_from_columns(c: OutageColumns) -> Result<Outage> {
    let (id, version, kind, status, title, cause, sk, sc, start, eta, restored, created, by, n) = c;
    let ts = crate::access::us_ts;
    Ok(Outage {
        id,
        version,
        kind: OutageKind::parse(&kind).map_err(|e| corrupt("kind", e))?,
        status: OutageStatus::parse(&status).map_err(|e| corrupt("status", e))?,
        title,
        cause,
        scope: scope_from(&sk, &sc)?,
        start: ts(start)?,
        eta: eta.map(ts).transpose()?,
        restored_at: restored.map(ts).transpose()?,
        created_at: ts(created)?,
        created_by: by,
        affected: n,
    })
}

pub type OutageEventColumns = (i64, String, String, String, String, Option<String>);

pub fn outage_event_from_columns(c: OutageEventColumns) -> Result<OutageEvent> {
    let (at, actor, actor_name, action, status, note) = c;
    Ok(OutageEvent {
        at: crate::access::us_ts(at)?,
        actor,
        actor_name,
        action: OutageAction::parse(&action).map_err(|e| corrupt("action", e))?,
        status: OutageStatus::parse(&status).map_err(|e| corrupt("status", e))?,
        note,
    })
}

pub fn group_count(
    (outage_id, org_unit, area_type, customers): (i64, String, String, i64),
) -> GroupCount {
    GroupCount {
        outage_id,
        org_unit,
        area_type,
        customers,
    }
}

/// The status codes for which `keep` holds, as an SQL list (`'a', 'b'`): the codes are the
/// domain's fixed identifiers, never input.
fn status_list(keep: impl Fn(OutageStatus) -> bool) -> String {
    OutageStatus::ALL
        .iter()
        .filter(|s| keep(**s))
        .map(|s| format!("'{}'", s.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Joins an affected customer (`c`) to its area (`ta`, absent for customers straight on a
/// feeder) and feeder (`f`).
const CUSTOMER_PLACE: &str = "JOIN customer c ON c.customer_no = h.customer_no \
    LEFT JOIN transformer_area ta ON ta.code = c.area_code \
    JOIN feeder f ON f.code = COALESCE(ta.feeder, c.feeder_code)";

/// The statement of [`OutageStore::outage_impact`] for children of `parent`, and whether it
/// binds the parent's code as `$1`. Rows: code (NULL for a feeder's direct customers), name,
/// customers, out now, outages.
pub fn impact_sql(parent: Option<&GridNode>) -> Option<String> {
    let (key, name, join, filter) = match parent {
        None => (
            "f.substation",
            "s.name",
            "JOIN substation s ON s.code = f.substation",
            "",
        ),
        Some(GridNode::Substation(_)) => ("f.code", "f.name", "", "WHERE f.substation = $1"),
        Some(GridNode::Feeder(_)) => ("ta.code", "ta.name", "", "WHERE f.code = $1"),
        Some(GridNode::Area(_)) => return None,
    };
    let open = status_list(|s| !s.is_closed());
    let out = status_list(OutageStatus::is_out);
    Some(format!(
        "WITH h AS (SELECT oc.customer_no, oc.outage_id, \
           CASE WHEN o.status IN ({out}) THEN 1 ELSE 0 END AS out_now \
           FROM outage o JOIN outage_customer oc ON oc.outage_id = o.id \
           WHERE o.status IN ({open})) \
         SELECT {key}, MAX({name}), COUNT(DISTINCT h.customer_no), \
           COUNT(DISTINCT CASE WHEN h.out_now = 1 THEN h.customer_no END), \
           COUNT(DISTINCT h.outage_id) \
         FROM h {CUSTOMER_PLACE} {join} {filter} GROUP BY {key}"
    ))
}

/// The statement of [`OutageStore::open_outages_at`]: `$1` the node's code, `$2` the limit.
pub fn outages_at_sql(node: &GridNode) -> String {
    let at = match node {
        GridNode::Substation(_) => "f.substation = $1",
        GridNode::Feeder(_) => "f.code = $1",
        GridNode::Area(_) => "c.area_code = $1",
    };
    let open = status_list(|s| !s.is_closed());
    format!(
        "SELECT {OUTAGE_COLUMNS} FROM outage o WHERE o.status IN ({open}) AND EXISTS ( \
           SELECT 1 FROM outage_customer h {CUSTOMER_PLACE} \
           WHERE h.outage_id = o.id AND {at}) \
         ORDER BY o.start_us DESC, o.id DESC LIMIT $2"
    )
}

impl GridNode {
    pub fn code(&self) -> &Code {
        match self {
            GridNode::Substation(c) | GridNode::Feeder(c) | GridNode::Area(c) => c,
        }
    }
}

/// Raw columns of a row of [`impact_sql`].
pub type ImpactColumns = (Option<String>, Option<String>, i64, i64, i64);

/// Decodes rows of [`impact_sql`], ordered most customers first, then by code, the direct
/// customers of a feeder last.
pub fn impact_from_rows(rows: Vec<ImpactColumns>) -> Result<Vec<NodeImpact>> {
    let mut out = rows
        .into_iter()
        .map(|(code, name, customers, out_now, outages)| {
            Ok(NodeImpact {
                code: code
                    .map(|c| Code::parse(&c).map_err(|e| corrupt("code", e)))
                    .transpose()?,
                name: name.unwrap_or_default(),
                customers,
                out_now,
                outages,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by(|a, b| {
        a.code
            .is_none()
            .cmp(&b.code.is_none())
            .then(b.customers.cmp(&a.customers))
            .then_with(|| a.code.cmp(&b.code))
    });
    Ok(out)
}

/// The statement of [`OutageStore::repair_calls_near`]: `$1` the order, `$2` the start of the
/// window. Rows: order id, accepted, customer, feeder, area.
///
/// A call counts where its customer hung when it was placed (`intake_feeder`, `intake_area`,
/// taken from the live topology at acceptance): the symptom was seen there. One range of the
/// partial index by feeder and time, so the cost is the calls of one feeder in the window,
/// neither the feeder's size nor a storm of calls elsewhere. Both index columns are bound, so
/// no planner statistics (stale within seconds of a burst of calls) make the time-only index
/// look cheaper.
pub fn repair_calls_sql() -> &'static str {
    "SELECT w.id, w.accepted_us, w.customer_no, w.intake_feeder, w.intake_area \
     FROM work_order w \
     WHERE w.intake_feeder = (SELECT o.intake_feeder FROM work_order o WHERE o.id = $1) \
       AND w.order_type = 'fault_repair' AND w.accepted_us > $2 \
       AND w.status NOT IN ('merged', 'cancelled') \
     ORDER BY w.accepted_us, w.id"
}

/// The statement of [`OutageStore::open_faults_on`]: `$1` the feeder. Rows: outage id,
/// status, device kind, device code, the feeder of an area device (NULL when the area is gone
/// from the topology).
pub fn open_faults_sql() -> String {
    let open = status_list(|s| !s.is_closed());
    format!(
        "WITH hit AS ( \
           SELECT d.outage_id FROM outage_device d WHERE d.kind = 'feeder' AND d.code = $1 \
           UNION \
           SELECT d.outage_id FROM transformer_area ta \
             JOIN outage_device d ON d.kind = 'area' AND d.code = ta.code WHERE ta.feeder = $1) \
         SELECT o.id, o.status, d.kind, d.code, ta.feeder FROM hit \
         JOIN outage o ON o.id = hit.outage_id \
         JOIN outage_device d ON d.outage_id = o.id \
         LEFT JOIN transformer_area ta ON d.kind = 'area' AND ta.code = d.code \
         WHERE o.kind = 'fault' AND o.status IN ({open}) \
           AND o.scope_kind IN ('feeders', 'areas') \
         ORDER BY o.start_us DESC, o.id DESC, d.kind, d.code"
    )
}

/// Raw columns of a row of [`open_faults_sql`].
pub type OpenFaultColumns = (i64, String, String, String, Option<String>);

/// Folds rows of [`open_faults_sql`] (grouped by outage) into one [`OpenFault`] per outage.
///
/// [`OpenFault`]: griddesk_domain::outage::OpenFault
pub fn open_faults_from_rows(
    rows: Vec<OpenFaultColumns>,
) -> Result<Vec<griddesk_domain::outage::OpenFault>> {
    use griddesk_domain::outage::OpenFault;
    let code = |s: &str| Code::parse(s).map_err(|e| corrupt("outage_device.code", e));
    let mut out: Vec<OpenFault> = Vec::new();
    for (id, status, kind, device, area_feeder) in rows {
        if out.last().is_none_or(|o| o.id != id) {
            let status = OutageStatus::parse(&status).map_err(|e| corrupt("status", e))?;
            out.push(OpenFault {
                id,
                suspected: status == OutageStatus::Suspected,
                feeders: Vec::new(),
                areas: Vec::new(),
            });
        }
        let Some(o) = out.last_mut() else { continue };
        match (kind.as_str(), area_feeder) {
            ("feeder", _) => o.feeders.push(code(&device)?),
            ("area", Some(f)) => o.areas.push((code(&device)?, code(&f)?)),
            // An area no longer in the topology takes nothing off a feeder.
            ("area", None) => {}
            (other, _) => return Err(corrupt("outage_device.kind", other)),
        }
    }
    Ok(out)
}

/// The customers an outage's devices reach, as one portable statement over indexed columns:
/// the areas out, the areas on feeders out, feeder-supplied customers whose every supply is out,
/// and the customers named. `$1` is the outage id.
pub const AFFECTED_SQL: &str = "INSERT INTO outage_customer (outage_id, customer_no) \
    SELECT $1, customer_no FROM ( \
      SELECT c.customer_no FROM customer c JOIN outage_device d \
        ON d.outage_id = $1 AND d.kind = 'area' AND c.area_code = d.code \
      UNION \
      SELECT c.customer_no FROM outage_device d \
        JOIN transformer_area ta ON d.outage_id = $1 AND d.kind = 'feeder' AND ta.feeder = d.code \
        JOIN customer c ON c.area_code = ta.code \
      UNION \
      SELECT c.customer_no FROM outage_device d \
        JOIN customer c ON d.outage_id = $1 AND d.kind = 'feeder' AND c.feeder_code = d.code \
        WHERE c.area_code IS NULL AND (c.backup_feeder_code IS NULL OR EXISTS ( \
          SELECT 1 FROM outage_device b WHERE b.outage_id = $1 AND b.kind = 'feeder' \
          AND b.code = c.backup_feeder_code)) \
      UNION \
      SELECT d.code FROM outage_device d WHERE d.outage_id = $1 AND d.kind = 'customer' \
    ) hit";

/// Implements [`OutageStore`] for a backend whose struct has a `pool` field; see
/// [`crate::access_store_impl`] for the arguments.
#[macro_export]
macro_rules! outage_store_impl {
    ($store:ty, $conn:ty, $db:path) => {
        const _: () = {
            use $crate::Result;
            use $crate::access::ts_us;
            use $crate::outage::*;
            use ::griddesk_domain::outage::{OutageAction, OutageScope};
            use ::griddesk_domain::values::CustomerNo;

            $crate::order_event_helpers!($conn, $db);
            $crate::order_row_helpers!($conn, $db);
            $crate::audit_helpers!($conn, $db);
            $crate::notice_helpers!($conn, $db);

            async fn by_id(conn: &mut $conn, id: i64) -> Result<Option<Outage>> {
                let row: Option<OutageColumns> = ::sqlx::query_as(&format!(
                    "SELECT {OUTAGE_COLUMNS} FROM outage o WHERE o.id = $1"
                ))
                .bind(id)
                .fetch_optional(&mut *conn)
                .await
                .map_err($db)?;
                row.map(outage_from_columns).transpose()
            }

            async fn device(conn: &mut $conn, id: i64, kind: &str, code: &str) -> Result<()> {
                ::sqlx::query(
                    "INSERT INTO outage_device (outage_id, kind, code) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(id)
                .bind(kind)
                .bind(code)
                .execute(&mut *conn)
                .await
                .map_err($db)?;
                Ok(())
            }

            async fn insert_outage_event(conn: &mut $conn, id: i64, e: &OutageEvent) -> Result<()> {
                ::sqlx::query(
                    "INSERT INTO outage_event (outage_id, at_us, actor, actor_name, action, \
                     status, note) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(ts_us(e.at))
                .bind(&e.actor)
                .bind(&e.actor_name)
                .bind(e.action.code())
                .bind(e.status.code())
                .bind(&e.note)
                .execute(&mut *conn)
                .await
                .map_err($db)?;
                Ok(())
            }

            /// Writes an outage with its devices, affected customers and first event.
            async fn insert_outage(conn: &mut $conn, o: &NewOutage) -> Result<Outage> {
                use $crate::workorder::ref_sql;
                let (sk, sc) = scope_columns(&o.scope);
                let id: i64 = ::sqlx::query_scalar(
                    "INSERT INTO outage (version, kind, status, title, cause, scope_kind, \
                     scope_codes, start_us, eta_us, created_us, created_by, affected) \
                     VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0) RETURNING id",
                )
                .bind(o.kind.code())
                .bind(o.kind.initial().code())
                .bind(&o.title)
                .bind(&o.cause)
                .bind(sk)
                .bind(&sc)
                .bind(ts_us(o.start))
                .bind(o.eta.map(ts_us))
                .bind(ts_us(o.created_at))
                .bind(&o.created_by)
                .fetch_one(&mut *conn)
                .await
                .map_err($db)?;
                match &o.scope {
                    OutageScope::Substation(s) => {
                        require(&mut *conn, ref_sql::SUBSTATION, "substation", s.as_str()).await?;
                        ::sqlx::query(
                            "INSERT INTO outage_device (outage_id, kind, code) \
                             SELECT $1, 'feeder', code FROM feeder WHERE substation = $2",
                        )
                        .bind(id)
                        .bind(s.as_str())
                        .execute(&mut *conn)
                        .await
                        .map_err($db)?;
                    }
                    OutageScope::Feeders(v) => {
                        for f in v {
                            require(&mut *conn, ref_sql::FEEDER, "feeder", f.as_str()).await?;
                            device(&mut *conn, id, "feeder", f.as_str()).await?;
                        }
                    }
                    OutageScope::Areas(v) => {
                        for a in v {
                            require(&mut *conn, ref_sql::AREA, "area", a.as_str()).await?;
                            device(&mut *conn, id, "area", a.as_str()).await?;
                        }
                    }
                    OutageScope::Customers(v) => {
                        for c in v {
                            require(&mut *conn, ref_sql::CUSTOMER, "customer_no", c.as_str())
                                .await?;
                            device(&mut *conn, id, "customer", c.as_str()).await?;
                        }
                    }
                }
                ::sqlx::query(AFFECTED_SQL)
                    .bind(id)
                    .execute(&mut *conn)
                    .await
                    .map_err($db)?;
                ::sqlx::query(
                    "UPDATE outage SET affected = (SELECT COUNT(*) FROM outage_customer \
                     WHERE outage_id = $1) WHERE id = $1",
                )
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err($db)?;
                let status = o.kind.initial();
                let first = OutageEvent {
                    at: o.created_at,
                    actor: o.created_by.clone(),
                    actor_name: o.created_by.clone(),
                    action: match status {
                        ::griddesk_domain::outage::OutageStatus::Suspected => OutageAction::Confirm,
                        _ => OutageAction::Notify,
                    },
                    status,
                    note: Some("recorded".to_owned()),
                };
                insert_outage_event(&mut *conn, id, &first).await?;
                let saved = by_id(&mut *conn, id).await?;
                saved.ok_or_else(|| $crate::StoreError::Corrupt("outage vanished".into()))
            }

            /// A versioned outage step with its event and notices, inside the caller's
            /// transaction (committed by the caller on `Updated`).
            async fn step_in(conn: &mut $conn, id: i64, s: &OutageStep) -> Result<OutageUpdate> {
                let done = ::sqlx::query(
                    "UPDATE outage SET version = version + 1, status = $3, eta_us = $4, \
                     restored_us = $5 WHERE id = $1 AND version = $2",
                )
                .bind(id)
                .bind(s.expected_version)
                .bind(s.status.code())
                .bind(s.eta.map(ts_us))
                .bind(s.restored_at.map(ts_us))
                .execute(&mut *conn)
                .await
                .map_err($db)?
                .rows_affected();
                if done == 0 {
                    return Ok(match by_id(&mut *conn, id).await? {
                        Some(current) => OutageUpdate::Conflict(current),
                        None => OutageUpdate::NotFound,
                    });
                }
                insert_outage_event(&mut *conn, id, &s.event).await?;
                if let Some(n) = &s.notify {
                    // A repeating notice is one batch per step, keyed by the version the
                    // step makes: retrying that step enqueues nothing more.
                    let revision = if n.purpose.repeats() { s.expected_version + 1 } else { 0 };
                    for c in &n.channels {
                        enqueue_in(&mut *conn, id, n.purpose, *c, revision, &n.body, s.event.at)
                            .await?;
                    }
                    if let Some((kind, due)) = n.task {
                        tasks_in(&mut *conn, id, kind, due).await?;
                    }
                }
                let saved = by_id(&mut *conn, id).await?;
                Ok(saved.map_or(OutageUpdate::NotFound, OutageUpdate::Updated))
            }

            #[::async_trait::async_trait]
            impl OutageStore for $store {
                async fn create_outage(&self, o: &NewOutage) -> Result<Outage> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let saved = insert_outage(&mut tx, o).await?;
                    tx.commit().await.map_err($db)?;
                    Ok(saved)
                }

                async fn raise_fault(
                    &self,
                    o: &NewOutage,
                    then: FollowUp<'_>,
                ) -> Result<RaisedFault> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let outage = insert_outage(&mut tx, o).await?;
                    let follow = then(&outage);
                    // The outage's own record first, so the trail reads in the order of events.
                    for a in &follow.audit {
                        insert_audit(&mut tx, a).await?;
                    }
                    let mut steps = Vec::with_capacity(follow.steps.len());
                    for (id, s) in &follow.steps {
                        steps.push(step_in(&mut tx, *id, s).await?);
                    }
                    let mut orders = Vec::with_capacity(follow.orders.len());
                    for c in &follow.orders {
                        let (e, u) = (&c.event, &c.update);
                        let done = update_in(&mut tx, c.id, c.expected_version, u, e).await?;
                        if matches!(done, $crate::workorder::UpdateOutcome::Updated(_)) {
                            insert_audit(&mut tx, &c.audit).await?;
                        }
                        orders.push(done);
                    }
                    tx.commit().await.map_err($db)?;
                    Ok(RaisedFault { outage, steps, orders })
                }

                async fn outage(&self, id: i64) -> Result<Option<Outage>> {
                    let mut conn = self.pool.acquire().await.map_err($db)?;
                    by_id(&mut conn, id).await
                }

                async fn outages(&self, include_closed: bool, limit: u32) -> Result<Vec<Outage>> {
                    let filter = if include_closed {
                        ""
                    } else {
                        "WHERE o.status NOT IN ('restored', 'cancelled')"
                    };
                    let rows: Vec<OutageColumns> = ::sqlx::query_as(&format!(
                        "SELECT {OUTAGE_COLUMNS} FROM outage o {filter} \
                         ORDER BY o.start_us DESC, o.id DESC LIMIT $1"
                    ))
                    .bind(i64::from(limit.clamp(1, 1000)))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter().map(outage_from_columns).collect()
                }

                async fn outage_events(&self, id: i64) -> Result<Vec<OutageEvent>> {
                    let rows: Vec<OutageEventColumns> = ::sqlx::query_as(
                        "SELECT at_us, actor, actor_name, action, status, note FROM outage_event \
                         WHERE outage_id = $1 ORDER BY id",
                    )
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter().map(outage_event_from_columns).collect()
                }

                async fn step_outage(&self, id: i64, s: &OutageStep) -> Result<OutageUpdate> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let outcome = step_in(&mut tx, id, s).await?;
                    if matches!(outcome, OutageUpdate::Updated(_)) {
                        tx.commit().await.map_err($db)?;
                    }
                    Ok(outcome)
                }

                async fn outage_customers(&self, id: i64, limit: u32) -> Result<Vec<CustomerNo>> {
                    let rows: Vec<String> = ::sqlx::query_scalar(
                        "SELECT customer_no FROM outage_customer WHERE outage_id = $1 \
                         ORDER BY customer_no LIMIT $2",
                    )
                    .bind(id)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.iter()
                        .map(|n| CustomerNo::parse(n).map_err(|e| $crate::backend::corrupt("customer_no", e)))
                        .collect()
                }

                async fn outage_impact(
                    &self,
                    parent: Option<&GridNode>,
                ) -> Result<Vec<NodeImpact>> {
                    let Some(sql) = impact_sql(parent) else {
                        return Ok(Vec::new());
                    };
                    let mut q = ::sqlx::query_as::<_, ImpactColumns>(&sql);
                    if let Some(p) = parent {
                        q = q.bind(p.code().as_str());
                    }
                    let rows = q.fetch_all(&self.pool).await.map_err($db)?;
                    impact_from_rows(rows)
                }

                async fn open_outages_at(&self, node: &GridNode, limit: u32) -> Result<Vec<Outage>> {
                    let rows: Vec<OutageColumns> = ::sqlx::query_as(&outages_at_sql(node))
                        .bind(node.code().as_str())
                        .bind(i64::from(limit.clamp(1, 1000)))
                        .fetch_all(&self.pool)
                        .await
                        .map_err($db)?;
                    rows.into_iter().map(outage_from_columns).collect()
                }

                async fn repair_calls_near(
                    &self,
                    order_id: i64,
                    since: ::jiff::Timestamp,
                ) -> Result<Vec<::griddesk_domain::outage::RepairCall>> {
                    let rows: Vec<(i64, i64, String, String, Option<String>)> =
                        ::sqlx::query_as(repair_calls_sql())
                    .bind(order_id)
                    .bind(ts_us(since))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    let code = |s: &str| {
                        ::griddesk_domain::values::Code::parse(s)
                            .map_err(|e| $crate::backend::corrupt("code", e))
                    };
                    let mut out = Vec::new();
                    for (id, at, customer, feeder, area) in rows {
                        out.push(::griddesk_domain::outage::RepairCall {
                            order_id: id,
                            at: $crate::access::us_ts(at)?,
                            customer: CustomerNo::parse(&customer)
                                .map_err(|e| $crate::backend::corrupt("customer_no", e))?,
                            feeder: code(&feeder)?,
                            area: area.as_deref().map(code).transpose()?,
                        });
                    }
                    Ok(out)
                }

                async fn open_faults_on(
                    &self,
                    feeder: &::griddesk_domain::values::Code,
                ) -> Result<Vec<::griddesk_domain::outage::OpenFault>> {
                    let rows: Vec<OpenFaultColumns> = ::sqlx::query_as(&open_faults_sql())
                        .bind(feeder.as_str())
                        .fetch_all(&self.pool)
                        .await
                        .map_err($db)?;
                    open_faults_from_rows(rows)
                }

                async fn restored_outages(
                    &self,
                    from: ::jiff::Timestamp,
                    to: ::jiff::Timestamp,
                ) -> Result<Vec<Outage>> {
                    let rows: Vec<OutageColumns> = ::sqlx::query_as(&format!(
                        "SELECT {OUTAGE_COLUMNS} FROM outage o WHERE o.status = 'restored' \
                         AND o.start_us >= $1 AND o.start_us < $2 ORDER BY o.start_us, o.id"
                    ))
                    .bind(ts_us(from))
                    .bind(ts_us(to))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter().map(outage_from_columns).collect()
                }

                async fn restored_outage_groups(
                    &self,
                    from: ::jiff::Timestamp,
                    to: ::jiff::Timestamp,
                ) -> Result<Vec<GroupCount>> {
                    let rows: Vec<(i64, String, String, i64)> = ::sqlx::query_as(
                        "SELECT oc.outage_id, c.org_unit, c.area_type, COUNT(*) FROM outage o \
                         JOIN outage_customer oc ON oc.outage_id = o.id \
                         JOIN customer c ON c.customer_no = oc.customer_no \
                         WHERE o.status = 'restored' AND o.start_us >= $1 AND o.start_us < $2 \
                         GROUP BY oc.outage_id, c.org_unit, c.area_type \
                         ORDER BY oc.outage_id, c.org_unit, c.area_type",
                    )
                    .bind(ts_us(from))
                    .bind(ts_us(to))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    Ok(rows.into_iter().map(group_count).collect())
                }

                async fn customers_by_group(&self) -> Result<Vec<GroupCount>> {
                    let rows: Vec<(i64, String, String, i64)> = ::sqlx::query_as(
                        "SELECT CAST(0 AS BIGINT), org_unit, area_type, COUNT(*) FROM customer \
                         GROUP BY org_unit, area_type ORDER BY org_unit, area_type",
                    )
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    Ok(rows.into_iter().map(group_count).collect())
                }

                async fn outages_of_customer(&self, no: &CustomerNo) -> Result<Vec<Outage>> {
                    // The customer's few outages first, through its index: left to itself,
                    // PostgreSQL with statistics from before a big outage was stored probes every
                    // open outage for the customer instead (2.9 ms with 350 open, on every
                    // repair call; BENCHMARKS.md).
                    let rows: Vec<OutageColumns> = ::sqlx::query_as(&format!(
                        "WITH mine AS MATERIALIZED (SELECT outage_id FROM outage_customer \
                         WHERE customer_no = $1) \
                         SELECT {OUTAGE_COLUMNS} FROM mine JOIN outage o ON o.id = mine.outage_id \
                         WHERE o.status NOT IN ('restored', 'cancelled') ORDER BY o.start_us, o.id"
                    ))
                    .bind(no.as_str())
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter().map(outage_from_columns).collect()
                }
            }
        };
    };
}
