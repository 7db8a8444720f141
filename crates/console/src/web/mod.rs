//! The frame every page shares: the language, the signed-in person (from the session cookie to
//! a verified principal, refreshing the token on the server), the menu they may use, and what
//! a failed call to a service becomes for a person (a field error, a sign-in, a Vietnamese
//! error page — never a stack trace).

pub mod charts;
pub mod csrf;
pub mod unit_choice;

use crate::Console;
use crate::sessions::{self, Session};
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use tinhso_platform::auth::Principal;

pub const SESSION_COOKIE: &str = "tinhso_session";
/// The CSRF token of a browser that has not signed in yet (the sign-in form's double submit).
pub const PRE_SESSION_COOKIE: &str = "tinhso_pre";
pub const LANG_COOKIE: &str = "tinhso_lang";

/// The language of the pages: Vietnamese unless the person chose English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn of(headers: &HeaderMap) -> Self {
        match cookie(headers, LANG_COOKIE).as_deref() {
            Some("en") => Self::En,
            _ => Self::Vi,
        }
    }
}

/// The value of cookie `name` in the request, if sent.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value for the console: HttpOnly, SameSite=Strict, path `/`, Secure unless
/// the console runs on plain HTTP (`tinhso dev`).
pub fn set_cookie(console: &Console, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let secure = if console.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let age = max_age
        .map(|s| format!("; Max-Age={s}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict{secure}{age}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Everything but RFC 3986's unreserved characters is encoded.
const UNRESERVED: &percent_encoding::AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a value for a path segment or a query string.
pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, UNRESERVED).to_string()
}

/// A path the person may be sent back to after signing in: on this site only.
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/".to_string()
    }
}

/// An entry of the menu: shown only to someone who may use it.
#[derive(Debug, Clone)]
pub struct MenuItem {
    pub href: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
    pub current: bool,
}

/// The menu's entries and the permission each needs somewhere in the person's grants.
const MENU: &[(&str, &str, &str, &str)] = &[
    ("/", "Việc cần làm", "To do", ""),
    ("/don-vi", "Đơn vị", "Units", "identity.unit.read"),
    (
        "/tai-khoan",
        "Tài khoản",
        "Accounts",
        "identity.account.read",
    ),
    ("/nhat-ky", "Nhật ký", "Audit trail", "identity.audit.read"),
    (
        "/danh-muc",
        "Danh mục",
        "Catalogues",
        "personnel.catalogue.write",
    ),
    (
        "/ho-so",
        "Hồ sơ cán bộ",
        "Personnel records",
        "personnel.record.read",
    ),
    (
        "/bang-luong",
        "Tiền lương",
        "Salaries",
        "personnel.salary.read",
    ),
    ("/bien-che", "Biên chế", "Staffing", "personnel.record.read"),
    ("/dao-tao", "Đào tạo", "Training", "personnel.record.read"),
    (
        "/khen-thuong",
        "Khen thưởng",
        "Awards",
        "personnel.record.read",
    ),
    (
        "/thong-ke",
        "Thống kê",
        "Statistics",
        "personnel.record.read",
    ),
    (
        "/an-sinh",
        "An sinh xã hội",
        "Welfare",
        "welfare.beneficiary.read",
    ),
    (
        "/ho-so/cua-toi",
        "Hồ sơ của tôi",
        "My record",
        "self:personnel.record.read",
    ),
];

#[derive(Debug, Clone)]
pub struct Crumb {
    pub href: Option<&'static str>,
    pub vi: &'static str,
    pub en: &'static str,
}

#[derive(Debug, Clone)]
pub struct UserView {
    pub name: String,
    pub unit: String,
}

/// What every page's frame needs.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub lang: Lang,
    /// The CSRF token forms and htmx requests carry.
    pub csrf: String,
    /// This page's path and query, to come back to.
    pub here: String,
    pub here_encoded: String,
    pub user: Option<UserView>,
    pub menu: Vec<MenuItem>,
    pub crumbs: Vec<Crumb>,
}

impl Page {
    pub fn new(lang: Lang, csrf: &str, here: &str) -> Self {
        Self {
            lang,
            csrf: csrf.to_string(),
            here: here.to_string(),
            here_encoded: encode(here),
            ..Default::default()
        }
    }

    /// The text in the page's language.
    pub fn t<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        match self.lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    pub fn lang_code(&self) -> &'static str {
        match self.lang {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn other_lang_code(&self) -> &'static str {
        match self.lang {
            Lang::Vi => "en",
            Lang::En => "vi",
        }
    }

    /// Breadcrumbs from the home page to this one.
    pub fn crumbs(mut self, trail: &[(Option<&'static str>, &'static str, &'static str)]) -> Self {
        self.crumbs = std::iter::once((Some("/"), "Trang chủ", "Home"))
            .chain(trail.iter().copied())
            .map(|(href, vi, en)| Crumb { href, vi, en })
            .collect();
        self
    }
}

/// True when the person holds `permission` over some unit (`self:<permission>`: over their own
/// linked record).
pub fn holds(principal: &Principal, permission: &str) -> bool {
    match permission.strip_prefix("self:") {
        Some(own) => principal.can_self(own, &principal.personnel_id, &principal.unit_path),
        None => permission.is_empty() || !principal.scopes_for(permission).is_empty(),
    }
}

/// A signed-in person on a page: their session, their verified principal and the page frame.
pub struct Ctx {
    pub console: Console,
    pub session: Session,
    pub principal: Principal,
    pub page: Page,
}

impl Ctx {
    /// A request to a service carrying the person's token and the console's deadline.
    pub fn request<T>(&self, message: T) -> tonic::Request<T> {
        with_token(
            &self.session.access_token,
            message,
            self.console.config.request_timeout_ms,
        )
    }
}

/// Where a person without a usable session goes: the sign-in page, then back here.
fn to_sign_in(here: &str, expired: bool) -> Response {
    let expired = if expired { "&expired=1" } else { "" };
    Redirect::to(&format!("/dang-nhap?next={}{expired}", encode(here))).into_response()
}

/// Refresh the access token this long before it expires.
const REFRESH_AHEAD_MS: i64 = 30_000;
/// Record a session's use at most this often (one write per minute, not per request).
const TOUCH_EVERY_MS: i64 = 60_000;

impl FromRequestParts<Console> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, console: &Console) -> Result<Self, Response> {
        let lang = Lang::of(&parts.headers);
        let here = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        let Some(cookie) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_sign_in(&here, false));
        };
        let db = &console.db;
        let broken = |e: tinhso_platform::db::DbErr| {
            tracing::error!(error = %e, "session store unavailable");
            unavailable(&Page::new(lang, "", &here))
        };
        let Some(mut session) = sessions::find(db, &cookie).await.map_err(broken)? else {
            return Err(to_sign_in(&here, false));
        };
        let now = console.clock.now_ms();
        let idle = now - session.last_seen_at > console.config.idle_timeout_secs * 1000;
        let old = now - session.created_at > console.config.absolute_lifetime_secs * 1000;
        if idle || old {
            sessions::delete(db, &session.id).await.map_err(broken)?;
            return Err(to_sign_in(&here, true));
        }
        if session.access_expires_at - now < REFRESH_AHEAD_MS {
            match pages::auth::refresh(console, &session.refresh_token).await {
                Ok(tokens) => {
                    sessions::replace_tokens(db, &session.id, &tokens, now)
                        .await
                        .map_err(broken)?;
                    session.access_token = tokens.access_token;
                    session.refresh_token = tokens.refresh_token;
                    session.access_expires_at = now + tokens.expires_in_secs * 1000;
                    session.must_change_password = tokens.must_change_password;
                }
                Err(Failure::Unavailable) => return Err(unavailable(&Page::new(lang, "", &here))),
                Err(_) => {
                    sessions::delete(db, &session.id).await.map_err(broken)?;
                    return Err(to_sign_in(&here, true));
                }
            }
        }
        let principal = match console.verifier.verify(&session.access_token) {
            Ok(p) => p,
            Err(_) if !console.verifier.has_keys() => {
                return Err(unavailable(&Page::new(lang, "", &here)));
            }
            Err(_) => {
                sessions::delete(db, &session.id).await.map_err(broken)?;
                return Err(to_sign_in(&here, true));
            }
        };
        if session.must_change_password && parts.uri.path() != "/doi-mat-khau" {
            return Err(Redirect::to("/doi-mat-khau").into_response());
        }
        if now - session.last_seen_at > TOUCH_EVERY_MS {
            sessions::touch(db, &session.id, now)
                .await
                .map_err(broken)?;
        }
        let path = parts.uri.path();
        let mut page = Page::new(lang, &session.csrf, &here);
        page.user = Some(UserView {
            name: if session.display_name.is_empty() {
                principal.username.clone()
            } else {
                session.display_name.clone()
            },
            unit: session.unit_name.clone(),
        });
        if !session.must_change_password {
            page.menu = MENU
                .iter()
                .filter(|(_, _, _, permission)| holds(&principal, permission))
                .map(|(href, vi, en, _)| MenuItem {
                    href,
                    vi,
                    en,
                    current: *href == path
                        || (*href != "/" && path.starts_with(&format!("{href}/"))),
                })
                .collect();
        }
        Ok(Self {
            console: console.clone(),
            session,
            principal,
            page,
        })
    }
}

use crate::pages;

/// A field the person must correct, with the message to show at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The form field's id (empty: about the whole form).
    pub field: String,
    pub message: String,
}

/// The problems of a form, for its template: the summary at the top and each at its field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn list(&self) -> &[FieldError] {
        &self.0
    }

    /// True when `field` has a problem.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }
}

/// What a failed call to a service means for the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Their token is no longer good: sign in again.
    SignIn,
    /// The service cannot be reached now: say so and offer a retry.
    Unavailable,
    /// Not theirs to see or do.
    Denied(String),
    NotFound(String),
    /// Problems the person can fix, each at its field (in the service's Vietnamese words).
    Fields(Vec<FieldError>),
}

impl Failure {
    /// Reads a service's status: its ErrorDetail carries the Vietnamese message and the fields.
    pub fn of(status: &tonic::Status, lang: Lang) -> Self {
        use tonic::Code;
        let detail = tinhso_platform::error::detail_of(status);
        let message = |d: &tinhso_proto::common::v1::ErrorDetail| match lang {
            Lang::Vi => d.message.clone(),
            Lang::En => d.message_en.clone(),
        };
        match status.code() {
            Code::Unauthenticated => Self::SignIn,
            Code::Unavailable | Code::DeadlineExceeded | Code::Unknown | Code::Cancelled => {
                Self::Unavailable
            }
            Code::PermissionDenied => {
                Self::Denied(detail.as_ref().map(message).unwrap_or_default())
            }
            Code::NotFound => Self::NotFound(detail.as_ref().map(message).unwrap_or_default()),
            _ => {
                let Some(d) = detail else {
                    return Self::Unavailable;
                };
                let mut fields: Vec<FieldError> = d
                    .violations
                    .iter()
                    .map(|v| FieldError {
                        field: v.field.rsplit('.').next().unwrap_or_default().to_string(),
                        message: match lang {
                            Lang::Vi => v.message.clone(),
                            Lang::En => v.message_en.clone(),
                        },
                    })
                    .collect();
                if fields.is_empty() {
                    fields.push(FieldError {
                        field: String::new(),
                        message: message(&d),
                    });
                }
                Self::Fields(fields)
            }
        }
    }

    /// The page for a failure that is not about fields.
    pub fn page(&self, page: &Page) -> Response {
        match self {
            Self::SignIn => to_sign_in(&page.here, true),
            Self::Unavailable => unavailable(page),
            Self::Denied(message) => problem(
                page,
                StatusCode::FORBIDDEN,
                ("Không có quyền", "Not allowed"),
                if message.is_empty() {
                    page.t(
                        "Bạn không có quyền xem hoặc làm việc này.",
                        "You may not see or do this.",
                    )
                } else {
                    message
                },
                false,
            ),
            Self::NotFound(message) => problem(
                page,
                StatusCode::NOT_FOUND,
                ("Không tìm thấy", "Not found"),
                message,
                false,
            ),
            Self::Fields(fields) => problem(
                page,
                StatusCode::BAD_REQUEST,
                ("Không thực hiện được", "Could not be done"),
                &fields
                    .iter()
                    .map(|f| f.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                false,
            ),
        }
    }
}

/// The page an irreversible action shows first: what will happen to `subject`, one button that
/// posts `action` with the record's `etag`, and a way back that changes nothing.
#[derive(Template)]
#[template(path = "confirm.html")]
pub struct Confirm {
    pub page: Page,
    pub title_vi: &'static str,
    pub title_en: &'static str,
    pub question_vi: &'static str,
    pub question_en: &'static str,
    pub button_vi: &'static str,
    pub button_en: &'static str,
    pub subject: String,
    pub action: String,
    pub etag: String,
    pub back: String,
    pub ask_reason: bool,
}

/// A request to a service carrying `token` and the console's deadline.
pub fn with_token<T>(token: &str, message: T, timeout_ms: u64) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    if let Ok(value) = format!("Bearer {token}").parse() {
        request.metadata_mut().insert("authorization", value);
    }
    request.set_timeout(std::time::Duration::from_millis(timeout_ms));
    request
}

/// The page for an address the console does not have.
pub async fn not_found(headers: HeaderMap, uri: axum::http::Uri) -> Response {
    let page = Page::new(Lang::of(&headers), "", uri.path());
    problem(
        &page,
        StatusCode::NOT_FOUND,
        ("Không có trang này", "Page not found"),
        page.t(
            "Địa chỉ này không có trong hệ thống. Hãy kiểm tra lại đường dẫn hoặc về trang chủ.",
            "There is no such page. Check the address or go back to the home page.",
        ),
        false,
    )
}

#[derive(Template)]
#[template(path = "problem.html")]
struct ProblemPage<'a> {
    page: &'a Page,
    title_vi: &'a str,
    title_en: &'a str,
    message: &'a str,
    retry: bool,
}

/// A page explaining what went wrong, in the person's language.
pub fn problem(
    page: &Page,
    status: StatusCode,
    (title_vi, title_en): (&str, &str),
    message: &str,
    retry: bool,
) -> Response {
    let body = ProblemPage {
        page,
        title_vi,
        title_en,
        message,
        retry,
    };
    (status, render(&body)).into_response()
}

/// A service (or the console's own store) cannot be reached: a 503 page with a retry.
pub fn unavailable(page: &Page) -> Response {
    problem(
        page,
        StatusCode::SERVICE_UNAVAILABLE,
        ("Hệ thống đang bận", "Service unavailable"),
        page.t(
            "Hệ thống tạm thời chưa phục vụ được yêu cầu này. Dữ liệu bạn đã lưu không bị mất; hãy thử lại sau ít phút.",
            "The system cannot serve this request just now. Nothing you saved is lost; try again in a few minutes.",
        ),
        true,
    )
}

/// Renders a template to an HTML response (a template that cannot render is a bug: logged, 500).
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "Lỗi hệ thống").into_response()
        }
    }
}

/// A file a service streams (an export, a workbook) passed on to the browser chunk by chunk:
/// the first chunk names the file and its type and is read before the answer starts, so a
/// refusal still becomes a page; nothing is held whole.
pub async fn download(
    stream: impl futures_util::Stream<Item = Result<tinhso_proto::common::v1::FileChunk, tonic::Status>>
    + Send
    + Unpin
    + 'static,
    default_name: &str,
    page: &Page,
) -> Response {
    use futures_util::StreamExt as _;
    let mut stream = stream;
    let first = match stream.next().await {
        Some(Ok(chunk)) => chunk,
        None => tinhso_proto::common::v1::FileChunk::default(),
        Some(Err(status)) => return Failure::of(&status, page.lang).page(page),
    };
    let filename = if first.filename.is_empty() {
        default_name.to_string()
    } else {
        first.filename.clone()
    };
    let content_type = if first.content_type.is_empty() {
        "application/octet-stream".to_string()
    } else {
        first.content_type.clone()
    };
    let head = futures_util::stream::once(async move {
        Ok::<_, tonic::Status>(axum::body::Bytes::from(first.data))
    });
    let rest = stream.map(|chunk| chunk.map(|c| axum::body::Bytes::from(c.data)));
    let mut response = axum::body::Body::from_stream(head.chain(rest)).into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    // An ASCII name for old browsers, the real one (with its diacritics) for the others.
    let ascii: String = tinhso_platform::vn::fold(&filename)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        encode(&filename)
    )) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}
