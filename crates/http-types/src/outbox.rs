//! Delivery inspection (SPEC §8, supreme only): the outbox backlog and the events given up on
//! after too many delivery attempts (`GET /outbox/failed`), and putting them back in line
//! (`POST /outbox/failed/requeue`).

use std::borrow::Cow;

use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::messages::OutboundEvent;
use campaign_domain::uuid::Uuid;
use campaign_domain::wire_time;
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::paging::Pagination;
use crate::values;

/// Most event ids one requeue takes (the service's `MAX_REQUEUE`).
pub const REQUEUE_MAX: usize = 500;

/// Every destination an event may have, by its wire name.
pub const DESTINATIONS: [&str; 6] = [
    "campaignStream",
    "dataPipeline",
    "refreshSelections",
    "cdnPurge",
    "artistExtension",
    "linkedCampaigns",
];

/// `data` of `GET /outbox/failed`: the backlog counts and one page of failed events, oldest
/// first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FailedEventPage<'a> {
    /// Events waiting and events given up on.
    pub backlog: Backlog,
    /// The failed events of this page.
    pub events: Vec<FailedEvent<'a>>,
    /// Where this page is.
    pub pagination: Pagination,
}

/// Outbox counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Backlog {
    /// Events waiting for delivery.
    pub pending: u64,
    /// Events given up on.
    pub failed: u64,
}

/// An event given up on after too many delivery attempts: its identity, where it was going, why
/// it failed, and the event itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(examples(json!({
    "eventId": "0b5e2f8e-4c1a-4f5e-9a43-2d7c8b1e6f00",
    "destination": "cdnPurge",
    "orderingKey": "65a1b2c3d4e5f60718293a4b",
    "occurredAt": "2030-01-01T12:00:00.000Z",
    "correlation": "c-1",
    "attempts": 8,
    "lastError": "cdnPurge: 503 Service Unavailable",
    "event": {
        "eventId": "0b5e2f8e-4c1a-4f5e-9a43-2d7c8b1e6f00",
        "correlation": "c-1",
        "occurredAt": "2030-01-01T12:00:00.000Z",
        "destination": "cdnPurge",
        "payload": {"surrogateKeys": ["65a1b2c3d4e5f60718293a4b", "site.example.com"]}
    }
})))]
pub struct FailedEvent<'a> {
    /// The id consumers de-duplicate by.
    #[schema(value_type = String, format = "uuid")]
    pub event_id: Uuid,
    /// Where it was going.
    #[schema(value_type = Destination)]
    pub destination: Cow<'a, str>,
    /// The key its destination orders by (the campaign id; an artist id for `artistExtension`).
    #[schema(value_type = String)]
    pub ordering_key: Cow<'a, str>,
    /// When the change happened.
    #[serde(with = "wire_time")]
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: DateTime<Utc>,
    /// Correlation id of the request that caused it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, nullable = false)]
    pub correlation: Option<Cow<'a, str>>,
    /// Delivery attempts made.
    pub attempts: u32,
    /// Why the last attempt failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, nullable = false)]
    pub last_error: Option<Cow<'a, str>>,
    /// The event as it is sent: `eventId`, `correlation`, `occurredAt`, `destination` and the
    /// destination's `payload`.
    #[schema(value_type = Object)]
    pub event: Cow<'a, OutboundEvent>,
}

/// Where an outbox event goes: `campaignStream` (Kinesis), `dataPipeline` and
/// `refreshSelections` (SQS), `cdnPurge` (Fastly), `artistExtension` (GitLab),
/// `linkedCampaigns` (the service itself).
#[derive(Debug, Clone, Copy)]
pub struct Destination;

impl PartialSchema for Destination {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(DESTINATIONS))
            .description(Some(
                "Where an outbox event goes: campaignStream (Kinesis), dataPipeline and \
                 refreshSelections (SQS), cdnPurge (Fastly), artistExtension (GitLab), \
                 linkedCampaigns (the service itself).",
            ))
            .into()
    }
}

impl ToSchema for Destination {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Destination")
    }
}

/// The body of `POST /outbox/failed/requeue`: the failed events to put back in line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(examples(json!({"eventIds": ["0b5e2f8e-4c1a-4f5e-9a43-2d7c8b1e6f00"]})))]
pub struct RequeueRequest {
    /// 1-500 event ids; ids that are unknown or not failed are ignored.
    #[schema(value_type = Vec<values::Uuid>, min_items = 1, max_items = 500)]
    pub event_ids: Vec<Uuid>,
}

/// `data` of `POST /outbox/failed/requeue`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"requeued": 1})))]
pub struct Requeued {
    /// How many failed events are pending again.
    pub requeued: u64,
}

impl<'a> FailedEvent<'a> {
    /// The answer for a failed `event` after `attempts`, the last of which failed with
    /// `last_error`.
    pub fn new(event: &'a OutboundEvent, attempts: u32, last_error: Option<&'a str>) -> Self {
        Self {
            event_id: event.event_id,
            destination: Cow::Borrowed(event.message.destination()),
            ordering_key: Cow::Owned(event.message.ordering_key()),
            occurred_at: event.occurred_at,
            correlation: event.correlation.as_deref().map(Cow::Borrowed),
            attempts,
            last_error: last_error.map(Cow::Borrowed),
            event: Cow::Borrowed(event),
        }
    }
}

#[cfg(test)]
mod tests {
    use campaign_domain::chrono::TimeZone as _;
    use campaign_domain::messages::{
        ArtistExtensionSync, CdnPurge, LinkedCampaignsSync, OutboundMessage,
    };
    use campaign_domain::serde_json::{self, Value, json};
    use campaign_domain::values::{ArtistId, CampaignId};

    use super::*;

    fn events() -> Vec<OutboundEvent> {
        let campaign = CampaignId::parse("65a1b2c3d4e5f60718293a4b").unwrap();
        [
            OutboundMessage::CdnPurge(CdnPurge {
                surrogate_keys: vec![campaign.to_string(), "site.example.com".to_owned()],
            }),
            OutboundMessage::ArtistExtension(ArtistExtensionSync {
                artist_id: ArtistId::parse("K8vZ9171oZ7").unwrap(),
            }),
            OutboundMessage::LinkedCampaigns(LinkedCampaignsSync {
                source_id: campaign.clone(),
                linked_ids: vec![CampaignId::parse("65a1b2c3d4e5f60718293a4c").unwrap()],
            }),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, message)| OutboundEvent {
            event_id: Uuid::from_u128(0x0b5e_2f8e_4c1a_4f5e_9a43_2d7c_8b1e_6f00 + i as u128),
            correlation: (i == 0).then(|| "c-1".to_owned()),
            occurred_at: Utc.with_ymd_and_hms(2030, 1, 1, 12, 0, 0).unwrap(),
            message,
        })
        .collect()
    }

    /// What the service answered before these types: the event's fields, and the event as JSON.
    fn as_before(event: &OutboundEvent, attempts: u32, last_error: Option<&str>) -> Value {
        let mut wire = json!({
            "eventId": event.event_id,
            "destination": event.message.destination(),
            "orderingKey": event.message.ordering_key(),
            "occurredAt": event.occurred_at.to_rfc3339_opts(
                campaign_domain::chrono::SecondsFormat::Millis, true),
            "attempts": attempts,
            "event": serde_json::to_value(event).unwrap(),
        });
        if let Some(correlation) = &event.correlation {
            wire["correlation"] = json!(correlation);
        }
        if let Some(error) = last_error {
            wire["lastError"] = json!(error);
        }
        wire
    }

    #[test]
    fn a_failed_event_is_answered_as_before_and_reads_back() {
        for (i, event) in events().iter().enumerate() {
            let last_error = (i != 1).then_some("503 Service Unavailable");
            let answer = FailedEvent::new(event, 8, last_error);
            let wire = serde_json::to_value(&answer).unwrap();
            assert_eq!(wire, as_before(event, 8, last_error));
            assert!(DESTINATIONS.contains(&answer.destination.as_ref()));
            assert_eq!(wire["event"]["destination"], wire["destination"]);
            let read: FailedEvent<'_> = serde_json::from_value(wire).unwrap();
            assert_eq!(read, answer);
        }
    }

    #[test]
    fn what_a_client_requeues_is_read_as_uuids() {
        let body = RequeueRequest {
            event_ids: events().iter().map(|e| e.event_id).collect(),
        };
        let wire = serde_json::to_value(&body).unwrap();
        let pattern = regex::Regex::new(values::UUID).unwrap();
        for id in wire["eventIds"].as_array().unwrap() {
            let id = id.as_str().unwrap();
            assert!(pattern.is_match(id), "{id}");
            assert!(Uuid::parse_str(id).is_ok());
        }
        assert_eq!(
            serde_json::from_value::<RequeueRequest>(wire).unwrap(),
            body
        );
        let schema = serde_json::to_value(RequeueRequest::schema()).unwrap();
        assert_eq!(schema["properties"]["eventIds"]["maxItems"], REQUEUE_MAX);
        let example = serde_json::to_value(FailedEvent::schema()).unwrap()["examples"][0].clone();
        let read: FailedEvent<'_> = serde_json::from_value(example.clone()).unwrap();
        assert_eq!(
            as_before(&read.event, read.attempts, read.last_error.as_deref()),
            example
        );
    }
}
