//! Campaign use cases (SPEC §6 "Campaigns"): create, read by id and by domain, status, list,
//! update with manual transitions, FAQs and terms, contacts, and the status refresh.
//!
//! Every write goes through [`CampaignService::save`], which checks the site domain, records the
//! messages the change owes (SPEC §8) in the same write, and drops the cached copies.

mod cache;
mod contacts;
mod content;
mod create;
mod list;
mod read;
mod refresh;
mod update;

use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::messages::campaign_change_messages;
use campaign_domain::values::{CampaignId, EventId};
use campaign_domain::{Campaign, DomainError};
use campaign_ports::StoreError;

pub use list::ListCampaigns;
pub use read::{CampaignStatusView, DomainRead};

use self::cache::CampaignCache;
use crate::outbox::events;
use crate::password::PasswordHasher;
use crate::ports::{Ports, Settings};

/// How often a write without a version condition is tried when other writers keep winning the
/// race for the same campaign (each lost race means another write succeeded).
const MAX_WRITE_ATTEMPTS: u32 = 16;

/// The campaign use cases.
#[derive(Debug, Clone)]
pub struct CampaignService {
    ports: Ports,
    cache: CampaignCache,
    hasher: PasswordHasher,
}

impl CampaignService {
    /// The use cases over `ports`.
    pub fn new(ports: Ports, settings: &Settings, hasher: PasswordHasher) -> Self {
        let cache = CampaignCache::new(
            settings.cache_campaigns.then(|| ports.cache.clone()),
            settings.campaign_cache_ttl,
        );
        Self {
            ports,
            cache,
            hasher,
        }
    }

    /// The stored campaign (not the cache: writes start from the truth).
    async fn load(&self, id: &CampaignId) -> Result<Campaign, DomainError> {
        self.ports
            .campaigns
            .find_by_id(id)
            .await
            .map_err(store_error)?
            .ok_or(DomainError::CampaignNotFound)
    }

    /// Every event id the campaign covers: its own and its markets'.
    async fn covered_event_ids(&self, campaign: &Campaign) -> Result<Vec<EventId>, DomainError> {
        let markets = self
            .ports
            .markets
            .list_by_campaign(&campaign.id)
            .await
            .map_err(store_error)?;
        Ok(campaign_domain::messages::covered_event_ids(
            campaign, &markets,
        ))
    }

    /// Fails with `DOMAIN_NAME_CONFLICT` when another campaign holds `campaign`'s site domain.
    /// The store enforces the same rule at write time; this check gives the early, clear answer.
    async fn check_domain_free(&self, campaign: &Campaign) -> Result<(), DomainError> {
        let Some(site) = &campaign.domain.site else {
            return Ok(());
        };
        let holder = self
            .ports
            .campaigns
            .find_by_domain(site)
            .await
            .map_err(store_error)?;
        match holder {
            Some(h) if h.id != campaign.id && h.domain.site.as_ref() == Some(site) => {
                Err(DomainError::DomainNameConflict {
                    domain: site.to_string(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Writes a change of `before` (or a new campaign when `None`) with the messages it owes,
    /// then drops the cached copies. The write is conditional on `before`'s version.
    async fn save(
        &self,
        correlation: Option<&str>,
        before: Option<&Campaign>,
        after: &Campaign,
        at: DateTime<Utc>,
    ) -> Result<Campaign, DomainError> {
        if before.is_none_or(|b| b.domain.site != after.domain.site) {
            self.check_domain_free(after).await?;
        }
        let covered = self.covered_event_ids(after).await?;
        // The messages describe the campaign as the store will hold it: version 1 when new,
        // the version written over plus one for a change.
        let mut as_stored = after.clone();
        as_stored.version = before.map_or(1, |b| b.version + 1);
        let messages = campaign_change_messages(before, &as_stored, covered);
        let events = events(self.ports.ids.as_ref(), correlation, at, messages);
        let stored = match before {
            None => self.ports.campaigns.insert(after, &events).await,
            Some(b) => self.ports.campaigns.update(after, b.version, &events).await,
        }
        .map_err(store_error)?;
        let mut stale = vec![&stored];
        stale.extend(before);
        self.cache.invalidate(&stale).await;
        Ok(stored)
    }
}

/// Maps a store error on a campaign to what the client sees; outages are logged here, once.
fn store_error(error: StoreError) -> DomainError {
    if let StoreError::Unavailable(reason) = &error {
        tracing::error!(%reason, "campaign store unavailable");
    }
    error.into_domain(DomainError::CampaignNotFound)
}
