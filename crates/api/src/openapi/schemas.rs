//! Schemas of the OpenAPI document: the wire shapes of SPEC §4 and §7 as documentation types.
//! The domain crate stays free of documentation tooling, so its wire shapes are described here;
//! a test in this module checks that every field a real campaign serialises is documented.

#![allow(
    dead_code,
    reason = "documentation types: read by the OpenAPI derive, never built"
)]

use std::collections::BTreeMap;

use campaign_domain::serde_json::Value;
use serde::Serialize;
use utoipa::ToSchema;

/// The envelopes and the error body are the very types the service serialises.
pub(crate) use campaign_http_types::{ErrorEnvelope, Meta};

/// Artist of a campaign.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ArtistDoc {
    /// Ticketing artist id (required).
    id: String,
    name: Option<String>,
    #[serde(rename = "discovery_id")]
    discovery_id: Option<String>,
    /// Absolute http(s) URL.
    #[serde(rename = "image_url")]
    image_url: Option<String>,
    /// Absolute http(s) URL.
    adp_url: Option<String>,
    fanclub_name: Option<String>,
}

/// Domains of a campaign.
#[derive(Serialize, ToSchema)]
pub(crate) struct DomainsDoc {
    /// Site host name, unique among campaigns that hold one (required but for INACTIVE).
    site: Option<String>,
    /// Preview host name.
    preview: Option<String>,
}

/// A name-only object (`tour`).
#[derive(Serialize, ToSchema)]
pub(crate) struct TourDoc {
    name: Option<String>,
}

/// Feature switches.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OptionsDoc {
    use_generic_branding: Option<bool>,
    show_access_code: Option<bool>,
    automated_reminders: Option<bool>,
}

/// Dates; `created`, `updated`, `opened`, `closed`, `inactivated` are set by the service.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DatesDoc {
    #[schema(read_only, format = DateTime)]
    created: Option<String>,
    #[schema(read_only, format = DateTime)]
    updated: Option<String>,
    #[schema(format = DateTime)]
    open: Option<String>,
    #[schema(read_only, format = DateTime)]
    opened: Option<String>,
    #[schema(format = DateTime)]
    close: Option<String>,
    #[schema(read_only, format = DateTime)]
    closed: Option<String>,
    #[schema(read_only, format = DateTime)]
    inactivated: Option<String>,
    #[schema(format = DateTime)]
    presale_window_start: Option<String>,
    #[schema(format = DateTime)]
    presale_window_end: Option<String>,
    send_reminder_emails: Option<Vec<String>>,
}

/// A colour slot (CSS colour: `#rgb`, `#rrggbb`, `rgb()`, `hsl()`...).
#[derive(Serialize, ToSchema)]
pub(crate) struct ColorDoc {
    primary: Option<String>,
}

/// Theme colours.
#[derive(Serialize, ToSchema)]
pub(crate) struct ThemeDoc {
    primary: Option<String>,
    mix70: Option<String>,
    mix40: Option<String>,
    mix20: Option<String>,
}

/// Text colours.
#[derive(Serialize, ToSchema)]
pub(crate) struct TextColorsDoc {
    primary: Option<String>,
    secondary: Option<String>,
}

/// Branding colours.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StyleDoc {
    theme: Option<ThemeDoc>,
    border: Option<ColorDoc>,
    page_background: Option<ColorDoc>,
    text: Option<TextColorsDoc>,
}

/// A link (absolute http(s) URL).
#[derive(Serialize, ToSchema)]
pub(crate) struct LinkDoc {
    url: Option<String>,
}

/// Images.
#[derive(Serialize, ToSchema)]
pub(crate) struct ImagesDoc {
    main: Option<LinkDoc>,
    mobile: Option<LinkDoc>,
    secondary: Option<LinkDoc>,
}

/// Social links (absolute http(s) URLs).
#[derive(Serialize, ToSchema)]
pub(crate) struct ShareDoc {
    x: Option<String>,
    instagram: Option<String>,
    facebook: Option<String>,
    youtube: Option<String>,
    tiktok: Option<String>,
    artist: Option<LinkDoc>,
}

/// A FAQ entry.
#[derive(Serialize, ToSchema)]
pub(crate) struct FaqDoc {
    question: String,
    answer: String,
}

/// E-mail settings of a locale.
#[derive(Serialize, ToSchema)]
pub(crate) struct EmailDoc {
    subject: Option<String>,
    template: Option<String>,
    from: Option<String>,
}

/// Content of one locale.
#[derive(Serialize, ToSchema)]
pub(crate) struct LocaleContentDoc {
    /// FAQ entries keyed by UUID.
    faqs: Option<BTreeMap<String, FaqDoc>>,
    terms: Option<String>,
    /// Free-form landing copy.
    #[schema(value_type = Option<Object>)]
    landing: Option<Value>,
    /// Free-form confirmation copy.
    #[schema(value_type = Option<Object>)]
    confirmation: Option<Value>,
    email: Option<EmailDoc>,
}

/// FAQ ids on the landing page.
#[derive(Serialize, ToSchema)]
pub(crate) struct LandingPlacementDoc {
    open: Option<Vec<String>>,
    closed: Option<Vec<String>>,
}

/// FAQ ids on the confirmation page.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConfirmationPlacementDoc {
    open: Option<Vec<String>>,
    closed: Option<Vec<String>>,
    active_presale: Option<Vec<String>>,
}

/// Which FAQ ids show where.
#[derive(Serialize, ToSchema)]
pub(crate) struct FaqPlacementDoc {
    landing: Option<LandingPlacementDoc>,
    confirmation: Option<ConfirmationPlacementDoc>,
}

/// A registration form preference.
#[derive(Serialize, ToSchema)]
pub(crate) struct PreferenceDoc {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "is_optional")]
    is_optional: Option<bool>,
    #[schema(value_type = Option<Object>)]
    additional: Option<Value>,
    /// Label by locale.
    label: Option<BTreeMap<String, String>>,
}

/// One of the campaign's locales (`xx` or `xx-XX`); exactly one is the default.
#[derive(Serialize, ToSchema)]
pub(crate) struct LocaleDoc {
    id: String,
    #[serde(rename = "is_default")]
    is_default: Option<bool>,
}

/// An analytics tracker.
#[derive(Serialize, ToSchema)]
pub(crate) struct TrackerDoc {
    #[serde(rename = "type")]
    kind: String,
    id: String,
}

/// Schema information.
#[derive(Serialize, ToSchema)]
pub(crate) struct SchemaInfoDoc {
    version: Option<u64>,
}

/// Campaign status.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub(crate) enum StatusDoc {
    Draft,
    Preview,
    Open,
    Closed,
    Inactive,
}

/// A status history entry.
#[derive(Serialize, ToSchema)]
pub(crate) struct StatusChangeDoc {
    status: StatusDoc,
    #[schema(format = DateTime)]
    date: String,
    /// User id, or `system`.
    by: String,
}

/// A campaign (SPEC §7.1). In requests every field is optional (updates are JSON merge
/// patches); a create needs `name`, `artist.id` and `domain.site`, and the full campaign when it
/// asks for PREVIEW. Read-only fields sent by a client are ignored.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CampaignDoc {
    /// 24 hexadecimal characters.
    #[schema(read_only)]
    id: Option<String>,
    /// `registration` (default) or `fanlist`.
    #[serde(rename = "type")]
    kind: Option<String>,
    /// Manual changes follow SPEC §7.2.
    status: Option<StatusDoc>,
    name: Option<String>,
    identifier: Option<String>,
    artist: Option<ArtistDoc>,
    domain: Option<DomainsDoc>,
    tour: Option<TourDoc>,
    options: Option<OptionsDoc>,
    /// IANA time zone name.
    reference_timezone: Option<String>,
    date: Option<DatesDoc>,
    style: Option<StyleDoc>,
    image: Option<ImagesDoc>,
    share: Option<ShareDoc>,
    /// Content by locale.
    content: Option<BTreeMap<String, LocaleContentDoc>>,
    faqs: Option<FaqPlacementDoc>,
    preferences: Option<Vec<PreferenceDoc>>,
    locales: Option<Vec<LocaleDoc>>,
    /// Contact ids.
    contacts: Option<Vec<String>>,
    event_ids: Option<Vec<String>>,
    category_id: Option<String>,
    linked_campaign_ids: Option<Vec<String>>,
    /// Access password; stored hashed, never returned; `null` removes it.
    #[schema(write_only)]
    password: Option<String>,
    trackers: Option<Vec<TrackerDoc>>,
    schema: Option<SchemaInfoDoc>,
    #[schema(read_only)]
    status_history: Option<Vec<StatusChangeDoc>>,
    /// Incremented on every write; also the `ETag`.
    #[schema(read_only)]
    version: Option<u64>,
}

/// Page information.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PaginationDoc {
    page: u32,
    page_size: u32,
    total: u64,
}

/// `data` of `GET /campaigns/list`.
#[derive(Serialize, ToSchema)]
pub(crate) struct CampaignListDoc {
    campaigns: Vec<CampaignDoc>,
    pagination: PaginationDoc,
}

/// `{id, status}`.
#[derive(Serialize, ToSchema)]
pub(crate) struct IdStatusDoc {
    id: String,
    status: StatusDoc,
}

/// `{id, status, statusHistory}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StatusHistoryDoc {
    id: String,
    status: StatusDoc,
    status_history: Vec<StatusChangeDoc>,
}

/// Counts of a refresh run.
#[derive(Serialize, ToSchema)]
pub(crate) struct RefreshDoc {
    opened: u64,
    closed: u64,
    inactivated: u64,
    skipped: u64,
}

/// A resolved FAQ entry.
#[derive(Serialize, ToSchema)]
pub(crate) struct FaqEntryDoc {
    id: String,
    question: String,
    answer: String,
}

/// Resolved landing-page FAQs.
#[derive(Serialize, ToSchema)]
pub(crate) struct LandingFaqsDoc {
    open: Vec<FaqEntryDoc>,
    closed: Vec<FaqEntryDoc>,
}

/// Resolved confirmation-page FAQs.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConfirmationFaqsDoc {
    open: Vec<FaqEntryDoc>,
    closed: Vec<FaqEntryDoc>,
    active_presale: Vec<FaqEntryDoc>,
}

/// The FAQ layout of a locale.
#[derive(Serialize, ToSchema)]
pub(crate) struct FaqLayoutDoc {
    landing: LandingFaqsDoc,
    confirmation: ConfirmationFaqsDoc,
}

/// `{terms}`.
#[derive(Serialize, ToSchema)]
pub(crate) struct TermsDoc {
    terms: Option<String>,
}

/// A contact.
#[derive(Serialize, ToSchema)]
pub(crate) struct ContactDoc {
    /// 24 hexadecimal characters; omit to create a new contact.
    id: Option<String>,
    name: String,
    email: String,
    role: Option<String>,
    keywords: Option<Vec<String>>,
}

/// Defines `<Name>` as `{"data": <Data>, "meta": Meta}`.
macro_rules! envelope {
    ($name:ident, $data:ty) => {
        /// The success envelope.
        #[derive(Serialize, ToSchema)]
        pub(crate) struct $name {
            data: $data,
            meta: Meta<'static>,
        }
    };
}

envelope!(CampaignEnvelope, CampaignDoc);
envelope!(CampaignListEnvelope, CampaignListDoc);
envelope!(IdStatusEnvelope, IdStatusDoc);
envelope!(StatusHistoryEnvelope, StatusHistoryDoc);
envelope!(RefreshEnvelope, RefreshDoc);
envelope!(FaqLayoutEnvelope, FaqLayoutDoc);
envelope!(FaqMapEnvelope, BTreeMap<String, FaqDoc>);
envelope!(TermsEnvelope, TermsDoc);
envelope!(ContactsEnvelope, Vec<ContactDoc>);

/// `{eventIds}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EventIdsDoc {
    event_ids: Vec<String>,
}

/// `{campaignIds}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CampaignIdsDoc {
    campaign_ids: Vec<String>,
}

/// `{categoryIds}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CategoryIdsDoc {
    category_ids: Vec<String>,
}

envelope!(EventIdsEnvelope, EventIdsDoc);
envelope!(CampaignIdsEnvelope, CampaignIdsDoc);
envelope!(CategoryIdsEnvelope, CategoryIdsDoc);
