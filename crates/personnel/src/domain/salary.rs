//! Salary rules for cadres, civil servants and public employees: monthly pay from coefficients
//! and the effective-dated base salary, the next regular step raise, and the seniority allowance
//! beyond the top step. Coefficients are integers in hundredths (2.34 -> 234) and money is whole
//! đồng, so nothing is rounded twice.

use crate::domain::grades::GradeGroup;
use time::{Date, Month};

/// The base salary (mức lương cơ sở) in force from a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaseSalary {
    pub from: Date,
    pub vnd: i64,
}

/// The seed of the effective-dated base salary: the decrees' values (`vn::BASE_SALARIES`).
pub fn seed_base_salaries() -> Vec<BaseSalary> {
    tinhso_platform::vn::BASE_SALARIES
        .iter()
        .filter_map(|((year, month, day), vnd, _)| {
            let month = Month::try_from(*month).ok()?;
            Some(BaseSalary {
                from: Date::from_calendar_date(*year, month, *day).ok()?,
                vnd: *vnd,
            })
        })
        .collect()
}

/// The base salary in force on `on`: the latest entry starting on or before it.
pub fn base_salary_on(table: &[BaseSalary], on: Date) -> Option<i64> {
    table
        .iter()
        .filter(|b| b.from <= on)
        .max_by_key(|b| b.from)
        .map(|b| b.vnd)
}

/// What one month's pay is computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayInput {
    /// Salary coefficient of the grade and step, in hundredths.
    pub coefficient: u32,
    /// Leadership position allowance coefficient (phụ cấp chức vụ), in hundredths.
    pub position_allowance: u32,
    /// Other allowance coefficients (responsibility, regional, ...), in hundredths.
    pub other_allowances: Vec<u32>,
    /// Seniority beyond the top step, in percent.
    pub seniority_percent: u32,
}

/// The pay of one month, in đồng: (coefficient + allowance coefficients) x base salary, plus the
/// seniority allowance = percent x (coefficient + position allowance) x base salary
/// (TT 04/2005/TT-BNV). Rounded to the nearest đồng once, at the end.
pub fn monthly_pay(input: &PayInput, base_vnd: i64) -> i64 {
    let coefficients = i64::from(input.coefficient)
        + i64::from(input.position_allowance)
        + input
            .other_allowances
            .iter()
            .map(|a| i64::from(*a))
            .sum::<i64>();
    let seniority_base = i64::from(input.coefficient) + i64::from(input.position_allowance);
    // In units of 1/10,000 đồng: hundredths of a coefficient x percent.
    let scaled = coefficients * base_vnd * 100
        + seniority_base * base_vnd * i64::from(input.seniority_percent);
    (scaled + 5_000) / 10_000
}

/// Discipline that delays raises (NĐ 112/2020/NĐ-CP; TT 08/2013/TT-BNV, Điều 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discipline {
    /// Khiển trách.
    Reprimand,
    /// Cảnh cáo.
    Warning,
    /// Hạ bậc lương: the step is lowered by the decision (a salary entry), not delayed.
    SalaryDemotion,
    /// Giáng chức.
    Demotion,
    /// Cách chức.
    Dismissal,
}

impl Discipline {
    /// Months by which the next regular raise is delayed.
    pub fn raise_delay_months(self) -> u32 {
        match self {
            Self::Reprimand | Self::Warning => 6,
            Self::Demotion | Self::Dismissal => 12,
            Self::SalaryDemotion => 0,
        }
    }
}

/// `date` plus `months`, the day clamped to the end of a shorter month.
pub fn add_months(date: Date, months: u32) -> Date {
    shift_months(date, i32::try_from(months).unwrap_or(i32::MAX / 24))
}

/// `date` minus `months`, the day clamped to the end of a shorter month.
pub fn sub_months(date: Date, months: u32) -> Date {
    shift_months(date, -i32::try_from(months).unwrap_or(i32::MAX / 24))
}

fn shift_months(date: Date, months: i32) -> Date {
    let total = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months;
    let year = total.div_euclid(12);
    let month = Month::try_from((total.rem_euclid(12) + 1) as u8).unwrap_or(Month::December);
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, date.day().min(last)).unwrap_or(date)
}

/// A delay in half months: the time that does not count toward a raise is counted to the half
/// month (TT 08/2013/TT-BNV Điều 2.1 as amended by TT 03/2021/TT-BNV).
pub type HalfMonths = u32;

/// `months` as half months.
pub const fn months(months: u32) -> HalfMonths {
    months * 2
}

/// `date` plus a delay: its whole months by the calendar, then 15 days for a half month.
pub fn add_half_months(date: Date, delay: HalfMonths) -> Date {
    let whole = add_months(date, delay / 2);
    if delay % 2 == 1 {
        whole + time::Duration::days(15)
    } else {
        whole
    }
}

/// The date of the next regular step raise of someone on `step` since `step_since`, delayed by
/// the disciplines received while on that step; `None` on the top step (seniority applies).
pub fn next_raise_date(
    group: &GradeGroup,
    step: u32,
    top_step: u32,
    step_since: Date,
    disciplines: &[Discipline],
) -> Option<Date> {
    let delay: u32 = disciplines.iter().map(|d| d.raise_delay_months()).sum();
    next_raise_date_delayed(group, step, top_step, step_since, months(delay))
}

/// [`next_raise_date`] with every delay already summed up, in half months (disciplines and
/// yearly ratings from their catalogues, time that does not count).
pub fn next_raise_date_delayed(
    group: &GradeGroup,
    step: u32,
    top_step: u32,
    step_since: Date,
    delay: HalfMonths,
) -> Option<Date> {
    if step >= top_step {
        return None;
    }
    Some(add_half_months(
        step_since,
        months(group.raise_interval_months()) + delay,
    ))
}

/// Something that delays raises: its date and the half months it delays by.
pub type DatedDelay = (Date, HalfMonths);

/// How much a period that does not count toward a raise (unpaid leave, suspension, detention,
/// overstaying a posting; both days included) delays it: its whole months by the calendar, and
/// what is left as half a month when it has 11 working days or fewer, a whole month from 12
/// (TT 08/2013/TT-BNV Điều 2.1, as amended by TT 03/2021/TT-BNV). `is_working_day` is the
/// province's calendar.
pub fn not_counted(from: Date, to: Date, is_working_day: impl Fn(Date) -> bool) -> HalfMonths {
    let Some(end) = to.next_day().filter(|end| *end > from) else {
        return 0;
    };
    let mut whole = 0;
    while add_months(from, whole + 1) <= end {
        whole += 1;
    }
    let mut day = add_months(from, whole);
    let mut working = 0;
    while day < end {
        if is_working_day(day) {
            working += 1;
        }
        day = day.next_day().unwrap_or(end);
    }
    months(whole)
        + match working {
            0 => 0,
            1..=11 => 1,
            _ => 2,
        }
}

/// The most an early raise for outstanding achievement may come before the regular date.
pub const EARLY_RAISE_MAX_MONTHS: u32 = 12;

/// Why an early raise for outstanding achievement cannot be given (TT 08/2013/TT-BNV Điều 3, as
/// amended by TT 03/2021/TT-BNV).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EarlyRaiseFault {
    /// It must be the next step of the same grade.
    NotTheNextStep,
    /// On or after the regular date: it is a regular raise.
    NotEarly { regular: Date },
    /// More than 12 months before the regular date.
    TooEarly { regular: Date },
    /// The previous raise in the grade was also early for achievement.
    TwiceInARow,
    /// A discipline was decided in the 12 months before.
    Disciplined,
}

/// The step someone holds before an early raise, as it bears on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldStep {
    pub grade_code: String,
    pub step: u32,
    /// The regular date of the next step (delays counted); `None` on the top step.
    pub regular_raise: Option<Date>,
    /// The raise to this step was itself early for achievement.
    pub reached_early: bool,
}

/// Checks an early raise to `step` of `grade_code` from `effective`, for someone holding `held`
/// and with disciplines decided on `disciplines`.
pub fn early_raise_fault(
    held: &HeldStep,
    grade_code: &str,
    step: u32,
    effective: Date,
    disciplines: &[Date],
) -> Option<EarlyRaiseFault> {
    let Some(regular) = held.regular_raise else {
        return Some(EarlyRaiseFault::NotTheNextStep);
    };
    if held.grade_code != grade_code || step != held.step + 1 {
        return Some(EarlyRaiseFault::NotTheNextStep);
    }
    if effective >= regular {
        return Some(EarlyRaiseFault::NotEarly { regular });
    }
    if effective < sub_months(regular, EARLY_RAISE_MAX_MONTHS) {
        return Some(EarlyRaiseFault::TooEarly { regular });
    }
    if held.reached_early {
        return Some(EarlyRaiseFault::TwiceInARow);
    }
    let year_before = sub_months(effective, 12);
    if disciplines
        .iter()
        .any(|on| *on > year_before && *on <= effective)
    {
        return Some(EarlyRaiseFault::Disciplined);
    }
    None
}

/// How many early raises for outstanding achievement a unit may give in a year: 15% of the people
/// on its payroll (TT 08/2013/TT-BNV Điều 3.1 as amended by TT 03/2021/TT-BNV), rounded down.
pub fn early_raise_share(headcount: usize) -> usize {
    headcount * 15 / 100
}

/// The dates the seniority allowance beyond the top step starts (5%) and then grows (1% each),
/// for someone on the top step since `top_since` (TT 04/2005/TT-BNV; TT 08/2013/TT-BNV as
/// amended by TT 03/2021/TT-BNV): the first after the raise interval (36 months, 24 for groups
/// C), each next one 12 months after the previous. A discipline decided while waiting for an
/// increase postpones that increase by its delay (and one decided during the postponement
/// postpones it further); the percentage already earned is kept.
pub fn seniority_milestones<'a>(
    group: &GradeGroup,
    top_since: Date,
    delays: &'a [DatedDelay],
) -> impl Iterator<Item = Date> + 'a {
    let mut previous = top_since;
    let mut period = group.raise_interval_months();
    std::iter::from_fn(move || {
        let mut counted_to = previous;
        let mut next = add_months(previous, period);
        loop {
            let extra: u32 = delays
                .iter()
                .filter(|(on, _)| *on > counted_to && *on <= next)
                .map(|(_, delay)| delay)
                .sum();
            if extra == 0 {
                break;
            }
            counted_to = next;
            next = add_half_months(next, extra);
        }
        previous = next;
        period = 12;
        Some(next)
    })
}

/// The seniority allowance in percent on `on`: 0 before the first milestone, 5 from it, one
/// more from each later one.
pub fn seniority_percent(
    group: &GradeGroup,
    top_since: Date,
    on: Date,
    delays: &[DatedDelay],
) -> u32 {
    let reached = seniority_milestones(group, top_since, delays)
        .take_while(|m| *m <= on)
        .count();
    match reached {
        0 => 0,
        n => 4 + u32::try_from(n).unwrap_or(u32::MAX - 4),
    }
}

/// The first seniority increase on or after `from`: its date and the percentage from then.
pub fn next_seniority_increase(
    group: &GradeGroup,
    top_since: Date,
    from: Date,
    delays: &[DatedDelay],
) -> (Date, u32) {
    let mut percent = 4;
    for milestone in seniority_milestones(group, top_since, delays) {
        percent += 1;
        if milestone >= from {
            return (milestone, percent);
        }
    }
    (from, percent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::grades::national_table;

    fn g(code: &str) -> GradeGroup {
        GradeGroup::from_code(code).expect("a group")
    }

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).expect("month"), day).expect("date")
    }

    #[test]
    fn the_base_salary_follows_its_effective_dates() {
        let table = seed_base_salaries();
        assert_eq!(base_salary_on(&table, d(2019, 6, 30)), None);
        assert_eq!(base_salary_on(&table, d(2019, 7, 1)), Some(1_490_000));
        assert_eq!(base_salary_on(&table, d(2023, 6, 30)), Some(1_490_000));
        assert_eq!(base_salary_on(&table, d(2023, 7, 1)), Some(1_800_000));
        assert_eq!(base_salary_on(&table, d(2024, 6, 30)), Some(1_800_000));
        assert_eq!(base_salary_on(&table, d(2024, 7, 1)), Some(2_340_000));
        assert_eq!(base_salary_on(&table, d(2026, 11, 1)), Some(2_340_000));
    }

    #[test]
    fn monthly_pay_of_a_chuyen_vien() {
        // Chuyên viên, step 3 (3.00), no allowance, base 2,340,000: 7,020,000 đồng.
        let plain = PayInput {
            coefficient: 300,
            ..Default::default()
        };
        assert_eq!(monthly_pay(&plain, 2_340_000), 7_020_000);
        // A head of division (phụ cấp chức vụ 0.50) on 4.98 with a 0.20 responsibility allowance:
        // (4.98 + 0.50 + 0.20) x 2,340,000 = 13,291,200.
        let head = PayInput {
            coefficient: 498,
            position_allowance: 50,
            other_allowances: vec![20],
            seniority_percent: 0,
        };
        assert_eq!(monthly_pay(&head, 2_340_000), 13_291_200);
        // The same at 7% beyond the top step: + 7% x (4.98 + 0.50) x 2,340,000 = 897,624.
        let senior = PayInput {
            seniority_percent: 7,
            ..head
        };
        assert_eq!(monthly_pay(&senior, 2_340_000), 13_291_200 + 897_624);
    }

    #[test]
    fn raises_come_every_36_or_24_months_and_discipline_delays_them() {
        let a1 = national_table()
            .into_iter()
            .find(|s| s.group.code() == "A1")
            .expect("A1");
        let since = d(2023, 1, 31);
        assert_eq!(
            next_raise_date(&g("A1"), 3, a1.top_step(), since, &[]),
            Some(d(2026, 1, 31))
        );
        assert_eq!(
            next_raise_date(&g("B"), 3, 12, since, &[]),
            Some(d(2025, 1, 31))
        );
        assert_eq!(
            next_raise_date(&g("A1"), 3, 9, since, &[Discipline::Warning]),
            Some(d(2026, 7, 31))
        );
        assert_eq!(
            next_raise_date(&g("A1"), 3, 9, since, &[Discipline::Demotion]),
            Some(d(2027, 1, 31))
        );
        assert_eq!(
            next_raise_date(&g("A1"), 9, 9, since, &[]),
            None,
            "top step: seniority instead"
        );
        // Month ends are clamped: 31 August + 6 months is 28/29 February.
        assert_eq!(add_months(d(2023, 8, 31), 6), d(2024, 2, 29));
    }

    #[test]
    fn seniority_starts_at_five_percent_and_grows_one_a_year() {
        let top_since = d(2020, 3, 1);
        let p = |on| seniority_percent(&g("A1"), top_since, on, &[]);
        assert_eq!(p(d(2023, 2, 28)), 0);
        assert_eq!(p(d(2023, 3, 1)), 5);
        assert_eq!(p(d(2024, 2, 29)), 5);
        assert_eq!(p(d(2024, 3, 1)), 6);
        assert_eq!(p(d(2026, 11, 22)), 8);
        // Group C reaches it after 24 months; a reprimand in that wait delays it 6 months.
        assert_eq!(
            seniority_percent(&g("C1"), top_since, d(2022, 3, 1), &[]),
            5
        );
        let reprimand = [(d(2021, 5, 10), months(6))];
        assert_eq!(
            seniority_percent(&g("C1"), top_since, d(2022, 3, 1), &reprimand),
            0
        );
        assert_eq!(
            seniority_percent(&g("C1"), top_since, d(2022, 9, 1), &reprimand),
            5
        );
    }

    /// A chuyên viên (A1) on the top step since 01/03/2020: 5% from 01/03/2023, 6% from
    /// 01/03/2024. Reprimanded on 10/06/2024, while waiting for 7%: she keeps her 6%, and the 7%
    /// comes 6 months late, on 01/09/2025 (not 01/03/2025); 8% twelve months after that, on
    /// 01/09/2026. (TT 08/2013/TT-BNV as amended by TT 03/2021/TT-BNV: the discipline extends the
    /// time to the next increase; it takes back nothing already earned.)
    #[test]
    fn a_reprimand_after_seniority_started_keeps_the_percent_and_postpones_the_next() {
        let top_since = d(2020, 3, 1);
        let reprimand = [(d(2024, 6, 10), months(6))];
        let p = |on| seniority_percent(&g("A1"), top_since, on, &reprimand);
        assert_eq!(p(d(2024, 6, 10)), 6, "the 6% already earned is kept");
        assert_eq!(p(d(2025, 3, 1)), 6, "7% is postponed");
        assert_eq!(p(d(2025, 8, 31)), 6);
        assert_eq!(p(d(2025, 9, 1)), 7);
        assert_eq!(p(d(2026, 8, 31)), 7);
        assert_eq!(p(d(2026, 9, 1)), 8);
        assert_eq!(
            next_seniority_increase(&g("A1"), top_since, d(2025, 1, 1), &reprimand),
            (d(2025, 9, 1), 7)
        );
        // Someone who just reached 5% and is then warned keeps the 5%.
        let warned = [(d(2023, 3, 15), months(6))];
        assert_eq!(
            seniority_percent(&g("A1"), top_since, d(2023, 4, 1), &warned),
            5
        );
        assert_eq!(
            seniority_percent(&g("A1"), top_since, d(2024, 3, 1), &warned),
            5,
            "6% waits until 01/09/2024"
        );
        assert_eq!(
            seniority_percent(&g("A1"), top_since, d(2024, 9, 1), &warned),
            6
        );
        // A second discipline decided during the postponement postpones it further.
        let twice = [(d(2024, 6, 10), months(6)), (d(2025, 5, 1), months(6))];
        assert_eq!(
            next_seniority_increase(&g("A1"), top_since, d(2025, 1, 1), &twice),
            (d(2026, 3, 1), 7)
        );
    }

    fn weekdays(day: Date) -> bool {
        !matches!(
            day.weekday(),
            time::Weekday::Saturday | time::Weekday::Sunday
        )
    }

    #[test]
    fn time_that_does_not_count_is_counted_to_the_half_month() {
        // Unpaid leave 01/03/2025-15/04/2025: March is a whole month; 1-15 April has 11 working
        // days (1-4, 7-11, 14-15): half a month. 1.5 months in all.
        assert_eq!(not_counted(d(2025, 3, 1), d(2025, 4, 15), weekdays), 3);
        // Suspended 10/06/2025-29/06/2025: 14 working days, a whole month.
        assert_eq!(not_counted(d(2025, 6, 10), d(2025, 6, 29), weekdays), 2);
        // A single working day is half a month; a weekend alone is nothing.
        assert_eq!(not_counted(d(2025, 6, 10), d(2025, 6, 10), weekdays), 1);
        assert_eq!(not_counted(d(2025, 6, 14), d(2025, 6, 15), weekdays), 0);
        // Exactly three calendar months.
        assert_eq!(not_counted(d(2025, 1, 15), d(2025, 4, 14), weekdays), 6);
        // An end before the start counts nothing.
        assert_eq!(not_counted(d(2025, 6, 10), d(2025, 6, 1), weekdays), 0);
    }

    #[test]
    fn the_regular_raise_waits_for_the_time_that_does_not_count() {
        // Chuyên viên on step 3 since 01/01/2024: due 01/01/2027; with 1.5 months of unpaid leave,
        // 01/02/2027 + 15 days = 16/02/2027.
        let a1 = national_table()
            .into_iter()
            .find(|s| s.group == g("A1"))
            .expect("A1");
        assert_eq!(
            next_raise_date_delayed(&g("A1"), 3, a1.top_step(), d(2024, 1, 1), 3),
            Some(d(2027, 2, 16))
        );
        assert_eq!(add_half_months(d(2027, 1, 31), 3), d(2027, 3, 15));
    }

    #[test]
    fn an_early_raise_for_achievement_follows_the_rules() {
        // Step 3 of 01.003 since 01/01/2024, regular raise 01/01/2027.
        let held = HeldStep {
            grade_code: "01.003".into(),
            step: 3,
            regular_raise: Some(d(2027, 1, 1)),
            reached_early: false,
        };
        let fault = |step, on, disciplines: &[Date]| {
            early_raise_fault(&held, "01.003", step, on, disciplines)
        };
        assert_eq!(fault(4, d(2026, 1, 1), &[]), None, "12 months early");
        assert_eq!(fault(4, d(2026, 7, 1), &[]), None, "6 months early");
        assert_eq!(
            fault(4, d(2025, 12, 31), &[]),
            Some(EarlyRaiseFault::TooEarly {
                regular: d(2027, 1, 1)
            })
        );
        assert_eq!(
            fault(4, d(2027, 1, 1), &[]),
            Some(EarlyRaiseFault::NotEarly {
                regular: d(2027, 1, 1)
            })
        );
        assert_eq!(
            fault(5, d(2026, 7, 1), &[]),
            Some(EarlyRaiseFault::NotTheNextStep)
        );
        assert_eq!(
            early_raise_fault(&held, "01.002", 4, d(2026, 7, 1), &[]),
            Some(EarlyRaiseFault::NotTheNextStep)
        );
        assert_eq!(
            fault(4, d(2026, 7, 1), &[d(2025, 9, 1)]),
            Some(EarlyRaiseFault::Disciplined)
        );
        assert_eq!(
            fault(4, d(2026, 7, 1), &[d(2025, 6, 30)]),
            None,
            "a discipline more than a year before"
        );
        let again = HeldStep {
            reached_early: true,
            ..held.clone()
        };
        assert_eq!(
            early_raise_fault(&again, "01.003", 4, d(2026, 7, 1), &[]),
            Some(EarlyRaiseFault::TwiceInARow)
        );
        let top = HeldStep {
            regular_raise: None,
            ..held
        };
        assert_eq!(
            early_raise_fault(&top, "01.003", 4, d(2026, 7, 1), &[]),
            Some(EarlyRaiseFault::NotTheNextStep)
        );
    }

    #[test]
    fn the_yearly_share_of_early_raises_is_fifteen_percent_rounded_down() {
        assert_eq!(early_raise_share(6), 0);
        assert_eq!(early_raise_share(7), 1);
        assert_eq!(early_raise_share(20), 3);
        assert_eq!(early_raise_share(100), 15);
    }
}
