//! The approval flow a settlement and an estimate share (Điều 19.4b): which action a request
//! names, who may take it, the state it leads to, and how a refusal reads.

use super::*;
use crate::domain::approval::{self, Action, State};

/// District Finance-Planning appraises; provincial Finance approves.
pub(super) const APPRAISE: &str = "welfare.settlement.appraise";
pub(super) const APPROVE: &str = "welfare.settlement.approve";

/// A document that can no longer be edited by its unit: approved (locked) or with the
/// appraisers.
pub(super) fn locked(state: State) -> AppError {
    if state == State::Approved {
        AppError::failed_precondition(
            ErrorCode::PeriodApproved,
            "Kỳ này đã được phê duyệt quyết toán nên không thay đổi được",
            "the period's settlement is approved and locked",
        )
    } else {
        AppError::failed_precondition(
            ErrorCode::ApprovalOutOfOrder,
            "Danh sách đang chờ thẩm định, phê duyệt; chỉ sửa được khi còn là bản nháp hoặc bị trả lại",
            "the list is with the appraisers; it is edited only as a draft or when returned",
        )
    }
}

/// The action `action` (with `reason` for a return) on a document of the unit at `unit_path` in
/// `state`, if the caller may take it: the action and the state it leads to.
pub(super) fn approval_step(
    p: &Principal,
    unit_path: &str,
    state: State,
    action: &str,
    reason: &str,
) -> AppResult<(Action, State)> {
    let action = match action {
        "submit" => Action::Submit,
        "appraise" => Action::Appraise,
        "approve" => Action::Approve,
        "return" => Action::Return {
            reason: reason.to_string(),
        },
        _ => {
            return Err(AppError::invalid(
                "action",
                ErrorCode::UnknownCode,
                "thao tác ghi submit (gửi), appraise (thẩm định), approve (phê duyệt) hoặc return (trả lại)",
                "action is submit, appraise, approve or return",
            ));
        }
    };
    // The unit submits; the holder of the step returns it or moves it on.
    let permission = match (&action, state) {
        (Action::Submit, _) => WRITE,
        (Action::Appraise, _) | (Action::Return { .. }, State::Submitted) => APPRAISE,
        _ => APPROVE,
    };
    p.require(permission, unit_path)?;
    let next = approval::next(state, &action).map_err(|fault| match fault {
        approval::Fault::ReasonRequired => AppError::invalid(
            "reason",
            ErrorCode::Required,
            "trả lại phải ghi lý do để đơn vị sửa",
            "a return needs its reason",
        ),
        approval::Fault::OutOfOrder { from } => {
            if from == State::Approved {
                locked(from)
            } else {
                AppError::failed_precondition(
                    ErrorCode::ApprovalOutOfOrder,
                    "Thao tác không đúng bước của quy trình duyệt",
                    "the action does not follow the approval steps",
                )
            }
        }
    })?;
    Ok((action, next))
}
