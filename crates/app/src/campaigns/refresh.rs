//! The status refresh (SPEC §7.3): open, close and inactivate the campaigns whose dates say so.

use campaign_domain::refresh::{RefreshPlan, RefreshSummary, inactivation_cutoff, plan_refresh};
use campaign_domain::{Campaign, DomainError};

use super::{CampaignService, store_error};
use crate::RequestContext;

impl CampaignService {
    /// Runs the refresh now (`POST /campaigns/refresh`, supreme only).
    pub async fn refresh_now(&self, ctx: &RequestContext) -> Result<RefreshSummary, DomainError> {
        ctx.actor.require_supreme()?;
        self.refresh(ctx.correlation.as_deref()).await
    }

    /// Runs the refresh: every due campaign gets its transitions, each campaign in one write
    /// conditional on the version read, so concurrent runs never transition a campaign twice.
    /// A campaign that changed between read and write is read and planned once more; if it
    /// changes again it is left for the next run.
    pub async fn refresh(&self, correlation: Option<&str>) -> Result<RefreshSummary, DomainError> {
        let now = self.ports.clock.now();
        let candidates = self
            .ports
            .campaigns
            .refresh_candidates(now, inactivation_cutoff(now))
            .await
            .map_err(store_error)?;
        let mut summary = RefreshSummary::default();
        for campaign in candidates {
            let mut current = campaign;
            for attempt in 0..2 {
                match self
                    .refresh_one(correlation, &current, now, &mut summary)
                    .await
                {
                    Err(DomainError::VersionConflict { .. }) if attempt == 0 => {
                        match self.load(&current.id).await {
                            Ok(fresh) => current = fresh,
                            Err(_) => break,
                        }
                    }
                    Err(DomainError::VersionConflict { .. }) => {
                        tracing::info!(campaign = %current.id, "changed during refresh; left for the next run");
                        break;
                    }
                    Err(error) => {
                        tracing::warn!(campaign = %current.id, %error, "refresh of campaign failed");
                        break;
                    }
                    Ok(()) => break,
                }
            }
        }
        Ok(summary)
    }

    async fn refresh_one(
        &self,
        correlation: Option<&str>,
        before: &Campaign,
        now: campaign_domain::chrono::DateTime<campaign_domain::chrono::Utc>,
        summary: &mut RefreshSummary,
    ) -> Result<(), DomainError> {
        match plan_refresh(before, now) {
            RefreshPlan::Nothing => Ok(()),
            RefreshPlan::Skip(missing) => {
                tracing::warn!(campaign = %before.id, missing = %missing, "due to open but incomplete; skipped");
                summary.skipped += 1;
                Ok(())
            }
            RefreshPlan::Transitions(steps) => {
                let mut after = before.clone();
                for step in &steps {
                    after.apply_transition(step)?;
                }
                self.save(correlation, Some(before), &after, now).await?;
                for step in &steps {
                    summary.count(step.to);
                }
                Ok(())
            }
        }
    }
}
