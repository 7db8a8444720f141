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

fn course_from(r: &tinhso_platform::db::Row) -> Result<CourseRow, tinhso_platform::db::DbErr> {
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

pub async fn course<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    id: &str,
) -> Result<Option<CourseRow>, tinhso_platform::db::DbErr> {
    let sql = format!("SELECT {COURSE_COLUMNS} FROM courses WHERE id = $1");
    tinhso_platform::db::query(sql)
        .bind(id)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(course_from)
        .transpose()
}

pub async fn course_by_request_id(
    tx: &mut Tx,
    request_id: &str,
) -> Result<Option<CourseRow>, tinhso_platform::db::DbErr> {
    let sql = format!("SELECT {COURSE_COLUMNS} FROM courses WHERE request_id = $1");
    tinhso_platform::db::query(sql)
        .bind(request_id)
        .fetch_optional(&*tx)
        .await?
        .as_ref()
        .map(course_from)
        .transpose()
}

pub async fn insert_course(
    tx: &mut Tx,
    c: &CourseRow,
    request_id: Option<&str>,
) -> Result<(), tinhso_platform::db::DbErr> {
    let sql = format!(
        "INSERT INTO courses ({COURSE_COLUMNS}, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    );
    tinhso_platform::db::query(sql)
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
        .execute(&*tx)
        .await?;
    Ok(())
}

/// Courses newest first; with `open_on`, only those whose registration is still open that day.
pub async fn courses(
    pool: &tinhso_platform::db::DatabaseConnection,
    open_on: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<CourseRow>, tinhso_platform::db::DbErr> {
    let sql = format!(
        "SELECT {COURSE_COLUMNS} FROM courses WHERE ($1 = '' OR registration_deadline >= $1) \
         ORDER BY announced_at DESC, id LIMIT {limit} OFFSET {offset}"
    );
    tinhso_platform::db::query(sql)
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

fn registration_from(
    r: &tinhso_platform::db::Row,
) -> Result<RegistrationRow, tinhso_platform::db::DbErr> {
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

pub async fn registration<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    id: &str,
) -> Result<Option<RegistrationRow>, tinhso_platform::db::DbErr> {
    let sql = format!("SELECT {REGISTRATION_COLUMNS} FROM registrations WHERE id = $1");
    tinhso_platform::db::query(sql)
        .bind(id)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(registration_from)
        .transpose()
}

/// The registrations of a course, by name.
pub async fn registrations<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    course_id: &str,
) -> Result<Vec<RegistrationRow>, tinhso_platform::db::DbErr> {
    let sql = format!(
        "SELECT {REGISTRATION_COLUMNS} FROM registrations WHERE course_id = $1 \
         ORDER BY employee_name, id"
    );
    tinhso_platform::db::query(sql)
        .bind(course_id)
        .fetch_all(exec)
        .await?
        .iter()
        .map(registration_from)
        .collect()
}

pub async fn insert_registration(
    tx: &mut Tx,
    r: &RegistrationRow,
) -> Result<(), tinhso_platform::db::DbErr> {
    let sql = format!(
        "INSERT INTO registrations ({REGISTRATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         $8, $9, $10, $11, $12)"
    );
    tinhso_platform::db::query(sql)
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
        .execute(&*tx)
        .await?;
    Ok(())
}

/// Moves a registration from `from_status` on; false when it is no longer in that status.
pub async fn change_registration(
    tx: &mut Tx,
    r: &RegistrationRow,
    from_status: &str,
) -> Result<bool, tinhso_platform::db::DbErr> {
    let done = tinhso_platform::db::query(
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
    .execute(&*tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// (employee id, hours, courses) of the training entries dated in `year` of records under
/// `prefix`.
pub async fn hours_in_year(
    pool: &tinhso_platform::db::DatabaseConnection,
    prefix: &str,
    year: i32,
) -> Result<Vec<(String, String, String, i64, i64)>, tinhso_platform::db::DbErr> {
    tinhso_platform::db::query(
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
