//! Events welfare publishes (`tinhso.welfare.*`), for the reporting service to count.

use crate::store::enrolments::{EnrolmentRow, status_text};
use prost::Message as _;
use tinhso_platform::events::Event;
use tinhso_proto::welfare::v1::{
    EnrolmentChanged, EstimateChanged, ImportCommitted, ParameterChanged, SettlementChanged,
};

pub const SOURCE: &str = "tinhso/welfare";

/// `tinhso.welfare.enrolment.{created,changed,ended}.v1` for `row` after `change`.
pub fn enrolment(change: &str, row: &EnrolmentRow, actor_id: &str, now: i64) -> Event {
    let kind = match change {
        "increase" => "created",
        "decrease" => "ended",
        _ => "changed",
    };
    let body = EnrolmentChanged {
        enrolment_id: row.id.clone(),
        beneficiary_id: row.beneficiary_id.clone(),
        policy: row.policy.clone(),
        unit_path: row.unit_path.clone(),
        change: change.to_string(),
        status: status_text(row.status).to_string(),
        actor_id: actor_id.to_string(),
    };
    Event::new(
        SOURCE,
        &format!("tinhso.welfare.enrolment.{kind}.v1"),
        &row.id,
        now,
        body.encode_to_vec(),
    )
}

/// `tinhso.welfare.parameter.changed.v1`.
pub fn parameter_changed(body: ParameterChanged, now: i64) -> Event {
    let subject = format!("{}/{}", body.kind, body.effective_from);
    Event::new(
        SOURCE,
        "tinhso.welfare.parameter.changed.v1",
        &subject,
        now,
        body.encode_to_vec(),
    )
}

/// `tinhso.welfare.settlement.{state}.v1`: a payment list's settlement moved on.
pub fn settlement(body: SettlementChanged, now: i64) -> Event {
    let event_type = format!("tinhso.welfare.settlement.{}.v1", body.state);
    let subject = body.payment_list_id.clone();
    Event::new(SOURCE, &event_type, &subject, now, body.encode_to_vec())
}

/// `tinhso.welfare.import.committed.v1`: the pending enrolments an import created, per policy
/// (one event for the file, not one per row).
pub fn import_committed(body: ImportCommitted, now: i64) -> Event {
    let subject = body.import_id.clone();
    Event::new(
        SOURCE,
        "tinhso.welfare.import.committed.v1",
        &subject,
        now,
        body.encode_to_vec(),
    )
}

/// `tinhso.welfare.estimate.{state}.v1`: an estimate's approval moved on.
pub fn estimate(body: EstimateChanged, now: i64) -> Event {
    let event_type = format!("tinhso.welfare.estimate.{}.v1", body.state);
    let subject = body.estimate_id.clone();
    Event::new(SOURCE, &event_type, &subject, now, body.encode_to_vec())
}
