//! The console's configuration: where it listens, where the services are, its own database (the
//! sessions), and the session's lifetimes.

use serde::Deserialize;
use tinhso_platform::config::{
    ConfigError, DatabaseConfig, TelemetryConfig, Validate, validate_addr,
};

/// Built-in defaults; a TOML file and `TINHSO_*` variables override them
/// (e.g. `TINHSO_IDENTITY_URL=http://identity:50051`).
pub const DEFAULTS: &str = r#"
http_addr = "0.0.0.0:8081"
metrics_addr = ""
issuer = "tinhso"
identity_url = "http://127.0.0.1:50051"
personnel_url = "http://127.0.0.1:50052"
welfare_url = "http://127.0.0.1:50053"
secure_cookies = true
trust_forwarded_for = false
idle_timeout_secs = 1800
absolute_lifetime_secs = 43200
request_timeout_ms = 15000

[database]
url = "sqlite://tinhso-console.db?mode=rwc"
max_connections = 10
"#;

#[derive(Debug, Clone, Deserialize)]
pub struct ConsoleConfig {
    /// HTTP listen address of the console.
    pub http_addr: String,
    /// Prometheus metrics listen address; empty disables it.
    #[serde(default)]
    pub metrics_addr: String,
    /// Issuer the access tokens carry (identity's `issuer`).
    pub issuer: String,
    pub identity_url: String,
    pub personnel_url: String,
    pub welfare_url: String,
    /// The session cookie is `Secure` (HTTPS only): off only for `tinhso dev` on plain HTTP.
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted ingress).
    pub trust_forwarded_for: bool,
    /// A session unused this long ends (30 minutes by default).
    pub idle_timeout_secs: i64,
    /// A session ends this long after sign-in, used or not (12 hours by default).
    pub absolute_lifetime_secs: i64,
    /// Deadline of one call to a service.
    pub request_timeout_ms: u64,
    /// The console's own database: its sessions, shared by every replica.
    pub database: DatabaseConfig,
    #[serde(default)]
    pub telemetry: TelemetryConfig,
}

impl ConsoleConfig {
    /// Loads defaults, then the optional file, then the environment.
    pub fn load(
        file: Option<&std::path::Path>,
        env: &tinhso_platform::config::Env,
    ) -> Result<Self, ConfigError> {
        tinhso_platform::config::load(DEFAULTS, file, env)
    }
}

impl Validate for ConsoleConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        validate_addr("http_addr", &self.http_addr)?;
        if !self.metrics_addr.is_empty() {
            validate_addr("metrics_addr", &self.metrics_addr)?;
        }
        for (key, url) in [
            ("identity_url", &self.identity_url),
            ("personnel_url", &self.personnel_url),
            ("welfare_url", &self.welfare_url),
        ] {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError::invalid(
                    key,
                    format!("`{url}` must start with http:// or https://"),
                ));
            }
        }
        if self.idle_timeout_secs <= 0 || self.absolute_lifetime_secs < self.idle_timeout_secs {
            return Err(ConfigError::invalid(
                "idle_timeout_secs",
                "must be positive and no longer than absolute_lifetime_secs",
            ));
        }
        Ok(())
    }
}
