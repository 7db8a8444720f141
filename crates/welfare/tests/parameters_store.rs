//! Welfare's parameters on a real database (SQLite, or PostgreSQL when TINHSO_TEST_DATABASE_URL
//! is set, as `make test-services` does): the national seed, a change with its audit row, the
//! seed leaving Finance's changes alone, and the months that follow.

use time::{Date, Month};
use tinhso_welfare::domain::entitlements::{Enrolment, YearMonth, monthly_lines};
use tinhso_welfare::domain::parameters::{ParameterKind, ParameterValue, in_force};
use tinhso_welfare::domain::rules::{BenefitRule, EnrolmentTerms};
use tinhso_welfare::store::{self, parameters::Actor};

fn day(y: i32, m: Month, d: u8) -> Date {
    Date::from_calendar_date(y, m, d).expect("date")
}

#[tokio::test]
async fn parameters_are_seeded_changed_with_their_audit_and_paid_from_their_month() {
    let test_db = tinhso_testkit::database().await;
    let db = &test_db.db;
    store::MIGRATOR.run(db).await.expect("migrated");
    store::parameters::seed_missing(db, 1_000)
        .await
        .expect("seeded");
    let values = store::parameters::values(&db.pool).await.expect("values");
    assert_eq!(
        in_force(
            &values,
            ParameterKind::SocialAssistanceBase,
            2024,
            Month::July
        ),
        Some(500_000)
    );
    assert_eq!(
        in_force(&values, ParameterKind::BaseSalary, 2025, Month::March),
        Some(2_340_000)
    );

    // Finance enters a new base level from 01/01/2027 and corrects a value; each change is kept.
    let finance = Actor {
        id: "acc-1".into(),
        username: "taichinh".into(),
    };
    let mut tx = db.begin().await.expect("tx");
    store::parameters::set(
        &mut tx,
        &ParameterValue {
            kind: ParameterKind::SocialAssistanceBase,
            from: day(2027, Month::January, 1),
            value: 600_000,
            basis: "Nghị định mới".into(),
        },
        &finance,
        2_000,
    )
    .await
    .expect("set");
    tx.commit().await.expect("commit");
    let changes = store::parameters::changes(&db.pool, ParameterKind::SocialAssistanceBase)
        .await
        .expect("changes");
    assert_eq!(changes.len(), 1);
    assert_eq!(
        (
            changes[0].actor_username.as_str(),
            changes[0].before.as_str(),
            changes[0].after.as_str()
        ),
        ("taichinh", "", "600000 | Nghị định mới")
    );
    // A restart's seed adds nothing over it and changes nothing.
    store::parameters::seed_missing(db, 3_000)
        .await
        .expect("seeded again");
    let values = store::parameters::values(&db.pool).await.expect("values");
    assert_eq!(
        values
            .iter()
            .filter(|v| v.kind == ParameterKind::SocialAssistanceBase)
            .count(),
        3
    );

    // An orphan under 4 (2.5) from 2026: 1,250,000 a month in 2026, 1,500,000 from 2027.
    let lines = monthly_lines(
        &BenefitRule::BaseTimesCoefficient {
            base: ParameterKind::SocialAssistanceBase,
        },
        &Enrolment {
            start: day(2026, Month::January, 5),
            end: None,
            terms: vec![(
                day(2026, Month::January, 5),
                EnrolmentTerms {
                    coefficient: 250,
                    ..Default::default()
                },
            )],
            suspensions: Vec::new(),
        },
        &values,
        YearMonth {
            year: 2026,
            month: Month::December,
        },
        YearMonth {
            year: 2027,
            month: Month::January,
        },
    )
    .expect("lines");
    assert_eq!(
        lines.iter().map(|l| l.amount).collect::<Vec<_>>(),
        vec![1_250_000, 1_500_000]
    );
}

/// On PostgreSQL every timestamp, boolean, date and JSON column of welfare's schema has its
/// native type (`make test-services`; SQLite has no such types to check).
#[tokio::test]
async fn the_postgresql_schema_uses_native_types() {
    if !tinhso_testkit::using_services() {
        return;
    }
    let test_db = tinhso_testkit::database().await;
    store::MIGRATOR.run(&test_db.db).await.expect("migrated");
    let wrong = tinhso_testkit::schema::columns_of_the_wrong_type(&test_db.db).await;
    assert!(
        wrong.is_empty(),
        "columns of the wrong type:\n{}",
        wrong.join("\n")
    );
}
