//! Sign-in sessions, kept in the console's own database so every replica knows every session:
//! the browser holds only an opaque random id (the cookie), the database its SHA-256 with the
//! person's tokens, which never reach the browser.

use base64::Engine as _;
use sea_orm::{ActiveValue::Set, ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use sha2::Digest as _;
use tinhso_platform::clock::UnixMillis;
use tinhso_platform::db::{self, Db, DbErr, Migration, Migrator};

pub const MIGRATOR: Migrator = Migrator {
    table: "console_schema",
    replaces: None,
    migrations: &[
        Migration {
            name: "m0001_sessions",
            sql: "
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    csrf TEXT NOT NULL,
    access_token TEXT NOT NULL,
    refresh_token TEXT NOT NULL,
    access_expires_at TIMESTAMPTZ NOT NULL,
    must_change_password BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);
",
            postgres_only: "",
        },
        Migration {
            name: "m0002_session_person",
            // Shown in every page's header; read once from identity at sign-in.
            sql: "
ALTER TABLE sessions ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN unit_name TEXT NOT NULL DEFAULT '';
",
            postgres_only: "",
        },
        Migration {
            name: "m0003_uploads",
            // A file checked but not yet committed: every replica can finish the import.
            sql: "
CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    filename TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    content BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX uploads_created ON uploads (created_at);
",
            postgres_only: "",
        },
    ],
};

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sessions")]
    pub struct Model {
        /// SHA-256 (hex) of the cookie's value.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        /// The token every form and htmx request of the session carries.
        pub csrf: String,
        pub access_token: String,
        pub refresh_token: String,
        pub access_expires_at: TimeDateTimeWithTimeZone,
        pub must_change_password: bool,
        pub created_at: TimeDateTimeWithTimeZone,
        pub last_seen_at: TimeDateTimeWithTimeZone,
        pub display_name: String,
        pub unit_name: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A signed-in person's session as the handlers use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub csrf: String,
    pub access_token: String,
    pub refresh_token: String,
    pub access_expires_at: UnixMillis,
    pub must_change_password: bool,
    pub created_at: UnixMillis,
    pub last_seen_at: UnixMillis,
    /// The person's full name and unit, for the page header.
    pub display_name: String,
    pub unit_name: String,
}

impl From<entity::Model> for Session {
    fn from(m: entity::Model) -> Self {
        Self {
            id: m.id,
            csrf: m.csrf,
            access_token: m.access_token,
            refresh_token: m.refresh_token,
            access_expires_at: db::millis(m.access_expires_at),
            must_change_password: m.must_change_password,
            created_at: db::millis(m.created_at),
            last_seen_at: db::millis(m.last_seen_at),
            display_name: m.display_name,
            unit_name: m.unit_name,
        }
    }
}

/// 32 random bytes, URL-safe base64: a cookie value or a CSRF token.
pub fn random_token() -> String {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).unwrap_or_else(|_| {
        // The OS has no randomness to give: nothing here can be made safe without it.
        panic!("no operating-system randomness for a session token")
    });
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored key of a cookie value.
pub fn key_of(cookie: &str) -> String {
    sha2::Sha256::digest(cookie.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The tokens a sign-in or a refresh returned.
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in_secs: i64,
    pub must_change_password: bool,
}

/// Who signed in, as the header shows them.
pub struct Person {
    pub display_name: String,
    pub unit_name: String,
}

/// Starts a session for `tokens`; the cookie's value (only the browser keeps it).
pub async fn create(
    db: &Db,
    tokens: &Tokens,
    person: &Person,
    now: UnixMillis,
) -> Result<String, DbErr> {
    let cookie = random_token();
    entity::Entity::insert(entity::ActiveModel {
        id: Set(key_of(&cookie)),
        csrf: Set(random_token()),
        access_token: Set(tokens.access_token.clone()),
        refresh_token: Set(tokens.refresh_token.clone()),
        access_expires_at: Set(db::at(now + tokens.expires_in_secs * 1000)),
        must_change_password: Set(tokens.must_change_password),
        created_at: Set(db::at(now)),
        last_seen_at: Set(db::at(now)),
        display_name: Set(person.display_name.clone()),
        unit_name: Set(person.unit_name.clone()),
    })
    .exec_without_returning(&db.pool)
    .await?;
    Ok(cookie)
}

/// The session of a cookie, if it exists.
pub async fn find(db: &Db, cookie: &str) -> Result<Option<Session>, DbErr> {
    Ok(entity::Entity::find_by_id(key_of(cookie))
        .one(&db.pool)
        .await?
        .map(Session::from))
}

/// Records that the session was used now.
pub async fn touch(db: &Db, id: &str, now: UnixMillis) -> Result<(), DbErr> {
    entity::Entity::update_many()
        .col_expr(
            entity::Column::LastSeenAt,
            sea_orm::sea_query::Expr::value(db::at(now)),
        )
        .filter(entity::Column::Id.eq(id))
        .exec(&db.pool)
        .await?;
    Ok(())
}

/// Replaces the session's tokens (after a refresh or a password change).
pub async fn replace_tokens(
    db: &Db,
    id: &str,
    tokens: &Tokens,
    now: UnixMillis,
) -> Result<(), DbErr> {
    entity::Entity::update_many()
        .col_expr(
            entity::Column::AccessToken,
            sea_orm::sea_query::Expr::value(tokens.access_token.clone()),
        )
        .col_expr(
            entity::Column::RefreshToken,
            sea_orm::sea_query::Expr::value(tokens.refresh_token.clone()),
        )
        .col_expr(
            entity::Column::AccessExpiresAt,
            sea_orm::sea_query::Expr::value(db::at(now + tokens.expires_in_secs * 1000)),
        )
        .col_expr(
            entity::Column::MustChangePassword,
            sea_orm::sea_query::Expr::value(tokens.must_change_password),
        )
        .filter(entity::Column::Id.eq(id))
        .exec(&db.pool)
        .await?;
    Ok(())
}

/// Records who the session's person is (after a first sign-in, once identity answers GetMe).
pub async fn set_person(db: &Db, id: &str, person: &Person) -> Result<(), DbErr> {
    entity::Entity::update_many()
        .col_expr(
            entity::Column::DisplayName,
            sea_orm::sea_query::Expr::value(person.display_name.clone()),
        )
        .col_expr(
            entity::Column::UnitName,
            sea_orm::sea_query::Expr::value(person.unit_name.clone()),
        )
        .filter(entity::Column::Id.eq(id))
        .exec(&db.pool)
        .await?;
    Ok(())
}

/// Ends a session.
pub async fn delete(db: &Db, id: &str) -> Result<(), DbErr> {
    entity::Entity::delete_by_id(id.to_string())
        .exec(&db.pool)
        .await?;
    Ok(())
}

/// Removes sessions unused since `before` (run now and then; an expired one is refused anyway).
pub async fn purge_idle(db: &Db, before: UnixMillis) -> Result<u64, DbErr> {
    Ok(entity::Entity::delete_many()
        .filter(entity::Column::LastSeenAt.lt(db::at(before)))
        .exec(&db.pool)
        .await?
        .rows_affected)
}
