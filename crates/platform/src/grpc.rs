//! The gRPC server every service runs: the service's routes plus health (tonic-health),
//! reflection over the tinhso descriptor set, W3C trace-context propagation, request limits and
//! graceful shutdown, and authentication at the edge: every RPC its proto does not mark
//! anonymous is refused without a valid token before its handler runs (`EdgeLayer`).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tonic::service::Routes;
use tonic::transport::server::TcpIncoming;
use tracing::Instrument as _;

/// What a server must be able to do before it takes calls: reach its databases and verify
/// tokens. Checked before the first SERVING and every few seconds after, so the health service
/// (and with it the gateway's `/readyz` and Kubernetes' readiness probe) follows the truth: a
/// service whose database is down, or that has not yet loaded identity's signing keys, says
/// NOT_SERVING until it can serve again.
#[derive(Clone, Default)]
pub struct Readiness {
    databases: Vec<crate::db::Db>,
    verifiers: Vec<crate::auth::SharedVerifier>,
}

impl Readiness {
    /// Ready only while `db` answers.
    pub fn database(mut self, db: crate::db::Db) -> Self {
        self.databases.push(db);
        self
    }

    /// Ready only once `verifier` holds identity's signing keys.
    pub fn keys(mut self, verifier: crate::auth::SharedVerifier) -> Self {
        self.verifiers.push(verifier);
        self
    }

    /// Why the server cannot serve now, if it cannot.
    pub async fn check(&self) -> Result<(), String> {
        for db in &self.databases {
            match tokio::time::timeout(Duration::from_secs(2), db.pool.ping()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(format!("database: {e}")),
                Err(_) => return Err("database: no answer within 2 s".into()),
            }
        }
        if self.verifiers.iter().any(|v| !v.has_keys()) {
            return Err("identity's signing keys are not loaded yet".into());
        }
        Ok(())
    }
}

/// Keeps the health statuses of `services` equal to what `readiness` finds: checked every
/// half second until ready, then every five seconds.
async fn follow_readiness(
    reporter: tonic_health::server::HealthReporter,
    services: Vec<String>,
    readiness: Readiness,
) {
    let mut serving = None;
    loop {
        let result = readiness.check().await;
        let now = result.is_ok();
        crate::metrics::global().set(
            "service_ready",
            "1 while the service can serve (database reachable, token keys loaded), else 0.",
            &[("service", services.first().map_or("", String::as_str))],
            if now { 1.0 } else { 0.0 },
        );
        if serving != Some(now) {
            let status = if now {
                tracing::info!("ready: serving");
                tonic_health::ServingStatus::Serving
            } else {
                let reason = result.err().unwrap_or_default();
                // Not ready at start is expected for a moment; losing readiness is not.
                if serving.is_some() {
                    tracing::warn!(%reason, "not ready: health says NOT_SERVING");
                } else {
                    tracing::info!(%reason, "not ready yet");
                }
                tonic_health::ServingStatus::NotServing
            };
            reporter.set_service_status("", status).await;
            for name in &services {
                reporter.set_service_status(name, status).await;
            }
            serving = Some(now);
        }
        tokio::time::sleep(Duration::from_millis(if now { 5_000 } else { 500 })).await;
    }
}

/// What a server does at its edge, before any handler: report health from `readiness`, believe
/// `x-forwarded-for` only from `proxies`, and refuse every protected call whose token
/// `verifier` does not accept.
#[derive(Clone)]
pub struct Edge {
    pub readiness: Readiness,
    pub proxies: TrustedProxies,
    pub verifier: crate::auth::SharedVerifier,
}

/// Serves `routes` on `listener` until `shutdown` resolves, then drains open calls. The health
/// service reports `services` (and the server as a whole, "") SERVING while the edge's
/// readiness holds.
pub async fn serve(
    listener: tokio::net::TcpListener,
    routes: Routes,
    services: &[&str],
    edge: Edge,
    shutdown: impl Future<Output = ()>,
) -> Result<(), tonic::transport::Error> {
    let Edge {
        readiness,
        proxies,
        verifier,
    } = edge;
    let (reporter, health) = tonic_health::server::health_reporter();
    reporter
        .set_service_status("", tonic_health::ServingStatus::NotServing)
        .await;
    let watcher = tokio::spawn(follow_readiness(
        reporter,
        services.iter().map(|s| (*s).to_string()).collect(),
        readiness,
    ));
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
    let served = tonic::transport::Server::builder()
        .timeout(Duration::from_secs(60))
        .concurrency_limit_per_connection(512)
        .layer(EdgeLayer {
            proxies: std::sync::Arc::new(proxies),
            verifier,
        })
        .add_routes(routes)
        .serve_with_incoming_shutdown(
            TcpIncoming::from(listener).with_nodelay(Some(true)),
            shutdown,
        )
        .await;
    watcher.abort();
    served
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

/// The server's edge: runs every call inside the caller's trace context (or a new one), so logs
/// and events of the call carry its `traceparent`, resolves the caller's address
/// (`ClientAddress`) and counts the call.
#[derive(Clone)]
pub struct EdgeLayer {
    proxies: std::sync::Arc<TrustedProxies>,
    verifier: crate::auth::SharedVerifier,
}

impl<S> tower::Layer<S> for EdgeLayer {
    type Service = EdgeService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        EdgeService {
            inner,
            proxies: self.proxies.clone(),
            verifier: self.verifier.clone(),
        }
    }
}

#[derive(Clone)]
pub struct EdgeService<S> {
    inner: S,
    proxies: std::sync::Arc<TrustedProxies>,
    verifier: crate::auth::SharedVerifier,
}

/// The gRPC paths (`/tinhso.identity.v1.AuthService/Login`) callable without a token: those
/// whose HTTP rule is `anonymous`, and gRPC-only ones with the `tinhso.common.v1.anonymous`
/// option. Read once from the descriptor set, so a new RPC is protected unless its proto says
/// otherwise.
pub fn anonymous_methods() -> &'static std::collections::HashSet<String> {
    static METHODS: std::sync::OnceLock<std::collections::HashSet<String>> =
        std::sync::OnceLock::new();
    METHODS.get_or_init(|| {
        use prost_reflect::Value;
        let mut methods = std::collections::HashSet::new();
        let Ok(pool) = prost_reflect::DescriptorPool::decode(tinhso_proto::FILE_DESCRIPTOR_SET)
        else {
            return methods;
        };
        let http = pool.get_extension_by_name("tinhso.common.v1.http");
        let anonymous = pool.get_extension_by_name("tinhso.common.v1.anonymous");
        for service in pool.services() {
            for method in service.methods() {
                let options = method.options();
                let by_rule = http.as_ref().is_some_and(|ext| {
                    options.has_extension(ext)
                        && matches!(
                            options.get_extension(ext).as_message().and_then(|m| m
                                .get_field_by_name("anonymous")
                                .map(|v| v.as_bool())),
                            Some(Some(true))
                        )
                });
                let by_option = anonymous.as_ref().is_some_and(|ext| {
                    options.has_extension(ext)
                        && matches!(options.get_extension(ext).as_ref(), Value::Bool(true))
                });
                if by_rule || by_option {
                    methods.insert(format!("/{}/{}", service.full_name(), method.name()));
                }
            }
        }
        methods
    })
}

impl<S, B> tower::Service<http::Request<B>> for EdgeService<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<tonic::body::Body>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        let peer = request
            .extensions()
            .get::<tonic::transport::server::TcpConnectInfo>()
            .and_then(tonic::transport::server::TcpConnectInfo::remote_addr)
            .map(|a| a.ip());
        let forwarded = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        let client = ClientAddress(self.proxies.client(peer, forwarded));
        request.extensions_mut().insert(client);
        // Authentication, once, here: every tinhso RPC not marked anonymous in its proto needs a
        // valid token before its handler runs; the handler reads the principal found here.
        let path = request.uri().path();
        if path.starts_with("/tinhso.") && !anonymous_methods().contains(path) {
            let bearer = request
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| {
                    v.strip_prefix("Bearer ")
                        .or_else(|| v.strip_prefix("bearer "))
                })
                .map(str::trim);
            let checked = match bearer {
                Some(token) if !token.is_empty() => self.verifier.verify(token),
                _ => Err(crate::AppError::unauthenticated(
                    crate::ErrorCode::MissingToken,
                )),
            };
            match checked {
                Ok(principal) => {
                    request.extensions_mut().insert(principal);
                }
                Err(e) => {
                    let status: tonic::Status = e.into();
                    return Box::pin(async move { Ok(status.into_http()) });
                }
            }
        }
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

/// The client address of a call, for audit and rate limits, as the server resolved it from the
/// peer and, when the peer is a trusted proxy, its `x-forwarded-for` (`TrustedProxies`).
pub fn client_address<T>(request: &tonic::Request<T>) -> String {
    if let Some(ClientAddress(address)) = request.extensions().get::<ClientAddress>() {
        return address.clone();
    }
    request
        .remote_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The caller's address, resolved once at the server's edge and carried in the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub String);

/// The peers whose `x-forwarded-for` a server believes: its gateway's addresses. None by
/// default, so a caller reaching the gRPC port cannot pick its own address, for a fresh login
/// budget per invented address or for whatever text it likes in the audit trail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<ipnet::IpNet>);

impl TrustedProxies {
    /// Comma-separated addresses or networks: `10.0.3.7, 10.1.0.0/16, ::1`.
    pub fn parse(text: &str) -> Result<Self, String> {
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<ipnet::IpNet>()
                    .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| format!("`{s}` is not an IP address or network"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// This machine only: the gateway of `tinhso dev`, in the same process.
    pub fn loopback() -> Self {
        Self(vec![
            ipnet::IpNet::from(std::net::IpAddr::from([127, 0, 0, 1])),
            ipnet::IpNet::from(std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST)),
        ])
    }

    /// The client of a call from `peer` carrying `forwarded` (the header's text): its first
    /// hop when the peer is trusted and the hop is an IP address, else the peer.
    pub fn client(&self, peer: Option<std::net::IpAddr>, forwarded: Option<&str>) -> String {
        let from_proxy = peer.is_some_and(|ip| self.0.iter().any(|net| net.contains(&ip)));
        let hop = forwarded
            .filter(|_| from_proxy)
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok());
        match (hop, peer) {
            (Some(ip), _) | (None, Some(ip)) => ip.to_string(),
            (None, None) => "unknown".into(),
        }
    }
}

/// Reads a client-streamed upload: every message's file chunk appended, at most `max_bytes` in
/// all (FILE_TOO_LARGE past it, UPLOAD_INTERRUPTED when the stream breaks); the first message
/// (which carries the upload's other fields) and the bytes.
pub async fn collect_upload<M: Default>(
    stream: &mut tonic::Streaming<M>,
    max_bytes: usize,
    mut chunk: impl FnMut(&mut M) -> Option<tinhso_proto::common::v1::FileChunk>,
) -> crate::AppResult<(M, Vec<u8>)> {
    use crate::{AppError, ErrorCode};
    let mut first: Option<M> = None;
    let mut bytes = Vec::new();
    loop {
        let message = stream.message().await.map_err(|_| {
            AppError::invalid(
                "file",
                ErrorCode::UploadInterrupted,
                "tệp tải lên bị gián đoạn",
                "the upload was interrupted",
            )
        })?;
        let Some(mut message) = message else { break };
        if let Some(c) = chunk(&mut message) {
            bytes.extend(c.data);
        }
        first.get_or_insert(message);
        if bytes.len() > max_bytes {
            return Err(AppError::invalid(
                "file",
                ErrorCode::FileTooLarge,
                &format!("tệp nhập vượt quá {} MB", max_bytes / 1024 / 1024),
                "the import file is too large",
            ));
        }
    }
    Ok((first.unwrap_or_default(), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forwarded_address_counts_only_from_a_trusted_proxy_and_only_as_an_address() {
        let gateway: std::net::IpAddr = "10.1.2.3".parse().expect("ip");
        let stranger: std::net::IpAddr = "10.9.9.9".parse().expect("ip");
        let proxies = TrustedProxies::parse("10.1.0.0/16, 192.0.2.7").expect("parsed");
        assert_eq!(
            proxies.client(Some(gateway), Some("203.0.113.5, 10.1.2.3")),
            "203.0.113.5"
        );
        assert_eq!(
            proxies.client(Some(stranger), Some("203.0.113.5")),
            "10.9.9.9"
        );
        assert_eq!(
            proxies.client(Some(gateway), Some("<script>")),
            "10.1.2.3",
            "a hop that is not an address is ignored"
        );
        assert_eq!(
            TrustedProxies::default().client(Some(gateway), Some("203.0.113.5")),
            "10.1.2.3",
            "no proxy is trusted by default"
        );
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("gateway").is_err());
        assert_eq!(
            TrustedProxies::parse(" ").expect("empty"),
            TrustedProxies::default()
        );
    }
}
