//! Honours of people outside the staff records, and the award counts of the statistics.

use super::entities::{employee, honour, section_entry};
use sea_orm::{
    ColumnTrait as _, DatabaseConnection, EntityTrait as _, JoinType, QueryFilter as _,
    QueryOrder as _, QuerySelect as _, Set,
};
use tinhso_platform::db::{self, DbErr, Tx};

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

impl From<honour::Model> for HonourRow {
    fn from(h: honour::Model) -> Self {
        Self {
            id: h.id,
            unit_id: h.unit_id,
            unit_path: h.unit_path,
            kind: h.kind,
            recipient_name: h.recipient_name,
            birth_year: h.birth_year,
            home_town: h.home_town,
            address: h.address,
            decision_number: h.decision_number,
            decision_date: db::date_text(h.decision_date),
            issuer: h.issuer,
            posthumous: h.posthumous,
            note: h.note,
            recorded_at: db::millis(h.recorded_at),
            recorded_by: h.recorded_by,
        }
    }
}

pub async fn by_request_id(tx: &mut Tx, request_id: &str) -> Result<Option<HonourRow>, DbErr> {
    Ok(honour::Entity::find()
        .filter(honour::Column::RequestId.eq(request_id))
        .one(&*tx)
        .await?
        .map(HonourRow::from))
}

pub async fn insert(tx: &mut Tx, h: &HonourRow, request_id: Option<&str>) -> Result<(), DbErr> {
    honour::Entity::insert(honour::ActiveModel {
        id: Set(h.id.clone()),
        unit_id: Set(h.unit_id.clone()),
        unit_path: Set(h.unit_path.clone()),
        kind: Set(h.kind.clone()),
        recipient_name: Set(h.recipient_name.clone()),
        name_folded: Set(tinhso_platform::vn::fold(&h.recipient_name)),
        birth_year: Set(h.birth_year),
        home_town: Set(h.home_town.clone()),
        address: Set(h.address.clone()),
        decision_number: Set(h.decision_number.clone()),
        decision_date: Set(db::date(&h.decision_date)?),
        issuer: Set(h.issuer.clone()),
        posthumous: Set(h.posthumous),
        note: Set(h.note.clone()),
        request_id: Set(request_id.map(str::to_string)),
        recorded_at: Set(db::at(h.recorded_at)),
        recorded_by: Set(h.recorded_by.clone()),
    })
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

/// Honours under `prefix`, by decision date (newest first).
pub async fn list(
    pool: &DatabaseConnection,
    prefix: &str,
    kind: Option<&str>,
    name_folded: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<HonourRow>, DbErr> {
    let mut select =
        honour::Entity::find().filter(db::starts_with(honour::Column::UnitPath, prefix));
    if let Some(kind) = kind {
        select = select.filter(honour::Column::Kind.eq(kind));
    }
    if let Some(name) = name_folded {
        select = select.filter(db::contains(honour::Column::NameFolded, name));
    }
    Ok(select
        .order_by_desc(honour::Column::DecisionDate)
        .order_by_asc(honour::Column::Id)
        .limit(u64::try_from(limit).unwrap_or(0))
        .offset(u64::try_from(offset).unwrap_or(0))
        .all(pool)
        .await?
        .into_iter()
        .map(HonourRow::from)
        .collect())
}

/// (award kind, year, count) under `prefix` for decision years in `[from_year, to_year]`: awards
/// in staff records (by the record's current unit) and honours together.
pub async fn counts(
    pool: &DatabaseConnection,
    prefix: &str,
    from_year: i32,
    to_year: i32,
) -> Result<Vec<(String, i32, i64)>, DbErr> {
    let from = db::date(&format!("{from_year:04}-01-01"))?;
    let to = db::date(&format!("{to_year:04}-12-31"))?;
    let of_record = section_entry::Entity::belongs_to(employee::Entity)
        .from(section_entry::Column::EmployeeId)
        .to(employee::Column::Id)
        .into();
    let awards: Vec<(String, Option<time::Date>)> = section_entry::Entity::find()
        .select_only()
        .columns([
            section_entry::Column::Code,
            section_entry::Column::DecisionDate,
        ])
        .join(JoinType::InnerJoin, of_record)
        .filter(section_entry::Column::Section.eq("award"))
        .filter(section_entry::Column::Removed.eq(false))
        .filter(db::starts_with(employee::Column::UnitPath, prefix))
        .filter(section_entry::Column::DecisionDate.gte(from))
        .filter(section_entry::Column::DecisionDate.lte(to))
        .into_tuple()
        .all(pool)
        .await?;
    let honours: Vec<(String, time::Date)> = honour::Entity::find()
        .select_only()
        .columns([honour::Column::Kind, honour::Column::DecisionDate])
        .filter(db::starts_with(honour::Column::UnitPath, prefix))
        .filter(honour::Column::DecisionDate.gte(from))
        .filter(honour::Column::DecisionDate.lte(to))
        .into_tuple()
        .all(pool)
        .await?;
    let decided = awards
        .into_iter()
        .filter_map(|(kind, day)| Some((kind, day?)))
        .chain(honours);
    let mut out: Vec<(String, i32, i64)> = Vec::new();
    for (kind, day) in decided {
        let year = day.year();
        match out.iter_mut().find(|(k, y, _)| *k == kind && *y == year) {
            Some(entry) => entry.2 += 1,
            None => out.push((kind, year, 1)),
        }
    }
    Ok(out)
}
