//! NATS back without its stream (a lost disk, a restored server, `nats stream rm`): the relay
//! recreates the stream on its next publish and the consumer rebuilds its durable consumer, so
//! events written after the loss are delivered with no restart. Runs on NATS only
//! (`make test-services`).

use std::sync::Arc;
use tinhso_platform::clock::{SharedClock, SystemClock};
use tinhso_platform::db::{Db, Migration, Migrator, Tx};
use tinhso_platform::events::{
    BoxFuture, ConsumerSpec, EVENTS_MIGRATION, Event, Handler, HandlerError, NatsBus, Outbox,
    SharedBus, stream_name,
};

struct Recorder;

impl Handler for Recorder {
    fn handle<'a>(
        &'a self,
        tx: &'a mut Tx,
        event: &'a Event,
    ) -> BoxFuture<'a, Result<(), HandlerError>> {
        Box::pin(async move {
            tinhso_platform::db::query("INSERT INTO handled (id) VALUES ($1)")
                .bind(&event.id)
                .execute(&*tx)
                .await?;
            Ok(())
        })
    }
}

const MIGRATOR: Migrator = Migrator {
    table: "stream_loss_test_schema",
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

async fn handled(db: &Db, ids: &[String]) -> usize {
    let mut n = 0;
    for id in ids {
        let found: i64 = tinhso_platform::db::query("SELECT COUNT(*) FROM handled WHERE id = $1")
            .bind(id)
            .scalar(&db.pool)
            .await
            .expect("count");
        n += usize::from(found > 0);
    }
    n
}

async fn write(db: &Db, outbox: &Outbox, domain: &str, n: usize) -> Vec<String> {
    let mut tx = db.begin().await.expect("begin");
    let mut ids = Vec::new();
    for i in 0..n {
        let e = Event::new(
            "tinhso/test",
            &format!("tinhso.{domain}.thing.created.v1"),
            &i.to_string(),
            0,
            vec![7],
        );
        ids.push(e.id.clone());
        outbox.enqueue(&mut tx, &e).await.expect("enqueue");
    }
    tx.commit().await.expect("commit");
    ids
}

fn consumer(
    db: &Db,
    bus: &SharedBus,
    domain: &str,
    stopped: tokio::sync::watch::Receiver<bool>,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    tinhso_platform::events::run_consumer(
        db.clone(),
        bus.clone(),
        Arc::new(SystemClock),
        ConsumerSpec {
            domain: domain.to_string(),
            durable: format!("{domain}-consumer"),
            filter: format!("tinhso.{domain}.>"),
            max_deliver: 5,
        },
        Arc::new(Recorder),
        async move {
            let mut s = stopped;
            let _ = s.changed().await;
        },
    )
}

async fn all_handled(db: &Db, ids: &[String]) -> bool {
    let (db, ids) = (db.clone(), ids.to_vec());
    tinhso_testkit::eventually(30, move || {
        let (db, ids) = (db.clone(), ids.clone());
        async move { handled(&db, &ids).await == ids.len() }
    })
    .await
}

#[tokio::test]
async fn a_lost_stream_is_recreated_and_consumers_rebuilt() {
    let Ok(nats_url) = std::env::var("TINHSO_TEST_NATS_URL") else {
        return;
    };
    let test_db = tinhso_testkit::database().await;
    let db = test_db.db.clone();
    MIGRATOR.run(&db).await.expect("migrate");
    let clock: SharedClock = Arc::new(SystemClock);
    // The publishing service and the consuming one are separate processes: separate buses.
    let publisher: SharedBus = Arc::new(NatsBus::connect(&nats_url).await.expect("nats"));
    let subscriber: SharedBus = Arc::new(NatsBus::connect(&nats_url).await.expect("nats"));
    let domain = format!("loss{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let outbox = Outbox::new();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let relay = outbox.relay(db.clone(), publisher.clone(), clock.clone());
    tokio::spawn(relay.run(async move {
        let mut s = stopped;
        let _ = s.changed().await;
    }));
    let jetstream = async_nats::jetstream::new(async_nats::connect(&nats_url).await.expect("nats"));

    // 1. Under way, then the stream is lost while the consumer runs: it rebuilds itself.
    let (stop_first, first_stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(consumer(&db, &subscriber, &domain, first_stopped));
    let before = write(&db, &outbox, &domain, 50).await;
    assert!(
        all_handled(&db, &before).await,
        "events flow before the loss"
    );
    jetstream
        .delete_stream(stream_name(&domain))
        .await
        .expect("stream deleted");
    let mut after = Vec::new();
    for _ in 0..5 {
        after.extend(write(&db, &outbox, &domain, 20).await);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        all_handled(&db, &after).await,
        "events written after the loss are delivered; {} of {}",
        handled(&db, &after).await,
        after.len()
    );

    // 2. Lost again with no consumer about (the consumers are in services that are down): the
    // publishing service alone must bring the stream back, and its backlog goes out.
    let _ = stop_first.send(true);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    jetstream
        .delete_stream(stream_name(&domain))
        .await
        .expect("stream deleted again");
    let later = write(&db, &outbox, &domain, 40).await;
    let drained = tinhso_testkit::eventually(30, || {
        let relay = outbox.relay(db.clone(), publisher.clone(), Arc::new(SystemClock));
        async move { relay.pending().await.is_ok_and(|n| n == 0) }
    })
    .await;
    assert!(
        drained,
        "the relay recreated the stream and published its backlog"
    );
    let (_stop_second, second_stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(consumer(&db, &subscriber, &domain, second_stopped));
    assert!(
        all_handled(&db, &later).await,
        "a consumer started afterwards receives them; {} of {}",
        handled(&db, &later).await,
        later.len()
    );
    let _ = stop.send(true);
}
