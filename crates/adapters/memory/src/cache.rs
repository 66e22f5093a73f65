//! An in-process cache and lock with expiry, timed by the injected clock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use campaign_domain::chrono::{DateTime, TimeDelta, Utc};
use campaign_ports::{Cache, CacheError, Clock, JobLock, LockToken, VersionedEntry};

type Entries = HashMap<String, (String, DateTime<Utc>)>;

/// What a cache key holds: a plain value or a versioned entry.
#[derive(Debug, Clone)]
enum Stored {
    Plain(String),
    Versioned(VersionedEntry),
}

type CacheEntries = HashMap<String, (Stored, DateTime<Utc>)>;

fn expiry(clock: &dyn Clock, ttl: Duration) -> DateTime<Utc> {
    clock.now() + TimeDelta::from_std(ttl).unwrap_or(TimeDelta::MAX)
}

fn entries<T>(map: &Mutex<T>) -> MutexGuard<'_, T> {
    // Each operation is a single map call; a panic cannot leave an entry half-written.
    map.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The cache of the embedded default: a map with per-entry expiry.
pub struct MemoryCache {
    entries: Mutex<CacheEntries>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for MemoryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryCache").finish_non_exhaustive()
    }
}

impl MemoryCache {
    /// An empty cache.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            clock,
        }
    }
}

impl MemoryCache {
    /// What `key` holds, unless absent or expired (an expired entry is removed).
    fn live(&self, key: &str) -> Option<Stored> {
        let now = self.clock.now();
        let mut map = entries(&self.entries);
        match map.get(key) {
            Some((stored, expires)) if *expires > now => Some(stored.clone()),
            Some(_) => {
                map.remove(key);
                None
            }
            None => None,
        }
    }
}

#[async_trait]
impl Cache for MemoryCache {
    async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        Ok(match self.live(key) {
            Some(Stored::Plain(value)) => Some(value),
            _ => None,
        })
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError> {
        let expires = expiry(self.clock.as_ref(), ttl);
        entries(&self.entries).insert(key.to_owned(), (Stored::Plain(value.to_owned()), expires));
        Ok(())
    }

    async fn get_versioned(&self, key: &str) -> Result<Option<VersionedEntry>, CacheError> {
        Ok(match self.live(key) {
            Some(Stored::Versioned(entry)) => Some(entry),
            _ => None,
        })
    }

    async fn put_if_newer(
        &self,
        key: &str,
        entry: &VersionedEntry,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        let now = self.clock.now();
        let expires = expiry(self.clock.as_ref(), ttl);
        let mut map = entries(&self.entries);
        let newer = match map.get(key) {
            Some((Stored::Versioned(held), until)) if *until > now => entry.version > held.version,
            _ => true,
        };
        if newer {
            map.insert(key.to_owned(), (Stored::Versioned(entry.clone()), expires));
        }
        Ok(newer)
    }

    async fn publish(
        &self,
        key: &str,
        entry: &VersionedEntry,
        ttl: Duration,
    ) -> Result<(), CacheError> {
        // One process, one map: what is stored is what every reader sees.
        self.put_if_newer(key, entry, ttl).await.map(|_| ())
    }

    async fn delete(&self, keys: &[String]) -> Result<(), CacheError> {
        let mut map = entries(&self.entries);
        for key in keys {
            map.remove(key);
        }
        Ok(())
    }

    async fn ping(&self) -> Result<(), CacheError> {
        Ok(())
    }
}

/// A lock for a single process (the embedded default runs one replica).
pub struct MemoryLock {
    holders: Mutex<Entries>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for MemoryLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryLock").finish_non_exhaustive()
    }
}

impl MemoryLock {
    /// A lock table with nothing held.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            holders: Mutex::new(HashMap::new()),
            clock,
        }
    }
}

#[async_trait]
impl JobLock for MemoryLock {
    async fn try_acquire(
        &self,
        name: &str,
        token: &LockToken,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        let now = self.clock.now();
        let mut map = entries(&self.holders);
        if map.get(name).is_some_and(|(_, expires)| *expires > now) {
            return Ok(false);
        }
        map.insert(
            name.to_owned(),
            (token.0.clone(), expiry(self.clock.as_ref(), ttl)),
        );
        Ok(true)
    }

    async fn release(&self, name: &str, token: &LockToken) -> Result<bool, CacheError> {
        let now = self.clock.now();
        let mut map = entries(&self.holders);
        match map.get(name) {
            Some((holder, expires)) if holder == &token.0 && *expires > now => {
                map.remove(name);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}
