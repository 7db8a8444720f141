//! The benefit rules a policy is paid by (issue 12, item 1). A rule says what one enrolment is
//! entitled to for one payment unit (a month, a term, a year, once), from the enrolment's
//! category, quantity or level and the parameters in force. Amounts are whole đồng, rounded half
//! up once from exact integer arithmetic.

use super::parameters::ParameterKind;

/// The categories of monthly social allowance and their coefficients (NĐ 20/2021/NĐ-CP Điều 6,
/// on the categories of Điều 5), in hundredths. A province adds or corrects categories as data;
/// this is the seed.
pub const SOCIAL_ALLOWANCE_CATEGORIES: &[(&str, &str, u32)] = &[
    (
        "orphan_under_4",
        "Trẻ em dưới 16 tuổi không có nguồn nuôi dưỡng, dưới 4 tuổi",
        250,
    ),
    (
        "orphan_4_plus",
        "Trẻ em dưới 16 tuổi không có nguồn nuôi dưỡng, từ đủ 4 tuổi",
        150,
    ),
    (
        "student_16_22",
        "Người từ 16 đến 22 tuổi không có nguồn nuôi dưỡng đang đi học",
        150,
    ),
    (
        "elderly_poor_60_80",
        "Người cao tuổi hộ nghèo không có người phụng dưỡng, từ đủ 60 đến 80 tuổi",
        150,
    ),
    (
        "elderly_poor_80_plus",
        "Người cao tuổi hộ nghèo không có người phụng dưỡng, từ đủ 80 tuổi",
        200,
    ),
    (
        "elderly_80_no_pension",
        "Người từ đủ 80 tuổi không có lương hưu, trợ cấp bảo hiểm xã hội",
        100,
    ),
    (
        "disability_especially_severe",
        "Người khuyết tật đặc biệt nặng",
        200,
    ),
    (
        "disability_especially_severe_child_elderly",
        "Trẻ em, người cao tuổi khuyết tật đặc biệt nặng",
        250,
    ),
    ("disability_severe", "Người khuyết tật nặng", 150),
    (
        "disability_severe_child_elderly",
        "Trẻ em, người cao tuổi khuyết tật nặng",
        200,
    ),
];

/// How a policy's amount is computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BenefitRule {
    /// A parameter (the social-assistance base level) x the category's coefficient (monthly
    /// social allowance).
    BaseTimesCoefficient { base: ParameterKind },
    /// A percentage of a parameter (the base salary), in hundredths of a percent: a health-
    /// insurance card is 4.5% (450) of the base salary a month.
    PercentOfParameter {
        parameter: ParameterKind,
        basis_points: u32,
    },
    /// A rate x the enrolment's quantity (thousandths, so 1.5 ha is 1500): a fixed rate in
    /// đồng (rice land per hectare) or a parameter (the electricity price x 30 kWh).
    RateTimesQuantity { rate: Rate },
    /// A fixed amount for each level (tuition exemption per school level and area, one-off
    /// support).
    FixedPerLevel { amounts: Vec<(String, i64)> },
}

/// The rate of a `RateTimesQuantity` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rate {
    Fixed(i64),
    Parameter(ParameterKind),
}

/// What one enrolment brings to the rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnrolmentTerms {
    /// Coefficient in hundredths (from the category).
    pub coefficient: u32,
    /// Quantity in thousandths (kWh, hectares, m²).
    pub quantity: u32,
    /// The level of a `FixedPerLevel` rule.
    pub level: String,
}

/// One payment unit's amount with the figures it came from, so a line explains itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount {
    /// The parameter or rate the amount is based on (đồng).
    pub base: i64,
    pub coefficient: u32,
    pub quantity: u32,
    pub amount: i64,
}

/// Why an amount cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleFault {
    /// The parameter has no value in force yet.
    NoParameter(ParameterKind),
    /// The enrolment's level is not one of the rule's.
    UnknownLevel(String),
}

fn rounded(numerator: i128, denominator: i128) -> i64 {
    i64::try_from((numerator + denominator / 2) / denominator).unwrap_or(i64::MAX)
}

/// The amount of one payment unit; `parameter` gives the value of a parameter for that unit.
pub fn amount(
    rule: &BenefitRule,
    terms: &EnrolmentTerms,
    parameter: impl Fn(ParameterKind) -> Option<i64>,
) -> Result<Amount, RuleFault> {
    let value = |kind| parameter(kind).ok_or(RuleFault::NoParameter(kind));
    Ok(match rule {
        BenefitRule::BaseTimesCoefficient { base } => {
            let base = value(*base)?;
            Amount {
                base,
                coefficient: terms.coefficient,
                quantity: 0,
                amount: rounded(i128::from(base) * i128::from(terms.coefficient), 100),
            }
        }
        BenefitRule::PercentOfParameter {
            parameter,
            basis_points,
        } => {
            let base = value(*parameter)?;
            Amount {
                base,
                coefficient: 0,
                quantity: 0,
                amount: rounded(i128::from(base) * i128::from(*basis_points), 10_000),
            }
        }
        BenefitRule::RateTimesQuantity { rate } => {
            let base = match rate {
                Rate::Fixed(v) => *v,
                Rate::Parameter(kind) => value(*kind)?,
            };
            Amount {
                base,
                coefficient: 0,
                quantity: terms.quantity,
                amount: rounded(i128::from(base) * i128::from(terms.quantity), 1000),
            }
        }
        BenefitRule::FixedPerLevel { amounts } => {
            let (_, fixed) = amounts
                .iter()
                .find(|(level, _)| *level == terms.level)
                .ok_or_else(|| RuleFault::UnknownLevel(terms.level.clone()))?;
            Amount {
                base: *fixed,
                coefficient: 0,
                quantity: 0,
                amount: *fixed,
            }
        }
    })
}

/// The largest quantity an enrolment may carry, in thousandths (1,000,000 kWh, ha or m²): a
/// larger figure is a typing error, not an entitlement.
pub const MAX_QUANTITY: i64 = 1_000_000_000;

/// Why an enrolment's terms do not fit its policy's rule, and the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermsFault {
    /// `category`: not a category of the social allowance.
    UnknownCategory(String),
    /// `coefficient`: not the coefficient of the category (the table decides it).
    CoefficientNotOfCategory { given: i64, of_category: u32 },
    /// `quantity`: missing (zero), negative or absurd for a rate-times-quantity rule.
    Quantity(i64),
    /// `level`: not one of the rule's levels.
    UnknownLevel(String),
}

impl TermsFault {
    /// The request field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            Self::UnknownCategory(_) => "category",
            Self::CoefficientNotOfCategory { .. } => "coefficient",
            Self::Quantity(_) => "quantity",
            Self::UnknownLevel(_) => "level",
        }
    }
}

/// The terms an enrolment in a policy paid by `rule` carries, checked: a social-allowance
/// enrolment names its category and takes the category's coefficient (a coefficient given must be
/// that one); a rate-times-quantity one has a quantity above zero and at most [`MAX_QUANTITY`];
/// a fixed-per-level one names one of the rule's levels. Terms a rule does not use are cleared.
pub fn check_terms(
    rule: &BenefitRule,
    category: &str,
    coefficient: i64,
    quantity: i64,
    level: &str,
) -> Result<(String, EnrolmentTerms), TermsFault> {
    match rule {
        BenefitRule::BaseTimesCoefficient { .. } => {
            let (code, _, of_category) = SOCIAL_ALLOWANCE_CATEGORIES
                .iter()
                .find(|(code, _, _)| *code == category)
                .ok_or_else(|| TermsFault::UnknownCategory(category.to_string()))?;
            if coefficient != 0 && coefficient != i64::from(*of_category) {
                return Err(TermsFault::CoefficientNotOfCategory {
                    given: coefficient,
                    of_category: *of_category,
                });
            }
            Ok((
                code.to_string(),
                EnrolmentTerms {
                    coefficient: *of_category,
                    ..Default::default()
                },
            ))
        }
        BenefitRule::PercentOfParameter { .. } => Ok((String::new(), EnrolmentTerms::default())),
        BenefitRule::RateTimesQuantity { .. } => match u32::try_from(quantity) {
            Ok(q) if q > 0 && quantity <= MAX_QUANTITY => Ok((
                String::new(),
                EnrolmentTerms {
                    quantity: q,
                    ..Default::default()
                },
            )),
            _ => Err(TermsFault::Quantity(quantity)),
        },
        BenefitRule::FixedPerLevel { amounts } => {
            if amounts.iter().any(|(l, _)| l == level) {
                Ok((
                    String::new(),
                    EnrolmentTerms {
                        level: level.to_string(),
                        ..Default::default()
                    },
                ))
            } else {
                Err(TermsFault::UnknownLevel(level.to_string()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(kind: ParameterKind) -> Option<i64> {
        match kind {
            ParameterKind::SocialAssistanceBase => Some(500_000),
            ParameterKind::BaseSalary => Some(2_340_000),
            ParameterKind::ElectricityTierOnePrice => Some(1_893),
        }
    }

    fn coefficient_of(code: &str) -> u32 {
        SOCIAL_ALLOWANCE_CATEGORIES
            .iter()
            .find(|(c, _, _)| *c == code)
            .map(|(_, _, k)| *k)
            .expect(code)
    }

    #[test]
    fn the_monthly_social_allowance_is_the_base_level_times_the_category_coefficient() {
        // NĐ 20/2021 Điều 6 on NĐ 76/2024's 500,000: an orphan under 4 (2.5) 1,250,000; a
        // person with an especially severe disability (2.0) 1,000,000; over 80 without a
        // pension (1.0) 500,000.
        let rule = BenefitRule::BaseTimesCoefficient {
            base: ParameterKind::SocialAssistanceBase,
        };
        let monthly = |category| {
            amount(
                &rule,
                &EnrolmentTerms {
                    coefficient: coefficient_of(category),
                    ..Default::default()
                },
                params,
            )
            .expect("amount")
            .amount
        };
        assert_eq!(monthly("orphan_under_4"), 1_250_000);
        assert_eq!(monthly("disability_especially_severe"), 1_000_000);
        assert_eq!(monthly("elderly_80_no_pension"), 500_000);
        assert_eq!(monthly("disability_severe_child_elderly"), 1_000_000);
    }

    #[test]
    fn a_health_insurance_card_is_four_and_a_half_percent_of_the_base_salary_a_month() {
        // 4.5% x 2,340,000 = 105,300 a month; 1,263,600 for twelve months.
        let card = amount(
            &BenefitRule::PercentOfParameter {
                parameter: ParameterKind::BaseSalary,
                basis_points: 450,
            },
            &EnrolmentTerms::default(),
            params,
        )
        .expect("amount");
        assert_eq!((card.base, card.amount), (2_340_000, 105_300));
        assert_eq!(card.amount * 12, 1_263_600);
    }

    #[test]
    fn rate_times_quantity_pays_electricity_and_land() {
        // 30 kWh x 1,893 đ = 56,790 a month (QĐ 28/2014/QĐ-TTg, tier-1 price from 11/10/2024).
        let electricity = amount(
            &BenefitRule::RateTimesQuantity {
                rate: Rate::Parameter(ParameterKind::ElectricityTierOnePrice),
            },
            &EnrolmentTerms {
                quantity: 30_000,
                ..Default::default()
            },
            params,
        )
        .expect("amount");
        assert_eq!(electricity.amount, 56_790);
        // Rice land: 1,000,000 đ a hectare for 0.35 ha = 350,000.
        let land = amount(
            &BenefitRule::RateTimesQuantity {
                rate: Rate::Fixed(1_000_000),
            },
            &EnrolmentTerms {
                quantity: 350,
                ..Default::default()
            },
            params,
        )
        .expect("amount");
        assert_eq!(
            (land.base, land.quantity, land.amount),
            (1_000_000, 350, 350_000)
        );
    }

    #[test]
    fn a_fixed_amount_per_level_and_the_faults() {
        let rule = BenefitRule::FixedPerLevel {
            amounts: vec![
                ("thcs_rural".into(), 80_000),
                ("thpt_rural".into(), 150_000),
            ],
        };
        let terms = |level: &str| EnrolmentTerms {
            level: level.into(),
            ..Default::default()
        };
        assert_eq!(
            amount(&rule, &terms("thpt_rural"), params).map(|a| a.amount),
            Ok(150_000)
        );
        assert_eq!(
            amount(&rule, &terms("university"), params),
            Err(RuleFault::UnknownLevel("university".into()))
        );
        assert_eq!(
            amount(
                &BenefitRule::BaseTimesCoefficient {
                    base: ParameterKind::SocialAssistanceBase
                },
                &terms(""),
                |_| None
            ),
            Err(RuleFault::NoParameter(ParameterKind::SocialAssistanceBase))
        );
    }

    #[test]
    fn terms_are_checked_against_the_rule_and_the_category_table() {
        let allowance = BenefitRule::BaseTimesCoefficient {
            base: ParameterKind::SocialAssistanceBase,
        };
        // The category decides the coefficient: 2.0 for an especially severe disability.
        let (category, terms) =
            check_terms(&allowance, "disability_especially_severe", 0, 0, "").expect("ok");
        assert_eq!(
            (category.as_str(), terms.coefficient),
            ("disability_especially_severe", 200)
        );
        assert_eq!(
            check_terms(&allowance, "disability_especially_severe", 350, 0, ""),
            Err(TermsFault::CoefficientNotOfCategory {
                given: 350,
                of_category: 200
            })
        );
        let unknown = check_terms(&allowance, "poor_household", 0, 0, "").expect_err("unknown");
        assert_eq!(unknown.field(), "category");
        let electricity = BenefitRule::RateTimesQuantity {
            rate: Rate::Parameter(ParameterKind::ElectricityTierOnePrice),
        };
        assert_eq!(
            check_terms(&electricity, "", 0, 30_000, "").map(|(_, t)| t.quantity),
            Ok(30_000)
        );
        for bad in [0, -5_000, MAX_QUANTITY + 1] {
            assert_eq!(
                check_terms(&electricity, "", 0, bad, ""),
                Err(TermsFault::Quantity(bad)),
                "{bad}"
            );
        }
        let tuition = BenefitRule::FixedPerLevel {
            amounts: vec![("primary".into(), 150_000)],
        };
        assert!(check_terms(&tuition, "", 0, 0, "primary").is_ok());
        assert_eq!(
            check_terms(&tuition, "", 0, 0, "university").map_err(|f| f.field()),
            Err("level")
        );
    }
}
