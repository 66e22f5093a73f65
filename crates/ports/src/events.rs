//! The ticketing event repository.

use async_trait::async_trait;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::event::{Event, EventStatus};
use campaign_domain::values::EventId;

use crate::error::StoreError;

/// What the service knows of ticketing events: their status (reported by the ticketing side)
/// and their date (taken from the markets that reference them).
#[async_trait]
pub trait EventRepository: Send + Sync + 'static {
    /// Records these events' dates, creating events not seen before (status unset). A `None`
    /// date leaves a known date as it is.
    async fn record_dates(
        &self,
        events: &[(EventId, Option<DateTime<Utc>>)],
    ) -> Result<(), StoreError>;

    /// Sets an event's status, creating the event when unknown; returns it.
    async fn set_status(&self, id: &EventId, status: EventStatus) -> Result<Event, StoreError>;

    /// The event, if known.
    async fn find(&self, id: &EventId) -> Result<Option<Event>, StoreError>;

    /// Events with `status` whose date is ≤ `until`, by id. Events without a date never match.
    async fn find_by_status(
        &self,
        status: EventStatus,
        until: DateTime<Utc>,
    ) -> Result<Vec<Event>, StoreError>;
}
