//! The request pipeline (SPEC §4, §10), one middleware around every route:
//! 1. correlation id: read or made, stored for handlers, returned in `x-correlation-id`;
//! 2. a request span carrying the correlation id and the OpenTelemetry HTTP semantic-convention
//!    attributes (`http.request.method`, `http.route`, `http.response.status_code`, `url.*`,
//!    `server.*`, ...), named `<METHOD> <route>` in the trace backend, with an error status for
//!    a 5xx, and continuing the caller's W3C `traceparent`;
//! 3. the error envelope: any error answer — from a handler, an extractor, routing or the
//!    framework — gets the SPEC §4 error body with the correlation id (unless it is marked
//!    [`Enveloped`]: the idempotency layer stores and replays answers already in it);
//! 4. metrics: `http_requests_total` and `http_request_duration_seconds` by method, route
//!    template and status;
//! 5. the access log: one line per request with method, route, status and duration;
//! 6. the headers every answer carries: `X-Content-Type-Options: nosniff` and
//!    `Cache-Control: no-store` (SPEC §4.1).
//!
//! Labels stay bounded: an unknown method is `OTHER`, a path that matched no route `unmatched`.

use std::time::Instant;

use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode, Version};
use actix_web::middleware::Next;
use campaign_domain::DomainError;
use tracing::Instrument as _;

use super::correlation::{Correlation, HEADER};
use super::envelope::error_json;
use crate::error::ApiError;
use crate::telemetry::{self, metrics};

/// Route label of requests that matched no route (never the raw path: labels stay bounded).
const UNMATCHED: &str = "unmatched";

/// The middleware function; wrap it with `actix_web::middleware::from_fn`.
pub(crate) async fn pipeline(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let correlation =
        Correlation::from_header(req.headers().get(HEADER).map(HeaderValue::as_bytes));
    req.extensions_mut().insert(correlation.clone());
    let method = method_label(req.method());
    let span = request_span(&req, method, &correlation);
    telemetry::traces::continue_trace(&span, req.headers());

    // Handler and extractor errors arrive as responses (actix renders them per route); an `Err`
    // here would come from the framework itself and is passed on as it is. The request must not
    // be cloned before routing: the router needs the only reference to it.
    let res = next
        .call(req)
        .instrument(span.clone())
        .await?
        .map_into_boxed_body();
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| UNMATCHED.to_owned());
    if route != UNMATCHED {
        // Semconv: `http.route` is the matched template, absent when nothing matched.
        span.record("http.route", route.as_str());
    }
    telemetry::traces::rename(&span, span_name(method, &route));
    let is_error = res.status().is_client_error() || res.status().is_server_error();
    let mut res = if is_error && res.response().extensions().get::<Enveloped>().is_none() {
        with_error_envelope(res, &correlation, &span)
    } else {
        res
    };
    if let Ok(value) = HeaderValue::from_str(&correlation.0) {
        res.headers_mut()
            .insert(HeaderName::from_static(HEADER), value);
    }
    let authenticated = res.request().headers().contains_key(header::AUTHORIZATION);
    secure_headers(res.headers_mut(), authenticated);

    let status = res.status().as_u16();
    let elapsed = started.elapsed();
    // As an i64: the OpenTelemetry layer exports u64 fields as strings, semconv wants an int.
    span.record("http.response.status_code", i64::from(status));
    if res.status().is_server_error() {
        // Semconv: a server span is an error for 5xx only (a 4xx is the client's).
        span.record("otel.status_code", "ERROR");
        span.record("error.type", status.to_string().as_str());
    }
    metrics::record_request(method, &route, status, elapsed);
    span.in_scope(|| {
        tracing::info!(
            target: "access",
            method = %method,
            route = %route,
            status,
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            "request completed"
        );
    });
    Ok(res)
}

/// The request's root span, with the OpenTelemetry HTTP server semantic-convention attributes
/// trace backends group and filter by (`http.request.method`, `url.path`, `url.scheme`,
/// `server.address`, `server.port`, `network.protocol.version`, `user_agent.original`,
/// `client.address`; `http.route` and `http.response.status_code` once known), plus the
/// service's `correlation`. `url.path` is the path without its query string, which may carry
/// search terms (SPEC §10: nothing sensitive in telemetry).
fn request_span(
    req: &ServiceRequest,
    method: &'static str,
    correlation: &Correlation,
) -> tracing::Span {
    let info = req.connection_info();
    let host = info.host();
    let (server_address, server_port) = split_host(host, info.scheme());
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let span = tracing::info_span!(
        "request",
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        correlation = %correlation.0,
        http.request.method = semconv_method(method),
        http.route = tracing::field::Empty,
        http.response.status_code = tracing::field::Empty,
        "error.type" = tracing::field::Empty,
        url.path = req.path(),
        url.scheme = info.scheme(),
        server.address = server_address,
        server.port = i64::from(server_port),
        network.protocol.version = protocol_version(req.version()),
        user_agent.original = tracing::field::Empty,
        client.address = tracing::field::Empty,
    );
    if !user_agent.is_empty() {
        span.record("user_agent.original", user_agent);
    }
    if let Some(peer) = req.peer_addr() {
        span.record("client.address", peer.ip().to_string().as_str());
    }
    span
}

/// `http.request.method`: the method, or `_OTHER` for one that is not standard (semconv).
fn semconv_method(method: &'static str) -> &'static str {
    if method == "OTHER" { "_OTHER" } else { method }
}

/// The span's name in the trace backend: `{METHOD} {route}` (semconv), or just the method when
/// no route matched (the raw path would make names unbounded); `HTTP` stands for a method that
/// is not standard.
fn span_name(method: &str, route: &str) -> String {
    let method = if method == "OTHER" { "HTTP" } else { method };
    if route == UNMATCHED {
        method.to_owned()
    } else {
        format!("{method} {route}")
    }
}

/// `host[:port]` (or `[v6]:port`) split into the address and the port, the scheme's default
/// port when none is given.
fn split_host<'a>(host: &'a str, scheme: &str) -> (&'a str, u16) {
    let default = if scheme.eq_ignore_ascii_case("https") {
        443
    } else {
        80
    };
    let (address, port) = match host.rsplit_once(':') {
        // `[::1]:8080`, `example.com:8080`; a bare IPv6 address (`::1`) has no port.
        Some((address, port)) if !address.contains(':') || address.ends_with(']') => {
            (address, port.parse().ok())
        }
        _ => (host, None),
    };
    (
        address.trim_start_matches('[').trim_end_matches(']'),
        port.unwrap_or(default),
    )
}

/// `network.protocol.version` of an HTTP version: `1.0`, `1.1`, `2`, `3`.
fn protocol_version(version: Version) -> &'static str {
    match version {
        Version::HTTP_09 => "0.9",
        Version::HTTP_10 => "1.0",
        Version::HTTP_2 => "2",
        Version::HTTP_3 => "3",
        _ => "1.1",
    }
}

/// Marks an error answer whose body already is the error envelope (an answer the idempotency
/// layer stored or replays): the pipeline passes it on as it is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Enveloped;

/// The method as a metrics label and span attribute: the standard methods by name, anything
/// else `OTHER`, so invented methods cannot grow the label set (SPEC §4.1).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "OTHER",
    }
}

/// The headers every answer carries (SPEC §4.1): `nosniff`, and `Cache-Control: no-store` on
/// every answer to a request with credentials (it depends on the caller's token, so no shared
/// cache may keep it for another caller) and on any other that chose no caching of its own.
fn secure_headers(headers: &mut header::HeaderMap, authenticated: bool) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if authenticated || !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// The error an error answer stands for: the handler's own, or one made from the status of an
/// answer the framework produced.
fn error_of(res: &ServiceResponse<BoxBody>) -> ApiError {
    if let Some(api) = res
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>())
    {
        return api.clone();
    }
    match res.status() {
        StatusCode::NOT_FOUND => ApiError::RouteNotFound,
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge {
            limit_bytes: super::extract::BODY_LIMIT,
        },
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType,
        StatusCode::UNAUTHORIZED => ApiError::Unauthenticated("authentication required".to_owned()),
        StatusCode::SERVICE_UNAVAILABLE => DomainError::DependencyUnavailable {
            dependency: "service".to_owned(),
        }
        .into(),
        s if s.is_client_error() => {
            ApiError::invalid("request", s.canonical_reason().unwrap_or("bad request"))
        }
        _ => DomainError::Internal(res.response().error().map_or_else(
            || "error answer without a cause".to_owned(),
            ToString::to_string,
        ))
        .into(),
    }
}

/// `res` with the error envelope of SPEC §4 as its body: the one rendering of every error. The
/// headers the handler, extractor or framework set are kept (`Allow`, `Retry-After`, CORS);
/// the status is the one the table gives the error (a framework status outside the table, such
/// as 411, is answered as 400 `VALIDATION_ERROR` on `request`); the body and its content type
/// are replaced.
pub(crate) fn with_error_envelope(
    res: ServiceResponse<BoxBody>,
    correlation: &Correlation,
    span: &tracing::Span,
) -> ServiceResponse<BoxBody> {
    let error = error_of(&res);
    if let ApiError::Domain(DomainError::Internal(cause)) = &error {
        span.in_scope(|| tracing::error!(%cause, "internal error"));
    }
    let status = error.classify().0;
    let body = error_json(&error, &correlation.0);
    let mut res = res.map_body(|_, _| BoxBody::new(body));
    let response = res.response_mut();
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.remove(header::CONTENT_LENGTH);
    headers.insert(header::CONTENT_TYPE, mime_json());
    res
}

fn mime_json() -> HeaderValue {
    HeaderValue::from_static("application/json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_header_splits_into_address_and_port() {
        assert_eq!(
            split_host("api.example.com:8443", "https"),
            ("api.example.com", 8443)
        );
        assert_eq!(
            split_host("api.example.com", "https"),
            ("api.example.com", 443)
        );
        assert_eq!(
            split_host("api.example.com", "http"),
            ("api.example.com", 80)
        );
        assert_eq!(split_host("127.0.0.1:8080", "http"), ("127.0.0.1", 8080));
        assert_eq!(split_host("[::1]:8080", "http"), ("::1", 8080));
        assert_eq!(split_host("[::1]", "http"), ("::1", 80));
        assert_eq!(split_host("::1", "http"), ("::1", 80));
        assert_eq!(split_host("host:notaport", "http"), ("host", 80));
    }

    #[test]
    fn spans_are_named_by_method_and_route_template_never_by_raw_path() {
        assert_eq!(span_name("GET", "/campaigns/{id}"), "GET /campaigns/{id}");
        assert_eq!(span_name("DELETE", UNMATCHED), "DELETE");
        assert_eq!(span_name("OTHER", "/campaigns"), "HTTP /campaigns");
        assert_eq!(semconv_method("OTHER"), "_OTHER");
        assert_eq!(semconv_method("PATCH"), "PATCH");
    }

    #[test]
    fn protocol_versions_are_written_as_semconv_wants() {
        assert_eq!(protocol_version(Version::HTTP_10), "1.0");
        assert_eq!(protocol_version(Version::HTTP_11), "1.1");
        assert_eq!(protocol_version(Version::HTTP_2), "2");
    }
}
