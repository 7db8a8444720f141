//! The console beside REST on the personnel bench's 50,000 records: the record page and a
//! 50-row search page (p50/p99 at 10 concurrent keep-alive connections, server-side: the time
//! from request to the last byte of HTML, including the console's gRPC calls) against the same
//! data through the gateway's REST, and the weight of each main page.

use crate::{KeepAlive, Sample, load, ms};
use std::net::SocketAddr;
use std::sync::Arc;
use tinhso_console::{Console, ConsoleConfig};
use tinhso_gateway::{Gateway, GatewayConfig};
use tinhso_testkit::http::request;

const CALLERS: usize = 10;

/// The session cookie of `username` signed in to the console at `addr`.
async fn sign_in(addr: SocketAddr, username: &str, password: &str) -> anyhow::Result<String> {
    let form = request(addr, "GET", "/dang-nhap", &[], None).await;
    let pre = form
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, v)| v.split(';').next())
        .find(|c| c.starts_with("tinhso_pre="))
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("no pre-session cookie"))?;
    let csrf = pre.trim_start_matches("tinhso_pre=").to_string();
    let body = format!(
        "_csrf={csrf}&username={username}&password={}&next=%2F",
        password
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>()
    );
    let signed = request(
        addr,
        "POST",
        "/dang-nhap",
        &[
            ("cookie", &pre),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        Some(body.as_bytes()),
    )
    .await;
    anyhow::ensure!(signed.status == 303, "sign-in: {}", signed.status);
    signed
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .filter_map(|(_, v)| v.split(';').next())
        .find(|c| c.starts_with("tinhso_session="))
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("no session cookie"))
}

/// `paths(worker)` fetched over keep-alive connections with the header line `header`.
async fn pages(
    label: &str,
    addr: SocketAddr,
    header: String,
    path: impl Fn(usize) -> String + Send + Sync + 'static,
) -> anyhow::Result<Sample> {
    let mut connections = Vec::new();
    for _ in 0..CALLERS {
        connections.push(tokio::sync::Mutex::new(KeepAlive::connect(addr).await?));
    }
    let connections = Arc::new(connections);
    let header = Arc::new(header);
    let path = Arc::new(path);
    Ok(load(label, CALLERS, move |worker| {
        let (connections, header, path) = (connections.clone(), header.clone(), path.clone());
        async move {
            let mut c = connections[worker].lock().await;
            matches!(c.get_with(&path(worker), &header).await, Ok((200, _)))
        }
    })
    .await)
}

pub struct Figures {
    pub report: String,
}

/// Who the pages are read as: the token for REST, the name and password for the console.
pub struct Reader<'a> {
    pub token: &'a str,
    pub username: &'a str,
    pub password: &'a str,
}

/// Starts the gateway and the console over `upstream` (identity and personnel), signs in as
/// `username`, and measures. `record_ids` are records to open; `district` a unit for the payroll.
pub async fn run(
    database_url: &str,
    upstream: SocketAddr,
    keys: &[tinhso_platform::auth::PublicJwk],
    reader: Reader<'_>,
    record_ids: Vec<String>,
    district: &str,
) -> anyhow::Result<Figures> {
    let clock = tinhso_platform::clock::system();
    let url = format!("http://{upstream}");
    let gateway = Gateway::new(
        GatewayConfig::load(
            None,
            &vec![
                ("TINHSO_HTTP_ADDR".to_string(), "127.0.0.1:0".to_string()),
                ("TINHSO_UPSTREAMS__IDENTITY".to_string(), url.clone()),
                ("TINHSO_UPSTREAMS__PERSONNEL".to_string(), url.clone()),
            ],
        )?,
        clock.clone(),
        tinhso_platform::metrics::Registry::new(),
    )?;
    gateway.verifier().set_keys(keys);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let rest = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = gateway
            .serve(listener, tinhso_platform::grpc::wait_for(stopped))
            .await;
    });
    let console_db = tinhso_testkit::database_at(Some(database_url)).await;
    let console = Console::open(
        ConsoleConfig::load(
            None,
            &vec![
                ("TINHSO_IDENTITY_URL".to_string(), url.clone()),
                ("TINHSO_PERSONNEL_URL".to_string(), url),
                ("TINHSO_SECURE_COOKIES".to_string(), "false".to_string()),
                ("TINHSO_DATABASE__URL".to_string(), console_db.url.clone()),
            ],
        )?,
        tinhso_platform::db::Db::connect(&console_db.url, 10).await?,
        clock,
    )
    .await?;
    console.verifier.set_keys(keys);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let site = listener.local_addr()?;
    let app = console.router();
    tokio::spawn(async move { axum_serve(listener, app).await });
    let cookie = format!(
        "Cookie: {}",
        sign_in(site, reader.username, reader.password).await?
    );
    let bearer = format!("Authorization: Bearer {}", reader.token);

    let ids = Arc::new(record_ids);
    let pick = {
        let ids = ids.clone();
        move |worker: usize| ids[(worker * 7919) % ids.len()].clone()
    };
    let (p1, p2) = (pick.clone(), pick);
    let record_page = pages(
        "Console: record page (2C-BNV with its sections)",
        site,
        cookie.clone(),
        move |w| format!("/ho-so/{}", p1(w)),
    )
    .await?;
    let record_rest = pages("REST: GET the record", rest, bearer.clone(), move |w| {
        format!("/api/v1/personnel/employees/{}", p2(w))
    })
    .await?;
    let search_page = pages(
        "Console: search \"nguyen van\" (50 rows)",
        site,
        cookie.clone(),
        |_| "/ho-so?q=nguyen+van".to_string(),
    )
    .await?;
    let search_rest = pages(
        "REST: search \"nguyen van\" (50 rows)",
        rest,
        bearer,
        |_| "/api/v1/personnel/employees?query=nguyen%20van&pageSize=50".to_string(),
    )
    .await?;

    // The weight of each main page: its HTML (the stylesheet and scripts are fetched once and
    // kept for an hour).
    let mut weights = Vec::new();
    let mut c = KeepAlive::connect(site).await?;
    let first = ids.first().cloned().unwrap_or_default();
    for (name, path) in [
        ("Việc cần làm /", "/".to_string()),
        ("Hồ sơ: tìm kiếm 50 dòng", "/ho-so?q=nguyen+van".to_string()),
        ("Hồ sơ: một người (2C-BNV)", format!("/ho-so/{first}")),
        ("Sửa hồ sơ", format!("/ho-so/{first}/sua")),
        ("Thống kê BM02 (cả tỉnh)", "/thong-ke".to_string()),
        (
            "Bảng lương của một huyện",
            format!("/bang-luong?don_vi={district}"),
        ),
        ("Cây đơn vị", "/don-vi".to_string()),
        ("Tài khoản", "/tai-khoan".to_string()),
        ("console.css", "/static/console.css".to_string()),
        ("console.js", "/static/console.js".to_string()),
        ("htmx.min.js (2.0.x)", "/static/htmx.min.js".to_string()),
    ] {
        let (status, bytes) = c.get_with(&path, &cookie).await?;
        weights.push(format!(
            "| {name} | {status} | {:.1} |",
            bytes as f64 / 1024.0
        ));
    }
    let _ = stop.send(true);
    let ratio = |console: &Sample, rest: &Sample| {
        ms(console.percentile(0.5)) / ms(rest.percentile(0.5)).max(0.001)
    };
    let header = "| call | requests/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|";
    Ok(Figures {
        report: format!(
            "\n### The console beside REST\n\n{CALLERS} concurrent keep-alive connections, the \
             admin signed in; a console page is timed from request to its last byte of HTML \
             (its gRPC calls included), REST the same data as JSON through the gateway.\n\n\
             {header}\n{}\n{}\n{}\n{}\n\n\
             At p50 the record page takes {:.1}x the REST call of the record (the page also \
             reads its sections and catalogue names), the search page {:.1}x the REST search.\n\n\
             | page | status | KB of HTML |\n|---|---|---|\n{}\n",
            record_page.row(),
            record_rest.row(),
            search_page.row(),
            search_rest.row(),
            ratio(&record_page, &record_rest),
            ratio(&search_page, &search_rest),
            weights.join("\n"),
        ),
    })
}

async fn axum_serve(listener: tokio::net::TcpListener, app: axum::Router) {
    let _ = axum::serve(listener, app).await;
}
