//! Storage of weekly and monthly planned-outage plans (D3 kind 1): one row per job, keyed by its
//! job id, so re-importing a plan replaces its drafts and leaves the rest; each row's status
//! (draft → issued into outage X, or cancelled); the issue of several jobs as one outage, all
//! or none; and the topology look-ups the repeat advice needs (what a scope cuts).

use crate::Result;
use crate::backend::corrupt;
use crate::outage::Outage;
use griddesk_domain::outage::OutageScope;
use griddesk_domain::outage_plan::{PlanKind, PlanRow, PlanStatus};
use griddesk_domain::values::{Code, CustomerNo};
use jiff::Timestamp;
use std::collections::BTreeSet;

/// A stored plan row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    pub row: PlanRow,
    pub status: PlanStatus,
    /// The outage the row was issued into.
    pub outage_id: Option<i64>,
    /// Bumped by every change.
    pub version: i64,
    pub updated_at: Timestamp,
    pub updated_by: String,
}

/// Outcome of changing one plan row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanUpdate {
    Updated(StoredPlan),
    /// Issued or cancelled already: only drafts change.
    NotDraft(StoredPlan),
    NotFound,
}

/// A customer's own maintenance outage to record (客户检修计划), as its customer manager learned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMaintenance {
    pub customer: CustomerNo,
    pub start: Timestamp,
    pub end: Timestamp,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
}

/// A stored customer maintenance, with where the customer hangs now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMaintenance {
    pub id: i64,
    pub maintenance: griddesk_domain::outage_plan::CustomerMaintenance,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
}

/// What a scope cuts on the live topology: the feeders switched off, the transformer areas
/// without power, and the customers cut whose area is not (feeder-direct customers whose every
/// supply is off, or the customers of a customer-list scope). Substations, feeders and areas
/// not in the archive cut nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeReach {
    pub feeders: BTreeSet<Code>,
    pub areas: BTreeSet<Code>,
    pub customers: BTreeSet<CustomerNo>,
}

#[async_trait::async_trait]
pub trait OutagePlanStore: Send + Sync {
    /// Writes plan rows by job id in one transaction: new jobs as drafts, drafts replaced when
    /// anything differs. Issued and cancelled rows are left as they are. Returns the rows
    /// written (an unchanged re-import writes none).
    async fn upsert_outage_plans(&self, rows: &[PlanRow], by: &str, at: Timestamp) -> Result<u64>;
    /// Rows that end at or after `since`, by planned start then job id, at most `limit`.
    async fn outage_plans(&self, since: Timestamp, limit: u32) -> Result<Vec<StoredPlan>>;
    /// The stored rows of these jobs (unknown ones left out), by job id.
    async fn outage_plans_of(&self, jobs: &[Code]) -> Result<Vec<StoredPlan>>;
    /// Replaces a draft row's contents (its job id is the key).
    async fn update_outage_plan(
        &self,
        row: &PlanRow,
        by: &str,
        at: Timestamp,
    ) -> Result<PlanUpdate>;
    /// Cancels a draft row.
    async fn cancel_outage_plan(&self, job: &Code, by: &str, at: Timestamp) -> Result<PlanUpdate>;
    /// Marks every row of `jobs` issued into `outage_id` if every one is still a draft; if any
    /// is not (or is missing), nothing changes and the answer is false.
    async fn issue_outage_plans(
        &self,
        jobs: &[Code],
        outage_id: i64,
        by: &str,
        at: Timestamp,
    ) -> Result<bool>;
    /// What `scope` cuts (see [`ScopeReach`]).
    async fn scope_reach(&self, scope: &OutageScope) -> Result<ScopeReach>;
    /// The customers hanging on these areas, by customer number.
    async fn customers_of_areas(&self, areas: &[Code]) -> Result<Vec<CustomerNo>>;
    /// Planned-maintenance outages, not cancelled, that start in `[from, to)`, by start.
    async fn planned_outages(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Outage>>;
    /// Records a customer's own maintenance; `MissingReference` names an unknown customer.
    async fn record_maintenance(&self, m: &NewMaintenance) -> Result<i64>;
    /// Customers' maintenance that starts in `[from, to)`, by start, each with the area its
    /// customer hangs on in the live topology, at most `limit`.
    async fn maintenance_between(
        &self,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> Result<Vec<StoredMaintenance>>;
}

/// Raw columns of a plan row, in [`PLAN_COLUMNS`] order.
pub type PlanColumns = (
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    String,
    String,
    String,
    String,
    Option<i64>,
    i64,
    i64,
    String,
);

pub const PLAN_COLUMNS: &str = "job_id, kind, title, scope_kind, scope_codes, start_us, end_us, \
    work_content, responsible_unit, reason, status, outage_id, version, updated_us, updated_by";

/// Raw columns of a customer maintenance row: id, customer, its area, start, end, note, by, at.
pub type MaintenanceColumns = (i64, String, Option<String>, i64, i64, String, String, i64);

pub fn maintenance_from_columns(c: MaintenanceColumns) -> Result<StoredMaintenance> {
    let (id, customer, area, start, end, note, by, at) = c;
    let ts = crate::access::us_ts;
    Ok(StoredMaintenance {
        id,
        maintenance: griddesk_domain::outage_plan::CustomerMaintenance {
            customer: CustomerNo::parse(&customer).map_err(|e| corrupt("customer_no", e))?,
            area: area
                .map(|a| Code::parse(&a).map_err(|e| corrupt("area_code", e)))
                .transpose()?,
            start: ts(start)?,
            end: ts(end)?,
        },
        note,
        recorded_by: by,
        recorded_at: ts(at)?,
    })
}

pub fn plan_from_columns(c: PlanColumns) -> Result<StoredPlan> {
    let (job, kind, title, sk, sc, start, end, work, unit, reason, status, outage, version, at, by) =
        c;
    let ts = crate::access::us_ts;
    let code = |col: &str, v: &str| Code::parse(v).map_err(|e| corrupt(col, e));
    Ok(StoredPlan {
        row: PlanRow {
            kind: PlanKind::parse(&kind).map_err(|e| corrupt("kind", e))?,
            job_id: code("job_id", &job)?,
            title,
            scope: crate::outage::scope_from(&sk, &sc)?,
            planned_start: ts(start)?,
            planned_end: ts(end)?,
            work_content: work,
            responsible_unit: code("responsible_unit", &unit)?,
            reason,
        },
        status: PlanStatus::parse(&status).map_err(|e| corrupt("status", e))?,
        outage_id: outage,
        version,
        updated_at: ts(at)?,
        updated_by: by,
    })
}

/// Implements [`OutagePlanStore`] for a backend whose struct has a `pool` field and a
/// `begin_write` method; see [`crate::access_store_impl`] for the arguments.
// `crate::WriteTx` names the backend's own transaction type, on purpose.
#[allow(clippy::crate_in_macro_def)]
#[macro_export]
macro_rules! outage_plan_store_impl {
    ($store:ty, $conn:ty, $db:path) => {
        const _: () = {
            use ::griddesk_domain::outage::OutageScope;
            use ::griddesk_domain::outage_plan::{PlanRow, PlanStatus};
            use ::griddesk_domain::values::{Code, CustomerNo};
            use ::jiff::Timestamp;
            use $crate::Result;
            use $crate::access::ts_us;
            use $crate::outage::{OUTAGE_COLUMNS, Outage, OutageColumns, outage_from_columns};
            use $crate::outage_plan::*;

            async fn plan_by_job(conn: &mut $conn, job: &str) -> Result<Option<StoredPlan>> {
                let row: Option<PlanColumns> = ::sqlx::query_as(&format!(
                    "SELECT {PLAN_COLUMNS} FROM outage_plan WHERE job_id = $1"
                ))
                .bind(job)
                .fetch_optional(&mut *conn)
                .await
                .map_err($db)?;
                row.map(plan_from_columns).transpose()
            }

            type Db = <$conn as ::sqlx::Connection>::Database;
            type Query<'q> =
                ::sqlx::query::Query<'q, Db, <Db as ::sqlx::Database>::Arguments<'q>>;

            /// Binds a row's values as $1-$12: job id, kind, title, scope kind and codes, start,
            /// end, work content, unit, reason, when and by whom.
            fn bind_row<'q>(
                q: Query<'q>,
                r: &'q PlanRow,
                scope_kind: &'static str,
                scope_codes: &'q str,
                at: Timestamp,
                by: &'q str,
            ) -> Query<'q> {
                q.bind(r.job_id.as_str())
                    .bind(r.kind.code())
                    .bind(&r.title)
                    .bind(scope_kind)
                    .bind(scope_codes)
                    .bind(ts_us(r.planned_start))
                    .bind(ts_us(r.planned_end))
                    .bind(&r.work_content)
                    .bind(r.responsible_unit.as_str())
                    .bind(&r.reason)
                    .bind(ts_us(at))
                    .bind(by)
            }

            /// Commits a conditional change of `job` (`done` rows changed) and tells how it went.
            async fn finish(
                mut tx: crate::WriteTx,
                job: &str,
                done: u64,
            ) -> Result<PlanUpdate> {
                let now = plan_by_job(&mut tx, job).await?;
                tx.commit().await.map_err($db)?;
                Ok(match now {
                    None => PlanUpdate::NotFound,
                    Some(p) if done == 0 => PlanUpdate::NotDraft(p),
                    Some(p) => PlanUpdate::Updated(p),
                })
            }

            fn corrupt_code(col: &str, v: &str) -> $crate::StoreError {
                $crate::backend::corrupt(col, v)
            }

            fn codes(rows: Vec<String>, col: &str) -> Result<Vec<Code>> {
                rows.iter()
                    .map(|c| Code::parse(c).map_err(|_| corrupt_code(col, c)))
                    .collect()
            }

            /// The codes of `codes` that `sql` (selecting by code as $1) finds.
            async fn known(conn: &mut $conn, sql: &str, codes: &[Code]) -> Result<Vec<Code>> {
                let mut out = Vec::new();
                for c in codes {
                    let hit: Option<String> = ::sqlx::query_scalar(sql)
                        .bind(c.as_str())
                        .fetch_optional(&mut *conn)
                        .await
                        .map_err($db)?;
                    if hit.is_some() {
                        out.push(c.clone());
                    }
                }
                Ok(out)
            }

            /// The areas of a feeder and its feeder-direct customers with their backup feeder.
            async fn feeder_parts(
                conn: &mut $conn,
                feeder: &str,
            ) -> Result<(Vec<Code>, Vec<(String, Option<String>)>)> {
                let areas: Vec<String> = ::sqlx::query_scalar(
                    "SELECT code FROM transformer_area WHERE feeder = $1 ORDER BY code",
                )
                .bind(feeder)
                .fetch_all(&mut *conn)
                .await
                .map_err($db)?;
                let direct: Vec<(String, Option<String>)> = ::sqlx::query_as(
                    "SELECT customer_no, backup_feeder_code FROM customer \
                     WHERE area_code IS NULL AND feeder_code = $1 \
                     UNION SELECT customer_no, feeder_code FROM customer \
                     WHERE area_code IS NULL AND backup_feeder_code = $1",
                )
                .bind(feeder)
                .fetch_all(&mut *conn)
                .await
                .map_err($db)?;
                Ok((codes(areas, "transformer_area.code")?, direct))
            }

            #[::async_trait::async_trait]
            impl OutagePlanStore for $store {
                async fn upsert_outage_plans(
                    &self,
                    rows: &[PlanRow],
                    by: &str,
                    at: Timestamp,
                ) -> Result<u64> {
                    // A draft is replaced only when something differs, so an unchanged
                    // re-import keeps versions and times.
                    let sql = format!(
                        "INSERT INTO outage_plan ({PLAN_COLUMNS}) VALUES \
                         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'draft', NULL, 1, $11, $12) \
                         ON CONFLICT (job_id) DO UPDATE SET kind = excluded.kind, \
                         title = excluded.title, scope_kind = excluded.scope_kind, \
                         scope_codes = excluded.scope_codes, start_us = excluded.start_us, \
                         end_us = excluded.end_us, work_content = excluded.work_content, \
                         responsible_unit = excluded.responsible_unit, \
                         reason = excluded.reason, version = outage_plan.version + 1, \
                         updated_us = excluded.updated_us, updated_by = excluded.updated_by \
                         WHERE outage_plan.status = 'draft' AND ( \
                         outage_plan.kind <> excluded.kind OR outage_plan.title <> excluded.title \
                         OR outage_plan.scope_kind <> excluded.scope_kind \
                         OR outage_plan.scope_codes <> excluded.scope_codes \
                         OR outage_plan.start_us <> excluded.start_us \
                         OR outage_plan.end_us <> excluded.end_us \
                         OR outage_plan.work_content <> excluded.work_content \
                         OR outage_plan.responsible_unit <> excluded.responsible_unit \
                         OR outage_plan.reason <> excluded.reason)"
                    );
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let mut written = 0;
                    for r in rows {
                        let (sk, sc) = $crate::outage::scope_columns(&r.scope);
                        written += bind_row(::sqlx::query(&sql), r, sk, &sc, at, by)
                            .execute(&mut *tx)
                            .await
                            .map_err($db)?
                            .rows_affected();
                    }
                    tx.commit().await.map_err($db)?;
                    Ok(written)
                }

                async fn outage_plans(&self, since: Timestamp, limit: u32) -> Result<Vec<StoredPlan>> {
                    let rows: Vec<PlanColumns> = ::sqlx::query_as(&format!(
                        "SELECT {PLAN_COLUMNS} FROM outage_plan WHERE end_us >= $1 \
                         ORDER BY start_us, job_id LIMIT $2"
                    ))
                    .bind(ts_us(since))
                    .bind(i64::from(limit.clamp(1, 10_000)))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter().map(plan_from_columns).collect()
                }

                async fn outage_plans_of(&self, jobs: &[Code]) -> Result<Vec<StoredPlan>> {
                    let mut conn = self.pool.acquire().await.map_err($db)?;
                    let mut out = Vec::new();
                    let unique: ::std::collections::BTreeSet<&str> =
                        jobs.iter().map(Code::as_str).collect();
                    for job in unique {
                        if let Some(p) = plan_by_job(&mut conn, job).await? {
                            out.push(p);
                        }
                    }
                    Ok(out)
                }

                async fn update_outage_plan(
                    &self,
                    r: &PlanRow,
                    by: &str,
                    at: Timestamp,
                ) -> Result<PlanUpdate> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let (sk, sc) = $crate::outage::scope_columns(&r.scope);
                    let q = ::sqlx::query(
                        "UPDATE outage_plan SET kind = $2, title = $3, scope_kind = $4, \
                         scope_codes = $5, start_us = $6, end_us = $7, work_content = $8, \
                         responsible_unit = $9, reason = $10, version = version + 1, \
                         updated_us = $11, updated_by = $12 \
                         WHERE job_id = $1 AND status = 'draft'",
                    );
                    let done = bind_row(q, r, sk, &sc, at, by)
                        .execute(&mut *tx)
                        .await
                        .map_err($db)?
                        .rows_affected();
                    finish(tx, r.job_id.as_str(), done).await
                }

                async fn cancel_outage_plan(
                    &self,
                    job: &Code,
                    by: &str,
                    at: Timestamp,
                ) -> Result<PlanUpdate> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let done = ::sqlx::query(
                        "UPDATE outage_plan SET status = 'cancelled', version = version + 1, \
                         updated_us = $2, updated_by = $3 WHERE job_id = $1 AND status = 'draft'",
                    )
                    .bind(job.as_str())
                    .bind(ts_us(at))
                    .bind(by)
                    .execute(&mut *tx)
                    .await
                    .map_err($db)?
                    .rows_affected();
                    finish(tx, job.as_str(), done).await
                }

                async fn issue_outage_plans(
                    &self,
                    jobs: &[Code],
                    outage_id: i64,
                    by: &str,
                    at: Timestamp,
                ) -> Result<bool> {
                    let unique: ::std::collections::BTreeSet<&str> =
                        jobs.iter().map(Code::as_str).collect();
                    let mut tx = self.begin_write().await.map_err($db)?;
                    for job in &unique {
                        let done = ::sqlx::query(
                            "UPDATE outage_plan SET status = $2, outage_id = $3, \
                             version = version + 1, updated_us = $4, updated_by = $5 \
                             WHERE job_id = $1 AND status = 'draft'",
                        )
                        .bind(*job)
                        .bind(PlanStatus::Issued.code())
                        .bind(outage_id)
                        .bind(ts_us(at))
                        .bind(by)
                        .execute(&mut *tx)
                        .await
                        .map_err($db)?
                        .rows_affected();
                        if done == 0 {
                            // Dropping the transaction rolls back the rows marked so far.
                            return Ok(false);
                        }
                    }
                    tx.commit().await.map_err($db)?;
                    Ok(!unique.is_empty())
                }

                async fn scope_reach(&self, scope: &OutageScope) -> Result<ScopeReach> {
                    let mut conn = self.pool.acquire().await.map_err($db)?;
                    let mut reach = ScopeReach::default();
                    let feeders: Vec<Code> = match scope {
                        OutageScope::Substation(s) => {
                            let rows: Vec<String> = ::sqlx::query_scalar(
                                "SELECT code FROM feeder WHERE substation = $1 ORDER BY code",
                            )
                            .bind(s.as_str())
                            .fetch_all(&mut *conn)
                            .await
                            .map_err($db)?;
                            codes(rows, "feeder.code")?
                        }
                        OutageScope::Feeders(v) => {
                            known(&mut conn, "SELECT code FROM feeder WHERE code = $1", v).await?
                        }
                        OutageScope::Areas(v) => {
                            let sql = "SELECT code FROM transformer_area WHERE code = $1";
                            reach.areas.extend(known(&mut conn, sql, v).await?);
                            Vec::new()
                        }
                        OutageScope::Customers(v) => {
                            reach.customers.extend(v.iter().cloned());
                            Vec::new()
                        }
                    };
                    reach.feeders.extend(feeders.iter().cloned());
                    let out: ::std::collections::BTreeSet<&str> =
                        feeders.iter().map(Code::as_str).collect();
                    for f in &feeders {
                        let (areas, direct) = feeder_parts(&mut conn, f.as_str()).await?;
                        reach.areas.extend(areas);
                        for (no, other) in direct {
                            // Cut only when its other supply is off too (D3 dual supply).
                            if other.as_deref().is_none_or(|o| out.contains(o)) {
                                reach.customers.insert(
                                    CustomerNo::parse(&no)
                                        .map_err(|e| $crate::backend::corrupt("customer_no", e))?,
                                );
                            }
                        }
                    }
                    Ok(reach)
                }

                async fn customers_of_areas(&self, areas: &[Code]) -> Result<Vec<CustomerNo>> {
                    let mut conn = self.pool.acquire().await.map_err($db)?;
                    let mut out = ::std::collections::BTreeSet::new();
                    for a in areas {
                        let rows: Vec<String> = ::sqlx::query_scalar(
                            "SELECT customer_no FROM customer WHERE area_code = $1",
                        )
                        .bind(a.as_str())
                        .fetch_all(&mut *conn)
                        .await
                        .map_err($db)?;
                        for n in rows {
                            out.insert(
                                CustomerNo::parse(&n)
                                    .map_err(|e| $crate::backend::corrupt("customer_no", e))?,
                            );
                        }
                    }
                    Ok(out.into_iter().collect())
                }

                async fn planned_outages(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Outage>> {
                    let rows: Vec<OutageColumns> = ::sqlx::query_as(&format!(
                        "SELECT {OUTAGE_COLUMNS} FROM outage o WHERE o.kind = 'planned' \
                         AND o.status <> 'cancelled' AND o.start_us >= $1 AND o.start_us < $2 \
                         ORDER BY o.start_us, o.id"
                    ))
                    .bind(ts_us(from))
                    .bind(ts_us(to))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter().map(outage_from_columns).collect()
                }

                async fn record_maintenance(&self, m: &NewMaintenance) -> Result<i64> {
                    let mut tx = self.begin_write().await.map_err($db)?;
                    let known: Option<i64> =
                        ::sqlx::query_scalar("SELECT id FROM customer WHERE customer_no = $1")
                            .bind(m.customer.as_str())
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err($db)?;
                    if known.is_none() {
                        return Err($crate::StoreError::MissingReference {
                            field: "customer_no",
                            value: m.customer.to_string(),
                        });
                    }
                    let id: i64 = ::sqlx::query_scalar(
                        "INSERT INTO customer_maintenance (customer_no, start_us, end_us, note, \
                         recorded_by, recorded_us) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(m.customer.as_str())
                    .bind(ts_us(m.start))
                    .bind(ts_us(m.end))
                    .bind(&m.note)
                    .bind(&m.recorded_by)
                    .bind(ts_us(m.recorded_at))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err($db)?;
                    tx.commit().await.map_err($db)?;
                    Ok(id)
                }

                async fn maintenance_between(
                    &self,
                    from: Timestamp,
                    to: Timestamp,
                    limit: u32,
                ) -> Result<Vec<StoredMaintenance>> {
                    let rows: Vec<MaintenanceColumns> = ::sqlx::query_as(
                        "SELECT m.id, m.customer_no, c.area_code, m.start_us, m.end_us, m.note, \
                         m.recorded_by, m.recorded_us FROM customer_maintenance m \
                         JOIN customer c ON c.customer_no = m.customer_no \
                         WHERE m.start_us >= $1 AND m.start_us < $2 \
                         ORDER BY m.start_us, m.id LIMIT $3",
                    )
                    .bind(ts_us(from))
                    .bind(ts_us(to))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($db)?;
                    rows.into_iter().map(maintenance_from_columns).collect()
                }
            }
        };
    };
}
