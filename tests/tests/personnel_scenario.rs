//! The personnel scenario of issue 4 through the REST gateway, with the regulation's roles: a
//! district's data-entry clerk keeps its records (hire, update, sections, transfer, retirement,
//! import) and nothing else; the unit head reads the district; the provincial leader reads the
//! province; an employee reads only their own record. Statistics and exports come back as .xlsx
//! files with Vietnamese text intact.

use serde_json::{Value, json};
use tinhso_e2e::{Platform, assert_problem, str_of};
use tinhso_platform::xlsx;

/// The workbooks the service writes here are small.
const WORKBOOK_LIMITS: xlsx::ReadLimits = xlsx::ReadLimits::for_sheet(1_000, 100);

async fn unit(p: &Platform, admin: &str, code: &str, name: &str) -> String {
    let r = p
        .post(
            "/api/v1/units",
            admin,
            json!({"code": code, "name": name, "kind": "UNIT_KIND_DISTRICT", "parentId": p.root_unit_id}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    str_of(&r.json(), "id").to_string()
}

/// Creates a record, retrying while the new unit travels from identity to personnel.
async fn hire(p: &Platform, token: &str, request_id: &str, record: Value) -> Value {
    for _ in 0..100 {
        let r = p
            .post(
                &format!("/api/v1/personnel/employees?requestId={request_id}"),
                token,
                record.clone(),
            )
            .await;
        if r.status == 200 {
            return r.json();
        }
        assert_problem(&r, 404, "NOT_FOUND");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the unit never reached personnel");
}

fn names(v: &Value) -> Vec<String> {
    v["employees"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["fullName"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn each_role_does_and_sees_what_the_regulation_says() {
    let p = Platform::start().await;
    let admin = p.admin().await;
    let cao_lanh = unit(&p, &admin, "HCL", "Huyện Cao Lãnh").await;
    let thap_muoi = unit(&p, &admin, "HTM", "Huyện Tháp Mười").await;
    let clerk = p
        .person(
            &admin,
            "nhaplieu.hcl",
            &cao_lanh,
            "data_entry",
            Some(&cao_lanh),
            "",
        )
        .await;
    let head = p
        .person(
            &admin,
            "truong.hcl",
            &cao_lanh,
            "unit_head",
            Some(&cao_lanh),
            "",
        )
        .await;
    let leader = p
        .person(
            &admin,
            "lanhdao.tinh",
            &p.root_unit_id,
            "provincial_leader",
            Some(&p.root_unit_id),
            "",
        )
        .await;
    let other_clerk = p
        .person(
            &admin,
            "nhaplieu.htm",
            &thap_muoi,
            "data_entry",
            Some(&thap_muoi),
            "",
        )
        .await;

    // The clerk hires two people in the district; the other district's clerk one there.
    let an = hire(
        &p,
        &clerk,
        "hs-an",
        json!({"unitId": cao_lanh, "kind": "EMPLOYEE_KIND_CIVIL_SERVANT", "fullName": "Nguyễn Văn An",
               "birthDate": {"year": 1985, "month": 4, "day": 30}, "sex": "SEX_MALE",
               "idNumber": "087085001234", "ethnicity": "01", "gradeCode": "01.003", "step": 3,
               "stepDate": {"year": 2024, "month": 1, "day": 1}, "degree": "bachelor",
               "recruitmentDate": {"year": 2010, "month": 9, "day": 1}}),
    )
    .await;
    let an_id = str_of(&an, "id").to_string();
    let binh = hire(
        &p,
        &clerk,
        "hs-binh",
        json!({"unitId": cao_lanh, "kind": "EMPLOYEE_KIND_PUBLIC_EMPLOYEE", "fullName": "Lê Thị Bình",
               "birthDate": {"year": 1960, "month": 5, "day": 5}, "sex": "SEX_FEMALE",
               "partyAdmissionDate": {"year": 1990, "month": 2, "day": 3}}),
    )
    .await;
    let binh_id = str_of(&binh, "id").to_string();
    hire(
        &p,
        &other_clerk,
        "hs-cuong",
        json!({"unitId": thap_muoi, "kind": "EMPLOYEE_KIND_CIVIL_SERVANT", "fullName": "Trần Văn Cường",
               "birthDate": {"year": 1992, "month": 1, "day": 1}, "sex": "SEX_MALE"}),
    )
    .await;
    let r = p
        .post(
            "/api/v1/personnel/employees",
            &clerk,
            json!({"unitId": thap_muoi, "kind": "EMPLOYEE_KIND_CIVIL_SERVANT",
                   "fullName": "Ngoài phạm vi", "birthDate": {"year": 1990, "month": 1, "day": 1},
                   "sex": "SEX_MALE"}),
        )
        .await;
    assert_problem(&r, 403, "PERMISSION_DENIED");

    // Update with the etag, and a section entry (a raise) that moves the record's step.
    let r = p
        .call(
            "PATCH",
            &format!("/api/v1/personnel/employees/{an_id}"),
            Some(&clerk),
            Some(&json!({
                "position": "Phó Chánh Văn phòng",
                "effectiveDate": {"year": 2026, "month": 11, "day": 2},
                "etag": an["etag"],
            })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = p
        .call(
            "PATCH",
            &format!("/api/v1/personnel/employees/{an_id}"),
            Some(&clerk),
            Some(&json!({"position": "X", "etag": an["etag"]})),
        )
        .await;
    assert_problem(&r, 409, "STALE_ETAG");
    let r = p
        .post(
            &format!("/api/v1/personnel/employees/{an_id}/sections"),
            &clerk,
            json!({"salary": {"effectiveDate": {"year": 2026, "month": 1, "day": 1},
                   "gradeCode": "01.003", "step": 4, "decisionNumber": "12/QĐ-UBND"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = p
        .get(
            &format!("/api/v1/personnel/employees/{an_id}/pay?year=2026&month=11"),
            &clerk,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json()["pay"],
        json!("7792200"),
        "3.33 x 2,340,000 (int64 as a JSON string)"
    );
    // The payslip: a civil servant's 25% public-service allowance 1,948,050 makes 9,740,250
    // gross; social 8% 623,376 and health 1.5% 116,883 of 7,792,200 are deducted: net 8,999,991.
    let slip = r.json();
    assert_eq!(
        (&slip["gross"], &slip["deductions"], &slip["net"]),
        (&json!("9740250"), &json!("740259"), &json!("8999991")),
        "{slip}"
    );
    // The retirement list: Bình, born 05/05/1960, reached 55 (the age before NĐ 135/2020) in
    // 05/2015, so she retired on 01/06/2015, to be notified by 01/12/2014 and decided on by
    // 01/03/2015 (NĐ 46/2010 Điều 3).
    let retirements = format!(
        "/api/v1/personnel/retirements?unitId={cao_lanh}&fromDate.year=2015&fromDate.month=1\
         &fromDate.day=1&toDate.year=2015&toDate.month=12&toDate.day=31"
    );
    let r = p.get(&retirements, &clerk).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let listed = r.json();
    let first = &listed["retirements"][0];
    assert_eq!(first["fullName"], "Lê Thị Bình", "{listed}");
    assert_eq!(
        (
            &first["retirementDate"],
            &first["noticeDate"],
            &first["decisionDate"]
        ),
        (
            &json!({"year": 2015, "month": 6, "day": 1}),
            &json!({"year": 2014, "month": 12, "day": 1}),
            &json!({"year": 2015, "month": 3, "day": 1})
        )
    );
    assert_problem(
        &p.get(&retirements, &other_clerk).await,
        403,
        "PERMISSION_DENIED",
    );

    // The employee reads their own record and nothing else.
    let myself = p
        .person(
            &admin,
            "an.nv",
            &cao_lanh,
            "employee_self_service",
            None,
            &an_id,
        )
        .await;
    let r = p
        .get(&format!("/api/v1/personnel/employees/{an_id}"), &myself)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["step"], 4);
    let r = p
        .get(&format!("/api/v1/personnel/employees/{binh_id}"), &myself)
        .await;
    assert_problem(&r, 403, "PERMISSION_DENIED");
    let r = p.get("/api/v1/personnel/employees", &myself).await;
    assert_problem(&r, 403, "PERMISSION_DENIED");

    // Who sees what in a search (by given name: An before Bình).
    let everyone = "/api/v1/personnel/employees?pageSize=100";
    assert_eq!(
        names(&p.get(everyone, &clerk).await.json()),
        vec!["Nguyễn Văn An", "Lê Thị Bình"]
    );
    assert_eq!(
        names(&p.get(everyone, &head).await.json()),
        vec!["Nguyễn Văn An", "Lê Thị Bình"]
    );
    assert_eq!(names(&p.get(everyone, &leader).await.json()).len(), 3);
    let r = p
        .post(
            &format!("/api/v1/personnel/employees/{binh_id}/sections"),
            &head,
            json!({"work": {"fromDate": {"year": 1985, "month": 1, "day": 1}, "organisation": "X"}}),
        )
        .await;
    assert_problem(&r, 403, "PERMISSION_DENIED");

    // Transfer to the other district: the clerk may not write there, so the handover waits for
    // the receiving clerk, who declines once and accepts the second time.
    let transfer = |etag: Value| {
        json!({"kind": "MOVEMENT_KIND_TRANSFER", "toUnitId": thap_muoi,
               "decisionNumber": "88/QĐ-UBND", "decisionDate": {"year": 2026, "month": 11, "day": 2},
               "effectiveDate": {"year": 2026, "month": 11, "day": 10}, "etag": etag})
    };
    for accept in [false, true] {
        let an_now = p
            .get(&format!("/api/v1/personnel/employees/{an_id}"), &clerk)
            .await
            .json();
        let r = p
            .post(
                &format!("/api/v1/personnel/employees/{an_id}:move"),
                &clerk,
                transfer(an_now["etag"].clone()),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()["state"], "MOVEMENT_STATE_PENDING");
        let movement_id = str_of(&r.json(), "id").to_string();
        let r = p
            .get(
                &format!("/api/v1/personnel/pending-movements?unitId={thap_muoi}"),
                &other_clerk,
            )
            .await;
        assert_eq!(r.json()["movements"][0]["id"], movement_id.as_str());
        let verb = if accept { "accept" } else { "decline" };
        let r = p
            .post(
                &format!("/api/v1/personnel/movements/{movement_id}:{verb}"),
                &other_clerk,
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let r = p
        .get(
            &format!("/api/v1/personnel/employees/{an_id}"),
            &other_clerk,
        )
        .await;
    assert_eq!(
        r.status,
        200,
        "the receiving district sees it: {}",
        r.text()
    );
    let r = p
        .get(&format!("/api/v1/personnel/employees/{an_id}"), &clerk)
        .await;
    assert_problem(&r, 403, "PERMISSION_DENIED");

    // Retirement ends Bình's record; it stays searchable by status.
    let r = p
        .post(
            &format!("/api/v1/personnel/employees/{binh_id}:move"),
            &clerk,
            json!({"kind": "MOVEMENT_KIND_RETIREMENT", "decisionNumber": "90/QĐ-UBND",
                   "decisionDate": {"year": 2026, "month": 4, "day": 1},
                   "effectiveDate": {"year": 2026, "month": 6, "day": 1}, "etag": binh["etag"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = p
        .get(
            "/api/v1/personnel/employees?status=EMPLOYEE_STATUS_RETIRED&query=binh",
            &head,
        )
        .await;
    assert_eq!(names(&r.json()), vec!["Lê Thị Bình"]);

    // Import two more people from the template layout, checked first, then committed.
    let r = p
        .get("/api/v1/personnel/employees:import-template", &clerk)
        .await;
    assert_eq!(r.status, 200);
    let headings = xlsx::read_first_sheet(&r.body, &WORKBOOK_LIMITS).expect("template")[0].clone();
    let cell = |h: &str, v: &str| (h.to_string(), v.to_string());
    let rows = [
        vec![
            cell("Họ và tên", "Võ Thị Nhập"),
            cell("Ngày sinh", "12/12/1995"),
            cell("Giới tính", "Nữ"),
            cell("Loại", "Viên chức"),
            cell("Số CCCD", "087195000777"),
        ],
        vec![
            cell("Họ và tên", "Huỳnh Văn Nhập"),
            cell("Ngày sinh", "01/01/1994"),
            cell("Giới tính", "Nam"),
            cell("Loại", "Công chức"),
            cell("Dân tộc", "Khơ-me"),
        ],
    ];
    let sheet = xlsx::Sheet {
        name: "Hồ sơ".into(),
        title: None,
        headers: headings.clone(),
        rows: rows
            .iter()
            .map(|r| {
                headings
                    .iter()
                    .map(|h| {
                        r.iter()
                            .find(|(k, _)| k == h)
                            .map_or(xlsx::Cell::Empty, |(_, v)| xlsx::Cell::from(v.as_str()))
                    })
                    .collect()
            })
            .collect(),
    };
    let file = xlsx::write(&[sheet]).expect("file");
    let path = format!("/api/v1/personnel/employees:import?unitId={cao_lanh}");
    let r = p
        .upload(&clerk, &path, "ho-so.xlsx", xlsx::CONTENT_TYPE, &file)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let report = r.json();
    assert_eq!(report["newRecords"], 2);
    let validation_id = str_of(&report, "validationId").to_string();
    let r = p
        .upload(
            &other_clerk,
            &format!("{path}&commit=true&validationId={validation_id}"),
            "ho-so.xlsx",
            xlsx::CONTENT_TYPE,
            &file,
        )
        .await;
    assert_problem(&r, 403, "PERMISSION_DENIED");
    let r = p
        .upload(
            &clerk,
            &format!("{path}&commit=true&validationId={validation_id}"),
            "ho-so.xlsx",
            xlsx::CONTENT_TYPE,
            &file,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["committed"], true);

    // Statistics of the district (BM02), for the head and the leader, not the other district.
    let stats = format!("/api/v1/personnel/statistics?unitId={cao_lanh}");
    let r = p.get(&stats, &head).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let table = r.json();
    let total = table["columns"]
        .as_array()
        .and_then(|c| c.iter().position(|c| c["key"] == "total"))
        .expect("total column");
    assert_eq!(
        table["units"][0]["subtree"][total], 2,
        "the two imported; An moved, Bình retired"
    );
    assert_eq!(p.get(&stats, &leader).await.status, 200);
    assert_problem(&p.get(&stats, &other_clerk).await, 403, "PERMISSION_DENIED");

    // The exports open as spreadsheets with Vietnamese text.
    let r = p
        .get(
            &format!("/api/v1/personnel/statistics:export?unitId={cao_lanh}"),
            &head,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let sheet = xlsx::read_first_sheet(&r.body, &WORKBOOK_LIMITS).expect("statistics workbook");
    assert_eq!(sheet[3][0], "Huyện Cao Lãnh");
    let r = p
        .get(
            "/api/v1/personnel/employees:export?columns=stt&columns=full_name&columns=ethnicity&columns=kind",
            &leader,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let rows = xlsx::read_first_sheet(&r.body, &WORKBOOK_LIMITS).expect("export workbook");
    assert_eq!(rows[2], vec!["STT", "Họ và tên", "Dân tộc", "Loại"]);
    assert!(
        rows.iter()
            .any(|r| r[1] == "Huỳnh Văn Nhập" && r[2] == "Khơ-me" && r[3] == "Công chức"),
        "{rows:?}"
    );
    assert_eq!(
        rows.len(),
        3 + 5,
        "every record in the province, the ended one too"
    );
}
