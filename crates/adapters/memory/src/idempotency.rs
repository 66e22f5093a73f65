//! The idempotency records of the embedded default: a map behind one lock, so `begin` decides
//! races as a unique key does. Expired records are treated as absent when read and swept out
//! now and then, so the map does not grow with keys nobody retries.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use campaign_domain::chrono::{DateTime, TimeDelta, Utc};
use campaign_ports::{
    Begin, IdempotencyClaim, IdempotencyKey, IdempotencyStore, StoreError, StoredResponse,
};

/// Sweep expired records every this many `begin`s.
const SWEEP_EVERY: u64 = 1024;

#[derive(Debug, Clone)]
enum State {
    /// Held by `claim` until the lease ends at `expires`.
    Running { claim: String },
    /// Answered; replayed until `expires`.
    Completed(StoredResponse),
}

#[derive(Debug, Clone)]
struct Record {
    fingerprint: String,
    state: State,
    /// End of the lease (running) or of the retention (completed).
    expires: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct Records {
    by_key: HashMap<IdempotencyKey, Record>,
    begins: u64,
}

/// In-memory [`IdempotencyStore`] (one process: the embedded default and tests).
#[derive(Debug, Default)]
pub struct MemoryIdempotency {
    records: Mutex<Records>,
}

impl MemoryIdempotency {
    /// No records.
    pub fn new() -> Self {
        Self::default()
    }

    fn records(&self) -> MutexGuard<'_, Records> {
        // Every operation checks first and writes one map entry last: a panic cannot leave a
        // record half-written, so a poisoned lock is still consistent.
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `now + by`, saturating at the end of time.
fn after(now: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(by)
        .ok()
        .and_then(|by| now.checked_add_signed(by))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[async_trait]
impl IdempotencyStore for MemoryIdempotency {
    async fn begin(
        &self,
        key: &IdempotencyKey,
        fingerprint: &str,
        claim: &IdempotencyClaim,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Begin, StoreError> {
        let mut records = self.records();
        records.begins += 1;
        if records.begins.is_multiple_of(SWEEP_EVERY) {
            records.by_key.retain(|_, record| record.expires > now);
        }
        if let Some(record) = records.by_key.get(key).filter(|r| r.expires > now) {
            return Ok(if record.fingerprint != fingerprint {
                Begin::Mismatch
            } else {
                match &record.state {
                    State::Running { .. } => Begin::InProgress,
                    State::Completed(response) => Begin::Replay(response.clone()),
                }
            });
        }
        records.by_key.insert(
            key.clone(),
            Record {
                fingerprint: fingerprint.to_owned(),
                state: State::Running {
                    claim: claim.0.clone(),
                },
                expires: after(now, lease),
            },
        );
        Ok(Begin::Started)
    }

    async fn complete(
        &self,
        key: &IdempotencyKey,
        claim: &IdempotencyClaim,
        response: &StoredResponse,
        now: DateTime<Utc>,
        keep: Duration,
    ) -> Result<bool, StoreError> {
        let mut records = self.records();
        match records.by_key.get_mut(key) {
            Some(record) if matches!(&record.state, State::Running { claim: c } if *c == claim.0) =>
            {
                record.state = State::Completed(response.clone());
                record.expires = after(now, keep);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn release(
        &self,
        key: &IdempotencyKey,
        claim: &IdempotencyClaim,
    ) -> Result<bool, StoreError> {
        let mut records = self.records();
        let held = records.by_key.get(key).is_some_and(
            |record| matches!(&record.state, State::Running { claim: c } if *c == claim.0),
        );
        if held {
            records.by_key.remove(key);
        }
        Ok(held)
    }
}
