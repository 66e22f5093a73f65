//! Market routes (SPEC §6 "Markets"): the markets of a campaign (list, optionally as GeoJSON;
//! create; copy from another campaign; read, update, delete one) and the supreme-only reminder
//! bookkeeping under `/markets`. `/campaigns/{id}/markets/clones` is registered before
//! `/campaigns/{id}/markets/{marketId}` so it is never read as a market id.

use actix_web::{HttpRequest, HttpResponse, web};
use campaign_app::markets::SkippedMarket as Skipped;
use campaign_domain::serde_json::Value;
use campaign_http_types::market::{
    CloneMarkets, ClonedMarkets, Market, MarketFeatureCollection, MarketIds, MarketList,
    MarketPatch, Markets, NewMarket, ReminderSchedule, SkippedMarket,
};
use campaign_http_types::values::ObjectId;
use campaign_http_types::{Envelope, ErrorEnvelope};
use serde::Deserialize;
use std::borrow::Cow;

use super::{context, resource};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::http::extract;
use crate::openapi::responses::{
    CampaignNotFound, DependencyUnavailable, InvalidBody, InvalidMarket, InvalidParameters,
    MarketNotFound, PayloadTooLarge, SupremeUserRequired, Unauthenticated, Unauthorized,
    UnsupportedMediaType, VersionConflict,
};
use crate::state::AppState;

pub(super) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(
            resource("/campaigns/{id}/markets")
                .route(web::get().to(list))
                .route(web::post().to(create)),
        )
        .service(resource("/campaigns/{id}/markets/clones").route(web::post().to(clone)))
        .service(
            resource("/campaigns/{id}/markets/{marketId}")
                .route(web::get().to(get))
                .route(web::post().to(update))
                .route(web::delete().to(delete)),
        )
        .service(resource("/markets/upcoming").route(web::get().to(upcoming)))
        .service(resource("/markets/notifyDate").route(web::post().to(notify_date)))
        .service(resource("/markets/notifiable").route(web::get().to(notifiable)))
        .service(resource("/markets/notified").route(web::post().to(notified)));
}

/// `?useGeoJson=`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListQuery {
    use_geo_json: Option<String>,
}

/// `GET /campaigns/{id}/markets?useGeoJson=`: the campaign's markets by name, or a GeoJSON
/// FeatureCollection of them. 200; 400; 401; 403 `UNAUTHORIZED`; 404 `CAMPAIGN_NOT_FOUND`.
#[utoipa::path(
    get,
    path = "/campaigns/{id}/markets",
    tag = "markets",
    security(("bearer" = [])),
    params(
        ("id" = ObjectId, Path, description = "Campaign id"),
        (
            "useGeoJson" = Option<bool>,
            Query,
            description = "Answer a GeoJSON FeatureCollection: each market a Feature with its point as geometry (null without one) and its other fields as properties (default false)",
        ),
    ),
    responses(
        (
            status = 200,
            description = "`{markets: [...]}` by name, or a GeoJSON FeatureCollection",
            body = Envelope<MarketList>,
        ),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Unauthorized),
        (status = 404, response = CampaignNotFound),
    )
)]
pub(crate) async fn list(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::campaign_id(&path)?;
    let geo = extract::flag("useGeoJson", query.use_geo_json.as_deref())?;
    let markets = state
        .markets
        .list(&context(auth, &correlation), &id)
        .await?;
    let list = if geo {
        MarketList::GeoJson(MarketFeatureCollection::from(&markets[..]))
    } else {
        MarketList::Markets(Markets::from(&markets[..]))
    };
    Ok(Reply::ok().json(&correlation, list))
}

/// `POST /campaigns/{id}/markets`: 201 with `Location` and `ETag`; 400 `VALIDATION_ERROR`,
/// `MARKET_NAME_EXISTS`, `DUPLICATE_EVENT_ID`, `INVALID_MARKET`, `MALFORMED_JSON`; 401; 403; 404;
/// 413; 415; 503 `DEPENDENCY_UNAVAILABLE`.
#[utoipa::path(
    post,
    path = "/campaigns/{id}/markets",
    tag = "markets",
    security(("bearer" = [])),
    params(("id" = ObjectId, Path, description = "Campaign id")),
    request_body = NewMarket,
    responses(
        (
            status = 201,
            description = "Created",
            body = Envelope<Market>,
            headers(("Location" = String), ("ETag" = String)),
        ),
        (status = 400, response = InvalidMarket),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Unauthorized),
        (status = 404, response = CampaignNotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 503, response = DependencyUnavailable),
    )
)]
pub(crate) async fn create(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::campaign_id(&path)?;
    let market = state
        .markets
        .create(&context(auth, &correlation), &id, &body)
        .await?;
    Ok(
        Reply::created(format!("/campaigns/{}/markets/{}", id, market.id))
            .etag(market.version)
            .json(&correlation, Market::from(&market)),
    )
}

/// A skipped source market as answered: the error type and message of its reason.
fn skipped(s: &Skipped) -> SkippedMarket<'_> {
    SkippedMarket {
        id: Cow::Borrowed(&s.id),
        name: Cow::Borrowed(&s.name),
        reason: ApiError::from(s.reason.clone()).classify().1,
        message: Cow::Owned(s.reason.to_string()),
    }
}

/// `POST /campaigns/{id}/markets/clones` with `{fromCampaignId}`: copies that campaign's markets
/// here. 200 `{cloned, skipped}`; 400 (also for a `fromCampaignId` that names no campaign);
/// 401; 403 (needs `write` here and `read` there); 404 when the target does not exist.
#[utoipa::path(
    post,
    path = "/campaigns/{id}/markets/clones",
    tag = "markets",
    security(("bearer" = [])),
    params(("id" = ObjectId, Path, description = "Target campaign id")),
    request_body = CloneMarkets,
    responses(
        (
            status = 200,
            description = "The markets created here, and the source markets skipped with the reason (a name the target already has, a presale time outside the target's window); event ids the target already uses are dropped from the copies",
            body = Envelope<ClonedMarkets>,
        ),
        (status = 400, response = InvalidBody),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Unauthorized),
        (status = 404, response = CampaignNotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub(crate) async fn clone(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::campaign_id(&path)?;
    let outcome = state
        .markets
        .clone_from(&context(auth, &correlation), &id, &body)
        .await?;
    Ok(Reply::ok().json(
        &correlation,
        ClonedMarkets {
            cloned: outcome.cloned.iter().map(Market::from).collect(),
            skipped: outcome.skipped.iter().map(skipped).collect(),
        },
    ))
}

/// `GET /campaigns/{id}/markets/{marketId}`: the market, with `ETag`. 200; 400; 401; 403; 404
/// `CAMPAIGN_NOT_FOUND`, `MARKET_NOT_FOUND`.
#[utoipa::path(
    get,
    path = "/campaigns/{id}/markets/{marketId}",
    tag = "markets",
    security(("bearer" = [])),
    params(
        ("id" = ObjectId, Path, description = "Campaign id"),
        ("marketId" = ObjectId, Path, description = "Market id"),
    ),
    responses(
        (status = 200, description = "The market", body = Envelope<Market>, headers(("ETag" = String))),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Unauthorized),
        (status = 404, response = MarketNotFound),
    )
)]
pub(crate) async fn get(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::campaign_id(&path.0)?;
    let market_id = extract::market_id(&path.1)?;
    let market = state
        .markets
        .get(&context(auth, &correlation), &id, &market_id)
        .await?;
    Ok(Reply::ok()
        .etag(market.version)
        .json(&correlation, Market::from(&market)))
}

/// `POST /campaigns/{id}/markets/{marketId}`: merge update, `If-Match`. 200 with `ETag`; 400;
/// 401; 403; 404; 409 `VERSION_CONFLICT`; 413; 415; 503.
#[utoipa::path(
    post,
    path = "/campaigns/{id}/markets/{marketId}",
    tag = "markets",
    security(("bearer" = [])),
    params(
        ("id" = ObjectId, Path, description = "Campaign id"),
        ("marketId" = ObjectId, Path, description = "Market id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on"),
    ),
    request_body(
        content = MarketPatch,
        description = "JSON merge patch (objects merge, arrays are replaced as a whole, `null` removes)",
    ),
    responses(
        (status = 200, description = "The updated market", body = Envelope<Market>, headers(("ETag" = String))),
        (status = 400, response = InvalidMarket),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Unauthorized),
        (status = 404, response = MarketNotFound),
        (status = 409, response = VersionConflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 503, response = DependencyUnavailable),
    )
)]
pub(crate) async fn update(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::campaign_id(&path.0)?;
    let market_id = extract::market_id(&path.1)?;
    let if_match = extract::if_match(&req)?;
    let market = state
        .markets
        .update(
            &context(auth, &correlation),
            &id,
            &market_id,
            &body,
            if_match,
        )
        .await?;
    Ok(Reply::ok()
        .etag(market.version)
        .json(&correlation, Market::from(&market)))
}

/// `DELETE /campaigns/{id}/markets/{marketId}`: 204 without a body; honours `If-Match`. 400; 401;
/// 403; 404; 409.
#[utoipa::path(
    delete,
    path = "/campaigns/{id}/markets/{marketId}",
    tag = "markets",
    security(("bearer" = [])),
    params(
        ("id" = ObjectId, Path, description = "Campaign id"),
        ("marketId" = ObjectId, Path, description = "Market id"),
        ("If-Match" = Option<String>, Header, description = "Delete only at this version"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = InvalidParameters),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Unauthorized),
        (status = 404, response = MarketNotFound),
        (status = 409, response = VersionConflict),
    )
)]
pub(crate) async fn delete(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::campaign_id(&path.0)?;
    let market_id = extract::market_id(&path.1)?;
    let if_match = extract::if_match(&req)?;
    state
        .markets
        .delete(&context(auth, &correlation), &id, &market_id, if_match)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /markets/upcoming` (supreme): markets whose presale starts between now+2h and now+27h,
/// in campaigns with `options.automatedReminders`. 200; 401; 403.
#[utoipa::path(
    get,
    path = "/markets/upcoming",
    tag = "reminders",
    security(("bearer" = [])),
    responses(
        (
            status = 200,
            description = "`{markets}` whose presale starts 2 to 27 hours from now, in campaigns with `options.automatedReminders`, by presale time",
            body = Envelope<Markets>,
        ),
        (status = 401, response = Unauthenticated),
        (status = 403, response = SupremeUserRequired),
    )
)]
pub(crate) async fn upcoming(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let markets = state.markets.upcoming(&context(auth, &correlation)).await?;
    Ok(Reply::ok().json(&correlation, Markets::from(&markets[..])))
}

/// `POST /markets/notifyDate` (supreme) with `{marketIds, notificationDate}`: schedules the
/// reminders. 200 `{markets}`; 400 `VALIDATION_ERROR` naming `marketIds[i]` (nothing changed);
/// 401; 403; 404, 409, 503 part way (below); 413; 415.
///
/// Not all or nothing: after the checks each market is its own conditional write with its
/// messages, so a failure part way (503 when the store cannot be reached, 404 for a market or
/// its campaign gone meanwhile, 409 after repeated concurrent changes) leaves the markets before it
/// changed and the rest untouched. Sending the body again is safe: it sets the same date on
/// every market again. (Under the same `Idempotency-Key` a retry runs again only after a 5xx
/// answer; a 404 or 409 answer is kept and replayed, so such a retry needs a new key.)
#[utoipa::path(
    post,
    path = "/markets/notifyDate",
    tag = "reminders",
    security(("bearer" = [])),
    request_body = ReminderSchedule,
    responses(
        (status = 200, description = "`{markets}` as changed", body = Envelope<Markets>),
        (
            status = 400,
            description = "VALIDATION_ERROR (details name `marketIds[i]` for an unknown market, a market without a presale time, or a date not between now and its presale time), MALFORMED_JSON",
            body = ErrorEnvelope,
        ),
        (status = 401, response = Unauthenticated),
        (status = 403, response = SupremeUserRequired),
        (status = 413, response = PayloadTooLarge),
        (status = 404, response = MarketNotFound),
        (status = 409, response = VersionConflict),
        (status = 415, response = UnsupportedMediaType),
        (status = 503, response = DependencyUnavailable),
    )
)]
pub(crate) async fn notify_date(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let markets = state
        .markets
        .schedule_reminders(&context(auth, &correlation), &body)
        .await?;
    Ok(Reply::ok().json(&correlation, Markets::from(&markets[..])))
}

/// `GET /markets/notifiable` (supreme): markets whose reminder is due and not yet sent. 200;
/// 401; 403.
#[utoipa::path(
    get,
    path = "/markets/notifiable",
    tag = "reminders",
    security(("bearer" = [])),
    responses(
        (
            status = 200,
            description = "`{markets}` with `notification.date` ≤ now and no `notification.notified`, by date",
            body = Envelope<Markets>,
        ),
        (status = 401, response = Unauthenticated),
        (status = 403, response = SupremeUserRequired),
    )
)]
pub(crate) async fn notifiable(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let markets = state
        .markets
        .notifiable(&context(auth, &correlation))
        .await?;
    Ok(Reply::ok().json(&correlation, Markets::from(&markets[..])))
}

/// `POST /markets/notified` (supreme) with `{marketIds}`: marks them notified now. 200
/// `{markets}`; 400 (nothing changed); 401; 403; 404, 409, 503 part way (below); 413; 415.
///
/// Not all or nothing, like `/markets/notifyDate`: each market is its own conditional write with
/// its messages, so a failure part way leaves the markets before it marked and the rest
/// untouched. Sending the body again is safe: every market is marked again, `notified` moving
/// to the retry's time for those already marked.
#[utoipa::path(
    post,
    path = "/markets/notified",
    tag = "reminders",
    security(("bearer" = [])),
    request_body = MarketIds,
    responses(
        (status = 200, description = "`{markets}` as changed", body = Envelope<Markets>),
        (
            status = 400,
            description = "VALIDATION_ERROR (details name `marketIds[i]` for an unknown market), MALFORMED_JSON",
            body = ErrorEnvelope,
        ),
        (status = 401, response = Unauthenticated),
        (status = 403, response = SupremeUserRequired),
        (status = 413, response = PayloadTooLarge),
        (status = 404, response = MarketNotFound),
        (status = 409, response = VersionConflict),
        (status = 415, response = UnsupportedMediaType),
        (status = 503, response = DependencyUnavailable),
    )
)]
pub(crate) async fn notified(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let markets = state
        .markets
        .mark_notified(&context(auth, &correlation), &body)
        .await?;
    Ok(Reply::ok().json(&correlation, Markets::from(&markets[..])))
}
