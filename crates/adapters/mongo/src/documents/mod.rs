//! The stored documents: one serde type per record kind, converted to and from the domain's
//! record by `From` / `TryFrom`, and to and from BSON by the `bson` crate's serde — no JSON in
//! between.
//!
//! Conventions every document follows: a resource's id is `_id` as an `ObjectId` (an event's,
//! a ticketing id, is `_id` as text); references to other records (`campaign_id`, `contacts`,
//! ...) stay 24-hex text, as on the wire; instants are BSON dates (`bson::serde_helpers`), so
//! the server compares and sorts them as instants; versions are 64-bit integers; fields only the
//! adapter reads start with `_`. Nested values that hold no instant (an artist, a locale's
//! content, ...) keep the domain's serde shape, which is their wire shape.
//!
//! A document that does not decode (written by hand, or by another version of the service) is
//! `StoreError::Internal`, never `Unavailable`: the database answered, retrying will not help.

pub(crate) mod campaign;
pub(crate) mod contact;
pub(crate) mod event;
pub(crate) mod idempotency;
pub(crate) mod market;
pub(crate) mod outbox;
pub(crate) mod promoter;

use bson::oid::ObjectId;
use bson::{Bson, Document};
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::values::{CampaignId, ContactId, InvalidValue, MarketId, PromoterId};
use campaign_ports::StoreError;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a document that decoded as BSON is still not a valid record (an id that is not one, a
/// negative version, a completed record without its answer).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct InvalidDocument(pub(crate) String);

impl InvalidDocument {
    /// The error for field `field` holding a value the domain refuses.
    pub(crate) fn field(field: &str, error: impl std::fmt::Display) -> Self {
        Self(format!("field `{field}`: {error}"))
    }
}

/// Encodes a document type as the BSON document stored. Fails only for a value BSON cannot
/// hold (an unsigned integer above `i64::MAX`): `StoreError::Internal`.
pub(crate) fn encode<T: Serialize>(document: &T, what: &str) -> Result<Document, StoreError> {
    bson::to_document(document).map_err(|e| StoreError::internal(format!("encode {what}"), e))
}

/// Encodes a value held inside a document (an `_outbox` entry, an idempotency answer).
pub(crate) fn encode_value<T: Serialize>(value: &T, what: &str) -> Result<Bson, StoreError> {
    bson::to_bson(value).map_err(|e| StoreError::internal(format!("encode {what}"), e))
}

/// Decodes a stored document into its document type `D`, then into the domain's record `R`;
/// either failing is `StoreError::Internal`, naming `what` and the document's `_id`.
pub(crate) fn read<D, R>(stored: Document, what: &str) -> Result<R, StoreError>
where
    D: DeserializeOwned,
    R: TryFrom<D, Error = InvalidDocument>,
{
    let id = stored.get("_id").map(ToString::to_string);
    let context = || match &id {
        Some(id) => format!("decode {what} {id}"),
        None => format!("decode {what} without an _id"),
    };
    let document: D =
        bson::from_document(stored).map_err(|e| StoreError::internal(context(), e))?;
    R::try_from(document).map_err(|e| StoreError::internal(context(), e))
}

/// The ids of stored resources, which the domain keeps as validated 24-hex text.
pub(crate) trait ResourceId {
    /// The 24-hex text.
    fn hex(&self) -> &str;
}

macro_rules! resource_id {
    ($($ty:ty),*) => {$(
        impl ResourceId for $ty {
            fn hex(&self) -> &str {
                self.as_str()
            }
        }
    )*};
}

resource_id!(CampaignId, MarketId, PromoterId, ContactId);

/// The `_id` of a stored resource.
#[allow(
    clippy::expect_used,
    reason = "resource ids are validated 24-hex text (`parse_object_id` in the domain), which \
              is always an ObjectId"
)]
pub(crate) fn object_id(id: &impl ResourceId) -> ObjectId {
    ObjectId::parse_str(id.hex()).expect("a resource id is 24 hexadecimal characters")
}

/// The `_id`s of several resources, for `$in`.
pub(crate) fn object_ids<'a, I: ResourceId + 'a>(ids: impl IntoIterator<Item = &'a I>) -> Bson {
    Bson::Array(
        ids.into_iter()
            .map(|id| Bson::ObjectId(object_id(id)))
            .collect(),
    )
}

/// The domain id of a stored `_id` (`CampaignId::parse`, ...).
pub(crate) fn resource_id<I>(
    id: ObjectId,
    parse: fn(&str) -> Result<I, InvalidValue>,
) -> Result<I, InvalidDocument> {
    parse(&id.to_hex()).map_err(|e| InvalidDocument::field("_id", e))
}

/// The domain id of the `_id` of `stored` (a whole document or an `_id` projection).
pub(crate) fn read_id<I>(
    stored: &Document,
    what: &str,
    parse: fn(&str) -> Result<I, InvalidValue>,
) -> Result<I, StoreError> {
    let context = || format!("decode {what} id");
    let id = stored
        .get_object_id("_id")
        .map_err(|e| StoreError::internal(context(), e))?;
    resource_id(id, parse).map_err(|e| StoreError::internal(context(), e))
}

/// A BSON date for an instant (milliseconds, as the domain keeps them), for filters and
/// updates.
pub(crate) fn date(at: DateTime<Utc>) -> Bson {
    Bson::DateTime(bson::DateTime::from_chrono(at))
}

/// The stored form of a version (versions never come near `i64::MAX`).
pub(crate) fn stored_version(version: u64) -> i64 {
    i64::try_from(version).unwrap_or(i64::MAX)
}

/// The version of a stored version.
pub(crate) fn version_of(stored: i64) -> Result<u64, InvalidDocument> {
    u64::try_from(stored).map_err(|e| InvalidDocument::field("version", e))
}

/// `Vec<DateTime<Utc>>` as an array of BSON dates (`bson::serde_helpers` has helpers for one
/// date and an optional one).
pub(crate) mod bson_dates {
    use campaign_domain::chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Serialises each instant as a BSON date.
    pub(crate) fn serialize<S: Serializer>(
        dates: &[DateTime<Utc>],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let dates: Vec<bson::DateTime> = dates
            .iter()
            .copied()
            .map(bson::DateTime::from_chrono)
            .collect();
        dates.serialize(serializer)
    }

    /// Deserialises an array of BSON dates.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<DateTime<Utc>>, D::Error> {
        let dates = Vec::<bson::DateTime>::deserialize(deserializer)?;
        Ok(dates.into_iter().map(bson::DateTime::to_chrono).collect())
    }
}

#[cfg(test)]
mod tests;
