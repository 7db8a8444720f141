//! Identity through its gRPC API, on SQLite + the in-process bus (`make test`) and on
//! PostgreSQL + NATS (`make test-services`).

use std::sync::Arc;
use tinhso_identity::{Identity, IdentityConfig};
use tinhso_platform::auth::{DenylistHandler, Verifier};
use tinhso_platform::clock::{Clock as _, ManualClock, SharedClock, SystemClock};
use tinhso_platform::error::detail_of;
use tinhso_platform::events::{ConsumerSpec, SharedBus};
use tinhso_proto::identity::v1 as pb;
use tinhso_proto::identity::v1::access_service_client::AccessServiceClient;
use tinhso_proto::identity::v1::account_service_client::AccountServiceClient;
use tinhso_proto::identity::v1::audit_service_client::AuditServiceClient;
use tinhso_proto::identity::v1::auth_service_client::AuthServiceClient;
use tinhso_proto::identity::v1::unit_service_client::UnitServiceClient;
use tinhso_testkit::province::Province;
use tinhso_testkit::{TestDb, TestServer, authed};
use tonic::Code;
use tonic::transport::Channel;

const ADMIN_PASSWORD: &str = "mat-khau-quan-tri-ban-dau";
const NEW_ADMIN_PASSWORD: &str = "Quản trị tỉnh số 2026!";

struct Harness {
    identity: Arc<Identity>,
    clock: Arc<ManualClock>,
    bus: SharedBus,
    root_id: String,
    channel: Channel,
    _server: TestServer,
    _db: TestDb,
    _stop: tokio::sync::watch::Sender<bool>,
}

async fn start_with(env: &[(&str, &str)]) -> Harness {
    let mut vars: Vec<(String, String)> = vec![(
        "TINHSO_BOOTSTRAP_ADMIN_PASSWORD".into(),
        ADMIN_PASSWORD.into(),
    )];
    vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let test_db = tinhso_testkit::database().await;
    vars.push(("TINHSO_DATABASE__URL".into(), test_db.url.clone()));
    let config = IdentityConfig::load(None, &vars).expect("config");
    let clock = ManualClock::new(SystemClock.now_ms());
    let shared: SharedClock = clock.clone();
    let identity = Identity::open(config, test_db.db.clone(), shared)
        .await
        .expect("open");
    let boot = identity.bootstrap().await.expect("bootstrap");
    let bus = tinhso_testkit::bus().await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    identity.spawn_background(bus.clone(), stopped);
    let server = TestServer::start(
        identity.routes(),
        tinhso_identity::SERVICE_NAMES,
        identity.verifier.clone(),
    )
    .await;
    let channel = server.channel().await;
    Harness {
        identity,
        clock,
        bus,
        root_id: boot.root_unit_id,
        channel,
        _server: server,
        _db: test_db,
        _stop: stop,
    }
}

async fn start() -> Harness {
    start_with(&[]).await
}

fn code_of(status: &tonic::Status) -> String {
    detail_of(status).map(|d| d.code).unwrap_or_default()
}

impl Harness {
    fn auth(&self) -> AuthServiceClient<Channel> {
        AuthServiceClient::new(self.channel.clone())
    }
    fn units(&self) -> UnitServiceClient<Channel> {
        UnitServiceClient::new(self.channel.clone())
    }
    fn accounts(&self) -> AccountServiceClient<Channel> {
        AccountServiceClient::new(self.channel.clone())
    }
    fn access(&self) -> AccessServiceClient<Channel> {
        AccessServiceClient::new(self.channel.clone())
    }

    async fn login(
        &self,
        username: &str,
        password: &str,
    ) -> Result<pb::TokenResponse, tonic::Status> {
        self.auth()
            .login(pb::LoginRequest {
                username: username.into(),
                password: password.into(),
            })
            .await
            .map(|r| r.into_inner())
    }

    fn province(&self) -> Province {
        Province::new(self.channel.clone())
    }

    /// Logs in as admin and completes the forced password change; returns a usable token.
    async fn admin(&self) -> String {
        self.province()
            .sign_in("admin", ADMIN_PASSWORD, NEW_ADMIN_PASSWORD)
            .await
    }

    async fn create_unit(&self, token: &str, parent: &str, code: &str, name: &str) -> pb::Unit {
        self.units()
            .create_unit(authed(
                token,
                pb::CreateUnitRequest {
                    unit: Some(pb::Unit {
                        parent_id: parent.into(),
                        code: code.into(),
                        name: name.into(),
                        kind: 2,
                        ..Default::default()
                    }),
                    request_id: String::new(),
                },
            ))
            .await
            .expect("create unit")
            .into_inner()
    }

    async fn get_unit(&self, token: &str, id: &str) -> pb::Unit {
        self.units()
            .get_unit(authed(token, pb::GetUnitRequest { id: id.into() }))
            .await
            .expect("get unit")
            .into_inner()
    }

    async fn create_account(
        &self,
        token: &str,
        unit: &str,
        username: &str,
    ) -> Result<pb::CreateAccountResponse, tonic::Status> {
        self.accounts()
            .create_account(authed(
                token,
                pb::CreateAccountRequest {
                    account: Some(pb::Account {
                        username: username.into(),
                        full_name: "Nguyễn Văn Đức".into(),
                        email: format!("{username}@sonoivu.gov.vn"),
                        phone: "0912 345 678".into(),
                        unit_id: unit.into(),
                        ..Default::default()
                    }),
                    request_id: String::new(),
                },
            ))
            .await
            .map(|r| r.into_inner())
    }

    /// Creates an account, grants it `role` at `scope_unit`, and logs it in past the forced change.
    async fn person(
        &self,
        admin: &str,
        unit: &str,
        username: &str,
        role: &str,
        scope_unit: &str,
    ) -> (String, String) {
        let person = self
            .province()
            .person(admin, username, unit, role, Some(scope_unit), "")
            .await;
        (person.account_id, person.token)
    }
}

#[tokio::test]
async fn first_login_forces_a_password_change_and_the_old_token_dies() {
    let h = start().await;
    let first = h.login("admin", ADMIN_PASSWORD).await.expect("login");
    assert!(first.must_change_password);
    // A must-change token can do nothing else.
    let denied = h
        .units()
        .get_unit(authed(
            &first.access_token,
            pb::GetUnitRequest {
                id: h.root_id.clone(),
            },
        ))
        .await
        .expect_err("blocked");
    assert_eq!(denied.code(), Code::FailedPrecondition);
    assert_eq!(code_of(&denied), "PASSWORD_CHANGE_REQUIRED");
    let denied = h
        .accounts()
        .list_accounts(authed(
            &first.access_token,
            pb::ListAccountsRequest::default(),
        ))
        .await
        .expect_err("blocked");
    assert_eq!(code_of(&denied), "PASSWORD_CHANGE_REQUIRED");
    // A weak new password is refused with the field named, and nothing changes.
    let weak = h
        .auth()
        .change_password(authed(
            &first.access_token,
            pb::ChangePasswordRequest {
                current_password: ADMIN_PASSWORD.into(),
                new_password: "1qaz2wsx3edc".into(),
            },
        ))
        .await
        .expect_err("weak");
    assert_eq!(weak.code(), Code::InvalidArgument);
    let detail = detail_of(&weak).expect("detail");
    assert_eq!(detail.code, "PASSWORD_TOO_COMMON");
    assert_eq!(detail.violations[0].field, "new_password");
    h.clock.advance_secs(1);
    let token = h.admin().await;
    let unit = h.get_unit(&token, &h.root_id).await;
    assert_eq!(unit.name, "Ủy ban nhân dân tỉnh");
    // The token issued before the change is now revoked.
    let old = h
        .units()
        .get_unit(authed(
            &first.access_token,
            pb::GetUnitRequest {
                id: h.root_id.clone(),
            },
        ))
        .await
        .expect_err("revoked");
    assert_eq!(old.code(), Code::Unauthenticated);
    // And the old password no longer works, the new one does.
    assert_eq!(
        h.login("admin", ADMIN_PASSWORD)
            .await
            .expect_err("old")
            .code(),
        Code::Unauthenticated
    );
    assert!(
        !h.login("admin", NEW_ADMIN_PASSWORD)
            .await
            .expect("new")
            .must_change_password
    );
    // No token, a forged one: UNAUTHENTICATED.
    let none = h
        .units()
        .get_unit(pb::GetUnitRequest {
            id: h.root_id.clone(),
        })
        .await
        .expect_err("no token");
    assert_eq!(none.code(), Code::Unauthenticated);
    let forged = h
        .units()
        .get_unit(authed(
            &format!("{token}x"),
            pb::GetUnitRequest {
                id: h.root_id.clone(),
            },
        ))
        .await
        .expect_err("forged");
    assert_eq!(forged.code(), Code::Unauthenticated);
    // Expired (past its 300 s and the 30 s allowed for clock skew between services).
    h.clock.advance_secs(331);
    let expired = h
        .units()
        .get_unit(authed(
            &token,
            pb::GetUnitRequest {
                id: h.root_id.clone(),
            },
        ))
        .await
        .expect_err("expired");
    assert_eq!(code_of(&expired), "TOKEN_EXPIRED");
}

#[tokio::test]
async fn moves_and_merges_keep_every_descendant_path_right() {
    let h = start().await;
    let t = h.admin().await;
    let a = h.create_unit(&t, &h.root_id, "A", "Sở A").await;
    let b = h.create_unit(&t, &h.root_id, "B", "Sở B").await;
    let c = h.create_unit(&t, &a.id, "C", "Phòng C").await;
    let d = h.create_unit(&t, &c.id, "D", "Tổ D").await;
    assert_eq!(
        d.path,
        format!("/{}/{}/{}/{}/", h.root_id, a.id, c.id, d.id)
    );

    let moved = h
        .units()
        .move_unit(authed(
            &t,
            pb::MoveUnitRequest {
                id: a.id.clone(),
                new_parent_id: b.id.clone(),
                etag: a.etag.clone(),
            },
        ))
        .await
        .expect("move")
        .into_inner();
    assert_eq!(moved.path, format!("/{}/{}/{}/", h.root_id, b.id, a.id));
    assert_eq!(
        h.get_unit(&t, &c.id).await.path,
        format!("{}{}/", moved.path, c.id)
    );
    assert_eq!(
        h.get_unit(&t, &d.id).await.path,
        format!("{}{}/{}/", moved.path, c.id, d.id)
    );

    // A stale etag is refused.
    let stale = h
        .units()
        .move_unit(authed(
            &t,
            pb::MoveUnitRequest {
                id: a.id.clone(),
                new_parent_id: h.root_id.clone(),
                etag: a.etag.clone(),
            },
        ))
        .await
        .expect_err("stale");
    assert_eq!(stale.code(), Code::Aborted);
    // Moving B under its own descendant D is a cycle; nothing changes.
    let cycle = h
        .units()
        .move_unit(authed(
            &t,
            pb::MoveUnitRequest {
                id: b.id.clone(),
                new_parent_id: d.id.clone(),
                etag: String::new(),
            },
        ))
        .await
        .expect_err("cycle");
    assert_eq!(cycle.code(), Code::FailedPrecondition);
    assert_eq!(code_of(&cycle), "UNIT_MOVE_CYCLE");
    assert_eq!(
        h.get_unit(&t, &b.id).await.path,
        format!("/{}/{}/", h.root_id, b.id)
    );

    // Merge X and Y into Z: children and accounts follow; X and Y close.
    let x = h.create_unit(&t, &h.root_id, "X", "Huyện X").await;
    let y = h.create_unit(&t, &h.root_id, "Y", "Huyện Y").await;
    let z = h.create_unit(&t, &h.root_id, "Z", "Huyện Z").await;
    let x1 = h.create_unit(&t, &x.id, "X1", "Xã X1").await;
    let x11 = h.create_unit(&t, &x1.id, "X11", "Thôn X11").await;
    let y1 = h.create_unit(&t, &y.id, "Y1", "Xã Y1").await;
    let acc = h
        .create_account(&t, &y.id, "canbo.y")
        .await
        .expect("account")
        .account
        .expect("a");
    h.units()
        .merge_units(authed(
            &t,
            pb::MergeUnitsRequest {
                source_ids: vec![x.id.clone(), y.id.clone()],
                target_id: z.id.clone(),
            },
        ))
        .await
        .expect("merge");
    assert_eq!(
        h.get_unit(&t, &x1.id).await.path,
        format!("{}{}/", z.path, x1.id)
    );
    assert_eq!(
        h.get_unit(&t, &x11.id).await.path,
        format!("{}{}/{}/", z.path, x1.id, x11.id)
    );
    assert_eq!(
        h.get_unit(&t, &y1.id).await.path,
        format!("{}{}/", z.path, y1.id)
    );
    let closed = h.get_unit(&t, &x.id).await;
    assert_eq!(closed.status, 2);
    assert_eq!(closed.merged_into_id, z.id);
    let moved_acc = h
        .accounts()
        .get_account(authed(&t, pb::GetAccountRequest { id: acc.id }))
        .await
        .expect("get")
        .into_inner();
    assert_eq!(moved_acc.unit_id, z.id);
    // Merging into a descendant is refused.
    let bad = h
        .units()
        .merge_units(authed(
            &t,
            pb::MergeUnitsRequest {
                source_ids: vec![z.id.clone()],
                target_id: x1.id.clone(),
            },
        ))
        .await
        .expect_err("cycle");
    assert_eq!(bad.code(), Code::FailedPrecondition);
}

#[tokio::test]
async fn lockout_after_five_failures_for_fifteen_minutes() {
    let h = start().await;
    let t = h.admin().await;
    let created = h
        .create_account(&t, &h.root_id, "nhapieu")
        .await
        .expect("create");
    let secret = created.initial_password;
    let unknown = h
        .login("khongtontai", "mat khau bat ky")
        .await
        .expect_err("unknown");
    for _ in 0..5 {
        let e = h
            .login("nhapieu", "sai mat khau roi")
            .await
            .expect_err("wrong");
        assert_eq!(e.code(), Code::Unauthenticated);
    }
    // Locked: even the right password gets the same answer as a wrong one or an unknown user.
    let locked = h.login("nhapieu", &secret).await.expect_err("locked");
    assert_eq!(locked.code(), unknown.code());
    assert_eq!(locked.message(), unknown.message());
    assert_eq!(code_of(&locked), code_of(&unknown));
    // Failing while locked does not extend the lock.
    h.clock.advance_secs(10 * 60);
    let _ = h.login("nhapieu", "sai mat khau roi").await;
    h.clock.advance_secs(5 * 60 + 1);
    assert!(
        h.login("nhapieu", &secret).await.is_ok(),
        "lock ends 15 minutes after it began"
    );
}

#[tokio::test]
async fn admin_unlock_lifts_a_lock_and_disabled_accounts_cannot_log_in() {
    let h = start().await;
    let t = h.admin().await;
    let created = h
        .create_account(&t, &h.root_id, "canbo.khoa")
        .await
        .expect("create");
    let id = created.account.expect("a").id;
    for _ in 0..5 {
        let _ = h.login("canbo.khoa", "sai mat khau roi").await;
    }
    let listed = h
        .accounts()
        .get_account(authed(&t, pb::GetAccountRequest { id: id.clone() }))
        .await
        .expect("get")
        .into_inner();
    assert_eq!(listed.status, 2, "shown as locked");
    h.accounts()
        .unlock_account(authed(
            &t,
            pb::AccountActionRequest {
                id: id.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect("unlock");
    assert!(
        h.login("canbo.khoa", &created.initial_password)
            .await
            .is_ok()
    );
    h.accounts()
        .disable_account(authed(
            &t,
            pb::AccountActionRequest {
                id: id.clone(),
                reason: "nghỉ hưu".into(),
                ..Default::default()
            },
        ))
        .await
        .expect("disable");
    assert_eq!(
        h.login("canbo.khoa", &created.initial_password)
            .await
            .expect_err("disabled")
            .code(),
        Code::Unauthenticated
    );
}

#[tokio::test]
async fn login_rate_limit_per_client_address() {
    let h = start_with(&[("TINHSO_LOGIN_RATE__MAX_ATTEMPTS", "3")]).await;
    for _ in 0..3 {
        let _ = h.login("ai-do", "mat khau nao do").await;
    }
    let limited = h
        .login("ai-do", "mat khau nao do")
        .await
        .expect_err("limited");
    assert_eq!(limited.code(), Code::ResourceExhausted);
    h.clock.advance_secs(61);
    assert_eq!(
        h.login("ai-do", "mat khau nao do")
            .await
            .expect_err("allowed again")
            .code(),
        Code::Unauthenticated
    );
}

#[tokio::test]
async fn one_time_password_expires_after_72_hours() {
    let h = start().await;
    let t = h.admin().await;
    let created = h
        .create_account(&t, &h.root_id, "moi.tuyen")
        .await
        .expect("create");
    assert!(created.initial_password_expire_time.is_some());
    h.clock.advance_secs(72 * 3600 + 1);
    let e = h
        .login("moi.tuyen", &created.initial_password)
        .await
        .expect_err("expired");
    assert_eq!(code_of(&e), "INITIAL_PASSWORD_EXPIRED");
    // The admin issues a new one-time password, which works.
    let t = h
        .login("admin", NEW_ADMIN_PASSWORD)
        .await
        .expect("admin")
        .access_token;
    let reset = h
        .accounts()
        .reset_password(authed(
            &t,
            pb::AccountActionRequest {
                id: created.account.expect("a").id,
                ..Default::default()
            },
        ))
        .await
        .expect("reset")
        .into_inner();
    assert!(
        h.login("moi.tuyen", &reset.initial_password)
            .await
            .expect("login")
            .must_change_password
    );
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let h = start().await;
    h.admin().await;
    let login = h.login("admin", NEW_ADMIN_PASSWORD).await.expect("login");
    let second = h
        .auth()
        .refresh(pb::RefreshRequest {
            refresh_token: login.refresh_token.clone(),
        })
        .await
        .expect("refresh")
        .into_inner();
    assert_ne!(second.refresh_token, login.refresh_token);
    // Reusing the rotated token is detected and ends the whole family, including the new token.
    let reuse = h
        .auth()
        .refresh(pb::RefreshRequest {
            refresh_token: login.refresh_token.clone(),
        })
        .await
        .expect_err("reuse");
    assert_eq!(reuse.code(), Code::Unauthenticated);
    let after = h
        .auth()
        .refresh(pb::RefreshRequest {
            refresh_token: second.refresh_token.clone(),
        })
        .await
        .expect_err("family revoked");
    assert_eq!(after.code(), Code::Unauthenticated);
    // Logout ends a fresh session.
    let other = h.login("admin", NEW_ADMIN_PASSWORD).await.expect("login");
    h.auth()
        .logout(pb::LogoutRequest {
            refresh_token: other.refresh_token.clone(),
        })
        .await
        .expect("logout");
    assert!(
        h.auth()
            .refresh(pb::RefreshRequest {
                refresh_token: other.refresh_token
            })
            .await
            .is_err()
    );
}

#[tokio::test]
async fn unit_admin_manages_accounts_only_inside_its_subtree() {
    let h = start().await;
    let t = h.admin().await;
    let dept = h.create_unit(&t, &h.root_id, "SNV", "Sở Nội vụ").await;
    let office = h.create_unit(&t, &dept.id, "SNV-VP", "Văn phòng Sở").await;
    let other = h.create_unit(&t, &h.root_id, "STC", "Sở Tài chính").await;
    let (ua_id, ua) = h
        .person(&t, &dept.id, "qtdv.snv", "unit_admin", &dept.id)
        .await;

    // Inside the subtree: create an account and grant data entry.
    let staff = h
        .create_account(&ua, &office.id, "nhaplieu.snv")
        .await
        .expect("inside")
        .account
        .expect("a");
    h.access()
        .create_grant(authed(
            &ua,
            pb::CreateGrantRequest {
                account_id: staff.id.clone(),
                role_id: "data_entry".into(),
                scope: 1,
                scope_unit_id: office.id.clone(),
            },
        ))
        .await
        .expect("grant data entry");
    // Outside: PERMISSION_DENIED and no account.
    let e = h
        .create_account(&ua, &other.id, "nguoi.ngoai")
        .await
        .expect_err("outside");
    assert_eq!(e.code(), Code::PermissionDenied);
    // The admin's account lives at the root, outside the unit admin's subtree.
    let admin_id = h
        .auth()
        .get_me(authed(&t, pb::GetMeRequest {}))
        .await
        .expect("me")
        .into_inner()
        .account
        .expect("account")
        .id;
    let e = h
        .accounts()
        .get_account(authed(&ua, pb::GetAccountRequest { id: admin_id }))
        .await
        .expect_err("account outside the subtree");
    assert_eq!(e.code(), Code::PermissionDenied);
    // Cannot grant a role above its own, nor at a scope outside its subtree, nor to itself.
    let up = h
        .access()
        .create_grant(authed(
            &ua,
            pb::CreateGrantRequest {
                account_id: staff.id.clone(),
                role_id: "system_admin".into(),
                scope: 1,
                scope_unit_id: office.id.clone(),
            },
        ))
        .await
        .expect_err("above");
    assert_eq!(code_of(&up), "GRANT_EXCEEDS_OWN");
    let wide = h
        .access()
        .create_grant(authed(
            &ua,
            pb::CreateGrantRequest {
                account_id: staff.id.clone(),
                role_id: "data_entry".into(),
                scope: 1,
                scope_unit_id: h.root_id.clone(),
            },
        ))
        .await
        .expect_err("outside scope");
    assert_eq!(wide.code(), Code::PermissionDenied);
    let selfish = h
        .access()
        .create_grant(authed(
            &ua,
            pb::CreateGrantRequest {
                account_id: ua_id.clone(),
                role_id: "data_entry".into(),
                scope: 1,
                scope_unit_id: dept.id.clone(),
            },
        ))
        .await
        .expect_err("self");
    assert_eq!(code_of(&selfish), "SELF_GRANT");
    // Lists show only the subtree.
    let listed = h
        .accounts()
        .list_accounts(authed(&ua, pb::ListAccountsRequest::default()))
        .await
        .expect("list")
        .into_inner();
    assert!(
        listed
            .accounts
            .iter()
            .all(|a| a.unit_path.starts_with(&dept.path))
    );
    assert!(listed.accounts.iter().any(|a| a.username == "nhaplieu.snv"));
    assert!(!listed.accounts.iter().any(|a| a.username == "admin"));
    // Diacritic-insensitive search.
    let found = h
        .accounts()
        .list_accounts(authed(
            &ua,
            pb::ListAccountsRequest {
                query: "nguyen van duc".into(),
                ..Default::default()
            },
        ))
        .await
        .expect("search")
        .into_inner();
    assert!(!found.accounts.is_empty());
    // LIKE's wildcards in a search are plain characters: `%` and `_` find no one here.
    for wildcard in ["%", "_", "nguyen%duc"] {
        let found = h
            .accounts()
            .list_accounts(authed(
                &ua,
                pb::ListAccountsRequest {
                    query: wildcard.into(),
                    ..Default::default()
                },
            ))
            .await
            .expect("search")
            .into_inner();
        assert!(
            found.accounts.is_empty(),
            "{wildcard:?} matched {:?}",
            found.accounts
        );
    }
    // Units and audit outside the subtree are denied.
    let e = h
        .units()
        .get_unit(authed(
            &ua,
            pb::GetUnitRequest {
                id: other.id.clone(),
            },
        ))
        .await
        .expect_err("unit outside");
    assert_eq!(e.code(), Code::PermissionDenied);
    let e = AuditServiceClient::new(h.channel.clone())
        .list_audit_events(authed(
            &ua,
            pb::ListAuditEventsRequest {
                unit_id: other.id.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect_err("audit outside");
    assert_eq!(e.code(), Code::PermissionDenied);
    let audit = AuditServiceClient::new(h.channel.clone())
        .list_audit_events(authed(&ua, pb::ListAuditEventsRequest::default()))
        .await
        .expect("audit")
        .into_inner();
    assert!(
        audit
            .events
            .iter()
            .any(|e| e.action == "account.created" && e.target_id == staff.id)
    );
    assert!(
        audit
            .events
            .iter()
            .all(|e| e.unit_path.starts_with(&dept.path))
    );
    // Data entry cannot create accounts at all.
    let (_, de) = h
        .person(&t, &office.id, "nhaplieu2", "data_entry", &office.id)
        .await;
    assert_eq!(
        h.create_account(&de, &office.id, "ai.do")
            .await
            .expect_err("no right")
            .code(),
        Code::PermissionDenied
    );
}

#[tokio::test]
async fn bad_input_gets_field_errors_and_changes_nothing() {
    let h = start().await;
    let t = h.admin().await;
    let e = h
        .units()
        .create_unit(authed(
            &t,
            pb::CreateUnitRequest {
                unit: Some(pb::Unit {
                    parent_id: h.root_id.clone(),
                    code: "OK".into(),
                    name: "  ".into(),
                    kind: 2,
                    ..Default::default()
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect_err("empty name");
    assert_eq!(e.code(), Code::InvalidArgument);
    let d = detail_of(&e).expect("detail");
    assert_eq!(d.violations[0].field, "unit.name");
    assert!(d.message.contains("không được để trống"), "{}", d.message);
    let e = h
        .units()
        .create_unit(authed(
            &t,
            pb::CreateUnitRequest {
                unit: Some(pb::Unit {
                    parent_id: "khong-co".into(),
                    code: "OK".into(),
                    name: "Tên".into(),
                    kind: 2,
                    ..Default::default()
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect_err("unknown parent");
    assert_eq!(e.code(), Code::NotFound);
    h.create_account(&t, &h.root_id, "trung.ten")
        .await
        .expect("first");
    let e = h
        .create_account(&t, &h.root_id, "trung.ten")
        .await
        .expect_err("taken");
    assert_eq!(e.code(), Code::AlreadyExists);
    assert_eq!(code_of(&e), "USERNAME_TAKEN");
    let mut bad = pb::Account {
        username: "email.sai".into(),
        full_name: "A".into(),
        email: "khong-phai-email".into(),
        unit_id: h.root_id.clone(),
        ..Default::default()
    };
    let e = h
        .accounts()
        .create_account(authed(
            &t,
            pb::CreateAccountRequest {
                account: Some(bad.clone()),
                request_id: String::new(),
            },
        ))
        .await
        .expect_err("email");
    assert_eq!(
        detail_of(&e).expect("d").violations[0].field,
        "account.email"
    );
    bad.email = String::new();
    bad.phone = "123".into();
    let e = h
        .accounts()
        .create_account(authed(
            &t,
            pb::CreateAccountRequest {
                account: Some(bad),
                request_id: String::new(),
            },
        ))
        .await
        .expect_err("phone");
    assert_eq!(code_of(&e), "BAD_PHONE");
    let listed = h
        .accounts()
        .list_accounts(authed(&t, pb::ListAccountsRequest::default()))
        .await
        .expect("list")
        .into_inner();
    assert_eq!(
        listed.accounts.len(),
        2,
        "admin and trung.ten only: failed creates wrote nothing"
    );
    // Stale etag on update.
    let acc = listed
        .accounts
        .iter()
        .find(|a| a.username == "trung.ten")
        .expect("a")
        .clone();
    h.accounts()
        .update_account(authed(
            &t,
            pb::UpdateAccountRequest {
                id: acc.id.clone(),
                position: Some("Chuyên viên".into()),
                etag: acc.etag.clone(),
                ..Default::default()
            },
        ))
        .await
        .expect("update");
    let e = h
        .accounts()
        .update_account(authed(
            &t,
            pb::UpdateAccountRequest {
                id: acc.id.clone(),
                position: Some("Trưởng phòng".into()),
                etag: acc.etag,
                ..Default::default()
            },
        ))
        .await
        .expect_err("stale");
    assert_eq!(e.code(), Code::Aborted);
}

#[tokio::test]
async fn a_disabled_accounts_token_is_rejected_by_another_service() {
    let h = start().await;
    let t = h.admin().await;
    let (id, token) = h
        .person(&t, &h.root_id, "canbo.chuyen", "unit_head", &h.root_id)
        .await;

    // "Another service": its own database, its own verifier fed by identity's events.
    let other_db = tinhso_testkit::database().await;
    tinhso_platform::events::tables::events_only("other_migrations")
        .run(&other_db.db)
        .await
        .expect("migrate");
    let clock: SharedClock = h.clock.clone();
    let verifier = Arc::new(Verifier::new("tinhso", clock.clone()));
    let jwks = h
        .auth()
        .get_jwks(pb::GetJwksRequest {})
        .await
        .expect("jwks")
        .into_inner();
    verifier.set_keys(
        &jwks
            .keys
            .iter()
            .map(|k| tinhso_platform::auth::PublicJwk {
                kid: k.kid.clone(),
                x: k.x.clone(),
            })
            .collect::<Vec<_>>(),
    );
    assert!(verifier.verify(&token).is_ok());
    let spec = ConsumerSpec {
        domain: "identity".into(),
        durable: format!("other-{}", uuid_like()),
        filter: tinhso_platform::auth::REVOKING_EVENTS.into(),
        max_deliver: 5,
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(tinhso_platform::events::run_consumer(
        other_db.db.clone(),
        h.bus.clone(),
        clock,
        spec,
        Arc::new(DenylistHandler {
            verifier: verifier.clone(),
        }),
        tinhso_platform::grpc::wait_for(stopped),
    ));
    h.clock.advance_secs(1);
    h.accounts()
        .disable_account(authed(
            &t,
            pb::AccountActionRequest {
                id: id.clone(),
                reason: "chuyển công tác".into(),
                ..Default::default()
            },
        ))
        .await
        .expect("disable");
    let v = verifier.clone();
    let tok = token.clone();
    assert!(
        tinhso_testkit::eventually(20, move || {
            let v = v.clone();
            let tok = tok.clone();
            async move { v.verify(&tok).is_err() }
        })
        .await,
        "the other service must reject the disabled account's token"
    );
    assert_eq!(
        verifier.verify(&token).expect_err("revoked").code,
        "TOKEN_REVOKED"
    );
    // The denial is persisted: a restarted service still rejects the token.
    let restarted = Verifier::new("tinhso", h.clock.clone());
    restarted.set_keys(
        &jwks
            .keys
            .iter()
            .map(|k| tinhso_platform::auth::PublicJwk {
                kid: k.kid.clone(),
                x: k.x.clone(),
            })
            .collect::<Vec<_>>(),
    );
    restarted.load_denylist(&other_db.db).await.expect("load");
    assert!(restarted.verify(&token).is_err());
    let _ = stop.send(true);
    // Identity itself rejects it at once too.
    let e = h
        .units()
        .get_unit(authed(
            &token,
            pb::GetUnitRequest {
                id: h.root_id.clone(),
            },
        ))
        .await
        .expect_err("revoked here");
    assert_eq!(e.code(), Code::Unauthenticated);
}

fn uuid_like() -> String {
    format!("{:x}", SystemClock.now_ms())
}

#[tokio::test]
async fn service_accounts_log_in_with_client_credentials_only() {
    let h = start().await;
    let t = h.admin().await;
    let created = h
        .accounts()
        .create_account(authed(
            &t,
            pb::CreateAccountRequest {
                account: Some(pb::Account {
                    username: "svc.reporting".into(),
                    full_name: "Dịch vụ tổng hợp báo cáo".into(),
                    unit_id: h.root_id.clone(),
                    kind: 2,
                    ..Default::default()
                }),
                request_id: String::new(),
            },
        ))
        .await
        .expect("create service account")
        .into_inner();
    assert!(
        created.initial_password_expire_time.is_none(),
        "a client secret does not expire"
    );
    let tokens = h
        .auth()
        .service_login(pb::ServiceLoginRequest {
            client_id: "svc.reporting".into(),
            client_secret: created.initial_password.clone(),
        })
        .await
        .expect("service login")
        .into_inner();
    assert!(!tokens.must_change_password);
    let me = h
        .auth()
        .get_me(authed(&tokens.access_token, pb::GetMeRequest {}))
        .await
        .expect("me")
        .into_inner();
    assert_eq!(me.account.expect("account").kind, 2);
    // The person login route does not accept service credentials, nor the other way round.
    assert_eq!(
        h.login("svc.reporting", &created.initial_password)
            .await
            .expect_err("person route")
            .code(),
        Code::Unauthenticated
    );
    let e = h
        .auth()
        .service_login(pb::ServiceLoginRequest {
            client_id: "admin".into(),
            client_secret: NEW_ADMIN_PASSWORD.into(),
        })
        .await
        .expect_err("person on service route");
    assert_eq!(e.code(), Code::Unauthenticated);
}

fn kid_of(token: &str) -> String {
    use base64::Engine as _;
    let header = token.split('.').next().expect("header");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .expect("base64");
    let json: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    json["kid"].as_str().expect("kid").to_string()
}

#[tokio::test]
async fn signing_keys_rotate_without_breaking_valid_tokens() {
    let h = start().await;
    h.admin().await;
    let first = h.login("admin", NEW_ADMIN_PASSWORD).await.expect("login");
    let old_kid = kid_of(&first.access_token);

    // A new key is published at once but does not sign yet.
    let new_kid = Identity::add_signing_key(&h.identity.db, h.clock.now_ms())
        .await
        .expect("add key");
    h.identity.reload_keys().await.expect("reload");
    let jwks = h
        .auth()
        .get_jwks(pb::GetJwksRequest {})
        .await
        .expect("jwks")
        .into_inner();
    let kids: Vec<&str> = jwks.keys.iter().map(|k| k.kid.as_str()).collect();
    assert!(kids.contains(&old_kid.as_str()) && kids.contains(&new_kid.as_str()));
    h.clock.advance_secs(9 * 60);
    let before = h.login("admin", NEW_ADMIN_PASSWORD).await.expect("login");
    assert_eq!(
        kid_of(&before.access_token),
        old_kid,
        "not before the publish delay"
    );

    // After the delay the new key signs; a token of the old key stays valid until retired.
    h.clock.advance_secs(60);
    h.identity.reload_keys().await.expect("reload");
    let after = h.login("admin", NEW_ADMIN_PASSWORD).await.expect("login");
    assert_eq!(kid_of(&after.access_token), new_kid);
    h.auth()
        .get_me(authed(&before.access_token, pb::GetMeRequest {}))
        .await
        .expect("the old key still verifies");

    assert!(
        tinhso_identity::store::tokens::retire_signing_key(&h.identity.db.pool, &old_kid)
            .await
            .expect("retire")
    );
    h.identity.reload_keys().await.expect("reload");
    let status = h
        .auth()
        .get_me(authed(&before.access_token, pb::GetMeRequest {}))
        .await
        .expect_err("a retired key no longer verifies");
    assert_eq!(status.code(), Code::Unauthenticated);
    h.auth()
        .get_me(authed(&after.access_token, pb::GetMeRequest {}))
        .await
        .expect("the new key verifies");
    let jwks = h
        .auth()
        .get_jwks(pb::GetJwksRequest {})
        .await
        .expect("jwks")
        .into_inner();
    assert_eq!(jwks.keys.len(), 1);
}

#[tokio::test]
async fn audit_export_streams_every_matching_event_across_pages() {
    let h = start().await;
    let t = h.admin().await;
    let root_path = format!("/{}/", h.root_id);
    let mut tx = h.identity.db.begin().await.expect("begin");
    for i in 0..1_234 {
        tinhso_identity::store::audit::append(
            &mut tx,
            &tinhso_identity::store::audit::AuditEntry {
                at: h.clock.now_ms(),
                action: "test.bulk".into(),
                target_kind: "unit".into(),
                target_id: format!("u{i}"),
                unit_path: root_path.clone(),
                ..Default::default()
            },
        )
        .await
        .expect("append");
    }
    tx.commit().await.expect("commit");

    let mut stream = AuditServiceClient::new(h.channel.clone())
        .export_audit_events(authed(
            &t,
            pb::ListAuditEventsRequest {
                action: "test.bulk".into(),
                ..Default::default()
            },
        ))
        .await
        .expect("export starts")
        .into_inner();
    let mut bytes = Vec::new();
    let mut chunks = 0;
    while let Some(chunk) = stream.message().await.expect("chunk") {
        if chunks == 0 {
            assert!(chunk.filename.ends_with(".csv"));
            assert_eq!(chunk.content_type, "text/csv; charset=utf-8");
        }
        bytes.extend(chunk.data);
        chunks += 1;
    }
    assert!(chunks >= 3, "streamed in pages, got {chunks} chunk(s)");
    let rows = tinhso_platform::csv::parse(&String::from_utf8(bytes).expect("utf-8")).expect("csv");
    let targets: std::collections::HashSet<&str> =
        rows[1..].iter().map(|r| r[5].as_str()).collect();
    assert_eq!(rows.len() - 1, 1_234, "every event once");
    assert_eq!(targets.len(), 1_234, "no event twice");
}

/// On PostgreSQL every timestamp, boolean, date and JSON column of identity's schema has its
/// native type (`make test-services`; SQLite has no such types to check).
#[tokio::test]
async fn the_postgresql_schema_uses_native_types() {
    if !tinhso_testkit::using_services() {
        return;
    }
    let h = start().await;
    let wrong = tinhso_testkit::schema::columns_of_the_wrong_type(&h.identity.db).await;
    assert!(
        wrong.is_empty(),
        "columns of the wrong type:\n{}",
        wrong.join("\n")
    );
    // Identity's own ids are UUIDs (v7) and stored as such; ids that name something else stay
    // text: another service's record, an audit's actor or target, an idempotency key, events;
    // the audit's own id is its sequence.
    let text_ids = [
        "audit_events.id",
        "accounts.personnel_id",
        "audit_events.actor_id",
        "audit_events.target_id",
        "units.request_id",
        "accounts.request_id",
        "outbox.id",
        "inbox.id",
        "dead_letter.id",
        "token_denylist.account_id",
    ];
    let rows = tinhso_platform::db::query(
        "SELECT table_name, column_name, data_type FROM information_schema.columns \
         WHERE table_schema = current_schema() \
         AND (column_name = 'id' OR right(column_name, 3) = '_id')",
    )
    .fetch_all(&h.identity.db.pool)
    .await
    .expect("columns");
    let mut not_uuid = Vec::new();
    for row in &rows {
        let table: String = row.try_get_by_index(0).expect("table");
        let column: String = row.try_get_by_index(1).expect("column");
        let found: String = row.try_get_by_index(2).expect("type");
        let name = format!("{table}.{column}");
        if found != "uuid" && !text_ids.contains(&name.as_str()) {
            not_uuid.push(format!("{name}: {found}"));
        }
    }
    assert!(rows.len() > text_ids.len(), "the ids were read");
    assert!(
        not_uuid.is_empty(),
        "ids not stored as uuid:\n{}",
        not_uuid.join("\n")
    );
}

#[tokio::test]
async fn a_unit_admin_cannot_take_over_an_account_that_holds_more_than_it() {
    let h = start().await;
    let t = h.admin().await;
    let dept = h.create_unit(&t, &h.root_id, "SNV", "Sở Nội vụ").await;
    let (_, ua) = h
        .person(&t, &dept.id, "qtdv.snv", "unit_admin", &dept.id)
        .await;
    // A provincial leader homed in the department, and an ordinary clerk of it.
    let (leader, leader_token) = h
        .person(
            &t,
            &dept.id,
            "lanhdao.tinh",
            "provincial_leader",
            &h.root_id,
        )
        .await;
    let (clerk, _) = h
        .person(&t, &dept.id, "nhaplieu.snv", "data_entry", &dept.id)
        .await;
    let action = |id: &str| {
        authed(
            &ua,
            pb::AccountActionRequest {
                id: id.into(),
                ..Default::default()
            },
        )
    };
    let outranked = |result: Result<tonic::Status, &str>, what: &str| {
        let status = result.expect(what);
        assert_eq!(status.code(), Code::PermissionDenied, "{what}: {status:?}");
        assert_eq!(code_of(&status), "ACCOUNT_OUTRANKS_CALLER", "{what}");
    };
    let mut accounts = h.accounts();
    outranked(
        accounts
            .reset_password(action(&leader))
            .await
            .map(|_| "reset")
            .err()
            .ok_or("reset"),
        "reset the leader's password",
    );
    outranked(
        accounts
            .disable_account(action(&leader))
            .await
            .err()
            .ok_or("disable"),
        "disable the leader",
    );
    outranked(
        accounts
            .enable_account(action(&leader))
            .await
            .err()
            .ok_or("enable"),
        "enable the leader",
    );
    outranked(
        accounts
            .unlock_account(action(&leader))
            .await
            .err()
            .ok_or("unlock"),
        "unlock the leader",
    );
    outranked(
        accounts
            .update_account(authed(
                &ua,
                pb::UpdateAccountRequest {
                    id: leader.clone(),
                    email: Some("ke.gian@example.com".into()),
                    ..Default::default()
                },
            ))
            .await
            .err()
            .ok_or("update"),
        "update the leader",
    );
    // The leader's token and password are untouched.
    h.auth()
        .get_me(authed(&leader_token, pb::GetMeRequest {}))
        .await
        .expect("the leader's token still works");
    // The clerk holds nothing the unit admin lacks: the admin resets its password.
    let reset = accounts
        .reset_password(action(&clerk))
        .await
        .expect("reset the clerk")
        .into_inner();
    assert!(!reset.initial_password.is_empty());
    // The system admin may act on the leader.
    h.accounts()
        .unlock_account(authed(
            &t,
            pb::AccountActionRequest {
                id: leader,
                ..Default::default()
            },
        ))
        .await
        .expect("the system admin unlocks the leader");
}

#[tokio::test]
async fn an_invented_forwarded_address_buys_no_fresh_login_budget() {
    let h = start_with(&[("TINHSO_LOGIN_RATE__MAX_ATTEMPTS", "3")]).await;
    // The server trusts no proxy (the default): each caller below claims another address.
    let login = |forwarded: String| {
        let mut auth = h.auth();
        async move {
            let mut request = tonic::Request::new(pb::LoginRequest {
                username: "ai-do".into(),
                password: "mat khau nao do".into(),
            });
            request
                .metadata_mut()
                .insert("x-forwarded-for", forwarded.parse().expect("header"));
            auth.login(request).await
        }
    };
    for i in 0..3 {
        let refused = login(format!("203.0.113.{i}"))
            .await
            .expect_err("bad password");
        assert_eq!(refused.code(), Code::Unauthenticated);
    }
    let limited = login("198.51.100.77".into())
        .await
        .expect_err("the same caller, whatever it claims");
    assert_eq!(limited.code(), Code::ResourceExhausted);
    // Nor does the header's text reach the audit trail.
    let t = {
        h.clock.advance_secs(61);
        h.admin().await
    };
    let _ = login("<script>alert(1)</script>".into()).await;
    let events = AuditServiceClient::new(h.channel.clone())
        .list_audit_events(authed(&t, pb::ListAuditEventsRequest::default()))
        .await
        .expect("audit")
        .into_inner()
        .events;
    assert!(!events.is_empty());
    assert!(events.iter().any(|e| e.client_address == "127.0.0.1"));
    for e in &events {
        assert!(
            !e.client_address.contains("script")
                && !e.client_address.starts_with("203.")
                && !e.client_address.starts_with("198."),
            "{:?}",
            e.client_address
        );
    }
}

#[tokio::test]
async fn any_signed_in_person_finds_open_units_in_the_directory() {
    let h = start().await;
    let admin = h.admin().await;
    let districts = h
        .province()
        .two_districts(&admin, &h.root_id, ["CAOLANH", "LAPVO"], "data_entry")
        .await;
    let closing = h
        .create_unit(&admin, &h.root_id, "LAPVOCU", "Huyện Lấp Vò cũ")
        .await;
    h.units()
        .close_unit(authed(
            &admin,
            pb::CloseUnitRequest {
                id: closing.id.clone(),
                valid_to: None,
                etag: closing.etag.clone(),
            },
        ))
        .await
        .expect("close");
    let find = |token: String, query: &str| {
        let mut client = h.units();
        let query = query.to_string();
        async move {
            client
                .find_units(authed(
                    &token,
                    pb::FindUnitsRequest {
                        query,
                        page_size: 0,
                    },
                ))
                .await
        }
    };
    // A data-entry clerk of Cao Lãnh reads nothing of Lấp Vò's subtree, yet finds it to send a
    // record there: by its name without diacritics, and by its code.
    let clerk = districts.clerk.token.clone();
    let denied = h
        .units()
        .get_unit(authed(
            &clerk,
            pb::GetUnitRequest {
                id: districts.theirs.id.clone(),
            },
        ))
        .await
        .expect_err("not theirs to read");
    assert_eq!(denied.code(), Code::PermissionDenied);
    let by_name = find(clerk.clone(), "don vi lap")
        .await
        .expect("find")
        .into_inner()
        .units;
    assert_eq!(
        by_name.iter().map(|u| u.code.as_str()).collect::<Vec<_>>(),
        vec!["LAPVO"],
        "the closed unit is not offered"
    );
    assert_eq!(by_name[0].id, districts.theirs.id);
    assert!(!by_name[0].parent_name.is_empty());
    let by_code = find(clerk.clone(), "lapv")
        .await
        .expect("find")
        .into_inner();
    assert_eq!(by_code.units.len(), 1);
    let short = find(clerk.clone(), "L").await.expect_err("too short");
    assert_eq!(short.code(), Code::InvalidArgument);
    assert_eq!(code_of(&short), "REQUIRED");
    let anonymous = h
        .units()
        .find_units(pb::FindUnitsRequest {
            query: "LAPVO".into(),
            page_size: 0,
        })
        .await
        .expect_err("signed in only");
    assert_eq!(anonymous.code(), Code::Unauthenticated);
}

/// A database bootstrapped by an earlier release gets this release's built-in roles at start:
/// Finance's salary role no longer reads whole records, and Home Affairs' role no longer writes
/// Finance's salary data (QĐ 80/2020 Điều 8.2). Custom roles are left alone.
#[tokio::test]
async fn built_in_roles_follow_the_release_and_custom_roles_are_kept() {
    use sea_orm::ConnectionTrait as _;
    let h = start().await;
    let admin = h.admin().await;
    h.access()
        .create_role(authed(
            &admin,
            pb::CreateRoleRequest {
                role: Some(pb::Role {
                    code: "tra_cuu".into(),
                    name: "Tra cứu hồ sơ".into(),
                    permissions: vec!["personnel.record.read".into()],
                    ..Default::default()
                }),
            },
        ))
        .await
        .expect("a custom role");
    // As an earlier release left them.
    for (code, permissions) in [
        (
            "salary_manager",
            r#"["identity.unit.read", "personnel.record.read", "personnel.salary.write"]"#,
        ),
        (
            "personnel_admin",
            r#"["identity.unit.read", "personnel.*.*"]"#,
        ),
    ] {
        h.identity
            .db
            .pool
            .execute_unprepared(&format!(
                "UPDATE roles SET permissions = '{permissions}' WHERE code = '{code}'"
            ))
            .await
            .expect("an older definition");
    }
    h.identity.bootstrap().await.expect("the next start");
    let roles = h
        .access()
        .list_roles(authed(&admin, pb::ListRolesRequest::default()))
        .await
        .expect("roles")
        .into_inner()
        .roles;
    let permissions = |code: &str| {
        roles
            .iter()
            .find(|r| r.code == code)
            .map(|r| r.permissions.clone())
            .unwrap_or_default()
    };
    let finance = permissions("salary_manager");
    assert!(finance.contains(&"personnel.salary.read".to_string()));
    assert!(!finance.iter().any(|p| p.starts_with("personnel.record")));
    let home_affairs = permissions("personnel_admin");
    assert!(home_affairs.contains(&"personnel.record.*".to_string()));
    assert!(
        !home_affairs
            .iter()
            .any(|p| p == "personnel.salary.write" || p == "personnel.*.*"),
        "{home_affairs:?}"
    );
    assert_eq!(permissions("tra_cuu"), vec!["personnel.record.read"]);
}
