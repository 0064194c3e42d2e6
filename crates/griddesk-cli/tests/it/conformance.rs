//! The storage conformance suite (griddesk_store::conformance) on both backends: every test gets
//! a fresh SQLite file or a fresh PostgreSQL database. Plus, per backend, what the suite cannot
//! express through the trait: a row damaged behind the store's back is reported as corrupt.

use griddesk_store::conformance::fixtures;
use griddesk_store::{CustomerFilter, Store, StoreError};

/// After `damage` broke customer 0100000001's stored tariff, reading it fails as Corrupt (never
/// a panic, never a silently wrong value) and other customers still read fine.
async fn damaged_row_is_corrupt(store: &dyn Store, damage: impl std::future::Future<Output = ()>) {
    fixtures::load(store).await;
    damage.await;
    let no = fixtures::no("0100000001");
    match store.customer(&no).await {
        Err(StoreError::Corrupt(msg)) => assert!(msg.contains("tariff"), "{msg}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    let q = griddesk_domain::search::SearchQuery::parse("0100000001").expect("query");
    let found = store
        .search_customers(Some(&q), &CustomerFilter::default(), 10)
        .await;
    assert!(matches!(found, Err(StoreError::Corrupt(_))), "{found:?}");
    let other = store
        .customer(&fixtures::no("0100000002"))
        .await
        .expect("read");
    assert!(other.is_some());
}

mod sqlite {
    griddesk_store::conformance_tests!(crate::support::fresh_sqlite());

    #[tokio::test]
    async fn damaged_row_is_reported_as_corrupt() {
        let (_dir, store) = crate::support::fresh_sqlite().await;
        let damage = async {
            sqlx::query("UPDATE customer SET tariff = 'bogus' WHERE customer_no = '0100000001'")
                .execute(store.pool())
                .await
                .expect("damage the row");
        };
        super::damaged_row_is_corrupt(&store, damage).await;
    }
}

mod postgres {
    use crate::support::PgTestDb;
    use griddesk_postgres::PostgresStore;

    /// None only when GRIDDESK_TEST_SKIP_POSTGRES=1 (the test then prints a note and returns).
    /// The database is dropped when the test ends.
    async fn fresh() -> Option<(PgTestDb, PostgresStore)> {
        let db = crate::support::fresh_postgres_db().await?;
        let store = PostgresStore::connect(&db.url)
            .await
            .unwrap_or_else(|e| panic!("connecting to fresh test database {}: {e}", db.url));
        Some((db, store))
    }

    griddesk_store::conformance_tests!(fresh());

    /// Statements are planned for their parameters, never from a generic plan cached while a
    /// table was still small.
    #[tokio::test]
    async fn connections_plan_each_statement_for_its_parameters() {
        let Some((_db, store)) = fresh().await else {
            eprintln!("note: PostgreSQL skipped on purpose (GRIDDESK_TEST_SKIP_POSTGRES=1)");
            return;
        };
        let mode: String = sqlx::query_scalar("SHOW plan_cache_mode")
            .fetch_one(store.pool())
            .await
            .expect("show");
        assert_eq!(mode, "force_custom_plan");
    }

    #[tokio::test]
    async fn damaged_row_is_reported_as_corrupt() {
        let Some((_db, store)) = fresh().await else {
            eprintln!("note: PostgreSQL skipped on purpose (GRIDDESK_TEST_SKIP_POSTGRES=1)");
            return;
        };
        let damage = async {
            sqlx::query("UPDATE customer SET tariff = 'bogus' WHERE customer_no = '0100000001'")
                .execute(store.pool())
                .await
                .expect("damage the row");
        };
        super::damaged_row_is_corrupt(&store, damage).await;
    }
}
