//! Artist and venue search through the Discovery API (SPEC §6, §9), for any authenticated
//! caller; cached.

use actix_web::{HttpResponse, web};
use campaign_app::search::SearchParams;
use campaign_domain::paging::Pagination;
use campaign_domain::search::{ArtistSummary, VenueSummary};
use serde::{Deserialize, Serialize};

use super::{context, resource};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::state::AppState;

pub(super) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(resource("/artists").route(web::get().to(artists)))
        .service(resource("/venues").route(web::get().to(venues)));
}

/// `?q=&page=&pageSize=`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SearchQuery {
    q: Option<String>,
    page: Option<String>,
    page_size: Option<String>,
}

impl SearchQuery {
    fn into_params(self) -> SearchParams {
        SearchParams {
            q: self.q,
            page: self.page,
            page_size: self.page_size,
        }
    }
}

#[derive(Debug, Serialize)]
struct Artists {
    artists: Vec<ArtistSummary>,
    pagination: Pagination,
}

#[derive(Debug, Serialize)]
struct Venues {
    venues: Vec<VenueSummary>,
    pagination: Pagination,
}

/// `GET /artists?q=&page=&pageSize=`: artists from the Discovery API. 200; 400; 401;  429; 503.
#[utoipa::path(get, path = "/artists", tag = "search", security(("bearer" = [])), params(("q" = String, Query, description = "1-100 characters"), ("page" = Option<u32>, Query), ("pageSize" = Option<u32>, Query, description = "1-100, default 10")), responses((status = 200, description = "One page of artists", body = crate::openapi::schemas::ArtistListEnvelope), (status = 400, description = "VALIDATION_ERROR", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 429, description = "TOO_MANY_REQUESTS: the caller's search limit is reached; retry after `Retry-After` seconds", body = crate::openapi::schemas::ErrorEnvelope), (status = 503, description = "DEPENDENCY_UNAVAILABLE (Discovery API not configured or failing)", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn artists(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .search
        .artists(
            &context(auth, &correlation),
            &query.into_inner().into_params(),
        )
        .await?;
    Ok(Reply::ok().json(
        &correlation,
        Artists {
            artists: page.items,
            pagination: page.pagination,
        },
    ))
}

/// `GET /venues?q=&page=&pageSize=`: venues from the Discovery API. 200; 400; 401;  429; 503.
#[utoipa::path(get, path = "/venues", tag = "search", security(("bearer" = [])), params(("q" = String, Query, description = "1-100 characters"), ("page" = Option<u32>, Query), ("pageSize" = Option<u32>, Query, description = "1-100, default 10")), responses((status = 200, description = "One page of venues", body = crate::openapi::schemas::VenueListEnvelope), (status = 400, description = "VALIDATION_ERROR", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 429, description = "TOO_MANY_REQUESTS: the caller's search limit is reached; retry after `Retry-After` seconds", body = crate::openapi::schemas::ErrorEnvelope), (status = 503, description = "DEPENDENCY_UNAVAILABLE (Discovery API not configured or failing)", body = crate::openapi::schemas::ErrorEnvelope)))]
pub(crate) async fn venues(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .search
        .venues(
            &context(auth, &correlation),
            &query.into_inner().into_params(),
        )
        .await?;
    Ok(Reply::ok().json(
        &correlation,
        Venues {
            venues: page.items,
            pagination: page.pagination,
        },
    ))
}
