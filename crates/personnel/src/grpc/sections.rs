//! SectionService: the repeating, dated sections of a record. Entries are checked against the
//! catalogues, written with their line in the change query, and a newest salary step moves the
//! record's grade, step and coefficient in the same transaction.

use super::*;
use crate::domain::catalogues as cat;
use crate::domain::payslip::AllowanceBasis;
use pb::section_entry::Content;
use store::sections::SectionRow;
use tinhso_platform::ErrorCode;

fn section_name(content: &Content) -> &'static str {
    match content {
        Content::Training(_) => "training",
        Content::Work(_) => "work",
        Content::Family(_) => "family",
        Content::Salary(_) => "salary",
        Content::Allowance(_) => "allowance",
        Content::Award(_) => "award",
        Content::Discipline(_) => "discipline",
        Content::Assessment(_) => "assessment",
        Content::NotCounted(_) => "not_counted",
    }
}

fn section_filter(section: i32) -> Option<String> {
    pb::Section::try_from(section)
        .ok()
        .filter(|s| *s != pb::Section::Unspecified)
        .map(|s| enum_text(s.as_str_name(), "SECTION_"))
}

fn section_pb(s: &SectionRow) -> pb::SectionEntry {
    let d = |v: &Option<String>| date_of(v);
    let int = |v: i64| i32::try_from(v).unwrap_or_default();
    let content = match s.section.as_str() {
        "training" => Content::Training(pb::TrainingEntry {
            from_date: d(&s.from_date),
            to_date: d(&s.to_date),
            kind: s.code.clone(),
            institution: s.organisation.clone(),
            major: s.title.clone(),
            mode: s.details.clone(),
            qualification: s.qualification.clone(),
            hours: int(s.amount),
            course_id: s.ref_id.clone(),
        }),
        "work" => Content::Work(pb::WorkEntry {
            from_date: d(&s.from_date),
            to_date: d(&s.to_date),
            position: s.title.clone(),
            organisation: s.organisation.clone(),
            note: s.details.clone(),
        }),
        "family" => Content::Family(pb::FamilyEntry {
            relationship: s.code.clone(),
            full_name: s.title.clone(),
            birth_year: int(s.amount),
            details: s.details.clone(),
        }),
        "salary" => Content::Salary(pb::SalaryEntry {
            effective_date: d(&s.from_date),
            grade_code: s.code.clone(),
            step: int(s.amount),
            coefficient: int(s.amount2),
            decision_number: s.decision_number.clone(),
            decision_date: d(&s.decision_date),
            note: s.title.clone(),
            reason: s.details.clone(),
        }),
        "allowance" => Content::Allowance(pb::AllowanceEntry {
            kind: s.code.clone(),
            coefficient: int(s.amount),
            from_date: d(&s.from_date),
            to_date: d(&s.to_date),
            decision_number: s.decision_number.clone(),
            percent: int(s.amount2),
        }),
        "award" => Content::Award(pb::AwardEntry {
            kind: s.code.clone(),
            decision_number: s.decision_number.clone(),
            decision_date: d(&s.decision_date),
            issuer: s.organisation.clone(),
            reason: s.title.clone(),
        }),
        "assessment" => Content::Assessment(pb::AssessmentEntry {
            year: int(s.amount),
            rating: s.code.clone(),
            note: s.title.clone(),
        }),
        "not_counted" => Content::NotCounted(pb::NotCountedEntry {
            kind: s.code.clone(),
            from_date: d(&s.from_date),
            to_date: d(&s.to_date),
            decision_number: s.decision_number.clone(),
            note: s.title.clone(),
        }),
        _ => Content::Discipline(pb::DisciplineEntry {
            kind: s.code.clone(),
            decision_number: s.decision_number.clone(),
            decision_date: d(&s.decision_date),
            from_date: d(&s.from_date),
            to_date: d(&s.to_date),
            reason: s.title.clone(),
        }),
    };
    pb::SectionEntry {
        id: s.id.clone(),
        employee_id: s.employee_id.clone(),
        section: from_text(&s.section, "SECTION_", pb::Section::from_str_name)
            .map_or(0, |v| v as i32),
        content: Some(content),
        etag: etag(s.version),
        record_time: Some(to_timestamp(s.recorded_at)),
        recorded_by: s.recorded_by.clone(),
    }
}

/// Collects the faults of one entry; every field is named `entry.<section>.<field>`.
struct Checker<'a> {
    prefix: String,
    today: &'a str,
    errors: Vec<AppError>,
}

impl Checker<'_> {
    fn field(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn text(&mut self, name: &str, value: &str, required: bool, max: usize) -> String {
        validate::text(&self.field(name), value, required, max)
            .map_err(|e| self.errors.push(e))
            .unwrap_or_default()
    }

    fn date(&mut self, name: &str, value: &SentDate, required: bool) -> Option<String> {
        let field = self.field(name);
        let checked = if required {
            tinhso_platform::api::required_date(value, &field).map(Some)
        } else {
            date_text(value, &field)
        };
        checked.map_err(|e| self.errors.push(e)).ok().flatten()
    }

    /// A date that has happened (decisions, births); the future is refused.
    fn past(&mut self, name: &str, value: &SentDate, required: bool) -> Option<String> {
        let text = self.date(name, value, required);
        if let Some(t) = &text
            && t.as_str() > self.today
        {
            self.errors.push(AppError::invalid(
                &self.field(name),
                ErrorCode::DateInFuture,
                "ngày không được ở tương lai",
                "the date must not be in the future",
            ));
        }
        text
    }

    /// `to` must not come before `from`.
    fn period(&mut self, from: &Option<String>, to: &Option<String>, to_name: &str) {
        if let (Some(a), Some(b)) = (from, to)
            && b < a
        {
            self.errors.push(AppError::invalid(
                &self.field(to_name),
                ErrorCode::DateOrder,
                "ngày kết thúc phải sau ngày bắt đầu",
                "the end must come after the start",
            ));
        }
    }

    fn range(&mut self, name: &str, value: i32, range: std::ops::RangeInclusive<i32>) -> i64 {
        if !range.contains(&value) {
            self.errors.push(AppError::invalid(
                &self.field(name),
                ErrorCode::OutOfRange,
                &format!("giá trị phải từ {} đến {}", range.start(), range.end()),
                "value out of range",
            ));
        }
        i64::from(value)
    }

    fn required_code(&mut self, name: &str, value: &str) -> String {
        self.text(name, value, true, 32)
    }
}

type SentDate = Option<tinhso_proto::common::v1::Date>;

/// A catalogue code an entry names: (catalogue, code, field).
type CodeToCheck = (&'static str, String, String);

/// The entry as a row, with the faults that need no lookup, and the catalogue codes to look up.
fn entry_row(content: &Content, today: &str) -> (SectionRow, Vec<AppError>, Vec<CodeToCheck>) {
    let section = section_name(content);
    let mut c = Checker {
        prefix: format!("entry.{section}."),
        today,
        errors: Vec::new(),
    };
    let mut row = SectionRow {
        section: section.into(),
        ..Default::default()
    };
    let mut codes = Vec::new();
    match content {
        Content::Training(t) => {
            row.code = c.required_code("kind", &t.kind);
            codes.push((cat::TRAINING_KIND, row.code.clone(), c.field("kind")));
            row.organisation = c.text("institution", &t.institution, true, 255);
            row.title = c.text("major", &t.major, false, 255);
            row.details = c.text("mode", &t.mode, false, 64);
            row.qualification = c.text("qualification", &t.qualification, false, 255);
            row.ref_id = c.text("course_id", &t.course_id, false, 64);
            row.from_date = c.date("from_date", &t.from_date, true);
            row.to_date = c.date("to_date", &t.to_date, false);
            c.period(&row.from_date, &row.to_date, "to_date");
            row.amount = c.range("hours", t.hours, 0..=10_000);
        }
        Content::Work(w) => {
            row.from_date = c.past("from_date", &w.from_date, true);
            row.to_date = c.date("to_date", &w.to_date, false);
            c.period(&row.from_date, &row.to_date, "to_date");
            row.title = c.text("position", &w.position, false, 255);
            row.organisation = c.text("organisation", &w.organisation, true, 255);
            row.details = c.text("note", &w.note, false, 500);
        }
        Content::Family(f) => {
            row.code = c.required_code("relationship", &f.relationship);
            codes.push((cat::RELATIONSHIP, row.code.clone(), c.field("relationship")));
            row.title = c.text("full_name", &f.full_name, true, 255);
            let this_year = today[..4].parse().unwrap_or(2100);
            if f.birth_year != 0 {
                row.amount = c.range("birth_year", f.birth_year, 1880..=this_year);
            }
            row.details = c.text("details", &f.details, false, 1000);
        }
        Content::Salary(s) => {
            row.from_date = c.date("effective_date", &s.effective_date, true);
            row.code = c.required_code("grade_code", &s.grade_code);
            row.amount = c.range("step", s.step, 1..=20);
            row.amount2 = c.range("coefficient", s.coefficient, 0..=2000);
            row.decision_number = c.text("decision_number", &s.decision_number, false, 64);
            row.decision_date = c.past("decision_date", &s.decision_date, false);
            row.title = c.text("note", &s.note, false, 500);
            row.details = c.text("reason", &s.reason, false, 32);
            codes.push((
                cat::SALARY_CHANGE_REASON,
                row.details.clone(),
                c.field("reason"),
            ));
        }
        Content::Allowance(a) => {
            row.code = c.required_code("kind", &a.kind);
            codes.push((cat::ALLOWANCE_TYPE, row.code.clone(), c.field("kind")));
            // Which of the two the kind needs is checked once the kind is looked up.
            row.amount = c.range("coefficient", a.coefficient, 0..=1000);
            row.amount2 = c.range("percent", a.percent, 0..=100);
            row.from_date = c.date("from_date", &a.from_date, true);
            row.to_date = c.date("to_date", &a.to_date, false);
            c.period(&row.from_date, &row.to_date, "to_date");
            row.decision_number = c.text("decision_number", &a.decision_number, false, 64);
        }
        Content::Award(a) => {
            row.code = c.required_code("kind", &a.kind);
            codes.push((cat::AWARD_KIND, row.code.clone(), c.field("kind")));
            row.decision_number = c.text("decision_number", &a.decision_number, true, 64);
            row.decision_date = c.past("decision_date", &a.decision_date, true);
            row.organisation = c.text("issuer", &a.issuer, false, 255);
            row.title = c.text("reason", &a.reason, false, 500);
        }
        Content::Assessment(a) => {
            let this_year = today[..4].parse().unwrap_or(2100);
            row.amount = c.range("year", a.year, 1975..=this_year);
            row.code = c.required_code("rating", &a.rating);
            codes.push((cat::ASSESSMENT_RATING, row.code.clone(), c.field("rating")));
            row.title = c.text("note", &a.note, false, 1000);
        }
        Content::NotCounted(n) => {
            row.code = c.required_code("kind", &n.kind);
            codes.push((cat::NOT_COUNTED_KIND, row.code.clone(), c.field("kind")));
            row.from_date = c.date("from_date", &n.from_date, true);
            row.to_date = c.date("to_date", &n.to_date, true);
            c.period(&row.from_date, &row.to_date, "to_date");
            row.decision_number = c.text("decision_number", &n.decision_number, false, 64);
            row.title = c.text("note", &n.note, false, 500);
        }
        Content::Discipline(d) => {
            row.code = c.required_code("kind", &d.kind);
            codes.push((cat::DISCIPLINE_KIND, row.code.clone(), c.field("kind")));
            row.decision_number = c.text("decision_number", &d.decision_number, true, 64);
            row.decision_date = c.past("decision_date", &d.decision_date, true);
            row.from_date = c
                .date("from_date", &d.from_date, false)
                .or_else(|| row.decision_date.clone());
            row.to_date = c.date("to_date", &d.to_date, false);
            c.period(&row.from_date, &row.to_date, "to_date");
            row.title = c.text("reason", &d.reason, false, 500);
        }
    }
    codes.retain(|(_, code, _)| !code.is_empty());
    (row, c.errors, codes)
}

/// An allowance is either a coefficient or a percentage, as its kind is paid: the one the kind
/// needs must be entered and the other left at 0.
fn allowance_amount_fault(
    basis: AllowanceBasis,
    coefficient: i64,
    percent: i64,
) -> Option<AppError> {
    if basis.is_percent() {
        (percent == 0 || coefficient != 0).then(|| {
            AppError::invalid(
                "entry.allowance.percent",
                ErrorCode::AllowanceBasis,
                "phụ cấp này tính theo tỷ lệ phần trăm: nhập tỷ lệ (%) và để hệ số bằng 0",
                "this allowance is a percentage: enter the percent and leave the coefficient at 0",
            )
        })
    } else {
        (coefficient == 0 || percent != 0).then(|| {
            AppError::invalid(
                "entry.allowance.coefficient",
                ErrorCode::AllowanceBasis,
                "phụ cấp này tính theo hệ số: nhập hệ số và để tỷ lệ (%) bằng 0",
                "this allowance is a coefficient: enter the coefficient and leave the percent at 0",
            )
        })
    }
}

impl Api {
    /// Who may change a section of a record in `unit_path`: its writers, and for salary history
    /// and allowances also Finance's salary managers.
    fn require_section_write(
        &self,
        p: &Principal,
        section: &str,
        unit_path: &str,
    ) -> AppResult<()> {
        if matches!(section, "salary" | "allowance") && p.can(SALARY, unit_path) {
            return Ok(());
        }
        p.require(WRITE, unit_path)
    }

    /// Validates `content` fully, looking codes and the step table up in `tx`.
    async fn checked_entry(&self, tx: &mut Tx, content: Option<&Content>) -> AppResult<SectionRow> {
        let Some(content) = content else {
            return Err(AppError::invalid(
                "entry",
                ErrorCode::Required,
                "chưa nhập nội dung (đào tạo, công tác, gia đình, lương, phụ cấp, khen thưởng \
                 hoặc kỷ luật)",
                "the entry's content is required",
            ));
        };
        let (mut row, mut errors, codes) = entry_row(content, &self.today());
        for (catalogue, code, field) in codes {
            if let Err(e) = known_code(&*tx, catalogue, &code, &field).await {
                errors.push(e);
            }
        }
        if row.section == "allowance" && errors.is_empty() {
            let kind = store::catalogues::entry(&*tx, cat::ALLOWANCE_TYPE, &row.code).await?;
            let basis =
                AllowanceBasis::from_attribute(&kind.map(|k| k.attribute).unwrap_or_default());
            if let Some(e) = allowance_amount_fault(basis, row.amount, row.amount2) {
                errors.push(e);
            }
        }
        if row.section == "salary" && !row.code.is_empty() {
            let mut coefficient = row.amount2;
            check_grade_step(
                &*tx,
                &row.code,
                row.amount,
                &mut coefficient,
                "entry.salary.",
                &mut errors,
            )
            .await?;
            row.amount2 = coefficient;
        }
        all_violations(errors)?;
        Ok(row)
    }

    /// Starts the salary history of a new record with the grade and step it was entered on, from
    /// its step date (or recruitment date); without either date there is nothing to date it by.
    pub(super) async fn open_salary_history(
        &self,
        tx: &mut Tx,
        p: &Principal,
        record: &EmployeeRow,
        now: i64,
    ) -> AppResult<()> {
        let from = record
            .step_date
            .clone()
            .or_else(|| record.recruitment_date.clone());
        if record.grade_code.is_empty() || record.step == 0 || from.is_none() {
            return Ok(());
        }
        let row = SectionRow {
            id: uuid::Uuid::now_v7().to_string(),
            employee_id: record.id.clone().into(),
            section: "salary".into(),
            code: record.grade_code.clone(),
            amount: record.step,
            amount2: record.coefficient,
            from_date: from,
            title: "Khi nhập hồ sơ".into(),
            // Part of the hire, not a later change (the compliance check skips it).
            ref_id: "opening".into(),
            version: 1,
            recorded_at: now,
            recorded_by: p.username.clone(),
            updated_at: now,
            ..Default::default()
        };
        store::sections::insert(tx, &row).await?;
        store::sections::record_change(tx, None, &row, &p.account_id, &p.username, now).await?;
        Ok(())
    }

    /// An entry in force that the caller may change, at the version they sent.
    async fn changeable_entry(
        &self,
        tx: &mut Tx,
        p: &Principal,
        id: &str,
        sent_etag: &str,
    ) -> AppResult<SectionRow> {
        let entry = store::sections::get(&*tx, id)
            .await?
            .filter(|s| !s.removed)
            .ok_or_else(|| AppError::not_found("mục hồ sơ", "section entry").with_field("id"))?;
        let record = self.record(tx, &entry.employee_id).await?;
        self.require_section_write(p, &entry.section, &record.unit_path)?;
        check_etag(sent_etag, entry.version)?;
        Ok(entry)
    }

    /// Writes a changed (or withdrawn) entry with its line in the change query; a salary entry
    /// moves the record with it.
    async fn save_entry(
        &self,
        tx: &mut Tx,
        p: &Principal,
        before: &SectionRow,
        after: &SectionRow,
        now: i64,
    ) -> AppResult<()> {
        if !store::sections::update(tx, after, before.version).await? {
            return Err(AppError::stale_etag());
        }
        store::sections::record_change(tx, Some(before), after, &p.account_id, &p.username, now)
            .await?;
        if after.section == "salary" {
            self.follow_salary_history(tx, p, &after.employee_id, now)
                .await?;
        }
        Ok(())
    }

    /// Moves the record's grade, step and coefficient to its newest salary entry when they differ,
    /// with the change record and the `employee.updated` event.
    async fn follow_salary_history(
        &self,
        tx: &mut Tx,
        p: &Principal,
        employee_id: &str,
        now: i64,
    ) -> AppResult<()> {
        let entries = store::sections::of_employee(&*tx, employee_id, Some("salary")).await?;
        let Some(newest) = entries
            .iter()
            .max_by(|a, b| (&a.from_date, a.recorded_at).cmp(&(&b.from_date, b.recorded_at)))
        else {
            return Ok(());
        };
        let before = self.record(tx, employee_id).await?;
        let mut after = before.clone();
        if after.grade_code != newest.code {
            after.grade_date = newest.from_date.clone();
        }
        after.grade_code = newest.code.clone();
        after.step = newest.amount;
        after.coefficient = newest.amount2;
        after.step_date = newest.from_date.clone();
        self.save_record(tx, p, &before, after, "updated", now)
            .await?;
        Ok(())
    }
}

#[tonic::async_trait]
impl pb::section_service_server::SectionService for Api {
    async fn list_section_entries(
        &self,
        request: Request<pb::ListSectionEntriesRequest>,
    ) -> Reply<pb::ListSectionEntriesResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let (record, whole) = self.salary_readable_record(&p, &r.employee_id).await?;
            let section = section_filter(r.section);
            // A salary reader sees the salary history and the allowances, nothing else.
            let salary_part = |s: &str| matches!(s, "salary" | "allowance");
            if !whole && section.as_deref().is_some_and(|s| !salary_part(s)) {
                return Err(AppError::permission_denied());
            }
            let mut rows =
                store::sections::of_employee(&self.0.db.pool, &record.id, section.as_deref())
                    .await?;
            if !whole {
                rows.retain(|s| salary_part(&s.section));
            }
            Ok(Response::new(pb::ListSectionEntriesResponse {
                entries: rows.iter().map(section_pb).collect(),
            }))
        })
        .await
    }

    async fn add_section_entry(
        &self,
        request: Request<pb::AddSectionEntryRequest>,
    ) -> Reply<pb::SectionEntry> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let entry = r.entry.unwrap_or_default();
            let mut tx = self.0.db.begin().await?;
            let record = store::employees::get(&tx, &r.employee_id)
                .await?
                .ok_or_else(|| {
                    AppError::not_found("hồ sơ", "employee record").with_field("employee_id")
                })?;
            if let Some(content) = &entry.content {
                self.require_section_write(&p, section_name(content), &record.unit_path)?;
            } else {
                p.require(WRITE, &record.unit_path)?;
            }
            let mut row = self.checked_entry(&mut tx, entry.content.as_ref()).await?;
            self.check_early_raise(&mut tx, &record, &row).await?;
            let now = self.now();
            row.id = uuid::Uuid::now_v7().to_string();
            row.employee_id = record.id.clone().into();
            row.version = 1;
            row.recorded_at = now;
            row.recorded_by = p.username.clone();
            row.updated_at = now;
            store::sections::insert(&mut tx, &row).await?;
            store::sections::record_change(&mut tx, None, &row, &p.account_id, &p.username, now)
                .await?;
            if row.section == "salary" {
                self.follow_salary_history(&mut tx, &p, &record.id, now)
                    .await?;
            }
            self.commit(tx).await?;
            Ok(Response::new(section_pb(&row)))
        })
        .await
    }

    async fn update_section_entry(
        &self,
        request: Request<pb::UpdateSectionEntryRequest>,
    ) -> Reply<pb::SectionEntry> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let mut tx = self.0.db.begin().await?;
            let before = self.changeable_entry(&mut tx, &p, &r.id, &r.etag).await?;
            let content = r.entry.and_then(|e| e.content);
            if let Some(c) = &content
                && section_name(c) != before.section
            {
                return Err(AppError::invalid(
                    "entry",
                    ErrorCode::SectionChanged,
                    "không đổi được loại mục; hãy rút mục này và thêm mục mới",
                    "an entry cannot change section; withdraw it and add a new one",
                ));
            }
            let checked = self.checked_entry(&mut tx, content.as_ref()).await?;
            let now = self.now();
            let after = SectionRow {
                id: before.id.clone(),
                employee_id: before.employee_id.clone(),
                version: before.version + 1,
                recorded_at: before.recorded_at,
                recorded_by: before.recorded_by.clone(),
                updated_at: now,
                ..checked
            };
            let record = self.record(&mut tx, &before.employee_id).await?;
            self.check_early_raise(&mut tx, &record, &after).await?;
            self.save_entry(&mut tx, &p, &before, &after, now).await?;
            self.commit(tx).await?;
            Ok(Response::new(section_pb(&after)))
        })
        .await
    }

    async fn remove_section_entry(
        &self,
        request: Request<pb::RemoveSectionEntryRequest>,
    ) -> Reply<pb::RemoveSectionEntryResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let mut tx = self.0.db.begin().await?;
            let before = self.changeable_entry(&mut tx, &p, &r.id, &r.etag).await?;
            let now = self.now();
            let after = SectionRow {
                removed: true,
                version: before.version + 1,
                updated_at: now,
                ..before.clone()
            };
            self.save_entry(&mut tx, &p, &before, &after, now).await?;
            self.commit(tx).await?;
            Ok(Response::new(pb::RemoveSectionEntryResponse {}))
        })
        .await
    }
}
