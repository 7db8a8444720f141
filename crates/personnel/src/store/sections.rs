//! The repeating, dated sections of a record in one table. Each section uses the shared columns
//! as follows (the gRPC layer maps them to the typed messages):
//!
//! | section    | code          | title     | organisation | details        | amount     | amount2     | from / to        |
//! |------------|---------------|-----------|--------------|----------------|------------|-------------|------------------|
//! | training   | training kind | major     | institution  | mode           | hours      |             | study period     |
//! | work       |               | position  | organisation | note           |            |             | period           |
//! | family     | relationship  | full name |              | details        | birth year |             |                  |
//! | salary     | grade code    | note      |              |                | step       | coefficient | effective date   |
//! | allowance  | allowance     |           |              |                | coefficient|             | period           |
//! | award      | award kind    | reason    | issuer       |                |            |             |                  |
//! | discipline | discipline    | reason    |              |                |            |             | effect period    |
//!
//! `qualification` is training's certificate, `ref_id` training's course. Entries are withdrawn,
//! never deleted (`removed`), so the change query can always show them.

use super::col;
use tinhso_platform::db::Tx;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SectionRow {
    pub id: String,
    pub employee_id: String,
    pub section: String,
    pub code: String,
    pub title: String,
    pub organisation: String,
    pub details: String,
    pub qualification: String,
    pub decision_number: String,
    pub decision_date: Option<String>,
    pub from_date: Option<String>,
    pub to_date: Option<String>,
    pub amount: i64,
    pub amount2: i64,
    pub ref_id: String,
    pub removed: bool,
    pub version: i64,
    pub recorded_at: i64,
    pub recorded_by: String,
    pub updated_at: i64,
}

impl SectionRow {
    /// A one-line account of the entry for the change record.
    pub fn summary(&self) -> String {
        if self.removed {
            return String::new();
        }
        let mut parts: Vec<String> = Vec::new();
        for text in [
            &self.code,
            &self.title,
            &self.organisation,
            &self.details,
            &self.qualification,
            &self.decision_number,
        ] {
            if !text.is_empty() {
                parts.push(text.clone());
            }
        }
        for date in [&self.decision_date, &self.from_date, &self.to_date]
            .into_iter()
            .flatten()
        {
            parts.push(date.clone());
        }
        if self.amount != 0 || self.amount2 != 0 {
            parts.push(format!("{}/{}", self.amount, self.amount2));
        }
        parts.join(" | ")
    }
}

const COLUMNS: &str = "id, employee_id, section, code, title, organisation, details, qualification, \
    decision_number, decision_date, from_date, to_date, amount, amount2, ref_id, removed, \
    version, recorded_at, recorded_by, updated_at";

fn from_row(r: &tinhso_platform::db::Row) -> Result<SectionRow, tinhso_platform::db::DbErr> {
    let removed: i64 = col!(r, "removed");
    Ok(SectionRow {
        id: col!(r, "id"),
        employee_id: col!(r, "employee_id"),
        section: col!(r, "section"),
        code: col!(r, "code"),
        title: col!(r, "title"),
        organisation: col!(r, "organisation"),
        details: col!(r, "details"),
        qualification: col!(r, "qualification"),
        decision_number: col!(r, "decision_number"),
        decision_date: col!(r, "decision_date"),
        from_date: col!(r, "from_date"),
        to_date: col!(r, "to_date"),
        amount: col!(r, "amount"),
        amount2: col!(r, "amount2"),
        ref_id: col!(r, "ref_id"),
        removed: removed != 0,
        version: col!(r, "version"),
        recorded_at: col!(r, "recorded_at"),
        recorded_by: col!(r, "recorded_by"),
        updated_at: col!(r, "updated_at"),
    })
}

pub async fn get<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    id: &str,
) -> Result<Option<SectionRow>, tinhso_platform::db::DbErr> {
    let sql = format!("SELECT {COLUMNS} FROM section_entries WHERE id = $1");
    tinhso_platform::db::query(sql)
        .bind(id)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// The entries of one record still in force, by section and date; `section` None for all.
pub async fn of_employee<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    employee_id: &str,
    section: Option<&str>,
) -> Result<Vec<SectionRow>, tinhso_platform::db::DbErr> {
    let sql = format!(
        "SELECT {COLUMNS} FROM section_entries WHERE employee_id = $1 AND removed = 0 \
         AND ($2 = '' OR section = $2) \
         ORDER BY section, COALESCE(from_date, decision_date, ''), recorded_at"
    );
    tinhso_platform::db::query(sql)
        .bind(employee_id)
        .bind(section.unwrap_or_default())
        .fetch_all(exec)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

pub async fn insert(tx: &mut Tx, s: &SectionRow) -> Result<(), tinhso_platform::db::DbErr> {
    let sql = format!(
        "INSERT INTO section_entries ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
    );
    tinhso_platform::db::query(sql)
        .bind(&s.id)
        .bind(&s.employee_id)
        .bind(&s.section)
        .bind(&s.code)
        .bind(&s.title)
        .bind(&s.organisation)
        .bind(&s.details)
        .bind(&s.qualification)
        .bind(&s.decision_number)
        .bind(s.decision_date.clone())
        .bind(s.from_date.clone())
        .bind(s.to_date.clone())
        .bind(s.amount)
        .bind(s.amount2)
        .bind(&s.ref_id)
        .bind(i64::from(s.removed))
        .bind(s.version)
        .bind(s.recorded_at)
        .bind(&s.recorded_by)
        .bind(s.updated_at)
        .execute(&*tx)
        .await?;
    Ok(())
}

/// Replaces the entry if its version is still `expected_version`; false when it changed.
pub async fn update(
    tx: &mut Tx,
    s: &SectionRow,
    expected_version: i64,
) -> Result<bool, tinhso_platform::db::DbErr> {
    let done = tinhso_platform::db::query(
        "UPDATE section_entries SET code = $1, title = $2, organisation = $3, details = $4, \
         qualification = $5, decision_number = $6, decision_date = $7, from_date = $8, \
         to_date = $9, amount = $10, amount2 = $11, ref_id = $12, removed = $13, version = $14, \
         updated_at = $15 WHERE id = $16 AND version = $17",
    )
    .bind(&s.code)
    .bind(&s.title)
    .bind(&s.organisation)
    .bind(&s.details)
    .bind(&s.qualification)
    .bind(&s.decision_number)
    .bind(s.decision_date.clone())
    .bind(s.from_date.clone())
    .bind(s.to_date.clone())
    .bind(s.amount)
    .bind(s.amount2)
    .bind(&s.ref_id)
    .bind(i64::from(s.removed))
    .bind(s.version)
    .bind(s.updated_at)
    .bind(&s.id)
    .bind(expected_version)
    .execute(&*tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a section change in the record's change query: field `section[id]`, before and after
/// as one-line summaries.
pub async fn record_change(
    tx: &mut Tx,
    before: Option<&SectionRow>,
    after: &SectionRow,
    actor_id: &str,
    actor_username: &str,
    at: i64,
) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query(
        "INSERT INTO employee_changes (employee_id, at, actor_id, actor_username, field, \
         before_value, after_value) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&after.employee_id)
    .bind(at)
    .bind(actor_id)
    .bind(actor_username)
    .bind(format!("{}[{}]", after.section, after.id))
    .bind(before.map(SectionRow::summary).unwrap_or_default())
    .bind(after.summary())
    .execute(&*tx)
    .await?;
    Ok(())
}
