//! The gRPC server every service runs: the service's routes plus health (tonic-health),
//! reflection over the tinhso descriptor set, W3C trace-context propagation, request limits and
//! graceful shutdown. Authentication happens in handlers through `auth::Verifier::authenticate`,
//! because public RPCs (login, JWKS) share services with protected ones.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tonic::service::Routes;
use tonic::transport::server::TcpIncoming;
use tracing::Instrument as _;

/// Serves `routes` on `listener` until `shutdown` resolves, then drains open calls.
/// `services` are the fully-qualified names reported SERVING by the health service.
pub async fn serve(
    listener: tokio::net::TcpListener,
    routes: Routes,
    services: &[&str],
    shutdown: impl Future<Output = ()>,
) -> Result<(), tonic::transport::Error> {
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_service_status("", tonic_health::ServingStatus::Serving)
        .await;
    for name in services {
        reporter
            .set_service_status(*name, tonic_health::ServingStatus::Serving)
            .await;
    }
    let mut routes = routes.add_service(health);
    // Both reflection versions: grpcurl speaks v1, many other tools (Postman, evans, the Python
    // and older Go clients) still only v1alpha.
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(tinhso_proto::FILE_DESCRIPTOR_SET)
    };
    match (reflection().build_v1(), reflection().build_v1alpha()) {
        (Ok(v1), Ok(v1alpha)) => routes = routes.add_service(v1).add_service(v1alpha),
        (Err(e), _) | (_, Err(e)) => tracing::warn!(error = %e, "grpc reflection disabled"),
    }
    tonic::transport::Server::builder()
        .timeout(Duration::from_secs(60))
        .concurrency_limit_per_connection(512)
        .layer(TraceContextLayer)
        .add_routes(routes)
        .serve_with_incoming_shutdown(
            TcpIncoming::from(listener).with_nodelay(Some(true)),
            shutdown,
        )
        .await
}

/// Runs a handler body and turns its `AppError` into the gRPC status (code, Vietnamese and
/// English messages, field violations in the details). Every RPC of every service is written
/// `handle(async move { ... }).await`, so `?` works on any platform error inside.
pub async fn handle<T>(
    body: impl Future<Output = crate::AppResult<T>>,
) -> Result<T, tonic::Status> {
    body.await.map_err(Into::into)
}

/// Resolves when the watch flips to true (or its sender is gone): one stop signal shared by a
/// process's servers and background tasks.
pub async fn wait_for(mut shutdown: tokio::sync::watch::Receiver<bool>) {
    while !*shutdown.borrow() {
        if shutdown.changed().await.is_err() {
            return;
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM (Kubernetes stops pods with SIGTERM).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

/// Runs every call inside the caller's trace context (or a new one), so logs and events of the
/// call carry its `traceparent`.
#[derive(Debug, Clone, Copy)]
pub struct TraceContextLayer;

impl<S> tower::Layer<S> for TraceContextLayer {
    type Service = TraceContextService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        TraceContextService { inner }
    }
}

#[derive(Debug, Clone)]
pub struct TraceContextService<S> {
    inner: S,
}

impl<S, B> tower::Service<http::Request<B>> for TraceContextService<S>
where
    S: tower::Service<http::Request<B>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let incoming = request
            .headers()
            .get("traceparent")
            .and_then(|v| v.to_str().ok());
        let traceparent = crate::telemetry::continue_or_new(incoming);
        let request_id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let path = request.uri().path();
        let span = tracing::info_span!("grpc", %path, %request_id, %traceparent);
        crate::telemetry::continue_remote(&span, incoming);
        // Unknown paths share one label so random probes cannot grow the metric series.
        let method =
            if path.len() <= 128 && (path.starts_with("/tinhso.") || path.starts_with("/grpc.")) {
                path.to_string()
            } else {
                "other".to_string()
            };
        let started = std::time::Instant::now();
        let future = self.inner.call(request);
        Box::pin(async move {
            let result = crate::telemetry::with_traceparent(traceparent, future)
                .instrument(span)
                .await;
            let metrics = crate::metrics::global();
            metrics.inc(
                "tinhso_grpc_requests_total",
                "gRPC calls received, by method.",
                &[("method", &method)],
            );
            metrics.observe(
                "tinhso_grpc_request_duration_seconds",
                "Time to the response headers of a gRPC call, by method.",
                &[("method", &method)],
                started.elapsed().as_secs_f64(),
            );
            result
        })
    }
}

/// The client address of a call, for audit and rate limits. `x-forwarded-for` is trusted only
/// from a loopback or private-network peer: the gateway beside the service (dev) or inside the
/// cluster, where the NetworkPolicy admits only the gateway and tinhso services.
pub fn client_address<T>(request: &tonic::Request<T>) -> String {
    let peer = request.remote_addr();
    let trusted_proxy = peer.is_none_or(|a| match a.ip() {
        std::net::IpAddr::V4(ip) => ip.is_loopback() || ip.is_private(),
        std::net::IpAddr::V6(ip) => ip.is_loopback() || ip.is_unique_local(),
    });
    let forwarded = request
        .metadata()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next());
    if let Some(forwarded) = forwarded.filter(|_| trusted_proxy) {
        return forwarded.trim().to_string();
    }
    peer.map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}
