//! The cache (campaign reads, promoters, Discovery searches) and the lock that keeps the refresh
//! job to one replica at a time.
//!
//! Callers treat the cache as optional: every [`CacheError`] is logged and counted and the
//! caller carries on as on a miss (fail open).
//!
//! Records that writers change (campaigns, promoters) are cached as [`VersionedEntry`]s: a
//! write stores the new version with [`Cache::publish`], a read that missed stores what it read
//! with [`Cache::put_if_newer`], and neither can replace an entry with an older version. So a
//! read that raced a write can never put the state the write replaced back into the cache, and
//! every replica sharing the cache reads what the last acknowledged write stored (SPEC §9).

use std::time::Duration;

use async_trait::async_trait;
use campaign_domain::values::{CampaignId, DomainName, PromoterId};

use crate::error::CacheError;

/// A key-value cache of strings with per-entry expiry.
#[async_trait]
pub trait Cache: Send + Sync + 'static {
    /// The value stored under `key`, unless absent or expired.
    async fn get(&self, key: &str) -> Result<Option<String>, CacheError>;

    /// Stores `value` under `key` for `ttl`, replacing any previous value.
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError>;

    /// Removes these keys; absent keys are ignored.
    async fn delete(&self, keys: &[String]) -> Result<(), CacheError>;

    /// The versioned entry under `key` (written by [`put_if_newer`](Self::put_if_newer) or
    /// [`publish`](Self::publish)), unless absent or expired. A key holds either plain values
    /// ([`set`](Self::set)) or versioned entries, never both: callers keep them apart (see
    /// [`CacheKey`]).
    async fn get_versioned(&self, key: &str) -> Result<Option<VersionedEntry>, CacheError>;

    /// Stores `entry` under `key` for `ttl` unless the key already holds an entry of the same or
    /// a higher version (a value or a tombstone); returns whether it stored it. The comparison
    /// and the write are one atomic step, so of two concurrent calls the higher version stays.
    ///
    /// This is the read-through write: a reader stores what it read from the store, and a
    /// concurrent writer's newer entry is never replaced by it.
    async fn put_if_newer(
        &self,
        key: &str,
        entry: &VersionedEntry,
        ttl: Duration,
    ) -> Result<bool, CacheError>;

    /// [`put_if_newer`](Self::put_if_newer) for a write that is about to be acknowledged:
    /// returns `Ok` only once every reader of the cache will see `entry` (or a newer one) —
    /// where reads go to replicas, once they have it.
    ///
    /// MUST return an error when that cannot be confirmed (the caller logs it: the entry it
    /// replaces may be read until it expires).
    async fn publish(
        &self,
        key: &str,
        entry: &VersionedEntry,
        ttl: Duration,
    ) -> Result<(), CacheError>;

    /// Checks that the cache answers (for readiness).
    async fn ping(&self) -> Result<(), CacheError>;
}

/// A cached record at a version: its serialised value, or a tombstone saying the record at that
/// version must not be served from the cache (evicted, deleted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionedEntry {
    /// The record's version (as the store numbers its writes).
    pub version: u64,
    /// The serialised record; `None` for a tombstone.
    pub value: Option<String>,
}

impl VersionedEntry {
    /// The record at `version`.
    pub fn value(version: u64, value: String) -> Self {
        Self {
            version,
            value: Some(value),
        }
    }

    /// A tombstone at `version`: older entries cannot come back, readers miss.
    pub fn tombstone(version: u64) -> Self {
        Self {
            version,
            value: None,
        }
    }

    /// The version of a record that is gone for good (deleted, its id never reused): no entry can
    /// replace its tombstone.
    pub const GONE: u64 = u64::MAX;
}

/// Proof of holding a lock; only its holder can release it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockToken(pub String);

/// A named lock with expiry, shared by all replicas (advisory: protected writes stay
/// conditional anyway).
#[async_trait]
pub trait JobLock: Send + Sync + 'static {
    /// Takes the lock `name` for `ttl` with the holder's `token` if nobody holds it (or the
    /// holder's time ran out). Returns whether it was taken.
    async fn try_acquire(
        &self,
        name: &str,
        token: &LockToken,
        ttl: Duration,
    ) -> Result<bool, CacheError>;

    /// Releases `name` if `token` still holds it; returns whether it did.
    async fn release(&self, name: &str, token: &LockToken) -> Result<bool, CacheError>;
}

/// The cache key scheme of SPEC §9, in one place.
#[derive(Debug, Clone, Copy)]
pub struct CacheKey;

impl CacheKey {
    /// `campaign:id:<id>`.
    pub fn campaign(id: &CampaignId) -> String {
        format!("campaign:id:{id}")
    }

    /// `campaign:domain:<domain>`.
    pub fn campaign_by_domain(domain: &DomainName) -> String {
        format!("campaign:domain:{domain}")
    }

    /// `promoter:<id>`.
    pub fn promoter(id: &PromoterId) -> String {
        format!("promoter:{id}")
    }

    /// `discovery:<kind>:<normalized query>:<page>:<pageSize>`; the query is trimmed,
    /// lower-cased, its inner whitespace collapsed to one space, and `:` replaced by a space so it
    /// cannot forge another key's shape.
    pub fn discovery(kind: &str, query: &str, page: u32, page_size: u32) -> String {
        format!(
            "discovery:{kind}:{}:{page}:{page_size}",
            Self::normalize_query(query)
        )
    }

    /// The normalised form of a search query.
    pub fn normalize_query(query: &str) -> String {
        query
            .to_lowercase()
            .replace(':', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_keys_normalise_the_query() {
        assert_eq!(
            CacheKey::discovery("artists", "  Taylor   SWIFT ", 0, 10),
            "discovery:artists:taylor swift:0:10"
        );
        assert_eq!(
            CacheKey::discovery("venues", "a:b", 1, 20),
            "discovery:venues:a b:1:20"
        );
    }

    #[test]
    fn campaign_keys_name_id_and_domain() {
        let id = CampaignId::from_bytes([1; 12]);
        assert_eq!(
            CacheKey::campaign(&id),
            "campaign:id:010101010101010101010101"
        );
        let d = DomainName::parse("fans.example.com").unwrap();
        assert_eq!(
            CacheKey::campaign_by_domain(&d),
            "campaign:domain:fans.example.com"
        );
    }
}
