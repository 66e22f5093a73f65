//! Ticketing event use cases (supreme only): `GET /events?status=&until=` lists the ids of
//! events referenced by markets that have a status and a date up to a limit; `POST
//! /events/{eventId}` records the status the ticketing side reports. Event dates come from the
//! markets that reference them (recorded by every market write).

use campaign_domain::DomainError;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::event::{Event, EventStatus};
use campaign_domain::serde_json::Value;
use campaign_domain::values::EventId;
use campaign_ports::StoreError;

use crate::RequestContext;
use crate::ports::Ports;

/// Maps a store error on a event call to what the client sees.
fn store_error(error: StoreError) -> DomainError {
    crate::store_errors::store_error(
        "event",
        DomainError::NotFound("no such event".to_owned()),
        error,
    )
}

/// The event use cases.
#[derive(Debug, Clone)]
pub struct EventService {
    ports: Ports,
}

impl EventService {
    /// The use cases over `ports`.
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// Ids of the events with `status` whose date is ≤ `until` (now when absent) and that at
    /// least one market still references, sorted.
    ///
    /// Errors: `SUPREME_USER_REQUIRED`.
    pub async fn ids_by_status(
        &self,
        ctx: &RequestContext,
        status: EventStatus,
        until: Option<DateTime<Utc>>,
    ) -> Result<Vec<EventId>, DomainError> {
        ctx.actor.require_supreme()?;
        let until = until.unwrap_or_else(|| self.ports.clock.now());
        let events = self
            .ports
            .events
            .find_by_status(status, until)
            .await
            .map_err(store_error)?;
        let mut ids = Vec::with_capacity(events.len());
        for event in events {
            let referenced = !self
                .ports
                .markets
                .find_by_event_id(&event.id)
                .await
                .map_err(store_error)?
                .is_empty();
            if referenced {
                ids.push(event.id);
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// Records the status of an event (body `{status}`), creating the event when the service
    /// has not seen it yet; returns it.
    ///
    /// Errors: `SUPREME_USER_REQUIRED`; `VALIDATION_ERROR` for a malformed body or status.
    pub async fn set_status(
        &self,
        ctx: &RequestContext,
        id: &EventId,
        body: &Value,
    ) -> Result<Event, DomainError> {
        ctx.actor.require_supreme()?;
        let status = EventStatus::parse_body(body)?;
        self.ports
            .events
            .set_status(id, status)
            .await
            .map_err(store_error)
    }
}
