//! The `markets` document: the market's wire shape with its instants (`event.date`,
//! `event.presaleDateTime`, `notification`, `date`) as BSON dates, `version`, and the adapter's
//! `_eventKeys` (its `"<campaign id>|<event id>"` pairs, only when it has event ids, for the
//! uniqueness index). A deleted market that still owes events is a tombstone (`_tombstone`,
//! `_outbox`, nothing else: see `writes`), which no query reads as a market.

use bson::oid::ObjectId;
use bson::serde_helpers::{
    chrono_datetime_as_bson_datetime as bson_date,
    chrono_datetime_as_bson_datetime_optional as bson_date_option,
};
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::market::{Market, MarketDates, MarketEvent, Notification, Venue};
use campaign_domain::values::{
    CampaignId, CategoryId, EventId, GeoPoint, MarketId, PromoterId, TimeZone,
};
use serde::{Deserialize, Serialize};

use super::{InvalidDocument, object_id, resource_id, stored_version, version_of};

/// The field holding a market's campaign-scoped event keys (indexed unique, sparse).
pub(crate) const EVENT_KEYS_FIELD: &str = "_eventKeys";

/// The top-level fields a market document leaves out when they are empty: an update whose new
/// document lacks one unsets it (`writes::replacement`). Nested values (`event`,
/// `notification`, `date`) are set whole. A unit test derives this list from the type.
pub(crate) const OPTIONAL_FIELDS: &[&str] = &["point", "population", EVENT_KEYS_FIELD];

/// A stored market.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MarketDocument {
    #[serde(rename = "_id")]
    id: ObjectId,
    #[serde(rename = "campaign_id")]
    campaign_id: CampaignId,
    name: String,
    city: String,
    state: String,
    timezone: TimeZone,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    point: Option<GeoPoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    population: Option<u64>,
    #[serde(default)]
    event: MarketEventDocument,
    #[serde(default)]
    promoter_ids: Vec<PromoterId>,
    #[serde(default)]
    notification: NotificationDocument,
    date: MarketDatesDocument,
    version: i64,
    #[serde(rename = "_eventKeys", default, skip_serializing_if = "Vec::is_empty")]
    event_keys: Vec<String>,
}

/// A market's `event`, its instants as BSON dates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MarketEventDocument {
    #[serde(default)]
    ids: Vec<EventId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "bson_date_option"
    )]
    date: Option<DateTime<Utc>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "bson_date_option"
    )]
    presale_date_time: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ticketer: Option<String>,
    #[serde(default, rename = "category_ids")]
    category_ids: Vec<CategoryId>,
    #[serde(default)]
    venue: Venue,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shared_code: Option<String>,
}

/// A market's `notification`, as BSON dates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct NotificationDocument {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "bson_date_option"
    )]
    date: Option<DateTime<Utc>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "bson_date_option"
    )]
    notified: Option<DateTime<Utc>>,
}

/// A market's `date`, as BSON dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct MarketDatesDocument {
    #[serde(with = "bson_date")]
    created: DateTime<Utc>,
    #[serde(with = "bson_date")]
    updated: DateTime<Utc>,
}

impl MarketDocument {
    /// This document with `version` instead of the market's own (a write stores the next
    /// version).
    pub(crate) fn at_version(mut self, version: u64) -> Self {
        self.version = stored_version(version);
        self
    }
}

/// A market's `"<campaign id>|<event id>"` keys, sorted, each once.
fn event_keys(campaign_id: &CampaignId, event: &MarketEvent) -> Vec<String> {
    let mut keys: Vec<String> = event
        .ids
        .iter()
        .map(|e| format!("{campaign_id}|{e}"))
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

impl From<&Market> for MarketDocument {
    fn from(market: &Market) -> Self {
        // Every field named, so a field added to `Market` cannot be forgotten here.
        let Market {
            id,
            campaign_id,
            name,
            city,
            state,
            timezone,
            point,
            population,
            event,
            promoter_ids,
            notification,
            date,
            version,
        } = market;
        Self {
            id: object_id(id),
            campaign_id: campaign_id.clone(),
            name: name.clone(),
            city: city.clone(),
            state: state.clone(),
            timezone: timezone.clone(),
            point: *point,
            population: *population,
            event_keys: event_keys(campaign_id, event),
            event: MarketEventDocument::from(event),
            promoter_ids: promoter_ids.clone(),
            notification: NotificationDocument {
                date: notification.date,
                notified: notification.notified,
            },
            date: MarketDatesDocument {
                created: date.created,
                updated: date.updated,
            },
            version: stored_version(*version),
        }
    }
}

impl TryFrom<MarketDocument> for Market {
    type Error = InvalidDocument;

    fn try_from(doc: MarketDocument) -> Result<Self, Self::Error> {
        Ok(Self {
            id: resource_id(doc.id, MarketId::parse)?,
            campaign_id: doc.campaign_id,
            name: doc.name,
            city: doc.city,
            state: doc.state,
            timezone: doc.timezone,
            point: doc.point,
            population: doc.population,
            event: doc.event.into(),
            promoter_ids: doc.promoter_ids,
            notification: Notification {
                date: doc.notification.date,
                notified: doc.notification.notified,
            },
            date: MarketDates {
                created: doc.date.created,
                updated: doc.date.updated,
            },
            version: version_of(doc.version)?,
        })
    }
}

impl From<&MarketEvent> for MarketEventDocument {
    fn from(event: &MarketEvent) -> Self {
        let MarketEvent {
            ids,
            name,
            date,
            presale_date_time,
            ticketer,
            category_ids,
            venue,
            shared_code,
        } = event;
        Self {
            ids: ids.clone(),
            name: name.clone(),
            date: *date,
            presale_date_time: *presale_date_time,
            ticketer: ticketer.clone(),
            category_ids: category_ids.clone(),
            venue: venue.clone(),
            shared_code: shared_code.clone(),
        }
    }
}

impl From<MarketEventDocument> for MarketEvent {
    fn from(doc: MarketEventDocument) -> Self {
        Self {
            ids: doc.ids,
            name: doc.name,
            date: doc.date,
            presale_date_time: doc.presale_date_time,
            ticketer: doc.ticketer,
            category_ids: doc.category_ids,
            venue: doc.venue,
            shared_code: doc.shared_code,
        }
    }
}
