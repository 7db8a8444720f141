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

pub(crate) fn from_row(
    r: &tinhso_platform::db::Row,
) -> Result<UnitRow, tinhso_platform::db::DbErr> {
    Ok(UnitRow {
        id: col!(r, "id"),
        code: col!(r, "code"),
        name: col!(r, "name"),
        path: col!(r, "path"),
        status: col!(r, "status"),
        kind: col!(r, "kind"),
    })
}

pub async fn get<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    id: &str,
) -> Result<Option<UnitRow>, tinhso_platform::db::DbErr> {
    let sql = format!("SELECT {COLUMNS} FROM units WHERE id = $1");
    tinhso_platform::db::query(sql)
        .bind(id)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Inserts or replaces a unit.
pub async fn upsert(tx: &mut Tx, u: &UnitRow) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query("DELETE FROM units WHERE id = $1")
        .bind(&u.id)
        .execute(&*tx)
        .await?;
    tinhso_platform::db::query(
        "INSERT INTO units (id, code, name, path, status, kind) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&u.id)
    .bind(&u.code)
    .bind(&u.name)
    .bind(&u.path)
    .bind(&u.status)
    .bind(&u.kind)
    .execute(&*tx)
    .await?;
    Ok(())
}

/// Rewrites every path under `old` (units and employee records) to start with `new`.
pub async fn rebase(tx: &mut Tx, old: &str, new: &str) -> Result<(), tinhso_platform::db::DbErr> {
    let prefix_len = i64::try_from(old.chars().count()).unwrap_or(i64::MAX);
    for table_column in [("units", "path"), ("employees", "unit_path")] {
        let (table, column) = table_column;
        let sql = format!(
            "UPDATE {table} SET {column} = $1 || substr({column}, CAST($2 AS INTEGER)) WHERE {column} LIKE $3"
        );
        tinhso_platform::db::query(sql)
            .bind(new)
            .bind(prefix_len + 1)
            .bind(format!("{old}%"))
            .execute(&*tx)
            .await?;
    }
    Ok(())
}

/// (id, name) of every unit in the replica, for printing.
pub async fn names(
    pool: &tinhso_platform::db::DatabaseConnection,
) -> Result<Vec<(String, String)>, tinhso_platform::db::DbErr> {
    tinhso_platform::db::query("SELECT id, name FROM units")
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| Ok((col!(r, "id"), col!(r, "name"))))
        .collect()
}

/// Every active unit, for lookups by code.
pub async fn active<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
) -> Result<Vec<UnitRow>, tinhso_platform::db::DbErr> {
    let sql = format!("SELECT {COLUMNS} FROM units WHERE status = 'active'");
    tinhso_platform::db::query(sql)
        .fetch_all(exec)
        .await?
        .iter()
        .map(from_row)
        .collect()
}
