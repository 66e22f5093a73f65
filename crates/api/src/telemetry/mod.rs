//! Telemetry set up once per process (SPEC §10): Logstash JSON logs filtered by `RUST_LOG`,
//! spans for requests and port calls exported over OTLP when configured, and Prometheus metrics
//! on `GET /metrics`.
//!
//! [`init`] installs the process's subscriber with an injectable [`LogSink`], so tests capture
//! what they read and stay quiet otherwise; the returned [`Telemetry`] flushes spans on
//! [`Telemetry::shutdown`].

pub(crate) mod instrumented;
pub(crate) mod logs;
pub(crate) mod metrics;
pub(crate) mod traces;

use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::{Level, Metadata};
use tracing_subscriber::filter::{EnvFilter, FilterExt as _, LevelFilter, filter_fn};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{Layer as _, Registry};

pub use self::logs::{LogSink, MemorySink, log_panics_as_json, standalone_line};
pub use self::traces::TraceExport;

/// The service name spans carry when `OTEL_SERVICE_NAME` is unset.
pub const DEFAULT_SERVICE_NAME: &str = "campaign-service";

/// What to set up.
#[derive(Debug, Clone)]
pub struct TelemetrySettings {
    /// Log filter in `RUST_LOG` syntax (`info` when `None`).
    pub log_filter: Option<String>,
    /// Where log lines go.
    pub sink: LogSink,
    /// Where spans go.
    pub traces: TraceExport,
    /// `service.name` of exported spans.
    pub service_name: String,
}

impl Default for TelemetrySettings {
    fn default() -> Self {
        Self {
            log_filter: None,
            sink: LogSink::Stderr,
            traces: TraceExport::Off,
            service_name: DEFAULT_SERVICE_NAME.to_owned(),
        }
    }
}

/// Why telemetry could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// `RUST_LOG` is not a valid filter.
    #[error("RUST_LOG: {0}")]
    Filter(String),
    /// The OTLP exporter could not be built (bad endpoint, protocol or headers).
    #[error("OTEL_EXPORTER_OTLP_*: the trace exporter cannot be built: {0}")]
    Exporter(String),
    /// Another subscriber was installed first.
    #[error("a log subscriber is already installed in this process")]
    AlreadyInstalled,
}

/// The installed telemetry; keep it until shutdown.
#[derive(Debug)]
#[must_use = "dropping it without shutdown loses the spans not yet exported"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

/// Installs the process's subscriber: Logstash lines to `settings.sink` filtered by
/// `settings.log_filter`, and the OpenTelemetry layer when spans are exported. Also installs
/// the metrics recorder. Call once, inside the Tokio runtime (the gRPC exporter needs it).
///
/// # Errors
/// [`TelemetryError`] for a bad filter, an exporter that cannot be built, or a second call.
pub fn init(settings: TelemetrySettings) -> Result<Telemetry, TelemetryError> {
    let filter = match &settings.log_filter {
        Some(directives) => {
            EnvFilter::try_new(directives).map_err(|e| TelemetryError::Filter(e.to_string()))?
        }
        None => EnvFilter::new("info"),
    };
    // The log layer sees the service's spans whatever the filter, so lines logged inside a
    // request always find its correlation id; events pass by the filter.
    let log_layer = tracing_subscriber::fmt::layer()
        .event_format(logs::LogstashFormat)
        .fmt_fields(logs::NoSpanFields)
        .with_ansi(false)
        .with_writer(settings.sink)
        .with_filter(
            filter_fn(|meta: &Metadata<'_>| meta.is_span() && ours(meta))
                .with_max_level_hint(LevelFilter::INFO)
                .or(filter),
        );
    let (provider, otel_layer) = match traces::provider(&settings.traces, &settings.service_name)? {
        Some((provider, tracer)) => {
            let layer = tracing_opentelemetry::layer()
                .with_tracer(tracer)
                .with_filter(filter_fn(exported).with_max_level_hint(LevelFilter::INFO));
            (Some(provider), Some(layer))
        }
        None => (None, None),
    };
    Registry::default()
        .with(logs::CorrelationLayer)
        .with(log_layer)
        .with(otel_layer)
        .try_init()
        .map_err(|_| TelemetryError::AlreadyInstalled)?;
    metrics::handle();
    Ok(Telemetry { provider })
}

/// What goes to the trace backend: the service's own spans at `info` and above (requests, port
/// calls, jobs) and warnings and errors as span events. Other crates' spans stay out, above all
/// the exporter's own transport (no feedback loop).
fn exported(meta: &Metadata<'_>) -> bool {
    if meta.is_span() {
        ours(meta) && meta.level() <= &Level::INFO
    } else {
        meta.level() <= &Level::WARN
    }
}

/// Whether the callsite is in one of the service's crates.
fn ours(meta: &Metadata<'_>) -> bool {
    meta.target().starts_with("campaign_")
}

impl Telemetry {
    /// Exports the spans still buffered and stops the exporter. The SDK blocks while it
    /// flushes, so this runs on a blocking thread.
    pub async fn shutdown(self) {
        let Some(provider) = self.provider else {
            return;
        };
        let flushed = tokio::task::spawn_blocking(move || {
            let result = provider.shutdown();
            drop(provider);
            result
        })
        .await;
        match flushed {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "trace export not flushed at shutdown"),
            Err(error) => tracing::warn!(%error, "trace export shutdown task failed"),
        }
    }
}
