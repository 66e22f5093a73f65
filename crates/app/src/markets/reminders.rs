//! Reminder bookkeeping (supreme only): `/markets/upcoming`, `/markets/notifyDate`,
//! `/markets/notifiable`, `/markets/notified`.
//!
//! Scheduling and marking reminders changes a market's `notification`: like every market change
//! (SPEC §8) each market is written with the messages it owes (the data-pipeline message with the
//! whole market, the campaign's stream record), recorded in the outbox in the same write.

use std::collections::HashMap;

use campaign_domain::market::{Market, ReminderRequest, parse_market_ids, upcoming_window};
use campaign_domain::messages::{Operation, covered_event_ids, market_change_messages};
use campaign_domain::serde_json::Value;
use campaign_domain::values::{CampaignId, EventId, MarketId};
use campaign_domain::{Campaign, DomainError, ValidationErrors};
use campaign_ports::StoreError;

use super::{MarketService, campaign_store_error, store_error};
use crate::RequestContext;

/// How often one market's reminder change is tried when other writers keep changing the market.
const WRITE_ATTEMPTS: u32 = 8;

/// Each id once, in first-seen order.
fn distinct(ids: &[MarketId]) -> Vec<MarketId> {
    let mut out: Vec<MarketId> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(id) {
            out.push(id.clone());
        }
    }
    out
}

impl MarketService {
    /// Markets whose presale starts between now + 2 h and now + 27 h, in campaigns with
    /// `options.automatedReminders`, by presale time then id.
    ///
    /// Errors: `SUPREME_USER_REQUIRED`.
    pub async fn upcoming(&self, ctx: &RequestContext) -> Result<Vec<Market>, DomainError> {
        ctx.actor.require_supreme()?;
        let (from, to) = upcoming_window(self.ports.clock.now());
        let markets = self
            .ports
            .markets
            .presale_between(from, to)
            .await
            .map_err(store_error)?;
        let mut campaign_ids: Vec<_> = markets.iter().map(|m| m.campaign_id.clone()).collect();
        campaign_ids.sort();
        campaign_ids.dedup();
        let reminded: HashMap<_, bool> = self
            .ports
            .campaigns
            .find_by_ids(&campaign_ids)
            .await
            .map_err(campaign_store_error)?
            .into_iter()
            .map(|c| (c.id, c.options.automated_reminders))
            .collect();
        Ok(markets
            .into_iter()
            .filter(|m| reminded.get(&m.campaign_id).copied().unwrap_or(false))
            .collect())
    }

    /// Schedules a reminder for each market of the body (`{marketIds, notificationDate}`).
    /// Returns the markets as changed.
    ///
    /// The ids and the date are checked first: a refused body changes nothing. Then each market
    /// is its own conditional write carrying its messages (`change_markets`), not one
    /// transaction: when a write fails part way the caller gets that market's error, the
    /// markets written before it keep their reminder (and their messages are delivered), and
    /// the ones after it are untouched. Sending the body again is safe: it is checked again
    /// (a date that has passed meanwhile is refused) and sets the same date on every market,
    /// those already changed included (a new version and their messages once more).
    ///
    /// Errors: `SUPREME_USER_REQUIRED`; `VALIDATION_ERROR` for a malformed body, and naming
    /// `marketIds[i]` for each id that names no market and each market whose presale time the
    /// date does not precede (or that has none), or when the date lies in the past; part way
    /// through the writes, the failing market's error (as for [`Self::mark_notified`]).
    pub async fn schedule_reminders(
        &self,
        ctx: &RequestContext,
        body: &Value,
    ) -> Result<Vec<Market>, DomainError> {
        ctx.actor.require_supreme()?;
        let request = ReminderRequest::parse(body)?;
        let found = self.existing(&request.market_ids).await?;
        let now = self.ports.clock.now();
        let mut errors = ValidationErrors::new();
        for (i, id) in request.market_ids.iter().enumerate() {
            match found.get(id) {
                None => errors.add(format!("marketIds[{i}]"), format!("no market {id}")),
                Some(market) => {
                    if let Err(e) = market.check_notification_date(request.notification_date, now) {
                        errors.add(format!("marketIds[{i}]"), format!("market {id}: {e}"));
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let date = request.notification_date;
        self.change_markets(ctx, &distinct(&request.market_ids), found, |m| {
            m.with_reminder_at(date)
        })
        .await
    }

    /// Markets whose reminder is due (`notification.date` ≤ now) and not yet sent.
    ///
    /// Errors: `SUPREME_USER_REQUIRED`.
    pub async fn notifiable(&self, ctx: &RequestContext) -> Result<Vec<Market>, DomainError> {
        ctx.actor.require_supreme()?;
        self.ports
            .markets
            .notifiable(self.ports.clock.now())
            .await
            .map_err(store_error)
    }

    /// Marks the markets of the body (`{marketIds}`) as notified now. Returns the markets as
    /// changed.
    ///
    /// The ids are checked first: a refused body changes nothing. Then each market is its own
    /// conditional write carrying its messages (`change_markets`), not one
    /// transaction: when a write fails part way the caller gets that market's error, the
    /// markets written before it stay marked (and their messages are delivered), and the ones
    /// after it are untouched. Sending the body again is safe: every market is marked again,
    /// those already marked included (their `notified` moves to the retry's time, with a new
    /// version and their messages once more).
    ///
    /// Errors: `SUPREME_USER_REQUIRED`; `VALIDATION_ERROR` for a malformed body, and naming
    /// `marketIds[i]` for each id that names no market; part way through the writes, the
    /// failing market's error (`DEPENDENCY_UNAVAILABLE` when the store cannot be reached,
    /// `MARKET_NOT_FOUND` for a market deleted meanwhile, `CAMPAIGN_NOT_FOUND` for its campaign
    /// gone meanwhile, `VERSION_CONFLICT` when other writers
    /// kept changing it).
    pub async fn mark_notified(
        &self,
        ctx: &RequestContext,
        body: &Value,
    ) -> Result<Vec<Market>, DomainError> {
        ctx.actor.require_supreme()?;
        let ids = parse_market_ids(body)?;
        let found = self.existing(&ids).await?;
        let mut errors = ValidationErrors::new();
        for (i, id) in ids.iter().enumerate() {
            if !found.contains_key(id) {
                errors.add(format!("marketIds[{i}]"), format!("no market {id}"));
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let now = self.ports.clock.now();
        self.change_markets(ctx, &distinct(&ids), found, |m| m.reminded_at(now))
            .await
    }

    /// Writes each market of `ids` (all in `found`) as `change` makes it, each with the messages
    /// a market update owes, conditional on the version read; a market another writer changed
    /// meanwhile is read again and changed again. Returns the markets as stored, in `ids` order.
    ///
    /// Each market is its own write: a store outage part way leaves the first markets changed,
    /// and the client's retry (both endpoints are idempotent) changes the rest.
    async fn change_markets(
        &self,
        ctx: &RequestContext,
        ids: &[MarketId],
        mut found: HashMap<MarketId, Market>,
        change: impl Fn(&Market) -> Market,
    ) -> Result<Vec<Market>, DomainError> {
        // A reminder changes no event id, so what each campaign covers is read once, and again
        // only when another write got to one of its markets first (it may have changed them).
        let mut campaigns: HashMap<CampaignId, (Campaign, Vec<EventId>)> = HashMap::new();
        let mut stored = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(mut before) = found.remove(id) else {
                continue;
            };
            let mut attempt = 1;
            loop {
                if !campaigns.contains_key(&before.campaign_id) {
                    let campaign = self.load_campaign(&before.campaign_id).await?;
                    let markets = self.campaign_markets(&campaign.id).await?;
                    let covered = covered_event_ids(&campaign, &markets);
                    campaigns.insert(campaign.id.clone(), (campaign, covered));
                }
                // Present: inserted just above when missing.
                let (campaign, covered) = &campaigns[&before.campaign_id];
                let mut after = change(&before);
                after.version = before.version + 1;
                let messages = market_change_messages(
                    Operation::Update,
                    Some(&before),
                    &after,
                    campaign,
                    covered.clone(),
                );
                let events = self.events(ctx, self.ports.clock.now(), messages);
                match self
                    .ports
                    .markets
                    .update(&after, before.version, &events)
                    .await
                {
                    Ok(market) => {
                        stored.push(market);
                        break;
                    }
                    Err(StoreError::VersionConflict { .. }) if attempt < WRITE_ATTEMPTS => {
                        attempt += 1;
                        campaigns.remove(&before.campaign_id);
                        before = self.load_market(&before.campaign_id, id).await?;
                    }
                    Err(error) => return Err(store_error(error)),
                }
            }
        }
        Ok(stored)
    }

    /// The markets with these ids that exist, by id.
    async fn existing(&self, ids: &[MarketId]) -> Result<HashMap<MarketId, Market>, DomainError> {
        Ok(self
            .ports
            .markets
            .find_by_ids(&distinct(ids))
            .await
            .map_err(store_error)?
            .into_iter()
            .map(|m| (m.id.clone(), m))
            .collect())
    }
}
