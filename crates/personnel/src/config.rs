//! Personnel's configuration: the common service settings plus the token issuer and where
//! identity answers (for its signing keys).

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

/// Personnel's defaults.
#[derive(Debug, Clone)]
pub struct PersonnelDefaults;

impl tinhso_platform::follower::Defaults for PersonnelDefaults {
    const DEFAULTS: &'static str = DEFAULTS;
}

/// The common service settings, the token issuer, identity's address and the consumer name.
pub type PersonnelConfig = tinhso_platform::follower::FollowerConfig<PersonnelDefaults>;

#[cfg(test)]
mod tests {
    use super::*;
    use tinhso_platform::config::ConfigError;

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
