//! Enrolments on a real database (SQLite, or PostgreSQL under `make test-services`): a pending
//! enrolment verified, suspended, resumed and ended, each change with its history line; a change
//! out of order or at a stale version writes nothing.

use time::{Date, Month};
use tinhso_platform::units::{ReplicaUnit, upsert};
use tinhso_platform::{UnitId, UnitPath};
use tinhso_welfare::domain::enrolments::{Change, Fault, Status};
use tinhso_welfare::store::{
    self,
    beneficiaries::BeneficiaryRow,
    enrolments::{ChangeError, EnrolmentRow, Terms},
};

fn day(m: Month, d: u8) -> Date {
    Date::from_calendar_date(2024, m, d).expect("date")
}

#[tokio::test]
async fn an_enrolment_changes_in_order_and_keeps_its_history() {
    let test_db = tinhso_testkit::database().await;
    let db = &test_db.db;
    store::MIGRATOR.run(db).await.expect("migrated");
    let mut tx = db.begin().await.expect("tx");
    upsert(
        &mut tx,
        &ReplicaUnit {
            id: UnitId::new("xa".to_string()),
            code: "XA".into(),
            name: "Xã Tịnh An".into(),
            path: UnitPath::new("/xa/".to_string()),
            status: "active".into(),
            kind: "commune".into(),
            version: 1,
        },
    )
    .await
    .expect("unit");
    store::beneficiaries::insert(
        &mut tx,
        &BeneficiaryRow {
            id: "b1".into(),
            full_name: "Phạm Văn Hòa".into(),
            sex: "male".into(),
            commune_id: "xa".into(),
            unit_path: "/xa/".into(),
            created_by: "nhaplieu".into(),
            kind: "person".into(),
            version: 1,
            ..Default::default()
        },
    )
    .await
    .expect("beneficiary");
    store::enrolments::insert(
        &mut tx,
        &EnrolmentRow {
            id: "e1".into(),
            beneficiary_id: "b1".into(),
            policy: "TCXH".into(),
            terms: Terms {
                category: "disability_severe".into(),
                coefficient: 150,
                ..Default::default()
            },
            decision_number: "45/QĐ-UBND".into(),
            decision_date: day(Month::March, 10),
            start: day(Month::March, 15),
            end: None,
            status: Status::Pending,
            last_change: None,
            unit_path: "/xa/".into(),
            version: 1,
        },
        1_000,
        "nhaplieu",
    )
    .await
    .expect("enrolled");
    tx.commit().await.expect("commit");

    let apply = |version: i64, change: Change| {
        let db = db.clone();
        async move {
            let mut tx = db.begin().await.expect("tx");
            let result = store::enrolments::apply(
                &mut tx,
                "e1",
                version,
                &change.into(),
                2_000,
                "sotldtbxh",
            )
            .await;
            if result.is_ok() {
                tx.commit().await.expect("commit");
            }
            result
        }
    };
    let verified = apply(1, Change::Verify).await.expect("verified");
    assert_eq!((verified.status, verified.version), (Status::Active, 2));
    // Out of order (resume what is not suspended) or at the old version: nothing is written.
    assert!(matches!(
        apply(
            2,
            Change::Resume {
                on: day(Month::July, 1)
            }
        )
        .await,
        Err(ChangeError::Refused(Fault::NotNow { .. }))
    ));
    assert!(matches!(
        apply(
            1,
            Change::Suspend {
                on: day(Month::August, 20)
            }
        )
        .await,
        Err(ChangeError::Stale)
    ));
    apply(
        2,
        Change::Suspend {
            on: day(Month::August, 20),
        },
    )
    .await
    .expect("suspended");
    assert!(matches!(
        apply(
            3,
            Change::Resume {
                on: day(Month::August, 1)
            }
        )
        .await,
        Err(ChangeError::Refused(Fault::DateOrder))
    ));
    apply(
        3,
        Change::Resume {
            on: day(Month::October, 5),
        },
    )
    .await
    .expect("resumed");
    let ended = apply(
        4,
        Change::Decrease {
            on: day(Month::October, 10),
            reason: "Chuyển đi nơi khác".into(),
        },
    )
    .await
    .expect("ended");
    assert_eq!(
        (ended.status, ended.end),
        (Status::Ended, Some(day(Month::October, 10)))
    );
    let stored = store::enrolments::get(&db.pool, "e1")
        .await
        .expect("read")
        .expect("there");
    assert_eq!(stored, ended);
    let history = store::enrolments::history(&db.pool, "e1")
        .await
        .expect("history");
    assert_eq!(
        history
            .iter()
            .map(|h| (h.change.as_str(), h.status_after))
            .collect::<Vec<_>>(),
        vec![
            ("increase", Status::Pending),
            ("verify", Status::Active),
            ("suspend", Status::Suspended),
            ("resume", Status::Active),
            ("decrease", Status::Ended),
        ]
    );
    assert_eq!(history[4].reason, "Chuyển đi nơi khác");
    assert_eq!(history[1].actor_username, "sotldtbxh");
}
