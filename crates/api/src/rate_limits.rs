//! The rate limiter the service runs on with Redis configured: the shared Redis limiter, with
//! the in-process one behind it (SPEC §4.1, ADR 0014).
//!
//! Adapters may not depend on each other, so the composition lives here. While Redis answers,
//! every replica shares its counts. When a call to it fails (down, timing out), that call and
//! every call until Redis answers again is decided by the in-process limiter instead: limits
//! then hold per replica — never "no limit", never a 5xx. The switch is logged once each way,
//! not once per call.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use campaign_ports::{CacheError, Decision, RateKey, RateLimit, RateLimiter};

/// `shared` while it answers, `fallback` when it fails.
pub(crate) struct FailoverRateLimiter {
    shared: Arc<dyn RateLimiter>,
    fallback: Arc<dyn RateLimiter>,
    failing: AtomicBool,
}

impl FailoverRateLimiter {
    /// Decides on `shared`, falling back to `fallback` (which should never fail) on errors.
    pub(crate) fn new(shared: Arc<dyn RateLimiter>, fallback: Arc<dyn RateLimiter>) -> Self {
        Self {
            shared,
            fallback,
            failing: AtomicBool::new(false),
        }
    }

    fn shared_answered(&self) {
        if self.failing.swap(false, Ordering::Relaxed) {
            tracing::info!("rate limits are shared through Redis again");
        }
    }

    fn shared_failed(&self, error: &CacheError) {
        if !self.failing.swap(true, Ordering::Relaxed) {
            tracing::warn!(%error, "Redis rate limiter failed; limiting in process until it answers");
        }
    }
}

/// Which question is asked.
#[derive(Clone, Copy)]
enum Ask {
    Check,
    Consume,
}

impl FailoverRateLimiter {
    async fn ask(&self, ask: Ask, key: &RateKey, limit: RateLimit) -> Result<Decision, CacheError> {
        let on = |limiter: &Arc<dyn RateLimiter>| {
            let limiter = limiter.clone();
            let key = key.clone();
            async move {
                match ask {
                    Ask::Check => limiter.check(&key, limit).await,
                    Ask::Consume => limiter.consume(&key, limit).await,
                }
            }
        };
        match on(&self.shared).await {
            Ok(decision) => {
                self.shared_answered();
                Ok(decision)
            }
            Err(error) => {
                self.shared_failed(&error);
                on(&self.fallback).await
            }
        }
    }
}

#[async_trait]
impl RateLimiter for FailoverRateLimiter {
    async fn check(&self, key: &RateKey, limit: RateLimit) -> Result<Decision, CacheError> {
        self.ask(Ask::Check, key, limit).await
    }

    async fn consume(&self, key: &RateKey, limit: RateLimit) -> Result<Decision, CacheError> {
        self.ask(Ask::Consume, key, limit).await
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;
    use std::sync::atomic::AtomicUsize;

    use campaign_adapter_memory::{MemoryRateLimiter, SystemClock};

    use super::*;

    /// A shared limiter that can be switched off, counting the calls it gets.
    struct Flaky {
        inner: MemoryRateLimiter,
        down: AtomicBool,
        calls: AtomicUsize,
    }

    impl Flaky {
        fn answer(&self) -> Result<(), CacheError> {
            self.calls.fetch_add(1, Ordering::Relaxed);
            if self.down.load(Ordering::Relaxed) {
                Err(CacheError(
                    "redis rate limit consume: connection refused".into(),
                ))
            } else {
                Ok(())
            }
        }
    }

    #[async_trait]
    impl RateLimiter for Flaky {
        async fn check(&self, key: &RateKey, limit: RateLimit) -> Result<Decision, CacheError> {
            self.answer()?;
            self.inner.check(key, limit).await
        }

        async fn consume(&self, key: &RateKey, limit: RateLimit) -> Result<Decision, CacheError> {
            self.answer()?;
            self.inner.consume(key, limit).await
        }
    }

    #[tokio::test]
    async fn an_outage_of_the_shared_limiter_falls_back_to_the_local_one_and_back() {
        let shared = Arc::new(Flaky {
            inner: MemoryRateLimiter::new(Arc::new(SystemClock)),
            down: AtomicBool::new(false),
            calls: AtomicUsize::new(0),
        });
        let local = Arc::new(MemoryRateLimiter::new(Arc::new(SystemClock)));
        let limiter = FailoverRateLimiter::new(shared.clone(), local.clone());
        let key = RateKey::search("fan");
        let limit = RateLimit::per_minute(NonZeroU32::new(2).unwrap());

        assert_eq!(limiter.consume(&key, limit).await, Ok(Decision::Allowed));
        assert_eq!(local.check(&key, limit).await, Ok(Decision::Allowed));
        assert_eq!(local.buckets(limit), 0, "the local limiter was not asked");

        shared.down.store(true, Ordering::Relaxed);
        assert_eq!(limiter.consume(&key, limit).await, Ok(Decision::Allowed));
        assert_eq!(limiter.consume(&key, limit).await, Ok(Decision::Allowed));
        let limited = limiter.consume(&key, limit).await.unwrap();
        assert!(limited.is_limited(), "still limited during the outage");
        assert!(limiter.check(&key, limit).await.unwrap().is_limited());

        shared.down.store(false, Ordering::Relaxed);
        assert_eq!(limiter.consume(&key, limit).await, Ok(Decision::Allowed));
        assert!(limiter.consume(&key, limit).await.unwrap().is_limited());
        assert_eq!(
            shared.calls.load(Ordering::Relaxed),
            7,
            "Redis is tried on every call"
        );
    }
}
