//! `POST /campaigns/{id}/markets`, `POST` and `DELETE /campaigns/{id}/markets/{marketId}`.

use std::iter::once;

use campaign_domain::DomainError;
use campaign_domain::market::Market;
use campaign_domain::messages::{Operation, covered_event_ids, market_change_messages};
use campaign_domain::permission::Action;
use campaign_domain::serde_json::Value;
use campaign_domain::values::{CampaignId, MarketId};
use campaign_ports::StoreError;

use super::{MarketService, check_unique, store_error};
use crate::RequestContext;

/// How often a delete without `If-Match` is retried when the market changes between its read
/// and its removal.
const DELETE_ATTEMPTS: usize = 3;

impl MarketService {
    /// Creates a market of `campaign_id` from a client document.
    ///
    /// Errors: `UNAUTHORIZED` without `write` on the campaign (whether or not it exists);
    /// `CAMPAIGN_NOT_FOUND`; `VALIDATION_ERROR` with every failing field; `INVALID_MARKET` when
    /// the presale time lies outside the campaign's presale window or a promoter, event or venue
    /// id does not exist; `MARKET_NAME_EXISTS`; `DUPLICATE_EVENT_ID` (also when a concurrent
    /// write wins the race); `DEPENDENCY_UNAVAILABLE` when the Discovery API fails.
    pub async fn create(
        &self,
        ctx: &RequestContext,
        campaign_id: &CampaignId,
        body: &Value,
    ) -> Result<Market, DomainError> {
        ctx.actor.require(Action::Write, campaign_id)?;
        let campaign = self.load_campaign(campaign_id).await?;
        let now = self.ports.clock.now();
        let mut market =
            Market::parse_new(body, self.ports.ids.market_id(), campaign_id.clone(), now)?;
        market.check_against(&campaign)?;
        let others = self.campaign_markets(campaign_id).await?;
        check_unique(&others, &market)?;
        self.check_references(None, &market).await?;
        // The version the store gives a new market: the messages carry the stored document.
        market.version = 1;
        let covered = covered_event_ids(&campaign, others.iter().chain(once(&market)));
        let messages = market_change_messages(Operation::Create, None, &market, &campaign, covered);
        let events = self.events(ctx, now, messages);
        let stored = self
            .ports
            .markets
            .insert(&market, &events)
            .await
            .map_err(store_error)?;
        self.record_event_dates(&stored).await;
        Ok(stored)
    }

    /// Applies a JSON merge patch to a market; `if_match` makes the write conditional on the
    /// version the client read.
    ///
    /// Errors: as for [`create`](Self::create), plus `MARKET_NOT_FOUND` and `VERSION_CONFLICT`
    /// (the stored version is not `if_match`, or another write won meanwhile).
    pub async fn update(
        &self,
        ctx: &RequestContext,
        campaign_id: &CampaignId,
        market_id: &MarketId,
        patch: &Value,
        if_match: Option<u64>,
    ) -> Result<Market, DomainError> {
        ctx.actor.require(Action::Write, campaign_id)?;
        let campaign = self.load_campaign(campaign_id).await?;
        let before = self.load_market(campaign_id, market_id).await?;
        check_version(if_match, before.version)?;
        let now = self.ports.clock.now();
        let mut after = before.parse_update(patch, now)?;
        after.check_against(&campaign)?;
        let others: Vec<Market> = self
            .campaign_markets(campaign_id)
            .await?
            .into_iter()
            .filter(|m| &m.id != market_id)
            .collect();
        check_unique(&others, &after)?;
        self.check_references(Some(&before), &after).await?;
        after.version = before.version + 1;
        let covered = covered_event_ids(&campaign, others.iter().chain(once(&after)));
        let messages =
            market_change_messages(Operation::Update, Some(&before), &after, &campaign, covered);
        let events = self.events(ctx, now, messages);
        let stored = self
            .ports
            .markets
            .update(&after, before.version, &events)
            .await
            .map_err(store_error)?;
        self.record_event_dates(&stored).await;
        Ok(stored)
    }

    /// Deletes a market. With `if_match` the delete happens only at that version; without it, a
    /// market that changes between read and delete is read again (a few times) so the delete
    /// message carries the document that was removed.
    ///
    /// Errors: `UNAUTHORIZED`, `CAMPAIGN_NOT_FOUND`, `MARKET_NOT_FOUND`, `VERSION_CONFLICT`.
    pub async fn delete(
        &self,
        ctx: &RequestContext,
        campaign_id: &CampaignId,
        market_id: &MarketId,
        if_match: Option<u64>,
    ) -> Result<(), DomainError> {
        ctx.actor.require(Action::Write, campaign_id)?;
        let campaign = self.load_campaign(campaign_id).await?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let market = self.load_market(campaign_id, market_id).await?;
            check_version(if_match, market.version)?;
            let others: Vec<Market> = self
                .campaign_markets(campaign_id)
                .await?
                .into_iter()
                .filter(|m| &m.id != market_id)
                .collect();
            let covered = covered_event_ids(&campaign, &others);
            let now = self.ports.clock.now();
            let messages = market_change_messages(
                Operation::Delete,
                Some(&market),
                &market,
                &campaign,
                covered,
            );
            let events = self.events(ctx, now, messages);
            match self
                .ports
                .markets
                .delete(campaign_id, market_id, Some(market.version), &events)
                .await
            {
                Ok(_) => return Ok(()),
                Err(StoreError::VersionConflict { .. })
                    if if_match.is_none() && attempt < DELETE_ATTEMPTS => {}
                Err(error) => return Err(store_error(error)),
            }
        }
    }
}

/// `VERSION_CONFLICT` when the client's `If-Match` is not the stored version.
fn check_version(if_match: Option<u64>, current: u64) -> Result<(), DomainError> {
    match if_match {
        Some(expected) if expected != current => {
            Err(DomainError::VersionConflict { expected, current })
        }
        _ => Ok(()),
    }
}
