//! Campaign reads: by domain (public view), status by domain, list, by id, status by id.

use std::borrow::Cow;

use actix_web::{HttpResponse, web};
use campaign_app::campaigns::{DomainRead, ListCampaigns, MAX_LIST_QUERY_CHARS};
use campaign_domain::campaign::Password;
use campaign_domain::paging::SortDirection;
use campaign_domain::status::Status;
use campaign_domain::values::{DomainName, InvalidValue};
use campaign_http_types::Envelope;
use campaign_http_types::campaign::{Campaign, CampaignPage};
use campaign_http_types::campaign_view::PublicCampaign;
use campaign_http_types::status::{CampaignIdStatus, CampaignStatusHistory, CampaignType, history};
use campaign_http_types::values::{self, ArtistId, Locale, ObjectId};
use campaign_ports::CampaignSortField;
use serde::Deserialize;

use super::{context, selection};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::http::extract;
use crate::http::query::QueryReader;
use crate::openapi::responses::{
    CampaignNotFound, InvalidCampaignPassword, InvalidParameters, TooManyPasswordAttempts,
    Unauthenticated, Unauthorized,
};
use crate::state::AppState;

/// Query of `GET /campaigns` and `GET /campaigns/status` (its `Debug` hides the password).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DomainQuery {
    domain: Option<String>,
    locale: Option<String>,
    show_all_locales: Option<String>,
    password: Option<Password>,
}

fn domain(raw: Option<&str>) -> Result<DomainName, ApiError> {
    match raw.filter(|d| !d.is_empty()) {
        Some(d) => extract::parse("domain", d, DomainName::parse),
        None => Err(ApiError::invalid("domain", "is required")),
    }
}

/// `GET /campaigns?domain=&locale=&showAllLocales=&password=`: the public view of the campaign
/// a domain serves. 200; 400 `VALIDATION_ERROR`; 401 `UNAUTHENTICATED`,
/// `INVALID_CAMPAIGN_PASSWORD`; 404 `CAMPAIGN_NOT_FOUND`; 429 `TOO_MANY_REQUESTS` (wrong
/// passwords past the limit, with `Retry-After`).
#[utoipa::path(
    get,
    path = "/campaigns",
    tag = "campaigns",
    security(("bearer" = [])),
    params(
        (
            "domain" = values::DomainName,
            Query,
            description = "The site domain of an OPEN or CLOSED campaign, the preview domain of a PREVIEW one, or any domain of a campaign the caller may read",
        ),
        (
            "locale" = Option<Locale>,
            Query,
            description = "The content locale: that locale, else one of its language, else the default locale",
        ),
        (
            "showAllLocales" = Option<bool>,
            Query,
            description = "Answer the content of every locale (default false)",
        ),
        (
            "password" = Option<String>,
            Query,
            description = "The campaign's access password, when it has one and the caller may not read it otherwise",
        ),
    ),
    responses(
        (status = 200, description = "The public view of the campaign", body = Envelope<PublicCampaign>),
        (status = 400, response = InvalidParameters),
        (status = 401, response = InvalidCampaignPassword),
        (status = 404, response = CampaignNotFound),
        (status = 429, response = TooManyPasswordAttempts),
    )
)]
pub(crate) async fn by_domain(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<DomainQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let read = DomainRead {
        domain: domain(query.domain.as_deref())?,
        locales: selection(query.locale.as_deref(), query.show_all_locales.as_deref())?,
        // A blank value counts as absent, like every optional query value (not as a wrong
        // password, which would count against the caller's attempts).
        password: query.password.filter(|p| !p.expose().is_empty()),
    };
    let campaign = state
        .campaigns
        .get_by_domain(&context(auth, &correlation), &read)
        .await?;
    Ok(Reply::ok().json(&correlation, PublicCampaign::from(&campaign)))
}

/// `GET /campaigns/status?domain=`: `{id, status}`. 200; 400; 401; 404.
#[utoipa::path(
    get,
    path = "/campaigns/status",
    tag = "campaigns",
    security(("bearer" = [])),
    params((
        "domain" = values::DomainName,
        Query,
        description = "The site domain of an OPEN or CLOSED campaign, the preview domain of a PREVIEW one, or any domain of a campaign the caller may read",
    )),
    responses(
        (status = 200, description = "The campaign and its status", body = Envelope<CampaignIdStatus>),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
        (status = 404, response = CampaignNotFound),
    )
)]
pub(crate) async fn status_by_domain(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<DomainQuery>,
) -> Result<HttpResponse, ApiError> {
    let domain = domain(query.domain.as_deref())?;
    let (id, status) = state
        .campaigns
        .status_by_domain(&context(auth, &correlation), &domain)
        .await?;
    Ok(Reply::ok().json(
        &correlation,
        CampaignIdStatus {
            id: Cow::Borrowed(&id),
            status,
        },
    ))
}

/// Query of `GET /campaigns/list`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListQuery {
    q: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    version: Option<String>,
    artist_id: Option<String>,
    status: Option<String>,
    sort_by: Option<String>,
    sort_direction: Option<String>,
    page: Option<String>,
    page_size: Option<String>,
}

impl ListQuery {
    /// The filters, order and page these values ask for.
    fn read(&self) -> Result<ListCampaigns, ApiError> {
        let mut r = QueryReader::new();
        let sort_by = r.value("sortBy", self.sort_by.as_deref(), |raw| {
            CampaignSortField::parse(raw).ok_or_else(|| {
                InvalidValue::new("must be one of created, updated, name, open, close, status")
            })
        });
        let list = ListCampaigns {
            text: r.text("q", self.q.as_deref(), MAX_LIST_QUERY_CHARS),
            kind: r.value(
                "type",
                self.kind.as_deref(),
                campaign_domain::campaign::CampaignType::parse,
            ),
            schema_version: r.whole_number("version", self.version.as_deref()),
            artist_id: r.value(
                "artistId",
                self.artist_id.as_deref(),
                campaign_domain::values::ArtistId::parse,
            ),
            statuses: r.list("status", self.status.as_deref(), str::parse::<Status>),
            sort_by,
            sort_direction: r.value(
                "sortDirection",
                self.sort_direction.as_deref(),
                SortDirection::parse,
            ),
            page: r.page(self.page.as_deref(), self.page_size.as_deref()),
        };
        r.finish(list)
    }
}

/// `GET /campaigns/list`: the campaigns the caller may read. 200; 400; 401.
#[utoipa::path(
    get,
    path = "/campaigns/list",
    tag = "campaigns",
    security(("bearer" = [])),
    params(
        (
            "q" = Option<String>,
            Query,
            max_length = 200,
            description = "Substring of the name, the artist's name or a domain (trimmed; blank is none)",
        ),
        ("type" = Option<CampaignType>, Query, description = "Only campaigns of this kind"),
        ("version" = Option<u64>, Query, description = "Only documents of this `schema.version`"),
        ("artistId" = Option<ArtistId>, Query, description = "Only campaigns of this artist"),
        (
            "status" = Option<String>,
            Query,
            pattern = "^\\s*(([dD][rR][aA][fF][tT]|[pP][rR][eE][vV][iI][eE][wW]|[oO][pP][eE][nN]|[cC][lL][oO][sS][eE][dD]|[iI][nN][aA][cC][tT][iI][vV][eE])\\s*)?(,\\s*(([dD][rR][aA][fF][tT]|[pP][rR][eE][vV][iI][eE][wW]|[oO][pP][eE][nN]|[cC][lL][oO][sS][eE][dD]|[iI][nN][aA][cC][tT][iI][vV][eE])\\s*)?)*$",
            description = "Only campaigns in one of these statuses: one or a comma-separated list (any case)",
        ),
        (
            "sortBy" = Option<String>,
            Query,
            pattern = "^(created|date\\.created|createdAt|updated|date\\.updated|updatedAt|name|open|date\\.open|close|date\\.close|status)$",
            description = "created (default), updated, name, open, close or status",
        ),
        (
            "sortDirection" = Option<String>,
            Query,
            pattern = "^([aA][sS][cC]([eE][nN][dD][iI][nN][gG])?|[dD][eE][sS][cC]([eE][nN][dD][iI][nN][gG])?|1|-1)$",
            description = "asc or desc (any case; also ascending, descending, 1, -1); desc by default, asc when sortBy is given",
        ),
        ("page" = Option<u32>, Query, maximum = 1_000_000, description = "Zero-based page number (default 0)"),
        ("pageSize" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Items per page (default 10)"),
    ),
    responses(
        (status = 200, description = "One page of the campaigns the caller may read", body = Envelope<CampaignPage>),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
    )
)]
pub(crate) async fn list(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .campaigns
        .list(&context(auth, &correlation), query.read()?)
        .await?;
    Ok(Reply::ok().json(
        &correlation,
        CampaignPage::new(&page.items, page.pagination.into()),
    ))
}

/// Query of `GET /campaigns/{id}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LocaleQuery {
    locale: Option<String>,
    show_all_locales: Option<String>,
}

/// `GET /campaigns/{id}?locale=&showAllLocales=`: the campaign, with `ETag`. 200; 400; 401;
/// 403 `UNAUTHORIZED`; 404.
#[utoipa::path(
    get,
    path = "/campaigns/{id}",
    tag = "campaigns",
    security(("bearer" = [])),
    params(
        ("id" = ObjectId, Path, description = "Campaign id"),
        (
            "locale" = Option<Locale>,
            Query,
            description = "The content locale: that locale, else one of its language, else the default locale",
        ),
        ("showAllLocales" = Option<bool>, Query, description = "Answer the content of every locale (default false)"),
    ),
    responses(
        (status = 200, description = "The campaign", body = Envelope<Campaign>, headers(("ETag" = String))),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Unauthorized),
        (status = 404, response = CampaignNotFound),
    )
)]
pub(crate) async fn by_id(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LocaleQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::campaign_id(&path)?;
    let locales = selection(query.locale.as_deref(), query.show_all_locales.as_deref())?;
    let campaign = state
        .campaigns
        .get(&context(auth, &correlation), &id, &locales)
        .await?;
    Ok(Reply::ok()
        .etag(campaign.version)
        .json(&correlation, Campaign::from(&campaign)))
}

/// `GET /campaigns/{id}/status`: `{id, status, statusHistory}`. 200; 400; 401; 403; 404.
#[utoipa::path(
    get,
    path = "/campaigns/{id}/status",
    tag = "campaigns",
    security(("bearer" = [])),
    params(("id" = ObjectId, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "The status and every change, oldest first", body = Envelope<CampaignStatusHistory>),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Unauthorized),
        (status = 404, response = CampaignNotFound),
    )
)]
pub(crate) async fn status(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::campaign_id(&path)?;
    let view = state
        .campaigns
        .status(&context(auth, &correlation), &id)
        .await?;
    Ok(Reply::ok().json(
        &correlation,
        CampaignStatusHistory {
            id: Cow::Borrowed(&view.id),
            status: view.status,
            status_history: history(&view.status_history),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_status_list_is_the_one_tested_against_the_reader() {
        let doc: serde_json::Value = serde_json::from_str(crate::openapi::document()).unwrap();
        let parameters = doc["paths"]["/campaigns/list"]["get"]["parameters"]
            .as_array()
            .unwrap();
        let status = parameters.iter().find(|p| p["name"] == "status").unwrap();
        // The document also says a blank value counts as absent: the value's own schema is the
        // first alternative.
        assert_eq!(
            status["schema"]["anyOf"][0]["pattern"],
            campaign_http_types::status::STATUS_LIST
        );
    }

    #[test]
    fn the_domain_query_never_prints_the_password() {
        let query =
            web::Query::<DomainQuery>::from_query("domain=fans.example.com&password=hunter2")
                .unwrap()
                .into_inner();
        assert_eq!(query.password, Some(Password::new("hunter2")));
        let printed = format!("{query:?} {query:#?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("fans.example.com"), "{printed}");
    }
}
