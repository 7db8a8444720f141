//! The migrator on a real database (SQLite, or PostgreSQL under `make test-services`): replicas
//! that start at once, a migration edited after it ran, a database from before sea-orm.

use tinhso_platform::db::{Db, DbError, Migration, Migrator, query};
use tinhso_platform::events::EVENTS_MIGRATION;

const NOTES: Migration = Migration {
    name: "m0002_notes",
    sql: "
CREATE TABLE notes (
    id TEXT PRIMARY KEY,
    written_at TIMESTAMPTZ NOT NULL,
    due DATE,
    done BOOLEAN NOT NULL DEFAULT FALSE,
    body JSONB NOT NULL
);
CREATE INDEX notes_id_prefix ON notes (id text_pattern_ops);
",
    postgres_only: "",
};

const MIGRATOR: Migrator = Migrator {
    table: "notes_schema",
    replaces: Some("notes_migrations"),
    migrations: &[EVENTS_MIGRATION, NOTES],
};

async fn table_count(db: &Db, table: &str) -> i64 {
    query(format!("SELECT COUNT(*) FROM {table}"))
        .scalar(&db.pool)
        .await
        .unwrap_or_else(|e| panic!("count {table}: {e}"))
}

#[tokio::test]
async fn replicas_starting_at_once_migrate_once_and_both_start() {
    let test_db = tinhso_testkit::database().await;
    // Two replicas: two pools on one database, as two pods would have.
    let other = Db::connect(&test_db.url, 2).await.expect("second pool");
    let (a, b) = tokio::join!(MIGRATOR.run(&test_db.db), MIGRATOR.run(&other));
    let applied = [a.expect("first replica"), b.expect("second replica")];
    assert_eq!(
        applied.iter().sum::<usize>(),
        2,
        "each migration ran exactly once between the two: {applied:?}"
    );
    assert_eq!(table_count(&test_db.db, "notes_schema").await, 2);
    assert_eq!(table_count(&test_db.db, "notes_schema_checksums").await, 2);
    // A third start finds nothing to do.
    assert_eq!(MIGRATOR.run(&other).await.expect("restart"), 0);
    assert_eq!(table_count(&test_db.db, "notes").await, 0);
}

#[tokio::test]
async fn a_migration_edited_after_it_ran_is_refused() {
    let test_db = tinhso_testkit::database().await;
    MIGRATOR.run(&test_db.db).await.expect("migrate");
    let edited = Migrator {
        migrations: &[
            EVENTS_MIGRATION,
            Migration {
                sql: "CREATE TABLE notes (id TEXT PRIMARY KEY)",
                ..NOTES
            },
        ],
        ..MIGRATOR
    };
    match edited.run(&test_db.db).await {
        Err(DbError::EditedMigration { name }) => assert_eq!(name, "m0002_notes"),
        other => panic!("an edited migration must be refused, got {other:?}"),
    }
    let next = Migrator {
        migrations: &[
            EVENTS_MIGRATION,
            NOTES,
            Migration {
                name: "m0003_note_author",
                sql: "ALTER TABLE notes ADD COLUMN author TEXT",
                postgres_only: "",
            },
        ],
        ..MIGRATOR
    };
    assert_eq!(next.run(&test_db.db).await.expect("a new migration"), 1);
}

#[tokio::test]
async fn a_pre_release_database_is_refused_with_the_way_forward() {
    let test_db = tinhso_testkit::database().await;
    query("CREATE TABLE notes_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)")
        .execute(&test_db.db.pool)
        .await
        .expect("the old migrator's table");
    let refused = MIGRATOR.run(&test_db.db).await;
    let message = match refused {
        Err(e @ DbError::PreRelease { .. }) => e.to_string(),
        other => panic!("a pre-release database must be refused, got {other:?}"),
    };
    assert!(message.contains("notes_migrations"), "{message}");
    assert!(message.contains("docs/operations.md"), "{message}");
    for table in ["notes", "notes_schema", "outbox"] {
        assert!(
            query(format!("SELECT 1 FROM {table}"))
                .execute(&test_db.db.pool)
                .await
                .is_err(),
            "nothing of the new schema was written ({table})"
        );
    }
}
