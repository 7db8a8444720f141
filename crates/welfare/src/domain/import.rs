//! The row checks of the staged import of beneficiaries and enrolments (issue 12, item 8): every
//! row is checked — types, citizen ID, policy and category codes, dates in order, the commune —
//! and so are rows that repeat a person and policy inside the file; each problem names its row,
//! its column (the heading the clerk sees) and says what is wrong in Vietnamese. Nothing here
//! reads the file or the database: the caller streams rows in and gives what is known.

use std::collections::{HashMap, HashSet};
use time::{Date, Month};
use tinhso_platform::vn::{cell_birth_date, cell_date, fold};

/// The columns of the import template: (key, heading, required).
pub const COLUMNS: &[(&str, &str, bool)] = &[
    ("full_name", "Họ và tên", true),
    ("birth_date", "Ngày sinh", true),
    ("sex", "Giới tính", true),
    ("citizen_id", "Số CCCD", false),
    ("commune", "Mã xã", true),
    ("policy", "Mã chính sách", true),
    ("category", "Mã đối tượng", false),
    ("quantity", "Số lượng", false),
    ("decision_number", "Số quyết định", true),
    ("decision_date", "Ngày quyết định", true),
    ("start", "Hưởng từ ngày", true),
    ("end", "Đến ngày", false),
];

/// How to fill a template column, for the template's instructions sheet.
pub fn hint(key: &str) -> &'static str {
    match key {
        "full_name" => "Họ và tên khai sinh, ví dụ Nguyễn Văn An",
        "birth_date" => "dd/mm/yyyy; chỉ biết năm: yyyy",
        "sex" => "Nam hoặc Nữ",
        "citizen_id" => {
            "12 chữ số (CMND cũ: 9 số); người đã có trong hệ thống được nhận theo số này"
        }
        "commune" => "Mã đơn vị xã, phường như trong cây đơn vị",
        "policy" => "TCXH (trợ cấp xã hội), BHYT, HOCPHI, ...",
        "category" => "Mã nhóm đối tượng của trợ cấp xã hội, ví dụ elderly_80_no_pension",
        "quantity" => "Số lượng (kWh, ha) nếu chính sách tính theo số lượng, ví dụ 0,35",
        "decision_number" => "Số quyết định hưởng, ví dụ 45/QĐ-UBND",
        "decision_date" | "start" | "end" => "dd/mm/yyyy",
        _ => "",
    }
}

/// One problem of the file: the row (1 for the header) and column heading at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub row: usize,
    pub column: &'static str,
    pub message: String,
}

/// What the checks look codes up in.
#[derive(Debug, Default)]
pub struct Known {
    /// Policy code -> its category codes (empty when the policy has no categories).
    pub policies: HashMap<String, HashSet<String>>,
    /// The communes the importing unit may enter for.
    pub communes: HashSet<String>,
}

/// A row that passed its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub row: usize,
    pub full_name: String,
    pub birth_date: Date,
    pub female: bool,
    pub citizen_id: String,
    pub commune: String,
    pub policy: String,
    pub category: String,
    /// Thousandths (1.5 ha is 1500).
    pub quantity: u32,
    pub decision_number: String,
    pub decision_date: Date,
    pub start: Date,
    pub end: Option<Date>,
}

/// Where each template column is in the file's header; a missing column is a problem of row 1.
pub fn columns_of(header: &[String]) -> Result<HashMap<&'static str, usize>, Vec<Problem>> {
    let folded: Vec<String> = header.iter().map(|h| fold(h)).collect();
    let mut at = HashMap::new();
    let mut missing = Vec::new();
    for (key, heading, required) in COLUMNS {
        match folded.iter().position(|h| *h == fold(heading)) {
            Some(i) => {
                at.insert(*key, i);
            }
            None if *required => missing.push(Problem {
                row: 1,
                column: heading,
                message: format!("thiếu cột \"{heading}\" của mẫu"),
            }),
            None => {}
        }
    }
    if missing.is_empty() {
        Ok(at)
    } else {
        Err(missing)
    }
}

fn heading(key: &str) -> &'static str {
    COLUMNS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map_or("", |(_, h, _)| h)
}

fn calendar_day((y, m, d): (i32, i32, i32)) -> Option<Date> {
    let month = Month::try_from(u8::try_from(m).ok()?).ok()?;
    Date::from_calendar_date(y, month, u8::try_from(d).ok()?).ok()
}

/// Checks row `row` (its cells in header order, `at` from [`columns_of`]) on `today`.
pub fn check_row(
    row: usize,
    cells: &[String],
    at: &HashMap<&'static str, usize>,
    known: &Known,
    today: Date,
) -> Result<Row, Vec<Problem>> {
    let mut problems = Vec::new();
    let cell = |key: &str| -> &str {
        at.get(key)
            .and_then(|i| cells.get(*i))
            .map_or("", |c| c.trim())
    };
    let mut problem = |key: &str, message: String| {
        problems.push(Problem {
            row,
            column: heading(key),
            message,
        })
    };
    for (key, h, required) in COLUMNS {
        if *required && cell(key).is_empty() {
            problem(key, format!("chưa nhập \"{h}\""));
        }
    }
    let mut date = |key: &str, birth: bool| -> Option<Date> {
        let text = cell(key);
        if text.is_empty() {
            return None;
        }
        let parts = if birth {
            cell_birth_date(text)
        } else {
            cell_date(text)
        };
        match parts.map(calendar_day) {
            Some(Some(d)) if d > today && key != "end" => {
                problem(key, "ngày không được ở tương lai".into());
                None
            }
            Some(Some(d)) => Some(d),
            // Written as a date, but not a day of the calendar (31/02, month 13).
            Some(None) => {
                problem(
                    key,
                    format!("ngày \"{text}\" không có trên lịch: xem lại ngày và tháng"),
                );
                None
            }
            None => {
                problem(key, format!("\"{text}\" không phải ngày dạng dd/mm/yyyy"));
                None
            }
        }
    };
    let birth_date = date("birth_date", true);
    let decision_date = date("decision_date", false);
    let start = date("start", false);
    let end = date("end", false);
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        problem("end", "ngày kết thúc phải sau ngày bắt đầu hưởng".into());
    }
    if let (Some(b), Some(s)) = (birth_date, start)
        && s < b
    {
        problem("start", "ngày bắt đầu hưởng phải sau ngày sinh".into());
    }
    let female = match fold(cell("sex")).as_str() {
        "nu" => Some(true),
        "nam" => Some(false),
        "" => None,
        other => {
            problem("sex", format!("giới tính \"{other}\" phải là Nam hoặc Nữ"));
            None
        }
    };
    let citizen_id: String = cell("citizen_id")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if tinhso_platform::validate::citizen_id("citizen_id", &citizen_id).is_err() {
        problem(
            "citizen_id",
            "số CCCD gồm 12 chữ số, bắt đầu bằng mã tỉnh 001-096 (CMND cũ: 9 chữ số)".into(),
        );
    }
    let commune = cell("commune").to_string();
    if !commune.is_empty() && !known.communes.contains(&commune) {
        problem(
            "commune",
            format!("mã xã \"{commune}\" không thuộc đơn vị được nhập"),
        );
    }
    let policy = cell("policy").to_string();
    let category = cell("category").to_string();
    match known.policies.get(&policy) {
        None if !policy.is_empty() => {
            problem("policy", format!("không có chính sách mã \"{policy}\""))
        }
        Some(categories) if !categories.is_empty() && !categories.contains(&category) => problem(
            "category",
            format!("chính sách \"{policy}\" không có đối tượng mã \"{category}\""),
        ),
        _ => {}
    }
    let quantity = match cell("quantity").replace(',', ".") {
        t if t.is_empty() => Some(0),
        t => t
            .parse::<f64>()
            .ok()
            .filter(|q| q.is_finite() && *q >= 0.0 && *q <= 1_000_000.0)
            .map(|q| (q * 1000.0).round() as u32),
    };
    if quantity.is_none() {
        problem(
            "quantity",
            "số lượng phải là số không âm, tối đa 1.000.000".into(),
        );
    }
    match (birth_date, female, decision_date, start, quantity) {
        (Some(birth_date), Some(female), Some(decision_date), Some(start), Some(quantity))
            if problems.is_empty() =>
        {
            Ok(Row {
                row,
                full_name: cell("full_name").to_string(),
                birth_date,
                female,
                citizen_id,
                commune,
                policy,
                category,
                quantity,
                decision_number: cell("decision_number").to_string(),
                decision_date,
                start,
                end,
            })
        }
        _ => Err(problems),
    }
}

/// Who a row of the file is about: the citizen ID, or without one the folded name, birth date
/// and commune (the duplicate rule of Điều 9.2).
pub fn person_key(citizen_id: &str, folded_name: &str, birth_date: Date, commune: &str) -> String {
    if citizen_id.is_empty() {
        format!("{folded_name}|{birth_date}|{commune}")
    } else {
        citizen_id.to_string()
    }
}

/// Rows that repeat a person's enrolment in a policy inside the file (by citizen ID, or by the
/// folded name, birth date and commune): every repeat after the first is a problem naming it.
pub fn repeats_in_file(rows: &[Row]) -> Vec<Problem> {
    let mut first_of: HashMap<(String, String), usize> = HashMap::new();
    let mut problems = Vec::new();
    for r in rows {
        let person = person_key(&r.citizen_id, &fold(&r.full_name), r.birth_date, &r.commune);
        match first_of.get(&(person.clone(), r.policy.clone())) {
            Some(first) => problems.push(Problem {
                row: r.row,
                column: heading(if r.citizen_id.is_empty() {
                    "full_name"
                } else {
                    "citizen_id"
                }),
                message: format!(
                    "trùng với dòng {first}: cùng người, cùng chính sách \"{}\"",
                    r.policy
                ),
            }),
            None => {
                first_of.insert((person, r.policy.clone()), r.row);
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Vec<String> {
        COLUMNS.iter().map(|(_, h, _)| h.to_string()).collect()
    }

    fn known() -> Known {
        Known {
            policies: HashMap::from([
                (
                    "TCXH".to_string(),
                    HashSet::from([
                        "orphan_under_4".to_string(),
                        "disability_severe".to_string(),
                    ]),
                ),
                ("BHYT".to_string(), HashSet::new()),
            ]),
            communes: HashSet::from(["XTA".to_string()]),
        }
    }

    fn today() -> Date {
        Date::from_calendar_date(2026, Month::November, 30).expect("date")
    }

    fn cells(values: [&str; 12]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    const GOOD: [&str; 12] = [
        "Phạm Thị Lành",
        "02/03/1950",
        "Nữ",
        "051150001234",
        "XTA",
        "TCXH",
        "disability_severe",
        "",
        "12/QĐ-UBND",
        "15/03/2024",
        "15/03/2024",
        "",
    ];

    #[test]
    fn a_good_row_reads_into_its_values() {
        let at = columns_of(&header()).expect("columns");
        let row = check_row(2, &cells(GOOD), &at, &known(), today()).expect("good row");
        assert_eq!(row.full_name, "Phạm Thị Lành");
        assert!(row.female);
        assert_eq!(row.start.to_string(), "2024-03-15");
        // Headings are matched without diacritics or case, in any order.
        let mut shuffled: Vec<String> = header().into_iter().rev().collect();
        shuffled[0] = "den ngay".into();
        let at = columns_of(&shuffled).expect("columns");
        let reversed: Vec<String> = cells(GOOD).into_iter().rev().collect();
        assert!(check_row(2, &reversed, &at, &known(), today()).is_ok());
    }

    #[test]
    fn every_fault_of_a_row_is_named_at_its_column() {
        let at = columns_of(&header()).expect("columns");
        let mut bad = GOOD;
        bad[1] = "31/02/1950";
        bad[2] = "X";
        bad[3] = "12345";
        bad[4] = "XKHAC";
        bad[6] = "orphan_4_plus";
        bad[7] = "-3";
        bad[11] = "01/01/2024";
        let problems = check_row(5, &cells(bad), &at, &known(), today()).expect_err("bad row");
        let columns: Vec<&str> = problems.iter().map(|p| p.column).collect();
        assert_eq!(
            columns,
            vec![
                "Ngày sinh",
                "Đến ngày",
                "Giới tính",
                "Số CCCD",
                "Mã xã",
                "Mã đối tượng",
                "Số lượng"
            ],
            "{problems:?}"
        );
        assert!(problems.iter().all(|p| p.row == 5));
        assert!(
            problems[0].message.contains("không có trên lịch"),
            "{:?}",
            problems[0]
        );
        let mut unreadable = GOOD;
        unreadable[1] = "mùng 2 tháng 3";
        let problems =
            check_row(7, &cells(unreadable), &at, &known(), today()).expect_err("not a date");
        assert!(problems[0].message.contains("dd/mm/yyyy"), "{problems:?}");
        let mut empty = GOOD;
        empty[0] = "";
        empty[9] = "01/01/2030";
        let problems = check_row(6, &cells(empty), &at, &known(), today()).expect_err("bad");
        assert_eq!(problems[0].message, "chưa nhập \"Họ và tên\"");
        assert!(problems.iter().any(|p| p.message.contains("tương lai")));
    }

    #[test]
    fn a_missing_column_and_repeats_inside_the_file() {
        let mut short = header();
        short.retain(|h| h != "Mã chính sách");
        let missing = columns_of(&short).expect_err("missing column");
        assert_eq!(
            missing,
            vec![Problem {
                row: 1,
                column: "Mã chính sách",
                message: "thiếu cột \"Mã chính sách\" của mẫu".into()
            }]
        );
        let at = columns_of(&header()).expect("columns");
        let mut no_id = GOOD;
        no_id[3] = "";
        let rows: Vec<Row> = [(2, GOOD), (3, GOOD), (4, no_id), (5, no_id)]
            .into_iter()
            .map(|(n, c)| check_row(n, &cells(c), &at, &known(), today()).expect("row"))
            .collect();
        let repeats = repeats_in_file(&rows);
        assert_eq!(
            repeats
                .iter()
                .map(|p| (p.row, p.column))
                .collect::<Vec<_>>(),
            vec![(3, "Số CCCD"), (5, "Họ và tên")]
        );
        assert!(repeats[0].message.starts_with("trùng với dòng 2"));
    }
}
