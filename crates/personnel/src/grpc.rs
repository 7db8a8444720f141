//! Personnel's gRPC API. Every handler authenticates, checks its permission against the record's
//! unit path (or the caller's own record for self-service), validates, and writes the change, its
//! field-by-field record and its event in one transaction.

use crate::Personnel;
use crate::store::{self, employees::EmployeeRow, movements::MovementRow};
use std::sync::Arc;
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

/// The form a record follows when the caller names none.
const DEFAULT_FORM: &str = "2C-BNV/2008";

pub fn routes(personnel: Arc<Personnel>, routes: tonic::service::Routes) -> tonic::service::Routes {
    routes
        .add_service(pb::employee_service_server::EmployeeServiceServer::new(
            Api(personnel.clone()),
        ))
        .add_service(pb::staffing_service_server::StaffingServiceServer::new(
            Api(personnel),
        ))
}

#[derive(Debug, Clone)]
pub struct Api(pub Arc<Personnel>);

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
    }
}

fn from_text<E>(text: &str, prefix: &str, parse: impl Fn(&str) -> Option<E>) -> Option<E> {
    parse(&format!("{prefix}{}", text.to_ascii_uppercase()))
}

fn employee_pb(e: &EmployeeRow) -> pb::Employee {
    pb::Employee {
        id: e.id.clone(),
        unit_id: e.unit_id.clone(),
        unit_path: e.unit_path.clone(),
        department: e.department.clone(),
        kind: from_text(&e.kind, "EMPLOYEE_KIND_", pb::EmployeeKind::from_str_name)
            .map_or(0, |k| k as i32),
        status: from_text(
            &e.status,
            "EMPLOYEE_STATUS_",
            pb::EmployeeStatus::from_str_name,
        )
        .map_or(0, |s| s as i32),
        form_version: e.form_version.clone(),
        full_name: e.full_name.clone(),
        other_names: e.other_names.clone(),
        birth_date: date_of(&e.birth_date),
        sex: from_text(&e.sex, "SEX_", pb::Sex::from_str_name).map_or(0, |s| s as i32),
        place_of_birth: e.place_of_birth.clone(),
        home_town: e.home_town.clone(),
        ethnicity: e.ethnicity.clone(),
        religion: e.religion.clone(),
        id_number: e.id_number.clone(),
        id_issue_date: date_of(&e.id_issue_date),
        social_insurance_number: e.social_insurance_number.clone(),
        permanent_address: e.permanent_address.clone(),
        current_address: e.current_address.clone(),
        recruitment_date: date_of(&e.recruitment_date),
        position: e.position.clone(),
        grade_code: e.grade_code.clone(),
        step: i32::try_from(e.step).unwrap_or_default(),
        coefficient: i32::try_from(e.coefficient).unwrap_or_default(),
        party_admission_date: date_of(&e.party_admission_date),
        phone: e.phone.clone(),
        email: e.email.clone(),
        etag: etag(e.version),
        create_time: Some(to_timestamp(e.created_at)),
        update_time: Some(to_timestamp(e.updated_at)),
    }
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
            "DATE_IN_FUTURE",
            "ngày không được ở tương lai",
            "the date must not be in the future",
        ));
    }
    Ok(text)
}

/// Checks every field of a new record; the error lists each field at fault.
fn check_new(e: &pb::Employee, today: &str) -> AppResult<EmployeeRow> {
    let mut errors: Vec<AppError> = Vec::new();
    let f = |name: &str| format!("employee.{name}");
    let mut text = |name: &str, value: &str, required: bool, max: usize| {
        validate::text(&f(name), value, required, max)
            .map_err(|e| errors.push(e))
            .unwrap_or_default()
    };
    let mut row = EmployeeRow {
        department: text("department", &e.department, false, 255),
        form_version: text("form_version", &e.form_version, false, 32),
        full_name: text("full_name", &e.full_name, true, 255),
        other_names: text("other_names", &e.other_names, false, 255),
        place_of_birth: text("place_of_birth", &e.place_of_birth, false, 255),
        home_town: text("home_town", &e.home_town, false, 255),
        ethnicity: text("ethnicity", &e.ethnicity, false, 64),
        religion: text("religion", &e.religion, false, 64),
        social_insurance_number: text(
            "social_insurance_number",
            &e.social_insurance_number,
            false,
            20,
        ),
        permanent_address: text("permanent_address", &e.permanent_address, false, 500),
        current_address: text("current_address", &e.current_address, false, 500),
        position: text("position", &e.position, false, 255),
        grade_code: text("grade_code", &e.grade_code, false, 32),
        ..Default::default()
    };
    let mut keep = |r: AppResult<String>| r.map_err(|e| errors.push(e)).unwrap_or_default();
    row.id_number = keep(validate::citizen_id(&f("id_number"), &e.id_number));
    row.email = keep(validate::email(&f("email"), &e.email));
    row.phone = keep(validate::phone(&f("phone"), &e.phone));
    let mut date = |name: &str, d: &Option<tinhso_proto::common::v1::Date>| {
        past_date(d, &f(name), today)
            .map_err(|e| errors.push(e))
            .unwrap_or_default()
    };
    row.birth_date = date("birth_date", &e.birth_date);
    row.id_issue_date = date("id_issue_date", &e.id_issue_date);
    row.recruitment_date = date("recruitment_date", &e.recruitment_date);
    row.party_admission_date = date("party_admission_date", &e.party_admission_date);
    match kind_text(e.kind) {
        Some(k) => row.kind = k,
        None => errors.push(AppError::invalid(
            &f("kind"),
            "REQUIRED",
            "chưa chọn loại cán bộ, công chức, viên chức",
            "the kind of staff is required",
        )),
    }
    if row.birth_date.is_none() {
        errors.push(AppError::invalid(
            &f("birth_date"),
            "REQUIRED",
            "chưa nhập ngày sinh",
            "the date of birth is required",
        ));
    }
    row.sex = sex_text(e.sex);
    if row.sex.is_empty() {
        errors.push(AppError::invalid(
            &f("sex"),
            "REQUIRED",
            "chưa chọn giới tính",
            "sex is required",
        ));
    }
    if !(0..=20).contains(&e.step) || !(0..=2000).contains(&e.coefficient) {
        errors.push(AppError::invalid(
            &f("coefficient"),
            "OUT_OF_RANGE",
            "bậc lương hoặc hệ số lương không hợp lệ",
            "salary step or coefficient out of range",
        ));
    }
    row.step = i64::from(e.step);
    row.coefficient = i64::from(e.coefficient);
    row.status = status_text(e.status).unwrap_or_else(|| "working".into());
    if row.form_version.is_empty() {
        row.form_version = DEFAULT_FORM.into();
    }
    all_violations(errors)?;
    Ok(row)
}

impl Api {
    fn now(&self) -> i64 {
        self.0.clock.now_ms()
    }

    fn today(&self) -> String {
        tinhso_platform::clock::rfc3339(self.now() + 7 * 3_600_000)[..10].to_string()
    }

    fn principal<T>(&self, request: &Request<T>) -> AppResult<Principal> {
        let p = self.0.verifier.authenticate(request)?;
        p.require_active()?;
        Ok(p)
    }

    async fn commit(&self, tx: Tx<'static>) -> AppResult<()> {
        tx.commit().await?;
        self.0.outbox.committed();
        Ok(())
    }

    /// The unit `unit_id` (field `unit_id`) from the replica, if the caller may read under it.
    async fn readable_unit(
        &self,
        p: &Principal,
        unit_id: &str,
    ) -> AppResult<store::units::UnitRow> {
        let unit = store::units::get(&self.0.db.pool, unit_id)
            .await?
            .ok_or_else(|| AppError::not_found("đơn vị", "unit").with_field("unit_id"))?;
        p.require(READ, &unit.path)?;
        Ok(unit)
    }

    /// A record the caller may read: under a unit they read, or their own (self-service).
    async fn readable_record(&self, p: &Principal, id: &str) -> AppResult<EmployeeRow> {
        let row = store::employees::get(&self.0.db.pool, id)
            .await?
            .ok_or_else(|| AppError::not_found("hồ sơ", "employee record").with_field("id"))?;
        if !p.can(READ, &row.unit_path) && !p.can_self(READ, &row.id) {
            return Err(AppError::permission_denied());
        }
        Ok(row)
    }

    async fn record(&self, tx: &mut Tx<'static>, id: &str) -> AppResult<EmployeeRow> {
        store::employees::get(&mut **tx, id)
            .await?
            .ok_or_else(|| AppError::not_found("hồ sơ", "employee record").with_field("id"))
    }
}

#[tonic::async_trait]
impl pb::employee_service_server::EmployeeService for Api {
    async fn create_employee(
        &self,
        request: Request<pb::CreateEmployeeRequest>,
    ) -> Reply<pb::Employee> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let e = r.employee.unwrap_or_default();
            let mut row = check_new(&e, &self.today())?;
            let mut tx = self.0.db.begin().await?;
            if !r.request_id.is_empty()
                && let Some(done) = store::employees::by_request_id(&mut tx, &r.request_id).await?
            {
                p.require(WRITE, &done.unit_path)?;
                return Ok(Response::new(employee_pb(&done)));
            }
            let unit = store::units::get(&mut *tx, &e.unit_id)
                .await?
                .filter(|u| u.status == "active")
                .ok_or_else(|| {
                    AppError::not_found("đơn vị đang hoạt động", "active unit")
                        .with_field("employee.unit_id")
                })?;
            p.require(WRITE, &unit.path)?;
            let now = self.now();
            row.id = uuid::Uuid::now_v7().to_string();
            row.unit_id = unit.id;
            row.unit_path = unit.path;
            row.version = 1;
            row.created_at = now;
            row.updated_at = now;
            let request_id = (!r.request_id.is_empty()).then_some(r.request_id.as_str());
            store::employees::insert(&mut tx, &row, request_id).await?;
            store::employees::record_changes(&mut tx, None, &row, &p.account_id, &p.username, now)
                .await?;
            self.0
                .outbox
                .enqueue(
                    &mut tx,
                    &crate::events::employee("hired", &row, &p.account_id, now),
                )
                .await?;
            self.commit(tx).await?;
            Ok(Response::new(employee_pb(&row)))
        })
        .await
    }

    async fn get_employee(&self, request: Request<pb::GetEmployeeRequest>) -> Reply<pb::Employee> {
        handle(async move {
            let p = self.principal(&request)?;
            let row = self.readable_record(&p, &request.get_ref().id).await?;
            Ok(Response::new(employee_pb(&row)))
        })
        .await
    }

    async fn update_employee(
        &self,
        request: Request<pb::UpdateEmployeeRequest>,
    ) -> Reply<pb::Employee> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let today = self.today();
            let mut tx = self.0.db.begin().await?;
            let before = self.record(&mut tx, &r.id).await?;
            p.require(WRITE, &before.unit_path)?;
            check_etag(&r.etag, before.version)?;
            let mut after = before.clone();
            let mut errors: Vec<AppError> = Vec::new();
            let mut set = |target: &mut String,
                           value: &Option<String>,
                           name: &str,
                           required: bool,
                           max: usize| {
                if let Some(v) = value {
                    match validate::text(name, v, required, max) {
                        Ok(v) => *target = v,
                        Err(e) => errors.push(e),
                    }
                }
            };
            set(
                &mut after.department,
                &r.department,
                "department",
                false,
                255,
            );
            set(&mut after.full_name, &r.full_name, "full_name", true, 255);
            set(
                &mut after.other_names,
                &r.other_names,
                "other_names",
                false,
                255,
            );
            set(
                &mut after.place_of_birth,
                &r.place_of_birth,
                "place_of_birth",
                false,
                255,
            );
            set(&mut after.home_town, &r.home_town, "home_town", false, 255);
            set(&mut after.ethnicity, &r.ethnicity, "ethnicity", false, 64);
            set(&mut after.religion, &r.religion, "religion", false, 64);
            set(
                &mut after.permanent_address,
                &r.permanent_address,
                "permanent_address",
                false,
                500,
            );
            set(
                &mut after.current_address,
                &r.current_address,
                "current_address",
                false,
                500,
            );
            set(&mut after.position, &r.position, "position", false, 255);
            if let Some(v) = &r.id_number {
                match validate::citizen_id("id_number", v) {
                    Ok(v) => after.id_number = v,
                    Err(e) => errors.push(e),
                }
            }
            if let Some(v) = &r.email {
                match validate::email("email", v) {
                    Ok(v) => after.email = v,
                    Err(e) => errors.push(e),
                }
            }
            if let Some(v) = &r.phone {
                match validate::phone("phone", v) {
                    Ok(v) => after.phone = v,
                    Err(e) => errors.push(e),
                }
            }
            if r.birth_date.is_some() {
                match past_date(&r.birth_date, "birth_date", &today) {
                    Ok(Some(d)) => after.birth_date = Some(d),
                    Ok(None) => {}
                    Err(e) => errors.push(e),
                }
            }
            let sex = sex_text(r.sex);
            if !sex.is_empty() {
                after.sex = sex;
            }
            all_violations(errors)?;
            if after == before {
                return Ok(Response::new(employee_pb(&before)));
            }
            let now = self.now();
            after.version = before.version + 1;
            after.updated_at = now;
            if !store::employees::update(&mut tx, &after, before.version).await? {
                return Err(AppError::stale_etag());
            }
            store::employees::record_changes(
                &mut tx,
                Some(&before),
                &after,
                &p.account_id,
                &p.username,
                now,
            )
            .await?;
            self.0
                .outbox
                .enqueue(
                    &mut tx,
                    &crate::events::employee("updated", &after, &p.account_id, now),
                )
                .await?;
            self.commit(tx).await?;
            Ok(Response::new(employee_pb(&after)))
        })
        .await
    }

    async fn list_employees(
        &self,
        request: Request<pb::ListEmployeesRequest>,
    ) -> Reply<pb::ListEmployeesResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let (limit, offset) = page(r.page_size, &r.page_token)?;
            let scopes = p.scopes_for(READ);
            if scopes.is_empty() {
                return Err(AppError::permission_denied());
            }
            let under_path = if r.unit_id.is_empty() {
                None
            } else {
                Some(self.readable_unit(&p, &r.unit_id).await?.path)
            };
            let query = tinhso_platform::vn::fold(r.query.trim());
            let search = store::employees::Search {
                scopes,
                under_path,
                name_folded: (!query.is_empty()).then_some(query),
                kind: kind_text(r.kind),
                status: status_text(r.status),
                limit,
                offset,
            };
            let rows = store::employees::search(&self.0.db.pool, &search).await?;
            Ok(Response::new(pb::ListEmployeesResponse {
                next_page_token: next_token(rows.len(), limit, offset),
                employees: rows.iter().map(employee_pb).collect(),
            }))
        })
        .await
    }

    async fn move_employee(
        &self,
        request: Request<pb::MoveEmployeeRequest>,
    ) -> Reply<pb::Movement> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let today = self.today();
            // Everything the request alone can get wrong is reported together.
            let mut errors: Vec<AppError> = Vec::new();
            let kind = movement_kind_text(r.kind);
            let effect = kind.as_deref().and_then(crate::domain::movements::effect);
            if effect.is_none() {
                errors.push(AppError::invalid(
                    "kind",
                    "REQUIRED",
                    "chưa chọn loại biến động",
                    "the kind of movement is required",
                ));
            }
            let decision_number = validate::text("decision_number", &r.decision_number, true, 64)
                .map_err(|e| errors.push(e))
                .unwrap_or_default();
            let mut required_date =
                |d: &Option<tinhso_proto::common::v1::Date>, field: &str| match date_text(d, field)
                {
                    Ok(Some(t)) => t,
                    Ok(None) => {
                        errors.push(AppError::invalid(
                            field,
                            "REQUIRED",
                            "chưa nhập ngày",
                            "the date is required",
                        ));
                        String::new()
                    }
                    Err(e) => {
                        errors.push(e);
                        String::new()
                    }
                };
            let decision_date = required_date(&r.decision_date, "decision_date");
            let effective_date = required_date(&r.effective_date, "effective_date");
            if !decision_date.is_empty() && decision_date > today {
                errors.push(AppError::invalid(
                    "decision_date",
                    "DATE_IN_FUTURE",
                    "ngày quyết định không được ở tương lai",
                    "the decision date must not be in the future",
                ));
            }
            if !decision_date.is_empty()
                && !effective_date.is_empty()
                && effective_date < decision_date
            {
                errors.push(AppError::invalid(
                    "effective_date",
                    "EFFECTIVE_BEFORE_DECISION",
                    "ngày hiệu lực không được trước ngày quyết định",
                    "the effective date cannot precede the decision date",
                ));
            }
            let note = validate::text("note", &r.note, false, 1000)
                .map_err(|e| errors.push(e))
                .unwrap_or_default();
            if effect.is_some_and(|e| e.needs_target) && r.to_unit_id.is_empty() {
                errors.push(AppError::invalid(
                    "to_unit_id",
                    "REQUIRED",
                    "chưa chọn đơn vị tiếp nhận",
                    "the receiving unit is required",
                ));
            }
            all_violations(errors)?;
            let (Some(kind), Some(effect)) = (kind, effect) else {
                return Err(AppError::internal("movement kind checked above"));
            };

            let mut tx = self.0.db.begin().await?;
            let before = self.record(&mut tx, &r.id).await?;
            p.require(WRITE, &before.unit_path)?;
            check_etag(&r.etag, before.version)?;
            if !crate::domain::movements::can_move_from(&before.status) {
                return Err(AppError::failed_precondition(
                    "RECORD_ENDED",
                    "Hồ sơ đã kết thúc (nghỉ hưu, thôi việc, từ trần hoặc chuyển đi)",
                    "the record has ended (retired, resigned, deceased or moved away)",
                ));
            }
            let target = if effect.needs_target {
                let unit = store::units::get(&mut *tx, &r.to_unit_id)
                    .await?
                    .filter(|u| u.status == "active")
                    .ok_or_else(|| {
                        AppError::not_found("đơn vị tiếp nhận", "receiving unit")
                            .with_field("to_unit_id")
                    })?;
                if unit.id == before.unit_id {
                    return Err(AppError::invalid(
                        "to_unit_id",
                        "SAME_UNIT",
                        "đơn vị tiếp nhận trùng đơn vị hiện tại",
                        "the receiving unit is the current one",
                    ));
                }
                Some(unit)
            } else {
                None
            };
            let now = self.now();
            let mut after = before.clone();
            if effect.moves_record
                && let Some(unit) = &target
            {
                after.unit_id = unit.id.clone();
                after.unit_path = unit.path.clone();
            }
            after.status = effect.resulting_status.into();
            after.version = before.version + 1;
            after.updated_at = now;
            if !store::employees::update(&mut tx, &after, before.version).await? {
                return Err(AppError::stale_etag());
            }
            store::employees::record_changes(
                &mut tx,
                Some(&before),
                &after,
                &p.account_id,
                &p.username,
                now,
            )
            .await?;
            let movement = MovementRow {
                id: uuid::Uuid::now_v7().to_string(),
                employee_id: before.id.clone(),
                kind,
                from_unit_id: before.unit_id.clone(),
                to_unit_id: target.map(|u| u.id).unwrap_or_default(),
                decision_number,
                decision_date,
                effective_date,
                note,
                resulting_status: after.status.clone(),
                recorded_at: now,
                recorded_by: p.username.clone(),
            };
            store::movements::insert(&mut tx, &movement).await?;
            let change = if after.status == "working" {
                "moved"
            } else {
                "ended"
            };
            self.0
                .outbox
                .enqueue(
                    &mut tx,
                    &crate::events::employee(change, &after, &p.account_id, now),
                )
                .await?;
            self.commit(tx).await?;
            Ok(Response::new(movement_pb(&movement)))
        })
        .await
    }

    async fn list_movements(
        &self,
        request: Request<pb::ListMovementsRequest>,
    ) -> Reply<pb::ListMovementsResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let id = &request.get_ref().id;
            self.readable_record(&p, id).await?;
            let movements = store::movements::of_employee(&self.0.db.pool, id).await?;
            Ok(Response::new(pb::ListMovementsResponse {
                movements: movements.iter().map(movement_pb).collect(),
            }))
        })
        .await
    }

    async fn get_compliance(
        &self,
        request: Request<pb::GetComplianceRequest>,
    ) -> Reply<pb::Compliance> {
        handle(async move {
            use crate::domain::deadlines::{HIRE_DAYS, MOVEMENT_DAYS, days_late};
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let unit = self.readable_unit(&p, &r.unit_id).await?;
            let from_ms = r
                .start_time
                .as_ref()
                .map_or(i64::MIN, tinhso_platform::clock::from_timestamp);
            let to_ms = r
                .end_time
                .as_ref()
                .map_or(i64::MAX, tinhso_platform::clock::from_timestamp);
            let pool = &self.0.db.pool;
            let entries = store::movements::dated_entries(pool, &unit.path, from_ms, to_ms).await?;
            let names: std::collections::HashMap<String, String> =
                store::staffing::units_under(pool, &unit.path)
                    .await?
                    .into_iter()
                    .map(|(id, name, _)| (id, name))
                    .collect();
            let mut per_unit: std::collections::BTreeMap<String, (i32, i32)> =
                std::collections::BTreeMap::new();
            let mut late_entries = Vec::new();
            for (employee_id, employee_name, unit_id, what, from_date, entered) in entries {
                let allowed = if what == "hire" {
                    HIRE_DAYS
                } else {
                    MOVEMENT_DAYS
                };
                let counts = per_unit.entry(unit_id.clone()).or_default();
                counts.0 += 1;
                if let Some(days) = days_late(&from_date, entered, allowed) {
                    counts.1 += 1;
                    late_entries.push(pb::LateEntry {
                        employee_id,
                        employee_name,
                        unit_id,
                        what,
                        from_date: date_of(&Some(from_date)),
                        entered_time: Some(to_timestamp(entered)),
                        days_late: i32::try_from(days).unwrap_or(i32::MAX),
                    });
                }
            }
            late_entries.sort_by_key(|e| std::cmp::Reverse(e.days_late));
            Ok(Response::new(pb::Compliance {
                units: per_unit
                    .into_iter()
                    .map(|(unit_id, (entries, late))| pb::UnitCompliance {
                        unit_name: names.get(&unit_id).cloned().unwrap_or_default(),
                        unit_id,
                        entries,
                        late,
                    })
                    .collect(),
                late_entries,
            }))
        })
        .await
    }

    async fn list_changes(
        &self,
        request: Request<pb::ListChangesRequest>,
    ) -> Reply<pb::ListChangesResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let (limit, offset) = page(r.page_size, &r.page_token)?;
            let scopes = p.scopes_for(READ);
            if scopes.is_empty() {
                return Err(AppError::permission_denied());
            }
            let under_path = if r.unit_id.is_empty() {
                None
            } else {
                Some(self.readable_unit(&p, &r.unit_id).await?.path)
            };
            let query = store::employees::ChangeQuery {
                scopes,
                employee_id: (!r.employee_id.is_empty()).then_some(r.employee_id),
                under_path,
                from_ms: r
                    .start_time
                    .as_ref()
                    .map(tinhso_platform::clock::from_timestamp),
                to_ms: r
                    .end_time
                    .as_ref()
                    .map(tinhso_platform::clock::from_timestamp),
                limit,
                offset,
            };
            let rows = store::employees::query_changes(&self.0.db.pool, &query).await?;
            Ok(Response::new(pb::ListChangesResponse {
                next_page_token: next_token(rows.len(), limit, offset),
                changes: rows
                    .into_iter()
                    .map(|c| pb::FieldChange {
                        employee_id: c.employee_id,
                        employee_name: c.employee_name,
                        field: c.change.field,
                        before: c.change.before,
                        after: c.change.after,
                        actor_id: c.change.actor_id,
                        actor_username: c.change.actor_username,
                        time: Some(to_timestamp(c.change.at)),
                    })
                    .collect(),
            }))
        })
        .await
    }
}

#[tonic::async_trait]
impl pb::staffing_service_server::StaffingService for Api {
    async fn set_quota(&self, request: Request<pb::SetQuotaRequest>) -> Reply<pb::Quota> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let mut errors: Vec<AppError> = Vec::new();
            if !(2000..=2100).contains(&r.year) {
                errors.push(AppError::invalid(
                    "year",
                    "OUT_OF_RANGE",
                    "năm không hợp lệ",
                    "the year is out of range",
                ));
            }
            let kind = kind_text(r.kind);
            if kind.is_none() {
                errors.push(AppError::invalid(
                    "kind",
                    "REQUIRED",
                    "chưa chọn loại cán bộ, công chức, viên chức",
                    "the kind of staff is required",
                ));
            }
            if !(0..=100_000).contains(&r.quota) {
                errors.push(AppError::invalid(
                    "quota",
                    "OUT_OF_RANGE",
                    "số biên chế không hợp lệ",
                    "the quota is out of range",
                ));
            }
            all_violations(errors)?;
            let kind = kind.unwrap_or_default();
            let mut tx = self.0.db.begin().await?;
            let unit = store::units::get(&mut *tx, &r.unit_id)
                .await?
                .filter(|u| u.status == "active")
                .ok_or_else(|| {
                    AppError::not_found("đơn vị đang hoạt động", "active unit")
                        .with_field("unit_id")
                })?;
            p.require(STAFFING, &unit.path)?;
            let now = self.now();
            let row = store::staffing::QuotaRow {
                unit_id: unit.id.clone(),
                year: i64::from(r.year),
                kind: kind.clone(),
                quota: i64::from(r.quota),
                updated_at: now,
                updated_by: p.username.clone(),
            };
            let previous = store::staffing::set(&mut tx, &row).await?;
            let change = tinhso_proto::personnel::v1::QuotaChanged {
                unit_id: unit.id.clone(),
                unit_path: unit.path.clone(),
                year: r.year,
                kind,
                quota: r.quota,
                previous_quota: previous.and_then(|q| i32::try_from(q).ok()).unwrap_or(0),
                actor_id: p.account_id.clone(),
            };
            self.0
                .outbox
                .enqueue(&mut tx, &crate::events::quota_changed(change, now))
                .await?;
            self.commit(tx).await?;
            Ok(Response::new(pb::Quota {
                unit_id: unit.id,
                year: r.year,
                kind: r.kind,
                quota: r.quota,
                update_time: Some(to_timestamp(now)),
                updated_by: p.username,
            }))
        })
        .await
    }

    async fn get_staffing(&self, request: Request<pb::GetStaffingRequest>) -> Reply<pb::Staffing> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let year = if r.year == 0 {
                self.today()[..4].parse().unwrap_or(2026)
            } else if (2000..=2100).contains(&r.year) {
                r.year
            } else {
                return Err(AppError::invalid(
                    "year",
                    "OUT_OF_RANGE",
                    "năm không hợp lệ",
                    "the year is out of range",
                ));
            };
            let unit = self.readable_unit(&p, &r.unit_id).await?;
            let pool = &self.0.db.pool;
            let units = store::staffing::units_under(pool, &unit.path).await?;
            let quotas = store::staffing::quotas_under(pool, &unit.path, i64::from(year)).await?;
            let heads = store::staffing::headcount_under(pool, &unit.path).await?;
            let figures = |f: &crate::domain::staffing::Figures| -> Vec<pb::StaffingFigure> {
                f.iter()
                    .map(|(kind, (quota, actual))| pb::StaffingFigure {
                        kind: from_text(kind, "EMPLOYEE_KIND_", pb::EmployeeKind::from_str_name)
                            .map_or(0, |k| k as i32),
                        quota: i32::try_from(*quota).unwrap_or(i32::MAX),
                        actual: i32::try_from(*actual).unwrap_or(i32::MAX),
                    })
                    .collect()
            };
            Ok(Response::new(pb::Staffing {
                year,
                units: crate::domain::staffing::roll_up(&units, &quotas, &heads)
                    .iter()
                    .map(|u| pb::UnitStaffing {
                        unit_id: u.id.clone(),
                        unit_name: u.name.clone(),
                        unit_path: u.path.clone(),
                        own: figures(&u.own),
                        subtree: figures(&u.subtree),
                    })
                    .collect(),
            }))
        })
        .await
    }
}
