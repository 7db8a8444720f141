//! The bus abstraction both implementations share.

use super::Event;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("broker unavailable: {0}")]
    Unavailable(String),
    #[error("broker error: {0}")]
    Other(String),
}

/// A durable consumer: a name that survives restarts, a subject filter, a redelivery limit.
#[derive(Debug, Clone)]
pub struct ConsumerSpec {
    /// The domain whose stream is read, e.g. `identity`.
    pub domain: String,
    /// Durable consumer name, e.g. `personnel-identity-units`.
    pub durable: String,
    /// NATS subject filter, e.g. `tinhso.identity.unit.>`.
    pub filter: String,
    /// Deliveries before a failing message goes to the dead-letter table.
    pub max_deliver: u64,
}

/// How a delivery is acknowledged.
pub enum AckHandle {
    Nats(Box<async_nats::jetstream::Message>),
    Local(oneshot::Sender<bool>),
}

impl std::fmt::Debug for AckHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Nats(_) => "AckHandle::Nats",
            Self::Local(_) => "AckHandle::Local",
        })
    }
}

/// One message handed to a consumer.
#[derive(Debug)]
pub struct Delivery {
    pub event: Event,
    /// 1 for the first delivery.
    pub attempt: u64,
    /// Messages still waiting for this consumer after this one (JetStream's count), when the
    /// bus knows it: the consumer's lag.
    pub pending: Option<u64>,
    pub ack: AckHandle,
}

impl Delivery {
    /// Confirms the message; it will not be delivered again.
    pub async fn ack(self) -> Result<(), BusError> {
        match self.ack {
            AckHandle::Nats(m) => m
                .ack()
                .await
                .map_err(|e| BusError::Unavailable(e.to_string())),
            AckHandle::Local(tx) => {
                let _ = tx.send(true);
                Ok(())
            }
        }
    }

    /// Asks for redelivery later.
    pub async fn nack(self) -> Result<(), BusError> {
        match self.ack {
            AckHandle::Nats(m) => m
                .ack_with(async_nats::jetstream::AckKind::Nak(Some(
                    std::time::Duration::from_millis(500),
                )))
                .await
                .map_err(|e| BusError::Unavailable(e.to_string())),
            AckHandle::Local(tx) => {
                let _ = tx.send(false);
                Ok(())
            }
        }
    }
}

pub type Subscription = mpsc::Receiver<Delivery>;

/// Publishes events and opens durable consumers.
pub trait Bus: Send + Sync + std::fmt::Debug {
    /// Publishes one event and returns once the broker has stored it. Publishing an id again is
    /// harmless: the broker drops the duplicate.
    fn publish<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), BusError>>;
    /// Opens (or resumes) the durable consumer.
    fn subscribe<'a>(
        &'a self,
        spec: &'a ConsumerSpec,
    ) -> BoxFuture<'a, Result<Subscription, BusError>>;
}

pub type SharedBus = Arc<dyn Bus>;

/// NATS subject matching with `*` (one token) and `>` (the rest).
pub fn subject_matches(filter: &str, subject: &str) -> bool {
    let mut f = filter.split('.');
    let mut s = subject.split('.');
    loop {
        match (f.next(), s.next()) {
            (Some(">"), Some(_)) => return true,
            (Some("*"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::subject_matches;

    #[test]
    fn wildcards_match_like_nats() {
        assert!(subject_matches(
            "tinhso.identity.>",
            "tinhso.identity.unit.moved.v1"
        ));
        assert!(subject_matches(
            "tinhso.*.unit.moved.v1",
            "tinhso.identity.unit.moved.v1"
        ));
        assert!(!subject_matches(
            "tinhso.identity.account.>",
            "tinhso.identity.unit.moved.v1"
        ));
        assert!(!subject_matches("tinhso.identity.>", "tinhso.identity"));
        assert!(subject_matches("a.b", "a.b"));
        assert!(!subject_matches("a.b", "a.b.c"));
    }
}
