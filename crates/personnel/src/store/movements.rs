//! Movements of employees (điều động, luân chuyển, biệt phái, nghỉ hưu, ...), kept for good.

use super::col;
use tinhso_platform::db::Tx;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MovementRow {
    pub id: String,
    pub employee_id: String,
    pub kind: String,
    pub from_unit_id: String,
    pub to_unit_id: String,
    pub decision_number: String,
    pub decision_date: String,
    pub effective_date: String,
    pub note: String,
    pub resulting_status: String,
    pub recorded_at: i64,
    pub recorded_by: String,
}

pub async fn insert(tx: &mut Tx<'_>, m: &MovementRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO movements (id, employee_id, kind, from_unit_id, to_unit_id, decision_number, \
         decision_date, effective_date, note, resulting_status, recorded_at, recorded_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&m.id)
    .bind(&m.employee_id)
    .bind(&m.kind)
    .bind(&m.from_unit_id)
    .bind(&m.to_unit_id)
    .bind(&m.decision_number)
    .bind(&m.decision_date)
    .bind(&m.effective_date)
    .bind(&m.note)
    .bind(&m.resulting_status)
    .bind(m.recorded_at)
    .bind(&m.recorded_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The movements of one employee, oldest first.
pub async fn of_employee(
    pool: &sqlx::AnyPool,
    employee_id: &str,
) -> Result<Vec<MovementRow>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, employee_id, kind, from_unit_id, to_unit_id, decision_number, decision_date, \
         effective_date, note, resulting_status, recorded_at, recorded_by FROM movements \
         WHERE employee_id = $1 ORDER BY recorded_at, id",
    )
    .bind(employee_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MovementRow {
                id: col!(r, "id"),
                employee_id: col!(r, "employee_id"),
                kind: col!(r, "kind"),
                from_unit_id: col!(r, "from_unit_id"),
                to_unit_id: col!(r, "to_unit_id"),
                decision_number: col!(r, "decision_number"),
                decision_date: col!(r, "decision_date"),
                effective_date: col!(r, "effective_date"),
                note: col!(r, "note"),
                resulting_status: col!(r, "resulting_status"),
                recorded_at: col!(r, "recorded_at"),
                recorded_by: col!(r, "recorded_by"),
            })
        })
        .collect()
}
