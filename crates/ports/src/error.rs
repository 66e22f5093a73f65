//! Errors the ports speak. Adapters translate their drivers' errors into these (a duplicate-key
//! error becomes [`StoreError::DomainTaken`], a timeout becomes `Unavailable`, a stored
//! document that does not decode becomes `Internal`); the use cases translate these into
//! `DomainError`. Messages of `Unavailable` and `Internal` are for logs only.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

use campaign_domain::DomainError;
use campaign_domain::values::{DomainName, EventId};

/// What a repository or the outbox can report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Another campaign holds this host (as its site or preview domain).
    #[error("domain {0} is held by another campaign")]
    DomainTaken(DomainName),
    /// The campaign already has a market with this name.
    #[error("market name {0:?} is taken in this campaign")]
    MarketNameTaken(String),
    /// Another market of the campaign already lists this event id.
    #[error("event id {0} belongs to another market of this campaign")]
    EventIdTaken(EventId),
    /// The stored version is not the one the write expected; nothing was written.
    #[error("version conflict: expected {expected}, stored {current}")]
    VersionConflict {
        /// The version the writer expected.
        expected: u64,
        /// The version stored now.
        current: u64,
    },
    /// The record to change does not exist.
    #[error("record not found")]
    NotFound,
    /// The store cannot be reached or failed (connection, timeout, a server error): a
    /// dependency that is really unavailable, worth retrying later. The message is for logs.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The store answered, but with something this service cannot use — a stored document
    /// that does not decode into its record (written by hand or by another version), a record
    /// that cannot be encoded — so retrying will not help. `context` says what was being done
    /// (for logs), `source` is the adapter's own error. Build it with [`StoreError::internal`].
    #[error("store internal error: {context}: {source}")]
    Internal {
        /// What the adapter was doing (`"read campaign 65a1…"`), for logs.
        context: String,
        /// The adapter's error (a decoder's, an encoder's), also the error's
        /// [`source`](std::error::Error::source).
        source: ErrorSource,
    },
}

impl StoreError {
    /// A [`StoreError::Internal`]: `context` says what was being done, `source` is why it
    /// failed (any error, or a message).
    pub fn internal(
        context: impl Into<String>,
        source: impl Into<Box<dyn Error + Send + Sync>>,
    ) -> Self {
        Self::Internal {
            context: context.into(),
            source: ErrorSource::new(source),
        }
    }

    /// The domain error a client sees; `not_found` names what was missing
    /// (`CampaignNotFound`, `MarketNotFound`, ...).
    pub fn into_domain(self, not_found: DomainError) -> DomainError {
        match self {
            Self::DomainTaken(domain) => DomainError::DomainNameConflict {
                domain: domain.to_string(),
            },
            Self::MarketNameTaken(name) => DomainError::MarketNameExists { name },
            Self::EventIdTaken(id) => DomainError::DuplicateEventId {
                event_id: id.to_string(),
            },
            Self::VersionConflict { expected, current } => {
                DomainError::VersionConflict { expected, current }
            }
            Self::NotFound => not_found,
            Self::Unavailable(_) => DomainError::DependencyUnavailable {
                dependency: "store".to_owned(),
            },
            Self::Internal { context, source } => {
                DomainError::Internal(format!("store: {context}: {source}"))
            }
        }
    }
}

/// The cause carried by [`StoreError::Internal`]: the adapter's error, shared so that a
/// `StoreError` stays cheap to clone. Two causes are equal when they print the same (store
/// errors are compared in tests); it prints as, and its `source()` is that of, the error it
/// wraps.
#[derive(Clone)]
pub struct ErrorSource(Arc<dyn Error + Send + Sync>);

impl ErrorSource {
    /// Wraps an error (or a message).
    pub fn new(error: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        Self(Arc::from(error.into()))
    }

    /// The wrapped error, for downcasting.
    pub fn get_ref(&self) -> &(dyn Error + Send + Sync + 'static) {
        self.0.as_ref()
    }
}

impl fmt::Debug for ErrorSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for ErrorSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Error for ErrorSource {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.source()
    }
}

impl PartialEq for ErrorSource {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.to_string() == other.0.to_string()
    }
}

impl Eq for ErrorSource {}

/// What a cache or lock can report. Callers treat every cache error as a miss (fail open).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cache unavailable: {0}")]
pub struct CacheError(pub String);

/// What an outbound integration (Discovery, Fastly, GitLab, Kinesis, SQS) can report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntegrationError {
    /// The integration is not configured in this deployment.
    #[error("{0} is not configured")]
    NotConfigured(&'static str),
    /// A failure worth retrying later (timeout, connection refused, 429, 5xx).
    #[error("temporarily unavailable: {0}")]
    Transient(String),
    /// A failure that retrying will not fix (4xx other than 429, malformed answer).
    #[error("rejected: {0}")]
    Permanent(String),
}

impl IntegrationError {
    /// Whether a later retry may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("field `status`: unknown variant `ARCHIVED`")]
    struct Decode;

    #[test]
    fn an_internal_error_keeps_its_source_and_answers_internal_not_unavailable() {
        let error = StoreError::internal("read campaign 65a1b2c3d4e5f60718293a4b", Decode);
        assert_eq!(
            error.to_string(),
            "store internal error: read campaign 65a1b2c3d4e5f60718293a4b: \
             field `status`: unknown variant `ARCHIVED`"
        );
        let source = error.source().map(ToString::to_string);
        assert_eq!(
            source.as_deref(),
            Some("field `status`: unknown variant `ARCHIVED`")
        );
        assert!(matches!(
            &error,
            StoreError::Internal { source, .. } if source.get_ref().is::<Decode>()
        ));
        assert_eq!(error.clone(), error);
        assert_ne!(
            error,
            StoreError::internal("read campaign", "another cause")
        );
        match error.into_domain(DomainError::CampaignNotFound) {
            DomainError::Internal(message) => assert!(message.contains("ARCHIVED"), "{message}"),
            other => panic!("expected Internal, got {other:?}"),
        }
    }

    #[test]
    fn an_outage_stays_unavailable() {
        assert_eq!(
            StoreError::Unavailable("timeout".to_owned())
                .into_domain(DomainError::CampaignNotFound),
            DomainError::DependencyUnavailable {
                dependency: "store".to_owned()
            }
        );
    }
}
