//! The campaign repository.

use async_trait::async_trait;
use campaign_domain::campaign::{Campaign, CampaignType};
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::contact::Contact;
use campaign_domain::messages::OutboundEvent;
use campaign_domain::paging::{Page, PageRequest, SortDirection};
use campaign_domain::permission::ReadScope;
use campaign_domain::status::Status;
use campaign_domain::values::{ArtistId, CampaignId, CategoryId, DomainName, EventId};

use crate::error::StoreError;

/// Field a campaign list is sorted by. Ties are always broken by id, ascending, so paging is
/// stable. Missing values sort before present ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CampaignSortField {
    /// `date.created`.
    #[default]
    Created,
    /// `date.updated`.
    Updated,
    /// `name` (byte order).
    Name,
    /// `date.open`.
    Open,
    /// `date.close`.
    Close,
    /// `status`, in lifecycle order.
    Status,
}

impl CampaignSortField {
    /// Parses the `sortBy` query value.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "created" | "date.created" | "createdAt" => Some(Self::Created),
            "updated" | "date.updated" | "updatedAt" => Some(Self::Updated),
            "name" => Some(Self::Name),
            "open" | "date.open" => Some(Self::Open),
            "close" | "date.close" => Some(Self::Close),
            "status" => Some(Self::Status),
            _ => None,
        }
    }
}

/// Sort order of a campaign list; defaults to newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CampaignSort {
    /// The field.
    pub field: CampaignSortField,
    /// The direction.
    pub direction: SortDirection,
}

impl Default for CampaignSort {
    fn default() -> Self {
        Self {
            field: CampaignSortField::Created,
            direction: SortDirection::Descending,
        }
    }
}

/// Filters, scope, order and page of a campaign list. Every filter that is set must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignQuery {
    /// Case-insensitive substring of the name, the artist's name or `domain.site`. Matched
    /// literally: regex metacharacters have no special meaning.
    pub text: Option<String>,
    /// Campaign type.
    pub kind: Option<CampaignType>,
    /// `schema.version`.
    pub schema_version: Option<u64>,
    /// `artist.id`.
    pub artist_id: Option<ArtistId>,
    /// Any of these statuses (empty = any status).
    pub statuses: Vec<Status>,
    /// Which campaigns the caller may read.
    pub scope: ReadScope,
    /// Order.
    pub sort: CampaignSort,
    /// Page.
    pub page: PageRequest,
}

impl CampaignQuery {
    /// Every campaign in `scope`, default order, first page.
    pub fn all(scope: ReadScope) -> Self {
        Self {
            text: None,
            kind: None,
            schema_version: None,
            artist_id: None,
            statuses: Vec::new(),
            scope,
            sort: CampaignSort::default(),
            page: PageRequest::default(),
        }
    }
}

/// Where campaigns are stored.
///
/// Writes carry the outbound events the change owes; a store records the change and its events
/// atomically (both or neither), so no message is lost and none is sent for a change that did
/// not happen. The store owns `version`: it stores `expected + 1` on every write and returns the
/// campaign as stored.
#[async_trait]
pub trait CampaignRepository: Send + Sync + 'static {
    /// Stores a new campaign with version 1, together with `events`.
    ///
    /// MUST return [`StoreError::DomainTaken`] when another campaign holds one of its hosts
    /// (`domain.site` or `domain.preview`, as either's site or preview: SPEC §7.4); this holds
    /// under concurrent writers (exactly one of many inserts of one host succeeds).
    async fn insert(
        &self,
        campaign: &Campaign,
        events: &[OutboundEvent],
    ) -> Result<Campaign, StoreError>;

    /// Replaces a campaign if its stored version is still `expected_version`, storing version
    /// `expected_version + 1`, together with `events`. This is also how status transitions are
    /// made conditional: a transition computed from a campaign read at version v is written only
    /// if nothing changed since, so concurrent refreshes never transition a campaign twice.
    ///
    /// MUST return [`StoreError::NotFound`] when there is no such campaign,
    /// [`StoreError::VersionConflict`] when the version differs (nothing written), and
    /// [`StoreError::DomainTaken`] when another campaign holds one of its hosts (site or
    /// preview, in either role).
    async fn update(
        &self,
        campaign: &Campaign,
        expected_version: u64,
        events: &[OutboundEvent],
    ) -> Result<Campaign, StoreError>;

    /// [`update`](Self::update) and the upsert of `contacts` (by id) as one change
    /// (SPEC §7.8): when the campaign write is refused or fails, no contact is left changed.
    ///
    /// MUST return the errors of [`update`](Self::update), with every contact as it was.
    async fn update_with_contacts(
        &self,
        campaign: &Campaign,
        expected_version: u64,
        contacts: &[Contact],
        events: &[OutboundEvent],
    ) -> Result<Campaign, StoreError>;

    /// The campaign with this id, if any.
    async fn find_by_id(&self, id: &CampaignId) -> Result<Option<Campaign>, StoreError>;

    /// The campaigns with these ids that exist, in the order of `ids`.
    async fn find_by_ids(&self, ids: &[CampaignId]) -> Result<Vec<Campaign>, StoreError>;

    /// The campaign whose `domain.site` is `domain`; failing that, the campaign in PREVIEW whose
    /// `domain.preview` is `domain` (the most recently updated one if several).
    async fn find_by_domain(&self, domain: &DomainName) -> Result<Option<Campaign>, StoreError>;

    /// The campaign that holds `host` as its `domain.site` or its `domain.preview`, in any
    /// status (at most one does: SPEC §7.4).
    async fn find_by_host(&self, host: &DomainName) -> Result<Option<Campaign>, StoreError>;

    /// One page of the campaigns matching `query`, in its order, with the total count.
    async fn list(&self, query: &CampaignQuery) -> Result<Page<Campaign>, StoreError>;

    /// Every campaign the refresh may have to transition at `now`, by id: DRAFT or PREVIEW with
    /// `date.open` ≤ now, OPEN with `date.close` ≤ now, CLOSED with `date.closed` ≤ `closed_before`.
    async fn refresh_candidates(
        &self,
        now: DateTime<Utc>,
        closed_before: DateTime<Utc>,
    ) -> Result<Vec<Campaign>, StoreError>;

    /// One page, by id, of the campaigns covering ticketing event `event_id` (SPEC §7.6) inside
    /// `scope`: those whose own `eventIds` contain it or whose id is in `with_markets` (the
    /// campaigns with a market listing it, see
    /// [`MarketRepository::campaigns_listing_event`](crate::MarketRepository::campaigns_listing_event)),
    /// that are neither DRAFT nor PREVIEW and have a `date.presaleWindowStart`; with the total.
    ///
    /// MUST never return a campaign outside `scope`, however many others match; the store
    /// filters by the scope itself and reads only the page asked for.
    async fn covering_event(
        &self,
        event_id: &EventId,
        with_markets: &[CampaignId],
        scope: &ReadScope,
        page: PageRequest,
    ) -> Result<Page<Campaign>, StoreError>;

    /// Ids, sorted, of the campaigns inside `scope` whose `categoryId` is one of `categories`
    /// (any status).
    ///
    /// MUST never return an id outside `scope`; the store reads ids only, not whole campaigns.
    async fn ids_by_category(
        &self,
        categories: &[CategoryId],
        scope: &ReadScope,
    ) -> Result<Vec<CampaignId>, StoreError>;

    /// Ids, sorted, of the campaigns inside `scope` whose presale window overlaps
    /// `[start, end]` (ends included). A campaign has a window when it has
    /// `date.presaleWindowStart`; a missing `date.presaleWindowEnd` means the window never ends.
    ///
    /// MUST never return an id outside `scope`; the store reads ids only, not whole campaigns.
    async fn ids_in_presale(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: &ReadScope,
    ) -> Result<Vec<CampaignId>, StoreError>;

    /// The distinct category ids, sorted, of the campaigns inside `scope` whose presale window
    /// overlaps `[start, end]` (the rule of [`ids_in_presale`](Self::ids_in_presale));
    /// campaigns without a category add nothing.
    ///
    /// MUST never count a campaign outside `scope` and MUST answer each category once; the
    /// store de-duplicates itself rather than returning one value per campaign.
    async fn category_ids_in_presale(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: &ReadScope,
    ) -> Result<Vec<CategoryId>, StoreError>;

    /// Every campaign of `artist_id`, by id.
    async fn find_by_artist(&self, artist_id: &ArtistId) -> Result<Vec<Campaign>, StoreError>;

    /// Checks that the store answers (for readiness).
    async fn ping(&self) -> Result<(), StoreError>;
}
