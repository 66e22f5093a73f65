//! `/promoters` (SPEC §7.8; supreme tokens only).

use campaign_domain::paging::PageRequest;
use campaign_domain::values::PromoterId;
use campaign_http_types::promoter::{NewPromoter, Promoter, PromoterPage, PromoterPatch};

use crate::client::{Call, Client};
use crate::{ClientError, ETag, Idempotent, Tagged};

/// The promoter operations of a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Promoters<'c> {
    client: &'c Client,
}

impl<'c> Promoters<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// `GET /promoters`: one page of promoters by name.
    pub async fn list(&self, page: PageRequest) -> Result<PromoterPage<'static>, ClientError> {
        let call = Call::get("/promoters".to_owned())
            .query("page", Some(page.page()))
            .query("pageSize", Some(page.page_size()));
        self.client.send(call).await?.data()
    }

    /// `GET /promoters/{id}`.
    pub async fn get(&self, id: &PromoterId) -> Result<Tagged<Promoter<'static>>, ClientError> {
        let call = Call::get(format!("/promoters/{id}"));
        self.client.send(call).await?.tagged()
    }

    /// `POST /promoters`. `key` names this creation for retries (a fresh key when `None`).
    pub async fn create(
        &self,
        promoter: &NewPromoter<'_>,
        key: Option<Idempotent>,
    ) -> Result<Tagged<Promoter<'static>>, ClientError> {
        let call = Call::post("/promoters".to_owned(), promoter, key)?;
        self.client.send(call).await?.tagged()
    }

    /// `POST /promoters/{id}`: a merge patch, applied only if the promoter is still at `if_match`
    /// (when given; `VERSION_CONFLICT` otherwise).
    pub async fn update(
        &self,
        id: &PromoterId,
        patch: &PromoterPatch<'_>,
        if_match: Option<&ETag>,
    ) -> Result<Tagged<Promoter<'static>>, ClientError> {
        let call = Call::post(format!("/promoters/{id}"), patch, None)?.if_match(if_match);
        self.client.send(call).await?.tagged()
    }

    /// `DELETE /promoters/{id}`.
    pub async fn delete(&self, id: &PromoterId) -> Result<(), ClientError> {
        let call = Call::delete(format!("/promoters/{id}"));
        self.client
            .send::<serde_json::Value>(call)
            .await
            .map(|_| ())
    }
}
