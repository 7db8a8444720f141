//! CatalogueService: the catalogues, the grade groups' step tables and the base salary. Reading
//! needs only a signed-in, active account; changing needs the permission over the root unit.

use super::*;
use crate::domain::{catalogues, grades::GradeGroup};
use store::catalogues::EntryRow;
use tinhso_platform::ErrorCode;

const CATALOGUE: &str = "personnel.catalogue.write";

fn entry_pb(e: &EntryRow) -> pb::CatalogueEntry {
    pb::CatalogueEntry {
        catalogue: e.catalogue.clone(),
        code: e.code.clone(),
        name: e.name.clone(),
        attribute: e.attribute.clone(),
        sort_order: i32::try_from(e.sort_order).unwrap_or_default(),
        active: e.active,
        update_time: Some(to_timestamp(e.updated_at)),
        updated_by: e.updated_by.clone(),
        report_column: e.report_column.clone(),
    }
}

fn known_catalogue(name: &str) -> AppResult<&'static catalogues::Catalogue> {
    catalogues::find(name).ok_or_else(|| {
        AppError::invalid(
            "catalogue",
            ErrorCode::UnknownCatalogue,
            "không có danh mục này",
            "no such catalogue",
        )
    })
}

/// An entry as the reference change record shows it.
fn entry_summary(e: &EntryRow) -> String {
    format!(
        "{} | {} | {} | {} | {}",
        e.name,
        e.attribute,
        e.report_column,
        e.sort_order,
        if e.active {
            "đang dùng"
        } else {
            "ngừng dùng"
        }
    )
}

fn steps_summary(coefficients: &[u32]) -> String {
    coefficients
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

impl Api {
    /// Keeps who changed which reference item from what to what.
    async fn record_reference(
        &self,
        tx: &mut Tx,
        p: &Principal,
        what: &str,
        item: &str,
        before: String,
        after: String,
    ) -> AppResult<()> {
        store::catalogues::record_reference_change(
            tx,
            &store::catalogues::ReferenceChange {
                at: self.now(),
                actor_id: p.account_id.clone(),
                actor_username: p.username.clone(),
                what: what.into(),
                item: item.into(),
                before,
                after,
            },
        )
        .await?;
        Ok(())
    }

    /// Requires `permission` over the whole province: the root of the caller's own unit tree.
    fn require_province(&self, p: &Principal, permission: &str) -> AppResult<()> {
        let root = p
            .unit_path
            .split('/')
            .find(|segment| !segment.is_empty())
            .map(|id| format!("/{id}/"))
            .ok_or_else(AppError::permission_denied)?;
        p.require(permission, &root)
    }
}

#[tonic::async_trait]
impl pb::catalogue_service_server::CatalogueService for Api {
    async fn list_catalogues(
        &self,
        request: Request<pb::ListCataloguesRequest>,
    ) -> Reply<pb::ListCataloguesResponse> {
        handle(async move {
            self.principal(&request)?;
            Ok(Response::new(pb::ListCataloguesResponse {
                catalogues: catalogues::CATALOGUES
                    .iter()
                    .map(|c| pb::CatalogueInfo {
                        name: c.name.into(),
                        title: c.title.into(),
                        attribute_meaning: c.attribute_meaning.into(),
                        report_columns: c
                            .report_columns
                            .iter()
                            .map(|(key, title)| pb::ReportColumn {
                                key: (*key).into(),
                                title: (*title).into(),
                            })
                            .collect(),
                    })
                    .collect(),
            }))
        })
        .await
    }

    async fn list_catalogue_entries(
        &self,
        request: Request<pb::ListCatalogueEntriesRequest>,
    ) -> Reply<pb::ListCatalogueEntriesResponse> {
        handle(async move {
            self.principal(&request)?;
            let r = request.into_inner();
            let catalogue = known_catalogue(&r.catalogue)?;
            let rows =
                store::catalogues::entries(&self.0.db.pool, catalogue.name, r.include_retired)
                    .await?;
            Ok(Response::new(pb::ListCatalogueEntriesResponse {
                entries: rows.iter().map(entry_pb).collect(),
            }))
        })
        .await
    }

    async fn put_catalogue_entry(
        &self,
        request: Request<pb::PutCatalogueEntryRequest>,
    ) -> Reply<pb::CatalogueEntry> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            self.require_province(&p, CATALOGUE)?;
            let mut errors = Vec::new();
            let catalogue = known_catalogue(&r.catalogue)
                .map_err(|e| errors.push(e))
                .ok();
            let mut keep = |r: AppResult<String>| r.map_err(|e| errors.push(e)).unwrap_or_default();
            let code = keep(validate::text("code", &r.code, true, 32));
            let name = keep(validate::text("name", &r.name, true, 255));
            let is_form = catalogue.is_some_and(|c| c.name == catalogues::FORM_VERSION);
            // A form lists its items; every other attribute is a short value.
            let attribute_max = if is_form { 4000 } else { 64 };
            let attribute = keep(validate::text(
                "attribute",
                &r.attribute,
                false,
                attribute_max,
            ));
            let unknown_items = crate::domain::forms::unknown_items(&attribute);
            if is_form && !unknown_items.is_empty() {
                errors.push(AppError::invalid(
                    "attribute",
                    ErrorCode::UnknownCode,
                    &format!(
                        "không có mục hồ sơ tên: {} (dùng tên mục của hồ sơ, ví dụ full_name)",
                        unknown_items.join(", ")
                    ),
                    "the form names items the record does not have",
                ));
            }
            if catalogue.is_some_and(|c| c.name == catalogues::GRADE)
                && GradeGroup::from_code(&attribute).is_none()
            {
                errors.push(AppError::invalid(
                    "attribute",
                    ErrorCode::UnknownGradeGroup,
                    "ngạch phải thuộc một nhóm lương: A3.1 … C3 (bảng 2), VC.A3.1 … VC.C3 \
                     (bảng 3, viên chức), NV.1, NV.2 (bảng 4, nhân viên thừa hành, phục vụ) \
                     hoặc CX.1 … CX.4, CV.1 … (lương chức vụ)",
                    "a grade needs its salary group",
                ));
            }
            let report_column = r.report_column.trim().to_string();
            if !report_column.is_empty()
                && !catalogue.is_some_and(|c| {
                    c.report_columns
                        .iter()
                        .any(|(key, _)| *key == report_column)
                })
            {
                errors.push(AppError::invalid(
                    "report_column",
                    ErrorCode::UnknownCode,
                    "cột báo cáo này không có trong các cột của danh mục",
                    "not one of the catalogue's report columns",
                ));
            }
            all_violations(errors)?;
            let row = EntryRow {
                report_column,
                catalogue: r.catalogue,
                code,
                name,
                attribute,
                sort_order: i64::from(r.sort_order),
                active: r.active,
                updated_at: self.now(),
                updated_by: p.username.clone(),
            };
            let mut tx = self.0.db.begin().await?;
            let previous = store::catalogues::entry(&tx, &row.catalogue, &row.code).await?;
            store::catalogues::put(&mut tx, &row).await?;
            self.record_reference(
                &mut tx,
                &p,
                &format!("catalogue:{}", row.catalogue),
                &row.code,
                previous.as_ref().map(entry_summary).unwrap_or_default(),
                entry_summary(&row),
            )
            .await?;
            self.0
                .outbox
                .enqueue(&mut tx, &crate::events::catalogue_changed(&row))
                .await?;
            self.commit(tx).await?;
            Ok(Response::new(entry_pb(&row)))
        })
        .await
    }

    async fn list_grade_groups(
        &self,
        request: Request<pb::ListGradeGroupsRequest>,
    ) -> Reply<pb::ListGradeGroupsResponse> {
        handle(async move {
            self.principal(&request)?;
            let groups = store::catalogues::group_steps(&self.0.db.pool).await?;
            Ok(Response::new(pb::ListGradeGroupsResponse {
                groups: groups
                    .into_iter()
                    .map(|(group, coefficients)| grade_group_pb(&group, &coefficients))
                    .collect(),
            }))
        })
        .await
    }

    async fn set_grade_group(
        &self,
        request: Request<pb::SetGradeGroupRequest>,
    ) -> Reply<pb::GradeGroup> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            self.require_province(&p, SALARY)?;
            let mut errors = Vec::new();
            if GradeGroup::from_code(&r.group).is_none() {
                errors.push(AppError::invalid(
                    "group",
                    ErrorCode::UnknownGradeGroup,
                    "không có nhóm lương này",
                    "no such salary group",
                ));
            }
            let rising = r.coefficients.windows(2).all(|w| w[0] < w[1]);
            if r.coefficients.is_empty()
                || r.coefficients.len() > 20
                || !rising
                || r.coefficients.iter().any(|c| !(1..=2000).contains(c))
            {
                errors.push(AppError::invalid(
                    "coefficients",
                    ErrorCode::BadSteps,
                    "hệ số các bậc phải tăng dần, từ 1 đến 20 bậc",
                    "coefficients must rise step by step, 1 to 20 steps",
                ));
            }
            all_violations(errors)?;
            let coefficients: Vec<u32> = r
                .coefficients
                .iter()
                .map(|c| u32::try_from(*c).unwrap_or_default())
                .collect();
            let mut tx = self.0.db.begin().await?;
            let previous = store::catalogues::steps_of(&tx, &r.group)
                .await?
                .map(|g| steps_summary(&g.coefficients))
                .unwrap_or_default();
            store::catalogues::set_group_steps(&mut tx, &r.group, &coefficients).await?;
            self.record_reference(
                &mut tx,
                &p,
                "grade_group",
                &r.group,
                previous,
                steps_summary(&coefficients),
            )
            .await?;
            self.commit(tx).await?;
            tracing::info!(group = %r.group, by = %p.username, "grade group steps replaced");
            Ok(Response::new(grade_group_pb(&r.group, &coefficients)))
        })
        .await
    }

    async fn list_base_salaries(
        &self,
        request: Request<pb::ListBaseSalariesRequest>,
    ) -> Reply<pb::ListBaseSalariesResponse> {
        handle(async move {
            self.principal(&request)?;
            let rows = store::catalogues::base_salaries(&self.0.db.pool).await?;
            Ok(Response::new(pb::ListBaseSalariesResponse {
                base_salaries: rows
                    .iter()
                    .map(|(from, vnd, at, by)| pb::BaseSalary {
                        from_date: date_of(&Some(from.clone())),
                        amount: *vnd,
                        update_time: Some(to_timestamp(*at)),
                        updated_by: by.clone(),
                    })
                    .collect(),
            }))
        })
        .await
    }

    async fn list_reference_changes(
        &self,
        request: Request<pb::ListReferenceChangesRequest>,
    ) -> Reply<pb::ListReferenceChangesResponse> {
        handle(async move {
            self.principal(&request)?;
            let r = request.into_inner();
            let (limit, offset) = page(r.page_size, &r.page_token)?;
            let rows = store::catalogues::reference_changes(&self.0.db.pool, limit, offset).await?;
            Ok(Response::new(pb::ListReferenceChangesResponse {
                next_page_token: next_token(rows.len(), limit, offset),
                changes: rows
                    .into_iter()
                    .map(|c| pb::ReferenceChange {
                        time: Some(to_timestamp(c.at)),
                        actor_id: c.actor_id,
                        actor_username: c.actor_username,
                        what: c.what,
                        item: c.item,
                        before: c.before,
                        after: c.after,
                    })
                    .collect(),
            }))
        })
        .await
    }

    async fn set_base_salary(
        &self,
        request: Request<pb::SetBaseSalaryRequest>,
    ) -> Reply<pb::BaseSalary> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            self.require_province(&p, SALARY)?;
            let mut errors = Vec::new();
            let from = date_text(&r.from_date, "from_date")
                .map_err(|e| errors.push(e))
                .ok()
                .flatten();
            if from.is_none() && errors.is_empty() {
                errors.push(AppError::invalid(
                    "from_date",
                    ErrorCode::Required,
                    "chưa nhập ngày áp dụng",
                    "the date it applies from is required",
                ));
            }
            if !(1..=1_000_000_000).contains(&r.amount) {
                errors.push(AppError::invalid(
                    "amount",
                    ErrorCode::OutOfRange,
                    "mức lương cơ sở không hợp lệ",
                    "base salary out of range",
                ));
            }
            all_violations(errors)?;
            let from = from.unwrap_or_default();
            let now = self.now();
            let mut tx = self.0.db.begin().await?;
            let previous = store::catalogues::base_salaries(&tx)
                .await?
                .into_iter()
                .find(|(date, _, _, _)| *date == from)
                .map(|(_, vnd, _, _)| vnd.to_string())
                .unwrap_or_default();
            store::catalogues::set_base_salary(&mut tx, &from, r.amount, now, &p.username).await?;
            self.record_reference(
                &mut tx,
                &p,
                "base_salary",
                &from,
                previous,
                r.amount.to_string(),
            )
            .await?;
            self.commit(tx).await?;
            tracing::info!(from = %from, amount = r.amount, by = %p.username, "base salary set");
            Ok(Response::new(pb::BaseSalary {
                from_date: date_of(&Some(from)),
                amount: r.amount,
                update_time: Some(to_timestamp(now)),
                updated_by: p.username.clone(),
            }))
        })
        .await
    }
}

fn grade_group_pb(group: &str, coefficients: &[u32]) -> pb::GradeGroup {
    pb::GradeGroup {
        group: group.into(),
        coefficients: coefficients
            .iter()
            .map(|c| i32::try_from(*c).unwrap_or_default())
            .collect(),
        raise_interval_months: GradeGroup::from_code(group).map_or(0, |g| {
            i32::try_from(g.raise_interval_months()).unwrap_or_default()
        }),
    }
}
