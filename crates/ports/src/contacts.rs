//! The contact repository.

use async_trait::async_trait;
use campaign_domain::contact::Contact;
use campaign_domain::paging::{Page, PageRequest};
use campaign_domain::values::ContactId;

use crate::error::StoreError;

/// Where contacts are stored.
#[async_trait]
pub trait ContactRepository: Send + Sync + 'static {
    /// Inserts or replaces each contact by id.
    async fn upsert(&self, contacts: &[Contact]) -> Result<(), StoreError>;

    /// The contacts with these ids that exist, in the order of `ids`.
    async fn find_by_ids(&self, ids: &[ContactId]) -> Result<Vec<Contact>, StoreError>;

    /// One page of contacts whose name, e-mail or a keyword contains `text`
    /// (case-insensitive, literal), or of all contacts when `text` is `None`; by name, then id.
    async fn search(
        &self,
        text: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<Contact>, StoreError>;
}
