//! The transactional outbox and its relay. A service writes its change and the event row in one
//! transaction; the relay publishes unpublished rows in order, waits for the broker's ack, then
//! marks them. A broker outage delays events and never loses them; a relay that dies between
//! publishing and marking republishes the same id, which the broker and the inbox drop.

use super::Event;
use super::bus::SharedBus;
use crate::clock::SharedClock;
use crate::db::{Db, Tx};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Tables every service needs for events: the outbox, the consumers' inbox and dead letters, and
/// the token denylist fed by identity events. Include it in the service's migrator.
pub const OUTBOX_MIGRATION: &str = "
CREATE TABLE outbox (
    seq ID_PK,
    id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    source TEXT NOT NULL,
    subject TEXT NOT NULL,
    time_ms BIGINT NOT NULL,
    data BYTES NOT NULL,
    traceparent TEXT,
    published_at BIGINT
);
CREATE INDEX outbox_pending ON outbox (published_at, seq);
CREATE TABLE inbox (
    consumer TEXT NOT NULL,
    id TEXT NOT NULL,
    handled_at BIGINT NOT NULL,
    PRIMARY KEY (consumer, id)
);
CREATE TABLE dead_letter (
    seq ID_PK,
    consumer TEXT NOT NULL,
    id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    data BYTES NOT NULL,
    error TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    failed_at BIGINT NOT NULL
);
CREATE TABLE token_denylist (
    account_id TEXT PRIMARY KEY,
    not_before_ms BIGINT NOT NULL
)";

/// Writes events into the outbox inside the caller's transaction, and wakes the relay.
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    wake: Arc<Notify>,
}

impl Outbox {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the event to the transaction. Call `committed` after the commit.
    pub async fn enqueue(&self, tx: &mut Tx, event: &Event) -> Result<(), crate::db::DbErr> {
        crate::db::query(
            "INSERT INTO outbox (id, event_type, source, subject, time_ms, data, traceparent) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&event.id)
        .bind(&event.event_type)
        .bind(&event.source)
        .bind(&event.subject)
        .bind(event.time_ms)
        .bind(event.data.clone())
        .bind(event.traceparent.clone())
        .execute(&*tx)
        .await?;
        Ok(())
    }

    /// Tells the relay there is something new, so events go out without waiting for its poll.
    pub fn committed(&self) {
        self.wake.notify_one();
    }

    pub fn relay(&self, db: Db, bus: SharedBus, clock: SharedClock) -> Relay {
        Relay {
            db,
            bus,
            clock,
            wake: self.wake.clone(),
            batch: 200,
            poll: Duration::from_secs(1),
        }
    }
}

/// Publishes the outbox in order.
#[derive(Debug, Clone)]
pub struct Relay {
    db: Db,
    bus: SharedBus,
    clock: SharedClock,
    wake: Arc<Notify>,
    batch: i64,
    poll: Duration,
}

impl Relay {
    /// Publishes pending events until the outbox is empty or the bus fails; returns how many
    /// were published.
    pub async fn publish_pending(&self) -> Result<usize, crate::events::BusError> {
        let mut total = 0;
        loop {
            let rows = crate::db::query(
                "SELECT seq, id, event_type, source, subject, time_ms, data, traceparent \
                 FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1",
            )
            .bind(self.batch)
            .fetch_all(&self.db.pool)
            .await
            .map_err(|e| crate::events::BusError::Other(format!("outbox read: {e}")))?;
            if rows.is_empty() {
                return Ok(total);
            }
            for row in rows {
                let seq: i64 = row.try_get("", "seq").unwrap_or_default();
                let event = Event {
                    id: row.try_get("", "id").unwrap_or_default(),
                    event_type: row.try_get("", "event_type").unwrap_or_default(),
                    source: row.try_get("", "source").unwrap_or_default(),
                    subject: row.try_get("", "subject").unwrap_or_default(),
                    time_ms: row.try_get("", "time_ms").unwrap_or_default(),
                    data: row.try_get("", "data").unwrap_or_default(),
                    traceparent: row.try_get("", "traceparent").ok().flatten(),
                };
                self.bus.publish(&event).await?;
                crate::db::query("UPDATE outbox SET published_at = $1 WHERE seq = $2")
                    .bind(self.clock.now_ms())
                    .bind(seq)
                    .execute(&self.db.pool)
                    .await
                    .map_err(|e| crate::events::BusError::Other(format!("outbox mark: {e}")))?;
                total += 1;
            }
        }
    }

    /// Number of events not yet published.
    pub async fn pending(&self) -> Result<i64, crate::db::DbErr> {
        crate::db::query("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL")
            .scalar(&self.db.pool)
            .await
    }

    /// Runs until `shutdown` resolves: publishes on every wake-up or poll, backs off while the
    /// bus fails.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        let mut backoff = Duration::from_millis(200);
        loop {
            let wait = match self.publish_pending().await {
                Ok(n) => {
                    if n > 0 {
                        tracing::debug!(published = n, "outbox relayed");
                    }
                    backoff = Duration::from_millis(200);
                    self.poll
                }
                Err(e) => {
                    tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "outbox relay waiting for the bus");
                    let w = backoff;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                    w
                }
            };
            tokio::select! {
                _ = &mut shutdown => return,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }
}
