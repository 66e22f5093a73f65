//! Log lines in the Logstash JSON shape of SPEC §10, one object per line:
//! `{"@timestamp", "level", "message", "path", "correlation", "data": {...}}`.
//!
//! - `path` is the module that logged (the `log` crate's records included);
//! - `correlation` is the id of the enclosing request (`null` outside one): the `correlation`
//!   field of the nearest span that has one, kept per span by [`CorrelationLayer`], which also
//!   lets the port decorator copy it onto child spans ([`current_correlation`]);
//! - `data` holds the event's other fields, typed (numbers stay numbers); a target other than
//!   the module path (`access`, `outbound`) is kept as `data.target`;
//! - fields whose name says they hold a secret (`password`, `token`, `secret`, `authorization`,
//!   `api_key`, `cookie`) are written as `"[redacted]"`, whatever logged them.

use std::fmt;
use std::io::{self, Write as _};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{SecondsFormat, Utc};
use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields, MakeWriter};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::{LookupSpan, Registry};

/// The field of a span that carries the correlation id.
pub(crate) const CORRELATION_FIELD: &str = "correlation";

/// Substrings of field names whose values are never written.
const SECRET_NAMES: [&str; 7] = [
    "password",
    "token",
    "secret",
    "authorization",
    "api_key",
    "apikey",
    "cookie",
];

/// The correlation id a span carries, its own or inherited from its parent.
#[derive(Debug, Clone)]
struct SpanCorrelation(String);

/// Remembers each span's correlation id (its own `correlation` field, else its parent's) in the
/// span's extensions. Unfiltered, so it sees every span whatever `RUST_LOG` says.
#[derive(Debug, Default)]
pub(crate) struct CorrelationLayer;

impl<S> Layer<S> for CorrelationLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut own = CorrelationVisitor(None);
        attrs.record(&mut own);
        let found = own.0.or_else(|| {
            span.parent()
                .and_then(|p| p.extensions().get::<SpanCorrelation>().map(|c| c.0.clone()))
        });
        if let Some(correlation) = found {
            span.extensions_mut().insert(SpanCorrelation(correlation));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let mut own = CorrelationVisitor(None);
        values.record(&mut own);
        if let (Some(correlation), Some(span)) = (own.0, ctx.span(id)) {
            span.extensions_mut().replace(SpanCorrelation(correlation));
        }
    }
}

struct CorrelationVisitor(Option<String>);

impl Visit for CorrelationVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == CORRELATION_FIELD {
            self.0 = Some(value.to_owned());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == CORRELATION_FIELD {
            // `%value` arrives here as Display wrapped in Debug: no quotes.
            self.0 = Some(format!("{value:?}"));
        }
    }
}

/// The correlation id of the current span (the request being served), if any. Works only
/// under the service's subscriber (built on [`Registry`]); `None` elsewhere.
pub(crate) fn current_correlation() -> Option<String> {
    tracing::Span::current()
        .with_subscriber(|(id, dispatch)| {
            let registry = dispatch.downcast_ref::<Registry>()?;
            let span = registry.span(id)?;
            span.extensions()
                .get::<SpanCorrelation>()
                .map(|c| c.0.clone())
        })
        .flatten()
}

/// Formats no span field. A Logstash line carries its event's own fields and the correlation id
/// ([`CorrelationLayer`]), never the text of its spans' fields, so the text the fmt layer would
/// otherwise build for every span opened and every field recorded on it (the request span's
/// OpenTelemetry attributes, each port call's span) is never made.
#[derive(Debug, Default)]
pub(crate) struct NoSpanFields;

impl<'writer> FormatFields<'writer> for NoSpanFields {
    fn format_fields<R: RecordFields>(&self, _writer: Writer<'writer>, _fields: R) -> fmt::Result {
        Ok(())
    }

    fn add_fields(
        &self,
        _current: &'writer mut FormattedFields<Self>,
        _fields: &Record<'_>,
    ) -> fmt::Result {
        Ok(())
    }
}

/// Formats each event as one Logstash JSON line.
#[derive(Debug, Default)]
pub(crate) struct LogstashFormat;

impl<S, N> FormatEvent<S, N> for LogstashFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        use tracing_log::NormalizeEvent as _;
        let normalized = event.normalized_metadata();
        let meta = normalized.as_ref().unwrap_or_else(|| event.metadata());
        let mut fields = FieldsVisitor::default();
        event.record(&mut fields);
        let path = meta.module_path().unwrap_or_else(|| meta.target());
        if meta.target() != path {
            fields
                .data
                .insert("target".to_owned(), Value::from(meta.target()));
        }
        let correlation = ctx.event_scope().and_then(|scope| {
            scope.into_iter().find_map(|span| {
                span.extensions()
                    .get::<SpanCorrelation>()
                    .map(|c| c.0.clone())
            })
        });
        let line = logstash(
            meta.level(),
            &fields.message.unwrap_or_default(),
            path,
            correlation,
            fields.data,
        );
        let text = serde_json::to_string(&line).map_err(|_| fmt::Error)?;
        writeln!(writer, "{text}")
    }
}

/// One line in the Logstash shape.
fn logstash(
    level: &Level,
    message: &str,
    path: &str,
    correlation: Option<String>,
    data: Map<String, Value>,
) -> Value {
    let mut line = Map::new();
    line.insert(
        "@timestamp".to_owned(),
        Value::from(Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)),
    );
    line.insert("level".to_owned(), Value::from(level.as_str()));
    line.insert("message".to_owned(), Value::from(message));
    line.insert("path".to_owned(), Value::from(path));
    line.insert(
        "correlation".to_owned(),
        correlation.map_or(Value::Null, Value::from),
    );
    line.insert("data".to_owned(), Value::Object(data));
    Value::Object(line)
}

/// One Logstash line (without its newline) made outside the subscriber, for what the process
/// says when logging is not set up — a configuration error before start-up, a panic — so that
/// those lines have the shape of all the others (SPEC §10). Secret-looking `data` keys are
/// redacted as in log events.
pub fn standalone_line(
    level: Level,
    path: &str,
    message: &str,
    data: Map<String, Value>,
) -> String {
    let data = data
        .into_iter()
        .map(|(key, value)| {
            let value = if is_secret(&key) {
                Value::from("[redacted]")
            } else {
                value
            };
            (key, value)
        })
        .collect();
    logstash(&level, message, path, None, data).to_string()
}

/// Whether a field of this name may hold a secret (its value is never written).
fn is_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_NAMES.iter().any(|s| lower.contains(s))
}

/// Replaces the default panic message (plain text on stderr) by one Logstash line at `ERROR`
/// with the panic's message, location and thread, so a panicking worker cannot break the
/// every-line-is-JSON rule. The line is written directly to stderr, not through the subscriber:
/// a panic inside the subscriber must not re-enter it.
pub fn log_panics_as_json() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic with a non-string payload".to_owned());
        let mut data = Map::new();
        if let Some(location) = info.location() {
            data.insert("location".to_owned(), Value::from(location.to_string()));
        }
        let thread = std::thread::current();
        data.insert(
            "thread".to_owned(),
            Value::from(thread.name().unwrap_or("unnamed")),
        );
        let backtrace = std::backtrace::Backtrace::capture();
        if backtrace.status() == std::backtrace::BacktraceStatus::Captured {
            data.insert("backtrace".to_owned(), Value::from(backtrace.to_string()));
        }
        let line = standalone_line(Level::ERROR, "panic", &format!("panic: {message}"), data);
        let _ = writeln!(io::stderr().lock(), "{line}");
    }));
}

/// Collects an event's fields: `message` apart, the rest as typed JSON values.
#[derive(Default)]
struct FieldsVisitor {
    message: Option<String>,
    data: Map<String, Value>,
}

impl FieldsVisitor {
    fn put(&mut self, field: &Field, value: Value) {
        let name = field.name();
        if name.starts_with("log.") {
            return;
        }
        if name == "message" {
            self.message = Some(match value {
                Value::String(s) => s,
                other => other.to_string(),
            });
            return;
        }
        let value = if is_secret(name) {
            Value::from("[redacted]")
        } else {
            value
        };
        self.data.insert(name.to_owned(), value);
    }
}

impl Visit for FieldsVisitor {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, Value::from(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Value::from(value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Value::from(value));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, Value::from(value.to_string()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, Value::from(format!("{value:?}")));
    }
}

/// Where log lines go.
#[derive(Debug, Clone, Default)]
pub enum LogSink {
    /// Standard error (the binary).
    #[default]
    Stderr,
    /// An in-memory buffer a test reads back.
    Memory(MemorySink),
}

/// Log lines kept in memory (tests).
#[derive(Debug, Clone, Default)]
pub struct MemorySink(Arc<Mutex<Vec<u8>>>);

impl MemorySink {
    /// A new, empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every complete line written so far.
    pub fn lines(&self) -> Vec<String> {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

impl io::Write for MemorySink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes to a [`LogSink`].
#[derive(Debug)]
pub struct SinkWriter(SinkTarget);

#[derive(Debug)]
enum SinkTarget {
    Stderr(io::Stderr),
    Memory(MemorySink),
}

impl io::Write for SinkWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.0 {
            SinkTarget::Stderr(w) => w.write(buf),
            SinkTarget::Memory(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.0 {
            SinkTarget::Stderr(w) => w.flush(),
            SinkTarget::Memory(w) => w.flush(),
        }
    }
}

impl<'a> MakeWriter<'a> for LogSink {
    type Writer = SinkWriter;

    fn make_writer(&'a self) -> Self::Writer {
        match self {
            Self::Stderr => SinkWriter(SinkTarget::Stderr(io::stderr())),
            Self::Memory(sink) => SinkWriter(SinkTarget::Memory(sink.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::*;

    fn capture(f: impl FnOnce()) -> Vec<Value> {
        let sink = MemorySink::new();
        let subscriber = tracing_subscriber::registry().with(CorrelationLayer).with(
            tracing_subscriber::fmt::layer()
                .event_format(LogstashFormat)
                .fmt_fields(NoSpanFields)
                .with_ansi(false)
                .with_writer(LogSink::Memory(sink.clone())),
        );
        tracing::subscriber::with_default(subscriber, f);
        sink.lines()
            .iter()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    #[test]
    fn every_line_has_the_logstash_fields() {
        let lines = capture(|| {
            tracing::info!(count = 3_u64, ratio = 0.5, ok = true, name = "x", "hello");
        });
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["message"], "hello");
        assert_eq!(line["path"], module_path!());
        assert_eq!(line["correlation"], Value::Null);
        assert_eq!(line["data"]["count"], 3);
        assert_eq!(line["data"]["ratio"], 0.5);
        assert_eq!(line["data"]["ok"], true);
        assert_eq!(line["data"]["name"], "x");
        let ts = line["@timestamp"].as_str().unwrap_or_default();
        assert!(chrono::DateTime::parse_from_rfc3339(ts).is_ok(), "{ts}");
        assert!(ts.ends_with('Z'), "{ts}");
    }

    #[test]
    fn the_correlation_comes_from_the_enclosing_span_and_is_inherited() {
        let mut seen = None;
        let lines = capture(|| {
            let request = tracing::info_span!("request", correlation = %"abc-1");
            let _request = request.enter();
            let child = tracing::info_span!("campaigns.findById");
            let _child = child.enter();
            seen = current_correlation();
            tracing::warn!(target: "access", status = 404_u64, "done");
        });
        assert_eq!(seen.as_deref(), Some("abc-1"));
        assert_eq!(lines[0]["correlation"], "abc-1");
        assert_eq!(lines[0]["level"], "WARN");
        assert_eq!(lines[0]["data"]["target"], "access");
        assert_eq!(lines[0]["data"]["status"], 404);
    }

    #[test]
    fn a_standalone_line_has_the_shape_of_the_others_and_hides_secrets() {
        let mut data = Map::new();
        data.insert("variable".to_owned(), Value::from("CAMPAIGN_LISTEN"));
        data.insert("api_key".to_owned(), Value::from("k-123"));
        let text = standalone_line(Level::ERROR, "campaign_service", "bad config", data);
        assert!(!text.contains('\n'), "one line: {text}");
        assert!(!text.contains("k-123"), "{text}");
        let line: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert_eq!(line["level"], "ERROR");
        assert_eq!(line["message"], "bad config");
        assert_eq!(line["path"], "campaign_service");
        assert_eq!(line["correlation"], Value::Null);
        assert_eq!(line["data"]["variable"], "CAMPAIGN_LISTEN");
        assert_eq!(line["data"]["api_key"], "[redacted]");
        let ts = line["@timestamp"].as_str().unwrap_or_default();
        assert!(chrono::DateTime::parse_from_rfc3339(ts).is_ok(), "{ts}");
    }

    #[test]
    fn secrets_are_never_written() {
        let lines = capture(|| {
            tracing::info!(
                password = "hunter2",
                api_key = "k",
                authorization = "Bearer x",
                refresh_token = "t",
                keys = "surrogate",
                "login"
            );
        });
        let text = lines[0].to_string();
        for secret in ["hunter2", "\"k\"", "Bearer x", "\"t\""] {
            assert!(!text.contains(secret), "{text}");
        }
        assert_eq!(lines[0]["data"]["password"], "[redacted]");
        assert_eq!(lines[0]["data"]["keys"], "surrogate");
    }
}
