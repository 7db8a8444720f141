//! The in-process bus of the embedded dev mode and unit tests: an append-only log in memory with
//! per-consumer offsets, dedup by event id and redelivery on nack.

use super::Event;
use super::bus::{
    AckHandle, BoxFuture, Bus, BusError, ConsumerSpec, Delivery, Subscription, subject_matches,
};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot, watch};

#[derive(Debug, Default)]
struct State {
    log: Vec<Event>,
    ids: HashSet<String>,
    offsets: HashMap<String, usize>,
}

#[derive(Debug, Clone)]
pub struct InProcessBus {
    state: Arc<Mutex<State>>,
    length: Arc<watch::Sender<usize>>,
}

impl Default for InProcessBus {
    fn default() -> Self {
        Self::new()
    }
}

impl InProcessBus {
    pub fn new() -> Self {
        Self {
            state: Arc::default(),
            length: Arc::new(watch::channel(0).0),
        }
    }

    /// Every event stored so far, in order (for tests and diagnostics).
    pub fn events(&self) -> Vec<Event> {
        self.lock().log.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves a consistent log; keep serving.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn next_for(&self, spec: &ConsumerSpec) -> Option<(usize, Event)> {
        let state = self.lock();
        let start = state.offsets.get(&spec.durable).copied().unwrap_or(0);
        state.log[start.min(state.log.len())..]
            .iter()
            .enumerate()
            .find(|(_, e)| subject_matches(&spec.filter, &e.event_type))
            .map(|(i, e)| (start + i, e.clone()))
    }

    fn set_offset(&self, durable: &str, offset: usize) {
        self.lock().offsets.insert(durable.to_string(), offset);
    }

    async fn deliver_loop(self, spec: ConsumerSpec, tx: mpsc::Sender<Delivery>) {
        let mut length = self.length.subscribe();
        let mut attempt = 1;
        loop {
            let Some((index, event)) = self.next_for(&spec) else {
                if length.changed().await.is_err() {
                    return;
                }
                continue;
            };
            let (ack_tx, ack_rx) = oneshot::channel();
            let delivery = Delivery {
                event,
                attempt,
                pending: None,
                ack: AckHandle::Local(ack_tx),
            };
            if tx.send(delivery).await.is_err() {
                return;
            }
            match ack_rx.await {
                Ok(true) => {
                    self.set_offset(&spec.durable, index + 1);
                    attempt = 1;
                }
                Ok(false) => {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                // The consumer went away without an answer: redeliver to the next subscriber.
                Err(_) => return,
            }
        }
    }
}

impl Bus for InProcessBus {
    fn publish<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), BusError>> {
        Box::pin(async move {
            let len = {
                let mut state = self.lock();
                if state.ids.insert(event.id.clone()) {
                    state.log.push(event.clone());
                }
                state.log.len()
            };
            self.length.send_replace(len);
            Ok(())
        })
    }

    fn subscribe<'a>(
        &'a self,
        spec: &'a ConsumerSpec,
    ) -> BoxFuture<'a, Result<Subscription, BusError>> {
        Box::pin(async move {
            let (tx, rx) = mpsc::channel(1);
            tokio::spawn(self.clone().deliver_loop(spec.clone(), tx));
            Ok(rx)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str) -> Event {
        Event::new("tinhso/test", kind, "x", 0, vec![1])
    }

    #[tokio::test]
    async fn duplicate_ids_are_stored_once_and_nack_redelivers() {
        let bus = InProcessBus::new();
        let e = event("tinhso.test.thing.created.v1");
        bus.publish(&e).await.expect("publish");
        bus.publish(&e).await.expect("publish again");
        bus.publish(&event("tinhso.other.thing.created.v1"))
            .await
            .expect("publish");
        assert_eq!(bus.events().len(), 2);

        let spec = ConsumerSpec {
            domain: "test".into(),
            durable: "d".into(),
            filter: "tinhso.test.>".into(),
            max_deliver: 3,
        };
        let mut sub = bus.subscribe(&spec).await.expect("subscribe");
        let first = sub.recv().await.expect("delivery");
        assert_eq!(first.attempt, 1);
        first.nack().await.expect("nack");
        let again = sub.recv().await.expect("redelivery");
        assert_eq!(again.attempt, 2);
        assert_eq!(again.event.id, e.id);
        again.ack().await.expect("ack");
        let later = event("tinhso.test.thing.updated.v1");
        bus.publish(&later).await.expect("publish");
        let next = sub.recv().await.expect("delivery");
        assert_eq!(
            next.event.id, later.id,
            "filtered event skipped, acked one not redelivered"
        );
    }
}
