//! `IdempotencyStore` on MongoDB: the `idempotency_keys` collection, one document per key.
//!
//! A document: `{_id: <IdempotencyKey::storage_id>, userId, key, method, path, fingerprint,
//! state: "running" | "completed", claim, expiresAt, startedAt, response?: {status, body
//! (binary), location?, etag?}, completedAt?}`. `expiresAt` is the end of the lease while
//! running and the end of the retention once completed; a TTL index on it (`indexes`) removes
//! expired documents eventually, and every read treats a document whose `expiresAt` has passed
//! as absent, so behaviour never depends on the TTL monitor (the test server has none).
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
use mongodb::bson::spec::BinarySubtype;
use mongodb::bson::{Binary, Bson, Document, doc};

use crate::MongoStore;
use crate::document::{date, instant};
use crate::errors::{failed, is_duplicate_key, unavailable};

/// The collection.
pub(crate) const COLLECTION: &str = "idempotency_keys";
/// The field the TTL index watches.
pub(crate) const EXPIRES_FIELD: &str = "expiresAt";
const RUNNING: &str = "running";
const COMPLETED: &str = "completed";
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

fn unreadable(what: &str) -> StoreError {
    StoreError::Unavailable(format!("an idempotency record is unreadable: {what}"))
}

/// The running document `claim` holds until `now + lease`.
fn running(
    key: &IdempotencyKey,
    fingerprint: &str,
    claim: &IdempotencyClaim,
    now: DateTime<Utc>,
    lease: Duration,
) -> Document {
    doc! {
        "_id": key.storage_id(),
        "userId": &key.user_id,
        "key": &key.key,
        "method": &key.method,
        "path": &key.path,
        "fingerprint": fingerprint,
        "state": RUNNING,
        "claim": &claim.0,
        EXPIRES_FIELD: date(after(now, lease)),
        "startedAt": date(now),
    }
}

fn response_doc(response: &StoredResponse) -> Document {
    let mut doc = doc! {
        "status": i32::from(response.status),
        "body": Binary {
            subtype: BinarySubtype::Generic,
            bytes: response.body.clone(),
        },
    };
    if let Some(location) = &response.location {
        doc.insert("location", location);
    }
    if let Some(etag) = &response.etag {
        doc.insert("etag", etag);
    }
    doc
}

fn response_of(doc: &Document) -> Result<StoredResponse, StoreError> {
    let response = doc
        .get_document("response")
        .map_err(|_| unreadable("no response"))?;
    let status = match response.get("status") {
        Some(Bson::Int32(n)) => u16::try_from(*n).ok(),
        Some(Bson::Int64(n)) => u16::try_from(*n).ok(),
        _ => None,
    }
    .ok_or_else(|| unreadable("no status"))?;
    let body = match response.get("body") {
        Some(Bson::Binary(binary)) => binary.bytes.clone(),
        _ => return Err(unreadable("no body")),
    };
    Ok(StoredResponse {
        status,
        body,
        location: response.get_str("location").ok().map(str::to_owned),
        etag: response.get_str("etag").ok().map(str::to_owned),
    })
}

/// What a live (unexpired) document means for a `begin` with `fingerprint`.
fn judge(doc: &Document, fingerprint: &str) -> Result<Begin, StoreError> {
    if doc.get_str("fingerprint").ok() != Some(fingerprint) {
        return Ok(Begin::Mismatch);
    }
    match doc.get_str("state") {
        Ok(RUNNING) => Ok(Begin::InProgress),
        Ok(COMPLETED) => response_of(doc).map(Begin::Replay),
        _ => Err(unreadable("unknown state")),
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
        let fresh = running(key, fingerprint, claim, now, lease);
        for _ in 0..ATTEMPTS {
            match keys.insert_one(fresh.clone()).await {
                Ok(_) => return Ok(Begin::Started),
                Err(e) if is_duplicate_key(&e) => {}
                Err(e) => return Err(unavailable("insert idempotency record", &e)),
            }
            let Some(existing) = keys
                .find_one(doc! {"_id": &id})
                .await
                .map_err(failed("find idempotency record"))?
            else {
                // Released or expired away in between: insert again.
                continue;
            };
            let expires = existing.get(EXPIRES_FIELD).cloned().unwrap_or(Bson::Null);
            if instant(&expires).is_some_and(|at| at > now) {
                return judge(&existing, fingerprint);
            }
            let mut taken = doc! {"_id": &id, EXPIRES_FIELD: expires};
            match existing.get("claim") {
                Some(held) => taken.insert("claim", held.clone()),
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
        let updated = self
            .idempotency_keys()
            .update_one(
                doc! {"_id": key.storage_id(), "state": RUNNING, "claim": &claim.0},
                doc! {"$set": {
                    "state": COMPLETED,
                    "response": response_doc(response),
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
