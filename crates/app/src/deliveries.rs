//! Delivery inspection for supreme users (SPEC §8): the outbox backlog, the events given up
//! on after too many attempts, and putting them back in line once the cause is fixed.

use campaign_domain::paging::{Page, PageRequest};
use campaign_domain::serde_json::Value;
use campaign_domain::uuid::Uuid;
use campaign_domain::{DomainError, ValidationErrors};
use campaign_ports::{OutboxRecord, OutboxStats, StoreError};

use crate::RequestContext;
use crate::ports::Ports;

/// Most event ids one requeue takes.
pub const MAX_REQUEUE: usize = 500;

/// The delivery use cases.
#[derive(Clone)]
pub struct DeliveryService {
    ports: Ports,
}

impl std::fmt::Debug for DeliveryService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliveryService").finish_non_exhaustive()
    }
}

/// The backlog counts and one page of failed events.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedDeliveries {
    /// Events waiting and events given up on.
    pub backlog: OutboxStats,
    /// Failed events, oldest first.
    pub page: Page<OutboxRecord>,
}

/// Maps an outbox error to what the client sees. No outbox call reports a missing record or a
/// conflict, so only outages and unreadable records reach here.
fn store_error(error: StoreError) -> DomainError {
    crate::store_errors::store_error(
        "outbox",
        DomainError::DependencyUnavailable {
            dependency: "store".to_owned(),
        },
        error,
    )
}

impl DeliveryService {
    /// The use cases over `ports`.
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// The backlog and one page of failed events.
    ///
    /// Errors: `SUPREME_USER_REQUIRED`; `DEPENDENCY_UNAVAILABLE`.
    pub async fn failed(
        &self,
        ctx: &RequestContext,
        page: PageRequest,
    ) -> Result<FailedDeliveries, DomainError> {
        ctx.actor.require_supreme()?;
        let page = self.ports.outbox.failed(page).await.map_err(store_error)?;
        let backlog = self.ports.outbox.stats().await.map_err(store_error)?;
        Ok(FailedDeliveries { backlog, page })
    }

    /// Puts the failed events `{"eventIds": [...]}` back in line, due now; returns how many were
    /// failed and are pending again (unknown or pending ids are ignored).
    ///
    /// Errors: `SUPREME_USER_REQUIRED`; `VALIDATION_ERROR` when `eventIds` is missing, empty,
    /// longer than [`MAX_REQUEUE`] or holds something that is not a UUID;
    /// `DEPENDENCY_UNAVAILABLE`.
    pub async fn requeue(&self, ctx: &RequestContext, body: &Value) -> Result<u64, DomainError> {
        ctx.actor.require_supreme()?;
        let ids = event_ids(body)?;
        let requeued = self
            .ports
            .outbox
            .requeue(&ids, self.ports.clock.now())
            .await
            .map_err(store_error)?;
        tracing::info!(
            asked = ids.len(),
            requeued,
            correlation = ctx.correlation.as_deref().unwrap_or_default(),
            "failed outbox events requeued"
        );
        Ok(requeued)
    }
}

/// The `eventIds` of a requeue body, every failure recorded.
fn event_ids(body: &Value) -> Result<Vec<Uuid>, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let mut ids = Vec::new();
    match body.get("eventIds").and_then(Value::as_array) {
        None => e.add("eventIds", "is required: an array of event ids"),
        Some(list) if list.is_empty() => e.add("eventIds", "must not be empty"),
        Some(list) if list.len() > MAX_REQUEUE => {
            e.add("eventIds", format!("at most {MAX_REQUEUE} per request"));
        }
        Some(list) => {
            for (i, item) in list.iter().enumerate() {
                match item.as_str().and_then(|s| Uuid::parse_str(s).ok()) {
                    Some(id) => ids.push(id),
                    None => e.add(format!("eventIds[{i}]"), "must be an event id (a UUID)"),
                }
            }
        }
    }
    e.into_result(ids)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use campaign_domain::serde_json::json;

    use super::*;

    #[test]
    fn requeue_bodies_are_checked_entry_by_entry() {
        let id = Uuid::new_v4();
        assert_eq!(
            event_ids(&json!({"eventIds": [id.to_string()]})).unwrap(),
            vec![id]
        );
        for (body, field) in [
            (json!({}), "eventIds"),
            (json!({"eventIds": []}), "eventIds"),
            (json!({"eventIds": "x"}), "eventIds"),
            (json!({"eventIds": [id.to_string(), 7]}), "eventIds[1]"),
        ] {
            let errors = event_ids(&body).unwrap_err();
            assert!(format!("{errors:?}").contains(field), "{body}: {errors:?}");
        }
        let many: Vec<String> = (0..=MAX_REQUEUE)
            .map(|_| Uuid::new_v4().to_string())
            .collect();
        assert!(event_ids(&json!({"eventIds": many})).is_err());
    }
}
