//! `tinhso`: the command for people. `tinhso dev` runs every service in one process on one gRPC
//! port with SQLite files under a data folder and the in-process bus; `migrate`, `backup` and
//! `restore` look after the embedded databases.

use anyhow::{Context as _, bail};
use axum::response::IntoResponse as _;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tinhso_console::{Console, ConsoleConfig};
use tinhso_gateway::{Gateway, GatewayConfig};
use tinhso_identity::{Identity, IdentityConfig};
use tinhso_personnel::{Personnel, PersonnelConfig};
use tinhso_platform::db::Db;
use tinhso_platform::events::{InProcessBus, SharedBus};
use tinhso_platform::grpc::wait_for;
use tinhso_welfare::{Welfare, WelfareConfig};

/// The services of the embedded platform and their database files.
const SERVICES: &[&str] = &["identity", "personnel", "welfare"];

#[derive(Parser)]
#[command(
    name = "tinhso",
    version,
    about = "tỉnh số — nền tảng phần mềm dùng chung của tỉnh"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the whole platform in one process (embedded SQLite, in-process bus).
    Dev {
        #[arg(long, default_value = ".tinhso")]
        data_dir: PathBuf,
        #[arg(long, default_value = "127.0.0.1:50051")]
        grpc: String,
        /// Address of the REST gateway (REST/JSON API and its documentation).
        #[arg(long, default_value = "127.0.0.1:8080")]
        http: String,
    },
    /// Applies a service's migrations to its database (TINHSO_DATABASE__URL, or the dev file).
    Migrate {
        service: String,
        #[arg(long, default_value = ".tinhso")]
        data_dir: PathBuf,
    },
    /// Writes consistent snapshots of the embedded databases into DIR.
    Backup {
        dir: PathBuf,
        #[arg(long, default_value = ".tinhso")]
        data_dir: PathBuf,
    },
    /// Replaces the embedded databases with the snapshots in DIR (stop `tinhso dev` first).
    Restore {
        dir: PathBuf,
        #[arg(long, default_value = ".tinhso")]
        data_dir: PathBuf,
    },
}

fn sqlite_url(data_dir: &Path, service: &str) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.join(format!("{service}.db")).display()
    )
}

/// A service's environment in the embedded platform: its own SQLite file under the data
/// folder (unless `keep_database_env` and TINHSO_DATABASE__URL is set) and the shared gRPC port.
fn service_env(
    data_dir: &Path,
    service: &str,
    grpc: &str,
    keep_database_env: bool,
) -> tinhso_platform::config::Env {
    let mut env = tinhso_platform::config::process_env();
    if !(keep_database_env && env.iter().any(|(k, _)| k == "TINHSO_DATABASE__URL")) {
        env.push(("TINHSO_DATABASE__URL".into(), sqlite_url(data_dir, service)));
    }
    env.push(("TINHSO_GRPC_ADDR".into(), grpc.into()));
    env
}

fn config_file() -> Option<PathBuf> {
    std::env::var("TINHSO_CONFIG").ok().map(PathBuf::from)
}

/// The URL other parts of the process reach the shared gRPC port at.
fn local_grpc_url(grpc: &str) -> anyhow::Result<String> {
    let grpc_addr: std::net::SocketAddr = grpc
        .parse()
        .with_context(|| format!("--grpc `{grpc}` is not host:port"))?;
    let ip = if grpc_addr.ip().is_unspecified() {
        std::net::IpAddr::from([127, 0, 0, 1])
    } else {
        grpc_addr.ip()
    };
    Ok(format!(
        "http://{}",
        std::net::SocketAddr::new(ip, grpc_addr.port())
    ))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Dev {
            data_dir,
            grpc,
            http,
        } => dev(&data_dir, &grpc, &http).await,
        Command::Migrate { service, data_dir } => {
            std::fs::create_dir_all(&data_dir)?;
            let env = service_env(&data_dir, &service, "127.0.0.1:0", true);
            let (url, migrator) = match service.as_str() {
                "identity" => (
                    IdentityConfig::load(config_file().as_deref(), &env)?
                        .common
                        .database
                        .url,
                    &tinhso_identity::store::MIGRATOR,
                ),
                "personnel" => (
                    PersonnelConfig::load(config_file().as_deref(), &env)?
                        .common
                        .database
                        .url,
                    &tinhso_personnel::store::MIGRATOR,
                ),
                "welfare" => (
                    WelfareConfig::load(config_file().as_deref(), &env)?
                        .common
                        .database
                        .url,
                    &tinhso_welfare::store::MIGRATOR,
                ),
                _ => bail!(
                    "unknown service `{service}`; known: {}",
                    SERVICES.join(", ")
                ),
            };
            let db = Db::connect(&url, 1).await?;
            let applied = migrator.run(&db).await?;
            println!("{service}: {applied} migration(s) applied");
            Ok(())
        }
        Command::Backup { dir, data_dir } => {
            std::fs::create_dir_all(&dir)?;
            for service in SERVICES {
                let source = data_dir.join(format!("{service}.db"));
                if !source.exists() {
                    continue;
                }
                let target = dir.join(format!("{service}.db"));
                if target.exists() {
                    bail!(
                        "{} already exists; choose an empty folder",
                        target.display()
                    );
                }
                let db = Db::connect(&sqlite_url(&data_dir, service), 1).await?;
                db.sqlite_snapshot(&target).await?;
                println!("{service}: snapshot written to {}", target.display());
            }
            Ok(())
        }
        Command::Restore { dir, data_dir } => {
            std::fs::create_dir_all(&data_dir)?;
            // A running `tinhso dev` would write its WAL back over the restored files.
            let _lock = lock_data_dir(&data_dir)?;
            for service in SERVICES {
                let source = dir.join(format!("{service}.db"));
                if !source.exists() {
                    continue;
                }
                let target = data_dir.join(format!("{service}.db"));
                for suffix in ["-wal", "-shm"] {
                    let _ = std::fs::remove_file(data_dir.join(format!("{service}.db{suffix}")));
                }
                std::fs::copy(&source, &target)
                    .with_context(|| format!("restoring {}", target.display()))?;
                println!("{service}: restored from {}", source.display());
            }
            Ok(())
        }
    }
}

/// Takes the data folder for this process alone (an OS file lock, released when the process
/// ends however it ends), or says who holds it.
fn lock_data_dir(data_dir: &Path) -> anyhow::Result<std::fs::File> {
    let path = data_dir.join(".tinhso.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "thư mục dữ liệu {} đang được một tiến trình tinhso dev sử dụng; hãy dừng nó trước \
             (the data folder is in use by a running tinhso dev: stop it first)",
            data_dir.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("locking {}", path.display()))
        }
    }
}

/// The in-process bus starts empty on every run, so events identity published in an earlier run
/// (or before a service existed) never reach the services again. Embedded mode copies the unit
/// tree into each service's replica at start; with NATS the stream replays it instead.
async fn copy_unit_tree(identity: &Identity, replica: &Db) -> anyhow::Result<()> {
    let Some(root) = tinhso_identity::store::units::root(&identity.db.pool).await? else {
        return Ok(());
    };
    let units =
        tinhso_identity::store::units::subtree(&identity.db.pool, &root.path, true, i64::MAX, 0)
            .await?;
    let mut tx = replica.begin().await?;
    for u in &units {
        tinhso_platform::units::upsert(
            &mut tx,
            &tinhso_platform::units::ReplicaUnit {
                id: u.id.clone(),
                code: u.code.clone(),
                name: u.name.clone(),
                path: u.path.clone(),
                status: if u.status == "active" {
                    "active"
                } else {
                    "closed"
                }
                .into(),
                kind: u.kind.clone(),
                version: u.version,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The console of the embedded platform: both services on the one local gRPC port, cookies
/// without `Secure` (plain HTTP on this machine).
fn console_config(data_dir: &Path, grpc: &str, http: &str) -> anyhow::Result<ConsoleConfig> {
    let url = local_grpc_url(grpc)?;
    let mut env = tinhso_platform::config::process_env();
    env.extend([
        ("TINHSO_HTTP_ADDR".to_string(), http.to_string()),
        ("TINHSO_IDENTITY_URL".to_string(), url.clone()),
        ("TINHSO_PERSONNEL_URL".to_string(), url.clone()),
        ("TINHSO_WELFARE_URL".to_string(), url),
        ("TINHSO_SECURE_COOKIES".to_string(), "false".to_string()),
        (
            "TINHSO_DATABASE__URL".to_string(),
            sqlite_url(data_dir, "console"),
        ),
    ]);
    Ok(ConsoleConfig::load(config_file().as_deref(), &env)?)
}

/// The gateway of the embedded platform: every upstream is the one local gRPC port.
fn gateway_config(grpc: &str, http: &str) -> anyhow::Result<GatewayConfig> {
    let upstream = local_grpc_url(grpc)?;
    let mut env = tinhso_platform::config::process_env();
    env.push(("TINHSO_HTTP_ADDR".into(), http.into()));
    for service in SERVICES {
        env.push((
            format!("TINHSO_UPSTREAMS__{}", service.to_ascii_uppercase()),
            upstream.clone(),
        ));
    }
    Ok(GatewayConfig::load(config_file().as_deref(), &env)?)
}

async fn dev(data_dir: &Path, grpc: &str, http: &str) -> anyhow::Result<()> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    // Held until the process ends: `restore` refuses while it is.
    let _lock = lock_data_dir(data_dir)?;
    let config = IdentityConfig::load(
        config_file().as_deref(),
        &service_env(data_dir, "identity", grpc, false),
    )?;
    let _telemetry = tinhso_platform::telemetry::init(&config.common.telemetry, "tinhso-dev");
    let bus: SharedBus = Arc::new(InProcessBus::new());
    let clock = tinhso_platform::clock::system();
    let db = Db::connect(&config.common.database.url, 1).await?;
    let identity = Identity::open(config, db, clock.clone()).await?;
    let boot = identity.bootstrap().await?;
    let personnel_config = PersonnelConfig::load(
        config_file().as_deref(),
        &service_env(data_dir, "personnel", grpc, false),
    )?;
    let personnel_db = Db::connect(&personnel_config.common.database.url, 1).await?;
    let personnel = Personnel::open(personnel_config, personnel_db, clock.clone()).await?;
    copy_unit_tree(&identity, &personnel.db).await?;
    let welfare_config = WelfareConfig::load(
        config_file().as_deref(),
        &service_env(data_dir, "welfare", grpc, false),
    )?;
    let welfare_db = Db::connect(&welfare_config.common.database.url, 1).await?;
    let welfare = Welfare::open(welfare_config, welfare_db, clock.clone()).await?;
    copy_unit_tree(&identity, &welfare.db).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    identity.spawn_background(bus.clone(), stopped.clone());
    let identity_channel =
        tonic::transport::Endpoint::from_shared(local_grpc_url(grpc)?)?.connect_lazy();
    personnel.spawn_background(bus.clone(), identity_channel.clone(), stopped.clone());
    welfare.spawn_background(bus, identity_channel, stopped.clone());
    let listener = tokio::net::TcpListener::bind(grpc)
        .await
        .with_context(|| format!("binding {grpc}"))?;
    let gateway = Gateway::new(
        gateway_config(grpc, http)?,
        clock.clone(),
        tinhso_platform::metrics::Registry::new(),
    )?;
    let http_listener = tokio::net::TcpListener::bind(http)
        .await
        .with_context(|| format!("binding {http}"))?;
    gateway.spawn_background(wait_for(stopped.clone()));
    // The console at /, the REST API (and its docs, probes) behind it on the same port.
    let console = Console::open(
        console_config(data_dir, grpc, http)?,
        Db::connect(&sqlite_url(data_dir, "console"), 1).await?,
        clock.clone(),
    )
    .await?;
    console.spawn_background(stopped.clone());
    let rest = {
        // The gateway's paths go to it; every other address is the console's (its own 404
        // page, not the API's JSON).
        let api = gateway.router();
        let app = console
            .router()
            .fallback(move |request: axum::extract::Request| {
                let api = api.clone();
                async move {
                    let path = request.uri().path();
                    if path == "/api"
                        || path.starts_with("/api/")
                        || path.starts_with("/.well-known/")
                        || path == "/healthz"
                        || path == "/readyz"
                    {
                        use tower::ServiceExt as _;
                        api.oneshot(request).await.into_response()
                    } else {
                        let (parts, _) = request.into_parts();
                        tinhso_console::web::not_found(parts.headers, parts.uri).await
                    }
                }
            });
        let stopped = stopped.clone();
        tokio::spawn(async move {
            axum::serve(
                http_listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .with_graceful_shutdown(wait_for(stopped))
            .await
        })
    };

    println!();
    println!(
        "  tỉnh số — nền tảng đang chạy (chế độ nhúng, dữ liệu tại {})",
        data_dir.display()
    );
    println!("  Bảng điều khiển (trình duyệt): http://{http}/");
    println!("  gRPC:      {grpc}   (reflection bật: grpcurl -plaintext {grpc} list)");
    println!("  REST/JSON: http://{http}/api/v1/...   (hồ sơ cán bộ: /api/v1/personnel/employees)");
    println!("             (an sinh xã hội: /api/v1/welfare/beneficiaries)");
    println!("  Tài liệu API: http://{http}/api/docs   (OpenAPI: http://{http}/api/openapi.json)");
    println!();
    match &boot.generated_admin_password {
        Some(password) => {
            println!("  Đăng nhập lần đầu / first login:  admin / {password}");
            println!("  (mật khẩu chỉ hiện một lần, phải đổi ở lần đăng nhập đầu tiên)");
        }
        None if boot.created => {
            println!("  Đăng nhập: admin / (mật khẩu trong TINHSO_BOOTSTRAP_ADMIN_PASSWORD)")
        }
        None => {
            println!("  Đăng nhập bằng tài khoản admin và mật khẩu hiện tại của nó.");
            println!(
                "  (quên mật khẩu khi thử nghiệm: dừng lại, xóa thư mục {} rồi chạy lại)",
                data_dir.display()
            );
        }
    }
    println!(
        "  curl -s -H 'Content-Type: application/json' -d '{{\"username\":\"admin\",\"password\":\"...\"}}' http://{http}/api/v1/auth/login"
    );
    println!(
        "  grpcurl -plaintext -d '{{\"username\":\"admin\",\"password\":\"...\"}}' {grpc} tinhso.identity.v1.AuthService/Login"
    );
    println!();
    tokio::spawn(async move {
        tinhso_platform::grpc::shutdown_signal().await;
        let _ = stop.send(true);
    });
    let names: Vec<&str> = tinhso_identity::SERVICE_NAMES
        .iter()
        .chain(tinhso_personnel::SERVICE_NAMES)
        .chain(tinhso_welfare::SERVICE_NAMES)
        .copied()
        .collect();
    let readiness = tinhso_platform::grpc::Readiness::default()
        .database(identity.db.clone())
        .database(personnel.db.clone())
        .database(welfare.db.clone())
        .keys(personnel.verifier.clone())
        .keys(welfare.verifier.clone());
    let edge = tinhso_platform::grpc::Edge {
        readiness,
        // The gateway runs in this process and calls the services over loopback.
        proxies: tinhso_platform::grpc::TrustedProxies::loopback(),
        // Identity's verifier: it holds the signing keys from the start.
        verifier: identity.verifier.clone(),
    };
    tinhso_platform::grpc::serve(
        listener,
        welfare.add_routes(personnel.add_routes(identity.routes())),
        &names,
        edge,
        wait_for(stopped),
    )
    .await?;
    rest.await??;
    Ok(())
}
