//! Authentication is the server's, not each handler's: a handler that forgets to authenticate
//! is still closed to a caller without a valid token, and an RPC its proto marks anonymous is
//! open without one.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};
use tinhso_platform::auth::Verifier;
use tinhso_platform::grpc::{Edge, Readiness, TrustedProxies};

/// A service that answers every call OK without looking at who calls.
#[derive(Clone)]
struct Careless(&'static str);

impl tonic::server::NamedService for Careless {
    const NAME: &'static str = "tinhso.identity.v1.UnitService";
}

impl tower::Service<http::Request<tonic::body::Body>> for Careless {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _request: http::Request<tonic::body::Body>) -> Self::Future {
        std::future::ready(Ok(tonic::Status::new(tonic::Code::Ok, self.0).into_http()))
    }
}

async fn call(channel: tonic::transport::Channel, path: &str) -> tonic::Status {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("ready");
    match grpc
        .unary(
            tonic::Request::new(()),
            path.parse().expect("path"),
            tonic_prost::ProstCodec::<(), ()>::default(),
        )
        .await
    {
        Ok(_) => tonic::Status::new(tonic::Code::Ok, "answered"),
        Err(status) => status,
    }
}

#[tokio::test]
async fn a_handler_that_forgets_to_authenticate_is_still_closed() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let verifier = Arc::new(Verifier::new("tinhso", tinhso_platform::clock::system()));
    tokio::spawn(tinhso_platform::grpc::serve(
        listener,
        tonic::service::Routes::new(Careless("careless")),
        &[],
        Edge {
            readiness: Readiness::default(),
            proxies: TrustedProxies::default(),
            verifier,
        },
        std::future::pending(),
    ));
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .expect("endpoint")
        .connect()
        .await
        .expect("connect");
    let refused = call(channel.clone(), "/tinhso.identity.v1.UnitService/GetUnit").await;
    assert_eq!(refused.code(), tonic::Code::Unauthenticated, "{refused:?}");
    assert_eq!(
        tinhso_platform::error::detail_of(&refused).map(|d| d.code),
        Some("MISSING_TOKEN".to_string())
    );
}
