//! The decision of a password login: which refusal applies, checked in a fixed order so the
//! answer never tells an attacker more than "wrong username or password" would.

use super::accounts::LoginState;

/// What the login decision needs to know of the account and the attempt.
#[derive(Debug, Clone, Copy)]
pub struct LoginAttempt {
    pub disabled: bool,
    pub state: LoginState,
    /// The password matched the account's current hash.
    pub password_matches: bool,
    pub is_service_account: bool,
    /// The caller used the service-account login.
    pub wants_service: bool,
    pub must_change_password: bool,
    /// When the one-time password stops working (none for the bootstrap admin's).
    pub password_expires_at: Option<i64>,
}

/// Why a login is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRefusal {
    Disabled,
    Locked,
    WrongPassword,
    /// A person used the service login or a service account the person login.
    WrongAccountKind,
    /// The right one-time password, after its 72 hours.
    OneTimePasswordExpired,
}

impl LoginRefusal {
    /// The reason written to the audit trail.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Disabled => "disabled",
            Self::Locked => "locked",
            Self::WrongPassword => "wrong_password",
            Self::WrongAccountKind => "wrong_account_kind",
            Self::OneTimePasswordExpired => "one_time_password_expired",
        }
    }

    /// Only a wrong password counts towards the lockout: a locked or disabled account's failures
    /// must not extend its lock.
    pub fn counts_as_failure(self) -> bool {
        self == Self::WrongPassword
    }
}

/// Decides a login. A disabled or locked account is refused before the password is looked at,
/// so a correct guess against a locked account is not distinguishable from a wrong one; the
/// expiry of a one-time password is told only to whoever knows it.
pub fn decide(attempt: &LoginAttempt, now_ms: i64) -> Result<(), LoginRefusal> {
    if attempt.disabled {
        return Err(LoginRefusal::Disabled);
    }
    if attempt.state.is_locked(now_ms) {
        return Err(LoginRefusal::Locked);
    }
    if !attempt.password_matches {
        return Err(LoginRefusal::WrongPassword);
    }
    if attempt.is_service_account != attempt.wants_service {
        return Err(LoginRefusal::WrongAccountKind);
    }
    if attempt.must_change_password && attempt.password_expires_at.is_some_and(|t| t <= now_ms) {
        return Err(LoginRefusal::OneTimePasswordExpired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok_person() -> LoginAttempt {
        LoginAttempt {
            disabled: false,
            state: LoginState::default(),
            password_matches: true,
            is_service_account: false,
            wants_service: false,
            must_change_password: false,
            password_expires_at: None,
        }
    }

    #[test]
    fn refusals_come_in_order_and_a_locked_account_hides_whether_the_password_was_right() {
        let now = 1_000_000;
        assert_eq!(decide(&ok_person(), now), Ok(()));
        let locked = LoginAttempt {
            state: LoginState {
                locked_until_ms: now + 1,
                ..Default::default()
            },
            ..ok_person()
        };
        assert_eq!(decide(&locked, now), Err(LoginRefusal::Locked));
        let locked_wrong = LoginAttempt {
            password_matches: false,
            ..locked
        };
        assert_eq!(decide(&locked_wrong, now), Err(LoginRefusal::Locked));
        let disabled = LoginAttempt {
            disabled: true,
            ..locked
        };
        assert_eq!(decide(&disabled, now), Err(LoginRefusal::Disabled));
        let service_as_person = LoginAttempt {
            is_service_account: true,
            ..ok_person()
        };
        assert_eq!(
            decide(&service_as_person, now),
            Err(LoginRefusal::WrongAccountKind)
        );
        assert!(!LoginRefusal::Locked.counts_as_failure());
        assert!(LoginRefusal::WrongPassword.counts_as_failure());
    }

    #[test]
    fn a_one_time_password_expires_but_the_bootstrap_one_does_not() {
        let now = 1_000_000;
        let expired = LoginAttempt {
            must_change_password: true,
            password_expires_at: Some(now),
            ..ok_person()
        };
        assert_eq!(
            decide(&expired, now),
            Err(LoginRefusal::OneTimePasswordExpired)
        );
        let wrong_and_expired = LoginAttempt {
            password_matches: false,
            ..expired
        };
        assert_eq!(
            decide(&wrong_and_expired, now),
            Err(LoginRefusal::WrongPassword),
            "only who knows the password learns it expired"
        );
        let bootstrap = LoginAttempt {
            password_expires_at: None,
            ..expired
        };
        assert_eq!(decide(&bootstrap, now), Ok(()));
    }
}
