//! `CampaignRepository` on MongoDB: the `campaigns` collection.
//!
//! A campaign is stored as a [`CampaignDocument`] (its wire shape, dates as BSON dates,
//! `passwordHash`, `version`, `_statusRank`, `_hosts`: see `documents::campaign`) plus
//! `_outbox` (events not yet moved to the outbox). Every host the campaign answers on, site and
//! preview, is in `_hosts` under one unique index (SPEC §7.4).

use std::collections::HashMap;

use async_trait::async_trait;
use campaign_domain::Campaign;
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::contact::Contact;
use campaign_domain::messages::OutboundEvent;
use campaign_domain::paging::{Page, PageRequest, SortDirection};
use campaign_domain::permission::ReadScope;
use campaign_domain::status::Status;
use campaign_domain::values::{ArtistId, CampaignId, CategoryId, DomainName, EventId};
use campaign_ports::{
    CampaignQuery, CampaignRepository, CampaignSortField, ContactRepository, StoreError,
};
use futures::TryStreamExt as _;
use mongodb::bson::{Bson, Document, doc};

use crate::documents::campaign::{
    CampaignDocument, HOSTS_FIELD, OPTIONAL_FIELDS, STATUS_RANK_FIELD,
};
use crate::documents::contact::ContactDocument;
use crate::documents::{date, encode, object_id, object_ids, read, read_id, stored_version};
use crate::errors::{failed, is_duplicate_key};
use crate::writes::{replacement, version_in, with_events};
use crate::{MongoStore, reads};

/// The stored form of a status (its wire name).
fn status_bson(status: Status) -> Bson {
    Bson::String(status.as_str().to_owned())
}

/// The stored document of `campaign` at `version`.
fn campaign_doc(campaign: &Campaign, version: u64) -> Result<Document, StoreError> {
    encode(
        &CampaignDocument::from(campaign).at_version(version),
        "campaign",
    )
}

/// The campaign a stored document holds (`StoreError::Internal` when it does not decode).
fn campaign_from(stored: Document) -> Result<Campaign, StoreError> {
    read::<CampaignDocument, Campaign>(stored, "campaign")
}

/// `s` with every ASCII character that is not a letter or digit escaped, so that it matches
/// itself literally in a PCRE (MongoDB) or Java (mongo-java-server) regular expression.
pub(crate) fn literal_regex(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if c.is_ascii() && !c.is_ascii_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A case-insensitive literal substring match of `text` on any of `fields`.
pub(crate) fn text_filter(text: &str, fields: &[&str]) -> Document {
    let pattern = literal_regex(text);
    let any: Vec<Bson> = fields
        .iter()
        .map(|f| Bson::Document(doc! {*f: {"$regex": &pattern, "$options": "i"}}))
        .collect();
    doc! {"$or": any}
}

/// Campaigns holding `host` as site or preview (also those written before `_hosts` existed).
fn host_filter(host: &DomainName) -> Document {
    doc! {"$or": [
        {HOSTS_FIELD: host.as_str()},
        {"domain.site": host.as_str()},
        {"domain.preview": host.as_str()},
    ]}
}

fn list_filter(query: &CampaignQuery) -> Document {
    let mut filter = scoped(Document::new(), &query.scope);
    if let Some(kind) = query.kind {
        filter.insert("type", kind.as_str());
    }
    if let Some(version) = query.schema_version {
        filter.insert("schema.version", stored_version(version));
    }
    if let Some(artist) = &query.artist_id {
        filter.insert("artist.id", artist.as_str());
    }
    if !query.statuses.is_empty() {
        let statuses: Vec<Bson> = query.statuses.iter().copied().map(status_bson).collect();
        filter.insert("status", doc! {"$in": statuses});
    }
    if let Some(text) = query.text.as_deref().filter(|t| !t.is_empty()) {
        filter.extend(text_filter(text, &["name", "artist.name", "domain.site"]));
    }
    filter
}

fn list_sort(query: &CampaignQuery) -> Document {
    let field = match query.sort.field {
        CampaignSortField::Created => "date.created",
        CampaignSortField::Updated => "date.updated",
        CampaignSortField::Name => "name",
        CampaignSortField::Open => "date.open",
        CampaignSortField::Close => "date.close",
        CampaignSortField::Status => STATUS_RANK_FIELD,
    };
    let direction = match query.sort.direction {
        SortDirection::Ascending => 1,
        SortDirection::Descending => -1,
    };
    doc! {field: direction, "_id": 1}
}

/// Restricts `filter` to the campaigns in `scope` (`_id` among the readable ones).
fn scoped(mut filter: Document, scope: &ReadScope) -> Document {
    if let ReadScope::Only(ids) = scope {
        filter.insert("_id", doc! {"$in": object_ids(ids)});
    }
    filter
}

/// Whether `scope` holds no campaign at all (nothing to ask the server).
pub(crate) fn scope_is_empty(scope: &ReadScope) -> bool {
    matches!(scope, ReadScope::Only(ids) if ids.is_empty())
}

/// SPEC §7.6: campaigns listing `event_id` themselves or with a market listing it, neither
/// DRAFT nor PREVIEW, with a presale window start, in `scope`. Served by the `_id` index (the
/// scope, the campaigns with markets) and `event_ids`.
pub(crate) fn covering_event_filter(
    event_id: &EventId,
    with_markets: &[CampaignId],
    scope: &ReadScope,
) -> Document {
    let own = doc! {"eventIds": event_id.as_str()};
    let mut filter = if with_markets.is_empty() {
        own
    } else {
        doc! {"$or": [
            own,
            {"_id": {"$in": object_ids(with_markets)}},
        ]}
    };
    filter.insert(
        "status",
        doc! {"$nin": [status_bson(Status::Draft), status_bson(Status::Preview)]},
    );
    filter.insert("date.presaleWindowStart", doc! {"$ne": Bson::Null});
    scoped(filter, scope)
}

/// Campaigns with one of `categories`, in `scope`. Served by `category_id` (or `_id`).
pub(crate) fn category_filter(categories: &[CategoryId], scope: &ReadScope) -> Document {
    let wanted: Vec<&str> = categories.iter().map(CategoryId::as_str).collect();
    scoped(doc! {"categoryId": {"$in": wanted}}, scope)
}

/// Campaigns whose presale window overlaps `[start, end]`, in `scope`: the window starts by
/// `end` and has no end (`null` matches a missing field) or ends at `start` or later. Each
/// branch of the `$or` is served by `presale_window` (end, then start), so windows that ended
/// long ago are never read.
pub(crate) fn presale_filter(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    scope: &ReadScope,
) -> Document {
    let starts = doc! {"$lte": date(end)};
    scoped(
        doc! {"$or": [
            {"date.presaleWindowEnd": Bson::Null, "date.presaleWindowStart": starts.clone()},
            {"date.presaleWindowEnd": {"$gte": date(start)}, "date.presaleWindowStart": starts},
        ]},
        scope,
    )
}

impl MongoStore {
    async fn campaigns_where(&self, filter: Document) -> Result<Vec<Campaign>, StoreError> {
        reads::all(&self.campaigns, filter, doc! {"_id": 1})
            .await?
            .into_iter()
            .map(campaign_from)
            .collect()
    }

    /// The ids, sorted, of the campaigns matching `filter` (only `_id` is read).
    async fn campaign_ids(&self, filter: Document) -> Result<Vec<CampaignId>, StoreError> {
        let docs: Vec<Document> = self
            .campaigns
            .find(filter)
            .projection(doc! {"_id": 1})
            .sort(doc! {"_id": 1})
            .await
            .map_err(failed("find campaign ids"))?
            .try_collect()
            .await
            .map_err(failed("read campaign ids"))?;
        docs.iter()
            .map(|d| read_id(d, "campaign", CampaignId::parse))
            .collect()
    }

    async fn campaign_doc_by_id(&self, id: &CampaignId) -> Result<Option<Document>, StoreError> {
        self.campaigns
            .find_one(doc! {"_id": object_id(id)})
            .await
            .map_err(failed("find campaign"))
    }

    /// The error for a campaign write refused by the unique index on its hosts: the host
    /// another campaign holds (the first of them if the holder cannot be read back).
    async fn domain_taken(&self, campaign: &Campaign, error: &mongodb::error::Error) -> StoreError {
        let hosts = campaign.domain.hosts();
        for host in &hosts {
            if let Ok(Some(holder)) = self.host_holder(host).await
                && holder != campaign.id
            {
                return StoreError::DomainTaken((*host).clone());
            }
        }
        match hosts.first() {
            Some(host) => StoreError::DomainTaken((*host).clone()),
            None => crate::errors::driver_error("write campaign", error),
        }
    }

    /// The id of the campaign holding `host` as site or preview.
    async fn host_holder(&self, host: &DomainName) -> Result<Option<CampaignId>, StoreError> {
        let doc = self
            .campaigns
            .find_one(host_filter(host))
            .projection(doc! {"_id": 1})
            .await
            .map_err(failed("find campaign by host"))?;
        Ok(doc.and_then(|d| read_id(&d, "campaign", CampaignId::parse).ok()))
    }

    /// The contacts with these ids as stored now (for restoring them), by id.
    async fn contact_docs(&self, contacts: &[Contact]) -> Result<Vec<Document>, StoreError> {
        self.contacts
            .find(doc! {"_id": {"$in": object_ids(contacts.iter().map(|c| &c.id))}})
            .await
            .map_err(failed("find contacts"))?
            .try_collect()
            .await
            .map_err(failed("read contacts"))
    }

    /// The version campaign `id` is stored at (`None` when there is none); reads only the
    /// version.
    async fn stored_version_of(&self, id: &CampaignId) -> Result<Option<u64>, StoreError> {
        Ok(self
            .campaigns
            .find_one(doc! {"_id": object_id(id)})
            .projection(doc! {"version": 1})
            .await
            .map_err(failed("find campaign version"))?
            .map(|stored| version_in(&stored)))
    }

    /// `NotFound` or `VersionConflict` for a conditional write of campaign `id` that matched
    /// nothing: what is stored now.
    async fn write_refused(&self, id: &CampaignId, expected_version: u64) -> StoreError {
        match self.stored_version_of(id).await {
            Ok(None) => StoreError::NotFound,
            Ok(Some(current)) => StoreError::VersionConflict {
                expected: expected_version,
                current,
            },
            Err(e) => e,
        }
    }

    /// Writes `campaign` with `events` if it is stored at `expected_version`: one conditional
    /// `update_one` (the version in its filter), which sets every field and unsets the optional
    /// ones the campaign no longer has, so nothing is read first. Only when it matches nothing
    /// is the campaign read, to say why.
    async fn write_over(
        &self,
        campaign: &Campaign,
        expected_version: u64,
        events: &[OutboundEvent],
    ) -> Result<Campaign, StoreError> {
        let next = expected_version + 1;
        let update = replacement(campaign_doc(campaign, next)?, OPTIONAL_FIELDS, events)?;
        let filter = doc! {
            "_id": object_id(&campaign.id),
            "version": stored_version(expected_version),
        };
        match self.campaigns.update_one(filter, update).await {
            Ok(result) if result.matched_count == 1 => {
                let mut stored = campaign.clone();
                stored.version = next;
                Ok(stored)
            }
            // Gone, or someone wrote in between: report what is stored now.
            Ok(_) => Err(self.write_refused(&campaign.id, expected_version).await),
            Err(e) if is_duplicate_key(&e) => Err(self.domain_taken(campaign, &e).await),
            Err(e) => Err(crate::errors::driver_error("update campaign", &e)),
        }
    }

    /// Puts the contacts back as `before` held them: each one still as `written` left it is
    /// replaced by its old document, or removed when it did not exist before. A contact someone
    /// else changed in between no longer matches what this change wrote, and is left alone.
    async fn restore_contacts(&self, written: &[Contact], before: Vec<Document>) {
        for contact in written {
            let Ok(mine) = encode(&ContactDocument::from(contact), "contact") else {
                continue;
            };
            let id = Bson::ObjectId(object_id(&contact.id));
            let old = before.iter().find(|d| d.get("_id") == Some(&id)).cloned();
            let undone = match old {
                Some(old) => self.contacts.replace_one(mine, old).await.map(|_| ()),
                None => self.contacts.delete_one(mine).await.map(|_| ()),
            };
            if let Err(e) = undone {
                tracing::error!(error = %e, contact = %contact.id, "contact not restored after a failed campaign write");
            }
        }
    }
}

#[async_trait]
impl CampaignRepository for MongoStore {
    async fn insert(
        &self,
        campaign: &Campaign,
        events: &[OutboundEvent],
    ) -> Result<Campaign, StoreError> {
        let doc = with_events(campaign_doc(campaign, 1)?, events)?;
        match self.campaigns.insert_one(doc).await {
            Ok(_) => {
                let mut stored = campaign.clone();
                stored.version = 1;
                Ok(stored)
            }
            Err(e) if is_duplicate_key(&e) => Err(self.domain_taken(campaign, &e).await),
            Err(e) => Err(crate::errors::driver_error("insert campaign", &e)),
        }
    }

    async fn update(
        &self,
        campaign: &Campaign,
        expected_version: u64,
        events: &[OutboundEvent],
    ) -> Result<Campaign, StoreError> {
        self.write_over(campaign, expected_version, events).await
    }

    async fn update_with_contacts(
        &self,
        campaign: &Campaign,
        expected_version: u64,
        contacts: &[Contact],
        events: &[OutboundEvent],
    ) -> Result<Campaign, StoreError> {
        // Without a multi-document transaction (a standalone server has none) the two writes
        // are made one change by compensation: the version is checked, the contacts as they
        // were are read, the contacts are written, then the conditional campaign write; when
        // that is refused or fails, the contacts are put back (ADR 0015). The version check
        // (a read of `version` only) is the one read a plain update no longer makes: without
        // it a stale change would write the contacts, let readers see them, and undo them.
        match self.stored_version_of(&campaign.id).await? {
            None => return Err(StoreError::NotFound),
            Some(current) if current != expected_version => {
                return Err(StoreError::VersionConflict {
                    expected: expected_version,
                    current,
                });
            }
            Some(_) => {}
        }
        let before = self.contact_docs(contacts).await?;
        if let Err(error) = ContactRepository::upsert(self, contacts).await {
            self.restore_contacts(contacts, before).await;
            return Err(error);
        }
        match self.write_over(campaign, expected_version, events).await {
            Ok(stored) => Ok(stored),
            Err(error) => {
                self.restore_contacts(contacts, before).await;
                Err(error)
            }
        }
    }

    async fn find_by_host(&self, host: &DomainName) -> Result<Option<Campaign>, StoreError> {
        self.campaigns
            .find_one(host_filter(host))
            .await
            .map_err(failed("find campaign by host"))?
            .map(campaign_from)
            .transpose()
    }

    async fn find_by_id(&self, id: &CampaignId) -> Result<Option<Campaign>, StoreError> {
        self.campaign_doc_by_id(id)
            .await?
            .map(campaign_from)
            .transpose()
    }

    async fn find_by_ids(&self, ids: &[CampaignId]) -> Result<Vec<Campaign>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let found = self
            .campaigns_where(doc! {"_id": {"$in": object_ids(ids)}})
            .await?;
        let mut by_id: HashMap<CampaignId, Campaign> =
            found.into_iter().map(|c| (c.id.clone(), c)).collect();
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    async fn find_by_domain(&self, domain: &DomainName) -> Result<Option<Campaign>, StoreError> {
        if let Some(doc) = self
            .campaigns
            .find_one(doc! {"domain.site": domain.as_str()})
            .await
            .map_err(failed("find campaign by domain"))?
        {
            return campaign_from(doc).map(Some);
        }
        self.campaigns
            .find_one(doc! {
                "domain.preview": domain.as_str(),
                "status": status_bson(Status::Preview),
            })
            .sort(doc! {"date.updated": -1, "_id": 1})
            .await
            .map_err(failed("find campaign by preview domain"))?
            .map(campaign_from)
            .transpose()
    }

    async fn list(&self, query: &CampaignQuery) -> Result<Page<Campaign>, StoreError> {
        reads::page(
            &self.campaigns,
            list_filter(query),
            list_sort(query),
            query.page,
            campaign_from,
        )
        .await
    }

    async fn refresh_candidates(
        &self,
        now: DateTime<Utc>,
        closed_before: DateTime<Utc>,
    ) -> Result<Vec<Campaign>, StoreError> {
        self.campaigns_where(doc! {"$or": [
            {
                "status": {"$in": [status_bson(Status::Draft), status_bson(Status::Preview)]},
                "date.open": {"$lte": date(now)},
            },
            {"status": status_bson(Status::Open), "date.close": {"$lte": date(now)}},
            {"status": status_bson(Status::Closed), "date.closed": {"$lte": date(closed_before)}},
        ]})
        .await
    }

    async fn covering_event(
        &self,
        event_id: &EventId,
        with_markets: &[CampaignId],
        scope: &ReadScope,
        page: PageRequest,
    ) -> Result<Page<Campaign>, StoreError> {
        if scope_is_empty(scope) {
            return Ok(Page::from_all(Vec::new(), page));
        }
        reads::page(
            &self.campaigns,
            covering_event_filter(event_id, with_markets, scope),
            doc! {"_id": 1},
            page,
            campaign_from,
        )
        .await
    }

    async fn ids_by_category(
        &self,
        categories: &[CategoryId],
        scope: &ReadScope,
    ) -> Result<Vec<CampaignId>, StoreError> {
        if categories.is_empty() || scope_is_empty(scope) {
            return Ok(Vec::new());
        }
        self.campaign_ids(category_filter(categories, scope)).await
    }

    async fn ids_in_presale(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: &ReadScope,
    ) -> Result<Vec<CampaignId>, StoreError> {
        if scope_is_empty(scope) {
            return Ok(Vec::new());
        }
        self.campaign_ids(presale_filter(start, end, scope)).await
    }

    async fn category_ids_in_presale(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        scope: &ReadScope,
    ) -> Result<Vec<CategoryId>, StoreError> {
        if scope_is_empty(scope) {
            return Ok(Vec::new());
        }
        let values = self
            .campaigns
            .distinct("categoryId", presale_filter(start, end, scope))
            .await
            .map_err(failed("distinct campaign categories"))?;
        // `distinct` answers each value once, in no promised order; only text is a category id.
        let mut ids: Vec<CategoryId> = values
            .iter()
            .filter_map(Bson::as_str)
            .filter_map(|raw| CategoryId::parse(raw).ok())
            .collect();
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    async fn find_by_artist(&self, artist_id: &ArtistId) -> Result<Vec<Campaign>, StoreError> {
        self.campaigns_where(doc! {"artist.id": artist_id.as_str()})
            .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.db
            .run_command(doc! {"ping": 1})
            .await
            .map(|_| ())
            .map_err(failed("ping"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_metacharacters_are_escaped() {
        assert_eq!(literal_regex("a.b"), "a\\.b");
        assert_eq!(literal_regex("(ops"), "\\(ops");
        assert_eq!(literal_regex(".*"), "\\.\\*");
        assert_eq!(literal_regex("Ärzte 1"), "Ärzte\\ 1");
    }
}
