//! The organisation-unit tree: kinds, field rules and materialized paths (`/root/child/`).

use tinhso_platform::ErrorCode;
use tinhso_platform::{AppError, AppResult, UnitPath};

/// Unit kinds, as stored.
pub const KINDS: &[&str] = &[
    "province",
    "department",
    "district",
    "commune",
    "public_service_unit",
    "association",
    "other",
];

/// Proto enum value -> stored kind.
pub fn kind_from_proto(value: i32) -> Option<&'static str> {
    usize::try_from(value)
        .ok()
        .and_then(|v| v.checked_sub(1))
        .and_then(|i| KINDS.get(i).copied())
}

/// Stored kind -> proto enum value.
pub fn kind_to_proto(kind: &str) -> i32 {
    KINDS
        .iter()
        .position(|k| *k == kind)
        .map(|i| i as i32 + 1)
        .unwrap_or(0)
}

/// Unit names: 1-255 characters after trimming.
pub fn check_name(field: &str, name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid(
            field,
            ErrorCode::Required,
            "tên đơn vị không được để trống",
            "unit name is required",
        ));
    }
    if name.chars().count() > 255 {
        return Err(AppError::invalid(
            field,
            ErrorCode::TooLong,
            "tên đơn vị không được dài quá 255 ký tự",
            "unit name is longer than 255 characters",
        ));
    }
    Ok(name.to_string())
}

/// Unit codes: 1-32 of letters, digits, `.`, `-`, `_` (e.g. the state budget-unit code).
pub fn check_code(field: &str, code: &str) -> AppResult<String> {
    let code = code.trim();
    if code.is_empty() {
        return Err(AppError::invalid(
            field,
            ErrorCode::Required,
            "mã đơn vị không được để trống",
            "unit code is required",
        ));
    }
    if code.len() > 32
        || !code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    {
        return Err(AppError::invalid(
            field,
            ErrorCode::BadFormat,
            "mã đơn vị chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới và tối đa 32 ký tự",
            "unit code must be at most 32 letters, digits, '.', '-' or '_'",
        ));
    }
    Ok(code.to_string())
}

/// Checks that `unit_path` may move under `new_parent_path`: not under itself or a descendant.
pub fn check_move(unit_path: &UnitPath, new_parent_path: &UnitPath) -> AppResult<()> {
    if new_parent_path.is_under(unit_path) {
        return Err(AppError::failed_precondition(
            ErrorCode::UnitMoveCycle,
            "Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó",
            "a unit cannot move under itself or one of its descendants",
        )
        .with_field("new_parent_id"));
    }
    Ok(())
}

/// Parses an ISO date `YYYY-MM-DD` kept as text.
pub use tinhso_platform::api::date_parts_text as date_text;

/// Today's date in Vietnam (UTC+7) as `YYYY-MM-DD`, from Unix milliseconds.
pub use tinhso_platform::clock::vietnam_date_text as date_text_today;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        assert_eq!(kind_from_proto(1), Some("province"));
        assert_eq!(kind_from_proto(4), Some("commune"));
        assert_eq!(kind_from_proto(0), None);
        assert_eq!(kind_from_proto(99), None);
        assert_eq!(kind_to_proto("association"), 6);
    }

    #[test]
    fn moves_under_own_subtree_are_cycles() {
        let path = UnitPath::new;
        assert!(check_move(&path("/r/a/"), &path("/r/a/b/")).is_err());
        assert!(check_move(&path("/r/a/"), &path("/r/a/")).is_err());
        assert!(check_move(&path("/r/a/"), &path("/r/c/")).is_ok());
        assert!(
            check_move(&path("/r/a/"), &path("/r/ab/")).is_ok(),
            "path segments end with '/', so /r/ab/ is not under /r/a/"
        );
    }

    #[test]
    fn names_codes_and_dates_are_checked() {
        assert_eq!(check_name("name", "  Sở Nội vụ ").expect("ok"), "Sở Nội vụ");
        assert_eq!(
            check_name("name", "  ").expect_err("empty").code,
            ErrorCode::Required
        );
        assert_eq!(
            check_name("name", &"ă".repeat(256)).expect_err("long").code,
            ErrorCode::TooLong
        );
        assert_eq!(check_code("code", "SNV-01").expect("ok"), "SNV-01");
        assert_eq!(
            check_code("code", "Sở").expect_err("bad").code,
            ErrorCode::BadFormat
        );
        assert_eq!(
            date_text(2025, 7, 1, "valid_from").expect("ok"),
            "2025-07-01"
        );
        assert!(date_text(2025, 2, 30, "valid_from").is_err());
    }
}
