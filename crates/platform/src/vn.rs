//! Vietnamese helpers: diacritic-insensitive folding for search, name order, dates and money as
//! people write them, the national base salary, and a working-day calendar with configurable
//! public holidays.

use time::{Date, Duration, Weekday};

/// Folds Vietnamese text for search: lowercase, no tone marks or diacritics, `đ` -> `d`, single
/// spaces. "Nguyễn Văn Đức" -> "nguyen van duc". The text is decomposed first (NFD), so a name
/// typed with precomposed letters and one pasted in decomposed form (macOS, some Excel exports:
/// `e` + U+0302 + U+0303) fold alike.
pub fn fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    use unicode_normalization::char::is_combining_mark;
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.nfd() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if is_combining_mark(c) {
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        for lower in c.to_lowercase() {
            // `đ` is a letter of its own, not `d` with a mark: NFD leaves it whole.
            out.push(if lower == 'đ' { 'd' } else { lower });
        }
    }
    out
}

/// The letters in Vietnamese alphabetical order (with the Latin ones Vietnamese does not use
/// placed where a Vietnamese reader expects them): `ă` and `â` follow `a`, `đ` follows `d`...
const ALPHABET: &[&str] = &[
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
    "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
];

/// A key that sorts people's names as Vietnamese lists do (danh sách xếp theo tên): by the given
/// name (the last word) first, then the family and middle names, each in Vietnamese alphabetical
/// order (a < ă < â < b ..., d < đ), the tone marks deciding only between otherwise equal names
/// (ngang, huyền, hỏi, ngã, sắc, nặng). "Trần Văn An" < "Lê Thị Ánh" < "Nguyễn Văn Ân" <
/// "Phạm Minh Bình" < "Vũ Thị Dung" < "Lý Văn Đức".
pub fn name_sort_key(full_name: &str) -> String {
    let words: Vec<&str> = full_name.split_whitespace().collect();
    let Some((given, rest)) = words.split_last() else {
        // No name: first, and never empty (an empty key means "not computed yet").
        return "|".into();
    };
    let ordered: Vec<&str> = std::iter::once(*given)
        .chain(rest.iter().copied())
        .collect();
    let mut letters = String::new();
    let mut tones = String::new();
    for (i, word) in ordered.iter().enumerate() {
        if i > 0 {
            // Below every letter: "An" comes before "Anh".
            letters.push(' ');
        }
        collate_word(word, &mut letters, &mut tones);
    }
    letters.push('|');
    letters.push_str(&tones);
    letters
}

/// Appends the word's letters as two-character ranks to `letters` and its tones to `tones`.
fn collate_word(word: &str, letters: &mut String, tones: &mut String) {
    use unicode_normalization::UnicodeNormalization as _;
    let mut base: Option<char> = None;
    let mut modifier: Option<char> = None;
    let mut flush = |base: &mut Option<char>, modifier: &mut Option<char>| {
        if let Some(b) = base.take() {
            let letter: String = match (b, modifier.take()) {
                ('a', Some('\u{306}')) => "ă".into(),
                ('a' | 'e' | 'o', Some('\u{302}')) => format!("{b}\u{302}").nfc().collect(),
                ('o' | 'u', Some('\u{31B}')) => format!("{b}\u{31B}").nfc().collect(),
                (b, _) => b.to_string(),
            };
            match ALPHABET.iter().position(|l| *l == letter) {
                Some(rank) => letters.push_str(&format!("{:02}", rank + 10)),
                // Digits and other signs before the letters, as themselves.
                None => {
                    letters.push('0');
                    letters.push(b);
                }
            }
        }
    };
    for c in word.nfd().flat_map(char::to_lowercase) {
        match c {
            '\u{306}' | '\u{302}' | '\u{31B}' => modifier = Some(c),
            '\u{300}' => tones.push('1'),
            '\u{309}' => tones.push('2'),
            '\u{303}' => tones.push('3'),
            '\u{301}' => tones.push('4'),
            '\u{323}' => tones.push('5'),
            c if unicode_normalization::char::is_combining_mark(c) => {}
            c => {
                flush(&mut base, &mut modifier);
                base = Some(c);
                tones.push('0');
            }
        }
    }
    flush(&mut base, &mut modifier);
}

/// The base salary (mức lương cơ sở) of the decrees, national data every service that pays by it
/// seeds from: (from year, month, day), đồng a month, the decree. NĐ 38/2019 is kept so pay from
/// 07/2019 to 06/2023 can be computed.
pub const BASE_SALARIES: &[((i32, u8, u8), i64, &str)] = &[
    ((2019, 7, 1), 1_490_000, "NĐ 38/2019/NĐ-CP"),
    ((2023, 7, 1), 1_800_000, "NĐ 24/2023/NĐ-CP"),
    ((2024, 7, 1), 2_340_000, "NĐ 73/2024/NĐ-CP"),
];

/// A date typed in a spreadsheet cell: dd/mm/yyyy (or d/m/yyyy, with / - or .), or yyyy-mm-dd as
/// Excel dates read. The parts as written (year, month, day), not yet checked as a calendar day.
pub fn cell_date(text: &str) -> Option<(i32, i32, i32)> {
    let parts: Vec<&str> = text.split(['/', '-', '.']).map(str::trim).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (y, m, d) = if a.len() == 4 { (a, b, c) } else { (c, b, a) };
    Some((y.parse().ok()?, m.parse().ok()?, d.parse().ok()?))
}

/// A birth date cell, which old files often give as a year or a month only: "1965" is
/// 01/01/1965 and "08/1965" is 01/08/1965, as the retirement rules count them (NĐ 135/2020/NĐ-CP
/// Điều 6: an unknown day is the 1st of the month, an unknown month January); else as
/// [`cell_date`].
pub fn cell_birth_date(text: &str) -> Option<(i32, i32, i32)> {
    let parts: Vec<&str> = text.split(['/', '-', '.']).map(str::trim).collect();
    match parts.as_slice() {
        [y] if y.len() == 4 => Some((y.parse().ok()?, 1, 1)),
        [m, y] if y.len() == 4 => Some((y.parse().ok()?, m.parse().ok()?, 1)),
        [y, m] if y.len() == 4 => Some((y.parse().ok()?, m.parse().ok()?, 1)),
        _ => cell_date(text),
    }
}

/// A date as people write it in Vietnam: dd/mm/yyyy.
pub fn date(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
}

/// An amount of đồng with the Vietnamese thousands separator: 12345678 -> "12.345.678".
pub fn money(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if amount < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Working days: Monday to Friday, less configured holidays (Tết and compensatory days are
/// announced each year, so holidays are data).
#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    holidays: std::collections::BTreeSet<Date>,
}

impl WorkingCalendar {
    pub fn new(holidays: impl IntoIterator<Item = Date>) -> Self {
        Self {
            holidays: holidays.into_iter().collect(),
        }
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !self.holidays.contains(&d)
    }

    /// The date `n` working days after `start` (not counting `start`).
    pub fn add_working_days(&self, start: Date, n: u32) -> Date {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d += Duration::days(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days after `from` up to and including `to` (0 when `to` <= `from`).
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut d = from;
        let mut count = 0;
        while d < to {
            d += Duration::days(1);
            if self.is_working_day(d) {
                count += 1;
            }
        }
        count
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn spreadsheet_dates_are_read_as_people_type_them() {
        assert_eq!(super::cell_date("15/08/1965"), Some((1965, 8, 15)));
        assert_eq!(super::cell_date("1965-08-15"), Some((1965, 8, 15)));
        assert_eq!(super::cell_date("5.8.1965"), Some((1965, 8, 5)));
        assert_eq!(super::cell_date("08/1965"), None, "a date needs its day");
        assert_eq!(super::cell_birth_date("08/1965"), Some((1965, 8, 1)));
        assert_eq!(super::cell_birth_date("1965"), Some((1965, 1, 1)));
        assert_eq!(super::cell_birth_date("x"), None);
    }

    #[test]
    fn money_is_grouped_by_thousands_with_dots() {
        assert_eq!(super::money(0), "0");
        assert_eq!(super::money(999), "999");
        assert_eq!(super::money(1_000), "1.000");
        assert_eq!(super::money(2_340_000), "2.340.000");
        assert_eq!(super::money(-5_850_000), "-5.850.000");
        assert_eq!(super::money(i64::MIN), "-9.223.372.036.854.775.808");
    }

    use super::*;
    use time::macros::date;

    #[test]
    fn names_sort_by_given_name_in_vietnamese_alphabetical_order() {
        let mut names = vec![
            "Lý Văn Đức",
            "Vũ Thị Dung",
            "Nguyễn Văn Ân",
            "Phạm Minh Bình",
            "Lê Thị Ánh",
            "Trần Văn An",
            "Đỗ Thị Anh",
            "Bùi Văn An",
        ];
        names.sort_by_key(|n| name_sort_key(n));
        assert_eq!(
            names,
            vec![
                // An: by family name then (Bùi < Trần); then Anh, Ánh (tone), Ân (â after a).
                "Bùi Văn An",
                "Trần Văn An",
                "Đỗ Thị Anh",
                "Lê Thị Ánh",
                "Nguyễn Văn Ân",
                "Phạm Minh Bình",
                "Vũ Thị Dung",
                "Lý Văn Đức",
            ]
        );
        // Decomposed input (as some exports send it) sorts like precomposed.
        let decomposed: String = {
            use unicode_normalization::UnicodeNormalization as _;
            "Lý Văn Đức".nfd().collect()
        };
        assert_eq!(name_sort_key(&decomposed), name_sort_key("Lý Văn Đức"));
        assert_eq!(name_sort_key("  "), "|");
    }

    #[test]
    fn folds_vietnamese_names() {
        assert_eq!(fold("Nguyễn Văn Đức"), "nguyen van duc");
        assert_eq!(fold("  ĐẶNG   Thị Hồng  "), "dang thi hong");
        assert_eq!(fold("Sở Nội vụ"), "so noi vu");
        assert_eq!(fold("Ủy ban nhân dân"), "uy ban nhan dan");
    }

    #[test]
    fn decomposed_text_folds_like_precomposed() {
        // "Nguyễn Đức" as macOS and some spreadsheet exports write it: base letters followed by
        // combining marks (ê = e + U+0302, then the tone U+0303; ứ = u + U+031B + U+0301).
        let decomposed = "Nguye\u{0302}\u{0303}n \u{0110}u\u{031b}\u{0301}c";
        assert_ne!(decomposed, "Nguyễn Đức");
        assert_eq!(fold(decomposed), "nguyen duc");
        assert_eq!(fold(decomposed), fold("Nguyễn Đức"));
        assert_eq!(fold("Thu\u{0309}y"), "thuy", "a lone combining hook above");
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        // 2025-04-30 (Wed) and 2025-05-01 (Thu) are public holidays; 2025-05-02 was a swap day off.
        let cal = WorkingCalendar::new([
            date!(2025 - 04 - 30),
            date!(2025 - 05 - 01),
            date!(2025 - 05 - 02),
        ]);
        // From Tuesday 29 April, 5 working days: 5, 6, 7, 8, 9 May.
        assert_eq!(
            cal.add_working_days(date!(2025 - 04 - 29), 5),
            date!(2025 - 05 - 09)
        );
        assert_eq!(
            cal.working_days_between(date!(2025 - 04 - 29), date!(2025 - 05 - 09)),
            5
        );
        assert!(!cal.is_working_day(date!(2025 - 05 - 03)));
    }
}
