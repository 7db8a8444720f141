//! The outbox under a broker outage: changes commit while the bus is down, events wait, and once
//! the bus is back every event reaches the consumer exactly once, even when the relay republishes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tinhso_platform::clock::{SharedClock, SystemClock};
use tinhso_platform::db::{Db, Migration, Migrator, Tx};
use tinhso_platform::events::{
    BoxFuture, Bus, BusError, ConsumerSpec, EVENTS_MIGRATION, Event, Handler, HandlerError, Outbox,
    SharedBus, Subscription,
};

/// A bus that can be switched off, like a broker that is down.
#[derive(Debug)]
struct SwitchableBus {
    inner: SharedBus,
    down: AtomicBool,
}

impl Bus for SwitchableBus {
    fn publish<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), BusError>> {
        Box::pin(async move {
            if self.down.load(Ordering::SeqCst) {
                return Err(BusError::Unavailable("broker down (test)".into()));
            }
            self.inner.publish(event).await
        })
    }
    fn subscribe<'a>(
        &'a self,
        spec: &'a ConsumerSpec,
    ) -> BoxFuture<'a, Result<Subscription, BusError>> {
        self.inner.subscribe(spec)
    }
}

/// Records each handled id (the table takes duplicates, so a second handling shows) and counts
/// every call, committed or not.
#[derive(Default)]
struct Recorder {
    calls: AtomicUsize,
}

impl Handler for Recorder {
    fn handle<'a>(
        &'a self,
        tx: &'a mut Tx,
        event: &'a Event,
    ) -> BoxFuture<'a, Result<(), HandlerError>> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            tinhso_platform::db::query("INSERT INTO handled (id) VALUES ($1)")
                .bind(&event.id)
                .execute(&*tx)
                .await?;
            Ok(())
        })
    }
}

const MIGRATOR: Migrator = Migrator {
    table: "outbox_test_schema",
    replaces: None,
    migrations: &[
        EVENTS_MIGRATION,
        Migration {
            name: "m0002_handled",
            sql: "CREATE TABLE handled (id TEXT NOT NULL)",
            postgres_only: "",
        },
    ],
};

async fn count(db: &Db, sql: &'static str) -> i64 {
    tinhso_platform::db::query(sql)
        .scalar(&db.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn broker_outage_delays_events_and_loses_or_duplicates_none() {
    let test_db = tinhso_testkit::database().await;
    let db = test_db.db.clone();
    MIGRATOR.run(&db).await.expect("migrate");
    let clock: SharedClock = Arc::new(SystemClock);
    let bus = Arc::new(SwitchableBus {
        inner: tinhso_testkit::bus().await,
        down: AtomicBool::new(true),
    });
    let domain = format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let outbox = Outbox::new();

    // 1,000 changes commit while the broker is down (in batches, as a service would).
    let mut ids = Vec::new();
    for batch in 0..10 {
        let mut tx = db.begin().await.expect("begin");
        for i in 0..100 {
            let e = Event::new(
                "tinhso/test",
                &format!("tinhso.{domain}.thing.created.v1"),
                &format!("{batch}-{i}"),
                0,
                vec![1, 2, 3],
            );
            ids.push(e.id.clone());
            outbox.enqueue(&mut tx, &e).await.expect("enqueue");
        }
        tx.commit().await.expect("commit");
    }
    let relay = outbox.relay(db.clone(), bus.clone(), clock.clone());
    assert!(
        relay.publish_pending().await.is_err(),
        "publishing fails while the broker is down"
    );
    assert_eq!(
        relay.pending().await.expect("pending"),
        1000,
        "every event waits in the outbox"
    );
    // Operators see the backlog and how long the oldest event has waited (events made at 0 ms,
    // sampled at 5 s).
    let gauges = tinhso_platform::metrics::Registry::new();
    tinhso_platform::metrics::sample_storage(&db, &gauges, 5_000)
        .await
        .expect("sample");
    let text = gauges.render();
    assert!(text.contains("outbox_pending_events 1000"), "{text}");
    assert!(
        text.contains("outbox_oldest_pending_age_seconds 5"),
        "{text}"
    );
    assert!(
        text.contains("db_pool_connections{state=\"in_use\"}"),
        "{text}"
    );

    // The broker returns: everything goes out.
    bus.down.store(false, Ordering::SeqCst);
    assert_eq!(relay.publish_pending().await.expect("publish"), 1000);
    assert_eq!(relay.pending().await.expect("pending"), 0);
    tinhso_platform::metrics::sample_storage(&db, &gauges, 6_000)
        .await
        .expect("sample");
    let text = gauges.render();
    assert!(text.contains("outbox_pending_events 0"), "{text}");
    assert!(
        text.contains("outbox_oldest_pending_age_seconds 0"),
        "{text}"
    );
    // A relay that died before marking would publish again: simulate it for every event.
    tinhso_platform::db::query("UPDATE outbox SET published_at = NULL")
        .execute(&db.pool)
        .await
        .expect("reset");
    assert_eq!(relay.publish_pending().await.expect("republish"), 1000);

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let durable = format!("{domain}-consumer");
    let spec = ConsumerSpec {
        domain: domain.clone(),
        durable: durable.clone(),
        filter: format!("tinhso.{domain}.>"),
        max_deliver: 5,
    };
    let consumer_db = db.clone();
    let recorder = Arc::new(Recorder::default());
    tokio::spawn(tinhso_platform::events::run_consumer(
        consumer_db,
        bus.clone(),
        clock,
        spec,
        recorder.clone(),
        async move {
            let mut s = stopped;
            let _ = s.changed().await;
        },
    ));
    let probe = db.clone();
    let all = tinhso_testkit::eventually(60, move || {
        let probe = probe.clone();
        async move { count(&probe, "SELECT COUNT(*) FROM handled").await == 1000 }
    })
    .await;
    assert!(
        all,
        "all 1,000 events delivered; handled {}",
        count(&db, "SELECT COUNT(*) FROM handled").await
    );
    // Give any duplicate a moment to show up, then check nothing was handled twice.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        recorder.calls.load(Ordering::SeqCst),
        1000,
        "the handler ran once per event, the republished copies skipped by the inbox"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM handled").await, 1000);
    assert_eq!(
        count(&db, "SELECT COUNT(DISTINCT id) FROM handled").await,
        1000
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM dead_letter").await, 0);
    // On JetStream the consumer reports its lag; with everything handled, the last delivery saw
    // nothing more waiting. (The in-process bus has no such count.)
    if tinhso_testkit::using_services() {
        let text = tinhso_platform::metrics::global().render();
        let lag = format!("events_consumer_pending_messages{{consumer=\"{durable}\"}} 0");
        assert!(text.contains(&lag), "{lag} in:\n{text}");
    }
    let _ = stop.send(true);
}

/// Every replica runs a relay. Two relays working the same outbox at once must not interleave
/// their batches: the stream carries each event once, in the order the changes were written.
#[tokio::test]
async fn two_relays_publish_each_event_once_in_order() {
    let test_db = tinhso_testkit::database().await;
    let db = test_db.db.clone();
    MIGRATOR.run(&db).await.expect("migrate");
    let clock: SharedClock = Arc::new(SystemClock);
    let bus = tinhso_testkit::bus().await;
    let domain = format!("r{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let outbox = Outbox::new();
    for batch in 0..30 {
        let mut tx = db.begin().await.expect("begin");
        for i in 0..20 {
            let e = Event::new(
                "tinhso/test",
                &format!("tinhso.{domain}.thing.changed.v1"),
                &format!("{:04}", batch * 20 + i),
                0,
                vec![],
            );
            outbox.enqueue(&mut tx, &e).await.expect("enqueue");
        }
        tx.commit().await.expect("commit");
    }
    // Two replicas' relays, small batches so that interleaving would show.
    let a = outbox
        .relay(db.clone(), bus.clone(), clock.clone())
        .with_batch(7);
    let b = outbox
        .relay(db.clone(), bus.clone(), clock.clone())
        .with_batch(5);
    loop {
        let (x, y) = tokio::join!(a.publish_pending(), b.publish_pending());
        x.expect("relay a");
        y.expect("relay b");
        if a.pending().await.expect("pending") == 0 {
            break;
        }
    }
    let spec = ConsumerSpec {
        domain: domain.clone(),
        durable: format!("{domain}-reader"),
        filter: format!("tinhso.{domain}.>"),
        max_deliver: 5,
    };
    let mut subscription = bus.subscribe(&spec).await.expect("subscribe");
    let mut seen = Vec::new();
    while seen.len() < 600 {
        let delivery =
            tokio::time::timeout(std::time::Duration::from_secs(10), subscription.recv())
                .await
                .expect("a delivery within 10 s")
                .expect("open");
        seen.push(delivery.event.subject.clone());
        delivery.ack().await.expect("ack");
    }
    let expected: Vec<String> = (0..600).map(|i| format!("{i:04}")).collect();
    assert_eq!(seen, expected, "each event once, in the order written");
    // Nothing more arrives.
    let extra =
        tokio::time::timeout(std::time::Duration::from_millis(500), subscription.recv()).await;
    assert!(extra.is_err(), "no duplicate after the 600");
}
