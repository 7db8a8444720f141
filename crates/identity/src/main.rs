//! The `tinhso-identity` binary: load config, init telemetry, connect, migrate, bootstrap, serve.
//! `tinhso-identity migrate` only applies the migrations and exits (the Kubernetes migration Job).
//! `tinhso-identity keys list | add | retire KID` rotates the token signing keys (see
//! docs/operations.md).

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
    let _telemetry = tinhso_platform::telemetry::init(&config.common.telemetry, "tinhso-identity");
    let db = Db::connect(
        &config.common.database.url,
        config.common.database.max_connections,
    )
    .await
    .context("connecting to the database")?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => {}
        ["migrate"] => {
            let applied = tinhso_identity::store::MIGRATOR.run(&db).await?;
            println!("identity: {applied} migration(s) applied");
            return Ok(());
        }
        ["keys", command @ ..] => return keys(&db, command).await,
        _ => anyhow::bail!(
            "usage: tinhso-identity [migrate | keys list | keys add | keys retire KID]"
        ),
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

/// Signing-key rotation: add a key (published now, signing after the publish delay), list them,
/// retire an old one once no valid token can still carry it.
async fn keys(db: &Db, command: &[&str]) -> anyhow::Result<()> {
    tinhso_identity::store::MIGRATOR.run(db).await?;
    let now = tinhso_platform::clock::system().now_ms();
    match command {
        ["list"] => {
            let rows = tinhso_identity::store::tokens::signing_keys(&db.pool).await?;
            let infos = key_infos(&rows);
            let signer = tinhso_identity::domain::keys::signer(&infos, now);
            for (i, row) in rows.iter().enumerate() {
                let state = if Some(i) == signer {
                    "signing"
                } else if row.active {
                    "published"
                } else {
                    "retired"
                };
                println!(
                    "{}  {}  {state}",
                    row.kid,
                    tinhso_platform::clock::rfc3339(row.created_at)
                );
            }
        }
        ["add"] => {
            let kid = Identity::add_signing_key(db, now).await?;
            println!(
                "added key {kid}: published now, signing in {} minutes (replicas reload keys every minute)",
                tinhso_identity::domain::keys::PUBLISH_DELAY_MS / 60_000
            );
        }
        ["retire", kid] => {
            let rows = tinhso_identity::store::tokens::signing_keys(&db.pool).await?;
            if let Some(i) = tinhso_identity::domain::keys::signer(&key_infos(&rows), now)
                && rows[i].kid == *kid
            {
                anyhow::bail!(
                    "key {kid} is signing now: add a new key, wait until it signs (keys list), then retire this one"
                );
            }
            if !tinhso_identity::store::tokens::retire_signing_key(&db.pool, kid).await? {
                anyhow::bail!("no live key {kid}");
            }
            println!("retired key {kid}: tokens it signed no longer verify");
        }
        _ => anyhow::bail!("usage: tinhso-identity keys list | add | retire KID"),
    }
    Ok(())
}

fn key_infos(
    rows: &[tinhso_identity::store::tokens::SigningKeyRow],
) -> Vec<tinhso_identity::domain::keys::KeyInfo> {
    rows.iter().map(|r| r.info()).collect()
}
