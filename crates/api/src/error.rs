//! The one error type of the HTTP layer and the one table from errors to HTTP (SPEC §4).
//!
//! Error policy: handlers and extractors return [`ApiError`]: a [`DomainError`] on its way out,
//! or one of the failures only HTTP has (a body that is not JSON, an unknown route, a method the
//! route lacks, a body too large or not `application/json`, a missing or bad token, an `Idempotency-Key`
//! conflict). Its status and error type come from the single table in [`ApiError::classify`];
//! the body — the error envelope with the request's correlation id — is written once, by the
//! error-envelope middleware, which is the only place that knows the correlation id of every
//! response. Nothing a driver, adapter or panic says reaches a client: an `INTERNAL_ERROR` is
//! logged in full and answered with a generic message.

use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};
use campaign_domain::{DomainError, ValidationErrors};
use campaign_http_types::ErrorType;

/// An error leaving through HTTP.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// A failure of the use case or the domain.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The request body is not parsable JSON.
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// Missing, malformed, expired or wrongly signed token; the reason is safe to show.
    #[error("{0}")]
    Unauthenticated(String),
    /// No route has this path.
    #[error("no such resource")]
    RouteNotFound,
    /// The path exists, not with this method (the answer's `Allow` lists the methods).
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The request body is larger than the service accepts.
    #[error("the request body is larger than {limit_bytes} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit_bytes: usize,
    },
    /// The body is not `application/json`.
    #[error("expected content type application/json")]
    UnsupportedMediaType,
    /// A request with this `Idempotency-Key` is still running (SPEC §4.1).
    #[error("a request with this Idempotency-Key is still in progress; retry later")]
    IdempotencyKeyInProgress,
    /// The `Idempotency-Key` was used before with a different request (SPEC §4.1).
    #[error("this Idempotency-Key was already used with a different request body")]
    IdempotencyKeyReused,
}

impl ApiError {
    /// A `VALIDATION_ERROR` on one field or parameter.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Domain(DomainError::Validation(ValidationErrors::single(
            field, message,
        )))
    }

    /// The single table of SPEC §4: the HTTP status and the error type of every error.
    pub fn classify(&self) -> (StatusCode, ErrorType) {
        use ErrorType as T;
        use StatusCode as S;
        match self {
            Self::Domain(error) => classify_domain(error),
            Self::MalformedJson(_) => (S::BAD_REQUEST, T::MalformedJson),
            Self::Unauthenticated(_) => (S::UNAUTHORIZED, T::Unauthenticated),
            Self::RouteNotFound => (S::NOT_FOUND, T::NotFound),
            Self::MethodNotAllowed => (S::METHOD_NOT_ALLOWED, T::MethodNotAllowed),
            Self::PayloadTooLarge { .. } => (S::PAYLOAD_TOO_LARGE, T::PayloadTooLarge),
            Self::UnsupportedMediaType => (S::UNSUPPORTED_MEDIA_TYPE, T::UnsupportedMediaType),
            Self::IdempotencyKeyInProgress => (S::CONFLICT, T::IdempotencyKeyInProgress),
            Self::IdempotencyKeyReused => (S::UNPROCESSABLE_ENTITY, T::IdempotencyKeyReused),
        }
    }

    /// The per-field details worth showing a client, if any.
    pub fn details(&self) -> Option<&ValidationErrors> {
        match self {
            Self::Domain(error) => error.details(),
            _ => None,
        }
    }

    /// The message a client may read: the error's own, but for an internal error, whose cause
    /// stays in the logs.
    pub fn client_message(&self) -> String {
        match self {
            Self::Domain(DomainError::Internal(_)) => {
                "an unexpected error occurred; quote the correlation id when reporting it"
                    .to_owned()
            }
            other => other.to_string(),
        }
    }
}

/// The rows of the table for the domain's errors.
fn classify_domain(error: &DomainError) -> (StatusCode, ErrorType) {
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
        DomainError::InvalidCampaignPassword => (S::UNAUTHORIZED, T::InvalidCampaignPassword),
        DomainError::Unauthorized { .. } => (S::FORBIDDEN, T::Unauthorized),
        DomainError::SupremeUserRequired => (S::FORBIDDEN, T::SupremeUserRequired),
        DomainError::CampaignNotFound => (S::NOT_FOUND, T::CampaignNotFound),
        DomainError::MarketNotFound => (S::NOT_FOUND, T::MarketNotFound),
        DomainError::PromoterNotFound => (S::NOT_FOUND, T::PromoterNotFound),
        DomainError::NotFound(_) => (S::NOT_FOUND, T::NotFound),
        DomainError::VersionConflict { .. } => (S::CONFLICT, T::VersionConflict),
        DomainError::TooManyRequests { .. } => (S::TOO_MANY_REQUESTS, T::TooManyRequests),
        DomainError::DependencyUnavailable { .. } => {
            (S::SERVICE_UNAVAILABLE, T::DependencyUnavailable)
        }
        DomainError::Internal(_) => (S::INTERNAL_SERVER_ERROR, T::InternalError),
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.classify().0
    }

    /// The status and headers only: the error-envelope middleware writes the body, once.
    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::new(self.status_code());
        if let Self::Domain(DomainError::TooManyRequests { retry_after_secs }) = self {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use campaign_domain::status::Status;

    use super::*;

    /// The domain names its errors too (for its own users); the wire type must be that name.
    #[test]
    fn the_wire_type_is_the_domains_name_for_every_domain_error() {
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
            DomainError::InvalidCampaignPassword,
            DomainError::Unauthorized {
                action: "read".into(),
            },
            DomainError::SupremeUserRequired,
            DomainError::CampaignNotFound,
            DomainError::MarketNotFound,
            DomainError::PromoterNotFound,
            DomainError::NotFound("x".into()),
            DomainError::VersionConflict {
                expected: 1,
                current: 2,
            },
            DomainError::TooManyRequests {
                retry_after_secs: 1,
            },
            DomainError::DependencyUnavailable {
                dependency: "x".into(),
            },
            DomainError::Internal("x".into()),
        ];
        for error in all {
            let name = error.error_type();
            assert_eq!(ApiError::from(error).classify().1.as_str(), name);
        }
    }

    #[test]
    fn transport_errors_have_their_own_rows() {
        for (error, status, kind) in [
            (
                ApiError::MalformedJson("x".into()),
                400,
                ErrorType::MalformedJson,
            ),
            (
                ApiError::Unauthenticated("x".into()),
                401,
                ErrorType::Unauthenticated,
            ),
            (ApiError::RouteNotFound, 404, ErrorType::NotFound),
            (ApiError::MethodNotAllowed, 405, ErrorType::MethodNotAllowed),
            (
                ApiError::PayloadTooLarge { limit_bytes: 1 },
                413,
                ErrorType::PayloadTooLarge,
            ),
            (
                ApiError::UnsupportedMediaType,
                415,
                ErrorType::UnsupportedMediaType,
            ),
            (
                ApiError::IdempotencyKeyInProgress,
                409,
                ErrorType::IdempotencyKeyInProgress,
            ),
            (
                ApiError::IdempotencyKeyReused,
                422,
                ErrorType::IdempotencyKeyReused,
            ),
        ] {
            assert_eq!(
                error.classify(),
                (StatusCode::from_u16(status).unwrap(), kind)
            );
        }
    }

    #[test]
    fn an_internal_error_tells_the_client_nothing_of_its_cause() {
        let error = ApiError::from(DomainError::Internal("db password wrong".into()));
        assert!(!error.client_message().contains("password"));
        assert_eq!(
            ApiError::from(DomainError::CampaignNotFound).client_message(),
            "campaign not found"
        );
    }
}
