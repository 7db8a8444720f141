//! The replica of identity's unit tree: what personnel needs of a unit (its path for
//! permissions, its code and name for people), kept current by identity's unit events.

use super::entities::{employee, unit};
use sea_orm::sea_query::{Func, OnConflict};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, QuerySelect as _, Set,
};
use tinhso_platform::db::{self, DatabaseConnection, DbErr, Tx};

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

impl From<unit::Model> for UnitRow {
    fn from(u: unit::Model) -> Self {
        Self {
            id: u.id,
            code: u.code,
            name: u.name,
            path: u.path,
            status: u.status,
            kind: u.kind,
        }
    }
}

pub async fn get(conn: &impl ConnectionTrait, id: &str) -> Result<Option<UnitRow>, DbErr> {
    Ok(unit::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(UnitRow::from))
}

/// Inserts a unit or replaces what the replica knew of it.
pub async fn upsert(tx: &mut Tx, u: &UnitRow) -> Result<(), DbErr> {
    use unit::Column;
    unit::Entity::insert(unit::ActiveModel {
        id: Set(u.id.clone()),
        code: Set(u.code.clone()),
        name: Set(u.name.clone()),
        path: Set(u.path.clone()),
        status: Set(u.status.clone()),
        kind: Set(u.kind.clone()),
    })
    .on_conflict(
        OnConflict::column(Column::Id)
            .update_columns([
                Column::Code,
                Column::Name,
                Column::Path,
                Column::Status,
                Column::Kind,
            ])
            .to_owned(),
    )
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

/// `column` with the prefix `old` replaced by `new` (concat and substr read the same on both
/// backends).
fn rebased(column: impl sea_orm::ColumnTrait, old: &str, new: &str) -> sea_orm::sea_query::Expr {
    use sea_orm::sea_query::{Expr, ExprTrait as _};
    let kept = Func::cust("substr")
        .arg(Expr::col(column.as_column_ref()))
        .arg(Expr::val(old.chars().count() as i64 + 1).cast_as("INTEGER"));
    Func::cust("concat").arg(new).arg(kept).into()
}

/// Rewrites every path under `old` (units and employee records) to start with `new`.
pub async fn rebase(tx: &mut Tx, old: &str, new: &str) -> Result<(), DbErr> {
    unit::Entity::update_many()
        .col_expr(unit::Column::Path, rebased(unit::Column::Path, old, new))
        .filter(db::starts_with(unit::Column::Path, old))
        .exec(&*tx)
        .await?;
    employee::Entity::update_many()
        .col_expr(
            employee::Column::UnitPath,
            rebased(employee::Column::UnitPath, old, new),
        )
        .filter(db::starts_with(employee::Column::UnitPath, old))
        .exec(&*tx)
        .await?;
    Ok(())
}

/// (id, name) of every unit in the replica, for printing.
pub async fn names(pool: &DatabaseConnection) -> Result<Vec<(String, String)>, DbErr> {
    unit::Entity::find()
        .select_only()
        .columns([unit::Column::Id, unit::Column::Name])
        .into_tuple()
        .all(pool)
        .await
}

/// Every active unit, for lookups by code.
pub async fn active(conn: &impl ConnectionTrait) -> Result<Vec<UnitRow>, DbErr> {
    Ok(unit::Entity::find()
        .filter(unit::Column::Status.eq("active"))
        .all(conn)
        .await?
        .into_iter()
        .map(UnitRow::from)
        .collect())
}
