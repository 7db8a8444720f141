//! EmployeeService: the records, their movements, the change query and compliance.

use super::*;
use tinhso_platform::{EmployeeId, ErrorCode};

pub(super) fn employee_pb(e: &EmployeeRow) -> pb::Employee {
    pb::Employee {
        id: e.id.clone().into(),
        unit_id: e.unit_id.clone().into(),
        unit_path: e.unit_path.clone().into(),
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
        occupation_when_recruited: e.occupation_when_recruited.clone(),
        recruiting_agency: e.recruiting_agency.clone(),
        main_duties: e.main_duties.clone(),
        grade_date: date_of(&e.grade_date),
        recruitment_decision_date: date_of(&e.recruitment_decision_date),
        initial_entry: e.initial_entry,
        step_date: date_of(&e.step_date),
        general_education: e.general_education.clone(),
        degree: e.degree.clone(),
        degree_major: e.degree_major.clone(),
        political_theory: e.political_theory.clone(),
        state_management: e.state_management.clone(),
        foreign_language: e.foreign_language.clone(),
        it_level: e.it_level.clone(),
        party_official_date: date_of(&e.party_official_date),
        union_admission_date: date_of(&e.union_admission_date),
        organisations: e.organisations.clone(),
        military_enlistment_date: date_of(&e.military_enlistment_date),
        military_discharge_date: date_of(&e.military_discharge_date),
        military_rank: e.military_rank.clone(),
        titles: e.titles.clone(),
        strengths: e.strengths.clone(),
        health: e.health.clone(),
        height_cm: i32::try_from(e.height_cm).unwrap_or_default(),
        weight_kg: i32::try_from(e.weight_kg).unwrap_or_default(),
        blood_type: e.blood_type.clone(),
        war_invalid_rank: e.war_invalid_rank.clone(),
        policy_family: e.policy_family.clone(),
        job_position: e.job_position.clone(),
        contract_type: e.contract_type.clone(),
        family_economic_situation: e.family_economic_situation.clone(),
        personal_history: e.personal_history.clone(),
        agency_assessment: e.agency_assessment.clone(),
        professional_title_rank: e.professional_title_rank.clone(),
        foreign_language_name: e.foreign_language_name.clone(),
        ethnic_language: e.ethnic_language.clone(),
    }
}

/// The free-text items of the record: (field, required, longest). Catalogue codes are text too
/// and are checked against their catalogue afterwards.
const TEXT_ITEMS: &[(&str, bool, usize)] = &[
    ("department", false, 255),
    ("full_name", true, 255),
    ("other_names", false, 255),
    ("place_of_birth", false, 255),
    ("home_town", false, 255),
    ("ethnicity", false, 32),
    ("religion", false, 32),
    ("social_insurance_number", false, 20),
    ("permanent_address", false, 500),
    ("current_address", false, 500),
    ("occupation_when_recruited", false, 255),
    ("recruiting_agency", false, 255),
    ("position", false, 255),
    ("main_duties", false, 1000),
    ("general_education", false, 16),
    ("degree", false, 32),
    ("degree_major", false, 255),
    ("political_theory", false, 32),
    ("state_management", false, 32),
    ("foreign_language", false, 32),
    ("it_level", false, 32),
    ("organisations", false, 500),
    ("military_rank", false, 64),
    ("titles", false, 255),
    ("strengths", false, 255),
    ("health", false, 64),
    ("blood_type", false, 8),
    ("war_invalid_rank", false, 64),
    ("policy_family", false, 255),
    ("job_position", false, 255),
    ("contract_type", false, 255),
    ("family_economic_situation", false, 2000),
    ("personal_history", false, 4000),
    ("agency_assessment", false, 4000),
    ("professional_title_rank", false, 32),
    ("foreign_language_name", false, 32),
    ("ethnic_language", false, 64),
];

/// The text item `name` of a new record as sent.
fn sent_text<'a>(e: &'a pb::Employee, name: &str) -> &'a str {
    match name {
        "department" => &e.department,
        "full_name" => &e.full_name,
        "other_names" => &e.other_names,
        "place_of_birth" => &e.place_of_birth,
        "home_town" => &e.home_town,
        "ethnicity" => &e.ethnicity,
        "religion" => &e.religion,
        "social_insurance_number" => &e.social_insurance_number,
        "permanent_address" => &e.permanent_address,
        "current_address" => &e.current_address,
        "occupation_when_recruited" => &e.occupation_when_recruited,
        "recruiting_agency" => &e.recruiting_agency,
        "position" => &e.position,
        "main_duties" => &e.main_duties,
        "general_education" => &e.general_education,
        "degree" => &e.degree,
        "degree_major" => &e.degree_major,
        "political_theory" => &e.political_theory,
        "state_management" => &e.state_management,
        "foreign_language" => &e.foreign_language,
        "it_level" => &e.it_level,
        "organisations" => &e.organisations,
        "military_rank" => &e.military_rank,
        "titles" => &e.titles,
        "strengths" => &e.strengths,
        "health" => &e.health,
        "blood_type" => &e.blood_type,
        "war_invalid_rank" => &e.war_invalid_rank,
        "policy_family" => &e.policy_family,
        "job_position" => &e.job_position,
        "contract_type" => &e.contract_type,
        "family_economic_situation" => &e.family_economic_situation,
        "personal_history" => &e.personal_history,
        "agency_assessment" => &e.agency_assessment,
        "professional_title_rank" => &e.professional_title_rank,
        "foreign_language_name" => &e.foreign_language_name,
        "ethnic_language" => &e.ethnic_language,
        _ => "",
    }
}

/// The text item `name` of an update, if it is to change.
fn changed_text<'a>(r: &'a pb::UpdateEmployeeRequest, name: &str) -> Option<&'a String> {
    match name {
        "department" => r.department.as_ref(),
        "full_name" => r.full_name.as_ref(),
        "other_names" => r.other_names.as_ref(),
        "place_of_birth" => r.place_of_birth.as_ref(),
        "home_town" => r.home_town.as_ref(),
        "ethnicity" => r.ethnicity.as_ref(),
        "religion" => r.religion.as_ref(),
        "social_insurance_number" => r.social_insurance_number.as_ref(),
        "permanent_address" => r.permanent_address.as_ref(),
        "current_address" => r.current_address.as_ref(),
        "occupation_when_recruited" => r.occupation_when_recruited.as_ref(),
        "recruiting_agency" => r.recruiting_agency.as_ref(),
        "position" => r.position.as_ref(),
        "main_duties" => r.main_duties.as_ref(),
        "general_education" => r.general_education.as_ref(),
        "degree" => r.degree.as_ref(),
        "degree_major" => r.degree_major.as_ref(),
        "political_theory" => r.political_theory.as_ref(),
        "state_management" => r.state_management.as_ref(),
        "foreign_language" => r.foreign_language.as_ref(),
        "it_level" => r.it_level.as_ref(),
        "organisations" => r.organisations.as_ref(),
        "military_rank" => r.military_rank.as_ref(),
        "titles" => r.titles.as_ref(),
        "strengths" => r.strengths.as_ref(),
        "health" => r.health.as_ref(),
        "blood_type" => r.blood_type.as_ref(),
        "war_invalid_rank" => r.war_invalid_rank.as_ref(),
        "policy_family" => r.policy_family.as_ref(),
        "job_position" => r.job_position.as_ref(),
        "contract_type" => r.contract_type.as_ref(),
        "family_economic_situation" => r.family_economic_situation.as_ref(),
        "personal_history" => r.personal_history.as_ref(),
        "agency_assessment" => r.agency_assessment.as_ref(),
        "professional_title_rank" => r.professional_title_rank.as_ref(),
        "foreign_language_name" => r.foreign_language_name.as_ref(),
        "ethnic_language" => r.ethnic_language.as_ref(),
        _ => None,
    }
}

/// The dated items of the record; none may lie in the future.
const DATE_ITEMS: &[&str] = &[
    "birth_date",
    "id_issue_date",
    "recruitment_date",
    "grade_date",
    "step_date",
    "recruitment_decision_date",
    "party_admission_date",
    "party_official_date",
    "union_admission_date",
    "military_enlistment_date",
    "military_discharge_date",
];

type SentDate = Option<tinhso_proto::common::v1::Date>;

fn sent_date<'a>(e: &'a pb::Employee, name: &str) -> &'a SentDate {
    match name {
        "birth_date" => &e.birth_date,
        "id_issue_date" => &e.id_issue_date,
        "recruitment_date" => &e.recruitment_date,
        "grade_date" => &e.grade_date,
        "step_date" => &e.step_date,
        "recruitment_decision_date" => &e.recruitment_decision_date,
        "party_admission_date" => &e.party_admission_date,
        "party_official_date" => &e.party_official_date,
        "union_admission_date" => &e.union_admission_date,
        "military_enlistment_date" => &e.military_enlistment_date,
        "military_discharge_date" => &e.military_discharge_date,
        _ => &None,
    }
}

fn changed_date<'a>(r: &'a pb::UpdateEmployeeRequest, name: &str) -> &'a SentDate {
    match name {
        "birth_date" => &r.birth_date,
        "id_issue_date" => &r.id_issue_date,
        "recruitment_date" => &r.recruitment_date,
        "grade_date" => &r.grade_date,
        "recruitment_decision_date" => &r.recruitment_decision_date,
        "party_admission_date" => &r.party_admission_date,
        "party_official_date" => &r.party_official_date,
        "union_admission_date" => &r.union_admission_date,
        "military_enlistment_date" => &r.military_enlistment_date,
        "military_discharge_date" => &r.military_discharge_date,
        _ => &None,
    }
}

/// Pairs of dates that must come in this order: (earlier, later).
const DATE_ORDER: &[(&str, &str)] = &[
    ("birth_date", "recruitment_date"),
    ("birth_date", "id_issue_date"),
    ("birth_date", "party_admission_date"),
    ("birth_date", "union_admission_date"),
    ("birth_date", "military_enlistment_date"),
    ("party_admission_date", "party_official_date"),
    ("military_enlistment_date", "military_discharge_date"),
    ("recruitment_date", "grade_date"),
];

/// Reports each later date of `DATE_ORDER` that comes before its earlier one.
fn check_date_order(row: &EmployeeRow, prefix: &str, errors: &mut Vec<AppError>) {
    let mut row = row.clone();
    for (earlier, later) in DATE_ORDER {
        let first = row.date_mut(earlier).and_then(|d| d.clone());
        let second = row.date_mut(later).and_then(|d| d.clone());
        if let (Some(a), Some(b)) = (first, second)
            && b < a
        {
            errors.push(AppError::invalid(
                &format!("{prefix}{later}"),
                ErrorCode::DateOrder,
                &format!("ngày này phải sau {}", field_title(earlier)),
                &format!("the date must come after {earlier}"),
            ));
        }
    }
}

/// A recruit is at least 18 on the day of recruitment (Luật Cán bộ, công chức Art. 36; Luật Viên
/// chức Art. 22). Dates are `YYYY-MM-DD` text.
fn check_recruitment_age(row: &EmployeeRow, prefix: &str, errors: &mut Vec<AppError>) {
    let parse = |d: &Option<String>| d.as_deref().and_then(tinhso_platform::api::parse_date);
    if let (Some(born), Some(recruited)) = (parse(&row.birth_date), parse(&row.recruitment_date))
        && recruited >= born
        && crate::domain::statistics::age_on(born, recruited) < 18
    {
        errors.push(AppError::invalid(
            &format!("{prefix}recruitment_date"),
            ErrorCode::UnderRecruitmentAge,
            "người được tuyển dụng phải đủ 18 tuổi vào ngày tuyển dụng (Luật Cán bộ, công chức \
             Điều 36; Luật Viên chức Điều 22)",
            "a recruit must be at least 18 on the day of recruitment",
        ));
    }
}

/// The Vietnamese name of a dated item, for messages.
fn field_title(name: &str) -> &'static str {
    match name {
        "birth_date" => "ngày sinh",
        "recruitment_date" => "ngày tuyển dụng",
        "party_admission_date" => "ngày vào Đảng",
        "military_enlistment_date" => "ngày nhập ngũ",
        _ => "ngày liên quan",
    }
}

/// Checks every field of a new record that needs no lookup; the errors name each field at fault.
pub(super) fn check_new(e: &pb::Employee, today: &str) -> (EmployeeRow, Vec<AppError>) {
    let mut errors: Vec<AppError> = Vec::new();
    let f = |name: &str| format!("employee.{name}");
    let mut row = EmployeeRow::default();
    for (name, required, max) in TEXT_ITEMS {
        match validate::text(&f(name), sent_text(e, name), *required, *max) {
            Ok(v) => {
                if let Some(target) = row.text_mut(name) {
                    *target = v;
                }
            }
            Err(err) => errors.push(err),
        }
    }
    for name in DATE_ITEMS {
        match past_date(sent_date(e, name), &f(name), today) {
            Ok(v) => {
                if let Some(target) = row.date_mut(name) {
                    *target = v;
                }
            }
            Err(err) => errors.push(err),
        }
    }
    let mut keep = |r: AppResult<String>| r.map_err(|e| errors.push(e)).unwrap_or_default();
    row.form_version = keep(validate::text(
        &f("form_version"),
        &e.form_version,
        false,
        32,
    ));
    row.grade_code = keep(validate::text(&f("grade_code"), &e.grade_code, false, 32));
    row.id_number = keep(validate::citizen_id(&f("id_number"), &e.id_number));
    row.email = keep(validate::email(&f("email"), &e.email));
    row.phone = keep(validate::phone(&f("phone"), &e.phone));
    match kind_text(e.kind) {
        Some(k) => row.kind = k,
        None => errors.push(AppError::invalid(
            &f("kind"),
            ErrorCode::Required,
            "chưa chọn loại cán bộ, công chức, viên chức",
            "the kind of staff is required",
        )),
    }
    // One message per fault: a birth date already refused (in the future, not a real date) is
    // not also reported as missing.
    let already_named = errors
        .iter()
        .any(|e| e.violations.iter().any(|v| v.field == f("birth_date")));
    if row.birth_date.is_none() && !already_named {
        errors.push(AppError::invalid(
            &f("birth_date"),
            ErrorCode::Required,
            "chưa nhập ngày sinh",
            "the date of birth is required",
        ));
    }
    row.sex = sex_text(e.sex);
    if row.sex.is_empty() {
        errors.push(AppError::invalid(
            &f("sex"),
            ErrorCode::Required,
            "chưa chọn giới tính",
            "sex is required",
        ));
    }
    if !(0..=20).contains(&e.step) || !(0..=2000).contains(&e.coefficient) {
        errors.push(AppError::invalid(
            &f("coefficient"),
            ErrorCode::OutOfRange,
            "bậc lương hoặc hệ số lương không hợp lệ",
            "salary step or coefficient out of range",
        ));
    }
    if !(0..=250).contains(&e.height_cm) || !(0..=300).contains(&e.weight_kg) {
        errors.push(AppError::invalid(
            &f("height_cm"),
            ErrorCode::OutOfRange,
            "chiều cao hoặc cân nặng không hợp lệ",
            "height or weight out of range",
        ));
    }
    row.height_cm = i64::from(e.height_cm);
    row.weight_kg = i64::from(e.weight_kg);
    row.step = i64::from(e.step);
    row.coefficient = i64::from(e.coefficient);
    row.status = status_text(e.status).unwrap_or_else(|| "working".into());
    if row.form_version.is_empty() {
        row.form_version = default_form(&row.kind).into();
    }
    check_date_order(&row, "employee.", &mut errors);
    check_recruitment_age(&row, "employee.", &mut errors);
    (row, errors)
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
            let (mut row, mut errors) = check_new(&e, &self.today());
            let mut tx = self.0.db.begin().await?;
            self.check_codes(&tx, &mut row, None, "employee.", &mut errors)
                .await?;
            all_violations(errors)?;
            if !r.request_id.is_empty()
                && let Some(done) = store::employees::by_request_id(&mut tx, &r.request_id).await?
            {
                p.require(WRITE, &done.unit_path)?;
                return Ok(Response::new(employee_pb(&done)));
            }
            let unit = self
                .active_unit(&tx, &e.unit_id, "employee.unit_id")
                .await?;
            p.require(WRITE, &unit.path)?;
            let now = self.now();
            row.id = EmployeeId::generate();
            row.unit_id = unit.id;
            row.unit_path = unit.path;
            row.version = 1;
            row.created_at = now;
            row.updated_at = now;
            let request_id = (!r.request_id.is_empty()).then_some(r.request_id.as_str());
            super::id_number_free(&tx, &p, &row.id_number, "", "employee.id_number").await?;
            match store::employees::insert(&mut tx, &row, request_id).await {
                // Another request took the same citizen ID between the check and the insert.
                Err(e)
                    if tinhso_platform::db::is_unique_violation(&e)
                        && !row.id_number.is_empty() =>
                {
                    return Err(super::id_number_taken("employee.id_number"));
                }
                other => other?,
            }
            store::employees::record_changes(&mut tx, None, &row, &p.account_id, &p.username, now)
                .await?;
            self.open_salary_history(&mut tx, &p, &row, now).await?;
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
            for (name, required, max) in TEXT_ITEMS {
                if let Some(v) = changed_text(&r, name) {
                    match validate::text(name, v, *required, *max) {
                        Ok(v) => {
                            if let Some(target) = after.text_mut(name) {
                                *target = v;
                            }
                        }
                        Err(e) => errors.push(e),
                    }
                }
            }
            for name in DATE_ITEMS {
                let sent = changed_date(&r, name);
                if sent.is_some() {
                    match past_date(sent, name, &today) {
                        Ok(v) => {
                            if let Some(target) = after.date_mut(name) {
                                *target = v;
                            }
                        }
                        Err(e) => errors.push(e),
                    }
                }
            }
            if let Some(v) = &r.form_version {
                match validate::text("form_version", v, false, 32) {
                    Ok(v) if v.is_empty() => after.form_version = default_form(&after.kind).into(),
                    Ok(v) => after.form_version = v,
                    Err(e) => errors.push(e),
                }
            }
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
            for (name, value, target) in [
                ("height_cm", r.height_cm, &mut after.height_cm),
                ("weight_kg", r.weight_kg, &mut after.weight_kg),
            ] {
                match value {
                    Some(v) if !(0..=300).contains(&v) => errors.push(AppError::invalid(
                        name,
                        ErrorCode::OutOfRange,
                        "giá trị không hợp lệ",
                        "value out of range",
                    )),
                    Some(v) => *target = i64::from(v),
                    None => {}
                }
            }
            let sex = sex_text(r.sex);
            if !sex.is_empty() {
                after.sex = sex;
            }
            check_date_order(&after, "", &mut errors);
            check_recruitment_age(&after, "", &mut errors);
            self.check_codes(&tx, &mut after, Some(&before), "", &mut errors)
                .await?;
            // A change of position, department or degree is dated by its decision (Điều 11).
            let dated_change = crate::domain::deadlines::DATED_ITEMS
                .iter()
                .any(|name| before.field(name) != after.field(name));
            let effective = if dated_change {
                match past_date(&r.effective_date, "effective_date", &today) {
                    Ok(Some(d)) => Some(d),
                    Ok(None) => {
                        errors.push(AppError::invalid(
                            "effective_date",
                            ErrorCode::Required,
                            "chưa nhập ngày hiệu lực của thay đổi chức vụ, phòng ban hoặc trình \
                             độ (ngày của quyết định hoặc văn bằng)",
                            "the effective date of the change is required",
                        ));
                        None
                    }
                    Err(e) => {
                        errors.push(e);
                        None
                    }
                }
            } else {
                None
            };
            all_violations(errors)?;
            let now = self.now();
            let after = self
                .save_record(&mut tx, &p, &before, after, "updated", now)
                .await?;
            if let Some(effective) = effective {
                store::employees::date_changes(
                    &mut tx,
                    &after.id,
                    now,
                    crate::domain::deadlines::DATED_ITEMS,
                    &effective,
                )
                .await?;
            }
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
            let mut search = self.search_of(&p, &r).await?;
            search.limit = limit;
            search.offset = offset;
            let rows = store::employees::search(&self.0.db.pool, &search).await?;
            Ok(Response::new(pb::ListEmployeesResponse {
                next_page_token: next_token(rows.len(), limit, offset),
                employees: rows.iter().map(employee_pb).collect(),
            }))
        })
        .await
    }

    async fn import_employees(
        &self,
        request: Request<tonic::Streaming<pb::ImportEmployeesRequest>>,
    ) -> Reply<pb::ImportEmployeesResponse> {
        handle(async move { Ok(Response::new(self.run_import(request).await?)) }).await
    }

    type GetImportTemplateStream = super::FileStream;

    async fn get_import_template(
        &self,
        request: Request<pb::GetImportTemplateRequest>,
    ) -> Reply<Self::GetImportTemplateStream> {
        handle(async move {
            self.principal(&request)?;
            Ok(Response::new(super::file_stream(self.import_template()?)))
        })
        .await
    }

    type ExportEmployeesStream = super::FileStream;

    async fn export_employees(
        &self,
        request: Request<pb::ListEmployeesRequest>,
    ) -> Reply<Self::ExportEmployeesStream> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let search = self.search_of(&p, &r).await?;
            Ok(Response::new(
                self.employees_workbook(search, &r.columns).await?,
            ))
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
                    ErrorCode::Required,
                    "chưa chọn loại biến động",
                    "the kind of movement is required",
                ));
            }
            let decision_number = validate::text("decision_number", &r.decision_number, true, 64)
                .map_err(|e| errors.push(e))
                .unwrap_or_default();
            let mut required_date = |d: &Option<tinhso_proto::common::v1::Date>, field: &str| {
                tinhso_platform::api::required_date(d, field)
                    .map_err(|e| errors.push(e))
                    .unwrap_or_default()
            };
            let decision_date = required_date(&r.decision_date, "decision_date");
            let effective_date = required_date(&r.effective_date, "effective_date");
            if !decision_date.is_empty() && decision_date > today {
                errors.push(AppError::invalid(
                    "decision_date",
                    ErrorCode::DateInFuture,
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
                    ErrorCode::EffectiveBeforeDecision,
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
                    ErrorCode::Required,
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
            if let Some(recruited) = &before.recruitment_date
                && !effective_date.is_empty()
                && effective_date.as_str() < recruited.as_str()
            {
                return Err(AppError::invalid(
                    "effective_date",
                    ErrorCode::DateOrder,
                    "ngày hiệu lực không được trước ngày tuyển dụng của người này",
                    "the effective date cannot precede the person's recruitment",
                ));
            }
            if !crate::domain::movements::can_move_from(&before.status) {
                return Err(AppError::failed_precondition(
                    ErrorCode::RecordEnded,
                    "Hồ sơ đã kết thúc (nghỉ hưu, thôi việc, từ trần hoặc chuyển đi)",
                    "the record has ended (retired, resigned, deceased or moved away)",
                ));
            }
            let target = if effect.needs_target {
                let unit = store::units::get(&tx, &r.to_unit_id)
                    .await?
                    .filter(|u| u.status == "active")
                    .ok_or_else(|| {
                        AppError::not_found("đơn vị tiếp nhận", "receiving unit")
                            .with_field("to_unit_id")
                    })?;
                if unit.id == before.unit_id {
                    return Err(AppError::invalid(
                        "to_unit_id",
                        ErrorCode::SameUnit,
                        "đơn vị tiếp nhận trùng đơn vị hiện tại",
                        "the receiving unit is the current one",
                    ));
                }
                Some(unit)
            } else {
                None
            };
            if store::movements::of_employee(&tx, &before.id)
                .await?
                .iter()
                .any(|m| m.state == "pending")
            {
                return Err(AppError::failed_precondition(
                    ErrorCode::MovePending,
                    "hồ sơ đang chờ đơn vị tiếp nhận xác nhận một lần điều động",
                    "the record is waiting for a receiving unit to accept a movement",
                ));
            }
            // A handover into a unit the sender may not write in waits for that unit.
            let pending =
                effect.moves_record && target.as_ref().is_some_and(|u| !p.can(WRITE, &u.path));
            let now = self.now();
            let mut movement = MovementRow {
                id: uuid::Uuid::now_v7().to_string(),
                employee_id: before.id.clone().into(),
                kind,
                from_unit_id: before.unit_id.clone().into(),
                to_unit_id: target.map(|u| u.id.into()).unwrap_or_default(),
                decision_number,
                decision_date,
                effective_date,
                note,
                resulting_status: effect.resulting_status.into(),
                recorded_at: now,
                recorded_by: p.username.clone(),
                state: if pending { "pending" } else { "done" }.into(),
                handled_by: String::new(),
                handled_at: 0,
            };
            if !pending {
                self.apply_movement(&mut tx, &p, &before, &movement, now)
                    .await?;
                movement.handled_by = p.username.clone();
                movement.handled_at = now;
            }
            store::movements::insert(&mut tx, &movement).await?;
            self.commit(tx).await?;
            Ok(Response::new(movement_pb(&movement)))
        })
        .await
    }

    async fn list_pending_movements(
        &self,
        request: Request<pb::ListPendingMovementsRequest>,
    ) -> Reply<pb::ListMovementsResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let unit = self.readable_unit(&p, &request.get_ref().unit_id).await?;
            let pool = &self.0.db.pool;
            let rows = store::movements::pending_to(pool, &unit.path).await?;
            let mut movements = Vec::with_capacity(rows.len());
            for row in &rows {
                let mut m = movement_pb(row);
                if let Some(e) = store::employees::get(pool, &row.employee_id).await? {
                    m.employee_birth_date = tinhso_platform::api::date_of(&e.birth_date);
                    m.employee_position = e.position;
                    m.employee_grade_code = e.grade_code;
                    m.employee_step = i32::try_from(e.step).unwrap_or_default();
                    m.employee_name = e.full_name;
                }
                m.from_unit_name = store::units::get(pool, &row.from_unit_id)
                    .await?
                    .map(|u| u.name)
                    .unwrap_or_default();
                movements.push(m);
            }
            Ok(Response::new(pb::ListMovementsResponse { movements }))
        })
        .await
    }

    async fn accept_movement(
        &self,
        request: Request<pb::SettleMovementRequest>,
    ) -> Reply<pb::Movement> {
        handle(async move {
            let p = self.principal(&request)?;
            let mut tx = self.0.db.begin().await?;
            let pending = self
                .pending_for_receiver(&mut tx, &p, &request.get_ref().id)
                .await?;
            let before = self.record(&mut tx, &pending.employee_id).await?;
            let now = self.now();
            self.apply_movement(&mut tx, &p, &before, &pending, now)
                .await?;
            let settled = MovementRow {
                state: "done".into(),
                handled_by: p.username.clone(),
                handled_at: now,
                ..pending
            };
            if !store::movements::settle(&mut tx, &settled).await? {
                return Err(AppError::stale_etag());
            }
            self.commit(tx).await?;
            Ok(Response::new(movement_pb(&settled)))
        })
        .await
    }

    async fn decline_movement(
        &self,
        request: Request<pb::SettleMovementRequest>,
    ) -> Reply<pb::Movement> {
        handle(async move {
            let p = self.principal(&request)?;
            let mut tx = self.0.db.begin().await?;
            let pending = self
                .pending_for_receiver(&mut tx, &p, &request.get_ref().id)
                .await?;
            let settled = MovementRow {
                state: "declined".into(),
                handled_by: p.username.clone(),
                handled_at: self.now(),
                ..pending
            };
            if !store::movements::settle(&mut tx, &settled).await? {
                return Err(AppError::stale_etag());
            }
            self.commit(tx).await?;
            Ok(Response::new(movement_pb(&settled)))
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
            // The holidays entered for the lunar calendar and the Prime Minister's extra days.
            let holidays = tinhso_platform::vn::WorkingCalendar::new(
                store::catalogues::entries(pool, crate::domain::catalogues::HOLIDAY, false)
                    .await?
                    .iter()
                    .filter_map(|e| tinhso_platform::api::parse_date(&e.code)),
            );
            let names: std::collections::HashMap<String, String> =
                store::staffing::units_under(pool, &unit.path)
                    .await?
                    .into_iter()
                    .map(|(id, name, _)| (id, name))
                    .collect();
            let mut per_unit: std::collections::BTreeMap<String, (i32, i32)> =
                std::collections::BTreeMap::new();
            let mut late_entries = Vec::new();
            let now = self.now();
            for (employee_id, employee_name, unit_id, what, from_date, entered) in entries {
                // A pending handover stands as entered now (i64::MAX from the store).
                let entered = if entered == i64::MAX { now } else { entered };
                if entered < from_ms || entered >= to_ms {
                    continue;
                }
                let allowed = if what == "hire" {
                    HIRE_DAYS
                } else {
                    MOVEMENT_DAYS
                };
                let counts = per_unit.entry(unit_id.clone()).or_default();
                counts.0 += 1;
                if let Some(days) = days_late(&from_date, entered, allowed, &holidays) {
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
                under_path: under_path.map(Into::into),
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

impl Api {
    /// Applies a movement to the record: a transfer or rotation moves it to the receiving unit,
    /// an ending sets its status; with the change record and the `moved`/`ended` event.
    async fn apply_movement(
        &self,
        tx: &mut Tx,
        p: &Principal,
        before: &EmployeeRow,
        movement: &MovementRow,
        now: i64,
    ) -> AppResult<()> {
        let effect = crate::domain::movements::effect(&movement.kind)
            .ok_or_else(|| AppError::internal("a stored movement has an unknown kind"))?;
        let mut after = before.clone();
        if effect.moves_record {
            let unit = store::units::get(&*tx, &movement.to_unit_id)
                .await?
                .filter(|u| u.status == "active")
                .ok_or_else(|| {
                    AppError::failed_precondition(
                        ErrorCode::UnitClosed,
                        "đơn vị tiếp nhận không còn hoạt động",
                        "the receiving unit is no longer active",
                    )
                })?;
            after.unit_id = unit.id;
            after.unit_path = unit.path;
        }
        after.status = effect.resulting_status.into();
        let change = if after.status == "working" {
            "moved"
        } else {
            "ended"
        };
        self.save_record(tx, p, before, after, change, now).await?;
        Ok(())
    }

    /// A pending handover the caller may settle: they write in the receiving unit.
    async fn pending_for_receiver(
        &self,
        tx: &mut Tx,
        p: &Principal,
        id: &str,
    ) -> AppResult<MovementRow> {
        let movement = store::movements::get(&*tx, id)
            .await?
            .ok_or_else(|| AppError::not_found("biến động", "movement").with_field("id"))?;
        let receiving = store::units::get(&*tx, &movement.to_unit_id)
            .await?
            .map(|u| u.path)
            .unwrap_or_default();
        p.require(WRITE, &receiving)?;
        if movement.state != "pending" {
            return Err(AppError::failed_precondition(
                ErrorCode::NotPending,
                "biến động này không chờ xác nhận",
                "the movement is not waiting for acceptance",
            ));
        }
        Ok(movement)
    }
}
