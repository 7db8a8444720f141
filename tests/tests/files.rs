//! Files through the gateway: a CSV account import uploaded as multipart (streamed to the
//! client-streaming RPC) and the audit export downloaded as a chunked CSV (from the
//! server-streaming RPC). A bad file creates nothing; a file over the limit is refused.

use serde_json::Value;
use tinhso_e2e::{Platform, assert_problem, str_of};
use tinhso_testkit::http::{HttpResponse, request};

async fn upload(
    p: &Platform,
    token: &str,
    path: &str,
    filename: &str,
    content: &[u8],
) -> HttpResponse {
    p.upload(token, path, filename, "text/csv", content).await
}

async fn usernames(p: &Platform, token: &str) -> Vec<String> {
    let r = p.get("/api/v1/accounts?pageSize=100", token).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let mut names: Vec<String> = r.json()["accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["username"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

async fn unit(p: &Platform, token: &str, code: &str, name: &str) -> Value {
    let r = p
        .post(
            "/api/v1/units",
            token,
            serde_json::json!({"code": code, "name": name, "kind": "UNIT_KIND_COMMUNE", "parentId": p.root_unit_id}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn a_province_imports_accounts_from_a_spreadsheet() {
    let p = Platform::start().await;
    let admin = p.admin().await;
    unit(&p, &admin, "XA-MH", "Xã Mỹ Hiệp").await;
    unit(&p, &admin, "XA-BH", "Xã Bình Hàng").await;
    let before = usernames(&p, &admin).await;

    // Excel in a Vietnamese locale: BOM, semicolons, Vietnamese headers.
    let good = "\u{feff}Tên đăng nhập;Họ tên;Mã đơn vị;Email;Chức vụ\r\n\
                cb.an;Nguyễn Văn An;XA-MH;an@myhiep.gov.vn;Công chức tư pháp\r\n\
                cb.binh;Trần Thị Bình;XA-BH;;\"Chủ tịch; UBND\"\r\n";

    // A dry run checks everything and creates nothing.
    let r = upload(
        &p,
        &admin,
        "/api/v1/accounts:import?validateOnly=true",
        "ds.csv",
        good.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["rowCount"], 2);
    assert_eq!(r.json()["accounts"].as_array().map(Vec::len), Some(0));
    assert_eq!(usernames(&p, &admin).await, before);

    // One bad file: every error is reported, nothing is created.
    let bad = "ten_dang_nhap,ho_ten,ma_don_vi,email\n\
               cb.chi,Lê Chí,XA-MH,not-an-email\n\
               cb.chi,Lê Chí Hai,XA-MH,\n\
               x,,XA-BH,\n";
    let r = upload(
        &p,
        &admin,
        "/api/v1/accounts:import",
        "loi.csv",
        bad.as_bytes(),
    )
    .await;
    let problem = assert_problem(&r, 400, "IMPORT_INVALID");
    let fields: Vec<&str> = problem["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["field"].as_str())
        .collect();
    assert!(fields.contains(&"rows[2].email"), "{fields:?}");
    assert!(
        fields.contains(&"rows[3].username"),
        "duplicate in file: {fields:?}"
    );
    assert!(
        fields.contains(&"rows[4].username") && fields.contains(&"rows[4].fullName"),
        "{fields:?}"
    );
    let r = upload(
        &p,
        &admin,
        "/api/v1/accounts:import",
        "don-vi-sai.csv",
        b"ten_dang_nhap,ho_ten,ma_don_vi\ncb.dung,Phan Dung,KHONG-CO\n",
    )
    .await;
    let problem = assert_problem(&r, 404, "NOT_FOUND");
    assert_eq!(problem["violations"][0]["field"], "rows[2].unitCode");
    assert_eq!(usernames(&p, &admin).await, before, "nothing was created");

    // The good file: accounts with one-time passwords that work.
    let r = upload(
        &p,
        &admin,
        "/api/v1/accounts:import",
        "ds.csv",
        good.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let created = r.json();
    let accounts = created["accounts"].as_array().cloned().unwrap_or_default();
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[1]["account"]["position"], "Chủ tịch; UBND");
    let an = accounts
        .iter()
        .find(|a| a["account"]["username"] == "cb.an")
        .expect("cb.an");
    let token = p
        .first_login(
            "cb.an",
            str_of(an, "initialPassword"),
            "Mỹ Hiệp quê tôi 2026",
        )
        .await;
    assert!(!token.is_empty());
    // Importing the same people again is refused as a whole.
    let r = upload(
        &p,
        &admin,
        "/api/v1/accounts:import",
        "ds.csv",
        good.as_bytes(),
    )
    .await;
    assert_problem(&r, 409, "USERNAME_TAKEN");
}

#[tokio::test]
async fn uploads_over_the_limit_and_without_permission_are_refused() {
    let p = Platform::start_with(&[("TINHSO_MAX_UPLOAD_BYTES", "2048")]).await;
    let admin = p.admin().await;
    unit(&p, &admin, "XA-MH", "Xã Mỹ Hiệp").await;
    let before = usernames(&p, &admin).await;
    let mut big = String::from("ten_dang_nhap,ho_ten,ma_don_vi\n");
    for i in 0..200 {
        big.push_str(&format!("cb.so{i},Cán bộ số {i},XA-MH\n"));
    }
    let r = upload(
        &p,
        &admin,
        "/api/v1/accounts:import",
        "lon.csv",
        big.as_bytes(),
    )
    .await;
    assert_problem(&r, 413, "PAYLOAD_TOO_LARGE");
    assert_eq!(
        usernames(&p, &admin).await,
        before,
        "an interrupted upload creates nothing"
    );

    let r = request(
        p.http,
        "POST",
        "/api/v1/accounts:import",
        &[("Content-Type", "multipart/form-data; boundary=x")],
        Some(b"--x\r\n\r\nten_dang_nhap,ho_ten,ma_don_vi\n\r\n--x--\r\n"),
    )
    .await;
    assert_problem(&r, 401, "MISSING_TOKEN");
}

#[tokio::test]
async fn the_audit_trail_downloads_as_csv_within_scope() {
    let p = Platform::start().await;
    let admin = p.admin().await;
    let commune = unit(&p, &admin, "XA-MH", "Xã Mỹ Hiệp").await;
    let auth = format!("Bearer {admin}");
    let r = request(
        p.http,
        "GET",
        "/api/v1/audit-events:export?action=unit.created",
        &[("Authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    let disposition = r.header("content-disposition").expect("attachment");
    assert!(
        disposition.starts_with("attachment; filename=\"nhat-ky-he-thong-"),
        "{disposition}"
    );
    let text = r.text();
    assert!(text.starts_with('\u{feff}'), "BOM for Excel");
    let rows = tinhso_platform::csv::parse(&text).expect("valid CSV");
    assert_eq!(rows[0][0], "ma");
    assert_eq!(
        rows.len(),
        2,
        "header and the one unit.created event: {rows:?}"
    );
    assert_eq!(rows[1][3], "unit.created");
    assert_eq!(rows[1][6], str_of(&commune, "path"));

    // Someone without the audit permission gets a problem, not a file.
    let r = p
        .post(
            "/api/v1/accounts",
            &admin,
            serde_json::json!({"username": "nv.xem", "fullName": "Nhân viên", "unitId": commune["id"]}),
        )
        .await;
    let one_time = str_of(&r.json(), "initialPassword").to_string();
    let clerk = p
        .first_login("nv.xem", &one_time, "Mỹ Hiệp quê tôi 2026")
        .await;
    let auth = format!("Bearer {clerk}");
    let r = request(
        p.http,
        "GET",
        "/api/v1/audit-events:export",
        &[("Authorization", &auth)],
        None,
    )
    .await;
    assert_problem(&r, 403, "PERMISSION_DENIED");
}
