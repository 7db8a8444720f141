//! "Việc cần làm": what is due for the person, gathered from each service they work in, over
//! every unit they hold a grant in (not only the first).

use crate::web::{Ctx, render};
use askama::Template;
use axum::response::Response;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::employee_service_client::EmployeeServiceClient;
use tinhso_proto::personnel::v1::salary_service_client::SalaryServiceClient;

/// One kind of work due, with how many and where to do it.
pub struct Task {
    pub count: usize,
    pub vi: &'static str,
    pub en: &'static str,
    pub href: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: crate::web::Page,
    tasks: Vec<Task>,
    unavailable: Vec<&'static str>,
}

/// The units at the top of the person's scopes for `permission`; a scope inside another one is
/// covered by it, so nothing is counted twice.
fn top_units(ctx: &Ctx, permission: &str) -> Vec<String> {
    let scopes = ctx.principal.scopes_for(permission);
    scopes
        .iter()
        .filter(|s| {
            !scopes
                .iter()
                .any(|other| other != *s && s.starts_with(other.as_str()))
        })
        .map(|s| {
            tinhso_platform::UnitPath::new(s.clone())
                .unit_id()
                .into_string()
        })
        .collect()
}

pub async fn show(ctx: Ctx) -> Response {
    let mut tasks = Vec::new();
    let mut failed = false;
    let mut employees = EmployeeServiceClient::new(ctx.console.personnel.clone());
    // Personnel: records handed over to the person's units, waiting to be accepted.
    let mut handovers = 0;
    for unit_id in top_units(&ctx, "personnel.record.write") {
        match employees
            .list_pending_movements(ctx.request(pb::ListPendingMovementsRequest { unit_id }))
            .await
        {
            Ok(r) => handovers += r.into_inner().movements.len(),
            Err(s) if s.code() == tonic::Code::PermissionDenied => {}
            Err(_) => failed = true,
        }
    }
    // Records entered later than the regulation allows (hires within 30 days, movements within
    // 15), over the last year.
    let now = ctx.console.clock.now_ms();
    let mut late = 0;
    let read_units = top_units(&ctx, "personnel.record.read");
    for unit_id in &read_units {
        match employees
            .get_compliance(ctx.request(pb::GetComplianceRequest {
                unit_id: unit_id.clone(),
                start_time: Some(tinhso_platform::clock::to_timestamp(now - 365 * 86_400_000)),
                end_time: None,
            }))
            .await
        {
            Ok(r) => late += r.into_inner().late_entries.len(),
            Err(s) if s.code() == tonic::Code::PermissionDenied => {}
            Err(_) => failed = true,
        }
    }
    // This month's payrolls not closed yet (QĐ 80 Điều 15), late ones included.
    let today = tinhso_platform::clock::vietnam_date(now);
    let mut open_payrolls = 0;
    for unit_id in top_units(&ctx, "personnel.record.write") {
        match SalaryServiceClient::new(ctx.console.personnel.clone())
            .get_payroll_schedule(ctx.request(pb::GetPayrollScheduleRequest {
                unit_id,
                year: today.year(),
                month: i32::from(u8::from(today.month())),
            }))
            .await
        {
            Ok(r) => {
                open_payrolls += r
                    .into_inner()
                    .units
                    .iter()
                    .filter(|u| {
                        matches!(
                            pb::PayrollTimeliness::try_from(u.timeliness),
                            Ok(pb::PayrollTimeliness::Pending | pb::PayrollTimeliness::Overdue)
                        )
                    })
                    .count();
            }
            Err(s) if s.code() == tonic::Code::PermissionDenied => {}
            Err(_) => failed = true,
        }
    }
    for (count, vi, en, href) in [
        (
            handovers,
            "hồ sơ chuyển đến đang chờ tiếp nhận",
            "records handed over, waiting to be accepted",
            "/ho-so/chuyen-den",
        ),
        (
            late,
            "hồ sơ cập nhật trễ hạn trong 12 tháng qua",
            "records entered late in the last 12 months",
            "/ho-so/tre-han",
        ),
        (
            open_payrolls,
            "đơn vị chưa chốt bảng lương tháng này",
            "units that have not closed this month's payroll",
            "/bang-luong/tien-do",
        ),
    ] {
        if count > 0 {
            tasks.push(Task {
                count,
                vi,
                en,
                href,
            });
        }
    }
    let unavailable = if failed {
        vec![ctx.page.t("hồ sơ cán bộ", "personnel records")]
    } else {
        Vec::new()
    };
    render(&HomePage {
        page: ctx.page,
        tasks,
        unavailable,
    })
}
