//! Catalogues and salary tables through gRPC: the seeds, who may change them, and how records
//! are checked against them.

mod common;

use common::*;
use tinhso_proto::personnel::v1 as pb;
use tinhso_testkit::authed;
use tonic::Code;

fn teacher(unit_id: &str) -> pb::Employee {
    pb::Employee {
        unit_id: unit_id.into(),
        kind: pb::EmployeeKind::PublicEmployee as i32,
        full_name: "Lê Thị Hoa".into(),
        birth_date: date(1990, 9, 2),
        sex: pb::Sex::Female as i32,
        ethnicity: "05".into(),
        religion: "01".into(),
        degree: "bachelor".into(),
        id_number: "087190004321".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn seeded_catalogues_are_read_by_everyone_and_changed_only_province_wide() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let (district, clerk) = h.district_with_clerk(&admin, "HLV").await;
    let home_affairs = h
        .person(
            &admin,
            "sonoivu",
            &h.root_id,
            "personnel_admin",
            Some(&h.root_id),
            "",
        )
        .await;
    let finance = h
        .person(
            &admin,
            "sotaichinh",
            &h.root_id,
            "salary_manager",
            Some(&h.root_id),
            "",
        )
        .await;

    // The seeds: 54 ethnic groups and foreigners with the statistics office's codes.
    let ethnicities = h
        .catalogues()
        .list_catalogue_entries(authed(
            &clerk,
            pb::ListCatalogueEntriesRequest {
                catalogue: "ethnicity".into(),
                include_retired: false,
            },
        ))
        .await
        .expect("a clerk reads catalogues")
        .into_inner()
        .entries;
    assert_eq!(ethnicities.len(), 55);
    assert_eq!(
        (ethnicities[0].code.as_str(), ethnicities[0].name.as_str()),
        ("01", "Kinh")
    );
    let groups = h
        .catalogues()
        .list_grade_groups(authed(&clerk, pb::ListGradeGroupsRequest {}))
        .await
        .expect("grade groups")
        .into_inner()
        .groups;
    let a1 = groups.iter().find(|g| g.group == "A1").expect("A1");
    assert_eq!(
        (
            a1.coefficients[0],
            a1.coefficients[8],
            a1.raise_interval_months
        ),
        (234, 498, 36)
    );
    let bases = h
        .catalogues()
        .list_base_salaries(authed(&clerk, pb::ListBaseSalariesRequest {}))
        .await
        .expect("base salaries")
        .into_inner()
        .base_salaries;
    assert_eq!(
        bases.iter().map(|b| b.amount).collect::<Vec<_>>(),
        vec![1_490_000, 1_800_000, 2_340_000]
    );
    let unknown = h
        .catalogues()
        .list_catalogue_entries(authed(
            &clerk,
            pb::ListCatalogueEntriesRequest {
                catalogue: "hobbies".into(),
                include_retired: false,
            },
        ))
        .await
        .expect_err("no such catalogue");
    assert_eq!(unknown.code(), Code::InvalidArgument);
    assert_eq!(fields_of(&unknown), vec!["catalogue"]);

    // A grade of a sector circular the seed lacks: a unit's clerk and Finance may not add it,
    // Home Affairs may.
    let grade = pb::PutCatalogueEntryRequest {
        catalogue: "grade".into(),
        code: "V.07.01.03".into(),
        name: "Giảng viên (hạng III)".into(),
        attribute: "A1".into(),
        sort_order: 100,
        active: true,
        report_column: "title_rank_3".into(),
    };
    for (who, token) in [("clerk", &clerk), ("finance", &finance)] {
        let denied = h
            .catalogues()
            .put_catalogue_entry(authed(token, grade.clone()))
            .await
            .expect_err(who);
        assert_eq!(denied.code(), Code::PermissionDenied, "{who}");
    }
    let added = h
        .catalogues()
        .put_catalogue_entry(authed(&home_affairs, grade.clone()))
        .await
        .expect("Home Affairs adds a grade")
        .into_inner();
    assert_eq!(added.updated_by, "sonoivu");
    let bad = h
        .catalogues()
        .put_catalogue_entry(authed(
            &home_affairs,
            pb::PutCatalogueEntryRequest {
                code: String::new(),
                attribute: "Z9".into(),
                ..grade.clone()
            },
        ))
        .await
        .expect_err("no code, no group");
    assert_eq!(fields_of(&bad), vec!["code", "attribute"]);

    // The step fills the coefficient from the group's table; a wrong coefficient, an unknown
    // code and dates out of order are all named at once, and nothing is written.
    let hired = h
        .employees()
        .create_employee(authed(
            &clerk,
            pb::CreateEmployeeRequest {
                employee: Some(pb::Employee {
                    grade_code: "V.07.01.03".into(),
                    step: 2,
                    ..teacher(&district.id)
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect("hired on the new grade")
        .into_inner();
    assert_eq!(hired.coefficient, 267, "A1 step 2 is 2.67");
    let refused = h
        .employees()
        .create_employee(authed(
            &clerk,
            pb::CreateEmployeeRequest {
                employee: Some(pb::Employee {
                    grade_code: "V.07.01.03".into(),
                    step: 2,
                    coefficient: 300,
                    ethnicity: "99".into(),
                    recruitment_date: date(1989, 1, 1),
                    full_name: "Người khác".into(),
                    ..teacher(&district.id)
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect_err("three faults");
    assert_eq!(refused.code(), Code::InvalidArgument);
    let mut fields = fields_of(&refused);
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "employee.coefficient",
            "employee.ethnicity",
            "employee.recruitment_date"
        ]
    );
    let listed = h
        .employees()
        .list_employees(authed(
            &clerk,
            pb::ListEmployeesRequest {
                query: "nguoi khac".into(),
                ..Default::default()
            },
        ))
        .await
        .expect("search")
        .into_inner();
    assert!(listed.employees.is_empty(), "nothing written");

    // Retiring an entry keeps it for the records that hold it but refuses it for new ones.
    h.catalogues()
        .put_catalogue_entry(authed(
            &home_affairs,
            pb::PutCatalogueEntryRequest {
                active: false,
                ..grade.clone()
            },
        ))
        .await
        .expect("retired");
    let retired = h
        .employees()
        .create_employee(authed(
            &clerk,
            pb::CreateEmployeeRequest {
                employee: Some(pb::Employee {
                    grade_code: "V.07.01.03".into(),
                    id_number: "087190004322".into(),
                    ..teacher(&district.id)
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect_err("retired grade");
    assert_eq!(fields_of(&retired), vec!["employee.grade_code"]);
    h.employees()
        .update_employee(authed(
            &clerk,
            pb::UpdateEmployeeRequest {
                id: hired.id.clone(),
                position: Some("Tổ trưởng chuyên môn".into()),
                effective_date: in_days(0),
                etag: hired.etag.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect("a record on a retired grade can still be updated");
    let grades = |include_retired| {
        let h = &h;
        let clerk = clerk.clone();
        async move {
            h.catalogues()
                .list_catalogue_entries(authed(
                    &clerk,
                    pb::ListCatalogueEntriesRequest {
                        catalogue: "grade".into(),
                        include_retired,
                    },
                ))
                .await
                .expect("grades")
                .into_inner()
                .entries
                .into_iter()
                .any(|e| e.code == "V.07.01.03")
        }
    };
    assert!(!grades(false).await);
    assert!(grades(true).await);

    // Finance keeps the base salary; Home Affairs' clerk-level users may not.
    let next = pb::SetBaseSalaryRequest {
        from_date: date(2026, 7, 1),
        amount: 2_530_000,
    };
    let denied = h
        .catalogues()
        .set_base_salary(authed(&clerk, next))
        .await
        .expect_err("a clerk");
    assert_eq!(denied.code(), Code::PermissionDenied);
    let bad = h
        .catalogues()
        .set_base_salary(authed(&finance, pb::SetBaseSalaryRequest::default()))
        .await
        .expect_err("no date, no amount");
    assert_eq!(fields_of(&bad), vec!["from_date", "amount"]);
    h.catalogues()
        .set_base_salary(authed(&finance, next))
        .await
        .expect("Finance sets the base salary");
    let bases = h
        .catalogues()
        .list_base_salaries(authed(&clerk, pb::ListBaseSalariesRequest {}))
        .await
        .expect("base salaries")
        .into_inner()
        .base_salaries;
    assert_eq!(bases.len(), 4);
    assert_eq!(bases[3].updated_by, "sotaichinh");
    let steps = h
        .catalogues()
        .set_grade_group(authed(
            &finance,
            pb::SetGradeGroupRequest {
                group: "C3".into(),
                coefficients: vec![200, 150],
            },
        ))
        .await
        .expect_err("steps must rise");
    assert_eq!(fields_of(&steps), vec!["coefficients"]);

    // Every change to the reference data is kept: who, when, before and after.
    let changes = h
        .catalogues()
        .list_reference_changes(authed(
            &clerk,
            pb::ListReferenceChangesRequest {
                page_size: 50,
                page_token: String::new(),
            },
        ))
        .await
        .expect("reference changes")
        .into_inner()
        .changes;
    let lines: Vec<(String, String, String, bool, bool)> = changes
        .iter()
        .map(|c| {
            (
                c.what.clone(),
                c.item.clone(),
                c.actor_username.clone(),
                c.before.contains("ngừng dùng") || c.after.contains("ngừng dùng"),
                c.before.is_empty(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            (
                "base_salary".into(),
                "2026-07-01".into(),
                "sotaichinh".into(),
                false,
                true
            ),
            (
                "catalogue:grade".into(),
                "V.07.01.03".into(),
                "sonoivu".into(),
                true,
                false
            ),
            (
                "catalogue:grade".into(),
                "V.07.01.03".into(),
                "sonoivu".into(),
                false,
                true
            ),
        ],
        "newest first; refused changes leave nothing"
    );
    assert_eq!(changes[0].after, "2530000");
}

#[tokio::test]
async fn a_form_version_is_an_item_set_added_as_data() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let (district, clerk) = h.district_with_clerk(&admin, "HTB").await;
    // The two seeded forms list their items: HS02-VC has the professional title's rank.
    let forms = h
        .catalogues()
        .list_catalogue_entries(authed(
            &clerk,
            pb::ListCatalogueEntriesRequest {
                catalogue: "form_version".into(),
                include_retired: false,
            },
        ))
        .await
        .expect("forms")
        .into_inner()
        .entries;
    let items_of = |code: &str| {
        forms
            .iter()
            .find(|f| f.code == code)
            .map(|f| f.attribute.split(' ').map(String::from).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    assert!(items_of("HS02-VC/BNV").contains(&"professional_title_rank".to_string()));
    assert!(items_of("2C-BNV/2008").contains(&"agency_assessment".to_string()));
    assert!(!items_of("2C-BNV/2008").contains(&"job_position".to_string()));

    let put = |attribute: &str| {
        let (h, admin, attribute) = (&h, admin.clone(), attribute.to_string());
        async move {
            h.catalogues()
                .put_catalogue_entry(authed(
                    &admin,
                    pb::PutCatalogueEntryRequest {
                        catalogue: "form_version".into(),
                        code: "2c-TT06/2023".into(),
                        name: "Mẫu 2c (TT 06/2023/TT-BNV)".into(),
                        attribute,
                        sort_order: 3,
                        active: true,
                        ..Default::default()
                    },
                ))
                .await
        }
    };
    let unknown = put("full_name ho_ten birth_date")
        .await
        .expect_err("ho_ten");
    assert_eq!(
        (code_of(&unknown), fields_of(&unknown)),
        ("UNKNOWN_CODE".to_string(), vec!["attribute".to_string()])
    );
    assert!(unknown.message().contains("ho_ten"), "{unknown:?}");
    put("full_name birth_date sex position job_position")
        .await
        .expect("TT 06/2023's form as data");

    // A record follows a known form only; it may move to the new one.
    let refused = h
        .employees()
        .create_employee(authed(
            &clerk,
            pb::CreateEmployeeRequest {
                employee: Some(pb::Employee {
                    form_version: "2c-TT99".into(),
                    ..teacher(&district.id)
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect_err("no such form");
    assert_eq!(fields_of(&refused), vec!["employee.form_version"]);
    let hired = h.hire(&clerk, teacher(&district.id)).await;
    assert_eq!(hired.form_version, "HS02-VC/BNV");
    let move_to = |form: &str| {
        let (h, clerk, id, form) = (&h, clerk.clone(), hired.id.clone(), form.to_string());
        async move {
            h.employees()
                .update_employee(authed(
                    &clerk,
                    pb::UpdateEmployeeRequest {
                        id,
                        form_version: Some(form),
                        ..Default::default()
                    },
                ))
                .await
        }
    };
    let moved = move_to("2c-TT06/2023")
        .await
        .expect("the new form")
        .into_inner();
    assert_eq!(moved.form_version, "2c-TT06/2023");
    let wrong = move_to("2c-TT99").await.expect_err("no such form");
    assert_eq!(fields_of(&wrong), vec!["form_version"]);
}
