//! Moving a record: a transfer, rotation or secondment to another unit (found in the province's
//! directory, since the receiving unit is usually outside the clerk's own scope), or the end of
//! service (retirement, resignation, death, leaving the province). The receiving unit accepts a
//! handover on its own page; the other kinds take effect at once.

use crate::pages::employees::parse_date;
use crate::web::{Ctx, Errors, Failure, FieldError, Page, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tinhso_proto::common::v1::Date;
use tinhso_proto::identity::v1 as id;
use tinhso_proto::identity::v1::unit_service_client::UnitServiceClient;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::employee_service_client::EmployeeServiceClient;

/// The kinds a clerk chooses from, with whether each names a receiving unit.
const KINDS: &[(pb::MovementKind, &str, &str, bool)] = &[
    (
        pb::MovementKind::Transfer,
        "Điều động, chuyển công tác",
        "Transfer",
        true,
    ),
    (pb::MovementKind::Rotation, "Luân chuyển", "Rotation", true),
    (
        pb::MovementKind::Secondment,
        "Biệt phái",
        "Secondment",
        true,
    ),
    (
        pb::MovementKind::Retirement,
        "Nghỉ hưu",
        "Retirement",
        false,
    ),
    (
        pb::MovementKind::Resignation,
        "Thôi việc",
        "Resignation",
        false,
    ),
    (pb::MovementKind::Death, "Từ trần", "Death", false),
    (
        pb::MovementKind::MoveOutOfProvince,
        "Chuyển ra ngoài tỉnh",
        "Moved out of the province",
        false,
    ),
    (
        pb::MovementKind::MoveToPartyBodies,
        "Chuyển sang khối Đảng",
        "Moved to Party bodies",
        false,
    ),
];

/// The name of a movement kind in the page's language.
pub fn kind_name(kind: i32, lang: crate::web::Lang) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _, _, _)| *k as i32 == kind)
        .map_or("", |(_, vi, en, _)| match lang {
            crate::web::Lang::Vi => vi,
            crate::web::Lang::En => en,
        })
}

fn needs_unit(kind: i32) -> bool {
    KINDS
        .iter()
        .any(|(k, _, _, unit)| *k as i32 == kind && *unit)
}

pub struct KindOption {
    pub value: i32,
    pub vi: &'static str,
    pub en: &'static str,
}

pub struct UnitOption {
    pub id: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "movement_form.html")]
struct MovePage {
    page: Page,
    id: String,
    name: String,
    kinds: Vec<KindOption>,
    form: MoveForm,
    candidates: Vec<UnitOption>,
    errors: Errors,
}

#[derive(Deserialize, Default, Clone)]
pub struct MoveForm {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub kind: i32,
    #[serde(default)]
    pub to_unit_id: String,
    /// Set by the "find" button: search the directory, move nothing.
    #[serde(default)]
    pub search: String,
    #[serde(default)]
    pub decision_number: String,
    #[serde(default)]
    pub decision_date: String,
    #[serde(default)]
    pub effective_date: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub etag: String,
}

/// The record being moved: its name and current etag.
async fn record(ctx: &Ctx, id: &str) -> Result<pb::Employee, Failure> {
    EmployeeServiceClient::new(ctx.console.personnel.clone())
        .get_employee(ctx.request(pb::GetEmployeeRequest { id: id.into() }))
        .await
        .map(tonic::Response::into_inner)
        .map_err(|status| Failure::of(&status, ctx.page.lang))
}

/// Units of the province matching the clerk's words.
async fn candidates(ctx: &Ctx, query: &str) -> Result<Vec<UnitOption>, Failure> {
    let reply = UnitServiceClient::new(ctx.console.identity.clone())
        .find_units(ctx.request(id::FindUnitsRequest {
            query: query.to_string(),
            page_size: 20,
        }))
        .await
        .map_err(|status| Failure::of(&status, ctx.page.lang))?;
    Ok(reply
        .into_inner()
        .units
        .into_iter()
        .map(|u| UnitOption {
            label: if u.parent_name.is_empty() {
                format!("{} ({})", u.name, u.code)
            } else {
                format!("{} ({}) — {}", u.name, u.code, u.parent_name)
            },
            id: u.id,
        })
        .collect())
}

async fn form_page(
    ctx: Ctx,
    id: String,
    mut form: MoveForm,
    mut errors: Errors,
    status: StatusCode,
) -> Response {
    let e = match record(&ctx, &id).await {
        Ok(e) => e,
        Err(failure) => return failure.page(&ctx.page),
    };
    if form.etag.is_empty() {
        form.etag = e.etag.clone();
    }
    let searched = form.q.trim().chars().count() >= 2;
    let mut found = Vec::new();
    if searched {
        match candidates(&ctx, form.q.trim()).await {
            Ok(units) => found = units,
            Err(Failure::Fields(mut fields)) => {
                for f in &mut fields {
                    f.field = "q".into();
                }
                errors.0.extend(fields);
            }
            Err(failure) => return failure.page(&ctx.page),
        }
    }
    if searched && found.is_empty() && errors.is_empty() {
        errors.0.push(FieldError {
            field: "q".into(),
            message: ctx
                .page
                .t(
                    "Không có đơn vị nào đang hoạt động khớp với từ đã nhập.",
                    "No open unit matches these words.",
                )
                .to_string(),
        });
    }
    let body = MovePage {
        page: ctx.page.crumbs(&[
            (Some("/ho-so"), "Hồ sơ cán bộ", "Personnel records"),
            (None, "Điều chuyển, thôi việc", "Move or end service"),
        ]),
        id,
        name: e.full_name,
        kinds: KINDS
            .iter()
            .map(|(k, vi, en, _)| KindOption {
                value: *k as i32,
                vi,
                en,
            })
            .collect(),
        form,
        candidates: found,
        errors,
    };
    (status, render(&body)).into_response()
}

pub async fn form(ctx: Ctx, Path(id): Path<String>, Query(mut f): Query<MoveForm>) -> Response {
    if f.kind == 0 {
        f.kind = pb::MovementKind::Transfer as i32;
    }
    form_page(ctx, id, f, Errors::default(), StatusCode::OK).await
}

/// The dates of the form, each checked at its field.
fn dates(page: &Page, f: &MoveForm) -> Result<(Date, Date), Errors> {
    let mut errors = Vec::new();
    let mut one = |field: &str, text: &str| {
        let parsed = parse_date(text);
        if parsed.is_none() {
            errors.push(FieldError {
                field: field.into(),
                message: page
                    .t(
                        "Hãy nhập một ngày có thật, dạng ngày/tháng/năm, ví dụ 01/07/2026",
                        "Enter a real date as day/month/year, e.g. 01/07/2026",
                    )
                    .to_string(),
            });
        }
        parsed
    };
    let decision = one("decision_date", &f.decision_date);
    let effective = one("effective_date", &f.effective_date);
    match (decision, effective) {
        (Some(d), Some(e)) => Ok((d, e)),
        _ => Err(Errors(errors)),
    }
}

pub async fn submit(ctx: Ctx, Path(id): Path<String>, Form(mut f): Form<MoveForm>) -> Response {
    if !f.search.is_empty() {
        return form_page(ctx, id, f, Errors::default(), StatusCode::OK).await;
    }
    let mut errors = Errors::default();
    if needs_unit(f.kind) && f.to_unit_id.is_empty() {
        errors.0.push(FieldError {
            field: "q".into(),
            message: ctx
                .page
                .t(
                    "Hãy tìm và chọn đơn vị nhận hồ sơ.",
                    "Find and choose the receiving unit.",
                )
                .to_string(),
        });
    }
    let dates = dates(&ctx.page, &f);
    if let Err(bad) = &dates {
        errors.0.extend(bad.0.iter().cloned());
    }
    let (decision_date, effective_date) = match dates {
        Ok(d) if errors.is_empty() => d,
        _ => return form_page(ctx, id, f, errors, StatusCode::BAD_REQUEST).await,
    };
    let reply = EmployeeServiceClient::new(ctx.console.personnel.clone())
        .move_employee(ctx.request(pb::MoveEmployeeRequest {
            id: id.clone(),
            kind: f.kind,
            to_unit_id: if needs_unit(f.kind) {
                f.to_unit_id.clone()
            } else {
                String::new()
            },
            decision_number: f.decision_number.clone(),
            decision_date: Some(decision_date),
            effective_date: Some(effective_date),
            note: f.note.clone(),
            etag: f.etag.clone(),
        }))
        .await;
    match reply {
        Ok(_) => Redirect::to(&format!("/ho-so/{id}?done=moved")).into_response(),
        Err(status) => {
            let code = if status.code() == tonic::Code::Aborted {
                // Someone changed the record meanwhile: show the form on the current version,
                // so the clerk reviews and confirms again instead of being stuck.
                f.etag.clear();
                StatusCode::CONFLICT
            } else {
                StatusCode::BAD_REQUEST
            };
            match Failure::of(&status, ctx.page.lang) {
                Failure::Fields(mut fields) => {
                    for f in &mut fields {
                        if f.field == "to_unit_id" {
                            f.field = "q".into();
                        }
                    }
                    form_page(ctx, id, f, Errors(fields), code).await
                }
                other => other.page(&ctx.page),
            }
        }
    }
}
