//! CSRF protection on every state-changing request: a POST (or any method but GET/HEAD) must
//! carry the session's token, in the form's `_csrf` field or htmx's `x-csrf-token` header;
//! before sign-in, the token of the pre-session cookie (a double submit). A file upload
//! (multipart) is not read here — it streams to its handler under its own cap — so its token
//! comes in the header or the form action's `_csrf` query parameter (the Referrer-Policy keeps
//! that address on this site). SameSite=Strict
//! cookies already keep other sites' forms out; this holds even where that is not honoured.

use super::{Lang, PRE_SESSION_COOKIE, Page, SESSION_COOKIE, cookie, problem};
use crate::{Console, sessions};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// The largest form body the console reads (uploads will stream through their own route).
const MAX_FORM_BYTES: usize = 1024 * 1024;

/// Equal in constant time, so a guess learns nothing from how long the refusal took.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub async fn check(State(console): State<Console>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let lang = Lang::of(&parts.headers);
    let page = Page::new(lang, "", parts.uri.path());
    let expected = match cookie(&parts.headers, SESSION_COOKIE) {
        Some(value) => match sessions::find(&console.db, &value).await {
            Ok(Some(session)) => Some(session.csrf),
            Ok(None) => cookie(&parts.headers, PRE_SESSION_COOKIE),
            Err(e) => {
                tracing::error!(error = %e, "session store unavailable");
                return super::unavailable(&page);
            }
        },
        None => cookie(&parts.headers, PRE_SESSION_COOKIE),
    };
    let refused = |page: &Page| {
        problem(
            page,
            StatusCode::FORBIDDEN,
            ("Yêu cầu không hợp lệ", "Request refused"),
            page.t(
                "Biểu mẫu đã cũ hoặc không được gửi từ trang này. Hãy mở lại trang và thử lại.",
                "The form is stale or did not come from this site. Open the page again and retry.",
            ),
            false,
        )
    };
    let header_token = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let multipart = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("multipart/form-data"));
    if multipart {
        let provided = header_token.or_else(|| {
            form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
                .find(|(k, _)| k == "_csrf")
                .map(|(_, v)| v.into_owned())
        });
        return match (expected, provided) {
            (Some(expected), Some(provided))
                if !expected.is_empty() && same(&expected, &provided) =>
            {
                next.run(Request::from_parts(parts, body)).await
            }
            _ => refused(&page),
        };
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        return problem(
            &page,
            StatusCode::PAYLOAD_TOO_LARGE,
            ("Biểu mẫu quá lớn", "Form too large"),
            page.t("Nội dung gửi lên quá lớn.", "What was sent is too large."),
            false,
        );
    };
    let provided = header_token.or_else(|| {
        form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.into_owned())
    });
    match (expected, provided) {
        (Some(expected), Some(provided)) if !expected.is_empty() && same(&expected, &provided) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => refused(&page),
    }
}
