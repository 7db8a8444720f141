//! Entry deadlines of QĐ 80/2020: a new hire is entered within 30 days of the recruitment
//! decision (Điều 10.1); a movement is recorded within 15 days of its effective date (Điều 11).
//! Days are calendar days in Vietnam's time zone (UTC+7).

/// Days allowed to enter a new hire after the recruitment decision.
pub const HIRE_DAYS: i64 = 30;
/// Days allowed to record a movement after it takes effect.
pub const MOVEMENT_DAYS: i64 = 15;

/// The calendar day (days since 1970-01-01) of `YYYY-MM-DD`.
pub fn day_of(date: &str) -> Option<i64> {
    let date = tinhso_platform::api::parse_date(date)?;
    Some(i64::from(date.to_julian_day()) - 2_440_588)
}

/// The calendar day in Vietnam of a Unix time in milliseconds.
pub fn day_of_ms(ms: i64) -> i64 {
    i64::from(tinhso_platform::clock::vietnam_date(ms).to_julian_day()) - 2_440_588
}

/// Days past the deadline an entry made at `entered_ms` is, for something dated `date` with
/// `allowed` days to enter it; `None` when on time (or the date is unknown).
pub fn days_late(date: &str, entered_ms: i64, allowed: i64) -> Option<i64> {
    let late = day_of_ms(entered_ms) - (day_of(date)? + allowed);
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
        assert_eq!(days_late("2026-01-01", noon("2026-01-31"), HIRE_DAYS), None);
        assert_eq!(
            days_late("2026-01-01", noon("2026-02-01"), HIRE_DAYS),
            Some(1)
        );
        assert_eq!(
            days_late("2026-10-01", noon("2026-10-16"), MOVEMENT_DAYS),
            None
        );
        assert_eq!(
            days_late("2026-10-01", noon("2026-10-26"), MOVEMENT_DAYS),
            Some(10)
        );
        assert_eq!(
            days_late("không phải ngày", noon("2026-10-26"), MOVEMENT_DAYS),
            None
        );
    }

    #[test]
    fn the_day_turns_at_midnight_in_vietnam() {
        // 2026-01-31 17:30 UTC is already 1 February in Vietnam.
        let ms = day_of("2026-01-31").expect("date") * 86_400_000 + (17 * 60 + 30) * 60_000;
        assert_eq!(day_of_ms(ms), day_of("2026-02-01").expect("date"));
    }
}
