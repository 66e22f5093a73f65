//! The campaign bodies a client sends: [`NewCampaign`] (`POST /campaigns`) and
//! [`CampaignPatch`] (`POST /campaigns/{id}`, a JSON merge patch), with their parts.
//!
//! The service reads both with the domain's own reader
//! ([`CampaignInput`](campaign_domain::campaign::CampaignInput), ADR 0019), which reports every
//! failing field; these types are what a Rust client serialises and what the document states.
//! Fields the service sets (`id`, `version`, `statusHistory`, `date.created`, `date.updated`,
//! `date.opened`, `date.closed`, `date.inactivated`) are not part of them: sent anyway, they are
//! ignored. In a create `null` is the same as leaving a field out; in a patch it removes the
//! field (RFC 7396), which some fields refuse.

use std::borrow::Cow;
use std::collections::BTreeMap;

use campaign_domain::campaign::CampaignType;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::serde_json::{Map, Value};
use campaign_domain::status::Status;
use campaign_domain::values::{
    ArtistId, CampaignId, CategoryId, ContactId, CssColor, DomainName, EventId, FaqId, HttpUrl,
    Locale, TimeZone,
};
use campaign_domain::wire_time;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::schema::{Array, ArrayBuilder, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{KnownFormat, SchemaFormat};

use crate::campaign::{Faq, FaqsById, LabelByLocale, Tracker};
use crate::status;
use crate::values::{self, map_schema};

/// The body of `POST /campaigns` (supreme only): a new campaign, created as a DRAFT. A DRAFT
/// needs only `name`, `artist.id` and `domain.site`; asking for `status: PREVIEW` needs the
/// whole campaign (`INVALID_CAMPAIGN` / `VALIDATION_ERROR` otherwise). `null` is the same as
/// leaving a field out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(examples(json!({
    "name": "Spring Tour Presale",
    "artist": {"id": "K8vZ917Gku7", "name": "The Band"},
    "domain": {"site": "springtour.example.com", "preview": "preview.springtour.example.com"},
    "tour": {"name": "Spring Tour 2030"},
    "referenceTimezone": "America/New_York",
    "date": {
        "open": "2030-01-10T09:00:00-05:00",
        "close": "2030-02-01T00:00:00-05:00",
        "presaleWindowStart": "2030-02-05T10:00:00-05:00",
        "presaleWindowEnd": "2030-02-07T00:00:00-05:00"
    },
    "locales": [{"id": "en-US", "is_default": true}],
    "content": {"en-US": {"terms": "Terms and conditions", "landing": {"headline": "Register now"}}},
    "password": "s3cret-Pa55word"
})))]
pub struct NewCampaign<'a> {
    /// Kind of campaign (default `registration`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<status::CampaignType>)]
    pub kind: Option<CampaignType>,
    /// DRAFT (the default) or PREVIEW.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<status::NewCampaignStatus>)]
    pub status: Option<Status>,
    /// Display name, 1-200 characters, not blank.
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Cow<'a, str>,
    /// Short identifier used by the fan site, at most 200 characters (required outside DRAFT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub identifier: Option<Cow<'a, str>>,
    /// The artist.
    pub artist: NewArtist<'a>,
    /// The site domain, not held by another campaign, and the preview domain.
    pub domain: NewDomains<'a>,
    /// The tour (its name is required outside DRAFT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tour: Option<NewTour<'a>>,
    /// Feature switches (each `false` when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<NewCampaignOptions>,
    /// IANA time zone the campaign's local times refer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::TimeZone>)]
    pub reference_timezone: Option<Cow<'a, TimeZone>>,
    /// The schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NewCampaignDates>,
    /// Branding colours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<NewStyle<'a>>,
    /// Branding images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<NewImages<'a>>,
    /// Social links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<NewShare<'a>>,
    /// Localised content by locale (outside DRAFT only for the campaign's locales).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<NewContentByLocale>)]
    pub content: Option<BTreeMap<Cow<'a, Locale>, NewLocaleContent<'a>>>,
    /// Which FAQ ids show on which page state (outside DRAFT each must be in every locale's
    /// content).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faqs: Option<NewFaqPlacement<'a>>,
    /// Registration form preferences, ids unique.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferences: Option<Vec<NewPreference<'a>>>,
    /// The campaign's locales, each once; exactly one is the default when there are any (at
    /// least one is required outside DRAFT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locales: Option<Vec<NewLocaleSetting<'a>>>,
    /// Ids of the campaign's contacts (at most 100; a repeat counts once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<values::ObjectId>>, max_items = 100)]
    pub contacts: Option<Cow<'a, [ContactId]>>,
    /// Ticketing events the campaign covers directly (at most 100; a repeat counts once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<values::EventId>>, max_items = 100)]
    pub event_ids: Option<Cow<'a, [EventId]>>,
    /// Ticketing category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::CategoryId>)]
    pub category_id: Option<Cow<'a, CategoryId>>,
    /// Campaigns that share artist, tour and presale window with this one (at most 100; a
    /// repeat counts once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<values::ObjectId>>, max_items = 100)]
    pub linked_campaign_ids: Option<Cow<'a, [CampaignId]>>,
    /// Access password of the fan site, 1-128 characters; stored hashed, never answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 128)]
    pub password: Option<Cow<'a, str>>,
    /// Analytics trackers of the fan site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trackers: Option<Vec<Tracker<'a>>>,
    /// Document schema information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<NewSchemaInfo>,
}

/// The artist of a new campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewArtist<'a> {
    /// Ticketing platform artist id.
    #[schema(value_type = values::ArtistId)]
    pub id: Cow<'a, ArtistId>,
    /// Display name, at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub name: Option<Cow<'a, str>>,
    /// Discovery API attraction id, at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub discovery_id: Option<Cow<'a, str>>,
    /// Artist image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::HttpUrl>)]
    pub image_url: Option<Cow<'a, HttpUrl>>,
    /// Artist detail page.
    #[serde(default, rename = "adpUrl", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::HttpUrl>)]
    pub adp_url: Option<Cow<'a, HttpUrl>>,
    /// Name of the artist's fan club, at most 200 characters.
    #[serde(
        default,
        rename = "fanclubName",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub fanclub_name: Option<Cow<'a, str>>,
}

/// The domains of a new campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewDomains<'a> {
    /// The public site; no other campaign may hold it (`DOMAIN_NAME_CONFLICT`).
    #[schema(value_type = values::DomainName)]
    pub site: Cow<'a, DomainName>,
    /// The preview site: another host than the site, held by no other campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::DomainName>)]
    pub preview: Option<Cow<'a, DomainName>>,
}

/// The tour of a new campaign.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewTour<'a> {
    /// Tour name, at most 200 characters (required outside DRAFT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub name: Option<Cow<'a, str>>,
}

/// Feature switches of a new campaign; each is `false` when left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewCampaignOptions {
    /// Use the generic branding instead of the artist's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_generic_branding: Option<bool>,
    /// Show the access code on the confirmation page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_access_code: Option<bool>,
    /// Send presale reminders automatically (internal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated_reminders: Option<bool>,
}

/// The schedule of a new campaign: RFC 3339 date-times with any offset, kept in UTC to the
/// millisecond. `close` must be after `open` and `presaleWindowEnd` after `presaleWindowStart`
/// (`INVALID_CAMPAIGN`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewCampaignDates {
    /// When the refresh job should open the campaign.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub open: Option<DateTime<Utc>>,
    /// When the refresh job should close it.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub close: Option<DateTime<Utc>>,
    /// Start of the presale window.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub presale_window_start: Option<DateTime<Utc>>,
    /// End of the presale window.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub presale_window_end: Option<DateTime<Utc>>,
    /// When reminder e-mails go out.
    #[serde(default, with = "times", skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = nullable_date_times)]
    pub send_reminder_emails: Option<Vec<DateTime<Utc>>>,
}

/// A colour slot with only a primary colour.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewPrimaryColor<'a> {
    /// The colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::CssColor>)]
    pub primary: Option<Cow<'a, CssColor>>,
}

/// Theme colours of a new campaign.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewThemeColors<'a> {
    /// Primary theme colour (required outside DRAFT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::CssColor>)]
    pub primary: Option<Cow<'a, CssColor>>,
    /// 70 % mix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::CssColor>)]
    pub mix70: Option<Cow<'a, CssColor>>,
    /// 40 % mix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::CssColor>)]
    pub mix40: Option<Cow<'a, CssColor>>,
    /// 20 % mix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::CssColor>)]
    pub mix20: Option<Cow<'a, CssColor>>,
}

/// Text colours of a new campaign.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewTextColors<'a> {
    /// Main text colour (required outside DRAFT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::CssColor>)]
    pub primary: Option<Cow<'a, CssColor>>,
    /// Secondary text colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::CssColor>)]
    pub secondary: Option<Cow<'a, CssColor>>,
}

/// Branding colours of a new campaign (`theme.primary`, `border.primary`,
/// `pageBackground.primary` and `text.primary` are required outside DRAFT).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewStyle<'a> {
    /// Theme colours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<NewThemeColors<'a>>,
    /// Border colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub border: Option<NewPrimaryColor<'a>>,
    /// Page background colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_background: Option<NewPrimaryColor<'a>>,
    /// Text colours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<NewTextColors<'a>>,
}

/// A link to an image or a page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewLink<'a> {
    /// The URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::HttpUrl>)]
    pub url: Option<Cow<'a, HttpUrl>>,
}

/// Branding images of a new campaign.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewImages<'a> {
    /// Main image (its `url` is required outside DRAFT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main: Option<NewLink<'a>>,
    /// Mobile image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile: Option<NewLink<'a>>,
    /// Secondary image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary: Option<NewLink<'a>>,
}

/// Social links of a new campaign.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewShare<'a> {
    /// X (Twitter) link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::HttpUrl>)]
    pub x: Option<Cow<'a, HttpUrl>>,
    /// Instagram link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::HttpUrl>)]
    pub instagram: Option<Cow<'a, HttpUrl>>,
    /// Facebook link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::HttpUrl>)]
    pub facebook: Option<Cow<'a, HttpUrl>>,
    /// YouTube link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::HttpUrl>)]
    pub youtube: Option<Cow<'a, HttpUrl>>,
    /// TikTok link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::HttpUrl>)]
    pub tiktok: Option<Cow<'a, HttpUrl>>,
    /// The artist's own page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artist: Option<NewLink<'a>>,
}

/// Sender and template of a locale's e-mails.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewEmailContent<'a> {
    /// Subject line, at most 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub subject: Option<Cow<'a, str>>,
    /// Template name, at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub template: Option<Cow<'a, str>>,
    /// Sender, at most 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub from: Option<Cow<'a, str>>,
}

/// The content of one locale of a new campaign.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewLocaleContent<'a> {
    /// FAQ entries keyed by id (a UUID; two spellings of one UUID are refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<FaqsById>)]
    pub faqs: Option<BTreeMap<Cow<'a, FaqId>, Faq<'a>>>,
    /// Terms and conditions, at most 100,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 100_000)]
    pub terms: Option<Cow<'a, str>>,
    /// Landing page copy (free-form, owned by the fan site).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::FreeFormObject>)]
    pub landing: Option<Cow<'a, Map<String, Value>>>,
    /// Confirmation page copy (free-form, owned by the fan site).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::FreeFormObject>)]
    pub confirmation: Option<Cow<'a, Map<String, Value>>>,
    /// E-mail settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<NewEmailContent<'a>>,
}

map_schema!(
    /// The content of a new campaign by locale.
    NewContentByLocale: values::Locale => nullable NewLocaleContent,
    "Localised content keyed by locale (`xx` or `xx-XX`; two spellings of one locale are \
     refused); `null` is an empty content."
);

/// FAQ ids on the landing page, by campaign state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewLandingPlacement<'a> {
    /// While OPEN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<values::FaqId>>)]
    pub open: Option<Cow<'a, [FaqId]>>,
    /// While CLOSED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<values::FaqId>>)]
    pub closed: Option<Cow<'a, [FaqId]>>,
}

/// FAQ ids on the confirmation page, by campaign state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewConfirmationPlacement<'a> {
    /// While OPEN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<values::FaqId>>)]
    pub open: Option<Cow<'a, [FaqId]>>,
    /// While CLOSED.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<values::FaqId>>)]
    pub closed: Option<Cow<'a, [FaqId]>>,
    /// During a presale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<values::FaqId>>)]
    pub active_presale: Option<Cow<'a, [FaqId]>>,
}

/// Which FAQ ids show where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewFaqPlacement<'a> {
    /// Landing page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landing: Option<NewLandingPlacement<'a>>,
    /// Confirmation page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<NewConfirmationPlacement<'a>>,
}

/// Extra settings of a preference.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewPreferenceExtras<'a> {
    /// The value the form starts with (any JSON value; objects follow the free-form key rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::FreeFormValue>)]
    pub initial_value: Option<Cow<'a, Value>>,
}

/// A registration form preference as a client sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewPreference<'a> {
    /// Id, unique within the campaign; 1-200 characters, not blank.
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = "\\S")]
    pub id: Cow<'a, str>,
    /// Kind of input, 1-200 characters, not blank.
    #[serde(rename = "type")]
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = "\\S")]
    pub kind: Cow<'a, str>,
    /// Whether fans may leave it unset (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_optional: Option<bool>,
    /// Extra settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional: Option<NewPreferenceExtras<'a>>,
    /// Label by locale (two spellings of one locale are refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<LabelByLocale>)]
    pub label: Option<BTreeMap<Cow<'a, Locale>, Cow<'a, str>>>,
}

/// One of the campaign's locales as a client sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewLocaleSetting<'a> {
    /// The locale, listed once.
    #[schema(value_type = values::Locale)]
    pub id: Cow<'a, Locale>,
    /// Whether it is the default (exactly one of the campaign's locales is; default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_default: Option<bool>,
}

/// Document schema information.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewSchemaInfo {
    /// Schema version of the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
}

/// The body of `POST /campaigns/{id}`: a JSON merge patch (RFC 7396) of the campaign, with
/// `If-Match`. Members replace, `null` removes, objects merge, arrays are replaced as a whole;
/// the result is read like a create and must hold the campaign's status (the whole campaign
/// outside DRAFT). `status` asks for a transition (SPEC §7.2): DRAFT ⇄ PREVIEW, DRAFT or
/// PREVIEW → OPEN, OPEN ⇄ CLOSED; anything else is `INVALID_STATUS_TRANSITION`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(examples(json!({
    "name": "Spring Tour Presale (extra dates)",
    "domain": {"preview": null},
    "date": {"close": "2030-02-03T00:00:00-05:00"},
    "content": {"en-US": {"faqs": {"0b5e2f8e-4c1a-4f5e-9a43-2d7c8b1e6f00": {
        "question": "How do I register?",
        "answer": "Sign up before the presale."
    }}}},
    "password": null
})))]
pub struct CampaignPatch<'a> {
    /// New kind; `null` makes it `registration`.
    #[serde(
        rename = "type",
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<status::CampaignType>)]
    pub kind: Option<Option<CampaignType>>,
    /// The status to move to; `null` or the current status changes nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<status::CampaignStatus>)]
    pub status: Option<Status>,
    /// New name, 1-200 characters, not blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200, pattern = "\\S", nullable = false)]
    pub name: Option<Cow<'a, str>>,
    /// New identifier, at most 200 characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub identifier: Option<Option<Cow<'a, str>>>,
    /// Changes to the artist (its id cannot be removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub artist: Option<ArtistPatch<'a>>,
    /// Changes to the domains (the site cannot be removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub domain: Option<DomainsPatch<'a>>,
    /// Changes to the tour.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<TourPatch>)]
    pub tour: Option<Option<TourPatch<'a>>>,
    /// Changes to the feature switches.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<CampaignOptionsPatch>)]
    pub options: Option<Option<CampaignOptionsPatch>>,
    /// New reference time zone.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::TimeZone>)]
    pub reference_timezone: Option<Option<Cow<'a, TimeZone>>>,
    /// Changes to the schedule.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<CampaignDatesPatch>)]
    pub date: Option<Option<CampaignDatesPatch>>,
    /// Changes to the colours.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<StylePatch>)]
    pub style: Option<Option<StylePatch<'a>>>,
    /// Changes to the images.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<ImagesPatch>)]
    pub image: Option<Option<ImagesPatch<'a>>>,
    /// Changes to the social links.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<SharePatch>)]
    pub share: Option<Option<SharePatch<'a>>>,
    /// Changes to the content, by locale; a locale set to `null` is removed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<ContentPatchByLocale>)]
    pub content: Option<Option<BTreeMap<Cow<'a, Locale>, Option<LocaleContentPatch<'a>>>>>,
    /// Changes to the FAQ placement.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<FaqPlacementPatch>)]
    pub faqs: Option<Option<FaqPlacementPatch<'a>>>,
    /// New preferences, replacing all of them.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<Vec<NewPreference>>)]
    pub preferences: Option<Option<Vec<NewPreference<'a>>>>,
    /// New locales, replacing all of them.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<Vec<NewLocaleSetting>>)]
    pub locales: Option<Option<Vec<NewLocaleSetting<'a>>>>,
    /// New contact ids, replacing all of them (at most 100).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<Vec<values::ObjectId>>, max_items = 100)]
    pub contacts: Option<Option<Cow<'a, [ContactId]>>>,
    /// New event ids, replacing all of them (at most 100).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<Vec<values::EventId>>, max_items = 100)]
    pub event_ids: Option<Option<Cow<'a, [EventId]>>>,
    /// New category.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::CategoryId>)]
    pub category_id: Option<Option<Cow<'a, CategoryId>>>,
    /// New linked campaigns, replacing all of them (at most 100, not this campaign).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<Vec<values::ObjectId>>, max_items = 100)]
    pub linked_campaign_ids: Option<Option<Cow<'a, [CampaignId]>>>,
    /// New access password, 1-128 characters; `null` removes it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 128)]
    pub password: Option<Option<Cow<'a, str>>>,
    /// New trackers, replacing all of them.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<Vec<Tracker>>)]
    pub trackers: Option<Option<Vec<Tracker<'a>>>>,
    /// Changes to the schema information.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<SchemaInfoPatch>)]
    pub schema: Option<Option<SchemaInfoPatch>>,
}

/// Changes to the artist; `null` removes a field, but not the id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ArtistPatch<'a> {
    /// New artist id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::ArtistId>, nullable = false)]
    pub id: Option<Cow<'a, ArtistId>>,
    /// New display name, at most 200 characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub name: Option<Option<Cow<'a, str>>>,
    /// New Discovery API attraction id, at most 200 characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub discovery_id: Option<Option<Cow<'a, str>>>,
    /// New artist image.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::HttpUrl>)]
    pub image_url: Option<Option<Cow<'a, HttpUrl>>>,
    /// New artist detail page.
    #[serde(
        default,
        rename = "adpUrl",
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::HttpUrl>)]
    pub adp_url: Option<Option<Cow<'a, HttpUrl>>>,
    /// New fan club name, at most 200 characters.
    #[serde(
        default,
        rename = "fanclubName",
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub fanclub_name: Option<Option<Cow<'a, str>>>,
}

/// Changes to the domains; the site cannot be removed (an INACTIVE campaign holds none and
/// takes none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DomainsPatch<'a> {
    /// New site, held by no other campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::DomainName>, nullable = false)]
    pub site: Option<Cow<'a, DomainName>>,
    /// New preview site (another host than the site); `null` removes it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::DomainName>)]
    pub preview: Option<Option<Cow<'a, DomainName>>>,
}

/// Changes to the tour.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TourPatch<'a> {
    /// New tour name, at most 200 characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub name: Option<Option<Cow<'a, str>>>,
}

/// Changes to the feature switches; `null` makes one `false`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignOptionsPatch {
    /// Use the generic branding instead of the artist's.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<bool>)]
    pub use_generic_branding: Option<Option<bool>>,
    /// Show the access code on the confirmation page.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<bool>)]
    pub show_access_code: Option<Option<bool>>,
    /// Send presale reminders automatically (internal).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<bool>)]
    pub automated_reminders: Option<Option<bool>>,
}

/// Changes to the schedule (RFC 3339 date-times with any offset); `null` removes a date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignDatesPatch {
    /// New opening time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable::time"
    )]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub open: Option<Option<DateTime<Utc>>>,
    /// New closing time (after `open`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable::time"
    )]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub close: Option<Option<DateTime<Utc>>>,
    /// New presale window start.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable::time"
    )]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub presale_window_start: Option<Option<DateTime<Utc>>>,
    /// New presale window end (after its start).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable::time"
    )]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub presale_window_end: Option<Option<DateTime<Utc>>>,
    /// New reminder times, replacing all of them.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "times::patch"
    )]
    #[schema(schema_with = nullable_date_times)]
    pub send_reminder_emails: Option<Option<Vec<DateTime<Utc>>>>,
}

/// Changes to a colour slot with only a primary colour.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PrimaryColorPatch<'a> {
    /// New colour.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::CssColor>)]
    pub primary: Option<Option<Cow<'a, CssColor>>>,
}

/// Changes to the theme colours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ThemeColorsPatch<'a> {
    /// New primary theme colour.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::CssColor>)]
    pub primary: Option<Option<Cow<'a, CssColor>>>,
    /// New 70 % mix.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::CssColor>)]
    pub mix70: Option<Option<Cow<'a, CssColor>>>,
    /// New 40 % mix.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::CssColor>)]
    pub mix40: Option<Option<Cow<'a, CssColor>>>,
    /// New 20 % mix.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::CssColor>)]
    pub mix20: Option<Option<Cow<'a, CssColor>>>,
}

/// Changes to the text colours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TextColorsPatch<'a> {
    /// New main text colour.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::CssColor>)]
    pub primary: Option<Option<Cow<'a, CssColor>>>,
    /// New secondary text colour.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::CssColor>)]
    pub secondary: Option<Option<Cow<'a, CssColor>>>,
}

/// Changes to the branding colours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StylePatch<'a> {
    /// Changes to the theme colours.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<ThemeColorsPatch>)]
    pub theme: Option<Option<ThemeColorsPatch<'a>>>,
    /// Changes to the border colour.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<PrimaryColorPatch>)]
    pub border: Option<Option<PrimaryColorPatch<'a>>>,
    /// Changes to the page background colour.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<PrimaryColorPatch>)]
    pub page_background: Option<Option<PrimaryColorPatch<'a>>>,
    /// Changes to the text colours.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<TextColorsPatch>)]
    pub text: Option<Option<TextColorsPatch<'a>>>,
}

/// Changes to a link.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LinkPatch<'a> {
    /// New URL.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::HttpUrl>)]
    pub url: Option<Option<Cow<'a, HttpUrl>>>,
}

/// Changes to the images.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImagesPatch<'a> {
    /// Changes to the main image.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<LinkPatch>)]
    pub main: Option<Option<LinkPatch<'a>>>,
    /// Changes to the mobile image.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<LinkPatch>)]
    pub mobile: Option<Option<LinkPatch<'a>>>,
    /// Changes to the secondary image.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<LinkPatch>)]
    pub secondary: Option<Option<LinkPatch<'a>>>,
}

/// Changes to the social links.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SharePatch<'a> {
    /// New X (Twitter) link.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::HttpUrl>)]
    pub x: Option<Option<Cow<'a, HttpUrl>>>,
    /// New Instagram link.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::HttpUrl>)]
    pub instagram: Option<Option<Cow<'a, HttpUrl>>>,
    /// New Facebook link.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::HttpUrl>)]
    pub facebook: Option<Option<Cow<'a, HttpUrl>>>,
    /// New YouTube link.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::HttpUrl>)]
    pub youtube: Option<Option<Cow<'a, HttpUrl>>>,
    /// New TikTok link.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::HttpUrl>)]
    pub tiktok: Option<Option<Cow<'a, HttpUrl>>>,
    /// Changes to the artist's own page.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<LinkPatch>)]
    pub artist: Option<Option<LinkPatch<'a>>>,
}

/// Changes to a FAQ entry (a new entry needs both fields).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FaqPatch<'a> {
    /// New question, 1-500 characters, not blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 500, pattern = "\\S", nullable = false)]
    pub question: Option<Cow<'a, str>>,
    /// New answer, 1-100,000 characters, not blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100_000, pattern = "\\S", nullable = false)]
    pub answer: Option<Cow<'a, str>>,
}

map_schema!(
    /// Changes to a locale's FAQ entries by id.
    FaqPatchesById: values::FaqId => nullable FaqPatch,
    "Changes to FAQ entries keyed by id (a UUID); an entry set to `null` is removed."
);

/// Changes to a locale's e-mail settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EmailContentPatch<'a> {
    /// New subject line, at most 500 characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub subject: Option<Option<Cow<'a, str>>>,
    /// New template name, at most 200 characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub template: Option<Option<Cow<'a, str>>>,
    /// New sender, at most 500 characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub from: Option<Option<Cow<'a, str>>>,
}

/// Changes to the content of one locale.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LocaleContentPatch<'a> {
    /// Changes to the FAQ entries, by id.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<FaqPatchesById>)]
    pub faqs: Option<Option<BTreeMap<Cow<'a, FaqId>, Option<FaqPatch<'a>>>>>,
    /// New terms, at most 100,000 characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<String>, max_length = 100_000)]
    pub terms: Option<Option<Cow<'a, str>>>,
    /// Changes to the landing page copy, merged into it (`null` removes a key).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::FreeFormObject>)]
    pub landing: Option<Option<Cow<'a, Map<String, Value>>>>,
    /// Changes to the confirmation page copy, merged into it (`null` removes a key).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<values::FreeFormObject>)]
    pub confirmation: Option<Option<Cow<'a, Map<String, Value>>>>,
    /// Changes to the e-mail settings.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<EmailContentPatch>)]
    pub email: Option<Option<EmailContentPatch<'a>>>,
}

map_schema!(
    /// Changes to the content by locale.
    ContentPatchByLocale: values::Locale => nullable LocaleContentPatch,
    "Changes to the content keyed by locale (`xx` or `xx-XX`, as the campaign spells it); a \
     locale set to `null` is removed."
);

/// Changes to the landing page's FAQ ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LandingPlacementPatch<'a> {
    /// New ids while OPEN.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<Vec<values::FaqId>>)]
    pub open: Option<Option<Cow<'a, [FaqId]>>>,
    /// New ids while CLOSED.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<Vec<values::FaqId>>)]
    pub closed: Option<Option<Cow<'a, [FaqId]>>>,
}

/// Changes to the confirmation page's FAQ ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmationPlacementPatch<'a> {
    /// New ids while OPEN.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<Vec<values::FaqId>>)]
    pub open: Option<Option<Cow<'a, [FaqId]>>>,
    /// New ids while CLOSED.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<Vec<values::FaqId>>)]
    pub closed: Option<Option<Cow<'a, [FaqId]>>>,
    /// New ids during a presale.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<Vec<values::FaqId>>)]
    pub active_presale: Option<Option<Cow<'a, [FaqId]>>>,
}

/// Changes to the FAQ placement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FaqPlacementPatch<'a> {
    /// Changes to the landing page's ids.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<LandingPlacementPatch>)]
    pub landing: Option<Option<LandingPlacementPatch<'a>>>,
    /// Changes to the confirmation page's ids.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<ConfirmationPlacementPatch>)]
    pub confirmation: Option<Option<ConfirmationPlacementPatch<'a>>>,
}

/// Changes to the schema information.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SchemaInfoPatch {
    /// New schema version.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::nullable"
    )]
    #[schema(value_type = Option<u64>)]
    pub version: Option<Option<u64>>,
}

/// RFC 3339 date-times (any offset), or `null`.
fn nullable_date_times() -> Array {
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
        )
        .description(Some("When reminder e-mails go out (RFC 3339, any offset)."))
        .build()
}

/// An optional list of dates in the service's wire format (`None` is skipped by the caller).
mod times {
    use campaign_domain::chrono::{DateTime, Utc};
    use campaign_domain::wire_time;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// A list of dates.
    type Dates = Vec<DateTime<Utc>>;

    /// One date as it travels.
    #[derive(Serialize, Deserialize)]
    #[serde(transparent)]
    struct At(#[serde(with = "wire_time")] DateTime<Utc>);

    /// Writes the dates.
    pub(super) fn serialize<S: Serializer>(dates: &Option<Dates>, s: S) -> Result<S::Ok, S::Error> {
        match dates {
            Some(dates) => wire_time::vec::serialize(dates, s),
            None => s.serialize_none(),
        }
    }

    /// Reads the dates; `null` is none.
    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Dates>, D::Error> {
        let dates = Option::<Vec<At>>::deserialize(d)?;
        Ok(dates.map(|dates| dates.into_iter().map(|At(at)| at).collect()))
    }

    /// The same in a merge patch: `null` removes the dates.
    pub(super) mod patch {
        use super::*;

        /// Writes the dates, or `null` for a removal.
        pub(in super::super) fn serialize<S: Serializer>(
            dates: &Option<Option<Dates>>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match dates {
                Some(dates) => super::serialize(dates, s),
                None => s.serialize_none(),
            }
        }

        /// Reads a present field: `null` is a removal.
        pub(in super::super) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Option<Dates>>, D::Error> {
            super::deserialize(d).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use campaign_domain::campaign::{CampaignInput, PasswordChange};
    use campaign_domain::serde_json::{self, json};
    use utoipa::PartialSchema as _;
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::Schema;

    use super::*;
    use crate::campaign::LIST_MAX;
    use crate::campaign::tests::{FAQ, at, bare, full, full_body, id};

    fn schema(schema: RefOr<Schema>) -> Value {
        serde_json::to_value(schema).unwrap()
    }

    #[test]
    fn what_a_client_creates_the_domain_reads_field_for_field() {
        // Every field the reader reads, through the client's type and back: nothing is lost.
        let body = full_body();
        let sent: NewCampaign<'static> = serde_json::from_value(body.clone()).unwrap();
        let wire = serde_json::to_value(&sent).unwrap();
        let direct = CampaignInput::parse_new(&body, id(), at(1, 12)).unwrap();
        let through = CampaignInput::parse_new(&wire, id(), at(1, 12)).unwrap();
        assert_eq!(through.campaign, direct.campaign);
        assert!(matches!(through.password, PasswordChange::Set(_)));
        assert_eq!(through.requested_status, None);

        let bare_body = NewCampaign {
            kind: None,
            status: Some(Status::Preview),
            name: "Bare".into(),
            identifier: None,
            artist: NewArtist {
                id: Cow::Owned(ArtistId::parse("a").unwrap()),
                name: None,
                discovery_id: None,
                image_url: None,
                adp_url: None,
                fanclub_name: None,
            },
            domain: NewDomains {
                site: Cow::Owned(DomainName::parse("bare.example.com").unwrap()),
                preview: None,
            },
            tour: None,
            options: None,
            reference_timezone: None,
            date: None,
            style: None,
            image: None,
            share: None,
            content: None,
            faqs: None,
            preferences: None,
            locales: None,
            contacts: None,
            event_ids: None,
            category_id: None,
            linked_campaign_ids: None,
            password: None,
            trackers: None,
            schema: None,
        };
        let input =
            CampaignInput::parse_new(&serde_json::to_value(&bare_body).unwrap(), id(), at(1, 12))
                .unwrap();
        assert_eq!(input.campaign, bare());
        assert_eq!(input.requested_status, Some(Status::Preview));
    }

    #[test]
    fn null_in_a_create_is_a_field_left_out() {
        let mut body = json!({"name": "N", "artist": {"id": "a", "name": null},
                              "domain": {"site": "n.example.com", "preview": null}});
        for key in [
            "type",
            "status",
            "identifier",
            "tour",
            "options",
            "referenceTimezone",
            "date",
            "style",
            "image",
            "share",
            "content",
            "faqs",
            "preferences",
            "locales",
            "contacts",
            "eventIds",
            "categoryId",
            "linkedCampaignIds",
            "password",
            "trackers",
            "schema",
        ] {
            body[key] = Value::Null;
        }
        let sent: NewCampaign<'static> = serde_json::from_value(body.clone()).unwrap();
        let created = CampaignInput::parse_new(&body, id(), at(1, 12)).unwrap();
        let through =
            CampaignInput::parse_new(&serde_json::to_value(&sent).unwrap(), id(), at(1, 12))
                .unwrap();
        assert_eq!(created.campaign, through.campaign);
        // Every property the create schema declares nullable is one whose null the reader takes.
        let create = schema(NewCampaign::schema());
        for (key, property) in create["properties"].as_object().unwrap() {
            let nullable = property["type"]
                .as_array()
                .is_some_and(|t| t.contains(&json!("null")))
                || property["oneOf"]
                    .as_array()
                    .is_some_and(|o| o.contains(&json!({"type": "null"})));
            assert_eq!(nullable, body.get(key) == Some(&Value::Null), "{key}");
        }
    }

    /// A patch that touches every field: sets some, removes others, merges nested objects.
    fn full_patch() -> Value {
        json!({
            "type": null,
            "status": "PREVIEW",
            "name": "Renamed",
            "identifier": null,
            "artist": {"id": "K8vZ917Gku8", "name": null, "discovery_id": "d2",
                       "image_url": null, "adpUrl": "https://tickets.example.com/a2",
                       "fanclubName": null},
            "domain": {"site": "renamed.example.com", "preview": null},
            "tour": {"name": null},
            "options": {"useGenericBranding": null, "showAccessCode": false,
                        "automatedReminders": null},
            "referenceTimezone": "Europe/Paris",
            "date": {"open": null, "close": "2030-02-02T00:00:00.000Z",
                     "presaleWindowStart": null, "presaleWindowEnd": null,
                     "sendReminderEmails": ["2030-02-01T10:00:00.000Z"]},
            "style": {"theme": {"primary": "#abc", "mix70": null, "mix40": null, "mix20": null},
                      "border": null, "pageBackground": {"primary": null},
                      "text": {"primary": "#222", "secondary": null}},
            "image": {"main": {"url": "https://cdn.example.com/new.jpg"}, "mobile": null,
                      "secondary": {"url": null}},
            "share": {"x": null, "instagram": "https://instagram.com/new", "facebook": null,
                      "youtube": null, "tiktok": null, "artist": {"url": null}},
            "content": {
                "en-US": {"faqs": {FAQ: {"answer": "Differently."}}, "terms": null,
                          "landing": {"headline": null, "hero": {"cta": "Go"}},
                          "confirmation": null, "email": {"subject": null, "template": "t2",
                                                          "from": null}},
                "fr": null
            },
            "faqs": {"landing": {"open": [FAQ], "closed": null},
                     "confirmation": {"open": null, "closed": [], "activePresale": null}},
            "preferences": [{"id": "p2", "type": "radio"}],
            "locales": [{"id": "en-US", "is_default": true}],
            "contacts": null,
            "eventIds": ["e9"],
            "categoryId": null,
            "linkedCampaignIds": [],
            "password": null,
            "trackers": null,
            "schema": {"version": null}
        })
    }

    #[test]
    fn what_a_client_patches_the_domain_reads_field_for_field() {
        let stored = full();
        let patch = full_patch();
        let sent: CampaignPatch<'static> = serde_json::from_value(patch.clone()).unwrap();
        // The same patch, null for null: every removal survives the client's type.
        assert_eq!(serde_json::to_value(&sent).unwrap(), patch);
        let direct = CampaignInput::parse_update(&stored, &patch, at(2, 0)).unwrap();
        let updated = &direct.campaign;
        assert_eq!(updated.name, "Renamed");
        assert_eq!(updated.kind, CampaignType::Registration);
        assert!(updated.identifier.is_none() && updated.tour.name.is_none());
        assert!(updated.domain.preview.is_none() && updated.category_id.is_none());
        assert!(!updated.content.contains_key(&Locale::parse("fr").unwrap()));
        let en = &updated.content[&Locale::parse("en-US").unwrap()];
        assert_eq!(en.faqs[&FaqId::parse(FAQ).unwrap()].answer, "Differently.");
        assert_eq!(en.faqs[&FaqId::parse(FAQ).unwrap()].question, "How?");
        assert_eq!(
            en.landing,
            json!({"hero": {"cta": "Go"}}).as_object().cloned().unwrap()
        );
        assert!(en.confirmation.is_empty() && en.terms.is_none());
        assert!(updated.style.border.primary.is_none());
        assert!(updated.contacts.is_empty() && updated.trackers.is_empty());
        assert_eq!(updated.schema.version, None);
        assert_eq!(direct.requested_status, Some(Status::Preview));
        assert!(matches!(direct.password, PasswordChange::Clear));

        let built = CampaignPatch {
            name: Some("Renamed".into()),
            password: Some(None),
            content: Some(Some(BTreeMap::from([(
                Cow::Owned(Locale::parse("fr").unwrap()),
                None,
            )]))),
            ..CampaignPatch::default()
        };
        let patched =
            CampaignInput::parse_update(&stored, &serde_json::to_value(&built).unwrap(), at(2, 0))
                .unwrap();
        assert_eq!(patched.campaign.name, "Renamed");
        assert_eq!(patched.campaign.content.len(), 1);
        assert_eq!(
            serde_json::to_string(&CampaignPatch::default()).unwrap(),
            "{}"
        );
    }

    #[test]
    fn the_examples_are_what_the_reader_takes() {
        let create = schema(NewCampaign::schema())["examples"][0].clone();
        serde_json::from_value::<NewCampaign<'_>>(create.clone()).unwrap();
        let created = CampaignInput::parse_new(&create, id(), at(1, 12)).unwrap();
        assert!(matches!(created.password, PasswordChange::Set(_)));
        let patch = schema(CampaignPatch::schema())["examples"][0].clone();
        serde_json::from_value::<CampaignPatch<'_>>(patch.clone()).unwrap();
        let patched = CampaignInput::parse_update(&created.campaign, &patch, at(2, 0)).unwrap();
        assert!(patched.campaign.domain.preview.is_none());
        assert!(matches!(patched.password, PasswordChange::Clear));
    }

    #[test]
    fn only_what_a_draft_needs_is_required() {
        assert_eq!(
            schema(NewCampaign::schema())["required"],
            json!(["name", "artist", "domain"])
        );
        assert_eq!(schema(NewArtist::schema())["required"], json!(["id"]));
        assert_eq!(schema(NewDomains::schema())["required"], json!(["site"]));
        assert_eq!(
            schema(NewPreference::schema())["required"],
            json!(["id", "type"])
        );
        assert_eq!(
            schema(NewLocaleSetting::schema())["required"],
            json!(["id"])
        );
        for patch in [
            CampaignPatch::schema(),
            ArtistPatch::schema(),
            DomainsPatch::schema(),
            LocaleContentPatch::schema(),
            FaqPatch::schema(),
        ] {
            assert!(schema(patch)["required"].is_null());
        }
        let create = schema(NewCampaign::schema());
        for read_only in ["id", "version", "statusHistory"] {
            assert!(create["properties"].get(read_only).is_none(), "{read_only}");
        }
        let dates = schema(NewCampaignDates::schema());
        for read_only in ["created", "updated", "opened", "closed", "inactivated"] {
            assert!(dates["properties"].get(read_only).is_none(), "{read_only}");
        }
        assert_eq!(
            schema(CampaignPatch::schema())["properties"]["name"]["type"],
            "string"
        );
    }

    /// `body` with the string at `pointer` made `length` characters long.
    fn with_length(body: &Value, pointer: &str, length: usize) -> Value {
        let mut body = body.clone();
        *body.pointer_mut(pointer).unwrap() = Value::String("x".repeat(length));
        body
    }

    #[test]
    fn the_documented_lengths_are_the_readers() {
        let body = full_body();
        let property = |schema_of: RefOr<Schema>, name: &str| -> usize {
            let max = schema(schema_of)["properties"][name]["maxLength"].clone();
            usize::try_from(max.as_u64().unwrap()).unwrap()
        };
        let faq = format!("/content/en-us/faqs/{FAQ}");
        let fields = [
            ("/name".to_owned(), property(NewCampaign::schema(), "name")),
            (
                "/identifier".to_owned(),
                property(NewCampaign::schema(), "identifier"),
            ),
            (
                "/password".to_owned(),
                property(NewCampaign::schema(), "password"),
            ),
            (
                "/artist/name".to_owned(),
                property(NewArtist::schema(), "name"),
            ),
            (
                "/artist/discovery_id".to_owned(),
                property(NewArtist::schema(), "discovery_id"),
            ),
            (
                "/artist/fanclubName".to_owned(),
                property(NewArtist::schema(), "fanclubName"),
            ),
            ("/tour/name".to_owned(), property(NewTour::schema(), "name")),
            (
                "/content/en-us/terms".to_owned(),
                property(NewLocaleContent::schema(), "terms"),
            ),
            (
                format!("{faq}/question"),
                property(Faq::schema(), "question"),
            ),
            (format!("{faq}/answer"), property(Faq::schema(), "answer")),
            (
                "/content/en-us/email/subject".to_owned(),
                property(NewEmailContent::schema(), "subject"),
            ),
            (
                "/content/en-us/email/template".to_owned(),
                property(NewEmailContent::schema(), "template"),
            ),
            (
                "/content/en-us/email/from".to_owned(),
                property(NewEmailContent::schema(), "from"),
            ),
            (
                "/preferences/0/id".to_owned(),
                property(NewPreference::schema(), "id"),
            ),
            (
                "/preferences/0/type".to_owned(),
                property(NewPreference::schema(), "type"),
            ),
            (
                "/trackers/0/type".to_owned(),
                property(Tracker::schema(), "type"),
            ),
            (
                "/trackers/0/id".to_owned(),
                property(Tracker::schema(), "id"),
            ),
        ];
        for (pointer, max) in &fields {
            let longest = with_length(&body, pointer, *max);
            assert!(
                CampaignInput::parse_new(&longest, id(), at(1, 12)).is_ok(),
                "{pointer}: {max} characters are refused"
            );
            let over = with_length(&body, pointer, max + 1);
            assert!(
                CampaignInput::parse_new(&over, id(), at(1, 12)).is_err(),
                "{pointer}: {} characters are taken",
                max + 1
            );
        }
        let create = schema(NewCampaign::schema());
        let mut many = body.clone();
        many["eventIds"] = json!((0..=LIST_MAX).map(|i| format!("e{i}")).collect::<Vec<_>>());
        assert!(CampaignInput::parse_new(&many, id(), at(1, 12)).is_err());
        many["eventIds"] = json!((1..=LIST_MAX).map(|i| format!("e{i}")).collect::<Vec<_>>());
        assert!(CampaignInput::parse_new(&many, id(), at(1, 12)).is_ok());
        assert_eq!(create["properties"]["eventIds"]["maxItems"], LIST_MAX);
        assert_eq!(create["properties"]["password"]["minLength"], 1);
        let mut empty = body;
        empty["password"] = json!("");
        assert!(CampaignInput::parse_new(&empty, id(), at(1, 12)).is_err());
    }
}
