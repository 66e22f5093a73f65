//! Errors the ports speak. Adapters translate their drivers' errors into these (a duplicate-key
//! error becomes [`StoreError::DomainTaken`], a timeout becomes `Unavailable`); the use cases
//! translate these into `DomainError`. Messages of `Unavailable` are for logs only.

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
    /// The store cannot be reached or failed; the message is for logs.
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

impl StoreError {
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
        }
    }
}

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
