//! Contact search (`GET /contacts`, supreme only): contacts whose name, e-mail or a keyword
//! contains the text, case-insensitive and literal, by name then id, paged. Linking contacts to
//! a campaign is a campaign use case (`CampaignService::set_contacts`).

use campaign_domain::contact::Contact;
use campaign_domain::paging::Page;
use campaign_domain::{DomainError, ValidationErrors};
use campaign_ports::StoreError;

use crate::RequestContext;
use crate::params::{page_request, text};
use crate::ports::Ports;

/// Longest search text accepted.
pub const MAX_QUERY_CHARS: usize = 200;

/// The contact search as the client sends it (query-string values, unparsed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactSearch {
    /// `q`: text to find in name, e-mail or keywords; absent or blank lists every contact.
    pub q: Option<String>,
    /// `page`.
    pub page: Option<String>,
    /// `pageSize`.
    pub page_size: Option<String>,
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
    /// Errors: `SUPREME_USER_REQUIRED`; `VALIDATION_ERROR` naming every bad parameter.
    pub async fn search(
        &self,
        ctx: &RequestContext,
        params: &ContactSearch,
    ) -> Result<Page<Contact>, DomainError> {
        ctx.actor.require_supreme()?;
        let mut e = ValidationErrors::new();
        let q = text(&mut e, "q", params.q.as_deref(), MAX_QUERY_CHARS);
        let page = page_request(&mut e, params.page.as_deref(), params.page_size.as_deref());
        e.into_result(())?;
        self.ports
            .contacts
            .search(q.as_deref(), page)
            .await
            .map_err(|error: StoreError| {
                if let StoreError::Unavailable(reason) = &error {
                    tracing::error!(%reason, "contact store unavailable");
                }
                error.into_domain(DomainError::NotFound("no such contact".to_owned()))
            })
    }
}
