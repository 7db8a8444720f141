//! TrainingService: courses, registrations as legal acts, results entering the records, and
//! study hours.

use super::*;
use crate::domain::catalogues as cat;
use store::sections::SectionRow;
use store::training::{CourseRow, RegistrationRow};
use tinhso_platform::{ErrorCode, UnitPath};

const TRAINING: &str = "personnel.training.write";

/// Record items a completed course may update, with their catalogues.
const QUALIFICATIONS: &[(&str, &str)] = &[
    ("degree", cat::DEGREE),
    ("political_theory", cat::POLITICAL_THEORY),
    ("state_management", cat::STATE_MANAGEMENT),
    ("foreign_language", cat::FOREIGN_LANGUAGE),
    ("it_level", cat::IT_LEVEL),
];

fn course_pb(c: &CourseRow, registered: i64) -> pb::Course {
    let d = |s: &str| date_of(&Some(s.to_string()));
    pb::Course {
        id: c.id.clone(),
        organiser_unit_id: c.organiser_unit_id.clone(),
        title: c.title.clone(),
        provider: c.provider.clone(),
        kind: c.kind.clone(),
        content: c.content.clone(),
        start_date: d(&c.start_date),
        end_date: d(&c.end_date),
        registration_deadline: d(&c.registration_deadline),
        seats: i32::try_from(c.seats).unwrap_or_default(),
        hours: i32::try_from(c.hours).unwrap_or_default(),
        qualification_field: c.qualification_field.clone(),
        qualification_code: c.qualification_code.clone(),
        registered: i32::try_from(registered).unwrap_or_default(),
        announce_time: Some(to_timestamp(c.announced_at)),
        announced_by: c.announced_by.clone(),
    }
}

fn registration_status(status: &str) -> i32 {
    from_text(
        status,
        "REGISTRATION_STATUS_",
        pb::RegistrationStatus::from_str_name,
    )
    .map_or(0, |s| s as i32)
}

fn registration_pb(r: &RegistrationRow) -> pb::Registration {
    pb::Registration {
        id: r.id.clone(),
        course_id: r.course_id.clone(),
        employee_id: r.employee_id.clone(),
        employee_name: r.employee_name.clone(),
        unit_id: r.unit_id.clone(),
        status: registration_status(&r.status),
        registered_by: r.registered_by.clone(),
        register_time: Some(to_timestamp(r.registered_at)),
        changed_by: r.changed_by.clone(),
        change_time: Some(to_timestamp(r.changed_at)),
        hours: i32::try_from(r.hours).unwrap_or_default(),
        certificate: r.certificate.clone(),
    }
}

/// Registrations that hold a seat.
fn holds_seat(r: &RegistrationRow) -> bool {
    matches!(r.status.as_str(), "registered" | "completed")
}

impl Api {
    async fn course(
        &self,
        exec: &impl tinhso_platform::db::ConnectionTrait,
        id: &str,
    ) -> AppResult<CourseRow> {
        store::training::course(exec, id)
            .await?
            .ok_or_else(|| AppError::not_found("khóa học", "course").with_field("course_id"))
    }

    async fn organiser_path(
        &self,
        conn: &impl tinhso_platform::db::ConnectionTrait,
        course: &CourseRow,
    ) -> AppResult<UnitPath> {
        Ok(store::units::get(conn, &course.organiser_unit_id)
            .await?
            .map(|u| u.path)
            .unwrap_or_default())
    }

    async fn checked_course(&self, tx: &mut Tx, c: &pb::Course) -> AppResult<CourseRow> {
        let mut errors = Vec::new();
        let f = |name: &str| format!("course.{name}");
        let mut text = |name: &str, value: &str, required: bool, max: usize| {
            validate::text(&f(name), value, required, max)
                .map_err(|e| errors.push(e))
                .unwrap_or_default()
        };
        let mut row = CourseRow {
            title: text("title", &c.title, true, 500),
            provider: text("provider", &c.provider, true, 255),
            kind: text("kind", &c.kind, true, 32),
            content: text("content", &c.content, false, 2000),
            qualification_field: text("qualification_field", &c.qualification_field, false, 32),
            qualification_code: text("qualification_code", &c.qualification_code, false, 32),
            seats: i64::from(c.seats),
            hours: i64::from(c.hours),
            ..Default::default()
        };
        let mut required_date = |name: &str, d: &Option<tinhso_proto::common::v1::Date>| {
            tinhso_platform::api::required_date(d, &f(name))
                .map_err(|e| errors.push(e))
                .unwrap_or_default()
        };
        row.start_date = required_date("start_date", &c.start_date);
        row.end_date = required_date("end_date", &c.end_date);
        row.registration_deadline =
            required_date("registration_deadline", &c.registration_deadline);
        if !row.start_date.is_empty() && !row.end_date.is_empty() && row.end_date < row.start_date {
            errors.push(AppError::invalid(
                &f("end_date"),
                ErrorCode::DateOrder,
                "ngày kết thúc phải sau ngày khai giảng",
                "the course must end after it starts",
            ));
        }
        if !row.start_date.is_empty()
            && !row.registration_deadline.is_empty()
            && row.registration_deadline > row.start_date
        {
            errors.push(AppError::invalid(
                &f("registration_deadline"),
                ErrorCode::DateOrder,
                "hạn đăng ký phải trước ngày khai giảng",
                "registration must close before the course starts",
            ));
        }
        if !(1..=10_000).contains(&c.seats) {
            errors.push(AppError::invalid(
                &f("seats"),
                ErrorCode::OutOfRange,
                "số chỉ tiêu phải từ 1 đến 10.000",
                "seats must be 1 to 10,000",
            ));
        }
        if !(0..=5_000).contains(&c.hours) {
            errors.push(AppError::invalid(
                &f("hours"),
                ErrorCode::OutOfRange,
                "số giờ học không hợp lệ",
                "hours out of range",
            ));
        }
        if !row.kind.is_empty()
            && let Err(e) = known_code(&*tx, cat::TRAINING_KIND, &row.kind, &f("kind")).await
        {
            errors.push(e);
        }
        if !row.qualification_field.is_empty() {
            match QUALIFICATIONS
                .iter()
                .find(|(field, _)| *field == row.qualification_field)
            {
                None => errors.push(AppError::invalid(
                    &f("qualification_field"),
                    ErrorCode::UnknownField,
                    "chỉ cập nhật được degree, political_theory, state_management, \
                     foreign_language hoặc it_level",
                    "unknown qualification field",
                )),
                Some((_, catalogue)) => {
                    if let Err(e) = known_code(
                        &*tx,
                        catalogue,
                        &row.qualification_code,
                        &f("qualification_code"),
                    )
                    .await
                    {
                        errors.push(e);
                    }
                }
            }
        }
        all_violations(errors)?;
        Ok(row)
    }

    /// A completed course enters the training section of the record and, when the course
    /// confers a qualification, updates the record (with its change record and event).
    async fn complete_course(
        &self,
        tx: &mut Tx,
        p: &Principal,
        course: &CourseRow,
        registration: &RegistrationRow,
        now: i64,
    ) -> AppResult<()> {
        let entry = SectionRow {
            id: uuid::Uuid::now_v7().to_string(),
            employee_id: registration.employee_id.clone(),
            section: "training".into(),
            code: course.kind.clone(),
            title: course.title.clone(),
            organisation: course.provider.clone(),
            qualification: registration.certificate.clone(),
            from_date: Some(course.start_date.clone()),
            to_date: Some(course.end_date.clone()),
            amount: registration.hours,
            ref_id: course.id.clone(),
            version: 1,
            recorded_at: now,
            recorded_by: p.username.clone(),
            updated_at: now,
            ..Default::default()
        };
        store::sections::insert(tx, &entry).await?;
        store::sections::record_change(tx, None, &entry, &p.account_id, &p.username, now).await?;
        if course.qualification_field.is_empty() {
            return Ok(());
        }
        let before = self.record(tx, &registration.employee_id).await?;
        let mut after = before.clone();
        let target = match course.qualification_field.as_str() {
            "degree" => &mut after.degree,
            "political_theory" => &mut after.political_theory,
            "state_management" => &mut after.state_management,
            "foreign_language" => &mut after.foreign_language,
            _ => &mut after.it_level,
        };
        *target = course.qualification_code.clone();
        self.save_record(tx, p, &before, after, "updated", now)
            .await?;
        Ok(())
    }
}

#[tonic::async_trait]
impl pb::training_service_server::TrainingService for Api {
    async fn announce_course(
        &self,
        request: Request<pb::AnnounceCourseRequest>,
    ) -> Reply<pb::Course> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let c = r.course.unwrap_or_default();
            let mut tx = self.0.db.begin().await?;
            let mut row = self.checked_course(&mut tx, &c).await?;
            if !r.request_id.is_empty()
                && let Some(done) =
                    store::training::course_by_request_id(&mut tx, &r.request_id).await?
            {
                return Ok(Response::new(course_pb(&done, 0)));
            }
            let unit = self
                .active_unit(&tx, &c.organiser_unit_id, "course.organiser_unit_id")
                .await?;
            p.require(TRAINING, &unit.path)?;
            row.id = uuid::Uuid::now_v7().to_string();
            row.organiser_unit_id = unit.id.into();
            row.announced_at = self.now();
            row.announced_by = p.username.clone();
            let request_id = (!r.request_id.is_empty()).then_some(r.request_id.as_str());
            store::training::insert_course(&mut tx, &row, request_id).await?;
            self.commit(tx).await?;
            Ok(Response::new(course_pb(&row, 0)))
        })
        .await
    }

    async fn list_courses(
        &self,
        request: Request<pb::ListCoursesRequest>,
    ) -> Reply<pb::ListCoursesResponse> {
        handle(async move {
            self.principal(&request)?;
            let r = request.into_inner();
            let (limit, offset) = page(r.page_size, &r.page_token)?;
            let today = self.today();
            let pool = &self.0.db.pool;
            let rows = store::training::courses(
                pool,
                r.open_only.then_some(today.as_str()),
                limit,
                offset,
            )
            .await?;
            let mut courses = Vec::new();
            for c in &rows {
                let taken = store::training::registrations(pool, &c.id)
                    .await?
                    .iter()
                    .filter(|r| holds_seat(r))
                    .count();
                courses.push(course_pb(c, i64::try_from(taken).unwrap_or_default()));
            }
            Ok(Response::new(pb::ListCoursesResponse {
                next_page_token: next_token(rows.len(), limit, offset),
                courses,
            }))
        })
        .await
    }

    async fn register_for_course(
        &self,
        request: Request<pb::RegisterForCourseRequest>,
    ) -> Reply<pb::Registration> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let mut tx = self.0.db.begin().await?;
            let course = self.course(&tx, &r.course_id).await?;
            let record = store::employees::get(&tx, &r.employee_id)
                .await?
                .ok_or_else(|| {
                    AppError::not_found("hồ sơ", "employee record").with_field("employee_id")
                })?;
            p.require(WRITE, &record.unit_path)?;
            if self.today() > course.registration_deadline {
                return Err(AppError::failed_precondition(
                    ErrorCode::RegistrationClosed,
                    "đã hết hạn đăng ký khóa học",
                    "registration for the course has closed",
                ));
            }
            if record.status != "working" {
                return Err(AppError::failed_precondition(
                    ErrorCode::RecordEnded,
                    "hồ sơ đã kết thúc, không đăng ký học được",
                    "the record has ended",
                ));
            }
            let existing = store::training::registrations(&tx, &course.id).await?;
            if existing
                .iter()
                .any(|x| x.employee_id == record.id && holds_seat(x))
            {
                return Err(AppError::failed_precondition(
                    ErrorCode::AlreadyRegistered,
                    "người này đã được đăng ký khóa học",
                    "already registered for the course",
                ));
            }
            let taken = existing.iter().filter(|x| holds_seat(x)).count();
            if i64::try_from(taken).unwrap_or(i64::MAX) >= course.seats {
                return Err(AppError::failed_precondition(
                    ErrorCode::CourseFull,
                    "khóa học đã đủ chỉ tiêu",
                    "the course is full",
                ));
            }
            let now = self.now();
            let row = RegistrationRow {
                id: uuid::Uuid::now_v7().to_string(),
                course_id: course.id.clone(),
                employee_id: record.id.clone().into(),
                employee_name: record.full_name.clone(),
                unit_id: record.unit_id.clone().into(),
                status: "registered".into(),
                registered_by: p.username.clone(),
                registered_at: now,
                changed_by: p.username.clone(),
                changed_at: now,
                hours: 0,
                certificate: String::new(),
            };
            store::training::insert_registration(&mut tx, &row).await?;
            self.commit(tx).await?;
            tracing::info!(registration = %row.id, course = %course.id, by = %p.username, "registered for a course");
            Ok(Response::new(registration_pb(&row)))
        })
        .await
    }

    async fn list_registrations(
        &self,
        request: Request<pb::ListRegistrationsRequest>,
    ) -> Reply<pb::ListRegistrationsResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let pool = &self.0.db.pool;
            let course = self.course(pool, &r.course_id).await?;
            let organiser = p.can(TRAINING, &self.organiser_path(pool, &course).await?);
            let mut visible = Vec::new();
            for reg in store::training::registrations(pool, &course.id).await? {
                let readable = organiser
                    || store::employees::get(pool, &reg.employee_id)
                        .await?
                        .is_some_and(|e| p.can(READ, &e.unit_path));
                if readable {
                    visible.push(registration_pb(&reg));
                }
            }
            Ok(Response::new(pb::ListRegistrationsResponse {
                registrations: visible,
            }))
        })
        .await
    }

    async fn withdraw_registration(
        &self,
        request: Request<pb::WithdrawRegistrationRequest>,
    ) -> Reply<pb::Registration> {
        handle(async move {
            let p = self.principal(&request)?;
            let id = request.into_inner().id;
            let mut tx = self.0.db.begin().await?;
            let before = store::training::registration(&tx, &id)
                .await?
                .ok_or_else(|| AppError::not_found("đăng ký", "registration").with_field("id"))?;
            let record = self.record(&mut tx, &before.employee_id).await?;
            p.require(WRITE, &record.unit_path)?;
            let course = self.course(&tx, &before.course_id).await?;
            if before.status != "registered" || self.today() >= course.start_date {
                return Err(AppError::failed_precondition(
                    ErrorCode::CannotWithdraw,
                    "chỉ rút được đăng ký chưa có kết quả, trước ngày khai giảng",
                    "only a pending registration can be withdrawn, before the course starts",
                ));
            }
            let after = RegistrationRow {
                status: "withdrawn".into(),
                changed_by: p.username.clone(),
                changed_at: self.now(),
                ..before
            };
            if !store::training::change_registration(&mut tx, &after, "registered").await? {
                return Err(AppError::stale_etag());
            }
            self.commit(tx).await?;
            Ok(Response::new(registration_pb(&after)))
        })
        .await
    }

    async fn record_result(
        &self,
        request: Request<pb::RecordResultRequest>,
    ) -> Reply<pb::Registration> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let result = match pb::RegistrationStatus::try_from(r.result) {
                Ok(pb::RegistrationStatus::Completed) => "completed",
                Ok(pb::RegistrationStatus::Failed) => "failed",
                Ok(pb::RegistrationStatus::Absent) => "absent",
                _ => {
                    return Err(AppError::invalid(
                        "result",
                        ErrorCode::BadResult,
                        "kết quả phải là COMPLETED, FAILED hoặc ABSENT",
                        "result must be COMPLETED, FAILED or ABSENT",
                    ));
                }
            };
            let mut errors = Vec::new();
            if !(0..=5_000).contains(&r.hours) {
                errors.push(AppError::invalid(
                    "hours",
                    ErrorCode::OutOfRange,
                    "số giờ học không hợp lệ",
                    "hours out of range",
                ));
            }
            let certificate = validate::text("certificate", &r.certificate, false, 255)
                .map_err(|e| errors.push(e))
                .unwrap_or_default();
            all_violations(errors)?;
            let mut tx = self.0.db.begin().await?;
            let before = store::training::registration(&tx, &r.id)
                .await?
                .ok_or_else(|| AppError::not_found("đăng ký", "registration").with_field("id"))?;
            let course = self.course(&tx, &before.course_id).await?;
            p.require(TRAINING, &self.organiser_path(&tx, &course).await?)?;
            // A result is recorded once the course has begun (its date is `YYYY-MM-DD` text).
            if course.start_date > self.today() {
                return Err(AppError::failed_precondition(
                    ErrorCode::CourseNotStarted,
                    "khóa học chưa bắt đầu nên chưa ghi được kết quả",
                    "the course has not started yet",
                ));
            }
            if before.status != "registered" {
                return Err(AppError::failed_precondition(
                    ErrorCode::ResultRecorded,
                    "đăng ký này đã có kết quả hoặc đã rút",
                    "the registration already has a result or was withdrawn",
                ));
            }
            let now = self.now();
            let hours = match (result, r.hours) {
                ("completed", 0) => course.hours,
                ("completed", h) => i64::from(h),
                _ => 0,
            };
            let after = RegistrationRow {
                status: result.into(),
                changed_by: p.username.clone(),
                changed_at: now,
                hours,
                certificate,
                ..before
            };
            if !store::training::change_registration(&mut tx, &after, "registered").await? {
                return Err(AppError::stale_etag());
            }
            if result == "completed" {
                self.complete_course(&mut tx, &p, &course, &after, now)
                    .await?;
            }
            self.commit(tx).await?;
            Ok(Response::new(registration_pb(&after)))
        })
        .await
    }

    async fn get_study_hours(
        &self,
        request: Request<pb::GetStudyHoursRequest>,
    ) -> Reply<pb::StudyHours> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let year = if r.year == 0 {
                self.today()[..4].parse().unwrap_or(2026)
            } else {
                r.year
            };
            if !(2000..=2100).contains(&year) {
                return Err(AppError::invalid(
                    "year",
                    ErrorCode::OutOfRange,
                    "năm không hợp lệ",
                    "invalid year",
                ));
            }
            let unit = self.readable_unit(&p, &r.unit_id).await?;
            let rows = store::training::hours_in_year(&self.0.db.pool, &unit.path, year).await?;
            let employees: Vec<pb::EmployeeStudyHours> = rows
                .into_iter()
                .map(
                    |(id, name, unit_id, hours, courses)| pb::EmployeeStudyHours {
                        employee_id: id,
                        full_name: name,
                        unit_id,
                        hours: i32::try_from(hours).unwrap_or(i32::MAX),
                        courses: i32::try_from(courses).unwrap_or(i32::MAX),
                    },
                )
                .collect();
            Ok(Response::new(pb::StudyHours {
                year,
                total_hours: employees.iter().map(|e| e.hours).sum(),
                employees,
            }))
        })
        .await
    }
}
