//! Suspected duplicate beneficiaries (issue 12, item 2): the same citizen ID, or the same name
//! (diacritics and case aside) born the same day in the same commune. A suspicion blocks
//! enrolment until an authorised user says "not a duplicate" or merges the two.

use time::Date;
use tinhso_platform::vn::fold;

/// What duplicates are found by, of one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity<'a> {
    pub id: &'a str,
    pub citizen_id: &'a str,
    pub full_name: &'a str,
    pub birth_date: Option<Date>,
    pub commune_id: &'a str,
}

/// Why two people are suspected to be one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    SameCitizenId,
    SameNameBirthCommune,
}

/// The reason `a` and `b` look like one person, if they do.
pub fn suspected(a: &Identity<'_>, b: &Identity<'_>) -> Option<Reason> {
    if a.id == b.id {
        return None;
    }
    if !a.citizen_id.is_empty() && a.citizen_id == b.citizen_id {
        return Some(Reason::SameCitizenId);
    }
    let same_person = fold(a.full_name) == fold(b.full_name)
        && a.birth_date.is_some()
        && a.birth_date == b.birth_date
        && !a.commune_id.is_empty()
        && a.commune_id == b.commune_id;
    same_person.then_some(Reason::SameNameBirthCommune)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Month;

    fn person<'a>(id: &'a str, cccd: &'a str, name: &'a str, commune: &'a str) -> Identity<'a> {
        Identity {
            id,
            citizen_id: cccd,
            full_name: name,
            birth_date: Date::from_calendar_date(1950, Month::March, 2).ok(),
            commune_id: commune,
        }
    }

    #[test]
    fn the_same_citizen_id_or_the_same_folded_name_birth_and_commune() {
        let a = person("1", "051050001234", "Nguyễn Thị Lành", "xa-tinh-an");
        assert_eq!(
            suspected(
                &a,
                &person("2", "051050001234", "Nguyễn Thị Lan", "xa-khac")
            ),
            Some(Reason::SameCitizenId)
        );
        assert_eq!(
            suspected(&a, &person("3", "", "nguyen thi  lanh", "xa-tinh-an")),
            Some(Reason::SameNameBirthCommune),
            "typed without diacritics"
        );
        assert_eq!(
            suspected(&a, &person("4", "", "Nguyễn Thị Lành", "xa-khac")),
            None,
            "another commune"
        );
        assert_eq!(suspected(&a, &a), None, "oneself");
        let unborn = Identity {
            birth_date: None,
            ..person("5", "", "Nguyễn Thị Lành", "xa-tinh-an")
        };
        assert_eq!(
            suspected(
                &unborn,
                &Identity {
                    id: "6",
                    ..unborn.clone()
                }
            ),
            None
        );
    }
}
