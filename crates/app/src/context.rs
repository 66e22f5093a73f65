//! Who is asking, and under which correlation id.

use campaign_domain::permission::Actor;
use campaign_domain::status::ChangedBy;

/// The caller of a use case.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The authenticated caller.
    pub actor: Actor,
    /// The request's correlation id, carried into the messages it causes.
    pub correlation: Option<String>,
}

impl RequestContext {
    /// A context for `actor` with a correlation id.
    pub fn new(actor: Actor, correlation: impl Into<String>) -> Self {
        Self {
            actor,
            correlation: Some(correlation.into()),
        }
    }

    /// How the caller appears in a status history.
    pub fn changed_by(&self) -> ChangedBy {
        ChangedBy::User(self.actor.user_id().to_owned())
    }
}
