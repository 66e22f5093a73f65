//! Campaign writes: create, update, refresh.

use actix_web::{HttpRequest, HttpResponse, web};
use campaign_domain::serde_json::Value;
use campaign_http_types::Envelope;
use campaign_http_types::campaign::{Campaign, RefreshSummary};
use campaign_http_types::campaign_input::{CampaignPatch, NewCampaign};
use campaign_http_types::values::ObjectId;

use super::context;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::http::extract;
use crate::openapi::responses::{
    CampaignNotFound, InvalidCampaign, PayloadTooLarge, SupremeUserRequired, Unauthenticated,
    Unauthorized, UnsupportedMediaType, VersionConflict,
};
use crate::state::AppState;

/// `POST /campaigns` (supreme): 201 with `Location` and `ETag`; 400 `VALIDATION_ERROR`,
/// `INVALID_CAMPAIGN`, `INVALID_STATUS_TRANSITION`, `DOMAIN_NAME_CONFLICT`, `MALFORMED_JSON`;
/// 401; 403 `SUPREME_USER_REQUIRED`; 413; 415.
#[utoipa::path(
    post,
    path = "/campaigns",
    tag = "campaigns",
    security(("bearer" = [])),
    request_body = NewCampaign,
    responses(
        (
            status = 201,
            description = "Created",
            body = Envelope<Campaign>,
            headers(("Location" = String), ("ETag" = String)),
        ),
        (status = 400, response = InvalidCampaign),
        (status = 401, response = Unauthenticated),
        (status = 403, response = SupremeUserRequired),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub(crate) async fn create(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let campaign = state
        .campaigns
        .create(&context(auth, &correlation), &body)
        .await?;
    Ok(Reply::created(format!("/campaigns/{}", campaign.id))
        .etag(campaign.version)
        .json(&correlation, Campaign::from(&campaign)))
}

/// `POST /campaigns/{id}`: merge update, manual status change, `If-Match`. 200 with `ETag`;
/// 400; 401; 403; 404; 409 `VERSION_CONFLICT`; 413; 415.
#[utoipa::path(
    post,
    path = "/campaigns/{id}",
    tag = "campaigns",
    security(("bearer" = [])),
    params(
        ("id" = ObjectId, Path, description = "Campaign id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on"),
    ),
    request_body(
        content = CampaignPatch,
        description = "JSON merge patch (RFC 7396) of the campaign; `status` asks for a transition",
    ),
    responses(
        (status = 200, description = "The updated campaign", body = Envelope<Campaign>, headers(("ETag" = String))),
        (status = 400, response = InvalidCampaign),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Unauthorized),
        (status = 404, response = CampaignNotFound),
        (status = 409, response = VersionConflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub(crate) async fn update(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::campaign_id(&path)?;
    let if_match = extract::if_match(&req)?;
    let campaign = state
        .campaigns
        .update(&context(auth, &correlation), &id, &body, if_match)
        .await?;
    Ok(Reply::ok()
        .etag(campaign.version)
        .json(&correlation, Campaign::from(&campaign)))
}

/// `POST /campaigns/refresh` (supreme): `{opened, closed, inactivated, skipped}`. 200; 401; 403.
#[utoipa::path(
    post,
    path = "/campaigns/refresh",
    tag = "campaigns",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What the run changed", body = Envelope<RefreshSummary>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = SupremeUserRequired),
    )
)]
pub(crate) async fn refresh(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let summary = state
        .campaigns
        .refresh_now(&context(auth, &correlation))
        .await?;
    crate::telemetry::metrics::record_refresh(
        summary.opened,
        summary.closed,
        summary.inactivated,
        summary.skipped,
    );
    Ok(Reply::ok().json(&correlation, RefreshSummary::from(summary)))
}
