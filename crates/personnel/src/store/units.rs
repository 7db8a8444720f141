//! The replica of identity's unit tree: what personnel needs of a unit (its path for
//! permissions, its code and name for people), kept current by identity's unit events.

use super::col;
use tinhso_platform::db::Tx;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub path: String,
    pub status: String,
    /// Identity's unit kind, e.g. "department", "district" (empty if the event predates it).
    pub kind: String,
}

const COLUMNS: &str = "id, code, name, path, status, kind";

pub(crate) fn from_row(r: &sqlx::any::AnyRow) -> Result<UnitRow, sqlx::Error> {
    Ok(UnitRow {
        id: col!(r, "id"),
        code: col!(r, "code"),
        name: col!(r, "name"),
        path: col!(r, "path"),
        status: col!(r, "status"),
        kind: col!(r, "kind"),
    })
}

pub async fn get<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    exec: E,
    id: &str,
) -> Result<Option<UnitRow>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM units WHERE id = $1"));
    sqlx::query(sql)
        .bind(id)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Inserts or replaces a unit.
pub async fn upsert(tx: &mut Tx<'_>, u: &UnitRow) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM units WHERE id = $1")
        .bind(&u.id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO units (id, code, name, path, status, kind) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&u.id)
    .bind(&u.code)
    .bind(&u.name)
    .bind(&u.path)
    .bind(&u.status)
    .bind(&u.kind)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Rewrites every path under `old` (units and employee records) to start with `new`.
pub async fn rebase(tx: &mut Tx<'_>, old: &str, new: &str) -> Result<(), sqlx::Error> {
    let prefix_len = i64::try_from(old.chars().count()).unwrap_or(i64::MAX);
    for table_column in [("units", "path"), ("employees", "unit_path")] {
        let (table, column) = table_column;
        let sql = format!(
            "UPDATE {table} SET {column} = $1 || substr({column}, CAST($2 AS INTEGER)) WHERE {column} LIKE $3"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(new)
            .bind(prefix_len + 1)
            .bind(format!("{old}%"))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// (id, name) of every unit in the replica, for printing.
pub async fn names(pool: &sqlx::AnyPool) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query("SELECT id, name FROM units")
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| Ok((col!(r, "id"), col!(r, "name"))))
        .collect()
}

/// Every active unit, for lookups by code.
pub async fn active<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    exec: E,
) -> Result<Vec<UnitRow>, sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM units WHERE status = 'active'"
    ));
    sqlx::query(sql)
        .fetch_all(exec)
        .await?
        .iter()
        .map(from_row)
        .collect()
}
