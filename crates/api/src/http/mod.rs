//! HTTP plumbing shared by every route: the request pipeline middleware (correlation id, error
//! envelope, metrics, access log), the `Idempotency-Key` middleware inside it, the success
//! envelope and responders, the one reader of query strings, and the extractors that turn
//! malformed input into 4xx answers in the error envelope.

pub(crate) mod correlation;
pub(crate) mod cors;
pub(crate) mod envelope;
pub(crate) mod extract;
pub(crate) mod idempotency;
pub(crate) mod pipeline;
pub(crate) mod query;
