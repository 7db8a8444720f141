//! Roles and grants. A grant's scope path is read through its unit at token time, so unit moves
//! never leave stale scopes behind.

use super::entities::{grant, role, unit};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, FromQueryResult, JoinType,
    QueryFilter as _, QueryOrder as _, QuerySelect as _, RelationTrait as _, Select, Set,
};
use tinhso_platform::db::{self, DbErr, Tx};
use tinhso_platform::{AccountId, UnitId, UnitPath};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RoleRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub permissions: Vec<String>,
    pub builtin: bool,
}

/// The permission names of a role's JSON array (anything else in it is ignored).
fn permissions(json: &serde_json::Value) -> Vec<String> {
    json.as_array()
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

impl From<role::Model> for RoleRow {
    fn from(r: role::Model) -> Self {
        Self {
            permissions: permissions(&r.permissions),
            id: r.id.to_string(),
            code: r.code,
            name: r.name,
            builtin: r.builtin,
        }
    }
}

pub async fn roles(conn: &impl ConnectionTrait) -> Result<Vec<RoleRow>, DbErr> {
    Ok(role::Entity::find()
        .order_by_desc(role::Column::Builtin)
        .order_by_asc(role::Column::Code)
        .all(conn)
        .await?
        .into_iter()
        .map(RoleRow::from)
        .collect())
}

pub async fn role(conn: &impl ConnectionTrait, id_or_code: &str) -> Result<Option<RoleRow>, DbErr> {
    Ok(role::Entity::find()
        .filter(match db::uuid(id_or_code) {
            Some(id) => sea_orm::Condition::any()
                .add(role::Column::Id.eq(id))
                .add(role::Column::Code.eq(id_or_code)),
            None => sea_orm::Condition::all().add(role::Column::Code.eq(id_or_code)),
        })
        .one(conn)
        .await?
        .map(RoleRow::from))
}

/// Replaces a role's permissions (a built-in role brought to a newer release).
pub async fn set_role_permissions(
    tx: &mut Tx,
    id: &str,
    permissions: &[String],
) -> Result<(), DbErr> {
    role::Entity::update_many()
        .col_expr(
            role::Column::Permissions,
            sea_orm::sea_query::Expr::value(serde_json::json!(permissions)),
        )
        .filter(role::Column::Id.eq(db::uuid_of(id)?))
        .exec(&*tx)
        .await?;
    Ok(())
}

pub async fn insert_role(tx: &mut Tx, r: &RoleRow, now: i64) -> Result<(), DbErr> {
    role::Entity::insert(role::ActiveModel {
        id: Set(db::uuid_of(&r.id)?),
        code: Set(r.code.clone()),
        name: Set(r.name.clone()),
        permissions: Set(serde_json::json!(r.permissions)),
        builtin: Set(r.builtin),
        created_at: Set(db::at(now)),
    })
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GrantRow {
    pub id: String,
    pub account_id: AccountId,
    pub role_id: String,
    pub role_code: String,
    pub permissions: Vec<String>,
    /// `unit` or `self`.
    pub scope: String,
    pub scope_unit_id: Option<UnitId>,
    pub scope_unit_path: Option<UnitPath>,
    pub created_at: i64,
}

/// A grant with its role's code and permissions and its unit's path.
#[derive(Debug, FromQueryResult)]
struct GrantView {
    id: uuid::Uuid,
    account_id: uuid::Uuid,
    role_id: uuid::Uuid,
    code: String,
    permissions: serde_json::Value,
    scope: String,
    scope_unit_id: Option<uuid::Uuid>,
    path: Option<String>,
    created_at: time::OffsetDateTime,
}

impl From<GrantView> for GrantRow {
    fn from(g: GrantView) -> Self {
        Self {
            permissions: permissions(&g.permissions),
            id: g.id.to_string(),
            account_id: AccountId::new(g.account_id.to_string()),
            role_id: g.role_id.to_string(),
            role_code: g.code,
            scope: g.scope,
            scope_unit_id: g.scope_unit_id.map(|id| UnitId::new(id.to_string())),
            scope_unit_path: g.path.map(UnitPath::new),
            created_at: db::millis(g.created_at),
        }
    }
}

fn grants() -> Select<grant::Entity> {
    grant::Entity::find()
        .select_only()
        .columns([
            grant::Column::Id,
            grant::Column::AccountId,
            grant::Column::RoleId,
            grant::Column::Scope,
            grant::Column::ScopeUnitId,
            grant::Column::CreatedAt,
        ])
        .columns([role::Column::Code, role::Column::Permissions])
        .column(unit::Column::Path)
        .join(JoinType::InnerJoin, grant::Relation::Role.def())
        .join(JoinType::LeftJoin, grant::Relation::ScopeUnit.def())
}

pub async fn grants_of(
    conn: &impl ConnectionTrait,
    account_id: &str,
) -> Result<Vec<GrantRow>, DbErr> {
    let Some(account_id) = db::uuid(account_id) else {
        return Ok(Vec::new());
    };
    Ok(grants()
        .filter(grant::Column::AccountId.eq(account_id))
        .order_by_asc(grant::Column::CreatedAt)
        .order_by_asc(grant::Column::Id)
        .into_model::<GrantView>()
        .all(conn)
        .await?
        .into_iter()
        .map(GrantRow::from)
        .collect())
}

pub async fn grant(conn: &impl ConnectionTrait, id: &str) -> Result<Option<GrantRow>, DbErr> {
    let Some(id) = db::uuid(id) else {
        return Ok(None);
    };
    Ok(grants()
        .filter(grant::Column::Id.eq(id))
        .into_model::<GrantView>()
        .one(conn)
        .await?
        .map(GrantRow::from))
}

pub async fn insert_grant(tx: &mut Tx, g: &GrantRow, created_by: &str) -> Result<(), DbErr> {
    grant::Entity::insert(grant::ActiveModel {
        id: Set(db::uuid_of(&g.id)?),
        account_id: Set(db::uuid_of(&g.account_id)?),
        role_id: Set(db::uuid_of(&g.role_id)?),
        scope: Set(g.scope.clone()),
        scope_unit_id: Set(g.scope_unit_id.as_deref().map(db::uuid_of).transpose()?),
        created_by: Set(created_by.to_string()),
        created_at: Set(db::at(g.created_at)),
    })
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

pub async fn delete_grant(tx: &mut Tx, id: &str) -> Result<(), DbErr> {
    grant::Entity::delete_by_id(db::uuid_of(id)?)
        .exec(&*tx)
        .await?;
    Ok(())
}

/// Re-points unit-scoped grants of a merged unit at the target.
pub async fn move_scopes(tx: &mut Tx, from_unit: &str, to_unit: &str) -> Result<(), DbErr> {
    grant::Entity::update_many()
        .set(grant::ActiveModel {
            scope_unit_id: Set(Some(db::uuid_of(to_unit)?)),
            ..Default::default()
        })
        .filter(grant::Column::ScopeUnitId.eq(db::uuid_of(from_unit)?))
        .exec(&*tx)
        .await?;
    Ok(())
}
