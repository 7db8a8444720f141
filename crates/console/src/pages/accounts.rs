//! Accounts of the administrator's subtree: list and search, create (showing the one-time
//! password once), and on an account: disable (after confirmation), enable, unlock, reset the
//! password (after confirmation, showing the new one once), and its grants.

use crate::web::{Confirm, Ctx, Errors, Failure, encode, holds, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tinhso_proto::identity::v1 as pb;
use tinhso_proto::identity::v1::access_service_client::AccessServiceClient;
use tinhso_proto::identity::v1::account_service_client::AccountServiceClient;

pub struct AccountRow {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    page: crate::web::Page,
    accounts: Vec<AccountRow>,
    query: String,
    status: String,
    can_create: bool,
    next_href: String,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: String,
}

pub async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> Response {
    let status = match q.status.as_str() {
        "active" => pb::AccountStatus::Active as i32,
        "disabled" => pb::AccountStatus::Disabled as i32,
        _ => 0,
    };
    let reply = AccountServiceClient::new(ctx.console.identity.clone())
        .list_accounts(ctx.request(pb::ListAccountsRequest {
            query: q.q.clone(),
            status,
            page_size: 50,
            page_token: q.page.clone(),
            ..Default::default()
        }))
        .await;
    let reply = match reply {
        Ok(r) => r.into_inner(),
        Err(status) => return Failure::of(&status, ctx.page.lang).page(&ctx.page),
    };
    let next_href = if reply.next_page_token.is_empty() {
        String::new()
    } else {
        format!(
            "/tai-khoan?q={}&status={}&page={}",
            encode(&q.q),
            encode(&q.status),
            encode(&reply.next_page_token)
        )
    };
    render(&AccountsPage {
        can_create: holds(&ctx.principal, "identity.account.create"),
        page: ctx.page.crumbs(&[(None, "Tài khoản", "Accounts")]),
        accounts: reply
            .accounts
            .into_iter()
            .map(|a| AccountRow {
                active: a.status == pb::AccountStatus::Active as i32,
                id: a.id,
                username: a.username,
                full_name: a.full_name,
            })
            .collect(),
        query: q.q,
        status: q.status,
        next_href,
    })
}

/// A text field of the create form.
pub struct TextField {
    pub name: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "account_new.html")]
struct NewAccountPage {
    page: crate::web::Page,
    errors: Errors,
    request_id: String,
    fields: Vec<TextField>,
    units: Vec<(String, String)>,
    unit_id: String,
    /// Set when the account is made for the person of a personnel record.
    personnel_id: String,
    record_name: String,
}

#[derive(Deserialize, Default)]
pub struct NewAccountForm {
    /// The personnel record the account is for: it is linked to it, and the person may read
    /// their own record.
    #[serde(default)]
    personnel_id: String,
    #[serde(default)]
    request_id: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    unit_id: String,
}

async fn new_page(ctx: Ctx, form: NewAccountForm, errors: Errors) -> Response {
    let units = match crate::pages::units::tree(&ctx, false).await {
        Ok(units) => units.into_iter().map(|u| (u.id, u.name)).collect(),
        Err(failure) => return failure.page(&ctx.page),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let field = |name, vi, en, value: &str| TextField {
        name,
        vi,
        en,
        value: value.to_string(),
    };
    let body = NewAccountPage {
        page: ctx.page.crumbs(&[
            (Some("/tai-khoan"), "Tài khoản", "Accounts"),
            (None, "Thêm tài khoản", "Add an account"),
        ]),
        errors,
        request_id: if form.request_id.is_empty() {
            uuid::Uuid::new_v4().to_string()
        } else {
            form.request_id.clone()
        },
        fields: vec![
            field("username", "Tên đăng nhập", "Username", &form.username),
            field("full_name", "Họ và tên", "Full name", &form.full_name),
            field("position", "Chức vụ", "Position", &form.position),
            field("email", "Thư điện tử", "Email", &form.email),
            field("phone", "Điện thoại", "Phone", &form.phone),
        ],
        units,
        unit_id: form.unit_id,
        record_name: if form.personnel_id.is_empty() {
            String::new()
        } else {
            form.full_name.clone()
        },
        personnel_id: form.personnel_id,
    };
    (status, render(&body)).into_response()
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    ho_so: String,
}

/// The create form; from a personnel record (`?ho_so=<id>`), filled in with the person's name,
/// unit and position.
pub async fn new_form(
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<NewQuery>,
) -> Response {
    let mut form = NewAccountForm::default();
    if !q.ho_so.is_empty() {
        let record =
            tinhso_proto::personnel::v1::employee_service_client::EmployeeServiceClient::new(
                ctx.console.personnel.clone(),
            )
            .get_employee(
                ctx.request(tinhso_proto::personnel::v1::GetEmployeeRequest {
                    id: q.ho_so.clone(),
                }),
            )
            .await;
        match record {
            Ok(r) => {
                let e = r.into_inner();
                form.personnel_id = e.id;
                form.full_name = e.full_name;
                form.position = e.position;
                form.email = e.email;
                form.phone = e.phone;
                form.unit_id = e.unit_id;
            }
            Err(status) => return Failure::of(&status, ctx.page.lang).page(&ctx.page),
        }
    }
    new_page(ctx, form, Errors::default()).await
}

#[derive(Template)]
#[template(path = "account_secret.html")]
struct SecretPage {
    page: crate::web::Page,
    heading_vi: &'static str,
    heading_en: &'static str,
    id: String,
    username: String,
    secret: String,
    /// For an account made from a record: whether the person may now read their own record.
    self_service: Option<bool>,
}

/// Lets the account read its own personnel record (the built-in self-service role); false
/// when the administrator may not grant it.
async fn grant_self_service(ctx: &Ctx, account_id: &str) -> bool {
    let mut access = AccessServiceClient::new(ctx.console.identity.clone());
    let Ok(roles) = access
        .list_roles(ctx.request(pb::ListRolesRequest {}))
        .await
    else {
        return false;
    };
    let Some(role) = roles
        .into_inner()
        .roles
        .into_iter()
        .find(|r| r.code == "employee_self_service")
    else {
        return false;
    };
    access
        .create_grant(ctx.request(pb::CreateGrantRequest {
            account_id: account_id.to_string(),
            role_id: role.id,
            scope: pb::GrantScope::Self_ as i32,
            scope_unit_id: String::new(),
        }))
        .await
        .is_ok()
}

pub async fn create(ctx: Ctx, Form(f): Form<NewAccountForm>) -> Response {
    let reply = AccountServiceClient::new(ctx.console.identity.clone())
        .create_account(ctx.request(pb::CreateAccountRequest {
            account: Some(pb::Account {
                username: f.username.clone(),
                full_name: f.full_name.clone(),
                position: f.position.clone(),
                email: f.email.clone(),
                phone: f.phone.clone(),
                unit_id: f.unit_id.clone(),
                personnel_id: f.personnel_id.clone(),
                ..Default::default()
            }),
            request_id: f.request_id.clone(),
        }))
        .await;
    match reply {
        Ok(r) => {
            let r = r.into_inner();
            let account = r.account.unwrap_or_default();
            let self_service = if f.personnel_id.is_empty() || r.initial_password.is_empty() {
                None
            } else {
                Some(grant_self_service(&ctx, &account.id).await)
            };
            let body = SecretPage {
                page: ctx.page.crumbs(&[
                    (Some("/tai-khoan"), "Tài khoản", "Accounts"),
                    (None, "Thêm tài khoản", "Add an account"),
                ]),
                heading_vi: "Đã tạo tài khoản",
                heading_en: "Account created",
                id: account.id,
                username: account.username,
                secret: r.initial_password,
                self_service,
            };
            (StatusCode::CREATED, render(&body)).into_response()
        }
        Err(status) => match Failure::of(&status, ctx.page.lang) {
            Failure::Fields(errors) => new_page(ctx, f, Errors(errors)).await,
            other => other.page(&ctx.page),
        },
    }
}

pub struct GrantView {
    pub id: String,
    pub role: String,
    pub scope: String,
}

pub struct RoleOption {
    pub id: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: crate::web::Page,
    account: pb::Account,
    active: bool,
    unit_name: String,
    grants: Vec<GrantView>,
    done: Option<String>,
    errors: Errors,
    can_grant: bool,
    roles: Vec<RoleOption>,
    units: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    done: Option<String>,
}

async fn account_page(ctx: Ctx, id: &str, done: Option<String>, errors: Errors) -> Response {
    let account = match AccountServiceClient::new(ctx.console.identity.clone())
        .get_account(ctx.request(pb::GetAccountRequest { id: id.to_string() }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(status) => return Failure::of(&status, ctx.page.lang).page(&ctx.page),
    };
    let units = crate::pages::units::tree(&ctx, true)
        .await
        .unwrap_or_default();
    let name_of = |unit_id: &str| {
        units
            .iter()
            .find(|u| u.id == unit_id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let grants = match AccessServiceClient::new(ctx.console.identity.clone())
        .list_grants(ctx.request(pb::ListGrantsRequest {
            account_id: id.to_string(),
        }))
        .await
    {
        Ok(r) => r
            .into_inner()
            .grants
            .into_iter()
            .map(|g| {
                let scope = if g.scope == pb::GrantScope::Self_ as i32 {
                    ctx.page
                        .t("Hồ sơ của chính mình", "Their own record")
                        .to_string()
                } else {
                    name_of(&g.scope_unit_id)
                };
                GrantView {
                    id: g.id,
                    role: g.role_code,
                    scope,
                }
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    let can_grant = holds(&ctx.principal, "identity.grant.create");
    let roles = if can_grant {
        AccessServiceClient::new(ctx.console.identity.clone())
            .list_roles(ctx.request(pb::ListRolesRequest {}))
            .await
            .map(|r| {
                r.into_inner()
                    .roles
                    .into_iter()
                    .map(|r| RoleOption {
                        label: format!("{} ({})", r.name, r.code),
                        id: r.id,
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let unit_options: Vec<(String, String)> = units
        .iter()
        .filter(|u| u.status == pb::UnitStatus::Active as i32)
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    let body = AccountPage {
        active: account.status == pb::AccountStatus::Active as i32,
        unit_name: name_of(&account.unit_id),
        page: ctx.page.crumbs(&[
            (Some("/tai-khoan"), "Tài khoản", "Accounts"),
            (None, "Chi tiết", "Details"),
        ]),
        account,
        grants,
        done,
        errors,
        can_grant,
        roles,
        units: unit_options,
    };
    (status, render(&body)).into_response()
}

pub async fn show(ctx: Ctx, Path(id): Path<String>, Query(q): Query<ShowQuery>) -> Response {
    let done = q.done.map(|d| {
        match d.as_str() {
            "disabled" => ctx
                .page
                .t("Đã thu hồi tài khoản.", "The account is disabled."),
            "enabled" => ctx
                .page
                .t("Đã kích hoạt lại tài khoản.", "The account is enabled."),
            "unlocked" => ctx.page.t("Đã mở khóa đăng nhập.", "Sign-in is unlocked."),
            "granted" => ctx.page.t("Đã giao quyền.", "The role is granted."),
            "revoked" => ctx.page.t("Đã bỏ quyền.", "The grant is removed."),
            _ => "",
        }
        .to_string()
    });
    account_page(ctx, &id, done.filter(|d| !d.is_empty()), Errors::default()).await
}

/// An irreversible action asks first, on a page of its own.
async fn confirm(ctx: Ctx, id: String, disable: bool) -> Response {
    let account = match AccountServiceClient::new(ctx.console.identity.clone())
        .get_account(ctx.request(pb::GetAccountRequest { id: id.clone() }))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(status) => return Failure::of(&status, ctx.page.lang).page(&ctx.page),
    };
    let (title, question, button, action) = if disable {
        (
            ("Thu hồi tài khoản", "Disable the account"),
            (
                "Thu hồi tài khoản thì người dùng không đăng nhập được nữa và mọi phiên đang mở bị chấm dứt. Thu hồi",
                "A disabled account cannot sign in and its open sessions end. Disable",
            ),
            ("Thu hồi", "Disable"),
            "thu-hoi",
        )
    } else {
        (
            ("Cấp lại mật khẩu", "Reset the password"),
            (
                "Mật khẩu hiện tại sẽ hết hiệu lực và một mật khẩu dùng một lần mới được cấp. Cấp lại mật khẩu cho",
                "The current password stops working and a new one-time password is issued. Reset the password of",
            ),
            ("Cấp lại mật khẩu", "Reset password"),
            "dat-lai-mat-khau",
        )
    };
    let back = format!("/tai-khoan/{id}");
    render(&Confirm {
        page: ctx.page.crumbs(&[
            (Some("/tai-khoan"), "Tài khoản", "Accounts"),
            (None, title.0, title.1),
        ]),
        title_vi: title.0,
        title_en: title.1,
        question_vi: question.0,
        question_en: question.1,
        button_vi: button.0,
        button_en: button.1,
        subject: format!("{} ({})", account.full_name, account.username),
        action: format!("/tai-khoan/{id}/{action}"),
        etag: account.etag,
        back,
        ask_reason: disable,
    })
}

pub async fn confirm_disable(ctx: Ctx, Path(id): Path<String>) -> Response {
    confirm(ctx, id, true).await
}

pub async fn confirm_reset(ctx: Ctx, Path(id): Path<String>) -> Response {
    confirm(ctx, id, false).await
}

#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    etag: String,
    #[serde(default)]
    reason: String,
}

/// Disable, enable or unlock; back to the account saying what was done, or why not.
async fn act(ctx: Ctx, id: String, form: ActionForm, action: &'static str) -> Response {
    let request = ctx.request(pb::AccountActionRequest {
        id: id.clone(),
        reason: form.reason,
        etag: form.etag,
    });
    let mut client = AccountServiceClient::new(ctx.console.identity.clone());
    let reply = match action {
        "disabled" => client.disable_account(request).await,
        "enabled" => client.enable_account(request).await,
        _ => client.unlock_account(request).await,
    };
    match reply {
        Ok(_) => Redirect::to(&format!("/tai-khoan/{id}?done={action}")).into_response(),
        Err(status) => match Failure::of(&status, ctx.page.lang) {
            // A stale etag, one's own account: said on the account's page.
            Failure::Fields(errors) => account_page(ctx, &id, None, Errors(errors)).await,
            other => other.page(&ctx.page),
        },
    }
}

pub async fn disable(ctx: Ctx, Path(id): Path<String>, Form(f): Form<ActionForm>) -> Response {
    act(ctx, id, f, "disabled").await
}

pub async fn enable(ctx: Ctx, Path(id): Path<String>, Form(f): Form<ActionForm>) -> Response {
    act(ctx, id, f, "enabled").await
}

pub async fn unlock(ctx: Ctx, Path(id): Path<String>, Form(f): Form<ActionForm>) -> Response {
    act(ctx, id, f, "unlocked").await
}

pub async fn reset(ctx: Ctx, Path(id): Path<String>, Form(f): Form<ActionForm>) -> Response {
    let reply = AccountServiceClient::new(ctx.console.identity.clone())
        .reset_password(ctx.request(pb::AccountActionRequest {
            id: id.clone(),
            reason: String::new(),
            etag: f.etag,
        }))
        .await;
    match reply {
        Ok(r) => {
            let r = r.into_inner();
            let account = r.account.unwrap_or_default();
            render(&SecretPage {
                page: ctx.page.crumbs(&[
                    (Some("/tai-khoan"), "Tài khoản", "Accounts"),
                    (None, "Cấp lại mật khẩu", "Reset the password"),
                ]),
                heading_vi: "Đã cấp lại mật khẩu",
                heading_en: "Password reset",
                id: account.id,
                username: account.username,
                secret: r.initial_password,
                self_service: None,
            })
        }
        Err(status) => match Failure::of(&status, ctx.page.lang) {
            Failure::Fields(errors) => account_page(ctx, &id, None, Errors(errors)).await,
            other => other.page(&ctx.page),
        },
    }
}

#[derive(Deserialize, Default)]
pub struct GrantForm {
    #[serde(default)]
    role_id: String,
    /// `unit` (over the chosen unit's subtree) or `self` (the account's own record).
    #[serde(default)]
    scope: String,
    #[serde(default)]
    scope_unit_id: String,
}

/// Grants a role; identity refuses one beyond what the administrator holds or outside their
/// subtree, and the refusal is shown in its words.
pub async fn grant(ctx: Ctx, Path(id): Path<String>, Form(f): Form<GrantForm>) -> Response {
    let own_record = f.scope == "self";
    let reply = AccessServiceClient::new(ctx.console.identity.clone())
        .create_grant(ctx.request(pb::CreateGrantRequest {
            account_id: id.clone(),
            role_id: f.role_id,
            scope: if own_record {
                pb::GrantScope::Self_ as i32
            } else {
                pb::GrantScope::Unit as i32
            },
            scope_unit_id: if own_record {
                String::new()
            } else {
                f.scope_unit_id
            },
        }))
        .await;
    match reply {
        Ok(_) => Redirect::to(&format!("/tai-khoan/{id}?done=granted")).into_response(),
        Err(status) => match Failure::of(&status, ctx.page.lang) {
            Failure::Fields(errors) => account_page(ctx, &id, None, Errors(errors)).await,
            other => other.page(&ctx.page),
        },
    }
}

pub async fn revoke(ctx: Ctx, Path((id, grant_id)): Path<(String, String)>) -> Response {
    let reply = AccessServiceClient::new(ctx.console.identity.clone())
        .delete_grant(ctx.request(pb::DeleteGrantRequest {
            account_id: id.clone(),
            grant_id,
        }))
        .await;
    match reply {
        Ok(_) => Redirect::to(&format!("/tai-khoan/{id}?done=revoked")).into_response(),
        Err(status) => Failure::of(&status, ctx.page.lang).page(&ctx.page),
    }
}
