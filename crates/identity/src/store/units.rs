//! Units: rows, lookups and path rewrites for moves and merges.

use super::entities::kinds::{UnitKind, UnitStatus};
use super::entities::unit;
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ActiveEnum as _, ColumnTrait as _, ConnectionTrait, EntityTrait as _, PaginatorTrait as _,
    QueryFilter as _, QueryOrder as _, QuerySelect as _, Set,
};
use tinhso_platform::db::{self, DbErr, Tx};
use tinhso_platform::{UnitId, UnitPath};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnitRow {
    pub id: UnitId,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<UnitId>,
    pub path: UnitPath,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub status: String,
    pub merged_into_id: Option<UnitId>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<unit::Model> for UnitRow {
    fn from(m: unit::Model) -> Self {
        Self {
            id: UnitId::new(m.id.to_string()),
            code: m.code,
            name: m.name,
            kind: m.kind.to_value(),
            parent_id: m.parent_id.map(|id| UnitId::new(id.to_string())),
            path: UnitPath::new(m.path),
            valid_from: m.valid_from.map(db::date_text),
            valid_to: m.valid_to.map(db::date_text),
            status: m.status.to_value(),
            merged_into_id: m.merged_into_id.map(|id| UnitId::new(id.to_string())),
            version: m.version,
            created_at: db::millis(m.created_at),
            updated_at: db::millis(m.updated_at),
        }
    }
}

/// The unit's columns as written; `request_id` is set on insert only.
fn active_model(u: &UnitRow) -> Result<unit::ActiveModel, DbErr> {
    Ok(unit::ActiveModel {
        id: Set(db::uuid_of(&u.id)?),
        code: Set(u.code.clone()),
        name: Set(u.name.clone()),
        name_folded: Set(tinhso_platform::vn::fold(&u.name)),
        kind: Set(UnitKind::try_from_value(&u.kind)?),
        parent_id: Set(u.parent_id.as_deref().map(db::uuid_of).transpose()?),
        path: Set(u.path.to_string()),
        valid_from: Set(db::date_opt(u.valid_from.as_deref())?),
        valid_to: Set(db::date_opt(u.valid_to.as_deref())?),
        status: Set(UnitStatus::try_from_value(&u.status)?),
        merged_into_id: Set(u.merged_into_id.as_deref().map(db::uuid_of).transpose()?),
        version: Set(u.version),
        created_at: Set(db::at(u.created_at)),
        updated_at: Set(db::at(u.updated_at)),
        ..Default::default()
    })
}

async fn one(
    conn: &impl ConnectionTrait,
    select: sea_orm::Select<unit::Entity>,
) -> Result<Option<UnitRow>, DbErr> {
    Ok(select.one(conn).await?.map(UnitRow::from))
}

pub async fn get(conn: &impl ConnectionTrait, id: &str) -> Result<Option<UnitRow>, DbErr> {
    let Some(id) = db::uuid(id) else {
        return Ok(None);
    };
    one(conn, unit::Entity::find_by_id(id)).await
}

pub async fn by_request_id(tx: &mut Tx, request_id: &str) -> Result<Option<UnitRow>, DbErr> {
    let select = unit::Entity::find().filter(unit::Column::RequestId.eq(request_id));
    one(&*tx, select).await
}

pub async fn code_taken(tx: &mut Tx, code: &str, except_id: &str) -> Result<bool, DbErr> {
    let mut others = unit::Entity::find().filter(unit::Column::Code.eq(code));
    if let Some(except) = db::uuid(except_id) {
        others = others.filter(unit::Column::Id.ne(except));
    }
    let others = others.count(&*tx).await?;
    Ok(others > 0)
}

/// The unit with `code`, if any (codes are unique).
pub async fn by_code(conn: &impl ConnectionTrait, code: &str) -> Result<Option<UnitRow>, DbErr> {
    one(
        conn,
        unit::Entity::find().filter(unit::Column::Code.eq(code)),
    )
    .await
}

pub async fn root(conn: &impl ConnectionTrait) -> Result<Option<UnitRow>, DbErr> {
    let select = unit::Entity::find()
        .filter(unit::Column::ParentId.is_null())
        .order_by_asc(unit::Column::CreatedAt);
    one(conn, select).await
}

pub async fn insert(tx: &mut Tx, u: &UnitRow, request_id: Option<&str>) -> Result<(), DbErr> {
    let mut row = active_model(u)?;
    row.request_id = Set(request_id.map(str::to_string));
    unit::Entity::insert(row)
        .exec_without_returning(&*tx)
        .await?;
    Ok(())
}

/// Writes the unit's own fields if its version is still `expected_version`; false when stale.
pub async fn update(tx: &mut Tx, u: &UnitRow, expected_version: i64) -> Result<bool, DbErr> {
    let mut row = active_model(u)?;
    row.created_at = sea_orm::NotSet;
    let done = unit::Entity::update_many()
        .set(row)
        .filter(unit::Column::Id.eq(db::uuid_of(&u.id)?))
        .filter(unit::Column::Version.eq(expected_version))
        .exec(&*tx)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Rewrites the paths of every strict descendant of `old_prefix` to lie under `new_prefix`.
pub async fn rebase_descendants(
    tx: &mut Tx,
    old_prefix: &str,
    new_prefix: &str,
    now: i64,
) -> Result<u64, DbErr> {
    let done = unit::Entity::update_many()
        .col_expr(
            unit::Column::Path,
            db::rebased_path(unit::Column::Path, old_prefix, new_prefix),
        )
        .col_expr(
            unit::Column::Version,
            Expr::col(unit::Column::Version).add(1),
        )
        .col_expr(unit::Column::UpdatedAt, Expr::val(db::at(now)))
        .filter(db::starts_with(unit::Column::Path, old_prefix))
        .filter(unit::Column::Path.ne(old_prefix))
        .exec(&*tx)
        .await?;
    Ok(done.rows_affected)
}

fn open_unless(include_closed: bool) -> sea_orm::Condition {
    // `all()` of nothing is true; `any()` of nothing would be false and hide every unit.
    let mut condition = sea_orm::Condition::all();
    if !include_closed {
        condition = condition.add(unit::Column::Status.eq(UnitStatus::Active));
    }
    condition
}

pub async fn children(
    conn: &impl ConnectionTrait,
    parent_id: &str,
    include_closed: bool,
) -> Result<Vec<UnitRow>, DbErr> {
    let Some(parent_id) = db::uuid(parent_id) else {
        return Ok(Vec::new());
    };
    Ok(unit::Entity::find()
        .filter(unit::Column::ParentId.eq(parent_id))
        .filter(open_unless(include_closed))
        .order_by_asc(unit::Column::Name)
        .order_by_asc(unit::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(UnitRow::from)
        .collect())
}

/// Open units whose code starts with `query` or whose folded name contains it, codes first
/// then by name: the province's directory.
pub async fn find_open(
    conn: &impl ConnectionTrait,
    query: &str,
    limit: u64,
) -> Result<Vec<UnitRow>, DbErr> {
    let folded = tinhso_platform::vn::fold(query);
    Ok(unit::Entity::find()
        .filter(open_unless(false))
        .filter(
            sea_orm::Condition::any()
                .add(db::starts_with(unit::Column::Code, query))
                // Codes are mostly upper case; people type them either way.
                .add(db::starts_with(unit::Column::Code, &query.to_uppercase()))
                .add(db::contains(unit::Column::NameFolded, &folded)),
        )
        .order_by_asc(unit::Column::Name)
        .order_by_asc(unit::Column::Id)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(UnitRow::from)
        .collect())
}

/// Units whose path starts with `prefix` (the unit itself included), in tree order.
pub async fn subtree(
    conn: &impl ConnectionTrait,
    prefix: &str,
    include_closed: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<UnitRow>, DbErr> {
    Ok(unit::Entity::find()
        .filter(db::starts_with(unit::Column::Path, prefix))
        .filter(open_unless(include_closed))
        .order_by_asc(unit::Column::Path)
        .limit(u64::try_from(limit).unwrap_or(0))
        .offset(u64::try_from(offset).unwrap_or(0))
        .all(conn)
        .await?
        .into_iter()
        .map(UnitRow::from)
        .collect())
}

/// The ids of the direct children of `parent_id` (merges move them).
pub async fn children_ids(tx: &mut Tx, parent_id: &str) -> Result<Vec<String>, DbErr> {
    let ids: Vec<uuid::Uuid> = unit::Entity::find()
        .select_only()
        .column(unit::Column::Id)
        .filter(unit::Column::ParentId.eq(db::uuid_of(parent_id)?))
        .into_tuple()
        .all(&*tx)
        .await?;
    Ok(ids.iter().map(ToString::to_string).collect())
}

pub async fn count_open_children(tx: &mut Tx, id: &str) -> Result<i64, DbErr> {
    let open = unit::Entity::find()
        .filter(unit::Column::ParentId.eq(db::uuid_of(id)?))
        .filter(unit::Column::Status.eq(UnitStatus::Active))
        .count(&*tx)
        .await?;
    Ok(open as i64)
}
