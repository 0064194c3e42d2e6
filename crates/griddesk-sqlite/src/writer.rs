//! The one connection every write goes through, held outside sqlx's pool.
//!
//! SQLite has a single write lock. Writers queue here in order (a fair tokio mutex) instead of
//! sleeping in SQLite's busy handler, and hand the connection on directly: a pooled connection
//! costs a spawned release task and a ping round trip to the connection's thread on every
//! release, and `begin_with` another round trip to check the transaction started — under a storm
//! of small writes on two busy cores that hand-over, not the write itself, was the limit
//! (BENCHMARKS.md, repair-call intake). Transactions are begun and ended with plain
//! `BEGIN IMMEDIATE` / `COMMIT` statements, so the connection's state is ours to track: one
//! dropped before its commit is rolled back before anyone else gets the connection.

use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The writer connection and what is known of its state.
#[derive(Debug)]
pub(crate) struct Writer {
    /// `None` once the store is closed.
    conn: Option<SqliteConnection>,
    /// A transaction may still be open on it (its holder went away before finishing, and the
    /// rollback could not be run then): roll back before the next use.
    dirty: bool,
}

/// Where writes go: the owned writer of a database file, or (for an in-memory database, whose
/// one pooled connection is the database) that pool.
#[derive(Debug, Clone)]
pub(crate) enum WriteTarget {
    Owned(Arc<Mutex<Writer>>),
    Pooled(sqlx::SqlitePool),
}

impl WriteTarget {
    pub(crate) fn owned(conn: SqliteConnection) -> WriteTarget {
        WriteTarget::Owned(Arc::new(Mutex::new(Writer {
            conn: Some(conn),
            dirty: false,
        })))
    }

    /// The connection to write on, once it is this caller's turn, outside any transaction.
    pub(crate) async fn conn(&self) -> Result<WriteConn, sqlx::Error> {
        match self {
            WriteTarget::Owned(m) => {
                let mut g = m.clone().lock_owned().await;
                let Writer { conn, dirty } = &mut *g;
                let Some(conn) = conn.as_mut() else {
                    return Err(sqlx::Error::PoolClosed);
                };
                if *dirty {
                    rollback(conn).await?;
                    *dirty = false;
                }
                Ok(WriteConn::Owned(g))
            }
            WriteTarget::Pooled(p) => Ok(WriteConn::Pooled(p.acquire().await?)),
        }
    }

    /// A transaction holding SQLite's write lock from its first statement (`BEGIN IMMEDIATE`).
    pub(crate) async fn begin(&self) -> Result<WriteTx, sqlx::Error> {
        let mut conn = self.conn().await?;
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        Ok(WriteTx { conn: Some(conn) })
    }

    /// Closes the writer; later writes fail as on a closed pool.
    pub(crate) async fn close(&self) {
        match self {
            WriteTarget::Owned(m) => {
                let conn = m.lock().await.conn.take();
                if let Some(c) = conn {
                    let _ = sqlx::Connection::close(c).await;
                }
            }
            WriteTarget::Pooled(p) => p.close().await,
        }
    }
}

/// Rolls back whatever transaction is open; none being open is not an error.
async fn rollback(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    match sqlx::query("ROLLBACK").execute(conn).await {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(e)) if e.message().contains("no transaction is active") => Ok(()),
        Err(e) => Err(e),
    }
}

/// This caller's turn on the writer connection.
#[derive(Debug)]
pub(crate) enum WriteConn {
    Owned(OwnedMutexGuard<Writer>),
    Pooled(PoolConnection<Sqlite>),
}

impl Deref for WriteConn {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        match self {
            // `conn` is checked to be there when the guard is handed out and only taken under
            // the lock.
            WriteConn::Owned(g) => g.conn.as_ref().expect("writer checked open"),
            WriteConn::Pooled(p) => p,
        }
    }
}

impl DerefMut for WriteConn {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match self {
            WriteConn::Owned(g) => g.conn.as_mut().expect("writer checked open"),
            WriteConn::Pooled(p) => p,
        }
    }
}

/// A write transaction: statements run on it through `&mut *tx`; [`WriteTx::commit`] ends it,
/// dropping it rolls it back.
#[derive(Debug)]
pub(crate) struct WriteTx {
    /// `None` once committed.
    conn: Option<WriteConn>,
}

impl WriteTx {
    pub(crate) async fn commit(mut self) -> Result<(), sqlx::Error> {
        let mut conn = self.conn.take().expect("a transaction is committed once");
        match sqlx::query("COMMIT").execute(&mut *conn).await {
            Ok(_) => Ok(()),
            Err(e) => {
                // A failed COMMIT can leave the transaction open: Drop rolls it back.
                self.conn = Some(conn);
                Err(e)
            }
        }
    }
}

impl Deref for WriteTx {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        self.conn.as_deref().expect("not yet committed")
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.conn.as_deref_mut().expect("not yet committed")
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        if let WriteConn::Owned(g) = &mut conn {
            // Whatever happens below, the next holder rolls back first if this could not.
            g.dirty = true;
        }
        // The rollback runs before the connection is anyone else's: the task holds it.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if rollback(&mut conn).await.is_ok()
                    && let WriteConn::Owned(g) = &mut conn
                {
                    g.dirty = false;
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::SqliteStore;

    async fn names(store: &SqliteStore) -> Vec<String> {
        sqlx::query_scalar("SELECT name FROM t ORDER BY name")
            .fetch_all(store.pool())
            .await
            .unwrap()
    }

    async fn insert(tx: &mut super::WriteTx, name: &str) {
        sqlx::query("INSERT INTO t (name) VALUES ($1)")
            .bind(name)
            .execute(&mut **tx)
            .await
            .unwrap();
    }

    /// Makes table `t`, then writes "dropped" in a transaction it drops and "kept" in one it
    /// commits: the next writer waits for the rollback and writes on a clean connection.
    async fn dropped_then_kept(store: &SqliteStore) {
        sqlx::query("CREATE TABLE t (name TEXT NOT NULL)")
            .execute(&mut *store.write_conn().await.unwrap())
            .await
            .unwrap();
        let mut dropped = store.begin_write().await.unwrap();
        insert(&mut dropped, "dropped").await;
        drop(dropped);
        let mut kept = store.begin_write().await.unwrap();
        insert(&mut kept, "kept").await;
        kept.commit().await.unwrap();
        assert_eq!(names(store).await, ["kept"]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_transaction_dropped_before_commit_leaves_nothing_and_the_next_one_goes_through() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("w.db")).await.unwrap();
        dropped_then_kept(&store).await;

        // A writer cancelled while waiting for its statement: the same.
        let mut cancelled = store.begin_write().await.unwrap();
        insert(&mut cancelled, "cancelled").await;
        let slow = sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) \
             INSERT INTO t (name) SELECT 'slow' FROM n WHERE i < 0",
        )
        .execute(&mut *cancelled);
        let _ = tokio::time::timeout(std::time::Duration::from_millis(1), slow).await;
        drop(cancelled);
        sqlx::query("INSERT INTO t (name) VALUES ('single')")
            .execute(&mut *store.write_conn().await.unwrap())
            .await
            .unwrap();
        assert_eq!(names(&store).await, ["kept", "single"]);
        store.close().await;
        assert!(store.begin_write().await.is_err(), "closed");
    }

    #[tokio::test]
    async fn an_in_memory_database_writes_on_its_one_connection() {
        let store = SqliteStore::open_url("sqlite::memory:").await.unwrap();
        dropped_then_kept(&store).await;
    }
}
