//! The whole service on its real integrations: the Redis cache and lock and the MongoDB store
//! (the test servers that `cargo xtask ci` starts, and private ones that a test stops and
//! starts) and the Discovery client against `wiremock` stubs. One binary, apart from
//! `tests/api`, because these tests need the local servers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code fails loudly; clippy exempts only #[test] bodies"
)]

mod delivery;
mod harness;
mod mongo_store;
mod rate_limits;
mod redis_outage;
mod search_cached;
