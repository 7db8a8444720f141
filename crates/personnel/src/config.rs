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
            || tonic::transport::Endpoint::from_shared(self.identity_url.clone()).is_err()
        {
            return Err(ConfigError::invalid(
                "identity_url",
                format!(
                    "`{}` must be an http:// or https:// address",
                    self.identity_url
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<PersonnelConfig, ConfigError> {
        let env = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        PersonnelConfig::load(None, &env)
    }

    #[test]
    fn identity_must_be_an_address_personnel_can_call() {
        let c = load(&[]).expect("defaults are valid");
        assert_eq!(c.identity_url, "http://127.0.0.1:50051");
        for bad in ["identity:50051", "http://iden tity:50051", "ftp://identity"] {
            let e = load(&[("TINHSO_IDENTITY_URL", bad)]).expect_err(bad);
            assert!(e.to_string().contains("identity_url"), "{bad}: {e}");
        }
    }
}
