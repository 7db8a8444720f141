//! Entry deadlines of QĐ 80/2020: a new hire is entered within 30 days of the recruitment
//! decision (Điều 10.1); a movement is recorded within 15 days of its effective date (Điều 11).
//! Days are calendar days in Vietnam's time zone (UTC+7).

use tinhso_platform::vn::WorkingCalendar;

/// Days allowed to enter a new hire after the recruitment decision.
pub const HIRE_DAYS: i64 = 30;
/// Days allowed to record a movement after it takes effect.
pub const MOVEMENT_DAYS: i64 = 15;

/// Record items whose change is a decision with an effective date (an appointment, a move to
/// another department, a new diploma): the change carries that date and is due within
/// [`MOVEMENT_DAYS`] of it (Điều 11).
pub const DATED_ITEMS: &[&str] = &["position", "department", "degree"];

/// The calendar day (days since 1970-01-01) of `YYYY-MM-DD`.
pub fn day_of(date: &str) -> Option<i64> {
    let date = tinhso_platform::api::parse_date(date)?;
    Some(i64::from(date.to_julian_day()) - 2_440_588)
}

/// The calendar day in Vietnam of a Unix time in milliseconds.
pub fn day_of_ms(ms: i64) -> i64 {
    i64::from(tinhso_platform::clock::vietnam_date(ms).to_julian_day()) - 2_440_588
}

/// The public holidays fixed by the solar calendar (Bộ luật Lao động 2019 Điều 112: New Year,
/// Reunification Day, Labour Day, National Day). The lunar ones (Tết, Hùng Kings) and the days the
/// Prime Minister adds or swaps each year are data: catalogue "holiday".
pub fn is_fixed_holiday(date: time::Date) -> bool {
    use time::Month::{April, January, May, September};
    matches!(
        (date.month(), date.day()),
        (January, 1) | (April, 30) | (May, 1) | (September, 2)
    )
}

/// The last day to enter something dated `date` with `allowed` calendar days: when it falls on a
/// day off (a weekend, a fixed holiday or one of the calendar's), the next working day (Bộ luật
/// Dân sự 2015 Điều 148.5).
pub fn deadline(date: time::Date, allowed: i64, calendar: &WorkingCalendar) -> time::Date {
    let mut last = date + time::Duration::days(allowed);
    while !calendar.is_working_day(last) || is_fixed_holiday(last) {
        match last.next_day() {
            Some(next) => last = next,
            None => break,
        }
    }
    last
}

/// Days past the deadline an entry made at `entered_ms` is, for something dated `date` with
/// `allowed` days to enter it; `None` when on time (or the date is unknown).
pub fn days_late(
    date: &str,
    entered_ms: i64,
    allowed: i64,
    calendar: &WorkingCalendar,
) -> Option<i64> {
    let last = deadline(tinhso_platform::api::parse_date(date)?, allowed, calendar);
    let last_day = i64::from(last.to_julian_day()) - 2_440_588;
    let late = day_of_ms(entered_ms) - last_day;
    (late > 0).then_some(late)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Midday in Vietnam on `date`, as Unix milliseconds.
    fn noon(date: &str) -> i64 {
        day_of(date).expect("date") * 86_400_000 + 5 * 3_600_000
    }

    #[test]
    fn thirty_days_for_hires_and_fifteen_for_movements() {
        let none = &WorkingCalendar::default();
        // 01/01/2026 + 30 days = Saturday 31/01: the deadline moves to Monday 02/02.
        assert_eq!(
            days_late("2026-01-01", noon("2026-01-31"), HIRE_DAYS, none),
            None
        );
        assert_eq!(
            days_late("2026-01-01", noon("2026-02-02"), HIRE_DAYS, none),
            None
        );
        assert_eq!(
            days_late("2026-01-01", noon("2026-02-03"), HIRE_DAYS, none),
            Some(1)
        );
        // 01/10/2026 + 15 = Friday 16/10, a working day.
        assert_eq!(
            days_late("2026-10-01", noon("2026-10-16"), MOVEMENT_DAYS, none),
            None
        );
        assert_eq!(
            days_late("2026-10-01", noon("2026-10-26"), MOVEMENT_DAYS, none),
            Some(10)
        );
        assert_eq!(
            days_late("không phải ngày", noon("2026-10-26"), MOVEMENT_DAYS, none),
            None
        );
    }

    fn d(y: i32, m: u8, day: u8) -> time::Date {
        time::Date::from_calendar_date(y, time::Month::try_from(m).expect("month"), day)
            .expect("date")
    }

    #[test]
    fn a_deadline_on_a_day_off_moves_to_the_next_working_day() {
        let none = &WorkingCalendar::default();
        // 15/04/2026 + 15 = Thursday 30/04 (Reunification Day), Friday 01/05 (Labour Day),
        // then the weekend: Monday 04/05/2026.
        assert_eq!(deadline(d(2026, 4, 15), MOVEMENT_DAYS, none), d(2026, 5, 4));
        // 18/08/2026 + 15 = Wednesday 02/09 (National Day); with 03/09 declared off by the
        // Prime Minister (catalogue "holiday"), Friday 04/09.
        assert_eq!(deadline(d(2026, 8, 18), MOVEMENT_DAYS, none), d(2026, 9, 3));
        assert_eq!(
            deadline(
                d(2026, 8, 18),
                MOVEMENT_DAYS,
                &WorkingCalendar::new([d(2026, 9, 3)])
            ),
            d(2026, 9, 4)
        );
        // A working day stays.
        assert_eq!(
            deadline(d(2026, 10, 1), MOVEMENT_DAYS, none),
            d(2026, 10, 16)
        );
    }

    #[test]
    fn the_day_turns_at_midnight_in_vietnam() {
        // 2026-01-31 17:30 UTC is already 1 February in Vietnam.
        let ms = day_of("2026-01-31").expect("date") * 86_400_000 + (17 * 60 + 30) * 60_000;
        assert_eq!(day_of_ms(ms), day_of("2026-02-01").expect("date"));
    }
}
