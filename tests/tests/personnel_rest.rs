//! Personnel records over REST, as a unit's data-entry clerk would keep them: the unit comes
//! from identity, the record is entered, found by a name typed without diacritics, corrected.

use serde_json::json;
use tinhso_e2e::{Platform, assert_problem, str_of};

#[tokio::test]
async fn a_record_is_entered_found_and_corrected_over_rest() {
    let p = Platform::start().await;
    let admin = p.admin().await;
    let r = p
        .post(
            "/api/v1/units",
            &admin,
            json!({"code": "SYT", "name": "Sở Y tế", "kind": "UNIT_KIND_DEPARTMENT", "parentId": p.root_unit_id}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let unit_id = str_of(&r.json(), "id").to_string();

    // The unit reaches personnel through identity's event; the create is idempotent by
    // request id, so it can be retried until then.
    let record = json!({
        "unitId": unit_id,
        "kind": "EMPLOYEE_KIND_PUBLIC_EMPLOYEE",
        "fullName": "Trần Thị Bích Ngọc",
        "birthDate": {"year": 1990, "month": 9, "day": 2},
        "sex": "SEX_FEMALE",
        "department": "Phòng Nghiệp vụ Y",
        "idNumber": "087190004321",
    });
    let mut created = None;
    for _ in 0..100 {
        let r = p
            .post(
                "/api/v1/personnel/employees?requestId=hs-ngoc",
                &admin,
                record.clone(),
            )
            .await;
        if r.status == 200 {
            created = Some(r.json());
            break;
        }
        assert_problem(&r, 404, "NOT_FOUND");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let created = created.expect("the record was created once the unit arrived");
    let id = str_of(&created, "id").to_string();
    assert_eq!(created["status"], "EMPLOYEE_STATUS_WORKING");
    assert_eq!(
        created["birthDate"],
        json!({"year": 1990, "month": 9, "day": 2})
    );

    let r = p
        .get("/api/v1/personnel/employees?query=bich%20ngoc", &admin)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["employees"][0]["id"], id.as_str());

    // A new position is dated by its appointment decision (the 15-day entry rule runs from it).
    let r = p
        .call(
            "PATCH",
            &format!("/api/v1/personnel/employees/{id}"),
            Some(&admin),
            Some(&json!({"position": "Trưởng khoa", "etag": created["etag"]})),
        )
        .await;
    assert_problem(&r, 400, "REQUIRED");
    assert!(r.text().contains("effective"), "{}", r.text());
    let r = p
        .call(
            "PATCH",
            &format!("/api/v1/personnel/employees/{id}"),
            Some(&admin),
            Some(&json!({
                "position": "Trưởng khoa",
                "effectiveDate": {"year": 2026, "month": 11, "day": 2},
                "etag": created["etag"],
            })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["position"], "Trưởng khoa");

    let r = p
        .post(
            "/api/v1/personnel/employees",
            &admin,
            json!({"unitId": unit_id, "fullName": "", "idNumber": "123"}),
        )
        .await;
    let problem = assert_problem(&r, 400, "REQUIRED");
    let fields: Vec<&str> = problem["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["field"].as_str())
        .collect();
    assert!(
        fields.contains(&"employee.fullName") && fields.contains(&"employee.idNumber"),
        "{fields:?}"
    );
}
