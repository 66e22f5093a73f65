//! The promoter repository.

use async_trait::async_trait;
use campaign_domain::paging::{Page, PageRequest};
use campaign_domain::promoter::Promoter;
use campaign_domain::values::PromoterId;

use crate::error::StoreError;

/// Where promoters are stored. The store owns `version`.
#[async_trait]
pub trait PromoterRepository: Send + Sync + 'static {
    /// Stores a new promoter with version 1.
    async fn insert(&self, promoter: &Promoter) -> Result<Promoter, StoreError>;

    /// Replaces a promoter if its stored version is still `expected_version`.
    ///
    /// MUST return [`StoreError::NotFound`] or [`StoreError::VersionConflict`].
    async fn update(
        &self,
        promoter: &Promoter,
        expected_version: u64,
    ) -> Result<Promoter, StoreError>;

    /// Deletes a promoter. MUST return [`StoreError::NotFound`] when there is none.
    async fn delete(&self, id: &PromoterId) -> Result<(), StoreError>;

    /// The promoter with this id, if any.
    async fn find_by_id(&self, id: &PromoterId) -> Result<Option<Promoter>, StoreError>;

    /// Which of `ids` exist, in the order of `ids`.
    async fn existing_ids(&self, ids: &[PromoterId]) -> Result<Vec<PromoterId>, StoreError>;

    /// One page of promoters by name, then id.
    async fn list(&self, page: PageRequest) -> Result<Page<Promoter>, StoreError>;
}
