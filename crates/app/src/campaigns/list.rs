//! `GET /campaigns/list`: the campaigns the caller may read, filtered, sorted and paged.

use campaign_domain::campaign::CampaignType;
use campaign_domain::paging::{Page, PageRequest, SortDirection};
use campaign_domain::status::Status;
use campaign_domain::values::ArtistId;
use campaign_domain::{Campaign, DomainError};
use campaign_ports::{CampaignQuery, CampaignSort, CampaignSortField};

use super::{CampaignService, store_error};
use crate::RequestContext;

/// Longest `q` accepted, in characters.
pub const MAX_LIST_QUERY_CHARS: usize = 200;

/// The filters, order and page of a campaign list, each value already read (the HTTP layer reads
/// the query string); the caller's read scope is added by [`CampaignService::list`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListCampaigns {
    /// `q`: substring of name, artist name or domain, trimmed (the HTTP layer refuses one longer
    /// than [`MAX_LIST_QUERY_CHARS`]; a longer one is only slower to match).
    pub text: Option<String>,
    /// `type`.
    pub kind: Option<CampaignType>,
    /// `version`: schema version.
    pub schema_version: Option<u64>,
    /// `artistId`.
    pub artist_id: Option<ArtistId>,
    /// `status`: any of these (none: every status).
    pub statuses: Vec<Status>,
    /// `sortBy` (default: creation date).
    pub sort_by: Option<CampaignSortField>,
    /// `sortDirection` (default: descending without `sortBy`, ascending with it).
    pub sort_direction: Option<SortDirection>,
    /// `page` and `pageSize`.
    pub page: PageRequest,
}

impl ListCampaigns {
    /// The store query for these values and the caller's scope.
    fn into_query(self, ctx: &RequestContext) -> CampaignQuery {
        let default = CampaignSort::default();
        let sort = CampaignSort {
            field: self.sort_by.unwrap_or(default.field),
            direction: self.sort_direction.unwrap_or(if self.sort_by.is_some() {
                SortDirection::Ascending
            } else {
                default.direction
            }),
        };
        CampaignQuery {
            text: self.text,
            kind: self.kind,
            schema_version: self.schema_version,
            artist_id: self.artist_id,
            statuses: self.statuses,
            scope: ctx.actor.read_scope(),
            sort,
            page: self.page,
        }
    }
}

impl CampaignService {
    /// One page of the campaigns the caller may read that match `params`.
    ///
    /// Errors: `DEPENDENCY_UNAVAILABLE` when the store is down.
    pub async fn list(
        &self,
        ctx: &RequestContext,
        params: ListCampaigns,
    ) -> Result<Page<Campaign>, DomainError> {
        let query = params.into_query(ctx);
        self.ports.campaigns.list(&query).await.map_err(store_error)
    }
}
