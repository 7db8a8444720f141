//! Field checks every service shares: free text, email, Vietnamese phone numbers, and the
//! citizen ID number. Each error names the field, with a Vietnamese and an English message.

use crate::{AppError, AppResult};

/// Required person's name or other free text of at most `max` characters.
pub fn text(field: &str, value: &str, required: bool, max: usize) -> AppResult<String> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(AppError::invalid(
            field,
            "REQUIRED",
            "trường này không được để trống",
            "this field is required",
        ));
    }
    if v.chars().count() > max {
        return Err(AppError::invalid(
            field,
            "TOO_LONG",
            &format!("không được dài quá {max} ký tự"),
            &format!("must be at most {max} characters"),
        ));
    }
    Ok(v.to_string())
}

/// Email: optional; one `@`, a dotted domain, no spaces.
pub fn email(field: &str, email: &str) -> AppResult<String> {
    let e = email.trim().to_lowercase();
    if e.is_empty() {
        return Ok(e);
    }
    let valid = e.len() <= 254
        && !e.contains(char::is_whitespace)
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if !valid {
        return Err(AppError::invalid(
            field,
            "BAD_EMAIL",
            "địa chỉ thư điện tử không hợp lệ",
            "invalid email address",
        ));
    }
    Ok(e)
}

/// Phone: optional; a Vietnamese number `0xxxxxxxxx` or `+84xxxxxxxxx` (9-10 digits after the
/// prefix); spaces, dots and dashes are ignored. Stored as digits with the leading 0.
pub fn phone(field: &str, phone: &str) -> AppResult<String> {
    let compact: String = phone
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    if compact.is_empty() {
        return Ok(compact);
    }
    let national = match compact.strip_prefix("+84") {
        Some(rest) => format!("0{rest}"),
        None => compact,
    };
    let digits = national.len() - 1;
    if !national.starts_with('0')
        || !(9..=10).contains(&digits)
        || !national.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(AppError::invalid(
            field,
            "BAD_PHONE",
            "số điện thoại không hợp lệ",
            "invalid phone number",
        ));
    }
    Ok(national)
}

/// Citizen identity card number (CCCD): optional, exactly 12 digits.
pub fn citizen_id(field: &str, value: &str) -> AppResult<String> {
    let v: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if v.is_empty() || (v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit())) {
        return Ok(v);
    }
    Err(AppError::invalid(
        field,
        "BAD_CITIZEN_ID",
        "số căn cước công dân gồm đúng 12 chữ số",
        "the citizen ID number has exactly 12 digits",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citizen_ids_have_twelve_digits() {
        assert_eq!(
            citizen_id("id", " 0870 9100 1234 ").expect("ok"),
            "087091001234"
        );
        assert_eq!(citizen_id("id", "").expect("empty ok"), "");
        assert_eq!(
            citizen_id("id", "12345").expect_err("short").code,
            "BAD_CITIZEN_ID"
        );
        assert!(citizen_id("id", "08709100123A").is_err());
    }
}
