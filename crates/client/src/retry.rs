//! Retries of failed calls, with the same `Idempotency-Key` for every attempt of a POST.

use std::time::Duration;

use campaign_domain::uuid::Uuid;

/// How often and how patiently a call is tried again. Only failures that may pass are retried
/// ([`ClientError::is_retryable`](crate::ClientError::is_retryable)); a `Retry-After` from the
/// service is honoured when it is longer than the backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1: no retry).
    pub attempts: u32,
    /// Wait before the second attempt; doubled before each further one.
    pub first_delay: Duration,
    /// Longest wait between two attempts.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            first_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// No retries.
    pub fn none() -> Self {
        Self {
            attempts: 1,
            ..Self::default()
        }
    }

    /// The wait before attempt `next` (2 for the first retry).
    pub fn delay_before(&self, next: u32) -> Duration {
        let doublings = next.saturating_sub(2).min(16);
        self.first_delay
            .saturating_mul(1 << doublings)
            .min(self.max_delay)
    }
}

/// The `Idempotency-Key` of one logical POST, reused by every attempt of it. Give your own to
/// keep it across restarts of your process (store it with the work it belongs to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotent(String);

impl Idempotent {
    /// A fresh random key.
    pub fn new_key() -> Self {
        Self(Uuid::new_v4().to_string())
    }

    /// A key of your own: 1-255 visible ASCII characters.
    pub fn key(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The header value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let policy = RetryPolicy {
            attempts: 6,
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
        };
        let delays: Vec<u128> = (2..=5)
            .map(|n| policy.delay_before(n).as_millis())
            .collect();
        assert_eq!(delays, [100, 200, 350, 350]);
        assert_ne!(Idempotent::new_key(), Idempotent::new_key());
    }
}
