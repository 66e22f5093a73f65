//! Validated value types: the only way to get one is through its parser, so a value in hand is
//! always well-formed ("parse, don't validate").
//!
//! Every string-backed type follows one pattern: `parse(&str) -> Result<Self, InvalidValue>`,
//! `as_str()`, `Display`, `FromStr`, and serde as a plain string that is parsed on the way in.

mod color;
mod domain_name;
mod email;
mod geo;
mod ids;
mod locale;
mod time_zone;
mod url;

pub use color::CssColor;
pub use domain_name::DomainName;
pub use email::EmailAddress;
pub use geo::{GeoPoint, Latitude, Longitude};
pub use ids::{ArtistId, CampaignId, CategoryId, ContactId, EventId, FaqId, MarketId, PromoterId};
pub use locale::Locale;
pub use time_zone::TimeZone;
pub use url::HttpUrl;

/// Parses an RFC 3339 date-time (a query parameter, say) into UTC at the wire's millisecond
/// precision, the way every date of a document is read.
pub fn parse_instant(raw: &str) -> Result<chrono::DateTime<chrono::Utc>, InvalidValue> {
    crate::reader::parse_date(raw)
}

/// Why a raw value was rejected by its parser; the message is safe to show to a client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InvalidValue {
    message: String,
}

impl InvalidValue {
    /// A rejection with a human-readable reason.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The human-readable reason.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Implements the string plumbing shared by every string-backed value type:
/// `as_str`, `Display`, `FromStr`, `TryFrom<String>`, `From<T> for String` and serde.
macro_rules! string_value {
    ($ty:ident) => {
        impl $ty {
            /// The canonical string form.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::values::InvalidValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $crate::values::InvalidValue;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.0
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                Self::parse(&raw).map_err(::serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_value;
