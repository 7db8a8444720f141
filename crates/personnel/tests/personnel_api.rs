//! Personnel through its gRPC API beside a real identity (its own database, the shared bus): on
//! SQLite + the in-process bus (`make test`) and on PostgreSQL + NATS (`make test-services`).

mod common;

use common::*;
use tinhso_proto::identity::v1 as id;
use tinhso_proto::identity::v1::unit_service_client::UnitServiceClient;
use tinhso_proto::personnel::v1 as pb;
use tinhso_testkit::authed;
use tonic::{Code, Request};

fn nguyen_van_an(unit_id: &str) -> pb::Employee {
    pb::Employee {
        unit_id: unit_id.into(),
        kind: pb::EmployeeKind::CivilServant as i32,
        full_name: "Nguyễn Văn An".into(),
        birth_date: date(1985, 4, 30),
        sex: pb::Sex::Male as i32,
        ethnicity: "01".into(),
        id_number: "087085001234".into(),
        grade_code: "01.003".into(),
        step: 4,
        coefficient: 333,
        ..Default::default()
    }
}

/// Another person like An, with a citizen ID of their own (one person, one record).
fn someone(unit_id: &str, n: usize) -> pb::Employee {
    pb::Employee {
        id_number: format!("0870850{n:05}"),
        ..nguyen_van_an(unit_id)
    }
}

#[tokio::test]
async fn one_person_has_one_record_and_a_citizen_id_is_not_entered_twice() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let cao_lanh = h.unit(&admin, "HCL", &h.root_id).await;
    let thap_muoi = h.unit(&admin, "HTM", &h.root_id).await;
    let clerk = h
        .person(
            &admin,
            "nhaplieu.hcl",
            &cao_lanh.id,
            "data_entry",
            Some(&cao_lanh.id),
            "",
        )
        .await;
    let stranger = h
        .person(
            &admin,
            "nhaplieu.htm",
            &thap_muoi.id,
            "data_entry",
            Some(&thap_muoi.id),
            "",
        )
        .await;
    let create = |token: &str, e: pb::Employee| {
        let (h, token) = (&h, token.to_string());
        async move {
            h.employees()
                .create_employee(authed(
                    &token,
                    pb::CreateEmployeeRequest {
                        employee: Some(e),
                        request_id: String::new(),
                    },
                ))
                .await
        }
    };
    let an = create(&clerk, nguyen_van_an(&cao_lanh.id))
        .await
        .expect("the first record")
        .into_inner();
    // The clerk who may read An's record is told which record has the ID.
    let twice = create(
        &clerk,
        pb::Employee {
            full_name: "Nguyễn Văn Ân".into(),
            ..nguyen_van_an(&cao_lanh.id)
        },
    )
    .await
    .expect_err("the same citizen ID again");
    assert_eq!(twice.code(), Code::AlreadyExists);
    assert_eq!(fields_of(&twice), vec!["employee.id_number"]);
    assert!(
        twice.message().contains("Nguyễn Văn An") && twice.message().contains(&an.id),
        "{}",
        twice.message()
    );
    // Another district's clerk learns only that the ID is taken elsewhere: no name, no record.
    let elsewhere = create(&stranger, nguyen_van_an(&thap_muoi.id))
        .await
        .expect_err("the same citizen ID in another district");
    assert_eq!(elsewhere.code(), Code::AlreadyExists);
    assert!(
        !elsewhere.message().contains("Nguyễn Văn An") && !elsewhere.message().contains(&an.id),
        "{}",
        elsewhere.message()
    );
    // Nor can a second record take An's ID by an update.
    let binh = create(
        &clerk,
        pb::Employee {
            full_name: "Lê Văn Bình".into(),
            id_number: "087085009999".into(),
            ..nguyen_van_an(&cao_lanh.id)
        },
    )
    .await
    .expect("another person")
    .into_inner();
    let taken = h
        .employees()
        .update_employee(authed(
            &clerk,
            pb::UpdateEmployeeRequest {
                id: binh.id.clone(),
                id_number: Some(an.id_number.clone()),
                etag: binh.etag.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect_err("An's ID");
    assert_eq!(taken.code(), Code::AlreadyExists);
    assert_eq!(fields_of(&taken), vec!["id_number"]);
    // Nothing was changed or added: Cao Lãnh has An and Bình, Bình keeps his own ID.
    let listed = h
        .employees()
        .list_employees(authed(
            &clerk,
            pb::ListEmployeesRequest {
                unit_id: cao_lanh.id.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect("list")
        .into_inner()
        .employees;
    let mut ids: Vec<_> = listed.iter().map(|e| e.id_number.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, vec!["087085001234", "087085009999"]);
    // Records entered without an ID are not affected.
    for name in ["Chưa Có CCCD Một", "Chưa Có CCCD Hai"] {
        create(
            &clerk,
            pb::Employee {
                full_name: name.into(),
                id_number: String::new(),
                ..nguyen_van_an(&cao_lanh.id)
            },
        )
        .await
        .expect("no ID yet");
    }
}

#[tokio::test]
async fn records_are_kept_within_scope_audited_and_follow_reorganisations() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let cao_lanh = h.unit(&admin, "HCL", &h.root_id).await;
    let thap_muoi = h.unit(&admin, "HTM", &h.root_id).await;

    // Home affairs (system admin here) enters a record in Cao Lãnh.
    let an = h
        .employees()
        .create_employee(authed(
            &admin,
            pb::CreateEmployeeRequest {
                employee: Some(nguyen_van_an(&cao_lanh.id)),
                request_id: "hs-001".into(),
            },
        ))
        .await
        .expect("created")
        .into_inner();
    assert_eq!(an.unit_path, cao_lanh.path);
    assert_eq!(an.status, pb::EmployeeStatus::Working as i32);
    assert_eq!(an.form_version, "2C-BNV/2008");
    // A retried create returns the same record.
    let again = h
        .employees()
        .create_employee(authed(
            &admin,
            pb::CreateEmployeeRequest {
                employee: Some(nguyen_van_an(&cao_lanh.id)),
                request_id: "hs-001".into(),
            },
        ))
        .await
        .expect("retried")
        .into_inner();
    assert_eq!(again.id, an.id);

    // Search ignores diacritics and takes parts of the name.
    let found = h
        .employees()
        .list_employees(authed(
            &admin,
            pb::ListEmployeesRequest {
                query: "nguyen van".into(),
                ..Default::default()
            },
        ))
        .await
        .expect("search")
        .into_inner();
    assert_eq!(found.employees.len(), 1);
    // A name pasted in decomposed form (macOS, some Excel exports) finds the same record.
    let decomposed = h
        .employees()
        .list_employees(authed(
            &admin,
            pb::ListEmployeesRequest {
                query: "Nguye\u{0302}\u{0303}n Va\u{0306}n".into(),
                ..Default::default()
            },
        ))
        .await
        .expect("search")
        .into_inner();
    assert_eq!(decomposed.employees.len(), 1, "decomposed query");

    // Thap Muoi's unit admin sees nothing of Cao Lanh.
    let other = h
        .person(
            &admin,
            "qtv.htm",
            &thap_muoi.id,
            "unit_admin",
            Some(&thap_muoi.id),
            "",
        )
        .await;
    let denied = h
        .employees()
        .get_employee(authed(&other, pb::GetEmployeeRequest { id: an.id.clone() }))
        .await
        .expect_err("outside scope");
    assert_eq!(denied.code(), Code::PermissionDenied);
    let none = h
        .employees()
        .list_employees(authed(&other, pb::ListEmployeesRequest::default()))
        .await
        .expect("own scope")
        .into_inner();
    assert!(none.employees.is_empty());
    let refused = h
        .employees()
        .create_employee(authed(
            &other,
            pb::CreateEmployeeRequest {
                employee: Some(nguyen_van_an(&cao_lanh.id)),
                request_id: String::new(),
            },
        ))
        .await
        .expect_err("cannot write outside");
    assert_eq!(refused.code(), Code::PermissionDenied);
    let update_refused = h
        .employees()
        .update_employee(authed(
            &other,
            pb::UpdateEmployeeRequest {
                id: an.id.clone(),
                position: Some("Trưởng phòng".into()),
                ..Default::default()
            },
        ))
        .await
        .expect_err("cannot update outside");
    assert_eq!(update_refused.code(), Code::PermissionDenied);

    // The employee reads their own record and nobody else's.
    let me = h
        .person(
            &admin,
            "nv.an",
            &cao_lanh.id,
            "employee_self_service",
            None,
            &an.id,
        )
        .await;
    h.employees()
        .get_employee(authed(&me, pb::GetEmployeeRequest { id: an.id.clone() }))
        .await
        .expect("own record");
    let listing = h
        .employees()
        .list_employees(authed(&me, pb::ListEmployeesRequest::default()))
        .await
        .expect_err("no unit scope");
    assert_eq!(listing.code(), Code::PermissionDenied);

    // Updates need the current etag, and every changed field is recorded.
    let updated = h
        .employees()
        .update_employee(authed(
            &admin,
            pb::UpdateEmployeeRequest {
                id: an.id.clone(),
                position: Some("Phó trưởng phòng".into()),
                effective_date: in_days(0),
                current_address: Some("Phường 1, TP Cao Lãnh".into()),
                etag: an.etag.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect("updated")
        .into_inner();
    assert_eq!(updated.position, "Phó trưởng phòng");
    let stale = h
        .employees()
        .update_employee(authed(
            &admin,
            pb::UpdateEmployeeRequest {
                id: an.id.clone(),
                position: Some("Trưởng phòng".into()),
                etag: an.etag.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect_err("stale etag");
    assert_eq!(stale.code(), Code::Aborted);
    let changes = tinhso_personnel::store::employees::changes(&h.personnel.db.pool, &an.id)
        .await
        .expect("changes");
    let position = changes
        .iter()
        .rev()
        .find(|c| c.field == "position")
        .expect("position change");
    assert_eq!(
        (position.before.as_str(), position.after.as_str()),
        ("", "Phó trưởng phòng")
    );
    assert_eq!(position.actor_username, "admin");
    assert!(
        changes
            .iter()
            .any(|c| c.field == "full_name" && c.after == "Nguyễn Văn An")
    );

    // Identity moves Cao Lanh under Thap Muoi: the record's path follows.
    let moved = UnitServiceClient::new(h.channel.clone())
        .move_unit(authed(
            &admin,
            id::MoveUnitRequest {
                id: cao_lanh.id.clone(),
                new_parent_id: thap_muoi.id.clone(),
                etag: String::new(),
            },
        ))
        .await
        .expect("moved")
        .into_inner();
    h.replicated(&cao_lanh.id, &moved.path).await;
    let followed = h
        .employees()
        .get_employee(authed(&admin, pb::GetEmployeeRequest { id: an.id.clone() }))
        .await
        .expect("get")
        .into_inner();
    assert_eq!(followed.unit_path, moved.path);
}

#[tokio::test]
async fn bad_records_name_every_field_at_fault_and_change_nothing() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let unit = h.unit(&admin, "HCL", &h.root_id).await;
    let bad = pb::Employee {
        unit_id: unit.id.clone(),
        full_name: "   ".into(),
        birth_date: date(2085, 2, 30),
        id_number: "12345".into(),
        email: "khong-phai-email".into(),
        ..Default::default()
    };
    let status = h
        .employees()
        .create_employee(authed(
            &admin,
            pb::CreateEmployeeRequest {
                employee: Some(bad),
                request_id: String::new(),
            },
        ))
        .await
        .expect_err("invalid");
    assert_eq!(status.code(), Code::InvalidArgument);
    let fields = fields_of(&status);
    for field in [
        "employee.full_name",
        "employee.birth_date",
        "employee.id_number",
        "employee.email",
        "employee.kind",
        "employee.sex",
    ] {
        assert!(
            fields.iter().any(|f| f == field),
            "{field} not named in {fields:?}"
        );
    }
    let future = pb::Employee {
        birth_date: date(2999, 1, 1),
        ..nguyen_van_an(&unit.id)
    };
    let status = h
        .employees()
        .create_employee(authed(
            &admin,
            pb::CreateEmployeeRequest {
                employee: Some(future),
                request_id: String::new(),
            },
        ))
        .await
        .expect_err("born in the future");
    assert_eq!(code_of(&status), "DATE_IN_FUTURE");
    assert_eq!(
        fields_of(&status),
        vec!["employee.birth_date".to_string()],
        "one message for the one fault, not also 'not entered'"
    );
    // Recruited one day before the 18th birthday: refused at the recruitment date (Luật Cán bộ,
    // công chức Art. 36; Luật Viên chức Art. 22); on the birthday itself, accepted.
    let young = |recruited| pb::Employee {
        birth_date: date(2006, 9, 2),
        recruitment_date: recruited,
        ..nguyen_van_an(&unit.id)
    };
    let status = h
        .employees()
        .create_employee(authed(
            &admin,
            pb::CreateEmployeeRequest {
                employee: Some(young(date(2024, 9, 1))),
                request_id: String::new(),
            },
        ))
        .await
        .expect_err("17 at recruitment");
    assert_eq!(code_of(&status), "UNDER_RECRUITMENT_AGE");
    assert_eq!(
        fields_of(&status),
        vec!["employee.recruitment_date".to_string()]
    );
    let status = h
        .employees()
        .create_employee(authed(
            &admin,
            pb::CreateEmployeeRequest {
                employee: Some(nguyen_van_an("no-such-unit")),
                request_id: String::new(),
            },
        ))
        .await
        .expect_err("unknown unit");
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(fields_of(&status), vec!["employee.unit_id".to_string()]);
    let none = h
        .employees()
        .list_employees(authed(&admin, pb::ListEmployeesRequest::default()))
        .await
        .expect("list")
        .into_inner();
    assert!(none.employees.is_empty(), "nothing was created");
    h.employees()
        .create_employee(authed(
            &admin,
            pb::CreateEmployeeRequest {
                employee: Some(young(date(2024, 9, 2))),
                request_id: String::new(),
            },
        ))
        .await
        .expect("18 on the day of recruitment");
    let missing = h
        .employees()
        .list_employees(Request::new(pb::ListEmployeesRequest::default()))
        .await
        .expect_err("no token");
    assert_eq!(missing.code(), Code::Unauthenticated);
}

fn movement(id: &str, kind: pb::MovementKind, to: &str, etag: &str) -> pb::MoveEmployeeRequest {
    pb::MoveEmployeeRequest {
        id: id.into(),
        kind: kind as i32,
        to_unit_id: to.into(),
        decision_number: "125/QĐ-UBND".into(),
        decision_date: date(2026, 10, 1),
        effective_date: date(2026, 10, 15),
        note: String::new(),
        etag: etag.into(),
    }
}

#[tokio::test]
async fn a_transfer_hands_the_record_to_the_receiving_unit_and_retirement_ends_it() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let cao_lanh = h.unit(&admin, "HCL", &h.root_id).await;
    let thap_muoi = h.unit(&admin, "HTM", &h.root_id).await;
    let sender = h
        .person(
            &admin,
            "qtv.hcl",
            &cao_lanh.id,
            "unit_admin",
            Some(&cao_lanh.id),
            "",
        )
        .await;
    let receiver = h
        .person(
            &admin,
            "qtv.htm",
            &thap_muoi.id,
            "unit_admin",
            Some(&thap_muoi.id),
            "",
        )
        .await;
    let an = h
        .employees()
        .create_employee(authed(
            &sender,
            pb::CreateEmployeeRequest {
                employee: Some(nguyen_van_an(&cao_lanh.id)),
                request_id: String::new(),
            },
        ))
        .await
        .expect("created")
        .into_inner();

    // Everything missing is named at once.
    let bad = h
        .employees()
        .move_employee(authed(
            &sender,
            pb::MoveEmployeeRequest {
                id: an.id.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect_err("nothing given");
    assert_eq!(bad.code(), Code::InvalidArgument);
    let fields = fields_of(&bad);
    for field in ["kind", "decision_number", "decision_date", "effective_date"] {
        assert!(fields.iter().any(|f| f == field), "{field}: {fields:?}");
    }
    let no_target = h
        .employees()
        .move_employee(authed(
            &sender,
            movement(&an.id, pb::MovementKind::Transfer, "", &an.etag),
        ))
        .await
        .expect_err("no receiving unit");
    assert_eq!(fields_of(&no_target), vec!["to_unit_id".to_string()]);
    // The receiving unit cannot take a record it does not hold yet.
    let not_yours = h
        .employees()
        .move_employee(authed(
            &receiver,
            movement(&an.id, pb::MovementKind::Transfer, &thap_muoi.id, &an.etag),
        ))
        .await
        .expect_err("only the sending unit moves the record");
    assert_eq!(not_yours.code(), Code::PermissionDenied);

    let moved = h
        .employees()
        .move_employee(authed(
            &sender,
            movement(&an.id, pb::MovementKind::Transfer, &thap_muoi.id, &an.etag),
        ))
        .await
        .expect("transferred")
        .into_inner();
    assert_eq!(moved.resulting_status, pb::EmployeeStatus::Working as i32);
    assert_eq!(moved.from_unit_id, cao_lanh.id);
    // The sender may not write in the receiving district: the handover waits for it.
    assert_eq!(moved.state, pb::MovementState::Pending as i32);
    let still_here = h
        .employees()
        .get_employee(authed(
            &sender,
            pb::GetEmployeeRequest { id: an.id.clone() },
        ))
        .await
        .expect("the sender still holds it")
        .into_inner();
    assert_eq!(still_here.unit_id, cao_lanh.id);
    let twice = h
        .employees()
        .move_employee(authed(
            &sender,
            movement(
                &an.id,
                pb::MovementKind::Rotation,
                &thap_muoi.id,
                &still_here.etag,
            ),
        ))
        .await
        .expect_err("one handover at a time");
    assert_eq!(code_of(&twice), "MOVE_PENDING");
    let settle = pb::SettleMovementRequest {
        id: moved.id.clone(),
        note: String::new(),
    };
    let not_receiver = h
        .employees()
        .accept_movement(authed(&sender, settle.clone()))
        .await
        .expect_err("only the receiving unit accepts");
    assert_eq!(not_receiver.code(), Code::PermissionDenied);
    let waiting = h
        .employees()
        .list_pending_movements(authed(
            &receiver,
            pb::ListPendingMovementsRequest {
                unit_id: thap_muoi.id.clone(),
            },
        ))
        .await
        .expect("pending list")
        .into_inner()
        .movements;
    assert_eq!(waiting.len(), 1);
    // The receiving unit sees who it is accepting, though it cannot read the record yet.
    assert_eq!(
        (
            waiting[0].employee_name.as_str(),
            waiting[0].employee_birth_date,
            waiting[0].employee_grade_code.as_str(),
            waiting[0].employee_step,
        ),
        ("Nguyễn Văn An", date(1985, 4, 30), "01.003", 4)
    );
    let accepted = h
        .employees()
        .accept_movement(authed(&receiver, settle.clone()))
        .await
        .expect("accepted")
        .into_inner();
    assert_eq!(accepted.state, pb::MovementState::Done as i32);
    assert_eq!(accepted.handled_by, "qtv.htm");
    let again = h
        .employees()
        .decline_movement(authed(&receiver, settle))
        .await
        .expect_err("settled once");
    assert_eq!(code_of(&again), "NOT_PENDING");
    let stale = h
        .employees()
        .move_employee(authed(
            &admin,
            movement(&an.id, pb::MovementKind::Retirement, "", &an.etag),
        ))
        .await
        .expect_err("stale etag");
    assert_eq!(stale.code(), Code::Aborted);

    // The receiving unit now holds the record; the sending unit no longer sees it.
    let held = h
        .employees()
        .get_employee(authed(
            &receiver,
            pb::GetEmployeeRequest { id: an.id.clone() },
        ))
        .await
        .expect("receiver reads it")
        .into_inner();
    assert_eq!(held.unit_path, thap_muoi.path);
    let gone = h
        .employees()
        .get_employee(authed(
            &sender,
            pb::GetEmployeeRequest { id: an.id.clone() },
        ))
        .await
        .expect_err("sender lost it");
    assert_eq!(gone.code(), Code::PermissionDenied);

    // Retirement ends the record; it stays searchable and cannot move again.
    let retired = h
        .employees()
        .move_employee(authed(
            &receiver,
            movement(&an.id, pb::MovementKind::Retirement, "", &held.etag),
        ))
        .await
        .expect("retired")
        .into_inner();
    assert_eq!(retired.resulting_status, pb::EmployeeStatus::Retired as i32);
    let found = h
        .employees()
        .list_employees(authed(
            &receiver,
            pb::ListEmployeesRequest {
                status: pb::EmployeeStatus::Retired as i32,
                ..Default::default()
            },
        ))
        .await
        .expect("search")
        .into_inner();
    assert_eq!(found.employees.len(), 1);
    let ended = h
        .employees()
        .move_employee(authed(
            &receiver,
            movement(&an.id, pb::MovementKind::Resignation, "", ""),
        ))
        .await
        .expect_err("ended");
    assert_eq!(code_of(&ended), "RECORD_ENDED");

    let history = h
        .employees()
        .list_movements(authed(
            &receiver,
            pb::ListMovementsRequest { id: an.id.clone() },
        ))
        .await
        .expect("history")
        .into_inner();
    let kinds: Vec<i32> = history.movements.iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds,
        vec![
            pb::MovementKind::Transfer as i32,
            pb::MovementKind::Retirement as i32
        ]
    );
    assert_eq!(history.movements[0].decision_number, "125/QĐ-UBND");
    let denied = h
        .employees()
        .list_movements(authed(
            &sender,
            pb::ListMovementsRequest { id: an.id.clone() },
        ))
        .await
        .expect_err("outside scope");
    assert_eq!(denied.code(), Code::PermissionDenied);
}

#[tokio::test]
async fn every_change_is_queryable_within_scope() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let cao_lanh = h.unit(&admin, "HCL", &h.root_id).await;
    let thap_muoi = h.unit(&admin, "HTM", &h.root_id).await;
    let mut ids = Vec::new();
    for (n, unit) in [&cao_lanh, &thap_muoi].into_iter().enumerate() {
        let e = h
            .employees()
            .create_employee(authed(
                &admin,
                pb::CreateEmployeeRequest {
                    employee: Some(someone(&unit.id, n)),
                    request_id: String::new(),
                },
            ))
            .await
            .expect("created")
            .into_inner();
        h.employees()
            .update_employee(authed(
                &admin,
                pb::UpdateEmployeeRequest {
                    id: e.id.clone(),
                    religion: Some("01".into()),
                    etag: e.etag.clone(),
                    ..Default::default()
                },
            ))
            .await
            .expect("updated");
        ids.push(e.id);
    }
    let all = h
        .employees()
        .list_changes(authed(
            &admin,
            pb::ListChangesRequest {
                page_size: 500,
                ..Default::default()
            },
        ))
        .await
        .expect("admin sees every change")
        .into_inner();
    assert!(all.changes.iter().any(|c| c.employee_id == ids[0]));
    assert!(all.changes.iter().any(|c| c.employee_id == ids[1]));
    let newest = &all.changes[0];
    assert_eq!(
        (
            newest.field.as_str(),
            newest.before.as_str(),
            newest.after.as_str()
        ),
        ("religion", "", "01")
    );
    assert_eq!(newest.actor_username, "admin");
    assert_eq!(newest.employee_name, "Nguyễn Văn An");

    let district = h
        .person(
            &admin,
            "qtv.hcl",
            &cao_lanh.id,
            "unit_admin",
            Some(&cao_lanh.id),
            "",
        )
        .await;
    let own = h
        .employees()
        .list_changes(authed(&district, pb::ListChangesRequest::default()))
        .await
        .expect("own district")
        .into_inner();
    assert!(!own.changes.is_empty());
    assert!(
        own.changes.iter().all(|c| c.employee_id == ids[0]),
        "only Cao Lanh's record"
    );
    let other = h
        .employees()
        .list_changes(authed(
            &district,
            pb::ListChangesRequest {
                unit_id: thap_muoi.id.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect_err("another district");
    assert_eq!(other.code(), Code::PermissionDenied);
    let one = h
        .employees()
        .list_changes(authed(
            &admin,
            pb::ListChangesRequest {
                employee_id: ids[1].clone(),
                page_size: 500,
                ..Default::default()
            },
        ))
        .await
        .expect("one record")
        .into_inner();
    assert!(one.changes.iter().all(|c| c.employee_id == ids[1]));
}

#[tokio::test]
async fn quotas_compare_with_working_staff_up_the_tree() {
    use tinhso_proto::personnel::v1::staffing_service_client::StaffingServiceClient;
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let district = h.unit(&admin, "HCL", &h.root_id).await;
    let commune = h.unit(&admin, "XMH", &district.id).await;
    let mut staffing = StaffingServiceClient::new(h.channel.clone());
    let civil = pb::EmployeeKind::CivilServant as i32;
    for (unit, quota) in [(&district.id, 20), (&commune.id, 2), (&district.id, 25)] {
        staffing
            .set_quota(authed(
                &admin,
                pb::SetQuotaRequest {
                    unit_id: unit.clone(),
                    year: 2026,
                    kind: civil,
                    quota,
                },
            ))
            .await
            .expect("quota set");
    }
    let mut ids = Vec::new();
    for (n, unit) in [&commune.id, &commune.id, &commune.id, &district.id]
        .into_iter()
        .enumerate()
    {
        let e = h
            .employees()
            .create_employee(authed(
                &admin,
                pb::CreateEmployeeRequest {
                    employee: Some(someone(unit, n)),
                    request_id: String::new(),
                },
            ))
            .await
            .expect("created")
            .into_inner();
        ids.push(e);
    }
    h.employees()
        .move_employee(authed(
            &admin,
            movement(&ids[0].id, pb::MovementKind::Retirement, "", &ids[0].etag),
        ))
        .await
        .expect("retired");

    let figures = staffing
        .get_staffing(authed(
            &admin,
            pb::GetStaffingRequest {
                unit_id: district.id.clone(),
                year: 2026,
            },
        ))
        .await
        .expect("staffing")
        .into_inner();
    let row = |id: &str| {
        figures
            .units
            .iter()
            .find(|u| u.unit_id == id)
            .expect("unit row")
            .clone()
    };
    let pair = |f: &[pb::StaffingFigure]| {
        f.iter()
            .find(|x| x.kind == civil)
            .map(|x| (x.quota, x.actual))
    };
    assert_eq!(figures.units[0].unit_id, district.id, "the unit first");
    assert_eq!(
        pair(&row(&district.id).own),
        Some((25, 1)),
        "the later quota replaces"
    );
    assert_eq!(
        pair(&row(&commune.id).own),
        Some((2, 2)),
        "the retired one is not counted"
    );
    assert_eq!(pair(&row(&district.id).subtree), Some((27, 3)));

    // The commune's unit admin reads its own figures but sets no quota and sees no district.
    let clerk = h
        .person(
            &admin,
            "qtv.xmh",
            &commune.id,
            "unit_admin",
            Some(&commune.id),
            "",
        )
        .await;
    staffing
        .get_staffing(authed(
            &clerk,
            pb::GetStaffingRequest {
                unit_id: commune.id.clone(),
                year: 2026,
            },
        ))
        .await
        .expect("own figures");
    let denied = staffing
        .get_staffing(authed(
            &clerk,
            pb::GetStaffingRequest {
                unit_id: district.id.clone(),
                year: 2026,
            },
        ))
        .await
        .expect_err("the district is above");
    assert_eq!(denied.code(), Code::PermissionDenied);
    let refused = staffing
        .set_quota(authed(
            &clerk,
            pb::SetQuotaRequest {
                unit_id: commune.id.clone(),
                year: 2026,
                kind: civil,
                quota: 50,
            },
        ))
        .await
        .expect_err("quotas are Home Affairs' call");
    assert_eq!(refused.code(), Code::PermissionDenied);

    let bad = staffing
        .set_quota(authed(
            &admin,
            pb::SetQuotaRequest {
                unit_id: commune.id.clone(),
                year: 1900,
                kind: 0,
                quota: -1,
            },
        ))
        .await
        .expect_err("bad quota");
    let mut fields = fields_of(&bad);
    fields.sort();
    assert_eq!(fields, ["kind", "quota", "year"]);
}

/// The date `days` ago in Vietnam.
/// Days late, counted the way QĐ 80/2020 and the Civil Code (Art. 148) count them, for an entry
/// made today of something dated `days` ago with `allowed` days: the last day moves past
/// Saturdays, Sundays and the fixed holidays (1/1, 30/4, 1/5, 2/9).
fn expected_days_late(days: i64, allowed: i64) -> i32 {
    let today = tinhso_platform::clock::vietnam_today();
    let mut last = today - time::Duration::days(days) + time::Duration::days(allowed);
    loop {
        let weekend = matches!(
            last.weekday(),
            time::Weekday::Saturday | time::Weekday::Sunday
        );
        let holiday = matches!(
            (u8::from(last.month()), last.day()),
            (1, 1) | (4, 30) | (5, 1) | (9, 2)
        );
        if !weekend && !holiday {
            break;
        }
        last += time::Duration::days(1);
    }
    i32::try_from((today - last).whole_days()).expect("days")
}

fn days_ago(days: i64) -> Option<Date> {
    let now = tinhso_platform::clock::vietnam_today() - time::Duration::days(days);
    date(
        now.year(),
        i32::from(u8::from(now.month())),
        i32::from(now.day()),
    )
}

#[tokio::test]
async fn late_hires_and_movements_show_per_unit() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let district = h.unit(&admin, "HCL", &h.root_id).await;
    let other = h.unit(&admin, "HTM", &h.root_id).await;
    let mut created = Vec::new();
    // (name, recruited, decided): the second was recruited 45 days ago but the decision is 5
    // days old, so her hire is on time (and her transfer 40 days ago follows her recruitment).
    for (n, (name, recruited, decided)) in [("Tuyển Muộn", 60, 60), ("Tuyển Đúng Hạn", 45, 5)]
        .into_iter()
        .enumerate()
    {
        let e = h
            .employees()
            .create_employee(authed(
                &admin,
                pb::CreateEmployeeRequest {
                    employee: Some(pb::Employee {
                        full_name: name.into(),
                        recruitment_date: days_ago(recruited),
                        recruitment_decision_date: days_ago(decided),
                        ..someone(&district.id, n)
                    }),
                    request_id: String::new(),
                },
            ))
            .await
            .expect("created")
            .into_inner();
        created.push(e);
    }
    h.employees()
        .move_employee(authed(
            &admin,
            pb::MoveEmployeeRequest {
                decision_date: days_ago(50),
                effective_date: days_ago(40),
                ..movement(
                    &created[1].id,
                    pb::MovementKind::Transfer,
                    &other.id,
                    &created[1].etag,
                )
            },
        ))
        .await
        .expect("moved late");

    let report = h
        .employees()
        .get_compliance(authed(
            &admin,
            pb::GetComplianceRequest {
                unit_id: h.root_id.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect("report")
        .into_inner();
    let row = report
        .units
        .iter()
        .find(|u| u.unit_id == district.id)
        .expect("the district made entries");
    assert_eq!(
        (row.entries, row.late),
        (3, 2),
        "two hires (one late) and a late transfer"
    );
    assert_eq!(row.unit_name, "Đơn vị HCL");
    assert!(
        !report.units.iter().any(|u| u.unit_id == other.id),
        "the hire is the entry of the unit that hired, not of the one holding the record now"
    );
    let whats: Vec<(&str, &str, &str, i32)> = report
        .late_entries
        .iter()
        .map(|e| {
            (
                e.employee_name.as_str(),
                e.unit_id.as_str(),
                e.what.as_str(),
                e.days_late,
            )
        })
        .collect();
    assert_eq!(
        whats,
        vec![
            (
                "Tuyển Muộn",
                district.id.as_str(),
                "hire",
                expected_days_late(60, 30)
            ),
            (
                "Tuyển Đúng Hạn",
                district.id.as_str(),
                "movement:transfer",
                expected_days_late(40, 15)
            )
        ]
    );
    let clerk = h
        .person(
            &admin,
            "qtv.htm",
            &other.id,
            "unit_admin",
            Some(&other.id),
            "",
        )
        .await;
    let denied = h
        .employees()
        .get_compliance(authed(
            &clerk,
            pb::GetComplianceRequest {
                unit_id: district.id.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect_err("another district");
    assert_eq!(denied.code(), Code::PermissionDenied);
}

#[tokio::test]
async fn the_hire_clock_runs_from_the_decision_and_a_change_is_charged_to_the_unit_that_held_the_record()
 {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let district = h.unit(&admin, "HCL", &h.root_id).await;
    let other = h.unit(&admin, "HTM", &h.root_id).await;
    // Received from another province ten days ago, in service since long before: on time.
    h.hire(
        &admin,
        pb::Employee {
            full_name: "Tiếp Nhận Ngoài Tỉnh".into(),
            recruitment_date: days_ago(4000),
            recruitment_decision_date: days_ago(10),
            ..someone(&district.id, 1)
        },
    )
    .await;
    // Decided 50 days ago: late by the days after the 30th (moved past a day off).
    let late = h
        .hire(
            &admin,
            pb::Employee {
                full_name: "Quyết Định Đã Lâu".into(),
                recruitment_date: days_ago(20),
                recruitment_decision_date: days_ago(50),
                ..someone(&district.id, 2)
            },
        )
        .await;
    // A transfer cannot take effect before the person was recruited.
    let early = h
        .employees()
        .move_employee(authed(
            &admin,
            pb::MoveEmployeeRequest {
                decision_date: days_ago(26),
                effective_date: days_ago(25),
                ..movement(&late.id, pb::MovementKind::Transfer, &other.id, &late.etag)
            },
        ))
        .await
        .expect_err("before recruitment");
    assert_eq!(fields_of(&early), vec!["effective_date"]);
    // A salary step dated 30 days ago, before the transfer effective 20 days ago, entered only
    // now by the receiving unit: the district held the record then and had to enter it.
    let moved = h
        .hire(
            &admin,
            pb::Employee {
                full_name: "Chuyển Đi".into(),
                recruitment_date: days_ago(3000),
                recruitment_decision_date: days_ago(3000),
                ..someone(&district.id, 3)
            },
        )
        .await;
    h.employees()
        .move_employee(authed(
            &admin,
            pb::MoveEmployeeRequest {
                decision_date: days_ago(25),
                effective_date: days_ago(20),
                ..movement(
                    &moved.id,
                    pb::MovementKind::Transfer,
                    &other.id,
                    &moved.etag,
                )
            },
        ))
        .await
        .expect("moved");
    h.sections()
        .add_section_entry(authed(
            &admin,
            pb::AddSectionEntryRequest {
                employee_id: moved.id.clone(),
                entry: Some(pb::SectionEntry {
                    content: Some(pb::section_entry::Content::Salary(pb::SalaryEntry {
                        effective_date: days_ago(30),
                        grade_code: "01.003".into(),
                        step: 5,
                        ..Default::default()
                    })),
                    ..Default::default()
                }),
            },
        ))
        .await
        .expect("the step");
    // An appointment decided 40 days ago and entered now: the change is dated by the decision
    // and late by the days after the 15th; it needs that date, which cannot be in the future.
    let appoint = |effective_date| {
        let (h, admin, id) = (&h, admin.clone(), late.id.clone());
        async move {
            h.employees()
                .update_employee(authed(
                    &admin,
                    pb::UpdateEmployeeRequest {
                        id,
                        position: Some("Phó Trưởng phòng".into()),
                        effective_date,
                        ..Default::default()
                    },
                ))
                .await
        }
    };
    let undated = appoint(None).await.expect_err("no effective date");
    assert_eq!(
        (code_of(&undated), fields_of(&undated)),
        ("REQUIRED".to_string(), vec!["effective_date".to_string()])
    );
    let future = appoint(in_days(3)).await.expect_err("in the future");
    assert_eq!(code_of(&future), "DATE_IN_FUTURE");
    appoint(days_ago(40)).await.expect("appointed");
    let report = h
        .employees()
        .get_compliance(authed(
            &admin,
            pb::GetComplianceRequest {
                unit_id: h.root_id.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect("report")
        .into_inner();
    let mut late: Vec<(&str, &str, &str, i32)> = report
        .late_entries
        .iter()
        .map(|e| {
            (
                e.employee_name.as_str(),
                e.unit_id.as_str(),
                e.what.as_str(),
                e.days_late,
            )
        })
        .collect();
    late.sort_unstable();
    let mut expected = vec![
        (
            "Chuyển Đi",
            district.id.as_str(),
            "change:salary",
            expected_days_late(30, 15),
        ),
        (
            "Chuyển Đi",
            district.id.as_str(),
            "movement:transfer",
            expected_days_late(20, 15),
        ),
        // Entered only now, years after the decision: the district's late hire, though the
        // record is now in the other unit.
        (
            "Chuyển Đi",
            district.id.as_str(),
            "hire",
            expected_days_late(3000, 30),
        ),
        (
            "Quyết Định Đã Lâu",
            district.id.as_str(),
            "hire",
            expected_days_late(50, 30),
        ),
        (
            "Quyết Định Đã Lâu",
            district.id.as_str(),
            "change:position",
            expected_days_late(40, 15),
        ),
    ];
    // A transfer entered on time is not late at all.
    expected.retain(|e| e.3 > 0);
    expected.sort_unstable();
    assert_eq!(late, expected);
    assert!(
        report.units.iter().all(|u| u.unit_id != other.id),
        "the receiving unit made no entry it was late with: {:?}",
        report.units
    );
}

#[tokio::test]
async fn lists_go_by_given_name_in_vietnamese_alphabetical_order() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let unit = h.unit(&admin, "HCL", &h.root_id).await;
    // Entered in this order; a Vietnamese list goes by given name (An, Anh, Ân, Bình, Đức),
    // then family and middle names, with ă/â after a and đ after d.
    for (n, name) in [
        "Lý Văn Đức",
        "Nguyễn Văn Ân",
        "Trần Thị Anh",
        "Phạm Minh Bình",
        "Trần Văn An",
        "Bùi Văn An",
    ]
    .into_iter()
    .enumerate()
    {
        h.employees()
            .create_employee(authed(
                &admin,
                pb::CreateEmployeeRequest {
                    employee: Some(pb::Employee {
                        full_name: name.into(),
                        ..someone(&unit.id, n)
                    }),
                    request_id: String::new(),
                },
            ))
            .await
            .expect("created");
    }
    let listed = h
        .employees()
        .list_employees(authed(
            &admin,
            pb::ListEmployeesRequest {
                unit_id: unit.id.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect("list")
        .into_inner()
        .employees;
    assert_eq!(
        listed
            .iter()
            .map(|e| e.full_name.as_str())
            .collect::<Vec<_>>(),
        vec![
            "Bùi Văn An",
            "Trần Văn An",
            "Trần Thị Anh",
            "Nguyễn Văn Ân",
            "Phạm Minh Bình",
            "Lý Văn Đức",
        ]
    );
}

#[tokio::test]
async fn public_employees_follow_hs02_vc_and_its_items_are_kept() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let unit = h.unit(&admin, "HCL", &h.root_id).await;
    let teacher = h
        .hire(
            &admin,
            pb::Employee {
                kind: pb::EmployeeKind::PublicEmployee as i32,
                full_name: "Lâm Thị Giảng".into(),
                grade_code: "V.07.04.32".into(),
                step: 1,
                coefficient: 0,
                ..someone(&unit.id, 1)
            },
        )
        .await;
    assert_eq!(teacher.form_version, "HS02-VC/BNV");
    let civil = h.hire(&admin, someone(&unit.id, 2)).await;
    assert_eq!(civil.form_version, "2C-BNV/2008");
    let updated = h
        .employees()
        .update_employee(authed(
            &admin,
            pb::UpdateEmployeeRequest {
                id: teacher.id.clone(),
                etag: teacher.etag.clone(),
                job_position: Some("Giáo viên dạy Toán".into()),
                contract_type: Some("Hợp đồng làm việc không xác định thời hạn".into()),
                professional_title_rank: Some("III".into()),
                family_economic_situation: Some("Lương; nhà ở 80 m2".into()),
                personal_history: Some("Không".into()),
                agency_assessment: Some("Hoàn thành tốt nhiệm vụ".into()),
                ..Default::default()
            },
        ))
        .await
        .expect("HS02-VC items")
        .into_inner();
    assert_eq!(
        (
            updated.job_position.as_str(),
            updated.professional_title_rank.as_str(),
            updated.agency_assessment.as_str()
        ),
        ("Giáo viên dạy Toán", "III", "Hoàn thành tốt nhiệm vụ")
    );
    let too_long = h
        .employees()
        .update_employee(authed(
            &admin,
            pb::UpdateEmployeeRequest {
                id: teacher.id.clone(),
                etag: updated.etag.clone(),
                professional_title_rank: Some("x".repeat(33)),
                ..Default::default()
            },
        ))
        .await
        .expect_err("a rank is short");
    assert_eq!(fields_of(&too_long), vec!["professional_title_rank"]);
    // The spouse's siblings are a relationship of the family section.
    h.sections()
        .add_section_entry(authed(
            &admin,
            pb::AddSectionEntryRequest {
                employee_id: teacher.id.clone(),
                entry: Some(pb::SectionEntry {
                    content: Some(pb::section_entry::Content::Family(pb::FamilyEntry {
                        relationship: "spouse_sibling".into(),
                        full_name: "Lâm Văn Em".into(),
                        birth_year: 1990,
                        details: String::new(),
                    })),
                    ..Default::default()
                }),
            },
        ))
        .await
        .expect("a spouse's sibling");
}

/// On PostgreSQL every timestamp, boolean, date and JSON column of personnel's schema has its
/// native type (`make test-services`; SQLite has no such types to check).
#[tokio::test]
async fn the_postgresql_schema_uses_native_types() {
    if !tinhso_testkit::using_services() {
        return;
    }
    let h = start().await;
    let wrong = tinhso_testkit::schema::columns_of_the_wrong_type(&h.personnel.db).await;
    assert!(
        wrong.is_empty(),
        "columns of the wrong type:\n{}",
        wrong.join("\n")
    );
}
