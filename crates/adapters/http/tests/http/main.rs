//! The HTTP adapters against `wiremock` stubs that answer in the real APIs' shapes: success,
//! empty result, 404, 429 then success, 5xx, timeout, malformed body — one module per API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code fails loudly"
)]

mod discovery;
mod fastly;
mod gitlab;
mod support;
