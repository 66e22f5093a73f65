//! The use cases of campaign-service (the original's "managers"): they check who may do what,
//! validate input with the domain, enforce the rules that need stored data, read and write
//! through the ports, and record the messages every change owes (SPEC §8) in the outbox in the
//! same write.
//!
//! Architecture invariant: nothing here names an adapter. Use cases receive their ports as
//! [`Ports`], a bundle of `Arc<dyn Port>` built by the composition root, and run unchanged on
//! the memory adapters or the real ones.

pub mod campaigns;
pub mod contacts;
mod context;
pub mod deliveries;
pub mod events;
mod json_cache;
pub mod markets;
mod outbox;
mod password;
mod ports;
pub mod promoters;
pub mod queries;
mod rate_limits;
pub mod relay;
pub mod search;
mod store_errors;

pub use context::RequestContext;
pub use password::PasswordHasher;
pub use ports::{Ports, Publishers, Settings};
