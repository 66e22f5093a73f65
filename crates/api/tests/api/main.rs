//! The service through real HTTP: one test binary (one link step), a module per area, all on the
//! harness in `helpers`, which starts the real server on 127.0.0.1:0 with memory adapters, a
//! manual clock and recording publishers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code fails loudly; clippy exempts only #[test] bodies"
)]

mod auth;
mod campaigns_content;
mod campaigns_create;
mod campaigns_read;
mod campaigns_update;
mod client;
mod contacts;
mod errors;
mod events;
mod helpers;
mod idempotency;
mod jwks;
mod markets;
mod markets_clone;
mod outbox;
mod promoters;
mod queries;
mod rate_limits;
mod refresh;
mod reminders;
mod search;
mod security;
mod side_effects;
mod support;
mod system;
