//! A campaign's contacts (`/campaigns/{id}/contacts`, SPEC §7.8): read them, and upsert and
//! link them as one change, touching only contacts the campaign already links unless the
//! caller is supreme.

use campaign_domain::DomainError;
use campaign_domain::contact::{Contact, ContactInput};
use campaign_domain::permission::Action;
use campaign_domain::serde_json::Value;
use campaign_domain::values::{CampaignId, ContactId};

use super::{CampaignService, MAX_WRITE_ATTEMPTS, Versioned, check_if_match, store_error};
use crate::RequestContext;

/// The ids of `contacts`, each once, in their order.
fn distinct_ids(contacts: &[Contact]) -> Vec<ContactId> {
    let mut ids: Vec<ContactId> = Vec::with_capacity(contacts.len());
    for c in contacts {
        if !ids.contains(&c.id) {
            ids.push(c.id.clone());
        }
    }
    ids
}

impl CampaignService {
    /// The campaign's contacts, in its order. Errors: `UNAUTHORIZED`, `CAMPAIGN_NOT_FOUND`.
    pub async fn contacts(
        &self,
        ctx: &RequestContext,
        id: &CampaignId,
    ) -> Result<Vec<Contact>, DomainError> {
        ctx.actor.require(Action::Read, id)?;
        let campaign = self.cached(id).await?;
        self.ports
            .contacts
            .find_by_ids(&campaign.contacts)
            .await
            .map_err(store_error)
    }

    /// Upserts the contacts of the body (new ones, sent without an id, get one) and makes them
    /// the campaign's contacts, in the body's order, in one change; returns them resolved with
    /// the campaign's new version. A contact sent with an id must already be linked by this
    /// campaign unless the caller is supreme. `if_match`, when given, is the campaign version
    /// the change is based on; without it a write that loses a race is made again on the
    /// campaign that won.
    ///
    /// Errors: `UNAUTHORIZED` (no `write`, or a contact this campaign does not link);
    /// `CAMPAIGN_NOT_FOUND`; `VALIDATION_ERROR` naming each bad entry; `VERSION_CONFLICT`.
    pub async fn set_contacts(
        &self,
        ctx: &RequestContext,
        id: &CampaignId,
        body: &Value,
        if_match: Option<u64>,
    ) -> Result<Versioned<Vec<Contact>>, DomainError> {
        ctx.actor.require(Action::Write, id)?;
        // The campaign must exist before anything is validated or written.
        self.load(id).await?;
        let inputs = ContactInput::parse_list(body)?;
        // Only the ids the client sent must be linked already; the others are new.
        let client_ids: Vec<ContactId> = inputs.iter().filter_map(|i| i.id.clone()).collect();
        // Ids are given once, so a retried attempt writes the same new contacts.
        let contacts: Vec<Contact> = inputs
            .into_iter()
            .map(|input| {
                let id = input
                    .id
                    .clone()
                    .unwrap_or_else(|| self.ports.ids.contact_id());
                input.into_contact(id)
            })
            .collect();
        let ids = distinct_ids(&contacts);
        let mut attempt = 1;
        loop {
            let before = self.load(id).await?;
            check_if_match(if_match, &before)?;
            ctx.actor
                .may_touch_contacts(&before.contacts, &client_ids)?;
            let mut after = before.clone();
            after.contacts.clone_from(&ids);
            let now = self.ports.clock.now();
            after.date.updated = now;
            after.check_for_status(after.status)?;
            match self
                .save_with_contacts(ctx.correlation.as_deref(), &before, &after, now, &contacts)
                .await
            {
                Err(DomainError::VersionConflict { .. })
                    if if_match.is_none() && attempt < MAX_WRITE_ATTEMPTS =>
                {
                    attempt += 1;
                }
                Err(other) => return Err(other),
                Ok(stored) => {
                    return Ok(Versioned {
                        value: contacts,
                        version: stored.version,
                    });
                }
            }
        }
    }
}
