//! Identity and accounts: the organisation-unit tree and its reorganisations, accounts and their
//! passwords, roles and grants, token issuance (Ed25519 JWT access tokens, rotating refresh
//! tokens), the audit record, and the bootstrap of an empty database.

mod bootstrap;
mod commands;
pub mod config;
pub mod domain;
pub mod events;
pub mod grpc;
pub mod store;

use ed25519_dalek::SigningKey;
use std::sync::{Arc, RwLock};
use tinhso_platform::auth::{PublicJwk, SharedVerifier, Verifier};
use tinhso_platform::clock::SharedClock;
use tinhso_platform::db::Db;
use tinhso_platform::events::{Outbox, SharedBus};
use tinhso_platform::ratelimit::SlidingWindow;
use tinhso_proto::identity::v1 as pb;

pub use config::IdentityConfig;

/// Fully-qualified names of identity's gRPC services (health reports each).
pub const SERVICE_NAMES: &[&str] = &[
    "tinhso.identity.v1.AuthService",
    "tinhso.identity.v1.UnitService",
    "tinhso.identity.v1.AccountService",
    "tinhso.identity.v1.AccessService",
    "tinhso.identity.v1.AuditService",
];

pub use tinhso_platform::service::StartError;

/// The running identity service: its database, outbox, keys and limits.
#[derive(Debug)]
pub struct Identity {
    pub db: Db,
    pub outbox: Outbox,
    pub verifier: SharedVerifier,
    pub clock: SharedClock,
    pub config: Arc<IdentityConfig>,
    keys: RwLock<KeyRing>,
    login_limiter: SlidingWindow,
}

/// The keys in force: the one that signs, and the public keys published and trusted.
#[derive(Debug)]
struct KeyRing {
    signer: (String, SigningKey),
    published: Vec<PublicJwk>,
}

impl KeyRing {
    /// Builds the ring from the stored keys as of `now_ms` (see `domain::keys`).
    fn from_rows(rows: &[store::tokens::SigningKeyRow], now_ms: i64) -> Result<Self, StartError> {
        let mut published = Vec::new();
        let mut keys = Vec::new();
        for row in rows {
            let bytes: [u8; 32] =
                row.secret.as_slice().try_into().map_err(|_| {
                    StartError::Other(format!("signing key {} is corrupt", row.kid))
                })?;
            let key = SigningKey::from_bytes(&bytes);
            if row.active {
                published.push(PublicJwk::of(&row.kid, &key.verifying_key()));
            }
            keys.push(key);
        }
        let infos: Vec<domain::keys::KeyInfo> = rows.iter().map(|r| r.info()).collect();
        let index = domain::keys::signer(&infos, now_ms)
            .ok_or_else(|| StartError::Other("no live signing key".into()))?;
        Ok(Self {
            signer: (rows[index].kid.clone(), keys[index].clone()),
            published,
        })
    }
}

/// What the bootstrap of an empty database did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bootstrap {
    pub root_unit_id: String,
    /// The generated admin password, to print once; `None` when it came from the configuration
    /// or the database was not empty.
    pub generated_admin_password: Option<String>,
    pub created: bool,
}

impl Identity {
    /// Migrates the database, loads (or creates) the signing key and the denylist.
    pub async fn open(
        config: IdentityConfig,
        db: Db,
        clock: SharedClock,
    ) -> Result<Arc<Self>, StartError> {
        store::MIGRATOR.run(&db).await?;
        if !store::tokens::signing_keys(&db.pool)
            .await?
            .iter()
            .any(|k| k.active)
        {
            Self::add_signing_key(&db, clock.now_ms()).await?;
        }
        let ring = KeyRing::from_rows(
            &store::tokens::signing_keys(&db.pool).await?,
            clock.now_ms(),
        )?;
        let verifier = Arc::new(Verifier::new(&config.issuer, clock.clone()));
        verifier.set_keys(&ring.published);
        verifier.load_denylist(&db).await?;
        let login_limiter = SlidingWindow::new(
            config.login_rate.max_attempts,
            config.login_rate.window_secs * 1000,
            clock.clone(),
        );
        Ok(Arc::new(Self {
            db,
            outbox: Outbox::new(),
            verifier,
            clock,
            config: Arc::new(config),
            keys: RwLock::new(ring),
            login_limiter,
        }))
    }

    /// On an empty database, creates the root unit, the built-in roles and the system admin.
    pub async fn bootstrap(&self) -> Result<Bootstrap, StartError> {
        bootstrap::bootstrap(self).await
    }

    /// The public keys that verify this service's tokens: every live key, including one added
    /// but not yet signing.
    pub fn jwks(&self) -> Vec<pb::Jwk> {
        let ring = self.keys.read().unwrap_or_else(|p| p.into_inner());
        ring.published
            .iter()
            .map(|jwk| pb::Jwk {
                kty: "OKP".into(),
                crv: "Ed25519".into(),
                kid: jwk.kid.clone(),
                x: jwk.x.clone(),
                alg: "EdDSA".into(),
                r#use: "sig".into(),
            })
            .collect()
    }

    /// Signs `claims` with the key in force.
    pub(crate) fn sign(&self, claims: &tinhso_platform::auth::Claims) -> String {
        let ring = self.keys.read().unwrap_or_else(|p| p.into_inner());
        let (kid, key) = &ring.signer;
        tinhso_platform::auth::sign(claims, kid, key)
    }

    /// Rereads the keys from the database: picks up keys added or retired by an operator (on
    /// any replica) and a new key whose publish delay has passed.
    pub async fn reload_keys(&self) -> Result<(), StartError> {
        let rows = store::tokens::signing_keys(&self.db.pool).await?;
        let ring = KeyRing::from_rows(&rows, self.clock.now_ms())?;
        self.verifier.set_keys(&ring.published);
        let mut current = self.keys.write().unwrap_or_else(|p| p.into_inner());
        if current.signer.0 != ring.signer.0 {
            tracing::info!(kid = %ring.signer.0, "signing with a new key");
        }
        *current = ring;
        Ok(())
    }

    /// Adds a new signing key (published at once, signing after the publish delay); returns
    /// its id. Used by `tinhso-identity keys add`.
    pub async fn add_signing_key(db: &Db, now_ms: i64) -> Result<String, StartError> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| StartError::Other(e.to_string()))?;
        let kid = uuid::Uuid::now_v7().simple().to_string();
        let mut tx = db.begin().await?;
        store::tokens::add_signing_key(&mut tx, &kid, &secret, now_ms).await?;
        tx.commit().await?;
        Ok(kid)
    }

    /// The gRPC routes of all identity services.
    pub fn routes(self: &Arc<Self>) -> tonic::service::Routes {
        grpc::routes(self.clone())
    }

    /// Starts the outbox relay and the audit retention task until `shutdown` fires.
    pub fn spawn_background(
        self: &Arc<Self>,
        bus: SharedBus,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        let me = self.clone();
        let mut stop = shutdown.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stop.changed() => return,
                    _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
                }
                if let Err(e) = me.reload_keys().await {
                    tracing::warn!(error = %e, "cannot reload signing keys");
                }
            }
        });
        let relay = self.outbox.relay(self.db.clone(), bus, self.clock.clone());
        tokio::spawn(relay.run(tinhso_platform::grpc::wait_for(shutdown.clone())));
        // Another replica's revocations reach this one through the table they share.
        tokio::spawn(tinhso_platform::auth::keep_revocations_fresh(
            self.verifier.clone(),
            tinhso_platform::auth::RevocationSource::Table(self.db.clone()),
            tinhso_platform::auth::REVOCATION_POLL,
            tinhso_platform::grpc::wait_for(shutdown.clone()),
        ));
        if self.config.audit.retention_days > 0 {
            let me = self.clone();
            let mut stop = shutdown;
            tokio::spawn(async move {
                loop {
                    let cutoff = me.clock.now_ms() - me.config.audit.retention_days * 86_400_000;
                    match store::audit::purge_before(&me.db.pool, cutoff).await {
                        Ok(n) if n > 0 => tracing::info!(purged = n, "audit retention applied"),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "audit retention failed"),
                    }
                    tokio::select! {
                        _ = stop.changed() => return,
                        _ = tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
                    }
                }
            });
        }
    }
}

impl tinhso_platform::service::Service for Identity {
    type Config = IdentityConfig;
    const BINARY: &'static str = "tinhso-identity";
    const DEFAULTS: &'static str = config::DEFAULTS;
    const GRPC_SERVICES: &'static [&'static str] = SERVICE_NAMES;

    fn common(config: &IdentityConfig) -> &tinhso_platform::config::CommonConfig {
        &config.common
    }

    fn migrator() -> &'static tinhso_platform::db::Migrator {
        &store::MIGRATOR
    }

    async fn open(
        config: IdentityConfig,
        db: Db,
        clock: SharedClock,
    ) -> Result<Arc<Self>, StartError> {
        // The inherent `Identity::open`, which takes precedence over this trait method.
        Identity::open(config, db, clock).await
    }

    async fn prepare(self: &Arc<Self>) -> Result<(), StartError> {
        let boot = self.bootstrap().await?;
        if let Some(password) = boot.generated_admin_password {
            println!(
                "bootstrap: admin password (shown once, change it at first login): {password}"
            );
        }
        Ok(())
    }

    fn verifier(self: &Arc<Self>) -> SharedVerifier {
        self.verifier.clone()
    }

    fn routes(self: &Arc<Self>) -> tonic::service::Routes {
        grpc::routes(self.clone())
    }

    fn spawn_background(
        self: &Arc<Self>,
        bus: SharedBus,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        Identity::spawn_background(self, bus, shutdown)
    }

    const COMMANDS: &'static [&'static str] = &["keys"];

    async fn command(db: &Db, args: &[&str]) -> Option<Result<(), StartError>> {
        match args {
            ["keys", command @ ..] => Some(commands::keys(db, command).await),
            _ => None,
        }
    }

    fn usage() -> String {
        "usage: tinhso-identity [migrate | keys list | keys add | keys retire KID]".into()
    }
}
