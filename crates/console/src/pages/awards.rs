//! Awards (QĐ 80/2020 Điều 14): the statistics of awards per kind and year under a unit (staff
//! records and honours together) with their workbook, and the honours the unit manages
//! (resistance orders and medals, "Bà mẹ Việt Nam anh hùng") with the form to enter one.

use crate::pages::employees::{date, parse_date};
use crate::web::unit_choice::UnitChoice;
use crate::web::{Ctx, Errors, Failure, FieldError, Page, download, encode, render};
use askama::Template;
use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::award_service_client::AwardServiceClient;
use tinhso_proto::personnel::v1::catalogue_service_client::CatalogueServiceClient;

#[derive(Deserialize, Default)]
pub struct AwardsQuery {
    #[serde(default)]
    don_vi: String,
    #[serde(default)]
    tu: String,
    #[serde(default)]
    den: String,
    #[serde(default)]
    q: String,
}

pub struct KindRow {
    pub name: String,
    pub counts: Vec<i32>,
    pub total: i32,
}

pub struct HonourRow {
    pub name: String,
    pub kind: String,
    pub born: String,
    pub decision: String,
    pub posthumous: bool,
}

#[derive(Template)]
#[template(path = "awards.html")]
struct AwardsPage {
    page: Page,
    units: UnitChoice,
    from: i32,
    to: i32,
    years: Vec<i32>,
    kinds: Vec<KindRow>,
    query: String,
    honours: Vec<HonourRow>,
    honour_kinds: Vec<(String, String)>,
    can_enter: bool,
    form: HonourForm,
    errors: Errors,
    download_href: String,
    request_id: String,
}

#[derive(Deserialize, Default)]
pub struct HonourForm {
    #[serde(default)]
    request_id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    recipient_name: String,
    #[serde(default)]
    birth_year: String,
    #[serde(default)]
    home_town: String,
    #[serde(default)]
    decision_number: String,
    #[serde(default)]
    decision_date: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    posthumous: Option<String>,
}

fn years(ctx: &Ctx, q: &AwardsQuery) -> (i32, i32) {
    let this_year = tinhso_platform::clock::vietnam_date(ctx.console.clock.now_ms()).year();
    let to = q.den.trim().parse().unwrap_or(this_year);
    let from = q.tu.trim().parse().unwrap_or(to - 4).min(to);
    (from.max(to - 30), to)
}

async fn awards_page(
    ctx: Ctx,
    q: AwardsQuery,
    form: HonourForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let units = match UnitChoice::of(&ctx, "personnel.record.read", &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    let (from, to) = years(&ctx, &q);
    let mut client = AwardServiceClient::new(ctx.console.personnel.clone());
    let stats = match client
        .get_award_statistics(ctx.request(pb::GetAwardStatisticsRequest {
            unit_id: units.selected.clone(),
            from_year: from,
            to_year: to,
        }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let honours = match client
        .list_honours(ctx.request(pb::ListHonoursRequest {
            unit_id: units.selected.clone(),
            query: q.q.clone(),
            page_size: 100,
            ..Default::default()
        }))
        .await
    {
        Ok(r) => r.into_inner().honours,
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    // Honours are the award kinds of the resistance and the heroic mothers.
    let honour_kinds: Vec<(String, String)> =
        CatalogueServiceClient::new(ctx.console.personnel.clone())
            .list_catalogue_entries(ctx.request(pb::ListCatalogueEntriesRequest {
                catalogue: "award_kind".into(),
                include_retired: false,
            }))
            .await
            .map(|r| {
                r.into_inner()
                    .entries
                    .into_iter()
                    .filter(|e| matches!(e.attribute.as_str(), "resistance" | "heroic_mother"))
                    .map(|e| (e.code, e.name))
                    .collect()
            })
            .unwrap_or_default();
    let name_of = |code: &str| {
        honour_kinds
            .iter()
            .find(|(c, _)| c == code)
            .map_or(code.to_string(), |(_, n)| n.clone())
    };
    let honours = honours
        .into_iter()
        .map(|h| HonourRow {
            kind: name_of(&h.kind),
            born: if h.birth_year > 0 {
                h.birth_year.to_string()
            } else {
                String::new()
            },
            decision: format!("{} ({})", h.decision_number, date(h.decision_date.as_ref())),
            posthumous: h.posthumous,
            name: h.recipient_name,
        })
        .collect();
    let can_enter = ctx
        .principal
        .can("personnel.record.write", units.selected_path());
    let download_href = format!(
        "/khen-thuong/tai-ve?don_vi={}&tu={from}&den={to}",
        encode(&units.selected)
    );
    let body = AwardsPage {
        page: ctx.page.crumbs(&[(None, "Khen thưởng", "Awards")]),
        from,
        to,
        years: stats.years,
        kinds: stats
            .kinds
            .into_iter()
            .map(|k| KindRow {
                name: k.name,
                counts: k.counts,
                total: k.total,
            })
            .collect(),
        query: q.q,
        honours,
        honour_kinds,
        can_enter,
        request_id: if form.request_id.is_empty() {
            uuid::Uuid::new_v4().to_string()
        } else {
            form.request_id.clone()
        },
        form,
        errors,
        download_href,
        units,
    };
    (status, render(&body)).into_response()
}

pub async fn show(ctx: Ctx, Query(q): Query<AwardsQuery>) -> Response {
    awards_page(
        ctx,
        q,
        HonourForm::default(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn export(ctx: Ctx, Query(q): Query<AwardsQuery>) -> Response {
    let units = match UnitChoice::of(&ctx, "personnel.record.read", &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    let (from, to) = years(&ctx, &q);
    match AwardServiceClient::new(ctx.console.personnel.clone())
        .export_award_statistics(ctx.request(pb::GetAwardStatisticsRequest {
            unit_id: units.selected,
            from_year: from,
            to_year: to,
        }))
        .await
    {
        Ok(r) => download(r.into_inner(), "thong-ke-khen-thuong.xlsx", &ctx.page).await,
        Err(s) => Failure::of(&s, ctx.page.lang).page(&ctx.page),
    }
}

pub async fn create(ctx: Ctx, Query(q): Query<AwardsQuery>, Form(f): Form<HonourForm>) -> Response {
    let mut errors = Vec::new();
    let decision_date = parse_date(&f.decision_date);
    if decision_date.is_none() {
        errors.push(FieldError {
            field: "decision_date".into(),
            message: ctx
                .page
                .t(
                    "Hãy nhập một ngày có thật, dạng ngày/tháng/năm.",
                    "Enter a real date as day/month/year.",
                )
                .to_string(),
        });
    }
    let birth_year = match f.birth_year.trim() {
        "" => 0,
        y => match y.parse::<i32>() {
            Ok(y) => y,
            Err(_) => {
                errors.push(FieldError {
                    field: "birth_year".into(),
                    message: ctx
                        .page
                        .t(
                            "Năm sinh là một số, ví dụ 1925.",
                            "The year of birth is a number, e.g. 1925.",
                        )
                        .to_string(),
                });
                0
            }
        },
    };
    if !errors.is_empty() {
        return awards_page(ctx, q, f, Errors(errors), StatusCode::BAD_REQUEST).await;
    }
    let units = match UnitChoice::exactly(&ctx, "personnel.record.write", &q.don_vi).await {
        Ok(u) => u,
        Err(failure) => return failure.page(&ctx.page),
    };
    let reply = AwardServiceClient::new(ctx.console.personnel.clone())
        .create_honour(ctx.request(pb::CreateHonourRequest {
            honour: Some(pb::Honour {
                unit_id: units.selected.clone(),
                kind: f.kind.clone(),
                recipient_name: f.recipient_name.clone(),
                birth_year,
                home_town: f.home_town.clone(),
                decision_number: f.decision_number.clone(),
                decision_date,
                issuer: f.issuer.clone(),
                posthumous: f.posthumous.is_some(),
                ..Default::default()
            }),
            request_id: f.request_id.clone(),
        }))
        .await;
    match reply {
        Ok(_) => Redirect::to(&format!(
            "/khen-thuong?don_vi={}#danh-hieu",
            encode(&units.selected)
        ))
        .into_response(),
        Err(s) => match Failure::of(&s, ctx.page.lang) {
            Failure::Fields(errors) => {
                awards_page(ctx, q, f, Errors(errors), StatusCode::BAD_REQUEST).await
            }
            other => other.page(&ctx.page),
        },
    }
}
