//! Rate limits on Redis through the API (SPEC §4.1, ADR 0014): two replicas of the service
//! share one count; while Redis is down each replica limits in process (never a 5xx, never
//! unlimited), and shares its counts again once Redis is back.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use campaign_adapter_memory::{MemoryDiscovery, SystemClock};
use campaign_adapter_redis::testing::{self, PrivateRedis};
use campaign_adapter_redis::{RedisCache, RedisSettings};
use campaign_api::{logging_publishers, memory_ports};
use campaign_domain::search::ArtistSummary;
use campaign_ports::RateLimit;
use reqwest::StatusCode;

use crate::harness::{App, components, eventually};

async fn redis(settings: &RedisSettings) -> Arc<RedisCache> {
    let cache = Arc::new(RedisCache::connect(settings).unwrap());
    assert!(cache.wait_connected(Duration::from_secs(5)).await);
    cache
}

/// A replica of the service on `cache`, allowing `per_minute` searches per caller.
async fn replica(cache: Arc<RedisCache>, per_minute: u32) -> App {
    let mut ports = memory_ports(Arc::new(SystemClock));
    campaign_api::wiring::plug_redis(&mut ports, cache);
    ports.discovery = Some(Arc::new(MemoryDiscovery::new(
        vec![ArtistSummary {
            id: "K1".to_owned(),
            name: "Taylor Swift".to_owned(),
            image_url: None,
            url: None,
        }],
        Vec::new(),
        Vec::new(),
    )));
    let mut components = components(ports, logging_publishers());
    components.settings.search_rate_limit =
        Some(RateLimit::per_minute(NonZeroU32::new(per_minute).unwrap()));
    App::start(components).await
}

async fn search(app: &App) -> StatusCode {
    let (status, body) = app.get("/artists?q=taylor").await;
    if status == StatusCode::TOO_MANY_REQUESTS {
        assert_eq!(body["error"]["type"], "TOO_MANY_REQUESTS", "{body}");
    }
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_one_search_count() {
    // Two replicas: their own connections, one Redis, one key prefix.
    let settings = testing::shared_settings();
    let (a, b) = (
        replica(redis(&settings).await, 4).await,
        replica(redis(&settings).await, 4).await,
    );
    for app in [&a, &b, &a, &b] {
        assert_eq!(search(app).await, StatusCode::OK);
    }
    assert_eq!(search(&a).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(search(&b).await, StatusCode::TOO_MANY_REQUESTS);
    a.shut_down().await;
    b.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_redis_is_down_each_replica_limits_in_process() {
    let mut server = PrivateRedis::start();
    let app = replica(
        redis(&testing::quick(RedisSettings::new(server.url()))).await,
        3,
    )
    .await;
    assert_eq!(search(&app).await, StatusCode::OK);
    server.stop();
    // The in-process limiter starts from zero: three more, then limited; never a 5xx.
    for n in 1..=3 {
        assert_eq!(
            search(&app).await,
            StatusCode::OK,
            "search {n} during the outage"
        );
    }
    assert_eq!(search(&app).await, StatusCode::TOO_MANY_REQUESTS);
    server.restart();
    // Back on (an empty) Redis, the count is shared again.
    eventually("the shared limiter answers again", || async {
        search(&app).await == StatusCode::OK
    })
    .await;
    app.shut_down().await;
}
