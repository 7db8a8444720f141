//! The replica of identity's unit tree (the platform's, `tinhso_platform::units`), and what
//! personnel's records do when units move or merge: their stored unit paths follow.

use super::entities::employee;
use sea_orm::{EntityTrait as _, QueryFilter as _};
use tinhso_platform::db::{self, DbErr, Tx};
use tinhso_platform::events::BoxFuture;

pub use tinhso_platform::units::{ReplicaUnit as UnitRow, active, get, names, upsert};

/// Records follow their units: a moved subtree rewrites the records' unit paths, a merge moves
/// the records to the unit merged into.
#[derive(Debug, Default)]
pub struct RecordsFollowUnits;

impl tinhso_platform::units::UnitHooks for RecordsFollowUnits {
    fn moved<'a>(
        &'a self,
        tx: &'a mut Tx,
        old: &'a str,
        new: &'a str,
    ) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(async move {
            employee::Entity::update_many()
                .col_expr(
                    employee::Column::UnitPath,
                    db::rebased_path(employee::Column::UnitPath, old, new),
                )
                .filter(db::starts_with(employee::Column::UnitPath, old))
                .exec(&*tx)
                .await?;
            Ok(())
        })
    }

    fn merged<'a>(
        &'a self,
        tx: &'a mut Tx,
        from_id: &'a str,
        into: &'a UnitRow,
    ) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(async move {
            let moved = super::employees::move_unit(tx, from_id, &into.id, &into.path).await?;
            tracing::info!(from = %from_id, to = %into.id, records = moved, "records follow a unit merge");
            Ok(())
        })
    }
}
