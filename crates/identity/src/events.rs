//! Events identity publishes (`tinhso.identity.*`); see proto/tinhso/identity/v1/events.proto.
//! Identity consumes none: it applies token denials to itself directly.

use prost::Message as _;
use tinhso_platform::events::Event;
use tinhso_proto::identity::v1::{AccountChanged, GrantChanged, UnitChanged};

pub const SOURCE: &str = "tinhso/identity";

pub fn unit(change: &str, u: UnitChanged, now: i64) -> Event {
    let subject = u.unit_id.clone();
    Event::new(
        SOURCE,
        &format!("tinhso.identity.unit.{change}.v1"),
        &subject,
        now,
        u.encode_to_vec(),
    )
}

pub fn account(change: &str, a: AccountChanged, now: i64) -> Event {
    let subject = a.account_id.clone();
    Event::new(
        SOURCE,
        &format!("tinhso.identity.account.{change}.v1"),
        &subject,
        now,
        a.encode_to_vec(),
    )
}

pub fn grant(change: &str, g: GrantChanged, now: i64) -> Event {
    let subject = g.grant_id.clone();
    Event::new(
        SOURCE,
        &format!("tinhso.identity.grant.{change}.v1"),
        &subject,
        now,
        g.encode_to_vec(),
    )
}
