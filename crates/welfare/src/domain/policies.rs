//! The policies (chính sách an sinh xã hội) as data, in the four groups of QĐ 503/2022 Điều 7:
//! who may benefit, how the amount is computed, how often it is paid and which sector department
//! verifies the beneficiaries (Điều 16-18). The seed is the national set; a province adds its own.

use super::entitlements::{Enrolment, YearMonth};
use super::parameters::ParameterKind;
use super::rules::{BenefitRule, Rate};
use time::{Date, Month};

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

/// The stored code of a policy's parts, and back.
macro_rules! codes {
    ($t:ty { $($v:ident = $c:literal),* $(,)? }) => {
        impl $t {
            pub fn code(self) -> &'static str {
                match self { $(Self::$v => $c),* }
            }
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($c => Some(Self::$v),)* _ => None }
            }
        }
    };
}

codes!(Group { Education = "education", Health = "health", SocialAssurance = "social_assurance", Economic = "economic" });
codes!(BeneficiaryKind { Person = "person", Household = "household" });
codes!(Frequency { Monthly = "monthly", PerTerm = "per_term", Yearly = "yearly", OneOff = "one_off" });
codes!(Verifier { Labour = "labour", Education = "education", School = "school", Finance = "finance" });

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
    pub code: String,
    pub name: String,
    pub group: Group,
    pub basis: String,
    pub beneficiary: BeneficiaryKind,
    pub rule: BenefitRule,
    pub frequency: Frequency,
    pub verifier: Verifier,
    pub in_force: InForce,
}

impl Policy {
    /// Why an enrolment cannot start outside the policy's days.
    pub fn not_in_force(&self) -> String {
        format!(
            "chính sách \"{}\" có hiệu lực {}; ngày bắt đầu hưởng phải trong thời gian đó",
            self.code,
            self.in_force.text()
        )
    }
}

/// The days a policy is in force: from the day its legal basis takes effect to the last day
/// before it is repealed or replaced, if it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InForce {
    pub from: Date,
    pub to: Option<Date>,
}

impl InForce {
    /// In force from `from` with no end.
    pub fn from(year: i32, month: Month, day: u8) -> Self {
        Self {
            from: Date::from_calendar_date(year, month, day).unwrap_or(Date::MIN),
            to: None,
        }
    }

    /// The days in words: "từ 01/07/2021" or "từ 15/01/2027 đến 10/03/2027".
    pub fn text(&self) -> String {
        let from = tinhso_platform::vn::date(self.from);
        match self.to {
            Some(to) => format!("từ {from} đến {}", tinhso_platform::vn::date(to)),
            None => format!("từ {from}"),
        }
    }

    /// Whether `day` is one of the policy's days (an enrolment starts on one of them).
    pub fn contains(&self, day: Date) -> bool {
        self.from <= day && self.to.is_none_or(|to| day <= to)
    }

    /// Whether the policy is in force on some day of `month` (its months count whole, as an
    /// enrolment's own do).
    pub fn covers(&self, month: YearMonth) -> bool {
        YearMonth::of(self.from) <= month && self.to.is_none_or(|to| month <= YearMonth::of(to))
    }

    /// Whether the policy is in force in some month from `first` to `last`.
    pub fn overlaps(&self, first: YearMonth, last: YearMonth) -> bool {
        YearMonth::of(self.from) <= last && self.to.is_none_or(|to| first <= YearMonth::of(to))
    }

    /// Bounds `enrolment`'s payment by the policy's days: nothing is paid for a month in which
    /// the policy is not in force, whatever the enrolment's own dates.
    pub fn bound(&self, enrolment: &mut Enrolment) {
        enrolment.start = enrolment.start.max(self.from);
        if let Some(to) = self.to {
            enrolment.end = Some(enrolment.end.map_or(to, |end| end.min(to)));
        }
    }
}

/// The national policies shipped with the platform (amounts a province sets, such as tuition
/// by school level and area, are added as data).
pub fn national_seed() -> Vec<Policy> {
    vec![
        Policy {
            code: "TCXH".into(),
            name: "Trợ cấp xã hội hằng tháng".into(),
            group: Group::SocialAssurance,
            basis: "NĐ 20/2021/NĐ-CP".into(),
            beneficiary: BeneficiaryKind::Person,
            rule: BenefitRule::BaseTimesCoefficient {
                base: ParameterKind::SocialAssistanceBase,
            },
            frequency: Frequency::Monthly,
            verifier: Verifier::Labour,
            // NĐ 20/2021 Điều 45: in force from 01/07/2021.
            in_force: InForce::from(2021, Month::July, 1),
        },
        Policy {
            code: "TIENDIEN".into(),
            name: "Hỗ trợ tiền điện cho hộ nghèo, hộ chính sách xã hội".into(),
            group: Group::SocialAssurance,
            basis: "QĐ 28/2014/QĐ-TTg".into(),
            beneficiary: BeneficiaryKind::Household,
            rule: BenefitRule::RateTimesQuantity {
                rate: Rate::Parameter(ParameterKind::ElectricityTierOnePrice),
            },
            frequency: Frequency::Monthly,
            verifier: Verifier::Labour,
            // QĐ 28/2014/QĐ-TTg: in force from 01/06/2014.
            in_force: InForce::from(2014, Month::June, 1),
        },
        Policy {
            code: "BHYT".into(),
            name: "Mua thẻ bảo hiểm y tế cho người thuộc hộ nghèo, người dân tộc thiểu số vùng \
                   đặc biệt khó khăn, trẻ em dưới 6 tuổi"
                .into(),
            group: Group::Health,
            basis: "NĐ 146/2018/NĐ-CP".into(),
            beneficiary: BeneficiaryKind::Person,
            rule: BenefitRule::PercentOfParameter {
                parameter: ParameterKind::BaseSalary,
                basis_points: 450,
            },
            frequency: Frequency::Monthly,
            verifier: Verifier::Labour,
            // NĐ 146/2018: in force from 01/12/2018.
            in_force: InForce::from(2018, Month::December, 1),
        },
        Policy {
            code: "HOCPHI".into(),
            name: "Miễn, giảm học phí và hỗ trợ chi phí học tập".into(),
            group: Group::Education,
            basis: "NĐ 81/2021/NĐ-CP".into(),
            beneficiary: BeneficiaryKind::Person,
            rule: BenefitRule::FixedPerLevel {
                amounts: Vec::new(),
            },
            frequency: Frequency::PerTerm,
            verifier: Verifier::Education,
            // NĐ 81/2021: in force from 15/10/2021.
            in_force: InForce::from(2021, Month::October, 15),
        },
        Policy {
            code: "DATLUA".into(),
            name: "Hỗ trợ bảo vệ và phát triển đất trồng lúa".into(),
            group: Group::Economic,
            basis: "NĐ 112/2024/NĐ-CP".into(),
            beneficiary: BeneficiaryKind::Household,
            // 1,500,000 đ a hectare of specialised rice land a year (NĐ 112/2024); Finance
            // confirms the rate when the service ships.
            rule: BenefitRule::RateTimesQuantity {
                rate: Rate::Fixed(1_500_000),
            },
            frequency: Frequency::Yearly,
            verifier: Verifier::Finance,
            // NĐ 112/2024: in force from its signing, 11/09/2024 (Finance confirms with the
            // rate).
            in_force: InForce::from(2024, Month::September, 11),
        },
    ]
}

/// Why a policy cannot be kept as given, and the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFault {
    pub field: &'static str,
    pub message: &'static str,
}

/// Checks a policy a province adds or changes: a code of 2 to 16 capital letters, digits, `_`
/// or `-`; a name; its rule's figures (a percentage above 0 and at most 100%, a rate above 0,
/// levels with distinct codes and amounts above 0).
pub fn check(p: &Policy) -> Result<(), PolicyFault> {
    let fault = |field, message| Err(PolicyFault { field, message });
    let code_ok = (2..=16).contains(&p.code.len())
        && p.code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !code_ok {
        return fault(
            "code",
            "mã chính sách gồm 2 đến 16 chữ in hoa, chữ số, dấu _ hoặc -",
        );
    }
    if p.name.trim().is_empty() {
        return fault("name", "chưa nhập tên chính sách");
    }
    if p.in_force.to.is_some_and(|to| to < p.in_force.from) {
        return fault(
            "in_force_to",
            "ngày hết hiệu lực không được trước ngày có hiệu lực",
        );
    }
    match &p.rule {
        BenefitRule::PercentOfParameter { basis_points, .. }
            if *basis_points == 0 || *basis_points > 10_000 =>
        {
            fault("basis_points", "tỷ lệ phải lớn hơn 0 và không quá 100%")
        }
        BenefitRule::RateTimesQuantity {
            rate: Rate::Fixed(v),
        } if *v <= 0 => fault("fixed_rate", "định mức phải lớn hơn 0"),
        BenefitRule::FixedPerLevel { amounts } => {
            let mut seen = std::collections::HashSet::new();
            if amounts.is_empty()
                || amounts.iter().any(|(level, amount)| {
                    level.trim().is_empty() || *amount <= 0 || !seen.insert(level.clone())
                })
            {
                fault(
                    "levels",
                    "các mức phải có mã riêng, không trùng nhau, số tiền lớn hơn 0",
                )
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    }
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
        let mut codes: Vec<&str> = seed.iter().map(|p| p.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), seed.len());
    }

    #[test]
    fn a_provinces_policy_is_checked_before_it_is_kept() {
        let mut p = national_seed().remove(0);
        assert_eq!(check(&p), Ok(()));
        p.code = "tet".into();
        assert_eq!(check(&p).map_err(|f| f.field), Err("code"));
        p.code = "TET-2027".into();
        p.rule = BenefitRule::FixedPerLevel {
            amounts: vec![("ngheo".into(), 500_000), ("ngheo".into(), 300_000)],
        };
        assert_eq!(check(&p).map_err(|f| f.field), Err("levels"));
        p.rule = BenefitRule::FixedPerLevel {
            amounts: vec![("ngheo".into(), 500_000), ("can_ngheo".into(), 300_000)],
        };
        assert_eq!(check(&p), Ok(()));
        p.rule = BenefitRule::PercentOfParameter {
            parameter: crate::domain::parameters::ParameterKind::BaseSalary,
            basis_points: 12_000,
        };
        assert_eq!(check(&p).map_err(|f| f.field), Err("basis_points"));
        p.rule = BenefitRule::FixedPerLevel {
            amounts: vec![("ngheo".into(), 500_000)],
        };
        p.in_force = InForce {
            from: date(2027, Month::January, 1),
            to: Some(date(2026, Month::December, 31)),
        };
        assert_eq!(check(&p).map_err(|f| f.field), Err("in_force_to"));
    }

    fn date(year: i32, month: Month, day: u8) -> Date {
        Date::from_calendar_date(year, month, day).expect("a real date")
    }

    fn month(year: i32, month: Month) -> YearMonth {
        YearMonth { year, month }
    }

    #[test]
    fn a_policy_pays_only_the_months_it_is_in_force_each_counted_whole() {
        // A provincial Tết support in force from 15/01/2027 to 10/03/2027.
        let tet = InForce {
            from: date(2027, Month::January, 15),
            to: Some(date(2027, Month::March, 10)),
        };
        assert!(!tet.contains(date(2027, Month::January, 14)));
        assert!(tet.contains(date(2027, Month::January, 15)));
        assert!(tet.contains(date(2027, Month::March, 10)));
        assert!(!tet.contains(date(2027, Month::March, 11)));
        assert!(!tet.covers(month(2026, Month::December)));
        assert!(tet.covers(month(2027, Month::January)));
        assert!(tet.covers(month(2027, Month::March)));
        assert!(!tet.covers(month(2027, Month::April)));

        // An enrolment from 01/12/2026 with no end is paid January to March only; one ended
        // 20/02/2027 keeps its own end.
        let mut open = Enrolment {
            start: date(2026, Month::December, 1),
            end: None,
            terms: Vec::new(),
            suspensions: Vec::new(),
        };
        tet.bound(&mut open);
        assert_eq!(open.start, date(2027, Month::January, 15));
        assert_eq!(open.end, Some(date(2027, Month::March, 10)));
        let mut ended = Enrolment {
            start: date(2027, Month::February, 1),
            end: Some(date(2027, Month::February, 20)),
            terms: Vec::new(),
            suspensions: Vec::new(),
        };
        tet.bound(&mut ended);
        assert_eq!(ended.start, date(2027, Month::February, 1));
        assert_eq!(ended.end, Some(date(2027, Month::February, 20)));

        // The national social allowance (NĐ 20/2021) has no end: an enrolment keeps its dates.
        let allowance = national_seed().remove(0).in_force;
        assert_eq!(allowance.from, date(2021, Month::July, 1));
        assert!(!allowance.contains(date(2021, Month::June, 30)));
        let mut kept = ended.clone();
        allowance.bound(&mut kept);
        assert_eq!(kept, ended);
    }
}
