//! The reader connections, held outside sqlx's pool.
//!
//! sqlx's pool pings every connection it is given back, from a task it spawns for the purpose:
//! one more round trip to the connection's thread for every read, each a wake-up waiting for a
//! free core. A repair call makes about a dozen reads; under a storm of calls those hand-overs,
//! not SQLite, were where the time went (BENCHMARKS.md, repair-call intake). An in-process
//! connection does not drop like a network one, so here a connection goes straight back to the
//! idle list when its holder is done. [`ReadPool`] is an [`Executor`], so `.fetch_all(&pool)`
//! reads the same as on sqlx's pool.

use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteQueryResult, SqliteRow, SqliteStatement, SqliteTypeInfo,
};
use sqlx::{ConnectOptions, Describe, Either, Execute, Executor, Sqlite, SqliteConnection};
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Readers: connections of their own to a database file, or (for an in-memory database, whose
/// one connection is the database) sqlx's pool of that one. Cheap to clone.
#[derive(Debug, Clone)]
pub enum ReadPool {
    Owned(Arc<Readers>),
    Pooled(sqlx::SqlitePool),
}

/// The idle connections, and a permit for each.
#[derive(Debug)]
pub struct Readers {
    idle: Mutex<Vec<SqliteConnection>>,
    permits: Arc<Semaphore>,
    size: u32,
}

impl ReadPool {
    /// Opens `size` connections with `options`.
    pub(crate) async fn open(
        options: &SqliteConnectOptions,
        size: u32,
    ) -> Result<ReadPool, sqlx::Error> {
        let mut idle = Vec::with_capacity(size as usize);
        for _ in 0..size {
            idle.push(options.connect().await?);
        }
        Ok(ReadPool::Owned(Arc::new(Readers {
            idle: Mutex::new(idle),
            permits: Arc::new(Semaphore::new(size as usize)),
            size,
        })))
    }

    /// A connection of this caller's own until the returned guard is dropped.
    pub async fn acquire(&self) -> Result<ReadConn, sqlx::Error> {
        match self {
            ReadPool::Owned(r) => {
                let permit = r
                    .permits
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| sqlx::Error::PoolClosed)?;
                let conn = r.lock().pop();
                // A permit per idle connection: one is there.
                let conn = conn.ok_or(sqlx::Error::PoolClosed)?;
                Ok(ReadConn::Owned {
                    conn: Some(conn),
                    readers: r.clone(),
                    _permit: permit,
                })
            }
            ReadPool::Pooled(p) => Ok(ReadConn::Pooled(p.acquire().await?)),
        }
    }

    /// Waits for the connections in use, closes them all; later reads fail as on a closed pool.
    pub async fn close(&self) {
        match self {
            ReadPool::Owned(r) => {
                let Ok(all) = r.permits.acquire_many(r.size).await else {
                    return; // closed already
                };
                r.permits.close();
                all.forget();
                let conns = std::mem::take(&mut *r.lock());
                for c in conns {
                    let _ = sqlx::Connection::close(c).await;
                }
            }
            ReadPool::Pooled(p) => p.close().await,
        }
    }
}

impl Readers {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<SqliteConnection>> {
        // The list is consistent whatever a panicking holder was doing: a push or a pop.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A reader connection in use; back to the idle list on drop.
#[derive(Debug)]
pub enum ReadConn {
    Owned {
        conn: Option<SqliteConnection>,
        readers: Arc<Readers>,
        // Released after the connection is back (fields drop after `Drop::drop`).
        _permit: OwnedSemaphorePermit,
    },
    Pooled(PoolConnection<Sqlite>),
}

impl Drop for ReadConn {
    fn drop(&mut self) {
        if let ReadConn::Owned { conn, readers, .. } = self
            && let Some(c) = conn.take()
        {
            readers.lock().push(c);
        }
    }
}

impl Deref for ReadConn {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        match self {
            ReadConn::Owned { conn, .. } => conn.as_ref().expect("taken only on drop"),
            ReadConn::Pooled(p) => p,
        }
    }
}

impl DerefMut for ReadConn {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match self {
            ReadConn::Owned { conn, .. } => conn.as_mut().expect("taken only on drop"),
            ReadConn::Pooled(p) => p,
        }
    }
}

impl<'p> Executor<'p> for &'_ ReadPool {
    type Database = Sqlite;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<SqliteQueryResult, SqliteRow>, sqlx::Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, Sqlite>,
    {
        let pool = self.clone();
        // The results are gathered on the connection and then streamed: a stream borrowing the
        // connection would have to own it too. Every read here collects its rows anyway.
        futures::stream::once(async move {
            match pool.acquire().await {
                Ok(mut c) => c.fetch_many(query).collect::<Vec<_>>().await,
                Err(e) => vec![Err(e)],
            }
        })
        .flat_map(futures::stream::iter)
        .boxed()
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<SqliteRow>, sqlx::Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, Sqlite>,
    {
        let pool = self.clone();
        Box::pin(async move { pool.acquire().await?.fetch_optional(query).await })
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [SqliteTypeInfo],
    ) -> BoxFuture<'e, Result<SqliteStatement<'q>, sqlx::Error>>
    where
        'p: 'e,
    {
        let pool = self.clone();
        Box::pin(async move { pool.acquire().await?.prepare_with(sql, parameters).await })
    }

    fn describe<'e, 'q: 'e>(
        self,
        sql: &'q str,
    ) -> BoxFuture<'e, Result<Describe<Sqlite>, sqlx::Error>>
    where
        'p: 'e,
    {
        let pool = self.clone();
        Box::pin(async move { pool.acquire().await?.describe(sql).await })
    }
}

#[cfg(test)]
mod tests {
    use super::ReadPool;
    use sqlx::sqlite::SqliteConnectOptions;

    #[tokio::test]
    async fn readers_take_turns_and_close() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("r.db"))
            .create_if_missing(true);
        let pool = ReadPool::open(&options, 2).await.unwrap();
        let a = pool.acquire().await.unwrap();
        let b = pool.acquire().await.unwrap();
        // Both are out: a third caller waits until one comes back.
        let third = tokio::time::timeout(std::time::Duration::from_millis(50), pool.acquire());
        assert!(third.await.is_err(), "no third connection");
        drop(a);
        let one: i64 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(one, 1);
        let none: Option<i64> = sqlx::query_scalar("SELECT 1 WHERE 0")
            .fetch_optional(&pool)
            .await
            .unwrap();
        assert_eq!(none, None);
        let rows: Vec<i64> = sqlx::query_scalar("SELECT value FROM json_each('[1,2,3]')")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(rows, [1, 2, 3]);
        let err = sqlx::query("SELECT * FROM nowhere").execute(&pool).await;
        assert!(err.is_err(), "a failed statement is an error, not a hang");
        drop(b);
        pool.close().await;
        assert!(matches!(pool.acquire().await, Err(sqlx::Error::PoolClosed)));
        pool.close().await; // twice is harmless
    }
}
