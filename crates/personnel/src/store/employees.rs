//! Employee records and their change record.

use super::entities::{catalogue_entry, employee, employee_change, section_entry};
use sea_orm::sea_query::{Expr, ExprTrait as _, Query};
use sea_orm::{
    ColumnTrait as _, Condition, ConnectionTrait, DatabaseConnection, EntityTrait as _,
    FromQueryResult, JoinType, PaginatorTrait as _, QueryFilter as _, QueryOrder as _,
    QuerySelect as _, Select, Set,
};
use tinhso_platform::db::{self, DbErr, Tx};
use tinhso_platform::{EmployeeId, UnitId, UnitPath};

/// One employee record as stored. Dates are `YYYY-MM-DD` text; codes are catalogue codes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmployeeRow {
    pub id: EmployeeId,
    pub unit_id: UnitId,
    pub unit_path: UnitPath,
    pub department: String,
    pub kind: String,
    pub status: String,
    pub form_version: String,
    pub full_name: String,
    pub other_names: String,
    pub birth_date: Option<String>,
    pub sex: String,
    pub place_of_birth: String,
    pub home_town: String,
    pub ethnicity: String,
    pub religion: String,
    pub id_number: String,
    pub id_issue_date: Option<String>,
    pub social_insurance_number: String,
    pub permanent_address: String,
    pub current_address: String,
    pub occupation_when_recruited: String,
    pub recruitment_date: Option<String>,
    pub recruiting_agency: String,
    pub position: String,
    pub main_duties: String,
    pub grade_code: String,
    pub grade_date: Option<String>,
    pub step: i64,
    pub coefficient: i64,
    pub step_date: Option<String>,
    pub recruitment_decision_date: Option<String>,
    /// Loaded by the import (read-only; not an item of the form).
    pub initial_entry: bool,
    pub general_education: String,
    pub degree: String,
    pub degree_major: String,
    pub political_theory: String,
    pub state_management: String,
    pub foreign_language: String,
    pub it_level: String,
    pub party_admission_date: Option<String>,
    pub party_official_date: Option<String>,
    pub union_admission_date: Option<String>,
    pub organisations: String,
    pub military_enlistment_date: Option<String>,
    pub military_discharge_date: Option<String>,
    pub military_rank: String,
    pub titles: String,
    pub strengths: String,
    pub health: String,
    pub height_cm: i64,
    pub weight_kg: i64,
    pub blood_type: String,
    pub war_invalid_rank: String,
    pub policy_family: String,
    pub job_position: String,
    pub contract_type: String,
    pub family_economic_situation: String,
    pub personal_history: String,
    pub agency_assessment: String,
    pub professional_title_rank: String,
    pub foreign_language_name: String,
    pub ethnic_language: String,
    pub phone: String,
    pub email: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A column's value, for binding and for the change record.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Text(&'a str),
    Date(&'a Option<String>),
    Int(i64),
}

impl Value<'_> {
    /// The value as the change record writes it (no date is the empty text).
    pub fn text(&self) -> String {
        match self {
            Self::Text(t) => t.to_string(),
            Self::Date(d) => d.as_deref().unwrap_or_default().to_string(),
            Self::Int(i) => i.to_string(),
        }
    }
}

impl EmployeeRow {
    /// The record's own fields as (column, value): everything the person or the decisions
    /// about them say, in table order. The id, version and times are kept apart.
    pub fn values(&self) -> Vec<(&'static str, Value<'_>)> {
        use Value::{Date, Int, Text};
        vec![
            ("unit_id", Text(&self.unit_id)),
            ("unit_path", Text(&self.unit_path)),
            ("department", Text(&self.department)),
            ("kind", Text(&self.kind)),
            ("status", Text(&self.status)),
            ("form_version", Text(&self.form_version)),
            ("full_name", Text(&self.full_name)),
            ("other_names", Text(&self.other_names)),
            ("birth_date", Date(&self.birth_date)),
            ("sex", Text(&self.sex)),
            ("place_of_birth", Text(&self.place_of_birth)),
            ("home_town", Text(&self.home_town)),
            ("ethnicity", Text(&self.ethnicity)),
            ("religion", Text(&self.religion)),
            ("id_number", Text(&self.id_number)),
            ("id_issue_date", Date(&self.id_issue_date)),
            (
                "social_insurance_number",
                Text(&self.social_insurance_number),
            ),
            ("permanent_address", Text(&self.permanent_address)),
            ("current_address", Text(&self.current_address)),
            (
                "occupation_when_recruited",
                Text(&self.occupation_when_recruited),
            ),
            ("recruitment_date", Date(&self.recruitment_date)),
            ("recruiting_agency", Text(&self.recruiting_agency)),
            ("position", Text(&self.position)),
            ("main_duties", Text(&self.main_duties)),
            ("grade_code", Text(&self.grade_code)),
            ("grade_date", Date(&self.grade_date)),
            ("step", Int(self.step)),
            ("coefficient", Int(self.coefficient)),
            ("step_date", Date(&self.step_date)),
            (
                "recruitment_decision_date",
                Date(&self.recruitment_decision_date),
            ),
            ("general_education", Text(&self.general_education)),
            ("degree", Text(&self.degree)),
            ("degree_major", Text(&self.degree_major)),
            ("political_theory", Text(&self.political_theory)),
            ("state_management", Text(&self.state_management)),
            ("foreign_language", Text(&self.foreign_language)),
            ("it_level", Text(&self.it_level)),
            ("party_admission_date", Date(&self.party_admission_date)),
            ("party_official_date", Date(&self.party_official_date)),
            ("union_admission_date", Date(&self.union_admission_date)),
            ("organisations", Text(&self.organisations)),
            (
                "military_enlistment_date",
                Date(&self.military_enlistment_date),
            ),
            (
                "military_discharge_date",
                Date(&self.military_discharge_date),
            ),
            ("military_rank", Text(&self.military_rank)),
            ("titles", Text(&self.titles)),
            ("strengths", Text(&self.strengths)),
            ("health", Text(&self.health)),
            ("height_cm", Int(self.height_cm)),
            ("weight_kg", Int(self.weight_kg)),
            ("blood_type", Text(&self.blood_type)),
            ("war_invalid_rank", Text(&self.war_invalid_rank)),
            ("policy_family", Text(&self.policy_family)),
            ("job_position", Text(&self.job_position)),
            ("contract_type", Text(&self.contract_type)),
            (
                "family_economic_situation",
                Text(&self.family_economic_situation),
            ),
            ("personal_history", Text(&self.personal_history)),
            ("agency_assessment", Text(&self.agency_assessment)),
            (
                "professional_title_rank",
                Text(&self.professional_title_rank),
            ),
            ("foreign_language_name", Text(&self.foreign_language_name)),
            ("ethnic_language", Text(&self.ethnic_language)),
            ("phone", Text(&self.phone)),
            ("email", Text(&self.email)),
        ]
    }

    /// The fields the change record follows: every value but the derived unit path.
    /// The text of the field `name` (as the change record writes it), if the record has one.
    pub fn field(&self, name: &str) -> Option<String> {
        self.values()
            .into_iter()
            .find(|(field, _)| *field == name)
            .map(|(_, v)| v.text())
    }

    pub fn fields(&self) -> Vec<(&'static str, String)> {
        self.values()
            .into_iter()
            .filter(|(name, _)| *name != "unit_path")
            .map(|(name, v)| (name, v.text()))
            .collect()
    }
}

impl From<employee::Model> for EmployeeRow {
    fn from(m: employee::Model) -> Self {
        let date = |d: Option<time::Date>| d.map(db::date_text);
        Self {
            id: EmployeeId::new(m.id),
            unit_id: UnitId::new(m.unit_id),
            unit_path: UnitPath::new(m.unit_path),
            department: m.department,
            kind: m.kind,
            status: m.status,
            form_version: m.form_version,
            full_name: m.full_name,
            other_names: m.other_names,
            birth_date: date(m.birth_date),
            sex: m.sex,
            place_of_birth: m.place_of_birth,
            home_town: m.home_town,
            ethnicity: m.ethnicity,
            religion: m.religion,
            id_number: m.id_number,
            id_issue_date: date(m.id_issue_date),
            social_insurance_number: m.social_insurance_number,
            permanent_address: m.permanent_address,
            current_address: m.current_address,
            occupation_when_recruited: m.occupation_when_recruited,
            recruitment_date: date(m.recruitment_date),
            recruiting_agency: m.recruiting_agency,
            position: m.position,
            main_duties: m.main_duties,
            grade_code: m.grade_code,
            grade_date: date(m.grade_date),
            step: m.step,
            coefficient: m.coefficient,
            step_date: date(m.step_date),
            recruitment_decision_date: date(m.recruitment_decision_date),
            initial_entry: m.initial_entry,
            general_education: m.general_education,
            degree: m.degree,
            degree_major: m.degree_major,
            political_theory: m.political_theory,
            state_management: m.state_management,
            foreign_language: m.foreign_language,
            it_level: m.it_level,
            party_admission_date: date(m.party_admission_date),
            party_official_date: date(m.party_official_date),
            union_admission_date: date(m.union_admission_date),
            organisations: m.organisations,
            military_enlistment_date: date(m.military_enlistment_date),
            military_discharge_date: date(m.military_discharge_date),
            military_rank: m.military_rank,
            titles: m.titles,
            strengths: m.strengths,
            health: m.health,
            height_cm: m.height_cm,
            weight_kg: m.weight_kg,
            blood_type: m.blood_type,
            war_invalid_rank: m.war_invalid_rank,
            policy_family: m.policy_family,
            job_position: m.job_position,
            contract_type: m.contract_type,
            family_economic_situation: m.family_economic_situation,
            personal_history: m.personal_history,
            agency_assessment: m.agency_assessment,
            professional_title_rank: m.professional_title_rank,
            foreign_language_name: m.foreign_language_name,
            ethnic_language: m.ethnic_language,
            phone: m.phone,
            email: m.email,
            version: m.version,
            created_at: db::millis(m.created_at),
            updated_at: db::millis(m.updated_at),
        }
    }
}

/// Every column an edit writes: the record's own fields, its folded name, version and update
/// time (not the id, the creation or the request id).
fn edited(e: &EmployeeRow) -> Result<employee::ActiveModel, DbErr> {
    let date = |d: &Option<String>| db::date_opt(d.as_deref());
    Ok(employee::ActiveModel {
        unit_id: Set(e.unit_id.to_string()),
        unit_path: Set(e.unit_path.to_string()),
        department: Set(e.department.clone()),
        kind: Set(e.kind.clone()),
        status: Set(e.status.clone()),
        form_version: Set(e.form_version.clone()),
        full_name: Set(e.full_name.clone()),
        name_folded: Set(tinhso_platform::vn::fold(&e.full_name)),
        name_sort: Set(tinhso_platform::vn::name_sort_key(&e.full_name)),
        other_names: Set(e.other_names.clone()),
        birth_date: Set(date(&e.birth_date)?),
        sex: Set(e.sex.clone()),
        place_of_birth: Set(e.place_of_birth.clone()),
        home_town: Set(e.home_town.clone()),
        ethnicity: Set(e.ethnicity.clone()),
        religion: Set(e.religion.clone()),
        id_number: Set(e.id_number.clone()),
        id_issue_date: Set(date(&e.id_issue_date)?),
        social_insurance_number: Set(e.social_insurance_number.clone()),
        permanent_address: Set(e.permanent_address.clone()),
        current_address: Set(e.current_address.clone()),
        occupation_when_recruited: Set(e.occupation_when_recruited.clone()),
        recruitment_date: Set(date(&e.recruitment_date)?),
        recruiting_agency: Set(e.recruiting_agency.clone()),
        position: Set(e.position.clone()),
        main_duties: Set(e.main_duties.clone()),
        grade_code: Set(e.grade_code.clone()),
        grade_date: Set(date(&e.grade_date)?),
        step: Set(e.step),
        coefficient: Set(e.coefficient),
        step_date: Set(date(&e.step_date)?),
        recruitment_decision_date: Set(date(&e.recruitment_decision_date)?),
        initial_entry: Set(e.initial_entry),
        general_education: Set(e.general_education.clone()),
        degree: Set(e.degree.clone()),
        degree_major: Set(e.degree_major.clone()),
        political_theory: Set(e.political_theory.clone()),
        state_management: Set(e.state_management.clone()),
        foreign_language: Set(e.foreign_language.clone()),
        it_level: Set(e.it_level.clone()),
        party_admission_date: Set(date(&e.party_admission_date)?),
        party_official_date: Set(date(&e.party_official_date)?),
        union_admission_date: Set(date(&e.union_admission_date)?),
        organisations: Set(e.organisations.clone()),
        military_enlistment_date: Set(date(&e.military_enlistment_date)?),
        military_discharge_date: Set(date(&e.military_discharge_date)?),
        military_rank: Set(e.military_rank.clone()),
        titles: Set(e.titles.clone()),
        strengths: Set(e.strengths.clone()),
        health: Set(e.health.clone()),
        height_cm: Set(e.height_cm),
        weight_kg: Set(e.weight_kg),
        blood_type: Set(e.blood_type.clone()),
        war_invalid_rank: Set(e.war_invalid_rank.clone()),
        policy_family: Set(e.policy_family.clone()),
        job_position: Set(e.job_position.clone()),
        contract_type: Set(e.contract_type.clone()),
        family_economic_situation: Set(e.family_economic_situation.clone()),
        personal_history: Set(e.personal_history.clone()),
        agency_assessment: Set(e.agency_assessment.clone()),
        professional_title_rank: Set(e.professional_title_rank.clone()),
        foreign_language_name: Set(e.foreign_language_name.clone()),
        ethnic_language: Set(e.ethnic_language.clone()),
        phone: Set(e.phone.clone()),
        email: Set(e.email.clone()),
        version: Set(e.version),
        updated_at: Set(db::at(e.updated_at)),
        ..Default::default()
    })
}

fn rows(models: Vec<employee::Model>) -> Vec<EmployeeRow> {
    models.into_iter().map(EmployeeRow::from).collect()
}

pub async fn get(conn: &impl ConnectionTrait, id: &str) -> Result<Option<EmployeeRow>, DbErr> {
    Ok(employee::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(EmployeeRow::from))
}

pub async fn by_request_id(tx: &mut Tx, request_id: &str) -> Result<Option<EmployeeRow>, DbErr> {
    Ok(employee::Entity::find()
        .filter(employee::Column::RequestId.eq(request_id))
        .one(&*tx)
        .await?
        .map(EmployeeRow::from))
}

/// The latest record with this ID number, if any (imports match on it).
pub async fn by_id_number(
    conn: &impl ConnectionTrait,
    id_number: &str,
) -> Result<Option<EmployeeRow>, DbErr> {
    Ok(employee::Entity::find()
        .filter(employee::Column::IdNumber.eq(id_number))
        .order_by_desc(employee::Column::CreatedAt)
        .one(conn)
        .await?
        .map(EmployeeRow::from))
}

pub async fn insert(tx: &mut Tx, e: &EmployeeRow, request_id: Option<&str>) -> Result<(), DbErr> {
    let mut row = edited(e)?;
    row.id = Set(e.id.to_string());
    row.created_at = Set(db::at(e.created_at));
    row.request_id = Set(request_id.map(str::to_string));
    employee::Entity::insert(row)
        .exec_without_returning(&*tx)
        .await?;
    Ok(())
}

/// Writes `e` if the stored version is still `expected_version`; false when it changed.
pub async fn update(tx: &mut Tx, e: &EmployeeRow, expected_version: i64) -> Result<bool, DbErr> {
    let done = employee::Entity::update_many()
        .set(edited(e)?)
        .filter(employee::Column::Id.eq(e.id.as_str()))
        .filter(employee::Column::Version.eq(expected_version))
        .exec(&*tx)
        .await?;
    Ok(done.rows_affected == 1)
}

/// One field changed by one person at one time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
    pub actor_id: String,
    pub actor_username: String,
    pub at: i64,
}

/// Records every field that differs between `before` (None for a new record) and `after`, in
/// one multi-row insert.
pub async fn record_changes(
    tx: &mut Tx,
    before: Option<&EmployeeRow>,
    after: &EmployeeRow,
    actor_id: &str,
    actor_username: &str,
    at: i64,
) -> Result<usize, DbErr> {
    let old = before.map(EmployeeRow::fields);
    let mut changed: Vec<(&'static str, String, String)> = Vec::new();
    for (i, (field, value)) in after.fields().into_iter().enumerate() {
        let previous = old.as_ref().map(|o| o[i].1.clone()).unwrap_or_default();
        if before.is_some() && previous == value {
            continue;
        }
        if before.is_none() && value.is_empty() {
            continue;
        }
        changed.push((field, previous, value));
    }
    if changed.is_empty() {
        return Ok(0);
    }
    let count = changed.len();
    let rows = changed
        .into_iter()
        .map(|(field, previous, value)| employee_change::ActiveModel {
            employee_id: Set(after.id.to_string()),
            at: Set(db::at(at)),
            actor_id: Set(actor_id.to_string()),
            actor_username: Set(actor_username.to_string()),
            field: Set(field.to_string()),
            before_value: Set(previous),
            after_value: Set(value),
            ..Default::default()
        });
    employee_change::Entity::insert_many(rows)
        .exec_without_returning(&*tx)
        .await?;
    Ok(count)
}

/// Dates the changes of `fields` written at `at` for `employee_id` by their decision's
/// `effective` date (`YYYY-MM-DD`), from which their entry deadline runs.
pub async fn date_changes(
    tx: &mut Tx,
    employee_id: &str,
    at: i64,
    fields: &[&str],
    effective: &str,
) -> Result<(), DbErr> {
    use employee_change::Column;
    employee_change::Entity::update_many()
        .col_expr(
            Column::EffectiveDate,
            Expr::value(db::date_opt(Some(effective))?),
        )
        .filter(Column::EmployeeId.eq(employee_id))
        .filter(Column::At.eq(db::at(at)))
        .filter(Column::Field.is_in(fields.iter().copied()))
        .exec(&*tx)
        .await?;
    Ok(())
}

impl From<employee_change::Model> for Change {
    fn from(c: employee_change::Model) -> Self {
        Self {
            field: c.field,
            before: c.before_value,
            after: c.after_value,
            actor_id: c.actor_id,
            actor_username: c.actor_username,
            at: db::millis(c.at),
        }
    }
}

/// The change record of one employee, oldest first.
pub async fn changes(pool: &DatabaseConnection, employee_id: &str) -> Result<Vec<Change>, DbErr> {
    Ok(employee_change::Entity::find()
        .filter(employee_change::Column::EmployeeId.eq(employee_id))
        .order_by_asc(employee_change::Column::Id)
        .all(pool)
        .await?
        .into_iter()
        .map(Change::from)
        .collect())
}

/// How search results are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    #[default]
    Name,
    BirthDate,
    RecruitmentDate,
    /// Highest coefficient first.
    Coefficient,
    Unit,
}

impl Order {
    /// The search ordered this way, then by name and id so pages never overlap.
    fn apply(self, select: Select<employee::Entity>) -> Select<employee::Entity> {
        use employee::Column;
        let select = match self {
            Self::Name => select,
            Self::BirthDate => select.order_by_asc(Column::BirthDate),
            Self::RecruitmentDate => select.order_by_asc(Column::RecruitmentDate),
            Self::Coefficient => select.order_by_desc(Column::Coefficient),
            Self::Unit => select.order_by_asc(Column::UnitPath),
        };
        select
            .order_by_asc(Column::NameSort)
            .order_by_asc(Column::Id)
    }
}

/// The columns a search may compare for equality, as `Search::equals` names them.
pub const EQUAL_COLUMNS: &[&str] = &[
    "kind",
    "status",
    "sex",
    "grade_code",
    "ethnicity",
    "religion",
    "degree",
    "political_theory",
    "state_management",
    "foreign_language",
    "it_level",
    "id_number",
];

/// What a search asks for; `scopes` are the unit paths the caller may read.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub scopes: Vec<String>,
    pub under_path: Option<String>,
    pub name_folded: Option<String>,
    /// (column of `EQUAL_COLUMNS`, value).
    pub equals: Vec<(&'static str, String)>,
    pub step: Option<i64>,
    pub party_member: Option<bool>,
    pub ethnic_minority: bool,
    pub born: (Option<String>, Option<String>),
    pub recruited: (Option<String>, Option<String>),
    pub award_kind: Option<String>,
    pub discipline_kind: Option<String>,
    pub order: Order,
    pub limit: i64,
    pub offset: i64,
}

/// The column a search compares for equality, by its name in `EQUAL_COLUMNS`.
fn equal_column(name: &str) -> Option<employee::Column> {
    use employee::Column;
    Some(match name {
        "kind" => Column::Kind,
        "status" => Column::Status,
        "sex" => Column::Sex,
        "grade_code" => Column::GradeCode,
        "ethnicity" => Column::Ethnicity,
        "religion" => Column::Religion,
        "degree" => Column::Degree,
        "political_theory" => Column::PoliticalTheory,
        "state_management" => Column::StateManagement,
        "foreign_language" => Column::ForeignLanguage,
        "it_level" => Column::ItLevel,
        "id_number" => Column::IdNumber,
        _ => return None,
    })
}

/// `column` between the optional bounds (dates inclusive).
fn between(
    column: employee::Column,
    bounds: &(Option<String>, Option<String>),
) -> Result<Condition, DbErr> {
    let mut condition = Condition::all();
    if let Some(from) = &bounds.0 {
        condition = condition.add(column.gte(db::date(from)?));
    }
    if let Some(to) = &bounds.1 {
        condition = condition.add(column.lte(db::date(to)?));
    }
    Ok(condition)
}

impl Search {
    fn condition(&self) -> Result<Condition, DbErr> {
        use employee::Column;
        let mut c = Condition::all().add(db::under_any(Column::UnitPath, &self.scopes));
        if let Some(p) = &self.under_path {
            c = c.add(db::starts_with(Column::UnitPath, p));
        }
        if let Some(name) = &self.name_folded {
            c = c.add(db::contains(Column::NameFolded, name));
        }
        for (name, value) in &self.equals {
            if let Some(column) = equal_column(name) {
                c = c.add(column.eq(value.as_str()));
            }
        }
        if let Some(step) = self.step {
            c = c.add(Column::Step.eq(step));
        }
        match self.party_member {
            Some(true) => c = c.add(Column::PartyAdmissionDate.is_not_null()),
            Some(false) => c = c.add(Column::PartyAdmissionDate.is_null()),
            None => {}
        }
        if self.ethnic_minority {
            let minorities = Query::select()
                .column(catalogue_entry::Column::Code)
                .from(catalogue_entry::Entity)
                .and_where(catalogue_entry::Column::Catalogue.eq("ethnicity"))
                .and_where(catalogue_entry::Column::Attribute.eq("1"))
                .to_owned();
            c = c.add(Column::Ethnicity.in_subquery(minorities));
        }
        c = c
            .add(between(Column::BirthDate, &self.born)?)
            .add(between(Column::RecruitmentDate, &self.recruited)?);
        for (section, kind) in [
            ("award", &self.award_kind),
            ("discipline", &self.discipline_kind),
        ] {
            if let Some(kind) = kind {
                let entries = Query::select()
                    .expr(Expr::val(1))
                    .from(section_entry::Entity)
                    .and_where(
                        Expr::col((section_entry::Entity, section_entry::Column::EmployeeId))
                            .equals((employee::Entity, Column::Id)),
                    )
                    .and_where(section_entry::Column::Section.eq(section))
                    .and_where(section_entry::Column::Code.eq(kind.as_str()))
                    .and_where(section_entry::Column::Removed.eq(false))
                    .to_owned();
                c = c.add(Expr::exists(entries));
            }
        }
        Ok(c)
    }
}

pub async fn search(pool: &DatabaseConnection, s: &Search) -> Result<Vec<EmployeeRow>, DbErr> {
    let select = employee::Entity::find().filter(s.condition()?);
    Ok(rows(
        s.order
            .apply(select)
            .limit(u64::try_from(s.limit).unwrap_or(0))
            .offset(u64::try_from(s.offset).unwrap_or(0))
            .all(pool)
            .await?,
    ))
}

/// How many records a search finds.
pub async fn count(pool: &DatabaseConnection, s: &Search) -> Result<i64, DbErr> {
    let n = employee::Entity::find()
        .filter(s.condition()?)
        .count(pool)
        .await?;
    Ok(n as i64)
}

/// Moves the records of a merged unit to the unit it merged into.
pub async fn move_unit(
    tx: &mut Tx,
    from_unit_id: &str,
    to_unit_id: &str,
    to_path: &str,
) -> Result<u64, DbErr> {
    let done = employee::Entity::update_many()
        .set(employee::ActiveModel {
            unit_id: Set(to_unit_id.to_string()),
            unit_path: Set(to_path.to_string()),
            ..Default::default()
        })
        .filter(employee::Column::UnitId.eq(from_unit_id))
        .exec(&*tx)
        .await?;
    Ok(done.rows_affected)
}

/// A change with the name of the record it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedChange {
    pub employee_id: String,
    pub employee_name: String,
    pub change: Change,
}

/// What a change query asks for; `scopes` are the unit paths the caller may read.
#[derive(Debug, Clone, Default)]
pub struct ChangeQuery {
    pub scopes: Vec<String>,
    pub employee_id: Option<String>,
    pub under_path: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// A change joined with its record's name.
#[derive(Debug, FromQueryResult)]
struct ChangeView {
    employee_id: String,
    full_name: String,
    field: String,
    before_value: String,
    after_value: String,
    actor_id: String,
    actor_username: String,
    at: time::OffsetDateTime,
}

/// Changes of records inside the caller's scopes (by the record's current unit), newest first.
pub async fn query_changes(
    pool: &DatabaseConnection,
    q: &ChangeQuery,
) -> Result<Vec<NamedChange>, DbErr> {
    use employee_change::Column;
    let record = employee_change::Entity::belongs_to(employee::Entity)
        .from(Column::EmployeeId)
        .to(employee::Column::Id)
        .into();
    let mut select = employee_change::Entity::find()
        .select_only()
        .columns([
            Column::EmployeeId,
            Column::Field,
            Column::BeforeValue,
            Column::AfterValue,
            Column::ActorId,
            Column::ActorUsername,
            Column::At,
        ])
        .column(employee::Column::FullName)
        .join(JoinType::InnerJoin, record)
        .filter(db::under_any(employee::Column::UnitPath, &q.scopes));
    if let Some(p) = &q.under_path {
        select = select.filter(db::starts_with(employee::Column::UnitPath, p));
    }
    if let Some(id) = &q.employee_id {
        select = select.filter(Column::EmployeeId.eq(id.as_str()));
    }
    if let Some(t) = q.from_ms {
        select = select.filter(Column::At.gte(db::at(t)));
    }
    if let Some(t) = q.to_ms {
        select = select.filter(Column::At.lt(db::at(t)));
    }
    Ok(select
        .order_by_desc(Column::Id)
        .limit(u64::try_from(q.limit).unwrap_or(0))
        .offset(u64::try_from(q.offset).unwrap_or(0))
        .into_model::<ChangeView>()
        .all(pool)
        .await?
        .into_iter()
        .map(|c| NamedChange {
            employee_id: c.employee_id,
            employee_name: c.full_name,
            change: Change {
                field: c.field,
                before: c.before_value,
                after: c.after_value,
                actor_id: c.actor_id,
                actor_username: c.actor_username,
                at: db::millis(c.at),
            },
        })
        .collect())
}

fn working() -> Select<employee::Entity> {
    employee::Entity::find().filter(employee::Column::Status.eq("working"))
}

/// Gives the records written before names had a sort key their key (once, at start; a second
/// replica doing the same at the same time writes the same values).
pub async fn backfill_name_sort(db: &db::Db) -> Result<(), DbErr> {
    loop {
        let batch: Vec<(String, String)> = employee::Entity::find()
            .select_only()
            .columns([employee::Column::Id, employee::Column::FullName])
            .filter(employee::Column::NameSort.eq(""))
            .filter(employee::Column::FullName.ne(""))
            .limit(500)
            .into_tuple()
            .all(&db.pool)
            .await?;
        if batch.is_empty() {
            return Ok(());
        }
        let tx = db.begin().await?;
        for (id, name) in batch {
            employee::Entity::update_many()
                .col_expr(
                    employee::Column::NameSort,
                    sea_orm::sea_query::Expr::value(tinhso_platform::vn::name_sort_key(&name)),
                )
                .filter(employee::Column::Id.eq(id))
                .exec(&tx)
                .await?;
        }
        tx.commit().await?;
    }
}

/// The working records whose unit is exactly `unit_id`, by name.
pub async fn working_in_unit(
    conn: &impl ConnectionTrait,
    unit_id: &str,
) -> Result<Vec<EmployeeRow>, DbErr> {
    Ok(rows(
        working()
            .filter(employee::Column::UnitId.eq(unit_id))
            .order_by_asc(employee::Column::NameSort)
            .order_by_asc(employee::Column::Id)
            .all(conn)
            .await?,
    ))
}

/// The working records under the unit path `prefix` that have a grade and a step.
pub async fn graded_under(
    pool: &DatabaseConnection,
    prefix: &str,
) -> Result<Vec<EmployeeRow>, DbErr> {
    Ok(rows(
        working()
            .filter(db::starts_with(employee::Column::UnitPath, prefix))
            .filter(employee::Column::GradeCode.ne(""))
            .filter(employee::Column::Step.gt(0))
            .order_by_asc(employee::Column::NameSort)
            .order_by_asc(employee::Column::Id)
            .all(pool)
            .await?,
    ))
}

/// The working records under the unit path `prefix` born in [earliest, latest], oldest first.
pub async fn working_born_between(
    pool: &DatabaseConnection,
    prefix: &str,
    earliest: time::Date,
    latest: time::Date,
) -> Result<Vec<EmployeeRow>, DbErr> {
    Ok(rows(
        working()
            .filter(db::starts_with(employee::Column::UnitPath, prefix))
            .filter(employee::Column::BirthDate.between(earliest, latest))
            .order_by_asc(employee::Column::BirthDate)
            .order_by_asc(employee::Column::Id)
            .all(pool)
            .await?,
    ))
}

/// The working records under the unit path `prefix`, of one kind or all.
pub async fn working_under(
    pool: &DatabaseConnection,
    prefix: &str,
    kind: Option<&str>,
) -> Result<Vec<EmployeeRow>, DbErr> {
    let mut select = working().filter(db::starts_with(employee::Column::UnitPath, prefix));
    if let Some(kind) = kind {
        select = select.filter(employee::Column::Kind.eq(kind));
    }
    Ok(rows(select.all(pool).await?))
}

impl EmployeeRow {
    /// The record's text item called `name`.
    pub fn text_mut(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "department" => &mut self.department,
            "full_name" => &mut self.full_name,
            "other_names" => &mut self.other_names,
            "place_of_birth" => &mut self.place_of_birth,
            "home_town" => &mut self.home_town,
            "ethnicity" => &mut self.ethnicity,
            "religion" => &mut self.religion,
            "social_insurance_number" => &mut self.social_insurance_number,
            "permanent_address" => &mut self.permanent_address,
            "current_address" => &mut self.current_address,
            "occupation_when_recruited" => &mut self.occupation_when_recruited,
            "recruiting_agency" => &mut self.recruiting_agency,
            "position" => &mut self.position,
            "main_duties" => &mut self.main_duties,
            "general_education" => &mut self.general_education,
            "degree" => &mut self.degree,
            "degree_major" => &mut self.degree_major,
            "political_theory" => &mut self.political_theory,
            "state_management" => &mut self.state_management,
            "foreign_language" => &mut self.foreign_language,
            "it_level" => &mut self.it_level,
            "organisations" => &mut self.organisations,
            "military_rank" => &mut self.military_rank,
            "titles" => &mut self.titles,
            "strengths" => &mut self.strengths,
            "health" => &mut self.health,
            "blood_type" => &mut self.blood_type,
            "war_invalid_rank" => &mut self.war_invalid_rank,
            "policy_family" => &mut self.policy_family,
            "job_position" => &mut self.job_position,
            "contract_type" => &mut self.contract_type,
            "family_economic_situation" => &mut self.family_economic_situation,
            "personal_history" => &mut self.personal_history,
            "agency_assessment" => &mut self.agency_assessment,
            "professional_title_rank" => &mut self.professional_title_rank,
            "foreign_language_name" => &mut self.foreign_language_name,
            "ethnic_language" => &mut self.ethnic_language,
            _ => return None,
        })
    }

    /// The record's date item called `name` (`YYYY-MM-DD`).
    pub fn date_mut(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "birth_date" => &mut self.birth_date,
            "id_issue_date" => &mut self.id_issue_date,
            "recruitment_date" => &mut self.recruitment_date,
            "grade_date" => &mut self.grade_date,
            "step_date" => &mut self.step_date,
            "recruitment_decision_date" => &mut self.recruitment_decision_date,
            "party_admission_date" => &mut self.party_admission_date,
            "party_official_date" => &mut self.party_official_date,
            "union_admission_date" => &mut self.union_admission_date,
            "military_enlistment_date" => &mut self.military_enlistment_date,
            "military_discharge_date" => &mut self.military_discharge_date,
            _ => return None,
        })
    }

    /// Puts back the value an item had before a change (the change record's "before" text), for
    /// every text and date item and the unit, kind, status, sex and grade; `false` for any other.
    pub fn restore(&mut self, field: &str, before: &str) -> bool {
        let text = before.to_string();
        if let Some(target) = self.text_mut(field) {
            *target = text;
            return true;
        }
        if let Some(target) = self.date_mut(field) {
            *target = (!before.is_empty()).then_some(text);
            return true;
        }
        match field {
            "unit_id" => self.unit_id = text.into(),
            "kind" => self.kind = text,
            "status" => self.status = text,
            "sex" => self.sex = text,
            "grade_code" => self.grade_code = text,
            _ => return false,
        }
        true
    }
}

/// The records as they stood at `cutoff_ms`: created by then, under the unit path `prefix` now or
/// moved out of a unit after it, each with the changes entered after it undone (the first change
/// of an item after the cutoff holds its value then). The caller keeps those working then, in the
/// units it reports on.
pub async fn as_of(
    pool: &DatabaseConnection,
    prefix: &str,
    cutoff_ms: i64,
) -> Result<Vec<EmployeeRow>, DbErr> {
    let cutoff = db::at(cutoff_ms);
    let moved_since = Query::select()
        .column(employee_change::Column::EmployeeId)
        .from(employee_change::Entity)
        .and_where(Expr::col(employee_change::Column::Field).eq("unit_id"))
        .and_where(Expr::col(employee_change::Column::At).gt(cutoff))
        .to_owned();
    let mut records = rows(
        employee::Entity::find()
            .filter(employee::Column::CreatedAt.lte(cutoff))
            .filter(
                Condition::any()
                    .add(db::starts_with(employee::Column::UnitPath, prefix))
                    .add(employee::Column::Id.in_subquery(moved_since)),
            )
            .all(pool)
            .await?,
    );
    let ids: Vec<String> = records.iter().map(|r| r.id.to_string()).collect();
    let mut later: std::collections::HashMap<String, Vec<(String, String)>> =
        std::collections::HashMap::new();
    for chunk in ids.chunks(1000) {
        let changes = employee_change::Entity::find()
            .filter(employee_change::Column::At.gt(cutoff))
            .filter(employee_change::Column::EmployeeId.is_in(chunk.iter().cloned()))
            .order_by_asc(employee_change::Column::Id)
            .all(pool)
            .await?;
        for c in changes {
            later
                .entry(c.employee_id)
                .or_default()
                .push((c.field, c.before_value));
        }
    }
    for record in &mut records {
        let Some(changes) = later.get(&record.id.to_string()) else {
            continue;
        };
        let mut restored = std::collections::HashSet::new();
        for (field, before) in changes {
            if restored.insert(field.as_str()) {
                record.restore(field, before);
            }
        }
    }
    Ok(records)
}
