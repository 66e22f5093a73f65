//! Typed configuration, read once from the environment in `main` and passed down — never a
//! global. Each variable is documented on the field it fills; the names are part of the
//! contract (SPEC §3). A bad value stops start-up with an error naming the variable.

use std::env::VarError;
use std::net::SocketAddr;

/// Where the service listens when `CAMPAIGN_LISTEN` is unset.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The service's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `CAMPAIGN_LISTEN`: the `ip:port` to bind (`127.0.0.1:8080` by default; port 0 picks a free
    /// port). Host names are not accepted, so binding never depends on name resolution.
    pub listen: SocketAddr,
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
        Ok(Self { listen })
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

    #[test]
    fn listen_defaults_to_the_loopback_port_8080() {
        let config = config_from(&[]).unwrap();
        assert_eq!(config.listen, "127.0.0.1:8080".parse().unwrap());
    }

    #[test]
    fn listen_takes_the_variable() {
        let config = config_from(&[("CAMPAIGN_LISTEN", "0.0.0.0:9000")]).unwrap();
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
            let err = config_from(&[("CAMPAIGN_LISTEN", bad)]).unwrap_err();
            assert_eq!(err.variable, "CAMPAIGN_LISTEN");
            let message = err.to_string();
            assert!(message.starts_with("CAMPAIGN_LISTEN: "), "{message}");
            assert!(message.contains(&format!("`{bad}`")), "{message}");
        }
    }
}
