//! Welfare's tables and queries on sea-orm (PostgreSQL; SQLite in the embedded dev mode). Writes
//! take the open transaction, so a change and its audit row commit together.

pub mod approval;
pub mod beneficiaries;
pub mod enrolments;
pub mod entities;
pub mod estimates;
pub mod imports;
pub mod parameters;
pub mod payments;
pub mod policies;
pub mod units;

use tinhso_platform::db::{Migration, Migrator};
use tinhso_platform::events::EVENTS_MIGRATION;
use tinhso_platform::units::{UNIT_REPLICA_MIGRATION, UNIT_REPLICA_VERSION_MIGRATION};

pub const MIGRATOR: Migrator = Migrator {
    table: "welfare_schema",
    replaces: None,
    migrations: &[
        EVENTS_MIGRATION,
        UNIT_REPLICA_MIGRATION,
        UNIT_REPLICA_VERSION_MIGRATION,
        Migration {
            name: "m0004_parameters",
            postgres_only: "",
            // Effective-dated parameter values (a value per kind and day it takes effect) and
            // every change made to them: who, when, before, after.
            sql: "
CREATE TABLE parameter_values (
    kind TEXT NOT NULL,
    from_date DATE NOT NULL,
    value BIGINT NOT NULL CHECK (value > 0),
    basis TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (kind, from_date)
);
CREATE TABLE parameter_changes (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor_id TEXT NOT NULL,
    actor_username TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_date DATE NOT NULL,
    before_value TEXT NOT NULL,
    after_value TEXT NOT NULL
);
CREATE INDEX parameter_changes_at ON parameter_changes (at);
",
        },
        Migration {
            name: "m0005_beneficiaries",
            postgres_only: "",
            // A person or a household (its head's name, code, poor / near-poor status and
            // decision; members point at it) benefiting, found by name without diacritics (Điều 9.2) and checked for
            // duplicates by citizen ID (one record each) and by folded name + birth date +
            // commune (suspected: an authorised user decides, kept in `duplicate_decisions`:
            // `distinct` or `merged`). A merged record stays findable.
            sql: "
CREATE TABLE beneficiaries (
    id TEXT PRIMARY KEY,
    full_name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    birth_date DATE,
    sex TEXT NOT NULL,
    citizen_id TEXT NOT NULL,
    ethnicity TEXT NOT NULL,
    address TEXT NOT NULL,
    commune_id TEXT NOT NULL REFERENCES units (id),
    unit_path TEXT NOT NULL,
    kind TEXT NOT NULL,
    household_id TEXT REFERENCES beneficiaries (id),
    household_code TEXT NOT NULL,
    poverty TEXT NOT NULL,
    poverty_decision TEXT NOT NULL,
    merged_into TEXT REFERENCES beneficiaries (id),
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX beneficiaries_citizen_id ON beneficiaries (citizen_id) WHERE citizen_id <> '';
CREATE INDEX beneficiaries_same_person ON beneficiaries (name_folded, birth_date, commune_id);
CREATE INDEX beneficiaries_unit_path ON beneficiaries (unit_path);
CREATE TABLE duplicate_decisions (
    beneficiary_id TEXT NOT NULL REFERENCES beneficiaries (id),
    other_id TEXT NOT NULL REFERENCES beneficiaries (id),
    decision TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    actor_username TEXT NOT NULL,
    PRIMARY KEY (beneficiary_id, other_id)
);
",
        },
        Migration {
            name: "m0006_enrolments",
            postgres_only: "",
            // A beneficiary in a policy, with its terms and status (its unit path is the
            // beneficiary's commune's, for listing and scope), and every dated change made to it
            // (increase, verification, adjustment, suspension, resumption, decrease) with its
            // decision and the terms in force after it, from which entitlements are rebuilt.
            sql: "
CREATE TABLE enrolments (
    id TEXT PRIMARY KEY,
    beneficiary_id TEXT NOT NULL REFERENCES beneficiaries (id),
    policy TEXT NOT NULL,
    category TEXT NOT NULL,
    coefficient BIGINT NOT NULL CHECK (coefficient >= 0),
    quantity BIGINT NOT NULL CHECK (quantity >= 0),
    level TEXT NOT NULL,
    decision_number TEXT NOT NULL,
    decision_date DATE NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE,
    status TEXT NOT NULL,
    last_change_date DATE,
    unit_path TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX enrolments_beneficiary ON enrolments (beneficiary_id);
CREATE INDEX enrolments_unit_policy ON enrolments (unit_path, policy);
CREATE TABLE enrolment_changes (
    id BIGSERIAL PRIMARY KEY,
    enrolment_id TEXT NOT NULL REFERENCES enrolments (id),
    change TEXT NOT NULL,
    effective_date DATE,
    reason TEXT NOT NULL,
    decision_number TEXT NOT NULL,
    category TEXT NOT NULL,
    coefficient BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    level TEXT NOT NULL,
    status_after TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    actor_username TEXT NOT NULL
);
CREATE INDEX enrolment_changes_enrolment ON enrolment_changes (enrolment_id, id);
",
        },
        Migration {
            name: "m0007_payment_lists",
            postgres_only: "",
            // A unit's payment list of a policy and month: its computed lines (kept as computed,
            // so a later change of parameter or enrolment never alters it), each line's payment,
            // the funds received, where its settlement stands, and every step of its approval.
            sql: "
CREATE TABLE payment_lists (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units (id),
    unit_path TEXT NOT NULL,
    policy TEXT NOT NULL,
    period TEXT NOT NULL,
    state TEXT NOT NULL,
    return_reason TEXT NOT NULL,
    funded BIGINT NOT NULL CHECK (funded >= 0),
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (unit_id, policy, period)
);
CREATE INDEX payment_lists_unit_path ON payment_lists (unit_path, period);
CREATE TABLE payment_lines (
    list_id TEXT NOT NULL REFERENCES payment_lists (id),
    enrolment_id TEXT NOT NULL,
    beneficiary_id TEXT NOT NULL,
    beneficiary_name TEXT NOT NULL,
    category TEXT NOT NULL,
    base BIGINT NOT NULL,
    coefficient BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    months BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    payment TEXT NOT NULL,
    paid_on DATE,
    method TEXT NOT NULL,
    unpaid_reason TEXT NOT NULL,
    PRIMARY KEY (list_id, enrolment_id)
);
CREATE TABLE approval_steps (
    id BIGSERIAL PRIMARY KEY,
    document_id TEXT NOT NULL,
    action TEXT NOT NULL,
    state_after TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    actor_username TEXT NOT NULL
);
CREATE INDEX approval_steps_document ON approval_steps (document_id, id);
",
        },
        Migration {
            name: "m0008_imports",
            postgres_only: "",
            // A staged import: the file's checked rows, ready to become beneficiaries (new, or
            // the one with the row's citizen ID) and pending enrolments in one transaction, and
            // every problem of the file by row and column for the report.
            sql: "
CREATE TABLE imports (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units (id),
    unit_path TEXT NOT NULL,
    filename TEXT NOT NULL,
    state TEXT NOT NULL,
    rows_total BIGINT NOT NULL,
    rows_valid BIGINT NOT NULL,
    problem_count BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    finished_at TIMESTAMPTZ,
    finished_by TEXT NOT NULL
);
CREATE TABLE import_problems (
    import_id TEXT NOT NULL REFERENCES imports (id),
    seq BIGINT NOT NULL,
    row_number BIGINT NOT NULL,
    column_heading TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (import_id, seq)
);
CREATE TABLE import_rows (
    import_id TEXT NOT NULL REFERENCES imports (id),
    row_number BIGINT NOT NULL,
    beneficiary_id TEXT NOT NULL,
    new_beneficiary BOOLEAN NOT NULL,
    full_name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    birth_date DATE NOT NULL,
    sex TEXT NOT NULL,
    citizen_id TEXT NOT NULL,
    commune_id TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    enrolment_id TEXT NOT NULL,
    policy TEXT NOT NULL,
    category TEXT NOT NULL,
    coefficient BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    decision_number TEXT NOT NULL,
    decision_date DATE NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE,
    PRIMARY KEY (import_id, row_number)
);
",
        },
        Migration {
            name: "m0009_estimates",
            postgres_only: "",
            // Next year's estimate of a unit and policy: the figure from its enrolments, the
            // changes the unit expects, the funds carried over, the sources Finance allocates,
            // and its approval state (its steps are in approval_steps).
            sql: "
CREATE TABLE estimates (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units (id),
    unit_path TEXT NOT NULL,
    policy TEXT NOT NULL,
    year BIGINT NOT NULL,
    state TEXT NOT NULL,
    return_reason TEXT NOT NULL,
    from_enrolments BIGINT NOT NULL,
    carried_over BIGINT NOT NULL CHECK (carried_over >= 0),
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (unit_id, policy, year)
);
CREATE INDEX estimates_unit_path ON estimates (unit_path, year);
CREATE TABLE estimate_changes (
    estimate_id TEXT NOT NULL REFERENCES estimates (id),
    seq BIGINT NOT NULL,
    description TEXT NOT NULL,
    beneficiaries BIGINT NOT NULL,
    monthly_amount BIGINT NOT NULL CHECK (monthly_amount >= 0),
    months BIGINT NOT NULL CHECK (months BETWEEN 1 AND 12),
    PRIMARY KEY (estimate_id, seq)
);
CREATE TABLE estimate_funding (
    estimate_id TEXT NOT NULL REFERENCES estimates (id),
    source TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (estimate_id, source)
);
",
        },
        Migration {
            name: "m0010_policies",
            postgres_only: "",
            // The policies as data: the national ones seeded where missing, a province's own added
            // and edited by provincial Finance (each change kept with the parameters' changes).
            // A rule is its kind and its figures; a fixed-per-level rule's levels are
            // `code=amount` pairs separated by `;`.
            sql: "
CREATE TABLE policies (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    policy_group TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    beneficiary_kind TEXT NOT NULL,
    rule TEXT NOT NULL,
    parameter TEXT NOT NULL,
    basis_points BIGINT NOT NULL,
    fixed_rate BIGINT NOT NULL,
    levels TEXT NOT NULL,
    frequency TEXT NOT NULL,
    verifier TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL
);
",
        },
        Migration {
            name: "m0011_policy_dates",
            postgres_only: "",
            // A policy's days in force: from the day its legal basis takes effect to the last day
            // before its repeal, if any. The national seed's rows get their decrees' dates; a
            // province's own keep the day the platform began until Finance sets theirs.
            sql: "
ALTER TABLE policies ADD COLUMN in_force_from DATE NOT NULL DEFAULT '2000-01-01';
ALTER TABLE policies ADD COLUMN in_force_to DATE;
UPDATE policies SET in_force_from = '2021-07-01' WHERE code = 'TCXH';
UPDATE policies SET in_force_from = '2014-06-01' WHERE code = 'TIENDIEN';
UPDATE policies SET in_force_from = '2018-12-01' WHERE code = 'BHYT';
UPDATE policies SET in_force_from = '2021-10-15' WHERE code = 'HOCPHI';
UPDATE policies SET in_force_from = '2024-09-11' WHERE code = 'DATLUA';
",
        },
        Migration {
            name: "m0012_payment_list_periods",
            postgres_only: "",
            // A list's period is a month, a school term or a year by its policy's frequency; its
            // last month (YYYY-MM) is what an approval locks up to, whatever the period's form.
            sql: "
ALTER TABLE payment_lists ADD COLUMN last_month TEXT NOT NULL DEFAULT '';
UPDATE payment_lists SET last_month = period;
",
        },
    ],
};
