//! Field checks every service shares: free text, email, Vietnamese phone numbers, and the
//! citizen ID number. Each error names the field, with a Vietnamese and an English message.

use crate::error::ErrorCode;
use crate::{AppError, AppResult};

/// Required person's name or other free text of at most `max` characters.
pub fn text(field: &str, value: &str, required: bool, max: usize) -> AppResult<String> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(AppError::invalid(
            field,
            ErrorCode::Required,
            "trường này không được để trống",
            "this field is required",
        ));
    }
    if v.chars().count() > max {
        return Err(AppError::invalid(
            field,
            ErrorCode::TooLong,
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
            ErrorCode::BadEmail,
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
            ErrorCode::BadPhone,
            "số điện thoại không hợp lệ",
            "invalid phone number",
        ));
    }
    Ok(national)
}

/// Citizen identity card number (CCCD): optional, exactly 12 digits.
pub fn citizen_id(field: &str, value: &str) -> AppResult<String> {
    let v: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let digits = v.bytes().all(|b| b.is_ascii_digit());
    // A CCCD begins with the code of the province of birth registration, 001 to 096.
    let province_ok = || {
        v.get(..3)
            .and_then(|c| c.parse::<u32>().ok())
            .is_some_and(|c| (1..=96).contains(&c))
    };
    if v.is_empty() || (digits && v.len() == 9) || (digits && v.len() == 12 && province_ok()) {
        return Ok(v);
    }
    Err(AppError::invalid(
        field,
        ErrorCode::BadCitizenId,
        "số căn cước công dân gồm 12 chữ số, bắt đầu bằng mã tỉnh 001-096 (chứng minh nhân dân cũ: 9 chữ số)",
        "the citizen ID has 12 digits starting with a province code 001-096 (legacy ID card: 9 digits)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_ids_have_nine_digits_and_citizen_ids_a_province_code() {
        assert_eq!(citizen_id("id", "381234567").expect("CMND"), "381234567");
        assert!(citizen_id("id", "0381234567").is_err(), "ten digits");
        assert!(citizen_id("id", "000085001234").is_err(), "no province 000");
        assert!(citizen_id("id", "099085001234").is_err(), "no province 099");
        assert!(citizen_id("id", "096085001234").is_ok());
    }

    #[test]
    fn citizen_ids_have_twelve_digits() {
        assert_eq!(
            citizen_id("id", " 0870 9100 1234 ").expect("ok"),
            "087091001234"
        );
        assert_eq!(citizen_id("id", "").expect("empty ok"), "");
        assert_eq!(
            citizen_id("id", "12345").expect_err("short").code,
            ErrorCode::BadCitizenId
        );
        assert!(citizen_id("id", "08709100123A").is_err());
    }
}
