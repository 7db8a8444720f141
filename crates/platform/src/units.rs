//! The replica of identity's unit tree that every other service keeps: what it needs of a unit
//! (its path for permissions, its code, name and kind for people), fed by identity's unit
//! events. A service adds the table with [`UNIT_REPLICA_MIGRATION`], consumes [`UNIT_EVENTS`]
//! with a [`UnitReplica`], and says in its [`UnitHooks`] what its own rows do when a unit moves
//! or merges.

use crate::db::{self, DatabaseConnection, DbErr, Migration, Tx};
use crate::events::{BoxFuture, Event, Handler, HandlerError};
use crate::ids::{UnitId, UnitPath};
use prost::Message as _;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, QuerySelect as _, Set,
};
use tinhso_proto::identity::v1::UnitChanged;

/// Identity's unit events, all kinds.
pub const UNIT_EVENTS: &str = "tinhso.identity.unit.>";

/// The replica's table, after the event tables in a service's migrator.
pub const UNIT_REPLICA_MIGRATION: Migration = Migration {
    name: "m0002_unit_replica",
    sql: "
CREATE TABLE units (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'closed')),
    kind TEXT NOT NULL DEFAULT ''
);
CREATE INDEX units_path ON units (path text_pattern_ops);
",
    postgres_only: "",
};

/// The unit's version in the replica, so a replayed or republished older event is ignored.
pub const UNIT_REPLICA_VERSION_MIGRATION: Migration = Migration {
    name: "m0004_unit_replica_version",
    sql: "ALTER TABLE units ADD COLUMN version BIGINT NOT NULL DEFAULT 0;",
    postgres_only: "",
};

/// The replica's table.
pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "units")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub code: String,
        pub name: String,
        pub path: String,
        pub status: String,
        pub kind: String,
        pub version: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A unit as the replica knows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplicaUnit {
    pub id: UnitId,
    pub code: String,
    pub name: String,
    pub path: UnitPath,
    /// `active` or `closed`.
    pub status: String,
    /// Identity's unit kind, e.g. "department", "district" (empty if the event predates it).
    pub kind: String,
    /// Identity's version of the unit this row reflects (0: not known).
    pub version: i64,
}

impl From<entity::Model> for ReplicaUnit {
    fn from(u: entity::Model) -> Self {
        Self {
            id: UnitId::new(u.id),
            code: u.code,
            name: u.name,
            path: UnitPath::new(u.path),
            status: u.status,
            kind: u.kind,
            version: u.version,
        }
    }
}

/// A write names its unit: REQUIRED on `field` when it does not.
pub fn unit_required(field: &str) -> crate::AppError {
    crate::AppError::invalid(
        field,
        crate::ErrorCode::Required,
        "chưa chọn đơn vị",
        "the unit is required",
    )
}

/// The unit `unit_id` from the replica, or the caller's own when none is named (lists and
/// reports asked without a unit are of the caller's unit); NOT_FOUND on `unit_id` otherwise.
pub async fn unit_or_own(
    conn: &impl ConnectionTrait,
    p: &crate::auth::Principal,
    unit_id: &str,
) -> crate::AppResult<ReplicaUnit> {
    let own = p.unit_path.rsplit('/').find(|s| !s.is_empty());
    let unit_id = match (unit_id, own) {
        ("", Some(own)) => own,
        ("", None) => return Err(unit_required("unit_id")),
        (id, _) => id,
    };
    get(conn, unit_id)
        .await?
        .ok_or_else(|| crate::AppError::not_found("đơn vị", "unit").with_field("unit_id"))
}

/// The active unit `id` from the replica; REQUIRED or NOT_FOUND on `field` otherwise.
pub async fn active_unit(
    conn: &impl ConnectionTrait,
    id: &str,
    field: &str,
) -> crate::AppResult<ReplicaUnit> {
    if id.is_empty() {
        return Err(unit_required(field));
    }
    get(conn, id)
        .await?
        .filter(|u| u.status == "active")
        .ok_or_else(|| {
            crate::AppError::not_found("đơn vị đang hoạt động", "active unit").with_field(field)
        })
}

pub async fn get(conn: &impl ConnectionTrait, id: &str) -> Result<Option<ReplicaUnit>, DbErr> {
    Ok(entity::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(ReplicaUnit::from))
}

/// Inserts a unit or replaces what the replica knew of it.
pub async fn upsert(tx: &mut Tx, u: &ReplicaUnit) -> Result<(), DbErr> {
    use entity::Column;
    entity::Entity::insert(entity::ActiveModel {
        id: Set(u.id.to_string()),
        code: Set(u.code.clone()),
        name: Set(u.name.clone()),
        path: Set(u.path.to_string()),
        status: Set(u.status.clone()),
        kind: Set(u.kind.clone()),
        version: Set(u.version),
    })
    .on_conflict(
        OnConflict::column(Column::Id)
            .update_columns([
                Column::Code,
                Column::Name,
                Column::Path,
                Column::Status,
                Column::Kind,
                Column::Version,
            ])
            .to_owned(),
    )
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

/// Rewrites the path of every unit under `old` to start with `new`.
pub async fn rebase(tx: &mut Tx, old: &str, new: &str) -> Result<(), DbErr> {
    entity::Entity::update_many()
        .col_expr(
            entity::Column::Path,
            db::rebased_path(entity::Column::Path, old, new),
        )
        .filter(db::starts_with(entity::Column::Path, old))
        .exec(&*tx)
        .await?;
    Ok(())
}

/// (id, name) of every unit in the replica, for printing.
pub async fn names(pool: &DatabaseConnection) -> Result<Vec<(String, String)>, DbErr> {
    entity::Entity::find()
        .select_only()
        .columns([entity::Column::Id, entity::Column::Name])
        .into_tuple()
        .all(pool)
        .await
}

/// Every active unit, for lookups by code.
pub async fn active(conn: &impl ConnectionTrait) -> Result<Vec<ReplicaUnit>, DbErr> {
    Ok(entity::Entity::find()
        .filter(entity::Column::Status.eq("active"))
        .all(conn)
        .await?
        .into_iter()
        .map(ReplicaUnit::from)
        .collect())
}

/// Each unit's figures with those of every unit under it, for a report rolled up the unit tree:
/// a unit's own figures (`own`, by unit id; columns of equal width) are added to it and to every
/// ancestor on its path (paths are `/id/id/.../`). Units without figures get zeros.
pub fn subtree_totals(
    paths: &[(String, String)],
    own: &std::collections::HashMap<String, Vec<i64>>,
    width: usize,
) -> std::collections::HashMap<String, Vec<i64>> {
    let mut totals: std::collections::HashMap<String, Vec<i64>> = paths
        .iter()
        .map(|(id, _)| (id.clone(), vec![0; width]))
        .collect();
    for (id, path) in paths {
        let Some(figures) = own.get(id) else {
            continue;
        };
        for ancestor in path.split('/').filter(|s| !s.is_empty()) {
            if let Some(sum) = totals.get_mut(ancestor) {
                for (total, v) in sum.iter_mut().zip(figures) {
                    *total += v;
                }
            }
        }
    }
    totals
}

/// What a service's own rows do when identity reorganises units, in the same transaction as
/// the replica's change. Both default to nothing.
pub trait UnitHooks: Send + Sync + 'static {
    /// A subtree moved: paths under `old` now start with `new`.
    fn moved<'a>(
        &'a self,
        _tx: &'a mut Tx,
        _old: &'a str,
        _new: &'a str,
    ) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(async { Ok(()) })
    }

    /// Unit `from_id` merged into `into`.
    fn merged<'a>(
        &'a self,
        _tx: &'a mut Tx,
        _from_id: &'a str,
        _into: &'a ReplicaUnit,
    ) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(async { Ok(()) })
    }
}

/// A service that keeps nothing by unit but the replica.
impl UnitHooks for () {}

/// Applies identity's unit events to the replica, then the service's hooks.
#[derive(Debug, Default)]
pub struct UnitReplica<H>(pub H);

impl<H: UnitHooks> Handler for UnitReplica<H> {
    fn handle<'a>(
        &'a self,
        tx: &'a mut Tx,
        event: &'a Event,
    ) -> BoxFuture<'a, Result<(), HandlerError>> {
        Box::pin(async move {
            let u = UnitChanged::decode(event.data.as_slice())
                .map_err(|e| HandlerError(format!("undecodable unit event: {e}")))?;
            let change = event
                .event_type
                .strip_prefix("tinhso.identity.unit.")
                .and_then(|rest| rest.strip_suffix(".v1"))
                .unwrap_or_default();
            self.apply(tx, change, &u)
                .await
                .map_err(|e| HandlerError(e.to_string()))
        })
    }
}

impl<H: UnitHooks> UnitReplica<H> {
    async fn apply(&self, tx: &mut Tx, change: &str, u: &UnitChanged) -> Result<(), DbErr> {
        // An event older than what the replica holds (a replay, a batch republished after a
        // relay died) changes nothing; changes of one unit are published in its version order.
        if u.version > 0
            && let Some(held) = get(&*tx, &u.unit_id).await?
            && held.version >= u.version
        {
            return Ok(());
        }
        let status = match change {
            "closed" | "merged" => "closed",
            _ => "active",
        };
        if change == "moved" && !u.old_path.is_empty() && u.old_path != u.new_path {
            rebase(tx, &u.old_path, &u.new_path).await?;
            self.0.moved(tx, &u.old_path, &u.new_path).await?;
        }
        upsert(
            tx,
            &ReplicaUnit {
                id: u.unit_id.clone().into(),
                code: u.code.clone(),
                name: u.name.clone(),
                path: u.new_path.clone().into(),
                status: status.into(),
                kind: u.kind.clone(),
                version: u.version,
            },
        )
        .await?;
        if change == "merged"
            && !u.merged_into_id.is_empty()
            && let Some(target) = get(&*tx, &u.merged_into_id).await?
        {
            self.0.merged(tx, &u.unit_id, &target).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::subtree_totals;
    use std::collections::HashMap;

    #[test]
    fn figures_roll_up_every_path() {
        // Province p with district d and its commune c; another district e.
        let paths: Vec<(String, String)> = [
            ("p", "/p/"),
            ("d", "/p/d/"),
            ("c", "/p/d/c/"),
            ("e", "/p/e/"),
        ]
        .iter()
        .map(|(id, path)| (id.to_string(), path.to_string()))
        .collect();
        let own = HashMap::from([
            ("d".to_string(), vec![2, 1]),
            ("c".to_string(), vec![3, 0]),
            ("e".to_string(), vec![1, 1]),
        ]);
        let totals = subtree_totals(&paths, &own, 2);
        assert_eq!(totals["c"], vec![3, 0]);
        assert_eq!(totals["d"], vec![5, 1]);
        assert_eq!(totals["e"], vec![1, 1]);
        assert_eq!(totals["p"], vec![6, 2]);
    }
}
