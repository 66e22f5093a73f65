//! `GET /campaigns/{id}/markets` and `GET /campaigns/{id}/markets/{marketId}`.

use campaign_domain::DomainError;
use campaign_domain::market::Market;
use campaign_domain::permission::Action;
use campaign_domain::values::{CampaignId, MarketId};

use super::{MarketService, store_error};
use crate::RequestContext;

impl MarketService {
    /// One market of a campaign.
    ///
    /// Errors: `UNAUTHORIZED` without `read` on the campaign (whether or not it exists);
    /// `CAMPAIGN_NOT_FOUND` when the campaign does not exist; `MARKET_NOT_FOUND` when it has no
    /// such market.
    pub async fn get(
        &self,
        ctx: &RequestContext,
        campaign_id: &CampaignId,
        market_id: &MarketId,
    ) -> Result<Market, DomainError> {
        ctx.actor.require(Action::Read, campaign_id)?;
        let found = self
            .ports
            .markets
            .find(campaign_id, market_id)
            .await
            .map_err(store_error)?;
        match found {
            Some(market) => Ok(market),
            None => {
                self.load_campaign(campaign_id).await?;
                Err(DomainError::MarketNotFound)
            }
        }
    }

    /// Every market of a campaign, by name then id.
    ///
    /// Errors: `UNAUTHORIZED` without `read`; `CAMPAIGN_NOT_FOUND`.
    pub async fn list(
        &self,
        ctx: &RequestContext,
        campaign_id: &CampaignId,
    ) -> Result<Vec<Market>, DomainError> {
        ctx.actor.require(Action::Read, campaign_id)?;
        self.load_campaign(campaign_id).await?;
        self.campaign_markets(campaign_id).await
    }
}
