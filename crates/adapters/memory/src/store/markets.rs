//! `MarketRepository` on the in-memory store.

use std::collections::BTreeSet;

use async_trait::async_trait;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::market::Market;
use campaign_domain::messages::OutboundEvent;
use campaign_domain::permission::ReadScope;
use campaign_domain::values::{CampaignId, EventId, MarketId};
use campaign_ports::{MarketRepository, StoreError};

use super::campaigns::in_scope;
use super::{MemoryStore, State, check_version, outbox_entries};

impl State {
    /// Fails when another market of the same campaign has `market`'s name or one of its event ids.
    fn check_market_unique(&self, market: &Market) -> Result<(), StoreError> {
        for other in self.markets.values() {
            if other.campaign_id != market.campaign_id || other.id == market.id {
                continue;
            }
            if other.name == market.name {
                return Err(StoreError::MarketNameTaken(market.name.clone()));
            }
            if let Some(id) = market
                .event
                .ids
                .iter()
                .find(|id| other.event.ids.contains(id))
            {
                return Err(StoreError::EventIdTaken(id.clone()));
            }
        }
        Ok(())
    }
}

#[async_trait]
impl MarketRepository for MemoryStore {
    async fn insert(
        &self,
        market: &Market,
        events: &[OutboundEvent],
    ) -> Result<Market, StoreError> {
        let mut state = self.state();
        if state.markets.contains_key(&market.id) {
            return Err(StoreError::Unavailable(format!(
                "duplicate market id {}",
                market.id
            )));
        }
        state.check_market_unique(market)?;
        let mut stored = market.clone();
        stored.version = 1;
        state.markets.insert(stored.id.clone(), stored.clone());
        state.record(outbox_entries(events));
        Ok(stored)
    }

    async fn update(
        &self,
        market: &Market,
        expected_version: u64,
        events: &[OutboundEvent],
    ) -> Result<Market, StoreError> {
        // Copied before the lock is taken, the replaced market dropped after (as campaigns).
        let mut stored = market.clone();
        stored.version = expected_version + 1;
        let entries = outbox_entries(events);
        let replaced = {
            let mut state = self.state();
            let current = state
                .markets
                .get(&market.id)
                .filter(|m| m.campaign_id == market.campaign_id)
                .ok_or(StoreError::NotFound)?;
            check_version(expected_version, current.version)?;
            state.check_market_unique(market)?;
            let replaced = state.markets.insert(market.id.clone(), stored);
            state.record(entries);
            replaced
        };
        drop(replaced);
        let mut stored = market.clone();
        stored.version = expected_version + 1;
        Ok(stored)
    }

    async fn delete(
        &self,
        campaign_id: &CampaignId,
        market_id: &MarketId,
        expected_version: Option<u64>,
        events: &[OutboundEvent],
    ) -> Result<Market, StoreError> {
        let mut state = self.state();
        let current = state
            .markets
            .get(market_id)
            .filter(|m| &m.campaign_id == campaign_id)
            .ok_or(StoreError::NotFound)?;
        if let Some(expected) = expected_version {
            check_version(expected, current.version)?;
        }
        let removed = state
            .markets
            .remove(market_id)
            .ok_or(StoreError::NotFound)?;
        state.record(outbox_entries(events));
        Ok(removed)
    }

    async fn find(
        &self,
        campaign_id: &CampaignId,
        market_id: &MarketId,
    ) -> Result<Option<Market>, StoreError> {
        Ok(self
            .state()
            .markets
            .get(market_id)
            .filter(|m| &m.campaign_id == campaign_id)
            .cloned())
    }

    async fn find_by_ids(&self, ids: &[MarketId]) -> Result<Vec<Market>, StoreError> {
        let state = self.state();
        let mut found: Vec<Market> = ids
            .iter()
            .filter_map(|id| state.markets.get(id).cloned())
            .collect();
        found.sort_by(|a, b| a.id.cmp(&b.id));
        found.dedup_by(|a, b| a.id == b.id);
        Ok(found)
    }

    async fn list_by_campaign(&self, campaign_id: &CampaignId) -> Result<Vec<Market>, StoreError> {
        let mut found: Vec<Market> = self
            .state()
            .markets
            .values()
            .filter(|m| &m.campaign_id == campaign_id)
            .cloned()
            .collect();
        found.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        Ok(found)
    }

    async fn event_ids_of_campaigns(
        &self,
        campaign_ids: &[CampaignId],
    ) -> Result<Vec<EventId>, StoreError> {
        let ids: BTreeSet<EventId> = self
            .state()
            .markets
            .values()
            .filter(|m| campaign_ids.contains(&m.campaign_id))
            .flat_map(|m| m.event.ids.iter().cloned())
            .collect();
        Ok(ids.into_iter().collect())
    }

    async fn campaigns_listing_event(
        &self,
        event_id: &EventId,
        scope: &ReadScope,
    ) -> Result<Vec<CampaignId>, StoreError> {
        let ids: BTreeSet<CampaignId> = self
            .state()
            .markets
            .values()
            .filter(|m| in_scope(scope, &m.campaign_id) && m.event.ids.contains(event_id))
            .map(|m| m.campaign_id.clone())
            .collect();
        Ok(ids.into_iter().collect())
    }

    async fn find_by_event_id(&self, event_id: &EventId) -> Result<Vec<Market>, StoreError> {
        Ok(self
            .state()
            .markets
            .values()
            .filter(|m| m.event.ids.contains(event_id))
            .cloned()
            .collect())
    }

    async fn presale_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Market>, StoreError> {
        let mut found: Vec<Market> = self
            .state()
            .markets
            .values()
            .filter(|m| {
                m.event
                    .presale_date_time
                    .is_some_and(|p| p >= from && p <= to)
            })
            .cloned()
            .collect();
        found.sort_by(|a, b| {
            (a.event.presale_date_time, &a.id).cmp(&(b.event.presale_date_time, &b.id))
        });
        Ok(found)
    }

    async fn notifiable(&self, now: DateTime<Utc>) -> Result<Vec<Market>, StoreError> {
        let mut found: Vec<Market> = self
            .state()
            .markets
            .values()
            .filter(|m| {
                m.notification.notified.is_none() && m.notification.date.is_some_and(|d| d <= now)
            })
            .cloned()
            .collect();
        found.sort_by(|a, b| (a.notification.date, &a.id).cmp(&(b.notification.date, &b.id)));
        Ok(found)
    }
}
