//! Test sandbox shared by service tests: a fresh database per test (SQLite in a temp folder, or a
//! new PostgreSQL database when `TINHSO_TEST_DATABASE_URL` is set), the bus (in-process, or NATS
//! when `TINHSO_TEST_NATS_URL` is set), and a gRPC server on a free loopback port.

pub mod events;
pub mod http;
pub mod province;
pub mod schema;

use std::net::SocketAddr;
use std::sync::Arc;
use tinhso_platform::db::Db;
use tinhso_platform::events::{InProcessBus, NatsBus, SharedBus};

/// A database that lives as long as the test: a temp folder that disappears, or a PostgreSQL
/// database that is dropped when the test ends.
#[derive(Debug)]
pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// (admin url, database name) of a PostgreSQL test database.
    postgres: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime; the cleanup gets a thread and runtime of its own.
        let cleanup = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(admin) = Db::connect(&admin_url, 1).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    if let Err(e) = tinhso_platform::db::query(sql).execute(&admin.pool).await {
                        eprintln!("test database {name} not dropped: {e}");
                    }
                    let _ = admin.pool.close().await;
                }
            });
        });
        let _ = cleanup.join();
    }
}

/// True when the suite runs against PostgreSQL and NATS (`make test-services`).
pub fn using_services() -> bool {
    std::env::var("TINHSO_TEST_DATABASE_URL").is_ok_and(|v| !v.is_empty())
}

/// A fresh, empty database for one test.
pub async fn database() -> TestDb {
    database_at(
        std::env::var("TINHSO_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .as_deref(),
    )
    .await
}

/// A fresh database: a new PostgreSQL database beside `admin_url`, or SQLite in a temp folder.
pub async fn database_at(admin_url: Option<&str>) -> TestDb {
    match admin_url.map(str::to_string) {
        Some(admin_url) => {
            let name = format!("tinhso_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Db::connect(&admin_url, 1).await.unwrap_or_else(|e| {
                panic!("TINHSO_TEST_DATABASE_URL={admin_url} is unreachable: {e}")
            });
            tinhso_platform::db::query(format!("CREATE DATABASE {name}"))
                .execute(&admin.pool)
                .await
                .unwrap_or_else(|e| panic!("cannot create test database: {e}"));
            let _ = admin.pool.close().await;
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b)
                .unwrap_or(&admin_url);
            let url = format!("{base}/{name}");
            let db = Db::connect(&url, 5)
                .await
                .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
            TestDb {
                db,
                url,
                _dir: None,
                postgres: Some((admin_url.clone(), name)),
            }
        }
        _ => {
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            let db = Db::connect(&url, 1)
                .await
                .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
            TestDb {
                db,
                url,
                _dir: Some(dir),
                postgres: None,
            }
        }
    }
}

/// The bus for a test: NATS when `TINHSO_TEST_NATS_URL` is set, else in-process.
pub async fn bus() -> SharedBus {
    match std::env::var("TINHSO_TEST_NATS_URL") {
        Ok(url) if !url.is_empty() => {
            let bus = NatsBus::connect(&url)
                .await
                .unwrap_or_else(|e| panic!("TINHSO_TEST_NATS_URL={url} is unreachable: {e}"));
            Arc::new(bus)
        }
        _ => Arc::new(InProcessBus::new()),
    }
}

/// A gRPC server on a free loopback port; it stops when dropped.
#[derive(Debug)]
pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestServer {
    /// Serves `routes`, refusing protected calls whose token `verifier` does not accept.
    pub async fn start(
        routes: tonic::service::Routes,
        names: &'static [&'static str],
        verifier: tinhso_platform::auth::SharedVerifier,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("addr: {e}"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            let edge = tinhso_platform::grpc::Edge {
                readiness: tinhso_platform::grpc::Readiness::default(),
                proxies: tinhso_platform::grpc::TrustedProxies::default(),
                verifier,
            };
            if let Err(e) =
                tinhso_platform::grpc::serve(listener, routes, names, edge, shutdown).await
            {
                eprintln!("test server failed: {e}");
            }
        });
        Self {
            addr,
            stop: Some(stop),
        }
    }

    /// A channel to the server.
    pub async fn channel(&self) -> tonic::transport::Channel {
        tonic::transport::Endpoint::from_shared(format!("http://{}", self.addr))
            .unwrap_or_else(|e| panic!("endpoint: {e}"))
            .connect()
            .await
            .unwrap_or_else(|e| panic!("connect: {e}"))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A gRPC request carrying `token` as its bearer token.
pub fn authed<T>(token: &str, message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    match format!("Bearer {token}").parse() {
        Ok(value) => {
            request.metadata_mut().insert("authorization", value);
        }
        Err(e) => panic!("token is not a header value: {e}"),
    }
    request
}

/// Polls `check` every 20 ms until it returns true or `secs` pass; returns the last answer.
pub async fn eventually<F, Fut>(secs: u64, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
