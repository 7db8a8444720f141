//! Searches by any criteria and the .xlsx export of what they find, with the columns the caller
//! chooses. Codes are written as their catalogue names, dates as dd/mm/yyyy.

use super::*;
use crate::domain::catalogues as cat;
use std::collections::HashMap;
use store::employees::{Order, Search};
use tinhso_platform::ErrorCode;
use tinhso_platform::xlsx::{self, Cell};

/// Rows an export may hold; larger searches must be narrowed.
const EXPORT_LIMIT: i64 = 100_000;
/// Rows read per query while exporting.
const EXPORT_PAGE: i64 = 2_000;

/// The columns an export may have: key and Vietnamese header.
pub(super) const EXPORT_COLUMNS: &[(&str, &str)] = &[
    ("stt", "STT"),
    ("full_name", "Họ và tên"),
    ("other_names", "Tên gọi khác"),
    ("birth_date", "Ngày sinh"),
    ("sex", "Giới tính"),
    ("unit", "Đơn vị"),
    ("department", "Phòng, ban"),
    ("kind", "Loại"),
    ("status", "Tình trạng"),
    ("position", "Chức vụ"),
    ("ethnicity", "Dân tộc"),
    ("religion", "Tôn giáo"),
    ("id_number", "Số CCCD"),
    ("home_town", "Quê quán"),
    ("permanent_address", "Nơi thường trú"),
    ("recruitment_date", "Ngày tuyển dụng"),
    ("grade_code", "Mã ngạch"),
    ("grade_name", "Ngạch"),
    ("step", "Bậc"),
    ("coefficient", "Hệ số lương"),
    ("step_date", "Ngày hưởng bậc"),
    ("degree", "Trình độ chuyên môn"),
    ("degree_major", "Chuyên ngành"),
    ("political_theory", "Lý luận chính trị"),
    ("state_management", "Quản lý nhà nước"),
    ("foreign_language", "Ngoại ngữ"),
    ("it_level", "Tin học"),
    ("party_admission_date", "Ngày vào Đảng"),
    ("phone", "Điện thoại"),
    ("email", "Thư điện tử"),
];

const DEFAULT_COLUMNS: &[&str] = &[
    "stt",
    "full_name",
    "birth_date",
    "sex",
    "unit",
    "position",
    "grade_name",
    "step",
    "coefficient",
    "degree",
    "political_theory",
];

/// `YYYY-MM-DD` as a date cell (shown dd/mm/yyyy).
pub(super) fn vn_date(d: &Option<String>) -> Cell {
    match d.as_deref().and_then(tinhso_platform::api::parse_date) {
        Some(d) => Cell::Date(d),
        None => Cell::Empty,
    }
}

/// `YYYY-MM-DD` as people write it: dd/mm/yyyy (titles).
pub(super) fn vn_date_text(d: &str) -> String {
    match tinhso_platform::api::parse_date(d) {
        Some(d) => tinhso_platform::vn::date(d),
        None => d.to_string(),
    }
}

/// The names behind the codes and ids a sheet prints.
pub(super) struct Names {
    codes: HashMap<(&'static str, String), String>,
    units: HashMap<String, String>,
}

impl Names {
    pub(super) async fn load(pool: &tinhso_platform::db::DatabaseConnection) -> AppResult<Self> {
        let mut codes = HashMap::new();
        for catalogue in [
            cat::ETHNICITY,
            cat::RELIGION,
            cat::DEGREE,
            cat::POLITICAL_THEORY,
            cat::STATE_MANAGEMENT,
            cat::FOREIGN_LANGUAGE,
            cat::IT_LEVEL,
            cat::GRADE,
        ] {
            for e in store::catalogues::entries(pool, catalogue, true).await? {
                codes.insert((catalogue, e.code), e.name);
            }
        }
        let units = store::units::names(pool).await?.into_iter().collect();
        Ok(Self { codes, units })
    }

    pub(super) fn code(&self, catalogue: &'static str, code: &str) -> String {
        self.codes
            .get(&(catalogue, code.to_string()))
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    pub(super) fn unit(&self, id: &str) -> String {
        self.units.get(id).cloned().unwrap_or_default()
    }
}

fn cell(key: &str, e: &EmployeeRow, number: i64, names: &Names) -> Cell {
    let text = |s: &str| Cell::from(s);
    match key {
        "stt" => Cell::Int(number),
        "full_name" => text(&e.full_name),
        "other_names" => text(&e.other_names),
        "birth_date" => vn_date(&e.birth_date),
        "sex" => text(cat::sex_label(&e.sex)),
        "unit" => Cell::from(names.unit(&e.unit_id)),
        "department" => text(&e.department),
        "kind" => text(cat::kind_label(&e.kind)),
        "status" => text(cat::status_label(&e.status)),
        "position" => text(&e.position),
        "ethnicity" => Cell::from(names.code(cat::ETHNICITY, &e.ethnicity)),
        "religion" => Cell::from(names.code(cat::RELIGION, &e.religion)),
        "id_number" => text(&e.id_number),
        "home_town" => text(&e.home_town),
        "permanent_address" => text(&e.permanent_address),
        "recruitment_date" => vn_date(&e.recruitment_date),
        "grade_code" => text(&e.grade_code),
        "grade_name" => Cell::from(names.code(cat::GRADE, &e.grade_code)),
        "step" if e.step > 0 => Cell::Int(e.step),
        "coefficient" if e.coefficient > 0 => Cell::Coefficient(e.coefficient),
        "step_date" => vn_date(&e.step_date),
        "degree" => Cell::from(names.code(cat::DEGREE, &e.degree)),
        "degree_major" => text(&e.degree_major),
        "political_theory" => Cell::from(names.code(cat::POLITICAL_THEORY, &e.political_theory)),
        "state_management" => Cell::from(names.code(cat::STATE_MANAGEMENT, &e.state_management)),
        "foreign_language" => Cell::from(names.code(cat::FOREIGN_LANGUAGE, &e.foreign_language)),
        "it_level" => Cell::from(names.code(cat::IT_LEVEL, &e.it_level)),
        "party_admission_date" => vn_date(&e.party_admission_date),
        "phone" => text(&e.phone),
        "email" => text(&e.email),
        _ => Cell::Empty,
    }
}

/// `on` minus `years`, 29 February falling back to the 28th.
fn years_before(on: time::Date, years: i32) -> time::Date {
    let year = on.year() - years;
    let day = on.day().min(time::util::days_in_month(on.month(), year));
    time::Date::from_calendar_date(year, on.month(), day).unwrap_or(on)
}

impl Api {
    /// The search a request asks for, limited to what the caller may read; faults name their
    /// fields.
    pub(super) async fn search_of(
        &self,
        p: &Principal,
        r: &pb::ListEmployeesRequest,
    ) -> AppResult<Search> {
        let scopes = p.scopes_for(READ);
        if scopes.is_empty() {
            return Err(AppError::permission_denied());
        }
        let mut errors = Vec::new();
        let mut date = |d: &Option<tinhso_proto::common::v1::Date>, field: &str| {
            date_text(d, field)
                .map_err(|e| errors.push(e))
                .ok()
                .flatten()
        };
        let mut born = (date(&r.born_from, "born_from"), date(&r.born_to, "born_to"));
        let recruited = (
            date(&r.recruited_from, "recruited_from"),
            date(&r.recruited_to, "recruited_to"),
        );
        for (field, age) in [("min_age", r.min_age), ("max_age", r.max_age)] {
            if !(0..=120).contains(&age) {
                errors.push(AppError::invalid(
                    field,
                    ErrorCode::OutOfRange,
                    "tuổi phải từ 0 đến 120",
                    "age must be 0 to 120",
                ));
            }
        }
        if r.max_age > 0 && r.max_age < r.min_age {
            errors.push(AppError::invalid(
                "max_age",
                ErrorCode::RangeOrder,
                "tuổi tối đa nhỏ hơn tuổi tối thiểu",
                "max_age is below min_age",
            ));
        }
        let order = match r.order_by.as_str() {
            "" | "name" => Order::Name,
            "birth_date" => Order::BirthDate,
            "recruitment_date" => Order::RecruitmentDate,
            "coefficient" => Order::Coefficient,
            "unit" => Order::Unit,
            _ => {
                errors.push(AppError::invalid(
                    "order_by",
                    ErrorCode::UnknownOrder,
                    "chỉ sắp xếp được theo name, birth_date, recruitment_date, coefficient, unit",
                    "order_by must be name, birth_date, recruitment_date, coefficient or unit",
                ));
                Order::Name
            }
        };
        if !(0..=20).contains(&r.step) {
            errors.push(AppError::invalid(
                "step",
                ErrorCode::OutOfRange,
                "bậc lương không hợp lệ",
                "step out of range",
            ));
        }
        all_violations(errors)?;
        // Ages become birth-date bounds as of today, tightened with any bounds given.
        let today = tinhso_platform::api::parse_date(&self.today()).unwrap_or(time::Date::MIN);
        if r.min_age > 0 {
            let latest = tinhso_platform::api::date_string(years_before(today, r.min_age));
            born.1 = Some(born.1.map_or(latest.clone(), |b| b.min(latest)));
        }
        if r.max_age > 0 {
            let earliest = years_before(today, r.max_age + 1)
                .next_day()
                .map(tinhso_platform::api::date_string)
                .unwrap_or_default();
            born.0 = Some(born.0.map_or(earliest.clone(), |b| b.max(earliest)));
        }
        let under_path = if r.unit_id.is_empty() {
            None
        } else {
            Some(self.readable_unit(p, &r.unit_id).await?.path)
        };
        let mut equals: Vec<(&'static str, String)> = Vec::new();
        let mut add = |column: &'static str, value: Option<String>| {
            if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                equals.push((column, v.trim().to_string()));
            }
        };
        add("kind", kind_text(r.kind));
        add("status", status_text(r.status));
        add("sex", Some(sex_text(r.sex)));
        add("grade_code", Some(r.grade_code.clone()));
        add("ethnicity", Some(r.ethnicity.clone()));
        add("religion", Some(r.religion.clone()));
        add("degree", Some(r.degree.clone()));
        add("political_theory", Some(r.political_theory.clone()));
        add("state_management", Some(r.state_management.clone()));
        add("foreign_language", Some(r.foreign_language.clone()));
        add("it_level", Some(r.it_level.clone()));
        add("id_number", Some(r.id_number.clone()));
        let query = tinhso_platform::vn::fold(r.query.trim());
        let nonempty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        Ok(Search {
            scopes,
            under_path: under_path.map(Into::into),
            name_folded: (!query.is_empty()).then_some(query),
            equals,
            step: (r.step > 0).then_some(i64::from(r.step)),
            party_member: r.party_member,
            ethnic_minority: r.ethnic_minority,
            born,
            recruited,
            award_kind: nonempty(&r.award_kind),
            discipline_kind: nonempty(&r.discipline_kind),
            order,
            limit: 50,
            offset: 0,
        })
    }

    /// The records `search` finds as a workbook download.
    pub(super) async fn employees_workbook(
        &self,
        mut search: Search,
        columns: &[String],
    ) -> AppResult<super::FileStream> {
        let chosen: Vec<&str> = if columns.is_empty() {
            DEFAULT_COLUMNS.to_vec()
        } else {
            columns.iter().map(String::as_str).collect()
        };
        let mut headers = Vec::new();
        for key in &chosen {
            match EXPORT_COLUMNS.iter().find(|(k, _)| k == key) {
                Some((_, header)) => headers.push((*header).to_string()),
                None => {
                    return Err(AppError::invalid(
                        "columns",
                        ErrorCode::UnknownColumn,
                        &format!("không có cột \"{key}\""),
                        &format!("no column \"{key}\""),
                    ));
                }
            }
        }
        let pool = &self.0.db.pool;
        let total = store::employees::count(pool, &search).await?;
        if total > EXPORT_LIMIT {
            return Err(AppError::failed_precondition(
                ErrorCode::ExportTooLarge,
                &format!(
                    "kết quả có {total} hồ sơ, quá {EXPORT_LIMIT}; hãy thu hẹp điều kiện tìm kiếm"
                ),
                "too many records to export; narrow the search",
            ));
        }
        let names = Names::load(pool).await?;
        let mut rows = Vec::new();
        search.limit = EXPORT_PAGE;
        search.offset = 0;
        loop {
            let page = store::employees::search(pool, &search).await?;
            for e in &page {
                let number = i64::try_from(rows.len()).unwrap_or_default() + 1;
                rows.push(
                    chosen
                        .iter()
                        .map(|key| cell(key, e, number, &names))
                        .collect(),
                );
            }
            if i64::try_from(page.len()).unwrap_or_default() < EXPORT_PAGE {
                break;
            }
            search.offset += EXPORT_PAGE;
        }
        let today = self.today();
        let sheet = xlsx::Sheet {
            name: "Danh sách".into(),
            title: Some(format!(
                "DANH SÁCH CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC (trích xuất ngày {})",
                vn_date_text(&today)
            )),
            headers,
            rows,
        };
        self.workbook_download(format!("danh-sach-can-bo-{today}.xlsx"), vec![sheet])
            .await
    }
}
