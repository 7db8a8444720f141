//! Payment lists and their settlement: the lines as computed (written in batches), each line's
//! payment, the funds received, the approval state at a version, and every approval step.

pub use super::approval::WriteError;
use super::approval::{Document, bump};
use super::entities::{payment_line, payment_list};
use crate::domain::approval::State;
use crate::domain::settlement::{Method, Payment, PaymentLine, Settlement};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, QueryOrder as _, Set,
};
use tinhso_platform::db::{self, DbErr, Tx};

/// A payment list as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    pub id: String,
    pub unit_id: String,
    pub unit_path: String,
    pub policy: String,
    /// A month, a school term or a year (`domain::periods::Period`'s code).
    pub period: String,
    /// The period's last month, `YYYY-MM`: an approved list locks the months up to it.
    pub last_month: String,
    pub state: State,
    pub return_reason: String,
    pub funded: i64,
    pub version: i64,
    pub created_at: i64,
    pub created_by: String,
}

impl From<payment_list::Model> for ListRow {
    fn from(m: payment_list::Model) -> Self {
        Self {
            id: m.id,
            unit_id: m.unit_id,
            unit_path: m.unit_path,
            policy: m.policy,
            period: m.period,
            last_month: m.last_month,
            state: State::from_code(&m.state).unwrap_or(State::Draft),
            return_reason: m.return_reason,
            funded: m.funded,
            version: m.version,
            created_at: db::millis(m.created_at),
            created_by: m.created_by,
        }
    }
}

/// A line as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRow {
    pub enrolment_id: String,
    pub beneficiary_id: String,
    pub beneficiary_name: String,
    pub category: String,
    pub base: i64,
    pub coefficient: i64,
    pub quantity: i64,
    pub months: i64,
    pub amount: i64,
    pub payment: Payment,
}

impl LineRow {
    pub fn for_settlement(&self) -> PaymentLine {
        PaymentLine {
            amount: self.amount,
            payment: self.payment.clone(),
        }
    }
}

fn line_of(m: payment_line::Model) -> LineRow {
    let payment = match (m.payment.as_str(), m.paid_on, Method::from_code(&m.method)) {
        ("paid", Some(on), Some(method)) => Payment::Paid { on, method },
        ("unpaid", _, _) => Payment::Unpaid {
            reason: m.unpaid_reason,
        },
        _ => Payment::Pending,
    };
    LineRow {
        enrolment_id: m.enrolment_id,
        beneficiary_id: m.beneficiary_id,
        beneficiary_name: m.beneficiary_name,
        category: m.category,
        base: m.base,
        coefficient: m.coefficient,
        quantity: m.quantity,
        months: m.months,
        amount: m.amount,
        payment,
    }
}

fn line_model(list_id: &str, l: &LineRow) -> payment_line::ActiveModel {
    let (payment, paid_on, method, reason) = match &l.payment {
        Payment::Pending => ("pending", None, "", String::new()),
        Payment::Paid { on, method } => ("paid", Some(*on), method.code(), String::new()),
        Payment::Unpaid { reason } => ("unpaid", None, "", reason.clone()),
    };
    payment_line::ActiveModel {
        list_id: Set(list_id.to_string()),
        enrolment_id: Set(l.enrolment_id.clone()),
        beneficiary_id: Set(l.beneficiary_id.clone()),
        beneficiary_name: Set(l.beneficiary_name.clone()),
        category: Set(l.category.clone()),
        base: Set(l.base),
        coefficient: Set(l.coefficient),
        quantity: Set(l.quantity),
        months: Set(l.months),
        amount: Set(l.amount),
        payment: Set(payment.to_string()),
        paid_on: Set(paid_on),
        method: Set(method.to_string()),
        unpaid_reason: Set(reason),
    }
}

pub async fn get(conn: &impl ConnectionTrait, id: &str) -> Result<Option<ListRow>, DbErr> {
    Ok(payment_list::Entity::find_by_id(id.to_string())
        .one(conn)
        .await?
        .map(ListRow::from))
}

/// The list of `unit_id`, `policy` and `period`, if prepared.
pub async fn find(
    conn: &impl ConnectionTrait,
    unit_id: &str,
    policy: &str,
    period: &str,
) -> Result<Option<ListRow>, DbErr> {
    Ok(payment_list::Entity::find()
        .filter(payment_list::Column::UnitId.eq(unit_id))
        .filter(payment_list::Column::Policy.eq(policy))
        .filter(payment_list::Column::Period.eq(period))
        .one(conn)
        .await?
        .map(ListRow::from))
}

/// Whether a list of `policy` held by one of the units `unit_paths` (an enrolment's commune and
/// the units above it) is approved for a period ending in `month` (`YYYY-MM`) or later.
pub async fn approved_from(
    conn: &impl ConnectionTrait,
    unit_paths: &[String],
    policy: &str,
    month: &str,
) -> Result<bool, DbErr> {
    Ok(payment_list::Entity::find()
        .filter(payment_list::Column::UnitPath.is_in(unit_paths.to_vec()))
        .filter(payment_list::Column::Policy.eq(policy))
        .filter(payment_list::Column::LastMonth.gte(month))
        .filter(payment_list::Column::State.eq(State::Approved.code()))
        .one(conn)
        .await?
        .is_some())
}

/// The lines of list `id`, by beneficiary name.
pub async fn lines(conn: &impl ConnectionTrait, id: &str) -> Result<Vec<LineRow>, DbErr> {
    Ok(payment_line::Entity::find()
        .filter(payment_line::Column::ListId.eq(id))
        .order_by_asc(payment_line::Column::BeneficiaryName)
        .order_by_asc(payment_line::Column::EnrolmentId)
        .all(conn)
        .await?
        .into_iter()
        .map(line_of)
        .collect())
}

/// Lines in multi-row inserts of this many (well under the databases' parameter limits).
const BATCH: usize = 500;

async fn insert_lines(tx: &mut Tx, list_id: &str, lines: &[LineRow]) -> Result<(), DbErr> {
    for batch in lines.chunks(BATCH) {
        payment_line::Entity::insert_many(batch.iter().map(|l| line_model(list_id, l)))
            .exec_without_returning(&*tx)
            .await?;
    }
    Ok(())
}

/// Writes a new draft list with its lines.
pub async fn create(tx: &mut Tx, list: &ListRow, lines: &[LineRow]) -> Result<(), DbErr> {
    payment_list::Entity::insert(payment_list::ActiveModel {
        id: Set(list.id.clone()),
        unit_id: Set(list.unit_id.clone()),
        unit_path: Set(list.unit_path.clone()),
        policy: Set(list.policy.clone()),
        period: Set(list.period.clone()),
        last_month: Set(list.last_month.clone()),
        state: Set(list.state.code().to_string()),
        return_reason: Set(list.return_reason.clone()),
        funded: Set(list.funded),
        version: Set(list.version),
        created_at: Set(db::at(list.created_at)),
        created_by: Set(list.created_by.clone()),
    })
    .exec_without_returning(&*tx)
    .await?;
    insert_lines(tx, &list.id, lines).await
}

/// Replaces the lines of list `id` read at `version`.
pub async fn replace_lines(
    tx: &mut Tx,
    id: &str,
    version: i64,
    lines: &[LineRow],
) -> Result<(), WriteError> {
    bump(tx, Document::PaymentList, id, version).await?;
    payment_line::Entity::delete_many()
        .filter(payment_line::Column::ListId.eq(id))
        .exec(&*tx)
        .await?;
    insert_lines(tx, id, lines).await?;
    Ok(())
}

/// Sets the payment of the lines `marks` names (by enrolment) and, when given, the funds
/// received, on list `id` read at `version`. A mark naming no line of the list is NotFound.
pub async fn record(
    tx: &mut Tx,
    id: &str,
    version: i64,
    marks: &[(String, Payment)],
    funded: Option<i64>,
) -> Result<(), WriteError> {
    bump(tx, Document::PaymentList, id, version).await?;
    for (enrolment_id, payment) in marks {
        let (state, paid_on, method, reason) = match payment {
            Payment::Pending => ("pending", None, "", String::new()),
            Payment::Paid { on, method } => ("paid", Some(*on), method.code(), String::new()),
            Payment::Unpaid { reason } => ("unpaid", None, "", reason.clone()),
        };
        let done = payment_line::Entity::update_many()
            .col_expr(payment_line::Column::Payment, Expr::value(state))
            .col_expr(payment_line::Column::PaidOn, Expr::value(paid_on))
            .col_expr(payment_line::Column::Method, Expr::value(method))
            .col_expr(payment_line::Column::UnpaidReason, Expr::value(reason))
            .filter(payment_line::Column::ListId.eq(id))
            .filter(payment_line::Column::EnrolmentId.eq(enrolment_id))
            .exec(&*tx)
            .await?;
        if done.rows_affected != 1 {
            return Err(WriteError::NotFound);
        }
    }
    if let Some(funded) = funded {
        payment_list::Entity::update_many()
            .col_expr(payment_list::Column::Funded, Expr::value(funded))
            .filter(payment_list::Column::Id.eq(id))
            .exec(&*tx)
            .await?;
    }
    Ok(())
}

/// Which lists a listing shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub unit_prefix: String,
    pub period: Option<String>,
    pub policy: Option<String>,
    pub state: Option<State>,
}

/// The lists matching `f` with their figures (lines pending, and the settlement so far: owed,
/// paid, unpaid, funded), by unit path then period.
pub async fn summaries(
    conn: &impl ConnectionTrait,
    f: &Filter,
) -> Result<Vec<(ListRow, usize, Settlement)>, DbErr> {
    let mut q = payment_list::Entity::find().filter(db::starts_with(
        payment_list::Column::UnitPath,
        &f.unit_prefix,
    ));
    if let Some(period) = &f.period {
        q = q.filter(payment_list::Column::Period.eq(period));
    }
    if let Some(policy) = &f.policy {
        q = q.filter(payment_list::Column::Policy.eq(policy));
    }
    if let Some(state) = f.state {
        q = q.filter(payment_list::Column::State.eq(state.code()));
    }
    let lists: Vec<ListRow> = q
        .order_by_asc(payment_list::Column::UnitPath)
        .order_by_asc(payment_list::Column::Period)
        .all(conn)
        .await?
        .into_iter()
        .map(ListRow::from)
        .collect();
    let mut out = Vec::with_capacity(lists.len());
    for list in lists {
        let lines = lines(conn, &list.id).await?;
        let settlement_lines: Vec<PaymentLine> =
            lines.iter().map(LineRow::for_settlement).collect();
        let (pending, figures) = crate::domain::settlement::so_far(&settlement_lines, list.funded);
        out.push((list, pending, figures));
    }
    Ok(out)
}

/// The lists of `policy` and `period` held by the units `unit_paths` or by units under
/// `under` (a unit's list would count the same enrolments as theirs).
pub async fn overlapping(
    conn: &impl ConnectionTrait,
    unit_paths: &[String],
    under: &str,
    policy: &str,
    period: &str,
) -> Result<Vec<ListRow>, DbErr> {
    use sea_orm::Condition;
    Ok(payment_list::Entity::find()
        .filter(
            Condition::any()
                .add(payment_list::Column::UnitPath.is_in(unit_paths.to_vec()))
                .add(db::starts_with(payment_list::Column::UnitPath, under)),
        )
        .filter(payment_list::Column::Policy.eq(policy))
        .filter(payment_list::Column::Period.eq(period))
        .all(conn)
        .await?
        .into_iter()
        .map(ListRow::from)
        .collect())
}
