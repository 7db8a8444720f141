//! EnrolmentService: a beneficiary in a policy, its dated changes (Điều 8.3) and the sector
//! department's verification (Điều 16-18; issue 12, item 3).

use super::*;
use crate::domain::enrolments::{self as rules, Change, Fault, Status};
use crate::domain::policies::BeneficiaryKind;
use crate::domain::rules::{TermsFault, check_terms};
use crate::store::{
    self,
    enrolments::{ChangeError, ChangeInput, EnrolmentRow, HistoryLine, Terms},
};
use tinhso_platform::clock::to_timestamp;
use tinhso_platform::grpc::handle;
use tinhso_platform::validate;

pub(super) fn status_pb(s: Status) -> pb::EnrolmentStatus {
    match s {
        Status::Pending => pb::EnrolmentStatus::Pending,
        Status::Active => pb::EnrolmentStatus::Active,
        Status::Suspended => pb::EnrolmentStatus::Suspended,
        Status::Ended => pb::EnrolmentStatus::Ended,
        Status::Rejected => pb::EnrolmentStatus::Rejected,
    }
}

pub(super) fn enrolment_pb(
    e: &EnrolmentRow,
    name: &str,
    history: Vec<HistoryLine>,
) -> pb::Enrolment {
    pb::Enrolment {
        id: e.id.clone(),
        beneficiary_id: e.beneficiary_id.clone(),
        policy: e.policy.clone(),
        category: e.terms.category.clone(),
        coefficient: i32::try_from(e.terms.coefficient).unwrap_or_default(),
        quantity: e.terms.quantity,
        level: e.terms.level.clone(),
        decision_number: e.decision_number.clone(),
        decision_date: Some(pb_date(e.decision_date)),
        start_date: Some(pb_date(e.start)),
        end_date: e.end.map(pb_date),
        status: status_pb(e.status) as i32,
        version: e.version,
        history: history
            .into_iter()
            .map(|h| pb::EnrolmentChange {
                change: h.change,
                effective_date: h.effective.map(pb_date),
                reason: h.reason,
                decision_number: h.decision_number,
                category: h.terms.category,
                coefficient: i32::try_from(h.terms.coefficient).unwrap_or_default(),
                quantity: h.terms.quantity,
                level: h.terms.level,
                status_after: status_pb(h.status_after) as i32,
                change_time: Some(to_timestamp(h.at)),
                actor_username: h.actor_username,
            })
            .collect(),
        beneficiary_name: name.to_string(),
        unit_path: e.unit_path.clone(),
    }
}

/// The terms for `policy`'s rule, or the field at fault (prefixed by `prefix`).
fn terms(
    policy: &Policy,
    prefix: &str,
    category: &str,
    coefficient: i32,
    quantity: i64,
    level: &str,
) -> AppResult<Terms> {
    match check_terms(
        &policy.rule,
        category.trim(),
        i64::from(coefficient),
        quantity,
        level.trim(),
    ) {
        Ok((category, t)) => Ok(Terms {
            category,
            coefficient: i64::from(t.coefficient),
            quantity: i64::from(t.quantity),
            level: t.level,
        }),
        Err(fault) => {
            let field = format!("{prefix}{}", fault.field());
            Err(match fault {
                TermsFault::UnknownCategory(_) => AppError::invalid(
                    &field,
                    ErrorCode::UnknownCode,
                    "nhóm đối tượng không có trong bảng hệ số của chính sách",
                    "the category is not in the policy's table",
                ),
                TermsFault::CoefficientNotOfCategory { of_category, .. } => AppError::invalid(
                    &field,
                    ErrorCode::NotOfCategory,
                    &format!(
                        "hệ số của nhóm đối tượng này là {},{:02}",
                        of_category / 100,
                        of_category % 100
                    ),
                    "the coefficient is not the category's",
                ),
                TermsFault::Quantity(_) => AppError::invalid(
                    &field,
                    ErrorCode::OutOfRange,
                    "số lượng phải lớn hơn 0 và không quá 1.000.000",
                    "the quantity must be above 0 and at most 1,000,000",
                ),
                TermsFault::UnknownLevel(_) => AppError::invalid(
                    &field,
                    ErrorCode::UnknownCode,
                    "mức hưởng không có trong chính sách",
                    "the level is not one of the policy's",
                ),
            })
        }
    }
}

fn kind_of(b: &store::beneficiaries::BeneficiaryRow) -> BeneficiaryKind {
    if b.kind == "household" {
        BeneficiaryKind::Household
    } else {
        BeneficiaryKind::Person
    }
}

/// A change the rules refused, as the caller reads it.
fn refused(fault: Fault, date_field: &str) -> AppError {
    match fault {
        Fault::NotNow { .. } => AppError::failed_precondition(
            ErrorCode::ChangeNotAllowed,
            "Thay đổi này không áp dụng được với trạng thái hiện tại của chế độ",
            "the change does not apply to the enrolment's current status",
        ),
        Fault::DateOrder => AppError::invalid(
            date_field,
            ErrorCode::DateOrder,
            "ngày hiệu lực phải từ ngày bắt đầu hưởng và lần thay đổi trước trở đi",
            "the date must not precede the start or the last change",
        ),
        Fault::ReasonRequired => AppError::invalid(
            "reason",
            ErrorCode::Required,
            "chưa nhập lý do",
            "the reason is required",
        ),
        Fault::WrongBeneficiaryKind => AppError::invalid(
            "enrolment.policy",
            ErrorCode::WrongBeneficiaryKind,
            "chính sách này không áp dụng cho loại đối tượng này (cá nhân / hộ gia đình)",
            "the policy is not for this kind of beneficiary",
        ),
    }
}

fn write_error(e: ChangeError, date_field: &str) -> AppError {
    match e {
        ChangeError::NotFound => AppError::not_found("chế độ", "enrolment").with_field("id"),
        ChangeError::Stale => AppError::stale_etag(),
        ChangeError::Refused(f) => refused(f, date_field),
        ChangeError::Db(e) => e.into(),
    }
}

impl Api {
    /// The enrolment `id` if the caller holds `permission` over its commune.
    async fn enrolment(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        p: &Principal,
        id: &str,
        permission: impl Fn(&EnrolmentRow) -> AppResult<&'static str>,
    ) -> AppResult<EnrolmentRow> {
        let e = store::enrolments::get(conn, id)
            .await?
            .ok_or_else(|| AppError::not_found("chế độ", "enrolment").with_field("id"))?;
        p.require(permission(&e)?, &e.unit_path)?;
        Ok(e)
    }

    /// The enrolment as answered: with its beneficiary's name and its history.
    async fn answer(&self, e: &EnrolmentRow) -> AppResult<pb::Enrolment> {
        let pool = &self.0.db.pool;
        let name = store::beneficiaries::get(pool, &e.beneficiary_id)
            .await?
            .map(|b| b.full_name)
            .unwrap_or_default();
        let history = store::enrolments::history(pool, &e.id).await?;
        Ok(enrolment_pb(e, &name, history))
    }

    /// Writes `input` to the enrolment at `version`, with its event.
    async fn write_change(
        &self,
        p: &Principal,
        e: &EnrolmentRow,
        version: i64,
        input: &ChangeInput,
        date_field: &str,
    ) -> AppResult<pb::Enrolment> {
        let now = self.now();
        let mut tx = self.0.db.begin().await?;
        let after = store::enrolments::apply(&mut tx, &e.id, version, input, now, &p.username)
            .await
            .map_err(|err| write_error(err, date_field))?;
        let change = store::enrolments::change_name(&input.change);
        self.0
            .outbox
            .enqueue(
                &mut tx,
                &crate::events::enrolment(change, &after, p.account_id.as_str(), now),
            )
            .await?;
        self.commit(tx).await?;
        self.answer(&after).await
    }
}

#[tonic::async_trait]
impl pb::enrolment_service_server::EnrolmentService for Api {
    async fn create_enrolment(
        &self,
        request: Request<pb::CreateEnrolmentRequest>,
    ) -> Reply<pb::Enrolment> {
        handle(async move {
            let p = self.principal(&request)?;
            let e = request.into_inner().enrolment.unwrap_or_default();
            let pool = &self.0.db.pool;
            if e.beneficiary_id.is_empty() {
                return Err(AppError::invalid(
                    "enrolment.beneficiary_id",
                    ErrorCode::Required,
                    "chưa chọn đối tượng",
                    "the beneficiary is required",
                ));
            }
            let b = store::beneficiaries::get(pool, &e.beneficiary_id)
                .await?
                .ok_or_else(|| {
                    AppError::not_found("đối tượng", "beneficiary")
                        .with_field("enrolment.beneficiary_id")
                })?;
            p.require(WRITE, &b.unit_path)?;
            let mut errors = Vec::new();
            let policy = self
                .policy(&e.policy, "enrolment.policy")
                .await
                .map_err(|err| errors.push(err))
                .ok();
            let terms = policy.as_ref().and_then(|policy| {
                if let Err(fault) = rules::enrol(kind_of(&b), policy.beneficiary) {
                    errors.push(refused(fault, ""));
                    return None;
                }
                terms(
                    policy,
                    "enrolment.",
                    &e.category,
                    e.coefficient,
                    e.quantity,
                    &e.level,
                )
                .map_err(|err| errors.push(err))
                .ok()
            });
            let decision_number =
                validate::text("enrolment.decision_number", &e.decision_number, true, 64)
                    .map_err(|err| errors.push(err))
                    .unwrap_or_default();
            let today = self.today();
            let decision_date = required(&e.decision_date, "enrolment.decision_date")
                .map_err(|err| errors.push(err))
                .ok();
            if decision_date.is_some_and(|d| d > today) {
                errors.push(AppError::invalid(
                    "enrolment.decision_date",
                    ErrorCode::DateInFuture,
                    "ngày quyết định không được ở tương lai",
                    "the decision date must not be in the future",
                ));
            }
            let start = required(&e.start_date, "enrolment.start_date")
                .map_err(|err| errors.push(err))
                .ok();
            let end = date(&e.end_date, "enrolment.end_date")
                .map_err(|err| errors.push(err))
                .ok()
                .flatten();
            if let (Some(s), Some(end)) = (start, end)
                && end < s
            {
                errors.push(AppError::invalid(
                    "enrolment.end_date",
                    ErrorCode::DatesOutOfOrder,
                    "ngày thôi hưởng phải sau ngày bắt đầu hưởng",
                    "the end date precedes the start date",
                ));
            }
            if let (Some(policy), Some(s)) = (&policy, start)
                && !policy.in_force.contains(s)
            {
                errors.push(AppError::invalid(
                    "enrolment.start_date",
                    ErrorCode::PolicyNotInForce,
                    &policy.not_in_force(),
                    "the policy is not in force on the start date",
                ));
            }
            tinhso_platform::error::all_violations(errors)?;
            let (Some(policy), Some(terms), Some(decision_date), Some(start)) =
                (policy, terms, decision_date, start)
            else {
                return Err(AppError::internal("checked above"));
            };
            if b.merged_into.is_some() {
                return Err(AppError::failed_precondition(
                    ErrorCode::MergedRecord,
                    "Hồ sơ đã được gộp vào hồ sơ khác; hãy nhập chế độ cho hồ sơ còn lại",
                    "the record was merged into another",
                ));
            }
            let mut tx = self.0.db.begin().await?;
            if !store::beneficiaries::undecided_duplicates(&tx, &b)
                .await?
                .is_empty()
            {
                return Err(AppError::failed_precondition(
                    ErrorCode::SuspectedDuplicate,
                    "Đối tượng nghi trùng với hồ sơ khác; cần xác nhận không trùng hoặc gộp hồ sơ trước",
                    "a suspected duplicate must be resolved first",
                ));
            }
            let current = store::enrolments::list(
                &tx,
                &store::enrolments::Filter {
                    unit_prefix: String::new(),
                    policy: Some(policy.code.to_string()),
                    beneficiary_id: Some(b.id.clone()),
                    ..Default::default()
                },
                "",
                100,
            )
            .await?;
            if current.iter().any(|c| {
                matches!(
                    c.status,
                    Status::Pending | Status::Active | Status::Suspended
                )
            }) {
                return Err(AppError::already_exists(
                    "enrolment.policy",
                    ErrorCode::AlreadyEnrolled,
                    "đối tượng đang hưởng (hoặc chờ xác minh) chính sách này",
                    "the beneficiary is already enrolled in this policy",
                ));
            }
            let row = EnrolmentRow {
                id: uuid::Uuid::now_v7().to_string(),
                beneficiary_id: b.id.clone(),
                policy: policy.code.to_string(),
                terms,
                decision_number,
                decision_date,
                start,
                end,
                status: Status::Pending,
                last_change: None,
                unit_path: b.unit_path.clone(),
                version: 1,
            };
            let now = self.now();
            store::enrolments::insert(&mut tx, &row, now, &p.username).await?;
            self.0
                .outbox
                .enqueue(
                    &mut tx,
                    &crate::events::enrolment("increase", &row, p.account_id.as_str(), now),
                )
                .await?;
            self.commit(tx).await?;
            Ok(Response::new(self.answer(&row).await?))
        })
        .await
    }

    async fn get_enrolment(
        &self,
        request: Request<pb::GetEnrolmentRequest>,
    ) -> Reply<pb::Enrolment> {
        handle(async move {
            let p = self.principal(&request)?;
            let pool = &self.0.db.pool;
            // Readers of the commune, and the sector department verifying the policy's field.
            let e = store::enrolments::get(pool, &request.get_ref().id)
                .await?
                .ok_or_else(|| AppError::not_found("chế độ", "enrolment").with_field("id"))?;
            let verifier = self
                .policy(&e.policy, "id")
                .await
                .map(|policy| p.can(verify_permission(policy.verifier), &e.unit_path))
                .unwrap_or(false);
            if !verifier {
                p.require(READ, &e.unit_path)?;
            }
            Ok(Response::new(self.answer(&e).await?))
        })
        .await
    }

    async fn list_enrolments(
        &self,
        request: Request<pb::ListEnrolmentsRequest>,
    ) -> Reply<pb::ListEnrolmentsResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let unit = self.readable_unit(&p, &r.unit_id).await?;
            let limit = page_size(r.page_size)?;
            let status = pb::EnrolmentStatus::try_from(r.status)
                .ok()
                .and_then(|s| match s {
                    pb::EnrolmentStatus::Unspecified => None,
                    pb::EnrolmentStatus::Pending => Some(Status::Pending),
                    pb::EnrolmentStatus::Active => Some(Status::Active),
                    pb::EnrolmentStatus::Suspended => Some(Status::Suspended),
                    pb::EnrolmentStatus::Ended => Some(Status::Ended),
                    pb::EnrolmentStatus::Rejected => Some(Status::Rejected),
                });
            let pool = &self.0.db.pool;
            let rows = store::enrolments::list(
                pool,
                &store::enrolments::Filter {
                    unit_prefix: unit.path.to_string(),
                    policy: (!r.policy.is_empty()).then(|| r.policy.clone()),
                    status,
                    beneficiary_id: (!r.beneficiary_id.is_empty())
                        .then(|| r.beneficiary_id.clone()),
                },
                &r.page_token,
                limit,
            )
            .await?;
            let names = store::beneficiaries::names(
                pool,
                rows.iter().map(|e| e.beneficiary_id.clone()).collect(),
            )
            .await?;
            let next_page_token = if rows.len() as u64 == limit {
                rows.last().map(|e| e.id.clone()).unwrap_or_default()
            } else {
                String::new()
            };
            Ok(Response::new(pb::ListEnrolmentsResponse {
                enrolments: rows
                    .iter()
                    .map(|e| {
                        let name = names.get(&e.beneficiary_id).map_or("", String::as_str);
                        enrolment_pb(e, name, Vec::new())
                    })
                    .collect(),
                next_page_token,
            }))
        })
        .await
    }

    async fn change_enrolment(
        &self,
        request: Request<pb::ChangeEnrolmentRequest>,
    ) -> Reply<pb::Enrolment> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let e = self
                .enrolment(&self.0.db.pool, &p, &r.id, |_| Ok(WRITE))
                .await?;
            let mut errors = Vec::new();
            let on = required(&r.effective_date, "effective_date")
                .map_err(|err| errors.push(err))
                .ok();
            let decision_number = validate::text("decision_number", &r.decision_number, true, 64)
                .map_err(|err| errors.push(err))
                .unwrap_or_default();
            let reason = validate::text("reason", &r.reason, false, 500)
                .map_err(|err| errors.push(err))
                .unwrap_or_default();
            let mut new_terms = None;
            if r.change == "adjust" {
                let policy = self.policy(&e.policy, "id").await?;
                match terms(&policy, "", &r.category, r.coefficient, r.quantity, &r.level) {
                    Ok(t) => new_terms = Some(t),
                    Err(err) => errors.push(err),
                }
            }
            let change = on.and_then(|on| match r.change.as_str() {
                "adjust" => Some(Change::Adjust { on }),
                "suspend" => Some(Change::Suspend { on }),
                "resume" => Some(Change::Resume { on }),
                "decrease" => Some(Change::Decrease {
                    on,
                    reason: reason.clone(),
                }),
                _ => None,
            });
            if !["adjust", "suspend", "resume", "decrease"].contains(&r.change.as_str()) {
                errors.push(AppError::invalid(
                    "change",
                    ErrorCode::UnknownCode,
                    "thay đổi ghi adjust (điều chỉnh), suspend (tạm dừng), resume (hưởng lại) hoặc decrease (thôi hưởng)",
                    "change is adjust, suspend, resume or decrease",
                ));
            }
            tinhso_platform::error::all_violations(errors)?;
            let Some(change) = change else {
                return Err(AppError::internal("checked above"));
            };
            if let Some(first) = crate::domain::entitlements::first_month_changed(&change) {
                self.not_into_approved_period(&self.0.db.pool, &e, &first.code())
                    .await?;
            }
            let input = ChangeInput {
                change,
                decision_number,
                terms: new_terms,
            };
            Ok(Response::new(
                self.write_change(&p, &e, r.version, &input, "effective_date")
                    .await?,
            ))
        })
        .await
    }

    async fn verify_enrolment(
        &self,
        request: Request<pb::VerifyEnrolmentRequest>,
    ) -> Reply<pb::Enrolment> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let policies = self.policies().await?;
            let e = self
                .enrolment(&self.0.db.pool, &p, &r.id, |e| {
                    Ok(verify_permission(
                        policy_in(&policies, &e.policy, "id")?.verifier,
                    ))
                })
                .await?;
            let reason = validate::text("reason", &r.reason, false, 500)?;
            let change = if r.verified {
                Change::Verify
            } else {
                Change::Reject { reason }
            };
            Ok(Response::new(
                self.write_change(&p, &e, r.version, &change.into(), "")
                    .await?,
            ))
        })
        .await
    }
}
