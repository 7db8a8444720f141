//! A gateway on a free local port, configured from `env`, for the gateway's own tests.

use tinhso_gateway::{Gateway, GatewayConfig};

pub async fn serve_gateway(env: Vec<(String, String)>) -> std::net::SocketAddr {
    let gateway = Gateway::new(
        GatewayConfig::load(None, &env).expect("config"),
        tinhso_platform::clock::system(),
        tinhso_platform::metrics::Registry::new(),
    )
    .expect("gateway");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { gateway.serve(listener, std::future::pending()).await });
    addr
}
