//! Outbound HTTP of campaign-service, through `reqwest` (rustls, no OpenSSL): the Discovery API
//! ([`HttpDiscovery`]), the Fastly CDN purge ([`FastlyPurger`]) and the GitLab artist-extension
//! store ([`GitLabArtistStore`]).
//!
//! Every call has a connect and a request timeout, is retried a bounded number of times with
//! backoff on timeouts, connection failures, 429 and 5xx, carries a W3C `traceparent` when there
//! is a trace context ([`TraceContext`]), and fails with an [`IntegrationError`] —
//! `Transient` for what a later try may fix, `Permanent` for the rest — whose message never holds
//! a URL, a key or a token (see `outbound`).
//!
//! Architecture invariant: this crate depends on `campaign-domain` and `campaign-ports` only
//! among the workspace crates, and nothing outside it sees a `reqwest` type.
//!
//! [`IntegrationError`]: campaign_ports::IntegrationError

mod discovery;
mod fastly;
mod gitlab;
mod outbound;
mod settings;
mod trace;

pub use crate::discovery::{DiscoverySettings, HttpDiscovery};
pub use crate::fastly::{FastlyPurger, FastlySettings};
pub use crate::gitlab::{GitLabArtistStore, GitLabSettings, file_content};
pub use crate::settings::{BaseUrl, HttpSettings, InvalidBaseUrl, RetryPolicy, Secret};
pub use crate::trace::{CurrentSpan, TraceContext, is_traceparent};
