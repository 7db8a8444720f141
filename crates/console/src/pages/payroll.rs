//! Salary work of a unit (QĐ 80/2020 Điều 15): the month's payroll and its closing, the schedule
//! of which units closed on time, and the raises falling due. The unit and the month are in the
//! address, so a page can be bookmarked and the back button works; the unit is chosen among the
//! units the person may read (the unit switcher every unit-level page shares).

use crate::pages::employees::{coefficient, date, parse_date};
use crate::web::unit_choice::UnitChoice;
use crate::web::{Confirm, Ctx, Failure, Page, encode, render};
use askama::Template;
use axum::Form;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tinhso_platform::vn::money;
use tinhso_proto::common::v1::Date;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::salary_service_client::SalaryServiceClient;

/// A month as people write it: "11/2026".
pub fn parse_month(text: &str) -> Option<(i32, i32)> {
    let (month, year) = text.trim().split_once('/')?;
    let month: i32 = month.trim().parse().ok().filter(|m| (1..=12).contains(m))?;
    let year: i32 = year
        .trim()
        .parse()
        .ok()
        .filter(|y| (1900..=2200).contains(y))?;
    Some((year, month))
}

fn this_month(ctx: &Ctx) -> (i32, i32) {
    let today = tinhso_platform::clock::vietnam_date(ctx.console.clock.now_ms());
    (today.year(), i32::from(u8::from(today.month())))
}

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    #[serde(default)]
    don_vi: String,
    #[serde(default)]
    thang: String,
    /// The page of the payroll's lines (from 1).
    #[serde(default)]
    trang: Option<usize>,
}

/// Lines of a payroll on one page: a district's thousand people stay a light page on a slow
/// commune connection; the totals above always cover every line.
const LINES_PER_PAGE: usize = 100;

pub struct LineView {
    pub id: String,
    pub name: String,
    pub grade: String,
    pub coefficient: String,
    pub allowances: String,
    pub seniority: String,
    pub pay: String,
    /// Percentage allowances and the public-service allowance.
    pub percent_allowances: String,
    pub gross: String,
    /// Social, health and unemployment insurance, each, and their sum.
    pub insurance: String,
    pub deductions: String,
    pub net: String,
}

#[derive(Template)]
#[template(path = "payroll.html")]
struct PayrollPage {
    page: Page,
    units: UnitChoice,
    month: String,
    closed: bool,
    closed_note: String,
    due: String,
    headcount: i32,
    total_gross: String,
    total_deductions: String,
    total_net: String,
    lines: Vec<LineView>,
    can_close: bool,
    query: String,
    /// "Lines 101-200 of 2 500", and the neighbouring pages' addresses.
    shown: String,
    previous_href: String,
    next_href: String,
}

fn line_view(l: pb::PayLine) -> LineView {
    LineView {
        grade: if l.grade_code.is_empty() {
            String::new()
        } else {
            format!("{} / {}", l.grade_code, l.step)
        },
        coefficient: coefficient(l.coefficient),
        allowances: coefficient(l.position_allowance + l.other_allowances),
        seniority: if l.seniority_percent > 0 {
            format!("{}%", l.seniority_percent)
        } else {
            String::new()
        },
        pay: money(l.pay),
        percent_allowances: money(l.percent_allowances + l.public_service_allowance),
        gross: money(l.gross),
        insurance: format!(
            "BHXH {} · BHYT {} · BHTN {} · Đoàn phí {}",
            money(l.social_insurance),
            money(l.health_insurance),
            money(l.unemployment_insurance),
            money(l.union_dues)
        ),
        deductions: money(l.deductions),
        net: money(l.net),
        name: l.full_name,
        id: l.employee_id,
    }
}

/// The month asked for, or this month when none (or a wrong one) is given.
fn month_of(ctx: &Ctx, text: &str) -> (i32, i32) {
    parse_month(text).unwrap_or_else(|| this_month(ctx))
}

pub async fn show(ctx: Ctx, Query(q): Query<MonthQuery>) -> Response {
    let units = match UnitChoice::of(&ctx, "personnel.salary.read", &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    let (year, month) = month_of(&ctx, &q.thang);
    let payroll = match SalaryServiceClient::new(ctx.console.personnel.clone())
        .get_payroll(ctx.request(pb::GetPayrollRequest {
            unit_id: units.selected.clone(),
            year,
            month,
        }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let unit_path = units.selected_path().to_string();
    let can_close = !payroll.closed
        && (ctx.principal.can("personnel.salary.write", &unit_path)
            || ctx.principal.can("personnel.record.write", &unit_path));
    let closed_note = if payroll.closed {
        format!(
            "{} · {}",
            crate::pages::employees::day_of(payroll.close_time.as_ref()),
            payroll.closed_by
        )
    } else {
        String::new()
    };
    let query = format!(
        "don_vi={}&thang={}",
        encode(&units.selected),
        encode(&format!("{month:02}/{year}"))
    );
    let count = payroll.lines.len();
    let (current, pages, first) = window(count, q.trang);
    let href = |n: usize| format!("/bang-luong?{query}&trang={n}");
    let shown = if count > LINES_PER_PAGE {
        let last = (first + LINES_PER_PAGE).min(count);
        match ctx.page.lang {
            crate::web::Lang::Vi => format!("Dòng {}–{last} trong {} dòng", first + 1, count),
            crate::web::Lang::En => format!("Lines {}–{last} of {count}", first + 1),
        }
    } else {
        String::new()
    };
    let previous_href = if current > 1 {
        href(current - 1)
    } else {
        String::new()
    };
    let next_href = if current < pages {
        href(current + 1)
    } else {
        String::new()
    };
    render(&PayrollPage {
        shown,
        previous_href,
        next_href,
        page: ctx.page.crumbs(&[(None, "Bảng lương", "Payroll")]),
        month: format!("{month:02}/{year}"),
        closed: payroll.closed,
        closed_note,
        due: date(payroll.due_date.as_ref()),
        headcount: payroll.headcount,
        total_gross: money(payroll.total_gross),
        total_deductions: money(payroll.total_deductions),
        total_net: money(payroll.total_net),
        lines: payroll
            .lines
            .into_iter()
            .skip(first)
            .take(LINES_PER_PAGE)
            .map(line_view)
            .collect(),
        can_close,
        units,
        query,
    })
}

/// The page shown of `count` lines when page `asked` is asked for: (page, pages, first line).
fn window(count: usize, asked: Option<usize>) -> (usize, usize, usize) {
    let pages = count.div_ceil(LINES_PER_PAGE).max(1);
    let current = asked.unwrap_or(1).clamp(1, pages);
    (current, pages, (current - 1) * LINES_PER_PAGE)
}

pub async fn confirm_close(ctx: Ctx, Query(q): Query<MonthQuery>) -> Response {
    let units = match UnitChoice::of(&ctx, "personnel.salary.read", &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    let (year, month) = month_of(&ctx, &q.thang);
    let subject = format!("{} — {month:02}/{year}", units.selected_name());
    render(&Confirm {
        page: ctx.page.crumbs(&[
            (Some("/bang-luong"), "Bảng lương", "Payroll"),
            (None, "Chốt bảng lương", "Close the payroll"),
        ]),
        title_vi: "Chốt bảng lương tháng",
        title_en: "Close the month's payroll",
        question_vi: "Bảng lương được giữ nguyên như tính hôm nay và không chốt lại được. Tháng sau, số liệu này là căn cứ lập dự toán (Điều 15 QĐ 80/2020). Bạn chắc chắn?",
        question_en: "The payroll is kept as computed today and cannot be closed again; it is the basis of next year's estimate. Are you sure?",
        button_vi: "Chốt bảng lương",
        button_en: "Close the payroll",
        subject,
        action: format!(
            "/bang-luong/chot?don_vi={}&thang={}",
            encode(&units.selected),
            encode(&format!("{month:02}/{year}"))
        ),
        etag: String::new(),
        back: format!(
            "/bang-luong?don_vi={}&thang={}",
            encode(&units.selected),
            encode(&format!("{month:02}/{year}"))
        ),
        ask_reason: false,
    })
}

pub async fn close(ctx: Ctx, Query(q): Query<MonthQuery>, Form(_): Form<Ignored>) -> Response {
    let Some((year, month)) = parse_month(&q.thang) else {
        return Failure::Fields(vec![crate::web::FieldError {
            field: String::new(),
            message: ctx
                .page
                .t("Tháng không hợp lệ.", "Not a valid month.")
                .to_string(),
        }])
        .page(&ctx.page);
    };
    match SalaryServiceClient::new(ctx.console.personnel.clone())
        .close_payroll(ctx.request(pb::ClosePayrollRequest {
            unit_id: q.don_vi.clone(),
            year,
            month,
        }))
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "/bang-luong?don_vi={}&thang={}",
            encode(&q.don_vi),
            encode(&q.thang)
        ))
        .into_response(),
        Err(s) => Failure::of(&s, ctx.page.lang).page(&ctx.page),
    }
}

/// A form whose fields (the CSRF token, an etag) the handler does not need.
#[derive(Deserialize)]
pub struct Ignored {}

pub struct ScheduleRow {
    pub name: String,
    pub due: String,
    pub state_vi: &'static str,
    pub state_en: &'static str,
    pub late: bool,
    pub days_late: i32,
    pub headcount: i32,
    pub total: String,
}

#[derive(Template)]
#[template(path = "payroll_schedule.html")]
struct SchedulePage {
    page: Page,
    units: UnitChoice,
    month: String,
    finance: String,
    rows: Vec<ScheduleRow>,
}

pub async fn schedule(ctx: Ctx, Query(q): Query<MonthQuery>) -> Response {
    let units = match UnitChoice::of(&ctx, "personnel.salary.read", &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    let (year, month) = month_of(&ctx, &q.thang);
    let schedule = match SalaryServiceClient::new(ctx.console.personnel.clone())
        .get_payroll_schedule(ctx.request(pb::GetPayrollScheduleRequest {
            unit_id: units.selected.clone(),
            year,
            month,
        }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let rows = schedule
        .units
        .into_iter()
        .map(|u| {
            let (state_vi, state_en, late) = match pb::PayrollTimeliness::try_from(u.timeliness) {
                Ok(pb::PayrollTimeliness::OnTime) => ("Đã chốt đúng hạn", "Closed on time", false),
                Ok(pb::PayrollTimeliness::Late) => ("Chốt trễ hạn", "Closed late", true),
                Ok(pb::PayrollTimeliness::Overdue) => ("Quá hạn, chưa chốt", "Overdue", true),
                _ => ("Chưa đến hạn", "Not yet due", false),
            };
            ScheduleRow {
                name: u.unit_name,
                due: date(u.due_date.as_ref()),
                state_vi,
                state_en,
                late,
                days_late: u.days_late,
                headcount: u.headcount,
                total: money(u.total),
            }
        })
        .collect();
    render(&SchedulePage {
        page: ctx.page.crumbs(&[
            (Some("/bang-luong"), "Bảng lương", "Payroll"),
            (None, "Tiến độ chốt lương", "Closing schedule"),
        ]),
        month: format!("{month:02}/{year}"),
        finance: date(schedule.finance_date.as_ref()),
        units,
        rows,
    })
}

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    #[serde(default)]
    pub don_vi: String,
    #[serde(default)]
    pub tu: String,
    #[serde(default)]
    pub den: String,
}

pub struct RaiseRow {
    pub id: String,
    pub name: String,
    pub now: String,
    pub next: String,
    pub due: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "raises.html")]
struct RaisesPage {
    page: Page,
    units: UnitChoice,
    from: String,
    to: String,
    rows: Vec<RaiseRow>,
}

pub fn as_date(d: time::Date) -> Date {
    Date {
        year: d.year(),
        month: i32::from(u8::from(d.month())),
        day: i32::from(d.day()),
    }
}

pub async fn raises(ctx: Ctx, Query(q): Query<PeriodQuery>) -> Response {
    let units = match UnitChoice::of(&ctx, "personnel.salary.read", &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    // By default the next three months: time to prepare the decisions.
    let today = tinhso_platform::clock::vietnam_date(ctx.console.clock.now_ms());
    let from = parse_date(&q.tu).unwrap_or_else(|| as_date(today));
    let to = parse_date(&q.den).unwrap_or_else(|| as_date(today + time::Duration::days(92)));
    let reply = match SalaryServiceClient::new(ctx.console.personnel.clone())
        .list_due_raises(ctx.request(pb::ListDueRaisesRequest {
            unit_id: units.selected.clone(),
            from_date: Some(from),
            to_date: Some(to),
        }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let lang = ctx.page.lang;
    let rows = reply
        .raises
        .into_iter()
        .map(|r| {
            let seniority = r.seniority_percent > 0;
            let mut note = Vec::new();
            if seniority {
                note.push(match lang {
                    crate::web::Lang::Vi => {
                        format!("Phụ cấp thâm niên vượt khung {}%", r.seniority_percent)
                    }
                    crate::web::Lang::En => format!("Seniority allowance {}%", r.seniority_percent),
                });
            }
            if r.delay_half_months > 0 {
                note.push(match lang {
                    crate::web::Lang::Vi => format!(
                        "Kéo dài {} tháng (kỷ luật, xếp loại không hoàn thành nhiệm vụ, thời gian \
                         không tính nâng lương)",
                        months_text(r.delay_half_months, ',')
                    ),
                    crate::web::Lang::En => format!(
                        "Delayed {} months (discipline, ratings, time not counted)",
                        months_text(r.delay_half_months, '.')
                    ),
                });
            }
            RaiseRow {
                now: format!(
                    "{} / {} ({})",
                    r.grade_code,
                    r.step,
                    coefficient(r.coefficient)
                ),
                next: if seniority {
                    String::new()
                } else {
                    format!("{} ({})", r.next_step, coefficient(r.next_coefficient))
                },
                due: date(r.due_date.as_ref()),
                note: note.join("; "),
                name: r.full_name,
                id: r.employee_id,
            }
        })
        .collect();
    render(&RaisesPage {
        page: ctx.page.crumbs(&[
            (Some("/bang-luong"), "Bảng lương", "Payroll"),
            (None, "Đến hạn nâng lương", "Raises due"),
        ]),
        from: date(Some(&from)),
        to: date(Some(&to)),
        units,
        rows,
    })
}

/// A delay in half months as people write it: "2", "1,5" (Vietnamese decimal comma).
fn months_text(half_months: i32, decimal: char) -> String {
    if half_months % 2 == 0 {
        (half_months / 2).to_string()
    } else {
        format!("{}{decimal}5", half_months / 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delay_is_written_to_the_half_month() {
        assert_eq!(months_text(3, ','), "1,5");
        assert_eq!(months_text(12, ','), "6");
        assert_eq!(months_text(1, '.'), "0.5");
    }

    #[test]
    fn months_are_read_as_month_slash_year() {
        assert_eq!(parse_month("11/2026"), Some((2026, 11)));
        assert_eq!(parse_month(" 3 / 2025 "), Some((2025, 3)));
        assert_eq!(parse_month("13/2026"), None);
        assert_eq!(parse_month("2026-11"), None);
    }

    #[test]
    fn a_long_payroll_is_shown_a_hundred_lines_at_a_time() {
        assert_eq!(window(0, None), (1, 1, 0));
        assert_eq!(window(2_500, None), (1, 25, 0));
        assert_eq!(window(2_500, Some(3)), (3, 25, 200));
        assert_eq!(
            window(2_500, Some(99)),
            (25, 25, 2_400),
            "past the end: the last page"
        );
        assert_eq!(window(100, Some(2)), (1, 1, 0));
    }
}
