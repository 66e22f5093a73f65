//! Campaign queries of internal services: by event, ids by category, and the category and event
//! ids of campaigns whose presale window overlaps a range. Any valid token may ask; answers hold
//! only the campaigns the caller may read. `/campaigns/events` answers one page at a time.

use actix_web::{HttpResponse, web};
use campaign_app::queries::EVENT_CAMPAIGNS_PAGE_SIZE;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::paging::PageRequest;
use campaign_domain::values::CategoryId;
use campaign_http_types::Envelope;
use campaign_http_types::campaign::CampaignPage;
use campaign_http_types::campaign_query::{CampaignIds, CategoryIds};
use campaign_http_types::event::EventIds;
use campaign_http_types::values::EventId;
use serde::Deserialize;

use super::context;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::http::query::QueryReader;
use crate::openapi::responses::{InvalidParameters, InvalidPresaleRange, Unauthenticated};
use crate::state::AppState;

/// `?eventId=&page=&pageSize=`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EventQuery {
    event_id: Option<String>,
    page: Option<String>,
    page_size: Option<String>,
}

impl EventQuery {
    /// The event (required) and the page (default size [`EVENT_CAMPAIGNS_PAGE_SIZE`]).
    fn read(&self) -> Result<(campaign_domain::values::EventId, PageRequest), ApiError> {
        let mut r = QueryReader::new();
        let event_id = r.required(
            "eventId",
            self.event_id.as_deref(),
            campaign_domain::values::EventId::parse,
        );
        let page = r.page_sized(
            self.page.as_deref(),
            self.page_size.as_deref(),
            EVENT_CAMPAIGNS_PAGE_SIZE,
        );
        r.finish_required("eventId", event_id.map(|id| (id, page)))
    }
}

/// `GET /campaigns/events?eventId=&page=&pageSize=`: one page of the campaigns covering the
/// event (SPEC §7.6), by id, with the total. 200; 400; 401.
#[utoipa::path(
    get,
    path = "/campaigns/events",
    tag = "campaign queries",
    security(("bearer" = [])),
    params(
        ("eventId" = EventId, Query, description = "Ticketing event id"),
        ("page" = Option<u32>, Query, maximum = 1_000_000, description = "Zero-based page number (default 0)"),
        ("pageSize" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Items per page (default 100)"),
    ),
    responses(
        (
            status = 200,
            description = "One page, by id, of the campaigns (neither DRAFT nor PREVIEW, with a presale window start) whose markets list the event or whose own eventIds contain it, among those the caller may read; pagination.total counts them all",
            body = Envelope<CampaignPage>,
        ),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
    )
)]
pub(crate) async fn by_event(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<EventQuery>,
) -> Result<HttpResponse, ApiError> {
    let (event_id, page) = query.read()?;
    let page = state
        .queries
        .by_event(&context(auth, &correlation), &event_id, page)
        .await?;
    Ok(Reply::ok().json(
        &correlation,
        CampaignPage::new(&page.items, page.pagination.into()),
    ))
}

/// `?categoryIds=a,b`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CategoryQuery {
    category_ids: Option<String>,
}

impl CategoryQuery {
    /// The category ids named, each once, in the order given.
    fn read(&self) -> Result<Vec<CategoryId>, ApiError> {
        let mut r = QueryReader::new();
        let ids = r.list(
            "categoryIds",
            self.category_ids.as_deref(),
            CategoryId::parse,
        );
        r.finish(ids)
    }
}

/// `GET /campaigns/ids?categoryIds=a,b`: ids of campaigns with one of those category ids.
/// 200; 400; 401.
#[utoipa::path(
    get,
    path = "/campaigns/ids",
    tag = "campaign queries",
    security(("bearer" = [])),
    params((
        "categoryIds" = String,
        Query,
        pattern = "^(\\s*,)*\\s*[A-Za-z0-9._-]{1,64}\\s*(,\\s*([A-Za-z0-9._-]{1,64}\\s*)?)*$",
        description = "1-100 distinct category ids separated by commas (white space around each and empty entries are ignored)",
    )),
    responses(
        (status = 200, description = "Sorted ids of the campaigns the caller may read", body = Envelope<CampaignIds>),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
    )
)]
pub(crate) async fn ids_by_category(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<CategoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let campaign_ids = state
        .queries
        .ids_by_category(&context(auth, &correlation), &query.read()?)
        .await?;
    Ok(Reply::ok().json(&correlation, CampaignIds::from(&campaign_ids[..])))
}

/// `?presaleQueryStartDate=&presaleQueryEndDate=`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PresaleQuery {
    presale_query_start_date: Option<String>,
    presale_query_end_date: Option<String>,
}

/// The two ends of a presale range as given (whether they make a range is the use case's rule).
type RangeEnds = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

impl PresaleQuery {
    /// The start and the end, each an RFC 3339 date-time when given.
    fn read(&self) -> Result<RangeEnds, ApiError> {
        let mut r = QueryReader::new();
        let start = r.instant(
            "presaleQueryStartDate",
            self.presale_query_start_date.as_deref(),
        );
        let end = r.instant(
            "presaleQueryEndDate",
            self.presale_query_end_date.as_deref(),
        );
        r.finish((start, end))
    }
}

/// `GET /campaigns/categoryIds`: category ids of campaigns whose presale window overlaps the
/// range. 200; 400 `VALIDATION_ERROR`, `MISSING_PRESALE_WINDOW_DATE`,
/// `INVALID_PRESALE_WINDOW_DATE_ORDER`; 401.
#[utoipa::path(
    get,
    path = "/campaigns/categoryIds",
    tag = "campaign queries",
    security(("bearer" = [])),
    params(
        (
            "presaleQueryStartDate" = Option<String>,
            Query,
            format = DateTime,
            description = "Start of the range (RFC 3339); give both dates or neither (neither is now)",
        ),
        (
            "presaleQueryEndDate" = Option<String>,
            Query,
            format = DateTime,
            description = "End of the range (RFC 3339), not before the start",
        ),
    ),
    responses(
        (
            status = 200,
            description = "Sorted, de-duplicated category ids of the campaigns the caller may read",
            body = Envelope<CategoryIds>,
        ),
        (status = 400, response = InvalidPresaleRange),
        (status = 401, response = Unauthenticated),
    )
)]
pub(crate) async fn category_ids(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<PresaleQuery>,
) -> Result<HttpResponse, ApiError> {
    let (start, end) = query.read()?;
    let category_ids = state
        .queries
        .category_ids(&context(auth, &correlation), start, end)
        .await?;
    Ok(Reply::ok().json(&correlation, CategoryIds::from(&category_ids[..])))
}

/// `GET /campaigns/eventIds`: event ids of the markets of campaigns whose presale window
/// overlaps the range. 200; 400 as for `/campaigns/categoryIds`; 401.
#[utoipa::path(
    get,
    path = "/campaigns/eventIds",
    tag = "campaign queries",
    security(("bearer" = [])),
    params(
        (
            "presaleQueryStartDate" = Option<String>,
            Query,
            format = DateTime,
            description = "Start of the range (RFC 3339); give both dates or neither (neither is now)",
        ),
        (
            "presaleQueryEndDate" = Option<String>,
            Query,
            format = DateTime,
            description = "End of the range (RFC 3339), not before the start",
        ),
    ),
    responses(
        (
            status = 200,
            description = "Sorted, de-duplicated event ids of the markets of the campaigns the caller may read",
            body = Envelope<EventIds>,
        ),
        (status = 400, response = InvalidPresaleRange),
        (status = 401, response = Unauthenticated),
    )
)]
pub(crate) async fn event_ids(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    query: web::Query<PresaleQuery>,
) -> Result<HttpResponse, ApiError> {
    let (start, end) = query.read()?;
    let event_ids = state
        .queries
        .event_ids(&context(auth, &correlation), start, end)
        .await?;
    Ok(Reply::ok().json(&correlation, EventIds::from(&event_ids[..])))
}
