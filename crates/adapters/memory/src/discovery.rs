//! A Discovery API over a fixed catalogue, for tests of everything above the HTTP adapter.

use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use campaign_domain::paging::{Page, PageRequest};
use campaign_domain::search::{ArtistSummary, VenueSummary};
use campaign_domain::values::EventId;
use campaign_ports::{Discovery, IntegrationError};

/// Searches a catalogue of artists, venues and event ids by case-insensitive substring of the
/// name, and counts the searches it answered (to tell cache hits from misses) and the event
/// lookups, with how many ran at once at most (to see callers bound their concurrency).
#[derive(Debug, Default)]
pub struct MemoryDiscovery {
    artists: Vec<ArtistSummary>,
    venues: Vec<VenueSummary>,
    event_ids: Vec<EventId>,
    searches: AtomicUsize,
    lookups: AtomicUsize,
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
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
            lookups: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            peak_in_flight: AtomicUsize::new(0),
        }
    }

    /// How many event lookups reached this catalogue.
    pub fn event_lookups(&self) -> usize {
        self.lookups.load(Ordering::SeqCst)
    }

    /// The most event lookups that were running at the same time.
    pub fn peak_concurrent_lookups(&self) -> usize {
        self.peak_in_flight.load(Ordering::SeqCst)
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
        self.lookups.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak_in_flight.fetch_max(now, Ordering::SeqCst);
        // Let the caller start its other lookups, as a real network call would.
        YieldOnce(false).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        Ok(self.event_ids.contains(id))
    }

    async fn venue_exists(&self, id: &str) -> Result<bool, IntegrationError> {
        Ok(self.venues.iter().any(|v| v.id == id))
    }
}

/// A future that is pending once, then ready: a stand-in for the wait of a network call.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            std::task::Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}
