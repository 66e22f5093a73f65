//! System endpoints, without a token: `GET /heartbeat` (liveness: answers while the process
//! serves HTTP, checks nothing), `GET /health/ready` (pings the store and the cache; 503 only when
//! the store is down, SPEC §9), `GET /metrics` (Prometheus text format), `GET /openapi.json` (the
//! API document), `GET /docs` (its reference page, [`crate::openapi::docs`]).

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use campaign_domain::DomainError;
use campaign_http_types::Envelope;
use campaign_http_types::health::{Liveness, LivenessStatus, Readiness, ReadinessStatus};

use super::resource;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::openapi::responses::DependencyUnavailable;
use crate::state::AppState;
use crate::telemetry::metrics;

pub(super) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(resource("/heartbeat").route(web::get().to(heartbeat)))
        .service(resource("/health/ready").route(web::get().to(ready)))
        .service(resource("/metrics").route(web::get().to(prometheus)))
        .service(resource("/openapi.json").route(web::get().to(crate::openapi::openapi_json)))
        .configure(crate::openapi::docs::configure);
}

/// 200 `{"status": "ok"}`.
#[utoipa::path(
    get,
    path = "/heartbeat",
    tag = "system",
    responses((status = 200, description = "Alive", body = Envelope<Liveness>))
)]
pub(crate) async fn heartbeat(correlation: Correlation) -> HttpResponse {
    Reply::ok().json(
        &correlation,
        Liveness {
            status: LivenessStatus::Ok,
        },
    )
}

/// 200 `{"status": "ready"}` when the store and the cache answer; 200 `{"status": "degraded"}`
/// when the store answers but the cache does not; 503 `DEPENDENCY_UNAVAILABLE` naming `store`
/// when the store does not.
///
/// Only the store decides (SPEC §9): the service answers from the store while Redis is down
/// (cache errors are logged, never returned), and every pod shares the same Redis, so failing
/// readiness on a Redis blip would take the whole fleet out of rotation for nothing. The
/// cache's state is logged and reported in the body.
#[utoipa::path(
    get,
    path = "/health/ready",
    tag = "system",
    responses(
        (
            status = 200,
            description = "The store answers: `ready`, or `degraded` when the cache does not",
            body = Envelope<Readiness>,
        ),
        (status = 503, response = DependencyUnavailable),
    )
)]
pub(crate) async fn ready(
    state: web::Data<AppState>,
    correlation: Correlation,
) -> Result<HttpResponse, ApiError> {
    if state.draining.load(std::sync::atomic::Ordering::Relaxed) {
        // Stopping: in-flight requests still finish, new work belongs on other replicas.
        return Err(ApiError::from(DomainError::DependencyUnavailable {
            dependency: "service (shutting down)".to_owned(),
        }));
    }
    let (store, cache) = tokio::join!(state.ports.campaigns.ping(), state.ports.cache.ping());
    if let Err(error) = store {
        tracing::warn!(%error, "readiness: store down, not ready");
        return Err(ApiError::from(DomainError::DependencyUnavailable {
            dependency: "store".to_owned(),
        }));
    }
    let status = match cache {
        Ok(()) => ReadinessStatus::Ready,
        Err(error) => {
            tracing::warn!(%error, "readiness: cache down, still ready (reads go to the store)");
            ReadinessStatus::Degraded
        }
    };
    Ok(Reply::ok().json(&correlation, Readiness { status }))
}

/// The Prometheus exposition.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "system",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain"))
)]
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use actix_web::{App, test};
    use campaign_adapter_memory::SystemClock;
    use campaign_adapter_redis::{RedisCache, RedisSettings, RedisUrl, testing};
    use campaign_app::campaigns::CampaignService;
    use campaign_app::contacts::ContactService;
    use campaign_app::deliveries::DeliveryService;
    use campaign_app::events::EventService;
    use campaign_app::markets::MarketService;
    use campaign_app::promoters::PromoterService;
    use campaign_app::queries::CampaignQueryService;
    use campaign_app::search::SearchService;
    use campaign_app::{PasswordHasher, Ports, Settings};
    use serde_json::Value;

    use super::*;

    /// A Redis cache whose server is not there: nothing listens on a port the OS just handed
    /// out and took back, so every call, `ping` included, fails.
    fn down_cache() -> RedisCache {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(1);
        let url = RedisUrl::parse(&format!("redis://127.0.0.1:{port}"))
            .unwrap_or_else(|e| panic!("a valid URL: {e}"));
        RedisCache::connect(&testing::quick(RedisSettings::new(url)))
            .unwrap_or_else(|e| panic!("the client is built without connecting: {e}"))
    }

    fn state(ports: Ports) -> AppState {
        let settings = Settings::default();
        AppState {
            campaigns: CampaignService::new(ports.clone(), &settings, PasswordHasher::new(1024, 1)),
            queries: CampaignQueryService::new(ports.clone()),
            markets: MarketService::new(ports.clone()),
            promoters: PromoterService::new(ports.clone(), &settings),
            contacts: ContactService::new(ports.clone()),
            events: EventService::new(ports.clone()),
            search: SearchService::new(ports.clone(), &settings),
            deliveries: DeliveryService::new(ports.clone()),
            ports,
            draining: Arc::new(AtomicBool::new(false)),
        }
    }

    async fn readiness(ports: Ports) -> (u16, Value) {
        readiness_of(state(ports)).await
    }

    async fn readiness_of(state: AppState) -> (u16, Value) {
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(state))
                .configure(configure),
        )
        .await;
        let res = test::call_service(
            &app,
            test::TestRequest::get().uri("/health/ready").to_request(),
        )
        .await;
        let status = res.status().as_u16();
        // An error's envelope is written by the pipeline, which this app does not mount.
        let body = test::read_body(res).await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    #[actix_web::test]
    async fn ready_when_the_store_and_the_cache_answer() {
        let ports = crate::memory_ports(Arc::new(SystemClock));
        let (status, body) = readiness(ports).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["status"], "ready");
    }

    #[actix_web::test]
    async fn a_cache_that_does_not_answer_leaves_the_service_ready_but_degraded() {
        let mut ports = crate::memory_ports(Arc::new(SystemClock));
        ports.cache = Arc::new(down_cache());
        let (status, body) = readiness(ports).await;
        assert_eq!(
            status, 200,
            "a Redis blip must not take the pod out of rotation: {body}"
        );
        assert_eq!(body["data"]["status"], "degraded");
    }

    #[actix_web::test]
    async fn a_stopping_service_is_not_ready() {
        let state = state(crate::memory_ports(Arc::new(SystemClock)));
        state.draining.store(true, Ordering::Relaxed);
        let (status, body) = readiness_of(state).await;
        assert_eq!(status, 503, "{body}");
    }
}
