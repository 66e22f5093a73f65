//! Reminder bookkeeping (supreme only): `/markets/upcoming`, `/markets/notifyDate`,
//! `/markets/notifiable`, `/markets/notified`.
//!
//! Scheduling and marking reminders changes only a market's `notification`, which the service
//! owns; these are bookkeeping of the reminder mailer, not market changes in the sense of
//! SPEC §8, so they send no messages.

use std::collections::HashMap;

use campaign_domain::market::{Market, ReminderRequest, parse_market_ids, upcoming_window};
use campaign_domain::serde_json::Value;
use campaign_domain::values::MarketId;
use campaign_domain::{DomainError, ValidationErrors};

use super::{MarketService, campaign_store_error, store_error};
use crate::RequestContext;

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

    /// Schedules a reminder for each market of the body (`{marketIds, notificationDate}`): all
    /// or nothing. Returns the markets as changed.
    ///
    /// Errors: `SUPREME_USER_REQUIRED`; `VALIDATION_ERROR` for a malformed body, and naming
    /// `marketIds[i]` for each id that names no market and each market whose presale time the
    /// date does not precede (or that has none), or when the date lies in the past.
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
        self.ports
            .markets
            .schedule_notification(&distinct(&request.market_ids), request.notification_date)
            .await
            .map_err(store_error)
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

    /// Marks the markets of the body (`{marketIds}`) as notified now: all or nothing. Returns
    /// the markets as changed.
    ///
    /// Errors: `SUPREME_USER_REQUIRED`; `VALIDATION_ERROR` for a malformed body, and naming
    /// `marketIds[i]` for each id that names no market.
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
        self.ports
            .markets
            .mark_notified(&distinct(&ids), self.ports.clock.now())
            .await
            .map_err(store_error)
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
