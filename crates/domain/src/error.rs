//! The domain's error vocabulary.
//!
//! Error policy: [`DomainError`] has one variant per error type of the HTTP contract (SPEC §4)
//! that the domain or a use case can cause; the failures only HTTP has (a body that is not
//! JSON, an unknown route, a missing token, ...) belong to the HTTP layer, which holds the
//! single table from an error to its status and type. Messages are written for the client: they never carry driver
//! output, internal names or secrets. Unexpected failures are [`DomainError::Internal`], whose
//! message is for logs only and is replaced by a generic one at the edge.

use std::fmt;

use serde::Serialize;

use crate::status::Status;
use crate::values::InvalidValue;

/// One failing field: its path in the wire document (`domain.site`, `locales[1].id`) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Dotted path of the field, with `[i]` for list positions.
    pub field: String,
    /// Human-readable reason.
    pub message: String,
}

/// Every failing field of one validation, in the order they were found. Never empty when
/// returned as an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ValidationErrors(Vec<FieldError>);

impl ValidationErrors {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// A single failing field.
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    /// Records a failing field.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Records every error of `other`, each path prefixed by `prefix` (no prefix when empty).
    pub fn extend_prefixed(&mut self, prefix: &str, other: ValidationErrors) {
        for e in other.0 {
            let field = match (prefix.is_empty(), e.field.starts_with('[')) {
                (true, _) => e.field,
                (false, true) => format!("{prefix}{}", e.field),
                (false, false) => format!("{prefix}.{}", e.field),
            };
            self.0.push(FieldError {
                field,
                message: e.message,
            });
        }
    }

    /// Parses an optional raw value, recording the failure under `field`; `None` when absent or
    /// invalid.
    pub fn check<T>(
        &mut self,
        field: impl Into<String>,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
    ) -> Option<T> {
        let raw = raw?;
        match parse(raw) {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.message());
                None
            }
        }
    }

    /// Whether nothing failed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many fields failed.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The failing fields.
    pub fn fields(&self) -> &[FieldError] {
        &self.0
    }

    /// Whether `field` is among the failures.
    pub fn contains(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    /// `Ok(value)` when nothing failed, else the collected errors.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for e in &self.0 {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

/// Every failure of the domain and the use cases, one variant per error type of SPEC §4 that
/// they can cause. The failures only HTTP has (a body that is not JSON, an unknown route, a
/// missing token, ...) belong to the HTTP layer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DomainError {
    /// Body or query fails the schema or a field rule.
    #[error("validation failed: {0}")]
    Validation(ValidationErrors),
    /// A campaign business rule fails (e.g. close before open).
    #[error("{message}")]
    InvalidCampaign {
        /// What rule failed.
        message: String,
        /// The fields involved, when known.
        details: ValidationErrors,
    },
    /// `domain.site` is held by another campaign.
    #[error("the domain {domain} is already used by another campaign")]
    DomainNameConflict {
        /// The contested domain.
        domain: String,
    },
    /// A requested status change the state machine forbids.
    #[error("a campaign cannot go from {from} to {to}")]
    InvalidStatusTransition {
        /// Current status.
        from: Status,
        /// Requested status.
        to: Status,
    },
    /// Market name already used in this campaign.
    #[error("a market named {name:?} already exists in this campaign")]
    MarketNameExists {
        /// The contested name.
        name: String,
    },
    /// An event id already belongs to another market of this campaign.
    #[error("event {event_id} already belongs to another market of this campaign")]
    DuplicateEventId {
        /// The contested event id.
        event_id: String,
    },
    /// A market rule fails.
    #[error("{message}")]
    InvalidMarket {
        /// What rule failed.
        message: String,
        /// The fields involved, when known.
        details: ValidationErrors,
    },
    /// Only one of a start/end presale query pair was given.
    #[error("both presaleQueryStartDate and presaleQueryEndDate are required")]
    MissingPresaleWindowDate,
    /// Presale query end before start.
    #[error("presaleQueryEndDate must not be before presaleQueryStartDate")]
    InvalidPresaleWindowDateOrder,
    /// Password-protected campaign read without the right password.
    #[error("the campaign password is missing or wrong")]
    InvalidCampaignPassword,
    /// The caller lacks the action this campaign operation needs.
    #[error("not allowed to {action} this campaign")]
    Unauthorized {
        /// The action that was needed (`read`, `write`).
        action: String,
    },
    /// Admin-only operation.
    #[error("this operation needs a supreme user")]
    SupremeUserRequired,
    /// No such campaign.
    #[error("campaign not found")]
    CampaignNotFound,
    /// No such market.
    #[error("market not found")]
    MarketNotFound,
    /// No such promoter.
    #[error("promoter not found")]
    PromoterNotFound,
    /// No such resource (an event, a contact).
    #[error("{0}")]
    NotFound(String),
    /// `If-Match` names a version that is no longer current.
    #[error("the resource changed: expected version {expected}, current version {current}")]
    VersionConflict {
        /// The version the client sent.
        expected: u64,
        /// The version stored now.
        current: u64,
    },
    /// A rate limit of SPEC §4.1 was reached; the client may retry after `retry_after_secs`.
    #[error("too many requests: retry in {retry_after_secs} s")]
    TooManyRequests {
        /// Whole seconds until a retry may succeed (at least 1), for `Retry-After`.
        retry_after_secs: u64,
    },
    /// A required backing service is down or not configured.
    #[error("{dependency} is unavailable")]
    DependencyUnavailable {
        /// Which dependency (`store`, `discovery`, ...).
        dependency: String,
    },
    /// Anything unexpected. The message is for logs, never for clients.
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    /// The error `type` of SPEC §4 (`VALIDATION_ERROR`, `CAMPAIGN_NOT_FOUND`, ...).
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::Validation(_) => "VALIDATION_ERROR",
            Self::InvalidCampaign { .. } => "INVALID_CAMPAIGN",
            Self::DomainNameConflict { .. } => "DOMAIN_NAME_CONFLICT",
            Self::InvalidStatusTransition { .. } => "INVALID_STATUS_TRANSITION",
            Self::MarketNameExists { .. } => "MARKET_NAME_EXISTS",
            Self::DuplicateEventId { .. } => "DUPLICATE_EVENT_ID",
            Self::InvalidMarket { .. } => "INVALID_MARKET",
            Self::MissingPresaleWindowDate => "MISSING_PRESALE_WINDOW_DATE",
            Self::InvalidPresaleWindowDateOrder => "INVALID_PRESALE_WINDOW_DATE_ORDER",
            Self::InvalidCampaignPassword => "INVALID_CAMPAIGN_PASSWORD",
            Self::Unauthorized { .. } => "UNAUTHORIZED",
            Self::SupremeUserRequired => "SUPREME_USER_REQUIRED",
            Self::CampaignNotFound => "CAMPAIGN_NOT_FOUND",
            Self::MarketNotFound => "MARKET_NOT_FOUND",
            Self::PromoterNotFound => "PROMOTER_NOT_FOUND",
            Self::NotFound(_) => "NOT_FOUND",
            Self::VersionConflict { .. } => "VERSION_CONFLICT",
            Self::TooManyRequests { .. } => "TOO_MANY_REQUESTS",
            Self::DependencyUnavailable { .. } => "DEPENDENCY_UNAVAILABLE",
            Self::Internal(_) => "INTERNAL_ERROR",
        }
    }

    /// The per-field details worth showing a client, if any.
    pub fn details(&self) -> Option<&ValidationErrors> {
        match self {
            Self::Validation(d) => Some(d),
            Self::InvalidCampaign { details, .. } | Self::InvalidMarket { details, .. }
                if !details.is_empty() =>
            {
                Some(details)
            }
            _ => None,
        }
    }

    /// An `INVALID_CAMPAIGN` error naming the fields involved.
    pub fn invalid_campaign(message: impl Into<String>, details: ValidationErrors) -> Self {
        Self::InvalidCampaign {
            message: message.into(),
            details,
        }
    }

    /// An `INVALID_MARKET` error naming the fields involved.
    pub fn invalid_market(message: impl Into<String>, details: ValidationErrors) -> Self {
        Self::InvalidMarket {
            message: message.into(),
            details,
        }
    }
}

impl From<ValidationErrors> for DomainError {
    fn from(errors: ValidationErrors) -> Self {
        Self::Validation(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_nested_paths() {
        let mut inner = ValidationErrors::new();
        inner.add("id", "bad");
        inner.add("[2]", "bad item");
        let mut outer = ValidationErrors::new();
        outer.extend_prefixed("locales[1]", inner.clone());
        outer.extend_prefixed("", inner);
        let fields: Vec<_> = outer.fields().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["locales[1].id", "locales[1][2]", "id", "[2]"]);
    }

    #[test]
    fn check_records_only_invalid_present_values() {
        let mut errors = ValidationErrors::new();
        assert_eq!(
            errors.check("a", None, |s| Ok::<_, InvalidValue>(s.len())),
            None
        );
        assert_eq!(
            errors.check("b", Some("xy"), |s| Ok::<_, InvalidValue>(s.len())),
            Some(2)
        );
        assert!(
            errors
                .check("c", Some("x"), |_| Err::<(), _>(InvalidValue::new("nope")))
                .is_none()
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors.to_string(), "c: nope");
    }

    #[test]
    fn every_variant_has_a_distinct_spec_type() {
        let all = [
            DomainError::Validation(ValidationErrors::new()),
            DomainError::invalid_campaign("x", ValidationErrors::new()),
            DomainError::DomainNameConflict {
                domain: "a.b".into(),
            },
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
        let types: std::collections::BTreeSet<_> =
            all.iter().map(DomainError::error_type).collect();
        assert_eq!(types.len(), all.len());
        assert!(types.contains("INVALID_PRESALE_WINDOW_DATE_ORDER"));
    }
}
