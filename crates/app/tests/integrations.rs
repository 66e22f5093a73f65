//! How the market, search and promoter use cases behave when an integration misbehaves: a
//! failing Discovery API is `DEPENDENCY_UNAVAILABLE` and writes nothing; a Discovery adapter
//! that says it is not configured skips the existence checks; a failing cache is read around
//! (fail open).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use campaign_adapter_memory::{ManualClock, MemoryDiscovery};
use campaign_app::campaigns::CampaignService;
use campaign_app::markets::MarketService;
use campaign_app::promoters::PromoterService;
use campaign_app::search::{SearchParams, SearchService};
use campaign_app::{PasswordHasher, Ports, RequestContext, Settings};
use campaign_domain::DomainError;
use campaign_domain::chrono::{TimeZone, Utc};
use campaign_domain::paging::{Page, PageRequest};
use campaign_domain::permission::Actor;
use campaign_domain::search::{ArtistSummary, VenueSummary};
use campaign_domain::serde_json::{Value, json};
use campaign_domain::values::{CampaignId, EventId};
use campaign_ports::{Cache, CacheError, Discovery, IntegrationError, VersionedEntry};

/// A Discovery API that fails every call in one way.
#[derive(Debug)]
struct BrokenDiscovery(IntegrationError);

#[async_trait]
impl Discovery for BrokenDiscovery {
    async fn search_artists(
        &self,
        _query: &str,
        _page: PageRequest,
    ) -> Result<Page<ArtistSummary>, IntegrationError> {
        Err(self.0.clone())
    }

    async fn search_venues(
        &self,
        _query: &str,
        _page: PageRequest,
    ) -> Result<Page<VenueSummary>, IntegrationError> {
        Err(self.0.clone())
    }

    async fn event_exists(&self, _id: &EventId) -> Result<bool, IntegrationError> {
        Err(self.0.clone())
    }

    async fn venue_exists(&self, _id: &str) -> Result<bool, IntegrationError> {
        Err(self.0.clone())
    }
}

/// A cache that is down.
#[derive(Debug)]
struct DownCache;

#[async_trait]
impl Cache for DownCache {
    async fn get(&self, _key: &str) -> Result<Option<String>, CacheError> {
        Err(CacheError("connection refused".to_owned()))
    }

    async fn set(&self, _key: &str, _value: &str, _ttl: Duration) -> Result<(), CacheError> {
        Err(CacheError("connection refused".to_owned()))
    }

    async fn delete(&self, _keys: &[String]) -> Result<(), CacheError> {
        Err(CacheError("connection refused".to_owned()))
    }

    async fn get_versioned(&self, _key: &str) -> Result<Option<VersionedEntry>, CacheError> {
        Err(CacheError("connection refused".to_owned()))
    }

    async fn put_if_newer(
        &self,
        _key: &str,
        _entry: &VersionedEntry,
        _ttl: Duration,
    ) -> Result<bool, CacheError> {
        Err(CacheError("connection refused".to_owned()))
    }

    async fn publish(
        &self,
        _key: &str,
        _entry: &VersionedEntry,
        _ttl: Duration,
    ) -> Result<(), CacheError> {
        Err(CacheError("connection refused".to_owned()))
    }

    async fn ping(&self) -> Result<(), CacheError> {
        Err(CacheError("connection refused".to_owned()))
    }
}

fn ports(discovery: Option<Arc<dyn Discovery>>) -> Ports {
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap(),
    ));
    common::memory_ports(clock, Arc::new(DownCache), discovery)
}

fn admin() -> RequestContext {
    RequestContext::new(Actor::supreme("admin"), "corr-1")
}

async fn campaign(ports: &Ports) -> CampaignId {
    let campaigns = CampaignService::new(
        ports.clone(),
        &Settings::default(),
        PasswordHasher::new(1024, 1),
    );
    campaigns
        .create(
            &admin(),
            &json!({"name": "C", "artist": {"id": "K1"}, "domain": {"site": "c.example.test"}}),
        )
        .await
        .unwrap()
        .id
}

fn market(event: &str) -> Value {
    json!({"name": "NYC", "city": "New York", "state": "NY", "timezone": "America/New_York",
           "event": {"ids": [event], "venue": {"id": "V1"}}})
}

#[tokio::test]
async fn a_failing_discovery_api_refuses_the_market_and_writes_nothing() {
    let ports = ports(Some(Arc::new(BrokenDiscovery(
        IntegrationError::Transient("timeout".to_owned()),
    ))));
    let id = campaign(&ports).await;
    let pending = ports.outbox.stats().await.unwrap().pending;
    let markets = MarketService::new(ports.clone());
    let err = markets
        .create(&admin(), &id, &market("ev-1"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        DomainError::DependencyUnavailable {
            dependency: "discovery".to_owned()
        }
    );
    assert_eq!(err.error_type(), "DEPENDENCY_UNAVAILABLE");
    assert!(markets.list(&admin(), &id).await.unwrap().is_empty());
    assert_eq!(ports.outbox.stats().await.unwrap().pending, pending);
}

#[tokio::test]
async fn a_discovery_adapter_without_configuration_skips_the_existence_checks() {
    let ports = ports(Some(Arc::new(BrokenDiscovery(
        IntegrationError::NotConfigured("discovery"),
    ))));
    let id = campaign(&ports).await;
    let created = MarketService::new(ports.clone())
        .create(&admin(), &id, &market("ev-1"))
        .await
        .unwrap();
    assert_eq!(created.version, 1);
}

#[tokio::test]
async fn searches_fail_with_the_dependency_and_read_around_a_down_cache() {
    let params = SearchParams {
        q: Some("band".to_owned()),
        ..SearchParams::default()
    };
    let broken = SearchService::new(
        ports(Some(Arc::new(BrokenDiscovery(
            IntegrationError::Permanent("401 from the API".to_owned()),
        )))),
        &Settings::default(),
    );
    assert_eq!(
        broken.artists(&admin(), &params).await.unwrap_err(),
        DomainError::DependencyUnavailable {
            dependency: "discovery".to_owned()
        }
    );
    let discovery = Arc::new(MemoryDiscovery::new(
        vec![ArtistSummary {
            id: "K1".to_owned(),
            name: "The Band".to_owned(),
            image_url: None,
            url: None,
        }],
        Vec::new(),
        Vec::new(),
    ));
    let search = SearchService::new(ports(Some(discovery.clone())), &Settings::default());
    for _ in 0..2 {
        let page = search.artists(&admin(), &params).await.unwrap();
        assert_eq!(page.items.len(), 1);
    }
    assert_eq!(
        discovery.searches(),
        2,
        "without a cache every search asks the API"
    );
}

#[tokio::test]
async fn promoters_are_served_and_changed_while_the_cache_is_down() {
    let ports = ports(None);
    let promoters = PromoterService::new(ports, &Settings::default());
    let created = promoters
        .create(
            &admin(),
            &json!({"name": "P", "privacyUrls": [{"locale": "en", "url": "https://p.test/privacy", "is_default": true}]}),
        )
        .await
        .unwrap();
    assert_eq!(promoters.get(&admin(), &created.id).await.unwrap(), created);
    let updated = promoters
        .update(&admin(), &created.id, &json!({"name": "Q"}), Some(1))
        .await
        .unwrap();
    assert_eq!(
        promoters.get(&admin(), &created.id).await.unwrap().name,
        "Q"
    );
    assert_eq!(updated.version, 2);
    promoters.delete(&admin(), &created.id).await.unwrap();
    assert_eq!(
        promoters.get(&admin(), &created.id).await.unwrap_err(),
        DomainError::PromoterNotFound
    );
}
