//! The gateway's configuration: where it listens, which address serves each proto domain, the
//! token issuer, limits, CORS and the login rate limit.

use serde::Deserialize;
use std::collections::HashMap;
use tinhso_platform::config::{ConfigError, TelemetryConfig, Validate, validate_addr};

/// Built-in defaults; a TOML file and `TINHSO_*` variables override them
/// (e.g. `TINHSO_UPSTREAMS__IDENTITY=http://identity:50051`).
pub const DEFAULTS: &str = r#"
http_addr = "0.0.0.0:8080"
metrics_addr = ""
issuer = "tinhso"
request_timeout_ms = 15000
stream_timeout_ms = 300000
max_body_bytes = 1048576
max_upload_bytes = 20971520
trust_forwarded_for = false
cors_allowed_origins = []

[upstreams]
identity = "http://127.0.0.1:50051"

[login_rate]
max_attempts = 30
window_secs = 60
"#;

#[derive(Debug, Clone, Deserialize)]
pub struct GatewayConfig {
    /// HTTP listen address of the REST API.
    pub http_addr: String,
    /// Prometheus metrics listen address; empty disables it.
    #[serde(default)]
    pub metrics_addr: String,
    /// Issuer the access tokens must carry (identity's `issuer`).
    pub issuer: String,
    /// gRPC address per proto domain: `identity` serves `tinhso.identity.v1`.
    pub upstreams: HashMap<String, String>,
    /// Deadline of one upstream call.
    pub request_timeout_ms: u64,
    /// Deadline of an upload or download.
    pub stream_timeout_ms: u64,
    /// Largest accepted JSON request body.
    pub max_body_bytes: usize,
    /// Largest accepted uploaded file (streamed, never held whole).
    pub max_upload_bytes: usize,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted ingress).
    pub trust_forwarded_for: bool,
    /// Origins allowed by CORS; empty turns CORS off (same-origin only). From the environment,
    /// a comma-separated list.
    #[serde(default, deserialize_with = "list_or_comma_separated")]
    pub cors_allowed_origins: Vec<String>,
    /// Deadlines of particular routes by template, e.g.
    /// `"/api/v1/accounts:import" = 600000`, over `request_timeout_ms`/`stream_timeout_ms`.
    #[serde(default)]
    pub route_timeouts_ms: HashMap<String, u64>,
    /// Per-client-address limit on the anonymous auth routes (login, refresh).
    pub login_rate: LoginRate,
    #[serde(default)]
    pub telemetry: TelemetryConfig,
}

fn list_or_comma_separated<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrText {
        List(Vec<String>),
        Text(String),
    }
    Ok(match ListOrText::deserialize(d)? {
        ListOrText::List(list) => list,
        ListOrText::Text(text) => text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

#[derive(Debug, Clone, Deserialize)]
pub struct LoginRate {
    pub max_attempts: usize,
    pub window_secs: i64,
}

impl GatewayConfig {
    /// Loads defaults, then the optional file, then the environment.
    pub fn load(
        file: Option<&std::path::Path>,
        env: &tinhso_platform::config::Env,
    ) -> Result<Self, ConfigError> {
        tinhso_platform::config::load(DEFAULTS, file, env)
    }
}

impl Validate for GatewayConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        validate_addr("http_addr", &self.http_addr)?;
        if !self.metrics_addr.is_empty() {
            validate_addr("metrics_addr", &self.metrics_addr)?;
        }
        for (domain, address) in &self.upstreams {
            if !(address.starts_with("http://") || address.starts_with("https://")) {
                return Err(ConfigError::invalid(
                    &format!("upstreams.{domain}"),
                    format!("`{address}` must start with http:// or https://"),
                ));
            }
        }
        if self.request_timeout_ms == 0 {
            return Err(ConfigError::invalid(
                "request_timeout_ms",
                "must be at least 1",
            ));
        }
        if self.stream_timeout_ms == 0 {
            return Err(ConfigError::invalid(
                "stream_timeout_ms",
                "must be at least 1",
            ));
        }
        if self.max_upload_bytes == 0 {
            return Err(ConfigError::invalid(
                "max_upload_bytes",
                "must be at least 1",
            ));
        }
        if self.max_body_bytes == 0 {
            return Err(ConfigError::invalid("max_body_bytes", "must be at least 1"));
        }
        if self.login_rate.max_attempts == 0 || self.login_rate.window_secs <= 0 {
            return Err(ConfigError::invalid(
                "login_rate",
                "max_attempts and window_secs must be positive",
            ));
        }
        for (route, ms) in &self.route_timeouts_ms {
            if *ms == 0 || !route.starts_with('/') {
                return Err(ConfigError::invalid(
                    &format!("route_timeouts_ms.{route}"),
                    "needs a route template starting with / and a deadline of at least 1 ms",
                ));
            }
        }
        for origin in &self.cors_allowed_origins {
            if origin != "*" && !origin.starts_with("http") {
                return Err(ConfigError::invalid(
                    "cors_allowed_origins",
                    format!("`{origin}` is not an origin such as https://app.example.gov.vn"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstreams_come_from_the_environment_and_bad_ones_are_named() {
        let env = vec![(
            "TINHSO_UPSTREAMS__IDENTITY".to_string(),
            "http://identity:50051".to_string(),
        )];
        let config = GatewayConfig::load(None, &env).expect("valid");
        assert_eq!(config.upstreams["identity"], "http://identity:50051");

        let env = vec![(
            "TINHSO_UPSTREAMS__IDENTITY".to_string(),
            "identity:50051".to_string(),
        )];
        let err = GatewayConfig::load(None, &env).expect_err("no scheme");
        assert!(err.to_string().contains("upstreams.identity"), "{err}");
    }
}
