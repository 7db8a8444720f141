//! A consumer of a service's events for tests, as the reporting service will consume them: on
//! its own database (the inbox), recording the (event type, subject) of each event it handles.

use std::sync::{Arc, Mutex};
use tinhso_platform::events::{
    BoxFuture, ConsumerSpec, Event, Handler, HandlerError, SharedBus, run_consumer,
};

/// Records (event type, subject, data) of what it consumes.
#[derive(Debug, Default)]
pub struct Seen(Mutex<Vec<(String, String, Vec<u8>)>>);

impl Seen {
    pub fn has(&self, event_type: &str, subject: &str) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .any(|(t, s, _)| t == event_type && s == subject)
    }

    /// The data of the first event of `event_type` about `subject`.
    pub fn data(&self, event_type: &str, subject: &str) -> Option<Vec<u8>> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|(t, s, _)| t == event_type && s == subject)
            .map(|(_, _, d)| d.clone())
    }
}

impl Handler for Seen {
    fn handle<'a>(
        &'a self,
        _tx: &'a mut tinhso_platform::db::Tx,
        event: &'a Event,
    ) -> BoxFuture<'a, Result<(), HandlerError>> {
        Box::pin(async move {
            self.0.lock().unwrap_or_else(|p| p.into_inner()).push((
                event.event_type.clone(),
                event.subject.clone(),
                event.data.clone(),
            ));
            Ok(())
        })
    }
}

/// A consumer of `domain`'s events matching `filter` on `bus`, until `stop` is dropped or fires;
/// what it has seen, and the database it keeps its inbox in (keep it alive).
pub async fn consume(
    bus: SharedBus,
    domain: &str,
    filter: &str,
    stop: tokio::sync::watch::Receiver<bool>,
) -> (Arc<Seen>, crate::TestDb) {
    let db = crate::database().await;
    tinhso_platform::events::tables::events_only("consumer_migrations")
        .run(&db.db)
        .await
        .unwrap_or_else(|e| panic!("consumer tables: {e}"));
    let seen = Arc::new(Seen::default());
    tokio::spawn(run_consumer(
        db.db.clone(),
        bus,
        tinhso_platform::clock::system(),
        ConsumerSpec {
            domain: domain.into(),
            durable: format!("reporting-test-{}", uuid::Uuid::new_v4().simple()),
            filter: filter.into(),
            max_deliver: 3,
        },
        seen.clone(),
        tinhso_platform::grpc::wait_for(stop),
    ));
    (seen, db)
}
