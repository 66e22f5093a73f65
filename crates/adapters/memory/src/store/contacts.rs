//! `ContactRepository` on the in-memory store.

use async_trait::async_trait;
use campaign_domain::contact::Contact;
use campaign_domain::paging::{Page, PageRequest};
use campaign_domain::values::ContactId;
use campaign_ports::{ContactRepository, StoreError};

use super::MemoryStore;

#[async_trait]
impl ContactRepository for MemoryStore {
    async fn upsert(&self, contacts: &[Contact]) -> Result<(), StoreError> {
        let mut state = self.state();
        for c in contacts {
            state.contacts.insert(c.id.clone(), c.clone());
        }
        Ok(())
    }

    async fn find_by_ids(&self, ids: &[ContactId]) -> Result<Vec<Contact>, StoreError> {
        let state = self.state();
        Ok(ids
            .iter()
            .filter_map(|id| state.contacts.get(id).cloned())
            .collect())
    }

    async fn search(
        &self,
        text: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<Contact>, StoreError> {
        let needle = text.map(str::to_lowercase).filter(|t| !t.is_empty());
        let mut found: Vec<Contact> = self
            .state()
            .contacts
            .values()
            .filter(|c| needle.as_deref().is_none_or(|n| c.matches(n)))
            .cloned()
            .collect();
        found.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        Ok(Page::from_all(found, page))
    }
}
