//! The training sub-module (courses, registrations as legal acts, results entering the record)
//! and the awards sub-module (honours outside the records, award statistics), through gRPC.

mod common;

use common::*;
use pb::section_entry::Content;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::award_service_client::AwardServiceClient;
use tinhso_proto::personnel::v1::training_service_client::TrainingServiceClient;
use tinhso_testkit::authed;
use tonic::Code;

#[tokio::test]
async fn courses_take_registrations_as_legal_acts_and_completion_updates_the_record() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let districts = h.two_districts(&admin, ["HDT", "HDK"]).await;
    let district = districts.ours;
    let (clerk, stranger) = (districts.clerk.token, districts.stranger.token);
    let home_affairs = h
        .person(
            &admin,
            "sonoivu.dt",
            &h.root_id,
            "personnel_admin",
            Some(&h.root_id),
            "",
        )
        .await;
    let mut staff = Vec::new();
    for name in ["Huỳnh Văn Một", "Huỳnh Văn Hai", "Huỳnh Văn Ba"] {
        staff.push(
            h.employees()
                .create_employee(authed(
                    &clerk,
                    pb::CreateEmployeeRequest {
                        employee: Some(pb::Employee {
                            unit_id: district.id.clone(),
                            kind: pb::EmployeeKind::CivilServant as i32,
                            full_name: name.into(),
                            birth_date: date(1988, 8, 8),
                            sex: pb::Sex::Male as i32,
                            political_theory: "primary".into(),
                            ..Default::default()
                        }),
                        request_id: String::new(),
                    },
                ))
                .await
                .expect("hired")
                .into_inner(),
        );
    }
    let training = || TrainingServiceClient::new(h.channel.clone());
    let course = pb::Course {
        organiser_unit_id: h.root_id.clone(),
        title: "Trung cấp lý luận chính trị - hành chính khóa 12".into(),
        provider: "Trường Chính trị tỉnh".into(),
        kind: "political_theory".into(),
        // It begins today (registrations close tonight), so results can be recorded below.
        start_date: in_days(0),
        end_date: in_days(40),
        registration_deadline: in_days(0),
        seats: 2,
        hours: 120,
        qualification_field: "political_theory".into(),
        qualification_code: "intermediate".into(),
        ..Default::default()
    };
    let denied = training()
        .announce_course(authed(
            &clerk,
            pb::AnnounceCourseRequest {
                course: Some(course.clone()),
                request_id: String::new(),
            },
        ))
        .await
        .expect_err("a unit clerk does not announce courses");
    assert_eq!(denied.code(), Code::PermissionDenied);
    let bad = training()
        .announce_course(authed(
            &home_affairs,
            pb::AnnounceCourseRequest {
                course: Some(pb::Course {
                    kind: "cooking".into(),
                    registration_deadline: in_days(20),
                    seats: 0,
                    ..course.clone()
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect_err("bad course");
    let mut fields = fields_of(&bad);
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "course.kind",
            "course.registration_deadline",
            "course.seats"
        ]
    );
    let announced = training()
        .announce_course(authed(
            &home_affairs,
            pb::AnnounceCourseRequest {
                course: Some(course.clone()),
                request_id: "khoa-12".into(),
            },
        ))
        .await
        .expect("announced")
        .into_inner();
    let open = training()
        .list_courses(authed(
            &clerk,
            pb::ListCoursesRequest {
                open_only: true,
                ..Default::default()
            },
        ))
        .await
        .expect("courses")
        .into_inner()
        .courses;
    assert_eq!(open.len(), 1);

    let register = |token: &str, employee: &pb::Employee| {
        let (token, course_id, employee_id) =
            (token.to_string(), announced.id.clone(), employee.id.clone());
        let mut client = training();
        async move {
            client
                .register_for_course(authed(
                    &token,
                    pb::RegisterForCourseRequest {
                        course_id,
                        employee_id,
                    },
                ))
                .await
        }
    };
    let first = register(&clerk, &staff[0])
        .await
        .expect("registered")
        .into_inner();
    assert_eq!(
        first.registered_by, "data_entry.hdt",
        "who registered is kept"
    );
    assert!(first.register_time.is_some(), "and when");
    assert_eq!(
        register(&clerk, &staff[0]).await.expect_err("twice").code(),
        Code::FailedPrecondition
    );
    assert_eq!(
        register(&stranger, &staff[1])
            .await
            .expect_err("another district's staff")
            .code(),
        Code::PermissionDenied
    );
    let second = register(&clerk, &staff[1])
        .await
        .expect("second")
        .into_inner();
    let full = register(&clerk, &staff[2]).await.expect_err("two seats");
    assert_eq!(full.code(), Code::FailedPrecondition);
    // The course has begun: a registration is no longer withdrawn (see the later course).
    let too_late = training()
        .withdraw_registration(authed(
            &clerk,
            pb::WithdrawRegistrationRequest {
                id: second.id.clone(),
            },
        ))
        .await
        .expect_err("the course has begun");
    assert_eq!(too_late.code(), Code::FailedPrecondition);
    let seen = |token: &str| {
        let (token, course_id) = (token.to_string(), announced.id.clone());
        let mut client = training();
        async move {
            client
                .list_registrations(authed(&token, pb::ListRegistrationsRequest { course_id }))
                .await
                .expect("registrations")
                .into_inner()
                .registrations
                .len()
        }
    };
    assert_eq!(
        seen(&home_affairs).await,
        2,
        "the organiser sees every registration"
    );
    assert_eq!(seen(&clerk).await, 2, "the unit sees its own staff's");
    assert_eq!(seen(&stranger).await, 0);

    // Results: only the organiser; completion enters the record and lifts the qualification.
    let result = |token: &str| {
        let (token, id) = (token.to_string(), first.id.clone());
        let mut client = training();
        async move {
            client
                .record_result(authed(
                    &token,
                    pb::RecordResultRequest {
                        id,
                        result: pb::RegistrationStatus::Completed as i32,
                        hours: 0,
                        certificate: "Bằng TC LLCT số 1234".into(),
                    },
                ))
                .await
        }
    };
    assert_eq!(
        result(&clerk).await.expect_err("not the organiser").code(),
        Code::PermissionDenied
    );
    let done = result(&home_affairs).await.expect("completed").into_inner();
    assert_eq!(done.hours, 120);
    assert_eq!(
        result(&home_affairs).await.expect_err("once").code(),
        Code::FailedPrecondition
    );
    let record = h
        .employees()
        .get_employee(authed(
            &clerk,
            pb::GetEmployeeRequest {
                id: staff[0].id.clone(),
            },
        ))
        .await
        .expect("record")
        .into_inner();
    assert_eq!(record.political_theory, "intermediate");
    let sections = h
        .sections()
        .list_section_entries(authed(
            &clerk,
            pb::ListSectionEntriesRequest {
                employee_id: staff[0].id.clone(),
                section: pb::Section::Training as i32,
            },
        ))
        .await
        .expect("sections")
        .into_inner()
        .entries;
    let Some(Content::Training(t)) = sections.first().and_then(|s| s.content.clone()) else {
        panic!("a training entry");
    };
    assert_eq!(
        (t.hours, t.course_id.as_str()),
        (120, announced.id.as_str())
    );
    let year = in_days(10).map(|d| d.year).unwrap_or_default();
    let hours = training()
        .get_study_hours(authed(
            &clerk,
            pb::GetStudyHoursRequest {
                unit_id: district.id.clone(),
                year,
            },
        ))
        .await
        .expect("study hours")
        .into_inner();
    assert_eq!(hours.total_hours, 120);
    assert_eq!(hours.employees[0].full_name, "Huỳnh Văn Một");
    assert_eq!(
        training()
            .get_study_hours(authed(
                &stranger,
                pb::GetStudyHoursRequest {
                    unit_id: district.id.clone(),
                    year,
                },
            ))
            .await
            .expect_err("another district")
            .code(),
        Code::PermissionDenied
    );

    // A course that begins in ten days takes registrations, but no result before it begins.
    let later = training()
        .announce_course(authed(
            &home_affairs,
            pb::AnnounceCourseRequest {
                course: Some(pb::Course {
                    title: "Bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên".into(),
                    kind: "state_management".into(),
                    start_date: in_days(10),
                    registration_deadline: in_days(5),
                    qualification_field: String::new(),
                    qualification_code: String::new(),
                    ..course.clone()
                }),
                request_id: "khoa-qlnn".into(),
            },
        ))
        .await
        .expect("announced")
        .into_inner();
    let register_later = |employee: &pb::Employee| {
        let (token, course_id, employee_id) =
            (clerk.clone(), later.id.clone(), employee.id.clone());
        let mut client = training();
        async move {
            client
                .register_for_course(authed(
                    &token,
                    pb::RegisterForCourseRequest {
                        course_id,
                        employee_id,
                    },
                ))
                .await
        }
    };
    let second = register_later(&staff[1])
        .await
        .expect("registered")
        .into_inner();
    register_later(&staff[2]).await.expect("second seat");
    let full = register_later(&staff[0]).await.expect_err("two seats");
    assert_eq!(full.code(), Code::FailedPrecondition);
    // Before it begins a registration is withdrawn (never deleted: the act stays), freeing a seat.
    let withdrawn = training()
        .withdraw_registration(authed(
            &clerk,
            pb::WithdrawRegistrationRequest {
                id: second.id.clone(),
            },
        ))
        .await
        .expect("withdrawn")
        .into_inner();
    assert_eq!(withdrawn.status, pb::RegistrationStatus::Withdrawn as i32);
    assert_eq!(withdrawn.registered_by, "data_entry.hdt", "the act stays");
    let waiting = register_later(&staff[0])
        .await
        .expect("the freed seat")
        .into_inner();
    let early = training()
        .record_result(authed(
            &home_affairs,
            pb::RecordResultRequest {
                id: waiting.id,
                result: pb::RegistrationStatus::Completed as i32,
                hours: 0,
                certificate: String::new(),
            },
        ))
        .await
        .expect_err("before the course begins");
    assert_eq!(code_of(&early), "COURSE_NOT_STARTED");
}

#[tokio::test]
async fn honours_stand_outside_the_records_and_statistics_count_both() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let districts = h.two_districts(&admin, ["HCG", "HCD"]).await;
    let district = districts.ours;
    let (clerk, stranger) = (districts.clerk.token, districts.stranger.token);
    let awards = || AwardServiceClient::new(h.channel.clone());
    let honour = |kind: &str, name: &str, year: i32| pb::Honour {
        unit_id: district.id.clone(),
        kind: kind.into(),
        recipient_name: name.into(),
        birth_year: 1920,
        home_town: "Xã Mỹ Hiệp".into(),
        decision_number: format!("{year}/QĐ-CTN"),
        decision_date: date(year, 4, 30),
        posthumous: true,
        ..Default::default()
    };
    let create = |token: &str, h: pb::Honour| {
        let token = token.to_string();
        let mut client = awards();
        async move {
            client
                .create_honour(authed(
                    &token,
                    pb::CreateHonourRequest {
                        honour: Some(h),
                        request_id: String::new(),
                    },
                ))
                .await
        }
    };
    create(&clerk, honour("heroic_mother", "Bà Nguyễn Thị Thứ", 2024))
        .await
        .expect("Heroic Mother");
    create(&clerk, honour("resistance_medal", "Ông Lê Văn Tám", 2025))
        .await
        .expect("resistance medal");
    let staff_award = create(&clerk, honour("merit_paper", "Ông A", 2025))
        .await
        .expect_err("staff awards go into records");
    assert_eq!(fields_of(&staff_award), vec!["honour.kind"]);
    let missing = create(
        &clerk,
        pb::Honour {
            recipient_name: String::new(),
            decision_date: None,
            ..honour("heroic_mother", "", 2024)
        },
    )
    .await
    .expect_err("name and date missing");
    let mut fields = fields_of(&missing);
    fields.sort();
    assert_eq!(
        fields,
        vec!["honour.decision_date", "honour.recipient_name"]
    );
    assert_eq!(
        create(&stranger, honour("heroic_mother", "Bà B", 2024))
            .await
            .expect_err("another district")
            .code(),
        Code::PermissionDenied
    );
    let found = awards()
        .list_honours(authed(
            &clerk,
            pb::ListHonoursRequest {
                unit_id: district.id.clone(),
                query: "nguyen thi thu".into(),
                ..Default::default()
            },
        ))
        .await
        .expect("honours")
        .into_inner()
        .honours;
    assert_eq!(found.len(), 1);
    assert!(found[0].posthumous);

    // An award in a staff record counts with the honours.
    let employee = h
        .employees()
        .create_employee(authed(
            &clerk,
            pb::CreateEmployeeRequest {
                employee: Some(pb::Employee {
                    unit_id: district.id.clone(),
                    kind: pb::EmployeeKind::CivilServant as i32,
                    full_name: "Phan Văn Khen".into(),
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
    h.sections()
        .add_section_entry(authed(
            &clerk,
            pb::AddSectionEntryRequest {
                employee_id: employee.id.clone(),
                entry: Some(pb::SectionEntry {
                    content: Some(Content::Award(pb::AwardEntry {
                        kind: "heroic_mother".into(),
                        decision_number: "1/QĐ".into(),
                        decision_date: date(2025, 7, 27),
                        ..Default::default()
                    })),
                    ..Default::default()
                }),
            },
        ))
        .await
        .expect("award in the record");
    let stats = awards()
        .get_award_statistics(authed(
            &clerk,
            pb::GetAwardStatisticsRequest {
                unit_id: district.id.clone(),
                from_year: 2024,
                to_year: 2025,
            },
        ))
        .await
        .expect("statistics")
        .into_inner();
    assert_eq!(stats.years, vec![2024, 2025]);
    // Years at the ends of the integer range are bad input, not a crash (found by fuzz-api).
    for (from_year, to_year) in [(0, i32::MIN), (i32::MIN, i32::MAX)] {
        let refused = awards()
            .get_award_statistics(authed(
                &clerk,
                pb::GetAwardStatisticsRequest {
                    unit_id: district.id.clone(),
                    from_year,
                    to_year,
                },
            ))
            .await
            .expect_err("out of range");
        assert_eq!(refused.code(), Code::InvalidArgument, "{refused:?}");
    }
    let kind = |code: &str| {
        stats
            .kinds
            .iter()
            .find(|k| k.kind == code)
            .map(|k| (k.counts.clone(), k.total, k.level.clone()))
            .expect("kind")
    };
    assert_eq!(
        kind("heroic_mother"),
        (vec![1, 1], 2, "heroic_mother".into())
    );
    assert_eq!(
        kind("resistance_medal"),
        (vec![0, 1], 1, "resistance".into())
    );
    let mut stream = awards()
        .export_award_statistics(authed(
            &clerk,
            pb::GetAwardStatisticsRequest {
                unit_id: district.id.clone(),
                from_year: 2024,
                to_year: 2025,
            },
        ))
        .await
        .expect("export")
        .into_inner();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.message().await.expect("chunk") {
        bytes.extend(chunk.data);
    }
    let sheet = read_sheet(&bytes);
    assert_eq!(
        sheet[2],
        vec![
            "Hình thức khen thưởng",
            "Cấp",
            "Năm 2024",
            "Năm 2025",
            "Tổng cộng"
        ]
    );
    assert!(
        sheet
            .iter()
            .any(|r| r[0] == "Danh hiệu Bà mẹ Việt Nam anh hùng" && r[4] == "2")
    );
    let denied = awards()
        .get_award_statistics(authed(
            &stranger,
            pb::GetAwardStatisticsRequest {
                unit_id: district.id.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect_err("another district");
    assert_eq!(denied.code(), Code::PermissionDenied);
}
