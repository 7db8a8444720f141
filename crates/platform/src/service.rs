//! The service runner: what every service binary does, in one call. It loads the configuration
//! (`TINHSO_CONFIG` names an optional TOML file), starts telemetry, connects to the database,
//! answers `migrate` (the Kubernetes migration Job) and the service's own commands, connects the
//! bus (NATS, or the in-process bus when `nats.url` is empty), opens the service (which applies
//! its migrations), starts its background work, serves metrics and gRPC, and stops on SIGTERM.
//! A service's `main.rs` is then `tinhso_platform::service::main::<MyService>()`.

use crate::config::{CommonConfig, ConfigError, Validate};
use crate::db::{Db, DbError, Migrator};
use crate::events::{BusError, InProcessBus, NatsBus, SharedBus};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::sync::Arc;

/// Why a service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("database: {0}")]
    Sql(#[from] crate::db::DbErr),
    #[error("event bus: {0}")]
    Bus(#[from] BusError),
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("serving gRPC: {0}")]
    Serve(#[from] tonic::transport::Error),
    #[error("{0}")]
    Other(String),
}

/// A domain service as the runner starts it.
pub trait Service: Send + Sync + Sized + 'static {
    type Config: DeserializeOwned + Validate + Send;
    /// The binary's name, for logs and usage (`tinhso-identity`).
    const BINARY: &'static str;
    /// The built-in configuration defaults (TOML).
    const DEFAULTS: &'static str;
    /// The gRPC services served, for health and reflection.
    const GRPC_SERVICES: &'static [&'static str];

    fn common(config: &Self::Config) -> &CommonConfig;
    fn migrator() -> &'static Migrator;
    /// Migrates and opens the service on its database.
    fn open(
        config: Self::Config,
        db: Db,
        clock: crate::clock::SharedClock,
    ) -> impl Future<Output = Result<Arc<Self>, StartError>>;
    /// Work once the service is open, before it serves (identity bootstraps an empty database).
    fn prepare(self: &Arc<Self>) -> impl Future<Output = Result<(), StartError>> {
        async { Ok(()) }
    }
    fn routes(self: &Arc<Self>) -> tonic::service::Routes;
    /// The verifier of the tokens of the service's protected RPCs (checked at the server's edge).
    fn verifier(self: &Arc<Self>) -> crate::auth::SharedVerifier;
    /// What the service needs before it takes calls (health says NOT_SERVING until then, and
    /// again whenever it is lost): its database; a service that verifies identity's tokens adds
    /// its verifier's keys.
    fn readiness(self: &Arc<Self>, db: &Db) -> crate::grpc::Readiness {
        crate::grpc::Readiness::default().database(db.clone())
    }
    /// Starts the relay and the consumers until `shutdown` turns true.
    fn spawn_background(
        self: &Arc<Self>,
        bus: SharedBus,
        shutdown: tokio::sync::watch::Receiver<bool>,
    );
    /// The first words of the service's own commands besides `migrate` (identity: `keys`),
    /// known before anything is opened.
    const COMMANDS: &'static [&'static str] = &[];
    /// The service's own commands besides `migrate` (identity's `keys`); `None` when `args` is
    /// not one of them.
    fn command(_db: &Db, _args: &[&str]) -> impl Future<Output = Option<Result<(), StartError>>> {
        async { None }
    }
    /// The usage line of the binary's commands.
    fn usage() -> String {
        format!("usage: {} [migrate]", Self::BINARY)
    }
}

/// Runs service `S` as its binary does: the whole life of the process.
pub fn main<S: Service>() -> Result<(), StartError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| StartError::Io {
            what: "starting the runtime".into(),
            source,
        })?;
    runtime.block_on(run::<S>(std::env::args().skip(1).collect()))
}

/// The body of [`main`], for callers that have a runtime.
pub async fn run<S: Service>(args: Vec<String>) -> Result<(), StartError> {
    // Arguments first: `--help` or a mistyped command must not load, create or touch anything.
    match args.first().map(String::as_str) {
        None => {}
        Some("--help" | "-h" | "help") => {
            println!("{}", S::usage());
            println!(
                "Without a command: serve gRPC. Settings come from TINHSO_* environment \
                 variables and TINHSO_CONFIG (README, \"Configuration\")."
            );
            return Ok(());
        }
        Some("migrate") if args.len() == 1 => {}
        Some(first) if S::COMMANDS.contains(&first) => {}
        Some(_) => return Err(StartError::Other(S::usage())),
    }
    let file = std::env::var("TINHSO_CONFIG")
        .ok()
        .map(std::path::PathBuf::from);
    let config: S::Config =
        crate::config::load(S::DEFAULTS, file.as_deref(), &crate::config::process_env())?;
    let common = S::common(&config).clone();
    let _telemetry = crate::telemetry::init(&common.telemetry, S::BINARY);
    let db = if args.is_empty() {
        connect_patiently(&common.database.url, common.database.max_connections).await?
    } else {
        Db::connect(&common.database.url, common.database.max_connections).await?
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] => {}
        ["migrate"] => {
            let applied = S::migrator().run(&db).await?;
            println!("{}: {applied} migration(s) applied", S::BINARY);
            return Ok(());
        }
        other => {
            return match S::command(&db, other).await {
                Some(result) => result,
                None => Err(StartError::Other(S::usage())),
            };
        }
    }
    let bus: SharedBus = if common.nats.url.is_empty() {
        tracing::warn!("nats.url is empty: events stay in this process (dev only)");
        Arc::new(InProcessBus::new())
    } else {
        Arc::new(NatsBus::connect(&common.nats.url).await?)
    };
    let service = S::open(config, db.clone(), crate::clock::system()).await?;
    service.prepare().await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    service.spawn_background(bus, stopped.clone());
    if !common.metrics_addr.is_empty() {
        let listener = bind(&common.metrics_addr).await?;
        tokio::spawn(crate::metrics::serve(
            listener,
            crate::metrics::global(),
            crate::grpc::shutdown_signal(),
        ));
        tokio::spawn(crate::metrics::sample_storage_every(
            db.clone(),
            crate::metrics::global(),
            crate::clock::system(),
            std::time::Duration::from_secs(15),
            crate::grpc::wait_for(stopped),
        ));
    }
    let listener = bind(&common.grpc_addr).await?;
    tracing::info!(addr = %common.grpc_addr, service = S::BINARY, "serving gRPC");
    let readiness = service.readiness(&db);
    // Validated with the configuration.
    let proxies = crate::grpc::TrustedProxies::parse(&common.trusted_proxies).unwrap_or_default();
    let edge = crate::grpc::Edge {
        readiness,
        proxies,
        verifier: service.verifier(),
    };
    let served = crate::grpc::serve(
        listener,
        service.routes(),
        S::GRPC_SERVICES,
        edge,
        crate::grpc::shutdown_signal(),
    )
    .await;
    let _ = stop.send(true);
    Ok(served?)
}

/// Connects to the service's database, waiting for it: a service started while PostgreSQL is
/// down (a node restart brings both up together) retries with backoff up to 30 s, logging why,
/// instead of exiting and being restarted in a loop. A URL that cannot work fails at once.
async fn connect_patiently(url: &str, max_connections: u32) -> Result<Db, crate::db::DbError> {
    let mut wait = std::time::Duration::from_millis(500);
    loop {
        match Db::connect(url, max_connections).await {
            Ok(db) => return Ok(db),
            Err(e @ crate::db::DbError::BadUrl) => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = wait.as_millis(), "database unavailable at start");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(30));
            }
        }
    }
}

async fn bind(addr: &str) -> Result<tokio::net::TcpListener, StartError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Io {
            what: format!("binding {addr}"),
            source,
        })
}
