//! Accounts: rows (with the unit path joined in), login state and searches.

use super::{col, flag};
use crate::domain::accounts::LoginState;
use tinhso_platform::db::Row;
use tinhso_platform::db::Tx;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountRow {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub position: String,
    pub department: String,
    pub phone: String,
    pub email: String,
    pub unit_id: String,
    pub unit_path: String,
    pub kind: String,
    pub status: String,
    pub personnel_id: String,
    #[serde(skip)]
    pub password_hash: String,
    pub must_change_password: bool,
    pub password_expires_at: Option<i64>,
    #[serde(skip)]
    pub login: LoginState,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const SELECT: &str = "SELECT a.id, a.username, a.full_name, a.position, a.department, a.phone, a.email, a.unit_id, u.path AS unit_path, \
     a.kind, a.status, a.personnel_id, a.password_hash, a.must_change_password, a.password_expires_at, a.failed_count, \
     a.failed_window_start, a.locked_until, a.version, a.created_at, a.updated_at \
     FROM accounts a JOIN units u ON u.id = a.unit_id";

fn from_row(row: &Row) -> Result<AccountRow, tinhso_platform::db::DbErr> {
    let must: i64 = col!(row, "must_change_password");
    Ok(AccountRow {
        id: col!(row, "id"),
        username: col!(row, "username"),
        full_name: col!(row, "full_name"),
        position: col!(row, "position"),
        department: col!(row, "department"),
        phone: col!(row, "phone"),
        email: col!(row, "email"),
        unit_id: col!(row, "unit_id"),
        unit_path: col!(row, "unit_path"),
        kind: col!(row, "kind"),
        status: col!(row, "status"),
        personnel_id: col!(row, "personnel_id"),
        password_hash: col!(row, "password_hash"),
        must_change_password: must != 0,
        password_expires_at: col!(row, "password_expires_at"),
        login: LoginState {
            failed_count: col!(row, "failed_count"),
            window_start_ms: col!(row, "failed_window_start"),
            locked_until_ms: col!(row, "locked_until"),
        },
        version: col!(row, "version"),
        created_at: col!(row, "created_at"),
        updated_at: col!(row, "updated_at"),
    })
}

pub async fn get<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    id: &str,
) -> Result<Option<AccountRow>, tinhso_platform::db::DbErr> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    tinhso_platform::db::query(sql)
        .bind(id)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn by_username<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    username: &str,
) -> Result<Option<AccountRow>, tinhso_platform::db::DbErr> {
    let sql = format!("{SELECT} WHERE a.username = $1");
    tinhso_platform::db::query(sql)
        .bind(username)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn insert(tx: &mut Tx, a: &AccountRow) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query(
        "INSERT INTO accounts (id, username, full_name, search_folded, position, department, phone, email, unit_id, kind, status, personnel_id, \
         password_hash, must_change_password, password_expires_at, failed_count, failed_window_start, locked_until, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
    )
    .bind(&a.id)
    .bind(&a.username)
    .bind(&a.full_name)
    .bind(search_text(a))
    .bind(&a.position)
    .bind(&a.department)
    .bind(&a.phone)
    .bind(&a.email)
    .bind(&a.unit_id)
    .bind(&a.kind)
    .bind(&a.status)
    .bind(&a.personnel_id)
    .bind(&a.password_hash)
    .bind(flag(a.must_change_password))
    .bind(a.password_expires_at)
    .bind(a.login.failed_count)
    .bind(a.login.window_start_ms)
    .bind(a.login.locked_until_ms)
    .bind(a.version)
    .bind(a.created_at)
    .bind(a.updated_at)
    .execute(&*tx)
    .await?;
    Ok(())
}

fn search_text(a: &AccountRow) -> String {
    tinhso_platform::vn::fold(&format!("{} {} {}", a.username, a.full_name, a.email))
}

/// Writes every field if the version is still `expected_version`; false when stale.
pub async fn update(
    tx: &mut Tx,
    a: &AccountRow,
    expected_version: i64,
) -> Result<bool, tinhso_platform::db::DbErr> {
    let done = tinhso_platform::db::query(
        "UPDATE accounts SET full_name = $1, search_folded = $2, position = $3, department = $4, phone = $5, email = $6, unit_id = $7, \
         status = $8, personnel_id = $9, password_hash = $10, must_change_password = $11, password_expires_at = $12, failed_count = $13, \
         failed_window_start = $14, locked_until = $15, version = $16, updated_at = $17 WHERE id = $18 AND version = $19",
    )
    .bind(&a.full_name)
    .bind(search_text(a))
    .bind(&a.position)
    .bind(&a.department)
    .bind(&a.phone)
    .bind(&a.email)
    .bind(&a.unit_id)
    .bind(&a.status)
    .bind(&a.personnel_id)
    .bind(&a.password_hash)
    .bind(flag(a.must_change_password))
    .bind(a.password_expires_at)
    .bind(a.login.failed_count)
    .bind(a.login.window_start_ms)
    .bind(a.login.locked_until_ms)
    .bind(a.version)
    .bind(a.updated_at)
    .bind(&a.id)
    .bind(expected_version)
    .execute(&*tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a login attempt's effect on the lockout state (no version bump: not an edit).
pub async fn set_login_state(
    tx: &mut Tx,
    id: &str,
    s: LoginState,
) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query("UPDATE accounts SET failed_count = $1, failed_window_start = $2, locked_until = $3 WHERE id = $4")
        .bind(s.failed_count)
        .bind(s.window_start_ms)
        .bind(s.locked_until_ms)
        .bind(id)
        .execute(&*tx)
        .await?;
    Ok(())
}

/// Search filters; `scopes` are the unit-path prefixes the caller may see.
#[derive(Debug, Default)]
pub struct Search {
    pub scopes: Vec<String>,
    pub under_path: Option<String>,
    pub query: Option<String>,
    pub status: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

pub async fn search(
    pool: &tinhso_platform::db::DatabaseConnection,
    s: &Search,
) -> Result<Vec<AccountRow>, tinhso_platform::db::DbErr> {
    if s.scopes.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = format!("{SELECT} WHERE (");
    let mut args: Vec<String> = Vec::new();
    for (i, scope) in s.scopes.iter().enumerate() {
        if i > 0 {
            sql.push_str(" OR ");
        }
        args.push(format!("{scope}%"));
        sql.push_str(&format!("u.path LIKE ${}", args.len()));
    }
    sql.push(')');
    if let Some(p) = &s.under_path {
        args.push(format!("{p}%"));
        sql.push_str(&format!(" AND u.path LIKE ${}", args.len()));
    }
    if let Some(q) = &s.query {
        args.push(format!(
            "%{}%",
            tinhso_platform::vn::fold(q).replace(['%', '_'], "")
        ));
        sql.push_str(&format!(" AND a.search_folded LIKE ${}", args.len()));
    }
    if let Some(st) = &s.status {
        args.push(st.clone());
        sql.push_str(&format!(" AND a.status = ${}", args.len()));
    }
    sql.push_str(&format!(
        " ORDER BY a.username LIMIT {} OFFSET {}",
        s.limit, s.offset
    ));
    let mut query = tinhso_platform::db::query(sql);
    for a in args {
        query = query.bind(a);
    }
    query.fetch_all(pool).await?.iter().map(from_row).collect()
}

/// Ids of the accounts whose unit lies under `prefix`.
pub async fn ids_under(
    tx: &mut Tx,
    prefix: &str,
) -> Result<Vec<(String, String)>, tinhso_platform::db::DbErr> {
    let rows = tinhso_platform::db::query("SELECT a.id, a.username FROM accounts a JOIN units u ON u.id = a.unit_id WHERE u.path LIKE $1")
        .bind(format!("{prefix}%"))
        .fetch_all(&*tx)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get_by_index(0)?, r.try_get_by_index(1)?)))
        .collect()
}

/// Moves every account of `from_unit` to `to_unit` (merges); returns their ids.
pub async fn move_all(
    tx: &mut Tx,
    from_unit: &str,
    to_unit: &str,
    now: i64,
) -> Result<Vec<String>, tinhso_platform::db::DbErr> {
    let rows = tinhso_platform::db::query("SELECT id FROM accounts WHERE unit_id = $1")
        .bind(from_unit)
        .fetch_all(&*tx)
        .await?;
    let ids: Vec<String> = rows
        .iter()
        .map(|r| r.try_get_by_index(0))
        .collect::<Result<_, _>>()?;
    tinhso_platform::db::query("UPDATE accounts SET unit_id = $1, version = version + 1, updated_at = $2 WHERE unit_id = $3")
        .bind(to_unit)
        .bind(now)
        .bind(from_unit)
        .execute(&*tx)
        .await?;
    Ok(ids)
}

pub async fn count_active_in(
    tx: &mut Tx,
    unit_id: &str,
) -> Result<i64, tinhso_platform::db::DbErr> {
    let row = tinhso_platform::db::query(
        "SELECT COUNT(*) FROM accounts WHERE unit_id = $1 AND status = 'active'",
    )
    .bind(unit_id)
    .fetch_one(&*tx)
    .await?;
    row.try_get_by_index(0)
}
