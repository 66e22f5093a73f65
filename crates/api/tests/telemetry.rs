//! Telemetry end to end (SPEC §10), in a test binary of its own because the subscriber it
//! installs is process-wide: the service runs on the harness of the API tests with the real
//! telemetry — Logstash lines captured in memory, spans exported over OTLP/gRPC to a fake
//! collector — and one scripted set of requests is checked in both.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code fails loudly; clippy exempts only #[test] bodies"
)]

#[path = "api/helpers.rs"]
mod helpers;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use campaign_adapter_memory::MemoryDiscovery;
use campaign_api::telemetry::{self, LogSink, MemorySink, TelemetrySettings, TraceExport};
use campaign_domain::search::ArtistSummary;
use fake_opentelemetry_collector::{ExportedSpan, FakeCollectorServer};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Options, TestApp, draft};

/// The caller's trace the create request continues.
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN_ID: &str = "00f067aa0ba902b7";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_request_is_one_trace_with_a_span_per_port_call_and_logstash_logs() {
    let mut collector = FakeCollectorServer::start().await.unwrap();
    let sink = MemorySink::new();
    let telemetry = telemetry::init(TelemetrySettings {
        log_filter: Some("info".to_owned()),
        sink: LogSink::Memory(sink.clone()),
        traces: TraceExport::OtlpGrpc(collector.endpoint()),
        service_name: "campaign-service-test".to_owned(),
    })
    .unwrap();
    let catalogue = MemoryDiscovery::new(
        vec![ArtistSummary {
            id: "K2".to_owned(),
            name: "The Band".to_owned(),
            image_url: None,
            url: None,
        }],
        Vec::new(),
        Vec::new(),
    );
    let app = TestApp::spawn_with(Options {
        discovery: Some(Arc::new(catalogue)),
        ..Options::default()
    })
    .await;
    let token = app.supreme_token();
    // The data stream is down: the relay's delivery fails, and its span says so.
    app.stream.set_down(true);

    let created = app
        .client
        .post(app.url("/campaigns"))
        .bearer_auth(&token)
        .header("x-correlation-id", "otel-create-1")
        .header("traceparent", format!("00-{TRACE_ID}-{CALLER_SPAN_ID}-01"))
        .header("user-agent", USER_AGENT)
        .json(&draft("Traced"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    for n in 1..=2 {
        let found = app
            .client
            .get(app.url("/artists?q=band"))
            .bearer_auth(&token)
            .header("x-correlation-id", format!("otel-search-{n}"))
            .send()
            .await
            .unwrap();
        assert_eq!(found.status(), StatusCode::OK);
    }
    wait_for_line(&sink, "outbound event will be retried").await;
    let port = app.address.port();
    app.shut_down().await;

    // Discovery is not configured here: the search answers 503, a server error.
    let bare = TestApp::spawn().await;
    let unavailable = bare
        .client
        .get(bare.url("/artists?q=band"))
        .bearer_auth(bare.supreme_token())
        .header("x-correlation-id", "otel-unavailable-1")
        .send()
        .await
        .unwrap();
    assert_eq!(unavailable.status(), StatusCode::SERVICE_UNAVAILABLE);
    bare.shut_down().await;
    telemetry.shutdown().await;

    check_logs(&sink, &token);
    let spans = collector.exported_spans(13, Duration::from_secs(10)).await;
    check_spans(&spans, port);
}

/// The `User-Agent` of the create request.
const USER_AGENT: &str = "telemetry-test/1.0";

/// Waits (at most 5 s) until a log line carries `message`.
async fn wait_for_line(sink: &MemorySink, message: &str) {
    for _ in 0..500 {
        if sink.lines().iter().any(|l| l.contains(message)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no log line says {message:?}:\n{}", sink.lines().join("\n"));
}

fn check_logs(sink: &MemorySink, token: &str) {
    let lines: Vec<Value> = sink
        .lines()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(!lines.is_empty());
    for line in &lines {
        for field in [
            "@timestamp",
            "level",
            "message",
            "path",
            "correlation",
            "data",
        ] {
            assert!(line.get(field).is_some(), "no {field} in {line}");
        }
        assert!(line["data"].is_object(), "{line}");
        assert!(
            !line.to_string().contains(token),
            "a token was logged: {line}"
        );
    }
    let access: Vec<&Value> = lines
        .iter()
        .filter(|l| l["data"]["target"] == "access" && l["correlation"] == "otel-create-1")
        .collect();
    assert_eq!(access.len(), 1, "one access line per request: {access:?}");
    let data = &access[0]["data"];
    assert_eq!(data["method"], "POST");
    assert_eq!(data["route"], "/campaigns");
    assert_eq!(data["status"], 201);
    assert!(data["duration_ms"].as_f64().is_some(), "{data}");
    assert_eq!(access[0]["level"], "INFO");
    assert_eq!(access[0]["path"], "campaign_api::http::pipeline");
    // The relay's warning names the request that caused the event.
    assert!(
        lines
            .iter()
            .any(|l| l["message"] == "outbound event will be retried" && l["level"] == "WARN"),
        "{lines:?}"
    );
}

fn check_spans(spans: &[ExportedSpan], port: u16) {
    let named =
        |name: &str| -> Vec<&ExportedSpan> { spans.iter().filter(|s| s.name == name).collect() };
    let children_of = |parent: &ExportedSpan| -> BTreeSet<&str> {
        spans
            .iter()
            .filter(|s| s.parent_span_id == parent.span_id)
            .map(|s| s.name.as_str())
            .collect()
    };
    let all: Vec<&str> = spans.iter().map(|s| s.name.as_str()).collect();

    // The create continues the caller's trace, and each port call is its child.
    let create = named("POST /campaigns");
    assert_eq!(create.len(), 1, "{all:?}");
    let create = create[0];
    assert_eq!(create.trace_id, TRACE_ID);
    assert_eq!(create.parent_span_id, CALLER_SPAN_ID);
    assert_eq!(create.kind, "SPAN_KIND_SERVER");
    assert!(has(create, "correlation", "otel-create-1"), "{create:?}");
    // The HTTP semantic conventions trace backends group by, and not the old private names.
    for (key, value) in [
        ("http.request.method", "POST"),
        ("http.route", "/campaigns"),
        ("url.path", "/campaigns"),
        ("url.scheme", "http"),
        ("server.address", "127.0.0.1"),
        ("network.protocol.version", "1.1"),
        ("user_agent.original", USER_AGENT),
        ("client.address", "127.0.0.1"),
    ] {
        assert!(has(create, key, value), "{key} is not {value}: {create:?}");
    }
    assert!(
        has_int(create, "http.response.status_code", 201),
        "{create:?}"
    );
    assert!(
        has_int(create, "server.port", i64::from(port)),
        "{create:?}"
    );
    for legacy in ["method", "route", "status"] {
        assert!(
            !create.attributes.contains_key(legacy),
            "{legacy}: {create:?}"
        );
    }
    assert!(!create.attributes.contains_key("error.type"), "{create:?}");
    assert!(
        create
            .status
            .as_ref()
            .is_none_or(|s| s.code != "STATUS_CODE_ERROR"),
        "a 201 is not an error: {create:?}"
    );
    let children = children_of(create);
    for expected in ["campaigns.findByHost", "campaigns.insert"] {
        assert!(
            children.contains(expected),
            "{expected} not in {children:?}"
        );
    }
    for child in spans.iter().filter(|s| s.parent_span_id == create.span_id) {
        assert_eq!(child.trace_id, TRACE_ID);
        assert_eq!(child.kind, "SPAN_KIND_CLIENT");
        assert!(has(child, "correlation", "otel-create-1"), "{child:?}");
        assert!(child.start_time_unix_nano >= create.start_time_unix_nano);
        assert!(child.end_time_unix_nano <= create.end_time_unix_nano);
    }

    // Searches: a miss asks Discovery, the hit does not; each request is a trace of its own.
    let searches = named("GET /artists");
    assert_eq!(searches.len(), 3, "{all:?}");
    let by_correlation = |c: &str| -> &ExportedSpan {
        searches
            .iter()
            .copied()
            .find(|s| has(s, "correlation", c))
            .unwrap_or_else(|| panic!("no search span with {c}"))
    };
    assert_ne!(
        by_correlation("otel-search-1").trace_id,
        by_correlation("otel-search-2").trace_id
    );
    assert!(has_int(
        by_correlation("otel-search-1"),
        "http.response.status_code",
        200
    ));
    assert!(has(
        by_correlation("otel-search-1"),
        "http.route",
        "/artists"
    ));
    // The 503: an error span (a server error is the server's), its status code the error type.
    let unavailable = by_correlation("otel-unavailable-1");
    assert!(
        has_int(unavailable, "http.response.status_code", 503),
        "{unavailable:?}"
    );
    assert!(has(unavailable, "error.type", "503"), "{unavailable:?}");
    assert!(has(unavailable, "url.path", "/artists"), "{unavailable:?}");
    let status = unavailable.status.as_ref().expect("a status");
    assert_eq!(status.code, "STATUS_CODE_ERROR", "{unavailable:?}");
    let miss = children_of(by_correlation("otel-search-1"));
    assert!(
        miss.contains("cache.get") && miss.contains("discovery.searchArtists"),
        "{miss:?}"
    );
    assert!(miss.contains("cache.set"), "{miss:?}");
    let hit = children_of(by_correlation("otel-search-2"));
    assert!(
        hit.contains("cache.get") && !hit.contains("discovery.searchArtists"),
        "{hit:?}"
    );

    // The relay's failed delivery: a root span with error status and the create's correlation.
    let put = named("stream.putRecords");
    assert!(!put.is_empty(), "{all:?}");
    let put = put[0];
    assert_eq!(put.parent_span_id, "");
    assert!(has(put, "correlation", "otel-create-1"), "{put:?}");
    let status = put.status.as_ref().expect("a status");
    assert_eq!(status.code, "STATUS_CODE_ERROR", "{put:?}");
    assert!(!status.message.is_empty(), "{put:?}");

    // The relay's polling of the outbox makes no traces.
    assert!(named("outbox.claim").is_empty(), "{all:?}");
}

/// Whether the span's attribute `key` holds the integer `value`.
fn has_int(span: &ExportedSpan, key: &str, value: i64) -> bool {
    span.attributes
        .get(key)
        .is_some_and(|v| v.contains(&format!("IntValue({value})")))
}

/// Whether the span's attribute `key` holds the string `value`.
fn has(span: &ExportedSpan, key: &str, value: &str) -> bool {
    span.attributes
        .get(key)
        .is_some_and(|v| v.contains(&format!("{value:?}")))
}
