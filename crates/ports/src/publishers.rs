//! Where outbound events go: the campaign data stream, the two queues, the CDN and the
//! artist-extension store. The outbox relay calls these; nothing else does.

use async_trait::async_trait;
use campaign_domain::campaign::Campaign;
use campaign_domain::messages::OutboundEvent;
use campaign_domain::uuid::Uuid;
use campaign_domain::values::ArtistId;

use crate::error::IntegrationError;

/// Per-entry result of a batch send: the entries that failed, with why. Entries not listed
/// were accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Event ids that were not accepted, with the reason.
    pub failed: Vec<(Uuid, String)>,
}

/// The campaign data stream (Kinesis).
#[async_trait]
pub trait CampaignDataStream: Send + Sync + 'static {
    /// Puts one record per event (JSON of the event, partition key = its ordering key, the
    /// campaign id). `Err` when nothing was sent; per-entry failures in the outcome.
    async fn put_records(&self, events: &[OutboundEvent])
    -> Result<BatchOutcome, IntegrationError>;
}

/// A message queue (SQS): the data pipeline or the refresh-selections queue.
#[async_trait]
pub trait MessageQueue: Send + Sync + 'static {
    /// Sends one message per event (JSON of the event). `Err` when nothing was sent; per-entry
    /// failures in the outcome.
    async fn send_batch(&self, events: &[OutboundEvent]) -> Result<BatchOutcome, IntegrationError>;
}

/// The CDN (Fastly).
#[async_trait]
pub trait CdnPurger: Send + Sync + 'static {
    /// Purges everything tagged with any of these surrogate keys.
    async fn purge(&self, surrogate_keys: &[String]) -> Result<(), IntegrationError>;
}

/// The artist-extension file of one artist: the artist's active campaigns.
#[derive(Debug, Clone, PartialEq)]
pub struct ArtistExtensionFile {
    /// The artist.
    pub artist_id: ArtistId,
    /// The artist's campaigns that are not INACTIVE.
    pub campaigns: Vec<Campaign>,
}

/// The artist-extension config store (a GitLab repository).
#[async_trait]
pub trait ArtistExtensionStore: Send + Sync + 'static {
    /// Creates or replaces the artist's file with `file`.
    async fn write(&self, file: &ArtistExtensionFile) -> Result<(), IntegrationError>;
}
