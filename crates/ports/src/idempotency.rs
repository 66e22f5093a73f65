//! The idempotency records of `Idempotency-Key` (SPEC §4.1): which requests are running under a
//! key, and the answers kept for retries.
//!
//! One record per [`IdempotencyKey`] (caller, key, method, path), shared by every replica
//! through the store. Its life:
//! 1. [`IdempotencyStore::begin`] claims a free key for one request (with a lease, so a replica
//!    that crashed mid-request does not hold the key forever), or reports that the key is
//!    running, was used with another body, or holds an answer to replay;
//! 2. the claimant then either [`complete`](IdempotencyStore::complete)s it with the answer,
//!    kept for a retention period (24 h at the API), or [`release`](IdempotencyStore::release)s
//!    it (an answer not worth keeping, such as a 5xx) so a retry runs again.
//!
//! Times come from the caller (`now`), never from the adapter's own clock, so every replica and
//! the tests agree on what has expired. An expired record (a completed one past its retention,
//! a running one past its lease) behaves as absent, whether or not the store has removed it yet.

use std::time::Duration;

use async_trait::async_trait;
use campaign_domain::chrono::{DateTime, Utc};

use crate::error::StoreError;

/// What a record is kept under: the caller's `userId`, the `Idempotency-Key`, the HTTP method
/// and the request path. Records differing in any part are independent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey {
    /// The caller's `userId`.
    pub user_id: String,
    /// The `Idempotency-Key` header as sent.
    pub key: String,
    /// The HTTP method (`POST`).
    pub method: String,
    /// The request path (without the query string).
    pub path: String,
}

impl IdempotencyKey {
    /// One string naming the record, for stores that key records by a single value: the four
    /// parts, each prefixed by its length in bytes, so no two keys share it
    /// (`"7:user-12|3:abc|4:POST|10:/campaigns"`).
    pub fn storage_id(&self) -> String {
        [&self.user_id, &self.key, &self.method, &self.path]
            .iter()
            .map(|part| format!("{}:{part}", part.len()))
            .collect::<Vec<_>>()
            .join("|")
    }
}

/// Proof of holding a key while its request runs; made unique by the caller (a random UUID),
/// so only the request that began a record can complete or release it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyClaim(pub String);

/// The answer kept for retries: plain data, no HTTP types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body as sent (the envelope, JSON).
    pub body: Vec<u8>,
    /// The `Location` header, if the answer had one.
    pub location: Option<String>,
    /// The `ETag` header, if the answer had one.
    pub etag: Option<String>,
}

/// What [`IdempotencyStore::begin`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// The key was free (never used, expired, released, or its lease ran out): it is now held
    /// by the given claim, running, for the lease. The caller runs the request.
    Started,
    /// Another request with the same fingerprint holds the key and its lease has not run out.
    InProgress,
    /// The key holds a completed answer for the same fingerprint: the caller answers it again.
    Replay(StoredResponse),
    /// The key is held (running or completed) for another fingerprint: the key was reused with
    /// another request body. Checked before the state, so a different body is refused the same
    /// way whether the first request is still running or done.
    Mismatch,
}

/// The idempotency records, shared by every replica.
#[async_trait]
pub trait IdempotencyStore: Send + Sync + 'static {
    /// Claims `key` for a request whose body hashes to `fingerprint`, held by `claim` until
    /// `now + lease`, if the key is free; otherwise reports what holds it (see [`Begin`]).
    ///
    /// A record whose retention ended (completed) or whose lease ended (running) at or before
    /// `now` counts as free and is taken over. Of any number of concurrent calls for one free
    /// key — on any replica — exactly one gets [`Begin::Started`]; the others see the winner's
    /// record (`InProgress` or `Mismatch`).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store cannot be reached; nothing is claimed then.
    async fn begin(
        &self,
        key: &IdempotencyKey,
        fingerprint: &str,
        claim: &IdempotencyClaim,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Begin, StoreError>;

    /// Stores `response` as the answer of `key`, kept until `now + keep`, if `claim` still holds
    /// the running record (even past its lease, as long as nobody took it over). Returns whether
    /// it was stored; `false` (nothing changed) when the record was released, taken over by
    /// another claim, or already completed.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store cannot be reached.
    async fn complete(
        &self,
        key: &IdempotencyKey,
        claim: &IdempotencyClaim,
        response: &StoredResponse,
        now: DateTime<Utc>,
        keep: Duration,
    ) -> Result<bool, StoreError>;

    /// Removes the running record of `key` if `claim` holds it, so the next
    /// [`begin`](Self::begin) starts afresh. Returns whether it did; a completed record or one
    /// another claim holds is left alone (`false`).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store cannot be reached.
    async fn release(
        &self,
        key: &IdempotencyKey,
        claim: &IdempotencyClaim,
    ) -> Result<bool, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(user_id: &str, key: &str, path: &str) -> IdempotencyKey {
        IdempotencyKey {
            user_id: user_id.to_owned(),
            key: key.to_owned(),
            method: "POST".to_owned(),
            path: path.to_owned(),
        }
    }

    #[test]
    fn storage_ids_prefix_each_part_with_its_length() {
        assert_eq!(
            key("user-12", "abc", "/campaigns").storage_id(),
            "7:user-12|3:abc|4:POST|10:/campaigns"
        );
    }

    #[test]
    fn storage_ids_cannot_be_forged_by_separators() {
        assert_ne!(
            key("a|3:b", "c", "/p").storage_id(),
            key("a", "b|1:c", "/p").storage_id()
        );
        assert_ne!(
            key("u", "k|4:POST|2:/x", "/p").storage_id(),
            key("u", "k", "/x|4:POST|2:/p").storage_id()
        );
    }
}
