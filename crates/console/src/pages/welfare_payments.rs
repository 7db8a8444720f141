//! A period's payment list and its settlement (QĐ 503/2022 Điều 9, 19.4b) — a month, a school
//! term or a year by the policy's frequency: the commune sees the period's entitlements,
//! prepares the list, marks each line paid or unpaid with its reason,
//! records the funds received and submits; the district Finance-Planning office appraises or
//! returns it with a reason; provincial Finance approves and reads the roll-up.

use crate::pages::employees::{date, day_of, parse_date};
use crate::pages::welfare::{READ, WRITE, coefficient, policies};
use crate::web::unit_choice::UnitChoice;
use crate::web::{Ctx, Errors, Failure, FieldError, Page, encode, render};
use askama::Template;
use axum::extract::{Path, Query, RawForm};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use tinhso_platform::vn::money;
use tinhso_proto::welfare::v1 as pb;
use tinhso_proto::welfare::v1::entitlement_service_client::EntitlementServiceClient;
use tinhso_proto::welfare::v1::payment_service_client::PaymentServiceClient;

const APPRAISE: &str = "welfare.settlement.appraise";
const APPROVE: &str = "welfare.settlement.approve";

pub(crate) fn state_name(page: &Page, state: i32) -> &'static str {
    match pb::ApprovalState::try_from(state).unwrap_or(pb::ApprovalState::Unspecified) {
        pb::ApprovalState::Draft => page.t("Đang lập", "Draft"),
        pb::ApprovalState::Submitted => page.t("Đã gửi, chờ thẩm định", "Submitted"),
        pb::ApprovalState::Appraised => page.t("Đã thẩm định, chờ phê duyệt", "Appraised"),
        pb::ApprovalState::Approved => page.t("Đã phê duyệt", "Approved"),
        pb::ApprovalState::Returned => page.t("Bị trả lại", "Returned"),
        pb::ApprovalState::Unspecified => "",
    }
}

fn this_month(ctx: &Ctx) -> String {
    let today = tinhso_platform::clock::vietnam_date(ctx.console.clock.now_ms());
    format!("{:04}-{:02}", today.year(), u8::from(today.month()))
}

/// The period a policy paid at `frequency` is at today (Vietnam's date): this month, the
/// school term (September to December the first; January to August still the second) or this
/// year.
fn current_period(ctx: &Ctx, frequency: &str) -> String {
    let today = tinhso_platform::clock::vietnam_date(ctx.console.clock.now_ms());
    let (year, month) = (today.year(), u8::from(today.month()));
    match frequency {
        "per_term" if month >= 9 => format!("{year}-{}/HK1", year + 1),
        "per_term" => format!("{}-{year}/HK2", year - 1),
        "yearly" => format!("{year:04}"),
        _ => this_month(ctx),
    }
}

/// How often a policy is paid, as its choice in a list says it.
fn paid_by(page: &Page, frequency: &str) -> &'static str {
    match frequency {
        "per_term" => page.t(" (theo học kỳ)", " (per term)"),
        "yearly" => page.t(" (hằng năm)", " (yearly)"),
        "one_off" => page.t(" (một lần)", " (once)"),
        _ => "",
    }
}

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    #[serde(default)]
    don_vi: String,
    #[serde(default)]
    thang: String,
    #[serde(default)]
    chinh_sach: String,
}

pub struct EntitlementRow {
    pub name: String,
    pub category: String,
    pub base: String,
    pub coefficient: String,
    pub months: i32,
    pub amount: String,
}

pub struct ListRow {
    pub id: String,
    pub unit: String,
    pub state: &'static str,
    pub entitled: String,
    pub paid: String,
    pub pending: i32,
}

pub struct TotalsRow {
    pub unit: String,
    pub lists: i32,
    pub entitled: String,
    pub paid: String,
    pub unpaid: String,
    pub funded: String,
}

#[derive(Template)]
#[template(path = "welfare_payments.html")]
struct MonthPage {
    page: Page,
    units: UnitChoice,
    month: String,
    policy: String,
    policies: Vec<(String, String)>,
    own_list: Option<String>,
    preview: Vec<EntitlementRow>,
    preview_total: String,
    lists: Vec<ListRow>,
    totals: Vec<TotalsRow>,
    can_prepare: bool,
    errors: Errors,
}

async fn month_page(ctx: Ctx, q: MonthQuery, errors: Errors, status: StatusCode) -> Response {
    let units = match UnitChoice::of(&ctx, READ, &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    let all_policies = match policies(&ctx).await {
        Ok(p) => p,
        Err(f) => return f.page(&ctx.page),
    };
    let chosen = all_policies.iter().find(|p| p.code == q.chinh_sach);
    let month = match (q.thang.trim(), chosen) {
        ("", Some(p)) => current_period(&ctx, &p.frequency),
        ("", None) => this_month(&ctx),
        (typed, _) => typed.to_string(),
    };
    let monthly: Vec<(String, String)> = all_policies
        .iter()
        .filter(|p| p.frequency == "monthly")
        .map(|p| (p.code.clone(), p.name.clone()))
        .collect();
    let choices: Vec<(String, String)> = all_policies
        .iter()
        .map(|p| {
            (
                p.code.clone(),
                format!("{}{}", p.name, paid_by(&ctx.page, &p.frequency)),
            )
        })
        .collect();
    let policy = if let Some(p) = chosen {
        p.code.clone()
    } else {
        // None chosen: the first monthly policy the unit pays anyone under this month.
        let mut first_paid = None;
        for (code, _) in &monthly {
            let paid = EntitlementServiceClient::new(ctx.console.welfare.clone())
                .list_entitlements(ctx.request(pb::ListEntitlementsRequest {
                    unit_id: units.selected.clone(),
                    policy: code.clone(),
                    period: month.clone(),
                    ..Default::default()
                }))
                .await
                .is_ok_and(|r| !r.into_inner().lines.is_empty());
            if paid {
                first_paid = Some(code.clone());
                break;
            }
        }
        first_paid
            .or_else(|| monthly.first().map(|(c, _)| c.clone()))
            .unwrap_or_default()
    };
    let mut payments = PaymentServiceClient::new(ctx.console.welfare.clone());
    let listed = match payments
        .list_payment_lists(ctx.request(pb::ListPaymentListsRequest {
            unit_id: units.selected.clone(),
            period: month.clone(),
            policy: policy.clone(),
            ..Default::default()
        }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(s) => match Failure::of(&s, ctx.page.lang) {
            Failure::Fields(errors) => {
                // A period typed wrong: show the page for the current one with the problem.
                let q = MonthQuery {
                    thang: String::new(),
                    ..q
                };
                return Box::pin(month_page(ctx, q, Errors(errors), StatusCode::BAD_REQUEST)).await;
            }
            other => return other.page(&ctx.page),
        },
    };
    let own_list = listed
        .lists
        .iter()
        .find(|l| l.unit_id == units.selected)
        .map(|l| l.id.clone());
    let (preview, preview_total) = if own_list.is_none() {
        match EntitlementServiceClient::new(ctx.console.welfare.clone())
            .list_entitlements(ctx.request(pb::ListEntitlementsRequest {
                unit_id: units.selected.clone(),
                policy: policy.clone(),
                period: month.clone(),
                ..Default::default()
            }))
            .await
        {
            Ok(r) => {
                let r = r.into_inner();
                (
                    r.lines
                        .into_iter()
                        .map(|l| EntitlementRow {
                            name: l.beneficiary_name,
                            category: l.category,
                            base: money(l.base),
                            coefficient: if l.coefficient > 0 {
                                coefficient(l.coefficient)
                            } else {
                                crate::pages::welfare::quantity(l.quantity)
                            },
                            months: l.months,
                            amount: money(l.amount),
                        })
                        .collect(),
                    money(r.total),
                )
            }
            Err(s) => match Failure::of(&s, ctx.page.lang) {
                // A period not of the policy's kind (a month for a per-term policy): the
                // policy's current period, with the problem at the field.
                Failure::Fields(errors) if !q.thang.trim().is_empty() => {
                    let q = MonthQuery {
                        thang: String::new(),
                        ..q
                    };
                    return Box::pin(month_page(ctx, q, Errors(errors), StatusCode::BAD_REQUEST))
                        .await;
                }
                other => return other.page(&ctx.page),
            },
        }
    } else {
        (Vec::new(), String::new())
    };
    let lists = listed
        .lists
        .iter()
        .map(|l| ListRow {
            id: l.id.clone(),
            unit: l.unit_name.clone(),
            state: state_name(&ctx.page, l.state),
            entitled: money(l.entitled),
            paid: money(l.paid),
            pending: l.pending_lines,
        })
        .collect();
    let totals = listed
        .roll_up
        .iter()
        .map(|t| TotalsRow {
            unit: t.unit_name.clone(),
            lists: t.lists,
            entitled: money(t.entitled),
            paid: money(t.paid),
            unpaid: money(t.unpaid),
            funded: money(t.funded),
        })
        .collect();
    let can_prepare = ctx.principal.can(WRITE, units.selected_path());
    let body = MonthPage {
        page: ctx.page.crumbs(&[
            (Some("/an-sinh"), "An sinh xã hội", "Welfare"),
            (None, "Chi trả và quyết toán", "Payments and settlement"),
        ]),
        units,
        month,
        policy,
        policies: choices,
        own_list,
        preview,
        preview_total,
        lists,
        totals,
        can_prepare,
        errors,
    };
    (status, render(&body)).into_response()
}

pub async fn month(ctx: Ctx, Query(q): Query<MonthQuery>) -> Response {
    month_page(ctx, q, Errors::default(), StatusCode::OK).await
}

#[derive(Deserialize, Default)]
pub struct PrepareForm {
    #[serde(default)]
    don_vi: String,
    #[serde(default)]
    thang: String,
    #[serde(default)]
    chinh_sach: String,
}

pub async fn prepare(ctx: Ctx, axum::Form(f): axum::Form<PrepareForm>) -> Response {
    let reply = PaymentServiceClient::new(ctx.console.welfare.clone())
        .prepare_payment_list(ctx.request(pb::PreparePaymentListRequest {
            unit_id: f.don_vi.clone(),
            policy: f.chinh_sach.clone(),
            period: f.thang.clone(),
        }))
        .await;
    match reply {
        Ok(r) => Redirect::to(&format!(
            "/an-sinh/chi-tra/{}?xong=lap",
            encode(&r.into_inner().id)
        ))
        .into_response(),
        Err(s) => match Failure::of(&s, ctx.page.lang) {
            Failure::Fields(errors) => {
                let q = MonthQuery {
                    don_vi: f.don_vi,
                    thang: f.thang,
                    chinh_sach: f.chinh_sach,
                };
                month_page(ctx, q, Errors(errors), StatusCode::BAD_REQUEST).await
            }
            other => other.page(&ctx.page),
        },
    }
}

// ---- One list ----

pub struct LineView {
    pub enrolment_id: String,
    pub name: String,
    pub terms: String,
    pub amount: String,
    pub payment: String,
    pub paid_on: String,
    pub method: String,
    pub reason: String,
}

pub struct StepView {
    pub action: &'static str,
    pub reason: String,
    pub who: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "welfare_payment_list.html")]
struct ListPage {
    page: Page,
    l: pb::PaymentList,
    policy: String,
    state: &'static str,
    lines: Vec<LineView>,
    steps: Vec<StepView>,
    figures: Vec<(&'static str, String)>,
    editable: bool,
    can_write: bool,
    can_appraise: bool,
    can_approve: bool,
    done: Option<&'static str>,
    errors: Errors,
}

fn action_name(page: &Page, action: &str) -> &'static str {
    match action {
        "prepare" => page.t("Lập danh sách", "Prepared"),
        "submit" => page.t("Gửi quyết toán", "Submitted"),
        "appraise" => page.t("Thẩm định", "Appraised"),
        "approve" => page.t("Phê duyệt", "Approved"),
        "return" => page.t("Trả lại", "Returned"),
        _ => "",
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    xong: String,
}

async fn list_page(
    ctx: Ctx,
    id: String,
    done: &str,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let l = match PaymentServiceClient::new(ctx.console.welfare.clone())
        .get_payment_list(ctx.request(pb::GetPaymentListRequest { id }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let policy = policies(&ctx)
        .await
        .ok()
        .and_then(|ps| ps.into_iter().find(|p| p.code == l.policy).map(|p| p.name))
        .unwrap_or_else(|| l.policy.clone());
    let state = pb::ApprovalState::try_from(l.state).unwrap_or(pb::ApprovalState::Unspecified);
    let editable = matches!(
        state,
        pb::ApprovalState::Draft | pb::ApprovalState::Returned
    );
    let lines = l
        .lines
        .iter()
        .map(|x| LineView {
            enrolment_id: x.enrolment_id.clone(),
            name: x.beneficiary_name.clone(),
            terms: if x.coefficient > 0 {
                format!("{} × {}", money(x.base), coefficient(x.coefficient))
            } else if x.quantity > 0 {
                format!(
                    "{} × {}",
                    money(x.base),
                    crate::pages::welfare::quantity(x.quantity)
                )
            } else {
                money(x.base)
            },
            amount: money(x.amount),
            payment: x.payment.clone(),
            paid_on: date(x.paid_on.as_ref()),
            method: x.method.clone(),
            reason: x.unpaid_reason.clone(),
        })
        .collect();
    let steps = l
        .steps
        .iter()
        .map(|s| StepView {
            action: action_name(&ctx.page, &s.action),
            reason: s.reason.clone(),
            who: s.actor_username.clone(),
            when: day_of(s.step_time.as_ref()),
        })
        .collect();
    let figures = vec![
        (ctx.page.t("Phải trả", "Entitled"), money(l.entitled)),
        (ctx.page.t("Đã chi", "Paid"), money(l.paid)),
        (ctx.page.t("Chưa chi", "Unpaid"), money(l.unpaid)),
        (
            ctx.page.t("Kinh phí đã nhận", "Funds received"),
            money(l.funded),
        ),
        (ctx.page.t("Kinh phí còn thừa", "Surplus"), money(l.surplus)),
        (
            ctx.page.t("Kinh phí còn thiếu", "Shortfall"),
            money(l.shortfall),
        ),
    ];
    let done = match done {
        "lap" => Some(
            ctx.page
                .t("Đã lập danh sách chi trả.", "The payment list is prepared."),
        ),
        "ghi" => Some(ctx.page.t("Đã ghi chi trả.", "Payments recorded.")),
        "buoc" => Some(ctx.page.t("Đã chuyển bước.", "Done.")),
        _ => None,
    };
    let body = ListPage {
        policy,
        state: state_name(&ctx.page, l.state),
        lines,
        steps,
        figures,
        editable,
        can_write: ctx.principal.can(WRITE, &l.unit_path),
        can_appraise: state == pb::ApprovalState::Submitted
            && ctx.principal.can(APPRAISE, &l.unit_path),
        can_approve: state == pb::ApprovalState::Appraised
            && ctx.principal.can(APPROVE, &l.unit_path),
        done,
        errors,
        l,
        page: ctx.page.crumbs(&[
            (Some("/an-sinh"), "An sinh xã hội", "Welfare"),
            (
                Some("/an-sinh/chi-tra"),
                "Chi trả và quyết toán",
                "Payments and settlement",
            ),
            (None, "Danh sách chi trả", "Payment list"),
        ]),
    };
    (status, render(&body)).into_response()
}

pub async fn list(ctx: Ctx, Path(id): Path<String>, Query(q): Query<ListQuery>) -> Response {
    list_page(ctx, id, &q.xong, Errors::default(), StatusCode::OK).await
}

/// The marks of the record form: `pay.<enrolment>` = paid | unpaid | (empty), with `on.`,
/// `method.` and `reason.` beside it; `funded` in đồng; `version`.
pub async fn record(ctx: Ctx, Path(id): Path<String>, RawForm(body): RawForm) -> Response {
    let fields: HashMap<String, String> = form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |k: &str| fields.get(k).map_or("", String::as_str).trim().to_string();
    let mut errors = Vec::new();
    let mut marks = Vec::new();
    let mut ids: Vec<&String> = fields.keys().filter(|k| k.starts_with("pay.")).collect();
    ids.sort();
    for key in ids {
        let enrolment = &key["pay.".len()..];
        match get(key).as_str() {
            "paid" => {
                let on = parse_date(&get(&format!("on.{enrolment}")));
                if on.is_none() {
                    errors.push(FieldError {
                        field: format!("on.{enrolment}"),
                        message: ctx
                            .page
                            .t(
                                "Ngày chi là một ngày có thật, dạng ngày/tháng/năm.",
                                "The payment date is a real date, dd/mm/yyyy.",
                            )
                            .to_string(),
                    });
                }
                marks.push(pb::PaymentMark {
                    enrolment_id: enrolment.to_string(),
                    paid: true,
                    paid_on: on,
                    method: get(&format!("method.{enrolment}")),
                    unpaid_reason: String::new(),
                });
            }
            "unpaid" => marks.push(pb::PaymentMark {
                enrolment_id: enrolment.to_string(),
                paid: false,
                paid_on: None,
                method: String::new(),
                unpaid_reason: get(&format!("reason.{enrolment}")),
            }),
            _ => {}
        }
    }
    let funded = match get("funded").replace(['.', ' '], "") {
        t if t.is_empty() => -1,
        t => match t.parse::<i64>() {
            Ok(v) => v,
            Err(_) => {
                errors.push(FieldError {
                    field: "funded".into(),
                    message: ctx
                        .page
                        .t(
                            "Kinh phí là một số đồng.",
                            "The funds are a number of đồng.",
                        )
                        .to_string(),
                });
                -1
            }
        },
    };
    if !errors.is_empty() {
        return list_page(ctx, id, "", Errors(errors), StatusCode::BAD_REQUEST).await;
    }
    let reply = PaymentServiceClient::new(ctx.console.welfare.clone())
        .record_payments(ctx.request(pb::RecordPaymentsRequest {
            id: id.clone(),
            version: get("version").parse().unwrap_or_default(),
            marks,
            funded,
        }))
        .await;
    match reply {
        Ok(_) => {
            Redirect::to(&format!("/an-sinh/chi-tra/{}?xong=ghi", encode(&id))).into_response()
        }
        Err(s) => match Failure::of(&s, ctx.page.lang) {
            Failure::Fields(errors) => {
                list_page(ctx, id, "", Errors(errors), StatusCode::BAD_REQUEST).await
            }
            other => other.page(&ctx.page),
        },
    }
}

#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

pub async fn advance(
    ctx: Ctx,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<StepForm>,
) -> Response {
    let reply = PaymentServiceClient::new(ctx.console.welfare.clone())
        .advance_payment_list(ctx.request(pb::AdvancePaymentListRequest {
            id: id.clone(),
            version: f.version.trim().parse().unwrap_or_default(),
            action: f.action.clone(),
            reason: f.reason.clone(),
        }))
        .await;
    match reply {
        Ok(_) => {
            Redirect::to(&format!("/an-sinh/chi-tra/{}?xong=buoc", encode(&id))).into_response()
        }
        Err(s) => match Failure::of(&s, ctx.page.lang) {
            Failure::Fields(errors) => {
                list_page(ctx, id, "", Errors(errors), StatusCode::BAD_REQUEST).await
            }
            other => other.page(&ctx.page),
        },
    }
}

// ---- Reports and downloads ----

#[derive(Template)]
#[template(path = "welfare_report.html")]
struct ReportPage {
    page: Page,
    units: UnitChoice,
    month: String,
    report: pb::WelfareReport,
    cells: Vec<(String, u8, Vec<String>)>,
    download_href: String,
}

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    #[serde(default)]
    don_vi: String,
    #[serde(default)]
    thang: String,
}

/// The month's report per policy and unit, with its workbook.
pub async fn report(ctx: Ctx, Query(q): Query<ReportQuery>) -> Response {
    let units = match UnitChoice::of(&ctx, READ, &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    let month = if q.thang.trim().is_empty() {
        this_month(&ctx)
    } else {
        q.thang.trim().to_string()
    };
    let report = match tinhso_proto::welfare::v1::report_service_client::ReportServiceClient::new(
        ctx.console.welfare.clone(),
    )
    .get_welfare_report(ctx.request(pb::GetWelfareReportRequest {
        unit_id: units.selected.clone(),
        period: month.clone(),
        ..Default::default()
    }))
    .await
    {
        Ok(r) => r.into_inner(),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let cells = report
        .rows
        .iter()
        .map(|r| {
            let values = report
                .columns
                .iter()
                .zip(&r.values)
                .map(|(c, v)| {
                    if c.key.ends_with(":amount") {
                        money(*v)
                    } else {
                        v.to_string()
                    }
                })
                .collect();
            (
                r.unit_name.clone(),
                u8::try_from(r.depth).unwrap_or(0),
                values,
            )
        })
        .collect();
    let download_href = format!(
        "/an-sinh/bao-cao/tai-ve?don_vi={}&thang={}",
        encode(&units.selected),
        encode(&month)
    );
    let body = ReportPage {
        units,
        month,
        report,
        cells,
        download_href,
        page: ctx.page.crumbs(&[
            (Some("/an-sinh"), "An sinh xã hội", "Welfare"),
            (None, "Báo cáo", "Reports"),
        ]),
    };
    render(&body)
}

pub async fn report_file(ctx: Ctx, Query(q): Query<ReportQuery>) -> Response {
    let units = match UnitChoice::of(&ctx, READ, &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    match tinhso_proto::welfare::v1::report_service_client::ReportServiceClient::new(
        ctx.console.welfare.clone(),
    )
    .export_welfare_report(ctx.request(pb::GetWelfareReportRequest {
        unit_id: units.selected,
        period: q.thang,
        ..Default::default()
    }))
    .await
    {
        Ok(r) => crate::web::download(r.into_inner(), "bao-cao-an-sinh.xlsx", &ctx.page).await,
        Err(s) => Failure::of(&s, ctx.page.lang).page(&ctx.page),
    }
}

pub async fn list_file(ctx: Ctx, Path(id): Path<String>) -> Response {
    match tinhso_proto::welfare::v1::report_service_client::ReportServiceClient::new(
        ctx.console.welfare.clone(),
    )
    .export_payment_list(ctx.request(pb::GetPaymentListRequest { id }))
    .await
    {
        Ok(r) => crate::web::download(r.into_inner(), "danh-sach-chi-tra.xlsx", &ctx.page).await,
        Err(s) => Failure::of(&s, ctx.page.lang).page(&ctx.page),
    }
}

#[derive(Deserialize, Default)]
pub struct PeopleQuery {
    #[serde(default)]
    don_vi: String,
    #[serde(default)]
    q: String,
}

pub async fn people_file(ctx: Ctx, Query(q): Query<PeopleQuery>) -> Response {
    let units = match UnitChoice::of(&ctx, READ, &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    match tinhso_proto::welfare::v1::report_service_client::ReportServiceClient::new(
        ctx.console.welfare.clone(),
    )
    .export_beneficiaries(ctx.request(pb::ListBeneficiariesRequest {
        unit_id: units.selected,
        query: q.q,
        ..Default::default()
    }))
    .await
    {
        Ok(r) => crate::web::download(r.into_inner(), "danh-sach-doi-tuong.xlsx", &ctx.page).await,
        Err(s) => Failure::of(&s, ctx.page.lang).page(&ctx.page),
    }
}
