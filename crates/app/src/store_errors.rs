//! The one mapping of store failures to what a client sees, used by every use case: business
//! refusals (a taken domain, a version conflict, a missing record) become their domain errors;
//! failures of the store itself are logged here, once, and become `SERVICE_UNAVAILABLE` (the
//! store cannot be reached) or `INTERNAL_ERROR` (it answered something this service cannot use).

use campaign_domain::DomainError;
use campaign_ports::StoreError;

/// Maps `error` from a call on `store` (for the log: `"campaign"`, `"market"`, ...);
/// `not_found` is the error for a missing record.
pub(crate) fn store_error(
    store: &'static str,
    not_found: DomainError,
    error: StoreError,
) -> DomainError {
    let mapped = error.to_string();
    let domain = error.into_domain(not_found);
    match &domain {
        DomainError::DependencyUnavailable { .. } => {
            tracing::error!(store, reason = %mapped, "store unavailable");
        }
        DomainError::Internal(_) => {
            tracing::error!(store, reason = %mapped, "store answered what cannot be used");
        }
        _ => {}
    }
    domain
}

/// [`store_error`] for calls on the campaign store, where a missing record is
/// `CAMPAIGN_NOT_FOUND`.
pub(crate) fn campaign_store_error(error: StoreError) -> DomainError {
    store_error("campaign", DomainError::CampaignNotFound, error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_keep_their_meaning_and_outages_are_unavailable() {
        assert_eq!(
            store_error("market", DomainError::MarketNotFound, StoreError::NotFound),
            DomainError::MarketNotFound
        );
        assert_eq!(
            campaign_store_error(StoreError::VersionConflict {
                expected: 1,
                current: 2
            }),
            DomainError::VersionConflict {
                expected: 1,
                current: 2
            }
        );
        assert!(matches!(
            campaign_store_error(StoreError::Unavailable("down".into())),
            DomainError::DependencyUnavailable { .. }
        ));
        // A record the store answered but this version cannot use is a 500, not an outage.
        let undecodable = StoreError::internal(
            "decode campaign",
            std::io::Error::other("missing field `name`"),
        );
        assert!(matches!(
            campaign_store_error(undecodable),
            DomainError::Internal(_)
        ));
    }
}
