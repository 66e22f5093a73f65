//! The success envelope every answer is wrapped in (SPEC §4):
//! `{"data": <result>, "meta": {"correlation": "<id>", "timestamp": "<RFC 3339 UTC>"}}`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};
use uuid::Uuid;

/// A result with its [`Meta`].
#[derive(Debug, Serialize)]
pub(crate) struct Envelope<T> {
    /// The result itself.
    pub(crate) data: T,
    /// Correlation id and time of the answer.
    pub(crate) meta: Meta,
}

/// The `meta` part of an envelope.
#[derive(Debug, Serialize)]
pub(crate) struct Meta {
    /// The request's correlation id: a fresh UUID v4 for now. The correlation middleware of
    /// SPEC §4, when it lands, supplies the caller's `x-correlation-id` here instead.
    pub(crate) correlation: String,
    /// When the answer was made, as RFC 3339 UTC with milliseconds (the domain's wire format).
    #[serde(serialize_with = "rfc3339_utc")]
    pub(crate) timestamp: DateTime<Utc>,
}

impl<T> Envelope<T> {
    /// Wraps `data` with a new correlation id and the current time.
    pub(crate) fn new(data: T) -> Self {
        Self {
            data,
            meta: Meta {
                correlation: Uuid::new_v4().to_string(),
                timestamp: Utc::now(),
            },
        }
    }
}

fn rfc3339_utc<S: Serializer>(time: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&time.to_rfc3339_opts(SecondsFormat::Millis, true))
}
