//! Health follows readiness: a server says NOT_SERVING until it can verify tokens, and while its
//! database is unreachable, and SERVING again once it can (the gateway's /readyz and the
//! Kubernetes readiness probe read this).

use std::sync::Arc;
use tinhso_platform::auth::{PublicJwk, Verifier};
use tinhso_platform::grpc::Readiness;
use tinhso_testkit::{TestDb, eventually};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

/// Serves nothing but health on a free port with `readiness`, reporting service `name`.
async fn server(readiness: Readiness, name: &'static str) -> std::net::SocketAddr {
    let verifier = Arc::new(Verifier::new("tinhso", tinhso_platform::clock::system()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(tinhso_platform::grpc::serve(
        listener,
        tonic::service::Routes::default(),
        std::slice::from_ref(Box::leak(Box::new(name))),
        tinhso_platform::grpc::Edge {
            readiness,
            proxies: tinhso_platform::grpc::TrustedProxies::default(),
            verifier,
        },
        std::future::pending(),
    ));
    addr
}

/// The `service_ready` gauge of `name` as the metrics endpoint shows it.
fn ready_gauge(name: &str) -> String {
    let text = tinhso_platform::metrics::global().render();
    let prefix = format!("service_ready{{service=\"{name}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_default()
        .to_string()
}

async fn status(addr: std::net::SocketAddr) -> ServingStatus {
    let Ok(endpoint) = tonic::transport::Endpoint::from_shared(format!("http://{addr}")) else {
        return ServingStatus::Unknown;
    };
    let Ok(channel) = endpoint.connect().await else {
        return ServingStatus::Unknown;
    };
    let mut client = HealthClient::new(channel);
    client
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .map_or(ServingStatus::Unknown, |r| r.into_inner().status())
}

async fn becomes(addr: std::net::SocketAddr, wanted: ServingStatus) -> bool {
    eventually(20, move || async move { status(addr).await == wanted }).await
}

#[tokio::test]
async fn not_serving_until_the_signing_keys_are_loaded() {
    let verifier = Arc::new(Verifier::new("tinhso", tinhso_platform::clock::system()));
    let addr = server(
        Readiness::default().keys(verifier.clone()),
        "tinhso.test.v1.Keys",
    )
    .await;
    assert!(becomes(addr, ServingStatus::NotServing).await);
    assert_eq!(ready_gauge("tinhso.test.v1.Keys"), "0.0");
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert_eq!(
        status(addr).await,
        ServingStatus::NotServing,
        "still without keys"
    );
    let key = ed25519_dalek::SigningKey::from_bytes(&[9_u8; 32]);
    verifier.set_keys(&[PublicJwk::of("k1", &key.verifying_key())]);
    assert!(
        becomes(addr, ServingStatus::Serving).await,
        "serving with keys"
    );
}

/// PostgreSQL refusing the service's database (as when it is down), then accepting it again.
#[tokio::test]
async fn health_follows_the_database_down_and_back() {
    if !tinhso_testkit::using_services() {
        return; // a PostgreSQL fault; `make test-services` runs it
    }
    let test_db: TestDb = tinhso_testkit::database().await;
    let name = test_db.url.rsplit('/').next().expect("name").to_string();
    let admin_url = std::env::var("TINHSO_TEST_DATABASE_URL").expect("admin url");
    let admin = tinhso_platform::db::Db::connect(&admin_url, 1)
        .await
        .expect("admin");
    let addr = server(
        Readiness::default().database(test_db.db.clone()),
        "tinhso.test.v1.Database",
    )
    .await;
    assert!(
        becomes(addr, ServingStatus::Serving).await,
        "serving at start"
    );

    let run = |sql: String| {
        let admin = admin.clone();
        async move {
            tinhso_platform::db::query(sql)
                .execute(&admin.pool)
                .await
                .expect("admin statement");
        }
    };
    run(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")).await;
    run(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ))
    .await;
    assert!(
        becomes(addr, ServingStatus::NotServing).await,
        "not serving while the database refuses connections"
    );
    run(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).await;
    assert!(
        becomes(addr, ServingStatus::Serving).await,
        "serving again once it accepts them, with no restart"
    );
}
