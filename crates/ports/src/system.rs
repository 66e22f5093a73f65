//! The clock and the id generator: injected so tests control time and ids.

use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::uuid::Uuid;
use campaign_domain::values::{CampaignId, ContactId, MarketId, PromoterId};

/// The current time. Implementations return UTC with millisecond precision (what stores keep),
/// so a value read back equals the value written.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
}

/// New identifiers.
pub trait IdGenerator: Send + Sync + 'static {
    /// 12 bytes of a new ObjectId-form id; never repeats within a process.
    fn next_object_id(&self) -> [u8; 12];

    /// A new unique event id for an outbound message.
    fn next_event_id(&self) -> Uuid;

    /// A new campaign id.
    fn campaign_id(&self) -> CampaignId {
        CampaignId::from_bytes(self.next_object_id())
    }

    /// A new market id.
    fn market_id(&self) -> MarketId {
        MarketId::from_bytes(self.next_object_id())
    }

    /// A new promoter id.
    fn promoter_id(&self) -> PromoterId {
        PromoterId::from_bytes(self.next_object_id())
    }

    /// A new contact id.
    fn contact_id(&self) -> ContactId {
        ContactId::from_bytes(self.next_object_id())
    }
}
