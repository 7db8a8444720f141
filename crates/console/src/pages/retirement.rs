//! Who reaches retirement age in a period (Bộ luật Lao động 2019 Điều 169, NĐ 135/2020): for each
//! person, the day retirement takes effect, the days by which the notice (6 months ahead) and the
//! decision (3 months ahead) are due, and the early step raise on notice where it applies. By
//! default the coming twelve months: time to give the notices.

use crate::pages::employees::{coefficient, date, parse_date};
use crate::pages::payroll::{PeriodQuery, as_date};
use crate::web::unit_choice::UnitChoice;
use crate::web::{Ctx, Failure, Page, render};
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::salary_service_client::SalaryServiceClient;

pub struct RetirementRow {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub birth: String,
    pub sex: &'static str,
    pub retires: String,
    pub notice: String,
    pub decision: String,
    pub now: String,
    /// "8 (4,65) từ 01/12/2026", when the early raise on notice applies.
    pub early_raise: String,
}

#[derive(Template)]
#[template(path = "retirements.html")]
struct RetirementsPage {
    page: Page,
    units: UnitChoice,
    from: String,
    to: String,
    rows: Vec<RetirementRow>,
}

pub async fn list(ctx: Ctx, Query(q): Query<PeriodQuery>) -> Response {
    let units = match UnitChoice::of(&ctx, "personnel.salary.read", &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    let today = tinhso_platform::clock::vietnam_date(ctx.console.clock.now_ms());
    let from = parse_date(&q.tu).unwrap_or_else(|| as_date(today));
    let to = parse_date(&q.den).unwrap_or_else(|| as_date(today + time::Duration::days(365)));
    let reply = match SalaryServiceClient::new(ctx.console.personnel.clone())
        .list_retirements(ctx.request(pb::ListRetirementsRequest {
            unit_id: units.selected.clone(),
            from_date: Some(from),
            to_date: Some(to),
        }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let page = &ctx.page;
    let rows = reply
        .retirements
        .into_iter()
        .map(|r| RetirementRow {
            sex: if r.sex == pb::Sex::Female as i32 {
                page.t("Nữ", "Female")
            } else {
                page.t("Nam", "Male")
            },
            birth: date(r.birth_date.as_ref()),
            retires: date(r.retirement_date.as_ref()),
            notice: date(r.notice_date.as_ref()),
            decision: date(r.decision_date.as_ref()),
            now: if r.grade_code.is_empty() {
                String::new()
            } else {
                format!(
                    "{} / {} ({})",
                    r.grade_code,
                    r.step,
                    coefficient(r.coefficient)
                )
            },
            early_raise: if r.early_raise_step > 0 {
                format!(
                    "{} ({}) {} {}",
                    r.early_raise_step,
                    coefficient(r.early_raise_coefficient),
                    page.t("từ", "from"),
                    date(r.early_raise_date.as_ref())
                )
            } else {
                String::new()
            },
            unit: r.unit_name,
            name: r.full_name,
            id: r.employee_id,
        })
        .collect();
    render(&RetirementsPage {
        page: ctx.page.crumbs(&[
            (Some("/bang-luong"), "Tiền lương", "Salaries"),
            (None, "Đến tuổi nghỉ hưu", "Retirements"),
        ]),
        from: date(Some(&from)),
        to: date(Some(&to)),
        units,
        rows,
    })
}
