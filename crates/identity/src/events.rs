//! Events identity publishes (`tinhso.identity.*`); see proto/tinhso/identity/v1/events.proto.
//! Identity consumes none: it applies token denials to itself directly.

use crate::store::{accounts::AccountRow, units::UnitRow};
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

/// The event body of a unit change; `old_path` is empty for a new unit.
pub fn unit_changed(u: &UnitRow, old_path: &str, actor: &str) -> UnitChanged {
    UnitChanged {
        unit_id: u.id.clone().into(),
        old_path: old_path.into(),
        new_path: u.path.clone().into(),
        name: u.name.clone(),
        code: u.code.clone(),
        merged_into_id: u.merged_into_id.clone().unwrap_or_default().into(),
        actor_id: actor.into(),
        kind: u.kind.clone(),
        version: u.version,
    }
}

/// The event body of an account change; `not_before` > 0 revokes older tokens.
pub fn account_changed(a: &AccountRow, not_before: i64, actor: &str) -> AccountChanged {
    AccountChanged {
        account_id: a.id.clone().into(),
        username: a.username.clone(),
        unit_path: a.unit_path.clone().into(),
        not_before_unix_ms: not_before,
        actor_id: actor.to_string(),
    }
}
