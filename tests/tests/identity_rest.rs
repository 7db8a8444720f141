//! The identity scenario through the REST gateway, as a new province would run it: first login
//! and forced password change, the unit tree, a district unit admin who then manages accounts
//! only in their district, grants, reorganisation, tokens and the audit trail. Every identity
//! route is called at least once.

use serde_json::{Value, json};
use tinhso_e2e::{NEW_ADMIN_PASSWORD, Platform, assert_problem, str_of};
use tinhso_testkit::http::HttpResponse;

async fn create_unit(
    p: &Platform,
    token: &str,
    code: &str,
    name: &str,
    kind: &str,
    parent: &str,
) -> Value {
    let r = p
        .post(
            "/api/v1/units",
            token,
            json!({"code": code, "name": name, "kind": kind, "parentId": parent}),
        )
        .await;
    assert_eq!(r.status, 200, "create unit {code}: {}", r.text());
    r.json()
}

async fn create_account(p: &Platform, token: &str, username: &str, unit_id: &str) -> HttpResponse {
    p.post(
        "/api/v1/accounts",
        token,
        json!({"username": username, "fullName": format!("Cán bộ {username}"), "unitId": unit_id, "email": format!("{username}@tinh.gov.vn")}),
    )
    .await
}

async fn role_id(p: &Platform, token: &str, code: &str) -> String {
    let r = p.get("/api/v1/roles", token).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .find(|role| role["code"] == code)
        .map(|role| str_of(role, "id").to_string())
        .unwrap_or_else(|| panic!("no role {code}"))
}

#[tokio::test]
async fn a_new_province_sets_up_identity_over_rest() {
    let p = Platform::start().await;

    // The public keys are published for other systems.
    let r = p.call("GET", "/.well-known/jwks.json", None, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["keys"][0]["kty"], "OKP");

    // First login: the one-time password only allows changing it.
    let first = p.login("admin", tinhso_e2e::ADMIN_PASSWORD).await;
    assert_eq!(first["mustChangePassword"], true);
    assert_eq!(first["expiresIn"], 300);
    let must_change = str_of(&first, "accessToken");
    let r = p.get("/api/v1/units", must_change).await;
    assert_problem(&r, 412, "PASSWORD_CHANGE_REQUIRED");
    let r = p
        .post(
            "/api/v1/auth/password",
            must_change,
            json!({"currentPassword": tinhso_e2e::ADMIN_PASSWORD, "newPassword": "admin12345678"}),
        )
        .await;
    let problem = assert_problem(&r, 400, "PASSWORD_CONTAINS_USERNAME");
    assert_eq!(problem["violations"][0]["field"], "newPassword");
    let admin = p.admin().await;

    let me = p.get("/api/v1/me", &admin).await.json();
    assert_eq!(me["account"]["username"], "admin");
    assert_eq!(me["unit"]["id"], p.root_unit_id.as_str());

    // The unit tree.
    let home_affairs = create_unit(
        &p,
        &admin,
        "SNV",
        "Sở Nội vụ",
        "UNIT_KIND_DEPARTMENT",
        &p.root_unit_id,
    )
    .await;
    let district = create_unit(
        &p,
        &admin,
        "HCL",
        "Huyện Cao Lãnh",
        "UNIT_KIND_DISTRICT",
        &p.root_unit_id,
    )
    .await;
    let district_id = str_of(&district, "id").to_string();
    let commune_a = create_unit(
        &p,
        &admin,
        "XA-A",
        "Xã Mỹ Hiệp",
        "UNIT_KIND_COMMUNE",
        &district_id,
    )
    .await;
    let commune_b = create_unit(
        &p,
        &admin,
        "XA-B",
        "Xã Bình Hàng Trung",
        "UNIT_KIND_COMMUNE",
        &district_id,
    )
    .await;
    let r = p
        .get(
            &format!("/api/v1/units/{}", str_of(&commune_a, "id")),
            &admin,
        )
        .await;
    assert_eq!(
        r.json()["path"],
        format!("{}{}/", str_of(&district, "path"), str_of(&commune_a, "id"))
    );
    let r = p
        .get(&format!("/api/v1/units/{district_id}/children"), &admin)
        .await;
    assert_eq!(r.json()["units"].as_array().map(Vec::len), Some(2));
    let r = p
        .get(
            &format!("/api/v1/units?parentId={}&subtree=true", p.root_unit_id),
            &admin,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json()["units"].as_array().map(Vec::len),
        Some(5),
        "the root and its four descendants"
    );

    // Rename with the etag; a stale etag is a conflict and changes nothing.
    let a_id = str_of(&commune_a, "id").to_string();
    let r = p
        .call(
            "PATCH",
            &format!("/api/v1/units/{a_id}"),
            Some(&admin),
            Some(&json!({"name": "Xã Mỹ Hiệp mới", "etag": commune_a["etag"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = p
        .call(
            "PATCH",
            &format!("/api/v1/units/{a_id}"),
            Some(&admin),
            Some(&json!({"name": "Tên khác", "etag": commune_a["etag"]})),
        )
        .await;
    assert_problem(&r, 409, "STALE_ETAG");
    let r = p.get(&format!("/api/v1/units/{a_id}"), &admin).await;
    assert_eq!(r.json()["name"], "Xã Mỹ Hiệp mới");

    // A district unit admin, granted by the system admin.
    let r = create_account(&p, &admin, "qtv.caolanh", &district_id).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let created = r.json();
    let unit_admin_id = str_of(&created["account"], "id").to_string();
    let one_time = str_of(&created, "initialPassword").to_string();
    let r = p
        .post(
            &format!("/api/v1/accounts/{unit_admin_id}/grants"),
            &admin,
            json!({"roleId": role_id(&p, &admin, "unit_admin").await, "scope": "GRANT_SCOPE_UNIT", "scopeUnitId": district_id}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = p
        .get(&format!("/api/v1/accounts/{unit_admin_id}/grants"), &admin)
        .await;
    assert_eq!(r.json()["grants"].as_array().map(Vec::len), Some(1));

    // The unit admin manages accounts in the district only.
    let district_admin = p
        .first_login("qtv.caolanh", &one_time, "Đồng Tháp sen hồng 2026")
        .await;
    let r = create_account(&p, &district_admin, "cb.myhiep", &a_id).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let clerk_id = str_of(&r.json()["account"], "id").to_string();
    let r = create_account(
        &p,
        &district_admin,
        "cb.sonoivu",
        str_of(&home_affairs, "id"),
    )
    .await;
    assert_problem(&r, 403, "PERMISSION_DENIED");
    let r = p
        .get(
            &format!("/api/v1/units/{}", str_of(&home_affairs, "id")),
            &district_admin,
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    let r = p.get("/api/v1/accounts?query=cb", &district_admin).await;
    let listed = r.json();
    let names: Vec<&str> = listed["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .filter_map(|a| a["username"].as_str())
        .collect();
    assert_eq!(names, ["cb.myhiep"], "search stays in the district");
    // ... and cannot hand out a role above their own.
    let r = p
        .post(
            &format!("/api/v1/accounts/{clerk_id}/grants"),
            &district_admin,
            json!({"roleId": role_id(&p, &district_admin, "system_admin").await, "scope": "GRANT_SCOPE_UNIT", "scopeUnitId": a_id}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());

    // Account lifecycle.
    let r = p
        .get(&format!("/api/v1/accounts/{clerk_id}"), &district_admin)
        .await;
    let clerk = r.json();
    let r = p
        .call(
            "PATCH",
            &format!("/api/v1/accounts/{clerk_id}"),
            Some(&district_admin),
            Some(&json!({"position": "Công chức văn phòng", "etag": clerk["etag"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["position"], "Công chức văn phòng");
    for (verb, status) in [
        ("disable", "ACCOUNT_STATUS_DISABLED"),
        ("enable", "ACCOUNT_STATUS_ACTIVE"),
        ("unlock", "ACCOUNT_STATUS_ACTIVE"),
    ] {
        let r = p
            .post(
                &format!("/api/v1/accounts/{clerk_id}:{verb}"),
                &district_admin,
                json!({"reason": "kiểm thử"}),
            )
            .await;
        assert_eq!(r.status, 200, "{verb}: {}", r.text());
        assert_eq!(r.json()["status"], status, "{verb}");
    }
    let r = p
        .post(
            &format!("/api/v1/accounts/{clerk_id}:resetPassword"),
            &district_admin,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(str_of(&r.json(), "initialPassword").len() >= 12);

    // The unit admin reads the audit trail of the district only.
    let r = p
        .get("/api/v1/audit-events?pageSize=200", &district_admin)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let events = r.json()["events"].as_array().cloned().unwrap_or_default();
    assert!(events.iter().any(|e| e["action"] == "account.created"));
    let district_path = str_of(&district, "path");
    assert!(
        events.iter().all(|e| e["unitPath"]
            .as_str()
            .is_some_and(|u| u.starts_with(district_path))),
        "nothing outside the district: {events:?}"
    );

    // Roles, permissions, and taking a grant back (which revokes the holder's tokens).
    let r = p.get("/api/v1/permissions", &admin).await;
    assert!(
        r.json()["permissions"]
            .as_array()
            .is_some_and(|ps| !ps.is_empty())
    );
    let r = p
        .post(
            "/api/v1/roles",
            &admin,
            json!({"code": "audit_reader", "name": "Xem nhật ký", "permissions": ["identity.audit.read"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let grants = p
        .get(&format!("/api/v1/accounts/{unit_admin_id}/grants"), &admin)
        .await
        .json();
    let grant_id = str_of(&grants["grants"][0], "id").to_string();
    let r = p
        .call(
            "DELETE",
            &format!("/api/v1/accounts/{unit_admin_id}/grants/{grant_id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // Reorganisation: move a commune, merge two communes, close the result.
    let b_id = str_of(&commune_b, "id").to_string();
    let hq_id = str_of(&home_affairs, "id").to_string();
    let fresh_b = p.get(&format!("/api/v1/units/{b_id}"), &admin).await.json();
    let r = p
        .post(
            &format!("/api/v1/units/{b_id}:move"),
            &admin,
            json!({"newParentId": hq_id, "etag": fresh_b["etag"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(str_of(&r.json(), "path").starts_with(str_of(&home_affairs, "path")));
    let r = p
        .post(
            &format!("/api/v1/units/{district_id}:move"),
            &admin,
            json!({"newParentId": a_id}),
        )
        .await;
    assert_problem(&r, 412, "UNIT_MOVE_CYCLE");
    let merged = create_unit(
        &p,
        &admin,
        "XA-AB",
        "Xã Mỹ Hiệp - Bình Hàng",
        "UNIT_KIND_COMMUNE",
        &district_id,
    )
    .await;
    let merged_id = str_of(&merged, "id").to_string();
    let r = p
        .post(
            "/api/v1/units:merge",
            &admin,
            json!({"sourceIds": [a_id, b_id], "targetId": merged_id}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let clerk = p
        .get(&format!("/api/v1/accounts/{clerk_id}"), &admin)
        .await
        .json();
    assert_eq!(
        clerk["unitId"],
        merged_id.as_str(),
        "accounts follow the merge"
    );
    let r = p
        .post(&format!("/api/v1/units/{hq_id}:close"), &admin, json!({}))
        .await;
    assert!(r.status == 200 || r.status == 412, "{}", r.text());

    // Tokens: refresh rotates, logout ends the session.
    let tokens = p.login("admin", NEW_ADMIN_PASSWORD).await;
    let r = p
        .call(
            "POST",
            "/api/v1/auth/refresh",
            None,
            Some(&json!({"refreshToken": tokens["refreshToken"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let rotated = r.json();
    let r = p
        .call(
            "POST",
            "/api/v1/auth/logout",
            None,
            Some(&json!({"refreshToken": rotated["refreshToken"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = p
        .call(
            "POST",
            "/api/v1/auth/refresh",
            None,
            Some(&json!({"refreshToken": rotated["refreshToken"]})),
        )
        .await;
    assert_eq!(r.status, 401, "{}", r.text());

    // The audit trail, filtered by action and time.
    let r = p
        .get(
            "/api/v1/audit-events?action=unit.merged&startTime=2020-01-01T00:00:00Z&pageSize=50",
            &admin,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let events = r.json()["events"].as_array().cloned().unwrap_or_default();
    assert_eq!(events.len(), 2, "one entry per merged source");
    assert!(events.iter().all(|e| e["action"] == "unit.merged"));
    // Taking the grant back revoked the unit admin's older tokens at once.
    let r = p.get("/api/v1/audit-events", &district_admin).await;
    assert_problem(&r, 401, "TOKEN_REVOKED");
}

/// `/api/v1/units/{id}:move` -> `/api/v1/units/x:move`.
fn fill_path_params(template: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in template.chars() {
        match c {
            '{' => {
                inside = true;
                out.push('x');
            }
            '}' => inside = false,
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn every_protected_route_refuses_a_missing_or_forged_token() {
    let p = Platform::start().await;
    let doc: Value = serde_json::from_str(p.gateway.openapi()).expect("openapi");
    let forged = "eyJhbGciOiJFZERTQSIsImtpZCI6IngifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            if op["security"] == json!([]) {
                continue;
            }
            let concrete = fill_path_params(path);
            let body = (method != "get" && method != "delete").then(|| json!({}));
            let r = p
                .call(&method.to_uppercase(), &concrete, None, body.as_ref())
                .await;
            assert_problem(&r, 401, "MISSING_TOKEN");
            let r = p
                .call(
                    &method.to_uppercase(),
                    &concrete,
                    Some(forged),
                    body.as_ref(),
                )
                .await;
            assert_problem(&r, 401, "INVALID_TOKEN");
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} protected routes found");
}

#[tokio::test]
async fn request_ids_are_echoed_and_errors_speak_english_when_asked() {
    let p = Platform::start().await;
    let r = tinhso_testkit::http::request(
        p.http,
        "POST",
        "/api/v1/auth/login",
        &[
            ("Content-Type", "application/json"),
            ("Accept-Language", "en-GB,en;q=0.9"),
            ("X-Request-Id", "req-42"),
        ],
        Some(br#"{"username":"admin","password":"wrong password here"}"#),
    )
    .await;
    let doc = assert_problem(&r, 401, "INVALID_CREDENTIALS");
    assert_eq!(r.header("x-request-id"), Some("req-42"));
    assert_eq!(doc["requestId"], "req-42");
    assert_eq!(r.header("content-language"), Some("en"));
    assert!(doc["title"].as_str().is_some_and(|t| t.is_ascii()), "{doc}");

    let r = p.call("GET", "/api/v1/me", None, None).await;
    let generated = r.header("x-request-id").expect("generated id");
    assert!(!generated.is_empty());
    assert_eq!(r.header("content-language"), Some("vi"));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));

    // Both requests are counted by route, method and status, with their latency.
    let metrics = p.metrics.render();
    assert!(
        metrics.contains(
            "tinhso_gateway_requests_total{route=\"/api/v1/auth/login\",method=\"POST\",status=\"401\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains(
        "tinhso_gateway_requests_total{route=\"/api/v1/me\",method=\"GET\",status=\"401\"} 1"
    ));
    assert!(metrics.contains(
        "tinhso_gateway_request_duration_seconds_count{route=\"/api/v1/me\",method=\"GET\"} 1"
    ));
}

#[tokio::test]
async fn cors_is_off_by_default_and_allows_only_configured_origins() {
    let p = Platform::start().await;
    let r = tinhso_testkit::http::request(
        p.http,
        "GET",
        "/.well-known/jwks.json",
        &[("Origin", "https://app.tinh.gov.vn")],
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin"),
        None,
        "off by default"
    );

    let p = Platform::start_with(&[(
        "TINHSO_CORS_ALLOWED_ORIGINS",
        "https://app.tinh.gov.vn, https://dichvucong.tinh.gov.vn",
    )])
    .await;
    let r = tinhso_testkit::http::request(
        p.http,
        "OPTIONS",
        "/api/v1/units",
        &[
            ("Origin", "https://app.tinh.gov.vn"),
            ("Access-Control-Request-Method", "POST"),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://app.tinh.gov.vn")
    );
    assert!(
        r.header("access-control-allow-headers")
            .is_some_and(|h| h.contains("authorization"))
    );
    let r = tinhso_testkit::http::request(
        p.http,
        "GET",
        "/.well-known/jwks.json",
        &[("Origin", "https://evil.example")],
        None,
    )
    .await;
    assert_eq!(
        r.header("access-control-allow-origin"),
        None,
        "other origins get nothing"
    );
}
