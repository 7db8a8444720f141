//! Logging, tracing and trace context. Logs go through tracing-subscriber (pretty in dev, JSON in
//! production). When `telemetry.otlp_endpoint` is set, spans are also exported over OTLP/gRPC
//! (OpenTelemetry), and every span continues the W3C trace of its caller: the gateway's request,
//! the gRPC call it makes, and the consumer of an event the call caused, across the broker.
//! Without OTLP the `traceparent` still travels (kept in a task-local), so logs and events of one
//! request carry the same trace id.

use crate::config::TelemetryConfig;
use opentelemetry::propagation::TextMapPropagator as _;
use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

tokio::task_local! {
    static TRACEPARENT: String;
}

/// Keeps the OTLP exporter alive; dropping it flushes the spans still buffered.
#[derive(Debug, Default)]
pub struct TelemetryGuard {
    provider: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take() {
            let _ = provider.shutdown();
        }
    }
}

/// Installs the global subscriber (and the OTLP exporter when configured) for `service`; later
/// calls are ignored (tests start many services). Call inside the tokio runtime.
pub fn init(config: &TelemetryConfig, service: &str) -> TelemetryGuard {
    let filter = EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let provider = if config.otlp_endpoint.is_empty() {
        None
    } else {
        match otlp_provider(&config.otlp_endpoint, service) {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("telemetry: otlp export disabled: {e}");
                None
            }
        }
    };
    let otel = provider
        .as_ref()
        .map(|p| tracing_opentelemetry::layer().with_tracer(p.tracer("tinhso")));
    let fmt = tracing_subscriber::fmt::layer().with_target(false);
    let registry = tracing_subscriber::registry().with(filter).with(otel);
    let result = if config.log_format == "json" {
        registry.with(fmt.json()).try_init()
    } else {
        registry.with(fmt).try_init()
    };
    if result.is_err() {
        return TelemetryGuard::default();
    }
    if let Some(p) = &provider {
        opentelemetry::global::set_tracer_provider(p.clone());
        tracing::info!(endpoint = %config.otlp_endpoint, "exporting traces over otlp");
    }
    TelemetryGuard { provider }
}

fn otlp_provider(
    endpoint: &str,
    service: &str,
) -> Result<opentelemetry_sdk::trace::SdkTracerProvider, opentelemetry_otlp::ExporterBuildError> {
    use opentelemetry_otlp::WithExportConfig as _;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint)
        .build()?;
    Ok(opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            opentelemetry_sdk::Resource::builder()
                .with_service_name(service.to_string())
                .build(),
        )
        .build())
}

/// The trace context to hand on (to an event, to an upstream call): the current span's when
/// OpenTelemetry records it, else the request's task-local traceparent, if any.
pub fn current_traceparent() -> Option<String> {
    let context = tracing::Span::current().context();
    let span = context.span();
    let span_context = span.span_context();
    if span_context.is_valid() {
        return Some(format!(
            "00-{}-{}-{:02x}",
            span_context.trace_id(),
            span_context.span_id(),
            span_context.trace_flags().to_u8()
        ));
    }
    TRACEPARENT.try_with(|t| t.clone()).ok()
}

/// Runs `fut` with `traceparent` as the current trace context.
pub async fn with_traceparent<F: std::future::Future>(traceparent: String, fut: F) -> F::Output {
    TRACEPARENT.scope(traceparent, fut).await
}

/// Makes `span` continue the remote trace of `traceparent` (a well-formed one; others are
/// ignored and the span starts a trace of its own).
pub fn continue_remote(span: &tracing::Span, traceparent: Option<&str>) {
    let Some(traceparent) = traceparent.filter(|t| is_valid_traceparent(t)) else {
        return;
    };
    let carrier =
        std::collections::HashMap::from([("traceparent".to_string(), traceparent.to_string())]);
    let context = TraceContextPropagator::new().extract(&carrier);
    let _ = span.set_parent(context);
}

/// A new W3C traceparent with random trace and span ids.
pub fn new_traceparent() -> String {
    let trace = uuid::Uuid::new_v4().simple().to_string();
    let span = &uuid::Uuid::new_v4().simple().to_string()[..16];
    format!("00-{trace}-{span}-01")
}

/// Accepts a well-formed incoming traceparent, else starts a new trace.
pub fn continue_or_new(incoming: Option<&str>) -> String {
    match incoming {
        Some(t) if is_valid_traceparent(t) => t.to_string(),
        _ => new_traceparent(),
    }
}

fn is_valid_traceparent(t: &str) -> bool {
    let parts: Vec<&str> = t.split('-').collect();
    parts.len() == 4
        && parts[0].len() == 2
        && parts[1].len() == 32
        && parts[2].len() == 16
        && parts[3].len() == 2
        && parts
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{Span as _, Tracer as _};
    use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
        TraceService, TraceServiceServer,
    };
    use opentelemetry_proto::tonic::collector::trace::v1::{
        ExportTraceServiceRequest, ExportTraceServiceResponse,
    };
    use std::sync::{Arc, Mutex};

    /// A stand-in OTLP collector that keeps what it receives.
    #[derive(Default, Clone)]
    struct Collector(Arc<Mutex<Vec<ExportTraceServiceRequest>>>);

    #[tonic::async_trait]
    impl TraceService for Collector {
        async fn export(
            &self,
            request: tonic::Request<ExportTraceServiceRequest>,
        ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(request.into_inner());
            Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn spans_reach_an_otlp_collector_with_the_service_name() {
        let collector = Collector::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = collector.clone();
        tokio::spawn(async move {
            tonic::transport::Server::builder()
                .add_service(TraceServiceServer::new(server))
                .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener))
                .await
        });
        let provider = otlp_provider(&format!("http://{addr}"), "tinhso-test").expect("provider");
        let mut span = provider.tracer("test").start("dang-ky-don-vi");
        span.end();
        let flushed = tokio::task::spawn_blocking(move || {
            let result = provider.force_flush();
            let _ = provider.shutdown();
            result
        })
        .await
        .expect("join");
        assert!(flushed.is_ok(), "{flushed:?}");
        let received = collector
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let spans: Vec<_> = received
            .iter()
            .flat_map(|r| &r.resource_spans)
            .flat_map(|rs| {
                let service = rs.resource.iter().flat_map(|r| &r.attributes).any(|kv| {
                    kv.key == "service.name" && format!("{:?}", kv.value).contains("tinhso-test")
                });
                rs.scope_spans
                    .iter()
                    .flat_map(|s| &s.spans)
                    .map(move |s| (service, s.name.clone()))
            })
            .collect();
        assert_eq!(spans, vec![(true, "dang-ky-don-vi".to_string())]);
    }

    #[tokio::test]
    async fn traceparent_is_scoped_to_the_request() {
        assert_eq!(current_traceparent(), None);
        let tp = new_traceparent();
        assert!(is_valid_traceparent(&tp));
        let seen = with_traceparent(tp.clone(), async { current_traceparent() }).await;
        assert_eq!(seen, Some(tp.clone()));
        assert_eq!(continue_or_new(Some(&tp)), tp);
        assert_ne!(continue_or_new(Some("garbage")), "garbage");
    }
}
