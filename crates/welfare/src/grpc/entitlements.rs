//! EntitlementService: a month's lines for a unit's enrolments in a monthly policy (issue 12,
//! item 4), rebuilt from each enrolment's history and the parameters in force that month.

use super::*;
use crate::domain::entitlements::{Enrolment, YearMonth, from_history, monthly_lines};
use crate::domain::policies::Frequency;
use crate::domain::rules::RuleFault;
use crate::domain::settlement::Payment;
use crate::store::{self, payments::LineRow};
use tinhso_platform::grpc::handle;

/// `YYYY-MM` as a month; BAD_FORMAT on `field` otherwise.
pub(super) fn month_of(text: &str, field: &str) -> AppResult<YearMonth> {
    YearMonth::parse(text).ok_or_else(|| {
        AppError::invalid(
            field,
            ErrorCode::BadFormat,
            "tháng ghi dạng YYYY-MM, ví dụ 2026-11",
            "the month is YYYY-MM",
        )
    })
}

impl Api {
    /// The monthly policy `code`; BAD_KIND on `field` when it is paid otherwise.
    pub(super) async fn monthly_policy(&self, code: &str, field: &str) -> AppResult<Policy> {
        let policy = self.policy(code, field).await?;
        if policy.frequency != Frequency::Monthly {
            return Err(AppError::invalid(
                field,
                ErrorCode::BadKind,
                "chính sách này không chi trả hằng tháng",
                "the policy is not paid monthly",
            ));
        }
        Ok(policy)
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

    /// The lines of `month` for the enrolments in `policy` under `unit_path`, as a payment list
    /// holds them (not yet paid), by beneficiary name.
    pub(super) async fn entitlement_lines(
        &self,
        unit_path: &str,
        policy: &Policy,
        month: YearMonth,
    ) -> AppResult<Vec<LineRow>> {
        Ok(self
            .entitlements_by_unit(unit_path, policy, month, true)
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
        month: YearMonth,
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
            let owed =
                monthly_lines(&policy.rule, e, &parameters, month, month).map_err(|fault| {
                    match fault {
                        RuleFault::NoParameter(kind) => AppError::failed_precondition(
                            ErrorCode::NoBaseSalary,
                            &format!(
                                "Chưa có {} áp dụng cho tháng này",
                                kind.name().to_lowercase()
                            ),
                            "no parameter value applies to the month",
                        ),
                        RuleFault::UnknownLevel(level) => AppError::internal(format!(
                            "enrolment {} has level {level} its policy lacks",
                            row.id
                        )),
                    }
                })?;
            for line in owed {
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
                        months: 1,
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
            let policy = self.monthly_policy(&r.policy, "policy").await?;
            let month = month_of(&r.month, "month")?;
            let lines: Vec<pb::EntitlementLine> = self
                .entitlement_lines(unit.path.as_str(), &policy, month)
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
