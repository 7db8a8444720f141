//! "Việc cần làm": what is due for the person, gathered from each service they work in.

use crate::web::{Ctx, render};
use askama::Template;
use axum::response::Response;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::employee_service_client::EmployeeServiceClient;

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

pub async fn show(ctx: Ctx) -> Response {
    let mut tasks = Vec::new();
    let mut unavailable = Vec::new();
    // Personnel: records handed over to the person's unit, waiting to be accepted.
    if let Some(scope) = ctx.principal.scopes_for("personnel.record.write").first() {
        let unit_id = tinhso_platform::UnitPath::new(scope.clone()).unit_id();
        let reply = EmployeeServiceClient::new(ctx.console.personnel.clone())
            .list_pending_movements(ctx.request(pb::ListPendingMovementsRequest {
                unit_id: unit_id.into_string(),
            }))
            .await;
        match reply {
            Ok(r) => {
                let count = r.into_inner().movements.len();
                if count > 0 {
                    tasks.push(Task {
                        count,
                        vi: "hồ sơ chuyển đến đang chờ tiếp nhận",
                        en: "records handed over, waiting to be accepted",
                        href: "/ho-so/chuyen-den",
                    });
                }
            }
            Err(status) if status.code() == tonic::Code::PermissionDenied => {}
            Err(_) => unavailable.push(ctx.page.t("hồ sơ cán bộ", "personnel records")),
        }
    }
    // Personnel: records entered later than the regulation allows (hires within 30 days,
    // movements within 15), over the last year of the person's scope.
    if let Some(scope) = ctx.principal.scopes_for("personnel.record.read").first() {
        let unit_id = tinhso_platform::UnitPath::new(scope.clone()).unit_id();
        let now = ctx.console.clock.now_ms();
        let reply = EmployeeServiceClient::new(ctx.console.personnel.clone())
            .get_compliance(ctx.request(pb::GetComplianceRequest {
                unit_id: unit_id.into_string(),
                start_time: Some(tinhso_platform::clock::to_timestamp(now - 365 * 86_400_000)),
                end_time: None,
            }))
            .await;
        match reply {
            Ok(r) => {
                let count = r.into_inner().late_entries.len();
                if count > 0 {
                    tasks.push(Task {
                        count,
                        vi: "hồ sơ cập nhật trễ hạn trong 12 tháng qua",
                        en: "records entered late in the last 12 months",
                        href: "/ho-so/tre-han",
                    });
                }
            }
            Err(status) if status.code() == tonic::Code::PermissionDenied => {}
            Err(_) => {
                let name = ctx.page.t("hồ sơ cán bộ", "personnel records");
                if !unavailable.contains(&name) {
                    unavailable.push(name);
                }
            }
        }
    }
    let page = ctx.page;
    render(&HomePage {
        page,
        tasks,
        unavailable,
    })
}
