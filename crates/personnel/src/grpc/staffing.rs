//! StaffingService: quotas per unit, year and kind against the people working.

use super::*;
use tinhso_platform::ErrorCode;

#[tonic::async_trait]
impl pb::staffing_service_server::StaffingService for Api {
    async fn set_quota(&self, request: Request<pb::SetQuotaRequest>) -> Reply<pb::Quota> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let mut errors: Vec<AppError> = Vec::new();
            if !(2000..=2100).contains(&r.year) {
                errors.push(AppError::invalid(
                    "year",
                    ErrorCode::OutOfRange,
                    "năm không hợp lệ",
                    "the year is out of range",
                ));
            }
            let kind = kind_text(r.kind);
            if kind.is_none() {
                errors.push(AppError::invalid(
                    "kind",
                    ErrorCode::Required,
                    "chưa chọn loại cán bộ, công chức, viên chức",
                    "the kind of staff is required",
                ));
            }
            if !(0..=100_000).contains(&r.quota) {
                errors.push(AppError::invalid(
                    "quota",
                    ErrorCode::OutOfRange,
                    "số biên chế không hợp lệ",
                    "the quota is out of range",
                ));
            }
            all_violations(errors)?;
            let kind = kind.unwrap_or_default();
            let mut tx = self.0.db.begin().await?;
            let unit = self.active_unit(&tx, &r.unit_id, "unit_id").await?;
            p.require(STAFFING, &unit.path)?;
            let now = self.now();
            let row = store::staffing::QuotaRow {
                unit_id: unit.id.clone().into(),
                year: i64::from(r.year),
                kind: kind.clone(),
                quota: i64::from(r.quota),
                updated_at: now,
                updated_by: p.username.clone(),
            };
            let previous = store::staffing::set(&mut tx, &row).await?;
            let change = tinhso_proto::personnel::v1::QuotaChanged {
                unit_id: unit.id.clone().into(),
                unit_path: unit.path.clone().into(),
                year: r.year,
                kind,
                quota: r.quota,
                previous_quota: previous.and_then(|q| i32::try_from(q).ok()).unwrap_or(0),
                actor_id: p.account_id.clone(),
            };
            self.0
                .outbox
                .enqueue(&mut tx, &crate::events::quota_changed(change, now))
                .await?;
            self.commit(tx).await?;
            Ok(Response::new(pb::Quota {
                unit_id: unit.id.into(),
                year: r.year,
                kind: r.kind,
                quota: r.quota,
                update_time: Some(to_timestamp(now)),
                updated_by: p.username,
            }))
        })
        .await
    }

    async fn get_staffing(&self, request: Request<pb::GetStaffingRequest>) -> Reply<pb::Staffing> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let year = if r.year == 0 {
                self.today()[..4].parse().unwrap_or(2026)
            } else if (2000..=2100).contains(&r.year) {
                r.year
            } else {
                return Err(AppError::invalid(
                    "year",
                    ErrorCode::OutOfRange,
                    "năm không hợp lệ",
                    "the year is out of range",
                ));
            };
            let unit = self.readable_unit(&p, &r.unit_id).await?;
            let pool = &self.0.db.pool;
            let units = store::staffing::units_under(pool, &unit.path).await?;
            let quotas = store::staffing::quotas_under(pool, &unit.path, i64::from(year)).await?;
            let heads = store::staffing::headcount_under(pool, &unit.path).await?;
            let figures = |f: &crate::domain::staffing::Figures| -> Vec<pb::StaffingFigure> {
                f.iter()
                    .map(|(kind, (quota, actual))| pb::StaffingFigure {
                        kind: from_text(kind, "EMPLOYEE_KIND_", pb::EmployeeKind::from_str_name)
                            .map_or(0, |k| k as i32),
                        quota: i32::try_from(*quota).unwrap_or(i32::MAX),
                        actual: i32::try_from(*actual).unwrap_or(i32::MAX),
                    })
                    .collect()
            };
            Ok(Response::new(pb::Staffing {
                year,
                units: crate::domain::staffing::roll_up(&units, &quotas, &heads)
                    .iter()
                    .map(|u| pb::UnitStaffing {
                        unit_id: u.id.clone(),
                        unit_name: u.name.clone(),
                        unit_path: u.path.clone(),
                        own: figures(&u.own),
                        subtree: figures(&u.subtree),
                    })
                    .collect(),
            }))
        })
        .await
    }
}
