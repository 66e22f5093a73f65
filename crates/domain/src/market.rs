//! Markets (SPEC §7.7): a city or region of a campaign with its ticketing event ids and presale
//! time. Rules that need other records (unique names and event ids within a campaign, existing
//! promoters, the Discovery API) are enforced by the use cases and the stores; the rules here
//! need only the market and its campaign.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::campaign::Campaign;
use crate::error::{DomainError, ValidationErrors};
use crate::reader::{ObjectReader, wire_precision, wire_time};
use crate::values::{CampaignId, CategoryId, EventId, GeoPoint, MarketId, PromoterId, TimeZone};

const TEXT_MAX: usize = 200;

/// A market of a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Market {
    /// Id, set by the service.
    pub id: MarketId,
    /// The campaign it belongs to.
    #[serde(rename = "campaign_id")]
    pub campaign_id: CampaignId,
    /// Name, unique within the campaign.
    pub name: String,
    /// City.
    pub city: String,
    /// State or region.
    pub state: String,
    /// IANA time zone of the market.
    pub timezone: TimeZone,
    /// Location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<GeoPoint>,
    /// Population served.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<u64>,
    /// The ticketing event(s) of the market.
    #[serde(default)]
    pub event: MarketEvent,
    /// Promoters of the market's shows.
    #[serde(default)]
    pub promoter_ids: Vec<PromoterId>,
    /// Reminder scheduling.
    #[serde(default)]
    pub notification: Notification,
    /// Bookkeeping dates.
    pub date: MarketDates,
    /// Incremented by the store on every write.
    pub version: u64,
}

/// The venue of a market's event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Venue {
    /// Venue id on the ticketing platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Venue name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The ticketing side of a market.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarketEvent {
    /// Event ids; each belongs to at most one market of a campaign.
    #[serde(default)]
    pub ids: Vec<EventId>,
    /// Event name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When the event takes place.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub date: Option<DateTime<Utc>>,
    /// When the presale starts; inside the campaign's presale window when it has one.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub presale_date_time: Option<DateTime<Utc>>,
    /// Ticketing system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticketer: Option<String>,
    /// Ticketing categories.
    #[serde(default, rename = "category_ids")]
    pub category_ids: Vec<CategoryId>,
    /// Venue.
    #[serde(default)]
    pub venue: Venue,
    /// Code shared by the market's presale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_code: Option<String>,
}

/// Reminder scheduling of a market.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// When the reminder should go out.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub date: Option<DateTime<Utc>>,
    /// When it was sent (unset until then).
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub notified: Option<DateTime<Utc>>,
}

/// Bookkeeping dates of a market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketDates {
    /// Creation (read-only).
    #[serde(with = "wire_time")]
    pub created: DateTime<Utc>,
    /// Last write (read-only).
    #[serde(with = "wire_time")]
    pub updated: DateTime<Utc>,
}

/// Wire paths of a market the service owns.
pub const MARKET_READ_ONLY_FIELDS: [&str; 5] =
    ["id", "campaign_id", "version", "date", "notification"];

impl Market {
    /// Parses a client document for a new market of `campaign_id`.
    pub fn parse_new(
        body: &Value,
        id: MarketId,
        campaign_id: CampaignId,
        now: DateTime<Utc>,
    ) -> Result<Market, ValidationErrors> {
        let mut body = body.clone();
        let Some(obj) = body.as_object_mut() else {
            return Err(ValidationErrors::single("body", "must be a JSON object"));
        };
        for key in MARKET_READ_ONLY_FIELDS {
            obj.remove(key);
        }
        let now = wire_precision(now);
        let base = MarketBase {
            id,
            campaign_id,
            notification: Notification::default(),
            date: MarketDates {
                created: now,
                updated: now,
            },
            version: 0,
        };
        parse_market(&body, base)
    }

    /// Applies a JSON merge patch to this market and parses the result; read-only fields of the
    /// patch are ignored and `date.updated` becomes `now`.
    pub fn parse_update(
        &self,
        patch: &Value,
        now: DateTime<Utc>,
    ) -> Result<Market, ValidationErrors> {
        let mut patch = patch.clone();
        let Some(obj) = patch.as_object_mut() else {
            return Err(ValidationErrors::single("body", "must be a JSON object"));
        };
        for key in MARKET_READ_ONLY_FIELDS {
            obj.remove(key);
        }
        let mut doc = serde_json::to_value(self).unwrap_or_else(|_| Value::Object(Map::new()));
        crate::campaign::merge_patch(&mut doc, &patch);
        let base = MarketBase {
            id: self.id.clone(),
            campaign_id: self.campaign_id.clone(),
            notification: self.notification.clone(),
            date: MarketDates {
                created: self.date.created,
                updated: wire_precision(now),
            },
            version: self.version,
        };
        parse_market(&doc, base)
    }

    /// Checks the rules that involve the market's campaign: the presale time lies inside the
    /// campaign's presale window when the campaign has one (`INVALID_MARKET`). A window with
    /// only a start (or only an end) is open on the other side, and still bounds the presale
    /// on the side it has.
    pub fn check_against(&self, campaign: &Campaign) -> Result<(), DomainError> {
        let Some(presale) = self.event.presale_date_time else {
            return Ok(());
        };
        let before_start = campaign
            .date
            .presale_window_start
            .is_some_and(|start| presale < start);
        let after_end = campaign
            .date
            .presale_window_end
            .is_some_and(|end| presale > end);
        if before_start || after_end {
            return Err(DomainError::invalid_market(
                "the presale time lies outside the campaign's presale window",
                ValidationErrors::single(
                    "event.presaleDateTime",
                    "must lie between the campaign's date.presaleWindowStart and date.presaleWindowEnd",
                ),
            ));
        }
        Ok(())
    }
}

struct MarketBase {
    id: MarketId,
    campaign_id: CampaignId,
    notification: Notification,
    date: MarketDates,
    version: u64,
}

fn parse_market(doc: &Value, base: MarketBase) -> Result<Market, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let root = ObjectReader::new(Some(doc), "", &mut e);
    let name = root.required_text("name", TEXT_MAX, &mut e);
    let city = root.required_text("city", TEXT_MAX, &mut e);
    let state = root.required_text("state", TEXT_MAX, &mut e);
    let timezone = root.required("timezone", &mut e, TimeZone::parse);
    let point = parse_point(&root, &mut e);
    let population = root.u64("population", &mut e);
    let ev = root.object("event", &mut e);
    let venue = ev.object("venue", &mut e);
    // An event id listed twice means nothing more than once: keep the first of each.
    let mut ids: Vec<EventId> = Vec::new();
    for id in ev.string_array("ids", &mut e, EventId::parse) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let event = MarketEvent {
        ids,
        name: ev.text("name", TEXT_MAX, &mut e),
        date: ev.date("date", &mut e),
        presale_date_time: ev.date("presaleDateTime", &mut e),
        ticketer: ev.text("ticketer", TEXT_MAX, &mut e),
        category_ids: ev.string_array("category_ids", &mut e, CategoryId::parse),
        venue: Venue {
            id: venue.text("id", TEXT_MAX, &mut e),
            name: venue.text("name", TEXT_MAX, &mut e),
        },
        shared_code: ev.text("sharedCode", TEXT_MAX, &mut e),
    };
    let promoter_ids = root.string_array("promoterIds", &mut e, PromoterId::parse);
    let (Some(name), Some(city), Some(state), Some(timezone)) = (name, city, state, timezone)
    else {
        return Err(e);
    };
    let market = Market {
        id: base.id,
        campaign_id: base.campaign_id,
        name,
        city,
        state,
        timezone,
        point,
        population,
        event,
        promoter_ids,
        notification: base.notification,
        date: base.date,
        version: base.version,
    };
    e.into_result(market)
}

fn parse_point(root: &ObjectReader<'_>, e: &mut ValidationErrors) -> Option<GeoPoint> {
    if !root.has("point") {
        return None;
    }
    let p = root.object("point", e);
    let kind = p.string("type", e).unwrap_or("Point");
    let coords: Vec<f64> = p.array("coordinates", e, |v, path, e| match v.as_f64() {
        Some(n) => Some(n),
        None => {
            e.add(path, "must be a number");
            None
        }
    });
    if !p.has("coordinates") {
        e.add("point.coordinates", "is required");
        return None;
    }
    match GeoPoint::try_from_geojson(kind, &coords) {
        Ok(point) => Some(point),
        Err(err) => {
            e.add("point", err.message());
            None
        }
    }
}
