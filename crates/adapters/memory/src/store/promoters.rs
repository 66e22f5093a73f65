//! `PromoterRepository` on the in-memory store.

use async_trait::async_trait;
use campaign_domain::paging::{Page, PageRequest};
use campaign_domain::promoter::Promoter;
use campaign_domain::values::PromoterId;
use campaign_ports::{PromoterRepository, StoreError};

use super::{MemoryStore, check_version};

#[async_trait]
impl PromoterRepository for MemoryStore {
    async fn insert(&self, promoter: &Promoter) -> Result<Promoter, StoreError> {
        let mut state = self.state();
        if state.promoters.contains_key(&promoter.id) {
            return Err(StoreError::Unavailable(format!(
                "duplicate promoter id {}",
                promoter.id
            )));
        }
        let mut stored = promoter.clone();
        stored.version = 1;
        state.promoters.insert(stored.id.clone(), stored.clone());
        Ok(stored)
    }

    async fn update(
        &self,
        promoter: &Promoter,
        expected_version: u64,
    ) -> Result<Promoter, StoreError> {
        let mut state = self.state();
        let current = state
            .promoters
            .get(&promoter.id)
            .ok_or(StoreError::NotFound)?;
        check_version(expected_version, current.version)?;
        let mut stored = promoter.clone();
        stored.version = expected_version + 1;
        state.promoters.insert(stored.id.clone(), stored.clone());
        Ok(stored)
    }

    async fn delete(&self, id: &PromoterId) -> Result<(), StoreError> {
        self.state()
            .promoters
            .remove(id)
            .map(|_| ())
            .ok_or(StoreError::NotFound)
    }

    async fn find_by_id(&self, id: &PromoterId) -> Result<Option<Promoter>, StoreError> {
        Ok(self.state().promoters.get(id).cloned())
    }

    async fn existing_ids(&self, ids: &[PromoterId]) -> Result<Vec<PromoterId>, StoreError> {
        let state = self.state();
        Ok(ids
            .iter()
            .filter(|id| state.promoters.contains_key(id))
            .cloned()
            .collect())
    }

    async fn list(&self, page: PageRequest) -> Result<Page<Promoter>, StoreError> {
        let mut all: Vec<Promoter> = self.state().promoters.values().cloned().collect();
        all.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        Ok(Page::from_all(all, page))
    }
}
