//! The correlation id of a request (SPEC §4): the caller's `x-correlation-id` when it is 1-128
//! characters of `[A-Za-z0-9._-]`, otherwise a new UUID v4.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use campaign_domain::uuid::Uuid;

/// The request header (and response header) carrying the correlation id.
pub(crate) const HEADER: &str = "x-correlation-id";

/// A request's correlation id, set by the pipeline and readable by handlers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Correlation(pub(crate) String);

impl Correlation {
    /// The caller's id when acceptable, else a new one.
    pub(crate) fn from_header(value: Option<&[u8]>) -> Self {
        match value {
            Some(v) if is_acceptable(v) => Self(String::from_utf8_lossy(v).into_owned()),
            _ => Self(Uuid::new_v4().to_string()),
        }
    }
}

fn is_acceptable(value: &[u8]) -> bool {
    (1..=128).contains(&value.len())
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

impl FromRequest for Correlation {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    /// The id the pipeline stored; a fresh one if the pipeline did not run (it always does in the
    /// service; only unit tests call handlers without it).
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = req.extensions().get::<Correlation>().cloned();
        ready(Ok(found.unwrap_or_else(|| Self::from_header(None))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_safe_ids_of_1_to_128_characters() {
        assert_eq!(
            Correlation::from_header(Some(b"abc-123_X.y")).0,
            "abc-123_X.y"
        );
        let long = "a".repeat(128);
        assert_eq!(Correlation::from_header(Some(long.as_bytes())).0, long);
        for bad in [
            "",
            "has space",
            "semi;colon",
            "\u{e9}t\u{e9}",
            &"a".repeat(129),
        ] {
            let id = Correlation::from_header(Some(bad.as_bytes())).0;
            assert_ne!(id, bad);
            assert!(
                Uuid::parse_str(&id).is_ok_and(|u| u.get_version_num() == 4),
                "{id}"
            );
        }
        assert!(Uuid::parse_str(&Correlation::from_header(None).0).is_ok());
    }
}
