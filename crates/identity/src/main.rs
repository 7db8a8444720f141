//! The `tinhso-identity` binary: the platform's service runner over `Identity` (config,
//! telemetry, database, migrations, bootstrap, bus, relay, metrics, gRPC).
//! `tinhso-identity migrate` only applies the migrations and exits (the Kubernetes migration Job).
//! `tinhso-identity keys list | add | retire KID` rotates the token signing keys (see
//! docs/operations.md).

fn main() -> anyhow::Result<()> {
    Ok(tinhso_platform::service::main::<tinhso_identity::Identity>()?)
}
