//! `Outbox` on MongoDB (ADR 0012).
//!
//! Writes append their events to the changed document's `_outbox` array: one single-document
//! write, atomic on every MongoDB deployment without transactions. Before each outbox
//! operation the relay *sweeps*: for the campaign and market documents with pending entries, a
//! batch at a time, it reserves sequence numbers (`counters`), inserts the events into the
//! `outbox` collection with their event id as `_id` (a duplicate key means another sweep was
//! first: ignored), then pulls them from the documents (and removes the market tombstones that
//! have nothing left). A crash in between only repeats the insert, which the `_id` absorbs, so
//! nothing is lost and nothing is recorded twice; at worst an event completed in that window is
//! delivered again, which at-least-once delivery allows (consumers de-duplicate by event id).
//!
//! An `outbox` document is an [`OutboxRecordDocument`]: `{_id: <event id>, seq, occurredAt,
//! destination, orderingKey, event, state: "pending" | "failed" | "delivered" | "unreadable",
//! attempts, nextAttemptAt, leaseUntil?, lastError?, deliveredAt?}` (see `documents::outbox`).
//! Claiming walks the pending events in recording order — the time of their change, then `seq`
//! (so a market's event recorded before a campaign's is claimed first, whichever document the
//! sweep reads first) — keeps the per-destination-and-key order (an event waits while an older
//! one with the same destination and key is undelivered), and leases each claimable event with
//! a conditional `findAndModify`, so two relays never hold the same event.
//!
//! Delivered events are not deleted but marked `delivered` and removed by a TTL index an hour
//! later: a sweep that read the event from its document before the pull (another replica, at
//! the same moment) then finds its `_id` taken instead of recording it a second time. Events that
//! cannot be read back (written by another version of the service) are set aside as
//! `unreadable`, logged, and kept for inspection; they block nothing.

use std::collections::HashSet;

use async_trait::async_trait;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::paging::{Page, PageRequest};
use campaign_domain::uuid::Uuid;
use campaign_ports::{Outbox, OutboxRecord, OutboxStats, StoreError};
use futures::TryStreamExt as _;
use mongodb::Collection;
use mongodb::bson::{Bson, Document, doc};
use mongodb::options::ReturnDocument;

use crate::documents::outbox::{
    ClaimHead, CounterDocument, DeliveryState, OutboxEntryId, OutboxRecordDocument,
    claim_head_projection, read_entry,
};
use crate::documents::{date, encode, read};
use crate::errors::{driver_error, failed, only_duplicate_keys};
use crate::writes::{OUTBOX_FIELD, TOMBSTONE_FIELD};
use crate::{MongoStore, reads};

/// Documents swept per round.
const SWEEP_BATCH: i64 = 200;
const PENDING: &str = DeliveryState::Pending.as_str();
const FAILED: &str = DeliveryState::Failed.as_str();
const DELIVERED: &str = DeliveryState::Delivered.as_str();
const UNREADABLE: &str = DeliveryState::Unreadable.as_str();
/// Recording order: the time of the change, then the sweep's sequence.
fn recording_order() -> Document {
    doc! {"occurredAt": 1, "seq": 1}
}

fn event_key(id: Uuid) -> String {
    id.hyphenated().to_string()
}

/// The record a stored `outbox` document holds (`StoreError::Internal` when it does not
/// decode, its event included).
fn record_from(stored: Document) -> Result<OutboxRecord, StoreError> {
    read::<OutboxRecordDocument, OutboxRecord>(stored, "outbox record")
}

impl MongoStore {
    /// Moves the pending events of every campaign and market document to the outbox. With
    /// nothing pending it costs one `find` per collection (served by the sparse
    /// `outbox_pending` index); each batch of documents with pending events costs four or five
    /// commands more, whatever its size (see [`sweep_documents`](Self::sweep_documents)).
    async fn sweep(&self) -> Result<(), StoreError> {
        for source in [&self.campaigns, &self.markets] {
            loop {
                let docs: Vec<Document> = source
                    .find(doc! {"_outbox.eventId": {"$exists": true}})
                    .projection(doc! {OUTBOX_FIELD: 1, TOMBSTONE_FIELD: 1})
                    .limit(SWEEP_BATCH)
                    .await
                    .map_err(failed("find pending events"))?
                    .try_collect()
                    .await
                    .map_err(failed("read pending events"))?;
                let moved = self.sweep_documents(source, &docs).await?;
                // A full batch of documents whose entries cannot be moved (no event id) would
                // be found again forever: stop when a batch moved nothing.
                if docs.len() < SWEEP_BATCH as usize || moved == 0 {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Moves the `_outbox` entries of `docs` (read from `source`) to the outbox, for all of
    /// them at once: one sequence reservation, one `insert` of every record (a duplicate `_id`
    /// is a record another sweep made first), one `update` pulling the moved entries from every
    /// document, and one `delete` of the drained tombstones among them. A crash in between
    /// repeats the insert on the next sweep, which the `_id`s absorb.
    /// Returns how many entries it moved.
    async fn sweep_documents(
        &self,
        source: &Collection<Document>,
        docs: &[Document],
    ) -> Result<usize, StoreError> {
        let pending: Vec<(&Bson, &Vec<Bson>, bool)> = docs
            .iter()
            .filter_map(|doc| {
                let id = doc.get("_id")?;
                let entries = doc.get_array(OUTBOX_FIELD).ok()?;
                let tombstone = doc.get_bool(TOMBSTONE_FIELD).unwrap_or(false);
                (!entries.is_empty()).then_some((id, entries, tombstone))
            })
            .collect();
        let count: usize = pending.iter().map(|(_, entries, _)| entries.len()).sum();
        if count == 0 {
            return Ok(0);
        }
        let mut seq = self.reserve_seqs(count).await?;
        let mut ids = Vec::with_capacity(count);
        let mut records = Vec::with_capacity(count);
        let mut swept = Vec::with_capacity(pending.len());
        let mut tombstones = Vec::new();
        for (id, entries, tombstone) in pending {
            swept.push(id.clone());
            if tombstone {
                tombstones.push(id.clone());
            }
            for entry in entries {
                let entry_seq = seq;
                seq += 1;
                // An entry without even an event id cannot be pulled by it: left where it is.
                let Ok(OutboxEntryId { event_id }) = bson::from_bson(entry.clone()) else {
                    continue;
                };
                ids.push(Bson::String(event_id.clone()));
                let record = match read_entry(entry.clone()) {
                    Ok(event) => {
                        OutboxRecordDocument::pending(event_id, entry_seq, entry.clone(), &event)
                    }
                    // Kept for inspection instead of blocking the outbox forever.
                    Err(e) => {
                        tracing::error!(%event_id, error = %e, "an outbox event cannot be read; set aside as unreadable");
                        OutboxRecordDocument::unreadable(
                            event_id,
                            entry_seq,
                            entry.clone(),
                            format!("unreadable event: {e}"),
                        )
                    }
                };
                records.push(encode(&record, "outbox record")?);
            }
        }
        let moved = ids.len();
        if !records.is_empty() {
            match self.outbox.insert_many(records).ordered(false).await {
                Ok(_) => {}
                Err(e) if only_duplicate_keys(&e) => {}
                Err(e) => return Err(driver_error("record outbox events", &e)),
            }
            source
                .update_many(
                    doc! {"_id": {"$in": swept}},
                    doc! {"$pull": {OUTBOX_FIELD: {"eventId": {"$in": ids}}}},
                )
                .await
                .map_err(failed("pull moved events"))?;
        }
        if !tombstones.is_empty() {
            source
                .delete_many(doc! {
                    "_id": {"$in": tombstones},
                    TOMBSTONE_FIELD: true,
                    "_outbox.eventId": {"$exists": false},
                })
                .await
                .map_err(failed("remove tombstones"))?;
        }
        Ok(moved)
    }

    /// Reserves `n` consecutive outbox sequence numbers; returns the first.
    async fn reserve_seqs(&self, n: usize) -> Result<i64, StoreError> {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        let counter = self
            .counters
            .find_one_and_update(doc! {"_id": "outbox"}, doc! {"$inc": {"seq": n}})
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await
            .map_err(failed("reserve outbox sequence"))?
            .ok_or_else(|| {
                StoreError::internal("reserve outbox sequence", "the upsert returned no counter")
            })?;
        let counter: CounterDocument = bson::from_document(counter)
            .map_err(|e| StoreError::internal("decode the outbox counter", e))?;
        Ok(counter.seq - n + 1)
    }

    /// Marks an event that cannot be read back as unreadable (kept, logged, never claimed).
    async fn set_aside(&self, id: Bson, error: &StoreError) -> Result<(), StoreError> {
        tracing::error!(event_id = %id, %error, "an outbox event cannot be read; set aside as unreadable");
        self.outbox
            .update_one(
                doc! {"_id": id},
                doc! {
                    "$set": {"state": UNREADABLE, "lastError": error.to_string()},
                    "$unset": {"leaseUntil": ""},
                },
            )
            .await
            .map_err(failed("set aside an unreadable outbox event"))?;
        Ok(())
    }

    /// The numbers of pending and failed events, counted in one command.
    async fn pending_and_failed(&self) -> Result<(u64, u64), StoreError> {
        let mut groups = self
            .outbox
            .aggregate([
                doc! {"$match": {"state": {"$in": [PENDING, FAILED]}}},
                doc! {"$group": {"_id": "$state", "n": {"$sum": 1_i32}}},
            ])
            .await
            .map_err(failed("count outbox"))?;
        let (mut pending, mut failed_count) = (0, 0);
        while let Some(group) = groups
            .try_next()
            .await
            .map_err(failed("read outbox counts"))?
        {
            let n = match group.get("n") {
                Some(Bson::Int32(n)) => u64::try_from(*n).unwrap_or(0),
                Some(Bson::Int64(n)) => u64::try_from(*n).unwrap_or(0),
                _ => 0,
            };
            match group.get_str("_id") {
                Ok(PENDING) => pending = n,
                Ok(FAILED) => failed_count = n,
                _ => {}
            }
        }
        Ok((pending, failed_count))
    }
}

#[async_trait]
impl Outbox for MongoStore {
    async fn claim(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        self.sweep().await?;
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut pending = self
            .outbox
            .find(doc! {"state": PENDING})
            .sort(recording_order())
            .projection(claim_head_projection())
            .await
            .map_err(failed("find pending outbox events"))?;
        let mut blocked: HashSet<(String, String)> = HashSet::new();
        let mut candidates = Vec::new();
        let mut unreadable = Vec::new();
        while let Some(doc) = pending
            .try_next()
            .await
            .map_err(failed("read pending outbox events"))?
        {
            let id = doc.get("_id").cloned();
            let head: ClaimHead = match bson::from_document(doc) {
                Ok(head) => head,
                Err(e) => {
                    // Set aside below (not while the cursor is open); it blocks nothing.
                    if let Some(id) = id {
                        unreadable.push((id, StoreError::internal("decode outbox record", e)));
                    }
                    continue;
                }
            };
            let due = head.next_attempt_at.is_none_or(|at| at <= now);
            let free = head.lease_until.is_none_or(|l| l <= now);
            // Claimed now or not, this event is undelivered: later ones with its key wait.
            if blocked.insert((head.destination, head.ordering_key)) && due && free {
                candidates.push(head.id);
                if candidates.len() >= limit {
                    break;
                }
            }
        }
        drop(pending);
        for (id, error) in unreadable {
            self.set_aside(id, &error).await?;
        }
        let mut claimed = Vec::with_capacity(candidates.len());
        for id in candidates {
            let leased = self
                .outbox
                .find_one_and_update(
                    doc! {
                        "_id": id,
                        "state": PENDING,
                        "$or": [
                            {"leaseUntil": {"$exists": false}},
                            {"leaseUntil": {"$lte": date(now)}},
                        ],
                    },
                    doc! {"$set": {"leaseUntil": date(lease_until)}},
                )
                .return_document(ReturnDocument::After)
                .await
                .map_err(failed("lease outbox event"))?;
            // `None`: another relay leased it meanwhile.
            let Some(doc) = leased else { continue };
            let id = doc.get("_id").cloned().unwrap_or(Bson::Null);
            match record_from(doc) {
                Ok(record) => claimed.push(record),
                Err(error) => self.set_aside(id, &error).await?,
            }
        }
        Ok(claimed)
    }

    async fn complete(&self, event_ids: &[Uuid]) -> Result<(), StoreError> {
        if event_ids.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = event_ids.iter().copied().map(event_key).collect();
        self.outbox
            .update_many(
                doc! {"_id": {"$in": ids}},
                doc! {
                    "$set": {"state": DELIVERED, "deliveredAt": bson::DateTime::now()},
                    "$unset": {"leaseUntil": ""},
                },
            )
            .await
            .map_err(failed("complete outbox events"))?;
        Ok(())
    }

    async fn retry_later(
        &self,
        event_id: Uuid,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        self.outbox
            .update_one(
                doc! {"_id": event_key(event_id)},
                doc! {
                    "$inc": {"attempts": 1_i32},
                    "$set": {"nextAttemptAt": date(next_attempt_at), "lastError": error},
                    "$unset": {"leaseUntil": ""},
                },
            )
            .await
            .map_err(failed("reschedule outbox event"))?;
        Ok(())
    }

    async fn fail(&self, event_id: Uuid, error: &str) -> Result<(), StoreError> {
        self.outbox
            .update_one(
                doc! {"_id": event_key(event_id)},
                doc! {
                    "$inc": {"attempts": 1_i32},
                    "$set": {"state": FAILED, "lastError": error},
                    "$unset": {"leaseUntil": ""},
                },
            )
            .await
            .map_err(failed("fail outbox event"))?;
        Ok(())
    }

    async fn stats(&self) -> Result<OutboxStats, StoreError> {
        self.sweep().await?;
        let (mut pending, mut failed) = self.pending_and_failed().await?;
        if pending == 0 {
            // An event can be completed only after the follow-up events it caused were written
            // into their documents (a linked campaign's change, applied by the relay). If the
            // count above came after that completion, those events were written before it and
            // this second sweep moves them into the outbox: a zero answered here means nothing
            // recorded before the call is undelivered.
            self.sweep().await?;
            (pending, failed) = self.pending_and_failed().await?;
        }
        Ok(OutboxStats { pending, failed })
    }

    async fn requeue(&self, event_ids: &[Uuid], now: DateTime<Utc>) -> Result<u64, StoreError> {
        if event_ids.is_empty() {
            return Ok(0);
        }
        let ids: Vec<String> = event_ids.iter().copied().map(event_key).collect();
        let result = self
            .outbox
            .update_many(
                doc! {"_id": {"$in": ids}, "state": FAILED},
                doc! {
                    "$set": {"state": PENDING, "attempts": 0_i32, "nextAttemptAt": date(now)},
                    "$unset": {"leaseUntil": ""},
                },
            )
            .await
            .map_err(failed("requeue outbox events"))?;
        Ok(result.modified_count)
    }

    async fn failed(&self, page: PageRequest) -> Result<Page<OutboxRecord>, StoreError> {
        self.sweep().await?;
        reads::page(
            &self.outbox,
            doc! {"state": FAILED},
            recording_order(),
            page,
            record_from,
        )
        .await
    }
}
