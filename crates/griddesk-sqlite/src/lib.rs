//! GridDesk's embedded storage: the [`Store`] trait on one SQLite file (`griddesk.db`) in WAL
//! mode with foreign keys on. The schema lives in `migrations/` and is applied on open.
//!
//! Customer search goes through a contentless FTS5 table over
//! [`griddesk_domain::search::document`] (CJK bigrams), exact phone search through an index on
//! `contact_phone.phone`; both are index lookups, never table scans. Writes are batched into
//! multi-row statements inside one `BEGIN IMMEDIATE` transaction per call, all on one writer
//! connection so concurrent writers queue in order (see [`writer`]).

mod read;
mod readers;
mod write;
mod writer;

pub use readers::{ReadConn, ReadPool};

pub(crate) use writer::WriteTx;

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
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// The SQLite implementation of [`Store`]. Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// Readers, concurrent under WAL.
    pool: ReadPool,
    /// The one connection every write goes through. SQLite has a single write lock, and a
    /// connection that finds it taken sleeps in the busy handler (1, 2, 5 … 100 ms at a time)
    /// and retries, unfairly: under a storm of small writes the lock sits idle while writers
    /// sleep, and one of them can lose every retry until its timeout. Queued on this one
    /// connection instead, writers take turns in order and start the moment the lock is free.
    writer: writer::WriteTarget,
}

/// Readers run concurrently under WAL; writers queue on the one writer connection.
const MAX_CONNECTIONS: u32 = 4;

impl SqliteStore {
    /// Opens (creating if missing) the database file at `path` and applies pending migrations.
    pub async fn open(path: &Path) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::new().filename(path);
        Self::with_options(options, false, None).await
    }

    /// Opens the database file at `path` migrated only up to `version`: how the tests build a
    /// database of an earlier release, to check that later migrations keep its data.
    #[doc(hidden)]
    pub async fn open_at_version(path: &Path, version: i64) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::new().filename(path);
        Self::with_options(options, false, Some(version)).await
    }

    /// Opens a `sqlite://path` (or `sqlite::memory:`) URL, creating the file if missing, and
    /// applies pending migrations.
    pub async fn open_url(url: &str) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Backend(format!("invalid SQLite URL: {e}")))?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        Self::with_options(options, in_memory, None).await
    }

    async fn with_options(
        options: SqliteConnectOptions,
        in_memory: bool,
        up_to: Option<i64>,
    ) -> Result<SqliteStore> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            // 32 MiB page cache per connection (negative = KiB): bulk loads touch many index
            // pages; the cache only grows as far as it is used.
            .pragma("cache_size", "-32768")
            .pragma("temp_store", "memory")
            // Checkpoint every 64 MiB of WAL rather than 4 MiB: far fewer rewrites of the same
            // hot index pages during bulk loads.
            .pragma("wal_autocheckpoint", "16384")
            // ANALYZE (run by PRAGMA optimize) samples instead of reading whole indexes.
            .pragma("analysis_limit", "1000");
        let mut migrator = sqlx::migrate!();
        if let Some(v) = up_to {
            let kept: Vec<_> = migrator
                .migrations
                .iter()
                .filter(|m| m.version <= v)
                .cloned()
                .collect();
            migrator.migrations = kept.into();
        }
        let (pool, writer) = if in_memory {
            // An in-memory database lives and dies with its one connection, which is both the
            // reader and the writer.
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await
                .map_err(db)?;
            prepare(&migrator, &mut *pool.acquire().await.map_err(db)?).await?;
            (
                ReadPool::Pooled(pool.clone()),
                writer::WriteTarget::Pooled(pool),
            )
        } else {
            let mut conn = sqlx::ConnectOptions::connect(&options).await.map_err(db)?;
            prepare(&migrator, &mut conn).await?;
            let pool = ReadPool::open(&options, MAX_CONNECTIONS)
                .await
                .map_err(db)?;
            (pool, writer::WriteTarget::owned(conn))
        };
        tracing::debug!("SQLite store ready");
        Ok(SqliteStore { pool, writer })
    }

    /// The reader connections, for crates that keep their own tables in the same database.
    pub fn pool(&self) -> &ReadPool {
        &self.pool
    }

    /// Closes every connection (readers and the writer), waiting for those in use.
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }

    /// A transaction that takes SQLite's write lock at once (`BEGIN IMMEDIATE`). A deferred
    /// transaction that reads first and writes later fails with SQLITE_BUSY_SNAPSHOT when
    /// another connection wrote in between, which no busy timeout can wait out; an immediate
    /// one queues behind the other writer instead. The store macros write through this.
    pub(crate) async fn begin_write(&self) -> std::result::Result<WriteTx, sqlx::Error> {
        self.writer.begin().await
    }

    /// The writer connection, for the store macros' single-statement writes (autocommit).
    pub(crate) async fn write_conn(&self) -> std::result::Result<writer::WriteConn, sqlx::Error> {
        self.writer.conn().await
    }
}

/// Migrates the database on `conn` and refreshes the planner's statistics where they are
/// missing or stale (e.g. after a bulk load), sampling so this stays fast on a large archive.
async fn prepare(
    migrator: &sqlx::migrate::Migrator,
    conn: &mut sqlx::SqliteConnection,
) -> Result<()> {
    migrator
        .run(&mut *conn)
        .await
        .map_err(|e| StoreError::Backend(format!("migrating the SQLite database: {e}")))?;
    sqlx::query("PRAGMA optimize")
        .execute(conn)
        .await
        .map_err(db)?;
    Ok(())
}

/// Maps a driver error: undecodable values are corrupt data, everything else is the backend's.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => {
            StoreError::Corrupt(e.to_string())
        }
        sqlx::Error::PoolTimedOut => StoreError::Busy(e.to_string()),
        // SQLITE_BUSY and SQLITE_LOCKED (with their extended codes): another writer held on.
        sqlx::Error::Database(d)
            if d.code()
                .is_some_and(|c| c.parse::<i32>().is_ok_and(|n| matches!(n & 0xff, 5 | 6))) =>
        {
            StoreError::Busy(d.to_string())
        }
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
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn optimize(&self) -> Result<()> {
        sqlx::query("PRAGMA optimize")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn upsert_org_units(&self, units: &[OrgUnit]) -> Result<()> {
        write::org_units(self, units).await
    }

    async fn upsert_staff(&self, staff: &[Staff]) -> Result<()> {
        write::staff(self, staff).await
    }

    async fn upsert_substations(&self, items: &[Substation]) -> Result<()> {
        write::substations(self, items).await
    }

    async fn upsert_feeders(&self, items: &[Feeder]) -> Result<()> {
        write::feeders(self, items).await
    }

    async fn upsert_areas(&self, items: &[TransformerArea]) -> Result<()> {
        write::areas(self, items).await
    }

    async fn upsert_customers(&self, customers: &[Customer]) -> Result<()> {
        write::customers(self, customers).await
    }

    async fn upsert_theft_cases(&self, cases: &[TheftCase]) -> Result<()> {
        write::theft_cases(self, cases).await
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

griddesk_store::access_store_impl!(SqliteStore, sqlx::SqliteConnection, db);
griddesk_store::workorder_store_impl!(SqliteStore, sqlx::SqliteConnection, db);
griddesk_store::service_store_impl!(SqliteStore, sqlx::SqliteConnection, db);
griddesk_store::knowledge_store_impl!(SqliteStore, sqlx::SqliteConnection, db);
griddesk_store::outage_store_impl!(SqliteStore, sqlx::SqliteConnection, db);
griddesk_store::outage_plan_store_impl!(SqliteStore, sqlx::SqliteConnection, db);
griddesk_store::notice_store_impl!(SqliteStore, sqlx::SqliteConnection, db);
griddesk_store::segment_store_impl!(SqliteStore, sqlx::SqliteConnection, db);
griddesk_store::orderly_store_impl!(SqliteStore, sqlx::SqliteConnection, db);
