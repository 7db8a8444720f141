//! The repeating sections of a record through gRPC: each section checked and audited, salary
//! history moving the record's grade and step, and who may read and write them.

mod common;

use common::*;
use pb::section_entry::Content;
use tinhso_proto::personnel::v1 as pb;
use tinhso_testkit::authed;
use tonic::Code;

fn entry(content: Content) -> Option<pb::SectionEntry> {
    Some(pb::SectionEntry {
        content: Some(content),
        ..Default::default()
    })
}

#[tokio::test]
async fn sections_are_checked_audited_scoped_and_drive_the_salary() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let districts = h.two_districts(&admin, ["HCT", "HTB"]).await;
    let district = districts.ours;
    let (clerk, stranger) = (districts.clerk.token, districts.stranger.token);
    let finance = h
        .person(
            &admin,
            "taichinh",
            &h.root_id,
            "salary_manager",
            Some(&h.root_id),
            "",
        )
        .await;
    let record = h
        .employees()
        .create_employee(authed(
            &clerk,
            pb::CreateEmployeeRequest {
                employee: Some(pb::Employee {
                    unit_id: district.id.clone(),
                    kind: pb::EmployeeKind::CivilServant as i32,
                    full_name: "Trần Minh Tâm".into(),
                    birth_date: date(1980, 2, 14),
                    sex: pb::Sex::Male as i32,
                    grade_code: "01.003".into(),
                    step: 4,
                    step_date: date(2022, 1, 1),
                    ..Default::default()
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect("hired")
        .into_inner();
    let myself = h
        .person(
            &admin,
            "tam.tm",
            &district.id,
            "employee_self_service",
            None,
            &record.id,
        )
        .await;

    let add = |token: &str, content: Content| {
        let (h, token, id) = (&h, token.to_string(), record.id.clone());
        async move {
            h.sections()
                .add_section_entry(authed(
                    &token,
                    pb::AddSectionEntryRequest {
                        employee_id: id,
                        entry: entry(content),
                    },
                ))
                .await
        }
    };
    add(
        &clerk,
        Content::Training(pb::TrainingEntry {
            from_date: date(1998, 9, 1),
            to_date: date(2002, 6, 30),
            kind: "professional".into(),
            institution: "Trường Đại học Cần Thơ".into(),
            major: "Kinh tế nông nghiệp".into(),
            mode: "Chính quy".into(),
            qualification: "Cử nhân".into(),
            ..Default::default()
        }),
    )
    .await
    .expect("training");
    add(
        &clerk,
        Content::Work(pb::WorkEntry {
            from_date: date(2003, 3, 1),
            position: "Chuyên viên".into(),
            organisation: "Phòng Nông nghiệp huyện".into(),
            ..Default::default()
        }),
    )
    .await
    .expect("work");
    add(
        &clerk,
        Content::Family(pb::FamilyEntry {
            relationship: "spouse".into(),
            full_name: "Nguyễn Thị Lan".into(),
            birth_year: 1982,
            details: "Giáo viên, Trường THCS thị trấn".into(),
        }),
    )
    .await
    .expect("family");
    let award = add(
        &clerk,
        Content::Award(pb::AwardEntry {
            kind: "provincial_certificate".into(),
            decision_number: "1234/QĐ-UBND".into(),
            decision_date: date(2024, 12, 20),
            issuer: "UBND tỉnh".into(),
            reason: "Hoàn thành xuất sắc nhiệm vụ năm 2024".into(),
        }),
    )
    .await
    .expect("award")
    .into_inner();
    // Finance keeps allowances, but not awards.
    add(
        &finance,
        Content::Allowance(pb::AllowanceEntry {
            kind: "position".into(),
            coefficient: 30,
            from_date: date(2024, 1, 1),
            ..Default::default()
        }),
    )
    .await
    .expect("Finance adds an allowance");
    let denied = add(
        &finance,
        Content::Award(pb::AwardEntry {
            kind: "merit_paper".into(),
            decision_number: "1/QĐ".into(),
            decision_date: date(2025, 1, 1),
            ..Default::default()
        }),
    )
    .await
    .expect_err("Finance does not keep awards");
    assert_eq!(denied.code(), Code::PermissionDenied);

    // A raise: the newest salary entry moves the record, the coefficient filled from the table.
    let raise = add(
        &clerk,
        Content::Salary(pb::SalaryEntry {
            effective_date: date(2025, 1, 1),
            grade_code: "01.003".into(),
            step: 5,
            decision_number: "55/QĐ-UBND".into(),
            decision_date: date(2024, 12, 15),
            ..Default::default()
        }),
    )
    .await
    .expect("raise")
    .into_inner();
    let Some(Content::Salary(s)) = &raise.content else {
        panic!("salary entry");
    };
    assert_eq!(s.coefficient, 366, "A1 step 5 is 3.66");
    let raised = h
        .employees()
        .get_employee(authed(
            &clerk,
            pb::GetEmployeeRequest {
                id: record.id.clone(),
            },
        ))
        .await
        .expect("record")
        .into_inner();
    assert_eq!(
        (raised.step, raised.coefficient, raised.step_date),
        (5, 366, date(2025, 1, 1))
    );

    // Faults are named per field and nothing is written.
    let bad = add(
        &clerk,
        Content::Training(pb::TrainingEntry {
            from_date: date(2010, 1, 1),
            to_date: date(2009, 1, 1),
            kind: "juggling".into(),
            hours: -3,
            ..Default::default()
        }),
    )
    .await
    .expect_err("bad training");
    assert_eq!(bad.code(), Code::InvalidArgument);
    let mut fields = fields_of(&bad);
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "entry.training.hours",
            "entry.training.institution",
            "entry.training.kind",
            "entry.training.to_date",
        ]
    );
    let bad = add(
        &clerk,
        Content::Salary(pb::SalaryEntry {
            effective_date: date(2026, 1, 1),
            grade_code: "01.003".into(),
            step: 6,
            coefficient: 400,
            ..Default::default()
        }),
    )
    .await
    .expect_err("coefficient of another step");
    assert_eq!(fields_of(&bad), vec!["entry.salary.coefficient"]);
    let empty = h
        .sections()
        .add_section_entry(authed(
            &clerk,
            pb::AddSectionEntryRequest {
                employee_id: record.id.clone(),
                entry: None,
            },
        ))
        .await
        .expect_err("no content");
    assert_eq!(fields_of(&empty), vec!["entry"]);

    // The employee reads their own sections; another district reads and writes nothing.
    let mine = h
        .sections()
        .list_section_entries(authed(
            &myself,
            pb::ListSectionEntriesRequest {
                employee_id: record.id.clone(),
                section: 0,
            },
        ))
        .await
        .expect("own record")
        .into_inner()
        .entries;
    assert_eq!(
        mine.len(),
        7,
        "six added and the step the record was entered on"
    );
    let awards = h
        .sections()
        .list_section_entries(authed(
            &clerk,
            pb::ListSectionEntriesRequest {
                employee_id: record.id.clone(),
                section: pb::Section::Award as i32,
            },
        ))
        .await
        .expect("awards")
        .into_inner()
        .entries;
    assert_eq!(awards.len(), 1);
    let list_denied = h
        .sections()
        .list_section_entries(authed(
            &stranger,
            pb::ListSectionEntriesRequest {
                employee_id: record.id.clone(),
                section: 0,
            },
        ))
        .await
        .expect_err("another district");
    assert_eq!(list_denied.code(), Code::PermissionDenied);
    let add_denied = add(
        &stranger,
        Content::Work(pb::WorkEntry {
            from_date: date(2003, 3, 1),
            organisation: "X".into(),
            ..Default::default()
        }),
    )
    .await
    .expect_err("another district");
    assert_eq!(add_denied.code(), Code::PermissionDenied);
    let self_denied = add(
        &myself,
        Content::Work(pb::WorkEntry {
            from_date: date(2003, 3, 1),
            organisation: "X".into(),
            ..Default::default()
        }),
    )
    .await
    .expect_err("the employee reads but does not write");
    assert_eq!(self_denied.code(), Code::PermissionDenied);
    for token in [&stranger, &myself] {
        let e = h
            .sections()
            .update_section_entry(authed(
                token,
                pb::UpdateSectionEntryRequest {
                    id: award.id.clone(),
                    entry: Some(award.clone()),
                    etag: award.etag.clone(),
                },
            ))
            .await
            .expect_err("update outside scope");
        assert_eq!(e.code(), Code::PermissionDenied);
        let e = h
            .sections()
            .remove_section_entry(authed(
                token,
                pb::RemoveSectionEntryRequest {
                    id: award.id.clone(),
                    etag: award.etag.clone(),
                },
            ))
            .await
            .expect_err("remove outside scope");
        assert_eq!(e.code(), Code::PermissionDenied);
    }

    // Correcting an entry checks the etag and cannot change its section.
    let mut corrected = award.clone();
    if let Some(Content::Award(a)) = &mut corrected.content {
        a.reason = "Hoàn thành xuất sắc nhiệm vụ năm 2024 (đính chính)".into();
    }
    let updated = h
        .sections()
        .update_section_entry(authed(
            &clerk,
            pb::UpdateSectionEntryRequest {
                id: award.id.clone(),
                entry: Some(corrected.clone()),
                etag: award.etag.clone(),
            },
        ))
        .await
        .expect("corrected")
        .into_inner();
    let stale = h
        .sections()
        .update_section_entry(authed(
            &clerk,
            pb::UpdateSectionEntryRequest {
                id: award.id.clone(),
                entry: Some(corrected),
                etag: award.etag.clone(),
            },
        ))
        .await
        .expect_err("stale etag");
    assert_eq!(stale.code(), Code::Aborted);
    let switched = h
        .sections()
        .update_section_entry(authed(
            &clerk,
            pb::UpdateSectionEntryRequest {
                id: award.id.clone(),
                entry: entry(Content::Work(pb::WorkEntry {
                    from_date: date(2003, 3, 1),
                    organisation: "X".into(),
                    ..Default::default()
                })),
                etag: updated.etag.clone(),
            },
        ))
        .await
        .expect_err("section cannot change");
    assert_eq!(fields_of(&switched), vec!["entry"]);

    // Withdrawing the raise puts the record back on step 4; both show in the change query.
    h.sections()
        .remove_section_entry(authed(
            &clerk,
            pb::RemoveSectionEntryRequest {
                id: raise.id.clone(),
                etag: raise.etag.clone(),
            },
        ))
        .await
        .expect("withdrawn");
    let after = h
        .employees()
        .get_employee(authed(
            &clerk,
            pb::GetEmployeeRequest {
                id: record.id.clone(),
            },
        ))
        .await
        .expect("record")
        .into_inner();
    assert_eq!(
        (after.step, after.coefficient, after.step_date),
        (4, 333, date(2022, 1, 1)),
        "back on the step the record was entered with"
    );
    let changes = h
        .employees()
        .list_changes(authed(
            &clerk,
            pb::ListChangesRequest {
                employee_id: record.id.clone(),
                page_size: 100,
                ..Default::default()
            },
        ))
        .await
        .expect("changes")
        .into_inner()
        .changes;
    let salary_field = format!("salary[{}]", raise.id);
    let salary_lines: Vec<_> = changes.iter().filter(|c| c.field == salary_field).collect();
    assert_eq!(salary_lines.len(), 2, "added, then withdrawn");
    assert!(salary_lines[0].after.is_empty(), "withdrawn (newest first)");
    assert!(salary_lines[1].after.contains("01.003"));
    assert!(changes.iter().any(|c| c.field == "step" && c.after == "5"));

    // Dated changes entered more than 15 days late show in Home Affairs' compliance view; the
    // step the record was entered with is part of the hire, not a late change.
    let compliance = h
        .employees()
        .get_compliance(authed(
            &admin,
            pb::GetComplianceRequest {
                unit_id: district.id.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect("compliance")
        .into_inner();
    let mut late: Vec<&str> = compliance
        .late_entries
        .iter()
        .map(|e| e.what.as_str())
        .collect();
    late.sort_unstable();
    assert_eq!(
        late,
        vec!["change:allowance", "change:award"],
        "the withdrawn raise is gone, the opening step is not a change"
    );
}
