//! Next year's estimate and its funding (QĐ 503/2022 Điều 9.5-9.6): the commune prepares it from
//! its enrolments with the changes it expects and submits; district Finance allocates the sources
//! and appraises; provincial Finance approves and reads the roll-up.

use crate::pages::welfare::{READ, WRITE, policies};
use crate::web::unit_choice::UnitChoice;
use crate::web::{Ctx, Errors, Failure, Page, encode, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tinhso_platform::vn::money;
use tinhso_proto::welfare::v1 as pb;
use tinhso_proto::welfare::v1::estimate_service_client::EstimateServiceClient;

#[derive(Deserialize, Default)]
pub struct YearQuery {
    #[serde(default)]
    don_vi: String,
    #[serde(default)]
    nam: String,
}

#[derive(Deserialize, Default)]
pub struct PrepareForm {
    #[serde(default)]
    policy: String,
    #[serde(default)]
    carried_over: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    beneficiaries: String,
    #[serde(default)]
    monthly_amount: String,
    #[serde(default)]
    months: String,
}

pub struct EstimateLine {
    pub id: String,
    pub unit: String,
    pub policy: String,
    pub state: String,
    pub amount: String,
    pub need: String,
    pub funded: String,
}

#[derive(Template)]
#[template(path = "welfare_estimates.html")]
struct YearPage {
    page: Page,
    units: UnitChoice,
    year: i32,
    policies: Vec<(String, String)>,
    rows: Vec<EstimateLine>,
    totals: Vec<(String, String, String, String)>,
    can_prepare: bool,
    form: PrepareForm,
    errors: Errors,
}

fn number(text: &str) -> i64 {
    text.trim().replace(['.', ' '], "").parse().unwrap_or(-1)
}

async fn year_page(
    ctx: Ctx,
    q: YearQuery,
    form: PrepareForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let units = match UnitChoice::of(&ctx, READ, &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    let this_year = tinhso_platform::clock::vietnam_date(ctx.console.clock.now_ms()).year();
    let year = q.nam.trim().parse().unwrap_or(this_year + 1);
    let all = match policies(&ctx).await {
        Ok(p) => p,
        Err(f) => return f.page(&ctx.page),
    };
    let listed = match EstimateServiceClient::new(ctx.console.welfare.clone())
        .list_estimates(ctx.request(pb::ListEstimatesRequest {
            unit_id: units.selected.clone(),
            year,
        }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let name_of = |code: &str| {
        all.iter()
            .find(|p| p.code == code)
            .map_or(code.to_string(), |p| p.name.clone())
    };
    let rows = listed
        .estimates
        .iter()
        .map(|e| EstimateLine {
            id: e.id.clone(),
            unit: e.unit_name.clone(),
            policy: name_of(&e.policy),
            state: crate::pages::welfare_payments::state_name(&ctx.page, e.state).to_string(),
            amount: money(e.amount),
            need: money(e.need),
            funded: money(e.funded),
        })
        .collect();
    let totals = listed
        .roll_up
        .iter()
        .map(|t| {
            (
                t.unit_name.clone(),
                money(t.amount),
                money(t.need),
                money(t.funded),
            )
        })
        .collect();
    let body = YearPage {
        can_prepare: ctx.principal.can(WRITE, units.selected_path()),
        policies: all
            .iter()
            .map(|p| (p.code.clone(), p.name.clone()))
            .collect(),
        units,
        year,
        rows,
        totals,
        form,
        errors,
        page: ctx.page.crumbs(&[
            (Some("/an-sinh"), "An sinh xã hội", "Welfare"),
            (None, "Dự toán", "Estimates"),
        ]),
    };
    (status, render(&body)).into_response()
}

pub async fn year(ctx: Ctx, Query(q): Query<YearQuery>) -> Response {
    year_page(
        ctx,
        q,
        PrepareForm::default(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn prepare(ctx: Ctx, Query(q): Query<YearQuery>, Form(f): Form<PrepareForm>) -> Response {
    let units = match UnitChoice::exactly(&ctx, WRITE, &q.don_vi).await {
        Ok(u) => u,
        Err(failure) => return failure.page(&ctx.page),
    };
    let expected = if f.description.trim().is_empty() {
        Vec::new()
    } else {
        vec![pb::ExpectedChange {
            description: f.description.clone(),
            beneficiaries: number(&f.beneficiaries),
            monthly_amount: number(&f.monthly_amount),
            months: number(&f.months),
        }]
    };
    let reply = EstimateServiceClient::new(ctx.console.welfare.clone())
        .prepare_estimate(ctx.request(pb::PrepareEstimateRequest {
            unit_id: units.selected.clone(),
            policy: f.policy.clone(),
            year: q.nam.trim().parse().unwrap_or_default(),
            carried_over: if f.carried_over.trim().is_empty() {
                0
            } else {
                number(&f.carried_over)
            },
            expected_changes: expected,
        }))
        .await;
    match reply {
        Ok(r) => Redirect::to(&format!("/an-sinh/du-toan/{}", encode(&r.into_inner().id)))
            .into_response(),
        Err(s) => match Failure::of(&s, ctx.page.lang) {
            Failure::Fields(errors) => {
                year_page(ctx, q, f, Errors(errors), StatusCode::BAD_REQUEST).await
            }
            other => other.page(&ctx.page),
        },
    }
}

#[derive(Template)]
#[template(path = "welfare_estimate.html")]
struct EstimatePage {
    page: Page,
    e: pb::Estimate,
    policy: String,
    state: &'static str,
    figures: Vec<(&'static str, String)>,
    changes: Vec<(String, i64, String, i64)>,
    funding: Vec<(String, String)>,
    steps: Vec<(String, String, String)>,
    can_submit: bool,
    can_appraise: bool,
    can_approve: bool,
    errors: Errors,
}

async fn estimate_page(ctx: Ctx, id: String, errors: Errors, status: StatusCode) -> Response {
    let e = match EstimateServiceClient::new(ctx.console.welfare.clone())
        .get_estimate(ctx.request(pb::GetEstimateRequest { id }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let policy = policies(&ctx)
        .await
        .ok()
        .and_then(|ps| ps.into_iter().find(|p| p.code == e.policy).map(|p| p.name))
        .unwrap_or_else(|| e.policy.clone());
    let st = pb::ApprovalState::try_from(e.state).unwrap_or(pb::ApprovalState::Unspecified);
    let source_name = |s: &str| match s {
        "central" => ctx.page.t("Ngân sách trung ương hỗ trợ", "Central support"),
        "provincial" => ctx.page.t("Ngân sách tỉnh", "Provincial budget"),
        "district" => ctx.page.t("Ngân sách huyện", "District budget"),
        _ => ctx.page.t("Nguồn khác", "Other"),
    };
    let body = EstimatePage {
        state: crate::pages::welfare_payments::state_name(&ctx.page, e.state),
        figures: vec![
            (
                ctx.page.t(
                    "Từ các đối tượng đang hưởng (12 tháng)",
                    "From current enrolments",
                ),
                money(e.from_enrolments),
            ),
            (ctx.page.t("Dự toán", "Estimate"), money(e.amount)),
            (
                ctx.page.t("Kinh phí chuyển sang", "Carried over"),
                money(e.carried_over),
            ),
            (
                ctx.page.t("Nhu cầu kinh phí", "Funding need"),
                money(e.need),
            ),
            (ctx.page.t("Đã bố trí", "Allocated"), money(e.funded)),
        ],
        changes: e
            .expected_changes
            .iter()
            .map(|c| {
                (
                    c.description.clone(),
                    c.beneficiaries,
                    money(c.monthly_amount),
                    c.months,
                )
            })
            .collect(),
        funding: e
            .funding
            .iter()
            .map(|f| (source_name(&f.source).to_string(), money(f.amount)))
            .collect(),
        steps: e
            .steps
            .iter()
            .map(|s| {
                (
                    s.action.clone(),
                    s.actor_username.clone(),
                    crate::pages::employees::day_of(s.step_time.as_ref()),
                )
            })
            .collect(),
        can_submit: matches!(st, pb::ApprovalState::Draft | pb::ApprovalState::Returned)
            && ctx.principal.can(WRITE, &e.unit_path),
        can_appraise: st == pb::ApprovalState::Submitted
            && ctx
                .principal
                .can("welfare.settlement.appraise", &e.unit_path),
        can_approve: st == pb::ApprovalState::Appraised
            && ctx
                .principal
                .can("welfare.settlement.approve", &e.unit_path),
        policy,
        errors,
        e,
        page: ctx.page.crumbs(&[
            (Some("/an-sinh"), "An sinh xã hội", "Welfare"),
            (Some("/an-sinh/du-toan"), "Dự toán", "Estimates"),
            (None, "Dự toán", "Estimate"),
        ]),
    };
    (status, render(&body)).into_response()
}

pub async fn show(ctx: Ctx, Path(id): Path<String>) -> Response {
    estimate_page(ctx, id, Errors::default(), StatusCode::OK).await
}

#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    central: String,
    #[serde(default)]
    provincial: String,
    #[serde(default)]
    district: String,
    #[serde(default)]
    other: String,
}

/// Allocates the sources (when given) then takes the step, as the holder of the estimate.
pub async fn advance(ctx: Ctx, Path(id): Path<String>, Form(f): Form<StepForm>) -> Response {
    let mut client = EstimateServiceClient::new(ctx.console.welfare.clone());
    let mut version: i64 = f.version.trim().parse().unwrap_or_default();
    let funding: Vec<pb::FundingSource> = [
        ("central", &f.central),
        ("provincial", &f.provincial),
        ("district", &f.district),
        ("other", &f.other),
    ]
    .into_iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .map(|(source, v)| pb::FundingSource {
        source: source.into(),
        amount: number(v),
    })
    .collect();
    if !funding.is_empty() {
        match client
            .allocate_funding(ctx.request(pb::AllocateFundingRequest {
                id: id.clone(),
                version,
                funding,
            }))
            .await
        {
            Ok(r) => version = r.into_inner().version,
            Err(s) => {
                return match Failure::of(&s, ctx.page.lang) {
                    Failure::Fields(errors) => {
                        estimate_page(ctx, id, Errors(errors), StatusCode::BAD_REQUEST).await
                    }
                    other => other.page(&ctx.page),
                };
            }
        }
    }
    let reply = client
        .advance_estimate(ctx.request(pb::AdvanceEstimateRequest {
            id: id.clone(),
            version,
            action: f.action.clone(),
            reason: f.reason.clone(),
        }))
        .await;
    match reply {
        Ok(_) => Redirect::to(&format!("/an-sinh/du-toan/{}", encode(&id))).into_response(),
        Err(s) => match Failure::of(&s, ctx.page.lang) {
            Failure::Fields(errors) => {
                estimate_page(ctx, id, Errors(errors), StatusCode::BAD_REQUEST).await
            }
            other => other.page(&ctx.page),
        },
    }
}
