//! What a call can fail with.

use std::time::Duration;

use campaign_http_types::{ErrorBody, ErrorType};

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The service answered with an error envelope.
    #[error("{status} {}: {}", error.kind, error.message)]
    Api {
        /// The HTTP status.
        status: u16,
        /// The envelope's body: type, message, correlation id, failing fields.
        error: ErrorBody<'static>,
        /// How long to wait before trying again, when the service said (`Retry-After`).
        retry_after: Option<Duration>,
    },
    /// The request did not get an answer (connection, timeout, TLS). The URL is left out of the
    /// message: a query may carry a campaign password.
    #[error("no answer from the service: {0}")]
    Transport(#[from] reqwest::Error),
    /// The answer was not what the contract says (the client and service disagree).
    #[error("unexpected answer ({status}): {reason}")]
    Unexpected {
        /// The HTTP status.
        status: u16,
        /// What did not fit.
        reason: String,
    },
    /// The base URL given to [`Client::new`](crate::Client::new) is not an absolute http(s) URL.
    #[error("invalid base URL: {0}")]
    InvalidBaseUrl(String),
}

impl ClientError {
    /// The error type of an error answer.
    pub fn error_type(&self) -> Option<ErrorType> {
        match self {
            Self::Api { error, .. } => Some(error.kind),
            _ => None,
        }
    }

    /// Whether trying the same request again may succeed: no answer, 5xx (with the envelope or
    /// without, as a gateway answers), 429, or a request with the same `Idempotency-Key` still
    /// running.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport(e) => !e.is_builder() && !e.is_decode(),
            Self::Api { status, error, .. } => {
                *status >= 500
                    || *status == 429
                    || error.kind == ErrorType::IdempotencyKeyInProgress
            }
            Self::Unexpected { status, .. } => *status >= 500 || *status == 429,
            Self::InvalidBaseUrl(_) => false,
        }
    }
}
