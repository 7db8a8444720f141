//! Welfare's configuration: the common service settings plus the token issuer, where identity
//! answers (for its signing keys and revocations) and the name of its durable consumers.

/// Built-in defaults; a TOML file and `TINHSO_*` variables override them.
pub const DEFAULTS: &str = r#"
grpc_addr = "0.0.0.0:50053"
metrics_addr = ""
issuer = "tinhso"
identity_url = "http://127.0.0.1:50051"
consumer_name = "welfare"

[database]
url = "sqlite://tinhso-welfare.db?mode=rwc"
max_connections = 10
"#;

/// Welfare's defaults.
#[derive(Debug, Clone)]
pub struct WelfareDefaults;

impl tinhso_platform::follower::Defaults for WelfareDefaults {
    const DEFAULTS: &'static str = DEFAULTS;
}

pub type WelfareConfig = tinhso_platform::follower::FollowerConfig<WelfareDefaults>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welfare_listens_on_its_own_port_and_needs_a_callable_identity() {
        let env = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let c = WelfareConfig::load(None, &env(&[])).expect("defaults are valid");
        assert_eq!(c.common.grpc_addr, "0.0.0.0:50053");
        assert_eq!(c.consumer_name, "welfare");
        let e = WelfareConfig::load(None, &env(&[("TINHSO_IDENTITY_URL", "identity:50051")]))
            .expect_err("not an address");
        assert!(e.to_string().contains("identity_url"), "{e}");
    }
}
