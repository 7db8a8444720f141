//! Token verification and authorization, the same in every service. Access tokens are JWTs signed
//! with Ed25519 (`alg: EdDSA`, `kid` in the header) whose claims carry the account, its unit and
//! its grants as (scope path, permissions). A denylist fed by identity events rejects the older
//! tokens of an account that was disabled, moved or changed its password, before they expire.

use crate::clock::{SharedClock, UnixMillis};
use crate::error::ErrorCode;
use crate::error::{AppError, AppResult};
use crate::events::tables::token_denylist;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sea_orm::ActiveValue::Set;
use sea_orm::EntityTrait as _;
use sea_orm::sea_query::{Alias, Expr, OnConflict};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The audience of every access token identity issues: the platform's APIs.
pub const AUDIENCE: &str = "tinhso-api";

/// How far apart the clocks of identity and a verifying service may be: a token is taken this
/// long before its `nbf` and after its `exp`.
pub const CLOCK_SKEW_MS: i64 = 30_000;

/// The scope of a grant that covers only the holder's own personnel record.
pub const SELF_SCOPE: &str = "self";

/// A grant as carried in a token: a unit subtree path (or `self`) and the permissions there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantClaim {
    /// Unit path such as `/a1/b2/`, or `self`.
    pub s: String,
    /// Permission patterns, e.g. `identity.account.read`, `*.*.read`, `*`.
    pub p: Vec<String>,
}

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    /// Who the token is for: the platform's APIs ([`AUDIENCE`]).
    pub aud: String,
    /// Account id.
    pub sub: String,
    pub uname: String,
    /// The account's unit path.
    pub unit: String,
    /// Linked personnel record id, for `self` grants.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rec: String,
    pub grants: Vec<GrantClaim>,
    /// True while the one-time password has not been changed: the token can only change it.
    #[serde(default)]
    pub mcp: bool,
    /// Service account.
    #[serde(default)]
    pub svc: bool,
    pub iat: i64,
    /// Not valid before (seconds), the issue time.
    pub nbf: i64,
    pub exp: i64,
    /// Issue time in milliseconds, compared with the denylist.
    pub iat_ms: i64,
    pub jti: String,
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account_id: String,
    pub username: String,
    pub unit_path: String,
    pub personnel_id: String,
    pub grants: Vec<GrantClaim>,
    pub must_change_password: bool,
    pub is_service: bool,
    pub issued_at_ms: UnixMillis,
}

/// True when `pattern` (segments, `*` for any one, a lone `*` for all) allows `permission`.
pub fn permission_matches(pattern: &str, permission: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let mut p = pattern.split('.');
    let mut q = permission.split('.');
    loop {
        match (p.next(), q.next()) {
            (None, None) => return true,
            (Some("*"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

impl Principal {
    /// True when some grant gives `permission` over the unit at `unit_path`.
    pub fn can(&self, permission: &str, unit_path: &str) -> bool {
        !self.must_change_password
            && self.grants.iter().any(|g| {
                g.s != SELF_SCOPE
                    && crate::ids::is_under(unit_path, &g.s)
                    && g.p.iter().any(|p| permission_matches(p, permission))
            })
    }

    /// True when a `self` grant gives `permission` over the caller's own personnel record, kept
    /// in the unit at `record_unit_path`. The record must lie in the account's own unit subtree:
    /// an administrator who links an account to a record elsewhere in the province gains no
    /// reading of it through that link.
    pub fn can_self(&self, permission: &str, personnel_id: &str, record_unit_path: &str) -> bool {
        !self.must_change_password
            && !self.personnel_id.is_empty()
            && self.personnel_id == personnel_id
            && crate::ids::is_under(record_unit_path, &self.unit_path)
            && self
                .grants
                .iter()
                .any(|g| g.s == SELF_SCOPE && g.p.iter().any(|p| permission_matches(p, permission)))
    }

    /// Fails with PASSWORD_CHANGE_REQUIRED for a token that may only change its password.
    pub fn require_active(&self) -> AppResult<()> {
        if self.must_change_password {
            return Err(AppError::new(
                ErrorCode::PasswordChangeRequired,
                "Bạn phải đổi mật khẩu trước khi sử dụng hệ thống",
                "you must change your password first",
            ));
        }
        Ok(())
    }

    /// Fails unless the caller holds `permission` over `unit_path`.
    pub fn require(&self, permission: &str, unit_path: &str) -> AppResult<()> {
        self.require_active()?;
        if self.can(permission, unit_path) {
            Ok(())
        } else {
            Err(AppError::permission_denied())
        }
    }

    /// The unit subtrees (paths) in which the caller holds `permission`, without nested ones.
    pub fn scopes_for(&self, permission: &str) -> Vec<String> {
        if self.must_change_password {
            return Vec::new();
        }
        let mut scopes: Vec<String> = self
            .grants
            .iter()
            .filter(|g| {
                crate::ids::is_whole_path(&g.s)
                    && g.p.iter().any(|p| permission_matches(p, permission))
            })
            .map(|g| g.s.clone())
            .collect();
        scopes.sort();
        let mut out: Vec<String> = Vec::new();
        for s in scopes {
            if !out.iter().any(|o| crate::ids::is_under(&s, o)) {
                out.push(s);
            }
        }
        out
    }
}

/// Signs claims into a compact JWT.
pub fn sign(claims: &Claims, kid: &str, key: &SigningKey) -> String {
    let header = serde_json::json!({"alg": "EdDSA", "typ": "JWT", "kid": kid});
    let signing_input = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(serde_json::to_vec(claims).unwrap_or_default())
    );
    let signature = key.sign(signing_input.as_bytes());
    format!("{signing_input}.{}", B64.encode(signature.to_bytes()))
}

/// A public key in JWK form (OKP / Ed25519).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicJwk {
    pub kid: String,
    /// base64url of the 32-byte public key.
    pub x: String,
}

impl PublicJwk {
    pub fn of(kid: &str, key: &VerifyingKey) -> Self {
        Self {
            kid: kid.to_string(),
            x: B64.encode(key.as_bytes()),
        }
    }
}

/// Verifies access tokens and keeps the denylist.
#[derive(Debug)]
pub struct Verifier {
    issuer: String,
    keys: RwLock<HashMap<String, VerifyingKey>>,
    denylist: RwLock<HashMap<String, UnixMillis>>,
    clock: SharedClock,
}

pub type SharedVerifier = Arc<Verifier>;

fn bad_token() -> AppError {
    AppError::unauthenticated(ErrorCode::InvalidToken)
}

impl Verifier {
    pub fn new(issuer: &str, clock: SharedClock) -> Self {
        Self {
            issuer: issuer.to_string(),
            keys: RwLock::new(HashMap::new()),
            denylist: RwLock::new(HashMap::new()),
            clock,
        }
    }

    /// Replaces the trusted keys (from identity's JWKS).
    pub fn set_keys(&self, jwks: &[PublicJwk]) {
        let mut map = HashMap::new();
        for jwk in jwks {
            let Ok(bytes) = B64.decode(&jwk.x) else {
                continue;
            };
            let Ok(arr) = <[u8; 32]>::try_from(bytes.as_slice()) else {
                continue;
            };
            // A small-order key would verify forgeries under a lenient check: never trust one.
            if let Some(key) = VerifyingKey::from_bytes(&arr).ok().filter(|k| !k.is_weak()) {
                map.insert(jwk.kid.clone(), key);
            }
        }
        *self.keys.write().unwrap_or_else(|p| p.into_inner()) = map;
    }

    /// True once some signing key is trusted: before that every token is refused.
    pub fn has_keys(&self) -> bool {
        !self
            .keys
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty()
    }

    /// Denies the account's tokens issued before `not_before_ms`.
    pub fn deny(&self, account_id: &str, not_before_ms: UnixMillis) {
        let mut list = self.denylist.write().unwrap_or_else(|p| p.into_inner());
        let entry = list.entry(account_id.to_string()).or_insert(not_before_ms);
        *entry = (*entry).max(not_before_ms);
    }

    /// Loads the persisted denylist (table `token_denylist` of the platform's event migration).
    pub async fn load_denylist(&self, db: &crate::db::Db) -> Result<(), crate::db::DbErr> {
        for row in token_denylist::Entity::find().all(&db.pool).await? {
            self.deny(&row.account_id, crate::db::millis(row.not_before));
        }
        Ok(())
    }

    /// Verifies a compact JWT and returns its principal.
    pub fn verify(&self, token: &str) -> AppResult<Principal> {
        let mut parts = token.split('.');
        let (Some(h), Some(c), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad_token());
        };
        let header: serde_json::Value =
            serde_json::from_slice(&B64.decode(h).map_err(|_| bad_token())?)
                .map_err(|_| bad_token())?;
        if header.get("alg").and_then(|v| v.as_str()) != Some("EdDSA") {
            return Err(bad_token());
        }
        let kid = header
            .get("kid")
            .and_then(|v| v.as_str())
            .ok_or_else(bad_token)?;
        let key = *self
            .keys
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(kid)
            .ok_or_else(bad_token)?;
        let sig_bytes = B64.decode(s).map_err(|_| bad_token())?;
        let signature = Signature::from_slice(&sig_bytes).map_err(|_| bad_token())?;
        // Strict: refuses weak (small-order) keys and non-canonical signatures that the lenient
        // check lets through.
        key.verify_strict(format!("{h}.{c}").as_bytes(), &signature)
            .map_err(|_| bad_token())?;
        let claims: Claims = serde_json::from_slice(&B64.decode(c).map_err(|_| bad_token())?)
            .map_err(|_| bad_token())?;
        if claims.iss != self.issuer || claims.aud != AUDIENCE {
            return Err(bad_token());
        }
        let now = self.clock.now_ms();
        if claims.nbf * 1000 > now + CLOCK_SKEW_MS {
            return Err(bad_token());
        }
        if claims.exp * 1000 <= now - CLOCK_SKEW_MS {
            return Err(AppError::unauthenticated(ErrorCode::TokenExpired));
        }
        if let Some(not_before) = self
            .denylist
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&claims.sub)
            && claims.iat_ms < *not_before
        {
            return Err(AppError::unauthenticated(ErrorCode::TokenRevoked));
        }
        Ok(Principal {
            account_id: claims.sub,
            username: claims.uname,
            unit_path: claims.unit,
            personnel_id: claims.rec,
            grants: claims.grants,
            must_change_password: claims.mcp,
            is_service: claims.svc,
            issued_at_ms: claims.iat_ms,
        })
    }

    /// The bearer token of a gRPC request, if any.
    pub fn bearer<T>(request: &tonic::Request<T>) -> Option<String> {
        let value = request.metadata().get("authorization")?.to_str().ok()?;
        value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(|t| t.trim().to_string())
    }

    /// Authenticates a gRPC request: no token, a bad one, an expired or revoked one are all
    /// UNAUTHENTICATED.
    pub fn authenticate<T>(&self, request: &tonic::Request<T>) -> AppResult<Principal> {
        // Verified once at the server's edge (`grpc::EdgeLayer`) for every protected RPC.
        if let Some(principal) = request.extensions().get::<Principal>() {
            return Ok(principal.clone());
        }
        let token = Self::bearer(request)
            .ok_or_else(|| AppError::unauthenticated(ErrorCode::MissingToken))?;
        self.verify(&token)
    }
}

/// Consumes identity's account events into a service's denylist (persisted and in memory).
#[derive(Debug)]
pub struct DenylistHandler {
    pub verifier: SharedVerifier,
}

/// Account event types that revoke older tokens.
pub const REVOKING_EVENTS: &str = "tinhso.identity.account.>";

impl crate::events::Handler for DenylistHandler {
    fn handle<'a>(
        &'a self,
        tx: &'a mut crate::db::Tx,
        event: &'a crate::events::Event,
    ) -> crate::events::BoxFuture<'a, Result<(), crate::events::HandlerError>> {
        Box::pin(async move {
            use prost::Message as _;
            let changed = tinhso_proto::identity::v1::AccountChanged::decode(event.data.as_slice())
                .map_err(|e| crate::events::HandlerError(format!("bad AccountChanged: {e}")))?;
            if changed.not_before_unix_ms <= 0 {
                return Ok(());
            }
            // Keep the latest cut-off: an older event arriving late never lowers it.
            use sea_orm::sea_query::ExprTrait as _;
            let not_before = token_denylist::Column::NotBefore;
            token_denylist::Entity::insert(token_denylist::ActiveModel {
                account_id: Set(changed.account_id.clone()),
                not_before: Set(crate::db::at(changed.not_before_unix_ms)),
            })
            .on_conflict(
                OnConflict::column(token_denylist::Column::AccountId)
                    .update_column(not_before)
                    .action_and_where(
                        Expr::col((token_denylist::Entity, not_before))
                            .lt(Expr::col((Alias::new("excluded"), not_before))),
                    )
                    .to_owned(),
            )
            .exec_without_returning(&*tx)
            .await?;
            self.verifier
                .deny(&changed.account_id, changed.not_before_unix_ms);
            Ok(())
        })
    }
}

/// Fetches identity's current signing keys over gRPC (`AuthService/GetJwks`).
pub async fn fetch_jwks(
    identity: tonic::transport::Channel,
) -> Result<Vec<PublicJwk>, tonic::Status> {
    use tinhso_proto::identity::v1::{GetJwksRequest, auth_service_client::AuthServiceClient};
    let reply = AuthServiceClient::new(identity)
        .get_jwks(GetJwksRequest {})
        .await?
        .into_inner();
    Ok(reply
        .keys
        .into_iter()
        .filter(|k| k.kty == "OKP" && k.crv == "Ed25519")
        .map(|k| PublicJwk { kid: k.kid, x: k.x })
        .collect())
}

/// Keeps `verifier`'s keys in step with identity's JWKS: fetched at once (retrying every
/// second until identity answers), then every `interval`, so a rotated key is trusted before
/// tokens signed with it arrive. Runs until `shutdown` resolves.
pub async fn keep_jwks_fresh(
    verifier: SharedVerifier,
    identity: tonic::transport::Channel,
    interval: std::time::Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut loaded = false;
    loop {
        match fetch_jwks(identity.clone()).await {
            Ok(keys) if !keys.is_empty() => {
                if !loaded {
                    tracing::info!(keys = keys.len(), "token signing keys loaded");
                }
                verifier.set_keys(&keys);
                loaded = true;
            }
            Ok(_) => tracing::warn!("identity published no signing keys"),
            Err(e) => tracing::warn!(error = %e.message(), "cannot fetch signing keys"),
        }
        let wait = if loaded {
            interval
        } else {
            std::time::Duration::from_secs(1)
        };
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// The revocations recorded at or after `since_ms` in a service's denylist table, as
/// (account id, not before ms).
pub async fn revocations_since(
    db: &crate::db::Db,
    since_ms: UnixMillis,
) -> Result<Vec<(String, UnixMillis)>, crate::db::DbErr> {
    use sea_orm::{ColumnTrait as _, QueryFilter as _};
    Ok(token_denylist::Entity::find()
        .filter(token_denylist::Column::NotBefore.gte(crate::db::at(since_ms)))
        .all(&db.pool)
        .await?
        .into_iter()
        .map(|row| (row.account_id, crate::db::millis(row.not_before)))
        .collect())
}

/// Where a replica learns the revocations it did not see happen.
#[derive(Clone)]
pub enum RevocationSource {
    /// Identity's own replicas: the denylist table they share, written in the revoking
    /// transaction by whichever replica served it.
    Table(crate::db::Db),
    /// Every other service: identity's `ListRevocations`, so a revocation arrives even while
    /// the broker is down, and at every replica (the broker's durable consumer delivers each
    /// event to one replica only).
    Identity(tonic::transport::Channel),
}

impl RevocationSource {
    async fn since(&self, since_ms: UnixMillis) -> Result<Vec<(String, UnixMillis)>, String> {
        match self {
            Self::Table(db) => revocations_since(db, since_ms)
                .await
                .map_err(|e| e.to_string()),
            Self::Identity(channel) => {
                use tinhso_proto::identity::v1::{
                    ListRevocationsRequest, auth_service_client::AuthServiceClient,
                };
                let reply = AuthServiceClient::new(channel.clone())
                    .list_revocations(ListRevocationsRequest { since_ms })
                    .await
                    .map_err(|e| e.message().to_string())?;
                Ok(reply
                    .into_inner()
                    .revocations
                    .into_iter()
                    .map(|r| (r.account_id, r.not_before_ms))
                    .collect())
            }
        }
    }
}

/// How often every replica asks for the revocations it may have missed: the longest a disabled
/// account's token keeps working on a replica the broker's event did not reach.
pub const REVOCATION_POLL: std::time::Duration = std::time::Duration::from_secs(2);

/// How far back each poll looks again behind the newest revocation seen: a revoking
/// transaction may commit a little after the moment it records, and replicas' clocks differ.
const REVOCATION_OVERLAP_MS: UnixMillis = 60_000;

/// Keeps `verifier`'s denylist complete on this replica: everything from `source` at once, then
/// what changed, every `interval`, until `shutdown` resolves. The broker's events still deny at
/// once on the replica that receives them; this bounds the delay everywhere else to `interval`.
pub async fn keep_revocations_fresh(
    verifier: SharedVerifier,
    source: RevocationSource,
    interval: std::time::Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut newest: Option<UnixMillis> = None;
    loop {
        let since = newest.map_or(0, |n| n - REVOCATION_OVERLAP_MS);
        match source.since(since).await {
            Ok(revocations) => {
                let mut seen = newest.unwrap_or(0);
                for (account_id, not_before) in revocations {
                    verifier.deny(&account_id, not_before);
                    seen = seen.max(not_before);
                }
                newest = Some(seen);
            }
            Err(e) => {
                crate::metrics::global().inc(
                    "revocation_poll_failures_total",
                    "Polls for token revocations that failed (the source unreachable).",
                    &[],
                );
                tracing::warn!(error = %e, "cannot fetch token revocations");
            }
        }
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tokio::time::sleep(interval) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    fn claims(now_ms: i64) -> Claims {
        Claims {
            iss: "tinhso".into(),
            aud: AUDIENCE.into(),
            sub: "acc-1".into(),
            uname: "an".into(),
            unit: "/r/a/".into(),
            rec: "rec-1".into(),
            grants: vec![
                GrantClaim {
                    s: "/r/a/".into(),
                    p: vec!["identity.account.*".into()],
                },
                GrantClaim {
                    s: SELF_SCOPE.into(),
                    p: vec!["personnel.record.read".into()],
                },
            ],
            mcp: false,
            svc: false,
            iat: now_ms / 1000,
            nbf: now_ms / 1000,
            exp: now_ms / 1000 + 300,
            iat_ms: now_ms,
            jti: "j".into(),
        }
    }

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7u8; 32])
    }

    #[test]
    fn scopes_and_patterns() {
        assert!(permission_matches("*", "a.b.c"));
        assert!(permission_matches("*.*.read", "personnel.record.read"));
        assert!(!permission_matches("*.*.read", "personnel.record.write"));
        assert!(!permission_matches(
            "identity.account",
            "identity.account.read"
        ));
        let clock = ManualClock::new(1_000_000);
        let v = Verifier::new("tinhso", clock.clone());
        v.set_keys(&[PublicJwk::of("k1", &key().verifying_key())]);
        let p = v
            .verify(&sign(&claims(1_000_000), "k1", &key()))
            .expect("valid");
        assert!(p.can("identity.account.create", "/r/a/b/"));
        assert!(
            !p.can("identity.account.create", "/r/"),
            "parent is outside the subtree"
        );
        assert!(!p.can("identity.unit.create", "/r/a/"));
        assert!(p.can_self("personnel.record.read", "rec-1", "/r/a/b/"));
        assert!(!p.can_self("personnel.record.read", "rec-2", "/r/a/b/"));
        assert!(
            !p.can_self("personnel.record.read", "rec-1", "/r/x/"),
            "the linked record lies outside the account's unit"
        );
        assert_eq!(
            p.scopes_for("identity.account.read"),
            vec!["/r/a/".to_string()]
        );
    }

    #[test]
    fn a_scope_that_is_not_a_whole_path_covers_nothing() {
        let mut c = claims(1_000_000);
        c.grants[0].s = "/r/a".into();
        let clock = ManualClock::new(1_000_000);
        let v = Verifier::new("tinhso", clock);
        v.set_keys(&[PublicJwk::of("k1", &key().verifying_key())]);
        let p = v.verify(&sign(&c, "k1", &key())).expect("valid");
        assert!(!p.can("identity.account.create", "/r/ab/"));
        assert!(!p.can("identity.account.create", "/r/a/"));
        assert!(p.scopes_for("identity.account.read").is_empty());
    }

    #[test]
    fn rejects_bad_expired_and_revoked_tokens() {
        let clock = ManualClock::new(1_000_000);
        let v = Verifier::new("tinhso", clock.clone());
        v.set_keys(&[PublicJwk::of("k1", &key().verifying_key())]);
        let token = sign(&claims(1_000_000), "k1", &key());
        assert!(v.verify(&token).is_ok());
        let mut forged = token.clone();
        forged.push('A');
        assert_eq!(
            v.verify(&forged).expect_err("bad").code,
            ErrorCode::InvalidToken
        );
        let other = SigningKey::from_bytes(&[9u8; 32]);
        assert_eq!(
            v.verify(&sign(&claims(1_000_000), "k1", &other))
                .expect_err("bad")
                .code,
            ErrorCode::InvalidToken
        );
        v.deny("acc-1", 1_000_001);
        assert_eq!(
            v.verify(&token).expect_err("revoked").code,
            ErrorCode::TokenRevoked
        );
        assert!(
            v.verify(&sign(&claims(1_000_001), "k1", &key())).is_ok(),
            "newer token passes"
        );
        clock.advance_secs(301);
        assert!(
            v.verify(&sign(&claims(1_000_001), "k1", &key())).is_ok(),
            "just past its expiry, within the clock skew allowed"
        );
        clock.advance_secs(30);
        assert_eq!(
            v.verify(&sign(&claims(1_000_001), "k1", &key()))
                .expect_err("expired")
                .code,
            ErrorCode::TokenExpired
        );
    }

    #[test]
    fn skew_not_before_audience_and_weak_keys() {
        let clock = ManualClock::new(1_000_000);
        let v = Verifier::new("tinhso", clock.clone());
        v.set_keys(&[PublicJwk::of("k1", &key().verifying_key())]);
        // Identity's clock 10 s ahead: a token issued "in the future" within the skew is taken.
        assert!(v.verify(&sign(&claims(1_010_000), "k1", &key())).is_ok());
        // Not yet valid beyond the skew.
        let early = sign(&claims(1_120_000), "k1", &key());
        assert_eq!(
            v.verify(&early).expect_err("nbf").code,
            ErrorCode::InvalidToken
        );
        // Meant for another audience.
        let mut elsewhere = claims(1_000_000);
        elsewhere.aud = "another-system".into();
        assert!(v.verify(&sign(&elsewhere, "k1", &key())).is_err());
        // A small-order public key (the identity point) with R = identity and S = 0 satisfies the
        // lenient equation for every message; strict verification refuses it.
        let mut weak = [0_u8; 32];
        weak[0] = 1;
        v.set_keys(&[PublicJwk {
            kid: "weak".into(),
            x: B64.encode(weak),
        }]);
        let header = B64.encode(r#"{"alg":"EdDSA","typ":"JWT","kid":"weak"}"#);
        let body = B64.encode(serde_json::to_vec(&claims(1_000_000)).expect("json"));
        let mut signature = [0_u8; 64];
        signature[0] = 1;
        let forged = format!("{header}.{body}.{}", B64.encode(signature));
        assert_eq!(
            v.verify(&forged).expect_err("weak key").code,
            ErrorCode::InvalidToken
        );
    }

    #[test]
    fn must_change_token_can_do_nothing_else() {
        let clock = ManualClock::new(1_000_000);
        let v = Verifier::new("tinhso", clock);
        v.set_keys(&[PublicJwk::of("k1", &key().verifying_key())]);
        let mut c = claims(1_000_000);
        c.mcp = true;
        let p = v.verify(&sign(&c, "k1", &key())).expect("valid");
        assert!(!p.can("identity.account.read", "/r/a/"));
        assert_eq!(
            p.require("identity.account.read", "/r/a/")
                .expect_err("blocked")
                .code,
            ErrorCode::PasswordChangeRequired
        );
    }
}
