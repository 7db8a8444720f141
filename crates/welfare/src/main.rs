//! The `tinhso-welfare` binary: the platform's service runner over `Welfare` (config,
//! telemetry, database, migrations, bus, relay, consumers, metrics, gRPC).
//! `tinhso-welfare migrate` only applies the migrations and exits (the Kubernetes Job).

fn main() -> anyhow::Result<()> {
    Ok(tinhso_platform::service::main::<tinhso_welfare::Welfare>()?)
}
