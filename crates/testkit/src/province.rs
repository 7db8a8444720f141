//! The people and units a service's tests need, made through identity's gRPC API like a real
//! administrator would: units, accounts with a role over a unit (or over their own record), the
//! forced first-login password change, and the fixture nearly every permission test starts from —
//! two districts, each with its own clerk.

use crate::authed;
use tinhso_proto::identity::v1 as id;
use tinhso_proto::identity::v1::access_service_client::AccessServiceClient;
use tinhso_proto::identity::v1::account_service_client::AccountServiceClient;
use tinhso_proto::identity::v1::auth_service_client::AuthServiceClient;
use tinhso_proto::identity::v1::unit_service_client::UnitServiceClient;
use tonic::transport::Channel;

/// The password every fixture account sets at its first login.
pub const PERSONAL_PASSWORD: &str = "Mật khẩu riêng rất dài của tôi";

/// A signed-in account: its id and a token past the forced password change.
#[derive(Debug, Clone)]
pub struct Person {
    pub account_id: String,
    pub username: String,
    pub token: String,
}

/// Two districts under the root, a clerk granted `role` in the first (`ours`) and another in the
/// second (`theirs`): the caller inside a scope and the caller outside it.
#[derive(Debug, Clone)]
pub struct TwoDistricts {
    pub ours: id::Unit,
    pub theirs: id::Unit,
    pub clerk: Person,
    pub stranger: Person,
}

/// Identity's API, as the administrator of a test province uses it.
#[derive(Clone)]
pub struct Province {
    channel: Channel,
}

impl Province {
    pub fn new(channel: Channel) -> Self {
        Self { channel }
    }

    /// Logs in with a one-time password and sets `new_password`; returns the usable token.
    pub async fn sign_in(&self, username: &str, password: &str, new_password: &str) -> String {
        let mut auth = AuthServiceClient::new(self.channel.clone());
        let first = auth
            .login(id::LoginRequest {
                username: username.into(),
                password: password.into(),
            })
            .await
            .unwrap_or_else(|e| panic!("login {username}: {e:?}"))
            .into_inner();
        assert!(
            first.must_change_password,
            "{username} logs in with a one-time password"
        );
        auth.change_password(authed(
            &first.access_token,
            id::ChangePasswordRequest {
                current_password: password.into(),
                new_password: new_password.into(),
            },
        ))
        .await
        .unwrap_or_else(|e| panic!("password change {username}: {e:?}"))
        .into_inner()
        .access_token
    }

    /// Logs in with a password already chosen; the access token.
    pub async fn log_in(&self, username: &str, password: &str) -> String {
        AuthServiceClient::new(self.channel.clone())
            .login(id::LoginRequest {
                username: username.into(),
                password: password.into(),
            })
            .await
            .unwrap_or_else(|e| panic!("login {username}: {e:?}"))
            .into_inner()
            .access_token
    }

    /// A unit named after its code ("Đơn vị HOA") under `parent`.
    pub async fn unit(
        &self,
        token: &str,
        code: &str,
        parent: &str,
        kind: id::UnitKind,
    ) -> id::Unit {
        UnitServiceClient::new(self.channel.clone())
            .create_unit(authed(
                token,
                id::CreateUnitRequest {
                    unit: Some(id::Unit {
                        code: code.into(),
                        name: format!("Đơn vị {code}"),
                        kind: kind as i32,
                        parent_id: parent.into(),
                        ..Default::default()
                    }),
                    request_id: String::new(),
                },
            ))
            .await
            .unwrap_or_else(|e| panic!("unit {code}: {e:?}"))
            .into_inner()
    }

    /// An account homed in `unit` holding the built-in role `role` over `scope_unit`, or over its
    /// own record (`personnel_id`) when `scope_unit` is None, signed in.
    pub async fn person(
        &self,
        admin: &str,
        username: &str,
        unit: &str,
        role: &str,
        scope_unit: Option<&str>,
        personnel_id: &str,
    ) -> Person {
        let created = AccountServiceClient::new(self.channel.clone())
            .create_account(authed(
                admin,
                id::CreateAccountRequest {
                    account: Some(id::Account {
                        username: username.into(),
                        full_name: format!("Người dùng {username}"),
                        unit_id: unit.into(),
                        personnel_id: personnel_id.into(),
                        ..Default::default()
                    }),
                    request_id: String::new(),
                },
            ))
            .await
            .unwrap_or_else(|e| panic!("account {username}: {e:?}"))
            .into_inner();
        let account = created.account.expect("account");
        self.grant(admin, &account.id, role, scope_unit).await;
        let token = self
            .sign_in(username, &created.initial_password, PERSONAL_PASSWORD)
            .await;
        Person {
            account_id: account.id,
            username: account.username,
            token,
        }
    }

    /// Grants the built-in role with code `role` over `scope_unit` (or the holder's own record).
    pub async fn grant(&self, admin: &str, account_id: &str, role: &str, scope_unit: Option<&str>) {
        let mut access = AccessServiceClient::new(self.channel.clone());
        let role_id = access
            .list_roles(authed(admin, id::ListRolesRequest {}))
            .await
            .expect("roles")
            .into_inner()
            .roles
            .into_iter()
            .find(|r| r.code == role)
            .map(|r| r.id)
            .unwrap_or_else(|| panic!("no role {role}"));
        access
            .create_grant(authed(
                admin,
                id::CreateGrantRequest {
                    account_id: account_id.into(),
                    role_id,
                    scope: if scope_unit.is_some() {
                        id::GrantScope::Unit as i32
                    } else {
                        id::GrantScope::Self_ as i32
                    },
                    scope_unit_id: scope_unit.unwrap_or_default().into(),
                },
            ))
            .await
            .unwrap_or_else(|e| panic!("grant {role}: {e:?}"));
    }

    /// Districts `codes[0]` and `codes[1]` under `root`, each with a clerk `<role>.<code>`
    /// (lowercase) holding `role` over it.
    pub async fn two_districts(
        &self,
        admin: &str,
        root: &str,
        codes: [&str; 2],
        role: &str,
    ) -> TwoDistricts {
        let ours = self
            .unit(admin, codes[0], root, id::UnitKind::District)
            .await;
        let theirs = self
            .unit(admin, codes[1], root, id::UnitKind::District)
            .await;
        let username = |code: &str| format!("{role}.{}", code.to_lowercase());
        let clerk = self
            .person(
                admin,
                &username(codes[0]),
                &ours.id,
                role,
                Some(&ours.id),
                "",
            )
            .await;
        let stranger = self
            .person(
                admin,
                &username(codes[1]),
                &theirs.id,
                role,
                Some(&theirs.id),
                "",
            )
            .await;
        TwoDistricts {
            ours,
            theirs,
            clerk,
            stranger,
        }
    }
}
