//! Read-through caching of campaigns by id and by domain (SPEC §9). The cache is optional:
//! every cache error is logged and treated as a miss, never returned.

use std::sync::Arc;
use std::time::Duration;

use campaign_domain::Campaign;
use campaign_domain::campaign::PasswordHash;
use campaign_domain::serde_json;
use campaign_domain::values::{CampaignId, DomainName};
use campaign_ports::{Cache, CacheKey};
use serde::{Deserialize, Serialize};

/// What is cached: the campaign and its password hash (which the campaign's own serialisation
/// leaves out on purpose).
#[derive(Serialize, Deserialize)]
struct Cached {
    campaign: Campaign,
    #[serde(
        rename = "passwordHash",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    password_hash: Option<String>,
}

/// The campaign cache; without a cache every lookup misses and every write is skipped.
#[derive(Clone)]
pub(super) struct CampaignCache {
    cache: Option<Arc<dyn Cache>>,
    ttl: Duration,
}

impl std::fmt::Debug for CampaignCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CampaignCache")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl CampaignCache {
    pub(super) fn new(cache: Option<Arc<dyn Cache>>, ttl: Duration) -> Self {
        Self { cache, ttl }
    }

    async fn get(&self, key: &str) -> Option<Campaign> {
        let cache = self.cache.as_ref()?;
        match cache.get(key).await {
            Ok(Some(raw)) => match serde_json::from_str::<Cached>(&raw) {
                Ok(cached) => {
                    let mut campaign = cached.campaign;
                    campaign.password = cached.password_hash.map(PasswordHash::from_hash);
                    Some(campaign)
                }
                Err(error) => {
                    tracing::warn!(%key, %error, "unreadable cache entry ignored");
                    None
                }
            },
            Ok(None) => None,
            Err(error) => {
                tracing::warn!(%key, %error, "cache read failed; reading the store");
                None
            }
        }
    }

    async fn put(&self, key: &str, campaign: &Campaign) {
        let Some(cache) = &self.cache else { return };
        let cached = Cached {
            campaign: campaign.clone(),
            password_hash: campaign.password.as_ref().map(|h| h.as_str().to_owned()),
        };
        let Ok(raw) = serde_json::to_string(&cached) else {
            return;
        };
        if let Err(error) = cache.set(key, &raw, self.ttl).await {
            tracing::warn!(%key, %error, "cache write failed");
        }
    }

    pub(super) async fn by_id(&self, id: &CampaignId) -> Option<Campaign> {
        self.get(&CacheKey::campaign(id)).await
    }

    pub(super) async fn put_by_id(&self, campaign: &Campaign) {
        self.put(&CacheKey::campaign(&campaign.id), campaign).await;
    }

    pub(super) async fn by_domain(&self, domain: &DomainName) -> Option<Campaign> {
        self.get(&CacheKey::campaign_by_domain(domain)).await
    }

    pub(super) async fn put_by_domain(&self, domain: &DomainName, campaign: &Campaign) {
        self.put(&CacheKey::campaign_by_domain(domain), campaign)
            .await;
    }

    /// Drops every entry of these campaigns: by id and by each of their domains.
    pub(super) async fn invalidate(&self, campaigns: &[&Campaign]) {
        let Some(cache) = &self.cache else { return };
        let mut keys = Vec::new();
        for c in campaigns {
            keys.push(CacheKey::campaign(&c.id));
            keys.extend(
                c.domain
                    .site
                    .iter()
                    .chain(c.domain.preview.iter())
                    .map(CacheKey::campaign_by_domain),
            );
        }
        keys.sort();
        keys.dedup();
        if let Err(error) = cache.delete(&keys).await {
            tracing::warn!(%error, "cache invalidation failed; entries expire by their TTL");
        }
    }
}
