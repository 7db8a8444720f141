//! Personnel figures on PostgreSQL with 50,000 generated records: a name search and a
//! five-criteria search (p50/p99 at 10 concurrent callers), the BM02 statistics of the whole
//! province, and an .xlsx import of 10,000 rows (check, then commit) in rows/s.

use crate::stack;
use crate::{load, ms};
use std::time::{Duration, Instant};
use tinhso_personnel::store::employees::EmployeeRow;
use tinhso_personnel::{Personnel, PersonnelConfig};
use tinhso_proto::identity::v1 as id;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::employee_service_client::EmployeeServiceClient;
use tinhso_proto::personnel::v1::statistics_service_client::StatisticsServiceClient;
use tinhso_testkit::authed;

const RECORDS: usize = 50_000;
const IMPORT_ROWS: usize = 10_000;
const SEARCHERS: usize = 10;
const ADMIN_PASSWORD: &str = "mat-khau-do-hieu-nang-nhan-su";
const NEW_PASSWORD: &str = "Đo hiệu năng hồ sơ 2026";

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Ngô",
    "Dương", "Lý", "Thạch",
];
const MIDDLE: &[&str] = &["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Quốc", "Thu"];
const GIVEN: &[&str] = &[
    "An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Khánh",
    "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang",
    "Tuấn", "Vy",
];

/// A deterministic spread of record attributes for record `i`.
fn generated(i: usize, unit_id: &str, unit_path: &str, now: i64) -> EmployeeRow {
    let pick =
        |list: &[&str], salt: usize| list[(i * 7 + salt * 13 + i / 97) % list.len()].to_string();
    let female = i.is_multiple_of(2);
    let year = 1966 + (i % 38) as i64;
    EmployeeRow {
        id: format!("bench-{i:06}").into(),
        unit_id: unit_id.into(),
        unit_path: unit_path.into(),
        kind: ["civil_servant", "public_employee", "cadre"][i % 3].into(),
        status: "working".into(),
        form_version: "2C-BNV/2008".into(),
        full_name: format!(
            "{} {} {}",
            pick(FAMILY, 1),
            if female {
                "Thị".to_string()
            } else {
                pick(MIDDLE, 2)
            },
            pick(GIVEN, 3)
        ),
        birth_date: Some(format!("{year:04}-{:02}-{:02}", 1 + i % 12, 1 + i % 28)),
        sex: if female { "female" } else { "male" }.into(),
        ethnicity: if i.is_multiple_of(10) { "05" } else { "01" }.into(),
        religion: if i.is_multiple_of(7) { "01" } else { "00" }.into(),
        id_number: format!("0870{:08}", i),
        degree: ["bachelor", "master", "college", "intermediate"][i % 4].into(),
        political_theory: ["", "primary", "intermediate", "advanced"][i % 4].into(),
        grade_code: ["01.003", "01.002", "01.004"][i % 3].into(),
        step: 1 + (i % 8) as i64,
        coefficient: 0,
        party_admission_date: i
            .is_multiple_of(3)
            .then(|| format!("{:04}-05-19", year + 25)),
        version: 1,
        created_at: now,
        updated_at: now,
        ..Default::default()
    }
}

pub async fn run(database_url: &str) -> anyhow::Result<String> {
    let up = stack::identity(database_url, ADMIN_PASSWORD, &[]).await?;
    let (_personnel_db, db) = stack::service_db(database_url).await?;
    let clock = tinhso_platform::clock::system();
    let personnel =
        Personnel::open(PersonnelConfig::load(None, &Vec::new())?, db, clock.clone()).await?;
    let (server, grpc) = stack::serve(
        &up,
        personnel.add_routes(up.identity.routes()),
        tinhso_personnel::SERVICE_NAMES,
    )
    .await;
    personnel.spawn_background(up.bus.clone(), grpc.clone(), up.stopped.clone());
    personnel
        .verifier
        .set_keys(&tinhso_platform::auth::fetch_jwks(grpc.clone()).await?);
    let token = stack::admin_token(grpc.clone(), ADMIN_PASSWORD, NEW_PASSWORD).await?;

    // 20 districts, the records spread over them, written straight to the database.
    let mut units =
        tinhso_proto::identity::v1::unit_service_client::UnitServiceClient::new(grpc.clone());
    let mut districts = Vec::new();
    for i in 0..20 {
        let u = units
            .create_unit(authed(
                &token,
                id::CreateUnitRequest {
                    unit: Some(id::Unit {
                        code: format!("H-{i:02}"),
                        name: format!("Huyện số {i}"),
                        kind: id::UnitKind::District as i32,
                        parent_id: up.root_unit_id.clone(),
                        ..Default::default()
                    }),
                    request_id: String::new(),
                },
            ))
            .await?
            .into_inner();
        districts.push(u);
    }
    let db = personnel.db.clone();
    let mut tx = db.begin().await?;
    for u in &districts {
        tinhso_personnel::store::units::upsert(
            &mut tx,
            &tinhso_personnel::store::units::UnitRow {
                id: u.id.clone().into(),
                code: u.code.clone(),
                name: u.name.clone(),
                path: u.path.clone().into(),
                status: "active".into(),
                kind: "district".into(),
                version: 0,
            },
        )
        .await?;
    }
    tx.commit().await?;
    eprintln!("bench: writing {RECORDS} personnel records");
    let now = clock.now_ms();
    let started = Instant::now();
    for batch in 0..RECORDS / 1000 {
        let mut tx = db.begin().await?;
        for i in batch * 1000..(batch + 1) * 1000 {
            let u = &districts[i % districts.len()];
            let row = generated(i, &u.id, &u.path, now);
            tinhso_personnel::store::employees::insert(&mut tx, &row, None).await?;
        }
        tx.commit().await?;
    }
    let seeded = started.elapsed();
    sqlx_analyze(&db).await;

    eprintln!("bench: personnel searches");
    // The name search from ten callers, then from one: the query's own latency, without ten
    // callers queueing for two cores.
    let by_name = name_search(
        "Search: name \"nguyen van\" (page of 50)",
        SEARCHERS,
        &grpc,
        &token,
    )
    .await;
    let by_name_alone = name_search(
        "Search: name \"nguyen van\" (page of 50), 1 caller",
        1,
        &grpc,
        &token,
    )
    .await;
    let (channel, t) = (grpc.clone(), token.clone());
    let five = load(
        "Search: women, bachelor, Party, ethnic minority, age 30-50",
        SEARCHERS,
        move |_| {
            let mut client = EmployeeServiceClient::new(channel.clone());
            let request = authed(
                &t,
                pb::ListEmployeesRequest {
                    sex: pb::Sex::Female as i32,
                    degree: "bachelor".into(),
                    party_member: Some(true),
                    ethnic_minority: true,
                    min_age: 30,
                    max_age: 50,
                    page_size: 50,
                    ..Default::default()
                },
            );
            async move { client.list_employees(request).await.is_ok() }
        },
    )
    .await;

    eprintln!("bench: the console beside REST");
    let keys = tinhso_platform::auth::fetch_jwks(grpc.clone()).await?;
    let console = crate::console::run(
        database_url,
        server.addr,
        &keys,
        crate::console::Reader {
            token: &token,
            username: "admin",
            password: NEW_PASSWORD,
        },
        (0..RECORDS)
            .step_by(997)
            .map(|i| format!("bench-{i:06}"))
            .collect(),
        &districts[0].id,
    )
    .await?;

    eprintln!("bench: province statistics");
    let mut stats = Vec::new();
    let mut statistics = StatisticsServiceClient::new(grpc.clone());
    for _ in 0..5 {
        let t0 = Instant::now();
        statistics
            .get_staff_statistics(authed(
                &token,
                pb::GetStaffStatisticsRequest {
                    unit_id: up.root_unit_id.clone(),
                    ..Default::default()
                },
            ))
            .await?;
        stats.push(t0.elapsed());
    }
    stats.sort();

    eprintln!("bench: import of {IMPORT_ROWS} rows");
    let headings = [
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Số CCCD",
        "Loại",
        "Dân tộc",
        "Trình độ chuyên môn",
        "Mã ngạch",
        "Bậc lương",
    ];
    let rows = (0..IMPORT_ROWS)
        .map(|i| {
            let r = generated(RECORDS + i, "", "", now);
            let birth = r.birth_date.unwrap_or_default();
            vec![
                r.full_name.into(),
                format!("{}/{}/{}", &birth[8..10], &birth[5..7], &birth[..4]).into(),
                if r.sex == "female" { "Nữ" } else { "Nam" }.into(),
                r.id_number.into(),
                "Công chức".into(),
                if r.ethnicity == "05" {
                    "Khơ-me"
                } else {
                    "Kinh"
                }
                .into(),
                "Đại học".into(),
                "01.003".into(),
                tinhso_platform::xlsx::Cell::Int(r.step),
            ]
        })
        .collect();
    let file = tinhso_platform::xlsx::write(&[tinhso_platform::xlsx::Sheet {
        name: "Hồ sơ".into(),
        title: None,
        headers: headings.iter().map(|h| h.to_string()).collect(),
        rows,
    }])?;
    let upload = |commit: bool, validation_id: String| {
        let chunks: Vec<pb::ImportEmployeesRequest> =
            tinhso_platform::xlsx::chunks("nhap.xlsx", tinhso_platform::xlsx::CONTENT_TYPE, &file)
                .into_iter()
                .enumerate()
                .map(|(n, chunk)| pb::ImportEmployeesRequest {
                    unit_id: if n == 0 {
                        districts[0].id.clone()
                    } else {
                        String::new()
                    },
                    commit,
                    validation_id: validation_id.clone(),
                    file: Some(chunk),
                })
                .collect();
        authed(&token, tokio_stream::iter(chunks))
    };
    let mut employees =
        EmployeeServiceClient::new(grpc.clone()).max_decoding_message_size(64 * 1024 * 1024);
    let t0 = Instant::now();
    let checked = employees
        .import_employees(upload(false, String::new()))
        .await?
        .into_inner();
    let check_time = t0.elapsed();
    anyhow::ensure!(
        checked.errors.is_empty(),
        "the generated import has errors: {:?}",
        checked.errors.first()
    );
    let t0 = Instant::now();
    let committed = employees
        .import_employees(upload(true, checked.validation_id.clone()))
        .await?
        .into_inner();
    let commit_time = t0.elapsed();
    anyhow::ensure!(committed.committed, "the import was not committed");
    let copy_time = copy_baseline(&db, &districts[0], now).await?;
    let _ = up.stop.send(true);

    let rate = |d: Duration| IMPORT_ROWS as f64 / d.as_secs_f64();
    let header = "| call | requests/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|";
    Ok(format!(
        "{RECORDS} generated records in 20 districts on PostgreSQL (written in {seeded:.1?}), \
         {SEARCHERS} concurrent searchers, {secs} s per row; the admin's scope is the province.\n\n\
         {header}\n{}\n{}\n{}\n\n\
         BM02 statistics of the whole province ({RECORDS} records, 5 runs): p50 {:.0} ms, \
         slowest {:.0} ms.\n\n\
         Import of {IMPORT_ROWS} rows (.xlsx, {} KB): check {:.1} s ({:.0} rows/s), commit \
         {:.1} s ({:.0} rows/s), together {:.0} rows/s. A plain PostgreSQL COPY of the same \
         {IMPORT_ROWS} records into a bare copy of the table (ordinary, logged) takes {:.2} s ({:.0} rows/s): the \
         commit (checks, change record, audit and events in one transaction) costs {:.1}x the \
         COPY.\n",
        by_name.row(),
        by_name_alone.row(),
        five.row(),
        ms(stats[stats.len() / 2]),
        ms(stats[stats.len() - 1]),
        file.len() / 1024,
        check_time.as_secs_f64(),
        rate(check_time),
        commit_time.as_secs_f64(),
        rate(commit_time),
        rate(check_time + commit_time),
        copy_time.as_secs_f64(),
        rate(copy_time),
        commit_time.as_secs_f64() / copy_time.as_secs_f64(),
        secs = crate::RUN.as_secs(),
    ) + &console.report)
}

/// The name search "nguyen van" (a page of 50) from `callers` concurrent callers.
async fn name_search(
    label: &str,
    callers: usize,
    grpc: &tonic::transport::Channel,
    token: &str,
) -> crate::Sample {
    let (channel, t) = (grpc.clone(), token.to_string());
    load(label, callers, move |_| {
        let mut client = EmployeeServiceClient::new(channel.clone());
        let request = authed(
            &t,
            pb::ListEmployeesRequest {
                query: "nguyen van".into(),
                page_size: 50,
                ..Default::default()
            },
        );
        async move { client.list_employees(request).await.is_ok() }
    })
    .await
}

/// The floor under the import's commit: the same records written by one COPY into a bare copy
/// of the employees table (its defaults, no index, no constraint, no change record, no event).
/// An ordinary table, written to the log like the real one, as welfare's baseline: a temporary
/// table skips the write-ahead log.
async fn copy_baseline(
    db: &tinhso_platform::db::Db,
    district: &id::Unit,
    now: i64,
) -> anyhow::Result<Duration> {
    let pool = db.pool.get_postgres_connection_pool();
    let mut conn = pool.acquire().await?;
    // With its defaults: a column added since with NOT NULL DEFAULT (initial_entry) is not in
    // the generated values.
    sqlx::query("CREATE TABLE copy_baseline (LIKE employees INCLUDING DEFAULTS)")
        .execute(&mut *conn)
        .await?;
    let first = generated(0, "", "", now);
    let mut columns = vec!["id", "name_folded", "version", "created_at", "updated_at"];
    columns.extend(first.values().iter().map(|(name, _)| *name));
    let quoted = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    let moment = |ms: i64| {
        let t = tinhso_platform::db::at(ms);
        format!(
            "{} {:02}:{:02}:{:02}+00",
            t.date(),
            t.hour(),
            t.minute(),
            t.second()
        )
    };
    let mut csv = String::new();
    for i in 0..IMPORT_ROWS {
        let r = generated(RECORDS + IMPORT_ROWS + i, &district.id, &district.path, now);
        let mut fields = vec![
            quoted(&r.id),
            quoted(&tinhso_platform::vn::fold(&r.full_name)),
            r.version.to_string(),
            quoted(&moment(r.created_at)),
            quoted(&moment(r.updated_at)),
        ];
        for (_, value) in r.values() {
            fields.push(match value {
                tinhso_personnel::store::employees::Value::Text(t) => quoted(t),
                // An unquoted empty field is NULL in COPY's csv format.
                tinhso_personnel::store::employees::Value::Date(d) => {
                    d.as_deref().map(quoted).unwrap_or_default()
                }
                tinhso_personnel::store::employees::Value::Int(n) => n.to_string(),
            });
        }
        csv.push_str(&fields.join(","));
        csv.push('\n');
    }
    let statement = format!(
        "COPY copy_baseline ({}) FROM STDIN (FORMAT csv)",
        columns.join(", ")
    );
    let t0 = Instant::now();
    let mut copy = conn.copy_in_raw(&statement).await?;
    copy.send(csv.as_bytes()).await?;
    let copied = copy.finish().await?;
    let elapsed = t0.elapsed();
    anyhow::ensure!(copied as usize == IMPORT_ROWS, "COPY wrote {copied} rows");
    sqlx::query("DROP TABLE copy_baseline")
        .execute(&mut *conn)
        .await?;
    Ok(elapsed)
}

/// Fresh planner statistics after the bulk load, as an operator would run.
async fn sqlx_analyze(db: &tinhso_platform::db::Db) {
    let _ = tinhso_platform::db::query("ANALYZE")
        .execute(&db.pool)
        .await;
}
