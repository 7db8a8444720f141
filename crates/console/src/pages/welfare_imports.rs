//! Importing beneficiaries and their enrolments from a spreadsheet (.xlsx or CSV): upload, the
//! row-by-row report (shown and downloadable), then write the valid rows or cancel. The welfare
//! service reads and checks the file and keeps it staged between the check and the commit; the
//! console only carries the bytes, under a size cap.

use crate::pages::imports::read_upload;
use crate::pages::welfare::WRITE;
use crate::web::unit_choice::UnitChoice;
use crate::web::{Ctx, Errors, Failure, Page, download, encode, render};
use askama::Template;
use axum::extract::{Path, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tinhso_proto::welfare::v1 as pb;
use tinhso_proto::welfare::v1::import_service_client::ImportServiceClient;

#[derive(Template)]
#[template(path = "welfare_import.html")]
struct UploadPage {
    page: Page,
    units: UnitChoice,
    errors: Errors,
}

async fn upload_page(ctx: Ctx, wanted_unit: &str, errors: Errors, status: StatusCode) -> Response {
    let units = match UnitChoice::of(&ctx, WRITE, wanted_unit).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    let body = UploadPage {
        page: ctx.page.crumbs(&[
            (Some("/an-sinh"), "An sinh xã hội", "Welfare"),
            (None, "Nhập từ tệp", "Import from a file"),
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
    match ImportServiceClient::new(ctx.console.welfare.clone())
        .get_import_template(ctx.request(pb::GetImportTemplateRequest {}))
        .await
    {
        Ok(r) => download(r.into_inner(), "mau-nhap-doi-tuong.xlsx", &ctx.page).await,
        Err(s) => Failure::of(&s, ctx.page.lang).page(&ctx.page),
    }
}

pub async fn check(ctx: Ctx, request: Request) -> Response {
    let (unit_id, filename, content) = match read_upload(request, &ctx.page).await {
        Ok(read) => read,
        Err(errors) => return upload_page(ctx, "", errors, StatusCode::BAD_REQUEST).await,
    };
    let messages: Vec<pb::ImportUpload> =
        tinhso_platform::xlsx::chunks(&filename, tinhso_platform::xlsx::CONTENT_TYPE, &content)
            .into_iter()
            .enumerate()
            .map(|(i, file)| pb::ImportUpload {
                unit_id: if i == 0 {
                    unit_id.clone()
                } else {
                    String::new()
                },
                filename: if i == 0 {
                    filename.clone()
                } else {
                    String::new()
                },
                file: Some(file),
            })
            .collect();
    match ImportServiceClient::new(ctx.console.welfare.clone())
        .check_import(ctx.request(futures_util::stream::iter(messages)))
        .await
    {
        Ok(r) => {
            Redirect::to(&format!("/an-sinh/nhap/{}", encode(&r.into_inner().id))).into_response()
        }
        Err(status) => match Failure::of(&status, ctx.page.lang) {
            Failure::Fields(mut errors) => {
                for e in &mut errors {
                    if e.field != "unit_id" {
                        e.field = "file".into();
                    }
                }
                upload_page(ctx, &unit_id, Errors(errors), StatusCode::BAD_REQUEST).await
            }
            other => other.page(&ctx.page),
        },
    }
}

#[derive(Template)]
#[template(path = "welfare_import_report.html")]
struct ReportPage {
    page: Page,
    i: pb::Import,
    more: i64,
    errors: Errors,
}

async fn report_page(ctx: Ctx, id: String, errors: Errors, status: StatusCode) -> Response {
    let i = match ImportServiceClient::new(ctx.console.welfare.clone())
        .get_import(ctx.request(pb::GetImportRequest { id }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let body = ReportPage {
        page: ctx.page.crumbs(&[
            (Some("/an-sinh"), "An sinh xã hội", "Welfare"),
            (Some("/an-sinh/nhap"), "Nhập từ tệp", "Import from a file"),
            (None, "Kết quả kiểm tra", "Check report"),
        ]),
        more: i.problem_count - i.problems.len() as i64,
        i,
        errors,
    };
    (status, render(&body)).into_response()
}

pub async fn report(ctx: Ctx, Path(id): Path<String>) -> Response {
    report_page(ctx, id, Errors::default(), StatusCode::OK).await
}

pub async fn report_file(ctx: Ctx, Path(id): Path<String>) -> Response {
    match ImportServiceClient::new(ctx.console.welfare.clone())
        .get_import_report(ctx.request(pb::GetImportRequest { id }))
        .await
    {
        Ok(r) => download(r.into_inner(), "bao-cao-kiem-tra.xlsx", &ctx.page).await,
        Err(s) => Failure::of(&s, ctx.page.lang).page(&ctx.page),
    }
}

async fn finish(ctx: Ctx, id: String, commit: bool) -> Response {
    let mut client = ImportServiceClient::new(ctx.console.welfare.clone());
    let request = ctx.request(pb::FinishImportRequest { id: id.clone() });
    let reply = if commit {
        client.commit_import(request).await
    } else {
        client.cancel_import(request).await
    };
    match reply {
        Ok(_) => Redirect::to(&format!("/an-sinh/nhap/{}", encode(&id))).into_response(),
        Err(s) => match Failure::of(&s, ctx.page.lang) {
            Failure::Fields(errors) => {
                report_page(ctx, id, Errors(errors), StatusCode::BAD_REQUEST).await
            }
            other => other.page(&ctx.page),
        },
    }
}

pub async fn commit(ctx: Ctx, Path(id): Path<String>) -> Response {
    finish(ctx, id, true).await
}

pub async fn cancel(ctx: Ctx, Path(id): Path<String>) -> Response {
    finish(ctx, id, false).await
}
