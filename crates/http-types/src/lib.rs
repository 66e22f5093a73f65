//! The HTTP contract of campaign-service (SPEC §4): the types that travel, with their OpenAPI
//! schemas derived on the very types that are serialised, so the document cannot drift from the
//! wire. The service writes them; a client reads them.
//!
//! - [`envelope`]: the success envelope `{data, meta}`;
//! - [`error`]: the error envelope `{error: {type, message, correlation, details?}}` and the
//!   closed list of error types ([`ErrorType`]);
//! - one module per resource ([`promoter`], ...): the record as answered, built from the domain's
//!   record by borrowing it (`From<&domain::Promoter>`) and read back into it (`From` the other
//!   way), and the bodies a client sends (`NewPromoter`, `PromoterPatch`), which the service reads
//!   with the domain's own reader (ADR 0019) so every failing field is reported;
//! - [`values`]: the named schemas of the domain's value types (`ObjectId`, `Locale`, ...), each
//!   pattern written once and tested against the domain's constructor.
//!
//! Fields keep the domain's value types (`Cow<'a, Locale>`): the service serialises what the
//! domain built without copying it, and a client reads values the domain has checked. The crate
//! knows nothing of the server (no actix-web) nor of any store (ADR 0020).

pub mod campaign;
pub mod campaign_input;
pub mod campaign_query;
pub mod campaign_view;
pub mod contact;
pub mod content;
pub mod envelope;
pub mod error;
pub mod event;
pub mod health;
pub mod market;
pub mod nullable;
pub mod outbox;
pub mod paging;
pub mod promoter;
pub mod search;
pub mod status;
pub mod values;

pub use envelope::{Envelope, Meta};
pub use error::{ErrorBody, ErrorEnvelope, ErrorType, FieldError};
