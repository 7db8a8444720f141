//! The consumer harness: each delivery is handled in one transaction that also records its id in
//! the inbox, so a redelivered or republished event is acked and skipped. A message that keeps
//! failing goes to the dead-letter table after `max_deliver` attempts.

use super::Event;
use super::bus::{BoxFuture, ConsumerSpec, SharedBus};
use super::tables::{dead_letter, inbox};
use crate::clock::SharedClock;
use crate::db::{Db, Tx};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::EntityTrait;
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument as _;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HandlerError(pub String);

impl From<crate::db::DbErr> for HandlerError {
    fn from(e: crate::db::DbErr) -> Self {
        Self(e.to_string())
    }
}

/// What a service does with one event, inside the inbox transaction.
pub trait Handler: Send + Sync {
    fn handle<'a>(
        &'a self,
        tx: &'a mut Tx,
        event: &'a Event,
    ) -> BoxFuture<'a, Result<(), HandlerError>>;
}

enum Outcome {
    Handled,
    Duplicate,
    Failed(String),
}

async fn handle_once(
    db: &Db,
    spec: &ConsumerSpec,
    handler: &dyn Handler,
    event: &Event,
    now: i64,
) -> Result<Outcome, crate::db::DbErr> {
    let mut tx = db.begin().await?;
    let inserted = inbox::Entity::insert(inbox::ActiveModel {
        consumer: Set(spec.durable.clone()),
        id: Set(event.id.clone()),
        handled_at: Set(crate::db::at(now)),
    })
    .exec_without_returning(&tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if crate::db::is_unique_violation(&e) => {
            tx.rollback().await?;
            return Ok(Outcome::Duplicate);
        }
        Err(e) => return Err(e),
    }
    match handler.handle(&mut tx, event).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Outcome::Handled)
        }
        Err(e) => {
            tx.rollback().await?;
            Ok(Outcome::Failed(e.0))
        }
    }
}

async fn dead_letter(
    db: &Db,
    spec: &ConsumerSpec,
    event: &Event,
    error: &str,
    attempts: u64,
    now: i64,
) -> Result<(), crate::db::DbErr> {
    dead_letter::Entity::insert(dead_letter::ActiveModel {
        seq: NotSet,
        consumer: Set(spec.durable.clone()),
        id: Set(event.id.clone()),
        event_type: Set(event.event_type.clone()),
        data: Set(event.data.clone()),
        error: Set(error.to_string()),
        attempts: Set(attempts as i64),
        failed_at: Set(crate::db::at(now)),
    })
    .exec_without_returning(&db.pool)
    .await?;
    Ok(())
}

/// Consumes `spec` until `shutdown` resolves, resubscribing when the bus drops the subscription.
pub async fn run_consumer(
    db: Db,
    bus: SharedBus,
    clock: SharedClock,
    spec: ConsumerSpec,
    handler: Arc<dyn Handler>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        let mut subscription = tokio::select! {
            _ = &mut shutdown => return,
            s = bus.subscribe(&spec) => match s {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(consumer = %spec.durable, error = %e, "cannot subscribe; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
        };
        loop {
            let delivery = tokio::select! {
                _ = &mut shutdown => return,
                d = subscription.recv() => match d {
                    Some(d) => d,
                    None => {
                        // The subscription ended (the broker lost the consumer or the stream):
                        // a moment, then subscribe again.
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        break;
                    }
                },
            };
            let now = clock.now_ms();
            if let Some(pending) = delivery.pending {
                crate::metrics::global().set(
                    "events_consumer_pending_messages",
                    "Events published that this consumer has not handled yet (its lag).",
                    &[("consumer", &spec.durable)],
                    pending as f64,
                );
            }
            // The handling continues the trace of the change that produced the event.
            let span = tracing::info_span!(
                "consume",
                consumer = %spec.durable,
                event_type = %delivery.event.event_type,
                event_id = %delivery.event.id,
            );
            crate::telemetry::continue_remote(&span, delivery.event.traceparent.as_deref());
            let traceparent =
                crate::telemetry::continue_or_new(delivery.event.traceparent.as_deref());
            let outcome = crate::telemetry::with_traceparent(
                traceparent,
                handle_once(&db, &spec, handler.as_ref(), &delivery.event, now),
            )
            .instrument(span)
            .await;
            let result = match outcome {
                Ok(Outcome::Handled) | Ok(Outcome::Duplicate) => delivery.ack().await,
                Ok(Outcome::Failed(error)) if delivery.attempt >= spec.max_deliver => {
                    tracing::error!(consumer = %spec.durable, id = %delivery.event.id, %error, "event dead-lettered");
                    match dead_letter(&db, &spec, &delivery.event, &error, delivery.attempt, now)
                        .await
                    {
                        Ok(()) => delivery.ack().await,
                        Err(e) => {
                            tracing::error!(error = %e, "cannot dead-letter; will retry");
                            delivery.nack().await
                        }
                    }
                }
                Ok(Outcome::Failed(error)) => {
                    tracing::warn!(consumer = %spec.durable, id = %delivery.event.id, attempt = delivery.attempt, %error, "event handling failed; will retry");
                    delivery.nack().await
                }
                Err(e) => {
                    tracing::warn!(consumer = %spec.durable, error = %e, "database error; will retry");
                    delivery.nack().await
                }
            };
            if let Err(e) = result {
                tracing::warn!(consumer = %spec.durable, error = %e, "ack failed");
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
