//! Staged imports: the file's problems in multi-row batches and its checked rows staged (COPY on
//! PostgreSQL, multi-row batches on SQLite) with the import turning `checked` in the same
//! transaction; and the commit that turns every staged row into its beneficiary (when new) and its pending enrolment
//! with its "increase" line — three INSERT … SELECT statements in the caller's transaction, so a
//! file of 100,000 rows is written whole or not at all, never a statement per row.

use super::entities::{
    beneficiary, enrolment, enrolment_change, import, import_problem, import_row,
};
use sea_orm::sea_query::{Expr, ExprTrait as _, Query};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, QueryOrder as _,
    QuerySelect as _, Set,
};
use tinhso_platform::db::{self, Backend, CopyRows, Db, DbErr, Tx};

pub use import_row::Model as StagedRow;

/// An import as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    pub id: String,
    pub unit_id: String,
    pub unit_path: String,
    pub filename: String,
    /// `staging` (its rows being written), `checked`, `committed` or `cancelled`.
    pub state: String,
    pub rows_total: i64,
    pub rows_valid: i64,
    pub problem_count: i64,
    pub created_at: i64,
    pub created_by: String,
}

impl From<import::Model> for ImportRecord {
    fn from(m: import::Model) -> Self {
        Self {
            id: m.id,
            unit_id: m.unit_id,
            unit_path: m.unit_path,
            filename: m.filename,
            state: m.state,
            rows_total: m.rows_total,
            rows_valid: m.rows_valid,
            problem_count: m.problem_count,
            created_at: db::millis(m.created_at),
            created_by: m.created_by,
        }
    }
}

/// A problem of the file: its row (1 is the heading line), column heading and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemRow {
    pub row: i64,
    pub column: String,
    pub message: String,
}

/// Problems in one multi-row INSERT (5 columns).
const BATCH: usize = 1_000;
/// Staged rows in one multi-row INSERT.
const STAGED_BATCH: usize = 1_500;

/// Writes the import (`staging`) with its problems; [`stage`] adds its rows.
pub async fn create(
    tx: &mut Tx,
    record: &ImportRecord,
    problems: &[ProblemRow],
) -> Result<(), DbErr> {
    import::Entity::insert(import::ActiveModel {
        id: Set(record.id.clone()),
        unit_id: Set(record.unit_id.clone()),
        unit_path: Set(record.unit_path.clone()),
        filename: Set(record.filename.clone()),
        state: Set(record.state.clone()),
        rows_total: Set(record.rows_total),
        rows_valid: Set(record.rows_valid),
        problem_count: Set(record.problem_count),
        created_at: Set(db::at(record.created_at)),
        created_by: Set(record.created_by.clone()),
        finished_at: Set(None),
        finished_by: Set(String::new()),
    })
    .exec_without_returning(&*tx)
    .await?;
    for (batch_no, batch) in problems.chunks(BATCH).enumerate() {
        import_problem::Entity::insert_many(batch.iter().enumerate().map(|(i, p)| {
            import_problem::ActiveModel {
                import_id: Set(record.id.clone()),
                seq: Set(i64::try_from(batch_no * BATCH + i).unwrap_or(i64::MAX)),
                row_number: Set(p.row),
                column_heading: Set(p.column.clone()),
                message: Set(p.message.clone()),
            }
        }))
        .exec_without_returning(&*tx)
        .await?;
    }
    Ok(())
}

/// Turns a staging import `checked`.
const CHECKED: &str = "UPDATE imports SET state = 'checked' WHERE id = $1 AND state = 'staging'";

/// Writes the staged rows of import `id` and turns it `checked`, in one transaction: a check cut
/// short leaves an import `staging`, which nothing commits. COPY on PostgreSQL (the rows of a
/// 100,000-row file in a fraction of the multi-row INSERTs' time); multi-row INSERTs on SQLite.
pub async fn stage(db: &Db, id: &str, rows: &[StagedRow]) -> Result<(), DbErr> {
    if db.backend == Backend::Postgres {
        let mut csv = CopyRows::default();
        for r in rows {
            csv.text(id)
                .int(r.row_number)
                .text(&r.beneficiary_id)
                .boolean(r.new_beneficiary)
                .text(&r.full_name)
                .text(&r.name_folded)
                .date(Some(r.birth_date))
                .text(&r.sex)
                .text(&r.citizen_id)
                .text(&r.commune_id)
                .text(&r.unit_path)
                .text(&r.enrolment_id)
                .text(&r.policy)
                .text(&r.category)
                .int(r.coefficient)
                .int(r.quantity)
                .text(&r.decision_number)
                .date(Some(r.decision_date))
                .date(Some(r.start_date))
                .date(r.end_date)
                .end_row();
        }
        db::copy_then(
            db,
            "COPY import_rows (import_id, row_number, beneficiary_id, new_beneficiary, full_name, \
             name_folded, birth_date, sex, citizen_id, commune_id, unit_path, enrolment_id, policy, \
             category, coefficient, quantity, decision_number, decision_date, start_date, end_date) \
             FROM STDIN (FORMAT csv)",
            &csv,
            CHECKED,
            id,
        )
        .await?;
        return Ok(());
    }
    let tx = db.begin().await?;
    // 20 columns a row: 1,500 rows stay under SQLite's 32,766 parameters.
    for batch in rows.chunks(STAGED_BATCH) {
        import_row::Entity::insert_many(batch.iter().map(|r| {
            let mut m: import_row::ActiveModel = r.clone().into();
            m.import_id = Set(id.to_string());
            m
        }))
        .exec_without_returning(&tx)
        .await?;
    }
    db::query(CHECKED).bind(id.to_string()).execute(&tx).await?;
    tx.commit().await
}

pub async fn get(conn: &impl ConnectionTrait, id: &str) -> Result<Option<ImportRecord>, DbErr> {
    Ok(import::Entity::find_by_id(id.to_string())
        .one(conn)
        .await?
        .map(ImportRecord::from))
}

/// The first `limit` problems of import `id`, by row.
pub async fn problems(
    conn: &impl ConnectionTrait,
    id: &str,
    limit: u64,
) -> Result<Vec<ProblemRow>, DbErr> {
    Ok(import_problem::Entity::find()
        .filter(import_problem::Column::ImportId.eq(id))
        .order_by_asc(import_problem::Column::RowNumber)
        .order_by_asc(import_problem::Column::Seq)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(|p| ProblemRow {
            row: p.row_number,
            column: p.column_heading,
            message: p.message,
        })
        .collect())
}

/// How many staged rows of import `id` enrol in each policy.
pub async fn policy_counts(
    conn: &impl ConnectionTrait,
    id: &str,
) -> Result<Vec<(String, i64)>, DbErr> {
    import_row::Entity::find()
        .select_only()
        .column(import_row::Column::Policy)
        .column_as(import_row::Column::RowNumber.count(), "n")
        .filter(import_row::Column::ImportId.eq(id))
        .group_by(import_row::Column::Policy)
        .order_by_asc(import_row::Column::Policy)
        .into_tuple()
        .all(conn)
        .await
}

/// Moves import `id` from `checked` to `state`; false when it was not `checked` any more (already
/// committed or cancelled: a retried commit changes nothing).
pub async fn finish(
    tx: &mut Tx,
    id: &str,
    state: &str,
    now: i64,
    actor: &str,
) -> Result<bool, DbErr> {
    let done = import::Entity::update_many()
        .col_expr(import::Column::State, Expr::value(state))
        .col_expr(import::Column::FinishedAt, Expr::value(db::at(now)))
        .col_expr(import::Column::FinishedBy, Expr::value(actor))
        .filter(import::Column::Id.eq(id))
        .filter(import::Column::State.eq("checked"))
        .exec(&*tx)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Drops the staged rows of a cancelled or committed import (its problems stay for the report).
pub async fn drop_rows(tx: &mut Tx, id: &str) -> Result<(), DbErr> {
    import_row::Entity::delete_many()
        .filter(import_row::Column::ImportId.eq(id))
        .exec(&*tx)
        .await?;
    Ok(())
}

/// Writes every staged row of import `id`: the new beneficiaries, the pending enrolments and
/// their "increase" lines, each as one INSERT … SELECT.
pub async fn write_rows(tx: &mut Tx, id: &str, now: i64, actor: &str) -> Result<(), DbErr> {
    use import_row::Column as R;
    let at = db::at(now);
    let staged = |new_only: bool| {
        let mut q = Query::select();
        q.from(import_row::Entity)
            .and_where(Expr::col(R::ImportId).eq(id));
        if new_only {
            q.and_where(Expr::col(R::NewBeneficiary).eq(true));
        }
        q
    };
    let beneficiaries = Query::insert()
        .into_table(beneficiary::Entity)
        .columns([
            beneficiary::Column::Id,
            beneficiary::Column::FullName,
            beneficiary::Column::NameFolded,
            beneficiary::Column::BirthDate,
            beneficiary::Column::Sex,
            beneficiary::Column::CitizenId,
            beneficiary::Column::Ethnicity,
            beneficiary::Column::Address,
            beneficiary::Column::CommuneId,
            beneficiary::Column::UnitPath,
            beneficiary::Column::Kind,
            beneficiary::Column::HouseholdCode,
            beneficiary::Column::Poverty,
            beneficiary::Column::PovertyDecision,
            beneficiary::Column::CreatedAt,
            beneficiary::Column::CreatedBy,
            beneficiary::Column::Version,
        ])
        .select_from(
            staged(true)
                .columns([
                    R::BeneficiaryId,
                    R::FullName,
                    R::NameFolded,
                    R::BirthDate,
                    R::Sex,
                    R::CitizenId,
                ])
                .expr(Expr::val(""))
                .expr(Expr::val(""))
                .columns([R::CommuneId, R::UnitPath])
                .expr(Expr::val("person"))
                .expr(Expr::val(""))
                .expr(Expr::val(""))
                .expr(Expr::val(""))
                .expr(Expr::val(at))
                .expr(Expr::val(actor))
                .expr(Expr::val(1_i64))
                .to_owned(),
        )
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    tx.execute(&beneficiaries).await?;
    let enrolments = Query::insert()
        .into_table(enrolment::Entity)
        .columns([
            enrolment::Column::Id,
            enrolment::Column::BeneficiaryId,
            enrolment::Column::Policy,
            enrolment::Column::Category,
            enrolment::Column::Coefficient,
            enrolment::Column::Quantity,
            enrolment::Column::Level,
            enrolment::Column::DecisionNumber,
            enrolment::Column::DecisionDate,
            enrolment::Column::StartDate,
            enrolment::Column::EndDate,
            enrolment::Column::Status,
            enrolment::Column::UnitPath,
            enrolment::Column::Version,
        ])
        .select_from(
            staged(false)
                .columns([
                    R::EnrolmentId,
                    R::BeneficiaryId,
                    R::Policy,
                    R::Category,
                    R::Coefficient,
                    R::Quantity,
                ])
                .expr(Expr::val(""))
                .columns([R::DecisionNumber, R::DecisionDate, R::StartDate, R::EndDate])
                .expr(Expr::val("pending"))
                .column(R::UnitPath)
                .expr(Expr::val(1_i64))
                .to_owned(),
        )
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    tx.execute(&enrolments).await?;
    let lines = Query::insert()
        .into_table(enrolment_change::Entity)
        .columns([
            enrolment_change::Column::EnrolmentId,
            enrolment_change::Column::Change,
            enrolment_change::Column::EffectiveDate,
            enrolment_change::Column::Reason,
            enrolment_change::Column::DecisionNumber,
            enrolment_change::Column::Category,
            enrolment_change::Column::Coefficient,
            enrolment_change::Column::Quantity,
            enrolment_change::Column::Level,
            enrolment_change::Column::StatusAfter,
            enrolment_change::Column::At,
            enrolment_change::Column::ActorUsername,
        ])
        .select_from(
            staged(false)
                .column(R::EnrolmentId)
                .expr(Expr::val("increase"))
                .column(R::StartDate)
                .expr(Expr::val(""))
                .columns([R::DecisionNumber, R::Category, R::Coefficient, R::Quantity])
                .expr(Expr::val(""))
                .expr(Expr::val("pending"))
                .expr(Expr::val(at))
                .expr(Expr::val(actor))
                .to_owned(),
        )
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    tx.execute(&lines).await?;
    Ok(())
}
