//! The append-only audit record: who, when, what, before/after.

use super::col;
use tinhso_platform::db::Tx;

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
    pub before_json: String,
    pub after_json: String,
}

pub async fn append(tx: &mut Tx, e: &AuditEntry) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query(
        "INSERT INTO audit_events (at, actor_id, actor_username, action, target_kind, target_id, unit_path, client_address, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(e.at)
    .bind(&e.actor_id)
    .bind(&e.actor_username)
    .bind(&e.action)
    .bind(&e.target_kind)
    .bind(&e.target_id)
    .bind(&e.unit_path)
    .bind(&e.client_address)
    .bind(&e.before_json)
    .bind(&e.after_json)
    .execute(&*tx)
    .await?;
    Ok(())
}

#[derive(Debug, Default)]
pub struct Filter {
    pub scopes: Vec<String>,
    pub actor_id: Option<String>,
    pub under_path: Option<String>,
    pub action: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Only events older than this id (keyset paging for exports).
    pub before_id: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

pub async fn query(
    pool: &tinhso_platform::db::DatabaseConnection,
    f: &Filter,
) -> Result<Vec<AuditEntry>, tinhso_platform::db::DbErr> {
    if f.scopes.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = String::from(
        "SELECT id, at, actor_id, actor_username, action, target_kind, target_id, unit_path, client_address, before_json, after_json FROM audit_events WHERE (",
    );
    let mut texts: Vec<String> = Vec::new();
    for (i, scope) in f.scopes.iter().enumerate() {
        if i > 0 {
            sql.push_str(" OR ");
        }
        texts.push(format!("{scope}%"));
        sql.push_str(&format!("unit_path LIKE ${}", texts.len()));
    }
    sql.push(')');
    if let Some(p) = &f.under_path {
        texts.push(format!("{p}%"));
        sql.push_str(&format!(" AND unit_path LIKE ${}", texts.len()));
    }
    if let Some(a) = &f.actor_id {
        texts.push(a.clone());
        sql.push_str(&format!(" AND actor_id = ${}", texts.len()));
    }
    if let Some(a) = &f.action {
        texts.push(a.clone());
        sql.push_str(&format!(" AND action = ${}", texts.len()));
    }
    let n = texts.len();
    let mut ints: Vec<i64> = Vec::new();
    if let Some(t) = f.from_ms {
        ints.push(t);
        sql.push_str(&format!(" AND at >= ${}", n + ints.len()));
    }
    if let Some(t) = f.to_ms {
        ints.push(t);
        sql.push_str(&format!(" AND at < ${}", n + ints.len()));
    }
    if let Some(id) = f.before_id {
        ints.push(id);
        sql.push_str(&format!(" AND id < ${}", n + ints.len()));
    }
    sql.push_str(&format!(
        " ORDER BY id DESC LIMIT {} OFFSET {}",
        f.limit, f.offset
    ));
    let mut q = tinhso_platform::db::query(sql);
    for t in texts {
        q = q.bind(t);
    }
    for i in ints {
        q = q.bind(i);
    }
    let rows = q.fetch_all(pool).await?;
    rows.iter()
        .map(|row| {
            Ok(AuditEntry {
                id: col!(row, "id"),
                at: col!(row, "at"),
                actor_id: col!(row, "actor_id"),
                actor_username: col!(row, "actor_username"),
                action: col!(row, "action"),
                target_kind: col!(row, "target_kind"),
                target_id: col!(row, "target_id"),
                unit_path: col!(row, "unit_path"),
                client_address: col!(row, "client_address"),
                before_json: col!(row, "before_json"),
                after_json: col!(row, "after_json"),
            })
        })
        .collect()
}

/// Deletes entries older than `before_ms` (retention); returns how many.
pub async fn purge_before(
    pool: &tinhso_platform::db::DatabaseConnection,
    before_ms: i64,
) -> Result<u64, tinhso_platform::db::DbErr> {
    Ok(
        tinhso_platform::db::query("DELETE FROM audit_events WHERE at < $1")
            .bind(before_ms)
            .execute(pool)
            .await?
            .rows_affected(),
    )
}
