//! The one read-through JSON cache of the use cases: records (campaigns, promoters) as
//! versioned entries (ADR 0018) and search pages as plain entries, serialised as JSON.
//!
//! The cache is optional and fails open: a missing cache, an error, an unreadable entry and a
//! tombstone are all misses, logged, never returned to the caller.

use std::sync::Arc;
use std::time::Duration;

use campaign_domain::serde_json;
use campaign_ports::{Cache, VersionedEntry};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A cache of JSON values with one time to live; without a cache every read misses and every
/// write is skipped.
#[derive(Clone)]
pub(crate) struct JsonCache {
    cache: Option<Arc<dyn Cache>>,
    ttl: Duration,
}

impl std::fmt::Debug for JsonCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonCache")
            .field("enabled", &self.cache.is_some())
            .field("ttl", &self.ttl)
            .finish()
    }
}

impl JsonCache {
    /// Entries live for `ttl` in `cache`; `None` turns caching off.
    pub(crate) fn new(cache: Option<Arc<dyn Cache>>, ttl: Duration) -> Self {
        Self { cache, ttl }
    }

    /// The value of a plain entry.
    pub(crate) async fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let cache = self.cache.as_ref()?;
        match cache.get(key).await {
            Ok(raw) => decode(key, &raw?),
            Err(error) => {
                tracing::warn!(%key, %error, "cache read failed; reading the source");
                None
            }
        }
    }

    /// Stores a plain entry.
    pub(crate) async fn set<T: Serialize + ?Sized>(&self, key: &str, value: &T) {
        let Some(cache) = &self.cache else { return };
        let Some(raw) = encode(key, value) else {
            return;
        };
        if let Err(error) = cache.set(key, &raw, self.ttl).await {
            tracing::warn!(%key, %error, "cache write failed");
        }
    }

    /// The value of a versioned entry; a tombstone is a miss.
    pub(crate) async fn get_versioned<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let cache = self.cache.as_ref()?;
        match cache.get_versioned(key).await {
            Ok(entry) => decode(key, &entry?.value?),
            Err(error) => {
                tracing::warn!(%key, %error, "cache read failed; reading the store");
                None
            }
        }
    }

    /// Stores `value` at `version`, read from the store, unless the cache holds a newer one.
    pub(crate) async fn put_if_newer<T: Serialize + ?Sized>(
        &self,
        key: &str,
        version: u64,
        value: &T,
    ) {
        let Some(cache) = &self.cache else { return };
        let Some(raw) = encode(key, value) else {
            return;
        };
        let entry = VersionedEntry::value(version, raw);
        if let Err(error) = cache.put_if_newer(key, &entry, self.ttl).await {
            tracing::warn!(%key, %error, "cache write failed");
        }
    }

    /// After a write: publishes `value` at `version` (a tombstone for `None`, or when the value
    /// cannot be serialised) so that every replica reads it from now on. A failure is logged;
    /// the entry is not deleted (a delete would let a racing read-through put the replaced
    /// state back) and expires by its TTL.
    pub(crate) async fn publish<T: Serialize + ?Sized>(
        &self,
        key: &str,
        version: u64,
        value: Option<&T>,
    ) {
        let Some(cache) = &self.cache else { return };
        let entry = match value.and_then(|v| encode(key, v)) {
            Some(raw) => VersionedEntry::value(version, raw),
            None => VersionedEntry::tombstone(version),
        };
        if let Err(error) = cache.publish(key, &entry, self.ttl).await {
            tracing::warn!(%key, %error, "cache refresh not confirmed; the entry may be stale until its TTL");
        }
    }

    /// Reads a plain entry that is not JSON (a pointer).
    pub(crate) async fn get_raw(&self, key: &str) -> Option<String> {
        let cache = self.cache.as_ref()?;
        match cache.get(key).await {
            Ok(raw) => raw,
            Err(error) => {
                tracing::warn!(%key, %error, "cache read failed; reading the store");
                None
            }
        }
    }

    /// Stores a plain entry that is not JSON (a pointer).
    pub(crate) async fn set_raw(&self, key: &str, raw: &str) {
        let Some(cache) = &self.cache else { return };
        if let Err(error) = cache.set(key, raw, self.ttl).await {
            tracing::warn!(%key, %error, "cache write failed");
        }
    }

    /// Deletes entries (pointers that no longer lead anywhere).
    pub(crate) async fn delete(&self, keys: &[String]) {
        let Some(cache) = &self.cache else { return };
        if keys.is_empty() {
            return;
        }
        if let Err(error) = cache.delete(keys).await {
            tracing::warn!(%error, "cache invalidation failed; entries expire by their TTL");
        }
    }
}

fn decode<T: DeserializeOwned>(key: &str, raw: &str) -> Option<T> {
    serde_json::from_str(raw)
        .inspect_err(|error| tracing::warn!(%key, %error, "unreadable cache entry ignored"))
        .ok()
}

fn encode<T: Serialize + ?Sized>(key: &str, value: &T) -> Option<String> {
    serde_json::to_string(value)
        .inspect_err(|error| tracing::warn!(%key, %error, "value not cached"))
        .ok()
}

#[cfg(test)]
mod tests {
    use campaign_adapter_memory::{MemoryCache, SystemClock};

    use super::*;

    fn cache() -> JsonCache {
        JsonCache::new(
            Some(Arc::new(MemoryCache::new(Arc::new(SystemClock)))),
            Duration::from_secs(60),
        )
    }

    #[tokio::test]
    async fn versioned_values_never_go_back_and_tombstones_miss() {
        let cache = cache();
        cache.put_if_newer("k", 2, &"two").await;
        cache.put_if_newer("k", 1, &"one").await;
        assert_eq!(
            cache.get_versioned::<String>("k").await.as_deref(),
            Some("two")
        );
        cache.publish::<str>("k", 3, None).await;
        assert_eq!(cache.get_versioned::<String>("k").await, None);
        cache.put_if_newer("k", 2, &"two").await;
        assert_eq!(cache.get_versioned::<String>("k").await, None);
    }

    #[tokio::test]
    async fn unreadable_entries_and_no_cache_are_misses() {
        let cache = cache();
        cache.set_raw("k", "not json").await;
        assert_eq!(cache.get::<u32>("k").await, None);
        cache.set("k", &7_u32).await;
        assert_eq!(cache.get::<u32>("k").await, Some(7));
        let off = JsonCache::new(None, Duration::from_secs(60));
        off.set("k", &7_u32).await;
        assert_eq!(off.get::<u32>("k").await, None);
    }
}
