//! System endpoints, without a token: `GET /heartbeat` (liveness: answers while the process
//! serves HTTP, checks nothing), `GET /health/ready` (pings the store and the cache; 503 when one
//! is down), `GET /metrics` (Prometheus text format), `GET /openapi.json` (the API document).

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
        .service(resource("/metrics").route(web::get().to(prometheus)))
        .service(resource("/openapi.json").route(web::get().to(crate::openapi::openapi_json)));
}

#[derive(Debug, Serialize)]
struct Health {
    status: &'static str,
}

/// 200 `{"status": "ok"}`.
#[utoipa::path(get, path = "/heartbeat", tag = "system", responses((status = 200, description = "Alive", body = crate::openapi::schemas::HealthEnvelope)))]
pub(crate) async fn heartbeat(correlation: Correlation) -> HttpResponse {
    Reply::ok().json(&correlation, Health { status: "ok" })
}

/// 200 `{"status": "ready"}` when the store and the cache answer; 503
/// `DEPENDENCY_UNAVAILABLE` naming the first that does not.
#[utoipa::path(get, path = "/health/ready", tag = "system", responses((status = 200, description = "Store and cache answer", body = crate::openapi::schemas::HealthEnvelope), (status = 503, description = "DEPENDENCY_UNAVAILABLE", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn ready(
    state: web::Data<AppState>,
    correlation: Correlation,
) -> Result<HttpResponse, ApiError> {
    if let Err(error) = state.ports.campaigns.ping().await {
        tracing::warn!(%error, "readiness: store down");
        return Err(ApiError(DomainError::DependencyUnavailable {
            dependency: "store".to_owned(),
        }));
    }
    if let Err(error) = state.ports.cache.ping().await {
        tracing::warn!(%error, "readiness: cache down");
        return Err(ApiError(DomainError::DependencyUnavailable {
            dependency: "cache".to_owned(),
        }));
    }
    Ok(Reply::ok().json(&correlation, Health { status: "ready" }))
}

/// The Prometheus exposition.
#[utoipa::path(get, path = "/metrics", tag = "system", responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub(crate) async fn prometheus() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(ContentType(
            "text/plain; version=0.0.4; charset=utf-8"
                .parse()
                .unwrap_or(mime_text()),
        ))
        .body(metrics::render())
}

fn mime_text() -> actix_web::mime::Mime {
    actix_web::mime::TEXT_PLAIN_UTF_8
}
