//! The monthly salary schedule of QĐ 80/2020 (Điều 9, salary sub-module): provincial
//! departments and the units under them enter the month's salary data by the 10th, districts and
//! every unit under a district (its offices, schools, communes) by the 20th, and the Department
//! of Finance records the changes on the 25th. A unit's payroll is closed once a month; closing
//! after the due date is late.

use time::{Date, Month};

/// The day of the month a unit's payroll is due, by where it sits: `lineage` holds the kinds of
/// the unit and of every unit above it (identity's unit kinds, in any order). Under a district
/// or a commune (or one itself): the 20th; anywhere else (departments and their units): the 10th.
pub fn due_day(lineage: &[&str]) -> u8 {
    if lineage
        .iter()
        .any(|kind| matches!(*kind, "district" | "commune"))
    {
        20
    } else {
        10
    }
}

/// The day Finance records the month's changes.
pub const FINANCE_DAY: u8 = 25;

/// The due date of a unit's payroll for `year`-`month` (`lineage` as for [`due_day`]).
pub fn due_date(year: i32, month: Month, lineage: &[&str]) -> Option<Date> {
    Date::from_calendar_date(year, month, due_day(lineage)).ok()
}

/// Where a unit's payroll of a month stands against its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    /// Closed on or before the due date.
    OnTime,
    /// Closed this many days after the due date.
    Late(i64),
    /// Not closed and the due date has not passed.
    Pending,
    /// Not closed and the due date has passed by this many days.
    Overdue(i64),
}

pub fn timeliness(due: Date, closed_on: Option<Date>, today: Date) -> Timeliness {
    let days_after = |d: Date| (d - due).whole_days();
    match closed_on {
        Some(c) if c <= due => Timeliness::OnTime,
        Some(c) => Timeliness::Late(days_after(c)),
        None if today <= due => Timeliness::Pending,
        None => Timeliness::Overdue(days_after(today)),
    }
}

/// The first and last day of a month.
pub fn month_bounds(year: i32, month: Month) -> Option<(Date, Date)> {
    let first = Date::from_calendar_date(year, month, 1).ok()?;
    let last =
        Date::from_calendar_date(year, month, time::util::days_in_month(month, year)).ok()?;
    Some((first, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).expect("month"), day).expect("date")
    }

    #[test]
    fn departments_close_by_the_tenth_districts_by_the_twentieth() {
        let due = |lineage: &[&str]| due_date(2026, Month::November, lineage);
        assert_eq!(due(&["province", "department"]), Some(d(2026, 11, 10)));
        // A school run by the Department of Education: the department's day.
        assert_eq!(
            due(&["province", "department", "public_service_unit"]),
            Some(d(2026, 11, 10))
        );
        assert_eq!(due(&["province", "district"]), Some(d(2026, 11, 20)));
        assert_eq!(
            due(&["province", "district", "commune"]),
            Some(d(2026, 11, 20))
        );
        // A district's school or office is a department or service unit by kind, and still
        // closes by the 20th: it sits under the district.
        assert_eq!(
            due(&["province", "district", "public_service_unit"]),
            Some(d(2026, 11, 20))
        );
        assert_eq!(
            due(&["province", "district", "department"]),
            Some(d(2026, 11, 20))
        );
    }

    #[test]
    fn a_payroll_is_on_time_late_pending_or_overdue() {
        let due = d(2026, 11, 10);
        assert_eq!(
            timeliness(due, Some(d(2026, 11, 10)), d(2026, 11, 30)),
            Timeliness::OnTime
        );
        assert_eq!(
            timeliness(due, Some(d(2026, 11, 13)), d(2026, 11, 30)),
            Timeliness::Late(3)
        );
        assert_eq!(timeliness(due, None, d(2026, 11, 9)), Timeliness::Pending);
        assert_eq!(
            timeliness(due, None, d(2026, 11, 22)),
            Timeliness::Overdue(12)
        );
    }

    #[test]
    fn month_bounds_know_leap_years() {
        assert_eq!(
            month_bounds(2028, Month::February),
            Some((d(2028, 2, 1), d(2028, 2, 29)))
        );
        assert_eq!(
            month_bounds(2026, Month::February),
            Some((d(2026, 2, 1), d(2026, 2, 28)))
        );
    }
}
