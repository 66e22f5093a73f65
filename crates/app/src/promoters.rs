//! Promoter use cases (SPEC §6 "Promoters", §7.8, §9), all for supreme users: list, create,
//! read, update (merge, `If-Match`), delete. Reads go through the cache as `promoter:<id>`
//! (read-through, fail open) as versioned entries: every change publishes the stored version,
//! a delete a tombstone, so no replica reads a promoter older than an acknowledged change.

use std::sync::Arc;
use std::time::Duration;

use campaign_domain::paging::Page;
use campaign_domain::promoter::Promoter;
use campaign_domain::serde_json::{self, Value};
use campaign_domain::values::PromoterId;
use campaign_domain::{DomainError, ValidationErrors};
use campaign_ports::{Cache, CacheKey, StoreError, VersionedEntry};

use crate::RequestContext;
use crate::params::page_request;
use crate::ports::{Ports, Settings};

/// The promoter use cases.
#[derive(Clone)]
pub struct PromoterService {
    ports: Ports,
    ttl: Duration,
    cache_records: bool,
}

impl std::fmt::Debug for PromoterService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PromoterService")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// Maps a store error on a promoter to what the client sees; outages are logged here, once.
fn store_error(error: StoreError) -> DomainError {
    if let StoreError::Unavailable(reason) = &error {
        tracing::error!(%reason, "promoter store unavailable");
    }
    error.into_domain(DomainError::PromoterNotFound)
}

impl PromoterService {
    /// The use cases over `ports`.
    pub fn new(ports: Ports, settings: &Settings) -> Self {
        Self {
            ports,
            ttl: settings.promoter_cache_ttl,
            cache_records: settings.cache_records,
        }
    }

    /// The cache, when records are cached ([`Settings::cache_records`]).
    fn cache(&self) -> Option<&Arc<dyn Cache>> {
        self.cache_records.then_some(&self.ports.cache)
    }

    /// One page of promoters by name, then id (`page`, `pageSize` as the client sent them).
    ///
    /// Errors: `SUPREME_USER_REQUIRED`; `VALIDATION_ERROR` for bad paging values.
    pub async fn list(
        &self,
        ctx: &RequestContext,
        page: Option<&str>,
        page_size: Option<&str>,
    ) -> Result<Page<Promoter>, DomainError> {
        ctx.actor.require_supreme()?;
        let mut e = ValidationErrors::new();
        let page = page_request(&mut e, page, page_size);
        e.into_result(())?;
        self.ports.promoters.list(page).await.map_err(store_error)
    }

    /// Creates a promoter from a client document.
    ///
    /// Errors: `SUPREME_USER_REQUIRED`; `VALIDATION_ERROR` with every failing field (a name and
    /// privacy URLs with exactly one default are required).
    pub async fn create(
        &self,
        ctx: &RequestContext,
        body: &Value,
    ) -> Result<Promoter, DomainError> {
        ctx.actor.require_supreme()?;
        let promoter =
            Promoter::parse_new(body, self.ports.ids.promoter_id(), self.ports.clock.now())?;
        self.ports
            .promoters
            .insert(&promoter)
            .await
            .map_err(store_error)
    }

    /// A promoter, read through the cache.
    ///
    /// Errors: `SUPREME_USER_REQUIRED`; `PROMOTER_NOT_FOUND`.
    pub async fn get(
        &self,
        ctx: &RequestContext,
        id: &PromoterId,
    ) -> Result<Promoter, DomainError> {
        ctx.actor.require_supreme()?;
        let key = CacheKey::promoter(id);
        if let Some(cache) = self.cache() {
            match cache.get_versioned(&key).await {
                Ok(Some(VersionedEntry {
                    value: Some(raw), ..
                })) => match serde_json::from_str::<Promoter>(&raw) {
                    Ok(promoter) => return Ok(promoter),
                    Err(error) => tracing::warn!(%key, %error, "unreadable cache entry ignored"),
                },
                Ok(_) => {}
                Err(error) => tracing::warn!(%key, %error, "cache read failed; reading the store"),
            }
        }
        let promoter = self.load(id).await?;
        if let Some(cache) = self.cache()
            && let Ok(raw) = serde_json::to_string(&promoter)
        {
            let entry = VersionedEntry::value(promoter.version, raw);
            if let Err(error) = cache.put_if_newer(&key, &entry, self.ttl).await {
                tracing::warn!(%key, %error, "cache write failed");
            }
        }
        Ok(promoter)
    }

    /// Applies a JSON merge patch to a promoter; `if_match` makes the write conditional on the
    /// version the client read.
    ///
    /// Errors: `SUPREME_USER_REQUIRED`; `PROMOTER_NOT_FOUND`; `VALIDATION_ERROR`;
    /// `VERSION_CONFLICT`.
    pub async fn update(
        &self,
        ctx: &RequestContext,
        id: &PromoterId,
        patch: &Value,
        if_match: Option<u64>,
    ) -> Result<Promoter, DomainError> {
        ctx.actor.require_supreme()?;
        let before = self.load(id).await?;
        if let Some(expected) = if_match
            && expected != before.version
        {
            return Err(DomainError::VersionConflict {
                expected,
                current: before.version,
            });
        }
        let after = before.parse_update(patch, self.ports.clock.now())?;
        let stored = self
            .ports
            .promoters
            .update(&after, before.version)
            .await
            .map_err(store_error)?;
        let entry = serde_json::to_string(&stored)
            .map_or(VersionedEntry::tombstone(stored.version), |raw| {
                VersionedEntry::value(stored.version, raw)
            });
        self.publish(id, &entry).await;
        Ok(stored)
    }

    /// Deletes a promoter. Markets that name it keep the id (a later change of such a market
    /// does not check ids it already had).
    ///
    /// Errors: `SUPREME_USER_REQUIRED`; `PROMOTER_NOT_FOUND`.
    pub async fn delete(&self, ctx: &RequestContext, id: &PromoterId) -> Result<(), DomainError> {
        ctx.actor.require_supreme()?;
        let result = self.ports.promoters.delete(id).await.map_err(store_error);
        // Ids are never reused: nothing may be cached under this one again.
        self.publish(id, &VersionedEntry::tombstone(VersionedEntry::GONE))
            .await;
        result
    }

    /// The stored promoter.
    async fn load(&self, id: &PromoterId) -> Result<Promoter, DomainError> {
        self.ports
            .promoters
            .find_by_id(id)
            .await
            .map_err(store_error)?
            .ok_or(DomainError::PromoterNotFound)
    }

    /// Publishes `entry` as the promoter's cached state, so no replica reads an older one; a
    /// failure is logged and the old entry expires by its TTL.
    async fn publish(&self, id: &PromoterId, entry: &VersionedEntry) {
        let Some(cache) = self.cache() else { return };
        let key = CacheKey::promoter(id);
        if let Err(error) = cache.publish(&key, entry, self.ttl).await {
            tracing::warn!(%key, %error, "promoter cache refresh not confirmed; the entry may be stale until its TTL");
        }
    }
}
