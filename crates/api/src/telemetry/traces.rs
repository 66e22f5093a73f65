//! Trace export over OTLP and W3C trace-context propagation (SPEC §10).
//!
//! The exporter runs in the SDK's batch thread: it speaks gRPC (tonic) or HTTP with the
//! blocking `reqwest` client, never the async one (which panics in that thread). Endpoint,
//! protocol, headers, timeout and compression come from the standard `OTEL_EXPORTER_OTLP_*`
//! variables, read by the SDK itself.

use actix_web::http::header::HeaderMap;
use opentelemetry::propagation::{Extractor, TextMapPropagator as _};
use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use opentelemetry_otlp::{SpanExporter, WithExportConfig as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use super::TelemetryError;

/// Where spans go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TraceExport {
    /// Nowhere (no `OTEL_EXPORTER_OTLP_ENDPOINT`): spans only give logs their correlation id.
    #[default]
    Off,
    /// OTLP as the standard `OTEL_EXPORTER_OTLP_*` variables say (the binary).
    OtlpFromEnv,
    /// OTLP over gRPC to this endpoint, ignoring the variables (tests).
    OtlpGrpc(String),
}

/// A tracer provider with its batch exporter, and the tracer the `tracing` layer uses.
pub(crate) fn provider(
    export: &TraceExport,
    service_name: &str,
) -> Result<Option<(SdkTracerProvider, SdkTracer)>, TelemetryError> {
    let exporter = match export {
        TraceExport::Off => return Ok(None),
        TraceExport::OtlpFromEnv => SpanExporter::builder().build(),
        TraceExport::OtlpGrpc(endpoint) => SpanExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint.clone())
            .build(),
    }
    .map_err(|e| TelemetryError::Exporter(e.to_string()))?;
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            Resource::builder()
                .with_service_name(service_name.to_owned())
                .build(),
        )
        .build();
    let tracer = provider.tracer("campaign-service");
    Ok(Some((provider, tracer)))
}

/// Makes `span` continue the caller's trace when the request carries a valid W3C
/// `traceparent` (and `tracestate`); otherwise it stays a new root. Call before entering it.
pub(crate) fn continue_trace(span: &tracing::Span, headers: &HeaderMap) {
    if !headers.contains_key("traceparent") {
        return;
    }
    let parent = TraceContextPropagator::new().extract(&HeaderExtractor(headers));
    // Without the OpenTelemetry layer (no export) there is nothing to continue.
    let _ = span.set_parent(parent);
}

/// Names `span` in the trace backend (`GET /campaigns/{id}`); the route is known only after
/// routing, when the span has started and its `otel.name` field would no longer apply.
pub(crate) fn rename(span: &tracing::Span, name: String) {
    span.context().span().update_name(name);
}

struct HeaderExtractor<'a>(&'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}
