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

/// One scrape of `/metrics`: each sample line as (series, value).
async fn scrape(app: &TestApp) -> Vec<(String, f64)> {
    let text = app
        .request(Method::GET, "/metrics", None, None)
        .await
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect()
}

/// The value of the series named `name` with all of `labels` (summed over the others).
fn sample(samples: &[(String, f64)], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let matching: Vec<f64> = samples
        .iter()
        .filter(|(series, _)| {
            series.split('{').next() == Some(name)
                && labels
                    .iter()
                    .all(|(k, v)| series.contains(&format!("{k}=\"{v}\"")))
        })
        .map(|(_, v)| *v)
        .collect();
    (!matching.is_empty()).then(|| matching.iter().sum())
}

#[tokio::test]
async fn metrics_cover_dependencies_cache_refresh_outbox_and_the_process() {
    let app = TestApp::spawn().await;
    let token = app.supreme_token();
    let before = scrape(&app).await;
    let id = app.create_campaign(&crate::helpers::draft("Metered")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..2 {
        assert_eq!(
            app.get(&format!("/campaigns/{id}"), &token).await.status(),
            StatusCode::OK
        );
    }
    let refreshed = app
        .request(Method::POST, "/campaigns/refresh", Some(&token), None)
        .await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    app.wait_for_delivery().await;
    let after = scrape(&app).await;
    // The recorder is process-wide and other tests run alongside: compare deltas, at least.
    let delta = |name: &str, labels: &[(&str, &str)]| {
        sample(&after, name, labels).unwrap_or_else(|| panic!("no {name} {labels:?}"))
            - sample(&before, name, labels).unwrap_or(0.0)
    };
    let created = [
        ("method", "POST"),
        ("route", "/campaigns"),
        ("status", "201"),
    ];
    assert!(delta("http_requests_total", &created) >= 1.0);
    assert!(delta("http_request_duration_seconds_count", &created) >= 1.0);
    for (dependency, operation, at_least) in [
        ("campaigns", "findByHost", 1.0),
        ("campaigns", "insert", 1.0),
        ("campaigns", "findById", 1.0),
        ("cache", "get", 2.0),
        ("stream", "putRecords", 1.0),
    ] {
        let labels = [("dependency", dependency), ("operation", operation)];
        let calls = delta("dependency_call_duration_seconds_count", &labels);
        assert!(calls >= at_least, "{dependency}.{operation}: {calls}");
    }
    // Explicit buckets, from 0.5 ms to 10 s.
    for le in ["0.0005", "0.1", "10", "+Inf"] {
        let labels = [
            ("dependency", "campaigns"),
            ("operation", "insert"),
            ("le", le),
        ];
        assert!(
            sample(&after, "dependency_call_duration_seconds_bucket", &labels).is_some(),
            "no bucket {le}"
        );
    }
    assert!(delta("cache_requests_total", &[("result", "miss")]) >= 1.0);
    assert!(delta("cache_requests_total", &[("result", "hit")]) >= 1.0);
    for kind in ["opened", "closed", "inactivated", "skipped"] {
        assert!(sample(&after, "refresh_transitions_total", &[("kind", kind)]).is_some());
    }
    assert!(sample(&after, "outbox_backlog", &[]).is_some());
    assert!(sample(&after, "outbox_failed", &[]).is_some());
    assert!(sample(&after, "process_resident_memory_bytes", &[]).is_some_and(|v| v > 0.0));
    assert!(sample(&after, "process_cpu_seconds_total", &[]).is_some());
    assert!(sample(&after, "process_start_time_seconds", &[]).is_some_and(|v| v > 0.0));
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
