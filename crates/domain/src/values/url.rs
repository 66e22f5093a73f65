//! Absolute http(s) URLs (images, share links, privacy pages).

use super::{InvalidValue, string_value};

/// An absolute `http://` or `https://` URL with a non-empty host, no whitespace or control
/// characters, at most 2048 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HttpUrl(String);

impl HttpUrl {
    /// Parses an absolute http(s) URL; the scheme is lower-cased, the rest kept as written.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let err = || InvalidValue::new("must be an absolute http(s) URL");
        if raw.chars().count() > 2048 || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err());
        }
        let (scheme, rest) = raw.split_once("://").ok_or_else(err)?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(err());
        }
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = match host_port.strip_prefix('[') {
            // IPv6 literal: `[...]` optionally followed by `:port`.
            Some(v6) => v6.split_once(']').map(|(h, _)| h).ok_or_else(err)?,
            None => match host_port.rsplit_once(':') {
                Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
                Some(_) => return Err(err()),
                None => host_port,
            },
        };
        let host_ok = !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':'));
        if !host_ok {
            return Err(err());
        }
        Ok(Self(format!("{scheme}://{rest}")))
    }
}

string_value!(HttpUrl);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_absolute_http_urls() {
        for ok in [
            "https://example.com",
            "http://cdn.example.com/img/a.png?x=1#top",
            "HTTPS://Example.com:8443/a",
            "https://[::1]:8080/x",
            "https://user@example.com/",
        ] {
            assert!(HttpUrl::parse(ok).is_ok(), "{ok} should be accepted");
        }
        assert_eq!(
            HttpUrl::parse("HTTPS://Example.com").unwrap().as_str(),
            "https://Example.com"
        );
    }

    #[test]
    fn rejects_relative_or_other_schemes() {
        for bad in [
            "",
            "/relative",
            "example.com",
            "ftp://example.com",
            "javascript:alert(1)",
            "https://",
            "https:///path",
            "https://exa mple.com",
            "https://a.com:port/",
            "mailto:a@b.com",
        ] {
            assert!(HttpUrl::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = HttpUrl::parse(&s);
        }
    }
}
