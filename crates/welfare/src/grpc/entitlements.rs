//! EntitlementService: a period's lines for a unit's enrolments in a policy (issue 12, item 4)
//! — a month, a school term or a year by the policy's frequency — rebuilt from each enrolment's
//! history and the parameters in force in each month.

use super::*;
use crate::domain::entitlements::{Enrolment, from_history};
use crate::domain::periods::{Period, period_line};
use crate::domain::rules::RuleFault;
use crate::domain::settlement::Payment;
use crate::store::{self, payments::LineRow};
use tinhso_platform::grpc::handle;

/// A period's code (`2026-11`, `2026-2027/HK1`, `2026`); BAD_FORMAT on `field` otherwise.
pub(super) fn period_of(text: &str, field: &str) -> AppResult<Period> {
    Period::parse(text).ok_or_else(|| {
        AppError::invalid(
            field,
            ErrorCode::BadFormat,
            "kỳ ghi dạng YYYY-MM (tháng), YYYY-YYYY/HK1 hoặc HK2 (học kỳ) hoặc YYYY (năm)",
            "the period is YYYY-MM, YYYY-YYYY/HK1|HK2 or YYYY",
        )
    })
}

impl Api {
    /// Policy `code` and the period `text` of it: BAD_FORMAT on `period_field` when the period
    /// is not written as the policy is paid (a month for a monthly or one-off policy, a term for
    /// a per-term one, a year for a yearly one).
    pub(super) async fn policy_period(
        &self,
        code: &str,
        policy_field: &str,
        text: &str,
        period_field: &str,
    ) -> AppResult<(Policy, Period)> {
        let policy = self.policy(code, policy_field).await?;
        let period = Period::parse(text)
            .filter(|p| p.fits(policy.frequency))
            .ok_or_else(|| {
                AppError::invalid(
                    period_field,
                    ErrorCode::BadFormat,
                    &format!(
                        "chính sách \"{}\" chi trả theo kỳ riêng: {}",
                        policy.code,
                        Period::form_for(policy.frequency)
                    ),
                    "the period is not one the policy is paid by",
                )
            })?;
        Ok((policy, period))
    }
}

impl Api {
    /// The verified enrolments in `policy` under `unit_path` as they bear on payment: rebuilt
    /// from their history, their end as stored, bounded by the policy's days in force.
    pub(super) async fn paid_enrolments(
        &self,
        unit_path: &str,
        policy: &Policy,
    ) -> AppResult<Vec<(store::enrolments::EnrolmentRow, Enrolment)>> {
        Ok(store::enrolments::payable(
            &self.0.db.pool,
            &store::enrolments::Filter {
                unit_prefix: unit_path.to_string(),
                policy: Some(policy.code.to_string()),
                ..Default::default()
            },
        )
        .await?
        .into_iter()
        .filter_map(|(row, steps)| {
            let mut e = from_history(&steps)?;
            e.end = row.end;
            policy.in_force.bound(&mut e);
            Some((row, e))
        })
        .collect())
    }

    /// The lines of `period` for the enrolments in `policy` under `unit_path`, as a payment
    /// list holds them (not yet paid), by beneficiary name.
    pub(super) async fn entitlement_lines(
        &self,
        unit_path: &str,
        policy: &Policy,
        period: Period,
    ) -> AppResult<Vec<LineRow>> {
        Ok(self
            .entitlements_by_unit(unit_path, policy, period, true)
            .await?
            .into_iter()
            .map(|(_, line)| line)
            .collect())
    }

    /// As [`Self::entitlement_lines`], each line with its commune's unit path; without the
    /// beneficiaries' names unless `names` (a report counts, it does not name).
    pub(super) async fn entitlements_by_unit(
        &self,
        unit_path: &str,
        policy: &Policy,
        period: Period,
        names: bool,
    ) -> AppResult<Vec<(String, LineRow)>> {
        let pool = &self.0.db.pool;
        let parameters = store::parameters::values(pool).await?;
        let enrolments = self.paid_enrolments(unit_path, policy).await?;
        let names = if names {
            store::beneficiaries::names(
                pool,
                enrolments
                    .iter()
                    .map(|(e, _)| e.beneficiary_id.clone())
                    .collect(),
            )
            .await?
        } else {
            std::collections::HashMap::new()
        };
        let mut lines = Vec::new();
        for (row, e) in &enrolments {
            let owed = period_line(&policy.rule, policy.frequency, e, &parameters, period)
                .map_err(|fault| match fault {
                    RuleFault::NoParameter(kind) => AppError::failed_precondition(
                        ErrorCode::NoBaseSalary,
                        &format!(
                            "Chưa có {} áp dụng cho {}",
                            kind.name().to_lowercase(),
                            period.name()
                        ),
                        "no parameter value applies to the period",
                    ),
                    RuleFault::UnknownLevel(level) => AppError::internal(format!(
                        "enrolment {} has level {level} its policy lacks",
                        row.id
                    )),
                })?;
            if let Some(line) = owed {
                lines.push((
                    row.unit_path.clone(),
                    LineRow {
                        enrolment_id: row.id.clone(),
                        beneficiary_id: row.beneficiary_id.clone(),
                        beneficiary_name: names
                            .get(&row.beneficiary_id)
                            .cloned()
                            .unwrap_or_default(),
                        category: row.terms.category.clone(),
                        base: line.base,
                        coefficient: i64::from(line.coefficient),
                        quantity: i64::from(line.quantity),
                        months: i64::from(line.months),
                        amount: line.amount,
                        payment: Payment::Pending,
                    },
                ));
            }
        }
        lines.sort_by_cached_key(|(_, l)| {
            (
                tinhso_platform::vn::name_sort_key(&l.beneficiary_name),
                l.enrolment_id.clone(),
            )
        });
        Ok(lines)
    }
}

#[tonic::async_trait]
impl pb::entitlement_service_server::EntitlementService for Api {
    async fn list_entitlements(
        &self,
        request: Request<pb::ListEntitlementsRequest>,
    ) -> Reply<pb::ListEntitlementsResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let unit = self.readable_unit(&p, &r.unit_id).await?;
            // `period` names a month, term or year; `month` is its older name.
            let (text, field) = if r.period.is_empty() {
                (&r.month, "month")
            } else {
                (&r.period, "period")
            };
            let (policy, period) = self.policy_period(&r.policy, "policy", text, field).await?;
            let lines: Vec<pb::EntitlementLine> = self
                .entitlement_lines(unit.path.as_str(), &policy, period)
                .await?
                .into_iter()
                .map(|l| pb::EntitlementLine {
                    enrolment_id: l.enrolment_id,
                    beneficiary_id: l.beneficiary_id,
                    beneficiary_name: l.beneficiary_name,
                    category: l.category,
                    base: l.base,
                    coefficient: i32::try_from(l.coefficient).unwrap_or_default(),
                    quantity: l.quantity,
                    months: i32::try_from(l.months).unwrap_or_default(),
                    amount: l.amount,
                })
                .collect();
            let total = lines.iter().map(|l| l.amount).sum();
            Ok(Response::new(pb::ListEntitlementsResponse { lines, total }))
        })
        .await
    }
}
