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
use campaign_http_types::ErrorType;

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

/// The single table of SPEC §4: the HTTP status and the error type of every error.
pub fn classify(error: &DomainError) -> (StatusCode, ErrorType) {
    use ErrorType as T;
    use StatusCode as S;
    match error {
        DomainError::Validation(_) => (S::BAD_REQUEST, T::ValidationError),
        DomainError::InvalidCampaign { .. } => (S::BAD_REQUEST, T::InvalidCampaign),
        DomainError::DomainNameConflict { .. } => (S::BAD_REQUEST, T::DomainNameConflict),
        DomainError::InvalidStatusTransition { .. } => (S::BAD_REQUEST, T::InvalidStatusTransition),
        DomainError::MarketNameExists { .. } => (S::BAD_REQUEST, T::MarketNameExists),
        DomainError::DuplicateEventId { .. } => (S::BAD_REQUEST, T::DuplicateEventId),
        DomainError::InvalidMarket { .. } => (S::BAD_REQUEST, T::InvalidMarket),
        DomainError::MissingPresaleWindowDate => (S::BAD_REQUEST, T::MissingPresaleWindowDate),
        DomainError::InvalidPresaleWindowDateOrder => {
            (S::BAD_REQUEST, T::InvalidPresaleWindowDateOrder)
        }
        DomainError::MalformedJson(_) => (S::BAD_REQUEST, T::MalformedJson),
        DomainError::Unauthenticated(_) => (S::UNAUTHORIZED, T::Unauthenticated),
        DomainError::InvalidCampaignPassword => (S::UNAUTHORIZED, T::InvalidCampaignPassword),
        DomainError::Unauthorized { .. } => (S::FORBIDDEN, T::Unauthorized),
        DomainError::SupremeUserRequired => (S::FORBIDDEN, T::SupremeUserRequired),
        DomainError::CampaignNotFound => (S::NOT_FOUND, T::CampaignNotFound),
        DomainError::MarketNotFound => (S::NOT_FOUND, T::MarketNotFound),
        DomainError::PromoterNotFound => (S::NOT_FOUND, T::PromoterNotFound),
        DomainError::NotFound(_) => (S::NOT_FOUND, T::NotFound),
        DomainError::MethodNotAllowed => (S::METHOD_NOT_ALLOWED, T::MethodNotAllowed),
        DomainError::VersionConflict { .. } => (S::CONFLICT, T::VersionConflict),
        DomainError::IdempotencyKeyInProgress => (S::CONFLICT, T::IdempotencyKeyInProgress),
        DomainError::IdempotencyKeyReused => (S::UNPROCESSABLE_ENTITY, T::IdempotencyKeyReused),
        DomainError::TooManyRequests { .. } => (S::TOO_MANY_REQUESTS, T::TooManyRequests),
        DomainError::PayloadTooLarge { .. } => (S::PAYLOAD_TOO_LARGE, T::PayloadTooLarge),
        DomainError::UnsupportedMediaType => (S::UNSUPPORTED_MEDIA_TYPE, T::UnsupportedMediaType),
        DomainError::DependencyUnavailable { .. } => {
            (S::SERVICE_UNAVAILABLE, T::DependencyUnavailable)
        }
        DomainError::Internal(_) => (S::INTERNAL_SERVER_ERROR, T::InternalError),
    }
}

/// The HTTP status of `error` (from [`classify`]).
pub fn status_of(error: &DomainError) -> StatusCode {
    classify(error).0
}

/// The error type of `error` (from [`classify`]).
pub fn error_type_of(error: &DomainError) -> ErrorType {
    classify(error).1
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

#[cfg(test)]
mod tests {
    use campaign_domain::ValidationErrors;
    use campaign_domain::status::Status;

    use super::*;

    /// The domain names its errors too (for its own users); the wire type must be that name.
    #[test]
    fn the_wire_type_is_the_domains_name_for_every_error() {
        let all = [
            DomainError::Validation(ValidationErrors::new()),
            DomainError::invalid_campaign("x", ValidationErrors::new()),
            DomainError::DomainNameConflict { domain: "a".into() },
            DomainError::InvalidStatusTransition {
                from: Status::Draft,
                to: Status::Inactive,
            },
            DomainError::MarketNameExists { name: "n".into() },
            DomainError::DuplicateEventId {
                event_id: "e".into(),
            },
            DomainError::invalid_market("x", ValidationErrors::new()),
            DomainError::MissingPresaleWindowDate,
            DomainError::InvalidPresaleWindowDateOrder,
            DomainError::MalformedJson("x".into()),
            DomainError::Unauthenticated("x".into()),
            DomainError::InvalidCampaignPassword,
            DomainError::Unauthorized {
                action: "read".into(),
            },
            DomainError::SupremeUserRequired,
            DomainError::CampaignNotFound,
            DomainError::MarketNotFound,
            DomainError::PromoterNotFound,
            DomainError::NotFound("x".into()),
            DomainError::MethodNotAllowed,
            DomainError::VersionConflict {
                expected: 1,
                current: 2,
            },
            DomainError::IdempotencyKeyInProgress,
            DomainError::IdempotencyKeyReused,
            DomainError::TooManyRequests {
                retry_after_secs: 1,
            },
            DomainError::PayloadTooLarge { limit_bytes: 1 },
            DomainError::UnsupportedMediaType,
            DomainError::DependencyUnavailable {
                dependency: "x".into(),
            },
            DomainError::Internal("x".into()),
        ];
        for error in &all {
            assert_eq!(
                error_type_of(error).as_str(),
                error.error_type(),
                "{error:?}"
            );
        }
        assert_eq!(
            classify(&DomainError::Internal("x".into())).0,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
