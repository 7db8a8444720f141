//! The sea-orm entities of welfare's tables.

/// A parameter's value from a day on.
pub mod parameter_value {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "parameter_values")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub kind: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub from_date: TimeDate,
        pub value: i64,
        pub basis: String,
        pub updated_at: TimeDateTimeWithTimeZone,
        pub updated_by: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One change to a parameter, as the audit shows it.
pub mod parameter_change {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "parameter_changes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: TimeDateTimeWithTimeZone,
        pub actor_id: String,
        pub actor_username: String,
        pub kind: String,
        pub from_date: TimeDate,
        pub before_value: String,
        pub after_value: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A person benefiting from a policy.
pub mod beneficiary {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "beneficiaries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub full_name: String,
        pub name_folded: String,
        pub birth_date: Option<TimeDate>,
        pub sex: String,
        pub citizen_id: String,
        pub ethnicity: String,
        pub address: String,
        pub commune_id: String,
        pub unit_path: String,
        pub kind: String,
        pub household_id: Option<String>,
        pub household_code: String,
        pub poverty: String,
        pub poverty_decision: String,
        pub merged_into: Option<String>,
        pub created_at: TimeDateTimeWithTimeZone,
        pub created_by: String,
        pub version: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A beneficiary's enrolment in a policy.
pub mod enrolment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "enrolments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub beneficiary_id: String,
        pub policy: String,
        pub category: String,
        pub coefficient: i64,
        pub quantity: i64,
        pub level: String,
        pub decision_number: String,
        pub decision_date: TimeDate,
        pub start_date: TimeDate,
        pub end_date: Option<TimeDate>,
        pub status: String,
        pub last_change_date: Option<TimeDate>,
        pub unit_path: String,
        pub version: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One change of an enrolment, kept for its history.
pub mod enrolment_change {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "enrolment_changes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub enrolment_id: String,
        pub change: String,
        pub effective_date: Option<TimeDate>,
        pub reason: String,
        pub decision_number: String,
        pub category: String,
        pub coefficient: i64,
        pub quantity: i64,
        pub level: String,
        pub status_after: String,
        pub at: TimeDateTimeWithTimeZone,
        pub actor_username: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// An authorised user's decision on a suspected duplicate pair: `distinct` or `merged`.
pub mod duplicate_decision {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "duplicate_decisions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub beneficiary_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub other_id: String,
        pub decision: String,
        pub at: TimeDateTimeWithTimeZone,
        pub actor_username: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A unit's payment list of a policy and month, with its settlement's state.
pub mod payment_list {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payment_lists")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub unit_id: String,
        pub unit_path: String,
        pub policy: String,
        pub period: String,
        pub last_month: String,
        pub state: String,
        pub return_reason: String,
        pub funded: i64,
        pub version: i64,
        pub created_at: TimeDateTimeWithTimeZone,
        pub created_by: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A line of a payment list: what was computed and how it was paid.
pub mod payment_line {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payment_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub list_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub enrolment_id: String,
        pub beneficiary_id: String,
        pub beneficiary_name: String,
        pub category: String,
        pub base: i64,
        pub coefficient: i64,
        pub quantity: i64,
        pub months: i64,
        pub amount: i64,
        pub payment: String,
        pub paid_on: Option<TimeDate>,
        pub method: String,
        pub unpaid_reason: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A step of a settlement's or estimate's approval.
pub mod approval_step {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "approval_steps")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub document_id: String,
        pub action: String,
        pub state_after: String,
        pub reason: String,
        pub at: TimeDateTimeWithTimeZone,
        pub actor_username: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A staged import of beneficiaries and enrolments.
pub mod import {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "imports")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub unit_id: String,
        pub unit_path: String,
        pub filename: String,
        pub state: String,
        pub rows_total: i64,
        pub rows_valid: i64,
        pub problem_count: i64,
        pub created_at: TimeDateTimeWithTimeZone,
        pub created_by: String,
        pub finished_at: Option<TimeDateTimeWithTimeZone>,
        pub finished_by: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A problem of an imported file.
pub mod import_problem {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "import_problems")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub import_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub seq: i64,
        pub row_number: i64,
        pub column_heading: String,
        pub message: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A checked row of an import, staged until the commit.
pub mod import_row {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "import_rows")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub import_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub row_number: i64,
        pub beneficiary_id: String,
        pub new_beneficiary: bool,
        pub full_name: String,
        pub name_folded: String,
        pub birth_date: TimeDate,
        pub sex: String,
        pub citizen_id: String,
        pub commune_id: String,
        pub unit_path: String,
        pub enrolment_id: String,
        pub policy: String,
        pub category: String,
        pub coefficient: i64,
        pub quantity: i64,
        pub decision_number: String,
        pub decision_date: TimeDate,
        pub start_date: TimeDate,
        pub end_date: Option<TimeDate>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Next year's estimate of a unit and policy.
pub mod estimate {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "estimates")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub unit_id: String,
        pub unit_path: String,
        pub policy: String,
        pub year: i64,
        pub state: String,
        pub return_reason: String,
        pub from_enrolments: i64,
        pub carried_over: i64,
        pub version: i64,
        pub created_at: TimeDateTimeWithTimeZone,
        pub created_by: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A change an estimate expects.
pub mod estimate_change {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "estimate_changes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub estimate_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub seq: i64,
        pub description: String,
        pub beneficiaries: i64,
        pub monthly_amount: i64,
        pub months: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A funding source Finance allocates to an estimate.
pub mod estimate_funding {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "estimate_funding")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub estimate_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub source: String,
        pub amount: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A policy as stored.
pub mod policy {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "policies")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: String,
        pub name: String,
        pub policy_group: String,
        pub legal_basis: String,
        pub beneficiary_kind: String,
        pub rule: String,
        pub parameter: String,
        pub basis_points: i64,
        pub fixed_rate: i64,
        pub levels: String,
        pub frequency: String,
        pub verifier: String,
        pub in_force_from: TimeDate,
        pub in_force_to: Option<TimeDate>,
        pub updated_at: TimeDateTimeWithTimeZone,
        pub updated_by: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
