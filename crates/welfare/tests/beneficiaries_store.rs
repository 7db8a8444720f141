//! Welfare's beneficiaries on a real database (SQLite, or PostgreSQL under `make test-services`):
//! found by name without diacritics inside a unit's subtree only, one record per citizen ID, and
//! the records a new one may duplicate.

use time::{Date, Month};
use tinhso_platform::units::{ReplicaUnit, upsert};
use tinhso_platform::{UnitId, UnitPath};
use tinhso_welfare::store::{self, beneficiaries::BeneficiaryRow};

fn commune(id: &str, path: &str) -> ReplicaUnit {
    ReplicaUnit {
        id: UnitId::new(id.to_string()),
        code: id.to_uppercase(),
        name: format!("Xã {id}"),
        path: UnitPath::new(path.to_string()),
        status: "active".into(),
        kind: "commune".into(),
        version: 1,
    }
}

fn person(id: &str, name: &str, cccd: &str, commune_id: &str, path: &str) -> BeneficiaryRow {
    BeneficiaryRow {
        id: id.into(),
        full_name: name.into(),
        birth_date: Date::from_calendar_date(1950, Month::March, 2).ok(),
        sex: "female".into(),
        citizen_id: cccd.into(),
        commune_id: commune_id.into(),
        unit_path: path.into(),
        created_at: 1_000,
        created_by: "nhaplieu".into(),
        kind: "person".into(),
        version: 1,
        ..Default::default()
    }
}

#[tokio::test]
async fn beneficiaries_are_found_in_scope_and_duplicates_are_suspected() {
    let test_db = tinhso_testkit::database().await;
    let db = &test_db.db;
    store::MIGRATOR.run(db).await.expect("migrated");
    let mut tx = db.begin().await.expect("tx");
    for unit in [
        commune("p", "/p/"),
        commune("a", "/p/a/"),
        commune("b", "/p/b/"),
    ] {
        upsert(&mut tx, &unit).await.expect("unit");
    }
    let lanh = person("1", "Nguyễn Thị Lành", "051150001234", "a", "/p/a/");
    store::beneficiaries::insert(&mut tx, &lanh)
        .await
        .expect("Lành");
    store::beneficiaries::insert(&mut tx, &person("2", "Trần Văn Lành", "", "b", "/p/b/"))
        .await
        .expect("another Lành");
    tx.commit().await.expect("commit");

    // Found by part of the name typed without diacritics, within a commune's subtree only.
    let found = |prefix: &str, query: &str| {
        let (pool, prefix, query) = (db.pool.clone(), prefix.to_string(), query.to_string());
        async move {
            store::beneficiaries::search(&pool, &prefix, &query, 50)
                .await
                .expect("search")
                .into_iter()
                .map(|b| b.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("/p/", "lanh").await, vec!["1", "2"]);
    assert_eq!(found("/p/a/", "LÀNH").await, vec!["1"]);
    assert!(found("/p/b/", "nguyen").await.is_empty());

    // The same name typed without diacritics, born the same day in the same commune: suspected.
    let again = person("3", "nguyen thi lanh", "", "a", "/p/a/");
    let suspects = store::beneficiaries::possible_duplicates(&db.pool, &again)
        .await
        .expect("suspects");
    assert_eq!(
        suspects.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(),
        vec!["1"]
    );
    let elsewhere = person("4", "Nguyễn Thị Lành", "", "b", "/p/b/");
    assert!(
        store::beneficiaries::possible_duplicates(&db.pool, &elsewhere)
            .await
            .expect("suspects")
            .is_empty()
    );
    // One record per citizen ID: the database refuses a second.
    let mut tx = db.begin().await.expect("tx");
    let twice = store::beneficiaries::insert(
        &mut tx,
        &person("5", "Người Khác", "051150001234", "b", "/p/b/"),
    )
    .await;
    assert!(twice.is_err(), "a second record with the same citizen ID");
}
