//! The Redis rate limiter against real `redis-server`s: the shared contract suite, one count
//! shared by two service replicas, buckets that expire, the script reloaded after a flush, and
//! an outage reported at once (the service then falls back to its in-process limiter).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code fails loudly"
)]

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use campaign_adapter_redis::testing::{self, PrivateRedis};
use campaign_adapter_redis::{RedisCache, RedisSettings};
use campaign_ports::testing::RateLimiterUnderTest;
use campaign_ports::{Decision, RateKey, RateKind, RateLimit, RateLimiter};
use fred::prelude::{Builder, ClientLike as _, Config, KeysInterface as _};
use fred::types::{ClusterHash, CustomCommand};

const WAIT: Duration = Duration::from_secs(5);

async fn connected(settings: &RedisSettings) -> Arc<RedisCache> {
    let cache = Arc::new(RedisCache::connect(settings).expect("client built"));
    assert!(
        cache.wait_connected(WAIT).await,
        "could not connect to the test Redis"
    );
    cache
}

/// A plain client on the shared test primary.
async fn raw_client() -> fred::clients::Client {
    let url = testing::variable(testing::URL_VARIABLE);
    let client = Builder::from_config(Config::from_url(&url).unwrap())
        .build()
        .unwrap();
    client.init().await.expect("raw client connects");
    client
}

fn per_minute(max: u32) -> RateLimit {
    RateLimit::per_minute(NonZeroU32::new(max).unwrap())
}

async fn fresh_limiter() -> RateLimiterUnderTest {
    RateLimiterUnderTest {
        // Every test cache has a key prefix of its own.
        limiter: connected(&testing::shared_settings()).await,
        advance: Box::new(|by: Duration| Box::pin(tokio::time::sleep(by))),
        subject_prefix: String::new(),
    }
}

campaign_ports::rate_limiter_contract_tests!(fresh_limiter);

#[tokio::test]
async fn two_service_replicas_share_one_count() {
    let settings = testing::shared_settings();
    let (a, b) = (connected(&settings).await, connected(&settings).await);
    let key = RateKey::password_failures(
        &campaign_domain::values::CampaignId::from_bytes([7; 12]),
        "fan-1",
    );
    let limit = per_minute(4);
    for replica in [&a, &b, &a, &b] {
        assert_eq!(
            replica.consume(&key, limit).await.unwrap(),
            Decision::Allowed
        );
    }
    for replica in [&a, &b] {
        assert!(replica.check(&key, limit).await.unwrap().is_limited());
        assert!(replica.consume(&key, limit).await.unwrap().is_limited());
    }
    let other = RateKey::password_failures(
        &campaign_domain::values::CampaignId::from_bytes([7; 12]),
        "fan-2",
    );
    assert_eq!(b.consume(&other, limit).await.unwrap(), Decision::Allowed);
}

#[tokio::test]
async fn a_bucket_expires_once_it_is_full_again_and_check_writes_nothing() {
    let settings = testing::shared_settings();
    let limiter = connected(&settings).await;
    let raw = raw_client().await;
    let key = RateKey::new(RateKind::Search, "expiring");
    let stored = format!("{}ratelimit:search:expiring", settings.key_prefix);
    let limit = per_minute(10);

    assert_eq!(limiter.check(&key, limit).await.unwrap(), Decision::Allowed);
    assert!(
        !raw.exists::<bool, _>(&stored).await.unwrap(),
        "check wrote"
    );
    limiter.consume(&key, limit).await.unwrap();
    limiter.consume(&key, limit).await.unwrap();
    let pttl: i64 = raw.pttl(&stored).await.unwrap();
    // Two events of one per 6 s: full again in 12 s.
    assert!((11_000..=12_000).contains(&pttl), "pttl {pttl}");
}

#[tokio::test]
async fn the_script_is_loaded_again_after_a_flush() {
    let limiter = connected(&testing::shared_settings()).await;
    let key = RateKey::search("flushed");
    let limit = per_minute(2);
    assert_eq!(
        limiter.consume(&key, limit).await.unwrap(),
        Decision::Allowed
    );
    let flush = CustomCommand::new_static("SCRIPT", ClusterHash::Random, false);
    let _: String = raw_client()
        .await
        .custom(flush, vec!["FLUSH".to_owned()])
        .await
        .unwrap();
    assert_eq!(
        limiter.consume(&key, limit).await.unwrap(),
        Decision::Allowed
    );
    assert!(limiter.consume(&key, limit).await.unwrap().is_limited());
}

#[tokio::test]
async fn an_outage_is_an_error_at_once() {
    let mut server = PrivateRedis::start();
    let limiter = connected(&testing::quick(RedisSettings::new(server.url()))).await;
    let key = RateKey::search("outage");
    let limit = per_minute(2);
    assert_eq!(
        limiter.consume(&key, limit).await.unwrap(),
        Decision::Allowed
    );
    server.stop();
    let started = Instant::now();
    let error = limiter.consume(&key, limit).await.unwrap_err();
    assert!(error.0.contains("rate limit"), "{error}");
    assert!(limiter.check(&key, limit).await.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "failed in {:?}",
        started.elapsed()
    );
}
