//! Promoters (SPEC §7.8): the record as the service answers it, and the bodies of a create and
//! an update.

use std::borrow::Cow;

use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::promoter as domain;
use campaign_domain::values::{HttpUrl, Locale, PromoterId};
use campaign_domain::wire_time;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::paging::Pagination;
use crate::values;

/// A promoter as the service answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = Promoter)]
pub struct Promoter<'a> {
    /// Set by the service.
    #[schema(value_type = values::ObjectId)]
    pub id: Cow<'a, PromoterId>,
    /// Name, 1-200 characters, not blank.
    #[schema(value_type = String, min_length = 1, max_length = 200)]
    pub name: Cow<'a, str>,
    /// Privacy policy links by locale; exactly one is the default.
    pub privacy_urls: Vec<PrivacyUrl<'a>>,
    /// Creation and last change.
    pub date: RecordDates,
    /// Incremented on every write; also the `ETag`.
    pub version: u64,
}

/// A privacy policy link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PrivacyUrl<'a> {
    /// Locale of the page.
    #[schema(value_type = values::Locale)]
    pub locale: Cow<'a, Locale>,
    /// The page.
    #[schema(value_type = values::HttpUrl)]
    pub url: Cow<'a, HttpUrl>,
    /// Whether this is the default link (exactly one of a promoter's links is).
    #[serde(default)]
    pub is_default: bool,
}

/// When a record was created and last changed (set by the service).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordDates {
    /// Creation.
    #[serde(with = "wire_time")]
    #[schema(value_type = String, format = DateTime)]
    pub created: DateTime<Utc>,
    /// Last write.
    #[serde(with = "wire_time")]
    #[schema(value_type = String, format = DateTime)]
    pub updated: DateTime<Utc>,
}

/// `data` of `GET /promoters`: one page of promoters by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PromoterPage<'a> {
    /// The promoters of this page.
    pub promoters: Vec<Promoter<'a>>,
    /// Where this page is.
    pub pagination: Pagination,
}

/// The body of `POST /promoters`. Fields the service sets (`id`, `date`, `version`) are ignored
/// when sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewPromoter<'a> {
    /// Name, 1-200 characters, not blank.
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Cow<'a, str>,
    /// Privacy policy links by locale; exactly one is the default.
    #[schema(min_items = 1)]
    pub privacy_urls: Vec<PrivacyUrl<'a>>,
}

/// The body of `POST /promoters/{id}`: a JSON merge patch (RFC 7396) of the promoter; a field
/// left out keeps its value, `privacyUrls` is replaced as a whole.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PromoterPatch<'a> {
    /// New name, 1-200 characters, not blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200, pattern = "\\S", nullable = false)]
    pub name: Option<Cow<'a, str>>,
    /// New links, replacing all of them; exactly one is the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_items = 1, nullable = false)]
    pub privacy_urls: Option<Vec<PrivacyUrl<'a>>>,
}

impl<'a> From<&'a domain::PrivacyUrl> for PrivacyUrl<'a> {
    fn from(link: &'a domain::PrivacyUrl) -> Self {
        Self {
            locale: Cow::Borrowed(&link.locale),
            url: Cow::Borrowed(&link.url),
            is_default: link.is_default,
        }
    }
}

impl<'a> From<&'a domain::Promoter> for Promoter<'a> {
    fn from(promoter: &'a domain::Promoter) -> Self {
        Self {
            id: Cow::Borrowed(&promoter.id),
            name: Cow::Borrowed(&promoter.name),
            privacy_urls: promoter.privacy_urls.iter().map(PrivacyUrl::from).collect(),
            date: RecordDates {
                created: promoter.date.created,
                updated: promoter.date.updated,
            },
            version: promoter.version,
        }
    }
}

impl From<Promoter<'_>> for domain::Promoter {
    fn from(promoter: Promoter<'_>) -> Self {
        Self {
            id: promoter.id.into_owned(),
            name: promoter.name.into_owned(),
            privacy_urls: promoter
                .privacy_urls
                .into_iter()
                .map(|p| domain::PrivacyUrl {
                    locale: p.locale.into_owned(),
                    url: p.url.into_owned(),
                    is_default: p.is_default,
                })
                .collect(),
            date: domain::PromoterDates {
                created: promoter.date.created,
                updated: promoter.date.updated,
            },
            version: promoter.version,
        }
    }
}

#[cfg(test)]
mod tests {
    use campaign_domain::chrono::Utc;
    use campaign_domain::serde_json::{self, json};

    use super::*;

    fn stored() -> domain::Promoter {
        domain::Promoter::parse_new(
            &json!({"name": "Live Nation", "privacyUrls": [
                {"locale": "en-us", "url": "https://p.example/en", "is_default": true},
                {"locale": "fr", "url": "https://p.example/fr"}]}),
            PromoterId::parse("65a1b2c3d4e5f60718293a4b").unwrap(),
            Utc::now(),
        )
        .unwrap()
    }

    #[test]
    fn the_answer_round_trips_to_the_same_promoter() {
        let promoter = stored();
        let wire = serde_json::to_string(&Promoter::from(&promoter)).unwrap();
        let read: Promoter<'_> = serde_json::from_str(&wire).unwrap();
        assert_eq!(domain::Promoter::from(read), promoter);
        let value: serde_json::Value = serde_json::from_str(&wire).unwrap();
        assert_eq!(value["privacyUrls"][0]["locale"], "en-US");
        assert!(value["date"]["created"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn what_a_client_sends_the_domain_reads() {
        let body = NewPromoter {
            name: "Promoter".into(),
            privacy_urls: vec![PrivacyUrl {
                locale: Cow::Owned(Locale::parse("de-DE").unwrap()),
                url: Cow::Owned(HttpUrl::parse("https://p.example/de").unwrap()),
                is_default: true,
            }],
        };
        let id = PromoterId::parse("65a1b2c3d4e5f60718293a4b").unwrap();
        let created =
            domain::Promoter::parse_new(&serde_json::to_value(&body).unwrap(), id, Utc::now())
                .unwrap();
        assert_eq!(created.name, "Promoter");
        let patch = PromoterPatch {
            name: Some("Renamed".into()),
            ..PromoterPatch::default()
        };
        let patched = created
            .parse_update(&serde_json::to_value(&patch).unwrap(), Utc::now())
            .unwrap();
        assert_eq!(patched.name, "Renamed");
        assert_eq!(patched.privacy_urls, created.privacy_urls);
    }
}
