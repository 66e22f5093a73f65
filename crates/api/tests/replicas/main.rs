//! Several replicas of the real `campaign-service` binary on one store (SPEC §9: "several
//! replicas share one store"): three processes on the test MongoDB-wire server, with and
//! without the Redis cache, delivering to moto. What one replica writes, the others read at
//! once; `If-Match` and domain races across replicas have exactly one winner; the scheduled
//! refresh running on every replica opens each campaign once; a replica killed in the middle of
//! a burst loses no message it owed; a rolling restart under load fails no request.
//!
//! Needs the local test servers (`cargo xtask ci`, or `cargo xtask services up` before
//! `cargo test`), found through the `CAMPAIGN_TEST_*` variables or `target/services/test.env`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code fails loudly; clippy exempts only #[test] bodies"
)]

mod cluster;
mod coherence;
mod crash;
mod delivered;
mod races;
mod refresh;
mod rolling_restart;
