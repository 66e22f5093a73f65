//! Promoter use cases (SPEC §6 "Promoters", §7.8, §9), all for supreme users: list, create,
//! read, update (merge, `If-Match`), delete. Reads go through the cache as `promoter:<id>`
//! (read-through, fail open) as versioned entries: every change publishes the stored version,
//! a delete a tombstone, so no replica reads a promoter older than an acknowledged change.

use std::time::Duration;

use campaign_domain::DomainError;
use campaign_domain::paging::{Page, PageRequest};
use campaign_domain::promoter::Promoter;
use campaign_domain::serde_json::Value;
use campaign_domain::values::PromoterId;
use campaign_ports::{CacheKey, StoreError, VersionedEntry};

use crate::RequestContext;
use crate::json_cache::JsonCache;
use crate::ports::{Ports, Settings};

/// The promoter use cases.
#[derive(Clone)]
pub struct PromoterService {
    ports: Ports,
    ttl: Duration,
    /// Records are cached only when [`Settings::cache_records`] says so.
    cache: JsonCache,
}

impl std::fmt::Debug for PromoterService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PromoterService")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// Maps a store error on a promoter call to what the client sees.
fn store_error(error: StoreError) -> DomainError {
    crate::store_errors::store_error("promoter", DomainError::PromoterNotFound, error)
}

impl PromoterService {
    /// The use cases over `ports`.
    pub fn new(ports: Ports, settings: &Settings) -> Self {
        Self {
            cache: JsonCache::new(
                settings.cache_records.then(|| ports.cache.clone()),
                settings.promoter_cache_ttl,
            ),
            ports,
            ttl: settings.promoter_cache_ttl,
        }
    }

    /// One page of promoters by name, then id.
    ///
    /// Errors: `SUPREME_USER_REQUIRED`.
    pub async fn list(
        &self,
        ctx: &RequestContext,
        page: PageRequest,
    ) -> Result<Page<Promoter>, DomainError> {
        ctx.actor.require_supreme()?;
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
        if let Some(promoter) = self.cache.get_versioned::<Promoter>(&key).await {
            return Ok(promoter);
        }
        let promoter = self.load(id).await?;
        self.cache
            .put_if_newer(&key, promoter.version, &promoter)
            .await;
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
        self.cache
            .publish(&CacheKey::promoter(id), stored.version, Some(&stored))
            .await;
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
        self.cache
            .publish::<Promoter>(&CacheKey::promoter(id), VersionedEntry::GONE, None)
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
}
