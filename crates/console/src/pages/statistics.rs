//! The BM02/BNV staff statistics of a unit the person reads, rolled up the unit tree, with two
//! charts (staff against quota per unit below; the age bands), and the same table as the
//! workbook Home Affairs files.

use crate::pages::employees::{date, parse_date};
use crate::web::charts::BarChart;
use crate::web::unit_choice::UnitChoice;
use crate::web::{Ctx, Failure, encode, render};
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use serde::Deserialize;
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
    units: UnitChoice,
    as_of: String,
    columns: Vec<String>,
    rows: Vec<Row>,
    charts: Vec<BarChart>,
    download_href: String,
}

#[derive(Deserialize, Default)]
pub struct UnitQuery {
    #[serde(default)]
    don_vi: String,
    /// The report date, dd/mm/yyyy (default today): the table as the records stood then.
    #[serde(default)]
    ngay: String,
}

/// The charts: working staff against the quota for each unit directly below, and the ages.
fn charts(stats: &pb::StaffStatistics, lang: crate::web::Lang) -> Vec<BarChart> {
    let index = |key: &str| stats.columns.iter().position(|c| c.key == key);
    let figure = |u: &pb::UnitStatistics, i: Option<usize>| {
        i.and_then(|i| u.subtree.get(i)).copied().unwrap_or(0)
    };
    let (total, quota) = (index("total"), index("quota"));
    let vi = lang == crate::web::Lang::Vi;
    let mut out = Vec::new();
    let children: Vec<(String, i64, Option<i64>)> = stats
        .units
        .iter()
        .filter(|u| u.depth == 1)
        .map(|u| {
            let q = figure(u, quota);
            (
                u.unit_name.clone(),
                i64::from(figure(u, total)),
                (q > 0).then_some(i64::from(q)),
            )
        })
        .collect();
    if !children.is_empty() {
        out.push(BarChart::new(
            "bieu-do-don-vi",
            if vi {
                "Số người đang làm việc theo đơn vị (vạch đỏ: biên chế được giao)"
            } else {
                "People working per unit (red mark: the quota)"
            },
            children,
        ));
    }
    if let Some(top) = stats.units.first() {
        let ages: Vec<(String, i64, Option<i64>)> = stats
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.key.starts_with("age:"))
            .map(|(i, c)| (c.title.clone(), i64::from(figure(top, Some(i))), None))
            .collect();
        if !ages.is_empty() {
            out.push(BarChart::new(
                "bieu-do-tuoi",
                if vi {
                    "Cơ cấu độ tuổi"
                } else {
                    "Age bands"
                },
                ages,
            ));
        }
    }
    out
}

pub async fn show(ctx: Ctx, Query(q): Query<UnitQuery>) -> Response {
    let units = match UnitChoice::of(&ctx, "personnel.record.read", &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    let reply = StatisticsServiceClient::new(ctx.console.personnel.clone())
        .get_staff_statistics(ctx.request(pb::GetStaffStatisticsRequest {
            unit_id: units.selected.clone(),
            as_of: parse_date(&q.ngay),
            ..Default::default()
        }))
        .await;
    let stats = match reply {
        Ok(r) => r.into_inner(),
        Err(status) => return Failure::of(&status, ctx.page.lang).page(&ctx.page),
    };
    let charts = charts(&stats, ctx.page.lang);
    render(&StatisticsPage {
        page: ctx
            .page
            .crumbs(&[(None, "Thống kê BM02", "BM02 statistics")]),
        download_href: format!(
            "/thong-ke/tai-ve?don_vi={}&ngay={}",
            encode(&units.selected),
            encode(&q.ngay)
        ),
        units,
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
        charts,
    })
}

pub async fn export(ctx: Ctx, Query(q): Query<UnitQuery>) -> Response {
    let units = match UnitChoice::of(&ctx, "personnel.record.read", &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    let mut call = ctx.request(pb::GetStaffStatisticsRequest {
        unit_id: units.selected,
        as_of: parse_date(&q.ngay),
        ..Default::default()
    });
    // The whole province's workbook takes a while to build.
    call.set_timeout(std::time::Duration::from_secs(300));
    match StatisticsServiceClient::new(ctx.console.personnel.clone())
        .export_staff_statistics(call)
        .await
    {
        Ok(r) => crate::web::download(r.into_inner(), "bm02.xlsx", &ctx.page).await,
        Err(status) => Failure::of(&status, ctx.page.lang).page(&ctx.page),
    }
}
