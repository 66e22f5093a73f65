//! The cache (campaign reads, promoters, Discovery searches) and the lock that keeps the refresh
//! job to one replica at a time.
//!
//! Callers treat the cache as optional: every [`CacheError`] is logged and counted and the
//! caller carries on as on a miss (fail open).

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

    /// Checks that the cache answers (for readiness).
    async fn ping(&self) -> Result<(), CacheError>;
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
