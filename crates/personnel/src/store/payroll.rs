//! Closed monthly payrolls: one header per unit and month and the pay line of each employee as
//! it was computed when the month was closed.

use super::entities::{employee, payroll, payroll_line, unit};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, JoinType, QueryFilter as _,
    QueryOrder as _, QuerySelect as _, Set,
};
use tinhso_platform::db::{self, DatabaseConnection, DbErr, Tx};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayrollRow {
    pub unit_id: String,
    /// `YYYY-MM`.
    pub month: String,
    pub headcount: i64,
    pub total: i64,
    pub due_date: String,
    pub closed_at: i64,
    pub closed_by: String,
}

/// One employee's pay: coefficients in hundredths, money in đồng.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayLineRow {
    pub employee_id: String,
    pub full_name: String,
    pub grade_code: String,
    pub step: i64,
    pub coefficient: i64,
    pub position_allowance: i64,
    pub other_allowances: i64,
    pub seniority_percent: i64,
    pub base_salary: i64,
    pub pay: i64,
    pub percent_allowances: i64,
    pub public_service_allowance: i64,
    pub gross: i64,
    pub insurance_base: i64,
    pub social_insurance: i64,
    pub health_insurance: i64,
    pub unemployment_insurance: i64,
    pub union_dues: i64,
    pub deductions: i64,
    pub net: i64,
}

impl From<payroll::Model> for PayrollRow {
    fn from(p: payroll::Model) -> Self {
        Self {
            unit_id: p.unit_id,
            month: p.month,
            headcount: p.headcount,
            total: p.total,
            due_date: db::date_text(p.due_date),
            closed_at: db::millis(p.closed_at),
            closed_by: p.closed_by,
        }
    }
}

pub async fn get(
    conn: &impl ConnectionTrait,
    unit_id: &str,
    month: &str,
) -> Result<Option<PayrollRow>, DbErr> {
    Ok(
        payroll::Entity::find_by_id((unit_id.to_string(), month.to_string()))
            .one(conn)
            .await?
            .map(PayrollRow::from),
    )
}

pub async fn lines(
    pool: &DatabaseConnection,
    unit_id: &str,
    month: &str,
) -> Result<Vec<PayLineRow>, DbErr> {
    Ok(payroll_line::Entity::find()
        .filter(payroll_line::Column::UnitId.eq(unit_id))
        .filter(payroll_line::Column::Month.eq(month))
        .order_by_asc(payroll_line::Column::FullName)
        .order_by_asc(payroll_line::Column::EmployeeId)
        .all(pool)
        .await?
        .into_iter()
        .map(|l| PayLineRow {
            employee_id: l.employee_id,
            full_name: l.full_name,
            grade_code: l.grade_code,
            step: l.step,
            coefficient: l.coefficient,
            position_allowance: l.position_allowance,
            other_allowances: l.other_allowances,
            seniority_percent: l.seniority_percent,
            base_salary: l.base_salary,
            pay: l.pay,
            percent_allowances: l.percent_allowances,
            public_service_allowance: l.public_service_allowance,
            gross: l.gross,
            insurance_base: l.insurance_base,
            social_insurance: l.social_insurance,
            health_insurance: l.health_insurance,
            unemployment_insurance: l.unemployment_insurance,
            union_dues: l.union_dues,
            deductions: l.deductions,
            net: l.net,
        })
        .collect::<Vec<_>>())
    .map(|mut lines| {
        // By given name, as every list of people (vn::name_sort_key).
        lines.sort_by_cached_key(|l: &PayLineRow| tinhso_platform::vn::name_sort_key(&l.full_name));
        lines
    })
}

/// The closed payrolls of a month for units under `prefix`.
pub async fn closed_under(
    pool: &DatabaseConnection,
    prefix: &str,
    month: &str,
) -> Result<Vec<PayrollRow>, DbErr> {
    let of_unit = payroll::Entity::belongs_to(unit::Entity)
        .from(payroll::Column::UnitId)
        .to(unit::Column::Id)
        .into();
    Ok(payroll::Entity::find()
        .join(JoinType::InnerJoin, of_unit)
        .filter(db::starts_with(unit::Column::Path, prefix))
        .filter(payroll::Column::Month.eq(month))
        .all(pool)
        .await?
        .into_iter()
        .map(PayrollRow::from)
        .collect())
}

/// Stores a closed payroll; fails on the primary key if the month is already closed.
pub async fn insert(tx: &mut Tx, header: &PayrollRow, lines: &[PayLineRow]) -> Result<(), DbErr> {
    payroll::Entity::insert(payroll::ActiveModel {
        unit_id: Set(header.unit_id.clone()),
        month: Set(header.month.clone()),
        headcount: Set(header.headcount),
        total: Set(header.total),
        due_date: Set(db::date(&header.due_date)?),
        closed_at: Set(db::at(header.closed_at)),
        closed_by: Set(header.closed_by.clone()),
    })
    .exec_without_returning(&*tx)
    .await?;
    if lines.is_empty() {
        return Ok(());
    }
    let rows = lines.iter().map(|l| payroll_line::ActiveModel {
        unit_id: Set(header.unit_id.clone()),
        month: Set(header.month.clone()),
        employee_id: Set(l.employee_id.clone()),
        full_name: Set(l.full_name.clone()),
        grade_code: Set(l.grade_code.clone()),
        step: Set(l.step),
        coefficient: Set(l.coefficient),
        position_allowance: Set(l.position_allowance),
        other_allowances: Set(l.other_allowances),
        seniority_percent: Set(l.seniority_percent),
        base_salary: Set(l.base_salary),
        pay: Set(l.pay),
        percent_allowances: Set(l.percent_allowances),
        public_service_allowance: Set(l.public_service_allowance),
        gross: Set(l.gross),
        insurance_base: Set(l.insurance_base),
        social_insurance: Set(l.social_insurance),
        health_insurance: Set(l.health_insurance),
        unemployment_insurance: Set(l.unemployment_insurance),
        union_dues: Set(l.union_dues),
        deductions: Set(l.deductions),
        net: Set(l.net),
    });
    payroll_line::Entity::insert_many(rows)
        .exec_without_returning(&*tx)
        .await?;
    Ok(())
}

/// Active units under `prefix` with at least one working employee of their own, in tree order.
pub async fn units_with_staff(
    pool: &DatabaseConnection,
    prefix: &str,
) -> Result<Vec<super::units::UnitRow>, DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait as _, Query};
    let has_staff = Query::select()
        .expr(Expr::val(1))
        .from(employee::Entity)
        .and_where(
            Expr::col((employee::Entity, employee::Column::UnitId))
                .equals((unit::Entity, unit::Column::Id)),
        )
        .and_where(employee::Column::Status.eq("working"))
        .to_owned();
    Ok(unit::Entity::find()
        .filter(db::starts_with(unit::Column::Path, prefix))
        .filter(unit::Column::Status.eq("active"))
        .filter(Expr::exists(has_staff))
        .order_by_asc(unit::Column::Path)
        .all(pool)
        .await?
        .into_iter()
        .map(super::units::UnitRow::from)
        .collect())
}
