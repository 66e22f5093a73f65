//! The instrumenting decorator of the ports (SPEC §10): each wrapper implements the same trait
//! as the adapter it wraps and, for every call,
//! - opens a child span `<port>.<operation>` (`campaigns.findById`, `cache.get`,
//!   `queue.sendBatch`, ...) carrying the request's `correlation`, with error status and
//!   description when the call fails;
//! - records `dependency_call_duration_seconds{dependency,operation}` (and
//!   `dependency_call_errors_total` on failure);
//! - for cache reads, counts `cache_requests_total{result="hit"|"miss"|"error"}`.
//!
//! Store, cache and outbox spans are opened only inside another span (a request or a traced
//! job): the relay's polling makes no traces of its own, but is still timed. Deliveries to the
//! integrations (stream, queues, CDN, artist-extension store) always get a span, a root one
//! when the relay makes them, carrying the originating request's correlation id. The composition root applies the
//! decorator once ([`instrument_ports`], [`instrument_publishers`]); adapters know nothing of it.
//! The clock and the id generator are not wrapped: they do no I/O.

use std::fmt::Display;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use campaign_app::{Ports, Publishers};
use campaign_domain::campaign::Campaign;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::contact::Contact;
use campaign_domain::event::{Event, EventStatus};
use campaign_domain::market::Market;
use campaign_domain::messages::OutboundEvent;
use campaign_domain::paging::{Page, PageRequest};
use campaign_domain::permission::ReadScope;
use campaign_domain::promoter::Promoter;
use campaign_domain::search::{ArtistSummary, VenueSummary};
use campaign_domain::uuid::Uuid;
use campaign_domain::values::{
    ArtistId, CampaignId, CategoryId, ContactId, DomainName, EventId, MarketId, PromoterId,
};
use campaign_ports::{
    ArtistExtensionFile, ArtistExtensionStore, BatchOutcome, Begin, Cache, CacheError,
    CampaignDataStream, CampaignQuery, CampaignRepository, CdnPurger, ContactRepository, Discovery,
    EventRepository, IdempotencyClaim, IdempotencyKey, IdempotencyStore, IntegrationError, JobLock,
    LockToken, MarketRepository, MessageQueue, Outbox, OutboxRecord, OutboxStats,
    PromoterRepository, StoreError, StoredResponse,
};
use campaign_ports::{Decision, RateKey, RateLimit, RateLimiter, VersionedEntry};
use tracing::Instrument as _;

use super::logs::current_correlation;
use super::metrics::{self, CacheResult};

/// The span of one port call, carrying `correlation` (an `Option<&str>`).
macro_rules! port_span {
    ($name:expr, $correlation:expr) => {
        tracing::info_span!(
            $name,
            otel.kind = "client",
            correlation = $correlation,
            otel.status_code = tracing::field::Empty,
            otel.status_description = tracing::field::Empty,
        )
    };
}

/// Runs one store, cache or outbox call, timed, in a child span of the current one (none
/// outside any span: the relay's polling stays out of the traces).
macro_rules! observed {
    ($dependency:literal, $operation:literal, $call:expr) => {{
        let span = if tracing::Span::current().is_none() {
            tracing::Span::none()
        } else {
            port_span!(
                concat!($dependency, ".", $operation),
                current_correlation().as_deref()
            )
        };
        observe($dependency, $operation, span, $call).await
    }};
}

/// Runs one delivery to an integration, timed, in its own span: a child of the current span,
/// or a root when the relay delivers. It carries the correlation of the request the events
/// came from, when they all share one.
macro_rules! delivered {
    ($dependency:expr, $name:literal, $operation:literal, $events:expr, $call:expr) => {{
        let correlation = current_correlation().or_else(|| shared_correlation($events));
        let span = port_span!($name, correlation.as_deref());
        observe($dependency, $operation, span, $call).await
    }};
}

/// The correlation id every event shares, if they do.
fn shared_correlation(events: &[OutboundEvent]) -> Option<String> {
    let first = events.first()?.correlation.as_deref()?;
    events
        .iter()
        .all(|e| e.correlation.as_deref() == Some(first))
        .then(|| first.to_owned())
}

async fn observe<T, E: Display>(
    dependency: &'static str,
    operation: &'static str,
    span: tracing::Span,
    call: impl Future<Output = Result<T, E>>,
) -> Result<T, E> {
    let started = Instant::now();
    let result = call.instrument(span.clone()).await;
    finish(dependency, operation, &span, started.elapsed(), &result);
    result
}

fn finish<T, E: Display>(
    dependency: &'static str,
    operation: &'static str,
    span: &tracing::Span,
    elapsed: Duration,
    result: &Result<T, E>,
) {
    metrics::record_dependency_call(dependency, operation, elapsed, result.is_err());
    if let Err(error) = result {
        span.record("otel.status_code", "error");
        span.record("otel.status_description", error.to_string());
    }
}

/// The same ports, each call traced and timed.
pub(crate) fn instrument_ports(ports: Ports) -> Ports {
    Ports {
        campaigns: Arc::new(Campaigns(ports.campaigns)),
        markets: Arc::new(Markets(ports.markets)),
        promoters: Arc::new(Promoters(ports.promoters)),
        contacts: Arc::new(Contacts(ports.contacts)),
        events: Arc::new(Events(ports.events)),
        outbox: Arc::new(OutboxPort(ports.outbox)),
        cache: Arc::new(CachePort(ports.cache)),
        lock: Arc::new(Lock(ports.lock)),
        idempotency: Arc::new(Idempotency(ports.idempotency)),
        rate_limiter: Arc::new(RateLimits(ports.rate_limiter)),
        discovery: ports
            .discovery
            .map(|d| Arc::new(DiscoveryPort(d)) as Arc<dyn Discovery>),
        clock: ports.clock,
        ids: ports.ids,
    }
}

/// The same publishers, each call traced and timed.
pub(crate) fn instrument_publishers(publishers: Publishers) -> Publishers {
    Publishers {
        stream: Arc::new(Stream(publishers.stream)),
        data_pipeline: Arc::new(Queue {
            inner: publishers.data_pipeline,
            dependency: "queue.dataPipeline",
        }),
        refresh_selections: Arc::new(Queue {
            inner: publishers.refresh_selections,
            dependency: "queue.refreshSelections",
        }),
        cdn: Arc::new(Cdn(publishers.cdn)),
        artist_extension: Arc::new(ArtistExtension(publishers.artist_extension)),
    }
}

struct Campaigns(Arc<dyn CampaignRepository>);

#[async_trait]
impl CampaignRepository for Campaigns {
    async fn insert(
        &self,
        campaign: &Campaign,
        events: &[OutboundEvent],
    ) -> Result<Campaign, StoreError> {
        observed!("campaigns", "insert", self.0.insert(campaign, events))
    }

    async fn update(
        &self,
        campaign: &Campaign,
        expected_version: u64,
        events: &[OutboundEvent],
    ) -> Result<Campaign, StoreError> {
        observed!(
            "campaigns",
            "update",
            self.0.update(campaign, expected_version, events)
        )
    }

    async fn update_with_contacts(
        &self,
        campaign: &Campaign,
        expected_version: u64,
        contacts: &[Contact],
        events: &[OutboundEvent],
    ) -> Result<Campaign, StoreError> {
        observed!(
            "campaigns",
            "updateWithContacts",
            self.0
                .update_with_contacts(campaign, expected_version, contacts, events)
        )
    }

    async fn find_by_host(&self, host: &DomainName) -> Result<Option<Campaign>, StoreError> {
        observed!("campaigns", "findByHost", self.0.find_by_host(host))
    }

    async fn find_by_id(&self, id: &CampaignId) -> Result<Option<Campaign>, StoreError> {
        observed!("campaigns", "findById", self.0.find_by_id(id))
    }

    async fn find_by_ids(&self, ids: &[CampaignId]) -> Result<Vec<Campaign>, StoreError> {
        observed!("campaigns", "findByIds", self.0.find_by_ids(ids))
    }

    async fn find_by_domain(&self, domain: &DomainName) -> Result<Option<Campaign>, StoreError> {
        observed!("campaigns", "findByDomain", self.0.find_by_domain(domain))
    }

    async fn list(&self, query: &CampaignQuery) -> Result<Page<Campaign>, StoreError> {
        observed!("campaigns", "list", self.0.list(query))
    }

    async fn refresh_candidates(
        &self,
        now: DateTime<Utc>,
        closed_before: DateTime<Utc>,
    ) -> Result<Vec<Campaign>, StoreError> {
        observed!(
            "campaigns",
            "refreshCandidates",
            self.0.refresh_candidates(now, closed_before)
        )
    }

    async fn covering_event(
        &self,
        event_id: &EventId,
        with_markets: &[CampaignId],
        scope: &ReadScope,
        page: PageRequest,
    ) -> Result<Page<Campaign>, StoreError> {
        observed!(
            "campaigns",
            "coveringEvent",
            self.0.covering_event(event_id, with_markets, scope, page)
        )
    }

    async fn ids_by_category(
        &self,
        categories: &[CategoryId],
        scope: &ReadScope,
    ) -> Result<Vec<CampaignId>, StoreError> {
        observed!(
            "campaigns",
            "idsByCategory",
            self.0.ids_by_category(categories, scope)
        )
    }

    async fn ids_in_presale(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: &ReadScope,
    ) -> Result<Vec<CampaignId>, StoreError> {
        observed!(
            "campaigns",
            "idsInPresale",
            self.0.ids_in_presale(start, end, scope)
        )
    }

    async fn category_ids_in_presale(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: &ReadScope,
    ) -> Result<Vec<CategoryId>, StoreError> {
        observed!(
            "campaigns",
            "categoryIdsInPresale",
            self.0.category_ids_in_presale(start, end, scope)
        )
    }

    async fn find_by_artist(&self, artist_id: &ArtistId) -> Result<Vec<Campaign>, StoreError> {
        observed!(
            "campaigns",
            "findByArtist",
            self.0.find_by_artist(artist_id)
        )
    }

    async fn ping(&self) -> Result<(), StoreError> {
        observed!("campaigns", "ping", self.0.ping())
    }
}

struct Markets(Arc<dyn MarketRepository>);

#[async_trait]
impl MarketRepository for Markets {
    async fn insert(
        &self,
        market: &Market,
        events: &[OutboundEvent],
    ) -> Result<Market, StoreError> {
        observed!("markets", "insert", self.0.insert(market, events))
    }

    async fn update(
        &self,
        market: &Market,
        expected_version: u64,
        events: &[OutboundEvent],
    ) -> Result<Market, StoreError> {
        observed!(
            "markets",
            "update",
            self.0.update(market, expected_version, events)
        )
    }

    async fn delete(
        &self,
        campaign_id: &CampaignId,
        market_id: &MarketId,
        expected_version: Option<u64>,
        events: &[OutboundEvent],
    ) -> Result<Market, StoreError> {
        observed!(
            "markets",
            "delete",
            self.0
                .delete(campaign_id, market_id, expected_version, events)
        )
    }

    async fn find(
        &self,
        campaign_id: &CampaignId,
        market_id: &MarketId,
    ) -> Result<Option<Market>, StoreError> {
        observed!("markets", "find", self.0.find(campaign_id, market_id))
    }

    async fn find_by_ids(&self, ids: &[MarketId]) -> Result<Vec<Market>, StoreError> {
        observed!("markets", "findByIds", self.0.find_by_ids(ids))
    }

    async fn list_by_campaign(&self, campaign_id: &CampaignId) -> Result<Vec<Market>, StoreError> {
        observed!(
            "markets",
            "listByCampaign",
            self.0.list_by_campaign(campaign_id)
        )
    }

    async fn event_ids_of_campaigns(
        &self,
        campaign_ids: &[CampaignId],
    ) -> Result<Vec<EventId>, StoreError> {
        observed!(
            "markets",
            "eventIdsOfCampaigns",
            self.0.event_ids_of_campaigns(campaign_ids)
        )
    }

    async fn campaigns_listing_event(
        &self,
        event_id: &EventId,
        scope: &ReadScope,
    ) -> Result<Vec<CampaignId>, StoreError> {
        observed!(
            "markets",
            "campaignsListingEvent",
            self.0.campaigns_listing_event(event_id, scope)
        )
    }

    async fn find_by_event_id(&self, event_id: &EventId) -> Result<Vec<Market>, StoreError> {
        observed!(
            "markets",
            "findByEventId",
            self.0.find_by_event_id(event_id)
        )
    }

    async fn presale_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Market>, StoreError> {
        observed!(
            "markets",
            "presaleBetween",
            self.0.presale_between(from, to)
        )
    }

    async fn notifiable(&self, now: DateTime<Utc>) -> Result<Vec<Market>, StoreError> {
        observed!("markets", "notifiable", self.0.notifiable(now))
    }
}

struct Promoters(Arc<dyn PromoterRepository>);

#[async_trait]
impl PromoterRepository for Promoters {
    async fn insert(&self, promoter: &Promoter) -> Result<Promoter, StoreError> {
        observed!("promoters", "insert", self.0.insert(promoter))
    }

    async fn update(
        &self,
        promoter: &Promoter,
        expected_version: u64,
    ) -> Result<Promoter, StoreError> {
        observed!(
            "promoters",
            "update",
            self.0.update(promoter, expected_version)
        )
    }

    async fn delete(&self, id: &PromoterId) -> Result<(), StoreError> {
        observed!("promoters", "delete", self.0.delete(id))
    }

    async fn find_by_id(&self, id: &PromoterId) -> Result<Option<Promoter>, StoreError> {
        observed!("promoters", "findById", self.0.find_by_id(id))
    }

    async fn existing_ids(&self, ids: &[PromoterId]) -> Result<Vec<PromoterId>, StoreError> {
        observed!("promoters", "existingIds", self.0.existing_ids(ids))
    }

    async fn list(&self, page: PageRequest) -> Result<Page<Promoter>, StoreError> {
        observed!("promoters", "list", self.0.list(page))
    }
}

struct Contacts(Arc<dyn ContactRepository>);

#[async_trait]
impl ContactRepository for Contacts {
    async fn upsert(&self, contacts: &[Contact]) -> Result<(), StoreError> {
        observed!("contacts", "upsert", self.0.upsert(contacts))
    }

    async fn find_by_ids(&self, ids: &[ContactId]) -> Result<Vec<Contact>, StoreError> {
        observed!("contacts", "findByIds", self.0.find_by_ids(ids))
    }

    async fn search(
        &self,
        text: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<Contact>, StoreError> {
        observed!("contacts", "search", self.0.search(text, page))
    }
}

struct Events(Arc<dyn EventRepository>);

#[async_trait]
impl EventRepository for Events {
    async fn record_dates(
        &self,
        events: &[(EventId, Option<DateTime<Utc>>)],
    ) -> Result<(), StoreError> {
        observed!("events", "recordDates", self.0.record_dates(events))
    }

    async fn set_status(&self, id: &EventId, status: EventStatus) -> Result<Event, StoreError> {
        observed!("events", "setStatus", self.0.set_status(id, status))
    }

    async fn find(&self, id: &EventId) -> Result<Option<Event>, StoreError> {
        observed!("events", "find", self.0.find(id))
    }

    async fn find_by_status(
        &self,
        status: EventStatus,
        until: DateTime<Utc>,
    ) -> Result<Vec<Event>, StoreError> {
        observed!(
            "events",
            "findByStatus",
            self.0.find_by_status(status, until)
        )
    }
}

struct OutboxPort(Arc<dyn Outbox>);

#[async_trait]
impl Outbox for OutboxPort {
    async fn claim(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        observed!("outbox", "claim", self.0.claim(now, lease_until, limit))
    }

    async fn complete(&self, event_ids: &[Uuid]) -> Result<(), StoreError> {
        observed!("outbox", "complete", self.0.complete(event_ids))
    }

    async fn retry_later(
        &self,
        event_id: Uuid,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        observed!(
            "outbox",
            "retryLater",
            self.0.retry_later(event_id, next_attempt_at, error)
        )
    }

    async fn fail(&self, event_id: Uuid, error: &str) -> Result<(), StoreError> {
        observed!("outbox", "fail", self.0.fail(event_id, error))
    }

    async fn stats(&self) -> Result<OutboxStats, StoreError> {
        observed!("outbox", "stats", self.0.stats())
    }

    async fn failed(&self, page: PageRequest) -> Result<Page<OutboxRecord>, StoreError> {
        observed!("outbox", "failed", self.0.failed(page))
    }

    async fn requeue(&self, event_ids: &[Uuid], now: DateTime<Utc>) -> Result<u64, StoreError> {
        observed!("outbox", "requeue", self.0.requeue(event_ids, now))
    }
}

struct CachePort(Arc<dyn Cache>);

#[async_trait]
impl Cache for CachePort {
    async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        let result = observed!("cache", "get", self.0.get(key));
        metrics::record_cache(match &result {
            Ok(Some(_)) => CacheResult::Hit,
            Ok(None) => CacheResult::Miss,
            Err(_) => CacheResult::Error,
        });
        result
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError> {
        observed!("cache", "set", self.0.set(key, value, ttl))
    }

    async fn delete(&self, keys: &[String]) -> Result<(), CacheError> {
        observed!("cache", "delete", self.0.delete(keys))
    }

    async fn get_versioned(&self, key: &str) -> Result<Option<VersionedEntry>, CacheError> {
        let result = observed!("cache", "getVersioned", self.0.get_versioned(key));
        metrics::record_cache(match &result {
            Ok(Some(VersionedEntry { value: Some(_), .. })) => CacheResult::Hit,
            Ok(_) => CacheResult::Miss,
            Err(_) => CacheResult::Error,
        });
        result
    }

    async fn put_if_newer(
        &self,
        key: &str,
        entry: &VersionedEntry,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        observed!("cache", "putIfNewer", self.0.put_if_newer(key, entry, ttl))
    }

    async fn publish(
        &self,
        key: &str,
        entry: &VersionedEntry,
        ttl: Duration,
    ) -> Result<(), CacheError> {
        observed!("cache", "publish", self.0.publish(key, entry, ttl))
    }

    async fn ping(&self) -> Result<(), CacheError> {
        observed!("cache", "ping", self.0.ping())
    }
}

struct Idempotency(Arc<dyn IdempotencyStore>);

#[async_trait]
impl IdempotencyStore for Idempotency {
    async fn begin(
        &self,
        key: &IdempotencyKey,
        fingerprint: &str,
        claim: &IdempotencyClaim,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Begin, StoreError> {
        observed!(
            "idempotency",
            "begin",
            self.0.begin(key, fingerprint, claim, now, lease)
        )
    }

    async fn complete(
        &self,
        key: &IdempotencyKey,
        claim: &IdempotencyClaim,
        response: &StoredResponse,
        now: DateTime<Utc>,
        keep: Duration,
    ) -> Result<bool, StoreError> {
        observed!(
            "idempotency",
            "complete",
            self.0.complete(key, claim, response, now, keep)
        )
    }

    async fn release(
        &self,
        key: &IdempotencyKey,
        claim: &IdempotencyClaim,
    ) -> Result<bool, StoreError> {
        observed!("idempotency", "release", self.0.release(key, claim))
    }
}

struct Lock(Arc<dyn JobLock>);

#[async_trait]
impl JobLock for Lock {
    async fn try_acquire(
        &self,
        name: &str,
        token: &LockToken,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        observed!("lock", "tryAcquire", self.0.try_acquire(name, token, ttl))
    }

    async fn release(&self, name: &str, token: &LockToken) -> Result<bool, CacheError> {
        observed!("lock", "release", self.0.release(name, token))
    }
}

struct RateLimits(Arc<dyn RateLimiter>);

#[async_trait]
impl RateLimiter for RateLimits {
    async fn check(&self, key: &RateKey, limit: RateLimit) -> Result<Decision, CacheError> {
        observed!("ratelimit", "check", self.0.check(key, limit))
    }

    async fn consume(&self, key: &RateKey, limit: RateLimit) -> Result<Decision, CacheError> {
        observed!("ratelimit", "consume", self.0.consume(key, limit))
    }
}

struct DiscoveryPort(Arc<dyn Discovery>);

#[async_trait]
impl Discovery for DiscoveryPort {
    async fn search_artists(
        &self,
        query: &str,
        page: PageRequest,
    ) -> Result<Page<ArtistSummary>, IntegrationError> {
        observed!(
            "discovery",
            "searchArtists",
            self.0.search_artists(query, page)
        )
    }

    async fn search_venues(
        &self,
        query: &str,
        page: PageRequest,
    ) -> Result<Page<VenueSummary>, IntegrationError> {
        observed!(
            "discovery",
            "searchVenues",
            self.0.search_venues(query, page)
        )
    }

    async fn event_exists(&self, id: &EventId) -> Result<bool, IntegrationError> {
        observed!("discovery", "eventExists", self.0.event_exists(id))
    }

    async fn venue_exists(&self, id: &str) -> Result<bool, IntegrationError> {
        observed!("discovery", "venueExists", self.0.venue_exists(id))
    }
}

struct Stream(Arc<dyn CampaignDataStream>);

#[async_trait]
impl CampaignDataStream for Stream {
    async fn put_records(
        &self,
        events: &[OutboundEvent],
    ) -> Result<BatchOutcome, IntegrationError> {
        delivered!(
            "stream",
            "stream.putRecords",
            "putRecords",
            events,
            self.0.put_records(events)
        )
    }
}

/// One of the two queues; `dependency` tells them apart in the metrics.
struct Queue {
    inner: Arc<dyn MessageQueue>,
    dependency: &'static str,
}

#[async_trait]
impl MessageQueue for Queue {
    async fn send_batch(&self, events: &[OutboundEvent]) -> Result<BatchOutcome, IntegrationError> {
        delivered!(
            self.dependency,
            "queue.sendBatch",
            "sendBatch",
            events,
            self.inner.send_batch(events)
        )
    }
}

struct Cdn(Arc<dyn CdnPurger>);

#[async_trait]
impl CdnPurger for Cdn {
    async fn purge(&self, surrogate_keys: &[String]) -> Result<(), IntegrationError> {
        delivered!(
            "cdn",
            "cdn.purge",
            "purge",
            &[],
            self.0.purge(surrogate_keys)
        )
    }
}

struct ArtistExtension(Arc<dyn ArtistExtensionStore>);

#[async_trait]
impl ArtistExtensionStore for ArtistExtension {
    async fn write(&self, file: &ArtistExtensionFile) -> Result<(), IntegrationError> {
        delivered!(
            "artistExtension",
            "artistExtension.write",
            "write",
            &[],
            self.0.write(file)
        )
    }
}
