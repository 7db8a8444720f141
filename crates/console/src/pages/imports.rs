//! Importing personnel records from the .xlsx template: upload, a row-by-row report (shown and
//! downloadable), then commit the same file or give up. The console never parses the file: the
//! personnel service checks it (within its own caps); the console only carries the bytes, under
//! a size cap, and keeps them between the check and the commit (see `uploads`).

use crate::uploads::{self, Upload};
use crate::web::unit_choice::UnitChoice;
use crate::web::{Ctx, Errors, Failure, FieldError, Page, download, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::employee_service_client::EmployeeServiceClient;

/// The largest file accepted (the template's 100,000 rows fit well within it).
pub const MAX_UPLOAD_BYTES: usize = 25 * 1024 * 1024;
const PURPOSE: &str = "personnel";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    page: Page,
    units: UnitChoice,
    errors: Errors,
}

pub struct RowProblem {
    pub row: i32,
    pub column: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "import_report.html")]
struct ReportPage {
    page: Page,
    upload_id: String,
    filename: String,
    rows: i32,
    new_records: i32,
    updated_records: i32,
    problems: Vec<RowProblem>,
    more: usize,
    validation_id: String,
    committed: bool,
}

/// Problems shown on the page; the downloadable report has them all.
const SHOWN: usize = 200;

async fn upload_page(ctx: Ctx, wanted_unit: &str, errors: Errors, status: StatusCode) -> Response {
    let units = match UnitChoice::of(&ctx, "personnel.record.write", wanted_unit).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    let body = ImportPage {
        page: ctx.page.crumbs(&[
            (Some("/ho-so"), "Hồ sơ cán bộ", "Personnel records"),
            (None, "Nhập từ tệp Excel", "Import from Excel"),
        ]),
        units,
        errors,
    };
    (status, render(&body)).into_response()
}

pub async fn form(ctx: Ctx) -> Response {
    upload_page(ctx, "", Errors::default(), StatusCode::OK).await
}

pub async fn template(ctx: Ctx) -> Response {
    match EmployeeServiceClient::new(ctx.console.personnel.clone())
        .get_import_template(ctx.request(pb::GetImportTemplateRequest {}))
        .await
    {
        Ok(r) => download(r.into_inner(), "mau-nhap-ho-so.xlsx", &ctx.page).await,
        Err(s) => Failure::of(&s, ctx.page.lang).page(&ctx.page),
    }
}

/// Sends the file to the personnel service: a check, or (with `validation_id`) the commit.
async fn send(
    ctx: &Ctx,
    upload: &Upload,
    validation_id: Option<&str>,
) -> Result<pb::ImportEmployeesResponse, tonic::Status> {
    let chunks = tinhso_platform::xlsx::chunks(&upload.filename, XLSX, &upload.content);
    let mut messages: Vec<pb::ImportEmployeesRequest> = chunks
        .into_iter()
        .map(|file| pb::ImportEmployeesRequest {
            file: Some(file),
            ..Default::default()
        })
        .collect();
    if let Some(first) = messages.first_mut() {
        first.unit_id = upload.unit_id.clone();
        first.commit = validation_id.is_some();
        first.validation_id = validation_id.unwrap_or_default().to_string();
    }
    EmployeeServiceClient::new(ctx.console.personnel.clone())
        .import_employees(ctx.request(futures_util::stream::iter(messages)))
        .await
        .map(tonic::Response::into_inner)
}

fn report(ctx: Ctx, upload: &Upload, r: pb::ImportEmployeesResponse) -> Response {
    let more = r.errors.len().saturating_sub(SHOWN);
    let status = if r.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = ReportPage {
        page: ctx.page.crumbs(&[
            (Some("/ho-so"), "Hồ sơ cán bộ", "Personnel records"),
            (
                Some("/ho-so/nhap"),
                "Nhập từ tệp Excel",
                "Import from Excel",
            ),
            (None, "Kết quả kiểm tra", "Check report"),
        ]),
        upload_id: upload.id.clone(),
        filename: upload.filename.clone(),
        rows: r.row_count,
        new_records: r.new_records,
        updated_records: r.updated_records,
        problems: r
            .errors
            .into_iter()
            .take(SHOWN)
            .map(|e| RowProblem {
                row: e.row,
                column: e.column,
                message: e.message,
            })
            .collect(),
        more,
        validation_id: r.validation_id,
        committed: r.committed,
    };
    (status, render(&body)).into_response()
}

fn file_problem(page: &Page, vi: &str, en: &str) -> Errors {
    Errors(vec![FieldError {
        field: "file".into(),
        message: page.t(vi, en).to_string(),
    }])
}

/// Reads the multipart upload: the unit and the file, the file's bytes capped.
pub(crate) async fn read_upload(
    request: Request,
    page: &Page,
) -> Result<(String, String, Vec<u8>), Errors> {
    let boundary = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|t| multer::parse_boundary(t).ok())
        .ok_or_else(|| {
            file_problem(
                page,
                "Hãy chọn tệp Excel để tải lên.",
                "Choose an Excel file to upload.",
            )
        })?;
    let broken = || {
        file_problem(
            page,
            "Tệp tải lên bị gián đoạn hoặc không hợp lệ. Hãy thử lại.",
            "The upload was cut off or is malformed. Try again.",
        )
    };
    let mut multipart = multer::Multipart::new(request.into_body().into_data_stream(), boundary);
    let (mut unit_id, mut filename, mut bytes) = (String::new(), String::new(), Vec::new());
    while let Some(mut field) = multipart.next_field().await.map_err(|_| broken())? {
        match field.name() {
            // The unit switcher's field (`don_vi`), or `unit_id` from a script.
            Some("unit_id" | "don_vi") => {
                unit_id = field.text().await.map_err(|_| broken())?;
                unit_id.truncate(64);
            }
            Some("file") => {
                filename = field
                    .file_name()
                    .unwrap_or_default()
                    .chars()
                    .take(200)
                    .collect();
                while let Some(piece) = field.chunk().await.map_err(|_| broken())? {
                    if bytes.len() + piece.len() > MAX_UPLOAD_BYTES {
                        return Err(file_problem(
                            page,
                            "Tệp lớn hơn 25 MB. Hãy chia thành nhiều tệp nhỏ hơn.",
                            "The file is over 25 MB. Split it into smaller files.",
                        ));
                    }
                    bytes.extend_from_slice(&piece);
                }
            }
            _ => {}
        }
    }
    if bytes.is_empty() {
        return Err(file_problem(
            page,
            "Hãy chọn tệp Excel để tải lên.",
            "Choose an Excel file to upload.",
        ));
    }
    Ok((unit_id, filename, bytes))
}

pub async fn check(ctx: Ctx, request: Request) -> Response {
    let (unit_id, filename, content) = match read_upload(request, &ctx.page).await {
        Ok(read) => read,
        Err(errors) => return upload_page(ctx, "", errors, StatusCode::BAD_REQUEST).await,
    };
    let upload = Upload {
        id: uuid::Uuid::new_v4().to_string(),
        purpose: PURPOSE.into(),
        filename,
        unit_id,
        content,
    };
    let reply = match send(&ctx, &upload, None).await {
        Ok(r) => r,
        Err(status) => {
            let unit = upload.unit_id.clone();
            return match Failure::of(&status, ctx.page.lang) {
                Failure::Fields(mut errors) => {
                    for e in &mut errors {
                        if e.field != "unit_id" {
                            e.field = "file".into();
                        }
                    }
                    upload_page(ctx, &unit, Errors(errors), StatusCode::BAD_REQUEST).await
                }
                other => other.page(&ctx.page),
            };
        }
    };
    // Kept for the commit, or for the downloadable report of a file with problems.
    let now = ctx.console.clock.now_ms();
    if let Err(e) = uploads::save(&ctx.console.db, &ctx.session.id, &upload, now).await {
        tracing::error!(error = %e, "cannot keep the upload");
        return crate::web::unavailable(&ctx.page);
    }
    report(ctx, &upload, reply)
}

#[derive(Deserialize)]
pub struct CommitForm {
    #[serde(default)]
    validation_id: String,
}

pub async fn commit(
    ctx: Ctx,
    Path(upload_id): Path<String>,
    Form(f): Form<CommitForm>,
) -> Response {
    let now = ctx.console.clock.now_ms();
    let upload = match uploads::find(&ctx.console.db, &ctx.session.id, &upload_id, PURPOSE, now)
        .await
    {
        Ok(Some(u)) => u,
        Ok(None) => {
            return Failure::NotFound(
                    ctx.page
                        .t(
                            "Tệp đã kiểm tra không còn (quá 1 giờ hoặc đã ghi). Hãy tải lên lại.",
                            "The checked file is gone (over an hour, or already written). Upload it again.",
                        )
                        .to_string(),
                )
                .page(&ctx.page);
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot read the upload");
            return crate::web::unavailable(&ctx.page);
        }
    };
    match send(&ctx, &upload, Some(&f.validation_id)).await {
        Ok(reply) => {
            if let Err(e) = uploads::delete(&ctx.console.db, &upload.id).await {
                tracing::warn!(error = %e, "cannot clear a committed upload");
            }
            report(ctx, &upload, reply)
        }
        Err(status) => Failure::of(&status, ctx.page.lang).page(&ctx.page),
    }
}

/// The row report as a workbook: every problem, to fix the file row by row.
pub async fn report_file(ctx: Ctx, Path(upload_id): Path<String>) -> Response {
    let now = ctx.console.clock.now_ms();
    let upload =
        match uploads::find(&ctx.console.db, &ctx.session.id, &upload_id, PURPOSE, now).await {
            Ok(Some(u)) => u,
            Ok(None) => return Failure::NotFound(String::new()).page(&ctx.page),
            Err(_) => return crate::web::unavailable(&ctx.page),
        };
    let reply = match send(&ctx, &upload, None).await {
        Ok(r) => r,
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let sheet = tinhso_platform::xlsx::Sheet {
        name: "Kết quả kiểm tra".into(),
        title: Some(format!("Kết quả kiểm tra tệp {}", upload.filename)),
        headers: vec![
            "Dòng".into(),
            "Cột".into(),
            "Mã lỗi".into(),
            "Nội dung".into(),
        ],
        rows: reply
            .errors
            .into_iter()
            .map(|e| {
                vec![
                    tinhso_platform::xlsx::Cell::Int(i64::from(e.row)),
                    e.column.as_str().into(),
                    e.code.as_str().into(),
                    e.message.as_str().into(),
                ]
            })
            .collect(),
    };
    match tinhso_platform::xlsx::write(&[sheet]) {
        Ok(bytes) => {
            let chunks = tinhso_platform::xlsx::chunks("ket-qua-kiem-tra.xlsx", XLSX, &bytes);
            let stream = futures_util::stream::iter(chunks.into_iter().map(Ok));
            download(stream, "ket-qua-kiem-tra.xlsx", &ctx.page).await
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot write the report");
            crate::web::unavailable(&ctx.page)
        }
    }
}
