//! Account fields and the brute-force lockout: 5 failed logins within 15 minutes lock the
//! account for 15 minutes; a lock does not extend while it lasts; a success resets the count.

use tinhso_platform::ErrorCode;
use tinhso_platform::{AppError, AppResult};

pub const ONE_TIME_PASSWORD_HOURS: i64 = 72;

/// Usernames: 3-64 of lowercase letters, digits, `.`, `-`, `_`; stored lowercase.
pub fn check_username(field: &str, username: &str) -> AppResult<String> {
    let u = username.trim().to_lowercase();
    if u.is_empty() {
        return Err(AppError::invalid(
            field,
            ErrorCode::Required,
            "tên đăng nhập không được để trống",
            "username is required",
        ));
    }
    if u.len() < 3
        || u.len() > 64
        || !u
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        return Err(AppError::invalid(
            field,
            ErrorCode::BadFormat,
            "tên đăng nhập gồm 3-64 ký tự: chữ không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới",
            "username must be 3-64 letters, digits, '.', '-' or '_'",
        ));
    }
    Ok(u)
}

// Free text, email and phone are checked alike in every service.
pub use tinhso_platform::validate::{
    email as check_email, phone as check_phone, text as check_text,
};

/// Lockout thresholds.
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub max_failures: i64,
    pub window_ms: i64,
    pub lock_ms: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window_ms: 15 * 60 * 1000,
            lock_ms: 15 * 60 * 1000,
        }
    }
}

/// The failed-login state of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginState {
    pub failed_count: i64,
    pub window_start_ms: i64,
    pub locked_until_ms: i64,
}

impl LoginState {
    pub fn is_locked(&self, now_ms: i64) -> bool {
        self.locked_until_ms > now_ms
    }

    /// The state after a failed attempt at `now_ms`.
    pub fn after_failure(self, now_ms: i64, policy: LockoutPolicy) -> Self {
        if self.is_locked(now_ms) {
            return self;
        }
        let (count, start) =
            if self.failed_count == 0 || now_ms - self.window_start_ms > policy.window_ms {
                (1, now_ms)
            } else {
                (self.failed_count + 1, self.window_start_ms)
            };
        if count >= policy.max_failures {
            Self {
                failed_count: 0,
                window_start_ms: 0,
                locked_until_ms: now_ms + policy.lock_ms,
            }
        } else {
            Self {
                failed_count: count,
                window_start_ms: start,
                locked_until_ms: self.locked_until_ms,
            }
        }
    }

    /// The state after a successful login.
    pub fn after_success(self) -> Self {
        Self::default()
    }
}

/// Account statuses, as stored (`locked` is derived from the lock time, not stored).
pub fn status_to_proto(status: &str, locked: bool) -> i32 {
    match (status, locked) {
        ("disabled", _) => 3,
        (_, true) => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    #[test]
    fn five_failures_lock_for_fifteen_minutes_without_extension() {
        let p = LockoutPolicy::default();
        let mut s = LoginState::default();
        for i in 0..4 {
            s = s.after_failure(i * MIN, p);
            assert!(!s.is_locked(i * MIN));
        }
        s = s.after_failure(4 * MIN, p);
        assert!(s.is_locked(4 * MIN));
        assert_eq!(s.locked_until_ms, 19 * MIN);
        // Failures while locked do not extend the lock.
        let again = s.after_failure(10 * MIN, p);
        assert_eq!(again.locked_until_ms, 19 * MIN);
        assert!(!again.is_locked(19 * MIN));
    }

    #[test]
    fn failures_outside_the_window_start_over_and_success_resets() {
        let p = LockoutPolicy::default();
        let mut s = LoginState::default();
        for i in 0..4 {
            s = s.after_failure(i * MIN, p);
        }
        // The fifth failure comes 16 minutes after the first: a new window starts.
        s = s.after_failure(16 * MIN, p);
        assert!(!s.is_locked(16 * MIN));
        assert_eq!(s.failed_count, 1);
        s = s.after_failure(17 * MIN, p).after_success();
        assert_eq!(s, LoginState::default());
    }

    #[test]
    fn fields_are_checked() {
        assert_eq!(
            check_username("username", " NguyenVanA ").expect("ok"),
            "nguyenvana"
        );
        assert_eq!(
            check_username("username", "ng").expect_err("short").code,
            ErrorCode::BadFormat
        );
        assert_eq!(
            check_username("username", "nguyễn")
                .expect_err("accent")
                .code,
            ErrorCode::BadFormat
        );
        assert_eq!(
            check_email("email", "A@Sonoivu.Gov.VN").expect("ok"),
            "a@sonoivu.gov.vn"
        );
        assert_eq!(
            check_email("email", "a@b").expect_err("bad").code,
            ErrorCode::BadEmail
        );
        assert_eq!(
            check_phone("phone", "+84 912 345 678").expect("ok"),
            "0912345678"
        );
        assert_eq!(
            check_phone("phone", "0277.3851.234").expect("ok"),
            "02773851234"
        );
        assert_eq!(
            check_phone("phone", "12345").expect_err("bad").code,
            ErrorCode::BadPhone
        );
        assert_eq!(
            check_text("full_name", " ", true, 255)
                .expect_err("empty")
                .code,
            ErrorCode::Required
        );
    }
}
