//! The repeating, dated sections of a record in one table. Each section uses the shared columns
//! as follows (the gRPC layer maps them to the typed messages):
//!
//! | section    | code          | title     | organisation | details        | amount     | amount2     | from / to        |
//! |------------|---------------|-----------|--------------|----------------|------------|-------------|------------------|
//! | training   | training kind | major     | institution  | mode           | hours      |             | study period     |
//! | work       |               | position  | organisation | note           |            |             | period           |
//! | family     | relationship  | full name |              | details        | birth year |             |                  |
//! | salary     | grade code    | note      |              | reason         | step       | coefficient | effective date   |
//! | allowance  | allowance     |           |              |                | coefficient|             | period           |
//! | award      | award kind    | reason    | issuer       |                |            |             |                  |
//! | discipline | discipline    | reason    |              |                |            |             | effect period    |
//! | assessment | rating        | note      |              |                | year       |             |                  |
//! | not_counted| kind          | note      |              |                |            |             | period           |
//!
//! `qualification` is training's certificate, `ref_id` training's course. Entries are withdrawn,
//! never deleted (`removed`), so the change query can always show them.

use super::entities::{employee_change, section_entry};
use sea_orm::sea_query::{Expr, ExprTrait as _, Func, Order};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, QueryOrder as _, Set,
};
use tinhso_platform::db::{self, DbErr, Tx};

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

impl From<section_entry::Model> for SectionRow {
    fn from(m: section_entry::Model) -> Self {
        Self {
            id: m.id,
            employee_id: m.employee_id,
            section: m.section,
            code: m.code,
            title: m.title,
            organisation: m.organisation,
            details: m.details,
            qualification: m.qualification,
            decision_number: m.decision_number,
            decision_date: m.decision_date.map(db::date_text),
            from_date: m.from_date.map(db::date_text),
            to_date: m.to_date.map(db::date_text),
            amount: m.amount,
            amount2: m.amount2,
            ref_id: m.ref_id,
            removed: m.removed,
            version: m.version,
            recorded_at: db::millis(m.recorded_at),
            recorded_by: m.recorded_by,
            updated_at: db::millis(m.updated_at),
        }
    }
}

/// Every column an edit writes (not the id, record, section or recording).
fn edited(s: &SectionRow) -> Result<section_entry::ActiveModel, DbErr> {
    Ok(section_entry::ActiveModel {
        code: Set(s.code.clone()),
        title: Set(s.title.clone()),
        organisation: Set(s.organisation.clone()),
        details: Set(s.details.clone()),
        qualification: Set(s.qualification.clone()),
        decision_number: Set(s.decision_number.clone()),
        decision_date: Set(db::date_opt(s.decision_date.as_deref())?),
        from_date: Set(db::date_opt(s.from_date.as_deref())?),
        to_date: Set(db::date_opt(s.to_date.as_deref())?),
        amount: Set(s.amount),
        amount2: Set(s.amount2),
        ref_id: Set(s.ref_id.clone()),
        removed: Set(s.removed),
        version: Set(s.version),
        updated_at: Set(db::at(s.updated_at)),
        ..Default::default()
    })
}

pub async fn get(conn: &impl ConnectionTrait, id: &str) -> Result<Option<SectionRow>, DbErr> {
    Ok(section_entry::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(SectionRow::from))
}

/// The entries of one record still in force, by section and date (undated first); `section`
/// None for all.
pub async fn of_employee(
    conn: &impl ConnectionTrait,
    employee_id: &str,
    section: Option<&str>,
) -> Result<Vec<SectionRow>, DbErr> {
    use section_entry::Column;
    let mut select = section_entry::Entity::find()
        .filter(Column::EmployeeId.eq(employee_id))
        .filter(Column::Removed.eq(false));
    if let Some(section) = section.filter(|s| !s.is_empty()) {
        select = select.filter(Column::Section.eq(section));
    }
    let dated = Func::coalesce([Expr::col(Column::FromDate), Expr::col(Column::DecisionDate)]);
    Ok(select
        .order_by_asc(Column::Section)
        .order_by(Expr::expr(dated.clone()).is_not_null(), Order::Asc)
        .order_by(dated, Order::Asc)
        .order_by_asc(Column::RecordedAt)
        .all(conn)
        .await?
        .into_iter()
        .map(SectionRow::from)
        .collect())
}

/// The salary entries in force of `employee_ids` made for one of `reasons` (for a unit's yearly
/// share of early raises).
pub async fn salary_entries_for_reasons(
    conn: &impl ConnectionTrait,
    employee_ids: &[String],
    reasons: &[String],
) -> Result<Vec<SectionRow>, DbErr> {
    use section_entry::Column;
    if employee_ids.is_empty() || reasons.is_empty() {
        return Ok(Vec::new());
    }
    Ok(section_entry::Entity::find()
        .filter(Column::Section.eq("salary"))
        .filter(Column::Removed.eq(false))
        .filter(Column::Details.is_in(reasons.iter().cloned()))
        .filter(Column::EmployeeId.is_in(employee_ids.iter().cloned()))
        .all(conn)
        .await?
        .into_iter()
        .map(SectionRow::from)
        .collect())
}

pub async fn insert(tx: &mut Tx, s: &SectionRow) -> Result<(), DbErr> {
    let mut row = edited(s)?;
    row.id = Set(s.id.clone());
    row.employee_id = Set(s.employee_id.clone());
    row.section = Set(s.section.clone());
    row.recorded_at = Set(db::at(s.recorded_at));
    row.recorded_by = Set(s.recorded_by.clone());
    section_entry::Entity::insert(row)
        .exec_without_returning(&*tx)
        .await?;
    Ok(())
}

/// Replaces the entry if its version is still `expected_version`; false when it changed.
pub async fn update(tx: &mut Tx, s: &SectionRow, expected_version: i64) -> Result<bool, DbErr> {
    let done = section_entry::Entity::update_many()
        .set(edited(s)?)
        .filter(section_entry::Column::Id.eq(&s.id))
        .filter(section_entry::Column::Version.eq(expected_version))
        .exec(&*tx)
        .await?;
    Ok(done.rows_affected == 1)
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
) -> Result<(), DbErr> {
    employee_change::Entity::insert(employee_change::ActiveModel {
        employee_id: Set(after.employee_id.clone()),
        at: Set(db::at(at)),
        actor_id: Set(actor_id.to_string()),
        actor_username: Set(actor_username.to_string()),
        field: Set(format!("{}[{}]", after.section, after.id)),
        before_value: Set(before.map(SectionRow::summary).unwrap_or_default()),
        after_value: Set(after.summary()),
        ..Default::default()
    })
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}
