//! One error type for every service. Each error has a stable code, a Vietnamese message (with an
//! English one beside it) and optional per-field violations; it maps to a gRPC status and an HTTP
//! status. Internal causes are logged, never returned to callers.

use prost::Message;
use tinhso_proto::common::v1::{ErrorDetail, FieldViolation};

mod codes;
pub use codes::{ErrorCode, markdown_table};

/// The kind of failure, which decides the gRPC and HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    InvalidArgument,
    FailedPrecondition,
    AlreadyExists,
    NotFound,
    Aborted,
    PermissionDenied,
    Unauthenticated,
    ResourceExhausted,
    Unavailable,
    Internal,
}

impl ErrorKind {
    /// The gRPC status code of this kind.
    pub fn grpc_code(self) -> tonic::Code {
        match self {
            Self::InvalidArgument => tonic::Code::InvalidArgument,
            Self::FailedPrecondition => tonic::Code::FailedPrecondition,
            Self::AlreadyExists => tonic::Code::AlreadyExists,
            Self::NotFound => tonic::Code::NotFound,
            Self::Aborted => tonic::Code::Aborted,
            Self::PermissionDenied => tonic::Code::PermissionDenied,
            Self::Unauthenticated => tonic::Code::Unauthenticated,
            Self::ResourceExhausted => tonic::Code::ResourceExhausted,
            Self::Unavailable => tonic::Code::Unavailable,
            Self::Internal => tonic::Code::Internal,
        }
    }

    /// The HTTP status code of this kind (RFC 9457 responses use it).
    pub fn http_status(self) -> u16 {
        http_status(self.grpc_code())
    }

    /// The gRPC status's name, as docs/errors.md lists it.
    pub fn grpc_name(self) -> &'static str {
        match self {
            Self::InvalidArgument => "INVALID_ARGUMENT",
            Self::FailedPrecondition => "FAILED_PRECONDITION",
            Self::AlreadyExists => "ALREADY_EXISTS",
            Self::NotFound => "NOT_FOUND",
            Self::Aborted => "ABORTED",
            Self::PermissionDenied => "PERMISSION_DENIED",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::ResourceExhausted => "RESOURCE_EXHAUSTED",
            Self::Unavailable => "UNAVAILABLE",
            Self::Internal => "INTERNAL",
        }
    }
}

/// The HTTP status of a gRPC code: the one table the gateway and the services use (listed with
/// every error code in docs/errors.md). It follows google.rpc.Code's HTTP mapping except for
/// FAILED_PRECONDITION, which is 412 here, not 400: the request was well formed but the
/// resource's state does not allow it now (a closed payroll month, a unit that still has
/// accounts). 400 would tell a client to fix its input, which would not help; 409 stays for
/// what a reload and retry can fix (a stale etag, a taken code).
pub fn http_status(code: tonic::Code) -> u16 {
    use tonic::Code::*;
    match code {
        Ok => 200,
        InvalidArgument | OutOfRange => 400,
        Unauthenticated => 401,
        PermissionDenied => 403,
        NotFound => 404,
        AlreadyExists | Aborted => 409,
        FailedPrecondition => 412,
        ResourceExhausted => 429,
        // The de-facto status of a request the client gave up on.
        Cancelled => 499,
        Unimplemented => 501,
        Unavailable => 503,
        DeadlineExceeded => 504,
        Unknown | Internal | DataLoss => 500,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub field: String,
    pub code: ErrorCode,
    pub message: String,
    pub message_en: String,
}

/// The error every service returns.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code}: {message_en}")]
pub struct AppError {
    pub kind: ErrorKind,
    pub code: ErrorCode,
    pub message: String,
    pub message_en: String,
    pub violations: Vec<Violation>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// An error with the code's status and the messages given (which say more than the code's
    /// title: which field, which limit).
    pub fn new(code: ErrorCode, message: impl Into<String>, message_en: impl Into<String>) -> Self {
        Self {
            kind: code.kind(),
            code,
            message: message.into(),
            message_en: message_en.into(),
            violations: Vec::new(),
        }
    }

    /// One invalid field: INVALID_ARGUMENT with the field named.
    pub fn invalid(field: &str, code: ErrorCode, message: &str, message_en: &str) -> Self {
        let mut e = Self::new(
            code,
            format!("Dữ liệu không hợp lệ: {message}"),
            format!("invalid input: {message_en}"),
        );
        e.violations.push(Violation {
            field: field.to_string(),
            code,
            message: message.to_string(),
            message_en: message_en.to_string(),
        });
        e
    }

    /// Adds a field to this error's violations.
    pub fn with_field(mut self, field: &str) -> Self {
        self.violations.push(Violation {
            field: field.to_string(),
            code: self.code,
            message: self.message.clone(),
            message_en: self.message_en.clone(),
        });
        self
    }

    pub fn not_found(what_vi: &str, what_en: &str) -> Self {
        Self::new(
            ErrorCode::NotFound,
            format!("Không tìm thấy {what_vi}"),
            format!("{what_en} not found"),
        )
    }

    pub fn permission_denied() -> Self {
        let code = ErrorCode::PermissionDenied;
        Self::new(code, code.title(), code.title_en())
    }

    pub fn unauthenticated(code: ErrorCode) -> Self {
        Self::new(
            code,
            "Phiên đăng nhập không hợp lệ hoặc đã hết hạn, vui lòng đăng nhập lại",
            "missing, invalid, expired or revoked credentials",
        )
    }

    pub fn stale_etag() -> Self {
        let code = ErrorCode::StaleEtag;
        Self::new(code, code.title(), code.title_en()).with_field("etag")
    }

    pub fn failed_precondition(code: ErrorCode, message: &str, message_en: &str) -> Self {
        Self::new(code, message, message_en)
    }

    pub fn already_exists(field: &str, code: ErrorCode, message: &str, message_en: &str) -> Self {
        Self::new(code, message, message_en).with_field(field)
    }

    /// An internal fault: the cause is logged here and never sent to the caller.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        let code = ErrorCode::Internal;
        Self::new(code, code.title(), code.title_en())
    }

    pub fn unavailable(cause: impl std::fmt::Display) -> Self {
        tracing::warn!(error = %cause, "dependency unavailable");
        let code = ErrorCode::Unavailable;
        Self::new(code, code.title(), code.title_en())
    }

    /// The detail message carried in the gRPC status.
    pub fn detail(&self) -> ErrorDetail {
        ErrorDetail {
            code: self.code.to_string(),
            message: self.message.clone(),
            message_en: self.message_en.clone(),
            violations: self
                .violations
                .iter()
                .map(|v| FieldViolation {
                    field: v.field.clone(),
                    code: v.code.to_string(),
                    message: v.message.clone(),
                    message_en: v.message_en.clone(),
                })
                .collect(),
        }
    }
}

impl From<AppError> for tonic::Status {
    fn from(e: AppError) -> Self {
        let details = e.detail().encode_to_vec();
        let mut status =
            tonic::Status::with_details(e.kind.grpc_code(), e.message.clone(), details.into());
        if let Ok(v) = e.code.as_str().parse() {
            status.metadata_mut().insert("x-tinhso-error-code", v);
        }
        status
    }
}

/// One answer for every field a request got wrong: the first error carrying the violations of
/// all of them (so a form shows every mistake at once), or Ok when there are none.
pub fn all_violations(errors: Vec<AppError>) -> AppResult<()> {
    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(()),
        Some(mut first) => {
            for e in errors {
                first.violations.extend(e.violations);
            }
            Err(first)
        }
    }
}

/// Reads the error detail a tinhso service put into a status, if any.
pub fn detail_of(status: &tonic::Status) -> Option<ErrorDetail> {
    ErrorDetail::decode(status.details())
        .ok()
        .filter(|d| !d.code.is_empty())
}

impl From<crate::db::DbErr> for AppError {
    fn from(e: crate::db::DbErr) -> Self {
        use crate::db::DbErr;
        // A database that cannot be reached is a fault the caller may retry, not a bug.
        match &e {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => AppError::unavailable(e),
            DbErr::Exec(r) | DbErr::Query(r) if is_io(r) => AppError::unavailable(e),
            _ => AppError::internal(e),
        }
    }
}

fn is_io(e: &sea_orm::RuntimeErr) -> bool {
    matches!(
        e,
        sea_orm::RuntimeErr::SqlxError(inner)
            if matches!(**inner, sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_carries_code_message_and_field() {
        let e = AppError::invalid(
            "name",
            ErrorCode::Required,
            "tên không được để trống",
            "name is required",
        );
        let status: tonic::Status = e.into();
        assert_eq!(status.code(), tonic::Code::InvalidArgument);
        let detail = detail_of(&status).expect("detail");
        assert_eq!(detail.code, ErrorCode::Required);
        assert_eq!(detail.violations[0].field, "name");
        assert!(detail.message.contains("không được để trống"));
    }

    #[test]
    fn http_statuses_follow_kinds() {
        assert_eq!(ErrorKind::Aborted.http_status(), 409);
        assert_eq!(ErrorKind::Unauthenticated.http_status(), 401);
        assert_eq!(ErrorKind::FailedPrecondition.http_status(), 412);
    }
}
