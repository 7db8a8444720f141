//! The staged import of beneficiaries and enrolments: every row checked with its row, column and
//! Vietnamese message, nothing written before the commit; the fixed file committed whole (and a
//! retried commit writes nothing twice); a citizen ID entered since the check makes the commit
//! write nothing; a person already on the records is enrolled, not entered again; hostile and
//! wrong files refused; another district's clerk refused; a replica killed in the middle of a
//! commit writes nothing, and the commit retried on another writes every row once.

mod common;

use common::*;
use std::io::Write as _;
use tinhso_platform::xlsx::{self, Cell};
use tinhso_proto::welfare::v1 as pb;
use tonic::Code;

const HEADINGS: [&str; 12] = [
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
];

fn workbook(rows: &[[&str; 12]]) -> Vec<u8> {
    xlsx::write(&[xlsx::Sheet {
        name: "Đối tượng".into(),
        title: None,
        headers: HEADINGS.iter().map(|h| h.to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| r.iter().map(|c| Cell::from(*c)).collect())
            .collect(),
    }])
    .expect("workbook")
}

fn row<'a>(
    name: &'a str,
    born: &'a str,
    id: &'a str,
    policy: &'a str,
    category: &'a str,
) -> [&'a str; 12] {
    [
        name,
        born,
        "Nữ",
        id,
        "XTA",
        policy,
        category,
        "",
        "12/QĐ-UBND",
        "02/01/2025",
        "02/01/2025",
        "",
    ]
}

/// A workbook of `n` different elderly people with their citizen IDs, each enrolled in the
/// monthly social allowance.
fn elders(n: usize) -> Vec<u8> {
    let names: Vec<String> = (0..n).map(|i| format!("Người thứ {i}")).collect();
    let ids: Vec<String> = (0..n).map(|i| format!("051{:09}", 700_000 + i)).collect();
    let rows: Vec<[&str; 12]> = (0..n)
        .map(|i| {
            row(
                &names[i],
                "01/01/1940",
                &ids[i],
                "TCXH",
                "elderly_80_no_pension",
            )
        })
        .collect();
    workbook(&rows)
}

async fn upload(
    h: &Harness,
    token: &str,
    unit: &str,
    filename: &str,
    bytes: Vec<u8>,
) -> Result<pb::Import, tonic::Status> {
    let chunks: Vec<pb::ImportUpload> = bytes
        .chunks(64 * 1024)
        .enumerate()
        .map(|(i, c)| pb::ImportUpload {
            unit_id: if i == 0 { unit.into() } else { String::new() },
            filename: if i == 0 {
                filename.into()
            } else {
                String::new()
            },
            file: Some(tinhso_proto::common::v1::FileChunk {
                data: c.to_vec(),
                ..Default::default()
            }),
        })
        .collect();
    pb::import_service_client::ImportServiceClient::new(h.channel.clone())
        .check_import(authed(token, tokio_stream::iter(chunks)))
        .await
        .map(tonic::Response::into_inner)
}

async fn finish(
    h: &Harness,
    token: &str,
    id: &str,
    commit: bool,
) -> Result<pb::Import, tonic::Status> {
    let mut client = pb::import_service_client::ImportServiceClient::new(h.channel.clone());
    let request = authed(token, pb::FinishImportRequest { id: id.into() });
    if commit {
        client.commit_import(request).await
    } else {
        client.cancel_import(request).await
    }
    .map(tonic::Response::into_inner)
}

async fn beneficiaries(h: &Harness, token: &str) -> Vec<pb::Beneficiary> {
    h.beneficiaries()
        .list_beneficiaries(authed(token, pb::ListBeneficiariesRequest::default()))
        .await
        .expect("list")
        .into_inner()
        .beneficiaries
}

async fn enrolments(h: &Harness, token: &str) -> Vec<pb::Enrolment> {
    h.enrolments()
        .list_enrolments(authed(token, pb::ListEnrolmentsRequest::default()))
        .await
        .expect("list")
        .into_inner()
        .enrolments
}

#[tokio::test]
async fn a_file_is_checked_row_by_row_fixed_and_committed_whole() {
    let h = start().await;
    let p = h.province2().await;
    let commune = p.commune.id.clone();
    // Health-insurance support under NĐ 146/2018 starts on 01/12/2018, not before.
    let mut too_early = row("Trần Văn Sớm", "01/01/1950", "", "BHYT", "");
    too_early[9] = "01/11/2018";
    too_early[10] = "01/11/2018";
    let with_errors = workbook(&[
        row(
            "Võ Thị Út",
            "03/03/1940",
            "051140004455",
            "TCXH",
            "elderly_80_no_pension",
        ),
        row(
            "Lê Văn Tám",
            "31/02/1950",
            "",
            "TCXH",
            "elderly_80_no_pension",
        ),
        row(
            "Võ Thị Út",
            "03/03/1940",
            "051140004455",
            "TCXH",
            "elderly_80_no_pension",
        ),
        row("Đỗ Văn Chín", "09/09/2012", "", "TCXH", "poor_household"),
        row("Phan Thị Mười", "10/10/1945", "", "TIENDIEN", ""),
        too_early,
    ]);
    let checked = upload(&h, &p.clerk, &commune, "doi-tuong.xlsx", with_errors)
        .await
        .expect("checked");
    assert_eq!(
        (
            checked.state.as_str(),
            checked.rows_total,
            checked.rows_valid
        ),
        ("checked", 6, 1)
    );
    let found: Vec<(i64, &str)> = checked
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (3, "Ngày sinh"),
            (4, "Số CCCD"),
            (5, "Mã đối tượng"),
            (6, "Mã chính sách"),
            (7, "Hưởng từ ngày"),
        ],
        "{:?}",
        checked.problems
    );
    assert!(
        checked.problems[4].message.contains("từ 01/12/2018"),
        "{:?}",
        checked.problems[4]
    );
    assert!(
        checked.problems[1].message.contains("trùng với dòng 2"),
        "{:?}",
        checked.problems[1]
    );
    assert!(
        beneficiaries(&h, &p.clerk).await.is_empty(),
        "nothing written by a check"
    );

    // The row-by-row report, as the clerk downloads it.
    let mut report = Vec::new();
    let mut stream = pb::import_service_client::ImportServiceClient::new(h.channel.clone())
        .get_import_report(authed(
            &p.clerk,
            pb::GetImportRequest {
                id: checked.id.clone(),
            },
        ))
        .await
        .expect("report")
        .into_inner();
    while let Some(chunk) = stream.message().await.expect("chunk") {
        report.extend(chunk.data);
    }
    let sheet =
        xlsx::read_first_sheet(&report, &xlsx::ReadLimits::for_sheet(100, 10)).expect("xlsx");
    assert!(
        sheet
            .iter()
            .any(|r| r.first().map(String::as_str) == Some("3")
                && r.get(1).map(String::as_str) == Some("Ngày sinh")),
        "{sheet:?}"
    );
    finish(&h, &p.clerk, &checked.id, false)
        .await
        .expect("cancelled");
    let cancelled = finish(&h, &p.clerk, &checked.id, true)
        .await
        .expect_err("cancelled");
    assert_eq!(cancelled.code(), Code::FailedPrecondition);

    // The fixed file: three people, one committed transaction; a retry writes nothing twice.
    let fixed = workbook(&[
        row(
            "Võ Thị Út",
            "03/03/1940",
            "051140004455",
            "TCXH",
            "elderly_80_no_pension",
        ),
        row(
            "Lê Văn Tám",
            "28/02/1950",
            "",
            "TCXH",
            "elderly_80_no_pension",
        ),
        row("Đỗ Văn Chín", "09/09/2012", "", "TCXH", "orphan_4_plus"),
    ]);
    let checked = upload(&h, &p.clerk, &commune, "doi-tuong-da-sua.xlsx", fixed)
        .await
        .expect("checked");
    assert_eq!(
        (checked.rows_valid, checked.problem_count),
        (3, 0),
        "{:?}",
        checked.problems
    );
    let done = finish(&h, &p.clerk, &checked.id, true)
        .await
        .expect("committed");
    assert_eq!(done.state, "committed");
    finish(&h, &p.clerk, &checked.id, true)
        .await
        .expect("retried");
    let people = beneficiaries(&h, &p.clerk).await;
    assert_eq!(people.len(), 3);
    let enrolled = enrolments(&h, &p.clerk).await;
    assert_eq!(enrolled.len(), 3);
    assert!(
        enrolled
            .iter()
            .all(|e| e.status == pb::EnrolmentStatus::Pending as i32)
    );
    let chin = enrolled
        .iter()
        .find(|e| e.beneficiary_name == "Đỗ Văn Chín")
        .expect("Chín");
    assert_eq!(
        (chin.category.as_str(), chin.coefficient),
        ("orphan_4_plus", 150)
    );
    // Each enrolment has its "increase" line and waits for the Labour office.
    let read = h
        .enrolments()
        .get_enrolment(authed(
            &p.clerk,
            pb::GetEnrolmentRequest {
                id: chin.id.clone(),
            },
        ))
        .await
        .expect("read")
        .into_inner();
    assert_eq!(read.history.len(), 1);
    assert_eq!(read.history[0].actor_username, "nhaplieu.xta");
    h.verify(&p.labour, &read, true, "")
        .await
        .expect("verified");

    // Út again: already on the records (by CCCD) — enrolled in another policy, not entered
    // twice; in the same policy, refused at its row.
    let again = workbook(&[
        row("Võ Thị Út", "03/03/1940", "051140004455", "BHYT", ""),
        row(
            "Võ Thị Út",
            "03/03/1940",
            "051140004455",
            "TCXH",
            "elderly_80_no_pension",
        ),
        row("Le Van Tam", "28/02/1950", "", "BHYT", ""),
    ]);
    let checked = upload(&h, &p.clerk, &commune, "bo-sung.xlsx", again)
        .await
        .expect("checked");
    let problems: Vec<(i64, &str)> = checked
        .problems
        .iter()
        .map(|p| (p.row, p.column.as_str()))
        .collect();
    assert_eq!(
        problems,
        [(3, "Mã chính sách"), (4, "Họ và tên")],
        "{:?}",
        checked.problems
    );
    assert!(
        checked.problems[1].message.contains("nghi trùng"),
        "{:?}",
        checked.problems[1]
    );
    finish(&h, &p.clerk, &checked.id, true)
        .await
        .expect("committed");
    assert_eq!(
        beneficiaries(&h, &p.clerk).await.len(),
        3,
        "no one entered twice"
    );
    assert_eq!(enrolments(&h, &p.clerk).await.len(), 4);

    // A citizen ID entered by hand after the check: the commit writes nothing of the file.
    let late = workbook(&[
        row(
            "Hà Thị Mai",
            "01/01/1944",
            "051144001111",
            "TCXH",
            "elderly_80_no_pension",
        ),
        row(
            "Hà Văn Lan",
            "01/01/1946",
            "",
            "TCXH",
            "elderly_80_no_pension",
        ),
    ]);
    let checked = upload(&h, &p.clerk, &commune, "muon.xlsx", late)
        .await
        .expect("checked");
    assert_eq!(checked.rows_valid, 2);
    h.person_in(
        &p.clerk,
        &commune,
        "Hà Thị Mai",
        (1944, 1, 1),
        "051144001111",
    )
    .await
    .expect("entered by hand");
    let refused = finish(&h, &p.clerk, &checked.id, true)
        .await
        .expect_err("taken since");
    assert_eq!(code_of(&refused), "ID_NUMBER_TAKEN");
    let names: Vec<String> = beneficiaries(&h, &p.clerk)
        .await
        .into_iter()
        .map(|b| b.full_name)
        .collect();
    assert!(
        !names.iter().any(|n| n == "Hà Văn Lan"),
        "all or nothing: {names:?}"
    );
    let still = pb::import_service_client::ImportServiceClient::new(h.channel.clone())
        .get_import(authed(
            &p.clerk,
            pb::GetImportRequest {
                id: checked.id.clone(),
            },
        ))
        .await
        .expect("read")
        .into_inner();
    assert_eq!(still.state, "checked");

    // Another district's clerk neither imports for the commune nor reads or commits its import.
    let status = upload(&h, &p.stranger, &commune, "x.xlsx", workbook(&[]))
        .await
        .expect_err("outsider");
    assert_eq!(status.code(), Code::PermissionDenied);
    let status = finish(&h, &p.stranger, &checked.id, true)
        .await
        .expect_err("outsider");
    assert_eq!(status.code(), Code::PermissionDenied);
    let status = pb::import_service_client::ImportServiceClient::new(h.channel.clone())
        .get_import_report(authed(
            &p.stranger,
            pb::GetImportRequest {
                id: checked.id.clone(),
            },
        ))
        .await
        .expect_err("outsider");
    assert_eq!(status.code(), Code::PermissionDenied);
}

/// A workbook part by part (for files no spreadsheet program writes).
fn raw_workbook(sheet: &str) -> Vec<u8> {
    let parts = [
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string()),
        ("xl/worksheets/sheet1.xml", sheet.to_string()),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in parts {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("part");
        zip.write_all(text.as_bytes()).expect("written");
    }
    zip.finish().expect("zip").into_inner()
}

#[tokio::test]
async fn wrong_and_hostile_files_are_refused_and_stage_nothing() {
    let h = start().await;
    let p = h.province2().await;
    let commune = p.commune.id.clone();
    let head = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
    let heading_cells: String = HEADINGS
        .iter()
        .enumerate()
        .map(|(i, h)| {
            format!(
                "<c r=\"{}1\" t=\"inlineStr\"><is><t>{h}</t></is></c>",
                (b'A' + i as u8) as char
            )
        })
        .collect();
    // A cell on the sheet's last row: a phantom range of 1,048,576 rows.
    let phantom = raw_workbook(&format!(
        "{head}<row r=\"1\">{heading_cells}</row><row r=\"1048576\"><c r=\"A1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData></worksheet>"
    ));
    // A sheet inflating to 80 MB (past the 64 MB a part may hold) from a few hundred kilobytes.
    let bomb = raw_workbook(&format!(
        "{head}<row r=\"1\">{heading_cells}</row></sheetData></worksheet>{}",
        " ".repeat(80 * 1024 * 1024)
    ));
    let mut latin1 = "Họ và tên,Ngày sinh\n".as_bytes().to_vec();
    latin1.extend([0xC0, 0xE9, 0xFF, b'\n']);
    let no_column = "Họ và tên,Ngày sinh,Giới tính\nVõ Văn A,01/01/1950,Nam\n"
        .as_bytes()
        .to_vec();
    for (what, bytes, code) in [
        ("a phantom range", phantom, "FILE_TOO_LARGE"),
        ("a zip bomb", bomb, "FILE_TOO_LARGE"),
        ("not a spreadsheet (and not UTF-8)", latin1, "BAD_FILE"),
        ("an empty file", Vec::new(), "FILE_EMPTY"),
        ("a broken zip", b"PK\x03\x04broken".to_vec(), "BAD_FILE"),
    ] {
        let status = upload(&h, &p.clerk, &commune, "x", bytes)
            .await
            .expect_err(what);
        assert_eq!(
            (status.code(), code_of(&status)),
            (Code::InvalidArgument, code.to_string()),
            "{what}: {status:?}"
        );
    }
    let status = upload(&h, &p.clerk, &commune, "thieu-cot.csv", no_column)
        .await
        .expect_err("a missing column");
    assert_eq!(code_of(&status), "MISSING_COLUMN");
    assert!(
        fields_of(&status).contains(&"file.Mã chính sách".to_string()),
        "{:?}",
        fields_of(&status)
    );
    // A CSV in UTF-8 is read like the workbook.
    let csv = format!(
        "\u{feff}{}\nTrần Thị Hai,02/02/1942,Nữ,,XTA,TCXH,elderly_80_no_pension,,7/QĐ-UBND,02/01/2025,02/01/2025,\n",
        HEADINGS.join(",")
    );
    let checked = upload(&h, &p.clerk, &commune, "doi-tuong.csv", csv.into_bytes())
        .await
        .expect("a CSV file");
    assert_eq!(
        (checked.rows_valid, checked.problem_count),
        (1, 0),
        "{:?}",
        checked.problems
    );
    assert!(beneficiaries(&h, &p.clerk).await.is_empty());
}

#[tokio::test]
async fn a_file_of_thousands_of_rows_is_staged_and_written_in_batches() {
    let h = start().await;
    let p = h.province2().await;
    // More rows than one batch of the checks (1,000) and of the staging (1,500).
    let checked = upload(&h, &p.clerk, &p.commune.id, "lon.xlsx", elders(4_000))
        .await
        .expect("checked");
    assert_eq!((checked.rows_total, checked.rows_valid), (4_000, 4_000));
    finish(&h, &p.clerk, &checked.id, true)
        .await
        .expect("committed");
    let mut count = 0;
    let mut token = String::new();
    loop {
        let page = h
            .enrolments()
            .list_enrolments(authed(
                &p.clerk,
                pb::ListEnrolmentsRequest {
                    page_size: 500,
                    page_token: token.clone(),
                    ..Default::default()
                },
            ))
            .await
            .expect("page")
            .into_inner();
        count += page.enrolments.len();
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(count, 4_000);
}

/// A welfare process, killed when dropped (a failed test leaves none behind).
struct Replica(std::process::Child);

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A welfare replica started as its own process on the harness's database, identity and broker.
fn replica(h: &Harness) -> (Replica, std::net::SocketAddr) {
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_tinhso-welfare"))
        .env("TINHSO_GRPC_ADDR", addr.to_string())
        .env("TINHSO_IDENTITY_URL", format!("http://{}", h.addr))
        .env("TINHSO_DATABASE__URL", &h.welfare_url)
        .env(
            "TINHSO_NATS__URL",
            std::env::var("TINHSO_TEST_NATS_URL").unwrap_or_default(),
        )
        .env(
            "TINHSO_CONSUMER_NAME",
            format!("welfare-replica-{}", uuid::Uuid::new_v4().simple()),
        )
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the welfare binary starts");
    (Replica(child), addr)
}

#[tokio::test]
async fn a_replica_killed_in_the_middle_of_a_commit_writes_nothing_and_the_retry_writes_all() {
    use tinhso_platform::db::query;
    let h = start().await;
    let p = h.province2().await;
    const ROWS: usize = 20_000;
    let checked = upload(&h, &p.clerk, &p.commune.id, "ca-huyen.xlsx", elders(ROWS))
        .await
        .expect("checked");
    assert_eq!(checked.rows_valid, ROWS as i64);

    // A second replica, in its own process, takes the commit.
    let (child, addr) = replica(&h);
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .expect("endpoint")
        .connect_lazy();
    let mut imports = pb::import_service_client::ImportServiceClient::new(channel);
    let ready = {
        let (imports, token, id) = (imports.clone(), p.clerk.clone(), checked.id.clone());
        tinhso_testkit::eventually(60, move || {
            let (mut imports, token, id) = (imports.clone(), token.clone(), id.clone());
            async move {
                imports
                    .get_import(authed(&token, pb::GetImportRequest { id }))
                    .await
                    .is_ok()
            }
        })
        .await
    };
    assert!(ready, "the replica answers with identity's keys");
    let commit = {
        let (token, id) = (p.clerk.clone(), checked.id.clone());
        tokio::spawn(async move {
            imports
                .commit_import(authed(&token, pb::FinishImportRequest { id }))
                .await
        })
    };
    // Killed while it writes: on PostgreSQL, once its enrolments' INSERT is seen running (the
    // new beneficiaries already written in the open transaction); on SQLite, soon after the
    // request, wherever that falls.
    let pool = &h.welfare.db.pool;
    if pool.get_database_backend() == sea_orm::DbBackend::Postgres {
        let mut seen = false;
        for _ in 0..20_000 {
            let running: i64 = query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                 AND state = 'active' AND query LIKE 'INSERT INTO \"enrolments\"%'",
            )
            .scalar(pool)
            .await
            .expect("activity");
            if running > 0 {
                seen = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        assert!(
            seen,
            "the commit's enrolments were never seen being written"
        );
    } else {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    drop(child);
    let answered = commit.await.expect("task");

    let state: String = query("SELECT state FROM imports WHERE id = $1")
        .bind(checked.id.clone())
        .scalar(pool)
        .await
        .expect("state");
    let after_kill = written(&h).await;
    // All or nothing, whichever moment the kill fell on.
    if state == "committed" {
        assert_eq!(after_kill, (ROWS as i64, ROWS as i64, ROWS as i64));
    } else {
        assert_eq!(state, "checked");
        assert_eq!(after_kill, (0, 0, 0), "a killed commit left rows behind");
        assert!(answered.is_err(), "no answer from a killed replica");
    }
    if pool.get_database_backend() == sea_orm::DbBackend::Postgres {
        assert_eq!(state, "checked", "killed before its transaction ended");
    }

    // The clerk commits again on the replica still running: every row once.
    let done = finish(&h, &p.clerk, &checked.id, true)
        .await
        .expect("committed");
    assert_eq!(done.state, "committed");
    assert_eq!(written(&h).await, (ROWS as i64, ROWS as i64, ROWS as i64));
}

/// How many beneficiaries, enrolments and history lines welfare's database holds.
async fn written(h: &Harness) -> (i64, i64, i64) {
    let mut counts = Vec::new();
    for table in ["beneficiaries", "enrolments", "enrolment_changes"] {
        counts.push(
            tinhso_platform::db::query(format!("SELECT count(*) FROM {table}"))
                .scalar::<i64, _>(&h.welfare.db.pool)
                .await
                .expect("count"),
        );
    }
    (counts[0], counts[1], counts[2])
}

#[tokio::test]
async fn a_check_cut_short_is_never_committed() {
    use tinhso_welfare::store::imports::{ImportRecord, create};
    let h = start().await;
    let p = h.province2().await;
    // The import written, its rows not (the service stopped between the two writes).
    let record = ImportRecord {
        id: uuid::Uuid::now_v7().to_string(),
        unit_id: p.commune.id.clone(),
        unit_path: p.commune.path.clone(),
        filename: "bi-ngat.xlsx".into(),
        state: "staging".into(),
        rows_total: 10,
        rows_valid: 10,
        problem_count: 0,
        created_at: 1_795_000_000_000,
        created_by: "nhaplieu.xta".into(),
    };
    let mut tx = h.welfare.db.begin().await.expect("tx");
    create(&mut tx, &record, &[]).await.expect("written");
    tx.commit().await.expect("committed");
    let refused = finish(&h, &p.clerk, &record.id, true)
        .await
        .expect_err("a cut-short check");
    assert_eq!(code_of(&refused), "VALIDATION_REQUIRED");
    assert!(
        refused.message().contains("bị ngắt"),
        "{}",
        refused.message()
    );
    assert_eq!(written(&h).await, (0, 0, 0));
}

#[tokio::test]
async fn a_person_on_several_rows_is_entered_once_with_each_enrolment() {
    let h = start().await;
    let p = h.province2().await;
    // An elderly person on the allowance and on health insurance: two rows, one person — with a
    // citizen ID, and without one (known by name, birth date and commune).
    let file = workbook(&[
        row(
            "Hồ Văn Hai",
            "02/02/1940",
            "051140009999",
            "TCXH",
            "elderly_80_no_pension",
        ),
        row("Hồ Văn Hai", "02/02/1940", "051140009999", "BHYT", ""),
        row(
            "Đinh Thị Ba",
            "03/03/1941",
            "",
            "TCXH",
            "elderly_80_no_pension",
        ),
        row("Đinh Thị Ba", "03/03/1941", "", "BHYT", ""),
    ]);
    let checked = upload(&h, &p.clerk, &p.commune.id, "hai-che-do.xlsx", file)
        .await
        .expect("checked");
    assert_eq!(
        (checked.rows_valid, checked.problem_count),
        (4, 0),
        "{:?}",
        checked.problems
    );
    finish(&h, &p.clerk, &checked.id, true)
        .await
        .expect("committed");
    let people = beneficiaries(&h, &p.clerk).await;
    let mut names: Vec<&str> = people.iter().map(|b| b.full_name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Hồ Văn Hai", "Đinh Thị Ba"]);
    for person in &people {
        let mut policies: Vec<String> = enrolments(&h, &p.clerk)
            .await
            .into_iter()
            .filter(|e| e.beneficiary_id == person.id)
            .map(|e| e.policy)
            .collect();
        policies.sort_unstable();
        assert_eq!(policies, ["BHYT", "TCXH"], "{}", person.full_name);
    }
}
