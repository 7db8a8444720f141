//! PaymentService: a unit's payment list of a month and its settlement through the approval
//! flow (issue 12, item 5; QĐ 503/2022 Điều 19.4b).

use super::approval_flow::{APPRAISE, APPROVE, approval_step, locked};
use super::entitlements::period_of;
use super::*;
use crate::domain::approval::{self, Action, State};
use crate::domain::settlement::{self, Method, Payment};
use crate::store::{
    self,
    payments::{LineRow, ListRow, WriteError},
};
use tinhso_platform::clock::to_timestamp;
use tinhso_platform::grpc::handle;
use tinhso_platform::validate;

pub(super) fn state_pb(s: State) -> pb::ApprovalState {
    match s {
        State::Draft => pb::ApprovalState::Draft,
        State::Submitted => pb::ApprovalState::Submitted,
        State::Appraised => pb::ApprovalState::Appraised,
        State::Approved => pb::ApprovalState::Approved,
        State::Returned => pb::ApprovalState::Returned,
    }
}

fn line_pb(l: &LineRow) -> pb::PaymentLine {
    let (payment, paid_on, method, reason) = match &l.payment {
        Payment::Pending => ("pending", None, "", String::new()),
        Payment::Paid { on, method } => ("paid", Some(pb_date(*on)), method.code(), String::new()),
        Payment::Unpaid { reason } => ("unpaid", None, "", reason.clone()),
    };
    pb::PaymentLine {
        enrolment_id: l.enrolment_id.clone(),
        beneficiary_id: l.beneficiary_id.clone(),
        beneficiary_name: l.beneficiary_name.clone(),
        category: l.category.clone(),
        base: l.base,
        coefficient: i32::try_from(l.coefficient).unwrap_or_default(),
        quantity: l.quantity,
        months: i32::try_from(l.months).unwrap_or_default(),
        amount: l.amount,
        payment: payment.into(),
        paid_on,
        method: method.into(),
        unpaid_reason: reason,
    }
}

/// The list's summary (no lines) with its figures so far.
fn list_pb(
    list: &ListRow,
    unit_name: &str,
    pending: usize,
    figures: &settlement::Settlement,
    line_count: usize,
) -> pb::PaymentList {
    pb::PaymentList {
        id: list.id.clone(),
        unit_id: list.unit_id.clone(),
        unit_name: unit_name.to_string(),
        unit_path: list.unit_path.clone(),
        policy: list.policy.clone(),
        period: list.period.clone(),
        state: state_pb(list.state) as i32,
        return_reason: list.return_reason.clone(),
        entitled: figures.entitled,
        paid: figures.paid,
        unpaid: figures.unpaid,
        funded: figures.funded,
        surplus: figures.surplus,
        shortfall: figures.shortfall,
        line_count: i32::try_from(line_count).unwrap_or(i32::MAX),
        pending_lines: i32::try_from(pending).unwrap_or(i32::MAX),
        version: list.version,
        lines: Vec::new(),
        steps: Vec::new(),
    }
}

/// The paths of the units at and above `path` (`/r/d/c/` → `/r/`, `/r/d/`, `/r/d/c/`).
fn paths_up(path: &str) -> Vec<String> {
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    (1..=parts.len())
        .map(|n| format!("/{}/", parts[..n].join("/")))
        .collect()
}

fn write_error(e: WriteError) -> AppError {
    match e {
        WriteError::NotFound => AppError::invalid(
            "marks",
            ErrorCode::NotFound,
            "danh sách chi trả không có dòng của chế độ này",
            "the list has no line of this enrolment",
        ),
        WriteError::Stale => AppError::stale_etag(),
        WriteError::Db(e) => e.into(),
    }
}

impl Api {
    /// The list `id` if the caller may read under its unit (readers, appraisers, approvers).
    async fn readable_list(&self, p: &Principal, id: &str) -> AppResult<ListRow> {
        let list = store::payments::get(&self.0.db.pool, id)
            .await?
            .ok_or_else(|| {
                AppError::not_found("danh sách chi trả", "payment list").with_field("id")
            })?;
        if ![READ, APPRAISE, APPROVE]
            .iter()
            .any(|perm| p.can(perm, &list.unit_path))
        {
            return Err(AppError::permission_denied());
        }
        Ok(list)
    }

    /// The whole list as answered: lines, figures and steps.
    async fn list_answer(&self, list: &ListRow) -> AppResult<pb::PaymentList> {
        let pool = &self.0.db.pool;
        let lines = store::payments::lines(pool, &list.id).await?;
        let for_settlement: Vec<_> = lines.iter().map(LineRow::for_settlement).collect();
        let (pending, figures) = settlement::so_far(&for_settlement, list.funded);
        let unit_name = store::units::get(pool, &list.unit_id)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        let mut out = list_pb(list, &unit_name, pending, &figures, lines.len());
        out.lines = lines.iter().map(line_pb).collect();
        out.steps = store::approval::steps(pool, &list.id)
            .await?
            .into_iter()
            .map(|s| pb::ApprovalStep {
                action: s.action,
                state_after: state_pb(s.state) as i32,
                reason: s.reason,
                actor_username: s.actor_username,
                step_time: Some(to_timestamp(s.at)),
            })
            .collect();
        Ok(out)
    }

    /// Refuses a change of the enrolment `e` that would alter a month whose settlement is
    /// approved: PERIOD_APPROVED.
    pub(super) async fn not_into_approved_period(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        e: &store::enrolments::EnrolmentRow,
        first_month: &str,
    ) -> AppResult<()> {
        if store::payments::approved_from(conn, &paths_up(&e.unit_path), &e.policy, first_month)
            .await?
        {
            return Err(locked(State::Approved));
        }
        Ok(())
    }
}

/// A mark as the rules read it; the fields at fault under `marks[i]`.
fn mark(i: usize, m: &pb::PaymentMark, today: time::Date) -> AppResult<(String, Payment)> {
    let f = |name: &str| format!("marks[{i}].{name}");
    if m.paid {
        let on = required(&m.paid_on, &f("paid_on"))?;
        if on > today {
            return Err(AppError::invalid(
                &f("paid_on"),
                ErrorCode::DateInFuture,
                "ngày chi trả không được ở tương lai",
                "the payment date must not be in the future",
            ));
        }
        let method = Method::from_code(&m.method).ok_or_else(|| {
            AppError::invalid(
                &f("method"),
                ErrorCode::UnknownCode,
                "hình thức chi trả ghi cash (tiền mặt), bank_transfer (chuyển khoản) hoặc post_office (qua bưu điện)",
                "method is cash, bank_transfer or post_office",
            )
        })?;
        Ok((m.enrolment_id.clone(), Payment::Paid { on, method }))
    } else {
        let reason = validate::text(&f("unpaid_reason"), &m.unpaid_reason, true, 500)?;
        Ok((m.enrolment_id.clone(), Payment::Unpaid { reason }))
    }
}

#[tonic::async_trait]
impl pb::payment_service_server::PaymentService for Api {
    async fn prepare_payment_list(
        &self,
        request: Request<pb::PreparePaymentListRequest>,
    ) -> Reply<pb::PaymentList> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let unit =
                tinhso_platform::units::active_unit(&self.0.db.pool, &r.unit_id, "unit_id").await?;
            p.require(WRITE, unit.path.as_str())?;
            let (policy, of) = self
                .policy_period(&r.policy, "policy", &r.period, "period")
                .await?;
            let (period, last_month) = (of.code(), of.months().1.code());
            let mut lines = self
                .entitlement_lines(unit.path.as_str(), &policy, of)
                .await?;
            let now = self.now();
            let mut tx = self.0.db.begin().await?;
            let overlapping = store::payments::overlapping(
                &tx,
                &paths_up(unit.path.as_str()),
                unit.path.as_str(),
                &policy.code,
                &period,
            )
            .await?;
            let list = match overlapping.into_iter().next() {
                Some(existing) if existing.unit_id != unit.id.as_str() => {
                    return Err(AppError::already_exists(
                        "unit_id",
                        ErrorCode::ListOverlaps,
                        "đã có danh sách chi trả của đơn vị cấp trên hoặc cấp dưới cho kỳ này",
                        "a unit above or below already has this period's list",
                    ));
                }
                Some(existing) => {
                    if !approval::editable(existing.state) {
                        return Err(locked(existing.state));
                    }
                    // Marks stay on lines whose amount did not change.
                    let before = store::payments::lines(&tx, &existing.id).await?;
                    for line in &mut lines {
                        if let Some(old) = before.iter().find(|o| {
                            o.enrolment_id == line.enrolment_id && o.amount == line.amount
                        }) {
                            line.payment = old.payment.clone();
                        }
                    }
                    store::payments::replace_lines(&mut tx, &existing.id, existing.version, &lines)
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
                    ListRow {
                        version: existing.version + 1,
                        ..existing
                    }
                }
                None => {
                    let list = ListRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        unit_id: unit.id.to_string(),
                        unit_path: unit.path.to_string(),
                        policy: policy.code.to_string(),
                        period: period.clone(),
                        last_month,
                        state: State::Draft,
                        return_reason: String::new(),
                        funded: 0,
                        version: 1,
                        created_at: now,
                        created_by: p.username.clone(),
                    };
                    store::payments::create(&mut tx, &list, &lines).await?;
                    store::approval::step(
                        &mut tx,
                        &list.id,
                        "prepare",
                        State::Draft,
                        "",
                        now,
                        &p.username,
                    )
                    .await?;
                    list
                }
            };
            self.commit(tx).await?;
            Ok(Response::new(self.list_answer(&list).await?))
        })
        .await
    }

    async fn get_payment_list(
        &self,
        request: Request<pb::GetPaymentListRequest>,
    ) -> Reply<pb::PaymentList> {
        handle(async move {
            let p = self.principal(&request)?;
            let list = self.readable_list(&p, &request.get_ref().id).await?;
            Ok(Response::new(self.list_answer(&list).await?))
        })
        .await
    }

    async fn list_payment_lists(
        &self,
        request: Request<pb::ListPaymentListsRequest>,
    ) -> Reply<pb::ListPaymentListsResponse> {
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
            let period = if r.period.is_empty() {
                None
            } else {
                Some(period_of(&r.period, "period")?.code())
            };
            let state = pb::ApprovalState::try_from(r.state)
                .ok()
                .and_then(|s| match s {
                    pb::ApprovalState::Unspecified => None,
                    pb::ApprovalState::Draft => Some(State::Draft),
                    pb::ApprovalState::Submitted => Some(State::Submitted),
                    pb::ApprovalState::Appraised => Some(State::Appraised),
                    pb::ApprovalState::Approved => Some(State::Approved),
                    pb::ApprovalState::Returned => Some(State::Returned),
                });
            let summaries = store::payments::summaries(
                pool,
                &store::payments::Filter {
                    unit_prefix: unit.path.to_string(),
                    period,
                    policy: (!r.policy.is_empty()).then(|| r.policy.clone()),
                    state,
                },
            )
            .await?;
            let names: std::collections::HashMap<String, String> =
                tinhso_platform::units::names(pool)
                    .await?
                    .into_iter()
                    .collect();
            // The roll-up: the unit asked, then each unit directly under it.
            let children: Vec<store::units::UnitRow> = tinhso_platform::units::active(pool)
                .await?
                .into_iter()
                .filter(|u| {
                    u.path.as_str().starts_with(unit.path.as_str())
                        && u.path.as_str()[unit.path.as_str().len()..]
                            .trim_end_matches('/')
                            .split('/')
                            .count()
                            == 1
                        && u.path != unit.path
                })
                .collect();
            let mut roll_up: Vec<pb::UnitTotals> = std::iter::once(&unit)
                .chain(children.iter())
                .map(|u| pb::UnitTotals {
                    unit_id: u.id.to_string(),
                    unit_name: u.name.clone(),
                    ..Default::default()
                })
                .collect();
            let paths: Vec<String> = std::iter::once(&unit)
                .chain(children.iter())
                .map(|u| u.path.to_string())
                .collect();
            let mut lists = Vec::with_capacity(summaries.len());
            for (list, pending, figures) in &summaries {
                for (i, path) in paths.iter().enumerate() {
                    if list.unit_path.starts_with(path.as_str()) {
                        let t = &mut roll_up[i];
                        t.lists += 1;
                        t.entitled += figures.entitled;
                        t.paid += figures.paid;
                        t.unpaid += figures.unpaid;
                        t.funded += figures.funded;
                    }
                }
                let name = names.get(&list.unit_id).map_or("", String::as_str);
                lists.push(list_pb(list, name, *pending, figures, 0));
            }
            Ok(Response::new(pb::ListPaymentListsResponse {
                lists,
                roll_up,
            }))
        })
        .await
    }

    async fn record_payments(
        &self,
        request: Request<pb::RecordPaymentsRequest>,
    ) -> Reply<pb::PaymentList> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let list = self.readable_list(&p, &r.id).await?;
            p.require(WRITE, &list.unit_path)?;
            if !approval::editable(list.state) {
                return Err(locked(list.state));
            }
            let today = self.today();
            let mut errors = Vec::new();
            let marks: Vec<(String, Payment)> = r
                .marks
                .iter()
                .enumerate()
                .filter_map(|(i, m)| mark(i, m, today).map_err(|e| errors.push(e)).ok())
                .collect();
            let funded = match r.funded {
                -1 => None,
                f if (0..=1_000_000_000_000).contains(&f) => Some(f),
                _ => {
                    errors.push(AppError::invalid(
                        "funded",
                        ErrorCode::OutOfRange,
                        "kinh phí đã nhận không được âm",
                        "the funds received must not be negative",
                    ));
                    None
                }
            };
            tinhso_platform::error::all_violations(errors)?;
            let mut tx = self.0.db.begin().await?;
            store::payments::record(&mut tx, &list.id, r.version, &marks, funded)
                .await
                .map_err(write_error)?;
            self.commit(tx).await?;
            let after = store::payments::get(&self.0.db.pool, &list.id)
                .await?
                .ok_or_else(|| AppError::internal("the list was just written"))?;
            Ok(Response::new(self.list_answer(&after).await?))
        })
        .await
    }

    async fn advance_payment_list(
        &self,
        request: Request<pb::AdvancePaymentListRequest>,
    ) -> Reply<pb::PaymentList> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let list = self.readable_list(&p, &r.id).await?;
            let reason = validate::text("reason", &r.reason, false, 1000)?;
            let (action, state) =
                approval_step(&p, &list.unit_path, list.state, &r.action, &reason)?;
            let pool = &self.0.db.pool;
            let lines = store::payments::lines(pool, &list.id).await?;
            let for_settlement: Vec<_> = lines.iter().map(LineRow::for_settlement).collect();
            let figures = match settlement::settle(&for_settlement, list.funded) {
                Ok(figures) => figures,
                Err(fault) if action == Action::Submit => {
                    let detail = match fault {
                        settlement::Fault::Pending { lines } => {
                            format!("Còn {lines} dòng chưa ghi đã chi hoặc chưa chi")
                        }
                        settlement::Fault::UnpaidWithoutReason { line } => {
                            format!("Dòng {} chưa chi nhưng chưa ghi lý do", line + 1)
                        }
                    };
                    return Err(AppError::failed_precondition(
                        ErrorCode::PaymentsPending,
                        &detail,
                        "some lines are not marked paid or unpaid with a reason",
                    ));
                }
                Err(_) => settlement::so_far(&for_settlement, list.funded).1,
            };
            let now = self.now();
            let mut tx = self.0.db.begin().await?;
            store::approval::advance(
                &mut tx,
                store::approval::Document::PaymentList,
                &list.id,
                r.version,
                action.code(),
                state,
                &reason,
                now,
                &p.username,
            )
            .await
            .map_err(write_error)?;
            let event = tinhso_proto::welfare::v1::SettlementChanged {
                payment_list_id: list.id.clone(),
                unit_id: list.unit_id.clone(),
                unit_path: list.unit_path.clone(),
                policy: list.policy.clone(),
                period: list.period.clone(),
                state: state.code().into(),
                entitled: figures.entitled,
                paid: figures.paid,
                funded: figures.funded,
                actor_id: p.account_id.to_string(),
            };
            self.0
                .outbox
                .enqueue(&mut tx, &crate::events::settlement(event, now))
                .await?;
            self.commit(tx).await?;
            let after = store::payments::get(pool, &list.id)
                .await?
                .ok_or_else(|| AppError::internal("the list was just written"))?;
            Ok(Response::new(self.list_answer(&after).await?))
        })
        .await
    }
}
