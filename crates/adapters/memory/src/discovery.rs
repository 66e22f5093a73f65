//! A Discovery API over a fixed catalogue, for tests of everything above the HTTP adapter.

use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use campaign_domain::paging::{Page, PageRequest};
use campaign_domain::search::{ArtistSummary, VenueSummary};
use campaign_domain::values::EventId;
use campaign_ports::{Discovery, IntegrationError};

/// Searches a catalogue of artists, venues and event ids by case-insensitive substring of the
/// name, and counts the searches it answered (to tell cache hits from misses).
#[derive(Debug, Default)]
pub struct MemoryDiscovery {
    artists: Vec<ArtistSummary>,
    venues: Vec<VenueSummary>,
    event_ids: Vec<EventId>,
    searches: AtomicUsize,
}

impl MemoryDiscovery {
    /// A catalogue.
    pub fn new(
        artists: Vec<ArtistSummary>,
        venues: Vec<VenueSummary>,
        event_ids: Vec<EventId>,
    ) -> Self {
        Self {
            artists,
            venues,
            event_ids,
            searches: AtomicUsize::new(0),
        }
    }

    /// How many searches reached this catalogue.
    pub fn searches(&self) -> usize {
        self.searches.load(Ordering::SeqCst)
    }

    fn search<T: Clone>(
        &self,
        items: &[T],
        name: impl Fn(&T) -> &str,
        query: &str,
        page: PageRequest,
    ) -> Page<T> {
        self.searches.fetch_add(1, Ordering::SeqCst);
        let q = query.to_lowercase();
        let found = items
            .iter()
            .filter(|i| name(i).to_lowercase().contains(&q))
            .cloned()
            .collect();
        Page::from_all(found, page)
    }
}

#[async_trait]
impl Discovery for MemoryDiscovery {
    async fn search_artists(
        &self,
        query: &str,
        page: PageRequest,
    ) -> Result<Page<ArtistSummary>, IntegrationError> {
        Ok(self.search(&self.artists, |a| &a.name, query, page))
    }

    async fn search_venues(
        &self,
        query: &str,
        page: PageRequest,
    ) -> Result<Page<VenueSummary>, IntegrationError> {
        Ok(self.search(&self.venues, |v| &v.name, query, page))
    }

    async fn event_exists(&self, id: &EventId) -> Result<bool, IntegrationError> {
        Ok(self.event_ids.contains(id))
    }

    async fn venue_exists(&self, id: &str) -> Result<bool, IntegrationError> {
        Ok(self.venues.iter().any(|v| v.id == id))
    }
}
