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
