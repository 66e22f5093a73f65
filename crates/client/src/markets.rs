//! The markets of a campaign (SPEC §7.7): `/campaigns/{id}/markets...`.

use campaign_domain::values::{CampaignId, MarketId};
use campaign_http_types::market::{
    CloneMarkets, ClonedMarkets, Market, MarketList, MarketPatch, Markets, NewMarket,
};

use crate::client::{Call, Client};
use crate::{ClientError, ETag, Idempotent, Tagged};

/// The market operations of a [`Client`] on one campaign.
#[derive(Debug, Clone, Copy)]
pub struct CampaignMarkets<'c> {
    client: &'c Client,
    campaign: &'c CampaignId,
}

impl<'c> CampaignMarkets<'c> {
    pub(crate) fn new(client: &'c Client, campaign: &'c CampaignId) -> Self {
        Self { client, campaign }
    }

    fn path(&self, rest: &str) -> String {
        format!("/campaigns/{}/markets{rest}", self.campaign)
    }

    /// `GET /campaigns/{id}/markets`: the campaign's markets by name.
    pub async fn list(&self) -> Result<Vec<Market<'static>>, ClientError> {
        let answer: MarketList<'static> =
            self.client.send(Call::get(self.path(""))).await?.data()?;
        match answer {
            MarketList::Markets(Markets { markets }) => Ok(markets),
            MarketList::GeoJson(_) => Err(ClientError::Unexpected {
                status: 200,
                reason: "GeoJSON markets without asking for them".to_owned(),
            }),
        }
    }

    /// `GET /campaigns/{id}/markets/{marketId}`.
    pub async fn get(&self, market: &MarketId) -> Result<Tagged<Market<'static>>, ClientError> {
        let call = Call::get(self.path(&format!("/{market}")));
        self.client.send(call).await?.tagged()
    }

    /// `POST /campaigns/{id}/markets`. `key` names this creation for retries.
    pub async fn create(
        &self,
        market: &NewMarket<'_>,
        key: Option<Idempotent>,
    ) -> Result<Tagged<Market<'static>>, ClientError> {
        let call = Call::post(self.path(""), market, key)?;
        self.client.send(call).await?.tagged()
    }

    /// `POST /campaigns/{id}/markets/{marketId}`: a merge patch, conditional on `if_match`.
    pub async fn update(
        &self,
        market: &MarketId,
        patch: &MarketPatch<'_>,
        if_match: Option<&ETag>,
    ) -> Result<Tagged<Market<'static>>, ClientError> {
        let call = Call::post(self.path(&format!("/{market}")), patch, None)?.if_match(if_match);
        self.client.send(call).await?.tagged()
    }

    /// `DELETE /campaigns/{id}/markets/{marketId}`.
    pub async fn delete(&self, market: &MarketId) -> Result<(), ClientError> {
        let call = Call::delete(self.path(&format!("/{market}")));
        self.client
            .send::<serde_json::Value>(call)
            .await
            .map(|_| ())
    }

    /// `POST /campaigns/{id}/markets/clones`: copies the markets of `from` into this campaign.
    pub async fn clone_from(
        &self,
        from: &CampaignId,
        key: Option<Idempotent>,
    ) -> Result<ClonedMarkets<'static>, ClientError> {
        let body = CloneMarkets {
            from_campaign_id: std::borrow::Cow::Borrowed(from),
        };
        let call = Call::post(self.path("/clones"), &body, key)?;
        self.client.send(call).await?.data()
    }
}
