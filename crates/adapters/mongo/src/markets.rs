//! `MarketRepository` on MongoDB: the `markets` collection.
//!
//! A market is stored as a [`MarketDocument`] (its wire shape, dates as BSON dates, `version`,
//! `_eventKeys`: see `documents::market`) plus `_outbox`. A delete that owes events leaves a
//! tombstone (`_tombstone`, no other fields but `_outbox`) until the relay has moved the events;
//! tombstones have no `campaign_id`, so no query finds them.

use async_trait::async_trait;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::market::Market;
use campaign_domain::messages::OutboundEvent;
use campaign_domain::permission::ReadScope;
use campaign_domain::values::{CampaignId, EventId, MarketId};
use campaign_ports::{MarketRepository, StoreError};
use mongodb::bson::{Bson, Document, doc};

use crate::documents::market::{MarketDocument, OPTIONAL_FIELDS};
use crate::documents::{date, encode, object_id, object_ids, read, stored_version};
use crate::errors::{driver_error, failed, is_duplicate_key};
use crate::writes::{replacement, tombstone, version_in, with_events};
use crate::{MongoStore, reads};

/// The stored document of `market` at `version`.
fn market_doc(market: &Market, version: u64) -> Result<Document, StoreError> {
    encode(&MarketDocument::from(market).at_version(version), "market")
}

/// The market a stored document holds (`StoreError::Internal` when it does not decode).
fn market_from(stored: Document) -> Result<Market, StoreError> {
    read::<MarketDocument, Market>(stored, "market")
}

fn by_id(id: &MarketId) -> Document {
    doc! {"_id": object_id(id)}
}

/// Only live markets (tombstones have no campaign).
fn live() -> Document {
    doc! {"campaign_id": {"$exists": true}}
}

/// The live markets of these campaigns. Served by `campaign_id`.
pub(crate) fn of_campaigns_filter(campaign_ids: &[CampaignId]) -> Document {
    let ids: Vec<&str> = campaign_ids.iter().map(CampaignId::as_str).collect();
    doc! {"campaign_id": {"$in": ids}}
}

/// The markets listing `event_id`, of campaigns in `scope` (tombstones list no event ids).
/// Served by `event_ids` (or `campaign_id`).
pub(crate) fn listing_event_filter(event_id: &EventId, scope: &ReadScope) -> Document {
    let mut filter = doc! {"event.ids": event_id.as_str()};
    if let ReadScope::Only(ids) = scope {
        let ids: Vec<&str> = ids.iter().map(CampaignId::as_str).collect();
        filter.insert("campaign_id", doc! {"$in": ids});
    }
    filter
}

impl MongoStore {
    async fn markets_where(
        &self,
        filter: Document,
        sort: Document,
    ) -> Result<Vec<Market>, StoreError> {
        reads::all(&self.markets, filter, sort)
            .await?
            .into_iter()
            .map(market_from)
            .collect()
    }

    /// The distinct text values of `field` among the markets matching `filter`, de-duplicated
    /// by the server (`distinct`); values of other types are skipped.
    async fn distinct_texts(
        &self,
        field: &str,
        filter: Document,
    ) -> Result<Vec<String>, StoreError> {
        Ok(self
            .markets
            .distinct(field, filter)
            .await
            .map_err(failed("distinct markets"))?
            .into_iter()
            .filter_map(|value| match value {
                Bson::String(text) => Some(text),
                _ => None,
            })
            .collect())
    }

    /// The live market document `id` of `campaign`.
    async fn market_doc(
        &self,
        campaign: &CampaignId,
        id: &MarketId,
    ) -> Result<Option<Document>, StoreError> {
        let mut filter = by_id(id);
        filter.insert("campaign_id", campaign.as_str());
        self.markets
            .find_one(filter)
            .await
            .map_err(failed("find market"))
    }

    /// Reads back why a conditional market write matched nothing (only the version is read).
    async fn market_write_missed(
        &self,
        campaign: &CampaignId,
        id: &MarketId,
        expected: u64,
    ) -> StoreError {
        let mut filter = by_id(id);
        filter.insert("campaign_id", campaign.as_str());
        let stored = self
            .markets
            .find_one(filter)
            .projection(doc! {"version": 1})
            .await
            .map_err(failed("find market version"));
        match stored {
            Ok(None) => StoreError::NotFound,
            Ok(Some(now)) => StoreError::VersionConflict {
                expected,
                current: version_in(&now),
            },
            Err(e) => e,
        }
    }

    /// Which uniqueness rule a refused market write broke: another live market of the campaign
    /// with the same name, or one listing one of its event ids.
    async fn market_conflict(&self, market: &Market, error: &mongodb::error::Error) -> StoreError {
        let others = doc! {
            "campaign_id": market.campaign_id.as_str(),
            "_id": {"$ne": object_id(&market.id)},
        };
        let mut same_name = others.clone();
        same_name.insert("name", &market.name);
        match self.markets.find_one(same_name).await {
            Ok(Some(_)) => return StoreError::MarketNameTaken(market.name.clone()),
            Ok(None) => {}
            Err(e) => return driver_error("find market by name", &e),
        }
        let ids: Vec<&str> = market.event.ids.iter().map(EventId::as_str).collect();
        let mut sharing = others;
        sharing.insert("event.ids", doc! {"$in": ids});
        match self.markets.find_one(sharing).await {
            Ok(Some(other)) => {
                let taken = other
                    .get_document("event")
                    .ok()
                    .and_then(|e| e.get_array("ids").ok())
                    .and_then(|held| {
                        market
                            .event
                            .ids
                            .iter()
                            .find(|id| held.contains(&Bson::String(id.as_str().to_owned())))
                    });
                match taken {
                    Some(id) => StoreError::EventIdTaken(id.clone()),
                    None => driver_error("write market", error),
                }
            }
            // The conflicting write went away meanwhile; call it by its index.
            Ok(None)
                if error
                    .to_string()
                    .contains(crate::indexes::MARKET_NAME_UNIQUE) =>
            {
                StoreError::MarketNameTaken(market.name.clone())
            }
            Ok(None) => driver_error("write market", error),
            Err(e) => driver_error("find market by event id", &e),
        }
    }
}

#[async_trait]
impl MarketRepository for MongoStore {
    async fn insert(
        &self,
        market: &Market,
        events: &[OutboundEvent],
    ) -> Result<Market, StoreError> {
        let doc = with_events(market_doc(market, 1)?, events)?;
        match self.markets.insert_one(doc).await {
            Ok(_) => {
                let mut stored = market.clone();
                stored.version = 1;
                Ok(stored)
            }
            Err(e) if is_duplicate_key(&e) => Err(self.market_conflict(market, &e).await),
            Err(e) => Err(driver_error("insert market", &e)),
        }
    }

    async fn update(
        &self,
        market: &Market,
        expected_version: u64,
        events: &[OutboundEvent],
    ) -> Result<Market, StoreError> {
        // One conditional write, nothing read first (see `writes`); a refused one is read back.
        let next = expected_version + 1;
        let update = replacement(market_doc(market, next)?, OPTIONAL_FIELDS, events)?;
        let mut filter = by_id(&market.id);
        filter.insert("campaign_id", market.campaign_id.as_str());
        filter.insert("version", stored_version(expected_version));
        match self.markets.update_one(filter, update).await {
            Ok(result) if result.matched_count == 1 => {
                let mut stored = market.clone();
                stored.version = next;
                Ok(stored)
            }
            Ok(_) => Err(self
                .market_write_missed(&market.campaign_id, &market.id, expected_version)
                .await),
            Err(e) if is_duplicate_key(&e) => Err(self.market_conflict(market, &e).await),
            Err(e) => Err(driver_error("update market", &e)),
        }
    }

    async fn delete(
        &self,
        campaign_id: &CampaignId,
        market_id: &MarketId,
        expected_version: Option<u64>,
        events: &[OutboundEvent],
    ) -> Result<Market, StoreError> {
        let current = self
            .market_doc(campaign_id, market_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let current_version = version_in(&current);
        if let Some(expected) = expected_version
            && expected != current_version
        {
            return Err(StoreError::VersionConflict {
                expected,
                current: current_version,
            });
        }
        // Read before deleting: a market that does not decode is refused, not half deleted.
        let deleted = market_from(current.clone())?;
        let mut filter = by_id(market_id);
        filter.insert("campaign_id", campaign_id.as_str());
        filter.insert("version", stored_version(current_version));
        let matched = if events.is_empty() {
            self.markets
                .delete_one(filter)
                .await
                .map_err(failed("delete market"))?
                .deleted_count
        } else {
            self.markets
                .update_one(filter, tombstone(&current, events)?)
                .await
                .map_err(failed("delete market"))?
                .matched_count
        };
        if matched == 1 {
            Ok(deleted)
        } else {
            Err(self
                .market_write_missed(campaign_id, market_id, current_version)
                .await)
        }
    }

    async fn find(
        &self,
        campaign_id: &CampaignId,
        market_id: &MarketId,
    ) -> Result<Option<Market>, StoreError> {
        self.market_doc(campaign_id, market_id)
            .await?
            .map(market_from)
            .transpose()
    }

    async fn find_by_ids(&self, ids: &[MarketId]) -> Result<Vec<Market>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut filter = doc! {"_id": {"$in": object_ids(ids)}};
        filter.extend(live());
        self.markets_where(filter, doc! {"_id": 1}).await
    }

    async fn list_by_campaign(&self, campaign_id: &CampaignId) -> Result<Vec<Market>, StoreError> {
        self.markets_where(
            doc! {"campaign_id": campaign_id.as_str()},
            doc! {"name": 1, "_id": 1},
        )
        .await
    }

    async fn event_ids_of_campaigns(
        &self,
        campaign_ids: &[CampaignId],
    ) -> Result<Vec<EventId>, StoreError> {
        if campaign_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut ids: Vec<EventId> = self
            .distinct_texts("event.ids", of_campaigns_filter(campaign_ids))
            .await?
            .into_iter()
            .filter_map(|raw| EventId::parse(&raw).ok())
            .collect();
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    async fn campaigns_listing_event(
        &self,
        event_id: &EventId,
        scope: &ReadScope,
    ) -> Result<Vec<CampaignId>, StoreError> {
        if crate::campaigns::scope_is_empty(scope) {
            return Ok(Vec::new());
        }
        let mut ids: Vec<CampaignId> = self
            .distinct_texts("campaign_id", listing_event_filter(event_id, scope))
            .await?
            .into_iter()
            .filter_map(|raw| CampaignId::parse(&raw).ok())
            .collect();
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    async fn find_by_event_id(&self, event_id: &EventId) -> Result<Vec<Market>, StoreError> {
        self.markets_where(doc! {"event.ids": event_id.as_str()}, doc! {"_id": 1})
            .await
    }

    async fn presale_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Market>, StoreError> {
        self.markets_where(
            doc! {"event.presaleDateTime": {"$gte": date(from), "$lte": date(to)}},
            doc! {"event.presaleDateTime": 1, "_id": 1},
        )
        .await
    }

    async fn notifiable(&self, now: DateTime<Utc>) -> Result<Vec<Market>, StoreError> {
        self.markets_where(
            doc! {
                "notification.date": {"$lte": date(now)},
                "notification.notified": {"$exists": false},
            },
            doc! {"notification.date": 1, "_id": 1},
        )
        .await
    }
}
