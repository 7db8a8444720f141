//! The console's pages, one module per area; each handler reads its form or query, calls the
//! service with the person's token, and renders a template.

pub mod account_import;
pub mod accounts;
pub mod audit;
pub mod auth;
pub mod awards;
pub mod catalogues;
pub mod compliance;
pub mod employees;
pub mod handovers;
pub mod home;
pub mod imports;
pub mod movements;
pub mod payroll;
pub mod record_items;
pub mod retirement;
pub mod roles;
pub mod sections;
pub mod staffing;
pub mod statistics;
pub mod training;
pub mod unit;
pub mod units;
pub mod welfare;
pub mod welfare_estimates;
pub mod welfare_imports;
pub mod welfare_payments;

use crate::Console;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub fn routes() -> Router<Console> {
    Router::new()
        .route("/", get(home::show))
        .route("/dang-nhap", get(auth::sign_in_form).post(auth::sign_in))
        .route(
            "/doi-mat-khau",
            get(auth::password_form).post(auth::change_password),
        )
        .route("/dang-xuat", post(auth::sign_out))
        .route("/tai-khoan-cua-toi", get(auth::me))
        .route("/ngon-ngu", get(auth::language))
        .route("/don-vi", get(units::list).post(units::create))
        .route("/don-vi/{id}", get(unit::show))
        .route("/don-vi/{id}/doi-ten", post(unit::rename))
        .route("/don-vi/{id}/chuyen", post(unit::move_unit))
        .route(
            "/don-vi/{id}/sap-nhap",
            get(unit::confirm_merge).post(unit::merge),
        )
        .route(
            "/don-vi/{id}/giai-the",
            get(unit::confirm_close).post(unit::close),
        )
        .route("/ho-so", get(employees::list).post(employees::create))
        .route("/ho-so/moi", get(employees::new_form))
        .route("/ho-so/cua-toi", get(employees::mine))
        .route("/ho-so/chuyen-den", get(handovers::list))
        .route("/ho-so/tre-han", get(compliance::show))
        .route("/ho-so/tai-ve", get(employees::export))
        .route("/ho-so/nhap", get(imports::form).post(imports::check))
        .route("/ho-so/nhap/mau", get(imports::template))
        .route("/ho-so/nhap/{id}/ghi", post(imports::commit))
        .route("/ho-so/nhap/{id}/bao-cao", get(imports::report_file))
        .route("/ho-so/chuyen-den/{id}/tiep-nhan", post(handovers::accept))
        .route("/ho-so/chuyen-den/{id}/tu-choi", post(handovers::decline))
        .route("/ho-so/{id}", get(employees::show))
        .route(
            "/ho-so/{id}/dieu-chuyen",
            get(movements::form).post(movements::submit),
        )
        .route(
            "/ho-so/{id}/muc/{key}/them",
            get(sections::add_form).post(sections::add),
        )
        .route(
            "/ho-so/{id}/muc/{key}/go",
            get(sections::confirm_remove).post(sections::remove),
        )
        .route(
            "/ho-so/{id}/sua",
            get(employees::edit_form).post(employees::update),
        )
        .route("/bang-luong", get(payroll::show))
        .route(
            "/bang-luong/chot",
            get(payroll::confirm_close).post(payroll::close),
        )
        .route("/bang-luong/tien-do", get(payroll::schedule))
        .route("/nang-luong", get(payroll::raises))
        .route("/nghi-huu", get(retirement::list))
        .route("/bien-che", get(staffing::show).post(staffing::set))
        .route("/dao-tao", get(training::list).post(training::announce))
        .route("/dao-tao/gio-hoc", get(training::hours))
        .route("/dao-tao/{id}", get(training::show))
        .route("/dao-tao/{id}/dang-ky", post(training::register))
        .route(
            "/dao-tao/{id}/dang-ky/{registration}/rut",
            post(training::withdraw),
        )
        .route(
            "/dao-tao/{id}/dang-ky/{registration}/ket-qua",
            post(training::result),
        )
        .route("/khen-thuong", get(awards::show).post(awards::create))
        .route("/khen-thuong/tai-ve", get(awards::export))
        .route("/danh-muc", get(catalogues::list))
        .route(
            "/danh-muc/{name}",
            get(catalogues::show).post(catalogues::put),
        )
        .route("/an-sinh", get(welfare::list).post(welfare::create))
        .route("/an-sinh/xac-minh", get(welfare::pending))
        .route(
            "/an-sinh/nhap",
            get(welfare_imports::form).post(welfare_imports::check),
        )
        .route("/an-sinh/nhap/mau", get(welfare_imports::template))
        .route("/an-sinh/nhap/{id}", get(welfare_imports::report))
        .route(
            "/an-sinh/nhap/{id}/bao-cao",
            get(welfare_imports::report_file),
        )
        .route("/an-sinh/nhap/{id}/ghi", post(welfare_imports::commit))
        .route("/an-sinh/nhap/{id}/huy", post(welfare_imports::cancel))
        .route(
            "/an-sinh/tham-so",
            get(welfare::parameters).post(welfare::set_parameter),
        )
        .route("/an-sinh/chinh-sach", post(welfare::set_policy))
        .route("/an-sinh/doi-tuong/{id}", get(welfare::show))
        .route("/an-sinh/doi-tuong/{id}/che-do", post(welfare::enrol))
        .route("/an-sinh/doi-tuong/{id}/trung", post(welfare::resolve))
        .route("/an-sinh/che-do/{id}", get(welfare::enrolment))
        .route("/an-sinh/che-do/{id}/thay-doi", post(welfare::change))
        .route("/an-sinh/che-do/{id}/xac-minh", post(welfare::verify))
        .route(
            "/an-sinh/du-toan",
            get(welfare_estimates::year).post(welfare_estimates::prepare),
        )
        .route("/an-sinh/du-toan/{id}", get(welfare_estimates::show))
        .route(
            "/an-sinh/du-toan/{id}/buoc",
            post(welfare_estimates::advance),
        )
        .route("/an-sinh/bao-cao", get(welfare_payments::report))
        .route(
            "/an-sinh/bao-cao/tai-ve",
            get(welfare_payments::report_file),
        )
        .route("/an-sinh/tai-ve", get(welfare_payments::people_file))
        .route(
            "/an-sinh/chi-tra/{id}/tai-ve",
            get(welfare_payments::list_file),
        )
        .route("/an-sinh/chi-tra", get(welfare_payments::month))
        .route("/an-sinh/chi-tra/lap", post(welfare_payments::prepare))
        .route("/an-sinh/chi-tra/{id}", get(welfare_payments::list))
        .route("/an-sinh/chi-tra/{id}/ghi", post(welfare_payments::record))
        .route(
            "/an-sinh/chi-tra/{id}/buoc",
            post(welfare_payments::advance),
        )
        .route("/thong-ke", get(statistics::show))
        .route("/thong-ke/tai-ve", get(statistics::export))
        .route("/nhat-ky", get(audit::list))
        .route("/nhat-ky/tai-ve", get(audit::export))
        .route("/tai-khoan", get(accounts::list).post(accounts::create))
        .route("/tai-khoan/moi", get(accounts::new_form))
        .route("/tai-khoan/vai-tro", get(roles::list).post(roles::create))
        .route(
            "/tai-khoan/nhap",
            get(account_import::form).post(account_import::check),
        )
        .route("/tai-khoan/nhap/{id}/tao", post(account_import::commit))
        .route("/tai-khoan/{id}", get(accounts::show))
        .route(
            "/tai-khoan/{id}/thu-hoi",
            get(accounts::confirm_disable).post(accounts::disable),
        )
        .route("/tai-khoan/{id}/kich-hoat", post(accounts::enable))
        .route("/tai-khoan/{id}/mo-khoa", post(accounts::unlock))
        .route("/tai-khoan/{id}/quyen", post(accounts::grant))
        .route(
            "/tai-khoan/{id}/quyen/{grant_id}/bo",
            post(accounts::revoke),
        )
        .route(
            "/tai-khoan/{id}/dat-lai-mat-khau",
            get(accounts::confirm_reset).post(accounts::reset),
        )
        .route("/static/{file}", get(asset))
        .fallback(crate::web::not_found)
}

/// The embedded assets: our stylesheet and htmx (pinned, see scripts/vendor-assets.sh).
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "console.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/console.css"),
    ),
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/htmx.min.js"),
    ),
    (
        "console.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/console.js"),
    ),
];

async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=3600"),
                ),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
