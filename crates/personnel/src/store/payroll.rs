//! Closed monthly payrolls: one header per unit and month and the pay line of each employee as
//! it was computed when the month was closed.

use super::col;
use super::entities::{employee, unit};
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _};
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
}

fn header_from(r: &tinhso_platform::db::Row) -> Result<PayrollRow, tinhso_platform::db::DbErr> {
    Ok(PayrollRow {
        unit_id: col!(r, "unit_id"),
        month: col!(r, "month"),
        headcount: col!(r, "headcount"),
        total: col!(r, "total"),
        due_date: col!(r, "due_date"),
        closed_at: col!(r, "closed_at"),
        closed_by: col!(r, "closed_by"),
    })
}

const HEADER: &str = "unit_id, month, headcount, total, due_date, closed_at, closed_by";

pub async fn get<E: tinhso_platform::db::ConnectionTrait>(
    exec: &E,
    unit_id: &str,
    month: &str,
) -> Result<Option<PayrollRow>, tinhso_platform::db::DbErr> {
    let sql = format!("SELECT {HEADER} FROM payrolls WHERE unit_id = $1 AND month = $2");
    tinhso_platform::db::query(sql)
        .bind(unit_id)
        .bind(month)
        .fetch_optional(exec)
        .await?
        .as_ref()
        .map(header_from)
        .transpose()
}

pub async fn lines(
    pool: &tinhso_platform::db::DatabaseConnection,
    unit_id: &str,
    month: &str,
) -> Result<Vec<PayLineRow>, tinhso_platform::db::DbErr> {
    tinhso_platform::db::query(
        "SELECT employee_id, full_name, grade_code, step, coefficient, position_allowance, \
         other_allowances, seniority_percent, base_salary, pay FROM payroll_lines \
         WHERE unit_id = $1 AND month = $2 ORDER BY full_name, employee_id",
    )
    .bind(unit_id)
    .bind(month)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(PayLineRow {
            employee_id: col!(r, "employee_id"),
            full_name: col!(r, "full_name"),
            grade_code: col!(r, "grade_code"),
            step: col!(r, "step"),
            coefficient: col!(r, "coefficient"),
            position_allowance: col!(r, "position_allowance"),
            other_allowances: col!(r, "other_allowances"),
            seniority_percent: col!(r, "seniority_percent"),
            base_salary: col!(r, "base_salary"),
            pay: col!(r, "pay"),
        })
    })
    .collect()
}

/// The closed payrolls of a month for units under `prefix`.
pub async fn closed_under(
    pool: &tinhso_platform::db::DatabaseConnection,
    prefix: &str,
    month: &str,
) -> Result<Vec<PayrollRow>, tinhso_platform::db::DbErr> {
    let sql = format!(
        "SELECT {} FROM payrolls p JOIN units u ON u.id = p.unit_id \
         WHERE u.path LIKE $1 AND p.month = $2",
        HEADER
            .split(", ")
            .map(|c| format!("p.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    tinhso_platform::db::query(sql)
        .bind(format!("{prefix}%"))
        .bind(month)
        .fetch_all(pool)
        .await?
        .iter()
        .map(header_from)
        .collect()
}

/// Stores a closed payroll; fails on the primary key if the month is already closed.
pub async fn insert(
    tx: &mut Tx,
    header: &PayrollRow,
    lines: &[PayLineRow],
) -> Result<(), tinhso_platform::db::DbErr> {
    let sql = format!("INSERT INTO payrolls ({HEADER}) VALUES ($1, $2, $3, $4, $5, $6, $7)");
    tinhso_platform::db::query(sql)
        .bind(&header.unit_id)
        .bind(&header.month)
        .bind(header.headcount)
        .bind(header.total)
        .bind(&header.due_date)
        .bind(header.closed_at)
        .bind(&header.closed_by)
        .execute(&*tx)
        .await?;
    for l in lines {
        tinhso_platform::db::query(
            "INSERT INTO payroll_lines (unit_id, month, employee_id, full_name, grade_code, step, \
             coefficient, position_allowance, other_allowances, seniority_percent, base_salary, \
             pay) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&header.unit_id)
        .bind(&header.month)
        .bind(&l.employee_id)
        .bind(&l.full_name)
        .bind(&l.grade_code)
        .bind(l.step)
        .bind(l.coefficient)
        .bind(l.position_allowance)
        .bind(l.other_allowances)
        .bind(l.seniority_percent)
        .bind(l.base_salary)
        .bind(l.pay)
        .execute(&*tx)
        .await?;
    }
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
