//! The `promoters` document: the promoter's wire shape with `date` as BSON dates, and
//! `version`.

use bson::oid::ObjectId;
use bson::serde_helpers::chrono_datetime_as_bson_datetime as bson_date;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::promoter::{PrivacyUrl, Promoter, PromoterDates};
use campaign_domain::values::PromoterId;
use serde::{Deserialize, Serialize};

use super::{InvalidDocument, object_id, resource_id, stored_version, version_of};

/// A stored promoter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PromoterDocument {
    #[serde(rename = "_id")]
    id: ObjectId,
    name: String,
    privacy_urls: Vec<PrivacyUrl>,
    date: PromoterDatesDocument,
    version: i64,
}

/// A promoter's `date`, as BSON dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct PromoterDatesDocument {
    #[serde(with = "bson_date")]
    created: DateTime<Utc>,
    #[serde(with = "bson_date")]
    updated: DateTime<Utc>,
}

impl PromoterDocument {
    /// This document with `version` instead of the promoter's own (a write stores the next
    /// version).
    pub(crate) fn at_version(mut self, version: u64) -> Self {
        self.version = stored_version(version);
        self
    }
}

impl From<&Promoter> for PromoterDocument {
    fn from(promoter: &Promoter) -> Self {
        let Promoter {
            id,
            name,
            privacy_urls,
            date,
            version,
        } = promoter;
        Self {
            id: object_id(id),
            name: name.clone(),
            privacy_urls: privacy_urls.clone(),
            date: PromoterDatesDocument {
                created: date.created,
                updated: date.updated,
            },
            version: stored_version(*version),
        }
    }
}

impl TryFrom<PromoterDocument> for Promoter {
    type Error = InvalidDocument;

    fn try_from(doc: PromoterDocument) -> Result<Self, Self::Error> {
        Ok(Self {
            id: resource_id(doc.id, PromoterId::parse)?,
            name: doc.name,
            privacy_urls: doc.privacy_urls,
            date: PromoterDates {
                created: doc.date.created,
                updated: doc.date.updated,
            },
            version: version_of(doc.version)?,
        })
    }
}
