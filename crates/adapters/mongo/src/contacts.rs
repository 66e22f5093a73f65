//! `ContactRepository` on MongoDB: the `contacts` collection, one [`ContactDocument`] per
//! contact (see `documents::contact`).

use std::collections::HashMap;

use async_trait::async_trait;
use campaign_domain::contact::Contact;
use campaign_domain::paging::{Page, PageRequest};
use campaign_domain::values::ContactId;
use campaign_ports::{ContactRepository, StoreError};
use futures::TryStreamExt as _;
use mongodb::bson::{Document, doc};

use crate::campaigns::text_filter;
use crate::documents::contact::ContactDocument;
use crate::documents::{encode, object_id, object_ids, read};
use crate::errors::failed;
use crate::{MongoStore, reads};

/// The contact a stored document holds (`StoreError::Internal` when it does not decode).
fn contact_from(stored: Document) -> Result<Contact, StoreError> {
    read::<ContactDocument, Contact>(stored, "contact")
}

#[async_trait]
impl ContactRepository for MongoStore {
    async fn upsert(&self, contacts: &[Contact]) -> Result<(), StoreError> {
        for contact in contacts {
            let doc = encode(&ContactDocument::from(contact), "contact")?;
            self.contacts
                .replace_one(doc! {"_id": object_id(&contact.id)}, doc)
                .upsert(true)
                .await
                .map_err(failed("upsert contact"))?;
        }
        Ok(())
    }

    async fn find_by_ids(&self, ids: &[ContactId]) -> Result<Vec<Contact>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let docs: Vec<Document> = self
            .contacts
            .find(doc! {"_id": {"$in": object_ids(ids)}})
            .await
            .map_err(failed("find contacts"))?
            .try_collect()
            .await
            .map_err(failed("read contacts"))?;
        let mut by_id: HashMap<ContactId, Contact> = docs
            .into_iter()
            .map(contact_from)
            .map(|c| c.map(|c| (c.id.clone(), c)))
            .collect::<Result<_, _>>()?;
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    async fn search(
        &self,
        text: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<Contact>, StoreError> {
        let filter = match text.filter(|t| !t.is_empty()) {
            Some(t) => text_filter(t, &["name", "email", "keywords"]),
            None => doc! {},
        };
        reads::page(
            &self.contacts,
            filter,
            doc! {"name": 1, "_id": 1},
            page,
            contact_from,
        )
        .await
    }
}
