//! `PromoterRepository` on MongoDB: the `promoters` collection, one [`PromoterDocument`] per
//! promoter (see `documents::promoter`). Promoter writes owe no outbox events, so an update
//! replaces the whole document, conditional on the version.

use std::collections::HashSet;

use async_trait::async_trait;
use campaign_domain::paging::{Page, PageRequest};
use campaign_domain::promoter::Promoter;
use campaign_domain::values::PromoterId;
use campaign_ports::{PromoterRepository, StoreError};
use futures::TryStreamExt as _;
use mongodb::bson::{Document, doc};

use crate::documents::promoter::PromoterDocument;
use crate::documents::{encode, object_id, object_ids, read, read_id, stored_version};
use crate::errors::failed;
use crate::writes::version_in;
use crate::{MongoStore, reads};

/// The stored document of `promoter` at `version`.
fn promoter_doc(promoter: &Promoter, version: u64) -> Result<Document, StoreError> {
    encode(
        &PromoterDocument::from(promoter).at_version(version),
        "promoter",
    )
}

/// The promoter a stored document holds (`StoreError::Internal` when it does not decode).
fn promoter_from(stored: Document) -> Result<Promoter, StoreError> {
    read::<PromoterDocument, Promoter>(stored, "promoter")
}

fn by_id(id: &PromoterId) -> Document {
    doc! {"_id": object_id(id)}
}

#[async_trait]
impl PromoterRepository for MongoStore {
    async fn insert(&self, promoter: &Promoter) -> Result<Promoter, StoreError> {
        self.promoters
            .insert_one(promoter_doc(promoter, 1)?)
            .await
            .map_err(failed("insert promoter"))?;
        let mut stored = promoter.clone();
        stored.version = 1;
        Ok(stored)
    }

    async fn update(
        &self,
        promoter: &Promoter,
        expected_version: u64,
    ) -> Result<Promoter, StoreError> {
        let next = expected_version + 1;
        let mut filter = by_id(&promoter.id);
        filter.insert("version", stored_version(expected_version));
        let result = self
            .promoters
            .replace_one(filter, promoter_doc(promoter, next)?)
            .await
            .map_err(failed("update promoter"))?;
        if result.matched_count == 1 {
            let mut stored = promoter.clone();
            stored.version = next;
            return Ok(stored);
        }
        match self
            .promoters
            .find_one(by_id(&promoter.id))
            .await
            .map_err(failed("find promoter"))?
        {
            None => Err(StoreError::NotFound),
            Some(now) => Err(StoreError::VersionConflict {
                expected: expected_version,
                current: version_in(&now),
            }),
        }
    }

    async fn delete(&self, id: &PromoterId) -> Result<(), StoreError> {
        let result = self
            .promoters
            .delete_one(by_id(id))
            .await
            .map_err(failed("delete promoter"))?;
        if result.deleted_count == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    async fn find_by_id(&self, id: &PromoterId) -> Result<Option<Promoter>, StoreError> {
        self.promoters
            .find_one(by_id(id))
            .await
            .map_err(failed("find promoter"))?
            .map(promoter_from)
            .transpose()
    }

    async fn existing_ids(&self, ids: &[PromoterId]) -> Result<Vec<PromoterId>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let docs: Vec<Document> = self
            .promoters
            .find(doc! {"_id": {"$in": object_ids(ids)}})
            .projection(doc! {"_id": 1})
            .await
            .map_err(failed("find promoters"))?
            .try_collect()
            .await
            .map_err(failed("read promoter ids"))?;
        let found: HashSet<PromoterId> = docs
            .iter()
            .map(|d| read_id(d, "promoter", PromoterId::parse))
            .collect::<Result<_, _>>()?;
        Ok(ids
            .iter()
            .filter(|id| found.contains(id))
            .cloned()
            .collect())
    }

    async fn list(&self, page: PageRequest) -> Result<Page<Promoter>, StoreError> {
        reads::page(
            &self.promoters,
            doc! {},
            doc! {"name": 1, "_id": 1},
            page,
            promoter_from,
        )
        .await
    }
}
