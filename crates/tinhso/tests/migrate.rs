//! `tinhso migrate identity` / `personnel` as the README documents it, against the database
//! of `TINHSO_DATABASE__URL`: on PostgreSQL (`make test-services`) it holds its lock and applies
//! the schema over its one connection.

use std::process::Command;

#[tokio::test]
async fn migrate_applies_each_service_schema_on_postgresql() {
    if !tinhso_testkit::using_services() {
        return;
    }
    for service in ["identity", "personnel"] {
        let test_db = tinhso_testkit::database().await;
        let data = tempfile::tempdir().expect("tempdir");
        let migrate = || {
            Command::new(env!("CARGO_BIN_EXE_tinhso"))
                .args(["migrate", service, "--data-dir"])
                .arg(data.path())
                .env("TINHSO_DATABASE__URL", &test_db.url)
                .env("RUST_LOG", "warn")
                .output()
                .expect("the binary runs")
        };
        let first = migrate();
        let out = String::from_utf8_lossy(&first.stdout);
        assert!(
            first.status.success(),
            "{service}: {}",
            String::from_utf8_lossy(&first.stderr)
        );
        assert!(out.contains("migration(s) applied"), "{out}");
        assert!(
            !out.contains(": 0 migration"),
            "{service} applied its schema: {out}"
        );
        let again = migrate();
        assert!(again.status.success());
        assert!(String::from_utf8_lossy(&again.stdout).contains(": 0 migration(s) applied"));
    }
}
