//! The shared storage conformance suite on SQLite, one fresh database file per test. (The CLI's
//! integration tests run the same suite on both backends; this copy keeps `cargo test -p
//! griddesk-sqlite` self-contained.)

async fn fresh() -> (tempfile::TempDir, griddesk_sqlite::SqliteStore) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = griddesk_sqlite::SqliteStore::open(&dir.path().join("griddesk.db"))
        .await
        .expect("open a fresh SQLite store");
    (dir, store)
}

griddesk_store::conformance_tests!(fresh());
