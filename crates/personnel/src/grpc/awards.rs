//! AwardService: honours outside the staff records and the award statistics of Điều 14.

use super::*;
use crate::domain::catalogues as cat;
use std::collections::HashMap;
use store::awards::HonourRow;
use tinhso_platform::ErrorCode;
use tinhso_platform::xlsx::{self, Cell};

fn honour_pb(h: &HonourRow) -> pb::Honour {
    pb::Honour {
        id: h.id.clone(),
        unit_id: h.unit_id.clone(),
        kind: h.kind.clone(),
        recipient_name: h.recipient_name.clone(),
        birth_year: i32::try_from(h.birth_year).unwrap_or_default(),
        home_town: h.home_town.clone(),
        address: h.address.clone(),
        decision_number: h.decision_number.clone(),
        decision_date: date_of(&Some(h.decision_date.clone())),
        issuer: h.issuer.clone(),
        posthumous: h.posthumous,
        note: h.note.clone(),
        record_time: Some(to_timestamp(h.recorded_at)),
        recorded_by: h.recorded_by.clone(),
    }
}

impl Api {
    async fn award_statistics(
        &self,
        p: &Principal,
        r: &pb::GetAwardStatisticsRequest,
    ) -> AppResult<(pb::AwardStatistics, String)> {
        let this_year: i32 = self.today()[..4].parse().unwrap_or(2026);
        let to_year = if r.to_year == 0 { this_year } else { r.to_year };
        let from_year = if r.from_year == 0 {
            to_year.saturating_sub(4)
        } else {
            r.from_year
        };
        let mut errors = Vec::new();
        for (field, year) in [("from_year", from_year), ("to_year", to_year)] {
            if !(1945..=2100).contains(&year) {
                errors.push(AppError::invalid(
                    field,
                    ErrorCode::OutOfRange,
                    "năm không hợp lệ",
                    "invalid year",
                ));
            }
        }
        if to_year < from_year || to_year.saturating_sub(from_year) > 80 {
            errors.push(AppError::invalid(
                "to_year",
                ErrorCode::RangeOrder,
                "năm cuối phải sau năm đầu, không quá 80 năm",
                "to_year must follow from_year, at most 80 years",
            ));
        }
        all_violations(errors)?;
        let unit = self.readable_unit(p, &r.unit_id).await?;
        let pool = &self.0.db.pool;
        let years: Vec<i32> = (from_year..=to_year).collect();
        let mut counts: HashMap<(String, i32), i64> = HashMap::new();
        for (kind, year, n) in store::awards::counts(pool, &unit.path, from_year, to_year).await? {
            *counts.entry((kind, year)).or_default() += n;
        }
        let kinds = store::catalogues::entries(pool, cat::AWARD_KIND, true)
            .await?
            .into_iter()
            .map(|k| {
                let per_year: Vec<i32> = years
                    .iter()
                    .map(|y| {
                        counts
                            .get(&(k.code.clone(), *y))
                            .map_or(0, |n| i32::try_from(*n).unwrap_or(i32::MAX))
                    })
                    .collect();
                pb::AwardKindFigures {
                    total: per_year.iter().sum(),
                    counts: per_year,
                    kind: k.code,
                    name: k.name,
                    level: k.attribute,
                }
            })
            .collect();
        Ok((pb::AwardStatistics { years, kinds }, unit.name))
    }
}

#[tonic::async_trait]
impl pb::award_service_server::AwardService for Api {
    async fn create_honour(&self, request: Request<pb::CreateHonourRequest>) -> Reply<pb::Honour> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let h = r.honour.unwrap_or_default();
            let today = self.today();
            let mut errors = Vec::new();
            let f = |name: &str| format!("honour.{name}");
            let mut text = |name: &str, value: &str, required: bool, max: usize| {
                validate::text(&f(name), value, required, max)
                    .map_err(|e| errors.push(e))
                    .unwrap_or_default()
            };
            let mut row = HonourRow {
                kind: text("kind", &h.kind, true, 32),
                recipient_name: text("recipient_name", &h.recipient_name, true, 255),
                home_town: text("home_town", &h.home_town, false, 255),
                address: text("address", &h.address, false, 500),
                decision_number: text("decision_number", &h.decision_number, true, 64),
                issuer: text("issuer", &h.issuer, false, 255),
                note: text("note", &h.note, false, 1000),
                posthumous: h.posthumous,
                birth_year: i64::from(h.birth_year),
                ..Default::default()
            };
            match past_date(&h.decision_date, &f("decision_date"), &today) {
                Ok(Some(d)) => row.decision_date = d,
                Ok(None) => errors.push(AppError::invalid(
                    &f("decision_date"),
                    ErrorCode::Required,
                    "chưa nhập ngày quyết định",
                    "the decision date is required",
                )),
                Err(e) => errors.push(e),
            }
            if h.birth_year != 0 && !(1850..=2100).contains(&h.birth_year) {
                errors.push(AppError::invalid(
                    &f("birth_year"),
                    ErrorCode::OutOfRange,
                    "năm sinh không hợp lệ",
                    "invalid birth year",
                ));
            }
            let mut tx = self.0.db.begin().await?;
            if !row.kind.is_empty() {
                match known_code(&tx, cat::AWARD_KIND, &row.kind, &f("kind")).await {
                    Ok(k) if cat::level_may_stand_alone(&k.attribute) => {}
                    Ok(_) => errors.push(AppError::invalid(
                        &f("kind"),
                        ErrorCode::HonourNeedsRecord,
                        "chỉ khen thưởng kháng chiến và danh hiệu Bà mẹ Việt Nam anh hùng được \
                         ghi ngoài hồ sơ; khen thưởng của cán bộ ghi vào hồ sơ của họ",
                        "only resistance awards and the Heroic Mother title stand outside a record",
                    )),
                    Err(e) => errors.push(e),
                }
            }
            all_violations(errors)?;
            if !r.request_id.is_empty()
                && let Some(done) = store::awards::by_request_id(&mut tx, &r.request_id).await?
            {
                p.require(WRITE, &done.unit_path)?;
                return Ok(Response::new(honour_pb(&done)));
            }
            let unit = self.active_unit(&tx, &h.unit_id, "honour.unit_id").await?;
            p.require(WRITE, &unit.path)?;
            row.id = uuid::Uuid::now_v7().to_string();
            row.unit_id = unit.id.into();
            row.unit_path = unit.path.into();
            row.recorded_at = self.now();
            row.recorded_by = p.username.clone();
            let request_id = (!r.request_id.is_empty()).then_some(r.request_id.as_str());
            store::awards::insert(&mut tx, &row, request_id).await?;
            self.commit(tx).await?;
            tracing::info!(honour = %row.id, kind = %row.kind, by = %p.username, "honour recorded");
            Ok(Response::new(honour_pb(&row)))
        })
        .await
    }

    async fn list_honours(
        &self,
        request: Request<pb::ListHonoursRequest>,
    ) -> Reply<pb::ListHonoursResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let (limit, offset) = page(r.page_size, &r.page_token)?;
            let unit = self.readable_unit(&p, &r.unit_id).await?;
            let query = tinhso_platform::vn::fold(r.query.trim());
            let rows = store::awards::list(
                &self.0.db.pool,
                &unit.path,
                (!r.kind.is_empty()).then_some(r.kind.as_str()),
                (!query.is_empty()).then_some(query.as_str()),
                limit,
                offset,
            )
            .await?;
            Ok(Response::new(pb::ListHonoursResponse {
                next_page_token: next_token(rows.len(), limit, offset),
                honours: rows.iter().map(honour_pb).collect(),
            }))
        })
        .await
    }

    async fn get_award_statistics(
        &self,
        request: Request<pb::GetAwardStatisticsRequest>,
    ) -> Reply<pb::AwardStatistics> {
        handle(async move {
            let p = self.principal(&request)?;
            let (table, _) = self.award_statistics(&p, request.get_ref()).await?;
            Ok(Response::new(table))
        })
        .await
    }

    type ExportAwardStatisticsStream = super::FileStream;

    async fn export_award_statistics(
        &self,
        request: Request<pb::GetAwardStatisticsRequest>,
    ) -> Reply<Self::ExportAwardStatisticsStream> {
        handle(async move {
            let p = self.principal(&request)?;
            let (table, unit_name) = self.award_statistics(&p, request.get_ref()).await?;
            let mut headers = vec!["Hình thức khen thưởng".to_string(), "Cấp".to_string()];
            headers.extend(table.years.iter().map(|y| format!("Năm {y}")));
            headers.push("Tổng cộng".into());
            let rows = table
                .kinds
                .iter()
                .map(|k| {
                    let mut cells = vec![
                        Cell::from(k.name.as_str()),
                        Cell::from(cat::award_level_label(&k.level)),
                    ];
                    cells.extend(k.counts.iter().map(|c| Cell::Int(i64::from(*c))));
                    cells.push(Cell::Int(i64::from(k.total)));
                    cells
                })
                .collect();
            let sheet = xlsx::Sheet {
                name: "Khen thưởng".into(),
                title: Some(format!(
                    "THỐNG KÊ KẾT QUẢ KHEN THƯỞNG – {unit_name} – {} đến {}",
                    table.years.first().copied().unwrap_or_default(),
                    table.years.last().copied().unwrap_or_default()
                )),
                headers,
                rows,
            };
            Ok(Response::new(
                self.workbook_download(
                    format!("thong-ke-khen-thuong-{}.xlsx", self.today()),
                    vec![sheet],
                )
                .await?,
            ))
        })
        .await
    }
}
