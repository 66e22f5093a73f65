//! The public view of a campaign (SPEC §5): what the fan site gets from
//! `GET /campaigns?domain=` — no contacts, password, internal options, history, links between
//! campaigns or bookkeeping versions.

use std::borrow::Cow;
use std::collections::BTreeMap;

use campaign_domain::campaign::{self as domain, CampaignType};
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::status::Status;
use campaign_domain::values::{CampaignId, CategoryId, EventId, Locale, TimeZone};
use campaign_domain::wire_time;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::campaign::{
    self, Artist, ContentByLocale, Domains, FaqPlacement, Images, LocaleContent, LocaleSetting,
    Preference, Share, Style, Tour, Tracker,
};
use crate::status;
use crate::values;

/// The public view of a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(examples(json!({
    "id": "65a1b2c3d4e5f60718293a4b",
    "type": "registration",
    "status": "OPEN",
    "name": "Spring Tour Presale",
    "identifier": "spring-tour",
    "artist": {"id": "K8vZ917Gku7", "name": "The Band"},
    "domain": {"site": "springtour.example.com"},
    "tour": {"name": "Spring Tour 2030"},
    "options": {"useGenericBranding": false, "showAccessCode": true},
    "referenceTimezone": "America/New_York",
    "date": {
        "opened": "2030-01-10T09:00:00.000Z",
        "close": "2030-02-01T05:00:00.000Z",
        "presaleWindowStart": "2030-02-05T15:00:00.000Z",
        "presaleWindowEnd": "2030-02-07T05:00:00.000Z"
    },
    "style": {
        "theme": {"primary": "#1a2b3c"},
        "border": {"primary": "#000000"},
        "pageBackground": {"primary": "#ffffff"},
        "text": {"primary": "#111111"}
    },
    "image": {"main": {"url": "https://cdn.example.com/main.jpg"}, "mobile": {}, "secondary": {}},
    "share": {"artist": {}},
    "content": {
        "en-US": {
            "faqs": {},
            "terms": "Terms and conditions",
            "landing": {"headline": "Register now"},
            "confirmation": {},
            "email": {}
        }
    },
    "faqs": {
        "landing": {"open": [], "closed": []},
        "confirmation": {"open": [], "closed": [], "activePresale": []}
    },
    "preferences": [],
    "locales": [{"id": "en-US", "is_default": true}],
    "eventIds": ["vvG1IZ4bqBkm0Q"],
    "categoryId": "KZFzniwnSyZfZ7v7nJ",
    "trackers": [{"type": "ga", "id": "G-12345"}]
})))]
pub struct PublicCampaign<'a> {
    /// Id.
    #[schema(value_type = values::ObjectId)]
    pub id: Cow<'a, CampaignId>,
    /// Kind of campaign.
    #[serde(rename = "type")]
    #[schema(value_type = status::CampaignType)]
    pub kind: CampaignType,
    /// Status.
    #[schema(value_type = status::CampaignStatus)]
    pub status: Status,
    /// Display name.
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Cow<'a, str>,
    /// Short identifier used by the fan site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200, nullable = false)]
    pub identifier: Option<Cow<'a, str>>,
    /// The artist.
    pub artist: Artist<'a>,
    /// Domains.
    pub domain: Domains<'a>,
    /// Tour.
    pub tour: Tour<'a>,
    /// Public feature switches.
    pub options: PublicOptions,
    /// IANA time zone the campaign's local times refer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::TimeZone>, nullable = false)]
    pub reference_timezone: Option<Cow<'a, TimeZone>>,
    /// Public schedule.
    pub date: PublicDates,
    /// Branding colours.
    pub style: Style<'a>,
    /// Branding images.
    pub image: Images<'a>,
    /// Social links.
    pub share: Share<'a>,
    /// Localised content by locale (only the locale asked for, unless `showAllLocales`).
    #[schema(value_type = ContentByLocale)]
    pub content: BTreeMap<Cow<'a, Locale>, LocaleContent<'a>>,
    /// Which FAQ ids show on which page state.
    pub faqs: FaqPlacement<'a>,
    /// Registration form preferences.
    pub preferences: Vec<Preference<'a>>,
    /// Locales; exactly one is the default.
    pub locales: Vec<LocaleSetting<'a>>,
    /// Ticketing events the campaign covers directly.
    #[schema(value_type = Vec<values::EventId>, max_items = 100)]
    pub event_ids: Cow<'a, [EventId]>,
    /// Ticketing category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::CategoryId>, nullable = false)]
    pub category_id: Option<Cow<'a, CategoryId>>,
    /// Analytics trackers.
    pub trackers: Vec<Tracker<'a>>,
}

/// Public feature switches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublicOptions {
    /// Use the generic branding.
    pub use_generic_branding: bool,
    /// Show the access code.
    pub show_access_code: bool,
}

/// Public schedule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublicDates {
    /// Scheduled opening.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    pub open: Option<DateTime<Utc>>,
    /// Actual opening.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    pub opened: Option<DateTime<Utc>>,
    /// Scheduled closing.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    pub close: Option<DateTime<Utc>>,
    /// Actual closing.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    pub closed: Option<DateTime<Utc>>,
    /// Presale window start.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    pub presale_window_start: Option<DateTime<Utc>>,
    /// Presale window end.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    pub presale_window_end: Option<DateTime<Utc>>,
}

impl From<domain::PublicOptions> for PublicOptions {
    fn from(options: domain::PublicOptions) -> Self {
        Self {
            use_generic_branding: options.use_generic_branding,
            show_access_code: options.show_access_code,
        }
    }
}

impl From<domain::PublicDates> for PublicDates {
    fn from(date: domain::PublicDates) -> Self {
        Self {
            open: date.open,
            opened: date.opened,
            close: date.close,
            closed: date.closed,
            presale_window_start: date.presale_window_start,
            presale_window_end: date.presale_window_end,
        }
    }
}

impl<'a> From<domain::PublicCampaign<'a>> for PublicCampaign<'a> {
    fn from(view: domain::PublicCampaign<'a>) -> Self {
        Self {
            id: Cow::Borrowed(view.id),
            kind: view.kind,
            status: view.status,
            name: Cow::Borrowed(view.name),
            identifier: view.identifier.map(Cow::Borrowed),
            artist: Artist::from(view.artist),
            domain: Domains::from(view.domain),
            tour: Tour::from(view.tour),
            options: view.options.into(),
            reference_timezone: view.reference_timezone.map(Cow::Borrowed),
            date: view.date.into(),
            style: Style::from(view.style),
            image: Images::from(view.image),
            share: Share::from(view.share),
            content: campaign::content(view.content),
            faqs: FaqPlacement::from(view.faqs),
            preferences: view.preferences.iter().map(Preference::from).collect(),
            locales: view.locales.iter().map(LocaleSetting::from).collect(),
            event_ids: Cow::Borrowed(view.event_ids),
            category_id: view.category_id.map(Cow::Borrowed),
            trackers: view.trackers.iter().map(Tracker::from).collect(),
        }
    }
}

impl<'a> From<&'a domain::Campaign> for PublicCampaign<'a> {
    /// The campaign's public view.
    fn from(campaign: &'a domain::Campaign) -> Self {
        campaign.public_view().into()
    }
}

#[cfg(test)]
mod tests {
    use campaign_domain::serde_json::{self, Value};
    use utoipa::PartialSchema as _;

    use super::*;
    use crate::campaign::tests::{bare, full};

    #[test]
    fn the_view_is_the_domains_public_view() {
        for campaign in [full(), bare()] {
            let answer = PublicCampaign::from(&campaign);
            assert_eq!(
                serde_json::to_string(&answer).unwrap(),
                serde_json::to_string(&campaign.public_view()).unwrap()
            );
            let wire = serde_json::to_string(&answer).unwrap();
            let read: PublicCampaign<'static> = serde_json::from_str(&wire).unwrap();
            assert_eq!(read, answer);
        }
        let wire = serde_json::to_value(PublicCampaign::from(&full())).unwrap();
        for hidden in [
            "contacts",
            "linkedCampaignIds",
            "statusHistory",
            "version",
            "password",
        ] {
            assert!(wire.get(hidden).is_none(), "{hidden}");
        }
        assert!(wire["options"].get("automatedReminders").is_none());
        for key in [
            "open",
            "opened",
            "close",
            "closed",
            "presaleWindowStart",
            "presaleWindowEnd",
        ] {
            assert!(wire["date"][key].is_string(), "date.{key}");
        }
        assert!(wire["date"].get("created").is_none());
    }

    #[test]
    fn the_example_reads_as_a_view() {
        let example: Value =
            serde_json::to_value(PublicCampaign::schema()).unwrap()["examples"][0].clone();
        let read: PublicCampaign<'static> = serde_json::from_value(example.clone()).unwrap();
        assert_eq!(serde_json::to_value(&read).unwrap(), example);
    }
}
