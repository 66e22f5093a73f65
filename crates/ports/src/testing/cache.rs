//! Contracts of the cache and the lock.

use std::future::Future;
use std::time::Duration;

use futures::future::{BoxFuture, join_all};

use super::CacheUnderTest;
use crate::{CacheError, LockToken};

/// Set, get, replace and delete; absent keys read as `None` and delete quietly.
pub async fn cache_stores_replaces_and_deletes(c: &CacheUnderTest) {
    let key = |k: &str| format!("{}{k}", c.key_prefix);
    let hour = Duration::from_secs(3600);
    assert_eq!(c.cache.get(&key("a")).await.unwrap(), None);
    c.cache.set(&key("a"), "{\"v\":1}", hour).await.unwrap();
    c.cache.set(&key("b"), "two", hour).await.unwrap();
    assert_eq!(
        c.cache.get(&key("a")).await.unwrap().as_deref(),
        Some("{\"v\":1}")
    );
    c.cache.set(&key("a"), "replaced", hour).await.unwrap();
    assert_eq!(
        c.cache.get(&key("a")).await.unwrap().as_deref(),
        Some("replaced")
    );
    c.cache.delete(&[key("a"), key("missing")]).await.unwrap();
    assert_eq!(c.cache.get(&key("a")).await.unwrap(), None);
    assert_eq!(
        c.cache.get(&key("b")).await.unwrap().as_deref(),
        Some("two")
    );
    c.cache.ping().await.unwrap();
}

/// An entry is gone once its time to live has passed, and not before.
pub async fn cache_entries_expire(c: &CacheUnderTest) {
    let key = format!("{}ttl", c.key_prefix);
    c.cache
        .set(&key, "short", Duration::from_secs(1))
        .await
        .unwrap();
    c.cache
        .set(&format!("{key}-long"), "long", Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(c.cache.get(&key).await.unwrap().as_deref(), Some("short"));
    (c.advance)(Duration::from_millis(1500)).await;
    assert_eq!(c.cache.get(&key).await.unwrap(), None);
    assert_eq!(
        c.cache
            .get(&format!("{key}-long"))
            .await
            .unwrap()
            .as_deref(),
        Some("long")
    );
}

/// Only one holder at a time; only the holder releases; an expired hold can be taken over.
pub async fn lock_is_exclusive_until_released_or_expired(c: &CacheUnderTest) {
    let name = format!("{}refresh", c.key_prefix);
    let (a, b) = (LockToken("a".to_owned()), LockToken("b".to_owned()));
    let ttl = Duration::from_secs(1);
    assert!(c.lock.try_acquire(&name, &a, ttl).await.unwrap());
    assert!(!c.lock.try_acquire(&name, &b, ttl).await.unwrap());
    assert!(
        !c.lock.release(&name, &b).await.unwrap(),
        "only the holder releases"
    );
    assert!(c.lock.release(&name, &a).await.unwrap());
    assert!(c.lock.try_acquire(&name, &b, ttl).await.unwrap());
    (c.advance)(Duration::from_millis(1500)).await;
    assert!(
        c.lock.try_acquire(&name, &a, ttl).await.unwrap(),
        "an expired hold is free"
    );
    assert!(
        !c.lock.release(&name, &b).await.unwrap(),
        "the old holder cannot release the new hold"
    );
    assert!(c.lock.release(&name, &a).await.unwrap());
}

/// Many concurrent acquisitions: exactly one succeeds.
pub async fn lock_concurrent_acquires_one_winner<S, F>(c: &CacheUnderTest, spawn: S)
where
    S: Fn(BoxFuture<'static, Result<bool, CacheError>>) -> F,
    F: Future<Output = Result<bool, CacheError>>,
{
    let name = format!("{}contended", c.key_prefix);
    let tasks = (0..16).map(|i| {
        let lock = c.lock.clone();
        let name = name.clone();
        spawn(Box::pin(async move {
            lock.try_acquire(&name, &LockToken(format!("t{i}")), Duration::from_secs(30))
                .await
        }))
    });
    let results = join_all(tasks).await;
    let winners = results.iter().filter(|r| matches!(r, Ok(true))).count();
    assert_eq!(winners, 1, "results: {results:?}");
}
