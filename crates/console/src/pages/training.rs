//! Training (QĐ 80/2020 Điều 13): announced courses; an agency that may train announces one;
//! units register their staff (the registration is the legal act: who and when are shown);
//! the organiser records each result; study hours per person in a year.

use crate::pages::employees::{date, parse_date};
use crate::pages::sections::catalogues;
use crate::web::unit_choice::UnitChoice;
use crate::web::{Ctx, Errors, Failure, FieldError, Page, encode, holds, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::employee_service_client::EmployeeServiceClient;
use tinhso_proto::personnel::v1::training_service_client::TrainingServiceClient;

pub struct CourseRow {
    pub id: String,
    pub title: String,
    pub provider: String,
    pub dates: String,
    pub deadline: String,
    pub seats: String,
    pub hours: i32,
}

#[derive(Template)]
#[template(path = "courses.html")]
struct CoursesPage {
    page: Page,
    rows: Vec<CourseRow>,
    can_announce: bool,
    kinds: Vec<(String, String)>,
    form: AnnounceForm,
    /// The form's date and number inputs: name, labels, value.
    inputs: Vec<(&'static str, &'static str, &'static str, String)>,
    errors: Errors,
    request_id: String,
}

#[derive(Deserialize, Default)]
pub struct AnnounceForm {
    #[serde(default)]
    pub request_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub end_date: String,
    #[serde(default)]
    pub registration_deadline: String,
    #[serde(default)]
    pub seats: String,
    #[serde(default)]
    pub hours: String,
}

fn period(c: &pb::Course) -> String {
    format!(
        "{} – {}",
        date(c.start_date.as_ref()),
        date(c.end_date.as_ref())
    )
}

async fn courses_page(
    ctx: Ctx,
    form: AnnounceForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let reply = match TrainingServiceClient::new(ctx.console.personnel.clone())
        .list_courses(ctx.request(pb::ListCoursesRequest {
            open_only: false,
            page_size: 100,
            page_token: String::new(),
        }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let can_announce = holds(&ctx.principal, "personnel.training.write");
    let kinds = if can_announce {
        catalogues(&ctx, vec!["training_kind"])
            .await
            .remove("training_kind")
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let body = CoursesPage {
        page: ctx.page.crumbs(&[(None, "Đào tạo, bồi dưỡng", "Training")]),
        rows: reply
            .courses
            .into_iter()
            .map(|c| CourseRow {
                dates: period(&c),
                deadline: date(c.registration_deadline.as_ref()),
                seats: format!("{} / {}", c.registered, c.seats),
                hours: c.hours,
                title: c.title,
                provider: c.provider,
                id: c.id,
            })
            .collect(),
        can_announce,
        kinds,
        request_id: if form.request_id.is_empty() {
            uuid::Uuid::new_v4().to_string()
        } else {
            form.request_id.clone()
        },
        inputs: vec![
            (
                "start_date",
                "Ngày bắt đầu",
                "Starts",
                form.start_date.clone(),
            ),
            ("end_date", "Ngày kết thúc", "Ends", form.end_date.clone()),
            (
                "registration_deadline",
                "Hạn đăng ký",
                "Register by",
                form.registration_deadline.clone(),
            ),
            ("seats", "Chỉ tiêu (người)", "Seats", form.seats.clone()),
            ("hours", "Số tiết", "Hours", form.hours.clone()),
        ],
        form,
        errors,
    };
    (status, render(&body)).into_response()
}

pub async fn list(ctx: Ctx) -> Response {
    courses_page(
        ctx,
        AnnounceForm::default(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

fn problem(page: &Page, field: &str, vi: &str, en: &str) -> FieldError {
    FieldError {
        field: field.into(),
        message: page.t(vi, en).to_string(),
    }
}

pub async fn announce(ctx: Ctx, Form(f): Form<AnnounceForm>) -> Response {
    let mut errors = Vec::new();
    let mut day = |field: &str, text: &str| {
        let d = parse_date(text);
        if d.is_none() {
            errors.push(problem(
                &ctx.page,
                field,
                "Hãy nhập một ngày có thật, dạng ngày/tháng/năm.",
                "Enter a real date as day/month/year.",
            ));
        }
        d
    };
    let (start, end, deadline) = (
        day("start_date", &f.start_date),
        day("end_date", &f.end_date),
        day("registration_deadline", &f.registration_deadline),
    );
    let mut number = |field: &str, text: &str| match text.trim().parse::<i32>() {
        Ok(n) if n > 0 => n,
        _ => {
            errors.push(problem(
                &ctx.page,
                field,
                "Hãy nhập một số nguyên dương.",
                "Enter a positive whole number.",
            ));
            0
        }
    };
    let (seats, hours) = (number("seats", &f.seats), number("hours", &f.hours));
    if !errors.is_empty() {
        return courses_page(ctx, f, Errors(errors), StatusCode::BAD_REQUEST).await;
    }
    let organiser = ctx
        .principal
        .scopes_for("personnel.training.write")
        .first()
        .map(|s| {
            tinhso_platform::UnitPath::new(s.clone())
                .unit_id()
                .into_string()
        })
        .unwrap_or_default();
    let reply = TrainingServiceClient::new(ctx.console.personnel.clone())
        .announce_course(ctx.request(pb::AnnounceCourseRequest {
            course: Some(pb::Course {
                organiser_unit_id: organiser,
                title: f.title.clone(),
                provider: f.provider.clone(),
                kind: f.kind.clone(),
                start_date: start,
                end_date: end,
                registration_deadline: deadline,
                seats,
                hours,
                ..Default::default()
            }),
            request_id: f.request_id.clone(),
        }))
        .await;
    match reply {
        Ok(c) => Redirect::to(&format!("/dao-tao/{}", c.into_inner().id)).into_response(),
        Err(s) => match Failure::of(&s, ctx.page.lang) {
            Failure::Fields(errors) => {
                courses_page(ctx, f, Errors(errors), StatusCode::BAD_REQUEST).await
            }
            other => other.page(&ctx.page),
        },
    }
}

pub struct RegistrationRow {
    pub id: String,
    pub name: String,
    pub status_vi: &'static str,
    pub status_en: &'static str,
    pub open: bool,
    pub registered_by: String,
    pub hours: i32,
    pub certificate: String,
}

pub struct Candidate {
    pub id: String,
    pub name: String,
    pub born: String,
}

#[derive(Template)]
#[template(path = "course.html")]
struct CoursePage {
    page: Page,
    course: pb::Course,
    dates: String,
    deadline: String,
    rows: Vec<RegistrationRow>,
    can_register: bool,
    can_grade: bool,
    query: String,
    candidates: Vec<Candidate>,
    done: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct CourseQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    done: String,
}

fn status_of(s: i32) -> (&'static str, &'static str, bool) {
    match pb::RegistrationStatus::try_from(s) {
        Ok(pb::RegistrationStatus::Registered) => ("Đã đăng ký", "Registered", true),
        Ok(pb::RegistrationStatus::Withdrawn) => ("Đã rút", "Withdrawn", false),
        Ok(pb::RegistrationStatus::Completed) => ("Hoàn thành", "Completed", false),
        Ok(pb::RegistrationStatus::Failed) => ("Không đạt", "Failed", false),
        Ok(pb::RegistrationStatus::Absent) => ("Vắng mặt", "Absent", false),
        _ => ("", "", false),
    }
}

pub async fn show(ctx: Ctx, Path(id): Path<String>, Query(q): Query<CourseQuery>) -> Response {
    let mut client = TrainingServiceClient::new(ctx.console.personnel.clone());
    // The course is among the listed ones (every signed-in user reads them).
    let course = match client
        .list_courses(ctx.request(pb::ListCoursesRequest {
            open_only: false,
            page_size: 500,
            page_token: String::new(),
        }))
        .await
    {
        Ok(r) => r.into_inner().courses.into_iter().find(|c| c.id == id),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let Some(course) = course else {
        return Failure::NotFound(String::new()).page(&ctx.page);
    };
    let rows = match client
        .list_registrations(ctx.request(pb::ListRegistrationsRequest {
            course_id: id.clone(),
        }))
        .await
    {
        Ok(r) => r
            .into_inner()
            .registrations
            .into_iter()
            .map(|r| {
                let (status_vi, status_en, open) = status_of(r.status);
                let when = crate::pages::employees::day_of(r.register_time.as_ref());
                RegistrationRow {
                    id: r.id,
                    name: r.employee_name,
                    status_vi,
                    status_en,
                    open,
                    registered_by: format!("{} ({when})", r.registered_by),
                    hours: r.hours,
                    certificate: r.certificate,
                }
            })
            .collect(),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let can_register = holds(&ctx.principal, "personnel.record.write");
    // The organiser's people grade; the service refuses anyone else.
    let can_grade = holds(&ctx.principal, "personnel.training.write");
    let candidates = if can_register && q.q.trim().chars().count() >= 2 {
        EmployeeServiceClient::new(ctx.console.personnel.clone())
            .list_employees(ctx.request(pb::ListEmployeesRequest {
                query: q.q.clone(),
                page_size: 20,
                ..Default::default()
            }))
            .await
            .map(|r| {
                r.into_inner()
                    .employees
                    .into_iter()
                    .map(|e| Candidate {
                        born: date(e.birth_date.as_ref()),
                        name: e.full_name,
                        id: e.id,
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let done = match q.done.as_str() {
        "registered" => Some(ctx.page.t("Đã đăng ký.", "Registered.")),
        "withdrawn" => Some(ctx.page.t("Đã rút đăng ký.", "Withdrawn.")),
        "result" => Some(ctx.page.t("Đã ghi kết quả.", "Result recorded.")),
        _ => None,
    }
    .map(str::to_string);
    render(&CoursePage {
        page: ctx.page.crumbs(&[
            (Some("/dao-tao"), "Đào tạo, bồi dưỡng", "Training"),
            (None, "Khóa học", "Course"),
        ]),
        dates: period(&course),
        deadline: date(course.registration_deadline.as_ref()),
        course,
        rows,
        can_register,
        can_grade,
        query: q.q,
        candidates,
        done,
    })
}

#[derive(Deserialize, Default)]
pub struct RegisterForm {
    #[serde(default)]
    employee_id: String,
}

pub async fn register(ctx: Ctx, Path(id): Path<String>, Form(f): Form<RegisterForm>) -> Response {
    match TrainingServiceClient::new(ctx.console.personnel.clone())
        .register_for_course(ctx.request(pb::RegisterForCourseRequest {
            course_id: id.clone(),
            employee_id: f.employee_id,
        }))
        .await
    {
        Ok(_) => Redirect::to(&format!("/dao-tao/{}?done=registered", encode(&id))).into_response(),
        Err(s) => Failure::of(&s, ctx.page.lang).page(&ctx.page),
    }
}

pub async fn withdraw(ctx: Ctx, Path((id, registration)): Path<(String, String)>) -> Response {
    match TrainingServiceClient::new(ctx.console.personnel.clone())
        .withdraw_registration(ctx.request(pb::WithdrawRegistrationRequest { id: registration }))
        .await
    {
        Ok(_) => Redirect::to(&format!("/dao-tao/{}?done=withdrawn", encode(&id))).into_response(),
        Err(s) => Failure::of(&s, ctx.page.lang).page(&ctx.page),
    }
}

#[derive(Deserialize, Default)]
pub struct ResultForm {
    #[serde(default)]
    result: i32,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    certificate: String,
}

pub async fn result(
    ctx: Ctx,
    Path((id, registration)): Path<(String, String)>,
    Form(f): Form<ResultForm>,
) -> Response {
    match TrainingServiceClient::new(ctx.console.personnel.clone())
        .record_result(ctx.request(pb::RecordResultRequest {
            id: registration,
            result: f.result,
            hours: f.hours.trim().parse().unwrap_or(0),
            certificate: f.certificate,
        }))
        .await
    {
        Ok(_) => Redirect::to(&format!("/dao-tao/{}?done=result", encode(&id))).into_response(),
        Err(s) => Failure::of(&s, ctx.page.lang).page(&ctx.page),
    }
}

#[derive(Deserialize, Default)]
pub struct HoursQuery {
    #[serde(default)]
    don_vi: String,
    #[serde(default)]
    nam: String,
}

pub struct HoursRow {
    pub id: String,
    pub name: String,
    pub hours: i32,
    pub courses: i32,
}

#[derive(Template)]
#[template(path = "study_hours.html")]
struct HoursPage {
    page: Page,
    units: UnitChoice,
    year: i32,
    rows: Vec<HoursRow>,
    total: i32,
}

pub async fn hours(ctx: Ctx, Query(q): Query<HoursQuery>) -> Response {
    let units = match UnitChoice::of(&ctx, "personnel.record.read", &q.don_vi).await {
        Ok(u) => u,
        Err(f) => return f.page(&ctx.page),
    };
    let this_year = tinhso_platform::clock::vietnam_date(ctx.console.clock.now_ms()).year();
    let year = q.nam.trim().parse().unwrap_or(this_year);
    let reply = match TrainingServiceClient::new(ctx.console.personnel.clone())
        .get_study_hours(ctx.request(pb::GetStudyHoursRequest {
            unit_id: units.selected.clone(),
            year,
        }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    render(&HoursPage {
        page: ctx.page.crumbs(&[
            (Some("/dao-tao"), "Đào tạo, bồi dưỡng", "Training"),
            (None, "Giờ học", "Study hours"),
        ]),
        units,
        year,
        total: reply.total_hours,
        rows: reply
            .employees
            .into_iter()
            .map(|e| HoursRow {
                id: e.employee_id,
                name: e.full_name,
                hours: e.hours,
                courses: e.courses,
            })
            .collect(),
    })
}
