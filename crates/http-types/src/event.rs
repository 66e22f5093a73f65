//! Ticketing events referenced by markets (`GET /events`, `POST /events/{eventId}`): the ids by
//! status, an event as the service knows it, and the status report a client sends.

use std::borrow::Cow;

use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::event::{self as domain, EventStatus};
use campaign_domain::values::EventId;
use campaign_domain::wire_time;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::values;

/// `data` of `GET /events`: the ids, sorted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(examples(json!({"eventIds": ["G5vYZ9Jk1aB2c", "vvG1IZ4bqBkm0Q"]})))]
pub struct EventIds<'a> {
    /// Event ids, sorted.
    #[schema(value_type = Vec<values::EventId>)]
    pub event_ids: Cow<'a, [EventId]>,
}

/// A ticketing event as the service knows it (`data` of `POST /events/{eventId}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({
    "id": "vvG1IZ4bqBkm0Q",
    "status": "cancelled",
    "date": "2030-03-01T01:00:00.000Z"
})))]
pub struct Event<'a> {
    /// Event id.
    #[schema(value_type = values::EventId)]
    pub id: Cow<'a, EventId>,
    /// Last reported status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::EventStatus>, nullable = false)]
    pub status: Option<EventStatus>,
    /// When the event takes place (from the markets that list it).
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    pub date: Option<DateTime<Utc>>,
}

/// The body of `POST /events/{eventId}`: the event's new status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"status": "cancelled"})))]
pub struct EventStatusReport {
    /// The status (the service reads it in any ASCII case).
    #[schema(value_type = values::EventStatus)]
    pub status: EventStatus,
}

impl<'a> From<&'a domain::Event> for Event<'a> {
    fn from(event: &'a domain::Event) -> Self {
        Self {
            id: Cow::Borrowed(&event.id),
            status: event.status,
            date: event.date,
        }
    }
}

impl From<Event<'_>> for domain::Event {
    fn from(event: Event<'_>) -> Self {
        Self {
            id: event.id.into_owned(),
            status: event.status,
            date: event.date,
        }
    }
}

impl<'a> From<&'a [EventId]> for EventIds<'a> {
    fn from(ids: &'a [EventId]) -> Self {
        Self {
            event_ids: Cow::Borrowed(ids),
        }
    }
}

#[cfg(test)]
mod tests {
    use campaign_domain::chrono::TimeZone as _;
    use campaign_domain::serde_json::{self, Value, json};
    use utoipa::PartialSchema as _;

    use super::*;

    #[test]
    fn the_answers_are_the_domains_wire_form_and_read_back() {
        let id = EventId::parse("vvG1IZ4bqBkm0Q").unwrap();
        for event in [
            domain::Event {
                id: id.clone(),
                status: Some(EventStatus::Rescheduled),
                date: Some(Utc.with_ymd_and_hms(2030, 3, 1, 1, 0, 0).unwrap()),
            },
            domain::Event {
                id: id.clone(),
                status: None,
                date: None,
            },
        ] {
            let answer = Event::from(&event);
            assert_eq!(
                serde_json::to_value(&answer).unwrap(),
                serde_json::to_value(&event).unwrap()
            );
            let wire = serde_json::to_string(&answer).unwrap();
            let read: Event<'_> = serde_json::from_str(&wire).unwrap();
            assert_eq!(domain::Event::from(read), event);
        }
        let ids = [id];
        assert_eq!(
            serde_json::to_value(EventIds::from(&ids[..])).unwrap(),
            json!({"eventIds": ["vvG1IZ4bqBkm0Q"]})
        );
    }

    #[test]
    fn what_a_client_reports_the_domain_reads() {
        for status in EventStatus::ALL {
            let body = serde_json::to_value(EventStatusReport { status }).unwrap();
            assert_eq!(EventStatus::parse_body(&body).unwrap(), status);
        }
        let example: Value =
            serde_json::to_value(EventStatusReport::schema()).unwrap()["examples"][0].clone();
        EventStatus::parse_body(&example).unwrap();
        let example: Value = serde_json::to_value(Event::schema()).unwrap()["examples"][0].clone();
        let event =
            domain::Event::from(serde_json::from_value::<Event<'_>>(example.clone()).unwrap());
        assert_eq!(serde_json::to_value(&event).unwrap(), example);
    }
}
