//! `make bench`: measures what users feel, on PostgreSQL (TINHSO_BENCH_DATABASE_URL, default the
//! local one), and writes the figures into docs/benchmarks.md between the bench markers.
//!
//! - token verification per second on one core;
//! - GetAccount and ListUnits round-trips over gRPC (50 concurrent callers);
//! - login throughput (argon2id-bound) and the latency of GetUnit while 50 logins run at once;
//! - REST GET /api/v1/units/{id} through the gateway beside the same call over gRPC, both at 50
//!   concurrent connections, so the gateway's overhead reads as a ratio.
//!
//! Load generator and servers share this process and the machine's cores, as in `tinhso dev`;
//! the figures are for comparing runs on the same machine, not absolute capacity.

mod console;
mod personnel;
mod stack;
mod welfare;

use anyhow::{Context as _, bail};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tinhso_gateway::{Gateway, GatewayConfig};
use tinhso_proto::identity::v1 as pb;
use tinhso_proto::identity::v1::account_service_client::AccountServiceClient;
use tinhso_proto::identity::v1::auth_service_client::AuthServiceClient;
use tinhso_proto::identity::v1::unit_service_client::UnitServiceClient;
use tinhso_testkit::authed;
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _};
use tonic::transport::Channel;

const ADMIN_PASSWORD: &str = "mat-khau-do-hieu-nang-ban-dau";
const NEW_PASSWORD: &str = "Đo hiệu năng tỉnh số 2026";
const CONCURRENCY: usize = 50;
const RUN: Duration = Duration::from_secs(8);

/// Latencies of one run.
struct Sample {
    label: String,
    count: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    errors: usize,
}

impl Sample {
    fn per_sec(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[index]
    }

    fn row(&self) -> String {
        format!(
            "| {} | {:.0} | {:.2} | {:.2} | {} |",
            self.label,
            self.per_sec(),
            ms(self.percentile(0.50)),
            ms(self.percentile(0.99)),
            self.errors
        )
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `call` from `workers` concurrent tasks for `RUN`, recording every latency.
async fn load<F, Fut>(label: &str, workers: usize, call: F) -> Sample
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let call = Arc::new(call);
    let started = Instant::now();
    let deadline = started + RUN;
    let mut tasks = Vec::new();
    for worker in 0..workers {
        let call = call.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                if call(worker).await {
                    latencies.push(t.elapsed());
                } else {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        if let Ok((l, e)) = task.await {
            latencies.extend(l);
            errors += e;
        }
    }
    Sample {
        label: label.to_string(),
        count: latencies.len(),
        elapsed: started.elapsed(),
        latencies,
        errors,
    }
}

/// A keep-alive HTTP/1.1 connection that reads responses by Content-Length.
struct KeepAlive {
    reader: tokio::io::BufReader<tokio::net::TcpStream>,
}

impl KeepAlive {
    async fn connect(addr: SocketAddr) -> anyhow::Result<Self> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            reader: tokio::io::BufReader::new(stream),
        })
    }

    /// GET `path` with a bearer token; returns the status.
    async fn get(&mut self, path: &str, auth: &str) -> anyhow::Result<u16> {
        self.get_with(path, &format!("Authorization: {auth}"))
            .await
            .map(|(status, _)| status)
    }

    /// GET `path` with one extra header line (e.g. a cookie); the status and the body's size.
    async fn get_with(&mut self, path: &str, header: &str) -> anyhow::Result<(u16, usize)> {
        let request = format!("GET {path} HTTP/1.1\r\nHost: bench\r\n{header}\r\n\r\n");
        self.reader.get_mut().write_all(request.as_bytes()).await?;
        let mut line = String::new();
        self.reader.read_line(&mut line).await?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .context("status line")?;
        let mut length = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line).await?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse()?;
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).await?;
        Ok((status, length))
    }
}

struct Platform {
    grpc: Channel,
    http: SocketAddr,
    token: String,
    unit_id: String,
    account_id: String,
    _server: tinhso_testkit::TestServer,
    _identity: stack::IdentityUp,
}

async fn start(database_url: &str) -> anyhow::Result<Platform> {
    // The login benchmark is about argon2, not the per-address limit.
    let up = stack::identity(
        database_url,
        ADMIN_PASSWORD,
        &[("TINHSO_LOGIN_RATE__MAX_ATTEMPTS", "1000000")],
    )
    .await?;
    let clock = tinhso_platform::clock::system();
    let (server, grpc) = stack::serve(&up, up.identity.routes(), &[]).await;
    let token = stack::admin_token(grpc.clone(), ADMIN_PASSWORD, NEW_PASSWORD).await?;
    let mut auth = AuthServiceClient::new(grpc.clone());
    let mut units = UnitServiceClient::new(grpc.clone());
    for i in 0..20 {
        units
            .create_unit(authed(
                &token,
                pb::CreateUnitRequest {
                    unit: Some(pb::Unit {
                        code: format!("XA-{i:02}"),
                        name: format!("Xã số {i}"),
                        kind: pb::UnitKind::Commune as i32,
                        parent_id: up.root_unit_id.clone(),
                        ..Default::default()
                    }),
                    request_id: String::new(),
                },
            ))
            .await?;
    }
    let me = auth
        .get_me(authed(&token, pb::GetMeRequest {}))
        .await?
        .into_inner();
    let account_id = me.account.map(|a| a.id).unwrap_or_default();

    let gateway_env = vec![
        ("TINHSO_HTTP_ADDR".to_string(), "127.0.0.1:0".to_string()),
        (
            "TINHSO_UPSTREAMS__IDENTITY".to_string(),
            format!("http://{}", server.addr),
        ),
    ];
    let gateway = Gateway::new(
        GatewayConfig::load(None, &gateway_env)?,
        clock,
        tinhso_platform::metrics::Registry::new(),
    )?;
    gateway
        .verifier()
        .set_keys(&tinhso_platform::auth::fetch_jwks(grpc.clone()).await?);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let http = listener.local_addr()?;
    let stopped = up.stopped.clone();
    tokio::spawn(async move {
        let _ = gateway
            .serve(listener, tinhso_platform::grpc::wait_for(stopped))
            .await;
    });
    Ok(Platform {
        grpc,
        http,
        token,
        unit_id: up.root_unit_id.clone(),
        account_id,
        _server: server,
        _identity: up,
    })
}

async fn verification_rate(platform: &Platform) -> anyhow::Result<f64> {
    let verifier = tinhso_platform::auth::Verifier::new("tinhso", tinhso_platform::clock::system());
    verifier.set_keys(&tinhso_platform::auth::fetch_jwks(platform.grpc.clone()).await?);
    let token = platform.token.clone();
    // One thread, no runtime: what one core does.
    let rate = std::thread::spawn(move || {
        let started = Instant::now();
        let mut n = 0u64;
        while started.elapsed() < Duration::from_secs(3) {
            for _ in 0..1000 {
                if verifier.verify(&token).is_ok() {
                    n += 1;
                }
            }
        }
        n as f64 / started.elapsed().as_secs_f64()
    })
    .join()
    .map_err(|_| anyhow::anyhow!("verification thread panicked"))?;
    Ok(rate)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let database_url = std::env::var("TINHSO_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    // TINHSO_BENCH_ONLY=personnel (or identity) runs one part.
    let only = std::env::var("TINHSO_BENCH_ONLY").unwrap_or_default();
    if only.is_empty() || only == "welfare" {
        eprintln!("bench: welfare on a new PostgreSQL database");
        let report = welfare::run(&database_url).await?;
        println!("{report}");
        write_report("welfare", &report)?;
    }
    if only == "welfare" {
        return Ok(());
    }
    if only != "identity" {
        eprintln!("bench: personnel on a new PostgreSQL database");
        let report = personnel::run(&database_url).await?;
        println!("{report}");
        write_report("personnel", &report)?;
    }
    if only == "personnel" {
        return Ok(());
    }
    eprintln!("bench: starting identity on a new PostgreSQL database and the gateway");
    let p = start(&database_url).await?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    eprintln!("bench: token verification");
    let verify_rate = verification_rate(&p).await?;

    eprintln!("bench: gRPC GetAccount / ListUnits");
    let (grpc, token, account) = (p.grpc.clone(), p.token.clone(), p.account_id.clone());
    let get_account = load("gRPC GetAccount", CONCURRENCY, move |_| {
        let mut client = AccountServiceClient::new(grpc.clone());
        let request = authed(
            &token,
            pb::GetAccountRequest {
                id: account.clone(),
            },
        );
        async move { client.get_account(request).await.is_ok() }
    })
    .await;
    let (grpc, token) = (p.grpc.clone(), p.token.clone());
    let list_units = load("gRPC ListUnits (21 units)", CONCURRENCY, move |_| {
        let mut client = UnitServiceClient::new(grpc.clone());
        let request = authed(
            &token,
            pb::ListUnitsRequest {
                page_size: 50,
                ..Default::default()
            },
        );
        async move { client.list_units(request).await.is_ok() }
    })
    .await;

    eprintln!("bench: REST through the gateway vs direct gRPC, GetUnit");
    let (grpc, token, unit) = (p.grpc.clone(), p.token.clone(), p.unit_id.clone());
    let direct = load("gRPC GetUnit (direct)", CONCURRENCY, move |_| {
        let mut client = UnitServiceClient::new(grpc.clone());
        let request = authed(&token, pb::GetUnitRequest { id: unit.clone() });
        async move { client.get_unit(request).await.is_ok() }
    })
    .await;
    let mut connections = Vec::new();
    for _ in 0..CONCURRENCY {
        connections.push(Arc::new(tokio::sync::Mutex::new(
            KeepAlive::connect(p.http).await?,
        )));
    }
    let connections = Arc::new(connections);
    let path = format!("/api/v1/units/{}", p.unit_id);
    let auth = format!("Bearer {}", p.token);
    let rest = load(
        "REST GET /api/v1/units/{id} (gateway)",
        CONCURRENCY,
        move |worker| {
            let connection = connections[worker].clone();
            let (path, auth) = (path.clone(), auth.clone());
            async move {
                let mut c = connection.lock().await;
                matches!(c.get(&path, &auth).await, Ok(200))
            }
        },
    )
    .await;

    eprintln!("bench: 50 concurrent logins, and GetUnit latency meanwhile");
    let (grpc, token, unit) = (p.grpc.clone(), p.token.clone(), p.unit_id.clone());
    let quiet = load("GetUnit, idle (1 caller)", 1, move |_| {
        let mut client = UnitServiceClient::new(grpc.clone());
        let request = authed(&token, pb::GetUnitRequest { id: unit.clone() });
        async move { client.get_unit(request).await.is_ok() }
    })
    .await;
    let grpc = p.grpc.clone();
    let logins = tokio::spawn(load(
        "Login (argon2id 19 MiB, t=2)",
        CONCURRENCY,
        move |_| {
            let mut client = AuthServiceClient::new(grpc.clone());
            async move {
                client
                    .login(pb::LoginRequest {
                        username: "admin".into(),
                        password: NEW_PASSWORD.into(),
                    })
                    .await
                    .is_ok()
            }
        },
    ));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (grpc, token, unit) = (p.grpc.clone(), p.token.clone(), p.unit_id.clone());
    let busy = load("GetUnit during 50 logins (1 caller)", 1, move |_| {
        let mut client = UnitServiceClient::new(grpc.clone());
        let request = authed(&token, pb::GetUnitRequest { id: unit.clone() });
        async move { client.get_unit(request).await.is_ok() }
    })
    .await;
    let logins = logins.await?;

    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .unwrap_or_default();
    let date = tinhso_platform::clock::rfc3339(tinhso_platform::clock::system().now_ms());
    let overhead = direct.per_sec() / rest.per_sec().max(1.0);
    let report = format!(
        "Run of {date} at commit `{commit}` on {cores} cores, PostgreSQL on loopback, \
         {CONCURRENCY} concurrent callers, {secs} s per row. Load generator and servers share the \
         machine.\n\n\
         Token verification (Ed25519 + claims, one core): **{verify_rate:.0} tokens/s**.\n\n\
         | call | requests/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n\n\
         The gateway serves {rest_rps:.0} REST requests/s against {direct_rps:.0} direct gRPC calls/s \
         of the same RPC: direct gRPC is {overhead:.2}x the REST throughput. During 50 concurrent \
         logins (argon2 bounded to one hash per core but one), GetUnit's p50/p99 go from {q50:.2}/{q99:.2} ms \
         idle to {b50:.2}/{b99:.2} ms.\n",
        get_account.row(),
        list_units.row(),
        direct.row(),
        rest.row(),
        quiet.row(),
        logins.row(),
        busy.row(),
        secs = RUN.as_secs(),
        rest_rps = rest.per_sec(),
        direct_rps = direct.per_sec(),
        q50 = ms(quiet.percentile(0.50)),
        q99 = ms(quiet.percentile(0.99)),
        b50 = ms(busy.percentile(0.50)),
        b99 = ms(busy.percentile(0.99)),
        commit = commit.trim(),
    );
    println!("{report}");
    write_report("bench", &report)?;
    Ok(())
}

/// Replaces the text between the `<!-- {section}:begin -->` and `:end` markers of
/// docs/benchmarks.md.
fn write_report(section: &str, report: &str) -> anyhow::Result<()> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/benchmarks.md");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let (begin, end) = (
        format!("<!-- {section}:begin -->"),
        format!("<!-- {section}:end -->"),
    );
    let (Some(start), Some(stop)) = (text.find(&begin), text.find(&end)) else {
        bail!("{} lacks the {begin} / {end} markers", path.display());
    };
    let updated = format!("{}{begin}\n{report}{}", &text[..start], &text[stop..]);
    std::fs::write(&path, updated)?;
    eprintln!("bench: figures written to {}", path.display());
    Ok(())
}
