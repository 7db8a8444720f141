//! Pay, due raises and the monthly payroll through gRPC, with worked figures (base salary
//! 2,340,000 from 2024-07-01, 1,800,000 before).

mod common;

use common::*;
use pb::section_entry::Content;
use tinhso_proto::identity::v1 as id;
use tinhso_proto::personnel::v1 as pb;
use tinhso_testkit::authed;
use tonic::Code;

fn chuyen_vien(unit_id: &str, name: &str, step: i32, since: Option<Date>) -> pb::Employee {
    pb::Employee {
        unit_id: unit_id.into(),
        kind: pb::EmployeeKind::CivilServant as i32,
        full_name: name.into(),
        birth_date: date(1975, 5, 5),
        sex: pb::Sex::Female as i32,
        grade_code: "01.003".into(),
        step,
        step_date: since,
        ..Default::default()
    }
}

#[tokio::test]
async fn pay_raises_and_the_monthly_payroll_follow_the_rules_and_the_schedule() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let district = h.unit(&admin, "HLX", &h.root_id).await;
    let department = h
        .unit_of_kind(&admin, "SYT", &h.root_id, id::UnitKind::Department)
        .await;
    let other = h.unit(&admin, "HCM", &h.root_id).await;
    // A school of the district: a service unit by kind, due by the 20th since it sits under the
    // district (QĐ 80/2020), not by the 10th of provincial service units.
    let school = h
        .unit_of_kind(
            &admin,
            "THCS-LX",
            &district.id,
            id::UnitKind::PublicServiceUnit,
        )
        .await;
    let clerk = h
        .person(
            &admin,
            "nhaplieu.hlx",
            &district.id,
            "data_entry",
            Some(&district.id),
            "",
        )
        .await;
    let dept_clerk = h
        .person(
            &admin,
            "nhaplieu.syt",
            &department.id,
            "data_entry",
            Some(&department.id),
            "",
        )
        .await;
    let stranger = h
        .person(
            &admin,
            "nhaplieu.hcm",
            &other.id,
            "data_entry",
            Some(&other.id),
            "",
        )
        .await;
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
    let add = |token: &str, employee_id: &str, content: Content| {
        let (h, token, employee_id) = (&h, token.to_string(), employee_id.to_string());
        async move {
            h.add_entry(&token, &employee_id, content)
                .await
                .expect("entry")
        }
    };
    // An: step 3 (3.00) since 2024-03-01 with a 0.30 leadership allowance.
    let an = hire(
        &clerk,
        chuyen_vien(&district.id, "Phạm Thị An", 3, date(2024, 3, 1)),
    )
    .await;
    add(
        &clerk,
        &an.id,
        Content::Allowance(pb::AllowanceEntry {
            kind: "position".into(),
            coefficient: 30,
            from_date: date(2024, 1, 1),
            ..Default::default()
        }),
    )
    .await;
    // Binh: top step 9 (4.98) since 2020-03-01, so 8% seniority in November 2026 (5% from
    // 2023-03-01, 6% 2024, 7% 2025, 8% 2026). Reprimanded on 2026-05-10, while waiting for 9%:
    // he keeps his 8%, and the 9% due on 2027-03-01 comes 6 months later, on 2027-09-01.
    let binh = hire(
        &clerk,
        chuyen_vien(&district.id, "Võ Văn Bình", 9, date(2020, 3, 1)),
    )
    .await;
    add(
        &clerk,
        &binh.id,
        Content::Discipline(pb::DisciplineEntry {
            kind: "reprimand".into(),
            decision_number: "31/QĐ-UBND".into(),
            decision_date: date(2026, 5, 10),
            ..Default::default()
        }),
    )
    .await;
    // Cuong: step 4 since 2024-02-01, warned on 2024-06-01: the raise slips 6 months.
    let cuong = hire(
        &clerk,
        chuyen_vien(&district.id, "Lý Văn Cường", 4, date(2024, 2, 1)),
    )
    .await;
    add(
        &clerk,
        &cuong.id,
        Content::Discipline(pb::DisciplineEntry {
            kind: "warning".into(),
            decision_number: "12/QĐ-UBND".into(),
            decision_date: date(2024, 6, 1),
            ..Default::default()
        }),
    )
    .await;
    // Giáo: a lower-secondary teacher, grade III (V.07.04.32, table 3 class A1: 2.34 at step
    // 1), a public employee, with the 30% occupational preference allowance, a percentage kind.
    let giao = hire(
        &clerk,
        pb::Employee {
            kind: pb::EmployeeKind::PublicEmployee as i32,
            grade_code: "V.07.04.32".into(),
            ..chuyen_vien(&school.id, "Mai Thị Giáo", 1, date(2026, 1, 1))
        },
    )
    .await;
    assert_eq!(giao.coefficient, 234);
    let preference = |coefficient: i32, percent: i32| {
        Content::Allowance(pb::AllowanceEntry {
            kind: "preferential".into(),
            coefficient,
            percent,
            from_date: date(2026, 1, 1),
            ..Default::default()
        })
    };
    for (coefficient, percent, field) in [
        (30, 0, "entry.allowance.percent"),
        (30, 30, "entry.allowance.percent"),
        (0, 101, "entry.allowance.percent"),
    ] {
        let refused = h
            .sections()
            .add_section_entry(authed(
                &clerk,
                pb::AddSectionEntryRequest {
                    employee_id: giao.id.clone(),
                    entry: Some(pb::SectionEntry {
                        content: Some(preference(coefficient, percent)),
                        ..Default::default()
                    }),
                },
            ))
            .await
            .expect_err("a percentage kind needs its percent, and only it");
        assert_eq!(fields_of(&refused), vec![field], "{coefficient}, {percent}");
    }
    add(&clerk, &giao.id, preference(0, 30)).await;
    hire(
        &dept_clerk,
        chuyen_vien(&department.id, "Đỗ Thị Dung", 2, date(2025, 1, 1)),
    )
    .await;
    let myself = h
        .person(
            &admin,
            "an.pt",
            &district.id,
            "employee_self_service",
            None,
            &an.id,
        )
        .await;

    let pay = |token: &str, employee_id: &str, year: i32, month: i32| {
        let (h, token, employee_id) = (&h, token.to_string(), employee_id.to_string());
        async move {
            h.salary()
                .get_pay(authed(
                    &token,
                    pb::GetPayRequest {
                        employee_id,
                        year,
                        month,
                    },
                ))
                .await
        }
    };
    let an_now = pay(&clerk, &an.id, 2026, 11)
        .await
        .expect("pay")
        .into_inner();
    assert_eq!((an_now.coefficient, an_now.position_allowance), (300, 30));
    assert_eq!(an_now.pay, 7_722_000, "(3.00 + 0.30) x 2,340,000");
    // A civil servant: + 25% public-service allowance on salary + position allowance; social
    // (8%) and health (1.5%) insurance on the same 7,722,000; no unemployment insurance.
    assert_eq!(an_now.public_service_allowance, 1_930_500);
    assert_eq!(an_now.gross, 9_652_500);
    assert_eq!(
        (
            an_now.social_insurance,
            an_now.health_insurance,
            an_now.unemployment_insurance
        ),
        (617_760, 115_830, 0)
    );
    assert_eq!((an_now.deductions, an_now.net), (733_590, 8_918_910));
    // A teacher: 2.34 x 2,340,000 = 5,475,600 + 30% preference 1,642,680; no public-service
    // allowance; 8% + 1.5% + 1% (unemployment: a working contract) of 5,475,600.
    let giao_now = pay(&clerk, &giao.id, 2026, 11)
        .await
        .expect("pay")
        .into_inner();
    assert_eq!(
        (
            giao_now.pay,
            giao_now.percent_allowances,
            giao_now.public_service_allowance,
            giao_now.gross
        ),
        (5_475_600, 1_642_680, 0, 7_118_280)
    );
    assert_eq!(
        (
            giao_now.social_insurance,
            giao_now.health_insurance,
            giao_now.unemployment_insurance,
            giao_now.net
        ),
        (438_048, 82_134, 54_756, 6_543_342)
    );
    let an_then = pay(&myself, &an.id, 2024, 6)
        .await
        .expect("own pay")
        .into_inner();
    assert_eq!(an_then.pay, 5_940_000, "(3.00 + 0.30) x 1,800,000");
    let binh_now = pay(&clerk, &binh.id, 2026, 11)
        .await
        .expect("pay")
        .into_inner();
    assert_eq!(binh_now.seniority_percent, 8);
    let binh_june = pay(&clerk, &binh.id, 2026, 6)
        .await
        .expect("pay")
        .into_inner();
    assert_eq!(
        binh_june.seniority_percent, 8,
        "the reprimand of May takes back nothing earned in March"
    );
    assert_eq!(binh_now.pay, 11_653_200 + 932_256, "4.98 x base + 8% of it");
    assert_eq!(
        pay(&myself, &binh.id, 2026, 11)
            .await
            .expect_err("not mine")
            .code(),
        Code::PermissionDenied
    );
    assert_eq!(
        pay(&stranger, &an.id, 2026, 11)
            .await
            .expect_err("other district")
            .code(),
        Code::PermissionDenied
    );
    // Finance's salary role reads the pay and the salary part of a record, not the rest of the
    // CV (QĐ 80/2020 Điều 8.2).
    assert_eq!(
        pay(&finance, &an.id, 2026, 11)
            .await
            .expect("Finance reads the pay")
            .into_inner()
            .net,
        an_now.net
    );
    let whole = h
        .employees()
        .get_employee(authed(
            &finance,
            pb::GetEmployeeRequest { id: an.id.clone() },
        ))
        .await
        .expect_err("not the whole record");
    assert_eq!(whole.code(), Code::PermissionDenied);
    let sections = |section: pb::Section| {
        let (h, finance, id) = (&h, finance.clone(), binh.id.clone());
        async move {
            h.sections()
                .list_section_entries(authed(
                    &finance,
                    pb::ListSectionEntriesRequest {
                        employee_id: id,
                        section: section as i32,
                    },
                ))
                .await
        }
    };
    let seen = sections(pb::Section::Unspecified)
        .await
        .expect("the salary part")
        .into_inner()
        .entries;
    assert!(!seen.is_empty());
    assert!(
        seen.iter().all(|e| matches!(
            e.content,
            Some(Content::Salary(_)) | Some(Content::Allowance(_))
        )),
        "Bình's reprimand is not shown to Finance: {seen:?}"
    );
    assert_eq!(
        sections(pb::Section::Discipline)
            .await
            .expect_err("discipline is not salary data")
            .code(),
        Code::PermissionDenied
    );
    // A trade-union member pays 1% of the insured salary from the month of admission
    // (QĐ 1910/QĐ-TLĐ 2016 Điều 23): 1% x 7,722,000 = 77,220 in 11/2026, nothing in 10/2026.
    h.employees()
        .update_employee(authed(
            &clerk,
            pb::UpdateEmployeeRequest {
                id: an.id.clone(),
                union_admission_date: date(2026, 11, 10),
                ..Default::default()
            },
        ))
        .await
        .expect("admitted to the union");
    let an_member = pay(&clerk, &an.id, 2026, 11)
        .await
        .expect("pay")
        .into_inner();
    assert_eq!(
        (an_member.union_dues, an_member.deductions, an_member.net),
        (77_220, 733_590 + 77_220, 8_918_910 - 77_220)
    );
    let an_october = pay(&clerk, &an.id, 2026, 10)
        .await
        .expect("pay")
        .into_inner();
    assert_eq!((an_october.union_dues, an_october.net), (0, 8_918_910));
    let bad = pay(&clerk, &an.id, 1990, 13).await.expect_err("bad month");
    assert_eq!(fields_of(&bad), vec!["year", "month"]);
    let under_decree_38 = pay(&clerk, &an.id, 2023, 1)
        .await
        .expect("pay under NĐ 38/2019")
        .into_inner();
    assert_eq!(
        under_decree_38.pay, 4_470_000,
        "3.00 x 1,490,000 (the leadership allowance began in 2024)"
    );
    let before_any_base = pay(&clerk, &an.id, 2019, 6)
        .await
        .expect_err("no base salary yet");
    assert_eq!(before_any_base.code(), Code::FailedPrecondition);

    // Raises due in 2027: An's step 4 in March, Binh's 9% in March, Cuong's step 5 in August.
    let raises = |token: &str| {
        let (h, token, unit) = (&h, token.to_string(), district.id.clone());
        async move {
            h.salary()
                .list_due_raises(authed(
                    &token,
                    pb::ListDueRaisesRequest {
                        unit_id: unit,
                        from_date: date(2027, 1, 1),
                        to_date: date(2027, 12, 31),
                    },
                ))
                .await
        }
    };
    let due = raises(&clerk)
        .await
        .expect("due raises")
        .into_inner()
        .raises;
    let summary: Vec<(String, i32, i32, Option<Date>, i32, i32)> = due
        .iter()
        .map(|r| {
            (
                r.full_name.clone(),
                r.next_step,
                r.next_coefficient,
                r.due_date,
                r.delay_months,
                r.seniority_percent,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("Phạm Thị An".into(), 4, 333, date(2027, 3, 1), 0, 0),
            ("Lý Văn Cường".into(), 5, 366, date(2027, 8, 1), 6, 0),
            ("Võ Văn Bình".into(), 9, 498, date(2027, 9, 1), 6, 9),
        ]
    );
    assert_eq!(
        raises(&stranger).await.expect_err("other district").code(),
        Code::PermissionDenied
    );

    // October 2026: a preview, then the district closes it (late: due the 20th); the department
    // never does (overdue: due the 10th).
    let payroll = |token: &str, unit: &str| {
        let (h, token, unit) = (&h, token.to_string(), unit.to_string());
        async move {
            h.salary()
                .get_payroll(authed(
                    &token,
                    pb::GetPayrollRequest {
                        unit_id: unit,
                        year: 2026,
                        month: 10,
                    },
                ))
                .await
        }
    };
    let preview = payroll(&clerk, &district.id)
        .await
        .expect("preview")
        .into_inner();
    assert!(!preview.closed);
    assert_eq!(preview.headcount, 3);
    assert_eq!(preview.due_date, date(2026, 10, 20));
    let close = |token: &str, unit: &str, year: i32, month: i32| {
        let (h, token, unit) = (&h, token.to_string(), unit.to_string());
        async move {
            h.salary()
                .close_payroll(authed(
                    &token,
                    pb::ClosePayrollRequest {
                        unit_id: unit,
                        year,
                        month,
                    },
                ))
                .await
        }
    };
    assert_eq!(
        close(&stranger, &district.id, 2026, 10)
            .await
            .expect_err("other district")
            .code(),
        Code::PermissionDenied
    );
    let closed = close(&clerk, &district.id, 2026, 10)
        .await
        .expect("closed")
        .into_inner();
    assert!(closed.closed);
    assert_eq!(closed.total, preview.total);
    assert_eq!(
        closed.total,
        closed.lines.iter().map(|l| l.pay).sum::<i64>(),
        "the total is the sum of the lines"
    );
    assert_eq!(
        (
            closed.total_gross,
            closed.total_deductions,
            closed.total_net
        ),
        (
            closed.lines.iter().map(|l| l.gross).sum::<i64>(),
            closed.lines.iter().map(|l| l.deductions).sum::<i64>(),
            closed.lines.iter().map(|l| l.net).sum::<i64>(),
        )
    );
    assert_eq!(
        closed.total_gross - closed.total_deductions,
        closed.total_net
    );
    let again = close(&finance, &district.id, 2026, 10)
        .await
        .expect_err("closed once");
    assert_eq!(again.code(), Code::FailedPrecondition);
    let future = close(&clerk, &district.id, 2100, 1)
        .await
        .expect_err("future month");
    assert_eq!(fields_of(&future), vec!["month"]);
    // A raise entered after closing does not change the closed month.
    add(
        &clerk,
        &an.id,
        Content::Salary(pb::SalaryEntry {
            effective_date: date(2026, 10, 1),
            grade_code: "01.003".into(),
            step: 4,
            ..Default::default()
        }),
    )
    .await;
    let kept = payroll(&clerk, &district.id)
        .await
        .expect("closed payroll")
        .into_inner();
    assert_eq!(kept.total, closed.total);
    assert_eq!(
        kept.lines, closed.lines,
        "the closed month keeps every line's payslip as it was"
    );
    assert_eq!(kept.closed_by, "nhaplieu.hlx");
    assert_eq!(
        payroll(&stranger, &district.id)
            .await
            .expect_err("other district")
            .code(),
        Code::PermissionDenied
    );

    let schedule = h
        .salary()
        .get_payroll_schedule(authed(
            &finance,
            pb::GetPayrollScheduleRequest {
                unit_id: h.root_id.clone(),
                year: 2026,
                month: 10,
            },
        ))
        .await
        .expect("Finance sees the province")
        .into_inner();
    assert_eq!(schedule.finance_date, date(2026, 10, 25));
    let status = |unit: &str| {
        schedule
            .units
            .iter()
            .find(|u| u.unit_id == unit)
            .map(|u| (u.timeliness, u.due_date, u.days_late > 0))
    };
    assert_eq!(
        status(&district.id),
        Some((pb::PayrollTimeliness::Late as i32, date(2026, 10, 20), true))
    );
    assert_eq!(
        status(&school.id),
        Some((
            pb::PayrollTimeliness::Overdue as i32,
            date(2026, 10, 20),
            true
        ))
    );
    assert_eq!(
        status(&department.id),
        Some((
            pb::PayrollTimeliness::Overdue as i32,
            date(2026, 10, 10),
            true
        ))
    );
    assert_eq!(status(&other.id), None, "no staff, no payroll");
    let headcount = |unit: &str| {
        schedule
            .units
            .iter()
            .find(|u| u.unit_id == unit)
            .map(|u| u.headcount)
    };
    assert_eq!(
        headcount(&district.id),
        Some(3),
        "the closed payroll's people"
    );
    assert_eq!(
        headcount(&school.id),
        Some(1),
        "not closed: who works there now"
    );
    assert_eq!(headcount(&department.id), Some(1));
    let denied = h
        .salary()
        .get_payroll_schedule(authed(
            &stranger,
            pb::GetPayrollScheduleRequest {
                unit_id: h.root_id.clone(),
                year: 2026,
                month: 10,
            },
        ))
        .await
        .expect_err("a district clerk does not see the province");
    assert_eq!(denied.code(), Code::PermissionDenied);
}

#[tokio::test]
async fn the_retirement_list_gives_notice_and_decision_dates_and_the_early_raise() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let district = h.unit(&admin, "TB", &h.root_id).await;
    let other = h.unit(&admin, "TM", &h.root_id).await;
    let clerk = h
        .person(
            &admin,
            "nhaplieu.tb",
            &district.id,
            "data_entry",
            Some(&district.id),
            "",
        )
        .await;
    let stranger = h
        .person(
            &admin,
            "nhaplieu.tm",
            &other.id,
            "data_entry",
            Some(&other.id),
            "",
        )
        .await;
    let hire = |e: pb::Employee| {
        let (h, token) = (&h, clerk.clone());
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
    // Hùng, born 15/08/1965: the age of 2027 for men is 61 years 9 months (NĐ 135/2020), reached
    // in 05/2027, so he retires on 01/06/2027, is notified by 01/12/2026 and decided on by
    // 01/03/2027. On step 7 (4.32) since 01/12/2024, his next raise (01/12/2027) is 12 months
    // after the notice: he is raised to step 8 (4.65) from the notice (TT 08/2013 Điều 3.2).
    let hung = hire(pb::Employee {
        sex: pb::Sex::Male as i32,
        birth_date: date(1965, 8, 15),
        ..chuyen_vien(&district.id, "Trần Văn Hùng", 7, date(2024, 12, 1))
    })
    .await;
    // Lan, born 31/03/1970: women of 2027 retire at 57 years 4 months, reached in 07/2027: from
    // 01/08/2027. Her step 5 since 01/01/2026 is due again on 01/01/2029, more than 12 months
    // after her notice (01/02/2027): no early raise.
    hire(pb::Employee {
        birth_date: date(1970, 3, 31),
        ..chuyen_vien(&district.id, "Đặng Thị Lan", 5, date(2026, 1, 1))
    })
    .await;
    // Young: not in the list.
    hire(chuyen_vien(
        &district.id,
        "Phạm Thị Trẻ",
        1,
        date(2025, 1, 1),
    ))
    .await;
    // An agency driver on a labour contract: grade 01.010 of table 4 (group 1, 2.05 at step 1):
    // 2.05 x 2,340,000 = 4,797,000, no public-service allowance; 8% + 1.5% + 1% insurance
    // (383,760 + 71,955 + 47,970): net 4,293,315.
    let driver = hire(pb::Employee {
        kind: pb::EmployeeKind::ContractWorker as i32,
        grade_code: "01.010".into(),
        ..chuyen_vien(&district.id, "Lê Văn Lái", 1, date(2025, 1, 1))
    })
    .await;
    assert_eq!(driver.coefficient, 205, "filled from table 4");
    let slip = h
        .salary()
        .get_pay(authed(
            &clerk,
            pb::GetPayRequest {
                employee_id: driver.id.clone(),
                year: 2026,
                month: 11,
            },
        ))
        .await
        .expect("the driver's pay")
        .into_inner();
    assert_eq!(
        (
            slip.pay,
            slip.public_service_allowance,
            slip.deductions,
            slip.net
        ),
        (4_797_000, 0, 503_685, 4_293_315)
    );
    // Chậm: step 3 since 01/01/2024, due 01/01/2027, but 2025 was rated as not completing
    // duties: 12 months later, 01/01/2028 (TT 08/2013/TT-BNV Điều 2).
    let cham = hire(chuyen_vien(
        &district.id,
        "Đỗ Văn Chậm",
        3,
        date(2024, 1, 1),
    ))
    .await;
    let assess = |year: i32, rating: &str| {
        let (h, clerk, id, rating) = (&h, clerk.clone(), cham.id.clone(), rating.to_string());
        async move {
            h.sections()
                .add_section_entry(authed(
                    &clerk,
                    pb::AddSectionEntryRequest {
                        employee_id: id,
                        entry: Some(pb::SectionEntry {
                            content: Some(Content::Assessment(pb::AssessmentEntry {
                                year,
                                rating,
                                note: String::new(),
                            })),
                            ..Default::default()
                        }),
                    },
                ))
                .await
        }
    };
    let future = assess(2100, "good").await.expect_err("a year to come");
    assert_eq!(fields_of(&future), vec!["entry.assessment.year"]);
    let unknown = assess(2025, "so-so").await.expect_err("no such rating");
    assert_eq!(fields_of(&unknown), vec!["entry.assessment.rating"]);
    assess(2024, "good").await.expect("2024 rated");
    assess(2025, "not_completed").await.expect("2025 rated");
    let due_in = |year: i32| {
        let (h, clerk, unit) = (&h, clerk.clone(), district.id.clone());
        async move {
            h.salary()
                .list_due_raises(authed(
                    &clerk,
                    pb::ListDueRaisesRequest {
                        unit_id: unit,
                        from_date: date(year, 1, 1),
                        to_date: date(year, 12, 31),
                    },
                ))
                .await
                .expect("due raises")
                .into_inner()
                .raises
                .into_iter()
                .filter(|r| r.full_name == "Đỗ Văn Chậm")
                .map(|r| (r.due_date, r.delay_months))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(due_in(2027).await, vec![]);
    assert_eq!(due_in(2028).await, vec![(date(2028, 1, 1), 12)]);
    let list = |token: &str, unit: &str, from: Option<Date>, to: Option<Date>| {
        let (h, token, unit) = (&h, token.to_string(), unit.to_string());
        async move {
            h.salary()
                .list_retirements(authed(
                    &token,
                    pb::ListRetirementsRequest {
                        unit_id: unit,
                        from_date: from,
                        to_date: to,
                    },
                ))
                .await
        }
    };
    let found = list(&clerk, &district.id, date(2027, 1, 1), date(2027, 12, 31))
        .await
        .expect("the list")
        .into_inner()
        .retirements;
    let summary: Vec<_> = found
        .iter()
        .map(|r| {
            (
                r.full_name.as_str(),
                r.retirement_date,
                r.notice_date,
                r.decision_date,
                r.early_raise_step,
                r.early_raise_coefficient,
                r.early_raise_date,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "Trần Văn Hùng",
                date(2027, 6, 1),
                date(2026, 12, 1),
                date(2027, 3, 1),
                8,
                465,
                date(2026, 12, 1)
            ),
            (
                "Đặng Thị Lan",
                date(2027, 8, 1),
                date(2027, 2, 1),
                date(2027, 5, 1),
                0,
                0,
                None
            ),
        ]
    );
    assert_eq!(found[0].employee_id, hung.id);
    // Asked without a unit, a list is of the caller's own unit.
    let own = list(&clerk, "", date(2027, 1, 1), date(2027, 12, 31))
        .await
        .expect("the caller's unit")
        .into_inner()
        .retirements;
    assert_eq!(own, found);
    assert!(
        list(&stranger, "", date(2027, 1, 1), date(2027, 12, 31))
            .await
            .expect("the stranger's own unit")
            .into_inner()
            .retirements
            .is_empty()
    );
    // A write must name its unit.
    let unnamed = h
        .salary()
        .close_payroll(authed(
            &clerk,
            pb::ClosePayrollRequest {
                unit_id: String::new(),
                year: 2026,
                month: 10,
            },
        ))
        .await
        .expect_err("no unit");
    assert_eq!(unnamed.code(), Code::InvalidArgument);
    assert_eq!(fields_of(&unnamed), vec!["unit_id"]);
    assert_eq!(found[0].unit_name, district.name);
    let later = list(&clerk, &district.id, date(2027, 7, 1), date(2027, 12, 31))
        .await
        .expect("the list")
        .into_inner()
        .retirements;
    assert_eq!(
        later
            .iter()
            .map(|r| r.full_name.as_str())
            .collect::<Vec<_>>(),
        vec!["Đặng Thị Lan"]
    );
    assert_eq!(
        list(
            &stranger,
            &district.id,
            date(2027, 1, 1),
            date(2027, 12, 31)
        )
        .await
        .expect_err("another district")
        .code(),
        Code::PermissionDenied
    );
    let bad = list(&clerk, &district.id, date(2027, 12, 31), date(2027, 1, 1))
        .await
        .expect_err("period backwards");
    assert_eq!(bad.code(), Code::InvalidArgument);
}

/// A salary entry of step `step` of 01.003 from `effective`, for `reason`.
fn raise_to(step: i32, effective: Option<Date>, reason: &str) -> Content {
    Content::Salary(pb::SalaryEntry {
        effective_date: effective,
        grade_code: "01.003".into(),
        step,
        decision_number: "15/QĐ-UBND".into(),
        decision_date: date(2025, 12, 20),
        reason: reason.into(),
        ..Default::default()
    })
}

#[tokio::test]
async fn early_raises_keep_to_their_rules_and_share_and_time_not_counted_postpones_raises() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let TwoDistricts {
        ours: district,
        clerk,
        stranger,
        ..
    } = h.two_districts(&admin, ["CL", "CT"]).await;
    let (clerk, stranger) = (clerk.token, stranger.token);
    // Seven chuyên viên on step 3 since 01/01/2024 (regular raise 01/01/2027) on the district's
    // payroll: 15% of 7 is 1.05, so one early raise for achievement a year.
    let mut staff = Vec::new();
    for name in [
        "Phạm Thị An",
        "Lê Văn Bình",
        "Trần Văn Cường",
        "Đỗ Thị Dung",
        "Ngô Văn Em",
        "Vũ Thị Giang",
        "Hồ Văn Hải",
    ] {
        staff.push(
            h.hire(&clerk, chuyen_vien(&district.id, name, 3, date(2024, 1, 1)))
                .await,
        );
    }
    let [an, binh, cuong, dung, em, ..] = &staff[..] else {
        unreachable!("seven hired")
    };
    let add = |token: &str, employee_id: &str, content: Content| {
        let (h, token, employee_id) = (&h, token.to_string(), employee_id.to_string());
        async move { h.add_entry(&token, &employee_id, content).await }
    };
    let early = "early_achievement";

    // At most 12 months ahead of the regular date, to the next step only.
    let too_early = add(&clerk, &an.id, raise_to(4, date(2025, 12, 1), early))
        .await
        .expect_err("13 months early");
    assert_eq!(code_of(&too_early), "EARLY_RAISE_NOT_ELIGIBLE");
    assert_eq!(fields_of(&too_early), vec!["entry.salary.effective_date"]);
    assert!(too_early.message().contains("01/01/2027"), "{too_early:?}");
    let skipped = add(&clerk, &an.id, raise_to(5, date(2026, 1, 1), early))
        .await
        .expect_err("two steps");
    assert_eq!(fields_of(&skipped), vec!["entry.salary.step"]);
    let outsider = add(&stranger, &an.id, raise_to(4, date(2026, 1, 1), early))
        .await
        .expect_err("another district");
    assert_eq!(outsider.code(), Code::PermissionDenied);
    add(&clerk, &an.id, raise_to(4, date(2026, 1, 1), early))
        .await
        .expect("12 months early, within the share");

    // Cường was reprimanded in the year before (his regular raise moved to 01/07/2027): not
    // eligible, whatever the share.
    add(
        &clerk,
        &cuong.id,
        Content::Discipline(pb::DisciplineEntry {
            kind: "reprimand".into(),
            decision_number: "7/QĐ-UBND".into(),
            decision_date: date(2025, 10, 1),
            reason: "Vi phạm quy chế".into(),
            ..Default::default()
        }),
    )
    .await
    .expect("reprimand");
    let disciplined = add(&clerk, &cuong.id, raise_to(4, date(2026, 9, 1), early))
        .await
        .expect_err("reprimanded in 10/2025");
    assert_eq!(code_of(&disciplined), "EARLY_RAISE_NOT_ELIGIBLE");
    assert_eq!(fields_of(&disciplined), vec!["entry.salary.reason"]);
    // Bình would be the second of 2026 in a unit of seven.
    let share = add(&clerk, &binh.id, raise_to(4, date(2026, 6, 1), early))
        .await
        .expect_err("the share of 2026 is used");
    assert_eq!(share.code(), Code::FailedPrecondition);
    assert_eq!(code_of(&share), "EARLY_RAISE_SHARE_FULL");
    assert_eq!(fields_of(&share), vec!["entry.salary.reason"]);
    // Nothing was written by the refusals: Bình is still on step 3.
    let binh_now = h
        .employees()
        .get_employee(authed(
            &clerk,
            pb::GetEmployeeRequest {
                id: binh.id.clone(),
            },
        ))
        .await
        .expect("record")
        .into_inner();
    assert_eq!(binh_now.step, 3);
    // Not twice in a row in the same grade: An's next step (regular 01/01/2029) cannot also
    // come early, even in another year's share.
    let twice = add(&clerk, &an.id, raise_to(5, date(2028, 1, 1), early))
        .await
        .expect_err("twice in a row");
    assert_eq!(fields_of(&twice), vec!["entry.salary.reason"]);
    let unknown = add(
        &clerk,
        &an.id,
        raise_to(5, date(2029, 1, 1), "no_such_reason"),
    )
    .await
    .expect_err("unknown reason");
    assert_eq!(fields_of(&unknown), vec!["entry.salary.reason"]);

    // Time that does not count: Dung's unpaid leave 01/03/2025-15/04/2025 is 1 month and 11
    // working days, 1.5 months: her raise moves from 01/01/2027 to 16/02/2027. Em's suspension
    // 10/06/2025-29/06/2025 has 14 working days, a whole month: 01/02/2027.
    let not_counted = |kind: &str, from, to| {
        Content::NotCounted(pb::NotCountedEntry {
            kind: kind.into(),
            from_date: from,
            to_date: to,
            decision_number: "3/QĐ-UBND".into(),
            note: String::new(),
        })
    };
    add(
        &clerk,
        &dung.id,
        not_counted("unpaid_leave", date(2025, 3, 1), date(2025, 4, 15)),
    )
    .await
    .expect("unpaid leave");
    add(
        &clerk,
        &em.id,
        not_counted("suspension", date(2025, 6, 10), date(2025, 6, 29)),
    )
    .await
    .expect("suspension");
    let backwards = add(
        &clerk,
        &em.id,
        not_counted("suspension", date(2025, 6, 10), date(2025, 6, 1)),
    )
    .await
    .expect_err("ends before it starts");
    assert_eq!(fields_of(&backwards), vec!["entry.not_counted.to_date"]);
    let unknown_kind = add(
        &clerk,
        &em.id,
        not_counted("holiday", date(2025, 6, 10), date(2025, 6, 12)),
    )
    .await
    .expect_err("not a kind of time not counted");
    assert_eq!(fields_of(&unknown_kind), vec!["entry.not_counted.kind"]);
    let outsider = add(
        &stranger,
        &em.id,
        not_counted("suspension", date(2025, 6, 10), date(2025, 6, 12)),
    )
    .await
    .expect_err("another district");
    assert_eq!(outsider.code(), Code::PermissionDenied);

    let due = h
        .salary()
        .list_due_raises(authed(
            &clerk,
            pb::ListDueRaisesRequest {
                unit_id: district.id.clone(),
                from_date: date(2027, 1, 1),
                to_date: date(2027, 12, 31),
            },
        ))
        .await
        .expect("due raises")
        .into_inner()
        .raises;
    let due_of = |id: &str| {
        due.iter()
            .find(|r| r.employee_id == id)
            .map(|r| (r.due_date, r.delay_half_months))
    };
    assert_eq!(due_of(&an.id), None, "raised early; next step in 2029");
    assert_eq!(due_of(&binh.id), Some((date(2027, 1, 1), 0)));
    assert_eq!(due_of(&cuong.id), Some((date(2027, 7, 1), 12)));
    assert_eq!(due_of(&dung.id), Some((date(2027, 2, 16), 3)));
    assert_eq!(due_of(&em.id), Some((date(2027, 2, 1), 2)));
    let dung_raise = due.iter().find(|r| r.employee_id == dung.id).expect("Dung");
    assert_eq!(dung_raise.delay_months, 2, "1.5 months, rounded up");
}

#[tokio::test]
async fn a_commune_cadre_is_paid_by_position_and_raised_once_after_five_years() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let commune = h
        .unit_of_kind(&admin, "XMH", &h.root_id, id::UnitKind::Commune)
        .await;
    let clerk = h
        .person(
            &admin,
            "nhaplieu.xmh",
            &commune.id,
            "data_entry",
            Some(&commune.id),
            "",
        )
        .await;
    let cadre = |name: &str, grade: &str, step: i32, since| pb::Employee {
        kind: pb::EmployeeKind::Cadre as i32,
        grade_code: grade.into(),
        ..chuyen_vien(&commune.id, name, step, since)
    };
    // The People's Committee chair on step 1 (2.15) since 01/01/2022: step 2 (2.65) after five
    // years, on 01/01/2027 (NĐ 92/2009/NĐ-CP Điều 5.1). The party secretary on step 2 since 2015
    // has no seniority allowance beyond it.
    let chair = h
        .hire(
            &clerk,
            cadre("Nguyễn Văn Chủ", "CX.CTUBND", 1, date(2022, 1, 1)),
        )
        .await;
    assert_eq!(chair.coefficient, 215, "from the position's step table");
    let secretary = h
        .hire(&clerk, cadre("Trần Thị Bí", "CX.BTDU", 2, date(2015, 1, 1)))
        .await;
    assert_eq!(secretary.coefficient, 285);
    // 2.15 x 2,340,000 = 5,031,000; a cadre's 25% public-service allowance 1,257,750; gross
    // 6,288,750; social 8% 402,480 and health 1.5% 75,465 of 5,031,000; net 5,810,805.
    let pay = h
        .salary()
        .get_pay(authed(
            &clerk,
            pb::GetPayRequest {
                employee_id: chair.id.clone(),
                year: 2026,
                month: 11,
            },
        ))
        .await
        .expect("pay")
        .into_inner();
    assert_eq!(
        (pay.pay, pay.public_service_allowance, pay.gross, pay.net),
        (5_031_000, 1_257_750, 6_288_750, 5_810_805)
    );
    let secretary_pay = h
        .salary()
        .get_pay(authed(
            &clerk,
            pb::GetPayRequest {
                employee_id: secretary.id.clone(),
                year: 2026,
                month: 11,
            },
        ))
        .await
        .expect("pay")
        .into_inner();
    assert_eq!(
        (secretary_pay.seniority_percent, secretary_pay.pay),
        (0, 6_669_000),
        "2.85 x 2,340,000, nothing beyond the top step"
    );
    let due = h
        .salary()
        .list_due_raises(authed(
            &clerk,
            pb::ListDueRaisesRequest {
                unit_id: commune.id.clone(),
                from_date: date(2026, 1, 1),
                to_date: date(2030, 12, 31),
            },
        ))
        .await
        .expect("due")
        .into_inner()
        .raises;
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(
        (
            due[0].employee_id.as_str(),
            due[0].due_date,
            due[0].next_coefficient
        ),
        (chair.id.as_str(), date(2027, 1, 1), 265)
    );
}
