//! The catalogues (danh mục) records draw their codes from, and the seed each one ships with.
//! Catalogues are data: the system admin (Home Affairs) adds, renames and retires entries; the
//! seed only fills a catalogue that is still empty, so the province's changes are kept.
//!
//! Every entry has a code, a Vietnamese name, a sort order and one `attribute` whose meaning
//! depends on the catalogue (see [`Catalogue::attribute_meaning`]).

use super::forms;

/// A catalogue and what its entries mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Catalogue {
    pub name: &'static str,
    pub title: &'static str,
    pub attribute_meaning: &'static str,
    /// The report columns an entry can be counted under: (key, title).
    pub report_columns: &'static [(&'static str, &'static str)],
}

const fn c(name: &'static str, title: &'static str, attribute: &'static str) -> Catalogue {
    Catalogue {
        name,
        title,
        attribute_meaning: attribute,
        report_columns: &[],
    }
}

/// BM02/BNV's columns a grade is counted under (TT 11/2012/TT-BNV as amended by TT 07/2019):
/// the civil-service rank of the grade, or the rank of a public employee's professional title.
/// A grade's rank is its own attribute, not its salary group's: 01.005 Nhân viên is paid on
/// group B and counts as "Nhân viên".
pub const GRADE_REPORT_COLUMNS: &[(&str, &str)] = &[
    ("grade_a3", "Chuyên viên cao cấp và tương đương"),
    ("grade_a2", "Chuyên viên chính và tương đương"),
    ("grade_a1", "Chuyên viên và tương đương"),
    ("grade_a0_b", "Cán sự và tương đương"),
    ("grade_c", "Nhân viên"),
    ("title_rank_1", "Hạng I"),
    ("title_rank_2", "Hạng II"),
    ("title_rank_3", "Hạng III"),
    ("title_rank_4", "Hạng IV"),
];

pub const ETHNICITY: &str = "ethnicity";
pub const RELIGION: &str = "religion";
pub const DEGREE: &str = "degree";
pub const POLITICAL_THEORY: &str = "political_theory";
pub const STATE_MANAGEMENT: &str = "state_management";
pub const FOREIGN_LANGUAGE: &str = "foreign_language";
pub const IT_LEVEL: &str = "it_level";
pub const GRADE: &str = "grade";
pub const ALLOWANCE_TYPE: &str = "allowance_type";
pub const AWARD_KIND: &str = "award_kind";
pub const DISCIPLINE_KIND: &str = "discipline_kind";
pub const TRAINING_KIND: &str = "training_kind";
pub const RELATIONSHIP: &str = "relationship";
pub const HOLIDAY: &str = "holiday";
pub const ASSESSMENT_RATING: &str = "assessment_rating";
pub const SALARY_CHANGE_REASON: &str = "salary_change_reason";
pub const NOT_COUNTED_KIND: &str = "not_counted_kind";
pub const FORM_VERSION: &str = "form_version";
pub const LANGUAGE: &str = "language";
/// The language BM02 counts apart (catalogue "language").
pub const ENGLISH: &str = "en";
/// The attribute of a salary change reason whose raises are early for achievement.
pub const EARLY_ACHIEVEMENT: &str = "early_achievement";

/// Every catalogue personnel keeps.
pub const CATALOGUES: &[Catalogue] = &[
    c(ETHNICITY, "Dân tộc", "1: dân tộc thiểu số; 0: không"),
    c(RELIGION, "Tôn giáo", "1: có tôn giáo; 0: không"),
    c(
        DEGREE,
        "Trình độ chuyên môn",
        "bậc: số càng lớn trình độ càng cao",
    ),
    c(
        POLITICAL_THEORY,
        "Lý luận chính trị",
        "bậc: số càng lớn trình độ càng cao",
    ),
    c(
        STATE_MANAGEMENT,
        "Quản lý nhà nước",
        "bậc: số càng lớn trình độ càng cao",
    ),
    Catalogue {
        report_columns: &[("degree", "Đại học trở lên"), ("certificate", "Chứng chỉ")],
        ..c(
            FOREIGN_LANGUAGE,
            "Trình độ ngoại ngữ",
            "bậc: số càng lớn trình độ càng cao",
        )
    },
    Catalogue {
        report_columns: &[
            ("intermediate", "Trung cấp trở lên"),
            ("certificate", "Chứng chỉ"),
        ],
        ..c(IT_LEVEL, "Tin học", "bậc: số càng lớn trình độ càng cao")
    },
    c(LANGUAGE, "Ngoại ngữ (thứ tiếng)", ""),
    Catalogue {
        report_columns: GRADE_REPORT_COLUMNS,
        ..c(
            GRADE,
            "Ngạch, chức danh nghề nghiệp",
            "nhóm lương của ngạch, ví dụ A1",
        )
    },
    c(
        ALLOWANCE_TYPE,
        "Loại phụ cấp",
        "position: phụ cấp chức vụ lãnh đạo (hệ số); coefficient: phụ cấp theo hệ số; percent: \
         phụ cấp theo tỷ lệ % của lương, phụ cấp chức vụ và thâm niên vượt khung; \
         percent_insured: như percent và tính đóng bảo hiểm (thâm niên nghề)",
    ),
    c(
        AWARD_KIND,
        "Hình thức khen thưởng",
        "cấp: state (Nhà nước), government (Chính phủ), province (tỉnh), grassroots (cơ sở), resistance (kháng chiến), heroic_mother (Bà mẹ Việt Nam anh hùng)",
    ),
    c(
        DISCIPLINE_KIND,
        "Hình thức kỷ luật",
        "số tháng kéo dài thời hạn nâng bậc lương",
    ),
    c(TRAINING_KIND, "Loại đào tạo, bồi dưỡng", ""),
    c(RELATIONSHIP, "Quan hệ gia đình", ""),
    c(
        ASSESSMENT_RATING,
        "Xếp loại chất lượng hằng năm",
        "số tháng kéo dài thời hạn nâng bậc lương của mỗi năm xếp loại này",
    ),
    c(
        SALARY_CHANGE_REASON,
        "Lý do thay đổi lương",
        "early_achievement: nâng bậc lương trước thời hạn do lập thành tích xuất sắc (kiểm tra \
         điều kiện và tỷ lệ 15% mỗi năm của đơn vị)",
    ),
    c(NOT_COUNTED_KIND, "Thời gian không tính nâng bậc lương", ""),
    c(
        FORM_VERSION,
        "Mẫu hồ sơ",
        "các mục của mẫu, cách nhau bởi dấu cách, theo tên mục của hồ sơ (ví dụ: full_name \
         birth_date sex); hồ sơ theo mẫu nào thì hiện và nhập các mục của mẫu đó",
    ),
    c(
        HOLIDAY,
        "Ngày nghỉ lễ, Tết theo âm lịch và ngày nghỉ bù",
        "mã là ngày dạng YYYY-MM-DD; hạn nhập liệu rơi vào ngày nghỉ được lùi sang ngày làm việc \
         kế tiếp (1/1, 30/4, 1/5, 2/9 và thứ Bảy, Chủ nhật đã được tính sẵn)",
    ),
];

pub fn find(name: &str) -> Option<&'static Catalogue> {
    CATALOGUES.iter().find(|c| c.name == name)
}

/// One seed entry: (code, name, attribute).
pub type SeedEntry = (&'static str, &'static str, &'static str);

/// The 54 ethnic groups with the codes of the General Statistics Office (QĐ 121-TCTK/PPCĐ), and
/// foreigners.
const ETHNICITIES: &[&str] = &[
    "Kinh",
    "Tày",
    "Thái",
    "Hoa",
    "Khơ-me",
    "Mường",
    "Nùng",
    "HMông",
    "Dao",
    "Gia-rai",
    "Ngái",
    "Ê-đê",
    "Ba-na",
    "Xơ-đăng",
    "Sán Chay",
    "Cơ-ho",
    "Chăm",
    "Sán Dìu",
    "Hrê",
    "Mnông",
    "Ra-glai",
    "Xtiêng",
    "Bru-Vân Kiều",
    "Thổ",
    "Giáy",
    "Cơ-tu",
    "Gié-Triêng",
    "Mạ",
    "Khơ-mú",
    "Co",
    "Tà-ôi",
    "Chơ-ro",
    "Kháng",
    "Xinh-mun",
    "Hà Nhì",
    "Chu-ru",
    "Lào",
    "La Chí",
    "La Ha",
    "Phù Lá",
    "La Hủ",
    "Lự",
    "Lô Lô",
    "Chứt",
    "Mảng",
    "Pà Thẻn",
    "Cơ Lao",
    "Cống",
    "Bố Y",
    "Si La",
    "Pu Péo",
    "Brâu",
    "Ơ Đu",
    "Rơ-măm",
    "Người nước ngoài",
];

const RELIGIONS: &[SeedEntry] = &[
    ("00", "Không", "0"),
    ("01", "Phật giáo", "1"),
    ("02", "Công giáo", "1"),
    ("03", "Tin lành", "1"),
    ("04", "Cao Đài", "1"),
    ("05", "Phật giáo Hòa Hảo", "1"),
    ("06", "Hồi giáo", "1"),
    ("07", "Tôn giáo Baha'i", "1"),
    ("08", "Tịnh độ Cư sỹ Phật hội Việt Nam", "1"),
    ("09", "Cơ đốc Phục lâm", "1"),
    ("10", "Phật giáo Tứ Ân Hiếu Nghĩa", "1"),
    ("11", "Minh Sư đạo", "1"),
    ("12", "Minh Lý đạo", "1"),
    (
        "13",
        "Giáo hội Các Thánh hữu Ngày sau của Chúa Giê-su Ky-tô",
        "1",
    ),
    ("14", "Bửu Sơn Kỳ Hương", "1"),
    ("15", "Giáo hội Phật đường Nam Tông Minh Sư đạo", "1"),
    ("16", "Hiếu Nghĩa Tà Lơn", "1"),
    ("17", "Bà-la-môn", "1"),
    ("99", "Tôn giáo khác", "1"),
];

const DEGREES: &[SeedEntry] = &[
    ("none", "Chưa qua đào tạo", "0"),
    ("primary", "Sơ cấp", "1"),
    ("intermediate", "Trung cấp", "2"),
    ("college", "Cao đẳng", "3"),
    ("bachelor", "Đại học", "4"),
    ("master", "Thạc sĩ", "5"),
    ("doctor", "Tiến sĩ", "6"),
];

const POLITICAL_THEORIES: &[SeedEntry] = &[
    ("primary", "Sơ cấp", "1"),
    ("intermediate", "Trung cấp", "2"),
    ("advanced", "Cao cấp", "3"),
    ("bachelor", "Cử nhân", "4"),
];

const STATE_MANAGEMENTS: &[SeedEntry] = &[
    ("clerk", "Cán sự", "1"),
    ("specialist", "Chuyên viên", "2"),
    ("principal", "Chuyên viên chính", "3"),
    ("senior", "Chuyên viên cao cấp", "4"),
];

/// The six-level framework of TT 01/2014/TT-BGDĐT, and university degrees in a language.
const FOREIGN_LANGUAGES: &[SeedEntry] = &[
    ("level1", "Bậc 1 (A1)", "1"),
    ("level2", "Bậc 2 (A2)", "2"),
    ("level3", "Bậc 3 (B1)", "3"),
    ("level4", "Bậc 4 (B2)", "4"),
    ("level5", "Bậc 5 (C1)", "5"),
    ("level6", "Bậc 6 (C2)", "6"),
    ("degree", "Đại học ngoại ngữ", "7"),
];

/// The IT skill standards of TT 03/2014/TT-BTTTT, and IT degrees.
const IT_LEVELS: &[SeedEntry] = &[
    ("basic", "Ứng dụng CNTT cơ bản", "1"),
    ("advanced", "Ứng dụng CNTT nâng cao", "2"),
    ("intermediate", "Trung cấp CNTT", "3"),
    ("degree", "Cao đẳng, đại học CNTT trở lên", "4"),
];

/// Civil-service grades (TT 02/2021/TT-BNV and the sector circulars): code, name, salary group.
const GRADES: &[SeedEntry] = &[
    ("01.001", "Chuyên viên cao cấp", "A3.1"),
    ("01.002", "Chuyên viên chính", "A2.1"),
    ("01.003", "Chuyên viên", "A1"),
    ("01.004", "Cán sự", "A0"),
    ("01.005", "Nhân viên", "B"),
    ("04.023", "Thanh tra viên cao cấp", "A3.1"),
    ("04.024", "Thanh tra viên chính", "A2.1"),
    ("04.025", "Thanh tra viên", "A1"),
    ("06.029", "Kế toán viên cao cấp", "A3.2"),
    ("06.030", "Kế toán viên chính", "A2.2"),
    ("06.031", "Kế toán viên", "A1"),
    ("06.032", "Kế toán viên trung cấp", "A0"),
    ("01.007", "Nhân viên kỹ thuật", "B"),
    ("01.008", "Nhân viên văn thư", "B"),
    // Table 4 (service staff).
    ("01.010", "Lái xe cơ quan", "NV.1"),
    ("01.011", "Nhân viên bảo vệ", "NV.2"),
    // Full-time commune cadres paid by position (NĐ 92/2009/NĐ-CP Điều 5.1, NĐ 33/2023/NĐ-CP).
    ("CX.BTDU", "Bí thư Đảng ủy xã", "CX.1"),
    ("CX.PBTDU", "Phó Bí thư Đảng ủy xã", "CX.2"),
    ("CX.CTHDND", "Chủ tịch Hội đồng nhân dân xã", "CX.2"),
    ("CX.CTUBND", "Chủ tịch Ủy ban nhân dân xã", "CX.2"),
    ("CX.CTMTTQ", "Chủ tịch Ủy ban Mặt trận Tổ quốc xã", "CX.3"),
    ("CX.PCTHDND", "Phó Chủ tịch Hội đồng nhân dân xã", "CX.3"),
    ("CX.PCTUBND", "Phó Chủ tịch Ủy ban nhân dân xã", "CX.3"),
    (
        "CX.BTDTN",
        "Bí thư Đoàn Thanh niên Cộng sản Hồ Chí Minh xã",
        "CX.4",
    ),
    ("CX.CTHPN", "Chủ tịch Hội Liên hiệp Phụ nữ xã", "CX.4"),
    ("CX.CTHND", "Chủ tịch Hội Nông dân xã", "CX.4"),
    ("CX.CTHCCB", "Chủ tịch Hội Cựu chiến binh xã", "CX.4"),
    // Professional titles of public employees (table 3): teachers (TT 01-04/2021/TT-BGDĐT)...
    ("V.07.02.24", "Giáo viên mầm non hạng I", "VC.A2.2"),
    ("V.07.02.25", "Giáo viên mầm non hạng II", "VC.A1"),
    ("V.07.02.26", "Giáo viên mầm non hạng III", "VC.A0"),
    ("V.07.03.27", "Giáo viên tiểu học hạng I", "VC.A2.1"),
    ("V.07.03.28", "Giáo viên tiểu học hạng II", "VC.A2.2"),
    ("V.07.03.29", "Giáo viên tiểu học hạng III", "VC.A1"),
    ("V.07.04.30", "Giáo viên trung học cơ sở hạng I", "VC.A2.1"),
    ("V.07.04.31", "Giáo viên trung học cơ sở hạng II", "VC.A2.2"),
    ("V.07.04.32", "Giáo viên trung học cơ sở hạng III", "VC.A1"),
    (
        "V.07.05.13",
        "Giáo viên trung học phổ thông hạng I",
        "VC.A2.1",
    ),
    (
        "V.07.05.14",
        "Giáo viên trung học phổ thông hạng II",
        "VC.A2.2",
    ),
    (
        "V.07.05.15",
        "Giáo viên trung học phổ thông hạng III",
        "VC.A1",
    ),
    // ... and doctors (TTLT 10/2015/TTLT-BYT-BNV).
    ("V.08.01.01", "Bác sĩ cao cấp (hạng I)", "VC.A3.1"),
    ("V.08.01.02", "Bác sĩ chính (hạng II)", "VC.A2.1"),
    ("V.08.01.03", "Bác sĩ (hạng III)", "VC.A1"),
    // ... preventive medicine (TTLT 10/2015), physician assistants, nurses (TTLT 26/2015) and
    // pharmacists (TTLT 27/2015/TTLT-BYT-BNV).
    (
        "V.08.02.04",
        "Bác sĩ y học dự phòng cao cấp (hạng I)",
        "VC.A3.1",
    ),
    (
        "V.08.02.05",
        "Bác sĩ y học dự phòng chính (hạng II)",
        "VC.A2.1",
    ),
    ("V.08.02.06", "Bác sĩ y học dự phòng (hạng III)", "VC.A1"),
    ("V.08.03.07", "Y sĩ (hạng IV)", "VC.B"),
    ("V.08.05.11", "Điều dưỡng hạng II", "VC.A2.2"),
    ("V.08.05.12", "Điều dưỡng hạng III", "VC.A1"),
    ("V.08.05.13", "Điều dưỡng hạng IV", "VC.B"),
    ("V.08.08.20", "Dược sĩ cao cấp (hạng I)", "VC.A3.1"),
    ("V.08.08.21", "Dược sĩ chính (hạng II)", "VC.A2.1"),
    ("V.08.08.22", "Dược sĩ (hạng III)", "VC.A1"),
    ("V.08.08.23", "Dược hạng IV", "VC.B"),
];

/// The BM02 column of each seeded grade (see [`GRADE_REPORT_COLUMNS`]).
const GRADE_RANKS: &[(&str, &str)] = &[
    ("01.001", "grade_a3"),
    ("01.002", "grade_a2"),
    ("01.003", "grade_a1"),
    ("01.004", "grade_a0_b"),
    ("01.005", "grade_c"),
    ("04.023", "grade_a3"),
    ("04.024", "grade_a2"),
    ("04.025", "grade_a1"),
    ("06.029", "grade_a3"),
    ("06.030", "grade_a2"),
    ("06.031", "grade_a1"),
    ("06.032", "grade_a0_b"),
    ("01.007", "grade_c"),
    ("01.008", "grade_c"),
    ("01.010", "grade_c"),
    ("01.011", "grade_c"),
    ("V.07.02.24", "title_rank_1"),
    ("V.07.02.25", "title_rank_2"),
    ("V.07.02.26", "title_rank_3"),
    ("V.07.03.27", "title_rank_1"),
    ("V.07.03.28", "title_rank_2"),
    ("V.07.03.29", "title_rank_3"),
    ("V.07.04.30", "title_rank_1"),
    ("V.07.04.31", "title_rank_2"),
    ("V.07.04.32", "title_rank_3"),
    ("V.07.05.13", "title_rank_1"),
    ("V.07.05.14", "title_rank_2"),
    ("V.07.05.15", "title_rank_3"),
    ("V.08.01.01", "title_rank_1"),
    ("V.08.01.02", "title_rank_2"),
    ("V.08.01.03", "title_rank_3"),
    ("V.08.02.04", "title_rank_1"),
    ("V.08.02.05", "title_rank_2"),
    ("V.08.02.06", "title_rank_3"),
    ("V.08.03.07", "title_rank_4"),
    ("V.08.05.11", "title_rank_2"),
    ("V.08.05.12", "title_rank_3"),
    ("V.08.05.13", "title_rank_4"),
    ("V.08.08.20", "title_rank_1"),
    ("V.08.08.21", "title_rank_2"),
    ("V.08.08.22", "title_rank_3"),
    ("V.08.08.23", "title_rank_4"),
];

/// The report column the seed gives an entry (empty when none): a grade's BM02 rank; a language
/// level or an IT level as a degree (university, intermediate IT and up) or a certificate.
pub fn seed_report_column(catalogue: &str, code: &str) -> &'static str {
    match (catalogue, code) {
        (GRADE, _) => GRADE_RANKS
            .iter()
            .find(|(c, _)| *c == code)
            .map_or("", |(_, column)| column),
        (FOREIGN_LANGUAGE, "degree") => "degree",
        (FOREIGN_LANGUAGE, _) => "certificate",
        (IT_LEVEL, "intermediate" | "degree") => "intermediate",
        (IT_LEVEL, _) => "certificate",
        _ => "",
    }
}

/// Foreign languages (thứ tiếng); BM02 counts English apart.
const LANGUAGES: &[SeedEntry] = &[
    (ENGLISH, "Tiếng Anh", ""),
    ("fr", "Tiếng Pháp", ""),
    ("zh", "Tiếng Trung", ""),
    ("ru", "Tiếng Nga", ""),
    ("ja", "Tiếng Nhật", ""),
    ("ko", "Tiếng Hàn", ""),
    ("de", "Tiếng Đức", ""),
    ("km", "Tiếng Khmer (Campuchia)", ""),
    ("lo", "Tiếng Lào", ""),
    ("other", "Ngoại ngữ khác", ""),
];

const ALLOWANCE_TYPES: &[SeedEntry] = &[
    ("position", "Phụ cấp chức vụ lãnh đạo", "position"),
    (
        "responsibility",
        "Phụ cấp trách nhiệm công việc",
        "coefficient",
    ),
    ("regional", "Phụ cấp khu vực", "coefficient"),
    ("concurrent", "Phụ cấp kiêm nhiệm", "percent"),
    ("hazard", "Phụ cấp độc hại, nguy hiểm", "coefficient"),
    ("preferential", "Phụ cấp ưu đãi nghề", "percent"),
    (
        "professional_seniority",
        "Phụ cấp thâm niên nghề",
        "percent_insured",
    ),
];

const AWARD_KINDS: &[SeedEntry] = &[
    ("gold_star_order", "Huân chương Sao vàng", "state"),
    ("ho_chi_minh_order", "Huân chương Hồ Chí Minh", "state"),
    ("independence_order", "Huân chương Độc lập", "state"),
    ("labour_order", "Huân chương Lao động", "state"),
    (
        "national_emulation_fighter",
        "Chiến sĩ thi đua toàn quốc",
        "state",
    ),
    (
        "pm_certificate",
        "Bằng khen của Thủ tướng Chính phủ",
        "government",
    ),
    (
        "provincial_emulation_fighter",
        "Chiến sĩ thi đua cấp tỉnh",
        "province",
    ),
    (
        "provincial_certificate",
        "Bằng khen của Chủ tịch UBND tỉnh",
        "province",
    ),
    (
        "grassroots_emulation_fighter",
        "Chiến sĩ thi đua cơ sở",
        "grassroots",
    ),
    ("advanced_worker", "Lao động tiên tiến", "grassroots"),
    ("merit_paper", "Giấy khen", "grassroots"),
    ("resistance_order", "Huân chương Kháng chiến", "resistance"),
    ("resistance_medal", "Huy chương Kháng chiến", "resistance"),
    (
        "heroic_mother",
        "Danh hiệu Bà mẹ Việt Nam anh hùng",
        "heroic_mother",
    ),
];

/// The yearly ratings of NĐ 90/2020/NĐ-CP (Điều 2) and the months each delays the next raise:
/// each year not completing duties adds 12 (TT 08/2013/TT-BNV Điều 2).
const ASSESSMENT_RATINGS: &[SeedEntry] = &[
    ("excellent", "Hoàn thành xuất sắc nhiệm vụ", "0"),
    ("good", "Hoàn thành tốt nhiệm vụ", "0"),
    ("completed", "Hoàn thành nhiệm vụ", "0"),
    ("not_completed", "Không hoàn thành nhiệm vụ", "12"),
];

/// Why a salary entry was made; the attribute marks early raises for achievement, whose rules are
/// checked (TT 08/2013/TT-BNV Điều 3).
const SALARY_CHANGE_REASONS: &[SeedEntry] = &[
    ("regular", "Nâng bậc lương thường xuyên", ""),
    (
        "early_achievement",
        "Nâng bậc lương trước thời hạn do lập thành tích xuất sắc",
        EARLY_ACHIEVEMENT,
    ),
    (
        "early_retirement",
        "Nâng bậc lương trước thời hạn khi có thông báo nghỉ hưu",
        "",
    ),
    ("salary_demotion", "Hạ bậc lương (kỷ luật)", ""),
    ("regrading", "Chuyển ngạch, chuyển xếp lương", ""),
];

/// Time that does not count toward a regular raise (TT 08/2013/TT-BNV Điều 2.1 as amended by
/// TT 03/2021/TT-BNV).
const NOT_COUNTED_KINDS: &[SeedEntry] = &[
    ("unpaid_leave", "Nghỉ việc riêng không hưởng lương", ""),
    (
        "overstay",
        "Đi học, làm chuyên gia, lao động hợp tác quá thời hạn được cử",
        "",
    ),
    ("suspension", "Bị đình chỉ công tác", ""),
    ("detention", "Bị tạm giữ, tạm giam", ""),
];

/// Disciplines and how many months each delays the next raise (NĐ 112/2020, TT 08/2013).
const DISCIPLINE_KINDS: &[SeedEntry] = &[
    ("reprimand", "Khiển trách", "6"),
    ("warning", "Cảnh cáo", "6"),
    // Lowers the step (the decision's new step is entered as a salary entry); no delay.
    ("salary_demotion", "Hạ bậc lương", "0"),
    ("demotion", "Giáng chức", "12"),
    ("dismissal", "Cách chức", "12"),
    ("forced_resignation", "Buộc thôi việc", "0"),
];

const TRAINING_KINDS: &[SeedEntry] = &[
    ("professional", "Chuyên môn, nghiệp vụ", ""),
    ("political_theory", "Lý luận chính trị", ""),
    ("state_management", "Quản lý nhà nước", ""),
    ("foreign_language", "Ngoại ngữ", ""),
    ("it", "Tin học", ""),
    ("refresher", "Bồi dưỡng theo vị trí việc làm", ""),
    ("national_defence", "Quốc phòng, an ninh", ""),
];

const RELATIONSHIPS: &[SeedEntry] = &[
    ("father", "Bố đẻ", ""),
    ("mother", "Mẹ đẻ", ""),
    ("spouse", "Vợ, chồng", ""),
    ("child", "Con", ""),
    ("sibling", "Anh, chị, em ruột", ""),
    ("father_in_law", "Bố vợ, bố chồng", ""),
    ("mother_in_law", "Mẹ vợ, mẹ chồng", ""),
    ("spouse_sibling", "Anh, chị, em ruột của vợ (chồng)", ""),
];

/// The seed of a catalogue: (code, name, attribute, sort order).
pub fn seed(catalogue: &str) -> Vec<(String, String, String, i64)> {
    let from = |entries: &[SeedEntry]| {
        entries
            .iter()
            .zip(1..)
            .map(|((code, name, attribute), order)| {
                (
                    code.to_string(),
                    name.to_string(),
                    attribute.to_string(),
                    order,
                )
            })
            .collect()
    };
    match catalogue {
        ETHNICITY => ETHNICITIES
            .iter()
            .zip(1..)
            .map(|(name, order)| {
                let minority = if order == 1 || order == 55 { "0" } else { "1" };
                (
                    format!("{order:02}"),
                    name.to_string(),
                    minority.into(),
                    order,
                )
            })
            .collect(),
        RELIGION => from(RELIGIONS),
        DEGREE => from(DEGREES),
        POLITICAL_THEORY => from(POLITICAL_THEORIES),
        STATE_MANAGEMENT => from(STATE_MANAGEMENTS),
        FOREIGN_LANGUAGE => from(FOREIGN_LANGUAGES),
        IT_LEVEL => from(IT_LEVELS),
        GRADE => from(GRADES),
        ALLOWANCE_TYPE => from(ALLOWANCE_TYPES),
        AWARD_KIND => from(AWARD_KINDS),
        DISCIPLINE_KIND => from(DISCIPLINE_KINDS),
        TRAINING_KIND => from(TRAINING_KINDS),
        RELATIONSHIP => from(RELATIONSHIPS),
        ASSESSMENT_RATING => from(ASSESSMENT_RATINGS),
        SALARY_CHANGE_REASON => from(SALARY_CHANGE_REASONS),
        NOT_COUNTED_KIND => from(NOT_COUNTED_KINDS),
        LANGUAGE => from(LANGUAGES),
        FORM_VERSION => vec![
            (
                forms::FORM_2C.into(),
                "Mẫu 2C-BNV/2008 (QĐ 02/2008/QĐ-BNV)".into(),
                forms::seed_items(forms::FORM_2C),
                1,
            ),
            (
                forms::FORM_HS02_VC.into(),
                "Mẫu HS02-VC/BNV (TT 07/2019/TT-BNV)".into(),
                forms::seed_items(forms::FORM_HS02_VC),
                2,
            ),
        ],
        _ => Vec::new(),
    }
}

/// Award levels that are not tied to a working employee's record (Điều 14): resistance-war
/// awards and the Heroic Mother title may be given to people outside the staff.
pub fn level_may_stand_alone(level: &str) -> bool {
    matches!(level, "resistance" | "heroic_mother")
}

/// The Vietnamese name of a kind of staff, as reports print it.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "cadre" => "Cán bộ",
        "civil_servant" => "Công chức",
        "public_employee" => "Viên chức",
        "association_staff" => "Người làm việc tại Hội",
        "contract_worker" => "Hợp đồng lao động",
        _ => "",
    }
}

/// The Vietnamese name of a record's status.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "working" => "Đang công tác",
        "retired" => "Nghỉ hưu",
        "resigned" => "Thôi việc",
        "deceased" => "Từ trần",
        "moved_out_of_province" => "Chuyển ra ngoài tỉnh",
        "moved_to_party_bodies" => "Chuyển sang khối Đảng",
        _ => "",
    }
}

/// The Vietnamese name of an award level (the award kinds' attribute).
pub fn award_level_label(level: &str) -> &str {
    match level {
        "state" => "Nhà nước",
        "government" => "Chính phủ",
        "province" => "Tỉnh",
        "grassroots" => "Cơ sở",
        "resistance" => "Kháng chiến",
        "heroic_mother" => "Danh hiệu vinh dự Nhà nước",
        other => other,
    }
}

pub fn sex_label(sex: &str) -> &'static str {
    match sex {
        "male" => "Nam",
        "female" => "Nữ",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_ships_a_seed_with_unique_codes() {
        for catalogue in CATALOGUES {
            let entries = seed(catalogue.name);
            // The lunar holidays and the Prime Minister's extra days are decided each year:
            // Home Affairs enters them when the year's schedule is published.
            assert!(
                !entries.is_empty() || catalogue.name == HOLIDAY,
                "{} has a seed",
                catalogue.name
            );
            let mut codes: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(
                codes.len(),
                entries.len(),
                "{} codes are unique",
                catalogue.name
            );
        }
    }

    #[test]
    fn ethnicities_follow_the_statistics_office_codes() {
        let e = seed(ETHNICITY);
        assert_eq!(e.len(), 55, "54 groups and foreigners");
        assert_eq!(
            (e[0].0.as_str(), e[0].1.as_str(), e[0].2.as_str()),
            ("01", "Kinh", "0")
        );
        assert_eq!((e[4].0.as_str(), e[4].1.as_str()), ("05", "Khơ-me"));
        assert_eq!(e[4].2, "1", "Khmer are an ethnic minority");
        assert_eq!(e[53].1, "Rơ-măm");
    }

    #[test]
    fn grades_name_groups_of_the_national_table() {
        for (code, _, group, _) in seed(GRADE) {
            assert!(
                crate::domain::grades::national_table()
                    .iter()
                    .any(|g| g.group.code() == group),
                "{code} names group {group}, which the seeded tables have"
            );
        }
    }

    #[test]
    fn every_seeded_grade_counts_in_a_bm02_column_unless_paid_by_position() {
        for (code, _, group, _) in seed(GRADE) {
            let column = seed_report_column(GRADE, &code);
            if group.starts_with("CX.") {
                assert_eq!(column, "", "{code}");
            } else {
                assert!(
                    GRADE_REPORT_COLUMNS.iter().any(|(key, _)| *key == column),
                    "{code} has no BM02 column"
                );
            }
        }
        // Public employees count by their title's rank, civil servants by their grade's.
        assert_eq!(seed_report_column(GRADE, "V.08.05.13"), "title_rank_4");
        assert_eq!(seed_report_column(GRADE, "01.005"), "grade_c");
    }
}
