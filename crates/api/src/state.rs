//! The state every handler shares: the use cases, and the ports health checks ping.

use campaign_app::Ports;
use campaign_app::campaigns::CampaignService;

/// Shared by all workers behind `web::Data`.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    /// Campaign use cases.
    pub(crate) campaigns: CampaignService,
    /// The ports, for readiness checks.
    pub(crate) ports: Ports,
}
