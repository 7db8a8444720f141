//! Personnel records: search within the person's scope, and a record's 2C-BNV items; an
//! employee with self-service sees their own record only.

use crate::pages::record_items;
use crate::web::{Ctx, Errors, Failure, FieldError, encode, holds, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tinhso_proto::common::v1::Date;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::employee_service_client::EmployeeServiceClient;

/// A date as people write it here: dd/mm/yyyy.
pub fn date(d: Option<&Date>) -> String {
    d.filter(|d| d.year > 0)
        .map(|d| format!("{:02}/{:02}/{:04}", d.day, d.month, d.year))
        .unwrap_or_default()
}

/// The day of a moment, in Vietnam, as people write it: dd/mm/yyyy (empty when unknown).
pub fn day_of(moment: Option<&prost_types::Timestamp>) -> String {
    moment
        .map(|t| {
            tinhso_platform::vn::date(tinhso_platform::clock::vietnam_date(
                tinhso_platform::clock::from_timestamp(t),
            ))
        })
        .unwrap_or_default()
}

/// A salary coefficient kept in hundredths, with the Vietnamese decimal comma: 234 -> "2,34".
pub fn coefficient(hundredths: i32) -> String {
    if hundredths <= 0 {
        return String::new();
    }
    format!("{},{:02}", hundredths / 100, hundredths % 100)
}

pub struct Row {
    pub id: String,
    pub name: String,
    pub born: String,
    pub position: String,
    pub grade: String,
}

#[derive(Template)]
#[template(path = "employees.html")]
struct ListPage {
    page: crate::web::Page,
    can_create: bool,
    rows: Vec<Row>,
    q: ListQuery,
    /// The search's criteria in the address, for the next page and the download.
    criteria: String,
    advanced: bool,
    degrees: Vec<(String, String)>,
    theories: Vec<(String, String)>,
    next_href: String,
}

/// A search by any criteria, every one in the address (bookmarkable; the back button works).
#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub loai: String,
    #[serde(default)]
    pub gioi_tinh: String,
    #[serde(default)]
    pub tuoi_tu: String,
    #[serde(default)]
    pub tuoi_den: String,
    #[serde(default)]
    pub dang_vien: String,
    #[serde(default)]
    pub dtts: String,
    #[serde(default)]
    pub trinh_do: String,
    #[serde(default)]
    pub llct: String,
    #[serde(default)]
    pub ngach: String,
    #[serde(default)]
    pub cccd: String,
    #[serde(default)]
    pub sap_xep: String,
    #[serde(default)]
    pub page: String,
}

impl ListQuery {
    /// The service's request for these criteria (unknown or empty ones are left open).
    fn request(&self, page_size: i32) -> pb::ListEmployeesRequest {
        let number = |t: &str| t.trim().parse::<i32>().unwrap_or(0);
        pb::ListEmployeesRequest {
            query: self.q.clone(),
            kind: number(&self.loai),
            sex: number(&self.gioi_tinh),
            min_age: number(&self.tuoi_tu),
            max_age: number(&self.tuoi_den),
            party_member: match self.dang_vien.as_str() {
                "co" => Some(true),
                "khong" => Some(false),
                _ => None,
            },
            ethnic_minority: self.dtts == "co",
            degree: self.trinh_do.clone(),
            political_theory: self.llct.clone(),
            grade_code: self.ngach.trim().to_string(),
            id_number: self.cccd.trim().to_string(),
            order_by: self.sap_xep.clone(),
            page_size,
            page_token: self.page.clone(),
            ..Default::default()
        }
    }

    /// The criteria as a query string (without the page).
    fn encoded(&self) -> String {
        [
            ("q", &self.q),
            ("loai", &self.loai),
            ("gioi_tinh", &self.gioi_tinh),
            ("tuoi_tu", &self.tuoi_tu),
            ("tuoi_den", &self.tuoi_den),
            ("dang_vien", &self.dang_vien),
            ("dtts", &self.dtts),
            ("trinh_do", &self.trinh_do),
            ("llct", &self.llct),
            ("ngach", &self.ngach),
            ("cccd", &self.cccd),
            ("sap_xep", &self.sap_xep),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }

    /// True when a criterion beyond the name is set (the advanced form opens).
    fn advanced(&self) -> bool {
        let mut copy = self.clone();
        copy.q.clear();
        copy.page.clear();
        copy.sap_xep.clear();
        !copy.encoded().is_empty()
    }
}

pub async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> Response {
    let mut client = EmployeeServiceClient::new(ctx.console.personnel.clone());
    let (reply, names) = futures_util::join!(
        client.list_employees(ctx.request(q.request(50))),
        crate::pages::sections::catalogues(&ctx, vec!["degree", "political_theory"])
    );
    let reply = match reply {
        Ok(r) => r.into_inner(),
        Err(status) => {
            return match Failure::of(&status, ctx.page.lang) {
                // A criterion the service refuses (an age of -3): the page says which, with
                // the criteria kept.
                Failure::Fields(errors) => crate::web::problem(
                    &ctx.page,
                    StatusCode::BAD_REQUEST,
                    ("Điều kiện tìm kiếm chưa đúng", "Check the search"),
                    &errors
                        .iter()
                        .map(|e| e.message.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    false,
                ),
                other => other.page(&ctx.page),
            };
        }
    };
    let criteria = q.encoded();
    let next_href = if reply.next_page_token.is_empty() {
        String::new()
    } else {
        format!("/ho-so?{criteria}&page={}", encode(&reply.next_page_token))
    };
    let mut names = names;
    render(&ListPage {
        can_create: holds(&ctx.principal, "personnel.record.write"),
        page: ctx
            .page
            .crumbs(&[(None, "Hồ sơ cán bộ", "Personnel records")]),
        rows: reply
            .employees
            .into_iter()
            .map(|e| Row {
                born: date(e.birth_date.as_ref()),
                grade: if e.grade_code.is_empty() {
                    String::new()
                } else {
                    format!(
                        "{} / {} ({})",
                        e.grade_code,
                        e.step,
                        coefficient(e.coefficient)
                    )
                },
                id: e.id,
                name: e.full_name,
                position: e.position,
            })
            .collect(),
        advanced: q.advanced(),
        degrees: names.remove("degree").unwrap_or_default(),
        theories: names.remove("political_theory").unwrap_or_default(),
        q,
        criteria,
        next_href,
    })
}

/// The search's records as a workbook (every match, streamed as the service writes it).
pub async fn export(ctx: Ctx, Query(q): Query<ListQuery>) -> Response {
    let mut request = q.request(0);
    request.page_token.clear();
    match EmployeeServiceClient::new(ctx.console.personnel.clone())
        .export_employees(ctx.request(request))
        .await
    {
        Ok(r) => crate::web::download(r.into_inner(), "ho-so.xlsx", &ctx.page).await,
        Err(status) => Failure::of(&status, ctx.page.lang).page(&ctx.page),
    }
}

#[derive(Template)]
#[template(path = "employee.html")]
struct RecordPage {
    page: crate::web::Page,
    id: String,
    name: String,
    groups: Vec<record_items::ShownGroup>,
    sections: Vec<crate::pages::sections::SectionView>,
    pay: Option<PayView>,
    movements: Vec<MovementView>,
    can_edit: bool,
    can_make_account: bool,
    done: Option<String>,
}

/// The record's pay this month, as the salary rules compute it.
pub struct PayView {
    pub month: String,
    pub coefficient: String,
    pub allowances: String,
    pub seniority: String,
    pub base: String,
    pub pay: String,
    pub percent_allowances: String,
    pub public_service: String,
    pub gross: String,
    pub social_insurance: String,
    pub health_insurance: String,
    pub unemployment_insurance: String,
    pub union_dues: String,
    pub net: String,
}

/// One movement of the record (transfer, retirement...).
pub struct MovementView {
    pub kind: &'static str,
    pub decision: String,
    pub effective: String,
    pub state: &'static str,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    done: Option<String>,
}

/// The items of form `code` (catalogue "form_version"); None when it lists none or cannot be read,
/// and then every item is shown.
async fn form_items(ctx: &Ctx, code: &str) -> Option<Vec<String>> {
    use tinhso_proto::personnel::v1::catalogue_service_client::CatalogueServiceClient;
    let entries = CatalogueServiceClient::new(ctx.console.personnel.clone())
        .list_catalogue_entries(ctx.request(pb::ListCatalogueEntriesRequest {
            catalogue: "form_version".into(),
            include_retired: true,
        }))
        .await
        .ok()?
        .into_inner()
        .entries;
    let items: Vec<String> = entries
        .into_iter()
        .find(|e| e.code == code)?
        .attribute
        .split_whitespace()
        .map(String::from)
        .collect();
    (!items.is_empty()).then_some(items)
}

pub async fn show(ctx: Ctx, Path(id): Path<String>, Query(q): Query<ShowQuery>) -> Response {
    let e = match EmployeeServiceClient::new(ctx.console.personnel.clone())
        .get_employee(ctx.request(pb::GetEmployeeRequest { id }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(status) => return Failure::of(&status, ctx.page.lang).page(&ctx.page),
    };
    let names = crate::pages::sections::catalogues(&ctx, record_items::catalogues()).await;
    let form = form_items(&ctx, &e.form_version).await;
    let groups = record_items::shown(&e, &names, &ctx.page, form.as_deref());
    let done = match q.done.as_deref() {
        Some("created") => Some(ctx.page.t("Đã thêm hồ sơ.", "The record is added.")),
        Some("saved") => Some(ctx.page.t("Đã lưu thay đổi.", "Changes saved.")),
        Some("entry") => Some(ctx.page.t("Đã thêm vào hồ sơ.", "Added to the record.")),
        Some("removed") => Some(ctx.page.t(
            "Đã gỡ mục khỏi hồ sơ (vẫn lưu trong lịch sử thay đổi).",
            "The entry is withdrawn (the change history keeps it).",
        )),
        Some("moved") => Some(ctx.page.t(
            "Đã ghi nhận. Khi chuyển sang đơn vị khác, hồ sơ thuộc đơn vị nhận từ lúc đơn vị đó tiếp nhận.",
            "Recorded. When moved to another unit, the record becomes that unit's once it accepts it.",
        )),
        _ => None,
    }
    .map(str::to_string);
    let can_edit = ctx.principal.can("personnel.record.write", &e.unit_path);
    let can_salary = ctx.principal.can("personnel.salary.write", &e.unit_path);
    let today = tinhso_platform::clock::vietnam_date(ctx.console.clock.now_ms());
    let mut salary = tinhso_proto::personnel::v1::salary_service_client::SalaryServiceClient::new(
        ctx.console.personnel.clone(),
    );
    let mut movements_client = EmployeeServiceClient::new(ctx.console.personnel.clone());
    let (sections, pay, movements) = futures_util::join!(
        crate::pages::sections::views(&ctx, &e.id, can_edit, can_salary),
        salary.get_pay(ctx.request(pb::GetPayRequest {
            employee_id: e.id.clone(),
            year: today.year(),
            month: i32::from(u8::from(today.month())),
        })),
        movements_client.list_movements(ctx.request(pb::ListMovementsRequest { id: e.id.clone() }))
    );
    let sections = match sections {
        Ok(sections) => sections,
        Err(failure) => return failure.page(&ctx.page),
    };
    // The month's pay when the record is on the salary scale (and the reader may see it).
    let pay = pay
        .ok()
        .map(tonic::Response::into_inner)
        .filter(|p| p.coefficient > 0)
        .map(|p| PayView {
            month: format!("{:02}/{}", u8::from(today.month()), today.year()),
            coefficient: coefficient(p.coefficient),
            allowances: coefficient(p.position_allowance + p.other_allowances),
            seniority: if p.seniority_percent > 0 {
                format!("{}%", p.seniority_percent)
            } else {
                String::new()
            },
            base: tinhso_platform::vn::money(p.base_salary),
            pay: tinhso_platform::vn::money(p.pay),
            percent_allowances: tinhso_platform::vn::money(p.percent_allowances),
            public_service: tinhso_platform::vn::money(p.public_service_allowance),
            gross: tinhso_platform::vn::money(p.gross),
            social_insurance: tinhso_platform::vn::money(p.social_insurance),
            health_insurance: tinhso_platform::vn::money(p.health_insurance),
            unemployment_insurance: tinhso_platform::vn::money(p.unemployment_insurance),
            union_dues: tinhso_platform::vn::money(p.union_dues),
            net: tinhso_platform::vn::money(p.net),
        });
    let movements = movements
        .map(|r| r.into_inner().movements)
        .unwrap_or_default()
        .into_iter()
        .map(|m| MovementView {
            kind: crate::pages::movements::kind_name(m.kind, ctx.page.lang),
            decision: format!("{} ({})", m.decision_number, date(m.decision_date.as_ref())),
            effective: date(m.effective_date.as_ref()),
            state: match pb::MovementState::try_from(m.state) {
                Ok(pb::MovementState::Pending) => ctx.page.t("Chờ tiếp nhận", "Waiting"),
                Ok(pb::MovementState::Declined) => ctx.page.t("Bị từ chối", "Declined"),
                _ => ctx.page.t("Đã thực hiện", "Done"),
            },
        })
        .collect();
    render(&RecordPage {
        can_make_account: ctx.principal.can("identity.account.create", &e.unit_path),
        can_edit,
        sections,
        pay,
        movements,
        page: ctx.page.crumbs(&[
            (Some("/ho-so"), "Hồ sơ cán bộ", "Personnel records"),
            (None, "Sơ yếu lý lịch", "Personal history"),
        ]),
        id: e.id,
        name: e.full_name,
        groups,
        done,
    })
}

/// "Hồ sơ của tôi": the record the person's account is linked to.
pub async fn mine(ctx: Ctx) -> Response {
    if ctx.principal.personnel_id.is_empty() {
        return Failure::NotFound(
            ctx.page
                .t(
                    "Tài khoản của bạn chưa được liên kết với hồ sơ cán bộ nào.",
                    "Your account is not linked to a personnel record.",
                )
                .to_string(),
        )
        .page(&ctx.page);
    }
    Redirect::to(&format!("/ho-so/{}", encode(&ctx.principal.personnel_id))).into_response()
}

/// A date typed as dd/mm/yyyy (or d/m/yyyy); None when it is not one.
pub fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.trim().split('/').map(|p| p.trim().parse::<i32>().ok());
    let (Some(Some(day)), Some(Some(month)), Some(Some(year)), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let month_ok = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok());
    let valid = month_ok.is_some_and(|m| {
        u8::try_from(day)
            .ok()
            .is_some_and(|d| time::Date::from_calendar_date(year, m, d).is_ok())
    });
    valid.then_some(Date { year, month, day })
}

/// A text field of a record form.
pub struct TextField {
    pub name: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "employee_form.html")]
struct FormPage {
    page: crate::web::Page,
    request_id: String,
    units: Vec<(String, String)>,
    unit_id: String,
    kind: i32,
    sex: i32,
    fields: Vec<TextField>,
    errors: Errors,
}

/// The hire form: what a new record needs; the rest of the 2C-BNV items are filled in on the
/// record's edit form and its sections.
#[derive(Deserialize, Default)]
pub struct RecordForm {
    #[serde(default)]
    request_id: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    kind: i32,
    #[serde(default)]
    sex: i32,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    recruitment_date: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    phone: String,
}

fn fields_of(f: &RecordForm) -> Vec<TextField> {
    let field = |name, vi, en, value: &str| TextField {
        name,
        vi,
        en,
        value: value.to_string(),
    };
    vec![
        field(
            "full_name",
            "Họ và tên khai sinh",
            "Full name at birth",
            &f.full_name,
        ),
        field("birth_date", "Ngày sinh", "Date of birth", &f.birth_date),
        field("id_number", "Số CCCD", "Citizen ID", &f.id_number),
        field(
            "recruitment_date",
            "Ngày tuyển dụng",
            "Recruited on",
            &f.recruitment_date,
        ),
        field("position", "Chức vụ", "Position", &f.position),
        field("phone", "Điện thoại", "Phone", &f.phone),
    ]
}

async fn form_page(ctx: Ctx, f: RecordForm, errors: Errors, status: StatusCode) -> Response {
    let units = match crate::pages::units::tree(&ctx, false).await {
        Ok(units) => units
            .into_iter()
            .filter(|u| ctx.principal.can("personnel.record.write", &u.path))
            .map(|u| (u.id, u.name))
            .collect(),
        Err(failure) => return failure.page(&ctx.page),
    };
    let body = FormPage {
        page: ctx.page.crumbs(&[
            (Some("/ho-so"), "Hồ sơ cán bộ", "Personnel records"),
            (None, "Thêm hồ sơ", "Add a record"),
        ]),
        request_id: if f.request_id.is_empty() {
            uuid::Uuid::new_v4().to_string()
        } else {
            f.request_id.clone()
        },
        units,
        unit_id: f.unit_id.clone(),
        kind: f.kind,
        sex: f.sex,
        fields: fields_of(&f),
        errors,
    };
    (status, render(&body)).into_response()
}

pub async fn new_form(ctx: Ctx) -> Response {
    let f = RecordForm {
        kind: pb::EmployeeKind::CivilServant as i32,
        sex: pb::Sex::Male as i32,
        ..Default::default()
    };
    form_page(ctx, f, Errors::default(), StatusCode::OK).await
}

pub async fn create(ctx: Ctx, Form(f): Form<RecordForm>) -> Response {
    let bad_date = ctx
        .page
        .t(
            "Hãy nhập một ngày có thật, dạng ngày/tháng/năm, ví dụ 07/03/1985",
            "Enter a real date as day/month/year, e.g. 07/03/1985",
        )
        .to_string();
    let birth_date = parse_date(&f.birth_date);
    let recruitment_date = parse_date(&f.recruitment_date);
    let mut errors = Vec::new();
    if birth_date.is_none() {
        errors.push(FieldError {
            field: "birth_date".into(),
            message: bad_date.clone(),
        });
    }
    if !f.recruitment_date.trim().is_empty() && recruitment_date.is_none() {
        errors.push(FieldError {
            field: "recruitment_date".into(),
            message: bad_date,
        });
    }
    if !errors.is_empty() {
        return form_page(ctx, f, Errors(errors), StatusCode::BAD_REQUEST).await;
    }
    let reply = EmployeeServiceClient::new(ctx.console.personnel.clone())
        .create_employee(ctx.request(pb::CreateEmployeeRequest {
            employee: Some(pb::Employee {
                unit_id: f.unit_id.clone(),
                kind: f.kind,
                full_name: f.full_name.clone(),
                birth_date,
                sex: f.sex,
                position: f.position.clone(),
                id_number: f.id_number.clone(),
                recruitment_date,
                phone: f.phone.clone(),
                ..Default::default()
            }),
            request_id: f.request_id.clone(),
        }))
        .await;
    match reply {
        Ok(e) => {
            Redirect::to(&format!("/ho-so/{}?done=created", e.into_inner().id)).into_response()
        }
        Err(status) => match Failure::of(&status, ctx.page.lang) {
            Failure::Fields(errors) => {
                form_page(ctx, f, Errors(errors), StatusCode::BAD_REQUEST).await
            }
            other => other.page(&ctx.page),
        },
    }
}

/// An item of the edit form with its value and (for catalogue items) its choices.
pub struct Input {
    pub name: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
    pub value: String,
    pub kind: &'static str,
    pub choices: Vec<(String, String)>,
}

pub struct InputGroup {
    pub vi: &'static str,
    pub en: &'static str,
    pub inputs: Vec<Input>,
}

#[derive(Template)]
#[template(path = "employee_edit.html")]
struct EditPage {
    page: crate::web::Page,
    id: String,
    name: String,
    etag: String,
    groups: Vec<InputGroup>,
    errors: Errors,
}

async fn edit_page(
    ctx: Ctx,
    e: pb::Employee,
    values: std::collections::HashMap<String, String>,
    etag: String,
    errors: Errors,
    status: StatusCode,
) -> Response {
    use record_items::Kind;
    let names = crate::pages::sections::catalogues(&ctx, record_items::catalogues()).await;
    let form = form_items(&ctx, &e.form_version).await;
    let groups = record_items::GROUPS
        .iter()
        .map(|g| InputGroup {
            vi: g.vi,
            en: g.en,
            inputs: g
                .items
                .iter()
                .filter(|item| record_items::on_form(item.name, form.as_deref()))
                .map(|item| Input {
                    name: item.name,
                    vi: item.vi,
                    en: item.en,
                    value: values.get(item.name).cloned().unwrap_or_default(),
                    kind: match item.kind {
                        Kind::Date => "date",
                        Kind::Number => "number",
                        Kind::Sex => "sex",
                        Kind::Catalogue(_) => "choice",
                        Kind::Text => "text",
                    },
                    choices: match item.kind {
                        Kind::Catalogue(c) => names.get(c).cloned().unwrap_or_default(),
                        _ => Vec::new(),
                    },
                })
                .collect(),
        })
        .collect();
    let body = EditPage {
        page: ctx.page.crumbs(&[
            (Some("/ho-so"), "Hồ sơ cán bộ", "Personnel records"),
            (None, "Sửa thông tin hồ sơ", "Edit the record"),
        ]),
        id: e.id,
        name: e.full_name,
        etag,
        groups,
        errors,
    };
    (status, render(&body)).into_response()
}

async fn record(ctx: &Ctx, id: &str) -> Result<pb::Employee, Failure> {
    EmployeeServiceClient::new(ctx.console.personnel.clone())
        .get_employee(ctx.request(pb::GetEmployeeRequest { id: id.to_string() }))
        .await
        .map(tonic::Response::into_inner)
        .map_err(|status| Failure::of(&status, ctx.page.lang))
}

pub async fn edit_form(ctx: Ctx, Path(id): Path<String>) -> Response {
    let e = match record(&ctx, &id).await {
        Ok(e) => e,
        Err(failure) => return failure.page(&ctx.page),
    };
    let values = record_items::form_values(&e)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let etag = e.etag.clone();
    edit_page(ctx, e, values, etag, Errors::default(), StatusCode::OK).await
}

/// Saves an edit made on the version the form was loaded from; if someone saved the record in
/// between, the edit is refused (409) with the service's message and the person's input kept,
/// instead of silently overwriting the other change.
pub async fn update(
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Response {
    let etag = form.get("etag").cloned().unwrap_or_default();
    let request = match record_items::update_request(&id, &etag, &form, &ctx.page) {
        Ok(r) => r,
        Err(errors) => {
            return match record(&ctx, &id).await {
                Ok(e) => edit_page(ctx, e, form, etag, errors, StatusCode::BAD_REQUEST).await,
                Err(failure) => failure.page(&ctx.page),
            };
        }
    };
    let reply = EmployeeServiceClient::new(ctx.console.personnel.clone())
        .update_employee(ctx.request(request))
        .await;
    match reply {
        Ok(_) => Redirect::to(&format!("/ho-so/{id}?done=saved")).into_response(),
        Err(status) => {
            let code = if matches!(
                status.code(),
                tonic::Code::Aborted | tonic::Code::AlreadyExists
            ) {
                StatusCode::CONFLICT
            } else {
                StatusCode::BAD_REQUEST
            };
            match Failure::of(&status, ctx.page.lang) {
                Failure::Fields(errors) => match record(&ctx, &id).await {
                    Ok(e) => edit_page(ctx, e, form, etag, Errors(errors), code).await,
                    Err(failure) => failure.page(&ctx.page),
                },
                other => other.page(&ctx.page),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_coefficients_read_as_people_write_them() {
        let d = Date {
            year: 1985,
            month: 3,
            day: 7,
        };
        assert_eq!(date(Some(&d)), "07/03/1985");
        assert_eq!(date(None), "");
        assert_eq!(coefficient(234), "2,34");
        assert_eq!(coefficient(1000), "10,00");
        assert_eq!(coefficient(0), "");
        // 17:30 UTC on 30/11 is already 1 December in Vietnam (UTC+7).
        let evening = prost_types::Timestamp {
            seconds: 1_796_059_800,
            nanos: 0,
        };
        assert_eq!(day_of(Some(&evening)), "01/12/2026");
        assert_eq!(day_of(None), "");
        assert_eq!(
            parse_date(" 7/3/1985 "),
            Some(Date {
                year: 1985,
                month: 3,
                day: 7
            })
        );
        assert_eq!(parse_date("31/02/2020"), None, "no 31 February");
        assert_eq!(parse_date("1985-03-07"), None);
        assert_eq!(parse_date(""), None);
    }
}
