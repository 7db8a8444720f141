//! Callers outside a unit's scope are refused by the RPCs the other test files exercise only
//! from inside: exports, honours, handovers, course registrations and the salary tables.

mod common;

use common::*;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::award_service_client::AwardServiceClient;
use tinhso_proto::personnel::v1::statistics_service_client::StatisticsServiceClient;
use tinhso_proto::personnel::v1::training_service_client::TrainingServiceClient;
use tinhso_testkit::authed;
use tonic::Code;

fn denied<T: std::fmt::Debug>(result: Result<T, tonic::Status>, what: &str) {
    match result {
        Err(status) => assert_eq!(status.code(), Code::PermissionDenied, "{what}: {status:?}"),
        Ok(v) => panic!("{what}: allowed ({v:?})"),
    }
}

#[tokio::test]
async fn outsiders_are_refused_everywhere() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let districts = h.two_districts(&admin, ["HOA", "HOB"]).await;
    let (district, other) = (districts.ours, districts.theirs);
    let (clerk, stranger) = (districts.clerk.token, districts.stranger.token);
    let record = h
        .employees()
        .create_employee(authed(
            &clerk,
            pb::CreateEmployeeRequest {
                employee: Some(pb::Employee {
                    unit_id: district.id.clone(),
                    kind: pb::EmployeeKind::CivilServant as i32,
                    full_name: "Châu Văn Trong".into(),
                    birth_date: in_days(-40 * 365),
                    sex: pb::Sex::Male as i32,
                    ..Default::default()
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect("hired")
        .into_inner();

    // Salary tables: province-wide Finance only.
    denied(
        h.catalogues()
            .set_grade_group(authed(
                &clerk,
                pb::SetGradeGroupRequest {
                    group: "C3".into(),
                    coefficients: vec![150, 168],
                },
            ))
            .await,
        "a clerk sets a step table",
    );

    // Exports and honours of another district.
    let mut statistics = StatisticsServiceClient::new(h.channel.clone());
    denied(
        statistics
            .export_staff_statistics(authed(
                &stranger,
                pb::GetStaffStatisticsRequest {
                    unit_id: district.id.clone(),
                    ..Default::default()
                },
            ))
            .await,
        "statistics export",
    );
    denied(
        h.employees()
            .export_employees(authed(
                &stranger,
                pb::ListEmployeesRequest {
                    unit_id: district.id.clone(),
                    ..Default::default()
                },
            ))
            .await,
        "record export of another unit",
    );
    let mut awards = AwardServiceClient::new(h.channel.clone());
    denied(
        awards
            .list_honours(authed(
                &stranger,
                pb::ListHonoursRequest {
                    unit_id: district.id.clone(),
                    ..Default::default()
                },
            ))
            .await,
        "honours of another district",
    );
    denied(
        awards
            .export_award_statistics(authed(
                &stranger,
                pb::GetAwardStatisticsRequest {
                    unit_id: district.id.clone(),
                    ..Default::default()
                },
            ))
            .await,
        "award statistics export",
    );

    // A registration is withdrawn only by the employee's unit.
    let mut training = TrainingServiceClient::new(h.channel.clone());
    let course = training
        .announce_course(authed(
            &admin,
            pb::AnnounceCourseRequest {
                course: Some(pb::Course {
                    organiser_unit_id: h.root_id.clone(),
                    title: "Bồi dưỡng kiến thức quản lý nhà nước".into(),
                    provider: "Trường Chính trị tỉnh".into(),
                    kind: "state_management".into(),
                    start_date: in_days(20),
                    end_date: in_days(30),
                    registration_deadline: in_days(10),
                    seats: 5,
                    hours: 40,
                    ..Default::default()
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect("course")
        .into_inner();
    let registration = training
        .register_for_course(authed(
            &clerk,
            pb::RegisterForCourseRequest {
                course_id: course.id.clone(),
                employee_id: record.id.clone(),
            },
        ))
        .await
        .expect("registered")
        .into_inner();
    denied(
        training
            .withdraw_registration(authed(
                &stranger,
                pb::WithdrawRegistrationRequest {
                    id: registration.id.clone(),
                },
            ))
            .await,
        "withdraw another unit's registration",
    );

    // A handover to the other district: the sender cannot settle it, the receiver's pending
    // list is theirs alone.
    let pending = h
        .employees()
        .move_employee(authed(
            &clerk,
            pb::MoveEmployeeRequest {
                id: record.id.clone(),
                kind: pb::MovementKind::Transfer as i32,
                to_unit_id: other.id.clone(),
                decision_number: "5/QĐ-UBND".into(),
                decision_date: in_days(-25),
                effective_date: in_days(-20),
                note: String::new(),
                etag: String::new(),
            },
        ))
        .await
        .expect("handover")
        .into_inner();
    assert_eq!(pending.state, pb::MovementState::Pending as i32);
    denied(
        h.employees()
            .decline_movement(authed(
                &clerk,
                pb::SettleMovementRequest {
                    id: pending.id.clone(),
                    note: String::new(),
                },
            ))
            .await,
        "the sender declines its own handover",
    );
    denied(
        h.employees()
            .list_pending_movements(authed(
                &clerk,
                pb::ListPendingMovementsRequest {
                    unit_id: other.id.clone(),
                },
            ))
            .await,
        "another unit's pending handovers",
    );
    // Twenty days after it took effect, the waiting handover is late for the receiving unit.
    let compliance = h
        .employees()
        .get_compliance(authed(
            &admin,
            pb::GetComplianceRequest {
                unit_id: other.id.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect("compliance")
        .into_inner();
    let late: Vec<(&str, i32)> = compliance
        .late_entries
        .iter()
        .map(|e| (e.what.as_str(), e.days_late))
        .collect();
    assert_eq!(late, vec![("handover:pending", 5)]);
}

#[tokio::test]
async fn a_link_to_a_record_elsewhere_reads_nothing() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let districts = h.two_districts(&admin, ["HLA", "HLB"]).await;
    let hire = |token: String, unit: String, name: &'static str| {
        let h = &h;
        async move {
            h.employees()
                .create_employee(authed(
                    &token,
                    pb::CreateEmployeeRequest {
                        employee: Some(pb::Employee {
                            unit_id: unit,
                            kind: pb::EmployeeKind::CivilServant as i32,
                            full_name: name.into(),
                            birth_date: in_days(-35 * 365),
                            sex: pb::Sex::Female as i32,
                            ..Default::default()
                        }),
                        request_id: String::new(),
                    },
                ))
                .await
                .expect("hired")
                .into_inner()
        }
    };
    let ours = hire(
        districts.clerk.token.clone(),
        districts.ours.id.clone(),
        "Lê Thị Mình",
    )
    .await;
    let theirs = hire(
        districts.stranger.token.clone(),
        districts.theirs.id.clone(),
        "Trần Thị Người Khác",
    )
    .await;
    let province = h.province();
    let unit_admin = province
        .person(
            &admin,
            "qtdv.hla",
            &districts.ours.id,
            "unit_admin",
            Some(&districts.ours.id),
            "",
        )
        .await
        .token;
    // The unit admin links an account of its district to the other district's record and grants
    // it self-service: identity takes the link (it cannot see where the record is), but the
    // record lies outside the account's unit, so personnel serves it nothing.
    let smuggled = province
        .person(
            &unit_admin,
            "muon.ho.so",
            &districts.ours.id,
            "employee_self_service",
            None,
            &theirs.id,
        )
        .await;
    denied(
        h.employees()
            .get_employee(authed(
                &smuggled.token,
                pb::GetEmployeeRequest {
                    id: theirs.id.clone(),
                },
            ))
            .await,
        "a self-service read of a record in another district",
    );
    // Linked to a record of its own district, the account reads its own record.
    let own = province
        .person(
            &unit_admin,
            "le.thi.minh",
            &districts.ours.id,
            "employee_self_service",
            None,
            &ours.id,
        )
        .await;
    let read = h
        .employees()
        .get_employee(authed(
            &own.token,
            pb::GetEmployeeRequest {
                id: ours.id.clone(),
            },
        ))
        .await
        .expect("its own record")
        .into_inner();
    assert_eq!(read.full_name, "Lê Thị Mình");

    // Someone who may create accounts but not write personnel records may not link one.
    let mut access = tinhso_proto::identity::v1::access_service_client::AccessServiceClient::new(
        h.channel.clone(),
    );
    access
        .create_role(authed(
            &admin,
            tinhso_proto::identity::v1::CreateRoleRequest {
                role: Some(tinhso_proto::identity::v1::Role {
                    code: "account_clerk".into(),
                    name: "Quản lý tài khoản".into(),
                    permissions: vec!["identity.account.*".into(), "identity.unit.read".into()],
                    ..Default::default()
                }),
            },
        ))
        .await
        .expect("role");
    let account_clerk = province
        .person(
            &admin,
            "taikhoan.hla",
            &districts.ours.id,
            "account_clerk",
            Some(&districts.ours.id),
            "",
        )
        .await
        .token;
    let refused = tinhso_proto::identity::v1::account_service_client::AccountServiceClient::new(
        h.channel.clone(),
    )
    .create_account(authed(
        &account_clerk,
        tinhso_proto::identity::v1::CreateAccountRequest {
            account: Some(tinhso_proto::identity::v1::Account {
                username: "lien.ket".into(),
                full_name: "Liên Kết".into(),
                unit_id: districts.ours.id.clone(),
                personnel_id: ours.id.clone(),
                ..Default::default()
            }),
            request_id: String::new(),
        },
    ))
    .await
    .expect_err("no right to link");
    assert_eq!(refused.code(), Code::PermissionDenied);
    assert_eq!(code_of(&refused), "RECORD_LINK_DENIED");
    assert_eq!(fields_of(&refused), vec!["account.personnel_id"]);
}
