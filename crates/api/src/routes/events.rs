//! Ticketing event routes (SPEC §6, supreme only): event ids by status and date, and status
//! reports.

use actix_web::{HttpResponse, web};
use campaign_domain::serde_json::Value;
use campaign_domain::values::EventId;
use serde::{Deserialize, Serialize};

use super::{context, resource};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::http::extract;
use crate::state::AppState;

pub(super) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(resource("/events").route(web::get().to(list)))
        .service(resource("/events/{eventId}").route(web::post().to(set_status)));
}

/// `?status=&until=`.
#[derive(Debug, Deserialize)]
pub(crate) struct StatusQuery {
    status: Option<String>,
    until: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct EventIds {
    event_ids: Vec<EventId>,
}

/// `GET /events?status=&until=` (supreme): ids of the events markets reference that have the
/// status and a date ≤ `until`. 200; 400; 401; 403.
#[utoipa::path(get, path = "/events", tag = "events", security(("bearer" = [])), params(("status" = String, Query, description = "onsale, offsale, cancelled, postponed or rescheduled"), ("until" = Option<String>, Query, description = "RFC 3339; events dated at or before it (default: now)")), responses((status = 200, description = "Sorted event ids", body = crate::openapi::schemas::EventIdsEnvelope), (status = 400, description = "VALIDATION_ERROR", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "SUPREME_USER_REQUIRED", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn list(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<StatusQuery>,
) -> Result<HttpResponse, ApiError> {
    let event_ids = state
        .events
        .ids_by_status(
            &context(auth, &correlation),
            query.status.as_deref(),
            query.until.as_deref(),
        )
        .await?;
    Ok(Reply::ok().json(&correlation, EventIds { event_ids }))
}

/// `POST /events/{eventId}` (supreme) with `{status}`: records the event's status; returns
/// `{id, status, date?}`. 200; 400; 401; 403; 413; 415.
#[utoipa::path(post, path = "/events/{eventId}", tag = "events", security(("bearer" = [])), params(("eventId" = String, Path, description = "Ticketing event id")), request_body = crate::openapi::schemas::EventStatusRequestDoc, responses((status = 200, description = "The event", body = crate::openapi::schemas::EventEnvelope), (status = 400, description = "VALIDATION_ERROR, MALFORMED_JSON", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "SUPREME_USER_REQUIRED", body = crate::openapi::schemas::ErrorEnvelope), (status = 413, description = "PAYLOAD_TOO_LARGE", body = crate::openapi::schemas::ErrorEnvelope), (status = 415, description = "UNSUPPORTED_MEDIA_TYPE", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn set_status(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::event_id(&path)?;
    let event = state
        .events
        .set_status(&context(auth, &correlation), &id, &body)
        .await?;
    Ok(Reply::ok().json(&correlation, event))
}
