//! The bundle of ports the use cases run on, and the settings that tune them.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use campaign_ports::{
    ArtistExtensionStore, Cache, CampaignDataStream, CampaignRepository, CdnPurger, Clock,
    ContactRepository, Discovery, EventRepository, IdGenerator, IdempotencyStore, JobLock,
    MarketRepository, MessageQueue, Outbox, PromoterRepository, RateLimit, RateLimiter,
};

/// Every port the use cases need, as shared trait objects. Built once by the composition root
/// (or by a test from memory adapters) and cloned cheaply into each service.
#[derive(Clone)]
pub struct Ports {
    /// Campaign store.
    pub campaigns: Arc<dyn CampaignRepository>,
    /// Market store.
    pub markets: Arc<dyn MarketRepository>,
    /// Promoter store.
    pub promoters: Arc<dyn PromoterRepository>,
    /// Contact store.
    pub contacts: Arc<dyn ContactRepository>,
    /// Event store.
    pub events: Arc<dyn EventRepository>,
    /// Delivery side of the outbox (recording happens through the stores' writes).
    pub outbox: Arc<dyn Outbox>,
    /// Read cache (fail open).
    pub cache: Arc<dyn Cache>,
    /// Lock that keeps scheduled jobs to one replica.
    pub lock: Arc<dyn JobLock>,
    /// The records of `Idempotency-Key` (SPEC §4.1), on the same store as the records so every
    /// replica sees them. No use case calls it: the API's idempotency layer does; it travels
    /// here so that choosing a store brings its own.
    pub idempotency: Arc<dyn IdempotencyStore>,
    /// Rate limits of SPEC §4.1 (wrong passwords, searches); shared by the replicas when the
    /// composition root puts a shared store behind it.
    pub rate_limiter: Arc<dyn RateLimiter>,
    /// The Discovery API, when configured.
    pub discovery: Option<Arc<dyn Discovery>>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Ids.
    pub ids: Arc<dyn IdGenerator>,
}

impl std::fmt::Debug for Ports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ports")
            .field("discovery", &self.discovery.is_some())
            .finish_non_exhaustive()
    }
}

/// Where the outbox relay delivers each destination's messages.
#[derive(Clone)]
pub struct Publishers {
    /// Campaign data stream.
    pub stream: Arc<dyn CampaignDataStream>,
    /// Data pipeline queue.
    pub data_pipeline: Arc<dyn MessageQueue>,
    /// Refresh-selections queue.
    pub refresh_selections: Arc<dyn MessageQueue>,
    /// CDN.
    pub cdn: Arc<dyn CdnPurger>,
    /// Artist-extension store.
    pub artist_extension: Arc<dyn ArtistExtensionStore>,
}

impl std::fmt::Debug for Publishers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Publishers")
    }
}

/// Tunables of the use cases.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Whether campaign and promoter reads go through the cache. Only a cache that every
    /// replica shares may hold records other replicas change (SPEC §9): off when the cache is
    /// in process and the store is shared (MongoDB without Redis), and off on the memory store
    /// without Redis, where caching in-process reads would only add copies.
    pub cache_records: bool,
    /// How long a campaign read stays cached.
    pub campaign_cache_ttl: Duration,
    /// How long a promoter read stays cached (`promoter:<id>`).
    pub promoter_cache_ttl: Duration,
    /// How long an artist or venue search stays cached (`CAMPAIGN_SEARCH_CACHE_TTL_SECS`).
    pub search_cache_ttl: Duration,
    /// Wrong campaign passwords allowed per campaign and caller
    /// (`CAMPAIGN_RATE_LIMIT_PASSWORD_PER_MIN`); `None`: not limited.
    pub password_rate_limit: Option<RateLimit>,
    /// `/artists` and `/venues` calls allowed per caller (`CAMPAIGN_RATE_LIMIT_SEARCH_PER_MIN`);
    /// `None`: not limited.
    pub search_rate_limit: Option<RateLimit>,
}

/// The default of `CAMPAIGN_RATE_LIMIT_PASSWORD_PER_MIN`: 10 wrong passwords a minute.
const DEFAULT_PASSWORD_FAILURES_PER_MIN: u32 = 10;
/// The default of `CAMPAIGN_RATE_LIMIT_SEARCH_PER_MIN`: 120 searches a minute.
const DEFAULT_SEARCHES_PER_MIN: u32 = 120;

impl Default for Settings {
    fn default() -> Self {
        Self {
            cache_records: true,
            campaign_cache_ttl: Duration::from_secs(60),
            promoter_cache_ttl: Duration::from_secs(60),
            search_cache_ttl: Duration::from_secs(300),
            password_rate_limit: NonZeroU32::new(DEFAULT_PASSWORD_FAILURES_PER_MIN)
                .map(RateLimit::per_minute),
            search_rate_limit: NonZeroU32::new(DEFAULT_SEARCHES_PER_MIN).map(RateLimit::per_minute),
        }
    }
}
