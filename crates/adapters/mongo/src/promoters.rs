//! `PromoterRepository` on MongoDB: the `promoters` collection (wire shape, dates under `date`
//! as BSON dates, plus `version`). Promoter writes owe no outbox events, so an update replaces
//! the whole document, conditional on the version.

use std::collections::HashSet;

use async_trait::async_trait;
use campaign_domain::paging::{Page, PageRequest};
use campaign_domain::promoter::Promoter;
use campaign_domain::values::PromoterId;
use campaign_ports::{PromoterRepository, StoreError};
use futures::TryStreamExt as _;
use mongodb::bson::{Document, doc};

use crate::document::{from_document, id_bson, id_list, id_text, to_document};
use crate::errors::failed;
use crate::writes::{stored_version, version_bson};
use crate::{MongoStore, reads};

const DATE_FIELDS: &[&str] = &["date"];

fn promoter_doc(promoter: &Promoter, version: u64) -> Result<Document, StoreError> {
    let mut doc = to_document(promoter, DATE_FIELDS)?;
    doc.insert("version", version_bson(version));
    Ok(doc)
}

fn by_id(id: &PromoterId) -> Document {
    doc! {"_id": id_bson(id.as_str())}
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
        filter.insert("version", version_bson(expected_version));
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
                current: stored_version(&now),
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
            .map(from_document)
            .transpose()
    }

    async fn existing_ids(&self, ids: &[PromoterId]) -> Result<Vec<PromoterId>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let docs: Vec<Document> = self
            .promoters
            .find(doc! {"_id": {"$in": id_list(ids.iter().map(PromoterId::as_str))}})
            .projection(doc! {"_id": 1})
            .await
            .map_err(failed("find promoters"))?
            .try_collect()
            .await
            .map_err(failed("read promoter ids"))?;
        let found: HashSet<String> = docs
            .iter()
            .filter_map(|d| d.get("_id").and_then(id_text))
            .collect();
        Ok(ids
            .iter()
            .filter(|id| found.contains(id.as_str()))
            .cloned()
            .collect())
    }

    async fn list(&self, page: PageRequest) -> Result<Page<Promoter>, StoreError> {
        reads::page(
            &self.promoters,
            doc! {},
            doc! {"name": 1, "_id": 1},
            page,
            from_document,
        )
        .await
    }
}
