//! Pieces shared by the versioned, outbox-carrying writes of campaigns and markets.
//!
//! A versioned update is one conditional `update_one`, with the version the caller read in the
//! filter: `$set` of every field of the new document, `$unset` of the document type's optional
//! top-level fields that the new document lacks (`OPTIONAL_FIELDS` beside each document type;
//! nested values are `$set` whole, so they need none), and `$push` of the events onto
//! `_outbox`. The stored document is not read first: the filter checks the version, and only a
//! refused update is followed by a read (to report the current version, or that it is gone).
//! The whole document is never replaced, so events that the relay has not moved out of
//! `_outbox` yet are kept. The documents themselves are the types of `documents`, encoded;
//! `_outbox` entries are [`OutboxEntry`]s.

use campaign_domain::messages::OutboundEvent;
use campaign_ports::StoreError;
use mongodb::bson::{Bson, Document, doc};

use crate::documents::encode_value;
use crate::documents::outbox::OutboxEntry;

/// The field holding a document's undelivered outbox events.
pub(crate) const OUTBOX_FIELD: &str = "_outbox";

/// The version stored in `doc` (0 when missing, which no record has). Read from the raw
/// document, so a version check works even on a document that no longer decodes.
pub(crate) fn version_in(doc: &Document) -> u64 {
    match doc.get("version") {
        Some(Bson::Int64(v)) => u64::try_from(*v).unwrap_or(0),
        Some(Bson::Int32(v)) => u64::try_from(*v).unwrap_or(0),
        Some(Bson::Double(v)) if *v >= 0.0 => *v as u64,
        _ => 0,
    }
}

/// `events` as `_outbox` entries.
pub(crate) fn outbox_entries(events: &[OutboundEvent]) -> Result<Vec<Bson>, StoreError> {
    events
        .iter()
        .map(|event| encode_value(&OutboxEntry(event.clone()), "outbox entry"))
        .collect()
}

/// A new document with its events.
pub(crate) fn with_events(
    mut doc: Document,
    events: &[OutboundEvent],
) -> Result<Document, StoreError> {
    if !events.is_empty() {
        doc.insert(OUTBOX_FIELD, outbox_entries(events)?);
    }
    Ok(doc)
}

/// The update that makes a stored document `next` (whatever version of it is stored) and
/// appends `events` to `_outbox`: every top-level field of `next` is set, and every one of
/// `optional_fields` (the top-level fields its document type leaves out when empty) that `next`
/// lacks is unset.
pub(crate) fn replacement(
    mut next: Document,
    optional_fields: &[&str],
    events: &[OutboundEvent],
) -> Result<Document, StoreError> {
    next.remove("_id");
    let unset: Document = optional_fields
        .iter()
        .filter(|k| !next.contains_key(**k))
        .map(|k| ((*k).to_owned(), Bson::String(String::new())))
        .collect();
    let mut update = doc! {"$set": next};
    if !unset.is_empty() {
        update.insert("$unset", unset);
    }
    if !events.is_empty() {
        update.insert(
            "$push",
            doc! {OUTBOX_FIELD: {"$each": outbox_entries(events)?}},
        );
    }
    Ok(update)
}

/// The update that turns a document into a tombstone holding only its undelivered events and
/// `events`: what a delete that owes events writes (the relay removes the tombstone once its
/// events are moved to the outbox).
pub(crate) fn tombstone(
    current: &Document,
    events: &[OutboundEvent],
) -> Result<Document, StoreError> {
    let unset: Document = current
        .keys()
        .filter(|k| *k != "_id" && *k != OUTBOX_FIELD)
        .map(|k| (k.clone(), Bson::String(String::new())))
        .collect();
    let mut update = doc! {
        "$set": {TOMBSTONE_FIELD: true},
        "$push": {OUTBOX_FIELD: {"$each": outbox_entries(events)?}},
    };
    if !unset.is_empty() {
        update.insert("$unset", unset);
    }
    Ok(update)
}

/// Marks a deleted record kept only until its events are moved.
pub(crate) const TOMBSTONE_FIELD: &str = "_tombstone";

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn replacement_sets_new_fields_and_unsets_the_optional_ones_it_lacks() {
        let next = doc! {"_id": 1, "a": 3, "maybe": 4, "version": 2_i64};
        let update = replacement(next, &["maybe", "gone"], &[]).unwrap();
        assert_eq!(
            update,
            doc! {"$set": {"a": 3, "maybe": 4, "version": 2_i64}, "$unset": {"gone": ""}}
        );
        // Nothing optional missing: no `$unset` (and `_outbox` is never touched but by `$push`).
        let update = replacement(doc! {"a": 1}, &[], &[]).unwrap();
        assert_eq!(update, doc! {"$set": {"a": 1}});
    }

    #[test]
    fn versions_read_back() {
        assert_eq!(version_in(&doc! {"version": 7_i64}), 7);
        assert_eq!(version_in(&doc! {"version": 7_i32}), 7);
        assert_eq!(version_in(&doc! {}), 0);
    }
}
