//! Roles: what each built-in and custom role may do, in plain words; the system administrator
//! composes a custom role from the registered permissions (identity keeps the rules: who may
//! create one, and that a grant never exceeds what its grantor holds).

use crate::web::{Ctx, Errors, Failure, FieldError, Page, holds, render};
use askama::Template;
use axum::Form;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tinhso_proto::identity::v1 as pb;
use tinhso_proto::identity::v1::access_service_client::AccessServiceClient;

pub struct RoleView {
    pub code: String,
    pub name: String,
    pub builtin: bool,
    /// Each permission with its description.
    pub permissions: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "roles.html")]
struct RolesPage {
    page: Page,
    roles: Vec<RoleView>,
    permissions: Vec<pb::Permission>,
    can_create: bool,
    code: String,
    name: String,
    chosen: Vec<String>,
    errors: Errors,
}

async fn roles_page(
    ctx: Ctx,
    code: String,
    name: String,
    chosen: Vec<String>,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let mut client = AccessServiceClient::new(ctx.console.identity.clone());
    let (roles, permissions) = match (
        client
            .list_roles(ctx.request(pb::ListRolesRequest {}))
            .await,
        client
            .list_permissions(ctx.request(pb::ListPermissionsRequest {}))
            .await,
    ) {
        (Ok(r), Ok(p)) => (r.into_inner().roles, p.into_inner().permissions),
        (Err(s), _) | (_, Err(s)) => return Failure::of(&s, ctx.page.lang).page(&ctx.page),
    };
    let describe = |name: &str| {
        permissions
            .iter()
            .find(|p| p.name == name)
            .map_or_else(|| name.to_string(), |p| p.description.clone())
    };
    let roles = roles
        .into_iter()
        .map(|r| RoleView {
            permissions: r
                .permissions
                .iter()
                .map(|p| (p.clone(), describe(p)))
                .collect(),
            code: r.code,
            name: r.name,
            builtin: r.builtin,
        })
        .collect();
    let body = RolesPage {
        can_create: holds(&ctx.principal, "identity.role.create"),
        page: ctx.page.crumbs(&[
            (Some("/tai-khoan"), "Tài khoản", "Accounts"),
            (None, "Vai trò", "Roles"),
        ]),
        roles,
        permissions,
        code,
        name,
        chosen,
        errors,
    };
    (status, render(&body)).into_response()
}

pub async fn list(ctx: Ctx) -> Response {
    roles_page(
        ctx,
        String::new(),
        String::new(),
        Vec::new(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

/// The role form: a code, a name and the ticked permissions (`permission` repeated).
pub async fn create(ctx: Ctx, Form(fields): Form<Vec<(String, String)>>) -> Response {
    let value = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let (code, name) = (value("code"), value("name"));
    let chosen: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "permission")
        .map(|(_, v)| v.clone())
        .collect();
    if chosen.is_empty() {
        let errors = Errors(vec![FieldError {
            field: "permissions".into(),
            message: ctx
                .page
                .t(
                    "Hãy chọn ít nhất một quyền cho vai trò.",
                    "Choose at least one permission for the role.",
                )
                .to_string(),
        }]);
        return roles_page(ctx, code, name, chosen, errors, StatusCode::BAD_REQUEST).await;
    }
    let reply = AccessServiceClient::new(ctx.console.identity.clone())
        .create_role(ctx.request(pb::CreateRoleRequest {
            role: Some(pb::Role {
                code: code.clone(),
                name: name.clone(),
                permissions: chosen.clone(),
                ..Default::default()
            }),
        }))
        .await;
    match reply {
        Ok(_) => Redirect::to("/tai-khoan/vai-tro").into_response(),
        Err(s) => match Failure::of(&s, ctx.page.lang) {
            Failure::Fields(errors) => {
                roles_page(
                    ctx,
                    code,
                    name,
                    chosen,
                    Errors(errors),
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
            other => other.page(&ctx.page),
        },
    }
}
