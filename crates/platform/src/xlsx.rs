//! Spreadsheets (.xlsx) for exports, statistics and imports: what provincial staff open in Excel
//! or LibreOffice. Written whole in memory (exports are bounded by the caller's scope) and sent as
//! a stream of file chunks; read from the first sheet as rows of text.

use tinhso_proto::common::v1::FileChunk;

pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Bytes per streamed chunk.
const CHUNK: usize = 256 * 1024;

/// One cell of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// Text indented by this many levels (a unit under its parent).
    Indented(String, u8),
    Int(i64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        if s.is_empty() {
            Self::Empty
        } else {
            Self::Text(s.to_string())
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Self::from(s.as_str())
    }
}

impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}

/// One sheet: an optional title line above a bold header row, then the rows.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    /// At most 31 characters (Excel's limit); longer names are cut.
    pub name: String,
    pub title: Option<String>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    #[error("không tạo được tệp Excel: {0}")]
    Write(#[from] rust_xlsxwriter::XlsxError),
    #[error("không đọc được tệp Excel (.xlsx): {0}")]
    Read(String),
}

/// The workbook of `sheets` as .xlsx bytes.
pub fn write(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    use rust_xlsxwriter::{Format, FormatBorder, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_border(FormatBorder::Thin);
    let title_format = Format::new().set_bold().set_font_size(13);
    for sheet in sheets {
        let ws = workbook.add_worksheet();
        let name: String = sheet.name.chars().take(31).collect();
        ws.set_name(&name)?;
        let mut row: u32 = 0;
        if let Some(title) = &sheet.title {
            ws.write_string_with_format(0, 0, title, &title_format)?;
            row = 2;
        }
        let mut widths: Vec<usize> = sheet.headers.iter().map(|h| h.chars().count()).collect();
        for (col, header) in (0_u16..).zip(&sheet.headers) {
            ws.write_string_with_format(row, col, header, &bold)?;
        }
        ws.set_freeze_panes(row + 1, 0)?;
        for cells in &sheet.rows {
            row += 1;
            for (col, cell) in (0_u16..).zip(cells) {
                let width = match cell {
                    Cell::Text(t) => {
                        ws.write_string(row, col, t)?;
                        t.chars().count()
                    }
                    Cell::Indented(t, level) => {
                        let indent = Format::new().set_indent(*level);
                        ws.write_string_with_format(row, col, t, &indent)?;
                        t.chars().count() + 2 * usize::from(*level)
                    }
                    Cell::Int(v) => {
                        // Whole numbers below 2^53 are exact in a spreadsheet's doubles.
                        #[allow(clippy::cast_precision_loss)]
                        ws.write_number(row, col, *v as f64)?;
                        v.to_string().len()
                    }
                    Cell::Empty => 0,
                };
                if let Some(w) = widths.get_mut(usize::from(col)) {
                    *w = (*w).max(width);
                }
            }
        }
        for (col, width) in (0_u16..).zip(widths) {
            #[allow(clippy::cast_precision_loss)]
            ws.set_column_width(col, (width.clamp(6, 60) + 2) as f64)?;
        }
    }
    Ok(workbook.save_to_buffer()?)
}

/// The bytes as the chunks of a streamed download, the name and type on the first.
pub fn chunks(filename: &str, content_type: &str, bytes: &[u8]) -> Vec<FileChunk> {
    let mut out: Vec<FileChunk> = bytes
        .chunks(CHUNK)
        .map(|c| FileChunk {
            data: c.to_vec(),
            ..Default::default()
        })
        .collect();
    if out.is_empty() {
        out.push(FileChunk::default());
    }
    out[0].filename = filename.into();
    out[0].content_type = content_type.into();
    out
}

/// The first sheet of an .xlsx file as rows of trimmed text. Dates typed as dates come back as
/// `YYYY-MM-DD`; whole numbers without a decimal point.
pub fn read_first_sheet(bytes: &[u8]) -> Result<Vec<Vec<String>>, XlsxError> {
    use calamine::{Data, Reader, Xlsx};
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| XlsxError::Read(e.to_string()))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| XlsxError::Read("tệp không có trang tính nào".into()))?
        .map_err(|e| XlsxError::Read(e.to_string()))?;
    Ok(range
        .rows()
        .map(|cells| {
            cells
                .iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    Data::String(s) => s.trim().to_string(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                        #[allow(clippy::cast_possible_truncation)]
                        let whole = *f as i64;
                        whole.to_string()
                    }
                    Data::DateTime(d) => excel_date(d.as_f64()),
                    other => other.to_string().trim().to_string(),
                })
                .collect()
        })
        .collect())
}

/// An Excel serial day (1900 system) as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> String {
    #[allow(clippy::cast_possible_truncation)]
    let days = serial.floor() as i64;
    let epoch =
        time::Date::from_calendar_date(1899, time::Month::December, 30).unwrap_or(time::Date::MIN);
    epoch
        .checked_add(time::Duration::days(days))
        .map(crate::api::date_string)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_workbook_reads_back_with_vietnamese_text_intact() {
        let sheet = Sheet {
            name: "Danh sách cán bộ".into(),
            title: Some("DANH SÁCH CÁN BỘ, CÔNG CHỨC".into()),
            headers: vec!["Họ và tên".into(), "Số năm".into(), "Ghi chú".into()],
            rows: vec![
                vec!["Nguyễn Thị Ánh Tuyết".into(), Cell::Int(12), Cell::Empty],
                vec!["Đặng Văn Ơn".into(), Cell::Int(3), "Dân tộc Khơ-me".into()],
            ],
        };
        let bytes = write(&[sheet]).expect("written");
        assert_eq!(&bytes[..2], b"PK", "an .xlsx is a zip");
        let rows = read_first_sheet(&bytes).expect("read");
        assert_eq!(rows[0][0], "DANH SÁCH CÁN BỘ, CÔNG CHỨC");
        assert_eq!(rows[2], vec!["Họ và tên", "Số năm", "Ghi chú"]);
        assert_eq!(rows[3], vec!["Nguyễn Thị Ánh Tuyết", "12", ""]);
        assert_eq!(rows[4], vec!["Đặng Văn Ơn", "3", "Dân tộc Khơ-me"]);
    }

    #[test]
    fn chunks_carry_the_name_first_and_every_byte_once() {
        let bytes = vec![7_u8; CHUNK * 2 + 10];
        let parts = chunks("a.xlsx", CONTENT_TYPE, &bytes);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].filename, "a.xlsx");
        assert!(parts[1].filename.is_empty());
        assert_eq!(
            parts.iter().map(|c| c.data.len()).sum::<usize>(),
            bytes.len()
        );
    }

    #[test]
    fn excel_serial_days_are_dates() {
        assert_eq!(excel_date(45583.0), "2024-10-18");
        assert_eq!(excel_date(1.0), "1899-12-31");
    }

    #[test]
    fn garbage_is_a_read_error() {
        assert!(matches!(
            read_first_sheet(b"not a spreadsheet"),
            Err(XlsxError::Read(_))
        ));
    }
}
