//! Contact search (`GET /contacts`, supreme only): contacts whose name, e-mail or a keyword
//! contains the text, case-insensitive and literal, by name then id, paged. Linking contacts to
//! a campaign is a campaign use case (`CampaignService::set_contacts`).

use campaign_domain::DomainError;
use campaign_domain::contact::Contact;
use campaign_domain::paging::{Page, PageRequest};
use campaign_ports::StoreError;

use crate::RequestContext;
use crate::ports::Ports;

/// Longest search text accepted.
pub const MAX_QUERY_CHARS: usize = 200;

/// A contact search: the text and the page, already read (the HTTP layer reads the query
/// string).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactSearch {
    /// `q`: text to find in name, e-mail or keywords, trimmed (the HTTP layer refuses one
    /// longer than [`MAX_QUERY_CHARS`]); absent lists every contact.
    pub q: Option<String>,
    /// `page` and `pageSize`.
    pub page: PageRequest,
}

/// The contact use cases.
#[derive(Debug, Clone)]
pub struct ContactService {
    ports: Ports,
}

impl ContactService {
    /// The use cases over `ports`.
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// One page of the contacts matching `params`.
    ///
    /// Errors: `SUPREME_USER_REQUIRED`.
    pub async fn search(
        &self,
        ctx: &RequestContext,
        params: &ContactSearch,
    ) -> Result<Page<Contact>, DomainError> {
        ctx.actor.require_supreme()?;
        self.ports
            .contacts
            .search(params.q.as_deref(), params.page)
            .await
            .map_err(|error: StoreError| {
                if let StoreError::Unavailable(reason) = &error {
                    tracing::error!(%reason, "contact store unavailable");
                }
                error.into_domain(DomainError::NotFound("no such contact".to_owned()))
            })
    }
}
