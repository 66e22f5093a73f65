//! The envelopes of SPEC §4. Success: `{"data": <result>, "meta": {"correlation", "timestamp"}}`.
//! Error: `{"error": {"type", "message", "correlation", "details"?}}`.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use campaign_domain::chrono::{SecondsFormat, Utc};
use campaign_domain::serde_json;
use campaign_http_types::{Envelope, ErrorBody, ErrorEnvelope, FieldError, Meta};
use serde::Serialize;
use std::borrow::Cow;

use crate::error::ApiError;

use super::correlation::Correlation;

/// The current time as RFC 3339 UTC with milliseconds, the service's wire format.
fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A success answer under construction.
#[derive(Debug)]
pub(crate) struct Reply {
    status: StatusCode,
    etag: Option<u64>,
    location: Option<String>,
}

impl Reply {
    /// 200 OK.
    pub(crate) fn ok() -> Self {
        Self {
            status: StatusCode::OK,
            etag: None,
            location: None,
        }
    }

    /// 201 Created with a `Location`.
    pub(crate) fn created(location: String) -> Self {
        Self {
            status: StatusCode::CREATED,
            etag: None,
            location: Some(location),
        }
    }

    /// Adds `ETag: "<version>"`.
    pub(crate) fn etag(mut self, version: u64) -> Self {
        self.etag = Some(version);
        self
    }

    /// The answer: `data` in the envelope.
    pub(crate) fn json<T: Serialize>(self, correlation: &Correlation, data: T) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status);
        if let Some(v) = self.etag {
            builder.insert_header((header::ETAG, format!("\"{v}\"")));
        }
        if let Some(value) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            builder.insert_header((header::LOCATION, value));
        }
        builder.json(Envelope {
            data,
            meta: Meta {
                correlation: Cow::Borrowed(&correlation.0),
                timestamp: Cow::Owned(now()),
            },
        })
    }
}

/// The error envelope's JSON for `error`. An internal error's own message stays in the logs.
pub(crate) fn error_json(error: &ApiError, correlation: &str) -> String {
    let body = ErrorEnvelope {
        error: ErrorBody {
            kind: error.classify().1,
            message: Cow::Owned(error.client_message()),
            correlation: Cow::Borrowed(correlation),
            details: error
                .details()
                .map(|d| d.fields().iter().map(FieldError::from).collect()),
        },
    };
    serde_json_string(&body)
}

fn serde_json_string<T: Serialize>(value: &T) -> String {
    // The envelope holds only strings and string lists: serialising it cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| {
        "{\"error\":{\"type\":\"INTERNAL_ERROR\",\"message\":\"unexpected error\"}}".to_owned()
    })
}
