//! The transactional outbox and its relay. A service writes its change and the event row in one
//! transaction; the relay publishes unpublished rows in order, waits for the broker's ack, then
//! marks them. A broker outage delays events and never loses them; a relay that dies between
//! publishing and marking republishes the same id, which the broker and the inbox drop.

use super::Event;
use super::bus::SharedBus;
use super::tables::outbox;
use crate::clock::SharedClock;
use crate::db::{self, Db, DbErr, Tx};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

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
    pub async fn enqueue(&self, tx: &mut Tx, event: &Event) -> Result<(), DbErr> {
        outbox::Entity::insert(outbox::ActiveModel {
            seq: NotSet,
            id: Set(event.id.clone()),
            event_type: Set(event.event_type.clone()),
            source: Set(event.source.clone()),
            subject: Set(event.subject.clone()),
            occurred_at: Set(db::at(event.time_ms)),
            data: Set(event.data.clone()),
            traceparent: Set(event.traceparent.clone()),
            published_at: Set(None),
        })
        .exec_without_returning(&*tx)
        .await?;
        Ok(())
    }

    /// Tells the relay there is something new, so events go out without waiting for its poll.
    pub fn committed(&self) {
        self.wake.notify_one();
    }

    /// Commits the transaction that wrote a change and its events, then wakes the relay.
    pub async fn commit(&self, tx: Tx) -> Result<(), DbErr> {
        tx.commit().await?;
        self.committed();
        Ok(())
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

/// The advisory-lock key of the relay: one per database, and each service has its own database.
const RELAY_LOCK: i64 = 0x7469_6e68_736f_0001;

/// Publishes the outbox in order.
#[derive(Debug, Clone)]
pub struct Relay {
    db: Db,
    bus: SharedBus,
    clock: SharedClock,
    wake: Arc<Notify>,
    batch: u64,
    poll: Duration,
}

impl Relay {
    /// Publishes pending events until the outbox is empty or the bus fails; returns how many
    /// were published. Each batch runs in a transaction that first takes the service's relay
    /// lock (a PostgreSQL advisory lock; SQLite's one connection serialises the same way), so of
    /// the replicas' relays one publishes at a time and the stream keeps the outbox's order; a
    /// replica that finds the lock taken leaves the batch to the one holding it.
    pub async fn publish_pending(&self) -> Result<usize, crate::events::BusError> {
        let other = |what: &str, e: DbErr| crate::events::BusError::Other(format!("{what}: {e}"));
        let mut total = 0;
        loop {
            let tx = self
                .db
                .begin()
                .await
                .map_err(|e| other("outbox begin", e))?;
            if !self
                .take_relay_lock(&tx)
                .await
                .map_err(|e| other("outbox lock", e))?
            {
                return Ok(total);
            }
            let rows = outbox::Entity::find()
                .filter(outbox::Column::PublishedAt.is_null())
                .order_by_asc(outbox::Column::Seq)
                .limit(self.batch)
                .all(&tx)
                .await
                .map_err(|e| other("outbox read", e))?;
            if rows.is_empty() {
                tx.commit().await.map_err(|e| other("outbox commit", e))?;
                return Ok(total);
            }
            for row in rows {
                let seq = row.seq;
                let event = Event {
                    id: row.id,
                    event_type: row.event_type,
                    source: row.source,
                    subject: row.subject,
                    time_ms: db::millis(row.occurred_at),
                    data: row.data,
                    traceparent: row.traceparent,
                };
                if let Err(e) = self.bus.publish(&event).await {
                    // Keep the marks of what did go out; the rest waits for the next attempt.
                    tx.commit().await.map_err(|e| other("outbox commit", e))?;
                    return Err(e);
                }
                outbox::Entity::update_many()
                    .col_expr(
                        outbox::Column::PublishedAt,
                        Expr::value(db::at(self.clock.now_ms())),
                    )
                    .filter(outbox::Column::Seq.eq(seq))
                    .exec(&tx)
                    .await
                    .map_err(|e| other("outbox mark", e))?;
                total += 1;
            }
            tx.commit().await.map_err(|e| other("outbox commit", e))?;
        }
    }

    /// Publishes at most `n` events per batch (a batch holds the relay lock while it runs).
    pub fn with_batch(mut self, n: u64) -> Self {
        self.batch = n.max(1);
        self
    }

    /// Takes the relay lock for the transaction, if no other relay holds it.
    async fn take_relay_lock(&self, tx: &Tx) -> Result<bool, DbErr> {
        if self.db.backend != db::Backend::Postgres {
            return Ok(true);
        }
        db::query(format!("SELECT pg_try_advisory_xact_lock({RELAY_LOCK})"))
            .scalar::<bool, _>(tx)
            .await
    }

    /// Number of events not yet published.
    pub async fn pending(&self) -> Result<u64, DbErr> {
        outbox::Entity::find()
            .filter(outbox::Column::PublishedAt.is_null())
            .count(&self.db.pool)
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
