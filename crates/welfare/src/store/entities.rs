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
        pub merged_into: Option<String>,
        pub created_at: TimeDateTimeWithTimeZone,
        pub created_by: String,
        pub version: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
