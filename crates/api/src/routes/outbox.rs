//! Outbox routes (supreme only): the events given up on after too many delivery attempts, with
//! the backlog counts, and putting them back in line once the cause is fixed.

use actix_web::{HttpResponse, web};
use campaign_app::deliveries::FailedDeliveries;
use campaign_domain::chrono::{DateTime, SecondsFormat, Utc};
use campaign_domain::paging::Pagination;
use campaign_domain::serde_json::{self, Value};
use campaign_domain::uuid::Uuid;
use campaign_ports::OutboxRecord;
use serde::Serialize;

use super::promoters::PageQuery;
use super::{context, resource};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::state::AppState;

pub(super) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(resource("/outbox/failed").route(web::get().to(failed)))
        .service(resource("/outbox/failed/requeue").route(web::post().to(requeue)));
}

fn wire_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Backlog {
    pending: u64,
    failed: u64,
}

/// A failed event as operators see it: identity, where it was going, why it failed, and the
/// message itself.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct FailedEvent {
    event_id: Uuid,
    destination: &'static str,
    ordering_key: String,
    occurred_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    correlation: Option<String>,
    attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
    event: Value,
}

impl FailedEvent {
    fn of(record: OutboxRecord) -> Self {
        let message = &record.event.message;
        Self {
            event_id: record.event.event_id,
            destination: message.destination(),
            ordering_key: message.ordering_key(),
            occurred_at: wire_time(record.event.occurred_at),
            correlation: record.event.correlation.clone(),
            attempts: record.attempts,
            last_error: record.last_error,
            event: serde_json::to_value(&record.event).unwrap_or(Value::Null),
        }
    }
}

#[derive(Debug, Serialize)]
struct FailedList {
    backlog: Backlog,
    events: Vec<FailedEvent>,
    pagination: Pagination,
}

/// `GET /outbox/failed?page=&pageSize=` (supreme): the backlog counts and the events given up
/// on, oldest first. 200; 400; 401; 403; 503.
#[utoipa::path(get, path = "/outbox/failed", tag = "outbox", security(("bearer" = [])), params(("page" = Option<u32>, Query), ("pageSize" = Option<u32>, Query, description = "1-100, default 10")), responses((status = 200, description = "Backlog counts and one page of failed events", body = crate::openapi::schemas::FailedEventsEnvelope), (status = 400, description = "VALIDATION_ERROR", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "SUPREME_USER_REQUIRED", body = crate::openapi::schemas::ErrorEnvelope), (status = 503, description = "DEPENDENCY_UNAVAILABLE", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn failed(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let FailedDeliveries { backlog, page } = state
        .deliveries
        .failed(
            &context(auth, &correlation),
            query.page.as_deref(),
            query.page_size.as_deref(),
        )
        .await?;
    Ok(Reply::ok().json(
        &correlation,
        FailedList {
            backlog: Backlog {
                pending: backlog.pending,
                failed: backlog.failed,
            },
            events: page.items.into_iter().map(FailedEvent::of).collect(),
            pagination: page.pagination,
        },
    ))
}

#[derive(Debug, Serialize)]
struct Requeued {
    requeued: u64,
}

/// `POST /outbox/failed/requeue` (supreme) with `{"eventIds": [...]}`: puts those failed events
/// back in line, due now; answers how many were requeued (ids that are unknown or not failed
/// are ignored). 200; 400; 401; 403; 413; 415; 503.
#[utoipa::path(post, path = "/outbox/failed/requeue", tag = "outbox", security(("bearer" = [])), request_body = crate::openapi::schemas::RequeueRequestDoc, responses((status = 200, description = "How many failed events are pending again", body = crate::openapi::schemas::RequeuedEnvelope), (status = 400, description = "VALIDATION_ERROR, MALFORMED_JSON", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "SUPREME_USER_REQUIRED", body = crate::openapi::schemas::ErrorEnvelope), (status = 413, description = "PAYLOAD_TOO_LARGE", body = crate::openapi::schemas::ErrorEnvelope), (status = 415, description = "UNSUPPORTED_MEDIA_TYPE", body = crate::openapi::schemas::ErrorEnvelope), (status = 503, description = "DEPENDENCY_UNAVAILABLE", body = crate::openapi::schemas::ErrorEnvelope)))]
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
