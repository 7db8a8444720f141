//! Personnel's tables as sea-orm entities. The store's row types convert from and into these;
//! the rest of the service never sees them. Kinds and statuses here are catalogue codes (data an
//! administrator edits), so they stay text; the closed sets (a handover's state) are held by
//! CHECK constraints in the migration.

/// The replica of identity's unit tree (the platform's table).
pub use tinhso_platform::units::entity as unit;

/// One employee record (2C-BNV).
pub mod employee {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "employees")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub unit_id: String,
        pub unit_path: String,
        pub department: String,
        pub kind: String,
        pub status: String,
        pub form_version: String,
        pub full_name: String,
        pub name_folded: String,
        pub name_sort: String,
        pub other_names: String,
        pub birth_date: Option<TimeDate>,
        pub sex: String,
        pub place_of_birth: String,
        pub home_town: String,
        pub ethnicity: String,
        pub religion: String,
        pub id_number: String,
        pub id_issue_date: Option<TimeDate>,
        pub social_insurance_number: String,
        pub permanent_address: String,
        pub current_address: String,
        pub occupation_when_recruited: String,
        pub recruitment_date: Option<TimeDate>,
        pub recruiting_agency: String,
        pub position: String,
        pub main_duties: String,
        pub grade_code: String,
        pub grade_date: Option<TimeDate>,
        pub step: i64,
        pub coefficient: i64,
        pub step_date: Option<TimeDate>,
        pub recruitment_decision_date: Option<TimeDate>,
        pub initial_entry: bool,
        pub general_education: String,
        pub degree: String,
        pub degree_major: String,
        pub political_theory: String,
        pub state_management: String,
        pub foreign_language: String,
        pub it_level: String,
        pub party_admission_date: Option<TimeDate>,
        pub party_official_date: Option<TimeDate>,
        pub union_admission_date: Option<TimeDate>,
        pub organisations: String,
        pub military_enlistment_date: Option<TimeDate>,
        pub military_discharge_date: Option<TimeDate>,
        pub military_rank: String,
        pub titles: String,
        pub strengths: String,
        pub health: String,
        pub height_cm: i64,
        pub weight_kg: i64,
        pub blood_type: String,
        pub war_invalid_rank: String,
        pub policy_family: String,
        pub job_position: String,
        pub contract_type: String,
        pub family_economic_situation: String,
        pub personal_history: String,
        pub agency_assessment: String,
        pub professional_title_rank: String,
        pub foreign_language_name: String,
        pub ethnic_language: String,
        pub phone: String,
        pub email: String,
        #[sea_orm(unique)]
        pub request_id: Option<String>,
        pub version: i64,
        pub created_at: TimeDateTimeWithTimeZone,
        pub updated_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One field of a record changed by one person at one time.
pub mod employee_change {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "employee_changes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub employee_id: String,
        pub at: TimeDateTimeWithTimeZone,
        pub actor_id: String,
        pub actor_username: String,
        pub field: String,
        pub before_value: String,
        pub after_value: String,
        /// The effective date of a dated change (position, department, degree).
        pub effective_date: Option<TimeDate>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A movement of an employee (transfer, rotation, secondment, retirement...).
pub mod movement {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "movements")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub employee_id: String,
        pub kind: String,
        pub from_unit_id: String,
        /// None when the movement leaves the province's units (retirement, resignation).
        pub to_unit_id: Option<String>,
        pub decision_number: String,
        pub decision_date: TimeDate,
        pub effective_date: TimeDate,
        pub note: String,
        pub resulting_status: String,
        pub recorded_at: TimeDateTimeWithTimeZone,
        pub recorded_by: String,
        pub state: String,
        pub handled_by: String,
        pub handled_at: Option<TimeDateTimeWithTimeZone>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A staffing quota of a unit for a year and an employee kind.
pub mod quota {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "quotas")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub unit_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub year: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub kind: String,
        pub quota: i64,
        pub updated_at: TimeDateTimeWithTimeZone,
        pub updated_by: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One entry of a catalogue (ethnicities, grades, degrees...).
pub mod catalogue_entry {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "catalogue_entries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub catalogue: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: String,
        pub name: String,
        pub attribute: String,
        pub sort_order: i64,
        pub active: bool,
        pub updated_at: TimeDateTimeWithTimeZone,
        pub updated_by: String,
        pub report_column: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The coefficient (in hundredths) of a step of a grade group.
pub mod grade_step {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "grade_steps")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub grade_group: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub step: i64,
        pub coefficient: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The base salary in force from a date.
pub mod base_salary {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "base_salaries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub from_date: TimeDate,
        pub vnd: i64,
        pub updated_at: TimeDateTimeWithTimeZone,
        pub updated_by: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One entry of a repeated section of a record (training, work history, salary, awards...).
pub mod section_entry {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "section_entries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub employee_id: String,
        pub section: String,
        pub code: String,
        pub title: String,
        pub organisation: String,
        pub details: String,
        pub qualification: String,
        pub decision_number: String,
        pub decision_date: Option<TimeDate>,
        pub from_date: Option<TimeDate>,
        pub to_date: Option<TimeDate>,
        pub amount: i64,
        pub amount2: i64,
        pub ref_id: String,
        pub removed: bool,
        pub version: i64,
        pub recorded_at: TimeDateTimeWithTimeZone,
        pub recorded_by: String,
        pub updated_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A unit's closed payroll of a month (`YYYY-MM`).
pub mod payroll {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payrolls")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub unit_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub month: String,
        pub headcount: i64,
        pub total: i64,
        pub due_date: TimeDate,
        pub closed_at: TimeDateTimeWithTimeZone,
        pub closed_by: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One person's line of a closed payroll.
pub mod payroll_line {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payroll_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub unit_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub month: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub employee_id: String,
        pub full_name: String,
        pub grade_code: String,
        pub step: i64,
        pub coefficient: i64,
        pub position_allowance: i64,
        pub other_allowances: i64,
        pub seniority_percent: i64,
        pub base_salary: i64,
        pub pay: i64,
        pub percent_allowances: i64,
        pub public_service_allowance: i64,
        pub gross: i64,
        pub insurance_base: i64,
        pub social_insurance: i64,
        pub health_insurance: i64,
        pub unemployment_insurance: i64,
        pub union_dues: i64,
        pub deductions: i64,
        pub net: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// An honour of the State given to a person of the unit's area.
pub mod honour {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "honours")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub unit_id: String,
        pub unit_path: String,
        pub kind: String,
        pub recipient_name: String,
        pub name_folded: String,
        pub birth_year: i64,
        pub home_town: String,
        pub address: String,
        pub decision_number: String,
        pub decision_date: TimeDate,
        pub issuer: String,
        pub posthumous: bool,
        pub note: String,
        #[sea_orm(unique)]
        pub request_id: Option<String>,
        pub recorded_at: TimeDateTimeWithTimeZone,
        pub recorded_by: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A training course announced by a unit.
pub mod course {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "courses")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub organiser_unit_id: String,
        pub title: String,
        pub provider: String,
        pub kind: String,
        pub content: String,
        pub start_date: TimeDate,
        pub end_date: TimeDate,
        pub registration_deadline: TimeDate,
        pub seats: i64,
        pub hours: i64,
        pub qualification_field: String,
        pub qualification_code: String,
        #[sea_orm(unique)]
        pub request_id: Option<String>,
        pub announced_at: TimeDateTimeWithTimeZone,
        pub announced_by: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// An employee's registration to a course.
pub mod registration {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "registrations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub course_id: String,
        pub employee_id: String,
        pub employee_name: String,
        pub unit_id: String,
        pub status: String,
        pub registered_by: String,
        pub registered_at: TimeDateTimeWithTimeZone,
        pub changed_by: String,
        pub changed_at: TimeDateTimeWithTimeZone,
        pub hours: i64,
        pub certificate: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A change to reference data (catalogues, steps, base salaries): who, when, before, after.
pub mod reference_change {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "reference_changes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: TimeDateTimeWithTimeZone,
        pub actor_id: String,
        pub actor_username: String,
        pub what: String,
        pub item: String,
        pub before_value: String,
        pub after_value: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
