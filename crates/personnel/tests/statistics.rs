//! The BM02/BNV statistics, their .xlsx workbook and the movement figures through gRPC.

mod common;

use common::*;
use tinhso_proto::identity::v1 as id;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::catalogue_service_client::CatalogueServiceClient;
use tinhso_proto::personnel::v1::staffing_service_client::StaffingServiceClient;
use tinhso_proto::personnel::v1::statistics_service_client::StatisticsServiceClient;
use tinhso_testkit::authed;
use tonic::Code;

/// 1 January of the year that makes someone `age` today.
fn aged(age: i32) -> Option<Date> {
    date(tinhso_platform::clock::vietnam_today().year() - age, 1, 1)
}

#[tokio::test]
async fn bm02_counts_per_unit_roll_up_export_and_movements_are_figured() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let district = h.unit(&admin, "HAA", &h.root_id).await;
    let commune = h
        .unit_of_kind(&admin, "XAA", &district.id, id::UnitKind::Commune)
        .await;
    let other = h.unit(&admin, "HBB", &h.root_id).await;
    let head = h
        .person(
            &admin,
            "truong.haa",
            &district.id,
            "unit_head",
            Some(&district.id),
            "",
        )
        .await;
    let stranger = h
        .person(
            &admin,
            "nhaplieu.hbb",
            &other.id,
            "data_entry",
            Some(&other.id),
            "",
        )
        .await;
    let hire = |e: pb::Employee| {
        let (h, admin) = (&h, admin.clone());
        async move {
            h.employees()
                .create_employee(authed(
                    &admin,
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
    let person = |unit: &str, name: &str| pb::Employee {
        unit_id: unit.into(),
        kind: pb::EmployeeKind::CivilServant as i32,
        full_name: name.into(),
        sex: pb::Sex::Male as i32,
        ethnicity: "01".into(),
        ..Default::default()
    };
    hire(pb::Employee {
        sex: pb::Sex::Female as i32,
        ethnicity: "05".into(),
        party_admission_date: date(2012, 3, 3),
        degree: "bachelor".into(),
        grade_code: "01.003".into(),
        birth_date: aged(35),
        recruitment_date: date(2026, 9, 1),
        ..person(&district.id, "Thạch Thị Sa")
    })
    .await;
    let moving = hire(pb::Employee {
        degree: "master".into(),
        grade_code: "01.002".into(),
        religion: "02".into(),
        birth_date: aged(55),
        ..person(&district.id, "Nguyễn Văn Chuyển")
    })
    .await;
    let retiring = hire(pb::Employee {
        sex: pb::Sex::Female as i32,
        grade_code: "01.005".into(),
        birth_date: aged(25),
        ..person(&commune.id, "Lê Thị Xã")
    })
    .await;
    hire(pb::Employee {
        birth_date: aged(45),
        ..person(&other.id, "Trần Văn Khác")
    })
    .await;
    StaffingServiceClient::new(h.channel.clone())
        .set_quota(authed(
            &admin,
            pb::SetQuotaRequest {
                unit_id: district.id.clone(),
                year: tinhso_platform::clock::vietnam_today().year(),
                kind: pb::EmployeeKind::CivilServant as i32,
                quota: 5,
            },
        ))
        .await
        .expect("quota");

    let stats = |token: &str, bands: Vec<i32>| {
        let (h, token, unit) = (&h, token.to_string(), district.id.clone());
        async move {
            StatisticsServiceClient::new(h.channel.clone())
                .get_staff_statistics(authed(
                    &token,
                    pb::GetStaffStatisticsRequest {
                        unit_id: unit,
                        age_bands: bands,
                        ..Default::default()
                    },
                ))
                .await
        }
    };
    let table = stats(&head, vec![])
        .await
        .expect("the unit head reads")
        .into_inner();
    let col = |key: &str| {
        table
            .columns
            .iter()
            .position(|c| c.key == key)
            .unwrap_or_else(|| panic!("column {key}"))
    };
    let row = |unit: &str| {
        table
            .units
            .iter()
            .find(|u| u.unit_id == unit)
            .expect("unit row")
            .clone()
    };
    let top = row(&district.id);
    let below = row(&commune.id);
    assert_eq!((top.depth, below.depth), (0, 1));
    assert_eq!(table.units.len(), 2, "the district and its commune only");
    let figure = |key: &str| (top.own[col(key)], top.subtree[col(key)]);
    assert_eq!(figure("total"), (2, 3));
    assert_eq!(figure("quota"), (5, 5));
    assert_eq!(figure("women"), (1, 2));
    assert_eq!(figure("party"), (1, 1));
    assert_eq!(figure("ethnic_minority"), (1, 1));
    assert_eq!(figure("religion"), (1, 1));
    assert_eq!(figure("grade_a1"), (1, 1));
    assert_eq!(figure("grade_a2"), (1, 1));
    // 01.005 Nhân viên is paid on group B and counts as "Nhân viên", its own rank.
    assert_eq!(figure("grade_c"), (0, 1));
    assert_eq!(figure("grade_a0_b"), (0, 0));
    assert_eq!(figure("degree:bachelor"), (1, 1));
    assert_eq!(figure("degree:master"), (1, 1));
    assert_eq!(figure("age:0"), (0, 1), "25: up to 30");
    assert_eq!(figure("age:1"), (1, 1), "35: 31-40");
    assert_eq!(figure("age:3"), (1, 1), "55: 51-60");
    assert_eq!(below.subtree[col("total")], 1);
    assert_eq!(
        table.columns[col("degree:master")].group,
        "Trình độ chuyên môn"
    );

    // Age bands are parameters.
    let banded = stats(&head, vec![35, 55])
        .await
        .expect("bands")
        .into_inner();
    let titles: Vec<&str> = banded
        .columns
        .iter()
        .filter(|c| c.group == "Độ tuổi")
        .map(|c| c.title.as_str())
        .collect();
    assert_eq!(
        titles,
        vec![
            "Đến 35",
            "36 - 55",
            "Trên 55",
            "Nữ từ 51 đến 55",
            "Nam từ 56 đến 60",
            "Trên tuổi nghỉ hưu"
        ]
    );
    let at = |key: &str| {
        let i = banded
            .columns
            .iter()
            .position(|c| c.key == key)
            .expect("column");
        banded.units[0].subtree[i]
    };
    assert_eq!((at("age:0"), at("age:1"), at("age:2")), (2, 1, 0));
    // A man of 55 is not yet in the form's "men 56 to 60"; nobody is past retirement age.
    assert_eq!(
        (
            at("age:women_51_55"),
            at("age:men_56_60"),
            at("over_retirement_age")
        ),
        (0, 0, 0)
    );
    let bad = stats(&head, vec![50, 40]).await.expect_err("falling bands");
    assert_eq!(fields_of(&bad), vec!["age_bands"]);
    assert_eq!(
        stats(&stranger, vec![])
            .await
            .expect_err("another district")
            .code(),
        Code::PermissionDenied
    );

    // The workbook opens with the unit tree and Vietnamese headings.
    let mut stream = StatisticsServiceClient::new(h.channel.clone())
        .export_staff_statistics(authed(
            &head,
            pb::GetStaffStatisticsRequest {
                unit_id: district.id.clone(),
                ..Default::default()
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
    assert!(sheet[0][0].contains("BM02/BNV"), "{}", sheet[0][0]);
    assert_eq!(sheet[2][0], "Đơn vị");
    assert!(sheet[2].iter().any(|h| h == "Trình độ chuyên môn: Thạc sĩ"));
    // The form's columns in its order, the note last.
    assert_eq!(sheet[2][1], "Số lượng: Tổng số có mặt");
    let note_at = sheet[2].len() - 1;
    assert_eq!(sheet[2][note_at], "Ghi chú: phạm vi số liệu");
    let position = |h: &str| sheet[2].iter().position(|x| x == h).expect(h);
    assert!(
        position("Trình độ chuyên môn: Tiến sĩ") < position("Trình độ chuyên môn: Thạc sĩ")
            && position("Trình độ chuyên môn: Thạc sĩ") < position("Trình độ chuyên môn: Đại học")
            && position("Ngạch: Nhân viên") < position("Trình độ chuyên môn: Tiến sĩ")
            && position("Tin học: Chứng chỉ") < position("Ngoại ngữ: Tiếng Anh: Chứng chỉ")
            && position("Độ tuổi: 51 - 60") + 1 == position("Độ tuổi: Nữ từ 51 đến 55")
            && position("Độ tuổi: Trên tuổi nghỉ hưu") < position("Biên chế: Biên chế được giao"),
        "{:?}",
        sheet[2]
    );
    let total_at = sheet[2]
        .iter()
        .position(|h| h == "Số lượng: Tổng số có mặt")
        .expect("total");
    let row = |i: usize| {
        (
            sheet[i][0].as_str(),
            sheet[i][note_at].as_str(),
            sheet[i][total_at].as_str(),
        )
    };
    // The district with its commune, then its own staff, then the commune (indented).
    assert_eq!(row(3), ("Đơn vị HAA", "Gồm các đơn vị trực thuộc", "3"));
    assert_eq!(row(4), ("Đơn vị HAA (riêng đơn vị)", "Riêng đơn vị", "2"));
    assert_eq!(row(5), ("Đơn vị XAA", "Riêng đơn vị", "1"));

    // Movements in the period: one transfer out to another district, one retirement, one hire.
    let moved = |record: &pb::Employee, kind: pb::MovementKind, to: &str| {
        let (h, admin, record, to) = (&h, admin.clone(), record.clone(), to.to_string());
        async move {
            h.employees()
                .move_employee(authed(
                    &admin,
                    pb::MoveEmployeeRequest {
                        id: record.id.clone(),
                        kind: kind as i32,
                        to_unit_id: to,
                        decision_number: "7/QĐ-UBND".into(),
                        decision_date: date(2026, 10, 1),
                        effective_date: date(2026, 10, 15),
                        note: String::new(),
                        etag: record.etag.clone(),
                    },
                ))
                .await
                .expect("moved")
        }
    };
    moved(&moving, pb::MovementKind::Transfer, &other.id).await;
    moved(&retiring, pb::MovementKind::Retirement, "").await;
    let figures = StatisticsServiceClient::new(h.channel.clone())
        .get_movement_figures(authed(
            &admin,
            pb::GetMovementFiguresRequest {
                unit_id: h.root_id.clone(),
                from_date: date(2026, 7, 1),
                to_date: date(2026, 12, 31),
            },
        ))
        .await
        .expect("figures")
        .into_inner();
    let of = |unit: &str| {
        figures
            .units
            .iter()
            .find(|u| u.unit_id == unit)
            .map(|u| {
                (
                    u.working,
                    u.hired,
                    u.transferred_in,
                    u.transferred_out,
                    u.retired,
                )
            })
            .expect("unit")
    };
    assert_eq!(of(&district.id), (1, 1, 0, 1, 1));
    assert_eq!(of(&other.id), (2, 0, 1, 0, 0));
    assert_eq!(
        of(&h.root_id),
        (3, 1, 0, 0, 1),
        "moves inside the province cancel out"
    );
    let bad = StatisticsServiceClient::new(h.channel.clone())
        .get_movement_figures(authed(
            &admin,
            pb::GetMovementFiguresRequest {
                unit_id: h.root_id.clone(),
                from_date: date(2026, 12, 31),
                to_date: date(2026, 1, 1),
            },
        ))
        .await
        .expect_err("reversed period");
    assert_eq!(fields_of(&bad), vec!["to_date"]);
    let denied = StatisticsServiceClient::new(h.channel.clone())
        .get_movement_figures(authed(
            &stranger,
            pb::GetMovementFiguresRequest {
                unit_id: district.id.clone(),
                from_date: date(2026, 1, 1),
                to_date: date(2026, 12, 31),
            },
        ))
        .await
        .expect_err("another district");
    assert_eq!(denied.code(), Code::PermissionDenied);
}

#[tokio::test]
async fn bm02_counts_a_grade_under_its_own_rank_which_the_province_may_change() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let (district, clerk) = h.district_with_clerk(&admin, "HCC").await;
    // Each with a language level (and the language), an IT level, an ethnic-language
    // certificate: English B1; a French degree; an A2 whose language is not given (counted as
    // another language); basic IT; an IT degree and a Khmer certificate.
    for (n, (kind, grade, language, language_name, it, ethnic)) in [
        (
            pb::EmployeeKind::CivilServant,
            "01.003",
            "level3",
            "en",
            "",
            "",
        ),
        (
            pb::EmployeeKind::CivilServant,
            "01.005",
            "degree",
            "fr",
            "",
            "",
        ),
        (
            pb::EmployeeKind::CivilServant,
            "06.032",
            "level2",
            "",
            "",
            "",
        ),
        (
            pb::EmployeeKind::PublicEmployee,
            "V.07.04.32",
            "",
            "",
            "basic",
            "",
        ),
        (
            pb::EmployeeKind::PublicEmployee,
            "V.08.01.02",
            "",
            "",
            "degree",
            "Tiếng Khmer",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        h.hire(
            &clerk,
            pb::Employee {
                unit_id: district.id.clone(),
                kind: kind as i32,
                full_name: format!("Người Số {n}"),
                sex: pb::Sex::Male as i32,
                birth_date: date(1980, 1, 1),
                grade_code: grade.into(),
                foreign_language: language.into(),
                foreign_language_name: language_name.into(),
                it_level: it.into(),
                ethnic_language: ethnic.into(),
                ..Default::default()
            },
        )
        .await;
    }
    let unknown_language = h
        .employees()
        .create_employee(authed(
            &clerk,
            pb::CreateEmployeeRequest {
                employee: Some(pb::Employee {
                    unit_id: district.id.clone(),
                    kind: pb::EmployeeKind::CivilServant as i32,
                    full_name: "Người Số 9".into(),
                    sex: pb::Sex::Male as i32,
                    birth_date: date(1980, 1, 1),
                    foreign_language_name: "xx".into(),
                    ..Default::default()
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect_err("not a language of the catalogue");
    assert_eq!(
        fields_of(&unknown_language),
        vec!["employee.foreign_language_name"]
    );
    let skills = StatisticsServiceClient::new(h.channel.clone())
        .get_staff_statistics(authed(
            &clerk,
            pb::GetStaffStatisticsRequest {
                unit_id: district.id.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect("table")
        .into_inner();
    let own = &skills
        .units
        .iter()
        .find(|u| u.unit_id == district.id)
        .expect("row")
        .own;
    let counted: Vec<(&str, &str, i32)> = skills
        .columns
        .iter()
        .zip(own)
        .filter(|(c, _)| {
            c.key.starts_with("it:") || c.key.starts_with("language:") || c.key == "ethnic_language"
        })
        .map(|(c, n)| (c.key.as_str(), c.group.as_str(), *n))
        .collect();
    assert_eq!(
        counted,
        vec![
            ("it:intermediate", "Tin học", 1),
            ("it:certificate", "Tin học", 1),
            ("language:english_degree", "Ngoại ngữ", 0),
            ("language:english_certificate", "Ngoại ngữ", 1),
            ("language:other_degree", "Ngoại ngữ", 1),
            ("language:other_certificate", "Ngoại ngữ", 1),
            ("ethnic_language", "Tiếng dân tộc", 1),
        ]
    );
    let table = || {
        let (h, clerk, unit) = (&h, clerk.clone(), district.id.clone());
        async move {
            let t = StatisticsServiceClient::new(h.channel.clone())
                .get_staff_statistics(authed(
                    &clerk,
                    pb::GetStaffStatisticsRequest {
                        unit_id: unit.clone(),
                        ..Default::default()
                    },
                ))
                .await
                .expect("table")
                .into_inner();
            let row = t.units.iter().find(|u| u.unit_id == unit).expect("row");
            t.columns
                .iter()
                .zip(&row.own)
                .filter(|(c, _)| c.key.starts_with("grade_") || c.key.starts_with("title_rank"))
                .map(|(c, n)| (c.key.clone(), c.group.clone(), *n))
                .collect::<Vec<_>>()
        }
    };
    let heading = |key: &str| {
        if key.starts_with("title_rank") {
            "Hạng chức danh nghề nghiệp".to_string()
        } else {
            "Ngạch".to_string()
        }
    };
    let expected = |counts: [i32; 9]| {
        [
            "grade_a3",
            "grade_a2",
            "grade_a1",
            "grade_a0_b",
            "grade_c",
            "title_rank_1",
            "title_rank_2",
            "title_rank_3",
            "title_rank_4",
        ]
        .into_iter()
        .zip(counts)
        .map(|(k, n)| (k.to_string(), heading(k), n))
        .collect::<Vec<_>>()
    };
    // Chuyên viên; Nhân viên (group B) as nhân viên; Kế toán viên trung cấp (A0) as cán sự; a
    // teacher of hạng III; a doctor of hạng II (TT 07/2019/TT-BNV's BM02).
    assert_eq!(table().await, expected([0, 0, 1, 1, 1, 0, 1, 1, 0]));

    // Home Affairs moves a grade to another column; the next table follows, nothing else does.
    let put = |report_column: &str| {
        let (h, admin, column) = (&h, admin.clone(), report_column.to_string());
        async move {
            CatalogueServiceClient::new(h.channel.clone())
                .put_catalogue_entry(authed(
                    &admin,
                    pb::PutCatalogueEntryRequest {
                        catalogue: "grade".into(),
                        code: "06.032".into(),
                        name: "Kế toán viên trung cấp".into(),
                        attribute: "A0".into(),
                        sort_order: 12,
                        active: true,
                        report_column: column,
                    },
                ))
                .await
        }
    };
    let unknown = put("grade_z").await.expect_err("not a BM02 column");
    assert_eq!(
        (code_of(&unknown), fields_of(&unknown)),
        (
            "UNKNOWN_CODE".to_string(),
            vec!["report_column".to_string()]
        )
    );
    assert_eq!(table().await, expected([0, 0, 1, 1, 1, 0, 1, 1, 0]));
    put("grade_c").await.expect("moved to nhân viên");
    assert_eq!(table().await, expected([0, 0, 1, 0, 2, 0, 1, 1, 0]));
    let outsider = CatalogueServiceClient::new(h.channel.clone())
        .put_catalogue_entry(authed(
            &clerk,
            pb::PutCatalogueEntryRequest {
                catalogue: "grade".into(),
                code: "06.032".into(),
                name: "Kế toán viên trung cấp".into(),
                attribute: "A0".into(),
                report_column: "grade_a3".into(),
                ..Default::default()
            },
        ))
        .await
        .expect_err("a district clerk does not edit catalogues");
    assert_eq!(outsider.code(), Code::PermissionDenied);
    let listed = CatalogueServiceClient::new(h.channel.clone())
        .list_catalogues(authed(&clerk, pb::ListCataloguesRequest {}))
        .await
        .expect("catalogues")
        .into_inner()
        .catalogues;
    let grade = listed.iter().find(|c| c.name == "grade").expect("grade");
    assert_eq!(grade.report_columns.len(), 9);
    assert_eq!(grade.report_columns[4].title, "Nhân viên");
}

/// Moves `employee_id`'s history back in time, as if the record had been created at `created_ms`
/// and its later changes entered at `changed_ms`.
async fn backdate(h: &Harness, employee_id: &str, created_ms: i64, changed_ms: i64) {
    use tinhso_platform::db;
    let pool = &h.personnel.db.pool;
    let created_at: time::OffsetDateTime =
        db::query("SELECT created_at FROM employees WHERE id = $1")
            .bind(employee_id)
            .fetch_all(pool)
            .await
            .expect("record")[0]
            .try_get("", "created_at")
            .expect("created_at");
    // The lines of the creation, then those of the changes after it.
    db::query("UPDATE employee_changes SET at = $1 WHERE employee_id = $2 AND at <= $3")
        .bind(db::at(created_ms))
        .bind(employee_id)
        .bind(created_at)
        .execute(pool)
        .await
        .expect("creation backdated");
    db::query("UPDATE employee_changes SET at = $1 WHERE employee_id = $2 AND at > $3")
        .bind(db::at(changed_ms))
        .bind(employee_id)
        .bind(created_at)
        .execute(pool)
        .await
        .expect("changes backdated");
    db::query("UPDATE employees SET created_at = $1 WHERE id = $2")
        .bind(db::at(created_ms))
        .bind(employee_id)
        .execute(pool)
        .await
        .expect("record backdated");
}

#[tokio::test]
async fn bm02_is_rebuilt_for_a_past_report_date_from_the_change_history() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let (district, clerk) = h.district_with_clerk(&admin, "HDD").await;
    let hire = |name: &str, grade: &str| pb::Employee {
        unit_id: district.id.clone(),
        kind: pb::EmployeeKind::CivilServant as i32,
        full_name: name.into(),
        sex: pb::Sex::Female as i32,
        birth_date: date(1985, 3, 3),
        grade_code: grade.into(),
        degree: "bachelor".into(),
        ..Default::default()
    };
    // Anh (chuyên viên, bachelor) and Bích (nhân viên) were on the records in 2025; in February
    // 2026 Anh's master's degree was entered and Bích retired; Chi was hired after the report
    // date.
    let anh = h.hire(&clerk, hire("Võ Thị Anh", "01.003")).await;
    let bich = h.hire(&clerk, hire("Võ Thị Bích", "01.005")).await;
    // `backdate` tells the creation's change lines from later ones by their time (milliseconds):
    // the changes below must not share the creations' millisecond.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    h.employees()
        .update_employee(authed(
            &clerk,
            pb::UpdateEmployeeRequest {
                id: anh.id.clone(),
                degree: Some("master".into()),
                effective_date: date(2026, 1, 20),
                ..Default::default()
            },
        ))
        .await
        .expect("the degree");
    h.employees()
        .move_employee(authed(
            &clerk,
            pb::MoveEmployeeRequest {
                id: bich.id.clone(),
                kind: pb::MovementKind::Retirement as i32,
                to_unit_id: String::new(),
                decision_number: "9/QĐ-UBND".into(),
                decision_date: date(2026, 1, 25),
                effective_date: date(2026, 2, 1),
                note: String::new(),
                etag: bich.etag.clone(),
            },
        ))
        .await
        .expect("retired");
    h.hire(&clerk, hire("Võ Thị Chi", "01.003")).await;
    let ms = |y, m, d| {
        time::Date::from_calendar_date(y, time::Month::try_from(m).expect("month"), d)
            .expect("date")
            .midnight()
            .assume_utc()
            .unix_timestamp()
            * 1000
    };
    for id in [&anh.id, &bich.id] {
        backdate(&h, id, ms(2025, 6, 2), ms(2026, 2, 3)).await;
    }
    let table = |as_of| {
        let (h, admin, unit) = (&h, admin.clone(), district.id.clone());
        async move {
            StatisticsServiceClient::new(h.channel.clone())
                .get_staff_statistics(authed(
                    &admin,
                    pb::GetStaffStatisticsRequest {
                        unit_id: unit,
                        as_of,
                        ..Default::default()
                    },
                ))
                .await
        }
    };
    let figures = |t: &pb::StaffStatistics, keys: &[&str]| -> Vec<i32> {
        let row = &t.units[0];
        keys.iter()
            .map(|k| {
                let i = t.columns.iter().position(|c| c.key == *k).expect("column");
                row.subtree[i]
            })
            .collect()
    };
    let keys = [
        "total",
        "degree:bachelor",
        "degree:master",
        "grade_a1",
        "grade_c",
    ];
    let end_of_2025 = table(date(2025, 12, 31))
        .await
        .expect("31/12/2025")
        .into_inner();
    assert_eq!(end_of_2025.as_of, date(2025, 12, 31));
    assert_eq!(figures(&end_of_2025, &keys), vec![2, 2, 0, 1, 1]);
    let now = table(None).await.expect("today").into_inner();
    assert_eq!(figures(&now, &keys), vec![2, 1, 1, 2, 0]);
    let before_any = table(date(2025, 1, 1)).await.expect("before").into_inner();
    assert_eq!(figures(&before_any, &keys), vec![0, 0, 0, 0, 0]);
    let future = table(in_days(10)).await.expect_err("in the future");
    assert_eq!(fields_of(&future), vec!["as_of"]);
}
