//! `CampaignRepository` on the in-memory store.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use async_trait::async_trait;
use campaign_domain::Campaign;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::contact::Contact;
use campaign_domain::messages::OutboundEvent;
use campaign_domain::paging::{Page, PageRequest, SortDirection};
use campaign_domain::permission::ReadScope;
use campaign_domain::status::Status;
use campaign_domain::values::{ArtistId, CampaignId, CategoryId, DomainName, EventId};
use campaign_ports::{CampaignQuery, CampaignRepository, CampaignSortField, StoreError};

use super::{MemoryStore, State, check_version, contains_ci, outbox_entries};

impl State {
    /// Fails when another campaign than `campaign` holds one of its hosts.
    fn check_hosts(&self, campaign: &Campaign) -> Result<(), StoreError> {
        for host in campaign.domain.hosts() {
            if self
                .hosts
                .get(host)
                .is_some_and(|holder| *holder != campaign.id)
            {
                return Err(StoreError::DomainTaken(host.clone()));
            }
        }
        Ok(())
    }

    /// Stores `campaign` and indexes its hosts (again only when its domain changed). Returns
    /// the campaign it replaces, for the caller to drop once the lock is released.
    fn put_campaign(&mut self, campaign: Campaign) -> Option<Campaign> {
        let old = self.campaigns.get(&campaign.id);
        if old.is_none_or(|old| old.domain != campaign.domain) {
            if let Some(old) = old {
                for host in old.domain.hosts() {
                    self.hosts.remove(host);
                }
            }
            for host in campaign.domain.hosts() {
                self.hosts.insert(host.clone(), campaign.id.clone());
            }
        }
        match self.campaigns.get_mut(&campaign.id) {
            Some(slot) => Some(std::mem::replace(slot, campaign)),
            None => self.campaigns.insert(campaign.id.clone(), campaign),
        }
    }

    /// The version check and host check of an update of `campaign`.
    fn check_update(&self, campaign: &Campaign, expected_version: u64) -> Result<(), StoreError> {
        let current = self
            .campaigns
            .get(&campaign.id)
            .ok_or(StoreError::NotFound)?;
        check_version(expected_version, current.version)?;
        self.check_hosts(campaign)
    }
}

/// A copy of `campaign` at `version`: what a write stores, and what it answers.
fn versioned(campaign: &Campaign, version: u64) -> Campaign {
    let mut copy = campaign.clone();
    copy.version = version;
    copy
}

/// Whether `scope` holds campaign `id`.
pub(super) fn in_scope(scope: &ReadScope, id: &CampaignId) -> bool {
    match scope {
        ReadScope::All => true,
        ReadScope::Only(ids) => ids.contains(id),
    }
}

/// Whether `c`'s presale window overlaps `[start, end]` (a window without end never ends).
fn in_presale(c: &Campaign, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    c.date.presale_window_start.is_some_and(|s| s <= end)
        && c.date.presale_window_end.is_none_or(|e| e >= start)
}

fn matches(c: &Campaign, q: &CampaignQuery, text: Option<&str>) -> bool {
    in_scope(&q.scope, &c.id)
        && q.kind.is_none_or(|k| c.kind == k)
        && q.schema_version.is_none_or(|v| c.schema.version == Some(v))
        && q.artist_id.as_ref().is_none_or(|a| &c.artist.id == a)
        && (q.statuses.is_empty() || q.statuses.contains(&c.status))
        && text.is_none_or(|t| {
            contains_ci(&c.name, t)
                || c.artist.name.as_deref().is_some_and(|n| contains_ci(n, t))
                || c.domain
                    .site
                    .as_ref()
                    .is_some_and(|d| d.as_str().contains(t))
        })
}

fn compare(a: &Campaign, b: &Campaign, field: CampaignSortField) -> Ordering {
    match field {
        CampaignSortField::Created => a.date.created.cmp(&b.date.created),
        CampaignSortField::Updated => a.date.updated.cmp(&b.date.updated),
        CampaignSortField::Name => a.name.cmp(&b.name),
        // `None` sorts before `Some`: missing values first, as in MongoDB.
        CampaignSortField::Open => a.date.open.cmp(&b.date.open),
        CampaignSortField::Close => a.date.close.cmp(&b.date.close),
        CampaignSortField::Status => a.status.cmp(&b.status),
    }
}

#[async_trait]
impl CampaignRepository for MemoryStore {
    async fn insert(
        &self,
        campaign: &Campaign,
        events: &[OutboundEvent],
    ) -> Result<Campaign, StoreError> {
        // Copied before the lock is taken (see `update`).
        let stored = versioned(campaign, 1);
        let entries = outbox_entries(events);
        {
            let mut state = self.state();
            if state.campaigns.contains_key(&campaign.id) {
                return Err(StoreError::Unavailable(format!(
                    "duplicate campaign id {}",
                    campaign.id
                )));
            }
            state.check_hosts(campaign)?;
            state.put_campaign(stored);
            state.record(entries);
        }
        Ok(versioned(campaign, 1))
    }

    async fn update(
        &self,
        campaign: &Campaign,
        expected_version: u64,
        events: &[OutboundEvent],
    ) -> Result<Campaign, StoreError> {
        // Everything the write needs is copied before the lock is taken, and the replaced
        // campaign dropped after: the lock is held for the checks and the swap only.
        let next = expected_version + 1;
        let stored = versioned(campaign, next);
        let entries = outbox_entries(events);
        let replaced = {
            let mut state = self.state();
            state.check_update(campaign, expected_version)?;
            let replaced = state.put_campaign(stored);
            state.record(entries);
            replaced
        };
        drop(replaced);
        Ok(versioned(campaign, next))
    }

    async fn update_with_contacts(
        &self,
        campaign: &Campaign,
        expected_version: u64,
        contacts: &[Contact],
        events: &[OutboundEvent],
    ) -> Result<Campaign, StoreError> {
        let next = expected_version + 1;
        let stored = versioned(campaign, next);
        let entries = outbox_entries(events);
        let contacts: Vec<Contact> = contacts.to_vec();
        let replaced = {
            // One lock: every check passes before anything changes, so both writes or neither.
            let mut state = self.state();
            state.check_update(campaign, expected_version)?;
            let mut replaced_contacts = Vec::with_capacity(contacts.len());
            for contact in contacts {
                replaced_contacts.push(state.contacts.insert(contact.id.clone(), contact));
            }
            let replaced = state.put_campaign(stored);
            state.record(entries);
            (replaced, replaced_contacts)
        };
        drop(replaced);
        Ok(versioned(campaign, next))
    }

    async fn find_by_host(&self, host: &DomainName) -> Result<Option<Campaign>, StoreError> {
        let state = self.state();
        Ok(state
            .hosts
            .get(host)
            .and_then(|id| state.campaigns.get(id))
            .cloned())
    }

    async fn find_by_id(&self, id: &CampaignId) -> Result<Option<Campaign>, StoreError> {
        Ok(self.state().campaigns.get(id).cloned())
    }

    async fn find_by_ids(&self, ids: &[CampaignId]) -> Result<Vec<Campaign>, StoreError> {
        let state = self.state();
        Ok(ids
            .iter()
            .filter_map(|id| state.campaigns.get(id).cloned())
            .collect())
    }

    async fn find_by_domain(&self, domain: &DomainName) -> Result<Option<Campaign>, StoreError> {
        // A host has at most one holder; it answers by domain as its site, or as its preview
        // while in PREVIEW.
        let state = self.state();
        Ok(state
            .hosts
            .get(domain)
            .and_then(|id| state.campaigns.get(id))
            .filter(|c| c.answers_to(domain))
            .cloned())
    }

    async fn list(&self, query: &CampaignQuery) -> Result<Page<Campaign>, StoreError> {
        let text = query
            .text
            .as_deref()
            .map(str::to_lowercase)
            .filter(|t| !t.is_empty());
        let mut found: Vec<Campaign> = self
            .state()
            .campaigns
            .values()
            .filter(|c| matches(c, query, text.as_deref()))
            .cloned()
            .collect();
        found.sort_by(|a, b| {
            let primary = compare(a, b, query.sort.field);
            let primary = match query.sort.direction {
                SortDirection::Ascending => primary,
                SortDirection::Descending => primary.reverse(),
            };
            primary.then_with(|| a.id.cmp(&b.id))
        });
        Ok(Page::from_all(found, query.page))
    }

    async fn refresh_candidates(
        &self,
        now: DateTime<Utc>,
        closed_before: DateTime<Utc>,
    ) -> Result<Vec<Campaign>, StoreError> {
        let due = |d: Option<DateTime<Utc>>, limit: DateTime<Utc>| d.is_some_and(|d| d <= limit);
        Ok(self
            .state()
            .campaigns
            .values()
            .filter(|c| match c.status {
                Status::Draft | Status::Preview => due(c.date.open, now),
                Status::Open => due(c.date.close, now),
                Status::Closed => due(c.date.closed, closed_before),
                Status::Inactive => false,
            })
            .cloned()
            .collect())
    }

    async fn covering_event(
        &self,
        event_id: &EventId,
        with_markets: &[CampaignId],
        scope: &ReadScope,
        page: PageRequest,
    ) -> Result<Page<Campaign>, StoreError> {
        // The map iterates by id, which is the promised order here and below.
        let found: Vec<Campaign> = self
            .state()
            .campaigns
            .values()
            .filter(|c| {
                in_scope(scope, &c.id)
                    && (c.event_ids.contains(event_id) || with_markets.contains(&c.id))
                    && !matches!(c.status, Status::Draft | Status::Preview)
                    && c.date.presale_window_start.is_some()
            })
            .cloned()
            .collect();
        Ok(Page::from_all(found, page))
    }

    async fn ids_by_category(
        &self,
        categories: &[CategoryId],
        scope: &ReadScope,
    ) -> Result<Vec<CampaignId>, StoreError> {
        Ok(self
            .state()
            .campaigns
            .values()
            .filter(|c| {
                in_scope(scope, &c.id)
                    && c.category_id
                        .as_ref()
                        .is_some_and(|cat| categories.contains(cat))
            })
            .map(|c| c.id.clone())
            .collect())
    }

    async fn ids_in_presale(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: &ReadScope,
    ) -> Result<Vec<CampaignId>, StoreError> {
        Ok(self
            .state()
            .campaigns
            .values()
            .filter(|c| in_scope(scope, &c.id) && in_presale(c, start, end))
            .map(|c| c.id.clone())
            .collect())
    }

    async fn category_ids_in_presale(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: &ReadScope,
    ) -> Result<Vec<CategoryId>, StoreError> {
        let categories: BTreeSet<CategoryId> = self
            .state()
            .campaigns
            .values()
            .filter(|c| in_scope(scope, &c.id) && in_presale(c, start, end))
            .filter_map(|c| c.category_id.clone())
            .collect();
        Ok(categories.into_iter().collect())
    }

    async fn find_by_artist(&self, artist_id: &ArtistId) -> Result<Vec<Campaign>, StoreError> {
        Ok(self
            .state()
            .campaigns
            .values()
            .filter(|c| &c.artist.id == artist_id)
            .cloned()
            .collect())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
