//! `POST /campaigns`: create a campaign (supreme only), as DRAFT unless the body asks for PREVIEW.

use campaign_domain::campaign::{CampaignInput, PasswordChange};
use campaign_domain::serde_json::Value;
use campaign_domain::status::{Status, TransitionKind};
use campaign_domain::{Campaign, DomainError};

use super::CampaignService;
use crate::RequestContext;

impl CampaignService {
    /// Creates a campaign from a client document.
    ///
    /// Errors: `SUPREME_USER_REQUIRED`; `VALIDATION_ERROR` with every failing field (the full
    /// campaign is required when the body asks for PREVIEW); `INVALID_CAMPAIGN` for inconsistent
    /// dates; `INVALID_STATUS_TRANSITION` for a status other than DRAFT or PREVIEW;
    /// `DOMAIN_NAME_CONFLICT` when the site domain is held, also when another create wins a race.
    pub async fn create(
        &self,
        ctx: &RequestContext,
        body: &Value,
    ) -> Result<Campaign, DomainError> {
        ctx.actor.require_supreme()?;
        let now = self.ports.clock.now();
        let input = CampaignInput::parse_new(body, self.ports.ids.campaign_id(), now)?;
        let mut campaign = input.campaign;
        if let PasswordChange::Set(password) = &input.password {
            campaign.password = Some(self.hasher.hash(password).await?);
        }
        campaign
            .status_history
            .push(campaign_domain::status::StatusChange {
                status: Status::Draft,
                date: now,
                by: ctx.changed_by(),
            });
        match input.requested_status {
            None => {}
            Some(Status::Preview) => {
                campaign.check_manual_transition(Status::Preview)?;
                let t = campaign.transition_to(
                    Status::Preview,
                    TransitionKind::Manual,
                    ctx.changed_by(),
                    now,
                )?;
                campaign.apply_transition(&t)?;
            }
            Some(other) => {
                return Err(DomainError::InvalidStatusTransition {
                    from: Status::Draft,
                    to: other,
                });
            }
        }
        campaign.check_for_status(campaign.status)?;
        self.save(ctx.correlation.as_deref(), None, &campaign, now)
            .await
    }
}
