//! Refresh tokens (stored as SHA-256 digests, grouped in families) and the signing keys.

use super::{col, flag};
use tinhso_platform::db::Tx;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshRow {
    pub id: String,
    pub family_id: String,
    pub account_id: String,
    pub expires_at: i64,
    pub rotated_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

pub async fn insert_refresh(
    tx: &mut Tx,
    r: &RefreshRow,
    digest: &str,
    now: i64,
) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query("INSERT INTO refresh_tokens (id, family_id, account_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&r.id)
        .bind(&r.family_id)
        .bind(&r.account_id)
        .bind(digest)
        .bind(now)
        .bind(r.expires_at)
        .execute(&*tx)
        .await?;
    Ok(())
}

pub async fn refresh_by_digest(
    tx: &mut Tx,
    digest: &str,
) -> Result<Option<RefreshRow>, tinhso_platform::db::DbErr> {
    let row = tinhso_platform::db::query("SELECT id, family_id, account_id, expires_at, rotated_at, revoked_at FROM refresh_tokens WHERE token_hash = $1")
        .bind(digest)
        .fetch_optional(&*tx)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let row = &row;
    Ok(Some(RefreshRow {
        id: col!(row, "id"),
        family_id: col!(row, "family_id"),
        account_id: col!(row, "account_id"),
        expires_at: col!(row, "expires_at"),
        rotated_at: col!(row, "rotated_at"),
        revoked_at: col!(row, "revoked_at"),
    }))
}

pub async fn mark_rotated(
    tx: &mut Tx,
    id: &str,
    now: i64,
) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query("UPDATE refresh_tokens SET rotated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(&*tx)
        .await?;
    Ok(())
}

pub async fn revoke_family(
    tx: &mut Tx,
    family_id: &str,
    now: i64,
) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query(
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(family_id)
    .execute(&*tx)
    .await?;
    Ok(())
}

pub async fn revoke_account(
    tx: &mut Tx,
    account_id: &str,
    now: i64,
) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query(
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(account_id)
    .execute(&*tx)
    .await?;
    Ok(())
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
pub async fn signing_keys(
    pool: &tinhso_platform::db::DatabaseConnection,
) -> Result<Vec<SigningKeyRow>, tinhso_platform::db::DbErr> {
    let rows = tinhso_platform::db::query(
        "SELECT kid, secret, created_at, active FROM signing_keys ORDER BY created_at",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let active: i64 = col!(row, "active");
            Ok(SigningKeyRow {
                kid: col!(row, "kid"),
                secret: col!(row, "secret"),
                created_at: col!(row, "created_at"),
                active: active != 0,
            })
        })
        .collect()
}

/// Adds a key; it is published at once and signs after the publish delay.
pub async fn add_signing_key(
    tx: &mut Tx,
    kid: &str,
    secret: &[u8],
    now: i64,
) -> Result<(), tinhso_platform::db::DbErr> {
    tinhso_platform::db::query(
        "INSERT INTO signing_keys (kid, secret, created_at, active) VALUES ($1, $2, $3, $4)",
    )
    .bind(kid)
    .bind(secret.to_vec())
    .bind(now)
    .bind(flag(true))
    .execute(&*tx)
    .await?;
    Ok(())
}

/// Retires a key: tokens it signed stop verifying. Returns false when no live key has that id.
pub async fn retire_signing_key(
    pool: &tinhso_platform::db::DatabaseConnection,
    kid: &str,
) -> Result<bool, tinhso_platform::db::DbErr> {
    let done = tinhso_platform::db::query(
        "UPDATE signing_keys SET active = $1 WHERE kid = $2 AND active = $3",
    )
    .bind(flag(false))
    .bind(kid)
    .bind(flag(true))
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}
