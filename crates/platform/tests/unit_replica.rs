//! The unit replica every service keeps follows identity's versions: an event older than what
//! it holds (a replay from the stream, a batch a dying relay published twice) changes nothing.

use prost::Message as _;
use tinhso_platform::db::Migrator;
use tinhso_platform::events::{EVENTS_MIGRATION, Event, Handler};
use tinhso_platform::units::{
    UNIT_REPLICA_MIGRATION, UNIT_REPLICA_VERSION_MIGRATION, UnitHooks, UnitReplica, get,
};
use tinhso_proto::identity::v1::UnitChanged;

struct NoHooks;
impl UnitHooks for NoHooks {}

const MIGRATOR: Migrator = Migrator {
    table: "replica_test_schema",
    replaces: None,
    migrations: &[
        EVENTS_MIGRATION,
        UNIT_REPLICA_MIGRATION,
        UNIT_REPLICA_VERSION_MIGRATION,
    ],
};

fn changed(change: &str, name: &str, version: i64) -> Event {
    let body = UnitChanged {
        unit_id: "u1".into(),
        new_path: "/root/u1/".into(),
        name: name.into(),
        code: "HCL".into(),
        kind: "district".into(),
        version,
        ..Default::default()
    };
    Event::new(
        "tinhso/identity",
        &format!("tinhso.identity.unit.{change}.v1"),
        "u1",
        0,
        body.encode_to_vec(),
    )
}

#[tokio::test]
async fn an_older_unit_event_changes_nothing() {
    let test_db = tinhso_testkit::database().await;
    let db = test_db.db.clone();
    MIGRATOR.run(&db).await.expect("migrate");
    let replica = UnitReplica(NoHooks);
    let apply = |event: Event| {
        let (db, replica) = (db.clone(), &replica);
        async move {
            let mut tx = db.begin().await.expect("begin");
            replica.handle(&mut tx, &event).await.expect("handled");
            tx.commit().await.expect("commit");
        }
    };
    apply(changed("created", "Huyện Cao Lãnh", 1)).await;
    apply(changed("updated", "Thành phố Cao Lãnh", 3)).await;
    // The rename to version 2, delivered late.
    apply(changed("updated", "Huyện Cao Lãnh (cũ)", 2)).await;
    let held = get(&db.pool, "u1").await.expect("read").expect("unit");
    assert_eq!(held.name, "Thành phố Cao Lãnh");
    assert_eq!(held.version, 3);
    // The same version again (a duplicate under another event id) changes nothing either.
    apply(changed("closed", "Thành phố Cao Lãnh", 3)).await;
    assert_eq!(
        get(&db.pool, "u1")
            .await
            .expect("read")
            .expect("unit")
            .status,
        "active"
    );
    apply(changed("closed", "Thành phố Cao Lãnh", 4)).await;
    assert_eq!(
        get(&db.pool, "u1")
            .await
            .expect("read")
            .expect("unit")
            .status,
        "closed"
    );
}
