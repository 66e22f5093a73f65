//! `EventRepository` on MongoDB: the `events` collection, `{_id: <event id>, status, date}`
//! (the id as text: ticketing ids are not ObjectIds; the date as a BSON date).

use async_trait::async_trait;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::event::{Event, EventStatus};
use campaign_domain::values::EventId;
use campaign_ports::{EventRepository, StoreError};
use mongodb::bson::{Document, doc};
use mongodb::options::ReturnDocument;

use crate::document::{date, from_document};
use crate::errors::{failed, is_duplicate_key, unavailable};
use crate::{MongoStore, reads};

fn event_from(doc: Document) -> Result<Event, StoreError> {
    from_document(doc)
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
                            doc! {"$set": {"date": date(*at)}},
                        )
                        .upsert(true)
                        .await
                        .map_err(failed("record event date"))?;
                }
                // Known events keep their date; unknown ones are created without one.
                None => match self.events.insert_one(doc! {"_id": id.as_str()}).await {
                    Ok(_) => {}
                    Err(e) if is_duplicate_key(&e) => {}
                    Err(e) => return Err(unavailable("record event", &e)),
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
                doc! {"$set": {"status": status.as_str()}},
            )
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await
            .map_err(failed("set event status"))?
            .ok_or_else(|| StoreError::Unavailable("upsert returned no event".to_owned()))?;
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
            doc! {"status": status.as_str(), "date": {"$lte": date(until)}},
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
