//! The memory adapters against the shared contract suite of `campaign-ports`.

use std::sync::Arc;
use std::time::Duration;

use campaign_adapter_memory::{
    ManualClock, MemoryCache, MemoryIdempotency, MemoryLock, MemoryStore,
};
use campaign_domain::chrono::{TimeDelta, Utc};
use campaign_ports::testing::{CacheUnderTest, IdempotencyUnderTest, StoreUnderTest};

async fn fresh_store() -> StoreUnderTest {
    let store = Arc::new(MemoryStore::new());
    StoreUnderTest {
        campaigns: store.clone(),
        markets: store.clone(),
        promoters: store.clone(),
        contacts: store.clone(),
        events: store.clone(),
        outbox: store,
    }
}

campaign_ports::store_contract_tests!(fresh_store);

async fn fresh_cache() -> CacheUnderTest {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let advance_clock = clock.clone();
    CacheUnderTest {
        cache: Arc::new(MemoryCache::new(clock.clone())),
        lock: Arc::new(MemoryLock::new(clock)),
        advance: Box::new(move |by: Duration| {
            advance_clock.advance(TimeDelta::from_std(by).unwrap_or(TimeDelta::MAX));
            Box::pin(async {})
        }),
        key_prefix: String::new(),
    }
}

campaign_ports::cache_contract_tests!(fresh_cache);

async fn fresh_idempotency() -> IdempotencyUnderTest {
    Arc::new(MemoryIdempotency::new())
}

campaign_ports::idempotency_contract_tests!(fresh_idempotency);

async fn fresh_rate_limiter() -> campaign_ports::testing::RateLimiterUnderTest {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let advance_clock = clock.clone();
    campaign_ports::testing::RateLimiterUnderTest {
        limiter: Arc::new(campaign_adapter_memory::MemoryRateLimiter::new(clock)),
        advance: Box::new(move |by: Duration| {
            advance_clock.advance(TimeDelta::from_std(by).unwrap_or(TimeDelta::MAX));
            Box::pin(async {})
        }),
        subject_prefix: String::new(),
    }
}

campaign_ports::rate_limiter_contract_tests!(fresh_rate_limiter);
