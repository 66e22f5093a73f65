//! What the stub and moto tests share: an `SdkConfig` with static test credentials and quick
//! retries, events of every queue's kind, and where the test moto server is.

use campaign_adapter_aws::AwsSettings;
use campaign_domain::Campaign;
use campaign_domain::messages::{
    CampaignSummary, DataPipelineMessage, Operation, OutboundEvent, OutboundMessage,
    RefreshSelectionsMessage, stream_record,
};
use campaign_domain::uuid::Uuid;
use campaign_ports::IntegrationError;
use campaign_ports::testing::fixtures;

pub use campaign_adapter_aws::testing::{
    REGION, credentials, endpoint as moto_endpoint, sdk_config as config,
};

/// Settings for `endpoint` in [`REGION`].
pub fn settings(endpoint: &str) -> AwsSettings {
    AwsSettings {
        endpoint_url: Some(endpoint.to_owned()),
        region: Some(REGION.to_owned()),
    }
}

/// A URL nothing listens on.
pub fn closed_port_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

/// A fresh campaign.
pub fn campaign(name: &str) -> Campaign {
    fixtures::campaign(name)
}

fn event(message: OutboundMessage, correlation: Option<&str>) -> OutboundEvent {
    OutboundEvent {
        event_id: Uuid::new_v4(),
        correlation: correlation.map(str::to_owned),
        occurred_at: fixtures::t0(),
        message,
    }
}

/// A campaign data stream record of `campaign`.
pub fn stream_event(campaign: &Campaign) -> OutboundEvent {
    event(
        OutboundMessage::CampaignStream(stream_record(campaign, Vec::new())),
        Some("corr-stream"),
    )
}

/// A data pipeline message about `campaign`, with or without a correlation id.
pub fn pipeline_event(campaign: &Campaign, correlation: Option<&str>) -> OutboundEvent {
    event(
        OutboundMessage::DataPipeline(DataPipelineMessage::Campaign {
            operation: Operation::Update,
            campaign: CampaignSummary::of(campaign),
        }),
        correlation,
    )
}

/// A refresh-selections message for a market of `campaign`.
pub fn selections_event(campaign: &Campaign) -> OutboundEvent {
    event(
        OutboundMessage::RefreshSelections(RefreshSelectionsMessage {
            campaign_id: campaign.id.clone(),
            market_id: fixtures::market_id(),
            presale_date_time: fixtures::at_hours(48),
        }),
        Some("corr-selections"),
    )
}

/// Checks the error is transient and its message names `needle`.
#[track_caller]
pub fn assert_transient(error: &IntegrationError, needle: &str) {
    assert!(error.is_transient(), "{error:?}");
    let text = error.to_string();
    assert!(text.contains(needle), "{text:?} lacks {needle:?}");
}

/// Checks the error is permanent and its message names `needle`.
#[track_caller]
pub fn assert_permanent(error: &IntegrationError, needle: &str) {
    assert!(matches!(error, IntegrationError::Permanent(_)), "{error:?}");
    let text = error.to_string();
    assert!(text.contains(needle), "{text:?} lacks {needle:?}");
}
