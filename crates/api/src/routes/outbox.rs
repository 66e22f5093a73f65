//! Outbox routes (supreme only): the events given up on after too many delivery attempts, with
//! the backlog counts, and putting them back in line once the cause is fixed.

use actix_web::{HttpResponse, web};
use campaign_app::deliveries::FailedDeliveries;
use campaign_domain::serde_json::Value;
use campaign_http_types::Envelope;
use campaign_http_types::outbox::{
    Backlog, FailedEvent, FailedEventPage, RequeueRequest, Requeued,
};

use super::{context, resource};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::http::query::PageQuery;
use crate::openapi::responses::{
    DependencyUnavailable, InvalidBody, InvalidParameters, PayloadTooLarge, SupremeUserRequired,
    Unauthenticated, UnsupportedMediaType,
};
use crate::state::AppState;

pub(super) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(resource("/outbox/failed").route(web::get().to(failed)))
        .service(resource("/outbox/failed/requeue").route(web::post().to(requeue)));
}

/// `GET /outbox/failed?page=&pageSize=` (supreme): the backlog counts and the events given up
/// on, oldest first. 200; 400; 401; 403; 503.
#[utoipa::path(
    get,
    path = "/outbox/failed",
    tag = "outbox",
    security(("bearer" = [])),
    params(
        ("page" = Option<u32>, Query, maximum = 1_000_000, description = "Zero-based page number (default 0)"),
        ("pageSize" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Items per page (default 10)"),
    ),
    responses(
        (
            status = 200,
            description = "Backlog counts and one page of failed events, oldest first",
            body = Envelope<FailedEventPage>,
        ),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
        (status = 403, response = SupremeUserRequired),
        (status = 503, response = DependencyUnavailable),
    )
)]
pub(crate) async fn failed(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let FailedDeliveries { backlog, page } = state
        .deliveries
        .failed(&context(auth, &correlation), query.read()?)
        .await?;
    Ok(Reply::ok().json(
        &correlation,
        FailedEventPage {
            backlog: Backlog {
                pending: backlog.pending,
                failed: backlog.failed,
            },
            events: page
                .items
                .iter()
                .map(|r| FailedEvent::new(&r.event, r.attempts, r.last_error.as_deref()))
                .collect(),
            pagination: page.pagination.into(),
        },
    ))
}

/// `POST /outbox/failed/requeue` (supreme) with `{"eventIds": [...]}`: puts those failed events
/// back in line, due now; answers how many were requeued (ids that are unknown or not failed
/// are ignored). 200; 400; 401; 403; 413; 415; 503.
#[utoipa::path(
    post,
    path = "/outbox/failed/requeue",
    tag = "outbox",
    security(("bearer" = [])),
    request_body = RequeueRequest,
    responses(
        (status = 200, description = "How many failed events are pending again", body = Envelope<Requeued>),
        (status = 400, response = InvalidBody),
        (status = 401, response = Unauthenticated),
        (status = 403, response = SupremeUserRequired),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 503, response = DependencyUnavailable),
    )
)]
pub(crate) async fn requeue(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let requeued = state
        .deliveries
        .requeue(&context(auth, &correlation), &body)
        .await?;
    Ok(Reply::ok().json(&correlation, Requeued { requeued }))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use campaign_adapter_memory::SystemClock;
    use campaign_app::RequestContext;
    use campaign_app::deliveries::{DeliveryService, MAX_REQUEUE};
    use campaign_domain::permission::Actor;
    use campaign_domain::serde_json;
    use campaign_domain::uuid::Uuid;
    use campaign_http_types::outbox::REQUEUE_MAX;

    use super::*;

    #[actix_web::test]
    async fn what_a_client_requeues_the_service_reads() {
        assert_eq!(REQUEUE_MAX, MAX_REQUEUE);
        let service = DeliveryService::new(crate::memory_ports(Arc::new(SystemClock)));
        let ctx = RequestContext::new(Actor::supreme("root"), "c-1");
        let body = RequeueRequest {
            event_ids: vec![Uuid::new_v4(); REQUEUE_MAX],
        };
        let read = service
            .requeue(&ctx, &serde_json::to_value(&body).unwrap_or(Value::Null))
            .await;
        assert_eq!(
            read.ok(),
            Some(0),
            "unknown ids are ignored, none is refused"
        );
    }
}
