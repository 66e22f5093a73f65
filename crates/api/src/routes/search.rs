//! Artist and venue search through the Discovery API (SPEC §6, §9), for any authenticated
//! caller; cached.

use actix_web::{HttpResponse, web};
use campaign_app::search::SearchParams;
use campaign_http_types::Envelope;
use campaign_http_types::search::{ArtistPage, ArtistSummary, VenuePage, VenueSummary};

use super::{context, resource};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::http::query::SearchQuery;
use crate::openapi::responses::{
    DependencyUnavailable, InvalidParameters, TooManyRequests, Unauthenticated,
};
use crate::state::AppState;

pub(super) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(resource("/artists").route(web::get().to(artists)))
        .service(resource("/venues").route(web::get().to(venues)));
}

/// The search these query values ask for.
fn params(query: &SearchQuery) -> Result<SearchParams, ApiError> {
    // The search text's bound applies once it is normalised: the use case checks it.
    let (q, page) = query.read(usize::MAX)?;
    Ok(SearchParams { q, page })
}

/// `GET /artists?q=&page=&pageSize=`: artists from the Discovery API. 200; 400; 401; 429; 503.
#[utoipa::path(
    get,
    path = "/artists",
    tag = "search",
    security(("bearer" = [])),
    params(
        (
            "q" = String,
            Query,
            min_length = 1,
            max_length = 100,
            pattern = "[^\\s:]",
            description = "What to search for: 1-100 characters once lower-cased, `:` read as a space and runs of white space collapsed",
        ),
        ("page" = Option<u32>, Query, maximum = 1_000_000, description = "Zero-based page number (default 0)"),
        ("pageSize" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Items per page (default 10)"),
    ),
    responses(
        (status = 200, description = "One page of artists", body = Envelope<ArtistPage>),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
        (status = 429, response = TooManyRequests),
        (status = 503, response = DependencyUnavailable),
    )
)]
pub(crate) async fn artists(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .search
        .artists(&context(auth, &correlation), &params(&query)?)
        .await?;
    Ok(Reply::ok().json(
        &correlation,
        ArtistPage {
            artists: page.items.iter().map(ArtistSummary::from).collect(),
            pagination: page.pagination.into(),
        },
    ))
}

/// `GET /venues?q=&page=&pageSize=`: venues from the Discovery API. 200; 400; 401; 429; 503.
#[utoipa::path(
    get,
    path = "/venues",
    tag = "search",
    security(("bearer" = [])),
    params(
        (
            "q" = String,
            Query,
            min_length = 1,
            max_length = 100,
            pattern = "[^\\s:]",
            description = "What to search for: 1-100 characters once lower-cased, `:` read as a space and runs of white space collapsed",
        ),
        ("page" = Option<u32>, Query, maximum = 1_000_000, description = "Zero-based page number (default 0)"),
        ("pageSize" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Items per page (default 10)"),
    ),
    responses(
        (status = 200, description = "One page of venues", body = Envelope<VenuePage>),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
        (status = 429, response = TooManyRequests),
        (status = 503, response = DependencyUnavailable),
    )
)]
pub(crate) async fn venues(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = state
        .search
        .venues(&context(auth, &correlation), &params(&query)?)
        .await?;
    Ok(Reply::ok().json(
        &correlation,
        VenuePage {
            venues: page.items.iter().map(VenueSummary::from).collect(),
            pagination: page.pagination.into(),
        },
    ))
}
