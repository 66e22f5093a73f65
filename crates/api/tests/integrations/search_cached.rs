//! Artist search through the API, the HTTP Discovery client (against a `wiremock` stub in the
//! Discovery v2 shape) and the Redis cache: a second identical search is a cache hit that makes
//! no upstream call.

use std::sync::Arc;
use std::time::Duration;

use campaign_adapter_http::{
    BaseUrl, CurrentSpan, DiscoverySettings, HttpDiscovery, HttpSettings, RetryPolicy, Secret,
};
use campaign_adapter_redis::RedisCache;
use campaign_adapter_redis::testing;
use campaign_ports::{Cache, CacheKey};
use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::App;

const KEY: &str = "discovery-k3y";

fn discovery(server: &MockServer) -> Arc<HttpDiscovery> {
    let settings = DiscoverySettings {
        base_url: BaseUrl::parse(&server.uri()).unwrap(),
        api_key: Secret::new(KEY),
        http: HttpSettings {
            connect_timeout: Duration::from_millis(500),
            request_timeout: Duration::from_millis(500),
            retry: RetryPolicy {
                max_attempts: 2,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(20),
            },
        },
    };
    Arc::new(HttpDiscovery::new(&settings, Arc::new(CurrentSpan)).unwrap())
}

async fn redis() -> Arc<RedisCache> {
    let cache = Arc::new(RedisCache::connect(&testing::shared_settings()).unwrap());
    assert!(cache.wait_connected(Duration::from_secs(5)).await);
    cache
}

fn attractions() -> Value {
    json!({
        "_embedded": {"attractions": [{
            "name": "Taylor Swift", "type": "attraction", "id": "K8vZ9175BhV", "test": false,
            "url": "https://www.ticketmaster.com/taylor-swift-tickets/artist/1094215",
            "locale": "en-us",
            "images": [{"ratio": "16_9", "url": "https://s1.ticketm.net/dam/a/big.jpg", "width": 2048, "height": 1152, "fallback": false}],
            "_links": {"self": {"href": "/discovery/v2/attractions/K8vZ9175BhV?locale=en-us"}}
        }]},
        "_links": {"self": {"href": "/discovery/v2/attractions.json?keyword=taylor%20swift&page=0&size=10"}},
        "page": {"size": 10, "totalElements": 1, "totalPages": 1, "number": 0}
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_identical_search_is_a_cache_hit_without_an_upstream_call() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/discovery/v2/attractions.json"))
        .and(query_param("keyword", "taylor swift"))
        .and(query_param("page", "0"))
        .and(query_param("size", "10"))
        .and(query_param("apikey", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(attractions()))
        .expect(1)
        .mount(&server)
        .await;
    let cache = redis().await;
    let app = App::spawn(cache.clone(), Some(discovery(&server))).await;

    let (status, first) = app.get("/artists?q=Taylor%20Swift").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        first["data"],
        json!({
            "artists": [{
                "id": "K8vZ9175BhV",
                "name": "Taylor Swift",
                "imageUrl": "https://s1.ticketm.net/dam/a/big.jpg",
                "url": "https://www.ticketmaster.com/taylor-swift-tickets/artist/1094215"
            }],
            "pagination": {"page": 0, "pageSize": 10, "total": 1}
        })
    );
    let key = CacheKey::discovery("artists", "taylor swift", 0, 10);
    assert!(
        cache.get(&key).await.unwrap().is_some(),
        "the result is in Redis under {key}"
    );

    // The same search, written differently: the normalised query names the same entry.
    let (status, second) = app.get("/artists?q=%20taylor%20%20SWIFT%20").await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["data"], first["data"]);
    server.verify().await;
    app.shut_down().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_discovery_answers_503_and_nothing_is_cached() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/discovery/v2/venues.json"))
        .respond_with(ResponseTemplate::new(503))
        .expect(4)
        .mount(&server)
        .await;
    let cache = redis().await;
    let app = App::spawn(cache.clone(), Some(discovery(&server))).await;
    for _ in 0..2 {
        let (status, body) = app.get("/venues?q=garden").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["error"]["type"], "DEPENDENCY_UNAVAILABLE");
        assert!(!body.to_string().contains(KEY), "{body}");
    }
    let key = CacheKey::discovery("venues", "garden", 0, 10);
    assert_eq!(cache.get(&key).await.unwrap(), None);
    app.shut_down().await;
}
