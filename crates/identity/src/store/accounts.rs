//! Accounts: rows (with the unit path joined in), login state and searches.

use super::entities::kinds::{AccountKind, AccountStatus};
use super::entities::{account, unit};
use crate::domain::accounts::LoginState;
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ActiveEnum as _, ColumnTrait as _, ConnectionTrait, EntityTrait as _, PaginatorTrait as _,
    QueryFilter as _, QueryOrder as _, QuerySelect as _, Select, SelectTwo, Set,
};
use tinhso_platform::db::{self, DatabaseConnection, DbErr, Tx};
use tinhso_platform::{AccountId, EmployeeId, UnitId, UnitPath};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountRow {
    pub id: AccountId,
    pub username: String,
    pub full_name: String,
    pub position: String,
    pub department: String,
    pub phone: String,
    pub email: String,
    pub unit_id: UnitId,
    pub unit_path: UnitPath,
    pub kind: String,
    pub status: String,
    /// The linked personnel record, empty when none.
    pub personnel_id: EmployeeId,
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

/// A moment of the login state: 0 (none) is stored as no value.
fn moment(ms: i64) -> Option<time::OffsetDateTime> {
    (ms != 0).then(|| db::at(ms))
}

fn row(a: account::Model, unit: Option<unit::Model>) -> AccountRow {
    AccountRow {
        id: AccountId::new(a.id.to_string()),
        username: a.username,
        full_name: a.full_name,
        position: a.position,
        department: a.department,
        phone: a.phone,
        email: a.email,
        unit_id: UnitId::new(a.unit_id.to_string()),
        unit_path: UnitPath::new(unit.map(|u| u.path).unwrap_or_default()),
        kind: a.kind.to_value(),
        status: a.status.to_value(),
        personnel_id: EmployeeId::new(a.personnel_id),
        password_hash: a.password_hash,
        must_change_password: a.must_change_password,
        password_expires_at: a.password_expires_at.map(db::millis),
        login: LoginState {
            failed_count: a.failed_count,
            window_start_ms: a.failed_window_start.map(db::millis).unwrap_or(0),
            locked_until_ms: a.locked_until.map(db::millis).unwrap_or(0),
        },
        version: a.version,
        created_at: db::millis(a.created_at),
        updated_at: db::millis(a.updated_at),
    }
}

/// Every column an edit writes (not the id, kind, username or creation time).
fn edited(a: &AccountRow) -> Result<account::ActiveModel, DbErr> {
    Ok(account::ActiveModel {
        full_name: Set(a.full_name.clone()),
        search_folded: Set(search_text(a)),
        position: Set(a.position.clone()),
        department: Set(a.department.clone()),
        phone: Set(a.phone.clone()),
        email: Set(a.email.clone()),
        unit_id: Set(db::uuid_of(&a.unit_id)?),
        status: Set(AccountStatus::try_from_value(&a.status)?),
        personnel_id: Set(a.personnel_id.to_string()),
        password_hash: Set(a.password_hash.clone()),
        must_change_password: Set(a.must_change_password),
        password_expires_at: Set(a.password_expires_at.map(db::at)),
        failed_count: Set(a.login.failed_count),
        failed_window_start: Set(moment(a.login.window_start_ms)),
        locked_until: Set(moment(a.login.locked_until_ms)),
        version: Set(a.version),
        updated_at: Set(db::at(a.updated_at)),
        ..Default::default()
    })
}

fn with_unit(select: Select<account::Entity>) -> SelectTwo<account::Entity, unit::Entity> {
    select.find_also_related(unit::Entity)
}

async fn one(
    conn: &impl ConnectionTrait,
    select: Select<account::Entity>,
) -> Result<Option<AccountRow>, DbErr> {
    Ok(with_unit(select).one(conn).await?.map(|(a, u)| row(a, u)))
}

pub async fn get(conn: &impl ConnectionTrait, id: &str) -> Result<Option<AccountRow>, DbErr> {
    let Some(id) = db::uuid(id) else {
        return Ok(None);
    };
    one(conn, account::Entity::find_by_id(id)).await
}

/// The account a create request with this idempotency key made, if any.
pub async fn by_request_id(
    conn: &impl ConnectionTrait,
    request_id: &str,
) -> Result<Option<AccountRow>, DbErr> {
    one(
        conn,
        account::Entity::find().filter(account::Column::RequestId.eq(request_id)),
    )
    .await
}

pub async fn by_username(
    conn: &impl ConnectionTrait,
    username: &str,
) -> Result<Option<AccountRow>, DbErr> {
    one(
        conn,
        account::Entity::find().filter(account::Column::Username.eq(username)),
    )
    .await
}

pub async fn insert(tx: &mut Tx, a: &AccountRow, request_id: Option<&str>) -> Result<(), DbErr> {
    let mut model = edited(a)?;
    model.id = Set(db::uuid_of(&a.id)?);
    model.request_id = Set(request_id.filter(|r| !r.is_empty()).map(str::to_string));
    model.username = Set(a.username.clone());
    model.kind = Set(AccountKind::try_from_value(&a.kind)?);
    model.created_at = Set(db::at(a.created_at));
    account::Entity::insert(model)
        .exec_without_returning(&*tx)
        .await?;
    Ok(())
}

fn search_text(a: &AccountRow) -> String {
    tinhso_platform::vn::fold(&format!("{} {} {}", a.username, a.full_name, a.email))
}

/// Writes every field if the version is still `expected_version`; false when stale.
pub async fn update(tx: &mut Tx, a: &AccountRow, expected_version: i64) -> Result<bool, DbErr> {
    let done = account::Entity::update_many()
        .set(edited(a)?)
        .filter(account::Column::Id.eq(db::uuid_of(&a.id)?))
        .filter(account::Column::Version.eq(expected_version))
        .exec(&*tx)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Records a login attempt's effect on the lockout state (no version bump: not an edit).
pub async fn set_login_state(tx: &mut Tx, id: &str, s: LoginState) -> Result<(), DbErr> {
    account::Entity::update_many()
        .set(account::ActiveModel {
            failed_count: Set(s.failed_count),
            failed_window_start: Set(moment(s.window_start_ms)),
            locked_until: Set(moment(s.locked_until_ms)),
            ..Default::default()
        })
        .filter(account::Column::Id.eq(db::uuid_of(id)?))
        .exec(&*tx)
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

pub async fn search(pool: &DatabaseConnection, s: &Search) -> Result<Vec<AccountRow>, DbErr> {
    let mut select =
        with_unit(account::Entity::find()).filter(db::under_any(unit::Column::Path, &s.scopes));
    if let Some(p) = &s.under_path {
        select = select.filter(db::starts_with(unit::Column::Path, p));
    }
    if let Some(q) = &s.query {
        let folded = tinhso_platform::vn::fold(q);
        select = select.filter(db::contains(account::Column::SearchFolded, &folded));
    }
    if let Some(st) = &s.status {
        select = select.filter(account::Column::Status.eq(AccountStatus::try_from_value(st)?));
    }
    Ok(select
        .order_by_asc(account::Column::Username)
        .limit(u64::try_from(s.limit).unwrap_or(0))
        .offset(u64::try_from(s.offset).unwrap_or(0))
        .all(pool)
        .await?
        .into_iter()
        .map(|(a, u)| row(a, u))
        .collect())
}

/// Ids and usernames of the accounts whose unit lies under `prefix`.
pub async fn ids_under(tx: &mut Tx, prefix: &str) -> Result<Vec<(String, String)>, DbErr> {
    let rows: Vec<(uuid::Uuid, String)> = account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .column(account::Column::Username)
        .inner_join(unit::Entity)
        .filter(db::starts_with(unit::Column::Path, prefix))
        .into_tuple()
        .all(&*tx)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, username)| (id.to_string(), username))
        .collect())
}

/// Moves every account of `from_unit` to `to_unit` (merges); returns their ids.
pub async fn move_all(
    tx: &mut Tx,
    from_unit: &str,
    to_unit: &str,
    now: i64,
) -> Result<Vec<String>, DbErr> {
    let (from_unit, to_unit) = (db::uuid_of(from_unit)?, db::uuid_of(to_unit)?);
    let ids: Vec<uuid::Uuid> = account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .filter(account::Column::UnitId.eq(from_unit))
        .into_tuple()
        .all(&*tx)
        .await?;
    account::Entity::update_many()
        .col_expr(account::Column::UnitId, Expr::val(to_unit))
        .col_expr(
            account::Column::Version,
            Expr::col(account::Column::Version).add(1),
        )
        .col_expr(account::Column::UpdatedAt, Expr::val(db::at(now)))
        .filter(account::Column::UnitId.eq(from_unit))
        .exec(&*tx)
        .await?;
    Ok(ids.iter().map(ToString::to_string).collect())
}

pub async fn count_active_in(tx: &mut Tx, unit_id: &str) -> Result<i64, DbErr> {
    let active = account::Entity::find()
        .filter(account::Column::UnitId.eq(db::uuid_of(unit_id)?))
        .filter(account::Column::Status.eq(AccountStatus::Active))
        .count(&*tx)
        .await?;
    Ok(active as i64)
}
