//! Market use cases (SPEC §6 "Markets", §7.7, §8): create, read, update, delete and list the
//! markets of a campaign, copy another campaign's markets, and the reminder bookkeeping of the
//! supreme-only `/markets/*` endpoints.
//!
//! Every market write goes to the store together with the messages it owes (the data-pipeline
//! message with the whole market, the campaign's stream record with its full event id list after
//! the change, a refresh-selections message when the presale time is set or changes), so they
//! are recorded atomically. Uniqueness of names and event ids within a campaign is checked early
//! for a clear answer and enforced again by the store, so a lost race gets the same error.

mod clone;
mod read;
mod reminders;
mod write;

use std::collections::HashSet;

use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::market::Market;
use campaign_domain::messages::{OutboundEvent, OutboundMessage};
use campaign_domain::values::{CampaignId, EventId, MarketId};
use campaign_domain::{Campaign, DomainError, ValidationErrors};
use campaign_ports::{IntegrationError, StoreError};
use futures::StreamExt as _;

pub use clone::{CloneOutcome, SkippedMarket};

use crate::RequestContext;
use crate::ports::Ports;

/// How many Discovery lookups one market write runs at a time.
const DISCOVERY_CONCURRENCY: usize = 4;

/// The market use cases.
#[derive(Debug, Clone)]
pub struct MarketService {
    ports: Ports,
}

impl MarketService {
    /// The use cases over `ports`.
    pub fn new(ports: Ports) -> Self {
        Self { ports }
    }

    /// The stored campaign (writes start from the truth, not the cache).
    async fn load_campaign(&self, id: &CampaignId) -> Result<Campaign, DomainError> {
        self.ports
            .campaigns
            .find_by_id(id)
            .await
            .map_err(campaign_store_error)?
            .ok_or(DomainError::CampaignNotFound)
    }

    /// The market `market_id` of campaign `campaign_id`.
    async fn load_market(
        &self,
        campaign_id: &CampaignId,
        market_id: &MarketId,
    ) -> Result<Market, DomainError> {
        self.ports
            .markets
            .find(campaign_id, market_id)
            .await
            .map_err(store_error)?
            .ok_or(DomainError::MarketNotFound)
    }

    /// Every market of a campaign.
    async fn campaign_markets(&self, id: &CampaignId) -> Result<Vec<Market>, DomainError> {
        self.ports
            .markets
            .list_by_campaign(id)
            .await
            .map_err(store_error)
    }

    /// The checks that need other records: the promoter ids the change adds exist, and, when the
    /// Discovery API is configured, so do the event ids and the venue id the change adds
    /// (`INVALID_MARKET` naming each missing one). Ids the market already had are not checked
    /// again, so an update never fails for a record that disappeared elsewhere meanwhile.
    async fn check_references(
        &self,
        before: Option<&Market>,
        market: &Market,
    ) -> Result<(), DomainError> {
        let mut missing = ValidationErrors::new();
        let new_promoters: Vec<(usize, _)> = market
            .promoter_ids
            .iter()
            .enumerate()
            .filter(|(_, id)| before.is_none_or(|b| !b.promoter_ids.contains(id)))
            .map(|(i, id)| (i, id.clone()))
            .collect();
        if !new_promoters.is_empty() {
            let ids: Vec<_> = new_promoters.iter().map(|(_, id)| id.clone()).collect();
            let existing: HashSet<_> = self
                .ports
                .promoters
                .existing_ids(&ids)
                .await
                .map_err(store_error)?
                .into_iter()
                .collect();
            for (i, id) in &new_promoters {
                if !existing.contains(id) {
                    missing.add(format!("promoterIds[{i}]"), format!("no promoter {id}"));
                }
            }
        }
        if let Some(discovery) = &self.ports.discovery {
            // Each new id is checked once (the first place it is listed), a few at a time: a
            // market of many ids must neither serialise one upstream call per id nor fire them
            // all at once.
            let mut seen = HashSet::new();
            let new_ids: Vec<(usize, &EventId)> = market
                .event
                .ids
                .iter()
                .enumerate()
                .filter(|(_, id)| !before.is_some_and(|b| b.event.ids.contains(id)))
                .filter(|(_, id)| seen.insert(*id))
                .collect();
            let answers: Vec<_> = futures::stream::iter(new_ids)
                .map(|(i, id)| async move { (i, id, discovery.event_exists(id).await) })
                .buffered(DISCOVERY_CONCURRENCY)
                .collect()
                .await;
            for (i, id, answer) in answers {
                match answer {
                    Ok(true) | Err(IntegrationError::NotConfigured(_)) => {}
                    Ok(false) => missing.add(
                        format!("event.ids[{i}]"),
                        format!("no event {id} in the Discovery API"),
                    ),
                    Err(error) => return Err(discovery_error(&error)),
                }
            }
            let venue = market.event.venue.id.as_deref();
            let venue_is_new = before.is_none_or(|b| b.event.venue.id.as_deref() != venue);
            if let Some(venue) = venue.filter(|_| venue_is_new) {
                match discovery.venue_exists(venue).await {
                    Ok(true) | Err(IntegrationError::NotConfigured(_)) => {}
                    Ok(false) => missing.add(
                        "event.venue.id",
                        format!("no venue {venue} in the Discovery API"),
                    ),
                    Err(error) => return Err(discovery_error(&error)),
                }
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(DomainError::invalid_market(
                "the market refers to records that do not exist",
                missing,
            ))
        }
    }

    /// Records the dates of the market's events, so the events the service knows stay those of
    /// its markets. Best effort: the market is already written, and the next write of a market
    /// listing the event records it again; a failure is logged.
    async fn record_event_dates(&self, market: &Market) {
        if market.event.ids.is_empty() {
            return;
        }
        let events: Vec<_> = market
            .event
            .ids
            .iter()
            .map(|id| (id.clone(), market.event.date))
            .collect();
        if let Err(error) = self.ports.events.record_dates(&events).await {
            tracing::warn!(market = %market.id, %error, "event dates not recorded");
        }
    }

    /// Wraps the messages of a change made at `at` as outbox events.
    fn events(
        &self,
        ctx: &RequestContext,
        at: DateTime<Utc>,
        messages: Vec<OutboundMessage>,
    ) -> Vec<OutboundEvent> {
        crate::outbox::events(
            self.ports.ids.as_ref(),
            ctx.correlation.as_deref(),
            at,
            messages,
        )
    }
}

/// Early, clear answers for the uniqueness rules the store enforces at write time:
/// `MARKET_NAME_EXISTS` when another market of the campaign has the name, `DUPLICATE_EVENT_ID`
/// when another market lists one of the event ids. `others` excludes the market itself.
fn check_unique(others: &[Market], market: &Market) -> Result<(), DomainError> {
    if others.iter().any(|o| o.name == market.name) {
        return Err(DomainError::MarketNameExists {
            name: market.name.clone(),
        });
    }
    for id in &market.event.ids {
        if others.iter().any(|o| o.event.ids.contains(id)) {
            return Err(DomainError::DuplicateEventId {
                event_id: id.to_string(),
            });
        }
    }
    Ok(())
}

/// Maps a store error on a market call to what the client sees.
fn store_error(error: StoreError) -> DomainError {
    crate::store_errors::store_error("market", DomainError::MarketNotFound, error)
}

pub(crate) use crate::store_errors::campaign_store_error;

/// A Discovery API failure as the client sees it: the dependency is unavailable. Logged here.
pub(crate) fn discovery_error(error: &IntegrationError) -> DomainError {
    tracing::error!(%error, "Discovery API call failed");
    DomainError::DependencyUnavailable {
        dependency: "discovery".to_owned(),
    }
}
