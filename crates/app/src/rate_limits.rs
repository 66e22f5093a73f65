//! The rate limits of SPEC §4.1 as the use cases apply them: a limited bucket is the client's
//! `TOO_MANY_REQUESTS` with the seconds to wait.
//!
//! A limiter error is logged and the event let through: the composition root puts an
//! in-process limiter behind any shared one (which never fails), so an error here only means a
//! limiter was wired without that fall-back — a client must not see a 5xx for it.

use campaign_domain::DomainError;
use campaign_ports::{Decision, RateKey, RateLimit, RateLimiter};

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
