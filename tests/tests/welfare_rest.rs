//! Welfare over REST, end to end through the gateway: a commune clerk enters a person and
//! enrols her in the monthly social allowance, the district's Labour office verifies, the month's
//! entitlement follows NĐ 20/2021's coefficient on NĐ 76/2024's base level; another district's
//! clerk is refused; bad input is a problem naming its field.

use serde_json::json;
use tinhso_e2e::{Platform, assert_problem, str_of};

#[tokio::test]
async fn a_commune_enrols_a_person_and_the_district_verifies_over_rest() {
    let p = Platform::start().await;
    let admin = p.admin().await;
    let unit = |code: &str, kind: &str, parent: &str| json!({"code": code, "name": format!("Đơn vị {code}"), "kind": kind, "parentId": parent});
    let r = p
        .post(
            "/api/v1/units",
            &admin,
            unit("HMD", "UNIT_KIND_DISTRICT", &p.root_unit_id),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let district = str_of(&r.json(), "id").to_string();
    let r = p
        .post(
            "/api/v1/units",
            &admin,
            unit("XDP", "UNIT_KIND_COMMUNE", &district),
        )
        .await;
    let commune = str_of(&r.json(), "id").to_string();
    let r = p
        .post(
            "/api/v1/units",
            &admin,
            unit("HBT", "UNIT_KIND_DISTRICT", &p.root_unit_id),
        )
        .await;
    let other = str_of(&r.json(), "id").to_string();
    let clerk = p
        .person(
            &admin,
            "nhaplieu.xdp",
            &commune,
            "data_entry",
            Some(&commune),
            "",
        )
        .await;
    let labour = p
        .person(
            &admin,
            "ldtbxh.hmd",
            &district,
            "welfare_labour_verifier",
            Some(&district),
            "",
        )
        .await;
    let stranger = p
        .person(
            &admin,
            "nhaplieu.hbt",
            &other,
            "data_entry",
            Some(&other),
            "",
        )
        .await;

    // The commune reaches welfare through identity's event; retry until then.
    let person = json!({
        "kind": "BENEFICIARY_KIND_PERSON",
        "fullName": "Đặng Thị Nở",
        "birthDate": {"year": 1941, "month": 2, "day": 14},
        "sex": "female",
        "commune_id": commune,
    });
    let mut created = None;
    for _ in 0..100 {
        let r = p
            .post("/api/v1/welfare/beneficiaries", &clerk, person.clone())
            .await;
        if r.status == 200 {
            created = Some(r.json());
            break;
        }
        assert!(r.status == 404 || r.status == 403, "{}", r.text());
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let created = created.expect("entered once the commune arrived");
    let beneficiary = created["beneficiary"]["id"]
        .as_str()
        .expect("id")
        .to_string();

    let r = p
        .post(
            "/api/v1/welfare/enrolments",
            &clerk,
            json!({"beneficiaryId": beneficiary, "policy": "TCXH", "category": "elderly_80_no_pension",
                   "coefficient": 150, "decisionNumber": "31/QĐ-UBND",
                   "decisionDate": {"year": 2025, "month": 8, "day": 5},
                   "startDate": {"year": 2025, "month": 8, "day": 5}}),
        )
        .await;
    let problem = assert_problem(&r, 400, "NOT_OF_CATEGORY");
    assert_eq!(problem["violations"][0]["field"], "enrolment.coefficient");
    let r = p
        .post(
            "/api/v1/welfare/enrolments",
            &clerk,
            json!({"beneficiaryId": beneficiary, "policy": "TCXH", "category": "elderly_80_no_pension",
                   "decisionNumber": "31/QĐ-UBND",
                   "decisionDate": {"year": 2025, "month": 8, "day": 5},
                   "startDate": {"year": 2025, "month": 8, "day": 5}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let enrolment = r.json();
    let id = str_of(&enrolment, "id").to_string();
    assert_eq!(enrolment["status"], "ENROLMENT_STATUS_PENDING");

    let verify = json!({"version": enrolment["version"], "verified": true});
    let r = p
        .post(
            &format!("/api/v1/welfare/enrolments/{id}:verify"),
            &stranger,
            verify.clone(),
        )
        .await;
    assert_problem(&r, 403, "PERMISSION_DENIED");
    let r = p
        .post(
            &format!("/api/v1/welfare/enrolments/{id}:verify"),
            &labour,
            verify,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["status"], "ENROLMENT_STATUS_ACTIVE");

    // August 2025: 1.0 x 500,000.
    let r = p
        .get(
            &format!("/api/v1/welfare/entitlements?unitId={commune}&policy=TCXH&month=2025-08"),
            &clerk,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let month = r.json();
    assert_eq!(month["lines"][0]["beneficiaryName"], "Đặng Thị Nở");
    assert_eq!(month["lines"][0]["amount"], "500000");
    assert_eq!(month["total"], "500000");
    let r = p
        .get(
            &format!("/api/v1/welfare/entitlements?unitId={commune}&policy=TCXH&month=2025-08"),
            &stranger,
        )
        .await;
    assert_problem(&r, 403, "PERMISSION_DENIED");
    let r = p
        .get(
            "/api/v1/welfare/beneficiaries?query=dang%20thi%20no",
            &clerk,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["beneficiaries"][0]["id"], beneficiary.as_str());
}
