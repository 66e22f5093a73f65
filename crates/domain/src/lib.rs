//! The pure model of campaign-service: presale campaigns, their markets, promoters, contacts and
//! ticketing events; the value types they are made of; the status state machine and refresh
//! planner; validation that reports every failing field; permission decisions; and the messages
//! a change owes to the outside world.
//!
//! Architecture invariant: this crate does no I/O and knows no async runtime, web framework,
//! database or cloud SDK. Everything here is a plain function of its inputs, including "now",
//! which callers pass in.
//!
//! # Main flows
//!
//! Each has a runnable example on the item that implements it:
//!
//! - **parse a campaign**: [`CampaignInput::parse_new`](campaign::CampaignInput::parse_new)
//!   reads a create body into a DRAFT [`Campaign`], reporting every failing field in
//!   [`ValidationErrors`];
//! - **apply a patch**: [`CampaignInput::parse_update`](campaign::CampaignInput::parse_update)
//!   applies a JSON merge patch ([`merge_patch`](campaign::merge_patch)) to a stored campaign
//!   and reads the result by the same rules;
//! - **change status**: [`Campaign::check_manual_transition`], [`Campaign::transition_to`] and
//!   [`Campaign::apply_transition`] walk the [`Status`] state machine;
//! - **plan a refresh**: [`refresh::plan_refresh`] names the automatic transitions a campaign is
//!   due for at an instant;
//! - **decide a permission**: [`permission::Actor`] answers who may read, write or administer a
//!   campaign.

pub mod campaign;
pub mod contact;
pub mod error;
pub mod event;
pub mod limits;
pub mod market;
pub mod messages;
pub mod paging;
pub mod permission;
pub mod promoter;
mod reader;
pub mod refresh;
pub mod search;
pub mod status;
pub mod values;

// Re-exported so that crates built on the domain name the same versions of these data crates.
pub use chrono;
pub use serde_json;
pub use uuid;

pub use campaign::Campaign;
pub use error::{DomainError, FieldError, ValidationErrors};
pub use market::Market;
pub use reader::wire_time;
pub use status::Status;

/// The examples of this crate's README, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
