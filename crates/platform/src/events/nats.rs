//! The bus over NATS JetStream: one stream per domain (`TINHSO_<DOMAIN>`, subjects
//! `tinhso.<domain>.>`, file storage, a duplicate window wider than the relay's retry horizon),
//! CloudEvents binary-mode headers, durable pull consumers with explicit ack.

use super::bus::{AckHandle, BoxFuture, Bus, BusError, ConsumerSpec, Delivery, Subscription};
use super::{Event, stream_name};
use async_nats::HeaderMap;
use async_nats::jetstream::{self, consumer, stream};
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_stream::StreamExt;

/// How long the broker remembers message ids to drop duplicates.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug)]
pub struct NatsBus {
    js: jetstream::Context,
    ensured: Mutex<HashSet<String>>,
}

impl NatsBus {
    /// Connects to NATS. The client keeps reconnecting in the background, so a broker that is down
    /// at start only delays events (they wait in the outbox).
    pub async fn connect(url: &str) -> Result<Self, BusError> {
        let client = async_nats::ConnectOptions::new()
            .retry_on_initial_connect()
            .connection_timeout(Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(|e| BusError::Unavailable(e.to_string()))?;
        let js = jetstream::ContextBuilder::new()
            .timeout(Duration::from_secs(5))
            .build(client);
        Ok(Self {
            js,
            ensured: Mutex::new(HashSet::new()),
        })
    }

    /// Creates the domain's stream if it does not exist yet.
    pub async fn ensure_stream(&self, domain: &str) -> Result<stream::Stream, BusError> {
        let name = stream_name(domain);
        let stream = self
            .js
            .get_or_create_stream(stream::Config {
                name: name.clone(),
                subjects: vec![format!("tinhso.{domain}.>")],
                storage: stream::StorageType::File,
                duplicate_window: DUPLICATE_WINDOW,
                ..Default::default()
            })
            .await
            .map_err(|e| BusError::Unavailable(e.to_string()))?;
        self.ensured
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name);
        Ok(stream)
    }

    /// Forgets that the domain's stream exists, so the next publish makes sure of it again: the
    /// stream may have been lost (a broker restored without its disk, `nats stream rm`).
    fn forget_stream(&self, domain: &str) {
        self.ensured
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&stream_name(domain));
    }

    fn is_ensured(&self, domain: &str) -> bool {
        self.ensured
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&stream_name(domain))
    }
}

fn headers_of(event: &Event) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("ce-specversion", "1.0");
    h.insert("ce-id", event.id.as_str());
    h.insert("ce-source", event.source.as_str());
    h.insert("ce-type", event.event_type.as_str());
    h.insert("ce-time", crate::clock::rfc3339(event.time_ms).as_str());
    h.insert("ce-subject", event.subject.as_str());
    h.insert("content-type", "application/protobuf");
    if let Some(tp) = &event.traceparent {
        h.insert("traceparent", tp.as_str());
    }
    h.insert(async_nats::header::NATS_MESSAGE_ID, event.id.as_str());
    h
}

fn event_of(message: &async_nats::jetstream::Message) -> Event {
    let header = |name: &str| {
        message
            .headers
            .as_ref()
            .and_then(|h| h.get(name))
            .map(|v| v.as_str().to_string())
    };
    let time_ms = header("ce-time")
        .and_then(|t| {
            time::OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339).ok()
        })
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .unwrap_or_default();
    Event {
        id: header("ce-id").unwrap_or_default(),
        event_type: header("ce-type").unwrap_or_else(|| message.subject.to_string()),
        source: header("ce-source").unwrap_or_default(),
        subject: header("ce-subject").unwrap_or_default(),
        time_ms,
        data: message.payload.to_vec(),
        traceparent: header("traceparent"),
    }
}

impl Bus for NatsBus {
    fn publish<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), BusError>> {
        Box::pin(async move {
            if !self.is_ensured(event.domain()) {
                self.ensure_stream(event.domain()).await?;
            }
            let published = async {
                self.js
                    .send_publish(
                        event.event_type.clone(),
                        jetstream::message::PublishMessage::build()
                            .payload(event.data.clone().into())
                            .headers(headers_of(event)),
                    )
                    .await
                    .map_err(|e| BusError::Unavailable(e.to_string()))?
                    .await
                    .map_err(|e| BusError::Unavailable(e.to_string()))
            };
            match published.await {
                Ok(_) => Ok(()),
                Err(e) => {
                    // No stream takes the subject any more ("no responders"), or the broker is
                    // away: either way the relay retries, and the next attempt recreates the
                    // stream if it is gone.
                    self.forget_stream(event.domain());
                    Err(e)
                }
            }
        })
    }

    fn subscribe<'a>(
        &'a self,
        spec: &'a ConsumerSpec,
    ) -> BoxFuture<'a, Result<Subscription, BusError>> {
        Box::pin(async move {
            let stream = self.ensure_stream(&spec.domain).await?;
            let consumer: consumer::PullConsumer = stream
                .get_or_create_consumer(
                    &spec.durable,
                    consumer::pull::Config {
                        durable_name: Some(spec.durable.clone()),
                        filter_subject: spec.filter.clone(),
                        ack_policy: consumer::AckPolicy::Explicit,
                        ack_wait: Duration::from_secs(30),
                        // The harness dead-letters at max_deliver; the broker keeps a margin.
                        max_deliver: (spec.max_deliver as i64).saturating_add(2),
                        ..Default::default()
                    },
                )
                .await
                .map_err(|e| BusError::Unavailable(e.to_string()))?;
            let mut messages = consumer
                .messages()
                .await
                .map_err(|e| BusError::Unavailable(e.to_string()))?;
            let (tx, rx) = mpsc::channel(16);
            let durable = spec.durable.clone();
            tokio::spawn(async move {
                while let Some(item) = messages.next().await {
                    let message = match item {
                        Ok(m) => m,
                        Err(e) => {
                            // Missed heartbeats, a deleted consumer or stream: end this
                            // subscription; the consumer loop subscribes again, which recreates
                            // the stream and the durable consumer if they are gone (the durable
                            // keeps its place when it still exists).
                            tracing::warn!(consumer = %durable, error = %e, "nats consumer error; subscribing again");
                            return;
                        }
                    };
                    let (attempt, pending) = message
                        .info()
                        .map(|i| (i.delivered.max(1) as u64, Some(i.pending)))
                        .unwrap_or((1, None));
                    let delivery = Delivery {
                        event: event_of(&message),
                        attempt,
                        pending,
                        ack: AckHandle::Nats(Box::new(message)),
                    };
                    if tx.send(delivery).await.is_err() {
                        return;
                    }
                }
            });
            Ok(rx)
        })
    }
}
