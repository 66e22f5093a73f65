//! Campaign queries of internal services: by event, ids by category, and the category and event
//! ids of campaigns whose presale window overlaps a range. Any valid token may ask; answers hold
//! only the campaigns the caller may read. `/campaigns/events` answers one page at a time.

use actix_web::{HttpResponse, web};
use campaign_domain::Campaign;
use campaign_domain::paging::Pagination;
use campaign_domain::values::{CampaignId, CategoryId, EventId};
use serde::{Deserialize, Serialize};

use super::context;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::state::AppState;

/// `?eventId=&page=&pageSize=`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EventQuery {
    event_id: Option<String>,
    page: Option<String>,
    page_size: Option<String>,
}

#[derive(Debug, Serialize)]
struct Campaigns {
    campaigns: Vec<Campaign>,
    pagination: Pagination,
}

/// `GET /campaigns/events?eventId=&page=&pageSize=`: one page of the campaigns covering the
/// event (SPEC §7.6), by id, with the total. 200; 400; 401.
#[utoipa::path(get, path = "/campaigns/events", tag = "campaign queries", security(("bearer" = [])), params(("eventId" = String, Query, description = "Ticketing event id"), ("page" = Option<u32>, Query, description = "Zero-based, default 0"), ("pageSize" = Option<u32>, Query, description = "1-100, default 100")), responses((status = 200, description = "One page, by id, of the campaigns (neither DRAFT nor PREVIEW, with a presale window start) whose markets list the event or whose own eventIds contain it, among those the caller may read; pagination.total counts them all", body = crate::openapi::schemas::CampaignListEnvelope), (status = 400, description = "VALIDATION_ERROR", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn by_event(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<EventQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .queries
        .by_event(
            &context(auth, &correlation),
            query.event_id.as_deref(),
            query.page.as_deref(),
            query.page_size.as_deref(),
        )
        .await?;
    Ok(Reply::ok().json(
        &correlation,
        Campaigns {
            campaigns: page.items,
            pagination: page.pagination,
        },
    ))
}

/// `?categoryIds=a,b`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CategoryQuery {
    category_ids: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CampaignIds {
    campaign_ids: Vec<CampaignId>,
}

/// `GET /campaigns/ids?categoryIds=a,b`: ids of campaigns with one of those category ids.
/// 200; 400; 401.
#[utoipa::path(get, path = "/campaigns/ids", tag = "campaign queries", security(("bearer" = [])), params(("categoryIds" = String, Query, description = "Comma-separated category ids (1-100)")), responses((status = 200, description = "Sorted ids of the campaigns the caller may read", body = crate::openapi::schemas::CampaignIdsEnvelope), (status = 400, description = "VALIDATION_ERROR", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn ids_by_category(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<CategoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let campaign_ids = state
        .queries
        .ids_by_category(&context(auth, &correlation), query.category_ids.as_deref())
        .await?;
    Ok(Reply::ok().json(&correlation, CampaignIds { campaign_ids }))
}

/// `?presaleQueryStartDate=&presaleQueryEndDate=`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PresaleQuery {
    presale_query_start_date: Option<String>,
    presale_query_end_date: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CategoryIds {
    category_ids: Vec<CategoryId>,
}

/// `GET /campaigns/categoryIds`: category ids of campaigns whose presale window overlaps the
/// range. 200; 400 `VALIDATION_ERROR`, `MISSING_PRESALE_WINDOW_DATE`,
/// `INVALID_PRESALE_WINDOW_DATE_ORDER`; 401.
#[utoipa::path(get, path = "/campaigns/categoryIds", tag = "campaign queries", security(("bearer" = [])), params(("presaleQueryStartDate" = Option<String>, Query, description = "RFC 3339; give both or neither (neither = now)"), ("presaleQueryEndDate" = Option<String>, Query, description = "RFC 3339, not before the start")), responses((status = 200, description = "Sorted, de-duplicated category ids of the campaigns the caller may read", body = crate::openapi::schemas::CategoryIdsEnvelope), (status = 400, description = "VALIDATION_ERROR, MISSING_PRESALE_WINDOW_DATE, INVALID_PRESALE_WINDOW_DATE_ORDER", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn category_ids(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<PresaleQuery>,
) -> Result<HttpResponse, ApiError> {
    let category_ids = state
        .queries
        .category_ids(
            &context(auth, &correlation),
            query.presale_query_start_date.as_deref(),
            query.presale_query_end_date.as_deref(),
        )
        .await?;
    Ok(Reply::ok().json(&correlation, CategoryIds { category_ids }))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct EventIds {
    event_ids: Vec<EventId>,
}

/// `GET /campaigns/eventIds`: event ids of the markets of campaigns whose presale window
/// overlaps the range. 200; 400 as for `/campaigns/categoryIds`; 401.
#[utoipa::path(get, path = "/campaigns/eventIds", tag = "campaign queries", security(("bearer" = [])), params(("presaleQueryStartDate" = Option<String>, Query, description = "RFC 3339; give both or neither (neither = now)"), ("presaleQueryEndDate" = Option<String>, Query, description = "RFC 3339, not before the start")), responses((status = 200, description = "Sorted, de-duplicated event ids of the markets of the campaigns the caller may read", body = crate::openapi::schemas::EventIdsEnvelope), (status = 400, description = "VALIDATION_ERROR, MISSING_PRESALE_WINDOW_DATE, INVALID_PRESALE_WINDOW_DATE_ORDER", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn event_ids(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<PresaleQuery>,
) -> Result<HttpResponse, ApiError> {
    let event_ids = state
        .queries
        .event_ids(
            &context(auth, &correlation),
            query.presale_query_start_date.as_deref(),
            query.presale_query_end_date.as_deref(),
        )
        .await?;
    Ok(Reply::ok().json(&correlation, EventIds { event_ids }))
}
