//! The harness of welfare's API tests: identity and welfare on one gRPC server, each with its own
//! database, on the shared bus (SQLite and the in-process bus, or PostgreSQL and NATS).
#![allow(dead_code)]

use std::sync::Arc;
use tinhso_identity::{Identity, IdentityConfig};
use tinhso_platform::error::detail_of;
pub use tinhso_proto::common::v1::Date;
use tinhso_proto::identity::v1 as id;
use tinhso_proto::welfare::v1 as pb;
pub use tinhso_testkit::authed;
pub use tinhso_testkit::province::Province;
use tinhso_testkit::{TestDb, TestServer};
use tinhso_welfare::{Welfare, WelfareConfig};
use tonic::transport::Channel;

pub const ADMIN_PASSWORD: &str = "mat-khau-quan-tri-ban-dau";
pub const NEW_PASSWORD: &str = "An sinh xã hội của tỉnh 2026!";

fn service_names() -> &'static [&'static str] {
    let names: Vec<&'static str> = tinhso_identity::SERVICE_NAMES
        .iter()
        .chain(tinhso_welfare::SERVICE_NAMES)
        .copied()
        .collect();
    names.leak()
}

pub struct Harness {
    pub welfare: Arc<Welfare>,
    pub channel: Channel,
    pub root_id: String,
    pub bus: tinhso_platform::events::SharedBus,
    /// Where identity (and this welfare) answer, for a welfare process started beside it.
    pub addr: std::net::SocketAddr,
    /// Welfare's database, for a second replica.
    pub welfare_url: String,
    _server: TestServer,
    _dbs: (TestDb, TestDb),
    _stop: tokio::sync::watch::Sender<bool>,
}

pub fn code_of(status: &tonic::Status) -> String {
    detail_of(status).map(|d| d.code).unwrap_or_default()
}

pub fn fields_of(status: &tonic::Status) -> Vec<String> {
    detail_of(status)
        .map(|d| d.violations.into_iter().map(|v| v.field).collect())
        .unwrap_or_default()
}

pub async fn start() -> Harness {
    let identity_db = tinhso_testkit::database().await;
    let welfare_db = tinhso_testkit::database().await;
    let env = vec![
        (
            "TINHSO_BOOTSTRAP_ADMIN_PASSWORD".to_string(),
            ADMIN_PASSWORD.to_string(),
        ),
        ("TINHSO_DATABASE__URL".to_string(), identity_db.url.clone()),
    ];
    let clock = tinhso_platform::clock::system();
    let identity = Identity::open(
        IdentityConfig::load(None, &env).expect("identity config"),
        identity_db.db.clone(),
        clock.clone(),
    )
    .await
    .expect("identity");
    let boot = identity.bootstrap().await.expect("bootstrap");
    let env = vec![
        ("TINHSO_DATABASE__URL".to_string(), welfare_db.url.clone()),
        // Each test is its own service on the shared broker.
        (
            "TINHSO_CONSUMER_NAME".to_string(),
            format!("welfare-test-{}", uuid::Uuid::new_v4().simple()),
        ),
    ];
    let welfare = Welfare::open(
        WelfareConfig::load(None, &env).expect("welfare config"),
        welfare_db.db.clone(),
        clock,
    )
    .await
    .expect("welfare");
    let bus = tinhso_testkit::bus().await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    identity.spawn_background(bus.clone(), stopped.clone());
    let routes = welfare.add_routes(identity.routes());
    let server = TestServer::start(routes, service_names(), identity.verifier.clone()).await;
    let channel = server.channel().await;
    welfare.spawn_background(bus.clone(), channel.clone(), stopped);
    let keys = tinhso_platform::auth::fetch_jwks(channel.clone())
        .await
        .expect("jwks");
    welfare.verifier.set_keys(&keys);
    Harness {
        welfare,
        channel,
        root_id: boot.root_unit_id,
        bus,
        addr: server.addr,
        welfare_url: welfare_db.url.clone(),
        _server: server,
        _dbs: (identity_db, welfare_db),
        _stop: stop,
    }
}

/// A district with a commune under it, the people who work on the commune's welfare data, and
/// an outsider: a clerk of another district.
pub struct Province2 {
    pub district: id::Unit,
    pub commune: id::Unit,
    pub other_district: id::Unit,
    /// Data entry over the commune.
    pub clerk: String,
    /// Data entry over the other district.
    pub stranger: String,
    /// The district's Labour office: verifies the social-assurance policies.
    pub labour: String,
    /// The district's Finance-Planning office.
    pub finance: String,
    /// Provincial Finance.
    pub province_finance: String,
    pub admin: String,
}

impl Harness {
    pub fn province(&self) -> Province {
        Province::new(self.channel.clone())
    }

    pub async fn login(&self, username: &str, password: &str, new_password: &str) -> String {
        self.province()
            .sign_in(username, password, new_password)
            .await
    }

    /// Waits until welfare's replica knows the unit at `path`.
    pub async fn replicated(&self, unit: &id::Unit) {
        let db = self.welfare.db.clone();
        let (wanted_id, wanted_path) = (unit.id.clone(), unit.path.clone());
        let ok = tinhso_testkit::eventually(20, move || {
            let (db, unit_id, path) = (db.clone(), wanted_id.clone(), wanted_path.clone());
            async move {
                tinhso_welfare::store::units::get(&db.pool, &unit_id)
                    .await
                    .ok()
                    .flatten()
                    .is_some_and(|u| u.path.as_str() == path)
            }
        })
        .await;
        assert!(ok, "unit {} reached welfare", unit.code);
    }

    /// The fixture most tests start from.
    pub async fn province2(&self) -> Province2 {
        let admin = self.login("admin", ADMIN_PASSWORD, NEW_PASSWORD).await;
        let p = self.province();
        let district = p
            .unit(&admin, "HTN", &self.root_id, id::UnitKind::District)
            .await;
        let commune = p
            .unit(&admin, "XTA", &district.id, id::UnitKind::Commune)
            .await;
        let other_district = p
            .unit(&admin, "HSH", &self.root_id, id::UnitKind::District)
            .await;
        for u in [&district, &commune, &other_district] {
            self.replicated(u).await;
        }
        let person = |username: &'static str, unit: String, role: &'static str| {
            let (p, admin) = (p.clone(), admin.clone());
            async move {
                p.person(&admin, username, &unit, role, Some(&unit), "")
                    .await
                    .token
            }
        };
        Province2 {
            clerk: person("nhaplieu.xta", commune.id.clone(), "data_entry").await,
            stranger: person("nhaplieu.hsh", other_district.id.clone(), "data_entry").await,
            labour: person("ldtbxh.htn", district.id.clone(), "welfare_labour_verifier").await,
            finance: person("tckh.htn", district.id.clone(), "welfare_district_finance").await,
            province_finance: person("stc", self.root_id.clone(), "welfare_provincial_finance")
                .await,
            district,
            commune,
            other_district,
            admin,
        }
    }

    pub fn policies(&self) -> pb::policy_service_client::PolicyServiceClient<Channel> {
        pb::policy_service_client::PolicyServiceClient::new(self.channel.clone())
    }

    pub fn beneficiaries(
        &self,
    ) -> pb::beneficiary_service_client::BeneficiaryServiceClient<Channel> {
        pb::beneficiary_service_client::BeneficiaryServiceClient::new(self.channel.clone())
    }

    pub fn enrolments(&self) -> pb::enrolment_service_client::EnrolmentServiceClient<Channel> {
        pb::enrolment_service_client::EnrolmentServiceClient::new(self.channel.clone())
    }

    pub fn entitlements(
        &self,
    ) -> pb::entitlement_service_client::EntitlementServiceClient<Channel> {
        pb::entitlement_service_client::EntitlementServiceClient::new(self.channel.clone())
    }

    /// Enters a person in `commune` as `token`.
    pub async fn person_in(
        &self,
        token: &str,
        commune: &str,
        name: &str,
        born: (i32, i32, i32),
        citizen_id: &str,
    ) -> Result<pb::BeneficiaryRecord, tonic::Status> {
        self.beneficiaries()
            .create_beneficiary(authed(
                token,
                pb::CreateBeneficiaryRequest {
                    beneficiary: Some(pb::Beneficiary {
                        kind: pb::BeneficiaryKind::Person as i32,
                        full_name: name.into(),
                        birth_date: Some(Date {
                            year: born.0,
                            month: born.1,
                            day: born.2,
                        }),
                        sex: "female".into(),
                        citizen_id: citizen_id.into(),
                        commune_id: commune.into(),
                        ..Default::default()
                    }),
                },
            ))
            .await
            .map(tonic::Response::into_inner)
    }

    /// Enrols `beneficiary` in the monthly social allowance (TCXH) under `category` from `start`.
    pub async fn allowance(
        &self,
        token: &str,
        beneficiary: &str,
        category: &str,
        start: (i32, i32, i32),
    ) -> Result<pb::Enrolment, tonic::Status> {
        let d = |(year, month, day): (i32, i32, i32)| Some(Date { year, month, day });
        self.enrolments()
            .create_enrolment(authed(
                token,
                pb::CreateEnrolmentRequest {
                    enrolment: Some(pb::Enrolment {
                        beneficiary_id: beneficiary.into(),
                        policy: "TCXH".into(),
                        category: category.into(),
                        decision_number: "123/QĐ-UBND".into(),
                        decision_date: d(start),
                        start_date: d(start),
                        ..Default::default()
                    }),
                },
            ))
            .await
            .map(tonic::Response::into_inner)
    }

    /// A person (name, birth date, citizen ID) entered in `commune` by `clerk` and enrolled in
    /// the monthly allowance under `category` from `start`, verified by `labour`.
    pub async fn verified_allowance(
        &self,
        clerk: &str,
        labour: &str,
        commune: &str,
        (name, born, citizen_id): (&str, (i32, i32, i32), &str),
        category: &str,
        start: (i32, i32, i32),
    ) -> pb::Enrolment {
        let b = self
            .person_in(clerk, commune, name, born, citizen_id)
            .await
            .expect("entered")
            .beneficiary
            .expect("record");
        let e = self
            .allowance(clerk, &b.id, category, start)
            .await
            .expect("enrolled");
        self.verify(labour, &e, true, "").await.expect("verified")
    }

    /// Verifies (or rejects with `reason`) the enrolment at its version as `token`.
    pub async fn verify(
        &self,
        token: &str,
        e: &pb::Enrolment,
        verified: bool,
        reason: &str,
    ) -> Result<pb::Enrolment, tonic::Status> {
        self.enrolments()
            .verify_enrolment(authed(
                token,
                pb::VerifyEnrolmentRequest {
                    id: e.id.clone(),
                    version: e.version,
                    verified,
                    reason: reason.into(),
                },
            ))
            .await
            .map(tonic::Response::into_inner)
    }

    /// A change of the enrolment at its version as `token`.
    pub async fn change(
        &self,
        token: &str,
        e: &pb::Enrolment,
        change: &str,
        on: (i32, i32, i32),
        reason: &str,
    ) -> Result<pb::Enrolment, tonic::Status> {
        self.enrolments()
            .change_enrolment(authed(
                token,
                pb::ChangeEnrolmentRequest {
                    id: e.id.clone(),
                    version: e.version,
                    change: change.into(),
                    effective_date: Some(Date {
                        year: on.0,
                        month: on.1,
                        day: on.2,
                    }),
                    decision_number: "45/QĐ-UBND".into(),
                    reason: reason.into(),
                    ..Default::default()
                },
            ))
            .await
            .map(tonic::Response::into_inner)
    }

    /// Takes payment list `list` (at its version) a step of its approval as `token`.
    pub async fn advance(
        &self,
        token: &str,
        list: &pb::PaymentList,
        action: &str,
        reason: &str,
    ) -> Result<pb::PaymentList, tonic::Status> {
        pb::payment_service_client::PaymentServiceClient::new(self.channel.clone())
            .advance_payment_list(authed(
                token,
                pb::AdvancePaymentListRequest {
                    id: list.id.clone(),
                    version: list.version,
                    action: action.into(),
                    reason: reason.into(),
                },
            ))
            .await
            .map(tonic::Response::into_inner)
    }

    /// The month's entitlement lines of the policy under `unit` as `token`.
    pub async fn month(
        &self,
        token: &str,
        unit: &str,
        policy: &str,
        month: &str,
    ) -> Result<pb::ListEntitlementsResponse, tonic::Status> {
        self.entitlements()
            .list_entitlements(authed(
                token,
                pb::ListEntitlementsRequest {
                    unit_id: unit.into(),
                    policy: policy.into(),
                    month: month.into(),
                    ..Default::default()
                },
            ))
            .await
            .map(tonic::Response::into_inner)
    }
}
