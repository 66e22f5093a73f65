//! The market repository.

use async_trait::async_trait;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::market::Market;
use campaign_domain::messages::OutboundEvent;
use campaign_domain::permission::ReadScope;
use campaign_domain::values::{CampaignId, EventId, MarketId};

use crate::error::StoreError;

/// Where markets are stored. Writes carry their outbound events, recorded atomically with the
/// change (see [`CampaignRepository`](crate::CampaignRepository)). The store owns `version`.
///
/// Uniqueness within a campaign holds under concurrent writers: market names (exact
/// comparison) and event ids (an event id belongs to at most one market of a campaign).
#[async_trait]
pub trait MarketRepository: Send + Sync + 'static {
    /// Stores a new market with version 1.
    ///
    /// MUST return [`StoreError::MarketNameTaken`] when the campaign has a market with this name
    /// and [`StoreError::EventIdTaken`] when another market of the campaign lists one of its
    /// event ids.
    async fn insert(&self, market: &Market, events: &[OutboundEvent])
    -> Result<Market, StoreError>;

    /// Replaces a market if its stored version is still `expected_version`.
    ///
    /// MUST return [`StoreError::NotFound`], [`StoreError::VersionConflict`],
    /// [`StoreError::MarketNameTaken`] or [`StoreError::EventIdTaken`] as for `insert`.
    async fn update(
        &self,
        market: &Market,
        expected_version: u64,
        events: &[OutboundEvent],
    ) -> Result<Market, StoreError>;

    /// Deletes a market of a campaign, when given only if its version is still
    /// `expected_version`, and returns it as it was.
    ///
    /// MUST return [`StoreError::NotFound`] when the campaign has no such market and
    /// [`StoreError::VersionConflict`] when the version differs.
    async fn delete(
        &self,
        campaign_id: &CampaignId,
        market_id: &MarketId,
        expected_version: Option<u64>,
        events: &[OutboundEvent],
    ) -> Result<Market, StoreError>;

    /// The market `market_id` of campaign `campaign_id`, if any.
    async fn find(
        &self,
        campaign_id: &CampaignId,
        market_id: &MarketId,
    ) -> Result<Option<Market>, StoreError>;

    /// The markets with these ids that exist (any campaign), by id.
    async fn find_by_ids(&self, ids: &[MarketId]) -> Result<Vec<Market>, StoreError>;

    /// Every market of a campaign, by name then id.
    async fn list_by_campaign(&self, campaign_id: &CampaignId) -> Result<Vec<Market>, StoreError>;

    /// The distinct event ids, sorted, that the markets of these campaigns list in
    /// `event.ids`.
    ///
    /// MUST answer each event id once, however many markets list it; the store de-duplicates
    /// itself and reads event ids only, not whole markets.
    async fn event_ids_of_campaigns(
        &self,
        campaign_ids: &[CampaignId],
    ) -> Result<Vec<EventId>, StoreError>;

    /// The distinct ids, sorted, of the campaigns inside `scope` that have a market listing
    /// `event_id` in `event.ids`.
    ///
    /// MUST never return an id outside `scope`; the store reads campaign ids only.
    async fn campaigns_listing_event(
        &self,
        event_id: &EventId,
        scope: &ReadScope,
    ) -> Result<Vec<CampaignId>, StoreError>;

    /// Markets that list `event_id` in `event.ids` (any campaign), by id.
    async fn find_by_event_id(&self, event_id: &EventId) -> Result<Vec<Market>, StoreError>;

    /// Markets whose `event.presaleDateTime` lies in `[from, to]`, by presale time then id.
    async fn presale_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Market>, StoreError>;

    /// Markets with `notification.date` ≤ `now` and no `notification.notified`, by date then id.
    async fn notifiable(&self, now: DateTime<Utc>) -> Result<Vec<Market>, StoreError>;
}
