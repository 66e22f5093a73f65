//! Artist and venue search through the Discovery API, cached under
//! `discovery:<kind>:<normalized query>:<page>:<pageSize>` for the search TTL (300 s here).

use std::sync::Arc;

use campaign_adapter_memory::MemoryDiscovery;
use campaign_domain::chrono::TimeDelta;
use campaign_domain::search::{ArtistSummary, VenueSummary};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Options, TestApp, data_of, detail_fields, error_of};

fn artist(id: &str, name: &str) -> ArtistSummary {
    ArtistSummary {
        id: id.to_owned(),
        name: name.to_owned(),
        image_url: Some(format!("https://img.example.test/{id}.jpg")),
        url: None,
    }
}

fn catalogue() -> Arc<MemoryDiscovery> {
    Arc::new(MemoryDiscovery::new(
        vec![
            artist("K1", "Taylor Swift"),
            artist("K2", "The Band"),
            artist("K3", "Taylor Made"),
        ],
        vec![VenueSummary {
            id: "V1".to_owned(),
            name: "Madison Square Garden".to_owned(),
            city: Some("New York".to_owned()),
            state: Some("NY".to_owned()),
            country: Some("US".to_owned()),
        }],
        Vec::new(),
    ))
}

async fn app_with(discovery: &Arc<MemoryDiscovery>) -> TestApp {
    TestApp::spawn_with(Options {
        discovery: Some(discovery.clone()),
        ..Options::default()
    })
    .await
}

#[tokio::test]
async fn artists_and_venues_are_found_through_discovery() {
    let discovery = catalogue();
    let app = app_with(&discovery).await;
    // Any valid token may search.
    let token = app.user_token("anyone", &[]);
    let found = data_of(app.get("/artists?q=taylor", &token).await, StatusCode::OK).await;
    assert_eq!(
        found,
        json!({
            "artists": [
                {"id": "K1", "name": "Taylor Swift", "imageUrl": "https://img.example.test/K1.jpg"},
                {"id": "K3", "name": "Taylor Made", "imageUrl": "https://img.example.test/K3.jpg"}
            ],
            "pagination": {"page": 0, "pageSize": 10, "total": 2}
        })
    );
    let page = data_of(
        app.get("/artists?q=taylor&page=1&pageSize=1", &token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(page["artists"][0]["id"], "K3");
    assert_eq!(
        page["pagination"],
        json!({"page": 1, "pageSize": 1, "total": 2})
    );
    let venues = data_of(app.get("/venues?q=garden", &token).await, StatusCode::OK).await;
    assert_eq!(
        venues,
        json!({
            "venues": [{"id": "V1", "name": "Madison Square Garden", "city": "New York", "state": "NY", "country": "US"}],
            "pagination": {"page": 0, "pageSize": 10, "total": 1}
        })
    );
    app.shut_down().await;
}

#[tokio::test]
async fn searches_are_cached_by_normalized_query_and_page_until_the_ttl() {
    let discovery = catalogue();
    let app = app_with(&discovery).await;
    let token = app.supreme_token();
    let first = data_of(app.get("/artists?q=Taylor", &token).await, StatusCode::OK).await;
    assert_eq!(discovery.searches(), 1);
    let cached = app
        .ports
        .cache
        .get("discovery:artists:taylor:0:10")
        .await
        .unwrap();
    assert!(cached.is_some(), "stored under the SPEC's key");
    // The same query, spelled differently: a hit.
    let again = data_of(
        app.get("/artists?q=%20%20TAYLOR%20", &token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again, first);
    assert_eq!(discovery.searches(), 1);
    // Another page, or the other kind: a miss.
    data_of(
        app.get("/artists?q=taylor&pageSize=5", &token).await,
        StatusCode::OK,
    )
    .await;
    data_of(app.get("/venues?q=taylor", &token).await, StatusCode::OK).await;
    assert_eq!(discovery.searches(), 3);
    // After the TTL the API is asked again.
    app.clock.advance(TimeDelta::seconds(299));
    data_of(app.get("/artists?q=taylor", &token).await, StatusCode::OK).await;
    assert_eq!(discovery.searches(), 3);
    app.clock.advance(TimeDelta::seconds(2));
    data_of(app.get("/artists?q=taylor", &token).await, StatusCode::OK).await;
    assert_eq!(discovery.searches(), 4);
    app.shut_down().await;
}

#[tokio::test]
async fn a_search_needs_a_bounded_query_and_a_valid_page() {
    let discovery = catalogue();
    let app = app_with(&discovery).await;
    let token = app.supreme_token();
    let long = "a".repeat(101);
    for (query, fields) in [
        ("", vec!["q"]),
        ("q=%20%20", vec!["q"]),
        (&format!("q={long}") as &str, vec!["q"]),
        ("q=x&pageSize=101", vec!["pageSize"]),
        ("q=x&page=-1&pageSize=0", vec!["page", "pageSize"]),
    ] {
        for kind in ["artists", "venues"] {
            let e = error_of(
                app.get(&format!("/{kind}?{query}"), &token).await,
                StatusCode::BAD_REQUEST,
                "VALIDATION_ERROR",
            )
            .await;
            assert_eq!(detail_fields(&e), fields, "{kind}?{query}");
        }
    }
    data_of(
        app.get(&format!("/artists?q={}", "a".repeat(100)), &token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        discovery.searches(),
        1,
        "refused searches never reach the API"
    );
    app.shut_down().await;
}

#[tokio::test]
async fn without_discovery_a_search_answers_503() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    for path in ["/artists?q=taylor", "/venues?q=garden"] {
        let e = error_of(
            app.get(path, &token).await,
            StatusCode::SERVICE_UNAVAILABLE,
            "DEPENDENCY_UNAVAILABLE",
        )
        .await;
        assert!(e["message"].as_str().unwrap().contains("discovery"), "{e}");
    }
    for path in ["/artists?q=taylor", "/venues?q=garden"] {
        error_of(
            app.request(Method::GET, path, None, None).await,
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
        )
        .await;
        error_of(
            app.request(Method::POST, path, Some(&token), Some(&json!({})))
                .await,
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
        )
        .await;
    }
    app.shut_down().await;
}
