//! The compliance view (QĐ 80/2020 Điều 10-11): how many entries each unit made and how many
//! of them later than the regulation allows (a hire within 30 days, a movement within 15), and
//! the late entries themselves, for a period of the address.

use crate::pages::employees::{date, day_of, parse_date};
use crate::web::unit_choice::UnitChoice;
use crate::web::{Ctx, Failure, Page, render};
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use serde::Deserialize;
use tinhso_platform::clock::to_timestamp;
use tinhso_proto::common::v1::Date;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::employee_service_client::EmployeeServiceClient;

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    #[serde(default)]
    don_vi: String,
    #[serde(default)]
    tu: String,
    #[serde(default)]
    den: String,
}

pub struct UnitRow {
    pub name: String,
    pub entries: i32,
    pub late: i32,
    pub on_time_percent: String,
}

pub struct LateRow {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub what_vi: &'static str,
    pub what_en: &'static str,
    pub from: String,
    pub entered: String,
    pub days_late: i32,
}

#[derive(Template)]
#[template(path = "compliance.html")]
struct CompliancePage {
    page: Page,
    units: UnitChoice,
    from: String,
    to: String,
    rows: Vec<UnitRow>,
    late: Vec<LateRow>,
}

/// Midnight at the start of `d` in Vietnam (UTC+7), in milliseconds.
fn start_of(d: &Date) -> Option<i64> {
    let month = time::Month::try_from(u8::try_from(d.month).ok()?).ok()?;
    let day = time::Date::from_calendar_date(d.year, month, u8::try_from(d.day).ok()?).ok()?;
    let utc = day.midnight().assume_utc().unix_timestamp() * 1000;
    Some(utc - 7 * 3_600_000)
}

fn what(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "hire" => ("Tuyển dụng, tiếp nhận", "Hire"),
        "movement:transfer" => ("Điều động, chuyển công tác", "Transfer"),
        "movement:rotation" => ("Luân chuyển", "Rotation"),
        "movement:secondment" => ("Biệt phái", "Secondment"),
        "movement:retirement" => ("Nghỉ hưu", "Retirement"),
        "movement:resignation" => ("Thôi việc", "Resignation"),
        "movement:death" => ("Từ trần", "Death"),
        k if k.starts_with("movement") => ("Biến động khác", "Other movement"),
        k if k.starts_with("handover") => ("Tiếp nhận hồ sơ chuyển đến", "Handover received"),
        "change:salary" => ("Thay đổi bậc, ngạch lương", "Salary change"),
        "change:allowance" => ("Phụ cấp", "Allowance"),
        "change:discipline" => ("Kỷ luật", "Discipline"),
        "change:award" => ("Khen thưởng", "Award"),
        "change:position" => ("Thay đổi chức vụ", "Position change"),
        "change:department" => ("Thay đổi phòng, ban", "Department change"),
        "change:degree" => ("Thay đổi trình độ chuyên môn", "Degree change"),
        _ => ("Khác", "Other"),
    }
}

pub async fn show(ctx: Ctx, Query(q): Query<PeriodQuery>) -> Response {
    let units = match UnitChoice::of(&ctx, "personnel.record.read", &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    // By default the last twelve months, as the home page counts them.
    let now = ctx.console.clock.now_ms();
    let today = tinhso_platform::clock::vietnam_date(now);
    let from = parse_date(&q.tu).unwrap_or(Date {
        year: today.year() - 1,
        month: i32::from(u8::from(today.month())),
        day: i32::from(today.day()).min(28),
    });
    let to = parse_date(&q.den);
    let start = start_of(&from);
    let end = to.as_ref().and_then(start_of).map(|ms| ms + 86_400_000);
    let reply = match EmployeeServiceClient::new(ctx.console.personnel.clone())
        .get_compliance(ctx.request(pb::GetComplianceRequest {
            unit_id: units.selected.clone(),
            start_time: start.map(to_timestamp),
            end_time: end.map(to_timestamp),
        }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let unit_names: std::collections::HashMap<String, String> = reply
        .units
        .iter()
        .map(|u| (u.unit_id.clone(), u.unit_name.clone()))
        .collect();
    let rows = reply
        .units
        .iter()
        .filter(|u| u.entries > 0)
        .map(|u| UnitRow {
            name: u.unit_name.clone(),
            entries: u.entries,
            late: u.late,
            on_time_percent: format!(
                "{}%",
                (f64::from(u.entries - u.late) * 100.0 / f64::from(u.entries)).round()
            ),
        })
        .collect();
    let late = reply
        .late_entries
        .into_iter()
        .map(|e| {
            let (what_vi, what_en) = what(&e.what);
            let entered = day_of(e.entered_time.as_ref());
            LateRow {
                unit: unit_names.get(&e.unit_id).cloned().unwrap_or_default(),
                name: e.employee_name,
                id: e.employee_id,
                what_vi,
                what_en,
                from: date(e.from_date.as_ref()),
                entered,
                days_late: e.days_late,
            }
        })
        .collect();
    render(&CompliancePage {
        page: ctx.page.crumbs(&[
            (Some("/ho-so"), "Hồ sơ cán bộ", "Personnel records"),
            (None, "Cập nhật trễ hạn", "Late entries"),
        ]),
        from: date(Some(&from)),
        to: date(to.as_ref()),
        units,
        rows,
        late,
    })
}
