//! The W3C `traceparent` header of outbound calls (SPEC §10), behind a hook.
//!
//! Every request asks its [`TraceContext`] for a `traceparent` and sends it when there is one.
//! The service has no OpenTelemetry pipeline yet, so the default, [`CurrentSpan`], cannot
//! continue the caller's trace: inside a `tracing` span it sends a well-formed header with a new
//! trace id and the span's id as the parent id (so the receiving side can tie its logs to this
//! call), and nothing outside a span (background jobs without a request). When trace export
//! arrives, its `TraceContext` reads the current OpenTelemetry context instead (e.g. through
//! `tracing-opentelemetry`'s `OpenTelemetrySpanExt::context`) and is passed to the adapters'
//! constructors in place of [`CurrentSpan`]; nothing else changes.

use campaign_domain::uuid::Uuid;

/// Where the `traceparent` of an outbound request comes from.
pub trait TraceContext: Send + Sync + 'static {
    /// The `traceparent` header value for a request made now, if there is a trace context.
    fn traceparent(&self) -> Option<String>;
}

/// The default [`TraceContext`]: inside a `tracing` span, `00-<new trace id>-<span id>-01`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CurrentSpan;

impl TraceContext for CurrentSpan {
    fn traceparent(&self) -> Option<String> {
        let span = tracing::Span::current().id()?;
        Some(format!(
            "00-{}-{:016x}-01",
            Uuid::new_v4().simple(),
            span.into_u64()
        ))
    }
}

/// Whether `value` is a well-formed version-00 `traceparent`.
pub fn is_traceparent(value: &str) -> bool {
    let parts: Vec<&str> = value.split('-').collect();
    let hex = |s: &str, len: usize| {
        s.len() == len
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    parts.len() == 4
        && parts[0] == "00"
        && hex(parts[1], 32)
        && parts[1].bytes().any(|b| b != b'0')
        && hex(parts[2], 16)
        && parts[2].bytes().any(|b| b != b'0')
        && hex(parts[3], 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_span_no_header() {
        assert_eq!(CurrentSpan.traceparent(), None);
    }

    #[test]
    fn inside_a_span_the_header_is_well_formed() {
        let subscriber = tracing_subscriber::registry();
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("request");
            let _entered = span.enter();
            let header = CurrentSpan.traceparent().unwrap();
            assert!(is_traceparent(&header), "{header}");
            let id = span.id().unwrap().into_u64();
            assert!(header.ends_with(&format!("-{id:016x}-01")), "{header}");
        });
    }

    #[test]
    fn the_checker_refuses_malformed_headers() {
        assert!(is_traceparent(
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        ));
        for bad in [
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "garbage",
        ] {
            assert!(!is_traceparent(bad), "{bad}");
        }
    }
}
