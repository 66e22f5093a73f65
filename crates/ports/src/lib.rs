//! The ports of campaign-service: every trait the use cases need from the outside world —
//! repositories, the outbox, cache and lock, the idempotency records, rate limits, the
//! Discovery API, the CDN, the data stream and queues, the artist-extension store, the clock
//! and id generator.
//!
//! Each trait is object safe and `Send + Sync + 'static`: the composition root holds every
//! adapter as `Arc<dyn Port>` shared by all request handlers and background jobs running on a
//! multi-threaded runtime. Every method documents what it returns and which error it MUST
//! return in which case; the contract suite in `testing` (feature `testing`) checks exactly
//! those promises, once for every adapter.
//!
//! Architecture invariant: ports name only domain types and plain Rust; no adapter technology
//! (drivers, HTTP, AWS) appears here.

pub mod cache;
pub mod campaigns;
pub mod contacts;
pub mod discovery;
pub mod error;
pub mod events;
pub mod idempotency;
pub mod markets;
pub mod outbox;
pub mod promoters;
pub mod publishers;
pub mod rate_limit;
pub mod system;
#[cfg(feature = "testing")]
pub mod testing;

pub use cache::{Cache, CacheKey, JobLock, LockToken, VersionedEntry};
pub use campaigns::{CampaignQuery, CampaignRepository, CampaignSort, CampaignSortField};
pub use contacts::ContactRepository;
pub use discovery::Discovery;
pub use error::{CacheError, ErrorSource, IntegrationError, StoreError};
pub use events::EventRepository;
pub use idempotency::{Begin, IdempotencyClaim, IdempotencyKey, IdempotencyStore, StoredResponse};
pub use markets::MarketRepository;
pub use outbox::{Outbox, OutboxRecord, OutboxState, OutboxStats};
pub use promoters::PromoterRepository;
pub use publishers::{
    ArtistExtensionFile, ArtistExtensionStore, BatchOutcome, CampaignDataStream, CdnPurger,
    MessageQueue,
};
pub use rate_limit::{Decision, RateKey, RateKind, RateLimit, RateLimiter};
pub use system::{Clock, IdGenerator};
