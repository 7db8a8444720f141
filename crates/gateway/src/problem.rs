//! Errors as RFC 9457 `application/problem+json`: the HTTP status mapped from the gRPC code, the
//! service's stable error code, a Vietnamese message (English with `Accept-Language: en`) and the
//! fields at fault in the JSON names the client sent. A status without a tinhso error detail
//! (transport failures, panics) gets a generic message: internal detail never leaks.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde_json::json;
use tinhso_platform::ErrorCode;
use tinhso_platform::error::{AppError, detail_of};
use tinhso_proto::common::v1::ErrorDetail;

/// The language a caller reads errors in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    /// English only when the caller's first preference is English; Vietnamese otherwise.
    pub fn from_accept_language(value: Option<&HeaderValue>) -> Self {
        let first = value
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|tag| {
                tag.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            });
        match first {
            Some(tag) if tag == "en" || tag.starts_with("en-") => Self::En,
            _ => Self::Vi,
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Self::Vi => "vi",
            Self::En => "en",
        }
    }
}

/// A problem document ready to send.
#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    pub detail: ErrorDetail,
}

impl Problem {
    pub fn from_app_error(e: &AppError) -> Self {
        Self {
            status: StatusCode::from_u16(e.kind.http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            detail: e.detail(),
        }
    }

    /// Maps a service's status; the detail it carries is kept, anything else is replaced.
    pub fn from_status(status: &tonic::Status) -> Self {
        let http = http_status_of(status.code());
        let detail = match detail_of(status) {
            Some(detail) => detail,
            None => generic_detail(status.code()),
        };
        if detail.code == ErrorCode::Internal.as_str() {
            tracing::error!(grpc_code = ?status.code(), message = status.message(), "upstream error");
        }
        Self {
            status: http,
            detail,
        }
    }

    pub fn not_found_route() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            detail: detail(
                ErrorCode::RouteNotFound,
                "Không có đường dẫn API này",
                "no such API route",
            ),
        }
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            detail: detail(
                ErrorCode::PayloadTooLarge,
                &format!("Nội dung yêu cầu vượt quá {limit} byte"),
                &format!("the request body exceeds {limit} bytes"),
            ),
        }
    }

    pub fn unsupported_media_type(expected: &str) -> Self {
        Self {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            detail: detail(
                ErrorCode::UnsupportedMediaType,
                &format!("Nội dung yêu cầu phải là {expected}"),
                &format!("the request body must be {expected}"),
            ),
        }
    }

    pub fn too_many_requests() -> Self {
        Self {
            status: StatusCode::TOO_MANY_REQUESTS,
            detail: detail(
                ErrorCode::RateLimited,
                "Quá nhiều yêu cầu từ địa chỉ này, vui lòng thử lại sau",
                "too many requests from this address, try again later",
            ),
        }
    }

    /// The response in `lang`, for the request at `instance`.
    pub fn into_response(self, lang: Lang, instance: &str, request_id: &str) -> Response {
        let message = |vi: &str, en: &str| match lang {
            Lang::En if !en.is_empty() => en.to_string(),
            _ => vi.to_string(),
        };
        let title = sentence(&message(&self.detail.message, &self.detail.message_en));
        let violations: Vec<_> = self
            .detail
            .violations
            .iter()
            .map(|v| {
                json!({
                    "field": json_field_path(&v.field),
                    "code": v.code,
                    "message": message(&v.message, &v.message_en),
                })
            })
            .collect();
        let body = json!({
            "type": format!("urn:tinhso:error:{}", self.detail.code),
            "title": title,
            "status": self.status.as_u16(),
            "detail": title,
            "code": self.detail.code,
            "violations": violations,
            "instance": instance,
            "requestId": request_id,
        });
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(lang.tag()),
        );
        response
    }
}

fn detail(code: ErrorCode, vi: &str, en: &str) -> ErrorDetail {
    ErrorDetail {
        code: code.into(),
        message: vi.into(),
        message_en: en.into(),
        violations: Vec::new(),
    }
}

/// The HTTP status of a gRPC code: the platform's one table (docs/errors.md).
pub fn http_status_of(code: tonic::Code) -> StatusCode {
    StatusCode::from_u16(tinhso_platform::error::http_status(code))
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn generic_detail(code: tonic::Code) -> ErrorDetail {
    use tonic::Code::*;
    match code {
        Unavailable => detail(
            ErrorCode::ServiceUnavailable,
            "Dịch vụ tạm thời không sẵn sàng, vui lòng thử lại sau",
            "the service is temporarily unavailable, try again later",
        ),
        DeadlineExceeded => detail(
            ErrorCode::UpstreamTimeout,
            "Dịch vụ không trả lời kịp thời hạn",
            "the service did not answer in time",
        ),
        Unauthenticated => detail(
            ErrorCode::Unauthenticated,
            "Cần đăng nhập",
            "authentication required",
        ),
        PermissionDenied => detail(
            ErrorCode::PermissionDenied,
            "Không có quyền thực hiện thao tác này",
            "permission denied",
        ),
        NotFound => detail(ErrorCode::NotFound, "Không tìm thấy", "not found"),
        InvalidArgument | OutOfRange => detail(
            ErrorCode::InvalidArgument,
            "Yêu cầu không hợp lệ",
            "invalid request",
        ),
        ResourceExhausted => detail(
            ErrorCode::RateLimited,
            "Quá nhiều yêu cầu, vui lòng thử lại sau",
            "too many requests, try again later",
        ),
        Unimplemented => detail(
            ErrorCode::NotImplemented,
            "Chức năng chưa được hỗ trợ",
            "not implemented",
        ),
        _ => detail(
            ErrorCode::Internal,
            "Lỗi hệ thống, vui lòng thử lại sau hoặc báo cho quản trị viên",
            "internal error; try again later or tell the administrator",
        ),
    }
}

/// `unit.parent_id` -> `unit.parentId`: services name fields as in the proto, REST callers in
/// the JSON mapping's lowerCamelCase.
/// A message as a sentence for people: a capital first letter and a full stop ("bảng lương
/// tháng này đã được chốt" -> "Bảng lương tháng này đã được chốt.").
pub fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '!', '?', ')']) {
        out.push('.');
    }
    out
}

pub fn json_field_path(field: &str) -> String {
    field
        .split('.')
        .map(|segment| {
            let mut out = String::with_capacity(segment.len());
            let mut upper = false;
            for c in segment.chars() {
                if c == '_' {
                    upper = true;
                } else if upper {
                    out.extend(c.to_uppercase());
                    upper = false;
                } else {
                    out.push(c);
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {

    #[test]
    fn titles_are_sentences() {
        assert_eq!(
            super::sentence("bảng lương tháng này đã được chốt"),
            "Bảng lương tháng này đã được chốt."
        );
        assert_eq!(
            super::sentence("Dữ liệu không hợp lệ: đơn vị"),
            "Dữ liệu không hợp lệ: đơn vị."
        );
        assert_eq!(super::sentence("Đã xong."), "Đã xong.");
        assert_eq!(super::sentence("  "), "");
    }
    use super::*;

    #[test]
    fn field_paths_become_json_names() {
        assert_eq!(json_field_path("unit.parent_id"), "unit.parentId");
        assert_eq!(json_field_path("new_password"), "newPassword");
        assert_eq!(json_field_path("pageSize"), "pageSize");
    }

    #[test]
    fn english_only_when_asked_first() {
        let en = HeaderValue::from_static("en-US,en;q=0.9");
        let vi_first = HeaderValue::from_static("vi,en;q=0.5");
        assert_eq!(Lang::from_accept_language(Some(&en)), Lang::En);
        assert_eq!(Lang::from_accept_language(Some(&vi_first)), Lang::Vi);
        assert_eq!(Lang::from_accept_language(None), Lang::Vi);
    }

    #[test]
    fn internal_causes_never_reach_the_caller() {
        let problem = Problem::from_status(&tonic::Status::internal(
            "relation \"accounts\" does not exist at 10.0.0.7",
        ));
        assert_eq!(problem.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(problem.detail.code, ErrorCode::Internal);
        assert!(!problem.detail.message_en.contains("accounts"));
    }
}
