//! Catalogue entries, the grade groups' step tables and the effective-dated base salary: the
//! reference data the records and the salary rules read. Seeds fill only what is still empty.

use super::col;
use crate::domain::{catalogues, grades, salary};
use tinhso_platform::db::{Db, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRow {
    pub catalogue: String,
    pub code: String,
    pub name: String,
    pub attribute: String,
    pub sort_order: i64,
    pub active: bool,
    pub updated_at: i64,
    pub updated_by: String,
}

fn entry_from(r: &tinhso_platform::db::Row) -> Result<EntryRow, tinhso_platform::db::DbErr> {
    let active: i64 = col!(r, "active");
    Ok(EntryRow {
        catalogue: col!(r, "catalogue"),
        code: col!(r, "code"),
        name: col!(r, "name"),
        attribute: col!(r, "attribute"),
        sort_order: col!(r, "sort_order"),
        active: active != 0,
        updated_at: col!(r, "updated_at"),
        updated_by: col!(r, "updated_by"),
    })
}

const ENTRY_COLUMNS: &str =
    "catalogue, code, name, attribute, sort_order, active, updated_at, updated_by";

/// Seeds every catalogue, the step table and the base salary that is still empty.
pub async fn seed_missing(db: &Db, now: i64) -> Result<(), tinhso_platform::db::DbErr> {
    let mut tx = db.begin().await?;
    for catalogue in catalogues::CATALOGUES {
        let count: i64 = tinhso_platform::db::query(
            "SELECT COUNT(*) FROM catalogue_entries WHERE catalogue = $1",
        )
        .bind(catalogue.name)
        .scalar(&tx)
        .await?;
        if count > 0 {
            continue;
        }
        for (code, name, attribute, sort_order) in catalogues::seed(catalogue.name) {
            put(
                &mut tx,
                &EntryRow {
                    catalogue: catalogue.name.into(),
                    code,
                    name,
                    attribute,
                    sort_order,
                    active: true,
                    updated_at: now,
                    updated_by: "seed".into(),
                },
            )
            .await?;
        }
    }
    let steps: i64 = tinhso_platform::db::query("SELECT COUNT(*) FROM grade_steps")
        .scalar(&tx)
        .await?;
    if steps == 0 {
        for group in grades::national_table() {
            set_group_steps(&mut tx, group.group.code(), &group.coefficients).await?;
        }
    }
    let bases: i64 = tinhso_platform::db::query("SELECT COUNT(*) FROM base_salaries")
        .scalar(&tx)
        .await?;
    if bases == 0 {
        for b in salary::seed_base_salaries() {
            set_base_salary(&mut tx, &b.from.to_string(), b.vnd, now, "seed").await?;
        }
    }
    tx.commit().await
}

/// The entries of a catalogue in their order; retired ones only when asked.
pub async fn entries(
    pool: &tinhso_platform::db::DatabaseConnection,
    catalogue: &str,
    with_retired: bool,
) -> Result<Vec<EntryRow>, tinhso_platform::db::DbErr> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM catalogue_entries WHERE catalogue = $1 \
         AND (active = 1 OR $2 = 1) ORDER BY sort_order, code"
    );
    tinhso_platform::db::query(sql)
        .bind(catalogue)
        .bind(i64::from(with_retired))
        .fetch_all(pool)
        .await?
        .iter()
        .map(entry_from)
        .collect()
}

/// Every entry of a catalogue, retired ones too, on any connection.
pub async fn entries_on<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    catalogue: &str,
) -> Result<Vec<EntryRow>, tinhso_platform::db::DbErr> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM catalogue_entries WHERE catalogue = $1 ORDER BY sort_order, code"
    );
    tinhso_platform::db::query(sql)
        .bind(catalogue)
        .fetch_all(exec)
        .await?
        .iter()
        .map(entry_from)
        .collect()
}

pub async fn entry<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    catalogue: &str,
    code: &str,
) -> Result<Option<EntryRow>, tinhso_platform::db::DbErr> {
    let sql =
        format!("SELECT {ENTRY_COLUMNS} FROM catalogue_entries WHERE catalogue = $1 AND code = $2");
    tinhso_platform::db::query(sql)
        .bind(catalogue)
        .bind(code)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(entry_from)
        .transpose()
}

/// Inserts or replaces an entry.
pub async fn put(tx: &mut Tx, e: &EntryRow) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query("DELETE FROM catalogue_entries WHERE catalogue = $1 AND code = $2")
        .bind(&e.catalogue)
        .bind(&e.code)
        .execute(&*tx)
        .await?;
    let sql = format!(
        "INSERT INTO catalogue_entries ({ENTRY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    );
    tinhso_platform::db::query(sql)
        .bind(&e.catalogue)
        .bind(&e.code)
        .bind(&e.name)
        .bind(&e.attribute)
        .bind(e.sort_order)
        .bind(i64::from(e.active))
        .bind(e.updated_at)
        .bind(&e.updated_by)
        .execute(&*tx)
        .await?;
    Ok(())
}

/// Every group's coefficients, step 1 first, by group code.
pub async fn group_steps<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
) -> Result<Vec<(String, Vec<u32>)>, tinhso_platform::db::DbErr> {
    let rows = tinhso_platform::db::query(
        "SELECT grade_group, step, coefficient FROM grade_steps ORDER BY grade_group, step",
    )
    .fetch_all(exec)
    .await?;
    let mut groups: Vec<(String, Vec<u32>)> = Vec::new();
    for r in &rows {
        let group: String = col!(r, "grade_group");
        let coefficient: i64 = col!(r, "coefficient");
        let coefficient = u32::try_from(coefficient).unwrap_or_default();
        match groups.last_mut() {
            Some((g, steps)) if *g == group => steps.push(coefficient),
            _ => groups.push((group, vec![coefficient])),
        }
    }
    Ok(groups)
}

/// The step table of one group, as the salary rules use it.
pub async fn steps_of<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    group: &str,
) -> Result<Option<grades::GroupSteps>, tinhso_platform::db::DbErr> {
    let Some(g) = grades::GradeGroup::from_code(group) else {
        return Ok(None);
    };
    let rows: Vec<i64> = tinhso_platform::db::query(
        "SELECT coefficient FROM grade_steps WHERE grade_group = $1 ORDER BY step",
    )
    .bind(group)
    .scalars(exec)
    .await?;
    Ok((!rows.is_empty()).then(|| grades::GroupSteps {
        group: g,
        coefficients: rows
            .into_iter()
            .map(|c| u32::try_from(c).unwrap_or_default())
            .collect(),
    }))
}

/// Replaces a group's step table.
pub async fn set_group_steps(
    tx: &mut Tx,
    group: &str,
    coefficients: &[u32],
) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query("DELETE FROM grade_steps WHERE grade_group = $1")
        .bind(group)
        .execute(&*tx)
        .await?;
    for (step, coefficient) in (1_i64..).zip(coefficients) {
        tinhso_platform::db::query(
            "INSERT INTO grade_steps (grade_group, step, coefficient) VALUES ($1, $2, $3)",
        )
        .bind(group)
        .bind(step)
        .bind(i64::from(*coefficient))
        .execute(&*tx)
        .await?;
    }
    Ok(())
}

/// The base salary table: (from date, đồng, updated_at, updated_by), oldest first.
pub async fn base_salaries<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
) -> Result<Vec<(String, i64, i64, String)>, tinhso_platform::db::DbErr> {
    tinhso_platform::db::query(
        "SELECT from_date, vnd, updated_at, updated_by FROM base_salaries ORDER BY from_date",
    )
    .fetch_all(exec)
    .await?
    .iter()
    .map(|r| {
        Ok((
            col!(r, "from_date"),
            col!(r, "vnd"),
            col!(r, "updated_at"),
            col!(r, "updated_by"),
        ))
    })
    .collect()
}

/// The base salary table as the salary rules use it.
pub async fn base_salary_table<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
) -> Result<Vec<salary::BaseSalary>, tinhso_platform::db::DbErr> {
    Ok(base_salaries(exec)
        .await?
        .into_iter()
        .filter_map(|(from, vnd, _, _)| {
            Some(salary::BaseSalary {
                from: tinhso_platform::api::parse_date(&from)?,
                vnd,
            })
        })
        .collect())
}

/// Sets the base salary in force from `from` (replacing a figure for the same date).
pub async fn set_base_salary(
    tx: &mut Tx,
    from: &str,
    vnd: i64,
    now: i64,
    by: &str,
) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query("DELETE FROM base_salaries WHERE from_date = $1")
        .bind(from)
        .execute(&*tx)
        .await?;
    tinhso_platform::db::query(
        "INSERT INTO base_salaries (from_date, vnd, updated_at, updated_by) VALUES ($1, $2, $3, $4)",
    )
    .bind(from)
    .bind(vnd)
    .bind(now)
    .bind(by)
    .execute(&*tx)
    .await?;
    Ok(())
}

/// One change to the reference data: a catalogue entry, a group's step table or a base salary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceChange {
    pub at: i64,
    pub actor_id: String,
    pub actor_username: String,
    /// `catalogue:<name>`, `grade_group` or `base_salary`.
    pub what: String,
    /// The code, group or date changed.
    pub item: String,
    pub before: String,
    pub after: String,
}

pub async fn record_reference_change(
    tx: &mut Tx,
    c: &ReferenceChange,
) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query(
        "INSERT INTO reference_changes (at, actor_id, actor_username, what, item, before_value, \
         after_value) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(c.at)
    .bind(&c.actor_id)
    .bind(&c.actor_username)
    .bind(&c.what)
    .bind(&c.item)
    .bind(&c.before)
    .bind(&c.after)
    .execute(&*tx)
    .await?;
    Ok(())
}

/// Changes to the reference data, newest first.
pub async fn reference_changes(
    pool: &tinhso_platform::db::DatabaseConnection,
    limit: i64,
    offset: i64,
) -> Result<Vec<ReferenceChange>, tinhso_platform::db::DbErr> {
    let sql = format!(
        "SELECT at, actor_id, actor_username, what, item, before_value, after_value \
         FROM reference_changes ORDER BY id DESC LIMIT {limit} OFFSET {offset}"
    );
    tinhso_platform::db::query(sql)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(ReferenceChange {
                at: col!(r, "at"),
                actor_id: col!(r, "actor_id"),
                actor_username: col!(r, "actor_username"),
                what: col!(r, "what"),
                item: col!(r, "item"),
                before: col!(r, "before_value"),
                after: col!(r, "after_value"),
            })
        })
        .collect()
}
