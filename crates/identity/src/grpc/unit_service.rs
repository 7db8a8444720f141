//! UnitService: the unit tree (create, rename, move, merge, close), each change revoking the
//! tokens that carry old paths and published for the other services' replicas.

use super::*;
use tinhso_platform::{ErrorCode, UnitId};

impl Api {
    /// Denies the tokens of every account under `prefix`: their tokens carry old paths.
    async fn revoke_under(
        &self,
        tx: &mut Tx,
        prefix: &str,
        actor: &str,
        now: i64,
    ) -> AppResult<()> {
        for (id, _) in store::accounts::ids_under(tx, prefix).await? {
            let a = self.account(tx, &id).await?;
            self.revoke_tokens(tx, &a, "moved", actor, now).await?;
        }
        Ok(())
    }

    /// Audits a unit's change (before and after), queues its event and commits: the end of
    /// every edit of one unit.
    #[allow(clippy::too_many_arguments)]
    async fn finish_unit_change(
        &self,
        mut tx: Tx,
        p: &Principal,
        change: &str,
        before: &UnitRow,
        u: &UnitRow,
        address: &str,
        now: i64,
    ) -> AppResult<pb::Unit> {
        let action = format!("unit.{change}");
        let mut entry = self.audit(Some(p), &action, "unit", &u.id, &u.path, address);
        entry.before_json = json(Some(before));
        entry.after_json = json(Some(u));
        store::audit::append(&mut tx, &entry).await?;
        let event = events::unit_changed(u, &before.path, &p.account_id);
        self.enqueue(&mut tx, &events::unit(change, event, now))
            .await?;
        self.commit(tx).await?;
        Ok(unit_pb(u))
    }
}

#[tonic::async_trait]
impl pb::unit_service_server::UnitService for Api {
    async fn create_unit(&self, request: Request<pb::CreateUnitRequest>) -> Reply<pb::Unit> {
        handle(async move {
            let p = self.principal(&request)?;
            let address = tinhso_platform::grpc::client_address(&request);
            let r = request.into_inner();
            let u = r.unit.unwrap_or_default();
            let name = units::check_name("unit.name", &u.name)?;
            let code = units::check_code("unit.code", &u.code)?;
            let kind = units::kind_from_proto(u.kind).ok_or_else(|| {
                AppError::invalid(
                    "unit.kind",
                    ErrorCode::BadKind,
                    "loại đơn vị không hợp lệ",
                    "invalid unit kind",
                )
            })?;
            let valid_from = date_text(&u.valid_from, "unit.valid_from")?;
            let valid_to = date_text(&u.valid_to, "unit.valid_to")?;
            if let (Some(f), Some(t)) = (&valid_from, &valid_to)
                && t < f
            {
                return Err(AppError::invalid(
                    "unit.valid_to",
                    ErrorCode::DatesOutOfOrder,
                    "ngày hết hiệu lực phải sau ngày có hiệu lực",
                    "valid_to must not precede valid_from",
                ));
            }
            let mut tx = self.begin().await?;
            let parent = self.unit(&mut tx, &u.parent_id, "unit.parent_id").await?;
            p.require("identity.unit.create", &parent.path)?;
            if parent.status != "active" {
                return Err(AppError::failed_precondition(
                    ErrorCode::UnitClosed,
                    "Đơn vị cấp trên đã giải thể hoặc sáp nhập",
                    "the parent unit is closed",
                )
                .with_field("unit.parent_id"));
            }
            if !r.request_id.is_empty()
                && let Some(existing) = store::units::by_request_id(&mut tx, &r.request_id).await?
            {
                return Ok(Response::new(unit_pb(&existing)));
            }
            if store::units::code_taken(&mut tx, &code, "").await? {
                return Err(AppError::already_exists(
                    "unit.code",
                    ErrorCode::UnitCodeTaken,
                    "Mã đơn vị đã được sử dụng",
                    "unit code already in use",
                ));
            }
            let now = self.now();
            let id = UnitId::generate();
            let row = UnitRow {
                path: parent.path.child(&id),
                id,
                code,
                name,
                kind: kind.into(),
                parent_id: Some(parent.id.clone()),
                valid_from,
                valid_to,
                status: "active".into(),
                merged_into_id: None,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            store::units::insert(
                &mut tx,
                &row,
                (!r.request_id.is_empty()).then_some(r.request_id.as_str()),
            )
            .await?;
            let mut entry = self.audit(
                Some(&p),
                "unit.created",
                "unit",
                &row.id,
                &row.path,
                &address,
            );
            entry.after_json = json(Some(&row));
            store::audit::append(&mut tx, &entry).await?;
            self.enqueue(
                &mut tx,
                &events::unit(
                    "created",
                    events::unit_changed(&row, "", &p.account_id),
                    now,
                ),
            )
            .await?;
            self.commit(tx).await?;
            Ok(Response::new(unit_pb(&row)))
        })
        .await
    }

    async fn get_unit(&self, request: Request<pb::GetUnitRequest>) -> Reply<pb::Unit> {
        handle(async move {
            let p = self.principal(&request)?;
            let mut tx = self.begin().await?;
            let u = self.unit(&mut tx, &request.get_ref().id, "id").await?;
            tx.commit().await?;
            p.require("identity.unit.read", &u.path)?;
            Ok(Response::new(unit_pb(&u)))
        })
        .await
    }

    async fn list_units(
        &self,
        request: Request<pb::ListUnitsRequest>,
    ) -> Reply<pb::ListUnitsResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            p.require_active()?;
            let r = request.into_inner();
            let (limit, offset) = page(r.page_size, &r.page_token)?;
            let pool = &self.0.db.pool;
            let rows = if r.parent_id.is_empty() {
                // The top of what the caller may see: the units its read grants are rooted at.
                let mut out = Vec::new();
                for scope in p.scopes_for("identity.unit.read") {
                    let id = scope
                        .trim_end_matches('/')
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    if let Some(u) = store::units::get(pool, &id).await? {
                        out.push(u);
                    }
                }
                out.into_iter()
                    .skip(offset as usize)
                    .take(limit as usize)
                    .collect::<Vec<_>>()
            } else {
                let parent = store::units::get(pool, &r.parent_id)
                    .await?
                    .ok_or_else(|| AppError::not_found("đơn vị", "unit").with_field("parent_id"))?;
                p.require("identity.unit.read", &parent.path)?;
                if r.subtree {
                    store::units::subtree(pool, &parent.path, r.include_closed, limit, offset)
                        .await?
                } else {
                    let all = store::units::children(pool, &parent.id, r.include_closed).await?;
                    all.into_iter()
                        .skip(offset as usize)
                        .take(limit as usize)
                        .collect()
                }
            };
            Ok(Response::new(pb::ListUnitsResponse {
                next_page_token: next_token(rows.len(), limit, offset),
                units: rows.iter().map(unit_pb).collect(),
            }))
        })
        .await
    }

    async fn find_units(
        &self,
        request: Request<pb::FindUnitsRequest>,
    ) -> Reply<pb::FindUnitsResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            p.require_active()?;
            let r = request.into_inner();
            let query = r.query.trim();
            if query.chars().count() < 2 {
                return Err(AppError::invalid(
                    "query",
                    ErrorCode::Required,
                    "Hãy nhập ít nhất 2 ký tự của tên hoặc mã đơn vị.",
                    "Enter at least 2 characters of the unit's name or code.",
                ));
            }
            let limit = u64::try_from(r.page_size.clamp(0, 20)).unwrap_or(20);
            let limit = if limit == 0 { 20 } else { limit };
            let pool = &self.0.db.pool;
            let rows = store::units::find_open(pool, query, limit).await?;
            let mut units = Vec::with_capacity(rows.len());
            for u in rows {
                let parent_name = match &u.parent_id {
                    Some(id) => store::units::get(pool, id)
                        .await?
                        .map(|parent| parent.name)
                        .unwrap_or_default(),
                    None => String::new(),
                };
                units.push(pb::UnitListing {
                    id: u.id.clone().into(),
                    code: u.code.clone(),
                    name: u.name.clone(),
                    kind: units::kind_to_proto(&u.kind),
                    parent_name,
                });
            }
            Ok(Response::new(pb::FindUnitsResponse { units }))
        })
        .await
    }

    async fn list_child_units(
        &self,
        request: Request<pb::ListChildUnitsRequest>,
    ) -> Reply<pb::ListUnitsResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let r = request.into_inner();
            let pool = &self.0.db.pool;
            let parent = store::units::get(pool, &r.id)
                .await?
                .ok_or_else(|| AppError::not_found("đơn vị", "unit").with_field("id"))?;
            p.require("identity.unit.read", &parent.path)?;
            let rows = store::units::children(pool, &parent.id, r.include_closed).await?;
            Ok(Response::new(pb::ListUnitsResponse {
                units: rows.iter().map(unit_pb).collect(),
                next_page_token: String::new(),
            }))
        })
        .await
    }

    async fn update_unit(&self, request: Request<pb::UpdateUnitRequest>) -> Reply<pb::Unit> {
        handle(async move {
            let p = self.principal(&request)?;
            let address = tinhso_platform::grpc::client_address(&request);
            let r = request.into_inner();
            let mut tx = self.begin().await?;
            let before = self.unit(&mut tx, &r.id, "id").await?;
            p.require("identity.unit.update", &before.path)?;
            check_etag(&r.etag, before.version)?;
            let mut u = before.clone();
            if let Some(name) = &r.name {
                u.name = units::check_name("name", name)?;
            }
            if let Some(code) = &r.code {
                u.code = units::check_code("code", code)?;
                if store::units::code_taken(&mut tx, &u.code, &u.id).await? {
                    return Err(AppError::already_exists(
                        "code",
                        ErrorCode::UnitCodeTaken,
                        "Mã đơn vị đã được sử dụng",
                        "unit code already in use",
                    ));
                }
            }
            if r.kind != 0 {
                u.kind = units::kind_from_proto(r.kind)
                    .ok_or_else(|| {
                        AppError::invalid(
                            "kind",
                            ErrorCode::BadKind,
                            "loại đơn vị không hợp lệ",
                            "invalid unit kind",
                        )
                    })?
                    .into();
            }
            if r.valid_from.is_some() {
                u.valid_from = date_text(&r.valid_from, "valid_from")?;
            }
            if r.valid_to.is_some() {
                u.valid_to = date_text(&r.valid_to, "valid_to")?;
            }
            if let (Some(f), Some(t)) = (&u.valid_from, &u.valid_to)
                && t < f
            {
                return Err(AppError::invalid(
                    "valid_to",
                    ErrorCode::DatesOutOfOrder,
                    "ngày hết hiệu lực phải sau ngày có hiệu lực",
                    "valid_to must not precede valid_from",
                ));
            }
            let now = self.now();
            u.version += 1;
            u.updated_at = now;
            if !store::units::update(&mut tx, &u, before.version).await? {
                return Err(AppError::stale_etag());
            }
            let unit = self
                .finish_unit_change(tx, &p, "updated", &before, &u, &address, now)
                .await?;
            Ok(Response::new(unit))
        })
        .await
    }

    async fn move_unit(&self, request: Request<pb::MoveUnitRequest>) -> Reply<pb::Unit> {
        handle(async move {
            let p = self.principal(&request)?;
            let address = tinhso_platform::grpc::client_address(&request);
            let r = request.into_inner();
            let mut tx = self.begin().await?;
            let before = self.unit(&mut tx, &r.id, "id").await?;
            let parent = self
                .unit(&mut tx, &r.new_parent_id, "new_parent_id")
                .await?;
            // Both ends of the move must be the caller's to reorganise.
            p.require("identity.unit.reorganize", &before.path)?;
            p.require("identity.unit.reorganize", &parent.path)?;
            check_etag(&r.etag, before.version)?;
            if before.parent_id.is_none() {
                return Err(AppError::failed_precondition(
                    ErrorCode::RootUnit,
                    "Không thể chuyển đơn vị gốc",
                    "the root unit cannot move",
                )
                .with_field("id"));
            }
            units::check_move(&before.path, &parent.path)?;
            if parent.status != "active" {
                return Err(AppError::failed_precondition(
                    ErrorCode::UnitClosed,
                    "Đơn vị nhận đã giải thể hoặc sáp nhập",
                    "the new parent unit is closed",
                )
                .with_field("new_parent_id"));
            }
            let now = self.now();
            let mut u = before.clone();
            u.parent_id = Some(parent.id.clone());
            u.path = parent.path.child(&u.id);
            u.version += 1;
            u.updated_at = now;
            if !store::units::update(&mut tx, &u, before.version).await? {
                return Err(AppError::stale_etag());
            }
            store::units::rebase_descendants(&mut tx, &before.path, &u.path, now).await?;
            self.revoke_under(&mut tx, &u.path, &p.account_id, now)
                .await?;
            let unit = self
                .finish_unit_change(tx, &p, "moved", &before, &u, &address, now)
                .await?;
            Ok(Response::new(unit))
        })
        .await
    }

    async fn merge_units(&self, request: Request<pb::MergeUnitsRequest>) -> Reply<pb::Unit> {
        handle(async move {
            let p = self.principal(&request)?;
            let address = tinhso_platform::grpc::client_address(&request);
            let r = request.into_inner();
            if r.source_ids.is_empty() {
                return Err(AppError::invalid("source_ids", ErrorCode::Required, "chưa chọn đơn vị cần sáp nhập", "at least one source unit is required"));
            }
            let mut tx = self.begin().await?;
            let target = self.unit(&mut tx, &r.target_id, "target_id").await?;
            p.require("identity.unit.reorganize", &target.path)?;
            if target.status != "active" {
                return Err(AppError::failed_precondition(ErrorCode::UnitClosed, "Đơn vị tiếp nhận đã giải thể hoặc sáp nhập", "the target unit is closed").with_field("target_id"));
            }
            let now = self.now();
            for (i, source_id) in r.source_ids.iter().enumerate() {
                let field = format!("source_ids[{i}]");
                let source = self.unit(&mut tx, source_id, &field).await?;
                p.require("identity.unit.reorganize", &source.path)?;
                if source.id == target.id || target.path.is_under(&source.path) || source.parent_id.is_none() {
                    return Err(AppError::failed_precondition(ErrorCode::UnitMergeCycle, "Không thể sáp nhập đơn vị vào chính nó hoặc đơn vị cấp dưới của nó", "a unit cannot merge into itself or its descendant").with_field(&field));
                }
                if source.status != "active" {
                    return Err(AppError::failed_precondition(ErrorCode::UnitClosed, "Đơn vị đã giải thể hoặc sáp nhập", "the source unit is already closed").with_field(&field));
                }
                // Children follow to the target; their subtrees' paths are rebased.
                for child_id in store::units::children_ids(&mut tx, &source.id).await? {
                    let child = self.unit(&mut tx, &child_id, &field).await?;
                    let mut moved = child.clone();
                    moved.parent_id = Some(target.id.clone());
                    moved.path = target.path.child(&child.id);
                    moved.version += 1;
                    moved.updated_at = now;
                    store::units::update(&mut tx, &moved, child.version).await?;
                    store::units::rebase_descendants(&mut tx, &child.path, &moved.path, now).await?;
                    self.enqueue(&mut tx, &events::unit("moved", events::unit_changed(&moved, &child.path, &p.account_id), now)).await?;
                }
                self.revoke_under(&mut tx, &source.path, &p.account_id, now).await?;
                let moved_accounts = store::accounts::move_all(&mut tx, &source.id, &target.id, now).await?;
                store::access::move_scopes(&mut tx, &source.id, &target.id).await?;
                let mut closed = source.clone();
                closed.status = "closed".into();
                closed.merged_into_id = Some(target.id.clone());
                closed.valid_to = Some(units::date_text_today(now));
                closed.version += 1;
                closed.updated_at = now;
                store::units::update(&mut tx, &closed, source.version).await?;
                for id in &moved_accounts {
                    let a = self.account(&mut tx, id).await?;
                    self.revoke_tokens(&mut tx, &a, "moved", &p.account_id, now).await?;
                }
                let mut entry = self.audit(Some(&p), "unit.merged", "unit", &source.id, &source.path, &address);
                entry.before_json = json(Some(&source));
                entry.after_json = json(Some(&serde_json::json!({"unit": closed, "into": target.id, "accounts_moved": moved_accounts.len()})));
                store::audit::append(&mut tx, &entry).await?;
                let mut changed = events::unit_changed(&closed, &source.path, &p.account_id);
                changed.new_path = target.path.clone().into();
                self.enqueue(&mut tx, &events::unit("merged", changed, now)).await?;
            }
            let target = self.unit(&mut tx, &target.id, "target_id").await?;
            self.commit(tx).await?;
            Ok(Response::new(unit_pb(&target)))
        })
        .await
    }

    async fn close_unit(&self, request: Request<pb::CloseUnitRequest>) -> Reply<pb::Unit> {
        handle(async move {
            let p = self.principal(&request)?;
            let address = tinhso_platform::grpc::client_address(&request);
            let r = request.into_inner();
            let mut tx = self.begin().await?;
            let before = self.unit(&mut tx, &r.id, "id").await?;
            p.require("identity.unit.reorganize", &before.path)?;
            check_etag(&r.etag, before.version)?;
            if before.parent_id.is_none() {
                return Err(AppError::failed_precondition(
                    ErrorCode::RootUnit,
                    "Không thể giải thể đơn vị gốc",
                    "the root unit cannot close",
                )
                .with_field("id"));
            }
            if before.status != "active" {
                return Err(AppError::failed_precondition(
                    ErrorCode::UnitClosed,
                    "Đơn vị đã giải thể hoặc sáp nhập",
                    "the unit is already closed",
                )
                .with_field("id"));
            }
            if store::units::count_open_children(&mut tx, &before.id).await? > 0 {
                return Err(AppError::failed_precondition(
                    ErrorCode::UnitHasChildren,
                    "Đơn vị còn đơn vị trực thuộc đang hoạt động; hãy chuyển hoặc sáp nhập trước",
                    "the unit still has open child units",
                )
                .with_field("id"));
            }
            if store::accounts::count_active_in(&mut tx, &before.id).await? > 0 {
                return Err(AppError::failed_precondition(
                    ErrorCode::UnitHasAccounts,
                    "Đơn vị còn tài khoản đang hoạt động; hãy thu hồi hoặc chuyển trước",
                    "the unit still has active accounts",
                )
                .with_field("id"));
            }
            let now = self.now();
            let mut u = before.clone();
            u.status = "closed".into();
            u.valid_to = match date_text(&r.valid_to, "valid_to")? {
                Some(d) => Some(d),
                None => Some(units::date_text_today(now)),
            };
            u.version += 1;
            u.updated_at = now;
            if !store::units::update(&mut tx, &u, before.version).await? {
                return Err(AppError::stale_etag());
            }
            let unit = self
                .finish_unit_change(tx, &p, "closed", &before, &u, &address, now)
                .await?;
            Ok(Response::new(unit))
        })
        .await
    }
}
