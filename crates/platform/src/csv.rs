//! CSV as people exchange it with spreadsheets, on the `csv` crate: RFC 4180 quoting, UTF-8 (a
//! leading BOM is skipped on read and written for Excel), comma or semicolon separators (Excel
//! in Vietnamese locales often writes `;`), and cells that cannot start a formula when opened
//! (CSV injection). The `csv` crate reads a stray or unclosed quote leniently; an upload with
//! one is refused here instead, naming its line, because a misplaced quote silently merges or
//! shifts cells.

/// A CSV parse failure with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CsvError {
    pub line: usize,
    pub message: String,
}

/// Parses `text` into rows of cells. The separator is `;` when the first line has more `;` than
/// `,` outside quotes, else `,`. Blank lines are skipped.
pub fn parse(text: &str) -> Result<Vec<Vec<String>>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let separator = guess_separator(text);
    check_quotes(text, separator)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator as u8)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| CsvError {
            line: e.position().map_or(0, |p| p.line() as usize),
            message: format!("không đọc được dòng: {e}"),
        })?;
        if record.len() == 1 && record[0].trim().is_empty() {
            continue;
        }
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(rows)
}

/// Refuses a quote inside an unquoted cell, text after a closing quote, and a quote left open.
fn check_quotes(text: &str, separator: char) -> Result<(), CsvError> {
    let (mut line, mut quoted, mut at_cell_start, mut closed) = (1, false, true, false);
    let mut chars = text.chars().peekable();
    let misplaced = |line| CsvError {
        line,
        message: "dấu ngoặc kép đặt sai vị trí".into(),
    };
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                }
                '"' => {
                    quoted = false;
                    closed = true;
                }
                '\n' => line += 1,
                _ => {}
            }
            continue;
        }
        match c {
            '"' if at_cell_start => quoted = true,
            '"' => return Err(misplaced(line)),
            c if c == separator || c == '\n' => {
                line += usize::from(c == '\n');
                at_cell_start = true;
                closed = false;
                continue;
            }
            '\r' => continue,
            _ if closed => return Err(misplaced(line)),
            _ => {}
        }
        at_cell_start = false;
    }
    if quoted {
        return Err(CsvError {
            line,
            message: "thiếu dấu ngoặc kép đóng".into(),
        });
    }
    Ok(())
}

fn guess_separator(text: &str) -> char {
    let first = text.lines().next().unwrap_or_default();
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for c in first.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { ';' } else { ',' }
}

/// The byte-order mark Excel needs to read UTF-8 CSV.
pub const BOM: &str = "\u{feff}";

/// One CSV line (with `\r\n`) of `cells`. Every cell is quoted, so a spreadsheet splits it the
/// same under a comma or a semicolon locale; a cell that a spreadsheet would run as a formula
/// gets a leading apostrophe.
pub fn row<S: AsRef<str>>(cells: &[S]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let defused = cells.iter().map(|cell| {
        let value = cell.as_ref();
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{value}")
        } else {
            value.to_string()
        }
    });
    // Writing to memory cannot fail.
    let _ = writer.write_record(defused);
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_cells_bom_and_semicolons_parse() {
        let text = "\u{feff}ten_dang_nhap;ho_ten\r\nnv.an;\"Nguyễn Văn \"\"An\"\"; Đội 1\"\r\n\r\nnv.binh;Trần Bình\n";
        let rows = parse(text).expect("parses");
        assert_eq!(
            rows,
            vec![
                vec!["ten_dang_nhap", "ho_ten"],
                vec!["nv.an", "Nguyễn Văn \"An\"; Đội 1"],
                vec!["nv.binh", "Trần Bình"],
            ]
        );
    }

    #[test]
    fn broken_quotes_name_the_line() {
        let err = parse("a,b\nx,\"open\n").expect_err("unterminated");
        assert_eq!(err.line, 3);
        assert_eq!(parse("a,b\nx,y\"z\n").expect_err("stray").line, 2);
        assert_eq!(
            parse("a,b\nc,d\n\"x\"y,z\n")
                .expect_err("after a closing quote")
                .line,
            3
        );
    }

    #[test]
    fn written_rows_round_trip_and_formulas_are_defused() {
        let line = row(&["Sở Y tế, tỉnh", "=SUM(A1:A9)", "a\"b", "plain"]);
        assert_eq!(
            line,
            "\"Sở Y tế, tỉnh\",\"'=SUM(A1:A9)\",\"a\"\"b\",\"plain\"\r\n"
        );
        let back = parse(&line).expect("parses");
        assert_eq!(
            back[0],
            vec!["Sở Y tế, tỉnh", "'=SUM(A1:A9)", "a\"b", "plain"]
        );
    }
}
