//! The state every handler shares: the use cases, and the ports health checks ping.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use campaign_app::Ports;
use campaign_app::campaigns::CampaignService;
use campaign_app::contacts::ContactService;
use campaign_app::deliveries::DeliveryService;
use campaign_app::events::EventService;
use campaign_app::markets::MarketService;
use campaign_app::promoters::PromoterService;
use campaign_app::queries::CampaignQueryService;
use campaign_app::search::SearchService;

/// Shared by all workers behind `web::Data`.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    /// Campaign use cases.
    pub(crate) campaigns: CampaignService,
    /// Campaign queries of internal services (by event, category, presale window).
    pub(crate) queries: CampaignQueryService,
    /// Market use cases, reminders included.
    pub(crate) markets: MarketService,
    /// Promoter use cases.
    pub(crate) promoters: PromoterService,
    /// Contact search.
    pub(crate) contacts: ContactService,
    /// Ticketing event statuses.
    pub(crate) events: EventService,
    /// Artist and venue search.
    pub(crate) search: SearchService,
    /// Outbox inspection (failed events, requeue).
    pub(crate) deliveries: DeliveryService,
    /// The ports, for readiness checks.
    pub(crate) ports: Ports,
    /// Set once a stop was asked for: readiness fails while in-flight work finishes.
    pub(crate) draining: Arc<AtomicBool>,
}
