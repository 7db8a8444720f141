//! Creating many accounts from a CSV file (identity's ImportAccounts): upload, every row checked
//! with nothing created, the problems listed by row and column, then create them all at once —
//! each new account's one-time password shown on that page only, never stored by the console.

use crate::pages::imports::read_upload;
use crate::uploads::{self, Upload};
use crate::web::{Ctx, Errors, Failure, FieldError, Page, holds, render};
use askama::Template;
use axum::extract::{Path, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tinhso_proto::identity::v1 as pb;
use tinhso_proto::identity::v1::account_service_client::AccountServiceClient;

const PURPOSE: &str = "accounts";

#[derive(Template)]
#[template(path = "account_import.html")]
struct UploadPage {
    page: Page,
    errors: Errors,
}

pub struct RowProblem {
    pub row: String,
    pub column: String,
    pub message: String,
}

pub struct Created {
    pub username: String,
    pub full_name: String,
    pub password: String,
}

#[derive(Template)]
#[template(path = "account_import_report.html")]
struct ReportPage {
    page: Page,
    upload_id: String,
    filename: String,
    rows: i32,
    problems: Vec<RowProblem>,
    created: Vec<Created>,
    committed: bool,
}

fn crumbs(page: Page, last: (&'static str, &'static str)) -> Page {
    page.crumbs(&[
        (Some("/tai-khoan"), "Tài khoản", "Accounts"),
        (None, last.0, last.1),
    ])
}

fn upload_page(ctx: Ctx, errors: Errors, status: StatusCode) -> Response {
    if !holds(&ctx.principal, "identity.account.create") {
        return Failure::Denied(String::new()).page(&ctx.page);
    }
    let body = UploadPage {
        page: crumbs(ctx.page, ("Tạo tài khoản từ tệp", "Accounts from a file")),
        errors,
    };
    (status, render(&body)).into_response()
}

pub async fn form(ctx: Ctx) -> Response {
    upload_page(ctx, Errors::default(), StatusCode::OK)
}

async fn send(
    ctx: &Ctx,
    upload: &Upload,
    validate_only: bool,
) -> Result<pb::ImportAccountsResponse, tonic::Status> {
    let chunks = tinhso_platform::xlsx::chunks(&upload.filename, "text/csv", &upload.content);
    let messages: Vec<pb::ImportAccountsRequest> = chunks
        .into_iter()
        .enumerate()
        .map(|(i, file)| pb::ImportAccountsRequest {
            validate_only: i == 0 && validate_only,
            file: Some(file),
        })
        .collect();
    AccountServiceClient::new(ctx.console.identity.clone())
        .import_accounts(ctx.request(futures_util::stream::iter(messages)))
        .await
        .map(tonic::Response::into_inner)
}

/// The row problems of a refused file: "rows[3].username" -> row 3, column username.
fn problems(status: &tonic::Status, page: &Page) -> Option<Vec<RowProblem>> {
    let detail = tinhso_platform::error::detail_of(status)?;
    let rows: Vec<RowProblem> = detail
        .violations
        .iter()
        .filter_map(|v| {
            let rest = v.field.strip_prefix("rows[")?;
            let (row, column) = rest.split_once("].")?;
            Some(RowProblem {
                row: row.to_string(),
                column: column.to_string(),
                message: page.t(&v.message, &v.message_en).to_string(),
            })
        })
        .collect();
    (!rows.is_empty()).then_some(rows)
}

fn report(
    ctx: Ctx,
    upload: &Upload,
    rows: i32,
    problems: Vec<RowProblem>,
    created: Vec<Created>,
) -> Response {
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let committed = !created.is_empty();
    let body = ReportPage {
        page: crumbs(ctx.page, ("Kết quả", "Result")),
        upload_id: upload.id.clone(),
        filename: upload.filename.clone(),
        rows,
        problems,
        created,
        committed,
    };
    (status, render(&body)).into_response()
}

fn file_error(status: &tonic::Status, page: &Page) -> Errors {
    match Failure::of(status, page.lang) {
        Failure::Fields(errors) => Errors(
            errors
                .into_iter()
                .map(|e| FieldError {
                    field: "file".into(),
                    message: e.message,
                })
                .collect(),
        ),
        _ => Errors::default(),
    }
}

pub async fn check(ctx: Ctx, request: Request) -> Response {
    let (_, filename, content) = match read_upload(request, &ctx.page).await {
        Ok(read) => read,
        Err(errors) => return upload_page(ctx, errors, StatusCode::BAD_REQUEST),
    };
    let upload = Upload {
        id: uuid::Uuid::new_v4().to_string(),
        purpose: PURPOSE.into(),
        filename,
        unit_id: String::new(),
        content,
    };
    match send(&ctx, &upload, true).await {
        Ok(reply) => {
            let now = ctx.console.clock.now_ms();
            if let Err(e) = uploads::save(&ctx.console.db, &ctx.session.id, &upload, now).await {
                tracing::error!(error = %e, "cannot keep the upload");
                return crate::web::unavailable(&ctx.page);
            }
            report(ctx, &upload, reply.row_count, Vec::new(), Vec::new())
        }
        Err(status) => {
            if let Some(rows) = problems(&status, &ctx.page) {
                return report(ctx, &upload, 0, rows, Vec::new());
            }
            match Failure::of(&status, ctx.page.lang) {
                Failure::Fields(_) => {
                    let errors = file_error(&status, &ctx.page);
                    upload_page(ctx, errors, StatusCode::BAD_REQUEST)
                }
                other => other.page(&ctx.page),
            }
        }
    }
}

pub async fn commit(ctx: Ctx, Path(upload_id): Path<String>) -> Response {
    let now = ctx.console.clock.now_ms();
    // Taken out first: a second post of the same form finds nothing and creates nothing.
    let upload = match uploads::find(&ctx.console.db, &ctx.session.id, &upload_id, PURPOSE, now)
        .await
    {
        Ok(Some(u)) => u,
        Ok(None) => {
            return Failure::NotFound(
                    ctx.page
                        .t(
                            "Tệp đã kiểm tra không còn (quá 1 giờ hoặc đã tạo tài khoản). Hãy tải lên lại.",
                            "The checked file is gone (over an hour, or already used). Upload it again.",
                        )
                        .to_string(),
                )
                .page(&ctx.page);
        }
        Err(_) => return crate::web::unavailable(&ctx.page),
    };
    if let Err(e) = uploads::delete(&ctx.console.db, &upload.id).await {
        tracing::error!(error = %e, "cannot take the upload");
        return crate::web::unavailable(&ctx.page);
    }
    match send(&ctx, &upload, false).await {
        Ok(reply) => {
            let created = reply
                .accounts
                .into_iter()
                .map(|a| {
                    let account = a.account.unwrap_or_default();
                    Created {
                        username: account.username,
                        full_name: account.full_name,
                        password: a.initial_password,
                    }
                })
                .collect();
            report(ctx, &upload, reply.row_count, Vec::new(), created)
        }
        Err(status) => match problems(&status, &ctx.page) {
            Some(rows) => report(ctx, &upload, 0, rows, Vec::new()),
            None => Failure::of(&status, ctx.page.lang).page(&ctx.page),
        },
    }
}
