//! `POST /campaigns/{id}`: partial update (JSON merge patch) with manual status changes,
//! `If-Match`, and the cascade of shared fields to linked campaigns — recorded in the outbox
//! with the update (SPEC §8: nothing lost) and applied by the relay through
//! [`CampaignService::sync_linked`].

use campaign_domain::campaign::{CampaignInput, PasswordChange};
use campaign_domain::messages::{LinkedCampaignsSync, linked_campaigns_message};
use campaign_domain::permission::Action;
use campaign_domain::serde_json::Value;
use campaign_domain::status::TransitionKind;
use campaign_domain::values::CampaignId;
use campaign_domain::{Campaign, DomainError};

use super::{CampaignService, MAX_WRITE_ATTEMPTS, check_if_match};
use crate::RequestContext;

impl CampaignService {
    /// Applies `patch` to the campaign. A `status` in the patch is a manual transition (SPEC
    /// §7.2) recorded in the history under the caller's id.
    ///
    /// Without `if_match`, a write that loses a race to another writer is applied again to the
    /// campaign that won (up to `MAX_WRITE_ATTEMPTS`, 16, times), as a merge patch means.
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
        loop {
            match self.update_once(ctx, id, patch, if_match).await {
                // Without `If-Match` the client asked for its patch on the campaign as it is:
                // a write that lost a race to another writer is merged again into the winner.
                Err(DomainError::VersionConflict { .. })
                    if if_match.is_none() && attempt < MAX_WRITE_ATTEMPTS =>
                {
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// One attempt of [`update`](Self::update): the campaign as stored.
    async fn update_once(
        &self,
        ctx: &RequestContext,
        id: &CampaignId,
        patch: &Value,
        if_match: Option<u64>,
    ) -> Result<Campaign, DomainError> {
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
        let cascade: Vec<_> = linked_campaigns_message(&before, &after, |linked| {
            ctx.actor.can(Action::Write, linked)
        })
        .into_iter()
        .collect();
        self.save_with_messages(ctx.correlation.as_deref(), &before, &after, now, cascade)
            .await
    }

    /// Delivers a [`LinkedCampaignsSync`]: copies the *current* shared fields of its source
    /// campaign to each of its linked campaigns, each as a change with its own messages (and
    /// without a cascade of its own). Called by the relay; a repeated or late delivery changes
    /// nothing that is already in step.
    ///
    /// A linked campaign that is gone, or that cannot take the fields (its status needs a
    /// complete campaign and the copy is not), is skipped and logged: nothing a retry could
    /// change. A write that loses a race is read and tried again.
    ///
    /// Errors: `DEPENDENCY_UNAVAILABLE` (and any other store failure), or `VERSION_CONFLICT`
    /// when other writers kept winning: the relay tries the delivery again later.
    pub async fn sync_linked(
        &self,
        sync: &LinkedCampaignsSync,
        correlation: Option<&str>,
    ) -> Result<(), DomainError> {
        let source = match self.load(&sync.source_id).await {
            Ok(source) => source,
            Err(DomainError::CampaignNotFound) => return Ok(()),
            Err(error) => return Err(error),
        };
        for linked_id in &sync.linked_ids {
            let mut attempt = 1;
            loop {
                match self
                    .take_shared_fields(&source, linked_id, correlation)
                    .await
                {
                    Err(DomainError::VersionConflict { .. }) if attempt < MAX_WRITE_ATTEMPTS => {
                        attempt += 1;
                    }
                    Err(DomainError::CampaignNotFound) => {
                        tracing::info!(campaign = %source.id, linked = %linked_id, "linked campaign gone; skipped");
                        break;
                    }
                    Err(
                        error @ (DomainError::Validation(_) | DomainError::InvalidCampaign { .. }),
                    ) => {
                        tracing::warn!(campaign = %source.id, linked = %linked_id, %error, "linked campaign cannot take the shared fields; skipped");
                        break;
                    }
                    other => {
                        other?;
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// One attempt to give `linked_id` the shared fields of `source`.
    async fn take_shared_fields(
        &self,
        source: &Campaign,
        linked_id: &CampaignId,
        correlation: Option<&str>,
    ) -> Result<(), DomainError> {
        let before = self.load(linked_id).await?;
        let now = self.ports.clock.now();
        let Some(after) = before.taking_shared_fields(source, now) else {
            return Ok(());
        };
        after.check_for_status(after.status)?;
        self.save(correlation, Some(&before), &after, now)
            .await
            .map(|_| ())
    }
}
