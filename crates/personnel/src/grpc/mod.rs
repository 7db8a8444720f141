//! Personnel's gRPC API. Every handler authenticates, checks its permission against the record's
//! unit path (or the caller's own record for self-service), validates, and writes the change, its
//! field-by-field record and its event in one transaction.

use crate::Personnel;
use crate::store::{self, employees::EmployeeRow, movements::MovementRow};
use std::sync::Arc;
use tinhso_platform::ErrorCode;
use tinhso_platform::api::{check_etag, date_of, date_text, etag, next_token, page};
use tinhso_platform::auth::Principal;
use tinhso_platform::clock::to_timestamp;
use tinhso_platform::db::Tx;
use tinhso_platform::error::all_violations;
use tinhso_platform::grpc::handle;
use tinhso_platform::{AppError, AppResult, validate};
use tinhso_proto::personnel::v1 as pb;
use tonic::{Request, Response, Status};

type Reply<T> = Result<Response<T>, Status>;

const READ: &str = "personnel.record.read";
const WRITE: &str = "personnel.record.write";
const STAFFING: &str = "personnel.staffing.write";
/// Finance keeps the salary sub-module: salary tables, salary history, allowances, payrolls.
const SALARY: &str = "personnel.salary.write";
/// Reading the salary data (pay, payrolls, raises, salary history and allowances) without the
/// rest of the record: Finance's salary role (QĐ 80/2020 Điều 8.2).
const SALARY_READ: &str = "personnel.salary.read";

/// The form a record follows when the caller names none: public employees HS02-VC/BNV
/// (TT 07/2019/TT-BNV), everyone else 2C-BNV/2008 (QĐ 02/2008/QĐ-BNV).
fn default_form(kind: &str) -> &'static str {
    use crate::domain::forms;
    if kind == "public_employee" {
        forms::FORM_HS02_VC
    } else {
        forms::FORM_2C
    }
}

mod awards;
mod catalogues;
mod employees;
mod exports;
mod imports;
mod salary;
mod sections;
mod staffing;
mod statistics;
mod training;

pub fn routes(personnel: Arc<Personnel>, routes: tonic::service::Routes) -> tonic::service::Routes {
    use pb::{
        award_service_server::AwardServiceServer, catalogue_service_server::CatalogueServiceServer,
        employee_service_server::EmployeeServiceServer, salary_service_server::SalaryServiceServer,
        section_service_server::SectionServiceServer,
        staffing_service_server::StaffingServiceServer,
        statistics_service_server::StatisticsServiceServer,
        training_service_server::TrainingServiceServer,
    };
    let api = Api(personnel);
    routes
        .add_service(EmployeeServiceServer::new(api.clone()))
        .add_service(StaffingServiceServer::new(api.clone()))
        .add_service(CatalogueServiceServer::new(api.clone()))
        .add_service(SectionServiceServer::new(api.clone()))
        .add_service(SalaryServiceServer::new(api.clone()))
        .add_service(StatisticsServiceServer::new(api.clone()))
        .add_service(AwardServiceServer::new(api.clone()))
        .add_service(TrainingServiceServer::new(api))
}

#[derive(Debug, Clone)]
pub struct Api(pub Arc<Personnel>);

/// A streamed file download (an export or a template).
pub type FileStream =
    tokio_stream::Iter<std::vec::IntoIter<Result<tinhso_proto::common::v1::FileChunk, Status>>>;

/// A whole file (name, type, bytes) as a download stream.
fn file_stream(file: (String, &'static str, Vec<u8>)) -> FileStream {
    let (name, content_type, bytes) = file;
    let chunks: Vec<_> = tinhso_platform::xlsx::chunks(&name, content_type, &bytes)
        .into_iter()
        .map(Ok)
        .collect();
    tokio_stream::iter(chunks)
}

/// `EMPLOYEE_KIND_CIVIL_SERVANT` -> `civil_servant`.
fn enum_text(name: &str, prefix: &str) -> String {
    name.strip_prefix(prefix)
        .unwrap_or(name)
        .to_ascii_lowercase()
}

fn kind_text(kind: i32) -> Option<String> {
    pb::EmployeeKind::try_from(kind)
        .ok()
        .filter(|k| *k != pb::EmployeeKind::Unspecified)
        .map(|k| enum_text(k.as_str_name(), "EMPLOYEE_KIND_"))
}

fn status_text(status: i32) -> Option<String> {
    pb::EmployeeStatus::try_from(status)
        .ok()
        .filter(|s| *s != pb::EmployeeStatus::Unspecified)
        .map(|s| enum_text(s.as_str_name(), "EMPLOYEE_STATUS_"))
}

fn sex_text(sex: i32) -> String {
    pb::Sex::try_from(sex)
        .ok()
        .filter(|s| *s != pb::Sex::Unspecified)
        .map(|s| enum_text(s.as_str_name(), "SEX_"))
        .unwrap_or_default()
}

fn movement_kind_text(kind: i32) -> Option<String> {
    pb::MovementKind::try_from(kind)
        .ok()
        .filter(|k| *k != pb::MovementKind::Unspecified)
        .map(|k| enum_text(k.as_str_name(), "MOVEMENT_KIND_"))
}

fn movement_pb(m: &MovementRow) -> pb::Movement {
    pb::Movement {
        id: m.id.clone(),
        employee_id: m.employee_id.clone(),
        kind: from_text(&m.kind, "MOVEMENT_KIND_", pb::MovementKind::from_str_name)
            .map_or(0, |k| k as i32),
        from_unit_id: m.from_unit_id.clone(),
        to_unit_id: m.to_unit_id.clone(),
        decision_number: m.decision_number.clone(),
        decision_date: date_of(&Some(m.decision_date.clone())),
        effective_date: date_of(&Some(m.effective_date.clone())),
        note: m.note.clone(),
        resulting_status: from_text(
            &m.resulting_status,
            "EMPLOYEE_STATUS_",
            pb::EmployeeStatus::from_str_name,
        )
        .map_or(0, |s| s as i32),
        record_time: Some(to_timestamp(m.recorded_at)),
        recorded_by: m.recorded_by.clone(),
        state: from_text(
            &m.state,
            "MOVEMENT_STATE_",
            pb::MovementState::from_str_name,
        )
        .map_or(0, |s| s as i32),
        handled_by: m.handled_by.clone(),
        handle_time: (m.handled_at > 0).then(|| to_timestamp(m.handled_at)),
        employee_name: String::new(),
        from_unit_name: String::new(),
        employee_birth_date: None,
        employee_position: String::new(),
        employee_grade_code: String::new(),
        employee_step: 0,
    }
}

fn from_text<E>(text: &str, prefix: &str, parse: impl Fn(&str) -> Option<E>) -> Option<E> {
    parse(&format!("{prefix}{}", text.to_ascii_uppercase()))
}

/// A date that must not lie after `today` (births, recruitments, ID issues).
fn past_date(
    d: &Option<tinhso_proto::common::v1::Date>,
    field: &str,
    today: &str,
) -> AppResult<Option<String>> {
    let text = date_text(d, field)?;
    if let Some(t) = &text
        && t.as_str() > today
    {
        return Err(AppError::invalid(
            field,
            ErrorCode::DateInFuture,
            "ngày không được ở tương lai",
            "the date must not be in the future",
        ));
    }
    Ok(text)
}

/// One person, one record (the import matches rows by citizen ID): `id_number` must not be on
/// any record but `own`. The error names the other record only to a caller who may read it, so
/// nothing is disclosed about units outside the caller's scope.
async fn id_number_free(
    conn: &impl sea_orm::ConnectionTrait,
    p: &Principal,
    id_number: &str,
    own: &str,
    field: &str,
) -> AppResult<()> {
    if id_number.is_empty() {
        return Ok(());
    }
    let Some(other) = store::employees::by_id_number(conn, id_number).await? else {
        return Ok(());
    };
    if other.id.as_str() == own {
        return Ok(());
    }
    Err(if p.can(READ, &other.unit_path) {
        AppError::already_exists(
            field,
            ErrorCode::IdNumberTaken,
            &format!(
                "số CCCD này đã có trong hồ sơ của {} (mã hồ sơ {}): cập nhật hồ sơ đó thay vì \
                 tạo hồ sơ mới",
                other.full_name, other.id
            ),
            &format!(
                "this citizen ID is already on the record of {} ({}): update that record instead",
                other.full_name, other.id
            ),
        )
    } else {
        id_number_taken(field)
    })
}

/// The citizen ID is on a record the caller may not see: said without naming it.
fn id_number_taken(field: &str) -> AppError {
    AppError::already_exists(
        field,
        ErrorCode::IdNumberTaken,
        "số CCCD này đã có trong hồ sơ của một đơn vị khác; liên hệ Sở Nội vụ nếu cần chuyển hồ sơ",
        "this citizen ID is already on a record of another unit",
    )
}

impl Api {
    fn now(&self) -> i64 {
        self.0.clock.now_ms()
    }

    fn today(&self) -> String {
        tinhso_platform::clock::vietnam_date_text(self.now())
    }

    fn principal<T>(&self, request: &Request<T>) -> AppResult<Principal> {
        let p = self.0.verifier.authenticate(request)?;
        p.require_active()?;
        Ok(p)
    }

    async fn commit(&self, tx: Tx) -> AppResult<()> {
        Ok(self.0.outbox.commit(tx).await?)
    }

    /// The unit `unit_id` (field `unit_id`) from the replica, if the caller may read under it.
    /// Lists and reports asked without a unit are of the caller's own unit.
    async fn readable_unit(
        &self,
        p: &Principal,
        unit_id: &str,
    ) -> AppResult<store::units::UnitRow> {
        let unit = self.unit_or_own(p, unit_id).await?;
        p.require(READ, &unit.path)?;
        Ok(unit)
    }

    /// As [`Self::readable_unit`], for the salary data: record readers and salary readers.
    async fn salary_readable_unit(
        &self,
        p: &Principal,
        unit_id: &str,
    ) -> AppResult<store::units::UnitRow> {
        let unit = self.unit_or_own(p, unit_id).await?;
        if !p.can(SALARY_READ, &unit.path) {
            p.require(READ, &unit.path)?;
        }
        Ok(unit)
    }

    /// The unit `unit_id`, or the caller's own when none is named.
    async fn unit_or_own(&self, p: &Principal, unit_id: &str) -> AppResult<store::units::UnitRow> {
        tinhso_platform::units::unit_or_own(&self.0.db.pool, p, unit_id).await
    }

    /// A record the caller may read: under a unit they read, or their own (self-service).
    async fn readable_record(&self, p: &Principal, id: &str) -> AppResult<EmployeeRow> {
        let row = store::employees::get(&self.0.db.pool, id)
            .await?
            .ok_or_else(|| AppError::not_found("hồ sơ", "employee record").with_field("id"))?;
        if !p.can(READ, &row.unit_path) && !p.can_self(READ, &row.id, &row.unit_path) {
            return Err(AppError::permission_denied());
        }
        Ok(row)
    }

    /// A record whose salary data the caller may read: as [`Self::readable_record`], or a salary
    /// reader of its unit. The flag tells whether the rest of the record is readable too.
    async fn salary_readable_record(
        &self,
        p: &Principal,
        id: &str,
    ) -> AppResult<(EmployeeRow, bool)> {
        let row = store::employees::get(&self.0.db.pool, id)
            .await?
            .ok_or_else(|| AppError::not_found("hồ sơ", "employee record").with_field("id"))?;
        let whole = p.can(READ, &row.unit_path) || p.can_self(READ, &row.id, &row.unit_path);
        if !whole && !p.can(SALARY_READ, &row.unit_path) {
            return Err(AppError::permission_denied());
        }
        Ok((row, whole))
    }

    /// Checks the catalogue codes of a record and its grade, step and coefficient against the
    /// grade's step table (filling the coefficient when only the step is given). Codes the
    /// record already held pass even if since retired.
    async fn check_codes(
        &self,
        conn: &impl tinhso_platform::db::ConnectionTrait,
        row: &mut EmployeeRow,
        before: Option<&EmployeeRow>,
        prefix: &str,
        errors: &mut Vec<AppError>,
    ) -> AppResult<()> {
        use crate::domain::catalogues as cat;
        let codes = [
            (
                "ethnicity",
                cat::ETHNICITY,
                &row.ethnicity,
                before.map(|b| &b.ethnicity),
            ),
            (
                "religion",
                cat::RELIGION,
                &row.religion,
                before.map(|b| &b.religion),
            ),
            (
                "degree",
                cat::DEGREE,
                &row.degree,
                before.map(|b| &b.degree),
            ),
            (
                "political_theory",
                cat::POLITICAL_THEORY,
                &row.political_theory,
                before.map(|b| &b.political_theory),
            ),
            (
                "state_management",
                cat::STATE_MANAGEMENT,
                &row.state_management,
                before.map(|b| &b.state_management),
            ),
            (
                "foreign_language",
                cat::FOREIGN_LANGUAGE,
                &row.foreign_language,
                before.map(|b| &b.foreign_language),
            ),
            (
                "it_level",
                cat::IT_LEVEL,
                &row.it_level,
                before.map(|b| &b.it_level),
            ),
            (
                "foreign_language_name",
                cat::LANGUAGE,
                &row.foreign_language_name,
                before.map(|b| &b.foreign_language_name),
            ),
            (
                "form_version",
                cat::FORM_VERSION,
                &row.form_version,
                before.map(|b| &b.form_version),
            ),
        ];
        for (field, catalogue, value, previous) in codes {
            if value.is_empty() || previous == Some(value) {
                continue;
            }
            if let Err(e) = known_code(conn, catalogue, value, &format!("{prefix}{field}")).await {
                errors.push(e);
            }
        }
        let unchanged = before.is_some_and(|b| {
            b.grade_code == row.grade_code && b.step == row.step && b.coefficient == row.coefficient
        });
        if row.grade_code.is_empty() || unchanged {
            return Ok(());
        }
        let mut coefficient = row.coefficient;
        check_grade_step(
            conn,
            &row.grade_code,
            row.step,
            &mut coefficient,
            prefix,
            errors,
        )
        .await?;
        row.coefficient = coefficient;
        Ok(())
    }

    /// Writes `after` over `before` (if the stored version is still `before`'s), with the
    /// field-by-field change record and the `employee.{change}` event; nothing when unchanged.
    /// Returns the record as written.
    async fn save_record(
        &self,
        tx: &mut Tx,
        p: &Principal,
        before: &EmployeeRow,
        mut after: EmployeeRow,
        change: &str,
        now: i64,
    ) -> AppResult<EmployeeRow> {
        if after == *before {
            return Ok(after);
        }
        if after.id_number != before.id_number {
            id_number_free(&*tx, p, &after.id_number, &after.id, "id_number").await?;
        }
        after.version = before.version + 1;
        after.updated_at = now;
        if !store::employees::update(tx, &after, before.version).await? {
            return Err(AppError::stale_etag());
        }
        store::employees::record_changes(tx, Some(before), &after, &p.account_id, &p.username, now)
            .await?;
        self.0
            .outbox
            .enqueue(
                tx,
                &crate::events::employee(change, &after, &p.account_id, now),
            )
            .await?;
        Ok(after)
    }

    /// The workbook of `sheets`, built on the blocking pool, as a download.
    async fn workbook_download(
        &self,
        filename: String,
        sheets: Vec<tinhso_platform::xlsx::Sheet>,
    ) -> AppResult<FileStream> {
        let bytes = tokio::task::spawn_blocking(move || tinhso_platform::xlsx::write(&sheets))
            .await
            .map_err(AppError::internal)?
            .map_err(AppError::internal)?;
        Ok(file_stream((
            filename,
            tinhso_platform::xlsx::CONTENT_TYPE,
            bytes,
        )))
    }

    /// The active unit `id` from the replica; NOT_FOUND on `field` otherwise.
    async fn active_unit(
        &self,
        conn: &impl tinhso_platform::db::ConnectionTrait,
        id: &str,
        field: &str,
    ) -> AppResult<store::units::UnitRow> {
        tinhso_platform::units::active_unit(conn, id, field).await
    }

    async fn record(&self, tx: &mut Tx, id: &str) -> AppResult<EmployeeRow> {
        store::employees::get(&*tx, id)
            .await?
            .ok_or_else(|| AppError::not_found("hồ sơ", "employee record").with_field("id"))
    }
}

/// An active entry of `catalogue`; INVALID_ARGUMENT `UNKNOWN_CODE` on `field` otherwise.
pub(crate) async fn known_code(
    conn: &impl tinhso_platform::db::ConnectionTrait,
    catalogue: &str,
    code: &str,
    field: &str,
) -> AppResult<store::catalogues::EntryRow> {
    let title = crate::domain::catalogues::find(catalogue).map_or("", |c| c.title);
    store::catalogues::entry(conn, catalogue, code)
        .await?
        .filter(|e| e.active)
        .ok_or_else(|| {
            AppError::invalid(
                field,
                ErrorCode::UnknownCode,
                &format!(
                    "mã \"{code}\" không có trong danh mục {title} (xem \
                     /api/v1/personnel/catalogues/{catalogue}/entries)"
                ),
                &format!("\"{code}\" is not in the {catalogue} catalogue"),
            )
        })
}

/// Checks a grade code and, when a step is given, the coefficient against the grade's step table
/// (filling a zero coefficient). Faults go to `errors` as `{prefix}grade_code`, `step` or
/// `coefficient`.
pub(crate) async fn check_grade_step(
    conn: &impl tinhso_platform::db::ConnectionTrait,
    grade_code: &str,
    step: i64,
    coefficient: &mut i64,
    prefix: &str,
    errors: &mut Vec<AppError>,
) -> AppResult<()> {
    let field = format!("{prefix}grade_code");
    let grade = match known_code(conn, crate::domain::catalogues::GRADE, grade_code, &field).await {
        Ok(g) => g,
        Err(e) => {
            errors.push(e);
            return Ok(());
        }
    };
    if step == 0 {
        return Ok(());
    }
    let steps = store::catalogues::steps_of(conn, &grade.attribute).await?;
    let expected = steps
        .as_ref()
        .and_then(|s| s.coefficient(u32::try_from(step).unwrap_or(0)));
    match expected {
        None => errors.push(AppError::invalid(
            &format!("{prefix}step"),
            ErrorCode::UnknownStep,
            "bậc lương không có trong thang lương của ngạch",
            "the step is not in the grade's salary table",
        )),
        Some(c) if *coefficient == 0 => *coefficient = i64::from(c),
        Some(c) if *coefficient != i64::from(c) => errors.push(AppError::invalid(
            &format!("{prefix}coefficient"),
            ErrorCode::CoefficientMismatch,
            &format!(
                "hệ số lương không khớp bậc {step} của ngạch (đúng là {},{:02})",
                c / 100,
                c % 100
            ),
            "the coefficient does not match the grade's step",
        )),
        Some(_) => {}
    }
    Ok(())
}
