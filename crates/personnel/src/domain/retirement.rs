//! The normal retirement age (Bộ luật Lao động 2019, Điều 169; NĐ 135/2020/NĐ-CP, Điều 4): from
//! 2021, 60 years 3 months for men and 55 years 4 months for women, rising each year by 3 months
//! (men) and 4 months (women) until 62 (in 2028) and 60 (in 2035). The age that applies is the
//! one of the year in which it is reached; retirement takes effect on the first day of the month
//! after (the appendix of NĐ 135/2020 tabulates exactly this).

use crate::domain::salary::{add_months, sub_months};
use time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

/// The normal retirement age in months for someone reaching it in `year` (60 and 55 years
/// until 2020).
pub fn retirement_age_months(sex: Sex, year: i32) -> u32 {
    let steps = u32::try_from((year - 2020).max(0)).unwrap_or(0);
    match sex {
        Sex::Male => (60 * 12 + 3 * steps).min(62 * 12),
        Sex::Female => (55 * 12 + 4 * steps).min(60 * 12),
    }
}

/// The day retirement takes effect for someone born on `birth`: the first day of the month after
/// the month in which they reach the normal retirement age.
pub fn retirement_date(sex: Sex, birth: Date) -> Date {
    // The age depends on the year it is reached, which depends on the age: start from a year
    // before any possible answer and move on until the two agree.
    let mut year = birth.year() + 55;
    loop {
        let reached = add_months(birth, retirement_age_months(sex, year));
        if reached.year() <= year {
            let first_of_month = reached.replace_day(1).unwrap_or(reached);
            return add_months(first_of_month, 1);
        }
        year += 1;
    }
}

/// Months before retirement the agency notifies the person in writing, and issues the
/// retirement decision (NĐ 46/2010/NĐ-CP Điều 3; the same periods are kept for public
/// employees).
pub const NOTICE_MONTHS: u32 = 6;
pub const DECISION_MONTHS: u32 = 3;

/// What a unit must do for someone reaching retirement age.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetirementPlan {
    /// The day retirement takes effect.
    pub date: Date,
    /// The notice is given by this day.
    pub notice_by: Date,
    /// The decision is issued by this day.
    pub decision_by: Date,
}

pub fn retirement_plan(sex: Sex, birth: Date) -> RetirementPlan {
    let date = retirement_date(sex, birth);
    RetirementPlan {
        date,
        notice_by: sub_months(date, NOTICE_MONTHS),
        decision_by: sub_months(date, DECISION_MONTHS),
    }
}

/// The early step raise on retirement notice (TT 08/2013/TT-BNV Điều 3.2, as amended by
/// TT 03/2021/TT-BNV): someone not yet on the top step whose next regular raise is 12 months or
/// less after the notice is raised one step from the notice. Returns the date of the early raise.
pub fn early_raise_on_notice(next_regular_raise: Option<Date>, notice: Date) -> Option<Date> {
    let next = next_regular_raise?;
    (next > notice && next <= add_months(notice, 12)).then_some(notice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Month;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).expect("month"), day).expect("date")
    }

    #[test]
    fn ages_rise_on_the_roadmap_and_stop_at_62_and_60() {
        assert_eq!(retirement_age_months(Sex::Male, 2020), 60 * 12);
        assert_eq!(retirement_age_months(Sex::Male, 2021), 60 * 12 + 3);
        assert_eq!(retirement_age_months(Sex::Male, 2026), 61 * 12 + 6);
        assert_eq!(retirement_age_months(Sex::Male, 2028), 62 * 12);
        assert_eq!(retirement_age_months(Sex::Male, 2040), 62 * 12);
        assert_eq!(retirement_age_months(Sex::Female, 2021), 55 * 12 + 4);
        assert_eq!(retirement_age_months(Sex::Female, 2026), 57 * 12);
        assert_eq!(retirement_age_months(Sex::Female, 2035), 60 * 12);
    }

    #[test]
    fn retirement_dates_match_the_appendix_of_decree_135() {
        // Men born 01/1961: 60y3m in 04/2021, retire from 05/2021.
        assert_eq!(retirement_date(Sex::Male, d(1961, 1, 15)), d(2021, 5, 1));
        // Men born 10/1961 would reach 60y3m in 01/2022, but 2022 asks 60y6m: 04/2022.
        assert_eq!(retirement_date(Sex::Male, d(1961, 10, 2)), d(2022, 5, 1));
        // Women born 01/1966: 55y4m in 05/2021.
        assert_eq!(retirement_date(Sex::Female, d(1966, 1, 20)), d(2021, 6, 1));
        // Men born in 1966 and later: 62 years.
        assert_eq!(retirement_date(Sex::Male, d(1970, 2, 28)), d(2032, 3, 1));
        // Women born in 1975 and later: 60 years.
        assert_eq!(retirement_date(Sex::Female, d(1980, 12, 31)), d(2041, 1, 1));
        // Before 2021: 60 and 55 years exactly.
        assert_eq!(retirement_date(Sex::Male, d(1955, 6, 10)), d(2015, 7, 1));
        assert_eq!(retirement_date(Sex::Female, d(1960, 3, 1)), d(2015, 4, 1));
    }

    #[test]
    fn notice_six_months_and_decision_three_months_ahead() {
        // A man born 15/08/1965 reaches 61y9m (the age of 2027) in 05/2027: retires 01/06/2027,
        // is notified by 01/12/2026 and decided on by 01/03/2027.
        let plan = retirement_plan(Sex::Male, d(1965, 8, 15));
        assert_eq!(plan.date, d(2027, 6, 1));
        assert_eq!(plan.notice_by, d(2026, 12, 1));
        assert_eq!(plan.decision_by, d(2027, 3, 1));
        // A woman born 31/03/1970 reaches 57y4m (the age of 2027) in 07/2027: retires 01/08/2027.
        let plan = retirement_plan(Sex::Female, d(1970, 3, 31));
        assert_eq!(plan.date, d(2027, 8, 1));
        assert_eq!(plan.notice_by, d(2027, 2, 1));
    }

    #[test]
    fn the_early_raise_needs_the_next_raise_within_twelve_months_of_the_notice() {
        let notice = d(2026, 12, 1);
        assert_eq!(
            early_raise_on_notice(Some(d(2027, 9, 1)), notice),
            Some(notice),
            "9 months short: raised from the notice"
        );
        assert_eq!(
            early_raise_on_notice(Some(d(2027, 12, 1)), notice),
            Some(notice),
            "exactly 12 months short"
        );
        assert_eq!(early_raise_on_notice(Some(d(2027, 12, 2)), notice), None);
        assert_eq!(
            early_raise_on_notice(None, notice),
            None,
            "on the top step: no step to raise to"
        );
        assert_eq!(
            early_raise_on_notice(Some(d(2026, 11, 1)), notice),
            None,
            "already due before the notice: a regular raise"
        );
    }
}
