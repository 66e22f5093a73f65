//! Prometheus metrics (SPEC §10). The `metrics` facade has one recorder per process; it is
//! installed on first use and its handle renders `GET /metrics`. Labels are bounded: routes are
//! templates (`/campaigns/{id}`), dependencies and operations are port and method names, never
//! raw paths or ids. Every `*_duration_seconds` histogram has the explicit buckets below. The
//! process metrics (`process_*`) are read from the operating system at each scrape.

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Buckets of request and dependency durations, in seconds: 0.5 ms to 10 s.
const DURATION_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

static PROCESS: OnceLock<metrics_process::Collector> = OnceLock::new();

/// The process's Prometheus handle, installing the recorder on first call. `None` only if
/// another recorder was installed first (then `/metrics` answers empty).
pub(crate) fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("_duration_seconds".to_owned()),
                    &DURATION_BUCKETS,
                )
                .ok()?;
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            describe();
            Some(handle)
        })
        .as_ref()
}

fn describe() {
    metrics::describe_counter!(
        "http_requests_total",
        "HTTP requests answered, by method, route template and status"
    );
    metrics::describe_histogram!(
        "http_request_duration_seconds",
        metrics::Unit::Seconds,
        "HTTP request duration, by method, route template and status"
    );
    metrics::describe_gauge!("outbox_backlog", "Outbound events waiting for delivery");
    metrics::describe_gauge!(
        "outbox_failed",
        "Outbound events given up after too many attempts"
    );
    metrics::describe_counter!(
        "refresh_transitions_total",
        "Campaign status transitions made by the refresh, by kind"
    );
    metrics::describe_histogram!(
        "dependency_call_duration_seconds",
        metrics::Unit::Seconds,
        "Duration of port calls (stores, cache, outbox, integrations), by dependency and operation"
    );
    metrics::describe_counter!(
        "dependency_call_errors_total",
        "Port calls that returned an error, by dependency and operation"
    );
    metrics::describe_counter!(
        "cache_requests_total",
        "Cache reads, by result: hit, miss or error"
    );
    process().describe();
}

fn process() -> &'static metrics_process::Collector {
    PROCESS.get_or_init(metrics_process::Collector::default)
}

/// Renders the current metrics in the Prometheus text format.
pub(crate) fn render() -> String {
    let Some(handle) = handle() else {
        return String::new();
    };
    process().collect();
    handle.render()
}

/// Keeps the histograms bounded; call periodically.
pub(crate) fn upkeep() {
    if let Some(h) = handle() {
        h.run_upkeep();
    }
}

/// Counts and times one answered request.
pub(crate) fn record_request(method: &str, route: &str, status: u16, elapsed: Duration) {
    if handle().is_none() {
        return;
    }
    let labels = [
        ("method", method.to_owned()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
}

/// Publishes the outbox backlog.
pub(crate) fn record_outbox(pending: u64, failed: u64) {
    metrics::gauge!("outbox_backlog").set(pending as f64);
    metrics::gauge!("outbox_failed").set(failed as f64);
}

/// Counts the refresh's transitions by kind.
pub(crate) fn record_refresh(opened: u64, closed: u64, inactivated: u64, skipped: u64) {
    for (kind, n) in [
        ("opened", opened),
        ("closed", closed),
        ("inactivated", inactivated),
        ("skipped", skipped),
    ] {
        metrics::counter!("refresh_transitions_total", "kind" => kind).increment(n);
    }
}

/// Times one port call; `failed` when it returned an error.
pub(crate) fn record_dependency_call(
    dependency: &'static str,
    operation: &'static str,
    elapsed: Duration,
    failed: bool,
) {
    let labels = [("dependency", dependency), ("operation", operation)];
    metrics::histogram!("dependency_call_duration_seconds", &labels).record(elapsed.as_secs_f64());
    if failed {
        metrics::counter!("dependency_call_errors_total", &labels).increment(1);
    }
}

/// The result of a cache read, as counted by `cache_requests_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CacheResult {
    Hit,
    Miss,
    Error,
}

/// Counts one cache read.
pub(crate) fn record_cache(result: CacheResult) {
    let result = match result {
        CacheResult::Hit => "hit",
        CacheResult::Miss => "miss",
        CacheResult::Error => "error",
    };
    metrics::counter!("cache_requests_total", "result" => result).increment(1);
}
