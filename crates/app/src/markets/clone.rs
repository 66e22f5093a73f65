//! `POST /campaigns/{id}/markets/clones`: copy another campaign's markets into this one.

use std::iter::once;

use campaign_domain::market::{Market, parse_clone_source};
use campaign_domain::messages::{Operation, covered_event_ids, market_change_messages};
use campaign_domain::permission::Action;
use campaign_domain::serde_json::Value;
use campaign_domain::values::{CampaignId, EventId, MarketId};
use campaign_domain::{DomainError, ValidationErrors};
use campaign_ports::StoreError;

use super::{MarketService, store_error};
use crate::RequestContext;

/// What a clone did.
#[derive(Debug, Clone, PartialEq)]
pub struct CloneOutcome {
    /// The new markets of the target campaign, in the source's order (by name).
    pub cloned: Vec<Market>,
    /// The source's markets that were not copied, and why.
    pub skipped: Vec<SkippedMarket>,
}

/// A source market that was not copied.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedMarket {
    /// The source market's id.
    pub id: MarketId,
    /// Its name.
    pub name: String,
    /// Why: `MARKET_NAME_EXISTS` (the target has a market of that name), `INVALID_MARKET` (its
    /// presale time lies outside the target's presale window) or `DUPLICATE_EVENT_ID` (a
    /// concurrent write took one of its event ids).
    pub reason: DomainError,
}

impl MarketService {
    /// Copies the markets of the campaign the body names (`{fromCampaignId}`) into
    /// `target_id`. A source market whose name the target already has is skipped; event ids
    /// the target already uses are dropped from the copies (an event id belongs to at most one
    /// market of a campaign); a copy whose presale time lies outside the target's presale
    /// window is skipped. Each copy is its own write with its own messages, as a create.
    /// Promoter, event and venue ids are copied as they are: they were checked for the source.
    ///
    /// Errors: `UNAUTHORIZED` without `write` on the target or `read` on the source (checked
    /// before anything is looked up); `VALIDATION_ERROR` on `fromCampaignId` for a malformed
    /// body, a source that is the target or a source that does not exist (a bad value of a body
    /// field, as for the reminders' unknown market ids: ADR 0009); `CAMPAIGN_NOT_FOUND` when
    /// the target, the campaign of the path, does not exist.
    pub async fn clone_from(
        &self,
        ctx: &RequestContext,
        target_id: &CampaignId,
        body: &Value,
    ) -> Result<CloneOutcome, DomainError> {
        ctx.actor.require(Action::Write, target_id)?;
        let source_id = parse_clone_source(body)?;
        ctx.actor.require(Action::Read, &source_id)?;
        if &source_id == target_id {
            return Err(ValidationErrors::single(
                "fromCampaignId",
                "must name another campaign than the target",
            )
            .into());
        }
        let target = self.load_campaign(target_id).await?;
        match self.load_campaign(&source_id).await {
            Err(DomainError::CampaignNotFound) => {
                return Err(ValidationErrors::single("fromCampaignId", "names no campaign").into());
            }
            other => other?,
        };
        let source_markets = self.campaign_markets(&source_id).await?;
        let mut target_markets = self.campaign_markets(target_id).await?;
        let mut outcome = CloneOutcome {
            cloned: Vec::new(),
            skipped: Vec::new(),
        };
        for source in source_markets {
            let skip = |reason| SkippedMarket {
                id: source.id.clone(),
                name: source.name.clone(),
                reason,
            };
            if target_markets.iter().any(|m| m.name == source.name) {
                outcome.skipped.push(skip(DomainError::MarketNameExists {
                    name: source.name.clone(),
                }));
                continue;
            }
            let taken: Vec<EventId> = target_markets
                .iter()
                .flat_map(|m| m.event.ids.iter().cloned())
                .collect();
            let now = self.ports.clock.now();
            let mut copy =
                source.copy_for(self.ports.ids.market_id(), target_id.clone(), &taken, now);
            if let Err(reason) = copy.check_against(&target) {
                outcome.skipped.push(skip(reason));
                continue;
            }
            copy.version = 1;
            let covered = covered_event_ids(&target, target_markets.iter().chain(once(&copy)));
            let messages = market_change_messages(Operation::Create, None, &copy, &target, covered);
            let events = self.events(ctx, now, messages);
            match self.ports.markets.insert(&copy, &events).await {
                Ok(stored) => {
                    self.record_event_dates(&stored).await;
                    target_markets.push(stored.clone());
                    outcome.cloned.push(stored);
                }
                Err(error @ (StoreError::MarketNameTaken(_) | StoreError::EventIdTaken(_))) => {
                    outcome.skipped.push(skip(store_error(error)));
                }
                Err(error) => return Err(store_error(error)),
            }
        }
        Ok(outcome)
    }
}
