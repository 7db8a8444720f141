//! The periods a policy is paid for and an enrolment's line for one (issue 12, items 4 and 7):
//! a month for monthly and one-off policies, a term of the school year for per-term ones (the
//! first term September to December, the second January to May: the nine months of study of
//! NĐ 81/2021), a calendar year for yearly ones. A report of a year counts every policy over
//! the year's months by its own frequency.

use super::entitlements::{Enrolment, YearMonth, monthly_lines};
use super::parameters::ParameterValue;
use super::policies::Frequency;
use super::rules::{BenefitRule, RuleFault};
use time::Month;

/// A period of payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Month(YearMonth),
    /// A term of the school year beginning in September of `year`: the first (September to
    /// December) or the second (January to May of the next year).
    Term {
        year: i32,
        second: bool,
    },
    Year(i32),
}

fn month_of(year: i32, month: Month) -> YearMonth {
    YearMonth { year, month }
}

impl Period {
    /// `2026-11`, `2026-2027/HK1` or `2026`.
    pub fn code(self) -> String {
        match self {
            Self::Month(m) => m.code(),
            Self::Term { year, second } => {
                format!("{year}-{}/HK{}", year + 1, if second { 2 } else { 1 })
            }
            Self::Year(year) => format!("{year:04}"),
        }
    }

    /// A period from its code, for years 2000-2100.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Some((years, term)) = text.split_once('/') {
            let (first, next) = years.split_once('-')?;
            let year: i32 = first.parse().ok()?;
            let second = match term {
                "HK1" => false,
                "HK2" => true,
                _ => return None,
            };
            return (first.len() == 4
                && next.parse::<i32>().ok() == Some(year + 1)
                && (2000..=2100).contains(&year))
            .then_some(Self::Term { year, second });
        }
        if text.len() == 4 {
            let year: i32 = text.parse().ok()?;
            return (2000..=2100).contains(&year).then_some(Self::Year(year));
        }
        YearMonth::parse(text).map(Self::Month)
    }

    /// The first and last months of the period.
    pub fn months(self) -> (YearMonth, YearMonth) {
        match self {
            Self::Month(m) => (m, m),
            Self::Term {
                year,
                second: false,
            } => (
                month_of(year, Month::September),
                month_of(year, Month::December),
            ),
            Self::Term { year, second: true } => (
                month_of(year + 1, Month::January),
                month_of(year + 1, Month::May),
            ),
            Self::Year(year) => (
                month_of(year, Month::January),
                month_of(year, Month::December),
            ),
        }
    }

    /// Whether a policy paid at `frequency` has its lists and entitlements by this period.
    pub fn fits(self, frequency: Frequency) -> bool {
        matches!(
            (self, frequency),
            (Self::Month(_), Frequency::Monthly | Frequency::OneOff)
                | (Self::Term { .. }, Frequency::PerTerm)
                | (Self::Year(_), Frequency::Yearly)
        )
    }

    /// How the period of a policy paid at `frequency` is written, for a message.
    pub fn form_for(frequency: Frequency) -> &'static str {
        match frequency {
            Frequency::Monthly | Frequency::OneOff => "tháng ghi dạng YYYY-MM, ví dụ 2026-11",
            Frequency::PerTerm => {
                "học kỳ ghi dạng năm học/HK1 hoặc HK2, ví dụ 2026-2027/HK1 (tháng 9 đến tháng 12)"
            }
            Frequency::Yearly => "năm ghi 4 chữ số, ví dụ 2026",
        }
    }

    /// The period in words: "tháng 11/2026", "học kỳ I năm học 2026-2027", "năm 2026".
    pub fn name(self) -> String {
        match self {
            Self::Month(m) => format!("tháng {:02}/{}", u8::from(m.month), m.year),
            Self::Term { year, second } => format!(
                "học kỳ {} năm học {year}-{}",
                if second { "II" } else { "I" },
                year + 1
            ),
            Self::Year(year) => format!("năm {year}"),
        }
    }
}

/// Whether `month` is a month of study (September to May).
pub fn school_month(month: YearMonth) -> bool {
    !matches!(month.month, Month::June | Month::July | Month::August)
}

/// One enrolment's line for a period: the figures of the last month counted and the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodLine {
    pub base: i64,
    pub coefficient: u32,
    pub quantity: u32,
    /// The months paid (monthly and per-term policies); a yearly or one-off payment counts 1.
    pub months: u32,
    pub amount: i64,
}

/// What `enrolment` is owed for `period` under a policy paid at `frequency`, or `None` when
/// nothing: a monthly policy each month paid; a per-term one each month of study paid (its
/// amount is a month's); a yearly one its amount once for each year with a month paid, on the
/// terms and parameters of the first; a one-off one its amount once, in the month it starts.
pub fn period_line(
    rule: &BenefitRule,
    frequency: Frequency,
    enrolment: &Enrolment,
    parameters: &[ParameterValue],
    period: Period,
) -> Result<Option<PeriodLine>, RuleFault> {
    let (first, last) = period.months();
    let mut lines = monthly_lines(rule, enrolment, parameters, first, last)?;
    match frequency {
        Frequency::Monthly => {}
        Frequency::PerTerm => lines.retain(|l| school_month(l.month)),
        Frequency::Yearly => lines.dedup_by_key(|l| l.month.year),
        Frequency::OneOff => lines.retain(|l| l.month == YearMonth::of(enrolment.start)),
    }
    let Some(shown) = lines.last() else {
        return Ok(None);
    };
    Ok(Some(PeriodLine {
        base: shown.base,
        coefficient: shown.coefficient,
        quantity: shown.quantity,
        months: u32::try_from(lines.len()).unwrap_or(u32::MAX),
        amount: lines.iter().map(|l| l.amount).sum(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::parameters::national_seed;
    use crate::domain::rules::{EnrolmentTerms, Rate};
    use time::Date;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).expect("month"), day).expect("date")
    }

    fn enrolled(start: Date, end: Option<Date>, terms: EnrolmentTerms) -> Enrolment {
        Enrolment {
            start,
            end,
            terms: vec![(start, terms)],
            suspensions: Vec::new(),
        }
    }

    #[test]
    fn periods_are_written_and_read_back_with_their_months() {
        for (code, period, first, last) in [
            (
                "2026-11",
                Period::Month(month_of(2026, Month::November)),
                (2026, Month::November),
                (2026, Month::November),
            ),
            (
                "2026-2027/HK1",
                Period::Term {
                    year: 2026,
                    second: false,
                },
                (2026, Month::September),
                (2026, Month::December),
            ),
            (
                "2026-2027/HK2",
                Period::Term {
                    year: 2026,
                    second: true,
                },
                (2027, Month::January),
                (2027, Month::May),
            ),
            (
                "2026",
                Period::Year(2026),
                (2026, Month::January),
                (2026, Month::December),
            ),
        ] {
            assert_eq!(Period::parse(code), Some(period), "{code}");
            assert_eq!(period.code(), code);
            assert_eq!(
                period.months(),
                (month_of(first.0, first.1), month_of(last.0, last.1))
            );
        }
        for bad in [
            "2026-2028/HK1",
            "2026-2027/HK3",
            "1999",
            "26",
            "2026-13",
            "2026-2027",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert!(Period::Year(2026).fits(Frequency::Yearly));
        assert!(!Period::Year(2026).fits(Frequency::Monthly));
        assert!(Period::Month(month_of(2026, Month::May)).fits(Frequency::OneOff));
        assert!(
            !Period::Term {
                year: 2026,
                second: false
            }
            .fits(Frequency::Yearly)
        );
    }

    #[test]
    fn study_costs_are_paid_for_the_months_of_study_in_each_term() {
        // Support for study costs, 150,000 đ a month of study (NĐ 81/2021 Điều 18), from
        // 15/10/2026: the first term pays October to December (3 x 150,000 = 450,000), the second
        // January to May (5 x 150,000 = 750,000); the year 2027 pays January to May and
        // September to December (9 x 150,000 = 1,350,000), never the summer.
        let rule = BenefitRule::FixedPerLevel {
            amounts: vec![("chi_phi_hoc_tap".into(), 150_000)],
        };
        let pupil = enrolled(
            d(2026, 10, 15),
            None,
            EnrolmentTerms {
                level: "chi_phi_hoc_tap".into(),
                ..Default::default()
            },
        );
        let owed = |period| {
            period_line(&rule, Frequency::PerTerm, &pupil, &[], period)
                .expect("line")
                .map(|l| (l.months, l.amount))
        };
        assert_eq!(
            owed(Period::Term {
                year: 2026,
                second: false
            }),
            Some((3, 450_000))
        );
        assert_eq!(
            owed(Period::Term {
                year: 2026,
                second: true
            }),
            Some((5, 750_000))
        );
        assert_eq!(owed(Period::Year(2027)), Some((9, 1_350_000)));
        assert_eq!(
            owed(Period::Term {
                year: 2025,
                second: true
            }),
            None,
            "before the decision"
        );
    }

    #[test]
    fn rice_land_support_is_paid_once_a_year_on_the_area() {
        // 1,500,000 đ a hectare of rice land a year (NĐ 112/2024): 2.4 ha from 01/03/2025 is
        // 3,600,000 for 2025 and for 2026; ended 30/06/2027, 2027 is still paid (its year counts
        // whole, as a month does), 2028 not.
        let rule = BenefitRule::RateTimesQuantity {
            rate: Rate::Fixed(1_500_000),
        };
        let household = enrolled(
            d(2025, 3, 1),
            Some(d(2027, 6, 30)),
            EnrolmentTerms {
                quantity: 2_400,
                ..Default::default()
            },
        );
        let owed = |year| {
            period_line(
                &rule,
                Frequency::Yearly,
                &household,
                &national_seed(),
                Period::Year(year),
            )
            .expect("line")
            .map(|l| (l.months, l.quantity, l.amount))
        };
        assert_eq!(owed(2025), Some((1, 2_400, 3_600_000)));
        assert_eq!(owed(2026), Some((1, 2_400, 3_600_000)));
        assert_eq!(owed(2027), Some((1, 2_400, 3_600_000)));
        assert_eq!(owed(2028), None);
    }

    #[test]
    fn a_one_off_support_is_paid_in_the_month_it_starts_only() {
        let rule = BenefitRule::FixedPerLevel {
            amounts: vec![("ngheo".into(), 500_000)],
        };
        let gift = enrolled(
            d(2027, 1, 20),
            None,
            EnrolmentTerms {
                level: "ngheo".into(),
                ..Default::default()
            },
        );
        let owed = |period| {
            period_line(&rule, Frequency::OneOff, &gift, &[], period)
                .expect("line")
                .map(|l| l.amount)
        };
        assert_eq!(
            owed(Period::Month(month_of(2027, Month::January))),
            Some(500_000)
        );
        assert_eq!(owed(Period::Month(month_of(2027, Month::February))), None);
        assert_eq!(owed(Period::Year(2027)), Some(500_000), "once in its year");
    }

    #[test]
    fn a_monthly_allowance_over_a_year_is_its_months() {
        // 1.0 from 15/03/2024 at 360,000 then 500,000 from July (NĐ 76/2024): 4 x 360,000 +
        // 6 x 500,000 = 4,440,000 over 10 months.
        let rule = BenefitRule::BaseTimesCoefficient {
            base: crate::domain::parameters::ParameterKind::SocialAssistanceBase,
        };
        let person = enrolled(
            d(2024, 3, 15),
            None,
            EnrolmentTerms {
                coefficient: 100,
                ..Default::default()
            },
        );
        let line = period_line(
            &rule,
            Frequency::Monthly,
            &person,
            &national_seed(),
            Period::Year(2024),
        )
        .expect("line")
        .expect("paid");
        assert_eq!(
            (line.months, line.amount, line.base),
            (10, 4_440_000, 500_000)
        );
    }
}
