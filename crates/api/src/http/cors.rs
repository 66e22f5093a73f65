//! CORS for admin UIs in a browser (SPEC §4.1): only the origins of
//! `CAMPAIGN_CORS_ALLOWED_ORIGINS`, only the methods and headers the API uses, and the answer
//! headers a client needs to read (`ETag`, `Location`, the correlation id, `Retry-After`,
//! `Idempotency-Replayed`). Preflights are answered here; without configured origins the
//! middleware is not installed and no CORS header is ever sent.

use actix_cors::Cors;
use actix_web::http::{Method, header};

/// How long a browser may keep a preflight's answer.
const PREFLIGHT_MAX_AGE_SECS: usize = 600;

/// The CORS middleware for `origins` (already validated by the configuration).
pub(crate) fn cors(origins: &[String]) -> Cors {
    let cors = origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin));
    cors.allowed_methods([Method::GET, Method::POST, Method::DELETE])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-correlation-id"),
            header::HeaderName::from_static("traceparent"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-correlation-id"),
            header::HeaderName::from_static("idempotency-replayed"),
        ])
        .max_age(PREFLIGHT_MAX_AGE_SECS)
}
