//! Identity's schema, in order: PostgreSQL's SQL, which SQLite runs under its own type names.

use tinhso_platform::db::{Migration, Migrator};
use tinhso_platform::events::EVENTS_MIGRATION;

pub const MIGRATOR: Migrator = Migrator {
    table: "identity_schema",
    replaces: Some("identity_migrations"),
    migrations: &[
        EVENTS_MIGRATION,
        Migration {
            name: "m0002_identity",
            postgres_only: "",
            sql: "
CREATE TABLE units (
    id UUID PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('province', 'department', 'district', 'commune',
        'public_service_unit', 'association', 'other')),
    parent_id UUID REFERENCES units (id),
    path TEXT NOT NULL,
    valid_from DATE,
    valid_to DATE,
    status TEXT NOT NULL CHECK (status IN ('active', 'closed')),
    merged_into_id UUID REFERENCES units (id),
    version BIGINT NOT NULL,
    request_id TEXT UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX units_path ON units (path text_pattern_ops);
CREATE INDEX units_parent ON units (parent_id);
CREATE TABLE accounts (
    id UUID PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    search_folded TEXT NOT NULL,
    position TEXT NOT NULL,
    department TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    unit_id UUID NOT NULL REFERENCES units (id),
    kind TEXT NOT NULL CHECK (kind IN ('person', 'service')),
    status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    personnel_id TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL,
    password_expires_at TIMESTAMPTZ,
    failed_count BIGINT NOT NULL,
    failed_window_start TIMESTAMPTZ,
    locked_until TIMESTAMPTZ,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX accounts_unit ON accounts (unit_id);
CREATE TABLE roles (
    id UUID PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    permissions JSONB NOT NULL,
    builtin BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE grants (
    id UUID PRIMARY KEY,
    account_id UUID NOT NULL REFERENCES accounts (id),
    role_id UUID NOT NULL REFERENCES roles (id),
    scope TEXT NOT NULL CHECK (scope IN ('unit', 'self')),
    scope_unit_id UUID REFERENCES units (id),
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX grants_account ON grants (account_id);
CREATE TABLE refresh_tokens (
    id UUID PRIMARY KEY,
    family_id UUID NOT NULL,
    account_id UUID NOT NULL REFERENCES accounts (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    rotated_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX refresh_family ON refresh_tokens (family_id);
CREATE INDEX refresh_account ON refresh_tokens (account_id);
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    secret BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    active BOOLEAN NOT NULL
);
CREATE TABLE audit_events (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor_id TEXT NOT NULL,
    actor_username TEXT NOT NULL,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    client_address TEXT NOT NULL,
    before JSONB NOT NULL,
    after JSONB NOT NULL
);
CREATE INDEX audit_at ON audit_events (at);
CREATE INDEX audit_unit ON audit_events (unit_path text_pattern_ops);
",
        },
        Migration {
            name: "m0003_account_request_id",
            postgres_only: "",
            // A create posted twice (a double click, a retry) makes one account.
            sql: "
ALTER TABLE accounts ADD COLUMN request_id TEXT;
CREATE UNIQUE INDEX accounts_request_id ON accounts (request_id);
",
        },
    ],
};
