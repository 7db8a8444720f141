//! Refresh tokens (stored as SHA-256 digests, grouped in families) and the signing keys.

use super::entities::{refresh_token, signing_key};
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _, Set};
use tinhso_platform::AccountId;
use tinhso_platform::db::{self, DatabaseConnection, DbErr, Tx};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRow {
    pub id: String,
    pub family_id: String,
    pub account_id: AccountId,
    pub expires_at: i64,
    pub rotated_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub async fn insert_refresh(
    tx: &mut Tx,
    r: &RefreshRow,
    digest: &str,
    now: i64,
) -> Result<(), DbErr> {
    refresh_token::Entity::insert(refresh_token::ActiveModel {
        id: Set(db::uuid_of(&r.id)?),
        family_id: Set(db::uuid_of(&r.family_id)?),
        account_id: Set(db::uuid_of(&r.account_id)?),
        token_hash: Set(digest.to_string()),
        created_at: Set(db::at(now)),
        expires_at: Set(db::at(r.expires_at)),
        rotated_at: Set(None),
        revoked_at: Set(None),
    })
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

pub async fn refresh_by_digest(tx: &mut Tx, digest: &str) -> Result<Option<RefreshRow>, DbErr> {
    Ok(refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(digest))
        .one(&*tx)
        .await?
        .map(|r| RefreshRow {
            id: r.id.to_string(),
            family_id: r.family_id.to_string(),
            account_id: AccountId::new(r.account_id.to_string()),
            expires_at: db::millis(r.expires_at),
            rotated_at: r.rotated_at.map(db::millis),
            revoked_at: r.revoked_at.map(db::millis),
        }))
}

pub async fn mark_rotated(tx: &mut Tx, id: &str, now: i64) -> Result<(), DbErr> {
    refresh_token::Entity::update_many()
        .set(refresh_token::ActiveModel {
            rotated_at: Set(Some(db::at(now))),
            ..Default::default()
        })
        .filter(refresh_token::Column::Id.eq(db::uuid_of(id)?))
        .exec(&*tx)
        .await?;
    Ok(())
}

/// Revokes the live tokens matching `which` (a family, or an account).
async fn revoke(tx: &mut Tx, which: sea_orm::sea_query::SimpleExpr, now: i64) -> Result<(), DbErr> {
    refresh_token::Entity::update_many()
        .set(refresh_token::ActiveModel {
            revoked_at: Set(Some(db::at(now))),
            ..Default::default()
        })
        .filter(which)
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&*tx)
        .await?;
    Ok(())
}

pub async fn revoke_family(tx: &mut Tx, family_id: &str, now: i64) -> Result<(), DbErr> {
    revoke(
        tx,
        refresh_token::Column::FamilyId.eq(db::uuid_of(family_id)?),
        now,
    )
    .await
}

pub async fn revoke_account(tx: &mut Tx, account_id: &str, now: i64) -> Result<(), DbErr> {
    revoke(
        tx,
        refresh_token::Column::AccountId.eq(db::uuid_of(account_id)?),
        now,
    )
    .await
}

/// A stored signing key.
#[derive(Debug, Clone)]
pub struct SigningKeyRow {
    pub kid: String,
    pub secret: Vec<u8>,
    pub created_at: i64,
    /// False once retired: neither published nor trusted.
    pub active: bool,
}

impl SigningKeyRow {
    /// What the signer rule needs to know of the key.
    pub fn info(&self) -> crate::domain::keys::KeyInfo {
        crate::domain::keys::KeyInfo {
            kid: self.kid.clone(),
            created_at_ms: self.created_at,
            retired: !self.active,
        }
    }
}

/// Every signing key, oldest first.
pub async fn signing_keys(pool: &DatabaseConnection) -> Result<Vec<SigningKeyRow>, DbErr> {
    Ok(signing_key::Entity::find()
        .order_by_asc(signing_key::Column::CreatedAt)
        .all(pool)
        .await?
        .into_iter()
        .map(|k| SigningKeyRow {
            kid: k.kid,
            secret: k.secret,
            created_at: db::millis(k.created_at),
            active: k.active,
        })
        .collect())
}

/// Adds a key; it is published at once and signs after the publish delay.
pub async fn add_signing_key(tx: &mut Tx, kid: &str, secret: &[u8], now: i64) -> Result<(), DbErr> {
    signing_key::Entity::insert(signing_key::ActiveModel {
        kid: Set(kid.to_string()),
        secret: Set(secret.to_vec()),
        created_at: Set(db::at(now)),
        active: Set(true),
    })
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

/// Retires a key: tokens it signed stop verifying. Returns false when no live key has that id.
pub async fn retire_signing_key(pool: &DatabaseConnection, kid: &str) -> Result<bool, DbErr> {
    let done = signing_key::Entity::update_many()
        .set(signing_key::ActiveModel {
            active: Set(false),
            ..Default::default()
        })
        .filter(signing_key::Column::Kid.eq(kid))
        .filter(signing_key::Column::Active.eq(true))
        .exec(pool)
        .await?;
    Ok(done.rows_affected > 0)
}
