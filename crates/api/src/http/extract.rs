//! Turning request parts into domain values, with every failure a 4xx in the error envelope:
//! JSON bodies (1 MiB limit, `application/json` required), query strings, path ids, `If-Match`.

use actix_web::error::{JsonPayloadError, QueryPayloadError};
use actix_web::http::header;
use actix_web::{HttpRequest, web};
use campaign_domain::values::{CampaignId, EventId, InvalidValue, MarketId, PromoterId};

use crate::error::ApiError;

/// Largest request body accepted.
pub(crate) const BODY_LIMIT: usize = 1024 * 1024;

/// JSON body settings: the limit, a required JSON content type, and errors in the envelope.
pub(crate) fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(BODY_LIMIT)
        .content_type_required(true)
        .error_handler(|err, _req| {
            let error = match &err {
                JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
                JsonPayloadError::Overflow { .. }
                | JsonPayloadError::OverflowKnownLength { .. } => ApiError::PayloadTooLarge {
                    limit_bytes: BODY_LIMIT,
                },
                JsonPayloadError::Deserialize(e) => ApiError::MalformedJson(e.to_string()),
                other => ApiError::MalformedJson(other.to_string()),
            };
            error.into()
        })
}

/// Raw payload settings (for bodies read as bytes).
pub(crate) fn payload_config() -> web::PayloadConfig {
    web::PayloadConfig::default().limit(BODY_LIMIT)
}

/// Query string settings: a query that does not fit its fields is a `VALIDATION_ERROR`.
pub(crate) fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let message = match &err {
            QueryPayloadError::Deserialize(e) => e.to_string(),
            other => other.to_string(),
        };
        ApiError::invalid("query", message).into()
    })
}

/// Path settings: a path that does not fit is a `VALIDATION_ERROR`.
pub(crate) fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|err, _req| ApiError::invalid("path", err.to_string()).into())
}

/// Parses a path or query value, reporting a failure under `field`.
pub(crate) fn parse<T>(
    field: &str,
    raw: &str,
    parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
) -> Result<T, ApiError> {
    parse(raw).map_err(|e| ApiError::invalid(field, e.message()))
}

/// A campaign id from the path.
pub(crate) fn campaign_id(raw: &str) -> Result<CampaignId, ApiError> {
    parse("id", raw, CampaignId::parse)
}

/// A market id from the path.
pub(crate) fn market_id(raw: &str) -> Result<MarketId, ApiError> {
    parse("marketId", raw, MarketId::parse)
}

/// A promoter id from the path.
pub(crate) fn promoter_id(raw: &str) -> Result<PromoterId, ApiError> {
    parse("id", raw, PromoterId::parse)
}

/// A ticketing event id from the path.
pub(crate) fn event_id(raw: &str) -> Result<EventId, ApiError> {
    parse("eventId", raw, EventId::parse)
}

/// The version an `If-Match` header names: `"3"`, `3` or `W/"3"`; `*` (or no header) means no
/// condition. Anything else is a `VALIDATION_ERROR`.
pub(crate) fn if_match(req: &HttpRequest) -> Result<Option<u64>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let bad = || ApiError::invalid("If-Match", "must be an ETag such as \"3\"");
    let raw = value.to_str().map_err(|_| bad())?.trim();
    if raw == "*" {
        return Ok(None);
    }
    let unquoted = raw.strip_prefix("W/").unwrap_or(raw);
    let unquoted = unquoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(unquoted);
    // Digits only (no sign), at most 19 of them: what the document's pattern says.
    if unquoted.is_empty() || unquoted.len() > 19 || !unquoted.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    unquoted.parse::<u64>().map(Some).map_err(|_| bad())
}

/// What `If-Match` accepts, as the OpenAPI document states it: `*`, or a version, quoted or
/// not, weak or not (`"3"`, `3`, `W/"3"`).
pub(crate) const IF_MATCH_PATTERN: &str = "^(\\*|(W/)?(\"[0-9]{1,19}\"|[0-9]{1,19}))$";

/// A boolean query flag: absent or empty is `false`; `true`/`false` (and `1`/`0`) otherwise.
pub(crate) fn flag(field: &str, raw: Option<&str>) -> Result<bool, ApiError> {
    match raw.map(str::trim) {
        None | Some("false" | "0" | "") => Ok(false),
        Some("true" | "1") => Ok(true),
        Some(_) => Err(ApiError::invalid(field, "must be true or false")),
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn if_match_accepts_quoted_bare_weak_and_star() {
        let with = |v: &str| {
            if_match(
                &TestRequest::default()
                    .insert_header((header::IF_MATCH, v))
                    .to_http_request(),
            )
        };
        assert_eq!(with("\"3\"").unwrap(), Some(3));
        assert_eq!(with("3").unwrap(), Some(3));
        assert_eq!(with("W/\"12\"").unwrap(), Some(12));
        assert_eq!(with("*").unwrap(), None);
        assert!(with("\"abc\"").is_err());
        assert!(with("-1").is_err());
        // The document's pattern and this reader agree.
        let pattern = regex::Regex::new(IF_MATCH_PATTERN).unwrap();
        for (raw, valid) in [
            ("\"3\"", true),
            ("3", true),
            ("W/\"12\"", true),
            ("*", true),
            ("+3", false),
            ("\"3", false),
            ("null", false),
            ("", false),
            ("12345678901234567890", false),
            ("1234567890123456789", true),
        ] {
            assert_eq!(pattern.is_match(raw), valid, "pattern on {raw:?}");
            if !raw.is_empty() {
                assert_eq!(with(raw).is_ok(), valid, "reader on {raw:?}");
            }
        }
        assert_eq!(
            if_match(&TestRequest::default().to_http_request()).unwrap(),
            None
        );
    }

    #[test]
    fn flags_are_strict() {
        assert!(!flag("f", None).unwrap());
        assert!(flag("f", Some("true")).unwrap());
        assert!(!flag("f", Some("false")).unwrap());
        assert!(flag("f", Some("yes")).is_err());
    }
}
