//! The pure model of campaign-service: presale campaigns, their markets, promoters, contacts and
//! ticketing events; the value types they are made of; the status state machine and refresh
//! planner; validation that reports every failing field; permission decisions; and the messages
//! a change owes to the outside world.
//!
//! Architecture invariant: this crate does no I/O and knows no async runtime, web framework,
//! database or cloud SDK. Everything here is a plain function of its inputs, including "now",
//! which callers pass in.

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
pub use status::Status;
