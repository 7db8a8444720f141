//! The console's pages over HTTP against a real identity service: signing in (with the first
//! password change), sessions that end, CSRF, the menu and pages by permission, field errors,
//! double posts and escaping. Runs on SQLite and on PostgreSQL (`make test-services`).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tinhso_console::{Console, ConsoleConfig};
use tinhso_identity::{Identity, IdentityConfig};
use tinhso_platform::clock::ManualClock;
use tinhso_testkit::http::{HttpResponse, request};
use tinhso_testkit::province::Province;
use tinhso_testkit::{TestDb, TestServer};

const ADMIN_PASSWORD: &str = "mat-khau-quan-tri-ban-dau";
const NEW_PASSWORD: &str = "Quản trị tỉnh số 2026!";

struct Site {
    addr: SocketAddr,
    clock: Arc<ManualClock>,
    province: Province,
    root_id: String,
    channel: tonic::transport::Channel,
    personnel: Arc<tinhso_personnel::Personnel>,
    welfare: Arc<tinhso_welfare::Welfare>,
    _server: TestServer,
    _dbs: (TestDb, TestDb, TestDb, TestDb),
    _stop: tokio::sync::watch::Sender<bool>,
}

fn service_names() -> &'static [&'static str] {
    let names: Vec<&'static str> = tinhso_identity::SERVICE_NAMES
        .iter()
        .chain(tinhso_personnel::SERVICE_NAMES)
        .chain(tinhso_welfare::SERVICE_NAMES)
        .copied()
        .collect();
    names.leak()
}

async fn start() -> Site {
    let identity_db = tinhso_testkit::database().await;
    let console_db = tinhso_testkit::database().await;
    let env = vec![
        (
            "TINHSO_BOOTSTRAP_ADMIN_PASSWORD".to_string(),
            ADMIN_PASSWORD.to_string(),
        ),
        ("TINHSO_DATABASE__URL".to_string(), identity_db.url.clone()),
    ];
    let identity = Identity::open(
        IdentityConfig::load(None, &env).expect("identity config"),
        identity_db.db.clone(),
        tinhso_platform::clock::system(),
    )
    .await
    .expect("identity");
    let boot = identity.bootstrap().await.expect("bootstrap");
    let personnel_db = tinhso_testkit::database().await;
    let personnel = tinhso_personnel::Personnel::open(
        tinhso_personnel::PersonnelConfig::load(
            None,
            &vec![
                ("TINHSO_DATABASE__URL".to_string(), personnel_db.url.clone()),
                (
                    "TINHSO_CONSUMER_NAME".to_string(),
                    format!("console-test-{}", uuid::Uuid::new_v4().simple()),
                ),
            ],
        )
        .expect("personnel config"),
        personnel_db.db.clone(),
        tinhso_platform::clock::system(),
    )
    .await
    .expect("personnel");
    let welfare_db = tinhso_testkit::database().await;
    let welfare = tinhso_welfare::Welfare::open(
        tinhso_welfare::WelfareConfig::load(
            None,
            &vec![
                ("TINHSO_DATABASE__URL".to_string(), welfare_db.url.clone()),
                (
                    "TINHSO_CONSUMER_NAME".to_string(),
                    format!("console-test-{}", uuid::Uuid::new_v4().simple()),
                ),
            ],
        )
        .expect("welfare config"),
        welfare_db.db.clone(),
        tinhso_platform::clock::system(),
    )
    .await
    .expect("welfare");
    let bus = tinhso_testkit::bus().await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    identity.spawn_background(bus.clone(), stopped.clone());
    let server = TestServer::start(
        welfare.add_routes(personnel.add_routes(identity.routes())),
        service_names(),
        identity.verifier.clone(),
    )
    .await;
    let channel = server.channel().await;
    personnel.spawn_background(bus.clone(), channel.clone(), stopped.clone());
    welfare.spawn_background(bus, channel.clone(), stopped);
    let url = format!("http://{}", server.addr);
    let env = vec![
        ("TINHSO_IDENTITY_URL".to_string(), url.clone()),
        ("TINHSO_PERSONNEL_URL".to_string(), url.clone()),
        ("TINHSO_WELFARE_URL".to_string(), url),
        ("TINHSO_SECURE_COOKIES".to_string(), "false".to_string()),
        ("TINHSO_DATABASE__URL".to_string(), console_db.url.clone()),
    ];
    let clock = ManualClock::new(tinhso_platform::clock::system().now_ms());
    let console = Console::open(
        ConsoleConfig::load(None, &env).expect("console config"),
        console_db.db.clone(),
        clock.clone(),
    )
    .await
    .expect("console");
    let keys = tinhso_platform::auth::fetch_jwks(channel.clone())
        .await
        .expect("jwks");
    console.verifier.set_keys(&keys);
    personnel.verifier.set_keys(&keys);
    welfare.verifier.set_keys(&keys);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = console.router();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Site {
        addr,
        clock,
        province: Province::new(channel.clone()),
        root_id: boot.root_unit_id,
        channel,
        personnel,
        welfare,
        _server: server,
        _dbs: (identity_db, console_db, personnel_db, welfare_db),
        _stop: stop,
    }
}

/// A browser: keeps its cookies, sends them back.
struct Browser {
    addr: SocketAddr,
    cookies: HashMap<String, String>,
}

impl Browser {
    fn new(site: &Site) -> Self {
        Self {
            addr: site.addr,
            cookies: HashMap::new(),
        }
    }

    fn keep_cookies(&mut self, r: &HttpResponse) {
        for (k, v) in &r.headers {
            if k == "set-cookie"
                && let Some((pair, _)) = v.split_once(';').or(Some((v.as_str(), "")))
                && let Some((name, value)) = pair.split_once('=')
            {
                if value.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn get(&mut self, path: &str) -> HttpResponse {
        let cookies = self.cookie_header();
        let r = request(self.addr, "GET", path, &[("cookie", &cookies)], None).await;
        self.keep_cookies(&r);
        r
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> HttpResponse {
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let cookies = self.cookie_header();
        let r = request(
            self.addr,
            "POST",
            path,
            &[
                ("cookie", &cookies),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Some(body.as_bytes()),
        )
        .await;
        self.keep_cookies(&r);
        r
    }

    /// Posts a multipart form with one file, as a browser sends an upload.
    async fn upload(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> HttpResponse {
        let boundary = "----tinhso-test-boundary-7d2a";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\ncontent-disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        let (name, filename, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\ncontent-type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let cookies = self.cookie_header();
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let r = request(
            self.addr,
            "POST",
            path,
            &[("cookie", &cookies), ("content-type", &content_type)],
            Some(&body),
        )
        .await;
        self.keep_cookies(&r);
        r
    }

    /// The CSRF token a page's forms carry.
    async fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path).await.text();
        value_of(&page, "_csrf")
    }

    /// Signs in (and, on a one-time password, sets `new_password`).
    async fn sign_in(&mut self, username: &str, password: &str, new_password: Option<&str>) {
        let csrf = self.csrf("/dang-nhap").await;
        let r = self
            .post(
                "/dang-nhap",
                &[
                    ("_csrf", &csrf),
                    ("username", username),
                    ("password", password),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text());
        if let Some(new_password) = new_password {
            assert_eq!(r.header("location"), Some("/doi-mat-khau"));
            let csrf = self.csrf("/doi-mat-khau").await;
            let r = self
                .post(
                    "/doi-mat-khau",
                    &[
                        ("_csrf", &csrf),
                        ("current_password", password),
                        ("new_password", new_password),
                    ],
                )
                .await;
            assert_eq!(r.status, 303, "{}", r.text());
        }
    }
}

fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The value of the first input named `name` in `html`, as a browser would read it.
fn value_of(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split_once(&marker)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(v, _)| {
            v.replace("&#34;", "\"")
                .replace("&#39;", "'")
                .replace("&#60;", "<")
                .replace("&#62;", ">")
                .replace("&#38;", "&")
                .replace("&amp;", "&")
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn first_sign_in_changes_the_password_and_sessions_end() {
    let site = start().await;
    let mut browser = Browser::new(&site);
    // Not signed in: every page leads to the sign-in page, remembering where it was.
    let r = browser.get("/don-vi?q=a").await;
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("location"),
        Some("/dang-nhap?next=%2Fdon-vi%3Fq%3Da")
    );
    let r = browser.get("/dang-nhap").await;
    assert!(r.text().contains("<h1>Đăng nhập</h1>"));
    assert!(r.header("content-security-policy").is_some_and(
        |csp| csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'")
    ));
    let pre = r
        .headers
        .iter()
        .find(|(k, v)| k == "set-cookie" && v.starts_with("tinhso_pre="))
        .map(|(_, v)| v.clone())
        .expect("pre-session cookie");
    assert!(pre.contains("HttpOnly") && pre.contains("SameSite=Strict"));

    // A wrong password: identity's own message, at the password field, and no session.
    let csrf = value_of(&r.text(), "_csrf");
    let wrong = browser
        .post(
            "/dang-nhap",
            &[("_csrf", &csrf), ("username", "admin"), ("password", "sai")],
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(
        wrong.text().contains("href=\"#password\""),
        "{}",
        wrong.text()
    );
    assert!(!browser.cookies.contains_key("tinhso_session"));

    // The one-time password leads only to the password change.
    let r = browser
        .post(
            "/dang-nhap",
            &[
                ("_csrf", &csrf),
                ("username", "admin"),
                ("password", ADMIN_PASSWORD),
                ("next", "/don-vi"),
            ],
        )
        .await;
    assert_eq!(r.header("location"), Some("/doi-mat-khau"));
    let session = r
        .headers
        .iter()
        .find(|(k, v)| k == "set-cookie" && v.starts_with("tinhso_session="))
        .map(|(_, v)| v.clone())
        .expect("session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"));
    assert_eq!(
        browser.get("/don-vi").await.header("location"),
        Some("/doi-mat-khau")
    );
    let csrf = browser.csrf("/doi-mat-khau").await;
    let short = browser
        .post(
            "/doi-mat-khau",
            &[
                ("_csrf", &csrf),
                ("current_password", ADMIN_PASSWORD),
                ("new_password", "ngắn"),
            ],
        )
        .await;
    assert_eq!(short.status, 400);
    assert!(short.text().contains("12 ký tự"), "{}", short.text());
    let done = browser
        .post(
            "/doi-mat-khau",
            &[
                ("_csrf", &csrf),
                ("current_password", ADMIN_PASSWORD),
                ("new_password", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, 303);
    let home = browser.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.text().contains("Việc cần làm"));
    let me = browser.get("/tai-khoan-cua-toi").await.text();
    assert!(
        me.contains("<td>admin</td>") && me.contains("system_admin"),
        "{me}"
    );
    assert!(
        home.text().contains("href=\"/don-vi\""),
        "the admin's menu has the units"
    );

    // Signing out ends a session at once.
    let mut other = Browser::new(&site);
    other.sign_in("admin", NEW_PASSWORD, None).await;
    assert_eq!(other.get("/").await.status, 200);
    let csrf = other.csrf("/").await;
    assert_eq!(
        other.post("/dang-xuat", &[("_csrf", &csrf)]).await.status,
        303
    );
    assert_eq!(other.get("/").await.status, 303);
    // Half an hour without use ends the session: back to sign-in, then to the page.
    site.clock.advance_secs(31 * 60);
    let r = browser.get("/don-vi").await;
    assert_eq!(
        r.header("location"),
        Some("/dang-nhap?next=%2Fdon-vi&expired=1")
    );
    // Signing in again leads back to that page; an address off the site is not followed.
    for (next, lands) in [("/don-vi", "/don-vi"), ("//evil.example/", "/")] {
        let mut fresh = Browser::new(&site);
        let csrf = fresh.csrf("/dang-nhap?next=%2Fdon-vi&expired=1").await;
        let again = fresh
            .post(
                "/dang-nhap",
                &[
                    ("_csrf", &csrf),
                    ("username", "admin"),
                    ("password", NEW_PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(again.header("location"), Some(lands));
    }
    // An address the console does not have: its own page, not the API's JSON.
    let missing = browser.get("/khong-co-trang-nay").await;
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("Không có trang này"));
}

#[tokio::test]
async fn forms_need_the_sessions_csrf_token() {
    let site = start().await;
    let mut browser = Browser::new(&site);
    browser
        .sign_in("admin", ADMIN_PASSWORD, Some(NEW_PASSWORD))
        .await;
    let form = browser.get("/don-vi").await.text();
    let request_id = value_of(&form, "request_id");
    let fields = |csrf: &'static str| {
        vec![
            ("_csrf", csrf),
            ("parent_id", ""),
            ("code", "H-LAPVO"),
            ("name", "Huyện Lấp Vò"),
            ("kind", "3"),
        ]
    };
    for forged in ["", "sai-ma"] {
        let mut f = fields(forged);
        f.push(("request_id", &request_id));
        let r = browser.post("/don-vi", &f).await;
        assert_eq!(r.status, 403, "{}", r.text());
    }
    // A form from another signed-in browser's session does not fit this one.
    let mut other = Browser::new(&site);
    other.sign_in("admin", NEW_PASSWORD, None).await;
    let theirs = other.csrf("/").await;
    let r = browser.post("/dang-xuat", &[("_csrf", &theirs)]).await;
    assert_eq!(r.status, 403);
    assert!(
        !browser.get("/don-vi").await.text().contains("H-LAPVO"),
        "nothing created"
    );
}

#[tokio::test]
async fn units_by_permission_with_field_errors_one_record_per_form_and_escaping() {
    let site = start().await;
    let mut admin = Browser::new(&site);
    admin
        .sign_in("admin", ADMIN_PASSWORD, Some(NEW_PASSWORD))
        .await;
    let form = admin.get("/don-vi").await.text();
    let csrf = value_of(&form, "_csrf");
    let request_id = value_of(&form, "request_id");
    let create = |code: &'static str, name: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("request_id", request_id.clone()),
            ("parent_id", site.root_id.clone()),
            ("code", code.to_string()),
            ("name", name.to_string()),
            ("kind", "3".to_string()),
        ]
    };
    // Bad input: the service's Vietnamese message at the field, nothing created.
    let bad = create("mã sai!", "");
    let refs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = admin.post("/don-vi", &refs).await;
    assert_eq!(r.status, 400);
    let page = r.text();
    assert!(
        page.contains("error-summary") && page.contains("href=\"#name\""),
        "{page}"
    );
    assert!(page.contains("tên đơn vị không được để trống"));
    // The same form posted twice makes one unit; HTML in a name is shown as text.
    let good = create("H-CAOLANH", "Huyện <b>Cao Lãnh</b>");
    let refs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for _ in 0..2 {
        assert_eq!(admin.post("/don-vi", &refs).await.status, 303);
    }
    let list = admin.get("/don-vi").await.text();
    assert_eq!(
        list.matches("<td data-label=\"Mã\">H-CAOLANH</td>").count(),
        1
    );
    assert!(
        list.contains("Huyện &#60;b&#62;Cao Lãnh&#60;/b&#62;"),
        "{list}"
    );
    assert!(!list.contains("<b>Cao"));
    // Search by a name without diacritics, kept in the URL.
    let found = admin.get("/don-vi?q=cao%20lanh").await.text();
    assert!(found.contains("H-CAOLANH") && !found.contains("UBND-TINH</td>"));

    // An employee with only self-service: no units in the menu, the page refused.
    let district = list
        .split("<option value=\"")
        .nth(2)
        .and_then(|s| s.split('"').next())
        .expect("the district's id")
        .to_string();
    let admin_token = site.province.log_in("admin", NEW_PASSWORD).await;
    let _employee = site
        .province
        .person(
            &admin_token,
            "nhan.vien",
            &district,
            "employee_self_service",
            None,
            "",
        )
        .await;
    let mut employee = site.signed_in("nhan.vien").await;
    let home = employee.get("/").await.text();
    assert!(
        !home.contains("href=\"/don-vi\""),
        "no entry they cannot use"
    );
    assert_eq!(employee.get("/don-vi").await.status, 403);
    // A district clerk reads its district only and has no form to add units.
    let _clerk = site
        .province
        .person(
            &admin_token,
            "nhaplieu.caolanh",
            &district,
            "data_entry",
            Some(&district),
            "",
        )
        .await;
    let mut clerk = site.signed_in("nhaplieu.caolanh").await;
    let theirs = clerk.get("/don-vi").await.text();
    assert!(theirs.contains("H-CAOLANH"));
    assert!(
        !theirs.contains("UBND-TINH"),
        "the province above is outside its scope"
    );
    assert!(
        !theirs.contains("action=\"/don-vi\" novalidate"),
        "no create form"
    );
    let csrf = value_of(&theirs, "_csrf");
    let refused = clerk
        .post(
            "/don-vi",
            &[
                ("_csrf", &csrf),
                ("request_id", "x1"),
                ("parent_id", &district),
                ("code", "X-MOI"),
                ("name", "Xã mới"),
                ("kind", "4"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text());
}

#[tokio::test]
async fn accounts_are_created_with_a_password_shown_once_and_kept_to_their_subtree() {
    let site = start().await;
    let mut admin = Browser::new(&site);
    admin
        .sign_in("admin", ADMIN_PASSWORD, Some(NEW_PASSWORD))
        .await;
    let admin_token = site.province.log_in("admin", NEW_PASSWORD).await;
    let district = site
        .province
        .unit(
            &admin_token,
            "H-THAPMUOI",
            &site.root_id,
            tinhso_proto::identity::v1::UnitKind::District,
        )
        .await;
    let other = site
        .province
        .unit(
            &admin_token,
            "H-TANHONG",
            &site.root_id,
            tinhso_proto::identity::v1::UnitKind::District,
        )
        .await;
    // Created from the form: the one-time password on the page, once.
    let form = admin.get("/tai-khoan/moi").await.text();
    let csrf = value_of(&form, "_csrf");
    let request_id = value_of(&form, "request_id");
    let fields = [
        ("_csrf", csrf.as_str()),
        ("request_id", request_id.as_str()),
        ("username", "nhaplieu.thapmuoi"),
        ("full_name", "Trần Thị Nhập"),
        ("unit_id", district.id.as_str()),
    ];
    let created = admin.post("/tai-khoan", &fields).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let secret = created
        .text()
        .split_once("id=\"secret\">")
        .and_then(|(_, rest)| rest.split_once('<'))
        .map(|(s, _)| s.to_string())
        .expect("the one-time password");
    assert!(secret.len() >= 12);
    assert_eq!(created.header("cache-control"), Some("no-store"));
    // Posted again (a double click): the same account, not a second one, and its password is
    // not shown twice.
    let again = admin.post("/tai-khoan", &fields).await;
    assert_eq!(again.status, 201);
    assert!(!again.text().contains(&secret));
    assert!(again.text().contains("dat-lai-mat-khau"));
    let list = admin.get("/tai-khoan?q=thapmuoi").await.text();
    assert_eq!(list.matches(">nhaplieu.thapmuoi</a>").count(), 1, "{list}");
    // A bad username is shown at its field.
    let bad = admin
        .post(
            "/tai-khoan",
            &[
                ("_csrf", &csrf),
                ("request_id", "r-bad"),
                ("username", "Tên Có Dấu"),
                ("full_name", "X"),
                ("unit_id", &district.id),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("href=\"#username\""));

    // The district's unit admin: its accounts only, and no taking over an account above it.
    let _unit_admin = site
        .province
        .person(
            &admin_token,
            "qtdv.thapmuoi",
            &district.id,
            "unit_admin",
            Some(&district.id),
            "",
        )
        .await;
    let leader = site
        .province
        .person(
            &admin_token,
            "lanhdao.thapmuoi",
            &district.id,
            "provincial_leader",
            Some(&site.root_id),
            "",
        )
        .await;
    let outsider = site
        .province
        .person(
            &admin_token,
            "nhaplieu.tanhong",
            &other.id,
            "data_entry",
            Some(&other.id),
            "",
        )
        .await;
    let mut ua = site.signed_in("qtdv.thapmuoi").await;
    let theirs = ua.get("/tai-khoan").await.text();
    assert!(theirs.contains("nhaplieu.thapmuoi") && !theirs.contains("nhaplieu.tanhong"));
    assert_eq!(
        ua.get(&format!("/tai-khoan/{}", outsider.account_id))
            .await
            .status,
        403
    );
    let confirm = ua
        .get(&format!(
            "/tai-khoan/{}/dat-lai-mat-khau",
            leader.account_id
        ))
        .await
        .text();
    let csrf = value_of(&confirm, "_csrf");
    let etag = value_of(&confirm, "etag");
    let refused = ua
        .post(
            &format!("/tai-khoan/{}/dat-lai-mat-khau", leader.account_id),
            &[("_csrf", &csrf), ("etag", &etag)],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text());
    assert!(
        refused.text().contains("vượt quá quyền của bạn"),
        "{}",
        refused.text()
    );

    // Disabling asks first, then holds; a stale form is refused with a clear message.
    let clerk_id = list
        .split_once("\">nhaplieu.thapmuoi</a>")
        .and_then(|(before, _)| before.rsplit_once("href=\"/tai-khoan/"))
        .map(|(_, id)| id.to_string())
        .expect("the clerk's id");
    let confirm = admin
        .get(&format!("/tai-khoan/{clerk_id}/thu-hoi"))
        .await
        .text();
    assert!(confirm.contains("Trần Thị Nhập (nhaplieu.thapmuoi)"));
    let csrf = value_of(&confirm, "_csrf");
    let etag = value_of(&confirm, "etag");
    let done = admin
        .post(
            &format!("/tai-khoan/{clerk_id}/thu-hoi"),
            &[
                ("_csrf", &csrf),
                ("etag", &etag),
                ("reason", "chuyển công tác"),
            ],
        )
        .await;
    assert_eq!(done.status, 303);
    let shown = admin
        .get(&format!("/tai-khoan/{clerk_id}?done=disabled"))
        .await
        .text();
    assert!(shown.contains("Đã thu hồi tài khoản."));
    let stale = admin
        .post(
            &format!("/tai-khoan/{clerk_id}/kich-hoat"),
            &[("_csrf", &csrf), ("etag", &etag)],
        )
        .await;
    assert_eq!(stale.status, 409, "{}", stale.text());
    assert!(stale.text().contains("error-summary"));

    // Grants from the account's page: the unit admin gives data entry over its district, and
    // is refused a role above its own.
    let page = ua.get(&format!("/tai-khoan/{clerk_id}")).await.text();
    let role_id = |code: &str| {
        page.split_once(&format!("({code})</option>"))
            .and_then(|(before, _)| before.rsplit_once("<option value=\""))
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(id, _)| id.to_string())
            .unwrap_or_else(|| panic!("role {code} offered"))
    };
    let csrf = value_of(&page, "_csrf");
    let granted = ua
        .post(
            &format!("/tai-khoan/{clerk_id}/quyen"),
            &[
                ("_csrf", &csrf),
                ("role_id", &role_id("data_entry")),
                ("scope", "unit"),
                ("scope_unit_id", &district.id),
            ],
        )
        .await;
    assert_eq!(granted.status, 303, "{}", granted.text());
    let shown = ua
        .get(&format!("/tai-khoan/{clerk_id}?done=granted"))
        .await
        .text();
    assert!(shown.contains("Đã giao quyền.") && shown.contains(">data_entry</td>"));
    let above = ua
        .post(
            &format!("/tai-khoan/{clerk_id}/quyen"),
            &[
                ("_csrf", &csrf),
                ("role_id", &role_id("system_admin")),
                ("scope", "unit"),
                ("scope_unit_id", &district.id),
            ],
        )
        .await;
    assert_eq!(above.status, 403, "{}", above.text());
    assert!(above.text().contains("vượt quá quyền"), "{}", above.text());
}

impl Site {
    /// A browser signed in as `username`, whose password is the testkit's personal one.
    async fn signed_in(&self, username: &str) -> Browser {
        let mut browser = Browser::new(self);
        browser
            .sign_in(username, tinhso_testkit::province::PERSONAL_PASSWORD, None)
            .await;
        browser
    }

    /// Waits until personnel's replica knows the unit.
    async fn replicated(&self, unit_id: &str) {
        let (db, id) = (self.personnel.db.clone(), unit_id.to_string());
        let ok = tinhso_testkit::eventually(20, move || {
            let (db, id) = (db.clone(), id.clone());
            async move {
                tinhso_personnel::store::units::get(&db.pool, &id)
                    .await
                    .ok()
                    .flatten()
                    .is_some()
            }
        })
        .await;
        assert!(ok, "unit {unit_id} reached personnel");
    }
}

#[tokio::test]
async fn records_are_searched_in_scope_and_an_employee_sees_only_their_own() {
    use tinhso_proto::personnel::v1 as pb;
    use tinhso_proto::personnel::v1::employee_service_client::EmployeeServiceClient;
    let site = start().await;
    let mut admin = Browser::new(&site);
    admin
        .sign_in("admin", ADMIN_PASSWORD, Some(NEW_PASSWORD))
        .await;
    let admin_token = site.province.log_in("admin", NEW_PASSWORD).await;
    let districts = site
        .province
        .two_districts(
            &admin_token,
            &site.root_id,
            ["H-CAOLANH", "H-LAPVO"],
            "data_entry",
        )
        .await;
    site.replicated(&districts.ours.id).await;
    site.replicated(&districts.theirs.id).await;
    let hire = |token: String, unit: String, name: &'static str| {
        let channel = site.channel.clone();
        async move {
            EmployeeServiceClient::new(channel)
                .create_employee(tinhso_testkit::authed(
                    &token,
                    pb::CreateEmployeeRequest {
                        employee: Some(pb::Employee {
                            unit_id: unit,
                            kind: pb::EmployeeKind::CivilServant as i32,
                            full_name: name.into(),
                            birth_date: Some(tinhso_proto::common::v1::Date {
                                year: 1985,
                                month: 3,
                                day: 7,
                            }),
                            sex: pb::Sex::Female as i32,
                            ..Default::default()
                        }),
                        request_id: String::new(),
                    },
                ))
                .await
                .expect("hired")
                .into_inner()
        }
    };
    let ours = hire(
        districts.clerk.token.clone(),
        districts.ours.id.clone(),
        "Lê Thị Mỹ Hạnh",
    )
    .await;
    let theirs = hire(
        districts.stranger.token.clone(),
        districts.theirs.id.clone(),
        "Phạm Văn Khác",
    )
    .await;
    // A hire entered long after the recruitment (the regulation allows 30 days) shows on the
    // clerk's home page as work that was due.
    let recruited = tinhso_platform::clock::vietnam_today() - time::Duration::days(90);
    EmployeeServiceClient::new(site.channel.clone())
        .create_employee(tinhso_testkit::authed(
            &districts.clerk.token,
            pb::CreateEmployeeRequest {
                employee: Some(pb::Employee {
                    unit_id: districts.ours.id.clone(),
                    kind: pb::EmployeeKind::CivilServant as i32,
                    full_name: "Võ Văn Trễ".into(),
                    birth_date: Some(tinhso_proto::common::v1::Date {
                        year: 1990,
                        month: 1,
                        day: 1,
                    }),
                    recruitment_date: Some(tinhso_proto::common::v1::Date {
                        year: recruited.year(),
                        month: i32::from(u8::from(recruited.month())),
                        day: i32::from(recruited.day()),
                    }),
                    sex: pb::Sex::Male as i32,
                    ..Default::default()
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect("hired late");
    // The clerk of Cao Lãnh finds its own staff without typing diacritics, not Lấp Vò's.
    let mut clerk = site.signed_in("data_entry.h-caolanh").await;
    let home = clerk.get("/").await.text();
    assert!(
        home.contains("hồ sơ cập nhật trễ hạn") && home.contains("href=\"/ho-so/tre-han\""),
        "{home}"
    );
    // The compliance view names the late hire, the unit that had to enter it, and by how much.
    let late = clerk.get("/ho-so/tre-han").await.text();
    assert!(
        late.contains("Võ Văn Trễ")
            && late.contains("Tuyển dụng, tiếp nhận")
            && late.contains(">60<"),
        "{late}"
    );
    let found = clerk.get("/ho-so?q=my%20hanh").await.text();
    assert!(
        found.contains("Lê Thị Mỹ Hạnh") && found.contains("07/03/1985"),
        "{found}"
    );
    assert!(
        !clerk
            .get("/ho-so?q=khac")
            .await
            .text()
            .contains("Phạm Văn Khác")
    );
    assert_eq!(
        clerk.get(&format!("/ho-so/{}", theirs.id)).await.status,
        403
    );
    let their_late = clerk
        .get(&format!("/ho-so/tre-han?don_vi={}", districts.theirs.id))
        .await
        .text();
    assert!(!their_late.contains("Phạm Văn Khác") && their_late.contains("Võ Văn Trễ"));
    let record = clerk.get(&format!("/ho-so/{}", ours.id)).await.text();
    assert!(record.contains("Sơ yếu lý lịch") && record.contains("Nữ"));
    assert!(
        !record.contains("Tạo tài khoản cho người này"),
        "a clerk makes no accounts"
    );
    // Search by criteria other than the name, all in the address: women aged 30 to 50.
    let women = clerk
        .get("/ho-so?gioi_tinh=2&tuoi_tu=30&tuoi_den=50&sap_xep=birth_date")
        .await
        .text();
    assert!(
        women.contains("Lê Thị Mỹ Hạnh")
            && !women.contains("Võ Văn Trễ")
            && women.contains("<details open>")
            && women.contains(
                "/ho-so/tai-ve?gioi_tinh=2&#38;tuoi_tu=30&#38;tuoi_den=50&#38;sap_xep=birth_date"
            ),
        "{women}"
    );
    let men = clerk.get("/ho-so?gioi_tinh=1").await.text();
    assert!(men.contains("Võ Văn Trễ") && !men.contains("Lê Thị Mỹ Hạnh"));

    // Hiring from the form: a date that does not exist is refused at its field.
    let form = clerk.get("/ho-so/moi").await.text();
    let csrf = value_of(&form, "_csrf");
    let request_id = value_of(&form, "request_id");
    let hire_form = |birth: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("request_id", request_id.clone()),
            ("unit_id", districts.ours.id.clone()),
            ("kind", "1".to_string()),
            ("sex", "2".to_string()),
            ("full_name", "Đặng Thị Mới".to_string()),
            ("birth_date", birth.to_string()),
            ("position", "Chuyên viên".to_string()),
        ]
    };
    let bad = hire_form("31/02/1990");
    let refs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = clerk.post("/ho-so", &refs).await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("href=\"#birth_date\""));
    let good = hire_form("14/09/1990");
    let refs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = clerk.post("/ho-so", &refs).await;
    assert_eq!(r.status, 303, "{}", r.text());
    let record_path = r
        .header("location")
        .and_then(|l| l.split_once('?'))
        .map(|(p, _)| p.to_string())
        .expect("the new record");
    let shown = clerk.get(&record_path).await.text();
    assert!(shown.contains("Đặng Thị Mới") && shown.contains("14/09/1990"));

    // Two people edit at once: the second save is refused, not lost over the first.
    let mut colleague = site.signed_in("data_entry.h-caolanh").await;
    let mine_form = clerk.get(&format!("{record_path}/sua")).await.text();
    let theirs_form = colleague.get(&format!("{record_path}/sua")).await.text();
    let edit = |page: &str, position: &'static str| {
        vec![
            ("_csrf", value_of(page, "_csrf")),
            ("etag", value_of(page, "etag")),
            ("full_name", "Đặng Thị Mới".to_string()),
            ("position", position.to_string()),
            ("effective_date", "02/11/2026".to_string()),
        ]
    };
    let first = edit(&mine_form, "Trưởng phòng");
    let refs: Vec<(&str, &str)> = first.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        clerk
            .post(&format!("{record_path}/sua"), &refs)
            .await
            .status,
        303
    );
    let second = edit(&theirs_form, "Phó phòng");
    let refs: Vec<(&str, &str)> = second.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let stale = colleague.post(&format!("{record_path}/sua"), &refs).await;
    assert_eq!(stale.status, 409, "{}", stale.text());
    assert!(stale.text().contains("error-summary"));
    let kept = clerk.get(&record_path).await.text();
    assert!(kept.contains("Trưởng phòng") && !kept.contains("Phó phòng"));

    // An employee whose account is linked to her record: "my record", and nobody else's.
    let _me = site
        .province
        .person(
            &admin_token,
            "my.hanh",
            &districts.ours.id,
            "employee_self_service",
            None,
            &ours.id,
        )
        .await;
    let mut employee = site.signed_in("my.hanh").await;
    let home = employee.get("/").await.text();
    assert!(
        home.contains("href=\"/ho-so/cua-toi\"") && !home.contains("href=\"/ho-so\""),
        "{home}"
    );
    let mine = employee.get("/ho-so/cua-toi").await;
    assert_eq!(
        mine.header("location"),
        Some(format!("/ho-so/{}", ours.id).as_str())
    );
    assert!(
        employee
            .get(&format!("/ho-so/{}", ours.id))
            .await
            .text()
            .contains("Lê Thị Mỹ Hạnh")
    );
    assert_eq!(
        employee.get(&format!("/ho-so/{}", theirs.id)).await.status,
        403
    );
    assert_eq!(employee.get("/ho-so").await.status, 403);
    assert_eq!(employee.get("/thong-ke").await.status, 403);
    // The district's BM02 table, and the workbook streamed as it is written.
    let stats = clerk.get("/thong-ke").await;
    assert_eq!(stats.status, 200, "{}", stats.text());
    let stats = stats.text();
    assert!(stats.contains("Đơn vị H-CAOLANH"));
    // The age bands drawn as an SVG chart (no script), its figures also in the table.
    assert!(
        stats.contains("<svg") && stats.contains("Cơ cấu độ tuổi") && !stats.contains("<script>"),
        "{stats}"
    );
    let workbook = clerk.get("/thong-ke/tai-ve").await;
    assert_eq!(workbook.status, 200);
    assert!(
        workbook
            .header("content-type")
            .is_some_and(|t| t.contains("spreadsheetml"))
    );
    assert_eq!(&workbook.body[..2], b"PK", "an .xlsx file");
    // The table as of a past report date (rebuilt from the records' history), downloadable as
    // such; a date in the future is refused.
    let past = clerk.get("/thong-ke?ngay=31/12/2019").await;
    assert_eq!(past.status, 200, "{}", past.text());
    let past = past.text();
    assert!(
        past.contains("value=\"31/12/2019\"") && past.contains("Số liệu đến ngày"),
        "{past}"
    );
    assert!(past.contains("tai-ve?don_vi=") && past.contains("ngay=31%2F12%2F2019"));
    let future = clerk.get("/thong-ke?ngay=31/12/2099").await;
    assert_eq!(future.status, 400, "{}", future.text());

    // Cao Lãnh transfers Mỹ Hạnh to Lấp Vò from her record: Lấp Vò is outside the clerk's
    // scope, found in the province's directory by words without diacritics.
    let move_path = format!("/ho-so/{}/dieu-chuyen", ours.id);
    let move_page = clerk.get(&move_path).await;
    assert_eq!(move_page.status, 200, "{}", move_page.text());
    let move_page = move_page.text();
    let csrf = value_of(&move_page, "_csrf");
    let etag = value_of(&move_page, "etag");
    assert!(!etag.is_empty());
    let today = tinhso_platform::clock::vietnam_today();
    let today = format!(
        "{:02}/{:02}/{}",
        today.day(),
        u8::from(today.month()),
        today.year()
    );
    let base = vec![
        ("_csrf", csrf.clone()),
        ("etag", etag.clone()),
        ("kind", (pb::MovementKind::Transfer as i32).to_string()),
        ("q", "lapvo".to_string()),
        ("decision_number", "125/QĐ-UBND".to_string()),
        ("decision_date", today.clone()),
        ("effective_date", today.clone()),
    ];
    let with = |extra: &[(&'static str, &str)]| {
        let mut form = base.clone();
        form.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        form
    };
    let search = with(&[("search", "1")]);
    let refs: Vec<(&str, &str)> = search.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let offered = clerk.post(&move_path, &refs).await;
    assert_eq!(offered.status, 200, "{}", offered.text());
    let offered = offered.text();
    assert!(
        offered.contains(&format!("value=\"{}\"", districts.theirs.id))
            && offered.contains("Đơn vị H-LAPVO"),
        "{offered}"
    );
    // Without a receiving unit nothing is recorded, and the problem is shown at the search.
    let refs: Vec<(&str, &str)> = base.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let unchosen = clerk.post(&move_path, &refs).await;
    assert_eq!(unchosen.status, 400);
    assert!(
        unchosen.text().contains("href=\"#q\""),
        "{}",
        unchosen.text()
    );
    // Lấp Vò's clerk cannot move Cao Lãnh's record.
    let mut receiver = site.signed_in("data_entry.h-lapvo").await;
    assert_eq!(receiver.get(&move_path).await.status, 403);
    let receiver_csrf = receiver.csrf("/").await;
    let mut forged = with(&[("to_unit_id", &districts.theirs.id)]);
    forged[0].1 = receiver_csrf;
    let refs: Vec<(&str, &str)> = forged.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(receiver.post(&move_path, &refs).await.status, 403);
    let chosen = with(&[("to_unit_id", &districts.theirs.id)]);
    let refs: Vec<(&str, &str)> = chosen.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let moved = clerk.post(&move_path, &refs).await;
    assert_eq!(moved.status, 303, "{}", moved.text());
    assert!(
        clerk
            .get(moved.header("location").expect("back to the record"))
            .await
            .text()
            .contains("Đã ghi nhận")
    );
    let home = receiver.get("/").await.text();
    assert!(home.contains("href=\"/ho-so/chuyen-den\""), "{home}");
    let waiting = receiver.get("/ho-so/chuyen-den").await.text();
    // Who is coming, before accepting: birth date and the sending unit, not only a name.
    assert!(
        waiting.contains("Lê Thị Mỹ Hạnh")
            && waiting.contains("125/QĐ-UBND")
            && waiting.contains("07/03/1985")
            && waiting.contains("Đơn vị H-CAOLANH"),
        "{waiting}"
    );
    let movement_id = waiting
        .split_once("/tiep-nhan\"")
        .and_then(|(before, _)| before.rsplit_once("/ho-so/chuyen-den/"))
        .map(|(_, id)| id.to_string())
        .expect("the handover");
    let csrf = value_of(&waiting, "_csrf");
    // The sending clerk cannot settle it in the receiver's place.
    let csrf_sender = clerk.csrf("/").await;
    let refused = clerk
        .post(
            &format!("/ho-so/chuyen-den/{movement_id}/tiep-nhan"),
            &[("_csrf", &csrf_sender)],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text());
    let accepted = receiver
        .post(
            &format!("/ho-so/chuyen-den/{movement_id}/tiep-nhan"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(accepted.status, 303, "{}", accepted.text());
    let theirs_now = receiver.get(&format!("/ho-so/{}", ours.id)).await.text();
    assert!(
        theirs_now.contains("Lê Thị Mỹ Hạnh")
            && theirs_now.contains("Điều động, chuyển công tác")
            && theirs_now.contains("125/QĐ-UBND")
            && theirs_now.contains("Đã thực hiện"),
        "{theirs_now}"
    );
    assert_eq!(clerk.get(&format!("/ho-so/{}", ours.id)).await.status, 403);
}

#[tokio::test]
async fn a_service_that_is_down_gives_a_page_with_a_retry_not_an_error_dump() {
    let console_db = tinhso_testkit::database().await;
    // A port nothing listens on.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port");
    let env = vec![
        ("TINHSO_IDENTITY_URL".to_string(), format!("http://{dead}")),
        ("TINHSO_PERSONNEL_URL".to_string(), format!("http://{dead}")),
        ("TINHSO_SECURE_COOKIES".to_string(), "false".to_string()),
        ("TINHSO_DATABASE__URL".to_string(), console_db.url.clone()),
    ];
    let console = Console::open(
        ConsoleConfig::load(None, &env).expect("console config"),
        console_db.db.clone(),
        tinhso_platform::clock::system(),
    )
    .await
    .expect("console");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = console.router();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut browser = Browser {
        addr,
        cookies: HashMap::new(),
    };
    let csrf = browser.csrf("/dang-nhap").await;
    let r = browser
        .post(
            "/dang-nhap",
            &[
                ("_csrf", &csrf),
                ("username", "admin"),
                ("password", "bat-ky"),
            ],
        )
        .await;
    assert_eq!(r.status, 503, "{}", r.text());
    let page = r.text();
    assert!(
        page.contains("Hệ thống đang bận") && page.contains("Thử lại"),
        "{page}"
    );
    assert!(
        !page.contains("tonic") && !page.contains("transport"),
        "no internals shown"
    );
}

#[tokio::test]
async fn the_audit_trail_is_filtered_in_the_url_and_downloads_whole() {
    let site = start().await;
    let mut admin = Browser::new(&site);
    admin
        .sign_in("admin", ADMIN_PASSWORD, Some(NEW_PASSWORD))
        .await;
    let admin_token = site.province.log_in("admin", NEW_PASSWORD).await;
    let district = site
        .province
        .unit(
            &admin_token,
            "H-CHAUTHANH",
            &site.root_id,
            tinhso_proto::identity::v1::UnitKind::District,
        )
        .await;
    let _clerk = site
        .province
        .person(
            &admin_token,
            "nhaplieu.chauthanh",
            &district.id,
            "data_entry",
            Some(&district.id),
            "",
        )
        .await;
    let page = admin.get("/nhat-ky?action=account.created").await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(
        text.contains("account.created") && !text.contains("unit.created</td>"),
        "{text}"
    );
    let bad = admin.get("/nhat-ky?tu=32/13/2026").await;
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("href=\"#tu\""));
    let csv = admin.get("/nhat-ky/tai-ve?action=account.created").await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.header("content-type")
            .is_some_and(|t| t.starts_with("text/csv"))
    );
    assert!(
        csv.header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment"))
    );
    let body = csv.text();
    assert!(
        body.contains("account.created") && !body.contains("unit.created"),
        "{body}"
    );
    // A clerk has no audit trail: no menu entry, the page refused.
    let mut clerk = site.signed_in("nhaplieu.chauthanh").await;
    assert!(!clerk.get("/").await.text().contains("href=\"/nhat-ky\""));
    assert_eq!(clerk.get("/nhat-ky").await.status, 403);
    assert_eq!(clerk.get("/nhat-ky/tai-ve").await.status, 403);
}

#[tokio::test]
async fn a_unit_is_renamed_and_closed_after_a_confirmation() {
    let site = start().await;
    let mut admin = Browser::new(&site);
    admin
        .sign_in("admin", ADMIN_PASSWORD, Some(NEW_PASSWORD))
        .await;
    let admin_token = site.province.log_in("admin", NEW_PASSWORD).await;
    let commune = site
        .province
        .unit(
            &admin_token,
            "X-MYHIEP",
            &site.root_id,
            tinhso_proto::identity::v1::UnitKind::Commune,
        )
        .await;
    let path = format!("/don-vi/{}", commune.id);
    let page = admin.get(&path).await.text();
    let csrf = value_of(&page, "_csrf");
    let etag = value_of(&page, "etag");
    let empty = admin
        .post(
            &format!("{path}/doi-ten"),
            &[("_csrf", &csrf), ("etag", &etag), ("name", " ")],
        )
        .await;
    assert_eq!(empty.status, 400);
    assert!(empty.text().contains("href=\"#name\""));
    let renamed = admin
        .post(
            &format!("{path}/doi-ten"),
            &[
                ("_csrf", &csrf),
                ("etag", &etag),
                ("name", "Xã Mỹ Hiệp mới"),
            ],
        )
        .await;
    assert_eq!(renamed.status, 303);
    let page = admin.get(&format!("{path}?done=renamed")).await.text();
    assert!(page.contains("Xã Mỹ Hiệp mới") && page.contains("Đã đổi tên đơn vị."));
    // The old form (its etag) can no longer rename it.
    let stale = admin
        .post(
            &format!("{path}/doi-ten"),
            &[("_csrf", &csrf), ("etag", &etag), ("name", "Tên cũ")],
        )
        .await;
    assert_eq!(stale.status, 400, "{}", stale.text());
    assert!(stale.text().contains("error-summary"));
    // A district and two communes: one commune moves under the district, the other merges into
    // it after a confirmation, its sub-unit following it.
    let district = site
        .province
        .unit(
            &admin_token,
            "H-CAOLANH",
            &site.root_id,
            tinhso_proto::identity::v1::UnitKind::District,
        )
        .await;
    let merging = site
        .province
        .unit(
            &admin_token,
            "X-BINHHANG",
            &site.root_id,
            tinhso_proto::identity::v1::UnitKind::Commune,
        )
        .await;
    let hamlet = site
        .province
        .unit(
            &admin_token,
            "AP-1",
            &merging.id,
            tinhso_proto::identity::v1::UnitKind::Department,
        )
        .await;
    let page = admin.get(&path).await.text();
    assert!(page.contains(&format!("<option value=\"{}\"", district.id)));
    let moved = admin
        .post(
            &format!("{path}/chuyen"),
            &[
                ("_csrf", &csrf),
                ("etag", &value_of(&page, "etag")),
                ("new_parent_id", &district.id),
            ],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.text());
    let merge = format!("/don-vi/{}/sap-nhap?vao={}", merging.id, district.id);
    let confirm = admin.get(&merge).await.text();
    assert!(
        confirm.contains("Đơn vị X-BINHHANG (X-BINHHANG) → Đơn vị H-CAOLANH (H-CAOLANH)"),
        "{confirm}"
    );
    let merged = admin
        .post(
            &merge,
            &[("_csrf", &csrf), ("etag", &value_of(&confirm, "etag"))],
        )
        .await;
    assert_eq!(merged.status, 303, "{}", merged.text());
    assert_eq!(
        merged.header("location"),
        Some(format!("/don-vi/{}?done=merged", district.id).as_str())
    );
    let tree = admin.get("/don-vi?q=").await.text();
    let depth = |code: &str| {
        tree.split_once(&format!("<td data-label=\"Mã\">{code}</td>"))
            .and_then(|(before, _)| before.rsplit_once("class=\"depth-"))
            .and_then(|(_, rest)| rest.split('"').next())
            .map(str::to_string)
    };
    assert_eq!(depth("X-MYHIEP"), Some("2".into()), "{tree}");
    assert_eq!(
        depth("AP-1"),
        Some("2".into()),
        "the hamlet follows the merge"
    );
    assert_eq!(depth("X-BINHHANG"), None, "the merged commune is closed");
    let _ = hamlet;
    // Closing asks first.
    let confirm = admin.get(&format!("{path}/giai-the")).await.text();
    assert!(confirm.contains("Xã Mỹ Hiệp mới (X-MYHIEP)"));
    let closed = admin
        .post(
            &format!("{path}/giai-the"),
            &[
                ("_csrf", &value_of(&confirm, "_csrf")),
                ("etag", &value_of(&confirm, "etag")),
            ],
        )
        .await;
    assert_eq!(closed.status, 303, "{}", closed.text());
    assert!(admin.get(&path).await.text().contains("Đã giải thể"));
    // The tree hides closed units unless asked, and then shows them with the open ones.
    let open_only = admin.get("/don-vi").await.text();
    assert!(!open_only.contains(&path), "{open_only}");
    let all = admin.get("/don-vi?closed=1").await.text();
    assert!(
        all.contains(&path) && all.contains("Ủy ban nhân dân tỉnh"),
        "{all}"
    );
    // A clerk of the province reads units but has no rename or close.
    let _clerk = site
        .province
        .person(
            &admin_token,
            "nhaplieu.tinh",
            &site.root_id,
            "data_entry",
            Some(&site.root_id),
            "",
        )
        .await;
    let mut clerk = site.signed_in("nhaplieu.tinh").await;
    let seen = clerk.get(&path).await.text();
    assert!(!seen.contains("/doi-ten") && !seen.contains("/giai-the"));
    let csrf = value_of(&seen, "_csrf");
    let refused = clerk
        .post(
            &format!("{path}/doi-ten"),
            &[("_csrf", &csrf), ("etag", "x"), ("name", "Y")],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text());
    let refused = clerk
        .post(
            &format!("{path}/chuyen"),
            &[
                ("_csrf", &csrf),
                ("etag", "x"),
                ("new_parent_id", &site.root_id),
            ],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text());
    assert_eq!(
        clerk
            .get(&format!("{path}/sap-nhap?vao={}", site.root_id))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn the_sections_of_a_record_are_added_and_withdrawn_in_scope() {
    use tinhso_proto::personnel::v1 as pb;
    use tinhso_proto::personnel::v1::employee_service_client::EmployeeServiceClient;
    let site = start().await;
    let admin_token = site
        .province
        .sign_in("admin", ADMIN_PASSWORD, NEW_PASSWORD)
        .await;
    let districts = site
        .province
        .two_districts(
            &admin_token,
            &site.root_id,
            ["H-THAPMUOI", "H-TANHONG"],
            "data_entry",
        )
        .await;
    site.replicated(&districts.ours.id).await;
    let record = EmployeeServiceClient::new(site.channel.clone())
        .create_employee(tinhso_testkit::authed(
            &districts.clerk.token,
            pb::CreateEmployeeRequest {
                employee: Some(pb::Employee {
                    unit_id: districts.ours.id.clone(),
                    kind: pb::EmployeeKind::CivilServant as i32,
                    full_name: "Huỳnh Văn Gia".into(),
                    birth_date: Some(tinhso_proto::common::v1::Date {
                        year: 1980,
                        month: 5,
                        day: 2,
                    }),
                    sex: pb::Sex::Male as i32,
                    ..Default::default()
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect("hired")
        .into_inner();
    let record_path = format!("/ho-so/{}", record.id);
    let mut clerk = site.signed_in("data_entry.h-thapmuoi").await;
    // A form is an item set: 2C-BNV has the agency's assessment, not HS02-VC's job position.
    let edit = clerk.get(&format!("{record_path}/sua")).await.text();
    assert!(
        edit.contains("id=\"agency_assessment\"") && !edit.contains("id=\"job_position\""),
        "{edit}"
    );
    // TT 06/2023's form added as data, with its own items; the record switched to it shows those.
    tinhso_proto::personnel::v1::catalogue_service_client::CatalogueServiceClient::new(
        site.channel.clone(),
    )
    .put_catalogue_entry(tinhso_testkit::authed(
        &admin_token,
        pb::PutCatalogueEntryRequest {
            catalogue: "form_version".into(),
            code: "2c-TT06/2023".into(),
            name: "Mẫu 2c (TT 06/2023/TT-BNV)".into(),
            attribute: "full_name birth_date sex position".into(),
            sort_order: 3,
            active: true,
            ..Default::default()
        },
    ))
    .await
    .expect("a new form");
    EmployeeServiceClient::new(site.channel.clone())
        .update_employee(tinhso_testkit::authed(
            &districts.clerk.token,
            pb::UpdateEmployeeRequest {
                id: record.id.clone(),
                form_version: Some("2c-TT06/2023".into()),
                ..Default::default()
            },
        ))
        .await
        .expect("on the new form");
    let edit = clerk.get(&format!("{record_path}/sua")).await.text();
    for (id, on_form) in [
        ("full_name", true),
        ("position", true),
        ("effective_date", true),
        ("form_version", true),
        ("place_of_birth", false),
        ("agency_assessment", false),
    ] {
        assert_eq!(
            edit.contains(&format!("id=\"{id}\"")),
            on_form,
            "{id}: {edit}"
        );
    }
    let shown = clerk.get(&record_path).await.text();
    assert!(
        shown.contains("Họ và tên khai sinh") && !shown.contains("Quê quán"),
        "{shown}"
    );
    // Back to the default form of a civil servant (2C-BNV).
    let back = EmployeeServiceClient::new(site.channel.clone())
        .update_employee(tinhso_testkit::authed(
            &districts.clerk.token,
            pb::UpdateEmployeeRequest {
                id: record.id.clone(),
                form_version: Some(String::new()),
                ..Default::default()
            },
        ))
        .await
        .expect("the default form")
        .into_inner();
    assert_eq!(back.form_version, "2C-BNV/2008");
    for heading in [
        "Đào tạo, bồi dưỡng",
        "Quan hệ gia đình",
        "Diễn biến lương",
        "Kỷ luật",
    ] {
        assert!(shown.contains(heading), "{heading}: {shown}");
    }
    // Every single item is on the edit form, catalogue items as choices; a wrong date is named
    // at its field and nothing is saved; a good edit shows the catalogue's name.
    let edit_path = format!("{record_path}/sua");
    let edit = clerk.get(&edit_path).await.text();
    assert!(
        edit.contains("<option value=\"02\">Tày</option>")
            && edit.contains("id=\"military_rank\"")
            && edit.contains("id=\"party_official_date\""),
        "{edit}"
    );
    let etag = value_of(&edit, "etag");
    let edit_csrf = value_of(&edit, "_csrf");
    let wrong = clerk
        .post(
            &edit_path,
            &[
                ("_csrf", &edit_csrf),
                ("etag", &etag),
                ("full_name", "Huỳnh Văn Gia"),
                ("ethnicity", "02"),
                ("party_admission_date", "31/04/2010"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert!(wrong.text().contains("href=\"#party_admission_date\""));
    let saved = clerk
        .post(
            &edit_path,
            &[
                ("_csrf", &edit_csrf),
                ("etag", &etag),
                ("full_name", "Huỳnh Văn Gia"),
                ("ethnicity", "02"),
                ("party_admission_date", "19/05/2010"),
                ("height_cm", "168"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    let shown = clerk.get(&record_path).await.text();
    assert!(
        shown.contains("<td>Tày</td>") && shown.contains("19/05/2010") && shown.contains("168"),
        "{shown}"
    );
    let add = format!("{record_path}/muc/gia-dinh/them");
    let form = clerk.get(&add).await.text();
    assert!(
        form.contains("<option value=\"spouse\">Vợ, chồng</option>"),
        "{form}"
    );
    let csrf = value_of(&form, "_csrf");
    // The name is required, the year must be a number: both named at their fields, nothing saved.
    let bad = clerk
        .post(
            &add,
            &[
                ("_csrf", &csrf),
                ("relationship", "spouse"),
                ("full_name", ""),
                ("birth_year", "năm 82"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    let bad = bad.text();
    assert!(bad.contains("href=\"#full_name\"") && bad.contains("href=\"#birth_year\""));
    // A year the service refuses (in the future) comes back at its field in its words.
    let future = clerk
        .post(
            &add,
            &[
                ("_csrf", &csrf),
                ("relationship", "spouse"),
                ("full_name", "Trần Thị <b>Vợ</b>"),
                ("birth_year", "2999"),
            ],
        )
        .await;
    assert_eq!(future.status, 400, "{}", future.text());
    assert!(future.text().contains("href=\"#birth_year\""));
    let saved = clerk
        .post(
            &add,
            &[
                ("_csrf", &csrf),
                ("relationship", "spouse"),
                ("full_name", "Trần Thị <b>Vợ</b>"),
                ("birth_year", "1982"),
                ("details", "Giáo viên, Trường THCS Thanh Bình"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    let shown = clerk.get(&record_path).await.text();
    assert!(
        shown.contains("Vợ, chồng")
            && shown.contains("Trần Thị &#60;b&#62;Vợ&#60;/b&#62;")
            && !shown.contains("<b>Vợ")
            && shown.contains("1982"),
        "{shown}"
    );
    // Time that does not count toward a raise: a period whose end comes before its start is
    // named at its field; an unpaid leave is kept and shown with its kind's name.
    let leave = format!("{record_path}/muc/khong-tinh-nang-luong/them");
    let form = clerk.get(&leave).await.text();
    assert!(
        form.contains("<option value=\"unpaid_leave\">Nghỉ việc riêng không hưởng lương</option>"),
        "{form}"
    );
    let backwards = clerk
        .post(
            &leave,
            &[
                ("_csrf", &csrf),
                ("kind", "unpaid_leave"),
                ("from_date", "01/03/2025"),
                ("to_date", "01/02/2025"),
            ],
        )
        .await;
    assert_eq!(backwards.status, 400, "{}", backwards.text());
    assert!(backwards.text().contains("href=\"#to_date\""));
    let kept = clerk
        .post(
            &leave,
            &[
                ("_csrf", &csrf),
                ("kind", "unpaid_leave"),
                ("from_date", "01/03/2025"),
                ("to_date", "15/04/2025"),
                ("decision_number", "3/QĐ-UBND"),
            ],
        )
        .await;
    assert_eq!(kept.status, 303, "{}", kept.text());
    let with_leave = clerk.get(&record_path).await.text();
    assert!(
        with_leave.contains("Thời gian không tính nâng bậc lương")
            && with_leave.contains("Nghỉ việc riêng không hưởng lương")
            && with_leave.contains("15/04/2025"),
        "{with_leave}"
    );
    // A clerk of another district adds nothing to it, and cannot withdraw its entries.
    let mut stranger = site.signed_in("data_entry.h-tanhong").await;
    let stranger_csrf = stranger.csrf("/").await;
    let refused = stranger
        .post(
            &add,
            &[
                ("_csrf", &stranger_csrf),
                ("relationship", "child"),
                ("full_name", "Người lạ"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text());
    let withdraw = shown
        .split("/go\"")
        .next()
        .and_then(|before| before.rsplit_once("/muc/"))
        .map(|(_, id)| format!("{record_path}/muc/{id}/go"))
        .expect("a withdraw link");
    assert_eq!(stranger.get(&withdraw).await.status, 403);
    // Withdrawing asks first, then the entry leaves the record.
    let confirm = clerk.get(&withdraw).await.text();
    assert!(confirm.contains("Trần Thị &#60;b&#62;Vợ"), "{confirm}");
    let gone = clerk
        .post(
            &withdraw,
            &[("_csrf", &csrf), ("etag", &value_of(&confirm, "etag"))],
        )
        .await;
    assert_eq!(gone.status, 303, "{}", gone.text());
    assert!(!clerk.get(&record_path).await.text().contains("Trần Thị"));
}

#[tokio::test]
async fn a_unit_reads_and_closes_its_payroll_and_sees_raises_due() {
    use tinhso_proto::common::v1::Date;
    use tinhso_proto::personnel::v1 as pb;
    use tinhso_proto::personnel::v1::employee_service_client::EmployeeServiceClient;
    use tinhso_proto::personnel::v1::section_service_client::SectionServiceClient;
    let site = start().await;
    let admin_token = site
        .province
        .sign_in("admin", ADMIN_PASSWORD, NEW_PASSWORD)
        .await;
    let districts = site
        .province
        .two_districts(
            &admin_token,
            &site.root_id,
            ["H-CHAUTHANH", "H-LAIVUNG"],
            "data_entry",
        )
        .await;
    site.replicated(&districts.ours.id).await;
    let record = EmployeeServiceClient::new(site.channel.clone())
        .create_employee(tinhso_testkit::authed(
            &districts.clerk.token,
            pb::CreateEmployeeRequest {
                employee: Some(pb::Employee {
                    unit_id: districts.ours.id.clone(),
                    kind: pb::EmployeeKind::CivilServant as i32,
                    full_name: "Ngô Thị Lương".into(),
                    birth_date: Some(Date {
                        year: 1988,
                        month: 8,
                        day: 8,
                    }),
                    sex: pb::Sex::Female as i32,
                    ..Default::default()
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect("hired")
        .into_inner();
    // Chuyên viên (01.003), step 3 for the last 35 months: the next step is due within 3 months.
    let since = tinhso_platform::clock::vietnam_today() - time::Duration::days(35 * 30 + 10);
    SectionServiceClient::new(site.channel.clone())
        .add_section_entry(tinhso_testkit::authed(
            &districts.clerk.token,
            pb::AddSectionEntryRequest {
                employee_id: record.id.clone(),
                entry: Some(pb::SectionEntry {
                    section: pb::Section::Salary as i32,
                    content: Some(pb::section_entry::Content::Salary(pb::SalaryEntry {
                        effective_date: Some(Date {
                            year: since.year(),
                            month: i32::from(u8::from(since.month())),
                            day: 1,
                        }),
                        grade_code: "01.003".into(),
                        step: 3,
                        ..Default::default()
                    })),
                    ..Default::default()
                }),
            },
        ))
        .await
        .expect("salary step");
    let mut clerk = site.signed_in("data_entry.h-chauthanh").await;
    // The month's payroll not closed yet is on the clerk's to-do list.
    let home = clerk.get("/").await.text();
    assert!(
        home.contains("href=\"/bang-luong\"")
            && home.contains("đơn vị chưa chốt bảng lương tháng này"),
        "{home}"
    );
    // NĐ 204/2004 table 2, A1 step 3: 3,00 x the base salary 2.340.000 đ (NĐ 73/2024).
    let payroll = clerk.get("/bang-luong").await;
    assert_eq!(payroll.status, 200, "{}", payroll.text());
    let payroll = payroll.text();
    assert!(
        payroll.contains("Ngô Thị Lương")
            && payroll.contains("3,00")
            && payroll.contains("7.020.000")
            && payroll.contains("<strong>8.108.100</strong>")
            && payroll.contains("Chưa chốt"),
        "{payroll}"
    );
    // The record shows the month's pay with what it is made of: a civil servant adds the 25%
    // public-service allowance (1.755.000) and pays 8% + 1,5% insurance on 7.020.000
    // (561.600 + 105.300): net 8.775.000 - 666.900 = 8.108.100.
    let shown = clerk.get(&format!("/ho-so/{}", record.id)).await.text();
    assert!(
        shown.contains("id=\"luong-thang\"")
            && shown.contains("2.340.000")
            && shown.contains("7.020.000")
            && shown.contains("1.755.000")
            && shown.contains("561.600 · 105.300 · 0")
            && shown.contains("<strong>8.108.100</strong>"),
        "{shown}"
    );
    // Three days of unpaid leave on the step: half a month more to wait, said as such.
    let leave_from = since + time::Duration::days(40);
    let leave_to = leave_from + time::Duration::days(2);
    let day = |d: time::Date| Date {
        year: d.year(),
        month: i32::from(u8::from(d.month())),
        day: i32::from(d.day()),
    };
    SectionServiceClient::new(site.channel.clone())
        .add_section_entry(tinhso_testkit::authed(
            &districts.clerk.token,
            pb::AddSectionEntryRequest {
                employee_id: record.id.clone(),
                entry: Some(pb::SectionEntry {
                    content: Some(pb::section_entry::Content::NotCounted(
                        pb::NotCountedEntry {
                            kind: "unpaid_leave".into(),
                            from_date: Some(day(leave_from)),
                            to_date: Some(day(leave_to)),
                            ..Default::default()
                        },
                    )),
                    ..Default::default()
                }),
            },
        ))
        .await
        .expect("unpaid leave");
    let raises = clerk.get("/nang-luong").await.text();
    assert!(
        raises.contains("Ngô Thị Lương")
            && raises.contains("4 (3,33)")
            && raises.contains("Kéo dài 0,5 tháng"),
        "{raises}"
    );
    // Lấp Vò's clerk asks for Châu Thành's payroll: they get their own unit's, not Châu Thành's,
    // and cannot close Châu Thành's month.
    let mut stranger = site.signed_in("data_entry.h-laivung").await;
    let theirs = stranger
        .get(&format!("/bang-luong?don_vi={}", districts.ours.id))
        .await
        .text();
    assert!(!theirs.contains("Ngô Thị Lương") && !theirs.contains("7.020.000"));
    let (year, month) = {
        let today = tinhso_platform::clock::vietnam_today();
        (today.year(), u8::from(today.month()))
    };
    let close = format!(
        "/bang-luong/chot?don_vi={}&thang={month:02}%2F{year}",
        districts.ours.id
    );
    let stranger_csrf = stranger.csrf("/").await;
    let refused = stranger.post(&close, &[("_csrf", &stranger_csrf)]).await;
    assert_eq!(refused.status, 403, "{}", refused.text());
    // Closing asks first; a closed month is kept and cannot be closed twice.
    let confirm = clerk.get(&close).await.text();
    assert!(confirm.contains("Chốt bảng lương tháng"), "{confirm}");
    let csrf = value_of(&confirm, "_csrf");
    let closed = clerk.post(&close, &[("_csrf", &csrf)]).await;
    assert_eq!(closed.status, 303, "{}", closed.text());
    let after = clerk
        .get(closed.header("location").expect("back to the payroll"))
        .await
        .text();
    assert!(
        after.contains("Đã chốt") && after.contains("data_entry.h-chauthanh"),
        "{after}"
    );
    assert!(!clerk.get("/").await.text().contains("chưa chốt bảng lương"));
    let twice = clerk.post(&close, &[("_csrf", &csrf)]).await;
    assert_eq!(twice.status, 400);
    assert!(twice.text().contains("đã được chốt"), "{}", twice.text());
    let schedule = clerk.get("/bang-luong/tien-do").await.text();
    assert!(
        schedule.contains("Đơn vị H-CHAUTHANH") && schedule.contains("7.020.000"),
        "{schedule}"
    );

    // Staffing: Home Affairs gives Châu Thành one civil servant for the year; the district's
    // clerk reads it beside the one person working, and cannot set quotas.
    let _home_affairs = site
        .province
        .person(
            &admin_token,
            "noivu.tinh",
            &site.root_id,
            "personnel_admin",
            Some(&site.root_id),
            "",
        )
        .await;
    let mut home_affairs = site.signed_in("noivu.tinh").await;
    let staffing = home_affairs.get("/bien-che").await.text();
    assert!(staffing.contains("id=\"giao-bien-che\""), "{staffing}");
    let csrf = value_of(&staffing, "_csrf");
    let set_path = format!("/bien-che?don_vi={}&nam={year}", site.root_id);
    let kind = (pb::EmployeeKind::CivilServant as i32).to_string();
    let bad = home_affairs
        .post(
            &set_path,
            &[
                ("_csrf", &csrf),
                ("unit_id", &districts.ours.id),
                ("kind", &kind),
                ("quota", "-3"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("href=\"#quota\""));
    let set = home_affairs
        .post(
            &set_path,
            &[
                ("_csrf", &csrf),
                ("unit_id", &districts.ours.id),
                ("kind", &kind),
                ("quota", "1"),
            ],
        )
        .await;
    assert_eq!(set.status, 303, "{}", set.text());
    let seen = clerk.get("/bien-che").await.text();
    assert!(
        seen.contains("Đơn vị H-CHAUTHANH") && seen.contains("1 / 1"),
        "{seen}"
    );
    assert!(!seen.contains("giao-bien-che"));
    let clerk_csrf = clerk.csrf("/").await;
    let refused = clerk
        .post(
            &format!("/bien-che?don_vi={}&nam={year}", districts.ours.id),
            &[
                ("_csrf", &clerk_csrf),
                ("unit_id", &districts.ours.id),
                ("kind", &kind),
                ("quota", "50"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text());

    // Retirements: a man born 15/08/1965 reaches 61 years 9 months (the age of 2027, NĐ
    // 135/2020) in 05/2027: he retires on 01/06/2027, to be notified by 01/12/2026 and decided
    // on by 01/03/2027.
    EmployeeServiceClient::new(site.channel.clone())
        .create_employee(tinhso_testkit::authed(
            &districts.clerk.token,
            pb::CreateEmployeeRequest {
                employee: Some(pb::Employee {
                    unit_id: districts.ours.id.clone(),
                    kind: pb::EmployeeKind::CivilServant as i32,
                    full_name: "Trần Văn Hưu".into(),
                    birth_date: Some(Date {
                        year: 1965,
                        month: 8,
                        day: 15,
                    }),
                    sex: pb::Sex::Male as i32,
                    ..Default::default()
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect("hired");
    let period = "tu=01%2F01%2F2027&den=31%2F12%2F2027";
    let retirements = clerk.get(&format!("/nghi-huu?{period}")).await;
    assert_eq!(retirements.status, 200, "{}", retirements.text());
    let retirements = retirements.text();
    assert!(
        retirements.contains("Trần Văn Hưu")
            && retirements.contains("<strong>01/06/2027</strong>")
            && retirements.contains("01/12/2026")
            && retirements.contains("01/03/2027")
            && !retirements.contains("Ngô Thị Lương"),
        "{retirements}"
    );
    let theirs = stranger
        .get(&format!("/nghi-huu?don_vi={}&{period}", districts.ours.id))
        .await
        .text();
    assert!(!theirs.contains("Trần Văn Hưu"), "{theirs}");
}

#[tokio::test]
async fn records_are_imported_from_a_checked_workbook_with_a_row_report() {
    use tinhso_platform::xlsx::{Cell, Sheet, write};
    let site = start().await;
    let admin_token = site
        .province
        .sign_in("admin", ADMIN_PASSWORD, NEW_PASSWORD)
        .await;
    let districts = site
        .province
        .two_districts(
            &admin_token,
            &site.root_id,
            ["H-TAMNONG", "H-THANHBINH"],
            "data_entry",
        )
        .await;
    site.replicated(&districts.ours.id).await;
    let mut clerk = site.signed_in("data_entry.h-tamnong").await;
    let form = clerk.get("/ho-so/nhap").await.text();
    assert!(form.contains("enctype=\"multipart/form-data\""), "{form}");
    let csrf = value_of(&form, "_csrf");
    let template = clerk.get("/ho-so/nhap/mau").await;
    assert_eq!(&template.body[..2], b"PK", "the template is an .xlsx file");
    let workbook = |rows: Vec<[&str; 4]>| {
        write(&[Sheet {
            name: "Hồ sơ".into(),
            title: None,
            headers: ["Họ và tên", "Ngày sinh", "Giới tính", "Loại"]
                .map(String::from)
                .to_vec(),
            rows: rows
                .into_iter()
                .map(|r| r.into_iter().map(Cell::from).collect())
                .collect(),
        }])
        .expect("workbook")
    };
    let action = format!("/ho-so/nhap?_csrf={csrf}");
    let unit = [("unit_id", districts.ours.id.as_str())];
    // Without the token in the address (a forged upload), nothing is read.
    let forged = clerk
        .upload("/ho-so/nhap", &unit, ("file", "a.xlsx", &workbook(vec![])))
        .await;
    assert_eq!(forged.status, 403);
    // Not a spreadsheet: said at the file field.
    let junk = clerk
        .upload(
            &action,
            &unit,
            ("file", "a.xlsx", b"day khong phai la excel"),
        )
        .await;
    assert_eq!(junk.status, 400, "{}", junk.text());
    assert!(junk.text().contains("href=\"#file\""), "{}", junk.text());
    // A row with a date that does not exist: the report names its row and column, nothing is
    // written, and the full report downloads as a workbook.
    let bad = workbook(vec![
        ["Trương Thị Một", "01/02/1990", "Nữ", "Công chức"],
        ["Trương Văn Hai", "31/02/1991", "Nam", "Công chức"],
    ]);
    let checked = clerk
        .upload(&action, &unit, ("file", "nhap.xlsx", &bad))
        .await;
    assert_eq!(checked.status, 422, "{}", checked.text());
    let report = checked.text();
    assert!(
        report.contains(">3<") && report.contains("Ngày sinh") && !report.contains("/ghi\""),
        "{report}"
    );
    let report_link = report
        .split_once("/bao-cao\"")
        .and_then(|(before, _)| before.rsplit_once("href=\""))
        .map(|(_, href)| format!("{href}/bao-cao"))
        .expect("the report's link");
    let problems = clerk.get(&report_link).await;
    assert_eq!(problems.status, 200);
    assert_eq!(&problems.body[..2], b"PK");
    assert!(
        !clerk
            .get("/ho-so?q=truong")
            .await
            .text()
            .contains("Trương Thị Một")
    );
    // The corrected file: checked, then written once; the check's upload belongs to its session.
    let good = workbook(vec![
        ["Trương Thị Một", "01/02/1990", "Nữ", "Công chức"],
        ["Trương Văn Hai", "28/02/1991", "Nam", "Công chức"],
    ]);
    let checked = clerk
        .upload(&action, &unit, ("file", "nhap.xlsx", &good))
        .await;
    assert_eq!(checked.status, 200, "{}", checked.text());
    let report = checked.text();
    let commit = report
        .split_once("/ghi\"")
        .and_then(|(before, _)| before.rsplit_once("action=\""))
        .map(|(_, href)| format!("{href}/ghi"))
        .expect("the commit form");
    let validation_id = value_of(&report, "validation_id");
    let mut stranger = site.signed_in("data_entry.h-thanhbinh").await;
    let stranger_csrf = stranger.csrf("/").await;
    let hijack = stranger
        .post(
            &commit,
            &[("_csrf", &stranger_csrf), ("validation_id", &validation_id)],
        )
        .await;
    assert_eq!(hijack.status, 404, "{}", hijack.text());
    let written = clerk
        .post(
            &commit,
            &[("_csrf", &csrf), ("validation_id", &validation_id)],
        )
        .await;
    assert_eq!(written.status, 200, "{}", written.text());
    assert!(written.text().contains("Đã ghi vào hệ thống"));
    let found = clerk.get("/ho-so?q=truong").await.text();
    assert!(
        found.contains("Trương Thị Một") && found.contains("Trương Văn Hai"),
        "{found}"
    );
    // Posted twice (a double click, the back button): the file is gone, nothing written again.
    let again = clerk
        .post(
            &commit,
            &[("_csrf", &csrf), ("validation_id", &validation_id)],
        )
        .await;
    assert_eq!(again.status, 404);
    // The list downloads as a workbook.
    let list = clerk.get("/ho-so/tai-ve?q=truong").await;
    assert_eq!(list.status, 200);
    assert_eq!(&list.body[..2], b"PK");
}

#[tokio::test]
async fn a_unit_admin_creates_accounts_from_a_csv_file_in_its_subtree_only() {
    let site = start().await;
    let admin_token = site
        .province
        .sign_in("admin", ADMIN_PASSWORD, NEW_PASSWORD)
        .await;
    let districts = site
        .province
        .two_districts(
            &admin_token,
            &site.root_id,
            ["H-HONGNGU", "H-TANCHAU"],
            "unit_admin",
        )
        .await;
    let mut unit_admin = site.signed_in("unit_admin.h-hongngu").await;
    let form = unit_admin.get("/tai-khoan/nhap").await;
    assert_eq!(form.status, 200, "{}", form.text());
    let csrf = value_of(&form.text(), "_csrf");
    let action = format!("/tai-khoan/nhap?_csrf={csrf}");
    // A name repeated in the file: listed by line and column, nothing created.
    let repeated = "ten_dang_nhap,ho_ten,ma_don_vi\n\
        vanthu.hongngu,Lê Văn Thư,H-HONGNGU\n\
        vanthu.hongngu,Lê Văn Thư Hai,H-HONGNGU\n";
    let r = unit_admin
        .upload(&action, &[], ("file", "tk.csv", repeated.as_bytes()))
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.text().contains("ten_dang_nhap") || r.text().contains("username"));
    // Accounts in another district: refused whole.
    let outside = "ten_dang_nhap,ho_ten,ma_don_vi\nketoan.tanchau,Võ Thị Kế,H-TANCHAU\n";
    let r = unit_admin
        .upload(&action, &[], ("file", "tk.csv", outside.as_bytes()))
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    let good = "ten_dang_nhap,ho_ten,ma_don_vi,chuc_vu\n\
        vanthu.hongngu,Lê Văn Thư,H-HONGNGU,Văn thư\n\
        ketoan.hongngu,Phan Thị Kế Toán,H-HONGNGU,Kế toán\n";
    let r = unit_admin
        .upload(&action, &[], ("file", "tk.csv", good.as_bytes()))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let report = r.text();
    assert!(report.contains("Tạo 2 tài khoản"), "{report}");
    let create = report
        .split_once("/tao\"")
        .and_then(|(before, _)| before.rsplit_once("action=\""))
        .map(|(_, href)| format!("{href}/tao"))
        .expect("the create form");
    let created = unit_admin.post(&create, &[("_csrf", &csrf)]).await;
    assert_eq!(created.status, 200, "{}", created.text());
    let created = created.text();
    assert!(
        created.contains("vanthu.hongngu")
            && created.contains("Phan Thị Kế Toán")
            && created.matches("class=\"secret\"").count() == 2,
        "{created}"
    );
    // The one-time password works: the new clerk signs in and must change it.
    let secret = created
        .split("class=\"secret\">")
        .nth(1)
        .and_then(|rest| rest.split_once('<'))
        .map(|(s, _)| s.to_string())
        .expect("a password");
    let first = created.find("vanthu.hongngu").unwrap_or(usize::MAX);
    let second = created.find("ketoan.hongngu").unwrap_or(usize::MAX);
    let username = if first < second {
        "vanthu.hongngu"
    } else {
        "ketoan.hongngu"
    };
    let mut newcomer = Browser::new(&site);
    newcomer
        .sign_in(username, &secret, Some("Mật khẩu mới của văn thư Hồng Ngự"))
        .await;
    // The same form again creates nothing more.
    let again = unit_admin.post(&create, &[("_csrf", &csrf)]).await;
    assert_eq!(again.status, 404);
    // Someone who cannot create accounts does not get the page.
    let mut other = Browser::new(&site);
    let _clerk = site
        .province
        .person(
            &admin_token,
            "nhaplieu.hongngu",
            &districts.ours.id,
            "data_entry",
            Some(&districts.ours.id),
            "",
        )
        .await;
    other
        .sign_in(
            "nhaplieu.hongngu",
            tinhso_testkit::province::PERSONAL_PASSWORD,
            None,
        )
        .await;
    assert_eq!(other.get("/tai-khoan/nhap").await.status, 403);
}

#[tokio::test]
async fn a_course_is_announced_staff_registered_and_results_recorded() {
    use tinhso_proto::personnel::v1 as pb;
    use tinhso_proto::personnel::v1::employee_service_client::EmployeeServiceClient;
    let site = start().await;
    let admin_token = site
        .province
        .sign_in("admin", ADMIN_PASSWORD, NEW_PASSWORD)
        .await;
    let districts = site
        .province
        .two_districts(
            &admin_token,
            &site.root_id,
            ["H-LAPVO", "H-CAOLANH"],
            "data_entry",
        )
        .await;
    site.replicated(&districts.ours.id).await;
    let record = EmployeeServiceClient::new(site.channel.clone())
        .create_employee(tinhso_testkit::authed(
            &districts.clerk.token,
            pb::CreateEmployeeRequest {
                employee: Some(pb::Employee {
                    unit_id: districts.ours.id.clone(),
                    kind: pb::EmployeeKind::CivilServant as i32,
                    full_name: "Đỗ Văn Học".into(),
                    birth_date: Some(tinhso_proto::common::v1::Date {
                        year: 1992,
                        month: 9,
                        day: 2,
                    }),
                    sex: pb::Sex::Male as i32,
                    ..Default::default()
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect("hired")
        .into_inner();
    let _home_affairs = site
        .province
        .person(
            &admin_token,
            "noivu.daotao",
            &site.root_id,
            "personnel_admin",
            Some(&site.root_id),
            "",
        )
        .await;
    let mut organiser = site.signed_in("noivu.daotao").await;
    let courses = organiser.get("/dao-tao").await.text();
    assert!(courses.contains("id=\"thong-bao\""), "{courses}");
    let csrf = value_of(&courses, "_csrf");
    let today = tinhso_platform::clock::vietnam_today();
    let today = format!(
        "{:02}/{:02}/{}",
        today.day(),
        u8::from(today.month()),
        today.year()
    );
    let announce = |start: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("request_id", value_of(&courses, "request_id")),
            (
                "title",
                "Bồi dưỡng quản lý nhà nước ngạch chuyên viên".to_string(),
            ),
            ("provider", "Trường Chính trị tỉnh".to_string()),
            ("kind", "state_management".to_string()),
            ("start_date", start.to_string()),
            ("end_date", today.clone()),
            ("registration_deadline", today.clone()),
            ("seats", "40".to_string()),
            ("hours", "120".to_string()),
        ]
    };
    let bad = announce("32/13/2026");
    let refs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = organiser.post("/dao-tao", &refs).await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("href=\"#start_date\""));
    let good = announce(&today);
    let refs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = organiser.post("/dao-tao", &refs).await;
    assert_eq!(r.status, 303, "{}", r.text());
    let course_path = r.header("location").expect("the course").to_string();
    // A district clerk cannot announce courses, and registers her own staff.
    let mut clerk = site.signed_in("data_entry.h-lapvo").await;
    assert!(clerk.get("/").await.text().contains("href=\"/dao-tao\""));
    assert!(!clerk.get("/dao-tao").await.text().contains("thong-bao"));
    let page = clerk
        .get(&format!("{course_path}?q=do+van+hoc"))
        .await
        .text();
    assert!(page.contains("Đỗ Văn Học"), "{page}");
    let clerk_csrf = value_of(&page, "_csrf");
    let registered = clerk
        .post(
            &format!("{course_path}/dang-ky"),
            &[("_csrf", &clerk_csrf), ("employee_id", &record.id)],
        )
        .await;
    assert_eq!(registered.status, 303, "{}", registered.text());
    let page = clerk.get(&course_path).await.text();
    assert!(
        page.contains("Đỗ Văn Học") && page.contains("data_entry.h-lapvo"),
        "{page}"
    );
    // The other district's clerk neither sees nor withdraws it.
    let mut stranger = site.signed_in("data_entry.h-caolanh").await;
    let theirs = stranger.get(&course_path).await.text();
    assert!(!theirs.contains("Đỗ Văn Học"), "{theirs}");
    let registration = page
        .split_once("/rut\"")
        .and_then(|(before, _)| before.rsplit_once("/dang-ky/"))
        .map(|(_, id)| id.to_string())
        .expect("a registration");
    let stranger_csrf = value_of(&theirs, "_csrf");
    let refused = stranger
        .post(
            &format!("{course_path}/dang-ky/{registration}/rut"),
            &[("_csrf", &stranger_csrf)],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text());
    // The organiser records the result; the hours count for the year and enter the record.
    let graded = organiser
        .post(
            &format!("{course_path}/dang-ky/{registration}/ket-qua"),
            &[
                ("_csrf", &csrf),
                ("result", "3"),
                ("certificate", "QLNN-2026-015"),
            ],
        )
        .await;
    assert_eq!(graded.status, 303, "{}", graded.text());
    let hours = clerk.get("/dao-tao/gio-hoc").await.text();
    assert!(
        hours.contains("Đỗ Văn Học") && hours.contains(">120<"),
        "{hours}"
    );
    let shown = clerk.get(&format!("/ho-so/{}", record.id)).await.text();
    assert!(shown.contains("Trường Chính trị tỉnh"), "{shown}");
}

#[tokio::test]
async fn honours_are_entered_counted_and_downloaded_in_scope() {
    let site = start().await;
    let admin_token = site
        .province
        .sign_in("admin", ADMIN_PASSWORD, NEW_PASSWORD)
        .await;
    let districts = site
        .province
        .two_districts(
            &admin_token,
            &site.root_id,
            ["H-THANHBINH", "H-TAMNONG"],
            "data_entry",
        )
        .await;
    site.replicated(&districts.ours.id).await;
    let mut clerk = site.signed_in("data_entry.h-thanhbinh").await;
    assert!(
        clerk
            .get("/")
            .await
            .text()
            .contains("href=\"/khen-thuong\"")
    );
    let page = clerk.get("/khen-thuong").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let page = page.text();
    assert!(page.contains("<option value=\"heroic_mother\""), "{page}");
    let csrf = value_of(&page, "_csrf");
    let action = format!("/khen-thuong?don_vi={}", districts.ours.id);
    let honour = |date: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("request_id", value_of(&page, "request_id")),
            ("kind", "heroic_mother".to_string()),
            ("recipient_name", "Nguyễn Thị Thứ".to_string()),
            ("birth_year", "1904".to_string()),
            ("home_town", "Thanh Bình, Đồng Tháp".to_string()),
            ("decision_number", "394/KT-CTN".to_string()),
            ("decision_date", date.to_string()),
            ("issuer", "Chủ tịch nước".to_string()),
            ("posthumous", "1".to_string()),
        ]
    };
    let bad = honour("17/12/19944");
    let refs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = clerk.post(&action, &refs).await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("href=\"#decision_date\""));
    let good = honour("17/12/1994");
    let refs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = clerk.post(&action, &refs).await;
    assert_eq!(r.status, 303, "{}", r.text());
    let page = clerk
        .get("/khen-thuong?tu=1990&den=1995&q=thu")
        .await
        .text();
    assert!(
        page.contains("Nguyễn Thị Thứ (truy tặng)") && page.contains("394/KT-CTN (17/12/1994)"),
        "{page}"
    );
    let workbook = clerk.get("/khen-thuong/tai-ve?tu=1990&den=1995").await;
    assert_eq!(workbook.status, 200);
    assert_eq!(&workbook.body[..2], b"PK");
    // Tam Nông's clerk does not see Thanh Bình's honours, even asking for them.
    let mut stranger = site.signed_in("data_entry.h-tamnong").await;
    let theirs = stranger
        .get(&format!("/khen-thuong?don_vi={}&q=thu", districts.ours.id))
        .await
        .text();
    assert!(!theirs.contains("Nguyễn Thị Thứ"));
    let stranger_csrf = value_of(&theirs, "_csrf");
    let mut forged = good.clone();
    forged[0].1 = stranger_csrf;
    forged[1].1 = "another-request".into();
    let refs: Vec<(&str, &str)> = forged.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // Entering one into Thanh Bình is refused, not quietly put into the stranger's own unit.
    let r = stranger.post(&action, &refs).await;
    assert_eq!(r.status, 403, "{}", r.text());
}

#[tokio::test]
async fn home_affairs_keeps_the_catalogues_and_others_only_read_them() {
    let site = start().await;
    let admin_token = site
        .province
        .sign_in("admin", ADMIN_PASSWORD, NEW_PASSWORD)
        .await;
    for (username, role) in [
        ("noivu.danhmuc", "personnel_admin"),
        ("nhaplieu.danhmuc", "data_entry"),
    ] {
        site.province
            .person(
                &admin_token,
                username,
                &site.root_id,
                role,
                Some(&site.root_id),
                "",
            )
            .await;
    }
    let mut keeper = site.signed_in("noivu.danhmuc").await;
    let home = keeper.get("/").await.text();
    assert!(home.contains("href=\"/danh-muc\""));
    let list = keeper.get("/danh-muc").await.text();
    assert!(list.contains("href=\"/danh-muc/religion\""), "{list}");
    let page = keeper.get("/danh-muc/religion").await.text();
    let csrf = value_of(&page, "_csrf");
    let empty = keeper
        .post(
            "/danh-muc/religion",
            &[("_csrf", &csrf), ("code", ""), ("name", "Tịnh độ cư sĩ")],
        )
        .await;
    assert_eq!(empty.status, 400, "{}", empty.text());
    assert!(empty.text().contains("href=\"#code\""));
    let saved = keeper
        .post(
            "/danh-muc/religion",
            &[
                ("_csrf", &csrf),
                ("code", "TDCS"),
                ("name", "Tịnh độ cư sĩ Phật hội Việt Nam"),
                ("attribute", "1"),
                ("sort_order", "90"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text());
    // A grade names the BM02 column it counts under: 01.005 Nhân viên shows as "Nhân viên";
    // an unknown column is refused at its field.
    let grades = keeper.get("/danh-muc/grade?sua=01.005").await.text();
    assert!(
        grades.contains("id=\"report_column\"")
            && grades.contains("<option value=\"grade_c\" selected>Nhân viên</option>"),
        "{grades}"
    );
    for (column, status) in [("grade_z", 400), ("grade_a0_b", 303)] {
        let reply = keeper
            .post(
                "/danh-muc/grade",
                &[
                    ("_csrf", &csrf),
                    ("code", "01.005"),
                    ("name", "Nhân viên"),
                    ("attribute", "B"),
                    ("report_column", column),
                    ("sort_order", "5"),
                    ("active", "1"),
                ],
            )
            .await;
        assert_eq!(reply.status, status, "{column}: {}", reply.text());
        if status == 400 {
            assert!(reply.text().contains("href=\"#report_column\""));
        }
    }
    let grades = keeper.get("/danh-muc/grade?sua=01.005").await.text();
    assert!(grades.contains("<option value=\"grade_a0_b\" selected>"));
    // Everyone reads it (it appears in the record forms); only its keeper may change it.
    let mut clerk = site.signed_in("nhaplieu.danhmuc").await;
    assert!(!clerk.get("/").await.text().contains("href=\"/danh-muc\""));
    let read = clerk.get("/danh-muc/religion").await.text();
    assert!(
        read.contains("Tịnh độ cư sĩ Phật hội Việt Nam") && !read.contains("id=\"sua-muc\""),
        "{read}"
    );
    let clerk_csrf = value_of(&read, "_csrf");
    let refused = clerk
        .post(
            "/danh-muc/religion",
            &[
                ("_csrf", &clerk_csrf),
                ("code", "TDCS"),
                ("name", "Đổi tên"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text());
}

#[tokio::test]
async fn the_system_administrator_composes_a_role_and_others_only_read_roles() {
    let site = start().await;
    let mut admin = Browser::new(&site);
    admin
        .sign_in("admin", ADMIN_PASSWORD, Some(NEW_PASSWORD))
        .await;
    let admin_token = site.province.log_in("admin", NEW_PASSWORD).await;
    let page = admin.get("/tai-khoan/vai-tro").await.text();
    assert!(
        page.contains("id=\"vai-tro-moi\"") && page.contains("value=\"personnel.record.read\""),
        "{page}"
    );
    let csrf = value_of(&page, "_csrf");
    let none = admin
        .post(
            "/tai-khoan/vai-tro",
            &[("_csrf", &csrf), ("code", "van_thu"), ("name", "Văn thư")],
        )
        .await;
    assert_eq!(none.status, 400);
    assert!(none.text().contains("href=\"#permissions\""));
    let made = admin
        .post(
            "/tai-khoan/vai-tro",
            &[
                ("_csrf", &csrf),
                ("code", "van_thu"),
                ("name", "Văn thư đơn vị"),
                ("permission", "identity.unit.read"),
                ("permission", "personnel.record.read"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.text());
    let listed = admin.get("/tai-khoan/vai-tro").await.text();
    assert!(listed.contains("Văn thư đơn vị") && listed.contains("tự định nghĩa"));
    // A unit administrator reads the roles (to grant them) but composes none.
    let district = site
        .province
        .unit(
            &admin_token,
            "H-HONGNGU",
            &site.root_id,
            tinhso_proto::identity::v1::UnitKind::District,
        )
        .await;
    site.province
        .person(
            &admin_token,
            "qtdv.hongngu",
            &district.id,
            "unit_admin",
            Some(&district.id),
            "",
        )
        .await;
    let mut unit_admin = site.signed_in("qtdv.hongngu").await;
    let read = unit_admin.get("/tai-khoan/vai-tro").await.text();
    assert!(read.contains("Văn thư đơn vị") && !read.contains("vai-tro-moi"));
    let refused = unit_admin
        .post(
            "/tai-khoan/vai-tro",
            &[
                ("_csrf", &value_of(&read, "_csrf")),
                ("code", "sieu_quyen"),
                ("name", "Siêu quyền"),
                ("permission", "identity.unit.read"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text());
}

/// Posts `fields` (owned values) as a form.
async fn send(b: &mut Browser, path: String, fields: Vec<(&str, String)>) -> HttpResponse {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post(&path, &refs).await
}

/// The href of the first link in `html` starting with `prefix`, without its query.
fn link_to(html: &str, prefix: &str) -> String {
    let at = html
        .find(&format!("href=\"{prefix}"))
        .unwrap_or_else(|| panic!("no link to {prefix}"));
    let rest = &html[at + 6..];
    let end = rest.find(['"', '?']).expect("end of the link");
    rest[..end].to_string()
}

#[tokio::test]
async fn a_commune_does_its_welfare_month_and_the_district_and_province_approve() {
    use tinhso_proto::identity::v1::UnitKind;
    let site = start().await;
    let admin = site
        .province
        .sign_in("admin", ADMIN_PASSWORD, NEW_PASSWORD)
        .await;
    let p = &site.province;
    let district = p
        .unit(&admin, "H-SONTINH", &site.root_id, UnitKind::District)
        .await;
    let commune = p
        .unit(&admin, "X-TINHHA", &district.id, UnitKind::Commune)
        .await;
    let other = p
        .unit(&admin, "H-TUNGHIA", &site.root_id, UnitKind::District)
        .await;
    for (username, unit, role) in [
        ("nhaplieu.tinhha", &commune.id, "data_entry"),
        ("ldtbxh.sontinh", &district.id, "welfare_labour_verifier"),
        ("tckh.sontinh", &district.id, "welfare_district_finance"),
        ("nhaplieu.tunghia", &other.id, "data_entry"),
        ("snv", &site.root_id, "personnel_admin"),
    ] {
        p.person(&admin, username, unit, role, Some(unit), "").await;
    }
    p.person(
        &admin,
        "stc",
        &site.root_id,
        "welfare_provincial_finance",
        Some(&site.root_id),
        "",
    )
    .await;
    let welfare = site.welfare.clone();
    let commune_id = commune.id.clone();
    assert!(
        tinhso_testkit::eventually(20, move || {
            let (db, id) = (welfare.db.clone(), commune_id.clone());
            async move {
                tinhso_welfare::store::units::get(&db.pool, &id)
                    .await
                    .ok()
                    .flatten()
                    .is_some()
            }
        })
        .await,
        "the commune reached welfare"
    );

    let mut clerk = site.signed_in("nhaplieu.tinhha").await;
    let home = clerk.get("/").await.text();
    assert!(
        home.contains("href=\"/an-sinh\""),
        "the menu offers welfare"
    );
    let page = clerk.get("/an-sinh").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let csrf = value_of(&page.text(), "_csrf");
    let add = format!("/an-sinh?don_vi={}", commune.id);
    let person = |born: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("kind", "person".to_string()),
            ("full_name", "Trương Thị Bưởi".to_string()),
            ("birth_date", born.to_string()),
            ("sex", "female".to_string()),
            ("citizen_id", "051142003344".to_string()),
        ]
    };
    let r = send(&mut clerk, add.clone(), person("31/02/1942")).await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("href=\"#birth_date\""), "{}", r.text());
    let r = send(&mut clerk, add.clone(), person("14/02/1942")).await;
    assert_eq!(r.status, 303, "{}", r.text());
    let record_path = r.header("location").expect("to the record").to_string();
    let record = clerk.get(&record_path).await.text();
    assert!(record.contains("Đã thêm đối tượng."), "{record}");
    let record_path = record_path.split('?').next().expect("path").to_string();

    // Enrolled in the monthly social allowance; the category outside the table is named.
    let enrol = |category: &str| {
        vec![
            ("_csrf", csrf.clone()),
            ("policy", "TCXH".to_string()),
            ("category", category.to_string()),
            ("quantity", String::new()),
            ("level", String::new()),
            ("decision_number", "88/QĐ-UBND".to_string()),
            ("decision_date", "05/08/2025".to_string()),
            ("start_date", "05/08/2025".to_string()),
        ]
    };
    let r = send(&mut clerk, format!("{record_path}/che-do"), enrol("")).await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("href=\"#category\""), "{}", r.text());
    let r = send(
        &mut clerk,
        format!("{record_path}/che-do"),
        enrol("elderly_80_no_pension"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let record = clerk.get(&record_path).await.text();
    assert!(record.contains("Chờ xác minh"), "{record}");
    let enrolment_path = link_to(&record, "/an-sinh/che-do/");

    // The district's Labour office verifies from its queue.
    let mut labour = site.signed_in("ldtbxh.sontinh").await;
    let queue = labour
        .get(&format!("/an-sinh/xac-minh?don_vi={}", district.id))
        .await
        .text();
    assert!(queue.contains("Trương Thị Bưởi"), "{queue}");
    let page = labour.get(&enrolment_path).await.text();
    assert!(page.contains("Xác minh đúng đối tượng"), "{page}");
    let r = labour
        .post(
            &format!("{enrolment_path}/xac-minh"),
            &[
                ("_csrf", &value_of(&page, "_csrf")),
                ("version", &value_of(&page, "version")),
                ("verified", "1"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert!(
        clerk
            .get(&enrolment_path)
            .await
            .text()
            .contains("Đang hưởng")
    );

    // The month: 1.0 x 500,000; the list is prepared, marked, funded and submitted.
    let month = format!(
        "/an-sinh/chi-tra?don_vi={}&thang=2025-08&chinh_sach=TCXH",
        commune.id
    );
    let page = clerk.get(&month).await.text();
    assert!(page.contains("500.000"), "{page}");
    // Without a policy named, the month opens on the one the commune pays (not BHYT, first by
    // code, which nobody here has).
    let page = clerk
        .get(&format!(
            "/an-sinh/chi-tra?don_vi={}&thang=2025-08",
            commune.id
        ))
        .await
        .text();
    assert!(
        page.contains("<option value=\"TCXH\" selected>") && page.contains("500.000"),
        "{page}"
    );
    let r = clerk
        .post(
            "/an-sinh/chi-tra/lap",
            &[
                ("_csrf", &csrf),
                ("don_vi", &commune.id),
                ("thang", "2025-08"),
                ("chinh_sach", "TCXH"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let list_path = r
        .header("location")
        .expect("the list")
        .split('?')
        .next()
        .expect("path")
        .to_string();
    let page = clerk.get(&list_path).await.text();
    let enrolment_id = enrolment_path.rsplit('/').next().expect("id").to_string();
    let step = |page: &str, action: &str, reason: &str| {
        vec![
            ("_csrf", value_of(page, "_csrf")),
            ("version", value_of(page, "version")),
            ("action", action.to_string()),
            ("reason", reason.to_string()),
        ]
    };
    let r = send(
        &mut clerk,
        format!("{list_path}/buoc"),
        step(&page, "submit", ""),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("Còn 1 dòng"), "{}", r.text());
    let pay = format!("pay.{enrolment_id}");
    let on = format!("on.{enrolment_id}");
    let method = format!("method.{enrolment_id}");
    let r = clerk
        .post(
            &format!("{list_path}/ghi"),
            &[
                ("_csrf", &value_of(&page, "_csrf")),
                ("version", &value_of(&page, "version")),
                (&pay, "paid"),
                (&on, "10/08/2025"),
                (&method, "cash"),
                ("funded", "500.000"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let page = clerk
        .get(r.header("location").expect("back to the list"))
        .await
        .text();
    assert!(page.contains("Đã ghi chi trả."), "{page}");
    assert!(page.contains("<dt>Đã chi</dt><dd>500.000</dd>"), "{page}");
    let r = send(
        &mut clerk,
        format!("{list_path}/buoc"),
        step(&page, "submit", ""),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());

    // District Finance returns it with a reason, the commune resubmits, Finance appraises.
    let mut finance = site.signed_in("tckh.sontinh").await;
    let page = finance.get(&list_path).await.text();
    let r = send(
        &mut finance,
        format!("{list_path}/buoc"),
        step(&page, "return", ""),
    )
    .await;
    assert_eq!(r.status, 400);
    let r = send(
        &mut finance,
        format!("{list_path}/buoc"),
        step(&page, "return", "Thiếu chữ ký người nhận"),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let page = clerk.get(&list_path).await.text();
    assert!(page.contains("Thiếu chữ ký người nhận"), "{page}");
    let r = send(
        &mut clerk,
        format!("{list_path}/buoc"),
        step(&page, "submit", ""),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let page = finance.get(&list_path).await.text();
    let r = send(
        &mut finance,
        format!("{list_path}/buoc"),
        step(&page, "appraise", ""),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    // The province approves and reads the roll-up.
    let mut province = site.signed_in("stc").await;
    let page = province.get(&list_path).await.text();
    let r = send(
        &mut province,
        format!("{list_path}/buoc"),
        step(&page, "approve", ""),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert!(
        province
            .get(&list_path)
            .await
            .text()
            .contains("Đã phê duyệt")
    );
    let roll = province
        .get("/an-sinh/chi-tra?thang=2025-08&chinh_sach=TCXH")
        .await
        .text();
    assert!(
        roll.contains("Đơn vị H-SONTINH") && roll.contains("500.000"),
        "{roll}"
    );

    // A policy not paid monthly is shown by its own period: a month typed for the yearly
    // rice-land support is refused at the field, and the page opens on this year.
    let yearly = province
        .get("/an-sinh/chi-tra?thang=2025-08&chinh_sach=DATLUA")
        .await;
    assert_eq!(yearly.status, 400);
    let this_year = tinhso_platform::clock::vietnam_today().year().to_string();
    assert!(
        yearly.text().contains("năm ghi 4 chữ số")
            && yearly.text().contains(&format!("value=\"{this_year}\""))
            && yearly.text().contains("(hằng năm)"),
        "{}",
        yearly.text()
    );
    // The year's report counts every policy over the year.
    let year = province.get("/an-sinh/bao-cao?thang=2025").await.text();
    assert!(
        year.contains("Báo cáo chi trả kỳ 2025")
            && year.contains("Hỗ trợ bảo vệ và phát triển đất trồng lúa")
            && year.contains("Đơn vị H-SONTINH"),
        "{year}"
    );

    // The reports and lists download as workbooks.
    let report = province.get("/an-sinh/bao-cao?thang=2025-08").await.text();
    assert!(
        report.contains("Đơn vị H-SONTINH") && report.contains("500.000"),
        "{report}"
    );
    for path in [
        "/an-sinh/bao-cao/tai-ve?thang=2025-08".to_string(),
        format!("{list_path}/tai-ve"),
    ] {
        let file = province.get(&path).await;
        assert_eq!(&file.body[..2], b"PK", "{path} is an .xlsx file");
    }
    let file = clerk.get("/an-sinh/tai-ve").await;
    assert_eq!(
        &file.body[..2],
        b"PK",
        "the beneficiaries' list is an .xlsx file"
    );

    // Next year's estimate: 12 x 1.0 x 500,000; district Finance funds and appraises it, the
    // province approves.
    let r = clerk
        .post(
            &format!("/an-sinh/du-toan?don_vi={}&nam=2026", commune.id),
            &[
                ("_csrf", &csrf),
                ("policy", "TCXH"),
                ("carried_over", "0"),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let estimate_path = r.header("location").expect("the estimate").to_string();
    let page = clerk.get(&estimate_path).await.text();
    assert!(page.contains("6.000.000"), "{page}");
    let r = send(
        &mut clerk,
        format!("{estimate_path}/buoc"),
        step(&page, "submit", ""),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let page = finance.get(&estimate_path).await.text();
    let mut appraise = step(&page, "appraise", "");
    appraise.push(("central", "6.000.000".to_string()));
    let r = send(&mut finance, format!("{estimate_path}/buoc"), appraise).await;
    assert_eq!(r.status, 303, "{}", r.text());
    let page = province.get(&estimate_path).await.text();
    let r = send(
        &mut province,
        format!("{estimate_path}/buoc"),
        step(&page, "approve", ""),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let page = province.get(&estimate_path).await.text();
    assert!(
        page.contains("Đã phê duyệt") && page.contains("Ngân sách trung ương"),
        "{page}"
    );

    // Outside the district, nothing is read or written.
    let mut stranger = site.signed_in("nhaplieu.tunghia").await;
    assert_eq!(stranger.get(&estimate_path).await.status, 403);
    let list_file = format!("{list_path}/tai-ve");
    for path in [&record_path, &enrolment_path, &list_path, &list_file] {
        let r = stranger.get(path).await;
        assert_eq!(r.status, 403, "{path}: {}", r.text());
    }
    let stranger_csrf = stranger.csrf("/an-sinh").await;
    let r = stranger
        .post(
            &format!("{list_path}/ghi"),
            &[("_csrf", &stranger_csrf), ("version", "1"), ("funded", "1")],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    let r = stranger
        .post(
            &format!("/an-sinh?don_vi={}", commune.id),
            &[("_csrf", &stranger_csrf), ("full_name", "Người lạ")],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    let r = stranger
        .post(
            "/an-sinh/tham-so",
            &[
                ("_csrf", &stranger_csrf),
                ("kind", "social_assistance_base"),
                ("effective_from", "01/01/2027"),
                ("value", "600000"),
                ("legal_basis", "Không có"),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    // Provincial Finance adds a policy of the province from the parameters page; no one else.
    let policy = |csrf: &str| {
        vec![
            ("_csrf", csrf.to_string()),
            ("code", "TET-HN".to_string()),
            ("name", "Quà Tết cho hộ nghèo".to_string()),
            ("legal_basis", "NQ 5/2026/NQ-HĐND".to_string()),
            ("group", "social_assurance".to_string()),
            ("kind", "household".to_string()),
            ("rule", "fixed_per_level".to_string()),
            ("levels", "ngheo=500.000; can_ngheo=300.000".to_string()),
            ("frequency", "one_off".to_string()),
            ("verifier", "labour".to_string()),
            ("in_force_from", "15/01/2027".to_string()),
            ("in_force_to", "10/03/2027".to_string()),
        ]
    };
    let province_csrf = province.csrf("/an-sinh/tham-so").await;
    // Its days in force are asked for: a day that does not exist is refused at its field.
    let mut bad = policy(&province_csrf);
    bad.retain(|(k, _)| *k != "in_force_to");
    bad.push(("in_force_to", "31/02/2027".to_string()));
    let r = send(&mut province, "/an-sinh/chinh-sach".into(), bad).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(
        r.text().contains("Hãy nhập một ngày có thật"),
        "{}",
        r.text()
    );
    assert!(
        !province
            .get("/an-sinh/tham-so")
            .await
            .text()
            .contains("Quà Tết cho hộ nghèo")
    );
    let r = send(
        &mut province,
        "/an-sinh/chinh-sach".into(),
        policy(&province_csrf),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let page = province.get("/an-sinh/tham-so").await.text();
    assert!(
        page.contains("Quà Tết cho hộ nghèo")
            && page.contains("ngheo = 500.000")
            && page.contains("15/01/2027 – 10/03/2027"),
        "{page}"
    );
    let r = send(
        &mut stranger,
        "/an-sinh/chinh-sach".into(),
        policy(&stranger_csrf),
    )
    .await;
    assert_eq!(r.status, 403, "{}", r.text());
    // Home Affairs holds no welfare permission: no menu entry, no page.
    let mut home_affairs = site.signed_in("snv").await;
    assert!(
        !home_affairs
            .get("/")
            .await
            .text()
            .contains("href=\"/an-sinh\"")
    );
    assert_eq!(home_affairs.get("/an-sinh").await.status, 403);
    assert_eq!(home_affairs.get("/an-sinh/tham-so").await.status, 403);
}

#[tokio::test]
async fn a_commune_imports_its_beneficiaries_fixes_the_reported_rows_and_writes_them() {
    use tinhso_platform::xlsx::{Cell, Sheet, write};
    use tinhso_proto::identity::v1::UnitKind;
    let site = start().await;
    let admin = site
        .province
        .sign_in("admin", ADMIN_PASSWORD, NEW_PASSWORD)
        .await;
    let p = &site.province;
    let commune = p
        .unit(&admin, "X-NGHIAKY", &site.root_id, UnitKind::Commune)
        .await;
    let other = p
        .unit(&admin, "X-NGHIATHO", &site.root_id, UnitKind::Commune)
        .await;
    p.person(
        &admin,
        "nhaplieu.nghiaky",
        &commune.id,
        "data_entry",
        Some(&commune.id),
        "",
    )
    .await;
    p.person(
        &admin,
        "nhaplieu.nghiatho",
        &other.id,
        "data_entry",
        Some(&other.id),
        "",
    )
    .await;
    let welfare = site.welfare.clone();
    let commune_id = commune.id.clone();
    assert!(
        tinhso_testkit::eventually(20, move || {
            let (db, id) = (welfare.db.clone(), commune_id.clone());
            async move {
                tinhso_welfare::store::units::get(&db.pool, &id)
                    .await
                    .ok()
                    .flatten()
                    .is_some()
            }
        })
        .await
    );
    let workbook = |rows: Vec<[&str; 12]>| {
        write(&[Sheet {
            name: "Đối tượng".into(),
            title: None,
            headers: [
                "Họ và tên",
                "Ngày sinh",
                "Giới tính",
                "Số CCCD",
                "Mã xã",
                "Mã chính sách",
                "Mã đối tượng",
                "Số lượng",
                "Số quyết định",
                "Ngày quyết định",
                "Hưởng từ ngày",
                "Đến ngày",
            ]
            .map(String::from)
            .to_vec(),
            rows: rows
                .into_iter()
                .map(|r| r.into_iter().map(Cell::from).collect())
                .collect(),
        }])
        .expect("workbook")
    };
    let person = |name: &'static str, born: &'static str| {
        [
            name,
            born,
            "Nữ",
            "",
            "X-NGHIAKY",
            "TCXH",
            "elderly_80_no_pension",
            "",
            "3/QĐ-UBND",
            "02/01/2025",
            "02/01/2025",
            "",
        ]
    };
    let mut clerk = site.signed_in("nhaplieu.nghiaky").await;
    let form = clerk.get("/an-sinh/nhap").await.text();
    let csrf = value_of(&form, "_csrf");
    let template = clerk.get("/an-sinh/nhap/mau").await;
    assert_eq!(&template.body[..2], b"PK", "the template is an .xlsx file");
    let action = format!("/an-sinh/nhap?_csrf={csrf}");
    // As the page's form sends it: the unit switcher's field.
    let unit = [("don_vi", commune.id.as_str())];
    let bad = workbook(vec![
        person("Nguyễn Thị Một", "01/01/1941"),
        person("Nguyễn Thị Hai", "30/02/1942"),
    ]);
    let r = clerk
        .upload(&action, &unit, ("file", "nhap.xlsx", &bad))
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let report_path = r.header("location").expect("the report").to_string();
    let report = clerk.get(&report_path).await.text();
    assert!(
        report.contains("<td data-label=\"Dòng\">3</td>") && report.contains("Ngày sinh"),
        "{report}"
    );
    assert!(report.contains("<dd id=\"valid-rows\">1</dd>"), "{report}");
    let file = clerk.get(&format!("{report_path}/bao-cao")).await;
    assert_eq!(&file.body[..2], b"PK", "the report downloads as .xlsx");
    // Another commune's clerk sees nothing of it.
    let mut stranger = site.signed_in("nhaplieu.nghiatho").await;
    assert_eq!(stranger.get(&report_path).await.status, 403);
    let stranger_csrf = stranger.csrf("/an-sinh").await;
    let r = stranger
        .post(&format!("{report_path}/ghi"), &[("_csrf", &stranger_csrf)])
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    // The clerk cancels, fixes the row and uploads again, then writes.
    let r = clerk
        .post(&format!("{report_path}/huy"), &[("_csrf", &csrf)])
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    let fixed = workbook(vec![
        person("Nguyễn Thị Một", "01/01/1941"),
        person("Nguyễn Thị Hai", "28/02/1942"),
    ]);
    let r = clerk
        .upload(&action, &unit, ("file", "nhap.xlsx", &fixed))
        .await;
    let report_path = r.header("location").expect("the report").to_string();
    let report = clerk.get(&report_path).await.text();
    assert!(
        report.contains("<dd id=\"problem-count\">0</dd>"),
        "{report}"
    );
    let r = clerk
        .post(&format!("{report_path}/ghi"), &[("_csrf", &csrf)])
        .await;
    assert_eq!(r.status, 303, "{}", r.text());
    assert!(
        clerk
            .get(&report_path)
            .await
            .text()
            .contains("Đã ghi vào hệ thống")
    );
    let list = clerk.get("/an-sinh?q=nguyen%20thi").await.text();
    assert!(
        list.contains("Nguyễn Thị Một") && list.contains("Nguyễn Thị Hai"),
        "{list}"
    );
    // A check cut short (its rows never staged) says so and offers no write.
    let cut = tinhso_welfare::store::imports::ImportRecord {
        id: uuid::Uuid::now_v7().to_string(),
        unit_id: commune.id.clone(),
        unit_path: commune.path.clone(),
        filename: "bi-ngat.xlsx".into(),
        state: "staging".into(),
        rows_total: 2,
        rows_valid: 2,
        problem_count: 0,
        created_at: 1_795_000_000_000,
        created_by: "nhaplieu.nghiaky".into(),
    };
    let mut tx = site.welfare.db.begin().await.expect("tx");
    tinhso_welfare::store::imports::create(&mut tx, &cut, &[])
        .await
        .expect("written");
    tx.commit().await.expect("committed");
    let page = clerk.get(&format!("/an-sinh/nhap/{}", cut.id)).await.text();
    assert!(
        page.contains("bị ngắt giữa chừng") && !page.contains("id=\"ghi\""),
        "{page}"
    );
}
