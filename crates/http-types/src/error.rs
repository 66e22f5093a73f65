//! The error envelope of SPEC §4: `{"error": {"type", "message", "correlation", "details"?}}`,
//! and the closed list of error types a client can meet.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Every error `type` of SPEC §4. A client that meets a type this version does not know reads
/// it as [`ErrorType::Unknown`] (a newer service may add types; it never renames one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorType {
    /// 400: the body or a parameter fails the schema or a field rule; `details` names each.
    ValidationError,
    /// 400: the body is not JSON.
    MalformedJson,
    /// 400: a campaign business rule fails.
    InvalidCampaign,
    /// 400: another campaign holds the domain.
    DomainNameConflict,
    /// 400: the status change is not allowed.
    InvalidStatusTransition,
    /// 400: the campaign has a market of that name.
    MarketNameExists,
    /// 400: another market of the campaign lists the event id.
    DuplicateEventId,
    /// 400: a market rule fails.
    InvalidMarket,
    /// 400: one of the two presale query dates is missing.
    MissingPresaleWindowDate,
    /// 400: the presale query ends before it starts.
    InvalidPresaleWindowDateOrder,
    /// 401: no valid token.
    Unauthenticated,
    /// 401: the campaign's password is missing or wrong.
    InvalidCampaignPassword,
    /// 403: the token does not allow this on this campaign.
    Unauthorized,
    /// 403: only supreme users may do this.
    SupremeUserRequired,
    /// 404: no such campaign (or one the caller may not see).
    CampaignNotFound,
    /// 404: no such market.
    MarketNotFound,
    /// 404: no such promoter.
    PromoterNotFound,
    /// 404: no such route or resource.
    NotFound,
    /// 405: the path exists, not with this method; `Allow` lists the methods it has.
    MethodNotAllowed,
    /// 409: `If-Match` names a version that is no longer current.
    VersionConflict,
    /// 409: a request with this `Idempotency-Key` is still running.
    IdempotencyKeyInProgress,
    /// 413: the body is too large.
    PayloadTooLarge,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 422: the `Idempotency-Key` was used with another body.
    IdempotencyKeyReused,
    /// 429: a rate limit was reached; `Retry-After` says when to try again.
    TooManyRequests,
    /// 500: an unexpected failure; quote the correlation id.
    InternalError,
    /// 503: a dependency the operation needs is unavailable.
    DependencyUnavailable,
    /// A type this version of the contract does not know (read only: the service never sends
    /// it, so the document leaves it out).
    #[serde(other, skip_serializing)]
    Unknown,
}

impl ErrorType {
    /// The wire name (`VALIDATION_ERROR`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ValidationError => "VALIDATION_ERROR",
            Self::MalformedJson => "MALFORMED_JSON",
            Self::InvalidCampaign => "INVALID_CAMPAIGN",
            Self::DomainNameConflict => "DOMAIN_NAME_CONFLICT",
            Self::InvalidStatusTransition => "INVALID_STATUS_TRANSITION",
            Self::MarketNameExists => "MARKET_NAME_EXISTS",
            Self::DuplicateEventId => "DUPLICATE_EVENT_ID",
            Self::InvalidMarket => "INVALID_MARKET",
            Self::MissingPresaleWindowDate => "MISSING_PRESALE_WINDOW_DATE",
            Self::InvalidPresaleWindowDateOrder => "INVALID_PRESALE_WINDOW_DATE_ORDER",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::InvalidCampaignPassword => "INVALID_CAMPAIGN_PASSWORD",
            Self::Unauthorized => "UNAUTHORIZED",
            Self::SupremeUserRequired => "SUPREME_USER_REQUIRED",
            Self::CampaignNotFound => "CAMPAIGN_NOT_FOUND",
            Self::MarketNotFound => "MARKET_NOT_FOUND",
            Self::PromoterNotFound => "PROMOTER_NOT_FOUND",
            Self::NotFound => "NOT_FOUND",
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::VersionConflict => "VERSION_CONFLICT",
            Self::IdempotencyKeyInProgress => "IDEMPOTENCY_KEY_IN_PROGRESS",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            Self::TooManyRequests => "TOO_MANY_REQUESTS",
            Self::InternalError => "INTERNAL_ERROR",
            Self::DependencyUnavailable => "DEPENDENCY_UNAVAILABLE",
            Self::Unknown => "UNKNOWN",
        }
    }
}

impl fmt::Display for ErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One failing field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// Path of the field in the document (`domain.site`, `locales[1].id`) or the parameter.
    #[schema(example = "domain.site")]
    pub field: String,
    /// Why it failed.
    pub message: String,
}

impl From<&campaign_domain::FieldError> for FieldError {
    fn from(error: &campaign_domain::FieldError) -> Self {
        Self {
            field: error.field.clone(),
            message: error.message.clone(),
        }
    }
}

/// The body of an error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody<'a> {
    /// What kind of error.
    #[serde(rename = "type")]
    pub kind: ErrorType,
    /// For people; an `INTERNAL_ERROR` never says more than that one happened.
    #[schema(value_type = String)]
    pub message: Cow<'a, str>,
    /// The request's correlation id.
    #[schema(value_type = String)]
    pub correlation: Cow<'a, str>,
    /// Every failing field, for `VALIDATION_ERROR`, `INVALID_CAMPAIGN` and `INVALID_MARKET`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub details: Option<Vec<FieldError>>,
}

/// Every error answer: `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorEnvelope<'a> {
    /// The error.
    pub error: ErrorBody<'a>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_travel_by_their_spec_names_and_unknown_ones_still_read() {
        let body = ErrorEnvelope {
            error: ErrorBody {
                kind: ErrorType::InvalidPresaleWindowDateOrder,
                message: "m".into(),
                correlation: "c".into(),
                details: None,
            },
        };
        let json = serde_json::to_string(&body).unwrap();
        assert_eq!(
            json,
            r#"{"error":{"type":"INVALID_PRESALE_WINDOW_DATE_ORDER","message":"m","correlation":"c"}}"#
        );
        let newer: ErrorEnvelope<'_> = serde_json::from_str(
            r#"{"error":{"type":"SOMETHING_NEW","message":"m","correlation":"c","details":[{"field":"a","message":"b"}]}}"#,
        )
        .unwrap();
        assert_eq!(newer.error.kind, ErrorType::Unknown);
        assert_eq!(newer.error.details.unwrap()[0].field, "a");
    }

    #[test]
    fn the_document_lists_only_the_types_the_service_sends() {
        use utoipa::PartialSchema as _;
        let schema = serde_json::to_value(ErrorType::schema()).unwrap();
        let names: Vec<&str> = schema["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(names.len(), 27, "{names:?}");
        assert!(!names.contains(&"UNKNOWN"));
        assert!(names.contains(&"IDEMPOTENCY_KEY_REUSED"));
    }

    #[test]
    fn as_str_is_the_serialised_name() {
        for kind in [
            ErrorType::ValidationError,
            ErrorType::IdempotencyKeyReused,
            ErrorType::DependencyUnavailable,
            ErrorType::InternalError,
        ] {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::from(kind.as_str())
            );
        }
    }

    #[test]
    fn a_domain_field_error_travels_as_field_and_message() {
        let mut errors = campaign_domain::ValidationErrors::new();
        errors.add("domain.site", "is required");
        let wire: Vec<FieldError> = errors.fields().iter().map(FieldError::from).collect();
        assert_eq!(
            serde_json::to_value(&wire).unwrap(),
            serde_json::json!([{"field": "domain.site", "message": "is required"}])
        );
    }
}
