//! The campaign entity (SPEC §7.1) and its parts, in their wire shape.
//!
//! A [`Campaign`] always holds well-formed values (its fields are value types); whether it is
//! *complete* enough to leave DRAFT is a separate check ([`Campaign::check_complete`]).
//! Client documents come in through [`CampaignInput::parse_new`] and
//! [`CampaignInput::parse_update`], which report every failing field; stored documents
//! round-trip through serde.

mod parse;
mod password;
mod rules;
mod view;

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::reader::wire_time;
use crate::status::{Status, StatusChange};
use crate::values::{
    ArtistId, CampaignId, CategoryId, ContactId, CssColor, DomainName, EventId, FaqId, HttpUrl,
    Locale, TimeZone,
};

pub use parse::{
    CampaignInput, PasswordChange, READ_ONLY_FIELDS, merge_patch, parse_faqs, parse_terms,
};
pub use password::Password;
pub use view::{
    ConfirmationFaqs, FaqEntry, FaqLayout, LandingFaqs, LocaleSelection, PublicCampaign,
    PublicDates, PublicOptions,
};

/// A presale campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Campaign {
    /// Id, set by the service.
    pub id: CampaignId,
    /// `registration` or `fanlist`.
    #[serde(rename = "type")]
    pub kind: CampaignType,
    /// Lifecycle status; changed only through transitions.
    pub status: Status,
    /// Display name.
    pub name: String,
    /// Short identifier used by the fan site (required outside DRAFT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// The artist the campaign is for.
    pub artist: Artist,
    /// The site and preview domains.
    #[serde(default)]
    pub domain: Domains,
    /// The tour.
    #[serde(default)]
    pub tour: Tour,
    /// Feature switches.
    #[serde(default)]
    pub options: CampaignOptions,
    /// IANA zone the campaign's local times refer to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_timezone: Option<TimeZone>,
    /// Schedule and bookkeeping dates.
    pub date: CampaignDates,
    /// Branding colours.
    #[serde(default)]
    pub style: Style,
    /// Branding images.
    #[serde(default)]
    pub image: Images,
    /// Social links.
    #[serde(default)]
    pub share: Share,
    /// Localised content, by locale.
    #[serde(default)]
    pub content: BTreeMap<Locale, LocaleContent>,
    /// Which FAQ ids show on which page state.
    #[serde(default)]
    pub faqs: FaqPlacement,
    /// Registration form preferences.
    #[serde(default)]
    pub preferences: Vec<Preference>,
    /// The campaign's locales; exactly one is the default.
    #[serde(default)]
    pub locales: Vec<LocaleSetting>,
    /// Ids of the campaign's contacts.
    #[serde(default)]
    pub contacts: Vec<ContactId>,
    /// Ticketing events the campaign covers directly (besides its markets').
    #[serde(default)]
    pub event_ids: Vec<EventId>,
    /// Ticketing category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<CategoryId>,
    /// Campaigns that share artist, tour and presale window with this one.
    #[serde(default)]
    pub linked_campaign_ids: Vec<CampaignId>,
    /// Hash of the access password; never serialised.
    #[serde(skip)]
    pub password: Option<PasswordHash>,
    /// Analytics trackers of the fan site.
    #[serde(default)]
    pub trackers: Vec<Tracker>,
    /// Document schema information.
    #[serde(default)]
    pub schema: SchemaInfo,
    /// Every status change, oldest first.
    #[serde(default)]
    pub status_history: Vec<StatusChange>,
    /// Incremented by the store on every write.
    pub version: u64,
}

/// Kind of campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CampaignType {
    /// Fans register for a presale code.
    #[default]
    Registration,
    /// Fans join a list.
    Fanlist,
}

impl CampaignType {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registration => "registration",
            Self::Fanlist => "fanlist",
        }
    }

    /// Parses the wire name.
    pub fn parse(raw: &str) -> Result<Self, crate::values::InvalidValue> {
        match raw {
            "registration" => Ok(Self::Registration),
            "fanlist" => Ok(Self::Fanlist),
            _ => Err(crate::values::InvalidValue::new(
                "type must be registration or fanlist",
            )),
        }
    }
}

/// The artist of a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artist {
    /// Ticketing platform artist id.
    pub id: ArtistId,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Discovery API attraction id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_id: Option<String>,
    /// Artist image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<HttpUrl>,
    /// Artist detail page.
    #[serde(default, rename = "adpUrl", skip_serializing_if = "Option::is_none")]
    pub adp_url: Option<HttpUrl>,
    /// Name of the artist's fan club.
    #[serde(
        default,
        rename = "fanclubName",
        skip_serializing_if = "Option::is_none"
    )]
    pub fanclub_name: Option<String>,
}

/// The campaign's domains.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domains {
    /// The public site; unique among campaigns that hold one; cleared on INACTIVE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<DomainName>,
    /// The preview site; cleared when the campaign opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<DomainName>,
}

impl Domains {
    /// Every host the campaign answers on, each once: the site, then the preview when it is
    /// another host. No two campaigns may share any of them (SPEC §7.4).
    ///
    /// ```
    /// use campaign_domain::campaign::Domains;
    /// use campaign_domain::values::DomainName;
    ///
    /// let host = DomainName::parse("fans.example.com").unwrap();
    /// let both = Domains { site: Some(host.clone()), preview: Some(host.clone()) };
    /// assert_eq!(both.hosts(), [&host]);
    /// ```
    pub fn hosts(&self) -> Vec<&DomainName> {
        let mut hosts: Vec<&DomainName> = self.site.iter().collect();
        if let Some(preview) = &self.preview
            && self.site.as_ref() != Some(preview)
        {
            hosts.push(preview);
        }
        hosts
    }
}

/// The tour.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tour {
    /// Tour name (required outside DRAFT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Feature switches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CampaignDates {
    /// When the campaign was created (read-only).
    #[serde(with = "wire_time")]
    pub created: DateTime<Utc>,
    /// When it was last written (read-only).
    #[serde(with = "wire_time")]
    pub updated: DateTime<Utc>,
    /// When the refresh job should open it; cleared when it opens.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub open: Option<DateTime<Utc>>,
    /// When it opened (read-only).
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub opened: Option<DateTime<Utc>>,
    /// When the refresh job should close it; cleared when it closes.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub close: Option<DateTime<Utc>>,
    /// When it closed (read-only).
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub closed: Option<DateTime<Utc>>,
    /// When it became INACTIVE (read-only).
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub inactivated: Option<DateTime<Utc>>,
    /// Start of the presale window.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub presale_window_start: Option<DateTime<Utc>>,
    /// End of the presale window.
    #[serde(
        default,
        with = "wire_time::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub presale_window_end: Option<DateTime<Utc>>,
    /// When reminder e-mails go out.
    #[serde(default, with = "wire_time::vec")]
    pub send_reminder_emails: Vec<DateTime<Utc>>,
}

impl CampaignDates {
    /// Dates of a new campaign created at `now` (kept to the millisecond): created and updated
    /// set, nothing scheduled.
    pub fn new(now: DateTime<Utc>) -> Self {
        let now = crate::reader::wire_precision(now);
        Self {
            created: now,
            updated: now,
            open: None,
            opened: None,
            close: None,
            closed: None,
            inactivated: None,
            presale_window_start: None,
            presale_window_end: None,
            send_reminder_emails: Vec::new(),
        }
    }
}

/// A colour slot with only a primary colour.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryColor {
    /// The colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<CssColor>,
}

/// Theme colours: the primary and its mixes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThemeColors {
    /// Primary theme colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<CssColor>,
    /// 70 % mix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mix70: Option<CssColor>,
    /// 40 % mix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mix40: Option<CssColor>,
    /// 20 % mix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mix20: Option<CssColor>,
}

/// Text colours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextColors {
    /// Main text colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<CssColor>,
    /// Secondary text colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary: Option<CssColor>,
}

/// Branding colours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Style {
    /// Theme colours.
    #[serde(default)]
    pub theme: ThemeColors,
    /// Border colour.
    #[serde(default)]
    pub border: PrimaryColor,
    /// Page background colour.
    #[serde(default)]
    pub page_background: PrimaryColor,
    /// Text colours.
    #[serde(default)]
    pub text: TextColors,
}

/// A link to an image or a page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<HttpUrl>,
}

/// Branding images.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Images {
    /// Main image (required outside DRAFT).
    #[serde(default)]
    pub main: Link,
    /// Mobile image.
    #[serde(default)]
    pub mobile: Link,
    /// Secondary image.
    #[serde(default)]
    pub secondary: Link,
}

/// Social links.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    /// X (Twitter) link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<HttpUrl>,
    /// Instagram link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instagram: Option<HttpUrl>,
    /// Facebook link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facebook: Option<HttpUrl>,
    /// YouTube link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub youtube: Option<HttpUrl>,
    /// TikTok link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiktok: Option<HttpUrl>,
    /// The artist's own page.
    #[serde(default)]
    pub artist: Link,
}

/// One FAQ entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Faq {
    /// The question.
    pub question: String,
    /// The answer.
    pub answer: String,
}

/// Sender and template of a locale's e-mails.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailContent {
    /// Subject line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Template name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// The content of one locale.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LocaleContent {
    /// FAQ entries by id.
    #[serde(default)]
    pub faqs: BTreeMap<FaqId, Faq>,
    /// Terms and conditions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms: Option<String>,
    /// Landing page copy (free-form, owned by the fan site).
    #[serde(default)]
    pub landing: Map<String, Value>,
    /// Confirmation page copy (free-form, owned by the fan site).
    #[serde(default)]
    pub confirmation: Map<String, Value>,
    /// E-mail settings.
    #[serde(default)]
    pub email: EmailContent,
}

/// FAQ ids on the landing page, by campaign state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LandingPlacement {
    /// While OPEN.
    #[serde(default)]
    pub open: Vec<FaqId>,
    /// While CLOSED.
    #[serde(default)]
    pub closed: Vec<FaqId>,
}

/// FAQ ids on the confirmation page, by campaign state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmationPlacement {
    /// While OPEN.
    #[serde(default)]
    pub open: Vec<FaqId>,
    /// While CLOSED.
    #[serde(default)]
    pub closed: Vec<FaqId>,
    /// During a presale.
    #[serde(default)]
    pub active_presale: Vec<FaqId>,
}

/// Which FAQ ids show where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaqPlacement {
    /// Landing page.
    #[serde(default)]
    pub landing: LandingPlacement,
    /// Confirmation page.
    #[serde(default)]
    pub confirmation: ConfirmationPlacement,
}

impl FaqPlacement {
    /// Every placed FAQ id with the path of the list it sits in.
    pub fn placed(&self) -> impl Iterator<Item = (&'static str, usize, &FaqId)> {
        let lists: [(&'static str, &Vec<FaqId>); 5] = [
            ("faqs.landing.open", &self.landing.open),
            ("faqs.landing.closed", &self.landing.closed),
            ("faqs.confirmation.open", &self.confirmation.open),
            ("faqs.confirmation.closed", &self.confirmation.closed),
            (
                "faqs.confirmation.activePresale",
                &self.confirmation.active_presale,
            ),
        ];
        lists
            .into_iter()
            .flat_map(|(path, ids)| ids.iter().enumerate().map(move |(i, id)| (path, i, id)))
    }
}

/// Extra settings of a preference.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PreferenceExtras {
    /// The value the form starts with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_value: Option<Value>,
}

/// A registration form preference (a checkbox, an opt-in, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preference {
    /// Id, unique within the campaign.
    pub id: String,
    /// Kind of input.
    #[serde(rename = "type")]
    pub kind: String,
    /// Whether fans may leave it unset.
    #[serde(default)]
    pub is_optional: bool,
    /// Extra settings.
    #[serde(default)]
    pub additional: PreferenceExtras,
    /// Label by locale.
    #[serde(default)]
    pub label: BTreeMap<Locale, String>,
}

/// One of the campaign's locales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocaleSetting {
    /// The locale.
    pub id: Locale,
    /// Whether it is the default (exactly one is).
    #[serde(default)]
    pub is_default: bool,
}

/// An analytics tracker of the fan site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tracker {
    /// Tracker kind (`ga`, `pixel`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// Tracker id.
    pub id: String,
}

/// Document schema information.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaInfo {
    /// Schema version of the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
}

/// The stored hash of a campaign's access password. Produced and checked by the application
/// (hashing is not the domain's business); never serialised and never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps an already computed hash (PHC string or similar).
    pub fn from_hash(hash: impl Into<String>) -> Self {
        Self(hash.into())
    }

    /// The hash text, for the store and for verification.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

impl Campaign {
    /// Whether the fields linked campaigns share (artist, tour, presale window) differ between
    /// this campaign and `other`.
    pub fn shared_fields_differ(&self, other: &Self) -> bool {
        self.artist != other.artist
            || self.tour != other.tour
            || self.date.presale_window_start != other.date.presale_window_start
            || self.date.presale_window_end != other.date.presale_window_end
    }

    /// This campaign with the shared fields (artist, tour, presale window) of `source`, changed
    /// at `now` when they differ; `None` when it has them already.
    pub fn taking_shared_fields(&self, source: &Self, now: DateTime<Utc>) -> Option<Self> {
        if !self.shared_fields_differ(source) {
            return None;
        }
        let mut next = self.clone();
        next.artist = source.artist.clone();
        next.tour = source.tour.clone();
        next.date.presale_window_start = source.date.presale_window_start;
        next.date.presale_window_end = source.date.presale_window_end;
        next.date.updated = now;
        Some(next)
    }

    /// The default locale, if the campaign has one.
    pub fn default_locale(&self) -> Option<&Locale> {
        self.locales.iter().find(|l| l.is_default).map(|l| &l.id)
    }

    /// Whether `locale` is one of the campaign's locales.
    pub fn has_locale(&self, locale: &Locale) -> bool {
        self.locales.iter().any(|l| &l.id == locale)
    }

    /// Whether `domain` is this campaign's site, or its preview domain while in PREVIEW.
    pub fn answers_to(&self, domain: &DomainName) -> bool {
        self.domain.site.as_ref() == Some(domain)
            || (self.status == Status::Preview && self.domain.preview.as_ref() == Some(domain))
    }

    /// The CDN surrogate keys of this campaign: its id and its domains.
    pub fn surrogate_keys(&self) -> Vec<String> {
        let mut keys = vec![self.id.to_string()];
        keys.extend(self.domain.site.iter().map(ToString::to_string));
        keys.extend(self.domain.preview.iter().map(ToString::to_string));
        keys
    }
}
