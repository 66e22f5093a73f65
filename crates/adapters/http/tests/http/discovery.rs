//! The Discovery client against stubs in the Ticketmaster Discovery v2 shapes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use campaign_adapter_http::{
    BaseUrl, CurrentSpan, DiscoverySettings, HttpDiscovery, Secret, is_traceparent,
};
use campaign_domain::paging::{PageRequest, Pagination};
use campaign_domain::search::{ArtistSummary, VenueSummary};
use campaign_domain::serde_json::{Value, json};
use campaign_domain::values::EventId;
use campaign_ports::Discovery;
use tracing::Instrument as _;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{assert_permanent, assert_transient, closed_port_url, quick};

const KEY: &str = "k3y-s3cr3t";

fn client(base: &str) -> HttpDiscovery {
    HttpDiscovery::new(
        &DiscoverySettings {
            base_url: BaseUrl::parse(base).unwrap(),
            api_key: Secret::new(KEY),
            http: quick(),
        },
        Arc::new(CurrentSpan),
    )
    .unwrap()
}

fn page(number: i64, size: i64) -> PageRequest {
    PageRequest::new(Some(number), Some(size)).unwrap()
}

/// An attraction search answer as the API sends it (abridged: `_links` and classifications
/// trimmed, every field we read kept).
fn attractions_answer() -> Value {
    json!({
        "_embedded": {
            "attractions": [
                {
                    "name": "Taylor Swift",
                    "type": "attraction",
                    "id": "K8vZ9175BhV",
                    "test": false,
                    "url": "https://www.ticketmaster.com/taylor-swift-tickets/artist/1094215",
                    "locale": "en-us",
                    "externalLinks": {"homepage": [{"url": "https://www.taylorswift.com/"}]},
                    "aliases": ["tswift"],
                    "images": [
                        {"ratio": "16_9", "url": "https://s1.ticketm.net/dam/a/small.jpg", "width": 205, "height": 115, "fallback": false},
                        {"ratio": "16_9", "url": "https://s1.ticketm.net/dam/a/big.jpg", "width": 2048, "height": 1152, "fallback": false},
                        {"ratio": "3_2", "url": "https://s1.ticketm.net/dam/c/fallback.jpg", "width": 3048, "height": 2032, "fallback": true}
                    ],
                    "classifications": [{"primary": true, "segment": {"id": "KZFzniwnSyZfZ7v7nJ", "name": "Music"}}],
                    "upcomingEvents": {"_total": 12, "ticketmaster": 12, "_filtered": 0},
                    "_links": {"self": {"href": "/discovery/v2/attractions/K8vZ9175BhV?locale=en-us"}}
                },
                {
                    "name": "Taylor Swift Tribute",
                    "type": "attraction",
                    "id": "K8vZ917oWOV",
                    "test": false,
                    "locale": "en-us",
                    "upcomingEvents": {"_total": 0, "_filtered": 0},
                    "_links": {"self": {"href": "/discovery/v2/attractions/K8vZ917oWOV?locale=en-us"}}
                }
            ]
        },
        "_links": {
            "first": {"href": "/discovery/v2/attractions.json?keyword=taylor%20swift&page=0&size=2"},
            "self": {"href": "/discovery/v2/attractions.json?keyword=taylor%20swift&page=0&size=2"},
            "next": {"href": "/discovery/v2/attractions.json?keyword=taylor%20swift&page=1&size=2"},
            "last": {"href": "/discovery/v2/attractions.json?keyword=taylor%20swift&page=21&size=2"}
        },
        "page": {"size": 2, "totalElements": 43, "totalPages": 22, "number": 0}
    })
}

fn venues_answer() -> Value {
    json!({
        "_embedded": {
            "venues": [{
                "name": "Madison Square Garden",
                "type": "venue",
                "id": "KovZpZA7AAEA",
                "test": false,
                "url": "https://www.ticketmaster.com/madison-square-garden-tickets-new-york/venue/483329",
                "locale": "en-us",
                "postalCode": "10001",
                "timezone": "America/New_York",
                "city": {"name": "New York"},
                "state": {"name": "New York", "stateCode": "NY"},
                "country": {"name": "United States Of America", "countryCode": "US"},
                "address": {"line1": "7th Ave & 32nd Street"},
                "location": {"longitude": "-73.99160060", "latitude": "40.75097671"},
                "upcomingEvents": {"_total": 150, "ticketmaster": 150, "_filtered": 0},
                "_links": {"self": {"href": "/discovery/v2/venues/KovZpZA7AAEA?locale=en-us"}}
            }, {
                "name": "Garden Theatre",
                "type": "venue",
                "id": "Z7r9jZ1A7j",
                "locale": "en-us",
                "city": {"name": "Detroit"},
                "state": {"name": "Michigan"},
                "country": {"name": "United States Of America"}
            }]
        },
        "_links": {"self": {"href": "/discovery/v2/venues.json?keyword=garden&page=1&size=2"}},
        "page": {"size": 2, "totalElements": 4, "totalPages": 2, "number": 1}
    })
}

/// What the API answers for an id it does not know.
fn not_found_answer(id: &str) -> Value {
    json!({
        "errors": [{
            "code": "DIS1004",
            "detail": format!("Resource not found with provided criteria (locale=en-us, id={id})"),
            "status": "404",
            "_links": {"about": {"href": "/discovery/v2/errors.html#DIS1004"}}
        }]
    })
}

#[tokio::test]
async fn artist_search_maps_attractions_and_the_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/discovery/v2/attractions.json"))
        .and(query_param("keyword", "taylor swift"))
        .and(query_param("page", "0"))
        .and(query_param("size", "2"))
        .and(query_param("apikey", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(attractions_answer()))
        .expect(1)
        .mount(&server)
        .await;
    let found = client(&server.uri())
        .search_artists("taylor swift", page(0, 2))
        .await
        .unwrap();
    assert_eq!(
        found.items,
        vec![
            ArtistSummary {
                id: "K8vZ9175BhV".to_owned(),
                name: "Taylor Swift".to_owned(),
                image_url: Some("https://s1.ticketm.net/dam/a/big.jpg".to_owned()),
                url: Some(
                    "https://www.ticketmaster.com/taylor-swift-tickets/artist/1094215".to_owned()
                ),
            },
            ArtistSummary {
                id: "K8vZ917oWOV".to_owned(),
                name: "Taylor Swift Tribute".to_owned(),
                image_url: None,
                url: None,
            },
        ]
    );
    assert_eq!(
        found.pagination,
        Pagination {
            page: 0,
            page_size: 2,
            total: 43
        }
    );
}

#[tokio::test]
async fn venue_search_maps_city_state_and_country_codes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/discovery/v2/venues.json"))
        .and(query_param("keyword", "garden"))
        .and(query_param("page", "1"))
        .and(query_param("size", "2"))
        .and(query_param("apikey", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(venues_answer()))
        .expect(1)
        .mount(&server)
        .await;
    let found = client(&server.uri())
        .search_venues("garden", page(1, 2))
        .await
        .unwrap();
    assert_eq!(
        found.items,
        vec![
            VenueSummary {
                id: "KovZpZA7AAEA".to_owned(),
                name: "Madison Square Garden".to_owned(),
                city: Some("New York".to_owned()),
                state: Some("NY".to_owned()),
                country: Some("US".to_owned()),
            },
            VenueSummary {
                id: "Z7r9jZ1A7j".to_owned(),
                name: "Garden Theatre".to_owned(),
                city: Some("Detroit".to_owned()),
                state: Some("Michigan".to_owned()),
                country: Some("United States Of America".to_owned()),
            },
        ]
    );
    assert_eq!(found.pagination.total, 4);
    assert_eq!(found.pagination.page, 1);
}

#[tokio::test]
async fn an_empty_result_has_no_embedded_list() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/discovery/v2/attractions.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "_links": {"self": {"href": "/discovery/v2/attractions.json?keyword=zzzz&page=0&size=10"}},
            "page": {"size": 10, "totalElements": 0, "totalPages": 0, "number": 0}
        })))
        .mount(&server)
        .await;
    let found = client(&server.uri())
        .search_artists("zzzz", PageRequest::default())
        .await
        .unwrap();
    assert!(found.items.is_empty());
    assert_eq!(
        found.pagination,
        Pagination {
            page: 0,
            page_size: 10,
            total: 0
        }
    );
}

#[tokio::test]
async fn by_id_200_exists_and_404_does_not() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/discovery/v2/events/vvG1zZ9hXdX7Jt.json"))
        .and(query_param("apikey", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "name": "The Band live", "type": "event", "id": "vvG1zZ9hXdX7Jt", "locale": "en-us",
            "dates": {"start": {"localDate": "2030-03-10"}}
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/discovery/v2/events/unknown-1.json"))
        .respond_with(ResponseTemplate::new(404).set_body_json(not_found_answer("unknown-1")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/discovery/v2/venues/KovZpZA7AAEA.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "name": "Madison Square Garden", "type": "venue", "id": "KovZpZA7AAEA"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/discovery/v2/venues/nope.json"))
        .respond_with(ResponseTemplate::new(404).set_body_json(not_found_answer("nope")))
        .mount(&server)
        .await;
    let discovery = client(&server.uri());
    let event = |id: &str| EventId::parse(id).unwrap();
    assert!(
        discovery
            .event_exists(&event("vvG1zZ9hXdX7Jt"))
            .await
            .unwrap()
    );
    assert!(!discovery.event_exists(&event("unknown-1")).await.unwrap());
    assert!(discovery.venue_exists("KovZpZA7AAEA").await.unwrap());
    assert!(!discovery.venue_exists("nope").await.unwrap());
}

#[tokio::test]
async fn a_429_is_retried_and_the_next_answer_used() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/discovery/v2/attractions.json"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(json!({"fault": {"faultstring": "Rate limit quota violation. Quota limit  exceeded. Identifier : k3y-s3cr3t", "detail": {"errorcode": "policies.ratelimit.QuotaViolation"}}})),
        )
        .up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/discovery/v2/attractions.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(attractions_answer()))
        .expect(1)
        .mount(&server)
        .await;
    let started = Instant::now();
    let found = client(&server.uri())
        .search_artists("taylor swift", page(0, 2))
        .await
        .unwrap();
    assert_eq!(found.items.len(), 2);
    // `Retry-After: 1` is honoured up to the policy's cap (50 ms here).
    assert!(started.elapsed() < Duration::from_millis(900));
}

#[tokio::test]
async fn a_lasting_5xx_is_transient_after_the_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/discovery/v2/attractions.json"))
        .respond_with(ResponseTemplate::new(503).set_body_string("upstream unavailable"))
        .expect(3)
        .mount(&server)
        .await;
    let error = client(&server.uri())
        .search_artists("taylor", PageRequest::default())
        .await
        .unwrap_err();
    assert_transient(&error, "503", KEY);
    assert!(error.to_string().contains("after 3 attempts"), "{error}");
    assert!(error.to_string().contains("searchArtists"), "{error}");
}

#[tokio::test]
async fn a_429_that_lasts_is_transient_and_never_shows_the_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({
            "fault": {"faultstring": "Rate limit quota violation. Quota limit exceeded. Identifier : k3y-s3cr3t"}
        })))
        .expect(3)
        .mount(&server)
        .await;
    let error = client(&server.uri())
        .venue_exists("KovZpZA7AAEA")
        .await
        .unwrap_err();
    assert_transient(&error, "429", KEY);
    assert!(error.to_string().contains("***"), "{error}");
}

#[tokio::test]
async fn a_timeout_is_transient_and_bounded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(attractions_answer())
                .set_delay(Duration::from_secs(3)),
        )
        .expect(3)
        .mount(&server)
        .await;
    let started = Instant::now();
    let error = client(&server.uri())
        .search_artists("taylor", PageRequest::default())
        .await
        .unwrap_err();
    assert_transient(&error, "timed out", KEY);
    // 3 tries of 300 ms and two short pauses.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_connection_failure_is_transient() {
    let error = client(&closed_port_url())
        .search_venues("garden", PageRequest::default())
        .await
        .unwrap_err();
    assert_transient(&error, "could not connect", KEY);
}

#[tokio::test]
async fn a_malformed_body_is_permanent_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/discovery/v2/attractions.json"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("<html>maintenance</html>", "text/html"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/discovery/v2/venues.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "_embedded": {"venues": [{"id": "V1"}]},
            "page": {"size": 10, "totalElements": 1, "totalPages": 1, "number": 0}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let discovery = client(&server.uri());
    let error = discovery
        .search_artists("taylor", PageRequest::default())
        .await
        .unwrap_err();
    assert_permanent(&error, "unreadable answer", KEY);
    let error = discovery
        .search_venues("garden", PageRequest::default())
        .await
        .unwrap_err();
    assert_permanent(&error, "missing field `name`", KEY);
}

#[tokio::test]
async fn a_refused_key_is_permanent_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "fault": {"faultstring": "Invalid ApiKey", "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server.uri())
        .event_exists(&EventId::parse("vvG1zZ9hXdX7Jt").unwrap())
        .await
        .unwrap_err();
    assert_permanent(&error, "401", KEY);
    assert!(error.to_string().contains("Invalid ApiKey"), "{error}");
}

#[tokio::test]
async fn requests_carry_a_traceparent_inside_a_span_and_none_outside() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(attractions_answer()))
        .mount(&server)
        .await;
    let discovery = client(&server.uri());
    discovery
        .search_artists("outside", PageRequest::default())
        .await
        .unwrap();
    {
        // A current-thread test: the subscriber set here sees the request's span.
        let _subscriber = tracing::subscriber::set_default(tracing_subscriber::registry());
        let span = tracing::info_span!("request", correlation = "c-1");
        discovery
            .search_artists("inside", PageRequest::default())
            .instrument(span)
            .await
            .unwrap();
    }
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].headers.get("traceparent").is_none());
    let header = requests[1]
        .headers
        .get("traceparent")
        .expect("a traceparent inside a span")
        .to_str()
        .unwrap();
    assert!(is_traceparent(header), "{header}");
}
