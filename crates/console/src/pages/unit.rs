//! One unit: rename it, move it under another parent, merge it into another unit (after a
//! confirmation), or close it (after a confirmation).

use crate::web::{Confirm, Ctx, Errors, Failure, holds, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tinhso_proto::identity::v1 as pb;
use tinhso_proto::identity::v1::unit_service_client::UnitServiceClient;

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    page: crate::web::Page,
    unit: pb::Unit,
    active: bool,
    can_update: bool,
    can_reorganize: bool,
    /// Where it may move or merge into: open units outside its own subtree.
    others: Vec<(String, String)>,
    done: Option<String>,
    errors: Errors,
}

async fn unit_page(ctx: Ctx, id: &str, done: Option<String>, errors: Errors) -> Response {
    let unit = match UnitServiceClient::new(ctx.console.identity.clone())
        .get_unit(ctx.request(pb::GetUnitRequest { id: id.to_string() }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(status) => return Failure::of(&status, ctx.page.lang).page(&ctx.page),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let can_reorganize = ctx.principal.can("identity.unit.reorganize", &unit.path);
    let others = if can_reorganize {
        crate::pages::units::tree(&ctx, false)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|u| !u.path.starts_with(&unit.path))
            .map(|u| (u.id, u.name))
            .collect()
    } else {
        Vec::new()
    };
    let body = UnitPage {
        active: unit.status == pb::UnitStatus::Active as i32,
        can_update: ctx.principal.can("identity.unit.update", &unit.path),
        can_reorganize,
        others,
        page: ctx.page.crumbs(&[
            (Some("/don-vi"), "Đơn vị", "Units"),
            (None, "Chi tiết", "Details"),
        ]),
        unit,
        done,
        errors,
    };
    (status, render(&body)).into_response()
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

pub async fn show(ctx: Ctx, Path(id): Path<String>, Query(q): Query<DoneQuery>) -> Response {
    let done = match q.done.as_deref() {
        Some("renamed") => Some(ctx.page.t("Đã đổi tên đơn vị.", "The unit is renamed.")),
        Some("closed") => Some(ctx.page.t("Đã giải thể đơn vị.", "The unit is closed.")),
        Some("moved") => Some(ctx.page.t(
            "Đã chuyển đơn vị (cùng các đơn vị trực thuộc) sang đơn vị mới.",
            "The unit (with the units under it) now sits under its new parent.",
        )),
        Some("merged") => Some(ctx.page.t(
            "Đã sáp nhập: các đơn vị trực thuộc và tài khoản đã chuyển về đơn vị này.",
            "Merged: the units and accounts under it now belong here.",
        )),
        _ => None,
    }
    .map(str::to_string);
    unit_page(ctx, &id, done, Errors::default()).await
}

#[derive(Deserialize, Default)]
pub struct RenameForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    etag: String,
}

pub async fn rename(ctx: Ctx, Path(id): Path<String>, Form(f): Form<RenameForm>) -> Response {
    let reply = UnitServiceClient::new(ctx.console.identity.clone())
        .update_unit(ctx.request(pb::UpdateUnitRequest {
            id: id.clone(),
            name: Some(f.name),
            etag: f.etag,
            ..Default::default()
        }))
        .await;
    match reply {
        Ok(_) => Redirect::to(&format!("/don-vi/{id}?done=renamed")).into_response(),
        Err(status) => match Failure::of(&status, ctx.page.lang) {
            Failure::Fields(errors) => unit_page(ctx, &id, None, Errors(errors)).await,
            other => other.page(&ctx.page),
        },
    }
}

pub async fn confirm_close(ctx: Ctx, Path(id): Path<String>) -> Response {
    let unit = match UnitServiceClient::new(ctx.console.identity.clone())
        .get_unit(ctx.request(pb::GetUnitRequest { id: id.clone() }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(status) => return Failure::of(&status, ctx.page.lang).page(&ctx.page),
    };
    if !holds(&ctx.principal, "identity.unit.reorganize") {
        return Failure::Denied(String::new()).page(&ctx.page);
    }
    render(&Confirm {
        page: ctx.page.crumbs(&[
            (Some("/don-vi"), "Đơn vị", "Units"),
            (None, "Giải thể", "Close"),
        ]),
        title_vi: "Giải thể đơn vị",
        title_en: "Close the unit",
        question_vi: "Đơn vị giải thể không nhận thêm tài khoản hay hồ sơ mới; đơn vị còn đơn vị trực thuộc đang hoạt động thì không giải thể được. Giải thể",
        question_en: "A closed unit takes no new accounts or records; a unit with open units under it cannot close. Close",
        button_vi: "Giải thể",
        button_en: "Close the unit",
        subject: format!("{} ({})", unit.name, unit.code),
        action: format!("/don-vi/{id}/giai-the"),
        etag: unit.etag,
        back: format!("/don-vi/{id}"),
        ask_reason: false,
    })
}

#[derive(Deserialize, Default)]
pub struct CloseForm {
    #[serde(default)]
    etag: String,
}

pub async fn close(ctx: Ctx, Path(id): Path<String>, Form(f): Form<CloseForm>) -> Response {
    let reply = UnitServiceClient::new(ctx.console.identity.clone())
        .close_unit(ctx.request(pb::CloseUnitRequest {
            id: id.clone(),
            valid_to: None,
            etag: f.etag,
        }))
        .await;
    match reply {
        Ok(_) => Redirect::to(&format!("/don-vi/{id}?done=closed")).into_response(),
        Err(status) => match Failure::of(&status, ctx.page.lang) {
            Failure::Fields(errors) => unit_page(ctx, &id, None, Errors(errors)).await,
            other => other.page(&ctx.page),
        },
    }
}

#[derive(Deserialize, Default)]
pub struct MoveForm {
    #[serde(default)]
    new_parent_id: String,
    #[serde(default)]
    etag: String,
}

pub async fn move_unit(ctx: Ctx, Path(id): Path<String>, Form(f): Form<MoveForm>) -> Response {
    let reply = UnitServiceClient::new(ctx.console.identity.clone())
        .move_unit(ctx.request(pb::MoveUnitRequest {
            id: id.clone(),
            new_parent_id: f.new_parent_id,
            etag: f.etag,
        }))
        .await;
    match reply {
        Ok(_) => Redirect::to(&format!("/don-vi/{id}?done=moved")).into_response(),
        Err(status) => match Failure::of(&status, ctx.page.lang) {
            Failure::Fields(errors) => unit_page(ctx, &id, None, Errors(errors)).await,
            other => other.page(&ctx.page),
        },
    }
}

#[derive(Deserialize, Default)]
pub struct MergeQuery {
    #[serde(default)]
    vao: String,
}

/// Merging `id` into the unit `vao`: the target's page is where the person lands afterwards.
pub async fn confirm_merge(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<MergeQuery>,
) -> Response {
    let mut client = UnitServiceClient::new(ctx.console.identity.clone());
    let (source, target) = match (
        client
            .get_unit(ctx.request(pb::GetUnitRequest { id: id.clone() }))
            .await,
        client
            .get_unit(ctx.request(pb::GetUnitRequest { id: q.vao.clone() }))
            .await,
    ) {
        (Ok(s), Ok(t)) => (s.into_inner(), t.into_inner()),
        (Err(status), _) | (_, Err(status)) => {
            return Failure::of(&status, ctx.page.lang).page(&ctx.page);
        }
    };
    if !ctx.principal.can("identity.unit.reorganize", &source.path) {
        return Failure::Denied(String::new()).page(&ctx.page);
    }
    render(&Confirm {
        page: ctx.page.crumbs(&[
            (Some("/don-vi"), "Đơn vị", "Units"),
            (None, "Sáp nhập", "Merge"),
        ]),
        title_vi: "Sáp nhập đơn vị",
        title_en: "Merge units",
        question_vi: "Các đơn vị trực thuộc và tài khoản của đơn vị này chuyển sang đơn vị nhận; đơn vị này giải thể. Không hoàn tác được.",
        question_en: "Its sub-units and accounts move to the receiving unit and this unit closes. This cannot be undone.",
        button_vi: "Sáp nhập",
        button_en: "Merge",
        subject: format!(
            "{} ({}) → {} ({})",
            source.name, source.code, target.name, target.code
        ),
        action: format!("/don-vi/{id}/sap-nhap?vao={}", crate::web::encode(&q.vao)),
        etag: source.etag,
        back: format!("/don-vi/{id}"),
        ask_reason: false,
    })
}

pub async fn merge(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<MergeQuery>,
    Form(_): Form<CloseForm>,
) -> Response {
    let reply = UnitServiceClient::new(ctx.console.identity.clone())
        .merge_units(ctx.request(pb::MergeUnitsRequest {
            source_ids: vec![id.clone()],
            target_id: q.vao.clone(),
        }))
        .await;
    match reply {
        Ok(target) => Redirect::to(&format!(
            "/don-vi/{}?done=merged",
            crate::web::encode(&target.into_inner().id)
        ))
        .into_response(),
        Err(status) => match Failure::of(&status, ctx.page.lang) {
            Failure::Fields(errors) => unit_page(ctx, &id, None, Errors(errors)).await,
            other => other.page(&ctx.page),
        },
    }
}
