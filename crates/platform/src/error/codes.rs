//! Every error code a caller can receive, with its status and its title in Vietnamese and
//! English: the one catalogue docs/errors.md lists (a test keeps the two equal). A code is
//! stable once released; its title is the generic account of it, the message at the place that
//! raises it says more (which field, which limit).

use super::ErrorKind;

macro_rules! catalogue {
    ($( $variant:ident = $code:literal, $kind:ident $(, http $http:literal)?, $vi:literal, $en:literal; )*) => {
        /// A stable error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $( $variant, )*
        }

        impl ErrorCode {
            /// Every code, in catalogue order.
            pub const ALL: &'static [ErrorCode] = &[$( ErrorCode::$variant, )*];

            /// The code as callers see it: `UNIT_HAS_ACCOUNTS`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $code, )*
                }
            }

            /// The gRPC status it travels with.
            pub const fn kind(self) -> ErrorKind {
                match self {
                    $( Self::$variant => ErrorKind::$kind, )*
                }
            }

            /// The HTTP status the gateway answers with.
            pub fn http_status(self) -> u16 {
                match self {
                    $( Self::$variant => catalogue!(@http self $(, $http)?), )*
                }
            }

            /// What the code means, in Vietnamese.
            pub const fn title(self) -> &'static str {
                match self {
                    $( Self::$variant => $vi, )*
                }
            }

            /// What the code means, in English.
            pub const fn title_en(self) -> &'static str {
                match self {
                    $( Self::$variant => $en, )*
                }
            }
        }
    };
    (@http $self:ident) => { $self.kind().http_status() };
    (@http $self:ident, $http:literal) => { $http };
}

catalogue! {
    // Any request
    Required = "REQUIRED", InvalidArgument, "Thiếu thông tin bắt buộc", "a required value is missing";
    TooLong = "TOO_LONG", InvalidArgument, "Nội dung dài quá giới hạn", "the value is longer than allowed";
    OutOfRange = "OUT_OF_RANGE", InvalidArgument, "Giá trị nằm ngoài khoảng cho phép", "the value is out of the allowed range";
    BadFormat = "BAD_FORMAT", InvalidArgument, "Sai định dạng", "the value is not in the expected form";
    BadDate = "BAD_DATE", InvalidArgument, "Ngày không hợp lệ", "invalid date";
    BadNumber = "BAD_NUMBER", InvalidArgument, "Số không hợp lệ", "invalid number";
    BadEmail = "BAD_EMAIL", InvalidArgument, "Địa chỉ thư điện tử không hợp lệ", "invalid email address";
    BadPhone = "BAD_PHONE", InvalidArgument, "Số điện thoại không hợp lệ", "invalid phone number";
    BadCitizenId = "BAD_CITIZEN_ID", InvalidArgument, "Số căn cước công dân không hợp lệ", "invalid citizen ID number";
    BadPageToken = "BAD_PAGE_TOKEN", InvalidArgument, "Mã trang không hợp lệ", "invalid page token";
    DateOrder = "DATE_ORDER", InvalidArgument, "Các ngày không theo đúng thứ tự", "the dates are out of order";
    UnderRecruitmentAge = "UNDER_RECRUITMENT_AGE", InvalidArgument, "Người được tuyển dụng phải đủ 18 tuổi", "a recruit must be at least 18";
    DatesOutOfOrder = "DATES_OUT_OF_ORDER", InvalidArgument, "Ngày kết thúc đứng trước ngày bắt đầu", "the end date precedes the start date";
    RangeOrder = "RANGE_ORDER", InvalidArgument, "Cận trên nhỏ hơn cận dưới", "the upper bound is below the lower bound";
    DateInFuture = "DATE_IN_FUTURE", InvalidArgument, "Ngày không được ở tương lai", "the date must not be in the future";
    MonthInFuture = "MONTH_IN_FUTURE", InvalidArgument, "Chưa đến tháng này", "the month has not begun";
    UnknownCode = "UNKNOWN_CODE", InvalidArgument, "Mã không có trong danh mục", "the code is not in the catalogue";
    StaleEtag = "STALE_ETAG", Aborted, "Dữ liệu đã được người khác thay đổi, vui lòng tải lại và thử lại", "the resource was changed by someone else; reload and retry";
    NotFound = "NOT_FOUND", NotFound, "Không tìm thấy", "not found";
    PermissionDenied = "PERMISSION_DENIED", PermissionDenied, "Bạn không có quyền thực hiện thao tác này", "you do not have permission for this action";
    Internal = "INTERNAL", Internal, "Lỗi hệ thống, vui lòng thử lại sau", "internal error; please retry later";
    Unavailable = "UNAVAILABLE", Unavailable, "Dịch vụ tạm thời không sẵn sàng, vui lòng thử lại sau", "service temporarily unavailable; please retry later";
    // Signing in and tokens
    MissingToken = "MISSING_TOKEN", Unauthenticated, "Cần đăng nhập", "no access token";
    InvalidToken = "INVALID_TOKEN", Unauthenticated, "Phiên đăng nhập không hợp lệ", "invalid access token";
    TokenExpired = "TOKEN_EXPIRED", Unauthenticated, "Phiên đăng nhập đã hết hạn", "the access token has expired";
    TokenRevoked = "TOKEN_REVOKED", Unauthenticated, "Phiên đăng nhập đã bị thu hồi", "the access token was revoked";
    InvalidCredentials = "INVALID_CREDENTIALS", Unauthenticated, "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang bị khóa", "wrong username or password, or the account is locked";
    InvalidRefreshToken = "INVALID_REFRESH_TOKEN", Unauthenticated, "Mã làm mới phiên không hợp lệ", "invalid refresh token";
    RefreshTokenExpired = "REFRESH_TOKEN_EXPIRED", Unauthenticated, "Mã làm mới phiên đã hết hạn", "the refresh token has expired";
    RefreshTokenRevoked = "REFRESH_TOKEN_REVOKED", Unauthenticated, "Mã làm mới phiên đã bị thu hồi", "the refresh token was revoked";
    AccountDisabled = "ACCOUNT_DISABLED", Unauthenticated, "Tài khoản đã bị thu hồi", "the account is disabled";
    InitialPasswordExpired = "INITIAL_PASSWORD_EXPIRED", FailedPrecondition, "Mật khẩu cấp lần đầu đã hết hạn", "the one-time password has expired";
    PasswordChangeRequired = "PASSWORD_CHANGE_REQUIRED", FailedPrecondition, "Bạn phải đổi mật khẩu trước khi sử dụng hệ thống", "you must change your password first";
    TooManyRequests = "TOO_MANY_REQUESTS", ResourceExhausted, "Quá nhiều lần đăng nhập, vui lòng thử lại sau", "too many login attempts; try again later";
    RateLimited = "RATE_LIMITED", ResourceExhausted, "Quá nhiều yêu cầu, vui lòng thử lại sau", "too many requests; try again later";
    WrongPassword = "WRONG_PASSWORD", InvalidArgument, "Mật khẩu hiện tại không đúng", "the current password is wrong";
    PasswordTooShort = "PASSWORD_TOO_SHORT", InvalidArgument, "Mật khẩu quá ngắn", "the password is too short";
    PasswordTooLong = "PASSWORD_TOO_LONG", InvalidArgument, "Mật khẩu quá dài", "the password is too long";
    PasswordTooCommon = "PASSWORD_TOO_COMMON", InvalidArgument, "Mật khẩu quá phổ biến", "the password is too common";
    PasswordContainsUsername = "PASSWORD_CONTAINS_USERNAME", InvalidArgument, "Mật khẩu chứa tên đăng nhập", "the password contains the username";
    PasswordUnchanged = "PASSWORD_UNCHANGED", InvalidArgument, "Mật khẩu mới trùng mật khẩu hiện tại", "the new password is the current one";
    // Units, accounts, roles and grants
    BadKind = "BAD_KIND", InvalidArgument, "Loại đơn vị không hợp lệ", "invalid unit kind";
    BadStatus = "BAD_STATUS", InvalidArgument, "Trạng thái không hợp lệ", "invalid status";
    BadScope = "BAD_SCOPE", InvalidArgument, "Phạm vi phân quyền không hợp lệ", "invalid grant scope";
    UnknownPermission = "UNKNOWN_PERMISSION", InvalidArgument, "Quyền không tồn tại", "unknown permission";
    UnitCodeTaken = "UNIT_CODE_TAKEN", AlreadyExists, "Mã đơn vị đã được sử dụng", "the unit code is already in use";
    UsernameTaken = "USERNAME_TAKEN", AlreadyExists, "Tên đăng nhập đã được sử dụng", "the username is already taken";
    RoleCodeTaken = "ROLE_CODE_TAKEN", AlreadyExists, "Mã vai trò đã được sử dụng", "the role code is already in use";
    IdNumberTaken = "ID_NUMBER_TAKEN", AlreadyExists, "Số CCCD này đã có trong một hồ sơ khác", "another record already has this citizen ID number";
    UnitClosed = "UNIT_CLOSED", FailedPrecondition, "Đơn vị đã giải thể hoặc sáp nhập", "the unit is closed";
    UnitHasAccounts = "UNIT_HAS_ACCOUNTS", FailedPrecondition, "Đơn vị còn tài khoản đang hoạt động", "the unit still has active accounts";
    UnitHasChildren = "UNIT_HAS_CHILDREN", FailedPrecondition, "Đơn vị còn đơn vị trực thuộc đang hoạt động", "the unit still has open units under it";
    UnitMoveCycle = "UNIT_MOVE_CYCLE", FailedPrecondition, "Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới", "a unit cannot move under itself";
    UnitMergeCycle = "UNIT_MERGE_CYCLE", FailedPrecondition, "Không thể sáp nhập đơn vị vào chính nó hoặc đơn vị cấp dưới", "a unit cannot merge into itself or a unit under it";
    RootUnit = "ROOT_UNIT", FailedPrecondition, "Không thể chuyển hoặc giải thể đơn vị gốc", "the root unit cannot move or close";
    SelfDisable = "SELF_DISABLE", FailedPrecondition, "Không thể tự thu hồi tài khoản của mình", "you cannot disable your own account";
    SelfReset = "SELF_RESET", FailedPrecondition, "Hãy dùng chức năng đổi mật khẩu cho tài khoản của mình", "use change-password for your own account";
    SelfGrant = "SELF_GRANT", PermissionDenied, "Không thể tự phân quyền cho mình", "you cannot grant roles to yourself";
    GrantExceedsOwn = "GRANT_EXCEEDS_OWN", PermissionDenied, "Không thể phân quyền vượt quá quyền của chính mình", "you cannot grant more than you hold";
    RecordLinkDenied = "RECORD_LINK_DENIED", PermissionDenied, "Không được liên kết tài khoản với hồ sơ cán bộ này", "you may not link an account to this personnel record";
    AccountOutranksCaller = "ACCOUNT_OUTRANKS_CALLER", PermissionDenied, "Tài khoản này có quyền vượt quá quyền của bạn", "the account holds rights you do not hold";
    // Files and imports
    FileMissing = "FILE_MISSING", InvalidArgument, "Thiếu tệp tải lên", "no file in the upload";
    FileEmpty = "FILE_EMPTY", InvalidArgument, "Tệp rỗng", "the file is empty";
    FileTooLarge = "FILE_TOO_LARGE", InvalidArgument, "Tệp vượt quá dung lượng cho phép", "the file is too large";
    FileNotUtf8 = "FILE_NOT_UTF8", InvalidArgument, "Tệp phải là CSV mã hóa UTF-8", "the file must be UTF-8 CSV";
    BadFile = "BAD_FILE", InvalidArgument, "Tệp không đọc được", "the file cannot be read";
    CsvMalformed = "CSV_MALFORMED", InvalidArgument, "Tệp CSV bị lỗi", "malformed CSV";
    UploadInterrupted = "UPLOAD_INTERRUPTED", InvalidArgument, "Tệp tải lên bị gián đoạn", "the upload was interrupted";
    TooManyRows = "TOO_MANY_ROWS", InvalidArgument, "Tệp có quá nhiều dòng", "the file has too many rows";
    NoHeader = "NO_HEADER", InvalidArgument, "Không tìm thấy dòng tiêu đề", "no header row";
    NoRows = "NO_ROWS", InvalidArgument, "Tệp không có dòng dữ liệu", "no data rows";
    MissingColumn = "MISSING_COLUMN", InvalidArgument, "Thiếu cột bắt buộc", "a required column is missing";
    UnknownColumn = "UNKNOWN_COLUMN", InvalidArgument, "Cột không được hỗ trợ", "unsupported column";
    DuplicateInFile = "DUPLICATE_IN_FILE", InvalidArgument, "Dữ liệu lặp lại trong tệp", "a value repeats within the file";
    ImportInvalid = "IMPORT_INVALID", InvalidArgument, "Tệp có lỗi; chưa ghi dòng nào", "the file has errors; nothing was written";
    ImportRow = "IMPORT_ROW", InvalidArgument, "Một dòng của tệp có lỗi", "a row of the file has an error";
    ValidationRequired = "VALIDATION_REQUIRED", FailedPrecondition, "Hãy kiểm tra tệp trước khi ghi", "check the file before committing it";
    RecordOutOfScope = "RECORD_OUT_OF_SCOPE", InvalidArgument, "Hồ sơ thuộc đơn vị bạn không được cập nhật", "the record belongs to a unit you may not update";
    UnitOutOfScope = "UNIT_OUT_OF_SCOPE", InvalidArgument, "Bạn không được nhập hồ sơ cho đơn vị này", "you may not import records for this unit";
    UnknownUnit = "UNKNOWN_UNIT", InvalidArgument, "Không có đơn vị mang mã này", "no unit has this code";
    UnitChange = "UNIT_CHANGE", InvalidArgument, "Chuyển đơn vị phải ghi quyết định điều động", "a change of unit needs a movement decision";
    BadSex = "BAD_SEX", InvalidArgument, "Giới tính ghi Nam hoặc Nữ", "sex must be Nam or Nữ";
    ExportTooLarge = "EXPORT_TOO_LARGE", FailedPrecondition, "Kết quả quá lớn để xuất; hãy thu hẹp điều kiện", "too many records to export; narrow the search";
    // Personnel records
    UnknownCatalogue = "UNKNOWN_CATALOGUE", InvalidArgument, "Không có danh mục này", "no such catalogue";
    UnknownGradeGroup = "UNKNOWN_GRADE_GROUP", InvalidArgument, "Không có nhóm lương này", "no such salary group";
    UnknownStep = "UNKNOWN_STEP", InvalidArgument, "Bậc không có trong thang lương", "the step is not in the salary table";
    CoefficientMismatch = "COEFFICIENT_MISMATCH", InvalidArgument, "Hệ số lương không khớp bậc của ngạch", "the coefficient does not match the grade's step";
    BadSteps = "BAD_STEPS", InvalidArgument, "Hệ số các bậc phải tăng dần", "the steps' coefficients must rise";
    BadAgeBands = "BAD_AGE_BANDS", InvalidArgument, "Các mốc tuổi không hợp lệ", "invalid age bands";
    UnknownOrder = "UNKNOWN_ORDER", InvalidArgument, "Không sắp xếp được theo trường này", "cannot order by this field";
    SameUnit = "SAME_UNIT", InvalidArgument, "Đơn vị tiếp nhận trùng đơn vị hiện tại", "the receiving unit is the current one";
    EffectiveBeforeDecision = "EFFECTIVE_BEFORE_DECISION", InvalidArgument, "Ngày hiệu lực trước ngày quyết định", "the effective date precedes the decision date";
    SectionChanged = "SECTION_CHANGED", InvalidArgument, "Không đổi được loại mục của hồ sơ", "an entry cannot change section";
    HonourNeedsRecord = "HONOUR_NEEDS_RECORD", InvalidArgument, "Khen thưởng này phải ghi vào hồ sơ cán bộ", "this award belongs in a staff record";
    BadResult = "BAD_RESULT", InvalidArgument, "Kết quả học tập không hợp lệ", "invalid training result";
    AllowanceBasis = "ALLOWANCE_BASIS", InvalidArgument, "Phụ cấp phải nhập theo hệ số hoặc theo tỷ lệ phần trăm như loại phụ cấp quy định", "enter the allowance as its kind is paid: a coefficient or a percent";
    EarlyRaiseNotEligible = "EARLY_RAISE_NOT_ELIGIBLE", InvalidArgument, "Không đủ điều kiện nâng bậc lương trước thời hạn", "not eligible for an early raise";
    EarlyRaiseShareFull = "EARLY_RAISE_SHARE_FULL", FailedPrecondition, "Đơn vị đã dùng hết tỷ lệ nâng bậc lương trước thời hạn của năm", "the unit's yearly share of early raises is used up";
    RecordEnded = "RECORD_ENDED", FailedPrecondition, "Hồ sơ đã kết thúc", "the record has ended";
    MovePending = "MOVE_PENDING", FailedPrecondition, "Hồ sơ đang chờ đơn vị tiếp nhận xác nhận", "the record is waiting for a receiving unit";
    NotPending = "NOT_PENDING", FailedPrecondition, "Biến động này không chờ xác nhận", "the movement is not waiting for acceptance";
    PayrollClosed = "PAYROLL_CLOSED", FailedPrecondition, "Bảng lương tháng này đã được chốt", "the payroll of this month is closed";
    NoBaseSalary = "NO_BASE_SALARY", FailedPrecondition, "Chưa có mức lương cơ sở áp dụng", "no base salary applies";
    AlreadyRegistered = "ALREADY_REGISTERED", FailedPrecondition, "Người này đã được đăng ký khóa học", "already registered for the course";
    CourseFull = "COURSE_FULL", FailedPrecondition, "Khóa học đã đủ chỉ tiêu", "the course is full";
    RegistrationClosed = "REGISTRATION_CLOSED", FailedPrecondition, "Đã hết hạn đăng ký khóa học", "registration for the course has closed";
    CannotWithdraw = "CANNOT_WITHDRAW", FailedPrecondition, "Không rút được đăng ký này", "this registration cannot be withdrawn";
    ResultRecorded = "RESULT_RECORDED", FailedPrecondition, "Đăng ký này đã có kết quả hoặc đã rút", "the registration already has a result";
    CourseNotStarted = "COURSE_NOT_STARTED", FailedPrecondition, "Khóa học chưa bắt đầu nên chưa ghi được kết quả", "the course has not started yet";
    // Welfare funds
    WrongBeneficiaryKind = "WRONG_BENEFICIARY_KIND", InvalidArgument, "Chính sách này không áp dụng cho loại đối tượng này (cá nhân / hộ gia đình)", "the policy is not for this kind of beneficiary";
    NotOfCategory = "NOT_OF_CATEGORY", InvalidArgument, "Hệ số không đúng hệ số của nhóm đối tượng", "the coefficient is not the category's";
    SuspectedDuplicate = "SUSPECTED_DUPLICATE", FailedPrecondition, "Đối tượng nghi trùng với hồ sơ khác; cần xác nhận không trùng hoặc gộp hồ sơ trước", "a suspected duplicate must be resolved first";
    ChangeNotAllowed = "CHANGE_NOT_ALLOWED", FailedPrecondition, "Thay đổi này không áp dụng được với trạng thái hiện tại của chế độ", "the change does not apply to the enrolment's current status";
    AlreadyEnrolled = "ALREADY_ENROLLED", AlreadyExists, "Đối tượng đang hưởng chính sách này", "the beneficiary is already enrolled in this policy";
    ListOverlaps = "LIST_OVERLAPS", AlreadyExists, "Đã có danh sách chi trả của đơn vị cấp trên hoặc cấp dưới cho tháng này", "a unit above or below already has this month's list";
    PeriodApproved = "PERIOD_APPROVED", FailedPrecondition, "Kỳ này đã được phê duyệt quyết toán nên không thay đổi được", "the period's settlement is approved and locked";
    PaymentsPending = "PAYMENTS_PENDING", FailedPrecondition, "Còn dòng chưa ghi đã chi hoặc chưa chi (kèm lý do)", "some lines are not marked paid or unpaid with a reason";
    ApprovalOutOfOrder = "APPROVAL_OUT_OF_ORDER", FailedPrecondition, "Thao tác không đúng bước của quy trình duyệt", "the action does not follow the approval steps";
    MergedRecord = "MERGED_RECORD", FailedPrecondition, "Hồ sơ đã được gộp vào hồ sơ khác", "the record was merged into another";
    PolicyNotInForce = "POLICY_NOT_IN_FORCE", InvalidArgument, "Chính sách không có hiệu lực vào ngày này", "the policy is not in force on this date";
    // The REST gateway
    MalformedJson = "MALFORMED_JSON", InvalidArgument, "Nội dung không phải JSON hợp lệ", "the body is not valid JSON";
    BodyNotObject = "BODY_NOT_OBJECT", InvalidArgument, "Nội dung yêu cầu phải là một đối tượng JSON", "the body must be a JSON object";
    UnknownField = "UNKNOWN_FIELD", InvalidArgument, "Trường không tồn tại trong yêu cầu này", "unknown field";
    InvalidType = "INVALID_TYPE", InvalidArgument, "Sai kiểu dữ liệu", "wrong type";
    InvalidValue = "INVALID_VALUE", InvalidArgument, "Giá trị không hợp lệ", "invalid value";
    InvalidEnum = "INVALID_ENUM", InvalidArgument, "Giá trị không thuộc danh sách cho phép", "not one of the allowed values";
    InvalidPathParam = "INVALID_PATH_PARAM", InvalidArgument, "Tham số đường dẫn không hợp lệ", "invalid path parameter";
    NotAQueryField = "NOT_A_QUERY_FIELD", InvalidArgument, "Trường này không thể truyền qua tham số truy vấn", "this field cannot be a query parameter";
    NotAFileField = "NOT_A_FILE_FIELD", InvalidArgument, "Trường không nhận tệp", "not a file field";
    MalformedMultipart = "MALFORMED_MULTIPART", InvalidArgument, "Nội dung multipart không hợp lệ", "malformed multipart body";
    InvalidArgument = "INVALID_ARGUMENT", InvalidArgument, "Yêu cầu không hợp lệ", "invalid request";
    Unauthenticated = "UNAUTHENTICATED", Unauthenticated, "Cần đăng nhập", "authentication required";
    RouteNotFound = "ROUTE_NOT_FOUND", NotFound, "Không có đường dẫn API này", "no such API route";
    MethodNotAllowed = "METHOD_NOT_ALLOWED", InvalidArgument, http 405, "Đường dẫn này không hỗ trợ phương thức HTTP đã dùng", "this route does not take that HTTP method";
    PayloadTooLarge = "PAYLOAD_TOO_LARGE", InvalidArgument, http 413, "Nội dung yêu cầu quá lớn", "the request body is too large";
    UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE", InvalidArgument, http 415, "Kiểu nội dung không được hỗ trợ", "unsupported content type";
    NotImplemented = "NOT_IMPLEMENTED", Internal, http 501, "Chức năng chưa được hỗ trợ", "not implemented";
    ServiceUnavailable = "SERVICE_UNAVAILABLE", Unavailable, "Dịch vụ tạm thời không sẵn sàng, vui lòng thử lại sau", "the service is temporarily unavailable";
    UpstreamTimeout = "UPSTREAM_TIMEOUT", Unavailable, http 504, "Dịch vụ không trả lời kịp thời hạn", "the service did not answer in time";
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<ErrorCode> for String {
    fn eq(&self, other: &ErrorCode) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<ErrorCode> for &str {
    fn eq(&self, other: &ErrorCode) -> bool {
        *self == other.as_str()
    }
}

impl From<ErrorCode> for String {
    fn from(code: ErrorCode) -> Self {
        code.as_str().to_string()
    }
}

/// The catalogue as docs/errors.md lists it.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| code | gRPC status | HTTP | Tiếng Việt | English |\n|---|---|---|---|---|\n",
    );
    for code in ErrorCode::ALL {
        out.push_str(&format!(
            "| `{}` | `{}` | {} | {} | {} |\n",
            code.as_str(),
            code.kind().grpc_name(),
            code.http_status(),
            code.title(),
            code.title_en()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_upper_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} twice");
            assert!(
                text.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
                "{text}"
            );
        }
    }

    /// docs/errors.md lists the catalogue as it is: a code added here and not there fails.
    #[test]
    fn docs_list_every_code() {
        let docs = include_str!("../../../../docs/errors.md");
        let begin = "<!-- codes:begin -->\n";
        let listed = docs
            .split_once(begin)
            .and_then(|(_, rest)| rest.split_once("<!-- codes:end -->"))
            .map(|(table, _)| table)
            .unwrap_or_default();
        assert_eq!(
            listed,
            markdown_table(),
            "docs/errors.md is out of date; put this between its codes markers:\n{}",
            markdown_table()
        );
    }
}
