//! A campaign's contacts (`/campaigns/{id}/contacts`).

use campaign_domain::DomainError;
use campaign_domain::contact::{Contact, ContactInput};
use campaign_domain::permission::Action;
use campaign_domain::serde_json::Value;
use campaign_domain::values::CampaignId;

use super::{CampaignService, store_error};
use crate::RequestContext;

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

    /// Upserts the contacts of the body (new ones get ids) and makes them the campaign's
    /// contacts, in the body's order; returns them resolved.
    ///
    /// Errors: `UNAUTHORIZED`, `CAMPAIGN_NOT_FOUND`, `VALIDATION_ERROR` naming each bad entry.
    pub async fn set_contacts(
        &self,
        ctx: &RequestContext,
        id: &CampaignId,
        body: &Value,
    ) -> Result<Vec<Contact>, DomainError> {
        ctx.actor.require(Action::Write, id)?;
        // The campaign must exist before anything is written.
        self.load(id).await?;
        let inputs = ContactInput::parse_list(body)?;
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
        self.ports
            .contacts
            .upsert(&contacts)
            .await
            .map_err(store_error)?;
        let mut ids: Vec<_> = Vec::with_capacity(contacts.len());
        for c in &contacts {
            if !ids.contains(&c.id) {
                ids.push(c.id.clone());
            }
        }
        self.modify(ctx, id, |c| {
            c.contacts.clone_from(&ids);
            Ok(())
        })
        .await?;
        Ok(contacts)
    }
}
