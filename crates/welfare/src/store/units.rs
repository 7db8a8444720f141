//! The replica of identity's unit tree (the platform's), and what welfare's rows do when units
//! move or merge: beneficiaries and their enrolments follow their commune.

use super::entities::{beneficiary, enrolment};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use tinhso_platform::db::{self, DbErr, Tx};
use tinhso_platform::events::BoxFuture;

pub use tinhso_platform::units::{ReplicaUnit as UnitRow, get, upsert};

/// A moved subtree rewrites the stored paths; a merged commune hands its beneficiaries (and
/// their enrolments) to the unit it merged into.
#[derive(Debug, Default)]
pub struct RecordsFollowCommunes;

impl tinhso_platform::units::UnitHooks for RecordsFollowCommunes {
    fn moved<'a>(
        &'a self,
        tx: &'a mut Tx,
        old: &'a str,
        new: &'a str,
    ) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(async move {
            beneficiary::Entity::update_many()
                .col_expr(
                    beneficiary::Column::UnitPath,
                    db::rebased_path(beneficiary::Column::UnitPath, old, new),
                )
                .filter(db::starts_with(beneficiary::Column::UnitPath, old))
                .exec(&*tx)
                .await?;
            enrolment::Entity::update_many()
                .col_expr(
                    enrolment::Column::UnitPath,
                    db::rebased_path(enrolment::Column::UnitPath, old, new),
                )
                .filter(db::starts_with(enrolment::Column::UnitPath, old))
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
            // The enrolments first: they are found through their beneficiaries' commune.
            let in_commune = sea_orm::sea_query::Query::select()
                .column(beneficiary::Column::Id)
                .from(beneficiary::Entity)
                .and_where(Expr::col(beneficiary::Column::CommuneId).eq(from_id))
                .to_owned();
            enrolment::Entity::update_many()
                .col_expr(enrolment::Column::UnitPath, Expr::value(into.path.as_str()))
                .filter(enrolment::Column::BeneficiaryId.in_subquery(in_commune))
                .exec(&*tx)
                .await?;
            beneficiary::Entity::update_many()
                .col_expr(
                    beneficiary::Column::CommuneId,
                    Expr::value(into.id.as_str()),
                )
                .col_expr(
                    beneficiary::Column::UnitPath,
                    Expr::value(into.path.as_str()),
                )
                .filter(beneficiary::Column::CommuneId.eq(from_id))
                .exec(&*tx)
                .await?;
            tracing::info!(from = %from_id, to = %into.id, "beneficiaries follow a commune merge");
            Ok(())
        })
    }
}
