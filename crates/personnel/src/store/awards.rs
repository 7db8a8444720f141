//! Honours of people outside the staff records, and the award counts of the statistics.

use super::col;
use tinhso_platform::db::{Arg, Filter, Tx};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HonourRow {
    pub id: String,
    pub unit_id: String,
    pub unit_path: String,
    pub kind: String,
    pub recipient_name: String,
    pub birth_year: i64,
    pub home_town: String,
    pub address: String,
    pub decision_number: String,
    pub decision_date: String,
    pub issuer: String,
    pub posthumous: bool,
    pub note: String,
    pub recorded_at: i64,
    pub recorded_by: String,
}

const COLUMNS: &str = "id, unit_id, unit_path, kind, recipient_name, birth_year, home_town, \
    address, decision_number, decision_date, issuer, posthumous, note, recorded_at, recorded_by";

fn from_row(r: &tinhso_platform::db::Row) -> Result<HonourRow, tinhso_platform::db::DbErr> {
    let posthumous: i64 = col!(r, "posthumous");
    Ok(HonourRow {
        id: col!(r, "id"),
        unit_id: col!(r, "unit_id"),
        unit_path: col!(r, "unit_path"),
        kind: col!(r, "kind"),
        recipient_name: col!(r, "recipient_name"),
        birth_year: col!(r, "birth_year"),
        home_town: col!(r, "home_town"),
        address: col!(r, "address"),
        decision_number: col!(r, "decision_number"),
        decision_date: col!(r, "decision_date"),
        issuer: col!(r, "issuer"),
        posthumous: posthumous != 0,
        note: col!(r, "note"),
        recorded_at: col!(r, "recorded_at"),
        recorded_by: col!(r, "recorded_by"),
    })
}

pub async fn by_request_id(
    tx: &mut Tx,
    request_id: &str,
) -> Result<Option<HonourRow>, tinhso_platform::db::DbErr> {
    let sql = format!("SELECT {COLUMNS} FROM honours WHERE request_id = $1");
    tinhso_platform::db::query(sql)
        .bind(request_id)
        .fetch_optional(&*tx)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn insert(
    tx: &mut Tx,
    h: &HonourRow,
    request_id: Option<&str>,
) -> Result<(), tinhso_platform::db::DbErr> {
    let sql = format!(
        "INSERT INTO honours ({COLUMNS}, name_folded, request_id) VALUES ($1, $2, $3, $4, $5, \
         $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
    );
    tinhso_platform::db::query(sql)
        .bind(&h.id)
        .bind(&h.unit_id)
        .bind(&h.unit_path)
        .bind(&h.kind)
        .bind(&h.recipient_name)
        .bind(h.birth_year)
        .bind(&h.home_town)
        .bind(&h.address)
        .bind(&h.decision_number)
        .bind(&h.decision_date)
        .bind(&h.issuer)
        .bind(i64::from(h.posthumous))
        .bind(&h.note)
        .bind(h.recorded_at)
        .bind(&h.recorded_by)
        .bind(tinhso_platform::vn::fold(&h.recipient_name))
        .bind(request_id)
        .execute(&*tx)
        .await?;
    Ok(())
}

/// Honours under `prefix`, by decision date (newest first).
pub async fn list(
    pool: &tinhso_platform::db::DatabaseConnection,
    prefix: &str,
    kind: Option<&str>,
    name_folded: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<HonourRow>, tinhso_platform::db::DbErr> {
    let mut f = Filter::new();
    f.under_any("unit_path", &[prefix.to_string()]);
    f.eq_text("kind", kind);
    f.contains("name_folded", name_folded);
    let sql = format!(
        "SELECT {COLUMNS} FROM honours{} ORDER BY decision_date DESC, id LIMIT {limit} OFFSET {offset}",
        f.where_sql()
    );
    f.query(sql)
        .fetch_all(pool)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// (award kind, year, count) under `prefix` for decision years in `[from_year, to_year]`: awards
/// in staff records (by the record's current unit) and honours together.
pub async fn counts(
    pool: &tinhso_platform::db::DatabaseConnection,
    prefix: &str,
    from_year: i32,
    to_year: i32,
) -> Result<Vec<(String, i32, i64)>, tinhso_platform::db::DbErr> {
    let from = format!("{from_year:04}-01-01");
    let to = format!("{to_year:04}-12-31");
    let mut out = Vec::new();
    for sql in [
        "SELECT s.code AS kind, s.decision_date AS day FROM section_entries s \
         JOIN employees e ON e.id = s.employee_id WHERE s.section = 'award' AND s.removed = 0 \
         AND e.unit_path LIKE $1 AND s.decision_date >= $2 AND s.decision_date <= $3",
        "SELECT kind, decision_date AS day FROM honours WHERE unit_path LIKE $1 \
         AND decision_date >= $2 AND decision_date <= $3",
    ] {
        let mut f = Filter::new();
        f.arg(Arg::Text(format!("{prefix}%")));
        f.arg(Arg::Text(from.clone()));
        f.arg(Arg::Text(to.clone()));
        for r in f.query(sql.to_string()).fetch_all(pool).await? {
            let kind: String = col!(&r, "kind");
            let day: String = col!(&r, "day");
            let year = day.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
            match out
                .iter_mut()
                .find(|(k, y, _): &&mut (String, i32, i64)| *k == kind && *y == year)
            {
                Some(entry) => entry.2 += 1,
                None => out.push((kind, year, 1)),
            }
        }
    }
    Ok(out)
}
