//! BeneficiaryService: persons and households in the commune that manages them, searched without
//! diacritics, checked for duplicates (Điều 9.2; issue 12, item 2).

use super::*;
use crate::store::{self, beneficiaries::BeneficiaryRow};
use tinhso_platform::clock::to_timestamp;
use tinhso_platform::grpc::handle;
use tinhso_platform::validate;

pub(super) fn beneficiary_pb(b: &BeneficiaryRow) -> pb::Beneficiary {
    pb::Beneficiary {
        id: b.id.clone(),
        kind: if b.kind == "household" {
            pb::BeneficiaryKind::Household
        } else {
            pb::BeneficiaryKind::Person
        } as i32,
        full_name: b.full_name.clone(),
        birth_date: b.birth_date.map(pb_date),
        sex: b.sex.clone(),
        citizen_id: b.citizen_id.clone(),
        ethnicity: b.ethnicity.clone(),
        address: b.address.clone(),
        commune_id: b.commune_id.clone(),
        household_id: b.household_id.clone().unwrap_or_default(),
        household_code: b.household_code.clone(),
        poverty: b.poverty.clone(),
        poverty_decision: b.poverty_decision.clone(),
        merged_into: b.merged_into.clone().unwrap_or_default(),
        unit_path: b.unit_path.clone(),
        create_time: Some(to_timestamp(b.created_at)),
        created_by: b.created_by.clone(),
    }
}

impl Api {
    /// The beneficiary `id` if the caller holds `permission` over its commune.
    pub(super) async fn beneficiary(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        p: &Principal,
        id: &str,
        permission: &str,
    ) -> AppResult<BeneficiaryRow> {
        let b = store::beneficiaries::get(conn, id)
            .await?
            .ok_or_else(|| AppError::not_found("đối tượng", "beneficiary").with_field("id"))?;
        p.require(permission, &b.unit_path)?;
        Ok(b)
    }

    /// The record with its undecided suspected duplicates (those the caller may read) and its
    /// enrolments.
    async fn record(&self, p: &Principal, b: BeneficiaryRow) -> AppResult<pb::BeneficiaryRecord> {
        let pool = &self.0.db.pool;
        let suspected = store::beneficiaries::undecided_duplicates(pool, &b)
            .await?
            .iter()
            .filter(|o| p.can(READ, &o.unit_path))
            .map(beneficiary_pb)
            .collect();
        let enrolments = store::enrolments::list(
            pool,
            &store::enrolments::Filter {
                unit_prefix: String::new(),
                beneficiary_id: Some(b.id.clone()),
                ..Default::default()
            },
            "",
            1000,
        )
        .await?
        .iter()
        .map(|e| super::enrolments::enrolment_pb(e, &b.full_name, Vec::new()))
        .collect();
        Ok(pb::BeneficiaryRecord {
            beneficiary: Some(beneficiary_pb(&b)),
            suspected_duplicates: suspected,
            enrolments,
        })
    }

    /// The row a create request describes, checked field by field (every fault at once).
    async fn new_beneficiary(
        &self,
        p: &Principal,
        b: pb::Beneficiary,
    ) -> AppResult<BeneficiaryRow> {
        let f = |name: &str| format!("beneficiary.{name}");
        let mut errors = Vec::new();
        let mut text = |name: &str, value: &str, required: bool, max: usize| {
            validate::text(&f(name), value, required, max)
                .map_err(|e| errors.push(e))
                .unwrap_or_default()
        };
        let household = b.kind == pb::BeneficiaryKind::Household as i32;
        let mut row = BeneficiaryRow {
            id: uuid::Uuid::now_v7().to_string(),
            kind: if household { "household" } else { "person" }.into(),
            full_name: text("full_name", &b.full_name, true, 255),
            sex: text("sex", &b.sex, !household, 16),
            ethnicity: text("ethnicity", &b.ethnicity, false, 64),
            address: text("address", &b.address, false, 500),
            household_code: text("household_code", &b.household_code, false, 32),
            poverty_decision: text("poverty_decision", &b.poverty_decision, false, 64),
            poverty: b.poverty.trim().to_string(),
            created_at: self.now(),
            created_by: p.username.clone(),
            version: 1,
            ..Default::default()
        };
        if !row.sex.is_empty() && row.sex != "male" && row.sex != "female" {
            errors.push(AppError::invalid(
                &f("sex"),
                ErrorCode::BadSex,
                "giới tính ghi male (nam) hoặc female (nữ)",
                "sex is male or female",
            ));
        }
        if !["", "poor", "near_poor"].contains(&row.poverty.as_str()) {
            errors.push(AppError::invalid(
                &f("poverty"),
                ErrorCode::BadStatus,
                "tình trạng hộ ghi poor (hộ nghèo) hoặc near_poor (hộ cận nghèo)",
                "poverty is poor or near_poor",
            ));
        }
        match date(&b.birth_date, &f("birth_date")) {
            Ok(Some(d)) if d > self.today() => errors.push(AppError::invalid(
                &f("birth_date"),
                ErrorCode::DateInFuture,
                "ngày sinh không được ở tương lai",
                "the birth date must not be in the future",
            )),
            Ok(Some(d)) => row.birth_date = Some(d),
            Ok(None) if !household => errors.push(AppError::invalid(
                &f("birth_date"),
                ErrorCode::Required,
                "chưa nhập ngày sinh",
                "the birth date is required",
            )),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
        let citizen_id: String = b.citizen_id.split_whitespace().collect();
        if !citizen_id.is_empty() {
            match validate::citizen_id(&f("citizen_id"), &citizen_id) {
                Ok(id) => row.citizen_id = id,
                Err(e) => errors.push(e),
            }
        }
        let pool = &self.0.db.pool;
        match tinhso_platform::units::active_unit(pool, &b.commune_id, &f("commune_id")).await {
            Ok(unit) => {
                if p.require(WRITE, &unit.path).is_err() {
                    return Err(AppError::permission_denied());
                }
                row.commune_id = unit.id.to_string();
                row.unit_path = unit.path.to_string();
            }
            Err(e) => errors.push(e),
        }
        if !b.household_id.is_empty() {
            match store::beneficiaries::get(pool, &b.household_id).await? {
                Some(h) if h.kind == "household" && p.can(READ, &h.unit_path) => {
                    row.household_id = Some(h.id)
                }
                _ => errors.push(AppError::invalid(
                    &f("household_id"),
                    ErrorCode::NotFound,
                    "không tìm thấy hộ gia đình này",
                    "no such household",
                )),
            }
        }
        tinhso_platform::error::all_violations(errors)?;
        Ok(row)
    }
}

#[tonic::async_trait]
impl pb::beneficiary_service_server::BeneficiaryService for Api {
    async fn create_beneficiary(
        &self,
        request: Request<pb::CreateBeneficiaryRequest>,
    ) -> Reply<pb::BeneficiaryRecord> {
        handle(async move {
            let p = self.principal(&request)?;
            let b = request.into_inner().beneficiary.unwrap_or_default();
            let row = self.new_beneficiary(&p, b).await?;
            let mut tx = self.0.db.begin().await?;
            if let Err(e) = store::beneficiaries::insert(&mut tx, &row).await {
                return Err(if tinhso_platform::db::is_unique_violation(&e) {
                    AppError::already_exists(
                        "beneficiary.citizen_id",
                        ErrorCode::IdNumberTaken,
                        "số CCCD này đã có trong hồ sơ đối tượng khác",
                        "another beneficiary already has this citizen ID",
                    )
                } else {
                    e.into()
                });
            }
            self.commit(tx).await?;
            Ok(Response::new(self.record(&p, row).await?))
        })
        .await
    }

    async fn get_beneficiary(
        &self,
        request: Request<pb::GetBeneficiaryRequest>,
    ) -> Reply<pb::BeneficiaryRecord> {
        handle(async move {
            let p = self.principal(&request)?;
            let b = self
                .beneficiary(&self.0.db.pool, &p, &request.get_ref().id, READ)
                .await?;
            Ok(Response::new(self.record(&p, b).await?))
        })
        .await
    }

    async fn list_beneficiaries(
        &self,
        request: Request<pb::ListBeneficiariesRequest>,
    ) -> Reply<pb::ListBeneficiariesResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let unit = self.readable_unit(&p, &r.unit_id).await?;
            let limit = page_size(r.page_size)?;
            let validate_query = validate::text("query", &r.query, false, 255)?;
            let rows = store::beneficiaries::page(
                &self.0.db.pool,
                unit.path.as_str(),
                &validate_query,
                &r.page_token,
                limit,
            )
            .await?;
            let next_page_token = if rows.len() as u64 == limit {
                rows.last().map(|b| b.id.clone()).unwrap_or_default()
            } else {
                String::new()
            };
            Ok(Response::new(pb::ListBeneficiariesResponse {
                beneficiaries: rows.iter().map(beneficiary_pb).collect(),
                next_page_token,
            }))
        })
        .await
    }

    async fn resolve_duplicate(
        &self,
        request: Request<pb::ResolveDuplicateRequest>,
    ) -> Reply<pb::BeneficiaryRecord> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let decision = match r.decision.as_str() {
                "NOT_DUPLICATE" => store::beneficiaries::Decision::Distinct,
                "MERGE" => store::beneficiaries::Decision::Merged,
                _ => {
                    return Err(AppError::invalid(
                        "decision",
                        ErrorCode::UnknownCode,
                        "quyết định ghi NOT_DUPLICATE (không trùng) hoặc MERGE (gộp hồ sơ)",
                        "decision is NOT_DUPLICATE or MERGE",
                    ));
                }
            };
            let mut tx = self.0.db.begin().await?;
            let kept = self.beneficiary(&tx, &p, &r.id, WRITE).await?;
            let other = store::beneficiaries::get(&tx, &r.other_id)
                .await?
                .filter(|o| p.can(WRITE, &o.unit_path))
                .filter(|o| o.id != kept.id)
                .ok_or_else(|| {
                    AppError::not_found("đối tượng", "beneficiary").with_field("other_id")
                })?;
            let suspected = store::beneficiaries::undecided_duplicates(&tx, &kept).await?;
            if !suspected.iter().any(|s| s.id == other.id) {
                return Err(AppError::invalid(
                    "other_id",
                    ErrorCode::BadStatus,
                    "hai hồ sơ này không nằm trong danh sách nghi trùng chưa xử lý",
                    "the two records are not an undecided suspected pair",
                ));
            }
            store::beneficiaries::decide(&mut tx, &kept.id, &other.id, decision, self.now(), &p.username)
                .await?;
            self.commit(tx).await?;
            tracing::info!(actor = %p.username, kept = %kept.id, other = %other.id, ?decision, "suspected duplicate resolved");
            Ok(Response::new(self.record(&p, kept).await?))
        })
        .await
    }
}
