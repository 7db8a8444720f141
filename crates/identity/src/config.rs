//! Identity's configuration: the common service settings plus the root unit, token lifetimes,
//! lockout and rate-limit thresholds and audit retention.

use serde::Deserialize;
use tinhso_platform::config::{CommonConfig, ConfigError, Validate};

/// Built-in defaults; a TOML file and `TINHSO_*` variables override them.
pub const DEFAULTS: &str = r#"
grpc_addr = "0.0.0.0:50051"
metrics_addr = ""
issuer = "tinhso"
bootstrap_admin_password = ""

[database]
url = "sqlite://tinhso-identity.db?mode=rwc"
max_connections = 10

[root_unit]
code = "UBND-TINH"
name = "Ủy ban nhân dân tỉnh"

[tokens]
access_ttl_secs = 300
refresh_ttl_secs = 2592000

[lockout]
max_failures = 5
window_secs = 900
lock_secs = 900

[login_rate]
max_attempts = 30
window_secs = 60

[audit]
retention_days = 0
"#;

#[derive(Debug, Clone, Deserialize)]
pub struct IdentityConfig {
    #[serde(flatten)]
    pub common: CommonConfig,
    pub issuer: String,
    /// Password of the bootstrap `admin`; empty generates one and prints it once.
    #[serde(default)]
    pub bootstrap_admin_password: String,
    pub root_unit: RootUnit,
    pub tokens: Tokens,
    pub lockout: Lockout,
    pub login_rate: LoginRate,
    pub audit: Audit,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RootUnit {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Tokens {
    pub access_ttl_secs: i64,
    pub refresh_ttl_secs: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Lockout {
    pub max_failures: i64,
    pub window_secs: i64,
    pub lock_secs: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LoginRate {
    pub max_attempts: usize,
    pub window_secs: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Audit {
    /// Days to keep audit entries; 0 keeps them forever.
    pub retention_days: i64,
}

impl Validate for IdentityConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        self.common.validate()?;
        if self.issuer.trim().is_empty() {
            return Err(ConfigError::invalid("issuer", "must not be empty"));
        }
        crate::domain::units::check_code("root_unit.code", &self.root_unit.code)
            .map_err(|e| ConfigError::invalid("root_unit.code", e.message_en))?;
        crate::domain::units::check_name("root_unit.name", &self.root_unit.name)
            .map_err(|e| ConfigError::invalid("root_unit.name", e.message_en))?;
        if !self.bootstrap_admin_password.is_empty() {
            crate::domain::password::check_policy(
                "bootstrap_admin_password",
                &self.bootstrap_admin_password,
                "admin",
            )
            .map_err(|e| {
                ConfigError::invalid(
                    "bootstrap_admin_password",
                    e.violations
                        .first()
                        .map(|v| v.message_en.clone())
                        .unwrap_or_default(),
                )
            })?;
        }
        if !(60..=3600).contains(&self.tokens.access_ttl_secs) {
            return Err(ConfigError::invalid(
                "tokens.access_ttl_secs",
                "must be between 60 and 3600",
            ));
        }
        if self.tokens.refresh_ttl_secs < self.tokens.access_ttl_secs {
            return Err(ConfigError::invalid(
                "tokens.refresh_ttl_secs",
                "must not be shorter than the access token",
            ));
        }
        if self.lockout.max_failures < 1
            || self.lockout.window_secs < 1
            || self.lockout.lock_secs < 1
        {
            return Err(ConfigError::invalid(
                "lockout",
                "thresholds must be positive",
            ));
        }
        if self.login_rate.max_attempts == 0 || self.login_rate.window_secs < 1 {
            return Err(ConfigError::invalid(
                "login_rate",
                "limits must be positive",
            ));
        }
        if self.audit.retention_days < 0 {
            return Err(ConfigError::invalid(
                "audit.retention_days",
                "must be 0 (forever) or more",
            ));
        }
        Ok(())
    }
}

impl IdentityConfig {
    /// Loads from defaults, an optional TOML file and the given environment.
    pub fn load(
        file: Option<&std::path::Path>,
        env: &tinhso_platform::config::Env,
    ) -> Result<Self, ConfigError> {
        tinhso_platform::config::load(DEFAULTS, file, env)
    }

    pub fn lockout_policy(&self) -> crate::domain::accounts::LockoutPolicy {
        crate::domain::accounts::LockoutPolicy {
            max_failures: self.lockout.max_failures,
            window_ms: self.lockout.window_secs * 1000,
            lock_ms: self.lockout.lock_secs * 1000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> tinhso_platform::config::Env {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_load_and_bad_values_name_their_key() {
        let c = IdentityConfig::load(None, &env(&[])).expect("defaults are valid");
        assert_eq!(c.tokens.access_ttl_secs, 300);
        let e = IdentityConfig::load(None, &env(&[("TINHSO_TOKENS__ACCESS_TTL_SECS", "5")]))
            .expect_err("bad");
        assert!(e.to_string().contains("tokens.access_ttl_secs"), "{e}");
        let e = IdentityConfig::load(None, &env(&[("TINHSO_BOOTSTRAP_ADMIN_PASSWORD", "short")]))
            .expect_err("bad");
        assert!(e.to_string().contains("bootstrap_admin_password"), "{e}");
        let e = IdentityConfig::load(None, &env(&[("TINHSO_ROOT_UNIT__CODE", "Tỉnh")]))
            .expect_err("bad");
        assert!(e.to_string().contains("root_unit.code"), "{e}");
    }

    #[test]
    fn digits_in_text_settings_are_kept_as_written() {
        let c = IdentityConfig::load(
            None,
            &env(&[
                ("TINHSO_BOOTSTRAP_ADMIN_PASSWORD", "0123456789012345"),
                ("TINHSO_ROOT_UNIT__CODE", "01"),
                ("TINHSO_ISSUER", "007"),
                ("TINHSO_TOKENS__ACCESS_TTL_SECS", "600"),
            ]),
        )
        .expect("valid");
        assert_eq!(c.bootstrap_admin_password, "0123456789012345");
        assert_eq!(c.root_unit.code, "01");
        assert_eq!(c.issuer, "007");
        assert_eq!(c.tokens.access_ttl_secs, 600);
    }
}
