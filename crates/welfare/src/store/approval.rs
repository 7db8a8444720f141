//! The approval of a settlement (payment list) or an estimate: its version checked and bumped
//! on every write, its state moved (draft, submitted, appraised, approved, returned), and each
//! step kept (who did what, when, with the reason of a return).

use super::entities::approval_step;
use crate::domain::approval::State;
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, QueryOrder as _, Set,
};
use tinhso_platform::db::{self, DbErr, Tx};

/// The tables whose rows go through the approval flow; each has the columns `id`, `version`,
/// `state` and `return_reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    PaymentList,
    Estimate,
}

impl Document {
    fn table(self) -> &'static str {
        match self {
            Self::PaymentList => "payment_lists",
            Self::Estimate => "estimates",
        }
    }
}

/// Why a write did not happen.
#[derive(Debug)]
pub enum WriteError {
    NotFound,
    /// Someone changed the document since it was read.
    Stale,
    Db(DbErr),
}

impl From<DbErr> for WriteError {
    fn from(e: DbErr) -> Self {
        Self::Db(e)
    }
}

/// Bumps the document's version if it is still at `version`; Stale otherwise.
pub async fn bump(tx: &mut Tx, doc: Document, id: &str, version: i64) -> Result<(), WriteError> {
    let done = db::query(format!(
        "UPDATE {} SET version = $1 WHERE id = $2 AND version = $3",
        doc.table()
    ))
    .bind(version + 1)
    .bind(id.to_string())
    .bind(version)
    .execute(&*tx)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(WriteError::Stale)
    }
}

/// Moves document `id` read at `version` to `state` (with the reason of a return) and keeps
/// the step.
#[allow(clippy::too_many_arguments)]
pub async fn advance(
    tx: &mut Tx,
    doc: Document,
    id: &str,
    version: i64,
    action: &str,
    state: State,
    reason: &str,
    now: i64,
    actor: &str,
) -> Result<(), WriteError> {
    bump(tx, doc, id, version).await?;
    let returned = state == State::Returned;
    db::query(format!(
        "UPDATE {} SET state = $1, return_reason = CASE WHEN $2 THEN $3 ELSE return_reason END \
         WHERE id = $4",
        doc.table()
    ))
    .bind(state.code())
    .bind(returned)
    .bind(reason.to_string())
    .bind(id.to_string())
    .execute(&*tx)
    .await?;
    step(tx, id, action, state, reason, now, actor).await?;
    Ok(())
}

/// Keeps a step of a document's approval.
pub async fn step(
    tx: &mut Tx,
    document_id: &str,
    action: &str,
    state: State,
    reason: &str,
    now: i64,
    actor: &str,
) -> Result<(), DbErr> {
    approval_step::Entity::insert(approval_step::ActiveModel {
        document_id: Set(document_id.to_string()),
        action: Set(action.to_string()),
        state_after: Set(state.code().to_string()),
        reason: Set(reason.to_string()),
        at: Set(db::at(now)),
        actor_username: Set(actor.to_string()),
        ..Default::default()
    })
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

/// A step as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    pub action: String,
    pub state: State,
    pub reason: String,
    pub at: i64,
    pub actor_username: String,
}

/// The steps of document `id`, oldest first.
pub async fn steps(conn: &impl ConnectionTrait, id: &str) -> Result<Vec<StepRow>, DbErr> {
    Ok(approval_step::Entity::find()
        .filter(approval_step::Column::DocumentId.eq(id))
        .order_by_asc(approval_step::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|s| StepRow {
            action: s.action,
            state: State::from_code(&s.state_after).unwrap_or(State::Draft),
            reason: s.reason,
            at: db::millis(s.at),
            actor_username: s.actor_username,
        })
        .collect())
}
