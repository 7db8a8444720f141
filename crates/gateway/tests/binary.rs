//! The gateway binary as an operator runs it: `--help` answers and exits instead of serving,
//! and an argument it does not take is refused.

use std::process::Command;

#[test]
fn help_answers_instead_of_serving() {
    let help = Command::new(env!("CARGO_BIN_EXE_tinhso-gateway"))
        .arg("--help")
        .env("TINHSO_HTTP_ADDR", "127.0.0.1:1")
        .output()
        .expect("the binary runs");
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("usage: tinhso-gateway"));
    let stray = Command::new(env!("CARGO_BIN_EXE_tinhso-gateway"))
        .arg("serve-please")
        .output()
        .expect("the binary runs");
    assert!(!stray.status.success(), "a stray argument is refused");
    assert!(String::from_utf8_lossy(&stray.stderr).contains("usage: tinhso-gateway"));
}
