//! Searching records by any combination of criteria, and exporting what a search finds as an
//! .xlsx workbook, through gRPC.

mod common;

use common::*;
use pb::section_entry::Content;
use tinhso_proto::personnel::v1 as pb;
use tinhso_testkit::authed;
use tonic::Code;

/// Someone born `age` years ago on 1 January (so their age is `age` or `age - 1` today).
fn born_years_ago(age: i32) -> Option<Date> {
    let year = 2026 - age;
    date(year, 1, 1)
}

#[tokio::test]
async fn any_combination_of_criteria_finds_the_right_records_and_exports_them() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let districts = h.two_districts(&admin, ["HTX", "HTN"]).await;
    let (district, other) = (districts.ours, districts.theirs);
    let (clerk, stranger) = (districts.clerk.token, districts.stranger.token);
    let hire = |token: &str, e: pb::Employee| {
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
                .expect("hired")
                .into_inner()
        }
    };
    let base = |name: &str| pb::Employee {
        unit_id: district.id.clone(),
        kind: pb::EmployeeKind::CivilServant as i32,
        full_name: name.into(),
        birth_date: born_years_ago(40),
        sex: pb::Sex::Male as i32,
        ethnicity: "01".into(),
        grade_code: "01.003".into(),
        step: 3,
        ..Default::default()
    };
    let thu = hire(
        &clerk,
        pb::Employee {
            sex: pb::Sex::Female as i32,
            ethnicity: "05".into(),
            religion: "01".into(),
            degree: "bachelor".into(),
            political_theory: "intermediate".into(),
            party_admission_date: date(2010, 5, 19),
            birth_date: born_years_ago(35),
            step: 5,
            ..base("Thạch Thị Thu")
        },
    )
    .await;
    let nguyen = hire(
        &clerk,
        pb::Employee {
            degree: "master".into(),
            party_admission_date: date(2005, 2, 3),
            birth_date: born_years_ago(52),
            step: 8,
            ..base("Nguyễn Hữu Nghĩa")
        },
    )
    .await;
    let young = hire(
        &clerk,
        pb::Employee {
            kind: pb::EmployeeKind::PublicEmployee as i32,
            sex: pb::Sex::Female as i32,
            degree: "bachelor".into(),
            birth_date: born_years_ago(26),
            step: 1,
            ..base("Nguyễn Thị Mai")
        },
    )
    .await;
    hire(
        &admin,
        pb::Employee {
            unit_id: other.id.clone(),
            sex: pb::Sex::Female as i32,
            degree: "bachelor".into(),
            ..base("Nguyễn Thị Ngoài")
        },
    )
    .await;
    h.sections()
        .add_section_entry(authed(
            &clerk,
            pb::AddSectionEntryRequest {
                employee_id: nguyen.id.clone(),
                entry: Some(pb::SectionEntry {
                    content: Some(Content::Award(pb::AwardEntry {
                        kind: "provincial_certificate".into(),
                        decision_number: "9/QĐ-UBND".into(),
                        decision_date: date(2023, 1, 9),
                        ..Default::default()
                    })),
                    ..Default::default()
                }),
            },
        ))
        .await
        .expect("award");

    let find = |token: &str, r: pb::ListEmployeesRequest| {
        let (h, token) = (&h, token.to_string());
        async move {
            h.employees()
                .list_employees(authed(&token, r))
                .await
                .map(|r| {
                    r.into_inner()
                        .employees
                        .into_iter()
                        .map(|e| e.full_name)
                        .collect::<Vec<_>>()
                })
        }
    };
    let all = pb::ListEmployeesRequest::default;
    // Name without diacritics, within scope only.
    assert_eq!(
        find(
            &clerk,
            pb::ListEmployeesRequest {
                query: "nguyen".into(),
                ..all()
            }
        )
        .await
        .expect("name"),
        vec!["Nguyễn Thị Mai", "Nguyễn Hữu Nghĩa"],
        "by given name: Mai before Nghĩa"
    );
    // Five criteria at once: women, bachelor's degree, Party members, ethnic minority, age 30-39.
    assert_eq!(
        find(
            &clerk,
            pb::ListEmployeesRequest {
                sex: pb::Sex::Female as i32,
                degree: "bachelor".into(),
                party_member: Some(true),
                ethnic_minority: true,
                min_age: 30,
                max_age: 39,
                ..all()
            }
        )
        .await
        .expect("five criteria"),
        vec!["Thạch Thị Thu"]
    );
    assert_eq!(
        find(
            &clerk,
            pb::ListEmployeesRequest {
                party_member: Some(false),
                ..all()
            }
        )
        .await
        .expect("outside the Party"),
        vec!["Nguyễn Thị Mai"]
    );
    assert_eq!(
        find(
            &clerk,
            pb::ListEmployeesRequest {
                award_kind: "provincial_certificate".into(),
                ..all()
            }
        )
        .await
        .expect("award"),
        vec!["Nguyễn Hữu Nghĩa"]
    );
    assert_eq!(
        find(
            &clerk,
            pb::ListEmployeesRequest {
                min_age: 50,
                ..all()
            }
        )
        .await
        .expect("age"),
        vec!["Nguyễn Hữu Nghĩa"]
    );
    assert_eq!(
        find(
            &clerk,
            pb::ListEmployeesRequest {
                kind: pb::EmployeeKind::PublicEmployee as i32,
                ..all()
            }
        )
        .await
        .expect("kind"),
        vec!["Nguyễn Thị Mai"]
    );
    assert_eq!(
        find(
            &clerk,
            pb::ListEmployeesRequest {
                order_by: "coefficient".into(),
                ..all()
            }
        )
        .await
        .expect("by coefficient"),
        vec!["Nguyễn Hữu Nghĩa", "Thạch Thị Thu", "Nguyễn Thị Mai"]
    );
    assert_eq!(
        find(
            &clerk,
            pb::ListEmployeesRequest {
                born_from: born_years_ago(36),
                born_to: born_years_ago(20),
                grade_code: "01.003".into(),
                ..all()
            }
        )
        .await
        .expect("birth range"),
        vec!["Nguyễn Thị Mai", "Thạch Thị Thu"]
    );
    assert!(
        find(
            &stranger,
            pb::ListEmployeesRequest {
                query: "thu".into(),
                ..all()
            }
        )
        .await
        .expect("another district")
        .is_empty()
    );
    let bad = find(
        &clerk,
        pb::ListEmployeesRequest {
            order_by: "salary".into(),
            min_age: -1,
            born_from: date(2020, 2, 30),
            ..all()
        },
    )
    .await
    .expect_err("bad criteria");
    assert_eq!(bad.code(), Code::InvalidArgument);
    let mut fields = fields_of(&bad);
    fields.sort();
    assert_eq!(fields, vec!["born_from", "min_age", "order_by"]);
    let denied = find(
        &stranger,
        pb::ListEmployeesRequest {
            unit_id: district.id.clone(),
            ..all()
        },
    )
    .await
    .expect_err("another district's unit");
    assert_eq!(denied.code(), Code::PermissionDenied);

    // The export: chosen columns, names instead of codes, Vietnamese intact.
    let export = |token: &str, r: pb::ListEmployeesRequest| {
        let (h, token) = (&h, token.to_string());
        async move {
            let mut stream = h
                .employees()
                .export_employees(authed(&token, r))
                .await?
                .into_inner();
            let mut bytes = Vec::new();
            let mut name = String::new();
            while let Some(chunk) = stream.message().await? {
                if name.is_empty() {
                    name = chunk.filename.clone();
                }
                bytes.extend(chunk.data);
            }
            Ok::<_, tonic::Status>((name, bytes))
        }
    };
    let (name, bytes) = export(
        &clerk,
        pb::ListEmployeesRequest {
            sex: pb::Sex::Female as i32,
            columns: vec![
                "stt".into(),
                "full_name".into(),
                "ethnicity".into(),
                "unit".into(),
                "party_admission_date".into(),
            ],
            ..all()
        },
    )
    .await
    .expect("export");
    assert!(name.ends_with(".xlsx"), "{name}");
    let rows = read_sheet(&bytes);
    assert_eq!(
        rows[2],
        vec!["STT", "Họ và tên", "Dân tộc", "Đơn vị", "Ngày vào Đảng"]
    );
    assert_eq!(
        rows[3],
        vec!["1", "Nguyễn Thị Mai", "Kinh", "Đơn vị HTX", ""]
    );
    // A date cell (Excel shows it dd/mm/yyyy and sorts it as a date): the reader gives it back
    // as a date, not as text.
    assert_eq!(
        rows[4],
        vec!["2", "Thạch Thị Thu", "Khơ-me", "Đơn vị HTX", "2010-05-19"]
    );
    assert_eq!(rows.len(), 5, "title, blank, header and two women");
    let unknown = export(
        &clerk,
        pb::ListEmployeesRequest {
            columns: vec!["salary_secret".into()],
            ..all()
        },
    )
    .await
    .expect_err("unknown column");
    assert_eq!(fields_of(&unknown), vec!["columns"]);
    let (_, theirs) = export(&stranger, all()).await.expect("their own scope");
    let rows = read_sheet(&theirs);
    assert_eq!(rows.len(), 4, "only the one record of their district");
    assert_eq!(rows[3][1], "Nguyễn Thị Ngoài");
    let _ = (thu, young);
}
