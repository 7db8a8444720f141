//! CSV as people exchange it with spreadsheets: RFC 4180 quoting, UTF-8 (a leading BOM is
//! skipped on read and written for Excel), comma or semicolon separators (Excel in Vietnamese
//! locales often writes `;`), and cells that cannot start a formula when opened (CSV injection).

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
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut cell_started_quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    cell.push(c);
                }
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if cell.is_empty() && !cell_started_quoted => {
                quoted = true;
                cell_started_quoted = true;
            }
            '"' => {
                return Err(CsvError {
                    line,
                    message: "dấu ngoặc kép đặt sai vị trí".into(),
                });
            }
            c if c == separator => {
                row.push(std::mem::take(&mut cell));
                cell_started_quoted = false;
            }
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut cell));
                cell_started_quoted = false;
                if !(row.len() == 1 && row[0].trim().is_empty()) {
                    rows.push(std::mem::take(&mut row));
                } else {
                    row.clear();
                }
                line += 1;
            }
            _ => cell.push(c),
        }
    }
    if quoted {
        return Err(CsvError {
            line,
            message: "thiếu dấu ngoặc kép đóng".into(),
        });
    }
    if !cell.is_empty() || !row.is_empty() || cell_started_quoted {
        row.push(cell);
        if !(row.len() == 1 && row[0].trim().is_empty()) {
            rows.push(row);
        }
    }
    Ok(rows)
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

/// One CSV line (with `\r\n`) of `cells`, quoted where needed; a cell that a spreadsheet would
/// run as a formula gets a leading apostrophe.
pub fn row<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let mut value = cell.as_ref().to_string();
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            value.insert(0, '\'');
        }
        if value.contains([',', '"', '\n', '\r', ';']) {
            out.push('"');
            out.push_str(&value.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&value);
        }
    }
    out.push_str("\r\n");
    out
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
    }

    #[test]
    fn written_rows_round_trip_and_formulas_are_defused() {
        let line = row(&["Sở Y tế, tỉnh", "=SUM(A1:A9)", "a\"b", "plain"]);
        assert_eq!(line, "\"Sở Y tế, tỉnh\",'=SUM(A1:A9),\"a\"\"b\",plain\r\n");
        let back = parse(&line).expect("parses");
        assert_eq!(back[0][0], "Sở Y tế, tỉnh");
        assert_eq!(back[0][1], "'=SUM(A1:A9)");
    }
}
