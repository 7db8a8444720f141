//! Estimates: the figure from the enrolments, the expected changes and the funds carried over
//! (replaced together while the unit holds the estimate), the funding sources, and the approval
//! state at a version.

use super::entities::{estimate, estimate_change, estimate_funding};
use crate::domain::approval::State;
use crate::domain::estimates::ExpectedChange;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, QueryOrder as _, Set,
};
use tinhso_platform::db::{self, DbErr, Tx};

pub use super::approval::WriteError;
use super::approval::{Document, bump};

/// An estimate as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstimateRow {
    pub id: String,
    pub unit_id: String,
    pub unit_path: String,
    pub policy: String,
    pub year: i32,
    pub state: State,
    pub return_reason: String,
    pub from_enrolments: i64,
    pub carried_over: i64,
    pub version: i64,
    pub created_at: i64,
    pub created_by: String,
}

impl From<estimate::Model> for EstimateRow {
    fn from(m: estimate::Model) -> Self {
        Self {
            id: m.id,
            unit_id: m.unit_id,
            unit_path: m.unit_path,
            policy: m.policy,
            year: i32::try_from(m.year).unwrap_or_default(),
            state: State::from_code(&m.state).unwrap_or(State::Draft),
            return_reason: m.return_reason,
            from_enrolments: m.from_enrolments,
            carried_over: m.carried_over,
            version: m.version,
            created_at: db::millis(m.created_at),
            created_by: m.created_by,
        }
    }
}

/// An expected change with its description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedRow {
    pub description: String,
    pub change: ExpectedChange,
}

pub async fn get(conn: &impl ConnectionTrait, id: &str) -> Result<Option<EstimateRow>, DbErr> {
    Ok(estimate::Entity::find_by_id(id.to_string())
        .one(conn)
        .await?
        .map(EstimateRow::from))
}

pub async fn find(
    conn: &impl ConnectionTrait,
    unit_id: &str,
    policy: &str,
    year: i32,
) -> Result<Option<EstimateRow>, DbErr> {
    Ok(estimate::Entity::find()
        .filter(estimate::Column::UnitId.eq(unit_id))
        .filter(estimate::Column::Policy.eq(policy))
        .filter(estimate::Column::Year.eq(i64::from(year)))
        .one(conn)
        .await?
        .map(EstimateRow::from))
}

/// The estimates under `prefix` for `year`, by unit path and policy.
pub async fn under(
    conn: &impl ConnectionTrait,
    prefix: &str,
    year: i32,
) -> Result<Vec<EstimateRow>, DbErr> {
    Ok(estimate::Entity::find()
        .filter(db::starts_with(estimate::Column::UnitPath, prefix))
        .filter(estimate::Column::Year.eq(i64::from(year)))
        .order_by_asc(estimate::Column::UnitPath)
        .order_by_asc(estimate::Column::Policy)
        .all(conn)
        .await?
        .into_iter()
        .map(EstimateRow::from)
        .collect())
}

pub async fn changes(conn: &impl ConnectionTrait, id: &str) -> Result<Vec<ExpectedRow>, DbErr> {
    Ok(estimate_change::Entity::find()
        .filter(estimate_change::Column::EstimateId.eq(id))
        .order_by_asc(estimate_change::Column::Seq)
        .all(conn)
        .await?
        .into_iter()
        .map(|c| ExpectedRow {
            description: c.description,
            change: ExpectedChange {
                beneficiaries: c.beneficiaries,
                monthly_amount: c.monthly_amount,
                months: c.months,
            },
        })
        .collect())
}

/// The funding sources of estimate `id`: (source, amount).
pub async fn funding(conn: &impl ConnectionTrait, id: &str) -> Result<Vec<(String, i64)>, DbErr> {
    Ok(estimate_funding::Entity::find()
        .filter(estimate_funding::Column::EstimateId.eq(id))
        .order_by_asc(estimate_funding::Column::Source)
        .all(conn)
        .await?
        .into_iter()
        .map(|f| (f.source, f.amount))
        .collect())
}

async fn put_changes(tx: &mut Tx, id: &str, changes: &[ExpectedRow]) -> Result<(), DbErr> {
    estimate_change::Entity::delete_many()
        .filter(estimate_change::Column::EstimateId.eq(id))
        .exec(&*tx)
        .await?;
    if changes.is_empty() {
        return Ok(());
    }
    estimate_change::Entity::insert_many(changes.iter().enumerate().map(|(i, c)| {
        estimate_change::ActiveModel {
            estimate_id: Set(id.to_string()),
            seq: Set(i64::try_from(i).unwrap_or_default()),
            description: Set(c.description.clone()),
            beneficiaries: Set(c.change.beneficiaries),
            monthly_amount: Set(c.change.monthly_amount),
            months: Set(c.change.months),
        }
    }))
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

/// Writes a new draft estimate with its expected changes.
pub async fn create(tx: &mut Tx, e: &EstimateRow, changes: &[ExpectedRow]) -> Result<(), DbErr> {
    estimate::Entity::insert(estimate::ActiveModel {
        id: Set(e.id.clone()),
        unit_id: Set(e.unit_id.clone()),
        unit_path: Set(e.unit_path.clone()),
        policy: Set(e.policy.clone()),
        year: Set(i64::from(e.year)),
        state: Set(e.state.code().to_string()),
        return_reason: Set(e.return_reason.clone()),
        from_enrolments: Set(e.from_enrolments),
        carried_over: Set(e.carried_over),
        version: Set(e.version),
        created_at: Set(db::at(e.created_at)),
        created_by: Set(e.created_by.clone()),
    })
    .exec_without_returning(&*tx)
    .await?;
    put_changes(tx, &e.id, changes).await
}

/// Recomputes estimate `id` read at `version`: its figure, carried-over funds and changes.
pub async fn replace(
    tx: &mut Tx,
    id: &str,
    version: i64,
    from_enrolments: i64,
    carried_over: i64,
    changes: &[ExpectedRow],
) -> Result<(), WriteError> {
    bump(tx, Document::Estimate, id, version).await?;
    estimate::Entity::update_many()
        .col_expr(
            estimate::Column::FromEnrolments,
            Expr::value(from_enrolments),
        )
        .col_expr(estimate::Column::CarriedOver, Expr::value(carried_over))
        .filter(estimate::Column::Id.eq(id))
        .exec(&*tx)
        .await?;
    put_changes(tx, id, changes).await?;
    Ok(())
}

/// Replaces the funding sources of estimate `id` read at `version`.
pub async fn set_funding(
    tx: &mut Tx,
    id: &str,
    version: i64,
    sources: &[(String, i64)],
) -> Result<(), WriteError> {
    bump(tx, Document::Estimate, id, version).await?;
    estimate_funding::Entity::delete_many()
        .filter(estimate_funding::Column::EstimateId.eq(id))
        .exec(&*tx)
        .await?;
    if !sources.is_empty() {
        estimate_funding::Entity::insert_many(sources.iter().map(|(source, amount)| {
            estimate_funding::ActiveModel {
                estimate_id: Set(id.to_string()),
                source: Set(source.clone()),
                amount: Set(*amount),
            }
        }))
        .exec_without_returning(&*tx)
        .await?;
    }
    Ok(())
}
