//! The binary as an operator runs it (the Kubernetes migration Job, a shell): `migrate` applies
//! the schema and exits, a second run finds nothing to do, an unknown command prints the usage,
//! and a database from before the storage moved to sea-orm is refused with the way forward.

use std::process::{Command, Output};

fn identity(database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tinhso-identity"))
        .args(args)
        .env("TINHSO_DATABASE__URL", database_url)
        .env(
            "TINHSO_BOOTSTRAP_ADMIN_PASSWORD",
            "mat-khau-dau-tien-cua-quan-tri",
        )
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn migrate_applies_once_and_unknown_commands_print_the_usage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("identity.db").display()
    );

    let first = identity(&url, &["migrate"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout).contains(&format!(
            "{} migration(s) applied",
            tinhso_identity::store::MIGRATOR.migrations.len()
        )),
        "{}",
        text(&first.stdout)
    );
    let again = identity(&url, &["migrate"]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(text(&again.stdout).contains("0 migration(s) applied"));

    let unknown = identity(&url, &["migrat"]);
    assert!(!unknown.status.success(), "an unknown command fails");
    assert!(
        text(&unknown.stderr).contains("usage: tinhso-identity"),
        "{}",
        text(&unknown.stderr)
    );
}

#[tokio::test]
async fn a_pre_release_database_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("identity.db").display()
    );
    // The migration table of the storage layer before sea-orm.
    let db = tinhso_platform::db::Db::connect(&url, 1)
        .await
        .expect("database");
    tinhso_platform::db::query(
        "CREATE TABLE identity_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
         applied_at BIGINT NOT NULL)",
    )
    .execute(&db.pool)
    .await
    .expect("the old migration table");
    db.pool.close().await.expect("close");

    let refused = identity(&url, &["migrate"]);
    assert!(
        !refused.status.success(),
        "a pre-release database is refused"
    );
    let message = text(&refused.stderr);
    assert!(message.contains("pre-release"), "{message}");
    assert!(message.contains("docs/operations.md"), "{message}");
}

/// `--help` and a mistyped command answer before anything is opened: no database file appears
/// in the folder the binary runs in.
#[test]
fn help_and_mistakes_touch_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_tinhso-identity"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("TINHSO_DATABASE__URL")
            .env_remove("TINHSO_CONFIG")
            .output()
            .expect("the binary runs")
    };
    let help = run(&["--help"]);
    assert!(help.status.success(), "{}", text(&help.stderr));
    assert!(text(&help.stdout).contains("usage: tinhso-identity"));
    let wrong = run(&["frobnicate"]);
    assert!(!wrong.status.success());
    assert!(text(&wrong.stderr).contains("usage: tinhso-identity"));
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(left.is_empty(), "nothing is created: {left:?}");
}
