//! Promoters (SPEC §7.8): who runs a market's shows, with their privacy policy links.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::ValidationErrors;
use crate::reader::{ObjectReader, wire_precision, wire_time};
use crate::values::{HttpUrl, Locale, PromoterId};

/// A promoter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Promoter {
    /// Id, set by the service.
    pub id: PromoterId,
    /// Name.
    pub name: String,
    /// Privacy policy links by locale; exactly one is the default.
    pub privacy_urls: Vec<PrivacyUrl>,
    /// Bookkeeping dates.
    pub date: PromoterDates,
    /// Incremented by the store on every write.
    pub version: u64,
}

/// A privacy policy link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivacyUrl {
    /// Locale of the page.
    pub locale: Locale,
    /// The page.
    pub url: HttpUrl,
    /// Whether this is the default link (exactly one is).
    #[serde(default)]
    pub is_default: bool,
}

/// Bookkeeping dates of a promoter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromoterDates {
    /// Creation (read-only).
    #[serde(with = "wire_time")]
    pub created: DateTime<Utc>,
    /// Last write (read-only).
    #[serde(with = "wire_time")]
    pub updated: DateTime<Utc>,
}

impl Promoter {
    /// Parses a client document for a new promoter.
    pub fn parse_new(
        body: &Value,
        id: PromoterId,
        now: DateTime<Utc>,
    ) -> Result<Promoter, ValidationErrors> {
        parse_promoter(
            body,
            id,
            PromoterDates {
                created: wire_precision(now),
                updated: wire_precision(now),
            },
            0,
        )
    }

    /// Applies a JSON merge patch and parses the result; read-only fields are ignored.
    pub fn parse_update(
        &self,
        patch: &Value,
        now: DateTime<Utc>,
    ) -> Result<Promoter, ValidationErrors> {
        if !patch.is_object() {
            return Err(ValidationErrors::single("body", "must be a JSON object"));
        }
        let mut doc = serde_json::to_value(self).unwrap_or_else(|_| Value::Object(Map::new()));
        crate::campaign::merge_patch(&mut doc, patch);
        parse_promoter(
            &doc,
            self.id.clone(),
            PromoterDates {
                created: self.date.created,
                updated: wire_precision(now),
            },
            self.version,
        )
    }
}

fn parse_promoter(
    doc: &Value,
    id: PromoterId,
    date: PromoterDates,
    version: u64,
) -> Result<Promoter, ValidationErrors> {
    if !doc.is_object() {
        return Err(ValidationErrors::single("body", "must be a JSON object"));
    }
    let mut e = ValidationErrors::new();
    let root = ObjectReader::new(Some(doc), "", &mut e);
    let name = root.required_text("name", 200, &mut e);
    if !root.has("privacyUrls") {
        e.add("privacyUrls", "is required");
    }
    let privacy_urls = root.array("privacyUrls", &mut e, |v, path, e| {
        let p = ObjectReader::new(Some(v), path, e);
        let locale = p.required("locale", e, Locale::parse);
        let url = p.required("url", e, HttpUrl::parse);
        let is_default = p.bool("is_default", e).unwrap_or(false);
        Some(PrivacyUrl {
            locale: locale?,
            url: url?,
            is_default,
        })
    });
    if root.has("privacyUrls") {
        let defaults = privacy_urls.iter().filter(|p| p.is_default).count();
        if defaults != 1 {
            e.add(
                "privacyUrls",
                format!("exactly one privacy URL must be the default (found {defaults})"),
            );
        }
    }
    let Some(name) = name else { return Err(e) };
    e.into_result(Promoter {
        id,
        name,
        privacy_urls,
        date,
        version,
    })
}
