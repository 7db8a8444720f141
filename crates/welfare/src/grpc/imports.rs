//! ImportService: the staged import of beneficiaries and enrolments (issue 12, item 8). The file
//! is read and every row checked on the blocking pool (untrusted bytes never on the async
//! threads), one row at a time; each batch of rows is checked against the records while the
//! next is read (the two cores overlap), then the rows are staged with the problems; the commit
//! writes them in one transaction.

use super::*;
use crate::domain::import::{self as rules, Known, Problem, Row};
use crate::domain::policies::BeneficiaryKind;
use crate::domain::rules::check_terms;
use crate::store::{
    self,
    imports::{ImportRecord, ProblemRow, StagedRow},
};
use std::collections::{HashMap, HashSet};
use tinhso_platform::clock::to_timestamp;
use tinhso_platform::grpc::handle;
use tinhso_platform::vn::fold;
use tinhso_platform::xlsx::{self, Cell};

/// Largest upload, rows (the heading line included) and columns of an import file.
const MAX_BYTES: usize = 20 * 1024 * 1024;
const MAX_ROWS: u32 = 100_001;
const MAX_COLUMNS: u32 = 40;
const LIMITS: xlsx::ReadLimits = xlsx::ReadLimits::for_sheet(MAX_ROWS, MAX_COLUMNS);
/// Problems answered with the import (the report has them all).
const SHOWN_PROBLEMS: u64 = 200;

fn import_pb(r: &ImportRecord, problems: Vec<ProblemRow>) -> pb::Import {
    pb::Import {
        id: r.id.clone(),
        unit_id: r.unit_id.clone(),
        filename: r.filename.clone(),
        state: r.state.clone(),
        rows_total: r.rows_total,
        rows_valid: r.rows_valid,
        problem_count: r.problem_count,
        problems: problems
            .into_iter()
            .map(|p| pb::ImportProblem {
                row: p.row,
                column: p.column,
                message: p.message,
            })
            .collect(),
        create_time: Some(to_timestamp(r.created_at)),
        created_by: r.created_by.clone(),
    }
}

fn file_error(message: &str, en: &str) -> AppError {
    AppError::invalid("file", ErrorCode::BadFile, message, en)
}

/// What the rows of a file came to: every problem of a row on its own, and how many data rows
/// there were (those that passed went to the caller in batches).
struct Checked {
    problems: Vec<Problem>,
    total: usize,
}

/// Rows handed on at a time, as many as one round of record lookups takes.
const ROW_BATCH: usize = 1_000;

/// Reads and checks the file (CPU-bound, untrusted: on the blocking pool). An .xlsx is read one
/// row at a time; a CSV must be UTF-8. The rows that pass their own checks go to `deliver` in
/// batches; it answers false when nobody takes them any more, which ends the reading.
fn check_file(
    bytes: &[u8],
    known: &Known,
    today: time::Date,
    mut deliver: impl FnMut(Vec<Row>) -> bool,
) -> AppResult<Checked> {
    let mut header: Option<HashMap<&'static str, usize>> = None;
    let mut checked = Checked {
        problems: Vec::new(),
        total: 0,
    };
    let mut batch = Vec::with_capacity(ROW_BATCH);
    let abandoned = || AppError::internal("the check of the file was abandoned");
    let mut on_row = |index: usize, cells: Vec<String>| -> AppResult<()> {
        let Some(at) = &header else {
            match rules::columns_of(&cells) {
                Ok(at) => header = Some(at),
                Err(missing) => {
                    return Err(tinhso_platform::error::all_violations(
                        missing
                            .into_iter()
                            .map(|p| {
                                AppError::invalid(
                                    &format!("file.{}", p.column),
                                    ErrorCode::MissingColumn,
                                    &p.message,
                                    "a column of the template is missing",
                                )
                            })
                            .collect(),
                    )
                    .err()
                    .unwrap_or_else(|| AppError::internal("no problem")));
                }
            }
            return Ok(());
        };
        checked.total += 1;
        match rules::check_row(index + 1, &cells, at, known, today) {
            Ok(row) => batch.push(row),
            Err(problems) => checked.problems.extend(problems),
        }
        if batch.len() == ROW_BATCH && !deliver(std::mem::take(&mut batch)) {
            return Err(abandoned());
        }
        Ok(())
    };
    if bytes.starts_with(b"PK\x03\x04") {
        xlsx::for_each_row(bytes, &LIMITS, |i, cells| -> Result<(), RowError> {
            on_row(i, cells).map_err(RowError::App)
        })
        .map_err(|e| match e {
            RowError::App(e) => e,
            RowError::Xlsx(e) => xlsx::upload_error(e),
        })?;
    } else {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            file_error(
                "tệp không phải bảng tính .xlsx, cũng không phải tệp CSV mã hóa UTF-8",
                "neither an .xlsx workbook nor a UTF-8 CSV file",
            )
        })?;
        let text = text.strip_prefix(tinhso_platform::csv::BOM).unwrap_or(text);
        let rows = tinhso_platform::csv::parse(text).map_err(|e| {
            AppError::invalid(
                "file",
                ErrorCode::CsvMalformed,
                &e.to_string(),
                "malformed CSV",
            )
        })?;
        if rows.len() > MAX_ROWS as usize {
            return Err(AppError::invalid(
                "file",
                ErrorCode::TooManyRows,
                &format!("tệp có quá {MAX_ROWS} dòng"),
                "the file has too many rows",
            ));
        }
        for (i, cells) in rows.into_iter().enumerate() {
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if cells.len() > MAX_COLUMNS as usize {
                return Err(AppError::invalid(
                    "file",
                    ErrorCode::FileTooLarge,
                    &format!("tệp có quá {MAX_COLUMNS} cột"),
                    "the file has too many columns",
                ));
            }
            on_row(i, cells.into_iter().map(|c| c.trim().to_string()).collect())?;
        }
    }
    if header.is_none() {
        return Err(AppError::invalid(
            "file",
            ErrorCode::NoHeader,
            "tệp không có dòng tiêu đề của mẫu",
            "the file has no heading line",
        ));
    }
    if checked.total == 0 {
        return Err(AppError::invalid(
            "file",
            ErrorCode::NoRows,
            "tệp không có dòng dữ liệu nào dưới dòng tiêu đề",
            "the file has no data rows",
        ));
    }
    if !batch.is_empty() && !deliver(batch) {
        return Err(abandoned());
    }
    Ok(checked)
}

/// A person new to the records on several rows of the file (one per policy) is entered once:
/// the first row's record, the later rows enrolling it. Known by citizen ID, or without one by
/// the folded name, birth date and commune.
fn one_record_per_person(staged: &mut [StagedRow]) {
    let mut first: HashMap<String, String> = HashMap::new();
    for row in staged.iter_mut().filter(|r| r.new_beneficiary) {
        let person = rules::person_key(
            &row.citizen_id,
            &row.name_folded,
            row.birth_date,
            &row.commune_id,
        );
        match first.get(&person) {
            Some(id) => {
                row.beneficiary_id = id.clone();
                row.new_beneficiary = false;
            }
            None => {
                first.insert(person, row.beneficiary_id.clone());
            }
        }
    }
}

/// A row callback's error or the reader's.
enum RowError {
    App(AppError),
    Xlsx(xlsx::XlsxError),
}

impl From<xlsx::XlsxError> for RowError {
    fn from(e: xlsx::XlsxError) -> Self {
        Self::Xlsx(e)
    }
}

fn problem(row: usize, column: &str, message: String) -> Problem {
    Problem {
        row,
        column: rules::COLUMNS
            .iter()
            .find(|(_, h, _)| *h == column)
            .map_or("", |(_, h, _)| h),
        message,
    }
}

impl Api {
    /// A batch of rows that passed their own checks, checked against the policies' rules and
    /// the records: the staged rows, and the further problems.
    async fn against_records(
        &self,
        rows: &[Row],
        communes: &HashMap<String, ReplicaUnit>,
        p: &Principal,
        policies: &[Policy],
    ) -> AppResult<(Vec<StagedRow>, Vec<Problem>)> {
        let pool = &self.0.db.pool;
        let mut staged = Vec::with_capacity(rows.len());
        let mut problems = Vec::new();
        let ids: Vec<String> = rows
            .iter()
            .filter(|r| !r.citizen_id.is_empty())
            .map(|r| r.citizen_id.clone())
            .collect();
        let by_id: HashMap<String, store::beneficiaries::BeneficiaryRow> =
            store::beneficiaries::with_citizen_ids(pool, &ids)
                .await?
                .into_iter()
                .map(|b| (b.citizen_id.clone(), b))
                .collect();
        let mut by_name: HashMap<(String, Option<time::Date>, String), String> = HashMap::new();
        let commune_ids: Vec<String> = rows
            .iter()
            .filter_map(|r| communes.get(&r.commune).map(|c| c.id.to_string()))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let names: Vec<String> = rows
            .iter()
            .map(|r| fold(&r.full_name))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        for b in store::beneficiaries::with_names_in(pool, &commune_ids, &names).await? {
            by_name.insert(
                (fold(&b.full_name), b.birth_date, b.commune_id.clone()),
                b.full_name,
            );
        }
        let existing: Vec<String> = by_id.values().map(|b| b.id.clone()).collect();
        let open = store::enrolments::open_of(pool, &existing).await?;
        for r in rows {
            let Some(commune) = communes.get(&r.commune) else {
                continue;
            };
            let Ok(policy) = policy_in(policies, &r.policy, "policy") else {
                continue;
            };
            if policy.beneficiary != BeneficiaryKind::Person {
                problems.push(problem(
                    r.row,
                    "Mã chính sách",
                    format!(
                        "chính sách \"{}\" dành cho hộ gia đình, không nhập theo từng người",
                        r.policy
                    ),
                ));
                continue;
            }
            if !policy.in_force.contains(r.start) {
                problems.push(problem(r.row, "Hưởng từ ngày", policy.not_in_force()));
                continue;
            }
            let terms = match check_terms(&policy.rule, &r.category, 0, i64::from(r.quantity), "") {
                Ok(t) => t,
                Err(fault) => {
                    let (column, message) = match fault.field() {
                        "quantity" => (
                            "Số lượng",
                            "chính sách này tính theo số lượng: nhập số lớn hơn 0".to_string(),
                        ),
                        _ => (
                            "Mã đối tượng",
                            format!(
                                "mã đối tượng \"{}\" không có trong chính sách \"{}\"",
                                r.category, r.policy
                            ),
                        ),
                    };
                    problems.push(problem(r.row, column, message));
                    continue;
                }
            };
            let (beneficiary_id, new_beneficiary) = match by_id.get(&r.citizen_id) {
                Some(b) if !p.can(WRITE, &b.unit_path) => {
                    problems.push(problem(
                        r.row,
                        "Số CCCD",
                        "số CCCD này đã có ở đối tượng của đơn vị khác".into(),
                    ));
                    continue;
                }
                Some(b) if b.merged_into.is_some() => {
                    problems.push(problem(
                        r.row,
                        "Số CCCD",
                        "đối tượng mang số CCCD này đã được gộp vào hồ sơ khác".into(),
                    ));
                    continue;
                }
                Some(b) => {
                    if open.contains(&(b.id.clone(), r.policy.clone())) {
                        problems.push(problem(
                            r.row,
                            "Mã chính sách",
                            format!("{} đang hưởng chính sách \"{}\"", b.full_name, r.policy),
                        ));
                        continue;
                    }
                    (b.id.clone(), false)
                }
                None => {
                    let key = (
                        fold(&r.full_name),
                        Some(r.birth_date),
                        commune.id.to_string(),
                    );
                    if let Some(name) = by_name.get(&key) {
                        problems.push(problem(
                                r.row,
                                "Họ và tên",
                                format!(
                                    "nghi trùng với đối tượng \"{name}\" đã có (cùng họ tên, ngày sinh, xã); ghi số CCCD để nhận đúng người"
                                ),
                            ));
                        continue;
                    }
                    (uuid::Uuid::now_v7().to_string(), true)
                }
            };
            staged.push(StagedRow {
                import_id: String::new(),
                row_number: i64::try_from(r.row).unwrap_or(i64::MAX),
                beneficiary_id,
                new_beneficiary,
                full_name: r.full_name.clone(),
                name_folded: fold(&r.full_name),
                birth_date: r.birth_date,
                sex: if r.female { "female" } else { "male" }.into(),
                citizen_id: r.citizen_id.clone(),
                commune_id: commune.id.to_string(),
                unit_path: commune.path.to_string(),
                enrolment_id: uuid::Uuid::now_v7().to_string(),
                policy: r.policy.clone(),
                category: terms.0,
                coefficient: i64::from(terms.1.coefficient),
                quantity: i64::from(terms.1.quantity),
                decision_number: r.decision_number.clone(),
                decision_date: r.decision_date,
                start_date: r.start,
                end_date: r.end,
            });
        }
        Ok((staged, problems))
    }

    async fn import_answer(&self, id: &str) -> AppResult<pb::Import> {
        let pool = &self.0.db.pool;
        let record = store::imports::get(pool, id)
            .await?
            .ok_or_else(|| AppError::internal("the import was just written"))?;
        let problems = store::imports::problems(pool, id, SHOWN_PROBLEMS).await?;
        Ok(import_pb(&record, problems))
    }

    /// The import `id` if the caller writes in its unit.
    async fn writable_import(&self, p: &Principal, id: &str) -> AppResult<ImportRecord> {
        let record = store::imports::get(&self.0.db.pool, id)
            .await?
            .ok_or_else(|| AppError::not_found("lần nhập", "import").with_field("id"))?;
        p.require(WRITE, &record.unit_path)?;
        Ok(record)
    }
}

type FileStream =
    tokio_stream::Iter<std::vec::IntoIter<Result<tinhso_proto::common::v1::FileChunk, Status>>>;

fn file_stream(name: &str, bytes: &[u8]) -> FileStream {
    let chunks: Vec<_> = xlsx::chunks(name, xlsx::CONTENT_TYPE, bytes)
        .into_iter()
        .map(Ok)
        .collect();
    tokio_stream::iter(chunks)
}

#[tonic::async_trait]
impl pb::import_service_server::ImportService for Api {
    async fn check_import(
        &self,
        request: Request<tonic::Streaming<pb::ImportUpload>>,
    ) -> Reply<pb::Import> {
        handle(async move {
            let p = self.principal(&request)?;
            let (first, bytes) = tinhso_platform::grpc::collect_upload(
                &mut request.into_inner(),
                MAX_BYTES,
                |m: &mut pb::ImportUpload| m.file.take(),
            )
            .await?;
            if bytes.is_empty() {
                return Err(AppError::invalid(
                    "file",
                    ErrorCode::FileEmpty,
                    "chưa có tệp hoặc tệp rỗng",
                    "no file or an empty one",
                ));
            }
            let pool = &self.0.db.pool;
            let unit = tinhso_platform::units::active_unit(pool, &first.unit_id, "unit_id").await?;
            p.require(WRITE, unit.path.as_str())?;
            // The communes the unit enters for, by code: itself and the open units under it.
            let communes: HashMap<String, ReplicaUnit> = tinhso_platform::units::active(pool)
                .await?
                .into_iter()
                .filter(|u| u.path.as_str().starts_with(unit.path.as_str()))
                .map(|u| (u.code.clone(), u))
                .collect();
            let known = Known {
                policies: self
                    .policies()
                    .await?
                    .into_iter()
                    .map(|policy| {
                        let categories: HashSet<String> = match &policy.rule {
                            crate::domain::rules::BenefitRule::BaseTimesCoefficient { .. } => {
                                crate::domain::rules::SOCIAL_ALLOWANCE_CATEGORIES
                                    .iter()
                                    .map(|(c, _, _)| c.to_string())
                                    .collect()
                            }
                            _ => HashSet::new(),
                        };
                        (policy.code.to_string(), categories)
                    })
                    .collect(),
                communes: communes.keys().cloned().collect(),
            };
            let today = self.today();
            let policies = self.policies().await?;
            // The file is read on the blocking pool while the rows already read are checked
            // against the records here.
            let (sender, mut batches) = tokio::sync::mpsc::channel::<Vec<Row>>(2);
            let reading = tokio::task::spawn_blocking(move || {
                check_file(&bytes, &known, today, |batch| {
                    sender.blocking_send(batch).is_ok()
                })
            });
            let (mut rows, mut staged, mut more) = (Vec::new(), Vec::new(), Vec::new());
            while let Some(batch) = batches.recv().await {
                let (s, m) = self
                    .against_records(&batch, &communes, &p, &policies)
                    .await?;
                staged.extend(s);
                more.extend(m);
                rows.extend(batch);
            }
            let checked = reading.await.map_err(AppError::internal)??;
            // A person repeated inside the file is named at each repeat and goes no further.
            let repeats = rules::repeats_in_file(&rows);
            let repeated: HashSet<i64> = repeats
                .iter()
                .map(|r| i64::try_from(r.row).unwrap_or(i64::MAX))
                .collect();
            staged.retain(|s| !repeated.contains(&s.row_number));
            one_record_per_person(&mut staged);
            more.retain(|m| !repeated.contains(&i64::try_from(m.row).unwrap_or(i64::MAX)));
            let mut problems: Vec<ProblemRow> = checked
                .problems
                .into_iter()
                .chain(repeats)
                .chain(more)
                .map(|pr| ProblemRow {
                    row: i64::try_from(pr.row).unwrap_or(i64::MAX),
                    column: pr.column.to_string(),
                    message: pr.message,
                })
                .collect();
            problems.sort_by_key(|pr| pr.row);
            let record = ImportRecord {
                id: uuid::Uuid::now_v7().to_string(),
                unit_id: unit.id.to_string(),
                unit_path: unit.path.to_string(),
                filename: tinhso_platform::validate::text(
                    "filename",
                    &first.filename.chars().take(255).collect::<String>(),
                    false,
                    255,
                )?,
                state: "staging".into(),
                rows_total: i64::try_from(checked.total).unwrap_or(i64::MAX),
                rows_valid: i64::try_from(staged.len()).unwrap_or(i64::MAX),
                problem_count: i64::try_from(problems.len()).unwrap_or(i64::MAX),
                created_at: self.now(),
                created_by: p.username.clone(),
            };
            let mut tx = self.0.db.begin().await?;
            store::imports::create(&mut tx, &record, &problems).await?;
            tx.commit().await?;
            store::imports::stage(&self.0.db, &record.id, &staged).await?;
            tracing::info!(import = %record.id, rows = record.rows_total, valid = record.rows_valid, by = %p.username, "import checked");
            Ok(Response::new(self.import_answer(&record.id).await?))
        })
        .await
    }

    async fn get_import(&self, request: Request<pb::GetImportRequest>) -> Reply<pb::Import> {
        handle(async move {
            let p = self.principal(&request)?;
            let record = self.writable_import(&p, &request.get_ref().id).await?;
            Ok(Response::new(self.import_answer(&record.id).await?))
        })
        .await
    }

    type GetImportReportStream = FileStream;

    async fn get_import_report(
        &self,
        request: Request<pb::GetImportRequest>,
    ) -> Reply<Self::GetImportReportStream> {
        handle(async move {
            let p = self.principal(&request)?;
            let record = self.writable_import(&p, &request.get_ref().id).await?;
            let problems =
                store::imports::problems(&self.0.db.pool, &record.id, u64::MAX >> 1).await?;
            let sheet = xlsx::Sheet {
                name: "Lỗi".into(),
                title: Some(format!(
                    "Kết quả kiểm tra tệp {} — {} dòng, {} dòng hợp lệ, {} lỗi",
                    record.filename, record.rows_total, record.rows_valid, record.problem_count
                )),
                headers: vec!["Dòng".into(), "Cột".into(), "Nội dung lỗi".into()],
                rows: problems
                    .into_iter()
                    .map(|pr| {
                        vec![
                            Cell::Int(pr.row),
                            Cell::Text(pr.column),
                            Cell::Text(pr.message),
                        ]
                    })
                    .collect(),
            };
            let bytes = tokio::task::spawn_blocking(move || xlsx::write(&[sheet]))
                .await
                .map_err(AppError::internal)?
                .map_err(AppError::internal)?;
            Ok(Response::new(file_stream("bao-cao-kiem-tra.xlsx", &bytes)))
        })
        .await
    }

    async fn commit_import(&self, request: Request<pb::FinishImportRequest>) -> Reply<pb::Import> {
        handle(async move {
            let p = self.principal(&request)?;
            let record = self.writable_import(&p, &request.get_ref().id).await?;
            let now = self.now();
            let mut tx = self.0.db.begin().await?;
            if store::imports::finish(&mut tx, &record.id, "committed", now, &p.username).await? {
                // A citizen ID entered by hand since the check: nothing of the file is written.
                if let Err(e) = store::imports::write_rows(&mut tx, &record.id, now, &p.username).await {
                    return Err(if tinhso_platform::db::is_unique_violation(&e) {
                        AppError::already_exists(
                            "file",
                            ErrorCode::IdNumberTaken,
                            "Có số CCCD trong tệp vừa được nhập vào hệ thống sau lần kiểm tra; chưa ghi dòng nào, hãy kiểm tra lại tệp",
                            "a citizen ID of the file was entered since the check; nothing was written, check the file again",
                        )
                    } else {
                        e.into()
                    });
                }
                let counts = store::imports::policy_counts(&tx, &record.id).await?;
                let event = tinhso_proto::welfare::v1::ImportCommitted {
                    import_id: record.id.clone(),
                    unit_id: record.unit_id.clone(),
                    unit_path: record.unit_path.clone(),
                    enrolments: counts
                        .into_iter()
                        .map(|(policy, count)| tinhso_proto::welfare::v1::PolicyCount {
                            policy,
                            count,
                        })
                        .collect(),
                    actor_id: p.account_id.to_string(),
                };
                self.0
                    .outbox
                    .enqueue(
                        &mut tx,
                        &crate::events::import_committed(event, now),
                    )
                    .await?;
                self.commit(tx).await?;
                tracing::info!(import = %record.id, rows = record.rows_valid, by = %p.username, "import committed");
                // The staged rows are done with; cleared after the answer, off the commit's path.
                let (db, id) = (self.0.db.clone(), record.id.clone());
                tokio::spawn(async move {
                    let cleared = async {
                        let mut tx = db.begin().await?;
                        store::imports::drop_rows(&mut tx, &id).await?;
                        tx.commit().await
                    };
                    if let Err(e) = cleared.await {
                        tracing::warn!(import = %id, error = %e, "staged rows not cleared");
                    }
                });
            } else {
                // Already committed (a retry) or cancelled: nothing to write.
                tx.rollback().await?;
            }
            match store::imports::get(&self.0.db.pool, &record.id)
                .await?
                .map(|r| r.state)
                .as_deref()
            {
                Some("cancelled") => {
                    return Err(AppError::failed_precondition(
                        ErrorCode::ValidationRequired,
                        "Lần nhập này đã hủy; hãy tải tệp lên lại",
                        "the import was cancelled; upload the file again",
                    ));
                }
                Some("staging") => {
                    return Err(AppError::failed_precondition(
                        ErrorCode::ValidationRequired,
                        "Lần kiểm tra tệp này bị ngắt giữa chừng, chưa có dòng nào sẵn sàng; hãy tải tệp lên lại",
                        "the check of this file was cut short; upload the file again",
                    ));
                }
                _ => {}
            }
            Ok(Response::new(self.import_answer(&record.id).await?))
        })
        .await
    }

    async fn cancel_import(&self, request: Request<pb::FinishImportRequest>) -> Reply<pb::Import> {
        handle(async move {
            let p = self.principal(&request)?;
            let record = self.writable_import(&p, &request.get_ref().id).await?;
            let mut tx = self.0.db.begin().await?;
            if store::imports::finish(&mut tx, &record.id, "cancelled", self.now(), &p.username)
                .await?
            {
                store::imports::drop_rows(&mut tx, &record.id).await?;
            }
            tx.commit().await?;
            Ok(Response::new(self.import_answer(&record.id).await?))
        })
        .await
    }

    type GetImportTemplateStream = FileStream;

    async fn get_import_template(
        &self,
        request: Request<pb::GetImportTemplateRequest>,
    ) -> Reply<Self::GetImportTemplateStream> {
        handle(async move {
            let p = self.principal(&request)?;
            if p.scopes_for(WRITE).is_empty() {
                return Err(AppError::permission_denied());
            }
            let data = xlsx::Sheet {
                name: "Đối tượng".into(),
                title: None,
                headers: rules::COLUMNS
                    .iter()
                    .map(|(_, h, _)| h.to_string())
                    .collect(),
                rows: Vec::new(),
            };
            let help = xlsx::Sheet {
                name: "Hướng dẫn".into(),
                title: Some("Cách điền mẫu nhập đối tượng hưởng chính sách".into()),
                headers: vec!["Cột".into(), "Bắt buộc".into(), "Cách ghi".into()],
                rows: rules::COLUMNS
                    .iter()
                    .map(|(key, heading, required)| {
                        vec![
                            Cell::Text(heading.to_string()),
                            Cell::Text(if *required { "Có" } else { "Không" }.into()),
                            Cell::Text(rules::hint(key).into()),
                        ]
                    })
                    .collect(),
            };
            let bytes = tokio::task::spawn_blocking(move || xlsx::write(&[data, help]))
                .await
                .map_err(AppError::internal)?
                .map_err(AppError::internal)?;
            Ok(Response::new(file_stream(
                "mau-nhap-doi-tuong.xlsx",
                &bytes,
            )))
        })
        .await
    }
}
