//! The repeating sections of a record (2C-BNV): training, work history, family, salary history,
//! allowances, awards and discipline. Each section is described once as data — its fields, their
//! kinds and labels — and the same description draws the record page's tables, the add form,
//! reads the form back and names each field's problem.

use crate::pages::employees::{coefficient, date, parse_date};
use crate::web::{Confirm, Ctx, Errors, Failure, FieldError, Page, render};
use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use tinhso_proto::personnel::v1 as pb;
use tinhso_proto::personnel::v1::catalogue_service_client::CatalogueServiceClient;
use tinhso_proto::personnel::v1::employee_service_client::EmployeeServiceClient;
use tinhso_proto::personnel::v1::section_entry::Content;
use tinhso_proto::personnel::v1::section_service_client::SectionServiceClient;

/// How a field is typed in and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    LongText,
    /// dd/mm/yyyy.
    Date,
    Number,
    /// A coefficient with the decimal comma ("0,50"), kept in hundredths.
    Coefficient,
    /// A code of the named catalogue, chosen from its entries.
    Catalogue(&'static str),
}

pub struct FieldSpec {
    pub name: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
    pub kind: Kind,
    pub required: bool,
}

pub struct SectionSpec {
    /// The section's address on the record: /ho-so/{id}/muc/{slug}.
    pub slug: &'static str,
    pub section: pb::Section,
    pub vi: &'static str,
    pub en: &'static str,
    pub fields: &'static [FieldSpec],
}

const fn f(
    name: &'static str,
    vi: &'static str,
    en: &'static str,
    kind: Kind,
    required: bool,
) -> FieldSpec {
    FieldSpec {
        name,
        vi,
        en,
        kind,
        required,
    }
}

use Kind::{Catalogue, Coefficient, Date, LongText, Number, Text};

/// The sections in the order of the form.
pub const SECTIONS: &[SectionSpec] = &[
    SectionSpec {
        slug: "dao-tao",
        section: pb::Section::Training,
        vi: "Đào tạo, bồi dưỡng",
        en: "Training",
        fields: &[
            f("from_date", "Từ ngày", "From", Date, true),
            f("to_date", "Đến ngày", "To", Date, false),
            f("kind", "Loại", "Kind", Catalogue("training_kind"), true),
            f("institution", "Cơ sở đào tạo", "Institution", Text, true),
            f(
                "major",
                "Chuyên ngành, nội dung",
                "Major, content",
                Text,
                false,
            ),
            f("mode", "Hình thức", "Mode", Text, false),
            f(
                "qualification",
                "Văn bằng, chứng chỉ",
                "Qualification",
                Text,
                false,
            ),
            f("hours", "Số tiết", "Hours", Number, false),
        ],
    },
    SectionSpec {
        slug: "cong-tac",
        section: pb::Section::Work,
        vi: "Quá trình công tác",
        en: "Work history",
        fields: &[
            f("from_date", "Từ ngày", "From", Date, true),
            f("to_date", "Đến ngày", "To", Date, false),
            f("position", "Chức danh, chức vụ", "Position", Text, false),
            f(
                "organisation",
                "Đơn vị công tác",
                "Organisation",
                Text,
                true,
            ),
            f("note", "Ghi chú", "Note", LongText, false),
        ],
    },
    SectionSpec {
        slug: "gia-dinh",
        section: pb::Section::Family,
        vi: "Quan hệ gia đình",
        en: "Family",
        fields: &[
            f(
                "relationship",
                "Quan hệ",
                "Relationship",
                Catalogue("relationship"),
                true,
            ),
            f("full_name", "Họ và tên", "Full name", Text, true),
            f("birth_year", "Năm sinh", "Year of birth", Number, false),
            f(
                "details",
                "Quê quán, nghề nghiệp, chức danh, đơn vị công tác, nơi ở",
                "Home town, occupation, position, workplace, residence",
                LongText,
                false,
            ),
        ],
    },
    SectionSpec {
        slug: "luong",
        section: pb::Section::Salary,
        vi: "Diễn biến lương",
        en: "Salary history",
        fields: &[
            f("effective_date", "Từ ngày", "From", Date, true),
            f("grade_code", "Mã ngạch", "Grade code", Text, true),
            f("step", "Bậc", "Step", Number, true),
            f("coefficient", "Hệ số", "Coefficient", Coefficient, false),
            f(
                "decision_number",
                "Số quyết định",
                "Decision number",
                Text,
                false,
            ),
            f(
                "decision_date",
                "Ngày quyết định",
                "Decision date",
                Date,
                false,
            ),
            f(
                "reason",
                "Lý do",
                "Reason",
                Catalogue("salary_change_reason"),
                false,
            ),
            f("note", "Ghi chú", "Note", LongText, false),
        ],
    },
    SectionSpec {
        slug: "phu-cap",
        section: pb::Section::Allowance,
        vi: "Phụ cấp",
        en: "Allowances",
        fields: &[
            f(
                "kind",
                "Loại phụ cấp",
                "Kind",
                Catalogue("allowance_type"),
                true,
            ),
            // A kind is paid either as a coefficient or as a percentage (its catalogue
            // attribute); the service says which one is missing.
            f("coefficient", "Hệ số", "Coefficient", Coefficient, false),
            f("percent", "Tỷ lệ (%)", "Percent", Number, false),
            f("from_date", "Từ ngày", "From", Date, true),
            f("to_date", "Đến ngày", "To", Date, false),
            f(
                "decision_number",
                "Số quyết định",
                "Decision number",
                Text,
                false,
            ),
        ],
    },
    SectionSpec {
        slug: "khen-thuong",
        section: pb::Section::Award,
        vi: "Khen thưởng",
        en: "Awards",
        fields: &[
            f("kind", "Hình thức", "Kind", Catalogue("award_kind"), true),
            f(
                "decision_number",
                "Số quyết định",
                "Decision number",
                Text,
                true,
            ),
            f(
                "decision_date",
                "Ngày quyết định",
                "Decision date",
                Date,
                true,
            ),
            f("issuer", "Cấp quyết định", "Issued by", Text, false),
            f("reason", "Lý do", "Reason", LongText, false),
        ],
    },
    SectionSpec {
        slug: "ky-luat",
        section: pb::Section::Discipline,
        vi: "Kỷ luật",
        en: "Discipline",
        fields: &[
            f(
                "kind",
                "Hình thức",
                "Kind",
                Catalogue("discipline_kind"),
                true,
            ),
            f(
                "decision_number",
                "Số quyết định",
                "Decision number",
                Text,
                true,
            ),
            f(
                "decision_date",
                "Ngày quyết định",
                "Decision date",
                Date,
                true,
            ),
            f("from_date", "Có hiệu lực từ", "In effect from", Date, false),
            f("to_date", "Đến ngày", "Until", Date, false),
            f("reason", "Lý do", "Reason", LongText, false),
        ],
    },
    SectionSpec {
        slug: "danh-gia",
        section: pb::Section::Assessment,
        vi: "Đánh giá, xếp loại hằng năm",
        en: "Yearly assessment",
        fields: &[
            f("year", "Năm", "Year", Number, true),
            f(
                "rating",
                "Xếp loại",
                "Rating",
                Catalogue("assessment_rating"),
                true,
            ),
            f("note", "Ghi chú", "Note", LongText, false),
        ],
    },
    SectionSpec {
        slug: "khong-tinh-nang-luong",
        section: pb::Section::NotCounted,
        vi: "Thời gian không tính nâng bậc lương",
        en: "Time not counted toward raises",
        fields: &[
            f("kind", "Loại", "Kind", Catalogue("not_counted_kind"), true),
            f("from_date", "Từ ngày", "From", Date, true),
            f("to_date", "Đến ngày", "To", Date, true),
            f(
                "decision_number",
                "Số quyết định",
                "Decision number",
                Text,
                false,
            ),
            f("note", "Ghi chú", "Note", LongText, false),
        ],
    },
];

pub fn spec(slug: &str) -> Option<&'static SectionSpec> {
    SECTIONS.iter().find(|s| s.slug == slug)
}

fn spec_of(section: i32) -> Option<&'static SectionSpec> {
    SECTIONS.iter().find(|s| s.section as i32 == section)
}

/// The catalogues the sections name, code -> name, for showing and choosing.
pub type Names = HashMap<&'static str, Vec<(String, String)>>;

/// The catalogues the sections name.
fn section_catalogues() -> Vec<&'static str> {
    SECTIONS
        .iter()
        .flat_map(|s| s.fields.iter())
        .filter_map(|f| match f.kind {
            Catalogue(name) => Some(name),
            _ => None,
        })
        .collect()
}

/// The entries of catalogues `wanted`: from this replica's copy when it is under a minute old,
/// else fetched at once (a catalogue that fails is left empty: its codes then show as they are).
pub async fn catalogues(ctx: &Ctx, mut wanted: Vec<&'static str>) -> Names {
    wanted.sort_unstable();
    wanted.dedup();
    let now = ctx.console.clock.now_ms();
    let mut names = Names::new();
    if let Ok(cache) = ctx.console.catalogue_cache.lock() {
        wanted.retain(|name| match cache.get(*name) {
            Some((at, entries)) if now - at < crate::CATALOGUE_TTL_MS => {
                names.insert(name, entries.clone());
                false
            }
            _ => true,
        });
    }
    let calls = wanted.iter().map(|name| {
        let mut client = CatalogueServiceClient::new(ctx.console.personnel.clone());
        let request = ctx.request(pb::ListCatalogueEntriesRequest {
            catalogue: (*name).to_string(),
            include_retired: true,
        });
        async move { client.list_catalogue_entries(request).await }
    });
    let replies = futures_util::future::join_all(calls).await;
    let mut cache = ctx.console.catalogue_cache.lock().ok();
    for (name, reply) in wanted.into_iter().zip(replies) {
        let Ok(reply) = reply else {
            names.insert(name, Vec::new());
            continue;
        };
        let entries: Vec<(String, String)> = reply
            .into_inner()
            .entries
            .into_iter()
            .map(|e| (e.code, e.name))
            .collect();
        if let Some(cache) = cache.as_mut() {
            cache.insert(name.to_string(), (now, entries.clone()));
        }
        names.insert(name, entries);
    }
    names
}

/// An entry's values by field name, as typed in the form.
fn values(content: &Content) -> HashMap<&'static str, String> {
    let d = |x: &Option<tinhso_proto::common::v1::Date>| date(x.as_ref());
    let n = |x: i32| if x == 0 { String::new() } else { x.to_string() };
    let pairs: Vec<(&'static str, String)> = match content {
        Content::Training(t) => vec![
            ("from_date", d(&t.from_date)),
            ("to_date", d(&t.to_date)),
            ("kind", t.kind.clone()),
            ("institution", t.institution.clone()),
            ("major", t.major.clone()),
            ("mode", t.mode.clone()),
            ("qualification", t.qualification.clone()),
            ("hours", n(t.hours)),
        ],
        Content::Work(w) => vec![
            ("from_date", d(&w.from_date)),
            ("to_date", d(&w.to_date)),
            ("position", w.position.clone()),
            ("organisation", w.organisation.clone()),
            ("note", w.note.clone()),
        ],
        Content::Family(x) => vec![
            ("relationship", x.relationship.clone()),
            ("full_name", x.full_name.clone()),
            ("birth_year", n(x.birth_year)),
            ("details", x.details.clone()),
        ],
        Content::Salary(s) => vec![
            ("effective_date", d(&s.effective_date)),
            ("grade_code", s.grade_code.clone()),
            ("step", n(s.step)),
            ("coefficient", coefficient(s.coefficient)),
            ("decision_number", s.decision_number.clone()),
            ("decision_date", d(&s.decision_date)),
            ("reason", s.reason.clone()),
            ("note", s.note.clone()),
        ],
        Content::Allowance(a) => vec![
            ("kind", a.kind.clone()),
            ("coefficient", coefficient(a.coefficient)),
            ("percent", n(a.percent)),
            ("from_date", d(&a.from_date)),
            ("to_date", d(&a.to_date)),
            ("decision_number", a.decision_number.clone()),
        ],
        Content::Award(a) => vec![
            ("kind", a.kind.clone()),
            ("decision_number", a.decision_number.clone()),
            ("decision_date", d(&a.decision_date)),
            ("issuer", a.issuer.clone()),
            ("reason", a.reason.clone()),
        ],
        Content::Assessment(a) => vec![
            ("year", n(a.year)),
            ("rating", a.rating.clone()),
            ("note", a.note.clone()),
        ],
        Content::NotCounted(x) => vec![
            ("kind", x.kind.clone()),
            ("from_date", d(&x.from_date)),
            ("to_date", d(&x.to_date)),
            ("decision_number", x.decision_number.clone()),
            ("note", x.note.clone()),
        ],
        Content::Discipline(x) => vec![
            ("kind", x.kind.clone()),
            ("decision_number", x.decision_number.clone()),
            ("decision_date", d(&x.decision_date)),
            ("from_date", d(&x.from_date)),
            ("to_date", d(&x.to_date)),
            ("reason", x.reason.clone()),
        ],
    };
    pairs.into_iter().collect()
}

/// "0,50" or "0.5" -> 50 hundredths.
pub fn parse_coefficient(text: &str) -> Option<i32> {
    let text = text.trim().replace(',', ".");
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty() || frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i32 = whole.parse().ok().filter(|w: &i32| (0..=100).contains(w))?;
    let frac: i32 = format!("{frac:0<2}").parse().ok()?;
    Some(whole * 100 + frac)
}

/// Reads the form into an entry of `spec`'s section; the problems the console can see itself
/// (a date or number that is not one, a required field left empty) are named at their fields.
fn content_of(
    spec: &SectionSpec,
    form: &HashMap<String, String>,
    page: &Page,
) -> Result<Content, Errors> {
    let mut errors = Vec::new();
    let text = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    for field in spec.fields {
        let value = text(field.name);
        let problem = if value.is_empty() {
            field.required.then(|| {
                page.t("Thông tin này là bắt buộc.", "This is required.")
                    .to_string()
            })
        } else {
            match field.kind {
                Date if parse_date(&value).is_none() => Some(
                    page.t(
                        "Hãy nhập một ngày có thật, dạng ngày/tháng/năm, ví dụ 01/09/2015.",
                        "Enter a real date as day/month/year, e.g. 01/09/2015.",
                    )
                    .to_string(),
                ),
                Number if value.parse::<i32>().is_err() => Some(
                    page.t("Hãy nhập một số nguyên.", "Enter a whole number.")
                        .to_string(),
                ),
                Coefficient if parse_coefficient(&value).is_none() => Some(
                    page.t(
                        "Hãy nhập hệ số có tối đa 2 chữ số thập phân, ví dụ 0,50.",
                        "Enter a coefficient with at most 2 decimals, e.g. 0,50.",
                    )
                    .to_string(),
                ),
                _ => None,
            }
        };
        if let Some(message) = problem {
            errors.push(FieldError {
                field: field.name.into(),
                message,
            });
        }
    }
    if !errors.is_empty() {
        return Err(Errors(errors));
    }
    let d = |name: &str| parse_date(&text(name));
    let n = |name: &str| text(name).parse::<i32>().unwrap_or(0);
    let c = |name: &str| parse_coefficient(&text(name)).unwrap_or(0);
    Ok(match spec.section {
        pb::Section::Training => Content::Training(pb::TrainingEntry {
            from_date: d("from_date"),
            to_date: d("to_date"),
            kind: text("kind"),
            institution: text("institution"),
            major: text("major"),
            mode: text("mode"),
            qualification: text("qualification"),
            hours: n("hours"),
            course_id: String::new(),
        }),
        pb::Section::Work => Content::Work(pb::WorkEntry {
            from_date: d("from_date"),
            to_date: d("to_date"),
            position: text("position"),
            organisation: text("organisation"),
            note: text("note"),
        }),
        pb::Section::Family => Content::Family(pb::FamilyEntry {
            relationship: text("relationship"),
            full_name: text("full_name"),
            birth_year: n("birth_year"),
            details: text("details"),
        }),
        pb::Section::Salary => Content::Salary(pb::SalaryEntry {
            effective_date: d("effective_date"),
            grade_code: text("grade_code"),
            step: n("step"),
            coefficient: c("coefficient"),
            decision_number: text("decision_number"),
            decision_date: d("decision_date"),
            note: text("note"),
            reason: text("reason"),
        }),
        pb::Section::Allowance => Content::Allowance(pb::AllowanceEntry {
            kind: text("kind"),
            coefficient: c("coefficient"),
            from_date: d("from_date"),
            to_date: d("to_date"),
            decision_number: text("decision_number"),
            percent: n("percent"),
        }),
        pb::Section::Award => Content::Award(pb::AwardEntry {
            kind: text("kind"),
            decision_number: text("decision_number"),
            decision_date: d("decision_date"),
            issuer: text("issuer"),
            reason: text("reason"),
        }),
        pb::Section::Assessment => Content::Assessment(pb::AssessmentEntry {
            year: n("year"),
            rating: text("rating"),
            note: text("note"),
        }),
        pb::Section::NotCounted => Content::NotCounted(pb::NotCountedEntry {
            kind: text("kind"),
            from_date: d("from_date"),
            to_date: d("to_date"),
            decision_number: text("decision_number"),
            note: text("note"),
        }),
        pb::Section::Discipline | pb::Section::Unspecified => {
            Content::Discipline(pb::DisciplineEntry {
                kind: text("kind"),
                decision_number: text("decision_number"),
                decision_date: d("decision_date"),
                from_date: d("from_date"),
                to_date: d("to_date"),
                reason: text("reason"),
            })
        }
    })
}

/// A section as the record page shows it.
pub struct SectionView {
    pub slug: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
    pub columns: Vec<(&'static str, &'static str)>,
    pub rows: Vec<EntryView>,
    pub can_add: bool,
}

pub struct EntryView {
    pub id: String,
    pub cells: Vec<String>,
}

/// Every section of the record with its entries (names shown for catalogue codes).
pub async fn views(
    ctx: &Ctx,
    employee_id: &str,
    can_write: bool,
    can_write_salary: bool,
) -> Result<Vec<SectionView>, Failure> {
    let mut client = SectionServiceClient::new(ctx.console.personnel.clone());
    let (entries, names) = futures_util::join!(
        client.list_section_entries(ctx.request(pb::ListSectionEntriesRequest {
            employee_id: employee_id.to_string(),
            section: 0,
        })),
        catalogues(ctx, section_catalogues())
    );
    let entries = entries
        .map_err(|s| Failure::of(&s, ctx.page.lang))?
        .into_inner()
        .entries;
    Ok(SECTIONS
        .iter()
        .map(|spec| {
            let rows = entries
                .iter()
                .filter(|e| e.section == spec.section as i32)
                .filter_map(|e| {
                    let values = values(e.content.as_ref()?);
                    Some(EntryView {
                        id: e.id.clone(),
                        cells: spec
                            .fields
                            .iter()
                            .map(|field| {
                                let value = values.get(field.name).cloned().unwrap_or_default();
                                match field.kind {
                                    Catalogue(catalogue) => names
                                        .get(catalogue)
                                        .and_then(|list| list.iter().find(|(c, _)| *c == value))
                                        .map_or(value, |(_, name)| name.clone()),
                                    _ => value,
                                }
                            })
                            .collect(),
                    })
                })
                .collect();
            let salary = matches!(spec.section, pb::Section::Salary | pb::Section::Allowance);
            SectionView {
                slug: spec.slug,
                vi: spec.vi,
                en: spec.en,
                columns: spec.fields.iter().map(|f| (f.vi, f.en)).collect(),
                rows,
                can_add: can_write || (salary && can_write_salary),
            }
        })
        .collect())
}

/// A field of the add form with its choices (for catalogue fields) and the value typed.
pub struct InputView {
    pub name: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
    pub value: String,
    pub long: bool,
    pub date: bool,
    pub required: bool,
    pub choices: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "section_form.html")]
struct AddPage {
    page: Page,
    employee_id: String,
    name: String,
    slug: &'static str,
    vi: &'static str,
    en: &'static str,
    inputs: Vec<InputView>,
    errors: Errors,
}

async fn add_page(
    ctx: Ctx,
    employee_id: String,
    spec: &'static SectionSpec,
    form: HashMap<String, String>,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let employee = match EmployeeServiceClient::new(ctx.console.personnel.clone())
        .get_employee(ctx.request(pb::GetEmployeeRequest {
            id: employee_id.clone(),
        }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let names = catalogues(&ctx, section_catalogues()).await;
    let inputs = spec
        .fields
        .iter()
        .map(|field| InputView {
            name: field.name,
            vi: field.vi,
            en: field.en,
            value: form.get(field.name).cloned().unwrap_or_default(),
            long: field.kind == LongText,
            date: field.kind == Date,
            required: field.required,
            choices: match field.kind {
                Catalogue(catalogue) => names.get(catalogue).cloned().unwrap_or_default(),
                _ => Vec::new(),
            },
        })
        .collect();
    let body = AddPage {
        page: ctx.page.crumbs(&[
            (Some("/ho-so"), "Hồ sơ cán bộ", "Personnel records"),
            (None, spec.vi, spec.en),
        ]),
        employee_id,
        name: employee.full_name,
        slug: spec.slug,
        vi: spec.vi,
        en: spec.en,
        inputs,
        errors,
    };
    (status, render(&body)).into_response()
}

pub async fn add_form(ctx: Ctx, Path((id, slug)): Path<(String, String)>) -> Response {
    let Some(spec) = spec(&slug) else {
        return Failure::NotFound(String::new()).page(&ctx.page);
    };
    add_page(
        ctx,
        id,
        spec,
        HashMap::new(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn add(
    ctx: Ctx,
    Path((id, slug)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Some(spec) = spec(&slug) else {
        return Failure::NotFound(String::new()).page(&ctx.page);
    };
    let content = match content_of(spec, &form, &ctx.page) {
        Ok(c) => c,
        Err(errors) => {
            return add_page(ctx, id, spec, form, errors, StatusCode::BAD_REQUEST).await;
        }
    };
    let reply = SectionServiceClient::new(ctx.console.personnel.clone())
        .add_section_entry(ctx.request(pb::AddSectionEntryRequest {
            employee_id: id.clone(),
            entry: Some(pb::SectionEntry {
                section: spec.section as i32,
                content: Some(content),
                ..Default::default()
            }),
        }))
        .await;
    match reply {
        Ok(_) => Redirect::to(&format!("/ho-so/{id}?done=entry#{}", spec.slug)).into_response(),
        Err(status) => match Failure::of(&status, ctx.page.lang) {
            Failure::Fields(errors) => {
                add_page(ctx, id, spec, form, Errors(errors), StatusCode::BAD_REQUEST).await
            }
            other => other.page(&ctx.page),
        },
    }
}

/// Withdrawing an entry made in error: asked first, then done (it stays in the change history).
pub async fn confirm_remove(ctx: Ctx, Path((id, entry_id)): Path<(String, String)>) -> Response {
    let entries = match SectionServiceClient::new(ctx.console.personnel.clone())
        .list_section_entries(ctx.request(pb::ListSectionEntriesRequest {
            employee_id: id.clone(),
            section: 0,
        }))
        .await
    {
        Ok(r) => r.into_inner().entries,
        Err(s) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let Some(entry) = entries.into_iter().find(|e| e.id == entry_id) else {
        return Failure::NotFound(String::new()).page(&ctx.page);
    };
    let section = spec_of(entry.section).map_or("", |s| ctx.page.t(s.vi, s.en));
    let summary = entry
        .content
        .as_ref()
        .map(values)
        .map(|v| {
            let mut parts: Vec<String> = spec_of(entry.section)
                .map(|s| {
                    s.fields
                        .iter()
                        .filter_map(|f| v.get(f.name).filter(|x| !x.is_empty()).cloned())
                        .collect()
                })
                .unwrap_or_default();
            parts.truncate(4);
            parts.join(", ")
        })
        .unwrap_or_default();
    render(&Confirm {
        page: ctx.page.crumbs(&[
            (Some("/ho-so"), "Hồ sơ cán bộ", "Personnel records"),
            (None, "Gỡ mục", "Withdraw an entry"),
        ]),
        title_vi: "Gỡ mục nhập nhầm",
        title_en: "Withdraw an entry made in error",
        question_vi: "Mục này sẽ không còn trong hồ sơ (vẫn được lưu trong lịch sử thay đổi). Bạn chắc chắn?",
        question_en: "The entry leaves the record (the change history keeps it). Are you sure?",
        button_vi: "Gỡ mục",
        button_en: "Withdraw",
        subject: format!("{section}: {summary}"),
        action: format!("/ho-so/{id}/muc/{entry_id}/go"),
        etag: entry.etag,
        back: format!("/ho-so/{id}"),
        ask_reason: false,
    })
}

#[derive(serde::Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    etag: String,
}

pub async fn remove(
    ctx: Ctx,
    Path((id, entry_id)): Path<(String, String)>,
    Form(f): Form<RemoveForm>,
) -> Response {
    match SectionServiceClient::new(ctx.console.personnel.clone())
        .remove_section_entry(ctx.request(pb::RemoveSectionEntryRequest {
            id: entry_id,
            etag: f.etag,
        }))
        .await
    {
        Ok(_) => Redirect::to(&format!("/ho-so/{id}?done=removed")).into_response(),
        Err(s) => Failure::of(&s, ctx.page.lang).page(&ctx.page),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coefficients_are_read_with_either_decimal_mark() {
        assert_eq!(parse_coefficient("0,50"), Some(50));
        assert_eq!(parse_coefficient("0.5"), Some(50));
        assert_eq!(parse_coefficient("2,34"), Some(234));
        assert_eq!(parse_coefficient("1"), Some(100));
        assert_eq!(parse_coefficient("0,505"), None);
        assert_eq!(parse_coefficient("abc"), None);
        assert_eq!(parse_coefficient(",5"), None);
        assert_eq!(parse_coefficient("-1"), None);
    }

    #[test]
    fn every_section_is_described_once() {
        let mut slugs: Vec<_> = SECTIONS.iter().map(|s| s.slug).collect();
        slugs.sort_unstable();
        slugs.dedup();
        // Every section of the service but "unspecified".
        assert_eq!(slugs.len(), pb::Section::NotCounted as usize);
        for s in SECTIONS {
            assert!(spec_of(s.section as i32).is_some_and(|x| x.slug == s.slug));
        }
    }
}
