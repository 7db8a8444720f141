//! SalaryService: pay of a month, due raises and the monthly payroll with its schedule. The rules
//! are in `domain::salary` and `domain::payroll`; this file gathers their inputs from the record,
//! its salary, allowance and discipline entries, and the salary tables.

use super::*;
use crate::domain::payslip::{self, AllowanceBasis};
use crate::domain::{catalogues as cat, grades, payroll, retirement, salary};
use std::collections::HashMap;
use store::payroll::{PayLineRow, PayrollRow};
use store::sections::SectionRow;
use time::{Date, Month};
use tinhso_platform::ErrorCode;

/// The salary tables one request needs, read once.
struct SalaryTables {
    base: Vec<salary::BaseSalary>,
    /// Grade code -> salary group.
    grade_groups: HashMap<String, grades::GradeGroup>,
    steps: HashMap<grades::GradeGroup, grades::GroupSteps>,
    /// Discipline kind -> months it delays the next raise.
    discipline_delays: HashMap<String, u32>,
    /// Yearly rating -> months it delays the next raise.
    assessment_delays: HashMap<String, u32>,
    /// Allowance kind -> how it is paid.
    allowance_bases: HashMap<String, AllowanceBasis>,
    /// The holidays entered (lunar ones, the Prime Minister's extra days), for working days.
    holidays: tinhso_platform::vn::WorkingCalendar,
}

impl SalaryTables {
    async fn load(pool: &impl tinhso_platform::db::ConnectionTrait) -> AppResult<Self> {
        let grade_groups = store::catalogues::entries(pool, cat::GRADE, true)
            .await?
            .into_iter()
            .filter_map(|e| Some((e.code, grades::GradeGroup::from_code(&e.attribute)?)))
            .collect();
        let steps = store::catalogues::group_steps(pool)
            .await?
            .into_iter()
            .filter_map(|(group, coefficients)| {
                let g = grades::GradeGroup::from_code(&group)?;
                Some((
                    g.clone(),
                    grades::GroupSteps {
                        group: g,
                        coefficients,
                    },
                ))
            })
            .collect();
        let discipline_delays = store::catalogues::entries(pool, cat::DISCIPLINE_KIND, true)
            .await?
            .into_iter()
            .map(|e| (e.code, e.attribute.parse().unwrap_or(0)))
            .collect();
        let assessment_delays = store::catalogues::entries(pool, cat::ASSESSMENT_RATING, true)
            .await?
            .into_iter()
            .map(|e| (e.code, e.attribute.parse().unwrap_or(0)))
            .collect();
        let allowance_bases = store::catalogues::entries(pool, cat::ALLOWANCE_TYPE, true)
            .await?
            .into_iter()
            .map(|e| (e.code, AllowanceBasis::from_attribute(&e.attribute)))
            .collect();
        let holidays = tinhso_platform::vn::WorkingCalendar::new(
            store::catalogues::entries(pool, cat::HOLIDAY, false)
                .await?
                .iter()
                .filter_map(|e| tinhso_platform::api::parse_date(&e.code)),
        );
        Ok(Self {
            holidays,
            base: store::catalogues::base_salary_table(pool).await?,
            grade_groups,
            steps,
            discipline_delays,
            assessment_delays,
            allowance_bases,
        })
    }

    fn steps_of(&self, grade_code: &str) -> Option<&grades::GroupSteps> {
        self.steps.get(self.grade_groups.get(grade_code)?)
    }

    /// What delays a raise from `since` on, each with its date and half months: disciplines by
    /// their decision (discipline catalogue), years rated as not completing duties (12 months
    /// each, the rating catalogue) and time that does not count, from its start.
    fn dated_delays(&self, sections: &[SectionRow], since: Date) -> Vec<salary::DatedDelay> {
        let parse = |d: &Option<String>| d.as_deref().and_then(tinhso_platform::api::parse_date);
        sections
            .iter()
            .filter_map(|s| {
                let (on, delay) = match s.section.as_str() {
                    "discipline" => (
                        parse(&s.decision_date)?,
                        salary::months(self.discipline_delays.get(&s.code).copied().unwrap_or(0)),
                    ),
                    // A year's rating is given at its end (NĐ 90/2020: assessed in December).
                    "assessment" => (
                        Date::from_calendar_date(
                            i32::try_from(s.amount).ok()?,
                            Month::December,
                            31,
                        )
                        .ok()?,
                        salary::months(self.assessment_delays.get(&s.code).copied().unwrap_or(0)),
                    ),
                    "not_counted" => {
                        let (from, to) = (parse(&s.from_date)?, parse(&s.to_date)?);
                        // Only the part after the step was reached delays its raise.
                        let from = from.max(since);
                        (
                            from,
                            salary::not_counted(from, to, |d| self.is_working_day(d)),
                        )
                    }
                    _ => return None,
                };
                (on >= since && delay > 0).then_some((on, delay))
            })
            .collect()
    }

    fn is_working_day(&self, day: Date) -> bool {
        self.holidays.is_working_day(day) && !crate::domain::deadlines::is_fixed_holiday(day)
    }

    /// The half months the next regular raise waits, for what is dated in [since, until].
    fn delay_since(&self, sections: &[SectionRow], since: Date, until: Date) -> u32 {
        self.dated_delays(sections, since)
            .iter()
            .filter(|(on, _)| *on <= until)
            .map(|(_, months)| months)
            .sum()
    }
}

/// The newest salary entry that started by `on`, with its start.
fn salary_entry_in_force(sections: &[SectionRow], on: Date) -> Option<(&SectionRow, Date)> {
    sections
        .iter()
        .filter(|s| s.section == "salary")
        .filter_map(|s| {
            Some((
                s,
                tinhso_platform::api::parse_date(s.from_date.as_deref()?)?,
            ))
        })
        .filter(|(_, from)| *from <= on)
        .max_by_key(|(s, from)| (*from, s.recorded_at))
}

/// Grade, step, coefficient and since when, in force on `on`: the newest salary entry that
/// started by then, else the record's own fields.
fn salary_in_force(
    record: &EmployeeRow,
    sections: &[SectionRow],
    on: Date,
) -> (String, i64, i64, Option<Date>) {
    match salary_entry_in_force(sections, on) {
        Some((s, from)) => (s.code.clone(), s.amount, s.amount2, Some(from)),
        None => (
            record.grade_code.clone(),
            record.step,
            record.coefficient,
            record
                .step_date
                .as_deref()
                .and_then(tinhso_platform::api::parse_date),
        ),
    }
}

/// An allowance entry in force at some point of [first, last].
fn allowance_in_force(s: &SectionRow, first: Date, last: Date) -> bool {
    let parse = |d: &Option<String>| d.as_deref().and_then(tinhso_platform::api::parse_date);
    s.section == "allowance"
        && parse(&s.from_date).is_some_and(|from| from <= last)
        && parse(&s.to_date).is_none_or(|to| to >= first)
}

/// The pay of `record` for the month [first, last].
fn pay_line(
    tables: &SalaryTables,
    record: &EmployeeRow,
    sections: &[SectionRow],
    first: Date,
    last: Date,
) -> AppResult<PayLineRow> {
    let (grade_code, step, coefficient, since) = salary_in_force(record, sections, last);
    let (mut position, mut other, mut percent, mut insured_percent) = (0_i64, 0_i64, 0_i64, 0_i64);
    for a in sections
        .iter()
        .filter(|s| allowance_in_force(s, first, last))
    {
        let basis = tables.allowance_bases.get(&a.code).copied();
        match basis.unwrap_or(AllowanceBasis::Coefficient) {
            AllowanceBasis::Position => position += a.amount,
            AllowanceBasis::Coefficient => other += a.amount,
            AllowanceBasis::Percent => percent += a.amount2,
            AllowanceBasis::PercentInsured => insured_percent += a.amount2,
        }
    }
    let seniority = match (tables.steps_of(&grade_code), since) {
        (Some(steps), Some(since))
            if step >= i64::from(steps.top_step()) && steps.group.has_seniority_beyond_top() =>
        {
            let delays = tables.dated_delays(sections, since);
            salary::seniority_percent(&steps.group, since, first, &delays)
        }
        _ => 0,
    };
    let base = salary::base_salary_on(&tables.base, first).ok_or_else(|| {
        AppError::failed_precondition(
            ErrorCode::NoBaseSalary,
            "chưa có mức lương cơ sở áp dụng cho tháng này",
            "no base salary applies to this month",
        )
    })?;
    let to_u32 = |v: i64| u32::try_from(v).unwrap_or_default();
    let slip = payslip::payslip(
        &payslip::PayslipInput {
            coefficient: to_u32(coefficient),
            position_allowance: to_u32(position),
            coefficient_allowances: to_u32(other),
            seniority_percent: seniority,
            percent_allowances: to_u32(percent),
            insured_percent_allowances: to_u32(insured_percent),
            public_service: payslip::receives_public_service_allowance(&record.kind),
            unemployment_insured: payslip::pays_unemployment_insurance(&record.kind),
            union_member: record
                .union_admission_date
                .as_deref()
                .and_then(tinhso_platform::api::parse_date)
                .is_some_and(|admitted| admitted <= last),
        },
        base,
    );
    let pay = slip.salary
        + slip.position_allowance
        + slip.coefficient_allowances
        + slip.seniority_allowance;
    Ok(PayLineRow {
        employee_id: record.id.clone().into(),
        full_name: record.full_name.clone(),
        grade_code,
        step,
        coefficient,
        position_allowance: position,
        other_allowances: other,
        seniority_percent: i64::from(seniority),
        base_salary: base,
        pay,
        percent_allowances: slip.percent_allowances,
        public_service_allowance: slip.public_service_allowance,
        gross: slip.gross,
        insurance_base: slip.insurance_base,
        social_insurance: slip.social_insurance,
        health_insurance: slip.health_insurance,
        unemployment_insurance: slip.unemployment_insurance,
        union_dues: slip.union_dues,
        deductions: slip.deductions,
        net: slip.net,
    })
}

fn pay_pb(l: &PayLineRow) -> pb::PayLine {
    let int = |v: i64| i32::try_from(v).unwrap_or_default();
    pb::PayLine {
        employee_id: l.employee_id.clone(),
        full_name: l.full_name.clone(),
        grade_code: l.grade_code.clone(),
        step: int(l.step),
        coefficient: int(l.coefficient),
        position_allowance: int(l.position_allowance),
        other_allowances: int(l.other_allowances),
        seniority_percent: int(l.seniority_percent),
        base_salary: l.base_salary,
        pay: l.pay,
        percent_allowances: l.percent_allowances,
        public_service_allowance: l.public_service_allowance,
        gross: l.gross,
        insurance_base: l.insurance_base,
        social_insurance: l.social_insurance,
        health_insurance: l.health_insurance,
        unemployment_insurance: l.unemployment_insurance,
        union_dues: l.union_dues,
        deductions: l.deductions,
        net: l.net,
    }
}

/// The month asked for; the fields at fault are `year` and `month`.
fn month_of(year: i32, month: i32) -> AppResult<(i32, Month)> {
    let mut errors = Vec::new();
    if !(2000..=2100).contains(&year) {
        errors.push(AppError::invalid(
            "year",
            ErrorCode::OutOfRange,
            "năm không hợp lệ",
            "invalid year",
        ));
    }
    let m = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok());
    if m.is_none() {
        errors.push(AppError::invalid(
            "month",
            ErrorCode::OutOfRange,
            "tháng phải từ 1 đến 12",
            "the month must be 1 to 12",
        ));
    }
    all_violations(errors)?;
    Ok((year, m.unwrap_or(Month::January)))
}

fn month_key(year: i32, month: Month) -> String {
    format!("{year:04}-{:02}", u8::from(month))
}

fn pb_date(d: Date) -> Option<tinhso_proto::common::v1::Date> {
    date_of(&Some(tinhso_platform::api::date_string(d)))
}

fn bounds(year: i32, month: Month) -> AppResult<(Date, Date)> {
    payroll::month_bounds(year, month).ok_or_else(|| {
        AppError::invalid(
            "month",
            ErrorCode::BadDate,
            "tháng không hợp lệ",
            "bad month",
        )
    })
}

impl Api {
    fn today_date(&self) -> Date {
        tinhso_platform::clock::vietnam_date(self.now())
    }

    /// The pay lines of everyone working in the unit itself for the month.
    async fn compute_payroll(
        &self,
        unit_id: &str,
        first: Date,
        last: Date,
    ) -> AppResult<Vec<PayLineRow>> {
        let pool = &self.0.db.pool;
        let tables = SalaryTables::load(pool).await?;
        let mut lines = Vec::new();
        for record in store::employees::working_in_unit(pool, unit_id).await? {
            let sections = store::sections::of_employee(pool, &record.id, None).await?;
            lines.push(pay_line(&tables, &record, &sections, first, last)?);
        }
        Ok(lines)
    }
}

/// The next raise (or seniority step) of `record` that falls in [from, to].
fn due_raise(
    tables: &SalaryTables,
    record: &EmployeeRow,
    sections: &[SectionRow],
    from: Date,
    to: Date,
) -> Option<pb::DueRaise> {
    let steps = tables.steps_of(&record.grade_code)?;
    let since = tinhso_platform::api::parse_date(record.step_date.as_deref()?)?;
    let step = u32::try_from(record.step).ok()?;
    let delay = tables.delay_since(sections, since, to);
    let int = |v: u32| i32::try_from(v).unwrap_or_default();
    let mut raise = pb::DueRaise {
        employee_id: record.id.clone().into(),
        full_name: record.full_name.clone(),
        unit_id: record.unit_id.clone().into(),
        grade_code: record.grade_code.clone(),
        step: int(step),
        coefficient: i32::try_from(record.coefficient).unwrap_or_default(),
        delay_months: int(delay.div_ceil(2)),
        delay_half_months: int(delay),
        ..Default::default()
    };
    if let Some(due) =
        salary::next_raise_date_delayed(&steps.group, step, steps.top_step(), since, delay)
    {
        if due < from || due > to {
            return None;
        }
        raise.next_step = int(step + 1);
        raise.next_coefficient = int(steps.coefficient(step + 1)?);
        raise.due_date = pb_date(due);
        return Some(raise);
    }
    // On the top step: seniority starts after the interval, then grows every 12 months; a
    // discipline postpones the next increase and keeps the percent already earned (not for the
    // commune cadres' position salaries, which have none).
    if !steps.group.has_seniority_beyond_top() {
        return None;
    }
    let delays = tables.dated_delays(sections, since);
    let (due, percent) = salary::next_seniority_increase(&steps.group, since, from, &delays);
    if due > to {
        return None;
    }
    raise.next_step = raise.step;
    raise.next_coefficient = raise.coefficient;
    raise.due_date = pb_date(due);
    raise.seniority_percent = int(percent);
    Some(raise)
}

/// Someone's retirement, if it takes effect in [from, to], with the early raise on notice when it
/// applies (no discipline delays counted here: the reviewer sees the regular date's basis).
fn retirement_of(
    tables: &SalaryTables,
    record: &EmployeeRow,
    sections: &[SectionRow],
    from: Date,
    to: Date,
) -> Option<pb::Retirement> {
    let birth = tinhso_platform::api::parse_date(record.birth_date.as_deref()?)?;
    let sex = match record.sex.as_str() {
        "male" => retirement::Sex::Male,
        "female" => retirement::Sex::Female,
        _ => return None,
    };
    let plan = retirement::retirement_plan(sex, birth);
    if plan.date < from || plan.date > to {
        return None;
    }
    let int = |v: i64| i32::try_from(v).unwrap_or_default();
    let mut out = pb::Retirement {
        employee_id: record.id.clone().into(),
        full_name: record.full_name.clone(),
        unit_id: record.unit_id.clone().into(),
        birth_date: pb_date(birth),
        sex: from_text(&record.sex, "SEX_", pb::Sex::from_str_name).map_or(0, |s| s as i32),
        retirement_date: pb_date(plan.date),
        notice_date: pb_date(plan.notice_by),
        decision_date: pb_date(plan.decision_by),
        grade_code: record.grade_code.clone(),
        step: int(record.step),
        coefficient: int(record.coefficient),
        ..Default::default()
    };
    let steps = tables.steps_of(&record.grade_code);
    let since = record
        .step_date
        .as_deref()
        .and_then(tinhso_platform::api::parse_date);
    if let (Some(steps), Some(since), Ok(step)) = (steps, since, u32::try_from(record.step)) {
        let delay = tables.delay_since(sections, since, plan.notice_by);
        let next =
            salary::next_raise_date_delayed(&steps.group, step, steps.top_step(), since, delay);
        if let Some(on) = retirement::early_raise_on_notice(next, plan.notice_by) {
            out.early_raise_step = i32::try_from(step + 1).unwrap_or_default();
            out.early_raise_coefficient = steps
                .coefficient(step + 1)
                .and_then(|c| i32::try_from(c).ok())
                .unwrap_or_default();
            out.early_raise_date = pb_date(on);
        }
    }
    Some(out)
}

impl Api {
    /// An early raise for outstanding achievement (a salary entry whose reason is of that kind)
    /// follows TT 08/2013/TT-BNV Điều 3 as amended by TT 03/2021/TT-BNV: the next step of the
    /// grade, at most 12 months before the regular date, not twice in a row, no discipline in the
    /// year before, and within the unit's yearly share (15% of its payroll). `entry` replaces the
    /// entry of the same id when it has one.
    pub(super) async fn check_early_raise(
        &self,
        tx: &mut Tx,
        record: &EmployeeRow,
        entry: &SectionRow,
    ) -> AppResult<()> {
        if entry.section != "salary" || entry.details.is_empty() {
            return Ok(());
        }
        // Everything is read in the transaction (SQLite has one writer connection).
        let pool = &*tx;
        let early_reasons: Vec<String> =
            // Retired reasons too: raises given under them still count.
            store::catalogues::entries(pool, cat::SALARY_CHANGE_REASON, true)
                .await?
                .into_iter()
                .filter(|e| e.attribute == cat::EARLY_ACHIEVEMENT)
                .map(|e| e.code)
                .collect();
        let parse = |d: &Option<String>| d.as_deref().and_then(tinhso_platform::api::parse_date);
        let (true, Some(effective)) = (
            early_reasons.contains(&entry.details),
            parse(&entry.from_date),
        ) else {
            return Ok(());
        };
        let tables = SalaryTables::load(pool).await?;
        let sections: Vec<SectionRow> = store::sections::of_employee(&*tx, &record.id, None)
            .await?
            .into_iter()
            .filter(|s| s.id != entry.id)
            .collect();
        let day_before = effective.previous_day().unwrap_or(effective);
        let (grade_code, step, _, since) = salary_in_force(record, &sections, day_before);
        let step = u32::try_from(step).unwrap_or_default();
        let regular_raise = match (tables.steps_of(&grade_code), since) {
            (Some(steps), Some(since)) => salary::next_raise_date_delayed(
                &steps.group,
                step,
                steps.top_step(),
                since,
                tables.delay_since(&sections, since, effective),
            ),
            _ => None,
        };
        let held = salary::HeldStep {
            grade_code,
            step,
            regular_raise,
            reached_early: salary_entry_in_force(&sections, day_before)
                .is_some_and(|(s, _)| early_reasons.contains(&s.details)),
        };
        let disciplines: Vec<Date> = sections
            .iter()
            .filter(|s| s.section == "discipline")
            .filter_map(|s| parse(&s.decision_date))
            .collect();
        let new_step = u32::try_from(entry.amount).unwrap_or_default();
        if let Some(fault) =
            salary::early_raise_fault(&held, &entry.code, new_step, effective, &disciplines)
        {
            return Err(early_raise_refusal(fault));
        }
        // The share of the year the raise takes effect in, among the people on the unit's payroll.
        let staff: Vec<String> = store::employees::working_in_unit(pool, &record.unit_id)
            .await?
            .into_iter()
            .map(|e| e.id.into())
            .collect();
        let given = store::sections::salary_entries_for_reasons(&*tx, &staff, &early_reasons)
            .await?
            .into_iter()
            .filter(|s| s.id != entry.id)
            .filter(|s| parse(&s.from_date).is_some_and(|d| d.year() == effective.year()))
            .count();
        let share = salary::early_raise_share(staff.len());
        if given >= share {
            return Err(AppError::failed_precondition(
                ErrorCode::EarlyRaiseShareFull,
                &format!(
                    "đơn vị có {} người trong danh sách trả lương nên được nâng bậc lương trước \
                     thời hạn cho tối đa {share} người trong năm {} (15%), đã nâng {given} người",
                    staff.len(),
                    effective.year()
                ),
                "the unit's yearly share of early raises (15% of its payroll) is used up",
            )
            .with_field("entry.salary.reason"));
        }
        Ok(())
    }
}

/// The refusal of an early raise that breaks a rule, naming the field at fault.
fn early_raise_refusal(fault: salary::EarlyRaiseFault) -> AppError {
    use salary::EarlyRaiseFault as F;
    let refused = |field: &str, vi: String, en: &str| {
        AppError::invalid(
            &format!("entry.salary.{field}"),
            ErrorCode::EarlyRaiseNotEligible,
            &vi,
            en,
        )
    };
    let vn = tinhso_platform::vn::date;
    match fault {
        F::NotTheNextStep => refused(
            "step",
            "nâng bậc lương trước thời hạn là lên bậc kế tiếp trong cùng ngạch, khi chưa ở bậc \
             cuối"
                .into(),
            "an early raise is to the next step of the same grade",
        ),
        F::NotEarly { regular } => refused(
            "effective_date",
            format!(
                "bậc kế tiếp đến hạn ngày {}: từ ngày đó là nâng bậc lương thường xuyên",
                vn(regular)
            ),
            "the date is not before the regular raise",
        ),
        F::TooEarly { regular } => refused(
            "effective_date",
            format!(
                "chỉ được nâng trước thời hạn tối đa 12 tháng: bậc kế tiếp đến hạn ngày {}, \
                 sớm nhất từ ngày {}",
                vn(regular),
                vn(salary::sub_months(regular, salary::EARLY_RAISE_MAX_MONTHS))
            ),
            "at most 12 months before the regular raise",
        ),
        F::TwiceInARow => refused(
            "reason",
            "không nâng bậc lương trước thời hạn hai lần liên tiếp trong cùng ngạch".into(),
            "not twice in a row in the same grade",
        ),
        F::Disciplined => refused(
            "reason",
            "người bị kỷ luật trong 12 tháng trước đó không được nâng bậc lương trước thời hạn"
                .into(),
            "disciplined in the year before",
        ),
    }
}

/// Sorts a list of people by a date, soonest first, then by name (`vn::name_sort_key`).
fn soonest_first<T>(
    items: &mut [T],
    key: impl Fn(&T) -> (Option<&tinhso_proto::common::v1::Date>, &String),
) {
    items.sort_by_cached_key(|item| {
        let (date, name) = key(item);
        (
            date.map(|d| (d.year, d.month, d.day)).unwrap_or_default(),
            tinhso_platform::vn::name_sort_key(name),
        )
    });
}

/// The kinds of a lineage, for the due day.
fn kinds(lineage: &[String]) -> Vec<&str> {
    lineage.iter().map(String::as_str).collect()
}

impl Api {
    /// The kinds of the unit at `path` and of every unit above it (from the unit replica;
    /// `known` keeps the ones already read, for a schedule of many units).
    async fn lineage(
        &self,
        pool: &sea_orm::DatabaseConnection,
        path: &str,
        known: &mut HashMap<String, String>,
    ) -> AppResult<Vec<String>> {
        let mut out = Vec::new();
        for id in path.split('/').filter(|s| !s.is_empty()) {
            if !known.contains_key(id) {
                let kind = store::units::get(pool, id)
                    .await?
                    .map(|u| u.kind)
                    .unwrap_or_default();
                known.insert(id.to_string(), kind);
            }
            out.push(known.get(id).cloned().unwrap_or_default());
        }
        Ok(out)
    }
}

#[tonic::async_trait]
impl pb::salary_service_server::SalaryService for Api {
    async fn get_pay(&self, request: Request<pb::GetPayRequest>) -> Reply<pb::PayLine> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let (year, month) = month_of(r.year, r.month)?;
            let (record, _) = self.salary_readable_record(&p, &r.employee_id).await?;
            let (first, last) = bounds(year, month)?;
            let pool = &self.0.db.pool;
            let tables = SalaryTables::load(pool).await?;
            let sections = store::sections::of_employee(pool, &record.id, None).await?;
            let line = pay_line(&tables, &record, &sections, first, last)?;
            Ok(Response::new(pay_pb(&line)))
        })
        .await
    }

    async fn list_due_raises(
        &self,
        request: Request<pb::ListDueRaisesRequest>,
    ) -> Reply<pb::ListDueRaisesResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let (from, to) = tinhso_platform::api::required_period(
                &r.from_date,
                &r.to_date,
                "from_date",
                "to_date",
            )?;
            let unit = self.salary_readable_unit(&p, &r.unit_id).await?;
            let pool = &self.0.db.pool;
            let tables = SalaryTables::load(pool).await?;
            let mut raises = Vec::new();
            for record in store::employees::graded_under(pool, &unit.path).await? {
                let sections = store::sections::of_employee(pool, &record.id, None).await?;
                if let Some(raise) = due_raise(&tables, &record, &sections, from, to) {
                    raises.push(raise);
                }
            }
            soonest_first(&mut raises, |r| (r.due_date.as_ref(), &r.full_name));
            Ok(Response::new(pb::ListDueRaisesResponse { raises }))
        })
        .await
    }

    async fn list_retirements(
        &self,
        request: Request<pb::ListRetirementsRequest>,
    ) -> Reply<pb::ListRetirementsResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let (from, to) = tinhso_platform::api::required_period(
                &r.from_date,
                &r.to_date,
                "from_date",
                "to_date",
            )?;
            let unit = self.salary_readable_unit(&p, &r.unit_id).await?;
            let pool = &self.0.db.pool;
            let tables = SalaryTables::load(pool).await?;
            // Nobody retires younger than 55 or older than 62 years and a month: only those born
            // in that window (whole years, to be safe) are read.
            let earliest =
                Date::from_calendar_date(from.year() - 63, Month::January, 1).unwrap_or(Date::MIN);
            let latest =
                Date::from_calendar_date(to.year() - 55, Month::December, 31).unwrap_or(Date::MAX);
            let mut names: HashMap<String, String> = HashMap::new();
            let mut retirements = Vec::new();
            for record in
                store::employees::working_born_between(pool, &unit.path, earliest, latest).await?
            {
                let sections = store::sections::of_employee(pool, &record.id, None).await?;
                let Some(mut line) = retirement_of(&tables, &record, &sections, from, to) else {
                    continue;
                };
                if !names.contains_key(&line.unit_id) {
                    let name = store::units::get(pool, &line.unit_id)
                        .await?
                        .map(|u| u.name)
                        .unwrap_or_default();
                    names.insert(line.unit_id.clone(), name);
                }
                line.unit_name = names.get(&line.unit_id).cloned().unwrap_or_default();
                retirements.push(line);
            }
            soonest_first(&mut retirements, |r| {
                (r.retirement_date.as_ref(), &r.full_name)
            });
            Ok(Response::new(pb::ListRetirementsResponse { retirements }))
        })
        .await
    }

    async fn close_payroll(&self, request: Request<pb::ClosePayrollRequest>) -> Reply<pb::Payroll> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let (year, month) = month_of(r.year, r.month)?;
            let unit = self
                .active_unit(&self.0.db.pool, &r.unit_id, "unit_id")
                .await?;
            if !p.can(SALARY, &unit.path) {
                p.require(WRITE, &unit.path)?;
            }
            let (first, last) = bounds(year, month)?;
            if first > self.today_date() {
                return Err(AppError::invalid(
                    "month",
                    ErrorCode::MonthInFuture,
                    "chưa đến tháng này",
                    "the month has not begun",
                ));
            }
            let key = month_key(year, month);
            if store::payroll::get(&self.0.db.pool, &unit.id, &key)
                .await?
                .is_some()
            {
                return Err(AppError::failed_precondition(
                    ErrorCode::PayrollClosed,
                    "bảng lương tháng này của đơn vị đã được chốt",
                    "the unit's payroll of this month is already closed",
                ));
            }
            let lines = self.compute_payroll(&unit.id, first, last).await?;
            let now = self.now();
            let lineage = self
                .lineage(&self.0.db.pool, &unit.path, &mut HashMap::new())
                .await?;
            let due = payroll::due_date(year, month, &kinds(&lineage)).unwrap_or(last);
            let header = PayrollRow {
                unit_id: unit.id.clone().into(),
                month: key.clone(),
                headcount: i64::try_from(lines.len()).unwrap_or_default(),
                total: lines.iter().map(|l| l.pay).sum(),
                due_date: tinhso_platform::api::date_string(due),
                closed_at: now,
                closed_by: p.username.clone(),
            };
            let mut tx = self.0.db.begin().await?;
            if store::payroll::get(&tx, &unit.id, &key).await?.is_some() {
                return Err(AppError::failed_precondition(
                    ErrorCode::PayrollClosed,
                    "bảng lương tháng này của đơn vị đã được chốt",
                    "the unit's payroll of this month is already closed",
                ));
            }
            store::payroll::insert(&mut tx, &header, &lines).await?;
            let event = tinhso_proto::personnel::v1::PayrollClosed {
                unit_id: unit.id.clone().into(),
                unit_path: unit.path.clone().into(),
                month: key,
                headcount: i32::try_from(header.headcount).unwrap_or_default(),
                total: header.total,
                actor_id: p.account_id.clone(),
            };
            self.0
                .outbox
                .enqueue(&mut tx, &crate::events::payroll_closed(event, now))
                .await?;
            self.commit(tx).await?;
            Ok(Response::new(payroll_pb(
                &unit,
                year,
                month,
                Some(&header),
                &lines,
                due,
            )))
        })
        .await
    }

    async fn get_payroll(&self, request: Request<pb::GetPayrollRequest>) -> Reply<pb::Payroll> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let (year, month) = month_of(r.year, r.month)?;
            let unit = self.salary_readable_unit(&p, &r.unit_id).await?;
            let (first, last) = bounds(year, month)?;
            let key = month_key(year, month);
            let lineage = self
                .lineage(&self.0.db.pool, &unit.path, &mut HashMap::new())
                .await?;
            let due = payroll::due_date(year, month, &kinds(&lineage)).unwrap_or(last);
            let header = store::payroll::get(&self.0.db.pool, &unit.id, &key).await?;
            let lines = match &header {
                Some(_) => store::payroll::lines(&self.0.db.pool, &unit.id, &key).await?,
                None => self.compute_payroll(&unit.id, first, last).await?,
            };
            Ok(Response::new(payroll_pb(
                &unit,
                year,
                month,
                header.as_ref(),
                &lines,
                due,
            )))
        })
        .await
    }

    async fn get_payroll_schedule(
        &self,
        request: Request<pb::GetPayrollScheduleRequest>,
    ) -> Reply<pb::PayrollSchedule> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let (year, month) = month_of(r.year, r.month)?;
            let unit = self.salary_readable_unit(&p, &r.unit_id).await?;
            let key = month_key(year, month);
            let pool = &self.0.db.pool;
            let closed: HashMap<String, PayrollRow> =
                store::payroll::closed_under(pool, &unit.path, &key)
                    .await?
                    .into_iter()
                    .map(|h| (h.unit_id.clone(), h))
                    .collect();
            // A month not closed yet shows who works in the unit now.
            let mut working: HashMap<String, i64> = HashMap::new();
            for (unit_id, _, count) in store::staffing::headcount_under(pool, &unit.path).await? {
                *working.entry(unit_id).or_default() += count;
            }
            let today = self.today_date();
            let mut units = Vec::new();
            let mut known = HashMap::new();
            for u in store::payroll::units_with_staff(pool, &unit.path).await? {
                let lineage = self.lineage(pool, &u.path, &mut known).await?;
                let Some(due) = payroll::due_date(year, month, &kinds(&lineage)) else {
                    continue;
                };
                let header = closed.get(u.id.as_str());
                let closed_on = header.map(|h| tinhso_platform::clock::vietnam_date(h.closed_at));
                let (timeliness, days) = match payroll::timeliness(due, closed_on, today) {
                    payroll::Timeliness::OnTime => (pb::PayrollTimeliness::OnTime, 0),
                    payroll::Timeliness::Late(d) => (pb::PayrollTimeliness::Late, d),
                    payroll::Timeliness::Pending => (pb::PayrollTimeliness::Pending, 0),
                    payroll::Timeliness::Overdue(d) => (pb::PayrollTimeliness::Overdue, d),
                };
                units.push(pb::UnitPayrollStatus {
                    unit_id: u.id.clone().into(),
                    unit_name: u.name.clone(),
                    due_date: pb_date(due),
                    timeliness: timeliness as i32,
                    days_late: i32::try_from(days).unwrap_or_default(),
                    close_time: header.map(|h| to_timestamp(h.closed_at)),
                    headcount: i32::try_from(header.map_or_else(
                        || working.get(u.id.as_str()).copied().unwrap_or_default(),
                        |h| h.headcount,
                    ))
                    .unwrap_or_default(),
                    total: header.map_or(0, |h| h.total),
                });
            }
            Ok(Response::new(pb::PayrollSchedule {
                year,
                month: i32::from(u8::from(month)),
                finance_date: Date::from_calendar_date(year, month, payroll::FINANCE_DAY)
                    .ok()
                    .and_then(pb_date),
                units,
            }))
        })
        .await
    }
}

fn payroll_pb(
    unit: &store::units::UnitRow,
    year: i32,
    month: Month,
    header: Option<&PayrollRow>,
    lines: &[PayLineRow],
    due: Date,
) -> pb::Payroll {
    pb::Payroll {
        unit_id: unit.id.clone().into(),
        unit_name: unit.name.clone(),
        year,
        month: i32::from(u8::from(month)),
        closed: header.is_some(),
        close_time: header.map(|h| to_timestamp(h.closed_at)),
        closed_by: header.map(|h| h.closed_by.clone()).unwrap_or_default(),
        due_date: pb_date(due),
        lines: lines.iter().map(pay_pb).collect(),
        headcount: i32::try_from(lines.len()).unwrap_or_default(),
        total: lines.iter().map(|l| l.pay).sum(),
        total_gross: lines.iter().map(|l| l.gross).sum(),
        total_deductions: lines.iter().map(|l| l.deductions).sum(),
        total_net: lines.iter().map(|l| l.net).sum(),
    }
}
