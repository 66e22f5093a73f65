//! Publishers for integrations that are not configured: they log what they would have sent
//! and succeed, so the embedded default runs the same relay as production.

use async_trait::async_trait;
use campaign_domain::messages::OutboundEvent;
use campaign_domain::serde_json;
use campaign_ports::{
    ArtistExtensionFile, ArtistExtensionStore, BatchOutcome, CampaignDataStream, CdnPurger,
    IntegrationError, MessageQueue,
};

/// Logs each message at `info` under the `outbound` target, with its destination.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LoggingPublisher {
    /// Which destination this stands in for (`kinesis`, `sqs.dataPipeline`, ...).
    pub(crate) destination: &'static str,
}

impl LoggingPublisher {
    fn log(&self, events: &[OutboundEvent]) {
        for event in events {
            let payload = serde_json::to_string(event).unwrap_or_default();
            tracing::info!(target: "outbound", destination = self.destination, event_id = %event.event_id, %payload, "not configured; would send");
        }
    }
}

#[async_trait]
impl CampaignDataStream for LoggingPublisher {
    async fn put_records(
        &self,
        events: &[OutboundEvent],
    ) -> Result<BatchOutcome, IntegrationError> {
        self.log(events);
        Ok(BatchOutcome::default())
    }
}

#[async_trait]
impl MessageQueue for LoggingPublisher {
    async fn send_batch(&self, events: &[OutboundEvent]) -> Result<BatchOutcome, IntegrationError> {
        self.log(events);
        Ok(BatchOutcome::default())
    }
}

#[async_trait]
impl CdnPurger for LoggingPublisher {
    async fn purge(&self, surrogate_keys: &[String]) -> Result<(), IntegrationError> {
        tracing::info!(target: "outbound", destination = self.destination, keys = ?surrogate_keys, "not configured; would purge");
        Ok(())
    }
}

#[async_trait]
impl ArtistExtensionStore for LoggingPublisher {
    async fn write(&self, file: &ArtistExtensionFile) -> Result<(), IntegrationError> {
        let ids: Vec<String> = file.campaigns.iter().map(|c| c.id.to_string()).collect();
        tracing::info!(target: "outbound", destination = self.destination, artist = %file.artist_id, campaigns = ?ids, "not configured; would write the artist file");
        Ok(())
    }
}
