//! In-memory implementations of every campaign-service port, with the semantics the real
//! adapters have: unique site domains and market names enforced at write time under
//! concurrent writers, version-checked writes, stable sorting, paging, case-insensitive
//! literal search, an outbox written atomically with each change, expiring cache entries,
//! idempotency records decided under one lock, and rate limits on `governor`.
//!
//! Used by the tests of every layer and by the embedded default of the service. They pass the
//! same contract suite (`campaign_ports::testing`) as the MongoDB and Redis adapters.
//!
//! Architecture invariant: this crate depends only on the domain and the ports.

mod cache;
mod discovery;
mod idempotency;
mod publishers;
mod rate_limit;
mod store;
mod system;

pub use cache::{MemoryCache, MemoryLock};
pub use discovery::MemoryDiscovery;
pub use idempotency::MemoryIdempotency;
pub use publishers::{RecordingArtistStore, RecordingCdn, RecordingQueue, RecordingStream};
pub use rate_limit::{DEFAULT_MAX_BUCKETS, MemoryRateLimiter, SWEEP_EVERY};
pub use store::MemoryStore;
pub use system::{ManualClock, ObjectIdGenerator, SystemClock};
