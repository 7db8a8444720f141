//! The effective-dated parameters: the national seed where a value is missing, the values in
//! force, and a change by the Finance administrator with its audit row (who, when, before,
//! after). A change never rewrites a computed period: periods keep their own lines.

use super::entities::{parameter_change, parameter_value};
use crate::domain::parameters::{ParameterKind, ParameterValue, national_seed};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, QueryOrder as _, Set,
};
use tinhso_platform::db::{self, Db, DbErr, Tx};

/// Who changes a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: String,
    pub username: String,
}

/// One change as the audit shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterChange {
    pub at: i64,
    pub actor_username: String,
    pub kind: String,
    pub from: time::Date,
    pub before: String,
    pub after: String,
}

fn summary(value: i64, basis: &str) -> String {
    format!("{value} | {basis}")
}

/// Adds each national value whose (kind, day) is missing; what Finance changed stays.
pub async fn seed_missing(db: &Db, now: i64) -> Result<(), DbErr> {
    let mut tx = db.begin().await?;
    for v in national_seed() {
        let known = parameter_value::Entity::find_by_id((v.kind.code().to_string(), v.from))
            .one(&tx)
            .await?;
        if known.is_none() {
            put(&mut tx, &v, now, "seed").await?;
        }
    }
    tx.commit().await
}

async fn put(tx: &mut Tx, v: &ParameterValue, now: i64, by: &str) -> Result<(), DbErr> {
    use parameter_value::Column;
    parameter_value::Entity::insert(parameter_value::ActiveModel {
        kind: Set(v.kind.code().to_string()),
        from_date: Set(v.from),
        value: Set(v.value),
        basis: Set(v.basis.clone()),
        updated_at: Set(db::at(now)),
        updated_by: Set(by.to_string()),
    })
    .on_conflict(
        OnConflict::columns([Column::Kind, Column::FromDate])
            .update_columns([
                Column::Value,
                Column::Basis,
                Column::UpdatedAt,
                Column::UpdatedBy,
            ])
            .to_owned(),
    )
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

/// Every value of every known kind, oldest first.
pub async fn values(conn: &impl ConnectionTrait) -> Result<Vec<ParameterValue>, DbErr> {
    Ok(parameter_value::Entity::find()
        .order_by_asc(parameter_value::Column::Kind)
        .order_by_asc(parameter_value::Column::FromDate)
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|m| {
            Some(ParameterValue {
                kind: ParameterKind::from_code(&m.kind)?,
                from: m.from_date,
                value: m.value,
                basis: m.basis,
            })
        })
        .collect())
}

/// Sets `v` (a new value from its day, or a correction of the value of that day) with its audit
/// row, in `tx`.
pub async fn set(tx: &mut Tx, v: &ParameterValue, actor: &Actor, now: i64) -> Result<(), DbErr> {
    let before = parameter_value::Entity::find_by_id((v.kind.code().to_string(), v.from))
        .one(&*tx)
        .await?
        .map(|m| summary(m.value, &m.basis))
        .unwrap_or_default();
    put(tx, v, now, &actor.username).await?;
    parameter_change::Entity::insert(parameter_change::ActiveModel {
        at: Set(db::at(now)),
        actor_id: Set(actor.id.clone()),
        actor_username: Set(actor.username.clone()),
        kind: Set(v.kind.code().to_string()),
        from_date: Set(v.from),
        before_value: Set(before),
        after_value: Set(summary(v.value, &v.basis)),
        ..Default::default()
    })
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

/// The changes to `kind`, oldest first.
pub async fn changes(
    conn: &impl ConnectionTrait,
    kind: ParameterKind,
) -> Result<Vec<ParameterChange>, DbErr> {
    Ok(parameter_change::Entity::find()
        .filter(parameter_change::Column::Kind.eq(kind.code()))
        .order_by_asc(parameter_change::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(change_of)
        .collect())
}

/// The latest `limit` changes of every parameter, newest first.
pub async fn recent_changes(
    conn: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<ParameterChange>, DbErr> {
    use sea_orm::QuerySelect as _;
    Ok(parameter_change::Entity::find()
        .order_by_desc(parameter_change::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(change_of)
        .collect())
}

fn change_of(c: parameter_change::Model) -> ParameterChange {
    ParameterChange {
        at: db::millis(c.at),
        actor_username: c.actor_username,
        kind: c.kind,
        from: c.from_date,
        before: c.before_value,
        after: c.after_value,
    }
}
