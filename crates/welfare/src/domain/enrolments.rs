//! Enrolments and their changes (Điều 8.3; issue 12, item 3): an increase (a new enrolment), a
//! decrease (its end, with the reason), an adjustment (new terms from a date), a suspension and
//! a resumption — each dated, checked against what the enrolment is at that moment, the history
//! kept. The sector department verifies an enrolment of its field; only a verified one is paid.

use super::policies::BeneficiaryKind;
use time::Date;

/// Where an enrolment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Entered, awaiting the sector department's verification.
    Pending,
    /// Verified and being paid.
    Active,
    Suspended,
    /// Decreased: ended on its date.
    Ended,
    /// Refused by the sector department, with its reason.
    Rejected,
}

/// A dated change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Verify,
    Reject { reason: String },
    Adjust { on: Date },
    Suspend { on: Date },
    Resume { on: Date },
    Decrease { on: Date, reason: String },
}

/// Why a change is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Not a change of an enrolment in this status (e.g. resuming what is not suspended).
    NotNow { status: Status },
    /// Dated before the enrolment started or before its last change.
    DateOrder,
    /// A rejection or a decrease needs its reason.
    ReasonRequired,
    /// The policy is for another kind of beneficiary (a household policy for a person).
    WrongBeneficiaryKind,
}

/// An enrolment as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub status: Status,
    pub start: Date,
    /// The date of the last dated change, if any.
    pub last_change: Option<Date>,
}

/// A new enrolment of a beneficiary of `kind` in a policy for `policy_kind`.
pub fn enrol(kind: BeneficiaryKind, policy_kind: BeneficiaryKind) -> Result<Status, Fault> {
    if kind == policy_kind {
        Ok(Status::Pending)
    } else {
        Err(Fault::WrongBeneficiaryKind)
    }
}

/// The status after `change`.
pub fn apply(state: &State, change: &Change) -> Result<Status, Fault> {
    use Status::*;
    let dated = |on: &Date| {
        if *on < state.start || state.last_change.is_some_and(|last| *on < last) {
            Err(Fault::DateOrder)
        } else {
            Ok(())
        }
    };
    let reasoned = |reason: &str| {
        if reason.trim().is_empty() {
            Err(Fault::ReasonRequired)
        } else {
            Ok(())
        }
    };
    let not_now = Err(Fault::NotNow {
        status: state.status,
    });
    match (state.status, change) {
        (Pending, Change::Verify) => Ok(Active),
        (Pending, Change::Reject { reason }) => reasoned(reason).map(|()| Rejected),
        (Active | Suspended, Change::Adjust { on }) => dated(on).map(|()| state.status),
        (Active, Change::Suspend { on }) => dated(on).map(|()| Suspended),
        (Suspended, Change::Resume { on }) => dated(on).map(|()| Active),
        (Active | Suspended | Pending, Change::Decrease { on, reason }) => {
            dated(on)?;
            reasoned(reason).map(|()| Ended)
        }
        _ => not_now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Month;

    fn d(m: Month, day: u8) -> Date {
        Date::from_calendar_date(2024, m, day).expect("date")
    }

    fn at(status: Status) -> State {
        State {
            status,
            start: d(Month::March, 15),
            last_change: Some(d(Month::June, 1)),
        }
    }

    #[test]
    fn an_enrolment_is_verified_then_changed_in_order() {
        assert_eq!(
            enrol(BeneficiaryKind::Person, BeneficiaryKind::Person),
            Ok(Status::Pending)
        );
        assert_eq!(
            enrol(BeneficiaryKind::Person, BeneficiaryKind::Household),
            Err(Fault::WrongBeneficiaryKind)
        );
        assert_eq!(
            apply(&at(Status::Pending), &Change::Verify),
            Ok(Status::Active)
        );
        assert_eq!(
            apply(
                &at(Status::Active),
                &Change::Suspend {
                    on: d(Month::August, 20)
                }
            ),
            Ok(Status::Suspended)
        );
        assert_eq!(
            apply(
                &at(Status::Suspended),
                &Change::Resume {
                    on: d(Month::October, 5)
                }
            ),
            Ok(Status::Active)
        );
        assert_eq!(
            apply(
                &at(Status::Active),
                &Change::Decrease {
                    on: d(Month::October, 10),
                    reason: "Đã mất".into()
                }
            ),
            Ok(Status::Ended)
        );
    }

    #[test]
    fn out_of_order_undated_or_unexplained_changes_are_refused() {
        assert_eq!(
            apply(
                &at(Status::Active),
                &Change::Resume {
                    on: d(Month::July, 1)
                }
            ),
            Err(Fault::NotNow {
                status: Status::Active
            })
        );
        assert_eq!(
            apply(
                &at(Status::Ended),
                &Change::Adjust {
                    on: d(Month::July, 1)
                }
            ),
            Err(Fault::NotNow {
                status: Status::Ended
            })
        );
        assert_eq!(
            apply(
                &at(Status::Active),
                &Change::Suspend {
                    on: d(Month::May, 1)
                }
            ),
            Err(Fault::DateOrder),
            "before the last change"
        );
        assert_eq!(
            apply(&at(Status::Pending), &Change::Reject { reason: "".into() }),
            Err(Fault::ReasonRequired)
        );
        assert_eq!(
            apply(
                &at(Status::Active),
                &Change::Decrease {
                    on: d(Month::July, 1),
                    reason: " ".into()
                }
            ),
            Err(Fault::ReasonRequired)
        );
        assert_eq!(
            apply(&at(Status::Rejected), &Change::Verify),
            Err(Fault::NotNow {
                status: Status::Rejected
            })
        );
    }
}
