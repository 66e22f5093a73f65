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
pub(super) async fn create(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let campaign = state.campaigns.create(&context(auth, &correlation), &body).await?;
    Ok(Reply::created(format!("/campaigns/{}", campaign.id)).etag(campaign.version).json(&correlation, &campaign))
}

/// `POST /campaigns/{id}`: merge update, manual status change, `If-Match`. 200 with `ETag`;
/// 400; 401; 403; 404; 409 `VERSION_CONFLICT`; 413; 415.
pub(super) async fn update(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = extract::campaign_id(&path)?;
    let if_match = extract::if_match(&req)?;
    let campaign = state.campaigns.update(&context(auth, &correlation), &id, &body, if_match).await?;
    Ok(Reply::ok().etag(campaign.version).json(&correlation, &campaign))
}

/// `POST /campaigns/refresh` (supreme): `{opened, closed, inactivated, skipped}`. 200; 401; 403.
pub(super) async fn refresh(
    auth: Authenticated,
    correlation: Correlation,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let summary = state.campaigns.refresh_now(&context(auth, &correlation)).await?;
    crate::telemetry::metrics::record_refresh(summary.opened, summary.closed, summary.inactivated, summary.skipped);
    Ok(Reply::ok().json(&correlation, summary))
}
