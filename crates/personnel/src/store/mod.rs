//! Personnel's tables and queries: the replica of identity's unit tree (fed by its events), the
//! employee records and the field-by-field change record. Writes take the open transaction, so
//! a change, its audit rows and its outbox event commit together.

pub mod awards;
pub mod catalogues;
pub mod employees;
pub mod entities;
pub mod movements;
pub mod payroll;
pub mod sections;
pub mod staffing;
pub mod training;
pub mod units;

use tinhso_platform::db::{Migration, Migrator};
use tinhso_platform::events::EVENTS_MIGRATION;

macro_rules! col {
    ($row:expr, $name:literal) => {
        $row.try_get("", $name)?
    };
}
pub(crate) use col;

pub const MIGRATOR: Migrator = Migrator {
    table: "personnel_schema",
    replaces: Some("personnel_migrations"),
    migrations: &[
        EVENTS_MIGRATION,
        Migration {
            name: "m0002_personnel",
            postgres_only: "",
            sql: "
CREATE TABLE units (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'closed')),
    kind TEXT NOT NULL DEFAULT ''
);
CREATE INDEX units_path ON units (path text_pattern_ops);
CREATE TABLE employees (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    department TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    form_version TEXT NOT NULL,
    full_name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    other_names TEXT NOT NULL,
    birth_date TEXT,
    sex TEXT NOT NULL,
    place_of_birth TEXT NOT NULL,
    home_town TEXT NOT NULL,
    ethnicity TEXT NOT NULL,
    religion TEXT NOT NULL,
    id_number TEXT NOT NULL,
    id_issue_date TEXT,
    social_insurance_number TEXT NOT NULL,
    permanent_address TEXT NOT NULL,
    current_address TEXT NOT NULL,
    recruitment_date TEXT,
    position TEXT NOT NULL,
    grade_code TEXT NOT NULL,
    step BIGINT NOT NULL,
    coefficient BIGINT NOT NULL,
    party_admission_date TEXT,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    request_id TEXT UNIQUE,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX employees_unit_path ON employees (unit_path);
CREATE INDEX employees_name ON employees (name_folded);
CREATE TABLE employee_changes (
    id BIGSERIAL PRIMARY KEY,
    employee_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_username TEXT NOT NULL,
    field TEXT NOT NULL,
    before_value TEXT NOT NULL,
    after_value TEXT NOT NULL
);
CREATE INDEX employee_changes_employee ON employee_changes (employee_id, at);
",
        },
        Migration {
            name: "m0003_movements",
            postgres_only: "",
            sql: "
CREATE TABLE movements (
    id TEXT PRIMARY KEY,
    employee_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_unit_id TEXT NOT NULL,
    to_unit_id TEXT NOT NULL,
    decision_number TEXT NOT NULL,
    decision_date TEXT NOT NULL,
    effective_date TEXT NOT NULL,
    note TEXT NOT NULL,
    resulting_status TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX movements_employee ON movements (employee_id, recorded_at);
",
        },
        Migration {
            name: "m0004_staffing",
            postgres_only: "",
            sql: "
CREATE TABLE quotas (
    unit_id TEXT NOT NULL REFERENCES units (id),
    year BIGINT NOT NULL,
    kind TEXT NOT NULL,
    quota BIGINT NOT NULL CHECK (quota >= 0),
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (unit_id, year, kind)
);
",
        },
        Migration {
            name: "m0005_catalogues",
            postgres_only: "",
            sql: "
CREATE TABLE catalogue_entries (
    catalogue TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    attribute TEXT NOT NULL,
    sort_order BIGINT NOT NULL,
    active BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (catalogue, code)
);
CREATE TABLE grade_steps (
    grade_group TEXT NOT NULL,
    step BIGINT NOT NULL,
    coefficient BIGINT NOT NULL CHECK (coefficient > 0),
    PRIMARY KEY (grade_group, step)
);
CREATE TABLE base_salaries (
    from_date DATE PRIMARY KEY,
    vnd BIGINT NOT NULL CHECK (vnd > 0),
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL
);
",
        },
        Migration {
            name: "m0006_record_items",
            postgres_only: "",
            sql: "
ALTER TABLE employees ADD COLUMN occupation_when_recruited TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN recruiting_agency TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN main_duties TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN grade_date TEXT;
ALTER TABLE employees ADD COLUMN step_date TEXT;
ALTER TABLE employees ADD COLUMN general_education TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN degree TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN degree_major TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN political_theory TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN state_management TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN foreign_language TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN it_level TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN party_official_date TEXT;
ALTER TABLE employees ADD COLUMN organisations TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN military_enlistment_date TEXT;
ALTER TABLE employees ADD COLUMN military_discharge_date TEXT;
ALTER TABLE employees ADD COLUMN military_rank TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN titles TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN strengths TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN health TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN height_cm BIGINT NOT NULL DEFAULT 0;
ALTER TABLE employees ADD COLUMN weight_kg BIGINT NOT NULL DEFAULT 0;
ALTER TABLE employees ADD COLUMN blood_type TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN war_invalid_rank TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN policy_family TEXT NOT NULL DEFAULT '';
CREATE INDEX employees_id_number ON employees (id_number);
",
        },
        Migration {
            name: "m0007_sections",
            postgres_only: "",
            sql: "
CREATE TABLE section_entries (
    id TEXT PRIMARY KEY,
    employee_id TEXT NOT NULL,
    section TEXT NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    organisation TEXT NOT NULL,
    details TEXT NOT NULL,
    qualification TEXT NOT NULL,
    decision_number TEXT NOT NULL,
    decision_date TEXT,
    from_date TEXT,
    to_date TEXT,
    amount BIGINT NOT NULL,
    amount2 BIGINT NOT NULL,
    ref_id TEXT NOT NULL,
    removed BIGINT NOT NULL,
    version BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX section_entries_employee ON section_entries (employee_id, section);
CREATE INDEX section_entries_code ON section_entries (section, code);
",
        },
        Migration {
            name: "m0008_payroll",
            postgres_only: "",
            sql: "
CREATE TABLE payrolls (
    unit_id TEXT NOT NULL,
    month TEXT NOT NULL,
    headcount BIGINT NOT NULL,
    total BIGINT NOT NULL,
    due_date TEXT NOT NULL,
    closed_at BIGINT NOT NULL,
    closed_by TEXT NOT NULL,
    PRIMARY KEY (unit_id, month)
);
CREATE TABLE payroll_lines (
    unit_id TEXT NOT NULL,
    month TEXT NOT NULL,
    employee_id TEXT NOT NULL,
    full_name TEXT NOT NULL,
    grade_code TEXT NOT NULL,
    step BIGINT NOT NULL,
    coefficient BIGINT NOT NULL,
    position_allowance BIGINT NOT NULL,
    other_allowances BIGINT NOT NULL,
    seniority_percent BIGINT NOT NULL,
    base_salary BIGINT NOT NULL,
    pay BIGINT NOT NULL,
    PRIMARY KEY (unit_id, month, employee_id)
);
",
        },
        Migration {
            name: "m0009_honours_and_training",
            postgres_only: "",
            sql: "
CREATE TABLE honours (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    kind TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    birth_year BIGINT NOT NULL,
    home_town TEXT NOT NULL,
    address TEXT NOT NULL,
    decision_number TEXT NOT NULL,
    decision_date TEXT NOT NULL,
    issuer TEXT NOT NULL,
    posthumous BIGINT NOT NULL,
    note TEXT NOT NULL,
    request_id TEXT UNIQUE,
    recorded_at BIGINT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX honours_unit_path ON honours (unit_path);
CREATE TABLE courses (
    id TEXT PRIMARY KEY,
    organiser_unit_id TEXT NOT NULL,
    title TEXT NOT NULL,
    provider TEXT NOT NULL,
    kind TEXT NOT NULL,
    content TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    registration_deadline TEXT NOT NULL,
    seats BIGINT NOT NULL,
    hours BIGINT NOT NULL,
    qualification_field TEXT NOT NULL,
    qualification_code TEXT NOT NULL,
    request_id TEXT UNIQUE,
    announced_at BIGINT NOT NULL,
    announced_by TEXT NOT NULL
);
CREATE TABLE registrations (
    id TEXT PRIMARY KEY,
    course_id TEXT NOT NULL,
    employee_id TEXT NOT NULL,
    employee_name TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    status TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    hours BIGINT NOT NULL,
    certificate TEXT NOT NULL
);
CREATE INDEX registrations_course ON registrations (course_id);
CREATE INDEX registrations_employee ON registrations (employee_id);
",
        },
        Migration {
            name: "m0010_handovers",
            postgres_only: "",
            sql: "
ALTER TABLE movements ADD COLUMN state TEXT NOT NULL DEFAULT 'done';
ALTER TABLE movements ADD COLUMN handled_by TEXT NOT NULL DEFAULT '';
ALTER TABLE movements ADD COLUMN handled_at BIGINT NOT NULL DEFAULT 0;
",
        },
        Migration {
            name: "m0011_reference_changes",
            postgres_only: "",
            sql: "
CREATE TABLE reference_changes (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor_id TEXT NOT NULL,
    actor_username TEXT NOT NULL,
    what TEXT NOT NULL,
    item TEXT NOT NULL,
    before_value TEXT NOT NULL,
    after_value TEXT NOT NULL
);
CREATE INDEX reference_changes_at ON reference_changes (at);
",
        },
    ],
};
