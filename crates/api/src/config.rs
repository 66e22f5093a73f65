//! Typed configuration, read once from the environment in `main` and passed down — never a
//! global. Each variable is documented on the field it fills; the names are part of the
//! contract (SPEC §3). A bad value stops start-up with an error naming the variable.

use std::env::VarError;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Where the service listens when `CAMPAIGN_LISTEN` is unset.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The service's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `CAMPAIGN_LISTEN`: the `ip:port` to bind (`127.0.0.1:8080` by default; port 0 picks a free
    /// port). Host names are not accepted, so binding never depends on name resolution.
    pub listen: SocketAddr,
    /// `CAMPAIGN_STORE`: where campaigns live.
    pub store: StoreConfig,
    /// Token verification.
    pub auth: AuthConfig,
    /// `CAMPAIGN_REFRESH_INTERVAL_SECS`: period of the built-in status refresh (default 60 s);
    /// `0` disables it (`None`).
    pub refresh_interval: Option<Duration>,
    /// `CAMPAIGN_SEARCH_CACHE_TTL_SECS`: how long Discovery searches stay cached (default 300 s).
    pub search_cache_ttl: Duration,
}

/// Where campaigns and their related records are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// `memory` (the embedded default): in-process, forgotten on restart.
    Memory,
}

/// How tokens are verified (SPEC §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthConfig {
    /// `CAMPAIGN_JWT_PUBLIC_KEY_FILE`: PEM file of the RSA public key that verifies RS256 tokens;
    /// required outside dev mode.
    pub public_key_file: Option<PathBuf>,
    /// `CAMPAIGN_JWT_ISSUER`: when set, tokens must carry this `iss`.
    pub issuer: Option<String>,
    /// `CAMPAIGN_JWT_AUDIENCE`: when set, tokens must carry this `aud`.
    pub audience: Option<String>,
    /// `CAMPAIGN_DEV_MODE`: `true` allows starting without a key: an ephemeral key pair is made
    /// and a supreme token printed.
    pub dev_mode: bool,
}

/// A variable that is set but unusable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {reason}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What is wrong with it, for a person to fix.
    pub reason: String,
}

/// Variables of integrations whose adapters this build does not have yet. Setting one stops
/// start-up: the service never runs half-configured, silently ignoring what it was told.
const NOT_YET_SUPPORTED: [(&str, &str); 14] = [
    ("CAMPAIGN_MONGODB_URI", "the MongoDB store"),
    ("CAMPAIGN_REDIS_URL", "the Redis cache"),
    ("CAMPAIGN_REDIS_REPLICA_URLS", "the Redis cache"),
    ("CAMPAIGN_KINESIS_STREAM", "the Kinesis data stream"),
    ("CAMPAIGN_SQS_DATA_PIPELINE_QUEUE_URL", "the SQS queues"),
    (
        "CAMPAIGN_SQS_REFRESH_SELECTIONS_QUEUE_URL",
        "the SQS queues",
    ),
    ("CAMPAIGN_DISCOVERY_URL", "the Discovery API client"),
    ("CAMPAIGN_DISCOVERY_API_KEY", "the Discovery API client"),
    ("CAMPAIGN_FASTLY_URL", "the Fastly purge client"),
    ("CAMPAIGN_FASTLY_TOKEN", "the Fastly purge client"),
    ("CAMPAIGN_FASTLY_SERVICE_ID", "the Fastly purge client"),
    ("CAMPAIGN_GITLAB_URL", "the GitLab client"),
    ("CAMPAIGN_GITLAB_TOKEN", "the GitLab client"),
    ("CAMPAIGN_GITLAB_PROJECT", "the GitLab client"),
];

impl Config {
    /// Reads the configuration from the process environment.
    ///
    /// # Errors
    /// [`ConfigError`] naming the first variable that is set to an unusable value.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name))
    }

    /// Reads the configuration through `lookup`, which answers one variable at a time (tests pass
    /// a map here instead of changing the process environment).
    ///
    /// # Errors
    /// [`ConfigError`] naming the first variable that is set to an unusable value.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Result<String, VarError>,
    ) -> Result<Self, ConfigError> {
        let listen = read(&lookup, "CAMPAIGN_LISTEN")?.unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen = listen.parse().map_err(|_| ConfigError {
            variable: "CAMPAIGN_LISTEN",
            reason: format!("`{listen}` is not an ip:port address such as {DEFAULT_LISTEN}"),
        })?;
        let store = match read(&lookup, "CAMPAIGN_STORE")?.as_deref() {
            None | Some("memory") => StoreConfig::Memory,
            Some("mongodb") => {
                return Err(ConfigError {
                    variable: "CAMPAIGN_STORE",
                    reason: "`mongodb` is not available in this build yet; use `memory`".to_owned(),
                });
            }
            Some(other) => {
                return Err(ConfigError {
                    variable: "CAMPAIGN_STORE",
                    reason: format!("unknown store `{other}`; expected `memory` or `mongodb`"),
                });
            }
        };
        for (variable, what) in NOT_YET_SUPPORTED {
            if read(&lookup, variable)?.is_some_and(|v| !v.is_empty()) {
                return Err(ConfigError {
                    variable,
                    reason: format!(
                        "{what} is not available in this build yet; unset the variable"
                    ),
                });
            }
        }
        if let Some(url) = read(&lookup, "CAMPAIGN_AWS_ENDPOINT_URL")?
            && (!(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10)
        {
            return Err(ConfigError {
                variable: "CAMPAIGN_AWS_ENDPOINT_URL",
                reason: format!("`{url}` is not an http(s) URL"),
            });
        }
        if read(&lookup, "OTEL_EXPORTER_OTLP_ENDPOINT")?.is_some_and(|v| !v.is_empty()) {
            return Err(ConfigError {
                variable: "OTEL_EXPORTER_OTLP_ENDPOINT",
                reason: "trace export is not available in this build yet; unset the variable"
                    .to_owned(),
            });
        }
        let dev_mode = match read(&lookup, "CAMPAIGN_DEV_MODE")?
            .as_deref()
            .map(str::trim)
        {
            None | Some("") | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(other) => {
                return Err(ConfigError {
                    variable: "CAMPAIGN_DEV_MODE",
                    reason: format!("`{other}` is not true or false"),
                });
            }
        };
        let public_key_file = read(&lookup, "CAMPAIGN_JWT_PUBLIC_KEY_FILE")?
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        if public_key_file.is_none() && !dev_mode {
            return Err(ConfigError {
                variable: "CAMPAIGN_JWT_PUBLIC_KEY_FILE",
                reason:
                    "is required outside dev mode (or set CAMPAIGN_DEV_MODE=true for a local run)"
                        .to_owned(),
            });
        }
        let auth = AuthConfig {
            public_key_file,
            issuer: read(&lookup, "CAMPAIGN_JWT_ISSUER")?.filter(|v| !v.is_empty()),
            audience: read(&lookup, "CAMPAIGN_JWT_AUDIENCE")?.filter(|v| !v.is_empty()),
            dev_mode,
        };
        let refresh_interval = match seconds(&lookup, "CAMPAIGN_REFRESH_INTERVAL_SECS", 60)? {
            0 => None,
            s => Some(Duration::from_secs(s)),
        };
        let search_cache_ttl =
            Duration::from_secs(seconds(&lookup, "CAMPAIGN_SEARCH_CACHE_TTL_SECS", 300)?);
        Ok(Self {
            listen,
            store,
            auth,
            refresh_interval,
            search_cache_ttl,
        })
    }
}

/// A whole number of seconds, `default` when unset.
fn seconds(
    lookup: &impl Fn(&str) -> Result<String, VarError>,
    variable: &'static str,
    default: u64,
) -> Result<u64, ConfigError> {
    match read(lookup, variable)? {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|s| *s <= 31_536_000)
            .ok_or_else(|| ConfigError {
                variable,
                reason: format!("`{raw}` is not a whole number of seconds (0 to 31536000)"),
            }),
    }
}

/// One variable's value: `None` when unset, an error when it is not valid Unicode.
fn read(
    lookup: &impl Fn(&str) -> Result<String, VarError>,
    variable: &'static str,
) -> Result<Option<String>, ConfigError> {
    match lookup(variable) {
        Ok(value) => Ok(Some(value)),
        Err(VarError::NotPresent) => Ok(None),
        Err(VarError::NotUnicode(_)) => Err(ConfigError {
            variable,
            reason: "the value is not valid Unicode".to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config_from(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned().ok_or(VarError::NotPresent))
    }

    const DEV: (&str, &str) = ("CAMPAIGN_DEV_MODE", "true");

    #[test]
    fn defaults_give_the_embedded_default_in_dev_mode() {
        let config = config_from(&[DEV]).unwrap();
        assert_eq!(config.listen, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(config.store, StoreConfig::Memory);
        assert!(config.auth.dev_mode);
        assert_eq!(config.auth.public_key_file, None);
        assert_eq!(config.refresh_interval, Some(Duration::from_secs(60)));
        assert_eq!(config.search_cache_ttl, Duration::from_secs(300));
    }

    #[test]
    fn listen_takes_the_variable() {
        let config = config_from(&[DEV, ("CAMPAIGN_LISTEN", "0.0.0.0:9000")]).unwrap();
        assert_eq!(config.listen, "0.0.0.0:9000".parse().unwrap());
    }

    #[test]
    fn a_bad_listen_address_is_rejected_naming_the_variable() {
        for bad in [
            "localhost",
            "127.0.0.1",
            "127.0.0.1:http",
            "",
            "127.0.0.1:70000",
        ] {
            let err = config_from(&[DEV, ("CAMPAIGN_LISTEN", bad)]).unwrap_err();
            assert_eq!(err.variable, "CAMPAIGN_LISTEN");
            let message = err.to_string();
            assert!(message.starts_with("CAMPAIGN_LISTEN: "), "{message}");
            assert!(message.contains(&format!("`{bad}`")), "{message}");
        }
    }

    #[test]
    fn a_key_is_required_outside_dev_mode() {
        let err = config_from(&[]).unwrap_err();
        assert_eq!(err.variable, "CAMPAIGN_JWT_PUBLIC_KEY_FILE");
        let config = config_from(&[
            ("CAMPAIGN_JWT_PUBLIC_KEY_FILE", "/etc/keys/pub.pem"),
            ("CAMPAIGN_JWT_ISSUER", "iss"),
        ])
        .unwrap();
        assert_eq!(
            config.auth.public_key_file,
            Some(PathBuf::from("/etc/keys/pub.pem"))
        );
        assert_eq!(config.auth.issuer.as_deref(), Some("iss"));
        assert!(!config.auth.dev_mode);
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases = [
            ("CAMPAIGN_STORE", "postgres"),
            ("CAMPAIGN_DEV_MODE", "yes please"),
            ("CAMPAIGN_REFRESH_INTERVAL_SECS", "-1"),
            ("CAMPAIGN_REFRESH_INTERVAL_SECS", "soon"),
            ("CAMPAIGN_SEARCH_CACHE_TTL_SECS", "1.5"),
            ("CAMPAIGN_AWS_ENDPOINT_URL", "localhost:4566"),
        ];
        for (variable, value) in cases {
            let dev = if variable == "CAMPAIGN_DEV_MODE" {
                ("CAMPAIGN_JWT_PUBLIC_KEY_FILE", "k.pem")
            } else {
                DEV
            };
            let err = config_from(&[dev, (variable, value)]).unwrap_err();
            assert_eq!(err.variable, variable, "{value}");
        }
    }

    #[test]
    fn integrations_without_an_adapter_stop_start_up() {
        for (variable, _) in NOT_YET_SUPPORTED {
            let err = config_from(&[DEV, (variable, "x")]).unwrap_err();
            assert_eq!(err.variable, variable);
            assert!(err.reason.contains("not available"), "{}", err.reason);
        }
        assert_eq!(
            config_from(&[DEV, ("CAMPAIGN_STORE", "mongodb")])
                .unwrap_err()
                .variable,
            "CAMPAIGN_STORE"
        );
    }

    #[test]
    fn a_zero_refresh_interval_disables_the_job() {
        let config = config_from(&[DEV, ("CAMPAIGN_REFRESH_INTERVAL_SECS", "0")]).unwrap();
        assert_eq!(config.refresh_interval, None);
    }
}
