//! The policies as data: the national seed where a code is missing, every policy in force, and a
//! change by provincial Finance kept beside the parameters' changes (who, when, before, after).

use super::entities::{parameter_change, policy};
use crate::domain::parameters::ParameterKind;
use crate::domain::policies::{
    BeneficiaryKind, Frequency, Group, InForce, Policy, Verifier, national_seed,
};
use crate::domain::rules::{BenefitRule, Rate};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait as _, QueryOrder as _, Set};
use tinhso_platform::db::{self, Db, DbErr, Tx};

/// (rule, parameter, basis points, fixed rate, levels) as stored.
fn rule_columns(rule: &BenefitRule) -> (&'static str, String, i64, i64, String) {
    match rule {
        BenefitRule::BaseTimesCoefficient { base } => (
            "base_times_coefficient",
            base.code().into(),
            0,
            0,
            String::new(),
        ),
        BenefitRule::PercentOfParameter {
            parameter,
            basis_points,
        } => (
            "percent_of_parameter",
            parameter.code().into(),
            i64::from(*basis_points),
            0,
            String::new(),
        ),
        BenefitRule::RateTimesQuantity { rate } => match rate {
            Rate::Fixed(v) => ("rate_times_quantity", String::new(), 0, *v, String::new()),
            Rate::Parameter(k) => ("rate_times_quantity", k.code().into(), 0, 0, String::new()),
        },
        BenefitRule::FixedPerLevel { amounts } => (
            "fixed_per_level",
            String::new(),
            0,
            0,
            amounts
                .iter()
                .map(|(level, amount)| format!("{level}={amount}"))
                .collect::<Vec<_>>()
                .join(";"),
        ),
    }
}

fn rule_of(m: &policy::Model) -> Option<BenefitRule> {
    let parameter = ParameterKind::from_code(&m.parameter);
    Some(match m.rule.as_str() {
        "base_times_coefficient" => BenefitRule::BaseTimesCoefficient { base: parameter? },
        "percent_of_parameter" => BenefitRule::PercentOfParameter {
            parameter: parameter?,
            basis_points: u32::try_from(m.basis_points).ok()?,
        },
        "rate_times_quantity" => BenefitRule::RateTimesQuantity {
            rate: parameter.map_or(Rate::Fixed(m.fixed_rate), Rate::Parameter),
        },
        "fixed_per_level" => BenefitRule::FixedPerLevel {
            amounts: m
                .levels
                .split(';')
                .filter(|p| !p.is_empty())
                .filter_map(|p| {
                    let (level, amount) = p.split_once('=')?;
                    Some((level.to_string(), amount.parse().ok()?))
                })
                .collect(),
        },
        _ => return None,
    })
}

fn policy_of(m: policy::Model) -> Option<Policy> {
    Some(Policy {
        rule: rule_of(&m)?,
        group: Group::from_code(&m.policy_group)?,
        beneficiary: BeneficiaryKind::from_code(&m.beneficiary_kind)?,
        frequency: Frequency::from_code(&m.frequency)?,
        verifier: Verifier::from_code(&m.verifier)?,
        in_force: InForce {
            from: m.in_force_from,
            to: m.in_force_to,
        },
        code: m.code,
        name: m.name,
        basis: m.legal_basis,
    })
}

/// A one-line account of a policy, for the change record.
fn summary(p: &Policy) -> String {
    let (rule, parameter, basis_points, fixed_rate, levels) = rule_columns(&p.rule);
    format!(
        "{} | {} | {} | {} | {rule} {parameter} {basis_points} {fixed_rate} {levels} | {} | {} | {} – {}",
        p.name,
        p.group.code(),
        p.beneficiary.code(),
        p.basis,
        p.frequency.code(),
        p.verifier.code(),
        tinhso_platform::vn::date(p.in_force.from),
        p.in_force
            .to
            .map(tinhso_platform::vn::date)
            .unwrap_or_default()
    )
}

async fn write(tx: &mut Tx, p: &Policy, now: i64, by: &str) -> Result<(), DbErr> {
    use policy::Column;
    let (rule, parameter, basis_points, fixed_rate, levels) = rule_columns(&p.rule);
    policy::Entity::insert(policy::ActiveModel {
        code: Set(p.code.clone()),
        name: Set(p.name.clone()),
        policy_group: Set(p.group.code().into()),
        legal_basis: Set(p.basis.clone()),
        beneficiary_kind: Set(p.beneficiary.code().into()),
        rule: Set(rule.into()),
        parameter: Set(parameter),
        basis_points: Set(basis_points),
        fixed_rate: Set(fixed_rate),
        levels: Set(levels),
        frequency: Set(p.frequency.code().into()),
        verifier: Set(p.verifier.code().into()),
        in_force_from: Set(p.in_force.from),
        in_force_to: Set(p.in_force.to),
        updated_at: Set(db::at(now)),
        updated_by: Set(by.into()),
    })
    .on_conflict(
        OnConflict::column(Column::Code)
            .update_columns([
                Column::Name,
                Column::PolicyGroup,
                Column::LegalBasis,
                Column::BeneficiaryKind,
                Column::Rule,
                Column::Parameter,
                Column::BasisPoints,
                Column::FixedRate,
                Column::Levels,
                Column::Frequency,
                Column::Verifier,
                Column::InForceFrom,
                Column::InForceTo,
                Column::UpdatedAt,
                Column::UpdatedBy,
            ])
            .to_owned(),
    )
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}

/// Adds each national policy whose code is missing; what Finance changed stays.
pub async fn seed_missing(db: &Db, now: i64) -> Result<(), DbErr> {
    let mut tx = db.begin().await?;
    for p in national_seed() {
        if policy::Entity::find_by_id(p.code.clone())
            .one(&tx)
            .await?
            .is_none()
        {
            write(&mut tx, &p, now, "seed").await?;
        }
    }
    tx.commit().await
}

/// Every policy, by code.
pub async fn all(conn: &impl ConnectionTrait) -> Result<Vec<Policy>, DbErr> {
    Ok(policy::Entity::find()
        .order_by_asc(policy::Column::Code)
        .all(conn)
        .await?
        .into_iter()
        .filter_map(policy_of)
        .collect())
}

pub async fn get(conn: &impl ConnectionTrait, code: &str) -> Result<Option<Policy>, DbErr> {
    Ok(policy::Entity::find_by_id(code.to_string())
        .one(conn)
        .await?
        .and_then(policy_of))
}

/// Adds or changes `p`, with its change record (dated `today`) beside the parameters' changes.
pub async fn set(
    tx: &mut Tx,
    p: &Policy,
    actor: &super::parameters::Actor,
    now: i64,
    today: time::Date,
) -> Result<(), DbErr> {
    let before = get(&*tx, &p.code)
        .await?
        .map(|b| summary(&b))
        .unwrap_or_default();
    write(tx, p, now, &actor.username).await?;
    parameter_change::Entity::insert(parameter_change::ActiveModel {
        at: Set(db::at(now)),
        actor_id: Set(actor.id.clone()),
        actor_username: Set(actor.username.clone()),
        kind: Set(format!("policy:{}", p.code)),
        from_date: Set(today),
        before_value: Set(before),
        after_value: Set(summary(p)),
        ..Default::default()
    })
    .exec_without_returning(&*tx)
    .await?;
    Ok(())
}
