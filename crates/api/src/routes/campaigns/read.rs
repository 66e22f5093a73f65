//! Campaign reads: by domain (public view), status by domain, list, by id, status by id.

use actix_web::{HttpResponse, web};
use campaign_app::campaigns::{DomainRead, ListCampaigns};
use campaign_domain::campaign::Password;
use campaign_domain::paging::Pagination;
use campaign_domain::status::{Status, StatusChange};
use campaign_domain::values::{CampaignId, DomainName};
use campaign_domain::{Campaign, DomainError, ValidationErrors};
use serde::{Deserialize, Serialize};

use super::{context, selection};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::http::extract;
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
        None => Err(ApiError::from(DomainError::Validation(
            ValidationErrors::single("domain", "is required"),
        ))),
    }
}

/// `GET /campaigns?domain=&locale=&showAllLocales=&password=`: the public view of the campaign
/// a domain serves. 200; 400 `VALIDATION_ERROR`; 401 `UNAUTHENTICATED`,
/// `INVALID_CAMPAIGN_PASSWORD`; 404 `CAMPAIGN_NOT_FOUND`; 429 `TOO_MANY_REQUESTS` (wrong
/// passwords past the limit, with `Retry-After`).
#[utoipa::path(get, path = "/campaigns", tag = "campaigns", security(("bearer" = [])), params(("domain" = String, Query, description = "Site or preview host name"), ("locale" = Option<String>, Query, description = "xx or xx-XX"), ("showAllLocales" = Option<bool>, Query), ("password" = Option<String>, Query, description = "For password-protected campaigns")), responses((status = 200, description = "The public view of the campaign", body = crate::openapi::schemas::CampaignEnvelope), (status = 400, description = "VALIDATION_ERROR", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED, INVALID_CAMPAIGN_PASSWORD", body = crate::openapi::schemas::ErrorEnvelope), (status = 404, description = "CAMPAIGN_NOT_FOUND", body = crate::openapi::schemas::ErrorEnvelope), (status = 429, description = "TOO_MANY_REQUESTS: too many wrong passwords for this campaign; retry after `Retry-After` seconds", body = crate::openapi::schemas::ErrorEnvelope)))]
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
        password: query.password,
    };
    let campaign = state
        .campaigns
        .get_by_domain(&context(auth, &correlation), &read)
        .await?;
    Ok(Reply::ok().json(&correlation, campaign.public_view()))
}

#[derive(Debug, Serialize)]
struct IdStatus<'a> {
    id: &'a CampaignId,
    status: Status,
}

/// `GET /campaigns/status?domain=`: `{id, status}`. 200; 400; 401; 404.
#[utoipa::path(get, path = "/campaigns/status", tag = "campaigns", security(("bearer" = [])), params(("domain" = String, Query)), responses((status = 200, description = "{id, status}", body = crate::openapi::schemas::IdStatusEnvelope), (status = 400, description = "VALIDATION_ERROR", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 404, description = "CAMPAIGN_NOT_FOUND", body = crate::openapi::schemas::ErrorEnvelope)))]
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
    Ok(Reply::ok().json(&correlation, IdStatus { id: &id, status }))
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

#[derive(Debug, Serialize)]
struct CampaignList {
    campaigns: Vec<Campaign>,
    pagination: Pagination,
}

/// `GET /campaigns/list`: the campaigns the caller may read. 200; 400; 401.
#[utoipa::path(get, path = "/campaigns/list", tag = "campaigns", security(("bearer" = [])), params(("q" = Option<String>, Query, description = "Substring of name, artist name or domain"), ("type" = Option<String>, Query), ("version" = Option<u64>, Query, description = "schema.version"), ("artistId" = Option<String>, Query), ("status" = Option<String>, Query, description = "One status or a comma-separated list"), ("sortBy" = Option<String>, Query, description = "created, updated, name, open, close, status"), ("sortDirection" = Option<String>, Query, description = "asc or desc"), ("page" = Option<u32>, Query), ("pageSize" = Option<u32>, Query, description = "1-100, default 10")), responses((status = 200, description = "The campaigns the caller may read", body = crate::openapi::schemas::CampaignListEnvelope), (status = 400, description = "VALIDATION_ERROR", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn list(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let params = ListCampaigns {
        q: q.q,
        kind: q.kind,
        version: q.version,
        artist_id: q.artist_id,
        status: q.status,
        sort_by: q.sort_by,
        sort_direction: q.sort_direction,
        page: q.page,
        page_size: q.page_size,
    };
    let page = state
        .campaigns
        .list(&context(auth, &correlation), params)
        .await?;
    Ok(Reply::ok().json(
        &correlation,
        CampaignList {
            campaigns: page.items,
            pagination: page.pagination,
        },
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
#[utoipa::path(get, path = "/campaigns/{id}", tag = "campaigns", security(("bearer" = [])), params(("id" = String, Path, description = "24 hexadecimal characters"), ("locale" = Option<String>, Query), ("showAllLocales" = Option<bool>, Query)), responses((status = 200, description = "The campaign; `ETag` header", body = crate::openapi::schemas::CampaignEnvelope), (status = 400, description = "VALIDATION_ERROR", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "UNAUTHORIZED", body = crate::openapi::schemas::ErrorEnvelope), (status = 404, description = "CAMPAIGN_NOT_FOUND", body = crate::openapi::schemas::ErrorEnvelope)))]
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
        .json(&correlation, &campaign))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusWithHistory {
    id: CampaignId,
    status: Status,
    status_history: Vec<StatusChange>,
}

/// `GET /campaigns/{id}/status`: `{id, status, statusHistory}`. 200; 400; 401; 403; 404.
#[utoipa::path(get, path = "/campaigns/{id}/status", tag = "campaigns", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, description = "Status and history", body = crate::openapi::schemas::StatusHistoryEnvelope), (status = 400, description = "VALIDATION_ERROR", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "UNAUTHORIZED", body = crate::openapi::schemas::ErrorEnvelope), (status = 404, description = "CAMPAIGN_NOT_FOUND", body = crate::openapi::schemas::ErrorEnvelope)))]
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
    let body = StatusWithHistory {
        id: view.id,
        status: view.status,
        status_history: view.status_history,
    };
    Ok(Reply::ok().json(&correlation, body))
}

#[cfg(test)]
mod tests {
    use super::*;

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
