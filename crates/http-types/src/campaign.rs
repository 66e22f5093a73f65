//! Campaigns (SPEC §7.1) as the service answers them: the record (`GET /campaigns/{id}`, a
//! create, an update), a page of them (`GET /campaigns/list`, `GET /campaigns/events`) and what
//! a refresh run changed. The bodies a client sends are in
//! [`campaign_input`](crate::campaign_input), the fan site's view in
//! [`campaign_view`](crate::campaign_view).
//!
//! Every part borrows the domain's record (`Campaign::from(&campaign)`); a client reads owned
//! values and turns them back into the domain's record (`domain::Campaign::from(answer)`).

use std::borrow::Cow;
use std::collections::BTreeMap;

use campaign_domain::campaign::{self as domain, CampaignType};
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::refresh as domain_refresh;
use campaign_domain::serde_json::{Map, Value};
use campaign_domain::status::Status;
use campaign_domain::values::{
    ArtistId, CampaignId, CategoryId, ContactId, CssColor, DomainName, EventId, FaqId, HttpUrl,
    Locale, TimeZone,
};
use campaign_domain::wire_time;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::schema::{Array, ArrayBuilder, ObjectBuilder, Type};

use crate::paging::Pagination;
use crate::status::{self, StatusChange};
use crate::values::{self, map_schema};

/// Most ids in `contacts`, `eventIds` and `linkedCampaignIds`.
pub const LIST_MAX: usize = campaign_domain::limits::LIST_MAX;

/// A campaign as the service answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(examples(json!({
    "id": "65a1b2c3d4e5f60718293a4b",
    "type": "registration",
    "status": "OPEN",
    "name": "Spring Tour Presale",
    "identifier": "spring-tour",
    "artist": {"id": "K8vZ917Gku7", "name": "The Band", "fanclubName": "Band Club"},
    "domain": {"site": "springtour.example.com"},
    "tour": {"name": "Spring Tour 2030"},
    "options": {"useGenericBranding": false, "showAccessCode": true, "automatedReminders": false},
    "referenceTimezone": "America/New_York",
    "date": {
        "created": "2030-01-01T12:00:00.000Z",
        "updated": "2030-01-10T09:00:00.000Z",
        "opened": "2030-01-10T09:00:00.000Z",
        "close": "2030-02-01T05:00:00.000Z",
        "presaleWindowStart": "2030-02-05T15:00:00.000Z",
        "presaleWindowEnd": "2030-02-07T05:00:00.000Z",
        "sendReminderEmails": ["2030-02-04T15:00:00.000Z"]
    },
    "style": {
        "theme": {"primary": "#1a2b3c"},
        "border": {"primary": "#000000"},
        "pageBackground": {"primary": "#ffffff"},
        "text": {"primary": "#111111"}
    },
    "image": {"main": {"url": "https://cdn.example.com/main.jpg"}, "mobile": {}, "secondary": {}},
    "share": {"instagram": "https://instagram.com/theband", "artist": {}},
    "content": {
        "en-US": {
            "faqs": {
                "0b5e2f8e-4c1a-4f5e-9a43-2d7c8b1e6f00": {
                    "question": "How do I register?",
                    "answer": "Sign up before the presale."
                }
            },
            "terms": "Terms and conditions",
            "landing": {"headline": "Register now"},
            "confirmation": {},
            "email": {"subject": "You're registered"}
        }
    },
    "faqs": {
        "landing": {"open": ["0b5e2f8e-4c1a-4f5e-9a43-2d7c8b1e6f00"], "closed": []},
        "confirmation": {"open": [], "closed": [], "activePresale": []}
    },
    "preferences": [{
        "id": "marketing",
        "type": "checkbox",
        "is_optional": true,
        "additional": {"initial_value": false},
        "label": {"en-US": "Send me news"}
    }],
    "locales": [{"id": "en-US", "is_default": true}],
    "contacts": ["65a1b2c3d4e5f60718293a50"],
    "eventIds": ["vvG1IZ4bqBkm0Q"],
    "categoryId": "KZFzniwnSyZfZ7v7nJ",
    "linkedCampaignIds": [],
    "trackers": [{"type": "ga", "id": "G-12345"}],
    "schema": {"version": 2},
    "statusHistory": [
        {"status": "DRAFT", "date": "2030-01-01T12:00:00.000Z", "by": "user-1"},
        {"status": "OPEN", "date": "2030-01-10T09:00:00.000Z", "by": "system"}
    ],
    "version": 4
})))]
pub struct Campaign<'a> {
    /// Set by the service.
    #[schema(value_type = values::ObjectId)]
    pub id: Cow<'a, CampaignId>,
    /// Kind of campaign.
    #[serde(rename = "type")]
    #[schema(value_type = status::CampaignType)]
    pub kind: CampaignType,
    /// Lifecycle status; changed only through transitions.
    #[schema(value_type = status::CampaignStatus)]
    pub status: Status,
    /// Display name, 1-200 characters, not blank.
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Cow<'a, str>,
    /// Short identifier used by the fan site, at most 200 characters (required outside DRAFT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200, nullable = false)]
    pub identifier: Option<Cow<'a, str>>,
    /// The artist.
    pub artist: Artist<'a>,
    /// The site and preview domains.
    pub domain: Domains<'a>,
    /// The tour.
    pub tour: Tour<'a>,
    /// Feature switches.
    pub options: CampaignOptions,
    /// IANA time zone the campaign's local times refer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::TimeZone>, nullable = false)]
    pub reference_timezone: Option<Cow<'a, TimeZone>>,
    /// Schedule and bookkeeping dates.
    pub date: CampaignDates,
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
    /// Registration form preferences (ids unique).
    pub preferences: Vec<Preference<'a>>,
    /// The campaign's locales, each once; exactly one is the default when there are any.
    pub locales: Vec<LocaleSetting<'a>>,
    /// Ids of the campaign's contacts (at most 100).
    #[schema(value_type = Vec<values::ObjectId>, max_items = 100)]
    pub contacts: Cow<'a, [ContactId]>,
    /// Ticketing events the campaign covers directly, besides its markets' (at most 100).
    #[schema(value_type = Vec<values::EventId>, max_items = 100)]
    pub event_ids: Cow<'a, [EventId]>,
    /// Ticketing category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::CategoryId>, nullable = false)]
    pub category_id: Option<Cow<'a, CategoryId>>,
    /// Campaigns that share artist, tour and presale window with this one (at most 100).
    #[schema(value_type = Vec<values::ObjectId>, max_items = 100)]
    pub linked_campaign_ids: Cow<'a, [CampaignId]>,
    /// Analytics trackers of the fan site.
    pub trackers: Vec<Tracker<'a>>,
    /// Document schema information.
    pub schema: SchemaInfo,
    /// Every status change, oldest first.
    pub status_history: Vec<StatusChange<'a>>,
    /// Incremented on every write; also the `ETag`.
    pub version: u64,
}

/// The artist of a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Artist<'a> {
    /// Ticketing platform artist id.
    #[schema(value_type = values::ArtistId)]
    pub id: Cow<'a, ArtistId>,
    /// Display name, at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200, nullable = false)]
    pub name: Option<Cow<'a, str>>,
    /// Discovery API attraction id, at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200, nullable = false)]
    pub discovery_id: Option<Cow<'a, str>>,
    /// Artist image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::HttpUrl>, nullable = false)]
    pub image_url: Option<Cow<'a, HttpUrl>>,
    /// Artist detail page.
    #[serde(default, rename = "adpUrl", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::HttpUrl>, nullable = false)]
    pub adp_url: Option<Cow<'a, HttpUrl>>,
    /// Name of the artist's fan club, at most 200 characters.
    #[serde(
        default,
        rename = "fanclubName",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, max_length = 200, nullable = false)]
    pub fanclub_name: Option<Cow<'a, str>>,
}

/// The campaign's domains.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Domains<'a> {
    /// The public site, unique among campaigns; every campaign but an INACTIVE one holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::DomainName>, nullable = false)]
    pub site: Option<Cow<'a, DomainName>>,
    /// The preview site (another host than the site); cleared when the campaign opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::DomainName>, nullable = false)]
    pub preview: Option<Cow<'a, DomainName>>,
}

/// The tour.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Tour<'a> {
    /// Tour name, at most 200 characters (required outside DRAFT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200, nullable = false)]
    pub name: Option<Cow<'a, str>>,
}

/// Feature switches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignOptions {
    /// Use the generic branding instead of the artist's.
    pub use_generic_branding: bool,
    /// Show the access code on the confirmation page.
    pub show_access_code: bool,
    /// Send presale reminders automatically (internal).
    pub automated_reminders: bool,
}

/// Schedule (`open`, `close`, presale window, reminders) and bookkeeping dates set by the
/// service (`created`, `updated`, `opened`, `closed`, `inactivated`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignDates {
    /// When the campaign was created.
    #[serde(with = "wire_time")]
    #[schema(value_type = String, format = DateTime)]
    pub created: DateTime<Utc>,
    /// When it was last written.
    #[serde(with = "wire_time")]
    #[schema(value_type = String, format = DateTime)]
    pub updated: DateTime<Utc>,
    /// When the refresh job should open it; cleared when it opens.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    pub open: Option<DateTime<Utc>>,
    /// When it opened.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    pub opened: Option<DateTime<Utc>>,
    /// When the refresh job should close it (after `open`); cleared when it closes.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    pub close: Option<DateTime<Utc>>,
    /// When it closed.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    pub closed: Option<DateTime<Utc>>,
    /// When it became INACTIVE.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    pub inactivated: Option<DateTime<Utc>>,
    /// Start of the presale window.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    pub presale_window_start: Option<DateTime<Utc>>,
    /// End of the presale window (after its start).
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    pub presale_window_end: Option<DateTime<Utc>>,
    /// When reminder e-mails go out.
    #[serde(with = "wire_time::vec")]
    #[schema(schema_with = date_times)]
    pub send_reminder_emails: Vec<DateTime<Utc>>,
}

/// A list of RFC 3339 date-times.
pub(crate) fn date_times() -> Array {
    ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(Type::String).format(Some(
            utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime),
        )))
        .description(Some("When reminder e-mails go out."))
        .build()
}

/// A colour slot with only a primary colour.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PrimaryColor<'a> {
    /// The colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::CssColor>, nullable = false)]
    pub primary: Option<Cow<'a, CssColor>>,
}

/// Theme colours: the primary and its mixes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ThemeColors<'a> {
    /// Primary theme colour (required outside DRAFT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::CssColor>, nullable = false)]
    pub primary: Option<Cow<'a, CssColor>>,
    /// 70 % mix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::CssColor>, nullable = false)]
    pub mix70: Option<Cow<'a, CssColor>>,
    /// 40 % mix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::CssColor>, nullable = false)]
    pub mix40: Option<Cow<'a, CssColor>>,
    /// 20 % mix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::CssColor>, nullable = false)]
    pub mix20: Option<Cow<'a, CssColor>>,
}

/// Text colours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TextColors<'a> {
    /// Main text colour (required outside DRAFT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::CssColor>, nullable = false)]
    pub primary: Option<Cow<'a, CssColor>>,
    /// Secondary text colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::CssColor>, nullable = false)]
    pub secondary: Option<Cow<'a, CssColor>>,
}

/// Branding colours (`theme.primary`, `border.primary`, `pageBackground.primary` and
/// `text.primary` are required outside DRAFT).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Style<'a> {
    /// Theme colours.
    pub theme: ThemeColors<'a>,
    /// Border colour.
    pub border: PrimaryColor<'a>,
    /// Page background colour.
    pub page_background: PrimaryColor<'a>,
    /// Text colours.
    pub text: TextColors<'a>,
}

/// A link to an image or a page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Link<'a> {
    /// The URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::HttpUrl>, nullable = false)]
    pub url: Option<Cow<'a, HttpUrl>>,
}

/// Branding images.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Images<'a> {
    /// Main image (its `url` is required outside DRAFT).
    pub main: Link<'a>,
    /// Mobile image.
    pub mobile: Link<'a>,
    /// Secondary image.
    pub secondary: Link<'a>,
}

/// Social links.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Share<'a> {
    /// X (Twitter) link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::HttpUrl>, nullable = false)]
    pub x: Option<Cow<'a, HttpUrl>>,
    /// Instagram link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::HttpUrl>, nullable = false)]
    pub instagram: Option<Cow<'a, HttpUrl>>,
    /// Facebook link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::HttpUrl>, nullable = false)]
    pub facebook: Option<Cow<'a, HttpUrl>>,
    /// YouTube link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::HttpUrl>, nullable = false)]
    pub youtube: Option<Cow<'a, HttpUrl>>,
    /// TikTok link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::HttpUrl>, nullable = false)]
    pub tiktok: Option<Cow<'a, HttpUrl>>,
    /// The artist's own page.
    pub artist: Link<'a>,
}

/// One FAQ entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({
    "question": "How do I register?",
    "answer": "Sign up before the presale."
})))]
pub struct Faq<'a> {
    /// The question, 1-500 characters, not blank.
    #[schema(value_type = String, min_length = 1, max_length = 500, pattern = "\\S")]
    pub question: Cow<'a, str>,
    /// The answer, 1-100,000 characters, not blank.
    #[schema(value_type = String, min_length = 1, max_length = 100_000, pattern = "\\S")]
    pub answer: Cow<'a, str>,
}

/// Sender and template of a locale's e-mails.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EmailContent<'a> {
    /// Subject line, at most 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 500, nullable = false)]
    pub subject: Option<Cow<'a, str>>,
    /// Template name, at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200, nullable = false)]
    pub template: Option<Cow<'a, str>>,
    /// Sender, at most 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 500, nullable = false)]
    pub from: Option<Cow<'a, str>>,
}

/// The content of one locale.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LocaleContent<'a> {
    /// FAQ entries by id.
    #[schema(value_type = FaqsById)]
    pub faqs: BTreeMap<Cow<'a, FaqId>, Faq<'a>>,
    /// Terms and conditions, at most 100,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 100_000, nullable = false)]
    pub terms: Option<Cow<'a, str>>,
    /// Landing page copy (free-form, owned by the fan site).
    #[schema(value_type = values::FreeFormObject)]
    pub landing: Cow<'a, Map<String, Value>>,
    /// Confirmation page copy (free-form, owned by the fan site).
    #[schema(value_type = values::FreeFormObject)]
    pub confirmation: Cow<'a, Map<String, Value>>,
    /// E-mail settings.
    pub email: EmailContent<'a>,
}

map_schema!(
    /// A campaign's content by locale.
    ContentByLocale: values::Locale => LocaleContent,
    "Localised content, keyed by locale (`xx-XX`)."
);
map_schema!(
    /// A locale's FAQ entries by id.
    FaqsById: values::FaqId => Faq,
    "FAQ entries keyed by their id (a UUID, answered lower-case and hyphenated)."
);

/// FAQ ids on the landing page, by campaign state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LandingPlacement<'a> {
    /// While OPEN.
    #[schema(value_type = Vec<values::FaqId>)]
    pub open: Cow<'a, [FaqId]>,
    /// While CLOSED.
    #[schema(value_type = Vec<values::FaqId>)]
    pub closed: Cow<'a, [FaqId]>,
}

/// FAQ ids on the confirmation page, by campaign state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmationPlacement<'a> {
    /// While OPEN.
    #[schema(value_type = Vec<values::FaqId>)]
    pub open: Cow<'a, [FaqId]>,
    /// While CLOSED.
    #[schema(value_type = Vec<values::FaqId>)]
    pub closed: Cow<'a, [FaqId]>,
    /// During a presale.
    #[schema(value_type = Vec<values::FaqId>)]
    pub active_presale: Cow<'a, [FaqId]>,
}

/// Which FAQ ids show where; outside DRAFT each must be in every locale's content.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FaqPlacement<'a> {
    /// Landing page.
    pub landing: LandingPlacement<'a>,
    /// Confirmation page.
    pub confirmation: ConfirmationPlacement<'a>,
}

/// Extra settings of a preference.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PreferenceExtras<'a> {
    /// The value the form starts with (any JSON value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::FreeFormValue>, nullable = false)]
    pub initial_value: Option<Cow<'a, Value>>,
}

/// A registration form preference (a checkbox, an opt-in, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Preference<'a> {
    /// Id, unique within the campaign; 1-200 characters, not blank.
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = "\\S")]
    pub id: Cow<'a, str>,
    /// Kind of input, 1-200 characters, not blank.
    #[serde(rename = "type")]
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = "\\S")]
    pub kind: Cow<'a, str>,
    /// Whether fans may leave it unset.
    pub is_optional: bool,
    /// Extra settings.
    pub additional: PreferenceExtras<'a>,
    /// Label by locale.
    #[schema(value_type = LabelByLocale)]
    pub label: BTreeMap<Cow<'a, Locale>, Cow<'a, str>>,
}

/// `LabelByLocale`: a preference's label by locale.
#[derive(Debug, Clone, Copy)]
pub struct LabelByLocale;

impl utoipa::PartialSchema for LabelByLocale {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        values::map_of::<values::Locale>(
            ObjectBuilder::new().schema_type(Type::String),
            "Label text keyed by locale.",
        )
        .into()
    }
}

impl ToSchema for LabelByLocale {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("LabelByLocale")
    }
}

/// One of the campaign's locales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LocaleSetting<'a> {
    /// The locale.
    #[schema(value_type = values::Locale)]
    pub id: Cow<'a, Locale>,
    /// Whether it is the default (exactly one of the campaign's locales is).
    pub is_default: bool,
}

/// An analytics tracker of the fan site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Tracker<'a> {
    /// Tracker kind (`ga`, `pixel`, ...), 1-200 characters, not blank.
    #[serde(rename = "type")]
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = "\\S")]
    pub kind: Cow<'a, str>,
    /// Tracker id, 1-500 characters, not blank.
    #[schema(value_type = String, min_length = 1, max_length = 500, pattern = "\\S")]
    pub id: Cow<'a, str>,
}

/// Document schema information.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SchemaInfo {
    /// Schema version of the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub version: Option<u64>,
}

/// `data` of `GET /campaigns/list` and `GET /campaigns/events`: one page of campaigns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CampaignPage<'a> {
    /// The campaigns of this page.
    pub campaigns: Vec<Campaign<'a>>,
    /// Where this page is.
    pub pagination: Pagination,
}

/// `data` of `POST /campaigns/refresh`: what the run changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"opened": 2, "closed": 1, "inactivated": 0, "skipped": 1})))]
pub struct RefreshSummary {
    /// Campaigns that became OPEN.
    pub opened: u64,
    /// Campaigns that became CLOSED.
    pub closed: u64,
    /// Campaigns that became INACTIVE.
    pub inactivated: u64,
    /// Campaigns due to open but incomplete, left as they were.
    pub skipped: u64,
}

impl From<domain_refresh::RefreshSummary> for RefreshSummary {
    fn from(summary: domain_refresh::RefreshSummary) -> Self {
        Self {
            opened: summary.opened,
            closed: summary.closed,
            inactivated: summary.inactivated,
            skipped: summary.skipped,
        }
    }
}

/// A borrowed optional string.
fn text(value: &Option<String>) -> Option<Cow<'_, str>> {
    value.as_deref().map(Cow::Borrowed)
}

/// A borrowed optional value.
fn borrowed<T: Clone>(value: &Option<T>) -> Option<Cow<'_, T>> {
    value.as_ref().map(Cow::Borrowed)
}

/// An owned optional value.
fn owned<T: Clone>(value: Option<Cow<'_, T>>) -> Option<T> {
    value.map(Cow::into_owned)
}

/// An owned optional string.
fn owned_text(value: Option<Cow<'_, str>>) -> Option<String> {
    value.map(Cow::into_owned)
}

impl<'a> From<&'a domain::Artist> for Artist<'a> {
    fn from(artist: &'a domain::Artist) -> Self {
        Self {
            id: Cow::Borrowed(&artist.id),
            name: text(&artist.name),
            discovery_id: text(&artist.discovery_id),
            image_url: borrowed(&artist.image_url),
            adp_url: borrowed(&artist.adp_url),
            fanclub_name: text(&artist.fanclub_name),
        }
    }
}

impl From<Artist<'_>> for domain::Artist {
    fn from(artist: Artist<'_>) -> Self {
        Self {
            id: artist.id.into_owned(),
            name: owned_text(artist.name),
            discovery_id: owned_text(artist.discovery_id),
            image_url: owned(artist.image_url),
            adp_url: owned(artist.adp_url),
            fanclub_name: owned_text(artist.fanclub_name),
        }
    }
}

impl<'a> From<&'a domain::Domains> for Domains<'a> {
    fn from(domains: &'a domain::Domains) -> Self {
        Self {
            site: borrowed(&domains.site),
            preview: borrowed(&domains.preview),
        }
    }
}

impl From<Domains<'_>> for domain::Domains {
    fn from(domains: Domains<'_>) -> Self {
        Self {
            site: owned(domains.site),
            preview: owned(domains.preview),
        }
    }
}

impl<'a> From<&'a domain::Tour> for Tour<'a> {
    fn from(tour: &'a domain::Tour) -> Self {
        Self {
            name: text(&tour.name),
        }
    }
}

impl From<Tour<'_>> for domain::Tour {
    fn from(tour: Tour<'_>) -> Self {
        Self {
            name: owned_text(tour.name),
        }
    }
}

impl From<domain::CampaignOptions> for CampaignOptions {
    fn from(options: domain::CampaignOptions) -> Self {
        Self {
            use_generic_branding: options.use_generic_branding,
            show_access_code: options.show_access_code,
            automated_reminders: options.automated_reminders,
        }
    }
}

impl From<CampaignOptions> for domain::CampaignOptions {
    fn from(options: CampaignOptions) -> Self {
        Self {
            use_generic_branding: options.use_generic_branding,
            show_access_code: options.show_access_code,
            automated_reminders: options.automated_reminders,
        }
    }
}

impl From<&domain::CampaignDates> for CampaignDates {
    fn from(date: &domain::CampaignDates) -> Self {
        Self {
            created: date.created,
            updated: date.updated,
            open: date.open,
            opened: date.opened,
            close: date.close,
            closed: date.closed,
            inactivated: date.inactivated,
            presale_window_start: date.presale_window_start,
            presale_window_end: date.presale_window_end,
            send_reminder_emails: date.send_reminder_emails.clone(),
        }
    }
}

impl From<CampaignDates> for domain::CampaignDates {
    fn from(date: CampaignDates) -> Self {
        Self {
            created: date.created,
            updated: date.updated,
            open: date.open,
            opened: date.opened,
            close: date.close,
            closed: date.closed,
            inactivated: date.inactivated,
            presale_window_start: date.presale_window_start,
            presale_window_end: date.presale_window_end,
            send_reminder_emails: date.send_reminder_emails,
        }
    }
}

impl<'a> From<&'a domain::PrimaryColor> for PrimaryColor<'a> {
    fn from(color: &'a domain::PrimaryColor) -> Self {
        Self {
            primary: borrowed(&color.primary),
        }
    }
}

impl From<PrimaryColor<'_>> for domain::PrimaryColor {
    fn from(color: PrimaryColor<'_>) -> Self {
        Self {
            primary: owned(color.primary),
        }
    }
}

impl<'a> From<&'a domain::Style> for Style<'a> {
    fn from(style: &'a domain::Style) -> Self {
        Self {
            theme: ThemeColors {
                primary: borrowed(&style.theme.primary),
                mix70: borrowed(&style.theme.mix70),
                mix40: borrowed(&style.theme.mix40),
                mix20: borrowed(&style.theme.mix20),
            },
            border: PrimaryColor::from(&style.border),
            page_background: PrimaryColor::from(&style.page_background),
            text: TextColors {
                primary: borrowed(&style.text.primary),
                secondary: borrowed(&style.text.secondary),
            },
        }
    }
}

impl From<Style<'_>> for domain::Style {
    fn from(style: Style<'_>) -> Self {
        Self {
            theme: domain::ThemeColors {
                primary: owned(style.theme.primary),
                mix70: owned(style.theme.mix70),
                mix40: owned(style.theme.mix40),
                mix20: owned(style.theme.mix20),
            },
            border: style.border.into(),
            page_background: style.page_background.into(),
            text: domain::TextColors {
                primary: owned(style.text.primary),
                secondary: owned(style.text.secondary),
            },
        }
    }
}

impl<'a> From<&'a domain::Link> for Link<'a> {
    fn from(link: &'a domain::Link) -> Self {
        Self {
            url: borrowed(&link.url),
        }
    }
}

impl From<Link<'_>> for domain::Link {
    fn from(link: Link<'_>) -> Self {
        Self {
            url: owned(link.url),
        }
    }
}

impl<'a> From<&'a domain::Images> for Images<'a> {
    fn from(image: &'a domain::Images) -> Self {
        Self {
            main: Link::from(&image.main),
            mobile: Link::from(&image.mobile),
            secondary: Link::from(&image.secondary),
        }
    }
}

impl From<Images<'_>> for domain::Images {
    fn from(image: Images<'_>) -> Self {
        Self {
            main: image.main.into(),
            mobile: image.mobile.into(),
            secondary: image.secondary.into(),
        }
    }
}

impl<'a> From<&'a domain::Share> for Share<'a> {
    fn from(share: &'a domain::Share) -> Self {
        Self {
            x: borrowed(&share.x),
            instagram: borrowed(&share.instagram),
            facebook: borrowed(&share.facebook),
            youtube: borrowed(&share.youtube),
            tiktok: borrowed(&share.tiktok),
            artist: Link::from(&share.artist),
        }
    }
}

impl From<Share<'_>> for domain::Share {
    fn from(share: Share<'_>) -> Self {
        Self {
            x: owned(share.x),
            instagram: owned(share.instagram),
            facebook: owned(share.facebook),
            youtube: owned(share.youtube),
            tiktok: owned(share.tiktok),
            artist: share.artist.into(),
        }
    }
}

impl<'a> From<&'a domain::Faq> for Faq<'a> {
    fn from(faq: &'a domain::Faq) -> Self {
        Self {
            question: Cow::Borrowed(&faq.question),
            answer: Cow::Borrowed(&faq.answer),
        }
    }
}

impl From<Faq<'_>> for domain::Faq {
    fn from(faq: Faq<'_>) -> Self {
        Self {
            question: faq.question.into_owned(),
            answer: faq.answer.into_owned(),
        }
    }
}

/// A locale's FAQ entries as answered.
pub fn faqs(faqs: &BTreeMap<FaqId, domain::Faq>) -> BTreeMap<Cow<'_, FaqId>, Faq<'_>> {
    faqs.iter()
        .map(|(id, faq)| (Cow::Borrowed(id), Faq::from(faq)))
        .collect()
}

/// FAQ entries read back into the domain's.
pub fn domain_faqs(faqs: BTreeMap<Cow<'_, FaqId>, Faq<'_>>) -> BTreeMap<FaqId, domain::Faq> {
    faqs.into_iter()
        .map(|(id, faq)| (id.into_owned(), faq.into()))
        .collect()
}

impl<'a> From<&'a domain::LocaleContent> for LocaleContent<'a> {
    fn from(content: &'a domain::LocaleContent) -> Self {
        Self {
            faqs: faqs(&content.faqs),
            terms: text(&content.terms),
            landing: Cow::Borrowed(&content.landing),
            confirmation: Cow::Borrowed(&content.confirmation),
            email: EmailContent {
                subject: text(&content.email.subject),
                template: text(&content.email.template),
                from: text(&content.email.from),
            },
        }
    }
}

impl From<LocaleContent<'_>> for domain::LocaleContent {
    fn from(content: LocaleContent<'_>) -> Self {
        Self {
            faqs: domain_faqs(content.faqs),
            terms: owned_text(content.terms),
            landing: content.landing.into_owned(),
            confirmation: content.confirmation.into_owned(),
            email: domain::EmailContent {
                subject: owned_text(content.email.subject),
                template: owned_text(content.email.template),
                from: owned_text(content.email.from),
            },
        }
    }
}

/// A campaign's content as answered.
pub fn content(
    content: &BTreeMap<Locale, domain::LocaleContent>,
) -> BTreeMap<Cow<'_, Locale>, LocaleContent<'_>> {
    content
        .iter()
        .map(|(locale, content)| (Cow::Borrowed(locale), LocaleContent::from(content)))
        .collect()
}

impl<'a> From<&'a domain::FaqPlacement> for FaqPlacement<'a> {
    fn from(faqs: &'a domain::FaqPlacement) -> Self {
        Self {
            landing: LandingPlacement {
                open: Cow::Borrowed(&faqs.landing.open),
                closed: Cow::Borrowed(&faqs.landing.closed),
            },
            confirmation: ConfirmationPlacement {
                open: Cow::Borrowed(&faqs.confirmation.open),
                closed: Cow::Borrowed(&faqs.confirmation.closed),
                active_presale: Cow::Borrowed(&faqs.confirmation.active_presale),
            },
        }
    }
}

impl From<FaqPlacement<'_>> for domain::FaqPlacement {
    fn from(faqs: FaqPlacement<'_>) -> Self {
        Self {
            landing: domain::LandingPlacement {
                open: faqs.landing.open.into_owned(),
                closed: faqs.landing.closed.into_owned(),
            },
            confirmation: domain::ConfirmationPlacement {
                open: faqs.confirmation.open.into_owned(),
                closed: faqs.confirmation.closed.into_owned(),
                active_presale: faqs.confirmation.active_presale.into_owned(),
            },
        }
    }
}

impl<'a> From<&'a domain::Preference> for Preference<'a> {
    fn from(preference: &'a domain::Preference) -> Self {
        Self {
            id: Cow::Borrowed(&preference.id),
            kind: Cow::Borrowed(&preference.kind),
            is_optional: preference.is_optional,
            additional: PreferenceExtras {
                initial_value: borrowed(&preference.additional.initial_value),
            },
            label: preference
                .label
                .iter()
                .map(|(locale, label)| (Cow::Borrowed(locale), Cow::Borrowed(label.as_str())))
                .collect(),
        }
    }
}

impl From<Preference<'_>> for domain::Preference {
    fn from(preference: Preference<'_>) -> Self {
        Self {
            id: preference.id.into_owned(),
            kind: preference.kind.into_owned(),
            is_optional: preference.is_optional,
            additional: domain::PreferenceExtras {
                initial_value: owned(preference.additional.initial_value),
            },
            label: preference
                .label
                .into_iter()
                .map(|(locale, label)| (locale.into_owned(), label.into_owned()))
                .collect(),
        }
    }
}

impl<'a> From<&'a domain::LocaleSetting> for LocaleSetting<'a> {
    fn from(locale: &'a domain::LocaleSetting) -> Self {
        Self {
            id: Cow::Borrowed(&locale.id),
            is_default: locale.is_default,
        }
    }
}

impl From<LocaleSetting<'_>> for domain::LocaleSetting {
    fn from(locale: LocaleSetting<'_>) -> Self {
        Self {
            id: locale.id.into_owned(),
            is_default: locale.is_default,
        }
    }
}

impl<'a> From<&'a domain::Tracker> for Tracker<'a> {
    fn from(tracker: &'a domain::Tracker) -> Self {
        Self {
            kind: Cow::Borrowed(&tracker.kind),
            id: Cow::Borrowed(&tracker.id),
        }
    }
}

impl From<Tracker<'_>> for domain::Tracker {
    fn from(tracker: Tracker<'_>) -> Self {
        Self {
            kind: tracker.kind.into_owned(),
            id: tracker.id.into_owned(),
        }
    }
}

impl From<domain::SchemaInfo> for SchemaInfo {
    fn from(schema: domain::SchemaInfo) -> Self {
        Self {
            version: schema.version,
        }
    }
}

impl From<SchemaInfo> for domain::SchemaInfo {
    fn from(schema: SchemaInfo) -> Self {
        Self {
            version: schema.version,
        }
    }
}

impl<'a> From<&'a domain::Campaign> for Campaign<'a> {
    fn from(campaign: &'a domain::Campaign) -> Self {
        Self {
            id: Cow::Borrowed(&campaign.id),
            kind: campaign.kind,
            status: campaign.status,
            name: Cow::Borrowed(&campaign.name),
            identifier: text(&campaign.identifier),
            artist: Artist::from(&campaign.artist),
            domain: Domains::from(&campaign.domain),
            tour: Tour::from(&campaign.tour),
            options: campaign.options.into(),
            reference_timezone: borrowed(&campaign.reference_timezone),
            date: CampaignDates::from(&campaign.date),
            style: Style::from(&campaign.style),
            image: Images::from(&campaign.image),
            share: Share::from(&campaign.share),
            content: content(&campaign.content),
            faqs: FaqPlacement::from(&campaign.faqs),
            preferences: campaign.preferences.iter().map(Preference::from).collect(),
            locales: campaign.locales.iter().map(LocaleSetting::from).collect(),
            contacts: Cow::Borrowed(&campaign.contacts),
            event_ids: Cow::Borrowed(&campaign.event_ids),
            category_id: borrowed(&campaign.category_id),
            linked_campaign_ids: Cow::Borrowed(&campaign.linked_campaign_ids),
            trackers: campaign.trackers.iter().map(Tracker::from).collect(),
            schema: campaign.schema.into(),
            status_history: status::history(&campaign.status_history),
            version: campaign.version,
        }
    }
}

impl From<Campaign<'_>> for domain::Campaign {
    /// The campaign an answer describes; its password hash is never answered, so it has none.
    fn from(campaign: Campaign<'_>) -> Self {
        Self {
            id: campaign.id.into_owned(),
            kind: campaign.kind,
            status: campaign.status,
            name: campaign.name.into_owned(),
            identifier: owned_text(campaign.identifier),
            artist: campaign.artist.into(),
            domain: campaign.domain.into(),
            tour: campaign.tour.into(),
            options: campaign.options.into(),
            reference_timezone: owned(campaign.reference_timezone),
            date: campaign.date.into(),
            style: campaign.style.into(),
            image: campaign.image.into(),
            share: campaign.share.into(),
            content: campaign
                .content
                .into_iter()
                .map(|(locale, content)| (locale.into_owned(), content.into()))
                .collect(),
            faqs: campaign.faqs.into(),
            preferences: campaign.preferences.into_iter().map(Into::into).collect(),
            locales: campaign.locales.into_iter().map(Into::into).collect(),
            contacts: campaign.contacts.into_owned(),
            event_ids: campaign.event_ids.into_owned(),
            category_id: owned(campaign.category_id),
            linked_campaign_ids: campaign.linked_campaign_ids.into_owned(),
            password: None,
            trackers: campaign.trackers.into_iter().map(Into::into).collect(),
            schema: campaign.schema.into(),
            status_history: campaign
                .status_history
                .into_iter()
                .map(Into::into)
                .collect(),
            version: campaign.version,
        }
    }
}

impl<'a> CampaignPage<'a> {
    /// A page of the domain's campaigns, borrowed.
    pub fn new(campaigns: &'a [domain::Campaign], pagination: Pagination) -> Self {
        Self {
            campaigns: campaigns.iter().map(Campaign::from).collect(),
            pagination,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use campaign_domain::campaign::CampaignInput;
    use campaign_domain::chrono::{Duration, TimeZone as _};
    use campaign_domain::serde_json::{self, json};
    use campaign_domain::status::{ChangedBy, StatusChange as DomainChange};
    use utoipa::PartialSchema as _;

    use super::*;

    pub(crate) fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, day, hour, 0, 0).unwrap()
    }

    pub(crate) const FAQ: &str = "0b5e2f8e-4c1a-4f5e-9a43-2d7c8b1e6f00";

    /// A document that fills every field the reader reads.
    pub(crate) fn full_body() -> Value {
        json!({
            "type": "fanlist",
            "name": "Spring Tour Presale",
            "identifier": "spring-tour",
            "artist": {"id": "K8vZ917Gku7", "name": "The Band", "discovery_id": "K8vZ917Gku7",
                       "image_url": "https://cdn.example.com/artist.jpg",
                       "adpUrl": "https://tickets.example.com/artist", "fanclubName": "Band Club"},
            "domain": {"site": "springtour.example.com", "preview": "preview.example.com"},
            "tour": {"name": "Spring Tour 2030"},
            "options": {"useGenericBranding": true, "showAccessCode": true,
                        "automatedReminders": true},
            "referenceTimezone": "America/New_York",
            "date": {"open": "2030-01-10T09:00:00Z", "close": "2030-02-01T05:00:00.123Z",
                     "presaleWindowStart": "2030-02-05T10:00:00-05:00",
                     "presaleWindowEnd": "2030-02-07T05:00:00Z",
                     "sendReminderEmails": ["2030-02-04T15:00:00Z", "2030-02-05T09:00:00Z"]},
            "style": {"theme": {"primary": "#1A2B3C", "mix70": "#111", "mix40": "#222",
                                "mix20": "#333"},
                      "border": {"primary": "#000000"},
                      "pageBackground": {"primary": "rgb(255 255 255)"},
                      "text": {"primary": "#111111", "secondary": "hsl(0 0% 20%)"}},
            "image": {"main": {"url": "https://cdn.example.com/main.jpg"},
                      "mobile": {"url": "https://cdn.example.com/mobile.jpg"},
                      "secondary": {"url": "https://cdn.example.com/secondary.jpg"}},
            "share": {"x": "https://x.com/band", "instagram": "https://instagram.com/band",
                      "facebook": "https://facebook.com/band", "youtube": "https://youtube.com/band",
                      "tiktok": "https://tiktok.com/@band",
                      "artist": {"url": "https://band.example.com"}},
            "content": {
                "en-us": {"faqs": {FAQ: {"question": "How?", "answer": "Like this."}},
                          "terms": "Terms", "landing": {"headline": "Hi", "hero": {"cta": ["a", 1]}},
                          "confirmation": {"thanks": true},
                          "email": {"subject": "Registered", "template": "reg", "from": "band@example.com"}},
                "fr": {"faqs": {FAQ: {"question": "Comment ?", "answer": "Ainsi."}}}
            },
            "faqs": {"landing": {"open": [FAQ], "closed": [FAQ]},
                     "confirmation": {"open": [FAQ], "closed": [FAQ], "activePresale": [FAQ]}},
            "preferences": [{"id": "marketing", "type": "checkbox", "is_optional": true,
                             "additional": {"initial_value": {"checked": false}},
                             "label": {"en-US": "News", "fr": "Nouvelles"}}],
            "locales": [{"id": "en-US", "is_default": true}, {"id": "fr"}],
            "contacts": ["65a1b2c3d4e5f60718293a50"],
            "eventIds": ["vvG1IZ4bqBkm0Q", "G5vYZ9Jk1aB2c"],
            "categoryId": "KZFzniwnSyZfZ7v7nJ",
            "linkedCampaignIds": ["65a1b2c3d4e5f60718293a4c"],
            "password": "s3cret",
            "trackers": [{"type": "ga", "id": "G-12345"}],
            "schema": {"version": 2}
        })
    }

    pub(crate) fn id() -> CampaignId {
        CampaignId::parse("65a1b2c3d4e5f60718293a4b").unwrap()
    }

    /// A campaign with every field set: opened, closed, inactivated, with a history.
    pub(crate) fn full() -> domain::Campaign {
        let mut campaign = CampaignInput::parse_new(&full_body(), id(), at(1, 12))
            .unwrap()
            .campaign;
        campaign.status = Status::Closed;
        campaign.date.updated = at(3, 8) + Duration::milliseconds(250);
        campaign.date.opened = Some(at(10, 9));
        campaign.date.closed = Some(at(20, 5));
        campaign.date.inactivated = Some(at(30, 5));
        campaign.status_history = vec![
            DomainChange {
                status: Status::Draft,
                date: at(1, 12),
                by: ChangedBy::User("user-1".to_owned()),
            },
            DomainChange {
                status: Status::Open,
                date: at(10, 9),
                by: ChangedBy::System,
            },
        ];
        campaign.version = 9;
        campaign
    }

    /// A DRAFT with only what a DRAFT needs.
    pub(crate) fn bare() -> domain::Campaign {
        CampaignInput::parse_new(
            &json!({"name": "Bare", "artist": {"id": "a"}, "domain": {"site": "bare.example.com"}}),
            id(),
            at(1, 12),
        )
        .unwrap()
        .campaign
    }

    #[test]
    fn the_full_campaign_fills_every_optional_field() {
        let wire = serde_json::to_value(full()).unwrap();
        for path in [
            "/identifier",
            "/artist/name",
            "/artist/discovery_id",
            "/artist/image_url",
            "/artist/adpUrl",
            "/artist/fanclubName",
            "/domain/site",
            "/domain/preview",
            "/tour/name",
            "/referenceTimezone",
            "/date/open",
            "/date/opened",
            "/date/close",
            "/date/closed",
            "/date/inactivated",
            "/date/presaleWindowStart",
            "/date/presaleWindowEnd",
            "/date/sendReminderEmails/1",
            "/style/theme/mix20",
            "/style/text/secondary",
            "/image/secondary/url",
            "/share/tiktok",
            "/share/artist/url",
            "/content/en-US/terms",
            "/content/en-US/landing/hero",
            "/content/en-US/email/from",
            "/faqs/confirmation/activePresale/0",
            "/preferences/0/additional/initial_value",
            "/preferences/0/label/fr",
            "/contacts/0",
            "/eventIds/1",
            "/categoryId",
            "/linkedCampaignIds/0",
            "/trackers/0/id",
            "/schema/version",
            "/statusHistory/1/by",
        ] {
            assert!(wire.pointer(path).is_some(), "{path} is not set");
        }
    }

    #[test]
    fn the_answer_is_the_domains_wire_form_and_reads_back() {
        for campaign in [full(), bare()] {
            let answer = Campaign::from(&campaign);
            assert_eq!(
                serde_json::to_value(&answer).unwrap(),
                serde_json::to_value(&campaign).unwrap()
            );
            assert_eq!(
                serde_json::to_string(&answer).unwrap(),
                serde_json::to_string(&campaign).unwrap(),
                "the same bytes, in the same order"
            );
            let wire = serde_json::to_string(&answer).unwrap();
            let read: Campaign<'static> = serde_json::from_str(&wire).unwrap();
            assert_eq!(domain::Campaign::from(read), campaign);
        }
    }

    #[test]
    fn a_page_and_a_refresh_summary_have_the_wire_shape() {
        let campaigns = [full(), bare()];
        let page = CampaignPage::new(
            &campaigns,
            Pagination {
                page: 0,
                page_size: 10,
                total: 2,
            },
        );
        let wire = serde_json::to_value(&page).unwrap();
        assert_eq!(
            wire["campaigns"][1],
            serde_json::to_value(&campaigns[1]).unwrap()
        );
        assert_eq!(
            wire["pagination"],
            json!({"page": 0, "pageSize": 10, "total": 2})
        );
        let summary = domain_refresh::RefreshSummary {
            opened: 1,
            closed: 2,
            inactivated: 3,
            skipped: 4,
        };
        assert_eq!(
            serde_json::to_value(RefreshSummary::from(summary)).unwrap(),
            serde_json::to_value(summary).unwrap()
        );
    }

    #[test]
    fn the_example_is_a_campaign_the_service_could_answer() {
        let example = serde_json::to_value(Campaign::schema()).unwrap()["examples"][0].clone();
        let read: Campaign<'static> = serde_json::from_value(example.clone()).unwrap();
        let campaign = domain::Campaign::from(read);
        assert_eq!(serde_json::to_value(&campaign).unwrap(), example);
        campaign.check_complete().unwrap();
    }

    #[test]
    fn always_answered_fields_are_required_and_the_others_never_null() {
        let schema = serde_json::to_value(Campaign::schema()).unwrap();
        let required: Vec<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let bare = serde_json::to_value(bare()).unwrap();
        let mut always: Vec<&str> = bare
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut required_sorted = required.clone();
        always.sort_unstable();
        required_sorted.sort_unstable();
        assert_eq!(required_sorted, always);
        assert_eq!(schema["properties"]["identifier"]["type"], "string");
        assert_eq!(schema["properties"]["contacts"]["maxItems"], LIST_MAX);
        let dates = serde_json::to_value(CampaignDates::schema()).unwrap();
        assert_eq!(
            dates["properties"]["sendReminderEmails"]["items"]["format"],
            "date-time"
        );
    }
}
