//! The entitlements of a monthly policy (issue 12, item 4): for each month of a period, what one
//! enrolment is owed, from its rule, its terms in force and the parameters in force that month.
//! The month of an event counts whole: paid from the month of the decision to the month of the
//! end; a suspension stops payment from the month after it and a resumption restarts it in its
//! own month; an adjustment pays the new terms from its month. The same inputs always give the
//! same lines, each with its base, coefficient or quantity and amount.

use super::parameters::{ParameterValue, in_force};
use super::rules::{BenefitRule, EnrolmentTerms, RuleFault, amount};
use time::{Date, Month};

/// A month of the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    pub month: Month,
}

impl YearMonth {
    pub fn of(date: Date) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn next(self) -> Self {
        match self.month {
            Month::December => Self {
                year: self.year + 1,
                month: Month::January,
            },
            m => Self {
                year: self.year,
                month: m.next(),
            },
        }
    }
}

/// An enrolment as it bears on payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// The decision's effective date (the first month paid is its month).
    pub start: Date,
    /// The end (decrease), if any: its month is the last paid.
    pub end: Option<Date>,
    /// The terms from each date on: the first at `start`, then each adjustment's.
    pub terms: Vec<(Date, EnrolmentTerms)>,
    /// Suspensions: (suspended on, resumed on).
    pub suspensions: Vec<(Date, Option<Date>)>,
}

/// One month's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub month: YearMonth,
    pub base: i64,
    pub coefficient: u32,
    pub quantity: u32,
    pub amount: i64,
}

/// Whether `month` is paid for `enrolment`.
pub fn is_paid(enrolment: &Enrolment, month: YearMonth) -> bool {
    let started = YearMonth::of(enrolment.start) <= month;
    let not_ended = enrolment.end.is_none_or(|end| month <= YearMonth::of(end));
    let suspended = enrolment.suspensions.iter().any(|(on, resumed)| {
        YearMonth::of(*on) < month && resumed.is_none_or(|r| month < YearMonth::of(r))
    });
    started && not_ended && !suspended
}

/// The terms in force in `month`: the latest whose month has come.
fn terms_in(enrolment: &Enrolment, month: YearMonth) -> Option<&EnrolmentTerms> {
    enrolment
        .terms
        .iter()
        .filter(|(from, _)| YearMonth::of(*from) <= month)
        .max_by_key(|(from, _)| *from)
        .map(|(_, terms)| terms)
}

/// The lines of `enrolment` for the months `first` to `last`, both included.
pub fn monthly_lines(
    rule: &BenefitRule,
    enrolment: &Enrolment,
    parameters: &[ParameterValue],
    first: YearMonth,
    last: YearMonth,
) -> Result<Vec<Line>, RuleFault> {
    let mut lines = Vec::new();
    let mut month = first;
    while month <= last {
        if is_paid(enrolment, month)
            && let Some(terms) = terms_in(enrolment, month)
        {
            let owed = amount(rule, terms, |kind| {
                in_force(parameters, kind, month.year, month.month)
            })?;
            lines.push(Line {
                month,
                base: owed.base,
                coefficient: owed.coefficient,
                quantity: owed.quantity,
                amount: owed.amount,
            });
        }
        month = month.next();
    }
    Ok(lines)
}

/// The first month whose payment `change` alters: an adjustment's or resumption's own month; the
/// month after a suspension or a decrease (their month is still paid whole). A verification or
/// rejection alters every month from the start, which the caller knows.
pub fn first_month_changed(change: &super::enrolments::Change) -> Option<YearMonth> {
    use super::enrolments::Change;
    match change {
        Change::Adjust { on } | Change::Resume { on } => Some(YearMonth::of(*on)),
        Change::Suspend { on } | Change::Decrease { on, .. } => Some(YearMonth::of(*on).next()),
        Change::Verify | Change::Reject { .. } => None,
    }
}

impl YearMonth {
    /// `YYYY-MM`.
    pub fn code(self) -> String {
        format!("{:04}-{:02}", self.year, u8::from(self.month))
    }

    /// `YYYY-MM` of a year 2000-2100.
    pub fn parse(text: &str) -> Option<Self> {
        let (y, m) = text.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
        (2000..=2100)
            .contains(&year)
            .then_some(Self { year, month })
    }
}

/// A step of an enrolment's history as the payment rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The enrolment entered, paid from `on` with `terms` once verified.
    Increase {
        on: Date,
        terms: EnrolmentTerms,
    },
    Verify,
    Reject,
    Adjust {
        on: Date,
        terms: EnrolmentTerms,
    },
    Suspend {
        on: Date,
    },
    Resume {
        on: Date,
    },
    Decrease {
        on: Date,
    },
}

/// The enrolment as it bears on payment, rebuilt from its history; `None` when it was never
/// verified (only verified enrolments are paid, Điều 16-18).
pub fn from_history(steps: &[Step]) -> Option<Enrolment> {
    let mut verified = false;
    let mut e = Enrolment {
        start: Date::MIN,
        end: None,
        terms: Vec::new(),
        suspensions: Vec::new(),
    };
    for step in steps {
        match step {
            Step::Increase { on, terms } => {
                e.start = *on;
                e.terms.push((*on, terms.clone()));
            }
            Step::Verify => verified = true,
            Step::Reject => verified = false,
            Step::Adjust { on, terms } => e.terms.push((*on, terms.clone())),
            Step::Suspend { on } => e.suspensions.push((*on, None)),
            Step::Resume { on } => {
                if let Some((_, resumed)) = e.suspensions.last_mut() {
                    *resumed = Some(*on);
                }
            }
            Step::Decrease { on } => e.end = Some(*on),
        }
    }
    (verified && !e.terms.is_empty()).then_some(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parameters::{ParameterKind, national_seed};

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).expect("month"), day).expect("date")
    }

    fn ym(y: i32, m: u8) -> YearMonth {
        YearMonth {
            year: y,
            month: Month::try_from(m).expect("month"),
        }
    }

    fn allowance() -> BenefitRule {
        BenefitRule::BaseTimesCoefficient {
            base: ParameterKind::SocialAssistanceBase,
        }
    }

    fn coefficient(k: u32) -> EnrolmentTerms {
        EnrolmentTerms {
            coefficient: k,
            ..Default::default()
        }
    }

    fn enrolled(start: Date, end: Option<Date>, k: u32) -> Enrolment {
        Enrolment {
            start,
            end,
            terms: vec![(start, coefficient(k))],
            suspensions: Vec::new(),
        }
    }

    fn total(lines: &[Line]) -> i64 {
        lines.iter().map(|l| l.amount).sum()
    }

    #[test]
    fn the_base_level_changes_mid_year() {
        // An elderly person of a poor household (1.5) all of 2024: 6 x 540,000 on 360,000, then
        // 6 x 750,000 on 500,000 from July (NĐ 76/2024) = 7,740,000.
        let lines = monthly_lines(
            &allowance(),
            &enrolled(d(2023, 5, 1), None, 150),
            &national_seed(),
            ym(2024, 1),
            ym(2024, 12),
        )
        .expect("lines");
        assert_eq!(lines.len(), 12);
        assert_eq!((lines[5].base, lines[5].amount), (360_000, 540_000));
        assert_eq!((lines[6].base, lines[6].amount), (500_000, 750_000));
        assert_eq!(total(&lines), 7_740_000);
    }

    #[test]
    fn a_start_and_an_end_mid_month_count_their_whole_months() {
        // Decided 15/03/2024, ended 10/10/2024, coefficient 1.0: March-June 4 x 360,000, July-
        // October 4 x 500,000 = 3,440,000; nothing before March or after October.
        let lines = monthly_lines(
            &allowance(),
            &enrolled(d(2024, 3, 15), Some(d(2024, 10, 10)), 100),
            &national_seed(),
            ym(2024, 1),
            ym(2024, 12),
        )
        .expect("lines");
        assert_eq!(lines.first().map(|l| l.month), Some(ym(2024, 3)));
        assert_eq!(lines.last().map(|l| l.month), Some(ym(2024, 10)));
        assert_eq!(total(&lines), 3_440_000);
    }

    #[test]
    fn a_suspension_an_adjustment_and_a_recomputation() {
        // Coefficient 1.0 from 01/01/2024; suspended 20/08/2024 and resumed 05/10/2024:
        // September is not paid; adjusted to 2.0 from 01/11/2024.
        let mut e = enrolled(d(2024, 1, 1), None, 100);
        e.suspensions.push((d(2024, 8, 20), Some(d(2024, 10, 5))));
        e.terms.push((d(2024, 11, 1), coefficient(200)));
        let lines = |e: &Enrolment| {
            monthly_lines(&allowance(), e, &national_seed(), ym(2024, 7), ym(2024, 12))
                .expect("lines")
        };
        let first = lines(&e);
        let months: Vec<u8> = first.iter().map(|l| u8::from(l.month.month)).collect();
        assert_eq!(months, vec![7, 8, 10, 11, 12]);
        assert_eq!(
            first.iter().map(|l| l.amount).collect::<Vec<_>>(),
            vec![500_000, 500_000, 500_000, 1_000_000, 1_000_000]
        );
        assert_eq!(lines(&e), first, "the same inputs give the same lines");
        // A suspension not yet lifted stops every month after its own.
        let mut open = enrolled(d(2024, 1, 1), None, 100);
        open.suspensions.push((d(2024, 9, 30), None));
        assert_eq!(lines(&open).len(), 3, "July, August, September");
    }

    #[test]
    fn a_month_before_any_parameter_is_a_fault_not_a_zero() {
        let faulty = monthly_lines(
            &allowance(),
            &enrolled(d(2021, 1, 1), None, 100),
            &national_seed(),
            ym(2021, 6),
            ym(2021, 7),
        );
        assert_eq!(
            faulty,
            Err(RuleFault::NoParameter(ParameterKind::SocialAssistanceBase))
        );
    }

    #[test]
    fn an_enrolment_is_rebuilt_from_its_history_and_paid_only_once_verified() {
        let entered = Step::Increase {
            on: d(2024, 3, 15),
            terms: coefficient(150),
        };
        assert_eq!(
            from_history(std::slice::from_ref(&entered)),
            None,
            "pending"
        );
        assert_eq!(
            from_history(&[entered.clone(), Step::Reject]),
            None,
            "rejected"
        );
        let history = [
            entered,
            Step::Verify,
            Step::Suspend { on: d(2024, 6, 10) },
            Step::Resume { on: d(2024, 9, 1) },
            Step::Adjust {
                on: d(2024, 10, 1),
                terms: coefficient(200),
            },
            Step::Decrease {
                on: d(2024, 11, 30),
            },
        ];
        let e = from_history(&history).expect("verified");
        assert_eq!(e.start, d(2024, 3, 15));
        assert_eq!(e.end, Some(d(2024, 11, 30)));
        assert_eq!(e.suspensions, vec![(d(2024, 6, 10), Some(d(2024, 9, 1)))]);
        // March-June and September at 1.5, October-November at 2.0 on the 500,000 base from
        // July (360,000 before): 4 x 540,000 + 750,000 + 2 x 1,000,000.
        let lines = monthly_lines(
            &allowance(),
            &e,
            &national_seed(),
            ym(2024, 1),
            ym(2024, 12),
        )
        .expect("lines");
        let months: Vec<u8> = lines.iter().map(|l| l.month.month as u8).collect();
        assert_eq!(months, vec![3, 4, 5, 6, 9, 10, 11]);
        assert_eq!(
            lines.iter().map(|l| l.amount).sum::<i64>(),
            4 * 540_000 + 750_000 + 2 * 1_000_000
        );
    }

    #[test]
    fn a_change_alters_the_months_from_the_one_it_is_paid_in() {
        use crate::domain::enrolments::Change;
        let on = d(2024, 11, 10);
        assert_eq!(
            first_month_changed(&Change::Adjust { on }),
            Some(ym(2024, 11))
        );
        assert_eq!(
            first_month_changed(&Change::Suspend { on }),
            Some(ym(2024, 12))
        );
        assert_eq!(
            first_month_changed(&Change::Decrease {
                on: d(2024, 12, 31),
                reason: "Chuyển đi".into()
            }),
            Some(ym(2025, 1))
        );
        assert_eq!(YearMonth::parse("2024-07"), Some(ym(2024, 7)));
        assert_eq!(ym(2024, 7).code(), "2024-07");
        for bad in ["2024-13", "2024-7", "24-07", "2024/07", "1999-12", ""] {
            assert_eq!(YearMonth::parse(bad), None, "{bad}");
        }
    }
}
