//! Campaign use cases (SPEC §6 "Campaigns"): create, read by id and by domain, status, list,
//! update with manual transitions, FAQs and terms, contacts, and the status refresh.
//!
//! Every write goes through `CampaignService::save`, which checks the site domain, records the
//! messages the change owes (SPEC §8) in the same write, and publishes the stored version to
//! the cache before the write is acknowledged.

mod cache;
mod contacts;
mod content;
mod create;
mod list;
mod read;
mod refresh;
mod update;

use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::contact::Contact;
use campaign_domain::messages::{OutboundMessage, campaign_change_messages};
use campaign_domain::values::{CampaignId, EventId};
use campaign_domain::{Campaign, DomainError};
use campaign_ports::RateLimit;

pub use list::{ListCampaigns, MAX_LIST_QUERY_CHARS};
pub use read::{CampaignStatusView, DomainRead};

use self::cache::CampaignCache;
use crate::outbox::events;
use crate::password::PasswordHasher;
use crate::ports::{Ports, Settings};

/// How often a write without a version condition is tried when other writers keep winning the
/// race for the same campaign (each lost race means another write succeeded).
const MAX_WRITE_ATTEMPTS: u32 = 16;

/// A result together with the version of the campaign it was written to (for the `ETag` of
/// the answer).
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned<T> {
    /// The result.
    pub value: T,
    /// The campaign's version after the write.
    pub version: u64,
}

/// `VERSION_CONFLICT` when the client's `If-Match` names another version than `current`'s.
fn check_if_match(if_match: Option<u64>, current: &Campaign) -> Result<(), DomainError> {
    match if_match {
        Some(expected) if expected != current.version => Err(DomainError::VersionConflict {
            expected,
            current: current.version,
        }),
        _ => Ok(()),
    }
}

/// The campaign use cases.
#[derive(Debug, Clone)]
pub struct CampaignService {
    ports: Ports,
    cache: CampaignCache,
    hasher: PasswordHasher,
    /// Wrong passwords allowed per campaign and caller (`None`: not limited).
    password_rate_limit: Option<RateLimit>,
    /// One password attempt at a time per (campaign, caller), so concurrent guesses cannot all
    /// pass the limit's check before the first failure is counted.
    password_attempts: crate::rate_limits::KeyedGate,
}

impl CampaignService {
    /// The use cases over `ports`.
    pub fn new(ports: Ports, settings: &Settings, hasher: PasswordHasher) -> Self {
        let cache = CampaignCache::new(
            settings.cache_records.then(|| ports.cache.clone()),
            settings.campaign_cache_ttl,
        );
        Self {
            ports,
            cache,
            hasher,
            password_rate_limit: settings.password_rate_limit,
            password_attempts: crate::rate_limits::KeyedGate::default(),
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

    /// Fails with `DOMAIN_NAME_CONFLICT` when another campaign holds one of the hosts
    /// `campaign` takes that `before` did not hold (site or preview, in either role: SPEC
    /// §7.4). The store enforces the same rule at write time; this check gives the early, clear
    /// answer.
    async fn check_hosts_free(
        &self,
        before: Option<&Campaign>,
        campaign: &Campaign,
    ) -> Result<(), DomainError> {
        let held = before.map(|b| b.domain.hosts()).unwrap_or_default();
        for host in campaign.domain.hosts() {
            if held.contains(&host) {
                continue;
            }
            let holder = self
                .ports
                .campaigns
                .find_by_host(host)
                .await
                .map_err(store_error)?;
            if holder.is_some_and(|h| h.id != campaign.id) {
                return Err(DomainError::DomainNameConflict {
                    domain: host.to_string(),
                });
            }
        }
        Ok(())
    }

    /// Writes a change of `before` (or a new campaign when `None`) with the messages it owes,
    /// then publishes it to the cache. The write is conditional on `before`'s version.
    async fn save(
        &self,
        correlation: Option<&str>,
        before: Option<&Campaign>,
        after: &Campaign,
        at: DateTime<Utc>,
    ) -> Result<Campaign, DomainError> {
        self.write(correlation, before, after, at, None, Vec::new())
            .await
    }

    /// [`save`](Self::save) with more messages the change owes beyond the campaign's own
    /// (recorded in the same write).
    async fn save_with_messages(
        &self,
        correlation: Option<&str>,
        before: &Campaign,
        after: &Campaign,
        at: DateTime<Utc>,
        extra: Vec<OutboundMessage>,
    ) -> Result<Campaign, DomainError> {
        self.write(correlation, Some(before), after, at, None, extra)
            .await
    }

    /// [`save`](Self::save) of a change of `before` together with the upsert of `contacts`,
    /// as one change.
    async fn save_with_contacts(
        &self,
        correlation: Option<&str>,
        before: &Campaign,
        after: &Campaign,
        at: DateTime<Utc>,
        contacts: &[Contact],
    ) -> Result<Campaign, DomainError> {
        self.write(
            correlation,
            Some(before),
            after,
            at,
            Some(contacts),
            Vec::new(),
        )
        .await
    }

    async fn write(
        &self,
        correlation: Option<&str>,
        before: Option<&Campaign>,
        after: &Campaign,
        at: DateTime<Utc>,
        contacts: Option<&[Contact]>,
        extra: Vec<OutboundMessage>,
    ) -> Result<Campaign, DomainError> {
        if before.is_none_or(|b| b.domain != after.domain) {
            self.check_hosts_free(before, after).await?;
        }
        let covered = self.covered_event_ids(after).await?;
        // The messages describe the campaign as the store will hold it: version 1 when new,
        // the version written over plus one for a change.
        let mut as_stored = after.clone();
        as_stored.version = before.map_or(1, |b| b.version + 1);
        let mut messages = campaign_change_messages(before, &as_stored, covered);
        messages.extend(extra);
        let events = events(self.ports.ids.as_ref(), correlation, at, messages);
        let campaigns = &self.ports.campaigns;
        let stored = match (before, contacts) {
            (None, _) => campaigns.insert(after, &events).await,
            (Some(b), None) => campaigns.update(after, b.version, &events).await,
            (Some(b), Some(contacts)) => {
                campaigns
                    .update_with_contacts(after, b.version, contacts, &events)
                    .await
            }
        }
        .map_err(store_error)?;
        self.cache.refresh(before, &stored).await;
        Ok(stored)
    }
}

pub(crate) use crate::store_errors::campaign_store_error as store_error;
