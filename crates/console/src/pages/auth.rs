//! Signing in (identity's Login), the first-login password change, signing out, the language
//! switch, and the token refresh the session does on the server.

use crate::Console;
use crate::sessions::{self, Tokens};
use crate::web::{
    self, Ctx, Errors, Failure, FieldError, LANG_COOKIE, Lang, PRE_SESSION_COOKIE, Page,
    SESSION_COOKIE, cookie, render, safe_next, set_cookie,
};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tinhso_proto::identity::v1 as pb;
use tinhso_proto::identity::v1::auth_service_client::AuthServiceClient;

fn tokens_of(r: pb::TokenResponse) -> Tokens {
    Tokens {
        access_token: r.access_token,
        refresh_token: r.refresh_token,
        expires_in_secs: i64::from(r.expires_in),
        must_change_password: r.must_change_password,
    }
}

/// Who signed in, for the page header (a name is not worth failing a sign-in for: without an
/// answer, the username).
async fn person_of(console: &Console, token: &str, username: &str) -> sessions::Person {
    match AuthServiceClient::new(console.identity.clone())
        .get_me(web::with_token(
            token,
            pb::GetMeRequest {},
            console.config.request_timeout_ms,
        ))
        .await
    {
        Ok(me) => {
            let me = me.into_inner();
            sessions::Person {
                display_name: me.account.map(|a| a.full_name).unwrap_or_default(),
                unit_name: me.unit.map(|u| u.name).unwrap_or_default(),
            }
        }
        Err(_) => sessions::Person {
            display_name: username.to_string(),
            unit_name: String::new(),
        },
    }
}

/// New tokens for a session's refresh token (identity rotates it).
pub async fn refresh(console: &Console, refresh_token: &str) -> Result<Tokens, Failure> {
    AuthServiceClient::new(console.identity.clone())
        .refresh(pb::RefreshRequest {
            refresh_token: refresh_token.to_string(),
        })
        .await
        .map(|r| tokens_of(r.into_inner()))
        .map_err(|status| Failure::of(&status, Lang::Vi))
}

#[derive(Template)]
#[template(path = "login.html")]
struct SignInPage {
    page: Page,
    errors: Errors,
    next: String,
    username: String,
    expired: bool,
}

#[derive(Deserialize, Default)]
pub struct SignInQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    expired: Option<String>,
}

/// The pre-session CSRF token of this browser, or a new one to set.
fn pre_session(console: &Console, headers: &HeaderMap) -> (String, Option<header::HeaderValue>) {
    match cookie(headers, PRE_SESSION_COOKIE) {
        Some(token) if token.len() >= 32 => (token, None),
        _ => {
            let token = sessions::random_token();
            let set = set_cookie(console, PRE_SESSION_COOKIE, &token, None);
            (token, Some(set))
        }
    }
}

fn sign_in_page(
    console: &Console,
    headers: &HeaderMap,
    next: &str,
    username: &str,
    errors: Errors,
    expired: bool,
    status: axum::http::StatusCode,
) -> Response {
    let (csrf, set) = pre_session(console, headers);
    let page = Page::new(Lang::of(headers), &csrf, "/dang-nhap");
    let body = render(&SignInPage {
        page,
        errors,
        next: safe_next(next),
        username: username.to_string(),
        expired,
    });
    let mut response = (status, body).into_response();
    if let Some(set) = set {
        response.headers_mut().append(header::SET_COOKIE, set);
    }
    response
}

pub async fn sign_in_form(
    State(console): State<Console>,
    headers: HeaderMap,
    Query(q): Query<SignInQuery>,
) -> Response {
    sign_in_page(
        &console,
        &headers,
        &q.next,
        "",
        Errors::default(),
        q.expired.is_some(),
        axum::http::StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn sign_in(
    State(console): State<Console>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let lang = Lang::of(&headers);
    let t = |vi: &str, en: &str| match lang {
        Lang::Vi => vi.to_string(),
        Lang::En => en.to_string(),
    };
    let mut missing = Vec::new();
    if form.username.trim().is_empty() {
        missing.push(FieldError {
            field: "username".into(),
            message: t("Nhập tên đăng nhập", "Enter your username"),
        });
    }
    if form.password.is_empty() {
        missing.push(FieldError {
            field: "password".into(),
            message: t("Nhập mật khẩu", "Enter your password"),
        });
    }
    let bad = axum::http::StatusCode::BAD_REQUEST;
    if !missing.is_empty() {
        return sign_in_page(
            &console,
            &headers,
            &form.next,
            &form.username,
            Errors(missing),
            false,
            bad,
        );
    }
    // Behind a trusted ingress, the client's address goes on to identity's rate limit and
    // audit trail (identity believes it only from its trusted proxies).
    let mut request = tonic::Request::new(pb::LoginRequest {
        username: form.username.trim().to_string(),
        password: form.password.clone(),
    });
    if console.config.trust_forwarded_for
        && let Some(addr) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok())
            .and_then(|ip| ip.to_string().parse().ok())
    {
        request.metadata_mut().insert("x-forwarded-for", addr);
    }
    let reply = AuthServiceClient::new(console.identity.clone())
        .login(request)
        .await;
    let tokens = match reply {
        Ok(r) => tokens_of(r.into_inner()),
        Err(status) => {
            let message = match Failure::of(&status, lang) {
                Failure::Unavailable => {
                    return web::unavailable(&Page::new(lang, "", "/dang-nhap"));
                }
                // Wrong password, locked, too many attempts: identity's own words.
                _ => tinhso_platform::error::detail_of(&status)
                    .map(|d| match lang {
                        Lang::Vi => d.message,
                        Lang::En => d.message_en,
                    })
                    .unwrap_or_else(|| t("Không đăng nhập được", "Could not sign in")),
            };
            let errors = vec![FieldError {
                field: "password".into(),
                message,
            }];
            let status = if status.code() == tonic::Code::ResourceExhausted {
                axum::http::StatusCode::TOO_MANY_REQUESTS
            } else {
                axum::http::StatusCode::UNAUTHORIZED
            };
            return sign_in_page(
                &console,
                &headers,
                &form.next,
                &form.username,
                Errors(errors),
                false,
                status,
            );
        }
    };
    let person = person_of(&console, &tokens.access_token, form.username.trim()).await;
    let now = console.clock.now_ms();
    let cookie_value = match sessions::create(&console.db, &tokens, &person, now).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "cannot store the session");
            return web::unavailable(&Page::new(lang, "", "/dang-nhap"));
        }
    };
    let target = if tokens.must_change_password {
        "/doi-mat-khau".to_string()
    } else {
        safe_next(&form.next)
    };
    let mut response = Redirect::to(&target).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&console, SESSION_COOKIE, &cookie_value, None),
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&console, PRE_SESSION_COOKIE, "", Some(0)),
    );
    response
}

#[derive(Template)]
#[template(path = "change_password.html")]
struct PasswordPage {
    page: Page,
    errors: Errors,
    first: bool,
}

pub async fn password_form(ctx: Ctx) -> Response {
    let first = ctx.session.must_change_password;
    let page = ctx
        .page
        .crumbs(&[(None, "Đổi mật khẩu", "Change password")]);
    render(&PasswordPage {
        page,
        errors: Errors::default(),
        first,
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

pub async fn change_password(ctx: Ctx, Form(form): Form<PasswordForm>) -> Response {
    let reply = AuthServiceClient::new(ctx.console.identity.clone())
        .change_password(ctx.request(pb::ChangePasswordRequest {
            current_password: form.current_password,
            new_password: form.new_password,
        }))
        .await;
    match reply {
        Ok(r) => {
            let tokens = tokens_of(r.into_inner());
            let now = ctx.console.clock.now_ms();
            if let Err(e) =
                sessions::replace_tokens(&ctx.console.db, &ctx.session.id, &tokens, now).await
            {
                tracing::error!(error = %e, "cannot store the new tokens");
                return web::unavailable(&ctx.page);
            }
            if ctx.session.must_change_password {
                let person =
                    person_of(&ctx.console, &tokens.access_token, &ctx.principal.username).await;
                if let Err(e) =
                    sessions::set_person(&ctx.console.db, &ctx.session.id, &person).await
                {
                    tracing::warn!(error = %e, "cannot record who signed in");
                }
            }
            Redirect::to("/").into_response()
        }
        Err(status) => match Failure::of(&status, ctx.page.lang) {
            Failure::Fields(errors) => {
                let first = ctx.session.must_change_password;
                let mut response = render(&PasswordPage {
                    page: ctx.page,
                    errors: Errors(errors),
                    first,
                });
                *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
                response
            }
            other => other.page(&ctx.page),
        },
    }
}

pub async fn sign_out(State(console): State<Console>, headers: HeaderMap) -> Response {
    if let Some(value) = cookie(&headers, SESSION_COOKIE)
        && let Ok(Some(session)) = sessions::find(&console.db, &value).await
    {
        // Identity revokes the refresh token's family; the access token dies with its minutes.
        let _ = AuthServiceClient::new(console.identity.clone())
            .logout(pb::LogoutRequest {
                refresh_token: session.refresh_token.clone(),
            })
            .await;
        if let Err(e) = sessions::delete(&console.db, &session.id).await {
            tracing::error!(error = %e, "cannot end the session");
        }
    }
    let mut response = Redirect::to("/dang-nhap").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&console, SESSION_COOKIE, "", Some(0)),
    );
    response
}

#[derive(Deserialize)]
pub struct LanguageQuery {
    lang: String,
    #[serde(default)]
    next: String,
}

/// Switches the pages' language (a preference, not a change of data) and goes back.
pub async fn language(State(console): State<Console>, Query(q): Query<LanguageQuery>) -> Response {
    let lang = if q.lang == "en" { "en" } else { "vi" };
    let mut response = Redirect::to(&safe_next(&q.next)).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&console, LANG_COOKIE, lang, Some(31_536_000)),
    );
    response
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    page: Page,
    account: pb::Account,
    unit_name: String,
    grants: Vec<String>,
}

/// The person's own account and grants, and the way to change their password.
pub async fn me(ctx: Ctx) -> Response {
    let me = match AuthServiceClient::new(ctx.console.identity.clone())
        .get_me(ctx.request(pb::GetMeRequest {}))
        .await
    {
        Ok(r) => r.into_inner(),
        Err(status) => return Failure::of(&status, ctx.page.lang).page(&ctx.page),
    };
    let own = ctx.page.t("hồ sơ của chính mình", "own record");
    let grants = me
        .grants
        .iter()
        .map(|g| {
            if g.scope == pb::GrantScope::Self_ as i32 {
                format!("{} — {own}", g.role_code)
            } else {
                g.role_code.clone()
            }
        })
        .collect();
    render(&MePage {
        page: ctx
            .page
            .crumbs(&[(None, "Tài khoản của tôi", "My account")]),
        account: me.account.unwrap_or_default(),
        unit_name: me.unit.map(|u| u.name).unwrap_or_default(),
        grants,
    })
}
