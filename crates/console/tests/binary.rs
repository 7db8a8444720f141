//! The console binary as an operator runs it: `--help` answers without opening anything, and
//! the readiness probe says not ready while identity (its keys) cannot be reached.

use std::process::{Command, Stdio};

#[test]
fn help_answers_without_opening_anything() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("console.db");
    let help = Command::new(env!("CARGO_BIN_EXE_tinhso-console"))
        .arg("--help")
        .env(
            "TINHSO_DATABASE__URL",
            format!("sqlite://{}?mode=rwc", db.display()),
        )
        .output()
        .expect("the binary runs");
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("usage: tinhso-console"));
    assert!(!db.exists(), "no database created for --help");
}

#[tokio::test]
async fn not_ready_until_it_can_read_tokens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port");
    let mut console = Command::new(env!("CARGO_BIN_EXE_tinhso-console"))
        .env("TINHSO_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .env("TINHSO_IDENTITY_URL", format!("http://{dead}"))
        .env("TINHSO_PERSONNEL_URL", format!("http://{dead}"))
        .env(
            "TINHSO_DATABASE__URL",
            format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("console.db").display()
            ),
        )
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the console starts");
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let up = tinhso_testkit::eventually(30, move || async move {
        tokio::net::TcpStream::connect(addr).await.is_ok()
    })
    .await;
    assert!(up, "the console listens");
    let live = tinhso_testkit::http::request(addr, "GET", "/healthz", &[], None).await;
    assert_eq!(live.status, 200);
    let ready = tinhso_testkit::http::request(addr, "GET", "/readyz", &[], None).await;
    assert_eq!(ready.status, 503, "{}", ready.text());
    assert!(ready.text().contains("signing keys"));
    console.kill().expect("stopped");
    let _ = console.wait();
}
