//! Files a person uploaded for an import, kept between the check and the commit (the services
//! check a file, then write the same file again with the check's id). They live in the console's
//! database, not on one replica's disk, belong to the session that sent them, and are cleared an
//! hour after upload.

use sea_orm::{ActiveValue::Set, ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use tinhso_platform::clock::UnixMillis;
use tinhso_platform::db::{self, Db, DbErr};

/// How long an uploaded file waits for its commit.
pub const KEEP_MS: i64 = 3_600_000;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "uploads")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub session_id: String,
        /// What the file is for, e.g. "personnel" or "accounts".
        pub purpose: String,
        pub filename: String,
        pub unit_id: String,
        pub content: Vec<u8>,
        pub created_at: TimeDateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub struct Upload {
    pub id: String,
    pub purpose: String,
    pub filename: String,
    pub unit_id: String,
    pub content: Vec<u8>,
}

pub async fn save(
    db: &Db,
    session_id: &str,
    upload: &Upload,
    now: UnixMillis,
) -> Result<(), DbErr> {
    entity::Entity::insert(entity::ActiveModel {
        id: Set(upload.id.clone()),
        session_id: Set(session_id.to_string()),
        purpose: Set(upload.purpose.clone()),
        filename: Set(upload.filename.clone()),
        unit_id: Set(upload.unit_id.clone()),
        content: Set(upload.content.clone()),
        created_at: Set(db::at(now)),
    })
    .exec_without_returning(&db.pool)
    .await?;
    Ok(())
}

/// The session's upload `id` for `purpose`, if it is still kept.
pub async fn find(
    db: &Db,
    session_id: &str,
    id: &str,
    purpose: &str,
    now: UnixMillis,
) -> Result<Option<Upload>, DbErr> {
    Ok(entity::Entity::find_by_id(id.to_string())
        .filter(entity::Column::SessionId.eq(session_id))
        .filter(entity::Column::Purpose.eq(purpose))
        .filter(entity::Column::CreatedAt.gte(db::at(now - KEEP_MS)))
        .one(&db.pool)
        .await?
        .map(|m| Upload {
            id: m.id,
            purpose: m.purpose,
            filename: m.filename,
            unit_id: m.unit_id,
            content: m.content,
        }))
}

pub async fn delete(db: &Db, id: &str) -> Result<(), DbErr> {
    entity::Entity::delete_by_id(id.to_string())
        .exec(&db.pool)
        .await?;
    Ok(())
}

/// Clears uploads older than `KEEP_MS`.
pub async fn purge(db: &Db, now: UnixMillis) -> Result<u64, DbErr> {
    Ok(entity::Entity::delete_many()
        .filter(entity::Column::CreatedAt.lt(db::at(now - KEEP_MS)))
        .exec(&db.pool)
        .await?
        .rows_affected)
}
