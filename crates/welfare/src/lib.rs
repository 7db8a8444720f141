//! Welfare funds (an sinh xã hội, QĐ 503/2022/QĐ-UBND Quảng Ngãi): the policies as data, the
//! beneficiaries and their enrolments, the entitlements of a period and their settlement.
//!
//! The rooms of every service: `domain/` holds the rules as plain functions over plain types
//! (no I/O), `store/` the tables and queries on sea-orm, `grpc/` the thin handlers, `events` what
//! it publishes; the runner and the background work are the platform's.

pub mod config;
pub mod domain;
pub mod events;
pub mod grpc;
pub mod store;

use std::sync::Arc;
use tinhso_platform::auth::{SharedVerifier, Verifier};
use tinhso_platform::clock::SharedClock;
use tinhso_platform::db::Db;
use tinhso_platform::events::{Outbox, SharedBus};
use tinhso_platform::follower::Follower;

pub use config::WelfareConfig;
pub use tinhso_platform::service::StartError;

/// Fully-qualified names of welfare's gRPC services (health reports each).
pub const SERVICE_NAMES: &[&str] = &[
    "tinhso.welfare.v1.PolicyService",
    "tinhso.welfare.v1.BeneficiaryService",
    "tinhso.welfare.v1.EnrolmentService",
    "tinhso.welfare.v1.EntitlementService",
    "tinhso.welfare.v1.PaymentService",
    "tinhso.welfare.v1.ImportService",
    "tinhso.welfare.v1.ReportService",
    "tinhso.welfare.v1.EstimateService",
];

/// The running welfare service.
#[derive(Debug)]
pub struct Welfare {
    pub db: Db,
    pub outbox: Outbox,
    pub verifier: SharedVerifier,
    pub clock: SharedClock,
    pub config: Arc<WelfareConfig>,
}

impl Welfare {
    /// Migrates the database, seeds the national parameters and policies where missing and loads the token
    /// denylist; the signing keys come from identity once `spawn_background` runs.
    pub async fn open(
        config: WelfareConfig,
        db: Db,
        clock: SharedClock,
    ) -> Result<Arc<Self>, StartError> {
        store::MIGRATOR.run(&db).await?;
        store::parameters::seed_missing(&db, clock.now_ms()).await?;
        store::policies::seed_missing(&db, clock.now_ms()).await?;
        let verifier = Arc::new(Verifier::new(&config.issuer, clock.clone()));
        verifier.load_denylist(&db).await?;
        Ok(Arc::new(Self {
            db,
            outbox: Outbox::new(),
            verifier,
            clock,
            config: Arc::new(config),
        }))
    }

    /// Adds welfare's gRPC services to `routes`.
    pub fn add_routes(self: &Arc<Self>, routes: tonic::service::Routes) -> tonic::service::Routes {
        grpc::routes(self.clone(), routes)
    }

    /// Starts the outbox relay, the key and revocation refresh from identity, and the consumers
    /// of identity's unit events (the replica; beneficiaries and enrolments follow their
    /// communes) and account events (the denylist), until `shutdown` fires.
    pub fn spawn_background(
        self: &Arc<Self>,
        bus: SharedBus,
        identity: tonic::transport::Channel,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        Follower {
            db: self.db.clone(),
            outbox: self.outbox.clone(),
            verifier: self.verifier.clone(),
            clock: self.clock.clone(),
            consumer_name: self.config.consumer_name.clone(),
        }
        .spawn(store::units::RecordsFollowCommunes, bus, identity, shutdown);
    }
}

impl tinhso_platform::service::Service for Welfare {
    type Config = WelfareConfig;
    const BINARY: &'static str = "tinhso-welfare";
    const DEFAULTS: &'static str = config::DEFAULTS;
    const GRPC_SERVICES: &'static [&'static str] = SERVICE_NAMES;

    fn common(config: &WelfareConfig) -> &tinhso_platform::config::CommonConfig {
        &config.common
    }

    fn migrator() -> &'static tinhso_platform::db::Migrator {
        &store::MIGRATOR
    }

    async fn open(
        config: WelfareConfig,
        db: Db,
        clock: SharedClock,
    ) -> Result<Arc<Self>, StartError> {
        Welfare::open(config, db, clock).await
    }

    /// Ready once identity's signing keys are loaded (before that every token would get 401).
    fn readiness(self: &Arc<Self>, db: &Db) -> tinhso_platform::grpc::Readiness {
        tinhso_platform::grpc::Readiness::default()
            .database(db.clone())
            .keys(self.verifier.clone())
    }

    fn verifier(self: &Arc<Self>) -> SharedVerifier {
        self.verifier.clone()
    }

    fn routes(self: &Arc<Self>) -> tonic::service::Routes {
        self.add_routes(tonic::service::Routes::default())
    }

    fn spawn_background(
        self: &Arc<Self>,
        bus: SharedBus,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        if let Some(identity) =
            tinhso_platform::follower::identity_channel(&self.config.identity_url)
        {
            Welfare::spawn_background(self, bus, identity, shutdown);
        }
    }
}
