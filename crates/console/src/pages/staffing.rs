//! Staffing quotas (biên chế): a year's quota against the people working, per unit and kind of
//! staff, with the unit's own figures and its subtree's; Home Affairs sets a unit's quota.

use crate::web::unit_choice::UnitChoice;
use crate::web::{Ctx, Errors, Failure, FieldError, Page, encode, render};
use askama::Template;
use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::staffing_service_client::StaffingServiceClient;

/// The kinds of staff in the order of the staffing tables.
const KINDS: &[(pb::EmployeeKind, &str, &str)] = &[
    (pb::EmployeeKind::Cadre, "Cán bộ", "Cadres"),
    (
        pb::EmployeeKind::CivilServant,
        "Công chức",
        "Civil servants",
    ),
    (
        pb::EmployeeKind::PublicEmployee,
        "Viên chức",
        "Public employees",
    ),
    (
        pb::EmployeeKind::AssociationStaff,
        "Người làm việc tại Hội",
        "Association staff",
    ),
];

#[derive(Deserialize, Default)]
pub struct YearQuery {
    #[serde(default)]
    don_vi: String,
    #[serde(default)]
    nam: String,
}

pub struct Cell {
    pub quota: i32,
    pub actual: i32,
    pub over: bool,
}

pub struct Row {
    pub name: String,
    pub depth: usize,
    pub own: Vec<Cell>,
    pub subtree: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "staffing.html")]
struct StaffingPage {
    page: Page,
    units: UnitChoice,
    year: i32,
    kinds: Vec<(&'static str, &'static str, i32)>,
    rows: Vec<Row>,
    can_set: bool,
    form: QuotaForm,
    errors: Errors,
}

#[derive(Deserialize, Default)]
pub struct QuotaForm {
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    kind: i32,
    #[serde(default)]
    quota: String,
}

fn cells(figures: &[pb::StaffingFigure]) -> Vec<Cell> {
    KINDS
        .iter()
        .map(|(kind, _, _)| {
            let f = figures.iter().find(|f| f.kind == *kind as i32);
            let (quota, actual) = f.map_or((0, 0), |f| (f.quota, f.actual));
            Cell {
                quota,
                actual,
                over: actual > quota,
            }
        })
        .collect()
}

async fn page(
    ctx: Ctx,
    q: YearQuery,
    form: QuotaForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let units = match UnitChoice::of(&ctx, "personnel.record.read", &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    let this_year = tinhso_platform::clock::vietnam_date(ctx.console.clock.now_ms()).year();
    let year = q
        .nam
        .trim()
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or(this_year);
    let staffing = match StaffingServiceClient::new(ctx.console.personnel.clone())
        .get_staffing(ctx.request(pb::GetStaffingRequest {
            unit_id: units.selected.clone(),
            year,
        }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let base = staffing
        .units
        .first()
        .map_or(0, |u| u.unit_path.matches('/').count());
    let rows = staffing
        .units
        .iter()
        .map(|u| Row {
            name: u.unit_name.clone(),
            depth: u.unit_path.matches('/').count().saturating_sub(base).min(4),
            own: cells(&u.own),
            subtree: cells(&u.subtree),
        })
        .collect();
    let can_set = ctx
        .principal
        .can("personnel.staffing.write", units.selected_path());
    let body = StaffingPage {
        page: ctx.page.crumbs(&[(None, "Biên chế", "Staffing")]),
        kinds: KINDS
            .iter()
            .map(|(k, vi, en)| (*vi, *en, *k as i32))
            .collect(),
        units,
        year,
        rows,
        can_set,
        form,
        errors,
    };
    (status, render(&body)).into_response()
}

pub async fn show(ctx: Ctx, Query(q): Query<YearQuery>) -> Response {
    page(
        ctx,
        q,
        QuotaForm::default(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn set(ctx: Ctx, Query(q): Query<YearQuery>, Form(f): Form<QuotaForm>) -> Response {
    let quota = match f.quota.trim().parse::<i32>() {
        Ok(n) if n >= 0 => n,
        _ => {
            let errors = Errors(vec![FieldError {
                field: "quota".into(),
                message: ctx
                    .page
                    .t(
                        "Biên chế phải là một số nguyên không âm.",
                        "The quota must be a whole number, not negative.",
                    )
                    .to_string(),
            }]);
            return page(ctx, q, f, errors, StatusCode::BAD_REQUEST).await;
        }
    };
    let year = q.nam.trim().parse().unwrap_or_default();
    match StaffingServiceClient::new(ctx.console.personnel.clone())
        .set_quota(ctx.request(pb::SetQuotaRequest {
            unit_id: f.unit_id.clone(),
            year,
            kind: f.kind,
            quota,
        }))
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "/bien-che?don_vi={}&nam={year}",
            encode(&q.don_vi)
        ))
        .into_response(),
        Err(s) => match Failure::of(&s, ctx.page.lang) {
            Failure::Fields(errors) => {
                page(ctx, q, f, Errors(errors), StatusCode::BAD_REQUEST).await
            }
            other => other.page(&ctx.page),
        },
    }
}
