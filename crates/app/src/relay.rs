//! The outbox relay: claims recorded events, hands each to its destination's publisher, and
//! completes, retries (exponential backoff with jitter) or gives up on each. Delivery is
//! at-least-once; consumers de-duplicate by event id. Changes the service owes itself (linked
//! campaigns taking a campaign's shared fields) are delivered the same way, through the use
//! cases. The runtime (in `api`) calls
//! [`OutboxRelay::deliver_once`] in a loop.

use std::time::Duration;

use campaign_domain::DomainError;
use campaign_domain::chrono::{DateTime, TimeDelta, Utc};
use campaign_domain::messages::{OutboundEvent, OutboundMessage};
use campaign_domain::status::Status;
use campaign_domain::uuid::Uuid;
use campaign_ports::{
    ArtistExtensionFile, BatchOutcome, IntegrationError, OutboxRecord, StoreError,
};

use crate::campaigns::CampaignService;
use crate::ports::{Ports, Publishers};

/// Tunables of the relay.
#[derive(Debug, Clone)]
pub struct RelaySettings {
    /// Most events claimed per round.
    pub batch_size: usize,
    /// How long a claim keeps other relays away. A round starts no new call after half of it,
    /// so the call in flight then still ends inside the lease (publisher calls are bounded by
    /// their own timeouts: 6 s for Kinesis and SQS); events it did not get to stay leased and
    /// are claimed again once the lease ends, unsent, so no two relays send the same event.
    pub lease: Duration,
    /// Attempts before an event is given up (moved to the failed state).
    pub max_attempts: u32,
    /// Delay before the first retry; doubles with each attempt.
    pub base_backoff: Duration,
    /// Longest delay between attempts.
    pub max_backoff: Duration,
}

impl Default for RelaySettings {
    fn default() -> Self {
        Self {
            batch_size: 100,
            lease: Duration::from_secs(60),
            max_attempts: 12,
            base_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Events delivered and completed.
    pub delivered: usize,
    /// Events that failed and will be retried.
    pub retried: usize,
    /// Events given up.
    pub failed: usize,
}

/// The relay.
#[derive(Debug, Clone)]
pub struct OutboxRelay {
    ports: Ports,
    publishers: Publishers,
    settings: RelaySettings,
    /// Applies the changes the service owes itself (linked campaigns).
    campaigns: CampaignService,
}

/// How one event's delivery ended.
enum Outcome {
    Delivered,
    Failed { reason: String, permanent: bool },
}

fn outcome_of(result: Result<(), IntegrationError>) -> Outcome {
    match result {
        Ok(()) => Outcome::Delivered,
        Err(e) => Outcome::Failed {
            permanent: !e.is_transient(),
            reason: e.to_string(),
        },
    }
}

/// The outcome of a change the service makes itself: store outages and lost races are tried
/// again, anything else cannot get better by retrying.
fn outcome_of_own_change(result: Result<(), DomainError>) -> Outcome {
    match result {
        Ok(()) => Outcome::Delivered,
        Err(error) => Outcome::Failed {
            permanent: !matches!(
                error,
                DomainError::DependencyUnavailable { .. } | DomainError::VersionConflict { .. }
            ),
            reason: error.to_string(),
        },
    }
}

/// Per-event outcomes of a batch call.
fn batch_outcomes(
    events: &[OutboundEvent],
    result: Result<BatchOutcome, IntegrationError>,
) -> Vec<(Uuid, Outcome)> {
    match result {
        Ok(outcome) => events
            .iter()
            .map(|e| {
                let failed = outcome.failed.iter().find(|(id, _)| *id == e.event_id);
                let o = match failed {
                    Some((_, reason)) => Outcome::Failed {
                        reason: reason.clone(),
                        permanent: false,
                    },
                    None => Outcome::Delivered,
                };
                (e.event_id, o)
            })
            .collect(),
        Err(error) => events
            .iter()
            .map(|e| {
                (
                    e.event_id,
                    Outcome::Failed {
                        reason: error.to_string(),
                        permanent: !error.is_transient(),
                    },
                )
            })
            .collect(),
    }
}

impl OutboxRelay {
    /// A relay delivering from `ports.outbox` to `publishers`, and the changes the service owes
    /// itself (linked campaigns taking shared fields) through `campaigns`.
    pub fn new(
        ports: Ports,
        publishers: Publishers,
        settings: RelaySettings,
        campaigns: CampaignService,
    ) -> Self {
        Self {
            ports,
            publishers,
            settings,
            campaigns,
        }
    }

    /// The delay before attempt `attempt + 1`: `base · 2^(attempt-1)`, capped, scaled by a jitter
    /// factor in [0.5, 1) taken from the event id so retries of many events spread out.
    pub fn backoff(&self, event_id: Uuid, attempt: u32) -> Duration {
        let exp = self
            .settings
            .base_backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let capped = exp.min(self.settings.max_backoff);
        let jitter = 0.5 + f64::from(event_id.as_bytes()[15]) / 512.0;
        capped.mul_f64(jitter)
    }

    /// Claims one batch and delivers it. Returns what happened; store errors end the round.
    pub async fn deliver_once(&self) -> Result<DeliveryReport, DomainError> {
        let now = self.ports.clock.now();
        let lease_until =
            now + TimeDelta::from_std(self.settings.lease).unwrap_or(TimeDelta::seconds(60));
        let sending_ends = std::time::Instant::now() + self.settings.lease / 2;
        let claimed = self
            .ports
            .outbox
            .claim(now, lease_until, self.settings.batch_size)
            .await
            .map_err(relay_store_error)?;
        let outcomes = self.publish(&claimed, sending_ends).await;
        if outcomes.len() < claimed.len() {
            tracing::warn!(
                left = claimed.len() - outcomes.len(),
                "delivery round out of time; the rest stays leased for a later round"
            );
        }
        let mut report = DeliveryReport::default();
        let mut delivered = Vec::new();
        for (event_id, outcome) in outcomes {
            let attempts = claimed
                .iter()
                .find(|r| r.event.event_id == event_id)
                .map_or(0, |r| r.attempts)
                + 1;
            match outcome {
                Outcome::Delivered => delivered.push(event_id),
                Outcome::Failed { reason, permanent }
                    if permanent || attempts >= self.settings.max_attempts =>
                {
                    tracing::error!(%event_id, attempts, %reason, "outbound event given up");
                    self.ports
                        .outbox
                        .fail(event_id, &reason)
                        .await
                        .map_err(relay_store_error)?;
                    report.failed += 1;
                }
                Outcome::Failed { reason, .. } => {
                    let next = next_attempt(now, self.backoff(event_id, attempts));
                    tracing::warn!(%event_id, attempts, %reason, %next, "outbound event will be retried");
                    self.ports
                        .outbox
                        .retry_later(event_id, next, &reason)
                        .await
                        .map_err(relay_store_error)?;
                    report.retried += 1;
                }
            }
        }
        if !delivered.is_empty() {
            self.ports
                .outbox
                .complete(&delivered)
                .await
                .map_err(relay_store_error)?;
        }
        report.delivered = delivered.len();
        Ok(report)
    }

    /// Sends each destination's events; per-event outcomes in claim order within a destination.
    /// No call starts after `sending_ends`: the events it would carry get no outcome.
    async fn publish(
        &self,
        claimed: &[OutboxRecord],
        sending_ends: std::time::Instant,
    ) -> Vec<(Uuid, Outcome)> {
        let in_time = || std::time::Instant::now() < sending_ends;
        let of = |pick: fn(&OutboundMessage) -> bool| -> Vec<OutboundEvent> {
            claimed
                .iter()
                .map(|r| &r.event)
                .filter(|e| pick(&e.message))
                .cloned()
                .collect()
        };
        let mut out = Vec::with_capacity(claimed.len());
        let stream = of(|m| matches!(m, OutboundMessage::CampaignStream(_)));
        if !stream.is_empty() && in_time() {
            out.extend(batch_outcomes(
                &stream,
                self.publishers.stream.put_records(&stream).await,
            ));
        }
        let pipeline = of(|m| matches!(m, OutboundMessage::DataPipeline(_)));
        if !pipeline.is_empty() && in_time() {
            out.extend(batch_outcomes(
                &pipeline,
                self.publishers.data_pipeline.send_batch(&pipeline).await,
            ));
        }
        let selections = of(|m| matches!(m, OutboundMessage::RefreshSelections(_)));
        if !selections.is_empty() && in_time() {
            out.extend(batch_outcomes(
                &selections,
                self.publishers
                    .refresh_selections
                    .send_batch(&selections)
                    .await,
            ));
        }
        for record in claimed {
            let event = &record.event;
            if !in_time() {
                break;
            }
            match &event.message {
                OutboundMessage::CdnPurge(purge) => {
                    out.push((
                        event.event_id,
                        outcome_of(self.publishers.cdn.purge(&purge.surrogate_keys).await),
                    ));
                }
                OutboundMessage::ArtistExtension(sync) => {
                    let result = match self.ports.campaigns.find_by_artist(&sync.artist_id).await {
                        Ok(campaigns) => {
                            let file = ArtistExtensionFile {
                                artist_id: sync.artist_id.clone(),
                                campaigns: campaigns
                                    .into_iter()
                                    .filter(|c| c.status != Status::Inactive)
                                    .collect(),
                            };
                            self.publishers.artist_extension.write(&file).await
                        }
                        Err(e) => Err(IntegrationError::Transient(format!(
                            "reading the artist's campaigns: {e}"
                        ))),
                    };
                    out.push((event.event_id, outcome_of(result)));
                }
                OutboundMessage::LinkedCampaigns(sync) => {
                    let result = self
                        .campaigns
                        .sync_linked(sync, event.correlation.as_deref())
                        .await;
                    out.push((event.event_id, outcome_of_own_change(result)));
                }
                _ => {}
            }
        }
        out
    }
}

fn next_attempt(now: DateTime<Utc>, delay: Duration) -> DateTime<Utc> {
    now + TimeDelta::from_std(delay).unwrap_or(TimeDelta::seconds(300))
}

fn relay_store_error(error: StoreError) -> DomainError {
    crate::store_errors::store_error(
        "outbox",
        DomainError::Internal("outbox record vanished".to_owned()),
        error,
    )
}
