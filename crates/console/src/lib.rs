//! The web console civil servants use: server-rendered pages in Vietnamese (English on request)
//! over the services' gRPC APIs, with the signed-in person's own token — never their databases.
//! Rooms: `config` (settings), `sessions` (its own table of sign-ins, shared by every replica),
//! `web` (the page frame: sessions to principals, CSRF, menus, errors), `pages` (one module per
//! area, thin handlers over the services' clients), `templates/` (askama, checked at compile
//! time), `static/` (our stylesheet and htmx, embedded in the binary).

pub mod config;
pub mod pages;
pub mod sessions;
pub mod uploads;
pub mod web;

pub use config::ConsoleConfig;

use axum::Router;
use axum::http::{HeaderValue, header};
use std::sync::Arc;
use std::time::Duration;
use tinhso_platform::auth::{SharedVerifier, Verifier};
use tinhso_platform::clock::SharedClock;
use tinhso_platform::db::Db;
use tonic::transport::{Channel, Endpoint};

/// The console: its settings, its sessions' database, and a channel to each service.
#[derive(Clone)]
pub struct Console(Arc<Inner>);

pub struct Inner {
    pub config: ConsoleConfig,
    pub db: Db,
    pub identity: Channel,
    pub personnel: Channel,
    pub welfare: Channel,
    /// Reads the signed-in person's grants from their token (identity's keys, kept fresh).
    pub verifier: SharedVerifier,
    pub clock: SharedClock,
    /// Catalogue entries (code, name) by catalogue, with when they were read: every page that
    /// shows a code by name reads them, and they change a few times a year. Each replica keeps
    /// its own copy for `CATALOGUE_TTL_MS`, so a change shows everywhere within a minute; the
    /// catalogue pages themselves always read the service.
    pub catalogue_cache: std::sync::Mutex<CatalogueCache>,
}

pub type CatalogueCache =
    std::collections::HashMap<String, (tinhso_platform::clock::UnixMillis, Vec<(String, String)>)>;

/// How long a replica shows a catalogue as it read it.
pub const CATALOGUE_TTL_MS: i64 = 60_000;

impl std::ops::Deref for Console {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Database(#[from] tinhso_platform::db::DbError),
    #[error("{key}: {reason}")]
    Upstream { key: &'static str, reason: String },
}

fn channel(key: &'static str, url: &str) -> Result<Channel, OpenError> {
    Ok(Endpoint::from_shared(url.to_string())
        .map_err(|e| OpenError::Upstream {
            key,
            reason: e.to_string(),
        })?
        .connect_timeout(Duration::from_secs(3))
        .connect_lazy())
}

impl Console {
    /// Migrates the sessions' database and connects (lazily) to the services.
    pub async fn open(
        config: ConsoleConfig,
        db: Db,
        clock: SharedClock,
    ) -> Result<Self, OpenError> {
        sessions::MIGRATOR.run(&db).await?;
        let identity = channel("identity_url", &config.identity_url)?;
        let personnel = channel("personnel_url", &config.personnel_url)?;
        let welfare = channel("welfare_url", &config.welfare_url)?;
        let verifier = Arc::new(Verifier::new(&config.issuer, clock.clone()));
        Ok(Self(Arc::new(Inner {
            config,
            db,
            identity,
            personnel,
            welfare,
            verifier,
            clock,
            catalogue_cache: std::sync::Mutex::new(CatalogueCache::new()),
        })))
    }

    /// Keeps identity's signing keys and its revocations fresh, and clears idle sessions, until
    /// `shutdown` fires.
    pub fn spawn_background(&self, shutdown: tokio::sync::watch::Receiver<bool>) {
        use tinhso_platform::grpc::wait_for;
        tokio::spawn(tinhso_platform::auth::keep_jwks_fresh(
            self.verifier.clone(),
            self.identity.clone(),
            Duration::from_secs(300),
            wait_for(shutdown.clone()),
        ));
        tokio::spawn(tinhso_platform::auth::keep_revocations_fresh(
            self.verifier.clone(),
            tinhso_platform::auth::RevocationSource::Identity(self.identity.clone()),
            tinhso_platform::auth::REVOCATION_POLL,
            wait_for(shutdown.clone()),
        ));
        let me = self.clone();
        let mut stop = shutdown;
        tokio::spawn(async move {
            loop {
                let idle_before =
                    me.clock.now_ms() - me.config.idle_timeout_secs.saturating_mul(1000);
                if let Err(e) = sessions::purge_idle(&me.db, idle_before).await {
                    tracing::warn!(error = %e, "cannot clear idle sessions");
                }
                if let Err(e) = uploads::purge(&me.db, me.clock.now_ms()).await {
                    tracing::warn!(error = %e, "cannot clear old uploads");
                }
                tokio::select! {
                    _ = stop.changed() => return,
                    _ = tokio::time::sleep(Duration::from_secs(600)) => {}
                }
            }
        });
    }

    /// Every page, form and asset of the console, with its security headers.
    pub fn router(&self) -> Router {
        use tower_http::set_header::SetResponseHeaderLayer as Set;
        let set =
            |name, value: &'static str| Set::if_not_present(name, HeaderValue::from_static(value));
        pages::routes()
            .layer(axum::middleware::from_fn_with_state(
                self.clone(),
                web::csrf::check,
            ))
            .layer(set(
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
            ))
            .layer(set(header::X_FRAME_OPTIONS, "DENY"))
            .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .layer(set(header::REFERRER_POLICY, "same-origin"))
            .layer(set(header::CACHE_CONTROL, "no-store"))
            .with_state(self.clone())
    }
}
