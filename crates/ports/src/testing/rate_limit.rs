//! Contracts of the rate limiter (GCRA, see [`crate::rate_limit`]): `max` at once then limited
//! with a retry-after within the limit's interval; `check` counts nothing; buckets of other
//! subjects and other kinds are independent; a bucket is full again after its window; a burst
//! of concurrent calls lets exactly `max` through.
//!
//! Use from an adapter's tests:
//! ```ignore
//! async fn fresh_limiter() -> campaign_ports::testing::RateLimiterUnderTest { /* ... */ }
//! campaign_ports::rate_limiter_contract_tests!(fresh_limiter);
//! ```

use std::future::Future;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use futures::future::{BoxFuture, join_all};

use super::Advance;
use crate::{CacheError, Decision, RateKey, RateKind, RateLimit, RateLimiter};

/// One rate limiter with nothing counted for the test's subjects, and a way to let time pass
/// for it.
pub struct RateLimiterUnderTest {
    /// The limiter.
    pub limiter: Arc<dyn RateLimiter>,
    /// Lets at least this much time pass as the limiter sees it (a real wait is at most 1.2 s).
    pub advance: Advance,
    /// Put before every subject, so runs sharing a server do not share buckets.
    pub subject_prefix: String,
}

impl std::fmt::Debug for RateLimiterUnderTest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RateLimiterUnderTest")
    }
}

impl RateLimiterUnderTest {
    fn key(&self, kind: RateKind, subject: &str) -> RateKey {
        RateKey::new(kind, format!("{}{subject}", self.subject_prefix))
    }
}

fn limit(max: u32, window: Duration) -> RateLimit {
    RateLimit::new(NonZeroU32::new(max).unwrap(), window)
}

async fn consume(t: &RateLimiterUnderTest, key: &RateKey, limit: RateLimit) -> Decision {
    t.limiter.consume(key, limit).await.unwrap()
}

#[track_caller]
fn retry_after(decision: Decision) -> Duration {
    match decision {
        Decision::Limited { retry_after } => retry_after,
        Decision::Allowed => panic!("expected Limited, got Allowed"),
    }
}

/// `max` events pass at once; the next is limited with a retry-after in (0, interval], and
/// being limited counts nothing more.
pub async fn rate_limit_allows_max_then_limits(t: &RateLimiterUnderTest) {
    let key = t.key(RateKind::PasswordFailures, "campaign:user");
    let per_minute = limit(3, Duration::from_secs(60));
    for n in 1..=3 {
        assert_eq!(
            consume(t, &key, per_minute).await,
            Decision::Allowed,
            "event {n}"
        );
    }
    let wait = retry_after(consume(t, &key, per_minute).await);
    assert!(
        wait > Duration::ZERO && wait <= Duration::from_secs(20),
        "retry after {wait:?}: one event per 20 s"
    );
    let again = retry_after(consume(t, &key, per_minute).await);
    assert!(
        again <= wait && again > wait.saturating_sub(Duration::from_secs(2)),
        "a refused event is not counted: {again:?} after {wait:?}"
    );
    assert!(
        Decision::Limited { retry_after: again }
            .retry_after_secs()
            .is_some_and(|s| (1..=60).contains(&s))
    );
}

/// `check` answers what `consume` would, and counts nothing.
pub async fn rate_limit_check_counts_nothing(t: &RateLimiterUnderTest) {
    let key = t.key(RateKind::PasswordFailures, "checked");
    let per_minute = limit(2, Duration::from_secs(60));
    for _ in 0..5 {
        assert_eq!(
            t.limiter.check(&key, per_minute).await.unwrap(),
            Decision::Allowed
        );
    }
    assert_eq!(consume(t, &key, per_minute).await, Decision::Allowed);
    assert_eq!(
        t.limiter.check(&key, per_minute).await.unwrap(),
        Decision::Allowed,
        "one left"
    );
    assert_eq!(consume(t, &key, per_minute).await, Decision::Allowed);
    let checked = retry_after(t.limiter.check(&key, per_minute).await.unwrap());
    let consumed = retry_after(consume(t, &key, per_minute).await);
    assert!(checked > Duration::ZERO && checked <= Duration::from_secs(30));
    assert!(consumed <= checked, "{consumed:?} vs {checked:?}");
    assert!(
        t.limiter
            .check(&t.key(RateKind::PasswordFailures, "never-seen"), per_minute)
            .await
            .unwrap()
            == Decision::Allowed
    );
}

/// Another subject, or the same subject of another kind, has its own bucket.
pub async fn rate_limit_buckets_are_independent(t: &RateLimiterUnderTest) {
    let per_minute = limit(1, Duration::from_secs(60));
    let a = t.key(RateKind::Search, "a");
    assert_eq!(consume(t, &a, per_minute).await, Decision::Allowed);
    assert!(consume(t, &a, per_minute).await.is_limited());
    for other in [
        t.key(RateKind::Search, "b"),
        t.key(RateKind::PasswordFailures, "a"),
        t.key(RateKind::Search, "a:"),
    ] {
        assert_eq!(
            t.limiter.check(&other, per_minute).await.unwrap(),
            Decision::Allowed,
            "{other:?}"
        );
        assert_eq!(
            consume(t, &other, per_minute).await,
            Decision::Allowed,
            "{other:?}"
        );
    }
    assert!(consume(t, &a, per_minute).await.is_limited());
}

/// A limited bucket lets one event through after its retry-after, and is full again after a
/// whole window without events.
pub async fn rate_limit_recovers_after_the_window(t: &RateLimiterUnderTest) {
    let key = t.key(RateKind::Search, "recovering");
    let per_second = limit(2, Duration::from_secs(1));
    assert_eq!(consume(t, &key, per_second).await, Decision::Allowed);
    assert_eq!(consume(t, &key, per_second).await, Decision::Allowed);
    let wait = retry_after(consume(t, &key, per_second).await);
    assert!(wait <= Duration::from_millis(500), "{wait:?}");
    (t.advance)(Duration::from_millis(1100)).await;
    assert_eq!(consume(t, &key, per_second).await, Decision::Allowed);
    assert_eq!(
        consume(t, &key, per_second).await,
        Decision::Allowed,
        "the whole budget is back after the window"
    );
    assert!(consume(t, &key, per_second).await.is_limited());
}

/// Of many concurrent events on a full bucket, exactly `max` are allowed. `spawn` runs a
/// future on the runtime's threads (the suite does not depend on one).
pub async fn rate_limit_concurrent_consumes_allow_exactly_max<S, F>(
    t: &RateLimiterUnderTest,
    spawn: S,
) where
    S: Fn(BoxFuture<'static, Result<Decision, CacheError>>) -> F,
    F: Future<Output = Result<Decision, CacheError>>,
{
    let key = t.key(RateKind::Search, "burst");
    let per_minute = limit(5, Duration::from_secs(60));
    let calls = (0..20).map(|_| {
        let limiter = t.limiter.clone();
        let key = key.clone();
        spawn(Box::pin(
            async move { limiter.consume(&key, per_minute).await },
        ))
    });
    let decisions: Vec<Decision> = join_all(calls)
        .await
        .into_iter()
        .map(|d| d.unwrap())
        .collect();
    let allowed = decisions.iter().filter(|d| !d.is_limited()).count();
    assert_eq!(allowed, 5, "{decisions:?}");
}

/// Expands to one `#[tokio::test]` per rate-limiter contract, each on a fresh limiter made by
/// `$make` (an `async fn() -> RateLimiterUnderTest`).
#[macro_export]
macro_rules! rate_limiter_contract_tests {
    ($make:path) => {
        $crate::rate_limiter_contract_tests!(@each $make;
            rate_limit_allows_max_then_limits,
            rate_limit_check_counts_nothing,
            rate_limit_buckets_are_independent,
            rate_limit_recovers_after_the_window,
        );
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn rate_limit_concurrent_consumes_allow_exactly_max() {
            let limiter = $make().await;
            $crate::testing::rate_limit::rate_limit_concurrent_consumes_allow_exactly_max(
                &limiter,
                |f| async move { ::tokio::spawn(f).await.expect("consume task panicked") },
            )
            .await;
        }
    };
    (@each $make:path; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                let limiter = $make().await;
                $crate::testing::rate_limit::$name(&limiter).await;
            }
        )*
    };
}
