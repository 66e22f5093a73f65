//! The `events` document: `{_id: <event id as text>, status?, date?}`. Ticketing ids are not
//! ObjectIds, so `_id` is the id's text; `date` is a BSON date. Written field by field
//! (`$set` with upsert, see `events`), read whole.

use bson::serde_helpers::chrono_datetime_as_bson_datetime_optional as bson_date_option;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::event::{Event, EventStatus};
use campaign_domain::values::EventId;
use serde::{Deserialize, Serialize};

use super::InvalidDocument;

/// The field holding an event's date.
pub(crate) const DATE_FIELD: &str = "date";
/// The field holding an event's status.
pub(crate) const STATUS_FIELD: &str = "status";

/// A stored event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct EventDocument {
    #[serde(rename = "_id")]
    id: EventId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<EventStatus>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "bson_date_option"
    )]
    date: Option<DateTime<Utc>>,
}

impl EventDocument {
    /// An event the service has only heard of: no status, no date yet.
    pub(crate) fn unknown(id: &EventId) -> Self {
        Self {
            id: id.clone(),
            status: None,
            date: None,
        }
    }
}

impl TryFrom<EventDocument> for Event {
    type Error = InvalidDocument;

    fn try_from(doc: EventDocument) -> Result<Self, Self::Error> {
        Ok(Self {
            id: doc.id,
            status: doc.status,
            date: doc.date,
        })
    }
}
