//! The `tinhso-console` binary: load config, init telemetry, open the sessions' database, keep
//! identity's keys fresh, serve the console (and metrics when configured).

use anyhow::Context as _;
use tinhso_console::{Console, ConsoleConfig};
use tinhso_platform::grpc::wait_for;

const USAGE: &str = "usage: tinhso-console\n\
    Serves the web console (and metrics when metrics_addr is set). Settings come from TINHSO_* \
    environment variables and TINHSO_CONFIG (README, \"Configuration\").";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Arguments first: `--help` must not bind a port or open a database.
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => {}
        Some("--help" | "-h" | "help") => {
            println!("{USAGE}");
            return Ok(());
        }
        Some(_) => anyhow::bail!("{USAGE}"),
    }
    let file = std::env::var("TINHSO_CONFIG")
        .ok()
        .map(std::path::PathBuf::from);
    let config = ConsoleConfig::load(file.as_deref(), &tinhso_platform::config::process_env())?;
    let _telemetry = tinhso_platform::telemetry::init(&config.telemetry, "tinhso-console");
    let db =
        tinhso_platform::db::Db::connect(&config.database.url, config.database.max_connections)
            .await?;
    let console = Console::open(config.clone(), db, tinhso_platform::clock::system()).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    console.spawn_background(stopped.clone());
    if !config.metrics_addr.is_empty() {
        let listener = tokio::net::TcpListener::bind(&config.metrics_addr)
            .await
            .with_context(|| format!("binding {}", config.metrics_addr))?;
        tokio::spawn(tinhso_platform::metrics::serve(
            listener,
            tinhso_platform::metrics::global(),
            wait_for(stopped.clone()),
        ));
    }
    let listener = tokio::net::TcpListener::bind(&config.http_addr)
        .await
        .with_context(|| format!("binding {}", config.http_addr))?;
    tracing::info!(addr = %config.http_addr, "console serving");
    tokio::spawn(async move {
        tinhso_platform::grpc::shutdown_signal().await;
        let _ = stop.send(true);
    });
    // Ready once it can keep sessions and read tokens: its database answers and identity's
    // signing keys are loaded (Kubernetes' readiness probe).
    let readiness = tinhso_platform::grpc::Readiness::default()
        .database(console.db.clone())
        .keys(console.verifier.clone());
    let app = console
        .router()
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .route(
            "/readyz",
            axum::routing::get(move || {
                let readiness = readiness.clone();
                async move {
                    match readiness.check().await {
                        Ok(()) => (axum::http::StatusCode::OK, "ready".to_string()),
                        Err(reason) => (axum::http::StatusCode::SERVICE_UNAVAILABLE, reason),
                    }
                }
            }),
        );
    axum::serve(listener, app)
        .with_graceful_shutdown(wait_for(stopped))
        .await?;
    Ok(())
}
