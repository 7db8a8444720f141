//! Operator commands of the `tinhso-identity` binary besides `migrate`: signing-key rotation
//! (see docs/operations.md).

use crate::StartError;
use tinhso_platform::db::Db;

/// Signing-key rotation: add a key (published now, signing after the publish delay), list them,
/// retire an old one once no valid token can still carry it.
pub(crate) async fn keys(db: &Db, command: &[&str]) -> Result<(), StartError> {
    crate::store::MIGRATOR.run(db).await?;
    let now = tinhso_platform::clock::system().now_ms();
    match command {
        ["list"] => {
            let rows = crate::store::tokens::signing_keys(&db.pool).await?;
            let infos = key_infos(&rows);
            let signer = crate::domain::keys::signer(&infos, now);
            for (i, row) in rows.iter().enumerate() {
                let state = if Some(i) == signer {
                    "signing"
                } else if row.active {
                    "published"
                } else {
                    "retired"
                };
                println!(
                    "{}  {}  {state}",
                    row.kid,
                    tinhso_platform::clock::rfc3339(row.created_at)
                );
            }
        }
        ["add"] => {
            let kid = crate::Identity::add_signing_key(db, now).await?;
            println!(
                "added key {kid}: published now, signing in {} minutes (replicas reload keys every minute)",
                crate::domain::keys::PUBLISH_DELAY_MS / 60_000
            );
        }
        ["retire", kid] => {
            let rows = crate::store::tokens::signing_keys(&db.pool).await?;
            if let Some(i) = crate::domain::keys::signer(&key_infos(&rows), now)
                && rows[i].kid == *kid
            {
                return Err(StartError::Other(format!(
                    "key {kid} is signing now: add a new key, wait until it signs (keys list), then retire this one"
                )));
            }
            if !crate::store::tokens::retire_signing_key(&db.pool, kid).await? {
                return Err(StartError::Other(format!("no live key {kid}")));
            }
            println!("retired key {kid}: tokens it signed no longer verify");
        }
        _ => {
            return Err(StartError::Other(
                "usage: tinhso-identity keys list | add | retire KID".into(),
            ));
        }
    }
    Ok(())
}

fn key_infos(rows: &[crate::store::tokens::SigningKeyRow]) -> Vec<crate::domain::keys::KeyInfo> {
    rows.iter().map(|r| r.info()).collect()
}
