//! What every bench starts from: identity on a new database of its own, bootstrapped with its
//! background work running on the in-process bus; a new database for the service measured; one
//! gRPC server for both; the administrator signed in with a password of their own.

use std::sync::Arc;
use tinhso_identity::{Identity, IdentityConfig};
use tinhso_platform::db::Db;
use tinhso_platform::events::{InProcessBus, SharedBus};
use tinhso_proto::identity::v1 as id;
use tinhso_testkit::{TestDb, TestServer, authed};
use tonic::transport::Channel;

/// Identity, running.
pub struct IdentityUp {
    pub identity: Arc<Identity>,
    pub root_unit_id: String,
    pub bus: SharedBus,
    pub stopped: tokio::sync::watch::Receiver<bool>,
    /// Stops the background work (identity's, and the service's started with `stopped`).
    pub stop: tokio::sync::watch::Sender<bool>,
    _db: TestDb,
}

/// Identity on a new database at `database_url`, its administrator's first password
/// `admin_password`, with `more_env` settings besides.
pub async fn identity(
    database_url: &str,
    admin_password: &str,
    more_env: &[(&str, &str)],
) -> anyhow::Result<IdentityUp> {
    let test_db = tinhso_testkit::database_at(Some(database_url)).await;
    let mut env = vec![
        (
            "TINHSO_BOOTSTRAP_ADMIN_PASSWORD".to_string(),
            admin_password.to_string(),
        ),
        ("TINHSO_DATABASE__URL".to_string(), test_db.url.clone()),
    ];
    env.extend(more_env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let identity = Identity::open(
        IdentityConfig::load(None, &env)?,
        Db::connect(&test_db.url, 20).await?,
        tinhso_platform::clock::system(),
    )
    .await?;
    let boot = identity.bootstrap().await?;
    let bus: SharedBus = Arc::new(InProcessBus::new());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    identity.spawn_background(bus.clone(), stopped.clone());
    Ok(IdentityUp {
        identity,
        root_unit_id: boot.root_unit_id,
        bus,
        stopped,
        stop,
        _db: test_db,
    })
}

/// A new database at `database_url` for the service measured: its handle (dropped with it) and
/// a pool of 20 connections.
pub async fn service_db(database_url: &str) -> anyhow::Result<(TestDb, Db)> {
    let test_db = tinhso_testkit::database_at(Some(database_url)).await;
    let db = Db::connect(&test_db.url, 20).await?;
    Ok((test_db, db))
}

/// Serves `routes` (identity's and the service's) on one server; the server and a channel to it.
pub async fn serve(
    up: &IdentityUp,
    routes: tonic::service::Routes,
    service_names: &[&'static str],
) -> (TestServer, Channel) {
    let names: Vec<&'static str> = tinhso_identity::SERVICE_NAMES
        .iter()
        .chain(service_names)
        .copied()
        .collect();
    let server = TestServer::start(routes, names.leak(), up.identity.verifier.clone()).await;
    let channel = server.channel().await;
    (server, channel)
}

/// The administrator's token after the first sign-in, which must change the password.
pub async fn admin_token(
    grpc: Channel,
    first_password: &str,
    new_password: &str,
) -> anyhow::Result<String> {
    let mut auth = id::auth_service_client::AuthServiceClient::new(grpc);
    let first = auth
        .login(id::LoginRequest {
            username: "admin".into(),
            password: first_password.into(),
        })
        .await?
        .into_inner();
    Ok(auth
        .change_password(authed(
            &first.access_token,
            id::ChangePasswordRequest {
                current_password: first_password.into(),
                new_password: new_password.into(),
            },
        ))
        .await?
        .into_inner()
        .access_token)
}
