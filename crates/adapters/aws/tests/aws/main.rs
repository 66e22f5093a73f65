//! The AWS adapters against `wiremock` stubs speaking the services' real wire protocols
//! (`kinesis`, `sqs`) and against a real moto server (`moto`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code fails loudly"
)]

mod kinesis;
mod moto;
mod sqs;
mod support;
