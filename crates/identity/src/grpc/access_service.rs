//! AccessService: roles and grants, given only within the granter's subtree and rights.

use super::*;
use tinhso_platform::ErrorCode;

#[tonic::async_trait]
impl pb::access_service_server::AccessService for Api {
    async fn list_permissions(
        &self,
        request: Request<pb::ListPermissionsRequest>,
    ) -> Reply<pb::ListPermissionsResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            p.require("identity.role.read", &p.unit_path)?;
            Ok(Response::new(pb::ListPermissionsResponse {
                permissions: roles::PERMISSIONS
                    .iter()
                    .map(|d| pb::Permission {
                        name: d.name.into(),
                        description: d.description.into(),
                    })
                    .collect(),
            }))
        })
        .await
    }

    async fn list_roles(
        &self,
        request: Request<pb::ListRolesRequest>,
    ) -> Reply<pb::ListRolesResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            p.require("identity.role.read", &p.unit_path)?;
            let rows = store::access::roles(&self.0.db.pool).await?;
            Ok(Response::new(pb::ListRolesResponse {
                roles: rows.iter().map(role_pb).collect(),
            }))
        })
        .await
    }

    async fn create_role(&self, request: Request<pb::CreateRoleRequest>) -> Reply<pb::Role> {
        handle(async move {
            let p = self.principal(&request)?;
            let address = tinhso_platform::grpc::client_address(&request);
            let role = request.into_inner().role.unwrap_or_default();
            let mut tx = self.begin().await?;
            let root = store::units::root(&tx)
                .await?
                .ok_or_else(|| internal("no root unit"))?;
            // Roles are province-wide definitions: only who holds role.create at the root defines them.
            p.require("identity.role.create", &root.path)?;
            let code = acc::check_username("role.code", &role.code)?;
            let name = acc::check_text("role.name", &role.name, true, 255)?;
            if role.permissions.is_empty() {
                return Err(AppError::invalid(
                    "role.permissions",
                    ErrorCode::Required,
                    "vai trò phải có ít nhất một quyền",
                    "a role needs at least one permission",
                ));
            }
            for (i, perm) in role.permissions.iter().enumerate() {
                if !roles::is_known_pattern(perm) {
                    return Err(AppError::invalid(
                        &format!("role.permissions[{i}]"),
                        ErrorCode::UnknownPermission,
                        "quyền không tồn tại",
                        "unknown permission",
                    ));
                }
            }
            if store::access::role(&tx, &code).await?.is_some() {
                return Err(AppError::already_exists(
                    "role.code",
                    ErrorCode::RoleCodeTaken,
                    "Mã vai trò đã được sử dụng",
                    "role code already in use",
                ));
            }
            let now = self.now();
            let row = RoleRow {
                id: uuid::Uuid::now_v7().to_string(),
                code,
                name,
                permissions: role.permissions,
                builtin: false,
            };
            store::access::insert_role(&mut tx, &row, now).await?;
            let mut entry = self.audit(
                Some(&p),
                "role.created",
                "role",
                &row.id,
                &root.path,
                &address,
            );
            entry.after_json = json(Some(&row));
            store::audit::append(&mut tx, &entry).await?;
            self.commit(tx).await?;
            Ok(Response::new(role_pb(&row)))
        })
        .await
    }

    async fn list_grants(
        &self,
        request: Request<pb::ListGrantsRequest>,
    ) -> Reply<pb::ListGrantsResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let mut tx = self.begin().await?;
            let a = self
                .account(&mut tx, &request.get_ref().account_id)
                .await
                .map_err(|e| e.with_field("account_id"))?;
            if a.id != p.account_id || p.must_change_password {
                p.require("identity.grant.read", &a.unit_path)?;
            }
            let grants = store::access::grants_of(&tx, &a.id).await?;
            tx.commit().await?;
            Ok(Response::new(pb::ListGrantsResponse {
                grants: grants.iter().map(grant_pb).collect(),
            }))
        })
        .await
    }

    async fn create_grant(&self, request: Request<pb::CreateGrantRequest>) -> Reply<pb::Grant> {
        handle(async move {
            let p = self.principal(&request)?;
            let address = tinhso_platform::grpc::client_address(&request);
            let r = request.into_inner();
            let mut tx = self.begin().await?;
            let grantee = self.account(&mut tx, &r.account_id).await.map_err(|e| e.with_field("account_id"))?;
            p.require("identity.grant.create", &grantee.unit_path)?;
            if grantee.id == p.account_id {
                return Err(AppError::new(ErrorCode::SelfGrant, "Không thể tự phân quyền cho chính mình", "you cannot grant roles to yourself").with_field("account_id"));
            }
            let role = store::access::role(&tx, &r.role_id)
                .await?
                .ok_or_else(|| AppError::not_found("vai trò", "role").with_field("role_id"))?;
            let (scope, scope_unit) = match r.scope {
                1 => {
                    let unit = self.unit(&mut tx, &r.scope_unit_id, "scope_unit_id").await?;
                    ("unit", Some(unit))
                }
                2 => ("self", None),
                _ => return Err(AppError::invalid("scope", ErrorCode::BadScope, "phạm vi phân quyền không hợp lệ", "scope must be UNIT or SELF")),
            };
            let scope_path = scope_unit.as_ref().map(|u| u.path.clone()).unwrap_or_else(|| grantee.unit_path.clone());
            p.require("identity.grant.create", &scope_path)?;
            if !roles::can_delegate(&p, &role.permissions, &scope_path) {
                return Err(AppError::new(ErrorCode::GrantExceedsOwn,
                    "Không thể phân quyền vượt quá quyền của chính mình hoặc ngoài phạm vi đơn vị mình quản lý",
                    "you can grant only roles whose permissions you hold, inside your own scope",
                )
                .with_field("role_id"));
            }
            let now = self.now();
            let row = GrantRow {
                id: uuid::Uuid::now_v7().to_string(),
                account_id: grantee.id.clone(),
                role_id: role.id.clone(),
                role_code: role.code.clone(),
                permissions: role.permissions.clone(),
                scope: scope.into(),
                scope_unit_id: scope_unit.as_ref().map(|u| u.id.clone()),
                scope_unit_path: scope_unit.as_ref().map(|u| u.path.clone()),
                created_at: now,
            };
            store::access::insert_grant(&mut tx, &row, &p.account_id).await?;
            let mut entry = self.audit(Some(&p), "grant.created", "grant", &row.id, &grantee.unit_path, &address);
            entry.after_json = json(Some(&row));
            store::audit::append(&mut tx, &entry).await?;
            let changed = pb::GrantChanged { grant_id: row.id.clone(), account_id: grantee.id.clone().into(), role_code: role.code.clone(), scope_unit_path: scope_path.into(), actor_id: p.account_id.clone() };
            self.enqueue(&mut tx, &events::grant("created", changed, now)).await?;
            self.commit(tx).await?;
            Ok(Response::new(grant_pb(&row)))
        })
        .await
    }

    async fn delete_grant(
        &self,
        request: Request<pb::DeleteGrantRequest>,
    ) -> Reply<pb::DeleteGrantResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let address = tinhso_platform::grpc::client_address(&request);
            let r = request.into_inner();
            let mut tx = self.begin().await?;
            let grantee = self
                .account(&mut tx, &r.account_id)
                .await
                .map_err(|e| e.with_field("account_id"))?;
            p.require("identity.grant.delete", &grantee.unit_path)?;
            let grant = store::access::grant(&tx, &r.grant_id)
                .await?
                .filter(|g| g.account_id == grantee.id)
                .ok_or_else(|| AppError::not_found("phân quyền", "grant").with_field("grant_id"))?;
            if let Some(path) = &grant.scope_unit_path {
                p.require("identity.grant.delete", path)?;
            }
            let now = self.now();
            store::access::delete_grant(&mut tx, &grant.id).await?;
            // Existing tokens still carry the grant: deny them so it ends now, not at expiry.
            self.revoke_tokens(&mut tx, &grantee, "grants_changed", &p.account_id, now)
                .await?;
            let mut entry = self.audit(
                Some(&p),
                "grant.deleted",
                "grant",
                &grant.id,
                &grantee.unit_path,
                &address,
            );
            entry.before_json = json(Some(&grant));
            store::audit::append(&mut tx, &entry).await?;
            let changed = pb::GrantChanged {
                grant_id: grant.id.clone(),
                account_id: grantee.id.clone().into(),
                role_code: grant.role_code.clone(),
                scope_unit_path: grant.scope_unit_path.clone().unwrap_or_default().into(),
                actor_id: p.account_id.clone(),
            };
            self.enqueue(&mut tx, &events::grant("deleted", changed, now))
                .await?;
            self.commit(tx).await?;
            Ok(Response::new(pb::DeleteGrantResponse {}))
        })
        .await
    }
}
