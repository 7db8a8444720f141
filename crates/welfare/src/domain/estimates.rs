//! Next year's estimate and funding need (QĐ 503/2022 Điều 9.5-9.6): each current enrolment for
//! the year on the year's parameters (twelve months of a monthly policy, the months of study of
//! a per-term one, once for a yearly one), plus the changes the unit expects; the funding need is
//! the estimate less the funds carried over, never below zero.

use super::entitlements::Enrolment;
use super::parameters::ParameterValue;
use super::periods::{Period, period_line};
use super::policies::Frequency;
use super::rules::{BenefitRule, RuleFault};

/// A change the unit expects in the year: so many more (or fewer) beneficiaries at an amount a
/// month, for a number of months.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedChange {
    pub beneficiaries: i64,
    pub monthly_amount: i64,
    pub months: i64,
}

/// The estimate of a policy paid at `frequency` for `year`: the enrolments' lines for the year
/// (ended enrolments bring nothing) plus the expected changes.
pub fn estimate(
    rule: &BenefitRule,
    frequency: Frequency,
    enrolments: &[Enrolment],
    parameters: &[ParameterValue],
    year: i32,
    expected: &[ExpectedChange],
) -> Result<i64, RuleFault> {
    let mut total = 0;
    for enrolment in enrolments {
        total += period_line(rule, frequency, enrolment, parameters, Period::Year(year))?
            .map_or(0, |l| l.amount);
    }
    total += expected
        .iter()
        .map(|c| c.beneficiaries * c.monthly_amount * c.months)
        .sum::<i64>();
    Ok(total)
}

/// The funding to ask for: the estimate less what is carried over.
pub fn funding_need(estimate: i64, carried_over: i64) -> i64 {
    (estimate - carried_over).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parameters::{ParameterKind, national_seed};
    use crate::domain::rules::EnrolmentTerms;
    use time::{Date, Month};

    fn d(y: i32, m: Month, day: u8) -> Date {
        Date::from_calendar_date(y, m, day).expect("date")
    }

    fn enrolment(start: Date, end: Option<Date>, k: u32) -> Enrolment {
        Enrolment {
            start,
            end,
            terms: vec![(
                start,
                EnrolmentTerms {
                    coefficient: k,
                    ..Default::default()
                },
            )],
            suspensions: Vec::new(),
        }
    }

    #[test]
    fn the_estimate_is_twelve_months_of_the_current_enrolments_plus_expected_changes() {
        // For 2025 on 500,000: an elderly person at 1.5 (12 x 750,000 = 9,000,000), an orphan
        // under 4 at 2.5 (12 x 1,250,000 = 15,000,000); one ended in 2024 brings nothing; the
        // unit expects 3 more at 1.0 for 6 months (3 x 500,000 x 6 = 9,000,000).
        let rule = BenefitRule::BaseTimesCoefficient {
            base: ParameterKind::SocialAssistanceBase,
        };
        let enrolments = [
            enrolment(d(2022, Month::January, 10), None, 150),
            enrolment(d(2024, Month::August, 1), None, 250),
            enrolment(
                d(2022, Month::January, 1),
                Some(d(2024, Month::December, 31)),
                100,
            ),
        ];
        let expected = [ExpectedChange {
            beneficiaries: 3,
            monthly_amount: 500_000,
            months: 6,
        }];
        let total = estimate(
            &rule,
            Frequency::Monthly,
            &enrolments,
            &national_seed(),
            2025,
            &expected,
        )
        .expect("estimate");
        assert_eq!(total, 9_000_000 + 15_000_000 + 9_000_000);
        assert_eq!(funding_need(total, 4_500_000), 28_500_000);
        assert_eq!(
            funding_need(1_000, 4_500_000),
            0,
            "more carried over than needed"
        );
    }
}
