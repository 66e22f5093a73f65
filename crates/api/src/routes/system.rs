//! System endpoints, without a token: `GET /heartbeat` (liveness: answers while the process
//! serves HTTP, checks nothing), `GET /health/ready` (pings the store and the cache; 503 when one
//! is down), `GET /metrics` (Prometheus text format).

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use campaign_domain::DomainError;
use serde::Serialize;

use super::resource;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::state::AppState;
use crate::telemetry::metrics;

pub(super) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(resource("/heartbeat").route(web::get().to(heartbeat)))
        .service(resource("/health/ready").route(web::get().to(ready)))
        .service(resource("/metrics").route(web::get().to(prometheus)));
}

#[derive(Debug, Serialize)]
struct Health {
    status: &'static str,
}

/// 200 `{"status": "ok"}`.
async fn heartbeat(correlation: Correlation) -> HttpResponse {
    Reply::ok().json(&correlation, Health { status: "ok" })
}

/// 200 `{"status": "ready"}` when the store and the cache answer; 503
/// `DEPENDENCY_UNAVAILABLE` naming the first that does not.
async fn ready(state: web::Data<AppState>, correlation: Correlation) -> Result<HttpResponse, ApiError> {
    if let Err(error) = state.ports.campaigns.ping().await {
        tracing::warn!(%error, "readiness: store down");
        return Err(ApiError(DomainError::DependencyUnavailable { dependency: "store".to_owned() }));
    }
    if let Err(error) = state.ports.cache.ping().await {
        tracing::warn!(%error, "readiness: cache down");
        return Err(ApiError(DomainError::DependencyUnavailable { dependency: "cache".to_owned() }));
    }
    Ok(Reply::ok().json(&correlation, Health { status: "ready" }))
}

/// The Prometheus exposition.
async fn prometheus() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(ContentType(
            "text/plain; version=0.0.4; charset=utf-8".parse().unwrap_or(mime_text()),
        ))
        .body(metrics::render())
}

fn mime_text() -> actix_web::mime::Mime {
    actix_web::mime::TEXT_PLAIN_UTF_8
}
