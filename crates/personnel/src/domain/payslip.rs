//! One month's payslip of a cadre, civil servant or public employee: what is paid (salary,
//! allowances) and what is deducted (the employee's compulsory insurance contributions), from
//! the coefficients and percentages on the record and the base salary of the month.
//!
//! - Coefficient allowances (leadership position, responsibility, regional, hazard) are
//!   coefficient x base salary (NĐ 204/2004, Điều 6).
//! - Percentage allowances (occupational preference, occupational seniority, the 10% concurrent
//!   post) and the 25% public-service allowance are a percentage of the "current salary plus the
//!   leadership allowance plus the seniority allowance beyond the top step"
//!   (NĐ 204/2004 Điều 6; NĐ 34/2012/NĐ-CP Điều 3 for the public-service allowance, which cadres
//!   and civil servants receive, public employees of service units do not).
//! - Insurance is paid on the salary of the grade and step plus the leadership, seniority beyond
//!   the top step and occupational seniority allowances (Luật BHXH 2014 Điều 89.1, Luật BHXH 2024
//!   Điều 31), capped at 20 base salaries: social insurance 8% (Điều 85), health insurance 1.5%
//!   (a third of 4.5%, NĐ 146/2018 Điều 18), unemployment insurance 1% for those on a working or
//!   labour contract (Luật Việc làm 2013 Điều 43 and 57: public employees and contract workers,
//!   not cadres or civil servants).
//! - A trade-union member pays union dues of 1% of the salary insurance is paid on, at most 10% of
//!   the base salary (Điều lệ Công đoàn Việt Nam; QĐ 1910/QĐ-TLĐ 2016 Điều 23).
//!
//! Every amount is rounded to the nearest đồng once, from exact integer arithmetic.

/// How an allowance kind is computed (the attribute of catalogue "allowance_type").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowanceBasis {
    /// The leadership position allowance: a coefficient, and part of the base of the seniority
    /// allowance, of the percentage allowances and of insurance.
    Position,
    /// A coefficient x base salary.
    Coefficient,
    /// A percentage of salary + position allowance + seniority beyond the top step.
    Percent,
    /// As `Percent`, and insurance is paid on it (occupational seniority, thâm niên nghề).
    PercentInsured,
}

impl AllowanceBasis {
    /// The basis named by a catalogue attribute; `other` is the older name of `coefficient`.
    pub fn from_attribute(attribute: &str) -> Self {
        match attribute {
            "position" => Self::Position,
            "percent" => Self::Percent,
            "percent_insured" => Self::PercentInsured,
            _ => Self::Coefficient,
        }
    }

    pub fn is_percent(self) -> bool {
        matches!(self, Self::Percent | Self::PercentInsured)
    }
}

/// Cadres and civil servants receive the public-service allowance (`kind` as stored:
/// `cadre`, `civil_servant`, `public_employee`, ...).
pub fn receives_public_service_allowance(kind: &str) -> bool {
    matches!(kind, "cadre" | "civil_servant")
}

/// Those on a working contract (public employees) or a labour contract pay unemployment
/// insurance; cadres and civil servants do not.
pub fn pays_unemployment_insurance(kind: &str) -> bool {
    matches!(kind, "public_employee" | "contract_worker")
}

/// The public-service allowance, percent (NĐ 34/2012/NĐ-CP).
pub const PUBLIC_SERVICE_PERCENT: i64 = 25;
/// Employee contributions, in hundredths of a percent: 8%, 1.5%, 1%.
pub const SOCIAL_INSURANCE_BP: i64 = 800;
pub const HEALTH_INSURANCE_BP: i64 = 150;
pub const UNEMPLOYMENT_INSURANCE_BP: i64 = 100;
/// Insurance is paid on at most this many base salaries.
pub const INSURANCE_CAP_BASE_SALARIES: i64 = 20;
/// Union dues, in hundredths of a percent of the insured salary (1%), and their cap in percent of
/// the base salary (10%).
pub const UNION_DUES_BP: i64 = 100;
pub const UNION_DUES_CAP_PERCENT_OF_BASE: i64 = 10;

/// What a month's payslip is computed from. Coefficients in hundredths, percentages whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayslipInput {
    pub coefficient: u32,
    pub position_allowance: u32,
    /// Other coefficient allowances, summed.
    pub coefficient_allowances: u32,
    /// Seniority beyond the top step, percent.
    pub seniority_percent: u32,
    /// Percentage allowances on which no insurance is paid, summed (e.g. ưu đãi nghề 30%).
    pub percent_allowances: u32,
    /// Percentage allowances on which insurance is paid, summed (thâm niên nghề).
    pub insured_percent_allowances: u32,
    /// Receives the public-service allowance (cadres and civil servants).
    pub public_service: bool,
    /// Pays unemployment insurance (public employees and contract workers).
    pub unemployment_insured: bool,
    /// A trade-union member in the month: pays union dues.
    pub union_member: bool,
}

/// A month's payslip, in đồng.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Payslip {
    /// Salary of the grade and step.
    pub salary: i64,
    pub position_allowance: i64,
    pub coefficient_allowances: i64,
    /// Seniority beyond the top step.
    pub seniority_allowance: i64,
    /// Every percentage allowance.
    pub percent_allowances: i64,
    pub public_service_allowance: i64,
    pub gross: i64,
    /// What insurance is paid on.
    pub insurance_base: i64,
    pub social_insurance: i64,
    pub health_insurance: i64,
    pub unemployment_insurance: i64,
    pub union_dues: i64,
    pub deductions: i64,
    pub net: i64,
}

/// `numerator / denominator` rounded half up (every value here is non-negative).
fn rounded(numerator: i128, denominator: i128) -> i64 {
    i64::try_from((numerator + denominator / 2) / denominator).unwrap_or(i64::MAX)
}

/// The payslip of a month with `base_vnd` as the base salary.
pub fn payslip(input: &PayslipInput, base_vnd: i64) -> Payslip {
    let base = i128::from(base_vnd);
    let coefficient = i128::from(input.coefficient);
    let position = i128::from(input.position_allowance);
    let seniority = i128::from(input.seniority_percent);
    // Salary + position + seniority beyond the top step, in 1/10,000 đồng: the base of every
    // percentage allowance.
    let core = (coefficient + position) * base * (100 + seniority);
    let percent_of_core = |percent: u32| rounded(core * i128::from(percent), 1_000_000);

    let salary = rounded(coefficient * base, 100);
    let position_allowance = rounded(position * base, 100);
    let coefficient_allowances = rounded(i128::from(input.coefficient_allowances) * base, 100);
    let seniority_allowance = rounded((coefficient + position) * base * seniority, 10_000);
    let insured_percent = percent_of_core(input.insured_percent_allowances);
    let percent_allowances = insured_percent + percent_of_core(input.percent_allowances);
    let public_service_allowance = if input.public_service {
        rounded(core * i128::from(PUBLIC_SERVICE_PERCENT), 1_000_000)
    } else {
        0
    };
    let gross = salary
        + position_allowance
        + coefficient_allowances
        + seniority_allowance
        + percent_allowances
        + public_service_allowance;

    let insurance_base = (salary + position_allowance + seniority_allowance + insured_percent)
        .min(INSURANCE_CAP_BASE_SALARIES * base_vnd);
    let share = |bp: i64| rounded(i128::from(insurance_base) * i128::from(bp), 10_000);
    let social_insurance = share(SOCIAL_INSURANCE_BP);
    let health_insurance = share(HEALTH_INSURANCE_BP);
    let unemployment_insurance = if input.unemployment_insured {
        share(UNEMPLOYMENT_INSURANCE_BP)
    } else {
        0
    };
    let union_dues = if input.union_member {
        share(UNION_DUES_BP).min(rounded(
            i128::from(base_vnd) * i128::from(UNION_DUES_CAP_PERCENT_OF_BASE),
            100,
        ))
    } else {
        0
    };
    let deductions = social_insurance + health_insurance + unemployment_insurance + union_dues;
    Payslip {
        salary,
        position_allowance,
        coefficient_allowances,
        seniority_allowance,
        percent_allowances,
        public_service_allowance,
        gross,
        insurance_base,
        social_insurance,
        health_insurance,
        unemployment_insurance,
        union_dues,
        deductions,
        net: gross - deductions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: i64 = 2_340_000;

    #[test]
    fn a_civil_servant_gets_the_public_service_allowance_and_pays_no_unemployment_insurance() {
        // Chuyên viên on 3.00: salary 3.00 x 2,340,000 = 7,020,000; public-service allowance
        // 25% x 7,020,000 = 1,755,000; gross 8,775,000. Insurance on 7,020,000: social 8% =
        // 561,600, health 1.5% = 105,300; net 8,775,000 - 666,900 = 8,108,100.
        let slip = payslip(
            &PayslipInput {
                coefficient: 300,
                public_service: true,
                ..Default::default()
            },
            BASE,
        );
        assert_eq!(slip.salary, 7_020_000);
        assert_eq!(slip.public_service_allowance, 1_755_000);
        assert_eq!(slip.gross, 8_775_000);
        assert_eq!(slip.insurance_base, 7_020_000);
        assert_eq!(slip.social_insurance, 561_600);
        assert_eq!(slip.health_insurance, 105_300);
        assert_eq!(slip.unemployment_insurance, 0);
        assert_eq!(slip.deductions, 666_900);
        assert_eq!(slip.net, 8_108_100);
    }

    #[test]
    fn a_teacher_gets_preference_and_occupational_seniority_as_percentages() {
        // A secondary-school teacher (viên chức, V.07.04.32) on 3.33 with a 30% preference
        // allowance and 12% occupational seniority.
        // Core = 3.33 x 2,340,000 = 7,792,200; preference 30% = 2,337,660; seniority 12% =
        // 935,064; gross 7,792,200 + 3,272,724 = 11,064,924. No public-service allowance.
        // Insurance on 7,792,200 + 935,064 = 8,727,264: 8% = 698,181.12 -> 698,181;
        // 1.5% = 130,908.96 -> 130,909; 1% = 87,272.64 -> 87,273.
        let slip = payslip(
            &PayslipInput {
                coefficient: 333,
                percent_allowances: 30,
                insured_percent_allowances: 12,
                unemployment_insured: true,
                ..Default::default()
            },
            BASE,
        );
        assert_eq!(slip.salary, 7_792_200);
        assert_eq!(slip.percent_allowances, 2_337_660 + 935_064);
        assert_eq!(slip.public_service_allowance, 0);
        assert_eq!(slip.gross, 11_064_924);
        assert_eq!(slip.insurance_base, 8_727_264);
        assert_eq!(slip.social_insurance, 698_181);
        assert_eq!(slip.health_insurance, 130_909);
        assert_eq!(slip.unemployment_insurance, 87_273);
        assert_eq!(slip.net, 11_064_924 - 698_181 - 130_909 - 87_273);
    }

    #[test]
    fn percentages_count_the_position_allowance_and_seniority_beyond_the_top_step() {
        // A head of division on 4.98 (top of A1) at 7% beyond the top step, position 0.50,
        // responsibility 0.20, concurrent post 10%:
        // salary 11,653,200; position 1,170,000; responsibility 468,000;
        // seniority 7% x 5.48 x 2,340,000 = 897,624; core = 12,823,200 + 897,624 = 13,720,824;
        // concurrent 10% = 1,372,082.4 -> 1,372,082; public service 25% = 3,430,206;
        // gross = 11,653,200 + 1,170,000 + 468,000 + 897,624 + 1,372,082 + 3,430,206.
        // Insurance on salary + position + seniority = 13,720,824 (the responsibility and
        // concurrent allowances are not insured): 8% = 1,097,665.92 -> 1,097,666.
        let slip = payslip(
            &PayslipInput {
                coefficient: 498,
                position_allowance: 50,
                coefficient_allowances: 20,
                seniority_percent: 7,
                percent_allowances: 10,
                public_service: true,
                ..Default::default()
            },
            BASE,
        );
        assert_eq!(slip.seniority_allowance, 897_624);
        assert_eq!(slip.percent_allowances, 1_372_082);
        assert_eq!(slip.public_service_allowance, 3_430_206);
        assert_eq!(
            slip.gross,
            11_653_200 + 1_170_000 + 468_000 + 897_624 + 1_372_082 + 3_430_206
        );
        assert_eq!(slip.insurance_base, 13_720_824);
        assert_eq!(slip.social_insurance, 1_097_666);
    }

    #[test]
    fn insurance_stops_at_twenty_base_salaries() {
        // 25.00 x base would be 58,500,000; insurance is paid on 20 x 2,340,000 = 46,800,000.
        let slip = payslip(
            &PayslipInput {
                coefficient: 2500,
                ..Default::default()
            },
            BASE,
        );
        assert_eq!(slip.insurance_base, 46_800_000);
        assert_eq!(slip.social_insurance, 3_744_000);
    }

    #[test]
    fn a_union_member_pays_one_percent_of_the_insured_salary() {
        // Chuyên viên on 3.00, union member: dues 1% x 7,020,000 = 70,200;
        // deductions 561,600 + 105,300 + 70,200 = 737,100; net 8,775,000 - 737,100 = 8,037,900.
        let slip = payslip(
            &PayslipInput {
                coefficient: 300,
                public_service: true,
                union_member: true,
                ..Default::default()
            },
            BASE,
        );
        assert_eq!(slip.union_dues, 70_200);
        assert_eq!(slip.deductions, 737_100);
        assert_eq!(slip.net, 8_037_900);
    }

    #[test]
    fn union_dues_stop_at_ten_percent_of_the_base_salary() {
        // On 10.00 the insured salary is 23,400,000 and 1% would be 234,000; the dues are at most
        // 10% x 2,340,000 = 234,000. On 12.00: 1% = 280,800, capped to 234,000.
        let dues = |coefficient| {
            payslip(
                &PayslipInput {
                    coefficient,
                    union_member: true,
                    ..Default::default()
                },
                BASE,
            )
            .union_dues
        };
        assert_eq!(dues(1000), 234_000);
        assert_eq!(dues(1200), 234_000);
        assert_eq!(dues(900), 210_600);
    }

    #[test]
    fn catalogue_attributes_name_the_basis() {
        assert_eq!(
            AllowanceBasis::from_attribute("position"),
            AllowanceBasis::Position
        );
        assert_eq!(
            AllowanceBasis::from_attribute("other"),
            AllowanceBasis::Coefficient
        );
        assert_eq!(
            AllowanceBasis::from_attribute("coefficient"),
            AllowanceBasis::Coefficient
        );
        assert!(AllowanceBasis::from_attribute("percent_insured").is_percent());
        assert!(!AllowanceBasis::from_attribute("position").is_percent());
    }
}
