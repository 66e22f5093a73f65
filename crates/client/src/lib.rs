//! A typed async client of campaign-service, over the service's own wire types
//! ([`campaign_http_types`]).
//!
//! ```no_run
//! use campaign_client::{Client, Idempotent};
//! use campaign_domain::values::PromoterId;
//!
//! # async fn run() -> Result<(), campaign_client::ClientError> {
//! let client = Client::new("https://campaigns.example.com")?.with_token("<a JWT>");
//! let id = PromoterId::parse("65a1b2c3d4e5f60718293a4b").expect("a valid id");
//! let promoter = client.promoters().get(&id).await?;
//! println!("{} at version {}", promoter.value.name, promoter.etag);
//! # Ok(())
//! # }
//! ```
//!
//! - Every answer is read into owned values the domain's constructors have checked.
//! - An error answer is [`ClientError::Api`] with its status and the error envelope, whose
//!   [`ErrorType`](campaign_http_types::ErrorType) is a closed enum to match on.
//! - Reads that return a record carry its [`ETag`]; updates take one for `If-Match`, so a change
//!   based on a stale read fails with `VERSION_CONFLICT` instead of overwriting another.
//! - Every POST carries an `Idempotency-Key` (SPEC §4.1), the same one on each retry: a retry
//!   after a lost answer or a 5xx replays the first answer instead of writing twice. The retry
//!   policy is [`RetryPolicy`].

mod campaigns;
mod client;
mod error;
mod etag;
mod markets;
mod promoters;
mod retry;

pub use campaigns::{CampaignFilter, Campaigns, Locales};
pub use client::Client;
pub use error::ClientError;
pub use etag::{ETag, Tagged};
pub use markets::CampaignMarkets;
pub use promoters::Promoters;
pub use retry::{Idempotent, RetryPolicy};
