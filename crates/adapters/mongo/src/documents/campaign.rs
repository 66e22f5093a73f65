//! The `campaigns` document: the campaign's wire shape with its instants (`date`,
//! `statusHistory`) as BSON dates, `passwordHash` (the Argon2 hash, which the wire never
//! carries), `version`, and the adapter's `_statusRank` (the status in lifecycle order, for
//! sorting) and `_hosts` (every host it answers on, under one unique index; absent when none).
//! Pending outbox events (`_outbox`) are written beside it (see `writes`) and ignored on read.

use std::collections::BTreeMap;

use bson::oid::ObjectId;
use bson::serde_helpers::{
    chrono_datetime_as_bson_datetime as bson_date,
    chrono_datetime_as_bson_datetime_optional as bson_date_option,
};
use campaign_domain::Campaign;
use campaign_domain::campaign::{
    Artist, CampaignDates, CampaignOptions, CampaignType, Domains, FaqPlacement, Images,
    LocaleContent, LocaleSetting, PasswordHash, Preference, SchemaInfo, Share, Style, Tour,
    Tracker,
};
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::status::{ChangedBy, Status, StatusChange};
use campaign_domain::values::{
    CampaignId, CategoryId, ContactId, DomainName, EventId, Locale, TimeZone,
};
use serde::{Deserialize, Serialize};

use super::{InvalidDocument, bson_dates, object_id, resource_id, stored_version, version_of};

/// The field listing every host a campaign holds (indexed unique, sparse).
pub(crate) const HOSTS_FIELD: &str = "_hosts";
/// The field holding the status as a number in lifecycle order.
pub(crate) const STATUS_RANK_FIELD: &str = "_statusRank";

/// The top-level fields a campaign document leaves out when they are empty: an update whose
/// new document lacks one unsets it (`writes::replacement`), so nothing of the old value
/// stays. Nested values (`domain`, `date`, ...) are set whole and need no entry here. A unit
/// test derives this list from the type, so a new optional field cannot be forgotten.
pub(crate) const OPTIONAL_FIELDS: &[&str] = &[
    "identifier",
    "referenceTimezone",
    "categoryId",
    "passwordHash",
    HOSTS_FIELD,
];

/// A status as a number in lifecycle order.
pub(crate) fn status_rank(status: Status) -> i32 {
    match status {
        Status::Draft => 0,
        Status::Preview => 1,
        Status::Open => 2,
        Status::Closed => 3,
        Status::Inactive => 4,
    }
}

/// A stored campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CampaignDocument {
    #[serde(rename = "_id")]
    id: ObjectId,
    #[serde(rename = "type")]
    kind: CampaignType,
    status: Status,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    identifier: Option<String>,
    artist: Artist,
    #[serde(default)]
    domain: Domains,
    #[serde(default)]
    tour: Tour,
    #[serde(default)]
    options: CampaignOptions,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reference_timezone: Option<TimeZone>,
    date: CampaignDatesDocument,
    #[serde(default)]
    style: Style,
    #[serde(default)]
    image: Images,
    #[serde(default)]
    share: Share,
    #[serde(default)]
    content: BTreeMap<Locale, LocaleContent>,
    #[serde(default)]
    faqs: FaqPlacement,
    #[serde(default)]
    preferences: Vec<Preference>,
    #[serde(default)]
    locales: Vec<LocaleSetting>,
    #[serde(default)]
    contacts: Vec<ContactId>,
    #[serde(default)]
    event_ids: Vec<EventId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    category_id: Option<CategoryId>,
    #[serde(default)]
    linked_campaign_ids: Vec<CampaignId>,
    /// The access password's hash (PHC string), when one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    password_hash: Option<String>,
    #[serde(default)]
    trackers: Vec<Tracker>,
    #[serde(default)]
    schema: SchemaInfo,
    #[serde(default)]
    status_history: Vec<StatusChangeDocument>,
    version: i64,
    #[serde(rename = "_statusRank")]
    status_rank: i32,
    #[serde(rename = "_hosts", default, skip_serializing_if = "Vec::is_empty")]
    hosts: Vec<DomainName>,
}

/// A campaign's `date`: schedule and bookkeeping instants as BSON dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CampaignDatesDocument {
    #[serde(with = "bson_date")]
    created: DateTime<Utc>,
    #[serde(with = "bson_date")]
    updated: DateTime<Utc>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "bson_date_option"
    )]
    open: Option<DateTime<Utc>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "bson_date_option"
    )]
    opened: Option<DateTime<Utc>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "bson_date_option"
    )]
    close: Option<DateTime<Utc>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "bson_date_option"
    )]
    closed: Option<DateTime<Utc>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "bson_date_option"
    )]
    inactivated: Option<DateTime<Utc>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "bson_date_option"
    )]
    presale_window_start: Option<DateTime<Utc>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "bson_date_option"
    )]
    presale_window_end: Option<DateTime<Utc>>,
    #[serde(default, with = "bson_dates")]
    send_reminder_emails: Vec<DateTime<Utc>>,
}

/// One `statusHistory` entry, its instant a BSON date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct StatusChangeDocument {
    status: Status,
    #[serde(with = "bson_date")]
    date: DateTime<Utc>,
    by: ChangedBy,
}

impl CampaignDocument {
    /// This document with `version` instead of the campaign's own (a write stores the next
    /// version).
    pub(crate) fn at_version(mut self, version: u64) -> Self {
        self.version = stored_version(version);
        self
    }
}

impl From<&Campaign> for CampaignDocument {
    fn from(campaign: &Campaign) -> Self {
        // Every field named, so a field added to `Campaign` cannot be forgotten here.
        let Campaign {
            id,
            kind,
            status,
            name,
            identifier,
            artist,
            domain,
            tour,
            options,
            reference_timezone,
            date,
            style,
            image,
            share,
            content,
            faqs,
            preferences,
            locales,
            contacts,
            event_ids,
            category_id,
            linked_campaign_ids,
            password,
            trackers,
            schema,
            status_history,
            version,
        } = campaign;
        Self {
            id: object_id(id),
            kind: *kind,
            status: *status,
            name: name.clone(),
            identifier: identifier.clone(),
            artist: artist.clone(),
            hosts: domain.hosts().into_iter().cloned().collect(),
            domain: domain.clone(),
            tour: tour.clone(),
            options: *options,
            reference_timezone: reference_timezone.clone(),
            date: CampaignDatesDocument::from(date),
            style: style.clone(),
            image: image.clone(),
            share: share.clone(),
            content: content.clone(),
            faqs: faqs.clone(),
            preferences: preferences.clone(),
            locales: locales.clone(),
            contacts: contacts.clone(),
            event_ids: event_ids.clone(),
            category_id: category_id.clone(),
            linked_campaign_ids: linked_campaign_ids.clone(),
            password_hash: password.as_ref().map(|hash| hash.as_str().to_owned()),
            trackers: trackers.clone(),
            schema: *schema,
            status_history: status_history
                .iter()
                .map(StatusChangeDocument::from)
                .collect(),
            version: stored_version(*version),
            status_rank: status_rank(*status),
        }
    }
}

impl TryFrom<CampaignDocument> for Campaign {
    type Error = InvalidDocument;

    fn try_from(doc: CampaignDocument) -> Result<Self, Self::Error> {
        Ok(Self {
            id: resource_id(doc.id, CampaignId::parse)?,
            kind: doc.kind,
            status: doc.status,
            name: doc.name,
            identifier: doc.identifier,
            artist: doc.artist,
            domain: doc.domain,
            tour: doc.tour,
            options: doc.options,
            reference_timezone: doc.reference_timezone,
            date: doc.date.into(),
            style: doc.style,
            image: doc.image,
            share: doc.share,
            content: doc.content,
            faqs: doc.faqs,
            preferences: doc.preferences,
            locales: doc.locales,
            contacts: doc.contacts,
            event_ids: doc.event_ids,
            category_id: doc.category_id,
            linked_campaign_ids: doc.linked_campaign_ids,
            password: doc.password_hash.map(PasswordHash::from_hash),
            trackers: doc.trackers,
            schema: doc.schema,
            status_history: doc
                .status_history
                .into_iter()
                .map(StatusChange::from)
                .collect(),
            version: version_of(doc.version)?,
        })
    }
}

impl From<&CampaignDates> for CampaignDatesDocument {
    fn from(dates: &CampaignDates) -> Self {
        let CampaignDates {
            created,
            updated,
            open,
            opened,
            close,
            closed,
            inactivated,
            presale_window_start,
            presale_window_end,
            send_reminder_emails,
        } = dates;
        Self {
            created: *created,
            updated: *updated,
            open: *open,
            opened: *opened,
            close: *close,
            closed: *closed,
            inactivated: *inactivated,
            presale_window_start: *presale_window_start,
            presale_window_end: *presale_window_end,
            send_reminder_emails: send_reminder_emails.clone(),
        }
    }
}

impl From<CampaignDatesDocument> for CampaignDates {
    fn from(doc: CampaignDatesDocument) -> Self {
        Self {
            created: doc.created,
            updated: doc.updated,
            open: doc.open,
            opened: doc.opened,
            close: doc.close,
            closed: doc.closed,
            inactivated: doc.inactivated,
            presale_window_start: doc.presale_window_start,
            presale_window_end: doc.presale_window_end,
            send_reminder_emails: doc.send_reminder_emails,
        }
    }
}

impl From<&StatusChange> for StatusChangeDocument {
    fn from(change: &StatusChange) -> Self {
        Self {
            status: change.status,
            date: change.date,
            by: change.by.clone(),
        }
    }
}

impl From<StatusChangeDocument> for StatusChange {
    fn from(doc: StatusChangeDocument) -> Self {
        Self {
            status: doc.status,
            date: doc.date,
            by: doc.by,
        }
    }
}
