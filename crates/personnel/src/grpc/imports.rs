//! The .xlsx import of employee records (item 14 of the issue): the template, the row-by-row
//! check that writes nothing, and the commit of a checked file in one transaction. Rows match
//! existing records by ID number; catalogue cells take a code or a name.

use super::*;
use crate::domain::catalogues as cat;
use crate::domain::grades::GradeGroup;
use sha2::Digest;
use std::collections::{HashMap, HashSet};
use tinhso_platform::xlsx::{self, Cell};
use tinhso_platform::{EmployeeId, ErrorCode};

/// Largest import file.
const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

/// Rows of one import (the template's title and heading lines included) and its columns: a large
/// district's staff in one file, with room for columns a unit adds for itself.
const MAX_IMPORT_ROWS: u32 = 20_000;
const MAX_IMPORT_COLUMNS: u32 = 100;
const IMPORT_LIMITS: xlsx::ReadLimits =
    xlsx::ReadLimits::for_sheet(MAX_IMPORT_ROWS, MAX_IMPORT_COLUMNS);

/// One column of the template: key, heading, record field, required, how to fill it.
struct Column {
    key: &'static str,
    heading: &'static str,
    field: &'static str,
    required: bool,
    hint: &'static str,
    example: &'static str,
}

const fn column(
    key: &'static str,
    heading: &'static str,
    field: &'static str,
    required: bool,
    hint: &'static str,
    example: &'static str,
) -> Column {
    Column {
        key,
        heading,
        field,
        required,
        hint,
        example,
    }
}

const COLUMNS: &[Column] = &[
    column(
        "ho_ten",
        "Họ và tên",
        "full_name",
        true,
        "Họ và tên khai sinh",
        "Nguyễn Văn An",
    ),
    column(
        "ngay_sinh",
        "Ngày sinh",
        "birth_date",
        true,
        "dd/mm/yyyy; chỉ biết tháng, năm: mm/yyyy hoặc yyyy",
        "30/04/1985",
    ),
    column("gioi_tinh", "Giới tính", "sex", true, "Nam hoặc Nữ", "Nam"),
    column(
        "so_cccd",
        "Số CCCD",
        "id_number",
        false,
        "12 chữ số (CMND cũ: 9 số); hồ sơ đã có số này sẽ được cập nhật",
        "087085001234",
    ),
    column(
        "loai",
        "Loại",
        "kind",
        true,
        "Cán bộ, Công chức, Viên chức, Người làm việc tại Hội hoặc Hợp đồng lao động",
        "Công chức",
    ),
    column(
        "ma_don_vi",
        "Mã đơn vị",
        "unit_id",
        false,
        "Mã đơn vị trong hệ thống; để trống là đơn vị chọn khi nhập",
        "",
    ),
    column(
        "phong_ban",
        "Phòng, ban",
        "department",
        false,
        "",
        "Văn phòng",
    ),
    column("chuc_vu", "Chức vụ", "position", false, "", "Chuyên viên"),
    column(
        "dan_toc",
        "Dân tộc",
        "ethnicity",
        false,
        "Mã hoặc tên trong danh mục",
        "Kinh",
    ),
    column(
        "ton_giao",
        "Tôn giáo",
        "religion",
        false,
        "Mã hoặc tên trong danh mục",
        "Không",
    ),
    column(
        "que_quan",
        "Quê quán",
        "home_town",
        false,
        "",
        "Cao Lãnh, Đồng Tháp",
    ),
    column(
        "noi_thuong_tru",
        "Nơi thường trú",
        "permanent_address",
        false,
        "",
        "",
    ),
    column(
        "ngay_tuyen_dung",
        "Ngày tuyển dụng",
        "recruitment_date",
        false,
        "dd/mm/yyyy",
        "01/09/2010",
    ),
    column(
        "ngay_qd_tuyen_dung",
        "Ngày quyết định tuyển dụng, tiếp nhận",
        "recruitment_decision_date",
        false,
        "dd/mm/yyyy; để trống với người đã công tác từ trước",
        "",
    ),
    column(
        "ma_ngach",
        "Mã ngạch",
        "grade_code",
        false,
        "Theo danh mục ngạch",
        "01.003",
    ),
    column("bac", "Bậc lương", "step", false, "Số nguyên", "4"),
    column(
        "he_so",
        "Hệ số lương",
        "coefficient",
        false,
        "Để trống thì lấy theo bậc; nếu ghi phải khớp bậc",
        "3,33",
    ),
    column(
        "ngay_huong_bac",
        "Ngày hưởng bậc",
        "step_date",
        false,
        "dd/mm/yyyy",
        "01/01/2024",
    ),
    column(
        "trinh_do",
        "Trình độ chuyên môn",
        "degree",
        false,
        "Mã hoặc tên trong danh mục",
        "Đại học",
    ),
    column(
        "ly_luan_chinh_tri",
        "Lý luận chính trị",
        "political_theory",
        false,
        "Mã hoặc tên trong danh mục",
        "Trung cấp",
    ),
    column(
        "ngay_vao_dang",
        "Ngày vào Đảng",
        "party_admission_date",
        false,
        "dd/mm/yyyy",
        "",
    ),
    column("dien_thoai", "Điện thoại", "phone", false, "", ""),
    column("email", "Thư điện tử", "email", false, "", ""),
];

/// Catalogue cells and their catalogues.
const CODED: &[(&str, &str)] = &[
    ("ethnicity", cat::ETHNICITY),
    ("religion", cat::RELIGION),
    ("degree", cat::DEGREE),
    ("political_theory", cat::POLITICAL_THEORY),
];

fn heading_of(field: &str) -> &'static str {
    COLUMNS
        .iter()
        .find(|c| c.field == field)
        .map_or("", |c| c.heading)
}

/// A date cell (`vn::cell_date`) as the API's date.
fn date_cell(text: &str) -> Option<tinhso_proto::common::v1::Date> {
    as_date(tinhso_platform::vn::cell_date(text)?)
}

/// A birth date cell, a year or a month only allowed (`vn::cell_birth_date`).
fn birth_date_cell(text: &str) -> Option<tinhso_proto::common::v1::Date> {
    as_date(tinhso_platform::vn::cell_birth_date(text)?)
}

fn as_date((year, month, day): (i32, i32, i32)) -> Option<tinhso_proto::common::v1::Date> {
    Some(tinhso_proto::common::v1::Date { year, month, day })
}

/// A coefficient cell: "3,33", "3.33" or "333".
fn coefficient_cell(text: &str) -> Option<i32> {
    let t = text.replace(',', ".");
    match t.split_once('.') {
        Some((whole, frac)) => {
            let frac = format!("{frac:0<2}");
            Some(whole.parse::<i32>().ok()? * 100 + frac.get(..2)?.parse::<i32>().ok()?)
        }
        None => {
            let v: i32 = t.parse().ok()?;
            Some(if v < 20 { v * 100 } else { v })
        }
    }
}

/// What the checks read once per import.
struct Lookups {
    /// (catalogue, folded code or name) -> code.
    codes: HashMap<(&'static str, String), String>,
    grades: HashMap<String, GradeGroup>,
    steps: HashMap<GradeGroup, Vec<u32>>,
    units_by_code: HashMap<String, store::units::UnitRow>,
}

impl Lookups {
    async fn load(conn: &impl tinhso_platform::db::ConnectionTrait) -> AppResult<Self> {
        let mut codes = HashMap::new();
        for (_, catalogue) in CODED {
            for e in store::catalogues::entries_on(conn, catalogue).await? {
                if !e.active {
                    continue;
                }
                codes.insert(
                    (*catalogue, tinhso_platform::vn::fold(&e.name)),
                    e.code.clone(),
                );
                codes.insert((*catalogue, tinhso_platform::vn::fold(&e.code)), e.code);
            }
        }
        let grades = store::catalogues::entries_on(conn, cat::GRADE)
            .await?
            .into_iter()
            .filter(|e| e.active)
            .filter_map(|e| Some((e.code, GradeGroup::from_code(&e.attribute)?)))
            .collect();
        let steps = store::catalogues::group_steps(conn)
            .await?
            .into_iter()
            .filter_map(|(g, c)| Some((GradeGroup::from_code(&g)?, c)))
            .collect();
        let units_by_code = store::units::active(conn)
            .await?
            .into_iter()
            .map(|u| (tinhso_platform::vn::fold(&u.code), u))
            .collect();
        Ok(Self {
            codes,
            grades,
            steps,
            units_by_code,
        })
    }
}

/// One checked row, ready to write.
struct Checked {
    row: EmployeeRow,
    /// The record it updates, if its ID number matched one.
    existing: Option<EmployeeRow>,
}

fn row_error(
    row: usize,
    field_or_heading: &str,
    code: ErrorCode,
    message: &str,
) -> pb::ImportRowError {
    let heading = match heading_of(field_or_heading) {
        "" => field_or_heading.to_string(),
        h => h.to_string(),
    };
    pb::ImportRowError {
        row: i32::try_from(row).unwrap_or(i32::MAX),
        column: heading,
        code: code.into(),
        message: message.into(),
    }
}

impl Api {
    /// Checks every row; returns the rows to write and every fault.
    async fn check_import(
        &self,
        p: &Principal,
        default_unit: &store::units::UnitRow,
        sheet: &[Vec<String>],
    ) -> AppResult<(Vec<Checked>, Vec<pb::ImportRowError>)> {
        let mut errors = Vec::new();
        let Some(header_index) = sheet.iter().position(|r| {
            r.iter().any(|c| {
                let f = tinhso_platform::vn::fold(c);
                f == "ho va ten" || f == "ho_ten"
            })
        }) else {
            errors.push(row_error(
                1,
                "Họ và tên",
                ErrorCode::NoHeader,
                "không tìm thấy dòng tiêu đề (cột \"Họ và tên\"); hãy dùng tệp mẫu",
            ));
            return Ok((Vec::new(), errors));
        };
        // Column position of each template column found in the heading row.
        let mut positions: HashMap<&str, usize> = HashMap::new();
        for (i, heading) in sheet[header_index].iter().enumerate() {
            let f = tinhso_platform::vn::fold(heading);
            if let Some(c) = COLUMNS
                .iter()
                .find(|c| tinhso_platform::vn::fold(c.heading) == f || c.key == f)
            {
                positions.insert(c.field, i);
            }
        }
        for c in COLUMNS.iter().filter(|c| c.required) {
            if !positions.contains_key(c.field) {
                errors.push(row_error(
                    header_index + 1,
                    c.heading,
                    ErrorCode::MissingColumn,
                    &format!("thiếu cột \"{}\"", c.heading),
                ));
            }
        }
        if !errors.is_empty() {
            return Ok((Vec::new(), errors));
        }
        let conn = &self.0.db.pool;
        let lookups = Lookups::load(conn).await?;
        let today = self.today();
        let mut seen_ids = HashSet::new();
        let mut checked = Vec::new();
        for (index, cells) in sheet.iter().enumerate().skip(header_index + 1) {
            let line = index + 1;
            let cell = |field: &str| {
                positions
                    .get(field)
                    .and_then(|i| cells.get(*i))
                    .map(|s| s.trim())
                    .unwrap_or_default()
            };
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let mut row_errors = Vec::new();
            let mut fault = |field: &str, code: ErrorCode, message: &str| {
                row_errors.push(row_error(line, field, code, message));
            };
            // The record it updates, matched by ID number.
            let id_number = cell("id_number").to_string();
            let existing = if id_number.is_empty() {
                None
            } else {
                if !seen_ids.insert(id_number.clone()) {
                    fault(
                        "id_number",
                        ErrorCode::DuplicateInFile,
                        "số CCCD trùng với một dòng phía trên",
                    );
                }
                store::employees::by_id_number(conn, &id_number).await?
            };
            if let Some(e) = &existing
                && !p.can(WRITE, &e.unit_path)
            {
                fault(
                    "id_number",
                    ErrorCode::RecordOutOfScope,
                    "hồ sơ có số CCCD này thuộc đơn vị bạn không được cập nhật",
                );
            }
            let mut e = existing
                .as_ref()
                .map(super::employees::employee_pb)
                .unwrap_or_default();
            // The unit: the row's code, the import's unit, or the matched record's own.
            let unit = match cell("unit_id") {
                "" => existing
                    .as_ref()
                    .map(|x| store::units::UnitRow {
                        id: x.unit_id.clone(),
                        path: x.unit_path.clone(),
                        ..default_unit.clone()
                    })
                    .unwrap_or_else(|| default_unit.clone()),
                code => match lookups.units_by_code.get(&tinhso_platform::vn::fold(code)) {
                    Some(u) => u.clone(),
                    None => {
                        fault(
                            "unit_id",
                            ErrorCode::UnknownUnit,
                            "không có đơn vị mang mã này",
                        );
                        default_unit.clone()
                    }
                },
            };
            if existing.as_ref().is_some_and(|x| x.unit_id != unit.id) {
                fault(
                    "unit_id",
                    ErrorCode::UnitChange,
                    "muốn chuyển đơn vị phải ghi quyết định điều động, không qua nhập tệp",
                );
            } else if existing.is_none() && !p.can(WRITE, &unit.path) {
                fault(
                    "unit_id",
                    ErrorCode::UnitOutOfScope,
                    "bạn không được nhập hồ sơ cho đơn vị này",
                );
            }
            e.unit_id = unit.id.clone().into();
            // Plain text cells overwrite when filled.
            for (field, target) in [
                ("full_name", &mut e.full_name),
                ("department", &mut e.department),
                ("position", &mut e.position),
                ("home_town", &mut e.home_town),
                ("permanent_address", &mut e.permanent_address),
                ("grade_code", &mut e.grade_code),
                ("phone", &mut e.phone),
                ("email", &mut e.email),
                ("id_number", &mut e.id_number),
            ] {
                let v = cell(field);
                if !v.is_empty() {
                    *target = v.to_string();
                }
            }
            for (field, target) in [
                ("birth_date", &mut e.birth_date),
                ("recruitment_date", &mut e.recruitment_date),
                (
                    "recruitment_decision_date",
                    &mut e.recruitment_decision_date,
                ),
                ("step_date", &mut e.step_date),
                ("party_admission_date", &mut e.party_admission_date),
            ] {
                let v = cell(field);
                if v.is_empty() {
                    continue;
                }
                let parsed = if field == "birth_date" {
                    birth_date_cell(v)
                } else {
                    date_cell(v)
                };
                match parsed {
                    Some(d) => *target = Some(d),
                    None => fault(field, ErrorCode::BadDate, "ngày phải ghi dạng dd/mm/yyyy"),
                }
            }
            match tinhso_platform::vn::fold(cell("sex")).as_str() {
                "" => {}
                "nam" => e.sex = pb::Sex::Male as i32,
                "nu" => e.sex = pb::Sex::Female as i32,
                _ => fault("sex", ErrorCode::BadSex, "giới tính ghi Nam hoặc Nữ"),
            }
            let kind = match tinhso_platform::vn::fold(cell("kind")).as_str() {
                "" => None,
                "can bo" => Some(pb::EmployeeKind::Cadre),
                "cong chuc" => Some(pb::EmployeeKind::CivilServant),
                "vien chuc" => Some(pb::EmployeeKind::PublicEmployee),
                "nguoi lam viec tai hoi" => Some(pb::EmployeeKind::AssociationStaff),
                "hop dong lao dong" | "nguoi hop dong lao dong" => {
                    Some(pb::EmployeeKind::ContractWorker)
                }
                _ => {
                    fault(
                        "kind",
                        ErrorCode::BadKind,
                        "loại không đúng (xem cột hướng dẫn)",
                    );
                    None
                }
            };
            if let Some(k) = kind {
                e.kind = k as i32;
            }
            for (field, catalogue) in CODED {
                let v = cell(field);
                if v.is_empty() {
                    continue;
                }
                match lookups
                    .codes
                    .get(&(*catalogue, tinhso_platform::vn::fold(v)))
                {
                    Some(code) => {
                        let target = match *field {
                            "ethnicity" => &mut e.ethnicity,
                            "religion" => &mut e.religion,
                            "degree" => &mut e.degree,
                            _ => &mut e.political_theory,
                        };
                        *target = code.clone();
                    }
                    None => fault(
                        field,
                        ErrorCode::UnknownCode,
                        &format!("\"{v}\" không có trong danh mục"),
                    ),
                }
            }
            if !cell("step").is_empty() {
                match cell("step").parse::<i32>() {
                    Ok(s) => e.step = s,
                    Err(_) => fault("step", ErrorCode::BadNumber, "bậc lương phải là số nguyên"),
                }
            }
            if !cell("coefficient").is_empty() {
                match coefficient_cell(cell("coefficient")) {
                    Some(c) => e.coefficient = c,
                    None => fault(
                        "coefficient",
                        ErrorCode::BadNumber,
                        "hệ số lương ghi dạng 3,33",
                    ),
                }
            } else if existing.is_none() {
                e.coefficient = 0;
            }
            // The record's own rules, as a create checks them.
            let (mut row, record_errors) = super::employees::check_new(&e, &today);
            for err in record_errors.iter().flat_map(|e| e.violations.iter()) {
                let field = err.field.strip_prefix("employee.").unwrap_or(&err.field);
                fault(field, err.code, &err.message);
            }
            if !row.grade_code.is_empty() {
                match lookups.grades.get(&row.grade_code) {
                    None => fault(
                        "grade_code",
                        ErrorCode::UnknownCode,
                        "mã ngạch không có trong danh mục",
                    ),
                    Some(group) if row.step > 0 => {
                        let expected = lookups.steps.get(group).and_then(|s| {
                            s.get(usize::try_from(row.step - 1).unwrap_or(usize::MAX))
                        });
                        match expected {
                            None => fault(
                                "step",
                                ErrorCode::UnknownStep,
                                "bậc không có trong thang lương",
                            ),
                            Some(c) if row.coefficient == 0 => row.coefficient = i64::from(*c),
                            Some(c) if row.coefficient != i64::from(*c) => fault(
                                "coefficient",
                                ErrorCode::CoefficientMismatch,
                                "hệ số lương không khớp bậc của ngạch",
                            ),
                            Some(_) => {}
                        }
                    }
                    Some(_) => {}
                }
            }
            if row_errors.is_empty() {
                row.unit_id = unit.id.clone();
                row.unit_path = unit.path.clone();
                if let Some(x) = &existing {
                    row.status = x.status.clone();
                    row.form_version = x.form_version.clone();
                }
                checked.push(Checked { row, existing });
            }
            errors.extend(row_errors);
        }
        Ok((checked, errors))
    }

    /// Writes checked rows in one transaction: new records as a create, matched ones as an
    /// update, each with its change record and event.
    async fn commit_import(&self, p: &Principal, rows: Vec<Checked>) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.0.db.begin().await?;
        for Checked { mut row, existing } in rows {
            match existing {
                None => {
                    row.id = EmployeeId::generate();
                    // An import loads people already working: no hire deadline unless the row
                    // gives the recruitment decision.
                    row.initial_entry = true;
                    row.version = 1;
                    row.created_at = now;
                    row.updated_at = now;
                    store::employees::insert(&mut tx, &row, None).await?;
                    store::employees::record_changes(
                        &mut tx,
                        None,
                        &row,
                        &p.account_id,
                        &p.username,
                        now,
                    )
                    .await?;
                    self.open_salary_history(&mut tx, p, &row, now).await?;
                    self.0
                        .outbox
                        .enqueue(
                            &mut tx,
                            &crate::events::employee("hired", &row, &p.account_id, now),
                        )
                        .await?;
                }
                Some(before) => {
                    row.id = before.id.clone();
                    row.created_at = before.created_at;
                    row.version = before.version;
                    row.updated_at = before.updated_at;
                    self.save_record(&mut tx, p, &before, row, "updated", now)
                        .await?;
                }
            }
        }
        self.commit(tx).await
    }

    pub(super) async fn run_import(
        &self,
        request: Request<tonic::Streaming<pb::ImportEmployeesRequest>>,
    ) -> AppResult<pb::ImportEmployeesResponse> {
        let p = self.principal(&request)?;
        let (first, bytes) = tinhso_platform::grpc::collect_upload(
            &mut request.into_inner(),
            MAX_IMPORT_BYTES,
            |m: &mut pb::ImportEmployeesRequest| m.file.take(),
        )
        .await?;
        if first.unit_id.trim().is_empty() {
            return Err(AppError::invalid(
                "unit_id",
                ErrorCode::Required,
                "chưa chọn đơn vị nhận hồ sơ nhập (tham số unitId)",
                "the unit the records go to (unitId) is required",
            ));
        }
        let default_unit = self.readable_unit(&p, &first.unit_id).await?;
        p.require(WRITE, &default_unit.path)?;
        let mut digest = sha2::Sha256::new();
        digest.update(&bytes);
        digest.update(default_unit.id.as_bytes());
        let validation_id: String = digest
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let sheet = read_upload(bytes).await?;
        let (checked, mut errors) = self.check_import(&p, &default_unit, &sheet).await?;
        if checked.is_empty() && errors.is_empty() {
            errors.push(row_error(
                1,
                "Họ và tên",
                ErrorCode::NoRows,
                "tệp không có dòng dữ liệu nào dưới dòng tiêu đề",
            ));
        }
        let count = |updating: bool| {
            i32::try_from(
                checked
                    .iter()
                    .filter(|c| c.existing.is_some() == updating)
                    .count(),
            )
            .unwrap_or(i32::MAX)
        };
        let mut response = pb::ImportEmployeesResponse {
            row_count: count(false) + count(true),
            new_records: count(false),
            updated_records: count(true),
            validation_id: if errors.is_empty() {
                validation_id.clone()
            } else {
                String::new()
            },
            committed: false,
            errors,
        };
        response.row_count += i32::try_from(
            response
                .errors
                .iter()
                .map(|e| e.row)
                .collect::<HashSet<_>>()
                .len(),
        )
        .unwrap_or_default();
        if !first.commit {
            return Ok(response);
        }
        if first.validation_id != validation_id {
            return Err(AppError::failed_precondition(
                ErrorCode::ValidationRequired,
                "hãy kiểm tra tệp trước và ghi đúng mã kiểm tra (validation_id) của chính tệp đó",
                "check this file first and commit with its validation_id",
            ));
        }
        if !response.errors.is_empty() {
            return Err(all_violations(
                response
                    .errors
                    .iter()
                    .map(|e| {
                        AppError::invalid(
                            &format!("rows[{}].{}", e.row, e.column),
                            ErrorCode::ImportRow,
                            &e.message,
                            &e.message,
                        )
                    })
                    .collect(),
            )
            .err()
            .unwrap_or_else(AppError::permission_denied));
        }
        self.commit_import(&p, checked).await?;
        tracing::info!(rows = response.row_count, by = %p.username, "employee records imported");
        response.committed = true;
        Ok(response)
    }

    /// The import template: headings, an example row and the instructions sheet.
    pub(super) fn import_template(&self) -> AppResult<(String, &'static str, Vec<u8>)> {
        let data = xlsx::Sheet {
            name: "Hồ sơ".into(),
            title: None,
            headers: COLUMNS.iter().map(|c| c.heading.to_string()).collect(),
            // No example row here: a template uploaded unchanged imports nothing.
            rows: Vec::new(),
        };
        let guide = xlsx::Sheet {
            name: "Hướng dẫn".into(),
            title: Some(
                "HƯỚNG DẪN NHẬP HỒ SƠ: ghi vào trang \"Hồ sơ\", mỗi dòng một người; dòng có số \
                 CCCD trùng hồ sơ đã có sẽ cập nhật hồ sơ đó"
                    .into(),
            ),
            headers: vec![
                "Cột".into(),
                "Bắt buộc".into(),
                "Cách ghi".into(),
                "Ví dụ".into(),
                "Tên cột khác được chấp nhận".into(),
            ],
            rows: COLUMNS
                .iter()
                .map(|c| {
                    vec![
                        Cell::from(c.heading),
                        Cell::from(if c.required { "Có" } else { "" }),
                        Cell::from(c.hint),
                        Cell::from(c.example),
                        Cell::from(c.key),
                    ]
                })
                .collect(),
        };
        let bytes = xlsx::write(&[data, guide]).map_err(AppError::internal)?;
        Ok((
            "mau-nhap-ho-so-can-bo.xlsx".into(),
            xlsx::CONTENT_TYPE,
            bytes,
        ))
    }
}

/// The uploaded workbook's first sheet, read on the blocking pool within the import's limits.
async fn read_upload(bytes: Vec<u8>) -> AppResult<Vec<Vec<String>>> {
    let read = tokio::task::spawn_blocking(move || xlsx::read_first_sheet(&bytes, &IMPORT_LIMITS))
        .await
        .map_err(AppError::internal)?;
    read.map_err(xlsx::upload_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(d: Option<tinhso_proto::common::v1::Date>) -> Option<(i32, i32, i32)> {
        d.map(|d| (d.year, d.month, d.day))
    }

    #[test]
    fn a_birth_year_or_month_alone_counts_from_its_first_day() {
        assert_eq!(ymd(birth_date_cell("1965")), Some((1965, 1, 1)));
        assert_eq!(ymd(birth_date_cell("08/1965")), Some((1965, 8, 1)));
        assert_eq!(ymd(birth_date_cell("1965-08")), Some((1965, 8, 1)));
        assert_eq!(ymd(birth_date_cell("15/08/1965")), Some((1965, 8, 15)));
        assert_eq!(ymd(birth_date_cell("65")), None);
        // Other dates need the day.
        assert_eq!(ymd(date_cell("08/1965")), None);
    }
}
