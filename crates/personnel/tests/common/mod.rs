//! The harness of personnel's API tests: identity and personnel on one gRPC server, each with its
//! own database, on the shared bus (SQLite and the in-process bus, or PostgreSQL and NATS).
#![allow(dead_code)]

use std::sync::Arc;
use tinhso_identity::{Identity, IdentityConfig};
use tinhso_personnel::{Personnel, PersonnelConfig};
use tinhso_platform::error::detail_of;
pub use tinhso_proto::common::v1::Date;
use tinhso_proto::identity::v1 as id;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::catalogue_service_client::CatalogueServiceClient;
use tinhso_proto::personnel::v1::employee_service_client::EmployeeServiceClient;
pub use tinhso_testkit::province::{Province, TwoDistricts};
use tinhso_testkit::{TestDb, TestServer};
use tonic::transport::Channel;

pub const ADMIN_PASSWORD: &str = "mat-khau-quan-tri-ban-dau";
pub const NEW_PASSWORD: &str = "Hồ sơ cán bộ tỉnh 2026!";

/// The gRPC services the harness serves (health reports each): identity's and personnel's.
fn service_names() -> &'static [&'static str] {
    let names: Vec<&'static str> = tinhso_identity::SERVICE_NAMES
        .iter()
        .chain(tinhso_personnel::SERVICE_NAMES)
        .copied()
        .collect();
    names.leak()
}

pub struct Harness {
    pub personnel: Arc<Personnel>,
    pub channel: Channel,
    pub root_id: String,
    pub bus: tinhso_platform::events::SharedBus,
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
    let personnel_db = tinhso_testkit::database().await;
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
        ("TINHSO_DATABASE__URL".to_string(), personnel_db.url.clone()),
        // Each test is its own service on the shared broker.
        (
            "TINHSO_CONSUMER_NAME".to_string(),
            format!("personnel-test-{}", uuid::Uuid::new_v4().simple()),
        ),
    ];
    let personnel = Personnel::open(
        PersonnelConfig::load(None, &env).expect("personnel config"),
        personnel_db.db.clone(),
        clock,
    )
    .await
    .expect("personnel");
    let bus = tinhso_testkit::bus().await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    identity.spawn_background(bus.clone(), stopped.clone());
    let routes = personnel.add_routes(identity.routes());
    let server = TestServer::start(routes, service_names(), identity.verifier.clone()).await;
    let channel = server.channel().await;
    personnel.spawn_background(bus.clone(), channel.clone(), stopped);
    let keys = tinhso_platform::auth::fetch_jwks(channel.clone())
        .await
        .expect("jwks");
    personnel.verifier.set_keys(&keys);
    Harness {
        personnel,
        channel,
        root_id: boot.root_unit_id,
        bus,
        _server: server,
        _dbs: (identity_db, personnel_db),
        _stop: stop,
    }
}

impl Harness {
    /// Adds a section entry with `content` to the record `employee_id` as `token`.
    pub async fn add_entry(
        &self,
        token: &str,
        employee_id: &str,
        content: pb::section_entry::Content,
    ) -> Result<pb::SectionEntry, tonic::Status> {
        self.sections()
            .add_section_entry(tinhso_testkit::authed(
                token,
                pb::AddSectionEntryRequest {
                    employee_id: employee_id.to_string(),
                    entry: Some(pb::SectionEntry {
                        content: Some(content),
                        ..Default::default()
                    }),
                },
            ))
            .await
            .map(tonic::Response::into_inner)
    }

    /// Creates the record as `token`; panics if refused.
    pub async fn hire(&self, token: &str, e: pb::Employee) -> pb::Employee {
        self.employees()
            .create_employee(tinhso_testkit::authed(
                token,
                pb::CreateEmployeeRequest {
                    employee: Some(e),
                    request_id: String::new(),
                },
            ))
            .await
            .expect("hired")
            .into_inner()
    }

    pub fn employees(&self) -> EmployeeServiceClient<Channel> {
        EmployeeServiceClient::new(self.channel.clone())
    }

    pub fn sections(
        &self,
    ) -> tinhso_proto::personnel::v1::section_service_client::SectionServiceClient<Channel> {
        tinhso_proto::personnel::v1::section_service_client::SectionServiceClient::new(
            self.channel.clone(),
        )
    }

    pub fn catalogues(&self) -> CatalogueServiceClient<Channel> {
        CatalogueServiceClient::new(self.channel.clone())
    }

    /// Identity's API as the test province's administrator uses it.
    pub fn province(&self) -> Province {
        Province::new(self.channel.clone())
    }

    /// A well-formed token for the right account, signed by a key identity never published.
    pub fn login_as_other_issuer(&self) -> String {
        let key = ed25519_dalek::SigningKey::from_bytes(&[42_u8; 32]);
        let now = tinhso_platform::clock::system().now_ms();
        let claims = tinhso_platform::auth::Claims {
            iss: "tinhso".into(),
            aud: tinhso_platform::auth::AUDIENCE.into(),
            sub: uuid::Uuid::new_v4().to_string(),
            uname: "admin".into(),
            unit: format!("/{}/", self.root_id),
            rec: String::new(),
            grants: vec![tinhso_platform::auth::GrantClaim {
                s: format!("/{}/", self.root_id),
                p: vec!["*".into()],
            }],
            mcp: false,
            svc: false,
            iat: now / 1000,
            nbf: now / 1000,
            exp: now / 1000 + 300,
            iat_ms: now,
            jti: "forged".into(),
        };
        tinhso_platform::auth::sign(&claims, "k-forged", &key)
    }

    pub async fn login(&self, username: &str, password: &str, new_password: &str) -> String {
        self.province()
            .sign_in(username, password, new_password)
            .await
    }

    pub fn salary(
        &self,
    ) -> tinhso_proto::personnel::v1::salary_service_client::SalaryServiceClient<Channel> {
        tinhso_proto::personnel::v1::salary_service_client::SalaryServiceClient::new(
            self.channel.clone(),
        )
    }

    pub async fn unit(&self, token: &str, code: &str, parent: &str) -> id::Unit {
        self.unit_of_kind(token, code, parent, id::UnitKind::District)
            .await
    }

    /// A district under the root with its data-entry clerk `nhaplieu.<code>`; the clerk's token.
    pub async fn district_with_clerk(&self, admin: &str, code: &str) -> (id::Unit, String) {
        let district = self.unit(admin, code, &self.root_id).await;
        let clerk = self
            .person(
                admin,
                &format!("nhaplieu.{}", code.to_lowercase()),
                &district.id,
                "data_entry",
                Some(&district.id),
                "",
            )
            .await;
        (district, clerk)
    }

    pub async fn unit_of_kind(
        &self,
        token: &str,
        code: &str,
        parent: &str,
        kind: id::UnitKind,
    ) -> id::Unit {
        let unit = self.province().unit(token, code, parent, kind).await;
        self.replicated(&unit.id, &unit.path).await;
        unit
    }

    /// Two districts known to personnel, a data-entry clerk in each.
    pub async fn two_districts(&self, admin: &str, codes: [&str; 2]) -> TwoDistricts {
        let fixture = self
            .province()
            .two_districts(admin, &self.root_id, codes, "data_entry")
            .await;
        self.replicated(&fixture.ours.id, &fixture.ours.path).await;
        self.replicated(&fixture.theirs.id, &fixture.theirs.path)
            .await;
        fixture
    }

    /// Waits until personnel's replica knows the unit at `path`.
    pub async fn replicated(&self, unit_id: &str, path: &str) {
        let db = self.personnel.db.clone();
        let (wanted_id, wanted_path) = (unit_id.to_string(), path.to_string());
        let ok = tinhso_testkit::eventually(20, move || {
            let (db, unit_id, path) = (db.clone(), wanted_id.clone(), wanted_path.clone());
            async move {
                tinhso_personnel::store::units::get(&db.pool, &unit_id)
                    .await
                    .ok()
                    .flatten()
                    .is_some_and(|u| u.path == path)
            }
        })
        .await;
        assert!(ok, "unit {unit_id} reached personnel with path {path}");
    }

    /// An account with `role` over `scope_unit` (or its own record with scope self); its token.
    pub async fn person(
        &self,
        admin: &str,
        username: &str,
        unit: &str,
        role: &str,
        scope_unit: Option<&str>,
        personnel_id: &str,
    ) -> String {
        self.province()
            .person(admin, username, unit, role, scope_unit, personnel_id)
            .await
            .token
    }
}

pub fn date(year: i32, month: i32, day: i32) -> Option<Date> {
    Some(Date { year, month, day })
}

/// The date `days` from today in Vietnam (UTC+7), where the deadlines are counted.
pub fn in_days(days: i64) -> Option<Date> {
    let today = tinhso_platform::clock::vietnam_today();
    let d = today + time::Duration::days(days);
    date(d.year(), i32::from(u8::from(d.month())), i32::from(d.day()))
}

/// A workbook the service wrote (an export, a template, statistics), read back as rows.
pub fn read_sheet(bytes: &[u8]) -> Vec<Vec<String>> {
    let limits = tinhso_platform::xlsx::ReadLimits::for_sheet(200_000, 200);
    tinhso_platform::xlsx::read_first_sheet(bytes, &limits).expect("an .xlsx file")
}
