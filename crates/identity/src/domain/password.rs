//! Password policy (length 12-128, not a common password, not containing the username; no
//! composition rules), argon2id hashing (19 MiB, t=2, p=1) and one-time secrets.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use std::collections::HashSet;
use std::sync::LazyLock;
use tinhso_platform::ErrorCode;
use tinhso_platform::{AppError, AppResult};

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 128;

static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .map(|l| l.trim().to_lowercase())
        .filter(|l| !l.is_empty())
        .collect()
});

/// Number of entries in the shipped common-password list.
pub fn common_list_len() -> usize {
    COMMON.len()
}

/// Checks a new password against the policy; the error names `field`.
pub fn check_policy(field: &str, password: &str, username: &str) -> AppResult<()> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(AppError::invalid(
            field,
            ErrorCode::PasswordTooShort,
            "mật khẩu phải có ít nhất 12 ký tự",
            "password must have at least 12 characters",
        ));
    }
    if length > MAX_LENGTH {
        return Err(AppError::invalid(
            field,
            ErrorCode::PasswordTooLong,
            "mật khẩu không được dài quá 128 ký tự",
            "password must have at most 128 characters",
        ));
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower) {
        return Err(AppError::invalid(
            field,
            ErrorCode::PasswordTooCommon,
            "mật khẩu quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác",
            "password is too common; choose another",
        ));
    }
    let user = username.trim().to_lowercase();
    if !user.is_empty() && lower.contains(&user) {
        return Err(AppError::invalid(
            field,
            ErrorCode::PasswordContainsUsername,
            "mật khẩu không được chứa tên đăng nhập",
            "password must not contain the username",
        ));
    }
    Ok(())
}

fn hasher() -> Argon2<'static> {
    // 19 MiB, 2 passes, 1 lane: the OWASP argon2id baseline.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password to a PHC string. CPU-heavy: call it off the async threads.
pub fn hash(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Checks a password against a PHC hash. CPU-heavy: call it off the async threads.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash that matches nothing, verified for unknown usernames so that timing does not tell
/// whether an account exists.
pub static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash("tinhso-dummy-password-never-matches").unwrap_or_default());

/// A random one-time password: 16 characters from an alphabet without look-alikes.
pub fn one_time_password() -> Result<String, String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}

/// An opaque random token (refresh tokens, client secrets): 32 random bytes, base64url.
pub fn random_token() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| e.to_string())?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// SHA-256 of a token, hex: refresh tokens are stored only as this.
pub fn token_digest(token: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_rejects_short_long_common_and_username() {
        assert!(common_list_len() >= 10_000);
        let code = |p: &str| {
            check_policy("new_password", p, "nguyenvana")
                .err()
                .map(|e| e.code)
        };
        assert_eq!(code("short"), Some(ErrorCode::PasswordTooShort));
        assert_eq!(code(&"x".repeat(129)), Some(ErrorCode::PasswordTooLong));
        assert_eq!(code("MatKhau123456"), Some(ErrorCode::PasswordTooCommon));
        assert_eq!(
            code("abc-NguyenVanA-2024"),
            Some(ErrorCode::PasswordContainsUsername)
        );
        assert_eq!(
            code("sông Hồng chảy về biển"),
            None,
            "no composition rules; unicode counts by character"
        );
        let err = check_policy("new_password", "short", "x").expect_err("too short");
        assert_eq!(err.violations[0].field, "new_password");
    }

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = hash("một mật khẩu đủ dài").expect("hash");
        let b = hash("một mật khẩu đủ dài").expect("hash");
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert!(verify("một mật khẩu đủ dài", &a));
        assert!(!verify("mot mat khau du dai", &a));
        assert!(!verify("anything", &DUMMY_HASH));
    }

    #[test]
    fn secrets_are_random_and_well_formed() {
        let p = one_time_password().expect("otp");
        assert_eq!(p.chars().count(), 16);
        assert_ne!(p, one_time_password().expect("otp"));
        assert_eq!(token_digest("abc").len(), 64);
        assert_ne!(random_token().expect("t"), random_token().expect("t"));
    }
}
