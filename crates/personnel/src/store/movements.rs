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
    /// `done`, or for a handover to a unit the sender may not write in: `pending` until the
    /// receiving unit accepts (`done`) or declines (`declined`).
    pub state: String,
    /// Who accepted or declined the handover, and when.
    pub handled_by: String,
    pub handled_at: i64,
}

const COLUMNS: &str = "id, employee_id, kind, from_unit_id, to_unit_id, decision_number, \
    decision_date, effective_date, note, resulting_status, recorded_at, recorded_by, state, \
    handled_by, handled_at";

fn from_row(r: &tinhso_platform::db::Row) -> Result<MovementRow, tinhso_platform::db::DbErr> {
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
        state: col!(r, "state"),
        handled_by: col!(r, "handled_by"),
        handled_at: col!(r, "handled_at"),
    })
}

pub async fn insert(tx: &mut Tx, m: &MovementRow) -> Result<(), tinhso_platform::db::DbErr> {
    let sql = format!(
        "INSERT INTO movements ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
         $12, $13, $14, $15)"
    );
    tinhso_platform::db::query(sql)
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
        .bind(&m.state)
        .bind(&m.handled_by)
        .bind(m.handled_at)
        .execute(&*tx)
        .await?;
    Ok(())
}

pub async fn get<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    id: &str,
) -> Result<Option<MovementRow>, tinhso_platform::db::DbErr> {
    let sql = format!("SELECT {COLUMNS} FROM movements WHERE id = $1");
    tinhso_platform::db::query(sql)
        .bind(id)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// The movements of one employee, oldest first.
pub async fn of_employee<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    employee_id: &str,
) -> Result<Vec<MovementRow>, tinhso_platform::db::DbErr> {
    let sql =
        format!("SELECT {COLUMNS} FROM movements WHERE employee_id = $1 ORDER BY recorded_at, id");
    tinhso_platform::db::query(sql)
        .bind(employee_id)
        .fetch_all(exec)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// Handovers waiting for a receiving unit under `prefix`, oldest first.
pub async fn pending_to(
    pool: &tinhso_platform::db::DatabaseConnection,
    prefix: &str,
) -> Result<Vec<MovementRow>, tinhso_platform::db::DbErr> {
    let columns: Vec<String> = COLUMNS
        .split(", ")
        .map(|c| format!("m.{}", c.trim()))
        .collect();
    let sql = format!(
        "SELECT {} FROM movements m JOIN units u ON u.id = m.to_unit_id \
         WHERE m.state = 'pending' AND u.path LIKE $1 ORDER BY m.recorded_at, m.id",
        columns.join(", ")
    );
    tinhso_platform::db::query(sql)
        .bind(format!("{prefix}%"))
        .fetch_all(pool)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// Settles a pending handover; false when it is no longer pending.
pub async fn settle(tx: &mut Tx, m: &MovementRow) -> Result<bool, tinhso_platform::db::DbErr> {
    let done = tinhso_platform::db::query(
        "UPDATE movements SET state = $1, handled_by = $2, handled_at = $3 \
         WHERE id = $4 AND state = 'pending'",
    )
    .bind(&m.state)
    .bind(&m.handled_by)
    .bind(m.handled_at)
    .bind(&m.id)
    .execute(&*tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An entry that had a deadline: (employee id, name, entering unit, what, from date, entered at).
pub type DatedEntry = (String, String, String, String, String, i64);

/// Hires (with a recruitment date), movements and dated changes entered in `[from_ms, to_ms)`
/// by units under `prefix`.
pub async fn dated_entries(
    pool: &tinhso_platform::db::DatabaseConnection,
    prefix: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<DatedEntry>, tinhso_platform::db::DbErr> {
    let hires = tinhso_platform::db::query(
        "SELECT id, full_name, unit_id, recruitment_date, created_at FROM employees \
         WHERE unit_path LIKE $1 AND recruitment_date IS NOT NULL \
         AND created_at >= $2 AND created_at < $3",
    )
    .bind(format!("{prefix}%"))
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(pool)
    .await?;
    let mut entries = Vec::new();
    for r in &hires {
        entries.push((
            col!(r, "id"),
            col!(r, "full_name"),
            col!(r, "unit_id"),
            "hire".to_string(),
            col!(r, "recruitment_date"),
            col!(r, "created_at"),
        ));
    }
    let movements = tinhso_platform::db::query(
        "SELECT m.employee_id, e.full_name, m.from_unit_id, m.kind, m.effective_date, \
         m.recorded_at FROM movements m JOIN employees e ON e.id = m.employee_id \
         JOIN units u ON u.id = m.from_unit_id \
         WHERE u.path LIKE $1 AND m.recorded_at >= $2 AND m.recorded_at < $3",
    )
    .bind(format!("{prefix}%"))
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(pool)
    .await?;
    // Dated changes to a record: salary steps and allowances from their effective date,
    // disciplines and awards from their decision; the salary step a record was entered with is
    // part of the hire.
    let changes = tinhso_platform::db::query(
        "SELECT s.employee_id, e.full_name, e.unit_id, s.section, \
         COALESCE(s.from_date, s.decision_date) AS dated, s.recorded_at \
         FROM section_entries s JOIN employees e ON e.id = s.employee_id \
         WHERE e.unit_path LIKE $1 AND s.recorded_at >= $2 AND s.recorded_at < $3 \
         AND s.section IN ('salary', 'allowance', 'discipline', 'award') AND s.removed = 0 \
         AND s.ref_id <> 'opening' AND COALESCE(s.from_date, s.decision_date) IS NOT NULL",
    )
    .bind(format!("{prefix}%"))
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(pool)
    .await?;
    for r in &changes {
        let section: String = col!(r, "section");
        entries.push((
            col!(r, "employee_id"),
            col!(r, "full_name"),
            col!(r, "unit_id"),
            format!("change:{section}"),
            col!(r, "dated"),
            col!(r, "recorded_at"),
        ));
    }
    // Handovers are the receiving unit's entry: accepted ones when they were accepted; pending
    // ones are returned whatever the range, entered at i64::MAX, for the caller to date as now.
    let handovers = tinhso_platform::db::query(
        "SELECT m.employee_id, e.full_name, m.to_unit_id, m.state, m.effective_date, \
         m.handled_at FROM movements m JOIN employees e ON e.id = m.employee_id \
         JOIN units u ON u.id = m.to_unit_id WHERE u.path LIKE $1 AND \
         ((m.state = 'done' AND m.handled_at > m.recorded_at AND m.handled_at >= $2 \
         AND m.handled_at < $3) OR m.state = 'pending')",
    )
    .bind(format!("{prefix}%"))
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(pool)
    .await?;
    for r in &handovers {
        let state: String = col!(r, "state");
        let handled_at: i64 = col!(r, "handled_at");
        entries.push((
            col!(r, "employee_id"),
            col!(r, "full_name"),
            col!(r, "to_unit_id"),
            format!(
                "handover:{}",
                if state == "pending" {
                    "pending"
                } else {
                    "accepted"
                }
            ),
            col!(r, "effective_date"),
            // A pending handover counts as entered now: it is late once 15 days have passed.
            if state == "pending" {
                i64::MAX
            } else {
                handled_at
            },
        ));
    }
    for r in &movements {
        let kind: String = col!(r, "kind");
        entries.push((
            col!(r, "employee_id"),
            col!(r, "full_name"),
            col!(r, "from_unit_id"),
            format!("movement:{kind}"),
            col!(r, "effective_date"),
            col!(r, "recorded_at"),
        ));
    }
    Ok(entries)
}

/// (kind, from unit, to unit) of the movements effective in `[from, to]` (dates inclusive).
pub async fn effective_between(
    pool: &tinhso_platform::db::DatabaseConnection,
    from: &str,
    to: &str,
) -> Result<Vec<(String, String, String)>, tinhso_platform::db::DbErr> {
    tinhso_platform::db::query(
        "SELECT kind, from_unit_id, to_unit_id FROM movements \
         WHERE effective_date >= $1 AND effective_date <= $2 AND state = 'done'",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok((
            col!(r, "kind"),
            col!(r, "from_unit_id"),
            col!(r, "to_unit_id"),
        ))
    })
    .collect()
}

/// The unit that entered each record recruited in `[from, to]`: the first value of its
/// `unit_id` in the change record, which later transfers do not rewrite.
pub async fn hires_between(
    pool: &tinhso_platform::db::DatabaseConnection,
    from: &str,
    to: &str,
) -> Result<Vec<String>, tinhso_platform::db::DbErr> {
    tinhso_platform::db::query(
        "SELECT c.after_value FROM employees e JOIN employee_changes c \
         ON c.employee_id = e.id AND c.field = 'unit_id' AND c.before_value = '' \
         WHERE e.recruitment_date >= $1 AND e.recruitment_date <= $2",
    )
    .bind(from)
    .bind(to)
    .scalars(pool)
    .await
}
