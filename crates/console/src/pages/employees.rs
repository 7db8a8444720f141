//! Personnel records: search within the person's scope, and a record's 2C-BNV items; an
//! employee with self-service sees their own record only.

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
    query: String,
    query_encoded: String,
    next_href: String,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

pub async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> Response {
    let reply = EmployeeServiceClient::new(ctx.console.personnel.clone())
        .list_employees(ctx.request(pb::ListEmployeesRequest {
            query: q.q.clone(),
            page_size: 50,
            page_token: q.page.clone(),
            ..Default::default()
        }))
        .await;
    let reply = match reply {
        Ok(r) => r.into_inner(),
        Err(status) => return Failure::of(&status, ctx.page.lang).page(&ctx.page),
    };
    let next_href = if reply.next_page_token.is_empty() {
        String::new()
    } else {
        format!(
            "/ho-so?q={}&page={}",
            encode(&q.q),
            encode(&reply.next_page_token)
        )
    };
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
        query_encoded: encode(&q.q),
        query: q.q,
        next_href,
    })
}

/// The search's records as a workbook (every match, streamed as the service writes it).
pub async fn export(ctx: Ctx, Query(q): Query<ListQuery>) -> Response {
    match EmployeeServiceClient::new(ctx.console.personnel.clone())
        .export_employees(ctx.request(pb::ListEmployeesRequest {
            query: q.q,
            ..Default::default()
        }))
        .await
    {
        Ok(r) => crate::web::download(r.into_inner(), "ho-so.xlsx", &ctx.page).await,
        Err(status) => Failure::of(&status, ctx.page.lang).page(&ctx.page),
    }
}

pub struct Item {
    pub vi: &'static str,
    pub en: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "employee.html")]
struct RecordPage {
    page: crate::web::Page,
    id: String,
    name: String,
    items: Vec<Item>,
    sections: Vec<crate::pages::sections::SectionView>,
    can_edit: bool,
    done: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    done: Option<String>,
}

pub async fn show(ctx: Ctx, Path(id): Path<String>, Query(q): Query<ShowQuery>) -> Response {
    let e = match EmployeeServiceClient::new(ctx.console.personnel.clone())
        .get_employee(ctx.request(pb::GetEmployeeRequest { id }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(status) => return Failure::of(&status, ctx.page.lang).page(&ctx.page),
    };
    let sex = match pb::Sex::try_from(e.sex) {
        Ok(pb::Sex::Male) => ctx.page.t("Nam", "Male"),
        Ok(pb::Sex::Female) => ctx.page.t("Nữ", "Female"),
        _ => "",
    };
    let item = |vi, en, value: String| Item { vi, en, value };
    let items = vec![
        item(
            "Họ và tên khai sinh",
            "Full name at birth",
            e.full_name.clone(),
        ),
        item("Tên gọi khác", "Other names", e.other_names.clone()),
        item("Ngày sinh", "Date of birth", date(e.birth_date.as_ref())),
        item("Giới tính", "Sex", sex.to_string()),
        item("Nơi sinh", "Place of birth", e.place_of_birth.clone()),
        item("Quê quán", "Home town", e.home_town.clone()),
        item("Dân tộc", "Ethnicity", e.ethnicity.clone()),
        item("Tôn giáo", "Religion", e.religion.clone()),
        item("Số CCCD", "Citizen ID", e.id_number.clone()),
        item(
            "Nơi ở hiện nay",
            "Current address",
            e.current_address.clone(),
        ),
        item(
            "Ngày tuyển dụng",
            "Recruited on",
            date(e.recruitment_date.as_ref()),
        ),
        item("Chức vụ", "Position", e.position.clone()),
        item("Ngạch", "Grade", e.grade_code.clone()),
        item("Bậc lương", "Salary step", e.step.to_string()),
        item(
            "Hệ số lương",
            "Salary coefficient",
            coefficient(e.coefficient),
        ),
        item(
            "Ngày vào Đảng",
            "Party admission",
            date(e.party_admission_date.as_ref()),
        ),
    ];
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
    let sections = match crate::pages::sections::views(&ctx, &e.id, can_edit, can_salary).await {
        Ok(sections) => sections,
        Err(failure) => return failure.page(&ctx.page),
    };
    render(&RecordPage {
        can_edit,
        sections,
        page: ctx.page.crumbs(&[
            (Some("/ho-so"), "Hồ sơ cán bộ", "Personnel records"),
            (None, "Sơ yếu lý lịch", "Personal history"),
        ]),
        id: e.id,
        name: e.full_name,
        items,
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
    title_vi: &'static str,
    title_en: &'static str,
    button_vi: &'static str,
    button_en: &'static str,
    action: String,
    creating: bool,
    request_id: String,
    etag: String,
    units: Vec<(String, String)>,
    unit_id: String,
    kind: i32,
    sex: i32,
    fields: Vec<TextField>,
    errors: Errors,
}

#[derive(Deserialize, Default)]
pub struct RecordForm {
    #[serde(default)]
    request_id: String,
    #[serde(default)]
    etag: String,
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
    position: String,
    #[serde(default)]
    ethnicity: String,
    #[serde(default)]
    current_address: String,
    #[serde(default)]
    phone: String,
}

fn fields_of(f: &RecordForm, creating: bool) -> Vec<TextField> {
    let field = |name, vi, en, value: &str| TextField {
        name,
        vi,
        en,
        value: value.to_string(),
    };
    let mut fields = vec![field(
        "full_name",
        "Họ và tên khai sinh",
        "Full name at birth",
        &f.full_name,
    )];
    if creating {
        fields.push(field(
            "birth_date",
            "Ngày sinh",
            "Date of birth",
            &f.birth_date,
        ));
    }
    fields.extend([
        field("position", "Chức vụ", "Position", &f.position),
        field("ethnicity", "Dân tộc", "Ethnicity", &f.ethnicity),
        field(
            "current_address",
            "Nơi ở hiện nay",
            "Current address",
            &f.current_address,
        ),
        field("phone", "Điện thoại", "Phone", &f.phone),
    ]);
    fields
}

async fn form_page(
    ctx: Ctx,
    id: Option<&str>,
    f: RecordForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let creating = id.is_none();
    let units = if creating {
        match crate::pages::units::tree(&ctx, false).await {
            Ok(units) => units.into_iter().map(|u| (u.id, u.name)).collect(),
            Err(failure) => return failure.page(&ctx.page),
        }
    } else {
        Vec::new()
    };
    let (title, button, action) = match id {
        None => (
            ("Thêm hồ sơ", "Add a record"),
            ("Thêm hồ sơ", "Add the record"),
            "/ho-so".to_string(),
        ),
        Some(id) => (
            ("Sửa thông tin hồ sơ", "Edit the record"),
            ("Lưu thay đổi", "Save changes"),
            format!("/ho-so/{id}/sua"),
        ),
    };
    let body = FormPage {
        page: ctx.page.crumbs(&[
            (Some("/ho-so"), "Hồ sơ cán bộ", "Personnel records"),
            (None, title.0, title.1),
        ]),
        title_vi: title.0,
        title_en: title.1,
        button_vi: button.0,
        button_en: button.1,
        action,
        creating,
        request_id: if f.request_id.is_empty() {
            uuid::Uuid::new_v4().to_string()
        } else {
            f.request_id.clone()
        },
        etag: f.etag.clone(),
        units,
        unit_id: f.unit_id.clone(),
        kind: f.kind,
        sex: f.sex,
        fields: fields_of(&f, creating),
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
    form_page(ctx, None, f, Errors::default(), StatusCode::OK).await
}

pub async fn create(ctx: Ctx, Form(f): Form<RecordForm>) -> Response {
    let birth_date = parse_date(&f.birth_date);
    if birth_date.is_none() {
        let message = ctx
            .page
            .t(
                "Ngày sinh phải là một ngày có thật, dạng ngày/tháng/năm, ví dụ 07/03/1985",
                "Date of birth must be a real date as day/month/year, e.g. 07/03/1985",
            )
            .to_string();
        let errors = Errors(vec![FieldError {
            field: "birth_date".into(),
            message,
        }]);
        return form_page(ctx, None, f, errors, StatusCode::BAD_REQUEST).await;
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
                ethnicity: f.ethnicity.clone(),
                current_address: f.current_address.clone(),
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
                form_page(ctx, None, f, Errors(errors), StatusCode::BAD_REQUEST).await
            }
            other => other.page(&ctx.page),
        },
    }
}

pub async fn edit_form(ctx: Ctx, Path(id): Path<String>) -> Response {
    let e = match EmployeeServiceClient::new(ctx.console.personnel.clone())
        .get_employee(ctx.request(pb::GetEmployeeRequest { id: id.clone() }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(status) => return Failure::of(&status, ctx.page.lang).page(&ctx.page),
    };
    let f = RecordForm {
        etag: e.etag,
        full_name: e.full_name,
        position: e.position,
        ethnicity: e.ethnicity,
        current_address: e.current_address,
        phone: e.phone,
        ..Default::default()
    };
    form_page(ctx, Some(&id), f, Errors::default(), StatusCode::OK).await
}

/// Saves an edit made on the version the form was loaded from; if someone saved the record in
/// between, the edit is refused (409) with the service's message and the person's input kept,
/// instead of silently overwriting the other change.
pub async fn update(ctx: Ctx, Path(id): Path<String>, Form(f): Form<RecordForm>) -> Response {
    let reply = EmployeeServiceClient::new(ctx.console.personnel.clone())
        .update_employee(ctx.request(pb::UpdateEmployeeRequest {
            id: id.clone(),
            full_name: Some(f.full_name.clone()),
            position: Some(f.position.clone()),
            ethnicity: Some(f.ethnicity.clone()),
            current_address: Some(f.current_address.clone()),
            phone: Some(f.phone.clone()),
            etag: f.etag.clone(),
            ..Default::default()
        }))
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
                Failure::Fields(errors) => form_page(ctx, Some(&id), f, Errors(errors), code).await,
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
