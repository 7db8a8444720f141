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
use tinhso_platform::auth::{SharedVerifier, Verifier};
use tinhso_platform::clock::SharedClock;
use tinhso_platform::db::Db;
use tinhso_platform::events::{Outbox, SharedBus};
use tinhso_platform::follower::Follower;

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
    /// of identity's unit events (the replica; records follow their units) and account events
    /// (the denylist), until `shutdown` fires.
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
        .spawn(store::units::RecordsFollowUnits, bus, identity, shutdown);
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
        if let Some(identity) =
            tinhso_platform::follower::identity_channel(&self.config.identity_url)
        {
            Personnel::spawn_background(self, bus, identity, shutdown);
        }
    }
}
