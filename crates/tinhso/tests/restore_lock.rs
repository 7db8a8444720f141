//! `tinhso restore` while `tinhso dev` runs on the same data folder would be undone by the
//! running process (it writes its WAL back over the restored files): it is refused, and works
//! once `dev` has stopped.

use std::process::{Command, Stdio};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn tinhso(args: &[&str], data: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tinhso"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}

#[tokio::test]
async fn restore_is_refused_while_dev_runs_on_the_folder() {
    let data = tempfile::tempdir().expect("tempdir");
    let backups = tempfile::tempdir().expect("tempdir");
    let snapshot = backups.path().join("snapshot");
    let (grpc, http) = (free_port(), free_port());
    let mut dev = Command::new(env!("CARGO_BIN_EXE_tinhso"))
        .args(["dev", "--grpc", &format!("127.0.0.1:{grpc}")])
        .args(["--http", &format!("127.0.0.1:{http}")])
        .arg("--data-dir")
        .arg(data.path())
        .env("RUST_LOG", "warn")
        .env(
            "TINHSO_BOOTSTRAP_ADMIN_PASSWORD",
            "mat-khau-quan-tri-ban-dau",
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("dev starts");
    let http_addr: std::net::SocketAddr = format!("127.0.0.1:{http}").parse().expect("addr");
    let up = tinhso_testkit::eventually(60, move || async move {
        tokio::net::TcpStream::connect(http_addr).await.is_ok()
    })
    .await;
    assert!(up, "tinhso dev serves");

    // A backup while it runs is fine (a consistent snapshot).
    let backup = tinhso(&["backup", snapshot.to_str().expect("utf-8")], data.path());
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );

    let refused = tinhso(&["restore", snapshot.to_str().expect("utf-8")], data.path());
    assert!(!refused.status.success(), "restore while dev runs");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("tinhso dev"), "{said}");
    assert!(!String::from_utf8_lossy(&refused.stdout).contains("restored"));

    dev.kill().expect("stop dev");
    let _ = dev.wait();
    let restored = tinhso(&["restore", snapshot.to_str().expect("utf-8")], data.path());
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    assert!(String::from_utf8_lossy(&restored.stdout).contains("identity: restored"));
}
