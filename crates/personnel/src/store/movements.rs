//! Movements of employees (điều động, luân chuyển, biệt phái, nghỉ hưu, ...), kept for good.

use super::entities::{movement, unit};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, DatabaseConnection, EntityTrait as _, JoinType,
    QueryFilter as _, QueryOrder as _, QuerySelect as _, RelationDef, Set,
};
use tinhso_platform::db::{self, DbErr, Tx};

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

impl TryFrom<movement::Model> for MovementRow {
    type Error = DbErr;

    fn try_from(m: movement::Model) -> Result<Self, DbErr> {
        Ok(Self {
            id: m.id,
            employee_id: m.employee_id,
            kind: m.kind,
            from_unit_id: m.from_unit_id,
            to_unit_id: m.to_unit_id.unwrap_or_default(),
            decision_number: m.decision_number,
            decision_date: db::date_text(m.decision_date),
            effective_date: db::date_text(m.effective_date),
            note: m.note,
            resulting_status: m.resulting_status,
            recorded_at: db::millis(m.recorded_at),
            recorded_by: m.recorded_by,
            state: m.state,
            handled_by: m.handled_by,
            handled_at: m.handled_at.map(db::millis).unwrap_or(0),
        })
    }
}

fn rows(models: Vec<movement::Model>) -> Result<Vec<MovementRow>, DbErr> {
    models.into_iter().map(MovementRow::try_from).collect()
}

/// When a handover was settled: 0 (not yet) is stored as no value.
fn handled_at(ms: i64) -> Option<time::OffsetDateTime> {
    (ms != 0).then(|| db::at(ms))
}

pub async fn insert(tx: &mut Tx, m: &MovementRow) -> Result<(), DbErr> {
    movement::Entity::insert(movement::ActiveModel {
        id: Set(m.id.clone()),
        employee_id: Set(m.employee_id.clone()),
        kind: Set(m.kind.clone()),
        from_unit_id: Set(m.from_unit_id.clone()),
        to_unit_id: Set(Some(m.to_unit_id.clone()).filter(|id| !id.is_empty())),
        decision_number: Set(m.decision_number.clone()),
        decision_date: Set(db::date(&m.decision_date)?),
        effective_date: Set(db::date(&m.effective_date)?),
        note: Set(m.note.clone()),
        resulting_status: Set(m.resulting_status.clone()),
        recorded_at: Set(db::at(m.recorded_at)),
        recorded_by: Set(m.recorded_by.clone()),
        state: Set(m.state.clone()),
        handled_by: Set(m.handled_by.clone()),
        handled_at: Set(handled_at(m.handled_at)),
    })
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

pub async fn get(conn: &impl ConnectionTrait, id: &str) -> Result<Option<MovementRow>, DbErr> {
    movement::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(MovementRow::try_from)
        .transpose()
}

/// The movements of one employee, oldest first.
pub async fn of_employee(
    conn: &impl ConnectionTrait,
    employee_id: &str,
) -> Result<Vec<MovementRow>, DbErr> {
    rows(
        movement::Entity::find()
            .filter(movement::Column::EmployeeId.eq(employee_id))
            .order_by_asc(movement::Column::RecordedAt)
            .order_by_asc(movement::Column::Id)
            .all(conn)
            .await?,
    )
}

fn to_unit() -> RelationDef {
    movement::Entity::belongs_to(unit::Entity)
        .from(movement::Column::ToUnitId)
        .to(unit::Column::Id)
        .into()
}

/// Handovers waiting for a receiving unit under `prefix`, oldest first.
pub async fn pending_to(
    pool: &DatabaseConnection,
    prefix: &str,
) -> Result<Vec<MovementRow>, DbErr> {
    rows(
        movement::Entity::find()
            .join(JoinType::InnerJoin, to_unit())
            .filter(movement::Column::State.eq("pending"))
            .filter(db::starts_with(unit::Column::Path, prefix))
            .order_by_asc(movement::Column::RecordedAt)
            .order_by_asc(movement::Column::Id)
            .all(pool)
            .await?,
    )
}

/// Settles a pending handover; false when it is no longer pending.
pub async fn settle(tx: &mut Tx, m: &MovementRow) -> Result<bool, DbErr> {
    let done = movement::Entity::update_many()
        .set(movement::ActiveModel {
            state: Set(m.state.clone()),
            handled_by: Set(m.handled_by.clone()),
            handled_at: Set(handled_at(m.handled_at)),
            ..Default::default()
        })
        .filter(movement::Column::Id.eq(&m.id))
        .filter(movement::Column::State.eq("pending"))
        .exec(&*tx)
        .await?;
    Ok(done.rows_affected == 1)
}

/// An entry that had a deadline: (employee id, name, entering unit, what, from date, entered at).
pub type DatedEntry = (String, String, String, String, String, i64);

/// Hires, movements and dated changes entered in `[from_ms, to_ms)` that units under `prefix`
/// had to enter. Written by hand: four joins across the record's tables read more
/// plainly as SQL than as query builders.
pub async fn dated_entries(
    pool: &DatabaseConnection,
    prefix: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<DatedEntry>, DbErr> {
    let under = format!("{}%", db::escape_like(prefix));
    let (from, to) = (db::at(from_ms), db::at(to_ms));
    let date = |r: &db::Row, column: &str| -> Result<String, DbErr> {
        Ok(db::date_text(r.try_get::<time::Date>("", column)?))
    };
    let moment = |r: &db::Row, column: &str| -> Result<i64, DbErr> {
        Ok(db::millis(r.try_get::<time::OffsetDateTime>("", column)?))
    };
    // A hire is the entry of the unit the record was created in (the sending unit of its first
    // movement, else where it is now), dated by the recruitment (or reception) decision; without
    // one, by the recruitment date, except for records the import loaded (an initial migration of
    // people working long before): those have no hire deadline.
    let hires = db::query(
        "SELECT h.id, h.full_name, h.hired_in, h.dated, h.created_at FROM ( \
         SELECT e.id, e.full_name, e.created_at, \
         COALESCE((SELECT m.from_unit_id FROM movements m WHERE m.employee_id = e.id \
         ORDER BY m.recorded_at LIMIT 1), e.unit_id) AS hired_in, \
         COALESCE(e.recruitment_decision_date, \
         CASE WHEN e.initial_entry THEN NULL ELSE e.recruitment_date END) AS dated \
         FROM employees e WHERE e.created_at >= $2 AND e.created_at < $3) h \
         JOIN units u ON u.id = h.hired_in \
         WHERE u.path LIKE $1 ESCAPE '\\' AND h.dated IS NOT NULL",
    )
    .bind(&under)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    let mut entries = Vec::new();
    for r in &hires {
        entries.push((
            r.try_get("", "id")?,
            r.try_get("", "full_name")?,
            r.try_get("", "hired_in")?,
            "hire".to_string(),
            date(r, "dated")?,
            moment(r, "created_at")?,
        ));
    }
    let movements = db::query(
        "SELECT m.employee_id, e.full_name, m.from_unit_id, m.kind, m.effective_date, \
         m.recorded_at FROM movements m JOIN employees e ON e.id = m.employee_id \
         JOIN units u ON u.id = m.from_unit_id \
         WHERE u.path LIKE $1 ESCAPE '\\' AND m.recorded_at >= $2 AND m.recorded_at < $3",
    )
    .bind(&under)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    // Dated changes to a record: salary steps and allowances from their effective date,
    // disciplines and awards from their decision; the salary step a record was entered with is
    // part of the hire. A change is the entry of the unit that held the record on its date: the
    // sending unit of the first movement effective after it, else where the record is now.
    // Changes of record items (position, department, degree) count from their effective date
    // alike.
    let changes = db::query(
        "SELECT c.employee_id, c.full_name, c.held_by, c.what, c.dated, c.entered FROM ( \
         SELECT x.employee_id, e.full_name, x.what, x.dated, x.entered, \
         COALESCE((SELECT m.from_unit_id FROM movements m WHERE m.employee_id = x.employee_id \
         AND m.effective_date > x.dated \
         ORDER BY m.effective_date, m.recorded_at LIMIT 1), e.unit_id) AS held_by FROM ( \
         SELECT s.employee_id, s.section AS what, s.recorded_at AS entered, \
         COALESCE(s.from_date, s.decision_date) AS dated FROM section_entries s \
         WHERE s.recorded_at >= $2 AND s.recorded_at < $3 \
         AND s.section IN ('salary', 'allowance', 'discipline', 'award') AND NOT s.removed \
         AND s.ref_id <> 'opening' AND COALESCE(s.from_date, s.decision_date) IS NOT NULL \
         UNION ALL \
         SELECT ch.employee_id, ch.field, ch.at, ch.effective_date FROM employee_changes ch \
         WHERE ch.at >= $2 AND ch.at < $3 AND ch.effective_date IS NOT NULL) x \
         JOIN employees e ON e.id = x.employee_id) c \
         JOIN units u ON u.id = c.held_by WHERE u.path LIKE $1 ESCAPE '\\'",
    )
    .bind(&under)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    for r in &changes {
        let what: String = r.try_get("", "what")?;
        entries.push((
            r.try_get("", "employee_id")?,
            r.try_get("", "full_name")?,
            r.try_get("", "held_by")?,
            format!("change:{what}"),
            date(r, "dated")?,
            moment(r, "entered")?,
        ));
    }
    // Handovers are the receiving unit's entry: accepted ones when they were accepted; pending
    // ones are returned whatever the range, entered at i64::MAX, for the caller to date as now.
    let handovers = db::query(
        "SELECT m.employee_id, e.full_name, m.to_unit_id, m.state, m.effective_date, \
         m.handled_at FROM movements m JOIN employees e ON e.id = m.employee_id \
         JOIN units u ON u.id = m.to_unit_id WHERE u.path LIKE $1 ESCAPE '\\' AND \
         ((m.state = 'done' AND m.handled_at > m.recorded_at AND m.handled_at >= $2 \
         AND m.handled_at < $3) OR m.state = 'pending')",
    )
    .bind(&under)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    for r in &handovers {
        let state: String = r.try_get("", "state")?;
        let pending = state == "pending";
        entries.push((
            r.try_get("", "employee_id")?,
            r.try_get("", "full_name")?,
            r.try_get("", "to_unit_id")?,
            format!("handover:{}", if pending { "pending" } else { "accepted" }),
            date(r, "effective_date")?,
            // A pending handover counts as entered now: it is late once 15 days have passed.
            if pending {
                i64::MAX
            } else {
                moment(r, "handled_at")?
            },
        ));
    }
    for r in &movements {
        let kind: String = r.try_get("", "kind")?;
        entries.push((
            r.try_get("", "employee_id")?,
            r.try_get("", "full_name")?,
            r.try_get("", "from_unit_id")?,
            format!("movement:{kind}"),
            date(r, "effective_date")?,
            moment(r, "recorded_at")?,
        ));
    }
    Ok(entries)
}

/// (kind, from unit, to unit) of the movements effective in `[from, to]` (dates inclusive).
pub async fn effective_between(
    pool: &DatabaseConnection,
    from: &str,
    to: &str,
) -> Result<Vec<(String, String, String)>, DbErr> {
    movement::Entity::find()
        .select_only()
        .columns([
            movement::Column::Kind,
            movement::Column::FromUnitId,
            movement::Column::ToUnitId,
        ])
        .filter(movement::Column::EffectiveDate.gte(db::date(from)?))
        .filter(movement::Column::EffectiveDate.lte(db::date(to)?))
        .filter(movement::Column::State.eq("done"))
        .into_tuple::<(String, String, Option<String>)>()
        .all(pool)
        .await
        .map(|rows| {
            rows.into_iter()
                .map(|(kind, from, to)| (kind, from, to.unwrap_or_default()))
                .collect()
        })
}

/// The unit that entered each record recruited in `[from, to]`: the first value of its
/// `unit_id` in the change record, which later transfers do not rewrite.
pub async fn hires_between(
    pool: &DatabaseConnection,
    from: &str,
    to: &str,
) -> Result<Vec<String>, DbErr> {
    db::query(
        "SELECT c.after_value FROM employees e JOIN employee_changes c \
         ON c.employee_id = e.id AND c.field = 'unit_id' AND c.before_value = '' \
         WHERE e.recruitment_date >= $1 AND e.recruitment_date <= $2",
    )
    .bind(db::date(from)?)
    .bind(db::date(to)?)
    .scalars(pool)
    .await
}
