//! EstimateService: next year's estimate of a unit and policy, its funding, and its approval
//! (issue 12, item 6; QĐ 503/2022 Điều 9.5-9.6, 19.4b).

use super::approval_flow::{APPRAISE, APPROVE, approval_step, locked};
use super::*;
use crate::domain::approval::{self, State};
use crate::domain::estimates::{ExpectedChange, estimate, funding_need};
use crate::store::{
    self,
    estimates::{EstimateRow, ExpectedRow, WriteError},
};
use std::collections::HashMap;
use tinhso_platform::clock::to_timestamp;
use tinhso_platform::grpc::handle;
use tinhso_platform::validate;

/// Where funds come from (Điều 9.6).
const SOURCES: [&str; 4] = ["central", "provincial", "district", "other"];

fn write_error(e: WriteError) -> AppError {
    match e {
        WriteError::NotFound => AppError::not_found("dự toán", "estimate").with_field("id"),
        WriteError::Stale => AppError::stale_etag(),
        WriteError::Db(e) => e.into(),
    }
}

fn total(e: &EstimateRow, changes: &[ExpectedRow]) -> i64 {
    e.from_enrolments
        + changes
            .iter()
            .map(|c| c.change.beneficiaries * c.change.monthly_amount * c.change.months)
            .sum::<i64>()
}

impl Api {
    /// The estimate `id` if the caller reads under its unit (readers, appraisers, approvers).
    async fn readable_estimate(&self, p: &Principal, id: &str) -> AppResult<EstimateRow> {
        let e = store::estimates::get(&self.0.db.pool, id)
            .await?
            .ok_or_else(|| AppError::not_found("dự toán", "estimate").with_field("id"))?;
        if ![READ, APPRAISE, APPROVE]
            .iter()
            .any(|perm| p.can(perm, &e.unit_path))
        {
            return Err(AppError::permission_denied());
        }
        Ok(e)
    }

    async fn estimate_answer(&self, e: &EstimateRow, with_steps: bool) -> AppResult<pb::Estimate> {
        let pool = &self.0.db.pool;
        let changes = store::estimates::changes(pool, &e.id).await?;
        let funding = store::estimates::funding(pool, &e.id).await?;
        let amount = total(e, &changes);
        let unit_name = store::units::get(pool, &e.unit_id)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        let steps = if with_steps {
            store::approval::steps(pool, &e.id)
                .await?
                .into_iter()
                .map(|s| pb::ApprovalStep {
                    action: s.action,
                    state_after: super::payments::state_pb(s.state) as i32,
                    reason: s.reason,
                    actor_username: s.actor_username,
                    step_time: Some(to_timestamp(s.at)),
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(pb::Estimate {
            id: e.id.clone(),
            unit_id: e.unit_id.clone(),
            unit_name,
            unit_path: e.unit_path.clone(),
            policy: e.policy.clone(),
            year: e.year,
            state: super::payments::state_pb(e.state) as i32,
            return_reason: e.return_reason.clone(),
            from_enrolments: e.from_enrolments,
            expected_changes: changes
                .into_iter()
                .map(|c| pb::ExpectedChange {
                    description: c.description,
                    beneficiaries: c.change.beneficiaries,
                    monthly_amount: c.change.monthly_amount,
                    months: c.change.months,
                })
                .collect(),
            amount,
            carried_over: e.carried_over,
            need: funding_need(amount, e.carried_over),
            funded: funding.iter().map(|(_, a)| a).sum(),
            funding: funding
                .into_iter()
                .map(|(source, amount)| pb::FundingSource { source, amount })
                .collect(),
            version: e.version,
            steps,
        })
    }

    /// The current enrolments of `policy` under `unit_path` for the twelve months of `year`.
    async fn year_of_enrolments(
        &self,
        unit_path: &str,
        policy: &Policy,
        year: i32,
    ) -> AppResult<i64> {
        let parameters = store::parameters::values(&self.0.db.pool).await?;
        let enrolments: Vec<_> = self
            .paid_enrolments(unit_path, policy)
            .await?
            .into_iter()
            .map(|(_, e)| e)
            .collect();
        estimate(
            &policy.rule,
            policy.frequency,
            &enrolments,
            &parameters,
            year,
            &[],
        )
        .map_err(|_| {
            AppError::failed_precondition(
                ErrorCode::NoBaseSalary,
                "Chưa có mức tham số áp dụng cho năm dự toán",
                "no parameter value applies to the year",
            )
        })
    }
}

#[tonic::async_trait]
impl pb::estimate_service_server::EstimateService for Api {
    async fn prepare_estimate(
        &self,
        request: Request<pb::PrepareEstimateRequest>,
    ) -> Reply<pb::Estimate> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let pool = &self.0.db.pool;
            let unit = tinhso_platform::units::active_unit(pool, &r.unit_id, "unit_id").await?;
            p.require(WRITE, unit.path.as_str())?;
            let mut errors = Vec::new();
            let policy = self
                .policy(&r.policy, "policy")
                .await
                .map_err(|e| errors.push(e))
                .ok();
            if !(2000..=2100).contains(&r.year) {
                errors.push(AppError::invalid(
                    "year",
                    ErrorCode::OutOfRange,
                    "năm dự toán không hợp lệ",
                    "invalid year",
                ));
            }
            if !(0..=1_000_000_000_000).contains(&r.carried_over) {
                errors.push(AppError::invalid(
                    "carried_over",
                    ErrorCode::OutOfRange,
                    "kinh phí chuyển sang không được âm",
                    "the funds carried over must not be negative",
                ));
            }
            let mut changes = Vec::new();
            for (i, c) in r.expected_changes.iter().enumerate() {
                let f = |name: &str| format!("expected_changes[{i}].{name}");
                let description = validate::text(&f("description"), &c.description, true, 500)
                    .map_err(|e| errors.push(e))
                    .unwrap_or_default();
                if !(1..=12).contains(&c.months) {
                    errors.push(AppError::invalid(
                        &f("months"),
                        ErrorCode::OutOfRange,
                        "số tháng từ 1 đến 12",
                        "months are 1 to 12",
                    ));
                }
                if !(0..=100_000_000).contains(&c.monthly_amount) {
                    errors.push(AppError::invalid(
                        &f("monthly_amount"),
                        ErrorCode::OutOfRange,
                        "mức một tháng không được âm, tối đa 100.000.000 đồng",
                        "the monthly amount must be 0 to 100,000,000",
                    ));
                }
                if !(-1_000_000..=1_000_000).contains(&c.beneficiaries) {
                    errors.push(AppError::invalid(
                        &f("beneficiaries"),
                        ErrorCode::OutOfRange,
                        "số người tăng, giảm không hợp lệ",
                        "the number of beneficiaries is out of range",
                    ));
                }
                changes.push(ExpectedRow {
                    description,
                    change: ExpectedChange {
                        beneficiaries: c.beneficiaries,
                        monthly_amount: c.monthly_amount,
                        months: c.months,
                    },
                });
            }
            tinhso_platform::error::all_violations(errors)?;
            let Some(policy) = policy else {
                return Err(AppError::internal("checked above"));
            };
            let from_enrolments = self
                .year_of_enrolments(unit.path.as_str(), &policy, r.year)
                .await?;
            let now = self.now();
            let mut tx = self.0.db.begin().await?;
            let row =
                match store::estimates::find(&tx, unit.id.as_str(), &policy.code, r.year).await? {
                    Some(existing) => {
                        if !approval::editable(existing.state) {
                            return Err(locked(existing.state));
                        }
                        store::estimates::replace(
                            &mut tx,
                            &existing.id,
                            existing.version,
                            from_enrolments,
                            r.carried_over,
                            &changes,
                        )
                        .await
                        .map_err(write_error)?;
                        store::approval::step(
                            &mut tx,
                            &existing.id,
                            "prepare",
                            existing.state,
                            "",
                            now,
                            &p.username,
                        )
                        .await?;
                        EstimateRow {
                            from_enrolments,
                            carried_over: r.carried_over,
                            version: existing.version + 1,
                            ..existing
                        }
                    }
                    None => {
                        let row = EstimateRow {
                            id: uuid::Uuid::now_v7().to_string(),
                            unit_id: unit.id.to_string(),
                            unit_path: unit.path.to_string(),
                            policy: policy.code.to_string(),
                            year: r.year,
                            state: State::Draft,
                            return_reason: String::new(),
                            from_enrolments,
                            carried_over: r.carried_over,
                            version: 1,
                            created_at: now,
                            created_by: p.username.clone(),
                        };
                        store::estimates::create(&mut tx, &row, &changes).await?;
                        store::approval::step(
                            &mut tx,
                            &row.id,
                            "prepare",
                            State::Draft,
                            "",
                            now,
                            &p.username,
                        )
                        .await?;
                        row
                    }
                };
            self.commit(tx).await?;
            Ok(Response::new(self.estimate_answer(&row, true).await?))
        })
        .await
    }

    async fn get_estimate(&self, request: Request<pb::GetEstimateRequest>) -> Reply<pb::Estimate> {
        handle(async move {
            let p = self.principal(&request)?;
            let e = self.readable_estimate(&p, &request.get_ref().id).await?;
            Ok(Response::new(self.estimate_answer(&e, true).await?))
        })
        .await
    }

    async fn list_estimates(
        &self,
        request: Request<pb::ListEstimatesRequest>,
    ) -> Reply<pb::ListEstimatesResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let pool = &self.0.db.pool;
            let unit = tinhso_platform::units::unit_or_own(pool, &p, &r.unit_id).await?;
            if ![READ, APPRAISE, APPROVE]
                .iter()
                .any(|perm| p.can(perm, unit.path.as_str()))
            {
                return Err(AppError::permission_denied());
            }
            let mut estimates = Vec::new();
            for e in store::estimates::under(pool, unit.path.as_str(), r.year).await? {
                estimates.push(self.estimate_answer(&e, false).await?);
            }
            // The roll-up: the unit asked and each unit directly under it.
            let units: Vec<ReplicaUnit> = tinhso_platform::units::active(pool)
                .await?
                .into_iter()
                .filter(|u| u.path.as_str().starts_with(unit.path.as_str()))
                .collect();
            let paths: Vec<(String, String)> = units
                .iter()
                .map(|u| (u.id.to_string(), u.path.to_string()))
                .collect();
            let mut own: HashMap<String, Vec<i64>> = HashMap::new();
            for e in &estimates {
                let figures = own.entry(e.unit_id.clone()).or_insert_with(|| vec![0; 4]);
                figures[0] += 1;
                figures[1] += e.amount;
                figures[2] += e.need;
                figures[3] += e.funded;
            }
            let totals = tinhso_platform::units::subtree_totals(&paths, &own, 4);
            let depth = |u: &ReplicaUnit| {
                u.path.as_str()[unit.path.as_str().len()..]
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .count()
            };
            let mut shown: Vec<&ReplicaUnit> = units.iter().filter(|u| depth(u) <= 1).collect();
            shown.sort_by_key(|u| (depth(u), tinhso_platform::vn::name_sort_key(&u.name)));
            let roll_up = shown
                .into_iter()
                .map(|u| {
                    let t = totals
                        .get(u.id.as_str())
                        .cloned()
                        .unwrap_or_else(|| vec![0; 4]);
                    pb::EstimateTotals {
                        unit_id: u.id.to_string(),
                        unit_name: u.name.clone(),
                        estimates: i32::try_from(t[0]).unwrap_or_default(),
                        amount: t[1],
                        need: t[2],
                        funded: t[3],
                    }
                })
                .collect();
            Ok(Response::new(pb::ListEstimatesResponse {
                estimates,
                roll_up,
            }))
        })
        .await
    }

    async fn allocate_funding(
        &self,
        request: Request<pb::AllocateFundingRequest>,
    ) -> Reply<pb::Estimate> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let e = self.readable_estimate(&p, &r.id).await?;
            // Finance allocates while it holds the estimate: the district as it appraises, the
            // province as it approves.
            let permission = match e.state {
                State::Submitted => APPRAISE,
                State::Appraised => APPROVE,
                other => return Err(locked(if other == State::Approved { other } else { State::Draft })),
            };
            p.require(permission, &e.unit_path)?;
            let mut errors = Vec::new();
            let mut sources: Vec<(String, i64)> = Vec::new();
            for (i, f) in r.funding.iter().enumerate() {
                if !SOURCES.contains(&f.source.as_str())
                    || sources.iter().any(|(s, _)| *s == f.source)
                {
                    errors.push(AppError::invalid(
                        &format!("funding[{i}].source"),
                        ErrorCode::UnknownCode,
                        "nguồn ghi central (trung ương), provincial (tỉnh), district (huyện) hoặc other (khác), mỗi nguồn một lần",
                        "source is central, provincial, district or other, each once",
                    ));
                }
                if !(0..=1_000_000_000_000).contains(&f.amount) {
                    errors.push(AppError::invalid(
                        &format!("funding[{i}].amount"),
                        ErrorCode::OutOfRange,
                        "số tiền không được âm",
                        "the amount must not be negative",
                    ));
                }
                sources.push((f.source.clone(), f.amount));
            }
            tinhso_platform::error::all_violations(errors)?;
            let mut tx = self.0.db.begin().await?;
            store::estimates::set_funding(&mut tx, &e.id, r.version, &sources)
                .await
                .map_err(write_error)?;
            self.commit(tx).await?;
            let after = store::estimates::get(&self.0.db.pool, &e.id)
                .await?
                .ok_or_else(|| AppError::internal("the estimate was just written"))?;
            Ok(Response::new(self.estimate_answer(&after, true).await?))
        })
        .await
    }

    async fn advance_estimate(
        &self,
        request: Request<pb::AdvanceEstimateRequest>,
    ) -> Reply<pb::Estimate> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let e = self.readable_estimate(&p, &r.id).await?;
            let reason = validate::text("reason", &r.reason, false, 1000)?;
            let (action, state) = approval_step(&p, &e.unit_path, e.state, &r.action, &reason)?;
            let answer = self.estimate_answer(&e, false).await?;
            let now = self.now();
            let mut tx = self.0.db.begin().await?;
            store::approval::advance(
                &mut tx,
                store::approval::Document::Estimate,
                &e.id,
                r.version,
                action.code(),
                state,
                &reason,
                now,
                &p.username,
            )
            .await
            .map_err(write_error)?;
            self.0
                .outbox
                .enqueue(
                    &mut tx,
                    &crate::events::estimate(
                        tinhso_proto::welfare::v1::EstimateChanged {
                            estimate_id: e.id.clone(),
                            unit_id: e.unit_id.clone(),
                            unit_path: e.unit_path.clone(),
                            policy: e.policy.clone(),
                            year: e.year,
                            state: state.code().into(),
                            amount: answer.amount,
                            need: answer.need,
                            funded: answer.funded,
                            actor_id: p.account_id.to_string(),
                        },
                        now,
                    ),
                )
                .await?;
            self.commit(tx).await?;
            let after = store::estimates::get(&self.0.db.pool, &e.id)
                .await?
                .ok_or_else(|| AppError::internal("the estimate was just written"))?;
            Ok(Response::new(self.estimate_answer(&after, true).await?))
        })
        .await
    }
}
