//! The gateway's edge: request ids a caller may set and those it may not, and the security
//! headers every answer carries, whatever route answers.

mod common;

use common::serve_gateway;
use tinhso_testkit::http::request;

#[tokio::test]
async fn a_request_id_is_kept_only_when_it_is_short_printable_text() {
    let addr = serve_gateway(Vec::new()).await;
    let kept = request(
        addr,
        "GET",
        "/healthz",
        &[("X-Request-Id", "ho-so-42")],
        None,
    )
    .await;
    assert_eq!(kept.header("x-request-id"), Some("ho-so-42"));

    // Too long to log and forward: replaced by one of ours (a UUID).
    let long = "a".repeat(129);
    let replaced = request(addr, "GET", "/healthz", &[("X-Request-Id", &long)], None).await;
    let id = replaced.header("x-request-id").expect("an id");
    assert_ne!(id, long);
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    let spaced = request(addr, "GET", "/healthz", &[("X-Request-Id", "a b")], None).await;
    assert_ne!(spaced.header("x-request-id"), Some("a b"));

    // Every answer, a probe or an unknown route, carries the security headers.
    for path in ["/healthz", "/api/v1/no-such-route"] {
        let r = request(addr, "GET", path, &[], None).await;
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(r.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
        assert_eq!(
            r.header("content-security-policy"),
            Some("default-src 'none'; frame-ancestors 'none'"),
            "{path}"
        );
    }
    let docs = request(addr, "GET", "/api/docs", &[], None).await;
    assert!(
        docs.header("content-security-policy")
            .is_some_and(|csp| csp.contains("script-src 'self'")),
        "the docs page may run its own script"
    );
}
