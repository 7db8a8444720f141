//! Staffing quotas per unit, year and kind, and the headcount they are compared with.

use super::entities::{employee, quota, unit};
use sea_orm::sea_query::{Expr, Func, OnConflict};
use sea_orm::{
    ColumnTrait as _, EntityTrait as _, JoinType, QueryFilter as _, QueryOrder as _,
    QuerySelect as _, RelationDef, Set,
};
use tinhso_platform::db::{self, DatabaseConnection, DbErr, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaRow {
    pub unit_id: String,
    pub year: i64,
    pub kind: String,
    pub quota: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

/// Sets the quota of (unit, year, kind); returns the previous figure.
pub async fn set(tx: &mut Tx, q: &QuotaRow) -> Result<Option<i64>, DbErr> {
    use quota::Column;
    let previous = quota::Entity::find_by_id((q.unit_id.clone(), q.year, q.kind.clone()))
        .one(&*tx)
        .await?
        .map(|row| row.quota);
    quota::Entity::insert(quota::ActiveModel {
        unit_id: Set(q.unit_id.clone()),
        year: Set(q.year),
        kind: Set(q.kind.clone()),
        quota: Set(q.quota),
        updated_at: Set(db::at(q.updated_at)),
        updated_by: Set(q.updated_by.clone()),
    })
    .on_conflict(
        OnConflict::columns([Column::UnitId, Column::Year, Column::Kind])
            .update_columns([Column::Quota, Column::UpdatedAt, Column::UpdatedBy])
            .to_owned(),
    )
    .exec_without_returning(&*tx)
    .await?;
    Ok(previous)
}

/// quotas.unit_id = units.id, for filtering quotas by the unit's path.
fn quota_unit() -> RelationDef {
    quota::Entity::belongs_to(unit::Entity)
        .from(quota::Column::UnitId)
        .to(unit::Column::Id)
        .into()
}

/// (unit id, kind, quota) of every unit whose path starts with `prefix`, for `year`.
pub async fn quotas_under(
    pool: &DatabaseConnection,
    prefix: &str,
    year: i64,
) -> Result<Vec<(String, String, i64)>, DbErr> {
    quota::Entity::find()
        .select_only()
        .columns([
            quota::Column::UnitId,
            quota::Column::Kind,
            quota::Column::Quota,
        ])
        .join(JoinType::InnerJoin, quota_unit())
        .filter(db::starts_with(unit::Column::Path, prefix))
        .filter(quota::Column::Year.eq(year))
        .into_tuple()
        .all(pool)
        .await
}

/// (unit id, kind, working employees) of every unit whose path starts with `prefix`.
pub async fn headcount_under(
    pool: &DatabaseConnection,
    prefix: &str,
) -> Result<Vec<(String, String, i64)>, DbErr> {
    employee::Entity::find()
        .select_only()
        .columns([employee::Column::UnitId, employee::Column::Kind])
        .expr(Func::count(Expr::col(employee::Column::Id)))
        .filter(db::starts_with(employee::Column::UnitPath, prefix))
        .filter(employee::Column::Status.eq("working"))
        .group_by(employee::Column::UnitId)
        .group_by(employee::Column::Kind)
        .into_tuple()
        .all(pool)
        .await
}

/// The units under `prefix` (itself included), in tree order: (id, name, path).
pub async fn units_under(
    pool: &DatabaseConnection,
    prefix: &str,
) -> Result<Vec<(String, String, String)>, DbErr> {
    unit::Entity::find()
        .select_only()
        .columns([unit::Column::Id, unit::Column::Name, unit::Column::Path])
        .filter(db::starts_with(unit::Column::Path, prefix))
        .filter(unit::Column::Status.eq("active"))
        .order_by_asc(unit::Column::Path)
        .into_tuple()
        .all(pool)
        .await
}
