//! Hostile spreadsheets: each is a small upload that would make a naive reader allocate gigabytes
//! (and abort the process). The reader must refuse each with the limit it broke, and the heap of
//! this process must stay small while it does. One test, so no other test's allocations mix into
//! the measured peak.

use peak_alloc::PeakAlloc;
use std::io::Write as _;
use tinhso_platform::xlsx::{ReadLimits, XlsxError, read_first_sheet};
use zip::write::SimpleFileOptions;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// The import's limits: 1,000 rows of 50 columns.
const LIMITS: ReadLimits = ReadLimits::for_sheet(1_000, 50);

/// Far above what reading a refused file should ever hold, far below what the attacks ask for.
const HEAP_BOUND: usize = 24 * 1024 * 1024;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

/// A workbook whose sheet holds `cells` (`<c>` elements, sheetData added around them) and whose
/// shared strings are `strings` (the whole part), each part deflated.
fn workbook(dimension: &str, cells: &str, strings: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = SimpleFileOptions::default();
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", ROOT_RELS.to_string()),
        ("xl/workbook.xml", WORKBOOK.to_string()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.to_string()),
        ("xl/sharedStrings.xml", strings.to_string()),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                "{SHEET_HEAD}<dimension ref=\"{dimension}\"/><sheetData>{cells}</sheetData></worksheet>"
            ),
        ),
    ] {
        zip.start_file(name, deflated).expect("part");
        zip.write_all(text.as_bytes()).expect("written");
    }
    zip.finish().expect("zip").into_inner()
}

fn strings(unique_count: &str, items: &[&str]) -> String {
    let items: String = items
        .iter()
        .map(|s| format!("<si><t>{s}</t></si>"))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{unique_count}" uniqueCount="{unique_count}">{items}</sst>"#
    )
}

/// A workbook whose sheet part is `inflated` bytes of XML whitespace after its head: a zip bomb
/// (whitespace compresses about a thousand to one), written in pieces so building it is cheap.
fn bomb(inflated: usize, parts: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = SimpleFileOptions::default();
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
    ] {
        zip.start_file(name, deflated).expect("part");
        zip.write_all(text.as_bytes()).expect("written");
    }
    let spaces = vec![b' '; 1024 * 1024];
    for part in 0..parts {
        let name = if part == 0 {
            "xl/worksheets/sheet1.xml".to_string()
        } else {
            format!("xl/media/padding{part}.xml")
        };
        zip.start_file(name, deflated).expect("part");
        zip.write_all(SHEET_HEAD.as_bytes()).expect("head");
        for _ in 0..inflated / spaces.len() {
            zip.write_all(&spaces).expect("spaces");
        }
        zip.write_all(b"<sheetData/></worksheet>").expect("tail");
    }
    zip.finish().expect("zip").into_inner()
}

/// Reads `bytes` and returns the outcome with the heap's peak above what it held before.
fn read_measured(bytes: &[u8]) -> (Result<Vec<Vec<String>>, XlsxError>, usize) {
    let before = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let result = read_first_sheet(bytes, &LIMITS);
    (result, HEAP.peak_usage().saturating_sub(before))
}

#[test]
fn hostile_workbooks_are_refused_within_a_small_heap() {
    // A file within the limits reads, row i being the sheet's row i + 1.
    let fine = workbook(
        "A1:B2",
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>1985</v></c></row>"#,
        &strings("3", &["Họ và tên", "Năm sinh", "Nguyễn Thị Ánh"]),
    );
    let (rows, _) = read_measured(&fine);
    assert_eq!(
        rows.expect("a plain workbook reads"),
        vec![
            vec!["Họ và tên".to_string(), "Năm sinh".to_string()],
            vec!["Nguyễn Thị Ánh".to_string(), "1985".to_string()],
        ]
    );

    // Cells at A1 and XFD1048576: a naive reader makes a 16,384 x 1,048,576 grid (512 GiB).
    let corners = workbook(
        "A1:XFD1048576",
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="1048576"><c r="XFD1048576" t="s"><v>0</v></c></row>"#,
        &strings("1", &["Họ và tên"]),
    );
    assert!(corners.len() < 4 * 1024, "{} bytes", corners.len());
    let (result, peak) = read_measured(&corners);
    assert!(
        matches!(result, Err(XlsxError::TooManyRows(1_000))),
        "{result:?}"
    );
    assert!(peak < HEAP_BOUND, "corners: {peak} bytes at peak");

    // One value far to the right on the first row.
    let wide = workbook(
        "A1:XFD1",
        r#"<row r="1"><c r="XFD1" t="s"><v>0</v></c></row>"#,
        &strings("1", &["x"]),
    );
    let (result, peak) = read_measured(&wide);
    assert!(
        matches!(result, Err(XlsxError::TooManyColumns(50))),
        "{result:?}"
    );
    assert!(peak < HEAP_BOUND, "wide: {peak} bytes at peak");

    // A single cell at the last row of the sheet (~490 MB in a dense grid).
    let deep = workbook(
        "A1048576",
        r#"<row r="1048576"><c r="A1048576" t="s"><v>0</v></c></row>"#,
        &strings("1", &["x"]),
    );
    let (result, peak) = read_measured(&deep);
    assert!(
        matches!(result, Err(XlsxError::TooManyRows(1_000))),
        "{result:?}"
    );
    assert!(peak < HEAP_BOUND, "deep: {peak} bytes at peak");

    // A declared shared-string count of 10^11: room reserved up front for that many strings.
    let declared = workbook(
        "A1",
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#,
        &strings("100000000000", &["x"]),
    );
    let (result, peak) = read_measured(&declared);
    assert!(
        matches!(result, Err(XlsxError::TooManyStrings(50_000))),
        "{result:?}"
    );
    assert!(peak < HEAP_BOUND, "declared count: {peak} bytes at peak");

    // A zip bomb: one part inflating past the per-part limit (64 MiB).
    let one_part = bomb(80 * 1024 * 1024, 1);
    assert!(one_part.len() < 1024 * 1024, "{} bytes", one_part.len());
    let (result, peak) = read_measured(&one_part);
    assert!(
        matches!(result, Err(XlsxError::TooLargeUncompressed(n)) if n == 64 * 1024 * 1024),
        "{result:?}"
    );
    assert!(peak < HEAP_BOUND, "bomb: {peak} bytes at peak");

    // Three parts each under the per-part limit, together past the archive's (160 MiB).
    let spread = bomb(60 * 1024 * 1024, 3);
    let (result, peak) = read_measured(&spread);
    assert!(
        matches!(result, Err(XlsxError::TooLargeUncompressed(n)) if n == 160 * 1024 * 1024),
        "{result:?}"
    );
    assert!(peak < HEAP_BOUND, "spread bomb: {peak} bytes at peak");
    assert!(
        result.expect_err("refused").to_string().contains("160 MB"),
        "the message names the limit"
    );
}
