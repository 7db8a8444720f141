//! Records handed over to the person's unit: accept or decline each (a reason when declining).

use crate::pages::employees::date;
use crate::web::{Ctx, Failure, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::employee_service_client::EmployeeServiceClient;

pub struct Pending {
    pub id: String,
    pub name: String,
    pub born: String,
    pub position: String,
    pub grade: String,
    pub from: String,
    pub decision: String,
    pub effective: String,
}

#[derive(Template)]
#[template(path = "handovers.html")]
struct HandoversPage {
    page: crate::web::Page,
    rows: Vec<Pending>,
    units: crate::web::unit_choice::UnitChoice,
    done: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    don_vi: String,
}

pub async fn list(ctx: Ctx, Query(q): Query<DoneQuery>) -> Response {
    // The receiving unit: one of those the person writes records for (their choice when several).
    let units =
        match crate::web::unit_choice::UnitChoice::of(&ctx, "personnel.record.write", &q.don_vi)
            .await
        {
            Ok(u) => u,
            Err(failure) => return failure.page(&ctx.page),
        };
    let unit_id = units.selected.clone();
    let reply = EmployeeServiceClient::new(ctx.console.personnel.clone())
        .list_pending_movements(ctx.request(pb::ListPendingMovementsRequest { unit_id }))
        .await;
    let movements = match reply {
        Ok(r) => r.into_inner().movements,
        Err(status) => return Failure::of(&status, ctx.page.lang).page(&ctx.page),
    };
    let done = match q.done.as_deref() {
        Some("accepted") => Some(ctx.page.t(
            "Đã tiếp nhận: hồ sơ nay thuộc đơn vị của bạn.",
            "Accepted: the record is now your unit's.",
        )),
        Some("declined") => Some(ctx.page.t(
            "Đã từ chối: hồ sơ ở lại đơn vị chuyển đi.",
            "Declined: the record stays with the sending unit.",
        )),
        _ => None,
    }
    .map(str::to_string);
    render(&HandoversPage {
        page: ctx.page.crumbs(&[
            (Some("/ho-so"), "Hồ sơ cán bộ", "Personnel records"),
            (None, "Hồ sơ chuyển đến", "Handed over"),
        ]),
        rows: movements
            .into_iter()
            .map(|m| Pending {
                born: date(m.employee_birth_date.as_ref()),
                position: m.employee_position,
                grade: if m.employee_grade_code.is_empty() {
                    String::new()
                } else {
                    format!("{} / {}", m.employee_grade_code, m.employee_step)
                },
                name: m.employee_name,
                from: m.from_unit_name,
                decision: m.decision_number,
                effective: date(m.effective_date.as_ref()),
                id: m.id,
            })
            .collect(),
        units,
        done,
    })
}

#[derive(Deserialize, Default)]
pub struct SettleForm {
    #[serde(default)]
    note: String,
}

async fn settle(ctx: Ctx, id: String, note: String, accept: bool) -> Response {
    let request = ctx.request(pb::SettleMovementRequest { id, note });
    let mut client = EmployeeServiceClient::new(ctx.console.personnel.clone());
    let reply = if accept {
        client.accept_movement(request).await
    } else {
        client.decline_movement(request).await
    };
    match reply {
        Ok(_) => Redirect::to(if accept {
            "/ho-so/chuyen-den?done=accepted"
        } else {
            "/ho-so/chuyen-den?done=declined"
        })
        .into_response(),
        Err(status) => Failure::of(&status, ctx.page.lang).page(&ctx.page),
    }
}

pub async fn accept(ctx: Ctx, Path(id): Path<String>, Form(f): Form<SettleForm>) -> Response {
    settle(ctx, id, f.note, true).await
}

pub async fn decline(ctx: Ctx, Path(id): Path<String>, Form(f): Form<SettleForm>) -> Response {
    settle(ctx, id, f.note, false).await
}
