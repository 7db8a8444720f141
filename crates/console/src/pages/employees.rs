//! Personnel records: search within the person's scope, and a record's 2C-BNV items; an
//! employee with self-service sees their own record only.

use crate::web::{Ctx, Failure, encode, render};
use askama::Template;
use axum::extract::{Path, Query};
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
    rows: Vec<Row>,
    query: String,
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
        query: q.q,
        next_href,
    })
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
    name: String,
    items: Vec<Item>,
}

pub async fn show(ctx: Ctx, Path(id): Path<String>) -> Response {
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
    render(&RecordPage {
        page: ctx.page.crumbs(&[
            (Some("/ho-so"), "Hồ sơ cán bộ", "Personnel records"),
            (None, "Sơ yếu lý lịch", "Personal history"),
        ]),
        name: e.full_name,
        items,
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
    }
}
