//! Staffing quotas per unit, year and kind, and the headcount they are compared with.

use super::col;
use tinhso_platform::db::Tx;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaRow {
    pub unit_id: String,
    pub year: i64,
    pub kind: String,
    pub quota: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

/// Replaces the quota of (unit, year, kind); returns the previous figure.
pub async fn set(tx: &mut Tx, q: &QuotaRow) -> Result<Option<i64>, tinhso_platform::db::DbErr> {
    let previous: Option<i64> = tinhso_platform::db::query(
        "SELECT quota FROM quotas WHERE unit_id = $1 AND year = $2 AND kind = $3",
    )
    .bind(&q.unit_id)
    .bind(q.year)
    .bind(&q.kind)
    .scalar_optional(&*tx)
    .await?;
    tinhso_platform::db::query("DELETE FROM quotas WHERE unit_id = $1 AND year = $2 AND kind = $3")
        .bind(&q.unit_id)
        .bind(q.year)
        .bind(&q.kind)
        .execute(&*tx)
        .await?;
    tinhso_platform::db::query(
        "INSERT INTO quotas (unit_id, year, kind, quota, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&q.unit_id)
    .bind(q.year)
    .bind(&q.kind)
    .bind(q.quota)
    .bind(q.updated_at)
    .bind(&q.updated_by)
    .execute(&*tx)
    .await?;
    Ok(previous)
}

/// (unit id, kind, quota) of every unit whose path starts with `prefix`, for `year`.
pub async fn quotas_under(
    pool: &tinhso_platform::db::DatabaseConnection,
    prefix: &str,
    year: i64,
) -> Result<Vec<(String, String, i64)>, tinhso_platform::db::DbErr> {
    let rows = tinhso_platform::db::query(
        "SELECT q.unit_id, q.kind, q.quota FROM quotas q JOIN units u ON u.id = q.unit_id \
         WHERE u.path LIKE $1 AND q.year = $2",
    )
    .bind(format!("{prefix}%"))
    .bind(year)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((col!(r, "unit_id"), col!(r, "kind"), col!(r, "quota"))))
        .collect()
}

/// (unit id, kind, working employees) of every unit whose path starts with `prefix`.
pub async fn headcount_under(
    pool: &tinhso_platform::db::DatabaseConnection,
    prefix: &str,
) -> Result<Vec<(String, String, i64)>, tinhso_platform::db::DbErr> {
    let rows = tinhso_platform::db::query(
        "SELECT unit_id, kind, COUNT(*) AS working FROM employees \
         WHERE unit_path LIKE $1 AND status = 'working' GROUP BY unit_id, kind",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((col!(r, "unit_id"), col!(r, "kind"), col!(r, "working"))))
        .collect()
}

/// The units under `prefix` (itself included), in tree order: (id, name, path).
pub async fn units_under(
    pool: &tinhso_platform::db::DatabaseConnection,
    prefix: &str,
) -> Result<Vec<(String, String, String)>, tinhso_platform::db::DbErr> {
    let rows = tinhso_platform::db::query(
        "SELECT id, name, path FROM units WHERE path LIKE $1 AND status = 'active' ORDER BY path",
    )
    .bind(format!("{prefix}%"))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((col!(r, "id"), col!(r, "name"), col!(r, "path"))))
        .collect()
}
