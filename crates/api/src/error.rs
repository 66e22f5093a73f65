//! The one mapping from domain errors to HTTP (SPEC §4).
//!
//! Error policy: handlers and extractors return [`ApiError`], a `DomainError` on its way out.
//! Its status comes from the single table in [`status_of`]; the body — the error envelope with
//! the request's correlation id — is written by the error-envelope middleware, which is the only
//! place that knows the correlation id of every response. Nothing a driver, adapter or panic
//! says reaches a client: an `INTERNAL_ERROR` is logged in full and answered with a generic
//! message.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use campaign_domain::DomainError;

/// A domain error leaving through HTTP.
#[derive(Debug)]
pub struct ApiError(pub DomainError);

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        Self(error)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The HTTP status of each error type.
pub fn status_of(error: &DomainError) -> StatusCode {
    match error {
        DomainError::Validation(_)
        | DomainError::InvalidCampaign { .. }
        | DomainError::DomainNameConflict { .. }
        | DomainError::InvalidStatusTransition { .. }
        | DomainError::MarketNameExists { .. }
        | DomainError::DuplicateEventId { .. }
        | DomainError::InvalidMarket { .. }
        | DomainError::MissingPresaleWindowDate
        | DomainError::InvalidPresaleWindowDateOrder
        | DomainError::MalformedJson(_) => StatusCode::BAD_REQUEST,
        DomainError::Unauthenticated(_) | DomainError::InvalidCampaignPassword => {
            StatusCode::UNAUTHORIZED
        }
        DomainError::Unauthorized { .. } | DomainError::SupremeUserRequired => {
            StatusCode::FORBIDDEN
        }
        DomainError::CampaignNotFound
        | DomainError::MarketNotFound
        | DomainError::PromoterNotFound
        | DomainError::NotFound(_) => StatusCode::NOT_FOUND,
        DomainError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        DomainError::VersionConflict { .. } | DomainError::IdempotencyKeyInProgress => {
            StatusCode::CONFLICT
        }
        DomainError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
        DomainError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
        DomainError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        DomainError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        DomainError::DependencyUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        DomainError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The error a response carries, left in its extensions for the error-envelope middleware.
#[derive(Debug, Clone)]
pub struct ResponseErrorCarrier(pub DomainError);

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status_of(&self.0)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::new(self.status_code());
        if let DomainError::TooManyRequests { retry_after_secs } = &self.0 {
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from(*retry_after_secs),
            );
        }
        response
            .extensions_mut()
            .insert(ResponseErrorCarrier(self.0.clone()));
        response
    }
}
