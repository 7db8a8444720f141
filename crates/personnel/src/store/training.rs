//! Announced courses and the registrations of employees for them.

use super::entities::{course, registration};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, DatabaseConnection, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, QuerySelect as _, Set,
};
use tinhso_platform::db::{self, DbErr, Tx};

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

impl From<course::Model> for CourseRow {
    fn from(c: course::Model) -> Self {
        Self {
            id: c.id,
            organiser_unit_id: c.organiser_unit_id,
            title: c.title,
            provider: c.provider,
            kind: c.kind,
            content: c.content,
            start_date: db::date_text(c.start_date),
            end_date: db::date_text(c.end_date),
            registration_deadline: db::date_text(c.registration_deadline),
            seats: c.seats,
            hours: c.hours,
            qualification_field: c.qualification_field,
            qualification_code: c.qualification_code,
            announced_at: db::millis(c.announced_at),
            announced_by: c.announced_by,
        }
    }
}

pub async fn course(conn: &impl ConnectionTrait, id: &str) -> Result<Option<CourseRow>, DbErr> {
    Ok(course::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(CourseRow::from))
}

pub async fn course_by_request_id(
    tx: &mut Tx,
    request_id: &str,
) -> Result<Option<CourseRow>, DbErr> {
    Ok(course::Entity::find()
        .filter(course::Column::RequestId.eq(request_id))
        .one(&*tx)
        .await?
        .map(CourseRow::from))
}

pub async fn insert_course(
    tx: &mut Tx,
    c: &CourseRow,
    request_id: Option<&str>,
) -> Result<(), DbErr> {
    course::Entity::insert(course::ActiveModel {
        id: Set(c.id.clone()),
        organiser_unit_id: Set(c.organiser_unit_id.clone()),
        title: Set(c.title.clone()),
        provider: Set(c.provider.clone()),
        kind: Set(c.kind.clone()),
        content: Set(c.content.clone()),
        start_date: Set(db::date(&c.start_date)?),
        end_date: Set(db::date(&c.end_date)?),
        registration_deadline: Set(db::date(&c.registration_deadline)?),
        seats: Set(c.seats),
        hours: Set(c.hours),
        qualification_field: Set(c.qualification_field.clone()),
        qualification_code: Set(c.qualification_code.clone()),
        request_id: Set(request_id.map(str::to_string)),
        announced_at: Set(db::at(c.announced_at)),
        announced_by: Set(c.announced_by.clone()),
    })
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

/// Courses newest first; with `open_on`, only those whose registration is still open that day.
pub async fn courses(
    pool: &DatabaseConnection,
    open_on: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<CourseRow>, DbErr> {
    let mut select = course::Entity::find();
    if let Some(day) = open_on.filter(|d| !d.is_empty()) {
        select = select.filter(course::Column::RegistrationDeadline.gte(db::date(day)?));
    }
    Ok(select
        .order_by_desc(course::Column::AnnouncedAt)
        .order_by_asc(course::Column::Id)
        .limit(u64::try_from(limit).unwrap_or(0))
        .offset(u64::try_from(offset).unwrap_or(0))
        .all(pool)
        .await?
        .into_iter()
        .map(CourseRow::from)
        .collect())
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

impl From<registration::Model> for RegistrationRow {
    fn from(r: registration::Model) -> Self {
        Self {
            id: r.id,
            course_id: r.course_id,
            employee_id: r.employee_id,
            employee_name: r.employee_name,
            unit_id: r.unit_id,
            status: r.status,
            registered_by: r.registered_by,
            registered_at: db::millis(r.registered_at),
            changed_by: r.changed_by,
            changed_at: db::millis(r.changed_at),
            hours: r.hours,
            certificate: r.certificate,
        }
    }
}

pub async fn registration(
    conn: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<RegistrationRow>, DbErr> {
    Ok(registration::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(RegistrationRow::from))
}

/// The registrations of a course, by name.
pub async fn registrations(
    conn: &impl ConnectionTrait,
    course_id: &str,
) -> Result<Vec<RegistrationRow>, DbErr> {
    Ok(registration::Entity::find()
        .filter(registration::Column::CourseId.eq(course_id))
        .order_by_asc(registration::Column::EmployeeName)
        .order_by_asc(registration::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(RegistrationRow::from)
        .collect())
}

pub async fn insert_registration(tx: &mut Tx, r: &RegistrationRow) -> Result<(), DbErr> {
    registration::Entity::insert(registration::ActiveModel {
        id: Set(r.id.clone()),
        course_id: Set(r.course_id.clone()),
        employee_id: Set(r.employee_id.clone()),
        employee_name: Set(r.employee_name.clone()),
        unit_id: Set(r.unit_id.clone()),
        status: Set(r.status.clone()),
        registered_by: Set(r.registered_by.clone()),
        registered_at: Set(db::at(r.registered_at)),
        changed_by: Set(r.changed_by.clone()),
        changed_at: Set(db::at(r.changed_at)),
        hours: Set(r.hours),
        certificate: Set(r.certificate.clone()),
    })
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

/// Moves a registration from `from_status` on; false when it is no longer in that status.
pub async fn change_registration(
    tx: &mut Tx,
    r: &RegistrationRow,
    from_status: &str,
) -> Result<bool, DbErr> {
    let done = registration::Entity::update_many()
        .set(registration::ActiveModel {
            status: Set(r.status.clone()),
            changed_by: Set(r.changed_by.clone()),
            changed_at: Set(db::at(r.changed_at)),
            hours: Set(r.hours),
            certificate: Set(r.certificate.clone()),
            ..Default::default()
        })
        .filter(registration::Column::Id.eq(&r.id))
        .filter(registration::Column::Status.eq(from_status))
        .exec(&*tx)
        .await?;
    Ok(done.rows_affected == 1)
}

/// (employee id, name, unit, hours, courses) of the training entries dated in `year` of records
/// under `prefix`. Written by hand: a grouped sum over a join reads more plainly as SQL.
pub async fn hours_in_year(
    pool: &DatabaseConnection,
    prefix: &str,
    year: i32,
) -> Result<Vec<(String, String, String, i64, i64)>, DbErr> {
    db::query(
        "SELECT e.id, e.full_name, e.unit_id, CAST(SUM(s.amount) AS BIGINT) AS hours, \
         COUNT(*) AS courses \
         FROM section_entries s JOIN employees e ON e.id = s.employee_id \
         WHERE s.section = 'training' AND NOT s.removed AND e.unit_path LIKE $1 ESCAPE '\\' \
         AND s.from_date >= $2 AND s.from_date <= $3 \
         GROUP BY e.id, e.full_name, e.unit_id, e.name_sort ORDER BY e.name_sort, e.id",
    )
    .bind(format!("{}%", db::escape_like(prefix)))
    .bind(db::date(&format!("{year:04}-01-01"))?)
    .bind(db::date(&format!("{year:04}-12-31"))?)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok((
            r.try_get("", "id")?,
            r.try_get("", "full_name")?,
            r.try_get("", "unit_id")?,
            r.try_get("", "hours")?,
            r.try_get("", "courses")?,
        ))
    })
    .collect()
}
