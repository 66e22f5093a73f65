//! Artist and venue search through the Discovery API (`GET /artists`, `GET /venues`), cached
//! (SPEC §9) under `discovery:<artists|venues>:<normalized query>:<page>:<pageSize>` for
//! [`Settings::search_cache_ttl`]. Any authenticated caller may search, at most
//! [`Settings::search_rate_limit`] times (artists and venues together, every call that reaches
//! the use case counted, cached or not: SPEC §4.1; a query string the HTTP layer cannot read
//! is refused before it, uncounted, as it never reaches the Discovery API). Without a configured Discovery API the answer is
//! `DEPENDENCY_UNAVAILABLE`; the cache fails open.

use std::time::Duration;

use campaign_domain::paging::{Page, PageRequest, Pagination};
use campaign_domain::search::{ArtistSummary, VenueSummary};
use campaign_domain::{DomainError, ValidationErrors};
use campaign_ports::{CacheKey, Discovery, IntegrationError, RateKey, RateLimit};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::RequestContext;
use crate::json_cache::JsonCache;
use crate::markets::discovery_error;
use crate::ports::{Ports, Settings};
use crate::rate_limits::{Ask, enforce};

/// Longest search text accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 100;

/// A search: the text and the page, already read (the HTTP layer reads the query string).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchParams {
    /// `q`: required, 1-100 characters once normalised.
    pub q: Option<String>,
    /// `page` and `pageSize`.
    pub page: PageRequest,
}

/// What a cache entry holds: one page of results.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CachedPage<I> {
    items: I,
    page: u32,
    page_size: u32,
    total: u64,
}

/// The search use cases.
#[derive(Clone)]
pub struct SearchService {
    ports: Ports,
    ttl: Duration,
    rate_limit: Option<RateLimit>,
    cache: JsonCache,
}

impl std::fmt::Debug for SearchService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchService")
            .field("ttl", &self.ttl)
            .field("rate_limit", &self.rate_limit)
            .field("discovery", &self.ports.discovery.is_some())
            .finish_non_exhaustive()
    }
}

/// The two kinds of search, as their cache key names them.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Artists,
    Venues,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Artists => "artists",
            Self::Venues => "venues",
        }
    }
}

impl SearchService {
    /// The use cases over `ports`.
    pub fn new(ports: Ports, settings: &Settings) -> Self {
        Self {
            cache: JsonCache::new(Some(ports.cache.clone()), settings.search_cache_ttl),
            ports,
            ttl: settings.search_cache_ttl,
            rate_limit: settings.search_rate_limit,
        }
    }

    /// One page of artists matching `q`.
    ///
    /// Errors: `TOO_MANY_REQUESTS` past the caller's search limit; `VALIDATION_ERROR` for a
    /// missing or over-long `q`; `DEPENDENCY_UNAVAILABLE` when the Discovery API is not
    /// configured or fails.
    pub async fn artists(
        &self,
        ctx: &RequestContext,
        params: &SearchParams,
    ) -> Result<Page<ArtistSummary>, DomainError> {
        self.search(ctx, Kind::Artists, params, |d, q, p| async move {
            d.search_artists(&q, p).await
        })
        .await
    }

    /// One page of venues matching `q`. Errors as for [`artists`](Self::artists).
    pub async fn venues(
        &self,
        ctx: &RequestContext,
        params: &SearchParams,
    ) -> Result<Page<VenueSummary>, DomainError> {
        self.search(ctx, Kind::Venues, params, |d, q, p| async move {
            d.search_venues(&q, p).await
        })
        .await
    }

    async fn search<T, F, Fut>(
        &self,
        ctx: &RequestContext,
        kind: Kind,
        params: &SearchParams,
        call: F,
    ) -> Result<Page<T>, DomainError>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce(std::sync::Arc<dyn Discovery>, String, PageRequest) -> Fut,
        Fut: Future<Output = Result<Page<T>, IntegrationError>>,
    {
        let key = RateKey::search(ctx.actor.user_id());
        enforce(
            self.ports.rate_limiter.as_ref(),
            Ask::Consume,
            &key,
            self.rate_limit,
        )
        .await?;
        let (query, page) = parse(params)?;
        let Some(discovery) = self.ports.discovery.clone() else {
            return Err(DomainError::DependencyUnavailable {
                dependency: "discovery".to_owned(),
            });
        };
        let key = CacheKey::discovery(kind.as_str(), &query, page.page(), page.page_size());
        if let Some(hit) = self.cached::<T>(&key).await {
            return Ok(hit);
        }
        let found = call(discovery, query, page)
            .await
            .map_err(|e| discovery_error(&e))?;
        self.store(&key, &found).await;
        Ok(found)
    }

    async fn cached<T: DeserializeOwned>(&self, key: &str) -> Option<Page<T>> {
        let c: CachedPage<Vec<T>> = self.cache.get(key).await?;
        Some(Page {
            items: c.items,
            pagination: Pagination {
                page: c.page,
                page_size: c.page_size,
                total: c.total,
            },
        })
    }

    async fn store<T: Serialize>(&self, key: &str, page: &Page<T>) {
        let entry = CachedPage {
            items: page.items.as_slice(),
            page: page.pagination.page,
            page_size: page.pagination.page_size,
            total: page.pagination.total,
        };
        self.cache.set(key, &entry).await;
    }
}

/// The normalised query (what is searched and what the cache key holds) and the page.
fn parse(params: &SearchParams) -> Result<(String, PageRequest), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let query = CacheKey::normalize_query(params.q.as_deref().unwrap_or_default());
    if query.is_empty() {
        e.add("q", "is required");
    } else if query.chars().count() > MAX_QUERY_CHARS {
        e.add("q", format!("must be at most {MAX_QUERY_CHARS} characters"));
    }
    e.into_result((query, params.page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: Option<&str>) -> SearchParams {
        SearchParams {
            q: q.map(str::to_owned),
            page: PageRequest::default(),
        }
    }

    #[test]
    fn the_query_is_required_normalised_and_bounded() {
        let (q, page) = parse(&params(Some("  Taylor   SWIFT "))).unwrap();
        assert_eq!(q, "taylor swift");
        assert_eq!(page.page_size(), 10);
        assert!(parse(&params(None)).unwrap_err().contains("q"));
        assert!(parse(&params(Some(" : "))).unwrap_err().contains("q"));
        assert!(
            parse(&params(Some(&"a".repeat(101))))
                .unwrap_err()
                .contains("q")
        );
        assert!(parse(&params(Some(&"a".repeat(100)))).is_ok());
    }
}
