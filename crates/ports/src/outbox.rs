//! The outbox: outbound events recorded atomically with the changes that owe them (through the
//! repositories' write methods), then claimed and delivered by a relay at least once.

use async_trait::async_trait;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::messages::OutboundEvent;
use campaign_domain::paging::{Page, PageRequest};
use campaign_domain::uuid::Uuid;

use crate::error::StoreError;

/// Delivery state of a recorded event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting for (another) delivery attempt.
    Pending,
    /// Given up after too many attempts; kept for inspection.
    Failed,
}

/// A recorded outbound event with its delivery bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRecord {
    /// The event.
    pub event: OutboundEvent,
    /// Delivery state.
    pub state: OutboxState,
    /// Failed attempts so far.
    pub attempts: u32,
    /// Not to be claimed before this instant.
    pub next_attempt_at: DateTime<Utc>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// Backlog counts, for metrics and health.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxStats {
    /// Events waiting for delivery.
    pub pending: u64,
    /// Events given up on.
    pub failed: u64,
}

/// The delivery side of the outbox.
///
/// Ordering: events that share a destination and an ordering key
/// (`OutboundMessage::ordering_key`, the campaign id) are claimed one at a time, oldest first:
/// an event is not claimed while an older pending event with the same destination and key is
/// still undelivered. Failed events do not block later ones.
#[async_trait]
pub trait Outbox: Send + Sync + 'static {
    /// Claims up to `limit` pending events that are due (`next_attempt_at` ≤ `now`; a new event is
    /// due from its `occurred_at`) and not
    /// leased, leasing them until `lease_until` so that no other relay claims them meanwhile; in
    /// recording order. An expired lease makes an event claimable again.
    async fn claim(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError>;

    /// Removes delivered events. Unknown ids are ignored (a second relay may have been faster).
    async fn complete(&self, event_ids: &[Uuid]) -> Result<(), StoreError>;

    /// Releases a claimed event for a later attempt: one more failed attempt, next attempt not
    /// before `next_attempt_at`, with the reason.
    async fn retry_later(
        &self,
        event_id: Uuid,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError>;

    /// Gives up on an event: it becomes [`OutboxState::Failed`] and is no longer claimed.
    async fn fail(&self, event_id: Uuid, error: &str) -> Result<(), StoreError>;

    /// Backlog counts. A `pending` of zero means every event recorded before the call, including
    /// those recorded while delivering another (a linked campaign's change), was delivered.
    async fn stats(&self) -> Result<OutboxStats, StoreError>;

    /// One page of failed events, oldest first.
    async fn failed(&self, page: PageRequest) -> Result<Page<OutboxRecord>, StoreError>;

    /// Puts failed events back in line (an operator's decision once the cause is fixed): each
    /// becomes [`OutboxState::Pending`] again with no attempts, due at `now`; its last error is
    /// kept. Ids that are unknown or not failed are ignored. Returns how many were requeued.
    ///
    /// A requeued event keeps its place in recording order, so it may reach a consumer after
    /// later events of its campaign that were delivered meanwhile.
    async fn requeue(&self, event_ids: &[Uuid], now: DateTime<Utc>) -> Result<u64, StoreError>;
}
