//! The BM02/BNV staff statistics of the person's scope, rolled up the unit tree, and the same
//! table as the workbook Home Affairs files.

use crate::pages::employees::date;
use crate::web::{Ctx, Failure, render};
use askama::Template;
use axum::response::Response;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::statistics_service_client::StatisticsServiceClient;

pub struct Row {
    pub name: String,
    pub depth: i32,
    pub figures: Vec<i32>,
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    page: crate::web::Page,
    as_of: String,
    columns: Vec<String>,
    rows: Vec<Row>,
}

/// The top unit of the person's reading scope.
fn top_unit(ctx: &Ctx) -> Option<String> {
    ctx.principal
        .scopes_for("personnel.record.read")
        .first()
        .map(|s| {
            tinhso_platform::UnitPath::new(s.clone())
                .unit_id()
                .into_string()
        })
}

pub async fn show(ctx: Ctx) -> Response {
    let Some(unit_id) = top_unit(&ctx) else {
        return Failure::Denied(String::new()).page(&ctx.page);
    };
    let reply = StatisticsServiceClient::new(ctx.console.personnel.clone())
        .get_staff_statistics(ctx.request(pb::GetStaffStatisticsRequest {
            unit_id,
            ..Default::default()
        }))
        .await;
    let stats = match reply {
        Ok(r) => r.into_inner(),
        Err(status) => return Failure::of(&status, ctx.page.lang).page(&ctx.page),
    };
    render(&StatisticsPage {
        page: ctx
            .page
            .crumbs(&[(None, "Thống kê BM02", "BM02 statistics")]),
        as_of: date(stats.as_of.as_ref()),
        columns: stats.columns.into_iter().map(|c| c.title).collect(),
        rows: stats
            .units
            .into_iter()
            .map(|u| Row {
                name: u.unit_name,
                depth: u.depth.min(4),
                figures: u.subtree,
            })
            .collect(),
    })
}

pub async fn export(ctx: Ctx) -> Response {
    let Some(unit_id) = top_unit(&ctx) else {
        return Failure::Denied(String::new()).page(&ctx.page);
    };
    let mut call = ctx.request(pb::GetStaffStatisticsRequest {
        unit_id,
        ..Default::default()
    });
    call.set_timeout(std::time::Duration::from_secs(300));
    match StatisticsServiceClient::new(ctx.console.personnel.clone())
        .export_staff_statistics(call)
        .await
    {
        Ok(r) => crate::web::download(r.into_inner(), "bm02.xlsx", &ctx.page).await,
        Err(status) => Failure::of(&status, ctx.page.lang).page(&ctx.page),
    }
}
