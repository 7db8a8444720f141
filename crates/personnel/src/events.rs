//! Events personnel publishes (`tinhso.personnel.employee.*`) and the identity events it
//! consumes: unit changes keep the replica of the unit tree, and the paths stored on records,
//! in step with reorganisations.

use crate::store::{self, employees::EmployeeRow};
use prost::Message as _;
use tinhso_platform::events::Event;
use tinhso_proto::personnel::v1::{EmployeeChanged, QuotaChanged};

pub const SOURCE: &str = "tinhso/personnel";

pub use tinhso_platform::units::UNIT_EVENTS;

/// `tinhso.personnel.employee.{change}.v1` for `row`.
pub fn employee(change: &str, row: &EmployeeRow, actor_id: &str, now: i64) -> Event {
    let body = EmployeeChanged {
        employee_id: row.id.clone().into(),
        unit_id: row.unit_id.clone().into(),
        unit_path: row.unit_path.clone().into(),
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
