//! Employee records and their change record.

use super::col;
use tinhso_platform::db::Tx;

/// One employee record as stored. Dates are `YYYY-MM-DD` text.
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
    pub recruitment_date: Option<String>,
    pub position: String,
    pub grade_code: String,
    pub step: i64,
    pub coefficient: i64,
    pub party_admission_date: Option<String>,
    pub phone: String,
    pub email: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl EmployeeRow {
    /// The record's fields as (name, text), for the field-by-field change record.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let date = |d: &Option<String>| d.clone().unwrap_or_default();
        vec![
            ("unit_id", self.unit_id.clone()),
            ("department", self.department.clone()),
            ("kind", self.kind.clone()),
            ("status", self.status.clone()),
            ("form_version", self.form_version.clone()),
            ("full_name", self.full_name.clone()),
            ("other_names", self.other_names.clone()),
            ("birth_date", date(&self.birth_date)),
            ("sex", self.sex.clone()),
            ("place_of_birth", self.place_of_birth.clone()),
            ("home_town", self.home_town.clone()),
            ("ethnicity", self.ethnicity.clone()),
            ("religion", self.religion.clone()),
            ("id_number", self.id_number.clone()),
            ("id_issue_date", date(&self.id_issue_date)),
            (
                "social_insurance_number",
                self.social_insurance_number.clone(),
            ),
            ("permanent_address", self.permanent_address.clone()),
            ("current_address", self.current_address.clone()),
            ("recruitment_date", date(&self.recruitment_date)),
            ("position", self.position.clone()),
            ("grade_code", self.grade_code.clone()),
            ("step", self.step.to_string()),
            ("coefficient", self.coefficient.to_string()),
            ("party_admission_date", date(&self.party_admission_date)),
            ("phone", self.phone.clone()),
            ("email", self.email.clone()),
        ]
    }
}

const COLUMNS: &str = "id, unit_id, unit_path, department, kind, status, form_version, full_name, \
    other_names, birth_date, sex, place_of_birth, home_town, ethnicity, religion, id_number, \
    id_issue_date, social_insurance_number, permanent_address, current_address, recruitment_date, \
    position, grade_code, step, coefficient, party_admission_date, phone, email, version, \
    created_at, updated_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<EmployeeRow, sqlx::Error> {
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
        recruitment_date: col!(r, "recruitment_date"),
        position: col!(r, "position"),
        grade_code: col!(r, "grade_code"),
        step: col!(r, "step"),
        coefficient: col!(r, "coefficient"),
        party_admission_date: col!(r, "party_admission_date"),
        phone: col!(r, "phone"),
        email: col!(r, "email"),
        version: col!(r, "version"),
        created_at: col!(r, "created_at"),
        updated_at: col!(r, "updated_at"),
    })
}

pub async fn get<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    exec: E,
    id: &str,
) -> Result<Option<EmployeeRow>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM employees WHERE id = $1"));
    sqlx::query(sql)
        .bind(id)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn by_request_id(
    tx: &mut Tx<'_>,
    request_id: &str,
) -> Result<Option<EmployeeRow>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM employees WHERE request_id = $1"
    ));
    sqlx::query(sql)
        .bind(request_id)
        .fetch_optional(&mut **tx)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Binds every field after the id, in COLUMNS order, to `query`.
macro_rules! bind_fields {
    ($query:expr, $e:expr) => {
        $query
            .bind(&$e.unit_id)
            .bind(&$e.unit_path)
            .bind(&$e.department)
            .bind(&$e.kind)
            .bind(&$e.status)
            .bind(&$e.form_version)
            .bind(&$e.full_name)
            .bind(tinhso_platform::vn::fold(&$e.full_name))
            .bind(&$e.other_names)
            .bind(&$e.birth_date)
            .bind(&$e.sex)
            .bind(&$e.place_of_birth)
            .bind(&$e.home_town)
            .bind(&$e.ethnicity)
            .bind(&$e.religion)
            .bind(&$e.id_number)
            .bind(&$e.id_issue_date)
            .bind(&$e.social_insurance_number)
            .bind(&$e.permanent_address)
            .bind(&$e.current_address)
            .bind(&$e.recruitment_date)
            .bind(&$e.position)
            .bind(&$e.grade_code)
            .bind($e.step)
            .bind($e.coefficient)
            .bind(&$e.party_admission_date)
            .bind(&$e.phone)
            .bind(&$e.email)
            .bind($e.version)
            .bind($e.updated_at)
    };
}

pub async fn insert(
    tx: &mut Tx<'_>,
    e: &EmployeeRow,
    request_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    let query = sqlx::query(
        "INSERT INTO employees (unit_id, unit_path, department, kind, status, form_version, \
         full_name, name_folded, other_names, birth_date, sex, place_of_birth, home_town, \
         ethnicity, religion, id_number, id_issue_date, social_insurance_number, \
         permanent_address, current_address, recruitment_date, position, grade_code, step, \
         coefficient, party_admission_date, phone, email, version, updated_at, id, created_at, \
         request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
         $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33)",
    );
    bind_fields!(query, e)
        .bind(&e.id)
        .bind(e.created_at)
        .bind(request_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Writes `e` if the stored version is still `expected_version`; false when it changed.
pub async fn update(
    tx: &mut Tx<'_>,
    e: &EmployeeRow,
    expected_version: i64,
) -> Result<bool, sqlx::Error> {
    let query = sqlx::query(
        "UPDATE employees SET unit_id = $1, unit_path = $2, department = $3, kind = $4, \
         status = $5, form_version = $6, full_name = $7, name_folded = $8, other_names = $9, \
         birth_date = $10, sex = $11, place_of_birth = $12, home_town = $13, ethnicity = $14, \
         religion = $15, id_number = $16, id_issue_date = $17, social_insurance_number = $18, \
         permanent_address = $19, current_address = $20, recruitment_date = $21, position = $22, \
         grade_code = $23, step = $24, coefficient = $25, party_admission_date = $26, \
         phone = $27, email = $28, version = $29, updated_at = $30 \
         WHERE id = $31 AND version = $32",
    );
    let done = bind_fields!(query, e)
        .bind(&e.id)
        .bind(expected_version)
        .execute(&mut **tx)
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

/// Records every field that differs between `before` (None for a new record) and `after`.
pub async fn record_changes(
    tx: &mut Tx<'_>,
    before: Option<&EmployeeRow>,
    after: &EmployeeRow,
    actor_id: &str,
    actor_username: &str,
    at: i64,
) -> Result<usize, sqlx::Error> {
    let old = before.map(EmployeeRow::fields);
    let mut written = 0;
    for (i, (field, value)) in after.fields().into_iter().enumerate() {
        let previous = old.as_ref().map(|o| o[i].1.clone()).unwrap_or_default();
        if before.is_some() && previous == value {
            continue;
        }
        if before.is_none() && value.is_empty() {
            continue;
        }
        sqlx::query(
            "INSERT INTO employee_changes (employee_id, at, actor_id, actor_username, field, \
             before_value, after_value) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&after.id)
        .bind(at)
        .bind(actor_id)
        .bind(actor_username)
        .bind(field)
        .bind(previous)
        .bind(value)
        .execute(&mut **tx)
        .await?;
        written += 1;
    }
    Ok(written)
}

/// The change record of one employee, oldest first.
pub async fn changes(pool: &sqlx::AnyPool, employee_id: &str) -> Result<Vec<Change>, sqlx::Error> {
    let rows = sqlx::query(
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

/// What a search asks for; `scopes` are the unit paths the caller may read.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub scopes: Vec<String>,
    pub under_path: Option<String>,
    pub name_folded: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

pub async fn search(pool: &sqlx::AnyPool, s: &Search) -> Result<Vec<EmployeeRow>, sqlx::Error> {
    if s.scopes.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = format!("SELECT {COLUMNS} FROM employees WHERE (");
    let mut binds: Vec<String> = Vec::new();
    for (i, scope) in s.scopes.iter().enumerate() {
        if i > 0 {
            sql.push_str(" OR ");
        }
        binds.push(format!("{scope}%"));
        sql.push_str(&format!("unit_path LIKE ${}", binds.len()));
    }
    sql.push(')');
    if let Some(p) = &s.under_path {
        binds.push(format!("{p}%"));
        sql.push_str(&format!(" AND unit_path LIKE ${}", binds.len()));
    }
    if let Some(name) = &s.name_folded {
        let escaped = name
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        binds.push(format!("%{escaped}%"));
        sql.push_str(&format!(
            " AND name_folded LIKE ${} ESCAPE '\\'",
            binds.len()
        ));
    }
    if let Some(k) = &s.kind {
        binds.push(k.clone());
        sql.push_str(&format!(" AND kind = ${}", binds.len()));
    }
    if let Some(st) = &s.status {
        binds.push(st.clone());
        sql.push_str(&format!(" AND status = ${}", binds.len()));
    }
    sql.push_str(&format!(
        " ORDER BY name_folded, id LIMIT {} OFFSET {}",
        s.limit, s.offset
    ));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b);
    }
    q.fetch_all(pool).await?.iter().map(from_row).collect()
}

/// Moves the records of a merged unit to the unit it merged into.
pub async fn move_unit(
    tx: &mut Tx<'_>,
    from_unit_id: &str,
    to_unit_id: &str,
    to_path: &str,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE employees SET unit_id = $1, unit_path = $2 WHERE unit_id = $3")
        .bind(to_unit_id)
        .bind(to_path)
        .bind(from_unit_id)
        .execute(&mut **tx)
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
    pool: &sqlx::AnyPool,
    q: &ChangeQuery,
) -> Result<Vec<NamedChange>, sqlx::Error> {
    if q.scopes.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = String::from(
        "SELECT c.employee_id, e.full_name, c.field, c.before_value, c.after_value, c.actor_id, \
         c.actor_username, c.at FROM employee_changes c JOIN employees e ON e.id = c.employee_id \
         WHERE (",
    );
    let mut texts: Vec<String> = Vec::new();
    for (i, scope) in q.scopes.iter().enumerate() {
        if i > 0 {
            sql.push_str(" OR ");
        }
        texts.push(format!("{scope}%"));
        sql.push_str(&format!("e.unit_path LIKE ${}", texts.len()));
    }
    sql.push(')');
    if let Some(p) = &q.under_path {
        texts.push(format!("{p}%"));
        sql.push_str(&format!(" AND e.unit_path LIKE ${}", texts.len()));
    }
    if let Some(id) = &q.employee_id {
        texts.push(id.clone());
        sql.push_str(&format!(" AND c.employee_id = ${}", texts.len()));
    }
    let n = texts.len();
    let mut ints: Vec<i64> = Vec::new();
    if let Some(t) = q.from_ms {
        ints.push(t);
        sql.push_str(&format!(" AND c.at >= ${}", n + ints.len()));
    }
    if let Some(t) = q.to_ms {
        ints.push(t);
        sql.push_str(&format!(" AND c.at < ${}", n + ints.len()));
    }
    sql.push_str(&format!(
        " ORDER BY c.id DESC LIMIT {} OFFSET {}",
        q.limit, q.offset
    ));
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for t in texts {
        query = query.bind(t);
    }
    for i in ints {
        query = query.bind(i);
    }
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
