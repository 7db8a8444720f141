//! Identity's gRPC API, one file per service (auth, units, accounts, roles and grants, audit);
//! this module holds what they share. Every handler authenticates, authorizes against the unit
//! tree, validates, then writes the change, its audit entry and its event in one transaction.

use crate::domain::{accounts as acc, password, roles, units};
use crate::store::access::{GrantRow, RoleRow};
use crate::store::accounts::AccountRow;
use crate::store::audit::AuditEntry;
use crate::store::units::UnitRow;
use crate::store::{self, tokens::RefreshRow};
use crate::{Identity, events};
use std::sync::Arc;
use tinhso_platform::ErrorCode;
use tinhso_platform::api::{check_etag, date_of, date_text, etag, next_token, page};
use tinhso_platform::auth::{Claims, GrantClaim, Principal, SELF_SCOPE};
use tinhso_platform::clock::{from_timestamp, to_timestamp};
use tinhso_platform::db::Tx;
use tinhso_platform::grpc::handle;
use tinhso_platform::{AppError, AppResult};
use tinhso_proto::identity::v1 as pb;
use tonic::{Request, Response, Status};

type Reply<T> = Result<Response<T>, Status>;

pub fn routes(identity: Arc<Identity>) -> tonic::service::Routes {
    let api = Api(identity);
    tonic::service::Routes::new(pb::auth_service_server::AuthServiceServer::new(api.clone()))
        .add_service(pb::unit_service_server::UnitServiceServer::new(api.clone()))
        .add_service(pb::account_service_server::AccountServiceServer::new(
            api.clone(),
        ))
        .add_service(pb::access_service_server::AccessServiceServer::new(
            api.clone(),
        ))
        .add_service(pb::audit_service_server::AuditServiceServer::new(api))
}

/// The handlers, sharing one `Identity`.
#[derive(Debug, Clone)]
pub struct Api(pub Arc<Identity>);

mod access_service;
mod account_service;
mod audit_service;
mod auth_service;
mod unit_service;

fn unit_pb(u: &UnitRow) -> pb::Unit {
    pb::Unit {
        id: u.id.clone().into(),
        code: u.code.clone(),
        name: u.name.clone(),
        kind: units::kind_to_proto(&u.kind),
        parent_id: u.parent_id.clone().unwrap_or_default().into(),
        path: u.path.clone().into(),
        valid_from: date_of(&u.valid_from),
        valid_to: date_of(&u.valid_to),
        status: if u.status == "active" { 1 } else { 2 },
        merged_into_id: u.merged_into_id.clone().unwrap_or_default().into(),
        etag: etag(u.version),
        create_time: Some(to_timestamp(u.created_at)),
        update_time: Some(to_timestamp(u.updated_at)),
    }
}

fn account_pb(a: &AccountRow, now: i64) -> pb::Account {
    let locked = a.login.is_locked(now);
    pb::Account {
        id: a.id.clone().into(),
        username: a.username.clone(),
        full_name: a.full_name.clone(),
        position: a.position.clone(),
        department: a.department.clone(),
        phone: a.phone.clone(),
        email: a.email.clone(),
        unit_id: a.unit_id.clone().into(),
        unit_path: a.unit_path.clone().into(),
        status: acc::status_to_proto(&a.status, locked),
        personnel_id: a.personnel_id.clone().into(),
        kind: if a.kind == "service" { 2 } else { 1 },
        must_change_password: a.must_change_password,
        etag: etag(a.version),
        create_time: Some(to_timestamp(a.created_at)),
        update_time: Some(to_timestamp(a.updated_at)),
        locked_until: locked.then(|| to_timestamp(a.login.locked_until_ms)),
    }
}

fn grant_pb(g: &GrantRow) -> pb::Grant {
    pb::Grant {
        id: g.id.clone(),
        account_id: g.account_id.clone().into(),
        role_id: g.role_id.clone(),
        role_code: g.role_code.clone(),
        scope: if g.scope == "self" { 2 } else { 1 },
        scope_unit_id: g.scope_unit_id.clone().unwrap_or_default().into(),
        scope_unit_path: g.scope_unit_path.clone().unwrap_or_default().into(),
        create_time: Some(to_timestamp(g.created_at)),
    }
}

fn role_pb(r: &RoleRow) -> pb::Role {
    pb::Role {
        id: r.id.clone(),
        code: r.code.clone(),
        name: r.name.clone(),
        permissions: r.permissions.clone(),
        builtin: r.builtin,
    }
}

fn json<T: serde::Serialize>(value: Option<&T>) -> String {
    value
        .and_then(|v| serde_json::to_string(v).ok())
        .unwrap_or_default()
}

fn invalid_credentials() -> AppError {
    AppError::unauthenticated(ErrorCode::InvalidCredentials).with_message(
        "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang bị khóa",
        "wrong username or password, or the account is locked",
    )
}

trait WithMessage {
    fn with_message(self, vi: &str, en: &str) -> Self;
}

impl WithMessage for AppError {
    fn with_message(mut self, vi: &str, en: &str) -> Self {
        self.message = vi.to_string();
        self.message_en = en.to_string();
        self
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::internal(e)
}

/// Runs CPU-heavy password work off the async threads, on all cores but one at a time (at least
/// one). Without the bound, 50 concurrent logins start 50 argon2 threads and the OS scheduler
/// starves the async threads: every other call then waits hundreds of milliseconds (measured by
/// `make bench`). Queued logins wait asynchronously, costing no CPU.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    static SLOTS: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        tokio::sync::Semaphore::new(cores.saturating_sub(1).max(1))
    });
    let _slot = SLOTS.acquire().await.map_err(internal)?;
    tokio::task::spawn_blocking(f).await.map_err(internal)
}

impl Api {
    fn now(&self) -> i64 {
        self.0.clock.now_ms()
    }

    fn principal<T>(&self, request: &Request<T>) -> AppResult<Principal> {
        self.0.verifier.authenticate(request)
    }

    async fn begin(&self) -> AppResult<Tx> {
        Ok(self.0.db.begin().await?)
    }

    async fn commit(&self, tx: Tx) -> AppResult<()> {
        Ok(self.0.outbox.commit(tx).await?)
    }

    async fn unit(&self, tx: &mut Tx, id: &str, field: &str) -> AppResult<UnitRow> {
        if id.is_empty() {
            return Err(AppError::invalid(
                field,
                ErrorCode::Required,
                "chưa chọn đơn vị",
                "unit id is required",
            ));
        }
        store::units::get(&*tx, id)
            .await?
            .ok_or_else(|| AppError::not_found("đơn vị", "unit").with_field(field))
    }

    async fn account(&self, tx: &mut Tx, id: &str) -> AppResult<AccountRow> {
        store::accounts::get(&*tx, id)
            .await?
            .ok_or_else(|| AppError::not_found("tài khoản", "account").with_field("id"))
    }

    fn audit(
        &self,
        p: Option<&Principal>,
        action: &str,
        kind: &str,
        target: &str,
        unit_path: &str,
        address: &str,
    ) -> AuditEntry {
        AuditEntry {
            at: self.now(),
            actor_id: p.map(|p| p.account_id.clone()).unwrap_or_default(),
            actor_username: p.map(|p| p.username.clone()).unwrap_or_default(),
            action: action.into(),
            target_kind: kind.into(),
            target_id: target.into(),
            unit_path: unit_path.into(),
            client_address: address.into(),
            ..Default::default()
        }
    }

    async fn enqueue(&self, tx: &mut Tx, event: &tinhso_platform::events::Event) -> AppResult<()> {
        Ok(self.0.outbox.enqueue(tx, event).await?)
    }

    /// Denies the account's older tokens here and, through the event, in every other service.
    async fn revoke_tokens(
        &self,
        tx: &mut Tx,
        a: &AccountRow,
        change: &str,
        actor: &str,
        now: i64,
    ) -> AppResult<()> {
        store::tokens::revoke_account(tx, &a.id, now).await?;
        let event = events::account(change, events::account_changed(a, now, actor), now);
        self.enqueue(tx, &event).await?;
        // Persist our own denial too, so a restart keeps it.
        let handler = tinhso_platform::auth::DenylistHandler {
            verifier: self.0.verifier.clone(),
        };
        tinhso_platform::events::Handler::handle(&handler, tx, &event)
            .await
            .map_err(internal)?;
        Ok(())
    }

    /// Builds the claims of an account from its current grants and signs an access token.
    async fn issue(
        &self,
        tx: &mut Tx,
        a: &AccountRow,
        family: Option<String>,
    ) -> AppResult<pb::TokenResponse> {
        let now = self.now();
        let grants = store::access::grants_of(&*tx, &a.id).await?;
        let claims = Claims {
            iss: self.0.config.issuer.clone(),
            aud: tinhso_platform::auth::AUDIENCE.into(),
            sub: a.id.clone().into(),
            uname: a.username.clone(),
            unit: a.unit_path.clone().into(),
            rec: a.personnel_id.clone().into(),
            grants: grants
                .iter()
                .map(|g| GrantClaim {
                    s: if g.scope == "self" {
                        SELF_SCOPE.into()
                    } else {
                        g.scope_unit_path.clone().unwrap_or_default().into()
                    },
                    p: g.permissions.clone(),
                })
                .filter(|g| !g.s.is_empty())
                .collect(),
            mcp: a.must_change_password,
            svc: a.kind == "service",
            iat: now / 1000,
            nbf: now / 1000,
            exp: now / 1000 + self.0.config.tokens.access_ttl_secs,
            iat_ms: now,
            jti: uuid::Uuid::new_v4().simple().to_string(),
        };
        let access = self.0.sign(&claims);
        let refresh = password::random_token().map_err(internal)?;
        let row = RefreshRow {
            id: uuid::Uuid::now_v7().to_string(),
            family_id: family.unwrap_or_else(|| uuid::Uuid::now_v7().to_string()),
            account_id: a.id.clone(),
            expires_at: now + self.0.config.tokens.refresh_ttl_secs * 1000,
            rotated_at: None,
            revoked_at: None,
        };
        store::tokens::insert_refresh(tx, &row, &password::token_digest(&refresh), now).await?;
        Ok(pb::TokenResponse {
            access_token: access,
            refresh_token: refresh,
            expires_in: i32::try_from(self.0.config.tokens.access_ttl_secs).unwrap_or(i32::MAX),
            must_change_password: a.must_change_password,
            token_type: "Bearer".into(),
        })
    }
}
