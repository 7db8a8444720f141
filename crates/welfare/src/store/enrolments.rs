//! Enrolments and their history: a new enrolment starts pending (with its "increase" line); each
//! later change is checked by `domain::enrolments::apply` against the enrolment as stored, then
//! written with its history line in the same transaction, at the version it was read.

use super::entities::{enrolment, enrolment_change};
use crate::domain::enrolments::{self, Change, Fault, State, Status};
use crate::domain::entitlements::Step;
use crate::domain::rules::EnrolmentTerms;
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
    pub terms: Terms,
    pub decision_number: String,
    pub decision_date: time::Date,
    pub start: time::Date,
    pub end: Option<time::Date>,
    pub status: Status,
    pub last_change: Option<time::Date>,
    /// The beneficiary's commune's path: the enrolment is listed and permitted by it.
    pub unit_path: String,
    pub version: i64,
}

/// What an enrolment brings to its policy's rule, as stored: the category (of the social
/// allowance), the coefficient in hundredths, the quantity in thousandths, the level.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Terms {
    pub category: String,
    pub coefficient: i64,
    pub quantity: i64,
    pub level: String,
}

impl Terms {
    /// The rule's view (the checks keep both figures within u32).
    pub fn for_rule(&self) -> EnrolmentTerms {
        EnrolmentTerms {
            coefficient: u32::try_from(self.coefficient).unwrap_or(0),
            quantity: u32::try_from(self.quantity).unwrap_or(0),
            level: self.level.clone(),
        }
    }
}

/// A change as entered: the rule's change, its decision, and for an adjustment the new terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeInput {
    pub change: Change,
    pub decision_number: String,
    pub terms: Option<Terms>,
}

impl From<Change> for ChangeInput {
    fn from(change: Change) -> Self {
        Self {
            change,
            decision_number: String::new(),
            terms: None,
        }
    }
}

/// A line of an enrolment's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryLine {
    pub change: String,
    pub effective: Option<time::Date>,
    pub reason: String,
    pub decision_number: String,
    /// The terms in force after the change.
    pub terms: Terms,
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

pub fn status_of(text: &str) -> Status {
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
            terms: Terms {
                category: m.category,
                coefficient: m.coefficient,
                quantity: m.quantity,
                level: m.level,
            },
            decision_number: m.decision_number,
            decision_date: m.decision_date,
            start: m.start_date,
            end: m.end_date,
            status: status_of(&m.status),
            last_change: m.last_change_date,
            unit_path: m.unit_path,
            version: m.version,
        }
    }
}

fn change_parts(c: &Change) -> (&'static str, Option<time::Date>, String) {
    match c {
        Change::Verify => ("verify", None, String::new()),
        Change::Reject { reason } => ("reject", None, reason.clone()),
        Change::Adjust { on } => ("adjust", Some(*on), String::new()),
        Change::Suspend { on } => ("suspend", Some(*on), String::new()),
        Change::Resume { on } => ("resume", Some(*on), String::new()),
        Change::Decrease { on, reason } => ("decrease", Some(*on), reason.clone()),
    }
}

/// The name a change has in the history and its events.
pub fn change_name(c: &Change) -> &'static str {
    change_parts(c).0
}

/// Writes the history line of `change` made to `e` (as it is after the change).
async fn history_line(
    tx: &mut Tx,
    e: &EnrolmentRow,
    (change, effective, reason): (&str, Option<time::Date>, String),
    decision_number: &str,
    now: i64,
    actor: &str,
) -> Result<(), DbErr> {
    enrolment_change::Entity::insert(enrolment_change::ActiveModel {
        enrolment_id: Set(e.id.clone()),
        change: Set(change.to_string()),
        effective_date: Set(effective),
        reason: Set(reason),
        decision_number: Set(decision_number.to_string()),
        category: Set(e.terms.category.clone()),
        coefficient: Set(e.terms.coefficient),
        quantity: Set(e.terms.quantity),
        level: Set(e.terms.level.clone()),
        status_after: Set(status_text(e.status).to_string()),
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
        category: Set(e.terms.category.clone()),
        coefficient: Set(e.terms.coefficient),
        quantity: Set(e.terms.quantity),
        level: Set(e.terms.level.clone()),
        decision_number: Set(e.decision_number.clone()),
        decision_date: Set(e.decision_date),
        start_date: Set(e.start),
        end_date: Set(e.end),
        status: Set(status_text(e.status).to_string()),
        last_change_date: Set(e.last_change),
        unit_path: Set(e.unit_path.clone()),
        version: Set(e.version),
    })
    .exec_without_returning(&*tx)
    .await?;
    history_line(
        tx,
        e,
        ("increase", Some(e.start), String::new()),
        &e.decision_number,
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

/// Applies `input` to the enrolment `id` read at `version`; its new status (and terms, for an
/// adjustment) and its history line are written together, or nothing is.
pub async fn apply(
    tx: &mut Tx,
    id: &str,
    version: i64,
    input: &ChangeInput,
    now: i64,
    actor: &str,
) -> Result<EnrolmentRow, ChangeError> {
    let current = get(&*tx, id).await?.ok_or(ChangeError::NotFound)?;
    if current.version != version {
        return Err(ChangeError::Stale);
    }
    let change = &input.change;
    let status = enrolments::apply(
        &State {
            status: current.status,
            start: current.start,
            last_change: current.last_change,
        },
        change,
    )
    .map_err(ChangeError::Refused)?;
    let (name, effective, reason) = change_parts(change);
    let mut after = current.clone();
    after.status = status;
    after.version += 1;
    if effective.is_some() {
        after.last_change = effective;
    }
    if let Change::Decrease { on, .. } = change {
        after.end = Some(*on);
    }
    if let (Change::Adjust { .. }, Some(terms)) = (change, &input.terms) {
        after.terms = terms.clone();
    }
    use enrolment::Column;
    use sea_orm::sea_query::Expr;
    let updated = enrolment::Entity::update_many()
        .col_expr(Column::Status, Expr::value(status_text(status)))
        .col_expr(Column::Version, Expr::value(after.version))
        .col_expr(Column::LastChangeDate, Expr::value(after.last_change))
        .col_expr(Column::EndDate, Expr::value(after.end))
        .col_expr(Column::Category, Expr::value(after.terms.category.clone()))
        .col_expr(Column::Coefficient, Expr::value(after.terms.coefficient))
        .col_expr(Column::Quantity, Expr::value(after.terms.quantity))
        .col_expr(Column::Level, Expr::value(after.terms.level.clone()))
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(version))
        .exec(&*tx)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ChangeError::Stale);
    }
    history_line(
        tx,
        &after,
        (name, effective, reason),
        &input.decision_number,
        now,
        actor,
    )
    .await?;
    Ok(after)
}

/// Which enrolments a list shows: under a unit path, and optionally of one policy, status or
/// beneficiary.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub unit_prefix: String,
    pub policy: Option<String>,
    pub status: Option<Status>,
    pub beneficiary_id: Option<String>,
}

fn filtered(f: &Filter) -> sea_orm::Select<enrolment::Entity> {
    use enrolment::Column;
    let mut q = enrolment::Entity::find().filter(db::starts_with(Column::UnitPath, &f.unit_prefix));
    if let Some(policy) = &f.policy {
        q = q.filter(Column::Policy.eq(policy));
    }
    if let Some(status) = f.status {
        q = q.filter(Column::Status.eq(status_text(status)));
    }
    if let Some(b) = &f.beneficiary_id {
        q = q.filter(Column::BeneficiaryId.eq(b));
    }
    q
}

/// Enrolments matching `f` after the id `after` (a page token), by id, at most `limit`.
pub async fn list(
    conn: &impl ConnectionTrait,
    f: &Filter,
    after: &str,
    limit: u64,
) -> Result<Vec<EnrolmentRow>, DbErr> {
    use sea_orm::QuerySelect as _;
    Ok(filtered(f)
        .filter(enrolment::Column::Id.gt(after))
        .order_by_asc(enrolment::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(EnrolmentRow::from)
        .collect())
}

fn history_of(c: enrolment_change::Model) -> HistoryLine {
    HistoryLine {
        change: c.change,
        effective: c.effective_date,
        reason: c.reason,
        decision_number: c.decision_number,
        terms: Terms {
            category: c.category,
            coefficient: c.coefficient,
            quantity: c.quantity,
            level: c.level,
        },
        status_after: status_of(&c.status_after),
        at: db::millis(c.at),
        actor_username: c.actor_username,
    }
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
        .map(history_of)
        .collect())
}

/// (beneficiary, policy) of the pending, active or suspended enrolments of `beneficiary_ids`.
pub async fn open_of(
    conn: &impl ConnectionTrait,
    beneficiary_ids: &[String],
) -> Result<std::collections::HashSet<(String, String)>, DbErr> {
    use sea_orm::QuerySelect as _;
    let mut open = std::collections::HashSet::new();
    for slice in beneficiary_ids.chunks(1000) {
        let rows: Vec<(String, String)> = enrolment::Entity::find()
            .select_only()
            .column(enrolment::Column::BeneficiaryId)
            .column(enrolment::Column::Policy)
            .filter(enrolment::Column::BeneficiaryId.is_in(slice.to_vec()))
            .filter(enrolment::Column::Status.is_in(["pending", "active", "suspended"]))
            .into_tuple()
            .all(conn)
            .await?;
        open.extend(rows);
    }
    Ok(open)
}

/// Every enrolment matching `f` with the steps of its history the payment rules read, oldest
/// first: only the columns they need are read, for a province of half a million enrolments.
pub async fn payable(
    conn: &impl ConnectionTrait,
    f: &Filter,
) -> Result<Vec<(EnrolmentRow, Vec<Step>)>, DbErr> {
    use sea_orm::{QuerySelect as _, QueryTrait as _};
    let rows: Vec<EnrolmentRow> = filtered(f)
        .order_by_asc(enrolment::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(EnrolmentRow::from)
        .collect();
    let ids = filtered(f)
        .select_only()
        .column(enrolment::Column::Id)
        .into_query();
    use enrolment_change::Column as C;
    type Line = (String, String, Option<time::Date>, i64, i64, String);
    let lines: Vec<Line> = enrolment_change::Entity::find()
        .select_only()
        .columns([
            C::EnrolmentId,
            C::Change,
            C::EffectiveDate,
            C::Coefficient,
            C::Quantity,
            C::Level,
        ])
        .filter(C::EnrolmentId.in_subquery(ids))
        .order_by_asc(C::Id)
        .into_tuple()
        .all(conn)
        .await?;
    let mut steps: std::collections::HashMap<String, Vec<Step>> =
        std::collections::HashMap::with_capacity(rows.len());
    for (enrolment_id, change, on, coefficient, quantity, level) in lines {
        let terms = Terms {
            category: String::new(),
            coefficient,
            quantity,
            level,
        }
        .for_rule();
        let step = match (change.as_str(), on) {
            ("increase", Some(on)) => Step::Increase { on, terms },
            ("verify", _) => Step::Verify,
            ("reject", _) => Step::Reject,
            ("adjust", Some(on)) => Step::Adjust { on, terms },
            ("suspend", Some(on)) => Step::Suspend { on },
            ("resume", Some(on)) => Step::Resume { on },
            ("decrease", Some(on)) => Step::Decrease { on },
            _ => continue,
        };
        steps.entry(enrolment_id).or_default().push(step);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let s = steps.remove(&r.id).unwrap_or_default();
            (r, s)
        })
        .collect())
}
