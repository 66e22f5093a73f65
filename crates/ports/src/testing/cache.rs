//! Contracts of the cache and the lock.

use std::future::Future;
use std::time::Duration;

use futures::future::{BoxFuture, join_all};

use super::CacheUnderTest;
use crate::{CacheError, LockToken, VersionedEntry};

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

/// A versioned entry is replaced only by a higher version: a reader that read an older state
/// cannot put it back over a newer one.
pub async fn versioned_entries_never_go_back(c: &CacheUnderTest) {
    let key = format!("{}campaign:id:1", c.key_prefix);
    let hour = Duration::from_secs(3600);
    let v = |n: u64| VersionedEntry::value(n, format!("{{\"version\":{n}}}"));
    assert_eq!(c.cache.get_versioned(&key).await.unwrap(), None);
    assert!(c.cache.put_if_newer(&key, &v(2), hour).await.unwrap());
    assert_eq!(c.cache.get_versioned(&key).await.unwrap(), Some(v(2)));
    assert!(
        !c.cache.put_if_newer(&key, &v(1), hour).await.unwrap(),
        "an older version is refused"
    );
    assert!(
        !c.cache.put_if_newer(&key, &v(2), hour).await.unwrap(),
        "the same version is not written again"
    );
    assert_eq!(c.cache.get_versioned(&key).await.unwrap(), Some(v(2)));
    c.cache.publish(&key, &v(3), hour).await.unwrap();
    assert_eq!(c.cache.get_versioned(&key).await.unwrap(), Some(v(3)));
    c.cache.publish(&key, &v(1), hour).await.unwrap();
    assert_eq!(
        c.cache.get_versioned(&key).await.unwrap(),
        Some(v(3)),
        "a late publish of an older version changes nothing"
    );
    c.cache.delete(std::slice::from_ref(&key)).await.unwrap();
    assert_eq!(c.cache.get_versioned(&key).await.unwrap(), None);
    assert!(c.cache.put_if_newer(&key, &v(1), hour).await.unwrap());
}

/// A tombstone reads as such, keeps every version up to its own out, and gives way to a newer
/// one; an expired entry no longer blocks anything.
pub async fn tombstones_keep_older_versions_out(c: &CacheUnderTest) {
    let key = format!("{}campaign:id:2", c.key_prefix);
    let hour = Duration::from_secs(3600);
    c.cache
        .publish(&key, &VersionedEntry::tombstone(5), hour)
        .await
        .unwrap();
    assert_eq!(
        c.cache.get_versioned(&key).await.unwrap(),
        Some(VersionedEntry::tombstone(5))
    );
    let old = VersionedEntry::value(5, "five".to_owned());
    assert!(!c.cache.put_if_newer(&key, &old, hour).await.unwrap());
    let new = VersionedEntry::value(6, "six".to_owned());
    assert!(c.cache.put_if_newer(&key, &new, hour).await.unwrap());
    assert_eq!(c.cache.get_versioned(&key).await.unwrap(), Some(new));

    let gone = format!("{}promoter:gone", c.key_prefix);
    c.cache
        .publish(
            &gone,
            &VersionedEntry::tombstone(VersionedEntry::GONE),
            Duration::from_secs(1),
        )
        .await
        .unwrap();
    let any = VersionedEntry::value(u64::MAX - 1, "late".to_owned());
    assert!(!c.cache.put_if_newer(&gone, &any, hour).await.unwrap());
    (c.advance)(Duration::from_millis(1500)).await;
    assert_eq!(c.cache.get_versioned(&gone).await.unwrap(), None);
    assert!(c.cache.put_if_newer(&gone, &any, hour).await.unwrap());
}

/// What a write publishes is what the next read gets (on every replica the cache reads from).
pub async fn published_entries_are_read_at_once(c: &CacheUnderTest) {
    let hour = Duration::from_secs(3600);
    for n in 1..=20 {
        let key = format!("{}campaign:id:pub{n}", c.key_prefix);
        let entry = VersionedEntry::value(n, format!("state {n}"));
        c.cache.publish(&key, &entry, hour).await.unwrap();
        assert_eq!(c.cache.get_versioned(&key).await.unwrap(), Some(entry));
    }
}

/// Many concurrent puts of different versions of one key: the highest stays.
pub async fn concurrent_versioned_puts_keep_the_highest<S, F>(c: &CacheUnderTest, spawn: S)
where
    S: Fn(BoxFuture<'static, Result<bool, CacheError>>) -> F,
    F: Future<Output = Result<bool, CacheError>>,
{
    let key = format!("{}campaign:id:raced", c.key_prefix);
    let tasks = (1..=24u64).rev().map(|n| {
        let cache = c.cache.clone();
        let key = key.clone();
        spawn(Box::pin(async move {
            let entry = VersionedEntry::value(n, format!("v{n}"));
            cache
                .put_if_newer(&key, &entry, Duration::from_secs(3600))
                .await
        }))
    });
    let results = join_all(tasks).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(
        c.cache.get_versioned(&key).await.unwrap(),
        Some(VersionedEntry::value(24, "v24".to_owned()))
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
