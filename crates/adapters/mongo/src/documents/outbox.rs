//! The outbox documents (ADR 0012, 0013): the `_outbox` entries a write embeds in the campaign
//! or market it changes, the records of the `outbox` collection the relay moves them to, the
//! small projection a claim walks, and the `counters` document of the sweep's sequence.

use bson::Bson;
use bson::serde_helpers::chrono_datetime_as_bson_datetime_optional as bson_date_option;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::messages::OutboundEvent;
use campaign_ports::{OutboxRecord, OutboxState};
use serde::{Deserialize, Serialize};

use super::InvalidDocument;

/// An `_outbox` entry, and the `event` of an `outbox` record: the event in its wire shape
/// (`eventId`, `correlation`, `occurredAt` as text, `destination`, `payload`), exactly what
/// consumers receive. Only `eventId` is ever queried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct OutboxEntry(pub(crate) OutboundEvent);

/// The id of an `_outbox` entry, readable even when the rest of the entry is not.
#[derive(Debug, Deserialize)]
pub(crate) struct OutboxEntryId {
    /// The event id (a hyphenated UUID).
    #[serde(rename = "eventId")]
    pub(crate) event_id: String,
}

/// Where an `outbox` record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum DeliveryState {
    /// Waiting for delivery (or leased by a relay).
    Pending,
    /// Given up on; listed and requeued through the API.
    Failed,
    /// Delivered; kept until the TTL index removes it.
    Delivered,
    /// Cannot be read back; kept for inspection, never claimed.
    Unreadable,
}

impl DeliveryState {
    /// The stored name, for filters and updates.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Failed => "failed",
            Self::Delivered => "delivered",
            Self::Unreadable => "unreadable",
        }
    }
}

/// A record of the `outbox` collection: `{_id: <event id>, seq, occurredAt, destination,
/// orderingKey, event, state, attempts, nextAttemptAt, leaseUntil?, lastError?, deliveredAt?}`
/// (an unreadable one has no `occurredAt` nor `nextAttemptAt`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OutboxRecordDocument {
    #[serde(rename = "_id")]
    id: String,
    seq: i64,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "bson_date_option"
    )]
    occurred_at: Option<DateTime<Utc>>,
    destination: String,
    ordering_key: String,
    /// The `_outbox` entry as it was written, kept as is so an unreadable one is not lost.
    event: Bson,
    state: DeliveryState,
    #[serde(default)]
    attempts: i32,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "bson_date_option"
    )]
    next_attempt_at: Option<DateTime<Utc>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "bson_date_option"
    )]
    lease_until: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "bson_date_option"
    )]
    delivered_at: Option<DateTime<Utc>>,
}

impl OutboxRecordDocument {
    /// The pending record of `event`, read from `entry` (whose `eventId` is `id`), at sequence
    /// number `seq`.
    pub(crate) fn pending(id: String, seq: i64, entry: Bson, event: &OutboundEvent) -> Self {
        Self {
            id,
            seq,
            occurred_at: Some(event.occurred_at),
            destination: event.message.destination().to_owned(),
            ordering_key: event.message.ordering_key(),
            event: entry,
            state: DeliveryState::Pending,
            attempts: 0,
            next_attempt_at: Some(event.occurred_at),
            lease_until: None,
            last_error: None,
            delivered_at: None,
        }
    }

    /// The record of an entry that cannot be read back (`error` says why): set aside.
    pub(crate) fn unreadable(id: String, seq: i64, entry: Bson, error: String) -> Self {
        Self {
            id,
            seq,
            occurred_at: None,
            destination: DeliveryState::Unreadable.as_str().to_owned(),
            ordering_key: String::new(),
            event: entry,
            state: DeliveryState::Unreadable,
            attempts: 0,
            next_attempt_at: None,
            lease_until: None,
            last_error: Some(error),
            delivered_at: None,
        }
    }
}

/// Reads an `_outbox` entry (or a record's `event`) back as the event it holds.
pub(crate) fn read_entry(entry: Bson) -> Result<OutboundEvent, bson::de::Error> {
    bson::from_bson::<OutboxEntry>(entry).map(|OutboxEntry(event)| event)
}

impl TryFrom<OutboxRecordDocument> for OutboxRecord {
    type Error = InvalidDocument;

    fn try_from(doc: OutboxRecordDocument) -> Result<Self, Self::Error> {
        let event = read_entry(doc.event).map_err(|e| InvalidDocument::field("event", e))?;
        let state = match doc.state {
            DeliveryState::Pending => OutboxState::Pending,
            DeliveryState::Failed => OutboxState::Failed,
            other => {
                return Err(InvalidDocument::field(
                    "state",
                    format!("{} is not deliverable", other.as_str()),
                ));
            }
        };
        Ok(Self {
            next_attempt_at: doc.next_attempt_at.unwrap_or(event.occurred_at),
            event,
            state,
            attempts: u32::try_from(doc.attempts)
                .map_err(|e| InvalidDocument::field("attempts", e))?,
            last_error: doc.last_error,
        })
    }
}

/// What a claim reads of each pending record (a projection): enough to keep the order per
/// destination and key, and to see whether it is due and free.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ClaimHead {
    /// The event id.
    #[serde(rename = "_id")]
    pub(crate) id: String,
    /// Its destination.
    #[serde(default)]
    pub(crate) destination: String,
    /// Its ordering key within the destination.
    #[serde(default)]
    pub(crate) ordering_key: String,
    /// Not to be claimed before.
    #[serde(default, with = "bson_date_option")]
    pub(crate) next_attempt_at: Option<DateTime<Utc>>,
    /// Leased by a relay until.
    #[serde(default, with = "bson_date_option")]
    pub(crate) lease_until: Option<DateTime<Utc>>,
}

/// The projection that reads a [`ClaimHead`].
pub(crate) fn claim_head_projection() -> bson::Document {
    bson::doc! {"destination": 1, "orderingKey": 1, "nextAttemptAt": 1, "leaseUntil": 1}
}

/// A `counters` document: the last number handed out of a sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CounterDocument {
    /// The sequence's name (`outbox`).
    #[serde(rename = "_id")]
    pub(crate) id: String,
    /// The last number handed out.
    pub(crate) seq: i64,
}
