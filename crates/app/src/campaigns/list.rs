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
        // A blank value counts as absent, as on every list (SPEC §4 paging included).
        let present = |raw: Option<String>| raw.filter(|r| !r.trim().is_empty());
        let Self {
            q,
            kind,
            version,
            artist_id,
            status,
            sort_by,
            sort_direction,
            page,
            page_size,
        } = self;
        let this = Self {
            q,
            kind: present(kind),
            version: present(version),
            artist_id: present(artist_id),
            status,
            sort_by: present(sort_by),
            sort_direction: present(sort_direction),
            page,
            page_size,
        };
        let mut e = ValidationErrors::new();
        let text = this
            .q
            .map(|q| q.trim().to_owned())
            .filter(|q| !q.is_empty());
        if text.as_ref().is_some_and(|t| t.chars().count() > 200) {
            e.add("q", "must be at most 200 characters");
        }
        let kind = e.check("type", this.kind.as_deref(), CampaignType::parse);
        let schema_version =
            whole_number(&mut e, "version", this.version.as_deref()).and_then(|v| {
                u64::try_from(v).ok().or_else(|| {
                    e.add("version", "must not be negative");
                    None
                })
            });
        let artist_id = e.check("artistId", this.artist_id.as_deref(), ArtistId::parse);
        let mut statuses = Vec::new();
        if let Some(raw) = &this.status {
            for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                if let Some(s) = e.check("status", Some(part), |p| p.parse::<Status>()) {
                    statuses.push(s);
                }
            }
        }
        let field = match this.sort_by.as_deref() {
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
            this.sort_direction.as_deref(),
            SortDirection::parse,
        );
        let page = page_request(&mut e, this.page.as_deref(), this.page_size.as_deref());
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
