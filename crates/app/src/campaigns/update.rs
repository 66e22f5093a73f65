//! `POST /campaigns/{id}`: partial update (JSON merge patch) with manual status changes,
//! `If-Match`, and the cascade of shared fields to linked campaigns.

use campaign_domain::campaign::{CampaignInput, PasswordChange};
use campaign_domain::permission::Action;
use campaign_domain::serde_json::Value;
use campaign_domain::status::TransitionKind;
use campaign_domain::values::CampaignId;
use campaign_domain::{Campaign, DomainError};

use super::{CampaignService, MAX_WRITE_ATTEMPTS, check_if_match};
use crate::RequestContext;

/// Whether the fields linked campaigns share (artist, tour, presale window) differ.
fn shared_fields_changed(before: &Campaign, after: &Campaign) -> bool {
    before.artist != after.artist
        || before.tour != after.tour
        || before.date.presale_window_start != after.date.presale_window_start
        || before.date.presale_window_end != after.date.presale_window_end
}

impl CampaignService {
    /// Applies `patch` to the campaign. A `status` in the patch is a manual transition (SPEC
    /// §7.2) recorded in the history under the caller's id.
    ///
    /// Without `if_match`, a write that loses a race to another writer is applied again to the
    /// campaign that won (up to [`MAX_WRITE_ATTEMPTS`] times), as a merge patch means.
    ///
    /// Errors: `UNAUTHORIZED` without `write`; `CAMPAIGN_NOT_FOUND`; `VERSION_CONFLICT` when
    /// `if_match` is not the stored version, or another write won meanwhile;
    /// `VALIDATION_ERROR` / `INVALID_CAMPAIGN` for the merged document;
    /// `INVALID_STATUS_TRANSITION`; `DOMAIN_NAME_CONFLICT`.
    pub async fn update(
        &self,
        ctx: &RequestContext,
        id: &CampaignId,
        patch: &Value,
        if_match: Option<u64>,
    ) -> Result<Campaign, DomainError> {
        ctx.actor.require(Action::Write, id)?;
        let mut attempt = 1;
        let (before, stored) = loop {
            match self.update_once(ctx, id, patch, if_match).await {
                // Without `If-Match` the client asked for its patch on the campaign as it is:
                // a write that lost a race to another writer is merged again into the winner.
                Err(DomainError::VersionConflict { .. })
                    if if_match.is_none() && attempt < MAX_WRITE_ATTEMPTS =>
                {
                    attempt += 1;
                }
                other => break other?,
            }
        };
        if shared_fields_changed(&before, &stored) {
            self.update_linked(ctx, &stored).await;
        }
        Ok(stored)
    }

    /// One attempt of [`update`](Self::update): the campaign before and as stored.
    async fn update_once(
        &self,
        ctx: &RequestContext,
        id: &CampaignId,
        patch: &Value,
        if_match: Option<u64>,
    ) -> Result<(Campaign, Campaign), DomainError> {
        let before = self.load(id).await?;
        check_if_match(if_match, &before)?;
        let now = self.ports.clock.now();
        let input = CampaignInput::parse_update(&before, patch, now)?;
        let mut after = input.campaign;
        // Linking a contact through `contacts` is as guarded as through the contacts endpoint.
        let added = after
            .contacts
            .iter()
            .filter(|c| !before.contacts.contains(c));
        ctx.actor.may_touch_contacts(&before.contacts, added)?;
        match input.password {
            PasswordChange::Keep => {}
            PasswordChange::Clear => after.password = None,
            PasswordChange::Set(p) => after.password = Some(self.hasher.hash(&p).await?),
        }
        if let Some(to) = input.requested_status {
            after.check_manual_transition(to)?;
            let t = after.transition_to(to, TransitionKind::Manual, ctx.changed_by(), now)?;
            after.apply_transition(&t)?;
        }
        after.check_for_status(after.status)?;
        let stored = self
            .save(ctx.correlation.as_deref(), Some(&before), &after, now)
            .await?;
        Ok((before, stored))
    }

    /// Copies the shared fields of `source` to each linked campaign the caller may write, each
    /// write with its own messages. A linked campaign that cannot take the change (missing,
    /// forbidden, invalid, changed meanwhile) is skipped and logged: the caller's own update has
    /// already succeeded.
    async fn update_linked(&self, ctx: &RequestContext, source: &Campaign) {
        for linked_id in &source.linked_campaign_ids {
            if !ctx.actor.can(Action::Write, linked_id) {
                tracing::info!(campaign = %source.id, linked = %linked_id, "linked campaign not writable by caller; skipped");
                continue;
            }
            let result = async {
                let before = self.load(linked_id).await?;
                let mut after = before.clone();
                after.artist = source.artist.clone();
                after.tour = source.tour.clone();
                after.date.presale_window_start = source.date.presale_window_start;
                after.date.presale_window_end = source.date.presale_window_end;
                if after == before {
                    return Ok(());
                }
                let now = self.ports.clock.now();
                after.date.updated = now;
                after.check_for_status(after.status)?;
                self.save(ctx.correlation.as_deref(), Some(&before), &after, now)
                    .await
                    .map(|_| ())
            }
            .await;
            if let Err(error) = result {
                tracing::warn!(campaign = %source.id, linked = %linked_id, %error, "linked campaign not updated");
            }
        }
    }
}
