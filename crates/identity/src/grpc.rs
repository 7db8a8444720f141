//! Identity's gRPC handlers: authenticate, authorize against the unit tree, validate, then write
//! the change, its audit entry and its event in one transaction.

use crate::domain::{accounts as acc, password, roles, units};
use crate::store::access::{GrantRow, RoleRow};
use crate::store::accounts::AccountRow;
use crate::store::audit::AuditEntry;
use crate::store::units::UnitRow;
use crate::store::{self, tokens::RefreshRow};
use crate::{Bootstrap, Identity, StartError, events};
use std::sync::Arc;
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

// ------------------------------------------------------------------ helpers

fn unit_pb(u: &UnitRow) -> pb::Unit {
    pb::Unit {
        id: u.id.clone(),
        code: u.code.clone(),
        name: u.name.clone(),
        kind: units::kind_to_proto(&u.kind),
        parent_id: u.parent_id.clone().unwrap_or_default(),
        path: u.path.clone(),
        valid_from: date_of(&u.valid_from),
        valid_to: date_of(&u.valid_to),
        status: if u.status == "active" { 1 } else { 2 },
        merged_into_id: u.merged_into_id.clone().unwrap_or_default(),
        etag: etag(u.version),
        create_time: Some(to_timestamp(u.created_at)),
        update_time: Some(to_timestamp(u.updated_at)),
    }
}

fn account_pb(a: &AccountRow, now: i64) -> pb::Account {
    let locked = a.login.is_locked(now);
    pb::Account {
        id: a.id.clone(),
        username: a.username.clone(),
        full_name: a.full_name.clone(),
        position: a.position.clone(),
        department: a.department.clone(),
        phone: a.phone.clone(),
        email: a.email.clone(),
        unit_id: a.unit_id.clone(),
        unit_path: a.unit_path.clone(),
        status: acc::status_to_proto(&a.status, locked),
        personnel_id: a.personnel_id.clone(),
        kind: if a.kind == "service" { 2 } else { 1 },
        must_change_password: a.must_change_password,
        etag: etag(a.version),
        create_time: Some(to_timestamp(a.created_at)),
        update_time: Some(to_timestamp(a.updated_at)),
        locked_until: locked.then(|| to_timestamp(a.login.locked_until_ms)),
    }
}

/// The event body of an account change; `not_before` > 0 revokes older tokens.
fn account_changed(a: &AccountRow, not_before: i64, actor: &str) -> pb::AccountChanged {
    pb::AccountChanged {
        account_id: a.id.clone(),
        username: a.username.clone(),
        unit_path: a.unit_path.clone(),
        not_before_unix_ms: not_before,
        actor_id: actor.to_string(),
    }
}

fn grant_pb(g: &GrantRow) -> pb::Grant {
    pb::Grant {
        id: g.id.clone(),
        account_id: g.account_id.clone(),
        role_id: g.role_id.clone(),
        role_code: g.role_code.clone(),
        scope: if g.scope == "self" { 2 } else { 1 },
        scope_unit_id: g.scope_unit_id.clone().unwrap_or_default(),
        scope_unit_path: g.scope_unit_path.clone().unwrap_or_default(),
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
    AppError::unauthenticated("INVALID_CREDENTIALS").with_message(
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

    async fn begin(&self) -> AppResult<Tx<'static>> {
        Ok(self.0.db.begin().await?)
    }

    async fn commit(&self, tx: Tx<'static>) -> AppResult<()> {
        tx.commit().await?;
        self.0.outbox.committed();
        Ok(())
    }

    async fn unit(&self, tx: &mut Tx<'static>, id: &str, field: &str) -> AppResult<UnitRow> {
        if id.is_empty() {
            return Err(AppError::invalid(
                field,
                "REQUIRED",
                "chưa chọn đơn vị",
                "unit id is required",
            ));
        }
        store::units::get(&mut **tx, id)
            .await?
            .ok_or_else(|| AppError::not_found("đơn vị", "unit").with_field(field))
    }

    async fn account(&self, tx: &mut Tx<'static>, id: &str) -> AppResult<AccountRow> {
        store::accounts::get(&mut **tx, id)
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

    async fn enqueue(
        &self,
        tx: &mut Tx<'static>,
        event: &tinhso_platform::events::Event,
    ) -> AppResult<()> {
        Ok(self.0.outbox.enqueue(tx, event).await?)
    }

    /// Denies the account's older tokens here and, through the event, in every other service.
    async fn revoke_tokens(
        &self,
        tx: &mut Tx<'static>,
        a: &AccountRow,
        change: &str,
        actor: &str,
        now: i64,
    ) -> AppResult<()> {
        store::tokens::revoke_account(tx, &a.id, now).await?;
        let event = events::account(change, account_changed(a, now, actor), now);
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
        tx: &mut Tx<'static>,
        a: &AccountRow,
        family: Option<String>,
    ) -> AppResult<pb::TokenResponse> {
        let now = self.now();
        let grants = store::access::grants_of(&mut **tx, &a.id).await?;
        let claims = Claims {
            iss: self.0.config.issuer.clone(),
            sub: a.id.clone(),
            uname: a.username.clone(),
            unit: a.unit_path.clone(),
            rec: a.personnel_id.clone(),
            grants: grants
                .iter()
                .map(|g| GrantClaim {
                    s: if g.scope == "self" {
                        SELF_SCOPE.into()
                    } else {
                        g.scope_unit_path.clone().unwrap_or_default()
                    },
                    p: g.permissions.clone(),
                })
                .filter(|g| !g.s.is_empty())
                .collect(),
            mcp: a.must_change_password,
            svc: a.kind == "service",
            iat: now / 1000,
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

    /// Password login shared by people and service accounts.
    async fn login(
        &self,
        username: &str,
        secret: &str,
        want_service: bool,
        address: &str,
    ) -> AppResult<pb::TokenResponse> {
        if !self.0.login_limiter.allow(address) {
            return Err(AppError::new(
                tinhso_platform::error::ErrorKind::ResourceExhausted,
                "TOO_MANY_REQUESTS",
                "Quá nhiều lần đăng nhập từ địa chỉ này, vui lòng thử lại sau",
                "too many login attempts from this address; retry later",
            ));
        }
        let username = username.trim().to_lowercase();
        if username.is_empty() || secret.is_empty() || secret.len() > 1024 {
            return Err(invalid_credentials());
        }
        // The password is checked before the transaction opens: argon2 takes tens of
        // milliseconds, and a transaction held that long per login would drain the connection
        // pool (and block SQLite's single connection) for every other call.
        let found = store::accounts::by_username(&self.0.db.pool, &username).await?;
        let candidate = secret.to_string();
        let (hash, known) = match &found {
            Some(a) => (a.password_hash.clone(), true),
            None => (password::DUMMY_HASH.to_string(), false),
        };
        let checked_hash = hash.clone();
        // Unknown users cost the same hash, so timing does not reveal which usernames exist.
        let verified = blocking(move || password::verify(&candidate, &checked_hash)).await?;
        let matches = known && verified;
        let now = self.now();
        let mut tx = self.begin().await?;
        let found = store::accounts::by_username(&mut *tx, &username).await?;
        let Some(mut account) = found else {
            let mut entry = self.audit(None, "login.failed", "account", "", "", address);
            entry.after_json =
                serde_json::json!({"username": username, "reason": "unknown_user"}).to_string();
            store::audit::append(&mut tx, &entry).await?;
            self.commit(tx).await?;
            return Err(invalid_credentials());
        };
        // A password changed while we were hashing: the checked hash is stale.
        let matches = matches && account.password_hash == hash;
        let mut entry = self.audit(
            None,
            "login.failed",
            "account",
            &account.id,
            &account.unit_path,
            address,
        );
        entry.actor_id = account.id.clone();
        entry.actor_username = account.username.clone();
        let reason = if account.status == "disabled" {
            Some("disabled")
        } else if account.login.is_locked(now) {
            Some("locked")
        } else if !matches {
            Some("wrong_password")
        } else if (account.kind == "service") != want_service {
            Some("wrong_account_kind")
        } else {
            None
        };
        if let Some(reason) = reason {
            if reason == "wrong_password" {
                let next = account
                    .login
                    .after_failure(now, self.0.config.lockout_policy());
                store::accounts::set_login_state(&mut tx, &account.id, next).await?;
                if next.is_locked(now) {
                    let mut lock = self.audit(
                        None,
                        "account.locked",
                        "account",
                        &account.id,
                        &account.unit_path,
                        address,
                    );
                    lock.after_json =
                        serde_json::json!({"locked_until": next.locked_until_ms}).to_string();
                    store::audit::append(&mut tx, &lock).await?;
                }
            }
            entry.after_json = serde_json::json!({"reason": reason}).to_string();
            store::audit::append(&mut tx, &entry).await?;
            self.commit(tx).await?;
            return Err(invalid_credentials());
        }
        if account.must_change_password && account.password_expires_at.is_some_and(|t| t <= now) {
            entry.after_json =
                serde_json::json!({"reason": "one_time_password_expired"}).to_string();
            store::audit::append(&mut tx, &entry).await?;
            self.commit(tx).await?;
            return Err(AppError::failed_precondition(
                "INITIAL_PASSWORD_EXPIRED",
                "Mật khẩu cấp lần đầu đã hết hạn (72 giờ); đề nghị quản trị cấp lại mật khẩu",
                "the one-time password expired (72 hours); ask an administrator for a new one",
            ));
        }
        account.login = account.login.after_success();
        store::accounts::set_login_state(&mut tx, &account.id, account.login).await?;
        let tokens = self.issue(&mut tx, &account, None).await?;
        entry.action = "login.succeeded".into();
        store::audit::append(&mut tx, &entry).await?;
        self.commit(tx).await?;
        Ok(tokens)
    }
}

// ------------------------------------------------------------------ bootstrap

/// Adds the built-in roles a newer release defines to a database bootstrapped earlier; existing
/// roles are left as the province changed them.
async fn add_new_builtin_roles(identity: &Identity, now: i64) -> Result<(), StartError> {
    let mut tx = identity.db.begin().await?;
    for role in roles::BUILTIN_ROLES {
        if store::access::role(&mut *tx, role.code).await?.is_none() {
            let row = RoleRow {
                id: uuid::Uuid::now_v7().to_string(),
                code: role.code.into(),
                name: role.name.into(),
                permissions: role.permissions.iter().map(|p| p.to_string()).collect(),
                builtin: true,
            };
            store::access::insert_role(&mut tx, &row, now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn bootstrap(identity: &Identity) -> Result<Bootstrap, StartError> {
    let db = &identity.db;
    let now = identity.clock.now_ms();
    if let Some(root) = store::units::root(&db.pool).await? {
        add_new_builtin_roles(identity, now).await?;
        return Ok(Bootstrap {
            root_unit_id: root.id,
            generated_admin_password: None,
            created: false,
        });
    }
    let mut tx = db.begin().await?;
    for role in roles::BUILTIN_ROLES {
        let row = RoleRow {
            id: uuid::Uuid::now_v7().to_string(),
            code: role.code.into(),
            name: role.name.into(),
            permissions: role.permissions.iter().map(|p| p.to_string()).collect(),
            builtin: true,
        };
        store::access::insert_role(&mut tx, &row, now).await?;
    }
    let root_id = uuid::Uuid::now_v7().to_string();
    let root = UnitRow {
        id: root_id.clone(),
        code: identity.config.root_unit.code.clone(),
        name: identity.config.root_unit.name.clone(),
        kind: "province".into(),
        parent_id: None,
        path: units::root_path(&root_id),
        valid_from: None,
        valid_to: None,
        status: "active".into(),
        merged_into_id: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    store::units::insert(&mut tx, &root, None).await?;
    let (secret, generated) = if identity.config.bootstrap_admin_password.is_empty() {
        let p = password::one_time_password().map_err(StartError::Other)?;
        (p.clone(), Some(p))
    } else {
        (identity.config.bootstrap_admin_password.clone(), None)
    };
    let hash = tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(|e| StartError::Other(e.to_string()))?
        .map_err(StartError::Other)?;
    let admin = AccountRow {
        id: uuid::Uuid::now_v7().to_string(),
        username: "admin".into(),
        full_name: "Quản trị hệ thống".into(),
        position: String::new(),
        department: String::new(),
        phone: String::new(),
        email: String::new(),
        unit_id: root.id.clone(),
        unit_path: root.path.clone(),
        kind: "person".into(),
        status: "active".into(),
        personnel_id: String::new(),
        password_hash: hash,
        must_change_password: true,
        // The bootstrap password does not expire: the first operator may come days later.
        password_expires_at: None,
        login: Default::default(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    store::accounts::insert(&mut tx, &admin).await?;
    let system_admin = store::access::role(&mut *tx, "system_admin")
        .await?
        .ok_or_else(|| StartError::Other("system_admin role missing".into()))?;
    let grant = GrantRow {
        id: uuid::Uuid::now_v7().to_string(),
        account_id: admin.id.clone(),
        role_id: system_admin.id.clone(),
        role_code: system_admin.code.clone(),
        permissions: system_admin.permissions.clone(),
        scope: "unit".into(),
        scope_unit_id: Some(root.id.clone()),
        scope_unit_path: Some(root.path.clone()),
        created_at: now,
    };
    store::access::insert_grant(&mut tx, &grant, "bootstrap").await?;
    let mut entry = AuditEntry {
        at: now,
        actor_id: "bootstrap".into(),
        actor_username: "bootstrap".into(),
        action: "system.bootstrapped".into(),
        target_kind: "unit".into(),
        target_id: root.id.clone(),
        unit_path: root.path.clone(),
        client_address: "local".into(),
        ..Default::default()
    };
    entry.after_json = json(Some(
        &serde_json::json!({"root_unit": root, "admin": admin}),
    ));
    store::audit::append(&mut tx, &entry).await?;
    // Other services learn the tree from unit events; the root is its first unit.
    identity
        .outbox
        .enqueue(
            &mut tx,
            &events::unit("created", Api::unit_changed(&root, "", "bootstrap"), now),
        )
        .await?;
    tx.commit().await?;
    Ok(Bootstrap {
        root_unit_id: root.id,
        generated_admin_password: generated,
        created: true,
    })
}

// ------------------------------------------------------------------ auth

#[tonic::async_trait]
impl pb::auth_service_server::AuthService for Api {
    async fn login(&self, request: Request<pb::LoginRequest>) -> Reply<pb::TokenResponse> {
        handle(async move {
            let address = tinhso_platform::grpc::client_address(&request);
            let r = request.into_inner();
            Ok(Response::new(
                self.login(&r.username, &r.password, false, &address)
                    .await?,
            ))
        })
        .await
    }

    async fn service_login(
        &self,
        request: Request<pb::ServiceLoginRequest>,
    ) -> Reply<pb::TokenResponse> {
        handle(async move {
            let address = tinhso_platform::grpc::client_address(&request);
            let r = request.into_inner();
            Ok(Response::new(
                self.login(&r.client_id, &r.client_secret, true, &address)
                    .await?,
            ))
        })
        .await
    }

    async fn refresh(&self, request: Request<pb::RefreshRequest>) -> Reply<pb::TokenResponse> {
        handle(async move {
            let address = tinhso_platform::grpc::client_address(&request);
            let token = request.into_inner().refresh_token;
            let now = self.now();
            let mut tx = self.begin().await?;
            let Some(row) =
                store::tokens::refresh_by_digest(&mut tx, &password::token_digest(&token)).await?
            else {
                return Err(AppError::unauthenticated("INVALID_REFRESH_TOKEN"));
            };
            if row.rotated_at.is_some() || row.revoked_at.is_some() {
                if row.revoked_at.is_none() || row.rotated_at.is_some() {
                    // A rotated token came back: someone holds a copy. End the whole session family.
                    store::tokens::revoke_family(&mut tx, &row.family_id, now).await?;
                    let mut entry = self.audit(
                        None,
                        "token.reuse_detected",
                        "account",
                        &row.account_id,
                        "",
                        &address,
                    );
                    entry.actor_id = row.account_id.clone();
                    entry.after_json = serde_json::json!({"family": row.family_id}).to_string();
                    store::audit::append(&mut tx, &entry).await?;
                    self.commit(tx).await?;
                }
                return Err(AppError::unauthenticated("REFRESH_TOKEN_REVOKED"));
            }
            if row.expires_at <= now {
                return Err(AppError::unauthenticated("REFRESH_TOKEN_EXPIRED"));
            }
            let account = self.account(&mut tx, &row.account_id).await?;
            if account.status != "active" {
                store::tokens::revoke_family(&mut tx, &row.family_id, now).await?;
                self.commit(tx).await?;
                return Err(AppError::unauthenticated("ACCOUNT_DISABLED"));
            }
            store::tokens::mark_rotated(&mut tx, &row.id, now).await?;
            let tokens = self
                .issue(&mut tx, &account, Some(row.family_id.clone()))
                .await?;
            self.commit(tx).await?;
            Ok(Response::new(tokens))
        })
        .await
    }

    async fn logout(&self, request: Request<pb::LogoutRequest>) -> Reply<pb::LogoutResponse> {
        handle(async move {
            let address = tinhso_platform::grpc::client_address(&request);
            let token = request.into_inner().refresh_token;
            let now = self.now();
            let mut tx = self.begin().await?;
            if let Some(row) =
                store::tokens::refresh_by_digest(&mut tx, &password::token_digest(&token)).await?
            {
                store::tokens::revoke_family(&mut tx, &row.family_id, now).await?;
                let mut entry =
                    self.audit(None, "logout", "account", &row.account_id, "", &address);
                entry.actor_id = row.account_id.clone();
                store::audit::append(&mut tx, &entry).await?;
                self.commit(tx).await?;
            }
            // Unknown tokens log out too: the caller ends up logged out either way.
            Ok(Response::new(pb::LogoutResponse {}))
        })
        .await
    }

    async fn change_password(
        &self,
        request: Request<pb::ChangePasswordRequest>,
    ) -> Reply<pb::TokenResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let address = tinhso_platform::grpc::client_address(&request);
            let r = request.into_inner();
            // Both argon2 runs happen before the transaction opens (see `login`).
            let snapshot = store::accounts::get(&self.0.db.pool, &p.account_id)
                .await?
                .ok_or_else(|| AppError::not_found("tài khoản", "account"))?;
            let hash = snapshot.password_hash.clone();
            let current = r.current_password.clone();
            if !blocking(move || password::verify(&current, &hash)).await? {
                return Err(AppError::invalid(
                    "current_password",
                    "WRONG_PASSWORD",
                    "mật khẩu hiện tại không đúng",
                    "current password is wrong",
                ));
            }
            password::check_policy("new_password", &r.new_password, &snapshot.username)?;
            if r.new_password == r.current_password {
                return Err(AppError::invalid(
                    "new_password",
                    "PASSWORD_UNCHANGED",
                    "mật khẩu mới phải khác mật khẩu hiện tại",
                    "the new password must differ from the current one",
                ));
            }
            let new = r.new_password.clone();
            let new_hash = blocking(move || password::hash(&new))
                .await?
                .map_err(internal)?;
            let now = self.now();
            let mut tx = self.begin().await?;
            let mut account = self.account(&mut tx, &p.account_id).await?;
            if account.password_hash != snapshot.password_hash {
                return Err(AppError::stale_etag());
            }
            account.password_hash = new_hash;
            let version = account.version;
            account.must_change_password = false;
            account.password_expires_at = None;
            account.version += 1;
            account.updated_at = now;
            store::accounts::update(&mut tx, &account, version).await?;
            self.revoke_tokens(&mut tx, &account, "password_changed", &p.account_id, now)
                .await?;
            store::audit::append(
                &mut tx,
                &self.audit(
                    Some(&p),
                    "account.password_changed",
                    "account",
                    &account.id,
                    &account.unit_path,
                    &address,
                ),
            )
            .await?;
            let tokens = self.issue(&mut tx, &account, None).await?;
            self.commit(tx).await?;
            Ok(Response::new(tokens))
        })
        .await
    }

    async fn get_me(&self, request: Request<pb::GetMeRequest>) -> Reply<pb::Me> {
        handle(async move {
            let p = self.principal(&request)?;
            let mut tx = self.begin().await?;
            let account = self.account(&mut tx, &p.account_id).await?;
            let grants = store::access::grants_of(&mut *tx, &p.account_id).await?;
            let unit = store::units::get(&mut *tx, &account.unit_id).await?;
            tx.commit().await?;
            Ok(Response::new(pb::Me {
                account: Some(account_pb(&account, self.now())),
                grants: grants.iter().map(grant_pb).collect(),
                unit: unit.as_ref().map(unit_pb),
            }))
        })
        .await
    }

    async fn get_jwks(&self, _request: Request<pb::GetJwksRequest>) -> Reply<pb::Jwks> {
        handle(async move {
            Ok(Response::new(pb::Jwks {
                keys: self.0.jwks(),
            }))
        })
        .await
    }
}

// ------------------------------------------------------------------ units

impl Api {
    fn unit_changed(u: &UnitRow, old_path: &str, actor: &str) -> pb::UnitChanged {
        pb::UnitChanged {
            unit_id: u.id.clone(),
            old_path: old_path.into(),
            new_path: u.path.clone(),
            name: u.name.clone(),
            code: u.code.clone(),
            merged_into_id: u.merged_into_id.clone().unwrap_or_default(),
            actor_id: actor.into(),
            kind: u.kind.clone(),
        }
    }

    /// Denies the tokens of every account under `prefix`: their tokens carry old paths.
    async fn revoke_under(
        &self,
        tx: &mut Tx<'static>,
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
                    "BAD_KIND",
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
                    "DATES_OUT_OF_ORDER",
                    "ngày hết hiệu lực phải sau ngày có hiệu lực",
                    "valid_to must not precede valid_from",
                ));
            }
            let mut tx = self.begin().await?;
            let parent = self.unit(&mut tx, &u.parent_id, "unit.parent_id").await?;
            p.require("identity.unit.create", &parent.path)?;
            if parent.status != "active" {
                return Err(AppError::failed_precondition(
                    "UNIT_CLOSED",
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
                    "UNIT_CODE_TAKEN",
                    "Mã đơn vị đã được sử dụng",
                    "unit code already in use",
                ));
            }
            let now = self.now();
            let id = uuid::Uuid::now_v7().to_string();
            let row = UnitRow {
                path: units::child_path(&parent.path, &id),
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
                &events::unit("created", Self::unit_changed(&row, "", &p.account_id), now),
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
                        "UNIT_CODE_TAKEN",
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
                            "BAD_KIND",
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
                    "DATES_OUT_OF_ORDER",
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
            let mut entry = self.audit(Some(&p), "unit.updated", "unit", &u.id, &u.path, &address);
            entry.before_json = json(Some(&before));
            entry.after_json = json(Some(&u));
            store::audit::append(&mut tx, &entry).await?;
            self.enqueue(
                &mut tx,
                &events::unit(
                    "updated",
                    Self::unit_changed(&u, &before.path, &p.account_id),
                    now,
                ),
            )
            .await?;
            self.commit(tx).await?;
            Ok(Response::new(unit_pb(&u)))
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
                    "ROOT_UNIT",
                    "Không thể chuyển đơn vị gốc",
                    "the root unit cannot move",
                )
                .with_field("id"));
            }
            units::check_move(&before.path, &parent.path)?;
            if parent.status != "active" {
                return Err(AppError::failed_precondition(
                    "UNIT_CLOSED",
                    "Đơn vị nhận đã giải thể hoặc sáp nhập",
                    "the new parent unit is closed",
                )
                .with_field("new_parent_id"));
            }
            let now = self.now();
            let mut u = before.clone();
            u.parent_id = Some(parent.id.clone());
            u.path = units::child_path(&parent.path, &u.id);
            u.version += 1;
            u.updated_at = now;
            if !store::units::update(&mut tx, &u, before.version).await? {
                return Err(AppError::stale_etag());
            }
            store::units::rebase_descendants(&mut tx, &before.path, &u.path, now).await?;
            self.revoke_under(&mut tx, &u.path, &p.account_id, now)
                .await?;
            let mut entry = self.audit(Some(&p), "unit.moved", "unit", &u.id, &u.path, &address);
            entry.before_json = json(Some(&before));
            entry.after_json = json(Some(&u));
            store::audit::append(&mut tx, &entry).await?;
            self.enqueue(
                &mut tx,
                &events::unit(
                    "moved",
                    Self::unit_changed(&u, &before.path, &p.account_id),
                    now,
                ),
            )
            .await?;
            self.commit(tx).await?;
            Ok(Response::new(unit_pb(&u)))
        })
        .await
    }

    async fn merge_units(&self, request: Request<pb::MergeUnitsRequest>) -> Reply<pb::Unit> {
        handle(async move {
            let p = self.principal(&request)?;
            let address = tinhso_platform::grpc::client_address(&request);
            let r = request.into_inner();
            if r.source_ids.is_empty() {
                return Err(AppError::invalid("source_ids", "REQUIRED", "chưa chọn đơn vị cần sáp nhập", "at least one source unit is required"));
            }
            let mut tx = self.begin().await?;
            let target = self.unit(&mut tx, &r.target_id, "target_id").await?;
            p.require("identity.unit.reorganize", &target.path)?;
            if target.status != "active" {
                return Err(AppError::failed_precondition("UNIT_CLOSED", "Đơn vị tiếp nhận đã giải thể hoặc sáp nhập", "the target unit is closed").with_field("target_id"));
            }
            let now = self.now();
            for (i, source_id) in r.source_ids.iter().enumerate() {
                let field = format!("source_ids[{i}]");
                let source = self.unit(&mut tx, source_id, &field).await?;
                p.require("identity.unit.reorganize", &source.path)?;
                if source.id == target.id || units::is_within(&target.path, &source.path) || source.parent_id.is_none() {
                    return Err(AppError::failed_precondition("UNIT_MERGE_CYCLE", "Không thể sáp nhập đơn vị vào chính nó hoặc đơn vị cấp dưới của nó", "a unit cannot merge into itself or its descendant").with_field(&field));
                }
                if source.status != "active" {
                    return Err(AppError::failed_precondition("UNIT_CLOSED", "Đơn vị đã giải thể hoặc sáp nhập", "the source unit is already closed").with_field(&field));
                }
                // Children follow to the target; their subtrees' paths are rebased.
                for child_id in store::units::children_ids(&mut tx, &source.id).await? {
                    let child = self.unit(&mut tx, &child_id, &field).await?;
                    let mut moved = child.clone();
                    moved.parent_id = Some(target.id.clone());
                    moved.path = units::child_path(&target.path, &child.id);
                    moved.version += 1;
                    moved.updated_at = now;
                    store::units::update(&mut tx, &moved, child.version).await?;
                    store::units::rebase_descendants(&mut tx, &child.path, &moved.path, now).await?;
                    self.enqueue(&mut tx, &events::unit("moved", Self::unit_changed(&moved, &child.path, &p.account_id), now)).await?;
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
                let mut changed = Self::unit_changed(&closed, &source.path, &p.account_id);
                changed.new_path = target.path.clone();
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
                    "ROOT_UNIT",
                    "Không thể giải thể đơn vị gốc",
                    "the root unit cannot close",
                )
                .with_field("id"));
            }
            if before.status != "active" {
                return Err(AppError::failed_precondition(
                    "UNIT_CLOSED",
                    "Đơn vị đã giải thể hoặc sáp nhập",
                    "the unit is already closed",
                )
                .with_field("id"));
            }
            if store::units::count_open_children(&mut tx, &before.id).await? > 0 {
                return Err(AppError::failed_precondition(
                    "UNIT_HAS_CHILDREN",
                    "Đơn vị còn đơn vị trực thuộc đang hoạt động; hãy chuyển hoặc sáp nhập trước",
                    "the unit still has open child units",
                )
                .with_field("id"));
            }
            if store::accounts::count_active_in(&mut tx, &before.id).await? > 0 {
                return Err(AppError::failed_precondition(
                    "UNIT_HAS_ACCOUNTS",
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
            let mut entry = self.audit(Some(&p), "unit.closed", "unit", &u.id, &u.path, &address);
            entry.before_json = json(Some(&before));
            entry.after_json = json(Some(&u));
            store::audit::append(&mut tx, &entry).await?;
            self.enqueue(
                &mut tx,
                &events::unit(
                    "closed",
                    Self::unit_changed(&u, &before.path, &p.account_id),
                    now,
                ),
            )
            .await?;
            self.commit(tx).await?;
            Ok(Response::new(unit_pb(&u)))
        })
        .await
    }
}

// ------------------------------------------------------------------ accounts

struct OneTime {
    secret: String,
    hash: String,
    expires_at: Option<i64>,
}

/// The fields of a new account, checked; errors name `<prefix>.<field>`.
struct NewAccount {
    username: String,
    full_name: String,
    position: String,
    department: String,
    email: String,
    phone: String,
    personnel_id: String,
    service: bool,
}

impl NewAccount {
    /// Checks every field; the error lists each field at fault, not only the first.
    fn check(a: &pb::Account, prefix: &str) -> AppResult<Self> {
        let field = |name: &str| format!("{prefix}.{name}");
        let mut errors: Vec<AppError> = Vec::new();
        let mut keep = |r: AppResult<String>| r.map_err(|e| errors.push(e)).unwrap_or_default();
        let checked = Self {
            username: keep(acc::check_username(&field("username"), &a.username)),
            full_name: keep(acc::check_text(
                &field("full_name"),
                &a.full_name,
                true,
                255,
            )),
            position: keep(acc::check_text(&field("position"), &a.position, false, 255)),
            department: keep(acc::check_text(
                &field("department"),
                &a.department,
                false,
                255,
            )),
            email: keep(acc::check_email(&field("email"), &a.email)),
            phone: keep(acc::check_phone(&field("phone"), &a.phone)),
            personnel_id: keep(acc::check_text(
                &field("personnel_id"),
                &a.personnel_id,
                false,
                64,
            )),
            service: a.kind == pb::AccountKind::Service as i32,
        };
        tinhso_platform::error::all_violations(errors)?;
        Ok(checked)
    }
}

impl Api {
    /// Creates a checked account in `unit` inside `tx`, with its audit entry and event, if the
    /// caller may create accounts there. Errors name `<prefix>.<field>`.
    #[allow(clippy::too_many_arguments)]
    async fn insert_account(
        &self,
        tx: &mut Tx<'static>,
        p: &Principal,
        address: &str,
        n: NewAccount,
        unit: &UnitRow,
        secret: &OneTime,
        prefix: &str,
    ) -> AppResult<AccountRow> {
        let field = |name: &str| format!("{prefix}.{name}");
        p.require("identity.account.create", &unit.path)?;
        if unit.status != "active" {
            return Err(AppError::failed_precondition(
                "UNIT_CLOSED",
                "Đơn vị đã giải thể hoặc sáp nhập",
                "the unit is closed",
            )
            .with_field(&field("unit_id")));
        }
        let taken = || {
            AppError::already_exists(
                &field("username"),
                "USERNAME_TAKEN",
                "Tên đăng nhập đã được sử dụng",
                "username already taken",
            )
        };
        if store::accounts::by_username(&mut **tx, &n.username)
            .await?
            .is_some()
        {
            return Err(taken());
        }
        let now = self.now();
        let row = AccountRow {
            id: uuid::Uuid::now_v7().to_string(),
            username: n.username,
            full_name: n.full_name,
            position: n.position,
            department: n.department,
            phone: n.phone,
            email: n.email,
            unit_id: unit.id.clone(),
            unit_path: unit.path.clone(),
            kind: if n.service { "service" } else { "person" }.into(),
            status: "active".into(),
            personnel_id: n.personnel_id,
            password_hash: secret.hash.clone(),
            must_change_password: !n.service,
            password_expires_at: secret.expires_at,
            login: Default::default(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        if let Err(e) = store::accounts::insert(tx, &row).await {
            if tinhso_platform::db::is_unique_violation(&e) {
                return Err(taken());
            }
            return Err(AppError::from(e));
        }
        let mut entry = self.audit(
            Some(p),
            "account.created",
            "account",
            &row.id,
            &row.unit_path,
            address,
        );
        entry.after_json = json(Some(&row));
        store::audit::append(tx, &entry).await?;
        let event = events::account("created", account_changed(&row, 0, &p.account_id), now);
        self.enqueue(tx, &event).await?;
        Ok(row)
    }

    async fn one_time_secret(&self, service: bool) -> AppResult<OneTime> {
        let secret = if service {
            password::random_token()
        } else {
            password::one_time_password()
        }
        .map_err(internal)?;
        let s = secret.clone();
        let hash = blocking(move || password::hash(&s))
            .await?
            .map_err(internal)?;
        let expires_at = (!service).then(|| self.now() + acc::ONE_TIME_PASSWORD_HOURS * 3_600_000);
        Ok(OneTime {
            secret,
            hash,
            expires_at,
        })
    }

    /// Loads an account the caller may act on with `permission` (by the account's unit).
    async fn account_for(
        &self,
        tx: &mut Tx<'static>,
        p: &Principal,
        id: &str,
        permission: &str,
    ) -> AppResult<AccountRow> {
        let a = self.account(tx, id).await?;
        p.require(permission, &a.unit_path)?;
        Ok(a)
    }

    async fn account_status_change(
        &self,
        request: Request<pb::AccountActionRequest>,
        action: &'static str,
    ) -> AppResult<AccountRow> {
        let p = self.principal(&request)?;
        let address = tinhso_platform::grpc::client_address(&request);
        let r = request.into_inner();
        let permission = if action == "unlock" {
            "identity.account.unlock"
        } else {
            "identity.account.disable"
        };
        let mut tx = self.begin().await?;
        let before = self.account_for(&mut tx, &p, &r.id, permission).await?;
        check_etag(&r.etag, before.version)?;
        if before.id == p.account_id && action == "disable" {
            return Err(AppError::failed_precondition(
                "SELF_DISABLE",
                "Không thể tự thu hồi tài khoản của mình",
                "you cannot disable your own account",
            )
            .with_field("id"));
        }
        let now = self.now();
        let mut a = before.clone();
        match action {
            "disable" => a.status = "disabled".into(),
            "enable" => a.status = "active".into(),
            _ => a.login = Default::default(),
        }
        a.version += 1;
        a.updated_at = now;
        if !store::accounts::update(&mut tx, &a, before.version).await? {
            return Err(AppError::stale_etag());
        }
        if action == "disable" {
            self.revoke_tokens(&mut tx, &a, "disabled", &p.account_id, now)
                .await?;
        } else {
            let event = events::account(
                if action == "enable" {
                    "enabled"
                } else {
                    "unlocked"
                },
                account_changed(&a, 0, &p.account_id),
                now,
            );
            self.enqueue(&mut tx, &event).await?;
        }
        let mut entry = self.audit(
            Some(&p),
            &format!("account.{action}d"),
            "account",
            &a.id,
            &a.unit_path,
            &address,
        );
        entry.before_json = json(Some(&before));
        entry.after_json = json(Some(&serde_json::json!({"account": a, "reason": r.reason})));
        store::audit::append(&mut tx, &entry).await?;
        self.commit(tx).await?;
        Ok(a)
    }
}

/// Largest account import file and row count: one import is one transaction, and each account
/// costs an argon2 hash (about 50 ms), so a file stays within a request's time.
const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;
const MAX_IMPORT_ROWS: usize = 500;

/// CSV columns of an account import, each under its Vietnamese and English names.
const IMPORT_COLUMNS: &[(&str, &[&str])] = &[
    ("username", &["ten_dang_nhap", "username"]),
    ("full_name", &["ho_ten", "ho_va_ten", "full_name"]),
    ("unit_code", &["ma_don_vi", "unit_code"]),
    ("email", &["email", "thu_dien_tu"]),
    ("phone", &["dien_thoai", "so_dien_thoai", "phone"]),
    ("position", &["chuc_vu", "position"]),
    ("department", &["phong_ban", "department"]),
];

fn import_error(code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::invalid("file", code, vi, en)
}

/// The rows of an import file as (line number, column -> value), checked for shape.
fn import_rows(
    bytes: Vec<u8>,
) -> AppResult<Vec<(usize, std::collections::HashMap<&'static str, String>)>> {
    let text = String::from_utf8(bytes).map_err(|_| {
        import_error(
            "FILE_NOT_UTF8",
            "Tệp phải là CSV mã hóa UTF-8 (Excel: Lưu thành CSV UTF-8)",
            "the file must be UTF-8 CSV",
        )
    })?;
    let rows = tinhso_platform::csv::parse(&text).map_err(|e| {
        import_error(
            "CSV_MALFORMED",
            &format!("Tệp CSV lỗi ở dòng {}: {}", e.line, e.message),
            &format!("malformed CSV at line {}", e.line),
        )
    })?;
    let Some((header, data)) = rows.split_first() else {
        return Err(import_error(
            "FILE_EMPTY",
            "Tệp không có dữ liệu",
            "the file is empty",
        ));
    };
    let mut columns = Vec::new();
    for name in header {
        let folded = tinhso_platform::vn::fold(name.trim()).replace(' ', "_");
        let column = IMPORT_COLUMNS
            .iter()
            .find(|(_, names)| names.contains(&folded.as_str()))
            .map(|(c, _)| *c)
            .ok_or_else(|| {
                import_error(
                    "UNKNOWN_COLUMN",
                    &format!("Cột không được hỗ trợ: \"{name}\""),
                    &format!("unsupported column \"{name}\""),
                )
            })?;
        columns.push(column);
    }
    for required in ["username", "full_name", "unit_code"] {
        if !columns.contains(&required) {
            return Err(import_error(
                "MISSING_COLUMN",
                &format!("Thiếu cột bắt buộc: {required}"),
                &format!("missing required column {required}"),
            ));
        }
    }
    if data.is_empty() {
        return Err(import_error(
            "FILE_EMPTY",
            "Tệp không có dòng dữ liệu nào",
            "the file has no data rows",
        ));
    }
    if data.len() > MAX_IMPORT_ROWS {
        return Err(import_error(
            "TOO_MANY_ROWS",
            &format!("Mỗi lần nhập tối đa {MAX_IMPORT_ROWS} dòng; hãy chia nhỏ tệp"),
            &format!("at most {MAX_IMPORT_ROWS} rows per import"),
        ));
    }
    Ok(data
        .iter()
        .enumerate()
        .map(|(i, cells)| {
            let values = columns
                .iter()
                .zip(cells.iter().chain(std::iter::repeat(&String::new())))
                .map(|(c, v)| (*c, v.trim().to_string()))
                .collect();
            (i + 2, values)
        })
        .collect())
}

#[tonic::async_trait]
impl pb::account_service_server::AccountService for Api {
    async fn import_accounts(
        &self,
        request: Request<tonic::Streaming<pb::ImportAccountsRequest>>,
    ) -> Reply<pb::ImportAccountsResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            p.require_active()?;
            let address = tinhso_platform::grpc::client_address(&request);
            let mut stream = request.into_inner();
            let mut validate_only = None;
            let mut bytes = Vec::new();
            loop {
                let message = stream.message().await.map_err(|_| {
                    import_error(
                        "UPLOAD_INTERRUPTED",
                        "Tệp tải lên bị gián đoạn",
                        "the upload was interrupted",
                    )
                })?;
                let Some(message) = message else { break };
                validate_only.get_or_insert(message.validate_only);
                if let Some(chunk) = message.file {
                    bytes.extend(chunk.data);
                }
                if bytes.len() > MAX_IMPORT_BYTES {
                    return Err(import_error(
                        "FILE_TOO_LARGE",
                        &format!("Tệp nhập vượt quá {} MB", MAX_IMPORT_BYTES / 1024 / 1024),
                        "the import file is too large",
                    ));
                }
            }
            let rows = import_rows(bytes)?;

            // Every row is checked before anything is written, so the report lists all errors.
            let mut checked = Vec::new();
            let mut violations = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for (line, values) in &rows {
                let prefix = format!("rows[{line}]");
                let account = pb::Account {
                    username: values.get("username").cloned().unwrap_or_default(),
                    full_name: values.get("full_name").cloned().unwrap_or_default(),
                    email: values.get("email").cloned().unwrap_or_default(),
                    phone: values.get("phone").cloned().unwrap_or_default(),
                    position: values.get("position").cloned().unwrap_or_default(),
                    department: values.get("department").cloned().unwrap_or_default(),
                    kind: pb::AccountKind::Person as i32,
                    ..Default::default()
                };
                let repeated = !seen.insert(account.username.trim().to_lowercase());
                match NewAccount::check(&account, &prefix) {
                    Ok(_) if repeated => violations.extend(
                        AppError::invalid(
                            &format!("{prefix}.username"),
                            "DUPLICATE_IN_FILE",
                            "Tên đăng nhập lặp lại trong tệp",
                            "username repeated in the file",
                        )
                        .violations,
                    ),
                    Ok(n) => checked.push((
                        *line,
                        n,
                        values.get("unit_code").cloned().unwrap_or_default(),
                    )),
                    Err(e) => violations.extend(e.violations),
                }
            }
            if !violations.is_empty() {
                let mut e = AppError::new(
                    tinhso_platform::error::ErrorKind::InvalidArgument,
                    "IMPORT_INVALID",
                    format!("Tệp có {} lỗi; chưa tạo tài khoản nào", violations.len()),
                    format!(
                        "the file has {} errors; nothing was created",
                        violations.len()
                    ),
                );
                violations.truncate(200);
                e.violations = violations;
                return Err(e);
            }

            let validate_only = validate_only.unwrap_or(false);
            let mut secrets = Vec::with_capacity(checked.len());
            if !validate_only {
                for _ in &checked {
                    secrets.push(self.one_time_secret(false).await?);
                }
            }
            let mut tx = self.begin().await?;
            let mut created = Vec::new();
            let now = self.now();
            for (i, (line, n, unit_code)) in checked.into_iter().enumerate() {
                let prefix = format!("rows[{line}]");
                let unit = store::units::by_code(&mut *tx, &unit_code)
                    .await?
                    .ok_or_else(|| {
                        AppError::not_found("đơn vị có mã này", "unit with this code")
                            .with_field(&format!("{prefix}.unit_code"))
                    })?;
                if validate_only {
                    p.require("identity.account.create", &unit.path)?;
                    if store::accounts::by_username(&mut *tx, &n.username)
                        .await?
                        .is_some()
                    {
                        return Err(AppError::already_exists(
                            &format!("{prefix}.username"),
                            "USERNAME_TAKEN",
                            "Tên đăng nhập đã được sử dụng",
                            "username already taken",
                        ));
                    }
                    continue;
                }
                let row = self
                    .insert_account(&mut tx, &p, &address, n, &unit, &secrets[i], &prefix)
                    .await?;
                created.push(pb::CreateAccountResponse {
                    account: Some(account_pb(&row, now)),
                    initial_password: secrets[i].secret.clone(),
                    initial_password_expire_time: secrets[i].expires_at.map(to_timestamp),
                });
            }
            if validate_only {
                tx.rollback().await?;
            } else {
                self.commit(tx).await?;
            }
            Ok(Response::new(pb::ImportAccountsResponse {
                accounts: created,
                row_count: rows.len() as i32,
            }))
        })
        .await
    }

    async fn create_account(
        &self,
        request: Request<pb::CreateAccountRequest>,
    ) -> Reply<pb::CreateAccountResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let address = tinhso_platform::grpc::client_address(&request);
            let a = request.into_inner().account.unwrap_or_default();
            let checked = NewAccount::check(&a, "account")?;
            let secret = self.one_time_secret(checked.service).await?;
            let mut tx = self.begin().await?;
            let unit = self.unit(&mut tx, &a.unit_id, "account.unit_id").await?;
            let row = self
                .insert_account(&mut tx, &p, &address, checked, &unit, &secret, "account")
                .await?;
            self.commit(tx).await?;
            let now = self.now();
            Ok(Response::new(pb::CreateAccountResponse {
                account: Some(account_pb(&row, now)),
                initial_password: secret.secret,
                initial_password_expire_time: secret.expires_at.map(to_timestamp),
            }))
        })
        .await
    }

    async fn get_account(&self, request: Request<pb::GetAccountRequest>) -> Reply<pb::Account> {
        handle(async move {
            let p = self.principal(&request)?;
            let mut tx = self.begin().await?;
            let a = self.account(&mut tx, &request.get_ref().id).await?;
            tx.commit().await?;
            if a.id != p.account_id || p.must_change_password {
                p.require("identity.account.read", &a.unit_path)?;
            }
            Ok(Response::new(account_pb(&a, self.now())))
        })
        .await
    }

    async fn list_accounts(
        &self,
        request: Request<pb::ListAccountsRequest>,
    ) -> Reply<pb::ListAccountsResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            p.require_active()?;
            let r = request.into_inner();
            let (limit, offset) = page(r.page_size, &r.page_token)?;
            let under_path = if r.unit_id.is_empty() {
                None
            } else {
                let u = store::units::get(&self.0.db.pool, &r.unit_id)
                    .await?
                    .ok_or_else(|| AppError::not_found("đơn vị", "unit").with_field("unit_id"))?;
                p.require("identity.account.read", &u.path)?;
                Some(u.path)
            };
            let status = match r.status {
                0 => None,
                1 | 2 => Some("active".to_string()),
                3 => Some("disabled".to_string()),
                _ => {
                    return Err(AppError::invalid(
                        "status",
                        "BAD_STATUS",
                        "trạng thái không hợp lệ",
                        "invalid status",
                    ));
                }
            };
            let search = store::accounts::Search {
                scopes: p.scopes_for("identity.account.read"),
                under_path,
                query: (!r.query.trim().is_empty()).then(|| r.query.clone()),
                status,
                limit,
                offset,
            };
            let now = self.now();
            let mut rows = store::accounts::search(&self.0.db.pool, &search).await?;
            if r.status == 2 {
                rows.retain(|a| a.login.is_locked(now));
            }
            Ok(Response::new(pb::ListAccountsResponse {
                next_page_token: next_token(rows.len(), limit, offset),
                accounts: rows.iter().map(|a| account_pb(a, now)).collect(),
            }))
        })
        .await
    }

    async fn update_account(
        &self,
        request: Request<pb::UpdateAccountRequest>,
    ) -> Reply<pb::Account> {
        handle(async move {
            let p = self.principal(&request)?;
            let address = tinhso_platform::grpc::client_address(&request);
            let r = request.into_inner();
            let mut tx = self.begin().await?;
            let before = self
                .account_for(&mut tx, &p, &r.id, "identity.account.update")
                .await?;
            check_etag(&r.etag, before.version)?;
            let mut a = before.clone();
            if let Some(v) = &r.full_name {
                a.full_name = acc::check_text("full_name", v, true, 255)?;
            }
            if let Some(v) = &r.position {
                a.position = acc::check_text("position", v, false, 255)?;
            }
            if let Some(v) = &r.department {
                a.department = acc::check_text("department", v, false, 255)?;
            }
            if let Some(v) = &r.phone {
                a.phone = acc::check_phone("phone", v)?;
            }
            if let Some(v) = &r.email {
                a.email = acc::check_email("email", v)?;
            }
            if let Some(v) = &r.personnel_id {
                a.personnel_id = acc::check_text("personnel_id", v, false, 64)?;
            }
            let mut moved = false;
            if let Some(unit_id) = r.unit_id.as_ref().filter(|u| **u != before.unit_id) {
                let unit = self.unit(&mut tx, unit_id, "unit_id").await?;
                p.require("identity.account.update", &unit.path)?;
                if unit.status != "active" {
                    return Err(AppError::failed_precondition(
                        "UNIT_CLOSED",
                        "Đơn vị đã giải thể hoặc sáp nhập",
                        "the unit is closed",
                    )
                    .with_field("unit_id"));
                }
                a.unit_id = unit.id;
                a.unit_path = unit.path;
                moved = true;
            }
            let now = self.now();
            a.version += 1;
            a.updated_at = now;
            if !store::accounts::update(&mut tx, &a, before.version).await? {
                return Err(AppError::stale_etag());
            }
            if moved || a.personnel_id != before.personnel_id {
                // The token carries the unit and the linked record: older tokens must go.
                self.revoke_tokens(&mut tx, &a, "moved", &p.account_id, now)
                    .await?;
            } else {
                let event = events::account("updated", account_changed(&a, 0, &p.account_id), now);
                self.enqueue(&mut tx, &event).await?;
            }
            let mut entry = self.audit(
                Some(&p),
                "account.updated",
                "account",
                &a.id,
                &a.unit_path,
                &address,
            );
            entry.before_json = json(Some(&before));
            entry.after_json = json(Some(&a));
            store::audit::append(&mut tx, &entry).await?;
            self.commit(tx).await?;
            Ok(Response::new(account_pb(&a, now)))
        })
        .await
    }

    async fn disable_account(
        &self,
        request: Request<pb::AccountActionRequest>,
    ) -> Reply<pb::Account> {
        handle(async move {
            let a = self.account_status_change(request, "disable").await?;
            Ok(Response::new(account_pb(&a, self.now())))
        })
        .await
    }

    async fn enable_account(
        &self,
        request: Request<pb::AccountActionRequest>,
    ) -> Reply<pb::Account> {
        handle(async move {
            let a = self.account_status_change(request, "enable").await?;
            Ok(Response::new(account_pb(&a, self.now())))
        })
        .await
    }

    async fn unlock_account(
        &self,
        request: Request<pb::AccountActionRequest>,
    ) -> Reply<pb::Account> {
        handle(async move {
            let a = self.account_status_change(request, "unlock").await?;
            Ok(Response::new(account_pb(&a, self.now())))
        })
        .await
    }

    async fn reset_password(
        &self,
        request: Request<pb::AccountActionRequest>,
    ) -> Reply<pb::ResetPasswordResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            let address = tinhso_platform::grpc::client_address(&request);
            let r = request.into_inner();
            // Hashed before the transaction opens (see `login`); an account's kind never changes.
            let service = store::accounts::get(&self.0.db.pool, &r.id)
                .await?
                .is_some_and(|a| a.kind == "service");
            let secret = self.one_time_secret(service).await?;
            let mut tx = self.begin().await?;
            let before = self
                .account_for(&mut tx, &p, &r.id, "identity.account.reset_password")
                .await?;
            check_etag(&r.etag, before.version)?;
            if before.id == p.account_id {
                return Err(AppError::failed_precondition(
                    "SELF_RESET",
                    "Hãy dùng chức năng đổi mật khẩu cho tài khoản của mình",
                    "use change-password for your own account",
                )
                .with_field("id"));
            }
            let now = self.now();
            let mut a = before.clone();
            a.password_hash = secret.hash;
            a.must_change_password = !service;
            a.password_expires_at = secret.expires_at;
            a.login = Default::default();
            a.version += 1;
            a.updated_at = now;
            if !store::accounts::update(&mut tx, &a, before.version).await? {
                return Err(AppError::stale_etag());
            }
            self.revoke_tokens(&mut tx, &a, "password_changed", &p.account_id, now)
                .await?;
            store::audit::append(
                &mut tx,
                &self.audit(
                    Some(&p),
                    "account.password_reset",
                    "account",
                    &a.id,
                    &a.unit_path,
                    &address,
                ),
            )
            .await?;
            self.commit(tx).await?;
            Ok(Response::new(pb::ResetPasswordResponse {
                account: Some(account_pb(&a, now)),
                initial_password: secret.secret,
                initial_password_expire_time: secret.expires_at.map(to_timestamp),
            }))
        })
        .await
    }
}

// ------------------------------------------------------------------ roles and grants

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
            let root = store::units::root(&mut *tx)
                .await?
                .ok_or_else(|| internal("no root unit"))?;
            // Roles are province-wide definitions: only who holds role.create at the root defines them.
            p.require("identity.role.create", &root.path)?;
            let code = acc::check_username("role.code", &role.code)?;
            let name = acc::check_text("role.name", &role.name, true, 255)?;
            if role.permissions.is_empty() {
                return Err(AppError::invalid(
                    "role.permissions",
                    "REQUIRED",
                    "vai trò phải có ít nhất một quyền",
                    "a role needs at least one permission",
                ));
            }
            for (i, perm) in role.permissions.iter().enumerate() {
                if !roles::is_known_pattern(perm) {
                    return Err(AppError::invalid(
                        &format!("role.permissions[{i}]"),
                        "UNKNOWN_PERMISSION",
                        "quyền không tồn tại",
                        "unknown permission",
                    ));
                }
            }
            if store::access::role(&mut *tx, &code).await?.is_some() {
                return Err(AppError::already_exists(
                    "role.code",
                    "ROLE_CODE_TAKEN",
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
            let grants = store::access::grants_of(&mut *tx, &a.id).await?;
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
                return Err(AppError::new(tinhso_platform::error::ErrorKind::PermissionDenied, "SELF_GRANT", "Không thể tự phân quyền cho chính mình", "you cannot grant roles to yourself").with_field("account_id"));
            }
            let role = store::access::role(&mut *tx, &r.role_id)
                .await?
                .ok_or_else(|| AppError::not_found("vai trò", "role").with_field("role_id"))?;
            let (scope, scope_unit) = match r.scope {
                1 => {
                    let unit = self.unit(&mut tx, &r.scope_unit_id, "scope_unit_id").await?;
                    ("unit", Some(unit))
                }
                2 => ("self", None),
                _ => return Err(AppError::invalid("scope", "BAD_SCOPE", "phạm vi phân quyền không hợp lệ", "scope must be UNIT or SELF")),
            };
            let scope_path = scope_unit.as_ref().map(|u| u.path.clone()).unwrap_or_else(|| grantee.unit_path.clone());
            p.require("identity.grant.create", &scope_path)?;
            if !roles::can_delegate(&p, &role.permissions, &scope_path) {
                return Err(AppError::new(
                    tinhso_platform::error::ErrorKind::PermissionDenied,
                    "GRANT_EXCEEDS_OWN",
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
            let changed = pb::GrantChanged { grant_id: row.id.clone(), account_id: grantee.id.clone(), role_code: role.code.clone(), scope_unit_path: scope_path, actor_id: p.account_id.clone() };
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
            let grant = store::access::grant(&mut *tx, &r.grant_id)
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
                account_id: grantee.id.clone(),
                role_code: grant.role_code.clone(),
                scope_unit_path: grant.scope_unit_path.clone().unwrap_or_default(),
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

// ------------------------------------------------------------------ audit

/// Rows per chunk of an audit export.
const EXPORT_PAGE: i64 = 500;

impl Api {
    /// The audit query a caller may run: their read scopes, narrowed by the request's filters.
    async fn audit_filter(
        &self,
        p: &Principal,
        r: pb::ListAuditEventsRequest,
        limit: i64,
        offset: i64,
    ) -> AppResult<store::audit::Filter> {
        let under_path = if r.unit_id.is_empty() {
            None
        } else {
            let u = store::units::get(&self.0.db.pool, &r.unit_id)
                .await?
                .ok_or_else(|| AppError::not_found("đơn vị", "unit").with_field("unit_id"))?;
            p.require("identity.audit.read", &u.path)?;
            Some(u.path)
        };
        let scopes = p.scopes_for("identity.audit.read");
        if scopes.is_empty() {
            return Err(AppError::permission_denied());
        }
        Ok(store::audit::Filter {
            scopes,
            actor_id: (!r.actor_id.is_empty()).then_some(r.actor_id),
            under_path,
            action: (!r.action.is_empty()).then_some(r.action),
            from_ms: r.start_time.as_ref().map(from_timestamp),
            to_ms: r.end_time.as_ref().map(from_timestamp),
            before_id: None,
            limit,
            offset,
        })
    }
}

/// One audit export page as CSV lines.
fn audit_csv(rows: &[AuditEntry]) -> String {
    let mut out = String::new();
    for e in rows {
        out.push_str(&tinhso_platform::csv::row(&[
            e.id.to_string(),
            tinhso_platform::clock::rfc3339(e.at),
            e.actor_username.clone(),
            e.action.clone(),
            e.target_kind.clone(),
            e.target_id.clone(),
            e.unit_path.clone(),
            e.client_address.clone(),
            e.before_json.clone(),
            e.after_json.clone(),
        ]));
    }
    out
}

#[tonic::async_trait]
impl pb::audit_service_server::AuditService for Api {
    type ExportAuditEventsStream =
        tokio_stream::wrappers::ReceiverStream<Result<tinhso_proto::common::v1::FileChunk, Status>>;

    async fn export_audit_events(
        &self,
        request: Request<pb::ListAuditEventsRequest>,
    ) -> Reply<Self::ExportAuditEventsStream> {
        handle(async move {
            let p = self.principal(&request)?;
            p.require_active()?;
            let mut filter = self
                .audit_filter(&p, request.into_inner(), EXPORT_PAGE, 0)
                .await?;
            let pool = self.0.db.pool.clone();
            let date = tinhso_platform::clock::rfc3339(self.now());
            let (sender, receiver) = tokio::sync::mpsc::channel(4);
            tokio::spawn(async move {
                let mut chunk = tinhso_proto::common::v1::FileChunk {
                    filename: format!("nhat-ky-he-thong-{}.csv", &date[..10]),
                    content_type: "text/csv; charset=utf-8".into(),
                    data: format!(
                        "{}{}",
                        tinhso_platform::csv::BOM,
                        tinhso_platform::csv::row(&[
                            "ma",
                            "thoi_gian",
                            "nguoi_thuc_hien",
                            "hanh_dong",
                            "loai_doi_tuong",
                            "ma_doi_tuong",
                            "don_vi",
                            "dia_chi",
                            "truoc",
                            "sau",
                        ])
                    )
                    .into_bytes(),
                };
                loop {
                    let rows = match store::audit::query(&pool, &filter).await {
                        Ok(rows) => rows,
                        Err(e) => {
                            tracing::error!(error = %e, "audit export failed");
                            let _ = sender.send(Err(Status::from(AppError::from(e)))).await;
                            return;
                        }
                    };
                    chunk.data.extend(audit_csv(&rows).into_bytes());
                    if sender.send(Ok(std::mem::take(&mut chunk))).await.is_err() {
                        return; // the caller went away
                    }
                    match rows.last() {
                        Some(last) if rows.len() as i64 == EXPORT_PAGE => {
                            filter.before_id = Some(last.id)
                        }
                        _ => return,
                    }
                }
            });
            Ok(Response::new(tokio_stream::wrappers::ReceiverStream::new(
                receiver,
            )))
        })
        .await
    }

    async fn list_audit_events(
        &self,
        request: Request<pb::ListAuditEventsRequest>,
    ) -> Reply<pb::ListAuditEventsResponse> {
        handle(async move {
            let p = self.principal(&request)?;
            p.require_active()?;
            let r = request.into_inner();
            let (limit, offset) = page(r.page_size, &r.page_token)?;
            let filter = self.audit_filter(&p, r, limit, offset).await?;
            let rows = store::audit::query(&self.0.db.pool, &filter).await?;
            Ok(Response::new(pb::ListAuditEventsResponse {
                next_page_token: next_token(rows.len(), limit, offset),
                events: rows
                    .iter()
                    .map(|e| pb::AuditEvent {
                        id: e.id,
                        time: Some(to_timestamp(e.at)),
                        actor_id: e.actor_id.clone(),
                        actor_username: e.actor_username.clone(),
                        action: e.action.clone(),
                        target_kind: e.target_kind.clone(),
                        target_id: e.target_id.clone(),
                        unit_path: e.unit_path.clone(),
                        client_address: e.client_address.clone(),
                        before_json: e.before_json.clone(),
                        after_json: e.after_json.clone(),
                    })
                    .collect(),
            }))
        })
        .await
    }
}
