//! The steps of a settlement's or estimate's approval (draft, submitted, appraised, approved,
//! returned): who did what, when, with the reason of a return.

use super::entities::approval_step;
use crate::domain::approval::State;
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, QueryOrder as _, Set,
};
use tinhso_platform::db::{self, DbErr, Tx};

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
