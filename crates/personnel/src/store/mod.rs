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
use tinhso_platform::units::{UNIT_REPLICA_MIGRATION, UNIT_REPLICA_VERSION_MIGRATION};

pub const MIGRATOR: Migrator = Migrator {
    table: "personnel_schema",
    replaces: Some("personnel_migrations"),
    migrations: &[
        EVENTS_MIGRATION,
        UNIT_REPLICA_MIGRATION,
        Migration {
            name: "m0003_personnel",
            // Name search is `name_folded LIKE '%...%'`: a trigram index serves it on PostgreSQL
            // (pg_trgm is a trusted extension: the database's owner may create it).
            postgres_only: "
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX employees_name_trgm ON employees USING gin (name_folded gin_trgm_ops);
",
            sql: "
CREATE TABLE employees (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units (id),
    unit_path TEXT NOT NULL,
    department TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    form_version TEXT NOT NULL,
    full_name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    other_names TEXT NOT NULL,
    birth_date DATE,
    sex TEXT NOT NULL,
    place_of_birth TEXT NOT NULL,
    home_town TEXT NOT NULL,
    ethnicity TEXT NOT NULL,
    religion TEXT NOT NULL,
    id_number TEXT NOT NULL,
    id_issue_date DATE,
    social_insurance_number TEXT NOT NULL,
    permanent_address TEXT NOT NULL,
    current_address TEXT NOT NULL,
    recruitment_date DATE,
    position TEXT NOT NULL,
    grade_code TEXT NOT NULL,
    step BIGINT NOT NULL,
    coefficient BIGINT NOT NULL,
    party_admission_date DATE,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    occupation_when_recruited TEXT NOT NULL DEFAULT '',
    recruiting_agency TEXT NOT NULL DEFAULT '',
    main_duties TEXT NOT NULL DEFAULT '',
    grade_date DATE,
    step_date DATE,
    general_education TEXT NOT NULL DEFAULT '',
    degree TEXT NOT NULL DEFAULT '',
    degree_major TEXT NOT NULL DEFAULT '',
    political_theory TEXT NOT NULL DEFAULT '',
    state_management TEXT NOT NULL DEFAULT '',
    foreign_language TEXT NOT NULL DEFAULT '',
    it_level TEXT NOT NULL DEFAULT '',
    party_official_date DATE,
    organisations TEXT NOT NULL DEFAULT '',
    military_enlistment_date DATE,
    military_discharge_date DATE,
    military_rank TEXT NOT NULL DEFAULT '',
    titles TEXT NOT NULL DEFAULT '',
    strengths TEXT NOT NULL DEFAULT '',
    health TEXT NOT NULL DEFAULT '',
    height_cm BIGINT NOT NULL DEFAULT 0,
    weight_kg BIGINT NOT NULL DEFAULT 0,
    blood_type TEXT NOT NULL DEFAULT '',
    war_invalid_rank TEXT NOT NULL DEFAULT '',
    policy_family TEXT NOT NULL DEFAULT '',
    request_id TEXT UNIQUE,
    version BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX employees_unit_path ON employees (unit_path text_pattern_ops);
CREATE INDEX employees_name ON employees (name_folded);
CREATE TABLE employee_changes (
    id BIGSERIAL PRIMARY KEY,
    employee_id TEXT NOT NULL REFERENCES employees (id),
    at TIMESTAMPTZ NOT NULL,
    actor_id TEXT NOT NULL,
    actor_username TEXT NOT NULL,
    field TEXT NOT NULL,
    before_value TEXT NOT NULL,
    after_value TEXT NOT NULL
);
CREATE INDEX employee_changes_employee ON employee_changes (employee_id, at);
CREATE TABLE movements (
    id TEXT PRIMARY KEY,
    employee_id TEXT NOT NULL REFERENCES employees (id),
    kind TEXT NOT NULL,
    from_unit_id TEXT NOT NULL REFERENCES units (id),
    to_unit_id TEXT REFERENCES units (id),
    decision_number TEXT NOT NULL,
    decision_date DATE NOT NULL,
    effective_date DATE NOT NULL,
    note TEXT NOT NULL,
    resulting_status TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    recorded_by TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'declined')),
    handled_by TEXT NOT NULL,
    handled_at TIMESTAMPTZ
);
CREATE INDEX movements_to_unit ON movements (to_unit_id) WHERE state = 'pending';
CREATE INDEX movements_employee ON movements (employee_id, recorded_at);
CREATE TABLE quotas (
    unit_id TEXT NOT NULL REFERENCES units (id),
    year BIGINT NOT NULL,
    kind TEXT NOT NULL,
    quota BIGINT NOT NULL CHECK (quota >= 0),
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (unit_id, year, kind)
);
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
CREATE INDEX employees_id_number ON employees (id_number);
CREATE TABLE section_entries (
    id TEXT PRIMARY KEY,
    employee_id TEXT NOT NULL REFERENCES employees (id),
    section TEXT NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    organisation TEXT NOT NULL,
    details TEXT NOT NULL,
    qualification TEXT NOT NULL,
    decision_number TEXT NOT NULL,
    decision_date DATE,
    from_date DATE,
    to_date DATE,
    amount BIGINT NOT NULL,
    amount2 BIGINT NOT NULL,
    ref_id TEXT NOT NULL,
    removed BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    recorded_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX section_entries_employee ON section_entries (employee_id, section);
CREATE INDEX section_entries_code ON section_entries (section, code);
CREATE TABLE payrolls (
    unit_id TEXT NOT NULL REFERENCES units (id),
    month TEXT NOT NULL,
    headcount BIGINT NOT NULL,
    total BIGINT NOT NULL,
    due_date DATE NOT NULL,
    closed_at TIMESTAMPTZ NOT NULL,
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
    PRIMARY KEY (unit_id, month, employee_id),
    FOREIGN KEY (unit_id, month) REFERENCES payrolls (unit_id, month)
);
CREATE TABLE honours (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units (id),
    unit_path TEXT NOT NULL,
    kind TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    birth_year BIGINT NOT NULL,
    home_town TEXT NOT NULL,
    address TEXT NOT NULL,
    decision_number TEXT NOT NULL,
    decision_date DATE NOT NULL,
    issuer TEXT NOT NULL,
    posthumous BOOLEAN NOT NULL,
    note TEXT NOT NULL,
    request_id TEXT UNIQUE,
    recorded_at TIMESTAMPTZ NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX honours_unit_path ON honours (unit_path text_pattern_ops);
CREATE TABLE courses (
    id TEXT PRIMARY KEY,
    organiser_unit_id TEXT NOT NULL REFERENCES units (id),
    title TEXT NOT NULL,
    provider TEXT NOT NULL,
    kind TEXT NOT NULL,
    content TEXT NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    registration_deadline DATE NOT NULL,
    seats BIGINT NOT NULL,
    hours BIGINT NOT NULL,
    qualification_field TEXT NOT NULL,
    qualification_code TEXT NOT NULL,
    request_id TEXT UNIQUE,
    announced_at TIMESTAMPTZ NOT NULL,
    announced_by TEXT NOT NULL
);
CREATE TABLE registrations (
    id TEXT PRIMARY KEY,
    course_id TEXT NOT NULL REFERENCES courses (id),
    employee_id TEXT NOT NULL REFERENCES employees (id),
    employee_name TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    status TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    registered_at TIMESTAMPTZ NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TIMESTAMPTZ NOT NULL,
    hours BIGINT NOT NULL,
    certificate TEXT NOT NULL
);
CREATE INDEX registrations_course ON registrations (course_id);
CREATE INDEX registrations_employee ON registrations (employee_id);
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
        UNIT_REPLICA_VERSION_MIGRATION,
        Migration {
            name: "m0005_payslips",
            postgres_only: "",
            // A closed month keeps its whole payslip. Allowance kinds say how they are paid
            // (coefficient or percentage); an entry of a percentage kind entered before as a
            // coefficient (0.30) meant that percentage (30%).
            sql: "
ALTER TABLE payroll_lines ADD COLUMN percent_allowances BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payroll_lines ADD COLUMN public_service_allowance BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payroll_lines ADD COLUMN gross BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payroll_lines ADD COLUMN insurance_base BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payroll_lines ADD COLUMN social_insurance BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payroll_lines ADD COLUMN health_insurance BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payroll_lines ADD COLUMN unemployment_insurance BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payroll_lines ADD COLUMN deductions BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payroll_lines ADD COLUMN net BIGINT NOT NULL DEFAULT 0;
UPDATE payroll_lines SET gross = pay, net = pay;
UPDATE catalogue_entries SET attribute = 'coefficient'
    WHERE catalogue = 'allowance_type' AND attribute = 'other';
UPDATE catalogue_entries SET attribute = 'percent'
    WHERE catalogue = 'allowance_type' AND code IN ('concurrent', 'preferential');
UPDATE catalogue_entries SET attribute = 'percent_insured'
    WHERE catalogue = 'allowance_type' AND code = 'professional_seniority';
UPDATE section_entries SET amount2 = amount, amount = 0
    WHERE section = 'allowance'
      AND code IN ('concurrent', 'preferential', 'professional_seniority');
",
        },
        Migration {
            name: "m0006_one_record_per_citizen_id",
            postgres_only: "",
            // One person, one record: a citizen ID is on one record at most (records entered
            // without one are not affected). A database already holding the same ID twice stops
            // here; `docs/operations.md` gives the query that finds them.
            sql: "
DROP INDEX employees_id_number;
CREATE UNIQUE INDEX employees_id_number ON employees (id_number) WHERE id_number <> '';
",
        },
        Migration {
            name: "m0007_recruitment_decision",
            postgres_only: "",
            // The hire deadline runs from the recruitment (or reception) decision; records the
            // import loaded are an initial migration. Records imported before this migration
            // cannot be told apart and keep the rule they had.
            sql: "
ALTER TABLE employees ADD COLUMN recruitment_decision_date DATE;
ALTER TABLE employees ADD COLUMN initial_entry BOOLEAN NOT NULL DEFAULT false;
",
        },
        Migration {
            name: "m0008_name_sort",
            postgres_only: "",
            // Lists go by given name in Vietnamese alphabetical order (`vn::name_sort_key`);
            // existing rows get their key at the service's start.
            sql: "
ALTER TABLE employees ADD COLUMN name_sort TEXT NOT NULL DEFAULT '';
CREATE INDEX employees_name_sort ON employees (name_sort, id);
",
        },
        Migration {
            name: "m0009_grade_codes",
            postgres_only: "",
            // 01.007 and 01.008 were seeded under the names of the drivers' and guards' grades,
            // which are 01.010 and 01.011 on table 4 (added at start with the other new seeds).
            // Entries a province already edited are left to it.
            sql: "
UPDATE catalogue_entries SET name = 'Nhân viên kỹ thuật', attribute = 'B'
    WHERE catalogue = 'grade' AND code = '01.007' AND updated_by = 'seed';
UPDATE catalogue_entries SET name = 'Nhân viên văn thư', attribute = 'B'
    WHERE catalogue = 'grade' AND code = '01.008' AND updated_by = 'seed';
",
        },
        Migration {
            name: "m0010_form_items",
            postgres_only: "",
            // Items of HS02-VC/BNV and 2C-BNV items 29 and 32. A salary-step demotion lowers the
            // step (a salary entry) and does not also delay the next raise.
            sql: "
ALTER TABLE employees ADD COLUMN job_position TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN contract_type TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN family_economic_situation TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN personal_history TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN agency_assessment TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN professional_title_rank TEXT NOT NULL DEFAULT '';
UPDATE catalogue_entries SET attribute = '0'
    WHERE catalogue = 'discipline_kind' AND code = 'salary_demotion' AND updated_by = 'seed';
",
        },
        Migration {
            name: "m0011_union_dues",
            postgres_only: "",
            // A union member pays dues from the month of admission; a closed month keeps them.
            sql: "
ALTER TABLE employees ADD COLUMN union_admission_date DATE;
ALTER TABLE payroll_lines ADD COLUMN union_dues BIGINT NOT NULL DEFAULT 0;
",
        },
        Migration {
            name: "m0012_dated_changes",
            postgres_only: "",
            // A change of position, department or degree carries its decision's date, from which
            // the 15-day entry deadline runs.
            sql: "
ALTER TABLE employee_changes ADD COLUMN effective_date DATE;
",
        },
        Migration {
            name: "m0013_report_columns",
            postgres_only: "",
            // The report column an entry counts under (a grade's BM02 rank), filled for the
            // seeded grades at start.
            sql: "
ALTER TABLE catalogue_entries ADD COLUMN report_column TEXT NOT NULL DEFAULT '';
",
        },
        Migration {
            name: "m0014_languages",
            postgres_only: "",
            // BM02 counts English apart from other languages, and ethnic-language certificates.
            sql: "
ALTER TABLE employees ADD COLUMN foreign_language_name TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN ethnic_language TEXT NOT NULL DEFAULT '';
",
        },
    ],
};
