//! Identity's tables as sea-orm entities. The store's row types convert from and into these; the
//! rest of the service never sees them.

/// Unit kinds and statuses, accounts' kinds and statuses: the values a check constraint allows in
/// each column. (A grant's scope stays text: sea-orm's enum derive cannot take the value `self`.)
pub mod kinds {
    use sea_orm::entity::prelude::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
    #[sea_orm(rs_type = "String", db_type = "Text")]
    pub enum UnitKind {
        #[sea_orm(string_value = "province")]
        Province,
        #[sea_orm(string_value = "department")]
        Department,
        #[sea_orm(string_value = "district")]
        District,
        #[sea_orm(string_value = "commune")]
        Commune,
        #[sea_orm(string_value = "public_service_unit")]
        PublicServiceUnit,
        #[sea_orm(string_value = "association")]
        Association,
        #[sea_orm(string_value = "other")]
        Other,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
    #[sea_orm(rs_type = "String", db_type = "Text")]
    pub enum UnitStatus {
        #[sea_orm(string_value = "active")]
        Active,
        #[sea_orm(string_value = "closed")]
        Closed,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
    #[sea_orm(rs_type = "String", db_type = "Text")]
    pub enum AccountKind {
        #[sea_orm(string_value = "person")]
        Person,
        #[sea_orm(string_value = "service")]
        Service,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
    #[sea_orm(rs_type = "String", db_type = "Text")]
    pub enum AccountStatus {
        #[sea_orm(string_value = "active")]
        Active,
        #[sea_orm(string_value = "disabled")]
        Disabled,
    }
}

pub mod unit {
    use super::kinds::{UnitKind, UnitStatus};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "units")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub code: String,
        pub name: String,
        /// The name folded for diacritic-insensitive search.
        pub name_folded: String,
        pub kind: UnitKind,
        pub parent_id: Option<Uuid>,
        /// Materialized path of ids, `/root/child/`: a subtree is a path prefix.
        pub path: String,
        pub valid_from: Option<TimeDate>,
        pub valid_to: Option<TimeDate>,
        pub status: UnitStatus,
        pub merged_into_id: Option<Uuid>,
        pub version: i64,
        /// The idempotency key of the request that created the unit.
        #[sea_orm(unique)]
        pub request_id: Option<String>,
        pub created_at: TimeDateTimeWithTimeZone,
        pub updated_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod account {
    use super::kinds::{AccountKind, AccountStatus};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "accounts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub username: String,
        pub full_name: String,
        /// Username, name and e-mail folded for search.
        pub search_folded: String,
        pub position: String,
        pub department: String,
        pub phone: String,
        pub email: String,
        pub unit_id: Uuid,
        pub kind: AccountKind,
        pub status: AccountStatus,
        /// The linked personnel record, empty when none.
        pub personnel_id: String,
        pub password_hash: String,
        pub must_change_password: bool,
        pub password_expires_at: Option<TimeDateTimeWithTimeZone>,
        pub failed_count: i64,
        pub failed_window_start: Option<TimeDateTimeWithTimeZone>,
        pub locked_until: Option<TimeDateTimeWithTimeZone>,
        pub version: i64,
        pub created_at: TimeDateTimeWithTimeZone,
        pub updated_at: TimeDateTimeWithTimeZone,
        /// The idempotency key of the request that created the account.
        #[sea_orm(unique)]
        pub request_id: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::unit::Entity",
            from = "Column::UnitId",
            to = "super::unit::Column::Id"
        )]
        Unit,
    }

    impl Related<super::unit::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::Unit.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod role {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "roles")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub code: String,
        pub name: String,
        /// A JSON array of permission names.
        pub permissions: Json,
        pub builtin: bool,
        pub created_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod grant {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "grants")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub account_id: Uuid,
        pub role_id: Uuid,
        /// `unit` (the unit and everything under it) or `self` (the account's own record).
        pub scope: String,
        pub scope_unit_id: Option<Uuid>,
        pub created_by: String,
        pub created_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::role::Entity",
            from = "Column::RoleId",
            to = "super::role::Column::Id"
        )]
        Role,
        #[sea_orm(
            belongs_to = "super::unit::Entity",
            from = "Column::ScopeUnitId",
            to = "super::unit::Column::Id"
        )]
        ScopeUnit,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod refresh_token {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "refresh_tokens")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// Every token rotated from one login; reuse of a rotated one revokes the family.
        pub family_id: Uuid,
        pub account_id: Uuid,
        /// SHA-256 of the token: the token itself is never stored.
        #[sea_orm(unique)]
        pub token_hash: String,
        pub created_at: TimeDateTimeWithTimeZone,
        pub expires_at: TimeDateTimeWithTimeZone,
        pub rotated_at: Option<TimeDateTimeWithTimeZone>,
        pub revoked_at: Option<TimeDateTimeWithTimeZone>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod signing_key {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "signing_keys")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub kid: String,
        pub secret: Vec<u8>,
        pub created_at: TimeDateTimeWithTimeZone,
        /// False once retired: neither published nor trusted.
        pub active: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod audit_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: TimeDateTimeWithTimeZone,
        pub actor_id: String,
        pub actor_username: String,
        pub action: String,
        pub target_kind: String,
        pub target_id: String,
        pub unit_path: String,
        pub client_address: String,
        /// The target as it was (JSON `null` for a creation).
        pub before: Json,
        /// The target as it became (JSON `null` for a deletion).
        pub after: Json,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
