//! Announced courses and the registrations of employees for them.

use super::col;
use tinhso_platform::db::Tx;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CourseRow {
    pub id: String,
    pub organiser_unit_id: String,
    pub title: String,
    pub provider: String,
    pub kind: String,
    pub content: String,
    pub start_date: String,
    pub end_date: String,
    pub registration_deadline: String,
    pub seats: i64,
    pub hours: i64,
    pub qualification_field: String,
    pub qualification_code: String,
    pub announced_at: i64,
    pub announced_by: String,
}

const COURSE_COLUMNS: &str = "id, organiser_unit_id, title, provider, kind, content, start_date, \
    end_date, registration_deadline, seats, hours, qualification_field, qualification_code, \
    announced_at, announced_by";

fn course_from(r: &sqlx::any::AnyRow) -> Result<CourseRow, sqlx::Error> {
    Ok(CourseRow {
        id: col!(r, "id"),
        organiser_unit_id: col!(r, "organiser_unit_id"),
        title: col!(r, "title"),
        provider: col!(r, "provider"),
        kind: col!(r, "kind"),
        content: col!(r, "content"),
        start_date: col!(r, "start_date"),
        end_date: col!(r, "end_date"),
        registration_deadline: col!(r, "registration_deadline"),
        seats: col!(r, "seats"),
        hours: col!(r, "hours"),
        qualification_field: col!(r, "qualification_field"),
        qualification_code: col!(r, "qualification_code"),
        announced_at: col!(r, "announced_at"),
        announced_by: col!(r, "announced_by"),
    })
}

pub async fn course<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    exec: E,
    id: &str,
) -> Result<Option<CourseRow>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COURSE_COLUMNS} FROM courses WHERE id = $1"
    ));
    sqlx::query(sql)
        .bind(id)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(course_from)
        .transpose()
}

pub async fn course_by_request_id(
    tx: &mut Tx<'_>,
    request_id: &str,
) -> Result<Option<CourseRow>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COURSE_COLUMNS} FROM courses WHERE request_id = $1"
    ));
    sqlx::query(sql)
        .bind(request_id)
        .fetch_optional(&mut **tx)
        .await?
        .as_ref()
        .map(course_from)
        .transpose()
}

pub async fn insert_course(
    tx: &mut Tx<'_>,
    c: &CourseRow,
    request_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO courses ({COURSE_COLUMNS}, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    ));
    sqlx::query(sql)
        .bind(&c.id)
        .bind(&c.organiser_unit_id)
        .bind(&c.title)
        .bind(&c.provider)
        .bind(&c.kind)
        .bind(&c.content)
        .bind(&c.start_date)
        .bind(&c.end_date)
        .bind(&c.registration_deadline)
        .bind(c.seats)
        .bind(c.hours)
        .bind(&c.qualification_field)
        .bind(&c.qualification_code)
        .bind(c.announced_at)
        .bind(&c.announced_by)
        .bind(request_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Courses newest first; with `open_on`, only those whose registration is still open that day.
pub async fn courses(
    pool: &sqlx::AnyPool,
    open_on: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<CourseRow>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COURSE_COLUMNS} FROM courses WHERE ($1 = '' OR registration_deadline >= $1) \
         ORDER BY announced_at DESC, id LIMIT {limit} OFFSET {offset}"
    ));
    sqlx::query(sql)
        .bind(open_on.unwrap_or_default())
        .fetch_all(pool)
        .await?
        .iter()
        .map(course_from)
        .collect()
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistrationRow {
    pub id: String,
    pub course_id: String,
    pub employee_id: String,
    pub employee_name: String,
    pub unit_id: String,
    pub status: String,
    pub registered_by: String,
    pub registered_at: i64,
    pub changed_by: String,
    pub changed_at: i64,
    pub hours: i64,
    pub certificate: String,
}

const REGISTRATION_COLUMNS: &str = "id, course_id, employee_id, employee_name, unit_id, status, \
    registered_by, registered_at, changed_by, changed_at, hours, certificate";

fn registration_from(r: &sqlx::any::AnyRow) -> Result<RegistrationRow, sqlx::Error> {
    Ok(RegistrationRow {
        id: col!(r, "id"),
        course_id: col!(r, "course_id"),
        employee_id: col!(r, "employee_id"),
        employee_name: col!(r, "employee_name"),
        unit_id: col!(r, "unit_id"),
        status: col!(r, "status"),
        registered_by: col!(r, "registered_by"),
        registered_at: col!(r, "registered_at"),
        changed_by: col!(r, "changed_by"),
        changed_at: col!(r, "changed_at"),
        hours: col!(r, "hours"),
        certificate: col!(r, "certificate"),
    })
}

pub async fn registration<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    exec: E,
    id: &str,
) -> Result<Option<RegistrationRow>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {REGISTRATION_COLUMNS} FROM registrations WHERE id = $1"
    ));
    sqlx::query(sql)
        .bind(id)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(registration_from)
        .transpose()
}

/// The registrations of a course, by name.
pub async fn registrations<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    exec: E,
    course_id: &str,
) -> Result<Vec<RegistrationRow>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {REGISTRATION_COLUMNS} FROM registrations WHERE course_id = $1 \
         ORDER BY employee_name, id"
    ));
    sqlx::query(sql)
        .bind(course_id)
        .fetch_all(exec)
        .await?
        .iter()
        .map(registration_from)
        .collect()
}

pub async fn insert_registration(tx: &mut Tx<'_>, r: &RegistrationRow) -> Result<(), sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO registrations ({REGISTRATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         $8, $9, $10, $11, $12)"
    ));
    sqlx::query(sql)
        .bind(&r.id)
        .bind(&r.course_id)
        .bind(&r.employee_id)
        .bind(&r.employee_name)
        .bind(&r.unit_id)
        .bind(&r.status)
        .bind(&r.registered_by)
        .bind(r.registered_at)
        .bind(&r.changed_by)
        .bind(r.changed_at)
        .bind(r.hours)
        .bind(&r.certificate)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves a registration from `from_status` on; false when it is no longer in that status.
pub async fn change_registration(
    tx: &mut Tx<'_>,
    r: &RegistrationRow,
    from_status: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE registrations SET status = $1, changed_by = $2, changed_at = $3, hours = $4, \
         certificate = $5 WHERE id = $6 AND status = $7",
    )
    .bind(&r.status)
    .bind(&r.changed_by)
    .bind(r.changed_at)
    .bind(r.hours)
    .bind(&r.certificate)
    .bind(&r.id)
    .bind(from_status)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// (employee id, hours, courses) of the training entries dated in `year` of records under
/// `prefix`.
pub async fn hours_in_year(
    pool: &sqlx::AnyPool,
    prefix: &str,
    year: i32,
) -> Result<Vec<(String, String, String, i64, i64)>, sqlx::Error> {
    sqlx::query(
        "SELECT e.id, e.full_name, e.unit_id, CAST(SUM(s.amount) AS BIGINT) AS hours, \
         COUNT(*) AS courses \
         FROM section_entries s JOIN employees e ON e.id = s.employee_id \
         WHERE s.section = 'training' AND s.removed = 0 AND e.unit_path LIKE $1 \
         AND s.from_date >= $2 AND s.from_date <= $3 \
         GROUP BY e.id, e.full_name, e.unit_id ORDER BY e.full_name, e.id",
    )
    .bind(format!("{prefix}%"))
    .bind(format!("{year:04}-01-01"))
    .bind(format!("{year:04}-12-31"))
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok((
            col!(r, "id"),
            col!(r, "full_name"),
            col!(r, "unit_id"),
            col!(r, "hours"),
            col!(r, "courses"),
        ))
    })
    .collect()
}
