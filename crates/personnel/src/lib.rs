//! Personnel records (hồ sơ cán bộ, công chức, viên chức, người làm việc tại Hội, người hợp đồng
//! lao động) after QĐ 80/2020 of Đồng Tháp: the employee record of form 2C-BNV/2008 and
//! HS02-VC/BNV with its field-by-field change record, a replica of identity's unit tree, and the
//! salary and retirement rules. Staffing, movements, payroll, training, awards and statistics
//! follow (issue 4).

pub mod config;
pub mod domain;
pub mod events;
pub mod grpc;
pub mod store;

use std::sync::Arc;
use tinhso_platform::auth::{DenylistHandler, REVOKING_EVENTS, SharedVerifier, Verifier};
use tinhso_platform::clock::SharedClock;
use tinhso_platform::db::Db;
use tinhso_platform::events::{ConsumerSpec, Outbox, SharedBus, run_consumer};
use tinhso_platform::grpc::wait_for;

pub use config::PersonnelConfig;

/// Fully-qualified names of personnel's gRPC services (health reports each).
pub const SERVICE_NAMES: &[&str] = &[
    "tinhso.personnel.v1.EmployeeService",
    "tinhso.personnel.v1.StaffingService",
    "tinhso.personnel.v1.CatalogueService",
    "tinhso.personnel.v1.SectionService",
    "tinhso.personnel.v1.SalaryService",
    "tinhso.personnel.v1.StatisticsService",
    "tinhso.personnel.v1.AwardService",
    "tinhso.personnel.v1.TrainingService",
];

pub use tinhso_platform::service::StartError;

/// The running personnel service.
#[derive(Debug)]
pub struct Personnel {
    pub db: Db,
    pub outbox: Outbox,
    pub verifier: SharedVerifier,
    pub clock: SharedClock,
    pub config: Arc<PersonnelConfig>,
}

impl Personnel {
    /// Migrates the database and loads the token denylist; the signing keys come from identity
    /// once `spawn_background` runs.
    pub async fn open(
        config: PersonnelConfig,
        db: Db,
        clock: SharedClock,
    ) -> Result<Arc<Self>, StartError> {
        store::MIGRATOR.run(&db).await?;
        store::catalogues::seed_missing(&db, clock.now_ms()).await?;
        store::employees::backfill_name_sort(&db).await?;
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

    /// Adds personnel's gRPC services to `routes`.
    pub fn add_routes(self: &Arc<Self>, routes: tonic::service::Routes) -> tonic::service::Routes {
        grpc::routes(self.clone(), routes)
    }

    /// Starts the outbox relay, the key and revocation refresh from identity, and the consumers
    /// of identity's unit events (the replica) and account events (the denylist), until
    /// `shutdown` fires.
    pub fn spawn_background(
        self: &Arc<Self>,
        bus: SharedBus,
        identity: tonic::transport::Channel,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        let relay = self
            .outbox
            .relay(self.db.clone(), bus.clone(), self.clock.clone());
        tokio::spawn(relay.run(wait_for(shutdown.clone())));
        tokio::spawn(tinhso_platform::auth::keep_jwks_fresh(
            self.verifier.clone(),
            identity.clone(),
            std::time::Duration::from_secs(300),
            wait_for(shutdown.clone()),
        ));
        tokio::spawn(tinhso_platform::auth::keep_revocations_fresh(
            self.verifier.clone(),
            tinhso_platform::auth::RevocationSource::Identity(identity),
            tinhso_platform::auth::REVOCATION_POLL,
            wait_for(shutdown.clone()),
        ));
        tokio::spawn(run_consumer(
            self.db.clone(),
            bus.clone(),
            self.clock.clone(),
            ConsumerSpec {
                domain: "identity".into(),
                durable: format!("{}-units", self.config.consumer_name),
                filter: events::UNIT_EVENTS.into(),
                max_deliver: 10,
            },
            Arc::new(events::UnitReplica::default()),
            wait_for(shutdown.clone()),
        ));
        tokio::spawn(run_consumer(
            self.db.clone(),
            bus,
            self.clock.clone(),
            ConsumerSpec {
                domain: "identity".into(),
                durable: format!("{}-denylist", self.config.consumer_name),
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

impl tinhso_platform::service::Service for Personnel {
    type Config = PersonnelConfig;
    const BINARY: &'static str = "tinhso-personnel";
    const DEFAULTS: &'static str = config::DEFAULTS;
    const GRPC_SERVICES: &'static [&'static str] = SERVICE_NAMES;

    fn common(config: &PersonnelConfig) -> &tinhso_platform::config::CommonConfig {
        &config.common
    }

    fn migrator() -> &'static tinhso_platform::db::Migrator {
        &store::MIGRATOR
    }

    async fn open(
        config: PersonnelConfig,
        db: Db,
        clock: SharedClock,
    ) -> Result<Arc<Self>, StartError> {
        // The inherent `Personnel::open`, which takes precedence over this trait method.
        Personnel::open(config, db, clock).await
    }

    /// Ready once identity's signing keys are loaded: before that every valid token would get
    /// 401, so the gateway must not send traffic yet.
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
        // `identity_url` was checked at load to make an endpoint; the error arm cannot happen.
        match tonic::transport::Endpoint::from_shared(self.config.identity_url.clone()) {
            Ok(endpoint) => {
                Personnel::spawn_background(self, bus, endpoint.connect_lazy(), shutdown)
            }
            Err(e) => tracing::error!(error = %e, "identity_url is not a usable address"),
        }
    }
}
