//! What the Redis adapter is told: the primary and replica addresses (validated, printed without
//! their password), a key prefix, and the timeouts and attempt bounds of its connections.

use std::fmt;
use std::time::Duration;

use fred::types::config::Config;

/// A `redis://` or `rediss://` URL of one Redis server (`[user:password@]host[:port][/db]`),
/// checked when made. Its `Debug` and `Display` hide the password.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisUrl(String);

/// Why a Redis URL was refused; the message never repeats a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{url}` is not a usable Redis URL: {reason}")]
pub struct InvalidRedisUrl {
    /// The URL as given, password hidden.
    pub url: String,
    /// What is wrong with it.
    pub reason: String,
}

impl RedisUrl {
    /// Accepts `redis://` (plain TCP) and `rediss://` (TLS) URLs of a single server; cluster,
    /// sentinel and socket URLs are refused (the adapter routes reads to replicas itself).
    ///
    /// # Errors
    /// [`InvalidRedisUrl`] saying why.
    pub fn parse(raw: &str) -> Result<Self, InvalidRedisUrl> {
        let raw = raw.trim();
        let refuse = |reason: &str| InvalidRedisUrl {
            url: redact(raw),
            reason: reason.to_owned(),
        };
        let Some((scheme, rest)) = raw.split_once("://") else {
            return Err(refuse("expected redis://host[:port][/db] or rediss://..."));
        };
        if scheme != "redis" && scheme != "rediss" {
            return Err(refuse(
                "only redis:// and rediss:// URLs of a single server are supported",
            ));
        }
        let host_part = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
        if host_part.is_empty() || host_part.starts_with(['/', ':']) {
            return Err(refuse("the URL names no host"));
        }
        Config::from_url_centralized(raw).map_err(|e| refuse(e.details()))?;
        Ok(Self(raw.to_owned()))
    }

    /// The URL as given, password included: for the client only, never for logs.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedisUrl({self})")
    }
}

/// The URL with its user-info part (where a password sits) replaced by `***`.
fn redact(raw: &str) -> String {
    match raw.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((_, host)) => format!("{scheme}://***@{host}"),
            None => raw.to_owned(),
        },
        None => match raw.rsplit_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => raw.to_owned(),
        },
    }
}

/// How the adapter connects. [`RedisSettings::new`] gives the production defaults; every field
/// may be tuned (tests shorten the reconnect bounds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisSettings {
    /// The primary: every write, delete, lock and readiness ping goes here.
    pub primary: RedisUrl,
    /// Read replicas (`CAMPAIGN_REDIS_REPLICA_URLS`): reads go here, round robin, and fall back to
    /// the primary when a replica does not answer. Empty: reads go to the primary.
    pub replicas: Vec<RedisUrl>,
    /// Put before every key and lock name (e.g. to share one server between environments or
    /// tests). Empty by default.
    pub key_prefix: String,
    /// Connections per server; commands are pipelined on each, round robin across them.
    pub connections_per_server: usize,
    /// Longest wait for a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Longest wait for one command's answer; the caller then carries on as on a miss.
    pub command_timeout: Duration,
    /// Reconnection attempts after a connection is lost, before the connection task gives up;
    /// the next command then starts a new round (so a long outage costs a bounded number of
    /// attempts per round and caching resumes by itself when Redis is back).
    pub reconnect_attempts: u32,
    /// Delay before the first reconnection attempt; doubled after each failure.
    pub reconnect_min_delay: Duration,
    /// Longest delay between two reconnection attempts.
    pub reconnect_max_delay: Duration,
}

impl RedisSettings {
    /// Production defaults for `primary` and no replica: 2 connections per server, 1 s to
    /// connect, 500 ms per command, 6 reconnection attempts from 100 ms up to 2 s apart.
    pub fn new(primary: RedisUrl) -> Self {
        Self {
            primary,
            replicas: Vec::new(),
            key_prefix: String::new(),
            connections_per_server: 2,
            connect_timeout: Duration::from_secs(1),
            command_timeout: Duration::from_millis(500),
            reconnect_attempts: 6,
            reconnect_min_delay: Duration::from_millis(100),
            reconnect_max_delay: Duration::from_secs(2),
        }
    }

    /// The same settings with these read replicas.
    #[must_use]
    pub fn with_replicas(mut self, replicas: Vec<RedisUrl>) -> Self {
        self.replicas = replicas;
        self
    }

    /// The same settings with this key prefix.
    #[must_use]
    pub fn with_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_server_urls_are_accepted() {
        for ok in [
            "redis://127.0.0.1:6379",
            "redis://cache.internal",
            "redis://:secret@cache.internal:6380/2",
            "rediss://user:secret@cache.internal:6380",
        ] {
            assert!(RedisUrl::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn other_urls_are_refused_without_repeating_the_password() {
        for bad in [
            "127.0.0.1:6379",
            "http://cache.internal",
            "redis-cluster://cache.internal",
            "redis-sentinel://cache.internal",
            "redis://",
            "redis://:secret@",
            "redis://cache.internal/notadb",
        ] {
            let err = RedisUrl::parse(bad).unwrap_err();
            assert!(!err.to_string().contains("secret"), "{err}");
        }
    }

    #[test]
    fn passwords_never_print() {
        let url = RedisUrl::parse("redis://user:s3cret@cache.internal:6380/1").unwrap();
        assert_eq!(url.to_string(), "redis://***@cache.internal:6380/1");
        assert!(!format!("{url:?}").contains("s3cret"));
        let settings = RedisSettings::new(url);
        assert!(!format!("{settings:?}").contains("s3cret"));
    }
}
