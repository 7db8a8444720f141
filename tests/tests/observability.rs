//! One REST call through gateway -> identity -> database -> outbox -> bus -> a consumer is one
//! trace: the gateway continues the caller's trace, the service's span is a child of the
//! gateway's, and the consumer's span continues the trace carried by the event across the broker.
//! The request id is on the gateway's and the service's spans (and so on every log line inside
//! them). Spans are collected by an in-memory exporter on the real OpenTelemetry pipeline.

use opentelemetry::trace::{SpanId, TraceId, TracerProvider as _};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
use serde_json::json;
use std::sync::{Arc, Mutex};
use tinhso_e2e::Platform;
use tinhso_platform::events::{BoxFuture, ConsumerSpec, Event, Handler, HandlerError};
use tracing_subscriber::layer::SubscriberExt as _;

#[derive(Debug, Clone, Default)]
struct Collected(Arc<Mutex<Vec<SpanData>>>);

impl SpanExporter for Collected {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(batch);
        Ok(())
    }
}

impl Collected {
    /// The span named `name` in `trace`, if recorded yet.
    fn in_trace(&self, name: &str, trace: TraceId) -> Option<SpanData> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|s| s.name == name && s.span_context.trace_id() == trace)
            .cloned()
    }

    fn find(&self, name: &str, attribute: (&str, &str)) -> Option<SpanData> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|s| {
                s.name == name
                    && s.attributes.iter().any(|kv| {
                        kv.key.as_str() == attribute.0 && kv.value.as_str().contains(attribute.1)
                    })
            })
            .cloned()
    }
}

/// Records the ids of the unit events it consumes.
#[derive(Debug, Default)]
struct Seen(Mutex<Vec<String>>);

impl Handler for Seen {
    fn handle<'a>(
        &'a self,
        _tx: &'a mut tinhso_platform::db::Tx,
        event: &'a Event,
    ) -> BoxFuture<'a, Result<(), HandlerError>> {
        Box::pin(async move {
            tracing::info!(event = %event.event_type, "consumed in the test");
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(event.event_type.clone());
            Ok(())
        })
    }
}

#[tokio::test(flavor = "current_thread")]
async fn one_rest_call_is_one_trace_across_gateway_service_and_broker() {
    let spans = Collected::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(spans.clone())
        .build();
    // At INFO, as services run by default: the storage layer's own TRACE spans stay out.
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::filter::LevelFilter::INFO)
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
    // One thread runs the gateway, the service, the relay and the consumer: the subscriber sees
    // them all.
    let _guard = tracing::subscriber::set_default(subscriber);

    let p = Platform::start().await;
    let token = p.admin().await;

    let consumer_db = tinhso_testkit::database().await;
    tinhso_platform::events::tables::events_only("observer_migrations")
        .run(&consumer_db.db)
        .await
        .expect("migrate");
    let seen = Arc::new(Seen::default());
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(tinhso_platform::events::run_consumer(
        consumer_db.db.clone(),
        p.bus.clone(),
        tinhso_platform::clock::system(),
        ConsumerSpec {
            domain: "identity".into(),
            durable: format!("observer-{}", uuid::Uuid::new_v4().simple()),
            filter: "tinhso.identity.unit.>".into(),
            max_deliver: 3,
        },
        seen.clone(),
        tinhso_platform::grpc::wait_for(stopped),
    ));

    // An outside caller with its own trace.
    // A fresh trace id per run: on NATS the stream keeps earlier runs' events.
    let caller_trace = uuid::Uuid::new_v4().simple().to_string();
    let traceparent = format!("00-{caller_trace}-00f067aa0ba902b7-01");
    let auth = format!("Bearer {token}");
    let body = json!({"code": "SYT", "name": "Sở Y tế", "kind": "UNIT_KIND_DEPARTMENT", "parentId": p.root_unit_id})
        .to_string();
    let r = tinhso_testkit::http::request(
        p.http,
        "POST",
        "/api/v1/units",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
            ("X-Request-Id", "quan-sat-1"),
            ("traceparent", &traceparent),
        ],
        Some(body.as_bytes()),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // On NATS the stream also holds earlier runs' events: wait for the consumer's span in this
    // request's trace, not merely for some unit event.
    let trace = TraceId::from_hex(&caller_trace).expect("trace id");
    let consumed = tinhso_testkit::eventually(20, || {
        let spans = spans.clone();
        async move { spans.in_trace("consume", trace).is_some() }
    })
    .await;
    assert!(
        consumed,
        "the unit event reached the consumer within the caller's trace"
    );
    assert!(
        seen.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .any(|t| t == "tinhso.identity.unit.created.v1")
    );

    let http = spans
        .find("http", ("request_id", "quan-sat-1"))
        .expect("the gateway's span");
    let grpc = spans
        .find("grpc", ("request_id", "quan-sat-1"))
        .expect("the service's span, with the request id");
    let consume = spans
        .in_trace("consume", trace)
        .expect("the consumer's span");
    assert!(
        consume
            .attributes
            .iter()
            .any(|kv| kv.key.as_str() == "event_type"
                && kv.value.as_str() == "tinhso.identity.unit.created.v1")
    );
    assert_eq!(
        http.span_context.trace_id(),
        trace,
        "the gateway continues the caller's trace"
    );
    assert_eq!(
        http.parent_span_id,
        SpanId::from_hex("00f067aa0ba902b7").expect("span id")
    );
    assert_eq!(grpc.span_context.trace_id(), trace);
    assert_eq!(
        grpc.parent_span_id,
        http.span_context.span_id(),
        "service span is the gateway's child"
    );
    assert_eq!(
        consume.span_context.trace_id(),
        trace,
        "the trace crosses the broker"
    );
    assert_eq!(
        consume.parent_span_id,
        grpc.span_context.span_id(),
        "the consumer continues the span that wrote the event"
    );
}
