//! Welfare funds (QĐ 503/2022): the commune's beneficiaries (search, record, entry), their
//! enrolments with every change and the sector department's verification, and the parameters
//! provincial Finance keeps. The month's payment list and settlement are `welfare_payments`.

use crate::pages::employees::{date, day_of, parse_date};
use crate::web::unit_choice::UnitChoice;
use crate::web::{Ctx, Errors, Failure, FieldError, Page, encode, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tinhso_platform::vn::money;
use tinhso_proto::welfare::v1 as pb;
use tinhso_proto::welfare::v1::beneficiary_service_client::BeneficiaryServiceClient;
use tinhso_proto::welfare::v1::enrolment_service_client::EnrolmentServiceClient;
use tinhso_proto::welfare::v1::policy_service_client::PolicyServiceClient;

pub(crate) const READ: &str = "welfare.beneficiary.read";
pub(crate) const WRITE: &str = "welfare.beneficiary.write";
const VERIFY: [&str; 4] = [
    "welfare.labour.verify",
    "welfare.education.verify",
    "welfare.school.verify",
    "welfare.finance.verify",
];

/// A coefficient in hundredths as people write it: 1,5.
pub(crate) fn coefficient(k: i32) -> String {
    if k % 100 == 0 {
        format!("{}", k / 100)
    } else if k % 10 == 0 {
        format!("{},{}", k / 100, (k % 100) / 10)
    } else {
        format!("{},{:02}", k / 100, k % 100)
    }
}

/// A quantity in thousandths: 30, 0,35.
pub(crate) fn quantity(q: i64) -> String {
    if q == 0 {
        return String::new();
    }
    let whole = q / 1000;
    let rest = q % 1000;
    if rest == 0 {
        whole.to_string()
    } else {
        format!("{whole},{}", format!("{rest:03}").trim_end_matches('0'))
    }
}

/// "1,5" or "0.35" in thousandths; None when it is not a number.
fn thousandths(text: &str) -> Option<i64> {
    let t = text.trim().replace(',', ".");
    if t.is_empty() {
        return Some(0);
    }
    let v: f64 = t.parse().ok()?;
    v.is_finite().then(|| (v * 1000.0).round() as i64)
}

pub(crate) fn status_name(page: &Page, status: i32) -> &'static str {
    match pb::EnrolmentStatus::try_from(status).unwrap_or(pb::EnrolmentStatus::Unspecified) {
        pb::EnrolmentStatus::Pending => page.t("Chờ xác minh", "Awaiting verification"),
        pb::EnrolmentStatus::Active => page.t("Đang hưởng", "Active"),
        pb::EnrolmentStatus::Suspended => page.t("Tạm dừng", "Suspended"),
        pb::EnrolmentStatus::Ended => page.t("Thôi hưởng", "Ended"),
        pb::EnrolmentStatus::Rejected => page.t("Không được xác minh", "Rejected"),
        pb::EnrolmentStatus::Unspecified => "",
    }
}

fn change_name(page: &Page, change: &str) -> &'static str {
    match change {
        "increase" => page.t("Tăng mới", "Enrolled"),
        "verify" => page.t("Xác minh", "Verified"),
        "reject" => page.t("Không xác minh", "Rejected"),
        "adjust" => page.t("Điều chỉnh mức", "Adjusted"),
        "suspend" => page.t("Tạm dừng", "Suspended"),
        "resume" => page.t("Hưởng lại", "Resumed"),
        "decrease" => page.t("Thôi hưởng (giảm)", "Ended"),
        _ => "",
    }
}

/// The policies (code, name) and the categories of the social allowance (code, name with its
/// coefficient).
pub(crate) async fn policies(ctx: &Ctx) -> Result<Vec<pb::Policy>, Failure> {
    PolicyServiceClient::new(ctx.console.welfare.clone())
        .list_policies(ctx.request(pb::ListPoliciesRequest {}))
        .await
        .map(|r| r.into_inner().policies)
        .map_err(|s| Failure::of(&s, ctx.page.lang))
}

fn policy_name(policies: &[pb::Policy], code: &str) -> String {
    policies
        .iter()
        .find(|p| p.code == code)
        .map_or(code.to_string(), |p| p.name.clone())
}

fn category_name(policies: &[pb::Policy], code: &str) -> String {
    policies
        .iter()
        .flat_map(|p| p.categories.iter())
        .find(|c| c.code == code)
        .map_or(code.to_string(), |c| c.name.clone())
}

/// A date field that is not a real day/month/year.
pub(crate) fn bad_date(page: &Page, field: &str) -> FieldError {
    field_error(
        field,
        page.t(
            "Hãy nhập một ngày có thật, dạng ngày/tháng/năm.",
            "Enter a real date as day/month/year.",
        ),
    )
}

/// A quantity field that is not a number.
fn bad_quantity(page: &Page) -> FieldError {
    field_error(
        "quantity",
        page.t(
            "Số lượng là một số, ví dụ 30 hoặc 0,35.",
            "The quantity is a number.",
        ),
    )
}

fn field_error(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

// ---- Beneficiaries ----

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    don_vi: String,
    #[serde(default)]
    q: String,
}

pub struct BeneficiaryLine {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub born: String,
    pub citizen_id: String,
    pub merged: bool,
}

#[derive(Deserialize, Default)]
pub struct BeneficiaryForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    citizen_id: String,
    #[serde(default)]
    ethnicity: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    household_code: String,
    #[serde(default)]
    poverty: String,
    #[serde(default)]
    poverty_decision: String,
}

#[derive(Template)]
#[template(path = "welfare_beneficiaries.html")]
struct BeneficiariesPage {
    page: Page,
    units: UnitChoice,
    query: String,
    rows: Vec<BeneficiaryLine>,
    can_enter: bool,
    form: BeneficiaryForm,
    errors: Errors,
    can_verify: bool,
    can_settle: bool,
}

fn kind_name(page: &Page, kind: i32) -> &'static str {
    if kind == pb::BeneficiaryKind::Household as i32 {
        page.t("Hộ gia đình", "Household")
    } else {
        page.t("Cá nhân", "Person")
    }
}

async fn beneficiaries_page(
    ctx: Ctx,
    q: ListQuery,
    form: BeneficiaryForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let units = match UnitChoice::of(&ctx, READ, &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    let rows = match BeneficiaryServiceClient::new(ctx.console.welfare.clone())
        .list_beneficiaries(ctx.request(pb::ListBeneficiariesRequest {
            unit_id: units.selected.clone(),
            query: q.q.clone(),
            page_size: 200,
            ..Default::default()
        }))
        .await
    {
        Ok(r) => r.into_inner().beneficiaries,
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let mut rows: Vec<BeneficiaryLine> = rows
        .into_iter()
        .map(|b| BeneficiaryLine {
            kind: kind_name(&ctx.page, b.kind),
            born: date(b.birth_date.as_ref()),
            merged: !b.merged_into.is_empty(),
            citizen_id: b.citizen_id,
            id: b.id,
            name: b.full_name,
        })
        .collect();
    rows.sort_by_key(|r| tinhso_platform::vn::name_sort_key(&r.name));
    let can_enter = ctx.principal.can(WRITE, units.selected_path());
    let can_verify = VERIFY
        .iter()
        .any(|p| !ctx.principal.scopes_for(p).is_empty());
    let can_settle = !ctx.principal.scopes_for(WRITE).is_empty()
        || !ctx
            .principal
            .scopes_for("welfare.settlement.appraise")
            .is_empty()
        || !ctx
            .principal
            .scopes_for("welfare.settlement.approve")
            .is_empty();
    let body = BeneficiariesPage {
        page: ctx.page.crumbs(&[(None, "An sinh xã hội", "Welfare")]),
        units,
        query: q.q,
        rows,
        can_enter,
        form,
        errors,
        can_verify,
        can_settle,
    };
    (status, render(&body)).into_response()
}

pub async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> Response {
    beneficiaries_page(
        ctx,
        q,
        BeneficiaryForm::default(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    ctx: Ctx,
    Query(q): Query<ListQuery>,
    Form(f): Form<BeneficiaryForm>,
) -> Response {
    let household = f.kind == "household";
    let birth_date = if f.birth_date.trim().is_empty() {
        None
    } else {
        match parse_date(&f.birth_date) {
            Some(d) => Some(d),
            None => {
                let problem = bad_date(&ctx.page, "birth_date");
                return beneficiaries_page(
                    ctx,
                    q,
                    f,
                    Errors(vec![problem]),
                    StatusCode::BAD_REQUEST,
                )
                .await;
            }
        }
    };
    let units = match UnitChoice::exactly(&ctx, WRITE, &q.don_vi).await {
        Ok(u) => u,
        Err(failure) => return failure.page(&ctx.page),
    };
    let reply = BeneficiaryServiceClient::new(ctx.console.welfare.clone())
        .create_beneficiary(ctx.request(pb::CreateBeneficiaryRequest {
            beneficiary: Some(pb::Beneficiary {
                kind: if household {
                    pb::BeneficiaryKind::Household
                } else {
                    pb::BeneficiaryKind::Person
                } as i32,
                full_name: f.full_name.clone(),
                birth_date,
                sex: f.sex.clone(),
                citizen_id: f.citizen_id.clone(),
                ethnicity: f.ethnicity.clone(),
                address: f.address.clone(),
                commune_id: units.selected.clone(),
                household_code: f.household_code.clone(),
                poverty: f.poverty.clone(),
                poverty_decision: f.poverty_decision.clone(),
                ..Default::default()
            }),
        }))
        .await;
    match reply {
        Ok(r) => {
            let id = r.into_inner().beneficiary.map(|b| b.id).unwrap_or_default();
            Redirect::to(&format!("/an-sinh/doi-tuong/{}?xong=them", encode(&id))).into_response()
        }
        Err(s) => match Failure::of(&s, ctx.page.lang) {
            Failure::Fields(errors) => {
                beneficiaries_page(ctx, q, f, Errors(errors), StatusCode::BAD_REQUEST).await
            }
            other => other.page(&ctx.page),
        },
    }
}

// ---- One beneficiary ----

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    xong: String,
}

pub struct EnrolmentLine {
    pub id: String,
    pub policy: String,
    pub terms: String,
    pub decision: String,
    pub start: String,
    pub end: String,
    pub status: &'static str,
}

pub struct DuplicateLine {
    pub id: String,
    pub name: String,
    pub born: String,
    pub citizen_id: String,
}

#[derive(Deserialize, Default)]
pub struct EnrolForm {
    #[serde(default)]
    policy: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    decision_number: String,
    #[serde(default)]
    decision_date: String,
    #[serde(default)]
    start_date: String,
}

#[derive(Template)]
#[template(path = "welfare_beneficiary.html")]
struct BeneficiaryPage {
    page: Page,
    b: pb::Beneficiary,
    kind: &'static str,
    born: String,
    duplicates: Vec<DuplicateLine>,
    enrolments: Vec<EnrolmentLine>,
    done: Option<&'static str>,
    can_write: bool,
    policies: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    form: EnrolForm,
    errors: Errors,
}

fn terms_text(policies: &[pb::Policy], category: &str, k: i32, q: i64, level: &str) -> String {
    let mut parts = Vec::new();
    if !category.is_empty() {
        parts.push(format!(
            "{} — hệ số {}",
            category_name(policies, category),
            coefficient(k)
        ));
    }
    if q > 0 {
        parts.push(format!("số lượng {}", quantity(q)));
    }
    if !level.is_empty() {
        parts.push(format!("mức {level}"));
    }
    parts.join("; ")
}

async fn beneficiary_page(
    ctx: Ctx,
    id: String,
    done: &str,
    form: EnrolForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let record = match BeneficiaryServiceClient::new(ctx.console.welfare.clone())
        .get_beneficiary(ctx.request(pb::GetBeneficiaryRequest { id }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let policies = match policies(&ctx).await {
        Ok(p) => p,
        Err(f) => return f.page(&ctx.page),
    };
    let b = record.beneficiary.unwrap_or_default();
    let can_write = ctx.principal.can(WRITE, &b.unit_path) && b.merged_into.is_empty();
    let enrolments = record
        .enrolments
        .iter()
        .map(|e| EnrolmentLine {
            id: e.id.clone(),
            policy: policy_name(&policies, &e.policy),
            terms: terms_text(&policies, &e.category, e.coefficient, e.quantity, &e.level),
            decision: format!("{} ({})", e.decision_number, date(e.decision_date.as_ref())),
            start: date(e.start_date.as_ref()),
            end: date(e.end_date.as_ref()),
            status: status_name(&ctx.page, e.status),
        })
        .collect();
    let duplicates = record
        .suspected_duplicates
        .iter()
        .map(|d| DuplicateLine {
            id: d.id.clone(),
            name: d.full_name.clone(),
            born: date(d.birth_date.as_ref()),
            citizen_id: d.citizen_id.clone(),
        })
        .collect();
    let kind_of_b = if b.kind == pb::BeneficiaryKind::Household as i32 {
        pb::BeneficiaryKind::Household
    } else {
        pb::BeneficiaryKind::Person
    } as i32;
    let done = match done {
        "them" => Some(
            ctx.page
                .t("Đã thêm đối tượng.", "The beneficiary is added."),
        ),
        "che-do" => Some(ctx.page.t(
            "Đã ghi chế độ; chờ phòng chuyên môn xác minh.",
            "Enrolled; awaiting the sector department's verification.",
        )),
        "khong-trung" => Some(
            ctx.page
                .t("Đã xác nhận không trùng.", "Marked as not a duplicate."),
        ),
        "gop" => Some(ctx.page.t(
            "Đã gộp hồ sơ trùng vào hồ sơ này.",
            "The duplicate is merged into this record.",
        )),
        _ => None,
    };
    let body = BeneficiaryPage {
        kind: kind_name(&ctx.page, b.kind),
        born: date(b.birth_date.as_ref()),
        duplicates,
        enrolments,
        done,
        can_write,
        policies: policies
            .iter()
            .filter(|p| p.beneficiary_kind == kind_of_b)
            .map(|p| (p.code.clone(), p.name.clone()))
            .collect(),
        categories: policies
            .iter()
            .flat_map(|p| p.categories.iter())
            .map(|c| {
                (
                    c.code.clone(),
                    format!("{} (hệ số {})", c.name, coefficient(c.coefficient)),
                )
            })
            .collect(),
        form,
        errors,
        b,
        page: ctx.page.crumbs(&[
            (Some("/an-sinh"), "An sinh xã hội", "Welfare"),
            (None, "Đối tượng", "Beneficiary"),
        ]),
    };
    (status, render(&body)).into_response()
}

pub async fn show(ctx: Ctx, Path(id): Path<String>, Query(q): Query<DoneQuery>) -> Response {
    beneficiary_page(
        ctx,
        id,
        &q.xong,
        EnrolForm::default(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn enrol(ctx: Ctx, Path(id): Path<String>, Form(f): Form<EnrolForm>) -> Response {
    let mut errors = Vec::new();
    let mut day = |field: &str, text: &str| {
        let d = parse_date(text);
        if d.is_none() {
            errors.push(bad_date(&ctx.page, field));
        }
        d
    };
    let decision_date = day("decision_date", &f.decision_date);
    let start_date = day("start_date", &f.start_date);
    let quantity = thousandths(&f.quantity);
    if quantity.is_none() {
        errors.push(bad_quantity(&ctx.page));
    }
    if !errors.is_empty() {
        return beneficiary_page(ctx, id, "", f, Errors(errors), StatusCode::BAD_REQUEST).await;
    }
    let reply = EnrolmentServiceClient::new(ctx.console.welfare.clone())
        .create_enrolment(ctx.request(pb::CreateEnrolmentRequest {
            enrolment: Some(pb::Enrolment {
                beneficiary_id: id.clone(),
                policy: f.policy.clone(),
                category: f.category.clone(),
                quantity: quantity.unwrap_or_default(),
                level: f.level.clone(),
                decision_number: f.decision_number.clone(),
                decision_date,
                start_date,
                ..Default::default()
            }),
        }))
        .await;
    match reply {
        Ok(_) => {
            Redirect::to(&format!("/an-sinh/doi-tuong/{}?xong=che-do", encode(&id))).into_response()
        }
        Err(s) => match Failure::of(&s, ctx.page.lang) {
            Failure::Fields(errors) => {
                beneficiary_page(ctx, id, "", f, Errors(errors), StatusCode::BAD_REQUEST).await
            }
            other => other.page(&ctx.page),
        },
    }
}

#[derive(Deserialize, Default)]
pub struct DuplicateForm {
    #[serde(default)]
    other_id: String,
    #[serde(default)]
    decision: String,
}

pub async fn resolve(ctx: Ctx, Path(id): Path<String>, Form(f): Form<DuplicateForm>) -> Response {
    let reply = BeneficiaryServiceClient::new(ctx.console.welfare.clone())
        .resolve_duplicate(ctx.request(pb::ResolveDuplicateRequest {
            id: id.clone(),
            other_id: f.other_id,
            decision: f.decision.clone(),
        }))
        .await;
    match reply {
        Ok(_) => {
            let done = if f.decision == "MERGE" {
                "gop"
            } else {
                "khong-trung"
            };
            Redirect::to(&format!("/an-sinh/doi-tuong/{}?xong={done}", encode(&id))).into_response()
        }
        Err(s) => Failure::of(&s, ctx.page.lang).page(&ctx.page),
    }
}

// ---- One enrolment ----

pub struct HistoryLine {
    pub change: &'static str,
    pub effective: String,
    pub decision: String,
    pub terms: String,
    pub reason: String,
    pub status: &'static str,
    pub who: String,
    pub when: String,
}

#[derive(Deserialize, Default)]
pub struct ChangeForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    change: String,
    #[serde(default)]
    effective_date: String,
    #[serde(default)]
    decision_number: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    level: String,
}

#[derive(Template)]
#[template(path = "welfare_enrolment.html")]
struct EnrolmentPage {
    page: Page,
    e: pb::Enrolment,
    policy: String,
    terms: String,
    status: &'static str,
    pending: bool,
    open: bool,
    history: Vec<HistoryLine>,
    done: Option<&'static str>,
    can_write: bool,
    can_verify: bool,
    categories: Vec<(String, String)>,
    form: ChangeForm,
    errors: Errors,
}

async fn enrolment_page(
    ctx: Ctx,
    id: String,
    done: &str,
    form: ChangeForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let e = match EnrolmentServiceClient::new(ctx.console.welfare.clone())
        .get_enrolment(ctx.request(pb::GetEnrolmentRequest { id }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let policies = match policies(&ctx).await {
        Ok(p) => p,
        Err(f) => return f.page(&ctx.page),
    };
    let verifier = policies
        .iter()
        .find(|p| p.code == e.policy)
        .map(|p| format!("welfare.{}.verify", p.verifier))
        .unwrap_or_default();
    let history = e
        .history
        .iter()
        .map(|h| HistoryLine {
            change: change_name(&ctx.page, &h.change),
            effective: date(h.effective_date.as_ref()),
            decision: h.decision_number.clone(),
            terms: terms_text(&policies, &h.category, h.coefficient, h.quantity, &h.level),
            reason: h.reason.clone(),
            status: status_name(&ctx.page, h.status_after),
            who: h.actor_username.clone(),
            when: day_of(h.change_time.as_ref()),
        })
        .collect();
    let done = match done {
        "thay-doi" => Some(ctx.page.t("Đã ghi thay đổi.", "The change is recorded.")),
        "xac-minh" => Some(
            ctx.page
                .t("Đã ghi kết quả xác minh.", "The verification is recorded."),
        ),
        _ => None,
    };
    let pending = e.status == pb::EnrolmentStatus::Pending as i32;
    let open = matches!(
        pb::EnrolmentStatus::try_from(e.status),
        Ok(pb::EnrolmentStatus::Pending
            | pb::EnrolmentStatus::Active
            | pb::EnrolmentStatus::Suspended)
    );
    let body = EnrolmentPage {
        policy: policy_name(&policies, &e.policy),
        terms: terms_text(&policies, &e.category, e.coefficient, e.quantity, &e.level),
        status: status_name(&ctx.page, e.status),
        pending,
        open,
        history,
        done,
        can_write: ctx.principal.can(WRITE, &e.unit_path),
        can_verify: !verifier.is_empty() && ctx.principal.can(&verifier, &e.unit_path),
        categories: policies
            .iter()
            .find(|p| p.code == e.policy)
            .map(|p| {
                p.categories
                    .iter()
                    .map(|c| {
                        (
                            c.code.clone(),
                            format!("{} (hệ số {})", c.name, coefficient(c.coefficient)),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        form,
        errors,
        e,
        page: ctx.page.crumbs(&[
            (Some("/an-sinh"), "An sinh xã hội", "Welfare"),
            (None, "Chế độ", "Enrolment"),
        ]),
    };
    (status, render(&body)).into_response()
}

pub async fn enrolment(ctx: Ctx, Path(id): Path<String>, Query(q): Query<DoneQuery>) -> Response {
    enrolment_page(
        ctx,
        id,
        &q.xong,
        ChangeForm::default(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn change(ctx: Ctx, Path(id): Path<String>, Form(f): Form<ChangeForm>) -> Response {
    let effective_date = parse_date(&f.effective_date);
    let quantity = thousandths(&f.quantity);
    let mut errors = Vec::new();
    if effective_date.is_none() {
        errors.push(bad_date(&ctx.page, "effective_date"));
    }
    if quantity.is_none() {
        errors.push(bad_quantity(&ctx.page));
    }
    if !errors.is_empty() {
        return enrolment_page(ctx, id, "", f, Errors(errors), StatusCode::BAD_REQUEST).await;
    }
    let reply = EnrolmentServiceClient::new(ctx.console.welfare.clone())
        .change_enrolment(ctx.request(pb::ChangeEnrolmentRequest {
            id: id.clone(),
            version: f.version.trim().parse().unwrap_or_default(),
            change: f.change.clone(),
            effective_date,
            decision_number: f.decision_number.clone(),
            reason: f.reason.clone(),
            category: f.category.clone(),
            coefficient: 0,
            quantity: quantity.unwrap_or_default(),
            level: f.level.clone(),
        }))
        .await;
    match reply {
        Ok(_) => {
            Redirect::to(&format!("/an-sinh/che-do/{}?xong=thay-doi", encode(&id))).into_response()
        }
        Err(s) => match Failure::of(&s, ctx.page.lang) {
            Failure::Fields(errors) => {
                enrolment_page(ctx, id, "", f, Errors(errors), StatusCode::BAD_REQUEST).await
            }
            other => other.page(&ctx.page),
        },
    }
}

#[derive(Deserialize, Default)]
pub struct VerifyForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    verified: String,
    #[serde(default)]
    reason: String,
}

pub async fn verify(ctx: Ctx, Path(id): Path<String>, Form(f): Form<VerifyForm>) -> Response {
    let reply = EnrolmentServiceClient::new(ctx.console.welfare.clone())
        .verify_enrolment(ctx.request(pb::VerifyEnrolmentRequest {
            id: id.clone(),
            version: f.version.trim().parse().unwrap_or_default(),
            verified: f.verified == "1",
            reason: f.reason.clone(),
        }))
        .await;
    match reply {
        Ok(_) => {
            Redirect::to(&format!("/an-sinh/che-do/{}?xong=xac-minh", encode(&id))).into_response()
        }
        Err(s) => match Failure::of(&s, ctx.page.lang) {
            Failure::Fields(errors) => {
                enrolment_page(
                    ctx,
                    id,
                    "",
                    ChangeForm::default(),
                    Errors(errors),
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
            other => other.page(&ctx.page),
        },
    }
}

// ---- Verification queue ----

pub struct PendingLine {
    pub id: String,
    pub name: String,
    pub policy: String,
    pub terms: String,
    pub start: String,
}

#[derive(Template)]
#[template(path = "welfare_pending.html")]
struct PendingPage {
    page: Page,
    units: UnitChoice,
    rows: Vec<PendingLine>,
}

/// The enrolments waiting for verification under a unit the person reads.
pub async fn pending(ctx: Ctx, Query(q): Query<ListQuery>) -> Response {
    let units = match UnitChoice::of(&ctx, READ, &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    let policies = match policies(&ctx).await {
        Ok(p) => p,
        Err(f) => return f.page(&ctx.page),
    };
    let rows = match EnrolmentServiceClient::new(ctx.console.welfare.clone())
        .list_enrolments(ctx.request(pb::ListEnrolmentsRequest {
            unit_id: units.selected.clone(),
            status: pb::EnrolmentStatus::Pending as i32,
            page_size: 500,
            ..Default::default()
        }))
        .await
    {
        Ok(r) => r.into_inner().enrolments,
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let rows = rows
        .into_iter()
        .map(|e| PendingLine {
            policy: policy_name(&policies, &e.policy),
            terms: terms_text(&policies, &e.category, e.coefficient, e.quantity, &e.level),
            start: date(e.start_date.as_ref()),
            name: e.beneficiary_name,
            id: e.id,
        })
        .collect();
    let body = PendingPage {
        page: ctx.page.crumbs(&[
            (Some("/an-sinh"), "An sinh xã hội", "Welfare"),
            (None, "Chờ xác minh", "Awaiting verification"),
        ]),
        units,
        rows,
    };
    render(&body)
}

// ---- Parameters ----

pub struct ParameterLine {
    pub name: String,
    pub from: String,
    pub value: String,
    pub basis: String,
}

pub struct ParameterChangeLine {
    pub when: String,
    pub who: String,
    pub kind: String,
    pub from: String,
    pub before: String,
    pub after: String,
}

#[derive(Deserialize, Default)]
pub struct ParameterForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    effective_from: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    legal_basis: String,
}

#[derive(Template)]
#[template(path = "welfare_parameters.html")]
struct ParametersPage {
    page: Page,
    /// Code, name, legal basis, days in force, levels.
    policies: Vec<(String, String, String, String, String)>,
    policy_form: PolicyForm,
    values: Vec<ParameterLine>,
    kinds: Vec<(String, String)>,
    changes: Vec<ParameterChangeLine>,
    can_set: bool,
    done: bool,
    form: ParameterForm,
    errors: Errors,
}

async fn parameters_page(
    ctx: Ctx,
    done: bool,
    form: ParameterForm,
    policy_form: PolicyForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let all = match policies(&ctx).await {
        Ok(p) => p,
        Err(f) => return f.page(&ctx.page),
    };
    let mut client = PolicyServiceClient::new(ctx.console.welfare.clone());
    let values = match client
        .list_parameters(ctx.request(pb::ListParametersRequest {}))
        .await
    {
        Ok(r) => r.into_inner().parameters,
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let changes = match client
        .list_parameter_changes(ctx.request(pb::ListParameterChangesRequest { page_size: 50 }))
        .await
    {
        Ok(r) => r.into_inner().changes,
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let mut kinds: Vec<(String, String)> = Vec::new();
    for v in &values {
        if !kinds.iter().any(|(k, _)| *k == v.kind) {
            kinds.push((v.kind.clone(), v.name.clone()));
        }
    }
    let name_of = |kind: &str| {
        kinds
            .iter()
            .find(|(k, _)| k == kind)
            .map_or(kind.to_string(), |(_, n)| n.clone())
    };
    let from_word = ctx.page.t("từ", "from").to_string();
    let body = ParametersPage {
        page: ctx.page.crumbs(&[
            (Some("/an-sinh"), "An sinh xã hội", "Welfare"),
            (None, "Tham số", "Parameters"),
        ]),
        policies: all
            .iter()
            .map(|p| {
                (
                    p.code.clone(),
                    p.name.clone(),
                    p.legal_basis.clone(),
                    match (&p.in_force_from, &p.in_force_to) {
                        (from, Some(to)) => format!("{} – {}", date(from.as_ref()), date(Some(to))),
                        (from, None) => format!("{from_word} {}", date(from.as_ref())),
                    },
                    p.levels
                        .iter()
                        .map(|l| format!("{} = {}", l.code, money(l.amount)))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            })
            .collect(),
        policy_form,
        values: values
            .iter()
            .map(|v| ParameterLine {
                name: v.name.clone(),
                from: date(v.effective_from.as_ref()),
                value: money(v.value),
                basis: v.legal_basis.clone(),
            })
            .collect(),
        changes: changes
            .iter()
            .map(|c| ParameterChangeLine {
                when: day_of(c.change_time.as_ref()),
                who: c.actor_username.clone(),
                kind: name_of(&c.kind),
                from: date(c.effective_from.as_ref()),
                before: c.before.clone(),
                after: c.after.clone(),
            })
            .collect(),
        can_set: ctx
            .principal
            .scopes_for("welfare.parameter.write")
            .iter()
            .any(|s| s.trim_matches('/').split('/').count() == 1),
        kinds,
        done,
        form,
        errors,
    };
    (status, render(&body)).into_response()
}

#[derive(Deserialize, Default)]
pub struct ParametersQuery {
    #[serde(default)]
    xong: String,
}

pub async fn parameters(ctx: Ctx, Query(q): Query<ParametersQuery>) -> Response {
    parameters_page(
        ctx,
        !q.xong.is_empty(),
        ParameterForm::default(),
        PolicyForm::default(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn set_parameter(ctx: Ctx, Form(f): Form<ParameterForm>) -> Response {
    let from = parse_date(&f.effective_from);
    let value: Option<i64> = f.value.trim().replace(['.', ' '], "").parse().ok();
    let mut errors = Vec::new();
    if from.is_none() {
        errors.push(bad_date(&ctx.page, "effective_from"));
    }
    if value.is_none() {
        errors.push(field_error(
            "value",
            ctx.page.t(
                "Mức là một số đồng, ví dụ 500.000.",
                "The value is a number of đồng.",
            ),
        ));
    }
    if !errors.is_empty() {
        return parameters_page(
            ctx,
            false,
            f,
            PolicyForm::default(),
            Errors(errors),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let reply = PolicyServiceClient::new(ctx.console.welfare.clone())
        .set_parameter(ctx.request(pb::SetParameterRequest {
            kind: f.kind.clone(),
            effective_from: from,
            value: value.unwrap_or_default(),
            legal_basis: f.legal_basis.clone(),
        }))
        .await;
    match reply {
        Ok(_) => Redirect::to("/an-sinh/tham-so?xong=1").into_response(),
        Err(s) => match Failure::of(&s, ctx.page.lang) {
            Failure::Fields(errors) => {
                parameters_page(
                    ctx,
                    false,
                    f,
                    PolicyForm::default(),
                    Errors(errors),
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
            other => other.page(&ctx.page),
        },
    }
}

#[derive(Deserialize, Default)]
pub struct PolicyForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    legal_basis: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    parameter: String,
    #[serde(default)]
    basis_points: String,
    #[serde(default)]
    fixed_rate: String,
    #[serde(default)]
    levels: String,
    #[serde(default)]
    frequency: String,
    #[serde(default)]
    verifier: String,
    #[serde(default)]
    in_force_from: String,
    #[serde(default)]
    in_force_to: String,
}

/// Adds or changes a policy of the province (provincial Finance). Levels are written
/// `code=amount; code=amount`.
pub async fn set_policy(ctx: Ctx, Form(f): Form<PolicyForm>) -> Response {
    let number = |t: &str| {
        t.trim()
            .replace(['.', ' '], "")
            .parse::<i64>()
            .unwrap_or_default()
    };
    let levels = f
        .levels
        .split(';')
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (code, amount) = l.split_once('=').unwrap_or((l, ""));
            pb::Level {
                code: code.trim().to_string(),
                amount: number(amount),
            }
        })
        .collect();
    let group = match f.group.as_str() {
        "education" => pb::PolicyGroup::Education,
        "health" => pb::PolicyGroup::Health,
        "social_assurance" => pb::PolicyGroup::SocialAssurance,
        "economic" => pb::PolicyGroup::Economic,
        _ => pb::PolicyGroup::Unspecified,
    } as i32;
    // An empty start is the service's to refuse (required); an empty end means none.
    let mut errors = Vec::new();
    let mut date_field = |field: &str, text: &str| {
        if text.trim().is_empty() {
            return None;
        }
        let parsed = parse_date(text);
        if parsed.is_none() {
            errors.push(bad_date(&ctx.page, field));
        }
        parsed
    };
    let in_force_from = date_field("in_force_from", &f.in_force_from);
    let in_force_to = date_field("in_force_to", &f.in_force_to);
    if !errors.is_empty() {
        return parameters_page(
            ctx,
            false,
            ParameterForm::default(),
            f,
            Errors(errors),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let reply = PolicyServiceClient::new(ctx.console.welfare.clone())
        .set_policy(ctx.request(pb::SetPolicyRequest {
            policy: Some(pb::Policy {
                code: f.code.clone(),
                name: f.name.clone(),
                group,
                legal_basis: f.legal_basis.clone(),
                beneficiary_kind: if f.kind == "household" {
                    pb::BeneficiaryKind::Household
                } else {
                    pb::BeneficiaryKind::Person
                } as i32,
                rule: f.rule.clone(),
                frequency: f.frequency.clone(),
                verifier: f.verifier.clone(),
                parameter: f.parameter.clone(),
                basis_points: i32::try_from(number(&f.basis_points)).unwrap_or_default(),
                fixed_rate: number(&f.fixed_rate),
                levels,
                in_force_from,
                in_force_to,
                ..Default::default()
            }),
        }))
        .await;
    match reply {
        Ok(_) => Redirect::to("/an-sinh/tham-so?xong=1").into_response(),
        Err(s) => match Failure::of(&s, ctx.page.lang) {
            Failure::Fields(errors) => {
                parameters_page(
                    ctx,
                    false,
                    ParameterForm::default(),
                    f,
                    Errors(errors),
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
            other => other.page(&ctx.page),
        },
    }
}
