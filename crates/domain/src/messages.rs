//! The messages a change owes to the outside world (SPEC §8), as plain data, and the rules that
//! decide which messages a change produces. Delivery (outbox, relay, brokers) is not the
//! domain's business; every message gets a unique event id when it is recorded.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::campaign::{Campaign, CampaignDates, Domains};
use crate::market::Market;
use crate::reader::wire_time;
use crate::status::Status;
use crate::values::{ArtistId, CampaignId, EventId, MarketId};

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    /// Created.
    Create,
    /// Changed (including status transitions).
    Update,
    /// Removed.
    Delete,
}

/// Record for the campaign data stream (Kinesis, partition key = campaign id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CampaignStreamRecord {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// Its status.
    pub status: Status,
    /// Its domains.
    pub domain: Domains,
    /// Its dates.
    pub date: CampaignDates,
    /// Every event id it covers: its own plus its markets', de-duplicated, sorted.
    pub event_ids: Vec<EventId>,
}

/// The campaign summary sent to the data pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CampaignSummary {
    /// Id.
    pub id: CampaignId,
    /// Name.
    pub name: String,
    /// Status.
    pub status: Status,
    /// Artist id.
    pub artist_id: ArtistId,
    /// Artist name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artist_name: Option<String>,
    /// Tour name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tour_name: Option<String>,
    /// Domains.
    pub domain: Domains,
    /// Dates.
    pub date: CampaignDates,
    /// Version after the change.
    pub version: u64,
}

impl CampaignSummary {
    /// The summary of `c`.
    pub fn of(c: &Campaign) -> Self {
        Self {
            id: c.id.clone(),
            name: c.name.clone(),
            status: c.status,
            artist_id: c.artist.id.clone(),
            artist_name: c.artist.name.clone(),
            tour_name: c.tour.name.clone(),
            domain: c.domain.clone(),
            date: c.date.clone(),
            version: c.version,
        }
    }
}

/// A message for the data pipeline queue (SQS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "entity", rename_all = "lowercase")]
#[allow(
    clippy::large_enum_variant,
    reason = "built, serialised and dropped at once; boxing the summary would change the API for nothing"
)]
pub enum DataPipelineMessage {
    /// A campaign changed.
    Campaign {
        /// What happened.
        operation: Operation,
        /// The campaign after the change.
        campaign: CampaignSummary,
    },
    /// A market changed; carries the whole market document.
    Market {
        /// What happened.
        operation: Operation,
        /// The market (as it was, for a delete).
        market: Box<Market>,
    },
}

/// A message for the refresh-selections queue (SQS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshSelectionsMessage {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// The market whose presale time was set or changed.
    pub market_id: MarketId,
    /// The new presale time.
    #[serde(with = "wire_time")]
    pub presale_date_time: DateTime<Utc>,
}

/// A CDN purge by surrogate keys (Fastly).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CdnPurge {
    /// Keys to purge: the campaign id and its domains (old and new).
    pub surrogate_keys: Vec<String>,
}

/// Re-sync of an artist's extension file (GitLab) with the artist's active campaigns. The file
/// is rebuilt from current state at delivery, so a late or repeated delivery is harmless.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtistExtensionSync {
    /// The artist.
    pub artist_id: ArtistId,
}

/// Linked campaigns to take the shared fields (artist, tour, presale window) of a campaign that
/// changed them (SPEC §8), each as a change of its own with its own messages. The relay copies
/// the source campaign's *current* shared fields at delivery, so a late or repeated delivery
/// is harmless.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkedCampaignsSync {
    /// The campaign whose shared fields changed.
    pub source_id: CampaignId,
    /// The linked campaigns to update: those the author of the change may write.
    pub linked_ids: Vec<CampaignId>,
}

/// One outbound message, by destination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "destination", content = "payload", rename_all = "camelCase")]
pub enum OutboundMessage {
    /// Campaign data stream (Kinesis).
    CampaignStream(CampaignStreamRecord),
    /// Data pipeline queue (SQS).
    DataPipeline(DataPipelineMessage),
    /// Refresh-selections queue (SQS).
    RefreshSelections(RefreshSelectionsMessage),
    /// CDN purge (Fastly).
    CdnPurge(CdnPurge),
    /// Artist extension file (GitLab).
    ArtistExtension(ArtistExtensionSync),
    /// Linked campaigns taking a campaign's shared fields (delivered by the service itself).
    LinkedCampaigns(LinkedCampaignsSync),
}

impl OutboundMessage {
    /// The destination name (`campaignStream`, `dataPipeline`, ...), for metrics and logs.
    pub fn destination(&self) -> &'static str {
        match self {
            Self::CampaignStream(_) => "campaignStream",
            Self::DataPipeline(_) => "dataPipeline",
            Self::RefreshSelections(_) => "refreshSelections",
            Self::CdnPurge(_) => "cdnPurge",
            Self::ArtistExtension(_) => "artistExtension",
            Self::LinkedCampaigns(_) => "linkedCampaigns",
        }
    }

    /// The key that orders messages of one destination (the campaign id, where there is one):
    /// the stream's partition key.
    pub fn ordering_key(&self) -> String {
        match self {
            Self::CampaignStream(r) => r.campaign_id.to_string(),
            Self::DataPipeline(DataPipelineMessage::Campaign { campaign, .. }) => {
                campaign.id.to_string()
            }
            Self::DataPipeline(DataPipelineMessage::Market { market, .. }) => {
                market.campaign_id.to_string()
            }
            Self::RefreshSelections(m) => m.campaign_id.to_string(),
            Self::CdnPurge(p) => p.surrogate_keys.first().cloned().unwrap_or_default(),
            Self::ArtistExtension(a) => a.artist_id.to_string(),
            Self::LinkedCampaigns(l) => l.source_id.to_string(),
        }
    }
}

/// A message with its identity, as recorded in the outbox and sent to consumers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundEvent {
    /// Unique id consumers de-duplicate by.
    pub event_id: Uuid,
    /// Correlation id of the request that caused it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation: Option<String>,
    /// When the change happened.
    #[serde(with = "wire_time")]
    pub occurred_at: DateTime<Utc>,
    /// The message.
    #[serde(flatten)]
    pub message: OutboundMessage,
}

/// Every event id a campaign covers: its own and its markets', de-duplicated and sorted.
pub fn covered_event_ids<'a>(
    campaign: &Campaign,
    markets: impl IntoIterator<Item = &'a Market>,
) -> Vec<EventId> {
    let mut ids: Vec<EventId> = campaign.event_ids.clone();
    for m in markets {
        ids.extend(m.event.ids.iter().cloned());
    }
    ids.sort();
    ids.dedup();
    ids
}

/// The stream record of `campaign` covering `event_ids`.
pub fn stream_record(campaign: &Campaign, event_ids: Vec<EventId>) -> CampaignStreamRecord {
    CampaignStreamRecord {
        campaign_id: campaign.id.clone(),
        status: campaign.status,
        domain: campaign.domain.clone(),
        date: campaign.date.clone(),
        event_ids,
    }
}

/// The messages a campaign change owes (SPEC §8): the stream record and the data-pipeline
/// summary always; a CDN purge when the status, a domain, the password or anything the public
/// sees changed; an artist-extension sync when the status changed (or the campaign is new, or
/// changed artist).
/// `before` is `None` for a create; `event_ids` is the campaign's full covered list.
pub fn campaign_change_messages(
    before: Option<&Campaign>,
    after: &Campaign,
    event_ids: Vec<EventId>,
) -> Vec<OutboundMessage> {
    let operation = if before.is_some() {
        Operation::Update
    } else {
        Operation::Create
    };
    let mut out = vec![
        OutboundMessage::CampaignStream(stream_record(after, event_ids)),
        OutboundMessage::DataPipeline(DataPipelineMessage::Campaign {
            operation,
            campaign: CampaignSummary::of(after),
        }),
    ];
    let public_changed = before.is_none_or(|b| {
        b.status != after.status
            || b.domain != after.domain
            // Setting or removing the password changes who may see the cached pages.
            || b.password != after.password
            || b.public_view() != after.public_view()
    });
    if public_changed {
        let mut keys = after.surrogate_keys();
        if let Some(b) = before {
            for k in b.surrogate_keys() {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        out.push(OutboundMessage::CdnPurge(CdnPurge {
            surrogate_keys: keys,
        }));
    }
    let status_changed = before.is_none_or(|b| b.status != after.status);
    if status_changed {
        out.push(OutboundMessage::ArtistExtension(ArtistExtensionSync {
            artist_id: after.artist.id.clone(),
        }));
    }
    if let Some(b) = before.filter(|b| b.artist.id != after.artist.id) {
        // The old artist lost a campaign: its file changes too.
        out.push(OutboundMessage::ArtistExtension(ArtistExtensionSync {
            artist_id: b.artist.id.clone(),
        }));
        if !status_changed {
            out.push(OutboundMessage::ArtistExtension(ArtistExtensionSync {
                artist_id: after.artist.id.clone(),
            }));
        }
    }
    out
}

/// The message that makes `after`'s linked campaigns take its shared fields, when a change from
/// `before` changed them and the author of the change may write some of them (`may_write`).
pub fn linked_campaigns_message(
    before: &Campaign,
    after: &Campaign,
    may_write: impl Fn(&CampaignId) -> bool,
) -> Option<OutboundMessage> {
    if !before.shared_fields_differ(after) {
        return None;
    }
    let linked_ids: Vec<CampaignId> = after
        .linked_campaign_ids
        .iter()
        .filter(|id| **id != after.id && may_write(id))
        .cloned()
        .collect();
    (!linked_ids.is_empty()).then(|| {
        OutboundMessage::LinkedCampaigns(LinkedCampaignsSync {
            source_id: after.id.clone(),
            linked_ids,
        })
    })
}

/// The messages a market change owes (SPEC §8): the data-pipeline message with the operation and
/// the whole market; the campaign's stream record with its full event id list (after the
/// change); a refresh-selections message when the market is created with a presale time or its
/// presale time changes (never for a delete).
pub fn market_change_messages(
    operation: Operation,
    before: Option<&Market>,
    market: &Market,
    campaign: &Campaign,
    campaign_event_ids: Vec<EventId>,
) -> Vec<OutboundMessage> {
    let mut out = vec![
        OutboundMessage::DataPipeline(DataPipelineMessage::Market {
            operation,
            market: Box::new(market.clone()),
        }),
        OutboundMessage::CampaignStream(stream_record(campaign, campaign_event_ids)),
    ];
    let presale_changed =
        before.map(|b| b.event.presale_date_time) != Some(market.event.presale_date_time);
    if operation != Operation::Delete
        && presale_changed
        && let Some(at) = market.event.presale_date_time
    {
        out.push(OutboundMessage::RefreshSelections(
            RefreshSelectionsMessage {
                campaign_id: market.campaign_id.clone(),
                market_id: market.id.clone(),
                presale_date_time: at,
            },
        ));
    }
    out
}
