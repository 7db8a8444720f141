//! StatisticsService: the BM02/BNV table per unit and rolled up, its .xlsx workbook, and the
//! movements of the headcount over a period. The counting rules are in `domain::statistics`.

use super::*;
use crate::domain::{catalogues as cat, grades::GradeGroup, retirement, statistics};
use std::collections::{HashMap, HashSet};
use tinhso_platform::ErrorCode;
use tinhso_platform::xlsx::{self, Cell};

/// Path depth below `base` (0 for `base` itself).
fn depth(path: &str, base: &str) -> i32 {
    let segments = |p: &str| p.split('/').filter(|s| !s.is_empty()).count();
    i32::try_from(segments(path).saturating_sub(segments(base))).unwrap_or_default()
}

fn to_i32(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

impl Api {
    async fn staff_statistics(
        &self,
        p: &Principal,
        r: &pb::GetStaffStatisticsRequest,
    ) -> AppResult<(pb::StaffStatistics, String)> {
        let bounds: Vec<i32> = if r.age_bands.is_empty() {
            statistics::DEFAULT_AGE_BANDS.to_vec()
        } else {
            r.age_bands.clone()
        };
        let mut errors = Vec::new();
        // The report date: today, or a past day the table is rebuilt for from the history.
        let today_text = match past_date(&r.as_of, "as_of", &self.today()) {
            Ok(day) => day.unwrap_or_else(|| self.today()),
            Err(e) => {
                errors.push(e);
                self.today()
            }
        };
        let today = tinhso_platform::api::parse_date(&today_text).unwrap_or(time::Date::MIN);
        let historical = today_text < self.today();
        if !statistics::valid_age_bands(&bounds) {
            errors.push(AppError::invalid(
                "age_bands",
                ErrorCode::BadAgeBands,
                "các mốc tuổi phải tăng dần, từ 16 đến 100, tối đa 10 mốc",
                "age bands must rise, 16 to 100, at most 10",
            ));
        }
        let year = if r.year == 0 { today.year() } else { r.year };
        if !(2000..=2100).contains(&year) {
            errors.push(AppError::invalid(
                "year",
                ErrorCode::OutOfRange,
                "năm không hợp lệ",
                "invalid year",
            ));
        }
        all_violations(errors)?;
        let unit = self.readable_unit(p, &r.unit_id).await?;
        let pool = &self.0.db.pool;
        let kind = kind_text(r.kind);

        let flagged = |entries: Vec<store::catalogues::EntryRow>| -> HashSet<String> {
            entries
                .into_iter()
                .filter(|e| e.attribute == "1")
                .map(|e| e.code)
                .collect()
        };
        let minorities = flagged(store::catalogues::entries(pool, cat::ETHNICITY, true).await?);
        let religions = flagged(store::catalogues::entries(pool, cat::RELIGION, true).await?);
        // Each grade's BM02 column: its own, else by its salary group.
        let grade_columns: HashMap<String, String> =
            store::catalogues::entries(pool, cat::GRADE, true)
                .await?
                .into_iter()
                .filter_map(|e| {
                    let column = if e.report_column.is_empty() {
                        statistics::grade_rank(&GradeGroup::from_code(&e.attribute)?).to_string()
                    } else {
                        e.report_column
                    };
                    Some((e.code, column))
                })
                .collect();
        // The report column of each IT and foreign-language level (degree or certificate).
        let report_columns =
            |entries: Vec<store::catalogues::EntryRow>| -> HashMap<String, String> {
                entries
                    .into_iter()
                    .map(|e| (e.code, e.report_column))
                    .collect()
            };
        let it_columns =
            report_columns(store::catalogues::entries(pool, cat::IT_LEVEL, true).await?);
        let language_columns =
            report_columns(store::catalogues::entries(pool, cat::FOREIGN_LANGUAGE, true).await?);
        let mut levels = Vec::new();
        for (catalogue, _, _) in statistics::LEVEL_GROUPS {
            levels.push(statistics::highest_first(
                store::catalogues::entries(pool, catalogue, true)
                    .await?
                    .into_iter()
                    .map(|e| (e.code, e.name, e.attribute))
                    .collect(),
            ));
        }
        let columns = statistics::columns(&levels, &bounds);
        let index: HashMap<&str, usize> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.key.as_str(), i))
            .collect();

        let units = store::staffing::units_under(pool, &unit.path).await?;
        let mut own: HashMap<String, Vec<i64>> = units
            .iter()
            .map(|(id, _, _)| (id.clone(), vec![0; columns.len()]))
            .collect();
        let records = if historical {
            // The end of the report date in Vietnam.
            let next_day = today.next_day().unwrap_or(today);
            let cutoff = next_day
                .midnight()
                .assume_offset(tinhso_platform::clock::VIETNAM)
                .unix_timestamp()
                * 1000
                - 1;
            store::employees::as_of(pool, &unit.path, cutoff)
                .await?
                .into_iter()
                .filter(|e| e.status == "working")
                .filter(|e| kind.as_deref().is_none_or(|k| e.kind == k))
                .collect()
        } else {
            store::employees::working_under(pool, &unit.path, kind.as_deref()).await?
        };
        for e in records {
            let birth = e
                .birth_date
                .as_deref()
                .and_then(tinhso_platform::api::parse_date);
            let person = statistics::Person {
                female: e.sex == "female",
                party: e.party_admission_date.is_some(),
                ethnic_minority: minorities.contains(&e.ethnicity),
                religion: religions.contains(&e.religion),
                grade_column: grade_columns.get(&e.grade_code).map(String::as_str),
                levels: vec![
                    ("degree", e.degree.as_str()),
                    ("political_theory", e.political_theory.as_str()),
                    ("state_management", e.state_management.as_str()),
                ],
                it: it_columns.get(&e.it_level).map(String::as_str),
                language: language_columns
                    .get(&e.foreign_language)
                    .map(|c| (e.foreign_language_name == cat::ENGLISH, c.as_str())),
                ethnic_language: !e.ethnic_language.is_empty(),
                age: birth.map(|b| statistics::age_on(b, today)),
                over_retirement_age: match (birth, e.sex.as_str()) {
                    (Some(b), "male") => {
                        retirement::retirement_date(retirement::Sex::Male, b) <= today
                    }
                    (Some(b), "female") => {
                        retirement::retirement_date(retirement::Sex::Female, b) <= today
                    }
                    _ => false,
                },
            };
            let Some(figures) = own.get_mut(e.unit_id.as_str()) else {
                continue;
            };
            for key in statistics::keys_of(&person, &bounds) {
                if let Some(i) = index.get(key.as_str()) {
                    figures[*i] += 1;
                }
            }
        }
        if let Some(quota_column) = index.get("quota") {
            for (unit_id, quota_kind, quota) in
                store::staffing::quotas_under(pool, &unit.path, i64::from(year)).await?
            {
                if kind.as_ref().is_none_or(|k| *k == quota_kind)
                    && let Some(figures) = own.get_mut(&unit_id)
                {
                    figures[*quota_column] += quota;
                }
            }
        }
        let paths: Vec<(String, String)> = units
            .iter()
            .map(|(id, _, path)| (id.clone(), path.clone()))
            .collect();
        let mut totals = tinhso_platform::units::subtree_totals(&paths, &own, columns.len());
        let rows = units
            .iter()
            .map(|(id, name, path)| {
                let subtree = totals.remove(id).unwrap_or_default();
                pb::UnitStatistics {
                    unit_id: id.clone(),
                    unit_name: name.clone(),
                    unit_path: path.clone(),
                    depth: depth(path, &unit.path),
                    own: own
                        .get(id)
                        .map(|f| f.iter().copied().map(to_i32).collect())
                        .unwrap_or_default(),
                    subtree: subtree.into_iter().map(to_i32).collect(),
                }
            })
            .collect();
        Ok((
            pb::StaffStatistics {
                columns: columns
                    .into_iter()
                    .map(|c| pb::StatColumn {
                        key: c.key,
                        title: c.title,
                        group: c.group,
                    })
                    .collect(),
                units: rows,
                as_of: date_of(&Some(today_text)),
            },
            unit.name,
        ))
    }
}

#[tonic::async_trait]
impl pb::statistics_service_server::StatisticsService for Api {
    async fn get_staff_statistics(
        &self,
        request: Request<pb::GetStaffStatisticsRequest>,
    ) -> Reply<pb::StaffStatistics> {
        handle(async move {
            let p = self.principal(&request)?;
            let (table, _) = self.staff_statistics(&p, request.get_ref()).await?;
            Ok(Response::new(table))
        })
        .await
    }

    type ExportStaffStatisticsStream = super::FileStream;

    async fn export_staff_statistics(
        &self,
        request: Request<pb::GetStaffStatisticsRequest>,
    ) -> Reply<Self::ExportStaffStatisticsStream> {
        handle(async move {
            let p = self.principal(&request)?;
            let (table, unit_name) = self.staff_statistics(&p, request.get_ref()).await?;
            // The form's columns in its order; its last column, the note, says whose staff a
            // row counts.
            let mut headers = vec!["Đơn vị".to_string()];
            headers.extend(table.columns.iter().map(|c| {
                if c.group == c.title || c.group.is_empty() {
                    c.title.clone()
                } else {
                    format!("{}: {}", c.group, c.title)
                }
            }));
            headers.push("Ghi chú: phạm vi số liệu".to_string());
            // A unit with sub-units gets its total and, when it has staff of its own, a row of
            // its own counts beneath: the reader always knows which figures include whom.
            let figures = |values: &[i32]| -> Vec<Cell> {
                values.iter().map(|v| Cell::Int(i64::from(*v))).collect()
            };
            let mut rows = Vec::new();
            for (i, u) in table.units.iter().enumerate() {
                let level = u8::try_from(u.depth).unwrap_or(u8::MAX);
                let has_sub_units = table.units.get(i + 1).is_some_and(|n| n.depth > u.depth);
                let scope = if has_sub_units {
                    "Gồm các đơn vị trực thuộc"
                } else {
                    "Riêng đơn vị"
                };
                let mut cells = vec![Cell::Indented(u.unit_name.clone(), level)];
                cells.extend(figures(&u.subtree));
                cells.push(Cell::from(scope));
                rows.push(cells);
                if has_sub_units && u.own.iter().any(|v| *v > 0) {
                    let mut own = vec![Cell::Indented(
                        format!("{} (riêng đơn vị)", u.unit_name),
                        level.saturating_add(1),
                    )];
                    own.extend(figures(&u.own));
                    own.push(Cell::from("Riêng đơn vị"));
                    rows.push(own);
                }
            }
            // The report date the table is as of.
            let as_of = table
                .as_of
                .as_ref()
                .map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day))
                .unwrap_or_else(|| self.today());
            let sheet = xlsx::Sheet {
                name: "BM02-BNV".into(),
                title: Some(format!(
                    "BÁO CÁO SỐ LƯỢNG, CHẤT LƯỢNG CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC (mẫu BM02/BNV) – \
                     {unit_name} – số liệu đến ngày {}",
                    super::exports::vn_date_text(&as_of)
                )),
                headers,
                rows,
            };
            Ok(Response::new(
                self.workbook_download(format!("thong-ke-bm02-{as_of}.xlsx"), vec![sheet])
                    .await?,
            ))
        })
        .await
    }

    async fn get_movement_figures(
        &self,
        request: Request<pb::GetMovementFiguresRequest>,
    ) -> Reply<pb::MovementFigures> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let (from, to) = tinhso_platform::api::required_period(
                &r.from_date,
                &r.to_date,
                "from_date",
                "to_date",
            )?;
            let (from, to) = (
                tinhso_platform::api::date_string(from),
                tinhso_platform::api::date_string(to),
            );
            let unit = self.readable_unit(&p, &r.unit_id).await?;
            let pool = &self.0.db.pool;
            let units = store::staffing::units_under(pool, &unit.path).await?;
            let path_of: HashMap<String, String> = store::staffing::units_under(pool, "/")
                .await?
                .into_iter()
                .map(|(id, _, path)| (id, path))
                .collect();
            let under = |unit_id: &str, prefix: &str| {
                path_of
                    .get(unit_id)
                    .is_some_and(|p| tinhso_platform::ids::is_under(p, prefix))
            };
            let working: Vec<String> = store::staffing::headcount_under(pool, &unit.path)
                .await?
                .into_iter()
                .flat_map(|(id, _, n)| std::iter::repeat_n(id, usize::try_from(n).unwrap_or(0)))
                .collect();
            let hires = store::movements::hires_between(pool, &from, &to).await?;
            let moves = store::movements::effective_between(pool, &from, &to).await?;
            let count =
                |it: &mut dyn Iterator<Item = bool>| to_i32(it.filter(|b| *b).count() as i64);
            let figures = units
                .iter()
                .map(|(id, name, path)| {
                    let p = path.as_str();
                    let ended = |kinds: &[&str]| {
                        count(
                            &mut moves
                                .iter()
                                .map(|(k, f, _)| kinds.contains(&k.as_str()) && under(f, p)),
                        )
                    };
                    pb::UnitMovementFigures {
                        unit_id: id.clone(),
                        unit_name: name.clone(),
                        depth: depth(path, &unit.path),
                        working: count(&mut working.iter().map(|u| under(u, p))),
                        hired: count(&mut hires.iter().map(|u| under(u, p))),
                        transferred_in: count(&mut moves.iter().map(|(k, f, t)| {
                            matches!(k.as_str(), "transfer" | "rotation")
                                && under(t, p)
                                && !under(f, p)
                        })),
                        transferred_out: count(&mut moves.iter().map(|(k, f, t)| {
                            matches!(k.as_str(), "transfer" | "rotation")
                                && under(f, p)
                                && !under(t, p)
                        })),
                        retired: ended(&["retirement"]),
                        resigned: ended(&["resignation"]),
                        deceased: ended(&["death"]),
                        moved_away: ended(&["move_out_of_province", "move_to_party_bodies"]),
                    }
                })
                .collect();
            Ok(Response::new(pb::MovementFigures { units: figures }))
        })
        .await
    }
}
