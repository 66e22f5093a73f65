//! What the HTTP adapters are told: base URLs (checked when made), secrets that never print,
//! and the timeouts and retry bounds of every call.

use std::fmt;
use std::time::Duration;

use reqwest::Url;

/// A secret (API key, token): compared and passed on, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, to put into a request.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The base URL of an HTTP API: `http` or `https`, with a host, no credentials, query or
/// fragment; a path prefix is kept (e.g. a proxy's `https://gw.internal/gitlab`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(Url);

/// Why a base URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{url}` is not a usable base URL: {reason}")]
pub struct InvalidBaseUrl {
    /// The URL as given.
    pub url: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl BaseUrl {
    /// Checks and keeps `raw`.
    ///
    /// # Errors
    /// [`InvalidBaseUrl`] saying why.
    pub fn parse(raw: &str) -> Result<Self, InvalidBaseUrl> {
        let refuse = |reason| InvalidBaseUrl {
            url: raw.to_owned(),
            reason,
        };
        let url = Url::parse(raw.trim()).map_err(|_| refuse("expected an absolute http(s) URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(refuse("the scheme must be http or https"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(refuse("the URL names no host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse(
                "credentials do not belong in the URL; use the token variable",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(refuse("a base URL has no query or fragment"));
        }
        Ok(Self(url))
    }

    /// The base URL followed by these path segments, each percent-encoded as one segment (a
    /// `/` inside a segment becomes `%2F`).
    pub(crate) fn endpoint(&self, segments: &[&str]) -> Url {
        let mut url = self.0.clone();
        // Only URLs that cannot be a base (`mailto:`, `data:`) refuse path segments, and
        // `parse` admits http(s) URLs with a host only.
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

/// How often a failed call is tried again: after a timeout, a connection failure, 429 or 5xx.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all (1 = no retry).
    pub max_attempts: u32,
    /// Pause before the second try; doubled before each further one (with up to 25 % jitter).
    pub base_delay: Duration,
    /// Longest pause, also for a server's `Retry-After`.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 3 tries, 200 ms then 400 ms apart (at most 2 s, also for `Retry-After`).
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// The pause before try `next` (2, 3, ...): the server's `Retry-After` when it sent one,
    /// else the doubled base delay with jitter; never above `max_delay`.
    pub(crate) fn delay(&self, next: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
        let delay = match retry_after {
            Some(after) => after,
            None => {
                let doubled = self
                    .base_delay
                    .saturating_mul(2_u32.saturating_pow(next.saturating_sub(2)));
                doubled.mul_f64(1.0 + 0.25 * jitter.clamp(0.0, 1.0))
            }
        };
        delay.min(self.max_delay)
    }
}

/// Timeouts and retries of one API's calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpSettings {
    /// Longest wait for a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Longest wait for one try, from sending to the last byte of the answer.
    pub request_timeout: Duration,
    /// Retries of failed tries.
    pub retry: RetryPolicy,
}

impl Default for HttpSettings {
    /// 2 s to connect, 5 s per try, [`RetryPolicy::default`].
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(5),
            retry: RetryPolicy::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked() {
        for ok in [
            "https://app.ticketmaster.com",
            "http://127.0.0.1:8080/",
            "https://gw.internal/gitlab",
        ] {
            assert!(BaseUrl::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "app.ticketmaster.com",
            "ftp://files.example.com",
            "https://user:pw@gitlab.example.com",
            "https://api.example.com/?apikey=x",
            "https://api.example.com/#x",
            "",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn endpoints_encode_each_segment() {
        let base = BaseUrl::parse("https://gw.internal/gitlab/").unwrap();
        assert_eq!(
            base.endpoint(&["api", "v4", "projects", "group/project"])
                .as_str(),
            "https://gw.internal/gitlab/api/v4/projects/group%2Fproject"
        );
        let root = BaseUrl::parse("https://api.fastly.com").unwrap();
        assert_eq!(
            root.endpoint(&["service", "svc 1", "purge", "fans.example.com"])
                .as_str(),
            "https://api.fastly.com/service/svc%201/purge/fans.example.com"
        );
    }

    #[test]
    fn secrets_never_print() {
        assert_eq!(format!("{:?}", Secret::new("k3y")), "Secret(***)");
    }

    #[test]
    fn delays_double_and_respect_the_cap_and_retry_after() {
        let p = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
        };
        assert_eq!(p.delay(2, None, 0.0), Duration::from_millis(100));
        assert_eq!(p.delay(3, None, 0.0), Duration::from_millis(200));
        assert_eq!(p.delay(3, None, 1.0), Duration::from_millis(250));
        assert_eq!(p.delay(4, None, 0.0), Duration::from_millis(350));
        assert_eq!(
            p.delay(2, Some(Duration::from_millis(50)), 0.0),
            Duration::from_millis(50)
        );
        assert_eq!(
            p.delay(2, Some(Duration::from_secs(60)), 0.0),
            Duration::from_millis(350)
        );
    }
}
