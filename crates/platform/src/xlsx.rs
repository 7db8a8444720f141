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
    /// A date cell shown dd/mm/yyyy (Excel sorts and filters it as a date).
    Date(time::Date),
    /// A coefficient in hundredths (2.34 -> 234), a number shown with two decimals.
    Coefficient(i64),
    /// Đồng, a number shown grouped by thousands (the reader's locale decides the mark: a dot in
    /// Vietnamese).
    Money(i64),
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
    #[error("trang tính có quá {0} dòng")]
    TooManyRows(u32),
    #[error("trang tính có quá {0} cột")]
    TooManyColumns(u32),
    #[error("tệp khai báo quá {0} chuỗi ký tự")]
    TooManyStrings(u64),
    #[error("nội dung giải nén của tệp vượt quá {} MB", .0 / 1024 / 1024)]
    TooLargeUncompressed(u64),
}

/// The workbook of `sheets` as .xlsx bytes.
pub fn write(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, FormatBorder, Workbook};
    let mut workbook = Workbook::new();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    let coefficient_format = Format::new().set_num_format("0.00");
    let money_format = Format::new().set_num_format("#,##0");
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
                    Cell::Date(d) => {
                        let excel = ExcelDateTime::from_ymd(
                            u16::try_from(d.year()).unwrap_or(1900),
                            u8::from(d.month()),
                            d.day(),
                        )?;
                        ws.write_datetime_with_format(row, col, &excel, &date_format)?;
                        10
                    }
                    Cell::Coefficient(v) => {
                        #[allow(clippy::cast_precision_loss)]
                        ws.write_number_with_format(
                            row,
                            col,
                            *v as f64 / 100.0,
                            &coefficient_format,
                        )?;
                        5
                    }
                    Cell::Money(v) => {
                        #[allow(clippy::cast_precision_loss)]
                        ws.write_number_with_format(row, col, *v as f64, &money_format)?;
                        v.to_string().len() + v.to_string().len() / 3
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

/// What an uploaded workbook may hold. A hostile .xlsx is a small zip that claims or inflates to
/// gigabytes (a zip bomb, a cell at XFD1048576, a declared string count of 10^11); the reader
/// refuses each as soon as it goes past one of these, having held no more than the limits allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Rows of the sheet, the header included.
    pub max_rows: u32,
    pub max_columns: u32,
    /// Uncompressed bytes of any one part of the archive (the sheet, the shared strings).
    pub max_entry_bytes: u64,
    /// Uncompressed bytes of the whole archive.
    pub max_total_bytes: u64,
}

impl ReadLimits {
    /// Limits for a sheet of `max_rows` rows and `max_columns` columns, with room for the XML
    /// of that many cells of ordinary text.
    pub const fn for_sheet(max_rows: u32, max_columns: u32) -> Self {
        Self {
            max_rows,
            max_columns,
            max_entry_bytes: 64 * 1024 * 1024,
            max_total_bytes: 160 * 1024 * 1024,
        }
    }
}

/// The parts an .xlsx may have; more is not a workbook anyone exported.
const MAX_ENTRIES: usize = 1_000;

/// The first sheet of an .xlsx file as rows of trimmed text. Dates typed as dates come back as
/// `YYYY-MM-DD`; whole numbers without a decimal point. Row i and column j are the sheet's row
/// i + 1 and column j + 1. CPU-bound and untrusted: call it on the blocking pool.
pub fn read_first_sheet(bytes: &[u8], limits: &ReadLimits) -> Result<Vec<Vec<String>>, XlsxError> {
    // Row i is the sheet's row i + 1 and column j its column j + 1, as the person sees them in
    // Excel; every row as wide as the widest (at most max_rows x max_columns empty cells).
    let mut kept: Vec<(usize, Vec<String>)> = Vec::new();
    for_each_row(bytes, limits, |index, cells| {
        kept.push((index, cells));
        Ok::<(), XlsxError>(())
    })?;
    let height = kept.last().map_or(0, |(i, _)| i + 1);
    let width = kept.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
    let mut rows = vec![vec![String::new(); width]; height];
    for (index, mut cells) in kept {
        cells.resize(width, String::new());
        rows[index] = cells;
    }
    Ok(rows)
}

/// An upload the reader refused, as the person reads it, at field `file`: BAD_FILE when it is
/// not a workbook, FILE_TOO_LARGE when it goes past the limits.
pub fn upload_error(e: XlsxError) -> crate::AppError {
    let (code, en) = match e {
        XlsxError::Read(_) | XlsxError::Write(_) => {
            (crate::ErrorCode::BadFile, "not an .xlsx file")
        }
        _ => (
            crate::ErrorCode::FileTooLarge,
            "the file is beyond the import's limits",
        ),
    };
    crate::AppError::invalid("file", code, &e.to_string(), en)
}

/// Calls `row` with each row of the first sheet that holds a value, in order: its index (0 for
/// the sheet's first line) and its trimmed cells up to the last one filled. Only one row is held
/// at a time, so a file of 100,000 rows is read in the memory of one. Dates typed as dates come
/// back as `YYYY-MM-DD`; whole numbers without a decimal point. CPU-bound and untrusted: call it
/// on the blocking pool. An error `row` returns stops the reading and is returned.
pub fn for_each_row<E: From<XlsxError>>(
    bytes: &[u8],
    limits: &ReadLimits,
    mut row: impl FnMut(usize, Vec<String>) -> Result<(), E>,
) -> Result<(), E> {
    use calamine::{Data, DataRef, Reader, Xlsx};
    check_archive(bytes, limits)?;
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| XlsxError::Read(e.to_string()))?;
    let name = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| XlsxError::Read("tệp không có trang tính nào".into()))?;
    let mut cells = workbook
        .worksheet_cells_reader(&name)
        .map_err(|e| XlsxError::Read(e.to_string()))?;
    // Cells arrive one by one in the sheet's order; only those holding a value are kept, each
    // checked against the limits before anything is allocated for it.
    let mut current: Option<(u32, Vec<String>)> = None;
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| XlsxError::Read(e.to_string()))?
    {
        let (r, column) = cell.get_position();
        let text = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::SharedString(s) => s.trim().to_string(),
            DataRef::String(s) => s.trim().to_string(),
            DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                #[allow(clippy::cast_possible_truncation)]
                let whole = *f as i64;
                whole.to_string()
            }
            DataRef::DateTime(d) => excel_date(d.as_f64()),
            other => Data::from(other.clone()).to_string().trim().to_string(),
        };
        if text.is_empty() {
            continue;
        }
        if r >= limits.max_rows {
            return Err(XlsxError::TooManyRows(limits.max_rows).into());
        }
        if column >= limits.max_columns {
            return Err(XlsxError::TooManyColumns(limits.max_columns).into());
        }
        if current.as_ref().is_some_and(|(at, _)| *at != r)
            && let Some((at, done)) = current.take()
        {
            row(at as usize, done)?;
        }
        let (_, values) = current.get_or_insert_with(|| (r, Vec::new()));
        let column = column as usize;
        if values.len() <= column {
            values.resize(column + 1, String::new());
        }
        values[column] = text;
    }
    if let Some((at, done)) = current {
        row(at as usize, done)?;
    }
    Ok(())
}

/// Inflates every part of the archive into nothing, counting, before any parser sees it: a part
/// or the whole past its limit, or a declared shared-string count no sheet within the limits
/// could use (the parser would reserve room for it up front), is refused.
fn check_archive(bytes: &[u8], limits: &ReadLimits) -> Result<(), XlsxError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| XlsxError::Read(e.to_string()))?;
    if archive.len() > MAX_ENTRIES {
        return Err(XlsxError::Read(format!(
            "tệp có hơn {MAX_ENTRIES} thành phần"
        )));
    }
    let mut total: u64 = 0;
    let mut buffer = vec![0_u8; 64 * 1024];
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|e| XlsxError::Read(e.to_string()))?;
        if entry.size() > limits.max_entry_bytes {
            return Err(XlsxError::TooLargeUncompressed(limits.max_entry_bytes));
        }
        let shared_strings = entry.name().is_ok_and(|n| n.ends_with("sharedStrings.xml"));
        let mut inflated: u64 = 0;
        let mut first = true;
        loop {
            let n = read_full(&mut entry, &mut buffer)?;
            if n == 0 {
                break;
            }
            inflated += n as u64;
            total += n as u64;
            if inflated > limits.max_entry_bytes {
                return Err(XlsxError::TooLargeUncompressed(limits.max_entry_bytes));
            }
            if total > limits.max_total_bytes {
                return Err(XlsxError::TooLargeUncompressed(limits.max_total_bytes));
            }
            if shared_strings && first {
                let cells = u64::from(limits.max_rows) * u64::from(limits.max_columns);
                if declared_string_count(&buffer[..n]) > cells {
                    return Err(XlsxError::TooManyStrings(cells));
                }
            }
            first = false;
        }
    }
    Ok(())
}

/// Fills `buffer` as far as the part goes; the number of bytes read.
fn read_full(entry: &mut impl std::io::Read, buffer: &mut [u8]) -> Result<usize, XlsxError> {
    let mut filled = 0;
    while filled < buffer.len() {
        match entry.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(XlsxError::Read(e.to_string())),
        }
    }
    Ok(filled)
}

/// The larger of `uniqueCount` and `count` on the shared-strings part's root element, read from
/// the part's first bytes (0 when absent; a value that is not a number counts as unlimited).
fn declared_string_count(head: &[u8]) -> u64 {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(head);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return ["uniqueCount", "count"]
                    .iter()
                    .filter_map(|name| e.try_get_attribute(name).ok().flatten())
                    .map(|a| a.value.trim().parse::<u64>().unwrap_or(u64::MAX))
                    .max()
                    .unwrap_or(0);
            }
            Ok(Event::Eof) | Err(_) => return 0,
            Ok(_) => {}
        }
    }
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
        let rows = read_first_sheet(&bytes, &ReadLimits::for_sheet(10, 10)).expect("read");
        assert_eq!(rows[0][0], "DANH SÁCH CÁN BỘ, CÔNG CHỨC");
        assert_eq!(rows[1], vec!["", "", ""], "the blank line under the title");
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
            read_first_sheet(b"not a spreadsheet", &ReadLimits::for_sheet(10, 10)),
            Err(XlsxError::Read(_))
        ));
    }
}
