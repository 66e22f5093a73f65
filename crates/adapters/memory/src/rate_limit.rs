//! The in-process rate limiter: `governor`'s keyed GCRA limiter on its own DashMap state store
//! (`DefaultKeyedStateStore`), one limiter per distinct [`RateLimit`], timed by the injected
//! clock. It is the limiter of the embedded default, and the fall-back of the Redis one.
//!
//! - **`check` without counting.** governor only has "test and count"; its state store is
//!   the extension point: every call names its bucket with a [`Probe`], and a probe that only
//!   looks reads the bucket's state and hands it to governor's decision without storing the
//!   result (`Buckets`). So both answers come from governor's own GCRA arithmetic.
//! - **Memory is bounded.** A bucket that is full again (idle for its window) is
//!   indistinguishable from an absent one: every [`SWEEP_EVERY`] counted events a limiter drops
//!   those idle for a window and one interval (`retain_recent`) and gives the memory back
//!   (`shrink_to_fit`); `check` never adds a bucket. On top of that a limiter holds at most `max_buckets` buckets (default
//!   [`DEFAULT_MAX_BUCKETS`], ~100 bytes each): when a new bucket would pass that even after a
//!   sweep, the event is refused (`Limited` for one interval) and a warning logged. Many keys
//!   can never grow memory without limit, and never open a way around the limit either.

use std::cell::Cell;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use campaign_ports::{CacheError, Clock, Decision, RateKey, RateLimit, RateLimiter};
use governor::Quota;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::{DefaultKeyedStateStore, ShrinkableKeyedStateStore};
use governor::state::{NotKeyed, StateStore};

/// Counted events between two sweeps of a limiter's idle buckets.
pub const SWEEP_EVERY: u64 = 1024;

/// Buckets one limiter (one [`RateLimit`]) holds at most by default.
pub const DEFAULT_MAX_BUCKETS: usize = 100_000;

/// The key governor sees: the bucket, and whether this call counts. Equality and hashing look
/// at the bucket only.
#[derive(Debug, Clone)]
struct Probe {
    bucket: String,
    count: bool,
}

impl PartialEq for Probe {
    fn eq(&self, other: &Self) -> bool {
        self.bucket == other.bucket
    }
}

impl Eq for Probe {}

impl Hash for Probe {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.bucket.hash(state);
    }
}

/// governor's default keyed store, with a look-only mode for probes that do not count. Shared
/// with the [`Limiter`] that owns the governor limiter, which asks it whether a bucket exists.
struct Buckets(Arc<DefaultKeyedStateStore<String>>);

impl StateStore for Buckets {
    type Key = Probe;

    fn measure_and_replace<T, F, E>(&self, key: &Probe, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        if key.count {
            return self.0.measure_and_replace(&key.bucket, f);
        }
        // Look only: read the bucket's state (an `Err` from the closure leaves it unchanged)
        // and let governor decide on it; an absent bucket is a full one and stays absent.
        let state = self.0.get(&key.bucket).and_then(|bucket| {
            let seen = Cell::new(None);
            let _: Result<(), ()> = bucket.measure_and_replace(&NotKeyed::NonKey, |tat| {
                seen.set(tat);
                Err(())
            });
            seen.get()
        });
        f(state).map(|(outcome, _)| outcome)
    }
}

impl ShrinkableKeyedStateStore<Probe> for Buckets {
    fn retain_recent(&self, drop_below: Nanos) {
        ShrinkableKeyedStateStore::retain_recent(&*self.0, drop_below);
    }

    fn shrink_to_fit(&self) {
        ShrinkableKeyedStateStore::shrink_to_fit(&*self.0);
    }

    fn len(&self) -> usize {
        ShrinkableKeyedStateStore::len(&*self.0)
    }

    fn is_empty(&self) -> bool {
        ShrinkableKeyedStateStore::is_empty(&*self.0)
    }
}

/// The ports' clock as governor's: nanoseconds since the Unix epoch.
#[derive(Clone)]
struct PortClock(Arc<dyn Clock>);

impl governor::clock::Clock for PortClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        let nanos = self.0.now().timestamp_nanos_opt().unwrap_or(0);
        Nanos::new(u64::try_from(nanos).unwrap_or(0))
    }
}

type Keyed = governor::RateLimiter<Probe, Buckets, PortClock, NoOpMiddleware<Nanos>>;

/// One limit's governor limiter, its buckets, and its sweep counter.
struct Limiter {
    governor: Keyed,
    buckets: Arc<DefaultKeyedStateStore<String>>,
    counted: AtomicU64,
}

/// The in-process [`RateLimiter`] (see the module docs).
pub struct MemoryRateLimiter {
    clock: PortClock,
    limiters: Mutex<HashMap<RateLimit, Arc<Limiter>>>,
    max_buckets: usize,
}

impl std::fmt::Debug for MemoryRateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryRateLimiter")
            .field("max_buckets", &self.max_buckets)
            .finish_non_exhaustive()
    }
}

impl MemoryRateLimiter {
    /// A limiter with nothing counted, timed by `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock: PortClock(clock),
            limiters: Mutex::new(HashMap::new()),
            max_buckets: DEFAULT_MAX_BUCKETS,
        }
    }

    /// The same limiter holding at most `max_buckets` (at least 1) buckets per limit.
    #[must_use]
    pub fn with_max_buckets(mut self, max_buckets: usize) -> Self {
        self.max_buckets = max_buckets.max(1);
        self
    }

    /// How many buckets are held for `limit` now (idle ones go at the next sweep).
    pub fn buckets(&self, limit: RateLimit) -> usize {
        self.find(limit).map_or(0, |l| l.governor.len())
    }

    fn find(&self, limit: RateLimit) -> Option<Arc<Limiter>> {
        self.table().get(&limit).cloned()
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<RateLimit, Arc<Limiter>>> {
        // Only whole limiters are ever inserted; a panic elsewhere cannot leave one torn.
        self.limiters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The limiter of `limit`, made on first use.
    fn limiter(&self, limit: RateLimit) -> Arc<Limiter> {
        self.table()
            .entry(limit)
            .or_insert_with(|| {
                // `RateLimit` keeps its interval at 1 ms or more, so the period is never zero.
                let quota = Quota::with_period(limit.interval())
                    .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
                    .allow_burst(NonZeroU32::new(limit.max()).unwrap_or(NonZeroU32::MIN));
                let buckets = Arc::new(DefaultKeyedStateStore::default());
                Arc::new(Limiter {
                    governor: governor::RateLimiter::new(
                        quota,
                        Buckets(buckets.clone()),
                        self.clock.clone(),
                    ),
                    buckets,
                    counted: AtomicU64::new(0),
                })
            })
            .clone()
    }

    fn decide(&self, limiter: &Limiter, bucket: String, count: bool) -> Decision {
        let probe = Probe { bucket, count };
        match limiter.governor.check_key(&probe) {
            Ok(()) => Decision::Allowed,
            Err(not_until) => Decision::Limited {
                retry_after: not_until
                    .wait_time_from(governor::clock::Clock::now(&self.clock))
                    .max(std::time::Duration::from_nanos(1)),
            },
        }
    }

    fn sweep(limiter: &Limiter) {
        limiter.governor.retain_recent();
        limiter.governor.shrink_to_fit();
    }
}

#[async_trait]
impl RateLimiter for MemoryRateLimiter {
    async fn check(&self, key: &RateKey, limit: RateLimit) -> Result<Decision, CacheError> {
        match self.find(limit) {
            // Nothing counted for this limit yet: every bucket is full.
            None => Ok(Decision::Allowed),
            Some(limiter) => Ok(self.decide(&limiter, key.bucket(), false)),
        }
    }

    async fn consume(&self, key: &RateKey, limit: RateLimit) -> Result<Decision, CacheError> {
        let limiter = self.limiter(limit);
        if limiter.counted.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            Self::sweep(&limiter);
        }
        let bucket = key.bucket();
        if limiter.governor.len() >= self.max_buckets && !limiter.buckets.contains_key(&bucket) {
            Self::sweep(&limiter);
            if limiter.governor.len() >= self.max_buckets {
                tracing::warn!(
                    kind = key.kind().as_str(),
                    max_buckets = self.max_buckets,
                    "rate limiter full: a new bucket is refused until idle ones expire"
                );
                return Ok(Decision::Limited {
                    retry_after: limit.interval(),
                });
            }
        }
        Ok(self.decide(&limiter, bucket, true))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use campaign_domain::chrono::{TimeDelta, Utc};
    use campaign_ports::RateKind;

    use super::*;
    use crate::ManualClock;

    fn per_minute(max: u32) -> RateLimit {
        RateLimit::per_minute(NonZeroU32::new(max).unwrap())
    }

    fn key(subject: &str) -> RateKey {
        RateKey::new(RateKind::PasswordFailures, subject)
    }

    #[tokio::test]
    async fn check_never_adds_a_bucket() {
        let limiter = MemoryRateLimiter::new(Arc::new(ManualClock::new(Utc::now())));
        let limit = per_minute(2);
        limiter.consume(&key("seen"), limit).await.unwrap();
        for n in 0..100 {
            let answer = limiter.check(&key(&format!("probe-{n}")), limit).await;
            assert_eq!(answer.unwrap(), Decision::Allowed);
        }
        assert_eq!(limiter.buckets(limit), 1);
    }

    #[tokio::test]
    async fn idle_buckets_are_swept_away() {
        let clock = Arc::new(ManualClock::new(Utc::now()));
        let limiter = MemoryRateLimiter::new(clock.clone());
        let limit = per_minute(5);
        for n in 0..SWEEP_EVERY - 1 {
            limiter
                .consume(&key(&format!("k{n}")), limit)
                .await
                .unwrap();
        }
        assert_eq!(
            limiter.buckets(limit),
            usize::try_from(SWEEP_EVERY - 1).unwrap()
        );
        // A minute later every bucket is full again; the next sweep drops them all.
        clock.advance(TimeDelta::seconds(61));
        limiter.consume(&key("fresh"), limit).await.unwrap();
        assert!(limiter.buckets(limit) <= 1, "{}", limiter.buckets(limit));
    }

    #[tokio::test]
    async fn a_full_limiter_refuses_new_buckets_but_keeps_counting_old_ones() {
        let clock = Arc::new(ManualClock::new(Utc::now()));
        let limiter = MemoryRateLimiter::new(clock.clone()).with_max_buckets(3);
        let limit = per_minute(2);
        for subject in ["a", "b", "c"] {
            assert_eq!(
                limiter.consume(&key(subject), limit).await.unwrap(),
                Decision::Allowed
            );
        }
        let refused = limiter.consume(&key("d"), limit).await.unwrap();
        assert_eq!(
            refused,
            Decision::Limited {
                retry_after: Duration::from_secs(30)
            }
        );
        assert_eq!(limiter.buckets(limit), 3, "memory stays bounded");
        assert_eq!(
            limiter.consume(&key("a"), limit).await.unwrap(),
            Decision::Allowed
        );
        assert!(
            limiter
                .consume(&key("a"), limit)
                .await
                .unwrap()
                .is_limited()
        );
        // Once the old buckets are idle (a window and an interval), new ones are welcome again.
        clock.advance(TimeDelta::seconds(120));
        assert_eq!(
            limiter.consume(&key("d"), limit).await.unwrap(),
            Decision::Allowed
        );
        assert_eq!(limiter.buckets(limit), 1);
    }

    #[tokio::test]
    async fn each_limit_has_its_own_limiter() {
        let limiter = MemoryRateLimiter::new(Arc::new(ManualClock::new(Utc::now())));
        let (one, two) = (per_minute(1), per_minute(2));
        assert_eq!(
            limiter.consume(&key("x"), one).await.unwrap(),
            Decision::Allowed
        );
        assert!(limiter.consume(&key("x"), one).await.unwrap().is_limited());
        assert_eq!(
            limiter.consume(&RateKey::search("x"), two).await.unwrap(),
            Decision::Allowed
        );
        assert!(format!("{limiter:?}").starts_with("MemoryRateLimiter"));
    }
}
