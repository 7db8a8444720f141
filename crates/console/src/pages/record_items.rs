//! The single items of a record (2C-BNV), in the form's groups, described once as data: the
//! record page shows them, the edit form offers them, and the form is read back into the
//! service's UpdateEmployeeRequest by field name (through the protos' descriptors), so an item
//! added to the proto needs one line here, not a getter, a setter and a template change.

use crate::pages::employees::{date, parse_date};
use crate::pages::sections::Names;
use crate::web::{Errors, FieldError, Page};
use prost::Message as _;
use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, Value};
use std::collections::HashMap;
use std::sync::OnceLock;
use tinhso_proto::personnel::v1 as pb;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Date,
    Number,
    Sex,
    /// A code of the named catalogue.
    Catalogue(&'static str),
}

pub struct ItemSpec {
    pub name: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
    pub kind: Kind,
}

pub struct Group {
    pub vi: &'static str,
    pub en: &'static str,
    pub items: &'static [ItemSpec],
}

const fn i(name: &'static str, vi: &'static str, en: &'static str, kind: Kind) -> ItemSpec {
    ItemSpec { name, vi, en, kind }
}

use Kind::{Catalogue, Date, Number, Sex, Text};

/// Items of the edit form that are not items of the record: they qualify the change (the
/// effective date of a new position, department or degree).
const ABOUT_THE_CHANGE: &[&str] = &["effective_date"];

/// Whether `item` is on the form whose items are `form` (None: a form that lists none shows
/// every item). The form's own choice is always there; the effective date of a change goes with
/// the dated items it qualifies.
pub fn on_form(item: &str, form: Option<&[String]>) -> bool {
    let Some(items) = form else {
        return true;
    };
    let listed = |name: &str| items.iter().any(|i| i == name);
    match item {
        "form_version" => true,
        "effective_date" => ["position", "department", "degree"].into_iter().any(listed),
        _ => listed(item),
    }
}

pub const GROUPS: &[Group] = &[
    Group {
        vi: "Sơ yếu lý lịch",
        en: "Personal details",
        items: &[
            i(
                "form_version",
                "Mẫu hồ sơ",
                "Form",
                Catalogue("form_version"),
            ),
            i(
                "full_name",
                "Họ và tên khai sinh",
                "Full name at birth",
                Text,
            ),
            i("other_names", "Tên gọi khác", "Other names", Text),
            i("birth_date", "Ngày sinh", "Date of birth", Date),
            i("sex", "Giới tính", "Sex", Sex),
            i("place_of_birth", "Nơi sinh", "Place of birth", Text),
            i("home_town", "Quê quán", "Home town", Text),
            i("ethnicity", "Dân tộc", "Ethnicity", Catalogue("ethnicity")),
            i("religion", "Tôn giáo", "Religion", Catalogue("religion")),
            i("id_number", "Số CCCD", "Citizen ID", Text),
            i("id_issue_date", "Ngày cấp CCCD", "ID issued on", Date),
            i(
                "social_insurance_number",
                "Số sổ BHXH",
                "Social insurance number",
                Text,
            ),
            i(
                "permanent_address",
                "Nơi đăng ký thường trú",
                "Permanent address",
                Text,
            ),
            i("current_address", "Nơi ở hiện nay", "Current address", Text),
            i("phone", "Điện thoại", "Phone", Text),
            i("email", "Thư điện tử", "Email", Text),
        ],
    },
    Group {
        vi: "Tuyển dụng, công tác",
        en: "Recruitment and work",
        items: &[
            i(
                "occupation_when_recruited",
                "Nghề nghiệp khi được tuyển dụng",
                "Occupation when recruited",
                Text,
            ),
            i("recruitment_date", "Ngày tuyển dụng", "Recruited on", Date),
            i(
                "recruitment_decision_date",
                "Ngày quyết định tuyển dụng, tiếp nhận",
                "Recruitment or reception decision of",
                Date,
            ),
            i(
                "recruiting_agency",
                "Cơ quan tuyển dụng",
                "Recruiting agency",
                Text,
            ),
            i("department", "Phòng, ban", "Department", Text),
            i("position", "Chức vụ", "Position", Text),
            i(
                "effective_date",
                "Ngày hiệu lực của thay đổi chức vụ, phòng ban, trình độ (ngày của quyết định \
                 hoặc văn bằng)",
                "Effective date of a change of position, department or degree",
                Date,
            ),
            i(
                "main_duties",
                "Công việc chính được giao",
                "Main duties",
                Text,
            ),
            i(
                "grade_date",
                "Ngày bổ nhiệm ngạch",
                "Grade appointed on",
                Date,
            ),
        ],
    },
    Group {
        vi: "Trình độ",
        en: "Education",
        items: &[
            i(
                "general_education",
                "Giáo dục phổ thông",
                "General education",
                Text,
            ),
            i(
                "degree",
                "Trình độ chuyên môn cao nhất",
                "Highest degree",
                Catalogue("degree"),
            ),
            i("degree_major", "Chuyên ngành", "Major", Text),
            i(
                "political_theory",
                "Lý luận chính trị",
                "Political theory",
                Catalogue("political_theory"),
            ),
            i(
                "state_management",
                "Quản lý nhà nước",
                "State management",
                Catalogue("state_management"),
            ),
            i(
                "foreign_language",
                "Ngoại ngữ",
                "Foreign language",
                Catalogue("foreign_language"),
            ),
            i(
                "foreign_language_name",
                "Thứ tiếng",
                "Language",
                Catalogue("language"),
            ),
            i("it_level", "Tin học", "IT", Catalogue("it_level")),
            i(
                "ethnic_language",
                "Chứng chỉ tiếng dân tộc",
                "Ethnic-language certificate",
                Text,
            ),
        ],
    },
    Group {
        vi: "Đảng, đoàn thể, quân ngũ",
        en: "Party, organisations, military service",
        items: &[
            i(
                "party_admission_date",
                "Ngày vào Đảng",
                "Party admission",
                Date,
            ),
            i(
                "party_official_date",
                "Ngày chính thức",
                "Full Party membership",
                Date,
            ),
            i(
                "union_admission_date",
                "Ngày vào Công đoàn",
                "Trade-union admission",
                Date,
            ),
            i(
                "organisations",
                "Tham gia tổ chức chính trị - xã hội",
                "Organisations",
                Text,
            ),
            i(
                "military_enlistment_date",
                "Ngày nhập ngũ",
                "Enlisted on",
                Date,
            ),
            i(
                "military_discharge_date",
                "Ngày xuất ngũ",
                "Discharged on",
                Date,
            ),
            i("military_rank", "Quân hàm cao nhất", "Highest rank", Text),
            i(
                "titles",
                "Danh hiệu được phong tặng cao nhất",
                "Highest title",
                Text,
            ),
            i("strengths", "Sở trường công tác", "Strengths", Text),
        ],
    },
    Group {
        vi: "Sức khỏe, chính sách",
        en: "Health and policy",
        items: &[
            i("health", "Tình trạng sức khỏe", "Health", Text),
            i("height_cm", "Chiều cao (cm)", "Height (cm)", Number),
            i("weight_kg", "Cân nặng (kg)", "Weight (kg)", Number),
            i("blood_type", "Nhóm máu", "Blood type", Text),
            i(
                "war_invalid_rank",
                "Thương binh hạng",
                "War invalid rank",
                Text,
            ),
            i(
                "policy_family",
                "Con gia đình chính sách",
                "Policy family",
                Text,
            ),
        ],
    },
    Group {
        vi: "Vị trí việc làm, lịch sử bản thân, nhận xét",
        en: "Job position, history, assessment",
        items: &[
            i("job_position", "Vị trí việc làm", "Job position", Text),
            i(
                "contract_type",
                "Loại hợp đồng làm việc",
                "Working contract",
                Text,
            ),
            i(
                "family_economic_situation",
                "Hoàn cảnh kinh tế gia đình",
                "Family economic situation",
                Text,
            ),
            i(
                "personal_history",
                "Đặc điểm lịch sử bản thân",
                "Personal history",
                Text,
            ),
            i(
                "agency_assessment",
                "Nhận xét, đánh giá của cơ quan",
                "Assessment by the agency",
                Text,
            ),
            i(
                "professional_title_rank",
                "Hạng chức danh nghề nghiệp",
                "Professional title rank",
                Text,
            ),
        ],
    },
];

fn descriptor(name: &str) -> Option<MessageDescriptor> {
    static POOL: OnceLock<Option<DescriptorPool>> = OnceLock::new();
    POOL.get_or_init(|| DescriptorPool::decode(tinhso_proto::FILE_DESCRIPTOR_SET).ok())
        .as_ref()?
        .get_message_by_name(name)
}

/// The catalogues the items name.
pub fn catalogues() -> Vec<&'static str> {
    GROUPS
        .iter()
        .flat_map(|g| g.items.iter())
        .filter_map(|i| match i.kind {
            Catalogue(name) => Some(name),
            _ => None,
        })
        .collect()
}

/// The record's items as typed in the form (dates dd/mm/yyyy, sex 1/2, codes).
pub fn form_values(e: &pb::Employee) -> HashMap<&'static str, String> {
    let Some(desc) = descriptor("tinhso.personnel.v1.Employee") else {
        return HashMap::new();
    };
    let Ok(message) = DynamicMessage::decode(desc, e.encode_to_vec().as_slice()) else {
        return HashMap::new();
    };
    let mut out = HashMap::new();
    for item in GROUPS.iter().flat_map(|g| g.items.iter()) {
        let value = match message.get_field_by_name(item.name).as_deref() {
            Some(Value::String(s)) => s.clone(),
            Some(Value::I32(n)) if *n != 0 => n.to_string(),
            Some(Value::EnumNumber(n)) if *n != 0 => n.to_string(),
            Some(Value::Message(m)) => {
                let part = |f: &str| match m.get_field_by_name(f).as_deref() {
                    Some(Value::I32(n)) => *n,
                    _ => 0,
                };
                date(Some(&tinhso_proto::common::v1::Date {
                    year: part("year"),
                    month: part("month"),
                    day: part("day"),
                }))
            }
            _ => String::new(),
        };
        out.insert(item.name, value);
    }
    out
}

/// An item as the record page shows it.
pub struct Shown {
    pub vi: &'static str,
    pub en: &'static str,
    pub value: String,
}

pub struct ShownGroup {
    pub vi: &'static str,
    pub en: &'static str,
    pub items: Vec<Shown>,
}

pub fn shown(
    e: &pb::Employee,
    names: &Names,
    page: &Page,
    form: Option<&[String]>,
) -> Vec<ShownGroup> {
    let values = form_values(e);
    GROUPS
        .iter()
        .map(|g| ShownGroup {
            vi: g.vi,
            en: g.en,
            items: g
                .items
                .iter()
                .filter(|item| !ABOUT_THE_CHANGE.contains(&item.name) && on_form(item.name, form))
                .map(|item| {
                    let raw = values.get(item.name).cloned().unwrap_or_default();
                    let value = match item.kind {
                        Sex => match raw.as_str() {
                            "1" => page.t("Nam", "Male").to_string(),
                            "2" => page.t("Nữ", "Female").to_string(),
                            _ => String::new(),
                        },
                        Catalogue(c) => names
                            .get(c)
                            .and_then(|list| list.iter().find(|(code, _)| *code == raw))
                            .map_or(raw, |(_, name)| name.clone()),
                        _ => raw,
                    };
                    Shown {
                        vi: item.vi,
                        en: item.en,
                        value,
                    }
                })
                .collect(),
        })
        .collect()
}

/// The form read back into an update of record `id` at `etag`; a date or number the console
/// can tell is wrong is named at its field (everything else the service checks).
pub fn update_request(
    id: &str,
    etag: &str,
    form: &HashMap<String, String>,
    page: &Page,
) -> Result<pb::UpdateEmployeeRequest, Errors> {
    let (Some(desc), Some(date_desc)) = (
        descriptor("tinhso.personnel.v1.UpdateEmployeeRequest"),
        descriptor("tinhso.common.v1.Date"),
    ) else {
        return Err(Errors(vec![FieldError {
            field: String::new(),
            message: page.t("Lỗi hệ thống.", "Internal error.").to_string(),
        }]));
    };
    let mut message = DynamicMessage::new(desc.clone());
    let mut errors = Vec::new();
    let mut problem = |name: &str, vi: &str, en: &str| {
        errors.push(FieldError {
            field: name.to_string(),
            message: page.t(vi, en).to_string(),
        })
    };
    for item in GROUPS.iter().flat_map(|g| g.items.iter()) {
        // Only the items the form carried: a form without an item leaves it as it is.
        let Some(text) = form.get(item.name).map(|v| v.trim()) else {
            continue;
        };
        if desc.get_field_by_name(item.name).is_none() {
            continue;
        }
        let value = match item.kind {
            Text | Catalogue(_) => Value::String(text.to_string()),
            Number => match text {
                "" => Value::I32(0),
                t => match t.parse::<i32>() {
                    Ok(n) if n >= 0 => Value::I32(n),
                    _ => {
                        problem(
                            item.name,
                            "Hãy nhập một số nguyên.",
                            "Enter a whole number.",
                        );
                        continue;
                    }
                },
            },
            Sex => match text {
                "1" | "2" => Value::EnumNumber(text.parse().unwrap_or(0)),
                _ => continue,
            },
            Date => {
                if text.is_empty() {
                    // An empty date leaves the item as it is (the service keeps dates it is
                    // not sent); clearing a date is not something the form offers.
                    continue;
                }
                let Some(d) = parse_date(text) else {
                    problem(
                        item.name,
                        "Hãy nhập một ngày có thật, dạng ngày/tháng/năm, ví dụ 07/03/1985.",
                        "Enter a real date as day/month/year, e.g. 07/03/1985.",
                    );
                    continue;
                };
                let mut m = DynamicMessage::new(date_desc.clone());
                m.set_field_by_name("year", Value::I32(d.year));
                m.set_field_by_name("month", Value::I32(d.month));
                m.set_field_by_name("day", Value::I32(d.day));
                Value::Message(m)
            }
        };
        message.set_field_by_name(item.name, value);
    }
    if !errors.is_empty() {
        return Err(Errors(errors));
    }
    message.set_field_by_name("id", Value::String(id.to_string()));
    message.set_field_by_name("etag", Value::String(etag.to_string()));
    pb::UpdateEmployeeRequest::decode(message.encode_to_vec().as_slice()).map_err(|_| {
        Errors(vec![FieldError {
            field: String::new(),
            message: page.t("Lỗi hệ thống.", "Internal error.").to_string(),
        }])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_names_a_field_of_the_record_and_of_its_update() {
        let record = descriptor("tinhso.personnel.v1.Employee").expect("Employee");
        let update = descriptor("tinhso.personnel.v1.UpdateEmployeeRequest").expect("update");
        for item in GROUPS.iter().flat_map(|g| g.items.iter()) {
            assert!(
                record.get_field_by_name(item.name).is_some()
                    || ABOUT_THE_CHANGE.contains(&item.name),
                "{}",
                item.name
            );
            assert!(
                update.get_field_by_name(item.name).is_some(),
                "{}",
                item.name
            );
        }
    }

    #[test]
    fn the_form_reads_back_into_the_update_it_came_from() {
        let e = pb::Employee {
            full_name: "Lê Thị Mỹ Hạnh".into(),
            sex: 2,
            height_cm: 158,
            party_admission_date: Some(tinhso_proto::common::v1::Date {
                year: 2010,
                month: 5,
                day: 19,
            }),
            ethnicity: "01".into(),
            ..Default::default()
        };
        let values = form_values(&e);
        assert_eq!(values["party_admission_date"], "19/05/2010");
        assert_eq!(values["sex"], "2");
        let form: HashMap<String, String> = values
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let page = Page::default();
        let r = update_request("e1", "\"3\"", &form, &page).expect("update");
        assert_eq!(r.id, "e1");
        assert_eq!(r.full_name.as_deref(), Some("Lê Thị Mỹ Hạnh"));
        assert_eq!(r.height_cm, Some(158));
        assert_eq!(r.ethnicity.as_deref(), Some("01"));
        assert_eq!(r.party_admission_date.map(|d| d.year), Some(2010));
        assert_eq!(r.recruitment_date, None, "an empty date is not sent");
        let mut bad = form.clone();
        bad.insert("birth_date".into(), "30/02/1990".into());
        bad.insert("height_cm".into(), "cao".into());
        let errors = update_request("e1", "", &bad, &page).expect_err("refused");
        assert!(errors.has("birth_date") && errors.has("height_cm"));
    }
}
