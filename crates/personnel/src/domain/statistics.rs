//! The staff statistics of form BM02/BNV (TT 11/2012/TT-BNV, amended by TT 06/2019 and
//! TT 07/2019): per unit, the working staff counted by quota, sex, Party membership, ethnic
//! minority, religion, grade rank, professional degree, political theory, state management, IT,
//! foreign language and age band. Catalogue-driven columns (degrees, levels) follow the
//! catalogues, so a new entry gets its own column; age bands are parameters.

use crate::domain::grades::GradeGroup;

/// One column of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub key: String,
    pub title: String,
    /// The heading the column sits under, e.g. "Trình độ chuyên môn".
    pub group: String,
}

fn column(key: &str, title: &str, group: &str) -> Column {
    Column {
        key: key.into(),
        title: title.into(),
        group: group.into(),
    }
}

/// The age bands' upper bounds in force when the caller gives none.
pub const DEFAULT_AGE_BANDS: &[i32] = &[30, 40, 50, 60];

/// The titles of the age bands: "Đến 30", "31 - 40", ..., "Trên 60".
pub fn age_band_titles(bounds: &[i32]) -> Vec<String> {
    let mut titles = Vec::new();
    let mut lower = 0;
    for (i, upper) in bounds.iter().enumerate() {
        titles.push(if i == 0 {
            format!("Đến {upper}")
        } else {
            format!("{} - {upper}", lower + 1)
        });
        lower = *upper;
    }
    titles.push(format!("Trên {lower}"));
    titles
}

/// The index of the band `age` falls in.
pub fn age_band(bounds: &[i32], age: i32) -> usize {
    bounds
        .iter()
        .position(|b| age <= *b)
        .unwrap_or(bounds.len())
}

/// Age bands must rise and stay within a working life.
pub fn valid_age_bands(bounds: &[i32]) -> bool {
    bounds.len() <= 10
        && bounds.iter().all(|b| (16..=100).contains(b))
        && bounds.windows(2).all(|w| w[0] < w[1])
}

/// BM02's grade rank of a grade whose catalogue entry names none, by its salary group (tables 2
/// and 3 alike; service staff of table 4 count as nhân viên).
pub fn grade_rank(group: &GradeGroup) -> &'static str {
    if group.table() == crate::domain::grades::SalaryTable::PositionSalaries {
        // Paid by position, not on a grade: no rank column.
        return "";
    }
    match group.class() {
        Some("A3.1" | "A3.2") => "grade_a3",
        Some("A2.1" | "A2.2") => "grade_a2",
        Some("A1") => "grade_a1",
        Some("A0" | "B") => "grade_a0_b",
        _ => "grade_c",
    }
}

/// The catalogue-driven column groups: (catalogue, key prefix, heading).
pub const LEVEL_GROUPS: &[(&str, &str, &str)] = &[
    ("degree", "degree", "Trình độ chuyên môn"),
    ("political_theory", "political_theory", "Lý luận chính trị"),
    ("state_management", "state_management", "Quản lý nhà nước"),
];

/// The form's IT, foreign-language and ethnic-language columns (TT 07/2019/TT-BNV's BM02): IT by
/// intermediate level and up or certificate; English apart from other languages, each by
/// university degree and up or certificate (the level's report column); ethnic-language
/// certificates.
const SKILL_COLUMNS: &[(&str, &str, &str)] = &[
    ("it:intermediate", "Trung cấp trở lên", "Tin học"),
    ("it:certificate", "Chứng chỉ", "Tin học"),
    (
        "language:english_degree",
        "Tiếng Anh: Đại học trở lên",
        "Ngoại ngữ",
    ),
    (
        "language:english_certificate",
        "Tiếng Anh: Chứng chỉ",
        "Ngoại ngữ",
    ),
    (
        "language:other_degree",
        "Ngoại ngữ khác: Đại học trở lên",
        "Ngoại ngữ",
    ),
    (
        "language:other_certificate",
        "Ngoại ngữ khác: Chứng chỉ",
        "Ngoại ngữ",
    ),
    (
        "ethnic_language",
        "Chứng chỉ tiếng dân tộc",
        "Tiếng dân tộc",
    ),
];

/// The columns of the table in the order of the form (TT 07/2019/TT-BNV's BM02): the total
/// and its "of whom", the ranks, the levels of each `LEVEL_GROUPS` catalogue from the highest, IT,
/// languages, the age bands with the form's women 51-55 and men 56-60 after the band ending at
/// 60, those past the retirement age; then the staffing quota, which the form does not have.
/// `levels` holds, per entry of `LEVEL_GROUPS`, the catalogue's (code, name), highest first.
pub fn columns(levels: &[Vec<(String, String)>], age_bounds: &[i32]) -> Vec<Column> {
    let mut out = vec![
        column("total", "Tổng số có mặt", "Số lượng"),
        column("women", "Nữ", "Trong đó"),
        column("party", "Đảng viên", "Trong đó"),
        column("ethnic_minority", "Dân tộc thiểu số", "Trong đó"),
        column("religion", "Tôn giáo", "Trong đó"),
    ];
    // The civil-service ranks, then the ranks of public employees' professional titles.
    for (key, title) in crate::domain::catalogues::GRADE_REPORT_COLUMNS {
        let heading = if key.starts_with("title_rank") {
            "Hạng chức danh nghề nghiệp"
        } else {
            "Ngạch"
        };
        out.push(column(key, title, heading));
    }
    for ((_, prefix, heading), entries) in LEVEL_GROUPS.iter().zip(levels) {
        for (code, name) in entries {
            out.push(column(&format!("{prefix}:{code}"), name, heading));
        }
    }
    for (key, title, heading) in SKILL_COLUMNS {
        out.push(column(key, title, heading));
    }
    let titles = age_band_titles(age_bounds);
    // The form's own columns of the years before retirement, which differ by sex, follow the
    // band that ends at 60 (or the last band when none does).
    let split_after = age_bounds
        .iter()
        .position(|b| *b == 60)
        .unwrap_or(titles.len() - 1);
    for (i, title) in titles.into_iter().enumerate() {
        out.push(column(&format!("age:{i}"), &title, "Độ tuổi"));
        if i == split_after {
            out.push(column("age:women_51_55", "Nữ từ 51 đến 55", "Độ tuổi"));
            out.push(column("age:men_56_60", "Nam từ 56 đến 60", "Độ tuổi"));
        }
    }
    // Past the retirement age of their year (NĐ 135/2020).
    out.push(column(
        "over_retirement_age",
        "Trên tuổi nghỉ hưu",
        "Độ tuổi",
    ));
    out.push(column("quota", "Biên chế được giao", "Biên chế"));
    out
}

/// A level catalogue's entries (code, name, level) as the form lists them: the highest level
/// first; level 0 ("Chưa qua đào tạo") has no column.
pub fn highest_first(mut entries: Vec<(String, String, String)>) -> Vec<(String, String)> {
    let level = |attribute: &str| attribute.parse::<i32>().unwrap_or(0);
    entries.retain(|(_, _, attribute)| level(attribute) > 0);
    entries.sort_by_key(|(_, _, attribute)| std::cmp::Reverse(level(attribute)));
    entries
        .into_iter()
        .map(|(code, name, _)| (code, name))
        .collect()
}

/// What the table needs to know of one working employee.
#[derive(Debug, Clone, Default)]
pub struct Person<'a> {
    pub female: bool,
    pub party: bool,
    pub ethnic_minority: bool,
    pub religion: bool,
    /// The BM02 column of the person's grade (its catalogue entry's, else by salary group).
    pub grade_column: Option<&'a str>,
    /// (key prefix, code) for each level group the person has a code in.
    pub levels: Vec<(&'a str, &'a str)>,
    /// The report column of the person's IT level: "intermediate" or "certificate".
    pub it: Option<&'a str>,
    /// The person's foreign language: whether it is English (a record that does not name the
    /// language counts as another language), and its level's report column ("degree" or
    /// "certificate").
    pub language: Option<(bool, &'a str)>,
    pub ethnic_language: bool,
    pub age: Option<i32>,
    /// Past the normal retirement age on the report's date.
    pub over_retirement_age: bool,
}

/// The column keys `person` counts in (the quota column aside).
pub fn keys_of(person: &Person<'_>, age_bounds: &[i32]) -> Vec<String> {
    let mut keys = vec!["total".to_string()];
    for (flag, key) in [
        (person.female, "women"),
        (person.party, "party"),
        (person.ethnic_minority, "ethnic_minority"),
        (person.religion, "religion"),
    ] {
        if flag {
            keys.push(key.into());
        }
    }
    if let Some(column) = person.grade_column.filter(|c| !c.is_empty()) {
        keys.push(column.into());
    }
    for (prefix, code) in &person.levels {
        if !code.is_empty() {
            keys.push(format!("{prefix}:{code}"));
        }
    }
    if let Some(column) = person.it.filter(|c| !c.is_empty()) {
        keys.push(format!("it:{column}"));
    }
    if let Some((english, column)) = person.language.filter(|(_, c)| !c.is_empty()) {
        let which = if english { "english" } else { "other" };
        keys.push(format!("language:{which}_{column}"));
    }
    if person.ethnic_language {
        keys.push("ethnic_language".into());
    }
    if let Some(age) = person.age {
        keys.push(format!("age:{}", age_band(age_bounds, age)));
        match (person.female, age) {
            (true, 51..=55) => keys.push("age:women_51_55".into()),
            (false, 56..=60) => keys.push("age:men_56_60".into()),
            _ => {}
        }
    }
    if person.over_retirement_age {
        keys.push("over_retirement_age".into());
    }
    keys
}

/// Whole years from `birth` to `on`.
pub fn age_on(birth: time::Date, on: time::Date) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month() as u8, on.day()) < (birth.month() as u8, birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::{Date, Month};

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).expect("month"), day).expect("date")
    }

    #[test]
    fn age_bands_are_parameters() {
        assert_eq!(
            age_band_titles(DEFAULT_AGE_BANDS),
            vec!["Đến 30", "31 - 40", "41 - 50", "51 - 60", "Trên 60"]
        );
        assert_eq!(age_band(DEFAULT_AGE_BANDS, 30), 0);
        assert_eq!(age_band(DEFAULT_AGE_BANDS, 31), 1);
        assert_eq!(age_band(DEFAULT_AGE_BANDS, 60), 3);
        assert_eq!(age_band(DEFAULT_AGE_BANDS, 61), 4);
        assert_eq!(
            age_band_titles(&[35, 55]),
            vec!["Đến 35", "36 - 55", "Trên 55"]
        );
        assert!(valid_age_bands(&[35, 55]));
        assert!(!valid_age_bands(&[55, 35]), "bands rise");
        assert!(!valid_age_bands(&[0]), "within a working life");
    }

    #[test]
    fn ages_count_whole_years() {
        assert_eq!(age_on(d(1990, 11, 23), d(2026, 11, 22)), 35);
        assert_eq!(age_on(d(1990, 11, 23), d(2026, 11, 23)), 36);
        assert_eq!(age_on(d(2000, 2, 29), d(2026, 2, 28)), 25);
    }

    #[test]
    fn levels_are_listed_from_the_highest_and_the_form_orders_its_age_columns() {
        let entry = |code: &str, level: &str| (code.to_string(), code.to_uppercase(), level.into());
        let degrees = highest_first(vec![
            entry("none", "0"),
            entry("bachelor", "4"),
            entry("doctor", "6"),
            entry("master", "5"),
        ]);
        let codes: Vec<&str> = degrees.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(codes, vec!["doctor", "master", "bachelor"]);
        let keys: Vec<String> = columns(&[], DEFAULT_AGE_BANDS)
            .into_iter()
            .map(|c| c.key)
            .collect();
        let ages: Vec<&str> = keys
            .iter()
            .map(String::as_str)
            .filter(|k| k.starts_with("age") || *k == "over_retirement_age")
            .collect();
        assert_eq!(
            ages,
            vec![
                "age:0",
                "age:1",
                "age:2",
                "age:3",
                "age:women_51_55",
                "age:men_56_60",
                "age:4",
                "over_retirement_age"
            ]
        );
        assert_eq!(keys[0], "total");
        assert_eq!(keys.last().map(String::as_str), Some("quota"));
    }

    #[test]
    fn a_person_counts_in_each_matching_column() {
        let p = Person {
            female: true,
            party: true,
            ethnic_minority: true,
            religion: false,
            grade_column: Some("grade_a2"),
            levels: vec![("degree", "master"), ("political_theory", "")],
            it: Some("certificate"),
            language: Some((true, "certificate")),
            ethnic_language: true,
            age: Some(45),
            over_retirement_age: false,
        };
        assert_eq!(
            keys_of(&p, DEFAULT_AGE_BANDS),
            vec![
                "total",
                "women",
                "party",
                "ethnic_minority",
                "grade_a2",
                "degree:master",
                "it:certificate",
                "language:english_certificate",
                "ethnic_language",
                "age:2"
            ]
        );
        // BM02's own age columns: women 51-55, men 56-60, and past the retirement age.
        let aged = |female: bool, age: i32, over: bool| {
            keys_of(
                &Person {
                    female,
                    age: Some(age),
                    over_retirement_age: over,
                    ..Default::default()
                },
                DEFAULT_AGE_BANDS,
            )
        };
        assert!(aged(true, 53, false).contains(&"age:women_51_55".to_string()));
        assert!(!aged(false, 53, false).contains(&"age:women_51_55".to_string()));
        assert!(!aged(false, 53, false).contains(&"age:men_56_60".to_string()));
        assert!(aged(false, 60, false).contains(&"age:men_56_60".to_string()));
        assert!(aged(true, 58, true).contains(&"over_retirement_age".to_string()));
        let rank = |code: &str| grade_rank(&GradeGroup::from_code(code).expect(code));
        assert_eq!(rank("B"), "grade_a0_b");
        assert_eq!(rank("C3"), "grade_c");
        assert_eq!(rank("VC.A1"), "grade_a1");
        assert_eq!(rank("NV.1"), "grade_c");
    }

    #[test]
    fn columns_follow_the_catalogues() {
        let levels = vec![
            vec![("master".to_string(), "Thạc sĩ".to_string())],
            vec![],
            vec![],
            vec![],
            vec![],
        ];
        let cols = columns(&levels, &[40]);
        let keys: Vec<&str> = cols.iter().map(|c| c.key.as_str()).collect();
        assert!(keys.contains(&"degree:master"));
        assert_eq!(
            &keys[keys.len() - 6..],
            &[
                "age:0",
                "age:1",
                "age:women_51_55",
                "age:men_56_60",
                "over_retirement_age",
                "quota"
            ]
        );
        assert_eq!(cols[0].key, "total", "the form starts with the total");
    }
}
