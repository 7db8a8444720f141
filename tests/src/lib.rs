//! The end-to-end harness: identity on its own database and bus (SQLite + in-process by default,
//! PostgreSQL + NATS under `make test-services`) behind a real gateway on a loopback port, driven
//! over HTTP exactly as a browser or another system would.

use serde_json::{Value, json};
use std::net::SocketAddr;

use tinhso_gateway::{Gateway, GatewayConfig};
use tinhso_identity::{Identity, IdentityConfig};
use tinhso_personnel::{Personnel, PersonnelConfig};
use tinhso_welfare::{Welfare, WelfareConfig};

/// The gRPC services the harness serves (health reports each): identity's, personnel's and
/// welfare's.
fn service_names() -> &'static [&'static str] {
    let names: Vec<&'static str> = tinhso_identity::SERVICE_NAMES
        .iter()
        .chain(tinhso_personnel::SERVICE_NAMES)
        .chain(tinhso_welfare::SERVICE_NAMES)
        .copied()
        .collect();
    names.leak()
}
use tinhso_testkit::http::{HttpResponse, request};
use tinhso_testkit::{TestDb, TestServer};

/// The bootstrap admin's one-time password in tests.
pub const ADMIN_PASSWORD: &str = "mat-khau-quan-tri-ban-dau";
/// What the admin changes it to.
pub const NEW_ADMIN_PASSWORD: &str = "Quản trị tỉnh số 2026!";

/// Identity plus the gateway, stopped when dropped.
pub struct Platform {
    pub http: SocketAddr,
    pub grpc: SocketAddr,
    pub root_unit_id: String,
    pub gateway: Gateway,
    pub metrics: tinhso_platform::metrics::SharedRegistry,
    /// The bus identity publishes on (in-process, or NATS under `make test-services`).
    pub bus: tinhso_platform::events::SharedBus,
    _server: TestServer,
    _db: TestDb,
    _personnel_db: TestDb,
    _welfare_db: TestDb,
    _stop: tokio::sync::watch::Sender<bool>,
}

impl Platform {
    /// Starts identity and a gateway with default settings.
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// Starts with extra `TINHSO_*` settings for the gateway (e.g. a small body limit).
    pub async fn start_with(gateway_env: &[(&str, &str)]) -> Self {
        let test_db = tinhso_testkit::database().await;
        let env = vec![
            (
                "TINHSO_BOOTSTRAP_ADMIN_PASSWORD".to_string(),
                ADMIN_PASSWORD.to_string(),
            ),
            ("TINHSO_DATABASE__URL".to_string(), test_db.url.clone()),
        ];
        let config = IdentityConfig::load(None, &env).expect("identity config");
        let clock = tinhso_platform::clock::system();
        let identity = Identity::open(config, test_db.db.clone(), clock.clone())
            .await
            .expect("identity opens");
        let boot = identity.bootstrap().await.expect("bootstrap");
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let bus = tinhso_testkit::bus().await;
        identity.spawn_background(bus.clone(), stopped.clone());
        let personnel_db = tinhso_testkit::database().await;
        let personnel_env = vec![
            ("TINHSO_DATABASE__URL".to_string(), personnel_db.url.clone()),
            (
                "TINHSO_CONSUMER_NAME".to_string(),
                format!("personnel-e2e-{}", uuid::Uuid::new_v4().simple()),
            ),
        ];
        let personnel = Personnel::open(
            PersonnelConfig::load(None, &personnel_env).expect("personnel config"),
            personnel_db.db.clone(),
            clock.clone(),
        )
        .await
        .expect("personnel opens");
        let welfare_db = tinhso_testkit::database().await;
        let welfare_env = vec![
            ("TINHSO_DATABASE__URL".to_string(), welfare_db.url.clone()),
            (
                "TINHSO_CONSUMER_NAME".to_string(),
                format!("welfare-e2e-{}", uuid::Uuid::new_v4().simple()),
            ),
        ];
        let welfare = Welfare::open(
            WelfareConfig::load(None, &welfare_env).expect("welfare config"),
            welfare_db.db.clone(),
            clock.clone(),
        )
        .await
        .expect("welfare opens");
        let server = TestServer::start(
            welfare.add_routes(personnel.add_routes(identity.routes())),
            service_names(),
            identity.verifier.clone(),
        )
        .await;
        personnel.spawn_background(bus.clone(), server.channel().await, stopped.clone());
        welfare.spawn_background(bus.clone(), server.channel().await, stopped.clone());

        let mut env: Vec<(String, String)> = vec![
            ("TINHSO_HTTP_ADDR".into(), "127.0.0.1:0".into()),
            (
                "TINHSO_UPSTREAMS__IDENTITY".into(),
                format!("http://{}", server.addr),
            ),
            (
                "TINHSO_UPSTREAMS__PERSONNEL".into(),
                format!("http://{}", server.addr),
            ),
            (
                "TINHSO_UPSTREAMS__WELFARE".into(),
                format!("http://{}", server.addr),
            ),
        ];
        env.extend(
            gateway_env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let config = GatewayConfig::load(None, &env).expect("gateway config");
        let metrics = tinhso_platform::metrics::Registry::new();
        let gateway = Gateway::new(config, clock, metrics.clone()).expect("gateway");
        let keys = tinhso_platform::auth::fetch_jwks(server.channel().await)
            .await
            .expect("jwks");
        gateway.verifier().set_keys(&keys);
        personnel.verifier.set_keys(&keys);
        welfare.verifier.set_keys(&keys);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let http = listener.local_addr().expect("addr");
        let serving = gateway.clone();
        tokio::spawn(async move {
            let _ = serving
                .serve(listener, tinhso_platform::grpc::wait_for(stopped))
                .await;
        });
        Self {
            http,
            grpc: server.addr,
            root_unit_id: boot.root_unit_id,
            gateway,
            metrics,
            bus,
            _server: server,
            _db: test_db,
            _personnel_db: personnel_db,
            _welfare_db: welfare_db,
            _stop: stop,
        }
    }

    /// Sends a request; `token` becomes a bearer header, `body` JSON.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> HttpResponse {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if let Some(auth) = &auth {
            headers.push(("Authorization", auth));
        }
        let bytes = body.map(|b| b.to_string().into_bytes());
        if bytes.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        request(self.http, method, path, &headers, bytes.as_deref()).await
    }

    pub async fn get(&self, path: &str, token: &str) -> HttpResponse {
        self.call("GET", path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> HttpResponse {
        self.call("POST", path, Some(token), Some(&body)).await
    }

    /// Logs in; panics unless it succeeds.
    pub async fn login(&self, username: &str, password: &str) -> Value {
        let r = self
            .call(
                "POST",
                "/api/v1/auth/login",
                None,
                Some(&json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(r.status, 200, "login {username}: {}", r.text());
        r.json()
    }

    /// Logs in with a one-time password and replaces it; returns the new access token.
    pub async fn first_login(&self, username: &str, one_time: &str, new_password: &str) -> String {
        let tokens = self.login(username, one_time).await;
        assert_eq!(tokens["mustChangePassword"], true);
        let r = self
            .post(
                "/api/v1/auth/password",
                tokens["accessToken"].as_str().expect("token"),
                json!({"currentPassword": one_time, "newPassword": new_password}),
            )
            .await;
        assert_eq!(r.status, 200, "password change: {}", r.text());
        r.json()["accessToken"].as_str().expect("token").to_string()
    }

    /// Uploads `content` as the multipart field `file`; `path` carries the other parameters.
    pub async fn upload(
        &self,
        token: &str,
        path: &str,
        filename: &str,
        content_type: &str,
        content: &[u8],
    ) -> HttpResponse {
        const BOUNDARY: &str = "tinhso-test-boundary";
        let mut body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let auth = format!("Bearer {token}");
        let multipart = format!("multipart/form-data; boundary={BOUNDARY}");
        request(
            self.http,
            "POST",
            path,
            &[("Authorization", &auth), ("Content-Type", &multipart)],
            Some(&body),
        )
        .await
    }

    /// A new account in `unit_id` holding the built-in role `role` over `scope_unit_id` (or over
    /// its own record, `personnel_id`, when no scope unit is given), logged in: its token.
    pub async fn person(
        &self,
        admin: &str,
        username: &str,
        unit_id: &str,
        role: &str,
        scope_unit_id: Option<&str>,
        personnel_id: &str,
    ) -> String {
        let r = self
            .post(
                "/api/v1/accounts",
                admin,
                json!({"username": username, "fullName": format!("Người dùng {username}"),
                       "unitId": unit_id, "personnelId": personnel_id}),
            )
            .await;
        assert_eq!(r.status, 200, "account {username}: {}", r.text());
        let created = r.json();
        let account_id = created["account"]["id"].as_str().expect("id").to_string();
        let one_time = created["initialPassword"]
            .as_str()
            .expect("password")
            .to_string();
        let roles = self.get("/api/v1/roles", admin).await.json();
        let role_id = roles["roles"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["code"] == role)
            .and_then(|r| r["id"].as_str())
            .expect("role")
            .to_string();
        let grant = match scope_unit_id {
            Some(unit) => {
                json!({"roleId": role_id, "scope": "GRANT_SCOPE_UNIT", "scopeUnitId": unit})
            }
            None => json!({"roleId": role_id, "scope": "GRANT_SCOPE_SELF"}),
        };
        let r = self
            .post(
                &format!("/api/v1/accounts/{account_id}/grants"),
                admin,
                grant,
            )
            .await;
        assert_eq!(r.status, 200, "grant {username}: {}", r.text());
        self.first_login(username, &one_time, "Mật khẩu mới của tôi 2026!")
            .await
    }

    /// The admin's usable token (first login completed).
    pub async fn admin(&self) -> String {
        self.first_login("admin", ADMIN_PASSWORD, NEW_ADMIN_PASSWORD)
            .await
    }
}

/// Asserts a problem+json response with `status` and `code`; returns the document.
pub fn assert_problem(r: &HttpResponse, status: u16, code: &str) -> Value {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(
        r.header("content-type"),
        Some("application/problem+json"),
        "{}",
        r.text()
    );
    let doc = r.json();
    assert_eq!(doc["code"], code, "{doc}");
    assert_eq!(doc["status"], status);
    // The title a person reads is a sentence: a capital first letter, a full stop.
    let title = doc["title"].as_str().unwrap_or_default();
    assert!(
        title.chars().next().is_some_and(char::is_uppercase)
            && title.ends_with(['.', '!', '?', ')']),
        "the title is a sentence: {doc}"
    );
    doc
}

/// The string at `key`; panics naming the key when it is missing.
pub fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` missing in {v}"))
}
