//! Turning the messages a change owes into outbox events: a unique id each, the correlation id
//! of the request, and the time of the change.

use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::messages::{OutboundEvent, OutboundMessage};
use campaign_ports::IdGenerator;

/// Wraps `messages` as events of a change made at `at`.
pub(crate) fn events(
    ids: &dyn IdGenerator,
    correlation: Option<&str>,
    at: DateTime<Utc>,
    messages: Vec<OutboundMessage>,
) -> Vec<OutboundEvent> {
    messages
        .into_iter()
        .map(|message| OutboundEvent {
            event_id: ids.next_event_id(),
            correlation: correlation.map(str::to_owned),
            occurred_at: at,
            message,
        })
        .collect()
}
