//! The `tinhso-identity` binary: load config, init telemetry, connect, migrate, bootstrap, serve.
//! `tinhso-identity migrate` only applies the migrations and exits (the Kubernetes migration Job).

use anyhow::Context as _;
use std::sync::Arc;
use tinhso_identity::{Identity, IdentityConfig};
use tinhso_platform::db::Db;
use tinhso_platform::events::{InProcessBus, NatsBus, SharedBus};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let file = std::env::var("TINHSO_CONFIG")
        .ok()
        .map(std::path::PathBuf::from);
    let config = IdentityConfig::load(file.as_deref(), &tinhso_platform::config::process_env())?;
    tinhso_platform::telemetry::init(&config.common.telemetry);
    let db = Db::connect(
        &config.common.database.url,
        config.common.database.max_connections,
    )
    .await
    .context("connecting to the database")?;
    if std::env::args().nth(1).as_deref() == Some("migrate") {
        let applied = tinhso_identity::store::MIGRATOR.run(&db).await?;
        println!("identity: {applied} migration(s) applied");
        return Ok(());
    }
    let bus: SharedBus = if config.common.nats.url.is_empty() {
        tracing::warn!("nats.url is empty: events stay in this process (dev only)");
        Arc::new(InProcessBus::new())
    } else {
        Arc::new(NatsBus::connect(&config.common.nats.url).await?)
    };
    let addr = config.common.grpc_addr.clone();
    let metrics_addr = config.common.metrics_addr.clone();
    let identity = Identity::open(config, db, tinhso_platform::clock::system()).await?;
    let boot = identity.bootstrap().await?;
    if let Some(password) = boot.generated_admin_password {
        println!("bootstrap: admin password (shown once, change it at first login): {password}");
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    identity.spawn_background(bus, stopped);
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
    tracing::info!(%addr, "identity serving gRPC");
    tinhso_platform::grpc::serve(
        listener,
        identity.routes(),
        tinhso_identity::SERVICE_NAMES,
        tinhso_platform::grpc::shutdown_signal(),
    )
    .await?;
    let _ = stop.send(true);
    Ok(())
}
