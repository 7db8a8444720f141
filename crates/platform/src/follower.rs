//! What every domain service beside identity shares: its configuration (the common settings,
//! the token issuer, where identity answers, the name of its durable consumers) and its
//! background work — the outbox relay, identity's signing keys and revocations kept fresh, the
//! replica of the unit tree (with the service's own [`UnitHooks`]) and the token denylist.

use crate::auth::{DenylistHandler, REVOKING_EVENTS, RevocationSource, SharedVerifier};
use crate::clock::SharedClock;
use crate::config::{CommonConfig, ConfigError, Env, Validate};
use crate::db::Db;
use crate::events::{ConsumerSpec, Outbox, SharedBus, run_consumer};
use crate::grpc::wait_for;
use crate::units::{UNIT_EVENTS, UnitHooks, UnitReplica};
use serde::Deserialize;
use std::marker::PhantomData;
use std::sync::Arc;

/// A service's built-in configuration (TOML): its port, database file and consumer name.
pub trait Defaults {
    const DEFAULTS: &'static str;
}

/// The configuration of a domain service; `D` gives its defaults.
#[derive(Debug, Clone, Deserialize)]
#[serde(bound = "")]
pub struct FollowerConfig<D> {
    #[serde(flatten)]
    pub common: CommonConfig,
    pub issuer: String,
    /// gRPC address of identity, for the token signing keys and revocations.
    pub identity_url: String,
    /// Prefix of the durable consumers on identity's stream; every replica of the service shares
    /// them (one delivery per event to the service), so only tests change it.
    pub consumer_name: String,
    #[serde(skip)]
    defaults: PhantomData<D>,
}

impl<D: Defaults> FollowerConfig<D> {
    /// The defaults, then the optional TOML file, then `TINHSO_*` variables.
    pub fn load(file: Option<&std::path::Path>, env: &Env) -> Result<Self, ConfigError> {
        crate::config::load(D::DEFAULTS, file, env)
    }
}

impl<D> Validate for FollowerConfig<D> {
    fn validate(&self) -> Result<(), ConfigError> {
        self.common.validate()?;
        if !(self.identity_url.starts_with("http://") || self.identity_url.starts_with("https://"))
            || tonic::transport::Endpoint::from_shared(self.identity_url.clone()).is_err()
        {
            return Err(ConfigError::invalid(
                "identity_url",
                format!(
                    "`{}` must be an http:// or https:// address",
                    self.identity_url
                ),
            ));
        }
        Ok(())
    }
}

/// The parts of a running service its background work uses.
#[derive(Debug, Clone)]
pub struct Follower {
    pub db: Db,
    pub outbox: Outbox,
    pub verifier: SharedVerifier,
    pub clock: SharedClock,
    pub consumer_name: String,
}

impl Follower {
    /// Starts the outbox relay, the key and revocation refresh from `identity`, and the
    /// consumers of identity's unit events (the replica, with `hooks`) and account events (the
    /// denylist), until `shutdown` fires.
    pub fn spawn<H: UnitHooks>(
        &self,
        hooks: H,
        bus: SharedBus,
        identity: tonic::transport::Channel,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        let relay = self
            .outbox
            .relay(self.db.clone(), bus.clone(), self.clock.clone());
        tokio::spawn(relay.run(wait_for(shutdown.clone())));
        tokio::spawn(crate::auth::keep_jwks_fresh(
            self.verifier.clone(),
            identity.clone(),
            std::time::Duration::from_secs(300),
            wait_for(shutdown.clone()),
        ));
        tokio::spawn(crate::auth::keep_revocations_fresh(
            self.verifier.clone(),
            RevocationSource::Identity(identity),
            crate::auth::REVOCATION_POLL,
            wait_for(shutdown.clone()),
        ));
        tokio::spawn(run_consumer(
            self.db.clone(),
            bus.clone(),
            self.clock.clone(),
            ConsumerSpec {
                domain: "identity".into(),
                durable: format!("{}-units", self.consumer_name),
                filter: UNIT_EVENTS.into(),
                max_deliver: 10,
            },
            Arc::new(UnitReplica(hooks)),
            wait_for(shutdown.clone()),
        ));
        tokio::spawn(run_consumer(
            self.db.clone(),
            bus,
            self.clock.clone(),
            ConsumerSpec {
                domain: "identity".into(),
                durable: format!("{}-denylist", self.consumer_name),
                filter: REVOKING_EVENTS.into(),
                max_deliver: 10,
            },
            Arc::new(DenylistHandler {
                verifier: self.verifier.clone(),
            }),
            wait_for(shutdown),
        ));
    }
}

/// `identity_url` as a lazily connected channel; the address was checked at load.
pub fn identity_channel(identity_url: &str) -> Option<tonic::transport::Channel> {
    match tonic::transport::Endpoint::from_shared(identity_url.to_string()) {
        Ok(endpoint) => Some(endpoint.connect_lazy()),
        Err(e) => {
            tracing::error!(error = %e, "identity_url is not a usable address");
            None
        }
    }
}
