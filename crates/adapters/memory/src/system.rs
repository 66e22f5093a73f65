//! Clocks and the id generator: the system ones for running, a manual clock for tests.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use campaign_domain::chrono::{DateTime, Duration, DurationRound, TimeDelta, Utc};
use campaign_domain::uuid::Uuid;
use campaign_ports::{Clock, IdGenerator};

/// Truncates to whole milliseconds, the precision every store keeps.
fn millis(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(TimeDelta::milliseconds(1)).unwrap_or(t)
}

/// The system clock, in milliseconds.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        millis(Utc::now())
    }
}

/// A clock that only moves when told to (tests).
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock showing `start` (truncated to milliseconds).
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Mutex::new(millis(start)))
    }

    /// Moves the clock by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *now = millis(*now + by);
    }

    /// Sets the clock to `to`.
    pub fn set(&self, to: DateTime<Utc>) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = millis(to);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// MongoDB-style ObjectIds: 4 bytes of seconds since the epoch, 5 random bytes fixed per
/// generator, and a 3-byte counter starting at a random value; event ids are random UUIDs.
#[derive(Debug)]
pub struct ObjectIdGenerator {
    process: [u8; 5],
    counter: AtomicU32,
}

impl Default for ObjectIdGenerator {
    fn default() -> Self {
        Self::new()
    }
}

impl ObjectIdGenerator {
    /// A generator with fresh random parts.
    pub fn new() -> Self {
        let random = Uuid::new_v4().into_bytes();
        let process = [random[0], random[1], random[2], random[3], random[4]];
        let counter = u32::from_be_bytes([0, random[5], random[6], random[7]]);
        Self {
            process,
            counter: AtomicU32::new(counter),
        }
    }
}

impl IdGenerator for ObjectIdGenerator {
    fn next_object_id(&self) -> [u8; 12] {
        let secs = u32::try_from(Utc::now().timestamp())
            .unwrap_or(u32::MAX)
            .to_be_bytes();
        let count = self.counter.fetch_add(1, Ordering::Relaxed).to_be_bytes();
        let p = self.process;
        [
            secs[0], secs[1], secs[2], secs[3], p[0], p[1], p[2], p[3], p[4], count[1], count[2],
            count[3],
        ]
    }

    fn next_event_id(&self) -> Uuid {
        Uuid::new_v4()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn object_ids_are_unique_and_increasing_within_a_second() {
        let ids = ObjectIdGenerator::new();
        let all: HashSet<_> = (0..10_000).map(|_| ids.campaign_id()).collect();
        assert_eq!(all.len(), 10_000);
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = Utc::now();
        let clock = ManualClock::new(start);
        let t0 = clock.now();
        assert_eq!(clock.now(), t0);
        clock.advance(Duration::days(31));
        assert_eq!(clock.now() - t0, Duration::days(31));
    }

    #[test]
    fn clocks_keep_milliseconds_only() {
        assert_eq!(SystemClock.now().timestamp_subsec_nanos() % 1_000_000, 0);
    }
}
