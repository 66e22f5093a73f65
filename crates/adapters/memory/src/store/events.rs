//! `EventRepository` on the in-memory store.

use async_trait::async_trait;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::event::{Event, EventStatus};
use campaign_domain::values::EventId;
use campaign_ports::{EventRepository, StoreError};

use super::MemoryStore;

#[async_trait]
impl EventRepository for MemoryStore {
    async fn record_dates(
        &self,
        events: &[(EventId, Option<DateTime<Utc>>)],
    ) -> Result<(), StoreError> {
        let mut state = self.state();
        for (id, date) in events {
            let event = state.events.entry(id.clone()).or_insert_with(|| Event {
                id: id.clone(),
                status: None,
                date: None,
            });
            if date.is_some() {
                event.date = *date;
            }
        }
        Ok(())
    }

    async fn set_status(&self, id: &EventId, status: EventStatus) -> Result<Event, StoreError> {
        let mut state = self.state();
        let event = state.events.entry(id.clone()).or_insert_with(|| Event {
            id: id.clone(),
            status: None,
            date: None,
        });
        event.status = Some(status);
        Ok(event.clone())
    }

    async fn find(&self, id: &EventId) -> Result<Option<Event>, StoreError> {
        Ok(self.state().events.get(id).cloned())
    }

    async fn find_by_status(
        &self,
        status: EventStatus,
        until: DateTime<Utc>,
    ) -> Result<Vec<Event>, StoreError> {
        Ok(self
            .state()
            .events
            .values()
            .filter(|e| e.status == Some(status) && e.date.is_some_and(|d| d <= until))
            .cloned()
            .collect())
    }
}
