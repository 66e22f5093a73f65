//! `IdempotencyStore` on MongoDB: the `idempotency_keys` collection, one
//! [`IdempotencyDocument`] per key (see `documents::idempotency`).
//!
//! `expiresAt` is the end of the lease while running and the end of the retention once
//! completed; a TTL index on it (`indexes`) removes expired documents eventually, and every read
//! treats a document whose `expiresAt` has passed as absent, so behaviour never depends on the
//! TTL monitor (the test server has none). A record that does not decode is
//! `StoreError::Internal`.
//!
//! Races are decided by the server, never by a read-then-write in the adapter:
//! - `begin` inserts the running document; the `_id` unique key lets exactly one concurrent
//!   insert win, and a duplicate-key error means someone else began: the document is read and
//!   judged. An expired document is taken over with a `replaceOne` conditional on the `claim`
//!   and `expiresAt` just read, so of two replicas taking over the same one, one wins and the
//!   other reads again;
//! - `complete` and `release` are conditional on the running state and the caller's claim.

use std::time::Duration;

use async_trait::async_trait;
use campaign_domain::chrono::{DateTime, TimeDelta, Utc};
use campaign_ports::{
    Begin, IdempotencyClaim, IdempotencyKey, IdempotencyStore, StoreError, StoredResponse,
};
use mongodb::Collection;
use mongodb::bson::{Document, doc};

use crate::MongoStore;
use crate::documents::idempotency::{
    EXPIRES_FIELD, IdempotencyDocument, IdempotencyState, ResponseDocument,
};
use crate::documents::{InvalidDocument, date, encode, encode_value};
use crate::errors::{driver_error, failed, is_duplicate_key};

/// The collection.
pub(crate) const COLLECTION: &str = "idempotency_keys";
const RUNNING: &str = IdempotencyState::Running.as_str();
const COMPLETED: &str = IdempotencyState::Completed.as_str();
/// Rounds of insert / read / take over before `begin` gives up (each lost round means another
/// writer changed the document in between; more than a few means something is wrong).
const ATTEMPTS: usize = 5;

/// `now + by`, saturating at the end of time.
fn after(now: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(by)
        .ok()
        .and_then(|by| now.checked_add_signed(by))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Decodes a stored record (`StoreError::Internal` when it does not decode).
fn record_from(stored: Document) -> Result<IdempotencyDocument, StoreError> {
    let id = stored
        .get("_id")
        .map(ToString::to_string)
        .unwrap_or_default();
    bson::from_document(stored)
        .map_err(|e| StoreError::internal(format!("decode idempotency record {id}"), e))
}

/// What a live (unexpired) record means for a `begin` with `fingerprint`.
fn judge(record: IdempotencyDocument, fingerprint: &str) -> Result<Begin, StoreError> {
    if record.fingerprint != fingerprint {
        return Ok(Begin::Mismatch);
    }
    match record.state {
        IdempotencyState::Running => Ok(Begin::InProgress),
        IdempotencyState::Completed => {
            let context = || format!("decode idempotency record {}", record.id);
            let response = record.response.ok_or_else(|| {
                StoreError::internal(
                    context(),
                    InvalidDocument("completed without a response".to_owned()),
                )
            })?;
            StoredResponse::try_from(response)
                .map(Begin::Replay)
                .map_err(|e| StoreError::internal(context(), e))
        }
    }
}

impl MongoStore {
    fn idempotency_keys(&self) -> Collection<Document> {
        self.db.collection(COLLECTION)
    }
}

#[async_trait]
impl IdempotencyStore for MongoStore {
    async fn begin(
        &self,
        key: &IdempotencyKey,
        fingerprint: &str,
        claim: &IdempotencyClaim,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Begin, StoreError> {
        let keys = self.idempotency_keys();
        let id = key.storage_id();
        let fresh = encode(
            &IdempotencyDocument::running(key, fingerprint, claim, now, after(now, lease)),
            "idempotency record",
        )?;
        for _ in 0..ATTEMPTS {
            match keys.insert_one(fresh.clone()).await {
                Ok(_) => return Ok(Begin::Started),
                Err(e) if is_duplicate_key(&e) => {}
                Err(e) => return Err(driver_error("insert idempotency record", &e)),
            }
            let Some(existing) = keys
                .find_one(doc! {"_id": &id})
                .await
                .map_err(failed("find idempotency record"))?
            else {
                // Released or expired away in between: insert again.
                continue;
            };
            let existing = record_from(existing)?;
            if existing.expires_at > now {
                return judge(existing, fingerprint);
            }
            // Taken over only as read: the same lease end and holder.
            let mut taken = doc! {"_id": &id, EXPIRES_FIELD: date(existing.expires_at)};
            match &existing.claim {
                Some(held) => taken.insert("claim", held),
                None => taken.insert("claim", doc! {"$exists": false}),
            };
            let replaced = keys
                .replace_one(taken, fresh.clone())
                .await
                .map_err(failed("take over idempotency record"))?;
            if replaced.matched_count == 1 {
                return Ok(Begin::Started);
            }
        }
        Err(StoreError::Unavailable(format!(
            "idempotency record {id} kept changing during {ATTEMPTS} attempts to begin it"
        )))
    }

    async fn complete(
        &self,
        key: &IdempotencyKey,
        claim: &IdempotencyClaim,
        response: &StoredResponse,
        now: DateTime<Utc>,
        keep: Duration,
    ) -> Result<bool, StoreError> {
        let response = encode_value(&ResponseDocument::from(response), "idempotency response")?;
        let updated = self
            .idempotency_keys()
            .update_one(
                doc! {"_id": key.storage_id(), "state": RUNNING, "claim": &claim.0},
                doc! {"$set": {
                    "state": COMPLETED,
                    "response": response,
                    EXPIRES_FIELD: date(after(now, keep)),
                    "completedAt": date(now),
                }},
            )
            .await
            .map_err(failed("complete idempotency record"))?;
        Ok(updated.matched_count == 1)
    }

    async fn release(
        &self,
        key: &IdempotencyKey,
        claim: &IdempotencyClaim,
    ) -> Result<bool, StoreError> {
        let deleted = self
            .idempotency_keys()
            .delete_one(doc! {"_id": key.storage_id(), "state": RUNNING, "claim": &claim.0})
            .await
            .map_err(failed("release idempotency record"))?;
        Ok(deleted.deleted_count == 1)
    }
}
