//! The .xlsx import of records through gRPC: the template, the row-by-row check that writes
//! nothing, and the commit of the checked file.

mod common;

use common::*;
use tinhso_platform::xlsx::{self, Cell};
use tinhso_proto::common::v1::FileChunk;
use tinhso_proto::personnel::v1 as pb;
use tinhso_testkit::authed;
use tonic::Code;

/// A workbook with the template's headings and these rows (cells by heading).
fn workbook(headings: &[String], rows: &[Vec<(&str, &str)>]) -> Vec<u8> {
    let sheet = xlsx::Sheet {
        name: "Hồ sơ".into(),
        title: None,
        headers: headings.to_vec(),
        rows: rows
            .iter()
            .map(|cells| {
                headings
                    .iter()
                    .map(|h| {
                        cells
                            .iter()
                            .find(|(k, _)| k == h)
                            .map_or(Cell::Empty, |(_, v)| Cell::from(*v))
                    })
                    .collect()
            })
            .collect(),
    };
    xlsx::write(&[sheet]).expect("xlsx")
}

#[tokio::test]
async fn an_import_is_checked_row_by_row_and_written_only_when_committed() {
    let h = start().await;
    let admin = h.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
    let districts = h.two_districts(&admin, ["HIM", "HIO"]).await;
    let (district, other) = (districts.ours, districts.theirs);
    let (clerk, stranger) = (districts.clerk.token, districts.stranger.token);
    let existing = h
        .employees()
        .create_employee(authed(
            &clerk,
            pb::CreateEmployeeRequest {
                employee: Some(pb::Employee {
                    unit_id: district.id.clone(),
                    kind: pb::EmployeeKind::CivilServant as i32,
                    full_name: "Đoàn Thị Cũ".into(),
                    birth_date: date(1979, 3, 8),
                    sex: pb::Sex::Female as i32,
                    id_number: "087179000111".into(),
                    position: "Chuyên viên".into(),
                    ..Default::default()
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect("existing record")
        .into_inner();

    // The template.
    let mut stream = h
        .employees()
        .get_import_template(authed(&clerk, pb::GetImportTemplateRequest {}))
        .await
        .expect("template")
        .into_inner();
    let mut template = Vec::new();
    while let Some(chunk) = stream.message().await.expect("chunk") {
        template.extend(chunk.data);
    }
    let headings = read_sheet(&template)[0].clone();
    assert_eq!(&headings[..3], &["Họ và tên", "Ngày sinh", "Giới tính"]);

    let new_row = vec![
        ("Họ và tên", "Lê Văn Một"),
        ("Ngày sinh", "01/02/1980"),
        ("Giới tính", "Nam"),
        ("Số CCCD", "087080000001"),
        ("Loại", "Công chức"),
        ("Dân tộc", "Khơ-me"),
        ("Trình độ chuyên môn", "Đại học"),
        ("Mã ngạch", "01.003"),
        ("Bậc lương", "2"),
        ("Ngày hưởng bậc", "2024-01-01"),
        ("Ngày tuyển dụng", "01/09/2010"),
    ];
    let update_row = vec![
        ("Họ và tên", "Đoàn Thị Cũ"),
        ("Ngày sinh", "08/03/1979"),
        ("Giới tính", "Nữ"),
        ("Số CCCD", "087179000111"),
        ("Loại", "Công chức"),
        ("Chức vụ", "Phó trưởng phòng"),
    ];
    let bad_row = vec![
        ("Ngày sinh", "31/02/1990"),
        ("Giới tính", "X"),
        ("Loại", "Thợ cả"),
        ("Dân tộc", "Sao Hỏa"),
        ("Mã ngạch", "01.003"),
        ("Bậc lương", "2"),
        ("Hệ số lương", "9,99"),
    ];
    let import = |token: &str, unit: &str, bytes: Vec<u8>, commit: bool, validation_id: &str| {
        let (h, token) = (&h, token.to_string());
        let message = pb::ImportEmployeesRequest {
            unit_id: unit.to_string(),
            commit,
            validation_id: validation_id.to_string(),
            file: Some(FileChunk {
                filename: "ho-so.xlsx".into(),
                content_type: xlsx::CONTENT_TYPE.into(),
                data: bytes,
            }),
        };
        async move {
            h.employees()
                .import_employees(authed(&token, tokio_stream::iter(vec![message])))
                .await
                .map(tonic::Response::into_inner)
        }
    };
    // The template uploaded unchanged imports nothing; an import names its unit.
    let empty = import(&clerk, &district.id, template.clone(), false, "")
        .await
        .expect("a report");
    assert_eq!(empty.errors[0].code, "NO_ROWS");
    assert!(empty.validation_id.is_empty());
    let no_unit = import(&clerk, "", template.clone(), false, "")
        .await
        .expect_err("no unit");
    assert_eq!(fields_of(&no_unit), vec!["unit_id"]);
    // A sheet wider than the import's 100 columns is refused whole, naming the limit.
    let mut wide_headings = headings.clone();
    wide_headings.extend((wide_headings.len()..=100).map(|i| format!("Cột thêm {i}")));
    let wide = import(
        &clerk,
        &district.id,
        workbook(&wide_headings, std::slice::from_ref(&new_row)),
        false,
        "",
    )
    .await
    .expect_err("too wide");
    assert_eq!(wide.code(), Code::InvalidArgument);
    assert_eq!(code_of(&wide), "FILE_TOO_LARGE");
    assert_eq!(fields_of(&wide), vec!["file"]);
    assert!(wide.message().contains("100 cột"), "{}", wide.message());
    let dirty = workbook(&headings, &[new_row.clone(), update_row.clone(), bad_row]);
    let report = import(&clerk, &district.id, dirty.clone(), false, "")
        .await
        .expect("a report");
    assert!(
        report.validation_id.is_empty(),
        "no validation id for a faulty file"
    );
    assert_eq!(
        (report.row_count, report.new_records, report.updated_records),
        (3, 1, 1)
    );
    let mut faults: Vec<(i32, String, String)> = report
        .errors
        .iter()
        .map(|e| (e.row, e.column.clone(), e.code.clone()))
        .collect();
    faults.sort();
    let expect = |column: &str, code: &str| (4, column.to_string(), code.to_string());
    let mut wanted = vec![
        expect("Dân tộc", "UNKNOWN_CODE"),
        expect("Giới tính", "BAD_SEX"),
        expect("Hệ số lương", "COEFFICIENT_MISMATCH"),
        expect("Họ và tên", "REQUIRED"),
        expect("Loại", "BAD_KIND"),
        expect("Ngày sinh", "BAD_DATE"),
    ];
    wanted.sort();
    for w in &wanted {
        assert!(faults.contains(w), "{w:?} in {faults:?}");
    }
    assert!(report.errors.iter().all(|e| !e.message.is_empty()));
    let commit_dirty = import(&clerk, &district.id, dirty, true, "whatever")
        .await
        .expect_err("a faulty file is not written");
    assert_eq!(commit_dirty.code(), Code::FailedPrecondition);
    let count = |token: &str| {
        let (h, token) = (&h, token.to_string());
        async move {
            h.employees()
                .list_employees(authed(&token, pb::ListEmployeesRequest::default()))
                .await
                .expect("list")
                .into_inner()
                .employees
                .len()
        }
    };
    assert_eq!(count(&clerk).await, 1, "nothing written");

    // The clean file: checked, then committed with its validation id.
    let clean = workbook(&headings, &[new_row, update_row]);
    let checked = import(&clerk, &district.id, clean.clone(), false, "")
        .await
        .expect("clean report");
    assert!(checked.errors.is_empty(), "{:?}", checked.errors);
    assert!(!checked.validation_id.is_empty());
    assert_eq!(count(&clerk).await, 1, "checking writes nothing");
    let wrong = import(&clerk, &district.id, clean.clone(), true, "0000")
        .await
        .expect_err("another file's id");
    assert_eq!(wrong.code(), Code::FailedPrecondition);
    let done = import(&clerk, &district.id, clean, true, &checked.validation_id)
        .await
        .expect("committed");
    assert!(done.committed);
    let all = h
        .employees()
        .list_employees(authed(&clerk, pb::ListEmployeesRequest::default()))
        .await
        .expect("list")
        .into_inner()
        .employees;
    assert_eq!(all.len(), 2);
    let mot = all
        .iter()
        .find(|e| e.full_name == "Lê Văn Một")
        .expect("new record");
    assert_eq!(
        (mot.ethnicity.as_str(), mot.degree.as_str()),
        ("05", "bachelor")
    );
    assert_eq!((mot.step, mot.coefficient), (2, 267));
    // Loaded by the import with a recruitment date of 2010 and no decision date: an initial
    // migration of someone long in service, not a hire sixteen years late.
    assert!(mot.initial_entry);
    let compliance = h
        .employees()
        .get_compliance(authed(
            &clerk,
            pb::GetComplianceRequest {
                unit_id: district.id.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect("compliance")
        .into_inner();
    assert!(
        !compliance
            .late_entries
            .iter()
            .any(|e| e.employee_name == "Lê Văn Một"),
        "{:?}",
        compliance.late_entries
    );
    let cu = all
        .iter()
        .find(|e| e.id == existing.id)
        .expect("updated record");
    assert_eq!(cu.position, "Phó trưởng phòng");

    // Another district may neither import into this one nor touch its records by ID number.
    let denied = import(&stranger, &district.id, template.clone(), false, "")
        .await
        .expect_err("another district's unit");
    assert_eq!(denied.code(), Code::PermissionDenied);
    let theirs = workbook(
        &headings,
        &[vec![
            ("Họ và tên", "Đoàn Thị Cũ"),
            ("Ngày sinh", "08/03/1979"),
            ("Giới tính", "Nữ"),
            ("Số CCCD", "087179000111"),
            ("Loại", "Công chức"),
        ]],
    );
    let report = import(&stranger, &other.id, theirs, false, "")
        .await
        .expect("report");
    assert_eq!(report.errors[0].code, "RECORD_OUT_OF_SCOPE");
    let not_xlsx = import(
        &clerk,
        &district.id,
        b"ho_ten;ngay_sinh".to_vec(),
        false,
        "",
    )
    .await
    .expect_err("not a spreadsheet");
    assert_eq!(fields_of(&not_xlsx), vec!["file"]);
}
