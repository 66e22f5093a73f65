//! `EventRepository` on MongoDB: the `events` collection, one [`EventDocument`] per event,
//! `{_id: <event id>, status, date}` (see `documents::event`).

use async_trait::async_trait;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::event::{Event, EventStatus};
use campaign_domain::values::EventId;
use campaign_ports::{EventRepository, StoreError};
use mongodb::bson::{Document, doc};
use mongodb::options::ReturnDocument;

use crate::documents::event::{DATE_FIELD, EventDocument, STATUS_FIELD};
use crate::documents::{date, encode, read};
use crate::errors::{driver_error, failed, is_duplicate_key};
use crate::{MongoStore, reads};

/// The event a stored document holds (`StoreError::Internal` when it does not decode).
fn event_from(stored: Document) -> Result<Event, StoreError> {
    read::<EventDocument, Event>(stored, "event")
}

#[async_trait]
impl EventRepository for MongoStore {
    async fn record_dates(
        &self,
        events: &[(EventId, Option<DateTime<Utc>>)],
    ) -> Result<(), StoreError> {
        for (id, at) in events {
            match at {
                Some(at) => {
                    self.events
                        .update_one(
                            doc! {"_id": id.as_str()},
                            doc! {"$set": {DATE_FIELD: date(*at)}},
                        )
                        .upsert(true)
                        .await
                        .map_err(failed("record event date"))?;
                }
                // Known events keep their date; unknown ones are created without one.
                None => match self
                    .events
                    .insert_one(encode(&EventDocument::unknown(id), "event")?)
                    .await
                {
                    Ok(_) => {}
                    Err(e) if is_duplicate_key(&e) => {}
                    Err(e) => return Err(driver_error("record event", &e)),
                },
            }
        }
        Ok(())
    }

    async fn set_status(&self, id: &EventId, status: EventStatus) -> Result<Event, StoreError> {
        let doc = self
            .events
            .find_one_and_update(
                doc! {"_id": id.as_str()},
                doc! {"$set": {STATUS_FIELD: status.as_str()}},
            )
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await
            .map_err(failed("set event status"))?
            .ok_or_else(|| {
                StoreError::internal("set event status", "the upsert returned no event")
            })?;
        event_from(doc)
    }

    async fn find(&self, id: &EventId) -> Result<Option<Event>, StoreError> {
        self.events
            .find_one(doc! {"_id": id.as_str()})
            .await
            .map_err(failed("find event"))?
            .map(event_from)
            .transpose()
    }

    async fn find_by_status(
        &self,
        status: EventStatus,
        until: DateTime<Utc>,
    ) -> Result<Vec<Event>, StoreError> {
        reads::all(
            &self.events,
            doc! {STATUS_FIELD: status.as_str(), DATE_FIELD: {"$lte": date(until)}},
            doc! {"_id": 1},
        )
        .await?
        .into_iter()
        .map(event_from)
        .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn a_stored_event_reads_back_with_its_text_id_and_date() {
        let at = DateTime::from_timestamp_millis(1_700_000_000_000).unwrap();
        let doc = doc! {"_id": "65a1b2c3d4e5f60718293a4b", "status": "onsale", "date": date(at)};
        let event = event_from(doc).unwrap();
        assert_eq!(event.id.as_str(), "65a1b2c3d4e5f60718293a4b");
        assert_eq!(
            (event.status, event.date),
            (Some(EventStatus::Onsale), Some(at))
        );
    }
}
