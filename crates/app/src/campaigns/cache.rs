//! Read-through caching of campaigns by id and by domain (SPEC §9, ADR 0018). The cache is
//! optional: every cache error is logged and treated as a miss, never returned.
//!
//! Coherence across replicas that share the cache:
//! - `campaign:id:<id>` holds a [`VersionedEntry`] of the campaign. A write publishes the
//!   version it stored before it is acknowledged; a read that missed stores what it read only if
//!   nothing newer is there. So a read racing a write can never put back the state the write
//!   replaced, and a read on any replica after an acknowledged write sees that write.
//! - `campaign:domain:<host>` holds only the id of the campaign that answers on the host. A hit
//!   is checked against the campaign's own (versioned) entry: if that campaign no longer answers
//!   on the host, the read goes to the store. A pointer can be stale; what it leads to cannot.

use std::sync::Arc;
use std::time::Duration;

use campaign_domain::Campaign;
use campaign_domain::campaign::PasswordHash;
use campaign_domain::status::Status;
use campaign_domain::values::{CampaignId, DomainName};
use campaign_ports::{Cache, CacheKey};
use serde::{Deserialize, Serialize};

use crate::json_cache::JsonCache;

/// What is cached: the campaign and its password hash (which the campaign's own serialisation
/// leaves out on purpose).
#[derive(Deserialize)]
struct Cached {
    campaign: Campaign,
    #[serde(rename = "passwordHash", default)]
    password_hash: Option<String>,
}

/// [`Cached`] as written, borrowing the campaign.
#[derive(Serialize)]
struct CachedRef<'a> {
    campaign: &'a Campaign,
    #[serde(rename = "passwordHash", skip_serializing_if = "Option::is_none")]
    password_hash: Option<&'a str>,
}

impl<'a> CachedRef<'a> {
    fn of(campaign: &'a Campaign) -> Self {
        Self {
            campaign,
            password_hash: campaign.password.as_ref().map(PasswordHash::as_str),
        }
    }
}

/// Whether `campaign` is the one [`find_by_domain`] gives for `host`: the campaign whose site it
/// is, or the PREVIEW campaign whose preview host it is.
///
/// [`find_by_domain`]: campaign_ports::CampaignRepository::find_by_domain
fn found_by_domain(campaign: &Campaign, host: &DomainName) -> bool {
    campaign.domain.site.as_ref() == Some(host)
        || (campaign.status == Status::Preview && campaign.domain.preview.as_ref() == Some(host))
}

/// The campaign cache; without a cache every lookup misses and every write is skipped.
#[derive(Debug, Clone)]
pub(super) struct CampaignCache {
    json: JsonCache,
}

impl CampaignCache {
    pub(super) fn new(cache: Option<Arc<dyn Cache>>, ttl: Duration) -> Self {
        Self {
            json: JsonCache::new(cache, ttl),
        }
    }

    /// The cached campaign with this id; `None` on a miss, a tombstone or any cache error.
    pub(super) async fn by_id(&self, id: &CampaignId) -> Option<Campaign> {
        let cached: Cached = self.json.get_versioned(&CacheKey::campaign(id)).await?;
        let mut campaign = cached.campaign;
        campaign.password = cached.password_hash.map(PasswordHash::from_hash);
        Some(campaign)
    }

    /// Stores a campaign read from the store, unless the cache holds a newer version.
    pub(super) async fn put_by_id(&self, campaign: &Campaign) {
        self.json
            .put_if_newer(
                &CacheKey::campaign(&campaign.id),
                campaign.version,
                &CachedRef::of(campaign),
            )
            .await;
    }

    /// The cached campaign that answers on `host`, if its pointer leads to a campaign that
    /// still does.
    pub(super) async fn by_domain(&self, host: &DomainName) -> Option<Campaign> {
        let pointer = self
            .json
            .get_raw(&CacheKey::campaign_by_domain(host))
            .await?;
        let id = CampaignId::parse(&pointer).ok()?;
        self.by_id(&id)
            .await
            .filter(|campaign| found_by_domain(campaign, host))
    }

    /// Stores a campaign read from the store by `host`: its entry and the host's pointer.
    pub(super) async fn put_by_domain(&self, host: &DomainName, campaign: &Campaign) {
        self.put_by_id(campaign).await;
        self.json
            .set_raw(&CacheKey::campaign_by_domain(host), campaign.id.as_str())
            .await;
    }

    /// After a write of `stored` (which held `before`'s hosts before): publishes the stored
    /// version — a tombstone once INACTIVE (SPEC §8: evicted) — so that every replica reads it
    /// from now on, and drops the pointers of hosts it no longer answers on.
    pub(super) async fn refresh(&self, before: Option<&Campaign>, stored: &Campaign) {
        let live = (stored.status != Status::Inactive).then(|| CachedRef::of(stored));
        self.json
            .publish(
                &CacheKey::campaign(&stored.id),
                stored.version,
                live.as_ref(),
            )
            .await;
        let held_now = stored.domain.hosts();
        let mut released: Vec<String> = before
            .map(|b| b.domain.hosts())
            .unwrap_or_default()
            .into_iter()
            .filter(|host| !held_now.contains(host))
            .map(CacheKey::campaign_by_domain)
            .collect();
        if stored.status == Status::Inactive {
            released.extend(held_now.into_iter().map(CacheKey::campaign_by_domain));
        }
        // Pointers are checked on read, so one left behind by a failed delete leads nowhere.
        self.json.delete(&released).await;
    }
}

#[cfg(test)]
mod tests {
    use campaign_adapter_memory::{MemoryCache, SystemClock};
    use campaign_ports::testing::fixtures;

    use super::*;

    fn cache() -> CampaignCache {
        CampaignCache::new(
            Some(Arc::new(MemoryCache::new(Arc::new(SystemClock)))),
            Duration::from_secs(60),
        )
    }

    fn at_version(campaign: &Campaign, version: u64, name: &str) -> Campaign {
        let mut c = campaign.clone();
        c.version = version;
        c.name = name.to_owned();
        c
    }

    #[tokio::test]
    async fn a_read_that_raced_a_write_cannot_put_the_old_state_back() {
        let cache = cache();
        let v1 = at_version(&fixtures::campaign("c"), 1, "old");
        let v2 = at_version(&v1, 2, "new");
        // A reader read v1 from the store; a writer stored v2 and published it; then the
        // reader's read-through write arrives.
        cache.refresh(Some(&v1), &v2).await;
        cache.put_by_id(&v1).await;
        let site = v1.domain.site.clone().unwrap();
        cache.put_by_domain(&site, &v1).await;
        assert_eq!(
            cache.by_id(&v1.id).await.map(|c| c.name),
            Some("new".into())
        );
        assert_eq!(
            cache.by_domain(&site).await.map(|c| c.name),
            Some("new".into())
        );
    }

    #[tokio::test]
    async fn a_host_pointer_counts_only_while_its_campaign_answers_there() {
        let cache = cache();
        let v1 = at_version(&fixtures::campaign("c"), 1, "c");
        let old_site = v1.domain.site.clone().unwrap();
        cache.put_by_domain(&old_site, &v1).await;
        assert!(cache.by_domain(&old_site).await.is_some());
        let mut v2 = at_version(&v1, 2, "c");
        v2.domain.site = Some(DomainName::parse(&fixtures::domain("moved")).unwrap());
        // Even if dropping the old pointer were lost, the pointer no longer leads anywhere.
        cache.put_by_id(&v2).await;
        assert_eq!(cache.by_domain(&old_site).await, None);
        // A preview host counts only while the campaign is in PREVIEW.
        let preview = DomainName::parse(&fixtures::domain("preview")).unwrap();
        let mut v3 = at_version(&v2, 3, "c");
        v3.domain.preview = Some(preview.clone());
        cache.put_by_domain(&preview, &v3).await;
        assert_eq!(
            cache.by_domain(&preview).await,
            None,
            "DRAFT: not by preview"
        );
        let mut v4 = at_version(&v3, 4, "c");
        v4.status = Status::Preview;
        cache.refresh(Some(&v3), &v4).await;
        assert_eq!(cache.by_domain(&preview).await.map(|c| c.version), Some(4));
    }

    #[tokio::test]
    async fn an_inactive_campaign_is_evicted_for_good() {
        let cache = cache();
        let v1 = at_version(&fixtures::campaign("c"), 1, "c");
        let site = v1.domain.site.clone().unwrap();
        cache.put_by_domain(&site, &v1).await;
        let mut v2 = at_version(&v1, 2, "c");
        v2.status = Status::Inactive;
        cache.refresh(Some(&v1), &v2).await;
        assert_eq!(cache.by_id(&v1.id).await, None);
        assert_eq!(cache.by_domain(&site).await, None);
        cache.put_by_id(&v1).await;
        assert_eq!(
            cache.by_id(&v1.id).await,
            None,
            "the tombstone keeps v1 out"
        );
    }
}
