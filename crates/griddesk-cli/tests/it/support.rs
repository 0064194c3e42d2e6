//! Shared helpers of the integration tests: a fresh, empty database per test on either backend.
//!
//! PostgreSQL tests need the server at 127.0.0.1:5432 (user postgres, trust auth). They are
//! skipped only when `GRIDDESK_TEST_SKIP_POSTGRES=1`; an unreachable server fails them loudly.

use griddesk_sqlite::SqliteStore;
use sqlx::{Connection, Executor, PgConnection};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Maintenance database of the local test server; test databases are created next to it.
const ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const TEST_DB_PREFIX: &str = "gd_test_";
/// Test databases older than this are left over from earlier runs and dropped.
const STALE_AFTER: Duration = Duration::from_secs(6 * 3600);

/// A new SQLite store in its own temporary directory. Keep the directory alive as long as the
/// store: dropping it deletes the database file.
pub async fn fresh_sqlite() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let store = SqliteStore::open(&dir.path().join("griddesk.db"))
        .await
        .expect("open a fresh SQLite store");
    (dir, store)
}

/// True when the PostgreSQL tests are switched off on purpose.
pub fn postgres_skipped() -> bool {
    std::env::var("GRIDDESK_TEST_SKIP_POSTGRES").is_ok_and(|v| v == "1")
}

/// The URL of a new, empty, uniquely named PostgreSQL database, or `None` only when
/// `GRIDDESK_TEST_SKIP_POSTGRES=1`. Panics when the server cannot be reached. The database is
/// dropped by a later test run once this process has exited.
pub async fn fresh_postgres_url() -> Option<String> {
    Some(fresh_postgres_db().await?.keep())
}

/// A test database that is dropped when this value is dropped (at the end of the test, also
/// when it panics). Connections still open to it are terminated then.
pub struct PgTestDb {
    pub url: String,
    name: String,
    keep: bool,
}

impl PgTestDb {
    /// Leaves the database in place when this value is dropped; returns its URL.
    pub fn keep(mut self) -> String {
        self.keep = true;
        std::mem::take(&mut self.url)
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Drop cannot await, and the test's own runtime may be the one dropping us: run the
        // statement on a thread with a runtime of its own. Failing to drop only leaves a
        // database for the next run's sweep.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(mut admin) = PgConnection::connect(ADMIN_URL).await {
                    let _ = admin.execute(sql.as_str()).await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// Like [`fresh_postgres_url`], but the database is dropped with the returned guard.
pub async fn fresh_postgres_db() -> Option<PgTestDb> {
    if postgres_skipped() {
        return None;
    }
    let mut admin = PgConnection::connect(ADMIN_URL).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is not reachable at {ADMIN_URL}: {e}\n\
             Start it (user postgres, trust auth) or set GRIDDESK_TEST_SKIP_POSTGRES=1 to skip \
             the PostgreSQL tests."
        )
    });
    drop_stale_databases(&mut admin).await;
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "{TEST_DB_PREFIX}{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        now_nanos()
    );
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap_or_else(|e| panic!("creating test database {name}: {e}"));
    let _ = admin.close().await;
    Some(PgTestDb {
        url: format!("postgres://postgres@127.0.0.1:5432/{name}"),
        name,
        keep: false,
    })
}

fn now_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_nanos()
}

/// Drops test databases left by earlier test processes, once per process, so repeated runs do
/// not pile databases up. A name reads `gd_test_<pid>_<n>_<created ns>`: a database whose
/// process has exited (or that is older than a few hours) is stale; others may belong to a run
/// in progress and are kept.
async fn drop_stale_databases(admin: &mut PgConnection) {
    static DONE: AtomicBool = AtomicBool::new(false);
    if DONE.swap(true, Ordering::SeqCst) {
        return;
    }
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'gd\\_test\\_%'")
            .fetch_all(&mut *admin)
            .await
            .unwrap_or_default();
    let cutoff = now_nanos().saturating_sub(STALE_AFTER.as_nanos());
    let me = std::process::id();
    for name in names {
        let mut parts = name[TEST_DB_PREFIX.len()..].split('_');
        let pid = parts.next().and_then(|p| p.parse::<u32>().ok());
        let created = parts.nth(1).and_then(|t| t.parse::<u128>().ok());
        let exited = pid.is_some_and(|p| {
            p != me
                && cfg!(target_os = "linux")
                && !std::path::Path::new(&format!("/proc/{p}")).exists()
        });
        let old = created.is_some_and(|t| t < cutoff);
        if exited || old {
            // Best effort: another run may be dropping it at the same time.
            let _ = admin
                .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await;
        }
    }
}
