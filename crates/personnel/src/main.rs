//! The `tinhso-personnel` binary: the platform's service runner over `Personnel` (config,
//! telemetry, database, migrations, bus, relay, consumers, metrics, gRPC).
//! `tinhso-personnel migrate` only applies the migrations and exits (the Kubernetes Job).

fn main() -> anyhow::Result<()> {
    Ok(tinhso_platform::service::main::<tinhso_personnel::Personnel>()?)
}
