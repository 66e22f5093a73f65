//! One in-memory store behind one lock: campaigns, markets, promoters, contacts, events and the
//! outbox. A single lock makes every write atomic with the outbox events it records and makes
//! the uniqueness checks race-free, as a database's unique index and single-document writes do.

mod campaigns;
mod contacts;
mod events;
mod markets;
mod outbox;
mod promoters;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

use campaign_domain::Campaign;
use campaign_domain::contact::Contact;
use campaign_domain::event::Event;
use campaign_domain::market::Market;
use campaign_domain::messages::OutboundEvent;
use campaign_domain::promoter::Promoter;
use campaign_domain::values::{CampaignId, ContactId, DomainName, EventId, MarketId, PromoterId};
use campaign_ports::StoreError;

use self::outbox::OutboxEntry;

/// The in-memory store. Cheap to share behind an `Arc`; implements every repository port and
/// the outbox.
#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}

#[derive(Default)]
struct State {
    campaigns: BTreeMap<CampaignId, Campaign>,
    /// Every host a campaign holds (`domain.site` and `domain.preview`) → holder: the unique
    /// index of SPEC §7.4.
    hosts: HashMap<DomainName, CampaignId>,
    markets: BTreeMap<MarketId, Market>,
    promoters: BTreeMap<PromoterId, Promoter>,
    contacts: BTreeMap<ContactId, Contact>,
    events: BTreeMap<EventId, Event>,
    /// Recording order → entry.
    outbox: BTreeMap<u64, OutboxEntry>,
    next_outbox_seq: u64,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the maps half-updated: every write checks
        // first and mutates after, so the data stays consistent and the lock may be reused.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    /// Records outbox entries (made by [`outbox_entries`] before the lock is taken), in order.
    fn record(&mut self, entries: Vec<OutboxEntry>) {
        for entry in entries {
            let seq = self.next_outbox_seq;
            self.next_outbox_seq += 1;
            self.outbox.insert(seq, entry);
        }
    }
}

/// The outbox entries of `events`, each due at once (at the time of its change). Made before a
/// write takes the lock, so the copies are not made while every other caller waits.
fn outbox_entries(events: &[OutboundEvent]) -> Vec<OutboxEntry> {
    events.iter().cloned().map(OutboxEntry::new).collect()
}

fn check_version(expected: u64, current: u64) -> Result<(), StoreError> {
    if expected == current {
        Ok(())
    } else {
        Err(StoreError::VersionConflict { expected, current })
    }
}

/// Case-insensitive literal substring match (`needle` already lower-cased).
fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(needle)
}
