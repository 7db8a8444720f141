//! ReportService: a period's report per policy group, policy and unit rolled up the tree (Điều
//! 9.3, 10) — a month (the monthly and one-off policies), a school term (the per-term ones) or a
//! year (every policy, each by its own frequency) — rebuilt from history so a past period reads
//! the same; and the workbooks.

use super::entitlements::period_of;
use super::*;
use crate::domain::periods::Period;
use crate::domain::settlement::Payment;
use crate::store;
use std::collections::HashMap;
use tinhso_platform::grpc::handle;
use tinhso_platform::xlsx::{self, Cell};

type FileStream =
    tokio_stream::Iter<std::vec::IntoIter<Result<tinhso_proto::common::v1::FileChunk, Status>>>;

fn file_stream(name: &str, bytes: &[u8]) -> FileStream {
    let chunks: Vec<_> = xlsx::chunks(name, xlsx::CONTENT_TYPE, bytes)
        .into_iter()
        .map(Ok)
        .collect();
    tokio_stream::iter(chunks)
}

async fn workbook(sheets: Vec<xlsx::Sheet>) -> AppResult<Vec<u8>> {
    tokio::task::spawn_blocking(move || xlsx::write(&sheets))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
}

/// A period's name for a title ("tháng 11/2026", "năm 2026"), or its code if it is not one.
fn period_name(code: &str) -> String {
    Period::parse(code).map_or_else(|| code.to_string(), Period::name)
}

/// A period's code fit for a file name (`2026-2027/HK1` -> `2026-2027-HK1`).
fn file_code(code: &str) -> String {
    code.replace('/', "-")
}

impl Api {
    async fn period_report(
        &self,
        p: &Principal,
        r: &pb::GetWelfareReportRequest,
    ) -> AppResult<pb::WelfareReport> {
        let unit = self.readable_unit(p, &r.unit_id).await?;
        // `period` names a month, term or year; `month` is its older name.
        let period = if r.period.is_empty() {
            period_of(&r.month, "month")?
        } else {
            period_of(&r.period, "period")?
        };
        let (first, last) = period.months();
        // A year counts every policy; a month or term those paid by it. Only policies in force
        // in some month of the period have columns.
        let monthly: Vec<Policy> = self
            .policies()
            .await?
            .into_iter()
            .filter(|p| matches!(period, Period::Year(_)) || period.fits(p.frequency))
            .filter(|p| p.in_force.overlaps(first, last))
            .collect();
        let mut columns = Vec::new();
        for policy in &monthly {
            for (what, title) in [("people", "Số người"), ("amount", "Số tiền (đồng)")]
            {
                columns.push(pb::ReportColumn {
                    key: format!("{}:{what}", policy.code),
                    title: format!("{} — {title}", policy.name),
                    group: policy.group.name().into(),
                });
            }
        }
        columns.push(pb::ReportColumn {
            key: "total:amount".into(),
            title: "Tổng số tiền (đồng)".into(),
            group: String::new(),
        });
        let width = columns.len();
        // Each commune's own figures, by unit id (the last segment of its path).
        let mut own: HashMap<String, Vec<i64>> = HashMap::new();
        for (i, policy) in monthly.iter().enumerate() {
            for (path, line) in self
                .entitlements_by_unit(unit.path.as_str(), policy, period, false)
                .await?
            {
                let id = path
                    .rsplit('/')
                    .find(|s| !s.is_empty())
                    .unwrap_or_default()
                    .to_string();
                let figures = own.entry(id).or_insert_with(|| vec![0; width]);
                figures[2 * i] += 1;
                figures[2 * i + 1] += line.amount;
                figures[width - 1] += line.amount;
            }
        }
        let units: Vec<ReplicaUnit> = tinhso_platform::units::active(&self.0.db.pool)
            .await?
            .into_iter()
            .filter(|u| u.path.as_str().starts_with(unit.path.as_str()))
            .collect();
        let paths: Vec<(String, String)> = units
            .iter()
            .map(|u| (u.id.to_string(), u.path.to_string()))
            .collect();
        let totals = tinhso_platform::units::subtree_totals(&paths, &own, width);
        let depth_of = |u: &ReplicaUnit| {
            u.path.as_str()[unit.path.as_str().len()..]
                .split('/')
                .filter(|s| !s.is_empty())
                .count()
        };
        let mut shown: Vec<&ReplicaUnit> = units.iter().filter(|u| depth_of(u) <= 1).collect();
        shown.sort_by_key(|u| (depth_of(u), tinhso_platform::vn::name_sort_key(&u.name)));
        let rows = shown
            .into_iter()
            .map(|u| pb::ReportRow {
                unit_id: u.id.to_string(),
                unit_name: u.name.clone(),
                depth: i32::try_from(depth_of(u)).unwrap_or_default(),
                values: totals
                    .get(u.id.as_str())
                    .cloned()
                    .unwrap_or_else(|| vec![0; width]),
            })
            .collect();
        Ok(pb::WelfareReport {
            unit_name: unit.name.clone(),
            month: period.code(),
            columns,
            rows,
        })
    }
}

#[tonic::async_trait]
impl pb::report_service_server::ReportService for Api {
    async fn get_welfare_report(
        &self,
        request: Request<pb::GetWelfareReportRequest>,
    ) -> Reply<pb::WelfareReport> {
        handle(async move {
            let p = self.principal(&request)?;
            Ok(Response::new(
                self.period_report(&p, request.get_ref()).await?,
            ))
        })
        .await
    }

    type ExportWelfareReportStream = FileStream;

    async fn export_welfare_report(
        &self,
        request: Request<pb::GetWelfareReportRequest>,
    ) -> Reply<Self::ExportWelfareReportStream> {
        handle(async move {
            let p = self.principal(&request)?;
            let report = self.period_report(&p, request.get_ref()).await?;
            let sheet = xlsx::Sheet {
                name: "Báo cáo".into(),
                title: Some(format!(
                    "Báo cáo chi trả chính sách an sinh xã hội {} — {}",
                    period_name(&report.month),
                    report.unit_name
                )),
                headers: std::iter::once("Đơn vị".to_string())
                    .chain(report.columns.iter().map(|c| c.title.clone()))
                    .collect(),
                rows: report
                    .rows
                    .iter()
                    .map(|r| {
                        std::iter::once(Cell::Indented(
                            r.unit_name.clone(),
                            u8::try_from(r.depth).unwrap_or(0),
                        ))
                        .chain(report.columns.iter().zip(&r.values).map(|(c, v)| {
                            if c.key.ends_with(":amount") {
                                Cell::Money(*v)
                            } else {
                                Cell::Int(*v)
                            }
                        }))
                        .collect()
                    })
                    .collect(),
            };
            let bytes = workbook(vec![sheet]).await?;
            Ok(Response::new(file_stream(
                &format!("bao-cao-an-sinh-{}.xlsx", file_code(&report.month)),
                &bytes,
            )))
        })
        .await
    }

    type ExportPaymentListStream = FileStream;

    async fn export_payment_list(
        &self,
        request: Request<pb::GetPaymentListRequest>,
    ) -> Reply<Self::ExportPaymentListStream> {
        handle(async move {
            let p = self.principal(&request)?;
            let pool = &self.0.db.pool;
            let list = store::payments::get(pool, &request.get_ref().id)
                .await?
                .ok_or_else(|| {
                    AppError::not_found("danh sách chi trả", "payment list").with_field("id")
                })?;
            p.require(READ, &list.unit_path)?;
            let unit_name = store::units::get(pool, &list.unit_id)
                .await?
                .map(|u| u.name)
                .unwrap_or_default();
            let policy = self.policy(&list.policy, "id").await?;
            let lines = store::payments::lines(pool, &list.id).await?;
            let sheet = xlsx::Sheet {
                name: "Danh sách chi trả".into(),
                title: Some(format!(
                    "Danh sách chi trả {} {} — {}",
                    policy.name,
                    period_name(&list.period),
                    unit_name
                )),
                headers: [
                    "STT",
                    "Họ và tên",
                    "Mức chuẩn, định mức (đồng)",
                    "Hệ số",
                    "Số lượng",
                    "Số tháng",
                    "Số tiền (đồng)",
                    "Đã chi ngày",
                    "Hình thức",
                    "Lý do chưa chi",
                ]
                .map(String::from)
                .to_vec(),
                rows: lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let (on, method, reason) = match &l.payment {
                            Payment::Paid { on, method } => (
                                Cell::Date(*on),
                                Cell::Text(
                                    match method.code() {
                                        "cash" => "Tiền mặt",
                                        "bank_transfer" => "Chuyển khoản",
                                        _ => "Qua bưu điện",
                                    }
                                    .into(),
                                ),
                                Cell::Empty,
                            ),
                            Payment::Unpaid { reason } => {
                                (Cell::Empty, Cell::Empty, Cell::Text(reason.clone()))
                            }
                            Payment::Pending => (Cell::Empty, Cell::Empty, Cell::Empty),
                        };
                        vec![
                            Cell::Int(i64::try_from(i + 1).unwrap_or_default()),
                            Cell::Text(l.beneficiary_name.clone()),
                            Cell::Money(l.base),
                            if l.coefficient > 0 {
                                Cell::Coefficient(l.coefficient)
                            } else {
                                Cell::Empty
                            },
                            if l.quantity > 0 {
                                Cell::Text(format!("{}", l.quantity as f64 / 1000.0))
                            } else {
                                Cell::Empty
                            },
                            Cell::Int(l.months),
                            Cell::Money(l.amount),
                            on,
                            method,
                            reason,
                        ]
                    })
                    .chain(std::iter::once(vec![
                        Cell::Empty,
                        Cell::Text("Cộng".into()),
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Money(lines.iter().map(|l| l.amount).sum()),
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                    ]))
                    .collect(),
            };
            let bytes = workbook(vec![sheet]).await?;
            Ok(Response::new(file_stream(
                &format!("danh-sach-chi-tra-{}.xlsx", file_code(&list.period)),
                &bytes,
            )))
        })
        .await
    }

    type ExportBeneficiariesStream = FileStream;

    async fn export_beneficiaries(
        &self,
        request: Request<pb::ListBeneficiariesRequest>,
    ) -> Reply<Self::ExportBeneficiariesStream> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let unit = self.readable_unit(&p, &r.unit_id).await?;
            let pool = &self.0.db.pool;
            let query = tinhso_platform::validate::text("query", &r.query, false, 255)?;
            // At most 100,000 rows, as every export.
            let people =
                store::beneficiaries::page(pool, unit.path.as_str(), &query, "", 100_000).await?;
            let enrolments = store::enrolments::list(
                pool,
                &store::enrolments::Filter {
                    unit_prefix: unit.path.to_string(),
                    ..Default::default()
                },
                "",
                500_000,
            )
            .await?;
            let mut by_person: HashMap<&str, Vec<&store::enrolments::EnrolmentRow>> =
                HashMap::new();
            for e in &enrolments {
                by_person.entry(&e.beneficiary_id).or_default().push(e);
            }
            let mut rows: Vec<Vec<Cell>> = Vec::new();
            let mut sorted: Vec<_> = people.iter().collect();
            sorted.sort_by_cached_key(|b| tinhso_platform::vn::name_sort_key(&b.full_name));
            for b in sorted {
                let own = by_person.get(b.id.as_str()).cloned().unwrap_or_default();
                let person = |e: Option<&store::enrolments::EnrolmentRow>| {
                    vec![
                        Cell::Text(b.full_name.clone()),
                        b.birth_date.map_or(Cell::Empty, Cell::Date),
                        Cell::from(b.citizen_id.as_str()),
                        Cell::from(e.map_or("", |e| e.policy.as_str())),
                        Cell::from(e.map_or("", |e| e.terms.category.as_str())),
                        e.filter(|e| e.terms.coefficient > 0)
                            .map_or(Cell::Empty, |e| Cell::Coefficient(e.terms.coefficient)),
                        e.map_or(Cell::Empty, |e| Cell::Date(e.start)),
                        e.and_then(|e| e.end).map_or(Cell::Empty, Cell::Date),
                        Cell::from(e.map_or("", |e| store::enrolments::status_text(e.status))),
                    ]
                };
                if own.is_empty() {
                    rows.push(person(None));
                }
                for e in own {
                    rows.push(person(Some(e)));
                }
            }
            let sheet = xlsx::Sheet {
                name: "Đối tượng".into(),
                title: Some(format!(
                    "Danh sách đối tượng hưởng chính sách — {}",
                    unit.name
                )),
                headers: [
                    "Họ và tên",
                    "Ngày sinh",
                    "Số CCCD",
                    "Chính sách",
                    "Nhóm đối tượng",
                    "Hệ số",
                    "Hưởng từ ngày",
                    "Đến ngày",
                    "Tình trạng",
                ]
                .map(String::from)
                .to_vec(),
                rows,
            };
            let bytes = workbook(vec![sheet]).await?;
            Ok(Response::new(file_stream(
                "danh-sach-doi-tuong.xlsx",
                &bytes,
            )))
        })
        .await
    }
}
