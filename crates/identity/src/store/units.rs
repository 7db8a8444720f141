//! Units: rows, lookups and path rewrites for moves and merges.

use super::col;
use tinhso_platform::db::Row;
use tinhso_platform::db::Tx;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnitRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub path: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub status: String,
    pub merged_into_id: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, code, name, kind, parent_id, path, valid_from, valid_to, status, merged_into_id, version, created_at, updated_at";

fn from_row(row: &Row) -> Result<UnitRow, tinhso_platform::db::DbErr> {
    Ok(UnitRow {
        id: col!(row, "id"),
        code: col!(row, "code"),
        name: col!(row, "name"),
        kind: col!(row, "kind"),
        parent_id: col!(row, "parent_id"),
        path: col!(row, "path"),
        valid_from: col!(row, "valid_from"),
        valid_to: col!(row, "valid_to"),
        status: col!(row, "status"),
        merged_into_id: col!(row, "merged_into_id"),
        version: col!(row, "version"),
        created_at: col!(row, "created_at"),
        updated_at: col!(row, "updated_at"),
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

pub async fn by_request_id(
    tx: &mut Tx,
    request_id: &str,
) -> Result<Option<UnitRow>, tinhso_platform::db::DbErr> {
    let sql = format!("SELECT {COLUMNS} FROM units WHERE request_id = $1");
    tinhso_platform::db::query(sql)
        .bind(request_id)
        .fetch_optional(&*tx)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn code_taken(
    tx: &mut Tx,
    code: &str,
    except_id: &str,
) -> Result<bool, tinhso_platform::db::DbErr> {
    Ok(
        tinhso_platform::db::query("SELECT 1 FROM units WHERE code = $1 AND id <> $2")
            .bind(code)
            .bind(except_id)
            .fetch_optional(&*tx)
            .await?
            .is_some(),
    )
}

/// The unit with `code`, if any (codes are unique).
pub async fn by_code<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    code: &str,
) -> Result<Option<UnitRow>, tinhso_platform::db::DbErr> {
    let sql = format!("SELECT {COLUMNS} FROM units WHERE code = $1");
    tinhso_platform::db::query(sql)
        .bind(code)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn root<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
) -> Result<Option<UnitRow>, tinhso_platform::db::DbErr> {
    let sql =
        format!("SELECT {COLUMNS} FROM units WHERE parent_id IS NULL ORDER BY created_at LIMIT 1");
    tinhso_platform::db::query(sql)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn insert(
    tx: &mut Tx,
    u: &UnitRow,
    request_id: Option<&str>,
) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query(
        "INSERT INTO units (id, code, name, name_folded, kind, parent_id, path, valid_from, valid_to, status, merged_into_id, version, request_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&u.id)
    .bind(&u.code)
    .bind(&u.name)
    .bind(tinhso_platform::vn::fold(&u.name))
    .bind(&u.kind)
    .bind(u.parent_id.clone())
    .bind(&u.path)
    .bind(u.valid_from.clone())
    .bind(u.valid_to.clone())
    .bind(&u.status)
    .bind(u.merged_into_id.clone())
    .bind(u.version)
    .bind(request_id.map(str::to_string))
    .bind(u.created_at)
    .bind(u.updated_at)
    .execute(&*tx)
    .await?;
    Ok(())
}

/// Writes the unit's own fields if its version is still `expected_version`; false when stale.
pub async fn update(
    tx: &mut Tx,
    u: &UnitRow,
    expected_version: i64,
) -> Result<bool, tinhso_platform::db::DbErr> {
    let done = tinhso_platform::db::query(
        "UPDATE units SET code = $1, name = $2, name_folded = $3, kind = $4, parent_id = $5, path = $6, valid_from = $7, valid_to = $8, \
         status = $9, merged_into_id = $10, version = $11, updated_at = $12 WHERE id = $13 AND version = $14",
    )
    .bind(&u.code)
    .bind(&u.name)
    .bind(tinhso_platform::vn::fold(&u.name))
    .bind(&u.kind)
    .bind(u.parent_id.clone())
    .bind(&u.path)
    .bind(u.valid_from.clone())
    .bind(u.valid_to.clone())
    .bind(&u.status)
    .bind(u.merged_into_id.clone())
    .bind(u.version)
    .bind(u.updated_at)
    .bind(&u.id)
    .bind(expected_version)
    .execute(&*tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Rewrites the paths of every strict descendant of `old_prefix` to lie under `new_prefix`.
pub async fn rebase_descendants(
    tx: &mut Tx,
    old_prefix: &str,
    new_prefix: &str,
    now: i64,
) -> Result<u64, tinhso_platform::db::DbErr> {
    let done = tinhso_platform::db::query(
        "UPDATE units SET path = $1 || substr(path, CAST($2 AS INTEGER)), version = version + 1, updated_at = $3 \
         WHERE path LIKE $4 AND path <> $5",
    )
    .bind(new_prefix)
    .bind(old_prefix.chars().count() as i64 + 1)
    .bind(now)
    .bind(format!("{old_prefix}%"))
    .bind(old_prefix)
    .execute(&*tx)
    .await?;
    Ok(done.rows_affected())
}

pub async fn children<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    parent_id: &str,
    include_closed: bool,
) -> Result<Vec<UnitRow>, tinhso_platform::db::DbErr> {
    let sql = format!(
        "SELECT {COLUMNS} FROM units WHERE parent_id = $1 AND ($2 = 1 OR status = 'active') ORDER BY name, id"
    );
    tinhso_platform::db::query(sql)
        .bind(parent_id)
        .bind(i64::from(include_closed))
        .fetch_all(exec)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// Units whose path starts with `prefix` (the unit itself included), in tree order.
pub async fn subtree<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    prefix: &str,
    include_closed: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<UnitRow>, tinhso_platform::db::DbErr> {
    let sql = format!(
        "SELECT {COLUMNS} FROM units WHERE path LIKE $1 AND ($2 = 1 OR status = 'active') ORDER BY path LIMIT $3 OFFSET $4"
    );
    tinhso_platform::db::query(sql)
        .bind(format!("{prefix}%"))
        .bind(i64::from(include_closed))
        .bind(limit)
        .bind(offset)
        .fetch_all(exec)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// Moves the direct children of `from_id` under `to` (used by merges); returns the moved ids.
pub async fn children_ids(
    tx: &mut Tx,
    parent_id: &str,
) -> Result<Vec<String>, tinhso_platform::db::DbErr> {
    let rows = tinhso_platform::db::query("SELECT id FROM units WHERE parent_id = $1")
        .bind(parent_id)
        .fetch_all(&*tx)
        .await?;
    rows.iter().map(|r| r.try_get_by_index(0)).collect()
}

pub async fn count_open_children(tx: &mut Tx, id: &str) -> Result<i64, tinhso_platform::db::DbErr> {
    let row = tinhso_platform::db::query(
        "SELECT COUNT(*) FROM units WHERE parent_id = $1 AND status = 'active'",
    )
    .bind(id)
    .fetch_one(&*tx)
    .await?;
    row.try_get_by_index(0)
}
