//! Rate limits (SPEC §4.1): counts of events per bucket — wrong campaign passwords per
//! (campaign, caller), Discovery searches per caller — shared by all replicas when the store
//! behind the port is.
//!
//! Every adapter implements the same algorithm, GCRA (the generic cell rate algorithm, a token
//! bucket without a refill task): a [`RateLimit`] of `max` per `window` lets `max` events through
//! at once, then one more every `window / max`; a bucket left alone for `window` is full again.
//! So no window boundary lets `2 × max` through, and a limited caller learns exactly when the
//! next event would pass.
//!
//! Two operations, so that a use case can count only some events (only *wrong* passwords) yet
//! refuse before doing expensive work (hashing):
//! - [`RateLimiter::consume`] counts one event, unless the bucket is empty;
//! - [`RateLimiter::check`] answers what `consume` would answer now, counting nothing.

use std::num::NonZeroU32;
use std::time::Duration;

use async_trait::async_trait;
use campaign_domain::values::CampaignId;

use crate::error::CacheError;

/// What a bucket counts. Buckets of different kinds never share a count, even for the same
/// subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateKind {
    /// Wrong campaign passwords, per campaign and caller (`CAMPAIGN_RATE_LIMIT_PASSWORD_PER_MIN`).
    PasswordFailures,
    /// Discovery searches (`/artists`, `/venues`), per caller
    /// (`CAMPAIGN_RATE_LIMIT_SEARCH_PER_MIN`).
    Search,
}

impl RateKind {
    /// The kind's name in bucket names: `password`, `search`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PasswordFailures => "password",
            Self::Search => "search",
        }
    }
}

/// One bucket: a kind and the subject it counts for (a caller, a campaign and caller, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RateKey {
    kind: RateKind,
    subject: String,
}

impl RateKey {
    /// The bucket of `kind` for `subject` (any string; adapters keep it as it is).
    pub fn new(kind: RateKind, subject: impl Into<String>) -> Self {
        Self {
            kind,
            subject: subject.into(),
        }
    }

    /// Wrong passwords of caller `user_id` on `campaign`: subject `<campaign id>:<user id>` (the
    /// id has a fixed length, so no two pairs share a subject).
    pub fn password_failures(campaign: &CampaignId, user_id: &str) -> Self {
        Self::new(RateKind::PasswordFailures, format!("{campaign}:{user_id}"))
    }

    /// Searches of caller `user_id` (artists and venues together).
    pub fn search(user_id: &str) -> Self {
        Self::new(RateKind::Search, user_id)
    }

    /// What the bucket counts.
    pub fn kind(&self) -> RateKind {
        self.kind
    }

    /// Whom the bucket counts for.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The bucket's name for a store: `<kind>:<subject>` (`password:<campaign>:<user>`,
    /// `search:<user>`).
    pub fn bucket(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.subject)
    }
}

/// At most `max` events per `window` (see the module docs for how they spread).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateLimit {
    max: NonZeroU32,
    window: Duration,
}

impl RateLimit {
    /// Shortest window accepted per event (`window / max`): one millisecond.
    pub const MIN_INTERVAL: Duration = Duration::from_millis(1);

    /// `max` events per minute.
    pub const fn per_minute(max: NonZeroU32) -> Self {
        Self {
            max,
            window: Duration::from_secs(60),
        }
    }

    /// `max` events per `window` (tests use short windows). A window shorter than
    /// `max` × [`MIN_INTERVAL`](Self::MIN_INTERVAL) is lengthened to that.
    pub fn new(max: NonZeroU32, window: Duration) -> Self {
        let floor = Self::MIN_INTERVAL.saturating_mul(max.get());
        Self {
            max,
            window: window.max(floor),
        }
    }

    /// Events allowed at once, and per window.
    pub fn max(&self) -> u32 {
        self.max.get()
    }

    /// The window.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// The time one event takes to be replenished: `window / max`.
    pub fn interval(&self) -> Duration {
        self.window / self.max.get()
    }
}

/// The answer for one bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The event is (or would be) let through.
    Allowed,
    /// The bucket is empty; an event would pass again after `retry_after`, which is more than
    /// zero and at most the limit's [`interval`](RateLimit::interval).
    Limited {
        /// How long until one more event would be allowed.
        retry_after: Duration,
    },
}

impl Decision {
    /// Whether the event is refused.
    pub fn is_limited(&self) -> bool {
        matches!(self, Self::Limited { .. })
    }

    /// For `Retry-After`: whole seconds, rounded up, at least 1; `None` when allowed.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::Allowed => None,
            Self::Limited { retry_after } => {
                let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
                Some(secs.max(1))
            }
        }
    }
}

/// Counts events per bucket against a [`RateLimit`] (GCRA, see the module docs). The limit is
/// passed with every call and must be the same for every call on one bucket.
#[async_trait]
pub trait RateLimiter: Send + Sync + 'static {
    /// What [`consume`](Self::consume) would answer now, without counting anything: `Allowed`
    /// while the bucket has room for one more event, else `Limited` with the time until it has.
    ///
    /// Errors: [`CacheError`] when the shared store cannot be reached (callers fail over to an
    /// in-process limiter, never to "no limit").
    async fn check(&self, key: &RateKey, limit: RateLimit) -> Result<Decision, CacheError>;

    /// Counts one event: `Allowed` (counted) while the bucket has room, else `Limited` with the
    /// time until it has room (nothing counted). Concurrent calls on one bucket are atomic:
    /// exactly `max` of any burst of calls on a full bucket are allowed.
    ///
    /// Errors: as for [`check`](Self::check); nothing is counted then.
    async fn consume(&self, key: &RateKey, limit: RateLimit) -> Result<Decision, CacheError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(v: u32) -> NonZeroU32 {
        NonZeroU32::new(v).unwrap()
    }

    #[test]
    fn buckets_name_their_kind_and_subject() {
        let campaign = CampaignId::from_bytes([0xab; 12]);
        assert_eq!(
            RateKey::password_failures(&campaign, "user:1").bucket(),
            "password:abababababababababababab:user:1"
        );
        assert_eq!(RateKey::search("user-1").bucket(), "search:user-1");
        assert_ne!(
            RateKey::new(RateKind::Search, "x"),
            RateKey::new(RateKind::PasswordFailures, "x")
        );
    }

    #[test]
    fn limits_spread_their_events_over_the_window() {
        let limit = RateLimit::per_minute(n(10));
        assert_eq!((limit.max(), limit.window()), (10, Duration::from_secs(60)));
        assert_eq!(limit.interval(), Duration::from_secs(6));
        let tiny = RateLimit::new(n(1000), Duration::from_millis(1));
        assert_eq!(
            tiny.window(),
            Duration::from_secs(1),
            "at least 1 ms per event"
        );
        assert_eq!(tiny.interval(), RateLimit::MIN_INTERVAL);
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let limited = |ms| Decision::Limited {
            retry_after: Duration::from_millis(ms),
        };
        assert_eq!(Decision::Allowed.retry_after_secs(), None);
        assert_eq!(limited(1).retry_after_secs(), Some(1));
        assert_eq!(limited(1000).retry_after_secs(), Some(1));
        assert_eq!(limited(1001).retry_after_secs(), Some(2));
        assert_eq!(limited(0).retry_after_secs(), Some(1));
        assert!(limited(5).is_limited() && !Decision::Allowed.is_limited());
    }
}
