//! Enrolments and their history: a new enrolment starts pending (with its "increase" line); each
//! later change is checked by `domain::enrolments::apply` against the enrolment as stored, then
//! written with its history line in the same transaction, at the version it was read.

use super::entities::{enrolment, enrolment_change};
use crate::domain::enrolments::{self, Change, Fault, State, Status};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, QueryOrder as _, Set,
};
use tinhso_platform::db::{self, DbErr, Tx};

/// An enrolment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentRow {
    pub id: String,
    pub beneficiary_id: String,
    pub policy: String,
    pub category: String,
    pub coefficient: i64,
    pub quantity: i64,
    pub level: String,
    pub decision_number: String,
    pub decision_date: time::Date,
    pub start: time::Date,
    pub end: Option<time::Date>,
    pub status: Status,
    pub last_change: Option<time::Date>,
    pub version: i64,
}

/// A line of an enrolment's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryLine {
    pub change: String,
    pub effective: Option<time::Date>,
    pub reason: String,
    pub status_after: Status,
    pub at: i64,
    pub actor_username: String,
}

/// Why a change was not written.
#[derive(Debug)]
pub enum ChangeError {
    NotFound,
    /// Someone changed the enrolment since it was read.
    Stale,
    Refused(Fault),
    Db(DbErr),
}

impl From<DbErr> for ChangeError {
    fn from(e: DbErr) -> Self {
        Self::Db(e)
    }
}

pub fn status_text(s: Status) -> &'static str {
    match s {
        Status::Pending => "pending",
        Status::Active => "active",
        Status::Suspended => "suspended",
        Status::Ended => "ended",
        Status::Rejected => "rejected",
    }
}

fn status_of(text: &str) -> Status {
    match text {
        "active" => Status::Active,
        "suspended" => Status::Suspended,
        "ended" => Status::Ended,
        "rejected" => Status::Rejected,
        _ => Status::Pending,
    }
}

impl From<enrolment::Model> for EnrolmentRow {
    fn from(m: enrolment::Model) -> Self {
        Self {
            id: m.id,
            beneficiary_id: m.beneficiary_id,
            policy: m.policy,
            category: m.category,
            coefficient: m.coefficient,
            quantity: m.quantity,
            level: m.level,
            decision_number: m.decision_number,
            decision_date: m.decision_date,
            start: m.start_date,
            end: m.end_date,
            status: status_of(&m.status),
            last_change: m.last_change_date,
            version: m.version,
        }
    }
}

fn change_name(c: &Change) -> (&'static str, Option<time::Date>, String) {
    match c {
        Change::Verify => ("verify", None, String::new()),
        Change::Reject { reason } => ("reject", None, reason.clone()),
        Change::Adjust { on } => ("adjust", Some(*on), String::new()),
        Change::Suspend { on } => ("suspend", Some(*on), String::new()),
        Change::Resume { on } => ("resume", Some(*on), String::new()),
        Change::Decrease { on, reason } => ("decrease", Some(*on), reason.clone()),
    }
}

async fn history_line(
    tx: &mut Tx,
    enrolment_id: &str,
    (change, effective, reason): (&str, Option<time::Date>, String),
    status_after: Status,
    now: i64,
    actor: &str,
) -> Result<(), DbErr> {
    enrolment_change::Entity::insert(enrolment_change::ActiveModel {
        enrolment_id: Set(enrolment_id.to_string()),
        change: Set(change.to_string()),
        effective_date: Set(effective),
        reason: Set(reason),
        status_after: Set(status_text(status_after).to_string()),
        at: Set(db::at(now)),
        actor_username: Set(actor.to_string()),
        ..Default::default()
    })
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

/// Writes a new (pending) enrolment with its "increase" line.
pub async fn insert(tx: &mut Tx, e: &EnrolmentRow, now: i64, actor: &str) -> Result<(), DbErr> {
    enrolment::Entity::insert(enrolment::ActiveModel {
        id: Set(e.id.clone()),
        beneficiary_id: Set(e.beneficiary_id.clone()),
        policy: Set(e.policy.clone()),
        category: Set(e.category.clone()),
        coefficient: Set(e.coefficient),
        quantity: Set(e.quantity),
        level: Set(e.level.clone()),
        decision_number: Set(e.decision_number.clone()),
        decision_date: Set(e.decision_date),
        start_date: Set(e.start),
        end_date: Set(e.end),
        status: Set(status_text(e.status).to_string()),
        last_change_date: Set(e.last_change),
        version: Set(e.version),
    })
    .exec_without_returning(&*tx)
    .await?;
    history_line(
        tx,
        &e.id,
        ("increase", Some(e.start), String::new()),
        e.status,
        now,
        actor,
    )
    .await
}

pub async fn get(conn: &impl ConnectionTrait, id: &str) -> Result<Option<EnrolmentRow>, DbErr> {
    Ok(enrolment::Entity::find_by_id(id.to_string())
        .one(conn)
        .await?
        .map(EnrolmentRow::from))
}

/// Applies `change` to the enrolment `id` read at `version`; its new status and history line
/// are written together, or nothing is.
pub async fn apply(
    tx: &mut Tx,
    id: &str,
    version: i64,
    change: &Change,
    now: i64,
    actor: &str,
) -> Result<EnrolmentRow, ChangeError> {
    let current = get(&*tx, id).await?.ok_or(ChangeError::NotFound)?;
    if current.version != version {
        return Err(ChangeError::Stale);
    }
    let status = enrolments::apply(
        &State {
            status: current.status,
            start: current.start,
            last_change: current.last_change,
        },
        change,
    )
    .map_err(ChangeError::Refused)?;
    let (name, effective, reason) = change_name(change);
    let mut after = current.clone();
    after.status = status;
    after.version += 1;
    if effective.is_some() {
        after.last_change = effective;
    }
    if let Change::Decrease { on, .. } = change {
        after.end = Some(*on);
    }
    use enrolment::Column;
    let updated = enrolment::Entity::update_many()
        .col_expr(
            Column::Status,
            sea_orm::sea_query::Expr::value(status_text(status)),
        )
        .col_expr(
            Column::Version,
            sea_orm::sea_query::Expr::value(after.version),
        )
        .col_expr(
            Column::LastChangeDate,
            sea_orm::sea_query::Expr::value(after.last_change),
        )
        .col_expr(Column::EndDate, sea_orm::sea_query::Expr::value(after.end))
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(version))
        .exec(&*tx)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ChangeError::Stale);
    }
    history_line(tx, id, (name, effective, reason), status, now, actor).await?;
    Ok(after)
}

/// The history of an enrolment, oldest first.
pub async fn history(
    conn: &impl ConnectionTrait,
    enrolment_id: &str,
) -> Result<Vec<HistoryLine>, DbErr> {
    Ok(enrolment_change::Entity::find()
        .filter(enrolment_change::Column::EnrolmentId.eq(enrolment_id))
        .order_by_asc(enrolment_change::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|c| HistoryLine {
            change: c.change,
            effective: c.effective_date,
            reason: c.reason,
            status_after: status_of(&c.status_after),
            at: db::millis(c.at),
            actor_username: c.actor_username,
        })
        .collect())
}
