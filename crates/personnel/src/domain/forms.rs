//! The forms a record follows (mẫu hồ sơ) as item sets: a form version is an entry of catalogue
//! "form_version" whose attribute lists the record items it has, so a newer form (TT 06/2023/
//! TT-BNV's) is added as data. The record keeps every item; a form decides which are shown,
//! edited and printed.

/// Sơ yếu lý lịch cán bộ, công chức (QĐ 02/2008/QĐ-BNV).
pub const FORM_2C: &str = "2C-BNV/2008";
/// Sơ yếu lý lịch viên chức (TT 07/2019/TT-BNV).
pub const FORM_HS02_VC: &str = "HS02-VC/BNV";

/// The items both seeded forms have.
const COMMON_ITEMS: &[&str] = &[
    "form_version",
    "full_name",
    "other_names",
    "birth_date",
    "sex",
    "place_of_birth",
    "home_town",
    "ethnicity",
    "religion",
    "id_number",
    "id_issue_date",
    "social_insurance_number",
    "permanent_address",
    "current_address",
    "phone",
    "email",
    "occupation_when_recruited",
    "recruitment_date",
    "recruitment_decision_date",
    "recruiting_agency",
    "department",
    "position",
    "main_duties",
    "grade_date",
    "general_education",
    "degree",
    "degree_major",
    "political_theory",
    "state_management",
    "foreign_language",
    "foreign_language_name",
    "it_level",
    "ethnic_language",
    "party_admission_date",
    "party_official_date",
    "union_admission_date",
    "organisations",
    "military_enlistment_date",
    "military_discharge_date",
    "military_rank",
    "titles",
    "strengths",
    "health",
    "height_cm",
    "weight_kg",
    "blood_type",
    "war_invalid_rank",
    "policy_family",
    "family_economic_situation",
    "personal_history",
];

/// 2C-BNV's own items: 32, the agency's assessment.
const FORM_2C_ITEMS: &[&str] = &["agency_assessment"];
/// HS02-VC's own items: job position, contract type, professional title rank.
const FORM_HS02_VC_ITEMS: &[&str] = &["job_position", "contract_type", "professional_title_rank"];

/// Every item a form may list.
pub fn is_record_item(name: &str) -> bool {
    COMMON_ITEMS
        .iter()
        .chain(FORM_2C_ITEMS)
        .chain(FORM_HS02_VC_ITEMS)
        .any(|item| *item == name)
}

/// The items of a seeded form, as its catalogue attribute lists them.
pub fn seed_items(code: &str) -> String {
    let own = match code {
        FORM_2C => FORM_2C_ITEMS,
        FORM_HS02_VC => FORM_HS02_VC_ITEMS,
        _ => &[],
    };
    COMMON_ITEMS
        .iter()
        .chain(own)
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The names in a form's item list that are not record items.
pub fn unknown_items(attribute: &str) -> Vec<&str> {
    attribute
        .split_whitespace()
        .filter(|name| !is_record_item(name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_seeded_form_has_its_own_items_and_the_common_ones() {
        let c2 = seed_items(FORM_2C);
        let vc = seed_items(FORM_HS02_VC);
        assert!(c2.split(' ').any(|i| i == "agency_assessment"));
        assert!(!c2.split(' ').any(|i| i == "job_position"));
        assert!(vc.split(' ').any(|i| i == "professional_title_rank"));
        assert!(!vc.split(' ').any(|i| i == "agency_assessment"));
        for form in [&c2, &vc] {
            assert!(form.split(' ').any(|i| i == "full_name"));
            assert!(unknown_items(form).is_empty());
        }
        assert_eq!(unknown_items("full_name ho_ten"), vec!["ho_ten"]);
    }
}
