//! The append-only audit record: who, when, what, before/after.

use super::entities::audit_event;
use sea_orm::{
    ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _, Set,
};
use tinhso_platform::UnitPath;
use tinhso_platform::db::{self, DatabaseConnection, DbErr, Tx};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor_id: String,
    pub actor_username: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub unit_path: String,
    pub client_address: String,
    /// JSON text; empty when there is no "before" (a creation).
    pub before_json: String,
    /// JSON text; empty when there is no "after".
    pub after_json: String,
}

/// Stored as JSON: no value is JSON `null`; text that is not JSON is kept as a JSON string.
fn to_json(text: &str) -> serde_json::Value {
    if text.is_empty() {
        return serde_json::Value::Null;
    }
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_string()))
}

fn to_text(value: serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl From<audit_event::Model> for AuditEntry {
    fn from(m: audit_event::Model) -> Self {
        Self {
            id: m.id,
            at: db::millis(m.at),
            actor_id: m.actor_id,
            actor_username: m.actor_username,
            action: m.action,
            target_kind: m.target_kind,
            target_id: m.target_id,
            unit_path: m.unit_path,
            client_address: m.client_address,
            before_json: to_text(m.before),
            after_json: to_text(m.after),
        }
    }
}

pub async fn append(tx: &mut Tx, e: &AuditEntry) -> Result<(), DbErr> {
    audit_event::Entity::insert(audit_event::ActiveModel {
        at: Set(db::at(e.at)),
        actor_id: Set(e.actor_id.clone()),
        actor_username: Set(e.actor_username.clone()),
        action: Set(e.action.clone()),
        target_kind: Set(e.target_kind.clone()),
        target_id: Set(e.target_id.clone()),
        unit_path: Set(e.unit_path.clone()),
        client_address: Set(e.client_address.clone()),
        before: Set(to_json(&e.before_json)),
        after: Set(to_json(&e.after_json)),
        ..Default::default()
    })
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

#[derive(Debug, Default)]
pub struct Filter {
    pub scopes: Vec<String>,
    pub actor_id: Option<String>,
    pub under_path: Option<UnitPath>,
    pub action: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Only events older than this id (keyset paging for exports).
    pub before_id: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

pub async fn query(pool: &DatabaseConnection, f: &Filter) -> Result<Vec<AuditEntry>, DbErr> {
    use audit_event::Column;
    let mut select = audit_event::Entity::find().filter(db::under_any(Column::UnitPath, &f.scopes));
    if let Some(p) = &f.under_path {
        select = select.filter(db::starts_with(Column::UnitPath, p));
    }
    if let Some(a) = &f.actor_id {
        select = select.filter(Column::ActorId.eq(a));
    }
    if let Some(a) = &f.action {
        select = select.filter(Column::Action.eq(a));
    }
    if let Some(t) = f.from_ms {
        select = select.filter(Column::At.gte(db::at(t)));
    }
    if let Some(t) = f.to_ms {
        select = select.filter(Column::At.lt(db::at(t)));
    }
    if let Some(id) = f.before_id {
        select = select.filter(Column::Id.lt(id));
    }
    Ok(select
        .order_by_desc(Column::Id)
        .limit(u64::try_from(f.limit).unwrap_or(0))
        .offset(u64::try_from(f.offset).unwrap_or(0))
        .all(pool)
        .await?
        .into_iter()
        .map(AuditEntry::from)
        .collect())
}

/// Deletes entries older than `before_ms` (retention); returns how many.
pub async fn purge_before(pool: &DatabaseConnection, before_ms: i64) -> Result<u64, DbErr> {
    let done = audit_event::Entity::delete_many()
        .filter(audit_event::Column::At.lt(db::at(before_ms)))
        .exec(pool)
        .await?;
    Ok(done.rows_affected)
}
