//! The tables every service keeps for its events: the outbox, the consumers' inbox and dead
//! letters, and the token denylist fed by identity's account events.

use crate::db::{Migration, Migrator};

/// The event tables, first in every service's migrator.
pub const EVENTS_MIGRATION: Migration = Migration {
    name: "m0001_events",
    sql: "
CREATE TABLE outbox (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    source TEXT NOT NULL,
    subject TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    data BYTEA NOT NULL,
    traceparent TEXT,
    published_at TIMESTAMPTZ
);
CREATE INDEX outbox_pending ON outbox (seq) WHERE published_at IS NULL;
CREATE TABLE inbox (
    consumer TEXT NOT NULL,
    id TEXT NOT NULL,
    handled_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (consumer, id)
);
CREATE TABLE dead_letter (
    seq BIGSERIAL PRIMARY KEY,
    consumer TEXT NOT NULL,
    id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    data BYTEA NOT NULL,
    error TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    failed_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE token_denylist (
    account_id TEXT PRIMARY KEY,
    not_before TIMESTAMPTZ NOT NULL
);
",
    postgres_only: "",
};

static EVENTS_ONLY: [Migration; 1] = [EVENTS_MIGRATION];

/// A migrator of the event tables alone, recorded in `table`: for a consumer that keeps no
/// tables of its own (tests, tools).
pub fn events_only(table: &'static str) -> Migrator {
    Migrator {
        table,
        replaces: None,
        migrations: &EVENTS_ONLY,
    }
}

/// An event waiting for the relay, then kept as published.
pub mod outbox {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox")]
    pub struct Model {
        /// The order events are published in.
        #[sea_orm(primary_key)]
        pub seq: i64,
        #[sea_orm(unique)]
        pub id: String,
        pub event_type: String,
        pub source: String,
        pub subject: String,
        pub occurred_at: TimeDateTimeWithTimeZone,
        pub data: Vec<u8>,
        pub traceparent: Option<String>,
        pub published_at: Option<TimeDateTimeWithTimeZone>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The ids a consumer has handled: a redelivered event is acked and skipped.
pub mod inbox {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "inbox")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub consumer: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub handled_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// An event a consumer gave up on after its last attempt, kept for an operator.
pub mod dead_letter {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "dead_letter")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub seq: i64,
        pub consumer: String,
        pub id: String,
        pub event_type: String,
        pub data: Vec<u8>,
        pub error: String,
        pub attempts: i64,
        pub failed_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Tokens of an account issued before `not_before` are refused.
pub mod token_denylist {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "token_denylist")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub account_id: String,
        pub not_before: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
