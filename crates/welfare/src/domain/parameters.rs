//! The effective-dated parameters the benefit rules read (Finance keeps them; every value has its
//! decree and the day it takes effect). The seed is the national one; a change of parameter
//! never changes an approved period, because a period keeps the lines it was computed with.

use time::{Date, Month};

/// What a parameter measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParameterKind {
    /// Mức chuẩn trợ giúp xã hội, đồng a month.
    SocialAssistanceBase,
    /// Mức lương cơ sở, đồng a month.
    BaseSalary,
    /// The tier-1 retail electricity price, đồng per kWh (the support is 30 kWh of it a month).
    ElectricityTierOnePrice,
}

impl ParameterKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::SocialAssistanceBase => "social_assistance_base",
            Self::BaseSalary => "base_salary",
            Self::ElectricityTierOnePrice => "electricity_tier1_price",
        }
    }

    /// The name users read.
    pub fn name(self) -> &'static str {
        match self {
            Self::SocialAssistanceBase => "Mức chuẩn trợ giúp xã hội",
            Self::BaseSalary => "Mức lương cơ sở",
            Self::ElectricityTierOnePrice => "Giá bán lẻ điện sinh hoạt bậc 1 (đồng/kWh)",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::SocialAssistanceBase,
            Self::BaseSalary,
            Self::ElectricityTierOnePrice,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

/// One value of a parameter, from a day on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterValue {
    pub kind: ParameterKind,
    pub from: Date,
    pub value: i64,
    /// The legal text that set it, e.g. "NĐ 76/2024/NĐ-CP".
    pub basis: String,
}

fn day(year: i32, month: Month, day: u8) -> Date {
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MIN)
}

/// The national values shipped with the platform.
pub fn national_seed() -> Vec<ParameterValue> {
    use ParameterKind::*;
    let v = |kind, from, value, basis: &str| ParameterValue {
        kind,
        from,
        value,
        basis: basis.to_string(),
    };
    let base_salaries =
        tinhso_platform::vn::BASE_SALARIES
            .iter()
            .filter_map(|((year, month, d), vnd, basis)| {
                let month = Month::try_from(*month).ok()?;
                Some(v(BaseSalary, day(*year, month, *d), *vnd, basis))
            });
    let mut values = vec![
        v(
            SocialAssistanceBase,
            day(2021, Month::July, 1),
            360_000,
            "NĐ 20/2021/NĐ-CP",
        ),
        v(
            SocialAssistanceBase,
            day(2024, Month::July, 1),
            500_000,
            "NĐ 76/2024/NĐ-CP",
        ),
        v(
            ElectricityTierOnePrice,
            day(2023, Month::May, 4),
            1_806,
            "QĐ 1416/QĐ-BCT 2023",
        ),
        v(
            ElectricityTierOnePrice,
            day(2024, Month::October, 11),
            1_893,
            "QĐ 2699/QĐ-BCT 2024",
        ),
        v(
            ElectricityTierOnePrice,
            day(2025, Month::May, 10),
            1_984,
            "QĐ 1279/QĐ-BCT 2025",
        ),
    ];
    values.extend(base_salaries);
    values
}

/// The value of `kind` a month is paid with: the one in force on the month's first day (a value
/// that takes effect later in the month applies from the next month).
pub fn in_force(
    values: &[ParameterValue],
    kind: ParameterKind,
    year: i32,
    month: Month,
) -> Option<i64> {
    let first = Date::from_calendar_date(year, month, 1).ok()?;
    values
        .iter()
        .filter(|v| v.kind == kind && v.from <= first)
        .max_by_key(|v| v.from)
        .map(|v| v.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_of_a_month_is_the_one_in_force_on_its_first_day() {
        let seed = national_seed();
        let base = |y, m| in_force(&seed, ParameterKind::SocialAssistanceBase, y, m);
        assert_eq!(base(2024, Month::June), Some(360_000));
        assert_eq!(
            base(2024, Month::July),
            Some(500_000),
            "NĐ 76/2024 from 01/07/2024"
        );
        assert_eq!(base(2021, Month::June), None, "before NĐ 20/2021");
        let price = |y, m| in_force(&seed, ParameterKind::ElectricityTierOnePrice, y, m);
        assert_eq!(
            price(2024, Month::October),
            Some(1_806),
            "the new price began on the 11th"
        );
        assert_eq!(price(2024, Month::November), Some(1_893));
        assert_eq!(
            in_force(&seed, ParameterKind::BaseSalary, 2025, Month::January),
            Some(2_340_000)
        );
        assert_eq!(
            ParameterKind::from_code("base_salary"),
            Some(ParameterKind::BaseSalary)
        );
    }
}
