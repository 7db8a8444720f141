//! The `tinhso-gateway` binary: load config, init telemetry, build the routes from the
//! descriptor set, keep the token keys fresh, serve REST (and metrics when configured).

use anyhow::Context as _;
use tinhso_gateway::{Gateway, GatewayConfig};
use tinhso_platform::grpc::wait_for;

const USAGE: &str = "usage: tinhso-gateway\n\
    Serves the REST API (and metrics when metrics_addr is set). Settings come from TINHSO_* \
    environment variables and TINHSO_CONFIG (README, \"Configuration\").";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Arguments first: `--help` must not bind a port, a stray argument must not be ignored.
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
    let config = GatewayConfig::load(file.as_deref(), &tinhso_platform::config::process_env())?;
    let _telemetry = tinhso_platform::telemetry::init(&config.telemetry, "tinhso-gateway");
    let metrics = tinhso_platform::metrics::global();
    let gateway = Gateway::new(
        config.clone(),
        tinhso_platform::clock::system(),
        metrics.clone(),
    )?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    gateway.spawn_background(wait_for(stopped.clone()));
    if !config.metrics_addr.is_empty() {
        let listener = tokio::net::TcpListener::bind(&config.metrics_addr)
            .await
            .with_context(|| format!("binding {}", config.metrics_addr))?;
        tokio::spawn(tinhso_platform::metrics::serve(
            listener,
            metrics,
            wait_for(stopped.clone()),
        ));
    }
    let listener = tokio::net::TcpListener::bind(&config.http_addr)
        .await
        .with_context(|| format!("binding {}", config.http_addr))?;
    tracing::info!(addr = %config.http_addr, "gateway serving REST");
    tokio::spawn(async move {
        tinhso_platform::grpc::shutdown_signal().await;
        let _ = stop.send(true);
    });
    gateway.serve(listener, wait_for(stopped)).await?;
    Ok(())
}
