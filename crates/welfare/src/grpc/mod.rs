//! Welfare's gRPC API. Every handler authenticates, checks its permission against the unit path
//! of the beneficiary's commune (the sector's verification permission for a verification),
//! validates with the rules of `domain/`, and writes the change, its history line and its event
//! in one transaction.

use crate::Welfare;
use crate::domain::policies::{Policy, Verifier};
use std::sync::Arc;
use tinhso_platform::auth::Principal;
use tinhso_platform::db::Tx;
use tinhso_platform::units::ReplicaUnit;
use tinhso_platform::{AppError, AppResult, ErrorCode};
use tinhso_proto::welfare::v1 as pb;
use tonic::{Request, Response, Status};

mod approval_flow;
mod beneficiaries;
mod enrolments;
mod entitlements;
mod estimates;
mod imports;
mod payments;
mod policies_api;
mod reports;

type Reply<T> = Result<Response<T>, Status>;

/// Reading beneficiaries, enrolments, entitlements and reports under a unit.
const READ: &str = "welfare.beneficiary.read";
/// The commune's (or unit's) data entry: beneficiaries, enrolments and their changes.
const WRITE: &str = "welfare.beneficiary.write";
/// Provincial Finance: the parameters (and the policies).
const PARAMETERS: &str = "welfare.parameter.write";

/// The permission of the sector that verifies a policy's beneficiaries (Điều 16-18).
fn verify_permission(v: Verifier) -> &'static str {
    match v {
        Verifier::Labour => "welfare.labour.verify",
        Verifier::Education => "welfare.education.verify",
        Verifier::School => "welfare.school.verify",
        Verifier::Finance => "welfare.finance.verify",
    }
}

pub fn routes(welfare: Arc<Welfare>, routes: tonic::service::Routes) -> tonic::service::Routes {
    use pb::{
        beneficiary_service_server::BeneficiaryServiceServer,
        enrolment_service_server::EnrolmentServiceServer,
        entitlement_service_server::EntitlementServiceServer,
        estimate_service_server::EstimateServiceServer, import_service_server::ImportServiceServer,
        payment_service_server::PaymentServiceServer, policy_service_server::PolicyServiceServer,
        report_service_server::ReportServiceServer,
    };
    let api = Api(welfare);
    routes
        .add_service(PolicyServiceServer::new(api.clone()))
        .add_service(BeneficiaryServiceServer::new(api.clone()))
        .add_service(EnrolmentServiceServer::new(api.clone()))
        .add_service(EntitlementServiceServer::new(api.clone()))
        .add_service(PaymentServiceServer::new(api.clone()))
        .add_service(ImportServiceServer::new(api.clone()))
        .add_service(ReportServiceServer::new(api.clone()))
        .add_service(EstimateServiceServer::new(api))
}

#[derive(Debug, Clone)]
pub struct Api(pub Arc<Welfare>);

impl Api {
    fn now(&self) -> i64 {
        self.0.clock.now_ms()
    }

    fn today(&self) -> time::Date {
        tinhso_platform::api::parse_date(&tinhso_platform::clock::vietnam_date_text(self.now()))
            .unwrap_or(time::Date::MIN)
    }

    fn principal<T>(&self, request: &Request<T>) -> AppResult<Principal> {
        let p = self.0.verifier.authenticate(request)?;
        p.require_active()?;
        Ok(p)
    }

    async fn commit(&self, tx: Tx) -> AppResult<()> {
        Ok(self.0.outbox.commit(tx).await?)
    }

    /// The unit `unit_id` (the caller's own when empty), if the caller may read under it.
    async fn readable_unit(&self, p: &Principal, unit_id: &str) -> AppResult<ReplicaUnit> {
        let unit = tinhso_platform::units::unit_or_own(&self.0.db.pool, p, unit_id).await?;
        p.require(READ, &unit.path)?;
        Ok(unit)
    }

    /// Reading the policies and parameters: anyone who reads or verifies welfare data somewhere.
    fn require_welfare_reader(&self, p: &Principal) -> AppResult<()> {
        let reads = [READ, PARAMETERS]
            .into_iter()
            .chain(
                [
                    Verifier::Labour,
                    Verifier::Education,
                    Verifier::School,
                    Verifier::Finance,
                ]
                .map(verify_permission),
            )
            .any(|perm| !p.scopes_for(perm).is_empty());
        if reads {
            Ok(())
        } else {
            Err(AppError::permission_denied())
        }
    }
}

/// The policy `code` in `policies`, or UNKNOWN_CODE on `field`.
fn policy_in(policies: &[Policy], code: &str, field: &str) -> AppResult<Policy> {
    policies
        .iter()
        .find(|p| p.code == code)
        .cloned()
        .ok_or_else(|| {
            AppError::invalid(
                field,
                ErrorCode::UnknownCode,
                "không có chính sách mang mã này",
                "no policy has this code",
            )
        })
}

impl Api {
    /// Every policy, as provincial Finance keeps them.
    async fn policies(&self) -> AppResult<Vec<Policy>> {
        Ok(crate::store::policies::all(&self.0.db.pool).await?)
    }

    /// The policy `code`, or UNKNOWN_CODE on `field`.
    async fn policy(&self, code: &str, field: &str) -> AppResult<Policy> {
        policy_in(&self.policies().await?, code, field)
    }
}

/// A proto date as a calendar date; BAD_DATE on `field` when impossible, None when absent.
fn date(d: &Option<tinhso_proto::common::v1::Date>, field: &str) -> AppResult<Option<time::Date>> {
    Ok(tinhso_platform::api::date_text(d, field)?
        .as_deref()
        .and_then(tinhso_platform::api::parse_date))
}

/// A date the caller must give.
fn required(d: &Option<tinhso_proto::common::v1::Date>, field: &str) -> AppResult<time::Date> {
    date(d, field)?.ok_or_else(|| {
        AppError::invalid(
            field,
            ErrorCode::Required,
            "chưa nhập ngày",
            "the date is required",
        )
    })
}

fn pb_date(d: time::Date) -> tinhso_proto::common::v1::Date {
    tinhso_proto::common::v1::Date {
        year: d.year(),
        month: i32::from(u8::from(d.month())),
        day: i32::from(d.day()),
    }
}

/// The page size asked (default 50, at most 500) or OUT_OF_RANGE on `page_size`.
fn page_size(size: i32) -> AppResult<u64> {
    let (limit, _) = tinhso_platform::api::page(size, "")?;
    Ok(u64::try_from(limit).unwrap_or(50))
}
