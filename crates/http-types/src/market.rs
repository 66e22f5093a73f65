//! Markets (SPEC §7.7): the market as the service answers it (also as a GeoJSON feature), the
//! bodies of a create and an update, of a copy from another campaign and of the reminder
//! bookkeeping under `/markets`, and what those answer.

use std::borrow::Cow;

use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::market as domain;
use campaign_domain::values::{
    CampaignId, CategoryId, EventId, GeoPoint, MarketId, PromoterId, TimeZone,
};
use campaign_domain::wire_time;
use serde::{Deserialize, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::error::ErrorType;
use crate::promoter::RecordDates;
use crate::values;

/// A market as the service answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(
    as = Market,
    examples(json!({
        "id": "65a1b2c3d4e5f60718293a4c",
        "campaign_id": "65a1b2c3d4e5f60718293a4b",
        "name": "New York",
        "city": "New York",
        "state": "NY",
        "timezone": "America/New_York",
        "point": {"type": "Point", "coordinates": [-73.98, 40.75]},
        "population": 8_336_817,
        "event": {
            "ids": ["vvG1IZ4bqBkm0Q"],
            "name": "Artist at Madison Square Garden",
            "date": "2030-03-01T01:00:00.000Z",
            "presaleDateTime": "2030-02-01T15:00:00.000Z",
            "ticketer": "Ticketmaster",
            "category_ids": ["KZFzniwnSyZfZ7v7nJ"],
            "venue": {"id": "KovZpZA7AAEA", "name": "Madison Square Garden"}
        },
        "promoterIds": ["65a1b2c3d4e5f60718293a4d"],
        "notification": {"date": "2030-02-01T12:00:00.000Z"},
        "date": {"created": "2030-01-01T12:00:00.000Z", "updated": "2030-01-02T08:30:00.000Z"},
        "version": 3
    }))
)]
pub struct Market<'a> {
    /// Set by the service.
    #[schema(value_type = values::ObjectId)]
    pub id: Cow<'a, MarketId>,
    /// The campaign it belongs to.
    #[serde(rename = "campaign_id")]
    #[schema(value_type = values::ObjectId)]
    pub campaign_id: Cow<'a, CampaignId>,
    /// Name, unique within the campaign; 1-200 characters, not blank.
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Cow<'a, str>,
    /// City, 1-200 characters, not blank.
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = "\\S")]
    pub city: Cow<'a, str>,
    /// State or region, 1-200 characters, not blank.
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = "\\S")]
    pub state: Cow<'a, str>,
    /// IANA time zone of the market.
    #[schema(value_type = values::TimeZone)]
    pub timezone: Cow<'a, TimeZone>,
    /// Location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::GeoPoint>, nullable = false)]
    pub point: Option<GeoPoint>,
    /// Population served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub population: Option<u64>,
    /// The ticketing event(s) of the market.
    pub event: MarketEvent<'a>,
    /// Promoters of the market's shows (at most 100).
    #[schema(value_type = Vec<values::ObjectId>, max_items = 100)]
    pub promoter_ids: Cow<'a, [PromoterId]>,
    /// Reminder bookkeeping, set through `/markets/notifyDate` and `/markets/notified`.
    pub notification: Notification,
    /// Creation and last change.
    pub date: RecordDates,
    /// Incremented on every write; also the `ETag`.
    pub version: u64,
}

/// The ticketing side of a market, as answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MarketEvent<'a> {
    /// Ticketing event ids, each once (at most 100); an event id belongs to at most one market
    /// of a campaign.
    #[schema(value_type = Vec<values::EventId>, max_items = 100)]
    pub ids: Cow<'a, [EventId]>,
    /// Event name, at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200, nullable = false)]
    pub name: Option<Cow<'a, str>>,
    /// When the event takes place.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    pub date: Option<DateTime<Utc>>,
    /// When the presale starts; inside the campaign's presale window when it has one.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    pub presale_date_time: Option<DateTime<Utc>>,
    /// Ticketing system, at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200, nullable = false)]
    pub ticketer: Option<Cow<'a, str>>,
    /// Ticketing categories (at most 100).
    #[serde(rename = "category_ids")]
    #[schema(value_type = Vec<values::CategoryId>, max_items = 100)]
    pub category_ids: Cow<'a, [CategoryId]>,
    /// Venue.
    pub venue: Venue<'a>,
    /// Code shared by the market's presale, at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200, nullable = false)]
    pub shared_code: Option<Cow<'a, str>>,
}

/// The venue of a market's event, as answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Venue<'a> {
    /// Venue id on the ticketing platform, at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200, nullable = false)]
    pub id: Option<Cow<'a, str>>,
    /// Venue name, at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200, nullable = false)]
    pub name: Option<Cow<'a, str>>,
}

/// Reminder bookkeeping of a market (set by the service).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Notification {
    /// When the reminder should go out.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    pub date: Option<DateTime<Utc>>,
    /// When it was sent (unset until then).
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    pub notified: Option<DateTime<Utc>>,
}

/// `data` of the market lists (`GET /campaigns/{id}/markets`, `/markets/upcoming`, ...):
/// `{markets}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Markets<'a> {
    /// The markets.
    pub markets: Vec<Market<'a>>,
}

/// `data` of `GET /campaigns/{id}/markets`: `{markets}`, or with `useGeoJson=true` a GeoJSON
/// FeatureCollection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum MarketList<'a> {
    /// `{markets}` by name.
    Markets(Markets<'a>),
    /// The markets as GeoJSON features, by name.
    GeoJson(MarketFeatureCollection<'a>),
}

/// `type` of a GeoJSON FeatureCollection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum FeatureCollectionType {
    /// The only value.
    FeatureCollection,
}

/// `type` of a GeoJSON Feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum FeatureType {
    /// The only value.
    Feature,
}

/// Markets as a GeoJSON FeatureCollection (RFC 7946), one feature per market, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MarketFeatureCollection<'a> {
    /// `FeatureCollection`.
    #[serde(rename = "type")]
    pub kind: FeatureCollectionType,
    /// One per market.
    pub features: Vec<MarketFeature<'a>>,
}

/// A market as a GeoJSON Feature: its point as the geometry, every other field as the
/// properties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MarketFeature<'a> {
    /// `Feature`.
    #[serde(rename = "type")]
    pub kind: FeatureType,
    /// The market's point; `null` when it has none.
    #[schema(value_type = Option<values::GeoPoint>, required = true)]
    pub geometry: Option<GeoPoint>,
    /// The market, without its `point`.
    pub properties: Market<'a>,
}

/// The body of `POST /campaigns/{id}/markets`. Fields the service sets (`id`, `campaign_id`,
/// `notification`, `date`, `version`) are ignored when sent; `null` is the same as leaving a
/// field out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(examples(json!({
    "name": "New York",
    "city": "New York",
    "state": "NY",
    "timezone": "America/New_York",
    "point": {"type": "Point", "coordinates": [-73.98, 40.75]},
    "event": {
        "ids": ["vvG1IZ4bqBkm0Q"],
        "presaleDateTime": "2030-02-01T10:00:00-05:00",
        "venue": {"id": "KovZpZA7AAEA", "name": "Madison Square Garden"}
    },
    "promoterIds": ["65a1b2c3d4e5f60718293a4d"]
})))]
pub struct NewMarket<'a> {
    /// Name, unique within the campaign; 1-200 characters, not blank.
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Cow<'a, str>,
    /// City, 1-200 characters, not blank.
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = "\\S")]
    pub city: Cow<'a, str>,
    /// State or region, 1-200 characters, not blank.
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = "\\S")]
    pub state: Cow<'a, str>,
    /// IANA time zone of the market.
    #[schema(value_type = values::TimeZone)]
    pub timezone: Cow<'a, TimeZone>,
    /// Location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::GeoPointInput>)]
    pub point: Option<GeoPoint>,
    /// Population served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<u64>,
    /// The ticketing event(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<NewMarketEvent<'a>>,
    /// Ids of existing promoters (at most 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<values::ObjectId>>, max_items = 100)]
    pub promoter_ids: Option<Cow<'a, [PromoterId]>>,
}

/// `event` of a new market; every field may be left out (or `null`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewMarketEvent<'a> {
    /// Ticketing event ids (at most 100; a repeat counts once), each in no other market of the
    /// campaign; checked against the Discovery API when it is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<values::EventId>>, max_items = 100)]
    pub ids: Option<Cow<'a, [EventId]>>,
    /// Event name, at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub name: Option<Cow<'a, str>>,
    /// When the event takes place (RFC 3339, any offset).
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub date: Option<DateTime<Utc>>,
    /// When the presale starts (RFC 3339, any offset); inside the campaign's presale window
    /// when it has one (`INVALID_MARKET`).
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub presale_date_time: Option<DateTime<Utc>>,
    /// Ticketing system, at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub ticketer: Option<Cow<'a, str>>,
    /// Ticketing categories (at most 100).
    #[serde(
        default,
        rename = "category_ids",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Vec<values::CategoryId>>, max_items = 100)]
    pub category_ids: Option<Cow<'a, [CategoryId]>>,
    /// Venue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venue: Option<NewVenue<'a>>,
    /// Code shared by the market's presale, at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub shared_code: Option<Cow<'a, str>>,
}

/// `event.venue` of a new market.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewVenue<'a> {
    /// Venue id on the ticketing platform, at most 200 characters; checked against the
    /// Discovery API when it is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub id: Option<Cow<'a, str>>,
    /// Venue name, at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub name: Option<Cow<'a, str>>,
}

/// The body of `POST /campaigns/{id}/markets/{marketId}`: a JSON merge patch (RFC 7396) of the
/// market. A field left out keeps its value; `null` removes an optional one; objects (`event`,
/// `event.venue`, `point`) merge, arrays are replaced as a whole. Fields the service sets are
/// ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(examples(json!({"population": 8_400_000, "event": {"sharedCode": "NYC2030"}})))]
pub struct MarketPatch<'a> {
    /// New name, unique within the campaign; 1-200 characters, not blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200, pattern = "\\S", nullable = false)]
    pub name: Option<Cow<'a, str>>,
    /// New city, 1-200 characters, not blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200, pattern = "\\S", nullable = false)]
    pub city: Option<Cow<'a, str>>,
    /// New state or region, 1-200 characters, not blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200, pattern = "\\S", nullable = false)]
    pub state: Option<Cow<'a, str>>,
    /// New IANA time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::TimeZone>, nullable = false)]
    pub timezone: Option<Cow<'a, TimeZone>>,
    /// New location (a whole point: `coordinates` is required); `null` removes it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::GeoPointInput>)]
    pub point: Option<Option<GeoPoint>>,
    /// New population; `null` removes it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<u64>)]
    pub population: Option<Option<u64>>,
    /// Changes to the event, merged into it; `null` clears it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<MarketEventPatch>)]
    pub event: Option<Option<MarketEventPatch<'a>>>,
    /// New promoter ids, replacing all of them (at most 100); `null` removes them all.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<Vec<values::ObjectId>>, max_items = 100)]
    pub promoter_ids: Option<Option<Cow<'a, [PromoterId]>>>,
}

/// `event` of a market patch, merged into the market's event; `null` removes a field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MarketEventPatch<'a> {
    /// New event ids, replacing all of them (at most 100; a repeat counts once).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<Vec<values::EventId>>, max_items = 100)]
    pub ids: Option<Option<Cow<'a, [EventId]>>>,
    /// New event name, at most 200 characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub name: Option<Option<Cow<'a, str>>>,
    /// New event date (RFC 3339, any offset).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable::time"
    )]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub date: Option<Option<DateTime<Utc>>>,
    /// New presale start (RFC 3339, any offset); inside the campaign's presale window when it
    /// has one.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable::time"
    )]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub presale_date_time: Option<Option<DateTime<Utc>>>,
    /// New ticketing system, at most 200 characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub ticketer: Option<Option<Cow<'a, str>>>,
    /// New categories, replacing all of them (at most 100).
    #[serde(
        default,
        rename = "category_ids",
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<Vec<values::CategoryId>>, max_items = 100)]
    pub category_ids: Option<Option<Cow<'a, [CategoryId]>>>,
    /// Changes to the venue, merged into it; `null` clears it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<VenuePatch>)]
    pub venue: Option<Option<VenuePatch<'a>>>,
    /// New shared presale code, at most 200 characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub shared_code: Option<Option<Cow<'a, str>>>,
}

/// `event.venue` of a market patch; `null` removes a field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VenuePatch<'a> {
    /// New venue id, at most 200 characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub id: Option<Option<Cow<'a, str>>>,
    /// New venue name, at most 200 characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub name: Option<Option<Cow<'a, str>>>,
}

/// The body of `POST /campaigns/{id}/markets/clones`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(examples(json!({"fromCampaignId": "65a1b2c3d4e5f60718293a4e"})))]
pub struct CloneMarkets<'a> {
    /// The campaign whose markets are copied (the caller needs `read` on it).
    #[schema(value_type = values::ObjectId)]
    pub from_campaign_id: Cow<'a, CampaignId>,
}

/// `data` of `POST /campaigns/{id}/markets/clones`: what the copy did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ClonedMarkets<'a> {
    /// The new markets of the target campaign, in the source's order (by name).
    pub cloned: Vec<Market<'a>>,
    /// The source markets that were not copied, and why.
    pub skipped: Vec<SkippedMarket<'a>>,
}

/// A source market that was not copied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SkippedMarket<'a> {
    /// The source market.
    #[schema(value_type = values::ObjectId)]
    pub id: Cow<'a, MarketId>,
    /// Its name.
    #[schema(value_type = String)]
    pub name: Cow<'a, str>,
    /// The error that kept it out.
    #[schema(value_type = SkipReason)]
    pub reason: ErrorType,
    /// That error's message, for people.
    #[schema(value_type = String)]
    pub message: Cow<'a, str>,
}

/// The error types a clone skips a market for: `MARKET_NAME_EXISTS` (the target has a market of
/// that name), `INVALID_MARKET` (its presale time lies outside the target's presale window),
/// `DUPLICATE_EVENT_ID` (a concurrent write took one of its event ids).
#[derive(Debug, Clone, Copy)]
pub struct SkipReason;

/// The values of [`SkipReason`].
pub const SKIP_REASONS: [ErrorType; 3] = [
    ErrorType::MarketNameExists,
    ErrorType::InvalidMarket,
    ErrorType::DuplicateEventId,
];

impl PartialSchema for SkipReason {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(SKIP_REASONS.map(ErrorType::as_str)))
            .description(Some(
                "Why a market was not copied: MARKET_NAME_EXISTS (the target has a market of \
                 that name), INVALID_MARKET (its presale time lies outside the target's presale \
                 window) or DUPLICATE_EVENT_ID (a concurrent write took one of its event ids).",
            ))
            .into()
    }
}

impl ToSchema for SkipReason {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("SkipReason")
    }
}

/// The body of `POST /markets/notifyDate`: which markets get a reminder, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(examples(json!({
    "marketIds": ["65a1b2c3d4e5f60718293a4c"],
    "notificationDate": "2030-02-01T12:00:00.000Z"
})))]
pub struct ReminderSchedule<'a> {
    /// The markets: 1-100 ids (a repeat is allowed), each of a market with a presale time.
    #[schema(value_type = Vec<values::ObjectId>, min_items = 1, max_items = 100)]
    pub market_ids: Cow<'a, [MarketId]>,
    /// When the reminder should go out (RFC 3339, any offset): between now and each market's
    /// presale time.
    #[serde(with = "wire_time")]
    #[schema(value_type = String, format = DateTime)]
    pub notification_date: DateTime<Utc>,
}

/// The body of `POST /markets/notified`: the markets whose reminder went out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(examples(json!({"marketIds": ["65a1b2c3d4e5f60718293a4c"]})))]
pub struct MarketIds<'a> {
    /// 1-100 market ids (a repeat is allowed).
    #[schema(value_type = Vec<values::ObjectId>, min_items = 1, max_items = 100)]
    pub market_ids: Cow<'a, [MarketId]>,
}

impl<'a> From<&'a domain::Venue> for Venue<'a> {
    fn from(venue: &'a domain::Venue) -> Self {
        Self {
            id: venue.id.as_deref().map(Cow::Borrowed),
            name: venue.name.as_deref().map(Cow::Borrowed),
        }
    }
}

impl<'a> From<&'a domain::MarketEvent> for MarketEvent<'a> {
    fn from(event: &'a domain::MarketEvent) -> Self {
        Self {
            ids: Cow::Borrowed(&event.ids),
            name: event.name.as_deref().map(Cow::Borrowed),
            date: event.date,
            presale_date_time: event.presale_date_time,
            ticketer: event.ticketer.as_deref().map(Cow::Borrowed),
            category_ids: Cow::Borrowed(&event.category_ids),
            venue: Venue::from(&event.venue),
            shared_code: event.shared_code.as_deref().map(Cow::Borrowed),
        }
    }
}

impl From<&domain::Notification> for Notification {
    fn from(notification: &domain::Notification) -> Self {
        Self {
            date: notification.date,
            notified: notification.notified,
        }
    }
}

impl<'a> From<&'a domain::Market> for Market<'a> {
    fn from(market: &'a domain::Market) -> Self {
        Self {
            id: Cow::Borrowed(&market.id),
            campaign_id: Cow::Borrowed(&market.campaign_id),
            name: Cow::Borrowed(&market.name),
            city: Cow::Borrowed(&market.city),
            state: Cow::Borrowed(&market.state),
            timezone: Cow::Borrowed(&market.timezone),
            point: market.point,
            population: market.population,
            event: MarketEvent::from(&market.event),
            promoter_ids: Cow::Borrowed(&market.promoter_ids),
            notification: Notification::from(&market.notification),
            date: RecordDates {
                created: market.date.created,
                updated: market.date.updated,
            },
            version: market.version,
        }
    }
}

impl<'a> From<&'a [domain::Market]> for Markets<'a> {
    fn from(markets: &'a [domain::Market]) -> Self {
        Self {
            markets: markets.iter().map(Market::from).collect(),
        }
    }
}

impl<'a> From<&'a domain::Market> for MarketFeature<'a> {
    fn from(market: &'a domain::Market) -> Self {
        Self {
            kind: FeatureType::Feature,
            geometry: market.point,
            properties: Market {
                point: None,
                ..Market::from(market)
            },
        }
    }
}

impl<'a> From<&'a [domain::Market]> for MarketFeatureCollection<'a> {
    fn from(markets: &'a [domain::Market]) -> Self {
        Self {
            kind: FeatureCollectionType::FeatureCollection,
            features: markets.iter().map(MarketFeature::from).collect(),
        }
    }
}

impl From<Venue<'_>> for domain::Venue {
    fn from(venue: Venue<'_>) -> Self {
        Self {
            id: venue.id.map(Cow::into_owned),
            name: venue.name.map(Cow::into_owned),
        }
    }
}

impl From<MarketEvent<'_>> for domain::MarketEvent {
    fn from(event: MarketEvent<'_>) -> Self {
        Self {
            ids: event.ids.into_owned(),
            name: event.name.map(Cow::into_owned),
            date: event.date,
            presale_date_time: event.presale_date_time,
            ticketer: event.ticketer.map(Cow::into_owned),
            category_ids: event.category_ids.into_owned(),
            venue: event.venue.into(),
            shared_code: event.shared_code.map(Cow::into_owned),
        }
    }
}

impl From<Notification> for domain::Notification {
    fn from(notification: Notification) -> Self {
        Self {
            date: notification.date,
            notified: notification.notified,
        }
    }
}

impl From<Market<'_>> for domain::Market {
    fn from(market: Market<'_>) -> Self {
        Self {
            id: market.id.into_owned(),
            campaign_id: market.campaign_id.into_owned(),
            name: market.name.into_owned(),
            city: market.city.into_owned(),
            state: market.state.into_owned(),
            timezone: market.timezone.into_owned(),
            point: market.point,
            population: market.population,
            event: market.event.into(),
            promoter_ids: market.promoter_ids.into_owned(),
            notification: market.notification.into(),
            date: domain::MarketDates {
                created: market.date.created,
                updated: market.date.updated,
            },
            version: market.version,
        }
    }
}

#[cfg(test)]
mod tests {
    use campaign_domain::chrono::TimeZone as _;
    use campaign_domain::serde_json::{self, Value, json};

    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 2, day, hour, 0, 0).unwrap()
    }

    fn campaign() -> CampaignId {
        CampaignId::parse("65a1b2c3d4e5f60718293a4b").unwrap()
    }

    fn parse(body: &Value) -> domain::Market {
        domain::Market::parse_new(
            body,
            MarketId::parse("65a1b2c3d4e5f60718293a4c").unwrap(),
            campaign(),
            at(1, 0),
        )
        .unwrap()
    }

    /// A market with every field set, its reminder scheduled and sent.
    fn full() -> domain::Market {
        let market = parse(&json!({
            "name": "NYC", "city": "New York", "state": "NY", "timezone": "America/New_York",
            "point": {"type": "Point", "coordinates": [-73.98, 40.75]}, "population": 8_336_817,
            "promoterIds": ["65a1b2c3d4e5f60718293a4d"],
            "event": {"ids": ["e1", "e2"], "name": "Show", "date": "2030-03-01T20:00:00Z",
                      "presaleDateTime": "2030-02-10T15:00:00.123+01:00", "ticketer": "TM",
                      "category_ids": ["c1"], "venue": {"id": "v1", "name": "MSG"},
                      "sharedCode": "S"}
        }));
        let mut market = market.with_reminder_at(at(5, 12)).reminded_at(at(5, 13));
        market.version = 7;
        market
    }

    /// A market with only the required fields.
    fn bare() -> domain::Market {
        parse(&json!({"name": "LA", "city": "Los Angeles", "state": "CA",
                      "timezone": "America/Los_Angeles"}))
    }

    #[test]
    fn the_answer_is_the_domains_wire_form_and_reads_back() {
        for market in [full(), bare()] {
            let answer = Market::from(&market);
            assert_eq!(
                serde_json::to_value(&answer).unwrap(),
                serde_json::to_value(&market).unwrap()
            );
            let wire = serde_json::to_string(&answer).unwrap();
            let read: Market<'_> = serde_json::from_str(&wire).unwrap();
            assert_eq!(domain::Market::from(read), market);
        }
    }

    #[test]
    fn the_geojson_answer_is_the_domains_feature_collection() {
        let markets = [full(), bare()];
        let answer = MarketList::GeoJson(MarketFeatureCollection::from(&markets[..]));
        assert_eq!(
            serde_json::to_value(&answer).unwrap(),
            domain::feature_collection(&markets)
        );
        let wire = serde_json::to_string(&answer).unwrap();
        assert_eq!(
            serde_json::from_str::<MarketList<'_>>(&wire).unwrap(),
            answer
        );
        let list = MarketList::Markets(Markets::from(&markets[..]));
        let wire = serde_json::to_string(&list).unwrap();
        assert_eq!(serde_json::from_str::<MarketList<'_>>(&wire).unwrap(), list);
    }

    #[test]
    fn what_a_client_creates_the_domain_reads() {
        let stored = full();
        let body = NewMarket {
            name: "NYC".into(),
            city: "New York".into(),
            state: "NY".into(),
            timezone: Cow::Borrowed(&stored.timezone),
            point: stored.point,
            population: stored.population,
            event: Some(NewMarketEvent {
                ids: Some(Cow::Borrowed(&stored.event.ids)),
                name: Some("Show".into()),
                date: stored.event.date,
                presale_date_time: stored.event.presale_date_time,
                ticketer: Some("TM".into()),
                category_ids: Some(Cow::Borrowed(&stored.event.category_ids)),
                venue: Some(NewVenue {
                    id: Some("v1".into()),
                    name: Some("MSG".into()),
                }),
                shared_code: Some("S".into()),
            }),
            promoter_ids: Some(Cow::Borrowed(&stored.promoter_ids)),
        };
        let created = parse(&serde_json::to_value(&body).unwrap());
        let mut expected = stored.clone();
        expected.notification = domain::Notification::default();
        expected.version = 0;
        assert_eq!(created, expected);
        let bare = NewMarket {
            name: "LA".into(),
            city: "Los Angeles".into(),
            state: "CA".into(),
            timezone: Cow::Owned(TimeZone::parse("America/Los_Angeles").unwrap()),
            point: None,
            population: None,
            event: None,
            promoter_ids: None,
        };
        assert_eq!(parse(&serde_json::to_value(&bare).unwrap()), self::bare());
    }

    #[test]
    fn what_a_client_patches_the_domain_reads() {
        let stored = full();
        let patch = MarketPatch {
            name: Some("New York City".into()),
            point: Some(None),
            population: Some(None),
            event: Some(Some(MarketEventPatch {
                name: Some(None),
                ticketer: Some(Some("AXS".into())),
                presale_date_time: Some(Some(at(11, 9))),
                venue: Some(Some(VenuePatch {
                    id: Some(None),
                    ..VenuePatch::default()
                })),
                ..MarketEventPatch::default()
            })),
            ..MarketPatch::default()
        };
        let patched = stored
            .parse_update(&serde_json::to_value(&patch).unwrap(), at(2, 0))
            .unwrap();
        assert_eq!(patched.name, "New York City");
        assert_eq!((patched.point, patched.population), (None, None));
        assert_eq!(patched.event.name, None);
        assert_eq!(patched.event.ticketer.as_deref(), Some("AXS"));
        assert_eq!(patched.event.presale_date_time, Some(at(11, 9)));
        assert_eq!(patched.event.venue.id, None);
        assert_eq!(patched.event.venue.name.as_deref(), Some("MSG"));
        assert_eq!(patched.event.ids, stored.event.ids);
        assert_eq!(patched.city, stored.city);
        assert_eq!(patched.promoter_ids, stored.promoter_ids);

        let cleared = MarketPatch {
            event: Some(None),
            promoter_ids: Some(None),
            ..MarketPatch::default()
        };
        let patched = stored
            .parse_update(&serde_json::to_value(&cleared).unwrap(), at(2, 0))
            .unwrap();
        assert_eq!(patched.event, domain::MarketEvent::default());
        assert!(patched.promoter_ids.is_empty());
        assert_eq!(
            serde_json::to_string(&MarketPatch::default()).unwrap(),
            "{}"
        );
    }

    #[test]
    fn what_a_client_asks_of_the_reminders_and_clones_the_domain_reads() {
        let ids = [MarketId::parse("65a1b2c3d4e5f60718293a4c").unwrap()];
        let schedule = ReminderSchedule {
            market_ids: Cow::Borrowed(&ids),
            notification_date: at(5, 12),
        };
        let read =
            domain::ReminderRequest::parse(&serde_json::to_value(&schedule).unwrap()).unwrap();
        assert_eq!(
            (read.market_ids.as_slice(), read.notification_date),
            (&ids[..], at(5, 12))
        );
        let notified = MarketIds {
            market_ids: Cow::Borrowed(&ids),
        };
        assert_eq!(
            domain::parse_market_ids(&serde_json::to_value(&notified).unwrap()).unwrap(),
            ids
        );
        let source = campaign();
        let clone = CloneMarkets {
            from_campaign_id: Cow::Borrowed(&source),
        };
        assert_eq!(
            domain::parse_clone_source(&serde_json::to_value(&clone).unwrap()).unwrap(),
            source
        );
    }

    #[test]
    fn skipped_markets_name_their_reason_by_error_type() {
        let id = MarketId::parse("65a1b2c3d4e5f60718293a4c").unwrap();
        let skipped = SkippedMarket {
            id: Cow::Borrowed(&id),
            name: "NYC".into(),
            reason: ErrorType::MarketNameExists,
            message: "the campaign has a market named NYC".into(),
        };
        assert_eq!(
            serde_json::to_value(&skipped).unwrap(),
            json!({"id": id.as_str(), "name": "NYC", "reason": "MARKET_NAME_EXISTS",
                   "message": "the campaign has a market named NYC"})
        );
        let schema = serde_json::to_value(SkipReason::schema()).unwrap();
        assert_eq!(
            schema["enum"],
            json!(["MARKET_NAME_EXISTS", "INVALID_MARKET", "DUPLICATE_EVENT_ID"])
        );
    }

    #[test]
    fn the_examples_are_what_the_service_answers_and_reads() {
        let example =
            |schema: RefOr<Schema>| serde_json::to_value(schema).unwrap()["examples"][0].clone();
        let answer = example(Market::schema());
        let market: Market<'_> = serde_json::from_value(answer.clone()).unwrap();
        let market = domain::Market::from(market);
        assert_eq!(serde_json::to_value(&market).unwrap(), answer);
        let create = example(NewMarket::schema());
        serde_json::from_value::<NewMarket<'_>>(create.clone()).unwrap();
        let created = parse(&create);
        assert_eq!(created.event.presale_date_time, Some(at(1, 15)));
        let patch = example(MarketPatch::schema());
        serde_json::from_value::<MarketPatch<'_>>(patch.clone()).unwrap();
        created.parse_update(&patch, at(1, 1)).unwrap();
        domain::ReminderRequest::parse(&example(ReminderSchedule::schema())).unwrap();
        domain::parse_market_ids(&example(MarketIds::schema())).unwrap();
        domain::parse_clone_source(&example(CloneMarkets::schema())).unwrap();
    }

    #[test]
    fn a_client_reads_every_answer_into_owned_values() {
        fn owned<T: serde::de::DeserializeOwned>() {}
        owned::<Market<'static>>();
        owned::<MarketList<'static>>();
        owned::<ClonedMarkets<'static>>();
        owned::<crate::contact::ContactPage<'static>>();
        owned::<crate::event::Event<'static>>();
        owned::<crate::event::EventIds<'static>>();
        owned::<crate::search::ArtistPage<'static>>();
        owned::<crate::search::VenuePage<'static>>();
        owned::<crate::outbox::FailedEventPage<'static>>();
        owned::<crate::Envelope<'static, crate::health::Readiness>>();
    }

    #[test]
    fn the_documented_bounds_are_the_readers() {
        use campaign_domain::limits::LIST_MAX;

        let schema = |s: RefOr<Schema>| serde_json::to_value(s).unwrap();
        let market = schema(Market::schema());
        assert_eq!(market["properties"]["promoterIds"]["maxItems"], LIST_MAX);
        let event = schema(NewMarketEvent::schema());
        assert_eq!(event["properties"]["ids"]["maxItems"], LIST_MAX);
        assert_eq!(event["properties"]["category_ids"]["maxItems"], LIST_MAX);
        let reminders = schema(ReminderSchedule::schema());
        assert_eq!(
            reminders["properties"]["marketIds"]["maxItems"],
            domain::MAX_MARKET_IDS
        );
        assert_eq!(
            reminders["required"],
            json!(["marketIds", "notificationDate"])
        );
        let create = schema(NewMarket::schema());
        assert_eq!(
            create["required"],
            json!(["name", "city", "state", "timezone"])
        );
        assert!(schema(MarketPatch::schema())["required"].is_null());
    }
}
