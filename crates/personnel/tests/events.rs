//! The events personnel publishes (issue 4, item 13) reach the bus, through the outbox, for a
//! consumer such as reporting: employee hired, updated, moved and ended, quota changed, payroll
//! closed, catalogue changed.

mod common;

use common::*;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::staffing_service_client::StaffingServiceClient;
use tinhso_testkit::authed;

#[tokio::test]
async fn record_quota_payroll_and_catalogue_changes_are_published() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let district = h.unit(&admin, "HEV", &h.root_id).await;
    let other = h.unit(&admin, "HEW", &h.root_id).await;

    // A consumer of its own, on its own database (the inbox), as reporting will be.
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    let (seen, _inbox) =
        tinhso_testkit::events::consume(h.bus.clone(), "personnel", "tinhso.personnel.>", stopped)
            .await;

    let hired = h
        .employees()
        .create_employee(authed(
            &admin,
            pb::CreateEmployeeRequest {
                employee: Some(pb::Employee {
                    unit_id: district.id.clone(),
                    kind: pb::EmployeeKind::CivilServant as i32,
                    full_name: "Mai Văn Sự Kiện".into(),
                    birth_date: date(1980, 1, 1),
                    sex: pb::Sex::Male as i32,
                    ..Default::default()
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect("hired")
        .into_inner();
    let updated = h
        .employees()
        .update_employee(authed(
            &admin,
            pb::UpdateEmployeeRequest {
                id: hired.id.clone(),
                position: Some("Chuyên viên".into()),
                effective_date: in_days(0),
                etag: hired.etag.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect("updated")
        .into_inner();
    let move_to = |kind: pb::MovementKind, to: &str, etag: &str| pb::MoveEmployeeRequest {
        id: hired.id.clone(),
        kind: kind as i32,
        to_unit_id: to.into(),
        decision_number: "1/QĐ-UBND".into(),
        decision_date: date(2026, 1, 5),
        effective_date: date(2026, 1, 10),
        note: String::new(),
        etag: etag.into(),
    };
    h.employees()
        .move_employee(authed(
            &admin,
            move_to(pb::MovementKind::Transfer, &other.id, &updated.etag),
        ))
        .await
        .expect("moved");
    h.employees()
        .move_employee(authed(
            &admin,
            move_to(pb::MovementKind::Retirement, "", ""),
        ))
        .await
        .expect("ended");
    StaffingServiceClient::new(h.channel.clone())
        .set_quota(authed(
            &admin,
            pb::SetQuotaRequest {
                unit_id: district.id.clone(),
                year: 2026,
                kind: pb::EmployeeKind::CivilServant as i32,
                quota: 12,
            },
        ))
        .await
        .expect("quota");
    h.salary()
        .close_payroll(authed(
            &admin,
            pb::ClosePayrollRequest {
                unit_id: district.id.clone(),
                year: 2026,
                month: 1,
            },
        ))
        .await
        .expect("payroll closed");
    // A code unique to this run: on NATS the stream keeps earlier runs' events.
    let code = format!("T{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    h.catalogues()
        .put_catalogue_entry(authed(
            &admin,
            pb::PutCatalogueEntryRequest {
                catalogue: "training_kind".into(),
                code: code.clone(),
                name: "Kỹ năng số".into(),
                active: true,
                ..Default::default()
            },
        ))
        .await
        .expect("catalogue entry");

    let expected = [
        ("tinhso.personnel.employee.hired.v1", hired.id.clone()),
        ("tinhso.personnel.employee.updated.v1", hired.id.clone()),
        ("tinhso.personnel.employee.moved.v1", hired.id.clone()),
        ("tinhso.personnel.employee.ended.v1", hired.id.clone()),
        (
            "tinhso.personnel.quota.changed.v1",
            format!("{}/2026/civil_servant", district.id),
        ),
        (
            "tinhso.personnel.payroll.closed.v1",
            format!("{}/2026-01", district.id),
        ),
        (
            "tinhso.personnel.catalogue.changed.v1",
            format!("training_kind/{code}"),
        ),
    ];
    let all_arrived = tinhso_testkit::eventually(30, || {
        let (seen, expected) = (seen.clone(), expected.clone());
        async move { expected.iter().all(|(t, s)| seen.has(t, s)) }
    })
    .await;
    let missing: Vec<&str> = expected
        .iter()
        .filter(|(t, s)| !seen.has(t, s))
        .map(|(t, _)| *t)
        .collect();
    assert!(all_arrived, "not published: {missing:?}");
}
