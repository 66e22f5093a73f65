//! `Outbox` on the in-memory store.

use std::collections::HashSet;

use async_trait::async_trait;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::messages::OutboundEvent;
use campaign_domain::paging::{Page, PageRequest};
use campaign_domain::uuid::Uuid;
use campaign_ports::{Outbox, OutboxRecord, OutboxState, OutboxStats, StoreError};

use super::MemoryStore;

/// A recorded event and its lease.
pub(super) struct OutboxEntry {
    record: OutboxRecord,
    leased_until: Option<DateTime<Utc>>,
}

impl OutboxEntry {
    pub(super) fn new(event: OutboundEvent) -> Self {
        Self {
            record: OutboxRecord {
                next_attempt_at: event.occurred_at,
                event,
                state: OutboxState::Pending,
                attempts: 0,
                last_error: None,
            },
            leased_until: None,
        }
    }

    fn ordering(&self) -> (&'static str, String) {
        (
            self.record.event.message.destination(),
            self.record.event.message.ordering_key(),
        )
    }
}

impl MemoryStore {
    fn with_entry(&self, event_id: Uuid, change: impl FnOnce(&mut OutboxEntry)) {
        let mut state = self.state();
        if let Some(entry) = state
            .outbox
            .values_mut()
            .find(|e| e.record.event.event_id == event_id)
        {
            change(entry);
        }
    }
}

#[async_trait]
impl Outbox for MemoryStore {
    async fn claim(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        let mut state = self.state();
        let mut blocked: HashSet<(&'static str, String)> = HashSet::new();
        let mut claimed = Vec::new();
        for entry in state.outbox.values_mut() {
            if claimed.len() >= limit {
                break;
            }
            if entry.record.state != OutboxState::Pending {
                continue;
            }
            let key = entry.ordering();
            let free = !blocked.contains(&key)
                && entry.leased_until.is_none_or(|l| l <= now)
                && entry.record.next_attempt_at <= now;
            // Whether claimed now or not, this event is undelivered: later ones with the same
            // key wait for it.
            blocked.insert(key);
            if free {
                entry.leased_until = Some(lease_until);
                claimed.push(entry.record.clone());
            }
        }
        Ok(claimed)
    }

    async fn complete(&self, event_ids: &[Uuid]) -> Result<(), StoreError> {
        let ids: HashSet<&Uuid> = event_ids.iter().collect();
        self.state()
            .outbox
            .retain(|_, e| !ids.contains(&e.record.event.event_id));
        Ok(())
    }

    async fn retry_later(
        &self,
        event_id: Uuid,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        self.with_entry(event_id, |e| {
            e.record.attempts += 1;
            e.record.next_attempt_at = next_attempt_at;
            e.record.last_error = Some(error.to_owned());
            e.leased_until = None;
        });
        Ok(())
    }

    async fn fail(&self, event_id: Uuid, error: &str) -> Result<(), StoreError> {
        self.with_entry(event_id, |e| {
            e.record.attempts += 1;
            e.record.state = OutboxState::Failed;
            e.record.last_error = Some(error.to_owned());
            e.leased_until = None;
        });
        Ok(())
    }

    async fn stats(&self) -> Result<OutboxStats, StoreError> {
        let state = self.state();
        let failed = state
            .outbox
            .values()
            .filter(|e| e.record.state == OutboxState::Failed)
            .count() as u64;
        Ok(OutboxStats {
            pending: state.outbox.len() as u64 - failed,
            failed,
        })
    }

    async fn requeue(&self, event_ids: &[Uuid], now: DateTime<Utc>) -> Result<u64, StoreError> {
        let ids: HashSet<&Uuid> = event_ids.iter().collect();
        let mut requeued = 0;
        for entry in self.state().outbox.values_mut() {
            if entry.record.state == OutboxState::Failed
                && ids.contains(&entry.record.event.event_id)
            {
                entry.record.state = OutboxState::Pending;
                entry.record.attempts = 0;
                entry.record.next_attempt_at = now;
                entry.leased_until = None;
                requeued += 1;
            }
        }
        Ok(requeued)
    }

    async fn failed(&self, page: PageRequest) -> Result<Page<OutboxRecord>, StoreError> {
        let all = self
            .state()
            .outbox
            .values()
            .filter(|e| e.record.state == OutboxState::Failed)
            .map(|e| e.record.clone())
            .collect();
        Ok(Page::from_all(all, page))
    }
}
