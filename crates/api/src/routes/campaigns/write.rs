//! Campaign writes: create, update, refresh.

use actix_web::{HttpRequest, HttpResponse, web};
use campaign_domain::serde_json::Value;

use super::context;
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::http::correlation::Correlation;
use crate::http::envelope::Reply;
use crate::http::extract;
use crate::state::AppState;

/// `POST /campaigns` (supreme): 201 with `Location` and `ETag`; 400 `VALIDATION_ERROR`,
/// `INVALID_CAMPAIGN`, `INVALID_STATUS_TRANSITION`, `DOMAIN_NAME_CONFLICT`, `MALFORMED_JSON`;
/// 401; 403 `SUPREME_USER_REQUIRED`; 413; 415.
#[utoipa::path(post, path = "/campaigns", tag = "campaigns", security(("bearer" = [])), request_body = crate::openapi::schemas::CampaignDoc, responses((status = 201, description = "Created; `Location` and `ETag` headers", body = crate::openapi::schemas::CampaignEnvelope), (status = 400, description = "VALIDATION_ERROR, INVALID_CAMPAIGN, INVALID_STATUS_TRANSITION, DOMAIN_NAME_CONFLICT, MALFORMED_JSON", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "SUPREME_USER_REQUIRED", body = crate::openapi::schemas::ErrorEnvelope), (status = 413, description = "PAYLOAD_TOO_LARGE", body = crate::openapi::schemas::ErrorEnvelope), (status = 415, description = "UNSUPPORTED_MEDIA_TYPE", body = crate::openapi::schemas::ErrorEnvelope)))]
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
        .json(&correlation, &campaign))
}

/// `POST /campaigns/{id}`: merge update, manual status change, `If-Match`. 200 with `ETag`;
/// 400; 401; 403; 404; 409 `VERSION_CONFLICT`; 413; 415.
#[utoipa::path(post, path = "/campaigns/{id}", tag = "campaigns", security(("bearer" = [])), params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version the change is based on")), request_body(content = crate::openapi::schemas::CampaignDoc, description = "JSON merge patch"), responses((status = 200, description = "The updated campaign; `ETag` header", body = crate::openapi::schemas::CampaignEnvelope), (status = 400, description = "VALIDATION_ERROR, INVALID_CAMPAIGN, INVALID_STATUS_TRANSITION, DOMAIN_NAME_CONFLICT, MALFORMED_JSON", body = crate::openapi::schemas::ErrorEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "UNAUTHORIZED", body = crate::openapi::schemas::ErrorEnvelope), (status = 404, description = "CAMPAIGN_NOT_FOUND", body = crate::openapi::schemas::ErrorEnvelope), (status = 409, description = "VERSION_CONFLICT", body = crate::openapi::schemas::ErrorEnvelope), (status = 413, description = "PAYLOAD_TOO_LARGE", body = crate::openapi::schemas::ErrorEnvelope), (status = 415, description = "UNSUPPORTED_MEDIA_TYPE", body = crate::openapi::schemas::ErrorEnvelope)))]
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
        .json(&correlation, &campaign))
}

/// `POST /campaigns/refresh` (supreme): `{opened, closed, inactivated, skipped}`. 200; 401; 403.
#[utoipa::path(post, path = "/campaigns/refresh", tag = "campaigns", security(("bearer" = [])), responses((status = 200, description = "What the run changed", body = crate::openapi::schemas::RefreshEnvelope), (status = 401, description = "UNAUTHENTICATED", body = crate::openapi::schemas::ErrorEnvelope), (status = 403, description = "SUPREME_USER_REQUIRED", body = crate::openapi::schemas::ErrorEnvelope)))]
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
    Ok(Reply::ok().json(&correlation, summary))
}
