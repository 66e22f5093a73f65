//! System endpoints, routing errors and the server lifecycle.

use campaign_domain::chrono::DateTime;
use reqwest::{Method, StatusCode};

use crate::helpers::{TestApp, json_of};

#[tokio::test]
async fn heartbeat_answers_ok_in_the_envelope_without_a_token() {
    let app = TestApp::spawn().await;
    let res = app.request(Method::GET, "/heartbeat", None, None).await;
    assert_eq!(res.headers()["content-type"], "application/json");
    let correlation = res.headers()["x-correlation-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let (status, body) = json_of(res).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["status"], "ok");
    assert_eq!(body["meta"]["correlation"], correlation.as_str());
    let ts = body["meta"]["timestamp"].as_str().unwrap();
    assert!(ts.ends_with('Z') && chrono_parses(ts), "{ts}");
    app.shut_down().await;
}

fn chrono_parses(ts: &str) -> bool {
    DateTime::parse_from_rfc3339(ts).is_ok()
}

#[tokio::test]
async fn readiness_pings_the_store_and_cache() {
    let app = TestApp::spawn().await;
    let (status, body) = json_of(app.request(Method::GET, "/health/ready", None, None).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["status"], "ready");
    app.shut_down().await;
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_error_envelope() {
    let app = TestApp::spawn().await;
    let (status, body) =
        json_of(app.request(Method::GET, "/no/such/route", None, None).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["type"], "NOT_FOUND");
    assert!(body["error"]["correlation"].is_string());
    let (status, body) = json_of(app.request(Method::DELETE, "/heartbeat", None, None).await).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"]["type"], "METHOD_NOT_ALLOWED");
    let (status, body) = json_of(
        app.request(Method::PUT, "/campaigns", Some(&app.supreme_token()), None)
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"]["type"], "METHOD_NOT_ALLOWED");
    app.shut_down().await;
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let path = "/campaigns/65a1b2c3d4e5f60718293a4b";
    for _ in 0..3 {
        app.get(path, &token).await;
    }
    let text = app
        .request(Method::GET, "/metrics", None, None)
        .await
        .text()
        .await
        .unwrap();
    let line = text
        .lines()
        .find(|l| {
            l.starts_with("http_requests_total{")
                && l.contains("method=\"GET\"")
                && l.contains("route=\"/campaigns/{id}\"")
                && l.contains("status=\"404\"")
        })
        .unwrap_or_else(|| panic!("no series for the route template in:\n{text}"));
    let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 3.0, "{line}");
    assert!(
        !text.contains("65a1b2c3d4e5f60718293a4b"),
        "raw ids never become labels"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket{"),
        "histograms have buckets"
    );
    app.shut_down().await;
}

#[tokio::test]
async fn graceful_shutdown_stops_listening() {
    let app = TestApp::spawn().await;
    let url = app.url("/heartbeat");
    app.shut_down().await;
    assert!(
        reqwest::get(url).await.is_err(),
        "nothing listens after shutdown"
    );
}

#[tokio::test]
async fn the_openapi_document_lists_every_endpoint() {
    let app = TestApp::spawn().await;
    let (status, doc) = json_of(app.request(Method::GET, "/openapi.json", None, None).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let expected = [
        ("get", "/heartbeat"),
        ("get", "/health/ready"),
        ("get", "/metrics"),
        ("get", "/openapi.json"),
        ("post", "/campaigns"),
        ("get", "/campaigns"),
        ("get", "/campaigns/status"),
        ("get", "/campaigns/list"),
        ("post", "/campaigns/refresh"),
        ("get", "/campaigns/{id}"),
        ("post", "/campaigns/{id}"),
        ("get", "/campaigns/{id}/status"),
        ("get", "/campaigns/{id}/faqs"),
        ("post", "/campaigns/{id}/faqs"),
        ("get", "/campaigns/{id}/terms"),
        ("post", "/campaigns/{id}/terms"),
        ("get", "/campaigns/{id}/contacts"),
        ("post", "/campaigns/{id}/contacts"),
        ("get", "/campaigns/events"),
        ("get", "/campaigns/ids"),
        ("get", "/campaigns/categoryIds"),
        ("get", "/campaigns/eventIds"),
        ("get", "/campaigns/{id}/markets"),
        ("post", "/campaigns/{id}/markets"),
        ("post", "/campaigns/{id}/markets/clones"),
        ("get", "/campaigns/{id}/markets/{marketId}"),
        ("post", "/campaigns/{id}/markets/{marketId}"),
        ("delete", "/campaigns/{id}/markets/{marketId}"),
        ("get", "/markets/upcoming"),
        ("post", "/markets/notifyDate"),
        ("get", "/markets/notifiable"),
        ("post", "/markets/notified"),
        ("get", "/events"),
        ("post", "/events/{eventId}"),
        ("get", "/contacts"),
        ("get", "/promoters"),
        ("post", "/promoters"),
        ("get", "/promoters/{id}"),
        ("post", "/promoters/{id}"),
        ("delete", "/promoters/{id}"),
        ("get", "/artists"),
        ("get", "/venues"),
    ];
    for (method, path) in expected {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is not documented"
        );
    }
    app.shut_down().await;
}
