//! Personnel's configuration: the common service settings plus the token issuer and where
//! identity answers (for its signing keys).

use serde::Deserialize;
use tinhso_platform::config::{CommonConfig, ConfigError, Validate};

/// Built-in defaults; a TOML file and `TINHSO_*` variables override them.
pub const DEFAULTS: &str = r#"
grpc_addr = "0.0.0.0:50052"
metrics_addr = ""
issuer = "tinhso"
identity_url = "http://127.0.0.1:50051"
consumer_name = "personnel"

[database]
url = "sqlite://tinhso-personnel.db?mode=rwc"
max_connections = 10
"#;

#[derive(Debug, Clone, Deserialize)]
pub struct PersonnelConfig {
    #[serde(flatten)]
    pub common: CommonConfig,
    pub issuer: String,
    /// gRPC address of identity, for the token signing keys.
    pub identity_url: String,
    /// Prefix of the durable consumers on identity's stream; every replica of the service shares
    /// them (one delivery per event to the service), so only tests change it.
    pub consumer_name: String,
}

impl PersonnelConfig {
    pub fn load(
        file: Option<&std::path::Path>,
        env: &tinhso_platform::config::Env,
    ) -> Result<Self, ConfigError> {
        tinhso_platform::config::load(DEFAULTS, file, env)
    }
}

impl Validate for PersonnelConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        self.common.validate()?;
        if !(self.identity_url.starts_with("http://") || self.identity_url.starts_with("https://"))
        {
            return Err(ConfigError::invalid(
                "identity_url",
                format!(
                    "`{}` must start with http:// or https://",
                    self.identity_url
                ),
            ));
        }
        Ok(())
    }
}
