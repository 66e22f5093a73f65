//! Memory-backed ports for the use-case tests: one store behind every repository and the outbox,
//! a manual clock, and the cache and Discovery API a test chooses.

use std::sync::Arc;

use campaign_adapter_memory::{
    ManualClock, MemoryIdempotency, MemoryLock, MemoryRateLimiter, MemoryStore, ObjectIdGenerator,
};
use campaign_app::Ports;
use campaign_ports::{Cache, Discovery};

/// Ports on one fresh memory store.
pub fn memory_ports(
    clock: Arc<ManualClock>,
    cache: Arc<dyn Cache>,
    discovery: Option<Arc<dyn Discovery>>,
) -> Ports {
    let store = Arc::new(MemoryStore::new());
    Ports {
        campaigns: store.clone(),
        markets: store.clone(),
        promoters: store.clone(),
        contacts: store.clone(),
        events: store.clone(),
        outbox: store,
        cache,
        lock: Arc::new(MemoryLock::new(clock.clone())),
        rate_limiter: Arc::new(MemoryRateLimiter::new(clock.clone())),
        idempotency: Arc::new(MemoryIdempotency::new()),
        discovery,
        clock,
        ids: Arc::new(ObjectIdGenerator::new()),
    }
}
