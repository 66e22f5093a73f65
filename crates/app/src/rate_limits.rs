//! The rate limits of SPEC §4.1 as the use cases apply them: a limited bucket is the client's
//! `TOO_MANY_REQUESTS` with the seconds to wait.
//!
//! A limiter error is logged and the event let through: the composition root puts an
//! in-process limiter behind any shared one (which never fails), so an error here only means a
//! limiter was wired without that fall-back — a client must not see a 5xx for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use campaign_domain::DomainError;
use campaign_ports::{Decision, RateKey, RateLimit, RateLimiter};

/// One attempt at a time per key in this process. A limit that counts only failures is
/// checked before and counted after the slow part (hashing); without this gate, many
/// concurrent guesses would all pass the check before the first is counted. Entries live only
/// while an attempt holds or waits for them, so memory follows the requests in flight.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyedGate {
    gates: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

/// Holds a key of a [`KeyedGate`] until dropped.
#[derive(Debug)]
pub(crate) struct GatePass {
    key: String,
    gates: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    gate: Arc<tokio::sync::Mutex<()>>,
    // Declared last so it is dropped first: the count of holders is checked after.
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl KeyedGate {
    /// Waits until no other attempt holds `key`, then holds it.
    pub(crate) async fn enter(&self, key: &RateKey) -> GatePass {
        let key = key.bucket();
        let gate = {
            let mut gates = self.gates.lock().unwrap_or_else(PoisonError::into_inner);
            gates.entry(key.clone()).or_default().clone()
        };
        let guard = gate.clone().lock_owned().await;
        GatePass {
            key,
            gates: self.gates.clone(),
            gate,
            guard: Some(guard),
        }
    }
}

impl Drop for GatePass {
    fn drop(&mut self) {
        self.guard.take();
        let mut gates = self.gates.lock().unwrap_or_else(PoisonError::into_inner);
        // Two references: the map's and ours. More means someone else waits for the key.
        if Arc::strong_count(&self.gate) <= 2 {
            gates.remove(&self.key);
        }
    }
}

/// Which question to ask the limiter.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ask {
    /// Would one more event pass? (counts nothing)
    Check,
    /// Count one event.
    Consume,
}

/// `Ok` when `limit` is `None` (not limited) or the bucket lets the event pass; else
/// `TOO_MANY_REQUESTS` with `Retry-After`.
pub(crate) async fn enforce(
    limiter: &dyn RateLimiter,
    ask: Ask,
    key: &RateKey,
    limit: Option<RateLimit>,
) -> Result<(), DomainError> {
    let Some(limit) = limit else {
        return Ok(());
    };
    let answer = match ask {
        Ask::Check => limiter.check(key, limit).await,
        Ask::Consume => limiter.consume(key, limit).await,
    };
    match answer {
        Ok(decision) => refuse_if_limited(decision),
        Err(error) => {
            tracing::error!(kind = key.kind().as_str(), %error, "rate limiter failed; event let through");
            Ok(())
        }
    }
}

fn refuse_if_limited(decision: Decision) -> Result<(), DomainError> {
    match decision.retry_after_secs() {
        None => Ok(()),
        Some(retry_after_secs) => Err(DomainError::TooManyRequests { retry_after_secs }),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_gate_lets_one_attempt_per_key_through_and_forgets_idle_keys() {
        let gate = KeyedGate::default();
        let a = RateKey::search("a");
        let held = gate.enter(&a).await;
        // Another key is free at once; the same key waits.
        drop(gate.enter(&RateKey::search("b")).await);
        let waiting = tokio::time::timeout(Duration::from_millis(50), gate.enter(&a)).await;
        assert!(waiting.is_err(), "the same key must wait");
        drop(held);
        drop(gate.enter(&a).await);
        assert!(
            gate.gates.lock().unwrap().is_empty(),
            "idle keys are dropped"
        );
    }

    #[test]
    fn a_limited_bucket_is_too_many_requests_in_whole_seconds() {
        assert_eq!(refuse_if_limited(Decision::Allowed), Ok(()));
        assert_eq!(
            refuse_if_limited(Decision::Limited {
                retry_after: Duration::from_millis(5_500)
            }),
            Err(DomainError::TooManyRequests {
                retry_after_secs: 6
            })
        );
    }
}
