//! GridDesk's production storage: the [`Store`] trait on PostgreSQL, selected by a
//! `postgres://` URL. The schema lives in `migrations/` and is applied on connect.
//!
//! Customer search goes through a GIN index on the `tsvector` of
//! [`griddesk_domain::search::document`] (CJK bigrams, `simple` configuration), queried with
//! `to_tsquery('simple', ..)`; exact phone search through a B-tree on `contact_phone.phone`.
//! Writes go in one transaction per call, each table as one `INSERT .. SELECT FROM UNNEST(..)`
//! of column arrays, so a batch of thousands of customers is a handful of round trips.

/// A write transaction of the store macros (SQLite's is its own type, see its `writer`).
pub(crate) type WriteTx = sqlx::Transaction<'static, sqlx::Postgres>;

mod read;
mod write;

use griddesk_domain::customer::Customer;
use griddesk_domain::org::{OrgUnit, Staff};
use griddesk_domain::revenue::TheftCase;
use griddesk_domain::search::SearchQuery;
use griddesk_domain::topology::{Feeder, Substation, TransformerArea};
use griddesk_domain::values::{Code, CustomerNo};
use griddesk_store::{
    ArchiveStats, AreaCustomers, CustomerDetail, CustomerFilter, CustomerSummary, RefKind, Result,
    Store, StoreError,
};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

/// The PostgreSQL implementation of [`Store`]. Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

const MAX_CONNECTIONS: u32 = 10;

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/db`) and applies pending migrations.
    pub async fn connect(url: &str) -> Result<PostgresStore> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Backend(format!("invalid PostgreSQL URL: {e}")))?
            .application_name("griddesk")
            // Plan every statement for its parameters. A cached generic plan made while a table
            // was small (an empty work_order_event: a seq scan) outlives the table's growth
            // until the next ANALYZE; under a storm of calls that made appending an order event
            // 40 % of the database's time (pg_stat_statements). Planning these short
            // statements costs far less than one such scan.
            .options([("plan_cache_mode", "force_custom_plan")]);
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(db)?;
        sqlx::migrate!()
            .run(&pool)
            .await
            .map_err(|e| StoreError::Backend(format!("migrating the PostgreSQL database: {e}")))?;
        tracing::debug!("PostgreSQL store ready");
        Ok(PostgresStore { pool })
    }

    /// The connection pool, for crates that keep their own tables in the same database.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A transaction for the store macros' writes (SQLite's takes its write lock at once;
    /// PostgreSQL's row locks need nothing special).
    pub(crate) async fn begin_write(&self) -> std::result::Result<WriteTx, sqlx::Error> {
        self.pool.begin().await
    }

    /// A connection for the store macros' single-statement writes: any of the pool's, as
    /// PostgreSQL runs concurrent writers itself.
    pub(crate) async fn write_conn(
        &self,
    ) -> std::result::Result<sqlx::pool::PoolConnection<sqlx::Postgres>, sqlx::Error> {
        self.pool.acquire().await
    }
}

/// Maps a driver error: undecodable values are corrupt data, everything else is the backend's.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => {
            StoreError::Corrupt(e.to_string())
        }
        sqlx::Error::PoolTimedOut => StoreError::Busy(e.to_string()),
        other => StoreError::Backend(other.to_string()),
    }
}

/// Table and key column holding records of a reference kind.
pub(crate) fn ref_table(kind: RefKind) -> (&'static str, &'static str) {
    match kind {
        RefKind::OrgUnit => ("org_unit", "code"),
        RefKind::Staff => ("staff", "login"),
        RefKind::Substation => ("substation", "code"),
        RefKind::Feeder => ("feeder", "code"),
        RefKind::Area => ("transformer_area", "code"),
        RefKind::Customer => ("customer", "customer_no"),
    }
}

#[async_trait::async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn optimize(&self) -> Result<()> {
        sqlx::query("ANALYZE")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn upsert_org_units(&self, units: &[OrgUnit]) -> Result<()> {
        write::org_units(&self.pool, units).await
    }

    async fn upsert_staff(&self, staff: &[Staff]) -> Result<()> {
        write::staff(&self.pool, staff).await
    }

    async fn upsert_substations(&self, items: &[Substation]) -> Result<()> {
        write::substations(&self.pool, items).await
    }

    async fn upsert_feeders(&self, items: &[Feeder]) -> Result<()> {
        write::feeders(&self.pool, items).await
    }

    async fn upsert_areas(&self, items: &[TransformerArea]) -> Result<()> {
        write::areas(&self.pool, items).await
    }

    async fn upsert_customers(&self, customers: &[Customer]) -> Result<()> {
        write::customers(&self.pool, customers).await
    }

    async fn upsert_theft_cases(&self, cases: &[TheftCase]) -> Result<()> {
        write::theft_cases(&self.pool, cases).await
    }

    async fn list_org_units(&self) -> Result<Vec<OrgUnit>> {
        read::org_units(&self.pool).await
    }

    async fn list_staff(&self) -> Result<Vec<Staff>> {
        read::staff(&self.pool).await
    }

    async fn customer(&self, no: &CustomerNo) -> Result<Option<CustomerDetail>> {
        read::customer(&self.pool, no).await
    }

    async fn search_customers(
        &self,
        q: Option<&SearchQuery>,
        filter: &CustomerFilter,
        limit: u32,
    ) -> Result<Vec<CustomerSummary>> {
        read::search(&self.pool, q, filter, limit).await
    }

    async fn area_customers(&self, area: &Code) -> Result<Option<AreaCustomers>> {
        read::area_customers(&self.pool, area).await
    }

    async fn missing_references(&self, kind: RefKind, codes: &[String]) -> Result<Vec<String>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let wanted = griddesk_store::backend::distinct_in_order(codes);
        let missing = write::missing(&mut conn, kind, &wanted).await?;
        let missing: std::collections::HashSet<&str> = missing.iter().map(String::as_str).collect();
        Ok(wanted
            .into_iter()
            .filter(|c| missing.contains(c))
            .map(str::to_owned)
            .collect())
    }

    async fn stats(&self) -> Result<ArchiveStats> {
        read::stats(&self.pool).await
    }
}

griddesk_store::access_store_impl!(PostgresStore, sqlx::PgConnection, db);
griddesk_store::workorder_store_impl!(PostgresStore, sqlx::PgConnection, db);
griddesk_store::service_store_impl!(PostgresStore, sqlx::PgConnection, db);
griddesk_store::knowledge_store_impl!(PostgresStore, sqlx::PgConnection, db);
griddesk_store::outage_store_impl!(PostgresStore, sqlx::PgConnection, db);
griddesk_store::outage_plan_store_impl!(PostgresStore, sqlx::PgConnection, db);
griddesk_store::notice_store_impl!(PostgresStore, sqlx::PgConnection, db);
griddesk_store::segment_store_impl!(PostgresStore, sqlx::PgConnection, db);
griddesk_store::orderly_store_impl!(PostgresStore, sqlx::PgConnection, db);
