//! The ticketing platform's Discovery API (Ticketmaster Discovery v2 shapes): attraction and
//! venue search, event and venue existence.
//!
//! - `GET {base}/discovery/v2/attractions.json?keyword=&page=&size=&apikey=` and
//!   `/venues.json`: the answer's `_embedded.attractions[]` / `_embedded.venues[]` become
//!   [`ArtistSummary`] / [`VenueSummary`], its `page.totalElements` the total; an empty result
//!   has no `_embedded` at all.
//! - `GET {base}/discovery/v2/events/{id}.json?apikey=` and `/venues/{id}.json`: 200 means it
//!   exists, 404 that it does not (`Ok(false)`).
//!
//! The key travels as the `apikey` query parameter, so no URL ever appears in an error.

use std::sync::Arc;

use async_trait::async_trait;
use campaign_domain::paging::{Page, PageRequest, Pagination};
use campaign_domain::search::{ArtistSummary, VenueSummary};
use campaign_domain::serde_json;
use campaign_domain::values::EventId;
use campaign_ports::{Discovery, IntegrationError};
use reqwest::StatusCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::outbound::{Answer, Outbound};
use crate::settings::{BaseUrl, HttpSettings, Secret};
use crate::trace::TraceContext;

/// Where the Discovery API is and how to call it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoverySettings {
    /// `CAMPAIGN_DISCOVERY_URL`, e.g. `https://app.ticketmaster.com`.
    pub base_url: BaseUrl,
    /// `CAMPAIGN_DISCOVERY_API_KEY`.
    pub api_key: Secret,
    /// Timeouts and retries.
    pub http: HttpSettings,
}

/// The Discovery API over HTTP.
#[derive(Clone)]
pub struct HttpDiscovery {
    out: Outbound,
    base: BaseUrl,
    key: Secret,
}

impl std::fmt::Debug for HttpDiscovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpDiscovery")
            .field("base", &self.base.to_string())
            .finish_non_exhaustive()
    }
}

impl HttpDiscovery {
    /// A client for `settings`, with `traceparent` headers from `trace`.
    ///
    /// # Errors
    /// `Permanent` when the HTTP client cannot be built.
    pub fn new(
        settings: &DiscoverySettings,
        trace: Arc<dyn TraceContext>,
    ) -> Result<Self, IntegrationError> {
        Ok(Self {
            out: Outbound::new("discovery", &settings.http, settings.api_key.clone(), trace)?,
            base: settings.base_url.clone(),
            key: settings.api_key.clone(),
        })
    }

    async fn search<R: DeserializeOwned + Default, T>(
        &self,
        operation: &'static str,
        collection: &'static str,
        query: &str,
        page: PageRequest,
        items: impl FnOnce(R) -> Vec<T>,
    ) -> Result<Page<T>, IntegrationError> {
        let url = self.base.endpoint(&["discovery", "v2", collection]);
        let (number, size) = (page.page().to_string(), page.page_size().to_string());
        let answer = self
            .out
            .send(operation, |client| {
                client.get(url.clone()).query(&[
                    ("keyword", query),
                    ("page", number.as_str()),
                    ("size", size.as_str()),
                    ("apikey", self.key.expose()),
                ])
            })
            .await?;
        if answer.status != StatusCode::OK {
            return Err(self.out.refused(operation, &answer));
        }
        let found: SearchAnswer<R> = serde_json::from_slice(&answer.body).map_err(|e| {
            self.out
                .permanent(operation, &format!("unreadable answer: {e}"))
        })?;
        Ok(Page {
            items: items(found.embedded.unwrap_or_default()),
            pagination: Pagination {
                page: page.page(),
                page_size: page.page_size(),
                total: found.page.total_elements,
            },
        })
    }

    async fn exists(
        &self,
        operation: &'static str,
        collection: &'static str,
        id: &str,
    ) -> Result<bool, IntegrationError> {
        let file = format!("{id}.json");
        let url = self.base.endpoint(&["discovery", "v2", collection, &file]);
        let answer: Answer = self
            .out
            .send(operation, |client| {
                client
                    .get(url.clone())
                    .query(&[("apikey", self.key.expose())])
            })
            .await?;
        match answer.status {
            StatusCode::OK => {
                // A 200 must still be the resource, not some proxy's page.
                serde_json::from_slice::<Identified>(&answer.body).map_err(|e| {
                    self.out
                        .permanent(operation, &format!("unreadable answer: {e}"))
                })?;
                Ok(true)
            }
            StatusCode::NOT_FOUND => Ok(false),
            _ => Err(self.out.refused(operation, &answer)),
        }
    }
}

#[async_trait]
impl Discovery for HttpDiscovery {
    async fn search_artists(
        &self,
        query: &str,
        page: PageRequest,
    ) -> Result<Page<ArtistSummary>, IntegrationError> {
        self.search(
            "searchArtists",
            "attractions.json",
            query,
            page,
            |e: Attractions| e.attractions.into_iter().map(Attraction::summary).collect(),
        )
        .await
    }

    async fn search_venues(
        &self,
        query: &str,
        page: PageRequest,
    ) -> Result<Page<VenueSummary>, IntegrationError> {
        self.search("searchVenues", "venues.json", query, page, |e: Venues| {
            e.venues.into_iter().map(Venue::summary).collect()
        })
        .await
    }

    async fn event_exists(&self, id: &EventId) -> Result<bool, IntegrationError> {
        self.exists("eventExists", "events", id.as_str()).await
    }

    async fn venue_exists(&self, id: &str) -> Result<bool, IntegrationError> {
        self.exists("venueExists", "venues", id).await
    }
}

/// A search answer: `{"_embedded": {...}, "page": {...}}`, `_embedded` absent when empty.
#[derive(Deserialize)]
struct SearchAnswer<E> {
    #[serde(rename = "_embedded")]
    embedded: Option<E>,
    page: PageInfo,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    total_elements: u64,
}

#[derive(Deserialize, Default)]
struct Attractions {
    #[serde(default)]
    attractions: Vec<Attraction>,
}

#[derive(Deserialize, Default)]
struct Venues {
    #[serde(default)]
    venues: Vec<Venue>,
}

/// What a by-id answer must at least have.
#[derive(Deserialize)]
struct Identified {
    #[serde(rename = "id")]
    _id: String,
}

#[derive(Deserialize)]
struct Attraction {
    id: String,
    name: String,
    url: Option<String>,
    #[serde(default)]
    images: Vec<Image>,
}

#[derive(Deserialize)]
struct Image {
    url: String,
    #[serde(default)]
    width: u32,
    #[serde(default)]
    fallback: bool,
}

impl Attraction {
    /// The widest image that is not a generic fallback (else the widest fallback).
    fn summary(self) -> ArtistSummary {
        let image_url = self
            .images
            .into_iter()
            .max_by_key(|i| (!i.fallback, i.width))
            .map(|i| i.url);
        ArtistSummary {
            id: self.id,
            name: self.name,
            image_url,
            url: self.url,
        }
    }
}

#[derive(Deserialize)]
struct Venue {
    id: String,
    name: String,
    city: Option<Named>,
    state: Option<State>,
    country: Option<Country>,
}

#[derive(Deserialize)]
struct Named {
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct State {
    name: Option<String>,
    state_code: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Country {
    name: Option<String>,
    country_code: Option<String>,
}

impl Venue {
    /// City name, state code (else name), country code (else name).
    fn summary(self) -> VenueSummary {
        VenueSummary {
            id: self.id,
            name: self.name,
            city: self.city.and_then(|c| c.name),
            state: self.state.and_then(|s| s.state_code.or(s.name)),
            country: self.country.and_then(|c| c.country_code.or(c.name)),
        }
    }
}
