//! The API gateway: REST/JSON in front of the gRPC services. Routes, request and response
//! mapping and the OpenAPI document all come from the protos' HTTP rules and descriptors, so
//! adding an RPC with a rule adds its REST route with no code here. The gateway also verifies
//! bearer tokens (the services check them again), limits login attempts per client address,
//! turns every error into RFC 9457 problem+json, and gives each request an id that follows it
//! into the services' logs.

pub mod config;
pub mod files;
pub mod openapi;
pub mod problem;
pub mod routes;
pub mod transcode;
pub mod upstream;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use problem::{Lang, Problem};
use prost_reflect::DescriptorPool;
use routes::{Match, Route, RouteTable, Transfer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tinhso_platform::ErrorCode;
use tinhso_platform::auth::{SharedVerifier, Verifier};
use tinhso_platform::clock::SharedClock;
use tinhso_platform::metrics::SharedRegistry;
use tinhso_platform::ratelimit::SlidingWindow;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tracing::Instrument as _;
use upstream::Upstreams;

pub use config::GatewayConfig;

/// Why the gateway cannot start.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("descriptor set: {0}")]
    Descriptors(String),
    #[error("http rule: {0}")]
    Routes(#[from] routes::RouteError),
    #[error("{0}")]
    Upstream(String),
}

const DOCS_HTML: &str = include_str!("docs/index.html");
const DOCS_JS: &str = include_str!("docs/docs.js");

/// The route template a response was served by, for metrics and the access log.
#[derive(Debug, Clone)]
struct RouteLabel(String);

struct Inner {
    table: RouteTable,
    openapi: String,
    upstreams: Upstreams,
    verifier: SharedVerifier,
    config: GatewayConfig,
    login_limiter: SlidingWindow,
    metrics: SharedRegistry,
}

/// The gateway; cheap to clone.
#[derive(Clone)]
pub struct Gateway {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("routes", &self.inner.table.routes().len())
            .finish()
    }
}

impl Gateway {
    /// Reads the descriptor set, builds the route table and the OpenAPI document, and creates
    /// (lazily connected) channels to the upstreams.
    pub fn new(
        config: GatewayConfig,
        clock: SharedClock,
        metrics: SharedRegistry,
    ) -> Result<Self, GatewayError> {
        let pool = DescriptorPool::decode(tinhso_proto::FILE_DESCRIPTOR_SET)
            .map_err(|e| GatewayError::Descriptors(e.to_string()))?;
        let table = RouteTable::from_pool(&pool)?;
        let openapi = openapi::document(&pool, &table).to_string();
        let upstreams =
            Upstreams::connect_lazy(&config.upstreams).map_err(GatewayError::Upstream)?;
        for route in table.routes() {
            if upstreams.get(&route.upstream).is_none() {
                tracing::warn!(route = %route.template, upstream = %route.upstream, "no upstream configured; the route answers 503");
            }
        }
        let login_limiter = SlidingWindow::new(
            config.login_rate.max_attempts,
            config.login_rate.window_secs * 1000,
            clock.clone(),
        );
        Ok(Self {
            inner: Arc::new(Inner {
                table,
                openapi,
                upstreams,
                verifier: Arc::new(Verifier::new(&config.issuer, clock)),
                config,
                login_limiter,
                metrics,
            }),
        })
    }

    /// The verifier of bearer tokens (its keys come from identity's JWKS).
    pub fn verifier(&self) -> SharedVerifier {
        self.inner.verifier.clone()
    }

    /// The OpenAPI document served at `/api/openapi.json`.
    pub fn openapi(&self) -> &str {
        &self.inner.openapi
    }

    /// Keeps the token keys fresh from identity until `shutdown` resolves.
    pub fn spawn_background(
        &self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) {
        if let Some(identity) = self.inner.upstreams.get("identity") {
            tokio::spawn(tinhso_platform::auth::keep_jwks_fresh(
                self.inner.verifier.clone(),
                identity.clone(),
                Duration::from_secs(300),
                shutdown,
            ));
        } else {
            tracing::warn!("no identity upstream: every protected route will answer 401");
        }
    }

    /// The HTTP application.
    pub fn router(&self) -> Router {
        // The docs page runs its own script against this API; everything else is data, which no
        // page may frame or run.
        let docs = Router::new()
            .route("/api/docs", axum::routing::get(docs_page))
            .route("/api/docs/", axum::routing::get(docs_page))
            .route("/api/docs.js", axum::routing::get(docs_script))
            .layer(SetResponseHeaderLayer::overriding(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; \
                     connect-src 'self'; frame-ancestors 'none'",
                ),
            ));
        let router = with_security_headers(
            Router::new()
                .route("/healthz", axum::routing::get(healthz))
                .route("/readyz", axum::routing::get(readyz))
                .route("/api/openapi.json", axum::routing::get(openapi_json))
                .merge(docs)
                .fallback(transcode)
                .layer(axum::middleware::from_fn_with_state(self.clone(), edge)),
        );
        // Layers run outside in: the last added sees the request first. A preflight is answered
        // by CORS before anything else; the request id is set (or a bad one replaced) before the
        // access log and the handlers read it, and copied onto every response.
        let router = match cors(&self.inner.config.cors_allowed_origins) {
            Some(cors) => router
                .layer(cors)
                .layer(axum::middleware::from_fn(preflight_no_content)),
            None => router,
        };
        router
            .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
            .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), NewRequestId))
            .layer(axum::middleware::map_request(drop_unusable_request_id))
            .with_state(self.clone())
    }

    /// Serves the REST API on `listener` until `shutdown` resolves.
    pub async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(
            listener,
            self.router()
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
    }
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request ids the gateway makes: UUIDv7, so they sort by time in the logs.
#[derive(Debug, Clone, Copy)]
struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _request: &http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&uuid::Uuid::now_v7().to_string())
            .ok()
            .map(RequestId::new)
    }
}

/// A caller's request id is kept only when it is short printable ASCII: it is echoed, logged and
/// forwarded to the services, so anything else is replaced by one of ours.
async fn drop_unusable_request_id(mut request: Request) -> Request {
    let usable = request.headers().get(&REQUEST_ID).is_none_or(|v| {
        !v.is_empty() && v.len() <= 128 && v.as_bytes().iter().all(|b| b.is_ascii_graphic())
    });
    if !usable {
        request.headers_mut().remove(&REQUEST_ID);
    }
    request
}

/// The request id tower-http set on the request.
fn request_id_of(request: &Request) -> String {
    request
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// CORS for the configured origins (`*` for any); none configured turns CORS off.
fn cors(allowed: &[String]) -> Option<CorsLayer> {
    if allowed.is_empty() {
        return None;
    }
    let origins = if allowed.iter().any(|a| a == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(allowed.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PATCH,
                Method::PUT,
                Method::DELETE,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT_LANGUAGE,
                REQUEST_ID.clone(),
            ])
            .expose_headers([REQUEST_ID.clone(), header::CONTENT_LANGUAGE])
            .max_age(Duration::from_secs(600)),
    )
}

/// Preflights keep answering 204 No Content, as the API documents (tower-http's CORS layer
/// answers them 200 with an empty body; browsers accept both).
async fn preflight_no_content(request: Request, next: Next) -> Response {
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = next.run(request).await;
    if preflight && response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::NO_CONTENT;
    }
    response
}

/// Headers on every response: no sniffing, no framing, no referrer, no caching unless a handler
/// says otherwise, and a CSP that runs nothing (the docs routes set their own).
fn with_security_headers(router: Router<Gateway>) -> Router<Gateway> {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    let if_unset = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    router
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(header::REFERRER_POLICY, "no-referrer"))
        .layer(if_unset(header::CACHE_CONTROL, "no-store"))
        .layer(if_unset(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ))
}

/// Every request passes here: its trace span, access log and metrics.
async fn edge(State(gw): State<Gateway>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = request_id_of(&request);
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let span = tracing::info_span!("http", request_id = %request_id, %method, %path);
    tinhso_platform::telemetry::continue_remote(
        &span,
        request
            .headers()
            .get("traceparent")
            .and_then(|v| v.to_str().ok()),
    );
    let response = next.run(request).instrument(span.clone()).await;

    let status = response.status().as_u16().to_string();
    let route = response
        .extensions()
        .get::<RouteLabel>()
        .map(|r| r.0.clone())
        .unwrap_or_else(|| match path.as_str() {
            "/healthz" | "/readyz" | "/api/openapi.json" | "/api/docs" | "/api/docs.js" => {
                path.clone()
            }
            _ => "unmatched".into(),
        });
    let elapsed = started.elapsed();
    let metrics = &gw.inner.metrics;
    metrics.inc(
        "tinhso_gateway_requests_total",
        "REST requests by route, method and status.",
        &[
            ("route", &route),
            ("method", method.as_str()),
            ("status", &status),
        ],
    );
    metrics.observe(
        "tinhso_gateway_request_duration_seconds",
        "REST request latency by route and method.",
        &[("route", &route), ("method", method.as_str())],
        elapsed.as_secs_f64(),
    );
    tracing::info!(parent: &span, status = %status, route = %route, latency_ms = elapsed.as_millis() as u64, "request");
    response
}

async fn healthz() -> Response {
    json_response(StatusCode::OK, r#"{"status":"ok"}"#.into())
}

/// Ready when every upstream answers its gRPC health check.
async fn readyz(State(gw): State<Gateway>) -> Response {
    let mut all_ok = true;
    let mut report = serde_json::Map::new();
    for (domain, channel) in gw.inner.upstreams.domains() {
        let ok = upstream_serving(channel.clone()).await;
        all_ok &= ok;
        report.insert(
            domain.clone(),
            serde_json::Value::from(if ok { "serving" } else { "unavailable" }),
        );
    }
    let body = serde_json::json!({
        "status": if all_ok { "ready" } else { "not_ready" },
        "upstreams": report,
    });
    json_response(
        if all_ok {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        body.to_string(),
    )
}

/// The standard gRPC health check of one upstream, with a short deadline.
async fn upstream_serving(channel: tonic::transport::Channel) -> bool {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
    let mut client = HealthClient::new(channel);
    let call = client.check(HealthCheckRequest {
        service: String::new(),
    });
    matches!(
        tokio::time::timeout(Duration::from_secs(2), call).await,
        Ok(Ok(reply)) if reply.get_ref().status == ServingStatus::Serving as i32
    )
}

async fn openapi_json(State(gw): State<Gateway>) -> Response {
    let mut response = json_response(StatusCode::OK, gw.inner.openapi.clone());
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn docs_page() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        DOCS_HTML,
    )
        .into_response()
}

async fn docs_script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        DOCS_JS,
    )
        .into_response()
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The client's address: the socket peer, or the first `X-Forwarded-For` hop behind a trusted
/// ingress.
fn client_address(config: &GatewayConfig, request: &Request) -> String {
    if config.trust_forwarded_for
        && let Some(forwarded) = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| v.parse::<std::net::IpAddr>().is_ok())
    {
        return forwarded.to_string();
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Whether a body's declared type is JSON (or undeclared).
fn is_json(headers: &HeaderMap) -> bool {
    match headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        None => true,
        Some(value) => {
            let mime = value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            mime == "application/json" || mime.ends_with("+json")
        }
    }
}

/// Every REST route of every service: match, authenticate, build the request message, call the
/// upstream, and map the reply or the error.
async fn transcode(State(gw): State<Gateway>, request: Request) -> Response {
    let request_id = request_id_of(&request);
    let lang = Lang::from_accept_language(request.headers().get(header::ACCEPT_LANGUAGE));
    let path = request.uri().path().to_string();
    let problem = |p: Problem| p.into_response(lang, &path, &request_id);

    let method = request.method().clone();
    let (route, params) = match gw.inner.table.find(&method, &path) {
        Match::Found(route, params) => (
            route,
            params
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>(),
        ),
        Match::MethodNotAllowed(allowed) => {
            let mut response = problem(Problem {
                status: StatusCode::METHOD_NOT_ALLOWED,
                detail: tinhso_proto::common::v1::ErrorDetail {
                    code: ErrorCode::MethodNotAllowed.into(),
                    message: "Đường dẫn này không hỗ trợ phương thức HTTP đã dùng".into(),
                    message_en: "this route does not support the HTTP method used".into(),
                    violations: Vec::new(),
                },
            });
            let allow: Vec<&str> = allowed.iter().map(Method::as_str).collect();
            if let Ok(v) = HeaderValue::from_str(&allow.join(", ")) {
                response.headers_mut().insert(header::ALLOW, v);
            }
            return response;
        }
        Match::NotFound => return problem(Problem::not_found_route()),
    };
    let mut response = match call(&gw, route, &params, request, &request_id).await {
        Ok(response) => response,
        Err(p) => problem(p),
    };
    response
        .extensions_mut()
        .insert(RouteLabel(route.template.clone()));
    response
}

async fn call(
    gw: &Gateway,
    route: &Route,
    params: &[(String, String)],
    request: Request,
    request_id: &str,
) -> Result<Response, Problem> {
    let inner = &gw.inner;
    let client = client_address(&inner.config, &request);
    if route.anonymous && route.http_method == Method::POST && !inner.login_limiter.allow(&client) {
        return Err(Problem::too_many_requests());
    }
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;

    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if !route.anonymous {
        let token = bearer
            .as_deref()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .ok_or_else(|| {
                Problem::from_app_error(&tinhso_platform::AppError::unauthenticated(
                    ErrorCode::MissingToken,
                ))
            })?;
        inner
            .verifier
            .verify(token.trim())
            .map_err(|e| Problem::from_app_error(&e))?;
    }

    let upload = matches!(route.transfer, Transfer::Upload(_));
    let json_body = !matches!(route.body, routes::BodyRule::None) && !upload;
    if json_body && !is_json(headers) {
        return Err(Problem::unsupported_media_type("application/json"));
    }
    let boundary = if upload {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        Some(
            multer::parse_boundary(content_type)
                .map_err(|_| Problem::unsupported_media_type("multipart/form-data"))?,
        )
    } else {
        None
    };
    // The http span's context when traces are recorded, else the caller's (or a new) trace.
    let traceparent = tinhso_platform::telemetry::current_traceparent().unwrap_or_else(|| {
        tinhso_platform::telemetry::continue_or_new(
            headers.get("traceparent").and_then(|v| v.to_str().ok()),
        )
    });
    let query = parts.uri.query().map(str::to_string);
    let limit = inner.config.max_body_bytes;
    let (json, body) = if json_body {
        let bytes = axum::body::to_bytes(body, limit)
            .await
            .map_err(|_| Problem::payload_too_large(limit))?;
        (bytes, None)
    } else {
        (Default::default(), Some(body))
    };

    let borrowed: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let message = transcode::request_message(route, &borrowed, query.as_deref(), &json)
        .map_err(|e| Problem::from_app_error(&e))?;

    let channel = inner.upstreams.get(&route.upstream).ok_or_else(|| {
        Problem::from_status(&tonic::Status::unavailable("no upstream configured"))
    })?;
    let mut metadata = tonic::metadata::MetadataMap::new();
    let mut put = |key: &'static str, value: &str| {
        if let Ok(v) = value.parse() {
            metadata.insert(key, v);
        }
    };
    if let Some(bearer) = &bearer {
        put("authorization", bearer);
    }
    put("x-request-id", request_id);
    put("traceparent", &traceparent);
    put("x-forwarded-for", &client);

    let path = route.grpc_path();
    let output = route.method.output();
    let deadline = |default_ms: u64| {
        Duration::from_millis(
            inner
                .config
                .route_timeouts_ms
                .get(&route.template)
                .copied()
                .unwrap_or(default_ms),
        )
    };
    match (&route.transfer, body, boundary) {
        (Transfer::Download, _, _) => {
            let timeout = deadline(inner.config.stream_timeout_ms);
            let stream =
                upstream::server_stream(channel, &path, output, message, metadata, timeout)
                    .await
                    .map_err(|status| Problem::from_status(&status))?;
            files::download(stream).await
        }
        (Transfer::Upload(field), Some(body), Some(boundary)) => {
            let timeout = deadline(inner.config.stream_timeout_ms);
            let messages = files::upload_messages(
                body,
                boundary,
                message,
                field.clone(),
                inner.config.max_upload_bytes,
            );
            let reply = messages
                .send(|stream| {
                    upstream::client_stream(channel, &path, output, stream, metadata, timeout)
                })
                .await?;
            unary_response(&reply)
        }
        _ => {
            let timeout = deadline(inner.config.request_timeout_ms);
            let reply = upstream::unary(
                channel,
                &path,
                output,
                message,
                metadata,
                timeout,
                route.is_idempotent_read(),
            )
            .await
            .map_err(|status| Problem::from_status(&status))?;
            unary_response(&reply)
        }
    }
}

fn unary_response(reply: &prost_reflect::DynamicMessage) -> Result<Response, Problem> {
    let json = transcode::response_json(reply).map_err(|e| Problem::from_app_error(&e))?;
    let text = String::from_utf8(json)
        .map_err(|e| Problem::from_app_error(&tinhso_platform::AppError::internal(e)))?;
    Ok(json_response(StatusCode::OK, text))
}
