//! Employee records and their change record.

use super::col;
use tinhso_platform::db::{Arg, Filter, Tx};

/// One employee record as stored. Dates are `YYYY-MM-DD` text; codes are catalogue codes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmployeeRow {
    pub id: String,
    pub unit_id: String,
    pub unit_path: String,
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
    pub general_education: String,
    pub degree: String,
    pub degree_major: String,
    pub political_theory: String,
    pub state_management: String,
    pub foreign_language: String,
    pub it_level: String,
    pub party_admission_date: Option<String>,
    pub party_official_date: Option<String>,
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
            ("general_education", Text(&self.general_education)),
            ("degree", Text(&self.degree)),
            ("degree_major", Text(&self.degree_major)),
            ("political_theory", Text(&self.political_theory)),
            ("state_management", Text(&self.state_management)),
            ("foreign_language", Text(&self.foreign_language)),
            ("it_level", Text(&self.it_level)),
            ("party_admission_date", Date(&self.party_admission_date)),
            ("party_official_date", Date(&self.party_official_date)),
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
            ("phone", Text(&self.phone)),
            ("email", Text(&self.email)),
        ]
    }

    /// The fields the change record follows: every value but the derived unit path.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        self.values()
            .into_iter()
            .filter(|(name, _)| *name != "unit_path")
            .map(|(name, v)| (name, v.text()))
            .collect()
    }
}

/// Every stored column, in the order `from_row` reads them.
fn columns() -> String {
    let mut names: Vec<&str> = vec!["id"];
    names.extend(EmployeeRow::default().values().iter().map(|(n, _)| *n));
    names.extend(["version", "created_at", "updated_at"]);
    names.join(", ")
}

fn from_row(r: &tinhso_platform::db::Row) -> Result<EmployeeRow, tinhso_platform::db::DbErr> {
    Ok(EmployeeRow {
        id: col!(r, "id"),
        unit_id: col!(r, "unit_id"),
        unit_path: col!(r, "unit_path"),
        department: col!(r, "department"),
        kind: col!(r, "kind"),
        status: col!(r, "status"),
        form_version: col!(r, "form_version"),
        full_name: col!(r, "full_name"),
        other_names: col!(r, "other_names"),
        birth_date: col!(r, "birth_date"),
        sex: col!(r, "sex"),
        place_of_birth: col!(r, "place_of_birth"),
        home_town: col!(r, "home_town"),
        ethnicity: col!(r, "ethnicity"),
        religion: col!(r, "religion"),
        id_number: col!(r, "id_number"),
        id_issue_date: col!(r, "id_issue_date"),
        social_insurance_number: col!(r, "social_insurance_number"),
        permanent_address: col!(r, "permanent_address"),
        current_address: col!(r, "current_address"),
        occupation_when_recruited: col!(r, "occupation_when_recruited"),
        recruitment_date: col!(r, "recruitment_date"),
        recruiting_agency: col!(r, "recruiting_agency"),
        position: col!(r, "position"),
        main_duties: col!(r, "main_duties"),
        grade_code: col!(r, "grade_code"),
        grade_date: col!(r, "grade_date"),
        step: col!(r, "step"),
        coefficient: col!(r, "coefficient"),
        step_date: col!(r, "step_date"),
        general_education: col!(r, "general_education"),
        degree: col!(r, "degree"),
        degree_major: col!(r, "degree_major"),
        political_theory: col!(r, "political_theory"),
        state_management: col!(r, "state_management"),
        foreign_language: col!(r, "foreign_language"),
        it_level: col!(r, "it_level"),
        party_admission_date: col!(r, "party_admission_date"),
        party_official_date: col!(r, "party_official_date"),
        organisations: col!(r, "organisations"),
        military_enlistment_date: col!(r, "military_enlistment_date"),
        military_discharge_date: col!(r, "military_discharge_date"),
        military_rank: col!(r, "military_rank"),
        titles: col!(r, "titles"),
        strengths: col!(r, "strengths"),
        health: col!(r, "health"),
        height_cm: col!(r, "height_cm"),
        weight_kg: col!(r, "weight_kg"),
        blood_type: col!(r, "blood_type"),
        war_invalid_rank: col!(r, "war_invalid_rank"),
        policy_family: col!(r, "policy_family"),
        phone: col!(r, "phone"),
        email: col!(r, "email"),
        version: col!(r, "version"),
        created_at: col!(r, "created_at"),
        updated_at: col!(r, "updated_at"),
    })
}

pub async fn get<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    id: &str,
) -> Result<Option<EmployeeRow>, tinhso_platform::db::DbErr> {
    let sql = format!("SELECT {} FROM employees WHERE id = $1", columns());
    tinhso_platform::db::query(sql)
        .bind(id)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn by_request_id(
    tx: &mut Tx,
    request_id: &str,
) -> Result<Option<EmployeeRow>, tinhso_platform::db::DbErr> {
    let sql = format!("SELECT {} FROM employees WHERE request_id = $1", columns());
    tinhso_platform::db::query(sql)
        .bind(request_id)
        .fetch_optional(&*tx)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// The working record with this ID number, if any (imports match on it).
pub async fn by_id_number<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    id_number: &str,
) -> Result<Option<EmployeeRow>, tinhso_platform::db::DbErr> {
    let sql = format!(
        "SELECT {} FROM employees WHERE id_number = $1 ORDER BY created_at DESC",
        columns()
    );
    tinhso_platform::db::query(sql)
        .bind(id_number)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Binds the record's values, then the folded name, to `query`.
fn bind_values(mut query: tinhso_platform::db::Sql, e: &EmployeeRow) -> tinhso_platform::db::Sql {
    for (_, value) in e.values() {
        query = match value {
            Value::Text(t) => query.bind(t),
            Value::Date(d) => query.bind(d.clone()),
            Value::Int(i) => query.bind(i),
        };
    }
    query.bind(tinhso_platform::vn::fold(&e.full_name))
}

pub async fn insert(
    tx: &mut Tx,
    e: &EmployeeRow,
    request_id: Option<&str>,
) -> Result<(), tinhso_platform::db::DbErr> {
    let names: Vec<&str> = e.values().iter().map(|(n, _)| *n).collect();
    let n = names.len();
    let placeholders: Vec<String> = (1..=n + 6).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO employees ({}, name_folded, id, version, created_at, updated_at, request_id)          VALUES ({})",
        names.join(", "),
        placeholders.join(", ")
    );
    bind_values(tinhso_platform::db::query(sql), e)
        .bind(&e.id)
        .bind(e.version)
        .bind(e.created_at)
        .bind(e.updated_at)
        .bind(request_id)
        .execute(&*tx)
        .await?;
    Ok(())
}

/// Writes `e` if the stored version is still `expected_version`; false when it changed.
pub async fn update(
    tx: &mut Tx,
    e: &EmployeeRow,
    expected_version: i64,
) -> Result<bool, tinhso_platform::db::DbErr> {
    let names: Vec<&str> = e.values().iter().map(|(n, _)| *n).collect();
    let n = names.len();
    let sets: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, name)| format!("{name} = ${}", i + 1))
        .collect();
    let sql = format!(
        "UPDATE employees SET {}, name_folded = ${}, version = ${}, updated_at = ${}          WHERE id = ${} AND version = ${}",
        sets.join(", "),
        n + 1,
        n + 2,
        n + 3,
        n + 4,
        n + 5
    );
    let done = bind_values(tinhso_platform::db::query(sql), e)
        .bind(e.version)
        .bind(e.updated_at)
        .bind(&e.id)
        .bind(expected_version)
        .execute(&*tx)
        .await?;
    Ok(done.rows_affected() == 1)
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
) -> Result<usize, tinhso_platform::db::DbErr> {
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
    let rows: Vec<String> = (0..changed.len())
        .map(|i| {
            let n = i * 7;
            format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${})",
                n + 1,
                n + 2,
                n + 3,
                n + 4,
                n + 5,
                n + 6,
                n + 7
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO employee_changes (employee_id, at, actor_id, actor_username, field, \
         before_value, after_value) VALUES {}",
        rows.join(", ")
    );
    let mut query = tinhso_platform::db::query(sql);
    for (field, previous, value) in &changed {
        query = query
            .bind(&after.id)
            .bind(at)
            .bind(actor_id)
            .bind(actor_username)
            .bind(*field)
            .bind(previous)
            .bind(value);
    }
    query.execute(&*tx).await?;
    Ok(changed.len())
}

/// The change record of one employee, oldest first.
pub async fn changes(
    pool: &tinhso_platform::db::DatabaseConnection,
    employee_id: &str,
) -> Result<Vec<Change>, tinhso_platform::db::DbErr> {
    let rows = tinhso_platform::db::query(
        "SELECT field, before_value, after_value, actor_id, actor_username, at \
         FROM employee_changes WHERE employee_id = $1 ORDER BY id",
    )
    .bind(employee_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Change {
                field: col!(r, "field"),
                before: col!(r, "before_value"),
                after: col!(r, "after_value"),
                actor_id: col!(r, "actor_id"),
                actor_username: col!(r, "actor_username"),
                at: col!(r, "at"),
            })
        })
        .collect()
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
    fn sql(self) -> &'static str {
        match self {
            Self::Name => "name_folded, id",
            Self::BirthDate => "birth_date, name_folded, id",
            Self::RecruitmentDate => "recruitment_date, name_folded, id",
            Self::Coefficient => "coefficient DESC, name_folded, id",
            Self::Unit => "unit_path, name_folded, id",
        }
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

impl Search {
    fn filter(&self) -> Filter {
        let mut f = Filter::new();
        f.under_any("unit_path", &self.scopes);
        if let Some(p) = &self.under_path {
            f.under_any("unit_path", std::slice::from_ref(p));
        }
        f.contains("name_folded", self.name_folded.as_deref());
        for (column, value) in &self.equals {
            if EQUAL_COLUMNS.contains(column) {
                f.eq_text(column, Some(value));
            }
        }
        f.eq_int("step", self.step);
        match self.party_member {
            Some(true) => f.push("party_admission_date IS NOT NULL".into()),
            Some(false) => f.push("party_admission_date IS NULL".into()),
            None => {}
        }
        if self.ethnic_minority {
            f.push(
                "ethnicity IN (SELECT code FROM catalogue_entries \
                 WHERE catalogue = 'ethnicity' AND attribute = '1')"
                    .into(),
            );
        }
        f.text_range("birth_date", self.born.0.as_deref(), self.born.1.as_deref());
        f.text_range(
            "recruitment_date",
            self.recruited.0.as_deref(),
            self.recruited.1.as_deref(),
        );
        for (section, kind) in [
            ("award", &self.award_kind),
            ("discipline", &self.discipline_kind),
        ] {
            if let Some(k) = kind {
                let section = f.arg(Arg::Text(section.into()));
                let code = f.arg(Arg::Text(k.clone()));
                f.push(format!(
                    "EXISTS (SELECT 1 FROM section_entries s WHERE s.employee_id = employees.id \
                     AND s.section = {section} AND s.code = {code} AND s.removed = 0)"
                ));
            }
        }
        f
    }
}

pub async fn search(
    pool: &tinhso_platform::db::DatabaseConnection,
    s: &Search,
) -> Result<Vec<EmployeeRow>, tinhso_platform::db::DbErr> {
    let f = s.filter();
    let sql = format!(
        "SELECT {} FROM employees{} ORDER BY {} LIMIT {} OFFSET {}",
        columns(),
        f.where_sql(),
        s.order.sql(),
        s.limit,
        s.offset
    );
    f.query(sql)
        .fetch_all(pool)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// How many records a search finds.
pub async fn count(
    pool: &tinhso_platform::db::DatabaseConnection,
    s: &Search,
) -> Result<i64, tinhso_platform::db::DbErr> {
    let f = s.filter();
    let sql = format!("SELECT COUNT(*) AS n FROM employees{}", f.where_sql());
    let row = f.query(sql).fetch_one(pool).await?;
    row.try_get("", "n")
}

/// Moves the records of a merged unit to the unit it merged into.
pub async fn move_unit(
    tx: &mut Tx,
    from_unit_id: &str,
    to_unit_id: &str,
    to_path: &str,
) -> Result<u64, tinhso_platform::db::DbErr> {
    let done = tinhso_platform::db::query(
        "UPDATE employees SET unit_id = $1, unit_path = $2 WHERE unit_id = $3",
    )
    .bind(to_unit_id)
    .bind(to_path)
    .bind(from_unit_id)
    .execute(&*tx)
    .await?;
    Ok(done.rows_affected())
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

/// Changes of records inside the caller's scopes (by the record's current unit), newest first.
pub async fn query_changes(
    pool: &tinhso_platform::db::DatabaseConnection,
    q: &ChangeQuery,
) -> Result<Vec<NamedChange>, tinhso_platform::db::DbErr> {
    let mut f = Filter::new();
    f.under_any("e.unit_path", &q.scopes);
    if let Some(p) = &q.under_path {
        f.under_any("e.unit_path", std::slice::from_ref(p));
    }
    f.eq_text("c.employee_id", q.employee_id.as_deref());
    if let Some(t) = q.from_ms {
        let p = f.arg(Arg::Int(t));
        f.push(format!("c.at >= {p}"));
    }
    if let Some(t) = q.to_ms {
        let p = f.arg(Arg::Int(t));
        f.push(format!("c.at < {p}"));
    }
    let sql = format!(
        "SELECT c.employee_id, e.full_name, c.field, c.before_value, c.after_value, c.actor_id, \
         c.actor_username, c.at FROM employee_changes c JOIN employees e ON e.id = c.employee_id\
         {} ORDER BY c.id DESC LIMIT {} OFFSET {}",
        f.where_sql(),
        q.limit,
        q.offset
    );
    let query = f.query(sql);
    query
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(NamedChange {
                employee_id: col!(r, "employee_id"),
                employee_name: col!(r, "full_name"),
                change: Change {
                    field: col!(r, "field"),
                    before: col!(r, "before_value"),
                    after: col!(r, "after_value"),
                    actor_id: col!(r, "actor_id"),
                    actor_username: col!(r, "actor_username"),
                    at: col!(r, "at"),
                },
            })
        })
        .collect()
}

/// The working records whose unit is exactly `unit_id`, by name.
pub async fn working_in_unit(
    pool: &tinhso_platform::db::DatabaseConnection,
    unit_id: &str,
) -> Result<Vec<EmployeeRow>, tinhso_platform::db::DbErr> {
    let sql = format!(
        "SELECT {} FROM employees WHERE unit_id = $1 AND status = 'working' \
         ORDER BY name_folded, id",
        columns()
    );
    tinhso_platform::db::query(sql)
        .bind(unit_id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// The working records under the unit path `prefix` that have a grade and a step.
pub async fn graded_under(
    pool: &tinhso_platform::db::DatabaseConnection,
    prefix: &str,
) -> Result<Vec<EmployeeRow>, tinhso_platform::db::DbErr> {
    let sql = format!(
        "SELECT {} FROM employees WHERE unit_path LIKE $1 AND status = 'working' \
         AND grade_code <> '' AND step > 0 ORDER BY name_folded, id",
        columns()
    );
    tinhso_platform::db::query(sql)
        .bind(format!("{prefix}%"))
        .fetch_all(pool)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// The working records under the unit path `prefix`, of one kind or all.
pub async fn working_under(
    pool: &tinhso_platform::db::DatabaseConnection,
    prefix: &str,
    kind: Option<&str>,
) -> Result<Vec<EmployeeRow>, tinhso_platform::db::DbErr> {
    let mut f = Filter::new();
    f.under_any("unit_path", &[prefix.to_string()]);
    f.eq_text("status", Some("working"));
    f.eq_text("kind", kind);
    let sql = format!("SELECT {} FROM employees{}", columns(), f.where_sql());
    f.query(sql)
        .fetch_all(pool)
        .await?
        .iter()
        .map(from_row)
        .collect()
}
