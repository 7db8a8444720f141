//! The policies (chính sách an sinh xã hội) as data, in the four groups of QĐ 503/2022 Điều 7:
//! who may benefit, how the amount is computed, how often it is paid and which sector department
//! verifies the beneficiaries (Điều 16-18). The seed is the national set; a province adds its own.

use super::parameters::ParameterKind;
use super::rules::{BenefitRule, Rate};

/// The four groups of Điều 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// Chi sự nghiệp giáo dục và đào tạo.
    Education,
    /// Chi sự nghiệp y tế (thẻ BHYT).
    Health,
    /// Chi sự nghiệp đảm bảo xã hội.
    SocialAssurance,
    /// Chi sự nghiệp kinh tế.
    Economic,
}

impl Group {
    /// The group's name in Điều 7.
    pub fn name(self) -> &'static str {
        match self {
            Self::Education => "Chi sự nghiệp giáo dục và đào tạo",
            Self::Health => "Chi sự nghiệp y tế",
            Self::SocialAssurance => "Chi sự nghiệp đảm bảo xã hội",
            Self::Economic => "Chi sự nghiệp kinh tế",
        }
    }
}

/// Who a policy is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeneficiaryKind {
    Person,
    Household,
}

/// How often the amount is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    Monthly,
    PerTerm,
    Yearly,
    OneOff,
}

/// The sector department that verifies a policy's beneficiaries (Điều 16-18).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verifier {
    /// Sở Lao động - Thương binh và Xã hội (now Nội vụ / Y tế by field).
    Labour,
    /// Sở Giáo dục và Đào tạo.
    Education,
    /// The schools and service units of Điều 18, for their own pupils and students.
    School,
    /// The district Finance-Planning office (economic policies).
    Finance,
}

/// A policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub code: &'static str,
    pub name: &'static str,
    pub group: Group,
    pub basis: &'static str,
    pub beneficiary: BeneficiaryKind,
    pub rule: BenefitRule,
    pub frequency: Frequency,
    pub verifier: Verifier,
}

/// The national policies shipped with the platform (amounts a province sets, such as tuition
/// by school level and area, are added as data).
pub fn national_seed() -> Vec<Policy> {
    vec![
        Policy {
            code: "TCXH",
            name: "Trợ cấp xã hội hằng tháng",
            group: Group::SocialAssurance,
            basis: "NĐ 20/2021/NĐ-CP",
            beneficiary: BeneficiaryKind::Person,
            rule: BenefitRule::BaseTimesCoefficient {
                base: ParameterKind::SocialAssistanceBase,
            },
            frequency: Frequency::Monthly,
            verifier: Verifier::Labour,
        },
        Policy {
            code: "TIENDIEN",
            name: "Hỗ trợ tiền điện cho hộ nghèo, hộ chính sách xã hội",
            group: Group::SocialAssurance,
            basis: "QĐ 28/2014/QĐ-TTg",
            beneficiary: BeneficiaryKind::Household,
            rule: BenefitRule::RateTimesQuantity {
                rate: Rate::Parameter(ParameterKind::ElectricityTierOnePrice),
            },
            frequency: Frequency::Monthly,
            verifier: Verifier::Labour,
        },
        Policy {
            code: "BHYT",
            name: "Mua thẻ bảo hiểm y tế cho người thuộc hộ nghèo, người dân tộc thiểu số vùng \
                   đặc biệt khó khăn, trẻ em dưới 6 tuổi",
            group: Group::Health,
            basis: "NĐ 146/2018/NĐ-CP",
            beneficiary: BeneficiaryKind::Person,
            rule: BenefitRule::PercentOfParameter {
                parameter: ParameterKind::BaseSalary,
                basis_points: 450,
            },
            frequency: Frequency::Monthly,
            verifier: Verifier::Labour,
        },
        Policy {
            code: "HOCPHI",
            name: "Miễn, giảm học phí và hỗ trợ chi phí học tập",
            group: Group::Education,
            basis: "NĐ 81/2021/NĐ-CP",
            beneficiary: BeneficiaryKind::Person,
            rule: BenefitRule::FixedPerLevel {
                amounts: Vec::new(),
            },
            frequency: Frequency::PerTerm,
            verifier: Verifier::Education,
        },
        Policy {
            code: "DATLUA",
            name: "Hỗ trợ bảo vệ và phát triển đất trồng lúa",
            group: Group::Economic,
            basis: "NĐ 112/2024/NĐ-CP",
            beneficiary: BeneficiaryKind::Household,
            // 1,500,000 đ a hectare of specialised rice land a year (NĐ 112/2024); Finance
            // confirms the rate when the service ships.
            rule: BenefitRule::RateTimesQuantity {
                rate: Rate::Fixed(1_500_000),
            },
            frequency: Frequency::Yearly,
            verifier: Verifier::Finance,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_covers_the_four_groups_each_policy_once() {
        let seed = national_seed();
        for group in [
            Group::Education,
            Group::Health,
            Group::SocialAssurance,
            Group::Economic,
        ] {
            assert!(seed.iter().any(|p| p.group == group), "{group:?}");
        }
        let mut codes: Vec<&str> = seed.iter().map(|p| p.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), seed.len());
    }
}
