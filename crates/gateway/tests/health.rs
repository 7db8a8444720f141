//! The gateway's probes: alive whatever its upstreams do, ready only when every upstream answers
//! its gRPC health check (so Kubernetes sends no traffic to a gateway that cannot serve it).

mod common;

use common::serve_gateway;
use tinhso_testkit::http::request;

#[tokio::test]
async fn not_ready_while_an_upstream_is_down() {
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port");
    let env = vec![(
        "TINHSO_UPSTREAMS__IDENTITY".to_string(),
        format!("http://{closed}"),
    )];
    let addr = serve_gateway(env).await;

    let live = request(addr, "GET", "/healthz", &[], None).await;
    assert_eq!(live.status, 200);
    let ready = request(addr, "GET", "/readyz", &[], None).await;
    assert_eq!(ready.status, 503, "{}", ready.text());
    assert_eq!(ready.json()["upstreams"]["identity"], "unavailable");
    // A call routed to the missing upstream is a clear 503, not a hang or a 500.
    let r = request(addr, "GET", "/.well-known/jwks.json", &[], None).await;
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(r.json()["code"], "SERVICE_UNAVAILABLE");
}

/// An upstream that takes each call's request and then dies, its connection with it: a service
/// killed mid-call. (HTTP/2 handshake done, request headers read, then the socket closes.)
async fn dying_upstream() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(mut connection) = h2::server::handshake(socket).await else {
                    return;
                };
                if let Some(Ok((request, respond))) = connection.accept().await {
                    drop((request, respond, connection));
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_service_dying_mid_call_is_a_503_not_a_500() {
    let upstream = dying_upstream().await;
    let env = vec![(
        "TINHSO_UPSTREAMS__IDENTITY".to_string(),
        format!("http://{upstream}"),
    )];
    let addr = serve_gateway(env).await;
    // A write (never retried) and a read (retried, then given up) both lose their upstream.
    let login = request(
        addr,
        "POST",
        "/api/v1/auth/login",
        &[("content-type", "application/json")],
        Some(br#"{"username":"admin","password":"mat-khau-bat-ky"}"#),
    )
    .await;
    assert_eq!(login.status, 503, "{}", login.text());
    assert_eq!(login.json()["code"], "SERVICE_UNAVAILABLE");
    let read = request(addr, "GET", "/.well-known/jwks.json", &[], None).await;
    assert_eq!(read.status, 503, "{}", read.text());
}
