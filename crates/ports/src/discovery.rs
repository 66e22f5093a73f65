//! The ticketing platform's Discovery API: artist and venue search, and existence checks of the
//! event and venue ids markets refer to.

use async_trait::async_trait;
use campaign_domain::paging::{Page, PageRequest};
use campaign_domain::search::{ArtistSummary, VenueSummary};
use campaign_domain::values::EventId;

use crate::error::IntegrationError;

/// The Discovery API.
#[async_trait]
pub trait Discovery: Send + Sync + 'static {
    /// One page of artists matching `query`.
    async fn search_artists(
        &self,
        query: &str,
        page: PageRequest,
    ) -> Result<Page<ArtistSummary>, IntegrationError>;

    /// One page of venues matching `query`.
    async fn search_venues(
        &self,
        query: &str,
        page: PageRequest,
    ) -> Result<Page<VenueSummary>, IntegrationError>;

    /// Whether the event exists. MUST answer `Ok(false)` (not an error) for an unknown id.
    async fn event_exists(&self, id: &EventId) -> Result<bool, IntegrationError>;

    /// Whether the venue exists. MUST answer `Ok(false)` (not an error) for an unknown id.
    async fn venue_exists(&self, id: &str) -> Result<bool, IntegrationError>;
}
