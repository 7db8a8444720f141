//! The approval flow of a settlement (quyết toán) and of an estimate (dự toán) (QĐ 503/2022 Điều
//! 9.5-9.6, 19.4b): the unit drafts and submits; the district Finance-Planning office appraises;
//! the provincial Department of Finance approves, or either returns it with a reason, and the
//! unit corrects and submits again. No step is skipped; an approved one is locked.

/// Where a settlement or estimate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    Draft,
    Submitted,
    Appraised,
    Approved,
    Returned,
}

impl State {
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Appraised => "appraised",
            Self::Approved => "approved",
            Self::Returned => "returned",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::Draft,
            Self::Submitted,
            Self::Appraised,
            Self::Approved,
            Self::Returned,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// What someone does to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Submit,
    Appraise,
    Approve,
    /// Sent back to the unit, with the reason it is to correct.
    Return {
        reason: String,
    },
}

impl Action {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Appraise => "appraise",
            Self::Approve => "approve",
            Self::Return { .. } => "return",
        }
    }
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The action does not follow from the state (e.g. approving what is not appraised).
    OutOfOrder { from: State },
    /// A return needs its reason.
    ReasonRequired,
}

/// The state after `action`.
pub fn next(state: State, action: &Action) -> Result<State, Fault> {
    use State::*;
    match (state, action) {
        (Draft | Returned, Action::Submit) => Ok(Submitted),
        (Submitted, Action::Appraise) => Ok(Appraised),
        (Appraised, Action::Approve) => Ok(Approved),
        (Submitted | Appraised, Action::Return { reason }) => {
            if reason.trim().is_empty() {
                Err(Fault::ReasonRequired)
            } else {
                Ok(Returned)
            }
        }
        (from, _) => Err(Fault::OutOfOrder { from }),
    }
}

/// Whether the lines may still be changed: by the unit, while it holds the document.
pub fn editable(state: State) -> bool {
    matches!(state, State::Draft | State::Returned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_follows_the_one_before_and_approval_locks() {
        let back = |r: &str| Action::Return { reason: r.into() };
        let mut s = State::Draft;
        for (action, expected) in [
            (Action::Submit, State::Submitted),
            (back("Thiếu danh sách chi trả tháng 3"), State::Returned),
            (Action::Submit, State::Submitted),
            (Action::Appraise, State::Appraised),
            (Action::Approve, State::Approved),
        ] {
            s = next(s, &action).expect("in order");
            assert_eq!(s, expected);
        }
        assert!(!editable(s));
        for action in [Action::Submit, Action::Appraise, Action::Approve, back("x")] {
            assert_eq!(
                next(State::Approved, &action),
                Err(Fault::OutOfOrder {
                    from: State::Approved
                })
            );
        }
    }

    #[test]
    fn no_step_is_skipped_and_a_return_has_a_reason() {
        assert_eq!(
            next(State::Draft, &Action::Approve),
            Err(Fault::OutOfOrder { from: State::Draft })
        );
        assert_eq!(
            next(State::Submitted, &Action::Approve),
            Err(Fault::OutOfOrder {
                from: State::Submitted
            })
        );
        assert_eq!(
            next(State::Draft, &Action::Appraise),
            Err(Fault::OutOfOrder { from: State::Draft })
        );
        assert_eq!(
            next(
                State::Appraised,
                &Action::Return {
                    reason: "  ".into()
                }
            ),
            Err(Fault::ReasonRequired)
        );
        assert!(editable(State::Draft) && editable(State::Returned));
        assert!(!editable(State::Submitted) && !editable(State::Appraised));
    }
}
