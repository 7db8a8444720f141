//! Change events: the transactional outbox, the relay that publishes it, the consumer harness with
//! inbox dedup and dead-lettering, and the bus they run over (NATS JetStream in production, an
//! in-process bus in the embedded dev mode and unit tests).
//!
//! Events are CloudEvents 1.0 in binary mode: `ce-*` headers, `Nats-Msg-Id` = `ce-id`, the body a
//! protobuf message. Subject = type = `tinhso.<domain>.<aggregate>.<event>.v1`.

mod bus;
mod consumer;
mod inprocess;
mod nats;
mod outbox;
pub mod tables;

pub use bus::{
    AckHandle, BoxFuture, Bus, BusError, ConsumerSpec, Delivery, SharedBus, Subscription,
    subject_matches,
};
pub use consumer::{Handler, HandlerError, run_consumer};
pub use inprocess::InProcessBus;
pub use nats::NatsBus;
pub use outbox::{Outbox, Relay};
pub use tables::EVENTS_MIGRATION;

use crate::clock::UnixMillis;

/// One change event as it travels from the outbox to consumers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Unique id (UUID v7); the broker's dedup id and the consumers' inbox key.
    pub id: String,
    /// `tinhso.<domain>.<aggregate>.<event>.v1`; also the NATS subject.
    pub event_type: String,
    /// `tinhso/<service>`.
    pub source: String,
    /// The aggregate's id (`ce-subject`).
    pub subject: String,
    pub time_ms: UnixMillis,
    /// The protobuf-encoded body.
    pub data: Vec<u8>,
    /// W3C trace context of the change that produced the event.
    pub traceparent: Option<String>,
}

impl Event {
    /// A new event with a fresh id.
    pub fn new(
        source: &str,
        event_type: &str,
        subject: &str,
        time_ms: UnixMillis,
        data: Vec<u8>,
    ) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            event_type: event_type.to_string(),
            source: source.to_string(),
            subject: subject.to_string(),
            time_ms,
            data,
            traceparent: crate::telemetry::current_traceparent(),
        }
    }

    /// The service domain of the type: `tinhso.identity.unit.moved.v1` -> `identity`.
    pub fn domain(&self) -> &str {
        self.event_type.split('.').nth(1).unwrap_or_default()
    }
}

/// The stream that holds a domain's events: `TINHSO_IDENTITY`.
pub fn stream_name(domain: &str) -> String {
    format!("TINHSO_{}", domain.to_ascii_uppercase())
}
