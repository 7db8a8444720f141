//! Layered configuration: built-in defaults -> optional TOML file -> environment variables
//! `TINHSO_<SECTION>__<KEY>` (environment wins, for Kubernetes). A variable ending in `_FILE`
//! names a file whose content is the value (secrets mounted as files). After loading, the typed
//! configuration is validated; any bad value stops start-up with a message naming the key.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::path::Path;

/// A configuration error that names the key at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration key `{key}`: {message}")]
    Invalid { key: String, message: String },
    #[error("configuration: {0}")]
    Load(String),
}

impl ConfigError {
    pub fn invalid(key: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            key: key.to_string(),
            message: message.into(),
        }
    }
}

/// Checks of values that types alone cannot express.
pub trait Validate {
    fn validate(&self) -> Result<(), ConfigError>;
}

/// The environment as key/value pairs; a parameter so tests need not touch the process.
pub type Env = Vec<(String, String)>;

/// The process environment.
pub fn process_env() -> Env {
    std::env::vars().collect()
}

/// Loads `T` from the defaults, an optional TOML file and the environment, then validates it.
pub fn load<T: DeserializeOwned + Validate>(
    defaults_toml: &str,
    file: Option<&Path>,
    env: &Env,
) -> Result<T, ConfigError> {
    let mut builder = config::Config::builder().add_source(config::File::from_str(
        defaults_toml,
        config::FileFormat::Toml,
    ));
    if let Some(path) = file {
        if !path.exists() {
            return Err(ConfigError::Load(format!(
                "config file {} does not exist",
                path.display()
            )));
        }
        builder = builder.add_source(config::File::from(path).format(config::FileFormat::Toml));
    }
    let mut overrides: Vec<(String, String)> = Vec::new();
    for (name, value) in env {
        let Some(rest) = name.strip_prefix("TINHSO_") else {
            continue;
        };
        let (rest, value) = match rest.strip_suffix("_FILE") {
            Some(base) => {
                let content = std::fs::read_to_string(value).map_err(|e| {
                    ConfigError::invalid(
                        &env_key(base),
                        format!("cannot read secret file {value}: {e}"),
                    )
                })?;
                (base, content.trim_end_matches(['\n', '\r']).to_string())
            }
            None => (rest, value.clone()),
        };
        let key = env_key(rest);
        // Every value stays text here: `config` turns text into a number or a boolean only when
        // the field asks for one, so `ROOT_UNIT__CODE=01` stays "01" and a password of digits
        // keeps its leading zero. Fields reached through serde's `flatten` cannot ask, so they
        // accept either form (`number_or_text`).
        builder = builder
            .set_override(key.clone(), value.clone())
            .map_err(|e| ConfigError::Load(e.to_string()))?;
        overrides.push((key, value));
    }
    let raw = builder
        .build()
        .map_err(|e| ConfigError::Load(e.to_string()))?;
    let typed: T = raw.try_deserialize().map_err(|e| {
        let text = e.to_string();
        // config names the key as "for key `a.b`"; keep that as the key at fault.
        // Through serde's flatten the key is lost; find the override whose value is quoted.
        let from_env = overrides
            .iter()
            .find(|(_, v)| text.contains(&format!("\"{v}\"")))
            .map(|(k, _)| k.as_str());
        match text
            .split("for key `")
            .nth(1)
            .and_then(|s| s.split('`').next())
            .or(from_env)
        {
            Some(key) => ConfigError::invalid(key, text.clone()),
            None => ConfigError::Load(text),
        }
    })?;
    typed.validate()?;
    Ok(typed)
}

/// `DATABASE__MAX_CONNECTIONS` -> `database.max_connections`.
fn env_key(rest: &str) -> String {
    rest.split("__")
        .map(|part| part.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(".")
}

/// Settings every service has.
#[derive(Debug, Clone, Deserialize)]
pub struct CommonConfig {
    /// gRPC listen address.
    pub grpc_addr: String,
    /// Prometheus metrics listen address; empty disables it.
    #[serde(default)]
    pub metrics_addr: String,
    pub database: DatabaseConfig,
    #[serde(default)]
    pub nats: NatsConfig,
    #[serde(default)]
    pub telemetry: TelemetryConfig,
    /// The gateway's addresses or networks, comma-separated, whose `x-forwarded-for` names the
    /// client; empty (the default) believes no one (`grpc::TrustedProxies`).
    #[serde(default)]
    pub trusted_proxies: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseConfig {
    /// `postgres://...` or `sqlite://path?mode=rwc`.
    pub url: String,
    #[serde(
        default = "default_max_connections",
        deserialize_with = "number_or_text"
    )]
    pub max_connections: u32,
}

/// A number written as a number (TOML) or as text (environment), for fields that sit behind
/// serde's `flatten`, where `config` cannot see the field's type and hands over the text.
fn number_or_text<'de, D, N>(deserializer: D) -> Result<N, D::Error>
where
    D: serde::Deserializer<'de>,
    N: TryFrom<u64> + std::str::FromStr,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(u64),
        Text(String),
    }
    let invalid = |found: String| {
        serde::de::Error::custom(format!("expected a whole number, found \"{found}\""))
    };
    match Raw::deserialize(deserializer)? {
        Raw::Number(n) => N::try_from(n).map_err(|_| invalid(n.to_string())),
        Raw::Text(t) => t.trim().parse().map_err(|_| invalid(t)),
    }
}

fn default_max_connections() -> u32 {
    10
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NatsConfig {
    /// NATS server URL; empty uses the in-process bus (embedded dev mode only).
    #[serde(default)]
    pub url: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TelemetryConfig {
    /// `pretty` (dev) or `json` (production).
    #[serde(default = "default_log_format")]
    pub log_format: String,
    /// tracing filter, e.g. `info,tinhso=debug`.
    #[serde(default = "default_log_filter")]
    pub log_filter: String,
    /// OTLP endpoint; empty disables trace export.
    #[serde(default)]
    pub otlp_endpoint: String,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self {
            log_format: default_log_format(),
            log_filter: default_log_filter(),
            otlp_endpoint: String::new(),
        }
    }
}

fn default_log_format() -> String {
    "pretty".into()
}
fn default_log_filter() -> String {
    "info".into()
}

impl Validate for CommonConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        validate_addr("grpc_addr", &self.grpc_addr)?;
        crate::grpc::TrustedProxies::parse(&self.trusted_proxies)
            .map_err(|e| ConfigError::invalid("trusted_proxies", e))?;
        if !self.metrics_addr.is_empty() {
            validate_addr("metrics_addr", &self.metrics_addr)?;
        }
        let url = &self.database.url;
        if !(url.starts_with("postgres://")
            || url.starts_with("postgresql://")
            || url.starts_with("sqlite:"))
        {
            return Err(ConfigError::invalid(
                "database.url",
                "must start with postgres://, postgresql:// or sqlite:",
            ));
        }
        if self.database.max_connections == 0 {
            return Err(ConfigError::invalid(
                "database.max_connections",
                "must be at least 1",
            ));
        }
        if !self.nats.url.is_empty() && !self.nats.url.starts_with("nats://") {
            return Err(ConfigError::invalid(
                "nats.url",
                "must start with nats:// or be empty",
            ));
        }
        if !matches!(self.telemetry.log_format.as_str(), "pretty" | "json") {
            return Err(ConfigError::invalid(
                "telemetry.log_format",
                "must be `pretty` or `json`",
            ));
        }
        Ok(())
    }
}

/// Checks that `value` is a socket address such as `0.0.0.0:50051`.
pub fn validate_addr(key: &str, value: &str) -> Result<(), ConfigError> {
    value
        .parse::<std::net::SocketAddr>()
        .map(|_| ())
        .map_err(|_| {
            ConfigError::invalid(
                key,
                format!("`{value}` is not a socket address (host:port)"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Sample {
        #[serde(flatten)]
        common: CommonConfig,
    }
    impl Validate for Sample {
        fn validate(&self) -> Result<(), ConfigError> {
            self.common.validate()
        }
    }

    const DEFAULTS: &str = r#"
grpc_addr = "127.0.0.1:50051"
[database]
url = "sqlite::memory:"
"#;

    fn env(pairs: &[(&str, &str)]) -> Env {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn environment_overrides_defaults() {
        let c: Sample = load(
            DEFAULTS,
            None,
            &env(&[("TINHSO_DATABASE__MAX_CONNECTIONS", "3")]),
        )
        .expect("load");
        assert_eq!(c.common.database.max_connections, 3);
    }

    #[test]
    fn bad_value_names_the_key() {
        let err = load::<Sample>(DEFAULTS, None, &env(&[("TINHSO_GRPC_ADDR", "nowhere")]))
            .expect_err("must fail");
        assert!(err.to_string().contains("grpc_addr"), "{err}");
        let err = load::<Sample>(
            DEFAULTS,
            None,
            &env(&[("TINHSO_DATABASE__MAX_CONNECTIONS", "many")]),
        )
        .expect_err("must fail");
        assert!(
            err.to_string().contains("database.max_connections"),
            "{err}"
        );
        let err = load::<Sample>(
            DEFAULTS,
            None,
            &env(&[("TINHSO_DATABASE__URL", "mysql://x")]),
        )
        .expect_err("must fail");
        assert!(err.to_string().contains("database.url"), "{err}");
    }

    #[derive(Debug, Deserialize)]
    struct WithText {
        #[serde(flatten)]
        common: CommonConfig,
        code: String,
        secret: String,
        limit: u32,
    }
    impl Validate for WithText {
        fn validate(&self) -> Result<(), ConfigError> {
            self.common.validate()
        }
    }

    #[test]
    fn text_that_looks_like_a_number_stays_text() {
        let defaults = format!("code = \"X\"\nsecret = \"\"\nlimit = 1\n{DEFAULTS}");
        let c: WithText = load(
            &defaults,
            None,
            &env(&[
                ("TINHSO_CODE", "01"),
                ("TINHSO_SECRET", "0123456789012345"),
                ("TINHSO_LIMIT", "7"),
                ("TINHSO_DATABASE__MAX_CONNECTIONS", "4"),
            ]),
        )
        .expect("load");
        assert_eq!(c.code, "01", "a unit code keeps its leading zero");
        assert_eq!(c.secret, "0123456789012345");
        assert_eq!(
            c.limit, 7,
            "a number field still reads the text as a number"
        );
        assert_eq!(c.common.database.max_connections, 4);
        let err = load::<WithText>(
            &defaults,
            None,
            &env(&[("TINHSO_DATABASE__MAX_CONNECTIONS", "-1")]),
        )
        .expect_err("negative");
        assert!(err.to_string().contains("max_connections"), "{err}");
    }

    #[test]
    fn secrets_come_from_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("url");
        std::fs::write(&path, "postgres://secret@db/x\n").expect("write");
        let c: Sample = load(
            DEFAULTS,
            None,
            &env(&[("TINHSO_DATABASE__URL_FILE", path.to_str().expect("utf8"))]),
        )
        .expect("load");
        assert_eq!(c.common.database.url, "postgres://secret@db/x");
    }

    #[test]
    fn toml_file_is_layered_between() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "grpc_addr = \"0.0.0.0:9000\"\n").expect("write");
        let c: Sample = load(DEFAULTS, Some(&path), &Env::new()).expect("load");
        assert_eq!(c.common.grpc_addr, "0.0.0.0:9000");
        let c: Sample = load(
            DEFAULTS,
            Some(&path),
            &env(&[("TINHSO_GRPC_ADDR", "127.0.0.1:1")]),
        )
        .expect("load");
        assert_eq!(
            c.common.grpc_addr, "127.0.0.1:1",
            "environment wins over the file"
        );
    }
}
