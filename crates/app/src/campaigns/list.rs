//! `GET /campaigns/list`: the campaigns the caller may read, filtered, sorted and paged.

use campaign_domain::campaign::CampaignType;
use campaign_domain::paging::{Page, SortDirection};
use campaign_domain::status::Status;
use campaign_domain::values::ArtistId;
use campaign_domain::{Campaign, DomainError, ValidationErrors};
use campaign_ports::{CampaignQuery, CampaignSort, CampaignSortField};

use super::{CampaignService, store_error};
use crate::RequestContext;
use crate::params::{page_request, whole_number};

/// The list query as the client sends it (query-string values, unparsed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListCampaigns {
    /// `q`: substring of name, artist name or domain.
    pub q: Option<String>,
    /// `type`.
    pub kind: Option<String>,
    /// `version`: schema version.
    pub version: Option<String>,
    /// `artistId`.
    pub artist_id: Option<String>,
    /// `status`: one status or a comma-separated list.
    pub status: Option<String>,
    /// `sortBy`.
    pub sort_by: Option<String>,
    /// `sortDirection`: `asc` or `desc`.
    pub sort_direction: Option<String>,
    /// `page`.
    pub page: Option<String>,
    /// `pageSize`.
    pub page_size: Option<String>,
}

impl ListCampaigns {
    /// The query these values describe; every bad value is reported.
    fn into_query(self, ctx: &RequestContext) -> Result<CampaignQuery, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let text = self
            .q
            .map(|q| q.trim().to_owned())
            .filter(|q| !q.is_empty());
        if text.as_ref().is_some_and(|t| t.chars().count() > 200) {
            e.add("q", "must be at most 200 characters");
        }
        let kind = e.check("type", self.kind.as_deref(), CampaignType::parse);
        let schema_version =
            whole_number(&mut e, "version", self.version.as_deref()).and_then(|v| {
                u64::try_from(v).ok().or_else(|| {
                    e.add("version", "must not be negative");
                    None
                })
            });
        let artist_id = e.check("artistId", self.artist_id.as_deref(), ArtistId::parse);
        let mut statuses = Vec::new();
        if let Some(raw) = &self.status {
            for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                if let Some(s) = e.check("status", Some(part), |p| p.parse::<Status>()) {
                    statuses.push(s);
                }
            }
        }
        let field = match self.sort_by.as_deref() {
            None => None,
            Some(raw) => CampaignSortField::parse(raw).or_else(|| {
                e.add(
                    "sortBy",
                    "must be one of created, updated, name, open, close, status",
                );
                None
            }),
        };
        let direction = e.check(
            "sortDirection",
            self.sort_direction.as_deref(),
            SortDirection::parse,
        );
        let page = page_request(&mut e, self.page.as_deref(), self.page_size.as_deref());
        let default = CampaignSort::default();
        let sort = CampaignSort {
            field: field.unwrap_or(default.field),
            direction: direction.unwrap_or(if field.is_some() {
                SortDirection::Ascending
            } else {
                default.direction
            }),
        };
        let query = CampaignQuery {
            text,
            kind,
            schema_version,
            artist_id,
            statuses,
            scope: ctx.actor.read_scope(),
            sort,
            page,
        };
        e.into_result(query)
    }
}

impl CampaignService {
    /// One page of the campaigns the caller may read that match `params`.
    ///
    /// Errors: `VALIDATION_ERROR` naming every bad parameter.
    pub async fn list(
        &self,
        ctx: &RequestContext,
        params: ListCampaigns,
    ) -> Result<Page<Campaign>, DomainError> {
        let query = params.into_query(ctx)?;
        self.ports.campaigns.list(&query).await.map_err(store_error)
    }
}
