//! AuthService: login (people and service accounts), refresh, logout, password change, the
//! signing keys (JWKS) and the caller's own profile.

use super::*;
use crate::domain::login;
use tinhso_platform::ErrorCode;

impl Api {
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
                ErrorCode::TooManyRequests,
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
        let found = store::accounts::by_username(&tx, &username).await?;
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
        entry.actor_id = account.id.clone().into();
        entry.actor_username = account.username.clone();
        let attempt = login::LoginAttempt {
            disabled: account.status == "disabled",
            state: account.login,
            password_matches: matches,
            is_service_account: account.kind == "service",
            wants_service: want_service,
            must_change_password: account.must_change_password,
            password_expires_at: account.password_expires_at,
        };
        if let Err(refusal) = login::decide(&attempt, now) {
            if refusal.counts_as_failure() {
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
            entry.after_json = serde_json::json!({"reason": refusal.reason()}).to_string();
            store::audit::append(&mut tx, &entry).await?;
            self.commit(tx).await?;
            return Err(match refusal {
                login::LoginRefusal::OneTimePasswordExpired => AppError::failed_precondition(
                    ErrorCode::InitialPasswordExpired,
                    "Mật khẩu cấp lần đầu đã hết hạn (72 giờ); đề nghị quản trị cấp lại mật khẩu",
                    "the one-time password expired (72 hours); ask an administrator for a new one",
                ),
                _ => invalid_credentials(),
            });
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
                return Err(AppError::unauthenticated(ErrorCode::InvalidRefreshToken));
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
                    entry.actor_id = row.account_id.clone().into();
                    entry.after_json = serde_json::json!({"family": row.family_id}).to_string();
                    store::audit::append(&mut tx, &entry).await?;
                    self.commit(tx).await?;
                }
                return Err(AppError::unauthenticated(ErrorCode::RefreshTokenRevoked));
            }
            if row.expires_at <= now {
                return Err(AppError::unauthenticated(ErrorCode::RefreshTokenExpired));
            }
            let account = self.account(&mut tx, &row.account_id).await?;
            if account.status != "active" {
                store::tokens::revoke_family(&mut tx, &row.family_id, now).await?;
                self.commit(tx).await?;
                return Err(AppError::unauthenticated(ErrorCode::AccountDisabled));
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
                entry.actor_id = row.account_id.clone().into();
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
                    ErrorCode::WrongPassword,
                    "mật khẩu hiện tại không đúng",
                    "current password is wrong",
                ));
            }
            password::check_policy("new_password", &r.new_password, &snapshot.username)?;
            if r.new_password == r.current_password {
                return Err(AppError::invalid(
                    "new_password",
                    ErrorCode::PasswordUnchanged,
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
            let grants = store::access::grants_of(&tx, &p.account_id).await?;
            let unit = store::units::get(&tx, &account.unit_id).await?;
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

    async fn list_revocations(
        &self,
        request: Request<pb::ListRevocationsRequest>,
    ) -> Reply<pb::ListRevocationsResponse> {
        handle(async move {
            let since = request.into_inner().since_ms;
            let revocations = tinhso_platform::auth::revocations_since(&self.0.db, since)
                .await?
                .into_iter()
                .map(|(account_id, not_before_ms)| pb::Revocation {
                    account_id,
                    not_before_ms,
                })
                .collect();
            Ok(Response::new(pb::ListRevocationsResponse { revocations }))
        })
        .await
    }
}
