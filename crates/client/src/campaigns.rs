//! Campaigns (SPEC §7.1): create, read (by id, by domain, the list), change with `If-Match`,
//! status, and the refresh run.

use campaign_domain::paging::PageRequest;
use campaign_domain::values::{CampaignId, DomainName};
use campaign_http_types::campaign::{Campaign, CampaignPage, RefreshSummary};
use campaign_http_types::campaign_input::{CampaignPatch, NewCampaign};
use campaign_http_types::campaign_view::PublicCampaign;
use campaign_http_types::status::CampaignStatusHistory;

use crate::client::{Call, Client};
use crate::{ClientError, ETag, Idempotent, Tagged};

/// Which locales of a campaign's content an answer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locales<'a> {
    /// The campaign's default locale.
    #[default]
    Default,
    /// This locale, falling back to its language, then to the default.
    One(&'a str),
    /// Every locale.
    All,
}

impl Locales<'_> {
    fn apply(self, call: Call<'_>) -> Call<'_> {
        match self {
            Self::Default => call,
            Self::One(locale) => call.query("locale", Some(locale)),
            Self::All => call.query("showAllLocales", Some(true)),
        }
    }
}

/// Filters, order and page of [`Campaigns::list`]; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CampaignFilter {
    /// Substring of the name, the artist's name or a domain.
    pub q: Option<String>,
    /// Statuses, any of which matches (`OPEN`, `CLOSED`, ...).
    pub statuses: Vec<String>,
    /// The artist's id.
    pub artist_id: Option<String>,
    /// `created`, `updated`, `name`, `open`, `close` or `status`.
    pub sort_by: Option<String>,
    /// `asc` or `desc`.
    pub sort_direction: Option<String>,
    /// The page.
    pub page: PageRequest,
}

/// The campaign operations of a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Campaigns<'c> {
    client: &'c Client,
}

impl<'c> Campaigns<'c> {
    pub(crate) fn new(client: &'c Client) -> Self {
        Self { client }
    }

    /// `POST /campaigns`: a new DRAFT (or PREVIEW) campaign. `key` names this creation for
    /// retries (a fresh key when `None`).
    pub async fn create(
        &self,
        campaign: &NewCampaign<'_>,
        key: Option<Idempotent>,
    ) -> Result<Tagged<Campaign<'static>>, ClientError> {
        let call = Call::post("/campaigns".to_owned(), campaign, key)?;
        self.client.send(call).await?.tagged()
    }

    /// `GET /campaigns/{id}`, with the content of `locales`.
    pub async fn get(
        &self,
        id: &CampaignId,
        locales: Locales<'_>,
    ) -> Result<Tagged<Campaign<'static>>, ClientError> {
        let call = locales.apply(Call::get(format!("/campaigns/{id}")));
        self.client.send(call).await?.tagged()
    }

    /// `POST /campaigns/{id}`: a merge patch, applied only if the campaign is still at
    /// `if_match` (when given; `VERSION_CONFLICT` otherwise).
    pub async fn update(
        &self,
        id: &CampaignId,
        patch: &CampaignPatch<'_>,
        if_match: Option<&ETag>,
    ) -> Result<Tagged<Campaign<'static>>, ClientError> {
        let call = Call::post(format!("/campaigns/{id}"), patch, None)?.if_match(if_match);
        self.client.send(call).await?.tagged()
    }

    /// `GET /campaigns/{id}/status`: the status and every change, oldest first.
    pub async fn status(
        &self,
        id: &CampaignId,
    ) -> Result<CampaignStatusHistory<'static>, ClientError> {
        let call = Call::get(format!("/campaigns/{id}/status"));
        self.client.send(call).await?.data()
    }

    /// `GET /campaigns?domain=`: the public view of the campaign a fan site serves;
    /// `password` for a password-protected campaign.
    pub async fn by_domain(
        &self,
        domain: &DomainName,
        locales: Locales<'_>,
        password: Option<&str>,
    ) -> Result<PublicCampaign<'static>, ClientError> {
        let call = Call::get("/campaigns".to_owned())
            .query("domain", Some(domain))
            .query("password", password);
        self.client.send(locales.apply(call)).await?.data()
    }

    /// `GET /campaigns/list`: one page of the campaigns the caller may read.
    pub async fn list(
        &self,
        filter: &CampaignFilter,
    ) -> Result<CampaignPage<'static>, ClientError> {
        let statuses = (!filter.statuses.is_empty()).then(|| filter.statuses.join(","));
        let call = Call::get("/campaigns/list".to_owned())
            .query("q", filter.q.as_deref())
            .query("status", statuses)
            .query("artistId", filter.artist_id.as_deref())
            .query("sortBy", filter.sort_by.as_deref())
            .query("sortDirection", filter.sort_direction.as_deref())
            .query("page", Some(filter.page.page()))
            .query("pageSize", Some(filter.page.page_size()));
        self.client.send(call).await?.data()
    }

    /// `POST /campaigns/refresh` (supreme): runs the date-driven status changes now.
    pub async fn refresh(&self) -> Result<RefreshSummary, ClientError> {
        let call = Call::post_action("/campaigns/refresh".to_owned(), None);
        self.client.send(call).await?.data()
    }
}
