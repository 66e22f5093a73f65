//! The error answers every operation shares, declared once as `#/components/responses/*` and
//! named by the operations (`(status = 401, response = Unauthenticated)`). Each carries the
//! error envelope the service really serialises (`campaign_http_types::ErrorEnvelope`).

#![allow(
    dead_code,
    reason = "response declarations: read by the OpenAPI derive, never built"
)]

use campaign_http_types::ErrorEnvelope;
use utoipa::ToResponse;

/// 400 `VALIDATION_ERROR`: a parameter fails its rule; `details` names each.
#[derive(ToResponse)]
#[response(description = "VALIDATION_ERROR: a parameter fails its rule; `details` names each")]
pub(crate) struct InvalidParameters(ErrorEnvelope<'static>);

/// 400 for a body: `VALIDATION_ERROR` (every failing field in `details`) or `MALFORMED_JSON`.
#[derive(ToResponse)]
#[response(description = "VALIDATION_ERROR (every failing field in `details`) or MALFORMED_JSON")]
pub(crate) struct InvalidBody(ErrorEnvelope<'static>);

/// 401 `UNAUTHENTICATED`.
#[derive(ToResponse)]
#[response(
    description = "UNAUTHENTICATED: the bearer token is missing, malformed, expired or not signed by a known key"
)]
pub(crate) struct Unauthenticated(ErrorEnvelope<'static>);

/// 403 `SUPREME_USER_REQUIRED`.
#[derive(ToResponse)]
#[response(description = "SUPREME_USER_REQUIRED: only supreme users may do this")]
pub(crate) struct SupremeUserRequired(ErrorEnvelope<'static>);

/// 403 `UNAUTHORIZED`.
#[derive(ToResponse)]
#[response(description = "UNAUTHORIZED: the token does not allow this on this campaign")]
pub(crate) struct Unauthorized(ErrorEnvelope<'static>);

/// 404 `CAMPAIGN_NOT_FOUND`.
#[derive(ToResponse)]
#[response(description = "CAMPAIGN_NOT_FOUND")]
pub(crate) struct CampaignNotFound(ErrorEnvelope<'static>);

/// 404 `PROMOTER_NOT_FOUND`.
#[derive(ToResponse)]
#[response(description = "PROMOTER_NOT_FOUND")]
pub(crate) struct PromoterNotFound(ErrorEnvelope<'static>);

/// 404 on a market: `CAMPAIGN_NOT_FOUND` or `MARKET_NOT_FOUND`.
#[derive(ToResponse)]
#[response(description = "CAMPAIGN_NOT_FOUND or MARKET_NOT_FOUND")]
pub(crate) struct MarketNotFound(ErrorEnvelope<'static>);

/// 400 for a market body: `VALIDATION_ERROR`, `MARKET_NAME_EXISTS`, `DUPLICATE_EVENT_ID`,
/// `INVALID_MARKET` or `MALFORMED_JSON`.
#[derive(ToResponse)]
#[response(
    description = "VALIDATION_ERROR (every failing field in `details`), MARKET_NAME_EXISTS, DUPLICATE_EVENT_ID, INVALID_MARKET (the presale time lies outside the campaign's presale window) or MALFORMED_JSON"
)]
pub(crate) struct InvalidMarket(ErrorEnvelope<'static>);

/// 429 `TOO_MANY_REQUESTS`, with `Retry-After`.
#[derive(ToResponse)]
#[response(
    description = "TOO_MANY_REQUESTS: the caller's limit is reached; retry after `Retry-After` seconds",
    headers(("Retry-After" = u64, description = "Seconds to wait before retrying"))
)]
pub(crate) struct TooManyRequests(ErrorEnvelope<'static>);

/// 409 `VERSION_CONFLICT`.
#[derive(ToResponse)]
#[response(description = "VERSION_CONFLICT: `If-Match` names a version that is no longer current")]
pub(crate) struct VersionConflict(ErrorEnvelope<'static>);

/// 413 `PAYLOAD_TOO_LARGE`.
#[derive(ToResponse)]
#[response(description = "PAYLOAD_TOO_LARGE: the body is larger than the service accepts")]
pub(crate) struct PayloadTooLarge(ErrorEnvelope<'static>);

/// 415 `UNSUPPORTED_MEDIA_TYPE`.
#[derive(ToResponse)]
#[response(description = "UNSUPPORTED_MEDIA_TYPE: the body must be application/json")]
pub(crate) struct UnsupportedMediaType(ErrorEnvelope<'static>);

/// 503 `DEPENDENCY_UNAVAILABLE`.
#[derive(ToResponse)]
#[response(description = "DEPENDENCY_UNAVAILABLE: a service this operation needs is unavailable")]
pub(crate) struct DependencyUnavailable(ErrorEnvelope<'static>);

/// 409 `IDEMPOTENCY_KEY_IN_PROGRESS` (any POST with an `Idempotency-Key`).
#[derive(ToResponse)]
#[response(
    description = "IDEMPOTENCY_KEY_IN_PROGRESS: a request with this Idempotency-Key is still running; retry later"
)]
pub(crate) struct IdempotencyKeyInProgress(ErrorEnvelope<'static>);

/// 422 `IDEMPOTENCY_KEY_REUSED` (any POST with an `Idempotency-Key`).
#[derive(ToResponse)]
#[response(
    description = "IDEMPOTENCY_KEY_REUSED: this Idempotency-Key was used with another request"
)]
pub(crate) struct IdempotencyKeyReused(ErrorEnvelope<'static>);

/// 400 for a campaign body: `VALIDATION_ERROR`, `INVALID_CAMPAIGN`, `INVALID_STATUS_TRANSITION`,
/// `DOMAIN_NAME_CONFLICT` or `MALFORMED_JSON`.
#[derive(ToResponse)]
#[response(
    description = "VALIDATION_ERROR (every failing field in `details`; outside DRAFT also every field the whole campaign needs), INVALID_CAMPAIGN (close not after open, presale window end not after its start), INVALID_STATUS_TRANSITION, DOMAIN_NAME_CONFLICT (another campaign holds the site or preview domain) or MALFORMED_JSON"
)]
pub(crate) struct InvalidCampaign(ErrorEnvelope<'static>);

/// 401 on a read by domain: `UNAUTHENTICATED` or `INVALID_CAMPAIGN_PASSWORD`.
#[derive(ToResponse)]
#[response(
    description = "UNAUTHENTICATED (no valid bearer token) or INVALID_CAMPAIGN_PASSWORD (the campaign is password-protected, the caller may not read it otherwise, and `password` is missing or wrong)"
)]
pub(crate) struct InvalidCampaignPassword(ErrorEnvelope<'static>);

/// 429 `TOO_MANY_REQUESTS` on a read by domain: too many wrong passwords, with `Retry-After`.
#[derive(ToResponse)]
#[response(
    description = "TOO_MANY_REQUESTS: too many wrong passwords for this campaign from this caller; every attempt with a password is refused until `Retry-After` seconds have passed",
    headers(("Retry-After" = u64, description = "Seconds to wait before retrying"))
)]
pub(crate) struct TooManyPasswordAttempts(ErrorEnvelope<'static>);

/// 400 on a presale range query: `VALIDATION_ERROR`, `MISSING_PRESALE_WINDOW_DATE` or
/// `INVALID_PRESALE_WINDOW_DATE_ORDER`.
#[derive(ToResponse)]
#[response(
    description = "VALIDATION_ERROR (a date is not RFC 3339), MISSING_PRESALE_WINDOW_DATE (only one of the two dates is given) or INVALID_PRESALE_WINDOW_DATE_ORDER (the end lies before the start)"
)]
pub(crate) struct InvalidPresaleRange(ErrorEnvelope<'static>);
