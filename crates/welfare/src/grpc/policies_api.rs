//! PolicyService: the policies and the effective-dated parameters (provincial Finance).

use super::*;
use crate::domain::parameters::{ParameterKind, ParameterValue};
use crate::domain::policies::{BeneficiaryKind, Frequency, Group, InForce, Verifier};
use crate::domain::rules::{BenefitRule, Rate, SOCIAL_ALLOWANCE_CATEGORIES};
use crate::store;
use tinhso_platform::clock::to_timestamp;
use tinhso_platform::grpc::handle;
use tinhso_platform::validate;

fn group_pb(g: Group) -> pb::PolicyGroup {
    match g {
        Group::Education => pb::PolicyGroup::Education,
        Group::Health => pb::PolicyGroup::Health,
        Group::SocialAssurance => pb::PolicyGroup::SocialAssurance,
        Group::Economic => pb::PolicyGroup::Economic,
    }
}

pub(super) fn kind_pb(k: BeneficiaryKind) -> pb::BeneficiaryKind {
    match k {
        BeneficiaryKind::Person => pb::BeneficiaryKind::Person,
        BeneficiaryKind::Household => pb::BeneficiaryKind::Household,
    }
}

fn policy_pb(p: &Policy) -> pb::Policy {
    let mut out = pb::Policy {
        code: p.code.clone(),
        name: p.name.clone(),
        group: group_pb(p.group) as i32,
        legal_basis: p.basis.clone(),
        beneficiary_kind: kind_pb(p.beneficiary) as i32,
        frequency: match p.frequency {
            Frequency::Monthly => "monthly",
            Frequency::PerTerm => "per_term",
            Frequency::Yearly => "yearly",
            Frequency::OneOff => "one_off",
        }
        .into(),
        verifier: match p.verifier {
            Verifier::Labour => "labour",
            Verifier::Education => "education",
            Verifier::School => "school",
            Verifier::Finance => "finance",
        }
        .into(),
        in_force_from: Some(pb_date(p.in_force.from)),
        in_force_to: p.in_force.to.map(pb_date),
        ..Default::default()
    };
    match &p.rule {
        BenefitRule::BaseTimesCoefficient { base } => {
            out.rule = "base_times_coefficient".into();
            out.parameter = base.code().into();
            out.categories = SOCIAL_ALLOWANCE_CATEGORIES
                .iter()
                .map(|(code, name, k)| pb::Category {
                    code: (*code).into(),
                    name: (*name).into(),
                    coefficient: i32::try_from(*k).unwrap_or_default(),
                })
                .collect();
        }
        BenefitRule::PercentOfParameter {
            parameter,
            basis_points,
        } => {
            out.rule = "percent_of_parameter".into();
            out.parameter = parameter.code().into();
            out.basis_points = i32::try_from(*basis_points).unwrap_or_default();
        }
        BenefitRule::RateTimesQuantity { rate } => {
            out.rule = "rate_times_quantity".into();
            match rate {
                Rate::Fixed(v) => out.fixed_rate = *v,
                Rate::Parameter(k) => out.parameter = k.code().into(),
            }
        }
        BenefitRule::FixedPerLevel { amounts } => {
            out.rule = "fixed_per_level".into();
            out.levels = amounts
                .iter()
                .map(|(code, amount)| pb::Level {
                    code: code.clone(),
                    amount: *amount,
                })
                .collect();
        }
    }
    out
}

fn parameter_pb(v: &ParameterValue) -> pb::Parameter {
    pb::Parameter {
        kind: v.kind.code().into(),
        name: v.kind.name().into(),
        effective_from: Some(pb_date(v.from)),
        value: v.value,
        legal_basis: v.basis.clone(),
    }
}

/// True when one of the caller's scopes of `permission` is the whole province (the root).
fn province_wide(p: &Principal, permission: &str) -> bool {
    p.scopes_for(permission)
        .iter()
        .any(|s| s.trim_matches('/').split('/').count() == 1)
}

/// The policy a request describes; every fault at its field under `policy.`.
fn policy_from(p: &pb::Policy) -> AppResult<Policy> {
    let bad = |field: &str, vi: &str| {
        AppError::invalid(
            &format!("policy.{field}"),
            ErrorCode::UnknownCode,
            vi,
            "not one of the allowed values",
        )
    };
    let mut errors = Vec::new();
    let group = match pb::PolicyGroup::try_from(p.group) {
        Ok(pb::PolicyGroup::Education) => Some(Group::Education),
        Ok(pb::PolicyGroup::Health) => Some(Group::Health),
        Ok(pb::PolicyGroup::SocialAssurance) => Some(Group::SocialAssurance),
        Ok(pb::PolicyGroup::Economic) => Some(Group::Economic),
        _ => {
            errors.push(bad("group", "chưa chọn nhóm chính sách (Điều 7)"));
            None
        }
    };
    let beneficiary = match pb::BeneficiaryKind::try_from(p.beneficiary_kind) {
        Ok(pb::BeneficiaryKind::Household) => BeneficiaryKind::Household,
        _ => BeneficiaryKind::Person,
    };
    let frequency = Frequency::from_code(&p.frequency);
    if frequency.is_none() {
        errors.push(bad(
            "frequency",
            "kỳ chi trả ghi monthly, per_term, yearly hoặc one_off",
        ));
    }
    let verifier = Verifier::from_code(&p.verifier);
    if verifier.is_none() {
        errors.push(bad(
            "verifier",
            "ngành xác minh ghi labour, education, school hoặc finance",
        ));
    }
    let parameter = ParameterKind::from_code(&p.parameter);
    let rule = match (p.rule.as_str(), parameter) {
        ("base_times_coefficient", Some(base)) => Some(BenefitRule::BaseTimesCoefficient { base }),
        ("percent_of_parameter", Some(parameter)) => Some(BenefitRule::PercentOfParameter {
            parameter,
            basis_points: u32::try_from(p.basis_points).unwrap_or(0),
        }),
        ("rate_times_quantity", Some(kind)) => Some(BenefitRule::RateTimesQuantity {
            rate: Rate::Parameter(kind),
        }),
        ("rate_times_quantity", None) => Some(BenefitRule::RateTimesQuantity {
            rate: Rate::Fixed(p.fixed_rate),
        }),
        ("fixed_per_level", _) => Some(BenefitRule::FixedPerLevel {
            amounts: p
                .levels
                .iter()
                .map(|l| (l.code.trim().to_string(), l.amount))
                .collect(),
        }),
        ("base_times_coefficient" | "percent_of_parameter", None) => {
            errors.push(bad(
                "parameter",
                "chưa chọn tham số tính (mức chuẩn, lương cơ sở...)",
            ));
            None
        }
        _ => {
            errors.push(bad(
                "rule",
                "cách tính ghi base_times_coefficient, percent_of_parameter, rate_times_quantity hoặc fixed_per_level",
            ));
            None
        }
    };
    let name = validate::text("policy.name", &p.name, true, 255)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let basis = validate::text("policy.legal_basis", &p.legal_basis, true, 255)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    let from = required(&p.in_force_from, "policy.in_force_from")
        .map_err(|e| errors.push(e))
        .ok();
    let to = date(&p.in_force_to, "policy.in_force_to")
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    tinhso_platform::error::all_violations(errors)?;
    let (Some(group), Some(frequency), Some(verifier), Some(rule), Some(from)) =
        (group, frequency, verifier, rule, from)
    else {
        return Err(AppError::internal("checked above"));
    };
    let policy = Policy {
        code: p.code.trim().to_string(),
        name,
        group,
        basis,
        beneficiary,
        rule,
        frequency,
        verifier,
        in_force: InForce { from, to },
    };
    crate::domain::policies::check(&policy).map_err(|f| {
        AppError::invalid(
            &format!("policy.{}", f.field),
            if f.field == "in_force_to" {
                ErrorCode::DatesOutOfOrder
            } else {
                ErrorCode::OutOfRange
            },
            f.message,
            "the policy's figures are not valid",
        )
    })?;
    Ok(policy)
}

#[tonic::async_trait]
impl pb::policy_service_server::PolicyService for Api {
    async fn list_policies(
        &self,
        request: Request<pb::ListPoliciesRequest>,
    ) -> Reply<pb::ListPoliciesResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            self.require_welfare_reader(&p)?;
            let policies = self.policies().await?.iter().map(policy_pb).collect();
            Ok(Response::new(pb::ListPoliciesResponse { policies }))
        })
        .await
    }

    async fn set_policy(&self, request: Request<pb::SetPolicyRequest>) -> Reply<pb::Policy> {
        handle(async move {
            let p = self.principal(&request)?;
            if !province_wide(&p, PARAMETERS) {
                return Err(AppError::permission_denied());
            }
            let policy = policy_from(&request.into_inner().policy.unwrap_or_default())?;
            let mut tx = self.0.db.begin().await?;
            store::policies::set(
                &mut tx,
                &policy,
                &store::parameters::Actor {
                    id: p.account_id.to_string(),
                    username: p.username.clone(),
                },
                self.now(),
                self.today(),
            )
            .await?;
            self.commit(tx).await?;
            tracing::info!(policy = %policy.code, by = %p.username, "policy set");
            Ok(Response::new(policy_pb(&policy)))
        })
        .await
    }

    async fn list_parameters(
        &self,
        request: Request<pb::ListParametersRequest>,
    ) -> Reply<pb::ListParametersResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            self.require_welfare_reader(&p)?;
            let parameters = store::parameters::values(&self.0.db.pool)
                .await?
                .iter()
                .map(parameter_pb)
                .collect();
            Ok(Response::new(pb::ListParametersResponse { parameters }))
        })
        .await
    }

    async fn set_parameter(
        &self,
        request: Request<pb::SetParameterRequest>,
    ) -> Reply<pb::Parameter> {
        handle(async move {
            let p = self.principal(&request)?;
            if !province_wide(&p, PARAMETERS) {
                return Err(AppError::permission_denied());
            }
            let r = request.into_inner();
            let mut errors = Vec::new();
            let kind = ParameterKind::from_code(&r.kind);
            if kind.is_none() {
                errors.push(AppError::invalid(
                    "kind",
                    ErrorCode::UnknownCode,
                    "không có tham số mang mã này",
                    "no parameter has this code",
                ));
            }
            let from = required(&r.effective_from, "effective_from")
                .map_err(|e| errors.push(e))
                .ok();
            if !(1..=1_000_000_000).contains(&r.value) {
                errors.push(AppError::invalid(
                    "value",
                    ErrorCode::OutOfRange,
                    "giá trị phải lớn hơn 0 và không quá 1.000.000.000 đồng",
                    "the value must be above 0 and at most 1,000,000,000",
                ));
            }
            let basis = validate::text("legal_basis", &r.legal_basis, true, 255)
                .map_err(|e| errors.push(e))
                .unwrap_or_default();
            tinhso_platform::error::all_violations(errors)?;
            let (Some(kind), Some(from)) = (kind, from) else {
                return Err(AppError::internal("checked above"));
            };
            let value = ParameterValue {
                kind,
                from,
                value: r.value,
                basis,
            };
            let now = self.now();
            let mut tx = self.0.db.begin().await?;
            store::parameters::set(
                &mut tx,
                &value,
                &store::parameters::Actor {
                    id: p.account_id.to_string(),
                    username: p.username.clone(),
                },
                now,
            )
            .await?;
            self.0
                .outbox
                .enqueue(
                    &mut tx,
                    &crate::events::parameter_changed(
                        tinhso_proto::welfare::v1::ParameterChanged {
                            kind: kind.code().into(),
                            effective_from: tinhso_platform::api::date_string(from),
                            value: value.value,
                            actor_id: p.account_id.to_string(),
                        },
                        now,
                    ),
                )
                .await?;
            self.commit(tx).await?;
            Ok(Response::new(parameter_pb(&value)))
        })
        .await
    }

    async fn list_parameter_changes(
        &self,
        request: Request<pb::ListParameterChangesRequest>,
    ) -> Reply<pb::ListParameterChangesResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            self.require_welfare_reader(&p)?;
            let limit = page_size(request.get_ref().page_size)?;
            let changes = store::parameters::recent_changes(&self.0.db.pool, limit)
                .await?
                .into_iter()
                .map(|c| pb::ParameterChange {
                    change_time: Some(to_timestamp(c.at)),
                    actor_username: c.actor_username,
                    kind: c.kind,
                    effective_from: Some(pb_date(c.from)),
                    before: c.before,
                    after: c.after,
                })
                .collect();
            Ok(Response::new(pb::ListParameterChangesResponse { changes }))
        })
        .await
    }
}
