//! Ticketing event routes (SPEC §6, supreme only): event ids by status and date, and status
//! reports.

use actix_web::{HttpResponse, web};
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::event;
use campaign_domain::serde_json::Value;
use campaign_http_types::Envelope;
use campaign_http_types::event::{Event, EventIds, EventStatusReport};
use campaign_http_types::values::{EventId, EventStatus};
use serde::Deserialize;

use super::{context, resource};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::http::extract;
use crate::http::query::QueryReader;
use crate::openapi::responses::{
    InvalidBody, InvalidParameters, PayloadTooLarge, SupremeUserRequired, Unauthenticated,
    UnsupportedMediaType,
};
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

impl StatusQuery {
    /// The status (required) and the latest date (`None`: now).
    fn read(&self) -> Result<(event::EventStatus, Option<DateTime<Utc>>), ApiError> {
        let mut r = QueryReader::new();
        let status = r.required(
            "status",
            self.status.as_deref(),
            str::parse::<event::EventStatus>,
        );
        let until = r.instant("until", self.until.as_deref());
        r.finish_required("status", status.map(|status| (status, until)))
    }
}

/// `GET /events?status=&until=` (supreme): ids of the events markets reference that have the
/// status and a date ≤ `until`. 200; 400; 401; 403.
#[utoipa::path(
    get,
    path = "/events",
    tag = "events",
    security(("bearer" = [])),
    params(
        ("status" = EventStatus, Query, description = "The status (read in any ASCII case)"),
        (
            "until" = Option<String>,
            Query,
            format = DateTime,
            description = "RFC 3339; events dated at or before it (default: now)",
        ),
    ),
    responses(
        (status = 200, description = "Sorted event ids", body = Envelope<EventIds>),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
        (status = 403, response = SupremeUserRequired),
    )
)]
pub(crate) async fn list(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<StatusQuery>,
) -> Result<HttpResponse, ApiError> {
    let (status, until) = query.read()?;
    let event_ids = state
        .events
        .ids_by_status(&context(auth, &correlation), status, until)
        .await?;
    Ok(Reply::ok().json(&correlation, EventIds::from(&event_ids[..])))
}

/// `POST /events/{eventId}` (supreme) with `{status}`: records the event's status; returns
/// `{id, status, date?}`. 200; 400; 401; 403; 413; 415.
#[utoipa::path(
    post,
    path = "/events/{eventId}",
    tag = "events",
    security(("bearer" = [])),
    params(("eventId" = EventId, Path, description = "Ticketing event id")),
    request_body = EventStatusReport,
    responses(
        (status = 200, description = "The event", body = Envelope<Event>),
        (status = 400, response = InvalidBody),
        (status = 401, response = Unauthenticated),
        (status = 403, response = SupremeUserRequired),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
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
    Ok(Reply::ok().json(&correlation, Event::from(&event)))
}
