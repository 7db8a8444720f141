//! Events personnel publishes (`tinhso.personnel.employee.*`) and the identity events it
//! consumes: unit changes keep the replica of the unit tree, and the paths stored on records,
//! in step with reorganisations.

use crate::store::{self, employees::EmployeeRow, units::UnitRow};
use prost::Message as _;
use tinhso_platform::db::Tx;
use tinhso_platform::events::{BoxFuture, Event, Handler, HandlerError};
use tinhso_proto::identity::v1::UnitChanged;
use tinhso_proto::personnel::v1::{EmployeeChanged, QuotaChanged};

pub const SOURCE: &str = "tinhso/personnel";

/// Identity's unit events, all kinds.
pub const UNIT_EVENTS: &str = "tinhso.identity.unit.>";

/// `tinhso.personnel.employee.{change}.v1` for `row`.
pub fn employee(change: &str, row: &EmployeeRow, actor_id: &str, now: i64) -> Event {
    let body = EmployeeChanged {
        employee_id: row.id.clone(),
        unit_id: row.unit_id.clone(),
        unit_path: row.unit_path.clone(),
        kind: row.kind.clone(),
        status: row.status.clone(),
        actor_id: actor_id.into(),
    };
    Event::new(
        SOURCE,
        &format!("tinhso.personnel.employee.{change}.v1"),
        &row.id,
        now,
        body.encode_to_vec(),
    )
}

/// `tinhso.personnel.quota.changed.v1`.
pub fn quota_changed(change: QuotaChanged, now: i64) -> Event {
    let subject = format!("{}/{}/{}", change.unit_id, change.year, change.kind);
    Event::new(
        SOURCE,
        "tinhso.personnel.quota.changed.v1",
        &subject,
        now,
        change.encode_to_vec(),
    )
}

/// Applies identity's unit events to the replica and to the records' unit paths.
#[derive(Debug, Default)]
pub struct UnitReplica;

impl Handler for UnitReplica {
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
            apply(tx, change, &u)
                .await
                .map_err(|e| HandlerError(e.to_string()))
        })
    }
}

async fn apply(
    tx: &mut Tx,
    change: &str,
    u: &UnitChanged,
) -> Result<(), tinhso_platform::db::DbErr> {
    let status = match change {
        "closed" | "merged" => "closed",
        _ => "active",
    };
    if change == "moved" && !u.old_path.is_empty() && u.old_path != u.new_path {
        store::units::rebase(tx, &u.old_path, &u.new_path).await?;
    }
    store::units::upsert(
        tx,
        &UnitRow {
            id: u.unit_id.clone(),
            code: u.code.clone(),
            name: u.name.clone(),
            path: u.new_path.clone(),
            status: status.into(),
            kind: u.kind.clone(),
        },
    )
    .await?;
    if change == "merged"
        && !u.merged_into_id.is_empty()
        && let Some(target) = store::units::get(&*tx, &u.merged_into_id).await?
    {
        let moved = store::employees::move_unit(tx, &u.unit_id, &target.id, &target.path).await?;
        tracing::info!(from = %u.unit_id, to = %target.id, records = moved, "records follow a unit merge");
    }
    Ok(())
}

/// `tinhso.personnel.catalogue.changed.v1`: an entry added, renamed or retired.
pub fn catalogue_changed(entry: &store::catalogues::EntryRow) -> Event {
    let body = tinhso_proto::personnel::v1::CatalogueChanged {
        catalogue: entry.catalogue.clone(),
        code: entry.code.clone(),
        name: entry.name.clone(),
        active: entry.active,
        updated_by: entry.updated_by.clone(),
    };
    Event::new(
        SOURCE,
        "tinhso.personnel.catalogue.changed.v1",
        &format!("{}/{}", entry.catalogue, entry.code),
        entry.updated_at,
        body.encode_to_vec(),
    )
}

/// `tinhso.personnel.payroll.closed.v1`.
pub fn payroll_closed(body: tinhso_proto::personnel::v1::PayrollClosed, now: i64) -> Event {
    let subject = format!("{}/{}", body.unit_id, body.month);
    Event::new(
        SOURCE,
        "tinhso.personnel.payroll.closed.v1",
        &subject,
        now,
        body.encode_to_vec(),
    )
}
