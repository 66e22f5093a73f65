//! Rate limits on Redis (SPEC §4.1): one GCRA bucket per key, decided by one Lua script, so
//! every replica of the service shares the count and concurrent calls never race.
//!
//! - The bucket `ratelimit:<kind>:<subject>` (under the cache's key prefix) holds its
//!   theoretical arrival time (TAT) in microseconds of the *Redis server's* clock (`TIME`), so
//!   replicas with skewed clocks still agree. It expires when it is full again (`PX` = TAT −
//!   now): Redis holds nothing for idle callers.
//! - The script runs by `EVALSHA`; after a server restart (`NOSCRIPT`) it is sent once with
//!   `EVAL`, which caches it again.
//! - Commands go to the primary (a replica could answer from a stale count), with the cache's
//!   timeout and fail-fast options: an outage is a [`CacheError`] at once, and the composition
//!   root falls back to the in-process limiter.

use std::sync::LazyLock;

use async_trait::async_trait;
use campaign_ports::{CacheError, Decision, RateKey, RateLimit, RateLimiter};
use fred::error::Error as FredError;
use fred::prelude::ClientLike as _;
use fred::types::{ClusterHash, CustomCommand};

use crate::{RedisCache, failed};

/// GCRA on one key. `KEYS[1]`: the bucket; `ARGV[1]`: the interval per event (µs); `ARGV[2]`:
/// the burst tolerance, `interval × (max − 1)` (µs); `ARGV[3]`: `1` to count the event, `0`
/// to only look. Returns 0 when the event passes (counted when asked), else the microseconds
/// until one would.
const GCRA_SCRIPT: &str = r"
redis.replicate_commands()
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local allow_at = tat - tolerance
if now < allow_at then return math.ceil(allow_at - now) end
if ARGV[3] == '1' then
  local next_tat = tat + interval
  redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX', math.ceil((next_tat - now) / 1000))
end
return 0
";

static GCRA_SHA: LazyLock<String> = LazyLock::new(|| fred::util::sha1_hash(GCRA_SCRIPT));

fn micros(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

impl RedisCache {
    /// Runs the GCRA script on `key`'s bucket; the microseconds to wait (0: passes).
    async fn gcra(&self, key: &RateKey, limit: RateLimit, count: bool) -> Result<u64, FredError> {
        let interval = micros(limit.interval());
        let tolerance = interval.saturating_mul(u64::from(limit.max() - 1));
        let args = |script: &str| {
            vec![
                script.to_owned(),
                "1".to_owned(),
                self.key(&format!("ratelimit:{}", key.bucket())),
                interval.to_string(),
                tolerance.to_string(),
                if count { "1" } else { "0" }.to_owned(),
            ]
        };
        let client = self.primary.pick().with(&self.options);
        // Plain commands rather than fred's Lua interface, so that they get the same options
        // (timeout, fail fast, no replay) as every other command.
        let evalsha = CustomCommand::new_static("EVALSHA", ClusterHash::Offset(2), false);
        let wait: i64 = match client.custom(evalsha, args(&GCRA_SHA)).await {
            Err(error) if error.details().starts_with("NOSCRIPT") => {
                let eval = CustomCommand::new_static("EVAL", ClusterHash::Offset(2), false);
                client.custom(eval, args(GCRA_SCRIPT)).await?
            }
            other => other?,
        };
        Ok(u64::try_from(wait).unwrap_or(0))
    }

    async fn decide(
        &self,
        key: &RateKey,
        limit: RateLimit,
        count: bool,
    ) -> Result<Decision, CacheError> {
        let operation = if count {
            "rate limit consume"
        } else {
            "rate limit check"
        };
        match self.gcra(key, limit, count).await {
            Ok(0) => Ok(Decision::Allowed),
            Ok(wait) => Ok(Decision::Limited {
                retry_after: std::time::Duration::from_micros(wait),
            }),
            Err(error) => Err(failed(operation, &error)),
        }
    }
}

#[async_trait]
impl RateLimiter for RedisCache {
    async fn check(&self, key: &RateKey, limit: RateLimit) -> Result<Decision, CacheError> {
        self.decide(key, limit, false).await
    }

    async fn consume(&self, key: &RateKey, limit: RateLimit) -> Result<Decision, CacheError> {
        self.decide(key, limit, true).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_is_named_by_its_sha1() {
        assert_eq!(GCRA_SHA.len(), 40);
        assert!(GCRA_SHA.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(micros(std::time::Duration::from_millis(6)), 6000);
    }
}
