//! EntitlementService: a month's lines for a unit's enrolments in a monthly policy (issue 12,
//! item 4), rebuilt from each enrolment's history and the parameters in force that month.

use super::*;
use crate::domain::entitlements::{YearMonth, from_history, monthly_lines};
use crate::domain::policies::Frequency;
use crate::domain::rules::RuleFault;
use crate::store;
use tinhso_platform::grpc::handle;

/// `YYYY-MM` as a month; BAD_FORMAT on `month` otherwise.
fn month_of(text: &str) -> AppResult<YearMonth> {
    let bad = || {
        AppError::invalid(
            "month",
            ErrorCode::BadFormat,
            "tháng ghi dạng YYYY-MM, ví dụ 2026-11",
            "month is YYYY-MM",
        )
    };
    let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month = m
        .parse::<u8>()
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or_else(bad)?;
    if !(2000..=2100).contains(&year) {
        return Err(bad());
    }
    Ok(YearMonth { year, month })
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
            let policy = policy(&r.policy, "policy")?;
            if policy.frequency != Frequency::Monthly {
                return Err(AppError::invalid(
                    "policy",
                    ErrorCode::BadKind,
                    "chính sách này không chi trả hằng tháng",
                    "the policy is not paid monthly",
                ));
            }
            let month = month_of(&r.month)?;
            let pool = &self.0.db.pool;
            let parameters = store::parameters::values(pool).await?;
            let enrolments = store::enrolments::with_history(
                pool,
                &store::enrolments::Filter {
                    unit_prefix: unit.path.to_string(),
                    policy: Some(policy.code.to_string()),
                    ..Default::default()
                },
            )
            .await?;
            let names = store::beneficiaries::names(
                pool,
                enrolments
                    .iter()
                    .map(|(e, _)| e.beneficiary_id.clone())
                    .collect(),
            )
            .await?;
            let mut lines = Vec::new();
            for (row, history) in &enrolments {
                let Some(mut e) = from_history(&store::enrolments::steps(history)) else {
                    continue;
                };
                e.end = row.end;
                let owed = monthly_lines(&policy.rule, &e, &parameters, month, month).map_err(
                    |fault| match fault {
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
                    },
                )?;
                for line in owed {
                    lines.push(pb::EntitlementLine {
                        enrolment_id: row.id.clone(),
                        beneficiary_id: row.beneficiary_id.clone(),
                        beneficiary_name: names
                            .get(&row.beneficiary_id)
                            .cloned()
                            .unwrap_or_default(),
                        category: row.terms.category.clone(),
                        base: line.base,
                        coefficient: i32::try_from(line.coefficient).unwrap_or_default(),
                        quantity: i64::from(line.quantity),
                        months: 1,
                        amount: line.amount,
                        unit_path: row.unit_path.clone(),
                    });
                }
            }
            let total = lines.iter().map(|l| l.amount).sum();
            Ok(Response::new(pb::ListEntitlementsResponse { lines, total }))
        })
        .await
    }
}
