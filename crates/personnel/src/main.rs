//! The `tinhso-personnel` binary: load config, init telemetry, connect, migrate, serve.
//! `tinhso-personnel migrate` only applies the migrations and exits (the Kubernetes Job).

use anyhow::Context as _;
use std::sync::Arc;
use tinhso_personnel::{Personnel, PersonnelConfig};
use tinhso_platform::db::Db;
use tinhso_platform::events::{InProcessBus, NatsBus, SharedBus};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let file = std::env::var("TINHSO_CONFIG")
        .ok()
        .map(std::path::PathBuf::from);
    let config = PersonnelConfig::load(file.as_deref(), &tinhso_platform::config::process_env())?;
    let _telemetry = tinhso_platform::telemetry::init(&config.common.telemetry, "tinhso-personnel");
    let db = Db::connect(
        &config.common.database.url,
        config.common.database.max_connections,
    )
    .await
    .context("connecting to the database")?;
    match std::env::args().nth(1).as_deref() {
        None => {}
        Some("migrate") => {
            let applied = tinhso_personnel::store::MIGRATOR.run(&db).await?;
            println!("personnel: {applied} migration(s) applied");
            return Ok(());
        }
        Some(other) => {
            anyhow::bail!("unknown command `{other}`; usage: tinhso-personnel [migrate]")
        }
    }
    let bus: SharedBus = if config.common.nats.url.is_empty() {
        tracing::warn!("nats.url is empty: events stay in this process (dev only)");
        Arc::new(InProcessBus::new())
    } else {
        Arc::new(NatsBus::connect(&config.common.nats.url).await?)
    };
    let identity =
        tonic::transport::Endpoint::from_shared(config.identity_url.clone())?.connect_lazy();
    let addr = config.common.grpc_addr.clone();
    let metrics_addr = config.common.metrics_addr.clone();
    let personnel = Personnel::open(config, db, tinhso_platform::clock::system()).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    personnel.spawn_background(bus, identity, stopped);
    if !metrics_addr.is_empty() {
        let listener = tokio::net::TcpListener::bind(&metrics_addr)
            .await
            .with_context(|| format!("binding {metrics_addr}"))?;
        tokio::spawn(tinhso_platform::metrics::serve(
            listener,
            tinhso_platform::metrics::global(),
            tinhso_platform::grpc::shutdown_signal(),
        ));
    }
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    tracing::info!(%addr, "personnel serving gRPC");
    let routes = personnel.add_routes(tonic::service::Routes::default());
    tinhso_platform::grpc::serve(
        listener,
        routes,
        tinhso_personnel::SERVICE_NAMES,
        tinhso_platform::grpc::shutdown_signal(),
    )
    .await?;
    let _ = stop.send(true);
    Ok(())
}
