//! Roles and grants. A grant's scope path is read through its unit at token time, so unit moves
//! never leave stale scopes behind.

use super::{col, flag};
use tinhso_platform::db::Row;
use tinhso_platform::db::Tx;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RoleRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub permissions: Vec<String>,
    pub builtin: bool,
}

fn role_from_row(row: &Row) -> Result<RoleRow, tinhso_platform::db::DbErr> {
    let perms: String = col!(row, "permissions");
    let builtin: i64 = col!(row, "builtin");
    Ok(RoleRow {
        id: col!(row, "id"),
        code: col!(row, "code"),
        name: col!(row, "name"),
        permissions: perms
            .split(',')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect(),
        builtin: builtin != 0,
    })
}

pub async fn roles<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
) -> Result<Vec<RoleRow>, tinhso_platform::db::DbErr> {
    tinhso_platform::db::query(
        "SELECT id, code, name, permissions, builtin FROM roles ORDER BY builtin DESC, code",
    )
    .fetch_all(exec)
    .await?
    .iter()
    .map(role_from_row)
    .collect()
}

pub async fn role<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    id_or_code: &str,
) -> Result<Option<RoleRow>, tinhso_platform::db::DbErr> {
    tinhso_platform::db::query(
        "SELECT id, code, name, permissions, builtin FROM roles WHERE id = $1 OR code = $1",
    )
    .bind(id_or_code)
    .fetch_optional(exec)
    .await?
    .as_ref()
    .map(role_from_row)
    .transpose()
}

pub async fn insert_role(
    tx: &mut Tx,
    r: &RoleRow,
    now: i64,
) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query("INSERT INTO roles (id, code, name, permissions, builtin, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&r.id)
        .bind(&r.code)
        .bind(&r.name)
        .bind(r.permissions.join(","))
        .bind(flag(r.builtin))
        .bind(now)
        .execute(&*tx)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GrantRow {
    pub id: String,
    pub account_id: String,
    pub role_id: String,
    pub role_code: String,
    pub permissions: Vec<String>,
    /// `unit` or `self`.
    pub scope: String,
    pub scope_unit_id: Option<String>,
    pub scope_unit_path: Option<String>,
    pub created_at: i64,
}

fn grant_from_row(row: &Row) -> Result<GrantRow, tinhso_platform::db::DbErr> {
    let perms: String = col!(row, "permissions");
    Ok(GrantRow {
        id: col!(row, "id"),
        account_id: col!(row, "account_id"),
        role_id: col!(row, "role_id"),
        role_code: col!(row, "code"),
        permissions: perms
            .split(',')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect(),
        scope: col!(row, "scope"),
        scope_unit_id: col!(row, "scope_unit_id"),
        scope_unit_path: col!(row, "path"),
        created_at: col!(row, "created_at"),
    })
}

const GRANT_SELECT: &str = "SELECT g.id, g.account_id, g.role_id, r.code, r.permissions, g.scope, g.scope_unit_id, u.path, g.created_at \
     FROM grants g JOIN roles r ON r.id = g.role_id LEFT JOIN units u ON u.id = g.scope_unit_id";

pub async fn grants_of<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    account_id: &str,
) -> Result<Vec<GrantRow>, tinhso_platform::db::DbErr> {
    let sql = format!("{GRANT_SELECT} WHERE g.account_id = $1 ORDER BY g.created_at, g.id");
    tinhso_platform::db::query(sql)
        .bind(account_id)
        .fetch_all(exec)
        .await?
        .iter()
        .map(grant_from_row)
        .collect()
}

pub async fn grant<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    id: &str,
) -> Result<Option<GrantRow>, tinhso_platform::db::DbErr> {
    let sql = format!("{GRANT_SELECT} WHERE g.id = $1");
    tinhso_platform::db::query(sql)
        .bind(id)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(grant_from_row)
        .transpose()
}

pub async fn insert_grant(
    tx: &mut Tx,
    g: &GrantRow,
    created_by: &str,
) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query("INSERT INTO grants (id, account_id, role_id, scope, scope_unit_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&g.id)
        .bind(&g.account_id)
        .bind(&g.role_id)
        .bind(&g.scope)
        .bind(g.scope_unit_id.clone())
        .bind(created_by)
        .bind(g.created_at)
        .execute(&*tx)
        .await?;
    Ok(())
}

pub async fn delete_grant(tx: &mut Tx, id: &str) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query("DELETE FROM grants WHERE id = $1")
        .bind(id)
        .execute(&*tx)
        .await?;
    Ok(())
}

/// Re-points unit-scoped grants of a merged unit at the target.
pub async fn move_scopes(
    tx: &mut Tx,
    from_unit: &str,
    to_unit: &str,
) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query("UPDATE grants SET scope_unit_id = $1 WHERE scope_unit_id = $2")
        .bind(to_unit)
        .bind(from_unit)
        .execute(&*tx)
        .await?;
    Ok(())
}
