//! The normal retirement age (Bộ luật Lao động 2019, Điều 169; NĐ 135/2020/NĐ-CP, Điều 4): from
//! 2021, 60 years 3 months for men and 55 years 4 months for women, rising each year by 3 months
//! (men) and 4 months (women) until 62 (in 2028) and 60 (in 2035). The age that applies is the
//! one of the year in which it is reached; retirement takes effect on the first day of the month
//! after (the appendix of NĐ 135/2020 tabulates exactly this).

use crate::domain::salary::add_months;
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
}
