//! Redis stops in the middle of a test: the API keeps answering from the store (cache errors
//! are logged, never returned) and stays ready (200, reported `degraded`: readiness fails on the
//! store, never on the cache, SPEC §9); Redis starts again: the same process caches again,
//! without a restart.

use std::sync::Arc;
use std::time::{Duration, Instant};

use campaign_adapter_redis::testing::{self, PrivateRedis};
use campaign_adapter_redis::{RedisCache, RedisSettings};
use campaign_domain::values::CampaignId;
use campaign_ports::{Cache, CacheKey};
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{App, eventually};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_from_the_store_while_redis_is_down_and_caches_again_when_it_is_back() {
    let mut redis = PrivateRedis::start();
    let cache =
        Arc::new(RedisCache::connect(&testing::quick(RedisSettings::new(redis.url()))).unwrap());
    assert!(cache.wait_connected(Duration::from_secs(5)).await);
    let app = App::spawn(cache.clone(), None).await;

    let site = format!("outage-{}.example.test", std::process::id());
    let (status, created) = app
        .post(
            "/campaigns",
            &json!({"name": "Before", "artist": {"id": "K8vZ917G7x0"}, "domain": {"site": site}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    let key = CacheKey::campaign(&CampaignId::parse(&id).unwrap());
    let path = format!("/campaigns/{id}");

    // Up: a read fills the cache.
    let (status, _) = app.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    let cached = cache.get(&key).await.unwrap().expect("the read was cached");
    assert!(cached.contains("\"Before\""), "{cached}");
    let (status, ready) = app.get("/health/ready").await;
    assert_eq!(status, StatusCode::OK, "{ready}");
    assert_eq!(ready["data"]["status"], "ready");

    // Down: reads and writes still answer, from the store, without waiting on Redis.
    redis.stop();
    let started = Instant::now();
    let (status, read) = app.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["data"]["name"], "Before");
    let (status, updated) = app.post(&path, &json!({"name": "During"})).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    let (status, read) = app.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        read["data"]["name"], "During",
        "the store answers, not a stale copy"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "a dead cache must not slow requests down: {:?}",
        started.elapsed()
    );
    // Still ready: a Redis blip must not take every replica out of rotation.
    let (status, degraded) = app.get("/health/ready").await;
    assert_eq!(status, StatusCode::OK, "{degraded}");
    assert_eq!(degraded["data"]["status"], "degraded");

    // Longer than one round of reconnection attempts, so that round gives up.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    redis.restart();

    // Back: the same process reconnects and caches again (the restarted Redis is empty).
    eventually("readiness sees Redis again", || async {
        let (status, ready) = app.get("/health/ready").await;
        status == StatusCode::OK && ready["data"]["status"] == "ready"
    })
    .await;
    eventually("reads are cached again", || async {
        let (status, read) = app.get(&path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(read["data"]["name"], "During");
        cache
            .get(&key)
            .await
            .ok()
            .flatten()
            .is_some_and(|c| c.contains("\"During\""))
    })
    .await;
    app.shut_down().await;
}
