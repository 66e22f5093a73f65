//! Markets (SPEC §7.7): a city or region of a campaign with its ticketing event ids and presale
//! time. Rules that need other records (unique names and event ids within a campaign, existing
//! promoters, the Discovery API) are enforced by the use cases and the stores; the rules here
//! need only the market and its campaign.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::campaign::Campaign;
use crate::error::{DomainError, ValidationErrors};
use crate::limits::LIST_MAX;
use crate::reader::{ObjectReader, wire_precision, wire_time};
use crate::values::{
    CampaignId, CategoryId, EventId, GeoPoint, InvalidValue, MarketId, PromoterId, TimeZone,
};

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

/// Earliest presale start, after now, of the markets `/markets/upcoming` lists.
pub const UPCOMING_FROM: chrono::TimeDelta = chrono::TimeDelta::hours(2);
/// Latest presale start, after now, of the markets `/markets/upcoming` lists.
pub const UPCOMING_TO: chrono::TimeDelta = chrono::TimeDelta::hours(27);

/// The presale times `/markets/upcoming` covers at `now`: `[now + 2 h, now + 27 h]`.
pub fn upcoming_window(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    (now + UPCOMING_FROM, now + UPCOMING_TO)
}

impl Market {
    /// Checks a reminder date for this market at `now`: it must lie between now and the
    /// market's presale time, both included. A market without a presale time takes no
    /// reminder. The error says why, for a client.
    pub fn check_notification_date(
        &self,
        date: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), InvalidValue> {
        let Some(presale) = self.event.presale_date_time else {
            return Err(InvalidValue::new(
                "the market has no presale time (event.presaleDateTime) to remind of",
            ));
        };
        if date < wire_precision(now) {
            return Err(InvalidValue::new("the notification date lies in the past"));
        }
        if date > presale {
            return Err(InvalidValue::new(
                "the notification date lies after the market's presale time",
            ));
        }
        Ok(())
    }

    /// This market with a reminder scheduled at `date`, not yet sent (`/markets/notifyDate`).
    /// Check the date first with [`check_notification_date`](Self::check_notification_date).
    #[must_use]
    pub fn with_reminder_at(&self, date: DateTime<Utc>) -> Self {
        let mut next = self.clone();
        next.notification.date = Some(date);
        next.notification.notified = None;
        next
    }

    /// This market with its reminder marked as sent at `at` (`/markets/notified`).
    #[must_use]
    pub fn reminded_at(&self, at: DateTime<Utc>) -> Self {
        let mut next = self.clone();
        next.notification.notified = Some(at);
        next
    }

    /// A copy of this market for another campaign: a new id, the target campaign, fresh
    /// bookkeeping dates, no reminder, version 0, and without the event ids in `taken` (an
    /// event id belongs to at most one market of a campaign).
    pub fn copy_for(
        &self,
        id: MarketId,
        campaign_id: CampaignId,
        taken: &[EventId],
        now: DateTime<Utc>,
    ) -> Market {
        let now = wire_precision(now);
        let mut copy = self.clone();
        copy.id = id;
        copy.campaign_id = campaign_id;
        copy.event.ids.retain(|e| !taken.contains(e));
        copy.notification = Notification::default();
        copy.date = MarketDates {
            created: now,
            updated: now,
        };
        copy.version = 0;
        copy
    }

    /// The market as a GeoJSON `Feature`: its point as the geometry (`null` without one) and
    /// every other field as the properties.
    pub fn to_geojson_feature(&self) -> Value {
        let mut properties =
            serde_json::to_value(self).unwrap_or_else(|_| Value::Object(Map::new()));
        if let Some(obj) = properties.as_object_mut() {
            obj.remove("point");
        }
        let geometry = self
            .point
            .and_then(|p| serde_json::to_value(p).ok())
            .unwrap_or(Value::Null);
        serde_json::json!({"type": "Feature", "geometry": geometry, "properties": properties})
    }
}

/// Markets as a GeoJSON `FeatureCollection` (RFC 7946), one feature per market, in order.
pub fn feature_collection(markets: &[Market]) -> Value {
    let features: Vec<Value> = markets.iter().map(Market::to_geojson_feature).collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

/// Most market ids one reminder request may name.
pub const MAX_MARKET_IDS: usize = 100;

/// The body of `POST /markets/notifyDate`: which markets get a reminder, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderRequest {
    /// The markets, in the body's order (repeats kept, so errors can name their position).
    pub market_ids: Vec<MarketId>,
    /// When the reminder should go out.
    pub notification_date: DateTime<Utc>,
}

impl ReminderRequest {
    /// Parses `{marketIds: [...], notificationDate}`, reporting every failing field.
    pub fn parse(body: &Value) -> Result<Self, ValidationErrors> {
        if !body.is_object() {
            return Err(ValidationErrors::single("body", "must be a JSON object"));
        }
        let mut e = ValidationErrors::new();
        let root = ObjectReader::new(Some(body), "", &mut e);
        let market_ids = read_market_ids(&root, &mut e);
        let date = root.required("notificationDate", &mut e, crate::reader::parse_date);
        match date {
            Some(notification_date) => e.into_result(Self {
                market_ids,
                notification_date,
            }),
            None => Err(e),
        }
    }
}

/// Parses the body of `POST /markets/notified`: `{marketIds: [...]}` (1 to 100 market ids).
pub fn parse_market_ids(body: &Value) -> Result<Vec<MarketId>, ValidationErrors> {
    if !body.is_object() {
        return Err(ValidationErrors::single("body", "must be a JSON object"));
    }
    let mut e = ValidationErrors::new();
    let root = ObjectReader::new(Some(body), "", &mut e);
    let ids = read_market_ids(&root, &mut e);
    e.into_result(ids)
}

/// Parses the body of `POST /campaigns/{id}/markets/clones`: `{fromCampaignId}`.
pub fn parse_clone_source(body: &Value) -> Result<CampaignId, ValidationErrors> {
    if !body.is_object() {
        return Err(ValidationErrors::single("body", "must be a JSON object"));
    }
    let mut e = ValidationErrors::new();
    let root = ObjectReader::new(Some(body), "", &mut e);
    match root.required("fromCampaignId", &mut e, CampaignId::parse) {
        Some(id) => e.into_result(id),
        None => Err(e),
    }
}

fn read_market_ids(root: &ObjectReader<'_>, e: &mut ValidationErrors) -> Vec<MarketId> {
    if !root.has("marketIds") {
        e.add("marketIds", "is required");
        return Vec::new();
    }
    let count = root
        .raw("marketIds")
        .and_then(Value::as_array)
        .map(Vec::len);
    match count {
        Some(0) => e.add("marketIds", "must name at least one market"),
        Some(n) if n > MAX_MARKET_IDS => e.add(
            "marketIds",
            format!("must name at most {MAX_MARKET_IDS} markets"),
        ),
        _ => {}
    }
    root.string_array("marketIds", e, MarketId::parse)
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
    let listed = bounded(
        ev.string_array("ids", &mut e, EventId::parse),
        &ev.path_of("ids"),
        &mut e,
    );
    for id in listed {
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
        category_ids: bounded(
            ev.string_array("category_ids", &mut e, CategoryId::parse),
            &ev.path_of("category_ids"),
            &mut e,
        ),
        venue: Venue {
            id: venue.text("id", TEXT_MAX, &mut e),
            name: venue.text("name", TEXT_MAX, &mut e),
        },
        shared_code: ev.text("sharedCode", TEXT_MAX, &mut e),
    };
    let promoter_ids = bounded(
        root.string_array("promoterIds", &mut e, PromoterId::parse),
        &root.path_of("promoterIds"),
        &mut e,
    );
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

/// `items`, with an error at `path` when there are more than [`LIST_MAX`] (SPEC §4.1).
fn bounded<T>(items: Vec<T>, path: &str, e: &mut ValidationErrors) -> Vec<T> {
    if items.len() > LIST_MAX {
        e.add(path, format!("must have at most {LIST_MAX} entries"));
    }
    items
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;
    use serde_json::json;

    use super::*;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, 1, h, 0, 0).unwrap()
    }

    fn market(doc: Value) -> Market {
        Market::parse_new(
            &doc,
            MarketId::from_bytes([1; 12]),
            CampaignId::from_bytes([2; 12]),
            at(0),
        )
        .unwrap()
    }

    fn base() -> Value {
        json!({"name": "NYC", "city": "New York", "state": "NY", "timezone": "America/New_York",
               "point": {"type": "Point", "coordinates": [-73.98, 40.75]},
               "event": {"ids": ["e1", "e2"], "presaleDateTime": "2030-01-01T10:00:00Z"}})
    }

    #[test]
    fn the_upcoming_window_is_two_to_twenty_seven_hours_ahead() {
        assert_eq!(upcoming_window(at(0)), (at(2), at(0) + UPCOMING_TO));
        assert_eq!(UPCOMING_TO, chrono::TimeDelta::hours(27));
    }

    #[test]
    fn a_notification_date_lies_between_now_and_the_presale() {
        let m = market(base());
        assert!(m.check_notification_date(at(1), at(1)).is_ok());
        assert!(m.check_notification_date(at(10), at(1)).is_ok());
        assert!(m.check_notification_date(at(0), at(1)).is_err());
        assert!(m.check_notification_date(at(11), at(1)).is_err());
        let mut no_presale = base();
        no_presale["event"]["presaleDateTime"] = Value::Null;
        let err = market(no_presale)
            .check_notification_date(at(5), at(1))
            .unwrap_err();
        assert!(err.message().contains("presale"));
    }

    #[test]
    fn a_copy_gets_a_new_identity_and_drops_taken_event_ids() {
        let mut m = market(base());
        m.notification.date = Some(at(3));
        m.version = 4;
        let taken = [EventId::parse("e2").unwrap()];
        let copy = m.copy_for(
            MarketId::from_bytes([9; 12]),
            CampaignId::from_bytes([8; 12]),
            &taken,
            at(5),
        );
        assert_eq!(copy.id, MarketId::from_bytes([9; 12]));
        assert_eq!(copy.campaign_id, CampaignId::from_bytes([8; 12]));
        assert_eq!(copy.event.ids, [EventId::parse("e1").unwrap()]);
        assert_eq!(copy.notification, Notification::default());
        assert_eq!(
            (copy.date.created, copy.date.updated, copy.version),
            (at(5), at(5), 0)
        );
        assert_eq!((copy.name.as_str(), copy.point), (m.name.as_str(), m.point));
    }

    #[test]
    fn reminder_requests_name_every_bad_field() {
        let id = MarketId::from_bytes([1; 12]);
        let ok = ReminderRequest::parse(
            &json!({"marketIds": [id.as_str(), id.as_str()], "notificationDate": "2030-01-01T05:00:00+01:00"}),
        )
        .unwrap();
        assert_eq!(ok.market_ids, [id.clone(), id.clone()]);
        assert_eq!(ok.notification_date, at(4));
        let err =
            ReminderRequest::parse(&json!({"marketIds": ["nope"], "notificationDate": "soon"}))
                .unwrap_err();
        assert!(err.contains("marketIds[0]") && err.contains("notificationDate"));
        let err = ReminderRequest::parse(&json!({})).unwrap_err();
        assert!(err.contains("marketIds") && err.contains("notificationDate"));
        assert!(
            ReminderRequest::parse(&json!([]))
                .unwrap_err()
                .contains("body")
        );
        assert!(
            parse_market_ids(&json!({"marketIds": []}))
                .unwrap_err()
                .contains("marketIds")
        );
        let many: Vec<String> = (0..101).map(|_| id.to_string()).collect();
        assert!(parse_market_ids(&json!({ "marketIds": many })).is_err());
        assert_eq!(
            parse_market_ids(&json!({"marketIds": [id.as_str()]})).unwrap(),
            [id]
        );
    }

    #[test]
    fn a_clone_request_names_its_source() {
        let id = CampaignId::from_bytes([3; 12]);
        assert_eq!(
            parse_clone_source(&json!({"fromCampaignId": id.as_str()})).unwrap(),
            id
        );
        assert!(
            parse_clone_source(&json!({}))
                .unwrap_err()
                .contains("fromCampaignId")
        );
        assert!(
            parse_clone_source(&json!({"fromCampaignId": "x"}))
                .unwrap_err()
                .contains("fromCampaignId")
        );
        assert!(
            parse_clone_source(&json!("x"))
                .unwrap_err()
                .contains("body")
        );
    }

    #[test]
    fn geojson_features_carry_the_point_as_geometry() {
        let with_point = market(base());
        let mut doc = base();
        doc["point"] = Value::Null;
        doc["name"] = json!("Nowhere");
        let without = market(doc);
        let fc = feature_collection(&[with_point.clone(), without]);
        assert_eq!(fc["type"], "FeatureCollection");
        let f = &fc["features"][0];
        assert_eq!(f["type"], "Feature");
        assert_eq!(
            f["geometry"],
            json!({"type": "Point", "coordinates": [-73.98, 40.75]})
        );
        assert_eq!(f["properties"]["name"], "NYC");
        assert_eq!(f["properties"]["id"], with_point.id.as_str());
        assert!(f["properties"].get("point").is_none());
        assert!(fc["features"][1]["geometry"].is_null());
        assert_eq!(fc["features"].as_array().unwrap().len(), 2);
    }
}
