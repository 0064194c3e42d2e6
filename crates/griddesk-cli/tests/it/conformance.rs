//! The storage conformance suite (griddesk_store::conformance) on both backends: every test gets
//! a fresh SQLite file or a fresh PostgreSQL database.

mod sqlite {
    griddesk_store::conformance_tests!(crate::support::fresh_sqlite());
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
}
